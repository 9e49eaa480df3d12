# Textos da interface do Herald — português do Brasil.

## Mensagens padrão para cada status
default-message-investigating = Estamos investigando relatos de um problema e publicaremos uma atualização em breve.
default-message-identified = Identificamos a causa e estamos trabalhando em uma correção.
default-message-monitoring = Uma correção foi aplicada e estamos monitorando os resultados.
default-message-resolved = Este incidente foi resolvido.
default-message-scheduled = Há uma manutenção programada para o período indicado.
default-message-in_progress = A manutenção programada está em andamento. Publicaremos uma atualização quando for concluída.
default-message-verifying = Os trabalhos de manutenção terminaram e estamos verificando os resultados.
default-message-completed = A manutenção programada foi concluída.

## Estrutura da página
skip-to-content = Pular para o conteúdo
back-home = Voltar à página de status

## Páginas de erro
error-not-found-title = Página não encontrada
error-not-found-body = Não há nenhuma página neste endereço. Ela pode ter sido movida, ou o link pode estar digitado errado.
error-forbidden-title = Não permitido
error-forbidden-body = Sua conta não tem permissão para fazer isso.
error-server-title = Algo deu errado
error-server-body = Não foi possível exibir esta página por um problema do nosso lado. Ele foi registrado; tente novamente em instantes.
error-unavailable-title = Temporariamente indisponível
error-unavailable-body = Esta página não pode ser exibida agora. Tente novamente em instantes.
error-request-title = Não foi possível processar esta solicitação

## Status e faixa geral
component-status-operational = Operacional
component-status-degraded_performance = Desempenho degradado
component-status-partial_outage = Interrupção parcial
component-status-major_outage = Interrupção grave
component-status-under_maintenance = Em manutenção
incident-status-investigating = Investigando
incident-status-identified = Causa identificada
incident-status-monitoring = Monitorando
incident-status-resolved = Resolvido
incident-status-scheduled = Programada
incident-status-in_progress = Em andamento
incident-status-verifying = Verificando
incident-status-completed = Concluída
impact-none = Sem impacto
impact-minor = Impacto menor
impact-major = Impacto grave
impact-critical = Impacto crítico
impact-maintenance = Manutenção
indicator-none = Todos os sistemas operacionais
indicator-minor = Pequena interrupção do serviço
indicator-major = Interrupção parcial do sistema
indicator-critical = Interrupção grave do serviço
indicator-maintenance = Serviço em manutenção

## Datas e horas (clock-hours: 12 ou 24)
clock-hours = 24
time-hm = { $hour }:{ $minute }
time-am = AM
time-pm = PM
date-full = { $day } de { $month } de { $year }
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro

## Feeds, badge and API
feed-title = Histórico de status de { $page }
feed-component-title = { $page }: histórico de status de { $component }
feed-update = Atualização
feed-maintenance-window = Manutenção programada de { $start } a { $end }
feed-postmortem = Análise pós-incidente
feed-root-cause = Causa raiz
feed-resolution = Resolução
feed-remediation = Ações de acompanhamento
remediation-state-planned = Planejada
remediation-state-in_progress = Em andamento
remediation-state-done = Concluída
remediation-state-wont_do = Descartada
badge-label = status

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

# Textos de la interfaz de Herald — español.

## Mensajes predeterminados para cada estado
default-message-investigating = Estamos investigando informes de un problema y publicaremos una actualización en breve.
default-message-identified = Hemos identificado la causa y estamos trabajando en una solución.
default-message-monitoring = Se ha aplicado una solución y estamos supervisando los resultados.
default-message-resolved = Este incidente se ha resuelto.
default-message-scheduled = Hay un mantenimiento programado durante el periodo indicado.
default-message-in_progress = El mantenimiento programado está en curso. Publicaremos una actualización cuando termine.
default-message-verifying = Los trabajos de mantenimiento han terminado y estamos verificando los resultados.
default-message-completed = El mantenimiento programado ha finalizado.

## Estructura de la página
skip-to-content = Saltar al contenido
back-home = Volver a la página de estado

## Páginas de error
error-not-found-title = Página no encontrada
error-not-found-body = No hay ninguna página en esta dirección. Puede que se haya movido o que el enlace tenga un error.
error-forbidden-title = No permitido
error-forbidden-body = Su cuenta no tiene permiso para hacer esto.
error-server-title = Algo salió mal
error-server-body = No pudimos mostrar esta página por un problema de nuestra parte. Ha quedado registrado; inténtelo de nuevo en un momento.
error-unavailable-title = No disponible temporalmente
error-unavailable-body = Esta página no se puede mostrar ahora mismo. Inténtelo de nuevo en un momento.
error-request-title = No se pudo procesar esta solicitud

## Estados y banner general
component-status-operational = Operativo
component-status-degraded_performance = Rendimiento degradado
component-status-partial_outage = Interrupción parcial
component-status-major_outage = Interrupción grave
component-status-under_maintenance = En mantenimiento
incident-status-investigating = Investigando
incident-status-identified = Causa identificada
incident-status-monitoring = Supervisando
incident-status-resolved = Resuelto
incident-status-scheduled = Programado
incident-status-in_progress = En curso
incident-status-verifying = Verificando
incident-status-completed = Completado
impact-none = Sin impacto
impact-minor = Impacto menor
impact-major = Impacto grave
impact-critical = Impacto crítico
impact-maintenance = Mantenimiento
indicator-none = Todos los sistemas operativos
indicator-minor = Interrupción menor del servicio
indicator-major = Interrupción parcial del sistema
indicator-critical = Interrupción grave del servicio
indicator-maintenance = Servicio en mantenimiento

## Fechas y horas (clock-hours: 12 o 24)
clock-hours = 24
time-hm = { $hour }:{ $minute }
time-am = a. m.
time-pm = p. m.
date-full = { $day } de { $month } de { $year }
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Feeds, badge and API
feed-title = Historial de estado de { $page }
feed-component-title = { $page }: historial de estado de { $component }
feed-update = Actualización
feed-maintenance-window = Mantenimiento programado del { $start } al { $end }
feed-postmortem = Análisis posterior al incidente
feed-root-cause = Causa raíz
feed-resolution = Resolución
feed-remediation = Acciones de seguimiento
remediation-state-planned = Planificada
remediation-state-in_progress = En curso
remediation-state-done = Hecha
remediation-state-wont_do = Descartada
badge-label = estado

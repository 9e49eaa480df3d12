# Chaînes de l'interface Herald — français.

## Messages proposés par défaut pour chaque état
default-message-investigating = Nous examinons des signalements de problème et publierons une mise à jour sous peu.
default-message-identified = Nous avons identifié la cause et travaillons à une correction.
default-message-monitoring = Un correctif a été appliqué et nous surveillons les résultats.
default-message-resolved = Cet incident est résolu.
default-message-scheduled = Une maintenance est prévue pendant la période indiquée.
default-message-in_progress = La maintenance programmée est en cours. Nous publierons une mise à jour une fois terminée.
default-message-verifying = Les travaux de maintenance sont terminés et nous vérifions les résultats.
default-message-completed = La maintenance programmée est terminée.

## Cadre des pages
skip-to-content = Aller au contenu
back-home = Retour à la page d'état

## Pages d'erreur
error-not-found-title = Page introuvable
error-not-found-body = Aucune page ne se trouve à cette adresse. Elle a peut-être été déplacée, ou le lien contient une faute de frappe.
error-forbidden-title = Action non autorisée
error-forbidden-body = Votre compte n'a pas l'autorisation de faire ceci.
error-server-title = Une erreur s'est produite
error-server-body = Nous n'avons pas pu afficher cette page à cause d'un problème de notre côté. Il a été consigné ; veuillez réessayer dans un instant.
error-unavailable-title = Momentanément indisponible
error-unavailable-body = Cette page ne peut pas être affichée pour le moment. Veuillez réessayer dans un instant.
error-request-title = Cette requête n'a pas pu être traitée

## États et bandeau général
component-status-operational = Opérationnel
component-status-degraded_performance = Performances dégradées
component-status-partial_outage = Panne partielle
component-status-major_outage = Panne majeure
component-status-under_maintenance = En maintenance
incident-status-investigating = Enquête en cours
incident-status-identified = Cause identifiée
incident-status-monitoring = Surveillance
incident-status-resolved = Résolu
incident-status-scheduled = Planifiée
incident-status-in_progress = En cours
incident-status-verifying = Vérification
incident-status-completed = Terminée
impact-none = Aucun impact
impact-minor = Impact mineur
impact-major = Impact majeur
impact-critical = Impact critique
impact-maintenance = Maintenance
indicator-none = Tous les systèmes sont opérationnels
indicator-minor = Perturbation mineure du service
indicator-major = Panne partielle du système
indicator-critical = Panne majeure du service
indicator-maintenance = Service en maintenance

## Dates et heures (clock-hours : 12 ou 24)
clock-hours = 24
time-hm = { $hour }:{ $minute }
time-am = AM
time-pm = PM
date-full = { $day } { $month } { $year }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Feeds, badge and API
feed-title = Historique de l’état de { $page }
feed-component-title = { $page } : historique de l’état de { $component }
feed-update = Mise à jour
feed-maintenance-window = Maintenance prévue du { $start } au { $end }
feed-postmortem = Analyse après incident
feed-root-cause = Cause première
feed-resolution = Résolution
feed-remediation = Actions de suivi
remediation-state-planned = Prévue
remediation-state-in_progress = En cours
remediation-state-done = Terminée
remediation-state-wont_do = Abandonnée
badge-label = état

//! `herald demo`: a realistic page, written by us, loaded through the service layer like any
//! other write — a product group with regional Pods, a resolved incident with a published
//! postmortem (English original, French and German translations), an active incident and an
//! upcoming maintenance.

use std::collections::BTreeMap;

use anyhow::bail;
use chrono::Duration;

use crate::domain::{
    ComponentStatus, Impact, IncidentStatus, PostmortemState, Provenance, RemediationCategory,
    RemediationState, SUPPORTED_LOCALES,
};
use crate::service::{
    Actor, IncidentPatch, IncidentTranslationIn, ItemTranslationIn, MaintenanceTranslationIn,
    MessageTranslationIn, MilestonesPatch, NewComponent, NewIncident, NewMaintenance,
    NewRemediationItem, NewUpdate, PageInput, PostmortemInput, PostmortemTranslationIn, Service,
};
use crate::store::CountedTable;

fn e(err: crate::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{}", err.detail())
}

/// The demo page, as one page of data (exempt from the function-length rule: it is a script of
/// writes, not logic).
#[allow(clippy::too_many_lines)]
pub async fn load(service: &Service) -> anyhow::Result<()> {
    if service.store().count(CountedTable::Components).await? > 0
        || service.store().count(CountedTable::Incidents).await? > 0
    {
        bail!("this database already has components or incidents; the demo loads into an empty one (e.g. DATABASE_URL=demo.db herald demo)");
    }
    let actor = Actor::cli();
    let now = service.now();
    let page = service.page().await.map_err(e)?;
    service
        .put_page(&actor, PageInput {
            name: "Northwind Cloud".into(),
            url: page.url.clone(),
            time_zone: "America/Los_Angeles".into(),
            display_time_zones: vec!["America/Los_Angeles".into(), "Europe/Paris".into()],
            default_locale: "en".into(),
            locales: SUPPORTED_LOCALES.iter().map(|s| s.to_string()).collect(),
            footer_markdown: "For the current status of your account, see this page. Questions about an incident? Write to [support@northwind.example](mailto:support@northwind.example).".into(),
        })
        .await
        .map_err(e)?;

    let component =
        |name: &str, group_id: Option<&str>, group: bool, description: Option<&str>| NewComponent {
            name: name.into(),
            description: description.map(Into::into),
            group,
            children_label: group.then(|| "Pods".to_string()),
            group_id: group_id.map(Into::into),
            position: None,
            status: None,
            only_show_if_degraded: false,
            showcase: true,
            start_date: None,
        };
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (group, description, pods) in [
        (
            "Sell",
            "Pipeline, deals and email for sales teams.",
            ["Pod 13", "Pod 17", "Pod 23"],
        ),
        (
            "Support",
            "Tickets, help center and messaging.",
            ["Pod 13", "Pod 17", "Pod 23"],
        ),
    ] {
        let g = service
            .create_component(&actor, component(group, None, true, Some(description)))
            .await
            .map_err(e)?;
        for pod in pods {
            let c = service
                .create_component(&actor, component(pod, Some(&g.id), false, None))
                .await
                .map_err(e)?;
            ids.insert(Box::leak(format!("{group}/{pod}").into_boxed_str()), c.id);
        }
        ids.insert(group, g.id);
    }
    let api = service
        .create_component(
            &actor,
            component("Public API", None, false, Some("REST API and webhooks.")),
        )
        .await
        .map_err(e)?;
    let site = service
        .create_component(&actor, component("Website", None, false, None))
        .await
        .map_err(e)?;
    ids.insert("api", api.id);
    ids.insert("site", site.id);
    let fr = |title: Option<&str>, message: Option<&str>| IncidentTranslationIn {
        title: title.map(Into::into),
        message: message.map(Into::into),
        symptom: None,
        provenance: Provenance::Human,
    };

    // A resolved incident from last week, with its postmortem.
    let start = now - Duration::days(6) - Duration::hours(3);
    let support_api_pod17 = ids["Support/Pod 17"].clone();
    let mut translations = BTreeMap::new();
    translations.insert("fr".to_string(), IncidentTranslationIn { symptom: Some("des erreurs de l'API Support".into()), ..fr(Some("Erreurs sur l'API Support dans le Pod 17"), Some("Nous constatons un taux d'erreurs élevé sur l'API Support pour les clients du Pod 17 et nous enquêtons.")) });
    translations.insert("de".to_string(), IncidentTranslationIn { provenance: Provenance::Machine, symptom: Some("Fehler der Support-API".into()), ..fr(Some("Fehler in der Support-API in Pod 17"), Some("Wir sehen eine erhöhte Fehlerrate der Support-API für Kunden in Pod 17 und untersuchen das Problem.")) });
    let resolved = service
        .create_incident(&actor, NewIncident {
            title: "Errors from the Support API in Pod 17".into(),
            impact: Some(Impact::Major),
            status: IncidentStatus::Investigating,
            message: "We are seeing an elevated rate of errors from the Support API for customers in Pod 17 and are investigating.".into(),
            locale: Some("en".into()),
            symptom: Some("errors from the Support API".into()),
            started_at: Some(start),
            display_at: Some(start + Duration::minutes(18)),
            next_update_by: Some(start + Duration::minutes(60)),
            components: BTreeMap::from([(support_api_pod17.clone(), ComponentStatus::PartialOutage)]),
            milestones: Some(MilestonesPatch { detected_at: Some(Some(start + Duration::minutes(9))), ..Default::default() }),
            translations,
        })
        .await
        .map_err(e)?;
    let rid = resolved.incident.id.clone();
    let steps = [
        (IncidentStatus::Identified, 52, "A configuration change to the connection pool of the ticket database left too few connections for peak traffic. We are rolling it back.", "Une modification de configuration du pool de connexions de la base des tickets a laissé trop peu de connexions pour le trafic de pointe. Nous l'annulons.", "Eine Konfigurationsänderung am Verbindungspool der Ticketdatenbank ließ zu wenige Verbindungen für Spitzenlast übrig. Wir nehmen sie zurück."),
        (IncidentStatus::Monitoring, 81, "The rollback is complete and error rates are back to normal. We are monitoring.", "L'annulation est terminée et le taux d'erreurs est revenu à la normale. Nous surveillons la situation.", "Die Rücknahme ist abgeschlossen und die Fehlerrate ist wieder normal. Wir beobachten die Lage."),
        (IncidentStatus::Resolved, 140, "This incident is resolved. We will publish a postmortem within a few days.", "Cet incident est résolu. Nous publierons une analyse rétrospective d'ici quelques jours.", "Dieser Vorfall ist behoben. Wir veröffentlichen in einigen Tagen eine Nachbetrachtung."),
    ];
    for (status, minutes, en, fr_text, de_text) in steps {
        let components = if status == IncidentStatus::Monitoring {
            BTreeMap::from([(support_api_pod17.clone(), ComponentStatus::Operational)])
        } else {
            BTreeMap::new()
        };
        service
            .post_update(
                &actor,
                &rid,
                NewUpdate {
                    status,
                    message: en.into(),
                    display_at: Some(start + Duration::minutes(minutes)),
                    next_update_by: None,
                    components,
                    translations: BTreeMap::from([
                        (
                            "fr".into(),
                            MessageTranslationIn {
                                message: fr_text.into(),
                                provenance: Provenance::Human,
                            },
                        ),
                        (
                            "de".into(),
                            MessageTranslationIn {
                                message: de_text.into(),
                                provenance: Provenance::Machine,
                            },
                        ),
                    ]),
                },
            )
            .await
            .map_err(e)?;
    }
    service
        .patch_incident(
            &actor,
            &rid,
            IncidentPatch {
                milestones: Some(MilestonesPatch {
                    mitigated_at: Some(Some(start + Duration::minutes(75))),
                    impact_ended_at: Some(Some(start + Duration::minutes(78))),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .map_err(e)?;
    service
        .put_postmortem(&actor, &rid, PostmortemInput {
            summary: Some("For 78 minutes, about a third of requests to the Support API in Pod 17 failed.".into()),
            root_cause: "A change to the ticket database's connection pool lowered its size from 200 to 20 connections. The change was tested under normal load only; at the morning peak, requests waited for a connection until they timed out.".into(),
            resolution: "We rolled the change back, which restored the pool to 200 connections. Errors stopped within three minutes of the rollback.".into(),
            state: PostmortemState::Published,
            translations: BTreeMap::from([
                ("fr".into(), PostmortemTranslationIn {
                    summary: Some("Pendant 78 minutes, environ un tiers des requêtes vers l'API Support du Pod 17 ont échoué.".into()),
                    root_cause: Some("Une modification du pool de connexions de la base des tickets a réduit sa taille de 200 à 20 connexions. Elle n'avait été testée qu'en charge normale ; au pic du matin, les requêtes ont attendu une connexion jusqu'à expiration.".into()),
                    resolution: Some("Nous avons annulé la modification, ce qui a rétabli le pool à 200 connexions. Les erreurs ont cessé dans les trois minutes.".into()),
                    provenance: Provenance::Human,
                }),
                ("de".into(), PostmortemTranslationIn {
                    summary: Some("78 Minuten lang schlug etwa ein Drittel der Anfragen an die Support-API in Pod 17 fehl.".into()),
                    root_cause: Some("Eine Änderung am Verbindungspool der Ticketdatenbank verringerte seine Größe von 200 auf 20 Verbindungen. Sie war nur unter normaler Last getestet; in der Morgenspitze warteten Anfragen bis zum Timeout auf eine Verbindung.".into()),
                    resolution: Some("Wir haben die Änderung zurückgenommen und den Pool wieder auf 200 Verbindungen gesetzt. Die Fehler hörten innerhalb von drei Minuten auf.".into()),
                    provenance: Provenance::Machine,
                }),
            ]),
        })
        .await
        .map_err(e)?;
    for (title, fr_title, de_title, category, state) in [
        (
            "Load-test connection pool changes at peak traffic",
            "Tester en charge de pointe les changements du pool de connexions",
            "Änderungen am Verbindungspool unter Spitzenlast testen",
            RemediationCategory::Prevent,
            RemediationState::Done,
        ),
        (
            "Alert when requests wait for a database connection",
            "Alerter quand des requêtes attendent une connexion à la base",
            "Alarm, wenn Anfragen auf eine Datenbankverbindung warten",
            RemediationCategory::Detect,
            RemediationState::InProgress,
        ),
        (
            "Roll out database configuration one Pod at a time",
            "Déployer la configuration des bases un Pod à la fois",
            "Datenbankkonfiguration Pod für Pod ausrollen",
            RemediationCategory::Mitigate,
            RemediationState::Planned,
        ),
    ] {
        service
            .create_remediation_item(
                &actor,
                &rid,
                NewRemediationItem {
                    title: title.into(),
                    detail: None,
                    category,
                    state,
                    state_reason: None,
                    due_on: Some((now + Duration::days(30)).date_naive()),
                    tracker_url: None,
                    position: None,
                    translations: BTreeMap::from([
                        (
                            "fr".into(),
                            ItemTranslationIn {
                                title: Some(fr_title.into()),
                                detail: None,
                                provenance: Provenance::Human,
                            },
                        ),
                        (
                            "de".into(),
                            ItemTranslationIn {
                                title: Some(de_title.into()),
                                detail: None,
                                provenance: Provenance::Machine,
                            },
                        ),
                    ]),
                },
            )
            .await
            .map_err(e)?;
    }

    // An incident still being worked on.
    let active_start = now - Duration::minutes(40);
    service
        .create_incident(&actor, NewIncident {
            title: "Slow loading of Sell dashboards".into(),
            impact: Some(Impact::Minor),
            status: IncidentStatus::Identified,
            message: "Dashboards in Sell load slowly for customers in all Pods. We have found a slow query introduced this morning and are deploying a fix.".into(),
            locale: Some("en".into()),
            symptom: Some("slow loading of dashboards".into()),
            started_at: Some(active_start),
            display_at: Some(active_start + Duration::minutes(12)),
            next_update_by: Some(now + Duration::minutes(30)),
            components: BTreeMap::from([(ids["Sell"].clone(), ComponentStatus::DegradedPerformance)]),
            milestones: None,
            translations: BTreeMap::from([(
                "fr".into(),
                IncidentTranslationIn {
                    symptom: Some("des lenteurs d'affichage des tableaux de bord".into()),
                    ..fr(Some("Lenteur des tableaux de bord Sell"), Some("Les tableaux de bord de Sell se chargent lentement pour les clients de tous les Pods. Nous avons trouvé une requête lente introduite ce matin et déployons un correctif."))
                },
            )]),
        })
        .await
        .map_err(e)?;

    // Maintenance in three days.
    let from = (now + Duration::days(3))
        .date_naive()
        .and_hms_opt(6, 0, 0)
        .unwrap_or_default()
        .and_utc();
    service
        .create_maintenance(&actor, NewMaintenance {
            title: "Database upgrade for Support".into(),
            scheduled_for: from,
            scheduled_until: from + Duration::hours(2),
            message: "We will upgrade the Support databases in all Pods. Tickets stay readable; saving changes may take a few extra seconds.".into(),
            components: vec![ids["Support"].clone()],
            auto_transition: true,
            locale: Some("en".into()),
            translations: BTreeMap::from([(
                "fr".into(),
                MaintenanceTranslationIn {
                    title: Some("Mise à niveau des bases de données Support".into()),
                    message: Some("Nous mettrons à niveau les bases de données Support dans tous les Pods. Les tickets restent consultables ; l'enregistrement peut prendre quelques secondes de plus.".into()),
                    provenance: Provenance::Human,
                },
            )]),
        })
        .await
        .map_err(e)?;
    Ok(())
}

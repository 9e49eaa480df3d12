//! The reference incident (the real incident report Herald was built to publish, kept in the
//! demo data as well): published through the API with an English original and the French
//! machine translation, read back identically on both databases.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Db, TestApp, BACKENDS};

pub const PODS: [&str; 6] = ["Pod 13", "Pod 14", "Pod 17", "Pod 18", "Pod 19", "Pod 23"];

/// Creates "Sell" with its Pods; returns (group id, pod ids).
pub async fn sell_group(app: &TestApp) -> (String, Vec<String>) {
    let group = app
        .post(
            "/api/v1/components",
            json!({"name": "Sell", "group": true, "description": "Sales CRM", "children_label": "Pods"}),
        )
        .await;
    let gid = group["id"].as_str().unwrap().to_string();
    let mut pods = Vec::new();
    for pod in PODS {
        let c = app
            .post("/api/v1/components", json!({"name": pod, "group_id": gid}))
            .await;
        pods.push(c["id"].as_str().unwrap().to_string());
    }
    (gid, pods)
}

/// Publishes the seed incident; returns its id.
pub async fn publish_seed(app: &TestApp) -> String {
    let (sell, _) = sell_group(app).await;
    let incident = app
        .post(
            "/api/v1/incidents",
            json!({
                "title": "Delays syncing and storing new email in Sell",
                "impact": "major",
                "status": "investigating",
                "locale": "en",
                "symptom": "delays syncing and storing new email",
                "started_at": "2024-02-29T08:00:00Z",
                "display_at": "2024-02-29T11:10:00Z",
                "next_update_by": "2024-02-29T15:10:00Z",
                "components": {sell.clone(): "partial_outage"},
                "message": "We are experiencing a service disruption affecting the email functionality of Sell for customers in all Pods. This disruption may delay the syncing of incoming emails. However, outgoing emails should still be sent without problems for now. Please note that we are working to update and sync emails and this may take a few hours. Our next update will be available in 4 hours or sooner if we have more information to share. Thank you for your patience.",
                "translations": {"fr": {
                    "title": "Retards de synchronisation et de stockage des nouveaux e-mails dans Sell",
                    "symptom": "des retards dans la synchronisation et le stockage des nouveaux e-mails",
                    "message": "Nous faisons actuellement face à une interruption de service qui affecte la fonctionnalité d’envoi d’e-mails Sell pour les clients dans tous les Pods. Cette perturbation peut retarder la synchronisation des e-mails entrants. Cependant, les e-mails sortants doivent encore être envoyés sans problème pour le moment. Veuillez noter que nous travaillons à mettre à jour et à synchroniser les e-mails et que cela peut prendre quelques heures. Notre prochaine mise à jour sera disponible dans 4 heures ou plus tôt si nous avons plus d’informations à partager. Nous vous remercions de votre patience.",
                    "provenance": "machine"
                }}
            }),
        )
        .await;
    let id = incident["id"].as_str().unwrap().to_string();
    let updates = [
        ("monitoring", "2024-02-29T15:07:00Z",
         "We have successfully cleared the blockage affecting incoming emails for Sell customers in all Pods and are now processing the email queues. We will continue to monitor until full resolution, which may take several hours. An update will be shared once this process is complete.",
         "Nous avons réussi à éliminer le blocage qui affectait les e-mails entrants des clients Sell dans tous les Pods et nous traitons désormais les files d’attente d’e-mails. Nous continuerons de surveiller la situation jusqu’à résolution complète, ce qui peut prendre plusieurs heures. Une mise à jour sera partagée une fois ce processus terminé."),
        ("resolved", "2024-02-29T17:34:00Z",
         "Our teams have processed the remaining emails after clearing the blockage affecting incoming emails for Sell customers in all Pods. Email is processing normally and the incident is resolved. Thank you for your patience during our investigation.",
         "Nos équipes ont traité les e-mails restants après l’élimination du blocage affectant les e-mails entrants des clients Sell dans tous les Pods. L’e-mail se traite normalement et l’incident est donc résolu. Nous vous remercions de votre patience pendant notre enquête."),
    ];
    for (status, at, en, fr) in updates {
        app.post(
            &format!("/api/v1/incidents/{id}/updates"),
            json!({"status": status, "display_at": at, "message": en,
                   "translations": {"fr": {"message": fr, "provenance": "machine"}}}),
        )
        .await;
    }
    app.write(
        Method::PATCH,
        &format!("/api/v1/incidents/{id}"),
        json!({"milestones": {"impact_ended_at": "2024-02-29T16:10:00Z", "detected_at": "2024-02-29T10:45:00Z", "mitigated_at": "2024-02-29T15:07:00Z"}}),
        200,
    )
    .await;
    app.write(
        Method::PUT,
        &format!("/api/v1/incidents/{id}/postmortem"),
        json!({
            "summary": "On February 29, 2024 from 08:00 UTC to 16:10 UTC, Sell customers in all Pods experienced delays syncing and storing new email.",
            "root_cause": "This incident was caused by a key setting that was unexpectedly removed during an upgrade of our email storage system. The setting works as a numbering that gives every email a unique number for tracking. Without it, the system could not store new emails correctly. We had planned the upgrade to handle more email, but it did not go as planned and caused the problem.",
            "resolution": "To fix the problem we restored the missing setting so that emails could be numbered correctly again. Our team studied two ways to fix it and chose the more reliable one. Once the fix was in place, it took 4 hours and 44 minutes for everything to work again.",
            "state": "published",
            "translations": {"fr": {
                "root_cause": "Cet incident est dû à un paramètre de clé qui a été supprimé de façon inattendue lors d’une mise à jour de notre système de stockage des e-mails. Ce paramètre fonctionne comme une numérotation qui garantit que chaque e-mail reçoit un numéro unique pour le suivi. Sans cela, le système ne pourrait pas stocker correctement les nouveaux e-mails. Nous avions prévu de mettre à jour notre système pour traiter plus d’e-mails, mais la mise à jour ne s’est pas passée comme prévu et cela a provoqué le problème.",
                "resolution": "Pour résoudre ce problème, nous avons dû rétablir le paramètre manquant afin que les e-mails puissent à nouveau être numérotés correctement. Notre équipe a étudié deux méthodes pour résoudre ce problème et a choisi celle qui était la plus fiable. Une fois le correctif lancé, il a suffi d’attendre 4 heures et 44 minutes pour que tout fonctionne à nouveau.",
                "provenance": "machine"
            }}
        }),
        200,
    )
    .await;
    let items = [
        ("Improve our system checks to detect similar problems faster.", "Améliorer nos vérifications système pour détecter plus rapidement les problèmes similaires.", "detect"),
        ("Update our tools and set up additional warnings to help us stay on top of everything.", "Mettez nos outils à jour et configurez des avertissements supplémentaires pour nous aider à rester au courant de tout.", "detect"),
        ("Implement limits in some parts of our system to prevent overloads.", "Implémentez des limites dans certaines parties de notre système pour éviter les surcharges.", "prevent"),
    ];
    for (en, fr, category) in items {
        app.post(
            &format!("/api/v1/incidents/{id}/remediation-items"),
            json!({"title": en, "category": category, "state": "planned",
                   "translations": {"fr": {"title": fr, "provenance": "machine"}}}),
        )
        .await;
    }
    id
}

/// Replaces every generated id by its order of appearance, so two databases' answers compare.
fn normalize(value: &Value, ids: &mut Vec<String>) -> Value {
    let is_id = |s: &str| {
        s.len() == 12
            && s.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
    };
    match value {
        Value::String(s) if is_id(s) => {
            let n = ids.iter().position(|i| i == s).unwrap_or_else(|| {
                ids.push(s.clone());
                ids.len() - 1
            });
            Value::String(format!("<id {n}>"))
        }
        Value::String(s) if s.contains("/incidents/") => Value::String(
            s.rsplit_once('/')
                .map(|(a, _)| a.to_string())
                .unwrap_or_default(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| normalize(v, ids)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn check_seed(doc: &Value) {
    assert_eq!(doc["status"], "resolved");
    assert_eq!(doc["impact"], "major");
    assert_eq!(doc["locale"], "en");
    assert_eq!(doc["started_at"], "2024-02-29T08:00:00Z");
    let updates = doc["updates"].as_array().unwrap();
    let times: Vec<&str> = updates
        .iter()
        .map(|u| u["display_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2024-02-29T11:10:00Z",
            "2024-02-29T15:07:00Z",
            "2024-02-29T17:34:00Z"
        ]
    );
    let statuses: Vec<&str> = updates
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["investigating", "monitoring", "resolved"]);
    for u in updates {
        assert_eq!(u["translations"]["fr"]["provenance"], "machine");
        assert_eq!(u["translations"]["fr"]["stale"], false);
        assert!(u["translations"]["fr"]["message"]
            .as_str()
            .unwrap()
            .starts_with("No"));
    }
    // Every Pod went to partial outage at the first update and back to operational on resolve.
    let affected = doc["components"].as_array().unwrap();
    assert_eq!(affected.len(), PODS.len());
    assert!(affected
        .iter()
        .all(|c| c["group_name"] == "Sell" && c["status"] == "operational"));
    assert_eq!(
        updates[0]["component_changes"].as_array().unwrap().len(),
        PODS.len()
    );
    assert!(updates[0]["component_changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["new_status"] == "partial_outage"));
    assert!(updates[2]["component_changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["new_status"] == "operational"));
    assert_eq!(
        doc["translations"]["fr"]["title"],
        "Retards de synchronisation et de stockage des nouveaux e-mails dans Sell"
    );
    let pm = &doc["postmortem"];
    assert_eq!(pm["state"], "published");
    assert_eq!(pm["published_at"], "2024-03-05T12:00:00Z");
    assert!(pm["root_cause"].as_str().unwrap().contains("unique number"));
    assert_eq!(pm["translations"]["fr"]["provenance"], "machine");
    let items = doc["remediation_items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items
            .iter()
            .map(|i| i["position"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(items[2]["translations"]["fr"]["title"]
        .as_str()
        .unwrap()
        .contains("surcharges"));
    let d = &doc["durations"];
    assert_eq!(d["impact_seconds"], 8 * 3600 + 10 * 60);
    assert_eq!(d["time_to_first_update_seconds"], 3 * 3600 + 10 * 60);
    assert_eq!(d["time_to_detect_seconds"], 2 * 3600 + 45 * 60);
    assert_eq!(d["time_to_resolve_seconds"], 9 * 3600 + 34 * 60);
    assert_eq!(doc["milestones"]["resolved_at"], "2024-02-29T17:34:00Z");
    assert_eq!(doc["milestones"]["monitoring_at"], "2024-02-29T15:07:00Z");
}

/// Publishes the seed incident on `kind` and checks what the API answers; returns the answer
/// with its ids and times normalized, for comparing backends.
async fn seed_answer(kind: Db) -> Value {
    let app = TestApp::spawn(kind).await;
    let id = publish_seed(&app).await;
    let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
    check_seed(&doc);
    // Reading it again gives the same document (nothing drifts on read).
    assert_eq!(app.get(&format!("/api/v1/incidents/{id}")).await, doc);
    let answer = normalize(&doc, &mut Vec::new());
    app.finish().await;
    answer
}

async fn seed_incident_reads_back_identically(kind: Db) {
    seed_answer(kind).await;
}

async fn seed_incident_reads_back_identically_on_sqlite_and_postgres() {
    let mut answers = Vec::new();
    for kind in BACKENDS {
        answers.push((kind, seed_answer(kind).await));
    }
    let expected = if std::env::var("HERALD_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        2
    } else {
        1
    };
    assert_eq!(answers.len(), expected, "every configured backend answered");
    if let [(_, sqlite), (_, postgres)] = answers.as_slice() {
        assert_eq!(sqlite, postgres, "SQLite and PostgreSQL answers differ");
    }
}

async fn draft_postmortems_are_not_public() {
    let app = TestApp::sqlite().await;
    let (sell, _) = sell_group(&app).await;
    let inc = app.post("/api/v1/incidents", json!({"title": "Outage", "impact": "minor", "status": "resolved", "message": "Fixed.", "display_at": "2024-03-05T11:00:00Z", "components": {sell: "operational"}})).await;
    let id = inc["id"].as_str().unwrap();
    app.write(
        Method::PUT,
        &format!("/api/v1/incidents/{id}/postmortem"),
        json!({"root_cause": "x", "resolution": "y", "state": "draft"}),
        200,
    )
    .await;
    let public = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(public["postmortem"], Value::Null);
    let (_, authed) = app
        .call(
            Method::GET,
            &format!("/api/v1/incidents/{id}"),
            Some(&app.translator),
            None,
        )
        .await;
    assert_eq!(authed["postmortem"]["state"], "draft");
    app.finish().await;
}

crate::helpers::register! {
    draft_postmortems_are_not_public,
    ; on_each_backend:
    seed_incident_reads_back_identically,
    ; on_postgres:
    seed_incident_reads_back_identically_on_sqlite_and_postgres,
}

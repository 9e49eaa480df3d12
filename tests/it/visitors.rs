//! What visitors and responders trip over (issue 12): error pages and console labels in the
//! reader's language, untranslated text marked with its language, derived impacts.

use herald::domain::Role;
use reqwest::StatusCode;

use crate::console::{user, Agent, PASSWORD};
use crate::helpers::{Db, TestApp};
use crate::public::{configure_page, page};

async fn the_404_page_speaks_the_visitors_language() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    let french = |body: &str| {
        body.contains("<html lang=\"fr\">")
            && body.contains("Page introuvable")
            && !body.contains("Page not found")
    };
    // Under /fr/, whatever the browser says.
    for path in [
        "/fr/no-such-page",
        "/fr/incidents/nope/extra",
        "/fr/incidents/nope",
    ] {
        let (status, _, body) = page(&app, path, &[("accept-language", "en")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(french(&body), "{path}: {body}");
    }
    // Unprefixed, with the French language cookie (over an English browser)...
    let (status, _, body) = page(
        &app,
        "/no-such-page",
        &[("accept-language", "en"), ("cookie", "herald_lang=fr")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(french(&body), "{body}");
    // ... or with a French browser.
    let (status, _, body) = page(&app, "/no/such/page", &[("accept-language", "fr-CA")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(french(&body), "{body}");
    // An unknown first segment is no language: the cookie still decides.
    let (_, _, body) = page(
        &app,
        "/xx/incidents",
        &[("accept-language", "en"), ("cookie", "herald_lang=fr")],
    )
    .await;
    assert!(french(&body), "{body}");
    // English stays English.
    let (status, _, body) = page(&app, "/no-such-page", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<html lang=\"en\">") && body.contains("Page not found"));
    app.finish().await;
}

async fn the_audit_log_shows_labels_in_the_users_language(kind: Db) {
    let app = TestApp::spawn(kind).await;
    user(&app, "ana", Role::Admin).await;
    let mut agent = Agent::new(&app);
    assert_eq!(agent.sign_in("ana", PASSWORD).await.status, 303);
    app.post(
            "/api/v1/incidents",
            serde_json::json!({"title": "Outage", "impact": "minor", "status": "investigating",
                "message": "Looking.", "translations": {"fr": {"title": "Panne", "provenance": "human"}}}),
        )
        .await;
    let items = app
        .store
        .audit_log(&herald::store::AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(items.iter().any(|e| e.action == "session.create"));

    agent.cookies.insert("herald_lang".into(), "fr".into());
    let fr = agent.get("/console/audit").await;
    assert_eq!(fr.status, StatusCode::OK);
    for label in [
        "<td>Connexion</td>",
        "<td>Incident ouvert</td>",
        "<td>Utilisateur</td>",
    ] {
        assert!(fr.body.contains(label), "{label} in {}", fr.body);
    }
    for code in ["session.create", "incident.create", "<td>user</td>"] {
        assert!(!fr.body.contains(code), "the raw code {code} is shown");
    }
    agent.cookies.insert("herald_lang".into(), "en".into());
    let en = agent.get("/console/audit").await;
    assert!(en.body.contains("<td>Signed in</td>"), "{}", en.body);
    app.finish().await;
}

async fn untranslated_text_is_marked_with_its_language_and_lists_say_so() {
    let app = TestApp::sqlite().await;
    configure_page(&app).await;
    let translated = app
        .post(
            "/api/v1/incidents",
            serde_json::json!({"title": "Slow logins", "impact": "minor", "status": "investigating",
                "message": "We are looking into slow logins.",
                "translations": {"fr": {"title": "Connexions lentes",
                    "message": "Nous examinons la lenteur des connexions.", "provenance": "human"}}}),
        )
        .await;
    let untranslated = app
        .post(
            "/api/v1/incidents",
            serde_json::json!({"title": "Email delays", "impact": "minor", "status": "investigating",
                "message": "Email is delayed."}),
        )
        .await;
    let (t, u) = (
        translated["id"].as_str().unwrap(),
        untranslated["id"].as_str().unwrap(),
    );
    let notice = "Certaines parties de cette page ne sont pas encore traduites et sont affichées en anglais.";

    let (_, _, home) = page(&app, "/fr/", &[]).await;
    assert!(
        home.contains(&format!(
            "<a href=\"/fr/incidents/{u}\" lang=\"en\">Email delays</a>"
        )),
        "{home}"
    );
    assert!(
        home.contains("<div lang=\"en\"><p>Email is delayed.</p>"),
        "{home}"
    );
    assert!(home.contains(&format!(
        "<a href=\"/fr/incidents/{t}\">Connexions lentes</a>"
    )));
    assert!(home.contains("<p>Nous examinons la lenteur des connexions.</p>"));
    assert!(!home.contains("<div lang=\"en\"><p>Nous examinons"));
    assert!(
        home.contains(notice),
        "the home page says what is untranslated"
    );
    // The footer, not translated, is marked too.
    assert!(
        home.contains("<div lang=\"en\"><p>For the current status"),
        "{home}"
    );

    let (_, _, history) = page(&app, "/fr/history", &[]).await;
    assert!(history.contains(&format!(
        "<a href=\"/fr/incidents/{u}\" lang=\"en\">Email delays</a>"
    )));
    assert!(history.contains(notice));

    let (_, _, incident) = page(&app, &format!("/fr/incidents/{u}"), &[]).await;
    assert!(
        incident.contains("<h1 lang=\"en\">Email delays</h1>"),
        "{incident}"
    );
    assert!(incident.contains("<div class=\"message\"><div lang=\"en\"><p>Email is delayed.</p>"));
    let (_, _, incident) = page(&app, &format!("/fr/incidents/{t}"), &[]).await;
    assert!(
        incident.contains("<h1>Connexions lentes</h1>"),
        "{incident}"
    );
    assert!(incident.contains("<div class=\"message\"><p>Nous examinons"));

    // Japanese names the language in Japanese; English pages mark nothing.
    let (_, _, ja) = page(&app, "/ja/", &[]).await;
    assert!(ja.contains(&format!(
        "<a href=\"/ja/incidents/{t}\" lang=\"en\">Slow logins</a>"
    )));
    assert!(ja.contains("英語"), "{ja}");
    let (_, _, en) = page(&app, "/en/", &[]).await;
    assert!(
        !en.contains("<div lang=") && !en.contains("\" lang=\"en\">Email"),
        "{en}"
    );
    assert!(!en.contains("<aside class=\"notice\""));
    app.finish().await;
}

async fn the_impact_is_suggested_from_the_worst_component_status(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let (_, pods) = crate::seed::sell_group(&app).await;
    let open = |components: serde_json::Value, impact: Option<&str>| {
        let mut body = serde_json::json!({"title": "Outage", "status": "investigating",
                "message": "Looking.", "components": components});
        if let Some(i) = impact {
            body["impact"] = i.into();
        }
        body
    };
    let cases = [
        (
            serde_json::json!({pods[0].clone(): "major_outage", pods[1].clone(): "degraded_performance"}),
            None,
            "major",
        ),
        (
            serde_json::json!({pods[2].clone(): "partial_outage"}),
            None,
            "minor",
        ),
        (
            serde_json::json!({pods[3].clone(): "degraded_performance"}),
            None,
            "minor",
        ),
        (serde_json::json!({}), None, "minor"),
        // A chosen impact stands.
        (
            serde_json::json!({pods[4].clone(): "major_outage"}),
            Some("none"),
            "none",
        ),
    ];
    for (components, impact, expected) in cases {
        let made = app
            .post("/api/v1/incidents", open(components.clone(), impact))
            .await;
        assert_eq!(made["impact"], expected, "{components} {impact:?}");
    }

    // The console's preview preselects the suggestion unless the responder changed it.
    user(&app, "rita", Role::Responder).await;
    let mut agent = Agent::new(&app);
    assert_eq!(agent.sign_in("rita", PASSWORD).await.status, 303);
    let form = agent.get("/console/incidents/new").await;
    assert!(
        form.body.contains("<option value=\"minor\" selected>"),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("Sell › Pod"),
        "a Pod is named with its group"
    );
    let csrf = crate::console::csrf_of(&form.body);
    let field = format!("c.{}", pods[5]);
    let preview = |impact: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("action", "preview".to_string()),
            ("title", "Outage".to_string()),
            ("impact", impact.to_string()),
            ("impact_suggested", "minor".to_string()),
            ("status", "investigating".to_string()),
            ("message", "Looking.".to_string()),
            (field.as_str(), "major_outage".to_string()),
        ]
    };
    let pairs = preview("minor");
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shown = agent.post("/console/incidents/new", &refs).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("<option value=\"major\" selected>"),
        "{}",
        shown.body
    );
    let pairs = preview("critical");
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let kept = agent.post("/console/incidents/new", &refs).await;
    assert!(
        kept.body.contains("<option value=\"critical\" selected>"),
        "{}",
        kept.body
    );
    app.finish().await;
}

crate::helpers::register! {
    the_404_page_speaks_the_visitors_language,
    untranslated_text_is_marked_with_its_language_and_lists_say_so,
    ; on_each_backend:
    the_audit_log_shows_labels_in_the_users_language,
    the_impact_is_suggested_from_the_worst_component_status,
}

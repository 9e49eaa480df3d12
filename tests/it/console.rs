//! The console over HTTP (no browser): setup, sign-in, sessions, CSRF, roles, rate limits and
//! the audit trail of every action.

use std::collections::BTreeMap;

use chrono::Duration;
use herald::domain::Role;
use herald::service::Actor;
use herald::store::AuditFilter;
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp};

/// A cookie-keeping client that does not follow redirects.
pub struct Agent<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
    /// The `Set-Cookie` headers, as sent.
    pub set_cookies: Vec<String>,
}

impl<'a> Agent<'a> {
    pub fn new(app: &'a TestApp) -> Agent<'a> {
        Agent {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = request
            .header("cookie", cookie)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let mut set_cookies = Vec::new();
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            set_cookies.push(set.to_string());
            assert!(set.contains("HttpOnly"), "{set}");
            assert!(set.contains("SameSite="), "{set}");
            let (kv, attrs) = set.split_once(';').unwrap_or((set, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        Answer {
            status: response.status(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default(),
            body: response.text().await.unwrap(),
            set_cookies,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let r = self.http.get(self.app.url(path));
        self.send(r).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let r = self.http.post(self.app.url(path)).form(form);
        self.send(r).await
    }

    /// The CSRF token of the page at `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        csrf_of(&page.body)
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Answer {
        let token = self.csrf("/console/sign-in").await;
        self.post(
            "/console/sign-in",
            &[
                ("csrf", &token),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }
}

pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

pub const PASSWORD: &str = "correct horse battery";

pub async fn user(app: &TestApp, name: &str, role: Role) {
    app.service()
        .create_user(&Actor::cli(), name, PASSWORD, role)
        .await
        .unwrap();
}

fn setup_link(app: &TestApp) -> Option<String> {
    app.server.as_ref().unwrap().state.setup_link()
}

async fn the_setup_link_works_once_and_not_after_a_user_exists() {
    let app = TestApp::sqlite().await;
    let link = setup_link(&app).expect("no user yet: a setup link");
    let path = &link[link.find("/console").unwrap()..];
    let token = &path[path.find("token=").unwrap() + 6..];
    let mut agent = Agent::new(&app);
    assert_eq!(agent.get("/console/setup?token=wrong").await.status, 404);
    assert_eq!(agent.get(path).await.status, 200);
    // A bad password changes nothing.
    let short = agent
        .post(
            "/console/setup",
            &[("token", token), ("username", "ana"), ("password", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("password"), "{}", short.body);
    assert_eq!(app.store.user_count().await.unwrap(), 0);
    let created = agent
        .post(
            "/console/setup",
            &[
                ("token", token),
                ("username", "ana"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.location, "/console");
    let dashboard = agent.get("/console").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("ana"));
    assert!(setup_link(&app).is_none());
    let mut other = Agent::new(&app);
    assert_eq!(other.get(path).await.status, 404);
    let again = other
        .post(
            "/console/setup",
            &[
                ("token", token),
                ("username", "eve"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, 404);
    assert_eq!(app.store.user_count().await.unwrap(), 1);
    app.finish().await;
}

async fn responders_publish_through_the_console_and_every_action_is_audited(kind: Db) {
    let app = TestApp::spawn(kind).await;
    user(&app, "ana", Role::Responder).await;
    let mut agent = Agent::new(&app);
    // Unknown visitors are sent to the sign-in page.
    assert_eq!(agent.get("/console").await.location, "/console/sign-in");
    let signed = agent.sign_in("ana", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let first_session = agent.cookies["herald_session"].clone();

    // The new-incident form comes pre-filled with the default message.
    let form = agent.get("/console/incidents/new").await;
    assert!(
        form.body
            .contains("We are investigating reports of a problem and will post an update shortly."),
        "{}",
        form.body
    );
    let csrf = csrf_of(&form.body);
    // A missing field is named, and nothing is written.
    let before = app.fingerprint().await;
    let bad = agent
        .post(
            "/console/incidents/new",
            &[
                ("csrf", &csrf),
                ("title", ""),
                ("impact", "minor"),
                ("status", "investigating"),
                ("message", "x"),
                ("action", "create"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"e-title\""), "{}", bad.body);
    assert_eq!(app.fingerprint().await, before);
    // Preview renders sanitized Markdown and writes nothing.
    let preview = agent
        .post(
            "/console/incidents/new",
            &[
                ("csrf", &csrf),
                ("title", "Slow"),
                ("impact", "minor"),
                ("status", "investigating"),
                ("message", "**Slow** <script>x</script>"),
                ("action", "preview"),
            ],
        )
        .await;
    assert!(preview.body.contains("<strong>Slow</strong>"));
    assert!(!preview.body.contains("<script>x"));
    assert_eq!(app.fingerprint().await, before);

    let created = agent
        .post(
            "/console/incidents/new",
            &[
                ("csrf", &csrf),
                ("title", "Checkout is slow"),
                ("impact", "minor"),
                ("status", "investigating"),
                ("message", "Looking into it."),
                ("action", "create"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = created.location.rsplit('/').next().unwrap().to_string();
    let page = agent.get(&created.location).await;
    assert!(page.body.contains("Incident opened and published."));
    let posted = agent
        .post(
            &format!("/console/incidents/{id}/updates"),
            &[
                ("csrf", &csrf),
                ("status", "identified"),
                ("message", "Found it."),
                ("display_at", ""),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let public = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(public["status"], "identified");

    // A form without its CSRF token is refused and changes nothing.
    let before = app.fingerprint().await;
    let forged = agent
        .post(
            &format!("/console/incidents/{id}/updates"),
            &[
                ("status", "resolved"),
                ("message", "Forged."),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let wrong = agent
        .post(
            &format!("/console/incidents/{id}/updates"),
            &[
                ("csrf", "nope"),
                ("status", "resolved"),
                ("message", "Forged."),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(app.fingerprint().await, before);

    // Every console action left an audit row with the user as actor.
    let log = app
        .store
        .audit_log(&AuditFilter {
            actor: Some("user:ana".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"session.create"), "{actions:?}");
    assert!(actions.contains(&"incident.create"), "{actions:?}");
    assert!(
        actions.iter().any(|a| a.starts_with("update.")),
        "{actions:?}"
    );
    // The audit screen is for admins.
    assert_eq!(agent.get("/console/audit").await.status, 403);

    // Signing in again rotates the session id; the old one is dead.
    agent.sign_in("ana", PASSWORD).await;
    assert_ne!(agent.cookies["herald_session"], first_session);
    let mut old = Agent::new(&app);
    old.cookies.insert("herald_session".into(), first_session);
    assert_eq!(old.get("/console").await.status, 303);
    app.finish().await;
}

async fn a_translator_cannot_post_an_update() {
    let app = TestApp::sqlite().await;
    user(&app, "tom", Role::Translator).await;
    let incident = app
        .post("/api/v1/incidents", serde_json::json!({"title": "Down", "impact": "major", "status": "investigating", "message": "Looking."}))
        .await;
    let id = incident["id"].as_str().unwrap().to_string();
    let mut agent = Agent::new(&app);
    assert_eq!(agent.sign_in("tom", PASSWORD).await.status, 303);
    let csrf = agent.csrf(&format!("/console/incidents/{id}")).await;
    let before = app.fingerprint().await;
    let refused = agent
        .post(
            &format!("/console/incidents/{id}/updates"),
            &[
                ("csrf", &csrf),
                ("status", "resolved"),
                ("message", "Fixed."),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("Not allowed for your role"),
        "{}",
        refused.body
    );
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(agent.get("/console/incidents/new").await.status, 403);
    // French 403 page for a French console.
    agent.cookies.insert("herald_lang".into(), "fr".into());
    let fr = agent.get("/console/users").await;
    assert_eq!(fr.status, 403);
    assert!(
        fr.body.contains("Action non autorisée pour votre rôle"),
        "{}",
        fr.body
    );
    // Translations are allowed.
    let page = agent
        .get(&format!("/console/incidents/{id}/translations?locale=fr"))
        .await;
    assert_eq!(page.status, 200);
    let saved = agent
        .post(
            &format!("/console/translations/incident/{id}/fr"),
            &[
                ("csrf", &csrf),
                ("incident", &id),
                ("f.title", "En panne"),
                ("provenance", "human"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let log = app
        .store
        .audit_log(&AuditFilter {
            actor: Some("user:tom".into()),
            object_id: Some(id.clone()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!log.is_empty());
    app.finish().await;
}

async fn signed_out_and_expired_sessions_cannot_be_used() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    let mut agent = Agent::new(&app);
    agent.sign_in("ana", PASSWORD).await;
    let session = agent.cookies["herald_session"].clone();
    let csrf = agent.csrf("/console").await;
    let out = agent.post("/console/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.location, "/console/sign-in");
    assert!(!agent.cookies.contains_key("herald_session"));
    let mut replay = Agent::new(&app);
    replay.cookies.insert("herald_session".into(), session);
    assert_eq!(replay.get("/console").await.location, "/console/sign-in");
    let before = app.fingerprint().await;
    let reused = replay
        .post(
            "/console/tokens",
            &[("csrf", &csrf), ("name", "sneaky"), ("role", "admin")],
        )
        .await;
    assert_eq!(reused.location, "/console/sign-in");
    assert_eq!(app.fingerprint().await, before);

    // Idle sessions expire after 12 hours; used ones slide, up to 7 days.
    agent.sign_in("ana", PASSWORD).await;
    app.clock.advance(Duration::hours(11));
    assert_eq!(agent.get("/console").await.status, 200);
    app.clock.advance(Duration::hours(11));
    assert_eq!(
        agent.get("/console").await.status,
        200,
        "used within 12 hours"
    );
    app.clock.advance(Duration::hours(13));
    assert_eq!(agent.get("/console").await.location, "/console/sign-in");
    agent.sign_in("ana", PASSWORD).await;
    for _ in 0..20 {
        app.clock.advance(Duration::hours(11));
        if agent.get("/console").await.status != 200 {
            break;
        }
    }
    assert_eq!(
        agent.get("/console").await.location,
        "/console/sign-in",
        "7 days at most"
    );
    app.finish().await;
}

async fn failed_sign_ins_are_rate_limited() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    let mut agent = Agent::new(&app);
    // The sign-in form needs its double-submit token.
    let no_token = agent
        .post(
            "/console/sign-in",
            &[("username", "ana"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(no_token.status, 403);
    for _ in 0..10 {
        let failed = agent.sign_in("ana", "wrong password!").await;
        assert_eq!(failed.status, 401);
        assert!(failed.body.contains("Wrong username or password."));
    }
    let limited = agent.sign_in("ana", PASSWORD).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(limited.body.contains("Too many failed sign-ins"));
    app.finish().await;
}

/// The error summary of a page (empty when there is none).
fn summary_of(html: &str) -> &str {
    match html.find("class=\"error-summary\"") {
        Some(at) => {
            let rest = &html[at..];
            &rest[..rest.find("</div>").unwrap_or(rest.len())]
        }
        None => "",
    }
}

async fn a_french_console_shows_problems_in_french_and_the_api_keeps_english() {
    let app = TestApp::sqlite().await;
    let warehouse = app
        .post(
            "/api/v1/components",
            serde_json::json!({"name": "Entrepôt", "group": true}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    user(&app, "ana", Role::Responder).await;
    let mut agent = Agent::new(&app);
    agent.cookies.insert("herald_lang".into(), "fr".into());
    assert_eq!(agent.sign_in("ana", PASSWORD).await.status, 303);
    let csrf = agent.csrf("/console/incidents/new").await;
    let before = app.fingerprint().await;
    let long = "m".repeat(20_001);
    let component = format!("c.{warehouse}");
    let bad = agent
        .post(
            "/console/incidents/new",
            &[
                ("csrf", &csrf),
                ("title", " "),
                ("impact", "major"),
                ("status", "investigating"),
                ("message", &long),
                (&component, "major_outage"),
                ("action", "create"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(app.fingerprint().await, before);
    let summary = summary_of(&bad.body);
    for line in [
        "Veuillez corriger les points suivants",
        "<li>Titre : ne doit pas être vide</li>",
        "<li>Message : est trop long (20000 caractères au maximum)</li>",
        "<li>Composant « Entrepôt » : est un groupe vide</li>",
    ] {
        assert!(summary.contains(line), "{line} missing from {summary}");
    }
    // Next to each field, its message alone.
    for next_to in [
        "id=\"e-title\">ne doit pas être vide</span>",
        "id=\"e-message\">est trop long (20000 caractères au maximum)</span>",
        &format!("id=\"e-c-{warehouse}\">est un groupe vide</span>"),
    ] {
        assert!(bad.body.contains(next_to), "{next_to} missing");
    }
    // Nothing of the API's English or its field names.
    for english in [
        "must not be empty",
        "too long",
        "empty group",
        "components.",
        "title:",
    ] {
        assert!(!bad.body.contains(english), "{english} in {}", bad.body);
    }

    // Times are shown again as a `datetime-local` input takes them; one that cannot be read
    // is left out, its error saying what to type.
    let times = agent
        .post(
            "/console/incidents/new",
            &[
                ("csrf", &csrf),
                ("title", "Lent"),
                ("impact", "minor"),
                ("status", "investigating"),
                ("message", "On regarde."),
                ("display_at", "2024-03-01 09:30"),
                ("next_update_by", "plus tard"),
                ("action", "create"),
            ],
        )
        .await;
    assert_eq!(times.status, 422);
    assert!(
        times.body.contains("value=\"2024-03-01T09:30\""),
        "{}",
        times.body
    );
    assert!(!times.body.contains("plus tard"), "{}", times.body);
    assert!(summary_of(&times.body)
        .contains("Prochaine mise à jour avant (UTC, facultatif) : Saisissez une date"));
    assert_eq!(app.fingerprint().await, before);

    // The same input through the API: the 422 is English, field names and all.
    let (status, answer) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/incidents",
            Some(&app.responder),
            Some(
                &serde_json::json!({"title": " ", "impact": "major", "status": "investigating",
                "message": long, "components": {warehouse.clone(): "major_outage"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer["error"]["fields"],
        serde_json::json!({
            "title": "must not be empty",
            "message": "is too long (at most 20000 characters)",
            format!("components.{warehouse}"): "is an empty group",
        })
    );
    assert_eq!(
        answer["error"]["message"],
        "Some fields are invalid; see `fields`."
    );

    // A postmortem without its root cause: the French label, not `root_cause`.
    let id = app
        .post(
            "/api/v1/incidents",
            serde_json::json!({"title": "Lent", "impact": "minor", "status": "investigating", "message": "On regarde."}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = agent
        .post(
            &format!("/console/incidents/{id}/postmortem"),
            &[
                ("csrf", &csrf),
                ("summary", ""),
                ("root_cause", ""),
                ("resolution", "Redémarrage."),
                ("state", "draft"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let summary = summary_of(&refused.body);
    assert!(
        summary.contains("<li>Cause première : ne doit pas être vide</li>"),
        "{summary}"
    );
    assert!(!summary.contains("root_cause"), "{summary}");
    assert!(refused
        .body
        .contains("id=\"e-root_cause\">ne doit pas être vide</span>"));
    app.finish().await;
}

crate::helpers::register! {
    the_setup_link_works_once_and_not_after_a_user_exists,
    a_translator_cannot_post_an_update,
    signed_out_and_expired_sessions_cannot_be_used,
    failed_sign_ins_are_rate_limited,
    a_french_console_shows_problems_in_french_and_the_api_keeps_english,
    ; on_each_backend:
    responders_publish_through_the_console_and_every_action_is_audited,
}

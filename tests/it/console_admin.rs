//! The console's admin screens and the postmortem editor over HTTP: page settings, disabling
//! users, the sweeping of expired sessions, cookie attributes, corrections, milestones and
//! remediation items' due dates and trackers, each checked where readers see it.

use chrono::Duration;
use herald::domain::Role;
use herald::ids::secret_digest;
use herald::service::Actor;
use herald::store::AuditFilter;
use reqwest::StatusCode;
use serde_json::json;

use crate::console::{csrf_of, user, Agent, PASSWORD};
use crate::helpers::{t, Db, TestApp};
use crate::public::page;

async fn user_id(app: &TestApp, name: &str) -> String {
    app.store
        .user_by_name(name)
        .await
        .unwrap()
        .expect("user exists")
        .id
}

async fn public_html(app: &TestApp, path: &str) -> String {
    let (status, _, body) = page(app, path, &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK, "GET {path}");
    body
}

async fn actions_of(app: &TestApp, actor: &str) -> Vec<String> {
    app.store
        .audit_log(&AuditFilter {
            actor: Some(actor.into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// The settings form as the page has it, with `changes` applied (`locale` may repeat).
fn settings_form<'a>(csrf: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("name", "Acme status"),
        ("url", "https://status.acme.test"),
        ("time_zone", "Etc/UTC"),
        ("display_time_zones", "Asia/Tokyo"),
        ("locale", "en"),
        ("locale", "fr"),
        ("default_locale", "en"),
        (
            "footer_markdown",
            "Questions? Write to **support@acme.test**.",
        ),
    ];
    for (k, v) in changes {
        form.retain(|(name, _)| name != k);
        form.push((k, v));
    }
    form
}

async fn page_settings_change_what_readers_see() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    let mut agent = Agent::new(&app);
    assert_eq!(agent.sign_in("ana", PASSWORD).await.status, 303);
    // Admins find the screen in the console's navigation.
    let dashboard = agent.get("/console").await;
    assert!(dashboard.body.contains("href=\"/console/settings\""));
    let screen = agent.get("/console/settings").await;
    assert_eq!(screen.status, 200);
    assert!(
        screen.body.contains("value=\"https://status.example.com\""),
        "the form shows the current settings: {}",
        screen.body
    );
    let csrf = csrf_of(&screen.body);
    let saved = agent
        .post("/console/settings", &settings_form(&csrf, &[]))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location, "/console/settings");
    let again = agent.get("/console/settings").await;
    assert!(again.body.contains("Page settings saved."));
    assert!(again.body.contains("value=\"Asia/Tokyo\""));

    let page = app.service().page().await.unwrap();
    assert_eq!(page.name, "Acme status");
    assert_eq!(page.url, "https://status.acme.test");
    assert_eq!(page.display_time_zones, vec!["Asia/Tokyo"]);
    assert_eq!(page.locales, vec!["en", "fr"]);
    assert!(actions_of(&app, "user:ana")
        .await
        .contains(&"page.update".to_string()));

    // The public page: its name, its footer (rendered Markdown), its languages, its zones.
    let incident = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Slow sign-in", "impact": "minor", "status": "investigating",
                   "message": "Looking into it."}),
        )
        .await;
    let id = incident["id"].as_str().unwrap();
    let home = public_html(&app, "/").await;
    assert!(home.contains("Acme status"), "{home}");
    assert!(
        home.contains("<strong>support@acme.test</strong>"),
        "{home}"
    );
    assert!(home.contains("hreflang=\"fr\""));
    assert!(
        !home.contains("hreflang=\"de\""),
        "German is no longer offered"
    );
    let shown = public_html(&app, &format!("/incidents/{id}")).await;
    // 12:00 UTC is 21:00 in Tokyo.
    assert!(shown.contains("12:00 PM UTC | 9:00 PM JST"), "{shown}");
    assert!(shown.contains("Acme status"));
    app.finish().await;
}

async fn the_page_name_and_footer_are_translated_in_the_console() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    user(&app, "tom", Role::Translator).await;
    let mut admin = Agent::new(&app);
    admin.sign_in("ana", PASSWORD).await;
    let settings = admin.get("/console/settings").await;
    assert!(settings
        .body
        .contains("href=\"/console/page/translations\""));
    let csrf = csrf_of(&settings.body);
    let saved = admin
        .post("/console/settings", &settings_form(&csrf, &[]))
        .await;
    assert_eq!(saved.status, 303);
    let page_id = app.service().page().await.unwrap().id;

    // Translators find the screen from the dashboard; the originals stand beside the fields.
    let mut tom = Agent::new(&app);
    tom.sign_in("tom", PASSWORD).await;
    assert!(tom
        .get("/console")
        .await
        .body
        .contains("href=\"/console/page/translations\""));
    let screen = tom.get("/console/page/translations?locale=fr").await;
    assert_eq!(screen.status, 200, "{}", screen.body);
    assert!(screen
        .body
        .contains("Questions? Write to **support@acme.test**."));
    let form_action = format!("/console/translations/page/{page_id}/fr");
    assert!(screen.body.contains(&format!("action=\"{form_action}\"")));
    let csrf = csrf_of(&screen.body);
    let empty = tom
        .post(
            &form_action,
            &[("csrf", &csrf), ("incident", ""), ("provenance", "human")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty
        .body
        .contains("Fill in at least one translated field."));
    let translated = tom
        .post(
            &form_action,
            &[
                ("csrf", &csrf),
                ("incident", ""),
                ("f.name", "Statut Acme"),
                (
                    "f.footer_markdown",
                    "Des questions ? Écrivez à **support@acme.test**.",
                ),
                ("provenance", "human"),
            ],
        )
        .await;
    assert_eq!(translated.status, 303, "{}", translated.body);
    assert_eq!(translated.location, "/console/page/translations?locale=fr");
    let fr = public_html(&app, "/fr/").await;
    assert!(fr.contains("Statut Acme"), "{fr}");
    assert!(fr.contains("Des questions ? Écrivez à <strong>support@acme.test</strong>."));
    assert!(public_html(&app, "/").await.contains("Acme status"));

    // A new footer makes the translation out of date, and the screen says so.
    let saved = admin
        .post(
            "/console/settings",
            &settings_form(
                &csrf_of(&settings.body),
                &[("footer_markdown", "New footer.")],
            ),
        )
        .await;
    assert_eq!(saved.status, 303);
    let screen = tom.get("/console/page/translations?locale=fr").await;
    assert!(screen.body.contains("out of date: the original changed"));
    app.finish().await;
}

async fn only_admins_reach_page_settings() {
    let app = TestApp::sqlite().await;
    user(&app, "bob", Role::Responder).await;
    let mut agent = Agent::new(&app);
    assert_eq!(agent.sign_in("bob", PASSWORD).await.status, 303);
    let dashboard = agent.get("/console").await;
    assert!(!dashboard.body.contains("/console/settings"));
    let csrf = csrf_of(&dashboard.body);
    assert_eq!(agent.get("/console/settings").await.status, 403);
    let before = app.service().page().await.unwrap();
    let refused = agent
        .post("/console/settings", &settings_form(&csrf, &[]))
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Not allowed for your role"));
    assert_eq!(app.service().page().await.unwrap(), before);
    // Signed-out visitors are sent to sign in.
    let mut stranger = Agent::new(&app);
    assert_eq!(
        stranger.get("/console/settings").await.location,
        "/console/sign-in"
    );
    app.finish().await;
}

async fn bad_settings_are_named_in_the_users_language_and_change_nothing() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    let mut agent = Agent::new(&app);
    agent.sign_in("ana", PASSWORD).await;
    let csrf = agent.csrf("/console/settings").await;
    let before = app.service().page().await.unwrap();
    let prints = app.fingerprint().await;

    let bad_zone = agent
        .post(
            "/console/settings",
            &settings_form(
                &csrf,
                &[("display_time_zones", "Europe/Paris, Mars/Olympus_Mons")],
            ),
        )
        .await;
    assert_eq!(bad_zone.status, 422);
    assert!(
        bad_zone.body.contains("id=\"e-display_time_zones\""),
        "{}",
        bad_zone.body
    );
    assert!(bad_zone
        .body
        .contains("“Mars/Olympus_Mons” is not an IANA time zone name"));
    assert!(bad_zone.body.contains("aria-invalid=\"true\""));
    // What was typed is kept, so it can be fixed.
    assert!(bad_zone
        .body
        .contains("value=\"Europe/Paris, Mars/Olympus_Mons\""));
    assert!(bad_zone.body.contains("value=\"Acme status\""));

    let no_language = agent
        .post(
            "/console/settings",
            &settings_form(&csrf, &[("locale", ""), ("default_locale", "de")])
                .into_iter()
                .filter(|(k, v)| !(*k == "locale" && v.is_empty()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(no_language.status, 422);
    assert!(no_language.body.contains("id=\"e-default_locale\""));

    // The service's own checks are shown by field too.
    let bad_url = agent
        .post(
            "/console/settings",
            &settings_form(&csrf, &[("url", "status.acme.test")]),
        )
        .await;
    assert_eq!(bad_url.status, 422);
    assert!(bad_url.body.contains("id=\"e-url\""), "{}", bad_url.body);

    // In French, the message is French.
    agent.cookies.insert("herald_lang".into(), "fr".into());
    let fr = agent
        .post(
            "/console/settings",
            &settings_form(&csrf, &[("time_zone", "Paris")]),
        )
        .await;
    assert_eq!(fr.status, 422);
    assert!(fr
        .body
        .contains("« Paris » n&#39;est pas un nom de fuseau horaire IANA"));

    assert_eq!(app.service().page().await.unwrap(), before);
    assert_eq!(app.fingerprint().await, prints);
    app.finish().await;
}

async fn disabling_a_user_ends_their_sessions_and_blocks_sign_in(kind: Db) {
    let app = TestApp::spawn(kind).await;
    disabling_on(app).await;
}

async fn disabling_on(app: TestApp) {
    user(&app, "ana", Role::Admin).await;
    user(&app, "bob", Role::Responder).await;
    let bob_id = user_id(&app, "bob").await;
    let mut admin = Agent::new(&app);
    admin.sign_in("ana", PASSWORD).await;
    let mut bob = Agent::new(&app);
    assert_eq!(bob.sign_in("bob", PASSWORD).await.status, 303);
    assert_eq!(bob.get("/console").await.status, 200);
    let bob_session = secret_digest(&bob.cookies["herald_session"]);

    let users = admin.get("/console/users").await;
    assert!(users
        .body
        .contains(&format!("action=\"/console/users/{bob_id}/disable\"")));
    assert!(users.body.contains("aria-label=\"Disable bob\""));
    let csrf = csrf_of(&users.body);
    // Without the form's token, nothing happens.
    let forged = admin
        .post(&format!("/console/users/{bob_id}/disable"), &[])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(bob.get("/console").await.status, 200);

    let disabled = admin
        .post(
            &format!("/console/users/{bob_id}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    // Bob's very next request goes to the sign-in page, and his session row is gone.
    assert_eq!(bob.get("/console").await.location, "/console/sign-in");
    assert_eq!(app.store.session(&bob_session).await.unwrap(), None);
    let refused = bob.sign_in("bob", PASSWORD).await;
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("Wrong username or password."));

    let users = admin.get("/console/users").await;
    assert!(users
        .body
        .contains("User disabled; their sessions have ended."));
    assert!(users.body.contains("Disabled on 2024-03-05"));
    assert!(users.body.contains("aria-label=\"Enable bob\""));
    let log = app
        .store
        .audit_log(&AuditFilter {
            object_id: Some(bob_id.clone()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let disable = log.iter().find(|e| e.action == "user.disable").unwrap();
    assert_eq!(disable.actor, "user:ana");
    assert_eq!(disable.before.as_ref().unwrap()["disabled_at"], json!(null));
    assert!(disable.after.as_ref().unwrap()["disabled_at"].is_string());

    // Enabled again, Bob signs in again.
    let enabled = admin
        .post(
            &format!("/console/users/{bob_id}/enable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(enabled.status, 303);
    assert_eq!(bob.sign_in("bob", PASSWORD).await.status, 303);
    assert_eq!(bob.get("/console").await.status, 200);
    assert!(actions_of(&app, "user:ana")
        .await
        .contains(&"user.enable".to_string()));
    app.finish().await;
}

async fn nobody_disables_themselves_or_the_last_admin() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    let ana_id = user_id(&app, "ana").await;
    let mut agent = Agent::new(&app);
    agent.sign_in("ana", PASSWORD).await;
    let users = agent.get("/console/users").await;
    assert!(
        !users
            .body
            .contains(&format!("/console/users/{ana_id}/disable")),
        "no button on one's own row"
    );
    let csrf = csrf_of(&users.body);
    let before = app.fingerprint().await;
    let own = agent
        .post(
            &format!("/console/users/{ana_id}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(own.status, 409);
    assert!(
        own.body.contains("You cannot disable your own account."),
        "{}",
        own.body
    );
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(agent.get("/console").await.status, 200, "still signed in");

    // The service refuses too, whoever asks: ana is the only admin.
    let last = app
        .service()
        .set_user_disabled(&Actor::cli(), &ana_id, true)
        .await
        .unwrap_err();
    assert_eq!(last.status(), 409, "{last}");
    assert!(last.to_string().contains("last active admin"), "{last}");
    assert!(app
        .store
        .user_by_id(&ana_id)
        .await
        .unwrap()
        .unwrap()
        .disabled_at
        .is_none());
    // With a second admin, she may be disabled.
    user(&app, "cy", Role::Admin).await;
    app.service()
        .set_user_disabled(&Actor::cli(), &ana_id, true)
        .await
        .unwrap();
    assert_eq!(agent.get("/console").await.location, "/console/sign-in");
    // Only admins disable anyone.
    let err = app
        .service()
        .set_user_disabled(
            &Actor {
                label: "token:ci".into(),
                role: Role::Responder,
            },
            &ana_id,
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    app.finish().await;
}

async fn expired_sessions_are_swept(kind: Db) {
    let app = TestApp::spawn(kind).await;
    sweeping_on(app).await;
}

async fn sweeping_on(app: TestApp) {
    user(&app, "ana", Role::Admin).await;
    let mut early = Agent::new(&app);
    early.sign_in("ana", PASSWORD).await;
    let early_session = secret_digest(&early.cookies["herald_session"]);
    let store = app.store.clone();
    assert!(store.session(&early_session).await.unwrap().is_some());

    // Twelve idle hours later the session has expired; nobody uses it, yet it goes away.
    app.clock
        .advance(Duration::hours(12) + Duration::seconds(1));
    let mut late = Agent::new(&app);
    late.sign_in("ana", PASSWORD).await;
    let late_session = secret_digest(&late.cookies["herald_session"]);
    let mut swept = false;
    for _ in 0..100 {
        if store.session(&early_session).await.unwrap().is_none() {
            swept = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(swept, "the background ticker deletes expired sessions");
    assert!(
        store.session(&late_session).await.unwrap().is_some(),
        "live sessions stay"
    );
    assert_eq!(late.get("/console").await.status, 200);
    app.finish().await;
}

async fn session_cookies_are_secure_on_an_https_page_and_always_http_only() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    // The test page's URL is https://status.example.com.
    let mut agent = Agent::new(&app);
    let form = agent.get("/console/sign-in").await;
    let csrf_cookie = form
        .set_cookies
        .iter()
        .find(|c| c.starts_with("herald_csrf="))
        .expect("the sign-in form sets its token cookie");
    assert!(csrf_cookie.contains("; Secure"), "{csrf_cookie}");
    let signed = agent.sign_in("ana", PASSWORD).await;
    let session = signed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("herald_session="))
        .expect("a session cookie");
    for attribute in [
        "; HttpOnly",
        "; SameSite=Strict",
        "; Path=/console",
        "; Secure",
    ] {
        assert!(
            session.contains(attribute),
            "{attribute} missing: {session}"
        );
    }

    // On a plain-http page (a local trial), cookies must still work: no Secure, but HttpOnly
    // and SameSite always.
    let csrf = agent.csrf("/console/settings").await;
    let saved = agent
        .post(
            "/console/settings",
            &settings_form(&csrf, &[("url", "http://localhost:8080")]),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut plain = Agent::new(&app);
    let signed = plain.sign_in("ana", PASSWORD).await;
    let session = signed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("herald_session="))
        .expect("a session cookie");
    assert!(!session.contains("Secure"), "{session}");
    assert!(session.contains("; HttpOnly") && session.contains("; SameSite=Strict"));
    // Every cookie the console set on the way (flash, token, session) was HttpOnly and
    // SameSite: `Agent::send` checks each one.
    app.finish().await;
}

async fn a_correction_keeps_the_history_and_shows_as_edited() {
    let app = TestApp::sqlite().await;
    user(&app, "bob", Role::Responder).await;
    let incident = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Queue delays", "impact": "minor", "status": "investigating",
                   "message": "Emails are delayd."}),
        )
        .await;
    let id = incident["id"].as_str().unwrap().to_string();
    let update_id = incident["updates"][0]["id"].as_str().unwrap().to_string();
    let mut agent = Agent::new(&app);
    agent.sign_in("bob", PASSWORD).await;
    let screen = agent.get(&format!("/console/incidents/{id}")).await;
    assert!(screen
        .body
        .contains(&format!("action=\"/console/updates/{update_id}\"")));
    let csrf = csrf_of(&screen.body);

    // An unchanged text is refused next to its form and changes nothing.
    let before = app.fingerprint().await;
    let same = agent
        .post(
            &format!("/console/updates/{update_id}"),
            &[("csrf", &csrf), ("message", "Emails are delayd.")],
        )
        .await;
    assert_eq!(same.status, 422);
    assert!(same.body.contains("nothing to correct"), "{}", same.body);
    assert_eq!(app.fingerprint().await, before);

    app.clock.advance(Duration::minutes(3));
    let fixed = agent
        .post(
            &format!("/console/updates/{update_id}"),
            &[("csrf", &csrf), ("message", "Emails are delayed.")],
        )
        .await;
    assert_eq!(fixed.status, 303, "{}", fixed.body);
    assert_eq!(fixed.location, format!("/console/incidents/{id}"));
    let screen = agent.get(&fixed.location).await;
    assert!(screen.body.contains("Correction saved"));
    assert!(screen.body.contains("Corrected"));

    // The earlier text is kept as a revision, by whom and when.
    let update = app.service().update(&update_id).await.unwrap();
    assert_eq!(update.message, "Emails are delayed.");
    assert_eq!(update.revisions.len(), 1);
    assert_eq!(update.revisions[0].message, "Emails are delayd.");
    assert_eq!(update.revisions[0].replaced_by, "user:bob");
    assert!(actions_of(&app, "user:bob")
        .await
        .contains(&"update.correct".to_string()));

    // Readers see the corrected text, marked as corrected.
    let public = public_html(&app, &format!("/incidents/{id}")).await;
    assert!(public.contains("Emails are delayed."), "{public}");
    assert!(!public.contains("delayd"), "{public}");
    assert!(public.contains("Corrected on"), "{public}");
    app.finish().await;
}

async fn milestones_due_dates_and_trackers_reach_the_public_page() {
    let app = TestApp::sqlite().await;
    user(&app, "bob", Role::Responder).await;
    let incident = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Checkout errors", "impact": "major", "status": "investigating",
                   "message": "Looking into it.", "display_at": "2024-03-05T09:00:00Z"}),
        )
        .await;
    let id = incident["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "message": "Fixed.", "display_at": "2024-03-05T11:00:00Z"}),
    )
    .await;
    let mut agent = Agent::new(&app);
    agent.sign_in("bob", PASSWORD).await;
    let path = format!("/console/incidents/{id}");
    let screen = agent.get(&path).await;
    assert!(screen
        .body
        .contains("name=\"detected_at\" type=\"datetime-local\""));
    let csrf = csrf_of(&screen.body);
    let milestones = format!("/console/incidents/{id}/milestones");

    // Out of order or in the future: named, in words, and nothing changes.
    let before = app.fingerprint().await;
    let wrong = agent
        .post(
            &milestones,
            &[
                ("csrf", &csrf),
                ("impact_started_at", "2024-03-05T08:00"),
                ("detected_at", "2024-03-05T07:30"),
                ("mitigated_at", "2024-03-06T10:00"),
                ("impact_ended_at", "yesterday"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    for field in ["detected_at", "mitigated_at", "impact_ended_at"] {
        assert!(
            wrong.body.contains(&format!("id=\"e-ms-{field}\"")),
            "{field}: {}",
            wrong.body
        );
    }
    assert!(wrong
        .body
        .contains("This cannot be before “Impact started”."));
    assert!(wrong.body.contains("This time is in the future."));
    assert!(wrong.body.contains("Enter a date and time"));
    assert!(wrong.body.contains("value=\"2024-03-05T07:30\""), "kept");
    assert_eq!(app.fingerprint().await, before);
    // A time that cannot be read is named, and not echoed into the datetime-local input
    // (which would be invalid HTML).
    let garbled = agent
        .post(&milestones, &[("csrf", &csrf), ("detected_at", "garbled")])
        .await;
    assert_eq!(garbled.status, 422, "{}", garbled.body);
    assert!(!garbled.body.contains("value=\"garbled\""));
    assert!(garbled.body.contains("field-error"));
    assert_eq!(app.fingerprint().await, before);

    let saved = agent
        .post(
            &milestones,
            &[
                ("csrf", &csrf),
                ("impact_started_at", "2024-03-05T08:00"),
                ("detected_at", "2024-03-05T08:30"),
                ("mitigated_at", "2024-03-05T10:00"),
                ("impact_ended_at", "2024-03-05T10:15:30"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let detail = app.service().incident_detail(&id).await.unwrap();
    let m = &detail.incident.milestones;
    assert_eq!(m.impact_started_at, Some(t("2024-03-05T08:00:00Z")));
    assert_eq!(m.detected_at, Some(t("2024-03-05T08:30:00Z")));
    assert_eq!(m.impact_ended_at, Some(t("2024-03-05T10:15:30Z")));
    assert!(actions_of(&app, "user:bob")
        .await
        .contains(&"incident.update".to_string()));
    // The form reads back what was saved (seconds included) and saving it again changes nothing.
    let screen = agent.get(&path).await;
    assert!(screen.body.contains("Milestones saved."));
    assert!(screen.body.contains("value=\"2024-03-05T10:15:30\""));
    let before = app.fingerprint().await;
    let same = agent
        .post(
            &milestones,
            &[
                ("csrf", &csrf),
                ("impact_started_at", "2024-03-05T08:00"),
                ("detected_at", "2024-03-05T08:30"),
                ("mitigated_at", "2024-03-05T10:00"),
                ("impact_ended_at", "2024-03-05T10:15:30"),
            ],
        )
        .await;
    assert_eq!(same.status, 303);
    assert_eq!(app.fingerprint().await, before);

    // Readers see the key figures computed from them.
    let public = public_html(&app, &format!("/incidents/{id}")).await;
    assert!(public.contains("Impact duration"), "{public}");
    assert!(public.contains("2 h 16 min"), "2 h 15 min 30 s: {public}");
    assert!(public.contains("Time to detect"));
    assert!(public.contains("30 min"));
    assert!(public.contains("Time to mitigate"));
    assert!(public.contains("1 h 30 min"));

    // A published postmortem with an item due on a date, tracked elsewhere.
    let published = agent
        .post(
            &format!("/console/incidents/{id}/postmortem"),
            &[
                ("csrf", &csrf),
                ("summary", ""),
                ("root_cause", "A bad deploy."),
                ("resolution", "Rolled back."),
                ("state", "published"),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let items = format!("/console/incidents/{id}/items");
    let before = app.fingerprint().await;
    let bad = agent
        .post(
            &items,
            &[
                ("csrf", &csrf),
                ("title", "Canary deploys"),
                ("category", "prevent"),
                ("state", "planned"),
                ("due_on", "2024-13-40"),
                ("tracker_url", "https://tracker.example.com/T-1"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"e-it-due_on\""), "{}", bad.body);
    assert!(bad.body.contains("Enter a date as YYYY-MM-DD."));
    let bad_url = agent
        .post(
            &items,
            &[
                ("csrf", &csrf),
                ("title", "Canary deploys"),
                ("category", "prevent"),
                ("state", "planned"),
                ("tracker_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(bad_url.status, 422);
    assert!(bad_url.body.contains("id=\"e-it-tracker_url\""));
    assert_eq!(app.fingerprint().await, before);
    let added = agent
        .post(
            &items,
            &[
                ("csrf", &csrf),
                ("title", "Canary deploys"),
                ("detail", ""),
                ("category", "prevent"),
                ("state", "planned"),
                ("state_reason", ""),
                ("due_on", "2024-04-01"),
                ("tracker_url", "https://tracker.example.com/T-1"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let public = public_html(&app, &format!("/incidents/{id}")).await;
    assert!(public.contains("Canary deploys"), "{public}");
    assert!(public.contains("due April 1, 2024"), "{public}");
    assert!(public.contains("href=\"https://tracker.example.com/T-1\""));

    // Edited: a new date and a new tracker link.
    let item_id = app
        .service()
        .incident_detail(&id)
        .await
        .unwrap()
        .remediation_items[0]
        .id
        .clone();
    let screen = agent.get(&path).await;
    assert!(screen.body.contains("value=\"2024-04-01\""));
    let edited = agent
        .post(
            &format!("/console/items/{item_id}"),
            &[
                ("csrf", &csrf),
                ("state", "in_progress"),
                ("state_reason", ""),
                ("due_on", "2024-05-15"),
                ("tracker_url", "https://tracker.example.com/T-2"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let item = app.service().remediation_item(&item_id).await.unwrap();
    assert_eq!(item.due_on.unwrap().to_string(), "2024-05-15");
    let api = app.get(&format!("/api/v1/incidents/{id}")).await;
    let body = api.to_string();
    assert!(body.contains("2024-05-15"), "{body}");
    assert!(body.contains("https://tracker.example.com/T-2"), "{body}");
    let public = public_html(&app, &format!("/incidents/{id}")).await;
    assert!(public.contains("due May 15, 2024"), "{public}");
    assert!(public.contains("href=\"https://tracker.example.com/T-2\""));
    assert!(!public.contains("tracker.example.com/T-1"));
    // Clearing both removes them from the page.
    let cleared = agent
        .post(
            &format!("/console/items/{item_id}"),
            &[
                ("csrf", &csrf),
                ("state", "in_progress"),
                ("state_reason", ""),
                ("due_on", ""),
                ("tracker_url", ""),
            ],
        )
        .await;
    assert_eq!(cleared.status, 303);
    let public = public_html(&app, &format!("/incidents/{id}")).await;
    assert!(!public.contains("due May 15"));
    assert!(!public.contains("tracker.example.com"));
    app.finish().await;
}

crate::helpers::register! {
    page_settings_change_what_readers_see,
    the_page_name_and_footer_are_translated_in_the_console,
    only_admins_reach_page_settings,
    bad_settings_are_named_in_the_users_language_and_change_nothing,
    nobody_disables_themselves_or_the_last_admin,
    session_cookies_are_secure_on_an_https_page_and_always_http_only,
    a_correction_keeps_the_history_and_shows_as_edited,
    milestones_due_dates_and_trackers_reach_the_public_page,
    ; on_each_backend:
    disabling_a_user_ends_their_sessions_and_blocks_sign_in,
    expired_sessions_are_swept,
}

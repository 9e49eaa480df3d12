//! The console's components and scheduled-maintenance screens over HTTP: what a responder does
//! there shows in the public APIs and pages; bad input is named and changes nothing; roles and
//! CSRF are enforced.

use herald::domain::Role;
use herald::store::AuditFilter;
use reqwest::StatusCode;
use serde_json::Value;

use crate::console::{csrf_of, user, Agent, PASSWORD};
use crate::helpers::{Db, TestApp};

/// Every component and group of the v1 API, in display order.
async fn components(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/components").await["components"]
        .as_array()
        .unwrap()
        .clone()
}

async fn by_name(app: &TestApp, name: &str) -> Value {
    components(app)
        .await
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component named {name}"))
}

async fn names(app: &TestApp) -> Vec<String> {
    components(app)
        .await
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

async fn a_responder_adds_renames_reorders_and_moves_components(kind: Db) {
    let app = TestApp::spawn(kind).await;
    user(&app, "ana", Role::Responder).await;
    let mut agent = Agent::new(&app);
    agent.sign_in("ana", PASSWORD).await;

    // Linked from the navigation and the dashboard.
    let dashboard = agent.get("/console").await;
    assert!(dashboard.body.contains("href=\"/console/components\""));
    assert!(dashboard.body.contains("href=\"/console/maintenance\""));

    let page = agent.get("/console/components").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Components and groups"), "{}", page.body);
    assert!(page.body.contains("No components yet"));
    let csrf = csrf_of(&page.body);

    // A group, two components in it, one at the top level.
    let group = agent
        .post(
            "/console/components",
            &[
                ("csrf", &csrf),
                ("kind", "group"),
                ("name", "Sell"),
                ("description", "Sales CRM"),
                ("group_id", ""),
                ("children_label", "Pods"),
                ("showcase", "on"),
            ],
        )
        .await;
    assert_eq!(group.status, StatusCode::SEE_OTHER, "{}", group.body);
    assert!(group.location.starts_with("/console/components#c-"));
    assert!(agent
        .get("/console/components")
        .await
        .body
        .contains("Component added."));
    let sell = by_name(&app, "Sell").await;
    assert_eq!(sell["group"], true);
    assert_eq!(sell["children_label"], "Pods");
    assert_eq!(sell["description"], "Sales CRM");
    let sell_id = sell["id"].as_str().unwrap().to_string();
    for (name, group_id) in [
        ("Pod 1", sell_id.as_str()),
        ("Pod 2", &sell_id),
        ("API", ""),
    ] {
        let added = agent
            .post(
                "/console/components",
                &[
                    ("csrf", &csrf),
                    ("kind", "component"),
                    ("name", name),
                    ("description", ""),
                    ("group_id", group_id),
                    ("children_label", ""),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let pod1 = by_name(&app, "Pod 1").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pod2 = by_name(&app, "Pod 2").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let api = by_name(&app, "API").await;
    assert_eq!(api["group_id"], Value::Null);
    assert_eq!(api["showcase"], false, "the box was not ticked");
    assert_eq!(
        by_name(&app, "Sell").await["components"],
        serde_json::json!([pod1, pod2])
    );
    assert_eq!(names(&app).await, ["Sell", "Pod 1", "Pod 2", "API"]);

    // Rename and describe Pod 2 on its own page.
    let edit = agent.get(&format!("/console/components/{pod2}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("value=\"Pod 2\""));
    let renamed = agent
        .post(
            &format!("/console/components/{pod2}"),
            &[
                ("csrf", &csrf),
                ("name", "Pod EU"),
                ("description", "The European shard"),
                ("group_id", &sell_id),
                ("status", "operational"),
                ("position", "2"),
                ("showcase", "on"),
            ],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let eu = by_name(&app, "Pod EU").await;
    assert_eq!(eu["description"], "The European shard");
    assert_eq!(eu["showcase"], true);

    // Reorder: Pod EU up within its group, API up to the top.
    let moved = agent
        .post(
            &format!("/console/components/{pod2}/move"),
            &[("csrf", &csrf), ("move", "up")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert!(agent
        .get("/console/components")
        .await
        .body
        .contains("New order saved."));
    let api_id = api["id"].as_str().unwrap().to_string();
    agent
        .post(
            &format!("/console/components/{api_id}/move"),
            &[("csrf", &csrf), ("move", "up")],
        )
        .await;
    assert_eq!(names(&app).await, ["API", "Sell", "Pod EU", "Pod 1"]);
    // Already first: nothing changes.
    let before = app.fingerprint().await;
    let stay = agent
        .post(
            &format!("/console/components/{api_id}/move"),
            &[("csrf", &csrf), ("move", "up")],
        )
        .await;
    assert_eq!(stay.status, StatusCode::SEE_OTHER);
    assert_eq!(app.fingerprint().await, before);

    // Move Pod 1 out of the group (it goes last at the top level), then back in first.
    let out = agent
        .post(
            &format!("/console/components/{pod1}"),
            &[
                ("csrf", &csrf),
                ("name", "Pod 1"),
                ("description", ""),
                ("group_id", ""),
                ("status", "operational"),
                ("position", "2"),
            ],
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let p1 = by_name(&app, "Pod 1").await;
    assert_eq!(p1["group_id"], Value::Null);
    assert_eq!(p1["position"], 3);
    assert_eq!(
        by_name(&app, "Sell").await["components"],
        serde_json::json!([pod2])
    );
    assert_eq!(names(&app).await, ["API", "Sell", "Pod EU", "Pod 1"]);
    let back = agent
        .post(
            &format!("/console/components/{pod1}"),
            &[
                ("csrf", &csrf),
                ("name", "Pod 1"),
                ("group_id", &sell_id),
                ("status", "operational"),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(
        by_name(&app, "Sell").await["components"],
        serde_json::json!([pod1, pod2])
    );

    // A status set by hand; the group shows its worst child.
    let set = agent
        .post(
            &format!("/console/components/{pod2}/status"),
            &[("csrf", &csrf), ("status", "partial_outage")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert_eq!(by_name(&app, "Pod EU").await["status"], "partial_outage");
    assert_eq!(by_name(&app, "Sell").await["status"], "partial_outage");
    let v2 = app.get("/api/v2/components.json").await;
    let eu2 = v2["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Pod EU")
        .unwrap()
        .clone();
    assert_eq!(eu2["status"], "partial_outage");
    let list = agent.get("/console/components").await;
    assert!(
        list.body.contains("<td>Partial outage</td>"),
        "{}",
        list.body
    );
    let dashboard = agent.get("/console").await;
    assert!(
        dashboard
            .body
            .contains("<td>Sell</td><td>Partial outage</td>"),
        "{}",
        dashboard.body
    );

    // Every change is audited with the user as actor.
    let log = app
        .store
        .audit_log(&AuditFilter {
            actor: Some("user:ana".into()),
            object_kind: Some("component".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "component.create").count(),
        4
    );
    assert!(actions.contains(&"component.update"), "{actions:?}");
    app.finish().await;
}

/// The add form of the components screen.
fn add<'a>(
    csrf: &'a str,
    kind: &'a str,
    name: &'a str,
    group_id: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("kind", kind),
        ("name", name),
        ("group_id", group_id),
    ]
}

async fn bad_component_input_is_named_and_changes_nothing() {
    let app = TestApp::sqlite().await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    user(&app, "ana", Role::Responder).await;
    let mut agent = Agent::new(&app);
    agent.sign_in("ana", PASSWORD).await;
    let csrf = agent.csrf("/console/components").await;
    let before = app.fingerprint().await;

    // A blank name.
    let form = add(&csrf, "component", "   ", "");
    let blank = agent.post("/console/components", &form).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("id=\"e-name\""), "{}", blank.body);
    assert!(blank.body.contains("Fill in “Name”."), "{}", blank.body);
    assert!(blank.body.contains("aria-invalid=\"true\""));

    // A group that does not exist: the form comes back as it was typed.
    let form = add(&csrf, "component", "Pod 9", "no-such-group");
    let unknown = agent.post("/console/components", &form).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("id=\"e-group_id\""),
        "{}",
        unknown.body
    );
    assert!(unknown.body.contains("This group does not exist"));
    assert!(unknown.body.contains("value=\"Pod 9\""));

    // A component is not a group; groups do not nest; only groups name their children.
    let form = add(&csrf, "component", "Pod 9", &pods[0]);
    let not_group = agent.post("/console/components", &form).await;
    assert_eq!(not_group.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_group.body.contains("id=\"e-group_id\""));
    let form = add(&csrf, "group", "Inner", &sell);
    let nested = agent.post("/console/components", &form).await;
    assert_eq!(nested.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nested
        .body
        .contains("A group cannot be placed inside another group."));
    let mut form = add(&csrf, "component", "Pod 9", "");
    form.push(("children_label", "Shards"));
    let label = agent.post("/console/components", &form).await;
    assert_eq!(label.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(label.body.contains("id=\"e-children_label\""));

    // The edit form: blank name, unknown group, position out of range.
    let edit = format!("/console/components/{}", pods[0]);
    for (field, value, error) in [
        ("name", "", "e-name"),
        ("group_id", "no-such-group", "e-group_id"),
        ("position", "99", "e-position"),
        ("position", "first", "e-position"),
        ("status", "fine", "e-status"),
    ] {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("name", "Pod 1"),
            ("group_id", sell.as_str()),
            ("status", "operational"),
            ("position", "1"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let refused = agent.post(&edit, &form).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        assert!(
            refused.body.contains(&format!("id=\"{error}\"")),
            "{field}={value}: {}",
            refused.body
        );
    }
    let out_of_range = agent
        .post(
            &edit,
            &[
                ("csrf", &csrf),
                ("name", "Pod 1"),
                ("group_id", &sell),
                ("status", "operational"),
                ("position", "99"),
            ],
        )
        .await;
    assert!(out_of_range
        .body
        .contains(&format!("Enter a whole number from 1 to {}.", pods.len())));

    // A status that does not exist, and a group's status, are refused on the row.
    let status = agent
        .post(
            &format!("/console/components/{}/status", pods[0]),
            &[("csrf", &csrf), ("status", "on_fire")],
        )
        .await;
    assert_eq!(status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(status.body.contains("Choose one of the offered values."));
    let group_status = agent
        .post(
            &format!("/console/components/{sell}/status"),
            &[("csrf", &csrf), ("status", "major_outage")],
        )
        .await;
    assert_eq!(group_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(group_status.body.contains("class=\"field-error\""));

    // In French, the same mistake in French.
    agent.cookies.insert("herald_lang".into(), "fr".into());
    let form = add(&csrf, "component", "", "");
    let fr = agent.post("/console/components", &form).await;
    assert_eq!(fr.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fr.body.contains("Remplissez « Nom »."), "{}", fr.body);

    assert_eq!(app.fingerprint().await, before);
    let sell_now = components(&app)
        .await
        .into_iter()
        .find(|c| c["id"] == sell.as_str())
        .unwrap();
    assert_eq!(sell_now["components"], serde_json::json!(pods));
    app.finish().await;
}

async fn translators_are_refused_and_forms_need_their_csrf_token() {
    let app = TestApp::sqlite().await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    user(&app, "tom", Role::Translator).await;
    user(&app, "ana", Role::Responder).await;
    let mut tom = Agent::new(&app);
    tom.sign_in("tom", PASSWORD).await;
    let mut ana = Agent::new(&app);
    ana.sign_in("ana", PASSWORD).await;
    let before = app.fingerprint().await;

    let dashboard = tom.get("/console").await;
    assert!(!dashboard.body.contains("href=\"/console/components\""));
    assert!(!dashboard.body.contains("href=\"/console/maintenance\""));
    let csrf = csrf_of(&dashboard.body);
    for path in [
        "/console/components".to_string(),
        format!("/console/components/{}", pods[0]),
        "/console/maintenance".to_string(),
    ] {
        let page = tom.get(&path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("Not allowed for your role"));
    }
    let refused = [
        (
            "/console/components".to_string(),
            vec![("kind", "component"), ("name", "Sneaky")],
        ),
        (
            format!("/console/components/{}", pods[0]),
            vec![("name", "Renamed"), ("group_id", sell.as_str())],
        ),
        (
            format!("/console/components/{}/move", pods[1]),
            vec![("move", "up")],
        ),
        (
            format!("/console/components/{}/status", pods[0]),
            vec![("status", "major_outage")],
        ),
        (
            "/console/maintenance".to_string(),
            vec![
                ("title", "Sneaky"),
                ("message", "x"),
                ("scheduled_for", "2024-03-06T10:00"),
                ("scheduled_until", "2024-03-06T11:00"),
            ],
        ),
    ];
    for (path, form) in &refused {
        let mut with_token = form.clone();
        with_token.push(("csrf", &csrf));
        let answer = tom.post(path, &with_token).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "translator: {path}");
    }

    // A responder without the form's token (or with another) is refused too.
    assert_eq!(ana.get("/console/components").await.status, StatusCode::OK);
    for (path, form) in &refused {
        let answer = ana.post(path, form).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "no token: {path}");
        let mut wrong = form.clone();
        wrong.push(("csrf", &csrf));
        let answer = ana.post(path, &wrong).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "tom's token: {path}");
    }
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

async fn a_responder_schedules_maintenance_that_shows_on_the_home_page(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    user(&app, "ana", Role::Responder).await;
    let mut agent = Agent::new(&app);
    agent.sign_in("ana", PASSWORD).await;

    // The form comes pre-filled: the default message, the next full hour for an hour.
    let page = agent.get("/console/maintenance").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("No maintenance is scheduled or in progress."));
    assert!(page
        .body
        .contains("Maintenance is scheduled for the window shown."));
    assert!(page.body.contains("value=\"2024-03-05T13:00\""));
    assert!(page.body.contains("value=\"2024-03-05T14:00\""));
    assert!(page.body.contains("type=\"datetime-local\""));
    let csrf = csrf_of(&page.body);

    // An end before the start, and a time that is not one, are named; nothing is written.
    let before = app.fingerprint().await;
    let backwards = agent
        .post(
            "/console/maintenance",
            &[
                ("csrf", &csrf),
                ("title", "Database upgrade"),
                ("message", "We will upgrade the databases."),
                ("scheduled_for", "2024-03-06T10:00"),
                ("scheduled_until", "2024-03-06T09:00"),
                ("components", &sell),
                ("auto_transition", "on"),
            ],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards.body.contains("id=\"e-scheduled_until\""),
        "{}",
        backwards.body
    );
    assert!(backwards.body.contains("The end must be after the start."));
    assert!(backwards.body.contains("value=\"Database upgrade\""));
    let garbled = agent
        .post(
            "/console/maintenance",
            &[
                ("csrf", &csrf),
                ("title", ""),
                ("message", "We will upgrade the databases."),
                ("scheduled_for", "tomorrow"),
                ("scheduled_until", "2024-03-06T09:00"),
                ("components", "no-such-component"),
            ],
        )
        .await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["e-title", "e-scheduled_for", "e-components"] {
        assert!(garbled.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(garbled.body.contains("Enter a date and time"));
    // A window longer than the service allows: its own message, on its field.
    let long = agent
        .post(
            "/console/maintenance",
            &[
                ("csrf", &csrf),
                ("title", "Long"),
                ("message", "x"),
                ("scheduled_for", "2024-03-06T10:00"),
                ("scheduled_until", "2024-04-06T10:00"),
            ],
        )
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(long.body.contains("id=\"e-scheduled_until\""));
    assert_eq!(app.fingerprint().await, before);

    let scheduled = agent
        .post(
            "/console/maintenance",
            &[
                ("csrf", &csrf),
                ("title", "Database upgrade"),
                ("message", "We will upgrade the Sell databases."),
                ("scheduled_for", "2024-03-06T10:00"),
                ("scheduled_until", "2024-03-06T12:00"),
                ("components", &sell),
                ("auto_transition", "on"),
            ],
        )
        .await;
    assert_eq!(
        scheduled.status,
        StatusCode::SEE_OTHER,
        "{}",
        scheduled.body
    );
    assert!(scheduled.location.starts_with("/console/incidents/"));
    let id = scheduled.location.rsplit('/').next().unwrap().to_string();
    let incident_page = agent.get(&scheduled.location).await;
    assert!(incident_page
        .body
        .contains("Maintenance scheduled and published."));

    let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(doc["kind"], "maintenance");
    assert_eq!(doc["status"], "scheduled");
    assert_eq!(doc["scheduled_for"], "2024-03-06T10:00:00Z");
    assert_eq!(doc["scheduled_until"], "2024-03-06T12:00:00Z");
    assert_eq!(doc["auto_transition"], true);
    let affected: Vec<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(affected.len(), pods.len(), "the group means all its pods");
    assert!(pods.iter().all(|p| affected.contains(&p.as_str())));

    // The public home page shows it.
    let home = app
        .http
        .get(app.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Database upgrade"), "{home}");
    assert!(home.contains("Scheduled maintenance"));

    // The console lists it, linked to its incident page; without auto-transition too.
    let hand = agent
        .post(
            "/console/maintenance",
            &[
                ("csrf", &csrf),
                ("title", "Network work"),
                ("message", "Switch replacement."),
                ("scheduled_for", "2024-03-07T10:00"),
                ("scheduled_until", "2024-03-07T11:00"),
            ],
        )
        .await;
    assert_eq!(hand.status, StatusCode::SEE_OTHER, "{}", hand.body);
    let hand_id = hand.location.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{hand_id}")).await["auto_transition"],
        false
    );
    let list = agent.get("/console/maintenance").await;
    let first = list
        .body
        .find(&format!("href=\"/console/incidents/{id}\""))
        .expect("listed");
    let second = list
        .body
        .find(&format!("href=\"/console/incidents/{hand_id}\""))
        .expect("listed");
    assert!(first < second, "soonest first");
    assert!(list.body.contains("March 6, 2024"), "{}", list.body);
    app.finish().await;
}

crate::helpers::register! {
    bad_component_input_is_named_and_changes_nothing,
    translators_are_refused_and_forms_need_their_csrf_token,
    ; on_each_backend:
    a_responder_adds_renames_reorders_and_moves_components,
    a_responder_schedules_maintenance_that_shows_on_the_home_page,
}

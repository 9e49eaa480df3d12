//! `/api/openapi.json` describes every API route the router serves, and only those.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Db, TestApp};

async fn the_document_names_every_api_route_and_every_route_is_served() {
    let app = TestApp::sqlite().await;
    let doc = app.get("/api/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let routes = herald::web::API_ROUTES;
    assert!(routes.len() > 25);
    for (method, path) in routes {
        assert!(path.starts_with("/api/"));
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            assert!(
                routes.contains(&(method.as_str(), path.as_str())),
                "the document names {method} {path}, which the router does not serve"
            );
        }
    }
    // The table is the router: every route answers, none falls through to the catch-all.
    for (method, path) in routes {
        let concrete = path
            .replace("{kind}", "incident")
            .replace("{id}", "nosuchid0000")
            .replace("{locale}", "fr");
        let method: Method = method.to_uppercase().parse().unwrap();
        let (status, body) = app.call(method.clone(), &concrete, None, None).await;
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(
            !message.starts_with("no API endpoint"),
            "{method} {concrete} is not routed: {status} {body}"
        );
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {concrete}"
        );
    }
    // Inputs and shapes come from the code.
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["NewIncident"]["properties"]["title"].is_object());
    assert!(schemas["V2Incident"]["properties"]["incident_updates"].is_object());
    let post = &doc["paths"]["/api/v1/incidents"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewIncident"
    );
    assert!(post["security"].is_array());
    let locale = doc["paths"]["/api/v1/incidents/{id}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "locale" && p["in"] == "query");
    assert!(locale, "?locale= is documented");
    let _: &Value = &doc;
    app.finish().await;
}

/// Every `$ref` in `value`, with the JSON path where it stands.
fn references(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    out.push((at.to_string(), v.as_str().unwrap_or("").to_string()));
                } else {
                    references(v, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                references(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every `enum` list in `value`.
fn enums<'a>(value: &'a Value, out: &mut Vec<&'a Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("enum", Value::Array(values)) => out.push(values),
                    _ => enums(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| enums(v, out)),
        _ => {}
    }
}

fn the_schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no schema {name}");
    schema
}

async fn every_reference_resolves_enums_are_spelled_as_on_the_wire_and_every_answer_is_typed() {
    let app = TestApp::sqlite().await;
    let doc = app.get("/api/openapi.json").await;
    // No dangling reference: each points at a schema the document holds.
    let mut refs = Vec::new();
    references(&doc, "", &mut refs);
    assert!(refs.len() > 50, "{}", refs.len());
    for (at, target) in &refs {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{at}: {target} is not a local schema"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{at}: {target} does not exist"
        );
    }
    // Every schema is named after a Herald type, not a container (`BTreeMap`, `Vec`).
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            !["BTreeMap", "HashMap", "Vec", "Option", "Value"].contains(&name.as_str()),
            "schema {name}"
        );
    }
    // Enums as the wire spells them (and as the API accepts them).
    use herald::domain::{
        ComponentStatus, Impact, IncidentKind, IncidentStatus, PostmortemState, Provenance,
        RemediationCategory, RemediationState, TranslatableKind,
    };
    fn wire<T: std::fmt::Display>(all: &[T]) -> Value {
        Value::Array(all.iter().map(|v| Value::from(v.to_string())).collect())
    }
    for (name, values) in [
        ("ComponentStatus", wire(ComponentStatus::ALL)),
        ("IncidentKind", wire(IncidentKind::ALL)),
        ("Impact", wire(Impact::ALL)),
        ("IncidentStatus", wire(IncidentStatus::ALL)),
        ("PostmortemState", wire(PostmortemState::ALL)),
        ("RemediationCategory", wire(RemediationCategory::ALL)),
        ("RemediationState", wire(RemediationState::ALL)),
        ("Provenance", wire(Provenance::ALL)),
        ("TranslatableKind", wire(TranslatableKind::ALL)),
    ] {
        assert_eq!(the_schema(&doc, name)["enum"], values, "{name}");
    }
    assert!(the_schema(&doc, "ComponentStatus")["enum"]
        .as_array()
        .unwrap()
        .contains(&Value::from("degraded_performance")));
    let mut lists = Vec::new();
    enums(&doc, &mut lists);
    for value in lists.iter().flat_map(|l| l.iter()) {
        // Wire values are snake_case (or a locale tag such as `pt-BR`), never `RustCase`.
        let text = value.as_str().unwrap_or("");
        assert!(
            text.starts_with(|c: char| c.is_ascii_lowercase()),
            "enum value {value} is not as on the wire"
        );
    }
    // Every answer of every API route is typed: a named schema for each success, the error
    // shape for each error, and the errors each kind of route can answer.
    let write_errors = [
        "400", "401", "403", "404", "409", "413", "422", "429", "503",
    ];
    for (method, path) in herald::web::API_ROUTES {
        let operation = &doc["paths"][*path][*method];
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            !responses.keys().any(|k| k.contains('X')),
            "{method} {path}: a range of statuses"
        );
        for (status, response) in responses {
            let schema = &response["content"]["application/json"]["schema"];
            if *path == "/api/openapi.json" {
                continue;
            }
            let target = schema["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} {status}: untyped {schema}"));
            let name = target.trim_start_matches("#/components/schemas/");
            let typed = the_schema(&doc, name);
            assert!(
                typed["properties"].is_object() || typed["allOf"].is_array(),
                "{method} {path} {status}: {name} is not an object schema"
            );
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(name, "ErrorBody", "{method} {path} {status}");
            }
        }
        if *method != "get" {
            for code in write_errors {
                assert!(responses.contains_key(code), "{method} {path}: no {code}");
            }
            assert!(operation["security"].is_array(), "{method} {path}");
        }
        if path.starts_with("/api/v1/") {
            assert!(responses.contains_key("503"), "{method} {path}: no 503");
        }
    }
    app.finish().await;
}

/// Validates `body` against the document's schema for that answer; panics naming every
/// violation. The schema is checked with a JSON Schema 2020-12 validator (the dialect of
/// OpenAPI 3.1), with the document's components in reach of its references.
fn assert_conforms(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let responses = &doc["paths"][path][method]["responses"];
    let response = &responses[status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path}: {status} is not documented"
    );
    let schema = &response["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} {status}: no schema");
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": doc["components"],
    });
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: the schema does not compile: {e}"));
    let problems: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "{method} {path} {status} does not match its schema:\n{}\n{body}",
        problems.join("\n")
    );
}

/// (method, route, concrete path, token, body)
type Call<'a> = (&'a str, &'a str, String, Option<&'a str>, Option<Value>);

async fn real_answers_match_their_schemas_on_both_databases(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let doc = app.get("/api/openapi.json").await;
    let id = crate::seed::publish_seed(&app).await;
    let incident = app.get(&format!("/api/v1/incidents/{id}")).await;
    let update = incident["updates"][0]["id"].as_str().unwrap().to_string();
    let item = incident["remediation_items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let group = app.get("/api/v1/components").await["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut checked = std::collections::BTreeSet::new();
    let (admin, responder, translator) = (
        app.admin.clone(),
        app.responder.clone(),
        app.translator.clone(),
    );
    let page = app.get("/api/v1/page").await;
    let calls: Vec<Call> = vec![
        (
            "get",
            "/api/v1/page",
            "/api/v1/page?locale=fr".into(),
            None,
            None,
        ),
        (
            "put",
            "/api/v1/page",
            "/api/v1/page".into(),
            Some(&admin),
            Some(serde_json::json!({
                "name": page["name"], "url": page["url"], "time_zone": "Europe/Paris",
                "display_time_zones": ["UTC"], "default_locale": "en", "locales": ["en", "fr"],
                "footer_markdown": "Run by *us*."})),
        ),
        (
            "put",
            "/api/v1/translations/{kind}/{id}/{locale}",
            format!(
                "/api/v1/translations/page/{}/fr",
                page["id"].as_str().unwrap()
            ),
            Some(&translator),
            Some(serde_json::json!({"fields": {"name": "Statut"}, "provenance": "human"})),
        ),
        (
            "get",
            "/api/v1/page",
            "/api/v1/page?locale=fr".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/components",
            "/api/v1/components".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/components",
            "/api/v1/components?locale=fr".into(),
            None,
            None,
        ),
        (
            "post",
            "/api/v1/components",
            "/api/v1/components".into(),
            Some(&responder),
            Some(
                serde_json::json!({"name": "Search", "description": "Finding things", "status": "degraded_performance", "start_date": "2023-01-01"}),
            ),
        ),
        (
            "put",
            "/api/v1/translations/{kind}/{id}/{locale}",
            format!("/api/v1/translations/component/{group}/fr"),
            Some(&translator),
            Some(
                serde_json::json!({"fields": {"name": "Vendre", "description": "CRM"}, "provenance": "machine"}),
            ),
        ),
        (
            "get",
            "/api/v1/components/{id}",
            format!("/api/v1/components/{group}?locale=fr"),
            None,
            None,
        ),
        (
            "patch",
            "/api/v1/components/{id}",
            format!("/api/v1/components/{group}"),
            Some(&responder),
            Some(serde_json::json!({"description": "Sales"})),
        ),
        (
            "get",
            "/api/v1/incidents",
            "/api/v1/incidents".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/incidents",
            "/api/v1/incidents?locale=fr&limit=1".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/incidents/{id}",
            format!("/api/v1/incidents/{id}"),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/incidents/{id}",
            format!("/api/v1/incidents/{id}?locale=fr"),
            Some(&admin),
            None,
        ),
        (
            "patch",
            "/api/v1/incidents/{id}",
            format!("/api/v1/incidents/{id}"),
            Some(&responder),
            Some(serde_json::json!({"symptom": null})),
        ),
        (
            "get",
            "/api/v1/updates/{id}",
            format!("/api/v1/updates/{update}"),
            None,
            None,
        ),
        (
            "patch",
            "/api/v1/updates/{id}",
            format!("/api/v1/updates/{update}"),
            Some(&responder),
            Some(serde_json::json!({"message": "Corrected."})),
        ),
        (
            "post",
            "/api/v1/incidents",
            "/api/v1/incidents".into(),
            Some(&responder),
            Some(serde_json::json!({
                "title": "Slow search", "impact": "minor", "status": "investigating", "message": "Looking.",
                "components": {group.clone(): "degraded_performance"},
                "translations": {"fr": {"title": "Recherche lente", "message": "On regarde.", "provenance": "human"}}})),
        ),
        (
            "post",
            "/api/v1/incidents/{id}/updates",
            format!("/api/v1/incidents/{id}/updates"),
            Some(&responder),
            Some(serde_json::json!({"status": "resolved", "message": "Still fine."})),
        ),
        (
            "put",
            "/api/v1/incidents/{id}/postmortem",
            format!("/api/v1/incidents/{id}/postmortem"),
            Some(&responder),
            Some(
                serde_json::json!({"root_cause": "A setting.", "resolution": "Restored.", "state": "published"}),
            ),
        ),
        (
            "post",
            "/api/v1/incidents/{id}/remediation-items",
            format!("/api/v1/incidents/{id}/remediation-items"),
            Some(&responder),
            Some(
                serde_json::json!({"title": "Alert", "category": "detect", "state": "planned", "due_on": "2024-04-01"}),
            ),
        ),
        (
            "patch",
            "/api/v1/remediation-items/{id}",
            format!("/api/v1/remediation-items/{item}"),
            Some(&responder),
            Some(serde_json::json!({"state": "done"})),
        ),
        (
            "post",
            "/api/v1/maintenances",
            "/api/v1/maintenances".into(),
            Some(&responder),
            Some(serde_json::json!({
                "title": "Upgrade", "scheduled_for": "2024-03-06T10:00:00Z", "scheduled_until": "2024-03-06T11:00:00Z",
                "message": "Upgrading.", "components": [group.clone()]})),
        ),
        (
            "get",
            "/api/v1/incidents",
            "/api/v1/incidents?kind=maintenance".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/audit-log",
            "/api/v1/audit-log?limit=500".into(),
            Some(&admin),
            None,
        ),
        // Errors, in the one documented shape.
        (
            "get",
            "/api/v1/incidents/{id}",
            "/api/v1/incidents/nosuchid0000".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/incidents/{id}",
            format!("/api/v1/incidents/{id}"),
            Some("hrld_wrong"),
            None,
        ),
        (
            "get",
            "/api/v1/components",
            "/api/v1/components?locale=xx".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/updates/{id}",
            "/api/v1/updates/nosuchid0000".into(),
            None,
            None,
        ),
        (
            "get",
            "/api/v1/audit-log",
            "/api/v1/audit-log".into(),
            Some(&responder),
            None,
        ),
        (
            "post",
            "/api/v1/incidents",
            "/api/v1/incidents".into(),
            None,
            Some(serde_json::json!({})),
        ),
        (
            "post",
            "/api/v1/incidents",
            "/api/v1/incidents".into(),
            Some(&translator),
            Some(serde_json::json!({})),
        ),
        (
            "post",
            "/api/v1/incidents",
            "/api/v1/incidents".into(),
            Some(&responder),
            Some(serde_json::json!({"title": ""})),
        ),
        (
            "patch",
            "/api/v1/remediation-items/{id}",
            "/api/v1/remediation-items/nosuchid0000".into(),
            Some(&responder),
            Some(serde_json::json!({"state": "done"})),
        ),
    ];
    for (method, route, path, token, body) in calls {
        let verb: Method = method.to_uppercase().parse().unwrap();
        let response = {
            let mut request = app.http.request(verb, app.url(&path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            request.send().await.unwrap()
        };
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("application/json"),
            "{path}: {content_type}"
        );
        let answer: Value = response.json().await.unwrap();
        assert_conforms(&doc, method, route, status, &answer);
        checked.insert((method, route, status));
    }
    // The Statuspage API, over the same data.
    for (_, route) in herald::web::API_ROUTES
        .iter()
        .filter(|(_, p)| p.starts_with("/api/v2/"))
    {
        let answer = app.get(route).await;
        assert_conforms(&doc, "get", route, 200, &answer);
        checked.insert(("get", route, 200));
    }
    // Every route was checked with a success.
    for (method, route) in herald::web::API_ROUTES
        .iter()
        .filter(|(_, p)| *p != "/api/openapi.json")
    {
        assert!(
            checked
                .iter()
                .any(|(m, r, s)| m == method && r == route && *s < 300),
            "{method} {route} was not checked"
        );
    }
    assert!(checked.iter().filter(|(_, _, s)| *s >= 400).count() >= 8);
    app.finish().await;
}

/// The checker itself catches a wrong answer (so the test above can fail).
async fn the_schema_check_refuses_an_answer_that_breaks_the_document() {
    let app = TestApp::sqlite().await;
    let doc = app.get("/api/openapi.json").await;
    app.post("/api/v1/components", serde_json::json!({"name": "API"}))
        .await;
    let mut components = app.get("/api/v1/components").await;
    assert_conforms(&doc, "get", "/api/v1/components", 200, &components);
    components["components"][0]["status"] = "DegradedPerformance".into();
    let result = std::panic::catch_unwind(|| {
        assert_conforms(&doc, "get", "/api/v1/components", 200, &components)
    });
    assert!(result.is_err());
    let error = std::panic::catch_unwind(|| {
        assert_conforms(
            &doc,
            "get",
            "/api/v1/incidents/{id}",
            404,
            &serde_json::json!({"error": {"code": "not_found"}}),
        )
    });
    assert!(error.is_err());
    app.finish().await;
}

crate::helpers::register! {
    the_document_names_every_api_route_and_every_route_is_served,
    every_reference_resolves_enums_are_spelled_as_on_the_wire_and_every_answer_is_typed,
    the_schema_check_refuses_an_answer_that_breaks_the_document,
    ; on_each_backend:
    real_answers_match_their_schemas_on_both_databases,
}

//! `/api/openapi.json` describes every API route the router serves, and only those.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
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

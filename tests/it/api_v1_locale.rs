//! `?locale=` on the v1 reads: texts in that locale with their provenance and staleness, the
//! existing fields unchanged, and a 422 naming `locale` for an unknown one.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Db, TestApp};

/// The document without any `localized` key, anywhere.
fn without_localized(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "localized")
                .map(|(k, v)| (k.clone(), without_localized(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_localized).collect()),
        other => other.clone(),
    }
}

async fn incidents_in_a_locale_carry_provenance_and_staleness(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let id = crate::seed::publish_seed(&app).await;
    let plain = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert!(plain.get("localized").is_none());
    let fr = app.get(&format!("/api/v1/incidents/{id}?locale=fr")).await;
    assert_eq!(without_localized(&fr), plain, "existing fields unchanged");
    assert_eq!(
        fr["localized"]["title"],
        json!({"text": "Retards de synchronisation et de stockage des nouveaux e-mails dans Sell",
                   "provenance": "machine", "stale": false})
    );
    assert_eq!(fr["localized"]["locale"], "fr");
    let update = &fr["updates"][0]["localized"]["message"];
    assert!(update["text"].as_str().unwrap().starts_with("Nous faisons"));
    assert_eq!(update["provenance"], "machine");
    let pm = &fr["postmortem"]["localized"];
    assert_eq!(pm["root_cause"]["provenance"], "machine");
    assert!(pm["root_cause"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Cet incident"));
    // No French summary was written: the original, and it says so.
    assert_eq!(pm["summary"]["provenance"], "original");
    assert!(pm["summary"]["text"]
        .as_str()
        .unwrap()
        .starts_with("On February 29"));
    assert!(fr["remediation_items"][2]["localized"]["title"]["text"]
        .as_str()
        .unwrap()
        .contains("surcharges"));
    assert_eq!(
        fr["remediation_items"][0]["localized"]["detail"],
        Value::Null
    );
    // German: nothing translated, every text is the original.
    let de = app.get(&format!("/api/v1/incidents/{id}?locale=de")).await;
    assert_eq!(de["localized"]["title"]["provenance"], "original");
    assert_eq!(
        de["localized"]["title"]["text"],
        "Delays syncing and storing new email in Sell"
    );
    // Correcting the original makes its translation stale.
    let update_id = plain["updates"][0]["id"].as_str().unwrap();
    app.write(
        Method::PATCH,
        &format!("/api/v1/updates/{update_id}"),
        json!({"message": "We are experiencing a disruption of Sell email."}),
        200,
    )
    .await;
    let fr = app.get(&format!("/api/v1/incidents/{id}?locale=fr")).await;
    assert_eq!(fr["updates"][0]["localized"]["message"]["stale"], true);
    assert_eq!(fr["updates"][1]["localized"]["message"]["stale"], false);
    // The list too.
    let list = app.get("/api/v1/incidents?locale=fr").await;
    assert_eq!(
        list["incidents"][0]["localized"]["title"]["provenance"],
        "machine"
    );
    let plain_list = app.get("/api/v1/incidents").await;
    assert_eq!(without_localized(&list), plain_list);
    app.finish().await;
}

async fn components_and_page_in_a_locale_and_unknown_locales_are_422() {
    let app = TestApp::sqlite().await;
    let c = app
        .post(
            "/api/v1/components",
            json!({"name": "Billing", "description": "Invoices and payments"}),
        )
        .await;
    let cid = c["id"].as_str().unwrap();
    app.write(
        Method::PUT,
        &format!("/api/v1/translations/component/{cid}/fr"),
        json!({"fields": {"name": "Facturation"}, "provenance": "human"}),
        200,
    )
    .await;
    let list = app.get("/api/v1/components?locale=fr").await;
    let localized = &list["components"][0]["localized"];
    assert_eq!(
        localized["name"],
        json!({"text": "Facturation", "provenance": "human", "stale": false})
    );
    assert_eq!(localized["description"]["text"], "Invoices and payments");
    assert_eq!(localized["description"]["provenance"], "original");
    let one = app
        .get(&format!("/api/v1/components/{cid}?locale=fr"))
        .await;
    assert_eq!(one["localized"]["name"]["text"], "Facturation");
    assert!(app
        .get(&format!("/api/v1/components/{cid}"))
        .await
        .get("localized")
        .is_none());
    let page = app.get("/api/v1/page?locale=ja").await;
    assert_eq!(page["localized"]["name"]["text"], "Herald");
    assert_eq!(page["localized"]["name"]["provenance"], "original");

    for path in [
        "/api/v1/incidents?locale=xx".to_string(),
        "/api/v1/incidents/whatever?locale=klingon".to_string(),
        "/api/v1/components?locale=zz".to_string(),
        format!("/api/v1/components/{cid}?locale=FR-fr"),
        "/api/v1/page?locale=".to_string(),
    ] {
        let (status, body) = app.call(Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(
            body["error"]["fields"]["locale"].is_string(),
            "{path}: {body}"
        );
    }
    app.finish().await;
}

crate::helpers::register! {
    components_and_page_in_a_locale_and_unknown_locales_are_422,
    ; on_each_backend:
    incidents_in_a_locale_carry_provenance_and_staleness,
}

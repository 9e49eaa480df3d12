//! `herald post`: a client of the write API for on-call use.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Map, Value};

use super::args::{PostArgs, PostCommand};
use crate::domain::{ComponentStatus, IncidentStatus};

fn read_message(message: &str) -> anyhow::Result<String> {
    if message != "-" {
        return Ok(message.to_string());
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(text)
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        map.insert(key.to_string(), json!(v));
    }
}

fn component_map(components: &[(String, ComponentStatus)]) -> Value {
    Value::Object(
        components
            .iter()
            .map(|(id, s)| (id.clone(), json!(s)))
            .collect(),
    )
}

/// The fields an incident and an update share: the status, the message (read from standard
/// input for `-`), the components' new statuses, and when it shows and when the next is due.
fn news(
    status: IncidentStatus,
    message: &str,
    components: &[(String, ComponentStatus)],
    display_at: Option<String>,
    next_update_by: Option<String>,
) -> anyhow::Result<Map<String, Value>> {
    let mut body = Map::new();
    body.insert("status".into(), json!(status));
    body.insert("message".into(), json!(read_message(message)?));
    body.insert("components".into(), component_map(components));
    put(&mut body, "display_at", display_at);
    put(&mut body, "next_update_by", next_update_by);
    Ok(body)
}

/// The API request a `herald post` command makes: path, method and JSON body.
fn request(what: PostCommand) -> anyhow::Result<(String, reqwest::Method, Map<String, Value>)> {
    Ok(match what {
        PostCommand::Incident {
            title,
            impact,
            status,
            components,
            started_at,
            display_at,
            next_update_by,
            locale,
            message,
        } => {
            let mut body = news(status, &message, &components, display_at, next_update_by)?;
            body.insert("title".into(), json!(title));
            if let Some(impact) = impact {
                body.insert("impact".into(), json!(impact));
            }
            put(&mut body, "started_at", started_at);
            put(&mut body, "locale", locale);
            ("/api/v1/incidents".to_string(), reqwest::Method::POST, body)
        }
        PostCommand::Update {
            incident,
            status,
            components,
            display_at,
            next_update_by,
            message,
        } => (
            format!("/api/v1/incidents/{incident}/updates"),
            reqwest::Method::POST,
            news(status, &message, &components, display_at, next_update_by)?,
        ),
        PostCommand::Correct { update, message } => {
            let mut body = Map::new();
            body.insert("message".into(), json!(read_message(&message)?));
            (
                format!("/api/v1/updates/{update}"),
                reqwest::Method::PATCH,
                body,
            )
        }
        PostCommand::Maintenance {
            title,
            from,
            until,
            components,
            manual,
            message,
        } => {
            let mut body = Map::new();
            body.insert("title".into(), json!(title));
            body.insert("scheduled_for".into(), json!(from));
            body.insert("scheduled_until".into(), json!(until));
            body.insert("message".into(), json!(read_message(&message)?));
            body.insert("components".into(), json!(components));
            body.insert("auto_transition".into(), json!(!manual));
            (
                "/api/v1/maintenances".to_string(),
                reqwest::Method::POST,
                body,
            )
        }
    })
}

pub(super) async fn post(args: PostArgs) -> anyhow::Result<ExitCode> {
    let token = args.token.context(
        "no token: pass --token or set HERALD_TOKEN (create one with `herald token create`)",
    )?;
    let client = crate::client::ApiClient::new(&args.server, &token)?;
    let (path, method, body) = request(args.what)?;
    let answer = client.send(method, &path, &Value::Object(body)).await?;
    let id = answer["id"].as_str().unwrap_or_default();
    let status = answer["status"].as_str().unwrap_or_default();
    match answer["shortlink"].as_str() {
        Some(link) => eprintln!("published: {status} — {link}"),
        None => eprintln!("published: {status}"),
    }
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

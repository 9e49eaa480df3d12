//! A small client of the write API, for `herald post ...` (on-call use from a terminal).

use anyhow::{bail, Context};
use serde_json::Value;

pub struct ApiClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl ApiClient {
    pub fn new(server: &str, token: &str) -> anyhow::Result<ApiClient> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("herald-cli/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ApiClient {
            base: server.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
        })
    }

    /// Sends `body` to `path`; returns the JSON answer, or an error worded from the API's
    /// error object (with each field at fault).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let response = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .with_context(|| format!("cannot reach {url}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(json);
        }
        let error = &json["error"];
        let mut message = format!(
            "{} {}: {}",
            status.as_u16(),
            error["code"].as_str().unwrap_or("error"),
            error["message"].as_str().unwrap_or(text.trim())
        );
        if let Some(fields) = error["fields"].as_object() {
            for (field, problem) in fields {
                message.push_str(&format!(
                    "\n  {field}: {}",
                    problem.as_str().unwrap_or_default()
                ));
            }
        }
        bail!(message)
    }
}

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
            base: server_base(server)?,
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
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type")
            .to_string();
        let text = response.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        // Herald answers every API call with a JSON object, and every failure with an `error`
        // object: anything else is some other server (or a path in --server that is not Herald).
        let like_herald = if status.is_success() {
            json.is_object()
        } else {
            json["error"].is_object()
        };
        if !like_herald {
            bail!(
                "{url} did not answer like a Herald server (HTTP {status}, {content_type}); \
                 --server should be the address Herald serves on, e.g. http://127.0.0.1:3000"
            );
        }
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

/// `--server` as a base URL: `http://` is assumed without a scheme (`127.0.0.1:3000`); only
/// http and https are accepted, without a query or fragment.
pub fn server_base(server: &str) -> anyhow::Result<String> {
    let trimmed = server.trim();
    let full = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let expected = "expected the address Herald serves on, such as http://127.0.0.1:3000, https://status.example.com or 127.0.0.1:3000";
    let url = match reqwest::Url::parse(&full) {
        Ok(url) => url,
        Err(e) => bail!("--server `{server}` is not a server address ({e}); {expected}"),
    };
    if !matches!(url.scheme(), "http" | "https") {
        bail!(
            "--server `{server}`: the scheme must be http or https, not {}; {expected}",
            url.scheme()
        );
    }
    if url.query().is_some() || url.fragment().is_some() || url.host_str().is_none() {
        bail!("--server `{server}` is not a server address; {expected}");
    }
    Ok(full.trim_end_matches('/').to_string())
}

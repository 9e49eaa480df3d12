//! Signing in and out, and creating the first admin from the one-time setup link.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::*;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    c: Chrome,
    form: Fields,
    errs: Errs,
    /// The double-submit token (also in the `herald_csrf` cookie).
    token: String,
}

fn sign_in_form(
    state: &AppState,
    visit: &Visit,
    form: Fields,
    errs: Errs,
    status: StatusCode,
) -> Response {
    let token = cookie(&visit.headers, CSRF_COOKIE)
        .filter(|t| t.len() >= 20 && t.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
        .unwrap_or_else(|| crate::ids::new_secret(""));
    let page = SignInPage {
        c: visit.chrome(state, &visit.tr.t("console-sign-in"), None),
        form,
        errs,
        token: token.clone(),
    };
    let mut r = visit.page(status, page.render());
    if let Ok(v) = HeaderValue::from_str(&visit.cookie(CSRF_COOKIE, &token, None)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn sign_in_page(State(state): State<AppState>, visit: Visit) -> Response {
    sign_in_form(
        &state,
        &visit,
        Fields::default(),
        Errs::default(),
        StatusCode::OK,
    )
}

pub async fn sign_in(
    State(state): State<AppState>,
    visit: Visit,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut form = Fields(pairs);
    let sent = form.get("csrf");
    let expected = cookie(&visit.headers, CSRF_COOKIE).unwrap_or("");
    if sent.is_empty() || !constant_eq(sent, expected) {
        return visit.error(&Error::Forbidden("sign-in form without its token".into()));
    }
    let username = form.get("username").trim().to_lowercase();
    // The attempt is counted before the password is checked (and un-counted on success), so
    // concurrent attempts cannot all pass the limit before the first failure is counted.
    let by_ip = match state.sign_in_by_ip.reserve(visit.ip) {
        Ok(attempt) => attempt,
        Err(e) => return visit.error(&e),
    };
    let by_user = match state.sign_in_by_user.reserve(username) {
        Ok(attempt) => attempt,
        Err(e) => {
            by_ip.release();
            return visit.error(&e);
        }
    };
    let replacing = cookie(&visit.headers, SESSION_COOKIE).map(str::to_string);
    let password = form.get("password").to_string();
    match state
        .service
        .sign_in(form.get("username"), &password, replacing.as_deref())
        .await
    {
        Ok(Some((who, secret))) => {
            by_ip.release();
            by_user.release();
            tracing::info!(user = %who.user.username, "console sign-in");
            let mut r = visit.redirect("/console", "console-flash-signed-in");
            let max_age = crate::service::SESSION_MAX_DAYS * 86_400;
            if let Ok(v) =
                HeaderValue::from_str(&visit.cookie(SESSION_COOKIE, &secret, Some(max_age)))
            {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => {
            // Both attempts stay counted as failures.
            form.set("password", "");
            let mut errs = Errs::default();
            errs.add(&visit.tr, "password", visit.tr.t("console-sign-in-failed"));
            sign_in_form(&state, &visit, form, errs, StatusCode::UNAUTHORIZED)
        }
        Err(e) => {
            by_ip.release();
            by_user.release();
            visit.error(&e)
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = console.guard(&Fields(pairs), Need::Translate) {
        return r;
    }
    if let Err(e) = state.service.sign_out(&console.who).await {
        return console.visit.error(&e);
    }
    let mut r = console
        .visit
        .redirect("/console/sign-in", "console-flash-signed-out");
    if let Ok(v) = HeaderValue::from_str(&console.visit.cookie(SESSION_COOKIE, "", Some(0))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "console/setup.html")]
struct SetupPage {
    c: Chrome,
    form: Fields,
    errs: Errs,
}

#[derive(Deserialize)]
pub struct SetupQuery {
    token: Option<String>,
}

/// The setup token, if `given` is it (and no user exists yet).
async fn setup_allowed(state: &AppState, given: &str) -> bool {
    let current = state
        .setup_token
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let matches = current.is_some_and(|t| !given.is_empty() && constant_eq(&t, given));
    matches && !state.service.has_users().await.unwrap_or(true)
}

/// Takes the setup token if `given` is it: of concurrent requests, only one gets it.
fn take_setup_token(state: &AppState, given: &str) -> Option<String> {
    let mut current = state.setup_token.lock().unwrap_or_else(|e| e.into_inner());
    let matches = current
        .as_deref()
        .is_some_and(|t| !given.is_empty() && constant_eq(t, given));
    if matches {
        current.take()
    } else {
        None
    }
}

pub async fn setup_page(
    State(state): State<AppState>,
    visit: Visit,
    query: Result<Query<SetupQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let token = query.ok().and_then(|q| q.0.token).unwrap_or_default();
    if !setup_allowed(&state, &token).await {
        return visit.error(&Error::NotFound("no setup link".into()));
    }
    let mut form = Fields::default();
    form.set("token", token);
    let page = SetupPage {
        c: visit.chrome(&state, &visit.tr.t("console-setup-title"), None),
        form,
        errs: Errs::default(),
    };
    visit.page(StatusCode::OK, page.render())
}

pub async fn setup(
    State(state): State<AppState>,
    visit: Visit,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut form = Fields(pairs);
    // The link is taken before the admin is created, so of concurrent uses only one goes on
    // (the store also creates a first admin only while there is no user).
    let Some(token) = take_setup_token(&state, form.get("token")) else {
        return visit.error(&Error::NotFound("no setup link".into()));
    };
    if state.service.has_users().await.unwrap_or(true) {
        return visit.error(&Error::NotFound("no setup link".into()));
    }
    let created = state
        .service
        .create_first_admin(form.get("username").trim(), form.get("password"))
        .await;
    match created {
        Ok(user) => {
            let secret = match state.service.open_session(&user, None).await {
                Ok(s) => s,
                Err(e) => return visit.error(&e),
            };
            let mut r = visit.redirect("/console", "console-flash-admin-created");
            let max_age = crate::service::SESSION_MAX_DAYS * 86_400;
            if let Ok(v) =
                HeaderValue::from_str(&visit.cookie(SESSION_COOKIE, &secret, Some(max_age)))
            {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            if matches!(e, Error::Conflict(_)) {
                // Someone else created the first user meanwhile: the link is spent.
                return visit.error(&Error::NotFound("no setup link".into()));
            }
            // Bad input: the link stays usable.
            *state.setup_token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
            form.set("password", "");
            let page = SetupPage {
                c: visit.chrome(&state, &visit.tr.t("console-setup-title"), None),
                form,
                errs: Errs::from_error(&e, &visit.tr),
            };
            visit.page(StatusCode::UNPROCESSABLE_ENTITY, page.render())
        }
    }
}

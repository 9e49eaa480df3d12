//! Signing in and out, and creating the first admin from the one-time setup link.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::form::{Errs, Fields};
use super::text::{cookie, Chrome};
use super::visit::{constant_eq, Guarded, Reply, Translate, Visit};
use super::{CSRF_COOKIE, SESSION_COOKIE};
use crate::error::Error;
use crate::web::AppState;

type Pairs = Form<Vec<(String, String)>>;

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
) -> Reply {
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
    let mut r = visit.page(status, page.render())?;
    visit.set_cookie(&mut r, CSRF_COOKIE, &token, None);
    Ok(r)
}

pub async fn sign_in_page(State(state): State<AppState>, visit: Visit) -> Reply {
    sign_in_form(
        &state,
        &visit,
        Fields::default(),
        Errs::default(),
        StatusCode::OK,
    )
}

/// To the dashboard, signed in with the session `secret`.
fn signed_in(visit: &Visit, secret: &str, flash: &str) -> Response {
    let mut r = visit.redirect("/console", flash);
    let max_age = crate::service::SESSION_MAX_DAYS * 86_400;
    visit.set_cookie(&mut r, SESSION_COOKIE, secret, Some(max_age));
    r
}

pub async fn sign_in(State(state): State<AppState>, visit: Visit, Form(pairs): Pairs) -> Reply {
    let mut form = Fields(pairs);
    let sent = form.get("csrf");
    let expected = cookie(&visit.headers, CSRF_COOKIE).unwrap_or("");
    if sent.is_empty() || !constant_eq(sent, expected) {
        return Err(Error::Forbidden("sign-in form without its token".into()).into());
    }
    let username = form.get("username").trim().to_lowercase();
    // The attempt is counted before the password is checked (and un-counted on success), so
    // concurrent attempts cannot all pass the limit before the first failure is counted.
    let by_ip = state.sign_in_by_ip.reserve(visit.ip)?;
    let by_user = match state.sign_in_by_user.reserve(username) {
        Ok(attempt) => attempt,
        Err(e) => {
            by_ip.release();
            return Err(e.into());
        }
    };
    let replacing = cookie(&visit.headers, SESSION_COOKIE).map(str::to_string);
    let password = form.get("password").to_string();
    let outcome = state
        .service
        .sign_in(form.get("username"), &password, replacing.as_deref())
        .await;
    if !matches!(outcome, Ok(None)) {
        by_ip.release();
        by_user.release();
    }
    match outcome? {
        Some((who, secret)) => {
            tracing::info!(user = %who.user.username, "console sign-in");
            Ok(signed_in(&visit, &secret, "console-flash-signed-in"))
        }
        None => {
            // Both attempts stay counted as failures.
            form.set("password", "");
            let mut errs = Errs::default();
            errs.add(&visit.tr, "password", visit.tr.t("console-sign-in-failed"));
            sign_in_form(&state, &visit, form, errs, StatusCode::UNAUTHORIZED)
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, f: Guarded<Translate>) -> Reply {
    state.service.sign_out(&f.who).await?;
    let mut r = f
        .visit
        .redirect("/console/sign-in", "console-flash-signed-out");
    f.visit.set_cookie(&mut r, SESSION_COOKIE, "", Some(0));
    Ok(r)
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

fn no_setup_link() -> Error {
    Error::NotFound("no setup link".into())
}

fn setup_form(
    state: &AppState,
    visit: &Visit,
    form: Fields,
    errs: Errs,
    status: StatusCode,
) -> Reply {
    let page = SetupPage {
        c: visit.chrome(state, &visit.tr.t("console-setup-title"), None),
        form,
        errs,
    };
    visit.page(status, page.render())
}

pub async fn setup_page(
    State(state): State<AppState>,
    visit: Visit,
    query: Result<Query<SetupQuery>, QueryRejection>,
) -> Reply {
    let token = query.ok().and_then(|q| q.0.token).unwrap_or_default();
    if !setup_allowed(&state, &token).await {
        return Err(no_setup_link().into());
    }
    let mut form = Fields::default();
    form.set("token", token);
    setup_form(&state, &visit, form, Errs::default(), StatusCode::OK)
}

pub async fn setup(State(state): State<AppState>, visit: Visit, Form(pairs): Pairs) -> Reply {
    let mut form = Fields(pairs);
    // The link is taken before the admin is created, so of concurrent uses only one goes on
    // (the store also creates a first admin only while there is no user).
    let token = take_setup_token(&state, form.get("token")).ok_or_else(no_setup_link)?;
    if state.service.has_users().await.unwrap_or(true) {
        return Err(no_setup_link().into());
    }
    let created = state
        .service
        .create_first_admin(form.get("username").trim(), form.get("password"))
        .await;
    match created {
        Ok(user) => {
            let secret = state.service.open_session(&user, None).await?;
            Ok(signed_in(&visit, &secret, "console-flash-admin-created"))
        }
        // Someone else created the first user meanwhile: the link is spent.
        Err(Error::Conflict(_)) => Err(no_setup_link().into()),
        Err(e) => {
            // Bad input: the link stays usable.
            *state.setup_token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token);
            form.set("password", "");
            let errs = Errs::from_error(&e, &visit.tr);
            setup_form(&state, &visit, form, errs, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

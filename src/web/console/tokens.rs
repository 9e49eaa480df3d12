//! API tokens (admins): the list, creating one (its secret shown this once) and revoking one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::form::{Errs, Fields, Reader};
use super::text::{role_key, role_options, Chrome, Opt};
use super::visit::{Admin, Allowed, Console, Guarded, Reply};
use crate::domain::Role;
use crate::read;
use crate::web::AppState;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    c: Chrome,
    tokens: Vec<TokenRow>,
    form: Fields,
    errs: Errs,
    roles: Vec<Opt>,
    /// A token just created: its secret, shown this once.
    secret: String,
}

async fn tokens_view(
    state: &AppState,
    console: &Console,
    form: Fields,
    errs: Errs,
    secret: String,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    let tokens = read::console::tokens(&state.service).await?;
    let day = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "—".into())
    };
    let page = TokensPage {
        c: console.chrome(state, &tr.t("console-tokens")),
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: t.id.clone(),
                name: t.name.clone(),
                role: tr.t(role_key(t.role)),
                created: day(Some(t.created_at)),
                last_used: day(t.last_used_at),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        roles: role_options(tr, form.get("role")),
        form,
        errs,
        secret,
    };
    console.visit.page(status, page.render())
}

pub async fn tokens_page(State(state): State<AppState>, c: Allowed<Admin>) -> Reply {
    let (form, errs) = (Fields::default(), Errs::default());
    tokens_view(&state, &c, form, errs, String::new(), StatusCode::OK).await
}

/// Creating a token shows the list again with its secret (201), not a redirect: the secret
/// is shown this once, and never put in a URL or a cookie.
pub async fn create_token(State(state): State<AppState>, f: Guarded<Admin>) -> Reply {
    let (form, actor) = (&f.form, f.actor());
    let mut r = Reader::new(form, f.tr());
    let role = r.choice::<Role>("role");
    let created = f
        .attempt(r.finish(role), |role| {
            state.service.create_token(&actor, form.get("name"), role)
        })
        .await;
    match created {
        Ok((_, secret)) => {
            let (form, errs) = (Fields::default(), Errs::default());
            tokens_view(&state, &f, form, errs, secret, StatusCode::CREATED).await
        }
        Err(no) => tokens_view(&state, &f, form.clone(), no.errs, String::new(), no.status).await,
    }
}

pub async fn revoke_token(State(state): State<AppState>, f: Guarded<Admin, Path<String>>) -> Reply {
    state.service.revoke_token(&f.actor(), &f.path.0).await?;
    Ok(f.visit
        .redirect("/console/tokens", "console-flash-token-revoked"))
}

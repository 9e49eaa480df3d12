//! Users (admins): who may sign in to the console, with which role; adding one, and
//! disabling (their sessions end at once) or enabling one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::form::{Errs, Fields, Reader};
use super::text::{role_key, role_options, Chrome, Opt, Tr};
use super::visit::{Admin, Allowed, Console, Guarded, Reply};
use crate::domain::{Role, User};
use crate::error::Error;
use crate::web::AppState;

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created: String,
    /// "Active", or "Disabled on ..." .
    pub state: String,
    pub disabled: bool,
    /// The signed-in user's own row (no disable button).
    pub is_self: bool,
    /// The button's accessible name: "Disable ana".
    pub action_label: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    form: Fields,
    errs: Errs,
    roles: Vec<Opt>,
    /// Why a disable or enable was refused, if it just was.
    refused: String,
}

fn user_row(tr: &Tr, u: &User, me: &str) -> UserRow {
    UserRow {
        id: u.id.clone(),
        name: u.username.clone(),
        role: tr.t(role_key(u.role)),
        created: u.created_at.format("%Y-%m-%d").to_string(),
        state: match u.disabled_at {
            Some(at) => tr.f(
                "console-user-disabled-on",
                &[("date", at.format("%Y-%m-%d").to_string())],
            ),
            None => tr.t("console-user-active"),
        },
        disabled: u.disabled_at.is_some(),
        is_self: u.id == me,
        action_label: tr.f(
            if u.disabled_at.is_some() {
                "console-enable-user"
            } else {
                "console-disable-user"
            },
            &[("user", u.username.clone())],
        ),
    }
}

async fn users_view(
    state: &AppState,
    console: &Console,
    form: Fields,
    errs: Errs,
    refused: String,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    let users = state.service.users(&console.actor()).await?;
    let me = &console.who.user.id;
    let page = UsersPage {
        c: console.chrome(state, &tr.t("console-users")),
        users: users.iter().map(|u| user_row(tr, u, me)).collect(),
        roles: role_options(tr, form.get("role")),
        form,
        errs,
        refused,
    };
    console.visit.page(status, page.render())
}

pub async fn users_page(State(state): State<AppState>, c: Allowed<Admin>) -> Reply {
    let (form, errs) = (Fields::default(), Errs::default());
    users_view(&state, &c, form, errs, String::new(), StatusCode::OK).await
}

pub async fn create_user(State(state): State<AppState>, mut f: Guarded<Admin>) -> Reply {
    let password = f.form.get("password").to_string();
    // The password is never shown again.
    f.form.set("password", "");
    let (form, actor) = (&f.form, f.actor());
    let mut r = Reader::new(form, f.tr());
    let role = r.choice::<Role>("role");
    f.submit(
        r.finish(role),
        |role| {
            let username = form.get("username").trim();
            state.service.create_user(&actor, username, &password, role)
        },
        |_| ("/console/users".into(), "console-flash-user-created"),
        |no| users_view(&state, &f, form.clone(), no.errs, String::new(), no.status),
    )
    .await
}

pub async fn disable_user(State(state): State<AppState>, f: Guarded<Admin, Path<String>>) -> Reply {
    set_user_disabled(&state, &f, &f.path.0, true).await
}

pub async fn enable_user(State(state): State<AppState>, f: Guarded<Admin, Path<String>>) -> Reply {
    set_user_disabled(&state, &f, &f.path.0, false).await
}

/// Disables (their sessions end at once) or enables a user; refusals are shown on the users
/// screen in the user's language.
async fn set_user_disabled(state: &AppState, console: &Console, id: &str, disabled: bool) -> Reply {
    let refuse = |key: &'static str| {
        let (form, errs, why) = (Fields::default(), Errs::default(), console.tr().t(key));
        users_view(state, console, form, errs, why, StatusCode::CONFLICT)
    };
    if disabled && id == console.who.user.id {
        return refuse("console-error-disable-self").await;
    }
    let done = state
        .service
        .set_user_disabled(&console.actor(), id, disabled)
        .await;
    match done {
        Ok(_) => Ok(console.visit.redirect(
            "/console/users",
            if disabled {
                "console-flash-user-disabled"
            } else {
                "console-flash-user-enabled"
            },
        )),
        Err(Error::Conflict(_)) => refuse("console-error-last-admin").await,
        Err(e) => Err(e.into()),
    }
}

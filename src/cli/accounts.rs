//! `herald token` and `herald user`: API tokens and console users, on the database directly.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::Context;

use super::args::{TokenCommand, UserCommand};
use crate::service::Actor;

pub(super) async fn token(
    state: &crate::AppState,
    command: TokenCommand,
) -> anyhow::Result<ExitCode> {
    let service = &state.service;
    match command {
        TokenCommand::Create { name, role } => {
            let (token, secret) = service
                .create_token(&Actor::cli(), &name, role)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            if std::io::stdout().is_terminal() {
                eprintln!(
                    "created token {} ({}, role {}); it is shown once:",
                    token.id, token.name, token.role
                );
            } else {
                // Captured (`$(herald token create …)`) or redirected: the secret goes there,
                // and this line must not announce something the terminal will not show.
                eprintln!(
                    "created token {} ({}, role {}); the token went to standard output (shown only once)",
                    token.id, token.name, token.role
                );
            }
            println!("{secret}");
        }
        TokenCommand::List => {
            let tokens = service.store().tokens().await?;
            if tokens.is_empty() {
                eprintln!(
                    "no tokens; create one with `herald token create --name NAME --role ROLE`"
                );
            }
            for t in tokens {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.to_rfc3339()),
                    None => "active".to_string(),
                };
                let used = t
                    .last_used_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{}\t{}\t{}\t{}\tlast used {}",
                    t.id, t.name, t.role, state, used
                );
            }
        }
        TokenCommand::Revoke { id } => {
            service
                .revoke_token(&Actor::cli(), &id)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn user(
    state: &crate::AppState,
    command: UserCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Create { username, role } => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprint!(
                    "password for {username} (at least {} characters, shown as typed): ",
                    crate::service::MIN_PASSWORD_CHARS
                );
            }
            let mut password = String::new();
            stdin
                .lock()
                .read_line(&mut password)
                .context("cannot read the password")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let user = state
                .service
                .create_user(&Actor::cli(), &username, password, role)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            eprintln!("created user {} ({})", user.username, user.role);
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! API tokens and users: who may write.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::ids::{new_secret, secret_digest};

use super::{
    new_id, problem, to_json, Actor, ApiToken, Duration, Error, Op, Problems, Result, Role,
    Service, User,
};

/// The prefix of every API token, so a leaked one is easy to recognise and grep for.
pub const TOKEN_PREFIX: &str = "hrld_";
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes a password with argon2id (the crate's default parameters).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Service {
    /// Creates a token; returns it with its secret, which is shown once and never stored.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
    ) -> Result<(ApiToken, String)> {
        actor.require_admin()?;
        let mut problems = Problems::new();
        problems.text("name", name, 100);
        problems.check()?;
        let secret = new_secret(TOKEN_PREFIX);
        let token = ApiToken {
            id: new_id(),
            name: name.trim().to_string(),
            role,
            token_hash: secret_digest(&secret),
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        self.commit(
            actor,
            "token.create",
            ("token", &token.id),
            None,
            to_json(&token),
            vec![Op::InsertToken(token.clone())],
        )
        .await?;
        Ok((token, secret))
    }

    pub async fn revoke_token(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require_admin()?;
        let at = self.now();
        match self
            .commit(
                actor,
                "token.revoke",
                ("token", id),
                None,
                None,
                vec![Op::RevokeToken {
                    id: id.to_string(),
                    at,
                }],
            )
            .await
        {
            Err(crate::store::StoreError::Missing(_)) => {
                Err(Error::NotFound(format!("no active token with id `{id}`")))
            }
            other => Ok(other?),
        }
    }

    /// The token behind a bearer secret, if it is known and not revoked.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<ApiToken>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(token) = self.store.token_by_hash(&secret_digest(secret)).await? else {
            return Ok(None);
        };
        if token.revoked_at.is_some() {
            return Ok(None);
        }
        let now = self.now();
        // Bookkeeping at most once a minute per token, so reads of it stay cheap.
        if token
            .last_used_at
            .is_none_or(|t| now - t > Duration::minutes(1))
        {
            self.store.touch_token(&token.id, now).await?;
        }
        Ok(Some(token))
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User> {
        self.add_user(actor, username, password, role, false).await
    }

    /// The first admin (from the one-time setup link): created only while there is no user,
    /// so concurrent uses of the link create exactly one; the others get `Conflict`.
    pub async fn create_first_admin(&self, username: &str, password: &str) -> Result<User> {
        let actor = Actor {
            label: "setup".into(),
            role: Role::Admin,
        };
        self.add_user(&actor, username, password, Role::Admin, true)
            .await
    }

    async fn add_user(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
        role: Role,
        first: bool,
    ) -> Result<User> {
        actor.require_admin()?;
        let mut problems = Problems::new();
        let valid_name = !username.is_empty()
            && username.len() <= 64
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
        if !valid_name {
            problems.add("username", problem!("problem-username"));
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            problems.add(
                "password",
                problem!("problem-password-short", min = MIN_PASSWORD_CHARS),
            );
        }
        problems.check()?;
        let now = self.now();
        let user = User {
            id: new_id(),
            username: username.to_string(),
            password_hash: hash_password(password)?,
            role,
            created_at: now,
            updated_at: now,
            disabled_at: None,
        };
        self.commit(
            actor,
            "user.create",
            ("user", &user.id),
            None,
            to_json(&user),
            vec![if first {
                Op::InsertFirstUser(user.clone())
            } else {
                Op::InsertUser(user.clone())
            }],
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) if first => {
                Error::Conflict("the first user already exists".into())
            }
            crate::store::StoreError::Conflict(_) => {
                Error::Conflict(format!("user `{username}` already exists"))
            }
            other => other.into(),
        })?;
        Ok(user)
    }

    /// Disables a user (their sessions end at once, and they cannot sign in) or enables them
    /// again. Nobody disables their own account, and the last active admin stays enabled.
    pub async fn set_user_disabled(&self, actor: &Actor, id: &str, disabled: bool) -> Result<User> {
        actor.require_admin()?;
        let before = self
            .store
            .user_by_id(id)
            .await?
            .ok_or_else(|| Error::not_found("user", id))?;
        if before.disabled_at.is_some() == disabled {
            return Ok(before);
        }
        let now = self.now();
        let mut ops = vec![Op::SetUserDisabled {
            id: id.to_string(),
            disabled_at: disabled.then_some(now),
            updated_at: now,
        }];
        if disabled {
            if actor.is_user(&before) {
                return Err(Error::Conflict(
                    "you cannot disable your own account".into(),
                ));
            }
            ops.push(Op::DeleteUserSessions {
                user_id: id.to_string(),
            });
        }
        let mut after = before.clone();
        after.disabled_at = disabled.then_some(now);
        after.updated_at = now;
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        self.commit(
            actor,
            action,
            ("user", id),
            to_json(&before),
            to_json(&after),
            ops,
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => Error::Conflict(format!(
                "`{}` is the last active admin; make another user admin first",
                before.username
            )),
            other => other.into(),
        })?;
        Ok(after)
    }
}

//! Console sessions: sign-in with a password, a server-side session that expires when idle and
//! at a hard limit, sign-out. The cookie holds a random secret; the database only its digest.

use std::sync::OnceLock;

use crate::ids::{new_secret, secret_digest};

use super::{
    hash_password, ms, verify_password, Actor, DateTime, Duration, Error, Op, Result, Service,
    Session, User, Utc,
};

/// A session unused this long expires.
pub const SESSION_IDLE_HOURS: i64 = 12;
/// No session lives longer than this, used or not.
pub const SESSION_MAX_DAYS: i64 = 7;
/// The sliding expiry is written back at most this often per session.
const TOUCH_EVERY_MINUTES: i64 = 5;

/// A signed-in user and their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user)
    }
}

impl Actor {
    /// A console user: `user:<username>` in the audit log.
    pub fn user(user: &User) -> Actor {
        Actor {
            label: format!("user:{}", user.username),
            role: user.role,
        }
    }

    /// Whether this actor is that console user.
    pub fn is_user(&self, user: &User) -> bool {
        self.label == Actor::user(user).label
    }
}

/// Verifying against this when the username is unknown costs the same time as a real check,
/// so response times do not reveal which usernames exist.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        hash_password("not a real password, only a timing shield").unwrap_or_default()
    })
}

fn session_end(created_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    (now + Duration::hours(SESSION_IDLE_HOURS)).min(created_at + Duration::days(SESSION_MAX_DAYS))
}

impl Service {
    /// Checks a username and password; on success opens a new session (always a new id) and
    /// closes `replacing` (the visitor's previous session, if any). Returns the user, the
    /// cookie secret (never stored) and the session; `None` for a wrong username or password.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        replacing: Option<&str>,
    ) -> Result<Option<(SignedIn, String)>> {
        let user = self.store.user_by_name(username.trim()).await?;
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let password = password.to_string();
        let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        let Some(user) = user.filter(|u| verified && u.disabled_at.is_none()) else {
            return Ok(None);
        };
        let secret = self.open_session(&user, replacing).await?;
        let session = self
            .store
            .session(&secret_digest(&secret))
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("new session vanished")))?;
        Ok(Some((SignedIn { user, session }, secret)))
    }

    /// Opens a session for `user` (after sign-in or first-admin setup); returns the secret.
    pub(crate) async fn open_session(
        &self,
        user: &User,
        replacing: Option<&str>,
    ) -> Result<String> {
        let now = ms(self.now());
        let secret = new_secret("");
        let session = Session {
            id_hash: secret_digest(&secret),
            user_id: user.id.clone(),
            csrf_token: new_secret(""),
            created_at: now,
            expires_at: session_end(now, now),
        };
        let mut ops = Vec::new();
        if let Some(old) = replacing {
            ops.push(Op::DeleteSession {
                id_hash: secret_digest(old),
            });
        }
        ops.push(Op::InsertSession(session.clone()));
        let after = serde_json::json!({ "expires_at": session.expires_at });
        self.commit(
            &Actor::user(user),
            "session.create",
            ("user", &user.id),
            None,
            Some(after),
            ops,
        )
        .await?;
        Ok(secret)
    }

    /// The live session behind a cookie secret, with its user; slides the idle expiry.
    /// Expired sessions are deleted; disabled users have none.
    pub async fn session_user(&self, secret: &str) -> Result<Option<SignedIn>> {
        if secret.is_empty() || secret.len() > 200 {
            return Ok(None);
        }
        let id_hash = secret_digest(secret);
        let Some(mut session) = self.store.session(&id_hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        if now >= session.expires_at {
            self.store
                .apply(vec![Op::DeleteSession { id_hash }], None)
                .await?;
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(&session.user_id).await? else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        let end = ms(session_end(session.created_at, now));
        if end - session.expires_at > Duration::minutes(TOUCH_EVERY_MINUTES) {
            self.store.touch_session(&id_hash, end).await?;
            session.expires_at = end;
        }
        Ok(Some(SignedIn { user, session }))
    }

    /// Ends a session: its cookie is worthless from now on.
    pub async fn sign_out(&self, signed_in: &SignedIn) -> Result<()> {
        self.commit(
            &signed_in.actor(),
            "session.delete",
            ("user", &signed_in.user.id),
            None,
            None,
            vec![Op::DeleteSession {
                id_hash: signed_in.session.id_hash.clone(),
            }],
        )
        .await?;
        Ok(())
    }

    /// Deletes expired sessions (the background ticker calls this); returns how many. Not
    /// audited: it is bookkeeping, like sliding a session's expiry.
    pub async fn sweep_sessions(&self) -> Result<u64> {
        Ok(self.store.delete_expired_sessions(self.now()).await?)
    }

    /// Every console user (admins only).
    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        actor.require_admin()?;
        Ok(self.store.users().await?)
    }

    /// Whether any user exists (first-start setup is offered only while none does).
    pub async fn has_users(&self) -> Result<bool> {
        Ok(self.store.user_count().await? > 0)
    }
}

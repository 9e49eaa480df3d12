//! Public ids and secrets, generated in Rust from the operating system's randomness.

use rand::Rng;
use sha2::{Digest, Sha256};

const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// A public id: 12 lowercase base-36 characters, as Statuspage's (about 62 bits).
pub fn new_id() -> String {
    random_string(BASE36, 12)
}

/// Whether `id` has the shape of an id Herald can have stored (1 to 64 ASCII letters, digits,
/// `-` or `_`; Herald makes 12 base-36 characters, audit ids are longer). The store answers
/// "not found" for anything else without asking the database, so no other text (a NUL, a
/// megabyte) reaches a query as an id.
pub fn plausible(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An id that sorts in creation order, for rows read back in order (audit log): the time in
/// milliseconds, then a per-process counter, then randomness.
pub fn sortable_id(at: chrono::DateTime<chrono::Utc>) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff;
    format!(
        "{:012x}{:08x}{}",
        at.timestamp_millis().max(0),
        n,
        random_string(BASE36, 6)
    )
}

/// A secret for a bearer token, session cookie or CSRF token (about 238 bits).
pub fn new_secret(prefix: &str) -> String {
    format!("{prefix}{}", random_string(BASE62, 40))
}

/// Secrets are stored only as this digest (SHA-256: they are long and random, so a slow
/// password hash would add nothing but latency to every API call).
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_look_like_statuspage_ids() {
        let id = super::new_id();
        assert_eq!(id.len(), 12);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_ne!(super::new_id(), id);
        assert!(super::plausible(&id));
        assert!(super::plausible(&super::sortable_id(
            chrono::DateTime::UNIX_EPOCH
        )));
        for bad in ["", "a\0b", "../x", "a b", "é", &"a".repeat(65)] {
            assert!(!super::plausible(bad), "{bad:?}");
        }
    }
}

//! Passwords (argon2), bearer tokens (random, stored hashed), the per-user-name login limiter,
//! and the extractor that turns a bearer token into the user and device it was issued to.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::storage::UserRecord;
use crate::AppState;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
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

/// Burns the same time as a real verification, so an unknown user name answers no faster than a
/// wrong password and the timing gives nothing away.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("knock-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// A new bearer token (what the client keeps) and its hash (what the server keeps).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Counts failed logins per user name within a window; past the limit the name is locked until
/// the window has passed since the first failure. In memory: a restart forgives, which is fine
/// for a limiter whose job is to slow guessing down.
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(minutes to wait)` when the user name is locked.
    pub fn check(&self, username: &str) -> Result<(), u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(username) {
            Some((n, since)) if *n >= self.max_failures && since.elapsed() < self.window => {
                let left = self.window.saturating_sub(since.elapsed());
                Err(left.as_secs().div_ceil(60).max(1))
            }
            _ => Ok(()),
        }
    }

    pub fn fail(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map
            .entry(username.to_owned())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn succeed(&self, username: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(username);
    }
}

/// The caller of an authenticated endpoint: the token's user and the device it was issued to.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: UserRecord,
    pub device_id: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AppError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(AppError::Unauthorized)?
            .trim();
        if token.is_empty() {
            return Err(AppError::Unauthorized);
        }
        let hash = token_hash(token);
        let (user, device_id) = state
            .storage
            .token_owner(&hash)
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok(AuthUser {
            user,
            device_id,
            token_hash: hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse!", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 64);
        assert_eq!(token_hash(&t1), h1);
        assert_ne!(t1, h1);
    }

    #[test]
    fn limiter_locks_after_max_failures_and_success_clears() {
        let l = LoginLimiter::new(3, Duration::from_secs(600));
        for _ in 0..3 {
            assert!(l.check("wang").is_ok());
            l.fail("wang");
        }
        assert_eq!(l.check("wang"), Err(10));
        assert!(l.check("li").is_ok(), "another user name is not locked");
        l.succeed("wang");
        assert!(l.check("wang").is_ok());
    }
}

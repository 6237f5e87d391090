//! Passwords (argon2), bearer tokens (random, stored hashed, ending after an idle period), and
//! the extractor that turns a bearer token into the user and device it was issued to.

use std::sync::Mutex;

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// Whether `password` is the one `hash` (a PHC string) was made of. The check runs in argon2
/// working memory taken from [`MEMORY`] rather than freshly allocated.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    let mut out = vec![0u8; expected.len()];
    let mut memory = MEMORY.take(blocks);
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        &mut memory[..blocks],
    );
    MEMORY.give_back(memory);
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Argon2's working memory, ~19 MiB a check, kept for the next check. Freshly allocated, each
/// freed block stays with the allocator arena of the thread that ran the check, so a server whose
/// checks move between blocking threads grew by 19 MiB an arena; kept here, at most
/// [`PASSWORD_CHECKS`] blocks exist (the permits bound the checks running at once).
static MEMORY: MemoryPool = MemoryPool(Mutex::new(Vec::new()));

struct MemoryPool(Mutex<Vec<Vec<Block>>>);

impl MemoryPool {
    /// Memory of at least `blocks` blocks: a kept one when there is one large enough.
    fn take(&self, blocks: usize) -> Vec<Block> {
        let mut pool = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match pool.iter().position(|m| m.len() >= blocks) {
            Some(i) => pool.swap_remove(i),
            None => vec![Block::new(); blocks],
        }
    }

    fn give_back(&self, memory: Vec<Block>) {
        let mut pool = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < PASSWORD_CHECKS {
            pool.push(memory);
        }
    }
}

/// Burns the same time as a real verification, so an unknown user name answers no faster than a
/// wrong password and the timing gives nothing away.
pub fn verify_against_dummy(password: &str) {
    let _ = verify_password(password, DUMMY_HASH);
}

/// `hash_password("knock-dummy-password")` made once, with the default parameters every stored
/// hash has: written out so no hash is made (outside the kept working memory) at run time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$02Sq7Qpe8yf1em7uwPNOCg$/D1oXi13CtPFMIfyiuDLHNzuR8e7Ybix2I7bGKOcP5g";

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

/// Password checks that may run at once. Each holds ~19 MiB (argon2's default memory cost) on a
/// blocking thread, so this bounds what a flood of logins can take: ~80 MiB. Four rather than
/// the core count so a handful of people logging in at the same moment are all served.
pub const PASSWORD_CHECKS: usize = 4;

/// A token's last use is written again only when it is older than this: most requests (pulls)
/// stay reads, and the idle expiry is exact to within this much.
pub const TOKEN_RENEW_MS: i64 = 60 * 60 * 1000;

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
        let (owner, cover_days) = state
            .storage
            .token_owner_named_by(&hash, crate::cover::COVER_DAYS)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let now = crate::now_ms();
        let idle = now.saturating_sub(owner.last_used_ms);
        if idle > state.config.token_idle_ms() {
            // Answered as a revoked token is, so a device treats both alike: it keeps its data
            // and outbox and asks its user to log in again.
            return Err(AppError::Unauthorized);
        }
        if idle > TOKEN_RENEW_MS {
            state.storage.touch_token(&hash, now).await?;
        }
        Ok(AuthUser {
            user: crate::cover::effective(state.storage.as_ref(), owner.user, cover_days, now)
                .await?,
            device_id: owner.device_id,
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
    fn a_hash_of_other_parameters_still_verifies_and_working_memory_is_reused() {
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let h = small
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse.", &h));
        let default = hash_password("correct horse").unwrap();
        for _ in 0..3 {
            assert!(verify_password("correct horse", &default));
        }
        assert!(MEMORY.0.lock().unwrap().len() <= PASSWORD_CHECKS);
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_a_stored_hash() {
        assert!(verify_password("knock-dummy-password", DUMMY_HASH));
        let real = hash_password("x").unwrap();
        let params = |h: &str| h.split('$').nth(3).unwrap().to_owned();
        assert_eq!(params(DUMMY_HASH), params(&real), "the same time to check");
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
}

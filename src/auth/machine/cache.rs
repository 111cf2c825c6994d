//! A short cache of verified opaque machine tokens (off by default).
//!
//! Verifying an opaque token costs a Backend API round trip; a client that
//! sends the same API key with every request can be answered from memory
//! for a few seconds instead. An entry lives for the configured TTL (at
//! most [`MAX_MACHINE_CACHE_TTL`](super::MAX_MACHINE_CACHE_TTL)) and never
//! past the token's own expiry, so a revoked token keeps working for at
//! most the TTL. Only successes are kept. Tokens are keyed by their SHA-256
//! digest, so the cache holds no secret.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::MachineAuth;
use crate::auth::clock::Clock;

/// Most entries kept; when full, expired entries are dropped, then all.
const MAX_ENTRIES: usize = 10_000;

type Digest = [u8; 32];

/// Shared by an [`Authenticator`](crate::auth::Authenticator)'s clones.
#[derive(Clone)]
pub(crate) struct MachineCache {
    ttl_secs: u64,
    clock: Clock,
    entries: Arc<Mutex<HashMap<Digest, (MachineAuth, u64)>>>,
}

impl MachineCache {
    /// A cache keeping entries `ttl` (capped), timed by `clock` (seconds
    /// since the Unix epoch, as token expiries are).
    pub(crate) fn new(ttl: Duration, clock: Clock) -> Self {
        MachineCache {
            ttl_secs: ttl.min(super::MAX_MACHINE_CACHE_TTL).as_secs(),
            clock,
            entries: Arc::default(),
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        Duration::from_secs(self.ttl_secs)
    }

    fn digest(token: &str) -> Digest {
        let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
        let mut out = [0; 32];
        out.copy_from_slice(digest.as_ref());
        out
    }

    /// The cached verification of `token`, if still fresh.
    pub(crate) fn get(&self, token: &str) -> Option<MachineAuth> {
        let now = (self.clock)();
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(&Self::digest(token)) {
            Some((auth, until)) if now < *until => Some(auth.clone()),
            _ => None,
        }
    }

    /// Keeps a verification for the TTL, or until the token expires.
    pub(crate) fn put(&self, token: &str, auth: &MachineAuth) {
        let now = (self.clock)();
        let until = now
            .saturating_add(self.ttl_secs)
            .min(auth.expires_at.unwrap_or(u64::MAX));
        if until <= now {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, until)| now < *until);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(Self::digest(token), (auth.clone(), until));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenType;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn auth(expires_at: Option<u64>) -> MachineAuth {
        MachineAuth {
            token_type: TokenType::ApiKey,
            id: "ak_1".into(),
            subject: "user_1".into(),
            scopes: vec![],
            claims: None,
            name: None,
            client_id: None,
            expires_at,
        }
    }

    #[test]
    fn entries_end_at_the_ttl_or_the_expiry_whichever_is_first() {
        let now = Arc::new(AtomicU64::new(1000));
        let clock = now.clone();
        let cache = MachineCache::new(
            Duration::from_secs(10),
            Arc::new(move || clock.load(Ordering::SeqCst)),
        );
        cache.put("ak_a", &auth(None));
        cache.put("ak_b", &auth(Some(1005)));
        cache.put("ak_c", &auth(Some(1000)));
        assert!(cache.get("ak_a").is_some() && cache.get("ak_b").is_some());
        assert!(cache.get("ak_c").is_none(), "an expired token is not kept");
        now.store(1005, Ordering::SeqCst);
        assert!(cache.get("ak_a").is_some());
        assert!(cache.get("ak_b").is_none(), "never past the token's expiry");
        now.store(1010, Ordering::SeqCst);
        assert!(cache.get("ak_a").is_none(), "never past the TTL");
        assert!(cache.get("ak_unknown").is_none());
    }

    #[test]
    fn the_ttl_is_capped() {
        let cache = MachineCache::new(Duration::from_secs(86_400), Arc::new(|| 0));
        assert_eq!(cache.ttl(), crate::auth::MAX_MACHINE_CACHE_TTL);
    }
}

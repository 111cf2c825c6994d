//! The instance's JSON Web Key Set, fetched from the Backend API and cached.
//!
//! # Why it is built this way
//!
//! * **One cache per instance.** A [`JwksCache`] belongs to one API URL and
//!   one secret key; its clones share it, nothing else does. There is no
//!   process-wide cache keyed by `kid` alone, so a key of one Clerk instance
//!   can never be used to accept a token for another (a bug some Clerk SDKs
//!   shipped).
//! * **A TTL that hits do not extend.** Keys are refetched when the TTL
//!   (default [`DEFAULT_JWKS_TTL`]) has passed since the *fetch*, however
//!   often the cache was used meanwhile, so a key removed from the set stops
//!   being accepted after at most one TTL.
//! * **Single flight.** When the keys must be (re)fetched, one request goes
//!   out; concurrent verifications wait for it and share its outcome, success
//!   or failure.
//! * **Bounded refresh on unknown `kid`.** A token naming a key that is not
//!   in the set triggers one refetch (Clerk may have rotated its keys), but at
//!   most one such refetch per [`DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL`]
//!   (configurable), so garbage tokens cannot make the server hammer the
//!   Backend API.
//! * **Keys checked once.** Each key is decoded and size-checked when the
//!   set is fetched; the verification
//!   hot path is an uncontended read lock, an `Arc` clone, a hash lookup
//!   and one signature check.
//! * **The secret key stays secret.** It is only sent in the `Authorization`
//!   header (marked sensitive), and [`JwksCache`]'s `Debug` output, logs and
//!   errors never contain it.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use http::HeaderValue;
use serde::Deserialize;

use super::error::{VerifyError, echo};
use super::jwt::Clock;
use super::key::RsaKey;

pub use crate::env::DEFAULT_API_URL;

/// How long a fetched key set is used before it is fetched again: 1 hour.
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(3600);

/// The shortest interval between two refetches caused by tokens naming an
/// unknown `kid`: 60 seconds.
///
/// Short enough that a key rotation is picked up within a minute even in the
/// worst case, long enough that a flood of tokens with made-up `kid`s costs
/// at most one Backend API request a minute.
pub const DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// The default timeout of one key-set request: 10 seconds.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Marks "never" in [`Inner::last_unknown_kid_refresh`].
const NEVER: u64 = u64::MAX;

/// A cache of one Clerk instance's JSON Web Key Set.
///
/// Create it once (per instance) and clone it freely: clones share the
/// cache. Creating a new `JwksCache` per request defeats the cache.
///
/// ```no_run
/// use clerk_backend::auth::{JwksCache, VerifyOptions};
///
/// let http = clerk_backend::tls::http_client()?;
/// let cache = JwksCache::new("https://api.clerk.com/v1", "sk_live_...", http);
/// let options = VerifyOptions::with_jwks(cache);
/// # Ok::<(), clerk_backend::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct JwksCache {
    inner: Arc<Inner>,
}

struct Config {
    api_url: String,
    jwks_url: String,
    /// `Bearer <secret key>`, marked sensitive.
    authorization: HeaderValue,
    http: reqwest::Client,
    ttl_secs: u64,
    unknown_kid_interval_secs: u64,
    fetch_timeout: Duration,
    clock: Clock,
}

struct Inner {
    config: Config,
    /// The current key set; read on every verification.
    current: RwLock<Option<Arc<KeySet>>>,
    /// Incremented (under `fetch`) after every fetch attempt.
    generation: AtomicU64,
    /// Clock value of the last refetch caused by an unknown `kid`.
    last_unknown_kid_refresh: AtomicU64,
    /// Held while fetching: the single flight.
    fetch: tokio::sync::Mutex<FetchState>,
}

#[derive(Default)]
struct FetchState {
    /// The outcome of the last attempt, if it failed.
    last_error: Option<VerifyError>,
}

/// A fetched key set: `kid -> key`, parsed once.
pub(crate) struct KeySet {
    keys: HashMap<String, RsaKey>,
    fetched_at: u64,
}

impl KeySet {
    pub(crate) fn get(&self, kid: &str) -> Option<&RsaKey> {
        self.keys.get(kid)
    }
}

/// Seconds since the first use of the default cache clock: monotonic, so a
/// wall-clock jump neither expires the cache early nor keeps it forever.
fn monotonic_seconds() -> u64 {
    static START: LazyLock<Instant> = LazyLock::new(Instant::now);
    START.elapsed().as_secs()
}

impl JwksCache {
    /// A cache for the instance `client` talks to: its API URL, secret key
    /// and HTTP connection pool.
    ///
    /// ```no_run
    /// use clerk_backend::auth::{JwksCache, VerifyOptions};
    /// let client = clerk_backend::Client::from_env()?;
    /// let options = VerifyOptions::with_jwks(JwksCache::from_client(&client));
    /// # Ok::<(), clerk_backend::ConfigError>(())
    /// ```
    pub fn from_client(client: &crate::Client) -> Self {
        Self::new(
            client.base_url(),
            client.secret_key().expose(),
            client.http_client().clone(),
        )
    }

    /// A cache for the instance behind `api_url` (e.g.
    /// [`DEFAULT_API_URL`]) and `secret_key`, fetching with `http`.
    ///
    /// Nothing is fetched until the first verification (or
    /// [`JwksCache::refresh`]). Build `http` with
    /// [`tls::http_client_builder`](crate::tls::http_client_builder) (or
    /// take [`Client::http_client`](crate::Client::http_client)): with the
    /// default features, `reqwest::Client::new()` has no TLS crypto provider
    /// (see [`tls`](crate::tls)).
    pub fn new(
        api_url: impl Into<String>,
        secret_key: impl AsRef<str>,
        http: reqwest::Client,
    ) -> Self {
        let api_url = api_url.into();
        let api_url = api_url.trim_end_matches('/').to_owned();
        let jwks_url = format!("{api_url}/jwks");
        // A key that cannot be sent in a header (a newline, say) is replaced
        // by a placeholder: fetches then fail with 401 and a KeyFetch error.
        let mut authorization = HeaderValue::from_str(&format!(
            "Bearer {}",
            secret_key.as_ref().trim()
        ))
        .unwrap_or_else(|_| {
            tracing::warn!(
                api_url = %api_url,
                "the Clerk secret key contains characters that cannot be sent in an HTTP header"
            );
            HeaderValue::from_static("Bearer invalid-secret-key")
        });
        authorization.set_sensitive(true);
        let config = Config {
            api_url,
            jwks_url,
            authorization,
            http,
            ttl_secs: DEFAULT_JWKS_TTL.as_secs(),
            unknown_kid_interval_secs: DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL.as_secs(),
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            clock: Arc::new(monotonic_seconds),
        };
        Self::from_config(config)
    }

    fn from_config(config: Config) -> Self {
        JwksCache {
            inner: Arc::new(Inner {
                config,
                current: RwLock::new(None),
                generation: AtomicU64::new(0),
                last_unknown_kid_refresh: AtomicU64::new(NEVER),
                fetch: tokio::sync::Mutex::new(FetchState::default()),
            }),
        }
    }

    /// Rebuilds the cache with a changed configuration. The result is a new,
    /// empty cache that does not share with `self` or its clones; call the
    /// `with_*` methods right after [`JwksCache::new`].
    fn reconfigure(self, change: impl FnOnce(&mut Config)) -> Self {
        let old = &self.inner.config;
        let mut config = Config {
            api_url: old.api_url.clone(),
            jwks_url: old.jwks_url.clone(),
            authorization: old.authorization.clone(),
            http: old.http.clone(),
            ttl_secs: old.ttl_secs,
            unknown_kid_interval_secs: old.unknown_kid_interval_secs,
            fetch_timeout: old.fetch_timeout,
            clock: old.clock.clone(),
        };
        change(&mut config);
        Self::from_config(config)
    }

    /// Sets how long a fetched key set is used (default
    /// [`DEFAULT_JWKS_TTL`], whole seconds). Using the cache does not extend
    /// it.
    pub fn with_ttl(self, ttl: Duration) -> Self {
        self.reconfigure(|c| c.ttl_secs = ttl.as_secs())
    }

    /// Sets the shortest interval between two refetches caused by an unknown
    /// `kid` (default [`DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL`], whole
    /// seconds).
    pub fn with_unknown_kid_refresh_interval(self, interval: Duration) -> Self {
        self.reconfigure(|c| c.unknown_kid_interval_secs = interval.as_secs())
    }

    /// Sets the timeout of one key-set request (default
    /// [`DEFAULT_FETCH_TIMEOUT`]).
    pub fn with_fetch_timeout(self, timeout: Duration) -> Self {
        self.reconfigure(|c| c.fetch_timeout = timeout)
    }

    /// Replaces the cache's clock, a monotonic count of seconds used for the
    /// TTL and the refresh interval (for tests).
    pub fn with_clock(self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        let clock: Clock = Arc::new(clock);
        self.reconfigure(|c| c.clock = clock)
    }

    /// The Backend API base URL this cache fetches from.
    pub fn api_url(&self) -> &str {
        &self.inner.config.api_url
    }

    /// The `kid`s of the cached key set (empty before the first fetch),
    /// sorted.
    pub fn cached_kids(&self) -> Vec<String> {
        let mut kids: Vec<String> = self
            .current()
            .map(|set| set.keys.keys().cloned().collect())
            .unwrap_or_default();
        kids.sort();
        kids
    }

    /// Fetches the key set now, e.g. at startup so that the first request
    /// does not wait. Concurrent verifications share this fetch.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        let mut state = self.inner.fetch.lock().await;
        self.fetch_and_store(&mut state).await.map(|_| ())
    }

    fn current(&self) -> Option<Arc<KeySet>> {
        // A poisoned lock only means a panic elsewhere while swapping an Arc;
        // the value is still consistent.
        match self.inner.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn is_fresh(&self, set: &KeySet, now: u64) -> bool {
        now.saturating_sub(set.fetched_at) < self.inner.config.ttl_secs
    }

    fn unknown_kid_refresh_allowed(&self, now: u64) -> bool {
        let last = self.inner.last_unknown_kid_refresh.load(Ordering::Acquire);
        last == NEVER || now.saturating_sub(last) >= self.inner.config.unknown_kid_interval_secs
    }

    /// The key set to verify a token with key `kid`: the cached one when it
    /// is fresh and has `kid`, else after a (single-flight, rate-limited)
    /// refetch.
    pub(crate) async fn key_set_for(&self, kid: &str) -> Result<Arc<KeySet>, VerifyError> {
        // Read the generation before looking at the set, so that a fetch
        // completing in between is noticed after taking the lock.
        let seen_generation = self.inner.generation.load(Ordering::Acquire);
        let now = (self.inner.config.clock)();
        if let Some(set) = self.current()
            && self.is_fresh(&set, now)
        {
            if set.keys.contains_key(kid) {
                return Ok(set);
            }
            if !self.unknown_kid_refresh_allowed(now) {
                return Err(VerifyError::UnknownKey { kid: echo(kid) });
            }
        }
        self.refresh_for(kid, seen_generation).await
    }

    async fn refresh_for(
        &self,
        kid: &str,
        seen_generation: u64,
    ) -> Result<Arc<KeySet>, VerifyError> {
        let mut state = self.inner.fetch.lock().await;
        let now = (self.inner.config.clock)();
        let unknown = || VerifyError::UnknownKey { kid: echo(kid) };

        if self.inner.generation.load(Ordering::Acquire) != seen_generation {
            // Someone fetched while we waited: share that outcome.
            if let Some(error) = &state.last_error {
                return Err(error.clone());
            }
            if let Some(set) = self.current()
                && self.is_fresh(&set, now)
            {
                return if set.keys.contains_key(kid) {
                    Ok(set)
                } else {
                    Err(unknown())
                };
            }
        }

        // Decide again under the lock.
        if let Some(set) = self.current()
            && self.is_fresh(&set, now)
        {
            if set.keys.contains_key(kid) {
                return Ok(set);
            }
            if !self.unknown_kid_refresh_allowed(now) {
                return Err(unknown());
            }
            tracing::debug!(
                api_url = %self.inner.config.api_url,
                kid = %echo(kid),
                "session token names an unknown key; refetching the JWKS"
            );
            self.inner
                .last_unknown_kid_refresh
                .store(now, Ordering::Release);
        }

        let set = self.fetch_and_store(&mut state).await?;
        if set.keys.contains_key(kid) {
            Ok(set)
        } else {
            Err(unknown())
        }
    }

    /// Fetches the key set and stores it (or the error); the caller holds
    /// the fetch lock.
    async fn fetch_and_store(&self, state: &mut FetchState) -> Result<Arc<KeySet>, VerifyError> {
        let result = self.fetch().await;
        let outcome = match result {
            Ok(set) => {
                let set = Arc::new(set);
                match self.inner.current.write() {
                    Ok(mut guard) => *guard = Some(set.clone()),
                    Err(poisoned) => *poisoned.into_inner() = Some(set.clone()),
                }
                state.last_error = None;
                Ok(set)
            }
            Err(error) => {
                tracing::warn!(
                    api_url = %self.inner.config.api_url,
                    %error,
                    "fetching the JWKS failed"
                );
                state.last_error = Some(error.clone());
                Err(error)
            }
        };
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        outcome
    }

    async fn fetch(&self) -> Result<KeySet, VerifyError> {
        let config = &self.inner.config;
        tracing::debug!(api_url = %config.api_url, "fetching the JWKS");
        let response = config
            .http
            .get(&config.jwks_url)
            .header(http::header::AUTHORIZATION, config.authorization.clone())
            .header(http::header::ACCEPT, "application/json")
            .timeout(config.fetch_timeout)
            .send()
            .await
            .map_err(|e| {
                VerifyError::KeyFetch(format!("request to {} failed: {e}", config.jwks_url))
            })?;
        let status = response.status();
        if !status.is_success() {
            let hint = match status.as_u16() {
                401 | 403 => " (check the secret key)",
                _ => "",
            };
            return Err(VerifyError::KeyFetch(format!(
                "{} answered HTTP {status}{hint}",
                config.jwks_url
            )));
        }
        let body = response.bytes().await.map_err(|e| {
            VerifyError::KeyFetch(format!(
                "reading the response of {} failed: {e}",
                config.jwks_url
            ))
        })?;
        let keys = parse_jwks(&body)?;
        Ok(KeySet {
            keys,
            fetched_at: (config.clock)(),
        })
    }
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("JwksCache")
            .field("api_url", &config.api_url)
            .field("secret_key", &"[redacted]")
            .field("ttl_secs", &config.ttl_secs)
            .field(
                "unknown_kid_refresh_interval_secs",
                &config.unknown_kid_interval_secs,
            )
            .field("cached_kids", &self.cached_kids())
            .finish()
    }
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<serde_json::Value>,
}

/// One JSON Web Key; fields other than these are ignored.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

/// Parses a JWKS document into `kid -> key` for the usable RS256 signing
/// keys; other keys are skipped.
pub(crate) fn parse_jwks(body: &[u8]) -> Result<HashMap<String, RsaKey>, VerifyError> {
    let document: JwksDocument = serde_json::from_slice(body)
        .map_err(|e| VerifyError::KeyFetch(format!("the JWKS response is not a key set: {e}")))?;
    let mut keys = HashMap::with_capacity(document.keys.len());
    for value in document.keys {
        let Ok(jwk) = serde_json::from_value::<RawJwk>(value) else {
            tracing::debug!("skipping a malformed JWK");
            continue;
        };
        let usable = jwk.kty == "RSA"
            && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
            && jwk.use_.as_deref().is_none_or(|u| u == "sig");
        let (true, Some(kid), Some(n), Some(e)) = (usable, jwk.kid, jwk.n, jwk.e) else {
            tracing::debug!("skipping a JWK that is not an RS256 signing key with a kid");
            continue;
        };
        match rsa_key_from_components(&n, &e) {
            Ok(key) => {
                keys.insert(kid, key);
            }
            Err(reason) => tracing::warn!(kid = %echo(&kid), %reason, "skipping an invalid JWK"),
        }
    }
    if keys.is_empty() {
        return Err(VerifyError::KeyFetch(
            "the JWKS contains no usable RS256 key".into(),
        ));
    }
    Ok(keys)
}

/// An RSA public key from base64url `n` and `e`, checked for plausible
/// sizes (2048 to 8192 bits).
fn rsa_key_from_components(n: &str, e: &str) -> Result<RsaKey, String> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let n = engine.decode(n).map_err(|_| "modulus is not base64url")?;
    let e = engine.decode(e).map_err(|_| "exponent is not base64url")?;
    RsaKey::from_components(&n, &e)
}

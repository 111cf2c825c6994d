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
//!   being accepted after at most one TTL (while Clerk's API answers; see
//!   the next point).
//! * **Signed-in users stay signed in while Clerk is down.** When a refetch
//!   fails because Clerk cannot be reached or is failing (connection
//!   refused or reset, timeout, HTTP 408, 429 or 5xx), the keys already held
//!   have not changed, so the cache keeps verifying with them for a bounded
//!   grace period past the TTL (default [`DEFAULT_STALE_IF_ERROR`],
//!   [`JwksCache::with_stale_if_error`]). Without it, an outage of Clerk's
//!   API becomes an outage of every application one TTL later. Serving
//!   stale keys is visible: a `tracing` warning at most once a minute, and
//!   [`JwksCache::is_stale`].
//! * **Fail closed where it matters.** Stale keys are never served after
//!   Clerk *answered* no: a 401/403 (a revoked or wrong secret key), any
//!   other 4xx, or a response that is not a key set; nor after a later
//!   outage, until a fetch succeeds again. A token naming a `kid`
//!   the cached set does not have needs a successful fetch; during an
//!   outage it fails at once with [`VerifyError::KeyFetch`] (a server-side
//!   error, 503 in the integrations), never with a stale guess.
//! * **No waiting on a dead API.** After a failed fetch, further fetches
//!   back off: about 5 s, doubling up to 5 minutes, each wait shortened by
//!   a random fifth so that servers that failed together do not retry
//!   together. Meanwhile verifications answer from the cache (stale keys,
//!   or the last error when there are none) without touching the network,
//!   and while an outage is known a verification never waits for another's
//!   retry either. Once Clerk answers again, the first attempt after the
//!   backoff makes the set fresh.
//! * **Single flight.** At most one request is out at a time; concurrent
//!   verifications that need it wait for it and share its outcome, success
//!   or failure (unless an outage is already known, see above).
//! * **Bounded refresh on unknown `kid`.** A token naming a key that is not
//!   in the set triggers one refetch (Clerk may have rotated its keys), but at
//!   most one such refetch per [`DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL`]
//!   (configurable), so garbage tokens cannot make the server hammer the
//!   Backend API.
//! * **Keys checked once.** Each key is decoded and size-checked when the
//!   set is fetched; the verification
//!   hot path is an uncontended read lock, an `Arc` clone, a hash lookup
//!   and one signature check.
//! * **One way to the Backend API.** The set is fetched like every call
//!   auth makes while a request waits: through the client's execution path
//!   (its `User-Agent`, `Clerk-API-Version` and tracing span) with auth's
//!   short retry policy, one quick retry of a failed connection, timeout,
//!   429 or 5xx within 2 s.
//! * **The secret key stays secret.** It is only sent in the `Authorization`
//!   header (marked sensitive), and [`JwksCache`]'s `Debug` output, logs and
//!   errors never contain it.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use base64::Engine as _;
use http::StatusCode;
use serde::Deserialize;

use super::backend::BackendApi;
use super::clock::{Clock, monotonic_seconds};
use super::error::{VerifyError, echo};
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

/// How long past its TTL a key set is still used while Clerk's API cannot
/// be reached: 24 hours.
///
/// Long enough to ride out any outage Clerk has had, short enough that a
/// server cut off from Clerk for good stops accepting tokens within a day.
pub const DEFAULT_STALE_IF_ERROR: Duration = Duration::from_secs(24 * 3600);

/// The wait after the first failed fetch, in seconds.
const BACKOFF_INITIAL_SECS: u64 = 5;

/// The longest wait between two fetch attempts, in seconds.
const BACKOFF_MAX_SECS: u64 = 300;

/// The shortest interval between two warnings about stale keys, in seconds.
const STALE_WARNING_INTERVAL_SECS: u64 = 60;

/// Marks "never" in the clock-valued atomics of [`Inner`].
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
    /// The Backend API, through which the set is fetched (`GET /jwks`, with
    /// auth's short timeout and retry policy); or why it cannot be (a
    /// secret key that is not a valid header, a URL that is not http(s)).
    api: Result<BackendApi, String>,
    ttl_secs: u64,
    unknown_kid_interval_secs: u64,
    stale_if_error_secs: u64,
    fetch_timeout: Duration,
    clock: Clock,
}

struct Inner {
    config: Config,
    /// The key set and the last failure; read on every verification.
    state: RwLock<CacheState>,
    /// Incremented (under `fetch`) after every fetch attempt.
    generation: AtomicU64,
    /// Clock value of the last refetch caused by an unknown `kid`.
    last_unknown_kid_refresh: AtomicU64,
    /// Clock value of the last warning about stale keys.
    last_stale_warning: AtomicU64,
    /// Held while fetching: the single flight.
    fetch: tokio::sync::Mutex<()>,
}

/// What the cache holds; written only by the fetch that holds the lock.
#[derive(Clone, Default)]
struct CacheState {
    set: Option<Arc<KeySet>>,
    /// Present while the last fetch attempt failed; a successful one
    /// removes it.
    outage: Option<Arc<Outage>>,
}

/// The last fetch attempt failed.
struct Outage {
    error: VerifyError,
    kind: FailureKind,
    /// Consecutive failed attempts.
    failures: u32,
    /// No fetch for a verification before this clock value (the backoff).
    retry_at: u64,
}

/// Whether a failed fetch allows the cache to serve stale keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    /// Clerk could not be reached or is failing (transport error, timeout,
    /// 408, 429, 5xx): the keys held are still Clerk's latest word.
    Unavailable,
    /// Clerk answered, and the answer is no (401/403, other statuses, not a
    /// key set): fail closed.
    Rejected,
}

/// A failed fetch: the error verifications see, and its kind.
struct FetchFailure {
    error: VerifyError,
    kind: FailureKind,
}

impl FetchFailure {
    fn unavailable(message: String) -> Self {
        FetchFailure {
            error: VerifyError::KeyFetch(message),
            kind: FailureKind::Unavailable,
        }
    }

    fn rejected(error: VerifyError) -> Self {
        FetchFailure {
            error,
            kind: FailureKind::Rejected,
        }
    }
}

/// The kind of failure an HTTP error status is: only statuses that say
/// "try again later" allow stale keys.
fn failure_kind(status: StatusCode) -> FailureKind {
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        FailureKind::Unavailable
    } else {
        FailureKind::Rejected
    }
}

/// The wait, in seconds, before the next fetch after `failures`
/// consecutive failed ones: 5 s doubling up to 300 s, shortened by up to a
/// fifth (`random` picks how much) so that servers that failed together
/// spread their retries. Never longer than the nominal wait, so a test
/// that advances the clock by it always reaches the next attempt.
fn backoff_secs(failures: u32, random: u64) -> u64 {
    let doublings = failures.saturating_sub(1).min(16);
    let nominal = BACKOFF_INITIAL_SECS
        .saturating_mul(1 << doublings)
        .min(BACKOFF_MAX_SECS);
    nominal - random % (nominal / 5 + 1)
}

/// A random number for the backoff jitter: std's per-map random keys,
/// which differ on every call.
fn jitter_seed() -> u64 {
    RandomState::new().hash_one(0u8)
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

    fn has(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }
}

/// What a verification does next.
enum Plan {
    /// Answer from the cache.
    Answer(Answer),
    /// Fetch the key set (under the single-flight lock).
    Fetch {
        /// The fetch is caused by an unknown `kid` in a fresh set (and is
        /// rate-limited as such).
        unknown_kid: bool,
    },
}

/// An answer from the cache, without the network.
enum Answer {
    /// A fresh key set (or one just fetched) that has the `kid`.
    Use(Arc<KeySet>),
    /// A key set past its TTL, used because Clerk cannot be reached.
    UseStale(Arc<KeySet>, Arc<Outage>),
    /// A rejection: the `kid` is unknown, or the keys are unavailable.
    Fail(VerifyError),
}

impl JwksCache {
    /// A cache for the instance `client` talks to, fetching through it: its
    /// API URL, secret key, connection pool, `User-Agent`, API version and
    /// extra headers (with auth's own short timeout and retry policy).
    ///
    /// ```no_run
    /// use clerk_backend::auth::{JwksCache, VerifyOptions};
    /// let client = clerk_backend::Client::from_env()?;
    /// let options = VerifyOptions::with_jwks(JwksCache::from_client(&client));
    /// # Ok::<(), clerk_backend::ConfigError>(())
    /// ```
    pub fn from_client(client: &crate::Client) -> Self {
        Self::with_api(client.base_url(), Ok(BackendApi::new(client.clone())))
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
        // The client's own headers (User-Agent, the API version it
        // speaks); a key or URL it cannot send makes every fetch fail with
        // a KeyFetch error saying why (never with the key).
        let api = crate::Client::builder(secret_key.as_ref().trim())
            .base_url(api_url.clone())
            .http_client(http)
            .build()
            .map(BackendApi::new)
            .map_err(|e| {
                tracing::warn!(api_url = %api_url, error = %e, "the JWKS cannot be fetched");
                e.to_string()
            });
        Self::with_api(&api_url, api)
    }

    fn with_api(api_url: &str, api: Result<BackendApi, String>) -> Self {
        let api_url = api_url.trim_end_matches('/').to_owned();
        let jwks_url = format!("{api_url}/jwks");
        let api = api.map(|api| api.with_timeout(DEFAULT_FETCH_TIMEOUT));
        let config = Config {
            api_url,
            jwks_url,
            api,
            ttl_secs: DEFAULT_JWKS_TTL.as_secs(),
            unknown_kid_interval_secs: DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL.as_secs(),
            stale_if_error_secs: DEFAULT_STALE_IF_ERROR.as_secs(),
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            clock: Arc::new(monotonic_seconds),
        };
        Self::from_config(config)
    }

    fn from_config(config: Config) -> Self {
        JwksCache {
            inner: Arc::new(Inner {
                config,
                state: RwLock::new(CacheState::default()),
                generation: AtomicU64::new(0),
                last_unknown_kid_refresh: AtomicU64::new(NEVER),
                last_stale_warning: AtomicU64::new(NEVER),
                fetch: tokio::sync::Mutex::new(()),
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
            api: old.api.clone(),
            ttl_secs: old.ttl_secs,
            unknown_kid_interval_secs: old.unknown_kid_interval_secs,
            stale_if_error_secs: old.stale_if_error_secs,
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

    /// Sets how long past its TTL the key set is still used while refetches
    /// fail because Clerk cannot be reached or is failing (default
    /// [`DEFAULT_STALE_IF_ERROR`], whole seconds). `Duration::ZERO` turns
    /// stale keys off: every verification fails once the TTL has passed and
    /// the refetch failed.
    ///
    /// A refetch answered with 401/403 (or any other answer that is not
    /// "try again later") never lets stale keys be used.
    ///
    /// ```
    /// use std::time::Duration;
    /// use clerk_backend::auth::JwksCache;
    ///
    /// let http = clerk_backend::tls::http_client()?;
    /// // Ride out Clerk outages of up to 6 hours past the TTL.
    /// let cache = JwksCache::new("https://api.clerk.com/v1", "sk_live_...", http)
    ///     .with_stale_if_error(Duration::from_secs(6 * 3600));
    /// assert!(!cache.is_stale());
    /// # Ok::<(), clerk_backend::ConfigError>(())
    /// ```
    pub fn with_stale_if_error(self, grace: Duration) -> Self {
        self.reconfigure(|c| c.stale_if_error_secs = grace.as_secs())
    }

    /// Sets the timeout of one key-set request (default
    /// [`DEFAULT_FETCH_TIMEOUT`]).
    pub fn with_fetch_timeout(self, timeout: Duration) -> Self {
        self.reconfigure(|c| {
            c.fetch_timeout = timeout;
            c.api = c.api.clone().map(|api| api.with_timeout(timeout));
        })
    }

    /// Replaces the cache's clock, a monotonic count of seconds used for the
    /// TTL, the stale grace period, the refresh interval and the backoff
    /// (for tests).
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
            .state()
            .set
            .map(|set| set.keys.keys().cloned().collect())
            .unwrap_or_default();
        kids.sort();
        kids
    }

    /// Whether verifications are being answered with a key set past its
    /// TTL because Clerk's API cannot be reached (see
    /// [`JwksCache::with_stale_if_error`]).
    ///
    /// `false` while the set is fresh, before the first fetch, once a
    /// refetch succeeded, and after the grace period or a 401/403 (then
    /// verifications fail instead). Useful for a health check that reports
    /// "degraded" rather than "down".
    pub fn is_stale(&self) -> bool {
        let now = self.now();
        match self.state() {
            CacheState {
                set: Some(set),
                outage: Some(outage),
            } => !self.is_fresh(&set, now) && self.stale_usable(&set, &outage, now),
            _ => false,
        }
    }

    /// Fetches the key set now, e.g. at startup so that the first request
    /// does not wait. Concurrent verifications share this fetch. An explicit
    /// refresh does not wait for the backoff after failed fetches.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        let _flight = self.inner.fetch.lock().await;
        self.fetch_and_store().await.map(|_| ())
    }

    fn now(&self) -> u64 {
        (self.inner.config.clock)()
    }

    fn state(&self) -> CacheState {
        // A poisoned lock only means a panic elsewhere while swapping Arcs;
        // the value is still consistent.
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn update<R>(&self, change: impl FnOnce(&mut CacheState) -> R) -> R {
        let mut state = self
            .inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        change(&mut state)
    }

    fn is_fresh(&self, set: &KeySet, now: u64) -> bool {
        now.saturating_sub(set.fetched_at) < self.inner.config.ttl_secs
    }

    /// Whether `set` may still be used although refetching it failed.
    fn stale_usable(&self, set: &KeySet, outage: &Outage, now: u64) -> bool {
        let config = &self.inner.config;
        let usable_for = config.ttl_secs.saturating_add(config.stale_if_error_secs);
        outage.kind == FailureKind::Unavailable && now.saturating_sub(set.fetched_at) < usable_for
    }

    fn unknown_kid_refresh_allowed(&self, now: u64) -> bool {
        let last = self.inner.last_unknown_kid_refresh.load(Ordering::Acquire);
        last == NEVER || now.saturating_sub(last) >= self.inner.config.unknown_kid_interval_secs
    }

    /// The key set to verify a token with key `kid`: the cached one when it
    /// is fresh and has `kid`, else after a (single-flight, rate-limited,
    /// backed-off) refetch, else stale keys while Clerk cannot be reached.
    pub(crate) async fn key_set_for(&self, kid: &str) -> Result<Arc<KeySet>, VerifyError> {
        // Read the generation before looking at the set, so that a fetch
        // completing in between is noticed after taking the lock.
        let seen_generation = self.inner.generation.load(Ordering::Acquire);
        let now = self.now();
        let state = self.state();
        match self.plan(&state, kid, now) {
            Plan::Answer(answer) => self.answer(answer, now),
            Plan::Fetch { .. } => {
                self.fetch_for(kid, seen_generation, state.outage.is_some())
                    .await
            }
        }
    }

    /// Decides, from the cache alone, whether a verification of `kid` may
    /// fetch or must answer from the cache.
    fn plan(&self, state: &CacheState, kid: &str, now: u64) -> Plan {
        if let Some(set) = &state.set
            && self.is_fresh(set, now)
            && set.has(kid)
        {
            return Plan::Answer(Answer::Use(set.clone()));
        }
        let backing_off = state.outage.as_ref().is_some_and(|o| now < o.retry_at);
        match &state.set {
            _ if backing_off => Plan::Answer(self.answer_without_fetch(state, kid, now)),
            Some(set) if self.is_fresh(set, now) => {
                if self.unknown_kid_refresh_allowed(now) {
                    Plan::Fetch { unknown_kid: true }
                } else {
                    Plan::Answer(self.answer_without_fetch(state, kid, now))
                }
            }
            _ => Plan::Fetch { unknown_kid: false },
        }
    }

    /// The answer for `kid` from what the cache holds, when no fetch may
    /// run: the fresh set, stale keys while Clerk cannot be reached, or the
    /// reason there is no key.
    fn answer_without_fetch(&self, state: &CacheState, kid: &str, now: u64) -> Answer {
        let unknown = || VerifyError::UnknownKey { kid: echo(kid) };
        match (&state.set, &state.outage) {
            // During an outage an unknown kid could be a rotation we cannot
            // see: a server-side error, not a verdict on the token.
            (Some(set), outage) if self.is_fresh(set, now) => match (set.has(kid), outage) {
                (true, _) => Answer::Use(set.clone()),
                (false, Some(outage)) => Answer::Fail(outage.error.clone()),
                (false, None) => Answer::Fail(unknown()),
            },
            (Some(set), Some(outage)) if self.stale_usable(set, outage, now) => {
                if set.has(kid) {
                    Answer::UseStale(set.clone(), outage.clone())
                } else {
                    Answer::Fail(outage.error.clone())
                }
            }
            (_, Some(outage)) => Answer::Fail(outage.error.clone()),
            // Only after another verification's fetch just succeeded (with
            // a TTL so short that the set is already past it): share it.
            (Some(set), None) if set.has(kid) => Answer::Use(set.clone()),
            (Some(_), None) => Answer::Fail(unknown()),
            (None, None) => Answer::Fail(VerifyError::KeyFetch(
                "the key set has not been fetched yet".into(),
            )),
        }
    }

    fn answer(&self, answer: Answer, now: u64) -> Result<Arc<KeySet>, VerifyError> {
        match answer {
            Answer::Use(set) => Ok(set),
            Answer::UseStale(set, outage) => {
                self.warn_stale(&set, &outage, now);
                Ok(set)
            }
            Answer::Fail(error) => Err(error),
        }
    }

    /// The answer for `kid` from the cache as it is now.
    fn answer_from_cache(&self, kid: &str) -> Result<Arc<KeySet>, VerifyError> {
        let now = self.now();
        self.answer(self.answer_without_fetch(&self.state(), kid, now), now)
    }

    /// Fetches for a verification of `kid`, one fetch at a time. While an
    /// outage is known, a verification does not wait for another's retry:
    /// it answers from the cache at once.
    async fn fetch_for(
        &self,
        kid: &str,
        seen_generation: u64,
        outage_known: bool,
    ) -> Result<Arc<KeySet>, VerifyError> {
        let _flight = if outage_known {
            match self.inner.fetch.try_lock() {
                Ok(flight) => flight,
                Err(_) => return self.answer_from_cache(kid),
            }
        } else {
            self.inner.fetch.lock().await
        };
        if self.inner.generation.load(Ordering::Acquire) != seen_generation {
            // Someone fetched while we waited: share that outcome.
            return self.answer_from_cache(kid);
        }
        let now = self.now();
        match self.plan(&self.state(), kid, now) {
            Plan::Answer(answer) => self.answer(answer, now),
            Plan::Fetch { unknown_kid } => {
                if unknown_kid {
                    self.note_unknown_kid_refresh(kid, now);
                }
                self.fetch_and_answer(kid).await
            }
        }
    }

    fn note_unknown_kid_refresh(&self, kid: &str, now: u64) {
        tracing::debug!(
            api_url = %self.inner.config.api_url,
            kid = %echo(kid),
            "session token names an unknown key; refetching the JWKS"
        );
        self.inner
            .last_unknown_kid_refresh
            .store(now, Ordering::Release);
    }

    /// Fetches (the caller holds the fetch lock), then answers for `kid`:
    /// from the new set, or from the cache under the outage rules.
    async fn fetch_and_answer(&self, kid: &str) -> Result<Arc<KeySet>, VerifyError> {
        match self.fetch_and_store().await {
            Ok(set) if set.has(kid) => Ok(set),
            Ok(_) => Err(VerifyError::UnknownKey { kid: echo(kid) }),
            Err(_) => self.answer_from_cache(kid),
        }
    }

    /// Fetches the key set and stores it (or the failure); the caller holds
    /// the fetch lock.
    async fn fetch_and_store(&self) -> Result<Arc<KeySet>, VerifyError> {
        let outcome = match self.fetch().await {
            Ok(set) => Ok(self.store_set(set)),
            Err(failure) => Err(self.store_failure(failure)),
        };
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        outcome
    }

    fn store_set(&self, set: KeySet) -> Arc<KeySet> {
        let set = Arc::new(set);
        let recovered = self.update(|state| {
            state.set = Some(set.clone());
            state.outage.take().is_some()
        });
        if recovered {
            tracing::info!(
                api_url = %self.inner.config.api_url,
                "fetched the JWKS again after failed attempts; the key set is fresh"
            );
        }
        set
    }

    /// Records a failed fetch and when the next one may run; returns its
    /// error.
    fn store_failure(&self, failure: FetchFailure) -> VerifyError {
        let now = self.now();
        let outage = self.update(|state| {
            let previous = state.outage.as_ref();
            let failures = previous.map_or(1, |o| o.failures.saturating_add(1));
            // Once Clerk answered no, only a successful fetch allows stale
            // keys again: an outage after a 401 does not undo the 401.
            let kind = match previous {
                Some(o) if o.kind == FailureKind::Rejected => FailureKind::Rejected,
                _ => failure.kind,
            };
            let outage = Arc::new(Outage {
                error: failure.error,
                kind,
                failures,
                retry_at: now.saturating_add(backoff_secs(failures, jitter_seed())),
            });
            state.outage = Some(outage.clone());
            outage
        });
        tracing::warn!(
            api_url = %self.inner.config.api_url,
            error = %outage.error,
            failures = outage.failures,
            stale_keys_allowed = outage.kind == FailureKind::Unavailable,
            retry_in_secs = outage.retry_at.saturating_sub(now),
            "fetching the JWKS failed"
        );
        outage.error.clone()
    }

    /// Warns that stale keys are in use, at most once per
    /// [`STALE_WARNING_INTERVAL_SECS`] (shared by the cache's clones).
    fn warn_stale(&self, set: &KeySet, outage: &Outage, now: u64) {
        let last = self.inner.last_stale_warning.load(Ordering::Acquire);
        if last != NEVER && now.saturating_sub(last) < STALE_WARNING_INTERVAL_SECS {
            return;
        }
        let claimed = self.inner.last_stale_warning.compare_exchange(
            last,
            now,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        if claimed.is_err() {
            return; // another verification warns
        }
        let config = &self.inner.config;
        let age = now.saturating_sub(set.fetched_at);
        let usable_for = config.ttl_secs.saturating_add(config.stale_if_error_secs);
        tracing::warn!(
            api_url = %config.api_url,
            key_set_age_secs = age,
            stale_for_at_most_secs = usable_for.saturating_sub(age),
            error = %outage.error,
            "verifying session tokens with a stale JWKS: Clerk's API cannot be reached"
        );
    }

    async fn fetch(&self) -> Result<KeySet, FetchFailure> {
        let config = &self.inner.config;
        tracing::debug!(api_url = %config.api_url, "fetching the JWKS");
        let api = config.api.as_ref().map_err(|reason| {
            FetchFailure::rejected(VerifyError::KeyFetch(format!(
                "{} cannot be fetched: {reason}",
                config.jwks_url
            )))
        })?;
        // Through the Backend API interface: the client's headers (the API
        // version it speaks, as on every other call) and auth's hot-path
        // policy (one quick retry of a failed connection, timeout, 429 or
        // 5xx within a 2 s budget). The cache's own backoff spaces fetches.
        let answer = api.get("GetJWKS", "/jwks").await.map_err(|e| {
            FetchFailure::unavailable(format!("request to {} {}", config.jwks_url, e.0))
        })?;
        if !answer.status.is_success() {
            return Err(self.status_failure(answer.status));
        }
        let keys = parse_jwks(&answer.body).map_err(FetchFailure::rejected)?;
        Ok(KeySet {
            keys,
            fetched_at: self.now(),
        })
    }

    fn status_failure(&self, status: StatusCode) -> FetchFailure {
        let hint = match status.as_u16() {
            401 | 403 => " (check the secret key)",
            _ => "",
        };
        FetchFailure {
            error: VerifyError::KeyFetch(format!(
                "{} answered HTTP {status}{hint}",
                self.inner.config.jwks_url
            )),
            kind: failure_kind(status),
        }
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
            .field("stale_if_error_secs", &config.stale_if_error_secs)
            .field("fetch_timeout", &config.fetch_timeout)
            .field("cached_kids", &self.cached_kids())
            .field("stale", &self.is_stale())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_near_five_seconds_and_grows_to_five_minutes() {
        let nominal = [5, 10, 20, 40, 80, 160, 300, 300];
        for (failures, nominal) in (1..).zip(nominal) {
            for random in [0, 1, 2, 3, 7, 59, 1 << 40, u64::MAX] {
                let wait = backoff_secs(failures, random);
                assert!(
                    wait <= nominal && wait >= nominal - nominal / 5,
                    "{failures} failures, random {random}: {wait} s"
                );
            }
        }
        // No zero, overflow or panic at the extremes.
        assert_eq!(backoff_secs(0, 0), 5);
        assert!((240..=300).contains(&backoff_secs(u32::MAX, u64::MAX)));
    }

    #[test]
    fn backoff_jitter_spreads_retries() {
        let waits: std::collections::HashSet<u64> =
            (0..64).map(|_| backoff_secs(7, jitter_seed())).collect();
        assert!(waits.len() > 1, "{waits:?}");
    }

    #[test]
    fn only_try_again_later_statuses_allow_stale_keys() {
        for status in [408, 429, 500, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(failure_kind(status), FailureKind::Unavailable, "{status}");
        }
        for status in [400, 401, 403, 404, 410, 302] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(failure_kind(status), FailureKind::Rejected, "{status}");
        }
    }
}

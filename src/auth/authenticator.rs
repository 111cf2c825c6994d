//! Instance settings: the [`Authenticator`], set up once per Clerk
//! instance.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, Method, Uri};

use super::backend::BackendApi;
use super::checks::VerifyOptions;
use super::error::VerifyError;
use super::jwks::JwksCache;
use super::machine::{self, MachineAuth, MachineCache, MachineError};
use super::page::instance::{Frontend, MultiDomain};
use super::page::{RequestState, resolve};
use super::request::{self, AuthState};
use super::route::RouteOptions;
use super::token_type::TokenType;
use crate::client::Client;
use crate::env::MACHINE_SECRET_KEY_ENV;
use crate::secret::SecretKey;

/// Everything about the Clerk instance that authenticating a request needs,
/// set once at startup: the token checks ([`VerifyOptions`]: keys, issuer,
/// authorized parties, clock), the Backend API [`Client`] opaque machine
/// tokens are verified with, and the machine secret key M2M tokens are
/// verified with. What each route accepts is its [`RouteOptions`].
///
/// Cheap to clone; clones share the key cache and the machine-token cache.
///
/// ```no_run
/// use clerk_backend::auth::{AuthState, Authenticator, RouteOptions, TokenType};
///
/// # async fn run(headers: http::HeaderMap) -> Result<(), clerk_backend::auth::VerifyError> {
/// // CLERK_SECRET_KEY (or CLERK_JWT_KEY), CLERK_PUBLISHABLE_KEY, CLERK_MACHINE_SECRET_KEY:
/// let auth = Authenticator::from_env()?;
///
/// let route = RouteOptions::accepting([TokenType::ApiKey, TokenType::M2mToken]);
/// match auth.authenticate(&headers, &route).await {
///     AuthState::Machine(machine) => println!("{} {}", machine.token_type(), machine.subject()),
///     AuthState::SignedIn(claims) => println!("user {}", claims.user_id()),
///     AuthState::SignedOut(reason) => println!("401: {reason:?}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Authenticator {
    checks: VerifyOptions,
    backend: Option<BackendApi>,
    machine_secret_key: Option<SecretKey>,
    cache: Option<MachineCache>,
    frontend: Option<Frontend>,
    multi: MultiDomain,
}

impl Authenticator {
    /// An authenticator checking tokens with `checks`, without a Backend
    /// API client: session tokens and JWT-form machine tokens verify;
    /// opaque machine tokens fail with [`MachineError::NotConfigured`] until
    /// [`backend_api`](Self::backend_api) is set.
    pub fn new(checks: VerifyOptions) -> Self {
        Authenticator {
            checks,
            backend: None,
            machine_secret_key: None,
            cache: None,
            frontend: None,
            multi: MultiDomain::default(),
        }
    }

    /// An authenticator for the instance `client` talks to: its key set
    /// (fetched with the client's secret key) and its Backend API.
    pub fn from_client(client: &Client) -> Self {
        Self::new(VerifyOptions::with_jwks(JwksCache::from_client(client)))
            .backend_api(client.clone())
    }

    /// From the environment: the token checks as
    /// [`VerifyOptions::from_env`] reads them; a Backend API client when
    /// `CLERK_SECRET_KEY` is set ([`Client::from_env`]: `CLERK_API_URL`
    /// too); `CLERK_MACHINE_SECRET_KEY` if set; for the page rules
    /// ([`authenticate_request`](Self::authenticate_request)),
    /// `CLERK_PUBLISHABLE_KEY` and, for satellites and proxies,
    /// `CLERK_IS_SATELLITE` (`true`), `CLERK_DOMAIN`, `CLERK_PROXY_URL`,
    /// `CLERK_SIGN_IN_URL`.
    ///
    /// # Errors
    /// As [`VerifyOptions::from_env`]; [`VerifyError::InvalidConfig`] if the
    /// client cannot be built.
    pub fn from_env() -> Result<Self, VerifyError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through
    /// `lookup`.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, VerifyError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut auth = Self::new(VerifyOptions::from_env_with(get)?);
        if let Some(key) = get(crate::env::PUBLISHABLE_KEY_ENV) {
            auth = auth.publishable_key(&key)?;
        }
        if let Some(satellite) = get(crate::env::IS_SATELLITE_ENV) {
            auth = auth.satellite(matches!(
                satellite.trim().to_ascii_lowercase().as_str(),
                "true" | "1"
            ));
        }
        if let Some(domain) = get(crate::env::DOMAIN_ENV) {
            auth = auth.domain(domain.trim());
        }
        if let Some(url) = get(crate::env::PROXY_URL_ENV) {
            auth = auth.proxy_url(url.trim());
        }
        if let Some(url) = get(crate::env::SIGN_IN_URL_ENV) {
            auth = auth.sign_in_url(url.trim());
        }
        if let Some(secret_key) = get(crate::env::SECRET_KEY_ENV) {
            let mut builder = Client::builder(secret_key.trim());
            if let Some(url) = get(crate::env::API_URL_ENV) {
                builder = builder.base_url(url.trim());
            }
            let client = builder
                .build()
                .map_err(|e| VerifyError::InvalidConfig(e.to_string()))?;
            auth = auth.backend_api(client);
        }
        if let Some(key) = get(MACHINE_SECRET_KEY_ENV) {
            auth = auth.machine_secret_key(key.trim());
        }
        Ok(auth)
    }

    /// Verifies opaque machine tokens through `client` (its base URL,
    /// secret key, headers and tracing; with auth's own short timeout and
    /// retry policy).
    #[must_use]
    pub fn backend_api(mut self, client: Client) -> Self {
        self.backend = Some(BackendApi::new(client));
        self
    }

    /// Verifies opaque M2M tokens with this machine's secret key instead of
    /// the instance's (`CLERK_MACHINE_SECRET_KEY`).
    #[must_use]
    pub fn machine_secret_key(mut self, key: impl Into<SecretKey>) -> Self {
        self.machine_secret_key = Some(key.into());
        self
    }

    /// Keeps verified opaque machine tokens for `ttl` (capped at
    /// [`MAX_MACHINE_CACHE_TTL`](super::MAX_MACHINE_CACHE_TTL), and never
    /// past a token's expiry), saving a Backend API call per request. Off
    /// by default: a revoked token keeps working until its entry ends.
    /// Timed by the token checks' clock: set the clock first.
    #[must_use]
    pub fn machine_cache(mut self, ttl: Duration) -> Self {
        self.cache = (!ttl.is_zero()).then(|| MachineCache::new(ttl, self.checks.clock.clone()));
        self
    }

    /// The instance's publishable key, which the page rules
    /// ([`authenticate_request`](Self::authenticate_request)) need: it
    /// names the Frontend API the handshake goes to, the instance type
    /// (`pk_test_`: development) and the suffix of the instance's cookies.
    /// Read from `CLERK_PUBLISHABLE_KEY` by [`from_env`](Self::from_env).
    ///
    /// # Errors
    /// [`VerifyError::InvalidConfig`] if it is not a publishable key.
    pub fn publishable_key(mut self, key: &str) -> Result<Self, VerifyError> {
        self.frontend = Some(Frontend::from_publishable_key(key)?);
        Ok(self)
    }

    /// This application is a satellite domain of the instance: its pages
    /// get their session state from the primary domain. Needs
    /// [`domain`](Self::domain) or [`proxy_url`](Self::proxy_url), and on
    /// development instances [`sign_in_url`](Self::sign_in_url).
    #[must_use]
    pub fn satellite(mut self, is_satellite: bool) -> Self {
        self.multi.satellite = is_satellite;
        self
    }

    /// The application's domain (`satellite.example.com`): a production
    /// satellite's handshakes go to `clerk.<domain>`.
    #[must_use]
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.multi.domain = Some(domain.into());
        self
    }

    /// The URL of the application's Frontend API proxy (absolute, or a
    /// path on the application's own origin such as `/__clerk`):
    /// handshakes go there.
    #[must_use]
    pub fn proxy_url(mut self, url: impl Into<String>) -> Self {
        self.multi.proxy_url = Some(url.into());
        self
    }

    /// The primary domain's sign-in page (absolute), where a development
    /// satellite syncs.
    #[must_use]
    pub fn sign_in_url(mut self, url: impl Into<String>) -> Self {
        self.multi.sign_in_url = Some(url.into());
        self
    }

    /// Whether a satellite's pages sync with the primary domain on their
    /// first load even without any session cookie. Off by default (as in
    /// Clerk's SDKs): a visitor who never signed in is signed out without a
    /// redirect, and a sync runs when the URL carries
    /// `__clerk_synced=false` (the return from the primary's sign-in).
    #[must_use]
    pub fn satellite_auto_sync(mut self, auto_sync: bool) -> Self {
        self.multi.satellite_auto_sync = auto_sync;
        self
    }

    /// The token checks.
    pub fn verify_options(&self) -> &VerifyOptions {
        &self.checks
    }

    /// Whether the page rules can run: the publishable key is configured.
    pub fn has_page_rules(&self) -> bool {
        self.frontend.is_some()
    }

    pub(crate) fn frontend(&self) -> Option<&Frontend> {
        self.frontend.as_ref()
    }

    pub(crate) fn multi_domain(&self) -> &MultiDomain {
        &self.multi
    }

    pub(crate) fn backend(&self) -> Option<&BackendApi> {
        self.backend.as_ref()
    }

    /// Authenticates a request of a server-rendered app by Clerk's request
    /// rules for pages, as Clerk's backend SDK (`authenticateRequest`)
    /// applies them: the session cookies (suffixed or not), the
    /// `__client_uat` rules, the handshake through the Frontend API when
    /// the session state is not known, its resolution (handshake nonce or
    /// token), refreshing an expired session in place, the development
    /// browser, satellites and organization sync. Header tokens follow the
    /// same rules; machine tokens are verified as by
    /// [`authenticate`](Self::authenticate).
    ///
    /// Needs the [`publishable_key`](Self::publishable_key), and the
    /// [`backend_api`](Self::backend_api) for handshake nonces and refresh.
    /// See [`RequestState`] for what to answer. A failure on this side
    /// (Clerk unreachable) is [`AuthStatus::Unavailable`](super::AuthStatus::Unavailable),
    /// never "signed out".
    ///
    /// ```no_run
    /// use clerk_backend::auth::{AuthStatus, Authenticator, RouteOptions};
    ///
    /// # async fn run(req: http::request::Parts) -> Result<(), clerk_backend::auth::VerifyError> {
    /// let auth = Authenticator::from_env()?; // CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY
    /// let state = auth
    ///     .authenticate_request(&req.method, &req.uri, &req.headers, &RouteOptions::default())
    ///     .await;
    /// match state.status() {
    ///     AuthStatus::Handshake => { /* 307 with state.headers() */ }
    ///     AuthStatus::Unavailable => { /* 503 */ }
    ///     _ => { /* render with state.auth(), add state.headers() */ }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_request(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        route: &RouteOptions,
    ) -> RequestState {
        resolve::authenticate_request(self, method, uri, headers, route).await
    }

    /// Authenticates a request from its headers, accepting what `route`
    /// accepts. See [`AuthState`] and
    /// [`SignedOutReason`](super::SignedOutReason) for the outcomes.
    ///
    /// Session tokens come from `Authorization: Bearer`, else (when the
    /// route accepts sessions) the `__session` cookie; machine tokens only
    /// from `Authorization: Bearer`: cookies are never read for them.
    pub async fn authenticate(&self, headers: &HeaderMap, route: &RouteOptions) -> AuthState {
        request::authenticate(self, headers, route).await
    }

    /// Verifies a machine token of `token_type` (as sorted by
    /// [`TokenType::of`]): opaque ones with the Backend API (or the cache),
    /// JWTs with the instance's keys.
    ///
    /// # Errors
    /// A [`MachineError`] saying why, with Clerk's
    /// [`code`](MachineError::code).
    pub async fn verify_machine_token(
        &self,
        token: &str,
        token_type: TokenType,
    ) -> Result<MachineAuth, MachineError> {
        if TokenType::of_opaque(token).is_none() {
            return machine::verify_jwt(token, token_type, &self.checks).await;
        }
        if let Some(hit) = self.cache.as_ref().and_then(|c| c.get(token)) {
            return Ok(hit);
        }
        let Some(api) = &self.backend else {
            return Err(MachineError::NotConfigured { token_type });
        };
        let auth = machine::verify_opaque(api, token_type, token, self.machine_secret_key.as_ref())
            .await?;
        if let Some(cache) = &self.cache {
            cache.put(token, &auth);
        }
        Ok(auth)
    }
}

impl From<VerifyOptions> for Authenticator {
    fn from(checks: VerifyOptions) -> Self {
        Self::new(checks)
    }
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("checks", &self.checks)
            .field("backend", &self.backend)
            .field("machine_secret_key", &self.machine_secret_key)
            .field("cache_ttl", &self.cache.as_ref().map(MachineCache::ttl))
            .field(
                "publishable_key",
                &self.frontend.as_ref().map(|f| f.publishable_key.as_str()),
            )
            .field("multi_domain", &self.multi)
            .finish()
    }
}

//! The framework-neutral core of the web integrations (`clerk_backend::axum`,
//! `clerk_backend::actix`, `clerk_backend::rocket`, `clerk_backend::poem`),
//! compiled with any of their features (or the `web` feature alone).
//!
//! Every rule the integrations follow is written here once:
//!
//! * [`ClerkConfig`]: the one configuration type all of them look up (each
//!   also accepts a bare [`VerifyOptions`] or [`Webhook`] where its
//!   framework keeps configuration);
//! * [`RequestHead`]: what the core reads of a request (method, URI,
//!   headers), which each framework builds from its own request type;
//! * [`Admission`]: what a middleware (layer, fairing) does with a request:
//!   let it through with its [`AuthState`] and response headers to add, or
//!   answer it itself. Middlewares never decide that on their own, so a rule
//!   that needs to redirect or set a cookie is added here, for all of them;
//! * the extractors' steps: the request's [`AuthState`], verified once and
//!   then cached in the request, and the webhook check
//!   (crate-private: each framework calls them from its trait impls).
//!
//! The answers to rejected requests are in [`crate::rejection`]. A framework
//! file is then glue only: where its configuration lives, how its headers
//! and responses convert, how it limits bodies, and its traits.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};

use crate::auth::{AuthState, Authenticator, RouteOptions, VerifyOptions};
use crate::extract::{Authenticated, ClerkMachine, ClerkWebhook};
use crate::rejection::{
    AuthRejection, BodyRejection, WebhookRejection, require_authenticated, require_machine,
};
use crate::webhooks::Webhook;

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// The integrations' configuration: what the extractors need, an
/// [`Authenticator`] (the instance: token checks, Backend API client for
/// machine tokens), the [`RouteOptions`] of the routes it covers, and a
/// webhook verifier, each optional. (Not to be confused with [`AuthState`],
/// the outcome of checking one request.)
///
/// Every framework finds it where that framework keeps configuration: the
/// axum router state or request extensions, actix-web app data, Rocket
/// managed state, Poem data. It is cheap to clone (two `Arc`s).
///
/// Without route options, each extractor accepts what it hands over:
/// [`ClerkAuth`](crate::extract::ClerkAuth) and
/// [`MaybeSignedIn`](crate::extract::MaybeSignedIn) session tokens,
/// [`ClerkMachine`] machine tokens of every kind, [`Authenticated`] any
/// token. With them (or behind a layer or middleware that has them), every
/// extractor accepts only those kinds.
///
/// ```
/// use clerk_backend::web::ClerkConfig;
/// use clerk_backend::webhooks::Webhook;
///
/// # fn main() -> Result<(), clerk_backend::webhooks::WebhookError> {
/// let config = ClerkConfig::from(Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?);
/// assert!(config.webhook().is_some());
/// assert!(config.verify_options().is_none());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClerkConfig {
    auth: Option<Arc<Authenticator>>,
    route: Option<RouteOptions>,
    webhook: Option<Arc<Webhook>>,
}

impl ClerkConfig {
    /// A configuration with nothing in it; add to it with
    /// [`with_authenticator`](Self::with_authenticator) (or
    /// [`with_verify_options`](Self::with_verify_options)) and
    /// [`with_webhook`](Self::with_webhook).
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies session tokens (and JWT-form machine tokens) with
    /// `options`; opaque machine tokens need
    /// [`with_authenticator`](Self::with_authenticator) and a Backend API
    /// client.
    #[must_use]
    pub fn with_verify_options(self, options: VerifyOptions) -> Self {
        self.with_authenticator(Authenticator::new(options))
    }

    /// Authenticates requests with `authenticator`.
    #[must_use]
    pub fn with_authenticator(mut self, authenticator: Authenticator) -> Self {
        self.auth = Some(Arc::new(authenticator));
        self
    }

    /// What the routes under this configuration accept (see the type's
    /// docs).
    #[must_use]
    pub fn with_route_options(mut self, route: RouteOptions) -> Self {
        self.route = Some(route);
        self
    }

    /// Verifies webhook deliveries with `webhook`.
    #[must_use]
    pub fn with_webhook(mut self, webhook: Webhook) -> Self {
        self.webhook = Some(Arc::new(webhook));
        self
    }

    /// The authenticator, if configured.
    pub fn authenticator(&self) -> Option<&Authenticator> {
        self.auth.as_deref()
    }

    /// The token checks, if configured.
    pub fn verify_options(&self) -> Option<&VerifyOptions> {
        self.authenticator().map(Authenticator::verify_options)
    }

    /// The route options, if configured.
    pub fn route_options(&self) -> Option<RouteOptions> {
        self.route.clone()
    }

    /// The webhook verifier, if configured.
    pub fn webhook(&self) -> Option<&Webhook> {
        self.webhook.as_deref()
    }

    /// Each field of `self`, else `other`'s: `other` is the configuration
    /// that applies when the request's own has a gap (e.g. axum's router
    /// state behind an extension).
    pub(crate) fn or_else(self, other: impl FnOnce() -> ClerkConfig) -> ClerkConfig {
        if self.auth.is_some() && self.webhook.is_some() && self.route.is_some() {
            return self;
        }
        let other = other();
        ClerkConfig {
            auth: self.auth.or(other.auth),
            route: self.route.or(other.route),
            webhook: self.webhook.or(other.webhook),
        }
    }

    /// The configuration in a framework's typed store (app data, managed
    /// state, Poem data): a [`ClerkConfig`], else a bare [`Authenticator`]
    /// or [`VerifyOptions`], and [`Webhook`], each field found separately.
    // Not every integration has a typed store (axum has `FromRef`).
    #[allow(dead_code)]
    pub(crate) fn find(store: &impl ConfigStore) -> ClerkConfig {
        let config = store.get::<ClerkConfig>().map(Arc::unwrap_or_clone);
        config.unwrap_or_default().or_else(|| ClerkConfig {
            auth: store.get::<Authenticator>().or_else(|| {
                store
                    .get::<VerifyOptions>()
                    .map(|options| Arc::new(Authenticator::new(Arc::unwrap_or_clone(options))))
            }),
            route: None,
            webhook: store.get::<Webhook>(),
        })
    }

    /// Whether nothing is configured.
    pub fn is_empty(&self) -> bool {
        self.auth.is_none() && self.webhook.is_none() && self.route.is_none()
    }
}

impl From<VerifyOptions> for ClerkConfig {
    fn from(options: VerifyOptions) -> Self {
        Self::new().with_verify_options(options)
    }
}

impl From<Authenticator> for ClerkConfig {
    fn from(authenticator: Authenticator) -> Self {
        Self::new().with_authenticator(authenticator)
    }
}

impl From<Webhook> for ClerkConfig {
    fn from(webhook: Webhook) -> Self {
        Self::new().with_webhook(webhook)
    }
}

/// A framework's typed configuration store, as [`ClerkConfig::find`] reads
/// it.
#[allow(dead_code)] // see `ClerkConfig::find`
pub(crate) trait ConfigStore {
    /// The `T` stored, shared as it is or cloned into an `Arc`.
    fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<Arc<T>>;
}

// ---------------------------------------------------------------------------
// The request head
// ---------------------------------------------------------------------------

/// What the core reads of a request: its method, URI and headers, borrowed.
///
/// Frameworks on `http` 1 (axum, Poem) borrow their own request's parts;
/// the others (actix-web and Rocket are built on `http` 0.2 or their own
/// types) convert theirs once into an [`http::request::Parts`] and borrow
/// that.
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The request URI (path and query; absolute when the server has it).
    pub uri: &'a Uri,
    /// The request headers.
    pub headers: &'a HeaderMap,
}

impl<'a> RequestHead<'a> {
    /// A head of these parts.
    pub fn new(method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap) -> Self {
        RequestHead {
            method,
            uri,
            headers,
        }
    }
}

impl<'a> From<&'a http::request::Parts> for RequestHead<'a> {
    fn from(parts: &'a http::request::Parts) -> Self {
        RequestHead::new(&parts.method, &parts.uri, &parts.headers)
    }
}

/// An `http` 1 head of a request given as text (frameworks not on `http`
/// 1): names, values, methods and URIs that do not parse are left out
/// (a URI as `/`), which no verification rule reads as a credential.
// Only the integrations whose framework is not on `http` 1 call it.
#[allow(dead_code)]
pub(crate) fn owned_head<N: AsRef<[u8]>, V: AsRef<[u8]>>(
    method: &str,
    uri: &str,
    headers: impl Iterator<Item = (N, V)>,
) -> http::request::Parts {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = Method::from_bytes(method.as_bytes()).unwrap_or_default();
    parts.uri = uri.parse().unwrap_or_default();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_ref()),
            http::HeaderValue::from_bytes(value.as_ref()),
        ) {
            parts.headers.append(name, value);
        }
    }
    parts
}

// ---------------------------------------------------------------------------
// Admission: what a middleware does with a request
// ---------------------------------------------------------------------------

/// What a middleware does with a request: let it through, or answer it.
// The claims are kept inline, as in `AuthState`: an admission is made once
// per request and taken apart at once.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Admission {
    /// Call the handler, with this [`AuthState`] in the request and these
    /// headers added to its response.
    Continue(Admitted),
    /// Answer with this response; the handler is not called.
    Respond(http::Response<Bytes>),
}

/// A request let through by [`Admission::Continue`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Admitted {
    /// The request's authentication, for the extractors.
    pub auth: AuthState,
    /// Headers to add to the handler's response (e.g. `Set-Cookie`); empty
    /// unless a rule needs them.
    pub response_headers: HeaderMap,
}

/// The core of the middlewares (axum's `ClerkLayer`, actix-web's and Poem's
/// `ClerkMiddleware`, Rocket's `ClerkFairing`): verify the request's token
/// once, accepting what its route accepts, then admit it with its
/// [`AuthState`], or answer it when authentication is required.
#[derive(Clone, Debug)]
pub(crate) struct Gate {
    auth: Arc<Authenticator>,
    route: RouteOptions,
    require_auth: bool,
}

impl Gate {
    pub(crate) fn new(auth: impl Into<Authenticator>, require_auth: bool) -> Self {
        Gate {
            auth: Arc::new(auth.into()),
            route: RouteOptions::default(),
            require_auth,
        }
    }

    pub(crate) fn accepting(mut self, route: RouteOptions) -> Self {
        self.route = route;
        self
    }

    // Unused with Rocket alone (its fairing has no getter for it).
    #[allow(dead_code)]
    pub(crate) fn authenticator(&self) -> &Authenticator {
        &self.auth
    }

    #[allow(dead_code)]
    pub(crate) fn route_options(&self) -> RouteOptions {
        self.route.clone()
    }

    pub(crate) fn options(&self) -> &VerifyOptions {
        self.auth.verify_options()
    }

    pub(crate) fn requires_auth(&self) -> bool {
        self.require_auth
    }

    /// What to do with the request with this head.
    ///
    /// With the instance's publishable key configured, Clerk's page rules
    /// decide ([`Authenticator::authenticate_request`]): a handshake (and a
    /// development instance's resolved handshake) is answered `307` with
    /// its headers; the `Set-Cookie`s of a resolved handshake or a refresh
    /// (and Clerk's debug headers) go on the handler's response. Without
    /// it, the request's token is verified as it comes.
    pub(crate) async fn admit(&self, head: RequestHead<'_>) -> Admission {
        if self.auth.has_page_rules() {
            return self.admit_page(head).await;
        }
        match self.auth.authenticate(head.headers, &self.route).await {
            AuthState::SignedOut(reason) if self.require_auth => {
                Admission::Respond(AuthRejection::SignedOut(reason).response().into())
            }
            auth => Admission::Continue(Admitted {
                auth,
                response_headers: HeaderMap::new(),
            }),
        }
    }

    async fn admit_page(&self, head: RequestHead<'_>) -> Admission {
        let state = self
            .auth
            .authenticate_request(head.method, head.uri, head.headers, &self.route)
            .await;
        let redirect = state.is_redirect();
        let (_, headers, auth) = state.into_parts();
        if redirect {
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = http::StatusCode::TEMPORARY_REDIRECT;
            *response.headers_mut() = headers;
            return Admission::Respond(response);
        }
        match auth {
            AuthState::SignedOut(reason) if self.require_auth || reason.is_server_error() => {
                let mut response: http::Response<Bytes> =
                    AuthRejection::SignedOut(reason).response().into();
                for (name, value) in &headers {
                    response.headers_mut().append(name, value.clone());
                }
                Admission::Respond(response)
            }
            auth => Admission::Continue(Admitted {
                auth,
                response_headers: headers,
            }),
        }
    }
}

/// The constructors and getters of a middleware type holding a `gate:
/// Gate` (axum's `ClerkLayer`, actix-web's and Poem's `ClerkMiddleware`),
/// written once; `$what` names it in the docs ("layer", "middleware").
/// Unused with Rocket alone: its fairing, which may have no gate, has its
/// own constructors.
#[allow(unused_macros)]
macro_rules! gate_methods {
    ($name:ident, $what:literal) => {
        impl $name {
            #[doc = concat!("A ", $what, " that authenticates every request with `auth` (an")]
            /// [`Authenticator`](crate::auth::Authenticator) or
            /// [`VerifyOptions`]) and never rejects.
            pub fn new(auth: impl Into<crate::auth::Authenticator>) -> Self {
                $name {
                    gate: Gate::new(auth, false),
                }
            }

            #[doc = concat!("A ", $what, " that authenticates every request with `auth` and")]
            /// rejects unauthenticated ones (see [`AuthRejection`]).
            pub fn require_auth(auth: impl Into<crate::auth::Authenticator>) -> Self {
                $name {
                    gate: Gate::new(auth, true),
                }
            }

            /// Accepts the token kinds of `route` (default: session tokens
            /// only), e.g. [`RouteOptions::machine`](crate::auth::RouteOptions::machine)
            /// for an API called by machines.
            #[must_use]
            pub fn accepting(self, route: crate::auth::RouteOptions) -> Self {
                $name {
                    gate: self.gate.accepting(route),
                }
            }

            /// The options tokens are verified with.
            pub fn options(&self) -> &VerifyOptions {
                self.gate.options()
            }

            /// The authenticator requests are authenticated with.
            pub fn authenticator(&self) -> &crate::auth::Authenticator {
                self.gate.authenticator()
            }

            /// The token kinds accepted.
            pub fn route_options(&self) -> crate::auth::RouteOptions {
                self.gate.route_options()
            }

            /// Whether unauthenticated requests are rejected.
            pub fn requires_auth(&self) -> bool {
                self.gate.requires_auth()
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use gate_methods;

// ---------------------------------------------------------------------------
// The extractors' steps
// ---------------------------------------------------------------------------

/// A framework's request, as the extractors' steps see it: where the
/// configuration is, where the request's [`AuthState`] is cached, and its
/// head. Each integration implements it for its request type (or a thin
/// wrapper around it).
pub(crate) trait WebRequest {
    /// The integration's module, for log lines.
    const MODULE: &'static str;
    /// How to configure session verification, for the log line when it is
    /// missing.
    const VERIFY_HINT: &'static str;
    /// How to configure webhooks, for the log line when it is missing.
    const WEBHOOK_HINT: &'static str;

    /// The configuration that applies to the request.
    fn config(&self) -> ClerkConfig;
    /// The [`AuthState`] a middleware or an earlier extractor left.
    fn cached_auth(&self) -> Option<AuthState>;
    /// Keeps `auth` for later extractors.
    fn cache_auth(&mut self, auth: &AuthState);
    /// The request's head.
    fn head(&self) -> RequestHead<'_>;
}

/// The request's [`AuthState`]: cached, or verified with the configured
/// authenticator and then cached, so that a request is verified once. The
/// kinds accepted are the configuration's route options, else `implied`
/// (what the extractor hands over).
pub(crate) async fn auth_state<R: WebRequest>(
    req: &mut R,
    implied: RouteOptions,
) -> Result<AuthState, AuthRejection> {
    if let Some(auth) = req.cached_auth() {
        return Ok(auth);
    }
    let config = req.config();
    let route = config.route.unwrap_or(implied);
    let Some(auth) = config.auth else {
        tracing::error!(
            "{}: no VerifyOptions for this request; {}",
            R::MODULE,
            R::VERIFY_HINT
        );
        return Err(AuthRejection::NotConfigured);
    };
    let state = auth.authenticate(req.head().headers, &route).await;
    req.cache_auth(&state);
    Ok(state)
}

/// The session extractors' step: the [`AuthState`], sessions implied.
pub(crate) async fn session_state<R: WebRequest>(req: &mut R) -> Result<AuthState, AuthRejection> {
    auth_state(req, RouteOptions::session()).await
}

/// [`ClerkMachine`]'s step: a machine token of any kind implied.
pub(crate) async fn machine<R: WebRequest>(req: &mut R) -> Result<ClerkMachine, AuthRejection> {
    require_machine(auth_state(req, RouteOptions::machine()).await?).map(ClerkMachine)
}

/// [`Authenticated`]'s step: any token implied.
pub(crate) async fn authenticated<R: WebRequest>(
    req: &mut R,
) -> Result<Authenticated, AuthRejection> {
    match require_authenticated(auth_state(req, RouteOptions::any()).await?)? {
        AuthState::SignedIn(claims) => Ok(Authenticated::Session(claims)),
        AuthState::Machine(machine) => Ok(Authenticated::Machine(machine)),
        AuthState::SignedOut(reason) => Err(AuthRejection::SignedOut(reason)),
    }
}

/// The configured [`Webhook`]; the rejection (logged) when there is none.
/// Looked up before the body is read, so that a misconfigured endpoint does
/// not read bodies at all.
pub(crate) fn webhook<R: WebRequest>(req: &R) -> Result<Arc<Webhook>, WebhookRejection> {
    req.config().webhook.ok_or_else(|| {
        tracing::error!(
            "{}: no Webhook for this request; {}",
            R::MODULE,
            R::WEBHOOK_HINT
        );
        WebhookRejection::NotConfigured
    })
}

/// The webhook step: the body as the framework read it (or why it could
/// not), checked against the delivery's headers.
pub(crate) fn verify_webhook(
    webhook: &Webhook,
    headers: &HeaderMap,
    body: Result<impl AsRef<[u8]>, BodyRejection>,
) -> Result<ClerkWebhook, WebhookRejection> {
    let body = body.map_err(WebhookRejection::Body)?;
    webhook
        .verify(headers, body.as_ref())
        .map(ClerkWebhook)
        .map_err(WebhookRejection::Invalid)
}

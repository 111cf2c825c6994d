//! [axum] integration: extractors for session tokens and webhooks, and a
//! [tower] layer. Enabled by the `axum` cargo feature.
//!
//! | type | what the handler gets | when it is not there |
//! | --- | --- | --- |
//! | [`ClerkAuth`] | the signed-in user's [`Claims`](crate::auth::Claims) | `401` with a JSON reason |
//! | [`MaybeSignedIn`] | `Option<Claims>` | `None` (a bad or expired token counts as signed out) |
//! | [`ClerkMachine`] | a verified machine token's [`MachineAuth`](crate::auth::MachineAuth) (API key, M2M, OAuth) | `401` with a JSON reason (`503` if Clerk cannot be reached) |
//! | [`Authenticated`] | a session's claims or a machine token | `401` with a JSON reason |
//! | [`AuthState`] | signed in, a machine, or signed out and why | never rejects |
//! | [`ClerkWebhook`] | the verified [`WebhookEvent`](crate::webhooks::WebhookEvent) | `400` with a JSON reason |
//! | [`ClerkLayer`] | middleware: puts an [`AuthState`] into each request's extensions, and with [`ClerkLayer::require_auth`] answers `401` itself; [`ClerkLayer::accepting`] sets the token kinds a route accepts | |
//!
//! `Option<ClerkAuth>` works too, and behaves like [`MaybeSignedIn`].
//!
//! # Where the configuration comes from
//!
//! The session extractors use, in this order:
//!
//! 1. the [`AuthState`] a [`ClerkLayer`] (or an earlier extractor) put into
//!    the request extensions: the token is then verified once per request;
//! 2. the [`VerifyOptions`] of a [`ClerkConfig`] in the request extensions
//!    (e.g. added with `axum::Extension`);
//! 3. the [`VerifyOptions`] of the [`ClerkConfig`] obtained from the router
//!    state through [`FromRef`].
//!
//! [`ClerkWebhook`] finds its [`Webhook`] the same way (2, then 3). The
//! extractors therefore require `ClerkConfig: FromRef<S>` for the router
//! state `S`. That holds when the state *is* a [`ClerkConfig`], a
//! [`VerifyOptions`], a [`Webhook`] or `()`; for your own state, implement
//! [`FromRef`] (or derive it with axum's `macros` feature) for a
//! `ClerkConfig` field. If neither source has the configuration, the
//! extractors answer `500` and log an error.
//!
//! # Responses
//!
//! Rejections are JSON objects with an `error` and a machine-readable
//! `reason` (see [`AuthRejection`] and [`WebhookRejection`]):
//!
//! ```text
//! HTTP/1.1 401 Unauthorized
//! www-authenticate: Bearer error="invalid_token"
//! content-type: application/json
//!
//! {"error":"signed_out","reason":"token_expired","message":"session token expired at 1700000000 (now 1700000100)"}
//! ```
//!
//! A problem on the server's side (the key set could not be fetched, bad
//! configuration) is answered with `503` or `500`, never `401`, so that
//! clients do not sign their users out because of an outage.
//!
//! # Example
//!
//! ```no_run
//! use axum::Router;
//! use axum::http::StatusCode;
//! use axum::routing::{get, post};
//! use clerk_backend::auth::VerifyOptions;
//! use clerk_backend::axum::{ClerkAuth, ClerkConfig, ClerkWebhook, MaybeSignedIn};
//! use clerk_backend::webhooks::{EventData, Webhook};
//!
//! async fn me(ClerkAuth(claims): ClerkAuth) -> String {
//!     format!("hello {}", claims.user_id())
//! }
//!
//! async fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
//!     match claims {
//!         Some(claims) => format!("welcome back, {}", claims.user_id()),
//!         None => "welcome, stranger".to_owned(),
//!     }
//! }
//!
//! async fn clerk_events(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
//!     if let EventData::UserCreated(user) = event.data {
//!         println!("new user {}", user.id);
//!     }
//!     StatusCode::NO_CONTENT
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // CLERK_JWT_KEY or CLERK_SECRET_KEY; CLERK_WEBHOOK_SIGNING_SECRET.
//! let state = ClerkConfig::from(VerifyOptions::from_env()?).with_webhook(Webhook::from_env()?);
//! let app: Router = Router::new()
//!     .route("/", get(home))
//!     .route("/me", get(me))
//!     .route("/webhooks/clerk", post(clerk_events))
//!     .with_state(state);
//! # Ok(()) }
//! ```
//!
//! With a layer instead of state (see [`ClerkLayer`]):
//!
//! ```no_run
//! use axum::Router;
//! use axum::routing::get;
//! use clerk_backend::auth::VerifyOptions;
//! use clerk_backend::axum::{ClerkAuth, ClerkLayer, MaybeSignedIn};
//!
//! # async fn me(_: ClerkAuth) {}
//! # async fn home(_: MaybeSignedIn) {}
//! # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
//! let options = VerifyOptions::from_env()?;
//! let app: Router = Router::new()
//!     // Every route under /api requires a signed-in user (401 otherwise).
//!     .nest(
//!         "/api",
//!         Router::new()
//!             .route("/me", get(me))
//!             .route_layer(ClerkLayer::require_auth(options.clone())),
//!     )
//!     .route("/", get(home))
//!     // Authenticates every request, never rejects.
//!     .layer(ClerkLayer::new(options));
//! # Ok(()) }
//! ```
//!
//! [axum]: https://docs.rs/axum/0.8
//! [tower]: https://docs.rs/tower/0.5

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::BoxError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, OptionalFromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use tower::{Layer, Service};

use crate::auth::{AuthState, Authenticator, VerifyOptions};
pub use crate::extract::{Authenticated, ClerkAuth, ClerkMachine, ClerkWebhook, MaybeSignedIn};
pub use crate::rejection::{AuthRejection, WebhookRejection};
use crate::rejection::{BodyRejection, optional_sign_in, require_signed_in};
pub use crate::web::ClerkConfig;
use crate::web::{self, Admission, Gate, RequestHead, WebRequest};
use crate::webhooks::Webhook;

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// Earlier name of [`ClerkConfig`].
#[deprecated(note = "renamed `ClerkConfig`: it is configuration, not per-request state")]
pub type ClerkState = ClerkConfig;

/// For routers without state: nothing is configured there, so the
/// configuration must come from the extensions (a [`ClerkLayer`], or an
/// `axum::Extension(ClerkConfig)`).
impl FromRef<()> for ClerkConfig {
    fn from_ref(_: &()) -> Self {
        Self::default()
    }
}

/// For a router whose state is the [`VerifyOptions`] itself.
impl FromRef<VerifyOptions> for ClerkConfig {
    fn from_ref(options: &VerifyOptions) -> Self {
        Self::from(options.clone())
    }
}

/// For a router whose state is the [`Webhook`] itself.
impl FromRef<Webhook> for ClerkConfig {
    fn from_ref(webhook: &Webhook) -> Self {
        Self::from(webhook.clone())
    }
}

/// A request as the core's extractor steps see it: the configuration is a
/// [`ClerkConfig`] in the extensions, else the router state's; the
/// [`AuthState`] is cached in the extensions.
struct AxumRequest<'a, S> {
    parts: &'a mut Parts,
    state: &'a S,
}

impl<S> WebRequest for AxumRequest<'_, S>
where
    ClerkConfig: FromRef<S>,
{
    const MODULE: &'static str = "clerk_backend::axum";
    const VERIFY_HINT: &'static str = "add a ClerkLayer or put a ClerkConfig with verify \
        options in the router state or request extensions";
    const WEBHOOK_HINT: &'static str = "put a ClerkConfig with a webhook (or the Webhook \
        itself) in the router state or request extensions";

    fn config(&self) -> ClerkConfig {
        let extension = self.parts.extensions.get::<ClerkConfig>().cloned();
        extension
            .unwrap_or_default()
            .or_else(|| ClerkConfig::from_ref(self.state))
    }

    fn cached_auth(&self) -> Option<AuthState> {
        self.parts.extensions.get::<AuthState>().cloned()
    }

    fn cache_auth(&mut self, auth: &AuthState) {
        self.parts.extensions.insert(auth.clone());
    }

    fn head(&self) -> RequestHead<'_> {
        RequestHead::from(&*self.parts)
    }
}

/// The request's [`AuthState`] (see [`web::session_state`]).
async fn request_auth_state<S>(parts: &mut Parts, state: &S) -> Result<AuthState, AuthRejection>
where
    ClerkConfig: FromRef<S>,
{
    web::session_state(&mut AxumRequest { parts, state }).await
}

// ---------------------------------------------------------------------------
// Session extractors
// ---------------------------------------------------------------------------

/// Rejects signed-out requests with an [`AuthRejection`]. See the
/// [module docs](self) for where the configuration comes from.
/// `Option<ClerkAuth>` is also an extractor: `None` when signed out, like
/// [`MaybeSignedIn`].
impl<S> FromRequestParts<S> for ClerkAuth
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        require_signed_in(request_auth_state(parts, state).await?).map(ClerkAuth)
    }
}

/// `Option<ClerkAuth>`: `None` when signed out; rejects only on
/// server-side problems, as [`MaybeSignedIn`] does.
impl<S> OptionalFromRequestParts<S> for ClerkAuth
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let MaybeSignedIn(claims) =
            <MaybeSignedIn as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        Ok(claims.map(ClerkAuth))
    }
}

/// `None` when signed out; rejects only on server-side problems. See the
/// [module docs](self) for where the configuration comes from.
impl<S> FromRequestParts<S> for MaybeSignedIn
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        optional_sign_in(request_auth_state(parts, state).await?).map(MaybeSignedIn)
    }
}

/// The request's [`AuthState`] as an extractor: signed in, or signed out and
/// why (including server-side verification failures, see
/// [`VerifyError::is_server_error`](crate::auth::VerifyError::is_server_error)).
///
/// Rejects only when no configuration is found ([`AuthRejection::NotConfigured`]).
impl<S> FromRequestParts<S> for AuthState
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        request_auth_state(parts, state).await
    }
}

// ---------------------------------------------------------------------------
// Machine extractors
// ---------------------------------------------------------------------------

/// Rejects requests without a verified machine token (see
/// [`ClerkMachine`]).
impl<S> FromRequestParts<S> for ClerkMachine
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        web::machine(&mut AxumRequest { parts, state }).await
    }
}

/// Rejects unauthenticated requests (see [`Authenticated`]).
impl<S> FromRequestParts<S> for Authenticated
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        web::authenticated(&mut AxumRequest { parts, state }).await
    }
}

/// For a router whose state is the [`Authenticator`] itself.
impl FromRef<Authenticator> for ClerkConfig {
    fn from_ref(auth: &Authenticator) -> Self {
        Self::from(auth.clone())
    }
}

/// Answers with [`AuthRejection::response`].
impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        http::Response::from(self.response()).map(Body::from)
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The [`Webhook`] verifier comes from a [`ClerkConfig`] in the request
/// extensions, else from the router state through [`FromRef`] (so a router
/// whose state is the [`Webhook`] itself works). The body is read with
/// axum's `Bytes` extractor, so the router's body limit
/// ([`DefaultBodyLimit`](axum::extract::DefaultBodyLimit), 2 MB by default)
/// applies.
///
/// ```no_run
/// use axum::http::StatusCode;
/// use axum::routing::post;
/// use clerk_backend::axum::ClerkWebhook;
/// use clerk_backend::webhooks::{EventData, Webhook};
///
/// async fn clerk_events(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
///     if let EventData::UserCreated(user) = event.data {
///         println!("new user {}", user.id);
///     }
///     StatusCode::NO_CONTENT
/// }
///
/// # fn main() -> Result<(), clerk_backend::webhooks::WebhookError> {
/// // CLERK_WEBHOOK_SIGNING_SECRET=whsec_...
/// let app: axum::Router = axum::Router::new()
///     .route("/webhooks/clerk", post(clerk_events))
///     .with_state(Webhook::from_env()?);
/// # Ok(()) }
/// ```
impl<S> FromRequest<S> for ClerkWebhook
where
    S: Send + Sync,
    ClerkConfig: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let webhook = web::webhook(&AxumRequest {
            parts: &mut parts,
            state,
        })?;
        // The body extractor does not need the headers; keep them for the
        // signature check.
        let headers = std::mem::take(&mut parts.headers);
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(body_rejection);
        web::verify_webhook(&webhook, &headers, body)
    }
}

/// Answers with [`WebhookRejection::response`].
impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        http::Response::from(self.response()).map(Body::from)
    }
}

/// axum's body error, as the framework-neutral [`BodyRejection`].
fn body_rejection(rejection: BytesRejection) -> BodyRejection {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        BodyRejection::too_large(rejection.body_text())
    } else {
        BodyRejection::unreadable(rejection.body_text())
    }
}

// ---------------------------------------------------------------------------
// Layer
// ---------------------------------------------------------------------------

/// A tower [`Layer`] that authenticates every request with
/// [`authenticate_request`](crate::auth::authenticate_request) and inserts the resulting [`AuthState`] into the
/// request extensions, where the extractors ([`ClerkAuth`],
/// [`MaybeSignedIn`], [`AuthState`]) and any other code
/// (`req.extensions().get::<AuthState>()`) find it.
///
/// * [`ClerkLayer::new`] never rejects: signed-out requests reach the
///   service with an [`AuthState::SignedOut`].
/// * [`ClerkLayer::require_auth`] answers signed-out requests itself with
///   the [`AuthRejection`] response (`401`, or `503`/`500` for server-side
///   problems), without calling the service.
///
/// The layer only looks at headers, never at paths: put it on the routes it
/// should cover. With axum, use
/// [`Router::route_layer`](axum::Router::route_layer) for `require_auth`, so
/// that requests to unknown paths still get `404`, not `401`; and keep CORS
/// handling outside it, since preflight requests carry no token. Each
/// `ClerkLayer` verifies the token it sees, even if an outer one already did.
///
/// **Server-rendered pages.** Given an [`Authenticator`]
/// with the instance's publishable key (`Authenticator::from_env` reads
/// `CLERK_PUBLISHABLE_KEY`), it applies Clerk's page rules
/// ([`Authenticator::authenticate_request`](crate::auth::Authenticator::authenticate_request)):
/// a page load whose session state is unknown (an expired token, a
/// `__client_uat` without a session, ...) is answered `307` to Clerk's
/// handshake, and the `Set-Cookie`s of a resolved handshake or a refresh
/// are appended to the handler's response (its own cookies stay).
/// Requests that cannot take a redirect (fetches) are decided by the same
/// rules without one. A failure on this side (Clerk unreachable) is
/// answered `503`, never served as signed out.
///
/// It works with any tower stack over `http` types, not only axum: the
/// service accepts any request body and any response body, and answers with
/// an axum [`Response`] (its body is a plain [`http_body`](HttpBody) body).
///
/// ```no_run
/// use std::convert::Infallible;
/// use axum::body::Body;
/// use clerk_backend::auth::{AuthState, VerifyOptions};
/// use clerk_backend::axum::ClerkLayer;
/// use tower::{ServiceBuilder, service_fn};
///
/// # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
/// let service = ServiceBuilder::new()
///     .layer(ClerkLayer::require_auth(VerifyOptions::from_env()?))
///     .service(service_fn(|req: http::Request<Body>| async move {
///         let user = req.extensions().get::<AuthState>().and_then(|a| a.user_id());
///         let text = format!("hello {}", user.unwrap_or("?"));
///         Ok::<_, Infallible>(http::Response::new(Body::from(text)))
///     }));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ClerkLayer {
    gate: Gate,
}

web::gate_methods!(ClerkLayer, "layer");

impl<S> Layer<S> for ClerkLayer {
    type Service = ClerkService<S>;

    fn layer(&self, inner: S) -> ClerkService<S> {
        ClerkService {
            inner,
            gate: self.gate.clone(),
        }
    }
}

/// The [`Service`] made by [`ClerkLayer`].
#[derive(Clone, Debug)]
pub struct ClerkService<S> {
    inner: S,
    gate: Gate,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for ClerkService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: 'static,
    ReqBody: Send + 'static,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ClerkFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqBody>) -> Self::Future {
        // The service that was polled ready handles this request; a clone
        // takes its place for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = self.gate.clone();
        ClerkFuture(Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let admitted = match gate.admit(RequestHead::from(&parts)).await {
                Admission::Continue(admitted) => admitted,
                Admission::Respond(response) => return Ok(response.map(Body::from)),
            };
            parts.extensions.insert(admitted.auth);
            let mut response = inner.call(http::Request::from_parts(parts, body)).await?;
            // Appended: the handler's own cookies stay.
            for (name, value) in &admitted.response_headers {
                response.headers_mut().append(name, value.clone());
            }
            Ok(response.map(Body::new))
        }))
    }
}

/// The response future of [`ClerkService`].
pub struct ClerkFuture<E>(Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>);

impl<E> Future for ClerkFuture<E> {
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl<E> fmt::Debug for ClerkFuture<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClerkFuture")
    }
}

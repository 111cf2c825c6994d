//! [Poem] 3 integration: extractors for session tokens and webhooks, and a
//! middleware. Enabled by the `poem` cargo feature.
//!
//! | type | what the handler gets | when it is not there |
//! | --- | --- | --- |
//! | [`ClerkAuth`] | the signed-in user's [`Claims`](crate::auth::Claims) | `401` with a JSON reason |
//! | [`MaybeSignedIn`] | `Option<Claims>` | `None` (a bad or expired token counts as signed out) |
//! | [`AuthState`] | signed in, or signed out and why | never rejects |
//! | [`ClerkWebhook`] | the verified [`WebhookEvent`](crate::webhooks::WebhookEvent) | `400` (or `413`) with a JSON reason |
//! | [`ClerkMiddleware`] | middleware: puts an [`AuthState`] into each request's extensions, and with [`ClerkMiddleware::require_auth`] answers `401` itself | |
//!
//! `Option<ClerkAuth>` works too, through Poem's own `Option<T>` extractor:
//! `None` when signed out, and also when the token could not be checked
//! (Poem turns every error of the inner extractor into `None`); prefer
//! [`MaybeSignedIn`] so that an outage is answered with `503`.
//!
//! # Where the configuration comes from
//!
//! The session extractors use, in this order:
//!
//! 1. the [`AuthState`] a [`ClerkMiddleware`] put into the request
//!    extensions: the token is then verified once per request;
//! 2. the endpoint's data (`.data(...)`): a [`ClerkConfig`], else a bare
//!    [`VerifyOptions`] (and, for [`ClerkWebhook`], a bare [`Webhook`](crate::webhooks::Webhook)).
//!
//! Poem hands extractors the request read-only, so without the middleware
//! each session extractor of a handler verifies the token itself (the key
//! set is still fetched once and cached). Missing configuration is a `500`
//! with an error logged.
//!
//! The answers to rejected requests are the other integrations': all come
//! from [`crate::rejection`] ([`AuthRejection`], [`WebhookRejection`]).
//!
//! # Example
//!
//! ```no_run
//! use clerk_backend::auth::VerifyOptions;
//! use clerk_backend::poem::{ClerkAuth, ClerkMiddleware, ClerkWebhook, MaybeSignedIn};
//! use clerk_backend::webhooks::{EventData, Webhook};
//! use poem::http::StatusCode;
//! use poem::{EndpointExt, Route, get, handler, post};
//!
//! #[handler]
//! fn me(ClerkAuth(claims): ClerkAuth) -> String {
//!     format!("hello {}", claims.user_id())
//! }
//!
//! #[handler]
//! fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
//!     match claims {
//!         Some(claims) => format!("welcome back, {}", claims.user_id()),
//!         None => "welcome, stranger".to_owned(),
//!     }
//! }
//!
//! #[handler]
//! fn clerk_events(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
//!     if let EventData::UserCreated(user) = event.data {
//!         println!("new user {}", user.id);
//!     }
//!     StatusCode::NO_CONTENT
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // CLERK_JWT_KEY or CLERK_SECRET_KEY; CLERK_WEBHOOK_SIGNING_SECRET.
//! let options = VerifyOptions::from_env()?;
//! let app = Route::new()
//!     .at("/", get(home))
//!     .at("/webhooks/clerk", post(clerk_events))
//!     // Everything under /api needs a signed-in user (401 otherwise).
//!     .nest("/api", Route::new().at("/me", get(me)).with(ClerkMiddleware::require_auth(options.clone())))
//!     .data(options)
//!     .data(Webhook::from_env()?);
//! # let _ = app; Ok(()) }
//! ```
//!
//! [Poem]: https://docs.rs/poem/3

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use poem::error::{ReadBodyError, ResponseError};
use poem::http::StatusCode;
use poem::{Endpoint, FromRequest, IntoResponse, Middleware, Request, RequestBody, Response};

use crate::auth::{AuthState, VerifyOptions};
pub use crate::extract::{Authenticated, ClerkAuth, ClerkMachine, ClerkWebhook, MaybeSignedIn};
pub use crate::rejection::{AuthRejection, WebhookRejection};
use crate::rejection::{BodyRejection, optional_sign_in, require_signed_in};
pub use crate::web::ClerkConfig;
use crate::web::{self, Admission, ConfigStore, Gate, RequestHead, WebRequest};

// ---------------------------------------------------------------------------
// Configuration, requests and responses
// ---------------------------------------------------------------------------

/// The endpoint's data as a configuration store.
impl ConfigStore for Request {
    fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.data::<T>().map(|value| Arc::new(value.clone()))
    }
}

/// A request as the core's steps see it (Poem is on `http` 1: the head is
/// borrowed as it is).
struct PoemRequest<'a>(&'a Request);

impl WebRequest for PoemRequest<'_> {
    const MODULE: &'static str = "clerk_backend::poem";
    const VERIFY_HINT: &'static str = "wrap the endpoint with a ClerkMiddleware, or add \
        VerifyOptions (or a ClerkConfig) with .data(...)";
    const WEBHOOK_HINT: &'static str =
        "add a Webhook (or a ClerkConfig with a webhook) with .data(...)";

    fn config(&self) -> ClerkConfig {
        ClerkConfig::find(self.0)
    }

    fn cached_auth(&self) -> Option<AuthState> {
        self.0.extensions().get::<AuthState>().cloned()
    }

    /// Poem's extractors get the request read-only: only the middleware
    /// caches.
    fn cache_auth(&mut self, _: &AuthState) {}

    fn head(&self) -> RequestHead<'_> {
        RequestHead::new(self.0.method(), self.0.uri(), self.0.headers())
    }
}

/// An `http` 1 response as Poem's.
fn to_response(response: http::Response<Bytes>) -> Response {
    let (parts, body) = response.into_parts();
    let mut response = Response::builder().status(parts.status).body(body);
    response.headers_mut().extend(parts.headers);
    response
}

/// The request's [`AuthState`] (see [`web::session_state`]).
async fn request_auth_state(req: &Request) -> Result<AuthState, AuthRejection> {
    web::session_state(&mut PoemRequest(req)).await
}

// ---------------------------------------------------------------------------
// Session extractors
// ---------------------------------------------------------------------------

/// Rejects signed-out requests with an [`AuthRejection`]. See the
/// [module docs](self) for where the configuration comes from.
impl<'a> FromRequest<'a> for ClerkAuth {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        let auth = request_auth_state(req).await?;
        Ok(require_signed_in(auth).map(ClerkAuth)?)
    }
}

/// `None` when signed out; rejects only on server-side problems.
impl<'a> FromRequest<'a> for MaybeSignedIn {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        let auth = request_auth_state(req).await?;
        Ok(optional_sign_in(auth).map(MaybeSignedIn)?)
    }
}

/// The request's [`AuthState`] as an extractor: signed in, or signed out and
/// why (including server-side verification failures). Rejects only when no
/// configuration is found ([`AuthRejection::NotConfigured`]).
impl<'a> FromRequest<'a> for AuthState {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(request_auth_state(req).await?)
    }
}

/// Rejects requests without a verified machine token (see
/// [`ClerkMachine`]).
impl<'a> FromRequest<'a> for ClerkMachine {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(web::machine(&mut PoemRequest(req)).await?)
    }
}

/// Rejects unauthenticated requests (see [`Authenticated`]).
impl<'a> FromRequest<'a> for Authenticated {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(web::authenticated(&mut PoemRequest(req)).await?)
    }
}

/// Answers with [`AuthRejection::response`].
impl ResponseError for AuthRejection {
    fn status(&self) -> StatusCode {
        AuthRejection::status(self)
    }

    fn as_response(&self) -> Response {
        to_response(self.response().into())
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The most a [`ClerkWebhook`] reads of a body: put a `WebhookBodyLimit` in
/// the endpoint's data (`.data(WebhookBodyLimit(2 << 20))`) to change it.
/// Poem itself has no default body limit (its `SizeLimit` middleware
/// checks the `Content-Length` header only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookBodyLimit(pub usize);

impl WebhookBodyLimit {
    /// 1 MiB, Rocket's limit for JSON bodies.
    pub const DEFAULT: WebhookBodyLimit = WebhookBodyLimit(1 << 20);
}

impl Default for WebhookBodyLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The [`Webhook`](crate::webhooks::Webhook) comes from the endpoint's data (a [`ClerkConfig`] or a
/// bare `Webhook`). The body is read whole under the [`WebhookBodyLimit`]
/// in the data (1 MiB by default); `413` above it.
///
/// ```no_run
/// use clerk_backend::poem::{ClerkWebhook, WebhookBodyLimit};
/// use clerk_backend::webhooks::Webhook;
/// use poem::{EndpointExt, Route, handler, post};
///
/// #[handler]
/// fn clerk_events(ClerkWebhook(event): ClerkWebhook) -> String {
///     event.event_type
/// }
///
/// # fn main() -> Result<(), clerk_backend::webhooks::WebhookError> {
/// let app = Route::new()
///     .at("/webhooks/clerk", post(clerk_events))
///     .data(Webhook::from_env()?) // CLERK_WEBHOOK_SIGNING_SECRET
///     .data(WebhookBodyLimit(2 << 20)); // deliveries up to 2 MiB
/// # let _ = app; Ok(()) }
/// ```
impl<'a> FromRequest<'a> for ClerkWebhook {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let request = PoemRequest(req);
        let webhook = web::webhook(&request)?;
        let limit = req.data::<WebhookBodyLimit>().copied().unwrap_or_default();
        let body = match body.take() {
            Ok(body) => body.into_bytes_limit(limit.0).await.map_err(body_rejection),
            Err(error) => Err(body_rejection(error)),
        };
        Ok(web::verify_webhook(&webhook, req.headers(), body)?)
    }
}

/// Poem's body error, as the framework-neutral [`BodyRejection`].
fn body_rejection(error: ReadBodyError) -> BodyRejection {
    match error {
        ReadBodyError::PayloadTooLarge => {
            BodyRejection::too_large("the body is larger than the webhook body limit")
        }
        other => BodyRejection::unreadable(other.to_string()),
    }
}

/// Answers with [`WebhookRejection::response`].
impl ResponseError for WebhookRejection {
    fn status(&self) -> StatusCode {
        WebhookRejection::status(self)
    }

    fn as_response(&self) -> Response {
        to_response(self.response().into())
    }
}

// ---------------------------------------------------------------------------
// Middleware
// ---------------------------------------------------------------------------

/// A middleware that authenticates every request with
/// [`authenticate_request`](crate::auth::authenticate_request) and inserts
/// the resulting [`AuthState`] into the request extensions, where the
/// extractors and any other code (`req.extensions().get::<AuthState>()`)
/// find it.
///
/// * [`ClerkMiddleware::new`] never rejects: signed-out requests reach the
///   endpoint with an [`AuthState::SignedOut`].
/// * [`ClerkMiddleware::require_auth`] answers signed-out requests itself
///   with the [`AuthRejection`] response (`401`, or `503`/`500` for
///   server-side problems), without calling the endpoint.
///
/// It only looks at headers, never at paths: wrap the route or endpoint it
/// should cover (`.with(...)`); on a nested `Route`, unknown paths under it
/// are answered `401` too. Keep CORS handling outside it, since preflight
/// requests carry no token.
///
/// ```no_run
/// use clerk_backend::auth::{AuthState, VerifyOptions};
/// use clerk_backend::poem::ClerkMiddleware;
/// use poem::{EndpointExt, Route, get, handler};
///
/// #[handler]
/// fn hello(auth: AuthState) -> String {
///     format!("hello {}", auth.user_id().unwrap_or("?"))
/// }
///
/// # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
/// let app = Route::new()
///     .at("/hello", get(hello))
///     .with(ClerkMiddleware::require_auth(VerifyOptions::from_env()?));
/// # let _ = app; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ClerkMiddleware {
    gate: Gate,
}

web::gate_methods!(ClerkMiddleware, "middleware");

impl<E: Endpoint> Middleware<E> for ClerkMiddleware {
    type Output = ClerkEndpoint<E>;

    fn transform(&self, inner: E) -> ClerkEndpoint<E> {
        ClerkEndpoint {
            inner,
            gate: self.gate.clone(),
        }
    }
}

/// The endpoint made by [`ClerkMiddleware`].
pub struct ClerkEndpoint<E> {
    inner: E,
    gate: Gate,
}

impl<E: Endpoint> Endpoint for ClerkEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let head = RequestHead::new(req.method(), req.uri(), req.headers());
        let admitted = match self.gate.admit(head).await {
            Admission::Continue(admitted) => admitted,
            Admission::Respond(response) => return Ok(to_response(response)),
        };
        req.extensions_mut().insert(admitted.auth);
        let result = self.inner.call(req).await;
        if admitted.response_headers.is_empty() {
            // Errors stay errors, for outer middlewares.
            return result.map(IntoResponse::into_response);
        }
        let mut response = result.map_or_else(poem::Error::into_response, |r| r.into_response());
        // Appended: the handler's own cookies stay.
        for (name, value) in &admitted.response_headers {
            response.headers_mut().append(name, value.clone());
        }
        Ok(response)
    }
}

impl<E> fmt::Debug for ClerkEndpoint<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClerkEndpoint")
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

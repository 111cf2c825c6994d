//! [actix-web] 4 integration: extractors for session tokens and webhooks,
//! and a middleware. Enabled by the `actix` cargo feature.
//!
//! | type | what the handler gets | when it is not there |
//! | --- | --- | --- |
//! | [`ClerkAuth`] | the signed-in user's [`Claims`](crate::auth::Claims) | `401` with a JSON reason |
//! | [`MaybeSignedIn`] | `Option<Claims>` | `None` (a bad or expired token counts as signed out) |
//! | [`AuthState`] | signed in, or signed out and why | never rejects |
//! | [`ClerkWebhook`] | the verified [`WebhookEvent`](crate::webhooks::WebhookEvent) | `400` (or `413`) with a JSON reason |
//! | [`ClerkMiddleware`] | middleware: puts an [`AuthState`] into each request's extensions, and with [`ClerkMiddleware::require_auth`] answers `401` itself | |
//!
//! `Option<ClerkAuth>` works too, through actix-web's own `Option<T>`
//! extractor: `None` when signed out. Unlike [`MaybeSignedIn`], it also
//! gives `None` when the token could not be checked (keys unavailable),
//! because actix-web turns every error of the inner extractor into `None`;
//! prefer [`MaybeSignedIn`] so that an outage is answered with `503`.
//!
//! The answers to rejected requests are the same as the axum integration's:
//! both come from [`crate::rejection`] ([`AuthRejection`],
//! [`WebhookRejection`]).
//!
//! # Where the configuration comes from
//!
//! The session extractors use, in this order:
//!
//! 1. the [`AuthState`] a [`ClerkMiddleware`] (or an earlier extractor) put
//!    into the request extensions: the token is then verified once per
//!    request;
//! 2. [`VerifyOptions`] in the app data, as `web::Data<VerifyOptions>` or
//!    as a plain `VerifyOptions` (`App::app_data`, `Scope::app_data`,
//!    `Resource::app_data`); `web::Data` is shared as it is, a plain value
//!    is cloned for each request that needs it.
//!
//! [`ClerkWebhook`] finds its [`Webhook`](crate::webhooks::Webhook) in the app data the same way
//! (`web::Data<Webhook>` or `Webhook`). If the configuration is missing,
//! the extractors answer `500` and log an error.
//!
//! # Example
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, get, post, web};
//! use clerk_backend::actix::{ClerkAuth, ClerkWebhook, MaybeSignedIn};
//! use clerk_backend::auth::VerifyOptions;
//! use clerk_backend::webhooks::{EventData, Webhook};
//!
//! #[get("/me")]
//! async fn me(ClerkAuth(claims): ClerkAuth) -> String {
//!     format!("hello {}", claims.user_id())
//! }
//!
//! #[get("/")]
//! async fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
//!     match claims {
//!         Some(claims) => format!("welcome back, {}", claims.user_id()),
//!         None => "welcome, stranger".to_owned(),
//!     }
//! }
//!
//! #[post("/webhooks/clerk")]
//! async fn clerk_events(ClerkWebhook(event): ClerkWebhook) -> HttpResponse {
//!     if let EventData::UserCreated(user) = event.data {
//!         println!("new user {}", user.id);
//!     }
//!     HttpResponse::NoContent().finish()
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // CLERK_JWT_KEY or CLERK_SECRET_KEY; CLERK_WEBHOOK_SIGNING_SECRET.
//!     let options = web::Data::new(VerifyOptions::from_env()?);
//!     let webhook = web::Data::new(Webhook::from_env()?);
//!     HttpServer::new(move || {
//!         App::new()
//!             .app_data(options.clone())
//!             .app_data(webhook.clone())
//!             .service(home)
//!             .service(me)
//!             .service(clerk_events)
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! With a middleware instead of app data (see [`ClerkMiddleware`]):
//!
//! ```no_run
//! use actix_web::{App, web};
//! use clerk_backend::actix::{ClerkAuth, ClerkMiddleware, MaybeSignedIn};
//! use clerk_backend::auth::VerifyOptions;
//!
//! # async fn me(_: ClerkAuth) -> &'static str { "" }
//! # async fn home(_: MaybeSignedIn) -> &'static str { "" }
//! # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
//! let options = VerifyOptions::from_env()?;
//! let app = App::new()
//!     // Every route under /api requires a signed-in user (401 otherwise).
//!     .service(
//!         web::scope("/api")
//!             .wrap(ClerkMiddleware::require_auth(options.clone()))
//!             .route("/me", web::get().to(me)),
//!     )
//!     .route("/", web::get().to(home))
//!     // Authenticates every request, never rejects.
//!     .wrap(ClerkMiddleware::new(options));
//! # Ok(()) }
//! ```
//!
//! [actix-web]: https://docs.rs/actix-web/4

use std::cell::OnceCell;
use std::fmt;
use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{
    Payload, RequestHead as RequestHead0, Service, ServiceRequest, ServiceResponse, Transform,
    forward_ready,
};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;

use crate::auth::{AuthState, VerifyOptions};
pub use crate::extract::{Authenticated, ClerkAuth, ClerkMachine, ClerkWebhook, MaybeSignedIn};
pub use crate::rejection::{AuthRejection, WebhookRejection};
use crate::rejection::{BodyRejection, optional_sign_in, require_signed_in};
pub use crate::web::ClerkConfig;
use crate::web::{self as web_core, Admission, ConfigStore, Gate, RequestHead, WebRequest};

// ---------------------------------------------------------------------------
// Configuration, requests and responses
// ---------------------------------------------------------------------------

/// The app data as a configuration store: `web::Data<T>`, else a plain `T`.
impl ConfigStore for HttpRequest {
    fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.app_data::<web::Data<T>>()
            .map(|data| data.clone().into_inner())
            .or_else(|| self.app_data::<T>().map(|value| Arc::new(value.clone())))
    }
}

/// A request as the core's steps see it: configuration in the app data,
/// the [`AuthState`] cached in the request extensions, and the head
/// converted to `http` 1 (actix-web 4 is on `http` 0.2) when first needed.
struct ActixRequest {
    req: HttpRequest,
    head: OnceCell<http::request::Parts>,
}

impl ActixRequest {
    fn new(req: &HttpRequest) -> Self {
        ActixRequest {
            req: req.clone(),
            head: OnceCell::new(),
        }
    }
}

impl WebRequest for ActixRequest {
    const MODULE: &'static str = "clerk_backend::actix";
    const VERIFY_HINT: &'static str = "wrap the app or scope in a ClerkMiddleware, or add \
        web::Data<VerifyOptions> (or a ClerkConfig) to the app data";
    const WEBHOOK_HINT: &'static str =
        "add web::Data<Webhook> (or a ClerkConfig with a webhook) to the app data";

    fn config(&self) -> ClerkConfig {
        ClerkConfig::find(&self.req)
    }

    fn cached_auth(&self) -> Option<AuthState> {
        self.req.extensions().get::<AuthState>().cloned()
    }

    fn cache_auth(&mut self, auth: &AuthState) {
        self.req.extensions_mut().insert(auth.clone());
    }

    fn head(&self) -> RequestHead<'_> {
        RequestHead::from(self.head.get_or_init(|| http1_head(self.req.head())))
    }
}

/// An actix-web request head as an `http` 1 one. Both versions accept the
/// same names and values.
fn http1_head(head: &RequestHead0) -> http::request::Parts {
    web_core::owned_head(
        head.method.as_str(),
        &head.uri.to_string(),
        head.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
}

/// An `http` 1 status as actix-web's.
fn actix_status(status: http::StatusCode) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An `http` 1 response as an actix-web [`HttpResponse`].
fn to_response(response: http::Response<Bytes>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let mut builder = HttpResponse::build(actix_status(parts.status));
    for (name, value) in &parts.headers {
        builder.append_header((name.as_str(), value.as_bytes()));
    }
    builder.body(body)
}

/// `http` 1 headers added to an actix-web response.
fn append_headers(response: &mut HttpResponse<impl MessageBody>, headers: http::HeaderMap) {
    for (name, value) in &headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response.headers_mut().append(name, value);
        }
    }
}

/// The request's [`AuthState`] (see [`web_core::session_state`]).
async fn request_auth_state(req: HttpRequest) -> Result<AuthState, AuthRejection> {
    web_core::session_state(&mut ActixRequest::new(&req)).await
}

// ---------------------------------------------------------------------------
// Session extractors
// ---------------------------------------------------------------------------

/// Rejects signed-out requests with an [`AuthRejection`]. See the
/// [module docs](self) for where the configuration comes from, and for
/// `Option<ClerkAuth>`.
impl FromRequest for ClerkAuth {
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { require_signed_in(request_auth_state(req).await?).map(ClerkAuth) })
    }
}

/// `None` when signed out; rejects only on server-side problems. See the
/// [module docs](self) for where the configuration comes from.
impl FromRequest for MaybeSignedIn {
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { optional_sign_in(request_auth_state(req).await?).map(MaybeSignedIn) })
    }
}

/// The request's [`AuthState`] as an extractor: signed in, or signed out and
/// why (including server-side verification failures, see
/// [`VerifyError::is_server_error`](crate::auth::VerifyError::is_server_error)).
///
/// Rejects only when no configuration is found ([`AuthRejection::NotConfigured`]).
impl FromRequest for AuthState {
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(request_auth_state(req.clone()))
    }
}

/// Rejects requests without a verified machine token (see
/// [`ClerkMachine`]).
impl FromRequest for ClerkMachine {
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { web_core::machine(&mut ActixRequest::new(&req)).await })
    }
}

/// Rejects unauthenticated requests (see [`Authenticated`]).
impl FromRequest for Authenticated {
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { web_core::authenticated(&mut ActixRequest::new(&req)).await })
    }
}

/// Answers with [`AuthRejection::response`].
impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        actix_status(self.status())
    }

    fn error_response(&self) -> HttpResponse {
        to_response(self.response().into())
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The [`Webhook`](crate::webhooks::Webhook) verifier comes from the app data (`web::Data<Webhook>`
/// or a plain `Webhook`). The body is read with actix-web's `Bytes`
/// extractor, so the [`PayloadConfig`](web::PayloadConfig) in the app data
/// sets its size limit (256 KiB by default).
///
/// ```no_run
/// use actix_web::{App, HttpResponse, web};
/// use clerk_backend::actix::ClerkWebhook;
/// use clerk_backend::webhooks::{EventData, Webhook};
///
/// async fn clerk_events(ClerkWebhook(event): ClerkWebhook) -> HttpResponse {
///     if let EventData::UserCreated(user) = event.data {
///         println!("new user {}", user.id);
///     }
///     HttpResponse::NoContent().finish()
/// }
///
/// # fn main() -> Result<(), clerk_backend::webhooks::WebhookError> {
/// // CLERK_WEBHOOK_SIGNING_SECRET=whsec_...
/// let webhook = web::Data::new(Webhook::from_env()?);
/// let app = App::new().service(
///     web::resource("/webhooks/clerk")
///         .app_data(webhook)
///         // Deliveries up to 1 MiB.
///         .app_data(web::PayloadConfig::new(1 << 20))
///         .route(web::post().to(clerk_events)),
/// );
/// # Ok(()) }
/// ```
impl FromRequest for ClerkWebhook {
    type Error = WebhookRejection;
    type Future = LocalBoxFuture<'static, Result<Self, WebhookRejection>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = ActixRequest::new(req);
        let webhook = match web_core::webhook(&request) {
            Ok(webhook) => webhook,
            Err(rejection) => return Box::pin(ready(Err(rejection))),
        };
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| body_rejection(&error));
            web_core::verify_webhook(&webhook, request.head().headers, body)
        })
    }
}

/// actix-web's body error, as the framework-neutral [`BodyRejection`].
fn body_rejection(error: &actix_web::Error) -> BodyRejection {
    if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
        BodyRejection::too_large(error.to_string())
    } else {
        BodyRejection::unreadable(error.to_string())
    }
}

/// Answers with [`WebhookRejection::response`].
impl ResponseError for WebhookRejection {
    fn status_code(&self) -> StatusCode {
        actix_status(self.status())
    }

    fn error_response(&self) -> HttpResponse {
        to_response(self.response().into())
    }
}

// ---------------------------------------------------------------------------
// Middleware
// ---------------------------------------------------------------------------

/// A middleware that authenticates every request with
/// [`authenticate_request`](crate::auth::authenticate_request) and inserts the resulting [`AuthState`] into the
/// request extensions, where the extractors ([`ClerkAuth`],
/// [`MaybeSignedIn`], [`AuthState`]) and any other code
/// (`req.extensions().get::<AuthState>()`) find it.
///
/// * [`ClerkMiddleware::new`] never rejects: signed-out requests reach the
///   service with an [`AuthState::SignedOut`].
/// * [`ClerkMiddleware::require_auth`] answers signed-out requests itself
///   with the [`AuthRejection`] response (`401`, or `503`/`500` for
///   server-side problems), without calling the service.
///
/// The middleware only looks at headers, never at paths: wrap the app,
/// scope or resource it should cover. With `require_auth` on a scope,
/// unknown paths under the scope are answered `401` too (the scope's
/// middleware runs before its routing finds nothing); wrap single resources
/// where that matters. Keep CORS handling outside it, since preflight
/// requests carry no token. Each `ClerkMiddleware` verifies the token it
/// sees, even if an outer one already did.
///
/// **Server-rendered pages.** Given an [`Authenticator`](crate::auth::Authenticator)
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
/// ```no_run
/// use actix_web::{App, HttpMessage, HttpRequest, web};
/// use clerk_backend::actix::ClerkMiddleware;
/// use clerk_backend::auth::{AuthState, VerifyOptions};
///
/// async fn hello(req: HttpRequest) -> String {
///     let extensions = req.extensions();
///     let user = extensions.get::<AuthState>().and_then(|a| a.user_id());
///     format!("hello {}", user.unwrap_or("?"))
/// }
///
/// # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
/// let app = App::new().service(
///     web::resource("/hello")
///         .wrap(ClerkMiddleware::require_auth(VerifyOptions::from_env()?))
///         .route(web::get().to(hello)),
/// );
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ClerkMiddleware {
    gate: Gate,
}

web_core::gate_methods!(ClerkMiddleware, "middleware");

impl<S, B> Transform<S, ServiceRequest> for ClerkMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = ClerkMiddlewareService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ClerkMiddlewareService {
            service: Rc::new(service),
            gate: self.gate.clone(),
        }))
    }
}

/// The service made by [`ClerkMiddleware`].
pub struct ClerkMiddlewareService<S> {
    service: Rc<S>,
    gate: Gate,
}

impl<S, B> Service<ServiceRequest> for ClerkMiddlewareService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let gate = self.gate.clone();
        Box::pin(async move {
            let admission = gate.admit(RequestHead::from(&http1_head(req.head()))).await;
            let admitted = match admission {
                Admission::Continue(admitted) => admitted,
                Admission::Respond(response) => {
                    let response = to_response(response);
                    return Ok(req.into_response(response).map_into_right_body());
                }
            };
            req.extensions_mut().insert(admitted.auth);
            let mut response = service.call(req).await?;
            append_headers(response.response_mut(), admitted.response_headers);
            Ok(response.map_into_left_body())
        })
    }
}

impl<S> fmt::Debug for ClerkMiddlewareService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClerkMiddlewareService")
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

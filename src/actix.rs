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
//! [`ClerkWebhook`] finds its [`Webhook`] in the app data the same way
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

use std::fmt;
use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, COOKIE, HeaderMap};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use futures::future::LocalBoxFuture;

use crate::auth::{AuthState, VerifyOptions, authenticate_request};
pub use crate::extract::{ClerkAuth, ClerkWebhook, MaybeSignedIn};
pub use crate::rejection::{AuthRejection, WebhookRejection};
use crate::rejection::{
    BodyRejection, Gate, RejectionResponse, optional_sign_in, require_signed_in,
};
use crate::webhooks::Webhook;

// ---------------------------------------------------------------------------
// Configuration and headers
// ---------------------------------------------------------------------------

/// A `T` from the app data: `web::Data<T>`, else a plain `T`.
fn app_config<T: Clone + 'static>(req: &HttpRequest) -> Option<Arc<T>> {
    req.app_data::<web::Data<T>>()
        .map(|data| data.clone().into_inner())
        .or_else(|| req.app_data::<T>().map(|value| Arc::new(value.clone())))
}

/// actix-web 4 is built on `http` 0.2, the verifiers on `http` 1: copies the
/// given headers across. Both versions accept the same names and values.
fn http1_headers<'a>(
    headers: impl Iterator<
        Item = (
            &'a actix_web::http::header::HeaderName,
            &'a actix_web::http::header::HeaderValue,
        ),
    >,
) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_str().as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            map.append(name, value);
        }
    }
    map
}

/// The headers that can carry a session token (see
/// [`session_token`](crate::auth::session_token)), for the verifiers.
fn session_headers(headers: &HeaderMap) -> http::HeaderMap {
    http1_headers(
        headers
            .iter()
            .filter(|(name, _)| **name == AUTHORIZATION || **name == COOKIE),
    )
}

/// The request's [`AuthState`]: from the extensions, or computed with the
/// options from the app data and then stored in the extensions for later
/// extractors.
async fn request_auth_state(req: HttpRequest) -> Result<AuthState, AuthRejection> {
    if let Some(auth) = req.extensions().get::<AuthState>() {
        return Ok(auth.clone());
    }
    let Some(options) = app_config::<VerifyOptions>(&req) else {
        tracing::error!(
            "clerk_backend::actix: no VerifyOptions for this request; wrap the app or scope in a \
             ClerkMiddleware, or add web::Data<VerifyOptions> to the app data"
        );
        return Err(AuthRejection::NotConfigured);
    };
    let auth = authenticate_request(&session_headers(req.headers()), &options).await;
    req.extensions_mut().insert(auth.clone());
    Ok(auth)
}

/// An `http` 1 status as actix-web's.
fn actix_status(status: http::StatusCode) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A [`RejectionResponse`] as an actix-web [`HttpResponse`].
fn to_response(rejection: RejectionResponse) -> HttpResponse {
    let mut response = HttpResponse::build(actix_status(rejection.status));
    for (name, value) in rejection.headers() {
        response.insert_header((name.as_str(), value));
    }
    response.body(rejection.body)
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

/// Answers with [`AuthRejection::response`].
impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        actix_status(self.status())
    }

    fn error_response(&self) -> HttpResponse {
        to_response(self.response())
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The [`Webhook`] verifier comes from the app data (`web::Data<Webhook>`
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
        let Some(webhook) = app_config::<Webhook>(req) else {
            tracing::error!(
                "clerk_backend::actix: no Webhook for this request; add web::Data<Webhook> to \
                 the app data"
            );
            return Box::pin(ready(Err(WebhookRejection::NotConfigured)));
        };
        let headers = http1_headers(req.headers().iter());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|error| WebhookRejection::Body(body_rejection(&error)))?;
            webhook
                .verify(&headers, &body)
                .map(ClerkWebhook)
                .map_err(WebhookRejection::Invalid)
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
        to_response(self.response())
    }
}

// ---------------------------------------------------------------------------
// Middleware
// ---------------------------------------------------------------------------

/// A middleware that authenticates every request with
/// [`authenticate_request`] and inserts the resulting [`AuthState`] into the
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

impl ClerkMiddleware {
    /// A middleware that authenticates every request with `options` and
    /// never rejects.
    pub fn new(options: VerifyOptions) -> Self {
        ClerkMiddleware {
            gate: Gate::new(options, false),
        }
    }

    /// A middleware that authenticates every request with `options` and
    /// rejects signed-out ones (see [`AuthRejection`]).
    pub fn require_auth(options: VerifyOptions) -> Self {
        ClerkMiddleware {
            gate: Gate::new(options, true),
        }
    }

    /// The options tokens are verified with.
    pub fn options(&self) -> &VerifyOptions {
        self.gate.options()
    }

    /// Whether signed-out requests are rejected.
    pub fn requires_auth(&self) -> bool {
        self.gate.requires_auth()
    }
}

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
            let auth = match gate.admit(&session_headers(req.headers())).await {
                Ok(auth) => auth,
                Err(rejection) => {
                    let response = rejection.error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
            };
            req.extensions_mut().insert(auth);
            let response = service.call(req).await?;
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

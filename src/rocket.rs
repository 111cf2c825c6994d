//! [Rocket] 0.5 integration: request guards for session tokens, a data
//! guard for webhooks, and a fairing. Enabled by the `rocket` cargo feature.
//!
//! | type | what the handler gets | when it is not there |
//! | --- | --- | --- |
//! | [`ClerkAuth`] | the signed-in user's [`Claims`](crate::auth::Claims) | `401` with a JSON reason |
//! | [`MaybeSignedIn`] | `Option<Claims>` | `None` (a bad or expired token counts as signed out) |
//! | [`AuthState`] | signed in, or signed out and why | never rejects |
//! | [`ClerkWebhook`] (data guard) | the verified [`WebhookEvent`](crate::webhooks::WebhookEvent) | `400` (or `413`) with a JSON reason |
//! | [`ClerkFairing`] | verifies every request once for the guards; with [`ClerkFairing::require_auth`] answers `401` itself; gives guard rejections their JSON answers | |
//!
//! `Option<ClerkAuth>` works too, through Rocket's own `Option<T>` guard:
//! `None` when signed out, and also when the token could not be checked
//! (Rocket turns every failure of the inner guard into `None`); prefer
//! [`MaybeSignedIn`] so that an outage is answered with `503`.
//!
//! # Where the configuration comes from
//!
//! The guards use, in this order:
//!
//! 1. the [`AuthState`] a [`ClerkFairing`] (or an earlier guard) cached for
//!    the request: the token is then verified once per request;
//! 2. the managed state (`.manage(...)`): a [`ClerkConfig`], else a bare
//!    [`VerifyOptions`] (and, for [`ClerkWebhook`], a bare [`Webhook`](crate::webhooks::Webhook)).
//!
//! Missing configuration is a `500` with an error logged; attach
//! [`ClerkFairing::managed`] to have it refused at start-up instead.
//!
//! # Rejections
//!
//! In Rocket 0.5 a failing guard hands only a status to the error catcher.
//! A [`ClerkFairing`] (any of its kinds) gives the response the same JSON
//! body and `WWW-Authenticate` header as the other integrations
//! ([`AuthRejection`], [`WebhookRejection`]); without one, the app's
//! catcher for that status answers (the status is the same). Handlers that
//! take `Result<ClerkAuth, AuthRejection>` can return the rejection
//! themselves: both rejections are [`Responder`]s.
//!
//! # Example
//!
//! ```no_run
//! use clerk_backend::auth::VerifyOptions;
//! use clerk_backend::rocket::{ClerkAuth, ClerkFairing, ClerkWebhook, MaybeSignedIn};
//! use clerk_backend::webhooks::{EventData, Webhook};
//! use rocket::http::Status;
//! use rocket::{get, post, routes};
//!
//! #[get("/me")]
//! fn me(auth: ClerkAuth) -> String {
//!     format!("hello {}", auth.user_id())
//! }
//!
//! #[get("/")]
//! fn home(user: MaybeSignedIn) -> String {
//!     match user.0 {
//!         Some(claims) => format!("welcome back, {}", claims.user_id()),
//!         None => "welcome, stranger".to_owned(),
//!     }
//! }
//!
//! #[post("/webhooks/clerk", data = "<event>")]
//! fn clerk_events(event: ClerkWebhook) -> Status {
//!     if let EventData::UserCreated(user) = &event.0.data {
//!         println!("new user {}", user.id);
//!     }
//!     Status::NoContent
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // CLERK_JWT_KEY or CLERK_SECRET_KEY; CLERK_WEBHOOK_SIGNING_SECRET.
//! let rocket = rocket::build()
//!     .manage(VerifyOptions::from_env()?)
//!     .manage(Webhook::from_env()?)
//!     .attach(ClerkFairing::managed())
//!     .mount("/", routes![home, me, clerk_events]);
//! # let _ = rocket; Ok(()) }
//! ```
//!
//! [Rocket]: https://rocket.rs/v0.5

use std::io::Cursor;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use rocket::data::{self, Data, FromData, Limits};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::http::{Method, Status};
use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use rocket::route::{self, Handler, Route};
use rocket::{Build, Phase, Rocket};

use crate::auth::{AuthState, VerifyOptions};
pub use crate::extract::{Authenticated, ClerkAuth, ClerkMachine, ClerkWebhook, MaybeSignedIn};
pub use crate::rejection::{AuthRejection, WebhookRejection};
use crate::rejection::{BodyRejection, optional_sign_in, require_signed_in};
pub use crate::web::ClerkConfig;
use crate::web::{self, Admission, ConfigStore, Gate, RequestHead, WebRequest};

/// Where a [`ClerkFairing`] sends a request it answers itself (Rocket
/// fairings cannot answer): a route it mounts, which sends the answer.
const ANSWER_PATH: &str = "/__clerk_backend/answer";

// ---------------------------------------------------------------------------
// Configuration, requests and responses
// ---------------------------------------------------------------------------

/// The managed state as a configuration store.
impl<P: Phase> ConfigStore for Rocket<P> {
    fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.state::<T>().map(|value| Arc::new(value.clone()))
    }
}

/// What the integration keeps per request (Rocket's request-local cache):
/// the [`AuthState`], the head converted to `http` 1 (Rocket is on `http`
/// 0.2), and what the fairing must still do to the response.
#[derive(Default)]
struct Local {
    auth: OnceLock<AuthState>,
    head: OnceLock<http::request::Parts>,
    /// An answer to send instead of the route's or catcher's response.
    answer: Mutex<Option<http::Response<Bytes>>>,
    /// Headers to add to the response.
    response_headers: Mutex<http::HeaderMap>,
}

fn local<'a>(req: &'a Request<'_>) -> &'a Local {
    req.local_cache(Local::default)
}

/// A request as the core's steps see it.
struct RocketRequest<'a, 'r>(&'a Request<'r>);

impl WebRequest for RocketRequest<'_, '_> {
    const MODULE: &'static str = "clerk_backend::rocket";
    const VERIFY_HINT: &'static str = "attach a ClerkFairing, or manage VerifyOptions (or a \
        ClerkConfig) with .manage(...)";
    const WEBHOOK_HINT: &'static str = "manage a Webhook (or a ClerkConfig with a webhook) with \
        .manage(...)";

    fn config(&self) -> ClerkConfig {
        ClerkConfig::find(self.0.rocket())
    }

    fn cached_auth(&self) -> Option<AuthState> {
        local(self.0).auth.get().cloned()
    }

    fn cache_auth(&mut self, auth: &AuthState) {
        // Set once: a concurrent guard of the same request verified the
        // same token.
        let _ = local(self.0).auth.set(auth.clone());
    }

    fn head(&self) -> RequestHead<'_> {
        RequestHead::from(local(self.0).head.get_or_init(|| http1_head(self.0)))
    }
}

/// A Rocket request head as an `http` 1 one.
fn http1_head(req: &Request<'_>) -> http::request::Parts {
    web::owned_head(
        req.method().as_str(),
        &req.uri().to_string(),
        req.headers()
            .iter()
            // Rocket lends each header for the step only.
            .map(|header| (header.name().to_string(), header.value().to_owned())),
    )
}

/// An `http` 1 status as Rocket's.
fn rocket_status(status: http::StatusCode) -> Status {
    Status::new(status.as_u16())
}

/// An `http` 1 response as a Rocket [`Response`].
fn to_response(response: http::Response<Bytes>) -> Response<'static> {
    let (parts, body) = response.into_parts();
    let mut builder = Response::build();
    builder.status(rocket_status(parts.status));
    add_headers(&mut builder, &parts.headers);
    builder.sized_body(body.len(), Cursor::new(body)).finalize()
}

/// `http` 1 headers added to a Rocket response (values that are not text
/// cannot be Rocket headers and are left out).
fn add_headers(builder: &mut response::Builder<'_>, headers: &http::HeaderMap) {
    for (name, value) in headers {
        if let Ok(value) = value.to_str() {
            builder.raw_header_adjoin(name.as_str().to_owned(), value.to_owned());
        }
    }
}

/// A guard's outcome; a rejection is kept for the fairing to answer with.
fn outcome<T, E: Rejection, F>(
    req: &Request<'_>,
    result: Result<T, E>,
) -> Outcome<T, (Status, E), F> {
    match result {
        Ok(value) => Outcome::Success(value),
        Err(rejection) => {
            let answer = rejection.answer();
            let status = rocket_status(answer.status());
            *lock(&local(req).answer) = Some(answer);
            Outcome::Error((status, rejection))
        }
    }
}

/// The two rejections, for [`outcome`].
trait Rejection {
    fn answer(&self) -> http::Response<Bytes>;
}

impl Rejection for AuthRejection {
    fn answer(&self) -> http::Response<Bytes> {
        self.response().into()
    }
}

impl Rejection for WebhookRejection {
    fn answer(&self) -> http::Response<Bytes> {
        self.response().into()
    }
}

/// The value behind a request-local mutex, even if a panicking handler
/// poisoned it (the values are replaced whole, never left half-written).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The request's [`AuthState`] (see [`web::session_state`]).
async fn request_auth_state(req: &Request<'_>) -> Result<AuthState, AuthRejection> {
    web::session_state(&mut RocketRequest(req)).await
}

// ---------------------------------------------------------------------------
// Request guards
// ---------------------------------------------------------------------------

/// Rejects signed-out requests with an [`AuthRejection`]. See the
/// [module docs](self) for where the configuration comes from.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClerkAuth {
    type Error = AuthRejection;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, AuthRejection> {
        let result = request_auth_state(req).await.and_then(require_signed_in);
        outcome(req, result.map(ClerkAuth))
    }
}

/// `None` when signed out; rejects only on server-side problems.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeSignedIn {
    type Error = AuthRejection;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, AuthRejection> {
        let result = request_auth_state(req).await.and_then(optional_sign_in);
        outcome(req, result.map(MaybeSignedIn))
    }
}

/// The request's [`AuthState`] as a guard: signed in, or signed out and why
/// (including server-side verification failures). Rejects only when no
/// configuration is found ([`AuthRejection::NotConfigured`]).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for AuthState {
    type Error = AuthRejection;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, AuthRejection> {
        outcome(req, request_auth_state(req).await)
    }
}

/// Rejects requests without a verified machine token (see
/// [`ClerkMachine`]).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClerkMachine {
    type Error = AuthRejection;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, AuthRejection> {
        outcome(req, web::machine(&mut RocketRequest(req)).await)
    }
}

/// Rejects unauthenticated requests (see [`Authenticated`]).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Authenticated {
    type Error = AuthRejection;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, AuthRejection> {
        outcome(req, web::authenticated(&mut RocketRequest(req)).await)
    }
}

/// Answers with [`AuthRejection::response`].
impl<'r> Responder<'r, 'static> for AuthRejection {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.answer()))
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The [`Webhook`](crate::webhooks::Webhook) comes from the managed state (a [`ClerkConfig`] or a bare
/// `Webhook`). The body is read under Rocket's `json/clerk-webhook` limit,
/// else its `json` limit (1 MiB by default); `413` above it.
///
/// ```no_run
/// use clerk_backend::rocket::ClerkWebhook;
/// use clerk_backend::webhooks::Webhook;
/// use rocket::data::{Limits, ToByteUnit};
/// use rocket::{post, routes};
///
/// #[post("/webhooks/clerk", data = "<event>")]
/// fn clerk_events(event: ClerkWebhook) -> &'static str {
///     println!("{}", event.0.event_type);
///     "ok"
/// }
///
/// # fn main() -> Result<(), clerk_backend::webhooks::WebhookError> {
/// // Deliveries up to 2 MiB.
/// let limits = Limits::default().limit("json/clerk-webhook", 2.mebibytes());
/// let figment = rocket::Config::figment().merge(("limits", limits));
/// let rocket = rocket::custom(figment)
///     .manage(Webhook::from_env()?) // CLERK_WEBHOOK_SIGNING_SECRET
///     .mount("/", routes![clerk_events]);
/// # let _ = rocket; Ok(()) }
/// ```
#[rocket::async_trait]
impl<'r> FromData<'r> for ClerkWebhook {
    type Error = WebhookRejection;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let request = RocketRequest(req);
        let result = match web::webhook(&request) {
            Ok(webhook) => {
                let body = read_body(req, data).await;
                web::verify_webhook(&webhook, request.head().headers, body)
            }
            Err(rejection) => Err(rejection),
        };
        outcome(req, result)
    }
}

/// The body, under the webhook limit.
async fn read_body(req: &Request<'_>, data: Data<'_>) -> Result<Vec<u8>, BodyRejection> {
    let limit = req
        .limits()
        .find(["json", "clerk-webhook"])
        .unwrap_or(Limits::JSON);
    match data.open(limit).into_bytes().await {
        Ok(body) if body.is_complete() => Ok(body.into_inner()),
        Ok(_) => Err(BodyRejection::too_large(format!(
            "the body is larger than the limit ({limit})"
        ))),
        Err(error) => Err(BodyRejection::unreadable(error.to_string())),
    }
}

/// Answers with [`WebhookRejection::response`].
impl<'r> Responder<'r, 'static> for WebhookRejection {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.answer()))
    }
}

// ---------------------------------------------------------------------------
// Fairing
// ---------------------------------------------------------------------------

/// A fairing: verifies every request once, for the guards, and gives guard
/// rejections the JSON answers of [`crate::rejection`].
///
/// * [`ClerkFairing::new`] verifies every request with its options and
///   never rejects: signed-out requests reach the routes, whose guards
///   decide.
/// * [`ClerkFairing::require_auth`] also answers signed-out requests itself
///   (`401`, or `503`/`500` for server-side problems), before any route
///   runs. Fairings apply to the whole application: every path, unknown
///   ones included, then needs a signed-in user.
/// * [`ClerkFairing::managed`] verifies nothing up front: the guards use the
///   managed configuration. It refuses to launch when there is none (no
///   [`ClerkConfig`], [`VerifyOptions`] or [`Webhook`](crate::webhooks::Webhook) managed).
///
/// Rocket fairings cannot answer a request; for the answers of
/// `require_auth` the fairing mounts a route at `/__clerk_backend/answer`
/// and sends the requests it answers there.
///
/// ```no_run
/// use clerk_backend::auth::{AuthState, VerifyOptions};
/// use clerk_backend::rocket::ClerkFairing;
/// use rocket::{get, routes};
///
/// #[get("/hello")]
/// fn hello(auth: AuthState) -> String {
///     format!("hello {}", auth.user_id().unwrap_or("?"))
/// }
///
/// # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
/// let rocket = rocket::build()
///     .attach(ClerkFairing::require_auth(VerifyOptions::from_env()?))
///     .mount("/", routes![hello]);
/// # let _ = rocket; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ClerkFairing {
    gate: Option<Gate>,
}

impl ClerkFairing {
    /// A fairing that verifies every request with `options` (a
    /// [`VerifyOptions`] or an [`Authenticator`](crate::auth::Authenticator))
    /// and never rejects.
    pub fn new(options: impl Into<crate::auth::Authenticator>) -> Self {
        ClerkFairing {
            gate: Some(Gate::new(options, false)),
        }
    }

    /// A fairing that verifies every request with `options` and answers
    /// unauthenticated ones itself (see [`AuthRejection`]).
    pub fn require_auth(options: impl Into<crate::auth::Authenticator>) -> Self {
        ClerkFairing {
            gate: Some(Gate::new(options, true)),
        }
    }

    /// Accepts the token kinds of `route` (default: session tokens only).
    /// No effect on a [`managed`](Self::managed) fairing: configure its
    /// [`ClerkConfig::with_route_options`] instead.
    #[must_use]
    pub fn accepting(self, route: crate::auth::RouteOptions) -> Self {
        ClerkFairing {
            gate: self.gate.map(|gate| gate.accepting(route)),
        }
    }

    /// A fairing for guards configured by the managed state: it checks at
    /// launch that there is a configuration, and answers rejections.
    pub fn managed() -> Self {
        ClerkFairing { gate: None }
    }

    /// The options tokens are verified with, unless [`managed`](Self::managed).
    pub fn options(&self) -> Option<&VerifyOptions> {
        self.gate.as_ref().map(Gate::options)
    }

    /// Whether signed-out requests are answered by the fairing.
    pub fn requires_auth(&self) -> bool {
        self.gate.as_ref().is_some_and(Gate::requires_auth)
    }
}

#[rocket::async_trait]
impl Fairing for ClerkFairing {
    fn info(&self) -> Info {
        Info {
            name: "Clerk",
            kind: Kind::Ignite | Kind::Request | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        if self.gate.is_none() && ClerkConfig::find(&rocket).is_empty() {
            tracing::error!(
                "clerk_backend::rocket: ClerkFairing::managed() but nothing is managed: manage \
                 VerifyOptions, a Webhook or a ClerkConfig with .manage(...)"
            );
            return Err(rocket);
        }
        let answer = Route::ranked(-100, Method::Get, ANSWER_PATH, Answer);
        Ok(rocket.mount("/", vec![answer]))
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let Some(gate) = &self.gate else { return };
        let admission = gate.admit(RocketRequest(req).head()).await;
        let local = local(req);
        match admission {
            Admission::Continue(admitted) => {
                let _ = local.auth.set(admitted.auth);
                *lock(&local.response_headers) = admitted.response_headers;
            }
            Admission::Respond(answer) => {
                *lock(&local.answer) = Some(answer);
                req.set_method(Method::Get);
                req.set_uri(Origin::const_new(ANSWER_PATH, None));
            }
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let local = local(req);
        // A guard's rejection: its answer replaces the catcher's response
        // (same status; another status means a handler took the rejection
        // as a value and answered otherwise).
        let answer = lock(&local.answer).take();
        if let Some(answer) = answer
            && answer.status().as_u16() == res.status().code
        {
            *res = to_response(answer);
        }
        let headers = std::mem::take(&mut *lock(&local.response_headers));
        for (name, value) in &headers {
            if let Ok(value) = value.to_str() {
                res.adjoin_raw_header(name.as_str().to_owned(), value.to_owned());
            }
        }
    }
}

/// The route a [`ClerkFairing`] sends the requests it answers to.
#[derive(Clone)]
struct Answer;

#[rocket::async_trait]
impl Handler for Answer {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        match lock(&local(req).answer).take() {
            Some(answer) => route::Outcome::Success(to_response(answer)),
            // Requested by a client: nothing to answer here.
            None => route::Outcome::Forward((data, Status::NotFound)),
        }
    }
}

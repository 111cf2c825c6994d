//! What the extractors of the web integrations hand to handlers. One set of
//! types serves `clerk_backend::axum`, `clerk_backend::actix`,
//! `clerk_backend::rocket` and `clerk_backend::poem`: each re-exports them
//! and implements its framework's extractor (or guard) traits for them
//! (the implementations' docs say where each framework finds the
//! configuration, and how it limits webhook bodies).

use std::ops::Deref;

use crate::auth::{Claims, MachineAuth};
use crate::webhooks::WebhookEvent;

/// Extractor for handlers that need a signed-in user: the verified
/// [`Claims`] of the request's session token.
///
/// Signed-out requests are rejected with an
/// [`AuthRejection`](crate::rejection::AuthRejection): `401` with
/// `{"error": "signed_out", "reason": ...}`, or `503`/`500` when the token
/// could not be checked because of a server-side problem.
///
/// ```
/// # #[cfg(feature = "axum")] use clerk_backend::axum::ClerkAuth;
/// # #[cfg(not(feature = "axum"))] use clerk_backend::actix::ClerkAuth;
/// async fn me(ClerkAuth(claims): ClerkAuth) -> String {
///     format!("{} (org {:?})", claims.user_id(), claims.org_id())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ClerkAuth(pub Claims);

impl Deref for ClerkAuth {
    type Target = Claims;

    fn deref(&self) -> &Claims {
        &self.0
    }
}

/// Extractor for handlers where signing in is optional: `Some(claims)` when
/// the request carries a valid session token, `None` otherwise.
///
/// A missing, expired or otherwise invalid token gives `None` (Clerk's
/// frontends refresh expired tokens themselves). Server-side problems
/// (the key set could not be fetched, bad configuration) are not hidden as
/// "signed out": they are rejected with `503`/`500`, as by [`ClerkAuth`].
/// To handle every case yourself, extract the
/// [`AuthState`](crate::auth::AuthState) instead.
///
/// ```
/// # #[cfg(feature = "axum")] use clerk_backend::axum::MaybeSignedIn;
/// # #[cfg(not(feature = "axum"))] use clerk_backend::actix::MaybeSignedIn;
/// async fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
///     match claims {
///         Some(claims) => format!("welcome back, {}", claims.user_id()),
///         None => "welcome".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<Claims>);

/// Extractor for routes called by machines: the verified [`MachineAuth`]
/// of the request's API key, M2M token or OAuth access token (from
/// `Authorization: Bearer`; cookies are never read for machine tokens).
///
/// It accepts every machine kind unless the configuration's or the
/// layer's [`RouteOptions`](crate::auth::RouteOptions) narrow them. A
/// session token is rejected as `token_type_mismatch` (`401`), as are
/// machine kinds the route does not accept; an unknown or revoked token as
/// `token_invalid`; Clerk unreachable as `503`. Opaque tokens need an
/// [`Authenticator`](crate::auth::Authenticator) with a Backend API client
/// in the configuration.
///
/// ```
/// # #[cfg(feature = "axum")] use clerk_backend::axum::ClerkMachine;
/// # #[cfg(not(feature = "axum"))] use clerk_backend::actix::ClerkMachine;
/// async fn ingest(ClerkMachine(machine): ClerkMachine) -> String {
///     format!("{} {} ({:?})", machine.token_type(), machine.subject(), machine.scopes())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ClerkMachine(pub MachineAuth);

impl Deref for ClerkMachine {
    type Target = MachineAuth;

    fn deref(&self) -> &MachineAuth {
        &self.0
    }
}

/// Extractor for routes open to users and machines alike: a verified
/// session or machine token, of a kind the route accepts (any, unless the
/// configuration's or the layer's
/// [`RouteOptions`](crate::auth::RouteOptions) narrow them). Unauthenticated
/// requests are rejected as by [`ClerkAuth`].
///
/// ```
/// # #[cfg(feature = "axum")] use clerk_backend::axum::Authenticated;
/// # #[cfg(not(feature = "axum"))] use clerk_backend::actix::Authenticated;
/// async fn whoami(auth: Authenticated) -> String {
///     match auth {
///         Authenticated::Session(claims) => format!("user {}", claims.user_id()),
///         Authenticated::Machine(machine) => format!("{} {}", machine.token_type(), machine.subject()),
///     }
/// }
/// ```
// Claims are kept inline, as in `AuthState`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Authenticated {
    /// A user's session token.
    Session(Claims),
    /// A machine token.
    Machine(MachineAuth),
}

/// Extractor that verifies a webhook delivery from Clerk and hands the
/// handler the typed [`WebhookEvent`].
///
/// It reads the whole body, under the framework's body-size limit (`413`
/// above it), and consumes it: put it last among the handler's arguments.
/// Deliveries that do not verify are rejected with a
/// [`WebhookRejection`](crate::rejection::WebhookRejection): `400` and
/// `{"error": "invalid_webhook", "reason": ...}`.
///
/// ```
/// # #[cfg(feature = "axum")] use clerk_backend::axum::ClerkWebhook;
/// # #[cfg(not(feature = "axum"))] use clerk_backend::actix::ClerkWebhook;
/// use clerk_backend::webhooks::EventData;
///
/// async fn clerk_events(ClerkWebhook(event): ClerkWebhook) {
///     match event.data {
///         EventData::UserCreated(user) => println!("new user {}", user.id),
///         EventData::UserDeleted(deleted) => println!("user {:?} deleted", deleted.id),
///         _ => println!("ignoring {}", event.event_type),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ClerkWebhook(pub WebhookEvent);

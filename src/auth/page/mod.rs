//! Server-rendered pages: Clerk's request rules for cookie sessions (the
//! handshake, refresh, satellites, organization sync), as Clerk's backend
//! SDK applies them, behind
//! [`Authenticator::authenticate_request`](crate::auth::Authenticator::authenticate_request).
//!
//! A session token lives about a minute; clerk-js renews it in the page.
//! A page loaded after a minute without clerk-js (a server-rendered app,
//! a new tab) sends an expired `__session` cookie. Instead of rendering it
//! signed out, the rules decide from the cookies whether the session state
//! is *known*; when it is not, the browser is sent through Clerk's Frontend
//! API (`/v1/client/handshake`), which sends it back with fresh cookies, or
//! the expired token is refreshed in place through the Backend API.
//!
//! One job per file: `context` parses the request once (its URL as the
//! browser sees it, the instance's cookies, suffixed or not, the query);
//! `decide` is the rules, pure functions of that context and the outcome
//! of token checks; `resolve` is the async layer that verifies tokens and
//! calls the Backend API (handshake nonces, refresh); `reason` and `state`
//! are the outcome's types; `org` the organization patterns; `instance`
//! what the publishable key and the multi-domain settings say.

pub(crate) mod context;
pub(crate) mod decide;
pub(crate) mod instance;
pub(crate) mod org;
pub(crate) mod reason;
pub(crate) mod resolve;
pub(crate) mod state;

pub use org::OrganizationSync;
pub use reason::{AuthReason, ExpiredRefresh, RefreshError, TokenReason};
pub use state::{AUTH_REASON_HEADER, AUTH_STATUS_HEADER, AuthStatus, RequestState};

#[cfg(test)]
mod tests;

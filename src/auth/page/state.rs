//! The outcome of the page rules: [`RequestState`].

use std::fmt;

use http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

use super::reason::AuthReason;
use crate::auth::request::AuthState;

/// `x-clerk-auth-status`: the request's [`AuthStatus`].
pub const AUTH_STATUS_HEADER: HeaderName = HeaderName::from_static("x-clerk-auth-status");
/// `x-clerk-auth-reason`: the [`AuthReason`] of a signed-out or handshake
/// state.
pub const AUTH_REASON_HEADER: HeaderName = HeaderName::from_static("x-clerk-auth-reason");

/// Where a request stands, as Clerk's SDKs sort it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthStatus {
    /// A verified session (or machine token).
    SignedIn,
    /// Not signed in; the response is the application's.
    SignedOut,
    /// The session state is not known: redirect the browser through Clerk's
    /// Frontend API ([`RequestState::headers`] has the `Location`).
    Handshake,
    /// The request could not be decided because of a problem on this
    /// side: Clerk or its keys unreachable, or a configuration error. Not
    /// "signed out": answer 503 (the integrations do), never render the
    /// page as signed out. Clerk's SDKs have no such status.
    Unavailable,
}

impl AuthStatus {
    /// Clerk's wire string (`signed-in`, `signed-out`, `handshake`); ours,
    /// `unavailable`, for [`AuthStatus::Unavailable`].
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStatus::SignedIn => "signed-in",
            AuthStatus::SignedOut => "signed-out",
            AuthStatus::Handshake => "handshake",
            AuthStatus::Unavailable => "unavailable",
        }
    }
}

impl fmt::Display for AuthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of [`Authenticator::authenticate_request`](crate::auth::Authenticator::authenticate_request):
/// the status, Clerk's reason, the headers the response must carry and the
/// request's [`AuthState`].
///
/// * [`AuthStatus::Handshake`]: answer `307 Temporary Redirect` with
///   [`headers`](Self::headers) (`Location`, `Cache-Control: no-store`, the
///   redirect counter cookie);
/// * [`AuthStatus::SignedIn`] after a resolved handshake or a refresh:
///   serve the page and add [`headers`](Self::headers) (`Set-Cookie`) to its
///   response; a development instance's resolved handshake also has a
///   `Location` to the clean URL: answer 307 with the headers;
/// * [`AuthStatus::SignedOut`]: serve the page signed out (headers: the
///   debug headers, maybe cookies);
/// * [`AuthStatus::Unavailable`]: answer 503.
#[derive(Debug, Clone)]
pub struct RequestState {
    pub(crate) status: AuthStatus,
    pub(crate) reason: Option<AuthReason>,
    pub(crate) headers: HeaderMap,
    pub(crate) auth: AuthState,
}

impl RequestState {
    /// The status.
    pub fn status(&self) -> AuthStatus {
        self.status
    }

    /// Clerk's reason for a signed-out or handshake state (`None` when
    /// signed in).
    pub fn reason(&self) -> Option<&AuthReason> {
        self.reason.as_ref()
    }

    /// What the response must carry: `Location`, `Set-Cookie`,
    /// `Cache-Control`, and the `x-clerk-auth-status` /
    /// `x-clerk-auth-reason` debug headers of signed-out and handshake
    /// states.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request's authentication: `SignedIn` with the session's claims,
    /// `Machine`, or `SignedOut` with why.
    pub fn auth(&self) -> &AuthState {
        &self.auth
    }

    /// The request's authentication, by value.
    pub fn into_auth(self) -> AuthState {
        self.auth
    }

    /// The headers and the authentication, taken apart.
    pub fn into_parts(self) -> (AuthStatus, HeaderMap, AuthState) {
        (self.status, self.headers, self.auth)
    }

    /// The `Location` to redirect to, when the response must be a redirect
    /// (a handshake, or a development instance's resolved handshake).
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// Whether the response must be a `307` redirect to
    /// [`location`](Self::location).
    pub fn is_redirect(&self) -> bool {
        self.headers.contains_key(LOCATION)
    }

    /// The `Set-Cookie` values to send.
    pub fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    }

    pub(crate) fn new(
        status: AuthStatus,
        reason: Option<AuthReason>,
        mut headers: HeaderMap,
        auth: AuthState,
    ) -> Self {
        // Clerk's debug headers, on signed-out and handshake states.
        if let (Some(reason), AuthStatus::SignedOut | AuthStatus::Handshake) = (&reason, status) {
            if let Ok(value) = HeaderValue::from_str(reason.as_str()) {
                headers.insert(AUTH_REASON_HEADER, value);
            }
            headers.insert(
                AUTH_STATUS_HEADER,
                HeaderValue::from_static(status.as_str()),
            );
        }
        if headers.contains_key(LOCATION) {
            // Browsers cache 307s of inactive tabs; a cached handshake
            // redirect loops.
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        RequestState {
            status,
            reason,
            headers,
            auth,
        }
    }
}

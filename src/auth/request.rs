//! Authenticating an incoming HTTP request: [`authenticate_request`].

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

use super::claims::Claims;
use super::error::VerifyError;
use super::jwt::{VerifyOptions, verify_token};

/// The cookie in which Clerk's frontend SDKs keep the session token.
pub const SESSION_COOKIE: &str = "__session";

/// The outcome of [`authenticate_request`].
// Claims are kept inline: an `AuthState` is made once per request and moved
// a few times at most, which is cheaper than a heap allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AuthState {
    /// The request carries a valid session token.
    SignedIn(Claims),
    /// The request is not authenticated, and why.
    SignedOut(SignedOutReason),
}

/// Why a request is signed out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedOutReason {
    /// Neither an `Authorization: Bearer` header nor a `__session` cookie.
    NoToken,
    /// A token was present but did not verify.
    InvalidToken(VerifyError),
}

impl AuthState {
    /// Whether the request is signed in.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, AuthState::SignedIn(_))
    }

    /// The verified claims, when signed in.
    pub fn claims(&self) -> Option<&Claims> {
        match self {
            AuthState::SignedIn(claims) => Some(claims),
            AuthState::SignedOut(_) => None,
        }
    }

    /// The verified claims, when signed in.
    pub fn into_claims(self) -> Option<Claims> {
        match self {
            AuthState::SignedIn(claims) => Some(claims),
            AuthState::SignedOut(_) => None,
        }
    }

    /// The signed-in user's ID (`sub`).
    pub fn user_id(&self) -> Option<&str> {
        self.claims().map(Claims::user_id)
    }

    /// The session ID (`sid`), when signed in and present.
    pub fn session_id(&self) -> Option<&str> {
        self.claims().and_then(Claims::session_id)
    }

    /// Why the request is signed out, if it is.
    pub fn signed_out_reason(&self) -> Option<&SignedOutReason> {
        match self {
            AuthState::SignedIn(_) => None,
            AuthState::SignedOut(reason) => Some(reason),
        }
    }
}

/// Authenticates a request from its headers.
///
/// The session token is taken from `Authorization: Bearer <token>` if that
/// header is present, else from the `__session` cookie (see
/// [`session_token`]), and verified with [`verify_token`].
///
/// When accepting the cookie, configure
/// [`VerifyOptions::authorized_parties`] so that only your own frontends'
/// tokens are accepted.
///
/// ```no_run
/// use clerk_backend::auth::{authenticate_request, AuthState, VerifyOptions};
///
/// # async fn handle(headers: http::HeaderMap, options: VerifyOptions) {
/// match authenticate_request(&headers, &options).await {
///     AuthState::SignedIn(claims) => println!("hello {}", claims.user_id()),
///     AuthState::SignedOut(reason) => println!("401: {reason:?}"),
/// }
/// # }
/// ```
pub async fn authenticate_request(headers: &HeaderMap, options: &VerifyOptions) -> AuthState {
    let Some(token) = session_token(headers) else {
        return AuthState::SignedOut(SignedOutReason::NoToken);
    };
    match verify_token(token, options).await {
        Ok(claims) => AuthState::SignedIn(claims),
        Err(error) => AuthState::SignedOut(SignedOutReason::InvalidToken(error)),
    }
}

/// The session token carried by a request, if any (not verified).
///
/// An `Authorization` header with the `Bearer` scheme (case-insensitive)
/// and a non-empty token wins; otherwise the first non-empty `__session`
/// cookie across all `Cookie` headers is used. Other `Authorization`
/// schemes are ignored.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    bearer_token(headers).or_else(|| session_cookie(headers))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get_all(AUTHORIZATION).iter().find_map(|value| {
        let value = value.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    })
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            if name.trim() != SESSION_COOKIE {
                return None;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            (!value.is_empty()).then_some(value)
        })
}

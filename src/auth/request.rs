//! Authenticating an incoming HTTP request: [`authenticate_request`].

use std::borrow::Cow;

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
    match verify_token(&token, options).await {
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
///
/// The cookie's value is read as a cookie parser reads it (Clerk's SDK
/// included): surrounding quotes are removed and percent-escapes decoded,
/// so a token whose dots arrive as `%2E` is found whole. Cookies are split
/// on `;` and `=` *before* decoding, so an encoded delimiter (`%3B`, `%3D`)
/// inside another cookie can never produce a `__session` cookie. A value
/// whose escapes are not valid UTF-8 percent-encoding is kept as it came.
pub fn session_token(headers: &HeaderMap) -> Option<Cow<'_, str>> {
    bearer_token(headers)
        .map(Cow::Borrowed)
        .or_else(|| session_cookie(headers).map(percent_decode))
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

/// Decodes `%XX` escapes as JavaScript's `decodeURIComponent` does; on a
/// malformed escape or bytes that are not UTF-8 the value is kept as it came
/// (what the `cookie` package does when decoding throws).
fn percent_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let digit = |b: u8| char::from(b).to_digit(16);
        match bytes.get(i + 1..i + 3) {
            Some(&[high, low]) => match (digit(high), digit(low)) {
                (Some(high), Some(low)) => out.push((high * 16 + low) as u8),
                _ => return Cow::Borrowed(value),
            },
            _ => return Cow::Borrowed(value),
        }
        i += 3;
    }
    String::from_utf8(out).map_or(Cow::Borrowed(value), Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding_follows_decode_uri_component() {
        assert_eq!(percent_decode("a.b.c"), "a.b.c");
        assert_eq!(percent_decode("a%2Eb%2ec"), "a.b.c");
        assert_eq!(percent_decode("%E2%82%AC"), "\u{20ac}");
        // Malformed escapes and non-UTF-8 results keep the raw value.
        for raw in ["%", "a%2", "%zz", "%+1", "%C3", "%FF"] {
            assert_eq!(percent_decode(raw), raw);
        }
    }
}

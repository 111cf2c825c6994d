//! Authenticating an incoming HTTP request: [`authenticate_request`].

use std::borrow::Cow;

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

use super::authenticator::Authenticator;
use super::checks::VerifyOptions;
use super::claims::Claims;
use super::error::VerifyError;
use super::kind;
use super::machine::{MachineAuth, MachineError};
use super::page::AuthReason;
use super::route::RouteOptions;
use super::session::verify_token;
use super::token_type::TokenType;

/// The cookie in which Clerk's frontend SDKs keep the session token.
pub const SESSION_COOKIE: &str = "__session";

/// The outcome of [`authenticate_request`] and
/// [`Authenticator::authenticate`].
// Claims are kept inline: an `AuthState` is made once per request and moved
// a few times at most, which is cheaper than a heap allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AuthState {
    /// The request carries a valid session token.
    SignedIn(Claims),
    /// The request carries a valid machine token (API key, M2M token or
    /// OAuth access token) of a kind the route accepts.
    Machine(MachineAuth),
    /// The request is not authenticated, and why.
    SignedOut(SignedOutReason),
}

/// Why a request is signed out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedOutReason {
    /// No token: neither an `Authorization: Bearer` header nor (where
    /// session tokens are accepted) a `__session` cookie.
    NoToken,
    /// A session token was present but did not verify.
    InvalidToken(VerifyError),
    /// The token is of a kind the route does not accept: a machine token
    /// where only sessions are accepted, a session token where only
    /// machines are, or a machine kind the route does not list. Nothing
    /// was verified. Clerk's `token-type-mismatch`.
    TokenTypeMismatch {
        /// The kind the token is.
        token_type: TokenType,
    },
    /// A machine token of an accepted kind did not verify, or could not be
    /// checked (see [`MachineError::is_server_error`]).
    Machine(MachineError),
    /// Signed out by Clerk's request rules for pages
    /// ([`Authenticator::authenticate_request`]), for this reason: no
    /// session, or a handshake that this request cannot take (not a page
    /// load, or the redirect-loop guard).
    Clerk(AuthReason),
    /// The request is being redirected through a handshake
    /// ([`AuthStatus::Handshake`](super::AuthStatus::Handshake)): its
    /// session state is not known yet.
    Handshake,
    /// Clerk's Backend API could not be reached (or failed) while the page
    /// rules needed it (a handshake nonce): a server-side error, never
    /// "signed out". The message names the cause, never a key.
    BackendUnavailable(String),
}

impl SignedOutReason {
    /// Whether the request could not be checked because of a problem on the
    /// verifier's side (keys or Clerk unreachable, bad configuration)
    /// rather than because of its token. Servers answer these with 5xx.
    pub fn is_server_error(&self) -> bool {
        match self {
            SignedOutReason::NoToken
            | SignedOutReason::TokenTypeMismatch { .. }
            | SignedOutReason::Clerk(_)
            | SignedOutReason::Handshake => false,
            SignedOutReason::InvalidToken(error) => error.is_server_error(),
            SignedOutReason::Machine(error) => error.is_server_error(),
            SignedOutReason::BackendUnavailable(_) => true,
        }
    }

    /// Clerk's reason string where Clerk has one for the case:
    /// `token-type-mismatch`, a machine error's
    /// [`code`](MachineError::code), `session-token-missing` for no token;
    /// `None` for session-token failures, whose Clerk reasons depend on the
    /// handshake rules.
    pub fn clerk_reason(&self) -> Option<&str> {
        match self {
            SignedOutReason::NoToken => Some("session-token-missing"),
            SignedOutReason::TokenTypeMismatch { .. } => Some("token-type-mismatch"),
            SignedOutReason::Machine(error) => Some(error.code()),
            SignedOutReason::Clerk(reason) => Some(reason.as_str()),
            SignedOutReason::InvalidToken(_)
            | SignedOutReason::Handshake
            | SignedOutReason::BackendUnavailable(_) => None,
        }
    }
}

impl AuthState {
    /// Whether the request is signed in.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, AuthState::SignedIn(_))
    }

    /// Whether the request is authenticated, by a session or a machine
    /// token.
    pub fn is_authenticated(&self) -> bool {
        !matches!(self, AuthState::SignedOut(_))
    }

    /// The kind of token that authenticated the request, if any.
    pub fn token_type(&self) -> Option<TokenType> {
        match self {
            AuthState::SignedIn(_) => Some(TokenType::SessionToken),
            AuthState::Machine(machine) => Some(machine.token_type()),
            AuthState::SignedOut(_) => None,
        }
    }

    /// The verified session claims, when signed in with a session token.
    pub fn claims(&self) -> Option<&Claims> {
        match self {
            AuthState::SignedIn(claims) => Some(claims),
            _ => None,
        }
    }

    /// The verified session claims, when signed in with a session token.
    pub fn into_claims(self) -> Option<Claims> {
        match self {
            AuthState::SignedIn(claims) => Some(claims),
            _ => None,
        }
    }

    /// The verified machine token, when authenticated by one.
    pub fn machine(&self) -> Option<&MachineAuth> {
        match self {
            AuthState::Machine(machine) => Some(machine),
            _ => None,
        }
    }

    /// The signed-in user's ID (`sub`) of a session token (a machine
    /// token's user is [`MachineAuth::user_id`]).
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
            AuthState::SignedOut(reason) => Some(reason),
            _ => None,
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
///     // Machine tokens come from `Authenticator::authenticate` only.
///     AuthState::Machine(_) => unreachable!(),
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

/// [`Authenticator::authenticate`]: the request's token, sorted by kind and
/// verified if its route accepts that kind.
pub(super) async fn authenticate(
    auth: &Authenticator,
    headers: &HeaderMap,
    route: &RouteOptions,
) -> AuthState {
    if route.is_session_only() {
        // The fast path: no sorting beyond three prefix checks.
        let Some(token) = session_token(headers) else {
            return AuthState::SignedOut(SignedOutReason::NoToken);
        };
        if let Some(token_type) = TokenType::of_opaque(&token) {
            return mismatch(token_type);
        }
        return session(&token, auth.verify_options()).await;
    }
    let token = match bearer_token(headers) {
        Some(token) => Cow::Borrowed(token),
        // Cookies carry session tokens only.
        None if route.accepts(TokenType::SessionToken) => match session_cookie(headers) {
            Some(cookie) => percent_decode(cookie),
            None => return AuthState::SignedOut(SignedOutReason::NoToken),
        },
        None => return AuthState::SignedOut(SignedOutReason::NoToken),
    };
    let token_type = TokenType::of(&token);
    if !route.accepts(token_type) {
        return mismatch(token_type);
    }
    if token_type == TokenType::SessionToken {
        return session(&token, auth.verify_options()).await;
    }
    match auth.verify_machine_token(&token, token_type).await {
        Ok(machine) => AuthState::Machine(machine),
        Err(error) => AuthState::SignedOut(SignedOutReason::Machine(error)),
    }
}

fn mismatch(token_type: TokenType) -> AuthState {
    AuthState::SignedOut(SignedOutReason::TokenTypeMismatch { token_type })
}

/// A session token's verification; a token the session checks reject
/// because it is a machine's is a kind mismatch.
async fn session(token: &str, options: &VerifyOptions) -> AuthState {
    match verify_token(token, options).await {
        Ok(claims) => AuthState::SignedIn(claims),
        Err(VerifyError::OAuthAccessToken { .. }) => mismatch(TokenType::OAuthToken),
        Err(VerifyError::MachineSubject { .. }) => mismatch(TokenType::M2mToken),
        Err(VerifyError::NotASessionCategory { cat }) if cat == kind::CATEGORY_M2M_TOKEN => {
            mismatch(TokenType::M2mToken)
        }
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

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
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
pub(crate) fn percent_decode(value: &str) -> Cow<'_, str> {
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

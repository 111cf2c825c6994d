//! The kinds of token a request can carry ([`TokenType`]) and how a token
//! is sorted into one before it is verified.

use std::fmt;

use super::jwt::{self, JwtKind};

/// The prefix of API keys (opaque).
pub const API_KEY_PREFIX: &str = "ak_";
/// The prefix of opaque M2M tokens.
pub const M2M_TOKEN_PREFIX: &str = "mt_";
/// The prefix of opaque OAuth access tokens.
pub const OAUTH_TOKEN_PREFIX: &str = "oat_";

/// A kind of credential a request can carry.
///
/// A route accepts session tokens only unless its
/// [`RouteOptions`](super::RouteOptions) say otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TokenType {
    /// A user's session token (a JWT from Clerk's frontend SDKs).
    SessionToken,
    /// An API key (`ak_...`), verified by the Backend API.
    ApiKey,
    /// A machine-to-machine token: opaque (`mt_...`, verified by the
    /// Backend API) or a JWT whose subject is a machine (`mch_...`),
    /// verified with the instance's keys.
    M2mToken,
    /// An OAuth access token: opaque (`oat_...`, verified by the Backend
    /// API) or a JWT of `typ` `at+jwt`, verified with the instance's keys.
    OAuthToken,
}

impl TokenType {
    /// Every kind.
    pub const ALL: [TokenType; 4] = [
        TokenType::SessionToken,
        TokenType::ApiKey,
        TokenType::M2mToken,
        TokenType::OAuthToken,
    ];

    /// The machine kinds: everything but session tokens.
    pub const MACHINE: [TokenType; 3] = [
        TokenType::ApiKey,
        TokenType::M2mToken,
        TokenType::OAuthToken,
    ];

    /// Clerk's name for the kind: `session_token`, `api_key`, `m2m_token`,
    /// `oauth_token`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::SessionToken => "session_token",
            TokenType::ApiKey => "api_key",
            TokenType::M2mToken => "m2m_token",
            TokenType::OAuthToken => "oauth_token",
        }
    }

    /// Whether this is a machine kind (not a session token).
    pub fn is_machine(self) -> bool {
        self != TokenType::SessionToken
    }

    /// The kind `token` claims to be, *without verifying it*: by its prefix
    /// (`ak_`, `mt_`, `oat_`), else, for a JWT, by its header (`typ`
    /// `at+jwt` is OAuth) and subject (`mch_...`, or the M2M category, is
    /// M2M); anything else is taken for a session token (and fails that
    /// verification if it is none).
    ///
    /// ```
    /// use clerk_backend::auth::TokenType;
    /// assert_eq!(TokenType::of("ak_2xYz"), TokenType::ApiKey);
    /// assert_eq!(TokenType::of("mt_2xYz"), TokenType::M2mToken);
    /// assert_eq!(TokenType::of("oat_2xYz"), TokenType::OAuthToken);
    /// assert_eq!(TokenType::of("not-a-token"), TokenType::SessionToken);
    /// ```
    pub fn of(token: &str) -> TokenType {
        if let Some(kind) = Self::of_opaque(token) {
            return kind;
        }
        match jwt::split(token).map(|jwt| jwt.kind()) {
            Ok(JwtKind::M2m) => TokenType::M2mToken,
            Ok(JwtKind::OAuth) => TokenType::OAuthToken,
            Ok(JwtKind::Session) | Err(_) => TokenType::SessionToken,
        }
    }

    /// The kind of an opaque machine token, by its prefix.
    pub(crate) fn of_opaque(token: &str) -> Option<TokenType> {
        if token.starts_with(API_KEY_PREFIX) {
            Some(TokenType::ApiKey)
        } else if token.starts_with(M2M_TOKEN_PREFIX) {
            Some(TokenType::M2mToken)
        } else if token.starts_with(OAUTH_TOKEN_PREFIX) {
            Some(TokenType::OAuthToken)
        } else {
            None
        }
    }

    /// What the kind is called in messages ("an API key").
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TokenType::SessionToken => "a session token",
            TokenType::ApiKey => "an API key",
            TokenType::M2mToken => "an M2M token",
            TokenType::OAuthToken => "an OAuth access token",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of [`TokenType`]s, as a route accepts them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct TokenTypes(u8);

impl TokenTypes {
    pub(crate) fn of(types: impl IntoIterator<Item = TokenType>) -> Self {
        TokenTypes(types.into_iter().fold(0, |bits, t| bits | t.bit()))
    }

    pub(crate) fn contains(self, token_type: TokenType) -> bool {
        self.0 & token_type.bit() != 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = TokenType> {
        TokenType::ALL
            .into_iter()
            .filter(move |t| self.contains(*t))
    }
}

impl fmt::Debug for TokenTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

//! Machine tokens: API keys, M2M tokens and OAuth access tokens.
//!
//! * Opaque tokens (`ak_...`, `mt_...`, `oat_...`) mean nothing without
//!   Clerk: each is sent to its Backend API verify endpoint (`opaque.rs`),
//!   optionally cached for a short time (`cache.rs`).
//! * M2M tokens and OAuth access tokens in JWT form are verified without
//!   the network with the instance's keys, as session tokens are
//!   (`jwt.rs`).
//!
//! Either way the result is a [`MachineAuth`], the crate's own type, or a
//! [`MachineError`] whose [`code`](MachineError::code) is Clerk's.

mod cache;
mod jwt;
mod opaque;

use std::time::Duration;

use serde_json::Value;

use super::error::VerifyError;
use super::token_type::TokenType;

pub(crate) use cache::MachineCache;
pub(crate) use jwt::verify_jwt;
pub(crate) use opaque::verify_opaque;

/// A verified machine token: who or what sent the request.
///
/// The same type for every kind; the getters that do not apply to a kind
/// return `None` (or an empty list).
#[derive(Debug, Clone, PartialEq)]
pub struct MachineAuth {
    pub(crate) token_type: TokenType,
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) claims: Option<Value>,
    pub(crate) name: Option<String>,
    pub(crate) client_id: Option<String>,
    /// Seconds since the Unix epoch.
    pub(crate) expires_at: Option<u64>,
}

impl MachineAuth {
    /// Which kind of token it is.
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }

    /// The token's ID: `ak_...`, `mt_...`, `oat_...`, or a JWT's `jti`
    /// (empty when it has none).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The token's subject: a user (`user_...`), an organization
    /// (`org_...`) or a machine (`mch_...`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The token's scopes: for an M2M token, the machines it may call; for
    /// an API key or an OAuth access token, the permissions granted.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether `scope` is one of [`scopes`](Self::scopes).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Custom claims: those attached to an opaque API key or M2M token when
    /// it was created, or the whole verified payload of a JWT.
    pub fn claims(&self) -> Option<&Value> {
        self.claims.as_ref()
    }

    /// An API key's name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The user the token acts for: an API key's or OAuth access token's
    /// subject when it is a user.
    pub fn user_id(&self) -> Option<&str> {
        match self.token_type {
            TokenType::ApiKey | TokenType::OAuthToken => self.subject_with("user_"),
            _ => None,
        }
    }

    /// The organization an API key belongs to, when its subject is one.
    pub fn org_id(&self) -> Option<&str> {
        match self.token_type {
            TokenType::ApiKey => self.subject_with("org_"),
            _ => None,
        }
    }

    /// The machine an M2M token was issued to.
    pub fn machine_id(&self) -> Option<&str> {
        match self.token_type {
            TokenType::M2mToken => self.subject_with(super::kind::MACHINE_ID_PREFIX),
            _ => None,
        }
    }

    /// The OAuth application an access token was issued to.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// When the token expires (seconds since the Unix epoch), if it does.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    fn subject_with(&self, prefix: &str) -> Option<&str> {
        self.subject
            .starts_with(prefix)
            .then_some(self.subject.as_str())
    }
}

/// Why a machine token was not accepted, or could not be checked.
///
/// [`code`](Self::code) is Clerk's wire string for the case, as Clerk's
/// backend SDK reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MachineError {
    /// Clerk does not know the token (`404`: unknown, revoked or expired),
    /// or the token is not one of its kind (an M2M JWT of another
    /// category, say). Code `token-invalid`.
    #[error("{} is not valid: {message}", .token_type.describe())]
    TokenInvalid {
        /// The kind the token claimed to be.
        token_type: TokenType,
        /// What was wrong (never the token itself).
        message: String,
    },
    /// A JWT-form machine token did not verify (signature, expiry, key...).
    /// Code `token-verification-failed`.
    #[error("{} did not verify: {error}", .token_type.describe())]
    VerificationFailed {
        /// The kind the token claimed to be.
        token_type: TokenType,
        /// The failed check.
        error: VerifyError,
    },
    /// Clerk refused the secret key the application verifies with (`401`
    /// or `403`): a configuration problem on this side. Code
    /// `secret-key-invalid`.
    #[error("Clerk refused the secret key used to verify {}: {message}", .token_type.describe())]
    SecretKeyInvalid {
        /// The kind of token being verified.
        token_type: TokenType,
        /// Clerk's message.
        message: String,
    },
    /// Clerk could not be asked: unreachable, timed out, or it answered with
    /// a server error. Not the token's fault; the request may be retried.
    /// Code `unexpected-error`.
    #[error("could not verify {} with Clerk: {message}", .token_type.describe())]
    Unavailable {
        /// The kind of token being verified.
        token_type: TokenType,
        /// What went wrong (status or transport error).
        message: String,
    },
    /// Opaque tokens need the Backend API, and the
    /// [`Authenticator`](crate::auth::Authenticator) has no client for it.
    /// Code `unexpected-error`.
    #[error("cannot verify {}: no Backend API client is configured", .token_type.describe())]
    NotConfigured {
        /// The kind of token being verified.
        token_type: TokenType,
    },
}

impl MachineError {
    /// Clerk's code for the case: `token-invalid`,
    /// `token-verification-failed`, `secret-key-invalid` or
    /// `unexpected-error`.
    pub fn code(&self) -> &'static str {
        match self {
            MachineError::TokenInvalid { .. } => "token-invalid",
            MachineError::VerificationFailed { .. } => "token-verification-failed",
            MachineError::SecretKeyInvalid { .. } => "secret-key-invalid",
            MachineError::Unavailable { .. } | MachineError::NotConfigured { .. } => {
                "unexpected-error"
            }
        }
    }

    /// The kind of token concerned.
    pub fn token_type(&self) -> TokenType {
        match self {
            MachineError::TokenInvalid { token_type, .. }
            | MachineError::VerificationFailed { token_type, .. }
            | MachineError::SecretKeyInvalid { token_type, .. }
            | MachineError::Unavailable { token_type, .. }
            | MachineError::NotConfigured { token_type } => *token_type,
        }
    }

    /// Whether the failure is on the verifier's side (Clerk unreachable, a
    /// refused secret key, no client, keys that could not be fetched)
    /// rather than the token's. Servers answer these with 5xx, never 401.
    pub fn is_server_error(&self) -> bool {
        match self {
            MachineError::TokenInvalid { .. } => false,
            MachineError::VerificationFailed { error, .. } => error.is_server_error(),
            MachineError::SecretKeyInvalid { .. }
            | MachineError::Unavailable { .. }
            | MachineError::NotConfigured { .. } => true,
        }
    }
}

/// The longest a verified opaque token may be cached (the cache's TTL is
/// capped to it): a revoked token must stop working soon.
pub const MAX_MACHINE_CACHE_TTL: Duration = Duration::from_secs(300);

//! The error type of session-token verification.

/// Why a session token was rejected, or why verification could not run.
///
/// Each variant is a distinct reason, so callers can tell "the token is bad"
/// (answer 401) from "we could not get the keys" ([`VerifyError::KeyFetch`],
/// answer 503 or retry) and from configuration mistakes.
///
/// The messages never contain the token, the secret key or signature bytes.
/// Values copied from the token into a variant (`alg`, `kid`, `azp`, `iss`)
/// are truncated to a short length so that a hostile token cannot flood logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// `exp` is in the past (beyond the allowed clock skew).
    #[error("session token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp` claim (seconds since the Unix epoch).
        exp: u64,
        /// The verifier's clock when the token was checked.
        now: u64,
    },
    /// `nbf` is in the future (beyond the allowed clock skew).
    #[error("session token is not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The token's `nbf` claim.
        nbf: u64,
        /// The verifier's clock when the token was checked.
        now: u64,
    },
    /// `iat` is in the future (beyond the allowed clock skew).
    #[error("session token was issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The token's `iat` claim.
        iat: u64,
        /// The verifier's clock when the token was checked.
        now: u64,
    },
    /// The signature does not match the header and payload under the key
    /// named by the token (tampered token, or a key that is not Clerk's).
    #[error("session token signature is invalid")]
    BadSignature,
    /// The token names a key (`kid`) that the instance's key set does not
    /// contain, even after refreshing the key set (subject to the refresh rate
    /// limit).
    ///
    /// While the key set cannot be refreshed because Clerk's API is down, an
    /// unknown `kid` is a [`VerifyError::KeyFetch`] instead: the key may be a
    /// rotation the cache cannot see yet.
    #[error("session token is signed with an unknown key (kid {kid:?})")]
    UnknownKey {
        /// The `kid` from the token header.
        kid: String,
    },
    /// The `azp` (authorized party) claim is not one of the configured
    /// [authorized parties](crate::auth::VerifyOptions::authorized_parties),
    /// or is missing while they are configured (`azp: None`): omitting the
    /// claim must not bypass the check.
    #[error("session token was issued for an unauthorized party ({azp:?})")]
    UnauthorizedParty {
        /// The token's `azp` claim, `None` if it had none.
        azp: Option<String>,
    },
    /// The `iss` claim is not an `https://` URL, or is not the instance's
    /// Frontend API URL when that is known.
    #[error("session token has an unexpected issuer ({iss:?})")]
    WrongIssuer {
        /// The token's `iss` claim.
        iss: String,
    },
    /// The header's `alg` is not `RS256` (for example `none` or `HS256`).
    #[error("session token uses an unsupported algorithm ({alg:?}); only RS256 is accepted")]
    UnsupportedAlgorithm {
        /// The `alg` from the token header.
        alg: String,
    },
    /// The header's `cat` (category) marks a JWT the instance signed for
    /// another purpose: a JWT-template token (`cl_B7d4PD222AAA`), an M2M
    /// token (`cl_B7d4PD333AAA`) or a kind this crate does not know. Such a
    /// token is rejected before any key is looked up.
    #[error("not a session token: its category ({cat:?}) marks {}", super::kind::describe_category(.cat))]
    NotASessionCategory {
        /// The `cat` from the token header.
        cat: String,
    },
    /// The header's `typ` is `at+jwt` or `application/at+jwt`: an OAuth
    /// access token, not a session token.
    #[error("not a session token: an OAuth access token (typ {typ:?})")]
    OAuthAccessToken {
        /// The `typ` from the token header.
        typ: String,
    },
    /// The header's `typ` is present and is not `JWT`.
    #[error("not a session token: unsupported token type {typ:?} (expected \"JWT\")")]
    UnsupportedType {
        /// The `typ` from the token header.
        typ: String,
    },
    /// The subject is a machine (`mch_...`): an M2M token signed by the
    /// instance, not a user's session.
    #[error("not a session token: the subject {sub:?} is a machine")]
    MachineSubject {
        /// The token's `sub` claim.
        sub: String,
    },
    /// The token is not a well-formed JWT or its claims do not have the
    /// expected shape (for example `sub` or `exp` is missing).
    #[error("session token is malformed: {0}")]
    Malformed(String),
    /// The instance's JSON Web Key Set could not be fetched or parsed, and
    /// the cache has no key it may use instead (see
    /// [`JwksCache::with_stale_if_error`](crate::auth::JwksCache::with_stale_if_error)).
    /// This is not the token's fault: the request may be retried. After a
    /// failed fetch the cache backs off, so this error comes at once,
    /// without a request to Clerk, until the next attempt is due.
    #[error("could not fetch the instance's JSON Web Key Set: {0}")]
    KeyFetch(String),
    /// A configured verification key (PEM) is not a valid RSA public key.
    #[error("invalid verification key: {0}")]
    InvalidKey(String),
    /// The verifier is misconfigured (missing environment variable, invalid
    /// publishable key, ...).
    #[error("invalid session-token verification configuration: {0}")]
    InvalidConfig(String),
}

impl VerifyError {
    /// Whether the failure is on the verifier's side (keys could not be
    /// fetched, or bad configuration) rather than a problem with the token.
    ///
    /// Servers typically answer these with 5xx instead of 401.
    pub fn is_server_error(&self) -> bool {
        matches!(
            self,
            VerifyError::KeyFetch(_) | VerifyError::InvalidKey(_) | VerifyError::InvalidConfig(_)
        )
    }
}

/// Longest token-supplied value copied into an error.
const MAX_ECHO: usize = 128;

/// Copies an attacker-controlled value into an error, truncated.
pub(crate) fn echo(value: &str) -> String {
    if value.len() <= MAX_ECHO {
        return value.to_owned();
    }
    let mut end = MAX_ECHO;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &value[..end])
}

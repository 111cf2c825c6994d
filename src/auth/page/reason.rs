//! Why a request ended as it did: [`AuthReason`], Clerk's reason strings as
//! data.

use std::fmt;

use crate::auth::error::VerifyError;

/// Why a request needs a handshake or is signed out, as Clerk names it.
///
/// [`as_str`](Self::as_str) is Clerk's wire string, the one its SDKs send in
/// `x-clerk-auth-reason` and the handshake sends to the Frontend API as
/// `__clerk_hs_reason`; Clerk's dashboards and support speak these strings,
/// so they are kept exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthReason {
    /// `client-uat-but-no-session-token`: the browser says a session exists
    /// (`__client_uat` > 0) but sent no session token.
    ClientUatWithoutSessionToken,
    /// `dev-browser-missing`: a development instance's request without the
    /// dev-browser token (`__clerk_db_jwt`).
    DevBrowserMissing,
    /// `dev-browser-sync`: a development instance's request carrying a new
    /// dev-browser token in its URL.
    DevBrowserSync,
    /// `primary-responds-to-syncing`: the primary domain (development) sends
    /// the browser back to the satellite that asked it to sync.
    PrimaryRespondsToSyncing,
    /// `primary-domain-cross-origin-sync`: a page of the primary domain
    /// opened from another site, whose session state may be stale.
    PrimaryDomainCrossOriginSync,
    /// `satellite-needs-syncing`: a satellite domain's page whose session
    /// state must be fetched from the primary domain.
    SatelliteCookieNeedsSyncing,
    /// `session-token-and-uat-missing`: neither a session token nor an
    /// active client: signed out.
    SessionTokenAndUatMissing,
    /// `session-token-missing`: a resolved handshake set no session.
    SessionTokenMissing,
    /// `session-token-expired-refresh-<why>`: the session token expired, and
    /// refreshing it without a redirect was not possible or failed, for
    /// [`why`](ExpiredRefresh::why).
    SessionTokenExpired(ExpiredRefresh),
    /// `session-token-iat-before-client-uat`: the session token is older than
    /// the client's last change (a sign-in or sign-out elsewhere).
    SessionTokenIatBeforeClientUat,
    /// `session-token-nbf`: the session token is not valid yet.
    SessionTokenNbf,
    /// `session-token-iat-in-the-future`: the session token was issued in
    /// the future (clock skew).
    SessionTokenIatInTheFuture,
    /// `session-token-but-no-client-uat`: a session token without an active
    /// client.
    SessionTokenWithoutClientUat,
    /// `active-organization-mismatch`: the URL names another organization
    /// (or the personal account) than the session's active one.
    ActiveOrganizationMismatch,
    /// `token-type-mismatch`: a token of a kind the route does not accept.
    TokenTypeMismatch,
    /// A token that did not verify, with Clerk's token reason
    /// (`token-invalid`, `token-invalid-signature`, ...; see [`TokenReason`]).
    Token(TokenReason),
    /// A machine token that did not verify, with Clerk's machine error code
    /// (`token-invalid`, `token-not-found`, ...).
    MachineToken(&'static str),
    /// `unexpected-error`.
    UnexpectedError,
}

impl AuthReason {
    /// Clerk's wire string for this reason.
    pub fn as_str(&self) -> &str {
        match self {
            AuthReason::ClientUatWithoutSessionToken => "client-uat-but-no-session-token",
            AuthReason::DevBrowserMissing => "dev-browser-missing",
            AuthReason::DevBrowserSync => "dev-browser-sync",
            AuthReason::PrimaryRespondsToSyncing => "primary-responds-to-syncing",
            AuthReason::PrimaryDomainCrossOriginSync => "primary-domain-cross-origin-sync",
            AuthReason::SatelliteCookieNeedsSyncing => "satellite-needs-syncing",
            AuthReason::SessionTokenAndUatMissing => "session-token-and-uat-missing",
            AuthReason::SessionTokenMissing => "session-token-missing",
            AuthReason::SessionTokenExpired(expired) => &expired.wire,
            AuthReason::SessionTokenIatBeforeClientUat => "session-token-iat-before-client-uat",
            AuthReason::SessionTokenNbf => "session-token-nbf",
            AuthReason::SessionTokenIatInTheFuture => "session-token-iat-in-the-future",
            AuthReason::SessionTokenWithoutClientUat => "session-token-but-no-client-uat",
            AuthReason::ActiveOrganizationMismatch => "active-organization-mismatch",
            AuthReason::TokenTypeMismatch => "token-type-mismatch",
            AuthReason::Token(reason) => reason.as_str(),
            AuthReason::MachineToken(code) => code,
            AuthReason::UnexpectedError => "unexpected-error",
        }
    }

    /// `session-token-expired-refresh-<why>`.
    pub(crate) fn expired(why: RefreshError) -> Self {
        AuthReason::SessionTokenExpired(ExpiredRefresh::new(why))
    }
}

impl fmt::Display for AuthReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reason of [`AuthReason::SessionTokenExpired`]: why the expired
/// session token was not refreshed in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredRefresh {
    why: RefreshError,
    /// `session-token-expired-refresh-<why>`, made once.
    wire: String,
}

impl ExpiredRefresh {
    fn new(why: RefreshError) -> Self {
        let wire = format!("session-token-expired-refresh-{}", why.as_str());
        ExpiredRefresh { why, wire }
    }

    /// Why the token was not refreshed.
    pub fn why(&self) -> &RefreshError {
        &self.why
    }
}

/// Why an expired session token was not refreshed in place (the `<why>` of
/// `session-token-expired-refresh-<why>`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshError {
    /// `non-eligible-no-refresh-cookie`: no `__refresh_<suffix>` cookie.
    NonEligibleNoCookie,
    /// `non-eligible-non-get`: only GET requests are refreshed.
    NonEligibleNonGet,
    /// `invalid-session-token`: the refreshed token did not verify.
    InvalidSessionToken,
    /// `missing-api-client`: no Backend API client is configured.
    MissingApiClient,
    /// `expired-session-token-decode-failed`.
    ExpiredSessionTokenDecodeFailed,
    /// `expired-session-token-missing-sid-claim`: no session ID to refresh.
    ExpiredSessionTokenMissingSidClaim,
    /// `fetch-error`: Clerk could not be reached, or answered
    /// `unexpected_error`.
    FetchError,
    /// `unexpected-sdk-error`: Clerk answered no cookies.
    UnexpectedSdkError,
    /// `unexpected-bapi-error`: Clerk answered an error without a code.
    UnexpectedBapiError,
    /// Clerk refused with this error code (e.g. `refresh_token_invalid`),
    /// sent as it came.
    Code(String),
}

impl RefreshError {
    /// Clerk's wire string.
    pub fn as_str(&self) -> &str {
        match self {
            RefreshError::NonEligibleNoCookie => "non-eligible-no-refresh-cookie",
            RefreshError::NonEligibleNonGet => "non-eligible-non-get",
            RefreshError::InvalidSessionToken => "invalid-session-token",
            RefreshError::MissingApiClient => "missing-api-client",
            RefreshError::ExpiredSessionTokenDecodeFailed => "expired-session-token-decode-failed",
            RefreshError::ExpiredSessionTokenMissingSidClaim => {
                "expired-session-token-missing-sid-claim"
            }
            RefreshError::FetchError => "fetch-error",
            RefreshError::UnexpectedSdkError => "unexpected-sdk-error",
            RefreshError::UnexpectedBapiError => "unexpected-bapi-error",
            RefreshError::Code(code) => code,
        }
    }
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a token did not verify, as Clerk's token checks name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenReason {
    /// `token-expired`.
    Expired,
    /// `token-invalid`: not a JWT, or claims of the wrong shape.
    Invalid,
    /// `token-invalid-algorithm`.
    InvalidAlgorithm,
    /// `token-invalid-authorized-parties`.
    InvalidAuthorizedParties,
    /// `token-invalid-issuer`.
    InvalidIssuer,
    /// `token-invalid-signature`.
    InvalidSignature,
    /// `token-not-active-yet`.
    NotActiveYet,
    /// `token-iat-in-the-future`.
    IatInTheFuture,
    /// `token-type-mismatch`: a token of another kind (template, M2M, OAuth).
    TypeMismatch,
    /// `jwk-kid-mismatch`: the key set has no key of the token's `kid`.
    KidMismatch,
    /// `jwk-remote-failed-to-load`: the key set could not be fetched.
    RemoteJwkFailedToLoad,
    /// `jwk-failed-to-resolve`: no usable key configuration.
    JwkFailedToResolve,
}

impl TokenReason {
    /// Clerk's wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenReason::Expired => "token-expired",
            TokenReason::Invalid => "token-invalid",
            TokenReason::InvalidAlgorithm => "token-invalid-algorithm",
            TokenReason::InvalidAuthorizedParties => "token-invalid-authorized-parties",
            TokenReason::InvalidIssuer => "token-invalid-issuer",
            TokenReason::InvalidSignature => "token-invalid-signature",
            TokenReason::NotActiveYet => "token-not-active-yet",
            TokenReason::IatInTheFuture => "token-iat-in-the-future",
            TokenReason::TypeMismatch => "token-type-mismatch",
            TokenReason::KidMismatch => "jwk-kid-mismatch",
            TokenReason::RemoteJwkFailedToLoad => "jwk-remote-failed-to-load",
            TokenReason::JwkFailedToResolve => "jwk-failed-to-resolve",
        }
    }

    /// The reason for a verification error.
    pub fn of(error: &VerifyError) -> Self {
        match error {
            VerifyError::Expired { .. } => TokenReason::Expired,
            VerifyError::NotYetValid { .. } => TokenReason::NotActiveYet,
            VerifyError::IssuedInFuture { .. } => TokenReason::IatInTheFuture,
            VerifyError::BadSignature => TokenReason::InvalidSignature,
            VerifyError::UnknownKey { .. } => TokenReason::KidMismatch,
            VerifyError::UnauthorizedParty { .. } => TokenReason::InvalidAuthorizedParties,
            VerifyError::WrongIssuer { .. } => TokenReason::InvalidIssuer,
            VerifyError::UnsupportedAlgorithm { .. } => TokenReason::InvalidAlgorithm,
            VerifyError::NotASessionCategory { .. }
            | VerifyError::OAuthAccessToken { .. }
            | VerifyError::MachineSubject { .. } => TokenReason::TypeMismatch,
            VerifyError::UnsupportedType { .. } | VerifyError::Malformed(_) => TokenReason::Invalid,
            VerifyError::KeyFetch(_) => TokenReason::RemoteJwkFailedToLoad,
            VerifyError::InvalidKey(_) | VerifyError::InvalidConfig(_) => {
                TokenReason::JwkFailedToResolve
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_are_clerks() {
        let cases = [
            (
                AuthReason::ClientUatWithoutSessionToken,
                "client-uat-but-no-session-token",
            ),
            (AuthReason::DevBrowserMissing, "dev-browser-missing"),
            (AuthReason::DevBrowserSync, "dev-browser-sync"),
            (
                AuthReason::PrimaryRespondsToSyncing,
                "primary-responds-to-syncing",
            ),
            (
                AuthReason::PrimaryDomainCrossOriginSync,
                "primary-domain-cross-origin-sync",
            ),
            (
                AuthReason::SatelliteCookieNeedsSyncing,
                "satellite-needs-syncing",
            ),
            (
                AuthReason::SessionTokenAndUatMissing,
                "session-token-and-uat-missing",
            ),
            (AuthReason::SessionTokenMissing, "session-token-missing"),
            (
                AuthReason::SessionTokenIatBeforeClientUat,
                "session-token-iat-before-client-uat",
            ),
            (AuthReason::SessionTokenNbf, "session-token-nbf"),
            (
                AuthReason::SessionTokenIatInTheFuture,
                "session-token-iat-in-the-future",
            ),
            (
                AuthReason::SessionTokenWithoutClientUat,
                "session-token-but-no-client-uat",
            ),
            (
                AuthReason::ActiveOrganizationMismatch,
                "active-organization-mismatch",
            ),
            (AuthReason::TokenTypeMismatch, "token-type-mismatch"),
            (AuthReason::UnexpectedError, "unexpected-error"),
            (
                AuthReason::Token(TokenReason::InvalidSignature),
                "token-invalid-signature",
            ),
        ];
        for (reason, wire) in cases {
            assert_eq!(reason.as_str(), wire);
            assert_eq!(reason.to_string(), wire);
        }
        let refresh = [
            (
                RefreshError::NonEligibleNoCookie,
                "non-eligible-no-refresh-cookie",
            ),
            (RefreshError::NonEligibleNonGet, "non-eligible-non-get"),
            (RefreshError::InvalidSessionToken, "invalid-session-token"),
            (RefreshError::MissingApiClient, "missing-api-client"),
            (
                RefreshError::ExpiredSessionTokenDecodeFailed,
                "expired-session-token-decode-failed",
            ),
            (
                RefreshError::ExpiredSessionTokenMissingSidClaim,
                "expired-session-token-missing-sid-claim",
            ),
            (RefreshError::FetchError, "fetch-error"),
            (RefreshError::UnexpectedSdkError, "unexpected-sdk-error"),
            (RefreshError::UnexpectedBapiError, "unexpected-bapi-error"),
            (
                RefreshError::Code("refresh_token_invalid".into()),
                "refresh_token_invalid",
            ),
        ];
        for (why, wire) in refresh {
            let reason = AuthReason::expired(why.clone());
            assert_eq!(
                reason.as_str(),
                format!("session-token-expired-refresh-{wire}")
            );
            match reason {
                AuthReason::SessionTokenExpired(expired) => assert_eq!(expired.why(), &why),
                other => panic!("{other:?}"),
            }
        }
    }
}

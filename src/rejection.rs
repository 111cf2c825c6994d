//! Framework-neutral rejections: why a request was turned away, and the HTTP
//! answer for it as plain data ([`RejectionResponse`]).
//!
//! The web-framework integrations (`clerk_backend::axum`,
//! `clerk_backend::actix`, `clerk_backend::rocket`, `clerk_backend::poem`)
//! decide *when* to reject; this module alone
//! decides *what the client sees*: the status, the JSON body, the
//! `WWW-Authenticate` challenge, the `reason` names and what is logged. Each
//! integration only copies a [`RejectionResponse`] into its own response
//! type, so the answers are the same whatever the framework. Other servers
//! can use it the same way.
//!
//! ```
//! use clerk_backend::auth::{SignedOutReason, VerifyError};
//! use clerk_backend::rejection::AuthRejection;
//!
//! let rejection = AuthRejection::from(SignedOutReason::InvalidToken(VerifyError::Expired {
//!     exp: 1_700_000_000,
//!     now: 1_700_000_100,
//! }));
//! let response = rejection.response();
//! assert_eq!(response.status, http::StatusCode::UNAUTHORIZED);
//! assert_eq!(response.www_authenticate, Some("Bearer error=\"invalid_token\""));
//! let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
//! assert_eq!(body["reason"], "token_expired");
//! ```

use std::fmt;

use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderName, WWW_AUTHENTICATE};
use serde::Serialize;

use crate::auth::{
    AuthState, Claims, MachineAuth, MachineError, SignedOutReason, TokenType, VerifyError,
};
use crate::webhooks::WebhookError;

// ---------------------------------------------------------------------------
// The response, as data
// ---------------------------------------------------------------------------

/// The HTTP answer to a rejected request, independent of any framework.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectionResponse {
    /// The status: `401`, `400`, `413`, `500` or `503`.
    pub status: StatusCode,
    /// The `WWW-Authenticate` challenge; set on `401` answers only.
    pub www_authenticate: Option<&'static str>,
    /// The JSON body (`{"error": ..., "reason": ..., ...}`).
    pub body: Vec<u8>,
}

impl RejectionResponse {
    /// The `content-type` of [`body`](Self::body).
    pub const CONTENT_TYPE: &'static str = "application/json";

    /// The headers to send: `content-type`, and `www-authenticate` when
    /// there is a challenge.
    pub fn headers(&self) -> impl Iterator<Item = (HeaderName, &'static str)> + use<> {
        let challenge = self.www_authenticate.map(|value| (WWW_AUTHENTICATE, value));
        [(CONTENT_TYPE, Self::CONTENT_TYPE)]
            .into_iter()
            .chain(challenge)
    }

    fn json(status: StatusCode, body: &ErrorBody<'_>) -> Self {
        RejectionResponse {
            status,
            www_authenticate: None,
            // Serializing a struct of strings cannot fail.
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }
}

/// The answer as an `http` response, for servers (and the integrations'
/// middlewares) that answer with `http` types.
impl From<RejectionResponse> for http::Response<bytes::Bytes> {
    fn from(rejection: RejectionResponse) -> Self {
        let headers = rejection.headers();
        let mut response = http::Response::new(bytes::Bytes::from(rejection.body));
        *response.status_mut() = rejection.status;
        for (name, value) in headers {
            response
                .headers_mut()
                .insert(name, http::HeaderValue::from_static(value));
        }
        response
    }
}

/// The JSON body of every rejection, fields in this order.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'static str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<&'static str>,
}

impl<'a> ErrorBody<'a> {
    fn new(error: &'static str, reason: &'a str) -> Self {
        ErrorBody {
            error,
            reason,
            message: None,
            header: None,
        }
    }
}

// ---------------------------------------------------------------------------
// Session tokens
// ---------------------------------------------------------------------------

/// The claims of a signed-in request, or the rejection for a signed-out
/// one: what an extractor for "signed-in users only" answers. A machine
/// token is refused as a kind mismatch.
pub fn require_signed_in(auth: AuthState) -> Result<Claims, AuthRejection> {
    match auth {
        AuthState::SignedIn(claims) => Ok(claims),
        AuthState::Machine(machine) => Err(mismatch(machine.token_type())),
        AuthState::SignedOut(reason) => Err(AuthRejection::SignedOut(reason)),
    }
}

/// The verified machine token of a request, or the rejection: what an
/// extractor for "machines only" answers. A session is refused as a kind
/// mismatch.
pub fn require_machine(auth: AuthState) -> Result<MachineAuth, AuthRejection> {
    match auth {
        AuthState::Machine(machine) => Ok(machine),
        AuthState::SignedIn(_) => Err(mismatch(TokenType::SessionToken)),
        AuthState::SignedOut(reason) => Err(AuthRejection::SignedOut(reason)),
    }
}

/// A session or a machine token, or the rejection for a signed-out request.
pub fn require_authenticated(auth: AuthState) -> Result<AuthState, AuthRejection> {
    match auth {
        AuthState::SignedOut(reason) => Err(AuthRejection::SignedOut(reason)),
        auth => Ok(auth),
    }
}

fn mismatch(token_type: TokenType) -> AuthRejection {
    AuthRejection::SignedOut(SignedOutReason::TokenTypeMismatch { token_type })
}

/// `Some(claims)` when signed in, `None` when signed out because of the
/// token (missing, expired, forged, a machine's...), and a rejection when
/// the token could not be checked because of a server-side problem
/// ([`SignedOutReason::is_server_error`]): an outage must not look like a
/// signed-out user.
pub fn optional_sign_in(auth: AuthState) -> Result<Option<Claims>, AuthRejection> {
    match auth {
        AuthState::SignedIn(claims) => Ok(Some(claims)),
        AuthState::SignedOut(reason) if reason.is_server_error() => {
            Err(AuthRejection::SignedOut(reason))
        }
        AuthState::SignedOut(_) | AuthState::Machine(_) => Ok(None),
    }
}

/// Why a request that needs a signed-in user was rejected.
/// [`response`](Self::response) gives the answer:
///
/// | case | status | body |
/// | --- | --- | --- |
/// | no token, the token is invalid, or of a kind the route does not accept | `401` | `{"error": "signed_out", "reason": ..., "message": ...}` |
/// | the key set could not be fetched ([`VerifyError::KeyFetch`]) | `503` | `{"error": "auth_unavailable", "reason": "key_fetch_failed"}` |
/// | Clerk could not verify a machine token ([`MachineError::Unavailable`]) | `503` | `{"error": "auth_unavailable", "reason": "unexpected_error"}` |
/// | bad key or configuration ([`VerifyError::InvalidKey`], [`VerifyError::InvalidConfig`]) | `500` | `{"error": "auth_misconfigured", "reason": "invalid_key" \| "invalid_config"}` |
/// | Clerk refused the secret key, or no Backend API client for opaque machine tokens | `500` | `{"error": "auth_misconfigured", "reason": "secret_key_invalid" \| "backend_api_not_configured"}` |
/// | no options found | `500` | `{"error": "auth_misconfigured", "reason": "not_configured"}` |
///
/// The `401` reasons ([`reason`](Self::reason)) are `no_token`,
/// `token_expired`, `token_not_yet_valid`, `token_issued_in_future`,
/// `invalid_signature`, `unknown_key`, `unauthorized_party`,
/// `invalid_issuer`, `unsupported_algorithm`, `not_a_session_token` (a
/// JWT-template or M2M token by its `cat`), `oauth_access_token`,
/// `unsupported_token_type`, `machine_token` and `malformed_token`, and for
/// machine tokens Clerk's codes with underscores: `token_type_mismatch`
/// (also for a machine token where sessions are expected, and the
/// reverse), `token_invalid` (Clerk does not know the token) and
/// `token_verification_failed` (a JWT-form machine token did not verify);
/// `401`
/// responses also carry a `WWW-Authenticate: Bearer` header. The `message`
/// is the [`VerifyError`]'s, which never contains the token or a secret;
/// details of server-side problems are logged (with `tracing`) rather than
/// sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthRejection {
    /// The request is signed out (or could not be checked), and why.
    SignedOut(SignedOutReason),
    /// No [verification options](crate::auth::VerifyOptions) were
    /// configured for the request.
    NotConfigured,
}

impl AuthRejection {
    /// The response status: `401`, or `503`/`500` for server-side problems.
    pub fn status(&self) -> StatusCode {
        use SignedOutReason::{InvalidToken, Machine};
        match self {
            AuthRejection::SignedOut(
                InvalidToken(VerifyError::KeyFetch(_))
                | Machine(
                    MachineError::Unavailable { .. }
                    | MachineError::VerificationFailed {
                        error: VerifyError::KeyFetch(_),
                        ..
                    },
                ),
            )
            | AuthRejection::SignedOut(SignedOutReason::BackendUnavailable(_)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AuthRejection::SignedOut(reason) if reason.is_server_error() => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            AuthRejection::SignedOut(_) => StatusCode::UNAUTHORIZED,
            AuthRejection::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `error` field: `signed_out`, `auth_unavailable` or
    /// `auth_misconfigured`.
    pub fn error(&self) -> &'static str {
        match self.status() {
            StatusCode::UNAUTHORIZED => "signed_out",
            StatusCode::SERVICE_UNAVAILABLE => "auth_unavailable",
            _ => "auth_misconfigured",
        }
    }

    /// The `reason` field, e.g. `no_token` or `token_expired`; for a
    /// request the page rules signed out, Clerk's reason
    /// ([`AuthReason::as_str`](crate::auth::AuthReason::as_str), e.g.
    /// `session-token-and-uat-missing`).
    pub fn reason(&self) -> &str {
        let error = match self {
            AuthRejection::NotConfigured => return "not_configured",
            AuthRejection::SignedOut(SignedOutReason::NoToken) => return "no_token",
            AuthRejection::SignedOut(SignedOutReason::InvalidToken(error)) => error,
            AuthRejection::SignedOut(SignedOutReason::TokenTypeMismatch { .. }) => {
                return "token_type_mismatch";
            }
            AuthRejection::SignedOut(SignedOutReason::Machine(error)) => {
                return machine_reason(error);
            }
            AuthRejection::SignedOut(SignedOutReason::Clerk(reason)) => return reason.as_str(),
            AuthRejection::SignedOut(SignedOutReason::Handshake) => return "handshake",
            AuthRejection::SignedOut(SignedOutReason::BackendUnavailable(_)) => {
                return "backend_unavailable";
            }
        };
        verify_reason(error)
    }

    /// The answer to send (see the table above), and a log line:
    /// server-side problems at `error` level with their details, signed-out
    /// requests at `debug` level.
    pub fn response(&self) -> RejectionResponse {
        let status = self.status();
        let mut body = ErrorBody::new(self.error(), self.reason());
        if status != StatusCode::UNAUTHORIZED {
            tracing::error!(reason = self.reason(), "clerk: {self}");
            return RejectionResponse::json(status, &body);
        }
        tracing::debug!(reason = self.reason(), "clerk: request rejected: {self}");
        let challenge = match self {
            AuthRejection::SignedOut(SignedOutReason::NoToken) => {
                body.message = Some(
                    "no token (Authorization: Bearer, or the __session cookie for a session)"
                        .into(),
                );
                "Bearer"
            }
            AuthRejection::SignedOut(SignedOutReason::InvalidToken(error)) => {
                body.message = Some(error.to_string());
                "Bearer error=\"invalid_token\""
            }
            AuthRejection::SignedOut(SignedOutReason::TokenTypeMismatch { token_type }) => {
                body.message = Some(format!("{} is not accepted here", token_type.describe()));
                "Bearer error=\"invalid_token\""
            }
            AuthRejection::SignedOut(SignedOutReason::Machine(error)) => {
                body.message = Some(error.to_string());
                "Bearer error=\"invalid_token\""
            }
            _ => "Bearer",
        };
        RejectionResponse {
            www_authenticate: Some(challenge),
            ..RejectionResponse::json(status, &body)
        }
    }
}

/// The `reason` of a machine token's failure: Clerk's code with
/// underscores, or the key-set failure's own reason.
fn machine_reason(error: &MachineError) -> &'static str {
    match error {
        MachineError::TokenInvalid { .. } => "token_invalid",
        MachineError::VerificationFailed { error, .. } if error.is_server_error() => {
            verify_reason(error)
        }
        MachineError::VerificationFailed { .. } => "token_verification_failed",
        MachineError::SecretKeyInvalid { .. } => "secret_key_invalid",
        MachineError::NotConfigured { .. } => "backend_api_not_configured",
        _ => "unexpected_error",
    }
}

/// The `reason` of a session token's failure.
fn verify_reason(error: &VerifyError) -> &'static str {
    match error {
        VerifyError::Expired { .. } => "token_expired",
        VerifyError::NotYetValid { .. } => "token_not_yet_valid",
        VerifyError::IssuedInFuture { .. } => "token_issued_in_future",
        VerifyError::BadSignature => "invalid_signature",
        VerifyError::UnknownKey { .. } => "unknown_key",
        VerifyError::UnauthorizedParty { .. } => "unauthorized_party",
        VerifyError::WrongIssuer { .. } => "invalid_issuer",
        VerifyError::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
        VerifyError::NotASessionCategory { .. } => "not_a_session_token",
        VerifyError::OAuthAccessToken { .. } => "oauth_access_token",
        VerifyError::UnsupportedType { .. } => "unsupported_token_type",
        VerifyError::MachineSubject { .. } => "machine_token",
        VerifyError::Malformed(_) => "malformed_token",
        VerifyError::KeyFetch(_) => "key_fetch_failed",
        VerifyError::InvalidKey(_) => "invalid_key",
        VerifyError::InvalidConfig(_) => "invalid_config",
    }
}

impl From<SignedOutReason> for AuthRejection {
    fn from(reason: SignedOutReason) -> Self {
        AuthRejection::SignedOut(reason)
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthRejection::SignedOut(SignedOutReason::NoToken) => {
                f.write_str("signed out: the request has no session token")
            }
            AuthRejection::SignedOut(SignedOutReason::InvalidToken(error)) => {
                write!(f, "signed out: {error}")
            }
            AuthRejection::SignedOut(SignedOutReason::TokenTypeMismatch { token_type }) => {
                write!(
                    f,
                    "signed out: {} is not accepted here",
                    token_type.describe()
                )
            }
            AuthRejection::SignedOut(SignedOutReason::Machine(error)) => {
                write!(f, "signed out: {error}")
            }
            AuthRejection::SignedOut(SignedOutReason::Clerk(reason)) => {
                write!(f, "signed out: {reason}")
            }
            AuthRejection::SignedOut(SignedOutReason::Handshake) => {
                f.write_str("signed out: the session state needs a handshake")
            }
            AuthRejection::SignedOut(SignedOutReason::BackendUnavailable(why)) => {
                write!(f, "Clerk's Backend API is unavailable: {why}")
            }
            AuthRejection::NotConfigured => {
                f.write_str("session-token verification is not configured for this request")
            }
        }
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthRejection::SignedOut(SignedOutReason::InvalidToken(error)) => Some(error),
            AuthRejection::SignedOut(SignedOutReason::Machine(error)) => Some(error),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// Why a webhook delivery was rejected. [`response`](Self::response) gives
/// the answer:
///
/// | case | status | body |
/// | --- | --- | --- |
/// | the delivery does not verify | `400` | `{"error": "invalid_webhook", "reason": ..., "message": ...}` |
/// | the body is over the limit | `413` | `{"error": "invalid_webhook", "reason": "body_too_large", ...}` |
/// | the body could not be read | `400` | `{"error": "invalid_webhook", "reason": "unreadable_body", ...}` |
/// | no [`Webhook`](crate::webhooks::Webhook) configured | `500` | `{"error": "webhook_misconfigured", "reason": "not_configured"}` |
///
/// The reasons for deliveries that do not verify are `missing_header` (with
/// a `header` field naming it), `invalid_timestamp`, `timestamp_too_old`,
/// `timestamp_too_new`, `invalid_signature` and `invalid_payload` (signed,
/// but not a JSON event).
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The delivery did not verify.
    Invalid(WebhookError),
    /// The body could not be read, or is larger than the body limit.
    Body(BodyRejection),
    /// No [`Webhook`](crate::webhooks::Webhook) was configured for the
    /// request.
    NotConfigured,
}

/// Why a webhook body could not be read, as reported by the framework's
/// body reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRejection {
    too_large: bool,
    message: String,
}

impl BodyRejection {
    /// The body is larger than the limit (answered with `413`).
    pub fn too_large(message: impl Into<String>) -> Self {
        BodyRejection {
            too_large: true,
            message: message.into(),
        }
    }

    /// The body could not be read (answered with `400`).
    pub fn unreadable(message: impl Into<String>) -> Self {
        BodyRejection {
            too_large: false,
            message: message.into(),
        }
    }

    /// Whether the body was over the limit.
    pub fn is_too_large(&self) -> bool {
        self.too_large
    }

    /// The framework's description of the failure.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl WebhookRejection {
    /// The response status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookRejection::Invalid(
                WebhookError::InvalidSecret | WebhookError::MissingSecret,
            )
            | WebhookRejection::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
            WebhookRejection::Invalid(_) => StatusCode::BAD_REQUEST,
            WebhookRejection::Body(body) if body.too_large => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookRejection::Body(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The `reason` field, e.g. `invalid_signature`.
    pub fn reason(&self) -> &'static str {
        match self {
            WebhookRejection::Invalid(error) => match error {
                WebhookError::MissingHeader(_) => "missing_header",
                WebhookError::InvalidTimestamp => "invalid_timestamp",
                WebhookError::TimestampTooOld => "timestamp_too_old",
                WebhookError::TimestampTooNew => "timestamp_too_new",
                WebhookError::NoMatchingSignature => "invalid_signature",
                WebhookError::InvalidJson(_) => "invalid_payload",
                WebhookError::InvalidSecret => "invalid_secret",
                WebhookError::MissingSecret => "missing_secret",
            },
            WebhookRejection::Body(body) if body.too_large => "body_too_large",
            WebhookRejection::Body(_) => "unreadable_body",
            WebhookRejection::NotConfigured => "not_configured",
        }
    }

    /// The answer to send (see the table above), and a log line:
    /// configuration problems at `error` level, bad deliveries at `debug`
    /// level.
    pub fn response(&self) -> RejectionResponse {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(reason = self.reason(), "clerk: {self}");
            let body = ErrorBody::new("webhook_misconfigured", self.reason());
            return RejectionResponse::json(status, &body);
        }
        tracing::debug!(reason = self.reason(), "clerk: {self}");
        let mut body = ErrorBody::new("invalid_webhook", self.reason());
        match self {
            WebhookRejection::Invalid(error) => {
                body.message = Some(error.to_string());
                if let WebhookError::MissingHeader(name) = error {
                    body.header = Some(name);
                }
            }
            WebhookRejection::Body(rejection) => body.message = Some(rejection.message.clone()),
            WebhookRejection::NotConfigured => {}
        }
        RejectionResponse::json(status, &body)
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookRejection::Invalid(error) => write!(f, "webhook rejected: {error}"),
            WebhookRejection::Body(body) => write!(f, "webhook rejected: {}", body.message),
            WebhookRejection::NotConfigured => f.write_str(
                "webhook verification is not configured for this request (no Webhook found)",
            ),
        }
    }
}

impl std::error::Error for WebhookRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookRejection::Invalid(error) => Some(error),
            WebhookRejection::Body(_) | WebhookRejection::NotConfigured => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(response: &RejectionResponse) -> serde_json::Value {
        serde_json::from_slice(&response.body).unwrap()
    }

    fn headers(response: &RejectionResponse) -> Vec<(String, &'static str)> {
        response
            .headers()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }

    #[test]
    fn signed_out_answers_401_with_a_challenge() {
        let response = AuthRejection::SignedOut(SignedOutReason::NoToken).response();
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            headers(&response),
            [
                ("content-type".to_owned(), "application/json"),
                ("www-authenticate".to_owned(), "Bearer"),
            ]
        );
        assert_eq!(
            std::str::from_utf8(&response.body).unwrap(),
            r#"{"error":"signed_out","reason":"no_token","message":"no token (Authorization: Bearer, or the __session cookie for a session)"}"#
        );

        let expired = SignedOutReason::InvalidToken(VerifyError::Expired { exp: 1, now: 2 });
        let response = AuthRejection::from(expired).response();
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.www_authenticate,
            Some("Bearer error=\"invalid_token\"")
        );
        assert_eq!(
            json(&response),
            serde_json::json!({
                "error": "signed_out",
                "reason": "token_expired",
                "message": "session token expired at 1 (now 2)",
            })
        );
    }

    #[test]
    fn server_side_problems_are_not_401_and_keep_their_details() {
        let fetch = AuthRejection::from(SignedOutReason::InvalidToken(VerifyError::KeyFetch(
            "connection refused to https://api.clerk.com".into(),
        )));
        let response = fetch.response();
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.www_authenticate, None);
        assert_eq!(
            json(&response),
            serde_json::json!({"error": "auth_unavailable", "reason": "key_fetch_failed"})
        );

        let key = AuthRejection::from(SignedOutReason::InvalidToken(VerifyError::InvalidKey(
            "bad pem".into(),
        )));
        assert_eq!(key.response().status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json(&key.response())["reason"], "invalid_key");
        assert_eq!(
            json(&AuthRejection::NotConfigured.response()),
            serde_json::json!({"error": "auth_misconfigured", "reason": "not_configured"})
        );
    }

    #[test]
    fn optional_sign_in_hides_only_token_problems() {
        let bad = AuthState::SignedOut(SignedOutReason::InvalidToken(VerifyError::BadSignature));
        assert_eq!(optional_sign_in(bad.clone()), Ok(None));
        assert_eq!(
            optional_sign_in(AuthState::SignedOut(SignedOutReason::NoToken)),
            Ok(None)
        );
        let outage = SignedOutReason::InvalidToken(VerifyError::KeyFetch("down".into()));
        assert_eq!(
            optional_sign_in(AuthState::SignedOut(outage.clone())),
            Err(AuthRejection::SignedOut(outage))
        );
        assert_eq!(
            require_signed_in(bad).unwrap_err().reason(),
            "invalid_signature"
        );
    }

    #[test]
    fn webhook_rejections() {
        let missing = WebhookRejection::Invalid(WebhookError::MissingHeader("svix-id"));
        let response = missing.response();
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(response.www_authenticate, None);
        assert_eq!(
            json(&response),
            serde_json::json!({
                "error": "invalid_webhook",
                "reason": "missing_header",
                "message": "missing webhook header `svix-id`",
                "header": "svix-id",
            })
        );

        let too_large = WebhookRejection::Body(BodyRejection::too_large("length limit exceeded"));
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            json(&too_large.response()),
            serde_json::json!({
                "error": "invalid_webhook",
                "reason": "body_too_large",
                "message": "length limit exceeded",
            })
        );
        let unreadable = WebhookRejection::Body(BodyRejection::unreadable("connection reset"));
        assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);
        assert_eq!(unreadable.reason(), "unreadable_body");

        let response = WebhookRejection::NotConfigured.response();
        assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            json(&response),
            serde_json::json!({"error": "webhook_misconfigured", "reason": "not_configured"})
        );
        let secret = WebhookRejection::Invalid(WebhookError::InvalidSecret);
        assert_eq!(secret.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json(&secret.response())["error"], "webhook_misconfigured");
    }
}

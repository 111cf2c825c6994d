//! The async layer of the page rules: verifies tokens, exchanges handshake
//! nonces and refreshes sessions through the Backend API, and hands the
//! outcomes to the pure rules (`decide.rs`).

use std::time::Duration;

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use serde::Deserialize;

use super::context::{Context, joined_headers, names, peek};
use super::decide::{
    CookieStep, Rules, Step, after_refresh_failure, cookie_rules, cookie_verified, header_verified,
    signed_in, signed_out, unavailable, without_params,
};
use super::reason::{AuthReason, RefreshError, TokenReason};
use super::state::{AuthStatus, RequestState};
use crate::auth::authenticator::Authenticator;
use crate::auth::backend::BackendApi;
use crate::auth::checks::VerifyOptions;
use crate::auth::error::VerifyError;
use crate::auth::jwt;
use crate::auth::request::{self, AuthState, SignedOutReason};
use crate::auth::route::RouteOptions;
use crate::auth::session::{check_session_header, verify_token};
use crate::auth::token_type::TokenType;

/// The clock skew a development instance allows a token just handed over by
/// a handshake, when the local clock is off (Clerk's own allowance): a day.
const DEVELOPMENT_HANDSHAKE_SKEW: Duration = Duration::from_secs(86_400);

/// [`Authenticator::authenticate_request`].
pub(crate) async fn authenticate_request(
    auth: &Authenticator,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    route: &RouteOptions,
) -> RequestState {
    let Some(frontend) = auth.frontend() else {
        return unavailable(SignedOutReason::InvalidToken(VerifyError::InvalidConfig(
            "the page rules need the instance's publishable key (Authenticator::publishable_key \
             or CLERK_PUBLISHABLE_KEY)"
                .into(),
        )));
    };
    let multi = auth.multi_domain();
    if let Err(error) = multi.check(frontend) {
        return unavailable(SignedOutReason::InvalidToken(error));
    }
    // Machine tokens: as the header rules decide them (cookies are never
    // read for machines).
    let machine_header = request::bearer_token(headers)
        .is_some_and(|token| TokenType::of(token) != TokenType::SessionToken);
    if !route.accepts(TokenType::SessionToken) || machine_header {
        return from_auth_state(request::authenticate(auth, headers, route).await);
    }
    let options = auth.verify_options();
    let now = (options.clock)();
    let ctx = Context::parse(method, uri, headers, frontend, multi, now);
    let rules = Rules {
        multi,
        organizations: route.organizations(),
    };
    let step = if let Some(token) = ctx.token_in_header.as_deref() {
        header_verified(&ctx, rules, verify_token(token, options).await)
    } else {
        if (ctx.handshake_nonce.is_some() || ctx.handshake_token.is_some())
            && let Some(state) = resolve_handshake(auth, &ctx).await
        {
            return state;
        }
        match cookie_rules(&ctx, rules) {
            CookieStep::Done(state) => return state,
            CookieStep::Verify(then) => {
                let token = ctx.session_in_cookie.as_deref().unwrap_or_default();
                cookie_verified(&ctx, rules, then, verify_token(token, options).await)
            }
        }
    };
    match step {
        Step::Done(state) => state,
        Step::Refresh(expired) => refresh(auth, &ctx, headers, rules, expired).await,
    }
}

/// A header-rules outcome as a request state.
fn from_auth_state(auth: AuthState) -> RequestState {
    match auth {
        AuthState::SignedIn(_) | AuthState::Machine(_) => {
            RequestState::new(AuthStatus::SignedIn, None, HeaderMap::new(), auth)
        }
        AuthState::SignedOut(reason) if reason.is_server_error() => unavailable(reason),
        AuthState::SignedOut(why) => {
            let reason = match &why {
                SignedOutReason::TokenTypeMismatch { .. } => AuthReason::TokenTypeMismatch,
                SignedOutReason::Machine(error) => AuthReason::MachineToken(error.code()),
                SignedOutReason::InvalidToken(error) => AuthReason::Token(TokenReason::of(error)),
                SignedOutReason::Clerk(reason) => reason.clone(),
                _ => AuthReason::SessionTokenMissing,
            };
            RequestState::new(
                AuthStatus::SignedOut,
                Some(reason),
                HeaderMap::new(),
                AuthState::SignedOut(why),
            )
        }
    }
}

// ---------------------------------------------------------------------------
// Resolving a handshake
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct HandshakePayload {
    #[serde(default)]
    handshake: Vec<String>,
}

#[derive(Deserialize)]
struct NoncePayload {
    #[serde(default)]
    directives: Vec<String>,
}

/// Verifies a `__clerk_handshake` token: a JWT the instance signed (RS256,
/// `typ` absent or `JWT`, `cat` absent or a session category) whose
/// `handshake` claim lists cookie directives. It has no subject and may
/// have no expiry: only the header and the signature are checked.
pub(crate) async fn verify_handshake_token(
    token: &str,
    options: &VerifyOptions,
) -> Result<Vec<String>, VerifyError> {
    let jwt = jwt::parse(token)?;
    check_session_header(&jwt.header)?;
    let payload: HandshakePayload = jwt.verify(options).await?;
    Ok(payload.handshake)
}

/// Clerk's `resolveHandshake`: the cookie directives (from the nonce, else
/// the token) become `Set-Cookie`s and the last session cookie the
/// request's session. `None`: continue with the cookie rules (a production
/// handshake token that does not verify, a session that does not).
async fn resolve_handshake(auth: &Authenticator, ctx: &Context) -> Option<RequestState> {
    let options = auth.verify_options();
    let directives = if let Some(nonce) = ctx.handshake_nonce.as_deref() {
        let Some(api) = auth.backend() else {
            return Some(unavailable(SignedOutReason::InvalidToken(
                VerifyError::InvalidConfig(
                    "a handshake nonce needs the Backend API (Authenticator::backend_api)".into(),
                ),
            )));
        };
        match exchange_nonce(api, nonce).await {
            Ok(directives) => directives,
            Err(why) => return Some(unavailable(why)),
        }
    } else {
        let token = ctx.handshake_token.as_deref().unwrap_or_default();
        match verify_handshake_token(token, options).await {
            Ok(directives) => directives,
            Err(error) if error.is_server_error() || ctx.development => {
                // Development: the token came in the URL and was made for
                // this app; a bad one means switched keys, and continuing
                // would loop. Production: see below.
                tracing::error!(%error, "Clerk: the handshake token did not verify");
                return Some(unavailable(SignedOutReason::InvalidToken(error)));
            }
            Err(error) => {
                // Production: the token is a cookie on the parent domain,
                // which another app's handshake may have written; ignore it.
                tracing::debug!(%error, "Clerk: ignoring a handshake token that does not verify");
                return None;
            }
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        HeaderName::from_static("access-control-allow-origin"),
        HeaderValue::from_static("null"),
    );
    headers.insert(
        HeaderName::from_static("access-control-allow-credentials"),
        HeaderValue::from_static("true"),
    );
    let session = append_directives(&mut headers, &directives);
    if ctx.development {
        // Development: back to the URL without the handshake's parameters.
        let clean = without_params(
            &ctx.clerk_url,
            &[
                names::HANDSHAKE,
                names::HANDSHAKE_HELP,
                names::DEV_BROWSER,
                names::HANDSHAKE_NONCE,
            ],
        );
        if let Ok(value) = HeaderValue::from_str(clean.as_str()) {
            headers.insert(http::header::LOCATION, value);
        }
    }
    let Some(session) = session else {
        return Some(signed_out(AuthReason::SessionTokenMissing, headers));
    };
    match verify_token(&session, options).await {
        Ok(claims) => Some(signed_in(claims, headers)),
        Err(error) if error.is_server_error() => {
            Some(unavailable(SignedOutReason::InvalidToken(error)))
        }
        Err(
            VerifyError::Expired { .. }
            | VerifyError::NotYetValid { .. }
            | VerifyError::IssuedInFuture { .. },
        ) if ctx.development => {
            tracing::error!(
                "Clerk: clock skew detected (the handshake's session token is not valid by this \
                 server's clock); allowing it on this development instance"
            );
            let lenient = options.clone().clock_skew(DEVELOPMENT_HANDSHAKE_SKEW);
            match verify_token(&session, &lenient).await {
                Ok(claims) => Some(signed_in(claims, headers)),
                Err(_) => None,
            }
        }
        Err(error) => {
            tracing::error!(%error, "Clerk: the handshake's session token did not verify");
            None
        }
    }
}

/// Adds each directive as a `Set-Cookie` and returns the value of the last
/// session cookie (`__session`, suffixed or not) among them.
fn append_directives(headers: &mut HeaderMap, directives: &[String]) -> Option<String> {
    let mut session = None;
    for directive in directives {
        match HeaderValue::from_str(directive) {
            Ok(mut value) => {
                // Session and refresh tokens: kept out of Debug output.
                value.set_sensitive(true);
                headers.append(SET_COOKIE, value);
            }
            Err(_) => {
                tracing::warn!("Clerk sent a cookie directive that is not a valid header value");
                continue;
            }
        }
        let pair = directive.split(';').next().unwrap_or_default();
        let mut parts = pair.split('=');
        let name = parts.next().unwrap_or_default();
        if name.starts_with(names::SESSION) {
            session = Some(parts.next().unwrap_or_default().to_owned());
        }
    }
    session.filter(|s| !s.is_empty())
}

/// `GET /clients/handshake_payload?nonce=...`: the directives a nonce
/// stands for. Clerk answering no (an unknown or used nonce) gives none;
/// Clerk unreachable is a server-side failure.
async fn exchange_nonce(api: &BackendApi, nonce: &str) -> Result<Vec<String>, SignedOutReason> {
    let path = format!("/clients/handshake_payload?nonce={}", encode(nonce));
    let answer = api
        .get("GetHandshakePayload", &path)
        .await
        .map_err(|e| SignedOutReason::BackendUnavailable(e.0))?;
    if answer.status.is_server_error() || answer.status.as_u16() == 429 {
        return Err(SignedOutReason::BackendUnavailable(format!(
            "the handshake payload request answered HTTP {}",
            answer.status
        )));
    }
    if !answer.status.is_success() {
        tracing::warn!(status = %answer.status, "Clerk refused the handshake nonce");
        return Ok(Vec::new());
    }
    match serde_json::from_slice::<NoncePayload>(&answer.body) {
        Ok(payload) => Ok(payload.directives),
        Err(_) => {
            tracing::warn!("Clerk's handshake payload is not of the expected shape");
            Ok(Vec::new())
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Refresh
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct RefreshCookies {
    #[serde(default)]
    cookies: Vec<String>,
}

#[derive(Deserialize)]
struct ClerkErrors {
    #[serde(default)]
    errors: Vec<ClerkErrorCode>,
}

#[derive(Deserialize)]
struct ClerkErrorCode {
    #[serde(default)]
    code: String,
}

/// Refreshes an expired session in place; when that fails, the handshake
/// (or sign-out) with `session-token-expired-refresh-<why>`.
async fn refresh(
    auth: &Authenticator,
    ctx: &Context,
    headers: &HeaderMap,
    rules: Rules<'_>,
    expired: VerifyError,
) -> RequestState {
    match attempt_refresh(auth, ctx, headers).await {
        Ok(state) => state,
        Err(why) => after_refresh_failure(ctx, rules, expired, why),
    }
}

async fn attempt_refresh(
    auth: &Authenticator,
    ctx: &Context,
    request_headers: &HeaderMap,
) -> Result<RequestState, RefreshError> {
    let api = auth.backend().ok_or(RefreshError::MissingApiClient)?;
    let expired = ctx
        .session_token()
        .ok_or(RefreshError::ExpiredSessionTokenDecodeFailed)?;
    let refresh_token = ctx
        .refresh_in_cookie
        .as_deref()
        .ok_or(RefreshError::NonEligibleNoCookie)?;
    let claims = peek(expired).ok_or(RefreshError::ExpiredSessionTokenDecodeFailed)?;
    let sid = claims
        .sid
        .filter(|s| !s.is_empty())
        .ok_or(RefreshError::ExpiredSessionTokenMissingSidClaim)?;
    // As Clerk's SDK sends them: each name with its (joined) value.
    let request_headers: serde_json::Map<String, serde_json::Value> =
        joined_headers(request_headers)
            .into_iter()
            .map(|(name, value)| (name, serde_json::json!([value])))
            .collect();
    let body = serde_json::json!({
        "format": "cookie",
        "suffixed_cookies": ctx.suffixed,
        "expired_token": expired,
        "refresh_token": refresh_token,
        "request_origin": ctx.origin(),
        "request_headers": request_headers,
    });
    let path = format!("/sessions/{}/refresh", encode(&sid));
    let answer = api
        .post_json("RefreshSession", &path, &body, None)
        .await
        .map_err(|_| RefreshError::FetchError)?;
    if !answer.status.is_success() {
        let code = serde_json::from_slice::<ClerkErrors>(&answer.body)
            .ok()
            .and_then(|e| e.errors.into_iter().next())
            .map(|e| e.code)
            .filter(|c| !c.is_empty());
        return Err(match code.as_deref() {
            Some("unexpected_error") => RefreshError::FetchError,
            Some(code) => RefreshError::Code(code.to_owned()),
            None => RefreshError::UnexpectedBapiError,
        });
    }
    let cookies = serde_json::from_slice::<RefreshCookies>(&answer.body)
        .map_err(|_| RefreshError::UnexpectedBapiError)?
        .cookies;
    if cookies.is_empty() {
        return Err(RefreshError::UnexpectedSdkError);
    }
    let mut headers = HeaderMap::new();
    let session = append_directives(&mut headers, &cookies).unwrap_or_default();
    match verify_token(&session, auth.verify_options()).await {
        Ok(claims) => Ok(signed_in(claims, headers)),
        Err(error) if error.is_server_error() => {
            Ok(unavailable(SignedOutReason::InvalidToken(error)))
        }
        Err(_) => Err(RefreshError::InvalidSessionToken),
    }
}

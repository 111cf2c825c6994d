//! The page rules as pure functions of the parsed request ([`Context`]) and
//! the outcome of token checks: no I/O here, so every rule is tested as a
//! table (`tests/page_rules.rs` and the tests below). The async layer
//! (`resolve.rs`) verifies tokens and calls Clerk, and hands the results to
//! these functions.

use http::header::{LOCATION, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use reqwest::Url;

use super::context::{Context, names, peek};
use super::instance::MultiDomain;
use super::org::OrganizationSync;
use super::reason::{AuthReason, RefreshError, TokenReason};
use super::state::{AuthStatus, RequestState};
use crate::auth::claims::Claims;
use crate::auth::error::VerifyError;
use crate::auth::request::{AuthState, SignedOutReason};

/// The redirect loop guard: after this many handshakes in a row (each
/// within 2 seconds of the last), the request is signed out instead.
pub(crate) const MAX_REDIRECTS: u32 = 3;

/// The `__clerk_synced` values of a satellite's return from the primary
/// domain: a sync is wanted, or has just completed.
const SYNC_NEEDED: &str = "false";
const SYNC_COMPLETED: &str = "true";

/// The settings the rules read besides the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub(crate) multi: &'a MultiDomain,
    pub(crate) organizations: Option<&'a OrganizationSync>,
}

/// What happens next after a token failed to verify.
// Made once per request and taken apart at once, like `AuthState`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Step {
    Done(RequestState),
    /// The session token expired (this error) and a refresh may fix it in
    /// place: the async layer tries, then calls [`after_refresh_failure`]
    /// if it fails.
    Refresh(VerifyError),
}

/// What the cookie rules need next.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum CookieStep {
    Done(RequestState),
    /// Verify the session cookie, then call [`cookie_verified`].
    Verify(Then),
}

/// How a verified (or failed) session cookie is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Then {
    /// A session token and an active client: the normal case.
    Normal,
    /// A session token without `__client_uat`, in a redirect loop: a token
    /// that verifies signs in (browsers that drop the uat cookie, Safari's
    /// ITP), anything else is the handshake it would have been.
    WithoutUat,
}

// ---------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------

pub(crate) fn signed_in(claims: Claims, headers: HeaderMap) -> RequestState {
    RequestState::new(
        AuthStatus::SignedIn,
        None,
        headers,
        AuthState::SignedIn(claims),
    )
}

pub(crate) fn signed_out(reason: AuthReason, headers: HeaderMap) -> RequestState {
    let auth = AuthState::SignedOut(SignedOutReason::Clerk(reason.clone()));
    RequestState::new(AuthStatus::SignedOut, Some(reason), headers, auth)
}

/// A token that did not verify, signed out with Clerk's token reason.
pub(crate) fn token_signed_out(error: VerifyError, headers: HeaderMap) -> RequestState {
    if error.is_server_error() {
        return unavailable(SignedOutReason::InvalidToken(error));
    }
    let reason = AuthReason::Token(TokenReason::of(&error));
    let auth = AuthState::SignedOut(SignedOutReason::InvalidToken(error));
    RequestState::new(AuthStatus::SignedOut, Some(reason), headers, auth)
}

/// The request could not be decided on this side.
pub(crate) fn unavailable(why: SignedOutReason) -> RequestState {
    RequestState::new(
        AuthStatus::Unavailable,
        None,
        HeaderMap::new(),
        AuthState::SignedOut(why),
    )
}

// ---------------------------------------------------------------------------
// The handshake
// ---------------------------------------------------------------------------

/// Clerk's `handleMaybeHandshakeStatus`: a handshake (to `location`, or to
/// the Frontend API) when the request is a page load and the loop guard
/// allows; signed out with `reason` otherwise.
pub(crate) fn maybe_handshake(
    ctx: &Context,
    rules: Rules<'_>,
    reason: AuthReason,
    location: Option<String>,
) -> RequestState {
    if !ctx.is_eligible_for_handshake() || ctx.redirect_count >= MAX_REDIRECTS {
        if ctx.redirect_count >= MAX_REDIRECTS {
            tracing::warn!(
                reason = reason.as_str(),
                "Clerk handshake redirect loop: signing the request out (do the publishable \
                 and secret keys belong to the same instance?)"
            );
        }
        return signed_out(reason, HeaderMap::new());
    }
    let location = location.unwrap_or_else(|| handshake_url(ctx, rules, &reason));
    let mut headers = HeaderMap::new();
    match HeaderValue::from_str(&location) {
        Ok(mut value) => {
            // It may carry the session token: kept out of Debug output.
            value.set_sensitive(true);
            headers.insert(LOCATION, value);
        }
        Err(_) => return signed_out(reason, HeaderMap::new()),
    }
    headers.append(SET_COOKIE, redirect_count_cookie(ctx.redirect_count + 1));
    RequestState::new(
        AuthStatus::Handshake,
        Some(reason),
        headers,
        handshake_auth(),
    )
}

fn handshake_auth() -> AuthState {
    AuthState::SignedOut(SignedOutReason::Handshake)
}

/// `__clerk_redirect_count=<n>; SameSite=Lax; HttpOnly; Max-Age=2`.
pub(crate) fn redirect_count_cookie(count: u32) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{}={count}; SameSite=Lax; HttpOnly; Max-Age=2",
        names::REDIRECT_COUNT
    ))
    .expect("a valid header value")
}

/// The Frontend API's handshake URL for this request.
pub(crate) fn handshake_url(ctx: &Context, rules: Rules<'_>, reason: &AuthReason) -> String {
    let base =
        if ctx.frontend_api.starts_with("http://") || ctx.frontend_api.starts_with("https://") {
            ctx.frontend_api.clone()
        } else {
            format!("https://{}", ctx.frontend_api)
        };
    let base = format!("{}/", base.trim_end_matches('/'));
    let Ok(mut url) = Url::parse(&base).and_then(|b| b.join("v1/client/handshake")) else {
        return String::new();
    };
    let redirect_url = without_params(
        &ctx.clerk_url,
        &[names::DEV_BROWSER, names::LEGACY_DEV_BROWSER],
    );
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("redirect_url", redirect_url.as_str());
        if let Some(version) = crate::generated::CLERK_API_VERSION {
            query.append_pair("__clerk_api_version", version);
        }
        query.append_pair(
            "suffixed_cookies",
            if ctx.suffixed { "true" } else { "false" },
        );
        query.append_pair("__clerk_hs_reason", reason.as_str());
        query.append_pair("format", "nonce");
        if let Some(token) = ctx.session_token() {
            query.append_pair(names::SESSION, token);
        }
        if ctx.development
            && let Some(dev_browser) = ctx.dev_browser.as_deref()
        {
            query.append_pair(names::DEV_BROWSER, dev_browser);
        }
        if let Some(target) = rules.organizations.and_then(|o| o.target(&ctx.clerk_url)) {
            query.append_pair("organization_id", target.query_value());
        }
    }
    url.to_string()
}

/// `url` without the query parameters `names` (the rest re-encoded as a
/// form, as `URLSearchParams` does).
pub(crate) fn without_params(url: &Url, names: &[&str]) -> Url {
    let mut url = url.clone();
    if url.query().is_none() {
        return url;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !names.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url
}

// ---------------------------------------------------------------------------
// Token errors
// ---------------------------------------------------------------------------

/// Clerk's `handleSessionTokenError`: an expired token on a GET with a
/// refresh cookie is refreshed; otherwise expired, not-yet-valid and
/// future tokens get a handshake, and other failures sign out.
pub(crate) fn token_error(ctx: &Context, rules: Rules<'_>, error: VerifyError) -> Step {
    if error.is_server_error() {
        return Step::Done(unavailable(SignedOutReason::InvalidToken(error)));
    }
    let expired = matches!(error, VerifyError::Expired { .. });
    if expired && ctx.is_get && ctx.refresh_in_cookie.is_some() {
        return Step::Refresh(error);
    }
    let why = if !ctx.is_get {
        RefreshError::NonEligibleNonGet
    } else {
        RefreshError::NonEligibleNoCookie
    };
    Step::Done(after_refresh_failure(ctx, rules, error, why))
}

/// The handshake (or sign-out) after a token error, `why` saying why an
/// expired token was not refreshed.
pub(crate) fn after_refresh_failure(
    ctx: &Context,
    rules: Rules<'_>,
    error: VerifyError,
    why: RefreshError,
) -> RequestState {
    let reason = match error {
        VerifyError::Expired { .. } => AuthReason::expired(why),
        VerifyError::NotYetValid { .. } => AuthReason::SessionTokenNbf,
        VerifyError::IssuedInFuture { .. } => AuthReason::SessionTokenIatInTheFuture,
        error => return token_signed_out(error, HeaderMap::new()),
    };
    maybe_handshake(ctx, rules, reason, None)
}

// ---------------------------------------------------------------------------
// The header token
// ---------------------------------------------------------------------------

/// A session token from `Authorization`, verified.
pub(crate) fn header_verified(
    ctx: &Context,
    rules: Rules<'_>,
    result: Result<Claims, VerifyError>,
) -> Step {
    match result {
        Ok(claims) => Step::Done(signed_in(claims, HeaderMap::new())),
        Err(error) => token_error(ctx, rules, error),
    }
}

// ---------------------------------------------------------------------------
// The cookies
// ---------------------------------------------------------------------------

/// Clerk's cookie rules up to the point where the session cookie must be
/// verified (after any handshake token or nonce was resolved).
pub(crate) fn cookie_rules(ctx: &Context, rules: Rules<'_>) -> CookieStep {
    use CookieStep::{Done, Verify};
    let has_uat = ctx.client_uat != 0;
    let has_session = ctx.session_in_cookie.is_some();

    // Multi-domain: a satellite's page without the session state.
    let linked = has_uat && has_session;
    let synced = ctx.query(names::SYNCED);
    let sync_wanted = match synced.as_deref() {
        Some(SYNC_COMPLETED) => false,
        Some(SYNC_NEEDED) => true,
        _ => rules.multi.satellite_auto_sync,
    };
    let multi_domain_sync = rules.multi.satellite
        && ctx.sec_fetch_dest.as_deref() == Some("document")
        && !linked
        && sync_wanted;
    if multi_domain_sync && !ctx.development {
        return Done(maybe_handshake(
            ctx,
            rules,
            AuthReason::SatelliteCookieNeedsSyncing,
            None,
        ));
    }
    if multi_domain_sync && ctx.development {
        // Development: the primary domain's sign-in page syncs the
        // dev browser, then sends the browser back.
        let back = without_params(&ctx.clerk_url, &[names::SYNCED]);
        let location = rules.multi.sign_in_url.as_deref().and_then(|sign_in| {
            let mut url = Url::parse(sign_in).ok()?;
            url.query_pairs_mut()
                .append_pair(names::REDIRECT_URL, back.as_str());
            Some(url.to_string())
        });
        if let Some(location) = location {
            return Done(maybe_handshake(
                ctx,
                rules,
                AuthReason::SatelliteCookieNeedsSyncing,
                Some(location),
            ));
        }
    }
    // Development, on the primary domain: a satellite asked to sync;
    // send the browser back with the dev browser.
    if ctx.development
        && !rules.multi.satellite
        && let Some(back) = ctx.query(names::REDIRECT_URL)
        && let Ok(mut back) = Url::parse(&back)
    {
        {
            let mut query = back.query_pairs_mut();
            if let Some(dev_browser) = ctx.dev_browser.as_deref() {
                query.append_pair(names::DEV_BROWSER, dev_browser);
            }
            query.append_pair(names::SYNCED, SYNC_COMPLETED);
        }
        return Done(maybe_handshake(
            ctx,
            rules,
            AuthReason::PrimaryRespondsToSyncing,
            Some(back.to_string()),
        ));
    }
    if ctx.development && ctx.query(names::DEV_BROWSER).is_some() {
        return Done(maybe_handshake(
            ctx,
            rules,
            AuthReason::DevBrowserSync,
            None,
        ));
    }
    if ctx.development && ctx.dev_browser.is_none() {
        return Done(maybe_handshake(
            ctx,
            rules,
            AuthReason::DevBrowserMissing,
            None,
        ));
    }
    match (has_uat, has_session) {
        (false, false) => {
            return Done(signed_out(
                AuthReason::SessionTokenAndUatMissing,
                HeaderMap::new(),
            ));
        }
        (false, true) if ctx.redirect_count > 0 => return Verify(Then::WithoutUat),
        (false, true) => {
            return Done(maybe_handshake(
                ctx,
                rules,
                AuthReason::SessionTokenWithoutClientUat,
                None,
            ));
        }
        (true, false) => {
            return Done(maybe_handshake(
                ctx,
                rules,
                AuthReason::ClientUatWithoutSessionToken,
                None,
            ));
        }
        (true, true) => {}
    }
    let token = ctx.session_in_cookie.as_deref().unwrap_or_default();
    let Some(claims) = peek(token) else {
        // Not a JWT: verification says why.
        return Verify(Then::Normal);
    };
    let iat = claims.iat.unwrap_or(0.0);
    if iat < ctx.client_uat as f64 {
        return Done(maybe_handshake(
            ctx,
            rules,
            AuthReason::SessionTokenIatBeforeClientUat,
            None,
        ));
    }
    Verify(Then::Normal)
}

/// The cookie rules after the session cookie was verified.
pub(crate) fn cookie_verified(
    ctx: &Context,
    rules: Rules<'_>,
    then: Then,
    result: Result<Claims, VerifyError>,
) -> Step {
    let claims = match (then, result) {
        (_, Ok(claims)) => claims,
        (Then::WithoutUat, Err(error)) if error.is_server_error() => {
            return Step::Done(unavailable(SignedOutReason::InvalidToken(error)));
        }
        (Then::WithoutUat, Err(_)) => {
            return Step::Done(maybe_handshake(
                ctx,
                rules,
                AuthReason::SessionTokenWithoutClientUat,
                None,
            ));
        }
        (Then::Normal, Err(error)) => return token_error(ctx, rules, error),
    };
    if then == Then::WithoutUat {
        return Step::Done(signed_in(claims, HeaderMap::new()));
    }
    // A page of the primary domain opened from another site (a
    // satellite): its session state may be stale.
    let cross_origin = !rules.multi.satellite
        && ctx.sec_fetch_dest.as_deref() == Some("document")
        && ctx.is_cross_origin_referrer()
        && !ctx.is_known_clerk_referrer()
        && ctx.redirect_count == 0;
    if cross_origin {
        return Step::Done(maybe_handshake(
            ctx,
            rules,
            AuthReason::PrimaryDomainCrossOriginSync,
            None,
        ));
    }
    Step::Done(organization_sync(ctx, rules, claims))
}

/// Signed in, unless the URL names another organization than the
/// session's and a handshake can activate it.
fn organization_sync(ctx: &Context, rules: Rules<'_>, claims: Claims) -> RequestState {
    let target = rules.organizations.and_then(|o| o.target(&ctx.clerk_url));
    let must_activate = target.is_some_and(|t| t.differs_from(&claims));
    if !must_activate {
        return signed_in(claims, HeaderMap::new());
    }
    if ctx.redirect_count >= MAX_REDIRECTS {
        // The organization could not be activated (not found, or not the
        // user's): leave it to the application.
        tracing::warn!("Clerk organization sync: the organization could not be activated");
        return signed_in(claims, HeaderMap::new());
    }
    let state = maybe_handshake(ctx, rules, AuthReason::ActiveOrganizationMismatch, None);
    if state.status() == AuthStatus::Handshake {
        state
    } else {
        signed_in(claims, HeaderMap::new())
    }
}

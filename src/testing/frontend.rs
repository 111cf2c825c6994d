//! The Frontend API's part of Clerk's handshake, so that an application's
//! test can follow the whole redirect loop offline: `GET
//! {frontend_api_url}/v1/client/handshake` answers a `307` back to the
//! application with a handshake nonce (or token), and the Backend API's
//! `GET /v1/clients/handshake_payload?nonce=` answers the cookie
//! directives it stands for.
//!
//! Clerk's Frontend API knows the browser by its own client cookie. The
//! fake knows it by a `__client` cookie holding a session ID
//! ([`FakeClerk::frontend_api_cookie`](super::FakeClerk::frontend_api_cookie)),
//! or by the session token the application passed along (the `__session`
//! parameter, as Clerk's SDKs send it); an active session gets a fresh
//! token, anything else the cookies of a signed-out browser.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use reqwest::Url;
use serde_json::{Value, json};

use super::call::Call;
use super::errors::ApiError;
use super::server::{Shared, lock};
use super::state::{base62, find, random_u64};
use crate::auth::jwt::unverified_payload;

/// Where the fake serves its Frontend API, under its own origin.
pub(crate) const PREFIX: &str = "/__fapi";

/// What the fake Frontend API handed out: handshake nonces not yet
/// exchanged (nonce -> cookie directives) and refresh tokens (token ->
/// session ID).
#[derive(Default)]
pub(crate) struct Handshakes {
    nonces: HashMap<String, Vec<String>>,
    refresh: HashMap<String, String>,
}

/// A refresh token for `session_id`, as the handshake sets it in the
/// `__refresh_<suffix>` cookie.
pub(crate) fn issue_refresh_token(shared: &Shared, session_id: &str) -> String {
    let token = format!("rt_{}", base62(random_u64(), 22));
    lock(&shared.handshakes)
        .refresh
        .insert(token.clone(), session_id.to_owned());
    token
}

/// The name of the instance's refresh cookie, `__refresh_<suffix>`.
pub(crate) fn refresh_cookie_name(shared: &Shared) -> String {
    format!(
        "__refresh_{}",
        crate::auth::page::instance::cookie_suffix(&shared.publishable_key)
    )
}

/// `GET /__fapi/v1/client/handshake`.
pub(crate) fn handle(
    shared: &Shared,
    parts: &http::request::Parts,
    query: &[(String, String)],
) -> Response<Full<Bytes>> {
    let path = parts.uri.path().strip_prefix(PREFIX).unwrap_or_default();
    if parts.method != http::Method::GET || path != "/v1/client/handshake" {
        return text(
            StatusCode::NOT_FOUND,
            "the fake Frontend API serves /v1/client/handshake only",
        );
    }
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(mut back) = param("redirect_url").and_then(|u| Url::parse(u).ok()) else {
        return text(
            StatusCode::BAD_REQUEST,
            "redirect_url is missing or not a URL",
        );
    };
    let suffix = param("suffixed_cookies")
        .filter(|v| *v == "true")
        .map(|_| crate::auth::page::instance::cookie_suffix(&shared.publishable_key));
    let session_id = client_cookie(parts).or_else(|| {
        param("__session")
            .and_then(unverified_payload::<Value>)
            .and_then(|claims| claims["sid"].as_str().map(str::to_owned))
    });
    let dev_browser = param("__clerk_db_jwt")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("dvb_{}", base62(random_u64(), 22)));
    let directives = directives(
        shared,
        session_id.as_deref(),
        param("organization_id"),
        suffix.as_deref(),
        &dev_browser,
    );
    if param("format") == Some("nonce") {
        let nonce = format!("hsn_{}", base62(random_u64(), 22));
        lock(&shared.handshakes)
            .nonces
            .insert(nonce.clone(), directives);
        back.query_pairs_mut()
            .append_pair("__clerk_handshake_nonce", &nonce);
    } else {
        let token = shared
            .signer
            .sign_as(&json!({ "handshake": directives }), "JWT", None);
        back.query_pairs_mut()
            .append_pair("__clerk_handshake", &token);
    }
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    if let Ok(location) = HeaderValue::from_str(back.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `GET /v1/clients/handshake_payload?nonce=`: the directives, once.
pub(crate) fn payload(shared: &Shared, call: &Call<'_>) -> Result<Value, ApiError> {
    let nonce = call
        .query("nonce")
        .ok_or_else(|| ApiError::param_missing("nonce"))?;
    match lock(&shared.handshakes).nonces.remove(nonce) {
        Some(directives) => Ok(json!({ "directives": directives })),
        None => Err(ApiError::not_found("handshake nonce", nonce)),
    }
}

/// `POST /v1/sessions/{session_id}/refresh`: a fresh token for an active
/// session whose refresh token matches; as cookies with `format: cookie`
/// (suffixed with `suffixed_cookies: true`, which Clerk's SDKs send), else
/// as a token.
pub(crate) fn refresh(shared: &Shared, call: &Call<'_>) -> Result<Value, ApiError> {
    let session_id = call.path("session_id");
    let body: Value = serde_json::from_slice(call.body)
        .map_err(|_| ApiError::malformed_body("the body is not JSON"))?;
    for field in ["expired_token", "refresh_token", "request_origin"] {
        if !body[field].is_string() {
            return Err(ApiError::param_missing(field));
        }
    }
    let refresh_token = body["refresh_token"].as_str().unwrap_or_default();
    let known = lock(&shared.handshakes).refresh.get(refresh_token).cloned();
    if known.as_deref() != Some(session_id) {
        return Err(ApiError::refresh_rejected());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims =
        session_claims(shared, session_id, None, now).ok_or_else(ApiError::refresh_rejected)?;
    let token = shared.signer.sign(&claims);
    if body["format"] != "cookie" {
        return Ok(json!({"object": "token", "jwt": token}));
    }
    let suffix = (body["suffixed_cookies"] == true)
        .then(|| crate::auth::page::instance::cookie_suffix(&shared.publishable_key));
    let name = |base: &str| match &suffix {
        Some(suffix) => format!("{base}_{suffix}"),
        None => base.to_owned(),
    };
    Ok(json!({
        "object": "cookies",
        "cookies": [
            format!("{}={token}; Path=/; SameSite=Lax", name("__session")),
            format!("{}={now}; Path=/; SameSite=Strict", name("__client_uat")),
        ],
    }))
}

/// The session ID of the fake's `__client` cookie.
fn client_cookie(parts: &http::request::Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            (name.trim() == "__client" && !value.trim().is_empty()).then(|| value.trim().to_owned())
        })
}

/// The cookies the browser gets: a fresh session token for an active
/// session (its active organization changed first when the application
/// asked), else a signed-out browser's.
fn directives(
    shared: &Shared,
    session_id: Option<&str>,
    organization: Option<&str>,
    suffix: Option<&str>,
    dev_browser: &str,
) -> Vec<String> {
    let name = |base: &str| match suffix {
        Some(suffix) => format!("{base}_{suffix}"),
        None => base.to_owned(),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut cookies = vec![format!(
        "__clerk_db_jwt={dev_browser}; Path=/; SameSite=Lax"
    )];
    match session_id.and_then(|id| session_claims(shared, id, organization, now)) {
        Some(claims) => {
            let token = shared.signer.sign(&claims);
            let refresh = issue_refresh_token(shared, claims["sid"].as_str().unwrap_or_default());
            cookies.push(format!(
                "{}={token}; Path=/; SameSite=Lax",
                name("__session")
            ));
            cookies.push(format!(
                "{}={now}; Path=/; SameSite=Strict",
                name("__client_uat")
            ));
            cookies.push(format!(
                "{}={refresh}; Path=/; HttpOnly; SameSite=Lax",
                refresh_cookie_name(shared)
            ));
        }
        None => {
            cookies.push(format!("{}=; Path=/; Max-Age=0", name("__session")));
            cookies.push(format!(
                "{}=0; Path=/; SameSite=Strict",
                name("__client_uat")
            ));
        }
    }
    cookies
}

/// The claims of a fresh token for the active session `session_id`.
fn session_claims(
    shared: &Shared,
    session_id: &str,
    organization: Option<&str>,
    now: u64,
) -> Option<Value> {
    let mut store = lock(&shared.store);
    let session = find(&store.sessions, session_id)?.clone();
    if session["status"] != "active" {
        return None;
    }
    let user_id = session["user_id"].as_str()?.to_owned();
    // The organization the application asks for, if the user is a member
    // (by ID or slug; empty: the personal account).
    let mut active = session["last_active_organization_id"]
        .as_str()
        .map(str::to_owned);
    if let Some(wanted) = organization {
        active = store
            .organizations
            .iter()
            .find(|o| !wanted.is_empty() && (o["id"] == wanted || o["slug"] == wanted))
            .and_then(|o| o["id"].as_str().map(str::to_owned))
            .filter(|id| {
                store
                    .memberships
                    .iter()
                    .any(|m| m.organization_id == *id && m.user_id == user_id)
            });
        if let Some(s) = store.sessions.iter_mut().find(|s| s["id"] == session_id) {
            s["last_active_organization_id"] = json!(active);
        }
    }
    let mut claims = json!({
        "sub": user_id,
        "sid": session_id,
        "iss": shared.issuer,
        "iat": now,
        "nbf": now.saturating_sub(10),
        "exp": now + 60,
        "fva": [0, -1],
        "sts": "active",
        "v": 2,
    });
    if let Some(id) = active {
        let org = store.organizations.iter().find(|o| o["id"] == id.as_str());
        let slug = org.and_then(|o| o["slug"].as_str()).unwrap_or_default();
        let role = store
            .memberships
            .iter()
            .find(|m| m.organization_id == id && m.user_id == claims["sub"])
            .map(|m| m.role.trim_start_matches("org:").to_owned())
            .unwrap_or_default();
        claims["o"] = json!({"id": id, "slg": slug, "rol": role});
    }
    Some(claims)
}

fn text(status: StatusCode, message: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(message.as_bytes())));
    *response.status_mut() = status;
    response
}

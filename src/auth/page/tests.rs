//! The page rules as tables, without a server: each case is a request (its
//! URL, headers and cookies), the instance settings, and the outcome of the
//! session token's check; each asserts the status, Clerk's reason string
//! and every response header exactly.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};

use super::context::Context;
use super::decide::{CookieStep, Rules, Step, cookie_rules, cookie_verified, header_verified};
use super::instance::{Frontend, MultiDomain};
use super::org::OrganizationSync;
use super::state::{AuthStatus, RequestState};
use crate::auth::claims::Claims;
use crate::auth::error::VerifyError;

/// Clerk's own test keys: Frontend API `clerk.inspired.puma-74.lcl.dev`,
/// cookie suffix `MqCvchyS` (of the live key).
const PK_LIVE: &str = "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const PK_TEST: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const FAPI: &str = "https://clerk.inspired.puma-74.lcl.dev";
const ISS: &str = "https://clerk.inspired.puma-74.lcl.dev";
const NOW: u64 = 1_700_000_000;
const IAT: u64 = NOW - 5;

fn api_version() -> String {
    crate::generated::CLERK_API_VERSION
        .map(|v| format!("&__clerk_api_version={v}"))
        .unwrap_or_default()
}

/// An unsigned JWT of `payload` (the rules only peek; the test supplies
/// the verification's outcome).
fn jwt(payload: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","kid":"ins_1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{header}.{payload}.c2ln")
}

fn session_token(iat: u64) -> String {
    jwt(json!({"sub": "user_1", "iss": ISS, "iat": iat, "exp": iat + 60, "sid": "sess_1"}))
}

fn claims(extra: Value) -> Claims {
    let mut base =
        json!({"sub": "user_1", "iss": ISS, "iat": IAT, "exp": IAT + 60, "sid": "sess_1"});
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).unwrap()
}

/// What the test says the session token's verification gives.
#[derive(Clone)]
enum Verdict {
    Valid(Value),
    Fails(VerifyError),
}

use Verdict::{Fails, Valid};

fn valid() -> Verdict {
    Valid(json!({}))
}

fn expired() -> Verdict {
    Fails(VerifyError::Expired { exp: IAT, now: NOW })
}

/// A request: Clerk's test defaults (`host: example.com`, a browser's page
/// load) plus `headers` and `cookies`.
struct Case {
    pk: &'static str,
    multi: MultiDomain,
    orgs: Option<OrganizationSync>,
    method: Method,
    url: &'static str,
    headers: Vec<(&'static str, String)>,
    cookies: Vec<(&'static str, String)>,
    verdict: Verdict,
}

fn case(pk: &'static str) -> Case {
    Case {
        pk,
        multi: MultiDomain::default(),
        orgs: None,
        method: Method::GET,
        url: "/path",
        headers: vec![
            ("host", "example.com".into()),
            ("user-agent", "Mozilla/TestAgent".into()),
            ("sec-fetch-dest", "document".into()),
        ],
        cookies: Vec::new(),
        verdict: valid(),
    }
}

/// What the rules decided: a state, or "refresh this expired token".
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Outcome {
    State(RequestState),
    Refresh,
}

impl Case {
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }

    fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self
    }

    fn cookie(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.cookies.push((name, value.into()));
        self
    }

    fn url(mut self, url: &'static str) -> Self {
        self.url = url;
        self
    }

    fn verdict(mut self, verdict: Verdict) -> Self {
        self.verdict = verdict;
        self
    }

    fn multi(mut self, change: impl FnOnce(&mut MultiDomain)) -> Self {
        change(&mut self.multi);
        self
    }

    fn context(&self) -> Context {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        if !self.cookies.is_empty() {
            let line = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            headers.insert(http::header::COOKIE, line.parse().unwrap());
        }
        let uri: Uri = self.url.parse().unwrap();
        let frontend = Frontend::from_publishable_key(self.pk).unwrap();
        Context::parse(&self.method, &uri, &headers, &frontend, &self.multi, NOW)
    }

    fn run(&self) -> Outcome {
        let ctx = self.context();
        let rules = Rules {
            multi: &self.multi,
            organizations: self.orgs.as_ref(),
        };
        let result = match &self.verdict {
            Valid(extra) => Ok(claims(extra.clone())),
            Fails(error) => Err(error.clone()),
        };
        let step = if ctx.token_in_header.is_some() {
            header_verified(&ctx, rules, result)
        } else {
            match cookie_rules(&ctx, rules) {
                CookieStep::Done(state) => return Outcome::State(state),
                CookieStep::Verify(then) => cookie_verified(&ctx, rules, then, result),
            }
        };
        match step {
            Step::Done(state) => Outcome::State(state),
            Step::Refresh(_) => Outcome::Refresh,
        }
    }

    fn state(&self) -> RequestState {
        match self.run() {
            Outcome::State(state) => state,
            Outcome::Refresh => panic!("expected a state, got a refresh"),
        }
    }
}

/// The headers of `state` as sorted `name: value` lines.
fn header_lines(state: &RequestState) -> Vec<String> {
    let mut lines: Vec<String> = state
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap()))
        .collect();
    lines.sort();
    lines
}

#[track_caller]
fn assert_signed_out(state: &RequestState, reason: &str) {
    assert_eq!(state.status(), AuthStatus::SignedOut, "{state:?}");
    assert_eq!(state.reason().map(|r| r.as_str()), Some(reason));
    assert_eq!(
        header_lines(state),
        [
            format!("x-clerk-auth-reason: {reason}"),
            "x-clerk-auth-status: signed-out".to_owned(),
        ]
    );
    assert!(!state.auth().is_authenticated());
}

/// A handshake to `location`, with the loop counter at `count`.
#[track_caller]
fn assert_handshake(state: &RequestState, reason: &str, location: &str, count: u32) {
    assert_eq!(state.status(), AuthStatus::Handshake, "{state:?}");
    assert_eq!(state.reason().map(|r| r.as_str()), Some(reason));
    let mut expected = vec![
        "cache-control: no-store".to_owned(),
        format!("location: {location}"),
        format!("set-cookie: __clerk_redirect_count={count}; SameSite=Lax; HttpOnly; Max-Age=2"),
        format!("x-clerk-auth-reason: {reason}"),
        "x-clerk-auth-status: handshake".to_owned(),
    ];
    expected.sort();
    assert_eq!(header_lines(state), expected);
    assert!(!state.auth().is_authenticated());
}

#[track_caller]
fn assert_signed_in(state: &RequestState) {
    assert_eq!(state.status(), AuthStatus::SignedIn, "{state:?}");
    assert_eq!(state.reason(), None);
    assert!(state.headers().is_empty(), "{:?}", state.headers());
    assert_eq!(state.auth().user_id(), Some("user_1"));
}

/// The Frontend API's handshake URL for `http://example.com/path`.
fn handshake_location(reason: &str, suffixed: bool, extra: &str) -> String {
    format!(
        "{FAPI}/v1/client/handshake?redirect_url=http%3A%2F%2Fexample.com%2Fpath{}\
         &suffixed_cookies={suffixed}&__clerk_hs_reason={reason}&format=nonce{extra}",
        api_version()
    )
}

// ---------------------------------------------------------------------------
// The __client_uat table
// ---------------------------------------------------------------------------

#[test]
fn no_session_and_no_uat_is_signed_out() {
    assert_signed_out(&case(PK_LIVE).state(), "session-token-and-uat-missing");
    let zero = case(PK_LIVE).cookie("__client_uat", "0");
    assert_signed_out(&zero.state(), "session-token-and-uat-missing");
    // Also for requests that are not page loads.
    let api = case(PK_LIVE).header("sec-fetch-dest", "empty");
    assert_signed_out(&api.state(), "session-token-and-uat-missing");
}

#[test]
fn a_uat_without_a_session_is_a_handshake() {
    let state = case(PK_LIVE).cookie("__client_uat", "12345").state();
    let location = handshake_location("client-uat-but-no-session-token", false, "");
    assert_handshake(&state, "client-uat-but-no-session-token", &location, 1);
}

#[test]
fn a_session_without_a_uat_is_a_handshake_carrying_the_token() {
    let token = session_token(IAT);
    let state = case(PK_LIVE).cookie("__session", &token).state();
    let location = handshake_location(
        "session-token-but-no-client-uat",
        false,
        &format!("&__session={token}"),
    );
    assert_handshake(&state, "session-token-but-no-client-uat", &location, 1);
}

#[test]
fn a_session_without_a_uat_in_a_redirect_loop_signs_in_when_it_verifies() {
    // Browsers that drop __client_uat (Safari's ITP): the second time round,
    // a valid token is enough.
    let base = || {
        case(PK_LIVE)
            .cookie("__session", session_token(IAT))
            .cookie("__clerk_redirect_count", "1")
    };
    assert_signed_in(&base().state());
    let bad = base()
        .verdict(Fails(VerifyError::Malformed("x".into())))
        .state();
    let location = handshake_location(
        "session-token-but-no-client-uat",
        false,
        &format!("&__session={}", session_token(IAT)),
    );
    assert_handshake(&bad, "session-token-but-no-client-uat", &location, 2);
}

#[test]
fn tokens_stay_out_of_debug_output() {
    let token = session_token(IAT);
    let state = case(PK_LIVE).cookie("__session", &token).state();
    assert!(state.location().unwrap().contains(&token));
    let debug = format!("{state:?}");
    assert!(!debug.contains(&token), "{debug}");
}

#[test]
fn a_session_issued_before_the_uat_is_a_handshake() {
    let token = session_token(IAT);
    let state = case(PK_LIVE)
        .cookie("__client_uat", (IAT + 10).to_string())
        .cookie("__session", &token)
        .state();
    let location = handshake_location(
        "session-token-iat-before-client-uat",
        false,
        &format!("&__session={token}"),
    );
    assert_handshake(&state, "session-token-iat-before-client-uat", &location, 1);
}

#[test]
fn a_session_issued_after_the_uat_signs_in() {
    let signed_in = case(PK_LIVE)
        .cookie("__client_uat", (IAT - 10).to_string())
        .cookie("__session", session_token(IAT));
    assert_signed_in(&signed_in.state());
    // The same second counts as after.
    let same = case(PK_LIVE)
        .cookie("__client_uat", IAT.to_string())
        .cookie("__session", session_token(IAT));
    assert_signed_in(&same.state());
}

#[test]
fn a_session_that_does_not_verify_is_signed_out_with_clerks_token_reason() {
    let base = || {
        case(PK_LIVE)
            .cookie("__client_uat", "12345")
            .cookie("__session", session_token(IAT))
    };
    let cases = [
        (VerifyError::BadSignature, "token-invalid-signature"),
        (VerifyError::Malformed("x".into()), "token-invalid"),
        (
            VerifyError::UnauthorizedParty { azp: None },
            "token-invalid-authorized-parties",
        ),
        (
            VerifyError::WrongIssuer { iss: "x".into() },
            "token-invalid-issuer",
        ),
        (
            VerifyError::UnknownKey { kid: "k".into() },
            "jwk-kid-mismatch",
        ),
        (
            VerifyError::NotASessionCategory {
                cat: "cl_B7d4PD222AAA".into(),
            },
            "token-type-mismatch",
        ),
    ];
    for (error, reason) in cases {
        assert_signed_out(&base().verdict(Fails(error)).state(), reason);
    }
    // A cookie that is not a JWT at all.
    let garbage = case(PK_LIVE)
        .cookie("__client_uat", "12345")
        .cookie("__session", "not-a-jwt")
        .verdict(Fails(VerifyError::Malformed("x".into())));
    assert_signed_out(&garbage.state(), "token-invalid");
}

#[test]
fn keys_that_cannot_be_fetched_are_unavailable_never_signed_out() {
    let state = case(PK_LIVE)
        .cookie("__client_uat", "12345")
        .cookie("__session", session_token(IAT))
        .verdict(Fails(VerifyError::KeyFetch("503".into())))
        .state();
    assert_eq!(state.status(), AuthStatus::Unavailable);
    assert_eq!(state.reason(), None);
    assert!(state.headers().is_empty());
    let reason = state.auth().signed_out_reason().unwrap();
    assert!(reason.is_server_error());
}

// ---------------------------------------------------------------------------
// Expired, not yet valid, future tokens; refresh eligibility
// ---------------------------------------------------------------------------

fn expired_cookie_case() -> Case {
    case(PK_LIVE)
        .cookie("__client_uat", "12345")
        .cookie("__session", session_token(IAT))
        .verdict(expired())
}

#[test]
fn an_expired_session_without_a_refresh_cookie_is_a_handshake() {
    let state = expired_cookie_case().state();
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let location = handshake_location(reason, false, &format!("&__session={}", session_token(IAT)));
    assert_handshake(&state, reason, &location, 1);
    // The plain __refresh cookie is not the instance's.
    let plain = expired_cookie_case().cookie("__refresh", "r").state();
    assert_handshake(&plain, reason, &location, 1);
}

#[test]
fn an_expired_session_with_the_suffixed_refresh_cookie_on_a_get_is_refreshed() {
    let refresh = expired_cookie_case().cookie("__refresh_MqCvchyS", "r");
    assert!(matches!(refresh.run(), Outcome::Refresh));
    // Any GET, not only page loads.
    let api = expired_cookie_case()
        .cookie("__refresh_MqCvchyS", "r")
        .header("sec-fetch-dest", "empty");
    assert!(matches!(api.run(), Outcome::Refresh));
}

#[test]
fn only_gets_are_refreshed() {
    let mut post = expired_cookie_case().cookie("__refresh_MqCvchyS", "r");
    post.method = Method::POST;
    let reason = "session-token-expired-refresh-non-eligible-non-get";
    let location = handshake_location(reason, false, &format!("&__session={}", session_token(IAT)));
    assert_handshake(&post.state(), reason, &location, 1);
    let mut fetch = expired_cookie_case().header("sec-fetch-dest", "empty");
    fetch.method = Method::POST;
    assert_signed_out(&fetch.state(), reason);
}

#[test]
fn not_yet_valid_and_future_tokens_are_handshakes() {
    let nbf = expired_cookie_case()
        .verdict(Fails(VerifyError::NotYetValid {
            nbf: NOW + 100,
            now: NOW,
        }))
        .state();
    let location =
        |reason| handshake_location(reason, false, &format!("&__session={}", session_token(IAT)));
    assert_handshake(&nbf, "session-token-nbf", &location("session-token-nbf"), 1);
    let future = expired_cookie_case()
        .verdict(Fails(VerifyError::IssuedInFuture {
            iat: NOW + 100,
            now: NOW,
        }))
        .state();
    assert_handshake(
        &future,
        "session-token-iat-in-the-future",
        &location("session-token-iat-in-the-future"),
        1,
    );
}

// ---------------------------------------------------------------------------
// Eligibility and the loop guard
// ---------------------------------------------------------------------------

#[test]
fn only_page_loads_take_a_handshake() {
    let uat = || case(PK_LIVE).cookie("__client_uat", "12345");
    let reason = "client-uat-but-no-session-token";
    let location = handshake_location(reason, false, "");
    for dest in ["document", "iframe"] {
        assert_handshake(
            &uat().header("sec-fetch-dest", dest).state(),
            reason,
            &location,
            1,
        );
    }
    for dest in ["empty", "script", "image"] {
        assert_signed_out(&uat().header("sec-fetch-dest", dest).state(), reason);
    }
    // Browsers without sec-fetch-dest: by what they accept.
    let html = uat()
        .without_header("sec-fetch-dest")
        .header("accept", "text/html,application/xhtml+xml");
    assert_handshake(&html.state(), reason, &location, 1);
    let json = uat()
        .without_header("sec-fetch-dest")
        .header("accept", "application/json, text/html");
    assert_signed_out(&json.state(), reason);
    assert_signed_out(&uat().without_header("sec-fetch-dest").state(), reason);
}

#[test]
fn the_redirect_counter_stops_the_loop_at_three() {
    let reason = "client-uat-but-no-session-token";
    let location = handshake_location(reason, false, "");
    for (count, next) in [("1", 2), ("2", 3)] {
        let state = case(PK_LIVE)
            .cookie("__client_uat", "12345")
            .cookie("__clerk_redirect_count", count)
            .state();
        assert_handshake(&state, reason, &location, next);
    }
    for count in ["3", "7"] {
        let state = case(PK_LIVE)
            .cookie("__client_uat", "12345")
            .cookie("__clerk_redirect_count", count)
            .state();
        assert_signed_out(&state, reason);
    }
}

// ---------------------------------------------------------------------------
// The header token
// ---------------------------------------------------------------------------

#[test]
fn header_tokens_follow_the_same_rules() {
    let token = session_token(IAT);
    let bearer = || case(PK_LIVE).header("authorization", format!("Bearer {token}"));
    assert_signed_in(&bearer().state());
    // Expired on a page load: a handshake carrying the header's token.
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let location = handshake_location(reason, false, &format!("&__session={token}"));
    assert_handshake(&bearer().verdict(expired()).state(), reason, &location, 1);
    // Expired on a fetch: signed out with the same reason.
    let fetch = bearer()
        .header("sec-fetch-dest", "empty")
        .verdict(expired());
    assert_signed_out(&fetch.state(), reason);
    // Other failures: signed out, no handshake.
    let bad = bearer().verdict(Fails(VerifyError::BadSignature));
    assert_signed_out(&bad.state(), "token-invalid-signature");
    // The header wins over the cookies (a stale uat does not matter).
    let both = bearer().cookie("__client_uat", (NOW + 100).to_string());
    assert_signed_in(&both.state());
}

// ---------------------------------------------------------------------------
// The redirect URL
// ---------------------------------------------------------------------------

#[test]
fn the_redirect_url_is_rebuilt_from_forwarded_headers() {
    let state = case(PK_LIVE)
        .url("/dash/board?tab=a%20b&x=1")
        .header("host", "internal:8080")
        .header("x-forwarded-host", "app.example.com")
        .header("x-forwarded-proto", "https")
        .cookie("__client_uat", "12345")
        .state();
    let reason = "client-uat-but-no-session-token";
    let location = format!(
        "{FAPI}/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example.com%2Fdash%2Fboard%3Ftab%3Da%2Bb%26x%3D1{}\
         &suffixed_cookies=false&__clerk_hs_reason={reason}&format=nonce",
        api_version()
    );
    assert_handshake(&state, reason, &location, 1);
}

#[test]
fn the_handshake_goes_to_the_proxy() {
    let reason = "client-uat-but-no-session-token";
    let query = format!(
        "redirect_url=http%3A%2F%2Fexample.com%2Fpath{}&suffixed_cookies=false\
         &__clerk_hs_reason={reason}&format=nonce",
        api_version()
    );
    for (proxy, base) in [
        (
            "https://proxy.example.com/__clerk",
            "https://proxy.example.com/__clerk",
        ),
        (
            "https://proxy.example.com/__clerk/",
            "https://proxy.example.com/__clerk",
        ),
        ("/__clerk", "http://example.com/__clerk"),
    ] {
        let state = case(PK_LIVE)
            .multi(|m| m.proxy_url = Some(proxy.into()))
            .cookie("__client_uat", "12345")
            .state();
        let location = format!("{base}/v1/client/handshake?{query}");
        assert_handshake(&state, reason, &location, 1);
    }
}

#[test]
fn a_production_satellite_handshakes_with_clerk_dot_its_domain() {
    let state = case(PK_LIVE)
        .multi(|m| {
            m.satellite = true;
            m.domain = Some("satellite.dev".into());
        })
        .cookie("__client_uat", "12345")
        .state();
    let reason = "client-uat-but-no-session-token";
    let location =
        handshake_location(reason, false, "").replace(FAPI, "https://clerk.satellite.dev");
    assert_handshake(&state, reason, &location, 1);
}

// ---------------------------------------------------------------------------
// Suffixed cookies
// ---------------------------------------------------------------------------

#[test]
fn suffixed_cookies_are_read_when_present() {
    let token = session_token(IAT);
    let suffixed = || {
        case(PK_LIVE)
            .cookie("__client_uat_MqCvchyS", "12345")
            .cookie("__session_MqCvchyS", &token)
    };
    assert_signed_in(&suffixed().state());
    assert!(suffixed().context().suffixed);
    // The expired suffixed session's handshake says so.
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let location = handshake_location(reason, true, &format!("&__session={token}"));
    assert_handshake(&suffixed().verdict(expired()).state(), reason, &location, 1);
    // A suffixed uat beside a plain session newer than the (missing)
    // suffixed one: the plain cookies count.
    let uat_only = case(PK_LIVE)
        .cookie("__client_uat_MqCvchyS", "12345")
        .cookie("__session", &token);
    assert!(!uat_only.context().suffixed);
    assert_eq!(
        uat_only.context().session_in_cookie.as_deref(),
        Some(token.as_str())
    );
    // A signed-out suffixed uat alone: the plain (absent) cookies count,
    // signed out either way.
    let signed_out = case(PK_LIVE).cookie("__client_uat_MqCvchyS", "0");
    assert!(!signed_out.context().suffixed);
    assert_signed_out(&signed_out.state(), "session-token-and-uat-missing");
}

#[test]
fn the_choice_between_suffixed_and_plain_cookies_is_clerks() {
    let other = jwt(json!({"sub": "user_9", "iss": "https://clerk.other.dev", "iat": IAT}));
    let mine_old = session_token(IAT - 100);
    let mine_new = session_token(IAT);
    let ctx = |c: Case| c.context();
    // A plain session of another instance: ours are the suffixed ones.
    let c = case(PK_LIVE)
        .cookie("__session", &other)
        .cookie("__client_uat", "1")
        .cookie("__session_MqCvchyS", &mine_new)
        .cookie("__client_uat_MqCvchyS", "1");
    assert!(ctx(c).suffixed);
    // A plain cookie that is no token: plain (signed out, no loop).
    let c = case(PK_LIVE)
        .cookie("__session", "garbage")
        .cookie("__session_MqCvchyS", &mine_new)
        .cookie("__client_uat_MqCvchyS", "1");
    assert!(!ctx(c).suffixed);
    // No suffixed cookies: plain.
    let c = case(PK_LIVE)
        .cookie("__session", &mine_new)
        .cookie("__client_uat", "1");
    assert!(!ctx(c).suffixed);
    // Both signed in, the plain session newer: plain.
    let c = case(PK_LIVE)
        .cookie("__session", &mine_new)
        .cookie("__client_uat", "1")
        .cookie("__session_MqCvchyS", &mine_old)
        .cookie("__client_uat_MqCvchyS", "1");
    assert!(!ctx(c).suffixed);
    // Suffixed signed out, plain signed in: plain.
    let c = case(PK_LIVE)
        .cookie("__client_uat", "1")
        .cookie("__client_uat_MqCvchyS", "0");
    assert!(!ctx(c).suffixed);
    // A suffixed session without a suffixed uat: plain.
    let c = case(PK_LIVE).cookie("__session_MqCvchyS", &mine_new);
    assert!(!ctx(c).suffixed);
    // Suffixed signed in, plain signed out: suffixed in production...
    let c = || {
        case(PK_LIVE)
            .cookie("__client_uat", "0")
            .cookie("__client_uat_MqCvchyS", "1")
            .cookie("__session_MqCvchyS", session_token(NOW - 3600))
    };
    assert!(ctx(c()).suffixed);
    // ...and in development only while the suffixed session is not expired.
    let mut dev = c();
    dev.pk = PK_TEST;
    assert!(!ctx(dev).suffixed);
}

// ---------------------------------------------------------------------------
// Development instances
// ---------------------------------------------------------------------------

fn dev() -> Case {
    case(PK_TEST).cookie("__clerk_db_jwt", "dvb_1")
}

#[test]
fn development_needs_the_dev_browser() {
    let state = case(PK_TEST)
        .cookie("__session", session_token(IAT))
        .state();
    let location = handshake_location(
        "dev-browser-missing",
        false,
        &format!("&__session={}", session_token(IAT)),
    );
    assert_handshake(&state, "dev-browser-missing", &location, 1);
    let bare = case(PK_TEST).state();
    assert_handshake(
        &bare,
        "dev-browser-missing",
        &handshake_location("dev-browser-missing", false, ""),
        1,
    );
    // With it, the usual table; the handshake carries it.
    assert_signed_out(&dev().state(), "session-token-and-uat-missing");
    let uat = dev().cookie("__client_uat", "12345").state();
    let location = handshake_location(
        "client-uat-but-no-session-token",
        false,
        "&__clerk_db_jwt=dvb_1",
    );
    assert_handshake(&uat, "client-uat-but-no-session-token", &location, 1);
}

#[test]
fn a_dev_browser_in_the_url_syncs_and_leaves_the_redirect_url() {
    let state = case(PK_TEST).url("/path?__clerk_db_jwt=dvb_new").state();
    let location = handshake_location("dev-browser-sync", false, "&__clerk_db_jwt=dvb_new");
    assert_handshake(&state, "dev-browser-sync", &location, 1);
    // Production ignores it.
    let live = case(PK_LIVE).url("/path?__clerk_db_jwt=dvb_new").state();
    assert_signed_out(&live, "session-token-and-uat-missing");
}

// ---------------------------------------------------------------------------
// Satellites
// ---------------------------------------------------------------------------

fn satellite(pk: &'static str) -> Case {
    case(pk).multi(|m| {
        m.satellite = true;
        m.domain = Some("satellite.dev".into());
        m.sign_in_url = Some("https://primary.dev/sign-in".into());
    })
}

#[test]
fn a_satellite_without_cookies_is_signed_out_unless_asked_to_sync() {
    // satellite_auto_sync is off by default.
    assert_signed_out(&satellite(PK_LIVE).state(), "session-token-and-uat-missing");
    assert_signed_out(
        &satellite(PK_LIVE).cookie("__client_uat", "0").state(),
        "session-token-and-uat-missing",
    );
    // The return from the primary's sign-in asks for it.
    let state = satellite(PK_LIVE).url("/path?__clerk_synced=false").state();
    let location = format!(
        "https://clerk.satellite.dev/v1/client/handshake?redirect_url=http%3A%2F%2Fexample.com%2Fpath%3F__clerk_synced%3Dfalse{}\
         &suffixed_cookies=false&__clerk_hs_reason=satellite-needs-syncing&format=nonce",
        api_version()
    );
    assert_handshake(&state, "satellite-needs-syncing", &location, 1);
    // Not for fetches.
    let fetch = satellite(PK_LIVE)
        .url("/path?__clerk_synced=false")
        .header("sec-fetch-dest", "empty");
    assert_signed_out(&fetch.state(), "session-token-and-uat-missing");
}

#[test]
fn satellite_auto_sync_syncs_on_the_first_page_load() {
    let auto = || satellite(PK_LIVE).multi(|m| m.satellite_auto_sync = true);
    let location = handshake_location("satellite-needs-syncing", false, "")
        .replace(FAPI, "https://clerk.satellite.dev");
    assert_handshake(&auto().state(), "satellite-needs-syncing", &location, 1);
    // Just synced: no second sync.
    let synced = auto().url("/path?__clerk_synced=true");
    assert_signed_out(&synced.state(), "session-token-and-uat-missing");
    // Linked (a uat and a session): the normal rules, refresh included.
    let linked = auto()
        .cookie("__client_uat", "12345")
        .cookie("__session", session_token(IAT));
    assert_signed_in(&linked.state());
}

#[test]
fn a_development_satellite_syncs_through_the_primary_sign_in_page() {
    let state = satellite(PK_TEST)
        .multi(|m| m.satellite_auto_sync = true)
        .state();
    let location =
        "https://primary.dev/sign-in?__clerk_redirect_url=http%3A%2F%2Fexample.com%2Fpath";
    assert_handshake(&state, "satellite-needs-syncing", location, 1);
    // Asked to sync by the URL: the parameter does not go round again.
    let asked = satellite(PK_TEST).url("/path?__clerk_synced=false").state();
    assert_handshake(&asked, "satellite-needs-syncing", location, 1);
}

#[test]
fn the_development_primary_sends_a_syncing_satellite_back() {
    let state = dev()
        .url("/sign-in?__clerk_redirect_url=http%3A%2F%2Flocalhost%3A3001%2Fdashboard")
        .cookie("__client_uat", "12345")
        .cookie("__session", session_token(IAT))
        .state();
    assert_handshake(
        &state,
        "primary-responds-to-syncing",
        "http://localhost:3001/dashboard?__clerk_db_jwt=dvb_1&__clerk_synced=true",
        1,
    );
}

// ---------------------------------------------------------------------------
// Cross-origin page loads of the primary domain
// ---------------------------------------------------------------------------

#[test]
fn a_page_opened_from_another_site_syncs() {
    let signed_in = || {
        case(PK_LIVE)
            .cookie("__client_uat", "12345")
            .cookie("__session", session_token(IAT))
    };
    let state = signed_in()
        .header("referer", "https://satellite.com/sign-in")
        .state();
    let location = handshake_location(
        "primary-domain-cross-origin-sync",
        false,
        &format!("&__session={}", session_token(IAT)),
    );
    assert_handshake(&state, "primary-domain-cross-origin-sync", &location, 1);
    // Same origin, Clerk's pages, no referrer, an invalid one, fetches, and
    // a loop in progress: signed in.
    for referrer in [
        "http://example.com/other",
        "https://accounts.example.com/sign-in",
        "https://foo-bar-13.accounts.dev/sign-in",
        "https://accounts.foo-bar-13.lcl.dev/sign-in",
        "https://clerk.inspired.puma-74.lcl.dev/v1/client/sign_ins/1",
        "invalid-url-format",
    ] {
        assert_signed_in(&signed_in().header("referer", referrer).state());
    }
    assert_signed_in(&signed_in().state());
    let fetch = signed_in()
        .header("referer", "https://satellite.com/")
        .header("sec-fetch-dest", "empty");
    assert_signed_in(&fetch.state());
    let looping = signed_in()
        .header("referer", "https://satellite.com/")
        .cookie("__clerk_redirect_count", "1");
    assert_signed_in(&looping.state());
}

// ---------------------------------------------------------------------------
// Organization sync
// ---------------------------------------------------------------------------

fn org_case(url: &'static str, org: Value) -> Case {
    let mut c = case(PK_LIVE)
        .url(url)
        .cookie("__client_uat", "12345")
        .cookie("__session", session_token(IAT))
        .verdict(Valid(org));
    c.orgs = Some(
        OrganizationSync::new()
            .organization_patterns(["/orgs/:slug", "/orgs/:slug/(.*)", "/org-ids/:id"])
            .unwrap()
            .personal_account_patterns(["/me", "/me/(.*)"])
            .unwrap(),
    );
    c
}

fn org_location(url_path: &str, organization: &str) -> String {
    format!(
        "{FAPI}/v1/client/handshake?redirect_url=http%3A%2F%2Fexample.com{url_path}{}\
         &suffixed_cookies=false&__clerk_hs_reason=active-organization-mismatch&format=nonce\
         &__session={}&organization_id={organization}",
        api_version(),
        session_token(IAT)
    )
}

#[test]
fn a_url_naming_another_organization_activates_it() {
    let reason = "active-organization-mismatch";
    let v1_org = |id: &str, slug: &str| json!({"org_id": id, "org_slug": slug});
    // No active organization: activate acme.
    let state = org_case("/orgs/acme/settings", json!({})).state();
    assert_handshake(
        &state,
        reason,
        &org_location("%2Forgs%2Facme%2Fsettings", "acme"),
        1,
    );
    // Another one active: activate acme.
    let state = org_case("/orgs/acme", v1_org("org_2", "other")).state();
    assert_handshake(&state, reason, &org_location("%2Forgs%2Facme", "acme"), 1);
    // By ID.
    let state = org_case("/org-ids/org_1", v1_org("org_2", "other")).state();
    assert_handshake(
        &state,
        reason,
        &org_location("%2Forg-ids%2Forg_1", "org_1"),
        1,
    );
    // Already active: signed in.
    assert_signed_in(&org_case("/orgs/acme", v1_org("org_1", "acme")).state());
    assert_signed_in(&org_case("/org-ids/org_1", v1_org("org_1", "acme")).state());
    // The personal account while an organization is active.
    let state = org_case("/me/profile", v1_org("org_1", "acme")).state();
    assert_handshake(&state, reason, &org_location("%2Fme%2Fprofile", ""), 1);
    assert_signed_in(&org_case("/me", json!({})).state());
    // Unmatched pages: signed in.
    assert_signed_in(&org_case("/elsewhere", v1_org("org_1", "acme")).state());
    // After three tries (an organization that cannot be activated): leave
    // it to the application.
    let stuck = org_case("/orgs/acme", json!({})).cookie("__clerk_redirect_count", "3");
    assert_signed_in(&stuck.state());
    // A fetch cannot be redirected: signed in as it is.
    let fetch = org_case("/orgs/acme", json!({})).header("sec-fetch-dest", "empty");
    assert_signed_in(&fetch.state());
}

#[test]
fn a_handshake_on_an_organization_page_names_the_organization() {
    let mut c = org_case("/orgs/acme", json!({})).verdict(expired());
    c.cookies.retain(|(n, _)| *n != "__client_uat");
    c = c.cookie("__client_uat", "12345");
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let location =
        org_location("%2Forgs%2Facme", "acme").replace("active-organization-mismatch", reason);
    assert_handshake(&c.state(), reason, &location, 1);
}

#[test]
fn production_ignores_the_development_sync_parameters() {
    let state = case(PK_LIVE)
        .url("/path?__clerk_redirect_url=http%3A%2F%2Flocalhost%3A3001%2F")
        .cookie("__client_uat", "12345")
        .cookie("__session", session_token(IAT))
        .state();
    assert_signed_in(&state);
}

#[test]
fn eligibility_is_by_destination_not_method() {
    // As Clerk's SDK decides: a form POST loading a page is a page load.
    let mut post = case(PK_LIVE).cookie("__client_uat", "12345");
    post.method = Method::POST;
    let reason = "client-uat-but-no-session-token";
    assert_handshake(
        &post.state(),
        reason,
        &handshake_location(reason, false, ""),
        1,
    );
}

#[test]
fn the_dev_browser_cookie_follows_the_suffix_choice() {
    let suffix = super::instance::cookie_suffix(PK_TEST);
    let name =
        |base: &str| -> &'static str { Box::leak(format!("{base}_{suffix}").into_boxed_str()) };
    let token = session_token(IAT);
    let c = || {
        case(PK_TEST)
            .cookie(name("__client_uat"), "12345")
            .cookie(name("__session"), &token)
            .cookie(name("__clerk_db_jwt"), "dvb_suffixed")
            .cookie("__clerk_db_jwt", "dvb_plain")
    };
    let ctx = c().context();
    assert!(ctx.suffixed);
    assert_eq!(ctx.dev_browser.as_deref(), Some("dvb_suffixed"));
    assert_signed_in(&c().state());
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let location = handshake_location(
        reason,
        true,
        &format!("&__session={token}&__clerk_db_jwt=dvb_suffixed"),
    );
    assert_handshake(&c().verdict(expired()).state(), reason, &location, 1);
    // The live key's suffixed cookies are another instance's to a test key.
    let other = case(PK_TEST)
        .cookie("__client_uat_MqCvchyS", "12345")
        .cookie("__session_MqCvchyS", &token);
    assert!(!other.context().suffixed);
}

//! Tests of `clerk_backend::auth::authenticate_request`: where the token is
//! read from, and the resulting `AuthState`.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clerk_backend::auth::{
    AuthState, SignedOutReason, VerifyError, VerifyOptions, authenticate_request, session_token,
};
use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

#[path = "support/test_key.rs"]
mod test_key;
use test_key::TestKey;

// Key generation is slow in debug builds: once per test binary.
static KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_test"));

const NOW: u64 = 1_700_000_000;

fn claims(sub: &str) -> Value {
    json!({
        "sub": sub,
        "sid": "sess_1",
        "iss": "https://clerk.example.com",
        "azp": "https://app.example.com",
        "exp": NOW + 60,
        "iat": NOW,
        "nbf": NOW - 10,
    })
}

fn options() -> VerifyOptions {
    VerifyOptions::with_pem(&KEY.public_pem)
        .unwrap()
        .fixed_time(NOW)
        .issuer("https://clerk.example.com")
        .authorized_parties(["https://app.example.com"])
}

fn headers(pairs: &[(http::HeaderName, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    map
}

#[tokio::test]
async fn bearer_header_signs_in() {
    let token = KEY.sign(&claims("user_bearer"));
    let state = authenticate_request(
        &headers(&[(AUTHORIZATION, format!("Bearer {token}"))]),
        &options(),
    )
    .await;
    assert!(state.is_signed_in());
    assert_eq!(state.user_id(), Some("user_bearer"));
    assert_eq!(state.session_id(), Some("sess_1"));
    assert_eq!(state.claims().unwrap().sub, "user_bearer");
    assert!(state.signed_out_reason().is_none());
    assert_eq!(state.into_claims().unwrap().sub, "user_bearer");

    // Scheme is case-insensitive; surrounding spaces are ignored.
    for value in [format!("bearer {token}"), format!("BEARER   {token}  ")] {
        let state = authenticate_request(&headers(&[(AUTHORIZATION, value)]), &options()).await;
        assert_eq!(state.user_id(), Some("user_bearer"));
    }
}

#[tokio::test]
async fn session_cookie_signs_in() {
    let token = KEY.sign(&claims("user_cookie"));
    let cases = [
        vec![format!("__session={token}")],
        vec![format!("theme=dark; __session={token}; __client_uat=123")],
        vec![format!("a=1;__session=\"{token}\";b=2")],
        // Several Cookie headers (HTTP/2 splits them).
        vec![
            "theme=dark".to_owned(),
            format!("__client_uat=1; __session={token}"),
        ],
        // Look-alike names are not the session cookie.
        vec![format!(
            "x__session=junk; __session_abc=junk; __session={token}"
        )],
        // An empty __session is skipped.
        vec!["__session=".to_owned(), format!("__session={token}")],
    ];
    for cookies in cases {
        let pairs: Vec<_> = cookies.iter().map(|c| (COOKIE, c.clone())).collect();
        let state = authenticate_request(&headers(&pairs), &options()).await;
        assert_eq!(state.user_id(), Some("user_cookie"), "{cookies:?}");
    }
}

#[tokio::test]
async fn no_token_is_signed_out() {
    let cases: Vec<Vec<(http::HeaderName, String)>> = vec![
        vec![],
        vec![(COOKIE, "theme=dark; __client_uat=0".into())],
        vec![(AUTHORIZATION, "Bearer".into())],
        vec![(AUTHORIZATION, "Bearer    ".into())],
        vec![(AUTHORIZATION, "Basic dXNlcjpwYXNz".into())],
        vec![(COOKIE, "__session=".into())],
    ];
    for pairs in cases {
        let state = authenticate_request(&headers(&pairs), &options()).await;
        assert!(!state.is_signed_in());
        assert!(state.claims().is_none() && state.user_id().is_none());
        assert!(
            matches!(state, AuthState::SignedOut(SignedOutReason::NoToken)),
            "{pairs:?}"
        );
    }
}

#[tokio::test]
async fn invalid_token_is_signed_out_with_the_reason() {
    let state = authenticate_request(
        &headers(&[(AUTHORIZATION, "Bearer not.a.token".into())]),
        &options(),
    )
    .await;
    match state.signed_out_reason() {
        Some(SignedOutReason::InvalidToken(VerifyError::Malformed(_))) => {}
        other => panic!("{other:?}"),
    }

    let expired =
        KEY.sign(&json!({"sub": "u", "iss": "https://clerk.example.com", "exp": NOW - 60}));
    let state = authenticate_request(
        &headers(&[(COOKIE, format!("__session={expired}"))]),
        &options(),
    )
    .await;
    assert!(matches!(
        state,
        AuthState::SignedOut(SignedOutReason::InvalidToken(VerifyError::Expired { .. }))
    ));

    let other_site = KEY.sign(&json!({"sub": "u", "iss": "https://clerk.example.com",
        "exp": NOW + 60, "azp": "https://evil.example"}));
    let state = authenticate_request(
        &headers(&[(COOKIE, format!("__session={other_site}"))]),
        &options(),
    )
    .await;
    assert!(matches!(
        state,
        AuthState::SignedOut(SignedOutReason::InvalidToken(
            VerifyError::UnauthorizedParty { .. }
        ))
    ));

    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims("user_admin").to_string());
    let state = authenticate_request(
        &headers(&[(AUTHORIZATION, format!("Bearer {header}.{body}."))]),
        &options(),
    )
    .await;
    assert!(matches!(
        state,
        AuthState::SignedOut(SignedOutReason::InvalidToken(
            VerifyError::UnsupportedAlgorithm { .. }
        ))
    ));
}

#[tokio::test]
async fn bearer_header_takes_precedence_over_the_cookie() {
    let good = KEY.sign(&claims("user_cookie"));
    let state = authenticate_request(
        &headers(&[
            (AUTHORIZATION, "Bearer garbage".into()),
            (COOKIE, format!("__session={good}")),
        ]),
        &options(),
    )
    .await;
    assert!(matches!(
        state,
        AuthState::SignedOut(SignedOutReason::InvalidToken(_))
    ));

    let bearer = KEY.sign(&claims("user_bearer"));
    let state = authenticate_request(
        &headers(&[
            (AUTHORIZATION, format!("Bearer {bearer}")),
            (COOKIE, format!("__session={good}")),
        ]),
        &options(),
    )
    .await;
    assert_eq!(state.user_id(), Some("user_bearer"));

    // A non-Bearer Authorization header does not hide the cookie.
    let state = authenticate_request(
        &headers(&[
            (AUTHORIZATION, "Basic dXNlcjpwYXNz".into()),
            (COOKIE, format!("__session={good}")),
        ]),
        &options(),
    )
    .await;
    assert_eq!(state.user_id(), Some("user_cookie"));
}

#[test]
fn session_token_extraction() {
    let token = |pairs: &[(http::HeaderName, String)]| {
        session_token(&headers(pairs)).map(|t| t.into_owned())
    };
    assert_eq!(
        token(&[(AUTHORIZATION, "Bearer abc".into())]).as_deref(),
        Some("abc")
    );
    assert_eq!(
        token(&[(COOKIE, "a=b; __session=xyz".into())]).as_deref(),
        Some("xyz")
    );
    assert_eq!(token(&[(COOKIE, "a=b; c".into())]), None);
    // Non-UTF-8 header values are skipped, not a panic.
    let mut map = HeaderMap::new();
    map.append(COOKIE, HeaderValue::from_bytes(b"x=\xff").unwrap());
    map.append(COOKIE, HeaderValue::from_static("__session=ok"));
    assert_eq!(session_token(&map).as_deref(), Some("ok"));
}

#[test]
fn session_cookie_values_are_percent_decoded_without_forging_cookies() {
    let token =
        |cookie: &str| session_token(&headers(&[(COOKIE, cookie.into())])).map(|t| t.into_owned());
    assert_eq!(token("__session=a%2Eb%2ec").as_deref(), Some("a.b.c"));
    assert_eq!(token("__session=\"a%2Eb\"").as_deref(), Some("a.b"));
    // A malformed escape keeps the raw value (it then fails verification).
    assert_eq!(token("__session=a%2").as_deref(), Some("a%2"));
    // Encoded delimiters stay inside their own cookie's value.
    assert_eq!(token("x=%3B%20__session%3Dforged"), None);
    assert_eq!(token("__session%3Dforged=1"), None);
    assert_eq!(token("x=1%3B__session=forged"), None);
    assert_eq!(token("x=1%3B; __session=real").as_deref(), Some("real"));
    // The Authorization header is taken as it is.
    assert_eq!(
        session_token(&headers(&[(AUTHORIZATION, "Bearer a%2Eb".into())])).as_deref(),
        Some("a%2Eb")
    );
}

#[tokio::test]
async fn a_percent_encoded_session_cookie_verifies() {
    let token = KEY.sign(&claims("user_encoded")).replace('.', "%2E");
    let state = authenticate_request(
        &headers(&[(COOKIE, format!("__session={token}"))]),
        &options(),
    )
    .await;
    assert_eq!(state.user_id(), Some("user_encoded"));
}

#[tokio::test]
async fn only_session_tokens_sign_in() {
    let sign = |header: Value, claims: Value| KEY.sign_with_header(&header, &claims);
    let base = json!({"alg": "RS256", "kid": KEY.kid, "typ": "JWT"});
    let with = |key: &str, value: Value| {
        let mut h = base.clone();
        h[key] = value;
        h
    };
    let cases = [
        (
            sign(with("cat", json!("cl_B7d4PD222AAA")), claims("user_1")),
            VerifyError::NotASessionCategory {
                cat: "cl_B7d4PD222AAA".into(),
            },
        ),
        (
            sign(with("typ", json!("at+jwt")), claims("user_1")),
            VerifyError::OAuthAccessToken {
                typ: "at+jwt".into(),
            },
        ),
        (
            sign(base.clone(), claims("mch_1")),
            VerifyError::MachineSubject {
                sub: "mch_1".into(),
            },
        ),
        (
            sign(
                base.clone(),
                json!({"sub": "user_1", "iss": "https://clerk.example.com", "exp": NOW + 60}),
            ),
            VerifyError::UnauthorizedParty { azp: None },
        ),
    ];
    for (token, expected) in cases {
        for carrier in [
            (AUTHORIZATION, format!("Bearer {token}")),
            (COOKIE, format!("__session={token}")),
        ] {
            let state = authenticate_request(&headers(&[carrier]), &options()).await;
            assert_eq!(
                state.signed_out_reason(),
                Some(&SignedOutReason::InvalidToken(expected.clone()))
            );
        }
    }
    let session = sign(with("cat", json!("cl_B7d4PD111AAA")), claims("user_1"));
    let state = authenticate_request(
        &headers(&[(COOKIE, format!("__session={session}"))]),
        &options(),
    )
    .await;
    assert_eq!(state.user_id(), Some("user_1"));
}

#[test]
fn authenticate_request_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let map = HeaderMap::new();
    let options = options();
    let future = authenticate_request(&map, &options);
    assert_send(&future);
}

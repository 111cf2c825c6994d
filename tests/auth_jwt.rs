//! Tests of `clerk_backend::auth::verify_token`: claim checks, key sources,
//! and the JWKS cache (against a local httpmock server).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_backend::auth::{
    JwksCache, KeySource, VerifyError, VerifyOptions, issuer_from_publishable_key, verify_token,
};
use httpmock::prelude::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

#[path = "support/test_key.rs"]
mod test_key;
use test_key::{TestKey, pem_wrap};

// ---------------------------------------------------------------------------
// Test keys and tokens
// ---------------------------------------------------------------------------

// Key generation is slow in debug builds: once per test binary.
static KEY_A: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_key_a"));
static KEY_B: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_key_b"));

const NOW: u64 = 1_700_000_000;
const ISSUER: &str = "https://clerk.example.com";
const ORIGIN: &str = "https://app.example.com";

fn claims() -> Value {
    json!({
        "sub": "user_123",
        "iss": ISSUER,
        "exp": NOW + 60,
        "iat": NOW - 1,
        "nbf": NOW - 11,
        "sid": "sess_456",
        "azp": ORIGIN,
        "v": 2,
        "sts": "active",
        "fva": [3, -1],
    })
}

fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

fn jwks(keys: &[&TestKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}

fn pem_options(key: &TestKey) -> VerifyOptions {
    VerifyOptions::with_pem(&key.public_pem)
        .unwrap()
        .fixed_time(NOW)
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// A controllable clock for the cache.
#[derive(Clone, Default)]
struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
    fn install(&self, cache: JwksCache) -> JwksCache {
        let time = self.0.clone();
        cache.with_clock(move || time.load(Ordering::SeqCst))
    }
}

async fn serve_jwks<'a>(
    server: &'a MockServer,
    keys: &[&TestKey],
    secret: &str,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/jwks")
                .header("authorization", format!("Bearer {secret}"));
            then.status(200).json_body(jwks(keys));
        })
        .await
}

fn cache_for(server: &MockServer, secret: &str) -> JwksCache {
    JwksCache::new(server.url("/v1"), secret, reqwest::Client::new())
}

// ---------------------------------------------------------------------------
// Accepting valid tokens
// ---------------------------------------------------------------------------

#[tokio::test]
async fn accepts_a_valid_token_and_returns_typed_claims() {
    let token = KEY_A.sign(&with(
        claims(),
        json!({"custom": {"plan": "pro"}, "email": "a@example.com"}),
    ));
    let options = pem_options(&KEY_A)
        .issuer(ISSUER)
        .authorized_parties([ORIGIN]);
    let claims = verify_token(&token, &options).await.unwrap();
    assert_eq!(claims.sub, "user_123");
    assert_eq!(claims.user_id(), "user_123");
    assert_eq!(claims.session_id(), Some("sess_456"));
    assert_eq!(claims.iss, ISSUER);
    assert_eq!(claims.exp, NOW + 60);
    assert_eq!(claims.iat, Some(NOW - 1));
    assert_eq!(claims.nbf, Some(NOW - 11));
    assert_eq!(claims.azp.as_deref(), Some(ORIGIN));
    assert_eq!(claims.version(), 2);
    assert_eq!(claims.session_status(), Some("active"));
    assert_eq!(claims.factor_verification_age(), Some([3, -1]));
    assert_eq!(claims.get("custom"), Some(&json!({"plan": "pro"})));
    assert_eq!(claims.extra["email"], "a@example.com");
    assert!(claims.actor().is_none());
    assert!(claims.org_id().is_none());
    assert!(claims.org_permissions().is_empty());
}

#[tokio::test]
async fn optional_claims_may_all_be_absent() {
    let minimal = json!({"sub": "user_1", "iss": ISSUER, "exp": NOW + 60});
    let claims = verify_token(&KEY_A.sign(&minimal), &pem_options(&KEY_A))
        .await
        .unwrap();
    assert_eq!(claims.user_id(), "user_1");
    assert_eq!(claims.version(), 1);
    assert!(claims.sid.is_none() && claims.azp.is_none() && claims.act.is_none());
    assert!(claims.iat.is_none() && claims.nbf.is_none() && claims.fva.is_none());
    assert!(claims.extra.is_empty());

    // Explicit nulls are absent too.
    let nulls = json!({"sub": "user_1", "iss": ISSUER, "exp": NOW + 60, "azp": null,
        "act": null, "o": null, "nbf": null, "fea": null});
    verify_token(&KEY_A.sign(&nulls), &pem_options(&KEY_A))
        .await
        .unwrap();
}

#[tokio::test]
async fn numeric_dates_may_be_floats() {
    let token = KEY_A.sign(&with(claims(), json!({"exp": (NOW + 60) as f64 + 0.5})));
    let claims = verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    assert_eq!(claims.exp, NOW + 60);
}

#[tokio::test]
async fn version_1_organisation_claims() {
    let token = KEY_A.sign(&with(
        claims(),
        json!({"v": null, "org_id": "org_1", "org_role": "org:admin", "org_slug": "acme",
            "org_permissions": ["org:sys_memberships:manage", "org:invoices:read"]}),
    ));
    let claims = verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    assert_eq!(claims.org_id(), Some("org_1"));
    assert_eq!(claims.org_role().as_deref(), Some("org:admin"));
    assert_eq!(claims.org_slug(), Some("acme"));
    assert_eq!(
        claims.org_permissions(),
        ["org:sys_memberships:manage", "org:invoices:read"]
    );
    assert!(claims.has_org_permission("org:invoices:read"));
    assert!(!claims.has_org_permission("org:invoices:write"));
}

#[tokio::test]
async fn version_2_organisation_claims() {
    // Features: dashboard (org), profile (user), billing (both).
    // Permissions: read=bit0, manage=bit1, delete=bit2.
    // dashboard -> 3 (read, manage); billing -> 4 (delete).
    let token = KEY_A.sign(&with(
        claims(),
        json!({
            "fea": "o:dashboard,u:profile,uo:billing",
            "o": {"id": "org_2", "rol": "admin", "slg": "acme", "per": "read,manage,delete",
                  "fpm": "3,4", "new_field": true}
        }),
    ));
    let claims = verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    assert_eq!(claims.org_id(), Some("org_2"));
    assert_eq!(claims.org_role().as_deref(), Some("org:admin"));
    assert_eq!(claims.org_slug(), Some("acme"));
    assert_eq!(
        claims.org_permissions(),
        [
            "org:dashboard:read",
            "org:dashboard:manage",
            "org:billing:delete"
        ]
    );
    assert!(claims.has_org_permission("org:billing:delete"));
    let o = claims.o.as_ref().unwrap();
    assert_eq!(o.extra["new_field"], true);
}

#[tokio::test]
async fn impersonation_actor_is_typed_and_keeps_other_fields() {
    let token = KEY_A.sign(&with(
        claims(),
        json!({"act": {"sub": "user_admin", "iss": "https://dashboard.clerk.com",
            "sid": "sess_admin", "reason": "support"}}),
    ));
    let claims = verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    let actor = claims.actor().unwrap();
    assert_eq!(actor.sub, "user_admin");
    assert_eq!(actor.iss.as_deref(), Some("https://dashboard.clerk.com"));
    assert_eq!(actor.sid.as_deref(), Some("sess_admin"));
    assert_eq!(actor.extra["reason"], "support");
}

// ---------------------------------------------------------------------------
// Rejections, each with its reason
// ---------------------------------------------------------------------------

async fn reject(token: &str, options: &VerifyOptions) -> VerifyError {
    verify_token(token, options)
        .await
        .expect_err("token should be rejected")
}

#[tokio::test]
async fn rejects_expired_tokens_with_clock_skew() {
    let token = KEY_A.sign(&with(claims(), json!({"exp": NOW - 10})));
    let err = reject(&token, &pem_options(&KEY_A)).await;
    assert_eq!(
        err,
        VerifyError::Expired {
            exp: NOW - 10,
            now: NOW
        }
    );
    assert!(err.to_string().contains("expired"));

    // Within the default 5 s skew: accepted; at the boundary: rejected.
    let token = KEY_A.sign(&with(claims(), json!({"exp": NOW - 4})));
    verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    let token = KEY_A.sign(&with(claims(), json!({"exp": NOW - 5})));
    assert!(matches!(
        reject(&token, &pem_options(&KEY_A)).await,
        VerifyError::Expired { .. }
    ));
    // A larger skew accepts it.
    let options = pem_options(&KEY_A).clock_skew(Duration::from_secs(30));
    verify_token(&token, &options).await.unwrap();
    // No skew.
    let token = KEY_A.sign(&with(claims(), json!({"exp": NOW})));
    let options = pem_options(&KEY_A).clock_skew(Duration::ZERO);
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::Expired { .. }
    ));
}

#[tokio::test]
async fn rejects_tokens_not_yet_valid() {
    let token = KEY_A.sign(&with(claims(), json!({"nbf": NOW + 30})));
    assert_eq!(
        reject(&token, &pem_options(&KEY_A)).await,
        VerifyError::NotYetValid {
            nbf: NOW + 30,
            now: NOW
        }
    );
    let token = KEY_A.sign(&with(claims(), json!({"nbf": NOW + 5})));
    verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
}

#[tokio::test]
async fn rejects_tokens_issued_in_the_future() {
    let token = KEY_A.sign(&with(claims(), json!({"iat": NOW + 30})));
    assert_eq!(
        reject(&token, &pem_options(&KEY_A)).await,
        VerifyError::IssuedInFuture {
            iat: NOW + 30,
            now: NOW
        }
    );
}

#[tokio::test]
async fn injectable_clock_is_used() {
    let token = KEY_A.sign(&claims());
    let options = VerifyOptions::with_pem(&KEY_A.public_pem)
        .unwrap()
        .clock(|| NOW + 3600);
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::Expired { .. }
    ));
}

#[tokio::test]
async fn rejects_a_tampered_payload() {
    let token = KEY_A.sign(&claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64(&with(claims(), json!({"sub": "user_admin"})));
    let tampered = parts.join(".");
    assert_eq!(
        reject(&tampered, &pem_options(&KEY_A)).await,
        VerifyError::BadSignature
    );
}

#[tokio::test]
async fn rejects_a_tampered_signature() {
    let token = KEY_A.sign(&claims());
    let (message, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[10] ^= 0x01;
    let tampered = format!("{message}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(
        reject(&tampered, &pem_options(&KEY_A)).await,
        VerifyError::BadSignature
    );
    // Signed by another key.
    let other = KEY_B.sign(&claims());
    assert_eq!(
        reject(&other, &pem_options(&KEY_A)).await,
        VerifyError::BadSignature
    );
}

#[tokio::test]
async fn rejects_alg_none() {
    let header = json!({"alg": "none", "typ": "JWT", "kid": KEY_A.kid});
    let token = format!("{}.{}.", b64(&header), b64(&claims()));
    assert_eq!(
        reject(&token, &pem_options(&KEY_A)).await,
        VerifyError::UnsupportedAlgorithm { alg: "none".into() }
    );
    // Also with a signature part present, and in JWKS mode (no fetch needed).
    let token = format!("{}.{}.c2ln", b64(&header), b64(&claims()));
    let cache = JwksCache::new("http://127.0.0.1:9", "sk_test_x", reqwest::Client::new());
    assert!(matches!(
        reject(&token, &VerifyOptions::with_jwks(cache)).await,
        VerifyError::UnsupportedAlgorithm { .. }
    ));
}

#[tokio::test]
async fn rejects_hs256_signed_with_the_public_key() {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KEY_A.kid.into());
    let secret = EncodingKey::from_secret(KEY_A.public_pem.as_bytes());
    let token = jsonwebtoken::encode(&header, &claims(), &secret).unwrap();
    assert_eq!(
        reject(&token, &pem_options(&KEY_A)).await,
        VerifyError::UnsupportedAlgorithm {
            alg: "HS256".into()
        }
    );
    for alg in ["RS384", "PS256", "ES256", "EdDSA", "rs256"] {
        let header = json!({"alg": alg, "kid": KEY_A.kid});
        let forged = format!("{}.{}.c2ln", b64(&header), b64(&claims()));
        assert!(
            matches!(
                reject(&forged, &pem_options(&KEY_A)).await,
                VerifyError::UnsupportedAlgorithm { .. }
            ),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn rejects_unauthorized_parties() {
    let token = KEY_A.sign(&with(claims(), json!({"azp": "https://evil.example"})));
    let options = pem_options(&KEY_A).authorized_parties([ORIGIN, "https://other.example.com"]);
    assert_eq!(
        reject(&token, &options).await,
        VerifyError::UnauthorizedParty {
            azp: Some("https://evil.example".into())
        }
    );
    // Exact comparison: no prefix or case games.
    for azp in [
        "https://app.example.com.evil.com",
        "http://app.example.com",
        "HTTPS://APP.EXAMPLE.COM",
    ] {
        let token = KEY_A.sign(&with(claims(), json!({"azp": azp})));
        assert!(matches!(
            reject(&token, &options).await,
            VerifyError::UnauthorizedParty { .. }
        ));
    }
    // Listed party: accepted; trailing slash in the configuration ignored.
    let token = KEY_A.sign(&claims());
    verify_token(&token, &options).await.unwrap();
    let slash = pem_options(&KEY_A).authorized_parties([format!("{ORIGIN}/")]);
    verify_token(&token, &slash).await.unwrap();
    // Not configured (or empty): any azp accepted.
    let token = KEY_A.sign(&with(claims(), json!({"azp": "https://evil.example"})));
    verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    let empty = pem_options(&KEY_A).authorized_parties(Vec::<String>::new());
    verify_token(&token, &empty).await.unwrap();
}

#[tokio::test]
async fn missing_azp_is_rejected_once_parties_are_configured() {
    let token = KEY_A.sign(&with(claims(), json!({"azp": null})));
    // Parties set: leaving azp out must not bypass the check.
    let options = pem_options(&KEY_A).authorized_parties([ORIGIN]);
    assert_eq!(
        reject(&token, &options).await,
        VerifyError::UnauthorizedParty { azp: None }
    );
    // An empty azp is no better than none.
    let empty = KEY_A.sign(&with(claims(), json!({"azp": ""})));
    assert_eq!(
        reject(&empty, &options).await,
        VerifyError::UnauthorizedParty {
            azp: Some(String::new())
        }
    );
    // No parties configured: nothing to check, with or without azp.
    verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    // The old switch is a no-op now, in both directions.
    #[allow(deprecated)]
    let relaxed = options.clone().require_azp(false);
    assert!(reject(&token, &relaxed).await == VerifyError::UnauthorizedParty { azp: None });
    #[allow(deprecated)]
    let strict_without_parties = pem_options(&KEY_A).require_azp(true);
    verify_token(&token, &strict_without_parties).await.unwrap();
}

// ---------------------------------------------------------------------------
// Only session tokens: category (`cat`), type (`typ`), machine subjects
// ---------------------------------------------------------------------------

/// An RS256 header for KEY_A with the given extra fields (`null` removes).
fn header(changes: Value) -> Value {
    with(
        json!({"alg": "RS256", "kid": KEY_A.kid, "typ": "JWT"}),
        changes,
    )
}

#[tokio::test]
async fn session_categories_are_accepted() {
    let options = pem_options(&KEY_A);
    for cat in [
        Value::Null,
        json!("cl_B7d4PD111AAA"),
        json!("cl_I7d4PD111III"),
    ] {
        let token = KEY_A.sign_with_header(&header(json!({"cat": cat})), &claims());
        let claims = verify_token(&token, &options).await.unwrap();
        assert_eq!(claims.user_id(), "user_123", "cat {cat}");
    }
}

#[tokio::test]
async fn other_categories_are_rejected_before_any_key_lookup() {
    let server = MockServer::start_async().await;
    let jwks = serve_jwks(&server, &[&KEY_A], "sk_test_cat").await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk_test_cat")).fixed_time(NOW);
    for (cat, says) in [
        ("cl_B7d4PD222AAA", "JWT-template"),
        ("cl_B7d4PD333AAA", "M2M"),
        ("cl_Z9new", "unknown kind"),
        ("", "unknown kind"),
    ] {
        let token = KEY_A.sign_with_header(&header(json!({"cat": cat})), &claims());
        let error = reject(&token, &options).await;
        assert_eq!(error, VerifyError::NotASessionCategory { cat: cat.into() });
        assert!(error.to_string().contains(says), "{error}");
        assert!(!error.is_server_error());
    }
    // A category that is not even a string is malformed, not accepted.
    let token = KEY_A.sign_with_header(&header(json!({"cat": 1})), &claims());
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::Malformed(_)
    ));
    assert_eq!(jwks.calls_async().await, 0);
}

#[tokio::test]
async fn header_types_other_than_jwt_are_not_sessions() {
    let options = pem_options(&KEY_A);
    let absent = KEY_A.sign_with_header(&header(json!({"typ": null})), &claims());
    verify_token(&absent, &options).await.unwrap();
    let jwt = KEY_A.sign_with_header(&header(json!({"typ": "JWT"})), &claims());
    verify_token(&jwt, &options).await.unwrap();
    for typ in ["at+jwt", "application/at+jwt"] {
        let token = KEY_A.sign_with_header(&header(json!({"typ": typ})), &claims());
        assert_eq!(
            reject(&token, &options).await,
            VerifyError::OAuthAccessToken { typ: typ.into() }
        );
    }
    for typ in ["jwt", "JOSE", "dpop+jwt", ""] {
        let token = KEY_A.sign_with_header(&header(json!({"typ": typ})), &claims());
        assert_eq!(
            reject(&token, &options).await,
            VerifyError::UnsupportedType { typ: typ.into() }
        );
    }
}

#[tokio::test]
async fn machine_subjects_are_not_sessions() {
    let options = pem_options(&KEY_A);
    // An M2M JWT minted before categories: no cat, a machine subject.
    let token = KEY_A.sign(&with(claims(), json!({"sub": "mch_2abc", "sid": null})));
    assert_eq!(
        reject(&token, &options).await,
        VerifyError::MachineSubject {
            sub: "mch_2abc".into()
        }
    );
}

#[tokio::test]
async fn only_rs256_is_accepted() {
    let options = pem_options(&KEY_A);
    for alg in ["RS384", "RS512"] {
        let token = KEY_A.sign_with_header(&header(json!({"alg": alg})), &claims());
        assert_eq!(
            reject(&token, &options).await,
            VerifyError::UnsupportedAlgorithm { alg: alg.into() }
        );
    }
    let token = KEY_A.sign_with_header(&header(json!({})), &claims());
    verify_token(&token, &options).await.unwrap();
}

#[tokio::test]
async fn rejects_a_wrong_issuer() {
    let token = KEY_A.sign(&with(claims(), json!({"iss": "https://clerk.other.com"})));
    // Not pinned: any https issuer.
    verify_token(&token, &pem_options(&KEY_A)).await.unwrap();
    // Pinned explicitly.
    assert_eq!(
        reject(&token, &pem_options(&KEY_A).issuer(ISSUER)).await,
        VerifyError::WrongIssuer {
            iss: "https://clerk.other.com".into()
        }
    );
    // Pinned from the publishable key.
    let pk = format!("pk_test_{}", STANDARD.encode("clerk.example.com$"));
    let options = pem_options(&KEY_A).publishable_key(&pk).unwrap();
    assert_eq!(options.get_issuer(), Some(ISSUER));
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::WrongIssuer { .. }
    ));
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    // Never a non-https issuer.
    for iss in [
        "http://clerk.example.com",
        "clerk.example.com",
        "https://",
        "javascript:x",
        "",
    ] {
        let token = KEY_A.sign(&with(claims(), json!({"iss": iss})));
        assert!(
            matches!(
                reject(&token, &pem_options(&KEY_A)).await,
                VerifyError::WrongIssuer { .. }
            ),
            "{iss:?}"
        );
    }
}

#[test]
fn publishable_keys_decode_to_issuers() {
    let live = format!("pk_live_{}", STANDARD.encode("clerk.example.com$"));
    assert_eq!(
        issuer_from_publishable_key(&live).unwrap(),
        "https://clerk.example.com"
    );
    // Padding present or not.
    let padded = format!(
        "pk_test_{}",
        STANDARD.encode("foo-bar-13.clerk.accounts.dev$")
    );
    assert_eq!(
        issuer_from_publishable_key(&padded).unwrap(),
        "https://foo-bar-13.clerk.accounts.dev"
    );
    let unpadded = padded.trim_end_matches('=');
    assert_eq!(
        issuer_from_publishable_key(unpadded).unwrap(),
        "https://foo-bar-13.clerk.accounts.dev"
    );
    for bad in [
        "sk_test_abc".to_owned(),
        "pk_test_!!!".to_owned(),
        format!("pk_test_{}", STANDARD.encode("clerk.example.com")), // no '$'
        format!("pk_test_{}", STANDARD.encode("evil.com/x$")),
        format!("pk_test_{}", STANDARD.encode("$")),
    ] {
        assert!(
            matches!(
                issuer_from_publishable_key(&bad),
                Err(VerifyError::InvalidConfig(_))
            ),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn rejects_missing_required_claims() {
    for missing in ["sub", "exp", "iss"] {
        let token = KEY_A.sign(&with(claims(), json!({ missing: null })));
        match reject(&token, &pem_options(&KEY_A)).await {
            VerifyError::Malformed(reason) => assert!(reason.contains(missing), "{reason}"),
            other => panic!("{missing}: {other:?}"),
        }
    }
    // Wrong type: reported without echoing the value.
    let token = KEY_A.sign(&with(
        claims(),
        json!({"sub": 42, "exp": "soon-secret-value"}),
    ));
    match reject(&token, &pem_options(&KEY_A)).await {
        VerifyError::Malformed(reason) => assert!(!reason.contains("secret-value"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rejects_garbage() {
    let options = pem_options(&KEY_A);
    let valid = KEY_A.sign(&claims());
    let header = valid.split('.').next().unwrap();
    for garbage in [
        String::new(),
        "garbage".into(),
        "a.b".into(),
        "a.b.c".into(),
        "a.b.c.d".into(),
        format!("{valid}.extra"),
        "..".into(),
        format!("{}.e30.", b64(&json!("not an object"))),
        format!("{header}.!!!.sig"),
        format!(
            "{header}.{}.{}",
            URL_SAFE_NO_PAD.encode("not json"),
            valid.rsplit('.').next().unwrap()
        ),
        "x".repeat(20_000),
    ] {
        match reject(&garbage, &options).await {
            VerifyError::Malformed(_) | VerifyError::BadSignature => {}
            other => panic!("{garbage:.40}: {other:?}"),
        }
    }
    assert!(matches!(
        reject("garbage", &options).await,
        VerifyError::Malformed(_)
    ));
    assert!(matches!(
        reject("a.b.c", &options).await,
        VerifyError::Malformed(_)
    ));
    // A header without alg.
    let token = format!("{}.{}.c2ln", b64(&json!({"typ": "JWT"})), b64(&claims()));
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::Malformed(_)
    ));
    // Critical extensions are not supported.
    let token = format!(
        "{}.{}.c2ln",
        b64(&json!({"alg": "RS256", "crit": ["exp"]})),
        b64(&claims())
    );
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::Malformed(_)
    ));
}

#[tokio::test]
async fn errors_never_contain_the_token() {
    let token = KEY_A.sign(&with(claims(), json!({"exp": NOW - 100})));
    let err = reject(&token, &pem_options(&KEY_A)).await;
    let text = format!("{err} {err:?}");
    for part in token.split('.') {
        assert!(!text.contains(part), "{text}");
    }
}

// ---------------------------------------------------------------------------
// PEM key source
// ---------------------------------------------------------------------------

#[tokio::test]
async fn pem_key_variants_are_accepted() {
    let token = KEY_A.sign(&claims());
    let pem = &KEY_A.public_pem;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let escaped = pem.replace('\n', "\\n");
    let one_line = pem.replace('\n', " ");
    for variant in [
        pem.clone(),
        body.clone(),
        escaped,
        one_line,
        format!("  {body}\n"),
    ] {
        let options = VerifyOptions::with_pem(&variant)
            .unwrap_or_else(|e| panic!("{e}: {variant:.60}"))
            .fixed_time(NOW);
        verify_token(&token, &options).await.unwrap();
    }
    // PKCS#1 "RSA PUBLIC KEY".
    let der = STANDARD.decode(&body).unwrap();
    let public = aws_lc_rs::rsa::PublicKey::from_der(&der).unwrap();
    let pkcs1 = pem_wrap("RSA PUBLIC KEY", public.as_ref());
    let options = VerifyOptions::with_pem(&pkcs1).unwrap().fixed_time(NOW);
    verify_token(&token, &options).await.unwrap();
    assert!(matches!(options.key_source(), KeySource::Pem(_)));
}

#[test]
fn invalid_pem_keys_are_rejected() {
    for bad in [
        "".to_owned(),
        "not a key".to_owned(),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----".to_owned(),
        "-----BEGIN PUBLIC KEY-----\nMIIB".to_owned(),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".to_owned(),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----".to_owned(),
    ] {
        assert!(
            matches!(
                VerifyOptions::with_pem(&bad),
                Err(VerifyError::InvalidKey(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn options_from_environment() {
    let pem = KEY_A.public_pem.clone();
    let pk = format!("pk_live_{}", STANDARD.encode("clerk.example.com$"));
    let env = |vars: Vec<(&'static str, String)>| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    };

    let options = VerifyOptions::from_env_with(env(vec![
        ("CLERK_JWT_KEY", pem.clone()),
        ("CLERK_SECRET_KEY", "sk_test_ignored".into()),
        ("CLERK_PUBLISHABLE_KEY", pk.clone()),
    ]))
    .unwrap();
    assert!(matches!(options.key_source(), KeySource::Pem(_)));
    assert_eq!(options.get_issuer(), Some(ISSUER));

    let options = VerifyOptions::from_env_with(env(vec![
        ("CLERK_JWT_KEY", "  ".into()),
        ("CLERK_SECRET_KEY", "sk_test_env".into()),
        ("CLERK_API_URL", "http://localhost:1234/v1/".into()),
    ]))
    .unwrap();
    match options.key_source() {
        KeySource::Jwks(cache) => assert_eq!(cache.api_url(), "http://localhost:1234/v1"),
        other => panic!("{other:?}"),
    }
    assert_eq!(options.get_issuer(), None);
    assert!(!format!("{options:?}").contains("sk_test_env"));

    let options =
        VerifyOptions::from_env_with(env(vec![("CLERK_SECRET_KEY", "sk_test_env".into())]))
            .unwrap();
    match options.key_source() {
        KeySource::Jwks(cache) => assert_eq!(cache.api_url(), "https://api.clerk.com/v1"),
        other => panic!("{other:?}"),
    }

    assert!(matches!(
        VerifyOptions::from_env_with(env(vec![])),
        Err(VerifyError::InvalidConfig(_))
    ));
    assert!(matches!(
        VerifyOptions::from_env_with(env(vec![
            ("CLERK_SECRET_KEY", "sk_test_env".into()),
            ("CLERK_PUBLISHABLE_KEY", "pk_nope".into()),
        ])),
        Err(VerifyError::InvalidConfig(_))
    ));
}

// ---------------------------------------------------------------------------
// JWKS key source and cache
// ---------------------------------------------------------------------------

#[tokio::test]
async fn jwks_one_fetch_for_many_verifications() {
    let server = MockServer::start_async().await;
    let mock = serve_jwks(&server, &[&KEY_A, &KEY_B], "sk_test_one").await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk_test_one"))
        .fixed_time(NOW)
        .issuer(ISSUER);
    for _ in 0..20 {
        verify_token(&KEY_A.sign(&claims()), &options)
            .await
            .unwrap();
        verify_token(&KEY_B.sign(&claims()), &options)
            .await
            .unwrap();
    }
    assert_eq!(mock.calls_async().await, 1);
    // Clones share the cache.
    let clone = options.clone();
    verify_token(&KEY_A.sign(&claims()), &clone).await.unwrap();
    assert_eq!(mock.calls_async().await, 1);
    match options.key_source() {
        KeySource::Jwks(cache) => assert_eq!(cache.cached_kids(), ["ins_key_a", "ins_key_b"]),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn jwks_request_speaks_the_clients_api_version() {
    let server = MockServer::start_async().await;
    let version = clerk_backend::generated::CLERK_API_VERSION;
    let mock = server
        .mock_async(|when, then| {
            let when = when.method(GET).path("/v1/jwks");
            // A dated spec's version, as every other call sends it; an
            // undated (v1) spec sends none.
            match version {
                Some(version) => when.header("clerk-api-version", version),
                None => when.header_missing("clerk-api-version"),
            };
            then.status(200).json_body(jwks(&[&KEY_A]));
        })
        .await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk_test_v")).fixed_time(NOW);
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 1);
}

/// A cache made from a client fetches through that client: its API
/// version, `User-Agent` and extra headers, with auth's short policy (one
/// quick retry of a 503, not the client's four attempts).
#[tokio::test]
async fn jwks_from_a_client_fetches_through_the_backend_api_interface() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/jwks")
                .header("clerk-api-version", "2031-01-01")
                .header("user-agent", "ssr-test/1")
                .header("x-extra", "yes")
                .header("authorization", "Bearer sk_test_client");
            then.status(503)
                .json_body(serde_json::json!({"errors": []}));
        })
        .await;
    let client = clerk_backend::Client::builder("sk_test_client")
        .base_url(server.url("/v1"))
        .api_version("2031-01-01")
        .user_agent("ssr-test/1")
        .header("x-extra", "yes")
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let options = VerifyOptions::with_jwks(JwksCache::from_client(&client)).fixed_time(NOW);
    let err = verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::KeyFetch(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("sk_test_client"));
    assert_eq!(failing.calls_async().await, 2, "two attempts, not four");
}

#[tokio::test]
async fn jwks_request_sends_the_secret_key_and_hides_it() {
    let secret = "sk_test_very_secret_value";
    let server = MockServer::start_async().await;
    let mock = serve_jwks(&server, &[&KEY_A], secret).await;
    let cache = cache_for(&server, secret);
    let options = VerifyOptions::with_jwks(cache.clone()).fixed_time(NOW);
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 1);

    assert!(!format!("{cache:?}").contains(secret));
    assert!(!format!("{options:?}").contains(secret));
    assert!(format!("{cache:?}").contains("[redacted]"));

    // A wrong secret key: the server does not match, the fetch fails, and
    // the error does not contain the key either.
    let wrong = "sk_test_wrong_secret_value";
    let options = VerifyOptions::with_jwks(cache_for(&server, wrong)).fixed_time(NOW);
    let err = reject(&KEY_A.sign(&claims()), &options).await;
    assert!(matches!(err, VerifyError::KeyFetch(_)), "{err:?}");
    assert!(err.is_server_error());
    assert!(!format!("{err} {err:?}").contains(wrong));
}

#[tokio::test]
async fn jwks_fetch_failures_are_key_fetch_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(200).body("this is not json");
        })
        .await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk")).fixed_time(NOW);
    assert!(matches!(
        reject(&KEY_A.sign(&claims()), &options).await,
        VerifyError::KeyFetch(_)
    ));

    // Unreachable server.
    let cache = JwksCache::new("http://127.0.0.1:9/v1", "sk", reqwest::Client::new())
        .with_fetch_timeout(Duration::from_secs(5));
    let options = VerifyOptions::with_jwks(cache).fixed_time(NOW);
    assert!(matches!(
        reject(&KEY_A.sign(&claims()), &options).await,
        VerifyError::KeyFetch(_)
    ));
}

#[tokio::test]
async fn jwks_skips_unusable_keys() {
    let server = MockServer::start_async().await;
    let mut hs = KEY_B.jwk.clone();
    hs["alg"] = json!("HS256");
    let mut enc = KEY_B.jwk.clone();
    enc["use"] = json!("enc");
    let body = json!({"keys": [
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "short", "n": "AQAB", "e": "AQAB"},
        {"kty": "RSA"},
        "junk",
        hs,
        enc,
        KEY_A.jwk,
    ]});
    server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(200).json_body(body);
        })
        .await;
    let cache = cache_for(&server, "sk");
    let options = VerifyOptions::with_jwks(cache.clone()).fixed_time(NOW);
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(cache.cached_kids(), ["ins_key_a"]);
    assert!(matches!(
        reject(&KEY_B.sign(&claims()), &options).await,
        VerifyError::UnknownKey { .. }
    ));
}

#[tokio::test]
async fn jwks_mode_requires_a_kid() {
    let server = MockServer::start_async().await;
    serve_jwks(&server, &[&KEY_A], "sk").await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk")).fixed_time(NOW);
    let token =
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims(), &KEY_A.encoding).unwrap();
    assert!(matches!(
        reject(&token, &options).await,
        VerifyError::Malformed(_)
    ));
}

#[tokio::test]
async fn jwks_ttl_expiry_refetches_and_hits_do_not_extend_it() {
    let server = MockServer::start_async().await;
    let mock = serve_jwks(&server, &[&KEY_A], "sk").await;
    let clock = ManualClock::default();
    let cache = clock.install(cache_for(&server, "sk").with_ttl(Duration::from_secs(100)));
    let options = VerifyOptions::with_jwks(cache).fixed_time(NOW);
    let token = KEY_A.sign(&claims());

    verify_token(&token, &options).await.unwrap();
    assert_eq!(mock.calls_async().await, 1);
    // Hits every 10 s up to 99 s: no refetch, and they do not push the
    // expiry back.
    for _ in 0..9 {
        clock.advance(10);
        verify_token(&token, &options).await.unwrap();
    }
    clock.advance(9); // 99 s after the fetch
    verify_token(&token, &options).await.unwrap();
    assert_eq!(mock.calls_async().await, 1);
    clock.advance(1); // 100 s: expired
    verify_token(&token, &options).await.unwrap();
    assert_eq!(mock.calls_async().await, 2);
    verify_token(&token, &options).await.unwrap();
    assert_eq!(mock.calls_async().await, 2);
}

/// An expired set is not used when the refetch fails, unless Clerk cannot
/// be reached and stale keys are allowed (tests/jwks_outage.rs): not with
/// the grace period turned off, and never after a 401.
#[tokio::test]
async fn jwks_expired_set_is_not_used_when_the_refetch_fails() {
    let no_grace = |cache: JwksCache| cache.with_stale_if_error(Duration::ZERO);
    let default_grace = |cache: JwksCache| cache;
    let cases: [(&dyn Fn(JwksCache) -> JwksCache, u16); 2] =
        [(&no_grace, 500), (&default_grace, 401)];
    for (configure, status) in cases {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.path("/v1/jwks");
                then.status(200).json_body(jwks(&[&KEY_A]));
            })
            .await;
        let clock = ManualClock::default();
        let cache = clock.install(configure(
            cache_for(&server, "sk").with_ttl(Duration::from_secs(100)),
        ));
        let options = VerifyOptions::with_jwks(cache.clone()).fixed_time(NOW);
        let token = KEY_A.sign(&claims());
        verify_token(&token, &options).await.unwrap();

        mock.delete_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.path("/v1/jwks");
                then.status(status);
            })
            .await;
        clock.advance(100);
        assert!(
            matches!(reject(&token, &options).await, VerifyError::KeyFetch(_)),
            "HTTP {status}"
        );
        assert!(!cache.is_stale());
        assert_eq!(failing.calls_async().await, 1);
    }
}

#[tokio::test]
async fn jwks_unknown_kid_refetches_at_most_once_per_window() {
    let server = MockServer::start_async().await;
    let mock = serve_jwks(&server, &[&KEY_A], "sk").await;
    let clock = ManualClock::default();
    let cache = clock.install(
        cache_for(&server, "sk").with_unknown_kid_refresh_interval(Duration::from_secs(60)),
    );
    let options = VerifyOptions::with_jwks(cache).fixed_time(NOW);
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 1);

    // Unknown kid: the set is refetched once, then the token is rejected.
    let unknown = KEY_B.sign(&claims());
    assert_eq!(
        reject(&unknown, &options).await,
        VerifyError::UnknownKey {
            kid: "ins_key_b".into()
        }
    );
    assert_eq!(mock.calls_async().await, 2);
    // More unknown kids within the window: no more fetches.
    for i in 0..10 {
        clock.advance(5);
        let token = KEY_B.sign_as(&format!("made_up_{i}"), &claims());
        assert!(matches!(
            reject(&token, &options).await,
            VerifyError::UnknownKey { .. }
        ));
    }
    assert_eq!(mock.calls_async().await, 2);
    // Known keys keep working meanwhile, without fetches.
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 2);
    // After the window: one more refetch.
    clock.advance(10);
    assert!(matches!(
        reject(&unknown, &options).await,
        VerifyError::UnknownKey { .. }
    ));
    assert_eq!(mock.calls_async().await, 3);
    // A token signed by another key but naming a known kid is a bad signature.
    let forged = KEY_B.sign_as(KEY_A.kid, &claims());
    assert_eq!(reject(&forged, &options).await, VerifyError::BadSignature);
    assert_eq!(mock.calls_async().await, 3);
}

#[tokio::test]
async fn jwks_key_rotation_is_picked_up() {
    let server = MockServer::start_async().await;
    let old = server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(200).json_body(jwks(&[&KEY_A]));
        })
        .await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk")).fixed_time(NOW);
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    old.delete_async().await;
    let new = server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(200).json_body(jwks(&[&KEY_A, &KEY_B]));
        })
        .await;
    verify_token(&KEY_B.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(new.calls_async().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_concurrent_verifications_share_one_fetch() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(200)
                .json_body(jwks(&[&KEY_A]))
                .delay(Duration::from_millis(300));
        })
        .await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk")).fixed_time(NOW);
    let token = KEY_A.sign(&claims());
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (options, token) = (options.clone(), token.clone());
            tokio::spawn(async move { verify_token(&token, &options).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(mock.calls_async().await, 1);

    // Concurrent unknown-kid tokens also share one refetch.
    let unknown = KEY_B.sign(&claims());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (options, token) = (options.clone(), unknown.clone());
            tokio::spawn(async move { verify_token(&token, &options).await })
        })
        .collect();
    for task in tasks {
        assert!(matches!(
            task.await.unwrap(),
            Err(VerifyError::UnknownKey { .. })
        ));
    }
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_concurrent_failures_share_one_fetch() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(503).delay(Duration::from_millis(300));
        })
        .await;
    let options = VerifyOptions::with_jwks(cache_for(&server, "sk")).fixed_time(NOW);
    let token = KEY_A.sign(&claims());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (options, token) = (options.clone(), token.clone());
            tokio::spawn(async move { verify_token(&token, &options).await })
        })
        .collect();
    for task in tasks {
        assert!(matches!(task.await.unwrap(), Err(VerifyError::KeyFetch(_))));
    }
    // One fetch, of two attempts (auth's hot-path policy retries a 503 once).
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test]
async fn jwks_caches_of_different_instances_do_not_share() {
    let server = MockServer::start_async().await;
    let one = server
        .mock_async(|when, then| {
            when.path("/v1/jwks")
                .header("authorization", "Bearer sk_test_one");
            then.status(200).json_body(jwks(&[&KEY_A]));
        })
        .await;
    let two = server
        .mock_async(|when, then| {
            when.path("/v1/jwks")
                .header("authorization", "Bearer sk_test_two");
            then.status(200).json_body(jwks(&[&KEY_B]));
        })
        .await;
    let options_one = VerifyOptions::with_jwks(cache_for(&server, "sk_test_one")).fixed_time(NOW);
    let options_two = VerifyOptions::with_jwks(cache_for(&server, "sk_test_two")).fixed_time(NOW);

    verify_token(&KEY_A.sign(&claims()), &options_one)
        .await
        .unwrap();
    // Instance two never accepts instance one's key, even though it is
    // cached in this process.
    assert!(matches!(
        reject(&KEY_A.sign(&claims()), &options_two).await,
        VerifyError::UnknownKey { .. }
    ));
    verify_token(&KEY_B.sign(&claims()), &options_two)
        .await
        .unwrap();
    assert!(matches!(
        reject(&KEY_B.sign(&claims()), &options_one).await,
        VerifyError::UnknownKey { .. }
    ));
    assert_eq!(one.calls_async().await, 2); // initial + one unknown-kid refetch
    assert_eq!(two.calls_async().await, 1);

    // Same secret key, different API URL: separate caches too.
    let other_server = MockServer::start_async().await;
    let three = other_server
        .mock_async(|when, then| {
            when.path("/v1/jwks");
            then.status(200).json_body(jwks(&[&KEY_B]));
        })
        .await;
    let options_three =
        VerifyOptions::with_jwks(cache_for(&other_server, "sk_test_one")).fixed_time(NOW);
    assert!(matches!(
        reject(&KEY_A.sign(&claims()), &options_three).await,
        VerifyError::UnknownKey { .. }
    ));
    assert_eq!(three.calls_async().await, 1);
}

#[tokio::test]
async fn jwks_refresh_prefetches() {
    let server = MockServer::start_async().await;
    let mock = serve_jwks(&server, &[&KEY_A], "sk").await;
    let cache = cache_for(&server, "sk");
    assert!(cache.cached_kids().is_empty());
    cache.refresh().await.unwrap();
    assert_eq!(cache.cached_kids(), ["ins_key_a"]);
    let options = VerifyOptions::with_jwks(cache).fixed_time(NOW);
    verify_token(&KEY_A.sign(&claims()), &options)
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 1);
}

#[test]
fn verification_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_sync::<VerifyOptions>();
    assert_sync::<JwksCache>();
    assert_sync::<VerifyError>();
    let options = VerifyOptions::with_pem(&KEY_A.public_pem).unwrap();
    let future = verify_token("x", &options);
    assert_send(&future);
}

#[test]
fn getters_read_what_the_setters_set() {
    let options = pem_options(&KEY_A)
        .issuer(format!("{ISSUER}/"))
        .authorized_parties([ORIGIN, " https://b.example.com/ "])
        .clock_skew(Duration::from_secs(7));
    assert_eq!(options.get_issuer(), Some(ISSUER));
    assert_eq!(
        options.get_authorized_parties(),
        [ORIGIN.to_owned(), "https://b.example.com".to_owned()]
    );
    assert_eq!(options.get_clock_skew(), Duration::from_secs(7));
    // The earlier names still answer the same.
    #[allow(deprecated)]
    {
        assert_eq!(options.expected_issuer(), options.get_issuer());
        assert_eq!(
            options.authorized_party_list(),
            options.get_authorized_parties()
        );
    }
}

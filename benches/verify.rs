//! Session-token verification throughput: `clerk_backend::auth::verify_token`
//! with warm keys versus a raw `jsonwebtoken::decode` of the same token.
//!
//! Run: `cargo bench --bench verify -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_backend::auth::{JwksCache, VerifyOptions, verify_token};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::json;

fn pem_wrap(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn bench_verify(c: &mut Criterion) {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;

    // A 2048-bit key, like Clerk's.
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let encoding = EncodingKey::from_rsa_pem(
        pem_wrap("PRIVATE KEY", pair.as_der().unwrap().as_ref()).as_bytes(),
    )
    .unwrap();
    let public = pair.public_key();
    let public_pem = pem_wrap("PUBLIC KEY", public.as_der().unwrap().as_ref());
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    let kid = "ins_2abcdefghijklmnopqrstuvwxyz";
    let jwk = json!({"use": "sig", "kty": "RSA", "kid": kid, "alg": "RS256", "n": n, "e": e});

    // A realistic session token (claims version 2 with an organisation).
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "azp": "https://app.example.com",
        "exp": now + 3600,
        "fea": "o:dashboard,o:billing,u:profile",
        "fva": [12, -1],
        "iat": now,
        "iss": "https://clerk.example.com",
        "nbf": now - 10,
        "o": {"fpm": "3,1", "id": "org_2abcdefghijklmnopqrstuvwxyz", "per": "read,manage",
              "rol": "admin", "slg": "acme"},
        "sid": "sess_2abcdefghijklmnopqrstuvwxyz",
        "sts": "active",
        "sub": "user_2abcdefghijklmnopqrstuvwxyz",
        "v": 2
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    header.typ = Some("JWT".into());
    let token = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();

    // JWKS served by a local mock, fetched once to warm the cache.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/jwks");
        then.status(200).json_body(json!({"keys": [jwk.clone()]}));
    });
    let cache = JwksCache::new(server.url("/v1"), "sk_test_bench", reqwest::Client::new());
    runtime.block_on(cache.refresh()).unwrap();
    let jwks_options = VerifyOptions::with_jwks(cache)
        .issuer("https://clerk.example.com")
        .authorized_parties(["https://app.example.com"]);
    let pem_options = VerifyOptions::with_pem(&public_pem)
        .unwrap()
        .issuer("https://clerk.example.com")
        .authorized_parties(["https://app.example.com"]);
    runtime
        .block_on(verify_token(&token, &jwks_options))
        .unwrap();
    runtime
        .block_on(verify_token(&token, &pem_options))
        .unwrap();

    // The raw baseline: jsonwebtoken's own RS256 decode with its default
    // validation (exp), keys built the usual way.
    let raw_jwk_key = DecodingKey::from_jwk(&serde_json::from_value(jwk.clone()).unwrap()).unwrap();
    let raw_pem_key = DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap();
    let validation = Validation::new(Algorithm::RS256);
    jsonwebtoken::decode::<serde_json::Value>(&token, &raw_jwk_key, &validation).unwrap();
    jsonwebtoken::decode::<serde_json::Value>(&token, &raw_pem_key, &validation).unwrap();

    let mut group = c.benchmark_group("verify_rs256");
    group.bench_function("clerk_verify_token_jwks_cached", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                verify_token(black_box(&token), &jwks_options)
                    .await
                    .unwrap(),
            )
        })
    });
    group.bench_function("jsonwebtoken_decode_raw_jwk_key", |b| {
        b.iter(|| {
            black_box(
                jsonwebtoken::decode::<serde_json::Value>(
                    black_box(&token),
                    &raw_jwk_key,
                    &validation,
                )
                .unwrap(),
            )
        })
    });
    group.bench_function("clerk_verify_token_pem", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(verify_token(black_box(&token), &pem_options).await.unwrap())
        })
    });
    group.bench_function("jsonwebtoken_decode_raw_pem_key", |b| {
        b.iter(|| {
            black_box(
                jsonwebtoken::decode::<serde_json::Value>(
                    black_box(&token),
                    &raw_pem_key,
                    &validation,
                )
                .unwrap(),
            )
        })
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);

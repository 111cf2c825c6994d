//! Session-token verification throughput: `clerk_backend::auth::verify_token`
//! with warm keys versus a raw `jsonwebtoken::decode` of the same token.
//!
//! Also: a request's session token through `auth::authenticate_request`
//! and through `Authenticator::authenticate` on a session-only route (the
//! entry point that also takes machine tokens), which must cost the same.
//!
//! Run: `cargo bench --bench verify -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use clerk_backend::auth::{
    Authenticator, JwksCache, RouteOptions, VerifyOptions, authenticate_request, verify_token,
};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::json;

#[path = "../tests/support/test_key.rs"]
mod test_key;
use test_key::TestKey;

fn bench_verify(c: &mut Criterion) {
    // A 2048-bit key, like Clerk's.
    let key = TestKey::generate("ins_2abcdefghijklmnopqrstuvwxyz");
    let public_pem = &key.public_pem;
    let jwk = &key.jwk;

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
    let token = key.sign(&claims);

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
    let pem_options = VerifyOptions::with_pem(public_pem)
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

    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    let authenticator = Authenticator::new(pem_options.clone());
    let route = RouteOptions::session();
    let mut group = c.benchmark_group("authenticate_session");
    group.bench_function("authenticate_request_pem", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(authenticate_request(black_box(&headers), &pem_options).await)
        })
    });
    group.bench_function("authenticator_session_route_pem", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                authenticator
                    .authenticate(black_box(&headers), &route)
                    .await,
            )
        })
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);

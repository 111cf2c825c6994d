//! Response decoding and the per-request cost of the client, side by side
//! with raw reqwest, against a local keep-alive server:
//!
//! - `page_500`: a 500-user page (about 1.8 MB) through
//!   `client.get_user_list().limit(500).send()`, and through raw reqwest
//!   plus one `serde_json::from_slice` into the same generated type;
//! - `count`: the tiny `get_users_count` call, both ways, and through the
//!   crate on the raw calls' own `reqwest::Client` (`crate_same_http`: no
//!   timeouts, which the crate's default client sets);
//! - `decode_500`: the same page decoded into `Vec<types::User>`, no
//!   network: `crate` as the client decodes (`clerk_backend::from_slice`),
//!   `users` with `serde_json::from_slice` alone.
//!
//! Run: `cargo bench --bench decode -- --warm-up-time 2 --measurement-time 5`.
//! Apart from `decode_500/crate` (delete it first), the file compiles
//! against older versions of the crate, so the same benchmark can be run
//! from another checkout for a before/after table.

use clerk_backend::{Client, types};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// One user as Clerk's Backend API returns it, about 3.6 KB: two email
/// addresses (one verified by code, one through OAuth), a phone number, an
/// OAuth account and metadata.
fn user(n: usize) -> String {
    let otp = |id: &str| {
        format!(
            r#"{{"object":"verification_otp","status":"verified","strategy":"email_code","attempts":1,"expire_at":1700000600000,"verified_at_client":"client_{id}"}}"#
        )
    };
    let oauth = r#"{"object":"verification_oauth","status":"verified","strategy":"oauth_google","external_verification_redirect_url":null,"error":null,"expire_at":1700000600000,"attempts":null}"#;
    format!(
        r#"{{"id":"user_2{n:026}","object":"user","external_id":"ext-{n}","primary_email_address_id":"idn_a{n:025}","primary_phone_number_id":"idn_p{n:025}","primary_web3_wallet_id":null,"username":"user{n}","first_name":"First{n}","last_name":"Last{n}","profile_image_url":"https://www.gravatar.com/avatar?d=mp","image_url":"https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yIiwicmlkIjoidXNlcl8yIn0","has_image":true,
"public_metadata":{{"plan":"pro","seats":{n},"features":["a","b","c"],"billing":{{"customer":"cus_{n}","interval":"month"}}}},"private_metadata":{{"crm_id":"crm-{n}","notes":"imported in batch 7"}},"unsafe_metadata":{{"theme":"dark","onboarded":true}},
"email_addresses":[{{"id":"idn_a{n:025}","object":"email_address","email_address":"user{n}@example.com","reserved":false,"verification":{},"linked_to":[],"created_at":1700000000000,"updated_at":1700000000000}},{{"id":"idn_b{n:025}","object":"email_address","email_address":"user{n}@gmail.com","reserved":false,"verification":{oauth},"linked_to":[{{"type":"oauth_google","id":"idn_g{n:025}"}}],"created_at":1700000000000,"updated_at":1700000000000}}],
"phone_numbers":[{{"id":"idn_p{n:025}","object":"phone_number","phone_number":"+1555{n:07}","reserved_for_second_factor":false,"default_second_factor":false,"reserved":false,"verification":{},"linked_to":[],"backup_codes":null,"created_at":1700000000000,"updated_at":1700000000000}}],
"web3_wallets":[],"passkeys":[],"password_enabled":true,"two_factor_enabled":false,"totp_enabled":false,"backup_code_enabled":false,"mfa_enabled_at":null,"mfa_disabled_at":null,
"external_accounts":[{{"object":"google_account","id":"idn_g{n:025}","provider":"oauth_google","identification_id":"idn_b{n:025}","provider_user_id":"10{n:018}","approved_scopes":"email profile openid","email_address":"user{n}@gmail.com","first_name":"First{n}","last_name":"Last{n}","avatar_url":"https://lh3.googleusercontent.com/a/x","image_url":"https://img.clerk.com/x","username":null,"public_metadata":{{}},"label":null,"created_at":1700000000000,"updated_at":1700000000000,"verification":{oauth}}}],
"saml_accounts":[],"last_sign_in_at":1700000500000,"banned":false,"locked":false,"lockout_expires_in_seconds":null,"verification_attempts_remaining":100,"updated_at":1700000500000,"created_at":1700000000000,"delete_self_enabled":true,"create_organization_enabled":true,"create_organizations_limit":null,"last_active_at":1700000500000,"legal_accepted_at":null}}"#,
        otp(&n.to_string()),
        otp(&format!("p{n}"))
    )
}

fn page() -> Vec<u8> {
    let users: Vec<String> = (0..500).map(user).collect();
    format!("[{}]", users.join(",")).into_bytes()
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 answering `/v1/users` with
/// `page` and `/v1/users/count` with a count, on its own runtime thread.
fn serve(page: Vec<u8>) -> String {
    use axum::routing::get;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let json = |body: Vec<u8>| {
                move || {
                    let body = body.clone();
                    async move { ([("content-type", "application/json")], body) }
                }
            };
            let app = axum::Router::new()
                .route("/v1/users", get(json(page)))
                .route(
                    "/v1/users/count",
                    get(json(
                        br#"{"object":"total_count","total_count":500}"#.to_vec(),
                    )),
                );
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

fn bench(c: &mut Criterion) {
    let body = page();
    let url = serve(body.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder("sk_test_bench")
        .base_url(&url)
        .build()
        .unwrap();
    let raw = reqwest::Client::new();
    // The crate on the very reqwest client the raw calls use (no timeouts):
    // the crate's own per-request cost, without its default configuration.
    let same_http = Client::builder("sk_test_bench")
        .base_url(&url)
        .http_client(raw.clone())
        .build()
        .unwrap();
    let get_raw = |path: &'static str| {
        let raw = raw.clone();
        let url = format!("{url}{path}");
        async move {
            let response = raw
                .get(&url)
                .bearer_auth("sk_test_bench")
                .send()
                .await
                .unwrap();
            response.bytes().await.unwrap()
        }
    };

    let mut g = c.benchmark_group("page_500");
    g.sample_size(30);
    g.bench_function("crate", |b| {
        b.to_async(&rt).iter(|| async {
            let users = client.get_user_list().limit(500).send().await.unwrap();
            black_box(users.into_inner().len())
        })
    });
    g.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let bytes = get_raw("/users?limit=500").await;
            let users: Vec<types::User> = serde_json::from_slice(&bytes).unwrap();
            black_box(users.len())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("count");
    g.bench_function("crate", |b| {
        b.to_async(&rt).iter(|| async {
            let count = client.get_users_count().send().await.unwrap();
            black_box(count.into_inner())
        })
    });
    g.bench_function("crate_same_http", |b| {
        b.to_async(&rt).iter(|| async {
            let count = same_http.get_users_count().send().await.unwrap();
            black_box(count.into_inner())
        })
    });
    g.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let bytes = get_raw("/users/count").await;
            let count: types::TotalCount = serde_json::from_slice(&bytes).unwrap();
            black_box(count)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("decode_500");
    g.sample_size(30);
    // How the client decodes a response body (`clerk_backend::from_slice`).
    g.bench_function("crate", |b| {
        b.iter(|| {
            let users: Vec<types::User> = clerk_backend::from_slice(black_box(&body)).unwrap();
            black_box(users.len())
        })
    });
    // serde_json alone, into the same types (how earlier versions decoded).
    g.bench_function("users", |b| {
        b.iter(|| {
            let users: Vec<types::User> = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(users.len())
        })
    });
    // The same bytes as untyped JSON: a reference point, not a goal.
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let users: serde_json::Value = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(users.as_array().map(Vec::len))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

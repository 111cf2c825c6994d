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

#[path = "support/user_page.rs"]
mod user_page;
use user_page::{clerk_2026_page, page};

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
    // The same users as Clerk 2026 sends them (what .ci/decode-compare.sh
    // compares with clerk-rs).
    let clerk_2026 = clerk_2026_page();
    g.bench_function("crate_clerk_2026", |b| {
        b.iter(|| {
            let users: Vec<types::User> =
                clerk_backend::from_slice(black_box(&clerk_2026)).unwrap();
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

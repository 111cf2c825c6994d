//! Memory check for pagination: stream N users (default 100,000) from a
//! local server that generates each page on request, and print how many
//! arrived. Peak memory must not grow with N, since the stream holds one
//! page (500 users) at a time:
//!
//! ```sh
//! cargo build --release --example stream_users
//! /usr/bin/time -v target/release/examples/stream_users 10000  2>&1 | grep Maximum
//! /usr/bin/time -v target/release/examples/stream_users 100000 2>&1 | grep Maximum
//! ```

#[path = "../tests/support/mini_server.rs"]
mod mini_server;

use clerk_backend::{Client, Paginate};
use futures::TryStreamExt;
use mini_server::{Response, serve};

fn user_json(n: u64) -> String {
    format!(
        r#"{{"id":"user_{n:08}","object":"user","first_name":"First{n}","last_name":"Last{n}","username":null,
"primary_email_address_id":"idn_{n}","email_addresses":[{{"id":"idn_{n}","object":"email_address","email_address":"user{n}@example.com","verification":null,"reserved":false,"linked_to":[],"created_at":1700000000000,"updated_at":1700000000000}}],
"phone_numbers":[],"web3_wallets":[],"passkeys":[],"external_accounts":[],"saml_accounts":[],
"public_metadata":{{"plan":"pro","seats":{n}}},"private_metadata":{{}},"unsafe_metadata":{{}},
"password_enabled":true,"two_factor_enabled":false,"totp_enabled":false,"backup_code_enabled":false,
"banned":false,"locked":false,"created_at":1700000000000,"updated_at":1700000000000,"last_sign_in_at":1700000000000}}"#
    )
}

#[tokio::main]
async fn main() -> clerk_backend::Result<()> {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let server = serve(move |req, _| Response::page(req, total, user_json)).await;
    let client = Client::builder("sk_test_stream")
        .base_url(&server.url)
        .build()?;

    let start = std::time::Instant::now();
    let mut users = client.get_user_list().into_paginator().items();
    let (mut count, mut bytes) = (0u64, 0usize);
    while let Some(user) = users.try_next().await? {
        count += 1;
        bytes += user.id.len();
    }
    println!(
        "streamed {count} users ({} requests, {bytes} id bytes) in {:.2?}",
        server.hits(),
        start.elapsed()
    );
    assert_eq!(count, total, "every user arrived");
    Ok(())
}

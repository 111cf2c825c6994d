//! List the first users of a Clerk instance.
//!
//! With `CLERK_SECRET_KEY` set, this talks to Clerk (`CLERK_API_URL` may
//! point elsewhere). Without it, it starts a local mock of the Backend API
//! and runs the same calls against it, and says so.
//!
//! ```sh
//! cargo run --example quickstart
//! CLERK_SECRET_KEY=sk_test_... cargo run --example quickstart
//! ```

use clerk_backend::Client;

#[tokio::main]
async fn main() -> clerk_backend::Result<()> {
    let _mock; // keeps the mock server alive while the client uses it
    let client = match std::env::var("CLERK_SECRET_KEY") {
        Ok(key) if !key.trim().is_empty() => Client::from_env()?,
        _ => {
            let server = mock_clerk();
            println!(
                "CLERK_SECRET_KEY is not set: using a local mock of Clerk at {}\n",
                server.base_url()
            );
            let client = Client::builder("sk_test_quickstart")
                .base_url(server.base_url())
                .build()?;
            _mock = server;
            client
        }
    };

    let count = client.get_users_count().send().await?;
    println!(
        "The instance has {} users. The newest ones:",
        count.total_count
    );

    let users = client
        .get_user_list()
        .limit(5)
        .order_by("-created_at")
        .send()
        .await?;
    for user in users.iter() {
        let email = user
            .email_addresses
            .iter()
            .find(|e| e.id == user.primary_email_address_id)
            .map(|e| e.email_address.as_str())
            .unwrap_or("(no email)");
        let name = [user.first_name.as_deref(), user.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        println!(
            "  {}  {:<30} {}",
            user.id.as_deref().unwrap_or("?"),
            email,
            name
        );
    }

    // Errors carry Clerk's status, code and message.
    match client
        .get_user()
        .user_id("user_does_not_exist")
        .send()
        .await
    {
        Ok(_) => println!("\nunexpectedly found user_does_not_exist"),
        Err(e) if e.is_not_found() => println!("\nLooking up a missing user: {e}"),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// A local stand-in for the three endpoints the quickstart calls.
fn mock_clerk() -> httpmock::MockServer {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.method("GET").path("/users/count");
        then.status(200)
            .json_body(serde_json::json!({"object": "total_count", "total_count": 2}));
    });
    let user = |id: &str, first: &str, last: &str, email: &str| {
        serde_json::json!({
            "id": id, "object": "user", "first_name": first, "last_name": last,
            "primary_email_address_id": format!("idn_{id}"),
            "email_addresses": [{
                "id": format!("idn_{id}"), "object": "email_address", "email_address": email,
                "verification": null, "linked_to": [], "reserved": false,
                "created_at": 1700000000000i64, "updated_at": 1700000000000i64
            }],
            "phone_numbers": [], "web3_wallets": [], "passkeys": [], "external_accounts": [],
            "saml_accounts": [], "public_metadata": {}, "private_metadata": {}, "unsafe_metadata": {},
            "password_enabled": true, "two_factor_enabled": false, "totp_enabled": false,
            "backup_code_enabled": false, "banned": false, "locked": false,
            "created_at": 1700000000000i64, "updated_at": 1700000000000i64
        })
    };
    server.mock(|when, then| {
        when.method("GET").path("/users").query_param("limit", "5");
        then.status(200).json_body(serde_json::json!([
            user("user_2a", "Ada", "Lovelace", "ada@example.com"),
            user("user_2b", "Alan", "Turing", "alan@example.com"),
        ]));
    });
    server.mock(|when, then| {
        when.method("GET").path("/users/user_does_not_exist");
        then.status(404).json_body(serde_json::json!({
            "errors": [{"code": "resource_not_found", "message": "not found",
                        "long_message": "No user was found with id user_does_not_exist"}],
            "clerk_trace_id": "mock-trace-1"
        }));
    });
    server
}

//! List the first users of a Clerk instance.
//!
//! With `CLERK_SECRET_KEY` set, this talks to Clerk (`CLERK_API_URL` may
//! point elsewhere). Without it, it starts a local fake of Clerk
//! (`clerk_backend::testing::FakeClerk`) with two users and runs the same
//! calls against it, and says so.
//!
//! ```sh
//! cargo run --example quickstart
//! CLERK_SECRET_KEY=sk_test_... cargo run --example quickstart
//! ```

use clerk_backend::Client;
use clerk_backend::testing::FakeClerk;

#[tokio::main]
async fn main() -> clerk_backend::Result<()> {
    let _fake; // keeps the fake server alive while the client uses it
    let client = match std::env::var("CLERK_SECRET_KEY") {
        Ok(key) if !key.trim().is_empty() => Client::from_env()?,
        _ => {
            let fake = FakeClerk::start().await;
            println!(
                "CLERK_SECRET_KEY is not set: using a local fake of Clerk at {}\n",
                fake.api_url()
            );
            let client = fake.client();
            add_users(&client).await?;
            _fake = fake;
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
        println!("  {}  {:<30} {}", user.id.as_str(), email, name);
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

/// Two users for the fake to list.
async fn add_users(client: &Client) -> clerk_backend::Result<()> {
    for (first, last, email) in [
        ("Ada", "Lovelace", "ada@example.com"),
        ("Alan", "Turing", "alan@example.com"),
    ] {
        client
            .create_user()
            .body_map(|b| {
                b.email_address(vec![email.to_string()])
                    .first_name(first.to_string())
                    .last_name(last.to_string())
            })
            .send()
            .await?;
    }
    Ok(())
}

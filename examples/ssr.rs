//! A server-rendered page with Clerk: the page shows who is signed in,
//! rendered on the server from the session cookie.
//!
//! Clerk's session token lives a minute. When a browser comes back later,
//! its `__session` cookie has expired; the layer (`ClerkLayer` with an
//! authenticator that has the publishable key) then sends the browser
//! through Clerk's handshake (`307` to the Frontend API and back) and the
//! page renders signed in, as it should, instead of signed out.
//!
//! ```text
//! GET /   "Hello, Ada" or "You are signed out"
//! ```
//!
//! `tests/ssr_example.rs` follows the whole redirect loop against
//! `clerk_backend::testing::FakeClerk`.
//!
//! Environment variables: `CLERK_SECRET_KEY` (the Backend API: key set,
//! handshake nonces, the user's name), `CLERK_PUBLISHABLE_KEY` (the
//! Frontend API the handshake goes to; without it the page rules do not
//! run), `PORT` (optional, default 3000).
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_... CLERK_PUBLISHABLE_KEY=pk_test_... \
//!     cargo run --example ssr --features axum
//! ```

use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Router};
use clerk_backend::Client;
use clerk_backend::auth::Authenticator;
use clerk_backend::axum::{ClerkLayer, MaybeSignedIn};

/// The app: one page, behind the layer that runs Clerk's page rules.
/// `client` (optional) looks the user's name up.
pub fn app(auth: Authenticator, client: Option<Client>) -> Router {
    Router::new()
        .route("/", get(home))
        .layer(Extension(client))
        .layer(ClerkLayer::new(auth))
}

async fn home(
    Extension(client): Extension<Option<Client>>,
    MaybeSignedIn(claims): MaybeSignedIn,
) -> Html<String> {
    let Some(claims) = claims else {
        return Html("<h1>You are signed out</h1>".to_owned());
    };
    let user_id = claims.user_id().to_owned();
    let name = match &client {
        Some(client) => client
            .get_user()
            .user_id(&user_id)
            .send()
            .await
            .ok()
            .and_then(|user| user.first_name.clone()),
        None => None,
    };
    let name = name.unwrap_or(user_id);
    Html(format!("<h1>Hello, {}</h1>", escape(&name)))
}

/// Minimal HTML escaping for the name.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Authenticator::from_env()?;
    if !auth.has_page_rules() {
        eprintln!("set CLERK_PUBLISHABLE_KEY: without it pages are not handshaken");
    }
    let client = Client::from_env().ok();
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(auth, client)).await?;
    Ok(())
}

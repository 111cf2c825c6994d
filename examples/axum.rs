//! An axum server authenticated by Clerk: a route that needs a signed-in
//! user, one where signing in is optional, and a webhook endpoint.
//!
//! ```text
//! GET  /                  optional sign-in     (MaybeSignedIn)
//! GET  /api/me            signed-in users only (ClerkLayer::require_auth + ClerkAuth)
//! GET  /api/orgs/{id}     signed-in users only, with a path parameter
//! POST /webhooks/clerk    webhook deliveries   (ClerkWebhook)
//! ```
//!
//! Environment variables:
//!
//! * `CLERK_JWT_KEY` (the dashboard's JWT public key, PEM) to verify session
//!   tokens without network access, or `CLERK_SECRET_KEY` (and optionally
//!   `CLERK_API_URL`) to verify them with the instance's fetched key set;
//! * `CLERK_PUBLISHABLE_KEY` (optional): pins the expected issuer;
//! * `CLERK_AUTHORIZED_PARTIES` (optional, this example's own): the
//!   comma-separated origins of your frontends, e.g.
//!   `https://app.example.com`;
//! * `CLERK_WEBHOOK_SIGNING_SECRET` (optional, `whsec_...`): enables the
//!   webhook endpoint (it answers 500 without it);
//! * `PORT` (optional, default 3000).
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_... cargo run --example axum --features axum
//! ```
//!
//! Without `CLERK_JWT_KEY` and `CLERK_SECRET_KEY` it runs a self-contained
//! demo instead: it makes its own signing key, serves the same routes on a
//! free local port, calls each of them with a token and a webhook delivery
//! it signs itself, prints the exchanges and exits. Add `-- --serve` to keep
//! the demo server running and get `curl` commands to try.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clerk_backend::auth::{JWT_KEY_ENV, SECRET_KEY_ENV, VerifyOptions};
use clerk_backend::axum::{ClerkAuth, ClerkLayer, ClerkState, ClerkWebhook, MaybeSignedIn};
use clerk_backend::webhooks::{EventData, SIGNING_SECRET_ENV, Webhook};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// ---------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------

/// Signing in is optional.
async fn home(MaybeSignedIn(claims): MaybeSignedIn) -> String {
    match claims {
        Some(claims) => format!("Hello, {}!\n", claims.user_id()),
        None => "Hello, stranger! Sign in to see /api/me.\n".to_owned(),
    }
}

/// Signed-in users only: the session's claims as JSON.
async fn me(ClerkAuth(claims): ClerkAuth) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(&claims).expect("claims serialize") + "\n",
    )
}

/// Signed-in users only, with a path parameter.
async fn org(Path(org_id): Path<String>, ClerkAuth(claims): ClerkAuth) -> String {
    let role = match claims.org_id() {
        Some(active) if active == org_id => claims
            .org_role()
            .map_or_else(|| "member".to_owned(), |role| role.into_owned()),
        _ => "not the active organization".to_owned(),
    };
    format!("{} in {org_id}: {role}\n", claims.user_id())
}

/// Webhook deliveries, verified before this runs.
async fn clerk_webhook(ClerkWebhook(event): ClerkWebhook) -> StatusCode {
    match &event.data {
        EventData::UserCreated(user) => println!("webhook: user {} created", user.id),
        EventData::UserDeleted(user) => println!("webhook: user {} deleted", user.id),
        _ => println!("webhook: {} (not handled)", event.event_type),
    }
    StatusCode::NO_CONTENT
}

fn app(options: VerifyOptions, webhook: Option<Webhook>) -> Router {
    let mut state = ClerkState::from(options.clone());
    if let Some(webhook) = webhook {
        state = state.with_webhook(webhook);
    }
    // Everything under /api needs a signed-in user: the layer answers 401
    // itself, and the handlers' extractors reuse its result.
    let api = Router::new()
        .route("/me", get(me))
        .route("/orgs/{org_id}", get(org))
        .route_layer(ClerkLayer::require_auth(options));
    Router::new()
        .route("/", get(home))
        .route("/webhooks/clerk", post(clerk_webhook))
        .nest("/api", api)
        .with_state(state)
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let configured = [JWT_KEY_ENV, SECRET_KEY_ENV]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    if !configured {
        let serve = std::env::args().any(|arg| arg == "--serve");
        return demo(serve).await;
    }

    let mut options = VerifyOptions::from_env()?;
    if let Ok(parties) = std::env::var("CLERK_AUTHORIZED_PARTIES") {
        options = options.authorized_parties(parties.split(',').map(str::trim));
    }
    let webhook = match Webhook::from_env() {
        Ok(webhook) => Some(webhook),
        Err(error) => {
            println!("{error}: POST /webhooks/clerk will answer 500");
            None
        }
    };
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(options, webhook)).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Demo mode: our own key, our own tokens, our own webhook deliveries
// ---------------------------------------------------------------------------

const DEMO_ISSUER: &str = "https://clerk.demo.example";

async fn demo(serve: bool) -> Result<(), BoxError> {
    println!(
        "Neither {JWT_KEY_ENV} nor {SECRET_KEY_ENV} is set, so this is a demo with a signing key \
         made just now.\nTo verify real Clerk session tokens, set {JWT_KEY_ENV} (the JWT public \
         key from the Clerk dashboard) or {SECRET_KEY_ENV}; set {SIGNING_SECRET_ENV} for \
         webhooks.\n"
    );

    let key = DemoKey::generate()?;
    let options = VerifyOptions::with_pem(&key.public_pem)?.issuer(DEMO_ISSUER);
    let mut secret = [0u8; 24];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| "no randomness")?;
    let webhook = Webhook::new(format!("whsec_{}", STANDARD.encode(secret)))?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = app(options, Some(webhook.clone()));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let token = key.sign(&serde_json::json!({
        "sub": "user_demo",
        "sid": "sess_demo",
        "iss": DEMO_ISSUER,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "v": 2,
        "o": {"id": "org_demo", "rol": "admin", "slg": "demo"},
    }))?;
    let expired = key.sign(&serde_json::json!({
        "sub": "user_demo", "iss": DEMO_ISSUER, "exp": now - 600,
    }))?;

    if serve {
        println!("Demo server on {base} (Ctrl-C to stop). Try:\n");
        println!("  curl -i {base}/");
        println!("  curl -i {base}/api/me");
        println!("  curl -i -H 'Authorization: Bearer {token}' {base}/api/me");
        println!("  curl -i -b '__session={token}' {base}/api/orgs/org_demo");
        println!("  curl -i -H 'Authorization: Bearer {expired}' {base}/api/me");
        server.await??;
        return Ok(());
    }

    let client = reqwest::Client::new();
    let show = |label: &str, response: reqwest::Response| {
        let label = label.to_owned();
        async move {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            println!(
                "{label}\n  -> {status} {}\n",
                body.trim_end().replace('\n', "\n     ")
            );
        }
    };

    show(
        "GET / (no token)",
        client.get(format!("{base}/")).send().await?,
    )
    .await;
    show(
        "GET / (bearer token)",
        client
            .get(format!("{base}/"))
            .bearer_auth(&token)
            .send()
            .await?,
    )
    .await;
    show(
        "GET /api/me (no token)",
        client.get(format!("{base}/api/me")).send().await?,
    )
    .await;
    show(
        "GET /api/me (expired token)",
        client
            .get(format!("{base}/api/me"))
            .bearer_auth(&expired)
            .send()
            .await?,
    )
    .await;
    show(
        "GET /api/orgs/org_demo (__session cookie)",
        client
            .get(format!("{base}/api/orgs/org_demo"))
            .header(header::COOKIE, format!("__session={token}"))
            .send()
            .await?,
    )
    .await;
    show(
        "GET /api/me (bearer token)",
        client
            .get(format!("{base}/api/me"))
            .bearer_auth(&token)
            .send()
            .await?,
    )
    .await;

    let body = serde_json::to_vec(&serde_json::json!({
        "type": "user.created",
        "object": "event",
        "data": {"id": "user_demo", "object": "user", "first_name": "Demo"},
    }))?;
    let timestamp = i64::try_from(now)?;
    let signature = webhook.sign("msg_demo", timestamp, &body);
    let deliver = |signature: String| {
        client
            .post(format!("{base}/webhooks/clerk"))
            .header("svix-id", "msg_demo")
            .header("svix-timestamp", timestamp.to_string())
            .header("svix-signature", signature)
            .body(body.clone())
            .send()
    };
    show("POST /webhooks/clerk (signed)", deliver(signature).await?).await;
    show(
        "POST /webhooks/clerk (bad signature)",
        deliver("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()).await?,
    )
    .await;

    println!("Run with `-- --serve` to keep the demo server running.");
    server.abort();
    Ok(())
}

/// An RSA key pair standing in for a Clerk instance's signing key.
struct DemoKey {
    encoding: jsonwebtoken::EncodingKey,
    public_pem: String,
}

impl DemoKey {
    fn generate() -> Result<Self, BoxError> {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::signature::KeyPair as _;
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)?;
        let private = pem("PRIVATE KEY", pair.as_der()?.as_ref());
        let public = pem("PUBLIC KEY", pair.public_key().as_der()?.as_ref());
        Ok(DemoKey {
            encoding: jsonwebtoken::EncodingKey::from_rsa_pem(private.as_bytes())?,
            public_pem: public,
        })
    }

    fn sign(&self, claims: &serde_json::Value) -> Result<String, BoxError> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some("ins_demo".to_owned());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

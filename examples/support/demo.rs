//! What examples/actix.rs, examples/rocket.rs and examples/poem.rs share:
//! reading the configuration from the environment, the app's one bit of
//! logic, and the self-contained demo that runs when no `CLERK_*` key is
//! set (its own signing key, tokens and webhook deliveries, sent to the
//! example's server with reqwest).
//!
//! Include with `#[path = "support/demo.rs"] mod demo;`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clerk_backend::auth::{Claims, JWT_KEY_ENV, SECRET_KEY_ENV, VerifyOptions};
use clerk_backend::webhooks::{SIGNING_SECRET_ENV, Webhook};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

const DEMO_ISSUER: &str = "https://clerk.demo.example";

// ---------------------------------------------------------------------------
// Configuration from the environment
// ---------------------------------------------------------------------------

/// Whether `CLERK_JWT_KEY` or `CLERK_SECRET_KEY` is set; the examples run
/// the demo otherwise.
pub fn configured() -> bool {
    [JWT_KEY_ENV, SECRET_KEY_ENV]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// Whether the command line asks to keep the demo server running.
pub fn serve_requested() -> bool {
    std::env::args().any(|arg| arg == "--serve")
}

/// The session-token options (with `CLERK_AUTHORIZED_PARTIES`, this
/// example's own variable) and, if its secret is set, the webhook verifier.
pub fn from_env() -> Result<(VerifyOptions, Option<Webhook>), BoxError> {
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
    Ok((options, webhook))
}

/// The address to listen on: `127.0.0.1:$PORT` (default 3000).
pub fn listen_address() -> String {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    format!("127.0.0.1:{port}")
}

/// What `GET /api/orgs/{org_id}` answers: the user's role in the
/// organization when it is the session's active one.
pub fn role_in(claims: &Claims, org_id: &str) -> String {
    let role = match claims.org_id() {
        Some(active) if active == org_id => claims
            .org_role()
            .map_or_else(|| "member".to_owned(), |role| role.into_owned()),
        _ => "not the active organization".to_owned(),
    };
    format!("{} in {org_id}: {role}\n", claims.user_id())
}

// ---------------------------------------------------------------------------
// Demo mode
// ---------------------------------------------------------------------------

/// A demo instance: its options and webhook verifier (for the server) and
/// the tokens it signs (for the client).
pub struct Demo {
    pub options: VerifyOptions,
    pub webhook: Webhook,
    token: String,
    expired: String,
}

impl Demo {
    /// Makes a signing key, a webhook secret and two tokens (valid for an
    /// hour, expired ten minutes ago).
    pub fn new() -> Result<Demo, BoxError> {
        println!(
            "Neither {JWT_KEY_ENV} nor {SECRET_KEY_ENV} is set, so this is a demo with a signing \
             key made just now.\nTo verify real Clerk session tokens, set {JWT_KEY_ENV} (the JWT \
             public key from the Clerk dashboard) or {SECRET_KEY_ENV}; set {SIGNING_SECRET_ENV} \
             for webhooks.\n"
        );
        let key = DemoKey::generate()?;
        let options = VerifyOptions::with_pem(&key.public_pem)?.issuer(DEMO_ISSUER);
        let mut secret = [0u8; 24];
        aws_lc_rs::rand::fill(&mut secret).map_err(|_| "no randomness")?;
        let webhook = Webhook::new(format!("whsec_{}", STANDARD.encode(secret)))?;

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
        Ok(Demo {
            options,
            webhook,
            token,
            expired,
        })
    }

    /// Tells how to try the server at `base` by hand.
    pub fn print_curl(&self, base: &str) {
        let (token, expired) = (&self.token, &self.expired);
        println!("Demo server on {base} (Ctrl-C to stop). Try:\n");
        println!("  curl -i {base}/");
        println!("  curl -i {base}/api/me");
        println!("  curl -i -H 'Authorization: Bearer {token}' {base}/api/me");
        println!("  curl -i -b '__session={token}' {base}/api/orgs/org_demo");
        println!("  curl -i -H 'Authorization: Bearer {expired}' {base}/api/me");
    }

    /// Calls each route of the server at `base`, with and without a token,
    /// and delivers a webhook with a good and a bad signature; prints the
    /// exchanges.
    pub async fn run(&self, base: &str) -> Result<(), BoxError> {
        let client = reqwest::Client::new();
        let get = |path: &str| client.get(format!("{base}{path}"));
        let token = &self.token;

        show("GET / (no token)", get("/").send().await?).await;
        show(
            "GET / (bearer token)",
            get("/").bearer_auth(token).send().await?,
        )
        .await;
        show("GET /api/me (no token)", get("/api/me").send().await?).await;
        show(
            "GET /api/me (expired token)",
            get("/api/me").bearer_auth(&self.expired).send().await?,
        )
        .await;
        show(
            "GET /api/orgs/org_demo (__session cookie)",
            get("/api/orgs/org_demo")
                .header(reqwest::header::COOKIE, format!("__session={token}"))
                .send()
                .await?,
        )
        .await;
        show(
            "GET /api/me (bearer token)",
            get("/api/me").bearer_auth(token).send().await?,
        )
        .await;

        let body = serde_json::to_vec(&serde_json::json!({
            "type": "user.created",
            "object": "event",
            "data": {"id": "user_demo", "object": "user", "first_name": "Demo"},
        }))?;
        let timestamp = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
        let signature = self.webhook.sign("msg_demo", timestamp, &body);
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
        Ok(())
    }
}

/// Prints one exchange.
async fn show(label: &str, response: reqwest::Response) {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    println!(
        "{label}\n  -> {status} {}\n",
        body.trim_end().replace('\n', "\n     ")
    );
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

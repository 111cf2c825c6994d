//! A local, stateful, offline fake of Clerk for an application's own tests
//! (feature `testing`).
//!
//! [`FakeClerk::start`] runs a real HTTP server on `127.0.0.1` that serves
//! the Backend API under `/v1` from memory: users (with email addresses and
//! phone numbers), organizations, memberships, organization invitations,
//! sessions and the key set. Its responses have the shapes of the spec the
//! client is generated from, its errors are Clerk's (`resource_not_found`,
//! `form_identifier_exists`, ...), and an operation it does not model
//! answers `501 Not Implemented` naming the operation, never a silent
//! success. [`MODELLED_OPERATIONS`] lists what it models.
//!
//! It also signs session tokens for its users ([`FakeClerk::sign_in`],
//! [`FakeClerk::session`]) that verify with [`FakeClerk::verify_options`],
//! with the axum extractors, or with a [`VerifyOptions`] built from its
//! [publishable key](FakeClerk::publishable_key); it issues machine
//! credentials (API keys through the API; machines, M2M and OAuth access
//! tokens, opaque or JWT, through [`FakeClerk::create_machine`],
//! [`FakeClerk::create_m2m_token`], [`FakeClerk::m2m_jwt`], ...) and
//! answers their verify endpoints, for [`FakeClerk::authenticator`]; it can inject faults
//! ([`FakeClerk::inject`]) and it records what the application sent
//! ([`FakeClerk::requests`]).
//!
//! ```
//! use clerk_backend::testing::FakeClerk;
//!
//! # async fn run() -> clerk_backend::Result<()> {
//! let fake = FakeClerk::start().await;
//! let client = fake.client(); // a clerk_backend::Client pointed at the fake
//!
//! let user = client
//!     .create_user()
//!     .body_map(|b| b.email_address(vec!["ada@example.com".to_string()]).first_name("Ada".to_string()))
//!     .send()
//!     .await?;
//! let user_id = user.id.clone();
//!
//! // A session token for that user, verified like one from Clerk.
//! let token = fake.sign_in(&user_id);
//! let claims = clerk_backend::auth::verify_token(&token, &fake.verify_options()).await.unwrap();
//! assert_eq!(claims.user_id(), user_id);
//!
//! // Clerk's errors.
//! let missing = client.get_user().user_id("user_missing").send().await;
//! assert!(missing.is_err());
//!
//! // What the application sent.
//! assert_eq!(fake.requests()[0].operation, Some("CreateUser"));
//! # Ok(()) }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() { run().await.unwrap() }
//! ```
//!
//! Each fake has its own state, secret key, issuer and key ID, so tests can
//! run many at once. Dropping the fake stops its server. The fakes of one
//! process share one RSA key (made on first use, as generating one is the
//! slow part of starting), each under its own `kid` and issuer: a token of
//! one fake does not verify against another.

mod call;
mod errors;
mod faults;
mod frontend;
mod machine_tokens;
mod machines;
mod organizations;
mod server;
mod sessions;
mod signer;
mod state;
mod tokens;
mod users;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use crate::auth::{JwksCache, VerifyOptions};
use crate::{Client, ClientBuilder, RetryPolicy};

pub use faults::Fault;
pub use machine_tokens::FakeMachine;
pub use server::RecordedRequest;
pub use tokens::{SessionBuilder, SignedIn};

use server::{Shared, lock};
use state::{Store, base62, random_u64};

/// The operationIds the fake models; every other operation of the spec
/// answers `501`.
pub const MODELLED_OPERATIONS: &[&str] = &{
    let mut ids = [""; server::HANDLERS.len()];
    let mut i = 0;
    while i < ids.len() {
        ids[i] = server::HANDLERS[i].0;
        i += 1;
    }
    ids
};

/// A fake Clerk instance: an HTTP server on `127.0.0.1` with its own state
/// and keys. See the [module docs](self).
pub struct FakeClerk {
    shared: Arc<Shared>,
    api_url: String,
    publishable_key: String,
    client: Client,
    server: tokio::task::JoinHandle<()>,
}

impl FakeClerk {
    /// Starts a fake on a free port of `127.0.0.1`. Must be called within a
    /// Tokio runtime (`#[tokio::test]`); the server runs on it.
    ///
    /// # Panics
    /// If no local port can be bound: see [`FakeClerk::try_start`].
    pub async fn start() -> FakeClerk {
        match Self::try_start().await {
            Ok(fake) => fake,
            Err(error) => panic!("FakeClerk could not start: {error}"),
        }
    }

    /// Like [`FakeClerk::start`], returning the error if the server cannot
    /// start.
    pub async fn try_start() -> std::io::Result<FakeClerk> {
        let key = signer::process_key().map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let api_url = format!("http://{address}/v1");

        let secret_key = format!(
            "sk_test_{}{}{}",
            base62(random_u64(), 11),
            base62(random_u64(), 11),
            base62(random_u64(), 11)
        );
        let host = format!("fake-{:012x}.clerk.test", random_u64() & 0xffff_ffff_ffff);
        let publishable_key = format!(
            "pk_test_{}",
            base64::engine::general_purpose::STANDARD.encode(format!("{host}$"))
        );
        let kid = format!("ins_fake_{}", base62(random_u64(), 11));
        let signer = signer::Signer::new(key, kid);
        let store = Store::new(signer.jwks());
        let shared = Arc::new(Shared::new(
            secret_key,
            format!("https://{host}"),
            publishable_key.clone(),
            signer,
            store,
        ));
        let client = Self::builder_for(&api_url, &shared.secret_key)
            .build()
            .map_err(std::io::Error::other)?;
        let server = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(FakeClerk {
            shared,
            api_url,
            publishable_key,
            client,
            server,
        })
    }

    fn builder_for(api_url: &str, secret_key: &str) -> ClientBuilder {
        Client::builder(secret_key)
            .base_url(api_url)
            .timeout(Duration::from_secs(10))
            .retry(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(10))
                    .max_backoff(Duration::from_millis(100))
                    .budget(Duration::from_secs(10)),
            )
    }

    /// A [`Client`] for the fake, with retries on (backoff from 10 ms, so
    /// that fault tests stay fast; a `Retry-After` is honoured).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// A [`ClientBuilder`] already pointed at the fake with its secret key,
    /// to configure further (retries, timeouts, headers).
    pub fn client_builder(&self) -> ClientBuilder {
        Self::builder_for(&self.api_url, &self.shared.secret_key)
    }

    /// The Backend API URL, `http://127.0.0.1:<port>/v1` (for
    /// `CLERK_API_URL`).
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The fake instance's secret key (`sk_test_...`): requests without it
    /// get `401`.
    pub fn secret_key(&self) -> &str {
        &self.shared.secret_key
    }

    /// The fake instance's publishable key (`pk_test_...`), encoding its
    /// Frontend API host, i.e. its [issuer](FakeClerk::issuer).
    pub fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    /// The `iss` of its session tokens, `https://fake-<id>.clerk.test`.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// Options that verify this fake's session tokens: its key set fetched
    /// from `GET /v1/jwks`, and its issuer required. Each call makes a new
    /// key cache.
    pub fn verify_options(&self) -> VerifyOptions {
        let cache = JwksCache::new(
            &self.api_url,
            &self.shared.secret_key,
            self.client.http_client().clone(),
        );
        VerifyOptions::with_jwks(cache).issuer(self.issuer())
    }

    /// The fake's Frontend API, `http://127.0.0.1:<port>/__fapi`: give it to
    /// [`Authenticator::proxy_url`](crate::auth::Authenticator::proxy_url)
    /// so that the page rules' handshakes come here (the publishable key's
    /// host does not exist). It serves `/v1/client/handshake`, answering
    /// `307` back to the application with a handshake nonce, which the
    /// Backend API's `GET /v1/clients/handshake_payload` exchanges.
    pub fn frontend_api_url(&self) -> String {
        let origin = self.api_url.trim_end_matches("/v1");
        format!("{origin}{}", frontend::PREFIX)
    }

    /// The cookie by which the fake Frontend API knows a browser signed in
    /// to `session_id` (`__client=<session_id>`; Clerk's is opaque): a test
    /// browser sends it to [`frontend_api_url`](Self::frontend_api_url).
    /// Without it, the handshake knows the session only from the session
    /// token the application passes along.
    pub fn frontend_api_cookie(&self, session_id: &str) -> String {
        format!("__client={session_id}")
    }

    /// A refresh cookie for `session_id` (`__refresh_<suffix>=<token>`), as
    /// the handshake sets it: with it, an expired session token is
    /// refreshed through `POST /v1/sessions/{id}/refresh` without a
    /// redirect.
    pub fn refresh_cookie(&self, session_id: &str) -> String {
        let token = frontend::issue_refresh_token(&self.shared, session_id);
        format!("{}={token}", frontend::refresh_cookie_name(&self.shared))
    }

    /// An [`Authenticator`](crate::auth::Authenticator) for server-rendered
    /// pages of this fake: [`authenticator`](Self::authenticator) with the
    /// publishable key (so the page rules run) and the handshake sent to
    /// [`frontend_api_url`](Self::frontend_api_url).
    pub fn page_authenticator(&self) -> crate::auth::Authenticator {
        self.authenticator()
            .publishable_key(&self.publishable_key)
            .expect("the fake's publishable key is valid")
            .proxy_url(self.frontend_api_url())
    }

    /// Signs `user_id` in: creates an active session and returns its token
    /// (valid for 60 s, claims version 2). Use [`FakeClerk::session`] for
    /// other claims.
    ///
    /// # Panics
    /// If the user does not exist.
    pub fn sign_in(&self, user_id: &str) -> String {
        self.session(user_id).sign_in().token
    }

    /// A builder for a session of `user_id` and its token: active
    /// organization, impersonation, custom claims, `azp`, lifetime and
    /// issue time.
    pub fn session(&self, user_id: &str) -> SessionBuilder<'_> {
        SessionBuilder::new(&self.shared, user_id)
    }

    /// Adds a fault: the next matching requests fail as it says. Faults
    /// apply in the order added, before authentication and routing.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }

    /// Removes the faults not used up yet.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every request received so far, oldest first (including those that
    /// failed, and the key-set fetches of [`FakeClerk::verify_options`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// The received requests of one operation (e.g. `"CreateUser"`).
    pub fn requests_of(&self, operation_id: &str) -> Vec<RecordedRequest> {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.operation == Some(operation_id))
            .cloned()
            .collect()
    }

    /// Forgets the received requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Drop for FakeClerk {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl fmt::Debug for FakeClerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeClerk")
            .field("api_url", &self.api_url)
            .field("secret_key", &"sk_test_<redacted>")
            .field("publishable_key", &self.publishable_key)
            .field("issuer", &self.shared.issuer)
            .finish_non_exhaustive()
    }
}

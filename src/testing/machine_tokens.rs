//! [`FakeClerk`]'s helpers for machine credentials: machines and their
//! secret keys, opaque M2M and OAuth access tokens (which Clerk's API does
//! not let an instance's secret key create), JWT-form M2M and OAuth tokens
//! signed with the fake's key, and revocation. API keys are created
//! through the API (`client.create_api_key()`), as with Clerk.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::FakeClerk;
use super::server::lock;
use crate::auth::{Authenticator, kind};

/// A machine of the fake, made by [`FakeClerk::create_machine`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FakeMachine {
    /// The machine's ID (`mch_...`), the subject of its M2M tokens.
    pub id: String,
    /// Its secret key (`ak_...`), for
    /// [`Authenticator::machine_secret_key`].
    pub secret_key: String,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl FakeClerk {
    /// An [`Authenticator`] for this fake: its key set, its issuer, and
    /// its Backend API for opaque machine tokens.
    pub fn authenticator(&self) -> Authenticator {
        Authenticator::new(self.verify_options()).backend_api(self.client())
    }

    /// Creates a machine and its secret key.
    pub fn create_machine(&self) -> FakeMachine {
        let (id, secret_key) = lock(&self.shared.store).create_machine();
        FakeMachine { id, secret_key }
    }

    /// An opaque M2M token (`mt_...`) of `machine_id`, allowed to call the
    /// machines in `scopes`, valid for `lifetime` (`None`: no expiry).
    /// `POST /m2m_tokens/verify` knows it until it is revoked or expires.
    pub fn create_m2m_token(
        &self,
        machine_id: &str,
        scopes: &[&str],
        lifetime: Option<Duration>,
    ) -> String {
        let seconds = lifetime.map(|l| l.as_secs_f64());
        let (token, _) = lock(&self.shared.store).create_m2m_token(
            machine_id,
            strings(scopes),
            Value::Null,
            seconds,
        );
        token
    }

    /// An opaque OAuth access token (`oat_...`) of `user_id` issued to the
    /// OAuth application `client_id`, valid for `lifetime` (`None`: no
    /// expiry).
    pub fn create_oauth_access_token(
        &self,
        user_id: &str,
        client_id: &str,
        scopes: &[&str],
        lifetime: Option<Duration>,
    ) -> String {
        let seconds = lifetime.map(|l| l.as_secs_f64());
        lock(&self.shared.store).create_oauth_token(user_id, client_id, strings(scopes), seconds)
    }

    /// An M2M token in JWT form for `machine_id` (subject), signed with the
    /// fake's key and headed with the M2M category, with `scopes` as its
    /// `aud`, valid for `lifetime` from now (a zero lifetime makes an
    /// expired token). Verified without the network.
    pub fn m2m_jwt(&self, machine_id: &str, scopes: &[&str], lifetime: Duration) -> String {
        let now = unix_now();
        let claims = json!({
            "iss": self.issuer(),
            "sub": machine_id,
            "aud": scopes,
            "jti": format!("mt_{:016x}", super::state::random_u64()),
            "iat": now,
            "nbf": now.saturating_sub(10),
            "exp": now + lifetime.as_secs(),
        });
        self.shared
            .signer
            .sign_as(&claims, "JWT", Some(kind::CATEGORY_M2M_TOKEN))
    }

    /// An OAuth access token in JWT form (`typ: at+jwt`) of `user_id` for
    /// the application `client_id`, with `scopes` as its space-separated
    /// `scope`, valid for `lifetime` from now.
    pub fn oauth_jwt(
        &self,
        user_id: &str,
        client_id: &str,
        scopes: &[&str],
        lifetime: Duration,
    ) -> String {
        let now = unix_now();
        let claims = json!({
            "iss": self.issuer(),
            "sub": user_id,
            "client_id": client_id,
            "scope": scopes.join(" "),
            "jti": format!("oat_{:016x}", super::state::random_u64()),
            "iat": now,
            "exp": now + lifetime.as_secs(),
        });
        self.shared.signer.sign_as(&claims, "at+jwt", None)
    }

    /// Revokes an opaque API key, M2M token or OAuth access token by its
    /// secret: its verify endpoint then answers `404`. Whether it existed.
    pub fn revoke_token(&self, token: &str) -> bool {
        lock(&self.shared.store).revoke_token(token)
    }
}

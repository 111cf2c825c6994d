//! Session tokens: what [`FakeClerk::session`](super::FakeClerk::session)
//! builds (signed by `signer.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::server::{Shared, lock};
use super::sessions;
use super::state::find;

/// Builds a session and its token: see
/// [`FakeClerk::session`](super::FakeClerk::session).
///
/// ```
/// # async fn run() -> clerk_backend::Result<()> {
/// use std::time::{Duration, SystemTime};
/// use clerk_backend::testing::FakeClerk;
///
/// let fake = FakeClerk::start().await;
/// let user = fake.client().create_user()
///     .body_map(|b| b.email_address(vec!["ada@example.com".to_string()]))
///     .send().await?;
/// let user_id = user.id.clone();
///
/// // A token that expired ten minutes ago.
/// let expired = fake
///     .session(&user_id)
///     .issued_at(SystemTime::now() - Duration::from_secs(660))
///     .lifetime(Duration::from_secs(60))
///     .sign_in()
///     .token;
/// assert!(clerk_backend::auth::verify_token(&expired, &fake.verify_options()).await.is_err());
/// # Ok(()) }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() { run().await.unwrap() }
/// ```
#[must_use = "nothing happens until `sign_in`"]
pub struct SessionBuilder<'a> {
    shared: &'a Shared,
    user_id: String,
    organization_id: Option<String>,
    claims_v1: bool,
    actor: Option<Value>,
    azp: Option<String>,
    lifetime: Duration,
    issued_at: Option<SystemTime>,
    custom: Map<String, Value>,
}

/// A session made by [`SessionBuilder::sign_in`] or
/// [`FakeClerk::sign_in`](super::FakeClerk::sign_in).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedIn {
    /// The session's ID (`sess_...`), as the API returns it.
    pub session_id: String,
    /// The session token (an RS256 JWT), for `Authorization: Bearer` or the
    /// `__session` cookie.
    pub token: String,
}

impl<'a> SessionBuilder<'a> {
    pub(crate) fn new(shared: &'a Shared, user_id: &str) -> Self {
        SessionBuilder {
            shared,
            user_id: user_id.to_owned(),
            organization_id: None,
            claims_v1: false,
            actor: None,
            azp: None,
            lifetime: Duration::from_secs(60),
            issued_at: None,
            custom: Map::new(),
        }
    }

    /// Make `organization_id` (an ID or slug) the active organization: the
    /// token carries its ID, slug and the user's role in it. The user must
    /// be a member.
    pub fn organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// Write the organization claims in the version 1 format (`org_id`,
    /// `org_role`, `org_slug`, `org_permissions`, no `v`) instead of the
    /// default version 2 (`v: 2` and the compact `o` object).
    pub fn claims_v1(mut self) -> Self {
        self.claims_v1 = true;
        self
    }

    /// An impersonation session: `actor_id` (a user ID, say) acts as the
    /// user. Sets the token's `act` claim and the session's `actor`.
    pub fn actor(mut self, actor_id: impl Into<String>) -> Self {
        self.actor = Some(json!({ "sub": actor_id.into() }));
        self
    }

    /// The token's `azp` (authorized party): the origin of the frontend,
    /// e.g. `https://app.example.com`.
    pub fn azp(mut self, origin: impl Into<String>) -> Self {
        self.azp = Some(origin.into());
        self
    }

    /// How long the token is valid after `iat` (default 60 s, as Clerk's).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The token's issue time (default now). In the past with a short
    /// lifetime it makes an expired token; in the future a not-yet-valid
    /// one (`nbf` is `iat - 10 s`, as Clerk's).
    pub fn issued_at(mut self, at: SystemTime) -> Self {
        self.issued_at = Some(at);
        self
    }

    /// A custom claim (as a session-token template would add). It is set
    /// last, so it can also replace a standard claim.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom.insert(name.into(), value.into());
        self
    }

    /// Creates the active session and signs its token.
    ///
    /// # Panics
    /// If the user does not exist, or the organization does not exist or
    /// the user is not a member of it: a mistake in the test.
    pub fn sign_in(self) -> SignedIn {
        let mut store = lock(&self.shared.store);
        assert!(
            find(&store.users, &self.user_id).is_some(),
            "FakeClerk: cannot sign in {}: no such user",
            self.user_id
        );
        let organization = self.organization_id.as_ref().map(|wanted| {
            let org = store
                .organizations
                .iter()
                .find(|o| o["id"] == wanted.as_str() || o["slug"] == wanted.as_str())
                .unwrap_or_else(|| panic!("FakeClerk: no organization {wanted}"));
            let (id, slug) = (
                org["id"].as_str().unwrap_or_default().to_owned(),
                org["slug"].as_str().unwrap_or_default().to_owned(),
            );
            let role = store
                .memberships
                .iter()
                .find(|m| m.organization_id == id && m.user_id == self.user_id)
                .map(|m| m.role.clone())
                .unwrap_or_else(|| {
                    panic!(
                        "FakeClerk: user {} is not a member of organization {wanted}",
                        self.user_id
                    )
                });
            (id, slug, role)
        });
        let session = sessions::create(
            &mut store,
            &self.user_id,
            organization.as_ref().map(|(id, _, _)| id.as_str()),
            self.actor.as_ref(),
        );
        drop(store);
        let session_id = session["id"].as_str().unwrap_or_default().to_owned();

        let iat = self
            .issued_at
            .unwrap_or_else(SystemTime::now)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut claims = json!({
            "sub": self.user_id,
            "sid": session_id,
            "iss": self.shared.issuer,
            "iat": iat,
            "nbf": iat.saturating_sub(10),
            "exp": iat + self.lifetime.as_secs(),
            "fva": [0, -1],
            "sts": "active",
        });
        if !self.claims_v1 {
            claims["v"] = json!(2);
        }
        if let Some(azp) = self.azp {
            claims["azp"] = json!(azp);
        }
        if let Some(actor) = self.actor {
            claims["act"] = actor;
        }
        if let Some((id, slug, role)) = organization {
            if self.claims_v1 {
                claims["org_id"] = json!(id);
                claims["org_slug"] = json!(slug);
                claims["org_role"] = json!(role);
                claims["org_permissions"] = json!([]);
            } else {
                let rol = role.strip_prefix("org:").unwrap_or(&role);
                claims["o"] = json!({"id": id, "slg": slug, "rol": rol});
            }
        }
        for (name, value) in self.custom {
            claims[name] = value;
        }
        SignedIn {
            session_id,
            token: self.shared.signer.sign(&claims),
        }
    }
}

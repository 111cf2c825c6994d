//! Token checks: [`VerifyOptions`], what every JWT the instance signed is
//! checked with (where its keys come from, the issuer, the authorized
//! parties, the clock and its skew).
//!
//! These are the checks only. What the application is (its Backend API
//! client, its machine secret key) is the [`Authenticator`](super::Authenticator)'s,
//! and what a route accepts is its [`RouteOptions`](super::RouteOptions).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use super::clock::{Clock, unix_seconds};
use super::error::VerifyError;
use super::jwks::JwksCache;
use super::key::RsaKey;
use crate::env::{API_URL_ENV, DEFAULT_API_URL, JWT_KEY_ENV, PUBLISHABLE_KEY_ENV, SECRET_KEY_ENV};

/// The default allowed clock skew between Clerk and this server: 5 seconds.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5);

/// Where the keys that verify session signatures come from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeySource {
    /// The instance's JSON Web Key Set, fetched from the Backend API and
    /// cached.
    Jwks(JwksCache),
    /// A fixed public key (the dashboard's "JWT public key"): no network.
    Pem(PemKey),
}

/// An RSA public key given in PEM form, parsed once.
///
/// Accepts `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, what the
/// Clerk dashboard shows) and `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1)
/// blocks, and also the bare base64 body without the header and footer
/// lines. Line breaks may be real or written as `\n` (as often happens in
/// `.env` files), or missing.
#[derive(Clone)]
pub struct PemKey {
    pub(super) key: Arc<RsaKey>,
}

impl PemKey {
    /// Parses and checks a PEM public key.
    ///
    /// # Errors
    /// [`VerifyError::InvalidKey`] if it is not an RSA public key of 2048 to
    /// 8192 bits.
    pub fn from_pem(pem: &str) -> Result<Self, VerifyError> {
        let invalid = |reason: &str| VerifyError::InvalidKey(reason.to_owned());
        let text = pem.trim().replace("\\n", "\n");
        let body = match text.find("-----BEGIN ") {
            Some(start) => {
                let after = &text[start + "-----BEGIN ".len()..];
                let label_end = after
                    .find("-----")
                    .ok_or_else(|| invalid("unterminated PEM BEGIN line"))?;
                let label = after[..label_end].trim();
                match label {
                    "PUBLIC KEY" | "RSA PUBLIC KEY" => {}
                    l if l.contains("PRIVATE") => {
                        return Err(invalid(
                            "this is a private key; use the instance's JWT public key",
                        ));
                    }
                    _ => return Err(invalid("expected a PUBLIC KEY PEM block")),
                }
                let rest = &after[label_end + "-----".len()..];
                let end = rest
                    .find("-----END ")
                    .ok_or_else(|| invalid("PEM block has no END line"))?;
                &rest[..end]
            }
            None => text.as_str(),
        };
        let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64.as_bytes())
            .map_err(|_| invalid("the PEM body is not base64"))?;
        let key = RsaKey::from_der(&der).map_err(VerifyError::InvalidKey)?;
        Ok(PemKey { key: Arc::new(key) })
    }
}

impl fmt::Debug for PemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PemKey(RSA public key)")
    }
}

/// How to verify session tokens: where the keys come from and which claims
/// to require.
///
/// Every check is on by default; the builder methods only add constraints
/// (authorized parties, issuer) or tune tolerances. Build it once at startup
/// and share it (it is cheap to clone; clones share the key cache).
///
/// ```no_run
/// # fn main() -> Result<(), clerk_backend::auth::VerifyError> {
/// use std::time::Duration;
/// use clerk_backend::auth::VerifyOptions;
///
/// let options = VerifyOptions::from_env()? // CLERK_JWT_KEY or CLERK_SECRET_KEY
///     .authorized_parties(["https://app.example.com"])
///     .clock_skew(Duration::from_secs(10));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct VerifyOptions {
    pub(super) key_source: KeySource,
    pub(super) authorized_parties: Arc<[String]>,
    pub(super) issuer: Option<String>,
    pub(super) clock_skew_secs: u64,
    pub(super) clock: Clock,
}

impl VerifyOptions {
    /// Options verifying with keys from `source`, with default checks.
    pub fn new(source: KeySource) -> Self {
        VerifyOptions {
            key_source: source,
            authorized_parties: Arc::from(Vec::new()),
            issuer: None,
            clock_skew_secs: DEFAULT_CLOCK_SKEW.as_secs(),
            clock: Arc::new(unix_seconds),
        }
    }

    /// Options verifying with the instance's key set, fetched from the
    /// Backend API through `cache`.
    pub fn with_jwks(cache: JwksCache) -> Self {
        Self::new(KeySource::Jwks(cache))
    }

    /// Options verifying with a fixed PEM public key (the dashboard's "JWT
    /// public key"): no network at all.
    ///
    /// # Errors
    /// [`VerifyError::InvalidKey`] if `pem` is not an RSA public key.
    pub fn with_pem(pem: &str) -> Result<Self, VerifyError> {
        Ok(Self::new(KeySource::Pem(PemKey::from_pem(pem)?)))
    }

    /// Options from the environment:
    ///
    /// * `CLERK_JWT_KEY` (PEM public key) if set, verifying without network;
    /// * else `CLERK_SECRET_KEY` and optionally `CLERK_API_URL` (default
    ///   `https://api.clerk.com/v1`), verifying with the instance's fetched
    ///   key set;
    /// * `CLERK_PUBLISHABLE_KEY`, if set, pins the expected issuer.
    ///
    /// Each call creates a new key cache: call it once at startup.
    ///
    /// # Errors
    /// [`VerifyError::InvalidConfig`] if neither key variable is set or the
    /// publishable key is invalid, [`VerifyError::InvalidKey`] for a bad
    /// PEM.
    pub fn from_env() -> Result<Self, VerifyError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`VerifyOptions::from_env`], reading variables through `lookup`
    /// (for tests and other configuration sources).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, VerifyError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let options = if let Some(pem) = get(JWT_KEY_ENV) {
            Self::with_pem(&pem)?
        } else if let Some(secret_key) = get(SECRET_KEY_ENV) {
            let api_url = get(API_URL_ENV).unwrap_or_else(|| DEFAULT_API_URL.to_owned());
            let http =
                crate::tls::http_client().map_err(|e| VerifyError::InvalidConfig(e.to_string()))?;
            Self::with_jwks(JwksCache::new(api_url.trim(), secret_key, http))
        } else {
            return Err(VerifyError::InvalidConfig(format!(
                "set {JWT_KEY_ENV} (the JWT public key) or {SECRET_KEY_ENV}"
            )));
        };
        match get(PUBLISHABLE_KEY_ENV) {
            Some(pk) => options.publishable_key(&pk),
            None => Ok(options),
        }
    }

    /// Accept only tokens whose `azp` (the origin of the frontend that
    /// obtained the token) is one of `parties`, e.g.
    /// `["https://app.example.com"]`. Origins are compared exactly (a
    /// trailing `/` on a configured value is ignored).
    ///
    /// Once parties are configured, a token *without* `azp` is rejected too
    /// ([`VerifyError::UnauthorizedParty`] with `azp: None`): leaving the
    /// claim out must not bypass the check (Clerk's SDKs made the same
    /// change in 2026). An empty list turns the check off, and then tokens
    /// with any `azp`, or none, are accepted.
    ///
    /// Configure this when accepting the `__session` cookie: it stops a
    /// token obtained by another site on the same Clerk instance from being
    /// replayed against this one.
    pub fn authorized_parties<I, S>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let parties: Vec<String> = parties
            .into_iter()
            .map(|p| {
                let p: String = p.into();
                p.trim().trim_end_matches('/').to_owned()
            })
            .filter(|p| !p.is_empty())
            .collect();
        self.authorized_parties = Arc::from(parties);
        self
    }

    /// Formerly: with authorized parties configured, also reject tokens
    /// that have no `azp` claim. That is now always the case, so this does
    /// nothing.
    #[deprecated(
        note = "with authorized parties configured, a token without `azp` is always rejected"
    )]
    pub fn require_azp(self, _require: bool) -> Self {
        self
    }

    /// Require `iss` to be exactly `issuer`, the instance's Frontend API URL
    /// (e.g. `https://clerk.example.com`; a trailing `/` is ignored).
    /// Without it, `iss` must still be an `https://` URL; `iss` must be
    /// `https://` in any case, so an `http://` issuer never matches.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        let issuer: String = issuer.into();
        self.issuer = Some(issuer.trim().trim_end_matches('/').to_owned());
        self
    }

    /// Require the issuer encoded in the instance's publishable key
    /// (`pk_test_...` / `pk_live_...`), see
    /// [`issuer_from_publishable_key`].
    ///
    /// # Errors
    /// [`VerifyError::InvalidConfig`] if the key cannot be decoded.
    pub fn publishable_key(self, publishable_key: &str) -> Result<Self, VerifyError> {
        Ok(self.issuer(issuer_from_publishable_key(publishable_key)?))
    }

    /// The allowed difference between Clerk's clock and this server's for
    /// `exp`, `nbf` and `iat` (default [`DEFAULT_CLOCK_SKEW`], whole
    /// seconds).
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew_secs = skew.as_secs();
        self
    }

    /// Replaces the clock (seconds since the Unix epoch) used for `exp`,
    /// `nbf` and `iat`, e.g. in tests.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks times against a fixed instant (seconds since the Unix epoch),
    /// e.g. in tests.
    pub fn fixed_time(self, now: u64) -> Self {
        self.clock(move || now)
    }

    /// Where the verification keys come from.
    pub fn key_source(&self) -> &KeySource {
        &self.key_source
    }

    /// The issuer set by [`issuer`](Self::issuer) (or
    /// [`publishable_key`](Self::publishable_key)), if any. Getters are named
    /// `get_` + their setter, as in the AWS SDK's builders.
    pub fn get_issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The parties set by [`authorized_parties`](Self::authorized_parties)
    /// (empty: not checked).
    pub fn get_authorized_parties(&self) -> &[String] {
        &self.authorized_parties
    }

    /// The skew set by [`clock_skew`](Self::clock_skew).
    pub fn get_clock_skew(&self) -> Duration {
        Duration::from_secs(self.clock_skew_secs)
    }

    /// The issuer tokens must have, when one is configured.
    #[deprecated(note = "renamed `get_issuer`, after its setter `issuer`")]
    pub fn expected_issuer(&self) -> Option<&str> {
        self.get_issuer()
    }

    /// The configured authorized parties (empty: not checked).
    #[deprecated(note = "renamed `get_authorized_parties`, after its setter")]
    pub fn authorized_party_list(&self) -> &[String] {
        self.get_authorized_parties()
    }
}

impl fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("key_source", &self.key_source)
            .field("authorized_parties", &self.authorized_parties)
            .field("issuer", &self.issuer)
            .field("clock_skew_secs", &self.clock_skew_secs)
            .finish_non_exhaustive()
    }
}

/// The issuer (Frontend API URL) encoded in a publishable key.
///
/// A publishable key is `pk_test_` or `pk_live_` followed by the base64 of
/// `<frontend-api-host>$`; the issuer is `https://<frontend-api-host>`.
///
/// ```
/// use clerk_backend::auth::issuer_from_publishable_key;
/// // base64("clerk.example.com$") = "Y2xlcmsuZXhhbXBsZS5jb20k"
/// let iss = issuer_from_publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k").unwrap();
/// assert_eq!(iss, "https://clerk.example.com");
/// ```
///
/// # Errors
/// [`VerifyError::InvalidConfig`] if the key does not have that form.
pub fn issuer_from_publishable_key(publishable_key: &str) -> Result<String, VerifyError> {
    let invalid = |reason: &str| VerifyError::InvalidConfig(format!("publishable key: {reason}"));
    let key = publishable_key.trim();
    let encoded = key
        .strip_prefix("pk_test_")
        .or_else(|| key.strip_prefix("pk_live_"))
        .ok_or_else(|| invalid("expected pk_test_... or pk_live_..."))?;
    let lenient = |alphabet: &base64::alphabet::Alphabet| {
        base64::engine::GeneralPurpose::new(
            alphabet,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        )
        .decode(encoded)
    };
    let decoded = lenient(&base64::alphabet::STANDARD)
        .or_else(|_| lenient(&base64::alphabet::URL_SAFE))
        .map_err(|_| invalid("not base64"))?;
    let text = String::from_utf8(decoded).map_err(|_| invalid("not UTF-8"))?;
    let host = text
        .strip_suffix('$')
        .ok_or_else(|| invalid("does not encode a Frontend API host"))?;
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    if !host_ok {
        return Err(invalid("does not encode a valid Frontend API host"));
    }
    Ok(format!("https://{host}"))
}

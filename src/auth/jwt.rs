//! Session-token verification: [`verify_token`] and its [`VerifyOptions`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::claims::Claims;
use super::error::{VerifyError, echo};
use super::jwks::JwksCache;
use super::key::RsaKey;
use super::kind;
use crate::env::{API_URL_ENV, DEFAULT_API_URL, JWT_KEY_ENV, PUBLISHABLE_KEY_ENV, SECRET_KEY_ENV};

/// A clock: the current time in whole seconds.
///
/// For [`VerifyOptions::clock`] it is seconds since the Unix epoch; for
/// [`JwksCache::with_clock`] any monotonic count of seconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The default allowed clock skew between Clerk and this server: 5 seconds.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5);

/// Longest token accepted, in bytes. Clerk's session tokens are around a
/// kilobyte (they must fit in a cookie); this only stops absurd inputs
/// before any work is done.
const MAX_TOKEN_LEN: usize = 16 * 1024;

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
    key: Arc<RsaKey>,
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
    key_source: KeySource,
    authorized_parties: Arc<[String]>,
    issuer: Option<String>,
    clock_skew_secs: u64,
    clock: Clock,
}

fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl VerifyOptions {
    /// Options verifying with keys from `source`, with default checks.
    pub fn new(source: KeySource) -> Self {
        VerifyOptions {
            key_source: source,
            authorized_parties: Arc::from(Vec::new()),
            issuer: None,
            clock_skew_secs: DEFAULT_CLOCK_SKEW.as_secs(),
            clock: Arc::new(system_clock),
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

/// The fields of the JOSE header we look at before verifying.
#[derive(Deserialize)]
struct RawHeader {
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
    /// Clerk's token category (see `kind.rs`).
    #[serde(default)]
    cat: Option<String>,
    #[serde(default)]
    typ: Option<String>,
}

/// A token split into its parts, its header decoded and checked.
struct Jwt<'a> {
    header: RawHeader,
    /// `header.payload`: what the signature covers.
    signed: &'a str,
    payload: &'a str,
    signature: &'a str,
}

/// Splits the token and checks its header: RS256, no critical extensions,
/// and a session token's `cat` and `typ`.
fn parse_token(token: &str) -> Result<Jwt<'_>, VerifyError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(VerifyError::Malformed("token is too long".into()));
    }
    let not_a_jwt =
        || VerifyError::Malformed("not a JWT (expected three dot-separated parts)".into());
    let (signed, signature) = token.rsplit_once('.').ok_or_else(not_a_jwt)?;
    let (header, payload) = signed.split_once('.').ok_or_else(not_a_jwt)?;
    if payload.contains('.') {
        return Err(not_a_jwt());
    }
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| VerifyError::Malformed("header is not base64url".into()))?;
    let header: RawHeader = serde_json::from_slice(&header)
        .map_err(|_| VerifyError::Malformed("header is not a JSON object".into()))?;
    match header.alg.as_deref() {
        Some("RS256") => {}
        Some(alg) => return Err(VerifyError::UnsupportedAlgorithm { alg: echo(alg) }),
        None => return Err(VerifyError::Malformed("header has no alg".into())),
    }
    if header.crit.is_some() {
        return Err(VerifyError::Malformed(
            "header lists critical extensions, which are not supported".into(),
        ));
    }
    check_session_header(&header)?;
    Ok(Jwt {
        header,
        signed,
        payload,
        signature,
    })
}

/// Checks the protected header's `cat` and `typ` for a session token (see
/// [`kind`]). Runs before any key lookup, so a token of another kind costs
/// neither a key-set fetch nor a signature check.
fn check_session_header(header: &RawHeader) -> Result<(), VerifyError> {
    if let Some(cat) = header.cat.as_deref()
        && !kind::is_session_category(cat)
    {
        return Err(VerifyError::NotASessionCategory { cat: echo(cat) });
    }
    match header.typ.as_deref() {
        None | Some(kind::SESSION_TOKEN_TYPE) => Ok(()),
        Some(typ) if kind::is_oauth_access_token_type(typ) => {
            Err(VerifyError::OAuthAccessToken { typ: echo(typ) })
        }
        Some(typ) => Err(VerifyError::UnsupportedType { typ: echo(typ) }),
    }
}

/// Verifies a Clerk session token and returns its claims.
///
/// In order, it checks that:
///
/// 1. the token is a JWT whose header says `alg: RS256` (`none`, `HS256`,
///    `RS384` and everything else are rejected before any key is looked
///    at), and whose header marks a session token: `cat` absent or a
///    session category, `typ` absent or `JWT` (template, M2M and OAuth
///    tokens the instance also signs are rejected here);
/// 2. the key exists: with a [`KeySource::Jwks`], the header's `kid` must
///    be in the instance's key set (fetched once and cached; an unknown
///    `kid` causes at most one rate-limited refetch); with a
///    [`KeySource::Pem`] the fixed key is used and nothing touches the
///    network;
/// 3. the signature is valid (RSASSA-PKCS1-v1_5 with SHA-256, by ring);
/// 4. the claims have the expected shape (`sub`, `iss`, `exp` present),
///    and `sub` is not a machine (`mch_...`);
/// 5. `exp` is in the future and `nbf`/`iat` are not, within the clock
///    skew;
/// 6. `iss` is an `https://` URL, equal to the configured issuer if any;
/// 7. `azp` is present and one of the authorized parties, if they are
///    configured.
///
/// With the keys cached this is one RSA signature check plus cheap work,
/// without I/O.
///
/// # Errors
/// A [`VerifyError`] naming the first failed check.
///
/// # Example
///
/// ```no_run
/// use clerk_backend::auth::{verify_token, JwksCache, VerifyOptions};
///
/// # async fn handler(token: &str) -> Result<(), clerk_backend::auth::VerifyError> {
/// // Once, at startup:
/// let cache = JwksCache::new(
///     "https://api.clerk.com/v1",
///     std::env::var("CLERK_SECRET_KEY").unwrap(),
///     clerk_backend::tls::http_client().expect("TLS configuration"),
/// );
/// let options = VerifyOptions::with_jwks(cache)
///     .publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k")?
///     .authorized_parties(["https://app.example.com"]);
///
/// // Per request:
/// let claims = verify_token(token, &options).await?;
/// println!("user {} in org {:?}", claims.user_id(), claims.org_id());
/// # Ok(()) }
/// ```
pub async fn verify_token(token: &str, options: &VerifyOptions) -> Result<Claims, VerifyError> {
    let jwt = parse_token(token)?;
    match &options.key_source {
        KeySource::Pem(pem) => verify_with_key(&jwt, &pem.key, options),
        KeySource::Jwks(cache) => {
            let kid = jwt
                .header
                .kid
                .as_deref()
                .ok_or_else(|| VerifyError::Malformed("header has no kid".into()))?;
            let set = cache.key_set_for(kid).await?;
            let key = set
                .get(kid)
                .ok_or_else(|| VerifyError::UnknownKey { kid: echo(kid) })?;
            verify_with_key(&jwt, key, options)
        }
    }
}

/// Checks the signature over `header.payload`, then decodes the payload;
/// the claims are checked by [`check_claims`] with the injectable clock.
fn verify_with_key(
    jwt: &Jwt,
    key: &RsaKey,
    options: &VerifyOptions,
) -> Result<Claims, VerifyError> {
    let malformed = |reason: &str| VerifyError::Malformed(reason.to_owned());
    let signature = URL_SAFE_NO_PAD
        .decode(jwt.signature)
        .map_err(|_| malformed("the signature is not base64url"))?;
    if !key.verifies(jwt.signed.as_bytes(), &signature) {
        return Err(VerifyError::BadSignature);
    }
    let payload = URL_SAFE_NO_PAD
        .decode(jwt.payload)
        .map_err(|_| malformed("the payload is not base64url"))?;
    let claims = serde_json::from_slice::<Claims>(&payload)
        .map_err(|e| VerifyError::Malformed(describe_json_error(&e)))?;
    check_claims(&claims, options)?;
    Ok(claims)
}

fn check_claims(claims: &Claims, options: &VerifyOptions) -> Result<(), VerifyError> {
    if kind::is_machine_subject(&claims.sub) {
        return Err(VerifyError::MachineSubject {
            sub: echo(&claims.sub),
        });
    }
    let now = (options.clock)();
    let skew = options.clock_skew_secs;
    if now >= claims.exp.saturating_add(skew) {
        return Err(VerifyError::Expired {
            exp: claims.exp,
            now,
        });
    }
    if let Some(nbf) = claims.nbf
        && nbf > now.saturating_add(skew)
    {
        return Err(VerifyError::NotYetValid { nbf, now });
    }
    if let Some(iat) = claims.iat
        && iat > now.saturating_add(skew)
    {
        return Err(VerifyError::IssuedInFuture { iat, now });
    }

    let issuer_ok = is_https_url(&claims.iss)
        && options
            .issuer
            .as_deref()
            .is_none_or(|expected| claims.iss == expected);
    if !issuer_ok {
        return Err(VerifyError::WrongIssuer {
            iss: echo(&claims.iss),
        });
    }

    check_authorized_party(claims.azp.as_deref(), &options.authorized_parties)
}

/// With parties configured, `azp` must be present and one of them.
fn check_authorized_party(azp: Option<&str>, parties: &[String]) -> Result<(), VerifyError> {
    if parties.is_empty() || azp.is_some_and(|azp| parties.iter().any(|p| p == azp)) {
        return Ok(());
    }
    Err(VerifyError::UnauthorizedParty { azp: azp.map(echo) })
}

/// `https://` followed by a non-empty host.
fn is_https_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    !authority.is_empty()
        && authority
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'@' && b != b'\\')
}

/// Describes a claims-decoding error without echoing claim values.
fn describe_json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    if message.starts_with("missing field") {
        format!("claims: {message}")
    } else if let Some((_, expected)) = message.split_once(", expected ") {
        format!("claims: a claim has the wrong type (expected {expected})")
    } else if error.is_syntax() || error.is_eof() {
        "claims are not valid JSON".into()
    } else {
        "claims are not a JSON object of the expected shape".into()
    }
}

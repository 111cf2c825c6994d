//! Session tokens: [`verify_token`], a JWT of the session kind checked
//! against [`VerifyOptions`], and its [`Claims`].

use super::checks::VerifyOptions;
use super::claims::Claims;
use super::error::{VerifyError, echo};
use super::jwt::{self, RawHeader};
use super::kind;

/// Verifies a Clerk session token and returns its claims.
///
/// In order, it checks that:
///
/// 1. the token is a JWT whose header says `alg: RS256` (`none`, `HS256`,
///    `RS384` and everything else are rejected before any key is looked
///    at), and whose header marks a session token: `cat` absent or a
///    session category, `typ` absent or `JWT` (template, M2M and OAuth
///    tokens the instance also signs are rejected here);
/// 2. the key exists: with a [`KeySource::Jwks`](super::KeySource::Jwks), the header's `kid` must
///    be in the instance's key set (fetched once and cached; an unknown
///    `kid` causes at most one rate-limited refetch); with a
///    [`KeySource::Pem`](super::KeySource::Pem) the fixed key is used and nothing touches the
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
    let jwt = jwt::parse(token)?;
    check_session_header(&jwt.header)?;
    let claims: Claims = jwt.verify(options).await?;
    check_claims(&claims, options)?;
    Ok(claims)
}

/// Checks the protected header's `cat` and `typ` for a session token (see
/// [`kind`]). Runs before any key lookup, so a token of another kind costs
/// neither a key-set fetch nor a signature check.
pub(super) fn check_session_header(header: &RawHeader) -> Result<(), VerifyError> {
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

/// The session claims' checks, after the signature: a user subject, the
/// times, the issuer and the authorized party.
fn check_claims(claims: &Claims, options: &VerifyOptions) -> Result<(), VerifyError> {
    if kind::is_machine_subject(&claims.sub) {
        return Err(VerifyError::MachineSubject {
            sub: echo(&claims.sub),
        });
    }
    jwt::check_times(claims.exp, claims.nbf, claims.iat, options)?;
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

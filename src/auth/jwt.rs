//! Verifying a JWT the instance signed, and sorting its kind.
//!
//! One key signs session tokens, JWT-template tokens, M2M tokens and OAuth
//! access tokens, so this module knows nothing of claims beyond the time
//! claims: it splits a token, checks its header (RS256, no critical
//! extensions), tells its kind from the header (and, for an M2M token
//! without a category, from its subject) *before* any claims are decoded,
//! finds its key and checks its signature. Session claims are checked in
//! `session.rs`, machine claims in `machine/jwt.rs`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::checks::{KeySource, VerifyOptions};
use super::error::{VerifyError, echo};
use super::key::RsaKey;
use super::kind;

/// Longest token accepted, in bytes. Clerk's session tokens are around a
/// kilobyte (they must fit in a cookie); this only stops absurd inputs
/// before any work is done.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The fields of the JOSE header we look at before verifying.
#[derive(Deserialize)]
pub(super) struct RawHeader {
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<IgnoredAny>,
    /// Clerk's token category (see `kind.rs`).
    #[serde(default)]
    pub(super) cat: Option<String>,
    #[serde(default)]
    pub(super) typ: Option<String>,
}

/// A token split into its parts, its header decoded and checked.
pub(super) struct Jwt<'a> {
    pub(super) header: RawHeader,
    /// `header.payload`: what the signature covers.
    signed: &'a str,
    payload: &'a str,
    signature: &'a str,
}

/// The kind of a JWT, as its header (and subject) mark it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JwtKind {
    /// Anything that is not marked as a machine's: verified as a session
    /// token, whose own checks reject templates and unknown categories.
    Session,
    /// An M2M token: a machine subject (`mch_...`) or the M2M category.
    M2m,
    /// An OAuth access token: `typ` `at+jwt` or `application/at+jwt`.
    OAuth,
}

/// Splits the token and checks its header: RS256 and no critical
/// extensions. Which kind of token it is is checked by the caller.
pub(super) fn parse(token: &str) -> Result<Jwt<'_>, VerifyError> {
    let jwt = split(token)?;
    match jwt.header.alg.as_deref() {
        Some("RS256") => {}
        Some(alg) => return Err(VerifyError::UnsupportedAlgorithm { alg: echo(alg) }),
        None => return Err(VerifyError::Malformed("header has no alg".into())),
    }
    if jwt.header.crit.is_some() {
        return Err(VerifyError::Malformed(
            "header lists critical extensions, which are not supported".into(),
        ));
    }
    Ok(jwt)
}

/// Splits the token and decodes its header, checking nothing: for sorting
/// a token by kind, so that a token of a machine kind with a bad header
/// fails that kind's verification rather than passing for another kind.
pub(super) fn split(token: &str) -> Result<Jwt<'_>, VerifyError> {
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
    Ok(Jwt {
        header,
        signed,
        payload,
        signature,
    })
}

impl Jwt<'_> {
    /// The token's kind, before its signature is checked (an unsigned guess
    /// that only picks which checks run): an OAuth `typ` first, then a
    /// machine subject, then the M2M category. Only the subject is read of
    /// the payload; a payload that cannot be read sorts as a session token,
    /// whose checks reject it.
    pub(super) fn kind(&self) -> JwtKind {
        if self
            .header
            .typ
            .as_deref()
            .is_some_and(kind::is_oauth_access_token_type)
        {
            return JwtKind::OAuth;
        }
        #[derive(Deserialize)]
        struct Subject {
            #[serde(default)]
            sub: Option<String>,
        }
        let subject = URL_SAFE_NO_PAD
            .decode(self.payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Subject>(&bytes).ok())
            .and_then(|s| s.sub);
        let machine_subject = subject.as_deref().is_some_and(kind::is_machine_subject);
        if machine_subject || self.header.cat.as_deref() == Some(kind::CATEGORY_M2M_TOKEN) {
            JwtKind::M2m
        } else {
            JwtKind::Session
        }
    }

    /// Finds the token's key, checks the signature over `header.payload`,
    /// then decodes the payload as `C`.
    ///
    /// With a [`KeySource::Jwks`] the header's `kid` must be in the key set
    /// (fetched once and cached, see [`JwksCache`](super::JwksCache)); with a
    /// [`KeySource::Pem`] the fixed key is used and nothing touches the
    /// network.
    pub(super) async fn verify<C: DeserializeOwned>(
        &self,
        options: &VerifyOptions,
    ) -> Result<C, VerifyError> {
        match &options.key_source {
            KeySource::Pem(pem) => self.verify_with_key(&pem.key),
            KeySource::Jwks(cache) => {
                let kid = self
                    .header
                    .kid
                    .as_deref()
                    .ok_or_else(|| VerifyError::Malformed("header has no kid".into()))?;
                let set = cache.key_set_for(kid).await?;
                let key = set
                    .get(kid)
                    .ok_or_else(|| VerifyError::UnknownKey { kid: echo(kid) })?;
                self.verify_with_key(key)
            }
        }
    }

    fn verify_with_key<C: DeserializeOwned>(&self, key: &RsaKey) -> Result<C, VerifyError> {
        let malformed = |reason: &str| VerifyError::Malformed(reason.to_owned());
        let signature = URL_SAFE_NO_PAD
            .decode(self.signature)
            .map_err(|_| malformed("the signature is not base64url"))?;
        if !key.verifies(self.signed.as_bytes(), &signature) {
            return Err(VerifyError::BadSignature);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(self.payload)
            .map_err(|_| malformed("the payload is not base64url"))?;
        serde_json::from_slice::<C>(&payload)
            .map_err(|e| VerifyError::Malformed(describe_json_error(&e)))
    }
}

/// The payload of `token` decoded as `C`, without any check: for the
/// cookie rules that read a token's `iss`, `iat`, `exp` or `sid` before (or
/// instead of) verifying it. `None` when it is not a JWT or `C` does not
/// fit.
pub(crate) fn unverified_payload<C: DeserializeOwned>(token: &str) -> Option<C> {
    let jwt = split(token).ok()?;
    let payload = URL_SAFE_NO_PAD.decode(jwt.payload).ok()?;
    serde_json::from_slice(&payload).ok()
}

/// Checks `exp` (in the future), `nbf` and `iat` (not in the future)
/// against the options' clock, within their skew.
pub(super) fn check_times(
    exp: u64,
    nbf: Option<u64>,
    iat: Option<u64>,
    options: &VerifyOptions,
) -> Result<(), VerifyError> {
    let now = (options.clock)();
    let skew = options.clock_skew_secs;
    if now >= exp.saturating_add(skew) {
        return Err(VerifyError::Expired { exp, now });
    }
    if let Some(nbf) = nbf
        && nbf > now.saturating_add(skew)
    {
        return Err(VerifyError::NotYetValid { nbf, now });
    }
    if let Some(iat) = iat
        && iat > now.saturating_add(skew)
    {
        return Err(VerifyError::IssuedInFuture { iat, now });
    }
    Ok(())
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

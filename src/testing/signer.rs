//! The fake's signing key and key set: one RSA key per process, a `kid`
//! per fake, and tokens headed as Clerk heads them.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// An RSA key pair: the private half for signing, the public half as JWK
/// components.
pub(crate) struct RsaKey {
    encoding: EncodingKey,
    n: String,
    e: String,
}

/// Makes a 2048-bit RSA key (Clerk's size). The only place that touches
/// the crypto backend.
fn generate_rsa() -> Result<RsaKey, String> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|e| format!("RSA key generation failed: {e}"))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|e| format!("RSA key encoding failed: {e}"))?;
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(pkcs8.as_ref())
    );
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|e| format!("RSA key not accepted by jsonwebtoken: {e}"))?;
    let public = pair.public_key();
    Ok(RsaKey {
        encoding,
        n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
        e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
    })
}

/// The process's signing key, made on first use.
///
/// Every fake signs with it under its own `kid` (and issuer): a fake's key
/// set has only its own `kid`, so another fake's tokens fail verification
/// with an unknown key (and a wrong issuer). Sharing the key keeps
/// [`FakeClerk::start`](super::FakeClerk::start) fast, key generation being
/// the slow part of starting.
pub(crate) fn process_key() -> Result<Arc<RsaKey>, String> {
    static KEY: OnceLock<Result<Arc<RsaKey>, String>> = OnceLock::new();
    KEY.get_or_init(|| generate_rsa().map(Arc::new)).clone()
}

/// One fake's signing identity: the key and its `kid`.
pub(crate) struct Signer {
    key: Arc<RsaKey>,
    kid: String,
}

impl Signer {
    pub(crate) fn new(key: Arc<RsaKey>, kid: String) -> Self {
        Signer { key, kid }
    }

    /// `GET /v1/jwks`.
    pub(crate) fn jwks(&self) -> Value {
        json!({"keys": [{
            "use": "sig",
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "n": self.key.n,
            "e": self.key.e,
        }]})
    }

    /// An RS256 session token of `claims`, with this signer's `kid` and
    /// Clerk's session-token category in the header, as Clerk mints them.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        self.sign_as(
            claims,
            "JWT",
            Some(crate::auth::kind::CATEGORY_SESSION_TOKEN),
        )
    }

    /// An RS256 token of `claims` with this `typ` and `cat` (none when
    /// `None`): M2M tokens carry the M2M category, OAuth access tokens the
    /// `at+jwt` type.
    pub(crate) fn sign_as(&self, claims: &Value, typ: &str, cat: Option<&str>) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        if let Some(cat) = cat {
            header.extras.insert("cat", cat.to_owned());
        }
        // Encoding a JSON value with a valid RSA key cannot fail.
        jsonwebtoken::encode(&header, claims, &self.key.encoding)
            .expect("signing with the fake's RSA key")
    }
}

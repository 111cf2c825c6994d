//! RSA test keys and RS256 session tokens, shared by the auth tests and the
//! verification bench. Include with
//! `#[path = "support/test_key.rs"] mod test_key;`.

#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// An RSA key pair made for the tests.
pub struct TestKey {
    pub kid: &'static str,
    pub encoding: EncodingKey,
    /// JWK form of the public key.
    pub jwk: Value,
    /// SubjectPublicKeyInfo PEM of the public key.
    pub public_pem: String,
}

/// PEM-armours `der` under `label`, 64 base64 characters a line.
pub fn pem_wrap(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

impl TestKey {
    /// A fresh 2048-bit key (like Clerk's). Slow in debug builds: make one
    /// per test binary.
    pub fn generate(kid: &'static str) -> TestKey {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::signature::KeyPair as _;
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8 = pair.as_der().unwrap();
        let encoding =
            EncodingKey::from_rsa_pem(pem_wrap("PRIVATE KEY", pkcs8.as_ref()).as_bytes()).unwrap();
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        let spki = public.as_der().unwrap();
        TestKey {
            kid,
            encoding,
            jwk: json!({"use": "sig", "kty": "RSA", "kid": kid, "alg": "RS256", "n": n, "e": e}),
            public_pem: pem_wrap("PUBLIC KEY", spki.as_ref()),
        }
    }

    /// An RS256 token of `claims`, with this key's `kid` and `typ: JWT`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.to_owned());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// A token with exactly `header` (add `kid` yourself), signed by this key
    /// with the RSA algorithm its `alg` names (RS256 when absent), so tests
    /// can set header fields jsonwebtoken has no slot for (`cat`).
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let algorithm = match header["alg"].as_str() {
            Some("RS384") => Algorithm::RS384,
            Some("RS512") => Algorithm::RS512,
            _ => Algorithm::RS256,
        };
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature =
            jsonwebtoken::crypto::sign(signed.as_bytes(), &self.encoding, algorithm).unwrap();
        format!("{signed}.{signature}")
    }

    /// A token signed by this key but naming another `kid`.
    pub fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

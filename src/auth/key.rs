//! RSA public keys and the RS256 signature check, on
//! [ring](https://docs.rs/ring).
//!
//! Clerk signs session tokens with RS256 only, so this is all the
//! cryptography verification needs. ring is also the TLS crypto provider,
//! so the check costs no extra dependency (a JWT library would bring a
//! second crypto backend to build).

use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};

/// An RSA public key (2048 to 8192 bits) that checks RS256 signatures.
#[derive(Clone)]
pub(crate) struct RsaKey {
    components: RsaPublicKeyComponents<Vec<u8>>,
}

impl RsaKey {
    /// A key from its big-endian modulus and public exponent, checked for
    /// the sizes the verifier accepts, so that a bad key fails here and not
    /// as a bad signature on every token.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, String> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        if !(256..=1024).contains(&n.len()) {
            return Err(format!(
                "modulus of {} bits is not between 2048 and 8192",
                n.len() * 8
            ));
        }
        // ring accepts odd exponents from 3 to 2^33 - 1.
        let exponent = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e.len() > 5 || !(3..1 << 33).contains(&exponent) || exponent % 2 == 0 {
            return Err("implausible public exponent".into());
        }
        Ok(RsaKey {
            components: RsaPublicKeyComponents {
                n: n.to_vec(),
                e: e.to_vec(),
            },
        })
    }

    /// A key from DER: a SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or a
    /// PKCS#1 RSAPublicKey (`BEGIN RSA PUBLIC KEY`).
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, String> {
        let pkcs1 = spki_rsa_public_key(der).unwrap_or(der);
        let (n, e) = pkcs1_components(pkcs1).ok_or("not an RSA public key")?;
        Self::from_components(n, e)
    }

    /// Whether `signature` is this key's RSASSA-PKCS1-v1_5 SHA-256
    /// signature of `message`.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.components
            .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
            .is_ok()
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// `rsaEncryption` (1.2.840.113549.1.1.1), DER-encoded with its tag.
const RSA_ENCRYPTION_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];

/// The RSAPublicKey inside a SubjectPublicKeyInfo whose algorithm is
/// `rsaEncryption`; `None` if `der` is not one.
fn spki_rsa_public_key(der: &[u8]) -> Option<&[u8]> {
    let (spki, rest) = der_element(der, SEQUENCE)?;
    let (algorithm, spki) = der_element(spki, SEQUENCE)?;
    let (bits, after) = der_element(spki, BIT_STRING)?;
    if !rest.is_empty() || !after.is_empty() || !algorithm.starts_with(RSA_ENCRYPTION_OID) {
        return None;
    }
    // The first content byte of a BIT STRING counts unused bits: none here.
    bits.strip_prefix(&[0])
}

/// The modulus and exponent of a DER RSAPublicKey.
fn pkcs1_components(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (key, rest) = der_element(der, SEQUENCE)?;
    let (n, key) = der_element(key, INTEGER)?;
    let (e, key) = der_element(key, INTEGER)?;
    (rest.is_empty() && key.is_empty()).then_some((n, e))
}

const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const SEQUENCE: u8 = 0x30;

/// Splits one DER element with the given tag off the front of `input`:
/// its contents and what follows it.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, input) = input.split_first()?;
    let (&len, mut input) = input.split_first()?;
    if first != tag {
        return None;
    }
    let len = if len < 0x80 {
        usize::from(len)
    } else {
        // Long form: the low bits count the length bytes that follow.
        let count = usize::from(len & 0x7f);
        if count == 0 || count > 4 || input.len() < count {
            return None;
        }
        let (bytes, after) = input.split_at(count);
        input = after;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    (input.len() >= len).then(|| input.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER of `tag` around `contents`.
    fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match contents.len() {
            len @ 0..=0x7f => out.push(len as u8),
            len @ 0x80..=0xff => out.extend([0x81, len as u8]),
            len => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
        out.extend_from_slice(contents);
        out
    }

    fn modulus(bits: usize) -> Vec<u8> {
        // A leading zero, as DER writes a positive integer with its top bit set.
        let mut n = vec![0xc5; bits / 8 + 1];
        n[0] = 0;
        n
    }

    fn pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
        der(SEQUENCE, &[der(INTEGER, n), der(INTEGER, e)].concat())
    }

    fn spki(pkcs1: &[u8]) -> Vec<u8> {
        let algorithm = der(SEQUENCE, &[RSA_ENCRYPTION_OID, &[0x05, 0x00]].concat());
        let bits = der(BIT_STRING, &[&[0u8][..], pkcs1].concat());
        der(SEQUENCE, &[algorithm, bits].concat())
    }

    #[test]
    fn parses_spki_and_pkcs1() {
        let key = pkcs1(&modulus(2048), &[1, 0, 1]);
        for der in [key.clone(), spki(&key)] {
            let parsed = RsaKey::from_der(&der).unwrap();
            assert_eq!(parsed.components.n.len(), 256);
            assert_eq!(parsed.components.e, [1, 0, 1]);
        }
    }

    #[test]
    fn rejects_other_der() {
        let key = pkcs1(&modulus(2048), &[1, 0, 1]);
        let mut trailing = spki(&key);
        trailing.push(0);
        let mut ec = spki(&key);
        ec[8] = 0x3d; // another OID
        for bad in [
            vec![],
            vec![SEQUENCE],
            vec![SEQUENCE, 0x84, 0xff, 0xff, 0xff, 0xff],
            trailing,
            ec,
            key[..key.len() - 1].to_vec(),
            der(SEQUENCE, &[der(INTEGER, &modulus(2048))].concat()),
        ] {
            assert!(RsaKey::from_der(&bad).is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn checks_sizes() {
        assert!(RsaKey::from_components(&modulus(2048), &[3]).is_ok());
        assert!(RsaKey::from_components(&modulus(8192), &[1, 0, 1]).is_ok());
        for (n, e) in [
            (modulus(1024), vec![1, 0, 1]),
            (modulus(8200), vec![1, 0, 1]),
            (modulus(2048), vec![]),
            (modulus(2048), vec![1]),
            (modulus(2048), vec![1, 0, 0]),
            (modulus(2048), vec![2, 0, 0, 0, 1]),
        ] {
            assert!(
                RsaKey::from_components(&n, &e).is_err(),
                "{} {e:?}",
                n.len()
            );
        }
    }
}

//! [`SecretKey`]: the instance's secret key, redacted wherever it could be
//! printed.

use crate::error::ConfigError;
use reqwest::header::HeaderValue;
use std::fmt;

/// The instance's secret key (`sk_live_...` / `sk_test_...`).
///
/// Its `Debug` output is redacted, so it can sit in structs that derive
/// `Debug` without leaking into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wrap a secret key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for code that must send it somewhere.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `Authorization: Bearer <key>`, marked sensitive so that HTTP-level
    /// debugging tools redact it too.
    pub(crate) fn bearer(&self) -> Result<HeaderValue, ConfigError> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0.trim()))
            .map_err(|_| ConfigError::InvalidSecretKey)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.0.starts_with("sk_live_") {
            "sk_live_"
        } else if self.0.starts_with("sk_test_") {
            "sk_test_"
        } else {
            ""
        };
        write!(f, "SecretKey({kind}<redacted>)")
    }
}

impl From<&str> for SecretKey {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for SecretKey {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

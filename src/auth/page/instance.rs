//! The instance settings the page rules need: the publishable key (the
//! Frontend API host, the instance type, the cookie suffix) and the
//! multi-domain settings (satellite, domain, proxy, sign-in URL).

use base64::Engine as _;

use crate::auth::checks::issuer_from_publishable_key;
use crate::auth::error::VerifyError;

/// What the publishable key says about the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frontend {
    /// The key itself (public by design).
    pub(crate) publishable_key: String,
    /// The Frontend API host encoded in the key (`clerk.example.com`), also
    /// the issuer host of its session tokens.
    pub(crate) frontend_api: String,
    /// `pk_test_` keys are development instances.
    pub(crate) development: bool,
    /// The suffix of the instance's cookies (`__session_<suffix>`).
    pub(crate) cookie_suffix: String,
}

impl Frontend {
    pub(crate) fn from_publishable_key(key: &str) -> Result<Self, VerifyError> {
        let key = key.trim();
        let issuer = issuer_from_publishable_key(key)?;
        let frontend_api = issuer.trim_start_matches("https://").to_owned();
        Ok(Frontend {
            publishable_key: key.to_owned(),
            frontend_api,
            development: key.starts_with("pk_test_"),
            cookie_suffix: cookie_suffix(key),
        })
    }
}

/// Clerk's cookie suffix of a publishable key: the first 8 characters of
/// the URL-safe base64 of the key's SHA-1 digest. (SHA-1 is Clerk's choice
/// of a short, stable name, not a security measure.)
pub(crate) fn cookie_suffix(publishable_key: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        publishable_key.as_bytes(),
    );
    let encoded = base64::engine::general_purpose::URL_SAFE.encode(digest.as_ref());
    encoded.chars().take(8).collect()
}

/// The multi-domain settings of the instance, as Clerk's SDKs take them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MultiDomain {
    pub(crate) satellite: bool,
    pub(crate) domain: Option<String>,
    pub(crate) proxy_url: Option<String>,
    pub(crate) sign_in_url: Option<String>,
    pub(crate) satellite_auto_sync: bool,
}

impl MultiDomain {
    /// Clerk's configuration checks for satellites: a domain or a proxy URL;
    /// on development instances an absolute sign-in URL.
    pub(crate) fn check(&self, frontend: &Frontend) -> Result<(), VerifyError> {
        if !self.satellite {
            return Ok(());
        }
        let invalid = |reason: &str| Err(VerifyError::InvalidConfig(reason.to_owned()));
        if self.domain.is_none() && self.proxy_url.is_none() {
            return invalid("a satellite needs a domain or a proxy URL");
        }
        match self.sign_in_url.as_deref() {
            None if frontend.development => {
                invalid("a satellite of a development instance needs a sign-in URL")
            }
            Some(url) if reqwest::Url::parse(url).is_err() => {
                invalid("the sign-in URL must be an absolute URL")
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_suffix_is_clerks() {
        // The suffix Clerk's own tests use for this key.
        let pk = "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
        assert_eq!(cookie_suffix(pk), "MqCvchyS");
        let frontend = Frontend::from_publishable_key(pk).unwrap();
        assert_eq!(frontend.frontend_api, "clerk.inspired.puma-74.lcl.dev");
        assert!(!frontend.development);
        let dev =
            Frontend::from_publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
                .unwrap();
        assert!(dev.development);
        assert_ne!(dev.cookie_suffix, frontend.cookie_suffix);
    }

    #[test]
    fn satellites_need_a_domain_or_proxy_and_in_development_a_sign_in_url() {
        let live = Frontend::from_publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k").unwrap();
        let test = Frontend::from_publishable_key("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k").unwrap();
        let mut multi = MultiDomain {
            satellite: true,
            ..MultiDomain::default()
        };
        assert!(multi.check(&live).is_err());
        multi.domain = Some("satellite.dev".into());
        assert!(multi.check(&live).is_ok());
        assert!(multi.check(&test).is_err());
        multi.sign_in_url = Some("/sign-in".into());
        assert!(multi.check(&test).is_err());
        multi.sign_in_url = Some("https://primary.dev/sign-in".into());
        assert!(multi.check(&test).is_ok());
    }
}

//! The TLS setup of the HTTP clients this crate builds.
//!
//! With the default `rustls` feature, connections use rustls with the
//! [ring](https://docs.rs/ring) crypto provider, and server certificates are
//! checked by [`rustls-platform-verifier`](https://docs.rs/rustls-platform-verifier):
//! the operating system's verifier on macOS, Windows and Android, and
//! webpki with the system's root certificates elsewhere, which is what
//! reqwest itself does by default. The configuration is passed to each
//! client; nothing is installed process-wide, so an application remains free
//! to install its own default rustls provider.
//!
//! With the `native-tls` feature enabled, the platform's TLS library is used
//! instead (it takes precedence, as it does in reqwest).
//!
//! Use [`http_client_builder`] for any `reqwest::Client` handed to this
//! crate (for example [`JwksCache::new`](crate::auth::JwksCache::new)): with
//! the default features, reqwest is built without a crypto provider of its
//! own, and `reqwest::Client::new()` panics unless the application installed
//! a default rustls provider or enables reqwest's `rustls` feature itself.

use crate::error::ConfigError;

/// A `reqwest::ClientBuilder` with this crate's TLS backend configured (see
/// the [module documentation](self)). Add timeouts, proxies and the like,
/// then `build()` it.
///
/// ```no_run
/// use std::time::Duration;
///
/// let http = clerk_backend::tls::http_client_builder()?
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, ConfigError> {
    #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
    {
        Ok(reqwest::Client::builder().tls_backend_preconfigured(ring::client_config()?))
    }
    #[cfg(not(all(feature = "rustls", not(feature = "native-tls"))))]
    {
        Ok(reqwest::Client::builder())
    }
}

/// A `reqwest::Client` with this crate's TLS backend and reqwest's defaults
/// otherwise (no timeout): `http_client_builder()?.build()`.
pub fn http_client() -> Result<reqwest::Client, ConfigError> {
    Ok(http_client_builder()?.build()?)
}

#[cfg(feature = "rustls")]
mod ring {
    use crate::error::ConfigError;
    use rustls::ClientConfig;
    use rustls_platform_verifier::BuilderVerifierExt;
    use std::sync::Arc;

    /// rustls with ring, the platform verifier, and the ALPN protocols this
    /// build of reqwest speaks (reqwest sets them itself only for the
    /// configurations it builds). Unused when `native-tls` takes precedence,
    /// but still compiled and tested.
    #[cfg_attr(feature = "native-tls", allow(dead_code))]
    pub(super) fn client_config() -> Result<ClientConfig, ConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|builder| builder.with_platform_verifier())
            .map_err(|e| ConfigError::Tls(e.to_string()))?
            .with_no_client_auth();
        config.alpn_protocols = alpn();
        Ok(config)
    }

    #[cfg_attr(feature = "native-tls", allow(dead_code))]
    fn alpn() -> Vec<Vec<u8>> {
        let mut protocols = Vec::new();
        if cfg!(feature = "http2") {
            protocols.push(b"h2".to_vec());
        }
        protocols.push(b"http/1.1".to_vec());
        protocols
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn config_uses_ring_and_offers_http1() {
            let config = client_config().expect("TLS configuration");
            assert_eq!(
                config.alpn_protocols.last().map(Vec::as_slice),
                Some(&b"http/1.1"[..])
            );
            assert_eq!(
                config.alpn_protocols.iter().any(|p| p == b"h2"),
                cfg!(feature = "http2")
            );
            // ring's provider offers the TLS 1.3 and 1.2 suites.
            assert!(
                config
                    .crypto_provider()
                    .cipher_suites
                    .iter()
                    .any(|s| s.version() == &rustls::version::TLS13)
            );
            // Nothing was installed process-wide.
            assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        }
    }
}

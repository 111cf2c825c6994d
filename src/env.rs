//! The environment variables the crate reads, and the default each one
//! falls back to: defined once, so the client, `auth` and the integrations
//! always agree on a name.

/// Clerk's Backend API, used when [`API_URL_ENV`] is not set.
pub const DEFAULT_API_URL: &str = "https://api.clerk.com/v1";

/// The instance's secret key (`sk_live_...` / `sk_test_...`).
pub const SECRET_KEY_ENV: &str = "CLERK_SECRET_KEY";
/// Overrides the Backend API URL, with its version path (as in
/// `https://api.clerk.com/v1`): for proxies and tests.
pub const API_URL_ENV: &str = "CLERK_API_URL";
/// The instance's JWT public key (PEM), for verifying session tokens
/// without any network access.
pub const JWT_KEY_ENV: &str = "CLERK_JWT_KEY";
/// The instance's publishable key (`pk_live_...` / `pk_test_...`), which
/// names its Frontend API and so the issuer of its session tokens.
pub const PUBLISHABLE_KEY_ENV: &str = "CLERK_PUBLISHABLE_KEY";
/// The signing secret of a webhook endpoint (`whsec_...`).
pub const WEBHOOK_SIGNING_SECRET_ENV: &str = "CLERK_WEBHOOK_SIGNING_SECRET";
/// A machine's secret key (`ak_...`), with which M2M tokens are verified
/// when it is set (else the instance's secret key is used).
pub const MACHINE_SECRET_KEY_ENV: &str = "CLERK_MACHINE_SECRET_KEY";
/// The application's domain, for a satellite (`satellite.example.com`).
pub const DOMAIN_ENV: &str = "CLERK_DOMAIN";
/// `true` when the application is a satellite domain of its instance.
pub const IS_SATELLITE_ENV: &str = "CLERK_IS_SATELLITE";
/// The URL of the application's Frontend API proxy.
pub const PROXY_URL_ENV: &str = "CLERK_PROXY_URL";
/// The primary domain's sign-in page, for a satellite.
pub const SIGN_IN_URL_ENV: &str = "CLERK_SIGN_IN_URL";

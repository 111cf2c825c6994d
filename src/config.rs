//! Earlier paths of the client's configuration, kept so code written
//! against them (and the generated client, which names
//! `crate::config::Inner`) still compiles. New code uses the crate root
//! ([`crate::Client`], [`crate::ClientBuilder`], [`crate::SecretKey`],
//! [`crate::ConfigError`]) or the modules that define them:
//!
//! - [`Client`], [`ClientBuilder`] and [`DEFAULT_TIMEOUT`] are in
//!   [`crate::client`];
//! - [`SecretKey`] is in [`crate::secret`];
//! - [`ConfigError`] is in [`crate::error`], beside the other errors;
//! - [`DEFAULT_API_URL`] and the `CLERK_*` variable names are in
//!   [`crate::env`].

pub use crate::client::{Client, ClientBuilder, DEFAULT_TIMEOUT, Inner};
pub use crate::env::{API_URL_ENV, DEFAULT_API_URL, SECRET_KEY_ENV};
pub use crate::error::ConfigError;
pub use crate::secret::SecretKey;

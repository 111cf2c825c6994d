//! # clerk-backend
//!
//! A Rust client for [Clerk](https://clerk.com)'s Backend API, generated at
//! build time from the OpenAPI spec in `openapi/clerk.yaml`, plus the pieces
//! a backend needs around it.
//!
//! ```no_run
//! # async fn run() -> clerk_backend::Result<()> {
//! let client = clerk_backend::Client::from_env()?; // CLERK_SECRET_KEY
//! let users = client.get_user_list().limit(10).send().await?;
//! println!("{} users", users.len());
//! # Ok(()) }
//! ```
//!
//! - [`Client`]: every operation of the API as a builder method
//!   (`client.get_user().user_id("user_...").send()`); request and response
//!   types are in [`types`].
//! - [`Error`]: one error type for every call, via `?`.
//! - [`Paginate`]: every list operation as a stream of items
//!   (`client.get_user_list().into_paginator().items()`).
//! - [`retry`]: retries with backoff, on by default.
//! - [`auth`]: networkless session-token verification ([`auth::verify_token`],
//!   [`auth::authenticate_request`]).
//! - [`webhooks`]: webhook signature verification and typed events.
//! - `axum` (with the `axum` cargo feature): extractors and a tower layer
//!   for session tokens and webhooks.
//! - `testing` (with the `testing` cargo feature): a local fake of Clerk,
//!   stateful and offline, for an application's own tests.
//!
//! The generated code lives in [`generated`]; everything else is a small
//! handwritten module with one job.

pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
pub mod config;
pub mod error;
pub mod ext;
pub mod generated;
mod hooks;
pub mod retry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhooks;

pub use config::{Client, ClientBuilder, ConfigError, SecretKey};
pub use error::{ApiError, DecodeError, Error, ErrorDetail, Result};
pub use ext::{Paginate, Paginator};
pub use generated::{ByteStream, ResponseValue, builder, multipart, types};
pub use retry::RetryPolicy;

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

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
//! # Modules
//!
//! The client:
//! - [`Client`] ([`client`]): every operation of the API as a builder method
//!   (`client.get_user().user_id("user_...").send()`), configured by a
//!   [`ClientBuilder`]; request and response types are in [`types`]. The
//!   raw generated code is in [`generated`]; the run-time support it calls
//!   is private.
//! - [`Error`] ([`error`]): one error type for every call, returned by
//!   `send()`; [`ConfigError`] for building a client.
//! - [`Paginate`] ([`paginate`]): every list operation as a stream of items
//!   (`client.get_user_list().into_paginator().items()`).
//! - [`retry`]: retries with backoff, on by default.
//! - [`tls`], [`env`](mod@env) (the `CLERK_*` variables), [`secret`] ([`SecretKey`]).
//!
//! Around it:
//! - [`auth`]: networkless session-token verification ([`auth::verify_token`],
//!   [`auth::authenticate_request`]).
//! - [`webhooks`]: webhook signature verification and typed events. Always
//!   compiled; the `webhooks` *Cargo feature* is something else: the API
//!   area of Clerk's webhook-endpoint operations (see "API areas" below).
//! - `axum` (with the `axum` cargo feature): extractors and a tower layer
//!   for session tokens and webhooks.
//! - `actix` (with the `actix` cargo feature): the same for actix-web 4,
//!   extractors and a middleware.
//! - `rocket` (with the `rocket` cargo feature): the same for Rocket 0.5,
//!   request and data guards and a fairing.
//! - `poem` (with the `poem` cargo feature): the same for Poem 3,
//!   extractors and a middleware.
//! - `web` (with any of those features): the framework-neutral core they
//!   share: `ClerkConfig`, the request head, admission, the cached
//!   verification and the webhook step.
//! - [`rejection`]: the answers all integrations give to rejected requests
//!   (status, JSON body, `WWW-Authenticate`), as framework-neutral data.
//! - `testing` (with the `testing` cargo feature): a local fake of Clerk,
//!   stateful and offline, for an application's own tests.
//!
//! # Sending a request
//!
//! Each builder has `send()`, returning [`Result`]`<`[`ResponseValue`]`<T>>`
//! (the value, with the status and headers; it dereferences to `T`). Builders
//! also implement `IntoFuture`, and awaiting one
//! is exactly `send()`: same output, same retries. Both are kept: `.await`
//! reads best at call sites, `send()` names the moment the request goes out
//! and is what a generic or boxed future wants.
//!
//! ```no_run
//! # async fn run(client: clerk_backend::Client) -> clerk_backend::Result<()> {
//! let user = client.get_user().user_id("user_123").await?;
//! for email in &user.email_addresses {
//!     println!("{}", email.email_address);
//! }
//! let same = client.get_user().user_id("user_123").send().await?;
//! assert_eq!(user.id, same.id);
//! # Ok(()) }
//! ```
//!
//! A request carries exactly what the caller set: fields and parameters
//! left unset are not sent, even when the spec documents a default.
//!
//! # API areas
//!
//! Each area of the API (a tag of Clerk's spec) is a Cargo feature: `users`,
//! `organizations`, `sessions`, `jwt-templates`, ... All are on by default
//! (`all-apis`). An application that calls only some areas can compile only
//! those, and the types they reach:
//!
//! ```toml
//! clerk-backend = { version = "0.1", default-features = false, features = ["rustls", "users"] }
//! ```
//!
//! With `default-features = false`, name `all-apis` or some areas: without
//! any, the client has no operations (the build warns). An area a newer spec
//! adds, with no feature yet, is always compiled. The areas select
//! operations of the client only: [`auth`], [`webhooks`] and `testing` are
//! there whatever areas are enabled (the `webhooks` and `jwks` areas are
//! Clerk's webhook-endpoint and key-set *operations*, not those modules).

// No API-area feature: the helpers only generated calls use are unused.
#![cfg_attr(clerk_no_operations, allow(dead_code))]

#[cfg(feature = "actix")]
pub mod actix;
pub mod auth;
#[cfg(feature = "axum")]
pub mod axum;
pub mod client;
pub mod config;
pub mod env;
pub mod error;
#[cfg(feature = "web")]
mod extract;
pub mod generated;
pub mod paginate;
#[cfg(feature = "poem")]
pub mod poem;
pub mod rejection;
pub mod retry;
#[cfg(feature = "rocket")]
pub mod rocket;
mod runtime;
pub mod secret;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;
#[cfg(feature = "web")]
pub mod web;
pub mod webhooks;

// The paths the generated code (and code written against earlier versions)
// names: `crate::hooks`, `crate::decode`, `crate::union`, `crate::ext`.
/// Earlier name of [`paginate`].
#[doc(hidden)]
pub use paginate as ext;
use runtime::{decode, form, hooks, union};

pub use client::{Client, ClientBuilder};
pub use decode::from_slice;
pub use error::{ApiError, ConfigError, DecodeError, Error, ErrorDetail, Result};
pub use generated::{ByteStream, ResponseValue, builder, multipart, types};
pub use paginate::{Paginate, Paginator};
pub use retry::{IncompleteResponse, RetryPolicy};
pub use runtime::send::ResponseFuture;
pub use secret::SecretKey;

/// The README's examples, compiled as doctests so they stay true.
// The README's examples call several API areas.
#[cfg(all(doctest, feature = "all-apis"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

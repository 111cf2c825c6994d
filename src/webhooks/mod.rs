//! Verification of webhooks sent by Clerk.
//!
//! This module is always compiled. The `webhooks` *Cargo feature* is not
//! about it: that feature is an API area, Clerk's operations for managing
//! webhook endpoints (`create_svix_app`, ...), and turning it off leaves
//! this module as it is.
//!
//! Clerk delivers webhooks through [Svix](https://www.svix.com/), using the
//! [Standard Webhooks](https://www.standardwebhooks.com/) signing scheme. Every
//! delivery carries three headers:
//!
//! | header | also accepted as | contents |
//! | --- | --- | --- |
//! | `svix-id` | `webhook-id` | the unique message id |
//! | `svix-timestamp` | `webhook-timestamp` | Unix time of the attempt, in seconds |
//! | `svix-signature` | `webhook-signature` | space-separated `v1,<base64>` signatures |
//!
//! Each `v1` signature is the base64-encoded HMAC-SHA256 of
//! `"{id}.{timestamp}.{body}"`, keyed with the base64-decoded signing secret
//! (the part after `whsec_`). Several signatures may be present while a
//! secret is being rotated; a delivery is accepted when any one of them
//! matches. Signatures of versions other than `v1` are ignored. Comparisons are
//! done in constant time, and deliveries whose timestamp is more than five
//! minutes (configurable with [`Webhook::tolerance`]) away from the current
//! time, in either direction, are rejected to limit replays.
//!
//! [`Webhook::verify`] checks all of this and then decodes the body into a
//! [`WebhookEvent`], whose [`data`](WebhookEvent::data) is an [`EventData`]
//! with a variant per event of Clerk's webhook spec, generated at build time
//! (`openapi/webhooks.yaml`). Event types this crate does not know,
//! and known events whose payload does not fit the typed model, are returned
//! as [`EventData::Unknown`] with the raw JSON, so a new event type or payload
//! change on Clerk's side never turns a genuine delivery into an error.
//!
//! Always verify against the **raw** request body, byte for byte as received:
//! re-serializing parsed JSON changes the bytes and breaks the signature.
//!
//! # Example
//!
//! ```no_run
//! use clerk_backend::webhooks::{EventData, Webhook, WebhookError};
//!
//! fn handle(headers: &http::HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
//!     // Reads CLERK_WEBHOOK_SIGNING_SECRET ("whsec_...").
//!     let webhook = Webhook::from_env()?;
//!     let event = webhook.verify(headers, body)?;
//!     match event.data {
//!         EventData::UserCreated(user) => println!("new user {}", user.id),
//!         EventData::UserDeleted(deleted) => println!("user {:?} deleted", deleted.id),
//!         EventData::Unknown(raw) => println!("unhandled {}: {raw}", event.event_type),
//!         _ => {}
//!     }
//!     Ok(())
//! }
//! ```

mod events;

pub use events::payloads;
/// The payload types, also under [`payloads`] (each is a generated type of
/// [`crate::types`]).
pub use events::payloads::*;
pub use events::{EventData, WebhookEvent};

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderName, HeaderValue};
use ring::hmac;

/// The environment variable read by [`Webhook::from_env`].
pub use crate::env::WEBHOOK_SIGNING_SECRET_ENV as SIGNING_SECRET_ENV;

/// The default timestamp tolerance: five minutes either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const SECRET_PREFIX: &str = "whsec_";

const ID_HEADERS: [&str; 2] = ["svix-id", "webhook-id"];
const TIMESTAMP_HEADERS: [&str; 2] = ["svix-timestamp", "webhook-timestamp"];
const SIGNATURE_HEADERS: [&str; 2] = ["svix-signature", "webhook-signature"];

/// Why a webhook delivery (or a signing secret) was rejected.
///
/// No variant's message ever includes the signing secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent. Holds the `svix-*` name; the
    /// `webhook-*` equivalent is accepted too.
    #[error("missing webhook header `{0}`")]
    MissingHeader(&'static str),
    /// The signing secret is not valid base64 (after an optional `whsec_`
    /// prefix) or is empty.
    #[error("invalid webhook signing secret: expected `whsec_` followed by base64")]
    InvalidSecret,
    /// [`Webhook::from_env`] found no `CLERK_WEBHOOK_SIGNING_SECRET`.
    #[error("webhook signing secret not found: set the {SIGNING_SECRET_ENV} environment variable")]
    MissingSecret,
    /// The timestamp header is not a Unix time in whole seconds.
    #[error("invalid webhook timestamp header")]
    InvalidTimestamp,
    /// The timestamp is further in the past than the tolerance allows.
    #[error("webhook timestamp is too old")]
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    #[error("webhook timestamp is too far in the future")]
    TimestampTooNew,
    /// No `v1` signature in the signature header matches the delivery.
    #[error("no matching webhook signature")]
    NoMatchingSignature,
    /// The signature is valid but the body is not a JSON webhook event (not
    /// JSON, not an object, or without a string `type`).
    #[error("webhook payload is not a valid event: {0}")]
    InvalidJson(#[source] serde_json::Error),
}

/// A webhook verifier for one signing secret.
///
/// Cheap to clone, `Send + Sync`; build it once and share it. Its `Debug`
/// output never shows the secret.
#[derive(Clone)]
pub struct Webhook {
    /// The HMAC-SHA256 key (ring, the crate's one crypto library).
    key: hmac::Key,
    tolerance: Duration,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("secret", &"[redacted]")
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Webhook {
    /// Creates a verifier from a signing secret as shown in the Clerk
    /// dashboard (`whsec_...`). The `whsec_` prefix is optional; surrounding
    /// whitespace is ignored.
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidSecret`] if the rest is empty or not standard
    /// base64.
    pub fn new(secret: impl AsRef<str>) -> Result<Self, WebhookError> {
        let secret = secret.as_ref().trim();
        let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
        let key = BASE64
            .decode(encoded)
            .map_err(|_| WebhookError::InvalidSecret)?;
        if key.is_empty() {
            return Err(WebhookError::InvalidSecret);
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Creates a verifier from the `CLERK_WEBHOOK_SIGNING_SECRET` environment
    /// variable.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingSecret`] if the variable is unset or empty,
    /// [`WebhookError::InvalidSecret`] if it is not a valid secret.
    pub fn from_env() -> Result<Self, WebhookError> {
        match std::env::var(SIGNING_SECRET_ENV) {
            Ok(secret) if secret.trim().is_empty() => Err(WebhookError::MissingSecret),
            Ok(secret) => Self::new(secret),
            Err(std::env::VarError::NotPresent) => Err(WebhookError::MissingSecret),
            Err(std::env::VarError::NotUnicode(_)) => Err(WebhookError::InvalidSecret),
        }
    }

    /// Sets how far the delivery timestamp may be from the current time, in
    /// either direction (default five minutes). Compared in whole seconds.
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery against the current system time and decodes it.
    ///
    /// `body` must be the raw request body, exactly as received.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`], [`WebhookError::InvalidTimestamp`],
    /// [`WebhookError::TimestampTooOld`], [`WebhookError::TimestampTooNew`] or
    /// [`WebhookError::NoMatchingSignature`] when the delivery cannot be
    /// trusted; [`WebhookError::InvalidJson`] when it is authentic but not a
    /// JSON event. Unknown event types and unexpected payloads are *not*
    /// errors: they decode as [`EventData::Unknown`].
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::{SystemTime, UNIX_EPOCH};
    ///
    /// use clerk_backend::webhooks::{EventData, Webhook};
    /// use http::{HeaderMap, HeaderValue};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let webhook = Webhook::new("whsec_RzQoawoHpQ1MhbXbN+vH/xK77gLoc8WP")?;
    ///
    /// // What Clerk would send (signed here with the same secret).
    /// let body = br#"{"type":"user.created","object":"event","data":{"id":"user_123","first_name":"Ada"}}"#;
    /// let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("svix-id", HeaderValue::from_static("msg_2abc"));
    /// headers.insert("svix-timestamp", HeaderValue::from_str(&now.to_string())?);
    /// headers.insert(
    ///     "svix-signature",
    ///     HeaderValue::from_str(&webhook.sign("msg_2abc", now, body))?,
    /// );
    ///
    /// let event = webhook.verify(&headers, body)?;
    /// assert_eq!(event.event_type, "user.created");
    /// match event.data {
    ///     EventData::UserCreated(user) => {
    ///         assert_eq!(user.id, "user_123");
    ///         assert_eq!(user.first_name.as_deref(), Some("Ada"));
    ///     }
    ///     EventData::Unknown(raw) => panic!("unexpected payload: {raw}"),
    ///     other => panic!("unexpected event: {other:?}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Like [`verify`](Self::verify), with `now` as the current time (for
    /// tests, or replaying stored deliveries).
    ///
    /// # Errors
    ///
    /// As for [`verify`](Self::verify).
    pub fn verify_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        self.verify_signature_at(headers, body, now)?;
        serde_json::from_slice(body).map_err(WebhookError::InvalidJson)
    }

    /// Checks headers, timestamp and signature only, without decoding the
    /// body; for callers that deserialize the payload into their own types.
    ///
    /// # Errors
    ///
    /// As for [`verify`](Self::verify), except never
    /// [`WebhookError::InvalidJson`].
    pub fn verify_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_signature_at(headers, body, SystemTime::now())
    }

    /// Like [`verify_signature`](Self::verify_signature), with `now` as the
    /// current time.
    ///
    /// # Errors
    ///
    /// As for [`verify_signature`](Self::verify_signature).
    pub fn verify_signature_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let id = first_header(headers, ID_HEADERS)?;
        let timestamp = first_header(headers, TIMESTAMP_HEADERS)?;
        let signatures = all_headers(headers, SIGNATURE_HEADERS)?;

        let timestamp = timestamp
            .to_str()
            .map_err(|_| WebhookError::InvalidTimestamp)?;
        let seconds = parse_timestamp(timestamp)?;
        self.check_timestamp(seconds, now)?;

        let expected = self.tag(id.as_bytes(), timestamp, body);
        let matched = signatures
            .filter_map(|value| value.to_str().ok())
            .flat_map(str::split_ascii_whitespace)
            .filter_map(|entry| entry.split_once(','))
            .filter(|(version, _)| *version == "v1")
            .filter_map(|(_, signature)| BASE64.decode(signature).ok())
            .any(|signature: Vec<u8>| constant_time_eq(expected.as_ref(), &signature));
        if matched {
            Ok(())
        } else {
            Err(WebhookError::NoMatchingSignature)
        }
    }

    /// Signs a payload as Clerk/Svix would, returning the `v1,<base64>` value
    /// for the signature header. Useful to build test deliveries.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.tag(id.as_bytes(), &timestamp.to_string(), body);
        format!("v1,{}", BASE64.encode(tag.as_ref()))
    }

    /// HMAC-SHA256 of `id.timestamp.body`, the signed content.
    fn tag(&self, id: &[u8], timestamp: &str, body: &[u8]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.key);
        for part in [id, b".", timestamp.as_bytes(), b".", body] {
            context.update(part);
        }
        context.sign()
    }

    fn check_timestamp(&self, seconds: u64, now: SystemTime) -> Result<(), WebhookError> {
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(since) => i128::from(since.as_secs()),
            Err(before) => -i128::from(before.duration().as_secs()),
        };
        let seconds = i128::from(seconds);
        let beyond = |diff: i128| {
            u64::try_from(diff).map_or(true, |diff| Duration::from_secs(diff) > self.tolerance)
        };
        if now > seconds && beyond(now - seconds) {
            Err(WebhookError::TimestampTooOld)
        } else if seconds > now && beyond(seconds - now) {
            Err(WebhookError::TimestampTooNew)
        } else {
            Ok(())
        }
    }
}

fn header_name(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

/// The first value of the first present header among `names`.
fn first_header<'a>(
    headers: &'a HeaderMap,
    names: [&'static str; 2],
) -> Result<&'a HeaderValue, WebhookError> {
    names
        .iter()
        .find_map(|name| headers.get(header_name(name)))
        .ok_or(WebhookError::MissingHeader(names[0]))
}

/// All values of the first present header among `names`.
fn all_headers<'a>(
    headers: &'a HeaderMap,
    names: [&'static str; 2],
) -> Result<http::header::ValueIter<'a, HeaderValue>, WebhookError> {
    names
        .iter()
        .map(|name| header_name(name))
        .find(|name| headers.contains_key(name))
        .map(|name| headers.get_all(name).iter())
        .ok_or(WebhookError::MissingHeader(names[0]))
}

fn parse_timestamp(value: &str) -> Result<u64, WebhookError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::InvalidTimestamp);
    }
    value.parse().map_err(|_| WebhookError::InvalidTimestamp)
}

/// Compares without stopping at the first difference, so the time taken
/// says nothing about how much of a forged signature was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let difference = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    a.len() == b.len() && difference == 0
}

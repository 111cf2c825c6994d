//! One error type for every call: [`Error`].
//!
//! Every operation's `send()` returns [`clerk_backend::Result`](crate::Result),
//! so `?` works in any function whose error converts from [`Error`] (yours,
//! `anyhow`'s, `Box<dyn Error>`), and the helpers work on the result directly:
//!
//! ```no_run
//! async fn user_email(client: &clerk_backend::Client, id: &str) -> clerk_backend::Result<Option<String>> {
//!     match client.get_user().user_id(id).send().await {
//!         Ok(user) => Ok(user.email_addresses.first().map(|e| e.email_address.clone())),
//!         Err(e) if e.is_not_found() => Ok(None),
//!         Err(e) => Err(e),
//!     }
//! }
//! ```
//!
//! API errors keep what Clerk sent: the HTTP status, each error's `code`,
//! `message`, `long_message` and `meta`, the trace id (from the body or the
//! response headers) and `Retry-After`. The body is read leniently: a
//! missing field never turns an API error into a decoding error.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything that can go wrong calling Clerk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Clerk answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// A response could not be decoded into the type the spec promises.
    #[error("{0}")]
    Decode(DecodeError),
    /// The request timed out (after any retries).
    #[error("request to Clerk timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The request could not be sent, or no response came back.
    #[error("could not reach Clerk: {0}")]
    Transport(#[source] reqwest::Error),
    /// Clerk's response began (status and headers) but its body did not
    /// arrive in full, after any retries. POST and PATCH requests are not
    /// retried in that case: Clerk may already have applied them.
    #[error("{0}")]
    Incomplete(crate::retry::IncompleteResponse),
    /// The request was not built: a required parameter is missing or a
    /// value did not convert.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A status the spec does not describe (a redirect, say).
    #[error("unexpected response from Clerk: HTTP {status}{}", trace_suffix(.trace_id))]
    UnexpectedResponse {
        /// The HTTP status.
        status: StatusCode,
        /// Clerk's trace id, if the response carried one.
        trace_id: Option<String>,
    },
    /// The client could not be configured.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

fn trace_suffix(trace_id: &Option<String>) -> String {
    trace_id
        .as_deref()
        .map(|t| format!(" (trace id {t})"))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status, when Clerk answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => e.status,
            Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::Incomplete(e) => Some(e.status),
            Error::Timeout(e) | Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The API error, if Clerk answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// 404: the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// 429: rate limited (after any retries).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The `code` of Clerk's first error (`form_identifier_not_found`, ...).
    pub fn code(&self) -> Option<&str> {
        self.api()?.errors.first().map(|e| e.code.as_str())
    }

    /// How long Clerk asked to wait before retrying (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.api()?.retry_after
    }

    /// Clerk's trace id for the failed request, to quote to Clerk support.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.trace_id.as_deref(),
            Error::Decode(e) => e.trace_id.as_deref(),
            Error::UnexpectedResponse { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }
}

/// What can go wrong building a [`Client`](crate::Client) or an HTTP client
/// for it (`tls::http_client`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `CLERK_SECRET_KEY` is not set (or empty).
    #[error("the environment variable {} is not set", crate::env::SECRET_KEY_ENV)]
    MissingSecretKey,
    /// The key contains characters that cannot go in an HTTP header.
    #[error("the secret key contains characters not allowed in an HTTP header")]
    InvalidSecretKey,
    /// The base URL is not an absolute http(s) URL.
    #[error("invalid API URL `{0}`: expected an absolute http:// or https:// URL")]
    InvalidUrl(String),
    /// A header name or value given to the builder is not valid HTTP.
    #[error("invalid header `{0}`")]
    InvalidHeader(String),
    /// reqwest could not build its HTTP client (TLS backend initialisation).
    #[error("could not build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    /// The TLS configuration could not be built (no usable root
    /// certificates, say).
    #[error("could not configure TLS: {0}")]
    Tls(String),
}

/// An error response from Clerk.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Clerk's errors, in the order it listed them (may be empty if the body
    /// had none).
    pub errors: Vec<ErrorDetail>,
    /// Clerk's trace id, from the body or the `X-Clerk-Trace-Id` header.
    pub trace_id: Option<String>,
    /// `Retry-After`, when present.
    pub retry_after: Option<Duration>,
    /// The body as received, for fields this type does not name.
    pub body: Value,
}

/// One entry of Clerk's `errors` array.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Stable machine-readable code, for matching.
    pub code: String,
    /// Short human-readable message.
    pub message: String,
    /// Longer explanation, when Clerk gives one.
    pub long_message: Option<String>,
    /// Extra details (the offending parameter, ...).
    pub meta: Option<Value>,
}

impl ApiError {
    /// Read an error body leniently: whatever of Clerk's fields are there.
    pub fn from_body(status: StatusCode, headers: &HeaderMap, body: Value) -> Self {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let errors = body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| ErrorDetail {
                        code: text(e, "code").unwrap_or_default(),
                        message: text(e, "message").unwrap_or_default(),
                        long_message: text(e, "long_message"),
                        meta: e.get("meta").filter(|m| !m.is_null()).cloned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let trace_id = text(&body, "clerk_trace_id")
            .or_else(|| {
                body.get("errors")
                    .and_then(Value::as_array)
                    .and_then(|errors| errors.iter().find_map(|e| text(e, "clerk_trace_id")))
            })
            .or_else(|| trace_id_header(headers));
        Self {
            status,
            errors,
            trace_id,
            retry_after: crate::retry::retry_after(headers),
            body,
        }
    }
}

impl fmt::Display for ApiError {
    /// One line: status, first code, its long (or short) message, trace id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clerk API error: HTTP {}", self.status)?;
        if let Some(e) = self.errors.first() {
            if !e.code.is_empty() {
                write!(f, " {}", e.code)?;
            }
            let message = e
                .long_message
                .as_deref()
                .filter(|m| !m.is_empty())
                .unwrap_or(&e.message);
            if !message.is_empty() {
                write!(f, ": {message}")?;
            }
            if self.errors.len() > 1 {
                write!(f, " (and {} more)", self.errors.len() - 1)?;
            }
        }
        write!(f, "{}", trace_suffix(&self.trace_id))
    }
}

/// A response body that does not match the type the spec describes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<StatusCode>,
    /// The Rust type being decoded, when known.
    pub type_name: Option<String>,
    /// JSON path of the offending value, like `$.data[2].email_addresses[0].id`.
    pub path: String,
    /// What serde reported.
    pub message: String,
    /// Clerk's trace id, when known.
    pub trace_id: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode Clerk's response")?;
        if let Some(t) = &self.type_name {
            write!(f, " as {t}")?;
        }
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        write!(
            f,
            " at {}: {}{}",
            self.path,
            self.message,
            trace_suffix(&self.trace_id)
        )
    }
}

/// Starts a decode report put in place of a success body that does not
/// decode (see `src/runtime/hooks.rs`). Not JSON, so no type can decode it.
pub(crate) const DECODE_REPORT_MARKER: &[u8] = b"\x01clerk-backend-decode-report\x01";

impl DecodeError {
    /// The marker, then this report and the original body as JSON.
    pub(crate) fn to_marked_body(&self, original: &[u8]) -> Vec<u8> {
        let report = serde_json::json!({
            "status": self.status.map(|s| s.as_u16()),
            "type": self.type_name,
            "path": self.path,
            "message": self.message,
            "trace_id": self.trace_id,
            "body": String::from_utf8_lossy(original),
        });
        let mut out = DECODE_REPORT_MARKER.to_vec();
        out.extend_from_slice(report.to_string().as_bytes());
        out
    }

    /// Read a report made by [`to_marked_body`](Self::to_marked_body).
    fn from_marked_body(body: &[u8]) -> Option<Self> {
        let report: Value =
            serde_json::from_slice(body.strip_prefix(DECODE_REPORT_MARKER)?).ok()?;
        let text = |k: &str| report.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Self {
            status: report
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| StatusCode::from_u16(s as u16).ok()),
            type_name: text("type"),
            path: text("path").unwrap_or_else(|| "$".into()),
            message: text("message").unwrap_or_default(),
            trace_id: text("trace_id"),
        })
    }

    /// Build from the body and serde's error, locating the JSON path of the
    /// failure from the error's line and column.
    pub fn new(body: &[u8], error: &serde_json::Error) -> Self {
        if let Some(report) = Self::from_marked_body(body) {
            return report;
        }
        Self {
            status: None,
            type_name: None,
            path: json_path_at(body, error.line(), error.column()),
            message: strip_position(&error.to_string()),
            trace_id: None,
        }
    }
}

/// serde_json appends " at line L column C"; the JSON path says it better.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Clerk's trace id response header.
pub(crate) fn trace_id_header(headers: &HeaderMap) -> Option<String> {
    ["x-clerk-trace-id", "clerk-trace-id"]
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The JSON path (`$.a[1].b`) of the value being read at 1-based `line` and
/// `column` of `body`, found by scanning the JSON up to that point.
pub fn json_path_at(body: &[u8], line: usize, column: usize) -> String {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    // Byte offset of (line, column).
    let mut offset = 0;
    let mut current_line = 1;
    while current_line < line && offset < body.len() {
        if body[offset] == b'\n' {
            current_line += 1;
        }
        offset += 1;
    }
    let end = (offset + column).min(body.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        match body[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expecting_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expecting_key = false;
            }
            b'}' | b']' => {
                // The error may be about the container just closed.
                if i + 1 >= end {
                    break;
                }
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(key)) => {
                    *key = None;
                    expecting_key = true;
                }
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < body.len() && body[i] != b'"' {
                    if body[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if expecting_key {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        let raw = &body[start..i.min(body.len())];
                        *key = Some(String::from_utf8_lossy(raw).into_owned());
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::from("$");
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                path.push('.');
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    path
}

impl From<progenitor_client::Error<Value>> for Error {
    fn from(e: progenitor_client::Error<Value>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(m) | P::Custom(m) => Error::InvalidRequest(m),
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
                if let Some(incomplete) = find_source::<crate::retry::IncompleteResponse>(&e) {
                    Error::Incomplete(incomplete.clone())
                } else if e.is_timeout() {
                    Error::Timeout(e)
                } else {
                    Error::Transport(e)
                }
            }
            P::ErrorResponse(rv) => {
                let status = rv.status();
                let headers = rv.headers().clone();
                Error::Api(ApiError::from_body(status, &headers, rv.into_inner()))
            }
            P::InvalidResponsePayload(body, e) => Error::Decode(DecodeError::new(&body, &e)),
            P::UnexpectedResponse(response) => Error::UnexpectedResponse {
                status: response.status(),
                trace_id: trace_id_header(response.headers()),
            },
        }
    }
}

/// The first error of type `T` in `e`'s chain of sources.
fn find_source<'e, T: std::error::Error + 'static>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(json: &str) -> String {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Email {
            id: String,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct User {
            id: String,
            emails: Vec<Email>,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Page {
            data: Vec<User>,
        }
        let e = serde_json::from_str::<Page>(json).err().expect("must fail");
        json_path_at(json.as_bytes(), e.line(), e.column())
    }

    #[test]
    fn json_path_points_at_the_failing_value() {
        assert_eq!(
            path_of(r#"{"data":[{"id":"a","emails":[]},{"id":"b","emails":[{"id":7}]}]}"#),
            "$.data[1].emails[0].id"
        );
        assert_eq!(
            path_of("{\"data\":[{\"id\":\"a\",\n \"emails\":[{}]}]}"),
            "$.data[0].emails[0]"
        );
        assert_eq!(
            path_of(r#"{"data":[{"id":null,"emails":[]}]}"#),
            "$.data[0].id"
        );
    }

    #[test]
    fn api_error_reads_clerk_bodies_leniently() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "3".parse().unwrap());
        headers.insert("x-clerk-trace-id", "from-header".parse().unwrap());
        let body = serde_json::json!({
            "errors": [{"code": "resource_not_found", "message": "not found", "long_message": "No user was found"}],
            "clerk_trace_id": "abc123"
        });
        let e = Error::Api(ApiError::from_body(StatusCode::NOT_FOUND, &headers, body));
        assert!(e.is_not_found());
        assert_eq!(e.code(), Some("resource_not_found"));
        assert_eq!(e.trace_id(), Some("abc123"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            e.to_string(),
            "Clerk API error: HTTP 404 Not Found resource_not_found: No user was found (trace id abc123)"
        );
        // No long_message, no errors array: still an API error.
        let e = ApiError::from_body(
            StatusCode::BAD_GATEWAY,
            &headers,
            serde_json::json!({"x": 1}),
        );
        assert!(e.errors.is_empty());
        assert_eq!(e.trace_id.as_deref(), Some("from-header"));
    }
}

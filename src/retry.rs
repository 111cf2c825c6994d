//! Retries with exponential backoff and jitter.
//!
//! Clerk rate-limits (429, with `Retry-After`) and, like any service, has
//! brief outages (502/503/504) and connections that break. [`RetryPolicy`]
//! retries those, within a maximum number of attempts and a total time
//! budget, and never retries a request that may already have been applied:
//! `POST` and `PATCH` are retried only on 429 (the request was refused, not
//! processed) or when the connection failed before the request was sent.
//!
//! Reading the body is part of an attempt: a response cut off or reset
//! mid-body is retried like a broken connection (for methods that may be
//! repeated), so paging through many users survives a flaky network. One
//! that is not retried ends as [`crate::Error::Incomplete`].
//!
//! ```
//! use std::time::Duration;
//! use clerk_backend::{Client, RetryPolicy};
//!
//! let client = Client::builder("sk_test_...")
//!     .retry(RetryPolicy::default().max_attempts(5).budget(Duration::from_secs(20)))
//!     .build()?;
//! # Ok::<(), clerk_backend::ConfigError>(())
//! ```

use reqwest::header::HeaderMap;
use reqwest::{Method, Request, Response, StatusCode};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// When and how often to retry a request. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
}

impl Default for RetryPolicy {
    /// Up to 4 attempts, backoff from 500 ms doubling to at most 8 s, and no
    /// retry that would start more than 30 s after the first attempt.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            budget: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts, the first included (1 disables retries).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Wait before the first retry; each later retry waits twice as long
    /// (with jitter), up to [`max_backoff`](Self::max_backoff).
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Longest wait between two attempts (a `Retry-After` may ask for more,
    /// within the budget).
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Total time, from the first attempt, after which no retry starts.
    pub fn budget(mut self, d: Duration) -> Self {
        self.budget = d;
        self
    }

    /// Whether this policy ever retries.
    pub fn is_enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// Backoff before retry number `retry` (1 for the first), with "equal
    /// jitter": between half and all of the exponential value, so that
    /// clients rate-limited together do not retry together.
    fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        let half = exp / 2;
        let jitter = random_fraction();
        half + half.mul_f64(jitter)
    }
}

/// A number in [0, 1) from the standard library's randomly seeded hasher:
/// enough for jitter, with no extra dependency.
fn random_fraction() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Why a response or error calls for another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Return this outcome to the caller.
    Done,
    /// Retry, after the server's `Retry-After` if it gave one.
    Retry(Option<Duration>),
}

/// GET, HEAD, OPTIONS, PUT and DELETE may be repeated without changing the
/// result (RFC 9110, 9.2.2); POST and PATCH may not.
fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// What one attempt gave: a response read in full, no response, or a
/// response whose body broke off.
enum Outcome {
    /// Status, headers and the whole body (buffered).
    Complete(Response),
    /// No response: the connection failed, or the request timed out.
    Failed(reqwest::Error),
    /// The head arrived, then the body stopped after `received` bytes.
    CutOff {
        status: StatusCode,
        headers: HeaderMap,
        received: usize,
        error: reqwest::Error,
    },
}

/// Read the whole body: the body is part of the attempt, so a body that
/// breaks off can be retried like a connection that failed.
///
/// The body read is kept in the response's extensions ([`body`] takes it
/// from there), so the response itself is handed on: rebuilding one costs
/// reqwest a URL parse and a few allocations per request.
async fn read_fully(mut response: Response) -> Outcome {
    let mut body = Buffered::default();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.push(chunk, response.content_length()),
            Ok(None) => break,
            Err(error) => {
                return Outcome::CutOff {
                    status: response.status(),
                    headers: std::mem::take(response.headers_mut()),
                    received: body.len(),
                    error,
                };
            }
        }
    }
    response
        .extensions_mut()
        .insert(ReadBody(body.into_bytes()));
    Outcome::Complete(response)
}

/// A response body already read by [`read_fully`].
#[derive(Clone)]
struct ReadBody(bytes::Bytes);

/// The body of a response from [`execute`]: the one read while retrying,
/// else read now.
pub(crate) async fn body(mut response: Response) -> reqwest::Result<bytes::Bytes> {
    match response.extensions_mut().remove::<ReadBody>() {
        Some(ReadBody(body)) => Ok(body),
        None => response.bytes().await,
    }
}

/// A body read chunk by chunk. A body that arrives in one chunk (most
/// small responses) is kept as it is, without a copy.
#[derive(Default)]
struct Buffered {
    first: Option<bytes::Bytes>,
    rest: Vec<u8>,
}

impl Buffered {
    fn push(&mut self, chunk: bytes::Bytes, content_length: Option<u64>) {
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            first => {
                if let Some(first) = first {
                    let hint = content_length.unwrap_or(0).min(16 << 20) as usize;
                    self.rest.reserve(hint.max(2 * first.len()));
                    self.rest.extend_from_slice(&first);
                }
                self.rest.extend_from_slice(&chunk);
            }
        }
    }

    fn len(&self) -> usize {
        self.first.as_ref().map_or(self.rest.len(), |b| b.len())
    }

    fn into_bytes(self) -> bytes::Bytes {
        self.first.unwrap_or_else(|| self.rest.into())
    }
}

/// A response made of its parts (a buffered or replaced body).
pub(crate) fn rebuild(
    status: StatusCode,
    headers: HeaderMap,
    body: impl Into<reqwest::Body>,
) -> Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Response::from(response)
}

impl Outcome {
    /// Whether to retry a `method` request after this outcome.
    fn verdict(&self, method: &Method) -> Verdict {
        match self {
            Outcome::Complete(response) => status_verdict(method, response),
            // The connection was never made: nothing was sent, any method is safe.
            Outcome::Failed(e) if e.is_connect() => Verdict::Retry(None),
            // Timeouts and broken connections: the server may have acted.
            Outcome::Failed(e) if (e.is_timeout() || e.is_request()) && idempotent(method) => {
                Verdict::Retry(None)
            }
            Outcome::Failed(_) => Verdict::Done,
            // The server answered, so it may have acted: only a method that
            // can be repeated is sent again.
            Outcome::CutOff { .. } if idempotent(method) => Verdict::Retry(None),
            Outcome::CutOff { .. } => Verdict::Done,
        }
    }

    /// The outcome as the generated code takes it. A body that broke off
    /// is handed on as a response whose body fails with
    /// [`IncompleteResponse`], which `clerk_backend::Error` finds again.
    fn finish(self, method: &Method, attempts: u32) -> reqwest::Result<Response> {
        match self {
            Outcome::Complete(response) => Ok(response),
            Outcome::Failed(e) => Err(e),
            Outcome::CutOff {
                status,
                headers,
                received,
                error,
            } => {
                let incomplete = IncompleteResponse {
                    status,
                    method: method.clone(),
                    received,
                    attempts,
                    timed_out: error.is_timeout(),
                    cause: root_cause(&error),
                };
                let failing = futures_util::stream::once(async move {
                    Err::<bytes::Bytes, IncompleteResponse>(incomplete)
                });
                Ok(rebuild(
                    status,
                    headers,
                    reqwest::Body::wrap_stream(failing),
                ))
            }
        }
    }
}

/// The innermost error's message ("connection reset by peer", ...).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut e = e;
    while let Some(source) = e.source() {
        e = source;
    }
    e.to_string()
}

/// Decide whether to retry after a `method` request got `response`.
fn status_verdict(method: &Method, response: &Response) -> Verdict {
    match response.status() {
        StatusCode::TOO_MANY_REQUESTS => Verdict::Retry(retry_after(response.headers())),
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
            if idempotent(method) =>
        {
            Verdict::Retry(retry_after(response.headers()))
        }
        _ => Verdict::Done,
    }
}

/// A response whose body did not arrive in full: cut short, reset or timed
/// out after the status and headers. Part of [`crate::Error::Incomplete`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IncompleteResponse {
    /// The status the response had announced.
    pub status: StatusCode,
    /// The request's method.
    pub method: Method,
    /// Body bytes received before it broke off (in the last attempt).
    pub received: usize,
    /// Attempts made, the last included.
    pub attempts: u32,
    /// Whether the read timed out (rather than the connection breaking).
    pub timed_out: bool,
    /// What the connection reported.
    pub cause: String,
}

impl IncompleteResponse {
    /// Whether the request was one that is never repeated, because the
    /// server may already have acted on it (POST, PATCH).
    pub fn not_retried(&self) -> bool {
        !idempotent(&self.method)
    }
}

impl std::fmt::Display for IncompleteResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the response from Clerk was cut off after {} bytes (HTTP {}, {}",
            self.received,
            self.status.as_u16(),
            if self.timed_out {
                "timed out"
            } else {
                &self.cause
            }
        )?;
        if self.not_retried() {
            write!(
                f,
                "); a {} is not retried, since Clerk may already have applied it",
                self.method
            )
        } else {
            write!(f, "; {} attempts)", self.attempts)
        }
    }
}

impl std::error::Error for IncompleteResponse {}

/// `Retry-After` as a delay: either seconds, or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Send `request` with `client`, retrying as `policy` says. `on_attempt`
/// is told of each attempt's number before it starts (for tracing).
pub(crate) async fn execute(
    client: &reqwest::Client,
    policy: &RetryPolicy,
    mut request: Request,
    mut on_attempt: impl FnMut(u32),
) -> reqwest::Result<Response> {
    let start = tokio::time::Instant::now();
    let method = request.method().clone();
    let mut attempt = 0;
    loop {
        attempt += 1;
        // A streaming body cannot be replayed (`try_clone` is `None`).
        let spare = if attempt < policy.max_attempts {
            request.try_clone()
        } else {
            None
        };
        on_attempt(attempt);
        let outcome = match client.execute(request).await {
            Ok(response) => read_fully(response).await,
            Err(e) => Outcome::Failed(e),
        };
        let Verdict::Retry(asked) = outcome.verdict(&method) else {
            return outcome.finish(&method, attempt);
        };
        let Some(spare) = spare else {
            return outcome.finish(&method, attempt);
        };
        let wait = asked.unwrap_or_else(|| policy.backoff(attempt));
        if start.elapsed() + wait > policy.budget {
            return outcome.finish(&method, attempt);
        }
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            "retrying Clerk request"
        );
        tokio::time::sleep(wait).await;
        request = spare;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(250) && b1 <= Duration::from_millis(500));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_secs(1) && b3 <= Duration::from_secs(2));
            let b20 = p.backoff(20);
            assert!(b20 >= Duration::from_secs(4) && b20 <= Duration::from_secs(8));
        }
    }

    #[test]
    fn a_body_is_kept_whole_or_joined_in_order() {
        let one = bytes::Bytes::from_static(b"{\"a\":1}");
        let mut body = Buffered::default();
        body.push(one.clone(), Some(7));
        assert_eq!(body.len(), 7);
        let whole = body.into_bytes();
        assert_eq!(whole.as_ptr(), one.as_ptr(), "one chunk is not copied");

        let mut body = Buffered::default();
        for part in ["ab", "", "cd", "e"] {
            body.push(bytes::Bytes::from(part), None);
        }
        assert_eq!(body.len(), 5);
        assert_eq!(&body.into_bytes()[..], b"abcde");
        assert!(Buffered::default().into_bytes().is_empty());
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(110) && d <= Duration::from_secs(120));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}

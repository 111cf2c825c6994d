//! Retries with exponential backoff and jitter.
//!
//! Clerk rate-limits (429, with `Retry-After`) and, like any service, has
//! brief outages (502/503/504). [`RetryPolicy`] retries those, within a
//! maximum number of attempts and a total time budget, and never retries a
//! request that may already have been applied: `POST` and `PATCH` are
//! retried only on 429 (the request was refused, not processed) or when the
//! connection failed before the request was sent.
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

/// Decide whether to retry after `outcome` of a `method` request.
pub(crate) fn verdict(method: &Method, outcome: &reqwest::Result<Response>) -> Verdict {
    match outcome {
        Ok(response) => match response.status() {
            StatusCode::TOO_MANY_REQUESTS => Verdict::Retry(retry_after(response.headers())),
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
                if idempotent(method) =>
            {
                Verdict::Retry(retry_after(response.headers()))
            }
            _ => Verdict::Done,
        },
        // The connection was never made: nothing was sent, any method is safe.
        Err(e) if e.is_connect() => Verdict::Retry(None),
        // Timeouts and broken connections: the server may have acted.
        Err(e) if (e.is_timeout() || e.is_request()) && idempotent(method) => Verdict::Retry(None),
        Err(_) => Verdict::Done,
    }
}

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
    request: Request,
    mut on_attempt: impl FnMut(u32),
) -> reqwest::Result<Response> {
    let start = tokio::time::Instant::now();
    let method = request.method().clone();
    let mut next = Some(request);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let request = next.take().expect("a request is ready for every attempt");
        // A streaming body (multipart uploads) cannot be replayed.
        let spare = if attempt < policy.max_attempts {
            request.try_clone()
        } else {
            None
        };
        on_attempt(attempt);
        let outcome = client.execute(request).await;
        let Verdict::Retry(asked) = verdict(&method, &outcome) else {
            return outcome;
        };
        let Some(spare) = spare else { return outcome };
        let wait = asked.unwrap_or_else(|| policy.backoff(attempt));
        if start.elapsed() + wait > policy.budget {
            return outcome;
        }
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            "retrying Clerk request"
        );
        tokio::time::sleep(wait).await;
        next = Some(spare);
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

//! The Backend API calls auth makes, through one small interface over
//! [`Client`].
//!
//! The key-set fetch, machine-token verification, session refresh and
//! handshake nonces call Clerk while a request waits, so it must not take the
//! client's general policy (30 s timeouts, four attempts): [`BackendApi`]
//! sends with a short timeout and at most one quick retry, through the
//! client's own execution path (its authentication, `User-Agent`,
//! `Clerk-API-Version`, extra headers, `clerk.request` tracing span and
//! retry rules). It builds its requests itself, so it works whichever
//! API-area features generated the client's typed operations. The secret
//! keys travel only in `Authorization` headers marked sensitive; errors
//! carry the status and Clerk's message, never a key.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::AUTHORIZATION;

use crate::client::Client;
use crate::retry::RetryPolicy;
use crate::secret::SecretKey;

/// Timeout of one attempt of an auth call: 5 seconds.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The retry policy of auth calls: two attempts at most, 50 ms apart (a
/// `Retry-After` is honoured within the budget), none starting after 2 s.
/// As for every call, a POST is repeated only when it was surely not
/// received (no connection) or Clerk asked (429).
fn hot_path_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(2)
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(200))
        .budget(Duration::from_secs(2))
}

/// Auth's access to the Backend API: a [`Client`] and the hot-path policy.
#[derive(Clone)]
pub(crate) struct BackendApi {
    client: Client,
    policy: RetryPolicy,
    timeout: Duration,
}

/// A response: its status and whole body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
}

/// Why a call got no answer: the connection failed, timed out or broke off,
/// or the request could not be built. The message names the cause, never a
/// key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreachable(pub(crate) String);

impl BackendApi {
    pub(crate) fn new(client: Client) -> Self {
        BackendApi {
            client,
            policy: hot_path_policy(),
            timeout: ATTEMPT_TIMEOUT,
        }
    }

    /// This interface with another per-attempt timeout (the JWKS fetch's
    /// own, [`JwksCache::with_fetch_timeout`](super::JwksCache::with_fetch_timeout)).
    pub(crate) fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `GET {base}{path_and_query}` as the operation `operation_id`,
    /// authenticated with the client's secret key. A GET is repeated on a
    /// failed connection, a timeout, 429 or a 5xx, within the policy.
    pub(crate) async fn get(
        &self,
        operation_id: &'static str,
        path_and_query: &str,
    ) -> Result<Answer, Unreachable> {
        let url = format!("{}{path_and_query}", self.client.base_url());
        let request = self
            .client
            .http_client()
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(|e| Unreachable(format!("could not build the request: {e}")))?;
        self.send(operation_id, request, None).await
    }

    /// `POST {base}{path}` with a JSON `body`, as the operation
    /// `operation_id`, authenticated with the client's secret key or, when
    /// given, with `bearer` instead (an M2M machine secret key).
    pub(crate) async fn post_json(
        &self,
        operation_id: &'static str,
        path: &str,
        body: &serde_json::Value,
        bearer: Option<&SecretKey>,
    ) -> Result<Answer, Unreachable> {
        let url = format!("{}{path}", self.client.base_url());
        let request = self
            .client
            .http_client()
            .post(url)
            .json(body)
            .build()
            .map_err(|e| Unreachable(format!("could not build the request: {e}")))?;
        self.send(operation_id, request, bearer).await
    }

    /// Sends `request` through the client's execution path with the
    /// hot-path policy and reads the whole answer.
    async fn send(
        &self,
        operation_id: &'static str,
        mut request: reqwest::Request,
        bearer: Option<&SecretKey>,
    ) -> Result<Answer, Unreachable> {
        *request.timeout_mut() = Some(self.timeout);
        let info = OperationInfo { operation_id };
        let raw = self.client.raw();
        // The client's own headers (secret key, User-Agent, API version).
        ClientHooks::pre::<()>(raw, &mut request, &info)
            .await
            .map_err(|e| Unreachable(e.to_string()))?;
        if let Some(key) = bearer {
            let value = key
                .bearer()
                .map_err(|_| Unreachable("the machine secret key is not a valid header".into()))?;
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        let response = crate::runtime::hooks::execute(raw, request, operation_id, &self.policy)
            .await
            .map_err(|e| Unreachable(describe(&e)))?;
        let status = response.status();
        let body = crate::retry::body(response)
            .await
            .map_err(|e| Unreachable(describe(&e)))?;
        Ok(Answer { status, body })
    }
}

/// A transport error's kind and innermost cause, without the URL's query
/// or any header.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    format!("{kind}: {cause}")
}

impl fmt::Debug for BackendApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendApi")
            .field("base_url", &self.client.base_url())
            .field("secret_key", self.client.secret_key())
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .finish()
    }
}

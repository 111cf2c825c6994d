//! The request hooks of the generated client (progenitor's `ClientHooks`):
//! every operation, generated or multipart, goes through them.
//!
//! - `pre`: authentication, `User-Agent`, `Clerk-API-Version` (the client's,
//!   or the one the spec pins the operation to), extra headers;
//!   joins the items of array query parameters the spec does not explode
//!   (`a=x,y`), which progenitor always repeats (`a=x&a=y`).
//! - `exec`: retries ([`crate::retry`]), the body read included, inside a
//!   `tracing` span per request, and error bodies that are not JSON (an HTML
//!   502 page from a proxy) turned into Clerk's error shape, so the status
//!   and text survive.

use crate::client::Inner;
use crate::generated::Client;
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT,
};
use tracing::Instrument;

/// The header naming the API version a request speaks.
pub(crate) const CLERK_API_VERSION: HeaderName = HeaderName::from_static("clerk-api-version");

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        join_query_arrays(
            request.url_mut(),
            crate::generated::query_separators(info.operation_id),
        );
        let inner = self.inner();
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, inner.authorization.clone());
        headers.insert(USER_AGENT, inner.user_agent.clone());
        // An operation the spec pins to a version (`build/versions.rs`)
        // keeps it; the others speak the client's.
        match crate::generated::pinned_api_version(info.operation_id) {
            Some(pinned) => {
                headers.insert(CLERK_API_VERSION, HeaderValue::from_static(pinned));
            }
            None => {
                if let Some(version) = &inner.api_version {
                    headers.insert(CLERK_API_VERSION, version.clone());
                }
            }
        }
        for (name, value) in &inner.headers {
            headers.insert(name.clone(), value.clone());
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        execute(self, request, info.operation_id, &self.inner().retry).await
    }
}

/// Sends `request` as the `exec` hook does (retries by `policy`, a
/// `clerk.request` span, non-JSON error bodies made Clerk-shaped), for
/// callers with their own retry policy: auth's Backend API calls
/// (`crate::auth::backend`).
pub(crate) async fn execute(
    client: &Client,
    request: reqwest::Request,
    operation_id: &'static str,
    policy: &crate::retry::RetryPolicy,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::info_span!(
        "clerk.request",
        operation = operation_id,
        method = %request.method(),
        path = request.url().path(),
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    // Without a subscriber the span records nothing: skip its wrapper
    // and the header search for the trace id.
    let recorded = !span.is_disabled();
    let attempts = crate::retry::execute(client.client(), policy, request, |n| {
        span.record("attempt", n);
    });
    let outcome = if recorded {
        attempts.instrument(span.clone()).await
    } else {
        attempts.await
    };
    match outcome {
        Ok(response) => {
            if recorded {
                span.record("status", response.status().as_u16());
                if let Some(id) = crate::error::trace_id_header(response.headers()) {
                    span.record("trace_id", id);
                }
            }
            Ok(json_error_body(response).await)
        }
        Err(e) => {
            tracing::debug!(parent: &span, error = %e, "Clerk request failed");
            Err(e)
        }
    }
}

/// An error response whose body is not JSON gets a Clerk-shaped JSON body
/// (`{"errors": [{"code": "http_<status>", ...}]}`) carrying the original
/// text, so it decodes as an API error with its status instead of as an
/// undecodable payload. Other responses pass through untouched.
async fn json_error_body(response: reqwest::Response) -> reqwest::Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    if is_json {
        return response;
    }
    let mut headers = response.headers().clone();
    let body = crate::retry::body(response).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&body).into_owned();
    if serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.is_object()) {
        // JSON sent with another content type: keep it as it is.
        return crate::retry::rebuild(status, headers, text);
    }
    let reason = status.canonical_reason().unwrap_or("error");
    let snippet: String = text.trim().chars().take(500).collect();
    let body = serde_json::json!({
        "errors": [{
            "code": format!("http_{}", status.as_u16()),
            "message": reason,
            "long_message": if snippet.is_empty() { reason.to_string() } else { snippet },
        }]
    });
    headers.remove(CONTENT_LENGTH);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    crate::retry::rebuild(status, headers, body.to_string())
}

/// Join the repeated values of each `(name, separator)` query parameter
/// into one, where the first of them stood: `a=x&a=y` becomes `a=x,y`
/// (`a=x%20y`, `a=x|y`). The separator stays literal and each item is
/// percent-encoded, so an item's own comma cannot be taken for one.
fn join_query_arrays(url: &mut reqwest::Url, joined: &[(&str, char)]) {
    if joined.is_empty() || url.query().is_none() {
        return;
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in url.query_pairs() {
        let separator = joined.iter().find(|(name, _)| *name == k).map(|(_, s)| *s);
        let value = encode(&v);
        match (separator, pairs.iter_mut().find(|(name, _)| *name == k)) {
            (Some(sep), Some((_, joined))) => {
                match sep {
                    ' ' => joined.push_str("%20"),
                    sep => joined.push(sep),
                }
                joined.push_str(&value);
            }
            _ => pairs.push((k.into_owned(), value)),
        }
    }
    let query: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{}={v}", encode(&k)))
        .collect();
    url.set_query(Some(&query.join("&")));
}

/// Percent-encode all but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How the generated calls add an optional query parameter: not at all
/// when it is `None`. (`RequestBuilder::query` re-serialises the URL's query
/// even when it adds nothing: for the seven absent parameters of
/// `get_users_count`, that was ~2K instructions per call.)
#[doc(hidden)]
#[allow(dead_code)] // an API-area selection may have no optional parameter
pub trait OptionalQuery {
    fn optional_query<T: serde::Serialize>(self, name: &str, value: &Option<T>) -> Self;
}

impl OptionalQuery for reqwest::RequestBuilder {
    #[inline]
    fn optional_query<T: serde::Serialize>(self, name: &str, value: &Option<T>) -> Self {
        match value {
            None => self,
            Some(_) => self.query(&progenitor_client::QueryParam::new(name, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn joined_query_arrays_keep_other_parameters_and_order() {
        let mut url: reqwest::Url = "https://x/v1/d?limit=5&mode=a&ids=1&mode=b%2Cc&ids=2"
            .parse()
            .unwrap();
        super::join_query_arrays(&mut url, &[("mode", ','), ("other", '|')]);
        assert_eq!(url.query(), Some("limit=5&mode=a,b%2Cc&ids=1&ids=2"));
        let mut url: reqwest::Url = "https://x/v1/d?tag=a+1&tag=b".parse().unwrap();
        super::join_query_arrays(&mut url, &[("tag", ' ')]);
        assert_eq!(url.query(), Some("tag=a%201%20b"));
        let mut url: reqwest::Url = "https://x/v1/d?tag=a&tag=b".parse().unwrap();
        super::join_query_arrays(&mut url, &[("tag", '|')]);
        assert_eq!(url.query(), Some("tag=a|b"));
    }
}

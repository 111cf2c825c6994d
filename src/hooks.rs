//! The request hooks of the generated client (progenitor's `ClientHooks`):
//! every operation, generated or multipart, goes through them.
//!
//! - `pre`: authentication, `User-Agent`, `Clerk-API-Version`, extra headers;
//!   removes the `api-version` header progenitor adds, which Clerk ignores.
//! - `exec`: retries ([`crate::retry`]) inside a `tracing` span per request,
//!   and error bodies that are not JSON (an HTML 502 page from a proxy)
//!   turned into Clerk's error shape, so the status and text survive.

use crate::config::Inner;
use crate::generated::Client;
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT,
};
use tracing::Instrument;

const CLERK_API_VERSION: HeaderName = HeaderName::from_static("clerk-api-version");
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let inner = self.inner();
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION);
        headers.insert(AUTHORIZATION, inner.authorization.clone());
        headers.insert(USER_AGENT, inner.user_agent.clone());
        if let Some(version) = &inner.api_version {
            headers.insert(CLERK_API_VERSION, version.clone());
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
        let span = tracing::info_span!(
            "clerk.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            trace_id = tracing::field::Empty,
        );
        let policy = &self.inner().retry;
        let outcome = crate::retry::execute(self.client(), policy, request, |n| {
            span.record("attempt", n);
        })
        .instrument(span.clone())
        .await;
        match outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = crate::error::trace_id_header(response.headers()) {
                    span.record("trace_id", id);
                }
                let response = json_error_body(response).await;
                checked_success_body(response, info).await
            }
            Err(e) => {
                tracing::debug!(parent: &span, error = %e, "Clerk request failed");
                Err(e)
            }
        }
    }
}

/// A success body that will not decode as the operation's type is replaced
/// by a decode report (`crate::error::DECODE_REPORT_MARKER`, then JSON with
/// the status, type, JSON path, serde's message, Clerk's trace id and the
/// original body). The marker is not JSON, so the generated decoding fails
/// for any type, and `clerk_backend::Error` turns the report into
/// `Error::Decode` with everything the generated code no longer knows.
async fn checked_success_body(
    response: reqwest::Response,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let mut headers = response.headers().clone();
    let body = response.bytes().await?;
    let Some((type_name, e)) = crate::generated::check_response(info.operation_id, &body) else {
        return Ok(rebuild(status, headers, body));
    };
    let report = crate::error::DecodeError {
        status: Some(status),
        type_name: Some(type_name.to_string()),
        path: crate::error::json_path_at(&body, e.line(), e.column()),
        message: crate::error::strip_position(&e.to_string()),
        trace_id: crate::error::trace_id_header(&headers),
    };
    tracing::warn!(operation = info.operation_id, error = %report, "Clerk response did not decode");
    headers.remove(CONTENT_LENGTH);
    Ok(rebuild(status, headers, report.to_marked_body(&body)))
}

/// An error response whose body is not JSON gets a Clerk-shaped JSON body
/// (`{"errors": [{"code": "http_<status>", ...}]}`) carrying the original
/// text, so it decodes as an API error with its status instead of as an
/// undecodable payload. Other responses pass through untouched.
async fn json_error_body(response: reqwest::Response) -> reqwest::Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let mut headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    if serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.is_object()) {
        // JSON sent with another content type: keep it as it is.
        return rebuild(status, headers, text);
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
    rebuild(status, headers, body.to_string())
}

fn rebuild(
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

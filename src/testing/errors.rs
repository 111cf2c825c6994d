//! Clerk's error responses: `{"errors":[{code, message, long_message,
//! meta}], "clerk_trace_id"}` with the status Clerk uses for each case.

use http::StatusCode;
use serde_json::{Value, json};

/// One error answer of the fake, before it gets its trace ID.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    code: &'static str,
    message: String,
    long_message: String,
    meta: Option<Value>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        long_message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            long_message: long_message.into(),
            meta: None,
        }
    }

    fn param(mut self, name: &str) -> Self {
        self.meta = Some(json!({ "param_name": name }));
        self
    }

    /// 404 `resource_not_found`.
    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("No {what} was found with id {id}"),
        )
    }

    /// 404 for a path that is no operation of the API.
    pub(crate) fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("{method} {path} is not an endpoint of the Backend API"),
        )
    }

    /// 422 `form_identifier_exists`: an email address, phone number,
    /// username, external ID or slug that another object already has.
    pub(crate) fn identifier_exists(param: &str) -> Self {
        let what = param.replace('_', " ");
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_identifier_exists",
            format!("That {what} is taken. Please try another."),
            format!("That {what} is taken. Please try another."),
        )
        .param(param)
    }

    /// 422 `form_param_missing`.
    pub(crate) fn param_missing(param: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_missing",
            format!("{param} must be included."),
            format!("{param} must be included."),
        )
        .param(param)
    }

    /// 422 `form_param_format_invalid`.
    pub(crate) fn param_invalid(param: &str, why: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_format_invalid",
            format!("{param} is invalid."),
            format!("{param} {why}"),
        )
        .param(param)
    }

    /// 422 with a specific Clerk code (for example
    /// `form_password_length_too_short`).
    pub(crate) fn unprocessable(code: &'static str, param: &str, message: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message, message).param(param)
    }

    /// 400 for a body that is not JSON, or not a JSON object.
    pub(crate) fn malformed_body(why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "malformed request",
            format!("The request body could not be parsed: {why}"),
        )
    }

    /// 400 for an operation refused in the object's current state.
    pub(crate) fn bad_request(code: &'static str, long_message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "bad request", long_message)
    }

    /// 401 `refresh_token_invalid`: a session refresh Clerk refuses.
    pub(crate) fn refresh_rejected() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "refresh_token_invalid",
            "Invalid refresh token",
            "The refresh token is unknown, of another session, or its session is not active",
        )
    }

    /// 401 for a missing or wrong secret key.
    pub(crate) fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "authentication_invalid",
            "Invalid authentication",
            "Unable to authenticate the request, you need to supply an active API key",
        )
    }

    /// 501 for an operation of the spec that the fake does not model.
    pub(crate) fn not_implemented(operation_id: &str) -> Self {
        let mut error = Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_implemented",
            format!("{operation_id} is not implemented by FakeClerk"),
            format!(
                "The operation {operation_id} is in the Backend API but FakeClerk \
                 (clerk_backend::testing) does not model it"
            ),
        );
        error.meta = Some(json!({ "operation_id": operation_id }));
        error
    }

    /// An injected fault's answer.
    pub(crate) fn injected(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            429 => "too_many_requests",
            500 => "internal_clerk_error",
            502..=504 => "service_unavailable",
            _ => "injected_fault",
        };
        Self::new(
            status,
            code,
            status.canonical_reason().unwrap_or("error"),
            format!("FakeClerk answered {status} as a fault injected by the test"),
        )
    }

    /// The response body, with `trace_id`.
    pub(crate) fn body(&self, trace_id: &str) -> Value {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "long_message": self.long_message,
        });
        if let Some(meta) = &self.meta {
            error["meta"] = meta.clone();
        }
        json!({ "errors": [error], "clerk_trace_id": trace_id })
    }
}

//! Sessions: created by [`FakeClerk::session`](super::FakeClerk::session),
//! then read, listed and revoked through the API.

use serde_json::{Value, json};

use super::call::Call;
use super::errors::ApiError;
use super::state::{Store, find, find_mut, order, page};

const STATUSES: &[&str] = &[
    "abandoned",
    "active",
    "ended",
    "expired",
    "removed",
    "replaced",
    "revoked",
];

/// Clerk's default session lifetime (7 days) and inactivity timeout (30
/// days), in milliseconds.
const EXPIRE_MS: i64 = 7 * 24 * 3600 * 1000;
const ABANDON_MS: i64 = 30 * 24 * 3600 * 1000;

/// Creates an active session of `user_id` (which must exist), and records
/// the sign-in on the user. Returns the session.
pub(crate) fn create(
    store: &mut Store,
    user_id: &str,
    organization_id: Option<&str>,
    actor: Option<&Value>,
) -> Value {
    let now = store.now_ms();
    let session = json!({
        "object": "session",
        "id": store.id("sess"),
        "user_id": user_id,
        "client_id": store.id("client"),
        "actor": actor,
        "status": "active",
        "tasks": null,
        "latest_activity": {
            "object": "session_activity",
            "id": store.id("sess_activity"),
            "device_type": "Macintosh",
            "is_mobile": false,
            "browser_name": "Chrome",
            "browser_version": "131.0.0.0",
            "ip_address": "127.0.0.1",
            "city": "Testville",
            "country": "ZZ",
        },
        "last_active_organization_id": organization_id,
        "last_active_at": now,
        "expire_at": now + EXPIRE_MS,
        "abandon_at": now + ABANDON_MS,
        "updated_at": now,
        "created_at": now,
    });
    store.sessions.push(session.clone());
    if let Some(user) = find_mut(&mut store.users, user_id) {
        user["last_sign_in_at"] = json!(now);
        user["last_active_at"] = json!(now);
    }
    session
}

/// `GET /sessions`: by `user_id` or `client_id` (one is required, as at
/// Clerk), optionally by `status`.
pub(crate) fn list(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let paging = call.page()?;
    let user_id = call.query("user_id");
    let client_id = call.query("client_id");
    if user_id.is_none() && client_id.is_none() {
        return Err(ApiError::param_missing("user_id"));
    }
    let status = call.query("status");
    if let Some(status) = status
        && !STATUSES.contains(&status)
    {
        return Err(ApiError::param_invalid(
            "status",
            &format!("must be one of {}.", STATUSES.join(", ")),
        ));
    }
    let matching: Vec<&Value> = store
        .sessions
        .iter()
        .filter(|s| {
            user_id.is_none_or(|u| s["user_id"] == u)
                && client_id.is_none_or(|c| s["client_id"] == c)
                && status.is_none_or(|st| s["status"] == st)
        })
        .collect();
    let ordered = order(matching, "-created_at", &["created_at"], |s, f| {
        s[f].clone()
    })?;
    Ok(Value::Array(
        page(ordered, paging).into_iter().cloned().collect(),
    ))
}

/// `GET /sessions/{session_id}`.
pub(crate) fn get(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let id = call.path("session_id");
    find(&store.sessions, id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("session", id))
}

/// `POST /sessions/{session_id}/revoke`.
pub(crate) fn revoke(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let id = call.path("session_id");
    let now = store.now_ms();
    let session =
        find_mut(&mut store.sessions, id).ok_or_else(|| ApiError::not_found("session", id))?;
    if session["status"] == "active" {
        session["status"] = json!("revoked");
        session["updated_at"] = json!(now);
    }
    Ok(session.clone())
}

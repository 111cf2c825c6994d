//! The HTTP side of the fake: routing every request to its operation of the
//! spec, the request log, injected faults, authentication and the JSON
//! answers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderMap, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use serde_json::Value;

use super::call::Call;
use super::errors::ApiError;
use super::faults::{Fault, FaultAction};
use super::signer::Signer;
use super::state::Store;
use super::{machines, organizations, sessions, users};

mod table {
    include!(concat!(env!("OUT_DIR"), "/routes.rs"));
}
use table::OPERATIONS;

/// Largest request body read (Clerk's bodies are small).
const MAX_BODY: usize = 4 * 1024 * 1024;

type Handler = fn(&mut Store, &Call) -> Result<Value, ApiError>;

/// The operations the fake models, by operationId.
pub(crate) const HANDLERS: &[(&str, Handler)] = &[
    ("GetJWKS", |store, _| Ok(store.jwks.clone())),
    ("CreateUser", users::create),
    ("GetUser", users::get),
    ("GetUserList", users::list),
    ("GetUsersCount", users::count),
    ("UpdateUser", users::update),
    ("UpdateUserMetadata", users::merge_metadata),
    ("BanUser", users::ban),
    ("UnbanUser", users::unban),
    ("LockUser", users::lock),
    ("UnlockUser", users::unlock),
    ("DeleteUser", users::delete),
    ("CreateEmailAddress", users::create_email),
    ("GetEmailAddress", users::get_email),
    ("DeleteEmailAddress", users::delete_email),
    ("CreateOrganization", organizations::create),
    ("GetOrganization", organizations::get),
    ("ListOrganizations", organizations::list),
    ("UpdateOrganization", organizations::update),
    ("MergeOrganizationMetadata", organizations::merge_metadata),
    ("DeleteOrganization", organizations::delete),
    (
        "CreateOrganizationMembership",
        organizations::create_membership,
    ),
    (
        "ListOrganizationMemberships",
        organizations::list_memberships,
    ),
    (
        "UsersGetOrganizationMemberships",
        organizations::user_memberships,
    ),
    (
        "InstanceGetOrganizationMemberships",
        organizations::all_memberships,
    ),
    (
        "UpdateOrganizationMembership",
        organizations::update_membership,
    ),
    (
        "UpdateOrganizationMembershipMetadata",
        organizations::merge_membership_metadata,
    ),
    (
        "DeleteOrganizationMembership",
        organizations::delete_membership,
    ),
    (
        "CreateOrganizationInvitation",
        organizations::create_invitation,
    ),
    (
        "ListOrganizationInvitations",
        organizations::list_invitations,
    ),
    (
        "ListPendingOrganizationInvitations",
        organizations::pending_invitations,
    ),
    ("GetOrganizationInvitation", organizations::get_invitation),
    (
        "RevokeOrganizationInvitation",
        organizations::revoke_invitation,
    ),
    ("GetSessionList", sessions::list),
    ("GetSession", sessions::get),
    ("RevokeSession", sessions::revoke),
    // Answered by `answer` with the instance's signer (see there).
    ("RefreshSession", |_, _| {
        Err(ApiError::not_implemented("RefreshSession"))
    }),
    ("createApiKey", machines::create_api_key),
    ("revokeApiKey", machines::revoke_api_key),
    ("verifyApiKey", machines::verify_api_key),
    ("revokeM2MToken", machines::revoke_m2m_token),
    ("verifyM2MToken", machines::verify_m2m_token),
    ("verifyOAuthAccessToken", machines::verify_oauth_token),
];

/// The recorded operation of the Backend API's handshake payload, which
/// Clerk's spec lists without an operation.
pub(crate) const HANDSHAKE_PAYLOAD: &str = "GetHandshakePayload";

/// The recorded operation of the fake Frontend API's handshake.
pub(crate) const FRONTEND_HANDSHAKE: &str = "FrontendApi.ClientHandshake";

/// Operations a machine's secret key may call, as Clerk lets it.
const MACHINE_OPERATIONS: &[&str] = &["verifyM2MToken"];

/// A request as the application sent it, for assertions.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The spec's operationId (`"CreateUser"`), or `None` for a path that
    /// is no operation of the API.
    pub operation: Option<&'static str>,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as sent, e.g. `/v1/users/user_2x...`.
    pub path: String,
    /// The query parameters, decoded, in order (repeated names repeat).
    pub query: Vec<(String, String)>,
    /// The JSON body, if there was one and it parsed.
    pub body: Option<Value>,
    /// The status the fake answered, `None` if it dropped the connection
    /// (an injected fault).
    pub status: Option<u16>,
    /// The JSON body the fake answered.
    pub response: Option<Value>,
}

impl RecordedRequest {
    /// The last value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What one fake holds, shared by its server and its handle.
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) log: Mutex<Vec<RecordedRequest>>,
    pub(crate) faults: Mutex<Vec<Fault>>,
    pub(crate) secret_key: String,
    pub(crate) issuer: String,
    pub(crate) publishable_key: String,
    pub(crate) signer: Signer,
    /// Handshake nonces of the fake Frontend API, not yet exchanged.
    pub(crate) handshakes: Mutex<super::frontend::Handshakes>,
    trace_seed: u64,
    traces: AtomicU64,
}

impl Shared {
    pub(crate) fn new(
        secret_key: String,
        issuer: String,
        publishable_key: String,
        signer: Signer,
        store: Store,
    ) -> Self {
        Shared {
            store: Mutex::new(store),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            secret_key,
            issuer,
            publishable_key,
            signer,
            handshakes: Mutex::new(Default::default()),
            trace_seed: super::state::random_u64(),
            traces: AtomicU64::new(0),
        }
    }

    fn trace_id(&self) -> String {
        let n = self.traces.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{n:016x}", self.trace_seed)
    }
}

/// Locks `mutex`, ignoring poisoning (a panicking test thread leaves the
/// data consistent: every change is made under one lock).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Accepts connections until the task is aborted (when the fake is
/// dropped); dropping the task drops its connections too.
pub(crate) async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, say: wait rather than spin.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                async move { handle(&shared, request).await }
            });
            // A dropped connection (a fault) ends here with an error.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

type Answer = Result<Response<Full<Bytes>>, DropConnection>;

/// What the fake answers a request: a status and JSON body (with an
/// optional `Retry-After`), or a dropped connection.
enum Outcome {
    Answer {
        status: StatusCode,
        body: Value,
        retry_after: Option<u64>,
    },
    Drop,
}

impl Outcome {
    fn ok(body: Value) -> Self {
        Outcome::Answer {
            status: StatusCode::OK,
            body,
            retry_after: None,
        }
    }

    fn error(error: &ApiError, trace_id: &str, retry_after: Option<u64>) -> Self {
        Outcome::Answer {
            status: error.status,
            body: error.body(trace_id),
            retry_after,
        }
    }
}

async fn handle(shared: &Shared, request: http::Request<hyper::body::Incoming>) -> Answer {
    let trace_id = shared.trace_id();
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parse_query(parts.uri.query().unwrap_or_default());
    if path.starts_with(super::frontend::PREFIX) {
        // The browser's side: the Frontend API's handshake.
        let response = super::frontend::handle(shared, &parts, &query);
        lock(&shared.log).push(RecordedRequest {
            operation: Some(FRONTEND_HANDSHAKE),
            method,
            path,
            query,
            body: None,
            status: Some(response.status().as_u16()),
            response: None,
        });
        return Ok(response);
    }
    // The handshake payload is not an operation of the spec (its path item
    // is empty), and its path would otherwise pass for `GetClient`'s.
    let matched = if method == "GET" && path == "/v1/clients/handshake_payload" {
        Some((HANDSHAKE_PAYLOAD, Vec::new()))
    } else {
        path.strip_prefix("/v1")
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .and_then(|rest| route(&method, rest))
    };
    let operation = matched.as_ref().map(|(op, _)| *op);
    let (outcome, body) = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => {
            let body = collected.to_bytes();
            let request = Received {
                parts: &parts,
                matched,
                query: &query,
                body: &body,
            };
            (answer(shared, request, &trace_id), body)
        }
        Err(_) => {
            let error = ApiError::malformed_body("the body could not be read");
            (Outcome::error(&error, &trace_id, None), Bytes::new())
        }
    };
    let (status, response) = match &outcome {
        Outcome::Answer { status, body, .. } => (Some(status.as_u16()), Some(body.clone())),
        Outcome::Drop => (None, None),
    };
    lock(&shared.log).push(RecordedRequest {
        operation,
        method,
        path,
        query,
        body: serde_json::from_slice(&body).ok(),
        status,
        response,
    });
    match outcome {
        Outcome::Drop => Err(DropConnection),
        Outcome::Answer {
            status,
            body,
            retry_after,
        } => Ok(json_response(status, &body, &trace_id, retry_after)),
    }
}

/// A request whose body has been read.
struct Received<'a> {
    parts: &'a http::request::Parts,
    matched: Option<(&'static str, PathParams)>,
    query: &'a [(String, String)],
    body: &'a [u8],
}

/// Faults first, then authentication, routing and the operation itself.
fn answer(shared: &Shared, request: Received<'_>, trace_id: &str) -> Outcome {
    let operation = request.matched.as_ref().map(|(op, _)| *op);
    match super::faults::take(&mut lock(&shared.faults), operation) {
        Some(FaultAction::Drop) => return Outcome::Drop,
        Some(FaultAction::Status {
            status,
            retry_after,
        }) => return Outcome::error(&ApiError::injected(status), trace_id, retry_after),
        None => {}
    }
    let machine_call = operation.is_some_and(|op| MACHINE_OPERATIONS.contains(&op))
        && bearer(&request.parts.headers)
            .is_some_and(|key| lock(&shared.store).machine_with_key(key).is_some());
    if !machine_call && !authorized(&request.parts.headers, &shared.secret_key) {
        return Outcome::error(&ApiError::unauthenticated(), trace_id, None);
    }
    let Some((operation, path_params)) = request.matched else {
        let error = ApiError::no_route(request.parts.method.as_str(), request.parts.uri.path());
        return Outcome::error(&error, trace_id, None);
    };
    let call = Call {
        path_params,
        query: request.query,
        body: request.body,
    };
    let result = match HANDLERS.iter().find(|(id, _)| *id == operation) {
        // It signs a token: it needs the signer, not only the store.
        Some(_) if operation == "RefreshSession" => super::frontend::refresh(shared, &call),
        Some((_, handler)) => handler(&mut lock(&shared.store), &call),
        None if operation == HANDSHAKE_PAYLOAD => super::frontend::payload(shared, &call),
        None => Err(ApiError::not_implemented(operation)),
    };
    match result {
        Ok(value) => Outcome::ok(value),
        Err(error) => Outcome::error(&error, trace_id, None),
    }
}

fn authorized(headers: &HeaderMap, secret_key: &str) -> bool {
    bearer(headers).is_some_and(|key| key == secret_key)
}

/// The key of `Authorization: Bearer <key>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

fn json_response(
    status: StatusCode,
    value: &Value,
    trace_id: &str,
    retry_after: Option<u64>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = http::HeaderValue::from_str(trace_id) {
        headers.insert("x-clerk-trace-id", value);
    }
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, http::HeaderValue::from(seconds));
    }
    response
}

/// Path parameters by name, e.g. `("user_id", "user_2x...")`.
type PathParams = Vec<(&'static str, String)>;

/// The operation whose path template matches `path` (under `/v1`) with
/// `method`, and the path parameters. Literal segments beat parameters
/// (`/users/count` is `GetUsersCount`, not `GetUser`).
fn route(method: &str, path: &str) -> Option<(&'static str, PathParams)> {
    let segments: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| percent_decode(s, false))
        .collect();
    let mut best: Option<(usize, &'static str, PathParams)> = None;
    for (op_method, template, operation) in OPERATIONS {
        if *op_method != method {
            continue;
        }
        let parts: Vec<&'static str> = template.split('/').skip(1).collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut literals = 0;
        let mut params = Vec::new();
        let fits = parts.iter().zip(&segments).all(|(part, segment)| {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if !segment.is_empty() => {
                    params.push((name, segment.clone()));
                    true
                }
                Some(_) => false,
                None => {
                    literals += 1;
                    part == segment
                }
            }
        });
        if fits && best.as_ref().is_none_or(|(most, _, _)| literals > *most) {
            best = Some((literals, operation, params));
        }
    }
    best.map(|(_, operation, params)| (operation, params))
}

/// `a=1&b=x%20y&b=z` as pairs, decoded (`+` is a space).
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (None, b'+') if plus_is_space => out.push(b' '),
            (None, byte) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

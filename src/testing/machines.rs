//! Machine credentials: machines (with their secret keys), API keys, M2M
//! tokens and OAuth access tokens, created through the API or by
//! [`FakeClerk`](super::FakeClerk)'s helpers, and the three verify
//! endpoints (`404` for an unknown, revoked or expired token, as Clerk).

use serde_json::{Value, json};

use super::call::{Call, opt_str, req_str, str_list};
use super::errors::ApiError;
use super::state::{Store, random_u64};

/// The fake's machine credentials. Tokens are kept with their secret, the
/// objects in their response shape (without the secret).
#[derive(Default)]
pub(crate) struct MachineStore {
    /// `(machine ID, machine secret key)`.
    pub(crate) machines: Vec<(String, String)>,
    api_keys: Vec<(String, Value)>,
    m2m_tokens: Vec<(String, Value)>,
    oauth_tokens: Vec<(String, Value)>,
}

/// 32 hexadecimal digits, as Clerk's token IDs have.
fn hex32() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

/// A secret: `prefix` and 40 random characters.
fn secret(prefix: &str) -> String {
    let mut text = String::new();
    while text.len() < 40 {
        text.push_str(&super::state::base62(random_u64(), 10));
    }
    format!("{prefix}{text}")
}

/// `ms` from now, if a lifetime in seconds was given.
fn expiration(store: &mut Store, seconds: Option<f64>) -> Value {
    let now = store.now_ms();
    seconds.map_or(Value::Null, |s| json!(now + (s * 1000.0) as i64))
}

/// Whether a stored token object says it is revoked or past its
/// expiration (which it then records, as Clerk does).
fn usable(store_now: i64, object: &mut Value) -> bool {
    if let Some(exp) = object["expiration"].as_i64()
        && exp <= store_now
    {
        object["expired"] = json!(true);
    }
    object["revoked"] != true && object["expired"] != true
}

impl Store {
    /// A new machine and its secret key.
    pub(crate) fn create_machine(&mut self) -> (String, String) {
        let machine = (self.id("mch"), secret("ak_"));
        self.machine.machines.push(machine.clone());
        machine
    }

    /// The machine whose secret key is `key`.
    pub(crate) fn machine_with_key(&self, key: &str) -> Option<&str> {
        self.machine
            .machines
            .iter()
            .find(|(_, k)| k == key)
            .map(|(id, _)| id.as_str())
    }

    /// A new opaque M2M token of `machine_id`, and its object.
    pub(crate) fn create_m2m_token(
        &mut self,
        machine_id: &str,
        scopes: Vec<String>,
        claims: Value,
        seconds: Option<f64>,
    ) -> (String, Value) {
        let now = self.now_ms();
        let object = json!({
            "object": "machine_to_machine_token",
            "id": format!("mt_{}", hex32()),
            "subject": machine_id,
            "claims": claims,
            "scopes": scopes,
            "revoked": false,
            "revocation_reason": null,
            "expired": false,
            "expiration": expiration(self, seconds),
            "last_used_at": null,
            "created_at": now,
            "updated_at": now,
        });
        let token = secret("mt_");
        self.machine
            .m2m_tokens
            .push((token.clone(), object.clone()));
        (token, object)
    }

    /// A new opaque OAuth access token of `user_id` for `client_id`.
    pub(crate) fn create_oauth_token(
        &mut self,
        user_id: &str,
        client_id: &str,
        scopes: Vec<String>,
        seconds: Option<f64>,
    ) -> String {
        let now = self.now_ms();
        let object = json!({
            "object": "clerk_idp_oauth_access_token",
            "id": format!("oat_{}", hex32()),
            "client_id": client_id,
            "subject": user_id,
            "scopes": scopes,
            "revoked": false,
            "revocation_reason": null,
            "expired": false,
            "expiration": expiration(self, seconds),
            "created_at": now,
            "updated_at": now,
        });
        let token = secret("oat_");
        self.machine.oauth_tokens.push((token.clone(), object));
        token
    }

    /// Revokes the token whose secret is `token`, of any kind; whether one
    /// was found.
    pub(crate) fn revoke_token(&mut self, token: &str) -> bool {
        let now = self.now_ms();
        let machine = &mut self.machine;
        let lists = [
            &mut machine.api_keys,
            &mut machine.m2m_tokens,
            &mut machine.oauth_tokens,
        ];
        for list in lists {
            if let Some((_, object)) = list.iter_mut().find(|(t, _)| t == token) {
                object["revoked"] = json!(true);
                object["updated_at"] = json!(now);
                return true;
            }
        }
        false
    }
}

/// `POST /api_keys`.
pub(crate) fn create_api_key(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let name = req_str(&body, "name")?;
    if name.trim().len() < 3 || name.trim() != name {
        return Err(ApiError::param_invalid(
            "name",
            "must be at least 3 characters, trimmed",
        ));
    }
    let subject = req_str(&body, "subject")?;
    let subject_ok = ["user_", "org_", "mch_"]
        .iter()
        .any(|p| subject.strip_prefix(p).is_some_and(|rest| rest.len() == 27));
    if !subject_ok {
        return Err(ApiError::param_invalid(
            "subject",
            "must be a user, organization or machine ID",
        ));
    }
    let now = store.now_ms();
    let seconds = body.get("seconds_until_expiration").and_then(Value::as_f64);
    let object = json!({
        "object": "api_key",
        "id": format!("ak_{}", hex32()),
        "type": opt_str(&body, "type")?.unwrap_or_else(|| "api_key".into()),
        "subject": subject,
        "name": name,
        "description": opt_str(&body, "description")?,
        "claims": body.get("claims").cloned().unwrap_or(Value::Null),
        "scopes": str_list(&body, "scopes")?,
        "revoked": false,
        "revocation_reason": null,
        "expired": false,
        "expiration": expiration(store, seconds),
        "created_by": opt_str(&body, "created_by")?,
        "last_used_at": null,
        "created_at": now,
        "updated_at": now,
    });
    let key = secret("ak_");
    store.machine.api_keys.push((key.clone(), object.clone()));
    let mut created = object;
    created["secret"] = json!(key);
    Ok(created)
}

/// `POST /api_keys/{apiKeyID}/revoke`.
pub(crate) fn revoke_api_key(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    revoke(store, call, ("apiKeyID", "api_key"), |m| &mut m.api_keys)
}

/// `POST /m2m_tokens/{m2m_token_id}/revoke`.
pub(crate) fn revoke_m2m_token(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    revoke(store, call, ("m2m_token_id", "m2m_token"), |m| {
        &mut m.m2m_tokens
    })
}

/// A revoke endpoint: the token whose ID is the path parameter `param`,
/// revoked with the body's `revocation_reason`.
fn revoke(
    store: &mut Store,
    call: &Call,
    (param, what): (&str, &str),
    pick: fn(&mut MachineStore) -> &mut Vec<(String, Value)>,
) -> Result<Value, ApiError> {
    let reason = opt_str(&call.body()?, "revocation_reason")?;
    let now = store.now_ms();
    let id = call.path(param);
    let (_, object) = pick(&mut store.machine)
        .iter_mut()
        .find(|(_, o)| o["id"] == id)
        .ok_or_else(|| ApiError::not_found(what, id))?;
    object["revoked"] = json!(true);
    object["revocation_reason"] = json!(reason);
    object["updated_at"] = json!(now);
    Ok(object.clone())
}

/// A verify endpoint: the object of the usable token sent in `field`, with
/// its use recorded; `404` otherwise.
fn verify(
    store: &mut Store,
    call: &Call,
    field: &str,
    pick: fn(&mut MachineStore) -> &mut Vec<(String, Value)>,
    what: &str,
) -> Result<Value, ApiError> {
    let token = req_str(&call.body()?, field)?;
    let now = store.now_ms();
    let not_found = || ApiError::not_found(what, "the given token");
    let (_, object) = pick(&mut store.machine)
        .iter_mut()
        .find(|(t, _)| *t == token)
        .ok_or_else(not_found)?;
    if !usable(now, object) {
        return Err(not_found());
    }
    if object.get("last_used_at").is_some() {
        object["last_used_at"] = json!(now);
    }
    Ok(object.clone())
}

/// `POST /api_keys/verify` (`{"secret"}`).
pub(crate) fn verify_api_key(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    verify(store, call, "secret", |m| &mut m.api_keys, "api_key")
}

/// `POST /m2m_tokens/verify` (`{"token"}`).
pub(crate) fn verify_m2m_token(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    verify(store, call, "token", |m| &mut m.m2m_tokens, "m2m_token")
}

/// `POST /oauth_applications/access_tokens/verify` (`{"access_token"}`).
pub(crate) fn verify_oauth_token(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    verify(
        store,
        call,
        "access_token",
        |m| &mut m.oauth_tokens,
        "oauth_access_token",
    )
}

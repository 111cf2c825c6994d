//! Users and their email addresses and phone numbers: create, get, list,
//! count, update, metadata merge, ban, lock, delete.

use serde_json::{Map, Value, json};

use super::call::{Body, Call, opt_bool, opt_int, opt_object, opt_str, req_str, str_list};
use super::errors::ApiError;
use super::state::{Store, deleted, find, find_mut, merge, order, page};

/// Orderings `GET /users` accepts.
const USER_ORDERS: &[&str] = &[
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "phone_number",
    "last_sign_in_at",
    "last_active_at",
];

/// Clerk's shortest and longest accepted password.
const PASSWORD_LEN: std::ops::RangeInclusive<usize> = 8..=72;

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// E.164: `+` and 7 to 15 digits.
fn valid_phone(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|d| (7..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Clerk's default username rules: 4 to 64 letters, digits, `_` and `-`.
fn valid_username(username: &str) -> bool {
    (4..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn strings(user: &Value, list: &str, field: &str) -> Vec<String> {
    user[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[field].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether another user than `except` has this identifier.
fn taken(store: &Store, except: &str, param: &str, original: &str) -> bool {
    let value = original.to_lowercase();
    store.users.iter().filter(|u| u["id"] != except).any(|u| {
        let has = |v: Option<&str>| v.is_some_and(|v| v.to_lowercase() == value);
        match param {
            "email_address" => strings(u, "email_addresses", "email_address")
                .iter()
                .any(|e| has(Some(e))),
            "phone_number" => strings(u, "phone_numbers", "phone_number")
                .iter()
                .any(|p| has(Some(p))),
            "username" => has(u["username"].as_str()),
            "external_id" => u["external_id"].as_str() == Some(original),
            _ => false,
        }
    })
}

/// Checks an identifier's format and that no other user than `except` has
/// it.
fn check_identifier(store: &Store, except: &str, param: &str, value: &str) -> Result<(), ApiError> {
    let format = match param {
        "email_address" => valid_email(value)
            .then_some(())
            .ok_or("must be a valid email address."),
        "phone_number" => valid_phone(value)
            .then_some(())
            .ok_or("must be a valid phone number in E.164 format."),
        "username" => valid_username(value)
            .then_some(())
            .ok_or("must be 4 to 64 letters, digits, _ or -."),
        _ => Ok(()),
    };
    format.map_err(|why| ApiError::param_invalid(param, why))?;
    if taken(store, except, param, value) {
        return Err(ApiError::identifier_exists(param));
    }
    Ok(())
}

/// Verification of an identifier set through the Backend API.
fn admin_verified() -> Value {
    json!({"status": "verified", "strategy": "admin", "attempts": null, "expire_at": null})
}

fn email_object(id: &str, email: &str, verified: bool, now: i64) -> Value {
    json!({
        "id": id,
        "object": "email_address",
        "email_address": email,
        "reserved": false,
        "matches_sso_connection": false,
        "verification": if verified { admin_verified() } else { Value::Null },
        "linked_to": [],
        "created_at": now,
        "updated_at": now,
    })
}

fn phone_object(id: &str, phone: &str, now: i64) -> Value {
    json!({
        "id": id,
        "object": "phone_number",
        "phone_number": phone,
        "reserved_for_second_factor": false,
        "default_second_factor": false,
        "reserved": false,
        "verification": admin_verified(),
        "linked_to": [],
        "backup_codes": null,
        "created_at": now,
        "updated_at": now,
    })
}

fn check_password(body: &Body) -> Result<bool, ApiError> {
    let skip = opt_bool(body, "skip_password_checks")?.unwrap_or(false);
    if let Some(password) = opt_str(body, "password")? {
        if !skip && !PASSWORD_LEN.contains(&password.chars().count()) {
            let code = if password.chars().count() < *PASSWORD_LEN.start() {
                "form_password_length_too_short"
            } else {
                "form_password_length_too_long"
            };
            return Err(ApiError::unprocessable(
                code,
                "password",
                "Passwords must be 8 characters or more.",
            ));
        }
        return Ok(true);
    }
    Ok(opt_str(body, "password_digest")?.is_some())
}

fn set_metadata(user: &mut Value, body: &Body) -> Result<(), ApiError> {
    for name in ["public_metadata", "private_metadata", "unsafe_metadata"] {
        if let Some(map) = opt_object(body, name)? {
            user[name] = Value::Object(map);
        }
    }
    Ok(())
}

fn set_flags(user: &mut Value, body: &Body) -> Result<(), ApiError> {
    for name in ["delete_self_enabled", "create_organization_enabled"] {
        if let Some(flag) = opt_bool(body, name)? {
            user[name] = json!(flag);
        }
    }
    if body.contains_key("create_organizations_limit") {
        user["create_organizations_limit"] = json!(opt_int(body, "create_organizations_limit")?);
    }
    Ok(())
}

/// `POST /users`.
pub(crate) fn create(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let emails = str_list(&body, "email_address")?;
    let phones = str_list(&body, "phone_number")?;
    if !str_list(&body, "web3_wallet")?.is_empty() {
        return Err(ApiError::not_implemented("CreateUser with web3_wallet"));
    }
    let username = opt_str(&body, "username")?.filter(|u| !u.is_empty());
    let external_id = opt_str(&body, "external_id")?.filter(|u| !u.is_empty());
    if emails.is_empty() && phones.is_empty() && username.is_none() {
        return Err(ApiError::param_missing("email_address"));
    }
    let identifiers = (emails.iter().map(|e| ("email_address", e)))
        .chain(phones.iter().map(|p| ("phone_number", p)))
        .chain(username.iter().map(|u| ("username", u)))
        .chain(external_id.iter().map(|e| ("external_id", e)));
    for (param, value) in identifiers {
        check_identifier(store, "", param, value)?;
    }
    let password_enabled = check_password(&body)?;
    let first_name = opt_str(&body, "first_name")?;
    let last_name = opt_str(&body, "last_name")?;

    let now = store.now_ms();
    let id = store.id("user");
    let email_objects: Vec<Value> = emails
        .iter()
        .map(|e| {
            let idn = store.id("idn");
            email_object(&idn, e, true, now)
        })
        .collect();
    let phone_objects: Vec<Value> = phones
        .iter()
        .map(|p| {
            let idn = store.id("idn");
            phone_object(&idn, p, now)
        })
        .collect();
    let first_id = |list: &[Value]| list.first().map_or(Value::Null, |o| o["id"].clone());
    let image = format!("https://img.clerk.com/fake/{id}");
    let mut user = json!({
        "id": id,
        "object": "user",
        "external_id": external_id,
        "primary_email_address_id": first_id(&email_objects),
        "primary_phone_number_id": first_id(&phone_objects),
        "primary_web3_wallet_id": null,
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "profile_image_url": image,
        "image_url": image,
        "has_image": false,
        "public_metadata": {},
        "private_metadata": {},
        "unsafe_metadata": {},
        "email_addresses": email_objects,
        "phone_numbers": phone_objects,
        "web3_wallets": [],
        "passkeys": [],
        "password_enabled": password_enabled,
        "two_factor_enabled": false,
        "totp_enabled": false,
        "backup_code_enabled": false,
        "mfa_enabled_at": null,
        "mfa_disabled_at": null,
        "external_accounts": [],
        "saml_accounts": [],
        "last_sign_in_at": null,
        "banned": false,
        "locked": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": 100,
        "updated_at": now,
        "created_at": now,
        "delete_self_enabled": true,
        "create_organization_enabled": true,
        "create_organizations_limit": null,
        "last_active_at": null,
        "legal_accepted_at": null,
    });
    // Fields of API version 2026-05-12 (one `json!` is too deep for them all).
    let newer = json!({
        "enterprise_accounts": [],
        "organization_memberships": [],
        "scim": null,
        "locale": null,
        "password_last_updated_at": if password_enabled { json!(now) } else { Value::Null },
        "deprovisioned": false,
        "bypass_client_trust": false,
    });
    if let (Some(user), Value::Object(newer)) = (user.as_object_mut(), newer) {
        user.extend(newer);
    }
    set_metadata(&mut user, &body)?;
    set_flags(&mut user, &body)?;
    let place = (
        user["created_at"].as_i64().unwrap_or_default(),
        store.user_places.len(),
    );
    store.user_places.insert(id.clone(), place);
    store.users.push(user.clone());
    Ok(user)
}

fn get_user<'a>(store: &'a Store, id: &str) -> Result<&'a Value, ApiError> {
    find(&store.users, id).ok_or_else(|| ApiError::not_found("user", id))
}

fn user_mut<'a>(store: &'a mut Store, id: &str) -> Result<&'a mut Value, ApiError> {
    find_mut(&mut store.users, id).ok_or_else(|| ApiError::not_found("user", id))
}

/// `GET /users/{user_id}`.
pub(crate) fn get(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    get_user(store, call.path("user_id")).cloned()
}

/// The users matching the filters of `GET /users` and `GET /users/count`.
fn matching<'a>(store: &'a Store, call: &Call) -> Result<Vec<&'a Value>, ApiError> {
    let lower =
        |values: Vec<&str>| -> Vec<String> { values.into_iter().map(str::to_lowercase).collect() };
    let emails = lower(call.query_all("email_address"));
    let phones = call.query_all("phone_number");
    let usernames = lower(call.query_all("username"));
    let external_ids = call.query_all("external_id");
    let user_ids = call.query_all("user_id");
    let organization_ids = call.query_all("organization_id");
    if !call.query_all("web3_wallet").is_empty() {
        return Err(ApiError::not_implemented("GetUserList with web3_wallet"));
    }
    let query = call.query("query").map(str::to_lowercase);
    let active_since =
        match call.query("last_active_at_since") {
            Some(text) => Some(text.parse::<i64>().map_err(|_| {
                ApiError::param_invalid("last_active_at_since", "must be an integer")
            })?),
            None => None,
        };
    let members_of = |user_id: &str| {
        store
            .memberships
            .iter()
            .any(|m| m.user_id == user_id && organization_ids.contains(&m.organization_id.as_str()))
    };
    Ok(store
        .users
        .iter()
        .filter(|u| {
            let id = u["id"].as_str().unwrap_or_default();
            let user_emails = lower(
                strings(u, "email_addresses", "email_address")
                    .iter()
                    .map(String::as_str)
                    .collect(),
            );
            let user_phones = strings(u, "phone_numbers", "phone_number");
            let text = |field: &str| u[field].as_str().unwrap_or_default().to_lowercase();
            (emails.is_empty() || user_emails.iter().any(|e| emails.contains(e)))
                && (phones.is_empty() || user_phones.iter().any(|p| phones.contains(&p.as_str())))
                && (usernames.is_empty() || usernames.contains(&text("username")))
                && (external_ids.is_empty()
                    || u["external_id"]
                        .as_str()
                        .is_some_and(|e| external_ids.contains(&e)))
                && (user_ids.is_empty() || user_ids.contains(&id))
                && (organization_ids.is_empty() || members_of(id))
                && active_since
                    .is_none_or(|since| u["last_active_at"].as_i64().is_some_and(|at| at >= since))
                && query.as_ref().is_none_or(|q| {
                    let mut haystack = vec![
                        id.to_lowercase(),
                        text("username"),
                        text("first_name"),
                        text("last_name"),
                        text("external_id"),
                    ];
                    haystack.extend(user_emails.iter().cloned());
                    haystack.extend(user_phones.iter().cloned());
                    haystack.iter().any(|h| h.contains(q.as_str()))
                })
        })
        .collect())
}

/// `GET /users`.
pub(crate) fn list(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let paging = call.page()?;
    let users = matching(store, call)?;
    let ordered = order(
        users,
        call.query("order_by").unwrap_or("-created_at"),
        USER_ORDERS,
        |u, field| match field {
            "email_address" => primary_value(u, "email_addresses", "primary_email_address_id"),
            "phone_number" => primary_value(u, "phone_numbers", "primary_phone_number_id"),
            _ => u[field].clone(),
        },
    )?;
    let (ordered, paging) = match call.query("starting_after") {
        Some(cursor) => (after_cursor(store, ordered, cursor, call)?, (paging.0, 0)),
        None => (ordered, paging),
    };
    Ok(Value::Array(
        page(ordered, paging).into_iter().cloned().collect(),
    ))
}

/// The users of `ordered` (ordered by a `created_at` ordering) that come
/// after the user `cursor`, which may have been deleted since: Clerk's
/// `starting_after`. Other orderings and a non-zero offset are a 422.
fn after_cursor<'u>(
    store: &Store,
    ordered: Vec<&'u Value>,
    cursor: &str,
    call: &Call,
) -> Result<Vec<&'u Value>, ApiError> {
    let order_by = call.query("order_by").unwrap_or("-created_at");
    let descending = match order_by.trim_start_matches(' ') {
        "-created_at" => true,
        "created_at" | "+created_at" => false,
        _ => {
            return Err(ApiError::param_invalid(
                "starting_after",
                "can only be used when ordering by created_at",
            ));
        }
    };
    if call.page()?.1 != 0 {
        return Err(ApiError::param_invalid(
            "starting_after",
            "cannot be combined with a non-zero offset",
        ));
    }
    let Some(&mark) = store.user_places.get(cursor) else {
        return Err(ApiError::param_invalid(
            "starting_after",
            "is not a user ID",
        ));
    };
    let place = |u: &Value| {
        let id = u["id"].as_str().unwrap_or_default();
        store.user_places.get(id).copied().unwrap_or_default()
    };
    Ok(ordered
        .into_iter()
        .filter(|u| (place(u) > mark) != descending && place(u) != mark)
        .collect())
}

/// The primary email address or phone number of `user`, for ordering.
fn primary_value(user: &Value, list: &str, primary: &str) -> Value {
    let field = if list == "email_addresses" {
        "email_address"
    } else {
        "phone_number"
    };
    user[list]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == user[primary]))
        .map_or(Value::Null, |i| i[field].clone())
}

/// `GET /users/count`.
pub(crate) fn count(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let total = matching(store, call)?.len();
    Ok(json!({"object": "total_count", "total_count": total}))
}

/// `PATCH /users/{user_id}`.
pub(crate) fn update(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let id = call.path("user_id").to_owned();
    let body = call.body()?;
    let existing = get_user(store, &id)?.clone();
    let mut user = existing;
    for (field, list) in [
        ("primary_email_address_id", "email_addresses"),
        ("primary_phone_number_id", "phone_numbers"),
    ] {
        if let Some(wanted) = opt_str(&body, field)? {
            if !strings(&user, list, "id").contains(&wanted) {
                return Err(ApiError::param_invalid(
                    field,
                    "must be the ID of one of the user's identifiers.",
                ));
            }
            user[field] = json!(wanted);
        }
    }
    if body.contains_key("username") {
        match opt_str(&body, "username")?.filter(|u| !u.is_empty()) {
            Some(username) => {
                check_identifier(store, &id, "username", &username)?;
                user["username"] = json!(username);
            }
            None => user["username"] = Value::Null,
        }
    }
    if body.contains_key("external_id") {
        let external_id = opt_str(&body, "external_id")?.filter(|e| !e.is_empty());
        if let Some(external_id) = &external_id {
            check_identifier(store, &id, "external_id", external_id)?;
        }
        user["external_id"] = json!(external_id);
    }
    for field in ["first_name", "last_name"] {
        if body.contains_key(field) {
            user[field] = json!(opt_str(&body, field)?);
        }
    }
    if check_password(&body)? {
        user["password_enabled"] = json!(true);
    }
    set_metadata(&mut user, &body)?;
    set_flags(&mut user, &body)?;
    user["updated_at"] = json!(store.now_ms());
    *user_mut(store, &id)? = user.clone();
    Ok(user)
}

/// `PATCH /users/{user_id}/metadata`: Clerk's deep merge.
pub(crate) fn merge_metadata(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let patches: Vec<(&str, Map<String, Value>)> =
        ["public_metadata", "private_metadata", "unsafe_metadata"]
            .into_iter()
            .filter_map(|name| {
                opt_object(&body, name)
                    .transpose()
                    .map(|m| m.map(|m| (name, m)))
            })
            .collect::<Result<_, _>>()?;
    let now = store.now_ms();
    let user = user_mut(store, call.path("user_id"))?;
    for (name, patch) in patches {
        merge(&mut user[name], &patch);
    }
    user["updated_at"] = json!(now);
    Ok(user.clone())
}

/// Sets boolean `field` (and what goes with it) of the user.
fn set_state(store: &mut Store, call: &Call, field: &str, on: bool) -> Result<Value, ApiError> {
    let now = store.now_ms();
    let id = call.path("user_id").to_owned();
    let user = user_mut(store, &id)?;
    user[field] = json!(on);
    if field == "locked" {
        // Locked through the API: until unlocked.
        user["lockout_expires_in_seconds"] = Value::Null;
    }
    user["updated_at"] = json!(now);
    let user = user.clone();
    if field == "banned" && on {
        // Banning signs the user out everywhere.
        for session in store.sessions.iter_mut().filter(|s| s["user_id"] == id) {
            if session["status"] == "active" {
                session["status"] = json!("revoked");
                session["updated_at"] = json!(now);
            }
        }
    }
    Ok(user)
}

/// `POST /users/{user_id}/ban`.
pub(crate) fn ban(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    set_state(store, call, "banned", true)
}

/// `POST /users/{user_id}/unban`.
pub(crate) fn unban(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    set_state(store, call, "banned", false)
}

/// `POST /users/{user_id}/lock`.
pub(crate) fn lock(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    set_state(store, call, "locked", true)
}

/// `POST /users/{user_id}/unlock`.
pub(crate) fn unlock(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    set_state(store, call, "locked", false)
}

/// `DELETE /users/{user_id}`: also ends the user's memberships and
/// sessions.
pub(crate) fn delete(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let id = call.path("user_id");
    get_user(store, id)?;
    store.users.retain(|u| u["id"] != id);
    store.memberships.retain(|m| m.user_id != id);
    store.sessions.retain(|s| s["user_id"] != id);
    Ok(deleted("user", id))
}

/// `POST /email_addresses`.
pub(crate) fn create_email(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let user_id = req_str(&body, "user_id")?;
    let email = req_str(&body, "email_address")?;
    let verified = opt_bool(&body, "verified")?.unwrap_or(false);
    let primary = opt_bool(&body, "primary")?.unwrap_or(false);
    get_user(store, &user_id)?;
    check_identifier(store, "", "email_address", &email)?;
    let now = store.now_ms();
    let idn = store.id("idn");
    let object = email_object(&idn, &email, verified, now);
    let user = user_mut(store, &user_id)?;
    if let Some(list) = user["email_addresses"].as_array_mut() {
        list.push(object.clone());
    }
    if primary || user["primary_email_address_id"].is_null() {
        user["primary_email_address_id"] = json!(idn);
    }
    user["updated_at"] = json!(now);
    Ok(object)
}

/// The user owning email address `idn`, and its index in their list.
fn email_owner(store: &Store, idn: &str) -> Result<(usize, usize), ApiError> {
    store
        .users
        .iter()
        .enumerate()
        .find_map(|(u, user)| {
            user["email_addresses"]
                .as_array()?
                .iter()
                .position(|e| e["id"] == idn)
                .map(|e| (u, e))
        })
        .ok_or_else(|| ApiError::not_found("email address", idn))
}

/// `GET /email_addresses/{email_address_id}`.
pub(crate) fn get_email(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let (u, e) = email_owner(store, call.path("email_address_id"))?;
    Ok(store.users[u]["email_addresses"][e].clone())
}

/// `DELETE /email_addresses/{email_address_id}`.
pub(crate) fn delete_email(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let idn = call.path("email_address_id");
    let (u, e) = email_owner(store, idn)?;
    let now = store.now_ms();
    let user = &mut store.users[u];
    if let Some(list) = user["email_addresses"].as_array_mut() {
        list.remove(e);
    }
    if user["primary_email_address_id"] == idn {
        let next = user["email_addresses"][0]["id"].clone();
        user["primary_email_address_id"] = next;
    }
    user["updated_at"] = json!(now);
    Ok(deleted("email_address", idn))
}

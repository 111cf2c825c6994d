//! Organizations, their memberships and their invitations.

use serde_json::{Map, Value, json};

use super::call::{Body, Call, opt_bool, opt_int, opt_object, opt_str, req_str};
use super::errors::ApiError;
use super::state::{Membership, Store, find, find_mut, list_page, merge};

const ORGANIZATION_ORDERS: &[&str] = &["created_at", "name", "members_count"];
const MEMBERSHIP_ORDERS: &[&str] = &[
    "created_at",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "role",
];

/// The permissions of Clerk's default roles (custom roles get none).
/// How long an organization invitation stays valid: Clerk's default, 30 days.
const INVITATION_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// The display name of a role (`org:admin` -> `Admin`).
fn role_name(role: &str) -> String {
    let key = role.strip_prefix("org:").unwrap_or(role);
    let mut chars = key.chars();
    chars.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(chars.map(|c| if c == '_' { ' ' } else { c }))
            .collect()
    })
}

fn permissions(role: &str) -> Vec<&'static str> {
    match role {
        "org:admin" => vec![
            "org:sys_profile:manage",
            "org:sys_profile:delete",
            "org:sys_memberships:read",
            "org:sys_memberships:manage",
            "org:sys_domains:read",
            "org:sys_domains:manage",
        ],
        "org:member" => vec!["org:sys_memberships:read"],
        _ => Vec::new(),
    }
}

/// A role key: `org:` and a name (Clerk's default roles are `org:admin` and
/// `org:member`; instances may define more).
fn check_role(role: &str) -> Result<(), ApiError> {
    let ok = role.strip_prefix("org:").is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'))
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::param_invalid(
            "role",
            "must be a role key such as org:admin or org:member.",
        ))
    }
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Clerk's slug for a name: lowercase letters and digits, runs of anything
/// else as one `-`.
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

fn org_index(store: &Store, id_or_slug: &str) -> Result<usize, ApiError> {
    store
        .organizations
        .iter()
        .position(|o| o["id"] == id_or_slug)
        .or_else(|| {
            store
                .organizations
                .iter()
                .position(|o| o["slug"] == id_or_slug)
        })
        .ok_or_else(|| ApiError::not_found("organization", id_or_slug))
}

fn members_count(store: &Store, org_id: &Value) -> usize {
    store
        .memberships
        .iter()
        .filter(|m| *org_id == m.organization_id)
        .count()
}

/// The organization as returned, with `members_count` when asked for.
fn render(store: &Store, org: &Value, with_count: bool) -> Value {
    let mut org = org.clone();
    if with_count {
        org["members_count"] = json!(members_count(store, &org["id"]));
    }
    org
}

fn slug_taken(store: &Store, slug: &str, except: &Value) -> bool {
    store
        .organizations
        .iter()
        .any(|o| o["slug"] == slug && o["id"] != *except)
}

fn check_slug(store: &Store, slug: &str, except: &Value) -> Result<(), ApiError> {
    if !valid_slug(slug) {
        return Err(ApiError::param_invalid(
            "slug",
            "must contain only lowercase letters, digits and -.",
        ));
    }
    if slug_taken(store, slug, except) {
        return Err(ApiError::identifier_exists("slug"));
    }
    Ok(())
}

fn set_fields(org: &mut Value, body: &Body) -> Result<(), ApiError> {
    for name in ["public_metadata", "private_metadata"] {
        if let Some(map) = opt_object(body, name)? {
            org[name] = Value::Object(map);
        }
    }
    if let Some(max) = opt_int(body, "max_allowed_memberships")? {
        if max < 0 {
            return Err(ApiError::param_invalid(
                "max_allowed_memberships",
                "must not be negative.",
            ));
        }
        org["max_allowed_memberships"] = json!(max);
    }
    if let Some(enabled) = opt_bool(body, "admin_delete_enabled")? {
        org["admin_delete_enabled"] = json!(enabled);
    }
    Ok(())
}

/// `POST /organizations`: the creator becomes its first admin.
pub(crate) fn create(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let name = req_str(&body, "name")?;
    let created_by = req_str(&body, "created_by")?;
    if find(&store.users, &created_by).is_none() {
        return Err(ApiError::not_found("user", &created_by));
    }
    let slug = match opt_str(&body, "slug")? {
        Some(slug) => {
            check_slug(store, &slug, &Value::Null)?;
            slug
        }
        None => {
            let base = match slugify(&name) {
                s if s.is_empty() => "organization".to_owned(),
                s => s,
            };
            let mut slug = base.clone();
            while slug_taken(store, &slug, &Value::Null) {
                slug = format!("{base}-{}", store.id("x").split_at(8).1.to_lowercase());
            }
            slug
        }
    };
    let now = store.now_ms();
    let id = store.id("org");
    let mut org = json!({
        "object": "organization",
        "id": id,
        "name": name,
        "slug": slug,
        "pending_invitations_count": 0,
        "has_image": false,
        "image_url": format!("https://img.clerk.com/fake/{id}"),
        "role_set_key": null,
        "missing_member_with_elevated_permissions": false,
        "last_active_at": now,
        "max_allowed_memberships": 0,
        "admin_delete_enabled": true,
        "public_metadata": {},
        "private_metadata": {},
        "created_by": created_by,
        "created_at": now,
        "updated_at": now,
    });
    set_fields(&mut org, &body)?;
    store.organizations.push(org.clone());
    let membership_id = store.id("orgmem");
    store.memberships.push(Membership {
        id: membership_id,
        organization_id: id,
        user_id: created_by,
        role: "org:admin".to_owned(),
        public_metadata: json!({}),
        private_metadata: json!({}),
        created_at: now,
        updated_at: now,
    });
    Ok(org)
}

/// `GET /organizations/{organization_id}` (an ID or a slug).
pub(crate) fn get(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let with_count = call.query_bool("include_members_count")?;
    let index = org_index(store, call.path("organization_id"))?;
    Ok(render(store, &store.organizations[index], with_count))
}

/// `GET /organizations`.
pub(crate) fn list(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let paging = call.page()?;
    let with_count = call.query_bool("include_members_count")?;
    let query = call.query("query").map(str::to_lowercase);
    let matching: Vec<&Value> = store
        .organizations
        .iter()
        .filter(|o| {
            query.as_ref().is_none_or(|q| {
                ["id", "name", "slug"].iter().any(|f| {
                    o[*f]
                        .as_str()
                        .unwrap_or_default()
                        .to_lowercase()
                        .contains(q)
                })
            })
        })
        .collect();
    list_page(
        matching,
        (
            call.query("order_by").unwrap_or("-created_at"),
            ORGANIZATION_ORDERS,
        ),
        |o, field| match field {
            "members_count" => json!(members_count(store, &o["id"])),
            _ => o[field].clone(),
        },
        paging,
        |o| render(store, o, with_count),
    )
}

/// `PATCH /organizations/{organization_id}`.
pub(crate) fn update(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let index = org_index(store, call.path("organization_id"))?;
    let mut org = store.organizations[index].clone();
    if let Some(name) = opt_str(&body, "name")? {
        if name.trim().is_empty() {
            return Err(ApiError::param_missing("name"));
        }
        org["name"] = json!(name);
    }
    if let Some(slug) = opt_str(&body, "slug")? {
        check_slug(store, &slug, &org["id"])?;
        org["slug"] = json!(slug);
    }
    set_fields(&mut org, &body)?;
    org["updated_at"] = json!(store.now_ms());
    store.organizations[index] = org.clone();
    Ok(org)
}

/// `PATCH /organizations/{organization_id}/metadata`.
pub(crate) fn merge_metadata(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let index = org_index(store, call.path("organization_id"))?;
    let now = store.now_ms();
    let org = &mut store.organizations[index];
    merge_objects(org, &body, &["public_metadata", "private_metadata"])?;
    org["updated_at"] = json!(now);
    Ok(org.clone())
}

/// Merges the object fields `names` of `body` into `target`.
fn merge_objects(target: &mut Value, body: &Body, names: &[&str]) -> Result<(), ApiError> {
    let patches: Vec<(&str, Map<String, Value>)> = names
        .iter()
        .filter_map(|name| {
            opt_object(body, name)
                .transpose()
                .map(|m| m.map(|m| (*name, m)))
        })
        .collect::<Result<_, _>>()?;
    for (name, patch) in patches {
        merge(&mut target[name], &patch);
    }
    Ok(())
}

/// `DELETE /organizations/{organization_id}`: also its memberships and
/// invitations.
pub(crate) fn delete(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let index = org_index(store, call.path("organization_id"))?;
    let org = store.organizations.remove(index);
    store.memberships.retain(|m| org["id"] != m.organization_id);
    store
        .invitations
        .retain(|i| i["organization_id"] != org["id"]);
    Ok(json!({"object": "organization", "id": org["id"], "slug": org["slug"], "deleted": true}))
}

// ---------------------------------------------------------------------------
// Memberships
// ---------------------------------------------------------------------------

/// A membership as returned: with its organization and the member's public
/// data.
fn render_membership(store: &Store, m: &Membership) -> Value {
    let org = find(&store.organizations, &m.organization_id)
        .cloned()
        .unwrap_or(Value::Null);
    let user = find(&store.users, &m.user_id)
        .cloned()
        .unwrap_or(Value::Null);
    let primary = |list: &str, id_field: &str, field: &str| {
        user[list].as_array().and_then(|items| {
            items
                .iter()
                .find(|i| i["id"] == user[id_field])
                .and_then(|i| i[field].as_str().map(str::to_owned))
        })
    };
    let identifier = primary(
        "email_addresses",
        "primary_email_address_id",
        "email_address",
    )
    .or_else(|| primary("phone_numbers", "primary_phone_number_id", "phone_number"))
    .or_else(|| user["username"].as_str().map(str::to_owned));
    json!({
        "id": m.id,
        "object": "organization_membership",
        "role": m.role,
        "role_name": role_name(&m.role),
        "permissions": permissions(&m.role),
        "public_metadata": m.public_metadata,
        "private_metadata": m.private_metadata,
        "organization": org,
        "public_user_data": {
            "user_id": m.user_id,
            "first_name": user["first_name"],
            "last_name": user["last_name"],
            "profile_image_url": user["profile_image_url"],
            "image_url": user["image_url"].as_str().unwrap_or_default(),
            "has_image": user["has_image"].as_bool().unwrap_or(false),
            "identifier": identifier,
            "username": user["username"],
            "banned": user["banned"].as_bool().unwrap_or(false),
            "deprovisioned": false,
        },
        "created_at": m.created_at,
        "updated_at": m.updated_at,
    })
}

/// A page of memberships, as `{data, total_count}`.
fn membership_page(
    store: &Store,
    call: &Call,
    keep: impl Fn(&Membership) -> bool,
) -> Result<Value, ApiError> {
    let paging = call.page()?;
    let rendered: Vec<Value> = store
        .memberships
        .iter()
        .filter(|m| keep(m))
        .map(|m| render_membership(store, m))
        .collect();
    list_page(
        rendered,
        (
            call.query("order_by").unwrap_or("-created_at"),
            MEMBERSHIP_ORDERS,
        ),
        |m, field| match field {
            "created_at" | "role" => m[field].clone(),
            "email_address" => m["public_user_data"]["identifier"].clone(),
            _ => m["public_user_data"][field].clone(),
        },
        paging,
        |m| m,
    )
}

/// `GET /organizations/{organization_id}/memberships`.
pub(crate) fn list_memberships(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let index = org_index(store, call.path("organization_id"))?;
    let org_id = store.organizations[index]["id"].clone();
    membership_page(store, call, |m| org_id == m.organization_id)
}

/// `GET /users/{user_id}/organization_memberships`.
pub(crate) fn user_memberships(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let user_id = call.path("user_id");
    if find(&store.users, user_id).is_none() {
        return Err(ApiError::not_found("user", user_id));
    }
    membership_page(store, call, |m| m.user_id == user_id)
}

/// `GET /organization_memberships`.
pub(crate) fn all_memberships(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    membership_page(store, call, |_| true)
}

/// `POST /organizations/{organization_id}/memberships`.
pub(crate) fn create_membership(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let index = org_index(store, call.path("organization_id"))?;
    let user_id = req_str(&body, "user_id")?;
    let role = req_str(&body, "role")?;
    check_role(&role)?;
    if find(&store.users, &user_id).is_none() {
        return Err(ApiError::not_found("user", &user_id));
    }
    let org_id = store.organizations[index]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if store
        .memberships
        .iter()
        .any(|m| m.organization_id == org_id && m.user_id == user_id)
    {
        return Err(ApiError::bad_request(
            "already_a_member_in_organization",
            format!("User {user_id} is already a member of organization {org_id}"),
        ));
    }
    let max = store.organizations[index]["max_allowed_memberships"]
        .as_u64()
        .unwrap_or(0);
    if max > 0 && members_count(store, &json!(org_id)) as u64 >= max {
        return Err(ApiError::bad_request(
            "organization_membership_quota_exceeded",
            format!("Organization {org_id} has reached its limit of {max} members"),
        ));
    }
    let now = store.now_ms();
    let membership = Membership {
        id: store.id("orgmem"),
        organization_id: org_id,
        user_id,
        role,
        public_metadata: json!({}),
        private_metadata: json!({}),
        created_at: now,
        updated_at: now,
    };
    store.memberships.push(membership.clone());
    Ok(render_membership(store, &membership))
}

fn membership_index(store: &Store, call: &Call) -> Result<usize, ApiError> {
    let index = org_index(store, call.path("organization_id"))?;
    let org_id = &store.organizations[index]["id"];
    let user_id = call.path("user_id");
    store
        .memberships
        .iter()
        .position(|m| *org_id == m.organization_id && m.user_id == user_id)
        .ok_or_else(|| ApiError::not_found("organization membership for user", user_id))
}

/// `PATCH /organizations/{organization_id}/memberships/{user_id}`.
pub(crate) fn update_membership(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let index = membership_index(store, call)?;
    let role = req_str(&body, "role")?;
    check_role(&role)?;
    let now = store.now_ms();
    let membership = &mut store.memberships[index];
    membership.role = role;
    membership.updated_at = now;
    Ok(render_membership(store, &store.memberships[index]))
}

/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`.
pub(crate) fn merge_membership_metadata(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let index = membership_index(store, call)?;
    let now = store.now_ms();
    let membership = &mut store.memberships[index];
    let mut metadata = json!({
        "public_metadata": membership.public_metadata,
        "private_metadata": membership.private_metadata,
    });
    merge_objects(
        &mut metadata,
        &body,
        &["public_metadata", "private_metadata"],
    )?;
    membership.public_metadata = metadata["public_metadata"].take();
    membership.private_metadata = metadata["private_metadata"].take();
    membership.updated_at = now;
    Ok(render_membership(store, &store.memberships[index]))
}

/// `DELETE /organizations/{organization_id}/memberships/{user_id}`: the
/// removed membership.
pub(crate) fn delete_membership(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let index = membership_index(store, call)?;
    let rendered = render_membership(store, &store.memberships[index]);
    store.memberships.remove(index);
    Ok(rendered)
}

// ---------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------

/// `POST /organizations/{organization_id}/invitations`.
pub(crate) fn create_invitation(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    let index = org_index(store, call.path("organization_id"))?;
    let email = req_str(&body, "email_address")?;
    let inviter = req_str(&body, "inviter_user_id")?;
    let role = req_str(&body, "role")?;
    check_role(&role)?;
    if !email.contains('@') {
        return Err(ApiError::param_invalid(
            "email_address",
            "must be a valid email address.",
        ));
    }
    let Some(inviter_user) = find(&store.users, &inviter) else {
        return Err(ApiError::not_found("user", &inviter));
    };
    let inviter_data = json!({
        "user_id": inviter,
        "first_name": inviter_user["first_name"],
        "last_name": inviter_user["last_name"],
        "image_url": inviter_user["image_url"].as_str().unwrap_or_default(),
        "has_image": inviter_user["has_image"].as_bool().unwrap_or(false),
        "identifier": inviter_user["email_addresses"][0]["email_address"],
    });
    let org_id = store.organizations[index]["id"].clone();
    let public = opt_object(&body, "public_metadata")?.unwrap_or_default();
    let private = opt_object(&body, "private_metadata")?.unwrap_or_default();
    let now = store.now_ms();
    let invitation = json!({
        "id": store.id("orginv"),
        "object": "organization_invitation",
        "email_address": email,
        "role_name": role_name(&role),
        "role": role,
        "organization_id": org_id,
        "inviter_id": inviter,
        "public_inviter_data": inviter_data,
        "url": null,
        "expires_at": now + INVITATION_LIFETIME_MS,
        "status": "pending",
        "public_metadata": public,
        "private_metadata": private,
        "created_at": now,
        "updated_at": now,
    });
    store.invitations.push(invitation.clone());
    Ok(invitation)
}

fn invitations(store: &Store, call: &Call, status: Option<&str>) -> Result<Value, ApiError> {
    let paging = call.page()?;
    let index = org_index(store, call.path("organization_id"))?;
    let org_id = &store.organizations[index]["id"];
    if let Some(status) = status
        && !["pending", "accepted", "revoked"].contains(&status)
    {
        return Err(ApiError::param_invalid(
            "status",
            "must be pending, accepted or revoked.",
        ));
    }
    let matching: Vec<&Value> = store
        .invitations
        .iter()
        .filter(|i| i["organization_id"] == *org_id && status.is_none_or(|s| i["status"] == s))
        .collect();
    list_page(
        matching,
        ("-created_at", &["created_at"]),
        |i, f| i[f].clone(),
        paging,
        |i| i.clone(),
    )
}

/// `GET /organizations/{organization_id}/invitations`.
pub(crate) fn list_invitations(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    invitations(store, call, call.query("status"))
}

/// `GET /organizations/{organization_id}/invitations/pending`.
pub(crate) fn pending_invitations(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    invitations(store, call, Some("pending"))
}

fn invitation_mut<'a>(store: &'a mut Store, call: &Call) -> Result<&'a mut Value, ApiError> {
    let index = org_index(store, call.path("organization_id"))?;
    let org_id = store.organizations[index]["id"].clone();
    let id = call.path("invitation_id");
    find_mut(&mut store.invitations, id)
        .filter(|i| i["organization_id"] == org_id)
        .ok_or_else(|| ApiError::not_found("organization invitation", id))
}

/// `GET /organizations/{organization_id}/invitations/{invitation_id}`.
pub(crate) fn get_invitation(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    invitation_mut(store, call).map(|i| i.clone())
}

/// `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke`.
pub(crate) fn revoke_invitation(store: &mut Store, call: &Call) -> Result<Value, ApiError> {
    let body = call.body()?;
    req_str(&body, "requesting_user_id")?;
    let now = store.now_ms();
    let invitation = invitation_mut(store, call)?;
    if invitation["status"] != "pending" {
        return Err(ApiError::bad_request(
            "organization_invitation_not_pending",
            "Only pending invitations can be revoked",
        ));
    }
    invitation["status"] = json!("revoked");
    invitation["updated_at"] = json!(now);
    Ok(invitation.clone())
}

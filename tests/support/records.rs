//! Records shaped as Clerk's 2026-05-12 API sends them: every field the
//! spec requires is present (nullable ones as `null`), so a test that serves
//! them checks paging, faults or decoding, not a missing field.
//! Include with `#[path = "support/records.rs"] mod records;`.

#![allow(dead_code)]

use serde_json::{Value, json};

/// A user with no identifiers, plus `extra` fields (which win).
pub fn user(id: &str, extra: Value) -> Value {
    let mut user = json!({
        "id": id, "object": "user", "username": null, "first_name": null, "last_name": null,
        "has_image": false, "primary_email_address_id": null, "primary_phone_number_id": null,
        "primary_web3_wallet_id": null, "password_enabled": false, "two_factor_enabled": false,
        "totp_enabled": false, "backup_code_enabled": false, "email_addresses": [],
        "phone_numbers": [], "web3_wallets": [], "passkeys": [], "external_accounts": [],
        "saml_accounts": [], "enterprise_accounts": [], "public_metadata": {},
        "external_id": null, "last_sign_in_at": null, "banned": false, "locked": false,
        "lockout_expires_in_seconds": null, "verification_attempts_remaining": null,
        "created_at": 1, "updated_at": 1, "delete_self_enabled": true,
        "create_organization_enabled": true, "last_active_at": null, "mfa_enabled_at": null,
        "mfa_disabled_at": null, "legal_accepted_at": null,
    });
    merge(&mut user, extra);
    user
}

/// An organization, plus `extra` fields (which win).
pub fn organization(id: &str, extra: Value) -> Value {
    let mut org = json!({
        "object": "organization", "id": id, "name": id, "slug": id, "has_image": false,
        "max_allowed_memberships": 5, "admin_delete_enabled": true, "public_metadata": {},
        "created_at": 1, "updated_at": 1,
    });
    merge(&mut org, extra);
    org
}

/// An email address without verification.
pub fn email_address(id: &str, address: &str) -> Value {
    json!({
        "id": id, "object": "email_address", "email_address": address, "verification": null,
        "linked_to": [], "reserved": false, "created_at": 1, "updated_at": 1,
    })
}

fn merge(base: &mut Value, extra: Value) {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
}

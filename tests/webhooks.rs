//! Webhook verification: signatures are computed here, independently of the
//! crate, with `hmac`/`sha2`/`base64` and a secret of our own. And the typed
//! events: every example of Clerk's webhook spec (when `../shared` is there)
//! and of ours (`openapi/webhooks.yaml`), signed and verified, decodes into
//! its event's variant.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clerk_backend::webhooks::{EventData, Webhook, WebhookError, WebhookEvent};
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use sha2::Sha256;

#[path = "support/records.rs"]
mod records;

/// The raw key behind [`SECRET`].
const KEY: &[u8] = b"clerk-backend webhook test key!!";
/// A second key, as during a secret rotation.
const OTHER_KEY: &[u8] = b"some other key that is not ours.";
/// A fixed "now": 2023-11-14T22:13:20Z.
const NOW: u64 = 1_700_000_000;
const MSG_ID: &str = "msg_2Yh7cZ1fQx8sLz0bD3JkPq";

fn secret_for(key: &[u8]) -> String {
    format!("whsec_{}", BASE64.encode(key))
}

fn secret() -> String {
    secret_for(KEY)
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, computed here.
fn sign(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

fn headers_with(prefix: &str, id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut put = |name: &str, value: &str| {
        headers.insert(
            http::HeaderName::from_bytes(format!("{prefix}-{name}").as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    };
    put("id", id);
    put("timestamp", timestamp);
    put("signature", signature);
    headers
}

/// Headers of a correctly signed delivery of `body` at [`NOW`].
fn signed(body: &[u8]) -> HeaderMap {
    let ts = NOW.to_string();
    headers_with("svix", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, body))
}

fn webhook() -> Webhook {
    Webhook::new(secret()).unwrap()
}

fn verify(headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    webhook().verify_at(headers, body, now())
}

/// A `user.created` delivery whose user is a whole one, as Clerk's API
/// sends it (`records::user`), plus fields the webhook spec does not have.
fn user_created_body() -> Vec<u8> {
    let mut email = records::email_address("idn_29w83yL7CwVlJXylYLxcslromF1", "ada@example.org");
    email["verification"] =
        json!({ "status": "verified", "strategy": "ticket", "attempts": null, "expire_at": null });
    let user = records::user(
        "user_29w83sxmDNGwOuEthce5gg56FcC",
        json!({
            "birthday": "",
            "gender": "",
            "created_at": 1_654_012_591_514_i64,
            "updated_at": 1_654_012_591_835_i64,
            "last_sign_in_at": 1_654_012_591_514_i64,
            "email_addresses": [email],
            "external_id": "567772",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "image_url": "https://img.clerk.com/xxxxxx",
            "password_enabled": true,
            "primary_email_address_id": "idn_29w83yL7CwVlJXylYLxcslromF1",
            "private_metadata": {},
            "public_metadata": { "plan": "pro" },
            "unsafe_metadata": {},
        }),
    );
    serde_json::to_vec(&json!({
        "data": user,
        "event_attributes": {
            "http_request": { "client_ip": "192.0.2.1", "user_agent": "Mozilla/5.0" }
        },
        "instance_id": "ins_2abc",
        "object": "event",
        "timestamp": 1_654_012_591_835_i64,
        "type": "user.created"
    }))
    .unwrap()
}

fn event_body(event_type: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": event_type,
        "object": "event",
        "timestamp": 1_700_000_000_000_i64,
        "instance_id": "ins_2abc",
        "data": data,
    }))
    .unwrap()
}

/// Verifies a correctly signed delivery of `body`.
fn deliver(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    verify(&signed(body), body)
}

// ---------------------------------------------------------------- accepted

#[test]
fn valid_delivery_is_accepted_and_typed() {
    let body = user_created_body();
    let event = deliver(&body).unwrap();

    assert_eq!(event.event_type, "user.created");
    assert_eq!(event.object.as_deref(), Some("event"));
    assert_eq!(event.timestamp, Some(1_654_012_591_835));
    assert_eq!(event.instance_id.as_deref(), Some("ins_2abc"));
    assert_eq!(
        event.event_attributes.as_ref().unwrap()["http_request"]["client_ip"],
        "192.0.2.1"
    );
    assert_eq!(event.data.event_type(), Some("user.created"));
    let EventData::UserCreated(user) = event.data else {
        panic!("expected UserCreated, got {:?}", event.data);
    };
    assert_eq!(user.id, "user_29w83sxmDNGwOuEthce5gg56FcC");
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    assert_eq!(user.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(user.username, None);
    assert_eq!(user.external_id.as_deref(), Some("567772"));
    assert_eq!(
        user.primary_email_address_id.as_deref(),
        Some("idn_29w83yL7CwVlJXylYLxcslromF1")
    );
    assert_eq!(user.email_addresses[0].email_address, "ada@example.org");
    assert_eq!(user.primary_phone_number_id, None);
    assert_eq!(user.public_metadata["plan"], "pro");
    assert_eq!(user.created_at, 1_654_012_591_514);
    assert_eq!(user.updated_at, 1_654_012_591_835);
    assert!(user.password_enabled);
    // Fields the webhook spec does not have (`birthday`, `gender`) are ignored.
    let json = serde_json::to_value(&user).unwrap();
    assert!(json.get("birthday").is_none(), "{json}");
}

#[test]
fn verify_signature_checks_without_decoding() {
    let body = b"not json at all";
    let wh = webhook();
    wh.verify_signature_at(&signed(body), body, now()).unwrap();
    assert!(matches!(
        wh.verify_signature_at(&signed(body), b"other", now()),
        Err(WebhookError::NoMatchingSignature)
    ));
}

#[test]
fn verify_uses_the_system_clock() {
    let body = event_body("user.deleted", json!({ "id": "user_1", "deleted": true }));
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let headers = headers_with("svix", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, &body));
    let event = webhook().verify(&headers, &body).unwrap();
    assert!(
        matches!(event.data, EventData::UserDeleted(ref d) if d.id.as_deref() == Some("user_1") && d.deleted)
    );
    // The fixed NOW is long past for the real clock.
    assert!(matches!(
        webhook().verify(&signed(&body), &body),
        Err(WebhookError::TimestampTooOld)
    ));
}

#[test]
fn webhook_header_names_are_accepted() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let headers = headers_with("webhook", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, &body));
    let event = verify(&headers, &body).unwrap();
    assert!(matches!(event.data, EventData::UserCreated(_)));
}

#[test]
fn header_names_are_case_insensitive() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let headers = headers_with("Svix", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, &body));
    verify(&headers, &body).unwrap();
}

#[test]
fn rotated_second_signature_matches() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let stale = sign(OTHER_KEY, MSG_ID, &ts, &body);
    let good = sign(KEY, MSG_ID, &ts, &body);
    let headers = headers_with("svix", MSG_ID, &ts, &format!("{stale} {good}"));
    verify(&headers, &body).unwrap();

    // Order does not matter either.
    let headers = headers_with("svix", MSG_ID, &ts, &format!("{good} {stale}"));
    verify(&headers, &body).unwrap();
}

#[test]
fn other_versions_and_garbage_entries_are_ignored() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let good = sign(KEY, MSG_ID, &ts, &body);
    let b64 = good.strip_prefix("v1,").unwrap();
    let value = format!("v1a,{b64} v2,{b64} garbage v1,!!notbase64!! v1, {good}");
    verify(&headers_with("svix", MSG_ID, &ts, &value), &body).unwrap();

    // The right MAC under any version other than v1 does not count.
    for value in [format!("v1a,{b64}"), format!("v2,{b64}"), b64.to_owned()] {
        assert!(
            matches!(
                verify(&headers_with("svix", MSG_ID, &ts, &value), &body),
                Err(WebhookError::NoMatchingSignature)
            ),
            "{value}"
        );
    }
}

#[test]
fn signatures_in_repeated_header_lines_are_all_tried() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let mut headers = headers_with("svix", MSG_ID, &ts, &sign(OTHER_KEY, MSG_ID, &ts, &body));
    headers.append(
        "svix-signature",
        HeaderValue::from_str(&sign(KEY, MSG_ID, &ts, &body)).unwrap(),
    );
    verify(&headers, &body).unwrap();
}

#[test]
fn secret_without_prefix_and_with_whitespace_is_accepted() {
    let body = user_created_body();
    for secret in [BASE64.encode(KEY), format!("  {}\n", secret())] {
        let wh = Webhook::new(&secret).unwrap();
        wh.verify_at(&signed(&body), &body, now()).unwrap();
    }
}

#[test]
fn sign_matches_an_independent_signature() {
    let body = user_created_body();
    assert_eq!(
        webhook().sign(MSG_ID, NOW as i64, &body),
        sign(KEY, MSG_ID, &NOW.to_string(), &body)
    );
}

// ---------------------------------------------------------------- rejected

#[test]
fn tampered_body_is_rejected() {
    let body = user_created_body();
    let headers = signed(&body);
    let tampered = String::from_utf8(body)
        .unwrap()
        .replace("ada@example.org", "eve@example.org");
    assert!(matches!(
        verify(&headers, tampered.as_bytes()),
        Err(WebhookError::NoMatchingSignature)
    ));
    // Even one extra byte.
    let mut longer = user_created_body();
    longer.push(b'\n');
    assert!(matches!(
        verify(&headers, &longer),
        Err(WebhookError::NoMatchingSignature)
    ));
}

#[test]
fn tampered_id_is_rejected() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let headers = headers_with("svix", "msg_other", &ts, &sign(KEY, MSG_ID, &ts, &body));
    assert!(matches!(
        verify(&headers, &body),
        Err(WebhookError::NoMatchingSignature)
    ));
}

#[test]
fn tampered_timestamp_is_rejected() {
    let body = user_created_body();
    let signed_ts = NOW.to_string();
    let sent_ts = (NOW - 10).to_string();
    let headers = headers_with(
        "svix",
        MSG_ID,
        &sent_ts,
        &sign(KEY, MSG_ID, &signed_ts, &body),
    );
    assert!(matches!(
        verify(&headers, &body),
        Err(WebhookError::NoMatchingSignature)
    ));
}

#[test]
fn wrong_secret_is_rejected() {
    let body = user_created_body();
    let wh = Webhook::new(secret_for(OTHER_KEY)).unwrap();
    assert!(matches!(
        wh.verify_at(&signed(&body), &body, now()),
        Err(WebhookError::NoMatchingSignature)
    ));
}

#[test]
fn truncated_signature_is_rejected() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let good = sign(KEY, MSG_ID, &ts, &body);
    let mac = BASE64.decode(good.strip_prefix("v1,").unwrap()).unwrap();
    for short in [&mac[..16], &mac[..0]] {
        let value = format!("v1,{}", BASE64.encode(short));
        assert!(matches!(
            verify(&headers_with("svix", MSG_ID, &ts, &value), &body),
            Err(WebhookError::NoMatchingSignature)
        ));
    }
}

/// A delivery correctly signed for `timestamp`.
fn signed_at(timestamp: u64, body: &[u8]) -> HeaderMap {
    let ts = timestamp.to_string();
    headers_with("svix", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, body))
}

#[test]
fn stale_timestamp_is_rejected() {
    let body = user_created_body();
    assert!(matches!(
        verify(&signed_at(NOW - 301, &body), &body),
        Err(WebhookError::TimestampTooOld)
    ));
    assert!(matches!(
        verify(&signed_at(0, &body), &body),
        Err(WebhookError::TimestampTooOld)
    ));
}

#[test]
fn future_timestamp_is_rejected() {
    let body = user_created_body();
    assert!(matches!(
        verify(&signed_at(NOW + 301, &body), &body),
        Err(WebhookError::TimestampTooNew)
    ));
    assert!(matches!(
        verify(&signed_at(u64::MAX, &body), &body),
        Err(WebhookError::TimestampTooNew)
    ));
}

#[test]
fn timestamps_within_five_minutes_are_accepted() {
    let body = user_created_body();
    for ts in [NOW - 300, NOW - 1, NOW + 1, NOW + 300] {
        verify(&signed_at(ts, &body), &body).unwrap();
    }
}

#[test]
fn tolerance_is_configurable() {
    let body = user_created_body();
    let loose = webhook().tolerance(Duration::from_secs(600));
    loose
        .verify_at(&signed_at(NOW - 599, &body), &body, now())
        .unwrap();
    loose
        .verify_at(&signed_at(NOW + 599, &body), &body, now())
        .unwrap();
    assert!(matches!(
        loose.verify_at(&signed_at(NOW - 601, &body), &body, now()),
        Err(WebhookError::TimestampTooOld)
    ));

    let strict = webhook().tolerance(Duration::from_secs(5));
    assert!(matches!(
        strict.verify_at(&signed_at(NOW - 6, &body), &body, now()),
        Err(WebhookError::TimestampTooOld)
    ));
    assert!(matches!(
        strict.verify_at(&signed_at(NOW + 6, &body), &body, now()),
        Err(WebhookError::TimestampTooNew)
    ));
}

#[test]
fn unparsable_timestamp_is_rejected() {
    let body = user_created_body();
    for ts in [
        "",
        "abc",
        "1700000000.5",
        "-1700000000",
        "+1700000000",
        "99999999999999999999999",
    ] {
        let headers = headers_with("svix", MSG_ID, ts, &sign(KEY, MSG_ID, ts, &body));
        assert!(
            matches!(verify(&headers, &body), Err(WebhookError::InvalidTimestamp)),
            "{ts:?}"
        );
    }
}

#[test]
fn missing_each_header_is_reported() {
    let body = user_created_body();
    for (removed, expected) in [
        ("svix-id", "svix-id"),
        ("svix-timestamp", "svix-timestamp"),
        ("svix-signature", "svix-signature"),
    ] {
        let mut headers = signed(&body);
        headers.remove(removed);
        match verify(&headers, &body) {
            Err(WebhookError::MissingHeader(name)) => assert_eq!(name, expected),
            other => panic!("{removed}: expected MissingHeader, got {other:?}"),
        }
    }
    match verify(&HeaderMap::new(), &body) {
        Err(WebhookError::MissingHeader(_)) => {}
        other => panic!("expected MissingHeader, got {other:?}"),
    }
}

#[test]
fn missing_webhook_prefixed_header_is_reported() {
    let body = user_created_body();
    let ts = NOW.to_string();
    let mut headers = headers_with("webhook", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, &body));
    headers.remove("webhook-signature");
    assert!(matches!(
        verify(&headers, &body),
        Err(WebhookError::MissingHeader("svix-signature"))
    ));
}

#[test]
fn non_json_body_is_invalid_json() {
    for body in [
        &b"not json"[..],
        b"",
        b"[1,2,3]",
        b"{\"data\":{}}",
        b"{\"type\":42}",
    ] {
        match deliver(body) {
            Err(WebhookError::InvalidJson(_)) => {}
            other => panic!(
                "{:?}: expected InvalidJson, got {other:?}",
                String::from_utf8_lossy(body)
            ),
        }
    }
}

// ------------------------------------------------------------ event decoding

#[test]
fn unknown_event_type_keeps_raw_json() {
    let data = json!({ "id": "xyz", "some": { "new": ["shape", 1, null] } });
    let event = deliver(&event_body("brandNewThing.happened", data.clone())).unwrap();
    assert_eq!(event.event_type, "brandNewThing.happened");
    assert!(event.data.is_unknown());
    assert_eq!(event.data.event_type(), None);
    match event.data {
        EventData::Unknown(raw) => assert_eq!(raw, data),
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn role_permission_and_waitlist_events_are_typed() {
    let data = json!({ "id": "role_1", "object": "role", "key": "org:admin", "permissions": [] });
    let event = deliver(&event_body("role.created", data)).unwrap();
    let EventData::RoleCreated(role) = event.data else {
        panic!("expected RoleCreated, got {:?}", event.data);
    };
    assert_eq!(
        (role.id.as_str(), role.key.as_str()),
        ("role_1", "org:admin")
    );

    let data = json!({ "id": "perm_1", "object": "permission", "deleted": true });
    let event = deliver(&event_body("permission.deleted", data)).unwrap();
    assert!(matches!(event.data, EventData::PermissionDeleted(ref d) if d.deleted));

    // An `object` value the spec's enum does not list is kept, not an error.
    let data =
        json!({ "id": "wle_1", "object": "waitlistEntry", "email_address": "a@example.org" });
    let event = deliver(&event_body("waitlistEntry.created", data)).unwrap();
    let EventData::WaitlistEntryCreated(entry) = event.data else {
        panic!("expected WaitlistEntryCreated, got {:?}", event.data);
    };
    assert_eq!(entry.object.as_str(), "waitlistEntry");
    assert!(!entry.object.is_known());
}

#[test]
fn known_type_with_weird_payload_falls_back_to_raw_json() {
    let cases = [
        ("user.created", json!({ "id": 12345, "first_name": "Ada" })),
        (
            "user.updated",
            json!({ "id": "user_1", "email_addresses": "not a list" }),
        ),
        ("user.deleted", json!({ "id": "user_1", "deleted": "yes" })),
        (
            "session.ended",
            json!({ "id": "sess_1", "expire_at": "tomorrow" }),
        ),
        (
            "organizationMembership.created",
            json!({ "id": "orgmem_1", "organization": { "id": 7 } }),
        ),
        ("email.created", json!("just a string")),
        ("sms.created", json!(null)),
        ("organization.created", json!([1, 2, 3])),
    ];
    for (event_type, data) in cases {
        let event = deliver(&event_body(event_type, data.clone()))
            .unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert_eq!(event.event_type, event_type);
        assert_eq!(event.data, EventData::Unknown(data), "{event_type}");
    }
}

#[test]
fn missing_data_falls_back_to_null() {
    let body = br#"{"type":"user.created","object":"event"}"#;
    let event = deliver(body).unwrap();
    assert_eq!(event.event_type, "user.created");
    assert_eq!(event.data, EventData::Unknown(Value::Null));
}

#[test]
fn odd_envelope_fields_do_not_fail() {
    let body = serde_json::to_vec(&json!({
        "type": "user.deleted",
        "object": 7,
        "timestamp": "yesterday",
        "instance_id": null,
        "data": { "id": "user_1", "object": "user", "deleted": true, "external_id": "ext-9" },
        "something_new": { "a": 1 }
    }))
    .unwrap();
    let event = deliver(&body).unwrap();
    assert_eq!(event.object, None);
    assert_eq!(event.timestamp, None);
    assert_eq!(event.instance_id, None);
    assert_eq!(event.extra["something_new"], json!({ "a": 1 }));
    match event.data {
        EventData::UserDeleted(deleted) => {
            assert_eq!(deleted.id.as_deref(), Some("user_1"));
            assert_eq!(deleted.object, "user");
            assert!(deleted.deleted);
            assert_eq!(deleted.external_id.as_deref(), Some("ext-9"));
        }
        other => panic!("expected UserDeleted, got {other:?}"),
    }
}

#[test]
fn minimal_payloads_decode_typed() {
    // Only `id`; nulls where lists are expected.
    let event = deliver(&event_body(
        "user.updated",
        json!({ "id": "user_1", "email_addresses": null, "phone_numbers": null, "username": null }),
    ))
    .unwrap();
    match event.data {
        EventData::UserUpdated(user) => {
            assert_eq!(user.id, "user_1");
            assert!(user.email_addresses.is_empty());
            assert_eq!(user.first_name, None);
            assert_eq!(user.primary_email_address_id, None);
            // Required and absent: the type's empty value.
            assert_eq!((user.created_at, user.password_enabled), (0, false));
            assert_eq!(user.object.as_str(), "");
        }
        other => panic!("expected UserUpdated, got {other:?}"),
    }
}

/// The session events, whose payload is one type.
const SESSION_EVENTS: [&str; 5] = [
    "session.created",
    "session.pending",
    "session.ended",
    "session.removed",
    "session.revoked",
];

/// The subscription item events, whose payload is one type.
const SUBSCRIPTION_ITEM_EVENTS: [&str; 9] = [
    "subscriptionItem.abandoned",
    "subscriptionItem.active",
    "subscriptionItem.canceled",
    "subscriptionItem.ended",
    "subscriptionItem.freeTrialEnding",
    "subscriptionItem.incomplete",
    "subscriptionItem.pastDue",
    "subscriptionItem.upcoming",
    "subscriptionItem.updated",
];

#[test]
fn every_known_event_type_maps_to_its_variant() {
    // Every event of `openapi/webhooks.yaml` (Clerk's 45 of 2025-04-15).
    let others = [
        "email.created",
        "organization.created",
        "organization.updated",
        "organization.deleted",
        "organizationDomain.created",
        "organizationDomain.updated",
        "organizationDomain.deleted",
        "organizationInvitation.created",
        "organizationInvitation.accepted",
        "organizationInvitation.revoked",
        "organizationMembership.created",
        "organizationMembership.updated",
        "organizationMembership.deleted",
        "paymentAttempt.created",
        "paymentAttempt.updated",
        "permission.created",
        "permission.updated",
        "permission.deleted",
        "role.created",
        "role.updated",
        "role.deleted",
        "sms.created",
        "subscription.created",
        "subscription.updated",
        "subscription.active",
        "subscription.pastDue",
        "user.created",
        "user.updated",
        "user.deleted",
        "waitlistEntry.created",
        "waitlistEntry.updated",
    ];
    let types = others
        .into_iter()
        .chain(SESSION_EVENTS)
        .chain(SUBSCRIPTION_ITEM_EVENTS);
    assert_eq!(types.clone().count(), 45);
    for event_type in types {
        // A payload's required fields may all be absent: each decodes as its
        // empty value (`build/normalize/absent_as_empty.rs`).
        let event = deliver(&event_body(event_type, json!({ "id": "x_1" }))).unwrap();
        assert_eq!(event.data.event_type(), Some(event_type));
        assert!(!event.data.is_unknown(), "{event_type}");
    }
}

#[test]
fn session_payload_is_typed() {
    let data = json!({
        "id": "sess_1", "object": "session", "user_id": "user_1", "client_id": "client_1",
        "status": "revoked", "last_active_at": 1, "expire_at": 2, "abandon_at": 3,
        "created_at": 4, "updated_at": 5, "actor": null,
        "latest_activity": { "id": "sess_activity_1", "is_mobile": false },
        "user": { "id": "user_1" }
    });
    let event = deliver(&event_body("session.revoked", data)).unwrap();
    let EventData::SessionRevoked(session) = event.data else {
        panic!("expected SessionRevoked, got {:?}", event.data);
    };
    assert_eq!(session.id, "sess_1");
    assert_eq!(session.user_id, "user_1");
    assert_eq!(session.client_id, "client_1");
    assert_eq!(session.status.as_str(), "revoked");
    assert_eq!(
        (
            session.last_active_at,
            session.expire_at,
            session.abandon_at,
            session.created_at,
            session.updated_at
        ),
        (1, 2, 3, 4, 5)
    );
    assert_eq!(session.user.unwrap().id, "user_1");
}

#[test]
fn organization_payloads_are_typed() {
    let org = json!({
        "id": "org_1", "object": "organization", "name": "Acme", "slug": "acme",
        "members_count": 3, "public_metadata": {}, "created_at": 1, "updated_at": 2
    });
    let event = deliver(&event_body("organization.updated", org.clone())).unwrap();
    let EventData::OrganizationUpdated(o) = event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(
        (o.id.as_str(), o.name.as_str(), o.members_count),
        ("org_1", "Acme", Some(3))
    );

    let membership = json!({
        "id": "orgmem_1", "object": "organization_membership", "role": "org:admin",
        "permissions": ["org:sys_memberships:manage"], "organization": org,
        "public_user_data": { "user_id": "user_1", "identifier": "ada@example.org", "first_name": "Ada",
                              "last_name": null, "image_url": "https://img", "has_image": false },
        "created_at": 1, "updated_at": 2
    });
    let event = deliver(&event_body("organizationMembership.deleted", membership)).unwrap();
    let EventData::OrganizationMembershipDeleted(m) = event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(m.role, "org:admin");
    assert_eq!(m.permissions, ["org:sys_memberships:manage"]);
    assert_eq!(m.organization.unwrap().slug, "acme");
    let user = m.public_user_data.unwrap();
    assert_eq!(user.user_id, "user_1");
    assert_eq!(user.identifier.as_deref(), Some("ada@example.org"));

    let invitation = json!({
        "id": "orginv_1", "object": "organization_invitation", "email_address": "bob@example.org",
        "role": "org:member", "organization_id": "org_1", "status": "accepted", "user_id": "user_2",
        "public_metadata": {}, "private_metadata": {}, "url": null, "expires_at": 9,
        "created_at": 1, "updated_at": 2
    });
    let event = deliver(&event_body("organizationInvitation.accepted", invitation)).unwrap();
    let EventData::OrganizationInvitationAccepted(i) = event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(i.email_address, "bob@example.org");
    assert_eq!(i.status.as_deref(), Some("accepted"));
    assert_eq!(i.user_id, "user_2");

    let event = deliver(&event_body(
        "organization.deleted",
        json!({ "id": "org_1", "object": "organization", "deleted": true }),
    ))
    .unwrap();
    assert!(
        matches!(event.data, EventData::OrganizationDeleted(ref d) if d.id.as_deref() == Some("org_1") && d.deleted)
    );
}

#[test]
fn email_and_sms_payloads_are_typed() {
    let email = json!({
        "id": "ema_1", "object": "email", "slug": "verification_code",
        "from_email_name": "notifications", "to_email_address": "ada@example.org",
        "email_address_id": "idn_1", "user_id": null, "subject": "123456 is your code",
        "body": "<p>123456</p>", "body_plain": "123456", "status": "queued",
        "data": { "otp_code": "123456" }, "delivered_by_clerk": true
    });
    let event = deliver(&event_body("email.created", email)).unwrap();
    let EventData::EmailCreated(e) = event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(e.to_email_address.as_deref(), Some("ada@example.org"));
    assert_eq!(e.from_email_name, "notifications");
    assert_eq!(e.subject.as_deref(), Some("123456 is your code"));
    assert_eq!(e.slug.as_deref(), Some("verification_code"));
    assert_eq!(e.data["otp_code"], "123456");
    assert!(e.delivered_by_clerk);

    let sms = json!({
        "id": "sms_1", "object": "sms_message", "from_phone_number": "+15550001111",
        "to_phone_number": "+15552223333", "phone_number_id": "idn_2", "message": "Your code is 123456",
        "status": "queued", "slug": "verification_code", "data": { "otp_code": "123456" },
        "delivered_by_clerk": false
    });
    let event = deliver(&event_body("sms.created", sms)).unwrap();
    let EventData::SmsCreated(s) = event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(s.to_phone_number, "+15552223333");
    assert_eq!(s.message, "Your code is 123456");
    assert!(!s.delivered_by_clerk);
}

#[test]
fn events_round_trip_through_serde() {
    for body in [
        user_created_body(),
        event_body("brandNewThing.happened", json!({ "x": [1, 2] })),
        event_body("user.created", json!({ "id": 5 })),
    ] {
        let event = deliver(&body).unwrap();
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], event.event_type.as_str());
        let again: WebhookEvent = serde_json::from_value(json).unwrap();
        assert_eq!(again, event);
    }
    let event = WebhookEvent::new("user.deleted", json!({ "id": "user_1", "deleted": true }));
    assert!(matches!(event.data, EventData::UserDeleted(_)));
}

// ------------------------------------------------- the webhook specs' examples

/// Each event of a webhook spec with its example body: the operation's
/// `example`, or its first `examples` entry (inline, or a `$ref` into
/// `components.examples`, as Clerk writes some).
fn spec_examples(spec: &Value) -> Vec<(String, Value)> {
    let events = spec["x-webhooks"].as_object().expect("an x-webhooks map");
    events
        .iter()
        .map(|(name, item)| {
            let media = &item["post"]["requestBody"]["content"]["application/json"];
            let example = match media.get("example") {
                Some(e) => e.clone(),
                None => {
                    let first = media["examples"]
                        .as_object()
                        .and_then(|m| m.values().next())
                        .unwrap_or_else(|| panic!("{name}: no example"));
                    let first = match first.get("$ref").and_then(Value::as_str) {
                        Some(r) => {
                            let pointer = r.strip_prefix('#').expect("a local $ref");
                            spec.pointer(pointer)
                                .unwrap_or_else(|| panic!("{name}: {r} not found"))
                        }
                        None => first,
                    };
                    first["value"].clone()
                }
            };
            (name.clone(), example)
        })
        .collect()
}

fn load_yaml(path: &std::path::Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Signs `example` as Clerk would, now, and verifies it through
/// [`Webhook::verify`] (the system clock): the whole path a delivery takes.
fn verify_now(example: &Value) -> WebhookEvent {
    let body = serde_json::to_vec(example).unwrap();
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let headers = headers_with("svix", MSG_ID, &ts, &sign(KEY, MSG_ID, &ts, &body));
    webhook().verify(&headers, &body).unwrap()
}

/// Every example decodes into the variant of its event (not `Unknown`, not
/// another event's), and what decoded is the example's payload: its `id`
/// survives re-serialisation.
fn assert_examples_decode(examples: &[(String, Value)]) {
    let mut failed = Vec::new();
    for (name, example) in examples {
        let event = verify_now(example);
        assert_eq!(&event.event_type, name);
        if event.data.event_type() != Some(name.as_str()) {
            let error = match EventData::from_value(name, example["data"].clone()) {
                EventData::Unknown(_) => "decoded as Unknown".to_string(),
                other => format!("decoded as {:?}", other.event_type()),
            };
            failed.push(format!("{name}: {error}"));
            continue;
        }
        let again = serde_json::to_value(&event.data).unwrap();
        assert_eq!(again.get("id"), example["data"].get("id"), "{name}");
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Clerk's webhook examples (`../shared`), or `None` after saying why not.
fn clerks_examples() -> Option<Vec<(String, Value)>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/clerk/reference/webhooks-2025-04-15.yml");
    if !path.exists() {
        println!("SKIPPED: {} is absent", path.display());
        return None;
    }
    let examples = spec_examples(&load_yaml(&path));
    assert_eq!(examples.len(), 45);
    Some(examples)
}

#[test]
fn clerks_own_examples_decode_into_their_variants() {
    if let Some(examples) = clerks_examples() {
        assert_examples_decode(&examples);
    }
}

/// The examples of Clerk's that break Clerk's own schemas, each with the
/// rule that lets it decode: the example does what the schema says it
/// may not, and the decoded value is what the rule makes of it.
#[test]
fn clerks_examples_that_break_the_schema_decode_by_a_general_rule() {
    let Some(examples) = clerks_examples() else {
        return;
    };
    let examples: std::collections::HashMap<String, Value> = examples.into_iter().collect();
    let data = |name: &str| examples[name]["data"].clone();
    let event = |name: &str| verify_now(&examples[name]).data;

    // `open_objects`: a field the schema forbids is ignored, or kept where
    // another `allOf` part declares it (a session's `user`, beside
    // `Session`'s `additionalProperties: false`).
    for name in SESSION_EVENTS {
        let (EventData::SessionCreated(s)
        | EventData::SessionEnded(s)
        | EventData::SessionPending(s)
        | EventData::SessionRemoved(s)
        | EventData::SessionRevoked(s)) = event(name)
        else {
            panic!("{name}: not a session event");
        };
        assert_eq!(
            Some(&json!(s.user.unwrap().id)),
            data(name)["user"].get("id")
        );
    }

    // `forward_compatible_responses`, open enums: a value the enum does
    // not list is kept as the unknown variant.
    let EventData::SessionPending(s) = event("session.pending") else {
        panic!()
    };
    assert_eq!((s.status.as_str(), s.status.is_known()), ("pending", false));
    for name in SUBSCRIPTION_ITEM_EVENTS {
        let (EventData::SubscriptionItemAbandoned(i)
        | EventData::SubscriptionItemActive(i)
        | EventData::SubscriptionItemCanceled(i)
        | EventData::SubscriptionItemEnded(i)
        | EventData::SubscriptionItemFreeTrialEnding(i)
        | EventData::SubscriptionItemIncomplete(i)
        | EventData::SubscriptionItemPastDue(i)
        | EventData::SubscriptionItemUpcoming(i)
        | EventData::SubscriptionItemUpdated(i)) = event(name)
        else {
            panic!("{name}: not a subscription item event");
        };
        assert_eq!(
            (i.object.as_str(), i.object.is_known()),
            ("subscription_item", false),
            "{name}"
        );
    }
    for name in ["waitlistEntry.created", "waitlistEntry.updated"] {
        let (EventData::WaitlistEntryCreated(w) | EventData::WaitlistEntryUpdated(w)) = event(name)
        else {
            panic!("{name}: not a waitlist event");
        };
        assert_eq!(
            (w.object.as_str(), w.object.is_known()),
            ("waitlistEntry", false)
        );
    }

    // `forward_compatible_responses`, required but nullable, a map or an
    // object: absent decodes as `None` or empty.
    for name in ["organizationDomain.created", "organizationDomain.updated"] {
        assert!(data(name).get("ownership_verification").is_none(), "{name}");
        let (EventData::OrganizationDomainCreated(d) | EventData::OrganizationDomainUpdated(d)) =
            event(name)
        else {
            panic!("{name}: not a domain event");
        };
        assert_eq!(d.ownership_verification, None);
        assert_eq!(d.affiliation_verification, None);
    }
    let EventData::OrganizationDomainUpdated(d) = event("organizationDomain.updated") else {
        panic!()
    };
    assert_eq!(d.verification.unwrap().verified_at, None);
    let EventData::OrganizationInvitationAccepted(i) = event("organizationInvitation.accepted")
    else {
        panic!()
    };
    assert_eq!((i.inviter_id, i.public_inviter_data), (None, None));
    for name in [
        "organizationInvitation.created",
        "organizationInvitation.revoked",
    ] {
        assert!(data(name).get("inviter_id").is_none(), "{name}");
        let inviter = match event(name) {
            EventData::OrganizationInvitationCreated(i) => (i.inviter_id, i.public_inviter_data),
            EventData::OrganizationInvitationRevoked(i) => (i.inviter_id, i.public_inviter_data),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(inviter, (None, None), "{name}");
    }
    let EventData::WaitlistEntryUpdated(w) = event("waitlistEntry.updated") else {
        panic!()
    };
    assert!(w.invitation.unwrap().public_metadata.is_empty());

    // `absent_as_empty`: a required scalar or open enum that is absent
    // decodes as its empty value.
    assert!(data("role.updated").get("is_creator_eligible").is_none());
    let EventData::RoleUpdated(role) = event("role.updated") else {
        panic!()
    };
    assert!(!role.is_creator_eligible);
    assert!(data("sms.created").get("created_at_ms").is_none());
    let EventData::SmsCreated(sms) = event("sms.created") else {
        panic!()
    };
    assert_eq!(sms.created_at_ms, 0);
    for name in ["paymentAttempt.created", "paymentAttempt.updated"] {
        assert!(data(name).get("invoice_id").is_none(), "{name}");
        let (EventData::PaymentAttemptCreated(a) | EventData::PaymentAttemptUpdated(a)) =
            event(name)
        else {
            panic!("{name}: not a payment attempt event");
        };
        assert_eq!(a.invoice_id, "");
        let payer = a.payer.unwrap();
        assert_eq!(
            (
                payer.organization_id.as_str(),
                payer.organization_name.as_str()
            ),
            ("", "")
        );
        let item = &a.subscription_items[0];
        assert_eq!((item.created_at, item.updated_at), (0, 0));
        assert_eq!((item.interval.as_str(), item.object.as_str()), ("", ""));
    }

    // Optional, not nullable, sent as `null`: `None`, as for any optional
    // field (the generated `Deserialize`).
    assert_eq!(data("role.deleted")["slug"], Value::Null);
    let EventData::RoleDeleted(deleted) = event("role.deleted") else {
        panic!()
    };
    assert_eq!(deleted.slug, None);
}

#[test]
fn our_examples_decode_into_their_variants() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/webhooks.yaml");
    let examples = spec_examples(&load_yaml(&path));
    assert_eq!(examples.len(), 45);
    assert_examples_decode(&examples);
}

#[test]
fn billing_events_are_typed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/webhooks.yaml");
    let examples: std::collections::HashMap<String, Value> =
        spec_examples(&load_yaml(&path)).into_iter().collect();
    let event = verify_now(&examples["subscriptionItem.pastDue"]);
    let EventData::SubscriptionItemPastDue(item) = event.data else {
        panic!("expected SubscriptionItemPastDue, got {:?}", event.data);
    };
    assert_eq!(
        Some(&Value::String(item.id.clone())),
        examples["subscriptionItem.pastDue"]["data"].get("id")
    );
    let event = verify_now(&examples["paymentAttempt.updated"]);
    assert!(matches!(event.data, EventData::PaymentAttemptUpdated(_)));
    let event = verify_now(&examples["subscription.active"]);
    let EventData::SubscriptionActive(subscription) = event.data else {
        panic!("expected SubscriptionActive, got {:?}", event.data);
    };
    assert!(!subscription.items.is_empty());
}

// ------------------------------------------------------- secret and errors

#[test]
fn invalid_secrets_are_rejected() {
    for secret in ["", "whsec_", "   ", "whsec_not base64!", "whsec_%%%%"] {
        assert!(
            matches!(Webhook::new(secret), Err(WebhookError::InvalidSecret)),
            "{secret:?}"
        );
    }
}

#[test]
fn debug_and_errors_never_show_the_secret() {
    let secret = secret();
    let encoded = secret.strip_prefix("whsec_").unwrap();
    let wh = Webhook::new(&secret).unwrap();
    let debug = format!("{wh:?}");
    assert!(debug.contains("redacted"), "{debug}");
    assert!(!debug.contains(encoded), "{debug}");

    let body = user_created_body();
    let mut errors = vec![
        Webhook::new("whsec_not base64!").unwrap_err(),
        wh.verify_at(&HeaderMap::new(), &body, now()).unwrap_err(),
        wh.verify_at(&signed_at(0, &body), &body, now())
            .unwrap_err(),
        wh.verify_at(&signed_at(u64::MAX, &body), &body, now())
            .unwrap_err(),
        wh.verify_at(&signed(&body), b"tampered", now())
            .unwrap_err(),
        wh.verify_at(&signed(b"{"), b"{", now()).unwrap_err(),
    ];
    errors.push(WebhookError::MissingSecret);
    for error in errors {
        let text = format!("{error} {error:?}");
        assert!(!text.contains(encoded), "{text}");
    }
}

#[test]
fn from_env_reads_the_signing_secret() {
    // The only test in this binary that touches the environment.
    // SAFETY: no other test reads or writes this variable.
    unsafe { std::env::remove_var("CLERK_WEBHOOK_SIGNING_SECRET") };
    assert!(matches!(
        Webhook::from_env(),
        Err(WebhookError::MissingSecret)
    ));

    unsafe { std::env::set_var("CLERK_WEBHOOK_SIGNING_SECRET", "whsec_***") };
    assert!(matches!(
        Webhook::from_env(),
        Err(WebhookError::InvalidSecret)
    ));

    unsafe { std::env::set_var("CLERK_WEBHOOK_SIGNING_SECRET", secret()) };
    let body = user_created_body();
    Webhook::from_env()
        .unwrap()
        .verify_at(&signed(&body), &body, now())
        .unwrap();
    unsafe { std::env::remove_var("CLERK_WEBHOOK_SIGNING_SECRET") };
}

#[test]
fn webhook_is_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Webhook>();
    assert_traits::<WebhookEvent>();
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<WebhookError>();

    let body = user_created_body();
    let wh = webhook();
    let handle = std::thread::spawn({
        let wh = wh.clone();
        let body = body.clone();
        move || wh.verify_at(&signed(&body), &body, now()).is_ok()
    });
    assert!(handle.join().unwrap());
    assert!(wh.verify_at(&signed(&body), &body, now()).is_ok());
}

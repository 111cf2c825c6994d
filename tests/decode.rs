//! The generated structs' `Deserialize` (written by `build/deserialize.rs`
//! in place of serde's derive) decodes JSON objects as the derive does:
//! unknown keys skipped, escaped keys matched, `null` and absent optional
//! fields as `None`, `null` collections as empty, absent required scalars
//! as empty, and errors that name the missing or repeated field. The
//! forward-compatibility tests (`compat.rs`) cover every response type;
//! these pin the edge cases.

#[path = "support/records.rs"]
mod records;

use clerk_backend::types::{self, TotalCount, TotalCountObjectKnown};
use serde_json::json;

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

#[test]
fn unknown_and_escaped_keys() {
    let count: TotalCount = decode(
        r#"{"extra":{"nested":[1,2,{"x":null}]},"total\u005fcount":7,"object":"total_count"}"#,
    )
    .unwrap();
    assert_eq!(count.total_count, 7);
    assert_eq!(count.object, TotalCountObjectKnown::TotalCount);
}

#[test]
fn missing_and_repeated_fields() {
    // A required scalar or open enum of a response that is absent decodes
    // as its empty value (`build/normalize/absent_as_empty.rs`).
    let count = decode::<TotalCount>(r#"{"object":"total_count"}"#).unwrap();
    assert_eq!(count.total_count, 0);
    let count = decode::<TotalCount>("{}").unwrap();
    assert_eq!(
        (count.object.as_str(), count.object.is_known()),
        ("", false)
    );
    // A union variant's required fields stay required (they tell the
    // variants apart), and the error names the one missing.
    let e = decode::<types::VerificationOtp>(r#"{"status":"verified"}"#).unwrap_err();
    assert!(e.starts_with("missing field `strategy`"), "{e}");
    let e = decode::<TotalCount>(r#"{"object":"total_count","total_count":1,"total_count":2}"#)
        .unwrap_err();
    assert!(e.starts_with("duplicate field `total_count`"), "{e}");
}

#[test]
fn only_objects_decode_as_structs() {
    for (json, found) in [
        (r#"["total_count",1]"#, "sequence"),
        ("3", "integer `3`"),
        ("null", "null"),
        (r#""total_count""#, "string"),
    ] {
        let e = decode::<TotalCount>(json).unwrap_err();
        assert!(
            e.contains(&format!("invalid type: {found}"))
                && e.contains("expected struct TotalCount"),
            "{json}: {e}"
        );
    }
}

#[test]
fn a_wrong_field_type_names_what_was_expected() {
    let e = decode::<TotalCount>(r#"{"object":"total_count","total_count":"3"}"#).unwrap_err();
    assert!(
        e.contains("invalid type: string \"3\", expected i64"),
        "{e}"
    );
}

/// A user as Clerk sends one, with the nullable and collection fields this
/// file's tests are about left out, then `extra` added.
fn user(extra: serde_json::Value) -> serde_json::Value {
    let mut user = records::user("user_1", json!({"updated_at": 2}));
    let map = user.as_object_mut().unwrap();
    for key in ["first_name", "email_addresses", "phone_numbers"] {
        map.remove(key);
    }
    map.extend(extra.as_object().unwrap().clone());
    user
}

#[test]
fn optional_fields_and_collections() {
    // Absent: optional scalars are None, collections empty.
    let absent: types::User = serde_json::from_value(user(json!({}))).unwrap();
    assert_eq!(absent.first_name, None);
    assert!(absent.email_addresses.is_empty());
    // null: the same.
    let nulls: types::User = serde_json::from_value(user(json!({
        "first_name": null,
        "email_addresses": null,
        "phone_numbers": null,
    })))
    .unwrap();
    assert_eq!(nulls, absent);
    // Present.
    let present: types::User = serde_json::from_value(user(json!({
        "first_name": "Ada",
        "email_addresses": [{
            "object": "email_address",
            "id": "idn_1",
            "email_address": "ada@example.com",
            "linked_to": [],
            "reserved": false,
            "verification": null,
            "created_at": 1,
            "updated_at": 2,
        }],
    })))
    .unwrap();
    assert_eq!(present.first_name.as_deref(), Some("Ada"));
    assert_eq!(present.email_addresses[0].email_address, "ada@example.com");
}

#[test]
fn round_trips_through_serialize() {
    let present: types::User = serde_json::from_value(user(json!({
        "first_name": "Ada",
        "public_metadata": {"plan": "pro"},
    })))
    .unwrap();
    let again: types::User =
        serde_json::from_str(&serde_json::to_string(&present).unwrap()).unwrap();
    assert_eq!(again, present);
}

#[test]
fn a_body_that_is_not_utf8_is_an_error_that_says_where() {
    let body = b"{\"object\":\"total_count\",\"total_count\":1,\"x\":\"\xff\"}";
    let e = clerk_backend::from_slice::<TotalCount>(body).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("TotalCount"), "{text}");
    assert!(text.contains("unicode") || text.contains("UTF-8"), "{text}");
}

/// An untagged union (`oneOf` without a discriminator) takes the first
/// variant that fits, as serde's derive does, and keeps anything else whole
/// in its catch-all (`build/unions.rs`, `src/runtime/union.rs`).
#[test]
fn unions_take_the_first_variant_that_fits() {
    use types::EmailAddressVerification as V;
    let otp = r#"{"status":"verified","strategy":"email_code","attempts":1,"expire_at":5}"#;
    assert!(matches!(decode::<V>(otp).unwrap(), V::VerificationOtp(o) if o.attempts == Some(1)));
    let oauth = r#"{"object":"verification_from_oauth","status":"verified",
        "strategy":"from_oauth_google","error":null,"expire_at":5,"attempts":null}"#;
    assert!(matches!(
        decode::<V>(oauth).unwrap(),
        V::VerificationFromOauth(_)
    ));
    // A status Clerk adds later keeps the verification typed.
    let new_status = otp.replace("\"verified\"", "\"on_hold\"");
    let V::VerificationOtp(o) = decode::<V>(&new_status).unwrap() else {
        panic!("not an OTP verification")
    };
    assert_eq!(o.status.as_str(), "on_hold");
    // A verification without a status, or with a status that is not a
    // string, fits no variant: it is kept whole, escapes included.
    // (An unknown strategy alone is not enough in the 2026-05-12 spec: the
    // OAuth variant's `strategy` is a free-form string.)
    for raw in [
        r#"{"strategy":"carrier_pigeon","attempts":1,"expire_at":5,"note":"a\"b"}"#,
        r#"{"status":5,"strategy":"email_code","attempts":1,"expire_at":5}"#,
    ] {
        let expected: serde_json::Value = serde_json::from_str(raw).unwrap();
        assert_eq!(decode::<V>(raw).unwrap(), V::Other(expected.clone()));
        // The same from a `Value` as from text.
        assert_eq!(
            serde_json::from_value::<V>(expected.clone()).unwrap(),
            V::Other(expected)
        );
    }
    // Malformed JSON inside a union is still an error with its position.
    let e = decode::<types::EmailAddress>(r#"{"verification":{"status":}}"#).unwrap_err();
    assert!(e.contains("line 1 column"), "{e}");
}

/// Absence decoding as empty leaves the fields' types as the spec has them
/// (a compile-time check): required fields are not `Option`s, also where
/// an `allOf` merges two declarations of one (`RevokeInvitationResponse`).
#[test]
fn required_fields_keep_their_types() {
    fn fields(
        user: types::User,
        revoked: types::RevokeInvitationResponse,
        role: types::Role,
    ) -> (String, types::RevokeInvitationResponseStatus, String, bool) {
        (user.id, revoked.status, role.key, role.is_creator_eligible)
    }
    let user: types::User = serde_json::from_value(user(json!({}))).unwrap();
    let revoked: types::RevokeInvitationResponse =
        serde_json::from_value(json!({"id": "inv_1", "status": "revoked"})).unwrap();
    let role: types::Role = serde_json::from_value(json!({"id": "role_1"})).unwrap();
    let (id, status, key, eligible) = fields(user, revoked, role);
    assert_eq!(serde_json::to_value(status).unwrap(), "revoked");
    assert_eq!((id.as_str(), key.as_str(), eligible), ("user_1", "", false));
}

//! Unit tests of the webhook spec's merge into the API spec
//! (`build/webhooks.rs`) and of the inbound rule the normalisation applies
//! to webhook payloads (`build/normalize/`), each on a small document. The
//! modules are compiled here directly, as build.rs compiles them.

#[path = "../build/names.rs"]
#[allow(dead_code, unused_imports)]
mod names;
#[path = "../build/normalize/mod.rs"]
#[allow(dead_code, unused_imports)]
mod normalize;
#[path = "../build/openapi.rs"]
#[allow(dead_code, unused_imports)]
mod openapi;
#[path = "../build/syntax.rs"]
#[allow(dead_code, unused_imports)]
mod syntax;
#[path = "../build/webhooks.rs"]
#[allow(dead_code, unused_imports)]
mod webhooks;

use serde_json::{Value, json};

fn api(schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "v1"},
        "paths": {
            "/users/{id}": {"get": {
                "operationId": "GetUser",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}}}
            }}
        },
        "components": {"schemas": schemas}
    })
}

/// A webhook spec with one event per (name, data schema), in Clerk's shape.
fn hooks(events: &[(&str, Value)], schemas: Value) -> Value {
    let mut map = serde_json::Map::new();
    for (name, data) in events {
        map.insert(
            name.to_string(),
            json!({"post": {
                "operationId": name,
                "description": format!("{name} happened."),
                "requestBody": {"content": {"application/json": {"schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Envelope"},
                        {"properties": {"data": data}, "required": ["data"]}
                    ]
                }}}}
            }}),
        );
    }
    let mut schemas = schemas;
    schemas["Envelope"] = json!({"type": "object", "properties": {"type": {"type": "string"}}});
    json!({"openapi": "3.0.3", "x-webhooks": map, "components": {"schemas": schemas}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn user(description: &str, email: Value) -> Value {
    json!({
        "type": "object", "description": description,
        "required": ["id", "first_name"],
        "properties": {
            "id": {"type": "string", "description": description},
            "first_name": {"type": "string"},
            "email_addresses": {"type": "array", "items": email}
        }
    })
}

fn email(extra: bool) -> Value {
    let mut s = json!({"type": "object", "properties": {"email_address": {"type": "string"}}});
    if extra {
        s["properties"]["matches_sso_connection"] = json!({"type": "boolean"});
    }
    s
}

#[test]
fn variants_are_the_event_name_in_upper_camel_case() {
    assert_eq!(
        webhooks::variant("subscriptionItem.pastDue"),
        "SubscriptionItemPastDue"
    );
    assert_eq!(webhooks::variant("user.created"), "UserCreated");
    assert_eq!(
        webhooks::rust_name("Webhook-verification_otp"),
        "WebhookVerificationOtp"
    );
}

#[test]
fn a_schema_the_api_has_field_for_field_is_the_apis_type() {
    // Descriptions differ; the wire shape (through `EmailAddress`) is the same.
    let mut spec = api(json!({
        "User": user("API words", schema_ref("EmailAddress")),
        "EmailAddress": email(false)
    }));
    let hooks = hooks(
        &[("user.created", schema_ref("User"))],
        json!({"User": user("webhook words", schema_ref("EmailAddress")), "EmailAddress": email(false)}),
    );
    let merged = webhooks::merge(&mut spec, &hooks).unwrap();
    assert_eq!(merged.events[0].schema, "User");
    assert_eq!(merged.events[0].variant, "UserCreated");
    assert!(merged.shared.contains("User") && merged.shared.contains("EmailAddress"));
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    assert!(
        !schemas.contains_key("WebhookUser"),
        "nothing added: {schemas:?}"
    );
    assert_eq!(
        spec[normalize::WEBHOOK_PAYLOADS]["user.created"],
        schema_ref("User")
    );
}

#[test]
fn a_schema_that_differs_anywhere_below_is_the_webhooks_own() {
    // `User` reads the same, but its `EmailAddress` has one more field: the
    // API's `User` could not hold what the webhook sends, so neither is shared.
    let mut spec = api(json!({
        "User": user("API words", schema_ref("EmailAddress")),
        "EmailAddress": email(false)
    }));
    let hooks = hooks(
        &[("user.created", schema_ref("User"))],
        json!({"User": user("webhook words", schema_ref("EmailAddress")), "EmailAddress": email(true)}),
    );
    let merged = webhooks::merge(&mut spec, &hooks).unwrap();
    assert!(merged.shared.is_empty());
    assert_eq!(merged.events[0].schema, "WebhookUser");
    let schemas = &spec["components"]["schemas"];
    // Added under the prefix, its references renamed with it; the API's untouched.
    assert_eq!(
        schemas["WebhookUser"]["properties"]["email_addresses"]["items"],
        schema_ref("WebhookEmailAddress")
    );
    assert_eq!(schemas["EmailAddress"], email(false));
    assert_eq!(merged.payloads["EmailAddress"], "WebhookEmailAddress");
}

#[test]
fn an_inline_payload_is_named_after_its_event() {
    let mut spec = api(json!({"User": user("u", email(false))}));
    let hooks = hooks(
        &[(
            "invitation.accepted",
            json!({"type": "object", "properties": {"id": {"type": "string"}}}),
        )],
        json!({}),
    );
    let merged = webhooks::merge(&mut spec, &hooks).unwrap();
    assert_eq!(merged.events[0].schema, "WebhookInvitationAcceptedPayload");
    assert!(spec["components"]["schemas"]["WebhookInvitationAcceptedPayload"].is_object());
}

/// The merge's error for `hooks`, which must name the event and the construct.
fn error(hooks: Value) -> String {
    let mut spec = api(json!({"User": user("u", email(false))}));
    webhooks::merge(&mut spec, &hooks).unwrap_err()
}

#[test]
fn a_bad_spec_is_refused_naming_the_event_and_the_construct() {
    let e = error(json!({"openapi": "3.0.3", "paths": {}}));
    assert!(e.contains("`x-webhooks`"), "{e}");

    let e = error(hooks(&[("user.created", schema_ref("Missing"))], json!({})));
    assert!(
        e.contains("webhook event `user.created`")
            && e.contains("`#/components/schemas/Missing`")
            && e.contains("does not define"),
        "{e}"
    );

    let e = error(hooks(
        &[("user.created", schema_ref("U"))],
        json!({"U": {"type": "object", "properties": {"x": {"$ref": "other.yaml#/U"}}}}),
    ));
    assert!(
        e.contains("`user.created`") && e.contains("`other.yaml#/U`"),
        "{e}"
    );

    let e = error(hooks(
        &[("user.created", json!({})), ("user_created", json!({}))],
        json!({}),
    ));
    assert!(
        e.contains("`UserCreated`") && e.contains("`user.created`"),
        "{e}"
    );

    let e = error(hooks(&[("unknown", json!({}))], json!({})));
    assert!(
        e.contains("webhook event `unknown`") && e.contains("`Unknown`"),
        "{e}"
    );

    let mut no_data = hooks(&[("user.created", json!({}))], json!({}));
    no_data["x-webhooks"]["user.created"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
        json!({"type": "object"});
    let e = error(no_data);
    assert!(
        e.contains("webhook event `user.created`") && e.contains("no `data`"),
        "{e}"
    );

    let mut no_body = hooks(&[("user.created", json!({}))], json!({}));
    no_body["x-webhooks"]["user.created"]["post"]
        .as_object_mut()
        .unwrap()
        .remove("requestBody");
    let e = error(no_body);
    assert!(
        e.contains("`user.created`") && e.contains("requestBody"),
        "{e}"
    );

    let mut no_op = hooks(&[("user.created", json!({}))], json!({}));
    no_op["x-webhooks"]["user.created"] = json!({"description": "no operation"});
    let e = error(no_op);
    assert!(
        e.contains("`user.created`") && e.contains("exactly one operation"),
        "{e}"
    );
}

#[test]
fn webhook_payloads_go_through_the_inbound_passes_as_responses_do() {
    let mut spec = api(json!({"User": user("u", email(false))}));
    let hooks = hooks(
        &[("role.updated", schema_ref("Role"))],
        json!({"Role": {
            "type": "object", "additionalProperties": false,
            "required": ["id", "object", "key", "is_creator_eligible", "created_at"],
            "properties": {
                "id": {"type": "string"},
                "object": {"type": "string", "enum": ["role"]},
                "key": {"type": "string"},
                "is_creator_eligible": {"type": "boolean"},
                "created_at": {"type": "integer"}
            }
        }}),
    );
    webhooks::merge(&mut spec, &hooks).unwrap();
    normalize::normalize(&mut spec).unwrap();
    let role = &spec["components"]["schemas"]["WebhookRole"];
    // Closed objects opened, enums opened, as for a response.
    assert!(role.get("additionalProperties").is_none(), "{role}");
    assert!(
        role["properties"]["object"].get("oneOf").is_some(),
        "{role}"
    );
    // Every required property has an empty value, so none stays required;
    // each keeps its type (`absent_as_empty`).
    assert!(role.get("required").is_none(), "{role}");
    let prop = |p: &str| &role["properties"][p];
    assert_eq!(prop("key")["type"], "string");
    assert_eq!(prop("key")["default"], "");
    assert_eq!(prop("is_creator_eligible")["default"], false);
    assert_eq!(prop("created_at")["default"], 0);
    assert_eq!(prop("object")["default"], "");
    // The API's own response schema gets the same rules, no more.
    let user = &spec["components"]["schemas"]["User"];
    assert!(user.get("required").is_none(), "{user}");
    assert_eq!(user["properties"]["id"]["type"], "string");
    assert_eq!(user["properties"]["id"]["default"], "");
}

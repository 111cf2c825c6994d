//! The fake answers as the vendored spec says: every modelled operation is
//! sent through the generated client (so its response decodes with the
//! generated types), and every response the fake gave, success or error,
//! is validated against the spec's JSON schema for it. Every other
//! operation of the spec answers 501 naming itself.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use clerk_backend::Client;
use clerk_backend::testing::{FakeClerk, MODELLED_OPERATIONS};
use serde_json::{Map, Value, json};

/// Resource schemas the fake fills completely: every declared property
/// must be present (nullable ones as `null`), not only the `required` ones.
const COMPLETE: &[&str] = &[
    "User",
    "EmailAddress",
    "PhoneNumber",
    "Organization",
    "OrganizationMembership",
    "OrganizationInvitation",
    "Session",
    "TotalCount",
    "Organizations",
    "OrganizationMemberships",
    "OrganizationInvitations",
];

/// The spec, parsed once per test binary.
static SPEC: LazyLock<Spec> = LazyLock::new(Spec::load);

struct Spec {
    doc: Value,
    defs: Map<String, Value>,
    /// Validators by response schema (without `$defs`), built once.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Spec {
    fn load() -> Spec {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/clerk.yaml");
        let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let defs = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, schema)| {
                let mut converted = to_json_schema(schema);
                if COMPLETE.contains(&name.as_str()) {
                    require_everything(&mut converted);
                }
                (name.clone(), converted)
            })
            .collect();
        Spec {
            doc,
            defs,
            validators: Mutex::default(),
        }
    }

    /// `(method, path, operationId)` of every operation.
    fn operations(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.push((method.to_uppercase(), path.clone(), id.to_owned()));
                }
            }
        }
        out
    }

    /// The JSON schema of `operation`'s response with `status`, or of
    /// `ClerkErrors` for an error status the operation does not list.
    fn response_schema(&self, operation: &str, status: u16) -> Value {
        let op = self.doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op["operationId"] == operation)
            .unwrap_or_else(|| panic!("{operation} is not in the spec"));
        let mut response = op["responses"]
            .get(status.to_string())
            .cloned()
            .unwrap_or_else(|| {
                assert!(status >= 400, "{operation} has no {status} response in the spec");
                json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClerkErrors"}}}})
            });
        if let Some(reference) = response["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap();
            response = self.doc["components"]["responses"][name].clone();
        }
        let schema = &response["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "{operation} {status} has no JSON schema");
        let mut schema = to_json_schema(schema);
        schema["$defs"] = Value::Object(self.defs.clone());
        schema
    }

    fn check(&self, operation: &str, status: u16, body: &Value) -> Result<(), String> {
        let mut schema = self.response_schema(operation, status);
        let defs = schema["$defs"].take();
        let key = schema.to_string();
        let cached = self.validators.lock().unwrap().get(&key).cloned();
        let validator = match cached {
            Some(validator) => validator,
            None => {
                schema["$defs"] = defs;
                let validator =
                    Arc::new(jsonschema::validator_for(&schema).map_err(|e| e.to_string())?);
                self.validators
                    .lock()
                    .unwrap()
                    .insert(key, validator.clone());
                validator
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }
}

/// OpenAPI 3.0 schema -> JSON Schema 2020-12: `nullable: true` becomes
/// "or null", `$ref`s point into `$defs`.
fn to_json_schema(schema: &Value) -> Value {
    let Some(map) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return json!({ "$ref": format!("#/$defs/{name}") });
    }
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "nullable" => continue,
            "properties" => Value::Object(
                value
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), to_json_schema(v)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => to_json_schema(value),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(to_json_schema)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] })
    } else {
        Value::Object(out)
    }
}

/// Properties Clerk sends only when asked (`include_members_count`).
const ON_REQUEST: &[&str] = &["members_count"];

/// Makes every declared property required, in inline objects too, but for
/// those Clerk sends only on request.
fn require_everything(schema: &mut Value) {
    if let Some(any_of) = schema.get_mut("anyOf").and_then(Value::as_array_mut) {
        any_of.iter_mut().for_each(require_everything);
    }
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let names: Vec<Value> = properties
        .keys()
        .filter(|k| !ON_REQUEST.contains(&k.as_str()))
        .map(|k| json!(k))
        .collect();
    properties.values_mut().for_each(require_everything);
    schema["required"] = Value::Array(names);
}

fn obj(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

/// Calls every modelled operation once (and a few failing ones).
async fn call_everything(client: &Client) -> clerk_backend::Result<()> {
    let user = client
        .create_user()
        .body_map(|b| {
            b.email_address(vec!["spec@example.com".to_string()])
                .phone_number(vec!["+15555550123".to_string()])
                .username("spec_user".to_string())
                .public_metadata(obj(json!({"a": {"b": 1}})))
        })
        .send()
        .await?;
    let user_id = user.id.clone();
    let other = client
        .create_user()
        .body_map(|b| b.email_address(vec!["other@example.com".to_string()]))
        .send()
        .await?;
    let other_id = other.id.clone();
    client.get_user().user_id(&user_id).send().await?;
    client.get_user_list().query("spec").limit(5).send().await?;
    client.get_users_count().send().await?;
    client
        .update_user()
        .user_id(&user_id)
        .body_map(|b| b.first_name("Spec".to_string()))
        .send()
        .await?;
    client
        .update_user_metadata()
        .user_id(&user_id)
        .body_map(|b| b.public_metadata(obj(json!({"a": {"c": 2}}))))
        .send()
        .await?;
    client.ban_user().user_id(&other_id).send().await?;
    client.unban_user().user_id(&other_id).send().await?;
    client.lock_user().user_id(&other_id).send().await?;
    client.unlock_user().user_id(&other_id).send().await?;
    let email = client
        .create_email_address()
        .body_map(|b| {
            b.user_id(user_id.clone())
                .email_address("spec2@example.com".to_string())
        })
        .send()
        .await?;
    let email_id = email.id.clone().unwrap();
    client
        .get_email_address()
        .email_address_id(&email_id)
        .send()
        .await?;
    client
        .delete_email_address()
        .email_address_id(&email_id)
        .send()
        .await?;

    let org = client
        .create_organization()
        .body_map(|b| b.name("Spec Org".to_string()).created_by(user_id.clone()))
        .send()
        .await?;
    let org_id = org.id.clone();
    client
        .get_organization()
        .organization_id(&org_id)
        .include_members_count(true)
        .send()
        .await?;
    client
        .list_organizations()
        .include_members_count(true)
        .send()
        .await?;
    client
        .update_organization()
        .organization_id(&org_id)
        .body_map(|b| b.max_allowed_memberships(10))
        .send()
        .await?;
    client
        .merge_organization_metadata()
        .organization_id(&org_id)
        .body_map(|b| b.private_metadata(obj(json!({"k": "v"}))))
        .send()
        .await?;
    client
        .create_organization_membership()
        .organization_id(&org_id)
        .body_map(|b| b.user_id(other_id.clone()).role("org:member".to_string()))
        .send()
        .await?;
    client
        .list_organization_memberships()
        .organization_id(&org_id)
        .send()
        .await?;
    client
        .users_get_organization_memberships()
        .user_id(&other_id)
        .send()
        .await?;
    client
        .instance_get_organization_memberships()
        .send()
        .await?;
    client
        .update_organization_membership()
        .organization_id(&org_id)
        .user_id(&other_id)
        .body_map(|b| b.role("org:admin".to_string()))
        .send()
        .await?;
    client
        .update_organization_membership_metadata()
        .organization_id(&org_id)
        .user_id(&other_id)
        .body_map(|b| b.public_metadata(obj(json!({"x": 1}))))
        .send()
        .await?;
    client
        .delete_organization_membership()
        .organization_id(&org_id)
        .user_id(&other_id)
        .send()
        .await?;
    let invitation = client
        .create_organization_invitation()
        .organization_id(&org_id)
        .body_map(|b| {
            b.email_address("invitee@example.com".to_string())
                .inviter_user_id(user_id.clone())
                .role("org:member".to_string())
        })
        .send()
        .await?;
    let invitation_id = invitation.id.clone();
    client
        .list_organization_invitations()
        .organization_id(&org_id)
        .send()
        .await?;
    #[allow(deprecated)]
    client
        .list_pending_organization_invitations()
        .organization_id(&org_id)
        .send()
        .await?;
    client
        .get_organization_invitation()
        .organization_id(&org_id)
        .invitation_id(&invitation_id)
        .send()
        .await?;
    client
        .revoke_organization_invitation()
        .organization_id(&org_id)
        .invitation_id(&invitation_id)
        .body_map(|b| b.requesting_user_id(user_id.clone()))
        .send()
        .await?;
    client.get_jwks().send().await?;
    client
        .delete_organization()
        .organization_id(&org_id)
        .send()
        .await?;
    client.delete_user().user_id(&other_id).send().await?;

    // Failures, for the error schema.
    let _ = client.get_user().user_id("user_missing").send().await;
    let _ = client
        .create_user()
        .body_map(|b| b.email_address(vec!["spec@example.com".to_string()]))
        .send()
        .await;
    let _ = client.get_user_list().order_by("nonsense").send().await;
    Ok(())
}

/// The validation can fail: a wrong type, a missing field, an extra field.
#[test]
fn the_schema_check_rejects_what_the_spec_does_not_allow() {
    let spec = &*SPEC;
    let count = json!({"object": "total_count", "total_count": 1});
    spec.check("GetUsersCount", 200, &count).unwrap();
    let wrong_type = json!({"object": "total_count", "total_count": "1"});
    assert!(spec.check("GetUsersCount", 200, &wrong_type).is_err());
    assert!(
        spec.check("GetUsersCount", 200, &json!({"object": "total_count"}))
            .is_err()
    );
    let extra = json!({"object": "total_count", "total_count": 1, "more": true});
    assert!(spec.check("GetUsersCount", 200, &extra).is_err());
    let not_null = json!({"id": "sess_1", "object": "session", "user_id": "u", "client_id": "c",
        "actor": null, "status": "active", "last_active_organization_id": null, "tasks": null,
        "latest_activity": {"object": "session_activity", "id": "sa_1", "is_mobile": false,
            "device_type": "d", "browser_name": "b", "browser_version": "1", "ip_address": "::1",
            "city": "c", "country": "ZZ"},
        "last_active_at": 1, "expire_at": 1, "abandon_at": 1, "updated_at": 1, "created_at": 1});
    spec.check("GetSession", 200, &not_null).unwrap();
    let mut bad = not_null.clone();
    bad["status"] = json!("sleeping");
    assert!(spec.check("GetSession", 200, &bad).is_err());
    bad = not_null;
    bad["user_id"] = Value::Null;
    assert!(spec.check("GetSession", 200, &bad).is_err());
    let error = json!({"errors": [{"code": "x", "message": "m"}]});
    assert!(
        spec.check("GetUser", 404, &error).is_err(),
        "long_message is required"
    );
}

/// API keys, M2M and OAuth access tokens: created (by the API or the
/// fake's helpers), verified and revoked through the generated client.
async fn machine_credentials(
    fake: &FakeClerk,
    client: &Client,
    user_id: &str,
) -> clerk_backend::Result<()> {
    let key = client
        .create_api_key()
        .body_map(|b| {
            b.name("spec-key".to_string())
                .subject(user_id.to_string())
                .scopes(vec!["read".to_string()])
        })
        .send()
        .await?;
    client
        .verify_api_key()
        .body_map(|b| b.secret(key.secret.clone()))
        .send()
        .await?;
    client
        .revoke_api_key()
        .api_key_id(key.id.to_string())
        .body_map(|b| b.revocation_reason(Some("spec".to_string())))
        .send()
        .await?;
    let machine = fake.create_machine();
    let m2m = fake.create_m2m_token(&machine.id, &[], None);
    let verified = client
        .verify_m2m_token()
        .body_map(|b| b.token(m2m.clone()))
        .send()
        .await?;
    client
        .revoke_m2m_token()
        .m2m_token_id(verified.id.to_string())
        .body_map(|b| b.revocation_reason(None))
        .send()
        .await?;
    let oauth = fake.create_oauth_access_token(user_id, "client_spec", &["profile"], None);
    client
        .verify_o_auth_access_token()
        .body_map(|b| b.access_token(oauth))
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn every_response_matches_the_spec() -> clerk_backend::Result<()> {
    let spec = &*SPEC;
    let fake = FakeClerk::start().await;
    let client = fake.client();
    call_everything(&client).await?;
    // Sessions come from the kit, then go through the API.
    let user_id = client
        .get_user_list()
        .send()
        .await?
        .first()
        .map(|u| u.id.clone())
        .unwrap();
    let session = fake.session(&user_id).actor("user_actor").sign_in();
    client
        .get_session()
        .session_id(&session.session_id)
        .send()
        .await?;
    client.get_session_list().user_id(&user_id).send().await?;
    // A refresh, with the refresh token the fake's handshake hands out.
    let refresh = fake.refresh_cookie(&session.session_id);
    let refresh_token = refresh.split_once('=').unwrap().1.to_owned();
    client
        .refresh_session()
        .session_id(&session.session_id)
        .body_map(|b| {
            b.expired_token(session.token.clone())
                .refresh_token(refresh_token)
                .request_origin("http://localhost:3000".to_string())
        })
        .send()
        .await?;
    client
        .revoke_session()
        .session_id(&session.session_id)
        .send()
        .await?;
    machine_credentials(&fake, &client, &user_id).await?;

    let mut succeeded = BTreeSet::new();
    let mut failures = Vec::new();
    let mut statuses = BTreeSet::new();
    for request in fake.requests() {
        let operation = request.operation.expect("every request is an operation");
        let status = request.status.expect("no dropped connections");
        let body = request.response.expect("JSON answers");
        statuses.insert(status);
        if status == 200 {
            succeeded.insert(operation);
        }
        if let Err(error) = spec.check(operation, status, &body) {
            failures.push(format!("{operation} ({status}): {error}\n  body: {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "responses not matching the spec:\n{}",
        failures.join("\n")
    );
    let modelled: BTreeSet<&str> = MODELLED_OPERATIONS.iter().copied().collect();
    assert_eq!(
        succeeded, modelled,
        "every modelled operation answered 200 once"
    );
    assert_eq!(statuses, BTreeSet::from([200, 404, 422]));
    Ok(())
}

#[tokio::test]
async fn other_operations_answer_501_naming_themselves() {
    let spec = &*SPEC;
    let fake = FakeClerk::start().await;
    let http = reqwest::Client::new();
    let mut unmodelled = 0;
    for (method, path, operation) in spec.operations() {
        if MODELLED_OPERATIONS.contains(&operation.as_str()) {
            continue;
        }
        unmodelled += 1;
        let path = path
            .split('/')
            .map(|s| if s.starts_with('{') { "param_1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let url = format!("{}{path}", fake.api_url());
        let mut request = http
            .request(method.parse().unwrap(), &url)
            .bearer_auth(fake.secret_key());
        if matches!(method.as_str(), "POST" | "PATCH" | "PUT") {
            request = request.json(&json!({}));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 501, "{method} {path} ({operation})");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["meta"]["operation_id"],
            operation.as_str()
        );
        assert!(
            body["errors"][0]["long_message"]
                .as_str()
                .unwrap()
                .contains(&operation)
        );
        spec.check(&operation, 501, &body).unwrap();
    }
    assert!(unmodelled > 50, "only {unmodelled} unmodelled operations?");
    let recorded = fake.requests();
    assert_eq!(recorded.len(), unmodelled);
    assert!(
        recorded
            .iter()
            .all(|r| r.operation.is_some() && r.status == Some(501))
    );
}

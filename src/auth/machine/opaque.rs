//! Opaque machine tokens, verified by their Backend API endpoints:
//!
//! | kind | endpoint | body | authorised by |
//! | --- | --- | --- | --- |
//! | API key | `POST /api_keys/verify` | `{"secret"}` | the secret key |
//! | M2M token | `POST /m2m_tokens/verify` | `{"token"}` | the machine secret key if set, else the secret key |
//! | OAuth access token | `POST /oauth_applications/access_tokens/verify` | `{"access_token"}` | the secret key |
//!
//! Clerk's answers map as its backend SDK maps them: `404` is an unknown
//! (or revoked, or expired) token, `401` a refused secret key. Further,
//! `403` is a refused key too, `400`/`422` a token Clerk will not take (the
//! token's fault, not an outage), and a `200` that says the token is revoked
//! or expired (or, for OAuth, `{"active": false}`) an invalid token; any
//! other status, and no answer at all, is "Clerk unavailable".

use serde::Deserialize;
use serde_json::{Value, json};

use super::{MachineAuth, MachineError};
use crate::auth::backend::{Answer, BackendApi};
use crate::auth::token_type::TokenType;
use crate::secret::SecretKey;

/// The verify call of each kind: operationId, path, body field, and the
/// message for an unknown token.
fn endpoint(token_type: TokenType) -> (&'static str, &'static str, &'static str, &'static str) {
    match token_type {
        TokenType::M2mToken => (
            "verifyM2MToken",
            "/m2m_tokens/verify",
            "token",
            "M2M token not found",
        ),
        TokenType::OAuthToken => (
            "verifyOAuthAccessToken",
            "/oauth_applications/access_tokens/verify",
            "access_token",
            "OAuth token not found",
        ),
        _ => (
            "verifyApiKey",
            "/api_keys/verify",
            "secret",
            "API key not found",
        ),
    }
}

/// Verifies an opaque `token` of `token_type` with Clerk. M2M tokens are
/// sent with `machine_secret_key` when one is set.
pub(crate) async fn verify_opaque(
    api: &BackendApi,
    token_type: TokenType,
    token: &str,
    machine_secret_key: Option<&SecretKey>,
) -> Result<MachineAuth, MachineError> {
    let (operation, path, field, not_found) = endpoint(token_type);
    let bearer = machine_secret_key.filter(|_| token_type == TokenType::M2mToken);
    let answer = api
        .post_json(operation, path, &json!({ field: token }), bearer)
        .await
        .map_err(|e| MachineError::Unavailable {
            token_type,
            message: e.0,
        })?;
    read_answer(token_type, &answer, not_found)
}

/// Clerk's answer, as a [`MachineAuth`] or the [`MachineError`] it means.
fn read_answer(
    token_type: TokenType,
    answer: &Answer,
    not_found: &str,
) -> Result<MachineAuth, MachineError> {
    let invalid = |message: &str| MachineError::TokenInvalid {
        token_type,
        message: message.to_owned(),
    };
    match answer.status.as_u16() {
        200 | 201 => {}
        404 => return Err(invalid(not_found)),
        400 | 422 => return Err(invalid(&clerk_message(&answer.body, "rejected by Clerk"))),
        401 | 403 => {
            return Err(MachineError::SecretKeyInvalid {
                token_type,
                message: clerk_message(&answer.body, "Invalid secret key"),
            });
        }
        status => {
            return Err(MachineError::Unavailable {
                token_type,
                message: format!("Clerk answered {status}"),
            });
        }
    }
    let verified: Verified =
        serde_json::from_slice(&answer.body).map_err(|_| MachineError::Unavailable {
            token_type,
            message: "Clerk's answer is not a verified token".into(),
        })?;
    if verified.active == Some(false) || verified.revoked || verified.expired {
        return Err(invalid("revoked or expired"));
    }
    if verified.id.is_empty() || verified.subject.is_empty() {
        return Err(MachineError::Unavailable {
            token_type,
            message: "Clerk's answer has no token ID or subject".into(),
        });
    }
    Ok(MachineAuth {
        token_type,
        id: verified.id,
        subject: verified.subject,
        scopes: verified.scopes.unwrap_or_default(),
        claims: verified.claims.filter(|c| !c.is_null()),
        name: verified.name,
        client_id: verified.client_id,
        // Clerk's `expiration` is in milliseconds.
        expires_at: verified.expiration.map(|ms| (ms.max(0.0) / 1000.0) as u64),
    })
}

/// The fields of the three verify answers this crate reads (the
/// generated types are not used: they depend on the API-area features
/// and on the spec's version).
#[derive(Deserialize)]
struct Verified {
    #[serde(default)]
    id: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    claims: Option<Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    expired: bool,
    #[serde(default)]
    expiration: Option<f64>,
    /// OAuth's answer for a token it does not vouch for.
    #[serde(default)]
    active: Option<bool>,
}

/// The first error's `message` of a Clerk error body, else `fallback`.
fn clerk_message(body: &[u8], fallback: &str) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["errors"][0]["message"].as_str().map(str::to_owned))
        .map(|m| m.chars().take(200).collect())
        .unwrap_or_else(|| fallback.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn answer(status: u16, body: Value) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.to_string().into(),
        }
    }

    #[test]
    fn statuses_map_as_clerk_maps_them() {
        let read = |status, body| read_answer(TokenType::ApiKey, &answer(status, body), "nf");
        let e = read(404, json!({})).unwrap_err();
        assert_eq!((e.code(), e.is_server_error()), ("token-invalid", false));
        let e = read(401, json!({"errors": [{"message": "bad key"}]})).unwrap_err();
        assert_eq!(e.code(), "secret-key-invalid");
        assert!(e.to_string().contains("bad key"));
        assert!(e.is_server_error());
        for status in [500, 502, 429, 409] {
            let e = read(status, json!({})).unwrap_err();
            assert_eq!((e.code(), e.is_server_error()), ("unexpected-error", true));
        }
        let e = read(400, json!({})).unwrap_err();
        assert_eq!(e.code(), "token-invalid");
    }

    #[test]
    fn a_verified_answer_that_says_no_is_invalid() {
        let read = |body| read_answer(TokenType::OAuthToken, &answer(200, body), "nf");
        assert_eq!(
            read(json!({"active": false})).unwrap_err().code(),
            "token-invalid"
        );
        let revoked = json!({"id": "oat_1", "subject": "user_1", "revoked": true});
        assert_eq!(read(revoked).unwrap_err().code(), "token-invalid");
        let ok = json!({"id": "oat_1", "subject": "user_1", "client_id": "c", "scopes": ["a"],
                        "expiration": 1_700_000_000_123.0_f64});
        let auth = read(ok).unwrap();
        assert_eq!(auth.user_id(), Some("user_1"));
        assert_eq!(auth.client_id(), Some("c"));
        assert_eq!(auth.expires_at(), Some(1_700_000_000));
        assert_eq!(read(json!("nope")).unwrap_err().code(), "unexpected-error");
    }
}

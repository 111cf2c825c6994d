//! M2M tokens and OAuth access tokens in JWT form, verified without the
//! network with the instance's keys (the same [`VerifyOptions`] as session
//! tokens: key source, clock and skew).
//!
//! * **M2M JWT**: subject `mch_...`; the header's `cat` must be absent or
//!   the M2M category (`cl_B7d4PD333AAA`), so that no other kind the
//!   instance signs passes as one. Scopes are `aud` (a list of machine
//!   IDs), else the space-separated `scopes` claim.
//! * **OAuth access-token JWT**: `typ` `at+jwt` or `application/at+jwt`
//!   (RFC 9068). Scopes are `scp` (a list), else the space-separated
//!   `scope`; the application is `client_id`.
//!
//! Both need `sub` and `exp`; `exp`, `nbf` and `iat` are checked as for
//! session tokens. `iss` and `azp` are not checked: they name a browser
//! session's frontend, which machine tokens do not have (Clerk's SDK does
//! not check them either).

use serde_json::{Map, Value};

use super::{MachineAuth, MachineError};
use crate::auth::checks::VerifyOptions;
use crate::auth::error::VerifyError;
use crate::auth::jwt::{self, JwtKind};
use crate::auth::kind;
use crate::auth::token_type::TokenType;

/// Verifies a JWT-form machine token of `token_type` (sorted by
/// [`TokenType::of`]).
pub(crate) async fn verify_jwt(
    token: &str,
    token_type: TokenType,
    options: &VerifyOptions,
) -> Result<MachineAuth, MachineError> {
    let failed = |error: VerifyError| MachineError::VerificationFailed { token_type, error };
    let invalid = |message: &str| MachineError::TokenInvalid {
        token_type,
        message: message.to_owned(),
    };
    let jwt = jwt::parse(token).map_err(failed)?;
    match (token_type, jwt.kind()) {
        (TokenType::M2mToken, JwtKind::M2m) => {
            if let Some(cat) = jwt.header.cat.as_deref()
                && cat != kind::CATEGORY_M2M_TOKEN
            {
                return Err(invalid("Invalid M2M JWT category."));
            }
        }
        (TokenType::OAuthToken, JwtKind::OAuth) => {}
        _ => return Err(invalid("not a JWT of this kind")),
    }
    let payload: Map<String, Value> = jwt.verify(options).await.map_err(failed)?;
    let claims = Payload(&payload);
    let malformed = |what: &str| failed(VerifyError::Malformed(format!("claims: {what}")));
    let subject = claims.string("sub").ok_or_else(|| malformed("no sub"))?;
    let exp = claims.time("exp").ok_or_else(|| malformed("no exp"))?;
    jwt::check_times(exp, claims.time("nbf"), claims.time("iat"), options).map_err(failed)?;
    if token_type == TokenType::M2mToken && !kind::is_machine_subject(&subject) {
        return Err(invalid("the subject of an M2M token must be a machine"));
    }
    let (scopes, client_id) = match token_type {
        TokenType::M2mToken => (claims.list("aud").or_else(|| claims.words("scopes")), None),
        _ => (
            claims.list("scp").or_else(|| claims.words("scope")),
            claims.string("client_id"),
        ),
    };
    Ok(MachineAuth {
        token_type,
        id: claims.string("jti").unwrap_or_default(),
        subject,
        scopes: scopes.unwrap_or_default(),
        client_id,
        name: None,
        expires_at: Some(exp),
        claims: Some(Value::Object(payload)),
    })
}

/// Typed reads of a verified payload.
struct Payload<'a>(&'a Map<String, Value>);

impl Payload<'_> {
    fn string(&self, name: &str) -> Option<String> {
        self.0.get(name)?.as_str().map(str::to_owned)
    }

    /// A NumericDate: whole or fractional seconds.
    fn time(&self, name: &str) -> Option<u64> {
        let value = self.0.get(name)?;
        value
            .as_u64()
            .or_else(|| value.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
    }

    /// A list of strings, or one string as a list of one.
    fn list(&self, name: &str) -> Option<Vec<String>> {
        match self.0.get(name)? {
            Value::String(one) => Some(vec![one.clone()]),
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A space-separated string, as a list.
    fn words(&self, name: &str) -> Option<Vec<String>> {
        let text = self.0.get(name)?.as_str()?;
        Some(text.split_whitespace().map(str::to_owned).collect())
    }
}

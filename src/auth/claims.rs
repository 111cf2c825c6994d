//! The claims of a Clerk session token.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The verified claims of a Clerk session token.
///
/// Only `sub`, `iss` and `exp` are required; every claim that Clerk may omit
/// is an `Option`, so a token never fails verification because an optional
/// claim is absent. Claims this type does not name (for example custom
/// claims added by a session-token template) are kept in [`Claims::extra`].
///
/// Organisation claims come in two formats, selected by the claims version
/// `v`: version 1 has top-level `org_id`, `org_role`, `org_slug` and
/// `org_permissions`; version 2 has a compact [`OrgClaims`] object under `o`
/// plus the `fea` feature list. Use the accessors ([`Claims::org_id`],
/// [`Claims::org_role`], [`Claims::org_slug`], [`Claims::org_permissions`]),
/// which understand both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Claims {
    /// Subject: the user ID (`user_...`).
    pub sub: String,
    /// Issuer: the instance's Frontend API URL.
    pub iss: String,
    /// Expiry, in seconds since the Unix epoch.
    #[serde(deserialize_with = "numeric_date")]
    pub exp: u64,
    /// Issued-at time, in seconds since the Unix epoch.
    #[serde(
        default,
        deserialize_with = "opt_numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub iat: Option<u64>,
    /// Not-before time, in seconds since the Unix epoch.
    #[serde(
        default,
        deserialize_with = "opt_numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub nbf: Option<u64>,
    /// Session ID (`sess_...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Authorized party: the origin of the frontend that requested the
    /// token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Claims version: absent or `1` for the original format, `2` for the
    /// compact format with the `o` object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
    /// Session status, for example `"active"` or `"pending"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts: Option<String>,
    /// Factor verification age: minutes since the first and second factor
    /// were last verified (`-1` when never). See
    /// [`Claims::factor_verification_age`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fva: Option<Vec<i64>>,
    /// Impersonation actor, present when the session is an impersonation
    /// session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
    /// Active organisation ID (claims version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Role in the active organisation, e.g. `org:admin` (claims version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_role: Option<String>,
    /// Slug of the active organisation (claims version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_slug: Option<String>,
    /// Permissions in the active organisation (claims version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_permissions: Option<Vec<String>>,
    /// Active organisation in compact form (claims version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o: Option<OrgClaims>,
    /// Features, as `scope:name` entries separated by commas (claims version
    /// 2). Scope `o` is organisation, `u` user.
    #[serde(
        default,
        deserialize_with = "opt_lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub fea: Option<String>,
    /// Plans, as `scope:name` entries separated by commas (claims version 2).
    #[serde(
        default,
        deserialize_with = "opt_lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub pla: Option<String>,
    /// Every other claim, e.g. custom claims from a session-token template.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The impersonation actor (`act` claim): who is acting as the subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Actor {
    /// The impersonator's ID.
    pub sub: String,
    /// Issuer of the impersonation (e.g. the Clerk dashboard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The impersonator's session ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Any other fields of the actor object.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The compact organisation object `o` of claims version 2.
///
/// Every field is optional so that a change in what Clerk puts there does
/// not make valid tokens fail verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrgClaims {
    /// Organisation ID (`org_...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Role without the `org:` prefix, e.g. `admin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rol: Option<String>,
    /// Organisation slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slg: Option<String>,
    /// Permission names, separated by commas.
    #[serde(
        default,
        deserialize_with = "opt_lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub per: Option<String>,
    /// Feature-permission map: one decimal bitmask per organisation feature
    /// (in `fea` order), separated by commas; bit `i` grants permission `i`
    /// of `per`.
    #[serde(
        default,
        deserialize_with = "opt_lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub fpm: Option<String>,
    /// Any other fields of the organisation object.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Claims {
    /// The user ID (`sub`).
    pub fn user_id(&self) -> &str {
        &self.sub
    }

    /// The session ID (`sid`), if present.
    pub fn session_id(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The claims version: `v`, or 1 when absent.
    pub fn version(&self) -> u32 {
        self.v.unwrap_or(1)
    }

    /// The session status (`sts`), e.g. `"active"` or `"pending"`.
    pub fn session_status(&self) -> Option<&str> {
        self.sts.as_deref()
    }

    /// The impersonation actor, if this is an impersonation session.
    pub fn actor(&self) -> Option<&Actor> {
        self.act.as_ref()
    }

    /// Minutes since the first and the second factor were last verified
    /// (`-1` when never), when the token carries a well-formed `fva`.
    pub fn factor_verification_age(&self) -> Option<[i64; 2]> {
        match self.fva.as_deref() {
            Some(&[first, second]) => Some([first, second]),
            _ => None,
        }
    }

    /// The active organisation's ID, in either claims format.
    pub fn org_id(&self) -> Option<&str> {
        if self.version() >= 2 {
            self.o.as_ref().and_then(|o| o.id.as_deref())
        } else {
            self.org_id.as_deref()
        }
    }

    /// The active organisation's slug, in either claims format.
    pub fn org_slug(&self) -> Option<&str> {
        if self.version() >= 2 {
            self.o.as_ref().and_then(|o| o.slg.as_deref())
        } else {
            self.org_slug.as_deref()
        }
    }

    /// The role in the active organisation, with its `org:` prefix (e.g.
    /// `org:admin`), in either claims format.
    pub fn org_role(&self) -> Option<Cow<'_, str>> {
        if self.version() >= 2 {
            let rol = self.o.as_ref()?.rol.as_deref()?;
            Some(Cow::Owned(format!("org:{rol}")))
        } else {
            self.org_role.as_deref().map(Cow::Borrowed)
        }
    }

    /// The permissions in the active organisation (e.g.
    /// `org:invoices:read`), in either claims format. Empty when there is no
    /// active organisation.
    ///
    /// For claims version 2 the list is rebuilt from `fea`, `o.per` and
    /// `o.fpm` the way Clerk's own SDKs do: for the `i`-th organisation
    /// feature `f` in `fea`, bit `j` of the `i`-th `fpm` entry grants
    /// `org:f:p` where `p` is the `j`-th permission in `per`.
    pub fn org_permissions(&self) -> Vec<String> {
        if self.version() < 2 {
            return self.org_permissions.clone().unwrap_or_default();
        }
        let Some(o) = &self.o else {
            return Vec::new();
        };
        let (Some(fea), Some(per), Some(fpm)) = (&self.fea, &o.per, &o.fpm) else {
            return Vec::new();
        };
        let features: Vec<&str> = org_features(fea).collect();
        let permissions: Vec<&str> = per.split(',').map(str::trim).collect();
        let mut out = Vec::new();
        for (feature, mask) in features.iter().zip(fpm.split(',')) {
            let Some(bits) = decimal_to_bits(mask.trim()) else {
                continue;
            };
            for (bit, permission) in bits.iter().zip(&permissions) {
                if *bit {
                    out.push(format!("org:{feature}:{permission}"));
                }
            }
        }
        out
    }

    /// Whether the active organisation grants `permission` (e.g.
    /// `org:invoices:read`), in either claims format.
    pub fn has_org_permission(&self, permission: &str) -> bool {
        if self.version() < 2 {
            return self
                .org_permissions
                .as_ref()
                .is_some_and(|p| p.iter().any(|p| p == permission));
        }
        self.org_permissions().iter().any(|p| p == permission)
    }

    /// A claim that is not one of the named fields, e.g. a custom claim from
    /// a session-token template.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.extra.get(name)
    }
}

/// The organisation-scoped feature names in a `fea` claim: entries
/// `scope:name` whose scope contains `o`.
fn org_features(fea: &str) -> impl Iterator<Item = &str> {
    fea.split(',').filter_map(|entry| {
        let (scope, name) = entry.trim().split_once(':')?;
        let scope_ok = !scope.is_empty() && scope.chars().all(|c| c == 'o' || c == 'u');
        (scope_ok && scope.contains('o')).then_some(name)
    })
}

/// The bits of a non-negative decimal number of any length, least
/// significant first; `None` if `digits` is not a decimal number.
fn decimal_to_bits(digits: &str) -> Option<Vec<bool>> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(n) = digits.parse::<u128>() {
        return Some(
            (0..(128 - n.leading_zeros()))
                .map(|i| (n >> i) & 1 == 1)
                .collect(),
        );
    }
    // Longer than 128 bits: repeated division by two.
    let mut number: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let mut bits = Vec::new();
    while number.iter().any(|&d| d != 0) {
        let mut remainder = 0;
        for digit in number.iter_mut() {
            let value = remainder * 10 + *digit;
            *digit = value / 2;
            remainder = value % 2;
        }
        bits.push(remainder == 1);
    }
    Some(bits)
}

/// Deserializes a JWT NumericDate: a non-negative integer, or a float
/// (rounded down).
fn numeric_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_any(NumericDate)
}

fn opt_numeric_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_option(OptionVisitor(NumericDate))
}

fn opt_lenient_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_option(OptionVisitor(LenientString))
}

struct NumericDate;

impl<'de> Visitor<'de> for NumericDate {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative number of seconds since the Unix epoch")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom("negative NumericDate"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        if v.is_finite() && v >= 0.0 && v < u64::MAX as f64 {
            Ok(v as u64)
        } else {
            Err(E::custom("NumericDate out of range"))
        }
    }
}

/// A string; also accepts a number or an array of strings (joined with
/// commas), so that a representation change does not reject valid tokens.
struct LenientString;

impl<'de> Visitor<'de> for LenientString {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let mut parts: Vec<String> = Vec::new();
        while let Some(part) = seq.next_element::<String>()? {
            parts.push(part);
        }
        Ok(parts.join(","))
    }
}

struct OptionVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionVisitor<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self.0).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bits() {
        assert_eq!(decimal_to_bits("0"), Some(vec![]));
        assert_eq!(decimal_to_bits("5"), Some(vec![true, false, true]));
        assert_eq!(decimal_to_bits("x"), None);
        // 2^130 + 1: beyond u128.
        let big = "1361129467683753853853498429727072845825";
        let bits = decimal_to_bits(big).unwrap();
        assert_eq!(bits.len(), 131);
        assert!(bits[0] && bits[130]);
        assert!(bits[1..130].iter().all(|b| !b));
    }

    #[test]
    fn org_feature_scopes() {
        let fea = "o:dashboard, u:profile,uo:billing,x:nope,broken";
        assert_eq!(
            org_features(fea).collect::<Vec<_>>(),
            ["dashboard", "billing"]
        );
    }
}

//! One decoded request as the handlers see it: path parameters, query
//! parameters and the JSON body, with Clerk's validation errors for bad
//! input.

use serde_json::{Map, Value};

use super::errors::ApiError;

/// The JSON body of a request, as an object.
pub(crate) type Body = Map<String, Value>;

/// A request matched to an operation.
pub(crate) struct Call<'a> {
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: &'a [u8],
}

impl Call<'_> {
    /// A path parameter (always present: the route matched).
    pub(crate) fn path(&self, name: &str) -> &str {
        self.path_params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The last value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated query parameter (`?a=1&a=2`; also
    /// `a[]=1`).
    pub(crate) fn query_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(n, _)| n == name || n.strip_suffix("[]") == Some(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean query parameter (`true`/`false`).
    pub(crate) fn query_bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.query(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(ApiError::param_invalid(name, "must be true or false")),
        }
    }

    /// `limit` (1 to 500, default 10) and `offset` (default 0).
    pub(crate) fn page(&self) -> Result<(usize, usize), ApiError> {
        let number = |name: &str, default: usize, min: usize, max: usize| {
            let Some(text) = self.query(name) else {
                return Ok(default);
            };
            let value: f64 = text
                .parse()
                .map_err(|_| ApiError::param_invalid(name, "must be a number"))?;
            if value.fract() != 0.0 || value < min as f64 || value > max as f64 {
                return Err(ApiError::param_invalid(
                    name,
                    &format!("must be an integer between {min} and {max}"),
                ));
            }
            Ok(value as usize)
        };
        Ok((
            number("limit", 10, 1, 500)?,
            number("offset", 0, 0, usize::MAX)?,
        ))
    }

    /// The body as a JSON object; an empty body is `{}`.
    ///
    /// Malformed JSON is a 400, as at Clerk.
    pub(crate) fn body(&self) -> Result<Body, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(ApiError::malformed_body("expected a JSON object")),
            Err(e) => Err(ApiError::malformed_body(&format!(
                "not valid JSON ({})",
                e.to_string().split(" at line").next().unwrap_or("")
            ))),
        }
    }
}

/// An optional string field: absent and `null` are `None`.
pub(crate) fn opt_str(body: &Body, name: &str) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::param_invalid(name, "must be a string")),
    }
}

/// A required, non-empty string field.
pub(crate) fn req_str(body: &Body, name: &str) -> Result<String, ApiError> {
    match opt_str(body, name)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(ApiError::param_missing(name)),
    }
}

/// A field that is a string or a list of strings (Clerk accepts both for
/// identifiers); absent and `null` are empty.
pub(crate) fn str_list(body: &Body, name: &str) -> Result<Vec<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(ApiError::param_invalid(name, "must be a list of strings")),
            })
            .collect(),
        Some(_) => Err(ApiError::param_invalid(name, "must be a list of strings")),
    }
}

/// An optional object field (metadata).
pub(crate) fn opt_object(body: &Body, name: &str) -> Result<Option<Map<String, Value>>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(ApiError::param_invalid(name, "must be an object")),
    }
}

/// An optional boolean field.
pub(crate) fn opt_bool(body: &Body, name: &str) -> Result<Option<bool>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::param_invalid(name, "must be a boolean")),
    }
}

/// An optional integer field.
pub(crate) fn opt_int(body: &Body, name: &str) -> Result<Option<i64>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::param_invalid(name, "must be an integer")),
    }
}

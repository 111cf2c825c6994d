//! JSON instances built from the spec's schemas: the realistic responses
//! and request values of the generated per-operation tests.
//!
//! Like `normalize/`, this file depends on `serde_json` only, so tests can
//! include it too.

use serde_json::{Map, Value, json};

/// How to build an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every property present, every nullable value set: the richest
    /// response a server could send.
    Full,
    /// Only required properties.
    Minimal,
    /// Every property present, every nullable one `null`.
    Nulls,
    /// Every property present, every array and map `null`.
    NullCollections,
    /// Every property present, every string enum at a value it does not list.
    UnknownEnums,
    /// Every property present, plus a field no schema lists in every object.
    ExtraFields,
}

impl Mode {
    /// The variants a forward-compatible decoder must accept.
    pub const ALL: [Mode; 6] = [
        Mode::Full,
        Mode::Minimal,
        Mode::Nulls,
        Mode::NullCollections,
        Mode::UnknownEnums,
        Mode::ExtraFields,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Minimal => "minimal",
            Mode::Nulls => "nulls",
            Mode::NullCollections => "null_collections",
            Mode::UnknownEnums => "unknown_enums",
            Mode::ExtraFields => "extra_fields",
        }
    }
}

/// The value `Mode::UnknownEnums` puts in every enum.
pub const UNKNOWN_ENUM_VALUE: &str = "zz_value_from_the_future";

/// Builds instances of schemas of one document.
pub struct Sampler<'a> {
    components: &'a Value,
    mode: Mode,
    stack: Vec<String>,
    /// How many properties or items deep the current value is; the
    /// document's root is never replaced by `null`.
    depth: usize,
}

impl<'a> Sampler<'a> {
    pub fn new(spec: &'a Value, mode: Mode) -> Self {
        Self {
            components: spec.get("components").unwrap_or(&Value::Null),
            mode,
            stack: Vec::new(),
            depth: 0,
        }
    }

    /// An instance of `schema`; `name` seeds string values.
    pub fn sample(&mut self, schema: &Value, name: &str) -> Value {
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        let nested = self.depth > 0;
        if self.mode == Mode::Nulls && nullable && nested {
            return Value::Null;
        }
        let ty = schema.get("type").and_then(Value::as_str);
        let map_like = ty == Some("object")
            && ["properties", "allOf", "oneOf", "anyOf"]
                .iter()
                .all(|k| schema.get(*k).is_none());
        if self.mode == Mode::NullCollections && nested && (ty == Some("array") || map_like) {
            return Value::Null;
        }
        if self.mode == Mode::UnknownEnums && ty == Some("string") && schema.get("enum").is_some() {
            return json!(UNKNOWN_ENUM_VALUE);
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let key = r.rsplit('/').next().unwrap_or(r).to_string();
            if self.stack.contains(&key) || self.stack.len() > 12 {
                return Value::Null;
            }
            let target = self
                .components
                .pointer(&format!(
                    "/schemas/{}",
                    key.replace('~', "~0").replace('/', "~1")
                ))
                .cloned()
                .unwrap_or(json!({}));
            self.stack.push(key);
            let v = self.sample(&target, name);
            self.stack.pop();
            return v;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && let Some(v) = values.iter().find(|v| !v.is_null())
        {
            return v.clone();
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                match self.sample(part, name) {
                    Value::Object(m) => merged.extend(m),
                    other if parts.len() == 1 => return other,
                    _ => {}
                }
            }
            return Value::Object(merged);
        }
        // With `properties` beside them, `oneOf`/`anyOf` only add
        // constraints (which fields must be present): sample the object.
        let has_properties = schema.get("properties").is_some();
        for key in ["oneOf", "anyOf"].into_iter().filter(|_| !has_properties) {
            if let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|v| v.first())
            {
                return self.sample(first, name);
            }
        }
        let ty = schema.get("type").and_then(Value::as_str);
        match ty {
            Some("string") => string_sample(schema, name),
            Some("integer") => json!(int_sample(schema)),
            Some("number") => {
                let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0);
                json!(min.max(1.0) + 0.5)
            }
            Some("boolean") => json!(true),
            Some("array") => {
                let item = schema.get("items").cloned().unwrap_or(json!({}));
                self.depth += 1;
                let v = self.sample(&item, name);
                self.depth -= 1;
                if v.is_null() { json!([]) } else { json!([v]) }
            }
            Some("object") | None if schema.get("properties").is_some() => self.object(schema),
            Some("object") => match schema.get("additionalProperties") {
                Some(extra) if extra.is_object() && !extra.as_object().unwrap().is_empty() => {
                    json!({"key": self.sample(extra, "value")})
                }
                _ => json!({"key": "value"}),
            },
            _ => json!({"key": "value"}),
        }
    }

    fn object(&mut self, schema: &Value) -> Value {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let is_required = required.contains(&name.as_str());
                if self.mode == Mode::Minimal && !is_required {
                    continue;
                }
                self.depth += 1;
                let v = self.sample(prop, name);
                self.depth -= 1;
                if v.is_null()
                    && !is_required
                    && !matches!(self.mode, Mode::Nulls | Mode::NullCollections)
                {
                    continue;
                }
                out.insert(name.clone(), v);
            }
        }
        if self.mode == Mode::ExtraFields {
            out.insert(
                "zz_field_from_the_future".into(),
                json!({"nested": [1, "two"]}),
            );
        }
        Value::Object(out)
    }
}

fn int_sample(schema: &Value) -> i64 {
    let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
    let max = schema
        .get("maximum")
        .and_then(Value::as_i64)
        .unwrap_or(i64::MAX);
    min.max(1).min(max)
}

fn string_sample(schema: &Value, name: &str) -> Value {
    let s = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2024-01-02T03:04:05Z".to_string(),
        Some("date") => "2024-01-02".to_string(),
        Some("uuid") => "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f".to_string(),
        Some("email") => "user@example.com".to_string(),
        Some("uri") | Some("url") => "https://example.com/x".to_string(),
        Some("ipv4") => "127.0.0.1".to_string(),
        _ => {
            let base: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            format!("sample_{}", if base.is_empty() { "value" } else { &base })
        }
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut s = s;
    while s.len() < min {
        s.push('x');
    }
    if let Some(max) = max {
        s.truncate(max.max(1));
    }
    Value::String(s)
}

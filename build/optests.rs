//! Generates two tests per operation of the spec (written to
//! `OUT_DIR/operation_tests.rs`, included by `tests/operations.rs`): each
//! calls the operation against an httpmock server that checks the method,
//! path, `Authorization` header, the exact query and the exact JSON body,
//! and answers with a response built from the spec's schema, which must
//! decode. One call sets everything (array query parameters with two items,
//! serialised as the spec's `style`/`explode` say); the other sets only
//! what is required, and the request must carry nothing else: no field or
//! parameter is sent that the caller did not set.
//!
//! Generating the tests from the same spec as the client means they follow
//! whatever spec is dropped in. Parameter and body types are read from the
//! generated code itself (the `TryInto<T>` bound of each builder setter), so
//! they are exactly what progenitor chose.

use super::names::{method as snake, type_name};
use super::normalize::{MultipartOp, QueryStyle};
use super::openapi::METHODS;
use super::samples::{Mode, Sampler};
use super::syntax::setter_types;
use super::versions::OperationMeta;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;

/// The value a query parameter shows on the wire, when it is a scalar.
fn query_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

fn json_lit(v: &Value) -> String {
    format!("::serde_json::json!({v})")
}

/// Which requests to build for an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Every parameter and body field set (array query parameters with two
    /// items, to tell the serialisation styles apart).
    Everything,
    /// Only what the spec requires: the request must carry nothing else.
    RequiredOnly,
}

pub fn generate(
    spec: &Value,
    multipart: &[MultipartOp],
    styles: &[QueryStyle],
    meta: &OperationMeta,
    api_version: Option<&str>,
    file: &syn::File,
) -> String {
    let types = setter_types(file);
    let mut full = Sampler::new(spec, Mode::Full);
    let mut minimal = Sampler::new(spec, Mode::Minimal);
    let mut out = String::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default();
            let (status, response) = success(op, &mut full);
            for fill in [Fill::Everything, Fill::RequiredOnly] {
                let sampler = match fill {
                    Fill::Everything => &mut full,
                    Fill::RequiredOnly => &mut minimal,
                };
                let (call, mut when) = request(path, method, op, fill, styles, &types, sampler);
                let pinned = meta.pinned.get(&snake(id)).map(String::as_str);
                expect_version(&mut when, pinned.or(api_version));
                let name = match fill {
                    Fill::Everything => snake(id),
                    Fill::RequiredOnly => format!("{}_sends_only_what_is_set", snake(id)),
                };
                push_test(&mut out, &name, &when, status, response.as_ref(), &call);
            }
        }
    }
    for op in multipart {
        let response = op
            .success_schema
            .as_ref()
            .map(|r| full.sample(&serde_json::json!({ "$ref": r }), "response"));
        for fill in [Fill::Everything, Fill::RequiredOnly] {
            let (call, mut when, name) = multipart_request(op, fill);
            let pinned = meta
                .pinned
                .get(&snake(&op.operation_id))
                .map(String::as_str);
            expect_version(&mut when, pinned.or(api_version));
            push_test(&mut out, &name, &when, 200, response.as_ref(), &call);
        }
    }
    out
}

/// The `Clerk-API-Version` a request must carry: its operation's pinned
/// version, else the spec's date; none at all for an undated spec.
fn expect_version(when: &mut String, version: Option<&str>) {
    match version {
        Some(v) => write!(when, ".header(\"clerk-api-version\", {v:?})").unwrap(),
        None => when.push_str(".header_missing(\"clerk-api-version\")"),
    }
}

/// The builder call and the mock's expectations for one operation: method,
/// path, `Authorization`, the exact query and the exact JSON body.
fn request(
    path: &str,
    method: &str,
    op: &Value,
    fill: Fill,
    styles: &[QueryStyle],
    types: &HashMap<(String, String), String>,
    sampler: &mut Sampler,
) -> (String, String) {
    let id = op["operationId"].as_str().unwrap_or_default();
    let builder = type_name(id);
    let mut call = format!("client.{}()", snake(id));
    let mut when = format!(
        "when.method({:?}).header(\"authorization\", \"Bearer sk_test_operations\")",
        method.to_uppercase()
    );
    let mut expected_path = path.to_string();
    // The query as (name, value) pairs, when every parameter is one the
    // test can spell out; else only the presence of each is checked.
    let mut pairs: Option<Vec<(String, String)>> = Some(Vec::new());
    let mut raw_parts = Vec::new();
    for p in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = p["name"].as_str().unwrap_or_default();
        let required = p.get("required").and_then(Value::as_bool) == Some(true);
        if fill == Fill::RequiredOnly && !required {
            continue;
        }
        let setter = snake(name);
        let Some(ty) = types.get(&(builder.clone(), setter.clone())) else {
            continue;
        };
        let schema = p.get("schema").unwrap_or(&Value::Null);
        let location = p["in"].as_str();
        let value = match (location, fill) {
            (Some("query"), Fill::Everything) => two_items(schema, name, sampler),
            _ => sampler.sample(schema, name),
        };
        write!(call, ".{setter}(value::<{ty}>({}))", json_lit(&value)).unwrap();
        match location {
            Some("path") => {
                let text = query_text(&value).unwrap_or_else(|| value.to_string());
                expected_path = expected_path.replace(&format!("{{{name}}}"), &text);
            }
            Some("query") => {
                let items: Option<Vec<String>> = match &value {
                    Value::Array(items) => items.iter().map(query_text).collect(),
                    scalar => query_text(scalar).map(|t| vec![t]),
                };
                let joined = styles
                    .iter()
                    .find(|s| s.operation_id == id && s.name == name)
                    .map(|s| s.separator);
                match (items, pairs.as_mut()) {
                    (Some(items), Some(pairs)) => match joined {
                        Some(sep) => {
                            let sep = sep.to_string();
                            let wire = if sep == " " { "%20" } else { &sep };
                            raw_parts.push(format!("{name}={}", items.join(wire)));
                            pairs.push((name.to_string(), items.join(&sep)));
                        }
                        None => pairs.extend(items.into_iter().map(|v| (name.to_string(), v))),
                    },
                    _ => {
                        pairs = None;
                    }
                }
                write!(when, ".query_param_exists({})", rust_str(name)).unwrap();
            }
            _ => {}
        }
    }
    if let Some(mut pairs) = pairs {
        pairs.sort();
        write!(
            when,
            ".is_true(|req| {{ let mut q = req.query_params(); q.sort(); \
             let expected: &[(&str, &str)] = &{pairs:?}; \
             let raw = req.uri().query().unwrap_or(\"\").to_string(); \
             q.len() == expected.len() && q.iter().zip(expected).all(|(a, b)| a.0 == b.0 && a.1 == b.1) \
             && {raw_parts:?}.iter().all(|part: &&str| raw.split('&').any(|p| p == *part)) }})"
        )
        .unwrap();
    }
    if let Some(ty) = types.get(&(builder.clone(), "body".to_string())) {
        let schema = op
            .pointer("/requestBody/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Null);
        let body = sampler.sample(&schema, "body");
        write!(call, ".body(value::<{ty}>({}))", json_lit(&body)).unwrap();
        // Exact: a field the call did not set must not be sent.
        write!(when, ".json_body({})", json_lit(&body)).unwrap();
    }
    write!(when, ".path({})", rust_str(&expected_path)).unwrap();
    (call, when)
}

/// A query parameter's value; an array gets two different items, so that
/// `a=x&a=y` and `a=x,y` differ.
fn two_items(schema: &Value, name: &str, sampler: &mut Sampler) -> Value {
    if schema.get("type").and_then(Value::as_str) != Some("array") {
        return sampler.sample(schema, name);
    }
    let item = schema.get("items").cloned().unwrap_or(Value::Null);
    let values: Vec<Value> = item
        .get("enum")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter(|v| !v.is_null()).take(2).cloned().collect())
        .unwrap_or_default();
    if !values.is_empty() {
        return Value::Array(values);
    }
    let a = sampler.sample(&item, &format!("{name}_a"));
    let b = sampler.sample(&item, &format!("{name}_b"));
    if a == b { json!([a]) } else { json!([a, b]) }
}

fn multipart_request(op: &MultipartOp, fill: Fill) -> (String, String, String) {
    let mut call = format!("client.{}()", snake(&op.operation_id));
    let mut expected_path = op.path.clone();
    for p in &op.path_params {
        write!(call, ".{}(\"p_{p}\")", snake(p)).unwrap();
        expected_path = expected_path.replace(&format!("{{{p}}}"), &format!("p_{p}"));
    }
    let mut when = format!(
        "when.method({:?}).header(\"authorization\", \"Bearer sk_test_operations\").path({})",
        op.method.to_uppercase(),
        rust_str(&expected_path)
    );
    for (name, is_file, required) in &op.fields {
        let field = rust_str(&format!("name=\"{name}\""));
        if fill == Fill::RequiredOnly && !required {
            write!(when, ".is_true(|req| !req.body_string().contains({field}))").unwrap();
            continue;
        }
        if *is_file {
            write!(
                call,
                ".{}(clerk_backend::multipart::Part::bytes(b\"PNGDATA\".to_vec()).file_name(\"x.png\"))",
                snake(name)
            )
            .unwrap();
        } else {
            write!(call, ".{}(\"v_{name}\")", snake(name)).unwrap();
        }
        write!(when, ".body_includes({field})").unwrap();
    }
    let name = match fill {
        Fill::Everything => snake(&op.operation_id),
        Fill::RequiredOnly => format!("{}_sends_only_what_is_set", snake(&op.operation_id)),
    };
    (call, when, name)
}

/// The first success status and, if it has a JSON body, an instance of it.
fn success(op: &Value, sampler: &mut Sampler) -> (u16, Option<Value>) {
    let responses = op["responses"].as_object().cloned().unwrap_or_default();
    for (code, r) in responses {
        let Ok(status) = code.parse::<u16>() else {
            continue;
        };
        if !(200..300).contains(&status) {
            continue;
        }
        let body = r
            .pointer("/content/application~1json/schema")
            .map(|s| sampler.sample(s, "response"));
        return (status, body);
    }
    (200, None)
}

fn push_test(
    out: &mut String,
    fn_name: &str,
    when: &str,
    status: u16,
    response: Option<&Value>,
    call: &str,
) {
    let then = match response {
        Some(body) => format!(
            "then.status({status}).header(\"content-type\", \"application/json\").body({});",
            rust_str(&body.to_string())
        ),
        None => format!("then.status({status});"),
    };
    writeln!(
        out,
        "#[tokio::test]\n#[allow(deprecated)] // every operation is tested, deprecated ones too\nasync fn {fn_name}() {{\n    let server = ::httpmock::MockServer::start_async().await;\n    \
         let mock = server.mock_async(|when, then| {{ {when}; {then} }}).await;\n    \
         let client = client_for(&server);\n    \
         let result = {call}.send().await;\n    \
         mock.assert_async().await;\n    \
         if let Err(e) = result {{ panic!(\"{fn_name}: {{e}}\"); }}\n}}\n"
    )
    .unwrap();
}

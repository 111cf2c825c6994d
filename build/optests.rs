//! Generates one test per operation of the spec (written to
//! `OUT_DIR/operation_tests.rs`, included by `tests/operations.rs`): each
//! calls the operation against an httpmock server that checks the method,
//! path, `Authorization` header, query parameters and JSON body, and answers
//! with a response built from the spec's schema, which must decode.
//!
//! Generating the tests from the same spec as the client means they follow
//! whatever spec is dropped in. Parameter and body types are read from the
//! generated code itself (the `TryInto<T>` bound of each builder setter), so
//! they are exactly what progenitor chose.

use super::names::{method as snake, type_name};
use super::normalize::{METHODS, MultipartOp};
use super::samples::{Mode, Sampler};
use super::syntax::setter_types;
use serde_json::Value;
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

pub fn generate(spec: &Value, multipart: &[MultipartOp], file: &syn::File) -> String {
    let types = setter_types(file);
    let mut full = Sampler::new(spec, Mode::Full);
    let mut out = String::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default();
            let fn_name = snake(id);
            let builder = type_name(id);
            let mut call = format!("client.{fn_name}()");
            let mut when = format!(
                "when.method({:?}).header(\"authorization\", \"Bearer sk_test_operations\")",
                method.to_uppercase()
            );
            let mut expected_path = path.clone();
            for p in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = p["name"].as_str().unwrap_or_default();
                let setter = snake(name);
                let Some(ty) = types.get(&(builder.clone(), setter.clone())) else {
                    continue;
                };
                let value = full.sample(p.get("schema").unwrap_or(&Value::Null), name);
                write!(call, ".{setter}(value::<{ty}>({}))", json_lit(&value)).unwrap();
                match p["in"].as_str() {
                    Some("path") => {
                        let text = query_text(&value).unwrap_or_else(|| value.to_string());
                        expected_path = expected_path.replace(&format!("{{{name}}}"), &text);
                    }
                    Some("query") => match query_text(&value) {
                        Some(text) => write!(
                            when,
                            ".query_param({}, {})",
                            rust_str(name),
                            rust_str(&text)
                        )
                        .unwrap(),
                        None => write!(when, ".query_param_exists({})", rust_str(name)).unwrap(),
                    },
                    _ => {}
                }
            }
            if let Some(ty) = types.get(&(builder.clone(), "body".to_string())) {
                let schema = op
                    .pointer("/requestBody/content/application~1json/schema")
                    .cloned()
                    .unwrap_or(Value::Null);
                let body = full.sample(&schema, "body");
                write!(call, ".body(value::<{ty}>({}))", json_lit(&body)).unwrap();
                write!(when, ".json_body({})", json_lit(&body)).unwrap();
            }
            write!(when, ".path({})", rust_str(&expected_path)).unwrap();
            let (status, response) = success(op, &mut full);
            push_test(&mut out, &fn_name, &when, status, response.as_ref(), &call);
        }
    }
    for op in multipart {
        let fn_name = snake(&op.operation_id);
        let mut call = format!("client.{fn_name}()");
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
        for (name, is_file, _) in &op.fields {
            if *is_file {
                write!(
                    call,
                    ".{}(::reqwest::multipart::Part::bytes(b\"PNGDATA\".to_vec()).file_name(\"x.png\"))",
                    snake(name)
                )
                .unwrap();
            } else {
                write!(call, ".{}(\"v_{name}\")", snake(name)).unwrap();
            }
            write!(
                when,
                ".body_includes({})",
                rust_str(&format!("name=\"{name}\""))
            )
            .unwrap();
        }
        let response = op
            .success_schema
            .as_ref()
            .map(|r| full.sample(&serde_json::json!({ "$ref": r }), "response"));
        push_test(&mut out, &fn_name, &when, 200, response.as_ref(), &call);
    }
    out
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
        "#[tokio::test]\nasync fn {fn_name}() {{\n    let server = ::httpmock::MockServer::start_async().await;\n    \
         let mock = server.mock_async(|when, then| {{ {when}; {then} }}).await;\n    \
         let client = client_for(&server);\n    \
         let result = {call}.send().await;\n    \
         mock.assert_async().await;\n    \
         if let Err(e) = result {{ panic!(\"{fn_name}: {{}}\", ::clerk_backend::Error::from(e)); }}\n}}\n"
    )
    .unwrap();
}

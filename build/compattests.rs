//! Generates the forward-compatibility tests (`OUT_DIR/compat_tests.rs`,
//! included by `tests/compat.rs`): for every operation's success response,
//! instances built from the *original* spec (before normalisation, i.e. what
//! Clerk documents it sends) in each of `samples::Mode::ALL`, which the
//! generated response type must decode. For unknown enum values, the test
//! also checks that re-serialising keeps the raw value.

use super::names;
use super::normalize::MultipartOp;
use super::openapi::METHODS;
use super::samples::{Mode, Sampler};
use super::syntax::decoded_types;
use serde_json::Value;
use std::fmt::Write;

fn success_schema(op: &Value) -> Option<&Value> {
    let responses = op.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| r.pointer("/content/application~1json/schema"))
}

/// `original` is the spec as loaded, with only response and parameter
/// references inlined; `file` is the generated client.
pub fn generate(original: &Value, multipart: &[MultipartOp], file: &syn::File) -> String {
    let types = decoded_types(file, multipart);
    let mut out = String::new();
    let paths = original["paths"].as_object().cloned().unwrap_or_default();
    for item in paths.values() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let Some(schema) = success_schema(op) else {
                continue;
            };
            // Raw JSON and empty bodies decode anything: nothing to test.
            let Some(ty) = types.get(&names::type_name(id)) else {
                continue;
            };
            let mut cases = String::new();
            for mode in Mode::ALL {
                let sample = Sampler::new(original, mode).sample(schema, "response");
                writeln!(
                    cases,
                    "        ({:?}, {:?}),",
                    mode.name(),
                    sample.to_string()
                )
                .unwrap();
            }
            let fn_name = format!("{}_decodes", names::method(id));
            writeln!(
                out,
                "#[test]\nfn {fn_name}() {{\n    check::<{ty}>({id:?}, &[\n{cases}    ]);\n}}\n"
            )
            .unwrap();
        }
    }
    out
}

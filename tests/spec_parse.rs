//! `build/parse.rs`: a spec that does not read as OpenAPI 3.0 gets an error
//! naming the entry at fault. The module is compiled here directly, as
//! build.rs compiles it.

#[path = "../build/parse.rs"]
mod parse;

use serde_json::{Value, json};

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/clerk.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn error(spec: &Value) -> String {
    match parse::read(spec) {
        Ok(_) => panic!("the broken spec was read"),
        Err(e) => e,
    }
}

#[test]
fn the_vendored_spec_reads() {
    let api = parse::read(&spec()).unwrap();
    assert!(api.paths.paths.contains_key("/users"));
}

#[test]
fn a_parameter_without_a_location_is_named() {
    let mut spec = spec();
    let params = spec["paths"]["/users"]["get"]["parameters"]
        .as_array_mut()
        .unwrap();
    let last = params.len() - 1;
    params[last].as_object_mut().unwrap().remove("in");
    let e = error(&spec);
    assert!(
        e.contains(&format!("at `paths./users.get.parameters[{last}]`")),
        "{e}"
    );
    assert!(e.contains("missing field `in`"), "{e}");
}

#[test]
fn a_broken_response_is_named() {
    let mut spec = spec();
    spec["paths"]["/users/{user_id}"]["delete"]["responses"]["200"] = json!({"content": 5});
    let e = error(&spec);
    assert!(
        e.contains("at `paths./users/{user_id}.delete.responses.200`"),
        "{e}"
    );
}

#[test]
fn a_broken_operation_field_is_named() {
    let mut spec = spec();
    spec["paths"]["/users"]["post"]["requestBody"] = json!([]);
    let e = error(&spec);
    assert!(e.contains("at `paths./users.post.requestBody`"), "{e}");
}

#[test]
fn a_broken_component_is_named() {
    let mut spec = spec();
    spec["components"]["schemas"]["User"]["properties"] = json!(7);
    let e = error(&spec);
    assert!(e.contains("at `components.schemas.User`"), "{e}");
}

#[test]
fn a_broken_top_level_names_no_entry() {
    let mut spec = spec();
    spec.as_object_mut().unwrap().remove("info");
    let e = error(&spec);
    assert!(!e.contains(" at `"), "{e}");
    assert!(e.contains("missing field `info`"), "{e}");
}

#[test]
fn hostile_shapes_get_an_error_not_a_panic() {
    for broken in [
        json!(null),
        json!([]),
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": 5}),
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": 5}}),
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
               "components": {"schemas": 5}}),
    ] {
        let e = error(&broken);
        assert!(e.starts_with("the spec does not match"), "{e}");
    }
}

#[test]
fn the_locator_reports_the_first_failing_entry_alone() {
    // A fake reader that rejects any document holding the marker.
    let fails = |doc: &Value| doc.to_string().contains("BAD");
    let spec = json!({
        "openapi": "3.0.3",
        "paths": {
            "/a": {"get": {"responses": {}}},
            "/b": {"post": {"responses": {"200": {}, "404": "BAD"}}}
        }
    });
    assert_eq!(
        parse::locate(&spec, &fails).as_deref(),
        Some("paths./b.post.responses.404")
    );
    let top = json!({"openapi": "BAD", "paths": {}});
    assert_eq!(parse::locate(&top, &fails), None);
}

//! Unit tests of the spec-normalisation passes (`build/normalize/`), each
//! on a small fragment with the shape it fixes. The module is compiled here
//! directly, as build.rs compiles it.

#[path = "../build/normalize/mod.rs"]
#[allow(dead_code, unused_imports)]
mod normalize;
#[path = "../build/openapi.rs"]
#[allow(dead_code, unused_imports)]
mod openapi;

use normalize::normalize;
use serde_json::{Value, json};

fn spec(paths: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "v1"},
        "paths": paths,
        "components": {"schemas": {
            "User": {"type": "object", "properties": {"id": {"type": "string"}}},
            "ClerkErrors": {"type": "object", "properties": {"errors": {"type": "array", "items": {}}}}
        }}
    })
}

fn ok(schema: &str) -> Value {
    json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

#[test]
fn multipart_only_bodies_are_extracted_for_the_multipart_generator() {
    let mut s = spec(json!({
        "/users/{user_id}/profile_image": {
            "parameters": [{"name": "user_id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "post": {
                "operationId": "SetUserProfileImage",
                "requestBody": {"content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}, "note": {"type": "string"}}
                }}}},
                "responses": {"200": ok("User")}
            },
            "get": {"operationId": "GetImage", "responses": {"200": ok("User")}}
        }
    }));
    let report = normalize(&mut s).unwrap();
    assert_eq!(report.found.multipart.len(), 1);
    let op = &report.found.multipart[0];
    assert_eq!(op.operation_id, "SetUserProfileImage");
    assert_eq!(
        (op.method.as_str(), op.path.as_str()),
        ("post", "/users/{user_id}/profile_image")
    );
    assert_eq!(op.path_params, ["user_id"]);
    assert_eq!(
        op.fields,
        [
            ("file".to_string(), true, true),
            ("note".to_string(), false, false)
        ]
    );
    assert_eq!(
        op.success_schema.as_deref(),
        Some("#/components/schemas/User")
    );
    // Gone from what progenitor sees; the other method of the path stays.
    assert!(
        s.pointer("/paths/~1users~1{user_id}~1profile_image/post")
            .is_none()
    );
    assert!(
        s.pointer("/paths/~1users~1{user_id}~1profile_image/get")
            .is_some()
    );
}

#[test]
fn bodies_in_several_media_types_keep_json() {
    let mut s = spec(json!({"/x": {"post": {
        "operationId": "X",
        "requestBody": {"content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}}
        }},
        "responses": {"200": ok("User")}
    }}}));
    let report = normalize(&mut s).unwrap();
    assert!(report.found.multipart.is_empty());
    let content = s
        .pointer("/paths/~1x/post/requestBody/content")
        .unwrap()
        .as_object()
        .unwrap();
    assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
}

#[test]
fn error_responses_become_4xx_and_5xx_ranges_of_raw_json() {
    let mut s = spec(json!({"/x": {"get": {
        "operationId": "X",
        "responses": {
            "200": ok("User"),
            "400": ok("ClerkErrors"),
            "404": {"description": "no body"},
            "422": {"$ref": "#/components/responses/Other"}
        }
    }}}));
    s["components"]["responses"] = json!({"Other": {"description": "x", "content": {"application/json": {"schema": {"type": "string"}}}}});
    normalize(&mut s).unwrap();
    let responses = s
        .pointer("/paths/~1x/get/responses")
        .unwrap()
        .as_object()
        .unwrap();
    assert_eq!(responses.keys().collect::<Vec<_>>(), ["200", "4XX", "5XX"]);
    assert_eq!(
        responses["4XX"]["content"]["application/json"]["schema"],
        json!({})
    );
}

#[test]
fn success_responses_of_different_types_are_unified() {
    let mut s = spec(json!({"/x": {"delete": {
        "operationId": "X",
        "responses": {"200": ok("User"), "204": {"description": "gone"}}
    }}, "/y": {"post": {
        "operationId": "Y",
        "responses": {"200": ok("User"), "201": ok("ClerkErrors")}
    }}}));
    normalize(&mut s).unwrap();
    let x = s
        .pointer("/paths/~1x/delete/responses")
        .unwrap()
        .as_object()
        .unwrap();
    assert_eq!(x.keys().collect::<Vec<_>>(), ["200", "4XX", "5XX"]);
    let y = s.pointer("/paths/~1y/post/responses").unwrap();
    assert_eq!(y["200"]["content"]["application/json"]["schema"], json!({}));
    assert_eq!(y["201"]["content"]["application/json"]["schema"], json!({}));
}

#[test]
fn parameters_colliding_once_snake_cased_keep_the_preferred_one() {
    let mut s = spec(json!({"/public/interstitial": {"get": {
        "operationId": "GetPublicInterstitial",
        "parameters": [
            {"name": "frontendApi", "in": "query", "deprecated": true, "schema": {"type": "string"}},
            {"name": "frontend_api", "in": "query", "schema": {"type": "string"}},
            {"name": "publishableKey", "in": "query", "schema": {"type": "string"}}
        ],
        "responses": {"200": {"description": "html"}}
    }}}));
    let report = normalize(&mut s).unwrap();
    let names: Vec<&str> = s
        .pointer("/paths/~1public~1interstitial/get/parameters")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["frontend_api", "publishableKey"]);
    assert!(report.log.notes.iter().any(|n| n.contains("frontendApi")));
}

#[test]
fn path_level_parameters_are_merged_into_each_operation() {
    let mut s = spec(json!({"/users/{user_id}": {
        "parameters": [{"name": "user_id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "get": {"operationId": "GetUser", "responses": {"200": ok("User")}},
        "delete": {"operationId": "DeleteUser", "parameters": [
            {"name": "user_id", "in": "path", "required": true, "description": "own", "schema": {"type": "string"}}
        ], "responses": {"200": ok("User")}}
    }}));
    normalize(&mut s).unwrap();
    assert!(s.pointer("/paths/~1users~1{user_id}/parameters").is_none());
    assert_eq!(
        s.pointer("/paths/~1users~1{user_id}/get/parameters/0/name")
            .unwrap(),
        "user_id"
    );
    // The operation's own definition wins over the path-level one.
    let p = s
        .pointer("/paths/~1users~1{user_id}/delete/parameters")
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["description"], "own");
}

#[test]
fn closed_objects_are_opened() {
    let mut s = spec(json!({}));
    s["components"]["schemas"]["Strict"] = json!({
        "type": "object", "additionalProperties": false,
        "properties": {"inner": {"type": "object", "additionalProperties": false}, "map": {"type": "object", "additionalProperties": {"type": "string"}}}
    });
    normalize(&mut s).unwrap();
    let strict = &s["components"]["schemas"]["Strict"];
    assert!(strict.get("additionalProperties").is_none());
    assert!(
        strict["properties"]["inner"]
            .get("additionalProperties")
            .is_none()
    );
    assert_eq!(
        strict["properties"]["map"]["additionalProperties"],
        json!({"type": "string"})
    );
}

#[test]
fn missing_and_duplicate_operation_ids_are_made_unique() {
    let mut s = spec(json!({
        "/users/{user_id}": {"get": {"responses": {"200": ok("User")}}},
        "/a": {"get": {"operationId": "Same", "responses": {}}},
        "/b": {"get": {"operationId": "Same", "responses": {}}}
    }));
    normalize(&mut s).unwrap();
    assert_eq!(
        s.pointer("/paths/~1users~1{user_id}/get/operationId")
            .unwrap(),
        "get_users_user_id"
    );
    let a = s
        .pointer("/paths/~1a/get/operationId")
        .unwrap()
        .as_str()
        .unwrap();
    let b = s
        .pointer("/paths/~1b/get/operationId")
        .unwrap()
        .as_str()
        .unwrap();
    assert_ne!(a, b);
}

#[test]
fn response_parameter_and_body_references_are_inlined() {
    let mut s = spec(json!({"/x": {"post": {
        "operationId": "X",
        "parameters": [{"$ref": "#/components/parameters/Limit"}],
        "requestBody": {"$ref": "#/components/requestBodies/B"},
        "responses": {"200": {"$ref": "#/components/responses/U"}}
    }}}));
    s["components"]["responses"] = json!({"U": ok("User")});
    s["components"]["parameters"] =
        json!({"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}});
    s["components"]["requestBodies"] = json!({"B": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}}});
    normalize(&mut s).unwrap();
    assert_eq!(
        s.pointer("/paths/~1x/post/parameters/0/name").unwrap(),
        "limit"
    );
    assert_eq!(
        s.pointer("/paths/~1x/post/requestBody/content/application~1json/schema/$ref")
            .unwrap(),
        "#/components/schemas/User"
    );
    assert_eq!(
        s.pointer("/paths/~1x/post/responses/200/content/application~1json/schema/$ref")
            .unwrap(),
        "#/components/schemas/User"
    );
}

#[test]
fn documents_that_are_not_openapi_3_0_fail_clearly() {
    let mut s = json!({"swagger": "2.0", "paths": {}});
    let e = normalize(&mut s).unwrap_err();
    assert!(e.contains("OpenAPI 3.0"), "{e}");
    let mut s = json!({"openapi": "3.0.0"});
    assert!(normalize(&mut s).unwrap_err().contains("paths"));
}

#[test]
fn dated_versions_are_recognised() {
    assert_eq!(
        openapi::api_version_date(&json!({"info": {"version": "2025-11-10"}})).as_deref(),
        Some("2025-11-10")
    );
    assert_eq!(
        openapi::api_version_date(&json!({"info": {"version": "v1"}})),
        None
    );
    assert_eq!(
        openapi::api_version_date(&json!({"info": {"version": "2025-1-10x"}})),
        None
    );
    // The v1 line's own date is the undated line: no header.
    assert_eq!(
        openapi::api_version_date(&json!({"info": {"version": "2021-02-05"}})),
        None
    );
}

#[test]
fn snake_case_matches_generated_names() {
    assert_eq!(
        normalize::dedupe_parameters::snake("frontendApi"),
        "frontend_api"
    );
    assert_eq!(
        normalize::dedupe_parameters::snake("frontend_api"),
        "frontend_api"
    );
    assert_eq!(
        normalize::dedupe_parameters::snake("x-clerk-id"),
        "x_clerk_id"
    );
}

#[test]
fn whole_number_parameters_become_integers() {
    let mut s = spec(json!({"/users": {"get": {
        "operationId": "GetUserList",
        "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "number", "default": 10, "minimum": 1, "maximum": 500}},
            {"name": "offset", "in": "query", "schema": {"type": "number", "default": 0.0, "minimum": 0, "nullable": true}},
            {"name": "ratio", "in": "query", "schema": {"type": "number", "minimum": 0.5}},
            {"name": "score", "in": "query", "schema": {"type": "number", "format": "double", "default": 1}},
            {"name": "free", "in": "query", "schema": {"type": "number"}}
        ],
        "responses": {"200": ok("User")}
    }}}));
    normalize(&mut s).unwrap();
    let params = s
        .pointer("/paths/~1users/get/parameters")
        .unwrap()
        .as_array()
        .unwrap();
    let ty = |i: usize| params[i]["schema"]["type"].as_str().unwrap();
    assert_eq!(
        [ty(0), ty(1), ty(2), ty(3), ty(4)],
        ["integer", "integer", "number", "number", "number"]
    );
    // Parameter defaults are the server's business (see unset_request_defaults).
    assert!(params[1]["schema"].get("default").is_none());
    assert_eq!(
        params[0]["schema"]["minimum"],
        json!(0),
        "no NonZero type for .limit(10)"
    );
    assert_eq!(params[0]["schema"]["maximum"], json!(500));
}

#[test]
fn response_schemas_become_forward_compatible_and_request_schemas_do_not() {
    let mut s = spec(json!({
        "/users/{id}": {"get": {"operationId": "GetUser", "responses": {"200": ok("Thing")}}},
        "/users": {"post": {
            "operationId": "CreateUser",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
            "responses": {"200": ok("Thing")}
        }}
    }));
    s["components"]["schemas"]["Thing"] = json!({
        "type": "object",
        "required": ["id", "status", "tags", "meta", "verification", "child", "maybe"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "banned"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "meta": {"type": "object", "additionalProperties": true},
            "child": {"$ref": "#/components/schemas/User"},
            "maybe": {"type": "string", "nullable": true},
            "verification": {"oneOf": [{"$ref": "#/components/schemas/Otp"}]}
        }
    });
    s["components"]["schemas"]["Otp"] = json!({"type": "object", "properties": {"strategy": {"type": "string", "enum": ["email_code"]}}});
    s["components"]["schemas"]["Input"] = json!({"type": "object", "required": ["role"], "properties": {"role": {"type": "string", "enum": ["admin"]}}});
    let report = normalize(&mut s).unwrap();
    let thing = &s["components"]["schemas"]["Thing"];
    // Nothing stays required: the scalar and the opened enum (which accepts
    // any string) decode absence as empty (see `absent_as_empty` below).
    assert_eq!(thing.get("required"), None);
    assert_eq!(thing["properties"]["id"]["default"], "");
    assert_eq!(thing["properties"]["status"]["default"], "");
    // Collections are neither nullable nor required: plain `Vec`s and maps
    // with `#[serde(default)]` (the generated code also reads `null` as empty).
    assert!(thing["properties"]["tags"].get("nullable").is_none());
    assert!(thing["properties"]["meta"].get("nullable").is_none());
    // The enum keeps its known values under a new name, and takes any string.
    assert_eq!(
        thing["properties"]["status"]["oneOf"][0]["$ref"],
        "#/components/schemas/ThingStatusKnown"
    );
    assert_eq!(thing["properties"]["status"]["oneOf"][1]["type"], "string");
    assert_eq!(
        s["components"]["schemas"]["ThingStatusKnown"]["enum"],
        json!(["active", "banned"])
    );
    // The union gets a raw-JSON fallback. With one variant nothing needs
    // telling apart, so its enum is opened too (see the test of
    // discriminators below for unions of several).
    assert_eq!(
        thing["properties"]["verification"]["oneOf"][1],
        json!({"title": "Other"})
    );
    assert!(
        s["components"]["schemas"]["Otp"]["properties"]["strategy"]
            .get("oneOf")
            .is_some()
    );
    // A schema requests use is left strict.
    assert_eq!(
        s["components"]["schemas"]["Input"]["required"],
        json!(["role"])
    );
    assert!(
        s["components"]["schemas"]["Input"]["properties"]["role"]
            .get("enum")
            .is_some()
    );
    assert_eq!(report.log.compat.open_enums, 2);
    assert_eq!(report.log.compat.union_fallbacks, 1);
    assert_eq!(report.log.compat.relaxed_required, 5);
    assert_eq!(report.log.compat.nullable_collections, 2);
}

#[test]
fn pattern_and_length_constraints_are_dropped() {
    let mut s = spec(json!({"/x/{id}": {"get": {
        "operationId": "X",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^x_\\w{27}$", "minLength": 3}}],
        "responses": {"200": ok("User")}
    }}}));
    s["components"]["schemas"]["User"]["properties"]["pattern"] =
        json!({"type": "string", "maxLength": 2});
    normalize(&mut s).unwrap();
    assert_eq!(
        s.pointer("/paths/~1x~1{id}/get/parameters/0/schema")
            .unwrap(),
        &json!({"type": "string"})
    );
    // A property named `pattern` survives; its constraint does not.
    assert_eq!(
        s["components"]["schemas"]["User"]["properties"]["pattern"],
        json!({"type": "string"})
    );
}

#[test]
fn request_defaults_are_removed_and_response_defaults_kept() {
    let mut s = spec(json!({
        "/settings": {"patch": {
            "operationId": "UpdateSettings",
            "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "boolean", "default": false}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "restricted": {"type": "boolean", "default": false, "nullable": true},
                    "scopes": {"type": "string", "default": "profile email"},
                    "nested": {"type": "object", "properties": {"notify": {"type": "boolean", "default": true}}},
                    "hasher": {"$ref": "#/components/schemas/Hasher"},
                    "default": {"type": "string"}
                }
            }}}},
            "responses": {"200": ok("Settings")}
        }}
    }));
    s["components"]["schemas"]["Hasher"] =
        json!({"type": "object", "properties": {"rounds": {"type": "integer", "default": 10}}});
    s["components"]["schemas"]["Settings"] = json!({"type": "object", "properties": {"restricted": {"type": "boolean", "default": false}}});
    let report = normalize(&mut s).unwrap();
    let body = s
        .pointer("/paths/~1settings/patch/requestBody/content/application~1json/schema/properties")
        .unwrap();
    assert!(body["restricted"].get("default").is_none());
    assert_eq!(
        body["restricted"]["nullable"], true,
        "only the default goes"
    );
    assert!(body["scopes"].get("default").is_none());
    assert!(
        body["nested"]["properties"]["notify"]
            .get("default")
            .is_none()
    );
    // A property named `default` is a property, not a keyword.
    assert_eq!(body["default"], json!({"type": "string"}));
    assert!(
        s.pointer("/paths/~1settings/patch/parameters/0/schema/default")
            .is_none()
    );
    assert!(
        s["components"]["schemas"]["Hasher"]["properties"]["rounds"]
            .get("default")
            .is_none()
    );
    // Responses keep theirs.
    assert_eq!(
        s["components"]["schemas"]["Settings"]["properties"]["restricted"]["default"],
        false
    );
    let mut fields: Vec<String> = report
        .log
        .unset_defaults
        .iter()
        .map(|(owner, field, _)| format!("{owner} {field}"))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "Hasher rounds",
            "UpdateSettings body.nested.notify",
            "UpdateSettings body.restricted",
            "UpdateSettings body.scopes",
            "UpdateSettings query dry_run"
        ]
    );
}

#[test]
fn query_styles_are_recorded_and_unsupported_ones_warned_about() {
    let array = json!({"type": "array", "items": {"type": "string"}});
    let mut s = spec(json!({"/domains": {"get": {
        "operationId": "ListDomains",
        "parameters": [
            {"name": "exploded", "in": "query", "schema": array},
            {"name": "mode", "in": "query", "style": "form", "explode": false, "schema": array},
            {"name": "spaced", "in": "query", "style": "spaceDelimited", "schema": array},
            {"name": "piped", "in": "query", "style": "pipeDelimited", "explode": false, "schema": array},
            {"name": "filter", "in": "query", "style": "deepObject", "explode": true,
             "schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
            {"name": "scalar", "in": "query", "style": "form", "explode": false, "schema": {"type": "string"}}
        ],
        "responses": {"200": ok("User")}
    }}}));
    let report = normalize(&mut s).unwrap();
    let styles: Vec<(&str, char)> = report
        .found
        .query_styles
        .iter()
        .map(|q| (q.name.as_str(), q.separator))
        .collect();
    assert_eq!(styles, [("mode", ','), ("spaced", ' '), ("piped", '|')]);
    assert!(
        report
            .found
            .query_styles
            .iter()
            .all(|q| q.operation_id == "ListDomains")
    );
    assert_eq!(report.log.warnings.len(), 1, "{:?}", report.log.warnings);
    assert!(
        report.log.warnings[0].contains("`ListDomains`")
            && report.log.warnings[0].contains("`filter`")
            && report.log.warnings[0].contains("deepObject"),
        "{}",
        report.log.warnings[0]
    );
}

#[test]
fn union_variants_keep_only_their_discriminators_closed() {
    let mut s = spec(
        json!({"/emails/{id}": {"get": {"operationId": "GetEmail", "responses": {"200": ok("Email")}}}}),
    );
    let schemas = s["components"]["schemas"].as_object_mut().unwrap();
    schemas.insert(
        "Email".into(),
        json!({"type": "object", "properties": {"verification": {
            "nullable": true,
            "oneOf": [{"$ref": "#/components/schemas/Otp"}, {"$ref": "#/components/schemas/Admin"}]
        }}}),
    );
    schemas.insert(
        "Otp".into(),
        json!({"type": "object", "properties": {
            "status": {"type": "string", "enum": ["unverified", "verified"]},
            "strategy": {"type": "string", "enum": ["email_code", "phone_code"]}
        }}),
    );
    schemas.insert(
        "Admin".into(),
        json!({"type": "object", "properties": {
            "status": {"type": "string", "enum": ["verified"]},
            "strategy": {"type": "string", "enum": ["admin"]}
        }}),
    );
    normalize(&mut s).unwrap();
    for variant in ["Otp", "Admin"] {
        let props = &s["components"]["schemas"][variant]["properties"];
        assert!(
            props["strategy"].get("enum").is_some(),
            "{variant}: strategy stays closed"
        );
        assert!(
            props["status"].get("oneOf").is_some(),
            "{variant}: status is opened"
        );
    }
}

#[test]
fn the_pass_registry_lists_each_pass_once_with_its_scope_and_direction() {
    use normalize::{Direction, PASSES, Scope};
    let names: Vec<&str> = PASSES.iter().map(|p| p.name).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    // The shape check runs first: later passes index the document freely.
    assert_eq!(names[0], "check_shape");
    // Inbound schema passes are the ones webhook payloads go through.
    let inbound: Vec<&str> = PASSES
        .iter()
        .filter(|p| p.scope == Scope::Schemas && p.direction != Direction::Outbound)
        .map(|p| p.name)
        .collect();
    assert_eq!(
        inbound,
        [
            "open_objects",
            "drop_format_constraints",
            "forward_compatible_responses",
            "absent_as_empty"
        ]
    );
    // Forward compatibility decides which schemas requests share before
    // request defaults are removed from those.
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(at("forward_compatible_responses") < at("unset_request_defaults"));
    // Absent values come after enums are opened (an open enum's is `""`).
    assert!(at("forward_compatible_responses") < at("absent_as_empty"));
    assert!(at("extract_multipart") < at("prefer_json_bodies"));
}

#[test]
fn each_pass_is_one_file_of_build_normalize() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("build/normalize");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        // The registry, the report, and what the inbound passes share.
        .filter(|f| !["mod", "report", "discriminators", "inbound"].contains(&f.as_str()))
        .collect();
    files.sort();
    let mut names: Vec<String> = normalize::PASSES
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    names.sort();
    assert_eq!(files, names);
}

#[test]
fn absent_required_scalars_of_inbound_schemas_decode_as_empty() {
    let mut s = spec(json!({
        "/things/{id}": {"get": {"operationId": "GetThing", "responses": {"200": ok("Thing")}}},
        "/count": {"get": {"operationId": "GetCount", "responses": {
            "200": {"description": "inline", "content": {"application/json": {"schema": {
                "type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}
            }}}}
        }}},
        "/things": {"post": {
            "operationId": "CreateThing",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
            "responses": {"200": ok("Thing")}
        }}
    }));
    let schemas = s["components"]["schemas"].as_object_mut().unwrap();
    schemas.insert("Thing".into(), json!({
        "type": "object",
        "required": ["name", "count", "ratio", "flag", "status", "when", "kind", "nested", "items", "given", "either"],
        "properties": {
            "name": {"type": "string"},
            "count": {"type": "integer", "format": "int64"},
            "ratio": {"type": "number"},
            "flag": {"type": "boolean"},
            "status": {"type": "string", "enum": ["active"]},
            "when": {"type": "string", "format": "date-time"},
            "kind": {"$ref": "#/components/schemas/Kind"},
            "given": {"type": "integer", "default": 7},
            "nested": {"type": "object", "required": ["inner"], "properties": {"inner": {"type": "string"}}},
            "items": {"type": "array", "items": {"type": "object", "required": ["at"], "properties": {"at": {"type": "integer"}}}},
            "either": {"oneOf": [{"$ref": "#/components/schemas/Left"}, {"$ref": "#/components/schemas/Right"}]}
        }
    }));
    schemas.insert("Kind".into(), json!({"type": "string"}));
    schemas.insert(
        "Left".into(),
        json!({"type": "object", "required": ["left"], "properties": {"left": {"type": "string"}}}),
    );
    schemas.insert("Right".into(), json!({"type": "object", "required": ["right"], "properties": {"right": {"type": "string"}}}));
    schemas.insert(
        "Input".into(),
        json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}),
    );
    let report = normalize(&mut s).unwrap();
    let thing = &s["components"]["schemas"]["Thing"];
    let default = |p: &str| thing["properties"][p].get("default").cloned();
    assert_eq!(default("name"), Some(json!("")));
    assert_eq!(default("count"), Some(json!(0)));
    assert_eq!(default("ratio"), Some(json!(0.0)));
    assert_eq!(default("flag"), Some(json!(false)));
    // An open enum's empty value is its unknown variant's `""`.
    assert_eq!(default("status"), Some(json!("")));
    // A reference was made optional already (`forward_compatible_responses`).
    assert_eq!(default("kind"), None);
    // A string typify types (a date) has no empty value; a spec default is kept.
    assert_eq!(default("when"), None);
    assert_eq!(default("given"), Some(json!(7)));
    assert_eq!(thing["required"], json!(["given", "when"]));
    // Inline objects too, in properties and array items.
    assert_eq!(
        thing["properties"]["nested"]["properties"]["inner"]["default"],
        ""
    );
    assert_eq!(
        thing["properties"]["items"]["items"]["properties"]["at"]["default"],
        0
    );
    // An inline response schema too.
    let inline = s
        .pointer("/paths/~1count/get/responses/200/content/application~1json/schema")
        .unwrap();
    assert_eq!(inline["properties"]["count"]["default"], 0);
    assert_eq!(inline.get("required"), None);
    // A union's variants keep what tells them apart.
    assert_eq!(
        s["components"]["schemas"]["Left"]["required"],
        json!(["left"])
    );
    assert_eq!(
        s["components"]["schemas"]["Right"]["required"],
        json!(["right"])
    );
    // What requests use stays as strict as the spec says.
    assert_eq!(
        s["components"]["schemas"]["Input"]["required"],
        json!(["name"])
    );
    assert!(
        s["components"]["schemas"]["Input"]["properties"]["name"]
            .get("default")
            .is_none()
    );
    assert_eq!(report.log.compat.absent_as_empty, 8);
}

/// typify merges the declarations an `allOf`'s parts make of one property
/// and drops their defaults: such a property stays required, so its field
/// keeps its type.
#[test]
fn a_property_two_all_of_parts_declare_stays_required() {
    let mut s = spec(json!({
        "/a": {"get": {"operationId": "GetA", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"status": {"type": "string", "enum": ["revoked"]}}}
            ]}}}}}}},
        "/b": {"get": {"operationId": "GetB", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"$ref": "#/components/schemas/Other"}
            ]}}}}}}}
    }));
    let schemas = s["components"]["schemas"].as_object_mut().unwrap();
    schemas.insert(
        "Base".into(),
        json!({"type": "object", "required": ["status", "name"], "properties": {
            "status": {"type": "string"}, "name": {"type": "string"}
        }}),
    );
    schemas.insert(
        "Other".into(),
        json!({"type": "object", "properties": {"status": {"type": "string"}}}),
    );
    normalize(&mut s).unwrap();
    // Base alone: both absent-as-empty.
    assert_eq!(s["components"]["schemas"]["Base"].get("required"), None);
    // In the compositions, `status` (declared twice) is required again.
    let schema = |path: &str| {
        s.pointer(&format!(
            "/paths/~1{path}/get/responses/200/content/application~1json/schema/allOf"
        ))
        .unwrap()
        .clone()
    };
    assert_eq!(schema("a")[1]["required"], json!(["status"]));
    assert_eq!(
        schema("b")[2],
        json!({"type": "object", "required": ["status"]})
    );
}

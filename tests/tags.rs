//! The API-area features (`build/tags.rs`): which operations and components
//! a selection keeps, and that `Cargo.toml` declares a feature for every tag
//! of Clerk's specs. The module is compiled here directly, as build.rs
//! compiles it.

#[path = "../build/tags.rs"]
mod tags;

use serde_json::{Value, json};
use std::path::Path;

fn op(id: &str, tags: &[&str], schema: &str) -> Value {
    json!({
        "operationId": id,
        "tags": tags,
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{schema}")}
        }}}}
    })
}

fn spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "v1"},
        "paths": {
            "/users": {
                "parameters": [{"$ref": "#/components/parameters/Limit"}],
                "get": op("GetUserList", &["Users"], "Users"),
                "post": op("CreateOrganizationForUser", &["Organizations"], "Organization"),
            },
            "/organizations": {"get": op("ListOrganizations", &["Organizations"], "Organization")},
            "/organizations/{id}/domains/{domain}": {
                "patch": op("UpdateOrganizationDomain", &["Organization Domain"], "Domain")
            },
            "/machines": {"get": op("ListMachines", &["Shiny New Area"], "Machine")},
            "/misc": {"get": op("Untagged", &[], "Machine")},
            "/both": {"get": op("Both", &["Users", "Organizations"], "Both")},
        },
        "components": {
            "schemas": {
                "Users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
                "User": {"type": "object", "properties": {"image": {"$ref": "#/components/schemas/Image"}}},
                "Image": {"type": "object"},
                "Organization": {"type": "object"},
                "Domain": {"type": "object"},
                "Machine": {"type": "object"},
                "Both": {"type": "object"},
                "Orphan": {"type": "object"},
                "Cyclic": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Cyclic"}}},
            },
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                "Unused": {"name": "x", "in": "query", "schema": {"type": "integer"}},
            },
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        }
    })
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

#[test]
fn tags_become_feature_names() {
    assert_eq!(tags::slug("Users"), "users");
    assert_eq!(
        tags::slug("Allow-list / Block-list"),
        "allow-list-block-list"
    );
    assert_eq!(tags::slug("Email & SMS Templates"), "email-sms-templates");
    assert_eq!(tags::slug("M2M Tokens"), "m2m-tokens");
    assert_eq!(tags::slug("Sign Ups"), "sign-ups");
    assert_eq!(tags::feature_of("Sign-ups"), Some("sign-ups"));
    assert_eq!(tags::feature_of("Proxy checks"), Some("proxy-checks"));
    assert_eq!(
        tags::feature_of("Organization Domain"),
        Some("organization-domains")
    );
    assert_eq!(tags::feature_of("Shiny New Area"), None);
    assert_eq!(
        tags::feature_env("allow-list-block-list"),
        "CARGO_FEATURE_ALLOW_LIST_BLOCK_LIST"
    );
}

#[test]
fn one_area_keeps_its_operations_new_areas_and_what_they_reach() {
    let mut s = spec();
    let selection = tags::select(&mut s, |f| f == "users");
    assert_eq!(selection.kept_operations, 4);
    assert_eq!(selection.dropped_operations, 3);
    // Organizations' and the org-domain path are gone; /users keeps its GET
    // and its path-level parameters.
    assert_eq!(keys(&s["paths"]), ["/both", "/machines", "/misc", "/users"]);
    assert_eq!(keys(&s["paths"]["/users"]), ["get", "parameters"]);
    // Reached through a response, an array's items and a property; the
    // untagged and new-area operations keep Machine.
    assert_eq!(
        keys(&s["components"]["schemas"]),
        ["Both", "Image", "Machine", "User", "Users"]
    );
    assert_eq!(keys(&s["components"]["parameters"]), ["Limit"]);
    assert_eq!(keys(&s["components"]["securitySchemes"]), ["bearerAuth"]);
    // Organization, Domain, Orphan, Cyclic and the unused parameter.
    assert_eq!(selection.dropped_components, 5);
}

#[test]
fn every_area_enabled_leaves_the_spec_untouched() {
    let mut s = spec();
    let selection = tags::select(&mut s, |_| true);
    assert_eq!(s, spec());
    assert_eq!(selection.kept_operations, 7);
    assert_eq!(selection.dropped_components, 0);
}

#[test]
fn no_area_keeps_only_untagged_and_unknown_areas() {
    let mut s = spec();
    let selection = tags::select(&mut s, |_| false);
    assert_eq!(keys(&s["paths"]), ["/machines", "/misc"]);
    assert_eq!(keys(&s["components"]["schemas"]), ["Machine"]);
    assert_eq!(selection.kept_operations, 2);
}

/// The `[features]` table of Cargo.toml: name -> the list it enables.
fn cargo_features() -> Vec<(String, String)> {
    let toml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let section = toml.split("\n[features]\n").nth(1).unwrap();
    let section = section.split("\n[").next().unwrap();
    let mut features = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in section.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if let Some((name, rest)) = line.split_once(" = ") {
            features.extend(current.take());
            current = Some((name.trim().to_string(), rest.to_string()));
        } else if let Some((_, list)) = &mut current {
            list.push_str(line);
        }
    }
    features.extend(current);
    features
}

#[test]
fn cargo_toml_declares_every_area_and_enables_all_by_default() {
    let features = cargo_features();
    let list = |name: &str| {
        features
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| panic!("Cargo.toml has no feature `{name}`"))
    };
    assert!(list("default").contains("\"all-apis\""));
    let all = list("all-apis");
    for feature in tags::FEATURES {
        assert_eq!(list(feature), "[]", "`{feature}` enables nothing else");
        assert!(
            all.contains(&format!("\"{feature}\"")),
            "all-apis lacks `{feature}`"
        );
    }
}

/// Every tag of the vendored spec and of Clerk's reference specs has a
/// feature, so a build with some areas can leave each of them out.
#[test]
fn every_tag_of_clerks_specs_has_a_feature() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut specs = vec![root.join("openapi/clerk.yaml")];
    let reference = root.join("../shared/clerk/reference");
    match std::fs::read_dir(&reference) {
        Ok(dir) => specs.extend(
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml")),
        ),
        Err(_) => println!(
            "skipping Clerk's reference specs: {} is absent",
            reference.display()
        ),
    }
    for path in specs {
        let spec: Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // Webhook specs (`x-webhooks`) have no operations.
        let Some(paths) = spec["paths"].as_object() else {
            continue;
        };
        for item in paths.values() {
            for op in item.as_object().unwrap().values() {
                for tag in op["tags"].as_array().into_iter().flatten() {
                    let tag = tag.as_str().unwrap();
                    assert!(
                        tags::feature_of(tag).is_some(),
                        "{}: tag {tag:?} has no feature",
                        path.display()
                    );
                }
            }
        }
    }
}

//! `openapi/clerk.yaml` against Clerk's official spec of API version
//! 2026-05-12 (`../shared/clerk/reference/`): the wire facts must be the
//! same, and the prose must be ours. Every difference is named; the tests
//! skip (saying so) where the reference folder is absent, as on a fresh
//! clone without `shared/`.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const REFERENCE: &str = "reference/bapi-2026-05-12.yml";
/// The API version the vendored spec describes.
const VERSION: &str = "2026-05-12";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shared() -> Option<PathBuf> {
    let dir = crate_dir().join("../shared/clerk");
    if dir.join(REFERENCE).exists() {
        Some(dir)
    } else {
        println!("SKIPPED: ../shared/clerk/reference is absent, nothing to compare against");
        None
    }
}

#[test]
fn vendored_spec_parses_as_openapi_3_0_3() {
    let text = std::fs::read_to_string(crate_dir().join("openapi/clerk.yaml")).unwrap();
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(&text).expect("valid OpenAPI 3.0");
    assert_eq!(spec.openapi, "3.0.3");
    assert_eq!(spec.info.version, VERSION);
    assert_eq!(spec.servers[0].url, "https://api.clerk.com/v1");
    // Clerk's 249, and VerifySession, which this version dropped.
    assert_eq!(spec.operations().count(), 250);
    let schemes = &spec.components.as_ref().unwrap().security_schemes;
    assert!(schemes.contains_key("bearerAuth"));
    // Every operation is documented in our words.
    for (path, method, op) in spec.operations() {
        assert!(
            op.summary.as_deref().is_some_and(|s| !s.is_empty()),
            "{method} {path}: no summary"
        );
        assert!(
            op.description.as_deref().is_some_and(|s| !s.is_empty()),
            "{method} {path}: no description"
        );
    }
}

/// Follow `$ref`s within `doc`.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") && !r.starts_with("#/components/schemas/") => {
                let pointer = r.trim_start_matches('#');
                match doc.pointer(pointer) {
                    Some(t) => v = t,
                    None => break,
                }
            }
            _ => break,
        }
    }
    v
}

fn str_set(v: Option<&Value>) -> BTreeSet<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default()
}

/// Compare the schema `theirs` (at `at`) with `ours`, recursively: type,
/// format, nullable, `$ref`, required set, enum values (ours may have more),
/// and every property, item and composed schema.
fn compare_schema(at: &str, ours: Option<&Value>, theirs: &Value, diffs: &mut Vec<String>) {
    let Some(ours) = ours else {
        diffs.push(format!("{at}: missing"));
        return;
    };
    for key in ["type", "format", "$ref", "additionalProperties"] {
        let (a, b) = (ours.get(key), theirs.get(key));
        if key == "additionalProperties"
            && (a.is_some_and(Value::is_object) || b.is_some_and(Value::is_object))
        {
            continue;
        }
        if a != b {
            diffs.push(format!("{at}: {key} is {a:?}, reference has {b:?}"));
        }
    }
    let nullable = |v: &Value| v.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    if nullable(ours) != nullable(theirs) {
        diffs.push(format!(
            "{at}: nullable is {}, reference has {}",
            nullable(ours),
            nullable(theirs)
        ));
    }
    let (req_o, req_t) = (
        str_set(ours.get("required")),
        str_set(theirs.get("required")),
    );
    if req_o != req_t {
        diffs.push(format!(
            "{at}: required is {req_o:?}, reference has {req_t:?}"
        ));
    }
    let (enum_o, enum_t) = (str_set(ours.get("enum")), str_set(theirs.get("enum")));
    let lacking: Vec<_> = enum_t.difference(&enum_o).collect();
    if !lacking.is_empty() {
        diffs.push(format!("{at}: enum lacks {lacking:?}"));
    }
    if let Some(props) = theirs.get("properties").and_then(Value::as_object) {
        for (name, t) in props {
            let o = ours.get("properties").and_then(|p| p.get(name));
            compare_schema(&format!("{at}.{name}"), o, t, diffs);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(t) = theirs.get(key).filter(|t| t.is_object()) {
            compare_schema(&format!("{at}.{key}"), ours.get(key), t, diffs);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = theirs.get(key).and_then(Value::as_array) {
            for (i, t) in list.iter().enumerate() {
                let o = ours.get(key).and_then(|l| l.get(i));
                compare_schema(&format!("{at}.{key}[{i}]"), o, t, diffs);
            }
        }
    }
}

fn parameters<'a>(doc: &'a Value, path_item: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = Vec::new();
    for list in [op.get("parameters"), path_item.get("parameters")] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let p = resolve(doc, p);
            if !out
                .iter()
                .any(|q| q.get("name") == p.get("name") && q.get("in") == p.get("in"))
            {
                out.push(p);
            }
        }
    }
    out
}

fn media_schema<'a>(doc: &'a Value, holder: &'a Value) -> Vec<(String, &'a Value)> {
    let holder = resolve(doc, holder);
    holder
        .get("content")
        .and_then(Value::as_object)
        .map(|c| {
            c.iter()
                .filter_map(|(k, mt)| mt.get("schema").map(|s| (k.clone(), s)))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn vendored_spec_matches_clerks_wire_format() {
    let Some(shared) = shared() else { return };
    let ours = load(&crate_dir().join("openapi/clerk.yaml"));
    let theirs = load(&shared.join(REFERENCE));
    let tsv = std::fs::read_to_string(shared.join("operations.tsv")).unwrap();
    let mut diffs = Vec::new();
    let mut listed = 0;

    // Every operation of the catalog the crate started from is still
    // callable, at its path (VerifySession through its pinned version).
    for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (method, path, id) = (cols[0].to_lowercase(), cols[1], cols[2]);
        if cols.get(4) != Some(&"Y") {
            continue;
        }
        listed += 1;
        let at = format!("{} {path} ({id})", method.to_uppercase());
        let Some(op) = ours.pointer(&format!(
            "/paths/{}/{method}",
            path.replace('~', "~0").replace('/', "~1")
        )) else {
            diffs.push(format!("{at}: operation missing"));
            continue;
        };
        if op.get("operationId").and_then(Value::as_str) != Some(id) {
            diffs.push(format!("{at}: operationId is {:?}", op.get("operationId")));
        }
    }
    assert_eq!(listed, 109, "operations.tsv marks 109 catalog operations");

    // Operations Clerk's spec does not have are kept only pinned to a
    // version that has them.
    for (path, item) in ours["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            if theirs["paths"][path].get(method).is_none()
                && op.get("x-clerk-api-version").is_none()
            {
                diffs.push(format!(
                    "{} {path}: not in Clerk's spec, and not pinned",
                    method.to_uppercase()
                ));
            }
        }
    }

    let paths = theirs["paths"].as_object().unwrap();
    for (path, item) in paths {
        for method in METHODS {
            let Some(t_op) = item.get(method) else {
                continue;
            };
            let id = t_op["operationId"].as_str().unwrap_or("?");
            let at = format!("{} {path} ({id})", method.to_uppercase());
            let o_item = &ours["paths"][path];
            let Some(o_op) = o_item.get(method) else {
                diffs.push(format!("{at}: operation missing"));
                continue;
            };
            if t_op.get("deprecated") != o_op.get("deprecated") {
                diffs.push(format!("{at}: deprecated flag differs"));
            }
            if t_op.get("tags").and_then(|t| t.get(0)) != o_op.get("tags").and_then(|t| t.get(0)) {
                diffs.push(format!("{at}: tag differs"));
            }
            let o_params = parameters(&ours, o_item, o_op);
            for tp in parameters(&theirs, item, t_op) {
                let name = tp["name"].as_str().unwrap_or("?");
                let Some(op_) = o_params
                    .iter()
                    .find(|q| q.get("name") == tp.get("name") && q.get("in") == tp.get("in"))
                else {
                    diffs.push(format!("{at}: parameter {name} ({}) missing", tp["in"]));
                    continue;
                };
                let req = |v: &Value| v.get("required").and_then(Value::as_bool).unwrap_or(false);
                if req(op_) != req(tp) {
                    diffs.push(format!("{at}: parameter {name}: required is {}", req(op_)));
                }
                compare_schema(
                    &format!("{at} parameter {name}"),
                    op_.get("schema"),
                    &tp["schema"],
                    &mut diffs,
                );
            }
            if let Some(t_body) = t_op.get("requestBody") {
                match o_op.get("requestBody") {
                    None => diffs.push(format!("{at}: request body missing")),
                    Some(o_body) => {
                        let o_media = media_schema(&ours, o_body);
                        for (mt, ts) in media_schema(&theirs, t_body) {
                            let os = o_media.iter().find(|(m, _)| *m == mt).map(|(_, s)| *s);
                            compare_schema(&format!("{at} body {mt}"), os, ts, &mut diffs);
                        }
                    }
                }
            }
            let t_resp = t_op
                .get("responses")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (code, tr) in &t_resp {
                let Some(or) = o_op.get("responses").and_then(|r| r.get(code)) else {
                    diffs.push(format!("{at}: response {code} missing"));
                    continue;
                };
                let o_media = media_schema(&ours, or);
                for (mt, ts) in media_schema(&theirs, tr) {
                    let os = o_media.iter().find(|(m, _)| *m == mt).map(|(_, s)| *s);
                    compare_schema(&format!("{at} response {code} {mt}"), os, ts, &mut diffs);
                }
            }
        }
    }
    for (name, ts) in theirs["components"]["schemas"].as_object().unwrap() {
        compare_schema(
            &format!("schema {name}"),
            ours["components"]["schemas"].get(name),
            ts,
            &mut diffs,
        );
    }
    assert!(
        diffs.is_empty(),
        "{} differences from Clerk's spec:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// Whitespace and punctuation aside, `ours` says what `theirs` says.
fn same_words(ours: Option<&Value>, theirs: Option<&Value>) -> bool {
    let words = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .unwrap_or("")
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let (o, t) = (words(ours), words(theirs));
    // Short phrases ("Delete a user") are bound to coincide.
    o.len() >= 8 && o == t
}

/// Every description, summary and tag text is ours: none repeats Clerk's
/// at the same place.
#[test]
fn vendored_prose_is_our_own() {
    let Some(shared) = shared() else { return };
    let ours = load(&crate_dir().join("openapi/clerk.yaml"));
    let theirs = load(&shared.join(REFERENCE));
    let mut same = Vec::new();
    let mut check = |at: String, o: &Value, t: &Value, key: &str| {
        if same_words(o.get(key), t.get(key)) {
            same.push(format!("{at}: {key}"));
        }
    };
    check("info".into(), &ours["info"], &theirs["info"], "description");
    for (path, item) in ours["paths"].as_object().unwrap() {
        for method in METHODS {
            let (Some(o), Some(t)) = (item.get(method), theirs["paths"][path].get(method)) else {
                continue;
            };
            let at = format!("{} {path}", method.to_uppercase());
            check(at.clone(), o, t, "summary");
            check(at.clone(), o, t, "description");
            for op in o["parameters"].as_array().into_iter().flatten() {
                let name = &op["name"];
                let tp = t["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|p| &p["name"] == name);
                check(
                    format!("{at} parameter {name}"),
                    op,
                    tp.unwrap_or(&Value::Null),
                    "description",
                );
            }
        }
    }
    for (name, o) in ours["components"]["schemas"].as_object().unwrap() {
        let t = &theirs["components"]["schemas"][name];
        check(format!("schema {name}"), o, t, "description");
        for (prop, op) in o["properties"].as_object().into_iter().flatten() {
            check(
                format!("schema {name}.{prop}"),
                op,
                &t["properties"][prop],
                "description",
            );
        }
    }
    for tag in ours["tags"].as_array().into_iter().flatten() {
        let t = theirs["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["name"] == tag["name"]);
        check(
            format!("tag {}", tag["name"]),
            tag,
            t.unwrap_or(&Value::Null),
            "description",
        );
    }
    assert!(
        same.is_empty(),
        "{} texts are Clerk's, not ours:\n{}",
        same.len(),
        same.join("\n")
    );
}

#[test]
fn prose_comparison_tells_ours_from_theirs() {
    let t = serde_json::json!("Returns the users of the instance, newest first, in pages.");
    assert!(same_words(
        Some(&serde_json::json!(
            "returns the users of the instance -- newest first, in pages"
        )),
        Some(&t)
    ));
    assert!(!same_words(
        Some(&serde_json::json!(
            "Lists users, most recent first, page by page."
        )),
        Some(&t)
    ));
    assert!(!same_words(
        Some(&serde_json::json!("Delete a user")),
        Some(&serde_json::json!("Delete a user"))
    ));
}

#[test]
fn comparison_names_each_difference() {
    // The comparison itself must catch changes: a fragment with a changed
    // type, a dropped property, a lost enum value and a flipped nullable.
    let theirs: Value = serde_json::json!({
        "type": "object", "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "n": {"type": "integer", "nullable": true},
            "s": {"type": "string", "enum": ["a", "b"]},
            "gone": {"type": "boolean"}
        }
    });
    let ours: Value = serde_json::json!({
        "type": "object", "required": ["id"],
        "properties": {
            "id": {"type": "number"},
            "n": {"type": "integer"},
            "s": {"type": "string", "enum": ["a", "c"]}
        }
    });
    let mut diffs = Vec::new();
    compare_schema("X", Some(&ours), &theirs, &mut diffs);
    let text = diffs.join("\n");
    assert_eq!(diffs.len(), 4, "{text}");
    for needle in [
        "X.id: type",
        "X.n: nullable",
        "X.s: enum lacks",
        "X.gone: missing",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
}

//! `build/yaml.rs`, the build's YAML reader, side by side with `serde_yaml`
//! (a full YAML library): the same `serde_json::Value` for every spec in
//! the repository, Clerk's reference specs and a set of YAML forms; an
//! error naming the line, never a panic, for what it does not read. The
//! module is compiled here directly, as build.rs compiles it.

#[path = "../build/yaml.rs"]
mod yaml;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn same_as_serde_yaml(text: &str, what: &str) {
    let theirs: Value =
        serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{what}: serde_yaml: {e}"));
    let ours = yaml::parse(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    if ours != theirs {
        let (a, b) = (ours.to_string(), theirs.to_string());
        let at = a
            .bytes()
            .zip(b.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let from = at.saturating_sub(120);
        panic!(
            "{what}: differs at byte {at}\n ours: {}\nserde_yaml: {}",
            &a[from..(at + 120).min(a.len())],
            &b[from..(at + 120).min(b.len())]
        );
    }
}

fn specs_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

fn all_same_as_serde_yaml(files: &[PathBuf]) {
    for f in files {
        same_as_serde_yaml(
            &std::fs::read_to_string(f).unwrap(),
            &f.display().to_string(),
        );
    }
}

#[test]
fn the_vendored_specs_read_as_serde_yaml_reads_them() {
    let files = specs_in(&crate_dir().join("openapi"));
    assert!(files.len() >= 2);
    all_same_as_serde_yaml(&files);
}

#[test]
fn clerks_reference_specs_read_as_serde_yaml_reads_them() {
    let dir = crate_dir().join("../shared/clerk/reference");
    if !dir.is_dir() {
        println!("SKIPPED: ../shared/clerk/reference is absent, nothing to compare against");
        return;
    }
    let files = specs_in(&dir);
    assert!(!files.is_empty());
    all_same_as_serde_yaml(&files);
}

#[test]
fn yaml_forms_read_as_serde_yaml_reads_them() {
    let cases = [
        // Scalars and their types.
        "a: 1\nb: -2\nc: 1.5\nd: 1e3\ne: true\nf: False\ng: null\nh: ~\ni:\nj: '1'\nk: \"x\"\n",
        "a: 0x1F\nb: 0o17\nc: 0b101\nd: 012\ne: -007\nf: +5\ng: .inf\nh: -.inf\ni: .nan\nj: 3.0.3\nk: 2026-05-12\n",
        "a: 18446744073709551615\nb: -9223372036854775808\nc: 1_000\nd: +.5\ne: 1.\nf: yes\ng: 'null'\n",
        // Keys.
        "'200':\n  x: 1\n\"a b\": 2\n404: 3\ntrue: 4\n/users/{id}: 5\nx-a:b: 6\n",
        // Comments and document markers.
        "# top\n---\na: 1 # trailing\n# between\nb: 'x # not a comment'\nc: x#y\n...\n",
        // Lists: at and under the key's indentation, compact maps, nested.
        "a:\n- 1\n- two\nb:\n  - x: 1\n    y: 2\n  - - 3\n    - 4\n  -\n    z: 5\n  -\n",
        "- a\n- b: c\n  d: e\n- [1, 2]\n",
        // Multi-line plain and quoted scalars.
        "a: one\n  two\n\n  three\nb: x\n",
        "a: 'it''s\n  folded\n\n  here'\nb: \"esc\\t\\u00e9\\x41\n  line\\\n  joined\"\n",
        // Block scalars.
        "a: |\n  line 1\n\n  line 2\n    indented\nb: |-\n  x\n\n\nc: |+\n  y\n\n\nd: >\n  folded\n  text\n\n  para\n    more\n  back\ne: >-\n  z\n",
        "a: |2\n   leading space\n  b\nb: |\n\n  after blank\nc: |\n  # not a comment\n  x\n# a comment\nd: 1\n",
        "- |\n  in a list\n- >\n  folded in\n  a list\n",
        // Flow collections.
        "a: []\nb: {}\nc: [1, 'two', \"three\", {x: 1, 'y': [2]}]\nd: {a: 1, b: , c}\ne: [\n  1,\n  2 # c\n]\nf: [a, b,]\n",
        "a: [http://x/y, 'q,r']\nb: {url: http://h:8080/p}\n",
        // Windows line ends, a byte-order mark, no final newline.
        "a: 1\r\nb:\r\n  c: |\r\n    d\r\n",
        "a: b",
    ];
    for (i, case) in cases.iter().enumerate() {
        same_as_serde_yaml(case, &format!("case {i}: {case:?}"));
    }
}

#[test]
fn json_reads_as_json() {
    let text =
        r#"{"openapi": "3.0.3", "paths": {"/x": {"get": {"responses": {}}}}, "n": [1, 2.5, null]}"#;
    let value = yaml::parse(text).unwrap();
    assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
    // A byte-order mark is skipped (serde_yaml reads it as a document).
    assert_eq!(
        yaml::parse("\u{feff}a: 1\n").unwrap(),
        serde_json::json!({"a": 1})
    );
}

#[test]
fn what_it_does_not_read_is_an_error_naming_the_line() {
    let cases = [
        ("a: &x 1\nb: *x\n", "line 1", "anchors"),
        ("a:\n\tb: 1\n", "line 2", "tab"),
        ("a: 1\na: 2\n", "line 2", "twice"),
        ("a: 'open\nb: 1\n", "line 1", "not closed"),
        ("a: [1, 2\nb: 3\n", "line 1", "not closed"),
        ("a: !!str 1\n", "line 1", "tags"),
        ("? a\n: b\n", "line 1", "complex"),
        ("a: 1\n  b: 2\n", "line 2", "`: `"),
        ("a:\n  b: 1\n c: 2\n", "line 3", "indentation"),
        ("a: 1\n---\nb: 2\n", "line 2", "second document"),
        ("a: \"\\q\"\n", "line 1", "escape"),
        ("a: 'x' y\n", "line 1", "after a quoted"),
        ("a: [1 2] x\n", "line 1", "after a flow"),
        ("a: {x: 1]\n", "line 1", "expected `,`"),
        ("- a\nb: 1\n", "line 2", ""),
    ];
    for (text, line, what) in cases {
        match yaml::parse(text) {
            Ok(v) => panic!("{text:?} was read as {v}"),
            Err(e) => {
                assert!(e.starts_with(&format!("{line}:")), "{text:?}: {e}");
                assert!(e.contains(what), "{text:?}: {e}");
            }
        }
    }
}

#[test]
fn hostile_input_is_an_error_or_a_value_never_a_panic() {
    let pieces = [
        "a:", " ", "- ", "'", "\"", "[", "]", "{", "}", "|", ">", "#", "\n", "\\", ":", ",", "x",
        "\t", "-", "?",
    ];
    // Every sequence of up to three pieces.
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b}{c}\n  {c}{b}{a}");
                let _ = yaml::parse(&text);
            }
        }
    }
}

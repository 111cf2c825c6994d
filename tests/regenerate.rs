//! Drop-in regeneration: the crate built from Clerk's own v1-line specs
//! builds and passes its generated per-operation and forward-compatibility
//! tests: the newer one
//! (`../shared/clerk/reference/bapi-2021-02-05.v1-2026-08.yml`, about 205
//! operations) also a smoke test (`tests/regenerated.rs`), and the October
//! 2024 one (about 120 operations) as well; neither sends a
//! `Clerk-API-Version` (the generated tests check that),
//! with its webhook events generated from Clerk's own webhook spec
//! (`CLERK_WEBHOOK_SPEC`, `tests/webhooks.rs` run on that build); and a spec
//! that cannot be generated fails the build with a message that names the
//! operation (or, for a webhook spec, the event). Both build in this crate's own target directory:
//! every dependency is reused as the outer `cargo test` built it, and the
//! crate itself gets separate artifacts (a profile setting for this package
//! alone, see [`cargo`]), so the outer build's are left as they were.
//! Skipped, saying why, where `../shared` is absent.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn newer_spec() -> Option<PathBuf> {
    reference("bapi-2021-02-05.v1-2026-08.yml")
}

/// A file of `../shared/clerk/reference`, or `None` (saying so) when absent.
fn reference(name: &str) -> Option<PathBuf> {
    let spec = crate_dir().join("../shared/clerk/reference").join(name);
    if spec.exists() {
        Some(spec.canonicalize().unwrap())
    } else {
        println!("SKIPPED: {} is absent", spec.display());
        None
    }
}

/// `cargo <args> --all-features` on this crate, generated from `spec`.
///
/// The outer `cargo test` has released the target directory by the time
/// tests run, so this shares it. Dependencies build exactly as outside
/// (same features, same flags: `RUSTFLAGS` would rebuild them all), and
/// `tests/regenerated.rs` is switched on by a cfg the build script emits.
/// The crate's own units differ from the outer build's by their debug and
/// overflow-check settings (CI builds without debug info: the second keeps
/// them apart there too), which gives them their own file names: the outer
/// build's library, which the doctests link against later, is not
/// overwritten. What the nested build adds to the target directory is
/// removed once it has run.
fn cargo(spec: &Path, args: &[&str]) -> std::process::Output {
    cargo_with(spec, None, args)
}

/// The `test result` lines of a `cargo test` run, printed; fails with the
/// whole output unless the run succeeded with `binaries` test binaries.
fn results(spec: &Path, out: &std::process::Output, binaries: usize) -> Vec<String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let results: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("test result"))
        .map(str::to_string)
        .collect();
    println!("{}", results.join("\n"));
    assert!(
        out.status.success(),
        "building from {} failed:\n{stderr}\n{stdout}",
        spec.display()
    );
    assert_eq!(results.len(), binaries, "test binaries that ran:\n{stdout}");
    results
}

/// How many tests passed, from a `test result` line.
fn passed(result: &str) -> usize {
    result
        .split_whitespace()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// [`cargo`], with the webhook events generated from `webhook_spec`
/// (`CLERK_WEBHOOK_SPEC`) when given.
fn cargo_with(spec: &Path, webhook_spec: Option<&Path>, args: &[&str]) -> std::process::Output {
    // One nested build at a time (cargo would serialise them on the target
    // directory's lock anyway), so that what a build added is its own.
    let _one = NESTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dirs = ["deps", "build", ".fingerprint", "incremental"]
        .map(|d| target_dir().join("debug").join(d));
    let before = entries(&dirs);
    let out = nested_cargo(spec, webhook_spec, args);
    // The crate built from another spec and its test binaries are
    // throwaway: removed, so they do not stay on CI's disk.
    for added in entries(&dirs).difference(&before) {
        let _ = std::fs::remove_dir_all(added).or_else(|_| std::fs::remove_file(added));
    }
    out
}

static NESTED: Mutex<()> = Mutex::new(());

/// The target directory the nested builds share with the outer one.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => crate_dir().join(dir),
        None => crate_dir().join("target"),
    }
}

/// The entries of `dirs` (those that exist).
fn entries(dirs: &[PathBuf]) -> HashSet<PathBuf> {
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect()
}

fn nested_cargo(spec: &Path, webhook_spec: Option<&Path>, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    match webhook_spec {
        Some(w) => command.env("CLERK_WEBHOOK_SPEC", w),
        None => command.env_remove("CLERK_WEBHOOK_SPEC"),
    };
    command
        .args(args)
        .args([
            "--all-features",
            "--config",
            "profile.dev.package.clerk-backend.debug=false",
            "--config",
            "profile.dev.package.clerk-backend.overflow-checks=false",
        ])
        .current_dir(crate_dir())
        .env("CLERK_OPENAPI_SPEC", spec)
        .env("CLERK_REGEN_SMOKE", "1")
        .env_remove("CLERK_BUILD_VERBOSE")
        .output()
        .expect("cargo runs")
}

#[test]
fn a_newer_clerk_spec_builds_and_works() {
    let Some(spec) = newer_spec() else { return };
    // Clerk's own webhook spec too: its events typed beside the newer client
    // (where their schemas are the newer API's, as its types).
    let webhooks = spec.with_file_name("webhooks-2025-04-15.yml");
    let out = cargo_with(
        &spec,
        Some(&webhooks),
        &[
            "test",
            "--no-fail-fast",
            "--test",
            "regenerated",
            "--test",
            "operations",
            "--test",
            "compat",
            "--test",
            "webhooks",
        ],
    );
    let results = results(&spec, &out, 4);
    // The generated per-operation tests cover the newer spec's ~205 operations.
    assert!(passed(&results[1]) > 200, "{}", results[1]);
}

#[test]
fn the_october_2024_clerk_spec_builds_and_works() {
    let Some(spec) = reference("bapi-2021-02-05.v1-2024-10.yml") else {
        return;
    };
    let out = cargo(
        &spec,
        &[
            "test",
            "--no-fail-fast",
            "--test",
            "operations",
            "--test",
            "compat",
        ],
    );
    let results = results(&spec, &out, 2);
    // Two generated tests for each of its ~120 operations (the binaries
    // run in name order: compat, operations).
    assert!(passed(&results[1]) > 200, "{}", results[1]);
}

#[test]
fn a_spec_that_cannot_be_generated_fails_the_build_naming_the_operation() {
    if newer_spec().is_none() {
        return;
    }
    // A path parameter the path does not contain: progenitor panics on it.
    let bad = crate_dir().join("target/regen-bad-spec.yaml");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(
        &bad,
        r#"openapi: 3.0.3
info: {title: Broken, version: v1}
paths:
  /things:
    get:
      operationId: ListThings
      responses: {"200": {description: ok}}
  /things/{thing_id}:
    get:
      operationId: GetThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
"#,
    )
    .unwrap();
    // `test --no-run`, not `build`: the same dependency units as the outer
    // `cargo test` (dev-dependencies unify their features), so none is
    // rebuilt (a `build` rebuilt about 60 crates, twice, in CI).
    let out = cargo(&bad, &["test", "--no-run", "--lib"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a broken spec must not build");
    assert!(
        stderr.contains("clerk-backend could not generate its client"),
        "{stderr}"
    );
    assert!(stderr.contains("operation `GetThing`"), "{stderr}");
    assert!(
        !stderr.contains("operation `ListThings`"),
        "only the culprit is named:\n{stderr}"
    );
    assert!(
        !stderr.contains("stack backtrace"),
        "no backtrace:\n{stderr}"
    );
}

#[test]
fn a_bad_webhook_spec_fails_the_build_naming_the_event() {
    if newer_spec().is_none() {
        return;
    }
    // `data` of one event refers to a schema the document does not define.
    let bad = crate_dir().join("target/regen-bad-webhooks.yaml");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(
        &bad,
        r#"openapi: 3.0.3
info: {title: Broken, version: v1}
x-webhooks:
  user.created:
    post:
      requestBody:
        content:
          application/json:
            schema:
              allOf:
                - {$ref: '#/components/schemas/Envelope'}
                - properties: {data: {$ref: '#/components/schemas/Usr'}}
components:
  schemas:
    Envelope: {type: object, properties: {type: {type: string}}}
    User: {type: object, properties: {id: {type: string}}}
"#,
    )
    .unwrap();
    let api = crate_dir().join("openapi/clerk.yaml");
    let out = cargo_with(&api, Some(&bad), &["test", "--no-run", "--lib"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a broken webhook spec must not build"
    );
    assert!(
        stderr.contains("clerk-backend could not generate its client"),
        "{stderr}"
    );
    assert!(
        stderr.contains("regen-bad-webhooks.yaml: webhook event `user.created`: `data` refers to `#/components/schemas/Usr`"),
        "{stderr}"
    );
}

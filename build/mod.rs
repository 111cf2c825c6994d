//! Build-time code generation: load the spec, normalise it
//! (`normalize/`), generate the client with progenitor, generate the
//! multipart operations progenitor cannot take (`multipart.rs`), and write
//! the result to `OUT_DIR` for `src/generated.rs` to include.

mod compattests;
mod deserialize;
mod inline;
mod multipart;
mod names;
pub mod normalize;
mod openapi;
mod optests;
mod paginate;
mod parse;
mod prune;
mod query;
mod request;
mod rewrite;
mod routes;
mod samples;
mod send;
mod serialize;
mod string_enums;
mod syntax;
pub mod tags;
mod unions;
mod versions;
mod walk;
mod webhooks;
mod yaml;

use serde_json::Value;
use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const DEFAULT_SPEC: &str = "openapi/clerk.yaml";
/// What the files only tests and the fake include hold without the
/// `testing` feature: a clear error, should anything include them then.
const WITHOUT_TESTING: &str =
    "compile_error!(\"generated only with the `testing` feature of clerk-backend\");\n";
const SPEC_ENV: &str = "CLERK_OPENAPI_SPEC";

pub fn run() -> Result<(), String> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    println!("cargo:rerun-if-env-changed={SPEC_ENV}");
    println!("cargo:rerun-if-env-changed=CLERK_BUILD_VERBOSE");
    // Set by tests/regenerate.rs: compiles tests/regenerated.rs, whose calls
    // exist only in newer specs. A cfg from here reaches every target of the
    // crate and none of its dependencies, so their builds are reused.
    println!("cargo:rerun-if-env-changed=CLERK_REGEN_SMOKE");
    if std::env::var_os("CLERK_REGEN_SMOKE").is_some() {
        println!("cargo:rustc-cfg=clerk_regen_smoke");
    }
    // The whole folder: a new module of the generator is never missed.
    for f in ["build.rs", "build"] {
        println!("cargo:rerun-if-changed={f}");
    }
    let spec_path = match std::env::var(SPEC_ENV) {
        Ok(p) if !p.trim().is_empty() => root.join(p.trim()),
        _ => root.join(DEFAULT_SPEC),
    };
    println!("cargo:rerun-if-changed={}", spec_path.display());

    let verbose = std::env::var_os("CLERK_BUILD_VERBOSE").is_some();
    let mut clock = Clock::new(verbose);
    let mut spec = load(&spec_path)?;
    // The webhook events' payloads join the API's schemas before anything
    // else reads the document (`webhooks.rs`): feature pruning keeps what
    // they reach, and normalisation treats them as inbound data.
    println!("cargo:rerun-if-env-changed={}", webhooks::SPEC_ENV);
    let webhook_path = match std::env::var(webhooks::SPEC_ENV) {
        Ok(p) if !p.trim().is_empty() => root.join(p.trim()),
        _ => root.join(webhooks::DEFAULT_SPEC),
    };
    println!("cargo:rerun-if-changed={}", webhook_path.display());
    let webhook_spec = load(&webhook_path)?;
    clock.lap("load the specs");
    let merged = webhooks::merge(&mut spec, &webhook_spec)
        .map_err(|e| format!("{}: {e}", webhook_path.display()))?;
    // The fake's routes (`clerk_backend::testing`) serve all of Clerk,
    // whichever areas the client compiles.
    let whole = spec.clone();
    // Cargo features per API area (`tags.rs`); all on by default.
    let selection = tags::select(&mut spec, |feature| {
        std::env::var_os(tags::feature_env(feature)).is_some()
    });
    if selection.kept_operations == 0 && selection.dropped_operations > 0 {
        // The decoding helpers only generated calls use are then unused.
        println!("cargo:rustc-cfg=clerk_no_operations");
        println!(
            "cargo:warning=no API-area feature of clerk-backend is enabled, so its client has no \
             operations: enable `all-apis`, or the areas you call (`users`, `organizations`, ...)"
        );
    }
    // What the spec documents, before normalisation loosens it: the
    // forward-compatibility tests decode instances of this.
    let mut original = spec.clone();
    let meta = versions::collect(&spec).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let api_version = openapi::api_version_date(&spec);
    let info_version = spec
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let report =
        normalize::normalize(&mut spec).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    clock.lap("select and normalise");
    // Constructs the client cannot send as the spec asks: always said.
    for warning in &report.log.warnings {
        println!("cargo:warning={warning}");
    }
    if verbose {
        for pass in normalize::PASSES {
            println!(
                "cargo:warning=normalisation pass {} ({:?}, {:?})",
                pass.name, pass.scope, pass.direction
            );
        }
        for note in &report.log.notes {
            println!("cargo:warning={note}");
        }
    }

    let mut file = generate(&spec, &mut clock)?;
    let counts = rewrite::rewrite(&mut file);
    clock.lap("rewrite passes");
    let events = webhooks::generate(&merged, &file)
        .map_err(|e| format!("{}: {e}", webhook_path.display()))?;
    if verbose {
        println!(
            "cargo:warning=webhooks: {} events, {} payload schemas, {} of them the API's own: {:?}",
            merged.events.len(),
            merged.payloads.len(),
            merged.shared.len(),
            merged.shared
        );
    }
    let deprecated = versions::deprecate(&mut file, &meta);
    if verbose {
        println!("cargo:warning=API areas: {selection:?}");
        println!("cargo:warning=rewritten: {counts:?}, {deprecated} deprecated");
    }
    // The generated tests (`tests/operations.rs`, `tests/compat.rs`) and the
    // fake's routes are compiled only with the `testing` feature, which this
    // crate's own tests always have (its dev-dependency on itself): an
    // application's build skips writing them, a tenth of this script's run.
    let testing = std::env::var_os("CARGO_FEATURE_TESTING").is_some();
    let tests = if testing {
        optests::generate(
            &spec,
            &report.found.multipart,
            &report.found.query_styles,
            &meta,
            api_version.as_deref(),
            &file,
        )
    } else {
        WITHOUT_TESTING.to_string()
    };
    let pages = paginate::generate(&spec, &file);
    let queries = query::generate(&report.found.query_styles);
    let pins = versions::generate(&meta);
    normalize::inline_refs(&mut original);
    let compat = if testing {
        compattests::generate(&original, &report.found.multipart, &file)
    } else {
        WITHOUT_TESTING.to_string()
    };
    // The pagination glue reads builders' private fields: it goes inside
    // their module, once everything above has read the builders.
    syntax::extend_module(&mut file, "builder", &pages)
        .map_err(|e| format!("pagination glue does not parse ({e}); a bug in build/paginate.rs"))?;
    let inlined = inline::mark(&mut file);
    if verbose {
        println!("cargo:warning={inlined} generated functions marked #[inline]");
    }
    clock.lap("webhooks, tests, pagination");
    let client = prettyplease::unparse(&file);
    clock.lap("format the client");
    let extra = multipart::generate(&report.found.multipart)?;
    let mut extra = syn::parse_file(&extra).map_err(|e| {
        format!("multipart builders do not parse ({e}); this is a bug in build/multipart.rs")
    })?;
    rewrite::rewrite(&mut extra);
    inline::mark(&mut extra);
    let extra = prettyplease::unparse(&extra);
    let constants = format!(
        "/// `info.version` of the spec this client was generated from.\n\
         pub const SPEC_VERSION: &str = {info_version:?};\n\
         /// The dated Clerk API version (`Clerk-API-Version` header) the spec describes, if it is dated.\n\
         pub const CLERK_API_VERSION: Option<&str> = {api_version:?};\n\
         /// Path of the spec this client was generated from, relative to the crate when it is inside it.\n\
         pub const SPEC_PATH: &str = {:?};\n",
        spec_path
            .strip_prefix(&root)
            .unwrap_or(&spec_path)
            .display()
            .to_string()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    write(
        &out.join("codegen.rs"),
        &format!("{client}\n{extra}\n{queries}\n{pins}\n{constants}"),
    )?;
    write(&out.join("webhook_events.rs"), &events)?;
    write(&out.join("operation_tests.rs"), &tests)?;
    write(&out.join("compat_tests.rs"), &compat)?;
    let routes = if !testing {
        WITHOUT_TESTING.to_string()
    } else if selection.dropped_operations == 0 {
        routes::generate(&original)
    } else {
        let mut whole = whole;
        normalize::inline_refs(&mut whole);
        routes::generate(&whole)
    };
    write(&out.join("routes.rs"), &routes)?;
    clock.lap("multipart, routes, write");
    clock.report();
    Ok(())
}

/// Wall time of the script's phases, reported with `CLERK_BUILD_VERBOSE`:
/// the script's run sits on the critical path of every cold build.
struct Clock {
    on: bool,
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Clock {
    fn new(on: bool) -> Self {
        let last = std::time::Instant::now();
        Clock {
            on,
            last,
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        if self.on {
            self.laps.push((phase, now - self.last));
        }
        self.last = now;
    }

    fn report(&self) {
        for (phase, took) in &self.laps {
            println!("cargo:warning=time: {phase}: {} ms", took.as_millis());
        }
    }
}

/// Read a YAML or JSON document (YAML is a superset of JSON).
fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the OpenAPI spec {}: {e}", path.display()))?;
    yaml::parse(&text).map_err(|e| format!("{} is not valid YAML or JSON: {e}", path.display()))
}

fn write(path: &Path, content: &str) -> Result<(), String> {
    std::fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type("crate::config::Inner".parse().expect("valid tokens"))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq");
    settings
}

/// Generate the client with progenitor, turning its errors and panics into
/// one message that names the operation or schema at fault.
fn generate(spec: &Value, clock: &mut Clock) -> Result<syn::File, String> {
    match generate_once(spec, clock) {
        Ok(code) => Ok(code),
        Err(whole) => Err(diagnose(spec, whole)),
    }
}

fn generate_once(spec: &Value, clock: &mut Clock) -> Result<syn::File, String> {
    let openapi = parse::read(spec)?;
    clock.lap("read the spec as OpenAPI");
    let tokens = catch_panic(|| {
        let mut generator = progenitor::Generator::new(&settings());
        generator.generate_tokens(&openapi)
    })?
    .map_err(|e| e.to_string())?;
    clock.lap("progenitor");
    let file = syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"));
    clock.lap("parse progenitor's tokens");
    file
}

/// Run `f`, returning a panic's message as an error, without printing the
/// default panic report (and its backtrace) to the build output.
fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let captured = Arc::new(Mutex::new(None::<String>));
    let sink = captured.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        *sink.lock().unwrap() = Some(format!("{}{location}", payload_text(info.payload())));
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.map_err(|payload| {
        captured
            .lock()
            .unwrap()
            .take()
            .unwrap_or_else(|| payload_text(&*payload))
    })
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "progenitor panicked".into())
}

/// The whole document failed: find which operations fail on their own (each
/// tried with all components), so the message names them.
fn diagnose(spec: &Value, whole: String) -> String {
    let mut culprits = Vec::new();
    let mut bare = spec.clone();
    bare["paths"] = Value::Object(Default::default());
    let clock = &mut Clock::new(false);
    if let Err(e) = generate_once(&bare, clock) {
        return format!(
            "a component schema cannot be generated (no operation involved):\n  {e}\n\
             Check the schemas named in the message under `components.schemas` (a \
             `Webhook<Name>` schema is `<Name>` of the webhook spec, `{}`).",
            webhooks::SPEC_ENV
        );
    }
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !openapi::METHODS.contains(&method.as_str()) {
                continue;
            }
            let mut one = bare.clone();
            let mut single = item.clone();
            single.retain(|k, _| k == method || !openapi::METHODS.contains(&k.as_str()));
            one["paths"][path] = Value::Object(single);
            if let Err(e) = generate_once(&one, clock) {
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
                culprits.push(format!(
                    "  operation `{id}` ({} {path}): {e}",
                    method.to_uppercase()
                ));
            }
        }
    }
    if culprits.is_empty() {
        format!("progenitor failed on the whole document, but on no single operation: {whole}")
    } else {
        format!(
            "progenitor cannot generate these operations of the spec:\n{}\n\
             Normalisation (build/normalize/) does not handle this construct yet.",
            culprits.join("\n")
        )
    }
}

//! Generates the Clerk Backend API client from an OpenAPI document.
//!
//! The spec is `openapi/clerk.yaml`, or the file named by `CLERK_OPENAPI_SPEC`
//! (absolute, or relative to the crate root). See `build/mod.rs`.

#[path = "build/mod.rs"]
mod codegen;

fn main() {
    if let Err(message) = codegen::run() {
        // One clear message, no backtrace: this is what the user reads.
        eprintln!("error: clerk-backend could not generate its client\n\n{message}");
        std::process::exit(1);
    }
}

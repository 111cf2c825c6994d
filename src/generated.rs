//! The raw client, generated at build time by `build.rs` from the OpenAPI
//! spec (progenitor's builder interface, plus the multipart builders of
//! `build/multipart.rs`). Never edited by hand and never committed: change
//! the spec, or the normalisation in `build/normalize/`, instead.
//!
//! Use it through [`crate::Client`], which dereferences to it.

#![allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    rustdoc::all,
    unused_imports,
    dead_code,
    deprecated
)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));

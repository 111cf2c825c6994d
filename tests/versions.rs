//! The per-operation API-version pins and deprecations (`build/versions.rs`),
//! compiled here directly, as build.rs compiles them.

#[path = "../build/names.rs"]
#[allow(dead_code)]
mod names;
#[path = "../build/versions.rs"]
mod versions;

use serde_json::{Value, json};
use versions::{collect, deprecate, generate};

fn spec(op: Value) -> Value {
    json!({"paths": {"/x/{id}/verify": {"post": op}}})
}

#[test]
fn pins_and_deprecations_are_read_by_method_name() {
    let meta = collect(&spec(json!({
        "operationId": "VerifySession",
        "deprecated": true,
        "x-clerk-api-version": "2021-02-05",
        "x-deprecation-note": "use auth::verify_token",
    })))
    .unwrap();
    assert_eq!(meta.pinned["verify_session"], "2021-02-05");
    assert_eq!(meta.deprecated["verify_session"], "use auth::verify_token");
    let code = generate(&meta);
    assert!(
        code.contains("\"verify_session\" => Some(\"2021-02-05\"),"),
        "{code}"
    );
}

#[test]
fn a_pin_that_is_not_a_date_names_the_operation() {
    for bad in [
        json!("v1"),
        json!(20210205),
        json!("2021-02-05\n"),
        json!("2021/02/05"),
    ] {
        let error = collect(&spec(
            json!({"operationId": "VerifySession", "x-clerk-api-version": bad}),
        ))
        .unwrap_err();
        assert!(
            error.contains("VerifySession") && error.contains("x-clerk-api-version"),
            "{error}"
        );
    }
}

#[test]
fn deprecated_client_methods_get_the_attribute() {
    let meta = collect(&spec(
        json!({"operationId": "VerifySession", "deprecated": true}),
    ))
    .unwrap();
    let mut file: syn::File = syn::parse_quote! {
        impl Client {
            pub fn verify_session(&self) {}
            pub fn get_user(&self) {}
        }
        impl Other { pub fn verify_session(&self) {} }
    };
    assert_eq!(deprecate(&mut file, &meta), 1);
    let text = quote::ToTokens::to_token_stream(&file).to_string();
    assert_eq!(text.matches("# [deprecated").count(), 1, "{text}");
    assert!(text.contains("marks this operation deprecated"), "{text}");
}

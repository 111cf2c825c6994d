//! With the `schemars` feature, every generated type has a JSON Schema
//! that follows its serde names, optional fields and defaults.

use clerk_backend::types;

#[test]
fn generated_types_describe_themselves() {
    let schema = serde_json::to_value(schemars::schema_for!(types::User)).unwrap();
    let properties = &schema["properties"];
    assert!(properties["email_addresses"].is_object(), "{schema}");
    assert!(properties["first_name"].is_object(), "{schema}");
    // A required field that decodes absence as its empty value is optional
    // to the decoder, with that value as its default.
    let count = serde_json::to_value(schemars::schema_for!(types::TotalCount)).unwrap();
    assert!(!required(&count).contains(&"total_count"), "{count}");
    assert_eq!(count["properties"]["total_count"]["default"], 0, "{count}");
    // A union variant's required fields stay required.
    let otp = serde_json::to_value(schemars::schema_for!(types::VerificationOtp)).unwrap();
    assert!(required(&otp).contains(&"strategy"), "{otp}");
}

fn required(schema: &serde_json::Value) -> Vec<&str> {
    schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect()
}

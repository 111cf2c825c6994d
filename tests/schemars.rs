//! With the `schemars` feature, every generated type has a JSON Schema
//! that follows its serde names and optional fields.

use clerk_backend::types;

#[test]
fn generated_types_describe_themselves() {
    let schema = serde_json::to_value(schemars::schema_for!(types::User)).unwrap();
    let properties = &schema["properties"];
    assert!(properties["email_addresses"].is_object(), "{schema}");
    assert!(properties["first_name"].is_object(), "{schema}");
    let count = serde_json::to_value(schemars::schema_for!(types::TotalCount)).unwrap();
    let required: Vec<&str> = count["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(required.contains(&"total_count"), "{count}");
}

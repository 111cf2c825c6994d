//! Rust names as progenitor (through typify) gives them, so code generated
//! here (multipart builders, tests, glue) calls what progenitor generated.

use heck::{ToPascalCase, ToSnakeCase};

/// typify's cleaning before case conversion: quotes dropped, any character
/// that cannot be in an identifier becomes a word break.
fn clean(name: &str) -> String {
    name.replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A method or field name: `GetUserList` -> `get_user_list`; a keyword
/// gets a trailing `_` (`type` -> `type_`), as typify does.
pub fn method(name: &str) -> String {
    let s = clean(name).to_snake_case();
    match s.as_str() {
        "type" | "ref" | "match" | "self" | "fn" | "mod" | "use" | "move" | "loop" | "in" => {
            format!("{s}_")
        }
        _ => s,
    }
}

/// A type name: an operationId's builder (`GetUserList`), or the type of
/// the schema behind a `$ref` (`#/components/schemas/schemas-Passkey` ->
/// `SchemasPasskey`).
pub fn type_name(name_or_ref: &str) -> String {
    let name = name_or_ref.rsplit('/').next().unwrap_or(name_or_ref);
    clean(name).to_pascal_case()
}

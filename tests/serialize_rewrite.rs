//! The response-serialisation rewrite (`build/serialize.rs`), compiled here
//! directly as build.rs compiles it: types only responses use lose
//! `skip_serializing_if`, request types and other serde options keep theirs.

#[path = "../build/serialize.rs"]
mod serialize;

use quote::ToTokens;
use std::collections::BTreeSet;

fn fields(item: &syn::Item) -> Vec<String> {
    let syn::Item::Struct(s) = item else {
        panic!("a struct")
    };
    s.fields
        .iter()
        .map(|f| {
            f.attrs
                .iter()
                .map(|a| a.to_token_stream().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn response_types_serialise_every_field_request_types_do_not() {
    let mut items: Vec<syn::Item> = vec![
        syn::parse_quote!(
            pub struct User {
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub phone_numbers: Vec<String>,
                #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
                pub type_: Option<String>,
                #[serde(skip_serializing_if = "::serde_json::Map::is_empty")]
                #[doc = "kept"]
                pub public_metadata: ::serde_json::Map<String, ::serde_json::Value>,
                pub id: String,
            }
        ),
        syn::parse_quote!(
            pub struct CreateUserBody {
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub email_address: Vec<String>,
            }
        ),
    ];
    let requests = BTreeSet::from(["CreateUserBody".to_string()]);
    assert_eq!(serialize::response_fields_kept(&mut items, &requests), 3);
    assert_eq!(
        fields(&items[0]),
        [
            "# [serde (default)]",
            "# [serde (rename = \"type\" , default)]",
            "# [doc = \"kept\"]",
            "",
        ]
    );
    assert_eq!(
        fields(&items[1]),
        ["# [serde (default , skip_serializing_if = \"::std::vec::Vec::is_empty\")]"]
    );
    // A second run finds nothing left to drop.
    assert_eq!(serialize::response_fields_kept(&mut items, &requests), 0);
}

#[test]
fn attributes_it_cannot_read_are_left_alone() {
    let mut items: Vec<syn::Item> = vec![syn::parse_quote!(
        pub struct Odd {
            #[serde = "not a list"]
            pub a: Option<String>,
            #[serde(skip_serializing_if)]
            pub b: Option<String>,
        }
    )];
    let before = fields(&items[0]);
    serialize::response_fields_kept(&mut items, &BTreeSet::new());
    // A bare `skip_serializing_if` (no function) is still dropped: it is
    // the same option, malformed; the other attribute stays as it was.
    assert_eq!(fields(&items[0]), [before[0].as_str(), ""]);
}

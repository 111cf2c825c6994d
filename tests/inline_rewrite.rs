//! `build/inline.rs`: every generated function gets `#[inline]`, once. The
//! module is compiled here directly, as build.rs compiles it.

#[path = "../build/inline.rs"]
mod inline;
// build.rs uses all of walk.rs; each test uses a part.
#[allow(dead_code)]
#[path = "../build/walk.rs"]
mod walk;

fn inline_attrs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("inline"))
        .map(|a| quote::ToTokens::to_token_stream(a).to_string())
        .collect()
}

#[test]
fn every_function_is_marked_once() {
    let mut file: syn::File = syn::parse_quote! {
        pub fn free() {}
        pub mod types {
            pub struct X;
            impl X {
                pub fn as_str(&self) -> &'static str { "x" }
                #[inline(always)]
                pub fn hot(&self) {}
            }
            impl ::std::fmt::Display for X {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            pub trait Hooks {
                fn declared(&self);
            }
        }
    };
    assert_eq!(inline::mark(&mut file), 3);
    let syn::Item::Fn(free) = &file.items[0] else {
        panic!("a function")
    };
    assert_eq!(inline_attrs(&free.attrs), ["# [inline]"]);
    let syn::Item::Mod(types) = &file.items[1] else {
        panic!("a module")
    };
    let items = &types.content.as_ref().unwrap().1;
    let syn::Item::Impl(inherent) = &items[1] else {
        panic!("an impl")
    };
    let marks: Vec<Vec<String>> = inherent
        .items
        .iter()
        .map(|item| match item {
            syn::ImplItem::Fn(f) => inline_attrs(&f.attrs),
            _ => panic!("a method"),
        })
        .collect();
    // An existing inline attribute is left as it is, not doubled.
    assert_eq!(marks, [vec!["# [inline]"], vec!["# [inline (always)]"]]);
    // Run again: nothing more to mark.
    assert_eq!(inline::mark(&mut file), 0);
}

//! Writes each generated struct's `Deserialize` instead of deriving it.
//!
//! serde's derive writes, per struct, a field-name enum with its own
//! visitor, a `visit_seq` (structs as JSON arrays, which Clerk never sends)
//! and a `visit_map`: about fifty lines per field once expanded. Over the
//! spec's types that is a third of the crate's expanded code and the
//! largest part of its compile time. The impl written here is the map
//! visitor alone, one match arm per field, with the per-field work in
//! shared helpers (`crate::decode::{Key, field, required}`).
//!
//! It behaves as the derive does for JSON objects: fields by their serde
//! name, unknown keys skipped, a missing `Option` field is `None`, a
//! missing `#[serde(default)]` field its default, a missing required field
//! and a repeated field are errors naming the field. A struct using a serde
//! attribute not listed in [`FieldAttrs`] keeps the derive.

use super::rewrite::{derives, last_segment, remove_derive};
use quote::{format_ident, quote};
use syn::{Item, Type};

/// Replace the derive on every struct of the `types` module that this pass
/// can write; returns how many it wrote.
pub fn struct_impls(items: &mut Vec<Item>) -> usize {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        // The fields' `#[serde]` attributes stay, for the `Serialize`
        // derive; without it they would not compile.
        if !derives(&s.attrs, "Deserialize")
            || !derives(&s.attrs, "Serialize")
            || has_serde_attrs(&s.attrs)
        {
            continue;
        }
        let syn::Fields::Named(named) = &s.fields else {
            continue;
        };
        let Some(fields) = named
            .named
            .iter()
            .map(FieldAttrs::of)
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        impls.push(write_impl(&s.ident, &fields));
        remove_derive(&mut s.attrs, "Deserialize");
    }
    let n = impls.len();
    items.extend(impls);
    n
}

/// What the impl needs of one field.
struct FieldAttrs {
    ident: syn::Ident,
    /// The JSON key: `rename`, else the field's name.
    name: String,
    ty: Type,
    /// `None` absent; `Some(None)` for `default`, `Some(Some(path))` for
    /// `default = "path"`.
    default: Option<Option<syn::Path>>,
    /// `deserialize_with = "crate::decode::null_as_empty"`.
    null_as_empty: bool,
}

impl FieldAttrs {
    /// `None` when the field uses a serde attribute this pass does not
    /// write (flatten, skip, alias, another `deserialize_with`, ...).
    fn of(field: &syn::Field) -> Option<Self> {
        let ident = field.ident.clone()?;
        let mut attrs = FieldAttrs {
            name: ident.to_string().trim_start_matches("r#").to_string(),
            ident,
            ty: field.ty.clone(),
            default: None,
            null_as_empty: false,
        };
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let mut supported = true;
            attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(ToString::to_string);
                match key.as_deref() {
                    Some("rename") => attrs.name = string_value(&meta)?,
                    Some("default") if meta.input.peek(syn::Token![=]) => {
                        attrs.default = Some(Some(syn::parse_str(&string_value(&meta)?)?));
                    }
                    Some("default") => attrs.default = Some(None),
                    Some("deserialize_with") => {
                        let path = string_value(&meta)?;
                        attrs.null_as_empty = path == "crate::decode::null_as_empty";
                        supported &= attrs.null_as_empty;
                    }
                    Some("skip_serializing_if" | "serialize_with") => {
                        string_value(&meta)?;
                    }
                    _ => {
                        supported = false;
                        // Consume whatever follows so parsing can go on.
                        if meta.input.peek(syn::Token![=]) {
                            meta.value()?.parse::<syn::Expr>()?;
                        }
                    }
                }
                Ok(())
            })
            .ok()?;
            if !supported {
                return None;
            }
        }
        Some(attrs)
    }
}

fn string_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<String> {
    Ok(meta.value()?.parse::<syn::LitStr>()?.value())
}

/// Container attributes (`transparent`, `deny_unknown_fields`, ...) are
/// left to the derive.
pub(super) fn has_serde_attrs(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("serde"))
}

fn is_option(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == "Option")
}

fn write_impl(ident: &syn::Ident, fields: &[FieldAttrs]) -> Item {
    let expecting = format!("struct {ident}");
    let type_name = ident.to_string();
    let slots: Vec<syn::Ident> = (0..fields.len()).map(|i| format_ident!("f{i}")).collect();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let declare = fields.iter().zip(&slots).map(|(f, slot)| {
        let ty = &f.ty;
        // `null` for a `null_as_empty` collection is kept as `None` and
        // made empty below.
        let ty = if f.null_as_empty {
            quote!(::std::option::Option<#ty>)
        } else {
            quote!(#ty)
        };
        quote!(let mut #slot: ::std::option::Option<#ty> = ::std::option::Option::None;)
    });
    let arms = fields.iter().zip(&slots).map(|(f, slot)| {
        let name = &f.name;
        quote!(#name => crate::decode::field(&mut map, &mut #slot, #name),)
    });
    let build = fields.iter().zip(&slots).map(|(f, slot)| {
        let field = &f.ident;
        let name = &f.name;
        let value = match (&f.default, f.null_as_empty) {
            (Some(None), false) => quote!(#slot.unwrap_or_default()),
            (Some(None), true) => quote!(#slot.flatten().unwrap_or_default()),
            (Some(Some(path)), false) => quote!(#slot.unwrap_or_else(#path)),
            (Some(Some(path)), true) => {
                quote!(#slot.map(::std::option::Option::unwrap_or_default).unwrap_or_else(#path))
            }
            (None, false) if is_option(&f.ty) => quote!(#slot.flatten()),
            (None, false) => quote!(crate::decode::required(#slot, #name)?),
            (None, true) => quote!(crate::decode::required(#slot, #name)?.unwrap_or_default()),
        };
        quote!(#field: #value,)
    });
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #ident;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: __A,
                    ) -> ::std::result::Result<#ident, __A::Error> {
                        #(#declare)*
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<crate::decode::Key<'de>>()?
                        {
                            match key.as_str() {
                                #(#arms)*
                                _ => crate::decode::skip(&mut map),
                            }?;
                        }
                        ::std::result::Result::Ok(#ident { #(#build)* })
                    }
                }
                deserializer.deserialize_struct(#type_name, &[#(#names),*], __Visitor)
            }
        }
    }
}

//! Reading the generated client back (as a `syn` tree): the types
//! progenitor chose for each builder's setters and `send()`, which the
//! generated tests and glue must name exactly.

use quote::ToTokens;
use std::collections::HashMap;

/// The items of the top-level module `name` (`builder`, `types`).
pub fn module<'a>(file: &'a syn::File, name: &str) -> &'a [syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, i)| i.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

/// Append the items in `code` to the top-level module `name`, when the
/// file has one.
pub fn extend_module(file: &mut syn::File, name: &str, code: &str) -> syn::Result<()> {
    let extra = syn::parse_file(code)?;
    for item in &mut file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == name
            && let Some((_, items)) = &mut m.content
        {
            items.extend(extra.items);
            break;
        }
    }
    Ok(())
}

/// Every method of every builder, with its builder's name.
fn builder_methods(file: &syn::File) -> impl Iterator<Item = (String, &syn::ImplItemFn)> {
    module(file, "builder").iter().flat_map(|item| {
        let name = match item {
            syn::Item::Impl(imp) => match &*imp.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        let methods = match (item, &name) {
            (syn::Item::Impl(imp), Some(_)) => imp.items.as_slice(),
            _ => &[],
        };
        methods.iter().filter_map(move |it| match it {
            syn::ImplItem::Fn(f) => Some((name.clone()?, f)),
            _ => None,
        })
    })
}

/// builder struct -> the `T` of `send() -> Result<ResponseValue<T>, _>`.
pub fn send_types(file: &syn::File) -> HashMap<String, syn::Type> {
    builder_methods(file)
        .filter(|(_, f)| f.sig.ident == "send")
        .filter_map(|(builder, f)| {
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                return None;
            };
            // `crate::ResponseFuture<'a, T>` (`send.rs`), or progenitor's
            // `Result<ResponseValue<T>, _>` where `send.rs` left it.
            let t = match last_ident(ty).as_deref() {
                Some("ResponseFuture") => first_generic(ty)?,
                _ => first_generic(ty).and_then(first_generic)?,
            };
            Some((builder, t.clone()))
        })
        .collect()
}

/// (builder struct, setter) -> the type its `TryInto<T>` bound names, with
/// `types::builder::X` read as `types::X` (which converts into it).
pub fn setter_types(file: &syn::File) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    for (builder, f) in builder_methods(file) {
        let Some(wc) = &f.sig.generics.where_clause else {
            continue;
        };
        for pred in &wc.predicates {
            let syn::WherePredicate::Type(t) = pred else {
                continue;
            };
            for bound in &t.bounds {
                let syn::TypeParamBound::Trait(tb) = bound else {
                    continue;
                };
                let Some(last) = tb.path.segments.last().filter(|s| s.ident == "TryInto") else {
                    continue;
                };
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments
                    && let Some(syn::GenericArgument::Type(ty)) = args.args.first()
                {
                    let ty = tokens(ty).replace("types :: builder ::", "types ::");
                    out.insert((builder.clone(), f.sig.ident.to_string()), ty);
                }
            }
        }
    }
    out
}

/// The types `send()` returns, by builder name (the operationId in
/// PascalCase), multipart operations included; raw JSON, `()` and byte
/// streams, which accept any body, left out.
pub fn decoded_types(
    file: &syn::File,
    multipart: &[super::normalize::MultipartOp],
) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = send_types(file)
        .into_iter()
        .map(|(builder, ty)| (builder, tokens(&ty)))
        .filter(|(_, ty)| {
            !(ty.contains("serde_json :: Value") || ty == "()" || ty.contains("ByteStream"))
        })
        .collect();
    for op in multipart {
        if let Some(r) = &op.success_schema {
            let ty = format!("types::{}", super::names::type_name(r));
            out.insert(super::names::type_name(&op.operation_id), ty);
        }
    }
    out
}

/// struct in `mod types` -> (field -> type).
pub fn struct_fields(file: &syn::File) -> HashMap<String, HashMap<String, syn::Type>> {
    let mut out = HashMap::new();
    for item in module(file, "types") {
        let syn::Item::Struct(s) = item else { continue };
        let fields = s
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = f.ident.as_ref().map_or(i.to_string(), ToString::to_string);
                (name, f.ty.clone())
            })
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// `A<B, ..>` -> `B` (lifetimes skipped).
pub fn first_generic(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    // Lifetimes first (`ResponseFuture<'a, T>`): the first type.
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// `a::b::C<..>` -> `C`.
pub fn last_ident(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    p.path.segments.last().map(|s| s.ident.to_string())
}

/// A type as source text.
pub fn tokens(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string()
}

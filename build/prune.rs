//! Drops the type builders (`types::builder::X`) that no request can use.
//!
//! progenitor's builder interface makes typify write a builder for every
//! type: a struct of `Result`s, its setters, `Default`, and conversions both
//! ways, about as much code as the types themselves. An operation uses one
//! only for its body (`body_map`), so builders are kept for the body types
//! and every type reachable from them, and dropped for types that only
//! appear in responses (about 60% of them for Clerk's spec), which a user
//! reads rather than builds. This is the largest cut in the crate's compile
//! time that keeps the API of every call.

use super::rewrite::last_segment;
use std::collections::{BTreeSet, HashMap};
use syn::visit::Visit;
use syn::{ImplItem, Item};

/// The types a request can carry: every request body type the operation
/// builders name, and every type reachable from one. The other types only
/// come in responses.
pub fn request_types(file: &syn::File) -> BTreeSet<String> {
    let roots = body_builders(super::syntax::module(file, "builder"));
    reachable(super::syntax::module(file, "types"), roots)
}

/// Prune `file` in place; returns how many builders were dropped.
pub fn unused_type_builders(file: &mut syn::File) -> usize {
    let keep = request_types(file);
    let Some(types) = module_mut(&mut file.items, "types") else {
        return 0;
    };
    let Some(builders) = module_mut(types, "builder") else {
        return 0;
    };
    let structs = |items: &[Item]| {
        items
            .iter()
            .filter(|i| matches!(i, Item::Struct(_)))
            .count()
    };
    let before = structs(builders);
    builders.retain(|item| item_type(item).is_none_or(|name| keep.contains(&name)));
    let dropped = before - structs(builders);
    // `impl X { pub fn builder() -> builder::X }` for the dropped ones.
    types.retain(|item| match item {
        Item::Impl(imp) if is_builder_constructor(imp) => {
            item_type(item).is_none_or(|name| keep.contains(&name))
        }
        _ => true,
    });
    dropped
}

fn module_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// `X` for every `types::builder::X` the operation builders name.
fn body_builders(operations: &[Item]) -> BTreeSet<String> {
    struct Paths(BTreeSet<String>);
    impl Visit<'_> for Paths {
        fn visit_path(&mut self, path: &syn::Path) {
            let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let [.., types, builder, name] = names.as_slice()
                && types == "types"
                && builder == "builder"
            {
                self.0.insert(name.clone());
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut paths = Paths(BTreeSet::new());
    for item in operations {
        paths.visit_item(item);
    }
    paths.0
}

/// `roots` and every type named in the fields or variants of a type in the
/// set, transitively.
fn reachable(types: &[Item], roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut edges: HashMap<String, BTreeSet<String>> = HashMap::new();
    for item in types {
        let (name, idents) = match item {
            Item::Struct(s) => (s.ident.to_string(), idents_in(&s.fields)),
            Item::Enum(e) => (
                e.ident.to_string(),
                e.variants
                    .iter()
                    .flat_map(|v| idents_in(&v.fields))
                    .collect(),
            ),
            _ => continue,
        };
        edges.entry(name).or_default().extend(idents);
    }
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        if let Some(next) = edges.get(&name) {
            stack.extend(next.iter().filter(|n| !seen.contains(*n)).cloned());
        }
        seen.insert(name);
    }
    seen
}

/// Every identifier in the types of `fields`.
fn idents_in(fields: &syn::Fields) -> BTreeSet<String> {
    struct Idents(BTreeSet<String>);
    impl Visit<'_> for Idents {
        fn visit_ident(&mut self, ident: &syn::Ident) {
            self.0.insert(ident.to_string());
        }
    }
    let mut idents = Idents(BTreeSet::new());
    for field in fields {
        idents.visit_type(&field.ty);
    }
    idents.0
}

/// The type a builder-module item belongs to: a struct's name, or the last
/// segment of an impl's self type (`impl TryFrom<X> for super::X` is X's).
fn item_type(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Impl(imp) => last_segment(&imp.self_ty).map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `impl X { pub fn builder() -> builder::X { .. } }`, as typify writes it.
fn is_builder_constructor(imp: &syn::ItemImpl) -> bool {
    imp.trait_.is_none()
        && imp.items.len() == 1
        && matches!(&imp.items[0], ImplItem::Fn(f) if f.sig.ident == "builder" && f.sig.inputs.is_empty())
}

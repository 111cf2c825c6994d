//! Marks every generated function `#[inline]`.
//!
//! A non-generic function is compiled to machine code in the crate that
//! defines it, whether or not anything calls it: for the generated client
//! that is every operation's constructor and builder setup, every enum's
//! `Display`, `FromStr` and `as_str`, every default, for all of Clerk's API,
//! when an application calls a handful. An `#[inline]` function is compiled
//! in the crates that call it instead, and only there. Generic functions
//! are already compiled where they are used; the attribute changes nothing
//! for them.

use super::walk;

/// Add `#[inline]` to every function of `file` that has no inline
/// attribute; returns how many were marked.
pub fn mark(file: &mut syn::File) -> usize {
    let mut pass = Inline(0);
    walk::file(file, &mut pass);
    pass.0
}

struct Inline(usize);

impl walk::Rewrite for Inline {
    fn function(&mut self, attrs: &mut Vec<syn::Attribute>) {
        if !attrs.iter().any(|a| a.path().is_ident("inline")) {
            attrs.push(syn::parse_quote!(#[inline]));
            self.0 += 1;
        }
    }
}

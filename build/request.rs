//! Rewrites of how each generated `send_raw` builds its request, by shape
//! (never by operation name): the same request, built with less work per
//! call.
//!
//! - progenitor sends its spec's `info.version` as an `api-version` header
//!   with every call. Clerk ignores that header (it reads
//!   `Clerk-API-Version`, set by the hooks), so the append is dropped, and
//!   the header map with it when nothing else goes in.
//! - The URL `format!("{}/users/{}", client.baseurl, encode_path(..))`
//!   becomes one `concat` of its pieces: one allocation, no formatting
//!   machinery.

use super::walk;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;

/// Apply both rewrites to the body of one `send_raw`.
pub fn rewrite(block: &mut syn::Block) {
    drop_api_version_header(block);
    walk::block(block, &mut UrlConcat);
}

const HEADER_MAP: &str = "header_map";

/// Drop `header_map.append(.. "api-version" ..)`; then, if `header_map` is
/// only declared and handed to `.headers(header_map)`, drop both.
fn drop_api_version_header(block: &mut syn::Block) {
    block.stmts.retain(|s| !is_api_version_append(s));
    if ident_count(block.to_token_stream(), HEADER_MAP) != 2 {
        return;
    }
    let declared = block.stmts.iter().position(|s| match s {
        syn::Stmt::Local(l) => l
            .pat
            .to_token_stream()
            .into_iter()
            .any(|t| matches!(t, TokenTree::Ident(i) if i == HEADER_MAP)),
        _ => false,
    });
    let Some(declared) = declared else { return };
    let mut unused = DropHeadersCall(false);
    walk::block(block, &mut unused);
    if unused.0 {
        block.stmts.remove(declared);
    }
}

fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    call.method == "append"
        && is_ident(&call.receiver, HEADER_MAP)
        && call.args.first().is_some_and(|name| {
            name.to_token_stream()
                .into_iter()
                .any(|t| has_literal(t, "\"api-version\""))
        })
}

fn has_literal(tree: TokenTree, text: &str) -> bool {
    match tree {
        TokenTree::Literal(l) => l.to_string() == text,
        TokenTree::Group(g) => g.stream().into_iter().any(|t| has_literal(t, text)),
        _ => false,
    }
}

fn ident_count(tokens: TokenStream, name: &str) -> usize {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Ident(i) if i == name => 1,
            TokenTree::Group(g) => ident_count(g.stream(), name),
            _ => 0,
        })
        .sum()
}

fn is_ident(expr: &syn::Expr, name: &str) -> bool {
    matches!(expr, syn::Expr::Path(p) if p.path.is_ident(name))
}

/// `x.headers(header_map)` -> `x`; records whether it found one.
struct DropHeadersCall(bool);

impl walk::Rewrite for DropHeadersCall {
    fn expr(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && is_ident(&call.args[0], HEADER_MAP)
        {
            *expr = (*call.receiver).clone();
            self.0 = true;
        }
    }
}

/// `format!("a{}b{}", x, y)` -> `["a", x.as_str(), "b", y.as_str()].concat()`
/// when every placeholder is a bare `{}` and every argument is a field
/// (`client.baseurl`) or a call (`encode_path(..)`, giving a `String`).
/// Anything else is left as it is.
struct UrlConcat;

impl walk::Rewrite for UrlConcat {
    fn expr(&mut self, expr: &mut syn::Expr) {
        let syn::Expr::Macro(m) = expr else { return };
        if !m.mac.path.is_ident("format") {
            return;
        }
        if let Some(pieces) = concat_pieces(&m.mac) {
            *expr = syn::parse_quote!([#(#pieces),*].concat());
        }
    }
}

fn concat_pieces(mac: &syn::Macro) -> Option<Vec<syn::Expr>> {
    let parts = mac
        .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut parts = parts.into_iter();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    }) = parts.next()?
    else {
        return None;
    };
    let args: Vec<syn::Expr> = parts.collect();
    let template = template.value();
    let texts: Vec<&str> = template.split("{}").collect();
    if texts.len() != args.len() + 1 || texts.iter().any(|t| t.contains(['{', '}'])) {
        return None;
    }
    if !args
        .iter()
        .all(|a| matches!(a, syn::Expr::Field(_) | syn::Expr::Call(_)))
    {
        return None;
    }
    let mut pieces = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if !text.is_empty() {
            pieces.push(syn::parse_quote!(#text));
        }
        if let Some(arg) = args.get(i) {
            pieces.push(syn::parse_quote!(#arg.as_str()));
        }
    }
    Some(pieces)
}

//! One syntax-tree walk for every rewrite pass.
//!
//! syn's `VisitMut` is generic over the visitor: each visitor type compiles
//! its own copy of the whole walk (about five hundred functions, one per
//! kind of node). With one visitor per pass that was the largest part of
//! the build script's own machine code, built in every application's cold
//! build. Here the walk is compiled once, for [`Walk`], and a pass is a
//! [`Rewrite`] the walk calls through a trait object.

use syn::visit_mut::VisitMut;

/// What a pass does at the nodes it cares about; the rest of the tree is
/// walked for it.
pub trait Rewrite {
    /// Called for every expression, after its sub-expressions were
    /// rewritten (bottom-up), so a rewrite may replace `expr` whole.
    fn expr(&mut self, _expr: &mut syn::Expr) {}

    /// Called with the attributes of every function (free, or in an
    /// `impl`), before its body is walked.
    fn function(&mut self, _attrs: &mut Vec<syn::Attribute>) {}
}

/// Walk a whole file.
pub fn file(file: &mut syn::File, pass: &mut dyn Rewrite) {
    Walk(pass).visit_file_mut(file);
}

/// Walk one block (a function body).
pub fn block(block: &mut syn::Block, pass: &mut dyn Rewrite) {
    Walk(pass).visit_block_mut(block);
}

struct Walk<'a>(&'a mut dyn Rewrite);

impl VisitMut for Walk<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        self.0.expr(expr);
    }

    fn visit_item_fn_mut(&mut self, f: &mut syn::ItemFn) {
        self.0.function(&mut f.attrs);
        syn::visit_mut::visit_item_fn_mut(self, f);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        self.0.function(&mut f.attrs);
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
    }
}

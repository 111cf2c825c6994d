//! Each builder's sending split in two, by shape (never by operation name):
//! what differs per operation, building the request, stays in the builder
//! as a plain `fn request`; what every operation does alike (hooks, the
//! exchange, the status dispatch, the decode) is one generic function of
//! the runtime (`src/runtime/send.rs`), handed the operation id and a
//! status table.
//!
//! progenitor writes the whole exchange into every operation's
//! `async fn send`; type-checking, borrow-checking and laying out those
//! state machines was a fifth of this crate's build. A `send` whose tail is
//! not the shape read here (another status dispatch, a streamed or
//! upgraded body, a new hook) is left alone: `rewrite.rs` then keeps
//! progenitor's exchange as `send_raw`, with an async `send` around it.

use quote::{ToTokens, quote};
use syn::{Expr, Stmt, Type};

/// The builder's two new methods: `request` and `send`.
pub struct Split {
    pub request: syn::ImplItemFn,
    pub send: syn::ImplItemFn,
}

/// How the success arms answer.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Body {
    /// `crate::decode::response(response).await`
    Json,
    /// `Ok(ResponseValue::empty(response))`
    Empty,
}

/// Split `send` (progenitor's, after `rewrite.rs` made its decode
/// `crate::decode::response`) whose response type is `value`; `None` when
/// its body is not the shape this reads.
pub fn split(send: &syn::ImplItemFn, value: &Type) -> Option<Split> {
    let stmts = &send.block.stmts;
    let [
        prefix @ ..,
        info,
        pre,
        exec,
        post,
        unwrap,
        Stmt::Expr(Expr::Match(dispatch), None),
    ] = &stmts[..]
    else {
        return None;
    };
    let operation_id = operation_id(info)?;
    if [pre, exec, post, unwrap]
        .iter()
        .zip(&expected().exchange)
        .any(|(a, b)| text(a) != *b)
    {
        return None;
    }
    let (body, statuses) = statuses(dispatch)?;
    let request = syn::parse_quote! {
        /// The request this builder describes, ready to send, with the
        /// client to send it; or why it cannot be built.
        #[allow(unused_mut)]
        #[inline]
        fn request(self) -> crate::runtime::send::Built<'a> {
            #(#prefix)*
            Ok((client, request))
        }
    };
    let (run, value) = match body {
        Body::Json => (quote!(json), value.to_token_stream()),
        Body::Empty => (quote!(empty), quote!(())),
    };
    let send = syn::parse_quote! {
        /// Send the request.
        ///
        /// Errors are [`clerk_backend::Error`](crate::Error): Clerk's own
        /// (status, code, trace id), decoding, timeouts and transport.
        /// Awaiting the builder itself does the same.
        #[inline]
        pub fn send(self) -> crate::ResponseFuture<'a, #value> {
            crate::runtime::send::#run(self.request(), #operation_id, &[#(#statuses),*])
        }
    };
    Some(Split { request, send })
}

fn text(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// The texts of the shapes this pass reads, as progenitor writes them:
/// made once for the whole client, not once per operation.
struct Expected {
    /// The exchange's four statements after the request is built.
    exchange: [String; 4],
    /// The dispatch's scrutinee.
    status: String,
    /// The catch-all arm's answer.
    unexpected: String,
    /// An error arm's answer.
    error: String,
    /// A JSON success arm's answer.
    json: String,
    /// An empty success arm's answer.
    empty: String,
}

fn expected() -> &'static Expected {
    static EXPECTED: std::sync::OnceLock<Expected> = std::sync::OnceLock::new();
    EXPECTED.get_or_init(|| {
        let stmt = |s: Stmt| text(&s);
        Expected {
            exchange: [
                stmt(syn::parse_quote!(client.pre(&mut request, &info).await?;)),
                stmt(syn::parse_quote!(let result = client.exec(request, &info).await;)),
                stmt(syn::parse_quote!(client.post(&result, &info).await?;)),
                stmt(syn::parse_quote!(let response = result?;)),
            ],
            status: text(&quote!(response.status().as_u16())),
            unexpected: text(&quote!(Err(Error::UnexpectedResponse(response)))),
            error: text(&quote!(Err(Error::ErrorResponse(
                crate::decode::response(response).await?
            )))),
            json: text(&quote!(crate::decode::response(response).await)),
            empty: text(&quote!(Ok(ResponseValue::empty(response)))),
        }
    })
}

/// The string of `let info = OperationInfo { operation_id: "..." };`,
/// with no other field.
fn operation_id(stmt: &Stmt) -> Option<syn::LitStr> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    if text(&local.pat) != "info" {
        return None;
    }
    let Expr::Struct(s) = &*local.init.as_ref()?.expr else {
        return None;
    };
    let [field] = &s.fields.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if s.path.segments.last()?.ident != "OperationInfo"
        || text(&field.member) != "operation_id"
        || s.rest.is_some()
    {
        return None;
    }
    match &field.expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(id),
            ..
        }) => Some(id.clone()),
        _ => None,
    }
}

/// The status table of `match response.status().as_u16() { .. }`: one
/// `(lo, hi, Outcome)` per range of each arm, in order, and how success
/// arms answer (all alike). The last arm must be the catch-all
/// `_ => Err(Error::UnexpectedResponse(response))`.
fn statuses(m: &syn::ExprMatch) -> Option<(Body, Vec<proc_macro2::TokenStream>)> {
    let expected = expected();
    if text(&m.expr) != expected.status {
        return None;
    }
    let (last, arms) = m.arms.split_last()?;
    // (syn 3 holds an arm's guard in its pattern: a guarded arm is not
    // `Pat::Wild`, and not one `ranges` reads.)
    if !matches!(last.pat, syn::Pat::Wild(_)) || text(&unwrapped(&last.body)) != expected.unexpected
    {
        return None;
    }
    let mut body = None;
    let mut table = Vec::new();
    for arm in arms {
        let answer = text(&unwrapped(&arm.body));
        let outcome = if answer == expected.error {
            quote!(Error)
        } else {
            let this = if answer == expected.json {
                Body::Json
            } else if answer == expected.empty {
                Body::Empty
            } else {
                return None;
            };
            if body.replace(this).is_some_and(|b| b != this) {
                return None;
            }
            quote!(Success)
        };
        for (lo, hi) in ranges(&arm.pat)? {
            table.push(quote!((#lo, #hi, crate::runtime::send::Outcome::#outcome)));
        }
    }
    Some((body?, table))
}

/// An arm's body without the braces of a one-expression block.
fn unwrapped(body: &Expr) -> Expr {
    match body {
        Expr::Block(b) if b.block.stmts.len() == 1 && b.attrs.is_empty() && b.label.is_none() => {
            match &b.block.stmts[0] {
                Stmt::Expr(e, None) => e.clone(),
                _ => body.clone(),
            }
        }
        _ => body.clone(),
    }
}

/// The inclusive `u16` ranges a status pattern matches: literals, closed
/// ranges of literals, and `|` of those.
fn ranges(pat: &syn::Pat) -> Option<Vec<(u16, u16)>> {
    let lit = |e: &Expr| match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<u16>().ok(),
        _ => None,
    };
    match pat {
        syn::Pat::Lit(l) => {
            let n = lit(&Expr::Lit(l.clone()))?;
            Some(vec![(n, n)])
        }
        syn::Pat::Range(r) if matches!(r.limits, syn::RangeLimits::Closed(_)) => {
            let (lo, hi) = (lit(r.start.as_deref()?)?, lit(r.end.as_deref()?)?);
            (lo <= hi).then(|| vec![(lo, hi)])
        }
        syn::Pat::Or(or) if or.leading_vert.is_none() => {
            let mut all = Vec::new();
            for case in &or.cases {
                all.extend(ranges(case)?);
            }
            Some(all)
        }
        _ => None,
    }
}

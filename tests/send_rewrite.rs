//! The split of each builder's sending (`build/send.rs`): progenitor-shaped
//! bodies become a plain `request` and a `send` through the runtime's
//! exchange with the operation's status table; any other shape is left
//! alone. The module is compiled here directly, as build.rs compiles it.

#[path = "../build/send.rs"]
mod send;

use quote::ToTokens;

fn text(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// A progenitor `send` with `arms` as its status dispatch.
fn progenitor_send(arms: proc_macro2::TokenStream) -> syn::ImplItemFn {
    syn::parse_quote! {
        async fn send_raw(self) -> Result<ResponseValue<types::User>, Error<::serde_json::Value>> {
            let Self { client, user_id } = self;
            let user_id = user_id.map_err(Error::InvalidRequest)?;
            let url = [client.baseurl.as_str(), "/users/", encode_path(&user_id).as_str()].concat();
            #[allow(unused_mut)]
            let mut request = client.client.get(url).build()?;
            let info = OperationInfo { operation_id: "get_user" };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() { #arms }
        }
    }
}

fn user() -> syn::Type {
    syn::parse_quote!(types::User)
}

#[test]
fn the_request_is_built_apart_and_sent_through_the_runtime() {
    let send = progenitor_send(quote::quote! {
        200u16 => crate::decode::response(response).await,
        400u16..=599u16 => { Err(Error::ErrorResponse(crate::decode::response(response).await?)) }
        _ => Err(Error::UnexpectedResponse(response)),
    });
    let split = send::split(&send, &user()).expect("progenitor's shape");
    let body = text(&split.request.block);
    assert!(
        body.starts_with("{ let Self { client , user_id } = self ;"),
        "{body}"
    );
    assert!(body.ends_with("Ok ((client , request)) }"), "{body}");
    assert!(!body.contains("info") && !body.contains("await"), "{body}");
    assert_eq!(
        text(&split.request.sig.output),
        "-> crate :: runtime :: send :: Built < 'a >"
    );
    assert!(split.request.sig.asyncness.is_none());
    assert_eq!(
        text(&split.send.sig.output),
        "-> crate :: ResponseFuture < 'a , types :: User >"
    );
    let call = text(&split.send.block);
    for part in [
        "crate :: runtime :: send :: json (self . request () , \"get_user\"",
        "(200u16 , 200u16 , crate :: runtime :: send :: Outcome :: Success)",
        "(400u16 , 599u16 , crate :: runtime :: send :: Outcome :: Error)",
    ] {
        assert!(call.contains(part), "{part} not in {call}");
    }
    for f in [&split.request, &split.send] {
        assert!(f.attrs.iter().any(|a| a.path().is_ident("inline")));
    }
}

#[test]
fn statuses_keep_their_order_and_alternatives() {
    let send = progenitor_send(quote::quote! {
        201u16 | 202u16 => crate::decode::response(response).await,
        404u16 => Err(Error::ErrorResponse(crate::decode::response(response).await?)),
        200u16..=299u16 => crate::decode::response(response).await,
        _ => Err(Error::UnexpectedResponse(response)),
    });
    let call = text(&send::split(&send, &user()).unwrap().send.block);
    let compact: String = call.split_whitespace().collect();
    let table = "&[(201u16,201u16,crate::runtime::send::Outcome::Success),\
        (202u16,202u16,crate::runtime::send::Outcome::Success),\
        (404u16,404u16,crate::runtime::send::Outcome::Error),\
        (200u16,299u16,crate::runtime::send::Outcome::Success)]";
    assert!(compact.contains(table), "{call}");
}

#[test]
fn an_empty_success_is_sent_as_one() {
    let send = progenitor_send(quote::quote! {
        204u16 => Ok(ResponseValue::empty(response)),
        400u16..=599u16 => Err(Error::ErrorResponse(crate::decode::response(response).await?)),
        _ => Err(Error::UnexpectedResponse(response)),
    });
    let split = send::split(&send, &syn::parse_quote!(())).unwrap();
    assert_eq!(
        text(&split.send.sig.output),
        "-> crate :: ResponseFuture < 'a , () >"
    );
    assert!(text(&split.send.block).contains("crate :: runtime :: send :: empty ("));
}

/// Shapes the runtime's exchange does not do are left to progenitor's code.
#[test]
fn other_shapes_are_left_alone() {
    let unsplit =
        |arms: proc_macro2::TokenStream| send::split(&progenitor_send(arms), &user()).is_none();
    let error = quote::quote!(400u16..=599u16 => Err(Error::ErrorResponse(crate::decode::response(response).await?)),);
    let unexpected = quote::quote!(_ => Err(Error::UnexpectedResponse(response)),);
    // A streamed body.
    assert!(unsplit(
        quote::quote!(200u16 => Ok(ResponseValue::stream(response)), #error #unexpected)
    ));
    // A JSON success beside an empty one.
    assert!(unsplit(quote::quote!(
        200u16 => crate::decode::response(response).await,
        204u16 => Ok(ResponseValue::empty(response)),
        #error #unexpected
    )));
    // No success at all.
    assert!(unsplit(quote::quote!(#error #unexpected)));
    // A guard, an open range, a named constant.
    assert!(unsplit(
        quote::quote!(s if s < 300 => crate::decode::response(response).await, #error #unexpected)
    ));
    assert!(unsplit(
        quote::quote!(200u16.. => crate::decode::response(response).await, #unexpected)
    ));
    assert!(unsplit(
        quote::quote!(OK => crate::decode::response(response).await, #error #unexpected)
    ));
    // Another catch-all.
    assert!(unsplit(
        quote::quote!(200u16 => crate::decode::response(response).await, _ => Ok(ResponseValue::empty(response)),)
    ));
    // A status that does not fit in a u16.
    assert!(unsplit(
        quote::quote!(70000 => crate::decode::response(response).await, #error #unexpected)
    ));
}

#[test]
fn another_exchange_is_left_alone() {
    let arms = quote::quote! {
        200u16 => crate::decode::response(response).await,
        _ => Err(Error::UnexpectedResponse(response)),
    };
    let mut send = progenitor_send(arms.clone());
    // A hook more.
    send.block
        .stmts
        .insert(6, syn::parse_quote!(client.audit(&request).await?;));
    assert!(send::split(&send, &user()).is_none());
    // Another field of `OperationInfo`.
    let mut send = progenitor_send(arms.clone());
    send.block.stmts[4] =
        syn::parse_quote!(let info = OperationInfo { operation_id: "get_user", retries: 2 };);
    assert!(send::split(&send, &user()).is_none());
    // No `info` at all.
    let mut send = progenitor_send(arms);
    send.block.stmts.remove(4);
    assert!(send::split(&send, &user()).is_none());
}

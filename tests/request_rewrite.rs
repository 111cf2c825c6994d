//! The rewrites of how each generated `send_raw` builds its request
//! (`build/request.rs`), on progenitor-shaped bodies and on hostile ones
//! they must leave alone. The module is compiled here directly, as build.rs
//! compiles it.

#[path = "../build/request.rs"]
mod request;
// build.rs uses all of walk.rs; each test uses a part.
#[allow(dead_code)]
#[path = "../build/walk.rs"]
mod walk;

use quote::ToTokens;

fn rewritten(body: syn::Block) -> String {
    let mut body = body;
    request::rewrite(&mut body);
    body.to_token_stream().to_string()
}

fn same(a: syn::Block) -> String {
    a.to_token_stream().to_string()
}

#[test]
fn the_api_version_header_and_its_empty_map_are_dropped() {
    let out = rewritten(syn::parse_quote!({
        let url = format!("{}/users/count", client.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map.append(
            ::reqwest::header::HeaderName::from_static("api-version"),
            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
        );
        let request = client.client.get(url).headers(header_map).build()?;
    }));
    let expected = same(syn::parse_quote!({
        let url = [client.baseurl.as_str(), "/users/count"].concat();
        let request = client.client.get(url).build()?;
    }));
    assert_eq!(out, expected);
}

#[test]
fn other_headers_keep_their_map() {
    let out = rewritten(syn::parse_quote!({
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
        header_map.append(
            ::reqwest::header::HeaderName::from_static("api-version"),
            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
        );
        header_map.append("x-trace", value.to_string().try_into()?);
        let request = client.client.get(url).headers(header_map).build()?;
    }));
    let expected = same(syn::parse_quote!({
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
        header_map.append("x-trace", value.to_string().try_into()?);
        let request = client.client.get(url).headers(header_map).build()?;
    }));
    assert_eq!(out, expected);
}

#[test]
fn path_parameters_join_the_url_in_order() {
    let out = rewritten(syn::parse_quote!({
        let url = format!(
            "{}/users/{}/metadata/{}",
            client.baseurl,
            encode_path(&user_id.to_string()),
            encode_path(&key.to_string()),
        );
    }));
    let expected = same(
        syn::parse_str(
            r#"{ let url = [client.baseurl.as_str(), "/users/",
                 encode_path(&user_id.to_string()).as_str(), "/metadata/",
                 encode_path(&key.to_string()).as_str()].concat(); }"#,
        )
        .unwrap(),
    );
    assert_eq!(out, expected);
}

#[test]
fn other_formats_and_headers_are_left_alone() {
    let cases: Vec<syn::Block> = vec![
        // Placeholders other than a bare `{}`, escaped braces, inline names.
        syn::parse_quote!({
            let u = format!("{:?}/x", client.baseurl);
        }),
        syn::parse_quote!({
            let u = format!("{}/{{x}}", client.baseurl);
        }),
        syn::parse_quote!({
            let u = format!("{base}/x");
        }),
        // Arguments that are not a field or a call (no known `as_str`).
        syn::parse_quote!({
            let u = format!("{}/x/{}", client.baseurl, id);
        }),
        // Placeholders and arguments that do not pair up.
        syn::parse_quote!({
            let u = format!("{}/x/{}", client.baseurl);
        }),
        // An error message, not a URL: left as progenitor wrote it.
        syn::parse_quote!({
            let e = format!("error converting supplied value for x: {e}");
        }),
        // A header map without progenitor's version header.
        syn::parse_quote!({
            let mut header_map = HeaderMap::with_capacity(1usize);
            header_map.append("x-api-version", v);
            let r = c.get(u).headers(header_map);
        }),
    ];
    for case in cases {
        assert_eq!(rewritten(case.clone()), same(case));
    }
}

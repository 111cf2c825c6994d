//! Builders for the operations whose request body is `multipart/form-data`
//! (profile images, logos), which progenitor 0.15 cannot generate.
//!
//! They follow progenitor's shape exactly: a method on the generated
//! `Client` named after the operationId, returning a builder with one
//! setter per path parameter and form field, and `send()` going through the
//! same hooks (authentication, retries, tracing) and returning the same
//! `ResponseValue` / `Error` types.

use super::names::{method as ident, type_name};
use super::normalize::MultipartOp;
use std::fmt::Write;

fn doc(text: &str) -> String {
    text.lines()
        .map(|l| format!("///{}{}\n", if l.is_empty() { "" } else { " " }, l))
        .collect()
}

pub fn generate(ops: &[MultipartOp]) -> Result<String, String> {
    let mut methods = String::new();
    let mut builders = String::new();
    for op in ops {
        generate_one(op, &mut methods, &mut builders)
            .map_err(|e| format!("operation `{}`: {e}", op.operation_id))?;
    }
    Ok(format!(
        "impl Client {{\n{methods}}}\n\
         /// Builders for the operations that upload `multipart/form-data`.\n\
         pub mod multipart {{\n\
         #[allow(unused_imports)]\n\
         use super::{{encode_path, types, ByteStream, ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue}};\n\
         pub use crate::form::Part;\n\
         {builders}}}\n"
    ))
}

fn generate_one(op: &MultipartOp, methods: &mut String, builders: &mut String) -> std::fmt::Result {
    let fn_name = ident(&op.operation_id);
    let type_ = type_name(&op.operation_id);
    let method = op.method.to_uppercase();
    let response = match &op.success_schema {
        Some(r) => format!("types::{}", type_name(r)),
        None => "::serde_json::Value".into(),
    };

    let mut text = String::new();
    if let Some(s) = &op.summary {
        writeln!(text, "{s}\n")?;
    }
    if let Some(d) = &op.description {
        writeln!(text, "{d}\n")?;
    }
    writeln!(
        text,
        "Sends `{method} {}` with a `multipart/form-data` body.",
        op.path
    )?;
    let deprecated = if op.deprecated { "#[deprecated]\n" } else { "" };
    writeln!(
        methods,
        "{}{deprecated}pub fn {fn_name}(&self) -> multipart::{type_}<'_> {{ multipart::{type_}::new(self) }}",
        doc(&text)
    )?;

    let mut fields = String::new();
    let mut init = String::new();
    let mut setters = String::new();
    let mut checks = String::new();
    let mut url_args = String::new();
    let mut url = op.path.clone();
    for p in &op.path_params {
        let id = ident(p);
        url = url.replace(&format!("{{{p}}}"), "{}");
        writeln!(fields, "{id}: Option<String>,")?;
        writeln!(init, "{id}: None,")?;
        writeln!(
            setters,
            "/// Path parameter `{p}`.\npub fn {id}(mut self, value: impl ::std::fmt::Display) -> Self {{ self.{id} = Some(value.to_string()); self }}"
        )?;
        writeln!(
            checks,
            "let {id} = {id}.ok_or_else(|| Error::InvalidRequest(\"`{p}` was not set\".to_string()))?;"
        )?;
        write!(url_args, ", encode_path(&{id})")?;
    }
    for (name, is_file, required) in &op.fields {
        let id = ident(name);
        if *is_file {
            writeln!(
                setters,
                "/// File field `{name}`: the file's bytes, with its name and MIME type when known.\n\
                 pub fn {id}(mut self, part: Part) -> Self {{ self.form = self.form.part({name:?}, part); self.set.push({name:?}); self }}"
            )?;
        } else {
            writeln!(
                setters,
                "/// Text field `{name}`.\n\
                 pub fn {id}(mut self, value: impl ::std::fmt::Display) -> Self {{ self.form = self.form.text({name:?}, value.to_string()); self.set.push({name:?}); self }}"
            )?;
        }
        if *required {
            writeln!(
                checks,
                "if !set.contains(&{name:?}) {{ return Err(Error::InvalidRequest(\"form field `{name}` is required\".to_string())); }}"
            )?;
        }
    }
    write!(
        builders,
        r#"/// Builder for [`Client::{fn_name}`](super::Client::{fn_name}).
#[derive(Debug)]
pub struct {type_}<'a> {{
    client: &'a super::Client,
    {fields}
    form: crate::form::Form,
    set: Vec<&'static str>,
}}
impl<'a> {type_}<'a> {{
    pub fn new(client: &'a super::Client) -> Self {{
        Self {{ client, {init} form: crate::form::Form::new(), set: Vec::new() }}
    }}
    {setters}
    /// Add any form part by name, for fields this spec does not list.
    pub fn part(mut self, name: &'static str, part: Part) -> Self {{
        self.form = self.form.part(name, part);
        self.set.push(name);
        self
    }}
    /// Send the request.
    pub async fn send(self) -> Result<ResponseValue<{response}>, Error<::serde_json::Value>> {{
        let Self {{ client, {idents} form, set }} = self;
        {checks}
        let _ = &set;
        let url = format!("{{}}{url}", client.baseurl{url_args});
        let (content_type, body) = form.encode();
        let mut request = client
            .client
            .request(::reqwest::Method::{method}, url)
            .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
            .header(::reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .build()?;
        let info = OperationInfo {{ operation_id: {fn_name:?} }};
        client.pre(&mut request, &info).await?;
        let result = client.exec(request, &info).await;
        client.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {{
            200u16..=299u16 => ResponseValue::from_response(response).await,
            400u16..=599u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            _ => Err(Error::UnexpectedResponse(response)),
        }}
    }}
}}
"#,
        idents = op
            .path_params
            .iter()
            .map(|p| format!("{}, ", ident(p)))
            .collect::<String>(),
    )?;
    Ok(())
}

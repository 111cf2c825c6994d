//! `multipart/form-data` bodies for the upload operations (profile images,
//! logos), written by `build/multipart.rs`'s builders.
//!
//! The body is encoded here, in memory (RFC 7578), rather than by reqwest's
//! `multipart` feature: that feature adds MIME-type guessing from file
//! paths (`mime_guess` and its tables) to every application's build, and
//! streams the body, so an upload could not be retried. An in-memory body
//! is sent with a `Content-Length` and replayed by the retry policy like
//! any other request.

use std::borrow::Cow;
use std::fmt;

/// One part of an upload: a file's bytes (with its name and MIME type when
/// known), or a text value.
///
/// ```
/// use clerk_backend::multipart::Part;
/// let file = Part::bytes(b"\x89PNG...".to_vec())
///     .file_name("avatar.png")
///     .mime_str("image/png")?;
/// # Ok::<(), clerk_backend::Error>(())
/// ```
#[derive(Clone)]
pub struct Part {
    data: Cow<'static, [u8]>,
    file_name: Option<Cow<'static, str>>,
    mime: Option<String>,
}

impl Part {
    /// A part holding these bytes.
    pub fn bytes(data: impl Into<Cow<'static, [u8]>>) -> Self {
        Part {
            data: data.into(),
            file_name: None,
            mime: None,
        }
    }

    /// A part holding this text.
    pub fn text(text: impl Into<Cow<'static, str>>) -> Self {
        let data = match text.into() {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        };
        Part::bytes(data)
    }

    /// The file name sent with the part (`filename=` of its
    /// `Content-Disposition`).
    pub fn file_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's MIME type (`image/png`): `type/subtype`, optionally with
    /// parameters; an error for anything else, which would corrupt the
    /// part's headers.
    pub fn mime_str(mut self, mime: &str) -> crate::Result<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        let valid = essence
            .split_once('/')
            .is_some_and(|(t, s)| token(t) && token(s))
            && mime
                .bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        if !valid {
            return Err(crate::Error::InvalidRequest(format!(
                "`{}` is not a MIME type",
                mime.escape_debug()
            )));
        }
        self.mime = Some(mime.to_string());
        Ok(self)
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("len", &self.data.len())
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .finish()
    }
}

/// The parts of one upload, in the order they were set.
#[derive(Debug, Default)]
#[doc(hidden)]
pub struct Form {
    parts: Vec<(Cow<'static, str>, Part)>,
}

impl Form {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn part(mut self, name: impl Into<Cow<'static, str>>, part: Part) -> Self {
        self.parts.push((name.into(), part));
        self
    }

    pub fn text(self, name: impl Into<Cow<'static, str>>, value: String) -> Self {
        self.part(name, Part::text(value))
    }

    /// The request's `Content-Type` and body.
    pub fn encode(&self) -> (String, Vec<u8>) {
        let mut seed = 0u64;
        loop {
            let boundary = boundary(seed);
            if let Some(body) = self.body(&boundary) {
                return (format!("multipart/form-data; boundary={boundary}"), body);
            }
            seed += 1;
        }
    }

    /// The body with this boundary; `None` if a part holds the boundary.
    fn body(&self, boundary: &str) -> Option<Vec<u8>> {
        let size: usize = self.parts.iter().map(|(_, p)| p.data.len() + 160).sum();
        let mut body = Vec::with_capacity(size + boundary.len() + 8);
        for (name, part) in &self.parts {
            if contains(&part.data, boundary.as_bytes()) {
                return None;
            }
            body.extend_from_slice(b"--");
            body.extend_from_slice(boundary.as_bytes());
            body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
            body.extend_from_slice(quoted(name).as_bytes());
            body.push(b'"');
            if let Some(file_name) = &part.file_name {
                body.extend_from_slice(b"; filename=\"");
                body.extend_from_slice(quoted(file_name).as_bytes());
                body.push(b'"');
            }
            if let Some(mime) = &part.mime {
                body.extend_from_slice(b"\r\nContent-Type: ");
                body.extend_from_slice(mime.as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(&part.data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"--\r\n");
        Some(body)
    }
}

/// A boundary unlikely to be in any part (checked anyway by the caller).
fn boundary(seed: u64) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(seed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    let a = hasher.finish();
    hasher.write_u64(a);
    format!("clerk-backend-{a:016x}{:016x}", hasher.finish())
}

/// A name or file name inside the header's quotes: `"`, CR and LF
/// percent-encoded, as browsers send them.
fn quoted(s: &str) -> Cow<'_, str> {
    if !s.contains(['"', '\r', '\n']) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace('"', "%22")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(form: &Form) -> (String, String) {
        let (content_type, body) = form.encode();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap()
            .to_string();
        (boundary, String::from_utf8(body).unwrap())
    }

    #[test]
    fn parts_are_encoded_in_order_with_their_headers() {
        let form = Form::new()
            .part(
                "file",
                Part::bytes(b"PNGDATA".to_vec())
                    .file_name("x.png")
                    .mime_str("image/png")
                    .unwrap(),
            )
            .text("user_id", "user_1".to_string());
        let (b, body) = split(&form);
        assert_eq!(
            body,
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n\
                 Content-Type: image/png\r\n\r\nPNGDATA\r\n\
                 --{b}\r\nContent-Disposition: form-data; name=\"user_id\"\r\n\r\nuser_1\r\n\
                 --{b}--\r\n"
            )
        );
    }

    #[test]
    fn an_empty_form_is_only_the_closing_boundary() {
        let (b, body) = split(&Form::new());
        assert_eq!(body, format!("--{b}--\r\n"));
    }

    #[test]
    fn quotes_and_line_breaks_in_names_cannot_break_the_headers() {
        let form = Form::new().part("a\"b", Part::text("v").file_name("evil\"\r\nX-Injected: 1"));
        let (_, body) = split(&form);
        assert!(body.contains("name=\"a%22b\"; filename=\"evil%22%0D%0AX-Injected: 1\""));
        assert_eq!(body.matches("\r\n").count(), 5);
    }

    #[test]
    fn a_part_holding_the_boundary_gets_another_boundary() {
        let form = Form::new().part("f", Part::bytes(b"xx--clerk-b--yy".to_vec()));
        assert!(form.body("clerk-b").is_none());
        let (b, body) = split(&form);
        assert_ne!(b, "clerk-b");
        assert_eq!(body.matches(&b).count(), 2);
    }

    #[test]
    fn only_mime_types_are_taken() {
        for good in ["image/png", "image/svg+xml", "text/plain; charset=utf-8"] {
            assert!(Part::text("x").mime_str(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "png",
            "image/",
            "/png",
            "image/png\r\nX: 1",
            "ima ge/png",
            "é/x",
        ] {
            let e = Part::text("x").mime_str(bad).unwrap_err();
            assert!(e.to_string().contains("not a MIME type"), "{bad}: {e}");
        }
    }
}

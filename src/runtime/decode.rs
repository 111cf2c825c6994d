//! Decoding Clerk's responses: once per response, into the generated types.
//!
//! The generated `send()` of every operation calls [`response`] (the build
//! rewrites progenitor's own decoding step into this call), and the
//! generated types call the two `serde` helpers below. Nothing here is
//! meant to be called by hand.
//!
//! - [`response`] decodes a body that the request hook has already read in
//!   full, and when it does not fit, reports the type, the JSON path, the
//!   HTTP status and Clerk's trace id: everything `Error::Decode` shows.
//! - [`null_as_empty`] lets response collections decode `null` as empty,
//!   so they are plain `Vec`s and maps rather than `Option`s.
//! - [`Key`], [`field`] and [`required`] are the
//!   shared steps of the generated structs' `Deserialize` impls (written by
//!   `build/deserialize.rs` instead of serde's much larger derive).
//! - [`open_enum`] decodes an open string enum (`Known(..)` or
//!   `Unknown(String)`) from the string alone, without serde's buffering
//!   of untagged enums.

use crate::error::{DecodeError, json_path_at, strip_position, trace_id_header};
use progenitor_client::{Error, ResponseValue};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, Visitor};
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// Decode a response's body as `T`, once. A body that does not fit becomes
/// `Error::InvalidResponsePayload` carrying a decode report (see
/// [`DecodeError::to_marked_body`]), which `clerk_backend::Error` turns
/// back into [`crate::Error::Decode`].
#[doc(hidden)]
pub async fn response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = crate::retry::body(response)
        .await
        .map_err(Error::ResponseBodyError)?;
    match parse::<T>(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => {
            let report = report::<T>(&body, &e, Some(status), trace_id_header(&headers));
            if status.is_success() {
                tracing::warn!(error = %report, "Clerk response did not decode");
            }
            Err(Error::InvalidResponsePayload(
                report.to_marked_body(&body).into(),
                e,
            ))
        }
    }
}

/// Decode a JSON body from Clerk (a stored response, a fixture) as `T`,
/// the way the client decodes responses: a body that does not fit gives
/// [`crate::Error::Decode`] naming the type and the JSON path.
///
/// ```
/// use clerk_backend::types::TotalCount;
///
/// let count: TotalCount = clerk_backend::from_slice(br#"{"object":"total_count","total_count":3}"#)?;
/// assert_eq!(count.total_count, 3);
/// let e = clerk_backend::from_slice::<TotalCount>(br#"{"total_count":"three"}"#).unwrap_err();
/// assert!(e.to_string().contains("total_count"), "{e}");
/// # Ok::<(), clerk_backend::Error>(())
/// ```
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> crate::Result<T> {
    parse(body).map_err(|e| crate::Error::Decode(report::<T>(body, &e, None, None)))
}

/// Parse `body` as `T`. The whole body is checked as UTF-8 once and then
/// parsed as text, which spares serde_json its check of every string (a
/// fifth of the time on Clerk's string-heavy objects). A body that is not
/// UTF-8 (Clerk's never are) is not decoded as `T` at all: it is parsed as
/// plain JSON only to say where the bad byte is. Decoding it as `T` from
/// bytes would compile every response type's decoder a second time.
fn parse<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => Err(match serde_json::from_slice::<serde_json::Value>(body) {
            Err(e) => e,
            Ok(_) => de::Error::custom("the body is not UTF-8"),
        }),
    }
}

/// What `Error::Decode` shows of a body that did not decode as `T`.
fn report<T>(
    body: &[u8],
    e: &serde_json::Error,
    status: Option<http::StatusCode>,
    trace_id: Option<String>,
) -> DecodeError {
    DecodeError {
        status,
        type_name: Some(std::any::type_name::<T>().to_string()),
        path: json_path_at(body, e.line(), e.column()),
        message: strip_position(&e.to_string()),
        trace_id,
    }
}

/// `#[serde(deserialize_with)]` for response collections (and the webhook
/// payloads' lists and flags): `null` decodes as the type's default, an
/// empty collection or `false` (absence is `#[serde(default)]`'s job).
#[doc(hidden)]
// Only generated types call it, from their derived `Deserialize`, which the
// dead-code lint does not count.
#[allow(dead_code)]
pub fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A map key, borrowed from the input when it can be (JSON keys without
/// escapes): what the generated `Deserialize` impls match field names on.
#[doc(hidden)]
pub struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Key<'de> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_cow(self) -> std::borrow::Cow<'de, str> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_owned().into()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A generated `visit_map` arm: the next value into the field's slot; a
/// field given twice is an error, as with serde's derive. (A collection
/// that decodes `null` as empty has an `Option` slot type; the impl turns
/// `None` into the empty value.)
#[doc(hidden)]
pub fn field<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: de::MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skip the value of a key the struct does not have.
#[doc(hidden)]
pub fn skip<'de, A: de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

/// A required field's value, or serde's "missing field" error.
#[doc(hidden)]
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Decode an open enum's string: `Ok(known)` when `K` parses it, else
/// `Err(the string)`. Borrowed strings are parsed without allocating; only
/// an unknown value is copied.
#[doc(hidden)]
#[allow(dead_code)] // an API-area selection may have no open enum
pub fn open_enum<'de, D, K>(deserializer: D) -> Result<Result<K, String>, D::Error>
where
    D: Deserializer<'de>,
    K: FromStr,
{
    struct OpenEnum<K>(PhantomData<K>);

    impl<K: FromStr> Visitor<'_> for OpenEnum<K> {
        type Value = Result<K, String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.parse().map_err(|_| v.to_string()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(match v.parse() {
                Ok(k) => Ok(k),
                Err(_) => Err(v),
            })
        }
    }

    deserializer.deserialize_str(OpenEnum(PhantomData))
}

/// `Deserialize` of a generated string enum (`build/string_enums.rs`): the
/// enum protocol as serde's derive reads it (a variant named by its text, or
/// by its index), with serde's messages. `names[i]` is the wire text of
/// `values[i]`.
#[doc(hidden)]
#[allow(dead_code)] // an API-area selection may have no string enum
pub fn string_enum<'de, D, T>(
    deserializer: D,
    name: &'static str,
    names: &'static [&'static str],
    values: &'static [T],
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Copy + 'static,
{
    struct Enum<T: 'static> {
        name: &'static str,
        names: &'static [&'static str],
        values: &'static [T],
    }

    impl<'de, T: Copy> Visitor<'de> for Enum<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "enum {}", self.name)
        }

        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
            let (index, variant) = data.variant_seed(VariantName(self.names))?;
            de::VariantAccess::unit_variant(variant)?;
            self.values
                .get(index)
                .copied()
                .ok_or_else(|| de::Error::custom("a variant without a value"))
        }
    }

    /// A variant's position among `names`, read from its text or index.
    struct VariantName(&'static [&'static str]);

    impl<'de> de::DeserializeSeed<'de> for VariantName {
        type Value = usize;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
            d.deserialize_identifier(self)
        }
    }

    impl Visitor<'_> for VariantName {
        type Value = usize;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("variant identifier")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
            match usize::try_from(v) {
                Ok(i) if i < self.0.len() => Ok(i),
                _ => {
                    let expected = format!("variant index 0 <= i < {}", self.0.len());
                    Err(E::invalid_value(
                        de::Unexpected::Unsigned(v),
                        &expected.as_str(),
                    ))
                }
            }
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
            self.0
                .iter()
                .position(|n| *n == v)
                .ok_or_else(|| E::unknown_variant(v, self.0))
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
            self.0
                .iter()
                .position(|n| n.as_bytes() == v)
                .ok_or_else(|| E::unknown_variant(&String::from_utf8_lossy(v), self.0))
        }
    }

    deserializer.deserialize_enum(
        name,
        names,
        Enum {
            name,
            names,
            values,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serde's derive, the reference `string_enum` must read like.
    #[derive(serde::Deserialize, Debug, PartialEq, Clone, Copy)]
    enum Derived {
        #[serde(rename = "in-progress")]
        InProgress,
        #[serde(rename = "done")]
        Done,
        Idle,
    }

    /// The same enum through `string_enum`, as `build/string_enums.rs`
    /// writes it.
    #[derive(Debug, PartialEq, Clone, Copy)]
    enum Table {
        InProgress,
        Done,
        Idle,
    }

    impl<'de> Deserialize<'de> for Table {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            string_enum(
                d,
                "Derived",
                &["in-progress", "done", "Idle"],
                &[Self::InProgress, Self::Done, Self::Idle],
            )
        }
    }

    #[test]
    fn string_enums_read_as_serde_derives_them() {
        let inputs = [
            r#""in-progress""#,
            r#""done""#,
            r#""Idle""#,
            r#""idle""#,
            r#""in\u002dprogress""#,
            r#""""#,
            r#"{"done": null}"#,
            r#"{"done": 1}"#,
            r#"{"nope": null}"#,
            "1",
            "null",
            "[]",
            r#"["done"]"#,
        ];
        for input in inputs {
            let derived = serde_json::from_str::<Derived>(input);
            let table = serde_json::from_str::<Table>(input);
            assert_eq!(
                format!("{derived:?}"),
                format!("{table:?}").replace("Table", "Derived"),
                "from text: {input}"
            );
            let value: serde_json::Value = serde_json::from_str(input).unwrap();
            let derived = Derived::deserialize(&value);
            let table = Table::deserialize(&value);
            assert_eq!(
                format!("{derived:?}"),
                format!("{table:?}").replace("Table", "Derived"),
                "from a value: {input}"
            );
        }
        // Formats that name a variant by its index, or by bytes.
        use serde::de::value::{BytesDeserializer, EnumAccessDeserializer, Error as E};
        for index in [0u32, 2, 3, u32::MAX] {
            let a = EnumAccessDeserializer::new(Named(index.into_deserializer()));
            let b = EnumAccessDeserializer::new(Named(index.into_deserializer()));
            assert_eq!(
                format!("{:?}", Derived::deserialize(a)),
                format!("{:?}", Table::deserialize(b)).replace("Table", "Derived"),
                "index {index}"
            );
        }
        for name in [&b"done"[..], b"nope", b"\xff"] {
            let a = EnumAccessDeserializer::new(Named(BytesDeserializer::<E>::new(name)));
            let b = EnumAccessDeserializer::new(Named(BytesDeserializer::<E>::new(name)));
            assert_eq!(
                format!("{:?}", Derived::deserialize(a)),
                format!("{:?}", Table::deserialize(b)).replace("Table", "Derived"),
                "bytes {name:?}"
            );
        }
        let bytes = BytesDeserializer::<E>::new(b"done");
        assert_eq!(
            format!("{:?}", Derived::deserialize(bytes)),
            format!("{:?}", Table::deserialize(bytes)).replace("Table", "Derived")
        );
    }

    use serde::de::IntoDeserializer;

    /// An enum whose variant is named by `.0` (an index, bytes), unit.
    struct Named<N>(N);

    impl<'de, N: Deserializer<'de, Error = serde::de::value::Error>> de::EnumAccess<'de> for Named<N> {
        type Error = serde::de::value::Error;
        type Variant = Unit;

        fn variant_seed<V: de::DeserializeSeed<'de>>(
            self,
            seed: V,
        ) -> Result<(V::Value, Unit), Self::Error> {
            seed.deserialize(self.0).map(|v| (v, Unit))
        }
    }

    struct Unit;

    impl<'de> de::VariantAccess<'de> for Unit {
        type Error = serde::de::value::Error;

        fn unit_variant(self) -> Result<(), Self::Error> {
            Ok(())
        }

        fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
            self,
            _: T,
        ) -> Result<T::Value, Self::Error> {
            Err(de::Error::custom("not unit"))
        }

        fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not unit"))
        }

        fn struct_variant<V: Visitor<'de>>(
            self,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not unit"))
        }
    }

    #[derive(Debug, PartialEq)]
    enum Color {
        Red,
    }

    impl FromStr for Color {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            (s == "red").then_some(Color::Red).ok_or(())
        }
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Thing {
        #[serde(default, deserialize_with = "null_as_empty")]
        tags: Vec<String>,
        #[serde(deserialize_with = "open_enum")]
        color: Result<Color, String>,
    }

    #[test]
    fn null_and_absent_collections_are_empty_and_enums_stay_open() {
        let t: Thing = serde_json::from_str(r#"{"tags": null, "color": "red"}"#).unwrap();
        assert_eq!(t.tags, Vec::<String>::new());
        assert_eq!(t.color, Ok(Color::Red));
        let t: Thing = serde_json::from_str(r#"{"color": "teal"}"#).unwrap();
        assert_eq!(t.color, Err("teal".to_string()));
        let t: Thing =
            serde_json::from_value(serde_json::json!({"tags": ["a"], "color": "red"})).unwrap();
        assert_eq!(t.tags, ["a"]);
        // Not a string: an error naming what was expected.
        let e = serde_json::from_str::<Thing>(r#"{"color": 7}"#).unwrap_err();
        assert!(e.to_string().contains("a string"), "{e}");
    }
}

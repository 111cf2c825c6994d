//! Decoding the spec's untagged unions (`oneOf` without a usable
//! discriminator, such as an email address's `verification`): the value is
//! read once into a [`Buffer`], then each variant is tried on it in order,
//! as serde's `#[serde(untagged)]` does, and the last variant is often the
//! raw `serde_json::Value` that keeps what no variant fits.
//!
//! The build writes each union's `Deserialize` to call this instead of
//! serde's derive, because the derive's failed tries are costly: each one
//! builds a `serde_json::Error` with a formatted message (a fifth of the
//! time of decoding a user with an OAuth-verified email). Here a try that
//! does not fit fails with [`Mismatch`], which carries nothing, and strings
//! without escapes are borrowed from the input instead of copied.

use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer, StrDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

/// One JSON value, read once so that several types can be tried on it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Buffer<'de> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'de, str>),
    Seq(Vec<Buffer<'de>>),
    Map(Vec<(Cow<'de, str>, Buffer<'de>)>),
}

impl<'de> Buffer<'de> {
    /// The value as `T`, or `None` if it does not fit.
    pub fn decode<T: Deserialize<'de>>(&self) -> Option<T> {
        T::deserialize(BufferRef(self)).ok()
    }

    /// The value as plain JSON (what a union's catch-all variant keeps),
    /// read through `Value`'s own `Deserialize`, so that whatever it does
    /// (such as serde_json's `arbitrary_precision` numbers, which arrive as
    /// a one-entry map) is done here too.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::Value::deserialize(BufferRef(self)).unwrap_or(serde_json::Value::Null)
    }
}

/// The error of a union whose value fits none of its variants (and that
/// has no catch-all), worded as serde's untagged enums word it.
#[doc(hidden)]
pub fn no_variant<E: de::Error>(union: &str) -> E {
    E::custom(format_args!(
        "data did not match any variant of untagged enum {union}"
    ))
}

impl<'de> Deserialize<'de> for Buffer<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BufferVisitor)
    }
}

struct BufferVisitor;

impl<'de> Visitor<'de> for BufferVisitor {
    type Value = Buffer<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Buffer<'de>, E> {
        Ok(Buffer::Null)
    }

    fn visit_none<E>(self) -> Result<Buffer<'de>, E> {
        Ok(Buffer::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Buffer<'de>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Buffer<'de>, E> {
        Ok(Buffer::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Buffer<'de>, E> {
        Ok(Buffer::U64(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Buffer<'de>, E> {
        Ok(Buffer::I64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Buffer<'de>, E> {
        Ok(Buffer::F64(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Buffer<'de>, E> {
        Ok(Buffer::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Buffer<'de>, E> {
        Ok(Buffer::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Buffer<'de>, E> {
        Ok(Buffer::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Buffer<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Buffer::Seq(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Buffer<'de>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
        while let Some(key) = map.next_key::<crate::decode::Key<'de>>()? {
            entries.push((key.into_cow(), map.next_value()?));
        }
        Ok(Buffer::Map(entries))
    }
}

/// The error of a variant that does not fit: nothing is formatted or kept,
/// since the union goes on to its next variant.
#[doc(hidden)]
#[derive(Debug)]
pub struct Mismatch;

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value does not fit this variant")
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Mismatch
    }
}

/// A [`Buffer`] read as a `Deserializer`, as serde_json would read the
/// same text: numbers through `visit_u64` / `visit_i64` / `visit_f64`,
/// `null` as `None` for options, strings as unit enum variants.
struct BufferRef<'a, 'de>(&'a Buffer<'de>);

impl<'a, 'de> Deserializer<'de> for BufferRef<'a, 'de> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self.0 {
            Buffer::Null => visitor.visit_unit(),
            Buffer::Bool(b) => visitor.visit_bool(*b),
            Buffer::U64(n) => visitor.visit_u64(*n),
            Buffer::I64(n) => visitor.visit_i64(*n),
            Buffer::F64(n) => visitor.visit_f64(*n),
            Buffer::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Buffer::Str(Cow::Owned(s)) => visitor.visit_str(s),
            Buffer::Seq(items) => visitor.visit_seq(SeqRef(items.iter())),
            Buffer::Map(entries) => visitor.visit_map(MapRef::new(entries)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self.0 {
            Buffer::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self.0 {
            Buffer::Null => visitor.visit_unit(),
            _ => Err(Mismatch),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        match self.0 {
            Buffer::Str(Cow::Borrowed(s)) => {
                visitor.visit_enum(BorrowedStrDeserializer::<Mismatch>::new(s))
            }
            Buffer::Str(Cow::Owned(s)) => {
                let s: StrDeserializer<'_, Mismatch> = s.as_str().into_deserializer();
                visitor.visit_enum(s)
            }
            // An externally tagged variant: `{"name": content}`.
            Buffer::Map(entries) if entries.len() == 1 => {
                visitor.visit_enum(MapAccessDeserializer::new(MapRef::new(entries)))
            }
            _ => Err(Mismatch),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct SeqRef<'a, 'de>(std::slice::Iter<'a, Buffer<'de>>);

impl<'de> de::SeqAccess<'de> for SeqRef<'_, 'de> {
    type Error = Mismatch;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Mismatch> {
        self.0
            .next()
            .map(|item| seed.deserialize(BufferRef(item)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapRef<'a, 'de> {
    entries: std::slice::Iter<'a, (Cow<'de, str>, Buffer<'de>)>,
    value: Option<&'a Buffer<'de>>,
}

impl<'a, 'de> MapRef<'a, 'de> {
    fn new(entries: &'a [(Cow<'de, str>, Buffer<'de>)]) -> Self {
        MapRef {
            entries: entries.iter(),
            value: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapRef<'_, 'de> {
    type Error = Mismatch;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key = match key {
            Cow::Borrowed(k) => seed.deserialize(BorrowedStrDeserializer::new(k)),
            Cow::Owned(k) => seed.deserialize(k.as_str().into_deserializer()),
        };
        key.map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Mismatch> {
        seed.deserialize(BufferRef(self.value.take().ok_or(Mismatch)?))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    enum Strategy {
        #[serde(rename = "email_code")]
        EmailCode,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    enum Tagged {
        Code(u32),
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Verification<'a> {
        strategy: Strategy,
        attempts: Option<i64>,
        expire_at: u64,
        #[serde(borrow)]
        note: Cow<'a, str>,
        tags: Vec<String>,
        tagged: Option<Tagged>,
        ratio: f64,
    }

    const TEXT: &str = r#"{"strategy":"email_code","attempts":null,"expire_at":1700000600000,
        "note":"plain","tags":["a","b\n"],"tagged":{"Code":7},"ratio":2,"extra":{"x":[1,-2,3.5]}}"#;

    #[test]
    fn a_buffer_decodes_as_serde_json_would() {
        let buffer: Buffer = serde_json::from_str(TEXT).unwrap();
        let v: Verification = buffer.decode().unwrap();
        let direct: Verification = serde_json::from_str(TEXT).unwrap();
        assert_eq!(v, direct);
        // Strings without escapes are borrowed from the input, not copied.
        assert!(matches!(v.note, Cow::Borrowed(_)));
        assert_eq!(v.tags, ["a", "b\n"]);
        // And it turns back into the same JSON.
        let value: serde_json::Value = serde_json::from_str(TEXT).unwrap();
        assert_eq!(buffer.to_value(), value);
    }

    #[test]
    fn a_value_that_does_not_fit_is_a_mismatch_not_a_panic() {
        let buffer: Buffer = serde_json::from_str(TEXT).unwrap();
        assert_eq!(buffer.decode::<String>(), None);
        assert_eq!(buffer.decode::<Vec<u8>>(), None);
        let wrong =
            json!({"strategy": "phone_code", "expire_at": 1, "note": "", "tags": [], "ratio": 1});
        // From a `Value` (strings owned, not borrowed) as from text.
        let buffer = Buffer::deserialize(wrong).unwrap();
        assert_eq!(buffer.decode::<Verification>(), None);
        let right = Buffer::deserialize(serde_json::from_str::<serde_json::Value>(TEXT).unwrap());
        assert_eq!(
            right.unwrap().decode::<Verification>().unwrap().expire_at,
            1700000600000
        );
        let negative: Buffer = serde_json::from_str("-3").unwrap();
        assert_eq!(negative.decode::<u64>(), None);
        assert_eq!(negative.decode::<i64>(), Some(-3));
        let missing: Buffer = serde_json::from_str(r#"{"strategy":"email_code"}"#).unwrap();
        assert_eq!(missing.decode::<Verification>(), None);
    }

    #[test]
    fn a_union_without_a_catch_all_names_itself() {
        let e: serde_json::Error = no_variant("Status");
        assert_eq!(
            e.to_string(),
            "data did not match any variant of untagged enum Status"
        );
    }
}

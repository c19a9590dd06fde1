//! Reading typed values out of JSON with the place of the first problem as a JSON Pointer.
//!
//! A deserializer over an owned [`serde_json::Value`] that keeps the path to the value being
//! read. It stands in for serde_json's own `Value` deserializer instead of wrapping it, as
//! serde_path_to_error does: with a wrapper every type's deserialization is compiled twice over
//! (16 KB more of the gzipped WASM download, measured). Messages are serde_json's and paths are
//! serde_path_to_error's, word for word: `api/document_tests.rs` checks both on mutated documents.

use std::fmt::{self, Display};

use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value as Json};

use crate::error::escape_pointer;

/// Reads `T` from `value`; on error, the message and the JSON Pointer (under `prefix`) of the
/// first problem.
pub(crate) fn read<T: DeserializeOwned>(value: Json, prefix: &str) -> Result<T, (String, String)> {
    let mut path = Vec::new();
    T::deserialize(At {
        value,
        path: &mut path,
    })
    .map_err(|Error(message)| {
        let mut pointer = prefix.to_owned();
        for segment in &path {
            pointer.push('/');
            match segment {
                Segment::Index(i) => pointer.push_str(&i.to_string()),
                Segment::Key(k) => pointer.push_str(&escape_pointer(k)),
            }
        }
        (message, pointer)
    })
}

/// A step into an array or an object. A failed read leaves the path at the failing value.
enum Segment {
    Index(usize),
    Key(String),
}

#[derive(Debug)]
pub(crate) struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected, exp: &dyn Expected) -> Self {
        Error(format!("invalid type: {}, expected {exp}", Shown(unexp)))
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn Expected) -> Self {
        Error(format!("invalid value: {}, expected {exp}", Shown(unexp)))
    }
}

/// serde_json's wording: `null`, and floats as JSON writes them.
struct Shown<'a>(Unexpected<'a>);

impl Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Float(v) => match Number::from_f64(v) {
                Some(n) => write!(f, "floating point `{n}`"),
                None => write!(f, "floating point `{v}`"),
            },
            other => Display::fmt(&other, f),
        }
    }
}

fn unexpected(value: &Json) -> Unexpected<'_> {
    match value {
        Json::Null => Unexpected::Unit,
        Json::Bool(b) => Unexpected::Bool(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            (None, None) => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Unexpected::Str(s),
        Json::Array(_) => Unexpected::Seq,
        Json::Object(_) => Unexpected::Map,
    }
}

/// A value and the path to it.
struct At<'p> {
    value: Json,
    path: &'p mut Vec<Segment>,
}

fn read_seq<'de, V: Visitor<'de>>(
    path: &mut Vec<Segment>,
    items: Vec<Json>,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = items.len();
    let mut seq = Items {
        items: items.into_iter().enumerate(),
        path,
    };
    let out = visitor.visit_seq(&mut seq)?;
    match seq.items.len() {
        0 => Ok(out),
        _ => Err(de::Error::invalid_length(len, &"fewer elements in array")),
    }
}

fn read_map<'de, V: Visitor<'de>>(
    path: &mut Vec<Segment>,
    map: Map<String, Json>,
    visitor: V,
) -> Result<V::Value, Error> {
    let len = map.len();
    let mut entries = Entries {
        entries: map.into_iter(),
        value: None,
        path,
    };
    let out = visitor.visit_map(&mut entries)?;
    match entries.entries.len() {
        0 => Ok(out),
        _ => Err(de::Error::invalid_length(len, &"fewer elements in map")),
    }
}

fn number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => visitor.visit_u64(u),
        (None, Some(i)) => visitor.visit_i64(i),
        (None, None) => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
    }
}

fn refuse<'de, T, V: Visitor<'de>>(value: &Json, visitor: V) -> Result<T, Error> {
    Err(refusal(value, &visitor))
}

// Out of line, like the path steps below: the generic functions are compiled once per type
// read, so what does not depend on the type stays out of them.
#[inline(never)]
fn refusal(value: &Json, exp: &dyn Expected) -> Error {
    de::Error::invalid_type(unexpected(value), exp)
}

#[inline(never)]
fn enter(path: &mut Vec<Segment>, segment: Segment) {
    path.push(segment);
}

#[inline(never)]
fn leave(path: &mut Vec<Segment>) {
    path.pop();
}

/// Each kind of value is taken only by the methods that expect it, as serde_json does: a method
/// that took anything would compile the array and object readers into every visitor.
macro_rules! scalar {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.value {
                Json::Number(n) => number(&n, visitor),
                other => refuse(&other, visitor),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for At<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(b),
            Json::Number(ref n) => number(n, visitor),
            Json::String(s) => visitor.visit_string(s),
            Json::Array(items) => read_seq(self.path, items, visitor),
            Json::Object(map) => read_map(self.path, map, visitor),
        }
    }

    scalar! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Bool(b) => visitor.visit_bool(b),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::String(s) => visitor.visit_string(s),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    // Field and variant names are strings only: the visitors would take a number as an index.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::String(s) => visitor.visit_string(s),
            Json::Array(items) => read_seq(self.path, items, visitor),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Null => visitor.visit_unit(),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Array(items) => read_seq(self.path, items, visitor),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Object(map) => read_map(self.path, map, visitor),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Json::Array(items) => read_seq(self.path, items, visitor),
            Json::Object(map) => read_map(self.path, map, visitor),
            other => refuse(&other, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (variant, value) = match self.value {
            Json::String(variant) => (variant, None),
            Json::Object(map) => {
                let mut entries = map.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => (variant, Some(value)),
                    _ => {
                        let exp = &"map with a single key";
                        return Err(de::Error::invalid_value(Unexpected::Map, exp));
                    }
                }
            }
            other => return Err(refusal(&other, &"string or map")),
        };
        visitor.visit_enum(Variant {
            variant,
            value,
            path: self.path,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct Items<'p> {
    items: std::iter::Enumerate<std::vec::IntoIter<Json>>,
    path: &'p mut Vec<Segment>,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        enter(self.path, Segment::Index(i));
        let out = seed.deserialize(At {
            value,
            path: self.path,
        })?;
        leave(self.path);
        Ok(Some(out))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'p> {
    entries: <Map<String, Json> as IntoIterator>::IntoIter,
    value: Option<Json>,
    path: &'p mut Vec<Segment>,
}

impl Entries<'_> {
    /// Steps to the next entry: its value is kept for `next_value_seed`, its key goes on the path.
    #[inline(never)]
    fn next_key(&mut self) -> Option<&str> {
        let (key, value) = self.entries.next()?;
        self.value = Some(value);
        self.path.push(Segment::Key(key));
        match self.path.last() {
            Some(Segment::Key(key)) => Some(key),
            _ => None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    // The key goes on the path before it is read: an unknown field is reported at itself.
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.next_key() {
            Some(key) => seed.deserialize(StrDeserializer::new(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().unwrap_or(Json::Null);
        let out = seed.deserialize(At {
            value,
            path: self.path,
        })?;
        leave(self.path);
        Ok(out)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum given as `"variant"` or `{"variant": content}`. The content's path goes through the
/// variant name, as in the JSON.
struct Variant<'p> {
    variant: String,
    value: Option<Json>,
    path: &'p mut Vec<Segment>,
}

impl<'de, 'p> EnumAccess<'de> for Variant<'p> {
    type Error = Error;
    type Variant = Content<'p>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Content<'p>), Error> {
        let tag = seed.deserialize(StrDeserializer::new(&self.variant))?;
        if self.value.is_some() {
            enter(self.path, Segment::Key(self.variant));
        }
        Ok((
            tag,
            Content {
                value: self.value,
                path: self.path,
            },
        ))
    }
}

struct Content<'p> {
    value: Option<Json>,
    path: &'p mut Vec<Segment>,
}

impl Content<'_> {
    fn read<T>(self, exp: &str, read: impl FnOnce(At<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let Some(value) = self.value else {
            return Err(de::Error::invalid_type(Unexpected::UnitVariant, &exp));
        };
        let out = read(At {
            value,
            path: self.path,
        })?;
        leave(self.path);
        Ok(out)
    }
}

impl<'de> VariantAccess<'de> for Content<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            None => Ok(()),
            Some(_) => self.read("unit variant", |at| de::Deserialize::deserialize(at)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        self.read("newtype variant", |at| seed.deserialize(at))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.read("tuple variant", |at| match at.value {
            Json::Array(items) => read_seq(at.path, items, visitor),
            other => Err(refusal(&other, &"tuple variant")),
        })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read("struct variant", |at| match at.value {
            Json::Object(entries) => read_map(at.path, entries, visitor),
            other => Err(refusal(&other, &"struct variant")),
        })
    }
}

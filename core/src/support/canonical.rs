//! Canonical JSON written straight from a `Serialize` value: object keys sorted (byte order),
//! no whitespace, scalars as serde_json writes them. The bytes are those of
//! `serde_json::to_value` followed by a sorted write, which is how the hash chain was first
//! defined, without building the `Value` tree: each object writes its members into one
//! buffer, then copies them out in key order. Used by the hash chain, once per event, and by
//! the definitions digest.

use serde::ser::{self, Serialize};
use std::borrow::Cow;

/// Why a value has no canonical form: a map key that is neither a string nor a scalar, or a
/// number serde_json cannot hold. Nothing civicflow hashes does this.
#[derive(Debug)]
pub(crate) struct NotCanonical(String);

impl std::fmt::Display for NotCanonical {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotCanonical {}

impl ser::Error for NotCanonical {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotCanonical(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, NotCanonical>;

/// Appends the canonical JSON of `value` to `out`, leaving out the top-level member `skip`
/// (the hash chain leaves out an event's own `hash`).
pub(crate) fn write<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
    skip: Option<&str>,
) -> Result {
    value.serialize(Canonical { out, skip })
}

/// Writes a scalar exactly as serde_json does.
fn scalar<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result {
    serde_json::to_writer(out, v).map_err(|e| NotCanonical(e.to_string()))
}

struct Canonical<'a> {
    out: &'a mut Vec<u8>,
    /// A member to leave out; only the top level has one.
    skip: Option<&'a str>,
}

/// An array being written: items go straight to the output.
struct Array<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// Set for a tuple variant: the array closes, then the object around it.
    variant: bool,
}

/// An object being written: members go to `buf` in the order given, then out sorted.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    skip: Option<&'a str>,
    buf: Vec<u8>,
    /// Each member's key and the range of its value in `buf`.
    members: Vec<(Cow<'static, str>, usize, usize)>,
    /// The key of the map entry whose value comes next.
    pending: Option<Cow<'static, str>>,
    /// Set for a struct variant: the object closes, then the object around it.
    variant: bool,
    /// Set for serde_json's arbitrary-precision number: its one member is the digits.
    number: bool,
}

/// The struct name serde_json gives a number under `arbitrary_precision`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl Object<'_> {
    fn member<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result {
        if self.skip == Some(&*key) {
            return Ok(());
        }
        let start = self.buf.len();
        value.serialize(Canonical {
            out: &mut self.buf,
            skip: None,
        })?;
        self.members.push((key, start, self.buf.len()));
        Ok(())
    }

    fn finish(self) -> Result {
        let Object {
            out,
            buf,
            mut members,
            variant,
            number,
            ..
        } = self;
        if number {
            // The digits, written as a JSON string: without their quotes.
            let digits = members
                .first()
                .and_then(|(_, start, end)| buf.get(*start..*end));
            let digits = digits.unwrap_or_default();
            out.extend_from_slice(
                digits
                    .get(1..digits.len().saturating_sub(1))
                    .unwrap_or_default(),
            );
            return Ok(());
        }
        // Stable: of equal keys, the last one given stands, as when a map is built.
        members.sort_by(|a, b| a.0.cmp(&b.0));
        out.push(b'{');
        let mut first = true;
        for (i, (key, start, end)) in members.iter().enumerate() {
            if members.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            scalar(out, &**key)?;
            out.push(b':');
            // Ranges of `buf` itself, recorded as it grew.
            out.extend_from_slice(buf.get(*start..*end).unwrap_or_default());
        }
        out.push(b'}');
        if variant {
            out.push(b'}');
        }
        Ok(())
    }
}

impl<'a> Canonical<'a> {
    fn object(self, variant: Option<&'static str>) -> Result<Object<'a>> {
        if let Some(name) = variant {
            self.out.push(b'{');
            scalar(self.out, name)?;
            self.out.push(b':');
        }
        Ok(Object {
            out: self.out,
            // Only the top level's own members are left out, not a variant's.
            skip: self.skip.filter(|_| variant.is_none()),
            buf: Vec::new(),
            members: Vec::new(),
            pending: None,
            variant: variant.is_some(),
            number: false,
        })
    }

    fn array(self, variant: Option<&'static str>) -> Result<Array<'a>> {
        if let Some(name) = variant {
            self.out.push(b'{');
            scalar(self.out, name)?;
            self.out.push(b':');
        }
        self.out.push(b'[');
        Ok(Array {
            out: self.out,
            first: true,
            variant: variant.is_some(),
        })
    }
}

macro_rules! scalars {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result {
            scalar(self.out, &v)
        })*
    };
}

impl<'a> ser::Serializer for Canonical<'a> {
    type Ok = ();
    type Error = NotCanonical;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    scalars!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f64: f64,
        serialize_char: char, serialize_str: &str);

    fn serialize_f32(self, v: f32) -> Result {
        // `to_value` keeps an f32 as the f64 it widens to.
        scalar(self.out, &f64::from(v))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result {
        scalar(self.out, v)
    }

    fn serialize_none(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.serialize_none()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        scalar(self.out, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        let mut object = self.object(None)?;
        object.member(Cow::Borrowed(variant), value)?;
        object.finish()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Array<'a>> {
        self.array(None)
    }

    fn serialize_tuple(self, _: usize) -> Result<Array<'a>> {
        self.array(None)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Array<'a>> {
        self.array(None)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Array<'a>> {
        self.array(Some(variant))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Object<'a>> {
        self.object(None)
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Object<'a>> {
        let mut object = self.object(None)?;
        // With serde_json's `arbitrary_precision` (which any crate of a host's build may turn
        // on), a `Value` number serializes as this struct holding its digits: written as the
        // number it is, as `to_value` would keep it.
        object.number = name == NUMBER_TOKEN;
        Ok(object)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'a>> {
        self.object(Some(variant))
    }
}

impl Array<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Canonical {
            out: self.out,
            skip: None,
        })
    }

    fn finish(self) -> Result {
        self.out.push(b']');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

macro_rules! array_impls {
    ($($trait:ident: $method:ident),*) => {
        $(impl ser::$trait for Array<'_> {
            type Ok = ();
            type Error = NotCanonical;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.item(value)
            }
            fn end(self) -> Result {
                self.finish()
            }
        })*
    };
}

array_impls!(SerializeSeq: serialize_element, SerializeTuple: serialize_element,
    SerializeTupleStruct: serialize_field, SerializeTupleVariant: serialize_field);

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = NotCanonical;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.pending = Some(Cow::Owned(key_string(key)?));
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        let key = self
            .pending
            .take()
            .ok_or_else(|| NotCanonical("a map value without its key".into()))?;
        self.member(key, value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

macro_rules! struct_impls {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Object<'_> {
            type Ok = ();
            type Error = NotCanonical;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result {
                self.member(Cow::Borrowed(key), value)
            }
            fn end(self) -> Result {
                self.finish()
            }
        })*
    };
}

struct_impls!(SerializeStruct, SerializeStructVariant);

/// A map key as `to_value` makes it: a string as is, a number or a boolean as its text.
fn key_string<T: Serialize + ?Sized>(key: &T) -> Result<String> {
    match serde_json::to_value(key).map_err(|e| NotCanonical(e.to_string()))? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        _ => Err(NotCanonical("a map key must be a string".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{json, Value};

    /// The first definition: `to_value`, then written with object keys sorted.
    fn reference<T: Serialize>(value: &T, skip: Option<&str>) -> Vec<u8> {
        fn sorted(v: &Value, out: &mut Vec<u8>) {
            match v {
                Value::Object(map) => {
                    let mut entries: Vec<_> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    out.push(b'{');
                    for (i, (k, v)) in entries.into_iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        serde_json::to_writer(&mut *out, k).unwrap();
                        out.push(b':');
                        sorted(v, out);
                    }
                    out.push(b'}');
                }
                Value::Array(items) => {
                    out.push(b'[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        sorted(v, out);
                    }
                    out.push(b']');
                }
                scalar => serde_json::to_writer(&mut *out, scalar).unwrap(),
            }
        }
        let mut v = serde_json::to_value(value).unwrap();
        if let (Some(map), Some(skip)) = (v.as_object_mut(), skip) {
            map.remove(skip);
        }
        let mut out = Vec::new();
        sorted(&v, &mut out);
        out
    }

    fn canonical<T: Serialize>(value: &T, skip: Option<&str>) -> Vec<u8> {
        let mut out = Vec::new();
        write(value, &mut out, skip).unwrap();
        out
    }

    #[derive(Serialize)]
    enum Kind {
        Unit,
        Newtype(u8),
        Tuple(i64, &'static str),
        Struct { z: bool, a: Option<f64> },
    }

    #[derive(Serialize)]
    struct Record {
        seq: u64,
        hash: &'static str,
        kind: Vec<Kind>,
        at: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        float: f32,
        map: std::collections::BTreeMap<u32, char>,
        #[serde(flatten)]
        extra: std::collections::BTreeMap<String, Value>,
    }

    #[test]
    fn every_shape_is_written_as_the_value_route_writes_it() {
        let record = Record {
            seq: 7,
            hash: "ab",
            kind: vec![
                Kind::Unit,
                Kind::Newtype(3),
                Kind::Tuple(-4, "x\"\u{1}é"),
                Kind::Struct {
                    z: true,
                    a: Some(f64::NAN),
                },
                Kind::Struct {
                    z: false,
                    a: Some(0.1),
                },
            ],
            at: None,
            unit: None,
            float: 1.1,
            map: [(10, 'b'), (9, 'a')].into_iter().collect(),
            extra: [("b".to_owned(), json!({"y": [1, {"b": 2, "a": null}]}))]
                .into_iter()
                .collect(),
        };
        for skip in [None, Some("hash"), Some("kind")] {
            assert_eq!(
                String::from_utf8(canonical(&record, skip)).unwrap(),
                String::from_utf8(reference(&record, skip)).unwrap()
            );
        }
        // Only the top level leaves a member out, not a member of a variant at the top.
        let nested = json!({"hash": 1, "x": {"hash": 2}});
        assert_eq!(canonical(&nested, Some("hash")), br#"{"x":{"hash":2}}"#);
        #[derive(Serialize)]
        enum Top {
            V { hash: u8, x: u8 },
        }
        let top = Top::V { hash: 1, x: 2 };
        assert_eq!(canonical(&top, Some("hash")), reference(&top, Some("hash")));
    }

    /// A number as serde_json serializes it under `arbitrary_precision`.
    struct Digits(&'static str);

    impl Serialize for Digits {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut number = s.serialize_struct(NUMBER_TOKEN, 1)?;
            number.serialize_field(NUMBER_TOKEN, self.0)?;
            number.end()
        }
    }

    #[test]
    fn an_arbitrary_precision_number_is_written_as_a_number() {
        let mut map = std::collections::BTreeMap::new();
        map.insert("b", Digits("1.50"));
        map.insert("a", Digits("-7"));
        assert_eq!(canonical(&map, None), br#"{"a":-7,"b":1.50}"#);
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map(".{0,4}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        // No failure file: Miri, which runs these unit tests, cannot read the working
        // directory; and few cases there, where each one is slow.
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            cases: if cfg!(miri) { 4 } else { 256 },
            ..ProptestConfig::default()
        })]
        #[test]
        fn any_json_is_written_as_the_value_route_writes_it(v in json_value()) {
            prop_assert_eq!(canonical(&v, Some("hash")), reference(&v, Some("hash")));
        }
    }
}

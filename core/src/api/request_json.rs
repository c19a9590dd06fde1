//! Reading a request's JSON under the limits: nesting depth, string lengths, and no repeated
//! keys, checked while the document is read so that nothing past a limit is ever built.
//!
//! serde_json keeps the last of repeated keys without a word. Two systems reading the same
//! request (a gateway that logs it, the engine that runs it) could then disagree about what it
//! says, so a request with a repeated key is refused.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};

use crate::api::RequestError;
use crate::error::escape_pointer;
use crate::limits::Limits;

/// Parses request text into JSON under `limits`.
///
/// # Errors
/// `request.invalid_json`, `request.too_deep`, `request.string_too_long` or
/// `request.duplicate_key` (the last three with the JSON Pointer of the place).
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Json, RequestError> {
    let fault = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let read = Node::root(limits, &fault)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    finish(read, fault)
}

/// Checks JSON a caller built in memory as [`parse`] checks text (repeated keys cannot occur).
///
/// # Errors
/// `request.too_deep` or `request.string_too_long`.
pub(crate) fn recheck(value: Json, limits: &Limits) -> Result<Json, RequestError> {
    let fault = RefCell::new(None);
    let read = Node::root(limits, &fault).deserialize(value);
    finish(read, fault)
}

fn finish(
    read: Result<Json, serde_json::Error>,
    fault: RefCell<Option<Fault>>,
) -> Result<Json, RequestError> {
    match (read, fault.into_inner()) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(f)) => Err(f.into_error()),
        (Err(e), None) => Err(RequestError::InvalidJson {
            message: e.to_string(),
        }),
    }
}

enum Kind {
    TooDeep,
    StringTooLong { size: usize },
    DuplicateKey { key: String },
}

/// The limit that stopped the read, and the path to it, innermost segment first (each level
/// adds its own on the way out).
struct Fault {
    kind: Kind,
    limit: usize,
    path: Vec<String>,
}

impl Fault {
    fn into_error(self) -> RequestError {
        let path: String = self
            .path
            .iter()
            .rev()
            .map(|s| format!("/{}", escape_pointer(s)))
            .collect();
        let limit = self.limit;
        match self.kind {
            Kind::TooDeep => RequestError::TooDeep { limit, path },
            Kind::StringTooLong { size } => RequestError::StringTooLong { size, limit, path },
            Kind::DuplicateKey { key } => RequestError::DuplicateKey { key, path },
        }
    }
}

#[derive(Clone, Copy)]
struct Node<'a> {
    limits: &'a Limits,
    depth: usize,
    fault: &'a RefCell<Option<Fault>>,
}

impl<'a> Node<'a> {
    fn root(limits: &'a Limits, fault: &'a RefCell<Option<Fault>>) -> Self {
        Node {
            limits,
            depth: 0,
            fault,
        }
    }

    fn fail<E: de::Error>(&self, kind: Kind, limit: usize) -> E {
        *self.fault.borrow_mut() = Some(Fault {
            kind,
            limit,
            path: Vec::new(),
        });
        E::custom("a request limit was exceeded")
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<(), E> {
        let limit = self.limits.max_string_bytes;
        if s.len() > limit {
            return Err(self.fail(Kind::StringTooLong { size: s.len() }, limit));
        }
        Ok(())
    }

    fn enter<E: de::Error>(&self) -> Result<Node<'a>, E> {
        let limit = self.limits.max_depth;
        if self.depth >= limit {
            return Err(self.fail(Kind::TooDeep, limit));
        }
        Ok(Node {
            depth: self.depth + 1,
            ..*self
        })
    }

    /// Adds `segment` to the path of a fault raised below.
    fn under<T, E>(&self, segment: impl FnOnce() -> String, r: Result<T, E>) -> Result<T, E> {
        if r.is_err() {
            if let Some(f) = self.fault.borrow_mut().as_mut() {
                f.path.push(segment());
            }
        }
        r
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        self.string(v)?;
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        self.string(&v)?;
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let inner = self.enter()?;
        let mut out = Vec::new();
        while let Some(v) = self.under(|| out.len().to_string(), seq.next_element_seed(inner))? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let inner = self.enter()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key(self))? {
            if out.contains_key(&key) {
                return Err(self.fail(Kind::DuplicateKey { key }, 1));
            }
            let value = map.next_value_seed(inner);
            let value = self.under(|| key.clone(), value)?;
            out.insert(key, value);
        }
        Ok(Json::Object(out))
    }
}

/// An object key, held to the string limit.
struct Key<'a>(Node<'a>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.0.string(v)?;
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.0.string(&v)?;
        Ok(v)
    }
}

// The limits a request is read against: its size, and a patch of them sent by `set_limits`.
impl Limits {
    /// Checks the size of a request: `request.too_large` when it is over the limit.
    ///
    /// # Errors
    /// [`RequestError::TooLarge`] when `size` exceeds `max_request_bytes`.
    pub fn check_size(&self, size: usize) -> Result<(), RequestError> {
        if size > self.max_request_bytes {
            return Err(RequestError::TooLarge {
                size,
                limit: self.max_request_bytes,
            });
        }
        Ok(())
    }

    /// These limits with the limits named in `patch` (a JSON object, any subset of the keys)
    /// replaced, after checking each: a whole number from 1 to its ceiling.
    ///
    /// # Errors
    /// `request.invalid` naming the key (under `/limits`) that is unknown or out of range.
    pub fn patched(&self, patch: &Map<String, Json>) -> Result<Limits, RequestError> {
        let mut next = self.clone();
        for (key, value) in patch {
            let path = format!("/limits/{}", crate::error::escape_pointer(key));
            let Some(&(name, ceiling)) =
                crate::limits::CEILINGS.iter().find(|(name, _)| name == key)
            else {
                let known: Vec<String> = crate::limits::CEILINGS
                    .iter()
                    .map(|(n, _)| (*n).to_owned())
                    .collect();
                return Err(RequestError::Invalid {
                    message: format!(
                        "unknown limit `{key}`, expected one of {}",
                        crate::error::quoted_list(&known)
                    ),
                    path,
                });
            };
            let n = value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (1..=ceiling).contains(n))
                .ok_or_else(|| RequestError::Invalid {
                    message: format!(
                        "`{name}` is a whole number from 1 to {ceiling}, found {value}"
                    ),
                    path: path.clone(),
                })?;
            *next.slot(name) = n;
        }
        Ok(next)
    }

    /// Checks every limit against its ceiling, as [`Limits::patched`] does.
    ///
    /// # Errors
    /// `request.invalid` naming the first limit out of range.
    pub fn checked(self) -> Result<Limits, RequestError> {
        let all = match serde_json::to_value(&self) {
            Ok(Json::Object(map)) => map,
            _ => Map::new(),
        };
        Limits::default().patched(&all)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::error::Coded;
    use serde_json::json;

    fn code(r: Result<Json, RequestError>) -> (String, Option<String>) {
        let d = r.unwrap_err().detail("");
        (d.code, d.path)
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, true, null, "中文", {"b": {}}], "c": "\u0041"}"#;
        let l = Limits::default();
        assert_eq!(
            parse(text, &l).unwrap(),
            serde_json::from_str::<Json>(text).unwrap()
        );
        let v: Json = serde_json::from_str(text).unwrap();
        assert_eq!(recheck(v.clone(), &l).unwrap(), v);
    }

    #[test]
    fn limits_name_the_place() {
        let l = Limits {
            max_depth: 3,
            max_string_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(parse(r#"{"a": [[1]]}"#, &l).unwrap(), json!({"a": [[1]]}));
        let deep = code(parse(r#"{"a": [[[1]]]}"#, &l));
        assert_eq!(deep, ("request.too_deep".into(), Some("/a/0/0".into())));
        let long = code(parse(r#"{"a": ["x", "12345"]}"#, &l));
        assert_eq!(
            long,
            ("request.string_too_long".into(), Some("/a/1".into()))
        );
        let key = code(parse(r#"{"a": {"12345": 1}}"#, &l));
        assert_eq!(key, ("request.string_too_long".into(), Some("/a".into())));
        let dup = code(parse(r#"{"a": {"k": 1, "k": 2}}"#, &l));
        assert_eq!(dup, ("request.duplicate_key".into(), Some("/a".into())));
        let in_memory = code(recheck(json!({"a/b": [[[1]]]}), &l));
        assert_eq!(
            in_memory,
            ("request.too_deep".into(), Some("/a~1b/0/0".into()))
        );
        // Escapes count as what they decode to.
        assert!(parse(r#"["\u4e2d"]"#, &l).is_ok());
    }

    #[test]
    fn syntax_errors_stay_syntax_errors() {
        let l = Limits::default();
        for text in ["{", "[1,]", "NaN", "1e400", "{} x", ""] {
            assert_eq!(code(parse(text, &l)).0, "request.invalid_json", "{text}");
        }
        // Nesting far past serde_json's own guard still answers as too deep.
        let text = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(code(parse(&text, &l)).0, "request.too_deep");
    }
}

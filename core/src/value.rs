//! Typed case field values.
//!
//! JSON has no datetime and one number type; a case field is typed by its declaration, so a
//! value is read from JSON *against* a field kind and written back untyped.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{escape_pointer, quoted_list, ErrorDetail};

/// The latest instant accepted, in UTC milliseconds: 9999-12-01T00:00:00Z. Every instant in
/// range can be placed on a calendar (years -9999 to 9999), with a month to spare for
/// deadlines, and is exactly representable as a JavaScript number and `Date`.
pub const MAX_INSTANT: i64 = 253_399_622_400_000;
/// The earliest instant accepted: -9999-02-01T00:00:00Z.
pub const MIN_INSTANT: i64 = -377_702_438_400_000;

/// Longest `string` field value, in bytes. Longer free text belongs in a `text` field.
pub const MAX_STRING_BYTES: usize = 1024;

/// The declared type of a case field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A short single-line string (at most [`MAX_STRING_BYTES`]).
    String,
    /// Free text of any length, newlines allowed.
    Text,
    /// A finite number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An instant, as UTC milliseconds since the epoch (an integer).
    Datetime,
    /// One string out of the field's declared `values`.
    Enum,
    /// A list of strings.
    List,
}

impl FieldKind {
    /// The name used in definitions.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::String => "string",
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Boolean => "boolean",
            FieldKind::Datetime => "datetime",
            FieldKind::Enum => "enum",
            FieldKind::List => "list",
        }
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case field value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A `string`, `text` or `enum` value.
    Str(Box<str>),
    /// A `number` value (always finite).
    Num(f64),
    /// A `boolean` value.
    Bool(bool),
    /// A `datetime` value, UTC milliseconds.
    Time(i64),
    /// A `list` value.
    List(Box<[Box<str>]>),
}

impl Value {
    /// Reads a JSON value as a value of field `field` of kind `kind`. `values` are the allowed
    /// values of an enum field.
    ///
    /// # Errors
    /// [`FieldProblem::WrongType`], [`FieldProblem::InvalidEnumValue`] or
    /// [`FieldProblem::InvalidValue`] when the JSON does not fit the kind.
    pub fn from_json(
        field: &str,
        kind: FieldKind,
        values: &[Box<str>],
        json: &serde_json::Value,
    ) -> Result<Value, FieldProblem> {
        use serde_json::Value as J;
        let wrong = || FieldProblem::WrongType {
            field: field.to_owned(),
            expected: kind,
            found: json_type_name(json),
        };
        let value = match (kind, json) {
            (FieldKind::String | FieldKind::Text | FieldKind::Enum, J::String(s)) => {
                Value::Str(s.as_str().into())
            }
            (FieldKind::Number, J::Number(n)) => Value::Num(n.as_f64().ok_or_else(wrong)?),
            (FieldKind::Boolean, J::Bool(b)) => Value::Bool(*b),
            (FieldKind::Datetime, J::Number(n)) => Value::Time(n.as_i64().ok_or_else(wrong)?),
            (FieldKind::List, J::Array(items)) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        J::String(s) => list.push(s.as_str().into()),
                        _ => return Err(wrong()),
                    }
                }
                Value::List(list.into_boxed_slice())
            }
            _ => return Err(wrong()),
        };
        value.check(field, kind, values)?;
        Ok(value)
    }

    /// Checks that a value fits a field of kind `kind` (`values`: an enum's allowed values).
    ///
    /// # Errors
    /// As [`Value::from_json`].
    pub fn check(
        &self,
        field: &str,
        kind: FieldKind,
        values: &[Box<str>],
    ) -> Result<(), FieldProblem> {
        let invalid = |reason| {
            Err(FieldProblem::InvalidValue {
                field: field.to_owned(),
                reason,
            })
        };
        match (kind, self) {
            (FieldKind::String, Value::Str(s)) => {
                if s.len() > MAX_STRING_BYTES {
                    return invalid("a string field holds at most 1024 bytes; use a text field");
                }
                if s.contains(['\n', '\r']) {
                    return invalid("a string field holds one line; use a text field");
                }
                Ok(())
            }
            (FieldKind::Text, Value::Str(_)) => Ok(()),
            (FieldKind::Enum, Value::Str(s)) => {
                if values.iter().any(|v| v == s) {
                    Ok(())
                } else {
                    Err(FieldProblem::InvalidEnumValue {
                        field: field.to_owned(),
                        value: s.to_string(),
                        allowed: values.iter().map(|v| v.to_string()).collect(),
                    })
                }
            }
            (FieldKind::Number, Value::Num(n)) => {
                if n.is_finite() {
                    Ok(())
                } else {
                    invalid("a number must be finite")
                }
            }
            (FieldKind::Boolean, Value::Bool(_)) => Ok(()),
            (FieldKind::Datetime, Value::Time(t)) => {
                if (MIN_INSTANT..=MAX_INSTANT).contains(t) {
                    Ok(())
                } else {
                    invalid("a datetime lies between the years -9999 and 9999")
                }
            }
            (FieldKind::List, Value::List(_)) => Ok(()),
            _ => Err(FieldProblem::WrongType {
                field: field.to_owned(),
                expected: kind,
                found: self.type_name(),
            }),
        }
    }

    /// The untyped JSON form. Integral numbers are written as integers, so `3` reads back as `3`
    /// in every language, not `3.0`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Str(s) => J::String(s.to_string()),
            Value::Num(n) => number_json(*n),
            Value::Bool(b) => J::Bool(*b),
            Value::Time(t) => J::from(*t),
            Value::List(items) => {
                J::Array(items.iter().map(|s| J::String(s.to_string())).collect())
            }
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Num(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Time(_) => "a datetime",
            Value::List(_) => "a list",
        }
    }
}

/// Largest integer that an IEEE double (and so JavaScript) represents exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn number_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        // Exact: |n| <= 2^53 and integral, so the cast loses nothing.
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

pub(crate) fn json_type_name(json: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
    match json {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// Where a case field value came from: the fields given at opening, or a command's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldSource {
    /// The `fields` of an `open_case`.
    Fields,
    /// The `payload` of an `apply`.
    Payload,
}

impl FieldSource {
    fn pointer(self) -> &'static str {
        match self {
            FieldSource::Fields => "/fields",
            FieldSource::Payload => "/payload",
        }
    }
}

/// What is wrong with one field value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldProblem {
    /// The workflow declares no such field.
    #[error("unknown field `{field}`")]
    Unknown {
        /// The field id given.
        field: String,
    },
    /// A field required at opening is absent.
    #[error("required field `{field}` is missing")]
    Missing {
        /// The field id.
        field: String,
    },
    /// A payload field the transition requires is absent.
    #[error("transition `{transition}` requires `{field}` in the payload")]
    MissingPayload {
        /// The field id.
        field: String,
        /// The transition.
        transition: String,
    },
    /// The value has the wrong JSON type.
    #[error("field `{field}` expects {expected}, found {found}")]
    WrongType {
        /// The field id.
        field: String,
        /// The declared type.
        expected: FieldKind,
        /// What was found.
        found: &'static str,
    },
    /// An enum field got a value it does not list.
    #[error("`{value}` is not a value of field `{field}`")]
    InvalidEnumValue {
        /// The field id.
        field: String,
        /// The value given.
        value: String,
        /// The values allowed.
        allowed: Vec<String>,
    },
    /// The value has the right type but is out of range.
    #[error("field `{field}`: {reason}")]
    InvalidValue {
        /// The field id.
        field: String,
        /// Why it is rejected.
        reason: &'static str,
    },
}

impl FieldProblem {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FieldProblem::Unknown { .. } => "case.unknown_field",
            FieldProblem::Missing { .. } => "case.missing_field",
            FieldProblem::MissingPayload { .. } => "case.missing_payload",
            FieldProblem::WrongType { .. } => "case.field_type",
            FieldProblem::InvalidEnumValue { .. } => "case.invalid_enum_value",
            FieldProblem::InvalidValue { .. } => "case.invalid_value",
        }
    }

    fn field(&self) -> &str {
        match self {
            FieldProblem::Unknown { field }
            | FieldProblem::Missing { field }
            | FieldProblem::MissingPayload { field, .. }
            | FieldProblem::WrongType { field, .. }
            | FieldProblem::InvalidEnumValue { field, .. }
            | FieldProblem::InvalidValue { field, .. } => field,
        }
    }

    pub(crate) fn located(&self, source: FieldSource) -> ErrorDetail {
        let help = match self {
            FieldProblem::InvalidEnumValue { allowed, .. } => {
                Some(format!("allowed values: {}", quoted_list(allowed)))
            }
            _ => None,
        };
        ErrorDetail::new(self.code(), self.to_string())
            .at(format!(
                "{}/{}",
                source.pointer(),
                escape_pointer(self.field())
            ))
            .help(help)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_instant_range_is_calendar_computable() {
        for at in [MIN_INSTANT, MAX_INSTANT] {
            let ts = jiff::Timestamp::from_millisecond(at).unwrap();
            // A month either side still converts, with any offset.
            assert!(ts
                .checked_add(jiff::SignedDuration::from_hours(24 * 28))
                .is_ok());
            assert!(ts
                .checked_sub(jiff::SignedDuration::from_hours(24 * 28))
                .is_ok());
        }
        assert_eq!(
            jiff::Timestamp::from_millisecond(MAX_INSTANT)
                .unwrap()
                .to_string(),
            "9999-12-01T00:00:00Z"
        );
        assert_eq!(
            jiff::Timestamp::from_millisecond(MIN_INSTANT)
                .unwrap()
                .to_string(),
            "-009999-02-01T00:00:00Z"
        );
    }

    #[test]
    fn integral_numbers_serialize_as_integers() {
        assert_eq!(Value::Num(3.0).to_json(), json!(3));
        assert_eq!(Value::Num(2.5).to_json(), json!(2.5));
        assert_eq!(Value::Num(-0.0).to_json(), json!(0));
    }

    #[test]
    fn datetime_needs_an_integer_in_range() {
        assert!(Value::from_json("t", FieldKind::Datetime, &[], &json!(1.5)).is_err());
        assert!(Value::from_json("t", FieldKind::Datetime, &[], &json!(MAX_INSTANT + 1)).is_err());
        assert!(Value::from_json("t", FieldKind::Datetime, &[], &json!(MIN_INSTANT - 1)).is_err());
        assert_eq!(
            Value::from_json("t", FieldKind::Datetime, &[], &json!(5)),
            Ok(Value::Time(5))
        );
    }

    #[test]
    fn string_is_one_line_text_is_not() {
        assert!(Value::from_json("s", FieldKind::String, &[], &json!("a\nb")).is_err());
        assert!(Value::from_json("s", FieldKind::Text, &[], &json!("a\nb")).is_ok());
    }

    #[test]
    fn enum_values_are_checked() {
        let values: Vec<Box<str>> = vec!["a".into(), "b".into()];
        assert!(Value::from_json("e", FieldKind::Enum, &values, &json!("b")).is_ok());
        let err = Value::from_json("e", FieldKind::Enum, &values, &json!("c")).unwrap_err();
        assert_eq!(err.code(), "case.invalid_enum_value");
    }

    #[test]
    fn lists_hold_only_strings() {
        let err = Value::from_json("l", FieldKind::List, &[], &json!(["a", 1])).unwrap_err();
        assert_eq!(err.code(), "case.field_type");
    }
}

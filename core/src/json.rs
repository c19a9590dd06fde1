//! Reading typed values out of JSON with the place of the first problem as a JSON Pointer.

use serde::de::DeserializeOwned;

use crate::error::escape_pointer;

/// Reads `T` from `value`; on error, the message and the JSON Pointer (under `prefix`) of the
/// first problem.
pub(crate) fn read<T: DeserializeOwned>(
    value: serde_json::Value,
    prefix: &str,
) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = prefix.to_owned();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => path.push_str(&format!("/{index}")),
                Segment::Map { key } => path.push_str(&format!("/{}", escape_pointer(key))),
                Segment::Enum { variant } => {
                    path.push_str(&format!("/{}", escape_pointer(variant)))
                }
                Segment::Unknown => {}
            }
        }
        (e.into_inner().to_string(), path)
    })
}

//! Helpers every layer may use: the JSON reader with paths.

pub(crate) mod json;

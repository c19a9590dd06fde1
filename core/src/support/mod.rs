//! Helpers every layer may use: the id alphabets, the Fx hash map and the JSON reader with
//! paths. Nothing here knows about calendars, workflows or cases.

pub(crate) mod canonical;
pub(crate) mod fx;
pub(crate) mod ids;
pub(crate) mod json;

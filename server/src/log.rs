//! Structured logs: one JSON object per line on standard error, with `ts`, `level` and `msg`
//! and the event's own fields, for any log shipper to read.

use serde_json::{Map, Value as Json};

/// Writes one log line.
pub fn event(level: &str, msg: &str, fields: Json) {
    let mut line = Map::new();
    line.insert(
        "ts".into(),
        Json::String(jiff::Timestamp::now().to_string()),
    );
    line.insert("level".into(), Json::String(level.into()));
    line.insert("msg".into(), Json::String(msg.into()));
    if let Json::Object(fields) = fields {
        line.extend(fields);
    }
    eprintln!("{}", Json::Object(line));
}

pub fn info(msg: &str, fields: Json) {
    event("info", msg, fields);
}

pub fn warn(msg: &str, fields: Json) {
    event("warn", msg, fields);
}

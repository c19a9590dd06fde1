//! The hash chain that makes a history tamper-evident.
//!
//! Each event's hash is SHA-256 over the previous event's hash (32 zero bytes before the
//! first) followed by the event's canonical encoding: its JSON form without `hash`, object keys
//! sorted, no whitespace, numbers as serde_json writes them. Changing, removing, reordering or
//! inserting an event changes the hash of that event and of every one after it; the last hash
//! (the head) exported and kept elsewhere also reveals events cut from the end.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::case::EventRecord;
use crate::case::HistoryError;

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// How far a case's chain has been computed: the hash of its first `events` events. Hashes are
/// a pure function of the events, so a case computes them only when an answer shows them (the
/// JSON ops, `history`, snapshots), never on the typed hot path; see `docs/performance.md`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HashedPrefix {
    pub events: usize,
    pub head: [u8; 32],
}

impl Default for HashedPrefix {
    fn default() -> Self {
        HashedPrefix {
            events: 0,
            head: GENESIS,
        }
    }
}

/// The hash of `record` after `prev`. The record's own `hash` is left out.
pub(crate) fn link(prev: &[u8; 32], record: &EventRecord) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    let mut value = serde_json::to_value(record).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("hash");
    }
    let mut bytes = Vec::with_capacity(256);
    canonical(&value, &mut bytes);
    hasher.update(&bytes);
    hasher.finalize().into()
}

/// Writes `value` with object keys sorted. serde_json sorts them already unless a crate turns
/// on its `preserve_order` feature; the chain must not depend on what else is linked in.
pub(crate) fn canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // A string always serializes.
                let _ = serde_json::to_writer(&mut *out, k);
                out.push(b':');
                canonical(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(v, out);
            }
            out.push(b']');
        }
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// Lower-case hexadecimal.
pub fn hex(hash: &[u8; 32]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(64);
    for b in hash {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// What `verify_history` found: an intact chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Verified {
    /// Number of events.
    pub events: usize,
    /// The hash of the last event, to anchor outside the engine.
    pub head: String,
}

/// Checks a history's sequence numbers and hash chain, and its head against `head` when the
/// host kept one. Pure: no engine, no workflow needed.
///
/// # Errors
/// The first bad position: `history.empty`, `history.bad_sequence`, `history.hash_missing`,
/// `history.hash_mismatch`, `history.head_mismatch`.
pub fn verify_history(
    history: &[EventRecord],
    head: Option<&str>,
) -> Result<Verified, HistoryError> {
    if history.is_empty() {
        return Err(HistoryError::Empty);
    }
    let mut prev = GENESIS;
    for (index, record) in history.iter().enumerate() {
        if record.seq() != index as u64 {
            return Err(HistoryError::BadSequence {
                index,
                reason: "`seq` must count up by one from 0",
            });
        }
        let Some(recorded) = record.hash() else {
            return Err(HistoryError::HashMissing { index });
        };
        let hash = link(&prev, record);
        if recorded != hex(&hash) {
            return Err(HistoryError::HashMismatch { index });
        }
        prev = hash;
    }
    let found = hex(&prev);
    if let Some(expected) = head.filter(|h| *h != found) {
        return Err(HistoryError::HeadMismatch {
            expected: expected.to_owned(),
            found,
        });
    }
    Ok(Verified {
        events: history.len(),
        head: found,
    })
}

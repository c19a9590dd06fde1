//! The hash chain that makes a history tamper-evident.
//!
//! Each event's hash is SHA-256 over the previous event's hash (32 zero bytes before the
//! first) followed by the event's canonical encoding: its JSON form without `hash`, object keys
//! sorted, no whitespace, numbers as serde_json writes them (written straight from the record
//! by [`crate::support::canonical`], with no JSON `Value` in between). Changing, removing, reordering or
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
    let mut bytes = Vec::with_capacity(256);
    // An event record always has a canonical form: string keys, integers and strings. Were
    // it ever refused, the event would count as `null`, as `to_value` failing did before.
    if crate::support::canonical::write(record, &mut bytes, Some("hash")).is_err() {
        bytes.clear();
        bytes.extend_from_slice(b"null");
    }
    hasher.update(&bytes);
    hasher.finalize().into()
}

/// Lower-case hexadecimal.
pub fn hex(hash: &[u8; 32]) -> String {
    // A nibble is below 16, so `from_digit` always gives a digit.
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut s = String::with_capacity(64);
    for &b in hash {
        s.push(digit(b >> 4));
        s.push(digit(b & 15));
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

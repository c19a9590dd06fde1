//! Status codes returned by every fallible function.

use civicflow_core::ReplyStatus;

/// What a call did. `CF_OK` is 0; every other value is a failure. Values are fixed forever:
/// new codes get new numbers and retired ones are never reused.
///
/// Statuses marked *answered* come with a JSON answer in `*response` (`"ok": false` and its
/// `errors`); the others leave `*response` NULL and describe the failure in `cf_last_error`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum cf_status {
    /// Success. Answered (`"ok": true`).
    CF_OK = 0,
    /// A required pointer argument was NULL. Not answered.
    CF_ERR_NULL_ARGUMENT = 1,
    /// The request, or a string argument, is not UTF-8 (`request.invalid_utf8`). Answered.
    CF_ERR_INVALID_UTF8 = 2,
    /// The request is not JSON (`request.invalid_json`). Answered.
    CF_ERR_INVALID_JSON = 3,
    /// The input is past a size limit of the engine: its length (`request.too_large`), its
    /// nesting (`request.too_deep`) or one string in it (`request.string_too_long`). Answered.
    CF_ERR_TOO_LARGE = 4,
    /// The JSON is not a request: unknown op, missing or mistyped key (`request.invalid`), a
    /// key repeated in an object (`request.duplicate_key`). Answered.
    CF_ERR_INVALID_REQUEST = 5,
    /// The engine refused a well-formed request: unknown case, forbidden role, failed guard,
    /// closed case, ... Answered; nothing changed.
    CF_ERR_REJECTED = 6,
    /// civicflow panicked (a bug). The panic was caught at the boundary; the engine it ran on
    /// is now poisoned. Not answered.
    CF_ERR_PANIC = 7,
    /// The engine was poisoned by an earlier panic and refuses every call; free it and build a
    /// new one from your stored snapshot or histories. Not answered.
    CF_ERR_POISONED = 8,
    /// An argument is out of its documented range (for example a limit of 0). Not answered.
    CF_ERR_INVALID_ARGUMENT = 9,
    /// `cf_last_error`: the buffer was too small; it holds the longest prefix that fits, cut at
    /// a character boundary and NUL-terminated.
    CF_ERR_TRUNCATED = 10,
}

/// Every status, in value order, with its name as the header spells it.
pub const ALL_STATUSES: [(cf_status, &str); 11] = [
    (cf_status::CF_OK, "CF_OK"),
    (cf_status::CF_ERR_NULL_ARGUMENT, "CF_ERR_NULL_ARGUMENT"),
    (cf_status::CF_ERR_INVALID_UTF8, "CF_ERR_INVALID_UTF8"),
    (cf_status::CF_ERR_INVALID_JSON, "CF_ERR_INVALID_JSON"),
    (cf_status::CF_ERR_TOO_LARGE, "CF_ERR_TOO_LARGE"),
    (cf_status::CF_ERR_INVALID_REQUEST, "CF_ERR_INVALID_REQUEST"),
    (cf_status::CF_ERR_REJECTED, "CF_ERR_REJECTED"),
    (cf_status::CF_ERR_PANIC, "CF_ERR_PANIC"),
    (cf_status::CF_ERR_POISONED, "CF_ERR_POISONED"),
    (
        cf_status::CF_ERR_INVALID_ARGUMENT,
        "CF_ERR_INVALID_ARGUMENT",
    ),
    (cf_status::CF_ERR_TRUNCATED, "CF_ERR_TRUNCATED"),
];

impl From<ReplyStatus> for cf_status {
    fn from(status: ReplyStatus) -> Self {
        match status {
            ReplyStatus::Ok => cf_status::CF_OK,
            ReplyStatus::TooLarge => cf_status::CF_ERR_TOO_LARGE,
            ReplyStatus::InvalidUtf8 => cf_status::CF_ERR_INVALID_UTF8,
            ReplyStatus::InvalidJson => cf_status::CF_ERR_INVALID_JSON,
            ReplyStatus::InvalidRequest => cf_status::CF_ERR_INVALID_REQUEST,
            // ReplyStatus is non-exhaustive: a future kind of refusal is still a refusal.
            _ => cf_status::CF_ERR_REJECTED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_unique_in_order_and_named_as_declared() {
        for (i, (status, name)) in ALL_STATUSES.iter().enumerate() {
            assert_eq!(*status as usize, i, "{name}");
            assert_eq!(format!("{status:?}"), *name);
        }
        // A new variant must be added to ALL_STATUSES: this match stops compiling otherwise.
        let count = |s: cf_status| match s {
            cf_status::CF_OK
            | cf_status::CF_ERR_NULL_ARGUMENT
            | cf_status::CF_ERR_INVALID_UTF8
            | cf_status::CF_ERR_INVALID_JSON
            | cf_status::CF_ERR_TOO_LARGE
            | cf_status::CF_ERR_INVALID_REQUEST
            | cf_status::CF_ERR_REJECTED
            | cf_status::CF_ERR_PANIC
            | cf_status::CF_ERR_POISONED
            | cf_status::CF_ERR_INVALID_ARGUMENT
            | cf_status::CF_ERR_TRUNCATED => 11,
        };
        assert_eq!(count(cf_status::CF_OK), ALL_STATUSES.len());
    }

    #[test]
    fn the_docs_list_every_status_with_its_value() {
        let docs = include_str!("../../docs/c-api.md");
        let rows: Vec<(String, usize)> = docs
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                let value = cells.get(2)?.parse().ok()?;
                name.starts_with("CF_").then(|| (name.to_owned(), value))
            })
            .collect();
        let expected: Vec<(String, usize)> = ALL_STATUSES
            .iter()
            .map(|(s, n)| ((*n).to_owned(), *s as usize))
            .collect();
        assert_eq!(rows, expected);
    }
}

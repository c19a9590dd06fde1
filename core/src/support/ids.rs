//! The id alphabets, one validator each. Every id a caller gives is checked by one of these, so
//! the same kind of id follows the same rule everywhere.
//!
//! - symbols (states, transitions, fields, roles, SLA rules): `[A-Za-z_][A-Za-z0-9_]*`;
//! - document ids (workflows, calendars): `[A-Za-z0-9_.-]+`;
//! - names (cases, actors, channels, units): any text without control characters.
//!
//! Symbols and document ids are at most [`MAX_ID_BYTES`]; names have a limit per kind.

/// Longest state, transition, field, role, workflow or calendar id, in bytes.
pub const MAX_ID_BYTES: usize = 64;

/// Why a symbol is refused, or `None` when it is a valid one.
pub(crate) fn bad_symbol(id: &str) -> Option<&'static str> {
    let mut chars = id.chars();
    match chars.next() {
        None => Some("ids are not empty"),
        Some(_) if id.len() > MAX_ID_BYTES => Some("ids are at most 64 bytes"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => Some("ids start with a letter or `_`"),
        Some(_) if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Some("ids use only ASCII letters, digits and `_`")
        }
        Some(_) => None,
    }
}

/// Why a document id is refused, or `None` when it is a valid one.
pub(crate) fn bad_document_id(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("ids are not empty")
    } else if id.len() > MAX_ID_BYTES {
        Some("ids are at most 64 bytes")
    } else if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        Some("workflow ids use only ASCII letters, digits, `_`, `-` and `.`")
    } else {
        None
    }
}

/// What is wrong with a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameProblem {
    /// It is empty.
    Empty,
    /// It is longer than its limit.
    TooLong,
    /// It holds a control character.
    Control,
}

/// What is wrong with a name of at most `max` bytes, or `None` when nothing is. Inlined: it is
/// on every command's path, called from other modules.
#[inline]
pub(crate) fn bad_name(s: &str, max: usize) -> Option<NameProblem> {
    if s.is_empty() {
        Some(NameProblem::Empty)
    } else if s.len() > max {
        Some(NameProblem::TooLong)
    } else if has_control(s) {
        Some(NameProblem::Control)
    } else {
        None
    }
}

/// Whether `s` holds a control character (U+0000 to U+001F, U+007F to U+009F), read as bytes:
/// ids are checked on every command.
#[inline]
pub(crate) fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c < 0x20
            || c == 0x7f
            || (c == 0xc2 && b.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

#[cfg(test)]
mod tests {
    // 1.1 million characters: far too slow under Miri.
    #[cfg_attr(miri, ignore)]
    #[test]
    fn has_control_is_char_is_control_on_every_char() {
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(super::has_control(&s), c.is_control(), "{:#x}", c as u32);
        }
    }

    #[test]
    fn alphabets() {
        use super::*;
        assert_eq!(bad_symbol("a_1"), None);
        assert!(bad_symbol("1a").is_some());
        assert_eq!(bad_document_id("cn-mainland.v2"), None);
        assert!(bad_document_id("a b").is_some());
        assert_eq!(bad_name("张三", 4), Some(NameProblem::TooLong));
        assert_eq!(bad_name("a\u{7f}", 8), Some(NameProblem::Control));
        assert_eq!(bad_name("", 8), Some(NameProblem::Empty));
    }
}

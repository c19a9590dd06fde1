//! Requests given in parts instead of JSON text: the C ABI's `cf_engine_apply` passes each
//! string with its length. A request in parts gets the checks a JSON request gets, in the
//! same words: its size against `max_request_bytes` and each string's UTF-8, refused with the
//! path the string would have in the JSON form. Every binding's lean path counts here.

use crate::api::{Reply, RequestError};
use crate::limits::Limits;

impl Limits {
    /// Checks the size of a request in parts, counted from the lengths alone before any string
    /// is read: the strings' bytes, plus one byte per list item (a role), so that many empty
    /// items still count, as they would in the JSON form.
    ///
    /// # Errors
    /// The reply refusing it, `request.too_large`, when the total is over the limit.
    ///
    /// # Example
    /// ```
    /// use civicflow::Limits;
    ///
    /// let limits = Limits { max_request_bytes: 10, ..Limits::default() };
    /// assert!(limits.check_parts([4, 4], 2).is_ok());
    /// let refused = limits.check_parts([4, 4], 3).unwrap_err();
    /// assert_eq!(refused.first_error.unwrap().code, "request.too_large");
    /// ```
    pub fn check_parts(
        &self,
        strings: impl IntoIterator<Item = usize>,
        list_items: usize,
    ) -> Result<(), Box<Reply>> {
        let size = strings.into_iter().fold(list_items, usize::saturating_add);
        self.check_size(size)
            .map_err(|e| Box::new(Reply::refused(e)))
    }
}

/// One string of a request in parts, read as UTF-8.
///
/// # Errors
/// The reply refusing it, `request.invalid_utf8` at `path` (where the string is in the JSON
/// form of the request: `/case_id`, `/actor/roles/2`).
pub fn read_part<'a>(bytes: &'a [u8], path: &str) -> Result<&'a str, Box<Reply>> {
    std::str::from_utf8(bytes).map_err(|e| {
        let error = RequestError::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        };
        Box::new(Reply::refused_at(error, path))
    })
}

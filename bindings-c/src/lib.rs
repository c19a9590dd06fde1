//! The C ABI of civicflow: `libcivicflow.so`, `libcivicflow.a` and `include/civicflow.h`.
//!
//! The surface is small because the core's JSON API does the work: an engine handle, one call
//! that answers any JSON request, typed fast paths for the calls made per event, and the
//! functions that release what the library returns. See `docs/c-api.md`.
//!
//! Rules every function keeps:
//! - No panic crosses the boundary: each body runs under `catch_unwind`; a panic becomes
//!   `CF_ERR_PANIC` and poisons the engine it ran on.
//! - Inputs are borrowed for the call only, as pointer and length. Outputs are owned by the
//!   caller and released with the matching `cf_*_free`; NULL is accepted by every free.
//! - An engine serializes the calls made on it; different engines run in parallel.

mod abi_version;
mod boundary;
mod engine;
mod status;

use std::ffi::c_char;

pub use abi_version::CF_ABI_VERSION;
pub use engine::*;
pub use status::{cf_status, ALL_STATUSES};

use boundary::with_last_error;

// catch_unwind does nothing when panics abort, and a panic would then kill the host process.
#[cfg(panic = "abort")]
compile_error!("civicflow-c must be built with panic = \"unwind\"");

/// The library's version, `"MAJOR.MINOR.PATCH"`, as a static NUL-terminated string (never
/// freed). Equal to `CF_VERSION` when the header and library match.
#[no_mangle]
pub extern "C" fn cf_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library's ABI version. Equal to `CF_ABI_VERSION` when the header and library match.
#[no_mangle]
pub extern "C" fn cf_abi_version() -> u32 {
    CF_ABI_VERSION
}

/// The length in bytes (without a terminator) of the calling thread's last error message:
/// a buffer of this plus one byte holds all of it.
#[no_mangle]
pub extern "C" fn cf_last_error_length() -> usize {
    boundary::guard_value(0, || with_last_error(str::len))
}

/// Copies the calling thread's last error message into a caller-owned buffer, NUL-terminated.
///
/// The message describes the last failed call on this thread (`code: message (at path)` for
/// answered failures); it is empty after a successful call, and `cf_string_free`,
/// `cf_engine_free` and this function leave it unchanged.
///
/// \param buf The buffer (caller-owned).
/// \param len Its size in bytes, terminator included.
/// \param written Where to write the number of bytes copied, terminator excluded.
/// \return `CF_OK` when the whole message fits; `CF_ERR_TRUNCATED` when only a prefix did
/// (cut at a character boundary, still NUL-terminated; nothing at all when `len` is 0);
/// `CF_ERR_NULL_ARGUMENT` when `buf` or `written` is NULL.
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes; `written` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cf_last_error(
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> cf_status {
    boundary::guard_value(cf_status::CF_ERR_PANIC, || {
        if buf.is_null() || written.is_null() {
            return cf_status::CF_ERR_NULL_ARGUMENT;
        }
        with_last_error(|message| {
            let room = len.saturating_sub(1);
            let mut n = message.len().min(room);
            while !message.is_char_boundary(n) {
                n -= 1;
            }
            if len > 0 {
                // SAFETY: buf is writable for len > n bytes (caller); source and destination
                // cannot overlap, the source being the library's own string.
                unsafe {
                    std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), n);
                    *buf.add(n) = 0;
                }
            }
            // SAFETY: non-NULL and writable (caller).
            unsafe { *written = if len > 0 { n } else { 0 } };
            if len > message.len() {
                cf_status::CF_OK
            } else {
                cf_status::CF_ERR_TRUNCATED
            }
        })
    })
}

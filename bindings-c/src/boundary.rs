//! What every exported function does at the boundary: catch panics, keep the calling thread's
//! last error, hand answers to C, and read C strings.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use civicflow_core::Reply;

use crate::status::cf_status;

thread_local! {
    // Per thread, as errno is: a multi-threaded host reads the message of its own last call.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Why a call failed, before it becomes a status and the thread's last error.
pub(crate) struct Failure {
    pub status: cf_status,
    pub message: String,
}

impl Failure {
    pub fn new(status: cf_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    pub fn null(argument: &str) -> Self {
        Failure::new(
            cf_status::CF_ERR_NULL_ARGUMENT,
            format!("argument `{argument}` is NULL"),
        )
    }
}

// `try_with`, not `with`: a host may call in while the thread's storage is being torn down
// (from atexit, a pthread key destructor, a C++ thread_local destructor), where `with` panics.
// The message is then lost, never the call.
pub(crate) fn set_last_error(message: String) {
    let _ = LAST_ERROR.try_with(|e| {
        if let Ok(mut slot) = e.try_borrow_mut() {
            *slot = message;
        }
    });
}

pub(crate) fn with_last_error<T>(f: impl FnOnce(&str) -> T) -> T {
    match LAST_ERROR.try_with(|e| e.try_borrow().ok().map(|m| m.clone())) {
        Ok(Some(message)) => f(&message),
        _ => f(""),
    }
}

/// Runs the body of an exported function: a panic becomes `CF_ERR_PANIC` instead of unwinding
/// into C (undefined behaviour) or aborting the host; the outcome sets the thread's last error.
/// A success clears the thread's last error.
pub(crate) fn run(body: impl FnOnce() -> Result<cf_status, Failure>) -> cf_status {
    guarded(body, true)
}

/// As [`run`], but a success keeps the last error: for the functions a host calls between a
/// failure and reading its message (`cf_string_free`, `cf_engine_free`).
pub(crate) fn run_keeping_error(body: impl FnOnce() -> Result<cf_status, Failure>) -> cf_status {
    guarded(body, false)
}

fn guarded(body: impl FnOnce() -> Result<cf_status, Failure>, clear: bool) -> cf_status {
    // The body's captures are plain pointers and values; an engine touched by a panic is
    // poisoned by its mutex, so nothing observes broken invariants afterwards.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) => {
            if clear && status == cf_status::CF_OK {
                set_last_error(String::new());
            }
            status
        }
        Ok(Err(failure)) => {
            set_last_error(failure.message);
            failure.status
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown payload".to_owned());
            // A payload's Drop may itself panic: drop it where that is caught too.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            set_last_error(format!("civicflow panicked (a bug, please report): {what}"));
            cf_status::CF_ERR_PANIC
        }
    }
}

/// Hands a reply to C through `response` and returns its status; a failed reply also becomes
/// the thread's last error, as `code: message (at path)`.
///
/// # Safety
/// `response` is non-NULL and valid for a write of one pointer.
pub(crate) unsafe fn deliver(reply: Reply, response: *mut *mut c_char) -> cf_status {
    let status = cf_status::from(reply.status);
    let message = reply.first_error.map(|e| match e.path {
        Some(path) => format!("{}: {} (at {path})", e.code, e.message),
        None => format!("{}: {}", e.code, e.message),
    });
    set_last_error(message.unwrap_or_default());
    // serde_json escapes U+0000 inside strings and writes no other NUL, so this never fails;
    // if it did, the caller would get an empty string rather than one cut short.
    let text = CString::new(reply.text).unwrap_or_default();
    // SAFETY: the caller guarantees `response` is valid for a write; the string is released
    // by `cf_string_free`, which takes it back with `CString::from_raw`.
    unsafe { *response = text.into_raw() };
    status
}

/// Borrows `len` bytes at `ptr`, naming the argument when it is NULL.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes for the returned lifetime.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const c_char,
    len: usize,
    argument: &str,
) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes that outlive 'a.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// Runs a body that neither fails nor touches the last error; a panic returns `on_panic`.
pub(crate) fn guard_value<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

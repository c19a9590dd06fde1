//! The engine handle and the calls made on it.

use std::ffi::{c_char, CString};
use std::sync::{Mutex, MutexGuard};

use civicflow_core::{read_part, Actor, Engine, Limits, Reply};
use civicflow_core::{ApplyRequest, DueRequest, FireDueRequest, Request};

use crate::boundary::{bytes, deliver, run, run_keeping_error, Failure};
use crate::status::cf_status;

/// A civicflow engine: its calendars, workflows, cases and timers.
///
/// Opaque; create with `cf_engine_new`, release with `cf_engine_free`. One engine may be used
/// from several threads at once: its calls are serialized by a lock inside. Calls on different
/// engines run in parallel.
#[allow(non_camel_case_types)]
pub struct cf_engine {
    inner: Mutex<Engine>,
}

// Handles cross threads as raw pointers, where the compiler no longer checks this.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<cf_engine>();
};

/// Locks the engine behind a handle.
///
/// # Safety
/// `engine` is NULL or a live handle from `cf_engine_new`.
unsafe fn lock<'a>(engine: *const cf_engine) -> Result<MutexGuard<'a, Engine>, Failure> {
    // SAFETY: the caller guarantees a live handle; only shared references are made, so calls
    // from several threads do not alias mutably (the mutex hands out the one `&mut Engine`).
    let handle = unsafe { engine.as_ref() }.ok_or_else(|| Failure::null("engine"))?;
    handle.inner.lock().map_err(|_| {
        Failure::new(
            cf_status::CF_ERR_POISONED,
            "the engine was poisoned by an earlier panic; free it and rebuild it from your stored snapshot",
        )
    })
}

/// Checks the `response` out-argument and clears it, so that it is NULL on every failure that
/// carries no answer.
///
/// # Safety
/// `response` is NULL or valid for a write of one pointer.
unsafe fn clear(response: *mut *mut c_char) -> Result<(), Failure> {
    if response.is_null() {
        return Err(Failure::null("response"));
    }
    // SAFETY: non-NULL and, by the caller's guarantee, writable.
    unsafe { *response = std::ptr::null_mut() };
    Ok(())
}

/// Creates an engine with no calendars, workflows or cases, and the default limits.
///
/// \return A new engine, owned by the caller and released with `cf_engine_free`; NULL only if
/// civicflow panicked (see `cf_last_error`).
#[no_mangle]
pub extern "C" fn cf_engine_new() -> *mut cf_engine {
    let mut out = std::ptr::null_mut();
    run(|| {
        out = Box::into_raw(Box::new(cf_engine {
            inner: Mutex::new(Engine::new()),
        }));
        Ok(cf_status::CF_OK)
    });
    out
}

/// A new engine with the definitions of `engine` (workflows, calendars, organisation, limits)
/// and none of its cases: cheap, as the definitions are shared, not copied. A host may start
/// one per request and load into it only the cases the request needs (docs/persistence.md).
///
/// \param engine An engine.
/// \param out Where to write the new engine, owned by the caller and released with
/// `cf_engine_free`; set to NULL on failure.
/// \return `CF_OK`, `CF_ERR_NULL_ARGUMENT` or `CF_ERR_POISONED`.
///
/// # Safety
/// `engine` is NULL or a live handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_clone(
    engine: *const cf_engine,
    out: *mut *mut cf_engine,
) -> cf_status {
    run(|| {
        // SAFETY: NULL is checked; otherwise writable by the caller's guarantee.
        let out = unsafe { out.as_mut() }.ok_or_else(|| Failure::null("out"))?;
        *out = std::ptr::null_mut();
        // SAFETY: forwarded precondition.
        let copy = unsafe { lock(engine) }?.clone_definitions();
        *out = Box::into_raw(Box::new(cf_engine {
            inner: Mutex::new(copy),
        }));
        Ok(cf_status::CF_OK)
    })
}

/// Releases an engine and everything in it.
///
/// \param engine An engine from `cf_engine_new`, or NULL (nothing happens).
/// \pre No other thread is using `engine`, and it was not freed before.
/// \warning `engine` is invalid afterwards.
///
/// # Safety
/// See the preconditions.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_free(engine: *mut cf_engine) {
    if engine.is_null() {
        return;
    }
    run_keeping_error(|| {
        // SAFETY: a handle from cf_engine_new (Box::into_raw), freed once, not in use.
        drop(unsafe { Box::from_raw(engine) });
        Ok(cf_status::CF_OK)
    });
}

/// Sets the largest input the engine accepts, in bytes: a request to `cf_engine_call`, or the
/// strings of a `cf_engine_apply` together. Larger inputs get `CF_ERR_TOO_LARGE` before they are
/// read. The default is 16 MiB (16777216).
///
/// \param engine An engine.
/// \param bytes The new limit: at least 1, at most `PTRDIFF_MAX`.
/// \return `CF_OK`, `CF_ERR_NULL_ARGUMENT`, `CF_ERR_INVALID_ARGUMENT` (out of range, nothing
/// changed) or `CF_ERR_POISONED`.
///
/// # Safety
/// `engine` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_set_max_request_bytes(
    engine: *mut cf_engine,
    bytes: usize,
) -> cf_status {
    run(|| {
        // SAFETY: forwarded precondition.
        let mut e = unsafe { lock(engine) }?;
        // Above isize::MAX no slice can exist, so such a limit would only hide bad lengths.
        if bytes == 0 || isize::try_from(bytes).is_err() {
            return Err(Failure::new(
                cf_status::CF_ERR_INVALID_ARGUMENT,
                format!(
                    "max_request_bytes must be between 1 and {}, got {bytes}",
                    isize::MAX
                ),
            ));
        }
        let limits = Limits {
            max_request_bytes: bytes,
            ..e.limits().clone()
        };
        e.set_limits(limits);
        Ok(cf_status::CF_OK)
    })
}

/// Reads the largest input the engine accepts, in bytes.
///
/// \param engine An engine.
/// \param bytes Where to write the limit (caller-owned).
/// \return `CF_OK`, `CF_ERR_NULL_ARGUMENT` or `CF_ERR_POISONED`.
///
/// # Safety
/// `engine` is NULL or a live handle; `bytes` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_max_request_bytes(
    engine: *const cf_engine,
    bytes: *mut usize,
) -> cf_status {
    run(|| {
        // SAFETY: forwarded precondition.
        let e = unsafe { lock(engine) }?;
        // SAFETY: NULL is checked; otherwise writable by the caller's guarantee.
        let out = unsafe { bytes.as_mut() }.ok_or_else(|| Failure::null("bytes"))?;
        *out = e.limits().max_request_bytes;
        Ok(cf_status::CF_OK)
    })
}

/// Answers any request of civicflow's JSON API (docs/definition-format.md, docs/errors.md).
///
/// \param engine An engine.
/// \param request The request: `request_len` bytes of UTF-8 JSON, borrowed for the call; need
/// not be NUL-terminated.
/// \param request_len Its length in bytes.
/// \param response Where to write the answer, `{"ok": true, "result": ...}` or
/// `{"ok": false, "errors": [...]}`: a NUL-terminated UTF-8 string owned by the caller and
/// released with `cf_string_free` (never `free()`). Read-only: a parser that writes into its
/// input needs a copy. Set to NULL when there is no answer.
/// \return `CF_OK`, or a failure; see `cf_status` for which failures come with an answer.
///
/// # Safety
/// `engine` is NULL or a live handle; `request` is NULL or readable for `request_len` bytes;
/// `response` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_call(
    engine: *mut cf_engine,
    request: *const c_char,
    request_len: usize,
    response: *mut *mut c_char,
) -> cf_status {
    let work = |e: &mut Engine| {
        if request.is_null() {
            return Err(Failure::null("request"));
        }
        Ok(match e.limits().check_size(request_len) {
            Err(too_large) => Reply::refused(too_large),
            Ok(()) => {
                // SAFETY: non-NULL, readable for request_len bytes (caller), and request_len
                // is within the limit, itself at most isize::MAX.
                let bytes =
                    unsafe { std::slice::from_raw_parts(request.cast::<u8>(), request_len) };
                e.reply_bytes(bytes)
            }
        })
    };
    // SAFETY: forwarded preconditions.
    unsafe { answer(engine, response, work) }
}

/// Applies a transition to a case without building JSON: the `apply` op with no payload.
/// The answer is the `apply` op's, and a refused command changes nothing.
///
/// Strings are borrowed for the call, given as pointer and length (no NUL needed). The
/// required ones may not be NULL, even with length 0 (`CF_ERR_NULL_ARGUMENT`); a NULL
/// `actor_unit` means no unit, whatever `actor_unit_len` says.
///
/// \param engine An engine.
/// \param case_id The case id.
/// \param transition The transition id.
/// \param actor_id Who acts.
/// \param actor_unit The unit the actor acts for, or NULL for none.
/// \param roles An array of `roles_count` role ids, with their lengths in `role_lens`; both may
/// be NULL when `roles_count` is 0.
/// \param at When, in UTC milliseconds since the epoch.
/// \param response As for `cf_engine_call`.
/// \return As for `cf_engine_call`. A string that is not UTF-8 gives `CF_ERR_INVALID_UTF8`
/// with the path of the argument in the request's JSON form (`/case_id`, `/actor/roles/2`, ...);
/// strings longer together than the engine's limit give `CF_ERR_TOO_LARGE`.
///
/// # Safety
/// `engine` is NULL or a live handle; every non-NULL string is readable for its length;
/// `roles` and `role_lens`, when non-NULL, hold `roles_count` entries; `response` is NULL or
/// writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cf_engine_apply(
    engine: *mut cf_engine,
    case_id: *const c_char,
    case_id_len: usize,
    transition: *const c_char,
    transition_len: usize,
    actor_id: *const c_char,
    actor_id_len: usize,
    actor_unit: *const c_char,
    actor_unit_len: usize,
    roles: *const *const c_char,
    role_lens: *const usize,
    roles_count: usize,
    at: i64,
    response: *mut *mut c_char,
) -> cf_status {
    let parts = Parts {
        case_id: (case_id, case_id_len),
        transition: (transition, transition_len),
        actor_id: (actor_id, actor_id_len),
        actor_unit: (!actor_unit.is_null()).then_some((actor_unit, actor_unit_len)),
        roles: (roles, role_lens, roles_count),
        at,
    };
    let work = |e: &mut Engine| {
        // SAFETY: forwarded preconditions on every pointer in `parts`.
        Ok(match unsafe { parts.read(e.limits()) }? {
            Ok(request) => e.reply(request),
            Err(refused) => refused,
        })
    };
    // SAFETY: forwarded preconditions.
    unsafe { answer(engine, response, work) }
}

/// The arguments of `cf_engine_apply`, before they are read.
struct Parts {
    case_id: (*const c_char, usize),
    transition: (*const c_char, usize),
    actor_id: (*const c_char, usize),
    actor_unit: Option<(*const c_char, usize)>,
    roles: (*const *const c_char, *const usize, usize),
    at: i64,
}

impl Parts {
    /// Reads the parts into an `apply` request, or the reply refusing them.
    ///
    /// # Safety
    /// As for `cf_engine_apply`.
    unsafe fn read(self, limits: &Limits) -> Result<Result<Request, Reply>, Failure> {
        let (roles, lens, count) = self.roles;
        // The count alone may already be over the limit: refuse before touching the arrays.
        if let Err(too_large) = limits.check_size(count) {
            return Ok(Err(Reply::refused(too_large)));
        }
        if count > 0 && roles.is_null() {
            return Err(Failure::null("roles"));
        }
        if count > 0 && lens.is_null() {
            return Err(Failure::null("role_lens"));
        }
        // Counted from the lengths alone, before any string is read or anything allocated.
        let strings = [self.case_id, self.transition, self.actor_id];
        let lengths = strings
            .iter()
            .chain(self.actor_unit.iter())
            .map(|(_, len)| *len)
            // SAFETY: `lens` is non-NULL (checked above) with `count` entries (caller).
            .chain((0..count).map(|i| unsafe { *lens.add(i) }));
        if let Err(refused) = limits.check_parts(lengths, count) {
            return Ok(Err(*refused));
        }
        let role_parts = (0..count)
            // SAFETY: non-NULL (checked above) arrays of `count` entries (caller).
            .map(|i| unsafe { (*roles.add(i), *lens.add(i)) });
        let read = |(ptr, len): (*const c_char, usize), name: &str, path: &str| {
            // SAFETY: readable for `len` bytes (caller); the total is within the limit.
            let bytes = unsafe { bytes(ptr, len, name) }?;
            Ok(read_part(bytes, path)
                .map(str::to_owned)
                .map_err(|refused| *refused))
        };
        macro_rules! field {
            ($part:expr, $name:expr, $path:expr) => {
                match read($part, $name, $path)? {
                    Ok(s) => s,
                    Err(reply) => return Ok(Err(reply)),
                }
            };
        }
        let case_id = field!(self.case_id, "case_id", "/case_id");
        let transition = field!(self.transition, "transition", "/transition");
        let id = field!(self.actor_id, "actor_id", "/actor/id");
        let unit = match self.actor_unit {
            Some(part) => Some(field!(part, "actor_unit", "/actor/unit")),
            None => None,
        };
        let mut role_ids = Vec::with_capacity(count);
        for (i, part) in role_parts.enumerate() {
            role_ids.push(field!(part, "roles", &format!("/actor/roles/{i}")));
        }
        Ok(Ok(Request::Apply(ApplyRequest {
            case_id,
            transition,
            actor: Actor {
                id,
                roles: role_ids,
                unit,
            },
            payload: Default::default(),
            at: self.at,
            expected_seq: None,
            request_id: None,
        })))
    }
}

/// Lists the SLA timers due at `now` (warnings and breaches not yet recorded), earliest first,
/// without building JSON: the `due` op.
///
/// \param engine An engine.
/// \param now The instant, in UTC milliseconds since the epoch.
/// \param limit At most this many timers.
/// \param response As for `cf_engine_call`.
/// \return As for `cf_engine_call`.
///
/// # Safety
/// `engine` is NULL or a live handle; `response` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_due(
    engine: *mut cf_engine,
    now: i64,
    limit: usize,
    response: *mut *mut c_char,
) -> cf_status {
    // SAFETY: forwarded preconditions.
    unsafe {
        answer(engine, response, |e| {
            Ok(e.reply(Request::Due(DueRequest {
                now,
                limit: Some(limit),
            })))
        })
    }
}

/// Records every SLA timer due at `now` as events on its case (warnings, breaches, the
/// escalations they trigger), without building JSON: the `fire_due` op.
///
/// \param engine An engine.
/// \param now The instant, in UTC milliseconds since the epoch.
/// \param response As for `cf_engine_call`.
/// \return As for `cf_engine_call`.
///
/// # Safety
/// `engine` is NULL or a live handle; `response` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cf_engine_fire_due(
    engine: *mut cf_engine,
    now: i64,
    response: *mut *mut c_char,
) -> cf_status {
    // SAFETY: forwarded preconditions.
    unsafe {
        answer(engine, response, |e| {
            Ok(e.reply(Request::FireDue(FireDueRequest {
                now,
                case_id: None,
                limit: None,
            })))
        })
    }
}

/// What every answering function does around its own work: clear `response`, lock the
/// engine, and hand the reply to C.
///
/// # Safety
/// `engine` is NULL or a live handle; `response` is NULL or writable.
unsafe fn answer(
    engine: *mut cf_engine,
    response: *mut *mut c_char,
    reply: impl FnOnce(&mut Engine) -> Result<Reply, Failure>,
) -> cf_status {
    run(|| {
        // SAFETY: forwarded preconditions.
        unsafe { clear(response) }?;
        // SAFETY: forwarded precondition.
        let mut e = unsafe { lock(engine) }?;
        let reply = reply(&mut e)?;
        // SAFETY: checked non-NULL by `clear`.
        Ok(unsafe { deliver(reply, response) })
    })
}

/// Releases a string civicflow returned (an answer).
///
/// \param s A string from civicflow, or NULL (nothing happens).
/// \pre `s` was not freed before, was not written to, and did not come from any other
/// allocator.
///
/// # Safety
/// See the precondition.
#[no_mangle]
pub unsafe extern "C" fn cf_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    run_keeping_error(|| {
        // SAFETY: made by CString::into_raw in `deliver`, freed once.
        drop(unsafe { CString::from_raw(s) });
        Ok(cf_status::CF_OK)
    });
}

/// Panics inside the engine's lock, as a bug in civicflow would: for tests of the panic path.
/// Only in libraries built with the `fault-injection` feature.
///
/// \return `CF_ERR_PANIC`; the engine is poisoned afterwards.
///
/// # Safety
/// `engine` is NULL or a live handle.
#[cfg(feature = "fault-injection")]
#[no_mangle]
#[allow(clippy::panic)]
pub unsafe extern "C" fn cf_engine_debug_panic(engine: *mut cf_engine) -> cf_status {
    run(|| {
        // SAFETY: forwarded precondition.
        let _held = unsafe { lock(engine) }?;
        panic!("fault injected by cf_engine_debug_panic");
    })
}

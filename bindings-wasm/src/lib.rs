//! The engine of the npm package `civicflow`, as wasm-bindgen exports.
//!
//! This is the raw layer: JSON text in, JSON text out, and typed entry points for the hot
//! paths (`apply`, `due`, `fire_due`) that skip reading a whole request. The package's
//! TypeScript `Engine` (in `js/engine.ts`) wraps it into plain objects and `CivicflowError`s;
//! neither layer decides anything the core does not.

use civicflow::api::{ApplyRequest, DueRequest, FireDueRequest, Request};
use civicflow::{Actor, Engine, Limits, Reply, RequestError};
use wasm_bindgen::prelude::*;

mod declarations;
pub use declarations::typescript_declarations;

/// One engine; the TypeScript `Engine` owns exactly one.
#[wasm_bindgen]
pub struct RawEngine {
    inner: Engine,
}

impl Default for RawEngine {
    fn default() -> Self {
        RawEngine::new()
    }
}

#[wasm_bindgen]
impl RawEngine {
    /// An empty engine.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawEngine {
        RawEngine {
            inner: Engine::new(),
        }
    }

    /// Answers a request given as JSON text.
    pub fn call(&mut self, request: &str) -> String {
        self.inner.handle_str(request)
    }

    /// `apply` from its parts; the answer is what the JSON op answers. `payload` is the JSON
    /// text of the payload object, or absent.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        case_id: String,
        transition: String,
        actor_id: String,
        roles: Vec<String>,
        unit: Option<String>,
        payload: Option<String>,
        at: f64,
    ) -> String {
        let payload = match payload.map(|p| ApplyRequest::payload_from_str(&p)) {
            None => Default::default(),
            Some(Ok(map)) => map,
            Some(Err(refused)) => return refused.text,
        };
        let at = match millis(at, "/at") {
            Ok(at) => at,
            Err(refused) => return refused,
        };
        let request = Request::Apply(ApplyRequest {
            case_id,
            transition,
            actor: Actor {
                id: actor_id,
                roles,
                unit,
            },
            payload,
            at,
        });
        self.inner.respond(request).text
    }

    /// `due` at `now`, at most `limit` timers (the op's default when absent).
    pub fn due(&mut self, now: f64, limit: Option<u32>) -> String {
        match millis(now, "/now") {
            Ok(now) => {
                let limit = limit.map(|l| l as usize);
                self.inner
                    .respond(Request::Due(DueRequest { now, limit }))
                    .text
            }
            Err(refused) => refused,
        }
    }

    /// `fire_due` at `now`.
    #[wasm_bindgen(js_name = fireDue)]
    pub fn fire_due(&mut self, now: f64) -> String {
        match millis(now, "/now") {
            Ok(now) => {
                self.inner
                    .respond(Request::FireDue(FireDueRequest { now }))
                    .text
            }
            Err(refused) => refused,
        }
    }

    /// The request size limit, in bytes of UTF-8.
    #[wasm_bindgen(js_name = maxRequestBytes)]
    pub fn max_request_bytes(&self) -> f64 {
        self.inner.limits().max_request_bytes as f64
    }

    /// Sets the request size limit; an error answer (JSON text) when `bytes` is not a
    /// positive whole number, else `undefined`.
    #[wasm_bindgen(js_name = setMaxRequestBytes)]
    pub fn set_max_request_bytes(&mut self, bytes: f64) -> Option<String> {
        // Whole, positive, and exactly representable: a JS number is no more precise.
        // usize is 32 bits in WebAssembly: a larger limit would be silently cut.
        let max = (usize::MAX as f64).min(MAX_SAFE);
        if !((1.0..=max).contains(&bytes) && bytes.fract() == 0.0) {
            return Some(refused_invalid(
                format!("`max_request_bytes` is a whole number from 1 to {max}, found {bytes}"),
                "/max_request_bytes",
            ));
        }
        self.inner.set_limits(Limits {
            max_request_bytes: bytes as usize,
        });
        None
    }

    /// The refusal of a request of `len` bytes when that is over the limit: lets the package
    /// refuse a huge string before copying it into WebAssembly memory, which never shrinks.
    #[wasm_bindgen(js_name = refuseSize)]
    pub fn refuse_size(&self, len: f64) -> Option<String> {
        let len = if len >= 0.0 { len as usize } else { 0 };
        self.inner
            .limits()
            .check_size(len)
            .err()
            .map(|e| Reply::refused(e).text)
    }
}

/// The answer refusing a request the package could not turn into JSON (a `BigInt`, a cycle).
#[wasm_bindgen(js_name = refuseUnwritable)]
pub fn refuse_unwritable(reason: &str) -> String {
    refused_invalid(
        format!("the request cannot be written as JSON: {reason}"),
        "",
    )
}

/// The answer to any call on an engine after `free()`.
#[wasm_bindgen(js_name = refuseFreed)]
pub fn refuse_freed() -> String {
    Reply::refused(RequestError::EngineFreed).text
}

/// The crate version, which is the package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Bytes of WebAssembly memory in use by the module (it grows, never shrinks).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// 2^53 - 1: the largest integer every JS number below it represents exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A JS number of milliseconds as the core's `i64`, refusing fractions, NaN and infinities;
/// the refusal is the answer text.
fn millis(x: f64, path: &str) -> Result<i64, String> {
    if x.fract() == 0.0 && x.abs() <= MAX_SAFE {
        // Whole and within 2^53: the cast is exact.
        Ok(x as i64)
    } else {
        Err(refused_invalid(
            format!("a whole number of milliseconds is expected, found {x}"),
            path,
        ))
    }
}

/// The answer refusing a request as `request.invalid` at `path`.
fn refused_invalid(message: String, path: &str) -> String {
    Reply::refused(RequestError::Invalid {
        message,
        path: path.to_owned(),
    })
    .text
}

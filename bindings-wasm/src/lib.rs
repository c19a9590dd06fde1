//! The engine of the npm package `civicflow`, as wasm-bindgen exports.
//!
//! This is the raw layer: JSON text in, JSON text out, and typed entry points for the hot
//! paths (`apply`, `due`, `fire_due`) that skip reading a whole request. The package's
//! TypeScript `Engine` (in `js/engine.ts`) wraps it into plain objects and `CivicflowError`s;
//! neither layer decides anything the core does not.

use civicflow::{
    Actor, Answer, CaseError, Coded, Command, Engine, Limits, Opening, Reply, RequestError, Values,
};
use civicflow::{ApplyRequest, DueRequest, FireDueRequest, Request};
use rustc_hash::FxBuildHasher;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;

mod declarations;
pub use declarations::{typescript_constants, typescript_declarations};

/// One engine; the TypeScript `Engine` owns exactly one.
#[wasm_bindgen]
pub struct RawEngine {
    inner: Engine,
    /// The actor of the last `send`, refilled in place: no allocation per call.
    actor: Actor,
    /// What the lean calls answer.
    lean: Lean,
    /// Transition ids and actors registered by the package for `send_by`, by number.
    transitions: Vec<String>,
    actors: Vec<Actor>,
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
            actor: Actor::new(String::new(), &[]),
            lean: Lean::default(),
            transitions: Vec::new(),
            actors: Vec::new(),
        }
    }

    /// Answers a request given as JSON text.
    pub fn call(&mut self, request: &str) -> String {
        self.inner.answer_str(request)
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
            expected_seq: None,
            request_id: None,
        });
        self.inner.reply(request).text
    }

    /// The lean `apply` behind `Engine.send`: the same command, answered only by the case's
    /// new state, as a number for `stateName` (the package caches the names), or
    /// `REFUSED` with the refusal's answer text kept for `refusal`. `packed` holds the case
    /// id, the transition, the actor id and each role, each followed by a NUL, so that one
    /// string crosses into WebAssembly instead of four; the package sends none holding a NUL.
    pub fn send(
        &mut self,
        packed: &str,
        unit: Option<String>,
        payload: Option<String>,
        at: f64,
    ) -> u32 {
        let (at, payload) = match lean_parts(at, payload) {
            Ok(parts) => parts,
            Err(refused) => return self.lean.refuse(refused),
        };
        let mut parts = packed.splitn(3, '\0');
        let (case_id, transition) = (next(&mut parts), next(&mut parts));
        refill(&mut self.actor, next(&mut parts), unit);
        let cmd = Command {
            transition,
            actor: &self.actor,
            payload: payload.as_ref().map_or(Values::NONE, Values::Json),
            at,
        };
        self.lean.answer(self.inner.apply(case_id, &cmd))
    }

    /// Registers a transition id for `send_by`; its number, or `REFUSED` once
    /// `MAX_REGISTERED` are.
    /// A new engine with this one's definitions and limits and none of its cases.
    #[wasm_bindgen(js_name = cloneDefinitions)]
    pub fn clone_definitions(&self) -> RawEngine {
        RawEngine {
            inner: self.inner.clone_definitions(),
            ..RawEngine::new()
        }
    }

    #[wasm_bindgen(js_name = registerTransition)]
    pub fn register_transition(&mut self, id: String) -> u32 {
        if self.transitions.len() >= MAX_REGISTERED {
            return REFUSED;
        }
        self.transitions.push(id);
        (self.transitions.len() - 1) as u32
    }

    /// Registers an actor for `send_by` (`packed` as `send` takes it); its number, or
    /// `REFUSED` once `MAX_REGISTERED` are.
    #[wasm_bindgen(js_name = registerActor)]
    pub fn register_actor(&mut self, packed: &str, unit: Option<String>) -> u32 {
        if self.actors.len() >= MAX_REGISTERED {
            return REFUSED;
        }
        let mut actor = Actor::new(String::new(), &[]);
        refill(&mut actor, packed, unit);
        self.actors.push(actor);
        (self.actors.len() - 1) as u32
    }

    /// `send` with the transition and the actor given by their registered numbers: only the
    /// case id crosses into WebAssembly.
    #[wasm_bindgen(js_name = sendBy)]
    pub fn send_by(
        &mut self,
        case_id: &str,
        transition: u32,
        actor: u32,
        payload: Option<String>,
        at: f64,
    ) -> u32 {
        let (at, payload) = match lean_parts(at, payload) {
            Ok(parts) => parts,
            Err(refused) => return self.lean.refuse(refused),
        };
        let (Some(transition), Some(actor)) = (
            self.transitions.get(transition as usize),
            self.actors.get(actor as usize),
        ) else {
            let refused = refused_invalid("no such registered transition or actor".into(), "");
            return self.lean.refuse(refused);
        };
        let cmd = Command {
            transition,
            actor,
            payload: payload.as_ref().map_or(Values::NONE, Values::Json),
            at,
        };
        self.lean.answer(self.inner.apply(case_id, &cmd))
    }

    /// The lean `open_case` behind `Engine.open`, answered as `send` answers. `packed` holds
    /// the case id, the workflow id, the channel, the actor id and each role, each followed by
    /// a NUL; `fields` is the JSON text of the field values, or absent.
    pub fn open(
        &mut self,
        packed: &str,
        unit: Option<String>,
        fields: Option<String>,
        at: f64,
    ) -> u32 {
        let (at, fields) = match lean_parts(at, fields) {
            Ok(parts) => parts,
            Err(refused) => return self.lean.refuse(refused),
        };
        let mut parts = packed.splitn(4, '\0');
        let (case_id, workflow, channel) = (next(&mut parts), next(&mut parts), next(&mut parts));
        refill(&mut self.actor, next(&mut parts), unit);
        let opening = Opening {
            case_id,
            channel,
            fields: fields.as_ref().map_or(Values::NONE, Values::Json),
            actor: &self.actor,
            at,
            keys: None,
        };
        self.lean
            .answer(self.inner.open_case(workflow, None, &opening))
    }

    /// The state id `send` answered as `number`.
    #[wasm_bindgen(js_name = stateName)]
    pub fn state_name(&self, number: u32) -> Option<String> {
        self.lean.names.get(number as usize).cloned()
    }

    /// The answer text of the last refused `send`.
    pub fn refusal(&self) -> String {
        self.lean.refusal.clone()
    }

    /// `due` at `now`, at most `limit` timers (the op's default when absent).
    pub fn due(&mut self, now: f64, limit: Option<u32>) -> String {
        match millis(now, "/now") {
            Ok(now) => {
                let limit = limit.map(|l| l as usize);
                self.inner
                    .reply(Request::Due(DueRequest { now, limit }))
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
                    .reply(Request::FireDue(FireDueRequest {
                        now,
                        case_id: None,
                        limit: None,
                    }))
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
        let limits = Limits {
            max_request_bytes: bytes as usize,
            ..self.inner.limits().clone()
        };
        self.inner.set_limits(limits);
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

/// What `RawEngine::send` answers when it refuses (the package's `REFUSED`).
pub const REFUSED: u32 = u32::MAX;

/// At most this many transition ids, and as many actors, registered for `send_by`: the
/// package stops at the same number, and a direct caller cannot grow them without bound.
pub const MAX_REGISTERED: usize = 4096;

/// What the lean calls answer: a case's new state as a number, its id numbered in the order
/// first answered (the package keeps the same list, so a state crosses back as a number), or
/// `REFUSED` with the refusal's answer text kept.
#[derive(Default)]
struct Lean {
    names: Vec<String>,
    numbers: HashMap<String, u32, FxBuildHasher>,
    /// The answer text of the last refusal.
    refusal: String,
}

impl Lean {
    fn answer(&mut self, outcome: Result<&civicflow::Case, CaseError>) -> u32 {
        match outcome {
            Ok(case) => self.number(case.state()),
            Err(e) => self.refuse(Answer::failure(e.details("")).to_json().to_string()),
        }
    }

    fn number(&mut self, state: &str) -> u32 {
        if let Some(&n) = self.numbers.get(state) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(state.to_owned());
        self.numbers.insert(state.to_owned(), n);
        n
    }

    fn refuse(&mut self, text: String) -> u32 {
        self.refusal = text;
        REFUSED
    }
}

/// The next NUL-terminated part of a packed lean call; empty past the end (an empty id is
/// refused as such).
fn next<'a>(parts: &mut impl Iterator<Item = &'a str>) -> &'a str {
    parts.next().unwrap_or("")
}

/// The time and the values (JSON text of an object, or absent) of a lean command; the refusal
/// is the answer text.
fn lean_parts(at: f64, values: Option<String>) -> Result<(i64, Option<JsonObject>), String> {
    let at = millis(at, "/at")?;
    match values.map(|p| ApplyRequest::payload_from_str(&p)) {
        None => Ok((at, None)),
        Some(Ok(map)) => Ok((at, Some(map))),
        Some(Err(refused)) => Err(refused.text),
    }
}

/// A JSON object, as payloads and fields are given.
type JsonObject = serde_json::Map<String, serde_json::Value>;

/// Refills `actor` in place from its packed form (the id, then each role, each followed by a
/// NUL), reusing its strings' memory.
fn refill(actor: &mut Actor, packed: &str, unit: Option<String>) {
    let mut parts = packed.split_terminator('\0');
    actor.id.clear();
    actor.id.push_str(next(&mut parts));
    actor.unit = unit;
    let mut n = 0;
    for role in parts {
        match actor.roles.get_mut(n) {
            Some(r) => {
                r.clear();
                r.push_str(role);
            }
            None => actor.roles.push(role.to_owned()),
        }
        n += 1;
    }
    actor.roles.truncate(n);
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

//! What the store's tests share: both databases, the township desk of the core's tests, a
//! reference engine and a sink that remembers.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../core/tests/common/desk.rs"]
pub mod desk;
pub mod pg;

use civicflow::Engine;
use civicflow_store::{OutboxRow, Sink, Store};
use serde_json::{json, Value};

/// A SQLite file of its own in a temporary folder (removed with the guard).
pub fn sqlite_url() -> (String, TempDir) {
    let dir = TempDir::new();
    (format!("sqlite:{}/civicflow.db", dir.0.display()), dir)
}

/// A temporary folder, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("civicflow-store-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Both backends, each with a fresh database: `(kind, url, guard)`.
pub fn backends(name: &str) -> Vec<(&'static str, String, Option<TempDir>)> {
    let (sqlite, dir) = sqlite_url();
    vec![
        ("sqlite", sqlite, Some(dir)),
        ("postgres", pg::fresh(name), None),
    ]
}

/// The township definitions, as requests.
pub fn definitions() -> Vec<Value> {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    vec![
        json!({"op": "load_calendar", "calendar": parse(desk::CALENDAR)}),
        json!({"op": "load_org", "org": parse(desk::ORG)}),
        json!({"op": "load_workflow", "definition": parse(desk::TEMPLATE)}),
    ]
}

/// A store holding the township definitions, on a fixed clock at the desk's start.
pub fn township_store(url: &str) -> Store {
    let mut store = Store::open(url).unwrap();
    store.set_clock(Some(desk::T0));
    for request in definitions() {
        let answer = store.call(request).unwrap();
        assert_eq!(answer["ok"], true, "{answer}");
    }
    store
}

/// The reference: one in-memory engine with the outbox held by its host, as the store's.
pub fn reference() -> Engine {
    let mut engine = desk::township_engine();
    engine.set_outbox_mode(civicflow::OutboxMode::Host).unwrap();
    engine
}

/// Every case's head in an engine.
pub fn heads(engine: &mut Engine, cases: &[String]) -> std::collections::BTreeMap<String, String> {
    cases
        .iter()
        .filter_map(|id| {
            let answer = engine.answer_json(json!({"op": "history", "case_id": id}));
            answer["result"]["head"]
                .as_str()
                .map(|h| (id.clone(), h.to_owned()))
        })
        .collect()
}

/// Every case's head in a store, after checking it has no problem.
pub fn store_heads(store: &mut Store) -> std::collections::BTreeMap<String, String> {
    let checked = store.check().unwrap();
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    checked
        .cases
        .into_iter()
        .map(|(id, c)| (id, c.head))
        .collect()
}

/// A sink that keeps what it was given, refusing every `refuse`-th effect.
#[derive(Default)]
pub struct Remember {
    pub delivered: Vec<OutboxRow>,
    pub refuse: usize,
    pub calls: usize,
}

impl Sink for Remember {
    fn deliver(&mut self, effect: &OutboxRow) -> Result<(), String> {
        self.calls += 1;
        if self.refuse > 0 && self.calls % self.refuse == 0 {
            return Err("receiver down".into());
        }
        self.delivered.push(effect.clone());
        Ok(())
    }
}

/// A small deterministic generator (xorshift), for runs that repeat exactly.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn picks(&mut self) -> (u8, u8, u8) {
        let n = self.next();
        (n as u8, (n >> 8) as u8, (n >> 16) as u8)
    }
}

/// Runs a desk request on the reference engine, as the store will: the ops the store keeps to
/// itself (the outbox, archiving) change nothing there.
pub fn reference_step(engine: &mut Engine, request: &Value, id: &str) -> Option<Value> {
    match request["op"].as_str().unwrap() {
        "drain_outbox" | "ack_effects" | "archive_case" => None,
        "fire_due" => Some(engine.answer_json(request.clone())),
        _ => Some(engine.answer_json(with_id(request, id))),
    }
}

/// The request with its request id.
pub fn with_id(request: &Value, id: &str) -> Value {
    let mut request = request.clone();
    request["request_id"] = json!(id);
    request
}

/// Runs a desk request through the store: its own sweeper for `fire_due`, its dispatcher for
/// `drain_outbox`, its archiver for `archive_case`, the command path for the rest.
pub fn store_step(
    store: &mut Store,
    request: &Value,
    id: &str,
    sink: &mut Remember,
) -> Result<Option<Value>, civicflow_store::StoreError> {
    match request["op"].as_str().unwrap() {
        "ack_effects" => Ok(None),
        "drain_outbox" => store.dispatch(sink, 20, 600_000).map(|_| None),
        "archive_case" => store.archive(0, 50).map(|_| None),
        "fire_due" => {
            store.set_clock(request["now"].as_i64());
            while store.sweep(100)? != civicflow_store::Swept::default() {}
            Ok(None)
        }
        _ => store.call(with_id(request, id)).map(Some),
    }
}

/// An answer without what differs between a first try and a stored retry.
pub fn comparable(mut answer: Value) -> Value {
    if let Some(result) = answer.get_mut("result").and_then(Value::as_object_mut) {
        result.remove("duplicate");
    }
    answer
}

/// Delivers everything left in the outbox, the clock moved past every lease; answers the
/// set of effect ids the sink was given.
pub fn drain_all(store: &mut Store, sink: &mut Remember) -> std::collections::BTreeSet<String> {
    store.set_clock(Some(desk::T0 + 1_000 * 24 * desk::HOUR));
    while store.dispatch(sink, 100, 60_000).unwrap().leased > 0 {}
    assert_eq!(store.backlog().unwrap().outbox, 0);
    sink.delivered.iter().map(|e| e.effect_id.clone()).collect()
}

/// The effect ids of the answers of a reference engine.
pub fn effect_ids(answer: &Value) -> Vec<String> {
    let writes = answer["result"]["writes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    writes
        .iter()
        .flat_map(|w| w["effects"].as_array().cloned().unwrap_or_default())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

//! What the fuzz targets share: engines loaded as the conformance scenarios load them, and
//! the checks every answer must pass.

use std::sync::OnceLock;

use civicflow::Engine;

pub mod targets;
use serde_json::Value;

const CALENDAR: &str = include_str!("../../calendars/cn-mainland.json");
const TEMPLATES: [&str; 3] = [
    include_str!("../../templates/hotline-12345.json"),
    include_str!("../../templates/township.json"),
    include_str!("../../templates/xinfang-2022.json"),
];
/// A scenario whose first step loads the township organisation.
const ORG_SCENARIO: &str =
    include_str!("../../tests/scenarios/42_cohandling_supervision_outbox.json");

/// An engine with the China calendar, the three templates and the township organisation.
pub fn loaded() -> Engine {
    let mut engine = Engine::new();
    let calendar: Value = serde_json::from_str(CALENDAR).expect("calendar");
    answer(
        &mut engine,
        &serde_json::json!({"op": "load_calendar", "calendar": calendar}).to_string(),
    );
    for t in TEMPLATES {
        let def: Value = serde_json::from_str(t).expect("template");
        answer(
            &mut engine,
            &serde_json::json!({"op": "load_workflow", "definition": def}).to_string(),
        );
    }
    let scenario: Value = serde_json::from_str(ORG_SCENARIO).expect("scenario");
    let org = scenario["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["request"]["op"] == "load_org"))
        .map(|s| s["request"].to_string())
        .expect("a load_org step");
    answer(&mut engine, &org);
    engine
}

/// [`loaded`], built once: each input starts from a clone of it.
pub fn base() -> &'static Engine {
    static BASE: OnceLock<Engine> = OnceLock::new();
    BASE.get_or_init(loaded)
}

/// A case as the engine shows it (its view and its history), or its absence.
pub fn case_state(engine: &mut Engine, case_id: &str) -> (String, String) {
    let id = serde_json::to_string(case_id).expect("a string");
    (
        engine.answer_str(&format!(r#"{{"op":"get_case","case_id":{id}}}"#)),
        engine.answer_str(&format!(r#"{{"op":"history","case_id":{id}}}"#)),
    )
}

/// The engine's answer to `request`, checked: JSON with a boolean `ok`, a result when it is
/// true and coded errors when it is false.
pub fn answer(engine: &mut Engine, request: &str) -> Value {
    let text = engine.answer_str(request);
    check(&text)
}

/// An answer text, checked as [`answer`] checks it.
pub fn check(text: &str) -> Value {
    let value: Value = serde_json::from_str(text).expect("every answer is JSON");
    match value["ok"].as_bool() {
        Some(true) => assert!(value.get("result").is_some(), "ok without result: {text}"),
        Some(false) => {
            let errors = value["errors"].as_array().expect("errors");
            assert!(!errors.is_empty(), "refused without errors: {text}");
            for e in errors {
                let code = e["code"].as_str().expect("code");
                assert!(code.contains('.'), "code {code}");
                assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            }
        }
        None => panic!("no ok: {text}"),
    }
    value
}

/// `{"op": op, key: <data>}` when `data` is JSON (then the op reads it deeply), else `data`
/// itself as the request (then the reader must refuse it cleanly).
pub fn wrap(op: &str, key: &str, data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    Some(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => format!(r#"{{"op":"{op}","{key}":{text}}}"#),
        Err(_) => text.to_owned(),
    })
}

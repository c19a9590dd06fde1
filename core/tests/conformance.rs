//! Runs the cross-language conformance suite in `tests/scenarios/` (format: `tests/README.md`).
//!
//! `CIVICFLOW_BLESS=1 cargo test --test conformance` fills in the `expect` of steps that have
//! none, for a human to review; it never overwrites an existing expectation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};

use civicflow::Engine;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Everything a request could change: the engine's data and its limits.
fn snapshot(engine: &mut Engine) -> Value {
    json!([
        engine.answer_json(json!({"op": "snapshot"})),
        engine.answer_json(json!({"op": "get_limits"}))
    ])
}

/// The bytes a step sends, from whichever of its request keys it has.
fn request_bytes(step: &Value) -> Option<Vec<u8>> {
    let keys = ["request", "request_text", "request_parts", "request_hex"];
    if keys.iter().filter(|k| step.get(**k).is_some()).count() != 1 {
        return None;
    }
    if let Some(req) = step.get("request") {
        // Requests go in as text, as they do through the C and WASM bindings.
        return Some(req.to_string().into_bytes());
    }
    if let Some(text) = step.get("request_text") {
        return Some(text.as_str()?.as_bytes().to_vec());
    }
    if let Some(parts) = step.get("request_parts") {
        let mut text = String::new();
        for part in parts.as_array()? {
            let times = usize::try_from(part[1].as_u64()?).ok()?;
            text.push_str(&part[0].as_str()?.repeat(times));
        }
        return Some(text.into_bytes());
    }
    let hex = step.get("request_hex")?.as_str()?;
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Runs one scenario; returns the failures, and the scenario with blessed expectations.
fn run(path: &Path) -> (Vec<String>, Value, bool) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut scenario: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut engine = Engine::new();
    let mut failures = Vec::new();
    if let Some(limits) = scenario.get("limits") {
        let answer = engine.answer_json(json!({"op": "set_limits", "limits": limits}));
        if answer["ok"] != json!(true) {
            failures.push(format!("setting limits: {answer}"));
        }
    }
    let dir = path.parent().unwrap();
    for load in scenario["calendars"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let file = dir.join(load.as_str().unwrap());
        let cal: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        let answer = engine.answer_json(json!({"op": "load_calendar", "calendar": cal}));
        if answer["ok"] != json!(true) {
            failures.push(format!("loading {}: {answer}", file.display()));
        }
    }
    for load in scenario["load"].as_array().cloned().unwrap_or_default() {
        let file = dir.join(load.as_str().unwrap());
        let def: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        let answer = engine.answer_json(json!({"op": "load_workflow", "definition": def}));
        if answer["ok"] != json!(true) {
            failures.push(format!("loading {}: {answer}", file.display()));
        }
    }
    let mut blessed = false;
    let steps = scenario["steps"].as_array_mut().expect("steps");
    for (i, step) in steps.iter_mut().enumerate() {
        let before = step["unchanged"]
            .as_bool()
            .unwrap_or(false)
            .then(|| snapshot(&mut engine));
        let Some(bytes) = request_bytes(step) else {
            panic!(
                "{} step {i}: give exactly one of request, request_text, request_parts, \
                 request_hex, well formed",
                path.display()
            )
        };
        let answer: Value = serde_json::from_str(&engine.answer_bytes(&bytes)).unwrap();
        let name = step["name"].as_str().unwrap_or("").to_owned();
        match step.get("expect") {
            Some(expect) if *expect != answer => failures.push(format!(
                "step {i} ({name}):\n  expected {}\n  got      {}",
                expect, answer
            )),
            Some(_) => {}
            None if std::env::var_os("CIVICFLOW_BLESS").is_some() => {
                step["expect"] = answer;
                blessed = true;
            }
            None => failures.push(format!("step {i} ({name}) has no expect")),
        }
        if let Some(before) = before {
            let after = snapshot(&mut engine);
            if before != after {
                failures.push(format!("step {i} ({name}) changed the engine"));
            }
        }
    }
    (failures, scenario, blessed)
}

#[test]
fn conformance_suite() {
    let dir = root().join("tests/scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "the suite has {} scenarios, want at least 30",
        files.len()
    );
    let mut report = Vec::new();
    let mut steps = 0;
    for file in &files {
        let (failures, scenario, blessed) = run(file);
        steps += scenario["steps"].as_array().map_or(0, Vec::len);
        if blessed {
            let text = serde_json::to_string_pretty(&scenario).unwrap() + "\n";
            fs::write(file, text).unwrap();
        }
        for f in failures {
            report.push(format!(
                "{}: {f}",
                file.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{} failure(s):\n{}",
        report.len(),
        report.join("\n")
    );
    println!(
        "conformance: {} scenarios, {steps} steps passed",
        files.len()
    );
}

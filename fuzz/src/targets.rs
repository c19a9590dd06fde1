//! The body of each fuzz target, callable from the fuzz binaries and from the seed test
//! (`cargo test` in fuzz/, on stable), which replays every seed and every regression input.

use std::ffi::CStr;
use std::os::raw::c_char;

use crate::{answer, base, case_state, wrap};

/// A workflow definition: validated, loaded, and when it loads, exported and searched.
pub fn definition(data: &[u8]) {
    let Some(validate) = wrap("validate_workflow", "definition", data) else {
        return;
    };
    let mut engine = base().clone();
    answer(&mut engine, &validate);
    let load = validate.replacen("validate_workflow", "load_workflow", 1);
    let loaded = answer(&mut engine, &load);
    if let Some(id) = loaded.pointer("/result/id").and_then(|w| w.as_str()) {
        let id = serde_json::to_string(id).unwrap();
        for format in ["dot", "mermaid"] {
            answer(
                &mut engine,
                &format!(r#"{{"op":"export_graph","workflow":{id},"format":"{format}"}}"#),
            );
        }
        answer(
            &mut engine,
            &format!(r#"{{"op":"shortest_path","workflow":{id}}}"#),
        );
    }
}

/// A business calendar: loaded, and when it loads, deadlines and spans computed on it.
pub fn calendar(data: &[u8]) {
    let Some(load) = wrap("load_calendar", "calendar", data) else {
        return;
    };
    let mut engine = base().clone();
    let loaded = answer(&mut engine, &load);
    if let Some(id) = loaded.pointer("/result/id").and_then(|c| c.as_str()) {
        let id = serde_json::to_string(id).unwrap();
        let at = 1_737_943_200_000i64;
        for duration in [
            r#"{"working_days":5}"#,
            r#"{"working_hours":9}"#,
            r#"{"natural_days":60}"#,
            r#"{"working_days":250}"#,
        ] {
            answer(
                &mut engine,
                &format!(
                    r#"{{"op":"calendar_add","calendar":{id},"at":{at},"duration":{duration}}}"#
                ),
            );
        }
        let to = at + 400 * 86_400_000;
        answer(
            &mut engine,
            &format!(r#"{{"op":"calendar_between","calendar":{id},"from":{at},"to":{to}}}"#),
        );
    }
}

/// An organisation tree: loaded, and when it loads, a matter routed through it.
pub fn org(data: &[u8]) {
    let Some(load) = wrap("load_org", "org", data) else {
        return;
    };
    let mut engine = base().clone();
    if answer(&mut engine, &load)["ok"] == true {
        answer(
            &mut engine,
            r#"{"op":"route","category":"municipal","region":"dongcun"}"#,
        );
    }
}

/// A stored history: verified, replayed, and restored into the engine.
pub fn history(data: &[u8]) {
    let Some(verify) = wrap("verify_history", "history", data) else {
        return;
    };
    let mut engine = base().clone();
    answer(&mut engine, &verify);
    let replay = verify.replacen("verify_history", "replay", 1);
    answer(&mut engine, &replay);
    if replay.starts_with(r#"{"op":"replay","history":"#) {
        let store = format!(r#"{{"op":"replay","store":true,{}"#, &replay[15..]);
        answer(&mut engine, &store);
    }
}

/// A sequence of JSON requests, one per line, against a loaded engine. A refused request must
/// leave the case it names exactly as it was (the conformance suite checks whole engines).
pub fn requests(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut engine = base().clone();
    for request in text.lines().take(64) {
        let case = serde_json::from_str::<serde_json::Value>(request)
            .ok()
            .and_then(|r| r["case_id"].as_str().map(str::to_owned));
        let before = case.as_deref().map(|c| case_state(&mut engine, c));
        let reply = answer(&mut engine, request);
        if let (Some(c), Some(before), false) = (case.as_deref(), before, reply["ok"] == true) {
            assert_eq!(
                before,
                case_state(&mut engine, c),
                "refused, yet changed: {request}"
            );
        }
    }
}

/// The C ABI entry point fed arbitrary bytes: any status, never a crash, and every answer
/// a well-formed JSON text freed by its owner's function.
pub fn c_abi(data: &[u8]) {
    let engine = civicflow_c::cf_engine_new();
    assert!(!engine.is_null());
    for chunk in data.split(|b| *b == b'\n').take(16) {
        let mut response: *mut c_char = std::ptr::null_mut();
        // SAFETY: engine is live; chunk is valid for its length; response is a valid out slot.
        let _status = unsafe {
            civicflow_c::cf_engine_call(engine, chunk.as_ptr().cast(), chunk.len(), &mut response)
        };
        if !response.is_null() {
            // SAFETY: the library returned a NUL-terminated string it owns until freed.
            let text = unsafe { CStr::from_ptr(response) }
                .to_str()
                .expect("UTF-8 answer");
            crate::check(text);
            // SAFETY: returned by cf_engine_call, freed once.
            unsafe { civicflow_c::cf_string_free(response) };
        }
    }
    // SAFETY: created above, freed once.
    unsafe { civicflow_c::cf_engine_free(engine) };
}

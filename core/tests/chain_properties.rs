//! Property tests of the hash chain: any single mutation of a serialized history, at the byte
//! level or of whole events, is either not a history any more or is caught by
//! `verify_history` against the anchored head, and by `replay`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::{verify_history, Actor, Command, Engine, EventRecord, Opening, Values};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const T0: i64 = 1_767_225_600_000;

/// The 12345 happy path, `steps` commands long, with the given texts in the citizen's fields
/// and the reply, so that histories hold escapes, CJK and odd characters.
fn history(steps: usize, summary: &str, reply: &str, actor_id: &str) -> (Engine, Vec<EventRecord>) {
    let mut engine = Engine::new();
    let calendar = serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    engine.load_calendar(calendar).unwrap();
    let wf = serde_json::from_str(include_str!("../../templates/hotline-12345.json")).unwrap();
    engine.load_workflow(wf).unwrap();
    let op = Actor::new(actor_id, &["operator"]);
    let fields: Map<String, Value> = json!({"summary": summary, "category": "municipal",
        "citizen_name": "张三", "citizen_phone": "13812345678"})
    .as_object()
    .cloned()
    .unwrap();
    let opening = Opening {
        case_id: "WO-1",
        channel: "wechat",
        fields: Values::Json(&fields),
        actor: &op,
        at: T0,
        keys: None,
    };
    engine.open_case("hotline-12345", None, &opening).unwrap();
    let mut handler = Actor::new("h-env-01", &["handler"]);
    handler.unit = Some("district-env".into());
    let path: [(&str, Actor, Value); 6] = [
        ("accept", op.clone(), json!({"urgency": "normal"})),
        (
            "dispatch",
            Actor::new("disp-01", &["dispatcher"]),
            json!({"assigned_unit": "district-env"}),
        ),
        ("sign", handler.clone(), json!({})),
        ("reply", handler, json!({"reply_text": reply})),
        (
            "callback",
            op.clone(),
            json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
        ),
        ("close", op, json!({})),
    ];
    for (i, (t, a, p)) in path.iter().take(steps).enumerate() {
        let payload = p.as_object().cloned().unwrap();
        let cmd = Command {
            transition: t,
            actor: a,
            payload: Values::Json(&payload),
            at: T0 + (i as i64 + 1) * 3_600_000,
        };
        engine.apply("WO-1", &cmd).unwrap();
    }
    let events = engine.history("WO-1").unwrap();
    (engine, events)
}

/// One line of text with quotes, backslashes, CJK and an emoji.
fn line() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9 \"\\\\/\u{4e00}-\u{4e20}\u{1f600}]{1,12}").unwrap()
}

/// Free text: lines with line breaks.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9 \"\\\\/\u{4e00}-\u{4e20}\u{1f600}\n]{1,12}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_byte_mutation_is_detected(
        steps in 0..7usize,
        summary in line(),
        reply in text(),
        actor in "[a-z]{1,8}",
        position in any::<proptest::sample::Index>(),
        byte in prop_oneof![Just(b'0'), Just(b'1'), Just(b'9'), Just(b'a'), Just(b'z'), Just(b'"'), Just(b' '), Just(b','), Just(b'}')],
        kind in 0..3u8,
    ) {
        let (engine, events) = history(steps, &summary, &reply, &actor);
        let head = engine.case("WO-1").unwrap().head();
        prop_assert!(verify_history(&events, Some(&head)).is_ok());
        let mut bytes = serde_json::to_vec(&events).unwrap();
        let at = position.index(bytes.len());
        match kind {
            0 => bytes[at] = byte,
            1 => { bytes.remove(at); }
            _ => bytes.insert(at, byte),
        }
        // Not a history any more, or the same history (a change that parses back to equal
        // records, such as a space between tokens), or a different one the chain catches.
        let Ok(mutated) = serde_json::from_slice::<Vec<EventRecord>>(&bytes) else { return Ok(()) };
        if mutated == events {
            return Ok(());
        }
        prop_assert!(verify_history(&mutated, Some(&head)).is_err(), "undetected: {}", String::from_utf8_lossy(&bytes));
        // Replay catches it too, unless the mutation dropped events from the end (only the
        // anchored head shows that) or stripped every hash.
        let shorter = mutated.len() < events.len();
        let stripped = mutated.iter().all(|e| e.hash().is_none());
        if !shorter && !stripped {
            prop_assert!(engine.replay(&mutated).is_err());
        }
    }

    #[test]
    fn removing_reordering_or_inserting_events_is_detected(
        steps in 1..7usize,
        summary in line(),
        reply in text(),
        a in any::<proptest::sample::Index>(),
        b in any::<proptest::sample::Index>(),
        op in 0..3u8,
        renumber in any::<bool>(),
    ) {
        let (engine, events) = history(steps, &summary, &reply, "op");
        let head = engine.case("WO-1").unwrap().head();
        let mut mutated = events.clone();
        let (i, j) = (a.index(events.len()), b.index(events.len()));
        match op {
            0 => { mutated.remove(i); }
            1 if i != j => mutated.swap(i, j),
            1 => { mutated.remove(i); }
            _ => mutated.insert(i, events[j].clone()),
        }
        if renumber {
            // A forger fixes the sequence numbers, keeping each event's recorded hash.
            let mut text = serde_json::to_value(&mutated).unwrap();
            for (n, e) in text.as_array_mut().unwrap().iter_mut().enumerate() {
                e["seq"] = json!(n);
            }
            mutated = serde_json::from_value(text).unwrap();
        }
        if mutated.is_empty() {
            prop_assert!(verify_history(&mutated, Some(&head)).is_err());
            return Ok(());
        }
        let err = verify_history(&mutated, Some(&head)).unwrap_err();
        prop_assert!(["history.bad_sequence", "history.hash_mismatch", "history.head_mismatch"].contains(&err.code()), "{}", err.code());
    }
}

//! `read` against the crates it stands in for: on every input, the same value or the same
//! message as serde_json's `from_value`, and the same path as serde_path_to_error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value as Json};

use crate::calendar::CalendarDef;
use crate::case::EventRecord;
use crate::engine::Snapshot;
use crate::support::json::read;
use crate::workflow::definition::WorkflowDef;

fn reference<T: DeserializeOwned>(value: Json) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = String::new();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => path.push_str(&format!("/{index}")),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    path.push_str(&format!("/{}", crate::error::escape_pointer(key)))
                }
                Segment::Unknown => {}
            }
        }
        (e.into_inner().to_string(), path)
    })
}

fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(value: &Json) -> Result<(), String> {
    let ours = read::<T>(value.clone(), "");
    let theirs = reference::<T>(value.clone());
    let plain = serde_json::from_value::<T>(value.clone()).map_err(|e| e.to_string());
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err((m, p)), Err((rm, rp))) if m == rm && p == rp && plain.as_ref().err() == Some(m) => {
            Ok(())
        }
        _ => Err(format!(
            "ours {ours:?}\nreference {theirs:?}\nfrom_value {plain:?}"
        )),
    }
}

fn scenario_values(op: &str, key: &str) -> Vec<Json> {
    let mut out = Vec::new();
    for text in [
        include_str!("../../../tests/scenarios/13_snapshot_restore.json"),
        include_str!("../../../tests/scenarios/14_replay.json"),
        include_str!("../../../tests/scenarios/32_restore_errors.json"),
        include_str!("../../../tests/scenarios/33_replay_errors.json"),
    ] {
        let doc: Json = serde_json::from_str(text).unwrap();
        for step in doc["steps"].as_array().unwrap() {
            if step["request"]["op"] == op {
                out.push(step["request"][key].clone());
            }
        }
    }
    assert!(!out.is_empty());
    out
}

/// Documents of each kind, valid and not.
fn seeds() -> &'static [(usize, Json)] {
    static SEEDS: std::sync::OnceLock<Vec<(usize, Json)>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = vec![
            (
                0,
                serde_json::from_str(include_str!("../../../templates/hotline-12345.json"))
                    .unwrap(),
            ),
            (
                0,
                serde_json::from_str(include_str!("../../../templates/xinfang-2022.json")).unwrap(),
            ),
            (
                1,
                serde_json::from_str(include_str!("../../../calendars/cn-mainland.json")).unwrap(),
            ),
        ];
        out.extend(
            scenario_values("restore", "snapshot")
                .into_iter()
                .map(|v| (2, v)),
        );
        out.extend(
            scenario_values("replay", "history")
                .into_iter()
                .map(|v| (3, v)),
        );
        out
    })
}

fn check(kind: usize, value: &Json) -> Result<(), String> {
    match kind {
        0 => same::<WorkflowDef>(value),
        1 => same::<CalendarDef>(value),
        2 => same::<Snapshot>(value),
        _ => same::<Vec<EventRecord>>(value),
    }
}

/// Replaces, removes or adds something at the `pick`-th node (in document order).
fn mutate(value: &mut Json, pick: &mut usize, what: u8, with: &Json) -> bool {
    if *pick == 0 {
        match (what % 3, &mut *value) {
            (1, Json::Object(map)) if !map.is_empty() => {
                let key = map
                    .keys()
                    .nth(usize::from(what) % map.len())
                    .cloned()
                    .unwrap();
                map.remove(&key);
            }
            (2, Json::Object(map)) => {
                map.insert("extra".into(), with.clone());
            }
            (2, Json::Array(items)) => items.push(with.clone()),
            _ => *value = with.clone(),
        }
        return true;
    }
    *pick -= 1;
    match value {
        Json::Array(items) => items.iter_mut().any(|v| mutate(v, pick, what, with)),
        Json::Object(map) => map.values_mut().any(|v| mutate(v, pick, what, with)),
        _ => false,
    }
}

fn replacement() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (-1e6f64..1e6).prop_map(Json::from),
        Just(json!(1.5)),
        "[a-z_]{0,8}".prop_map(Json::from),
        Just(json!("2025-02-30")),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"all": [], "any": []})),
        Just(json!({"minutes": 5})),
        Just(json!([["09:00", "12:00", "13:00"]])),
    ]
}

// Whole templates, read twice: minutes under Miri, which runs the rest.
#[cfg_attr(miri, ignore)]
#[test]
fn the_seeds_read_alike() {
    for (kind, value) in seeds() {
        check(*kind, value).unwrap();
    }
}

#[test]
fn enum_forms_read_alike() {
    // Unit variants as strings and as `{"v": null}`; maps with other than one key.
    for value in [
        json!("string"),
        json!({"string": null}),
        json!({"string": 1}),
        json!({"string": null, "text": null}),
        json!({}),
        json!(7),
        json!(null),
    ] {
        same::<crate::value::FieldKind>(&value).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    // 4,000 cases of whole-template reads: far too slow under Miri, which runs the rest.
    #[cfg_attr(miri, ignore)]
    #[test]
    fn mutated_documents_read_alike(seed in 0usize..64, pick in 0usize..4000, what in any::<u8>(), with in replacement()) {
        let all = seeds();
        let (kind, mut value) = all[seed % all.len()].clone();
        let mut at = pick;
        mutate(&mut value, &mut at, what, &with);
        prop_assert!(check(kind, &value).is_ok(), "{}", check(kind, &value).unwrap_err());
    }
}

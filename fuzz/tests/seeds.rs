//! Every seed and every regression input through its target's checks, on stable Rust and
//! without libFuzzer: the seeds cannot rot, and a finding, once its input is saved under
//! `regressions/<target>/`, stays fixed.

use std::fs;
use std::path::Path;

use civicflow_fuzz::targets;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            run(&fs::read(&path).unwrap());
            count += 1;
        }
    }
    assert!(count > 0, "no seeds for {target}");
}

#[test]
fn definition() {
    replay("definition", targets::definition);
}

#[test]
fn calendar() {
    replay("calendar", targets::calendar);
}

#[test]
fn org() {
    replay("org", targets::org);
}

#[test]
fn history() {
    replay("history", targets::history);
}

#[test]
fn requests() {
    replay("requests", targets::requests);
}

#[test]
fn c_abi() {
    replay("c_abi", targets::c_abi);
}

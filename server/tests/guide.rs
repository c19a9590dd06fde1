//! `docs/hosting.md` works as written: its quick start runs (tokens, loading, serving, the
//! curl request), and its configuration examples are read by the server as they stand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::Command;

use common::*;

const GUIDE: &str = include_str!("../../docs/hosting.md");

/// The fenced blocks of a language, in order.
fn blocks(language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    GUIDE
        .split(&fence)
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_owned())
        .collect()
}

fn sh(dir: &std::path::Path, script: &str) -> String {
    let bin = std::path::Path::new(BIN).parent().unwrap();
    let out = Command::new("sh")
        .args(["-ec", script])
        .current_dir(dir)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_quick_start_runs_as_written() {
    let dir = TempDir::new("guide");
    for folder in ["calendars", "orgs", "templates"] {
        std::os::unix::fs::symlink(format!("{ROOT}/{folder}"), dir.0.join(folder)).unwrap();
    }
    let sh_blocks = blocks("sh");
    let quick_start: Vec<&str> = sh_blocks[0].lines().collect();
    assert!(quick_start[0].starts_with("cargo build --release -p civicflow-server"));
    // The build is this test's binary; the rest runs as written, the server on a free port.
    let admin = sh(&dir.0, quick_start[1]);
    let clerk = sh(&dir.0, quick_start[2]);
    assert!(admin.trim().starts_with("cf_") && clerk.trim().starts_with("cf_"));
    sh(&dir.0, quick_start[3]);
    assert_eq!(
        quick_start[4].split('#').next().unwrap().trim(),
        "civicflow serve"
    );
    let port = free_port();
    let mut server = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(&dir.0)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if get(&format!("http://127.0.0.1:{port}/health")).0 == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let curl = sh_blocks[1].replace("localhost:8080", &format!("127.0.0.1:{port}"));
    let answer = sh(&dir.0, &format!("CLERK={}\n{curl}", clerk.trim()));
    let _ = server.kill();
    let _ = server.wait();
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["result"]["case"]["state"], "received");
    // Moving to PostgreSQL, as written, into a database of the test's cluster.
    let copy = sh_blocks[2].split("--to ").next().unwrap().to_owned();
    let copied = sh(&dir.0, &format!("{copy}--to '{}'", pg::fresh("guide")));
    assert!(
        copied.contains(": 3 definitions, 1 cases, 0 archived"),
        "{copied}"
    );
}

#[test]
fn the_configuration_examples_are_read_as_they_stand() {
    let dir = TempDir::new("guide-config");
    for (i, toml) in blocks("toml").iter().enumerate() {
        let file = dir.0.join(format!("example-{i}.toml"));
        std::fs::write(&file, toml).unwrap();
        let database = format!("sqlite:{}/c{i}.db", dir.0.display());
        let out = Command::new(BIN)
            .args([
                "migrate",
                "--config",
                file.to_str().unwrap(),
                "--database",
                &database,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "example {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

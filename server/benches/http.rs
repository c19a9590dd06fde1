//! Durable commands per second through `POST /v1`: 1, 2 and 4 `civicflow serve` processes on
//! one PostgreSQL (fsync and `synchronous_commit` on), one on SQLite (WAL, `synchronous=FULL`),
//! against the in-memory engine answering the same requests; p50/p99 latency; and timer steps
//! fired per second from a backlog of due cases. Figures are printed, never asserted
//! (`docs/hosting.md` quotes them). Run: `cargo bench -p civicflow-server --bench http`
//! (`CIVICFLOW_BENCH_SECONDS`, default 10, per configuration).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const CLIENTS: usize = 16;

/// The township path of one case: open, then six transitions.
fn path(id: &str) -> Vec<(&'static str, Value)> {
    let apply =
        |t: &str, p: Value| json!({"op": "apply", "case_id": id, "transition": t, "payload": p});
    vec![
        (
            "clerk",
            json!({"op": "open_case", "workflow": "township", "case_id": id, "channel": "app",
            "fields": {"summary": "路灯不亮", "category": "municipal", "region": "dongcun", "citizen_name": "王芳"}}),
        ),
        ("clerk", apply("accept", json!({}))),
        (
            "dispatcher",
            apply("dispatch", json!({"handling_unit": "dongcun"})),
        ),
        ("handler", apply("sign", json!({}))),
        ("handler", apply("reply", json!({"reply_text": "已修复"}))),
        (
            "clerk",
            apply(
                "callback",
                json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
            ),
        ),
        ("clerk", apply("close", json!({}))),
    ]
}

struct Figures {
    commands: usize,
    seconds: f64,
    latencies: Vec<f64>,
}

impl Figures {
    fn line(&mut self, name: &str) {
        self.latencies.sort_by(f64::total_cmp);
        let at = |q: f64| {
            self.latencies
                .get(((self.latencies.len() as f64 - 1.0) * q) as usize)
                .copied()
                .unwrap_or(0.0)
        };
        println!(
            "| {name} | {:.0} | {:.3} | {:.3} |",
            self.commands as f64 / self.seconds,
            at(0.50) * 1000.0,
            at(0.99) * 1000.0
        );
    }
}

/// `CLIENTS` clients, each walking cases down the path, for `seconds`, spread over `urls`.
fn load(urls: &[String], setup: &Setup, seconds: f64, tag: &str) -> Figures {
    let stop = AtomicBool::new(false);
    let latencies = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let (stop, latencies, url) = (&stop, &latencies, &urls[client % urls.len()]);
            scope.spawn(move || {
                let mut mine = Vec::new();
                'cases: for n in 0.. {
                    let id = format!("{tag}-{client}-{n}");
                    for (step, (who, request)) in path(&id).into_iter().enumerate() {
                        if stop.load(Ordering::Relaxed) {
                            break 'cases;
                        }
                        let began = Instant::now();
                        let (status, answer) = post_json(
                            &format!("{url}/v1"),
                            setup.token(who),
                            &request,
                            Some(&format!("{id}/{step}")),
                        );
                        assert_eq!(status, 200, "{answer}");
                        mine.push(began.elapsed().as_secs_f64());
                    }
                }
                latencies.lock().unwrap().extend(mine);
            });
        }
        std::thread::sleep(Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    let latencies = latencies.into_inner().unwrap();
    Figures {
        commands: latencies.len(),
        seconds: started.elapsed().as_secs_f64(),
        latencies,
    }
}

/// The same requests on one in-memory engine, one thread: what the durability costs.
fn in_memory(seconds: f64) -> Figures {
    let mut engine = civicflow::Engine::new();
    // As the store's engines: the host keeps the outbox (the answers list the effects).
    engine.set_outbox_mode(civicflow::OutboxMode::Host).unwrap();
    for request in [
        json!({"op": "load_calendar", "calendar": serde_json::from_str::<Value>(&std::fs::read_to_string(format!("{ROOT}/calendars/cn-mainland.json")).unwrap()).unwrap()}),
        json!({"op": "load_org", "org": serde_json::from_str::<Value>(&std::fs::read_to_string(format!("{ROOT}/orgs/qingshan.json")).unwrap()).unwrap()}),
        json!({"op": "load_workflow", "definition": serde_json::from_str::<Value>(&std::fs::read_to_string(format!("{ROOT}/templates/township.json")).unwrap()).unwrap()}),
    ] {
        assert_eq!(engine.answer_json(request)["ok"], true);
    }
    let actors = ACTORS
        .iter()
        .map(|(name, id, roles, unit, _)| (*name, json!({"id": id, "roles": roles, "unit": unit})))
        .collect::<std::collections::BTreeMap<_, _>>();
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut at = 1_767_574_800_000_i64;
    'cases: for n in 0.. {
        for (who, mut request) in path(&format!("M-{n}")) {
            if started.elapsed().as_secs_f64() > seconds {
                break 'cases;
            }
            at += 1000;
            request["actor"] = actors[who].clone();
            request["at"] = json!(at);
            let began = Instant::now();
            let answer = engine.answer_json(request);
            assert_eq!(answer["ok"], true, "{answer}");
            latencies.push(began.elapsed().as_secs_f64());
        }
    }
    Figures {
        commands: latencies.len(),
        seconds: started.elapsed().as_secs_f64(),
        latencies,
    }
}

/// Timer steps fired per second: `cases` cases whose response clocks are all due, one server's
/// sweeper on them.
fn backlog(database: &str, setup: &Setup, cases: usize) -> f64 {
    let opener = Server::start(
        database,
        &setup.config(),
        &["--no-jobs", "--workers", "4"],
        &[],
    );
    let past = 1_767_574_800_000_i64;
    std::thread::scope(|scope| {
        for part in 0..4 {
            let opener = &opener;
            scope.spawn(move || {
                for n in (part..cases).step_by(4) {
                    let request = json!({"op": "open_case", "workflow": "township", "case_id": format!("B-{n}"), "channel": "app", "at": past,
                        "fields": {"summary": "路灯不亮", "category": "municipal", "region": "dongcun", "citizen_name": "王芳"}});
                    assert_eq!(opener.call(setup.token("clerk"), &request).0, 200);
                }
            });
        }
    });
    drop(opener);
    let started = Instant::now();
    let server = Server::start(database, &setup.config(), &["--workers", "1"], &[]);
    loop {
        let (_, metrics) = get(&format!("{}/metrics", server.url));
        let due = metrics
            .lines()
            .find(|l| l.starts_with("civicflow_timers_due "))
            .and_then(|l| l.rsplit(' ').next())
            .unwrap_or("1");
        if due == "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cases as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let seconds: f64 = std::env::var("CIVICFLOW_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    pg::DURABLE.store(true, Ordering::Relaxed);
    println!("| configuration | commands/s | p50 ms | p99 ms |\n|---|---:|---:|---:|");
    in_memory(seconds).line("in-memory engine, one thread, JSON API (no I/O)");
    let setup = Setup::new("bench-sqlite", "");
    let database = format!("sqlite:{}/civicflow.db", setup.dir.0.display());
    load_township(&database);
    let server = Server::start(&database, &setup.config(), &["--workers", "8"], &[]);
    load(std::slice::from_ref(&server.url), &setup, seconds, "s").line("SQLite, 1 server");
    drop(server);
    for servers in [1, 2, 4] {
        let setup = Setup::new(&format!("bench-pg-{servers}"), "");
        let database = pg::fresh("bench");
        load_township(&database);
        let running: Vec<Server> = (0..servers)
            .map(|_| Server::start(&database, &setup.config(), &["--workers", "8"], &[]))
            .collect();
        let urls: Vec<String> = running.iter().map(|s| s.url.clone()).collect();
        load(&urls, &setup, seconds, "p").line(&format!(
            "PostgreSQL, {servers} server{}",
            if servers > 1 { "s" } else { "" }
        ));
    }
    let setup = Setup::new("bench-backlog", "sweep_seconds = 0.01");
    let database = pg::fresh("backlog");
    load_township(&database);
    println!("\ntimer steps fired per second from a backlog of 5,000 due cases, one server, PostgreSQL: {:.0}", backlog(&database, &setup, 5_000));
    let setup = Setup::new("bench-backlog-sqlite", "sweep_seconds = 0.01");
    let database = format!("sqlite:{}/civicflow.db", setup.dir.0.display());
    load_township(&database);
    println!(
        "timer steps fired per second from a backlog of 5,000 due cases, one server, SQLite: {:.0}",
        backlog(&database, &setup, 5_000)
    );
}

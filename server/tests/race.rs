//! Workers racing: six `civicflow serve` processes on one PostgreSQL, their own clocks skewed
//! by up to an hour either way (libfaketime, when installed: `scripts/test.sh` installs it),
//! and 2,000 cases whose response clocks all fall due at the same instant. Every timer step
//! fires exactly once, never before its due instant by the database's clock, the servers share
//! the work, and every effect reaches the sink.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

const CASES: usize = 2_000;
const HOUR: i64 = 3_600_000;

fn db_now(db: &mut postgres::Client) -> i64 {
    db.query_one(
        "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
        &[],
    )
    .unwrap()
    .get(0)
}

#[test]
fn racing_servers_fire_every_timer_once_and_never_early() {
    let database = pg::fresh("race");
    load_township(&database);
    let setup = Setup::new("race", "sweep_seconds = 0.05");
    let mut db = postgres::Client::connect(&database, postgres::NoTls).unwrap();

    // 2,000 cases opened at one instant, their 2-hour response clocks due 30 s from now.
    let due = db_now(&mut db) + 30_000;
    let opened_at = due - 2 * HOUR;
    let opener = Server::start(
        &database,
        &setup.config(),
        &["--no-jobs", "--workers", "4"],
        &[],
    );
    std::thread::scope(|scope| {
        for part in 0..4 {
            let (opener, clerk) = (&opener, setup.token("clerk"));
            scope.spawn(move || {
                for n in (part..CASES).step_by(4) {
                    let request = json!({"op": "open_case", "workflow": "township", "case_id": format!("R-{n:04}"),
                        "channel": "app", "at": opened_at,
                        "fields": {"summary": "路灯不亮", "category": "municipal", "region": "dongcun", "citizen_name": "王芳"}});
                    let (status, answer) = opener.call_with_key(clerk, &request, &format!("open-{n}"));
                    assert_eq!(status, 200, "{answer}");
                }
            });
        }
    });
    drop(opener);
    let row = db
        .query_one("SELECT count(*), min(due_at), max(due_at) FROM timers", &[])
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2)
        ),
        (CASES as i64, due, due)
    );
    assert!(
        db_now(&mut db) < due,
        "the cases took too long to open: the race must start before the instant"
    );

    // Six servers, clocks skewed when libfaketime is here (preloaded into the server itself,
    // so that killing the server kills the process that runs it).
    let skews = ["-1h", "+1h", "-10m", "+10m", "+30", "-30"];
    let library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
    let faketime = std::path::Path::new(library).exists();
    let servers: Vec<Server> = skews
        .iter()
        .map(|skew| {
            let env: Vec<(&str, &str)> = if faketime {
                vec![("LD_PRELOAD", library), ("FAKETIME", skew)]
            } else {
                vec![]
            };
            Server::start(&database, &setup.config(), &["--workers", "1"], &env)
        })
        .collect();
    if faketime {
        // The first server's own clock is an hour behind: its log says so.
        let log = std::fs::read_to_string(&servers[0].log).unwrap();
        let ts: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
        let logged = ts["ts"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        let behind = db_now(&mut db) - logged;
        assert!(
            (50 * 60_000..70 * 60_000).contains(&behind),
            "the skewed clock is {behind} ms behind"
        );
    }
    let started = Instant::now();
    loop {
        let left: i64 = db
            .query_one("SELECT count(*) FROM timers WHERE due_at <= $1", &[&due])
            .unwrap()
            .get(0);
        let backlog: i64 = db
            .query_one(
                "SELECT count(*) FROM outbox WHERE delivered_at IS NULL",
                &[],
            )
            .unwrap()
            .get(0);
        if left == 0 && backlog == 0 && db_now(&mut db) > due {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "{left} timers and {backlog} effects left"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Exactly once, never early by the database's clock.
    let rows = db
        .query(
            "SELECT case_id, count(*), min((body->>'at')::bigint), min(committed_at) FROM events
             WHERE body->>'type' = 'sla_breached' GROUP BY case_id",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), CASES, "cases whose breach fired");
    for row in &rows {
        let (case, count, at, committed): (String, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        assert_eq!(count, 1, "{case} fired {count} times");
        assert!(
            at >= due && committed >= due,
            "{case} fired at {at} (committed {committed}) before {due}"
        );
    }
    // The servers shared the work.
    let fired: Vec<f64> = servers
        .iter()
        .map(|s| {
            let (_, metrics) = get(&format!("{}/metrics", s.url));
            let line = metrics
                .lines()
                .find(|l| l.starts_with("civicflow_timers_fired_total"))
                .unwrap_or("x 0");
            line.rsplit(' ').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(fired.iter().sum::<f64>() as usize, CASES, "{fired:?}");
    assert!(
        fired.iter().filter(|n| **n > 0.0).count() >= 2,
        "one server did all: {fired:?}"
    );
    // Every effect reached the sink at least once.
    let effects = assert_every_effect_delivered(&mut db, &setup);
    drop(servers);
    check(&database);
    eprintln!("race: {CASES} timers due at one instant, fired once each by {fired:?} (skewed clocks: {faketime}); {effects} effects delivered");
}

//! Chaos: clients with request ids drive the township and 12345 workflows through three
//! servers on one PostgreSQL while a supervisor SIGKILLs a random server every few hundred
//! milliseconds and starts it again, and twice crashes PostgreSQL itself (`pg_ctl stop -m
//! immediate`) and starts it again. Then everything quiesces and the invariants are checked:
//! no acknowledged change lost, none doubled, every history sound, every effect delivered, no
//! open duplicate of a closed primary, at most one appeal per case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const RUN: Duration = Duration::from_secs(30);
const CLIENTS: usize = 4;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The steps of one case: who does what.
fn path(workflow: &str, id: &str, keys: Value) -> Vec<(&'static str, Value)> {
    let apply = |transition: &str, payload: Value| json!({"op": "apply", "case_id": id, "transition": transition, "payload": payload});
    if workflow == "township" {
        vec![
            (
                "clerk",
                json!({"op": "open_case", "workflow": "township", "case_id": id, "channel": "wechat", "keys": keys,
                "fields": {"summary": "垃圾未清运", "category": "environment", "region": "dongcun", "citizen_name": "赵敏"}}),
            ),
            ("clerk", apply("accept", json!({}))),
            (
                "dispatcher",
                apply("dispatch", json!({"handling_unit": "dongcun"})),
            ),
            ("handler", apply("sign", json!({}))),
            (
                "supervisor",
                json!({"op": "supervise", "case_id": id, "level": "reminder", "required": "说明进度"}),
            ),
            ("handler", apply("reply", json!({"reply_text": "已清运"}))),
            (
                "clerk",
                apply(
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                ),
            ),
            ("clerk", apply("close", json!({}))),
        ]
    } else {
        vec![
            (
                "operator",
                json!({"op": "open_case", "workflow": "hotline-12345", "case_id": id, "channel": "hotline",
                "fields": {"summary": "噪音扰民", "category": "environment", "citizen_name": "钱进", "citizen_phone": "13900002222"}}),
            ),
            ("operator", apply("accept", json!({}))),
            (
                "dispatcher",
                apply("dispatch", json!({"assigned_unit": "dongcun"})),
            ),
            ("handler", apply("sign", json!({}))),
            (
                "handler",
                apply("reply", json!({"reply_text": "已协调施工方"})),
            ),
            (
                "operator",
                apply(
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                ),
            ),
            ("operator", apply("close", json!({}))),
        ]
    }
}

/// What the clients were told: every answered request, by key.
struct Acknowledged {
    answers: Mutex<BTreeMap<String, Value>>,
    retries: AtomicUsize,
}

#[test]
fn chaos_with_killed_servers_and_a_crashing_database() {
    pg::DURABLE.store(true, Ordering::Relaxed);
    let database = pg::fresh("chaos");
    load_township(&database);
    let setup = Setup::new("chaos", "sweep_seconds = 0.1\ntimer_claim_seconds = 2");
    let start = || Server::start(&database, &setup.config(), &["--workers", "2"], &[]);
    let servers: Mutex<Vec<Server>> = Mutex::new((0..3).map(|_| start()).collect());
    let urls = || {
        servers
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.url.clone())
            .collect::<Vec<_>>()
    };
    let acknowledged = Acknowledged {
        answers: Mutex::new(BTreeMap::new()),
        retries: AtomicUsize::new(0),
    };
    let stop = AtomicBool::new(false);
    let (mut kills, mut crashes) = (0, 0);
    let began = Instant::now();

    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let (setup, acknowledged, stop, urls) = (&setup, &acknowledged, &stop, &urls);
            scope.spawn(move || {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (client as u64 + 1));
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let workflow = if rng.below(2) == 0 {
                        "township"
                    } else {
                        "hotline-12345"
                    };
                    let id = format!("C{client}-{n}");
                    // Now and then the same citizen and matter again: linked as it opens.
                    let keys =
                        json!({"citizen": format!("c{client}"), "matter": format!("m{}", n / 3)});
                    for (step, (who, request)) in path(workflow, &id, keys).into_iter().enumerate()
                    {
                        let key = format!("{id}/{step}");
                        let answer = loop {
                            let urls = urls();
                            let url = &urls[rng.below(urls.len())];
                            let (status, answer) = post_json(
                                &format!("{url}/v1"),
                                setup.token(who),
                                &request,
                                Some(&key),
                            );
                            if status == 0 || status == 503 {
                                acknowledged.retries.fetch_add(1, Ordering::Relaxed);
                                std::thread::sleep(Duration::from_millis(
                                    20 + rng.below(80) as u64,
                                ));
                                continue;
                            }
                            break answer;
                        };
                        let ok = answer["ok"] == true;
                        acknowledged.answers.lock().unwrap().insert(key, answer);
                        if !ok {
                            break; // a linked duplicate is parked: its path ends here
                        }
                    }
                }
            });
        }
        // The supervisor: a server killed every few hundred milliseconds; PostgreSQL crashed
        // twice.
        let mut rng = Rng(7);
        while began.elapsed() < RUN {
            std::thread::sleep(Duration::from_millis(150 + rng.below(350) as u64));
            if (crashes == 0 && began.elapsed() > RUN / 3)
                || (crashes == 1 && began.elapsed() > RUN * 2 / 3)
            {
                pg::crash_and_restart();
                crashes += 1;
                continue;
            }
            let i = rng.below(3);
            let mut list = servers.lock().unwrap();
            unsafe_free_sigkill(&mut list[i]);
            kills += 1;
            drop(list);
            let fresh = start();
            servers.lock().unwrap()[i] = fresh;
        }
        stop.store(true, Ordering::Relaxed);
    });

    // Quiesce: the dispatchers deliver what is left.
    let mut db = postgres::Client::connect(&database, postgres::NoTls).unwrap();
    let quiet = Instant::now();
    loop {
        let backlog: i64 = db
            .query_one(
                "SELECT count(*) FROM outbox WHERE delivered_at IS NULL",
                &[],
            )
            .unwrap()
            .get(0);
        if backlog == 0 {
            break;
        }
        assert!(
            quiet.elapsed() < Duration::from_secs(120),
            "{backlog} effects never delivered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(servers);

    // 1. No acknowledged change lost, 2. none doubled: every answered event is stored, with its
    // hash, and the events carrying each request id are exactly those its answer listed.
    let answers = acknowledged.answers.into_inner().unwrap();
    let mut stored: BTreeMap<(String, i64), (String, Option<String>)> = BTreeMap::new();
    for row in db
        .query(
            "SELECT case_id, seq, body->>'hash', body->>'request_id' FROM events",
            &[],
        )
        .unwrap()
    {
        stored.insert((row.get(0), row.get(1)), (row.get(2), row.get(3)));
    }
    let mut by_request: BTreeMap<String, BTreeSet<(String, i64)>> = BTreeMap::new();
    for ((case, seq), (_, request)) in &stored {
        if let Some(request) = request {
            by_request
                .entry(request.clone())
                .or_default()
                .insert((case.clone(), *seq));
        }
    }
    let mut commands = 0;
    for (key, answer) in &answers {
        if answer["ok"] != true {
            continue;
        }
        commands += 1;
        let mut listed = BTreeSet::new();
        for write in answer["result"]["writes"].as_array().unwrap() {
            for event in write["events"].as_array().unwrap() {
                let place = (
                    write["case_id"].as_str().unwrap().to_owned(),
                    event["seq"].as_i64().unwrap(),
                );
                let hash = event["hash"].as_str().unwrap();
                assert_eq!(
                    stored.get(&place).map(|s| s.0.as_str()),
                    Some(hash),
                    "{key}: acknowledged {place:?} lost"
                );
                if event["request_id"] == key.as_str() {
                    listed.insert(place);
                }
            }
        }
        assert_eq!(
            by_request.get(key).cloned().unwrap_or_default(),
            listed,
            "{key}: stored more than answered"
        );
    }
    // 3. Every history sound (gap-free, verifying, replaying, timer rows as computed).
    let checked = check(&database);
    // 4. Every effect reached the sink at least once.
    let effects = assert_every_effect_delivered(&mut db, &setup);
    // 5. Cross-case rules.
    let stranded: i64 = db
        .query_one("SELECT count(*) FROM cases d JOIN cases p ON p.case_id = d.primary_id WHERE NOT d.terminal AND p.terminal", &[])
        .unwrap()
        .get(0);
    assert_eq!(stranded, 0, "open duplicates of closed primaries");
    let appeals: i64 = db
        .query_one("SELECT count(*) FROM (SELECT appeal_of FROM cases WHERE appeal_of IS NOT NULL GROUP BY appeal_of HAVING count(*) > 1) a", &[])
        .unwrap()
        .get(0);
    assert_eq!(appeals, 0);
    let retries = acknowledged.retries.load(Ordering::Relaxed);
    assert!(
        kills >= 20 && crashes == 2 && commands > 200,
        "{kills} kills, {crashes} crashes, {commands} commands"
    );
    eprintln!(
        "chaos: {:.0} s, {kills} servers killed and restarted, PostgreSQL crashed {crashes} times; {commands} commands acknowledged, {retries} retries, {} effects delivered; {}",
        began.elapsed().as_secs_f64(),
        effects,
        checked.trim()
    );
}

/// SIGKILL, as an operator's `kill -9` or the OOM killer.
fn unsafe_free_sigkill(server: &mut Server) {
    server.kill();
}

//! The server's own jobs, each on a thread with its own connection: the timer sweeper, the
//! outbox dispatcher and the archiver. Every server runs all three; on PostgreSQL they share the
//! work through the database (claims with `SKIP LOCKED`), with no coordinator. An admin can
//! also run a round by hand (`POST /v1/jobs/sweep`, `/dispatch`, `/archive`), which is how a
//! deployment with `--no-jobs` drives them from its own scheduler.

use std::sync::Arc;
use std::time::Duration;

use civicflow_store::{Store, StoreError};
use serde_json::json;

use crate::app::{forget_on_failure, App};
use crate::auth::authenticate;
use crate::delivery::Routes;
use crate::http::{error, Incoming, Outgoing};
use crate::log;

/// Claims per sweep, effects per dispatch round, cases per archiving round.
const BATCH: i64 = 100;
/// How long a dispatcher's lease on an effect lasts.
const DELIVERY_LEASE_MS: i64 = 60_000;
const DEFAULT_ARCHIVE_AFTER_S: i64 = 7 * 24 * 3600;

/// One round of each job; answers what it did.
fn sweep(app: &App, store: &mut Store) -> Result<serde_json::Value, StoreError> {
    let swept = store.sweep(BATCH)?;
    app.metrics.add(
        "civicflow_timers_fired_total",
        String::new(),
        swept.fired as f64,
    );
    Ok(json!({"cases": swept.cases, "fired": swept.fired, "followed": swept.followed}))
}

fn dispatch(
    app: &App,
    store: &mut Store,
    routes: &mut Routes,
) -> Result<serde_json::Value, StoreError> {
    let done = store.dispatch(routes, BATCH, DELIVERY_LEASE_MS)?;
    app.metrics.add(
        "civicflow_effects_delivered_total",
        String::new(),
        done.delivered as f64,
    );
    app.metrics.add(
        "civicflow_effects_failed_total",
        String::new(),
        done.failed as f64,
    );
    Ok(json!({"leased": done.leased, "delivered": done.delivered, "failed": done.failed}))
}

fn archive(app: &App, store: &mut Store) -> Result<serde_json::Value, StoreError> {
    let after = app
        .config
        .archive_after_seconds
        .unwrap_or(DEFAULT_ARCHIVE_AFTER_S);
    let archived = store.archive(after.saturating_mul(1000), BATCH)?;
    app.metrics.add(
        "civicflow_cases_archived_total",
        String::new(),
        archived as f64,
    );
    Ok(json!({"archived": archived}))
}

/// Whether a round found work (so that the next one starts at once).
fn found(round: &serde_json::Value, count: &str) -> bool {
    round
        .get(count)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
        > 0
}

/// Starts the three jobs.
pub fn start(app: &Arc<App>) {
    let pause = Duration::from_secs_f64(app.config.sweep_seconds.unwrap_or(1.0).max(0.01));
    let archiving = app.config.archive_after_seconds != Some(0);
    spawn(app, "sweeper", pause, |app, store| {
        Ok(found(&sweep(app, store)?, "cases"))
    });
    // The dispatcher's thread owns its routes (and their connections): no lock needed.
    let mut routes = Routes::new(app.config.delivery.clone());
    spawn(
        app,
        "dispatcher",
        Duration::from_millis(200),
        move |app, store| Ok(found(&dispatch(app, store, &mut routes)?, "leased")),
    );
    if archiving {
        spawn(app, "archiver", Duration::from_secs(60), |app, store| {
            Ok(found(&archive(app, store)?, "archived"))
        });
    }
}

/// Runs `round` again at once while it finds work, else after `pause`; reconnects after a
/// database failure.
fn spawn(
    app: &Arc<App>,
    name: &'static str,
    pause: Duration,
    mut round: impl FnMut(&App, &mut Store) -> Result<bool, StoreError> + Send + 'static,
) {
    let app = Arc::clone(app);
    std::thread::spawn(move || {
        let mut slot = None;
        loop {
            let outcome = app.store(&mut slot).and_then(|store| round(&app, store));
            forget_on_failure(&mut slot, &outcome);
            match outcome {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => log::warn(
                    "job failed",
                    json!({"job": name, "code": e.code(), "error": e.to_string()}),
                ),
            }
            std::thread::sleep(pause);
        }
    });
}

/// `POST /v1/jobs/{sweep,dispatch,archive}`, for an admin token.
pub fn run_by_hand(app: &App, slot: &mut Option<Store>, incoming: &Incoming) -> Outgoing {
    let caller = match authenticate(&app.config.tokens, incoming.header("authorization")) {
        Ok(caller) => caller,
        Err(refusal) => return Outgoing::json(refusal.status, &refusal.answer()),
    };
    if !caller.admin {
        return Outgoing::json(
            403,
            &error("auth.admin_only", "running a job needs an admin token"),
        );
    }
    let job = incoming.path.trim_start_matches("/v1/jobs/");
    // `{"now": ms}` runs the round at that time, where the configuration trusts callers'
    // time (imports, tests); else the database's clock decides.
    let body: serde_json::Value = serde_json::from_slice(&incoming.body).unwrap_or_default();
    let now = body
        .get("now")
        .and_then(serde_json::Value::as_i64)
        .filter(|_| app.config.trust_client_time);
    let outcome = app.store(slot).and_then(|store| {
        store.set_clock(now);
        let round = match job {
            "sweep" => sweep(app, store).map(Some),
            "dispatch" => {
                dispatch(app, store, &mut Routes::new(app.config.delivery.clone())).map(Some)
            }
            "archive" => archive(app, store).map(Some),
            _ => Ok(None),
        };
        store.set_clock(None);
        round
    });
    forget_on_failure(slot, &outcome);
    match outcome {
        Ok(Some(result)) => Outgoing::json(200, &json!({"ok": true, "result": result})),
        Ok(None) => Outgoing::json(
            404,
            &error("http.not_found", "jobs are sweep, dispatch and archive"),
        ),
        Err(e) => Outgoing::json(503, &e.answer("")),
    }
}

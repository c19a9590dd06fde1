//! `POST /v1`: any request of the JSON API, as the store answers it, with the caller's actor
//! written in. Refusals are 4xx with the same body; the store's own failures are 503, to be
//! retried with the same `Idempotency-Key`.

use std::time::Instant;

use civicflow::ReplyStatus;
use civicflow_store::{Store, StoreError};
use serde_json::{json, Value as Json};

use crate::app::{forget_on_failure, App};
use crate::auth::{authenticate, authorize, Refusal};
use crate::http::Incoming;
use crate::metrics::label;

/// The HTTP status of an answer of the JSON API.
pub fn status_of(answer: &Json) -> u16 {
    if answer.get("ok") == Some(&Json::Bool(true)) {
        return 200;
    }
    let code = answer
        .pointer("/errors/0/code")
        .and_then(Json::as_str)
        .unwrap_or_default();
    match ReplyStatus::of_code(code) {
        ReplyStatus::TooLarge => 413,
        ReplyStatus::InvalidUtf8 | ReplyStatus::InvalidJson | ReplyStatus::InvalidRequest => 400,
        _ if code.ends_with(".not_found") => 404,
        _ if code == "store.op_not_served" => 400,
        _ if code.starts_with("store.") => 503,
        _ if matches!(
            code,
            "case.role_not_allowed" | "case.not_lead_unit" | "case.not_assisting"
        ) =>
        {
            403
        }
        _ if matches!(
            code,
            "case.seq_mismatch"
                | "case.already_exists"
                | "case.appeal_exists"
                | "case.already_linked"
        ) =>
        {
            409
        }
        _ => 422,
    }
}

/// Answers `POST /v1`.
pub fn answer(app: &App, slot: &mut Option<Store>, incoming: &Incoming) -> (u16, Json) {
    let started = Instant::now();
    let (status, body, op) = match run(app, slot, incoming) {
        Ok((answer, op)) => (status_of(&answer), answer, op),
        Err((refusal, op)) => (refusal.status, refusal.answer(), op),
    };
    let outcome = match status {
        200 => "ok",
        503 => "error",
        _ => "refused",
    };
    let op = if civicflow::OPS.contains(&op.as_str()) {
        op
    } else {
        "unknown".into()
    };
    let metrics = &app.metrics;
    metrics.count(
        "civicflow_commands_total",
        format!("op=\"{op}\",outcome=\"{outcome}\""),
    );
    if let Some(code) = body.pointer("/errors/0/code").and_then(Json::as_str) {
        metrics.count(
            "civicflow_refusals_total",
            format!("code=\"{}\"", label(code)),
        );
    }
    metrics.add(
        "civicflow_request_seconds_sum",
        String::new(),
        started.elapsed().as_secs_f64(),
    );
    metrics.count("civicflow_request_seconds_count", String::new());
    (status, body)
}

fn run(
    app: &App,
    slot: &mut Option<Store>,
    incoming: &Incoming,
) -> Result<(Json, String), (Refusal, String)> {
    let none = String::new();
    let json_type = incoming.header("content-type").is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json_type {
        let refusal = Refusal::new(
            415,
            "http.unsupported_media_type",
            "send the request as `Content-Type: application/json`",
        );
        return Err((refusal, none));
    }
    let caller = authenticate(&app.config.tokens, incoming.header("authorization"))
        .map_err(|r| (r, none.clone()))?;
    let store = app
        .store(slot)
        .map_err(|e| (unavailable(&e), none.clone()))?;
    let mut request = match store.read_request(&incoming.body) {
        Ok(request) => request,
        Err(refusal) => return Ok((refusal, none)),
    };
    let op = request
        .get("op")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let key = incoming
        .header("idempotency-key")
        .filter(|_| civicflow_store::takes_request_id(&op));
    if let Some(key) = key {
        match request.get("request_id").and_then(Json::as_str) {
            Some(id) if id != key => {
                let refusal = Refusal::new(
                    400,
                    "http.idempotency_conflict",
                    "`Idempotency-Key` and `request_id` differ",
                );
                return Err((refusal, op));
            }
            _ => {
                if let Some(body) = request.as_object_mut() {
                    body.insert("request_id".into(), json!(key));
                }
            }
        }
    }
    authorize(&caller, &mut request).map_err(|r| (r, op.clone()))?;
    if !app.config.trust_client_time {
        if let Some(body) = request.as_object_mut() {
            // The database's clock decides (the store fills them in), not the caller's.
            if !matches!(op.as_str(), "sla_status" | "due" | "calendar_between") {
                body.remove("at");
                body.remove("now");
            }
        }
    }
    if op == "sla_status" && request.get("now").is_none() {
        let now = store.now().map_err(|e| (unavailable(&e), op.clone()))?;
        if let Some(body) = request.as_object_mut() {
            body.insert("now".into(), json!(now));
        }
    }
    let outcome = store.call(request);
    forget_on_failure(slot, &outcome);
    match outcome {
        Ok(answer) => Ok((answer, op)),
        Err(e) => Ok((e.answer(""), op)),
    }
}

fn unavailable(e: &StoreError) -> Refusal {
    Refusal::new(503, e.code(), e.to_string())
}

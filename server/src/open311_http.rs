//! The Open311 GeoReport v2 routes (`/open311/v2/...`) on the store.

use civicflow_store::{CaseFilter, Store};
use serde_json::{json, Value as Json};
use tiny_http::Method;

use crate::app::{forget_on_failure, App};
use crate::http::{Incoming, Outgoing};
use crate::open311::{error, parse_datetime, Answer};

/// How far back `requests.json` looks without `start_date`, and how many it answers at most.
const DEFAULT_WINDOW_MS: i64 = 90 * 24 * 3_600_000;
const MAX_REQUESTS: i64 = 1000;

pub fn answer(app: &App, slot: &mut Option<Store>, incoming: &Incoming) -> Outgoing {
    let rest = incoming.path.trim_start_matches("/open311/v2/");
    let (resource, format) = rest.rsplit_once('.').unwrap_or((rest, ""));
    let outcome = route(app, slot, incoming, resource);
    let failed = outcome.is_err();
    let (status, body) = outcome.unwrap_or_else(|answer| answer);
    if format != "xml" {
        return Outgoing::json(status, &body);
    }
    let root = match resource {
        _ if failed => "errors",
        "services" => "services",
        r if r.starts_with("services/") => "service_definition",
        _ => "service_requests",
    };
    let xml = crate::open311::to_xml(root, &body);
    Outgoing {
        status,
        content_type: "text/xml; charset=utf-8",
        body: xml.into_bytes(),
    }
}

fn route(
    app: &App,
    slot: &mut Option<Store>,
    incoming: &Incoming,
    resource: &str,
) -> Result<Answer, Answer> {
    let open311 = &app.config.open311;
    let format = incoming.path.rsplit_once('.').map_or("", |(_, f)| f);
    if format != "json" && format != "xml" {
        return Err(error(
            400,
            "the formats are json and xml: end the path in .json or .xml",
        ));
    }
    if incoming.method == Method::Get {
        open311.check_jurisdiction(incoming.query("jurisdiction_id"))?;
    }
    match (&incoming.method, resource) {
        (Method::Get, "services") => Ok(open311.services()),
        (Method::Get, r) if r.starts_with("services/") => {
            Ok(open311.definition(&r["services/".len()..]))
        }
        (Method::Post, "requests") => post(app, slot, incoming),
        (Method::Get, "requests") => list(app, slot, incoming),
        (Method::Get, r) if r.starts_with("requests/") => {
            let id = &r["requests/".len()..];
            match one(app, slot, id)? {
                Some(request) => Ok((200, json!([request]))),
                None => Err(error(404, format!("service_request_id `{id}` not found"))),
            }
        }
        _ => Err(error(404, format!("no such resource: {resource}"))),
    }
}

fn unavailable(e: &civicflow_store::StoreError) -> Answer {
    error(503, format!("try again: {e}"))
}

/// `POST requests.json`: opens a case as the api key's intake actor.
fn post(app: &App, slot: &mut Option<Store>, incoming: &Incoming) -> Result<Answer, Answer> {
    let form: Vec<(String, String)> = form_urlencoded::parse(&incoming.body)
        .into_owned()
        .collect();
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).map_err(|e| error(503, e.to_string()))?;
    let case_id = format!(
        "S-{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut request = app.config.open311.open_request(&form, &case_id)?;
    if let (Some(key), Some(body)) = (incoming.header("idempotency-key"), request.as_object_mut()) {
        body.insert("request_id".into(), json!(key));
    }
    let store = app.store(slot).map_err(|e| unavailable(&e))?;
    let outcome = store.call(request);
    forget_on_failure(slot, &outcome);
    let answer = outcome.map_err(|e| unavailable(&e))?;
    if answer.get("ok") != Some(&Json::Bool(true)) {
        let message = answer
            .pointer("/errors/0/message")
            .and_then(Json::as_str)
            .unwrap_or("refused");
        return Err(error(400, message));
    }
    let id = answer
        .pointer("/result/case/id")
        .cloned()
        .unwrap_or(json!(case_id));
    let service = form
        .iter()
        .find(|(k, _)| k == "service_code")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let notice = app
        .config
        .open311
        .service(service)
        .and_then(|s| s.service_notice.clone());
    Ok((
        201,
        json!([{"service_request_id": id, "service_notice": notice, "account_id": Json::Null}]),
    ))
}

/// One case as a service request; `None` when there is no such case or it is of no service.
fn one(app: &App, slot: &mut Option<Store>, id: &str) -> Result<Option<Json>, Answer> {
    let store = app.store(slot).map_err(|e| unavailable(&e))?;
    let outcome = store.now().and_then(|now| {
        store.view(
            id,
            &[
                json!({"op": "get_case", "case_id": id}),
                json!({"op": "public_view", "case_id": id}),
                json!({"op": "sla_status", "case_id": id, "now": now}),
            ],
        )
    });
    forget_on_failure(slot, &outcome);
    let Some(answers) = outcome.map_err(|e| unavailable(&e))? else {
        return Ok(None);
    };
    let result = |i: usize| {
        answers
            .get(i)
            .and_then(|a| a.get("result"))
            .cloned()
            .unwrap_or(Json::Null)
    };
    Ok(app
        .config
        .open311
        .request(&result(0), &result(1), &result(2)))
}

/// `GET requests.json`: by ids, or by service, window and status, newest first.
fn list(app: &App, slot: &mut Option<Store>, incoming: &Incoming) -> Result<Answer, Answer> {
    let open311 = &app.config.open311;
    if let Some(ids) = incoming.query("service_request_id") {
        let mut found = Vec::new();
        for id in ids.split(',').map(str::trim).filter(|id| !id.is_empty()) {
            found.extend(one(app, slot, id)?);
        }
        return Ok((200, Json::Array(found)));
    }
    let codes: Vec<&str> = incoming
        .query("service_code")
        .map(|c| c.split(',').collect())
        .unwrap_or_default();
    if let Some(bad) = codes.iter().find(|c| open311.service(c).is_none()) {
        return Err(error(404, format!("service_code `{bad}` not found")));
    }
    let date = |name: &str| match incoming.query(name) {
        Some(text) => parse_datetime(text)
            .map(Some)
            .ok_or_else(|| error(400, format!("`{name}` is not an ISO 8601 datetime"))),
        None => Ok(None),
    };
    let (start, end) = (date("start_date")?, date("end_date")?);
    let store = app.store(slot).map_err(|e| unavailable(&e))?;
    let now = store.now().map_err(|e| unavailable(&e))?;
    let end = end.unwrap_or(now + 1);
    let start = start.unwrap_or(end - DEFAULT_WINDOW_MS);
    let terminal = match incoming.query("status") {
        None => None,
        Some(s) if s.split(',').all(|p| p == "open") => Some(false),
        Some(s) if s.split(',').all(|p| p == "closed") => Some(true),
        Some(s) if s.split(',').all(|p| p == "open" || p == "closed") => None,
        Some(s) => return Err(error(400, format!("status `{s}`: expected open or closed"))),
    };
    let chosen: Vec<_> = open311
        .services
        .iter()
        .filter(|s| codes.is_empty() || codes.contains(&s.service_code.as_str()))
        .collect();
    let mut workflows: Vec<String> = chosen.iter().map(|s| s.workflow.clone()).collect();
    workflows.sort();
    workflows.dedup();
    let filter = CaseFilter {
        workflows,
        opened_from: start,
        opened_to: end,
        terminal,
        limit: MAX_REQUESTS * 4,
    };
    let outcome = store.list_cases(&filter);
    forget_on_failure(slot, &outcome);
    let ids = outcome.map_err(|e| unavailable(&e))?;
    let mut found = Vec::new();
    for id in ids {
        if found.len() as i64 >= MAX_REQUESTS {
            break;
        }
        let Some(request) = one(app, slot, &id)? else {
            continue;
        };
        let code = request
            .get("service_code")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if codes.is_empty() || codes.contains(&code) {
            found.push(request);
        }
    }
    Ok((200, Json::Array(found)))
}

//! The HTTP server: worker threads, each with its own store connection, taking requests from
//! one listener; routes; one log line per request.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use civicflow_store::Store;
use serde_json::{json, Value as Json};
use tiny_http::{Header, Method, Response, Server};

use crate::app::{forget_on_failure, App};
use crate::{api, jobs, log, open311_http};

/// A request as the routes see it.
pub struct Incoming {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// The body was cut at the size limit.
    pub too_large: bool,
}

impl Incoming {
    /// A header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, content type, body.
pub struct Outgoing {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Outgoing {
    pub fn json(status: u16, body: &Json) -> Outgoing {
        Outgoing {
            status,
            content_type: "application/json",
            body: body.to_string().into_bytes(),
        }
    }
}

/// Serves until the process ends.
///
/// # Errors
/// The address cannot be listened on.
pub fn serve(app: Arc<App>, listen: &str, workers: usize, jobs: bool) -> Result<(), String> {
    let server = Arc::new(Server::http(listen).map_err(|e| format!("listen on {listen}: {e}"))?);
    let kind = civicflow_store::Database::parse(&app.database)
        .map(|d| d.kind())
        .unwrap_or("?");
    log::info(
        "listening",
        json!({"listen": listen, "database": kind, "workers": workers}),
    );
    if jobs {
        jobs::start(&app);
    }
    let threads: Vec<_> = (0..workers.max(1))
        .map(|_| {
            let (server, app) = (Arc::clone(&server), Arc::clone(&app));
            std::thread::spawn(move || worker(&server, &app))
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
    Ok(())
}

fn worker(server: &Server, app: &App) {
    let mut store = None;
    while let Ok(mut request) = server.recv() {
        let started = Instant::now();
        let incoming = read(&mut request, app);
        let out = route(app, &mut store, &incoming);
        let route_name = route_label(&incoming.path);
        app.metrics.count(
            "civicflow_http_requests_total",
            format!("route=\"{route_name}\",status=\"{}\"", out.status),
        );
        log::info(
            "request",
            json!({"method": incoming.method.as_str(), "path": incoming.path, "status": out.status,
                   "ms": started.elapsed().as_secs_f64() * 1000.0, "bytes": incoming.body.len()}),
        );
        let mut response = Response::from_data(out.body).with_status_code(out.status);
        if let Ok(header) = Header::from_bytes("Content-Type", out.content_type) {
            response = response.with_header(header);
        }
        let _ = request.respond(response);
    }
}

fn read(request: &mut tiny_http::Request, app: &App) -> Incoming {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    // One byte past the limit tells that the body is too large, without reading it all.
    let limit = app_limit(app);
    let mut body = Vec::new();
    let _ = request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body);
    let too_large = body.len() > limit;
    Incoming {
        method: request.method().clone(),
        path: path.to_owned(),
        query: form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        headers,
        body,
        too_large,
    }
}

/// The request size limit: the engine's (`max_request_bytes`), as configured.
fn app_limit(app: &App) -> usize {
    app.config
        .limits
        .as_ref()
        .and_then(|l| l.get("max_request_bytes"))
        .and_then(Json::as_u64)
        .map_or_else(
            || civicflow::Limits::default().max_request_bytes,
            |n| n as usize,
        )
}

fn route(app: &App, store: &mut Option<Store>, incoming: &Incoming) -> Outgoing {
    let path = incoming.path.as_str();
    if incoming.too_large {
        let limit = app_limit(app);
        let body = json!({"ok": false, "errors": [{"code": "request.too_large",
            "message": format!("the request is larger than {limit} bytes"), "path": ""}]});
        return Outgoing::json(413, &body);
    }
    match (&incoming.method, path) {
        (Method::Get, "/health") => Outgoing::json(200, &json!({"status": "ok"})),
        (Method::Get, "/ready") => ready(app, store),
        (Method::Get, "/metrics") => metrics(app, store),
        (Method::Post, "/v1") => {
            let (status, body) = api::answer(app, store, incoming);
            Outgoing::json(status, &body)
        }
        (Method::Post, p) if p.starts_with("/v1/jobs/") => jobs::run_by_hand(app, store, incoming),
        (Method::Get, "/v1/cases") => changed_cases(app, store, incoming),
        (_, p) if p.starts_with("/open311/v2/") => open311_http::answer(app, store, incoming),
        (Method::Get, _) if app.desk.is_some() => desk_file(app, path),
        (_, "/v1") => Outgoing::json(
            405,
            &error("http.method_not_allowed", "POST a JSON request to /v1"),
        ),
        _ => Outgoing::json(404, &error("http.not_found", &format!("no route {path}"))),
    }
}

pub fn error(code: &str, message: &str) -> Json {
    json!({"ok": false, "errors": [{"code": code, "message": message, "path": ""}]})
}

fn route_label(path: &str) -> &'static str {
    match path {
        "/v1" => "/v1",
        "/health" => "/health",
        "/ready" => "/ready",
        "/metrics" => "/metrics",
        p if p.starts_with("/v1/jobs/") => "/v1/jobs",
        "/v1/cases" => "/v1/cases",
        p if p.starts_with("/open311/") => "/open311",
        _ => "other",
    }
}

/// `GET /v1/cases?since=MS`: the cases changed after `since` with their versions, and the
/// database's clock, for a front end that keeps copies of cases (the township desk).
fn changed_cases(app: &App, slot: &mut Option<Store>, incoming: &Incoming) -> Outgoing {
    if let Err(refusal) =
        crate::auth::authenticate(&app.config.tokens, incoming.header("authorization"))
    {
        return Outgoing::json(refusal.status, &refusal.answer());
    }
    let since = incoming
        .query("since")
        .and_then(|s| s.parse().ok())
        .unwrap_or(i64::MIN);
    let outcome = app
        .store(slot)
        .and_then(|s| Ok((s.now()?, s.changed_cases(since, 1000)?)));
    forget_on_failure(slot, &outcome);
    match outcome {
        Ok((now, cases)) => {
            let cases: Vec<Json> = cases
                .into_iter()
                .map(|(id, version, updated_at)| json!({"case_id": id, "version": version, "updated_at": updated_at}))
                .collect();
            Outgoing::json(
                200,
                &json!({"ok": true, "result": {"now": now, "cases": cases}}),
            )
        }
        Err(e) => Outgoing::json(503, &e.answer("")),
    }
}

fn ready(app: &App, slot: &mut Option<Store>) -> Outgoing {
    let outcome = app.store(slot).and_then(|s| {
        let now = s.now()?;
        Ok((now, s.definitions_digest()))
    });
    forget_on_failure(slot, &outcome);
    match outcome {
        Ok((now, digest)) => Outgoing::json(
            200,
            &json!({"status": "ready", "now": now, "definitions": digest}),
        ),
        Err(e) => Outgoing::json(
            503,
            &json!({"status": "unavailable", "error": e.to_string()}),
        ),
    }
}

fn metrics(app: &App, slot: &mut Option<Store>) -> Outgoing {
    let outcome = app.store(slot).and_then(Store::backlog);
    forget_on_failure(slot, &outcome);
    let gauges = match outcome {
        Ok(b) => vec![
            (
                "civicflow_timers_due",
                "Timer rows due now, not fired yet.",
                b.timers_due as f64,
            ),
            (
                "civicflow_outbox_backlog",
                "Effects not delivered yet.",
                b.outbox as f64,
            ),
            (
                "civicflow_database_up",
                "Whether the database answered this scrape.",
                1.0,
            ),
        ],
        Err(_) => vec![(
            "civicflow_database_up",
            "Whether the database answered this scrape.",
            0.0,
        )],
    };
    Outgoing {
        status: 200,
        content_type: "text/plain; version=0.0.4",
        body: app.metrics.render(&gauges).into_bytes(),
    }
}

/// A file of the township desk's build; `/` is its `index.html`.
fn desk_file(app: &App, path: &str) -> Outgoing {
    let Some(root) = &app.desk else {
        return Outgoing::json(404, &error("http.not_found", path));
    };
    let relative = path.trim_start_matches('/');
    let relative = if relative.is_empty() {
        "index.html"
    } else {
        relative
    };
    if relative
        .split('/')
        .any(|part| part == ".." || part.starts_with('.'))
    {
        return Outgoing::json(404, &error("http.not_found", path));
    }
    match std::fs::read(root.join(relative)) {
        Ok(body) => Outgoing {
            status: 200,
            content_type: content_type(relative),
            body,
        },
        Err(_) => Outgoing::json(404, &error("http.not_found", path)),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript",
        Some("css") => "text/css",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

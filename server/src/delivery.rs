//! Where effects go. Each route takes the effects of some kinds and reasons (all by default) to
//! a webhook or a log; an effect goes to every route that takes it, and counts as delivered
//! once all of them took it. Webhooks get the effect as JSON with its id as `Idempotency-Key`,
//! and must answer 2xx; anything else is retried with backoff (the store's dispatcher).

use std::io::Write;
use std::time::Duration;

use civicflow_store::{OutboxRow, Sink};
use serde::Deserialize;
use serde_json::Value as Json;

/// One delivery route of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// `webhook` or `log`.
    pub kind: RouteKind,
    /// The webhook's URL (POST).
    pub url: Option<String>,
    /// The log's file, appended to; `-` for standard output.
    pub path: Option<String>,
    /// Effect kinds taken (`notify_citizen`, `notify_unit`, ...); empty: all.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Effect reasons taken (`reply`, `notice`, `sla_breach`, ...); empty: all.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// The kinds of route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    Webhook,
    Log,
}

impl Route {
    fn takes(&self, effect: &Json) -> bool {
        let field = |name: &str| {
            effect
                .get(name)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        (self.kinds.is_empty() || self.kinds.contains(&field("kind")))
            && (self.reasons.is_empty() || self.reasons.contains(&field("reason")))
    }

    /// Checks the route names what its kind needs.
    ///
    /// # Errors
    /// A webhook without `url`, a log without `path`.
    pub fn check(&self) -> Result<(), String> {
        match (self.kind, &self.url, &self.path) {
            (RouteKind::Webhook, None, _) => Err("a webhook route needs `url`".into()),
            (RouteKind::Log, _, None) => {
                Err("a log route needs `path` (`-` for standard output)".into())
            }
            _ => Ok(()),
        }
    }
}

/// The configured routes as one sink.
pub struct Routes {
    routes: Vec<Route>,
    agent: ureq::Agent,
}

impl Routes {
    /// The routes; with none, one log route to standard output.
    pub fn new(mut routes: Vec<Route>) -> Routes {
        if routes.is_empty() {
            routes.push(Route {
                kind: RouteKind::Log,
                url: None,
                path: Some("-".into()),
                kinds: Vec::new(),
                reasons: Vec::new(),
            });
        }
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build();
        Routes {
            routes,
            agent: config.into(),
        }
    }
}

impl Sink for Routes {
    fn deliver(&mut self, effect: &OutboxRow) -> Result<(), String> {
        for route in self.routes.iter().filter(|r| r.takes(&effect.body)) {
            match route.kind {
                RouteKind::Webhook => post(
                    &self.agent,
                    route.url.as_deref().unwrap_or_default(),
                    effect,
                )?,
                RouteKind::Log => append(route.path.as_deref().unwrap_or("-"), effect)?,
            }
        }
        Ok(())
    }
}

fn post(agent: &ureq::Agent, url: &str, effect: &OutboxRow) -> Result<(), String> {
    let response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &effect.effect_id)
        .send(effect.body.to_string())
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{url}: HTTP {status}"))
    }
}

fn append(path: &str, effect: &OutboxRow) -> Result<(), String> {
    let line = format!("{}\n", effect.body);
    if path == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(line.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string());
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{path}: {e}"))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| format!("{path}: {e}"))
}

//! The server's configuration: a TOML file (`--config`, else `./civicflow.toml` when present),
//! under the command-line options and their environment variables. Every field has a default,
//! so a server starts with no file at all.

use std::path::Path;

use serde::Deserialize;

use crate::auth::TokenEntry;
use crate::delivery::Route;
use crate::open311::Open311Config;

/// What the configuration file holds.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite:PATH` or `postgres://...` (the `--database` option wins).
    pub database: Option<String>,
    /// Address to listen on (the `--listen` option wins).
    pub listen: Option<String>,
    /// HTTP worker threads, each with its own database connection (default 4).
    pub workers: Option<usize>,
    /// Take `at` and `now` from requests instead of the database's clock: for imports and
    /// tests that replay recorded time, never for a desk in service.
    #[serde(default)]
    pub trust_client_time: bool,
    /// Seconds between timer sweeps (default 1).
    pub sweep_seconds: Option<f64>,
    /// Seconds a sweeper's claim on due timers keeps other sweepers off them (default 30): a
    /// server killed after claiming delays those timers by at most this.
    pub timer_claim_seconds: Option<f64>,
    /// Seconds a closed case stays hot after its last change before it is archived (default
    /// 7 days); 0 turns the archiver off.
    pub archive_after_seconds: Option<i64>,
    /// The engine's limits, as `set_limits` takes them.
    pub limits: Option<serde_json::Map<String, serde_json::Value>>,
    /// Callers.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    /// Where effects go; by default one JSON line each on standard output.
    #[serde(default)]
    pub delivery: Vec<Route>,
    /// Open311 GeoReport v2.
    #[serde(default)]
    pub open311: Open311Config,
}

impl Config {
    /// Reads a configuration file.
    ///
    /// # Errors
    /// The file cannot be read, or is not TOML of this shape (with the place of the problem).
    pub fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The file given, else `./civicflow.toml` when it exists, else the defaults.
    ///
    /// # Errors
    /// As [`Config::read`].
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        match path {
            Some(path) => Config::read(path),
            None if Path::new("civicflow.toml").exists() => {
                Config::read(Path::new("civicflow.toml"))
            }
            None => Ok(Config::default()),
        }
    }
}

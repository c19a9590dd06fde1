//! `civicflow`: the server and its tools. `civicflow serve` answers the JSON API over HTTP
//! (`POST /v1`), Open311 GeoReport v2 and the township desk, on SQLite (the default, one file)
//! or PostgreSQL (any number of servers on one database). `docs/hosting.md` tells how to run it.

mod api;
mod app;
mod auth;
mod config;
mod delivery;
mod http;
mod jobs;
mod log;
mod metrics;
mod open311;
mod open311_http;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde_json::{json, Value as Json};

use crate::app::App;
use crate::config::Config;

/// civicflow: governance workflows on a database.
#[derive(Parser)]
#[command(name = "civicflow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the server's settings come from.
#[derive(clap::Args, Clone)]
struct Common {
    /// The database: `sqlite:PATH` (one file, the default) or `postgres://USER@HOST/DB`
    /// (`?host=/socket/dir` for a Unix socket). Wins over the configuration file.
    #[arg(long, env = "CIVICFLOW_DATABASE")]
    database: Option<String>,
    /// The configuration file (TOML: tokens, delivery, Open311, limits, jobs); default
    /// `./civicflow.toml` when it exists.
    #[arg(long, env = "CIVICFLOW_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the JSON API (`POST /v1`), Open311 (`/open311/v2/`), `/health`, `/ready`,
    /// `/metrics` and, with `--desk`, the township desk; run the timer sweeper, the outbox
    /// dispatcher and the archiver.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on.
        #[arg(long, env = "CIVICFLOW_LISTEN")]
        listen: Option<String>,
        /// HTTP worker threads, each with its own database connection.
        #[arg(long, env = "CIVICFLOW_WORKERS")]
        workers: Option<usize>,
        /// A folder of static files (the township desk's build) served at `/`.
        #[arg(long, env = "CIVICFLOW_DESK")]
        desk: Option<PathBuf>,
        /// Run no sweeper, dispatcher or archiver here (another server or a scheduler calling
        /// `POST /v1/jobs/...` does).
        #[arg(long)]
        no_jobs: bool,
    },
    /// Create or upgrade the database's tables, then exit.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Load workflow, calendar and organisation files (JSON) into the database, for every
    /// server; each file's kind is read from its content.
    Load {
        #[command(flatten)]
        common: Common,
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Send recorded requests (a JSON array, or an object with `steps`) through the store, as
    /// an operator importing another system's journal: a `fire_due` without a case fires what was
    /// due at its `now`; ops the server keeps to itself (the outbox) are skipped; the first
    /// refusal stops it.
    Import {
        #[command(flatten)]
        common: Common,
        /// The file of requests.
        file: PathBuf,
    },
    /// Copy everything a store holds (definitions, cases, the archive, the outbox, request ids)
    /// into an empty one: moving from SQLite to PostgreSQL. Stop the servers of both first.
    Copy {
        /// The store to copy from.
        #[arg(long)]
        from: String,
        /// The empty store to copy into.
        #[arg(long)]
        to: String,
        /// The configuration file (its limits apply to both).
        #[arg(long, env = "CIVICFLOW_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Check every stored case: gap-free, verifying against its head, replaying, with the
    /// timer rows its history computes. Exit status 1 when something does not hold.
    Check {
        #[command(flatten)]
        common: Common,
    },
    /// Manage callers' tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for an actor, add its hash to the configuration file, and print the
    /// token (once: only its hash is kept).
    Add {
        /// The configuration file to add it to (created when missing).
        #[arg(long, env = "CIVICFLOW_CONFIG", default_value = "civicflow.toml")]
        config: PathBuf,
        /// The actor id every request of this token acts as.
        #[arg(long)]
        actor: String,
        /// A role of the actor (repeat for several).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// The actor's unit in the organisation.
        #[arg(long)]
        unit: Option<String>,
        /// May load definitions and run jobs by hand.
        #[arg(long)]
        admin: bool,
        /// An Open311 `api_key` instead: intake only, opening cases on this channel.
        #[arg(long)]
        open311_channel: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("civicflow: {message}");
            ExitCode::FAILURE
        }
    }
}

const DEFAULT_DATABASE: &str = "sqlite:./civicflow.db";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

fn settings(common: &Common) -> Result<(Config, String), String> {
    let config = Config::load(common.config.as_deref())?;
    for route in &config.delivery {
        route.check()?;
    }
    let database = common
        .database
        .clone()
        .or_else(|| config.database.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE.into());
    Ok((config, database))
}

fn app(config: Config, database: String, desk: Option<PathBuf>) -> App {
    App {
        config,
        database,
        metrics: Default::default(),
        desk,
        fault: fault(),
    }
}

/// `CIVICFLOW_FAULT=kill:K` or `fail:K`, in builds for the durability tests.
fn fault() -> Option<(u64, civicflow_store::FaultKind)> {
    if !cfg!(feature = "fault-injection") {
        return None;
    }
    let text = std::env::var("CIVICFLOW_FAULT").ok()?;
    let (kind, at) = text.split_once(':')?;
    let kind = match kind {
        "kill" => civicflow_store::FaultKind::Kill,
        _ => civicflow_store::FaultKind::Fail,
    };
    Some((at.parse().ok()?, kind))
}

/// A store on the configured database, for the commands that are not the server.
fn open(config: Config, database: String) -> Result<civicflow_store::Store, String> {
    app(config, database, None)
        .open_store()
        .map_err(|e| e.to_string())
}

fn read_json(file: &std::path::Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve {
            common,
            listen,
            workers,
            desk,
            no_jobs,
        } => {
            let (config, database) = settings(&common)?;
            let listen = listen
                .or_else(|| config.listen.clone())
                .unwrap_or_else(|| DEFAULT_LISTEN.into());
            let workers = workers.or(config.workers).unwrap_or(4);
            let app = Arc::new(app(config, database, desk));
            // Fail at start, with the reason, rather than on the first request.
            app.open_store().map_err(|e| e.to_string())?;
            http::serve(app, &listen, workers, !no_jobs)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { common } => {
            let (config, database) = settings(&common)?;
            app(config, database.clone(), None)
                .open_store()
                .map_err(|e| e.to_string())?;
            println!(
                "{database}: schema version {}",
                civicflow_store::SCHEMA_VERSION
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Load { common, files } => {
            let (config, database) = settings(&common)?;
            let mut store = open(config, database)?;
            for file in files {
                let body = read_json(&file)?;
                let request = if body.get("states").is_some() {
                    json!({"op": "load_workflow", "definition": body})
                } else if body.get("units").is_some() {
                    json!({"op": "load_org", "org": body})
                } else {
                    json!({"op": "load_calendar", "calendar": body})
                };
                let answer = store.call(request).map_err(|e| e.to_string())?;
                if answer.get("ok") != Some(&Json::Bool(true)) {
                    return Err(format!(
                        "{}: {}",
                        file.display(),
                        answer.get("errors").unwrap_or(&Json::Null)
                    ));
                }
                println!(
                    "{}: loaded {}",
                    file.display(),
                    answer.get("result").unwrap_or(&Json::Null)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { common, file } => {
            let (config, database) = settings(&common)?;
            let mut store = open(config, database)?;
            let body = read_json(&file)?;
            let steps = body
                .get("steps")
                .unwrap_or(&body)
                .as_array()
                .cloned()
                .unwrap_or_default();
            let (mut sent, mut skipped) = (0, 0);
            for (i, request) in steps.into_iter().enumerate() {
                // The timer job of the recorded system: fire what was due at that instant.
                let timer_job = request.get("op") == Some(&json!("fire_due"))
                    && request.get("case_id").is_none();
                if let (true, Some(now)) = (timer_job, request.get("now").and_then(Json::as_i64)) {
                    store.set_clock(Some(now));
                    let swept = (|| loop {
                        if store.sweep(1000)? == civicflow_store::Swept::default() {
                            return Ok::<_, civicflow_store::StoreError>(());
                        }
                    })();
                    store.set_clock(None);
                    swept.map_err(|e| format!("request {i}: {e}"))?;
                    sent += 1;
                    continue;
                }
                match store.call(request) {
                    Err(civicflow_store::StoreError::NotServed(_)) => skipped += 1,
                    Err(e) => return Err(format!("request {i}: {e}")),
                    Ok(answer) if answer.get("ok") != Some(&Json::Bool(true)) => {
                        return Err(format!(
                            "request {i} refused: {}",
                            answer.get("errors").unwrap_or(&Json::Null)
                        ));
                    }
                    Ok(_) => sent += 1,
                }
            }
            println!(
                "{}: {sent} requests stored, {skipped} left to the server's own jobs",
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Copy { from, to, config } => {
            let config = Config::load(config.as_deref())?;
            let mut source = open(config.clone(), from.clone())?;
            let mut target = open(config, to.clone())?;
            let copied = source.copy_into(&mut target).map_err(|e| e.to_string())?;
            println!(
                "{from} → {to}: {} definitions, {} cases, {} archived, {} effects, {} request ids",
                copied.definitions, copied.cases, copied.archived, copied.effects, copied.requests
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { common } => {
            let (config, database) = settings(&common)?;
            let mut store = open(config, database)?;
            let checked = store.check().map_err(|e| e.to_string())?;
            for problem in &checked.problems {
                println!("{problem}");
            }
            println!(
                "{} cases, {} events, {} timer rows checked; {} problems",
                checked.cases.len(),
                checked.events,
                checked.timers,
                checked.problems.len()
            );
            Ok(if checked.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Token {
            command:
                TokenCommand::Add {
                    config,
                    actor,
                    roles,
                    unit,
                    admin,
                    open311_channel,
                },
        } => {
            let token = auth::new_token()?;
            let actor = auth::ActorConfig {
                id: actor,
                roles,
                unit,
            };
            let actor_toml = toml::to_string(&actor).map_err(|e| e.to_string())?;
            let entry = match open311_channel {
                Some(channel) => format!(
                    "\n[[open311.api_keys]]\nhash = \"{}\"\nchannel = {}\n[open311.api_keys.actor]\n{actor_toml}",
                    auth::hash_token(&token),
                    toml::Value::String(channel)
                ),
                None => format!(
                    "\n[[tokens]]\nhash = \"{}\"\nadmin = {admin}\n[tokens.actor]\n{actor_toml}",
                    auth::hash_token(&token)
                ),
            };
            let mut text = std::fs::read_to_string(&config).unwrap_or_default();
            text.push_str(&entry);
            // The file must still read after the addition, or nothing is written.
            toml::from_str::<Config>(&text).map_err(|e| format!("{}: {e}", config.display()))?;
            std::fs::write(&config, text).map_err(|e| format!("{}: {e}", config.display()))?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

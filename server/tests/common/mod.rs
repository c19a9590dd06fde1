//! What the server's tests share: a `civicflow serve` process on a database of its own, the
//! tokens of the township desk, a small HTTP client, and the invariants every run is checked
//! against.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../store/tests/common/pg.rs"]
pub mod pg;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_civicflow");
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// A folder of its own, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "civicflow-server-{name}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The actors of the desk, each with its token: `(name, actor, admin)`.
pub const ACTORS: &[(&str, &str, &[&str], &str, bool)] = &[
    ("admin", "admin", &[], "town", true),
    ("clerk", "clerk-01", &["clerk"], "town", false),
    ("dispatcher", "disp-01", &["dispatcher"], "town", false),
    ("handler", "h-01", &["handler"], "dongcun", false),
    ("supervisor", "sup-01", &["supervisor"], "town", false),
    ("volunteer", "h-03", &["handler"], "volunteers", false),
    ("registrar", "reg-01", &["registrar"], "town", false),
    ("agency", "agency-01", &["agency_handler"], "town", false),
    ("head", "head-01", &["head"], "town", false),
    ("operator", "op-01", &["operator"], "town", false),
];

/// A configuration folder: tokens for every actor of [`ACTORS`] (by name), an Open311 key,
/// effects logged to `effects.jsonl`.
pub struct Setup {
    pub dir: TempDir,
    pub tokens: std::collections::BTreeMap<String, String>,
    pub api_key: String,
}

impl Setup {
    pub fn new(name: &str, extra: &str) -> Setup {
        let dir = TempDir::new(name);
        let config = dir.0.join("civicflow.toml");
        let mut tokens = std::collections::BTreeMap::new();
        for (name, id, roles, unit, admin) in ACTORS {
            let mut command = Command::new(BIN);
            command.args([
                "token",
                "add",
                "--config",
                config.to_str().unwrap(),
                "--actor",
                id,
                "--unit",
                unit,
            ]);
            for role in *roles {
                command.args(["--role", role]);
            }
            if *admin {
                command.arg("--admin");
            }
            tokens.insert((*name).to_owned(), succeed(&mut command));
        }
        let api_key = succeed(Command::new(BIN).args([
            "token",
            "add",
            "--config",
            config.to_str().unwrap(),
            "--actor",
            "open311-app",
            "--role",
            "clerk",
            "--unit",
            "town",
            "--open311-channel",
            "app",
        ]));
        let mut text = std::fs::read_to_string(&config).unwrap();
        text = format!(
            "trust_client_time = true\narchive_after_seconds = 0\n{extra}\n[[delivery]]\nkind = \"log\"\npath = \"{}\"\n{text}",
            dir.0.join("effects.jsonl").display()
        );
        text.push_str(OPEN311);
        std::fs::write(&config, text).unwrap();
        Setup {
            dir,
            tokens,
            api_key,
        }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.0.join("civicflow.toml")
    }

    pub fn token(&self, name: &str) -> &str {
        &self.tokens[name]
    }

    /// The effect ids the log sink was given, with repeats.
    pub fn delivered(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.0.join("effects.jsonl")).unwrap_or_default();
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }
}

/// Two Open311 services on the township workflow.
const OPEN311: &str = r#"
[open311]
jurisdiction_id = "qingshan.example.gov.cn"
time_zone = "Asia/Shanghai"

[[open311.services]]
service_code = "streetlight"
service_name = "路灯不亮"
description = "路灯、道路照明故障"
group = "市政"
keywords = ["路灯", "照明"]
workflow = "township"
fields = { category = "municipal" }
name_field = "citizen_name"
phone_field = "citizen_phone"
address_field = "description"
service_notice = "3个工作日内答复"

[[open311.services.attributes]]
code = "region"
datatype = "singlevaluelist"
required = true
description = "所在村（社区）"
order = 1
values = [{ key = "dongcun", name = "东村" }, { key = "xicun", name = "西村" }]

[[open311.services]]
service_code = "noise"
service_name = "噪音扰民"
workflow = "township"
fields = { category = "public_safety", region = "town" }
name_field = "citizen_name"
"#;

/// A running `civicflow serve`, killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub database: String,
    pub config: PathBuf,
    pub log: PathBuf,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts a server and waits until it answers `/health`.
    pub fn start(database: &str, config: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = config.with_file_name(format!("server-{port}.log"));
        let mut command = Command::new(BIN);
        command
            .args([
                "serve",
                "--database",
                database,
                "--config",
                config.to_str().unwrap(),
            ])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let child = command.spawn().unwrap();
        let server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            database: database.to_owned(),
            config: config.to_owned(),
            log,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if get(&format!("{}/health", self.url)).0 == 200 {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "server did not start: {}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// Whether the process ended (a kill fault fired).
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `POST /v1` with a token: status and answer.
    pub fn call(&self, token: &str, request: &Value) -> (u16, Value) {
        post_json(&format!("{}/v1", self.url), token, request, None)
    }

    pub fn call_with_key(&self, token: &str, request: &Value, key: &str) -> (u16, Value) {
        post_json(&format!("{}/v1", self.url), token, request, Some(key))
    }

    /// Runs a job by hand (`sweep`, `dispatch`, `archive`) at `now`.
    pub fn job(&self, token: &str, job: &str, now: i64) -> (u16, Value) {
        post_json(
            &format!("{}/v1/jobs/{job}", self.url),
            token,
            &json!({"now": now}),
            None,
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Status and body (0 when the server did not answer).
pub fn post_json(url: &str, token: &str, body: &Value, key: Option<&str>) -> (u16, Value) {
    let mut request = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Authorization", &format!("Bearer {token}"));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    match request.send(body.to_string()) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        }
        Err(_) => (0, Value::Null),
    }
}

/// Raw POST: status and body text.
pub fn post_raw(url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, String) {
    let mut request = agent().post(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    match request.send(body) {
        Ok(mut response) => (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => (0, e.to_string()),
    }
}

pub fn get(url: &str) -> (u16, String) {
    match agent().get(url).call() {
        Ok(mut response) => (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => (0, e.to_string()),
    }
}

/// Loads the township calendar, organisation and workflow with `civicflow load`.
pub fn load_township(database: &str) {
    succeed(
        Command::new(BIN)
            .args(["load", "--database", database])
            .args(
                [
                    "calendars/cn-mainland.json",
                    "orgs/qingshan.json",
                    "templates/township.json",
                    "templates/hotline-12345.json",
                    "templates/xinfang-2022.json",
                ]
                .map(|f| format!("{ROOT}/{f}")),
            ),
    );
}

/// `civicflow check` on a database: every stored case sound.
pub fn check(database: &str) -> String {
    let out = Command::new(BIN)
        .args(["check", "--database", database])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "check failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Every effect id of the outbox reached the sink at least once, and nothing else did;
/// answers how many.
pub fn assert_every_effect_delivered(db: &mut postgres::Client, setup: &Setup) -> usize {
    let effects: std::collections::BTreeSet<String> = db
        .query("SELECT effect_id FROM outbox", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let delivered: std::collections::BTreeSet<String> = setup.delivered().into_iter().collect();
    assert_eq!(delivered, effects);
    effects.len()
}

/// Runs a command, asserts it succeeded, answers what it printed (trimmed).
pub fn succeed(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

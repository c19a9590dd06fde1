//! A real PostgreSQL for the tests: the cluster `scripts/test.sh` started (its URL in
//! `CIVICFLOW_TEST_POSTGRES`), or else one this test binary starts itself from Debian's
//! `postgresql` package: `initdb` in a temporary folder (as the `postgres` user when run as
//! root), a Unix socket only, stopped by a watchdog when the test process ends. Every test
//! gets a database of its own.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes
)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The cluster: its socket folder, data folder and server options.
pub struct Cluster {
    pub socket: String,
    pub data: Option<PathBuf>,
    pub options: String,
}

/// Whether the cluster this process starts syncs to disk: for the tests that kill PostgreSQL
/// itself (set before the first [`cluster`] call). The others run with `fsync=off`.
pub static DURABLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The newest PostgreSQL of Debian's packages (`/usr/lib/postgresql/<major>/bin`).
fn pgbin() -> String {
    let mut majors: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    majors.sort_unstable();
    let major = majors
        .last()
        .expect("no /usr/lib/postgresql/<major>: install Debian's `postgresql`");
    format!("/usr/lib/postgresql/{major}/bin")
}

pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| match std::env::var("CIVICFLOW_TEST_POSTGRES_SOCKET") {
        Ok(socket) => Cluster {
            socket,
            data: None,
            options: String::new(),
        },
        Err(_) => start(),
    })
}

fn as_postgres(program: &str) -> Command {
    let root = unsafe_free_is_root();
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    };
    // The postgres user may not enter the test's folder: start it from the root.
    command.env_remove("PGDATA").current_dir("/");
    command
}

fn unsafe_free_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn start() -> Cluster {
    let dir = std::env::temp_dir().join(format!("civicflow-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if unsafe_free_is_root() {
        Command::new("chown")
            .args(["postgres:", dir.to_str().unwrap()])
            .status()
            .unwrap();
    }
    let data = dir.join("data");
    let pgbin = pgbin();
    let initdb = format!("{pgbin}/initdb");
    let status = as_postgres(&initdb)
        .args([
            "-D",
            data.to_str().unwrap(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("initdb: install Debian's `postgresql` (scripts/test.sh does)");
    assert!(status.success(), "initdb failed");
    let fsync = if DURABLE.load(Ordering::Relaxed) {
        "on"
    } else {
        "off"
    };
    let options = format!(
        "-k {} -c listen_addresses='' -c max_connections=200 -c fsync={fsync} -c synchronous_commit=on",
        dir.display()
    );
    let status = as_postgres(&format!("{pgbin}/pg_ctl"))
        .args([
            "-D",
            data.to_str().unwrap(),
            "-l",
            dir.join("log").to_str().unwrap(),
            "-w",
            "-o",
            &options,
            "start",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "pg_ctl start failed: see {}",
        dir.join("log").display()
    );
    // Stops the cluster when this process ends, however it ends.
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {runas} {pgbin}/pg_ctl -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        runas = if unsafe_free_is_root() { "runuser -u postgres --" } else { "" },
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh").args(["-c", &watchdog]).spawn().unwrap();
    Cluster {
        socket: dir.to_str().unwrap().to_owned(),
        data: Some(data),
        options,
    }
}

/// Stops the cluster as a crash would (`pg_ctl stop -m immediate`: no checkpoint, every
/// connection cut), then starts it again and waits until it takes connections.
pub fn crash_and_restart() {
    let cluster = cluster();
    let data = cluster
        .data
        .as_ref()
        .expect("only a cluster this process started can be stopped");
    let pg_ctl = format!("{}/pg_ctl", pgbin());
    let stop = as_postgres(&pg_ctl)
        .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(stop.success());
    let log = data.with_file_name("log");
    let start = as_postgres(&pg_ctl)
        .args([
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-o",
            &cluster.options,
            "start",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(start.success(), "pg_ctl start after the crash failed");
}

/// The URL of database `name` on the cluster.
pub fn url(name: &str) -> String {
    format!(
        "postgresql:///{name}?host={}&user=postgres",
        cluster().socket
    )
}

/// A new empty database, named after the test.
pub fn fresh(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&url("postgres"), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    url(&name)
}

//! The committed `include/civicflow.h` is exactly what the pinned cbindgen writes from the
//! source. `CIVICFLOW_BLESS=1 cargo test -p civicflow-c --test header` rewrites it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn generate() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    // The version macros come from Cargo.toml, so a release bump shows up in the header.
    config.after_includes = Some(format!(
        "\n#define CF_VERSION \"{}\"\n#define CF_VERSION_MAJOR {}\n#define CF_VERSION_MINOR {}\n#define CF_VERSION_PATCH {}",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    ));
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_crate(dir)
        .generate()
        .unwrap()
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn the_committed_header_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/civicflow.h");
    let fresh = generate();
    if std::env::var_os("CIVICFLOW_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/civicflow.h is stale: run `CIVICFLOW_BLESS=1 cargo test -p civicflow-c --test header` and commit it"
    );
}

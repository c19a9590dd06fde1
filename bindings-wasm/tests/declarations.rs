//! The committed `js/types.d.ts` and `js/constants.ts` are what the core's serde types and the
//! module's constants generate today.
#![allow(clippy::unwrap_used)]

use std::path::Path;

fn check_fresh(file: &str, fresh: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("js").join(file);
    if std::env::var_os("CIVICFLOW_BLESS").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "bindings-wasm/js/{file} is stale: run \
         `CIVICFLOW_BLESS=1 cargo test -p civicflow-wasm --test declarations`"
    );
}

#[test]
fn types_d_ts_is_fresh() {
    check_fresh("types.d.ts", &civicflow_wasm::typescript_declarations());
}

#[test]
fn constants_ts_is_fresh() {
    check_fresh("constants.ts", &civicflow_wasm::typescript_constants());
}

//! The committed `js/types.d.ts` is what the core's serde types generate today.

use std::path::Path;

#[test]
fn types_d_ts_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("js/types.d.ts");
    let fresh = civicflow_wasm::typescript_declarations();
    if std::env::var_os("CIVICFLOW_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "bindings-wasm/js/types.d.ts is stale: run \
         `CIVICFLOW_BLESS=1 cargo test -p civicflow-wasm --test declarations`"
    );
}

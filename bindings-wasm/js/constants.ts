// Numbers the package shares with its WebAssembly module, generated from
// bindings-wasm/src/lib.rs. Do not edit: `CIVICFLOW_BLESS=1 cargo test -p civicflow-wasm --test
// declarations` rewrites this file, and that test fails when it is stale.

/** At most this many transition ids, and as many actors, registered per engine. */
export const HANDLES = 4096;

/** What `RawEngine.send` and its kin answer when they refuse (u32::MAX). */
export const REFUSED = 4294967295;

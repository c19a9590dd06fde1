//! An organisation tree: loaded, and when it loads, a matter routed through it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| civicflow_fuzz::targets::org(data));

//! A stored history: verified, replayed, and restored into the engine.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| civicflow_fuzz::targets::history(data));

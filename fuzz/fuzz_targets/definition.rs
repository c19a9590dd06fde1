//! A workflow definition: validated, loaded, and when it loads, exported and searched.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| civicflow_fuzz::targets::definition(data));

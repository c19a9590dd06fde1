//! A business calendar: loaded, and when it loads, deadlines and spans computed on it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| civicflow_fuzz::targets::calendar(data));

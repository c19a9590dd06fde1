//! A sequence of JSON requests, one per line, against a loaded engine. A refused request must
//! leave the case it names exactly as it was (the conformance suite checks whole engines).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| civicflow_fuzz::targets::requests(data));

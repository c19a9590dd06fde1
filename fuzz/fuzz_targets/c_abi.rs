//! The C ABI entry point fed arbitrary bytes: any status, never a crash, and every answer
//! a well-formed JSON text freed by its owner's function.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| civicflow_fuzz::targets::c_abi(data));

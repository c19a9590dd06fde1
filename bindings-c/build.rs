//! Gives the shared library the soname `libcivicflow.so.<ABI>`, so that programs linked against
//! one ABI version never load an incompatible one.

include!("src/abi_version.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/abi_version.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "freebsd" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcivicflow.so.{CF_ABI_VERSION}");
    }
}

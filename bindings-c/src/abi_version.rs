// Its own file because build.rs reads it too, to name the shared library libcivicflow.so.<ABI>.

/// The version of the ABI: incremented whenever a function's signature or meaning, or a
/// status value, changes incompatibly. Compare `cf_abi_version()` with it at start-up to detect
/// a header and a library that do not match.
pub const CF_ABI_VERSION: u32 = 1;

//! The hash map of the engine's indices.

use std::collections::HashMap;

/// A hash map with the Fx hasher: fast, and with no random seed, so the same in every run and
/// on every platform (SipHash was a quarter of a transition's time, `docs/performance.md`).
pub(crate) type FxMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

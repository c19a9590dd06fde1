//! What every thread of a server shares: the configuration, the metrics, and how to open a
//! store connection.

use civicflow_store::{Store, StoreError};

use crate::config::Config;
use crate::metrics::Metrics;

/// The server's shared state.
pub struct App {
    pub config: Config,
    /// The database URL.
    pub database: String,
    pub metrics: Metrics,
    /// The township desk's built files, served at `/`.
    pub desk: Option<std::path::PathBuf>,
    /// A fault to arm in every store this process opens (tests only).
    #[cfg_attr(not(feature = "fault-injection"), allow(dead_code))]
    pub fault: Option<(u64, civicflow_store::FaultKind)>,
}

impl App {
    /// A new connection, with the configured limits.
    ///
    /// # Errors
    /// The database cannot be reached or migrated.
    pub fn open_store(&self) -> Result<Store, StoreError> {
        let mut store = Store::open(&self.database)?;
        if let Some(patch) = &self.config.limits {
            let limits = store
                .limits()
                .patched(patch)
                .map_err(|e| StoreError::Url(format!("limits: {e}")))?;
            store.set_limits(limits);
        }
        if let Some(seconds) = self.config.timer_claim_seconds {
            store.set_claim_lease((seconds * 1000.0) as i64);
        }
        #[cfg(feature = "fault-injection")]
        if let Some((at, kind)) = self.fault {
            store.inject_fault(at, kind);
        }
        Ok(store)
    }

    /// The thread's store, opened when it has none (at start, or after the database broke).
    ///
    /// # Errors
    /// As [`App::open_store`].
    pub fn store<'a>(&self, slot: &'a mut Option<Store>) -> Result<&'a mut Store, StoreError> {
        if slot.is_none() {
            *slot = Some(self.open_store()?);
        }
        slot.as_mut()
            .ok_or_else(|| StoreError::Database("no connection".into()))
    }
}

/// Drops a connection after a database failure, so that the next request opens a new one.
pub fn forget_on_failure<T>(slot: &mut Option<Store>, outcome: &Result<T, StoreError>) {
    if let Err(StoreError::Database(_)) = outcome {
        *slot = None;
    }
}

//! Fault injection for the durability tests: every statement the store runs is numbered, and a
//! test makes statement `k` fail (as a database error) or kills the process there (as a
//! `SIGKILL` would: no destructor, no rollback, the connection just drops).

use crate::error::{Result, StoreError};

/// What happens at the chosen statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// The statement fails with `store.injected`; the transaction rolls back.
    Fail,
    /// The process aborts before the statement runs.
    Kill,
}

/// The statement counter, and the fault armed at one statement.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    count: u64,
    armed: Option<(u64, FaultKind)>,
}

impl Faults {
    /// Counts one statement; fires the fault armed at it.
    pub(crate) fn tick(&mut self) -> Result<()> {
        self.count += 1;
        match self.armed {
            Some((at, kind)) if at == self.count => {
                self.armed = None;
                match kind {
                    FaultKind::Fail => Err(StoreError::Injected(at)),
                    FaultKind::Kill => std::process::abort(),
                }
            }
            _ => Ok(()),
        }
    }

    #[cfg(feature = "fault-injection")]
    pub(crate) fn arm(&mut self, at: u64, kind: FaultKind) {
        self.armed = Some((self.count + at, kind));
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }
}

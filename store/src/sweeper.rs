//! The timer sweeper: any worker claims the cases whose timers are due by the database's clock
//! (`FOR UPDATE SKIP LOCKED`, or SQLite's write lock), and fires each case's timers through the
//! command path, under the case's lock. A claim is a lease: a worker killed after claiming only
//! delays the firing until the lease runs out. Firing twice cannot happen: the firing is an
//! event in the case's history, which the next worker loads.

use serde_json::json;

use crate::error::Result;
use crate::store::Store;

/// How long a claim keeps other workers off a case's timers, unless set.
pub const CLAIM_LEASE_MS: i64 = 30_000;
/// Timers fired per case and transaction.
const FIRE_LIMIT: u64 = 100;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Cases claimed.
    pub cases: usize,
    /// Timer steps fired.
    pub fired: usize,
    /// Open duplicates of closed primaries moved on (`follow_primary`).
    pub followed: usize,
}

impl Store {
    /// Claims up to `limit` cases with due timers, fires them, then moves on up to `limit`
    /// duplicates a closing primary left open (beyond `max_inline_follow_ups`, or a worker
    /// killed before it got to them).
    ///
    /// # Errors
    /// The database's, after retries; what was committed before stays.
    pub fn sweep(&mut self, limit: i64) -> Result<Swept> {
        let mut swept = Swept::default();
        let claimed = self.retrying(|s| {
            s.transaction(|s| {
                let now = s.clock()?;
                let lease = s.claim_lease_ms;
                Ok((s.db()?.claim_due(now, limit, lease)?, true))
            })
        })?;
        swept.cases = claimed.len();
        for case_id in claimed {
            loop {
                let request = json!({"op": "fire_due", "case_id": case_id, "limit": FIRE_LIMIT});
                let answer = self.call(request)?;
                let result = crate::json::at(&answer, "/result");
                swept.fired += crate::json::at(result, "/fired")
                    .as_array()
                    .map_or(0, Vec::len);
                if crate::json::at(result, "/more") != true {
                    break;
                }
            }
        }
        let stranded = self.retrying(|s| s.db()?.stranded_duplicates(limit))?;
        for case_id in stranded {
            let answer = self.call(json!({"op": "follow_primary", "case_id": case_id}))?;
            swept.followed += usize::from(crate::json::is_ok(&answer));
        }
        Ok(swept)
    }
}

//! The outbox dispatcher: leases undelivered effects, hands each to a [`Sink`], marks it
//! delivered. At least once: a worker killed between delivering and marking delivers again
//! after the lease, so receivers drop effect ids they have seen. Per case, only the oldest
//! undelivered effect is leased, so a citizen's notices arrive in the order they were decided.

use crate::db::OutboxRow;
use crate::error::Result;
use crate::store::Store;

/// Where effects go: a webhook, a log, a test's list. An error is retried with backoff.
pub trait Sink {
    /// Delivers one effect; the effect id is the receiver's idempotency key.
    ///
    /// # Errors
    /// Why it was not delivered (kept on the row as `last_error`).
    fn deliver(&mut self, effect: &OutboxRow) -> std::result::Result<(), String>;
}

/// What one dispatch round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dispatched {
    /// Effects leased.
    pub leased: usize,
    /// Effects the sink took.
    pub delivered: usize,
    /// Effects the sink refused, to be retried.
    pub failed: usize,
}

/// The pause before the next attempt: doubling from one second, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 13) - 1).unwrap_or(0);
    (1_000_i64 << doublings).min(3_600_000)
}

impl Store {
    /// Leases up to `limit` effects for `lease_ms` and delivers them through `sink`.
    ///
    /// # Errors
    /// The database's; an effect delivered but not marked is delivered again later.
    pub fn dispatch(
        &mut self,
        sink: &mut dyn Sink,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Dispatched> {
        let leased = self.retrying(|s| {
            s.transaction(|s| {
                let now = s.clock()?;
                Ok((s.db()?.lease_effects(now, limit, lease_ms)?, true))
            })
        })?;
        let mut done = Dispatched {
            leased: leased.len(),
            ..Dispatched::default()
        };
        for effect in leased {
            let outcome = sink.deliver(&effect);
            self.retrying(|s| {
                s.transaction(|s| {
                    let now = s.clock()?;
                    match &outcome {
                        Ok(()) => s.db()?.mark_delivered(&effect.effect_id, now)?,
                        Err(e) => s.db()?.mark_failed(
                            &effect.effect_id,
                            now + backoff_ms(effect.attempts),
                            e,
                        )?,
                    }
                    Ok(((), true))
                })
            })?;
            match outcome {
                Ok(()) => done.delivered += 1,
                Err(_) => done.failed += 1,
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_from_a_second_to_an_hour() {
        assert_eq!(backoff_ms(1), 1_000);
        assert_eq!(backoff_ms(2), 2_000);
        assert_eq!(backoff_ms(5), 16_000);
        assert_eq!(backoff_ms(40), 3_600_000);
        assert_eq!(backoff_ms(0), 1_000);
    }
}

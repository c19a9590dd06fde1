//! Linked duplicates following their closed primary: within the command that closes it when
//! they are few and all loaded, else each by its own `follow_primary` command, so that no
//! command and no write set grows with the size of a matter (a water outage reported by
//! thousands of callers; `docs/persistence.md`).

use crate::case::{Case, CaseError};
use crate::engine::handling::system_move;
use crate::engine::Engine;
use crate::org::handling::LinkView;

impl Engine {
    /// When `case_id` is closed, its linked duplicates follow: the system takes each one's
    /// `linked.on_primary_closed` transition where it applies. More than
    /// `Limits::max_inline_follow_ups` of them still open, or any the engine does not hold,
    /// are left to their own `follow_primary` commands, named in [`Engine::take_follow_ups`],
    /// so that no command grows with the size of a matter.
    pub(crate) fn follow_primary(&mut self, case_id: &str, at: i64) {
        let Some(case) = self.cases.get(case_id) else {
            return;
        };
        let Some(linked) = case.closed_linked() else {
            return;
        };
        let waiting = self.waiting(linked);
        let inline = waiting.len() <= self.limits().max_inline_follow_ups;
        for id in waiting {
            if inline && self.cases.contains_key(id.as_str()) {
                self.follow_one(&id, at);
            } else {
                self.follow_ups.push(id);
            }
        }
    }

    /// The linked duplicates that would follow `case_id` within a command closing it (all of
    /// them when `transition` is `None`: a timer's breach may close it): its duplicates not
    /// known to be closed, when they are few enough to follow inline. Empty for a case the
    /// engine does not hold, or a transition that does not close it.
    pub(crate) fn inline_followers(&self, case_id: &str, transition: Option<&str>) -> Vec<String> {
        // Most cases have no duplicates: that is checked first, the transition only then.
        let Some((case, h)) = self
            .cases
            .get(case_id)
            .and_then(|c| Some((c, c.handling_view()?)))
            .filter(|(_, h)| !h.linked.is_empty())
        else {
            return Vec::new();
        };
        let wf = case.workflow();
        let closes = transition.is_none_or(|id| {
            wf.transition_index(id)
                .and_then(|ix| wf.transition(ix))
                .is_some_and(|t| wf.is_terminal(t.to))
        });
        if !closes {
            return Vec::new();
        }
        let waiting = self.waiting(&h.linked);
        if waiting.len() > self.limits().max_inline_follow_ups {
            return Vec::new();
        }
        waiting
    }

    /// The duplicates of `linked` still to follow: those open, and those the engine does not
    /// hold (which may be open).
    fn waiting(&self, linked: &[LinkView]) -> Vec<String> {
        linked
            .iter()
            .map(|l| l.case_id.clone())
            .filter(|id| self.cases.get(id.as_str()).is_none_or(|d| !d.is_terminal()))
            .collect()
    }

    /// The duplicates the last command that closed a primary left to their own
    /// `follow_primary` commands; taken, so the next command starts with none.
    pub fn take_follow_ups(&mut self) -> Vec<String> {
        std::mem::take(&mut self.follow_ups)
    }

    /// A linked duplicate follows its closed primary: the system takes its
    /// `linked.on_primary_closed` transition, at `at` or at its last event if later, where the
    /// transition applies (else nothing is recorded). For the duplicates a primary left in
    /// [`Engine::take_follow_ups`].
    ///
    /// # Errors
    /// `case.not_found`, `case.terminal`, `case.not_linked`, `case.linked_not_loaded` when
    /// the engine does not hold the primary, `case.primary_open`, `case.invalid_time`.
    pub fn follow(&mut self, case_id: &str, at: i64) -> Result<&Case, CaseError> {
        crate::case::check_time(at)?;
        let dup = self.case_or_err(case_id)?;
        if dup.is_terminal() {
            return Err(CaseError::Terminal {
                case_id: case_id.to_owned(),
                state: dup.state().to_owned(),
            });
        }
        let primary = dup.primary().ok_or_else(|| CaseError::NotLinked {
            case_id: case_id.to_owned(),
        })?;
        let closed = self.cases.get(primary).map(|c| c.is_terminal());
        match closed {
            None => {
                return Err(CaseError::LinkedNotLoaded {
                    case_id: case_id.to_owned(),
                    missing: vec![primary.to_owned()],
                })
            }
            Some(false) => {
                return Err(CaseError::PrimaryOpen {
                    case_id: case_id.to_owned(),
                    primary: primary.to_owned(),
                })
            }
            Some(true) => {}
        }
        self.follow_one(case_id, at);
        self.case_or_err(case_id)
    }

    /// One duplicate follows its closed primary, if its transition applies.
    fn follow_one(&mut self, id: &str, at: i64) {
        let Some(dup) = self.cases.get(id).filter(|d| !d.is_terminal()) else {
            return;
        };
        let mut dup = dup.clone();
        let on_closed = dup.handling_config().and_then(|h| h.on_primary_closed);
        let when = at.max(dup.updated_at());
        if system_move(&mut dup, on_closed, when) {
            self.commit(dup);
        }
    }
}

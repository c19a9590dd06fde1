//! The engine's governance operations, those that reach past one case: the organisation and
//! routing, appeals and duplicates checked against other cases, links between cases (their
//! following a closed primary is in `follow_ups.rs`), supervision (by people, and climbing the
//! tree on breach), and the outbox.

use std::sync::Arc;

use crate::calendar::working_time::Duration;
use crate::case::effect::Effect;
use crate::case::CaseError;
use crate::case::{Actor, Case, Command, Opening, Values, SYSTEM_ACTOR};
use crate::engine::outbox::{OutboxMode, OutboxNotEmpty, UnknownEffect};
use crate::engine::Engine;
use crate::org::handling::{AppealOf, Level, MatterKeys, Stage};
use crate::org::{InvalidOrg, Org, OrgDef, OrgError, Route};
use crate::workflow::Workflow;

impl Engine {
    /// Loads (or replaces) the organisation tree and its dispatch catalogue. Cases keep the
    /// units they were given; routing and unit checks use the new tree from now on.
    ///
    /// # Errors
    /// [`InvalidOrg`] with every problem.
    pub fn load_org(&mut self, def: OrgDef) -> Result<Arc<Org>, InvalidOrg> {
        let org = Arc::new(Org::compile_with(def, self.limits().max_units)?);
        self.org = Some(org.clone());
        Ok(org)
    }

    /// The organisation, when one is loaded.
    pub fn org(&self) -> Option<&Arc<Org>> {
        self.org.as_ref()
    }

    /// Where a matter goes: see [`Org::route`].
    ///
    /// # Errors
    /// `org.not_loaded`, `org.no_catalogue`, `org.no_route`.
    pub fn route(
        &self,
        category: Option<&str>,
        region: Option<&str>,
        accused: Option<&str>,
    ) -> Result<Route, OrgError> {
        self.org
            .as_ref()
            .ok_or(OrgError::NotLoaded)?
            .route(category, region, accused)
    }

    /// The appeal stage a new case would have, after checking that `of` may be appealed now:
    /// it has a written reply, the window after it is open, it is not a 复核 (final) and not
    /// appealed already.
    pub(crate) fn check_appeal(&self, of: &str, at: i64) -> Result<AppealOf, CaseError> {
        let prev = self.case(of).ok_or_else(|| CaseError::NotFound {
            case_id: of.to_owned(),
        })?;
        let record = prev.handling_view();
        let stage = match record.and_then(|r| r.appeal_of.as_ref()).map(|a| a.stage) {
            None => Stage::Review,
            Some(Stage::Review) => Stage::ReReview,
            Some(Stage::ReReview) => {
                return Err(CaseError::AppealFinal {
                    case_id: of.to_owned(),
                })
            }
        };
        if let Some(existing) = self.appeals.get(of) {
            return Err(CaseError::AppealExists {
                case_id: of.to_owned(),
                existing: existing.to_string(),
            });
        }
        let h = prev.handling_config();
        let (Some(h), Some((review, re_review))) = (h, h.and_then(|h| h.appeals)) else {
            return Err(CaseError::NoHandling {
                workflow: prev.workflow().id().to_owned(),
                section: "handling.appeals",
            });
        };
        let replied =
            record
                .and_then(|r| r.replied_at)
                .ok_or_else(|| CaseError::AppealNotReplied {
                    case_id: of.to_owned(),
                })?;
        let window = match stage {
            Stage::Review => review,
            Stage::ReReview => re_review,
        };
        let closed_at = self.add_on(h.calendar.as_deref(), replied, window)?;
        if at > closed_at {
            return Err(CaseError::AppealOutOfWindow {
                case_id: of.to_owned(),
                closed_at,
            });
        }
        Ok(AppealOf {
            case_id: of.to_owned(),
            stage,
        })
    }

    /// `at + d` on a calendar.
    pub(crate) fn add_on(
        &self,
        calendar: Option<&str>,
        at: i64,
        d: Duration,
    ) -> Result<i64, CaseError> {
        let id = calendar.unwrap_or_default();
        let cal = self.calendar_or_err(id)?;
        Ok(cal.add(at, d)?.at)
    }

    /// Open cases with the same citizen and matter keys as a new case of workflow `workflow`
    /// (`version`, or the latest) would have: of the workflow itself and of the workflows its
    /// `duplicates.across` names; primaries first (a duplicate names its primary instead).
    pub fn duplicates_of(
        &self,
        workflow: &str,
        version: Option<u32>,
        keys: &MatterKeys,
    ) -> Vec<String> {
        let across = self.workflow(workflow, version).and_then(|w| w.handling());
        self.duplicates_in(workflow, across.map_or(&[][..], |h| &h.across), keys)
    }

    /// Open cases of `workflow` or of a workflow in `across` with these keys.
    fn duplicates_in(&self, workflow: &str, across: &[Box<str>], keys: &MatterKeys) -> Vec<String> {
        let key = (keys.citizen.as_str().into(), keys.matter.as_str().into());
        let mut out: Vec<String> = Vec::new();
        for id in self.matters.get(&key).into_iter().flatten() {
            let Some(case) = self.cases.get(&**id) else {
                continue;
            };
            let of = case.workflow().id();
            if case.is_terminal() || (of != workflow && !across.iter().any(|a| **a == *of)) {
                continue;
            }
            // A case without a citizen (a 舆情) is nobody's duplicate nor primary.
            if !case.workflow().definition().citizen {
                continue;
            }
            let primary = case.primary().unwrap_or(case.id()).to_owned();
            if !out.contains(&primary) {
                out.push(primary);
            }
        }
        out
    }

    /// Applies the workflow's duplicate policy to a new case: refuses it, or names the case to
    /// link it to.
    pub(crate) fn check_duplicates(
        &self,
        wf: &Workflow,
        keys: Option<&MatterKeys>,
    ) -> Result<Option<String>, CaseError> {
        use crate::workflow::handling::DuplicatePolicy as P;
        let (Some(keys), Some(h)) = (keys, wf.handling()) else {
            return Ok(None);
        };
        if h.duplicates == P::Allow || !wf.definition().citizen {
            return Ok(None);
        }
        let found = self.duplicates_in(wf.id(), &h.across, keys);
        let Some(existing) = found.into_iter().next() else {
            return Ok(None);
        };
        match h.duplicates {
            P::Refuse => Err(CaseError::Duplicate { existing }),
            P::Link => Ok(Some(existing)),
            P::Allow | P::Candidate => Ok(None),
        }
    }

    /// Opens a case: an appeal when `appeal_of` names the case it appeals.
    ///
    /// # Errors
    /// As [`Engine::open_case`], and `case.appeal_*` for an appeal that is not allowed now,
    /// `case.duplicate` when the workflow refuses duplicates.
    pub fn open_appeal(
        &mut self,
        workflow: &str,
        version: Option<u32>,
        opening: &Opening<'_>,
        appeal_of: &str,
    ) -> Result<&Case, CaseError> {
        let appeal = self.check_appeal(appeal_of, opening.at)?;
        self.open_checked(workflow, version, opening, Some(appeal))
    }

    /// Links `case_id` to `primary` as a duplicate: both record it, and the workflow's
    /// `linked.on_link` transition is taken on the duplicate when it applies.
    ///
    /// # Errors
    /// `case.not_found`, `case.no_handling`, `case.terminal`, time errors,
    /// `case.invalid_link`, `case.already_linked`.
    pub fn link(
        &mut self,
        case_id: &str,
        primary: &str,
        actor: &Actor,
        at: i64,
    ) -> Result<&Case, CaseError> {
        let found = |id: &str| {
            self.cases.get(id).ok_or_else(|| CaseError::NotFound {
                case_id: id.to_owned(),
            })
        };
        self.check_capacity(found(case_id)?)?;
        self.check_capacity(found(primary)?)?;
        let (mut dup, mut prim) = (found(case_id)?.clone(), found(primary)?.clone());
        let invalid = |reason| CaseError::InvalidLink {
            case_id: case_id.to_owned(),
            primary: primary.to_owned(),
            reason,
        };
        if case_id == primary {
            return Err(invalid("a case is not its own duplicate"));
        }
        // A linked duplicate hears its primary's reply and closing: a case of a workflow
        // without a citizen (a post, a 舆情) has neither to give nor anyone to tell.
        if [&dup, &prim]
            .iter()
            .any(|c| !c.workflow().definition().citizen)
        {
            return Err(invalid(
                "a case of a workflow without a citizen is never linked",
            ));
        }
        let dup_actor = dup.checked_command(actor, at, "handling")?;
        let prim_actor = prim.checked_command(actor, at, "handling")?;
        if let Some(p) = dup.primary() {
            return Err(CaseError::AlreadyLinked {
                case_id: case_id.to_owned(),
                primary: p.to_owned(),
            });
        }
        if dup.handling_view().is_some_and(|h| !h.linked.is_empty()) {
            return Err(invalid("it has duplicates of its own"));
        }
        if prim.primary().is_some() {
            return Err(invalid("the primary is itself a duplicate"));
        }
        let channel = dup.channel().to_owned();
        dup.mark_linked(dup_actor, primary, at);
        prim.add_duplicate(prim_actor, case_id, &channel, at);
        let on_link = dup.handling_config().and_then(|h| h.on_link);
        system_move(&mut dup, on_link, at);
        self.check_outbox(found(case_id)?, &dup)?;
        self.check_outbox(found(primary)?, &prim)?;
        // The duplicate first: its answer lists its own events, then the primary's.
        self.commit(dup);
        self.commit(prim);
        self.case_or_err(case_id)
    }

    /// A breach step raises a supervision one level further up than the case's last automatic
    /// one (the handling unit's parent first). Nothing happens without an organisation, a
    /// handling unit, or a unit above it.
    pub(crate) fn supervise_on_breach(
        &mut self,
        case_id: &str,
        level: Level,
        required: &str,
        at: i64,
    ) {
        let (Some(org), Some(case)) = (self.org.clone(), self.cases.get(case_id)) else {
            return;
        };
        let (Some(unit), Some(record)) = (case.handling_unit(), case.handling_view()) else {
            return;
        };
        let climbed = record.supervisions.iter().filter(|s| s.automatic).count();
        let levels = u32::try_from(climbed).unwrap_or(u32::MAX).saturating_add(1);
        let Some(upper) = org.ancestor(unit, levels).filter(|u| *u != unit) else {
            return;
        };
        let h = case.handling_config();
        let (calendar, within) = (
            h.and_then(|h| h.calendar.as_deref()),
            h.and_then(|h| h.supervision_due),
        );
        let Some(due_at) = within.and_then(|d| self.add_on(calendar, at, d).ok()) else {
            return;
        };
        let upper = upper.to_owned();
        let mut changed = case.clone();
        let system = crate::case::ActorRecord::new(SYSTEM_ACTOR.into(), 0, None);
        changed.raise_supervision(system, level, &upper, due_at, required, at);
        self.commit(changed);
    }

    /// A unit above the handling unit supervises the case: a record with a level, a deadline
    /// (`within` on the handling calendar, or the workflow's `supervision_due`) and what must
    /// be answered.
    ///
    /// # Errors
    /// `case.not_found`, `case.no_handling`, `case.terminal`, time errors,
    /// `case.not_dispatched`, `org.not_loaded`, `org.not_superior`, calendar errors.
    pub fn supervise(
        &mut self,
        case_id: &str,
        actor: &Actor,
        level: Level,
        within: Option<Duration>,
        required: &str,
        at: i64,
    ) -> Result<&Case, CaseError> {
        let case = self.case_or_err(case_id)?;
        case.checked_command(actor, at, "handling")?;
        let handling = case
            .handling_unit()
            .ok_or_else(|| CaseError::NotDispatched {
                case_id: case_id.to_owned(),
            })?;
        let org = self.org.as_ref().ok_or(OrgError::NotLoaded)?;
        let unit = actor.unit.clone().unwrap_or_default();
        if !org.is_above(&unit, handling) {
            return Err(OrgError::NotSuperior {
                unit,
                handling: handling.to_owned(),
            }
            .into());
        }
        let h = case.handling_config();
        let within = within
            .or(h.and_then(|h| h.supervision_due))
            .ok_or_else(|| CaseError::NoHandling {
                workflow: case.workflow().id().to_owned(),
                section: "handling.supervision_due",
            })?;
        let due_at = self.add_on(h.and_then(|h| h.calendar.as_deref()), at, within)?;
        self.change_case(case_id, |case, _| {
            case.supervise(actor, level, due_at, required, at)
        })
    }

    /// An assisting unit gives its opinion.
    ///
    /// # Errors
    /// `case.not_found`, and the errors of [`Case::submit_opinion`].
    pub fn submit_opinion(
        &mut self,
        case_id: &str,
        actor: &Actor,
        opinion: &str,
        at: i64,
    ) -> Result<&Case, CaseError> {
        self.change_case(case_id, |case, _| case.submit_opinion(actor, opinion, at))
    }

    /// The handling unit answers a supervision.
    ///
    /// # Errors
    /// `case.not_found`, and the errors of [`Case::answer_supervision`].
    pub fn answer_supervision(
        &mut self,
        case_id: &str,
        actor: &Actor,
        supervision: usize,
        answer: &str,
        at: i64,
    ) -> Result<&Case, CaseError> {
        self.change_case(case_id, |case, _| {
            case.answer_supervision(actor, supervision, answer, at)
        })
    }

    /// Up to `limit` undelivered effects whose lease ran out at `now`, oldest first, each
    /// leased for `lease_ms`: handed out again after that unless acknowledged.
    pub fn drain_outbox(&mut self, now: i64, limit: usize, lease_ms: i64) -> Vec<Effect> {
        self.outbox.drain(&self.cases, now, limit, lease_ms)
    }

    /// Acknowledges delivered effects; all or nothing. Returns how many were undelivered.
    ///
    /// # Errors
    /// [`UnknownEffect`] for an id that names no effect.
    pub fn ack_effects(&mut self, ids: &[String]) -> Result<usize, UnknownEffect> {
        self.outbox.ack(&self.cases, ids)
    }

    /// Number of undelivered effects.
    pub fn pending_effects(&self) -> usize {
        self.outbox.len()
    }

    /// Who holds the effects until they are delivered.
    pub fn outbox_mode(&self) -> OutboxMode {
        self.outbox.mode
    }

    /// Changes who holds the effects, on an empty outbox only: with [`OutboxMode::Host`] the
    /// engine queues none, and a full outbox refuses nothing.
    ///
    /// # Errors
    /// [`OutboxNotEmpty`] while effects await acknowledgement.
    pub fn set_outbox_mode(&mut self, mode: OutboxMode) -> Result<(), OutboxNotEmpty> {
        let pending = self.outbox.len();
        if pending > 0 && mode != self.outbox.mode {
            return Err(OutboxNotEmpty { pending });
        }
        self.outbox.mode = mode;
        Ok(())
    }
}

/// The system takes transition `t` on `case` if it applies now; whether it did.
pub(super) fn system_move(case: &mut Case, t: Option<u16>, at: i64) -> bool {
    let wf = case.workflow().clone();
    let Some(tr) = t.and_then(|ix| wf.transition(ix)) else {
        return false;
    };
    let system = Actor {
        id: SYSTEM_ACTOR.to_owned(),
        roles: wf.role_names(tr.roles),
        unit: None,
    };
    let cmd = Command {
        transition: &tr.id,
        actor: &system,
        payload: Values::NONE,
        at,
    };
    case.apply(&cmd).is_ok()
}

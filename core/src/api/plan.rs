//! `plan`: which cases and matter keys a request needs in the engine before it runs, so that a
//! host keeping cases in a store locks and loads them first (`docs/persistence.md`). A request
//! is read, never run; what it then touches is always among what its plan names.

use crate::api::answer::Plan;
use crate::api::Request;
use crate::engine::Engine;

impl Engine {
    /// The cases `request` reads or may change, its own first, and the matter keys whose open
    /// cases it checks for duplicates. The duplicates a closing primary moves are named when
    /// the engine holds the primary (its links are in its history); with more than
    /// `max_inline_follow_ups` of them none is, as they follow by their own commands.
    pub fn plan(&self, request: &Request) -> Plan {
        let mut plan = Plan::default();
        let cases = &mut plan.cases;
        match request {
            Request::OpenCase(r) => {
                cases.push(r.case_id.clone());
                cases.extend(r.appeal_of.clone());
                // A held duplicate with these keys links the new case to its primary, which
                // the keys alone do not find: named, so that a store loads it too.
                if let Some(keys) = &r.keys {
                    cases.extend(self.duplicates_of(&r.workflow, r.version, keys));
                }
                plan.matters.extend(r.keys.clone());
            }
            Request::Apply(r) => {
                cases.push(r.case_id.clone());
                cases.extend(self.inline_followers(&r.case_id, Some(&r.transition)));
            }
            Request::FireDue(r) => {
                if let Some(id) = &r.case_id {
                    cases.push(id.clone());
                    cases.extend(self.inline_followers(id, None));
                }
            }
            Request::LinkCases(r) => cases.extend([r.case_id.clone(), r.primary.clone()]),
            Request::FollowPrimary(r) => {
                cases.push(r.case_id.clone());
                let primary = self.case(&r.case_id).and_then(|c| c.primary());
                cases.extend(primary.map(str::to_owned));
            }
            Request::AppendEvents(r) => cases.push(r.case_id.clone()),
            Request::ArchiveCase(r) => cases.push(r.case_id.clone()),
            Request::Extend(r) => cases.push(r.case_id.clone()),
            Request::SubmitOpinion(r) => cases.push(r.case_id.clone()),
            Request::Supervise(r) => cases.push(r.case_id.clone()),
            Request::AnswerSupervision(r) => cases.push(r.case_id.clone()),
            Request::AvailableTransitions(r) => cases.push(r.case_id.clone()),
            Request::SlaStatus(r) => cases.push(r.case_id.clone()),
            Request::GetCase(r)
            | Request::History(r)
            | Request::UnloadCase(r)
            | Request::CaseTimers(r)
            | Request::PublicView(r) => cases.push(r.case_id.clone()),
            Request::ExportGraph(r) => cases.extend(r.case_id.clone()),
            _ => {}
        }
        let mut seen = std::collections::BTreeSet::new();
        plan.cases.retain(|id| seen.insert(id.clone()));
        plan
    }
}

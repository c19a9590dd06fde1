//! What a case records about its handling: the units that dispatched, handle and assist it,
//! transfers and returns, supervisions, linked duplicates, replies, callbacks and appeals.
//! All of it is rebuilt from the history; [`HandlingView`] is its JSON form.

use serde::{Deserialize, Serialize};

use crate::org::Route;

/// Supervision levels (信访工作条例 arts. 38–40).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 催办: a reminder.
    Reminder,
    /// 督办: formal supervision.
    Supervision,
    /// 挂牌督办: listed supervision.
    Listed,
}

/// Appeal stages (复查, then 复核).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 复查: review of the original handling (art. 35).
    Review,
    /// 复核: re-review of the review, final (art. 36).
    ReReview,
}

/// An assisting unit's sub-task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AssistView {
    /// The assisting unit.
    pub unit: String,
    /// When it was asked.
    pub since: i64,
    /// When its opinion is due.
    pub due_at: i64,
    /// When it gave its opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<i64>,
    /// The opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<String>,
    /// The opinion was still missing when it fell due (recorded by `fire_due`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
}

/// A supervision record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SupervisionView {
    /// Its number on the case, from 0.
    pub index: usize,
    /// Its level.
    pub level: Level,
    /// The supervising unit.
    pub unit: String,
    /// When it was raised.
    pub raised_at: i64,
    /// When the answer is due.
    pub due_at: i64,
    /// What the handling unit must answer.
    pub required: String,
    /// Raised by an SLA breach step rather than a person.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automatic: bool,
    /// When it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<i64>,
    /// The answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The answer was still missing when it fell due (recorded by `fire_due`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
}

/// A callback (回访) result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CallbackView {
    /// When.
    pub at: i64,
    /// Whether the citizen was reached.
    pub contacted: bool,
    /// Whether the matter is solved.
    pub solved: bool,
    /// The level of the workflow's evaluation scale (`satisfied`, ...), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<String>,
    /// The citizen's comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A linked duplicate of a primary case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LinkView {
    /// The duplicate case.
    pub case_id: String,
    /// The channel it came from.
    pub channel: String,
}

/// What an appeal case appeals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AppealOf {
    /// The appealed case.
    pub case_id: String,
    /// This case's stage.
    pub stage: Stage,
}

/// The citizen and matter keys a host gives to detect duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MatterKeys {
    /// Who (a hash of an ID number or phone, chosen by the host).
    pub citizen: String,
    /// What (a host-defined key of the matter).
    pub matter: String,
}

/// The handling record of a case, in the case view of workflows with a `handling` section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct HandlingView {
    /// The handling (lead) unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The unit of the person who last dispatched or transferred it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_by: Option<String>,
    /// How the last dispatch chose the unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// Transfers (转办).
    pub transfers: u32,
    /// Returns (退回).
    pub returns: u32,
    /// Flagged as passed around (推诿).
    pub bounced: bool,
    /// Co-handling sub-tasks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assisting: Vec<AssistView>,
    /// Supervisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supervisions: Vec<SupervisionView>,
    /// The primary this duplicate is linked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// The duplicates linked to this primary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<LinkView>,
    /// When the last written reply was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at: Option<i64>,
    /// Callbacks, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub callbacks: Vec<CallbackView>,
    /// Reopenings (重办).
    pub reopens: u32,
    /// Duplicate-detection keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<MatterKeys>,
    /// The case this one appeals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_of: Option<AppealOf>,
}

/// A sub-task of a case with its own deadline: an assisting unit's opinion or the answer to a
/// supervision, by its position in [`HandlingView::assisting`] or [`HandlingView::supervisions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Task {
    Opinion(usize),
    Supervision(usize),
}

impl HandlingView {
    /// Sub-tasks still unanswered and not yet recorded overdue, with their deadlines: what
    /// the engine's timer index holds for the case.
    pub(crate) fn pending_tasks(&self) -> impl Iterator<Item = (i64, Task)> + '_ {
        let opinions = self.assisting.iter().enumerate();
        let opinions = opinions
            .filter(|(_, a)| a.answered_at.is_none() && !a.overdue)
            .map(|(i, a)| (a.due_at, Task::Opinion(i)));
        let supervisions = self.supervisions.iter().enumerate();
        let supervisions = supervisions
            .filter(|(_, s)| s.answered_at.is_none() && !s.overdue)
            .map(|(i, s)| (s.due_at, Task::Supervision(i)));
        opinions.chain(supervisions)
    }

    /// The unit that owes a sub-task and its deadline.
    pub(crate) fn task(&self, task: Task) -> Option<(&str, i64)> {
        match task {
            Task::Opinion(i) => self.assisting.get(i).map(|a| (&*a.unit, a.due_at)),
            Task::Supervision(i) => self.supervisions.get(i).map(|s| (&*s.unit, s.due_at)),
        }
    }

    /// Assisting units whose opinion is not in.
    pub fn opinions_due(&self) -> Vec<String> {
        self.assisting
            .iter()
            .filter(|a| a.answered_at.is_none())
            .map(|a| a.unit.clone())
            .collect()
    }
}

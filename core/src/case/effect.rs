//! What an event asks of the outside world: the effects a host delivers, since the core does no
//! I/O. Ids are stable (`<case id>#<seq>.<n>`), so replay produces the same effects.

use serde::{Deserialize, Serialize};

use crate::org::handling::Level;

/// What kind of thing the host must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum EffectKind {
    /// Tell the citizen, on `channel` (the channel of case `channel_case`).
    NotifyCitizen,
    /// Tell a unit.
    NotifyUnit,
    /// Tell the people holding a role.
    NotifyRole,
    /// Publish the reply (subject to the public-view rules).
    PublishReply,
    /// Deliver a supervision notice to the handling unit.
    SupervisionNotice,
    /// Publish the case's content on `channel` (a transition with `publish`; `detail` names
    /// it: a release, a correction, a withdrawal). One per channel listed, all from one event.
    Publish,
    /// Flag the case for supervision (`reason`: `bounced`, or `overdue` with `detail`
    /// `opinion` or `supervision/<n>`).
    Flag,
}

/// One thing the host must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Stable id, `<case id>#<seq>.<n>`: the same after replay, for de-duplication.
    pub id: String,
    /// The case whose event caused it.
    pub case_id: String,
    /// That event's position in the history.
    pub seq: u64,
    /// What to do.
    pub kind: EffectKind,
    /// Why: `dispatched`, `transferred`, `returned`, `assist_requested`, `opinion_submitted`,
    /// `reply`, `notice`, `closed`, `extended`, `linked`, `sla_warning`, `sla_breach`,
    /// `supervision`, `supervision_answered`, `bounced`, `opinion_overdue`,
    /// `supervision_overdue`, `overdue`, `legal_route` (the route's id in `detail`), `publish`
    /// (the transition in `detail`).
    pub reason: String,
    /// The channel to use (citizen notices, publications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The case the channel belongs to: this case, or a linked duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_case: Option<String>,
    /// The unit to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The role to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A supervision's level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The supervising unit of a supervision notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The transition, or `<sla>/<step>` of a timer, or the primary of a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

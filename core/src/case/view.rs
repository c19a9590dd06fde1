//! What a caller reads of a case: its view and the transitions an actor may take now.

use super::*;

/// The JSON view of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseView {
    /// Case id.
    pub id: String,
    /// Workflow id.
    pub workflow: String,
    /// Workflow version the case is pinned to.
    pub version: u32,
    /// Current state id.
    pub state: String,
    /// Current state's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_title: Option<String>,
    /// Current state's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_category: Option<String>,
    /// Whether the case is closed.
    pub terminal: bool,
    /// Intake channel.
    pub channel: String,
    /// Field values.
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub fields: Map<String, serde_json::Value>,
    /// When it was opened.
    pub opened_at: i64,
    /// When its last event happened.
    pub updated_at: i64,
    /// Number of events in its history.
    pub events: usize,
    /// Its handling record, for workflows with a `handling` section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling: Option<HandlingView>,
}

/// A transition an actor can take now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Available {
    /// Transition id.
    pub id: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The state it enters.
    pub to: String,
    /// Payload fields it requires.
    pub requires: Vec<String>,
}

impl Case {
    /// The JSON view.
    pub fn view(&self) -> CaseView {
        let wf = &*self.workflow;
        let mut fields = Map::new();
        for (f, v) in wf.fields.iter().zip(self.fields.iter()) {
            if let Some(v) = v {
                fields.insert(f.id.to_string(), v.to_json());
            }
        }
        CaseView {
            id: self.id.to_string(),
            workflow: wf.id().to_owned(),
            version: wf.version(),
            state: self.state().to_owned(),
            state_title: wf.state_title(self.state).map(str::to_owned),
            state_category: wf.state_category(self.state).map(str::to_owned),
            terminal: self.is_terminal(),
            channel: self.channel().to_owned(),
            fields,
            opened_at: self.opened_at(),
            updated_at: self.updated_at(),
            events: self.history.len(),
            handling: self.handling.as_deref().cloned(),
        }
    }

    /// Transitions `actor` could take now: they leave the current state, the actor holds an
    /// allowed role and the guard holds. Payload is not considered.
    pub fn available(&self, actor: &Actor) -> Vec<Available> {
        self.available_with(actor, None)
    }

    pub(crate) fn available_with(
        &self,
        actor: &Actor,
        org: Option<&crate::org::Org>,
    ) -> Vec<Available> {
        let wf = &*self.workflow;
        let mask = wf.role_mask(&actor.roles);
        let scope = Scope {
            fields: &self.fields,
            actor_id: &actor.id,
            actor_unit: actor.unit.as_deref(),
            actor_roles: mask,
            roles: &wf.roles,
            channel: self.channel(),
            opened_at: self.opened_at(),
            org,
            handling: self.handling.as_deref(),
        };
        wf.outgoing(self.state)
            .iter()
            .filter_map(|&ix| wf.transition(ix).map(|t| (ix, t)))
            .filter(|(_, t)| t.roles & mask != 0 && t.guard.as_ref().is_none_or(|g| g.eval(&scope)))
            .map(|(ix, t)| Available {
                id: t.id.to_string(),
                title: wf.transition_title(ix).map(str::to_owned),
                to: wf.state_id(t.to).to_owned(),
                requires: t
                    .requires
                    .iter()
                    .filter_map(|f| wf.field(*f))
                    .map(|f| f.id.to_string())
                    .collect(),
            })
            .collect()
    }
}

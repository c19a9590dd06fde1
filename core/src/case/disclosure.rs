//! Public disclosure (政务公开): what of a case may be published. Only fields the workflow marks
//! `public` appear; personal ones masked by their rule, every other text with the case's
//! personal and confidential values masked wherever they are quoted. The timeline lists when
//! the case was opened and each transition with its title, never who acted. In an accusation
//! (检举), the complainant's identity is withheld entirely. Nothing here changes the case.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::case::{Case, EventKind};
use crate::mask::{Protector, REDACTED};
use crate::org::Org;
use crate::value::Value;
use crate::workflow::Publish;

/// What may be published about a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PublicView {
    /// Case id.
    pub case_id: String,
    /// Workflow id.
    pub workflow: String,
    /// Intake channel.
    pub channel: String,
    /// Current state id.
    pub state: String,
    /// Current state's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_title: Option<String>,
    /// Whether the case is closed.
    pub terminal: bool,
    /// When it was opened.
    pub opened_at: i64,
    /// When it was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    /// The handling unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Its name, from the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    /// When the last written reply was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at: Option<i64>,
    /// An accusation: every personal field is withheld, not masked.
    pub accusation: bool,
    /// The public fields, personal ones masked.
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub fields: Map<String, Json>,
    /// Opening and transitions, oldest first.
    pub timeline: Vec<PublicEvent>,
}

/// One step of the public timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PublicEvent {
    /// When.
    pub at: i64,
    /// The transition taken; none for the opening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<String>,
    /// Its title (for the opening, none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The state entered.
    pub state: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_title: Option<String>,
}

impl Case {
    /// What may be published about the case; `org` gives the handling unit's name.
    pub fn public_view(&self, org: Option<&Org>) -> PublicView {
        let wf = &*self.workflow;
        let handling = wf.handling();
        let accusation = handling
            .and_then(|h| h.accused_field)
            .and_then(|ix| self.fields.get(usize::from(ix)))
            .is_some_and(|v| matches!(v, Some(Value::Str(s)) if !s.trim().is_empty()));
        let mut protector = Protector::new(accusation);
        for (f, v) in wf.fields.iter().zip(self.fields.iter()) {
            let (Some(mask), Some(v)) = (f.personal, v) else {
                continue;
            };
            for text in strings(v) {
                protector.add(&text, mask);
            }
        }
        let mut fields = Map::new();
        for (f, v) in wf.fields.iter().zip(self.fields.iter()) {
            let (Some(publish), Some(v)) = (f.public, v) else {
                continue;
            };
            let shown = match (publish, f.personal) {
                (Publish::Masked, _) if accusation => continue,
                // What a mask keeps goes through the protector too: a custom mask keeping
                // seven digits, or a name typed into the ID number field, stays hidden.
                (Publish::Masked, Some(mask)) => match v {
                    Value::Str(s) => Json::String(protector.protect(&mask.apply(s), false)),
                    _ => Json::String(REDACTED.to_owned()),
                },
                (Publish::Masked, None) => continue,
                (Publish::Text { scrub }, _) => match v {
                    Value::Str(s) => Json::String(protector.protect(s, scrub)),
                    Value::List(items) => items
                        .iter()
                        .map(|s| Json::String(protector.protect(s, scrub)))
                        .collect(),
                    Value::Num(_) => {
                        let text = number_text(v);
                        match protector.protect(&text, false) {
                            masked if masked != text => Json::String(masked),
                            _ => v.to_json(),
                        }
                    }
                    other => other.to_json(),
                },
            };
            fields.insert(f.id.to_string(), shown);
        }
        let state = |ix: u16| {
            (
                wf.state_id(ix).to_owned(),
                wf.state_title(ix).map(str::to_owned),
            )
        };
        let mut timeline = Vec::new();
        for e in &self.history {
            let (transition, to) = match &e.kind {
                EventKind::Opened(_) => (None, wf.initial),
                EventKind::Transitioned { transition, to, .. } => (Some(*transition), *to),
                _ => continue,
            };
            let (state, state_title) = state(to);
            timeline.push(PublicEvent {
                at: e.at(),
                transition: transition.map(|t| wf.transition_id(t).to_owned()),
                title: transition.and_then(|t| wf.transition_title(t).map(str::to_owned)),
                state,
                state_title,
            });
        }
        let unit = self.handling.as_ref().and_then(|h| h.unit.clone());
        let unit_name = unit
            .as_deref()
            .and_then(|u| org?.unit(u))
            .map(|u| u.name.clone());
        let (state, state_title) = state(self.state);
        PublicView {
            case_id: self.id.to_string(),
            workflow: wf.id().to_owned(),
            channel: self.channel().to_owned(),
            state,
            state_title,
            terminal: self.is_terminal(),
            opened_at: self.opened_at(),
            closed_at: self.is_terminal().then(|| self.closed_at()).flatten(),
            unit,
            unit_name,
            replied_at: self.handling.as_ref().and_then(|h| h.replied_at),
            accusation,
            fields,
            timeline,
        }
    }

    /// When the case entered its terminal state (the last transition into one).
    pub(crate) fn closed_at(&self) -> Option<i64> {
        let wf = &*self.workflow;
        self.history.iter().rev().find_map(|e| match e.kind {
            EventKind::Transitioned { to, .. } if wf.is_terminal(to) => Some(e.at()),
            _ => None,
        })
    }
}

/// The texts of a personal value: a string, each item of a list, a number's digits.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Str(s) => vec![s.to_string()],
        Value::List(items) => items.iter().map(|s| s.to_string()).collect(),
        Value::Num(_) => vec![number_text(v)],
        Value::Bool(_) | Value::Time(_) => Vec::new(),
    }
}

/// A number as its digits: whole numbers without an exponent, however large.
fn number_text(v: &Value) -> String {
    match v {
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e21 => format!("{n:.0}"),
        other => other.to_json().to_string(),
    }
}

//! The workflow definition document (JSON, `"format": 1`), exactly as authors write it.
//!
//! These types only describe shape; [`crate::Workflow::compile`] checks meaning. See
//! `docs/definition-format.md` for the full reference.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::value::FieldKind;
use crate::workflow::guard::GuardDef;
use crate::workflow::handling::{Action, HandlingDef};
use crate::workflow::sla::SlaDef;

/// The definition format this library reads and writes.
pub const DEFINITION_FORMAT: u64 = 1;

/// A workflow definition document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct WorkflowDef {
    /// Version of the definition format; must be 1.
    pub format: u64,
    /// Workflow id, stable across versions.
    pub id: String,
    /// Version of this workflow; cases stay pinned to the version they were opened with.
    pub version: u32,
    /// Human title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether its cases answer a citizen (default `true`). `false` for outbound work (a post,
    /// a 舆情, an account's quarter): no effect tells a citizen, and no transition may
    /// `notify_citizen`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub citizen: bool,
    /// Typed case attributes.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// Roles that may act.
    pub roles: Vec<RoleDef>,
    /// States of a case.
    pub states: Vec<StateDef>,
    /// Moves between states.
    pub transitions: Vec<TransitionDef>,
    /// Time limits that run on cases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slas: Vec<SlaDef>,
    /// Organisational handling: units, routing, co-handling, callbacks, duplicates, appeals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling: Option<HandlingDef>,
}

/// A typed case attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Field id.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// Allowed values of an `enum` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// Whether the field must be given when a case is opened.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Whether the field holds personal data (names, phone numbers, ID numbers, addresses),
    /// masked in public views and in every public text where its value appears.
    #[serde(default, skip_serializing_if = "is_false")]
    pub personal: bool,
    /// Who may see it: `internal` (default) fields stay out of public views.
    #[serde(default, skip_serializing_if = "Visibility::is_internal")]
    pub visibility: Visibility,
    /// How a personal field is shown in public views; `redact` (`***`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        tsify(
            type = r#""redact" | "name" | "phone" | "id_number" | "address" | "email" | { keep_start: number; keep_end: number }"#
        )
    )]
    pub mask: Option<crate::mask::Mask>,
    /// Free text the citizen wrote: in public views, also mask anything that looks like a
    /// phone or ID number or an e-mail address, whoever's it is.
    #[serde(default, skip_serializing_if = "is_false")]
    pub scrub: bool,
}

/// Who may see a field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Published in public views (masked when personal).
    Public,
    /// Seen by the units handling the case, never published.
    #[default]
    Internal,
    /// Never published; its value is also masked in public texts that quote it.
    Confidential,
}

impl Visibility {
    fn is_internal(&self) -> bool {
        *self == Visibility::Internal
    }
}

/// A role that may act on cases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    /// Role id, as hosts pass it in `actor.roles`.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A state of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    /// State id.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The one state a new case starts in.
    #[serde(default, skip_serializing_if = "is_false")]
    pub initial: bool,
    /// A closing state: no transition leaves it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub terminal: bool,
    /// Free tag for grouping states, such as `open`, `waiting` or `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// A move from one or more states to another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct TransitionDef {
    /// Transition id, as commands name it.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The states it leaves.
    #[cfg_attr(feature = "typescript", tsify(type = "\"*\" | string[]"))]
    pub from: FromStates,
    /// The state it enters.
    pub to: String,
    /// Roles allowed to take it.
    pub roles: Vec<String>,
    /// Condition on case fields and the actor that must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<GuardDef>,
    /// Fields that must be present in the command's payload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Case fields assigned from the payload value of the same id, when present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// What it does for handling (dispatch, transfer, return, assist, reply, callback, reopen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// An SLA rule whose running clock must not be past its deadline, such as the limit on
    /// returning a misrouted case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Whether taking it tells the citizen, on every channel the matter came from.
    #[serde(default, skip_serializing_if = "is_false")]
    pub notify_citizen: bool,
    /// A `list` field naming channels: taking it queues one `publish` effect per channel listed
    /// (the payload's value, else the case's), so every account releases the same content
    /// together (双微联动). A command when the list is empty is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<String>,
}

/// The `from` of a transition: a list of state ids, or `"*"` for every non-terminal state
/// other than the transition's own target.
#[derive(Clone, Debug, PartialEq)]
pub enum FromStates {
    /// `"*"`.
    AnyOpen,
    /// An explicit list.
    States(Vec<String>),
}

impl Serialize for FromStates {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FromStates::AnyOpen => serializer.serialize_str("*"),
            FromStates::States(states) => states.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for FromStates {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = FromStates;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of state ids or \"*\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<FromStates, E> {
                if s == "*" {
                    Ok(FromStates::AnyOpen)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(s), &self))
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<FromStates, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(FromStates::States)
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

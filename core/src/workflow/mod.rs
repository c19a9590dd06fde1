//! A compiled workflow: the definition checked once, its ids interned to small indices, so that
//! running a case never parses, hashes a state name or allocates for a lookup.

mod compile;
pub(crate) mod definition;
pub(crate) mod error;
pub(crate) mod graph;
pub(crate) mod guard;
pub(crate) mod handling;
pub(crate) mod sla;

pub use error::{DefinitionError, Diagnostic, InvalidDefinition};

use crate::limits::Limits;
use crate::support::fx::FxMap;
use crate::support::ids::{bad_document_id, bad_symbol};
use crate::value::FieldKind;
use crate::workflow::definition::{FromStates, WorkflowDef, DEFINITION_FORMAT};
use crate::workflow::graph::StateGraph;
use crate::workflow::guard::{declared, Guard, Symbols};
use crate::workflow::sla::Sla;
use crate::workflow::DefinitionError as E;

/// A `HashMap` with a fixed hasher: the core uses no randomness, so iteration order (never
/// exposed unsorted) and timing are the same on every run. Fx rather than SipHash: keys are
/// ids the host chose, and the hash is on every command's path.

#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub id: Box<str>,
    pub kind: FieldKind,
    pub values: Box<[Box<str>]>,
    pub required: bool,
    /// How it is shown in public views: `None` when it is not shown.
    pub public: Option<Publish>,
    /// Its mask, for a personal field: its value is masked wherever it appears in public.
    pub personal: Option<crate::mask::Mask>,
}

/// How a public field is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Publish {
    /// Masked whole (a personal field).
    Masked,
    /// As text with personal values masked; with `scrub`, also anything like a number or
    /// e-mail address.
    Text { scrub: bool },
}

#[derive(Clone, Debug)]
pub(crate) struct State {
    pub id: Box<str>,
    pub terminal: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Transition {
    pub id: Box<str>,
    pub to: u16,
    pub roles: u64,
    pub guard: Option<Guard>,
    pub requires: Box<[u16]>,
    pub set: Box<[u16]>,
    pub action: Option<crate::workflow::handling::Action>,
    /// The SLA rule whose deadline bounds it.
    pub within: Option<u16>,
    pub notify_citizen: bool,
    /// The list field of channels it publishes to.
    pub publish: Option<u16>,
}

impl Transition {
    /// Whether taking it gives field `field` a value (it `set`s or `requires` the field): only
    /// then does its payload's value of that field count, over the case's.
    pub fn takes(&self, field: u16) -> bool {
        self.set.contains(&field) || self.requires.contains(&field)
    }
}

/// A validated workflow, ready to run cases.
#[derive(Debug)]
pub struct Workflow {
    def: WorkflowDef,
    pub(crate) fields: Box<[Field]>,
    pub(crate) roles: Box<[Box<str>]>,
    pub(crate) states: Box<[State]>,
    pub(crate) initial: u16,
    pub(crate) transitions: Box<[Transition]>,
    /// Per state, the transitions leaving it, in definition order.
    pub(crate) outgoing: Box<[Box<[u16]>]>,
    transition_index: FxMap<Box<str>, u16>,
    field_index: FxMap<Box<str>, u16>,
    pub(crate) graph: StateGraph,
    pub(crate) slas: Box<[Sla]>,
    pub(crate) handling: Option<crate::workflow::handling::Handling>,
}

/// The outcome of checking a definition that has no errors.
#[derive(Debug)]
pub struct Compiled {
    /// The workflow.
    pub workflow: Workflow,
    /// Non-fatal problems.
    pub warnings: Vec<Diagnostic>,
}

impl Workflow {
    /// Checks a definition and compiles it.
    ///
    /// Every problem is reported at once, each with a path into the document.
    ///
    /// # Errors
    /// [`InvalidDefinition`] listing every error (and the warnings) when the definition is not
    /// valid.
    pub fn compile(def: WorkflowDef) -> Result<Compiled, InvalidDefinition> {
        Workflow::compile_with(def, &Limits::default())
    }

    /// [`Workflow::compile`] under the given limits on the numbers of states, transitions,
    /// fields, roles and SLA rules, and on guard depth.
    ///
    /// # Errors
    /// As [`Workflow::compile`]; `definition.too_many` and `definition.guard_too_deep` past the
    /// limits.
    pub fn compile_with(def: WorkflowDef, limits: &Limits) -> Result<Compiled, InvalidDefinition> {
        compile::compile(def, limits)
    }

    /// The workflow id.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The workflow version.
    pub fn version(&self) -> u32 {
        self.def.version
    }

    /// The definition it was compiled from.
    pub fn definition(&self) -> &WorkflowDef {
        &self.def
    }

    /// The compiled `handling` section.
    pub(crate) fn handling(&self) -> Option<&crate::workflow::handling::Handling> {
        self.handling.as_ref()
    }

    /// The id of the initial state.
    pub fn initial_state(&self) -> &str {
        self.state_id(self.initial)
    }

    pub(crate) fn state_id(&self, ix: u16) -> &str {
        self.states.get(usize::from(ix)).map_or("", |s| &s.id)
    }

    pub(crate) fn state_index(&self, id: &str) -> Option<u16> {
        self.states
            .iter()
            .position(|s| &*s.id == id)
            .and_then(|i| u16::try_from(i).ok())
    }

    pub(crate) fn is_terminal(&self, ix: u16) -> bool {
        self.states.get(usize::from(ix)).is_some_and(|s| s.terminal)
    }

    pub(crate) fn state_title(&self, ix: u16) -> Option<&str> {
        self.def
            .states
            .get(usize::from(ix))
            .and_then(|s| s.title.as_deref())
    }

    pub(crate) fn state_category(&self, ix: u16) -> Option<&str> {
        self.def
            .states
            .get(usize::from(ix))
            .and_then(|s| s.category.as_deref())
    }

    pub(crate) fn transition(&self, ix: u16) -> Option<&Transition> {
        self.transitions.get(usize::from(ix))
    }

    pub(crate) fn transition_id(&self, ix: u16) -> &str {
        self.transition(ix).map_or("", |t| &t.id)
    }

    pub(crate) fn transition_title(&self, ix: u16) -> Option<&str> {
        self.def
            .transitions
            .get(usize::from(ix))
            .and_then(|t| t.title.as_deref())
    }

    pub(crate) fn transition_index(&self, id: &str) -> Option<u16> {
        self.transition_index.get(id).copied()
    }

    pub(crate) fn field_index(&self, id: &str) -> Option<u16> {
        self.field_index.get(id).copied()
    }

    pub(crate) fn field(&self, ix: u16) -> Option<&Field> {
        self.fields.get(usize::from(ix))
    }

    pub(crate) fn outgoing(&self, state: u16) -> &[u16] {
        self.outgoing.get(usize::from(state)).map_or(&[], |o| o)
    }

    /// The role set (bit `i` = role `i`) of a list of role names; unknown names are dropped,
    /// since no transition or guard can refer to them.
    pub(crate) fn role_mask<S: AsRef<str>>(&self, roles: &[S]) -> u64 {
        roles.iter().fold(0, |mask, r| {
            self.roles
                .iter()
                .position(|known| &**known == r.as_ref())
                .map_or(mask, |i| mask | (1u64 << i))
        })
    }

    pub(crate) fn role_names(&self, mask: u64) -> Vec<String> {
        self.roles
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1u64 << i) != 0)
            .map(|(_, r)| r.to_string())
            .collect()
    }
}

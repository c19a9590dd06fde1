//! The compiler: a definition checked whole (ids, references, guards, SLA rules, handling,
//! disclosure, the graph), every problem reported with its path, then interned to indices.

use super::*;

/// Everything compiled, waiting for the definition to be moved in.
struct Parts {
    fields: Vec<Field>,
    roles: Vec<Box<str>>,
    states: Vec<State>,
    initial: u16,
    transitions: Vec<Transition>,
    outgoing: Vec<Vec<u16>>,
    graph: StateGraph,
    slas: Vec<Sla>,
    handling: Option<crate::workflow::handling::Handling>,
}

impl Parts {
    fn finish(self, def: WorkflowDef) -> Workflow {
        let transition_index = self
            .transitions
            .iter()
            .zip(0u16..)
            .map(|(t, i)| (t.id.clone(), i))
            .collect();
        let field_index = self
            .fields
            .iter()
            .zip(0u16..)
            .map(|(f, i)| (f.id.clone(), i))
            .collect();
        Workflow {
            def,
            fields: self.fields.into(),
            roles: self.roles.into(),
            states: self.states.into(),
            initial: self.initial,
            transitions: self.transitions.into(),
            outgoing: self.outgoing.into_iter().map(Into::into).collect(),
            transition_index,
            field_index,
            graph: self.graph,
            slas: self.slas.into(),
            handling: self.handling,
        }
    }
}

/// Checks a definition under `limits` and compiles it (see [`Workflow::compile_with`]).
pub(super) fn compile(def: WorkflowDef, limits: &Limits) -> Result<Compiled, InvalidDefinition> {
    let mut c = Checker {
        out: Vec::new(),
        limits: limits.clone(),
    };
    let compiled = c.run(&def);
    let (errors, warnings): (Vec<_>, Vec<_>) =
        c.out.into_iter().partition(|d| !d.error.is_warning());
    match compiled {
        Some(parts) if errors.is_empty() => Ok(Compiled {
            workflow: parts.finish(def),
            warnings,
        }),
        _ => Err(InvalidDefinition { errors, warnings }),
    }
}

struct Checker {
    out: Vec<Diagnostic>,
    limits: Limits,
}

impl Checker {
    fn push(&mut self, error: E, path: String) {
        self.out.push(Diagnostic::new(error, path));
    }

    fn push_help(&mut self, error: E, path: String, help: String) {
        let mut d = Diagnostic::new(error, path);
        d.help = Some(help);
        self.out.push(d);
    }

    fn errors(&self) -> usize {
        self.out.iter().filter(|d| !d.error.is_warning()).count()
    }

    /// Checks an id and its uniqueness within `seen`; returns whether it is new.
    fn id<'a>(
        &mut self,
        kind: &'static str,
        id: &'a str,
        path: String,
        seen: &mut FxMap<&'a str, ()>,
    ) -> bool {
        if let Some(reason) = bad_symbol(id) {
            self.push(
                E::InvalidId {
                    id: id.to_owned(),
                    reason,
                },
                path,
            );
            return false;
        }
        if seen.insert(id, ()).is_some() {
            self.push(
                E::DuplicateId {
                    kind,
                    id: id.to_owned(),
                },
                path,
            );
            return false;
        }
        true
    }

    fn run(&mut self, def: &WorkflowDef) -> Option<Parts> {
        if def.format != DEFINITION_FORMAT {
            self.push_help(
                E::UnsupportedFormat { found: def.format },
                "/format".into(),
                format!("this library reads format {DEFINITION_FORMAT}"),
            );
            return None;
        }
        if let Some(reason) = bad_document_id(&def.id) {
            self.push(
                E::InvalidId {
                    id: def.id.clone(),
                    reason,
                },
                "/id".into(),
            );
        }
        if def.title.trim().is_empty() {
            self.push(
                E::MissingTitle {
                    kind: "workflow",
                    id: def.id.clone(),
                },
                "/title".into(),
            );
        }
        // Past a size limit, stop: checking a huge document in full is what the limit prevents.
        let mut too_big = false;
        for (what, count, max) in [
            ("states", def.states.len(), self.limits.max_states),
            (
                "transitions",
                def.transitions.len(),
                self.limits.max_transitions,
            ),
            ("fields", def.fields.len(), self.limits.max_fields),
            ("roles", def.roles.len(), self.limits.max_roles),
            ("slas", def.slas.len(), self.limits.max_sla_rules),
        ] {
            if count > max {
                self.push(E::TooMany { what, count, max }, format!("/{what}"));
                too_big = true;
            }
        }
        if too_big {
            return None;
        }

        let roles = self.roles(def);
        let fields = self.fields(def);
        let (states, initial) = self.states(def);
        let transitions = self.transitions(def, &roles, &fields, &states);

        // Graph analysis needs a sound graph: skip it when states or transitions are broken.
        let (initial, mut transitions) = (initial?, transitions?);
        if !states.iter().any(|s| s.terminal) {
            self.push(E::NoTerminalState, "/states".into());
            return None;
        }
        let mut outgoing = vec![Vec::new(); states.len()];
        let mut edges = Vec::new();
        for (t_ix, t) in (0u16..).zip(&def.transitions) {
            for from in expand_from(&t.from, &def.transitions, &states, t_ix) {
                if let Some(list) = outgoing.get_mut(usize::from(from)) {
                    list.push(t_ix);
                }
                if let Some(to) = transitions.get(usize::from(t_ix)).map(|t| t.to) {
                    edges.push((from, to, t_ix));
                }
            }
        }
        let graph = StateGraph::new(states.len(), &edges);
        for problem in graph::analyse(&graph, &states, initial) {
            let (error, ix) = problem;
            self.push(error, format!("/states/{ix}"));
        }
        let cx = crate::workflow::sla::Context {
            states: &states,
            transitions: &transitions,
            fields: &fields,
            roles: &roles,
            initial,
            graph: &graph,
            workflow: &def.id,
            handling: def.handling.as_ref(),
            max_guard_depth: self.limits.max_guard_depth,
        };
        let slas = crate::workflow::sla::compile(&def.slas, &cx, &mut self.out);
        for ((i, t), compiled) in def.transitions.iter().enumerate().zip(&mut transitions) {
            let Some(id) = &t.within else { continue };
            compiled.within = (0u16..)
                .zip(&def.slas)
                .find(|(_, s)| s.id == *id)
                .map(|(i, _)| i);
            if compiled.within.is_none() {
                let mut d = Diagnostic::new(
                    E::UnknownSla { id: id.clone() },
                    format!("/transitions/{i}/within"),
                );
                d.help = Some(declared("SLA rules", def.slas.iter().map(|s| &s.id)));
                self.out.push(d);
            }
        }
        let actions: Vec<_> = def.transitions.iter().map(|t| t.action).collect();
        let handling = crate::workflow::handling::compile(
            def.handling.as_ref(),
            &actions,
            &fields,
            (&states, &transitions),
            &mut self.out,
        );
        for (i, s) in def.slas.iter().enumerate() {
            for (j, b) in s.on_breach.iter().enumerate() {
                let due = def
                    .handling
                    .as_ref()
                    .is_some_and(|h| h.supervision_due.is_some());
                if b.supervise.is_some() && !due {
                    let error = E::ActionNeedsSection {
                        action: "supervise",
                        section: "handling.supervision_due",
                    };
                    self.push(error, format!("/slas/{i}/on_breach/{j}/supervise"));
                }
            }
        }
        // Roles named by SLA rules (extension approvers, people notified) are used too.
        let sla_roles = sla_role_names(def);
        for (i, role) in roles.iter().enumerate() {
            let in_sla = sla_roles.iter().any(|r| **r == **role);
            if !in_sla && !transitions.iter().any(|t| t.roles & (1u64 << i) != 0) {
                self.push(
                    E::UnusedRole {
                        role: role.to_string(),
                    },
                    format!("/roles/{i}"),
                );
            }
        }
        Some(Parts {
            fields,
            roles,
            states,
            initial,
            transitions,
            outgoing,
            graph,
            slas,
            handling,
        })
    }

    fn roles(&mut self, def: &WorkflowDef) -> Vec<Box<str>> {
        let mut seen = FxMap::default();
        let mut roles = Vec::new();
        for (i, r) in def.roles.iter().enumerate() {
            if self.id("role id", &r.id, format!("/roles/{i}/id"), &mut seen) {
                roles.push(r.id.as_str().into());
            }
        }
        roles
    }

    /// Checks a field's visibility, mask and scrub, and compiles how public views show it.
    fn disclosure(
        &mut self,
        f: &crate::workflow::definition::FieldDef,
        path: &str,
    ) -> (Option<Publish>, Option<crate::mask::Mask>) {
        use crate::mask::{Mask, MAX_KEEP};
        use crate::workflow::definition::Visibility;
        let texty = matches!(f.kind, FieldKind::String | FieldKind::Text);
        let field = || f.id.clone();
        match f.mask {
            Some(_) if !f.personal => {
                self.push(
                    E::MaskNotPersonal { field: field() },
                    format!("{path}/mask"),
                );
            }
            Some(Mask::Redact) | None => {}
            Some(_) if !texty => self.push(
                E::InvalidMask {
                    field: field(),
                    reason: format!(
                        "masking rules apply to `string` and `text` fields, not `{}`; use `redact`",
                        f.kind
                    ),
                },
                format!("{path}/mask"),
            ),
            Some(Mask::Keep { start, end }) if start > MAX_KEEP || end > MAX_KEEP => self.push(
                E::InvalidMask {
                    field: field(),
                    reason: format!(
                        "a custom mask keeps at most {MAX_KEEP} characters at each end"
                    ),
                },
                format!("{path}/mask"),
            ),
            Some(_) => {}
        }
        if f.scrub {
            let reason = if f.personal {
                Some("a personal field is masked whole")
            } else if !texty && f.kind != FieldKind::List {
                Some("only `string`, `text` and `list` fields hold free text")
            } else {
                None
            };
            if let Some(reason) = reason {
                let error = E::ScrubField {
                    field: field(),
                    kind: f.kind,
                    reason,
                };
                self.push(error, format!("{path}/scrub"));
            }
        }
        let personal = f.personal.then(|| f.mask.unwrap_or_default());
        let public = match f.visibility {
            Visibility::Public if f.personal => Some(Publish::Masked),
            Visibility::Public => Some(Publish::Text { scrub: f.scrub }),
            Visibility::Internal | Visibility::Confidential => None,
        };
        // A confidential value is withheld (`***`) in public texts that quote it, personal or
        // not.
        let personal = match f.visibility {
            Visibility::Confidential => Some(Mask::Redact),
            _ => personal,
        };
        (public, personal)
    }

    fn fields(&mut self, def: &WorkflowDef) -> Vec<Field> {
        let mut seen = FxMap::default();
        let mut fields = Vec::new();
        for (i, f) in def.fields.iter().enumerate() {
            let path = format!("/fields/{i}");
            let fresh = self.id("field id", &f.id, format!("{path}/id"), &mut seen);
            let values = match (&f.values, f.kind) {
                (Some(values), FieldKind::Enum) if values.is_empty() => {
                    self.push(
                        E::EmptyEnum {
                            field: f.id.clone(),
                        },
                        format!("{path}/values"),
                    );
                    Vec::new()
                }
                (None, FieldKind::Enum) => {
                    self.push(
                        E::EmptyEnum {
                            field: f.id.clone(),
                        },
                        path.clone(),
                    );
                    Vec::new()
                }
                (Some(values), FieldKind::Enum) => {
                    let mut seen_values = FxMap::default();
                    for (j, v) in values.iter().enumerate() {
                        if seen_values.insert(v.as_str(), ()).is_some() {
                            self.push(
                                E::DuplicateId {
                                    kind: "enum value",
                                    id: v.clone(),
                                },
                                format!("{path}/values/{j}"),
                            );
                        }
                    }
                    values.iter().map(|v| v.as_str().into()).collect()
                }
                (Some(_), kind) => {
                    self.push(
                        E::UnexpectedValues {
                            field: f.id.clone(),
                            kind,
                        },
                        format!("{path}/values"),
                    );
                    Vec::new()
                }
                (None, _) => Vec::new(),
            };
            let (public, personal) = self.disclosure(f, &path);
            if fresh {
                fields.push(Field {
                    id: f.id.as_str().into(),
                    kind: f.kind,
                    values: values.into(),
                    required: f.required,
                    public,
                    personal,
                });
            }
        }
        fields
    }

    fn states(&mut self, def: &WorkflowDef) -> (Vec<State>, Option<u16>) {
        let mut seen = FxMap::default();
        let mut states = Vec::new();
        let mut initial: Option<(u16, &str)> = None;
        let mut broken = false;
        let mut any_initial = false;
        for (i, s) in def.states.iter().enumerate() {
            let path = format!("/states/{i}");
            if !self.id("state id", &s.id, format!("{path}/id"), &mut seen) {
                // Its `initial` flag still counts, or a bad id would also read as "no initial".
                broken = true;
                any_initial |= s.initial;
                continue;
            }
            let ix = u16::try_from(states.len()).unwrap_or(u16::MAX);
            if s.initial {
                match initial {
                    Some((_, first)) => {
                        self.push(
                            E::MultipleInitialStates {
                                id: s.id.clone(),
                                first: first.to_owned(),
                            },
                            format!("{path}/initial"),
                        );
                        broken = true;
                    }
                    None => initial = Some((ix, &s.id)),
                }
            }
            if untitled(&s.title) {
                self.push(
                    E::MissingTitle {
                        kind: "state",
                        id: s.id.clone(),
                    },
                    path,
                );
            }
            states.push(State {
                id: s.id.as_str().into(),
                terminal: s.terminal,
            });
        }
        if initial.is_none() && !any_initial {
            self.push(E::NoInitialState, "/states".into());
        }
        // State indices must match definition indices, or paths and titles would drift.
        let initial = if broken {
            None
        } else {
            initial.map(|(ix, _)| ix)
        };
        (states, initial)
    }

    fn transitions(
        &mut self,
        def: &WorkflowDef,
        roles: &[Box<str>],
        fields: &[Field],
        states: &[State],
    ) -> Option<Vec<Transition>> {
        let before = self.errors();
        let mut seen = FxMap::default();
        let mut out = Vec::new();
        let syms = Symbols {
            fields,
            roles,
            workflow: &def.id,
            handling: def.handling.as_ref(),
            max_depth: self.limits.max_guard_depth,
        };
        let state_ix = |id: &str| {
            states
                .iter()
                .position(|s| &*s.id == id)
                .and_then(|i| u16::try_from(i).ok())
        };
        let field_ix = |id: &str| {
            fields
                .iter()
                .position(|f| &*f.id == id)
                .and_then(|i| u16::try_from(i).ok())
        };
        for (i, t) in def.transitions.iter().enumerate() {
            let path = format!("/transitions/{i}");
            self.id("transition id", &t.id, format!("{path}/id"), &mut seen);
            if untitled(&t.title) {
                self.push(
                    E::MissingTitle {
                        kind: "transition",
                        id: t.id.clone(),
                    },
                    path.clone(),
                );
            }
            let lists = [
                ("from", from_list(&t.from)),
                ("roles", &t.roles[..]),
                ("requires", &t.requires[..]),
                ("set", &t.set[..]),
            ];
            for (key, list) in lists {
                self.repeats(key, list, &path);
            }
            match &t.from {
                FromStates::States(list) if list.is_empty() => {
                    self.push(
                        E::EmptyFrom {
                            transition: t.id.clone(),
                        },
                        format!("{path}/from"),
                    );
                }
                FromStates::States(list) => {
                    for (j, s) in list.iter().enumerate() {
                        match state_ix(s) {
                            None => self.unknown_state(s, format!("{path}/from/{j}"), states),
                            Some(ix)
                                if states.get(usize::from(ix)).is_some_and(|st| st.terminal) =>
                            {
                                self.push(
                                    E::TransitionFromTerminal {
                                        transition: t.id.clone(),
                                        state: s.clone(),
                                    },
                                    format!("{path}/from/{j}"),
                                );
                            }
                            Some(_) => {}
                        }
                    }
                }
                FromStates::AnyOpen => {
                    if !states.iter().any(|s| !s.terminal && *s.id != *t.to) {
                        self.push(
                            E::EmptyFrom {
                                transition: t.id.clone(),
                            },
                            format!("{path}/from"),
                        );
                    }
                }
            }
            let to = state_ix(&t.to);
            if to.is_none() {
                self.unknown_state(&t.to, format!("{path}/to"), states);
            }
            if t.roles.is_empty() {
                self.push(
                    E::EmptyRoles {
                        transition: t.id.clone(),
                    },
                    format!("{path}/roles"),
                );
            }
            let mut mask = 0u64;
            for (j, r) in t.roles.iter().enumerate() {
                match roles.iter().position(|known| **known == *r) {
                    Some(bit) => mask |= 1u64 << bit,
                    None => self.push_help(
                        E::UnknownRole { id: r.clone() },
                        format!("{path}/roles/{j}"),
                        declared("roles", roles.iter()),
                    ),
                }
            }
            let guard = t
                .guard
                .as_ref()
                .and_then(|g| guard::compile(g, &syms, &format!("{path}/guard"), &mut self.out));
            let mut field_list = |key: &str, ids: &[String]| -> Vec<u16> {
                let mut list = Vec::new();
                for (j, f) in ids.iter().enumerate() {
                    match field_ix(f) {
                        Some(ix) => list.push(ix),
                        None => self.push_help(
                            E::UnknownField { id: f.clone() },
                            format!("{path}/{key}/{j}"),
                            declared("fields", fields.iter().map(|f| &f.id)),
                        ),
                    }
                }
                list
            };
            let requires = field_list("requires", &t.requires);
            let set = field_list("set", &t.set);
            if t.notify_citizen && !def.citizen {
                let message = format!(
                    "transition `{}` tells the citizen, but the workflow has none (`citizen`: false)",
                    t.id
                );
                self.push(E::Invalid { message }, format!("{path}/notify_citizen"));
            }
            let publish = t.publish.as_deref().and_then(|id| {
                let ix = field_ix(id);
                let path = format!("{path}/publish");
                match ix.and_then(|ix| fields.get(usize::from(ix))) {
                    None => self.push_help(
                        E::UnknownField { id: id.to_owned() },
                        path,
                        declared("fields", fields.iter().map(|f| &f.id)),
                    ),
                    Some(f) if f.kind != FieldKind::List => {
                        let message = format!(
                            "`publish` names the channels' field, a list; `{id}` is of type `{}`",
                            f.kind
                        );
                        self.push(E::Invalid { message }, path);
                    }
                    Some(_) => return ix,
                }
                None
            });
            out.push(Transition {
                id: t.id.as_str().into(),
                to: to.unwrap_or(0),
                roles: mask,
                guard,
                requires: requires.into(),
                set: set.into(),
                action: t.action,
                within: None,
                notify_citizen: t.notify_citizen,
                publish,
            });
        }
        (self.errors() == before).then_some(out)
    }

    /// Reports entries named twice in one of a transition's lists.
    fn repeats(&mut self, list: &'static str, items: &[String], path: &str) {
        for (j, item) in items.iter().enumerate() {
            if items.iter().take(j).any(|earlier| earlier == item) {
                let error = E::RepeatedEntry {
                    list,
                    id: item.clone(),
                };
                self.push(error, format!("{path}/{list}/{j}"));
            }
        }
    }

    fn unknown_state(&mut self, id: &str, path: String, states: &[State]) {
        self.push_help(
            E::UnknownState { id: id.to_owned() },
            path,
            declared("states", states.iter().map(|s| &s.id)),
        );
    }
}

/// The source states of transition `t_ix`: a wildcard means every non-terminal state except the
/// target, so `"*" -> escalated` never loops on `escalated`.
fn expand_from(
    from: &FromStates,
    defs: &[crate::workflow::definition::TransitionDef],
    states: &[State],
    t_ix: u16,
) -> Vec<u16> {
    match from {
        FromStates::States(list) => list
            .iter()
            .filter_map(|s| states.iter().position(|st| *st.id == **s))
            .filter_map(|i| u16::try_from(i).ok())
            .collect(),
        FromStates::AnyOpen => {
            let to = defs
                .get(usize::from(t_ix))
                .map(|t| t.to.as_str())
                .unwrap_or("");
            (0u16..)
                .zip(states)
                .filter(|(_, s)| !s.terminal && &*s.id != to)
                .map(|(i, _)| i)
                .collect()
        }
    }
}

fn sla_role_names(def: &WorkflowDef) -> Vec<&String> {
    let mut names = Vec::new();
    for s in &def.slas {
        names.extend(s.warnings.iter().flat_map(|w| &w.notify));
        names.extend(s.on_breach.iter().flat_map(|b| &b.notify));
        names.extend(s.extension.iter().flat_map(|x| &x.roles));
    }
    names
}

fn untitled(title: &Option<String>) -> bool {
    title.as_deref().is_none_or(|t| t.trim().is_empty())
}

fn from_list(from: &FromStates) -> &[String] {
    match from {
        FromStates::AnyOpen => &[],
        FromStates::States(list) => list,
    }
}

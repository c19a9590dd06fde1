//! SLA rules in workflow definitions (`"slas": [...]`): when a clock starts, stops and pauses,
//! its target, warnings, breach ladder and extension policy. See `docs/sla.md`.

use serde::{Deserialize, Serialize};

use crate::calendar::working_time::{Duration, DurationDef};
use crate::workflow::guard::{Guard, GuardDef};

/// An SLA rule as written in a definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SlaDef {
    /// Rule id.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The regulation or policy it implements, such as `信访工作条例 第三十四条`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The calendar it counts on.
    pub calendar: String,
    /// When the clock starts.
    pub start: TriggerDef,
    /// When it stops (met or breached).
    pub stop: TriggerDef,
    /// States in which the clock does not run (waiting for the citizen, a hearing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pause: Vec<String>,
    /// The first entry whose `when` holds when the clock starts gives the target.
    pub target: Vec<TargetDef>,
    /// Warnings before the deadline; each fires once per clock cycle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<WarningDef>,
    /// Escalation steps at and after the deadline; each fires once per clock cycle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_breach: Vec<BreachDef>,
    /// Who may extend the deadline, how often and by how much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionDef>,
    /// What a start after a stop does: a fresh clock, or continue the old one.
    #[serde(default)]
    pub reentry: Reentry,
    /// What the clock counts from: its start (default), or the case's opening, for a limit
    /// that runs from the discovery of a matter but whose target depends on a later decision
    /// (国办发〔2016〕80号: the grade of a 舆情 sets the limit, counted from the 舆情 itself).
    #[serde(default, skip_serializing_if = "Since::is_start")]
    pub since: Since,
}

/// What a clock counts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Since {
    /// The event that starts it.
    #[default]
    Start,
    /// The case's opening, whenever the clock starts.
    Open,
}

impl Since {
    fn is_start(&self) -> bool {
        *self == Since::Start
    }
}

/// Events that start or stop a clock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct TriggerDef {
    /// When the case is opened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_open: bool,
    /// When the case enters one of these states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enter: Vec<String>,
    /// When one of these transitions is taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<String>,
}

/// One possible target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct TargetDef {
    /// Condition on the case and the actor at the start; none = always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<GuardDef>,
    /// The time allowed.
    pub duration: DurationDef,
}

/// A warning: `before` the deadline by a duration, or at a `fraction` of the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct WarningDef {
    /// Warning id.
    pub id: String,
    /// How long before the deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<DurationDef>,
    /// Or: at this fraction of the target used, strictly between 0 and 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Roles to notify.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
}

/// An escalation step at or after the deadline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct BreachDef {
    /// Step id.
    pub id: String,
    /// How long after the deadline; at the deadline when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<DurationDef>,
    /// Escalation level (supervision climbs with it).
    #[serde(default)]
    pub level: u32,
    /// Roles to notify.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
    /// A transition the system actor takes, when it leaves the case's state then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<String>,
    /// Labels recorded on the event, such as `overdue` or `通报`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// Raise a supervision of this level, by the unit one level further up the tree than the
    /// previous automatic supervision of the case (the handling unit's parent first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervise: Option<crate::org::handling::Level>,
}

/// Extension policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ExtensionDef {
    /// Roles that may approve an extension.
    pub roles: Vec<String>,
    /// Most extensions per clock cycle.
    pub max_count: u32,
    /// Most total extension per clock cycle; extensions use its unit, which must be the
    /// target's.
    pub max_total: DurationDef,
    /// Whether an extension needs a reason (信访工作条例 art. 34: the petitioner must be told why).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reason_required: bool,
}

/// What a start after a stop does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Reentry {
    /// A fresh clock: new start, new target, no extensions, warnings fire again.
    #[default]
    Restart,
    /// Continue the stopped clock: the time it was stopped counts as paused.
    Resume,
}

/// When a warning fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum WarnAt {
    Before(Duration),
    Fraction(f64),
}

/// A compiled SLA rule, its states and transitions interned.
#[derive(Clone, Debug)]
pub(crate) struct Sla {
    pub id: Box<str>,
    pub calendar: Box<str>,
    pub start_on_open: bool,
    pub start_enter: Box<[u16]>,
    pub start_transitions: Box<[u16]>,
    pub stop_enter: Box<[u16]>,
    pub stop_transitions: Box<[u16]>,
    pub pause: Box<[u16]>,
    pub targets: Box<[(Option<Guard>, Duration)]>,
    pub warnings: Box<[(Box<str>, WarnAt)]>,
    pub breach: Box<[Breach]>,
    pub extension: Option<Extension>,
    pub reentry: Reentry,
    pub since: Since,
}

#[derive(Clone, Debug)]
pub(crate) struct Breach {
    pub id: Box<str>,
    pub after: Option<Duration>,
    pub transition: Option<u16>,
    pub supervise: Option<crate::org::handling::Level>,
}

#[derive(Clone, Debug)]
pub(crate) struct Extension {
    pub roles: u64,
    pub max_count: u32,
    pub max_total: Duration,
    pub reason_required: bool,
}

/// Longest warning list or breach ladder of one rule: fired steps are a 64-bit set.
pub const MAX_SLA_STEPS: usize = 64;

/// The amount of a duration in its own unit: days for day-based bases, else milliseconds.
pub(crate) fn amount(d: Duration) -> i64 {
    match d {
        Duration::Calendar(ms) | Duration::WorkingTime(ms) => ms,
        Duration::NaturalDays { days, .. } => days,
        Duration::WorkingDays(days) => days,
    }
}

/// `d` made longer by `extra` of its own unit.
pub(crate) fn lengthen(d: Duration, extra: i64) -> Duration {
    match d {
        Duration::Calendar(ms) => Duration::Calendar(ms + extra),
        Duration::WorkingTime(ms) => Duration::WorkingTime(ms + extra),
        Duration::NaturalDays { days, roll_forward } => Duration::NaturalDays {
            days: days + extra,
            roll_forward,
        },
        Duration::WorkingDays(days) => Duration::WorkingDays(days + extra),
    }
}

/// Whether two durations count in the same unit, so one can extend the other.
pub(crate) fn same_basis(a: Duration, b: Duration) -> bool {
    a.basis() == b.basis()
}

/// What SLA checking needs to know about the rest of the workflow.
pub(crate) struct Context<'a> {
    pub states: &'a [crate::workflow::State],
    pub transitions: &'a [crate::workflow::Transition],
    pub fields: &'a [crate::workflow::Field],
    pub roles: &'a [Box<str>],
    pub initial: u16,
    pub graph: &'a crate::workflow::graph::StateGraph,
    pub workflow: &'a str,
    pub handling: Option<&'a crate::workflow::handling::HandlingDef>,
    pub max_guard_depth: usize,
}

use crate::workflow::{DefinitionError as E, Diagnostic};

fn diag(out: &mut Vec<Diagnostic>, error: E, path: String) {
    out.push(Diagnostic::new(error, path));
}

fn duration(def: &DurationDef, path: String, out: &mut Vec<Diagnostic>) -> Option<Duration> {
    match def.duration() {
        Ok(d) => Some(d),
        Err(reason) => {
            diag(out, E::InvalidDuration { reason }, path);
            None
        }
    }
}

/// Checks and compiles the rules; every problem goes to `out`, in document order.
pub(crate) fn compile(defs: &[SlaDef], cx: &Context<'_>, out: &mut Vec<Diagnostic>) -> Vec<Sla> {
    let syms = crate::workflow::guard::Symbols {
        fields: cx.fields,
        roles: cx.roles,
        workflow: cx.workflow,
        handling: cx.handling,
        max_depth: cx.max_guard_depth,
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let p = format!("/slas/{i}");
        if seen.contains(&d.id.as_str()) {
            let id = d.id.clone();
            diag(
                out,
                E::DuplicateId { kind: "sla id", id },
                format!("{p}/id"),
            );
        }
        seen.push(&d.id);
        check_triggers(d, &p, out);
        let start_enter = states(cx, &d.start.enter, &format!("{p}/start/enter"), out);
        let start_transitions = transitions(
            cx,
            &d.start.transitions,
            &format!("{p}/start/transitions"),
            out,
        );
        let stop_enter = states(cx, &d.stop.enter, &format!("{p}/stop/enter"), out);
        let stop_transitions = transitions(
            cx,
            &d.stop.transitions,
            &format!("{p}/stop/transitions"),
            out,
        );
        let pause = states(cx, &d.pause, &format!("{p}/pause"), out);
        let targets = targets(d, &p, &syms, out);
        if d.warnings.len() > MAX_SLA_STEPS || d.on_breach.len() > MAX_SLA_STEPS {
            let count = d.warnings.len().max(d.on_breach.len());
            let what = "warnings or breach steps";
            let max = MAX_SLA_STEPS;
            diag(out, E::TooMany { what, count, max }, p.clone());
        }
        let mut step_ids: Vec<&str> = Vec::new();
        let warnings = warnings(d, &p, cx, &mut step_ids, out);
        let breach = breach_steps(d, &p, cx, &mut step_ids, out);
        let extension = d
            .extension
            .as_ref()
            .and_then(|x| extension(d, x, &format!("{p}/extension"), cx, &targets, out));
        rules.push(Sla {
            id: d.id.as_str().into(),
            calendar: d.calendar.as_str().into(),
            start_on_open: d.start.on_open,
            start_enter: start_enter.into(),
            start_transitions: start_transitions.into(),
            stop_enter: stop_enter.into(),
            stop_transitions: stop_transitions.into(),
            pause: pause.into(),
            targets: targets.into(),
            warnings: warnings.into(),
            breach: breach.into(),
            extension,
            reentry: d.reentry,
            since: d.since,
        });
    }
    feasibility(&rules, cx, out);
    rules
}

/// A rule must start and stop on something, and cannot stop as the case opens.
fn check_triggers(d: &SlaDef, p: &str, out: &mut Vec<Diagnostic>) {
    for (which, trigger) in [("start", &d.start), ("stop", &d.stop)] {
        if !trigger.on_open && trigger.enter.is_empty() && trigger.transitions.is_empty() {
            let sla = d.id.clone();
            diag(out, E::EmptyTrigger { sla, which }, format!("{p}/{which}"));
        }
    }
    if d.stop.on_open {
        let sla = d.id.clone();
        let which = "stop";
        diag(
            out,
            E::EmptyTrigger { sla, which },
            format!("{p}/stop/on_open"),
        );
    }
}

fn state_index(cx: &Context<'_>, id: &str) -> Option<u16> {
    let i = cx.states.iter().position(|s| &*s.id == id)?;
    u16::try_from(i).ok()
}

fn transition_index(cx: &Context<'_>, id: &str) -> Option<u16> {
    let i = cx.transitions.iter().position(|t| &*t.id == id)?;
    u16::try_from(i).ok()
}

/// The states of `list`, each unknown one reported at `path/<j>`.
fn states(cx: &Context<'_>, list: &[String], path: &str, out: &mut Vec<Diagnostic>) -> Vec<u16> {
    let mut ixs = Vec::new();
    for (j, s) in list.iter().enumerate() {
        match state_index(cx, s) {
            Some(ix) => ixs.push(ix),
            None => diag(
                out,
                E::UnknownState { id: s.clone() },
                format!("{path}/{j}"),
            ),
        }
    }
    ixs
}

/// The transitions of `list`, each unknown one reported at `path/<j>`.
fn transitions(
    cx: &Context<'_>,
    list: &[String],
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Vec<u16> {
    let mut ixs = Vec::new();
    for (j, t) in list.iter().enumerate() {
        match transition_index(cx, t) {
            Some(ix) => ixs.push(ix),
            None => diag(
                out,
                E::UnknownTransition { id: t.clone() },
                format!("{path}/{j}"),
            ),
        }
    }
    ixs
}

/// The targets, each with its guard; at least one, each longer than zero.
fn targets(
    d: &SlaDef,
    p: &str,
    syms: &crate::workflow::guard::Symbols<'_>,
    out: &mut Vec<Diagnostic>,
) -> Vec<(Option<Guard>, Duration)> {
    if d.target.is_empty() {
        diag(
            out,
            E::NoTarget { sla: d.id.clone() },
            format!("{p}/target"),
        );
    }
    let mut targets = Vec::new();
    for (j, t) in d.target.iter().enumerate() {
        let guard = t.when.as_ref().and_then(|g| {
            crate::workflow::guard::compile(g, syms, &format!("{p}/target/{j}/when"), out)
        });
        let path = format!("{p}/target/{j}/duration");
        if let Some(dur) = duration(&t.duration, path.clone(), out) {
            // A zero-length limit is due the instant it starts; with a breach transition that
            // restarts it, `fire_due` could never catch up.
            if amount(dur) == 0 && !matches!(dur, Duration::NaturalDays { .. }) {
                let reason = "a target is longer than zero";
                diag(out, E::InvalidDuration { reason }, path);
            } else {
                targets.push((guard, dur));
            }
        }
    }
    targets
}

/// A warning or breach step id, unique among the rule's steps.
fn step_id<'a>(
    id: &'a str,
    kind: &'static str,
    path: &str,
    seen: &mut Vec<&'a str>,
    out: &mut Vec<Diagnostic>,
) {
    if seen.contains(&id) {
        let id = id.to_owned();
        diag(out, E::DuplicateId { kind, id }, format!("{path}/id"));
    }
    seen.push(id);
}

/// The warnings: each before the limit by a duration, or at a fraction of it.
fn warnings<'a>(
    d: &'a SlaDef,
    p: &str,
    cx: &Context<'_>,
    step_ids: &mut Vec<&'a str>,
    out: &mut Vec<Diagnostic>,
) -> Vec<(Box<str>, WarnAt)> {
    let mut warnings = Vec::new();
    for (j, w) in d.warnings.iter().enumerate() {
        let wp = format!("{p}/warnings/{j}");
        step_id(&w.id, "warning id", &wp, step_ids, out);
        check_roles(&w.notify, &format!("{wp}/notify"), cx, out);
        let at = match (&w.before, w.fraction) {
            (Some(b), None) => duration(b, format!("{wp}/before"), out).map(WarnAt::Before),
            (None, Some(f)) if f > 0.0 && f < 1.0 => Some(WarnAt::Fraction(f)),
            _ => {
                diag(out, E::InvalidWarning { id: w.id.clone() }, wp);
                None
            }
        };
        if let Some(at) = at {
            warnings.push((w.id.as_str().into(), at));
        }
    }
    warnings
}

/// The breach ladder: each step after a delay, with an optional transition that takes no
/// payload (the engine takes it) and supervision.
fn breach_steps<'a>(
    d: &'a SlaDef,
    p: &str,
    cx: &Context<'_>,
    step_ids: &mut Vec<&'a str>,
    out: &mut Vec<Diagnostic>,
) -> Vec<Breach> {
    let mut breach = Vec::new();
    for (j, b) in d.on_breach.iter().enumerate() {
        let bp = format!("{p}/on_breach/{j}");
        step_id(&b.id, "breach step id", &bp, step_ids, out);
        check_roles(&b.notify, &format!("{bp}/notify"), cx, out);
        let after = b
            .after
            .as_ref()
            .and_then(|a| duration(a, format!("{bp}/after"), out));
        let transition = b
            .transition
            .as_ref()
            .and_then(|t| breach_transition(t, &format!("{bp}/transition"), cx, out));
        breach.push(Breach {
            id: b.id.as_str().into(),
            after,
            transition,
            supervise: b.supervise,
        });
    }
    breach
}

/// A breach step's transition: known, and requiring no payload.
fn breach_transition(
    t: &str,
    path: &str,
    cx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<u16> {
    let Some(ix) = transition_index(cx, t) else {
        diag(
            out,
            E::UnknownTransition { id: t.to_owned() },
            path.to_owned(),
        );
        return None;
    };
    if cx
        .transitions
        .get(usize::from(ix))
        .is_some_and(|tr| !tr.requires.is_empty())
    {
        let transition = t.to_owned();
        diag(
            out,
            E::BreachTransitionRequires { transition },
            path.to_owned(),
        );
    }
    Some(ix)
}

/// The extension policy: who may extend, how often, how much in all, in a unit one of the
/// targets counts in.
fn extension(
    d: &SlaDef,
    x: &ExtensionDef,
    xp: &str,
    cx: &Context<'_>,
    targets: &[(Option<Guard>, Duration)],
    out: &mut Vec<Diagnostic>,
) -> Option<Extension> {
    let roles = check_roles(&x.roles, &format!("{xp}/roles"), cx, out);
    if x.roles.is_empty() {
        let transition = format!("{} extension", d.id);
        diag(out, E::EmptyRoles { transition }, format!("{xp}/roles"));
    }
    let max_total = duration(&x.max_total, format!("{xp}/max_total"), out)?;
    // Extensions add to the target in force; at least one target must count in their unit
    // (`extend` checks the clock's own target).
    let matching = targets.iter().any(|(_, t)| same_basis(*t, max_total));
    if let Some((_, target)) = targets.first().filter(|_| !matching) {
        let error = E::BasisMismatch {
            sla: d.id.clone(),
            target: target.basis(),
            extension: max_total.basis(),
        };
        diag(out, error, format!("{xp}/max_total"));
    }
    Some(Extension {
        roles,
        max_count: x.max_count,
        max_total,
        reason_required: x.reason_required,
    })
}

/// The roles of `list` as a set of bits, each unknown one reported at `path/<j>`.
fn check_roles(list: &[String], path: &str, cx: &Context<'_>, out: &mut Vec<Diagnostic>) -> u64 {
    let mut mask = 0u64;
    for (j, r) in list.iter().enumerate() {
        match cx.roles.iter().position(|role| &**role == r) {
            Some(bit) => mask |= 1u64 << bit,
            None => diag(out, E::UnknownRole { id: r.clone() }, format!("{path}/{j}")),
        }
    }
    mask
}

/// Warns where a rule that starts when the case opens cannot hold the stage rules that run one
/// after another inside it on the shortest way to its stop, when they count in the same unit.
fn feasibility(rules: &[Sla], cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (ri, outer) in rules.iter().enumerate() {
        if !outer.start_on_open || outer.stop_enter.is_empty() {
            continue;
        }
        let Some((states, transitions)) =
            crate::workflow::graph::path_between(cx.graph, cx.initial, &outer.stop_enter)
        else {
            continue;
        };
        // Position along the path where each stage starts and stops.
        let at_state = |set: &[u16]| states.iter().position(|s| set.contains(s));
        let at_transition = |set: &[u16]| {
            transitions
                .iter()
                .position(|t| set.contains(t))
                .map(|i| i + 1)
        };
        let span = |start_open: bool, enter: &[u16], by: &[u16]| -> Option<usize> {
            if start_open {
                return Some(0);
            }
            [at_state(enter), at_transition(by)]
                .into_iter()
                .flatten()
                .min()
        };
        // Compare like with like: for each unit among the covering rule's targets, its longest
        // target against the shortest targets of the stages in that unit.
        let mut units: Vec<&'static str> = outer.targets.iter().map(|t| t.1.basis()).collect();
        units.dedup();
        for basis in units {
            let in_unit = |d: &Duration| d.basis() == basis;
            let Some(limit) = outer
                .targets
                .iter()
                .map(|t| t.1)
                .filter(in_unit)
                .max_by_key(|d| amount(*d))
            else {
                continue;
            };
            let mut stages: Vec<(usize, usize, i64, &str)> = Vec::new();
            for (_, stage) in rules.iter().enumerate().filter(|(si, _)| *si != ri) {
                let start = span(
                    stage.start_on_open,
                    &stage.start_enter,
                    &stage.start_transitions,
                );
                let stop = span(false, &stage.stop_enter, &stage.stop_transitions);
                let shortest = stage
                    .targets
                    .iter()
                    .map(|t| t.1)
                    .filter(in_unit)
                    .map(amount)
                    .min();
                if let (Some(a), Some(b), Some(d)) = (start, stop, shortest) {
                    if a < b {
                        stages.push((a, b, d, &stage.id));
                    }
                }
            }
            stages.sort_by_key(|s| (s.0, s.1));
            let (mut end, mut total, mut names) = (0usize, 0i64, Vec::new());
            for (a, b, d, id) in stages {
                if a >= end {
                    end = b;
                    total += d;
                    names.push(format!("`{id}`"));
                }
            }
            if names.len() > 1 && total > amount(limit) {
                let error = E::Infeasible {
                    sla: outer.id.to_string(),
                    stages: names.join(" + "),
                    total,
                    limit: amount(limit),
                    unit: unit(limit),
                };
                diag(out, error, format!("/slas/{ri}/target"));
            }
        }
    }
}

fn unit(d: Duration) -> &'static str {
    match d {
        Duration::NaturalDays { .. } => "natural days",
        Duration::WorkingDays(_) => "working days",
        Duration::Calendar(_) | Duration::WorkingTime(_) => "ms",
    }
}

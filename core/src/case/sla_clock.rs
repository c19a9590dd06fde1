//! SLA clocks: what a case records about each rule (facts only), and what those facts mean at
//! a given `now` on a calendar (deadline, status, remaining time, the next timers).
//!
//! Deadlines are never stored: they are computed from the facts with the calendar as it is now,
//! so loading a calendar with a newly published year moves every deadline that depended on it.

use serde::{Deserialize, Serialize};

use crate::calendar::working_time::Duration;
use crate::calendar::{Calendar, CalendarError};
use crate::workflow::sla::{lengthen, same_basis, Reentry, Since, Sla, WarnAt};

/// Facts about one rule on one case.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Clock {
    /// How many times the clock has (re)started.
    pub cycle: u32,
    pub started_at: Option<i64>,
    /// Index of the target chosen at the start.
    pub target: u16,
    /// Closed pause intervals, and a resume gap after a stop.
    pub pauses: Vec<(i64, i64)>,
    pub paused_since: Option<i64>,
    /// Extension amounts, in the target's unit.
    pub extensions: Vec<i64>,
    pub stopped_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    /// Warnings and breach steps fired in this cycle (bit i = step i).
    pub warned: u64,
    pub breached: u64,
    /// Cancelled by a start that found no target (a rule counted from the opening): a later
    /// start whose target applies revives it.
    pub dormant: bool,
}

/// What happened to the case, as far as clocks care.
pub(crate) struct Change {
    pub opened: bool,
    pub transition: Option<u16>,
    pub to: u16,
    pub terminal: bool,
    pub at: i64,
    /// The case's opening.
    pub opened_at: i64,
}

impl Clock {
    pub(crate) fn active(&self) -> bool {
        self.started_at.is_some() && self.stopped_at.is_none() && self.cancelled_at.is_none()
    }

    fn close_pause(&mut self, at: i64) {
        if let Some(since) = self.paused_since.take() {
            self.pauses.push((since, at));
        }
    }

    /// Updates the facts for a change of the case. `target` picks the target when the clock
    /// starts (`None`: no target applies, the clock does not start).
    pub(crate) fn on_change(
        &mut self,
        rule: &Sla,
        change: &Change,
        target: impl FnOnce() -> Option<u16>,
    ) {
        let by = |states: &[u16], transitions: &[u16]| {
            states.contains(&change.to)
                || change.transition.is_some_and(|t| transitions.contains(&t))
        };
        if self.active() && by(&rule.stop_enter, &rule.stop_transitions) {
            self.close_pause(change.at);
            self.stopped_at = Some(change.at);
        } else if self.active() && change.terminal {
            self.close_pause(change.at);
            self.cancelled_at = Some(change.at);
        }
        let starts =
            (change.opened && rule.start_on_open) || by(&rule.start_enter, &rule.start_transitions);
        let since_open = rule.since == Since::Open;
        // A rule counted from the opening has one deadline per case. A start while it runs (a
        // 舆情 regraded) re-targets it: what already fired stands; with no target left it is
        // cancelled, dormant, and a later start with a target revives it.
        if starts && !change.terminal && since_open && (self.active() || self.dormant) {
            match target() {
                Some(t) => {
                    let basis = |ix: u16| rule.targets.get(usize::from(ix)).map(|(_, d)| *d);
                    // Extensions are amounts in the target's unit: another unit voids them.
                    if let (Some(old), Some(new)) = (basis(self.target), basis(t)) {
                        if !same_basis(old, new) {
                            self.extensions.clear();
                        }
                    }
                    self.target = t;
                    if self.dormant {
                        self.dormant = false;
                        self.cancelled_at = None;
                    }
                }
                None if self.active() => {
                    self.close_pause(change.at);
                    self.cancelled_at = Some(change.at);
                    self.dormant = true;
                }
                None => {}
            }
        } else if starts && since_open && self.stopped_at.is_some() {
            // Met or late once, counted from the opening: a later start changes nothing.
        } else if starts && !self.active() && !change.terminal && self.cancelled_at.is_none() {
            match (rule.reentry, self.stopped_at) {
                (Reentry::Resume, Some(stopped)) => {
                    self.pauses.push((stopped, change.at));
                    self.stopped_at = None;
                }
                _ => {
                    if let Some(t) = target() {
                        let from = match rule.since {
                            Since::Start => change.at,
                            Since::Open => change.opened_at,
                        };
                        *self = Clock {
                            cycle: self.cycle + 1,
                            started_at: Some(from),
                            target: t,
                            ..Clock::default()
                        };
                    }
                }
            }
        }
        if self.active() {
            if rule.pause.contains(&change.to) {
                if self.paused_since.is_none() {
                    self.paused_since = Some(change.at);
                }
            } else {
                self.close_pause(change.at);
            }
        }
    }
}

/// Which kind of timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// A warning before the deadline.
    Warning,
    /// A step of the breach ladder.
    Breach,
}

/// A clock as seen at `now`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct ClockView {
    /// Rule id.
    pub sla: String,
    /// `inactive`, `running`, `paused`, `met`, `breached` or `cancelled`.
    #[cfg_attr(
        feature = "typescript",
        tsify(type = r#""inactive" | "running" | "paused" | "met" | "breached" | "cancelled""#)
    )]
    pub status: String,
    /// Whether the clock is counting or paused (a breached clock may still be active).
    pub active: bool,
    /// Counting basis of the target.
    #[cfg_attr(
        feature = "typescript",
        tsify(type = r#""" | "calendar" | "natural_days" | "working_days" | "working_time""#)
    )]
    pub basis: String,
    /// How many times it has started.
    pub cycle: u32,
    /// When this cycle started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// The deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<i64>,
    /// The deadline in the calendar's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_local: Option<String>,
    /// Whether the deadline depends on days the calendar does not cover yet.
    pub provisional: bool,
    /// Time counted so far (the rule's unit: working ms for working bases, else elapsed ms).
    pub elapsed_ms: i64,
    /// Time left until the deadline in the same unit; negative once breached.
    pub remaining_ms: i64,
    /// Time spent paused, in the same unit.
    pub paused_ms: i64,
    /// Extensions granted this cycle.
    pub extensions: usize,
    /// When it stopped, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<i64>,
    /// Warnings fired this cycle.
    pub warnings_fired: Vec<String>,
    /// Breach steps fired this cycle.
    pub breach_fired: Vec<String>,
}

/// The computed deadline of a started clock.
pub(crate) struct Deadline {
    pub due: i64,
    pub provisional: bool,
    /// Paused time in its unit, up to `now` for an open pause.
    pub paused: i64,
    pub target: Duration,
    /// When the clock started, and when it would fall due without its pauses.
    start: i64,
    unpaused: i64,
}

impl Deadline {
    /// The clock's whole budget in its unit, pauses aside (for fractional warnings). Only
    /// warnings need it, so it is not computed with the deadline.
    pub fn budget(&self, cal: &Calendar) -> Result<i64, CalendarError> {
        metric(cal, self.target, self.start, self.unpaused)
    }
}

/// Time from `a` to `b` in a target's unit: working time for working bases, local wall-clock
/// time for natural days (days keep their midnights across DST), elapsed time otherwise.
fn metric(cal: &Calendar, target: Duration, a: i64, b: i64) -> Result<i64, CalendarError> {
    match target {
        Duration::WorkingDays(_) | Duration::WorkingTime(_) => Ok(cal.between(a, b)?.working_ms),
        Duration::NaturalDays { .. } => cal.wall_between(a, b),
        Duration::Calendar(_) => Ok(b - a),
    }
}

/// The deadline of a started clock at `now`.
pub(crate) fn deadline(
    rule: &Sla,
    clock: &Clock,
    cal: &Calendar,
    now: i64,
) -> Result<Option<Deadline>, CalendarError> {
    let (Some(start), Some((_, base))) = (
        clock.started_at,
        rule.targets.get(usize::from(clock.target)),
    ) else {
        return Ok(None);
    };
    let target = lengthen(*base, clock.extensions.iter().sum());
    let mut paused = 0;
    for &(a, b) in &clock.pauses {
        paused += metric(cal, target, a, b)?;
    }
    if let Some(since) = clock.paused_since {
        paused += metric(cal, target, since, now.max(since))?;
    }
    // The deadline without pauses, which the paused time then moves.
    let base = cal.add(start, target)?;
    let (due, provisional) = match target {
        Duration::NaturalDays { roll_forward, .. } => {
            // Roll the unpaused deadline, move it by the paused time on the wall clock (so a DST
            // change inside a pause does not move it off midnight), then roll again: a pause
            // can only push a deadline later, never inside an earlier working day.
            let mut due = cal.shift_wall(base.at, paused)?;
            if roll_forward {
                due = cal.roll_forward(due)?;
            }
            (due, base.provisional || !cal.covers_instant(due - 1)?)
        }
        Duration::Calendar(_) => (base.at + paused, base.provisional),
        Duration::WorkingDays(_) | Duration::WorkingTime(_) => {
            let shifted = cal.add_working(base.at, paused)?;
            (shifted.at, base.provisional || shifted.provisional)
        }
    };
    Ok(Some(Deadline {
        due,
        provisional,
        paused,
        target,
        start,
        unpaused: base.at,
    }))
}

/// The instants of the clock's warnings and breach steps not fired yet, when it is running.
pub(crate) fn pending_timers(
    rule: &Sla,
    clock: &Clock,
    cal: &Calendar,
) -> Result<Vec<(i64, TimerKind, u16)>, CalendarError> {
    if !clock.active() || clock.paused_since.is_some() {
        return Ok(Vec::new());
    }
    let Some(started) = clock.started_at else {
        return Ok(Vec::new());
    };
    let Some(d) = deadline(rule, clock, cal, started)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut budget = None;
    for (i, (_, at)) in (0u16..).zip(rule.warnings.iter()) {
        if clock.warned & (1u64 << i) != 0 {
            continue;
        }
        let when = match *at {
            WarnAt::Before(before @ Duration::WorkingDays(_)) => cal.sub(day_of(d.due), before)?,
            WarnAt::Before(before) => cal.sub(d.due, before)?,
            WarnAt::Fraction(f) => {
                let budget = match budget {
                    Some(b) => b,
                    None => *budget.insert(d.budget(cal)?),
                };
                let left = ((1.0 - f) * budget as f64) as i64;
                match d.target {
                    Duration::WorkingDays(_) | Duration::WorkingTime(_) => {
                        cal.add_working(d.due, -left)?.at
                    }
                    Duration::NaturalDays { .. } => cal.shift_wall(d.due, -left)?,
                    Duration::Calendar(_) => d.due - left,
                }
            }
        };
        out.push((when.max(started), TimerKind::Warning, i));
    }
    for (i, step) in (0u16..).zip(rule.breach.iter()) {
        if clock.breached & (1u64 << i) != 0 {
            continue;
        }
        let when = match step.after {
            Some(after @ (Duration::WorkingDays(_) | Duration::NaturalDays { .. })) => {
                cal.add(day_of(d.due), after)?.at
            }
            Some(after) => cal.add(d.due, after)?.at,
            None => d.due,
        };
        // A step never fires before the deadline (`after` of zero days counts from the day).
        out.push((when.max(d.due), TimerKind::Breach, i));
    }
    Ok(out)
}

/// An instant inside the day a deadline belongs to: a deadline at 24:00 belongs to the day it
/// ends, so day counts before or after it start from that day.
fn day_of(due: i64) -> i64 {
    due - 1
}

/// The clock as seen at `now`.
pub(crate) fn view(
    rule: &Sla,
    clock: &Clock,
    cal: &Calendar,
    now: i64,
) -> Result<ClockView, CalendarError> {
    let names = |mask: u64, ids: Vec<&str>| -> Vec<String> {
        ids.into_iter()
            .enumerate()
            .filter(|(i, _)| mask & (1u64 << i) != 0)
            .map(|(_, s)| s.to_owned())
            .collect()
    };
    let mut v = ClockView {
        sla: rule.id.to_string(),
        status: "inactive".into(),
        active: clock.active(),
        basis: rule
            .targets
            .get(usize::from(clock.target))
            .map_or("", |t| t.1.basis())
            .into(),
        cycle: clock.cycle,
        started_at: clock.started_at,
        due_at: None,
        due_local: None,
        provisional: false,
        elapsed_ms: 0,
        remaining_ms: 0,
        paused_ms: 0,
        extensions: clock.extensions.len(),
        stopped_at: clock.stopped_at,
        warnings_fired: names(clock.warned, rule.warnings.iter().map(|w| &*w.0).collect()),
        breach_fired: names(clock.breached, rule.breach.iter().map(|b| &*b.id).collect()),
    };
    let (Some(start), Some(d)) = (clock.started_at, deadline(rule, clock, cal, now)?) else {
        return Ok(v);
    };
    let end = clock
        .stopped_at
        .or(clock.cancelled_at)
        .unwrap_or(now)
        .max(start);
    v.due_at = Some(d.due);
    v.due_local = Some(cal.local_string(d.due)?);
    v.provisional = d.provisional;
    v.paused_ms = d.paused;
    v.elapsed_ms = metric(cal, d.target, start, end)? - d.paused;
    v.remaining_ms = metric(cal, d.target, end, d.due)?;
    v.status = match (clock.stopped_at, clock.cancelled_at) {
        (_, Some(_)) => "cancelled",
        // The deadline is the first late instant: acting at it is late, as a breach fires at it.
        (Some(s), _) if s < d.due => "met",
        (Some(_), _) => "breached",
        _ if now >= d.due => "breached",
        _ if clock.paused_since.is_some() => "paused",
        _ => "running",
    }
    .into();
    Ok(v)
}

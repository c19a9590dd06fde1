//! The `handling` section of a workflow definition: which case fields carry the handling unit,
//! the matter's category and region and an accused unit; what transitions do for routing,
//! transfer, return, co-handling, replies, callbacks and reopening (their `action`); and the
//! policies for bounced cases, duplicates, linked cases, supervision and appeals.
//! See `docs/governance.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::working_time::{Duration, DurationDef};
use crate::value::FieldKind;
use crate::workflow::guard::declared;
use crate::workflow::{DefinitionError as E, Diagnostic};
use crate::workflow::{Field, State, Transition};

/// What a transition does beyond moving the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 派单: sets the handling unit, from the payload or else by the dispatch catalogue.
    Dispatch,
    /// 转办: hands the case to the unit the payload names; counts a transfer.
    Transfer,
    /// 退回: the handling unit gives a misrouted case back to the dispatcher; counts a return.
    Return,
    /// 会办/协办: adds the assisting units the payload names, each with an opinion to give.
    Assist,
    /// 答复: the lead unit replies for all; reaches every linked case's channel.
    Reply,
    /// 回访/评价: records a callback from the payload.
    Callback,
    /// 重办: reopens after an unsatisfied callback, up to the workflow's limit.
    Reopen,
    /// 告知法定途径: a matter that has its own legal route is not handled; the citizen is told
    /// the route (the payload's `handling.legal_route_field`) on every channel, and the case
    /// closes (国办函〔2025〕66号).
    LegalRoute,
}

/// The legal routes a matter may have instead of handling (国办函〔2025〕66号): its id, as a
/// legal-route field's values name it, and its name.
pub const LEGAL_ROUTES: [(&str, &str); 6] = [
    ("litigation", "诉讼"),
    ("arbitration", "仲裁"),
    ("discipline_inspection", "纪检监察"),
    ("administrative_review", "行政复议"),
    ("information_disclosure", "政府信息公开"),
    ("petition", "信访"),
];

impl Action {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::Dispatch => "dispatch",
            Action::Transfer => "transfer",
            Action::Return => "return",
            Action::Assist => "assist",
            Action::Reply => "reply",
            Action::Callback => "callback",
            Action::Reopen => "reopen",
            Action::LegalRoute => "legal_route",
        }
    }
}

/// The `handling` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct HandlingDef {
    /// The string field that holds the handling (lead) unit.
    pub unit_field: String,
    /// The field holding the matter's category, for routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_field: Option<String>,
    /// The field holding the matter's region, for routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_field: Option<String>,
    /// The field naming the unit an accusation (检举) accuses: the case never goes to it or
    /// under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accused_field: Option<String>,
    /// The calendar that deadlines of opinions, supervisions and appeal windows count on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// A case is flagged as bounced (推诿) once its transfers and returns exceed this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_after: Option<u32>,
    /// Co-handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assist: Option<AssistDef>,
    /// Callbacks and reopening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackDef>,
    /// What opening a case that matches an open one does: a policy (`"link"`), or a policy and
    /// the other workflows whose open cases also count (`{"policy": "link", "across":
    /// ["xinfang-2022"]}`).
    #[serde(default)]
    pub duplicates: DuplicatesDef,
    /// Transitions the system takes on a duplicate when it is linked, and when its primary
    /// closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked: Option<LinkedDef>,
    /// The deadline given to a supervision raised by a breach step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision_due: Option<DurationDef>,
    /// Request windows of 复查 and 复核 after the previous written reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeals: Option<AppealsDef>,
    /// The enum field a `legal_route` transition's payload names the route in; its values are
    /// ids of [`LEGAL_ROUTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_route_field: Option<String>,
    /// Where the section's rules come from, by key (`duplicates`, `callback`, ...): the article
    /// of a regulation, or "local choice" and why.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, string>"))]
    pub sources: BTreeMap<String, String>,
}

/// Co-handling policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AssistDef {
    /// The list field naming the assisting units, in an `assist` transition's payload.
    pub units_field: String,
    /// Time each assisting unit has for its opinion.
    pub opinion_within: DurationDef,
    /// Whether the lead may reply only once every opinion is in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opinions_before_reply: bool,
}

/// Callback fields and the reopening limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CallbackDef {
    /// Boolean field: whether the citizen was reached.
    pub contacted_field: String,
    /// Boolean field: whether the matter is solved.
    pub solved_field: String,
    /// Enum field of the citizen's evaluation: its values are the levels.
    pub satisfaction_field: String,
    /// The evaluation scale: each level's credit in 满意率 and whether it is a poor rating
    /// (差评). Absent: `satisfied` (1), `basically_satisfied` (the metrics query's credit) and
    /// `unsatisfied` (0, poor), which the field must then offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<LevelDef>>,
    /// Text field for the citizen's comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_field: Option<String>,
    /// Most reopenings (重办) of one case.
    pub reopen_limit: u32,
}

/// One level of a callback's evaluation scale, such as 非常满意 on the 好差评 scale of
/// 国办发〔2019〕51号.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LevelDef {
    /// A value of the satisfaction field.
    pub value: String,
    /// What a callback at this level counts in 满意率, from 0 to 1.
    pub credit: f64,
    /// A poor rating (差评): counted as `unsatisfied`, and the case may be reopened (重办).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub poor: bool,
    /// Where the credit comes from: a regulation, or the words "local choice".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What opening a case with the citizen and matter keys of an open case does (信访工作条例
/// art. 19: a matter within its time limit is not accepted again).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Open it; nothing is checked.
    #[default]
    Allow,
    /// Open it and name the open cases as candidates for linking.
    Candidate,
    /// Open it already linked to the open case.
    Link,
    /// Refuse it, naming the open case.
    Refuse,
}

/// The `duplicates` key: a policy, and the other workflows whose open cases with the same
/// citizen and matter keys are the same matter (国办函〔2025〕66号: a 12345 order and a 信访
/// petition on one matter are handled once). Written as the policy alone when `across` is
/// empty.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[cfg_attr(
    feature = "typescript",
    tsify(type = "DuplicatePolicy | { policy: DuplicatePolicy; across?: string[] }")
)]
pub struct DuplicatesDef {
    /// What opening a matching case does.
    pub policy: DuplicatePolicy,
    /// Other workflows, by id, whose open cases also match.
    pub across: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailedDuplicates {
    policy: DuplicatePolicy,
    #[serde(default)]
    across: Vec<String>,
}

/// The object form, written from a borrowed list.
#[derive(Serialize)]
struct DetailedDuplicatesRef<'a> {
    policy: DuplicatePolicy,
    across: &'a [String],
}

impl Serialize for DuplicatesDef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The policy alone when nothing crosses workflows: definitions written before
        // `across` keep their bytes, and their digests.
        if self.across.is_empty() {
            return self.policy.serialize(serializer);
        }
        DetailedDuplicatesRef {
            policy: self.policy,
            across: &self.across,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DuplicatesDef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, value::MapAccessDeserializer, IntoDeserializer};
        // A visitor rather than an untagged enum or a `Value`: each form reports its own
        // problem, and no buffering code is compiled into the WASM for it.
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = DuplicatesDef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a policy or {\"policy\": ..., \"across\": [workflow ids]}")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DuplicatesDef, E> {
                Ok(DuplicatesDef {
                    policy: DuplicatePolicy::deserialize(s.into_deserializer())?,
                    across: Vec::new(),
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<DuplicatesDef, A::Error> {
                let d = DetailedDuplicates::deserialize(MapAccessDeserializer::new(map))?;
                Ok(DuplicatesDef {
                    policy: d.policy,
                    across: d.across,
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// System transitions for linked duplicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LinkedDef {
    /// Taken on the duplicate when it is linked (to park it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_link: Option<String>,
    /// Taken on each linked duplicate when the primary reaches a terminal state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_primary_closed: Option<String>,
}

/// Appeal windows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AppealsDef {
    /// Window to request 复查 after the original case's written reply (art. 35: 30 日).
    pub review_within: DurationDef,
    /// Window to request 复核 after the review's written reply (art. 36: 30 日).
    pub re_review_within: DurationDef,
}

/// The compiled section, fields and transitions interned.
#[derive(Clone, Debug)]
pub(crate) struct Handling {
    pub unit_field: u16,
    pub category_field: Option<u16>,
    pub region_field: Option<u16>,
    pub accused_field: Option<u16>,
    pub calendar: Option<Box<str>>,
    pub bounce_after: Option<u32>,
    pub assist: Option<Assist>,
    pub callback: Option<Callback>,
    pub duplicates: DuplicatePolicy,
    /// Other workflows whose open cases count as duplicates.
    pub across: Box<[Box<str>]>,
    pub on_link: Option<u16>,
    pub on_primary_closed: Option<u16>,
    pub supervision_due: Option<Duration>,
    pub appeals: Option<(Duration, Duration)>,
    pub legal_route_field: Option<u16>,
}

#[derive(Clone, Debug)]
pub(crate) struct Assist {
    pub units_field: u16,
    pub opinion_within: Duration,
    pub opinions_before_reply: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Callback {
    pub contacted: u16,
    pub solved: u16,
    pub satisfaction: u16,
    pub comment: Option<u16>,
    pub reopen_limit: u32,
    pub levels: Box<[Level]>,
}

/// A level of the evaluation scale, checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Level {
    pub value: Box<str>,
    /// `None`: the metrics query's credit for `basically_satisfied`.
    pub credit: Option<f64>,
    pub poor: bool,
}

impl Callback {
    /// The level of a satisfaction value; `None` for a value that is not on the scale.
    pub(crate) fn level(&self, value: &str) -> Option<&Level> {
        self.levels.iter().find(|l| &*l.value == value)
    }
}

/// The satisfaction values a callback field must offer when the workflow lists no levels.
pub const SATISFACTION: [&str; 3] = ["satisfied", "basically_satisfied", "unsatisfied"];

/// The scale of a workflow that lists no levels.
fn default_levels() -> Box<[Level]> {
    let level = |value: &str, credit, poor| Level {
        value: value.into(),
        credit,
        poor,
    };
    Box::new([
        level("satisfied", Some(1.0), false),
        level("basically_satisfied", None, false),
        level("unsatisfied", Some(0.0), true),
    ])
}

struct Check<'a> {
    fields: &'a [Field],
    transitions: &'a [Transition],
    out: &'a mut Vec<Diagnostic>,
}

impl Check<'_> {
    /// The callback section: boolean contacted and solved fields, a satisfaction enum with the
    /// values the rates count, an optional comment.
    fn callback(&mut self, cb: &CallbackDef, cp: &str) -> Option<Callback> {
        let boolean = &[FieldKind::Boolean];
        let contacted = self.field(
            &cb.contacted_field,
            format!("{cp}/contacted_field"),
            boolean,
        );
        let solved = self.field(&cb.solved_field, format!("{cp}/solved_field"), boolean);
        let satisfaction = self.field(
            &cb.satisfaction_field,
            format!("{cp}/satisfaction_field"),
            &[FieldKind::Enum],
        );
        let fields = self.fields;
        let levels = satisfaction
            .and_then(|ix| fields.get(usize::from(ix)))
            .map(|f| self.levels(cb.levels.as_deref(), f, cp))
            .unwrap_or_default();
        let comment = match &cb.comment_field {
            Some(id) => Some(self.field(
                id,
                format!("{cp}/comment_field"),
                &[FieldKind::String, FieldKind::Text],
            )?),
            None => None,
        };
        Some(Callback {
            contacted: contacted?,
            solved: solved?,
            satisfaction: satisfaction?,
            comment,
            reopen_limit: cb.reopen_limit,
            levels,
        })
    }

    /// The evaluation scale: every level a value of the field `f`, once, with a credit from 0
    /// to 1 and at least one level that is not poor; the default scale when none is listed.
    fn levels(&mut self, levels: Option<&[LevelDef]>, f: &Field, cp: &str) -> Box<[Level]> {
        let Some(levels) = levels else {
            for v in SATISFACTION {
                self.enum_value(f, v, format!("{cp}/satisfaction_field"));
            }
            return default_levels();
        };
        let mut out: Vec<Level> = Vec::with_capacity(levels.len());
        for (i, l) in levels.iter().enumerate() {
            let lp = format!("{cp}/levels/{i}");
            self.enum_value(f, &l.value, format!("{lp}/value"));
            if out.iter().any(|o| *o.value == *l.value) {
                let error = E::RepeatedEntry {
                    list: "levels",
                    id: l.value.clone(),
                };
                self.out.push(Diagnostic::new(error, format!("{lp}/value")));
            }
            if !(0.0..=1.0).contains(&l.credit) {
                let message = format!("a level's credit is from 0 to 1, not {}", l.credit);
                let error = E::Invalid { message };
                self.out
                    .push(Diagnostic::new(error, format!("{lp}/credit")));
            }
            out.push(Level {
                value: l.value.as_str().into(),
                credit: Some(l.credit),
                poor: l.poor,
            });
        }
        if out.iter().all(|l| l.poor) {
            let message = "the scale needs at least one level that is not poor".to_owned();
            let error = E::Invalid { message };
            self.out
                .push(Diagnostic::new(error, format!("{cp}/levels")));
        }
        out.into()
    }

    fn enum_value(&mut self, f: &Field, value: &str, path: String) {
        if !f.values.iter().any(|x| &**x == value) {
            let error = E::UnknownEnumValue {
                field: f.id.to_string(),
                value: value.to_owned(),
            };
            self.out.push(Diagnostic::new(error, path));
        }
    }

    fn field(&mut self, id: &str, path: String, kinds: &[FieldKind]) -> Option<u16> {
        let Some((ix, f)) = (0u16..).zip(self.fields).find(|(_, f)| &*f.id == id) else {
            let mut d = Diagnostic::new(E::UnknownField { id: id.to_owned() }, path);
            d.help = Some(declared("fields", self.fields.iter().map(|f| &f.id)));
            self.out.push(d);
            return None;
        };
        if !kinds.contains(&f.kind) {
            let expected = kinds
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let error = E::HandlingFieldKind {
                field: id.to_owned(),
                kind: f.kind,
                expected,
            };
            self.out.push(Diagnostic::new(error, path));
            return None;
        }
        Some(ix)
    }

    fn transition(&mut self, id: &str, path: String) -> Option<u16> {
        let found = (0u16..)
            .zip(self.transitions)
            .find(|(_, t)| &*t.id == id)
            .map(|(i, _)| i);
        if found.is_none() {
            let mut d = Diagnostic::new(E::UnknownTransition { id: id.to_owned() }, path);
            d.help = Some(declared(
                "transitions",
                self.transitions.iter().map(|t| &t.id),
            ));
            self.out.push(d);
        }
        found
    }

    fn duration(&mut self, def: &DurationDef, path: String) -> Option<Duration> {
        match def.duration() {
            Ok(d) => Some(d),
            Err(reason) => {
                self.out
                    .push(Diagnostic::new(E::InvalidDuration { reason }, path));
                None
            }
        }
    }
}

const TEXT: &[FieldKind] = &[FieldKind::String, FieldKind::Enum];

/// Each key of `sources` names a rule the section sets.
fn sources(def: &HandlingDef, out: &mut Vec<Diagnostic>) {
    for key in def.sources.keys() {
        let set = match key.as_str() {
            "unit_field" => true,
            "category_field" => def.category_field.is_some(),
            "region_field" => def.region_field.is_some(),
            "accused_field" => def.accused_field.is_some(),
            "calendar" => def.calendar.is_some(),
            "bounce_after" => def.bounce_after.is_some(),
            "assist" => def.assist.is_some(),
            "callback" => def.callback.is_some(),
            // Written even when left at its default.
            "duplicates" => true,
            "linked" => def.linked.is_some(),
            "supervision_due" => def.supervision_due.is_some(),
            "appeals" => def.appeals.is_some(),
            "legal_route_field" => def.legal_route_field.is_some(),
            _ => false,
        };
        if !set {
            let message = format!("`{key}` is not a rule this handling section sets");
            let path = format!("/handling/sources/{}", crate::error::escape_pointer(key));
            out.push(Diagnostic::new(E::Invalid { message }, path));
        }
    }
}

/// Checks the section against the compiled fields and transitions, and each transition's
/// `action` against what the section provides.
pub(crate) fn compile(
    def: Option<&HandlingDef>,
    actions: &[Option<Action>],
    fields: &[Field],
    (states, transitions): (&[State], &[Transition]),
    out: &mut Vec<Diagnostic>,
) -> Option<Handling> {
    let before = out.len();
    let needs = |action: Action, has: bool, out: &mut Vec<Diagnostic>| {
        for (i, a) in actions.iter().enumerate() {
            if *a == Some(action) && !has {
                let section = match action {
                    Action::Assist => "handling.assist",
                    Action::Callback | Action::Reopen => "handling.callback",
                    Action::LegalRoute => "handling.legal_route_field",
                    _ => "handling",
                };
                let error = E::ActionNeedsSection {
                    action: action.name(),
                    section,
                };
                out.push(Diagnostic::new(error, format!("/transitions/{i}/action")));
            }
        }
    };
    let Some(def) = def else {
        for a in [
            Action::Dispatch,
            Action::Transfer,
            Action::Return,
            Action::Assist,
            Action::Reply,
            Action::Callback,
            Action::Reopen,
            Action::LegalRoute,
        ] {
            needs(a, false, out);
        }
        return None;
    };
    sources(def, out);
    needs(Action::LegalRoute, def.legal_route_field.is_some(), out);
    for (i, (t, a)) in transitions.iter().zip(actions).enumerate() {
        let closes = states.get(usize::from(t.to)).is_some_and(|s| s.terminal);
        if *a == Some(Action::LegalRoute) && !closes {
            let error = E::LegalRouteNotTerminal {
                transition: t.id.to_string(),
            };
            out.push(Diagnostic::new(error, format!("/transitions/{i}/to")));
        }
    }
    needs(Action::Assist, def.assist.is_some(), out);
    needs(Action::Callback, def.callback.is_some(), out);
    needs(Action::Reopen, def.callback.is_some(), out);
    let mut c = Check {
        fields,
        transitions,
        out,
    };
    let p = "/handling";
    let unit_field = c.field(
        &def.unit_field,
        format!("{p}/unit_field"),
        &[FieldKind::String],
    );
    let optional = |id: &Option<String>, key: &str, c: &mut Check<'_>| {
        id.as_ref()
            .and_then(|id| c.field(id, format!("{p}/{key}"), TEXT))
    };
    let category_field = optional(&def.category_field, "category_field", &mut c);
    let region_field = optional(&def.region_field, "region_field", &mut c);
    let accused_field = optional(&def.accused_field, "accused_field", &mut c);
    let assist = def.assist.as_ref().and_then(|a| {
        let units = c.field(
            &a.units_field,
            format!("{p}/assist/units_field"),
            &[FieldKind::List],
        );
        let within = c.duration(&a.opinion_within, format!("{p}/assist/opinion_within"));
        Some(Assist {
            units_field: units?,
            opinion_within: within?,
            opinions_before_reply: a.opinions_before_reply,
        })
    });
    let callback = def
        .callback
        .as_ref()
        .and_then(|cb| c.callback(cb, &format!("{p}/callback")));
    let linked = def.linked.as_ref();
    let on_link = linked
        .and_then(|l| l.on_link.as_ref())
        .and_then(|t| c.transition(t, format!("{p}/linked/on_link")));
    let on_primary_closed = linked
        .and_then(|l| l.on_primary_closed.as_ref())
        .and_then(|t| c.transition(t, format!("{p}/linked/on_primary_closed")));
    let supervision_due = def
        .supervision_due
        .as_ref()
        .and_then(|d| c.duration(d, format!("{p}/supervision_due")));
    let appeals = def.appeals.as_ref().and_then(|a| {
        let review = c.duration(&a.review_within, format!("{p}/appeals/review_within"));
        let re_review = c.duration(&a.re_review_within, format!("{p}/appeals/re_review_within"));
        Some((review?, re_review?))
    });
    let legal_route_field = def.legal_route_field.as_ref().and_then(|id| {
        let path = format!("{p}/legal_route_field");
        let ix = c.field(id, path.clone(), &[FieldKind::Enum])?;
        let routes = || {
            let ids = LEGAL_ROUTES.iter().map(|(id, _)| format!("`{id}`"));
            ids.collect::<Vec<_>>().join(", ")
        };
        for v in c.fields.get(usize::from(ix)).map_or(&[][..], |f| &f.values) {
            if !LEGAL_ROUTES.iter().any(|(id, _)| **id == **v) {
                let error = E::UnknownLegalRoute {
                    value: v.to_string(),
                    routes: routes(),
                };
                c.out.push(Diagnostic::new(error, path.clone()));
            }
        }
        Some(ix)
    });
    // Deadlines of opinions, supervisions and appeal windows are placed on a calendar.
    let timed = def.assist.is_some() || def.supervision_due.is_some() || def.appeals.is_some();
    if timed && def.calendar.is_none() {
        let error = E::ActionNeedsSection {
            action: "deadline",
            section: "handling.calendar",
        };
        c.out.push(Diagnostic::new(error, p.to_owned()));
    }
    if out.len() > before {
        return None;
    }
    Some(Handling {
        unit_field: unit_field?,
        category_field,
        region_field,
        accused_field,
        calendar: def.calendar.as_deref().map(Into::into),
        bounce_after: def.bounce_after,
        assist,
        callback,
        duplicates: def.duplicates.policy,
        across: def
            .duplicates
            .across
            .iter()
            .map(|w| w.as_str().into())
            .collect(),
        on_link,
        on_primary_closed,
        supervision_due,
        appeals,
        legal_route_field,
    })
}

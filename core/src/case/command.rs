//! What a caller sends: the actor, a command, an opening, and the checks of their ids and values.

use super::*;

/// Longest case id, in bytes.
pub const MAX_CASE_ID_BYTES: usize = 128;

/// Longest actor id, unit or channel, in bytes.
pub const MAX_NAME_BYTES: usize = 128;

/// The person (or system) acting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Host-supplied id of the person.
    pub id: String,
    /// The roles the person holds now. Roles the workflow does not declare are ignored and
    /// not recorded.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The organisational unit the person acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Actor {
    /// An actor with an id and roles, and no unit.
    pub fn new(id: impl Into<String>, roles: &[&str]) -> Self {
        Actor {
            id: id.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            unit: None,
        }
    }
}

/// Field values given to a command: typed (no parsing) or as a JSON object.
#[derive(Clone, Copy, Debug)]
pub enum Values<'a> {
    /// Already typed values, by field id.
    Typed(&'a [(String, Value)]),
    /// A JSON object, read against the field types.
    Json(&'a Map<String, serde_json::Value>),
}

impl Values<'_> {
    /// No values.
    pub const NONE: Values<'static> = Values::Typed(&[]);
}

/// A request to move a case along a transition.
#[derive(Clone, Copy, Debug)]
pub struct Command<'a> {
    /// Transition id.
    pub transition: &'a str,
    /// Who acts.
    pub actor: &'a Actor,
    /// Values the transition requires or sets.
    pub payload: Values<'a>,
    /// When, in UTC milliseconds since the epoch.
    pub at: i64,
}

/// What a new case starts with.
#[derive(Clone, Copy, Debug)]
pub struct Opening<'a> {
    /// Host-supplied unique case id.
    pub case_id: &'a str,
    /// Intake channel, for example `wechat`, `weibo`, `web`, `app`, `hotline`, `letter`, `visit`.
    pub channel: &'a str,
    /// Initial field values; required fields must be present.
    pub fields: Values<'a>,
    /// Who opens it.
    pub actor: &'a Actor,
    /// When, in UTC milliseconds since the epoch.
    pub at: i64,
    /// Citizen and matter keys for duplicate detection, when the host has them.
    pub keys: Option<&'a MatterKeys>,
}

/// The id the engine acts under when it fires timers and takes breach transitions.
pub const SYSTEM_ACTOR: &str = "system";

pub(crate) fn system_actor() -> ActorRecord {
    ActorRecord::new(SYSTEM_ACTOR.into(), 0, None)
}

/// The record of `actor`, with the ids the engine shared for it when given.
pub(crate) fn record_actor(
    wf: &Workflow,
    actor: &Actor,
    shared: Option<&crate::case::shared_ids::SharedActor>,
) -> Result<ActorRecord, CaseError> {
    if let Some(reason) = bad_name(&actor.id, MAX_NAME_BYTES) {
        return Err(CaseError::InvalidActor {
            attribute: "id",
            reason,
        });
    }
    if let Some(reason) = actor
        .unit
        .as_deref()
        .and_then(|u| bad_name(u, MAX_NAME_BYTES))
    {
        return Err(CaseError::InvalidActor {
            attribute: "unit",
            reason,
        });
    }
    Ok(crate::case::shared_ids::SharedActor::record(
        shared, actor, wf,
    ))
}

pub(crate) fn check_time(at: i64) -> Result<(), CaseError> {
    if (MIN_INSTANT..=MAX_INSTANT).contains(&at) {
        Ok(())
    } else {
        Err(CaseError::InvalidTime { at })
    }
}

pub(super) fn bad_name(s: &str, max: usize) -> Option<&'static str> {
    ids::bad_name(s, max).map(|problem| match problem {
        NameProblem::Empty => "it is empty",
        NameProblem::TooLong => "it is too long",
        NameProblem::Control => "it contains control characters",
    })
}

/// Reads values against the workflow's field types, sorted by field and without duplicates
/// (the last one given wins). `extra` adds problems that need the whole set, such as missing
/// required fields. Every problem is reported.
pub(super) fn read_values(
    wf: &Workflow,
    source: FieldSource,
    values: Values<'_>,
    extra: impl FnOnce(&mut Vec<FieldProblem>, &[u16]),
) -> Result<Box<[(u16, Value)]>, CaseError> {
    let mut problems = Vec::new();
    let mut out: Vec<(u16, Value)> = Vec::new();
    // Fields given at all, well typed or not: a badly typed field is wrong, not missing.
    let mut given: Vec<u16> = Vec::new();
    let mut take =
        |id: &str, read: &dyn Fn(&crate::workflow::Field) -> Result<Value, FieldProblem>| {
            let Some(ix) = wf.field_index(id) else {
                problems.push(FieldProblem::Unknown {
                    field: id.to_owned(),
                });
                return;
            };
            let Some(field) = wf.field(ix) else { return };
            given.push(ix);
            match read(field) {
                Ok(v) => out.push((ix, v)),
                Err(p) => problems.push(p),
            }
        };
    match values {
        Values::Typed(items) => {
            for (id, v) in items {
                take(id, &|f| {
                    v.check(&f.id, f.kind, &f.values).map(|()| v.clone())
                });
            }
        }
        Values::Json(map) => {
            for (id, json) in map {
                take(id, &|f| Value::from_json(&f.id, f.kind, &f.values, json));
            }
        }
    }
    // Stable sort keeps the order given among equal fields, so the last one given wins.
    out.sort_by_key(|(ix, _)| *ix);
    let mut deduped: Vec<(u16, Value)> = Vec::with_capacity(out.len());
    for (ix, v) in out {
        match deduped.last_mut() {
            Some(last) if last.0 == ix => last.1 = v,
            _ => deduped.push((ix, v)),
        }
    }
    extra(&mut problems, &given);
    if problems.is_empty() {
        Ok(deduped.into_boxed_slice())
    } else {
        Err(CaseError::Fields {
            place: source,
            problems,
        })
    }
}

//! The guard language: conditions over case fields, the case itself and the acting person.
//!
//! Written as JSON (`{"eq": [{"field": "urgency"}, {"value": "high"}]}`), type-checked once when
//! a workflow loads, then evaluated on an interned form with no allocation. A comparison with a
//! field the case does not have is false, whatever the operator (`ne` included): write
//! `{"not": {"eq": ...}}` to also accept a missing field.

use serde::{Deserialize, Serialize};

use crate::value::{FieldKind, Value};
use crate::workflow::Field;
use crate::workflow::{DefinitionError, Diagnostic};

/// A guard as written in a definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum GuardDef {
    /// Every condition holds (true when empty).
    All(Vec<GuardDef>),
    /// At least one condition holds (false when empty).
    Any(Vec<GuardDef>),
    /// The condition does not hold.
    Not(Box<GuardDef>),
    /// Both operands are present and equal.
    Eq([OperandDef; 2]),
    /// Both operands are present and differ.
    Ne([OperandDef; 2]),
    /// The left operand is present and is an element of the right operand (a list).
    In([OperandDef; 2]),
    /// Both are present numbers or datetimes and left < right.
    Lt([OperandDef; 2]),
    /// Both are present numbers or datetimes and left > right.
    Gt([OperandDef; 2]),
    /// The operand has a value.
    Exists(OperandDef),
    /// The actor's unit stands in this relation to the case (workflows with `handling`).
    UnitIs(UnitRelation),
}

/// How the actor's unit relates to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum UnitRelation {
    /// It is the handling (lead) unit.
    Handling,
    /// It is above the handling unit in the organisation tree (a supervisor upstream).
    Upstream,
    /// It is an assisting unit with an opinion due.
    Assisting,
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OperandDef {
    /// A case field, by id.
    Field(String),
    /// An attribute of the acting person.
    Actor(ActorAttr),
    /// An attribute of the case itself, which no field holds.
    Case(CaseAttr),
    /// A literal: string, number, boolean, or list of strings.
    Value(#[cfg_attr(feature = "typescript", tsify(type = "JsonValue"))] serde_json::Value),
}

/// An attribute of the acting person a guard can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ActorAttr {
    /// The actor's id (a string).
    Id,
    /// The actor's unit (a string, absent when the actor has none).
    Unit,
    /// The actor's roles (only usable as the right side of `in`).
    Roles,
}

/// An attribute of the case a guard can read: what the host gave when it opened the case, so
/// that a rule can differ by channel without a field that copies it (and drifts from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum CaseAttr {
    /// The channel it came in on (a string: `"wechat"`, `"12345"`, ...).
    Channel,
    /// When it was opened (a datetime).
    OpenedAt,
    /// The id of its workflow (a string).
    Workflow,
    /// Its category: the value of the field `handling.category_field` names (workflows with
    /// `handling` and a category field).
    Category,
}

/// A type-checked guard over interned ids.
#[derive(Clone, Debug)]
pub(crate) enum Guard {
    All(Box<[Guard]>),
    Any(Box<[Guard]>),
    Not(Box<Guard>),
    Cmp(CmpOp, Operand, Operand),
    Exists(Operand),
    UnitIs(UnitRelation),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    In,
    Lt,
    Gt,
}

impl CmpOp {
    fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::In => "in",
            CmpOp::Lt => "lt",
            CmpOp::Gt => "gt",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Operand {
    Field(usize),
    ActorId,
    ActorUnit,
    ActorRoles,
    CaseChannel,
    CaseOpenedAt,
    Lit(Value),
}

/// What the type checker needs to know about the workflow.
pub(crate) struct Symbols<'a> {
    pub fields: &'a [Field],
    pub roles: &'a [Box<str>],
    /// The workflow's id, which `{"case": "workflow"}` reads.
    pub workflow: &'a str,
    /// The workflow's `handling` section, which `unit_is` and `{"case": "category"}` need.
    pub handling: Option<&'a crate::workflow::handling::HandlingDef>,
    /// `Limits::max_guard_depth`.
    pub max_depth: usize,
}

impl Symbols<'_> {
    fn field(&self, id: &str) -> Option<(usize, FieldKind, &[Box<str>])> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, f)| &*f.id == id)
            .map(|(i, f)| (i, f.kind, &*f.values))
    }
}

/// The static type of an operand.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Str,
    Num,
    Bool,
    Time,
    List,
    Roles,
    /// An integer literal: a number, or a datetime in milliseconds.
    Int,
    /// A literal of a type guards cannot use (null, object, mixed list).
    Bad,
}

struct Typed<'s> {
    operand: Operand,
    ty: Ty,
    describe: String,
    enum_values: Option<(&'s str, &'s [Box<str>])>,
    literal: Option<&'s serde_json::Value>,
}

/// Type-checks `def` and compiles it. Every problem is pushed to `out`; `None` if any.
pub(crate) fn compile(
    def: &GuardDef,
    syms: &Symbols<'_>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Guard> {
    if too_deep(def, syms.max_depth) {
        out.push(Diagnostic::new(
            DefinitionError::GuardTooDeep {
                limit: syms.max_depth,
            },
            path.to_owned(),
        ));
        return None;
    }
    let before = out.len();
    let guard = compile_inner(def, syms, path, out);
    if out.len() > before {
        None
    } else {
        guard
    }
}

/// Whether a path through `def` holds more than `limit` guards; without recursion, so that a
/// guard built in memory at any depth is measured safely.
fn too_deep(def: &GuardDef, limit: usize) -> bool {
    let mut stack = vec![(def, 1usize)];
    while let Some((g, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match g {
            GuardDef::All(items) | GuardDef::Any(items) => {
                stack.extend(items.iter().map(|i| (i, depth + 1)));
            }
            GuardDef::Not(inner) => stack.push((inner, depth + 1)),
            _ => {}
        }
    }
    false
}

fn compile_inner(
    def: &GuardDef,
    syms: &Symbols<'_>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Guard> {
    let list = |items: &[GuardDef], key: &str, out: &mut Vec<Diagnostic>| {
        let compiled: Vec<Option<Guard>> = items
            .iter()
            .enumerate()
            .map(|(i, g)| compile_inner(g, syms, &format!("{path}/{key}/{i}"), out))
            .collect();
        compiled
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map(Vec::into_boxed_slice)
    };
    match def {
        GuardDef::All(items) => list(items, "all", out).map(Guard::All),
        GuardDef::Any(items) => list(items, "any", out).map(Guard::Any),
        GuardDef::Not(inner) => {
            compile_inner(inner, syms, &format!("{path}/not"), out).map(|g| Guard::Not(Box::new(g)))
        }
        GuardDef::Exists(op) => {
            let p = format!("{path}/exists");
            let t = operand(op, syms, &p, out)?;
            if matches!(t.operand, Operand::Lit(_)) {
                out.push(Diagnostic::new(DefinitionError::GuardConstant, p));
                return None;
            }
            Some(Guard::Exists(t.operand))
        }
        GuardDef::UnitIs(rel) => {
            if syms.handling.is_none() {
                let error = DefinitionError::ActionNeedsSection {
                    action: "unit_is",
                    section: "handling",
                };
                out.push(Diagnostic::new(error, format!("{path}/unit_is")));
                return None;
            }
            Some(Guard::UnitIs(*rel))
        }
        GuardDef::Eq(ops) => compare(CmpOp::Eq, ops, syms, path, out),
        GuardDef::Ne(ops) => compare(CmpOp::Ne, ops, syms, path, out),
        GuardDef::In(ops) => compare(CmpOp::In, ops, syms, path, out),
        GuardDef::Lt(ops) => compare(CmpOp::Lt, ops, syms, path, out),
        GuardDef::Gt(ops) => compare(CmpOp::Gt, ops, syms, path, out),
    }
}

fn operand<'s>(
    def: &'s OperandDef,
    syms: &'s Symbols<'s>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Typed<'s>> {
    match def {
        OperandDef::Field(id) => {
            let Some((index, kind, values)) = syms.field(id) else {
                let mut d = Diagnostic::new(
                    DefinitionError::UnknownField { id: id.clone() },
                    format!("{path}/field"),
                );
                d.help = Some(declared("fields", syms.fields.iter().map(|f| &f.id)));
                out.push(d);
                return None;
            };
            Some(field_operand(
                index,
                kind,
                id,
                values,
                format!("field `{id}` ({kind})"),
            ))
        }
        OperandDef::Actor(attr) => {
            let (operand, ty, name) = match attr {
                ActorAttr::Id => (Operand::ActorId, Ty::Str, "id"),
                ActorAttr::Unit => (Operand::ActorUnit, Ty::Str, "unit"),
                ActorAttr::Roles => (Operand::ActorRoles, Ty::Roles, "roles"),
            };
            Some(Typed {
                operand,
                ty,
                describe: format!("actor {name}"),
                enum_values: None,
                literal: None,
            })
        }
        OperandDef::Case(attr) => case_operand(*attr, syms, path, out),
        OperandDef::Value(json) => {
            use serde_json::Value as J;
            let (value, ty) = match json {
                J::String(s) => (Some(Value::Str(s.as_str().into())), Ty::Str),
                J::Bool(b) => (Some(Value::Bool(*b)), Ty::Bool),
                J::Number(n) if n.is_i64() => (n.as_i64().map(|i| Value::Num(i as f64)), Ty::Int),
                J::Number(n) => (n.as_f64().map(Value::Num), Ty::Num),
                J::Array(items) if items.iter().all(|i| i.is_string()) => (
                    Some(Value::List(
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(Into::into))
                            .collect(),
                    )),
                    Ty::List,
                ),
                _ => (None, Ty::Bad),
            };
            Some(Typed {
                operand: Operand::Lit(value.unwrap_or(Value::Bool(false))),
                ty,
                describe: format!("literal `{json}`"),
                enum_values: None,
                literal: Some(json),
            })
        }
    }
}

fn field_operand<'s>(
    index: usize,
    kind: FieldKind,
    id: &'s str,
    values: &'s [Box<str>],
    describe: String,
) -> Typed<'s> {
    let ty = match kind {
        FieldKind::String | FieldKind::Text | FieldKind::Enum => Ty::Str,
        FieldKind::Number => Ty::Num,
        FieldKind::Boolean => Ty::Bool,
        FieldKind::Datetime => Ty::Time,
        FieldKind::List => Ty::List,
    };
    Typed {
        operand: Operand::Field(index),
        ty,
        describe,
        enum_values: (kind == FieldKind::Enum).then_some((id, values)),
        literal: None,
    }
}

fn case_operand<'s>(
    attr: CaseAttr,
    syms: &'s Symbols<'s>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Typed<'s>> {
    let (operand, ty, name) = match attr {
        CaseAttr::Channel => (Operand::CaseChannel, Ty::Str, "channel"),
        CaseAttr::OpenedAt => (Operand::CaseOpenedAt, Ty::Time, "opened_at"),
        // The same for every case of this workflow; written as an operand so that one guard
        // reads the same in every template.
        CaseAttr::Workflow => (
            Operand::Lit(Value::Str(syms.workflow.into())),
            Ty::Str,
            "workflow",
        ),
        CaseAttr::Category => {
            let named = syms.handling.and_then(|h| h.category_field.as_deref());
            let Some((index, kind, values)) = named.and_then(|id| syms.field(id)) else {
                let error = DefinitionError::ActionNeedsSection {
                    action: "{\"case\": \"category\"}",
                    section: "handling.category_field",
                };
                out.push(Diagnostic::new(error, format!("{path}/case")));
                return None;
            };
            let describe = format!("case category (field `{}`, {kind})", named.unwrap_or(""));
            return Some(field_operand(
                index,
                kind,
                named.unwrap_or(""),
                values,
                describe,
            ));
        }
    };
    Some(Typed {
        operand,
        ty,
        describe: format!("case {name}"),
        enum_values: None,
        literal: None,
    })
}

fn compare(
    op: CmpOp,
    ops: &[OperandDef; 2],
    syms: &Symbols<'_>,
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Guard> {
    let p = format!("{path}/{}", op.name());
    let [l, r] = ops;
    let left = operand(l, syms, &format!("{p}/0"), out);
    let right = operand(r, syms, &format!("{p}/1"), out);
    let (mut left, mut right) = (left?, right?);
    if left.literal.is_some() && right.literal.is_some() {
        out.push(Diagnostic::new(DefinitionError::GuardConstant, p));
        return None;
    }
    let ok = match op {
        CmpOp::Eq | CmpOp::Ne => match (left.ty, right.ty) {
            (a, b) if a == b && a != Ty::Roles && a != Ty::Bad => true,
            (Ty::Num, Ty::Int) | (Ty::Int, Ty::Num) | (Ty::Time, Ty::Int) | (Ty::Int, Ty::Time) => {
                true
            }
            _ => false,
        },
        CmpOp::Lt | CmpOp::Gt => matches!(
            (left.ty, right.ty),
            (Ty::Num, Ty::Num)
                | (Ty::Num, Ty::Int)
                | (Ty::Int, Ty::Num)
                | (Ty::Time, Ty::Time)
                | (Ty::Time, Ty::Int)
                | (Ty::Int, Ty::Time)
        ),
        CmpOp::In => left.ty == Ty::Str && matches!(right.ty, Ty::List | Ty::Roles),
    };
    if !ok {
        out.push(Diagnostic::new(
            DefinitionError::GuardTypeMismatch {
                op: op.name(),
                left: left.describe,
                right: right.describe,
            },
            p,
        ));
        return None;
    }
    // Integer literals beside a datetime are instants.
    if left.ty == Ty::Int && right.ty == Ty::Time {
        as_instant(&mut left.operand);
    }
    if right.ty == Ty::Int && left.ty == Ty::Time {
        as_instant(&mut right.operand);
    }
    // Enum literals must be values the field can hold; role literals must be declared roles.
    let before = out.len();
    check_literals(&left, &right, syms, &format!("{p}/1/value"), out);
    check_literals(&right, &left, syms, &format!("{p}/0/value"), out);
    if out.len() > before {
        return None;
    }
    Some(Guard::Cmp(op, left.operand, right.operand))
}

fn as_instant(operand: &mut Operand) {
    if let Operand::Lit(Value::Num(n)) = operand {
        // Integer literals were read from an i64, so this round-trips exactly.
        *operand = Operand::Lit(Value::Time(*n as i64));
    }
}

/// Checks the literal on `lit_side` (at `lit_path`) against what `other` can hold.
fn check_literals(
    other: &Typed<'_>,
    lit_side: &Typed<'_>,
    syms: &Symbols<'_>,
    lit_path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(lit) = lit_side.literal else { return };
    let strings: Vec<&str> = match lit {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(items) => items.iter().filter_map(|i| i.as_str()).collect(),
        _ => return,
    };
    if let Some((field, values)) = other.enum_values {
        for s in strings {
            if !values.iter().any(|v| &**v == s) {
                let mut d = Diagnostic::new(
                    DefinitionError::UnknownEnumValue {
                        field: field.to_owned(),
                        value: s.to_owned(),
                    },
                    lit_path,
                );
                d.help = Some(declared("values", values.iter()));
                out.push(d);
            }
        }
    } else if other.ty == Ty::Roles {
        for s in strings {
            if !syms.roles.iter().any(|r| &**r == s) {
                let mut d =
                    Diagnostic::new(DefinitionError::UnknownRole { id: s.to_owned() }, lit_path);
                d.help = Some(declared("roles", syms.roles.iter()));
                out.push(d);
            }
        }
    }
}

pub(crate) fn declared<'a, S: AsRef<str> + 'a + ?Sized>(
    what: &str,
    ids: impl Iterator<Item = &'a S>,
) -> String {
    let ids: Vec<String> = ids.take(20).map(|s| format!("`{}`", s.as_ref())).collect();
    if ids.is_empty() {
        format!("no {what} are declared")
    } else {
        format!("declared {what}: {}", ids.join(", "))
    }
}

/// The facts a guard reads while it runs.
pub(crate) struct Scope<'a> {
    pub fields: &'a [Option<Value>],
    pub actor_id: &'a str,
    pub actor_unit: Option<&'a str>,
    pub actor_roles: u64,
    pub roles: &'a [Box<str>],
    /// The case's channel and opening instant.
    pub channel: &'a str,
    pub opened_at: i64,
    pub org: Option<&'a crate::org::Org>,
    pub handling: Option<&'a crate::org::handling::HandlingView>,
}

enum Resolved<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Time(i64),
    List(&'a [Box<str>]),
    Roles(u64),
}

impl Guard {
    /// Whether it reads the organisation tree, which may change after a command was taken.
    pub(crate) fn uses_org(&self) -> bool {
        match self {
            Guard::All(items) | Guard::Any(items) => items.iter().any(Guard::uses_org),
            Guard::Not(inner) => inner.uses_org(),
            Guard::UnitIs(rel) => *rel == UnitRelation::Upstream,
            Guard::Cmp(..) | Guard::Exists(_) => false,
        }
    }

    pub(crate) fn eval(&self, scope: &Scope<'_>) -> bool {
        match self {
            Guard::All(items) => items.iter().all(|g| g.eval(scope)),
            Guard::Any(items) => items.iter().any(|g| g.eval(scope)),
            Guard::Not(inner) => !inner.eval(scope),
            Guard::Exists(op) => resolve(op, scope).is_some(),
            Guard::UnitIs(rel) => {
                let (Some(unit), Some(h)) = (scope.actor_unit, scope.handling) else {
                    return false;
                };
                match rel {
                    UnitRelation::Handling => h.unit.as_deref() == Some(unit),
                    UnitRelation::Upstream => match (scope.org, h.unit.as_deref()) {
                        (Some(org), Some(handling)) => org.is_above(unit, handling),
                        _ => false,
                    },
                    UnitRelation::Assisting => h
                        .assisting
                        .iter()
                        .any(|a| a.unit == unit && a.answered_at.is_none()),
                }
            }
            Guard::Cmp(op, l, r) => {
                let (Some(l), Some(r)) = (resolve(l, scope), resolve(r, scope)) else {
                    return false;
                };
                compare_values(*op, &l, &r, scope.roles)
            }
        }
    }
}

fn resolve<'a>(op: &'a Operand, scope: &Scope<'a>) -> Option<Resolved<'a>> {
    let value = match op {
        Operand::Field(i) => scope.fields.get(*i)?.as_ref()?,
        Operand::Lit(v) => v,
        Operand::ActorId => return Some(Resolved::Str(scope.actor_id)),
        Operand::ActorUnit => return scope.actor_unit.map(Resolved::Str),
        Operand::ActorRoles => return Some(Resolved::Roles(scope.actor_roles)),
        Operand::CaseChannel => return Some(Resolved::Str(scope.channel)),
        Operand::CaseOpenedAt => return Some(Resolved::Time(scope.opened_at)),
    };
    Some(match value {
        Value::Str(s) => Resolved::Str(s),
        Value::Num(n) => Resolved::Num(*n),
        Value::Bool(b) => Resolved::Bool(*b),
        Value::Time(t) => Resolved::Time(*t),
        Value::List(l) => Resolved::List(l),
    })
}

fn compare_values(op: CmpOp, l: &Resolved<'_>, r: &Resolved<'_>, roles: &[Box<str>]) -> bool {
    use std::cmp::Ordering;
    use Resolved as R;
    let ordering = match (l, r) {
        (R::Num(a), R::Num(b)) => a.partial_cmp(b),
        (R::Time(a), R::Time(b)) => Some(a.cmp(b)),
        (R::Str(a), R::Str(b)) => Some(a.cmp(b)),
        (R::Bool(a), R::Bool(b)) => Some(a.cmp(b)),
        (R::List(a), R::List(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match op {
        CmpOp::Eq => ordering == Some(Ordering::Equal),
        CmpOp::Ne => ordering.is_some_and(|o| o != Ordering::Equal),
        CmpOp::Lt => ordering == Some(Ordering::Less),
        CmpOp::Gt => ordering == Some(Ordering::Greater),
        CmpOp::In => match (l, r) {
            (R::Str(s), R::List(items)) => items.iter().any(|i| &**i == *s),
            (R::Str(s), R::Roles(mask)) => roles
                .iter()
                .position(|role| &**role == *s)
                .is_some_and(|i| i < 64 && mask & (1u64 << i) != 0),
            _ => false,
        },
    }
}

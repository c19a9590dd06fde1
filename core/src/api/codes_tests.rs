//! The error-code registry: every code listed once, produced by some variant, documented.

use crate::*;

use std::collections::BTreeSet;

/// One of every error, so that each code is produced by some variant. The `match`es make
/// adding a variant without listing it here a compile error.
fn samples() -> Vec<ErrorDetail> {
    let s = String::new;
    let definition = vec![
        DefinitionError::Invalid { message: s() },
        DefinitionError::UnsupportedFormat { found: 2 },
        DefinitionError::InvalidId {
            id: s(),
            reason: "",
        },
        DefinitionError::DuplicateId {
            kind: "state id",
            id: s(),
        },
        DefinitionError::RepeatedEntry {
            list: "from",
            id: s(),
        },
        DefinitionError::UnknownState { id: s() },
        DefinitionError::UnknownRole { id: s() },
        DefinitionError::UnknownField { id: s() },
        DefinitionError::NoInitialState,
        DefinitionError::MultipleInitialStates {
            id: s(),
            first: s(),
        },
        DefinitionError::NoTerminalState,
        DefinitionError::TransitionFromTerminal {
            transition: s(),
            state: s(),
        },
        DefinitionError::EmptyFrom { transition: s() },
        DefinitionError::EmptyRoles { transition: s() },
        DefinitionError::EmptyEnum { field: s() },
        DefinitionError::UnexpectedValues {
            field: s(),
            kind: FieldKind::Number,
        },
        DefinitionError::GuardTypeMismatch {
            op: "eq",
            left: s(),
            right: s(),
        },
        DefinitionError::UnknownEnumValue {
            field: s(),
            value: s(),
        },
        DefinitionError::GuardConstant,
        DefinitionError::GuardTooDeep { limit: 1 },
        DefinitionError::UnreachableState {
            state: s(),
            initial: s(),
        },
        DefinitionError::TrapState { state: s() },
        DefinitionError::TooMany {
            what: "states",
            count: 2,
            max: 1,
        },
        DefinitionError::UnknownTransition { id: s() },
        DefinitionError::EmptyTrigger {
            sla: s(),
            which: "start",
        },
        DefinitionError::NoTarget { sla: s() },
        DefinitionError::InvalidDuration { reason: "" },
        DefinitionError::InvalidWarning { id: s() },
        DefinitionError::BreachTransitionRequires { transition: s() },
        DefinitionError::BasisMismatch {
            sla: s(),
            target: "",
            extension: "",
        },
        DefinitionError::UnknownCalendar {
            sla: s(),
            calendar: s(),
        },
        DefinitionError::Infeasible {
            sla: s(),
            stages: s(),
            total: 2,
            limit: 1,
            unit: "",
        },
        DefinitionError::HandlingFieldKind {
            field: s(),
            kind: FieldKind::Number,
            expected: s(),
        },
        DefinitionError::UnknownLegalRoute {
            value: s(),
            routes: s(),
        },
        DefinitionError::LegalRouteNotTerminal { transition: s() },
        DefinitionError::MaskNotPersonal { field: s() },
        DefinitionError::InvalidMask {
            field: s(),
            reason: s(),
        },
        DefinitionError::ScrubField {
            field: s(),
            kind: FieldKind::Number,
            reason: "",
        },
        DefinitionError::ActionNeedsSection {
            action: "assist",
            section: "handling.assist",
        },
        DefinitionError::UnknownSla { id: s() },
        DefinitionError::UnusedRole { role: s() },
        DefinitionError::MissingTitle {
            kind: "state",
            id: s(),
        },
    ];
    for d in &definition {
        match d {
            DefinitionError::Invalid { .. }
            | DefinitionError::UnsupportedFormat { .. }
            | DefinitionError::InvalidId { .. }
            | DefinitionError::DuplicateId { .. }
            | DefinitionError::RepeatedEntry { .. }
            | DefinitionError::UnknownState { .. }
            | DefinitionError::UnknownRole { .. }
            | DefinitionError::UnknownField { .. }
            | DefinitionError::NoInitialState
            | DefinitionError::MultipleInitialStates { .. }
            | DefinitionError::NoTerminalState
            | DefinitionError::TransitionFromTerminal { .. }
            | DefinitionError::EmptyFrom { .. }
            | DefinitionError::EmptyRoles { .. }
            | DefinitionError::EmptyEnum { .. }
            | DefinitionError::UnexpectedValues { .. }
            | DefinitionError::GuardTypeMismatch { .. }
            | DefinitionError::UnknownEnumValue { .. }
            | DefinitionError::GuardConstant
            | DefinitionError::GuardTooDeep { .. }
            | DefinitionError::UnreachableState { .. }
            | DefinitionError::TrapState { .. }
            | DefinitionError::TooMany { .. }
            | DefinitionError::UnknownTransition { .. }
            | DefinitionError::EmptyTrigger { .. }
            | DefinitionError::NoTarget { .. }
            | DefinitionError::InvalidDuration { .. }
            | DefinitionError::InvalidWarning { .. }
            | DefinitionError::BreachTransitionRequires { .. }
            | DefinitionError::BasisMismatch { .. }
            | DefinitionError::UnknownCalendar { .. }
            | DefinitionError::Infeasible { .. }
            | DefinitionError::HandlingFieldKind { .. }
            | DefinitionError::UnknownLegalRoute { .. }
            | DefinitionError::LegalRouteNotTerminal { .. }
            | DefinitionError::MaskNotPersonal { .. }
            | DefinitionError::InvalidMask { .. }
            | DefinitionError::ScrubField { .. }
            | DefinitionError::ActionNeedsSection { .. }
            | DefinitionError::UnknownSla { .. }
            | DefinitionError::UnusedRole { .. }
            | DefinitionError::MissingTitle { .. } => {}
        }
    }
    let fields = vec![
        FieldProblem::Unknown { field: s() },
        FieldProblem::Missing { field: s() },
        FieldProblem::MissingPayload {
            field: s(),
            transition: s(),
        },
        FieldProblem::WrongType {
            field: s(),
            expected: FieldKind::Text,
            found: "",
        },
        FieldProblem::InvalidEnumValue {
            field: s(),
            value: s(),
            allowed: vec![],
        },
        FieldProblem::InvalidValue {
            field: s(),
            reason: "",
        },
    ];
    let mut cases = vec![
        CaseError::WorkflowNotFound {
            id: s(),
            version: None,
        },
        CaseError::NotFound { case_id: s() },
        CaseError::AlreadyExists { case_id: s() },
        CaseError::InvalidId {
            case_id: s(),
            reason: "",
        },
        CaseError::LinkedNotLoaded {
            case_id: s(),
            missing: vec![s()],
        },
        CaseError::NotLinked { case_id: s() },
        CaseError::PrimaryOpen {
            case_id: s(),
            primary: s(),
        },
        CaseError::InvalidRequestId {
            request_id: s(),
            reason: "",
        },
        CaseError::SeqMismatch {
            case_id: s(),
            expected: 0,
            actual: 1,
        },
        CaseError::InvalidActor {
            attribute: "id",
            reason: "",
        },
        CaseError::InvalidChannel {
            channel: s(),
            reason: "",
        },
        CaseError::InvalidTime { at: 0 },
        CaseError::Terminal {
            case_id: s(),
            state: s(),
        },
        CaseError::TimeWentBackwards { at: 0, last: 1 },
        CaseError::UnknownTransition {
            transition: s(),
            available: vec![],
        },
        CaseError::TransitionNotFromState {
            transition: s(),
            state: s(),
            available: vec![],
        },
        CaseError::RoleNotAllowed {
            actor: s(),
            transition: s(),
            allowed: vec![],
        },
        CaseError::GuardFailed {
            transition: s(),
            guard_path: s(),
        },
        CaseError::NoChannels {
            transition: s(),
            field: s(),
        },
        CaseError::SlaNotFound { sla: s() },
        CaseError::SlaNotRunning { sla: s() },
        CaseError::SlaAlreadyFired { sla: s(), step: 0 },
        CaseError::ExtensionNotAllowed {
            sla: s(),
            actor: s(),
        },
        CaseError::ExtensionBasis {
            sla: s(),
            expected: "",
            found: "",
        },
        CaseError::ReasonRequired { sla: s() },
        CaseError::InvalidExtension { sla: s() },
        CaseError::ExtensionLimit {
            unit: "ms",
            sla: s(),
            count: 1,
            max_count: 1,
            used: 1,
            max_total: 1,
        },
        CaseError::NoHandling {
            workflow: s(),
            section: "handling",
        },
        CaseError::NotDispatched { case_id: s() },
        CaseError::NotLeadUnit {
            actor_unit: None,
            lead: s(),
        },
        CaseError::OpinionsPending { units: vec![s()] },
        CaseError::WindowClosed {
            transition: s(),
            sla: s(),
            due_at: Some(0),
        },
        CaseError::InvalidAssist {
            unit: s(),
            reason: "",
        },
        CaseError::NotAssisting { unit: Some(s()) },
        CaseError::ReopenNotAllowed { case_id: s() },
        CaseError::ReopenLimit {
            case_id: s(),
            limit: 1,
        },
        CaseError::UnknownSupervision { index: 1 },
        CaseError::SupervisionAnswered { index: 0 },
        CaseError::InvalidLink {
            case_id: s(),
            primary: s(),
            reason: "",
        },
        CaseError::AlreadyLinked {
            case_id: s(),
            primary: s(),
        },
        CaseError::Duplicate { existing: s() },
        CaseError::AppealNotReplied { case_id: s() },
        CaseError::AppealOutOfWindow {
            case_id: s(),
            closed_at: 0,
        },
        CaseError::AppealFinal { case_id: s() },
        CaseError::AppealExists {
            case_id: s(),
            existing: s(),
        },
        CaseError::Calendar(CalendarError::NoWorkingTime),
    ];
    let orgs = [
        OrgError::Invalid { message: s() },
        OrgError::UnsupportedFormat { found: 2 },
        OrgError::InvalidId {
            what: "unit",
            id: s(),
            reason: "",
        },
        OrgError::Duplicate {
            what: "unit",
            id: s(),
        },
        OrgError::UnknownUnit { unit: s() },
        OrgError::CyclicParent { unit: s() },
        OrgError::EmptyRule { rule: s() },
        OrgError::TooMany { count: 2, max: 1 },
        OrgError::NotLoaded,
        OrgError::NoCatalogue { org: s() },
        OrgError::AccusedUnit {
            unit: s(),
            accused: s(),
        },
        OrgError::NoRoute { accused: s() },
        OrgError::GrassrootsUnit {
            unit: s(),
            category: s(),
        },
        OrgError::NoDepartmentRoute { category: s() },
        OrgError::NotSuperior {
            unit: s(),
            handling: s(),
        },
    ];
    for o in &orgs {
        match o {
            OrgError::Invalid { .. }
            | OrgError::UnsupportedFormat { .. }
            | OrgError::InvalidId { .. }
            | OrgError::Duplicate { .. }
            | OrgError::UnknownUnit { .. }
            | OrgError::CyclicParent { .. }
            | OrgError::EmptyRule { .. }
            | OrgError::TooMany { .. }
            | OrgError::NotLoaded
            | OrgError::NoCatalogue { .. }
            | OrgError::AccusedUnit { .. }
            | OrgError::NoRoute { .. }
            | OrgError::GrassrootsUnit { .. }
            | OrgError::NoDepartmentRoute { .. }
            | OrgError::NotSuperior { .. } => cases.push(CaseError::Org(o.clone())),
        }
    }
    cases.push(CaseError::HistoryFull {
        case_id: s(),
        limit: 1,
    });
    cases.push(CaseError::OutboxFull {
        pending: 1,
        limit: 1,
    });
    cases.push(CaseError::NotClosed {
        case_id: s(),
        state: s(),
    });
    cases.push(CaseError::EffectsPending {
        case_id: s(),
        pending: 1,
    });
    cases.push(CaseError::Fields {
        place: FieldSource::Payload,
        problems: fields,
    });
    for c in &cases {
        match c {
            CaseError::WorkflowNotFound { .. }
            | CaseError::NotFound { .. }
            | CaseError::AlreadyExists { .. }
            | CaseError::InvalidId { .. }
            | CaseError::InvalidRequestId { .. }
            | CaseError::SeqMismatch { .. }
            | CaseError::LinkedNotLoaded { .. }
            | CaseError::NotLinked { .. }
            | CaseError::PrimaryOpen { .. }
            | CaseError::InvalidActor { .. }
            | CaseError::InvalidChannel { .. }
            | CaseError::InvalidTime { .. }
            | CaseError::Terminal { .. }
            | CaseError::TimeWentBackwards { .. }
            | CaseError::UnknownTransition { .. }
            | CaseError::TransitionNotFromState { .. }
            | CaseError::RoleNotAllowed { .. }
            | CaseError::GuardFailed { .. }
            | CaseError::NoChannels { .. }
            | CaseError::SlaNotFound { .. }
            | CaseError::SlaNotRunning { .. }
            | CaseError::SlaAlreadyFired { .. }
            | CaseError::ExtensionNotAllowed { .. }
            | CaseError::ExtensionBasis { .. }
            | CaseError::ReasonRequired { .. }
            | CaseError::InvalidExtension { .. }
            | CaseError::ExtensionLimit { .. }
            | CaseError::NoHandling { .. }
            | CaseError::NotDispatched { .. }
            | CaseError::NotLeadUnit { .. }
            | CaseError::OpinionsPending { .. }
            | CaseError::WindowClosed { .. }
            | CaseError::InvalidAssist { .. }
            | CaseError::NotAssisting { .. }
            | CaseError::ReopenNotAllowed { .. }
            | CaseError::ReopenLimit { .. }
            | CaseError::UnknownSupervision { .. }
            | CaseError::SupervisionAnswered { .. }
            | CaseError::InvalidLink { .. }
            | CaseError::AlreadyLinked { .. }
            | CaseError::Duplicate { .. }
            | CaseError::AppealNotReplied { .. }
            | CaseError::AppealOutOfWindow { .. }
            | CaseError::AppealFinal { .. }
            | CaseError::AppealExists { .. }
            | CaseError::HistoryFull { .. }
            | CaseError::OutboxFull { .. }
            | CaseError::NotClosed { .. }
            | CaseError::EffectsPending { .. }
            | CaseError::Org(_)
            | CaseError::Calendar(_)
            | CaseError::Fields { .. } => {}
        }
    }
    let history = [
        HistoryError::Empty,
        HistoryError::BadSequence {
            index: 0,
            reason: "",
        },
        HistoryError::Mismatch {
            index: 0,
            recorded: s(),
            replayed: s(),
        },
        HistoryError::Rejected {
            index: 0,
            error: CaseError::InvalidTime { at: 0 },
        },
        HistoryError::HashMismatch { index: 0 },
        HistoryError::HashMissing { index: 0 },
        HistoryError::HeadMismatch {
            expected: s(),
            found: s(),
        },
        HistoryError::TooLong {
            events: 2,
            limit: 1,
        },
        HistoryError::Diverged { index: 0, seq: 0 },
    ];
    let snapshot = [
        SnapshotError::UnsupportedFormat { found: 2 },
        SnapshotError::Duplicate {
            what: "case",
            id: s(),
            path: s(),
        },
        SnapshotError::StateMismatch {
            index: 0,
            case_id: s(),
            recorded: s(),
            replayed: s(),
        },
    ];
    let calendars = [
        CalendarError::Invalid { message: s() },
        CalendarError::UnsupportedFormat { found: 2 },
        CalendarError::InvalidId { id: s() },
        CalendarError::MissingKey { key: "week" },
        CalendarError::UnknownTimeZone { name: s() },
        CalendarError::InvalidDate {
            value: s(),
            reason: s(),
        },
        CalendarError::InvalidInterval {
            value: s(),
            reason: "",
        },
        CalendarError::InvalidYears { from: 2, to: 1 },
        CalendarError::DateOutsideYears { date: s() },
        CalendarError::ConflictingDay { date: s() },
        CalendarError::NoWorkingTime,
        CalendarError::NotFound { id: s() },
        CalendarError::CyclicExtends {
            id: s(),
            through: s(),
        },
        CalendarError::OutOfRange { at: 0 },
    ];
    for c in &calendars {
        match c {
            CalendarError::Invalid { .. }
            | CalendarError::UnsupportedFormat { .. }
            | CalendarError::InvalidId { .. }
            | CalendarError::MissingKey { .. }
            | CalendarError::UnknownTimeZone { .. }
            | CalendarError::InvalidDate { .. }
            | CalendarError::InvalidInterval { .. }
            | CalendarError::InvalidYears { .. }
            | CalendarError::DateOutsideYears { .. }
            | CalendarError::ConflictingDay { .. }
            | CalendarError::NoWorkingTime
            | CalendarError::NotFound { .. }
            | CalendarError::CyclicExtends { .. }
            | CalendarError::OutOfRange { .. } => {}
        }
    }
    let notices = [
        NoticeError::Unreadable {
            line: 1,
            text: s(),
            reason: "",
        },
        NoticeError::Weekday {
            line: 1,
            date: s(),
            stated: s(),
            actual: "",
        },
        NoticeError::DayCount {
            line: 1,
            stated: 3,
            counted: 2,
        },
        NoticeError::NotWeekend { line: 1, date: s() },
        NoticeError::Overlap { line: 1, date: s() },
        NoticeError::UnknownHoliday { line: 1, name: s() },
        NoticeError::Year { reason: s() },
        NoticeError::Empty,
        NoticeError::YearGap {
            year: 2029,
            from: 2020,
            to: 2026,
        },
    ];
    for n in &notices {
        match n {
            NoticeError::Unreadable { .. }
            | NoticeError::Weekday { .. }
            | NoticeError::DayCount { .. }
            | NoticeError::NotWeekend { .. }
            | NoticeError::Overlap { .. }
            | NoticeError::UnknownHoliday { .. }
            | NoticeError::Year { .. }
            | NoticeError::Empty
            | NoticeError::YearGap { .. } => {}
        }
    }
    let requests = [
        RequestError::InvalidJson { message: s() },
        RequestError::InvalidUtf8 { valid_up_to: 3 },
        RequestError::Invalid {
            message: s(),
            path: s(),
        },
        RequestError::TooLarge { size: 2, limit: 1 },
        RequestError::TooDeep {
            limit: 1,
            path: s(),
        },
        RequestError::StringTooLong {
            size: 2,
            limit: 1,
            path: s(),
        },
        RequestError::DuplicateKey {
            key: s(),
            path: s(),
        },
        RequestError::EngineFreed,
        RequestError::NotInitialized,
    ];
    let mut out: Vec<ErrorDetail> = definition
        .iter()
        .map(|d| Diagnostic::new(d.clone(), "").detail(""))
        .collect();
    out.extend(cases.iter().flat_map(|e| e.details("")));
    out.extend(
        WorkflowError::VersionConflict {
            id: s(),
            version: 1,
        }
        .details(""),
    );
    out.extend(GraphError::UnknownState { state: s() }.details(""));
    out.extend(history.iter().map(|h| h.detail("")));
    out.extend(snapshot.iter().flat_map(|e| e.details("")));
    out.extend(requests.iter().map(|r| r.detail("")));
    out.extend(calendars.iter().map(|c| c.detail("")));
    out.extend(notices.iter().map(|n| n.detail("")));
    out.push(crate::engine::outbox::UnknownEffect { id: s(), index: 0 }.detail(""));
    out.push(crate::engine::outbox::OutboxNotEmpty { pending: 1 }.detail(""));
    use crate::metrics::MetricsError;
    let metrics = [
        MetricsError::InvalidTime { name: "now", at: 0 },
        MetricsError::InvalidPeriod { from: 1, to: 0 },
        MetricsError::InvalidScoring {
            path: s(),
            reason: s(),
        },
        MetricsError::InvalidQuery {
            path: s(),
            reason: s(),
        },
        MetricsError::RollUpNeedsUnits {
            group_by: "channel",
        },
        MetricsError::NoOrg,
        MetricsError::UnknownWorkflow { id: s() },
    ];
    for m in &metrics {
        match m {
            MetricsError::InvalidTime { .. }
            | MetricsError::InvalidPeriod { .. }
            | MetricsError::InvalidScoring { .. }
            | MetricsError::InvalidQuery { .. }
            | MetricsError::RollUpNeedsUnits { .. }
            | MetricsError::NoOrg
            | MetricsError::UnknownWorkflow { .. } => out.push(m.detail("")),
        }
    }
    out.push(ErrorDetail::new(
        "calendar.invalid_duration",
        "invalid duration",
    ));
    out
}

#[test]
fn codes_are_unique_and_each_is_produced() {
    let listed: BTreeSet<&str> = ALL_CODES.iter().copied().collect();
    assert_eq!(listed.len(), ALL_CODES.len(), "a code is listed twice");
    let produced: BTreeSet<String> = samples().into_iter().map(|d| d.code).collect();
    let produced: BTreeSet<&str> = produced.iter().map(String::as_str).collect();
    assert_eq!(produced, listed);
}

#[test]
fn codes_are_dotted_lowercase() {
    for code in ALL_CODES {
        let (area, name) = code.split_once('.').unwrap();
        assert!(
            !area.is_empty() && !name.is_empty() && !name.contains('.'),
            "{code}"
        );
        assert!(
            code.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'),
            "{code}"
        );
    }
}

#[test]
fn messages_follow_the_style_guide() {
    for d in samples() {
        let first = d.message.chars().next();
        assert!(
            !first.is_some_and(|c| c.is_uppercase()),
            "`{}` starts uppercase",
            d.message
        );
        assert!(
            !d.message.ends_with('.'),
            "`{}` ends with a period",
            d.message
        );
    }
}

#[test]
fn docs_list_every_code() {
    let docs = include_str!("../../../docs/errors.md");
    let documented: BTreeSet<&str> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let listed: BTreeSet<&str> = ALL_CODES.iter().copied().collect();
    assert_eq!(documented, listed, "docs/errors.md and ALL_CODES differ");
}

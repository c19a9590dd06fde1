//! Ops: governance.

use crate::api::*;
use crate::engine::Engine;

/// Load or replace the organisation tree and dispatch catalogue.
pub(super) fn load_org(engine: &mut Engine, OrgRequest { org }: OrgRequest) -> Outcome {
    let def = parse_document::<OrgDef>(org, "/org").map_err(|e| vec![e])?;
    let org = engine.load_org(def).map_err(|e| e.details("/org"))?;
    Ok(to_json(&answer::OrgLoaded {
        id: org.id().to_owned(),
        units: org.len(),
    }))
}

/// Where the dispatch catalogue sends a matter.
pub(super) fn route(
    engine: &mut Engine,
    RouteRequest {
        category,
        region,
        accused,
    }: RouteRequest,
) -> Outcome {
    let route = engine
        .route(category.as_deref(), region.as_deref(), accused.as_deref())
        .map_err(|e| vec![e.detail("")])?;
    Ok(to_json(&route))
}

/// Link a case to a primary as a duplicate.
pub(super) fn link_cases(
    engine: &mut Engine,
    LinkRequest {
        case_id,
        primary,
        actor,
        at,
        expected_seq,
        expected_primary_seq,
        request_id,
    }: LinkRequest,
) -> Outcome {
    let pre = precondition(expected_seq, &request_id);
    let link = |engine: &mut Engine| {
        engine.check_seq(&primary, expected_primary_seq)?;
        engine.link(&case_id, &primary, &actor, at).map(|_| ())
    };
    let details = |e| link_details(e, &case_id, &primary);
    let change = engine.guarded_change(&case_id, pre, link, details)?;
    Ok(to_json(&change))
}

/// An assisting unit gives its opinion.
pub(super) fn submit_opinion(
    engine: &mut Engine,
    OpinionRequest {
        case_id,
        actor,
        opinion,
        at,
        expected_seq,
        request_id,
    }: OpinionRequest,
) -> Outcome {
    let pre = precondition(expected_seq, &request_id);
    let command = |engine: &mut Engine| {
        engine
            .submit_opinion(&case_id, &actor, &opinion, at)
            .map(|_| ())
    };
    let change = engine.guarded_change(&case_id, pre, command, |e| e.details(""))?;
    Ok(to_json(&change))
}

/// A higher unit supervises a case.
pub(super) fn supervise(
    engine: &mut Engine,
    SuperviseRequest {
        case_id,
        actor,
        level,
        within,
        required,
        at,
        expected_seq,
        request_id,
    }: SuperviseRequest,
) -> Outcome {
    let within = match within {
        Some(d) => Some(
            d.duration()
                .map_err(|r| vec![duration_error(r).at("/within")])?,
        ),
        None => None,
    };
    let pre = precondition(expected_seq, &request_id);
    let command = |engine: &mut Engine| {
        engine
            .supervise(&case_id, &actor, level, within, &required, at)
            .map(|_| ())
    };
    let change = engine.guarded_change(&case_id, pre, command, |e| e.details(""))?;
    Ok(to_json(&change))
}

/// The handling unit answers a supervision.
pub(super) fn answer_supervision(
    engine: &mut Engine,
    AnswerSupervisionRequest {
        case_id,
        actor,
        supervision,
        answer,
        at,
        expected_seq,
        request_id,
    }: AnswerSupervisionRequest,
) -> Outcome {
    let pre = precondition(expected_seq, &request_id);
    let command = |engine: &mut Engine| {
        engine
            .answer_supervision(&case_id, &actor, supervision, &answer, at)
            .map(|_| ())
    };
    let change = engine.guarded_change(&case_id, pre, command, |e| e.details(""))?;
    Ok(to_json(&change))
}

/// A linked duplicate follows its closed primary.
pub(super) fn follow_primary(
    engine: &mut Engine,
    FollowRequest {
        case_id,
        at,
        expected_seq,
        request_id,
    }: FollowRequest,
) -> Outcome {
    let pre = precondition(expected_seq, &request_id);
    let follow = |engine: &mut Engine| engine.follow(&case_id, at).map(|_| ());
    let change = engine.guarded_change(&case_id, pre, follow, |e| e.details(""))?;
    Ok(to_json(&change))
}

//! Ops: cases.

use crate::api::*;
use crate::engine::Engine;

/// Open a case.
pub(super) fn open_case(
    engine: &mut Engine,
    OpenCaseRequest {
        case_id,
        workflow,
        version,
        channel,
        fields,
        actor,
        at,
        keys,
        appeal_of,
        request_id,
    }: OpenCaseRequest,
) -> Outcome {
    let opening = Opening {
        case_id: &case_id,
        channel: &channel,
        fields: Values::Json(&fields),
        actor: &actor,
        at,
        keys: keys.as_ref(),
    };
    let candidates = engine.candidates(&workflow, version, keys.as_ref());
    let open = |engine: &mut Engine| {
        match &appeal_of {
            Some(of) => engine.open_appeal(&workflow, version, &opening, of),
            None => engine.open_case(&workflow, version, &opening),
        }
        .map(|_| ())
    };
    let details = |e: CaseError| match (&e, &appeal_of) {
        // The case it appeals is missing, not the one being opened.
        (CaseError::NotFound { case_id: missing }, Some(of)) if missing == of => e
            .details("")
            .into_iter()
            .map(|d| d.at("/appeal_of"))
            .collect(),
        _ => e.details(""),
    };
    let pre = precondition(None, &request_id);
    let mut change = engine.guarded_change(&case_id, pre, open, details)?;
    if !change.duplicate {
        change.candidates = candidates;
    }
    Ok(to_json(&change))
}

/// Apply a transition to a case.
pub(super) fn apply(
    engine: &mut Engine,
    ApplyRequest {
        case_id,
        transition,
        actor,
        payload,
        at,
        expected_seq,
        request_id,
    }: ApplyRequest,
) -> Outcome {
    let cmd = Command {
        transition: &transition,
        actor: &actor,
        payload: Values::Json(&payload),
        at,
    };
    let pre = precondition(expected_seq, &request_id);
    let apply = |engine: &mut Engine| engine.apply(&case_id, &cmd).map(|_| ());
    let change = engine.guarded_change(&case_id, pre, apply, |e| e.details(""))?;
    Ok(to_json(&change))
}

/// A case's current view.
pub(super) fn get_case(engine: &mut Engine, CaseRequest { case_id }: CaseRequest) -> Outcome {
    let case = engine.case(&case_id).ok_or_else(|| not_found(&case_id))?;
    Ok(to_json(&case.view()))
}

/// The cases matching a query, a page at a time.
pub(super) fn list_cases(engine: &mut Engine, query: crate::engine::CaseQuery) -> Outcome {
    let list = engine
        .list_cases(&query)
        .map_err(|e| vec![ErrorDetail::new("request.invalid", e.reason).at(e.pointer)])?;
    Ok(to_json(&list))
}

/// Transitions an actor can take on a case now.
pub(super) fn available_transitions(
    engine: &mut Engine,
    AvailableRequest { case_id, actor }: AvailableRequest,
) -> Outcome {
    let case = engine.case(&case_id).ok_or_else(|| not_found(&case_id))?;
    Ok(to_json(&answer::Transitions {
        state: case.state().to_owned(),
        transitions: case.available(&actor),
        case_id,
    }))
}

/// What may be published about a case, personal data masked.
pub(super) fn public_view(engine: &mut Engine, CaseRequest { case_id }: CaseRequest) -> Outcome {
    let view = engine.public_view(&case_id).map_err(|e| e.details(""))?;
    Ok(to_json(&view))
}

/// Which cases and matter keys a request needs loaded.
pub(super) fn plan(engine: &mut Engine, PlanRequest { request }: PlanRequest) -> Outcome {
    let request = Request::from_json(request).map_err(|e| match e {
        RequestError::Invalid { message, path } => vec![RequestError::Invalid {
            message,
            path: format!("/request{path}"),
        }
        .detail("")],
        e => vec![e.detail("/request")],
    })?;
    Ok(to_json(&engine.plan(&request)))
}

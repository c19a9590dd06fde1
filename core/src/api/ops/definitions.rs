//! Ops: definitions.

use crate::api::*;
use crate::engine::Engine;

/// Validate and load a workflow definition.
pub(super) fn load_workflow(
    engine: &mut Engine,
    DefinitionRequest { definition }: DefinitionRequest,
) -> Outcome {
    let def = parse_document::<WorkflowDef>(definition, "/definition").map_err(|e| vec![e])?;
    let loaded = engine
        .load_workflow(def)
        .map_err(|e| e.details("/definition"))?;
    Ok(to_json(&answer::Loaded {
        id: loaded.workflow.id().to_owned(),
        version: loaded.workflow.version(),
        warnings: loaded
            .warnings
            .iter()
            .map(|d| d.detail("/definition"))
            .collect(),
    }))
}

/// Check a definition without loading it.
pub(super) fn validate_workflow(
    engine: &mut Engine,
    DefinitionRequest { definition }: DefinitionRequest,
) -> Outcome {
    let def = match parse_document::<WorkflowDef>(definition, "/definition") {
        Ok(def) => def,
        Err(e) => {
            return Ok(to_json(&answer::Validation {
                valid: false,
                errors: vec![e],
                warnings: Vec::new(),
            }))
        }
    };
    let (errors, warnings) = match Workflow::compile_with(def, engine.limits()) {
        Ok(c) => (Vec::new(), c.warnings),
        Err(inv) => (inv.errors, inv.warnings),
    };
    let details = |ds: &[crate::workflow::Diagnostic]| {
        ds.iter()
            .map(|d| d.detail("/definition"))
            .collect::<Vec<_>>()
    };
    Ok(to_json(&answer::Validation {
        valid: errors.is_empty(),
        errors: details(&errors),
        warnings: details(&warnings),
    }))
}

/// List loaded workflows.
pub(super) fn list_workflows(engine: &mut Engine, Empty {}: Empty) -> Outcome {
    let workflows = engine
        .workflows()
        .map(|w| answer::WorkflowSummary {
            id: w.id().to_owned(),
            version: w.version(),
            title: w.definition().title.clone(),
        })
        .collect();
    Ok(to_json(&answer::WorkflowList {
        workflows,
        digest: engine.definitions_digest(),
    }))
}

/// Fewest transitions to a terminal state.
pub(super) fn shortest_path(
    engine: &mut Engine,
    ShortestPathRequest {
        workflow,
        version,
        from,
    }: ShortestPathRequest,
) -> Outcome {
    let path = engine
        .shortest_path(&workflow, version, from.as_deref())
        .map_err(|e| e.details(""))?;
    Ok(to_json(&path))
}

/// Draw a workflow.
pub(super) fn export_graph(
    engine: &mut Engine,
    ExportGraphRequest {
        workflow,
        version,
        format,
        case_id,
    }: ExportGraphRequest,
) -> Outcome {
    let text = engine
        .export_graph(&workflow, version, format, case_id.as_deref())
        .map_err(|e| e.details(""))?;
    Ok(to_json(&answer::Drawing { format, text }))
}

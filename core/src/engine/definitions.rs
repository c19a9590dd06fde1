//! The definitions an engine decides on: workflows by id and version, calendars, and the
//! questions asked of a workflow's graph.

use super::*;
use crate::error::Located;

/// A workflow that was loaded, and the warnings its definition raised.
#[derive(Clone, Debug)]
pub struct LoadedWorkflow {
    /// The workflow.
    pub workflow: Arc<Workflow>,
    /// Non-fatal problems of the definition.
    pub warnings: Vec<Diagnostic>,
}

impl Engine {
    /// Validates and loads a workflow. Loading the same id and version again with an identical
    /// definition is a no-op, so hosts can load their definitions at every start.
    ///
    /// # Errors
    /// [`WorkflowError::Invalid`] with every problem of the definition;
    /// [`WorkflowError::VersionConflict`] when this id and version is loaded with a different
    /// definition (publish changes as a new version: running cases stay on theirs).
    pub fn load_workflow(&mut self, def: WorkflowDef) -> Result<LoadedWorkflow, WorkflowError> {
        let key = (def.id.clone(), def.version);
        if let Some(existing) = self.workflows.get(&key) {
            if *existing.definition() != def {
                return Err(WorkflowError::VersionConflict {
                    id: def.id,
                    version: def.version,
                });
            }
        }
        let mut compiled = Workflow::compile_with(def, &self.limits)?;
        let missing: Vec<Diagnostic> = compiled
            .workflow
            .definition()
            .slas
            .iter()
            .enumerate()
            .filter(|(_, s)| !self.calendars.contains_key(&s.calendar))
            .map(|(i, s)| {
                let error = DefinitionError::UnknownCalendar {
                    sla: s.id.clone(),
                    calendar: s.calendar.clone(),
                };
                Diagnostic::new(error, format!("/slas/{i}/calendar"))
            })
            .collect();
        if !missing.is_empty() {
            return Err(WorkflowError::Invalid(InvalidDefinition {
                errors: missing,
                warnings: std::mem::take(&mut compiled.warnings),
            }));
        }
        let workflow = self
            .workflows
            .entry(key)
            .or_insert_with(|| Arc::new(compiled.workflow))
            .clone();
        Ok(LoadedWorkflow {
            workflow,
            warnings: compiled.warnings,
        })
    }

    /// A loaded workflow: the given version, or the highest one loaded.
    pub fn workflow(&self, id: &str, version: Option<u32>) -> Option<&Arc<Workflow>> {
        match version {
            Some(v) => self.workflows.get(&(id.to_owned(), v)),
            None => self
                .workflows
                .range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX))
                .next_back()
                .map(|(_, w)| w),
        }
    }

    pub(super) fn workflow_or_err(
        &self,
        id: &str,
        version: Option<u32>,
    ) -> Result<&Arc<Workflow>, CaseError> {
        self.workflow(id, version)
            .ok_or_else(|| CaseError::WorkflowNotFound {
                id: id.to_owned(),
                version,
            })
    }

    /// Every loaded workflow, by id then version.
    pub fn workflows(&self) -> impl Iterator<Item = &Arc<Workflow>> {
        self.workflows.values()
    }

    /// Loads (or replaces) a calendar. A calendar that `extends` another is resolved against
    /// the loaded base; replacing a base recompiles the calendars that extend it, and the load is
    /// refused whole if any of them no longer compiles.
    ///
    /// # Errors
    /// [`InvalidCalendar`] with every problem; `calendar.not_found` for an unknown base,
    /// `calendar.cyclic_extends` when the chain of bases returns to this calendar.
    pub fn load_calendar(&mut self, def: CalendarDef) -> Result<Arc<Calendar>, InvalidCalendar> {
        let refuse = |error: CalendarError, path: &str| {
            InvalidCalendar::new(vec![Located::new(error, path)])
        };
        let base = match &def.extends {
            None => None,
            Some(base_id) => {
                let base = self.calendars.get(base_id).ok_or_else(|| {
                    refuse(
                        CalendarError::NotFound {
                            id: base_id.clone(),
                        },
                        "/extends",
                    )
                })?;
                let mut link = Some(base);
                while let Some(cal) = link {
                    if cal.id() == def.id {
                        let error = CalendarError::CyclicExtends {
                            id: def.id.clone(),
                            through: base_id.clone(),
                        };
                        return Err(refuse(error, "/extends"));
                    }
                    link = cal
                        .definition()
                        .extends
                        .as_ref()
                        .and_then(|b| self.calendars.get(b));
                }
                Some(base.clone())
            }
        };
        let id = def.id.clone();
        let compiled = Arc::new(Calendar::compile(def, base.as_deref())?);
        // Recompile everything built on this calendar, then commit all at once.
        let mut updated = BTreeMap::from([(id.clone(), compiled.clone())]);
        let mut queue = vec![id];
        while let Some(changed) = queue.pop() {
            let dependents: Vec<Arc<Calendar>> = self
                .calendars
                .values()
                .filter(|c| c.definition().extends.as_deref() == Some(changed.as_str()))
                .cloned()
                .collect();
            for child in dependents {
                let base = updated.get(&changed).cloned();
                let recompiled = Calendar::compile(child.definition().clone(), base.as_deref())?;
                queue.push(child.id().to_owned());
                updated.insert(child.id().to_owned(), Arc::new(recompiled));
            }
        }
        self.calendars.extend(updated);
        // Deadlines are computed from the calendar as it is now: move every timer with it.
        self.reindex_all();
        Ok(compiled)
    }

    /// A loaded calendar.
    pub fn calendar(&self, id: &str) -> Option<&Arc<Calendar>> {
        self.calendars.get(id)
    }

    /// A loaded calendar, or `calendar.not_found`.
    ///
    /// # Errors
    /// `calendar.not_found`.
    pub fn calendar_or_err(&self, id: &str) -> Result<&Arc<Calendar>, CalendarError> {
        self.calendars
            .get(id)
            .ok_or_else(|| CalendarError::NotFound { id: id.to_owned() })
    }

    /// The fewest transitions from `from` (default: the initial state) to a terminal state.
    ///
    /// # Errors
    /// `workflow.not_found`, `graph.unknown_state`.
    pub fn shortest_path(
        &self,
        workflow: &str,
        version: Option<u32>,
        from: Option<&str>,
    ) -> Result<PathToClose, GraphError> {
        let wf = self.workflow_or_err(workflow, version)?;
        let start = match from {
            Some(s) => wf.state_index(s).ok_or_else(|| GraphError::UnknownState {
                state: s.to_owned(),
            })?,
            None => wf.initial,
        };
        // A valid workflow has no traps, so a path always exists; the fallback is unreachable.
        Ok(
            graph::shortest_path(wf, start).unwrap_or_else(|| PathToClose {
                from: wf.state_id(start).to_owned(),
                to: wf.state_id(start).to_owned(),
                steps: Vec::new(),
            }),
        )
    }

    /// Draws a workflow as DOT or Mermaid; with `case_id`, that case's workflow version is
    /// drawn and its current state highlighted.
    ///
    /// # Errors
    /// `workflow.not_found`, `case.not_found`.
    pub fn export_graph(
        &self,
        workflow: &str,
        version: Option<u32>,
        format: GraphFormat,
        case_id: Option<&str>,
    ) -> Result<String, CaseError> {
        match case_id {
            Some(id) => {
                let case = self.case_or_err(id)?;
                Ok(graph::export(
                    case.workflow(),
                    format,
                    Some(case.state_index()),
                ))
            }
            None => Ok(graph::export(
                self.workflow_or_err(workflow, version)?,
                format,
                None,
            )),
        }
    }
}

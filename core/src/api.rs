//! The JSON API every binding speaks: a tagged request in, `{"ok": true, "result": ...}` or
//! `{"ok": false, "errors": [...]}` out. Each operation is a thin layer over a typed
//! [`Engine`] method; offered on [`serde_json::Value`], on `&str` and on bytes.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

use crate::case::{Actor, Command, EventRecord, Opening, Values};
use crate::definition::WorkflowDef;
use crate::engine::{Engine, Snapshot};
use crate::error::{ErrorDetail, RequestError};
use crate::graph::GraphFormat;
use crate::workflow::Workflow;

/// A request to the engine, tagged by `op`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Validate and load a workflow definition.
    LoadWorkflow {
        /// The definition document.
        definition: Json,
    },
    /// Check a definition without loading it.
    ValidateWorkflow {
        /// The definition document.
        definition: Json,
    },
    /// List loaded workflows.
    ListWorkflows {},
    /// Open a case.
    OpenCase {
        /// New case id.
        case_id: String,
        /// Workflow id.
        workflow: String,
        /// Workflow version; the highest loaded when absent.
        #[serde(default)]
        version: Option<u32>,
        /// Intake channel.
        channel: String,
        /// Field values.
        #[serde(default)]
        fields: Map<String, Json>,
        /// Who opens it.
        actor: Actor,
        /// When (UTC ms).
        at: i64,
    },
    /// Apply a transition to a case.
    Apply {
        /// Case id.
        case_id: String,
        /// Transition id.
        transition: String,
        /// Who acts.
        actor: Actor,
        /// Payload values.
        #[serde(default)]
        payload: Map<String, Json>,
        /// When (UTC ms).
        at: i64,
    },
    /// A case's current view.
    GetCase {
        /// Case id.
        case_id: String,
    },
    /// Transitions an actor can take on a case now.
    AvailableTransitions {
        /// Case id.
        case_id: String,
        /// Who would act.
        actor: Actor,
    },
    /// A case's history.
    History {
        /// Case id.
        case_id: String,
    },
    /// Rebuild a case from a history without storing it.
    Replay {
        /// The events.
        history: Vec<EventRecord>,
    },
    /// Fewest transitions to a terminal state.
    ShortestPath {
        /// Workflow id.
        workflow: String,
        /// Version; highest loaded when absent.
        #[serde(default)]
        version: Option<u32>,
        /// Starting state; the initial state when absent.
        #[serde(default)]
        from: Option<String>,
    },
    /// Draw a workflow.
    ExportGraph {
        /// Workflow id (ignored when `case_id` is given).
        #[serde(default)]
        workflow: String,
        /// Version; highest loaded when absent.
        #[serde(default)]
        version: Option<u32>,
        /// `dot` or `mermaid`.
        format: GraphFormat,
        /// Highlight this case's state, on its own workflow version.
        #[serde(default)]
        case_id: Option<String>,
    },
    /// The whole engine as data.
    Snapshot {},
    /// Replace the engine with a snapshot.
    Restore {
        /// A snapshot, as `snapshot` returned it.
        snapshot: Json,
    },
}

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Whether the request succeeded.
    pub ok: bool,
    /// The result, when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Json>,
    /// Every error, when not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ErrorDetail>>,
}

impl Answer {
    /// A success.
    pub fn success(result: Json) -> Self {
        Answer {
            ok: true,
            result: Some(result),
            errors: None,
        }
    }

    /// A failure.
    pub fn failure(errors: Vec<ErrorDetail>) -> Self {
        Answer {
            ok: false,
            result: None,
            errors: Some(errors),
        }
    }

    /// The answer as JSON.
    pub fn to_json(&self) -> Json {
        let mut out = Map::new();
        out.insert("ok".into(), Json::Bool(self.ok));
        if let Some(r) = &self.result {
            out.insert("result".into(), r.clone());
        }
        if let Some(e) = &self.errors {
            out.insert(
                "errors".into(),
                serde_json::to_value(e).unwrap_or(Json::Null),
            );
        }
        Json::Object(out)
    }
}

type Outcome = Result<Json, Vec<ErrorDetail>>;

fn to_json<T: Serialize>(value: &T) -> Json {
    // Our result types hold only strings, integers and maps with string keys: always
    // representable, so this cannot fail.
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// Reads `T` from `value`, reporting the JSON Pointer of the first problem under `prefix`.
fn parse<T: DeserializeOwned>(value: Json, prefix: &str) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = prefix.to_owned();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => path.push_str(&format!("/{index}")),
                Segment::Map { key } => {
                    path.push_str(&format!("/{}", crate::error::escape_pointer(key)))
                }
                Segment::Enum { variant } => {
                    path.push_str(&format!("/{}", crate::error::escape_pointer(variant)))
                }
                Segment::Unknown => {}
            }
        }
        (e.into_inner().to_string(), path)
    })
}

/// Reads a definition document, as the `load_workflow` and `validate_workflow` ops do.
///
/// # Errors
/// One `definition.invalid` error with the path (under `prefix`) of the first shape problem.
pub fn parse_definition(value: Json, prefix: &str) -> Result<WorkflowDef, ErrorDetail> {
    parse(value, prefix)
        .map_err(|(message, path)| ErrorDetail::new("definition.invalid", message).at(path))
}

impl Engine {
    /// Answers a request given as JSON.
    pub fn handle_value(&mut self, request: Json) -> Json {
        let answer = match parse::<Request>(request, "") {
            Ok(req) => self.handle(req),
            Err((message, path)) => {
                Answer::failure(vec![RequestError::Invalid { message, path }.detail()])
            }
        };
        answer.to_json()
    }

    /// Answers a request given as JSON text; the answer is JSON text.
    pub fn handle_str(&mut self, request: &str) -> String {
        self.handle_bytes(request.as_bytes())
    }

    /// Answers a request given as UTF-8 JSON bytes; the answer is JSON text. Never panics on any
    /// input.
    pub fn handle_bytes(&mut self, request: &[u8]) -> String {
        let answer = match self.read_request(request) {
            Ok(value) => self.handle_value(value),
            Err(e) => Answer::failure(vec![e.detail()]).to_json(),
        };
        answer.to_string()
    }

    fn read_request(&self, request: &[u8]) -> Result<Json, RequestError> {
        let limit = self.limits().max_request_bytes;
        if request.len() > limit {
            return Err(RequestError::TooLarge {
                size: request.len(),
                limit,
            });
        }
        serde_json::from_slice(request).map_err(|e| RequestError::InvalidJson {
            message: e.to_string(),
        })
    }

    /// Answers a typed request.
    pub fn handle(&mut self, request: Request) -> Answer {
        match self.dispatch(request) {
            Ok(result) => Answer::success(result),
            Err(errors) => Answer::failure(errors),
        }
    }

    fn dispatch(&mut self, request: Request) -> Outcome {
        match request {
            Request::LoadWorkflow { definition } => {
                let def = parse_definition(definition, "/definition").map_err(|e| vec![e])?;
                let loaded = self
                    .load_workflow(def)
                    .map_err(|e| e.details("/definition"))?;
                Ok(json!({
                    "id": loaded.workflow.id(),
                    "version": loaded.workflow.version(),
                    "warnings": loaded.warnings.iter().map(|d| d.detail("/definition")).collect::<Vec<_>>(),
                }))
            }
            Request::ValidateWorkflow { definition } => {
                let def = match parse_definition(definition, "/definition") {
                    Ok(def) => def,
                    Err(e) => return Ok(json!({"valid": false, "errors": [e], "warnings": []})),
                };
                let (errors, warnings) = match Workflow::compile(def) {
                    Ok(c) => (Vec::new(), c.warnings),
                    Err(inv) => (inv.errors, inv.warnings),
                };
                let details = |ds: &[crate::error::Diagnostic]| {
                    ds.iter()
                        .map(|d| d.detail("/definition"))
                        .collect::<Vec<_>>()
                };
                Ok(
                    json!({"valid": errors.is_empty(), "errors": details(&errors), "warnings": details(&warnings)}),
                )
            }
            Request::ListWorkflows {} => {
                let list: Vec<Json> = self
                    .workflows()
                    .map(|w| json!({"id": w.id(), "version": w.version(), "title": w.definition().title}))
                    .collect();
                Ok(json!({ "workflows": list }))
            }
            Request::OpenCase {
                case_id,
                workflow,
                version,
                channel,
                fields,
                actor,
                at,
            } => {
                let opening = Opening {
                    case_id: &case_id,
                    channel: &channel,
                    fields: Values::Json(&fields),
                    actor: &actor,
                    at,
                };
                let case = self
                    .open_case(&workflow, version, &opening)
                    .map_err(|e| e.details())?;
                Ok(json!({"case": to_json(&case.view()), "events": to_json(&case.history(0))}))
            }
            Request::Apply {
                case_id,
                transition,
                actor,
                payload,
                at,
            } => {
                let cmd = Command {
                    transition: &transition,
                    actor: &actor,
                    payload: Values::Json(&payload),
                    at,
                };
                let case = self.apply(&case_id, &cmd).map_err(|e| e.details())?;
                let new = case.history(case.events().len().saturating_sub(1));
                Ok(json!({"case": to_json(&case.view()), "events": to_json(&new)}))
            }
            Request::GetCase { case_id } => {
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                Ok(to_json(&case.view()))
            }
            Request::AvailableTransitions { case_id, actor } => {
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                Ok(
                    json!({"case_id": case_id, "state": case.state(), "transitions": to_json(&case.available(&actor))}),
                )
            }
            Request::History { case_id } => {
                let events = self.history(&case_id).map_err(|e| e.details())?;
                Ok(json!({"case_id": case_id, "events": to_json(&events)}))
            }
            Request::Replay { history } => {
                let case = self
                    .replay(&history)
                    .map_err(|e| vec![e.detail("/history")])?;
                Ok(json!({"case": to_json(&case.view())}))
            }
            Request::ShortestPath {
                workflow,
                version,
                from,
            } => {
                let path = self
                    .shortest_path(&workflow, version, from.as_deref())
                    .map_err(|e| e.details())?;
                Ok(to_json(&path))
            }
            Request::ExportGraph {
                workflow,
                version,
                format,
                case_id,
            } => {
                let text = self
                    .export_graph(&workflow, version, format, case_id.as_deref())
                    .map_err(|e| e.details())?;
                Ok(json!({"format": format, "text": text}))
            }
            Request::Snapshot {} => Ok(to_json(&self.snapshot())),
            Request::Restore { snapshot } => {
                let snapshot: Snapshot =
                    parse(snapshot, "/snapshot").map_err(|(message, path)| {
                        vec![RequestError::Invalid { message, path }.detail()]
                    })?;
                let (w, c) = (snapshot.workflows.len(), snapshot.cases.len());
                self.restore(snapshot).map_err(|e| e.details("/snapshot"))?;
                Ok(json!({"workflows": w, "cases": c}))
            }
        }
    }
}

fn not_found(case_id: &str) -> Vec<ErrorDetail> {
    crate::error::CaseError::NotFound {
        case_id: case_id.to_owned(),
    }
    .details()
}

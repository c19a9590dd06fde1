//! The body of each op: what a request carries besides its `op`.

use super::*;

/// The body of an op that takes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Body of `load_workflow` and `validate_workflow`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DefinitionRequest {
    /// The definition document (read separately, so its errors are `definition.*`).
    #[cfg_attr(feature = "typescript", tsify(type = "WorkflowDef"))]
    pub definition: Json,
}

/// Body of `open_case`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    /// New case id.
    pub case_id: String,
    /// Workflow id.
    pub workflow: String,
    /// Workflow version; the highest loaded when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Intake channel.
    pub channel: String,
    /// Field values.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub fields: Map<String, Json>,
    /// Who opens it.
    pub actor: Actor,
    /// When (UTC ms).
    pub at: i64,
    /// Citizen and matter keys, for duplicate detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<MatterKeys>,
    /// The case this one appeals (复查 of an original, 复核 of a 复查).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_of: Option<String>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `load_org`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrgRequest {
    /// The organisation document (read separately, so its errors are `org.*`).
    #[cfg_attr(feature = "typescript", tsify(type = "OrgDef"))]
    pub org: Json,
}

/// Body of `route`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RouteRequest {
    /// The matter's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The matter's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A unit the matter accuses: never routed to it or under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accused: Option<String>,
}

/// Body of `link_cases`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The duplicate.
    pub case_id: String,
    /// The primary it follows.
    pub primary: String,
    /// Who links them.
    pub actor: Actor,
    /// When (UTC ms).
    pub at: i64,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The primary's number of events the caller decided on, as `expected_seq`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_primary_seq: Option<u64>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `submit_opinion`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OpinionRequest {
    /// Case id.
    pub case_id: String,
    /// Who, acting for the assisting unit.
    pub actor: Actor,
    /// The opinion.
    pub opinion: String,
    /// When (UTC ms).
    pub at: i64,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `supervise`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SuperviseRequest {
    /// Case id.
    pub case_id: String,
    /// Who, acting for a unit above the handling unit.
    pub actor: Actor,
    /// `reminder` (催办), `supervision` (督办) or `listed` (挂牌督办).
    pub level: Level,
    /// Time to answer, on the handling calendar; the workflow's `supervision_due` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<DurationDef>,
    /// What must be answered.
    pub required: String,
    /// When (UTC ms).
    pub at: i64,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `answer_supervision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AnswerSupervisionRequest {
    /// Case id.
    pub case_id: String,
    /// Who, acting for the handling unit.
    pub actor: Actor,
    /// The supervision's number on the case.
    pub supervision: usize,
    /// The answer.
    pub answer: String,
    /// When (UTC ms).
    pub at: i64,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `drain_outbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DrainRequest {
    /// The instant (UTC ms).
    pub now: i64,
    /// At most this many (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// How long the effects handed out are not handed out again, in ms (default 60000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_ms: Option<u32>,
}

/// Body of `ack_effects`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// Ids of delivered effects.
    pub ids: Vec<String>,
}

/// Body of `apply`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// Case id.
    pub case_id: String,
    /// Transition id.
    pub transition: String,
    /// Who acts.
    pub actor: Actor,
    /// Payload values.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub payload: Map<String, Json>,
    /// When (UTC ms).
    pub at: i64,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApplyRequest {
    /// Reads a payload given as JSON text, as a binding that takes `apply` in parts receives
    /// it. A refusal is the answer the whole request would get, its path under `/payload`.
    ///
    /// # Errors
    /// `request.invalid_json` when the text is not JSON, `request.invalid` when it is not an
    /// object.
    pub fn payload_from_str(text: &str) -> Result<Map<String, Json>, Box<Reply>> {
        let value: Json = serde_json::from_str(text).map_err(|e| {
            Box::new(Reply::refused_at(
                RequestError::InvalidJson {
                    message: e.to_string(),
                },
                "/payload",
            ))
        })?;
        read_request(value, "/payload").map_err(|e| Box::new(Reply::refused(e)))
    }
}

/// Body of `archive_case`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ArchiveRequest {
    /// Case id.
    pub case_id: String,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

/// Body of `get_case`, `history` and `public_view`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// Case id.
    pub case_id: String,
}

/// Body of `available_transitions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AvailableRequest {
    /// Case id.
    pub case_id: String,
    /// Who would act.
    pub actor: Actor,
}

/// Body of `replay`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// The events, as `history` returns them.
    pub history: Vec<EventRecord>,
    /// Also add the rebuilt case to the engine, as a live case that takes commands (a host
    /// restoring one case it stored); refused with `case.already_exists` when its id is taken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub store: bool,
}

/// Body of `append_events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AppendEventsRequest {
    /// The case the events belong to.
    pub case_id: String,
    /// Its events from the `seq` the engine holds on, as answers gave them (`events`,
    /// `linked_events`, `fired`); for a case the engine does not hold, from its `opened` event.
    pub events: Vec<EventRecord>,
}

/// Body of `verify_history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The events, as `history` returns them.
    pub history: Vec<EventRecord>,
    /// The head hash the host kept (from `history`), to detect events cut from the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

/// Body of `shortest_path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ShortestPathRequest {
    /// Workflow id.
    pub workflow: String,
    /// Version; highest loaded when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Starting state; the initial state when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Body of `export_graph`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ExportGraphRequest {
    /// Workflow id (not needed when `case_id` is given).
    #[serde(default)]
    pub workflow: String,
    /// Version; highest loaded when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// `dot` or `mermaid`.
    pub format: GraphFormat,
    /// Draw this case's workflow version with its current state highlighted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

/// Body of `load_calendar`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarRequest {
    /// The calendar document (read separately, so its errors are `calendar.*`).
    #[cfg_attr(feature = "typescript", tsify(type = "CalendarDef"))]
    pub calendar: Json,
}

/// Body of `calendar_add`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarAddRequest {
    /// Calendar id.
    pub calendar: String,
    /// Start instant (UTC ms).
    pub at: i64,
    /// What to add.
    pub duration: DurationDef,
}

/// Body of `calendar_from_notice`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// The notice's text as published: its title, the numbered lines, the issuer and the date;
    /// an extension notice may follow its year's notice.
    pub text: String,
    /// The year it arranges; taken from the title when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i16>,
    /// A loaded calendar to put the year into: the answer then holds that calendar's document
    /// with the year in it, ready for `load_calendar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

/// Body of `calendar_between`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarBetweenRequest {
    /// Calendar id.
    pub calendar: String,
    /// From (UTC ms).
    pub from: i64,
    /// To (UTC ms).
    pub to: i64,
}

/// Body of `sla_status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SlaStatusRequest {
    /// Case id.
    pub case_id: String,
    /// The instant to see the clocks at (UTC ms).
    pub now: i64,
}

/// Body of `due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DueRequest {
    /// The instant (UTC ms).
    pub now: i64,
    /// At most this many, earliest first (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Body of `fire_due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct FireDueRequest {
    /// The instant (UTC ms).
    pub now: i64,
    /// Only this case's timers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// At most this many timers, earliest first; the answer's `more` says whether others
    /// are due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Body of `set_options`: the options to change; the others stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SetOptionsRequest {
    /// Who holds the effects until they are delivered: `engine` (the default) or `host`.
    /// Changes on an empty outbox only (`outbox.not_empty`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<crate::engine::outbox::OutboxMode>,
}

/// Body of `follow_primary`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    /// The linked duplicate.
    pub case_id: String,
    /// When (UTC ms); its last event's time if that is later.
    pub at: i64,
    /// The case's number of events the caller decided on, as in `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The host's id of this request, as in `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `plan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The request to plan, as it would be sent (read, never run).
    #[cfg_attr(feature = "typescript", tsify(type = "Request"))]
    pub request: Json,
}

/// Body of `snapshot`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SnapshotRequest {
    /// Only the definitions (calendars, organisation, workflows): no cases, no outbox.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub definitions_only: bool,
}

/// Body of `extend`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    /// Case id.
    pub case_id: String,
    /// SLA rule id.
    pub sla: String,
    /// Who approves.
    pub actor: Actor,
    /// By how much, in the unit of the rule's target.
    pub duration: DurationDef,
    /// Why (told to the petitioner).
    #[serde(default)]
    pub reason: String,
    /// When (UTC ms).
    pub at: i64,
    /// The case's number of events (its `version`) the caller decided on: refused with
    /// `case.seq_mismatch`, nothing changed, when the case has moved on since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// The host's id of this request: a retry with the same id is answered with what the
    /// first try did, marked `duplicate`, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Body of `set_limits`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SetLimitsRequest {
    /// The limits to change, by name (`max_states`, ...); the others stay as they are.
    #[cfg_attr(feature = "typescript", tsify(type = "Partial<Limits>"))]
    pub limits: Map<String, Json>,
}

/// Body of `restore`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// A snapshot, as `snapshot` returned it.
    #[cfg_attr(feature = "typescript", tsify(type = "Snapshot"))]
    pub snapshot: Json,
}

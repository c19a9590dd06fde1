//! A case's history as records: each event in its stored form, with the hash chain.

use super::*;

impl Case {
    /// The history in JSON form, from event `from` on, each event with its chain hash.
    pub fn history(&self, from: usize) -> Vec<EventRecord> {
        self.hashed(from).0
    }

    /// The head of the hash chain: the last event's hash.
    pub fn head(&self) -> String {
        crate::case::hash_chain::hex(&self.hashed(self.history.len()).1)
    }

    /// Like [`Case::history`], also keeping the head so that the next answer hashes only its
    /// own new events.
    pub(crate) fn history_sealed(&mut self, from: usize) -> Vec<EventRecord> {
        let (records, head) = self.hashed(from);
        let sealed = crate::case::hash_chain::HashedPrefix {
            events: self.history.len(),
            head,
        };
        match self.chain.as_deref_mut() {
            Some(chain) => *chain = sealed,
            None => self.chain = Some(Box::new(sealed)),
        }
        records
    }

    /// The events from `from` on with their hashes, and the head. Starts from the sealed head
    /// when that is at or before `from`, else from the first event.
    pub(crate) fn hashed(&self, from: usize) -> (Vec<EventRecord>, [u8; 32]) {
        let mut chain = match self.chain.as_deref() {
            Some(sealed) if sealed.events <= from => *sealed,
            _ => crate::case::hash_chain::HashedPrefix::default(),
        };
        let start = chain.events;
        let mut records = self.records(start);
        for record in &mut records {
            chain.head = crate::case::hash_chain::link(&chain.head, record);
            record.set_hash(Some(crate::case::hash_chain::hex(&chain.head)));
        }
        let skip = from.saturating_sub(start).min(records.len());
        (records.split_off(skip), chain.head)
    }

    /// The JSON form of events from `from` on, without hashes.
    pub(crate) fn records(&self, from: usize) -> Vec<EventRecord> {
        let wf = &*self.workflow;
        let values = |items: &[(u16, Value)]| -> Map<String, serde_json::Value> {
            items
                .iter()
                .filter_map(|(ix, v)| wf.field(*ix).map(|f| (f.id.to_string(), v.to_json())))
                .collect()
        };
        let mut records = (from..)
            .zip(self.history.iter().skip(from))
            .map(|(seq, e)| {
                let actor = Actor {
                    id: e.actor.id.to_string(),
                    roles: wf.role_names(e.actor.roles),
                    unit: e.actor.unit.as_deref().map(str::to_owned),
                };
                let seq = seq as u64;
                match &e.kind {
                    EventKind::Opened(o) => EventRecord::Opened {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        case_id: self.id.to_string(),
                        workflow: wf.id().to_owned(),
                        version: wf.version(),
                        channel: o.channel.to_string(),
                        fields: values(&o.fields),
                        keys: o.keys.as_deref().cloned(),
                        appeal_of: o.appeal_of.as_deref().cloned(),
                    },
                    EventKind::Opinion { text } => EventRecord::OpinionSubmitted {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        opinion: text.to_string(),
                    },
                    EventKind::SupervisionRaised(r) => EventRecord::SupervisionRaised {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        level: r.level,
                        unit: r.unit.to_string(),
                        due_at: r.due_at,
                        required: r.required.to_string(),
                    },
                    EventKind::SupervisionAnswered(answered) => EventRecord::SupervisionAnswered {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        supervision: answered.index,
                        answer: answered.text.to_string(),
                    },
                    EventKind::Linked { primary } => EventRecord::Linked {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        primary: primary.to_string(),
                    },
                    EventKind::DuplicateLinked(d) => EventRecord::DuplicateLinked {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        duplicate: d.case_id.to_string(),
                        channel: d.channel.to_string(),
                    },
                    EventKind::Overdue(o) => self.overdue_record(o, seq, e.at(), actor),
                    EventKind::SlaTimer(t) => {
                        timer_record(wf, (t.sla, t.kind, t.step, t.due_at), seq, e.at(), actor)
                    }
                    EventKind::SlaExtended(x) => EventRecord::SlaExtended {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        sla: wf
                            .slas
                            .get(usize::from(x.sla))
                            .map_or("", |r| &r.id)
                            .to_owned(),
                        duration: x.duration.to_def(),
                        reason: x.reason.to_string(),
                    },
                    EventKind::Transitioned {
                        transition,
                        from,
                        to,
                        carried,
                    } => EventRecord::Transitioned {
                        hash: None,
                        request_id: None,
                        seq,
                        at: e.at(),
                        actor,
                        transition: wf.transition_id(*transition).to_owned(),
                        from: wf.state_id(*from).to_owned(),
                        to: wf.state_id(*to).to_owned(),
                        payload: values(payload_of(carried)),
                        route: note_of(carried).and_then(|n| n.route.clone()),
                        opinions_due_at: note_of(carried).and_then(|n| n.due_at),
                    },
                }
            })
            .collect::<Vec<_>>();
        self.mark_records(&mut records, from);
        records
    }

    /// The record of an opinion or supervision that fell overdue.
    fn overdue_record(&self, o: &OverdueEvent, seq: u64, at: i64, actor: Actor) -> EventRecord {
        let h = self.handling.as_deref();
        let unit = h.and_then(|h| h.task(o.task)).map_or("", |(u, _)| u);
        let (unit, due_at) = (unit.to_owned(), o.due_at);
        match o.task {
            Task::Opinion(_) => EventRecord::OpinionOverdue {
                hash: None,
                request_id: None,
                seq,
                at,
                actor,
                unit,
                due_at,
            },
            Task::Supervision(supervision) => EventRecord::SupervisionOverdue {
                hash: None,
                request_id: None,
                seq,
                at,
                actor,
                supervision,
                unit,
                due_at,
            },
        }
    }
}

/// The record of an SLA warning or breach step that fell due.
fn timer_record(
    wf: &Workflow,
    (sla, kind, step, due_at): (u16, TimerKind, u16, i64),
    seq: u64,
    at: i64,
    actor: Actor,
) -> EventRecord {
    let rule = wf.slas.get(usize::from(sla));
    let sla = rule.map_or("", |r| &r.id).to_owned();
    let step_id = |k: TimerKind| {
        rule.and_then(|r| step_name(r, k, step))
            .unwrap_or("")
            .to_owned()
    };
    match kind {
        TimerKind::Warning => EventRecord::SlaWarning {
            hash: None,
            request_id: None,
            seq,
            at,
            actor,
            sla,
            warning: step_id(kind),
            due_at,
        },
        TimerKind::Breach => EventRecord::SlaBreached {
            hash: None,
            request_id: None,
            seq,
            at,
            actor,
            sla,
            step: step_id(kind),
            due_at,
        },
    }
}

//! The documentation's examples are real: they load, with no errors and no warnings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::{Engine, Workflow, WorkflowDef};

/// The first fenced JSON block of a Markdown file.
fn first_json_block(markdown: &str) -> &str {
    let start = markdown.find("```json\n").expect("a ```json block") + "```json\n".len();
    let len = markdown[start..].find("```").expect("the block ends");
    &markdown[start..start + len]
}

#[test]
fn definition_format_example_is_valid() {
    let doc = include_str!("../../docs/definition-format.md");
    let def: WorkflowDef = serde_json::from_str(first_json_block(doc)).unwrap();
    let compiled = Workflow::compile(def).unwrap_or_else(|e| panic!("{:#?}", e.errors));
    assert!(compiled.warnings.is_empty(), "{:#?}", compiled.warnings);
}

#[test]
fn templates_are_valid_without_warnings() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../templates")).unwrap() {
        let path = entry.unwrap().path();
        let def: WorkflowDef =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let compiled = Workflow::compile(def)
            .unwrap_or_else(|e| panic!("{}: {:#?}", path.display(), e.errors));
        assert!(
            compiled.warnings.is_empty(),
            "{}: {:#?}",
            path.display(),
            compiled.warnings
        );
        let mut engine = Engine::new();
        let calendar =
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
        engine.load_calendar(calendar).unwrap();
        engine
            .load_workflow(compiled.workflow.definition().clone())
            .unwrap();
    }
}

/// The fenced JSON block that follows `heading` in a Markdown file.
fn json_block_after<'a>(markdown: &'a str, heading: &str) -> &'a str {
    let from = markdown.find(heading).expect("the heading");
    first_json_block(&markdown[from..])
}

#[test]
fn the_sla_rule_example_loads_in_a_workflow_that_has_what_it_names() {
    let doc = include_str!("../../docs/sla.md");
    let rule: serde_json::Value =
        serde_json::from_str(json_block_after(doc, "# SLA rules")).unwrap();
    let def: WorkflowDef = serde_json::from_value(serde_json::json!({
        "format": 1, "id": "doc-example", "version": 1, "title": "信访",
        "fields": [{"id": "urgency", "title": "紧急程度", "type": "enum", "values": ["normal", "urgent"]}],
        "roles": [{"id": "agency_handler", "title": "承办"}, {"id": "head", "title": "负责人"}, {"id": "supervisor", "title": "督办"}],
        "states": [
            {"id": "received", "title": "已登记", "initial": true},
            {"id": "handling", "title": "办理中"},
            {"id": "hearing", "title": "听证中"},
            {"id": "answered", "title": "已答复"},
            {"id": "closed", "title": "已办结", "terminal": true}
        ],
        "transitions": [
            {"id": "accept", "title": "受理", "from": ["received"], "to": "handling", "roles": ["agency_handler"]},
            {"id": "start_hearing", "title": "听证", "from": ["handling"], "to": "hearing", "roles": ["agency_handler"]},
            {"id": "end_hearing", "title": "听证结束", "from": ["hearing"], "to": "handling", "roles": ["agency_handler"]},
            {"id": "reply", "title": "答复", "from": ["handling"], "to": "answered", "roles": ["agency_handler"]},
            {"id": "close", "title": "办结", "from": ["answered"], "to": "closed", "roles": ["agency_handler"]}
        ],
        "slas": [rule]
    }))
    .unwrap();
    let compiled = Workflow::compile(def).unwrap_or_else(|e| panic!("{:#?}", e.errors));
    assert!(compiled.warnings.is_empty(), "{:#?}", compiled.warnings);
}

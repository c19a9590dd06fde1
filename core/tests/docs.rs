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

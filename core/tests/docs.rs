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

/// The guide's Markdown files: the README and every page of `docs/`.
fn guide() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut files = vec![
        "README.md".to_owned(),
        "bindings-wasm/README.npm.md".to_owned(),
    ];
    let mut pages: Vec<String> = std::fs::read_dir(format!("{root}/docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".md"))
        .map(|f| format!("docs/{f}"))
        .collect();
    pages.sort();
    files.extend(pages);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(format!("{root}/{f}")).unwrap();
            (f, text)
        })
        .collect()
}

/// Every fenced block of a Markdown text: its info string and its content.
fn blocks(markdown: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut open: Option<(&str, String)> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info, String::new())),
            (Some(_), Some("")) => out.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a fenced block is not closed");
    out
}

/// Every code block of the guide is run or checked by some test, by language:
/// - `rust`: the file is a doc test of the crate (`core/src/lib.rs` includes it);
/// - `js`: `bindings-wasm/test/docs.test.mjs` runs each file's blocks and compares what they
///   print with their `// →` comments;
/// - `ts`: the npm README's example and `docs/javascript.md`, type-checked and run by
///   `bindings-wasm/test/package.test.mjs`;
/// - `c` and its `sh` build script: `docs/c-api.md`, compiled, linked, run and its output
///   compared by `make -f bindings-c/Makefile test-install`;
/// - `json`: read here as what it shows (a workflow, calendar, organisation, request, answer,
///   SLA rule or field list), each of which must load or parse;
/// - `sh` elsewhere: commands, each naming a script of the repository or installing the
///   package the tests install from its tarball;
/// - `javascript` in docs/javascript.md: a bundler's configuration, the one the bundler test uses;
/// - `console`, `text`, `toml`: what a program prints, and configuration.
#[test]
fn every_code_block_of_the_guide_is_run_or_checked() {
    let lib = include_str!("../src/lib.rs");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut checked = 0;
    for (file, text) in guide() {
        for (info, body) in blocks(&text) {
            let at = format!("{file}, a ```{info} block");
            match info {
                "rust" => assert!(
                    lib.contains(&format!("include_str!(\"../../{file}\")")),
                    "{at}: not a doc test of the crate"
                ),
                "js" => assert!(
                    text.contains("// → "),
                    "{at}: its file says nothing it prints"
                ),
                "ts" => assert!(
                    file == "docs/javascript.md" || file == "bindings-wasm/README.npm.md",
                    "{at}: no test type-checks it"
                ),
                "c" => assert_eq!(file, "docs/c-api.md", "{at}: no test compiles it"),
                "sh" if file == "docs/c-api.md" => {}
                // Run as written by server/tests/guide.rs.
                "sh" if file == "docs/hosting.md" => {}
                "sh" => {
                    for command in body.lines().filter(|l| !l.trim().is_empty()) {
                        let command = command.split('#').next().unwrap().trim();
                        let script = command.split_whitespace().find(|w| w.contains('/'));
                        let known = command == "npm install civicflow"
                            || script.is_some_and(|s| {
                                std::path::Path::new(&format!("{root}/{s}")).is_file()
                            });
                        assert!(known, "{at}: `{command}` names no script of the repository");
                    }
                }
                "json" => check_json(&at, &body),
                // A bundler's configuration: the one bindings-wasm/test/bundlers.test.mjs
                // builds with.
                "javascript" if file == "docs/javascript.md" => {
                    let config = std::fs::read_to_string(format!(
                        "{root}/bindings-wasm/bundlers/vite5/vite.config.js"
                    ))
                    .unwrap();
                    assert!(
                        config.contains(body.trim()),
                        "{at}: not the configuration the bundler test uses"
                    );
                }
                "console" | "text" | "toml" => {}
                other => panic!("{at}: no test runs ```{other} blocks"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 35, "only {checked} blocks");
}

/// A JSON block must be what it looks like, and load or parse as such.
fn check_json(at: &str, body: &str) {
    let value: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{at}: not JSON: {e}"));
    let has = |key: &str| value.get(key).is_some();
    let mut engine = Engine::new();
    if has("states") {
        let def: WorkflowDef = serde_json::from_value(value.clone()).unwrap();
        Workflow::compile(def).unwrap_or_else(|e| panic!("{at}: {:#?}", e.errors));
    } else if has("week") {
        civicflow::parse_document::<civicflow::CalendarDef>(value.clone(), "").unwrap();
        let calendar = serde_json::from_value(value.clone()).unwrap();
        engine
            .load_calendar(calendar)
            .unwrap_or_else(|e| panic!("{at}: {e:?}"));
    } else if has("units") {
        let org = civicflow::parse_document::<civicflow::OrgDef>(value.clone(), "").unwrap();
        engine
            .load_org(org)
            .unwrap_or_else(|e| panic!("{at}: {e:?}"));
    } else if has("op") {
        civicflow::Request::from_json(value.clone()).unwrap_or_else(|e| panic!("{at}: {e:?}"));
    } else if has("ok") {
        serde_json::from_value::<civicflow::Answer>(value.clone()).unwrap();
    } else if has("target") {
        serde_json::from_value::<civicflow::SlaDef>(value.clone()).unwrap();
    } else if has("satisfaction_field") {
        serde_json::from_value::<civicflow::CallbackDef>(value.clone()).unwrap();
    } else if has("fields") {
        serde_json::from_value::<Vec<civicflow::FieldDef>>(value["fields"].clone()).unwrap();
    } else {
        panic!("{at}: no rule says what this JSON is");
    }
}

/// Every relative link of the guide names a file of the repository.
#[test]
fn the_guide_links_to_files_that_exist() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    for (file, text) in guide() {
        let dir = std::path::Path::new(root).join(&file);
        let dir = dir.parent().unwrap();
        for link in text.split("](").skip(1) {
            let target = link.split([')', '#']).next().unwrap();
            if target.is_empty() || target.contains("://") {
                continue;
            }
            assert!(
                dir.join(target).exists(),
                "{file}: link to `{target}`, which does not exist"
            );
        }
    }
}

//! `docs/templates.md`, the template reference, is rendered from the shipped templates: every
//! state, transition, time limit and handling rule with its source. This test renders it again
//! and fails when the file differs; `CIVICFLOW_BLESS=1` writes it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;

use civicflow::shipped::TEMPLATES;
use serde_json::Value;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/templates.md");

#[test]
fn docs_templates_md_is_fresh() {
    let rendered = render();
    if std::env::var_os("CIVICFLOW_BLESS").is_some() {
        std::fs::write(PATH, &rendered).unwrap();
    }
    let on_disk = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "docs/templates.md is stale: run `CIVICFLOW_BLESS=1 cargo test -p civicflow --test template_reference`"
    );
}

fn render() -> String {
    let mut out = String::from(
        "# The template reference\n\n\
         <!-- Rendered from templates/*.json by core/tests/template_reference.rs; do not edit. -->\n\n\
         The workflow templates that ship with civicflow (`templates/`, `civicflow::shipped`,\n\
         npm `civicflow/templates`): every state, transition, time limit and handling rule, each\n\
         rule with the regulation or local choice it comes from. The formats are in\n\
         [definition-format.md](definition-format.md), [sla.md](sla.md) and\n\
         [governance.md](governance.md).\n",
    );
    for (_, text) in TEMPLATES {
        let t: Value = serde_json::from_str(text).unwrap();
        template(&mut out, &t);
    }
    out
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A list of strings as `a`, `b`.
fn ids(v: &Value) -> String {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| format!("`{}`", s(i)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::String(x) => format!("`{x}`"),
        _ => String::new(),
    }
}

/// Table cells hold no pipe or line break.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn duration(d: &Value) -> String {
    let units = [
        ("minutes", "minutes"),
        ("hours", "hours"),
        ("working_minutes", "working minutes"),
        ("working_hours", "working hours"),
        ("working_days", "working days"),
        ("natural_days", "日 (natural days)"),
    ];
    let obj = d.as_object().cloned().unwrap_or_default();
    obj.iter()
        .map(|(k, n)| match units.iter().find(|(u, _)| u == k) {
            Some((_, unit)) => format!("{n} {unit}"),
            None if k == "roll_forward" => "(a last day off rolls forward)".to_owned(),
            None => format!("{k}: {n}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn template(out: &mut String, t: &Value) {
    let _ = write!(
        out,
        "\n## `{}` version {}: {}\n\n{}\n",
        s(&t["id"]),
        t["version"],
        s(&t["title"]),
        s(&t["description"])
    );
    out.push_str("\n### States\n\n| state | title | category |\n|---|---|---|\n");
    for st in t["states"].as_array().into_iter().flatten() {
        let mut category = s(&st["category"]).to_owned();
        if st["initial"] == true {
            category.push_str(", initial");
        }
        if st["terminal"] == true {
            category.push_str(", terminal");
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {category} |",
            s(&st["id"]),
            s(&st["title"])
        );
    }
    out.push_str(
        "\n### Transitions\n\n| transition | title | from → to | roles | action | requires |\n\
         |---|---|---|---|---|---|\n",
    );
    for tr in t["transitions"].as_array().into_iter().flatten() {
        let mut action = s(&tr["action"]).to_owned();
        if tr["notify_citizen"] == true {
            action.push_str(" (tells the citizen)");
        }
        if let Some(field) = tr.get("publish") {
            let _ = write!(action, " publishes to each of `{}`", s(field));
        }
        if tr.get("guard").is_some() {
            action.push_str(" (guarded)");
        }
        let action = action.trim();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} → `{}` | {} | {} | {} |",
            s(&tr["id"]),
            s(&tr["title"]),
            ids(&tr["from"]),
            s(&tr["to"]),
            ids(&tr["roles"]),
            action,
            ids(&tr["requires"]),
        );
    }
    out.push_str("\n### Time limits\n\n| rule | title | target | source |\n|---|---|---|---|\n");
    for rule in t["slas"].as_array().into_iter().flatten() {
        let mut targets: Vec<String> = rule["target"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|tg| match tg.get("when") {
                Some(when) => format!("{} when `{when}`", duration(&tg["duration"])),
                None => duration(&tg["duration"]),
            })
            .collect();
        let last = rule["target"].as_array().and_then(|t| t.last());
        if last.is_some_and(|t| t.get("when").is_some()) {
            targets.push("no clock otherwise".to_owned());
        }
        if rule["since"] == "open" {
            targets.push("counted from the opening".to_owned());
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            s(&rule["id"]),
            s(&rule["title"]),
            cell(&targets.join("; ")),
            cell(s(&rule["source"])),
        );
    }
    let Some(h) = t.get("handling") else { return };
    out.push_str("\n### Handling\n\n| rule | setting | source |\n|---|---|---|\n");
    for (key, value) in h.as_object().into_iter().flatten() {
        if key == "sources" {
            continue;
        }
        let setting = match key.as_str() {
            "callback" => {
                let mut c = value.clone();
                c.as_object_mut().map(|o| o.remove("levels"));
                c.to_string()
            }
            _ => value.to_string(),
        };
        let source = s(&h["sources"][key]);
        let _ = writeln!(out, "| `{key}` | `{}` | {} |", cell(&setting), cell(source));
    }
    let levels = h["callback"]["levels"].as_array();
    if let Some(levels) = levels {
        out.push_str(
            "\n### Evaluation scale\n\n| level | credit | poor (差评) | source |\n|---|---|---|---|\n",
        );
        for l in levels {
            let poor = if l["poor"] == true { "yes" } else { "" };
            let _ = writeln!(
                out,
                "| `{}` | {} | {poor} | {} |",
                s(&l["value"]),
                l["credit"],
                cell(s(&l["source"]))
            );
        }
    }
}

//! Every rule of every shipped template names where it comes from: each SLA rule its `source`,
//! each rule of the handling section an entry in `handling.sources`, each level of an
//! evaluation scale its `source`. A rule without one is a number nobody can check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::shipped::{template, TEMPLATES};

/// Keys of the handling section that only name fields or a calendar: no rule to source.
const MAPPINGS: &[&str] = &["category_field", "region_field", "calendar", "sources"];

#[test]
fn every_rule_of_every_template_names_its_source() {
    for (id, _) in TEMPLATES {
        let def = template(id).expect("a shipped template reads");
        for rule in &def.slas {
            let source = rule.source.as_deref().unwrap_or("");
            assert!(
                !source.trim().is_empty(),
                "{id}: SLA rule `{}` has no source",
                rule.id
            );
        }
        let Some(handling) = &def.handling else {
            panic!("{id}: no handling section");
        };
        let section = serde_json::to_value(handling).unwrap();
        for (key, value) in section.as_object().unwrap() {
            let default_duplicates = key == "duplicates" && value.as_str() == Some("allow");
            if MAPPINGS.contains(&key.as_str()) || default_duplicates {
                continue;
            }
            let source = handling.sources.get(key).map_or("", String::as_str);
            assert!(
                !source.trim().is_empty(),
                "{id}: handling rule `{key}` has no source"
            );
        }
        let levels = handling.callback.as_ref().and_then(|c| c.levels.as_ref());
        for level in levels.into_iter().flatten() {
            let source = level.source.as_deref().unwrap_or("");
            assert!(
                !source.trim().is_empty(),
                "{id}: level `{}` has no source",
                level.value
            );
        }
    }
}

#[test]
fn every_shipped_template_loads_with_its_calendar() {
    let mut engine = civicflow::Engine::new();
    engine
        .load_calendar(civicflow::shipped::calendar("cn-mainland").unwrap())
        .unwrap();
    for (id, _) in TEMPLATES {
        engine
            .load_workflow(template(id).unwrap())
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
    }
}

#[test]
fn a_source_may_name_every_rule_a_section_sets_and_nothing_else() {
    let mut keys_seen = std::collections::BTreeSet::new();
    for (id, _) in TEMPLATES {
        let mut def = template(id).unwrap();
        let handling = def.handling.as_mut().unwrap();
        let section = serde_json::to_value(&*handling).unwrap();
        for key in section
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "sources")
        {
            handling.sources.insert(key.clone(), "a source".into());
            keys_seen.insert(key.clone());
        }
        civicflow::Workflow::compile(def.clone()).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let handling = def.handling.as_mut().unwrap();
        handling.sources.insert("nothing".into(), "a source".into());
        let errors = civicflow::Workflow::compile(def).unwrap_err().errors;
        assert_eq!(errors.len(), 1, "{id}: {errors:?}");
        assert_eq!(errors[0].path, "/handling/sources/nothing");
    }
    // Between them the templates set every rule a section has.
    assert_eq!(keys_seen.len(), 13, "{keys_seen:?}");
}

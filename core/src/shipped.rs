//! The documents that ship with civicflow: the workflow templates, the example organisation
//! and the China calendar, the same files the npm package exports as `civicflow/templates`
//! and `civicflow/calendars`. Compiled in as text (a program that uses none pays nothing);
//! a calendar can still be loaded at run time from any file, as can a workflow.
//!
//! ```
//! let mut engine = civicflow::Engine::new();
//! engine.load_calendar(civicflow::shipped::calendar("cn-mainland").unwrap()).unwrap();
//! engine.load_workflow(civicflow::shipped::template("hotline-12345").unwrap()).unwrap();
//! assert_eq!(engine.workflows().count(), 1);
//! ```

use crate::calendar::CalendarDef;
use crate::org::OrgDef;
use crate::workflow::definition::WorkflowDef;

/// The workflow templates by id, as JSON text (`templates/*.json`).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "hotline-12345",
        include_str!("../../templates/hotline-12345.json"),
    ),
    ("township", include_str!("../../templates/township.json")),
    (
        "xinfang-2022",
        include_str!("../../templates/xinfang-2022.json"),
    ),
    (
        "publishing",
        include_str!("../../templates/publishing.json"),
    ),
    ("yuqing", include_str!("../../templates/yuqing.json")),
    (
        "yuqing-township",
        include_str!("../../templates/yuqing-township.json"),
    ),
    (
        "account-health",
        include_str!("../../templates/account-health.json"),
    ),
];

/// The example organisation by id, as JSON text (`orgs/*.json`).
pub const ORGS: &[(&str, &str)] = &[("qingshan", include_str!("../../orgs/qingshan.json"))];

/// The business calendars by id, as JSON text (`calendars/*.json`).
pub const CALENDARS: &[(&str, &str)] = &[(
    "cn-mainland",
    include_str!("../../calendars/cn-mainland.json"),
)];

fn text(documents: &[(&str, &'static str)], id: &str) -> Option<&'static str> {
    documents
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, t)| *t)
}

/// A shipped workflow template, read; `None` for an id not in [`TEMPLATES`].
pub fn template(id: &str) -> Option<WorkflowDef> {
    serde_json::from_str(text(TEMPLATES, id)?).ok()
}

/// The shipped organisation, read; `None` for an id not in [`ORGS`].
pub fn org(id: &str) -> Option<OrgDef> {
    serde_json::from_str(text(ORGS, id)?).ok()
}

/// A shipped calendar, read; `None` for an id not in [`CALENDARS`].
pub fn calendar(id: &str) -> Option<CalendarDef> {
    serde_json::from_str(text(CALENDARS, id)?).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore)] // the calendar's years take minutes under Miri
    fn every_shipped_document_reads_and_loads_under_its_id() {
        let mut engine = crate::engine::Engine::new();
        for (id, _) in CALENDARS {
            let def = calendar(id).unwrap();
            assert_eq!(def.id, *id);
            engine.load_calendar(def).unwrap();
        }
        for (id, _) in ORGS {
            let def = org(id).unwrap();
            assert_eq!(def.id, *id);
            engine.load_org(def).unwrap();
        }
        for (id, _) in TEMPLATES {
            let def = template(id).unwrap();
            assert_eq!(def.id, *id);
            engine.load_workflow(def).unwrap();
        }
        assert!(template("nope").is_none() && org("nope").is_none() && calendar("nope").is_none());
    }
}

//! What can be wrong with an organisation, or a unit named against it.

use crate::error::{Coded, DocumentError, DocumentErrors};

/// A problem with an organisation, or with a unit named against it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OrgError {
    /// The document does not have the shape of an organisation.
    #[error("{message}")]
    Invalid {
        /// What the JSON reader found.
        message: String,
    },
    /// `format` is not 1.
    #[error("organisation format `{found}` is not supported")]
    UnsupportedFormat {
        /// The format found.
        found: u64,
    },
    /// An id is empty, too long or has control characters.
    #[error("{what} id `{id}` is not valid: {reason}")]
    InvalidId {
        /// `organisation`, `unit` or `rule`.
        what: &'static str,
        /// The id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// Two units or two rules share an id.
    #[error("duplicate {what} `{id}`")]
    Duplicate {
        /// `unit` or `rule`.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A unit that the organisation does not have.
    #[error("unknown unit `{unit}`")]
    UnknownUnit {
        /// The unit named.
        unit: String,
    },
    /// Following parents from a unit comes back to it.
    #[error("unit `{unit}` is its own ancestor")]
    CyclicParent {
        /// A unit on the cycle.
        unit: String,
    },
    /// A catalogue rule that names neither a category nor a region.
    #[error("rule `{rule}` names neither a category nor a region; use `fallback`")]
    EmptyRule {
        /// The rule.
        rule: String,
    },
    /// Too many units.
    #[error("{count} units, more than the {max} allowed")]
    TooMany {
        /// Units given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// No organisation is loaded.
    #[error("no organisation is loaded")]
    NotLoaded,
    /// The organisation has no dispatch catalogue.
    #[error("organisation `{org}` has no dispatch catalogue")]
    NoCatalogue {
        /// The organisation.
        org: String,
    },
    /// A case would go to the unit its accusation names, or to a unit under it.
    #[error(
        "the case accuses `{accused}`: it may not go to `{unit}`, which is `{accused}` or under it"
    )]
    AccusedUnit {
        /// The unit refused.
        unit: String,
        /// The accused unit.
        accused: String,
    },
    /// Every unit the catalogue offers is the accused unit or under it.
    #[error("no unit outside accused `{accused}` handles this matter; add a catalogue rule or change the fallback")]
    NoRoute {
        /// The accused unit.
        accused: String,
    },
    /// A matter for functional departments would go to a township or village, or a unit under
    /// one (国办函〔2025〕66号: such matters are not dispatched down to the grass roots).
    #[error("`{category}` is a matter for functional departments: it may not go to `{unit}`, a township or village or a unit under one (国办函〔2025〕66号)")]
    GrassrootsUnit {
        /// The unit refused.
        unit: String,
        /// The matter's category.
        category: String,
    },
    /// Every unit the catalogue offers for a matter for functional departments is at the grass
    /// roots.
    #[error("no unit above the grass roots handles `{category}`, a matter for functional departments; add a catalogue rule or change the fallback")]
    NoDepartmentRoute {
        /// The matter's category.
        category: String,
    },
    /// The actor's unit is not above the case's handling unit.
    #[error("unit `{unit}` is not above `{handling}`")]
    NotSuperior {
        /// The actor's unit.
        unit: String,
        /// The handling unit.
        handling: String,
    },
}

impl OrgError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        use OrgError::*;
        match self {
            Invalid { .. } => "org.invalid",
            UnsupportedFormat { .. } => "org.unsupported_format",
            InvalidId { .. } => "org.invalid_id",
            Duplicate { .. } => "org.duplicate",
            UnknownUnit { .. } => "org.unknown_unit",
            CyclicParent { .. } => "org.cyclic_parent",
            EmptyRule { .. } => "org.empty_rule",
            TooMany { .. } => "org.too_many",
            NotLoaded => "org.not_loaded",
            NoCatalogue { .. } => "org.no_catalogue",
            AccusedUnit { .. } => "org.accused_unit",
            NoRoute { .. } => "org.no_route",
            GrassrootsUnit { .. } => "org.grassroots_unit",
            NoDepartmentRoute { .. } => "org.no_department_route",
            NotSuperior { .. } => "org.not_superior",
        }
    }
}

/// An organisation was rejected: every problem, each with its path in the document.
pub type InvalidOrg = DocumentErrors<OrgError>;

impl Coded for OrgError {
    fn code(&self) -> &'static str {
        OrgError::code(self)
    }
}

impl DocumentError for OrgError {
    const DOCUMENT: &'static str = "organisation";
}

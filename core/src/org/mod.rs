//! The organisation tree and the dispatch catalogue (派单目录): who exists, who is above whom,
//! and which unit a matter goes to. Loaded as data (`"format": 1`), checked whole on load.
//! See `docs/governance.md`.

pub(crate) mod error;
pub(crate) mod handling;

pub use error::{InvalidOrg, OrgError};

use crate::error::Located;
use crate::support::ids::{bad_name, NameProblem};
use petgraph::algo::toposort;
use petgraph::graph::DiGraph;
use serde::{Deserialize, Serialize};

use crate::limits::Limits;
use crate::support::fx::FxMap;

/// The organisation format this library reads and writes.
pub const ORG_FORMAT: u64 = 1;

/// An organisation document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrgDef {
    /// Format; must be 1.
    pub format: u64,
    /// Organisation id.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Every unit; parents may come after their children.
    pub units: Vec<UnitDef>,
    /// The dispatch catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch: Option<CatalogueDef>,
}

/// One unit of the tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct UnitDef {
    /// Unit id, as actors' `unit` and case fields name it.
    pub id: String,
    /// Its name, such as `青山镇人民政府`.
    pub name: String,
    /// The unit above it; none for a root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// What kind of body it is.
    pub kind: UnitKind,
    /// Regions it covers (host-defined keys, such as township or village codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Categories of matter it handles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

/// The kinds of unit in Chinese local government.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 市.
    City,
    /// 区/县.
    District,
    /// 乡镇/街道.
    Township,
    /// 村/社区 (村委会, 居委会).
    Village,
    /// A functional department (职能部门).
    Department,
    /// A community or social organisation.
    Organisation,
}

/// The dispatch catalogue: rules, most specific first, and a fallback unit (兜底).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CatalogueDef {
    /// Rules; each names a category, a region, or both.
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    /// Where a matter goes when no rule and no unit covers it.
    pub fallback: String,
    /// Categories that are matters for functional departments: never routed, dispatched or
    /// transferred to a township or village, or a unit under one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_matters: Option<DepartmentMattersDef>,
}

/// Matters for functional departments (职能部门), which are not dispatched down to the grass
/// roots (国办函〔2025〕66号).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DepartmentMattersDef {
    /// Their categories, as cases' category field holds them.
    pub categories: Vec<String>,
    /// The rule's source.
    pub source: String,
}

/// A catalogue rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Rule id, recorded on the cases it routes.
    pub id: String,
    /// The category it applies to; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The region it applies to; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The handling unit.
    pub unit: String,
}

/// How [`Org::route`] chose a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RouteBasis {
    /// A catalogue rule matched.
    Rule,
    /// No rule matched; the deepest unit covering the region and handling the category.
    Coverage,
    /// Nothing matched: the catalogue's fallback.
    Fallback,
}

/// Where a matter goes, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The handling unit.
    pub unit: String,
    /// How it was chosen.
    pub basis: RouteBasis,
    /// The catalogue rule, when `basis` is `rule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Units passed over because the case accuses them (or a unit above them), or because the
    /// matter is for functional departments and they are at the grass roots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passed_over: Vec<String>,
}

#[derive(Clone, Debug)]
struct Unit {
    parent: Option<u32>,
    depth: u32,
    /// A township or village, or a unit under one.
    grassroots: bool,
}

/// A checked organisation: units by index, parents resolved.
#[derive(Clone, Debug)]
pub struct Org {
    def: OrgDef,
    units: Box<[Unit]>,
    index: FxMap<Box<str>, u32>,
    /// Rules by index into `def.dispatch.rules`, most specific first, catalogue order kept.
    rule_order: Box<[usize]>,
    fallback: Option<u32>,
}

/// Longest unit, rule or organisation id, in bytes.
pub const MAX_UNIT_ID_BYTES: usize = 128;

fn bad_id(id: &str) -> Option<&'static str> {
    bad_name(id, MAX_UNIT_ID_BYTES).map(|problem| match problem {
        NameProblem::Empty => "it is empty",
        NameProblem::TooLong => "it is longer than 128 bytes",
        NameProblem::Control => "it contains control characters",
    })
}

impl Org {
    /// Checks an organisation and compiles it. Every problem is reported at once.
    ///
    /// # Errors
    /// [`InvalidOrg`] listing every problem with its JSON Pointer.
    pub fn compile(def: OrgDef) -> Result<Org, InvalidOrg> {
        Org::compile_with(def, Limits::default().max_units)
    }

    /// [`Org::compile`] with at most `max_units` units (`Limits::max_units`).
    ///
    /// # Errors
    /// As [`Org::compile`].
    pub fn compile_with(def: OrgDef, max_units: usize) -> Result<Org, InvalidOrg> {
        let mut errors: Vec<Located<OrgError>> = Vec::new();
        if def.format != ORG_FORMAT {
            let error = OrgError::UnsupportedFormat { found: def.format };
            return Err(InvalidOrg::new(vec![Located::new(error, "/format")]));
        }
        if def.units.len() > max_units {
            let error = OrgError::TooMany {
                count: def.units.len(),
                max: max_units,
            };
            return Err(InvalidOrg::new(vec![Located::new(error, "/units")]));
        }
        if let Some(reason) = bad_id(&def.id) {
            let id = def.id.clone();
            let what = "organisation";
            errors.push(Located::new(
                OrgError::InvalidId { what, id, reason },
                "/id",
            ));
        }
        let mut index: FxMap<Box<str>, u32> = FxMap::default();
        for (i, u) in (0u32..).zip(&def.units) {
            if let Some(reason) = bad_id(&u.id) {
                let error = OrgError::InvalidId {
                    what: "unit",
                    id: u.id.clone(),
                    reason,
                };
                errors.push(Located::new(error, format!("/units/{i}/id")));
            } else if index.insert(u.id.as_str().into(), i).is_some() {
                let error = OrgError::Duplicate {
                    what: "unit",
                    id: u.id.clone(),
                };
                errors.push(Located::new(error, format!("/units/{i}/id")));
            }
        }
        let unknown = |unit: &str, path: String| {
            Located::new(
                OrgError::UnknownUnit {
                    unit: unit.to_owned(),
                },
                path,
            )
        };
        let mut graph = DiGraph::<u32, ()>::with_capacity(def.units.len(), def.units.len());
        let nodes: Vec<_> = (0..def.units.len())
            .map(|i| graph.add_node(u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let mut parents = vec![None; def.units.len()];
        for ((i, u), node) in def.units.iter().enumerate().zip(&nodes) {
            let Some(p) = &u.parent else { continue };
            match index.get(p.as_str()) {
                Some(&pi) => {
                    if let (Some(slot), Some(&pn)) = (parents.get_mut(i), nodes.get(pi as usize)) {
                        *slot = Some(pi);
                        graph.add_edge(pn, *node, ());
                    }
                }
                None => errors.push(unknown(p, format!("/units/{i}/parent"))),
            }
        }
        // Parents before children: depths in one pass, and a cycle is found by the sort.
        let mut units = vec![
            Unit {
                parent: None,
                depth: 0,
                grassroots: false,
            };
            def.units.len()
        ];
        match toposort(&graph, None) {
            Ok(order) => {
                for node in order {
                    let i = graph[node] as usize;
                    let parent = parents.get(i).copied().flatten();
                    let above = parent.and_then(|p| units.get(p as usize));
                    let depth = above.map_or(0, |p| p.depth + 1);
                    let kind = def.units.get(i).map(|u| u.kind);
                    let grassroots = matches!(kind, Some(UnitKind::Township | UnitKind::Village))
                        || above.is_some_and(|p| p.grassroots);
                    if let Some(u) = units.get_mut(i) {
                        *u = Unit {
                            parent,
                            depth,
                            grassroots,
                        };
                    }
                }
            }
            Err(cycle) => {
                let i = graph[cycle.node_id()] as usize;
                let unit = def.units.get(i).map_or("", |u| &u.id).to_owned();
                errors.push(Located::new(
                    OrgError::CyclicParent { unit },
                    format!("/units/{i}/parent"),
                ));
            }
        }
        let mut rule_order = Vec::new();
        let mut fallback = None;
        if let Some(cat) = &def.dispatch {
            let mut seen: FxMap<&str, ()> = FxMap::default();
            for (i, r) in def.dispatch.iter().flat_map(|d| &d.rules).enumerate() {
                let path = format!("/dispatch/rules/{i}");
                if let Some(reason) = bad_id(&r.id) {
                    let error = OrgError::InvalidId {
                        what: "rule",
                        id: r.id.clone(),
                        reason,
                    };
                    errors.push(Located::new(error, format!("{path}/id")));
                } else if seen.insert(&r.id, ()).is_some() {
                    let error = OrgError::Duplicate {
                        what: "rule",
                        id: r.id.clone(),
                    };
                    errors.push(Located::new(error, format!("{path}/id")));
                }
                if r.category.is_none() && r.region.is_none() {
                    let rule = r.id.clone();
                    errors.push(Located::new(OrgError::EmptyRule { rule }, path.clone()));
                }
                if !index.contains_key(r.unit.as_str()) {
                    errors.push(unknown(&r.unit, format!("{path}/unit")));
                }
                rule_order.push(i);
            }
            // Both criteria before one; a category before a region; then catalogue order.
            let rank = |i: &usize| {
                cat.rules
                    .get(*i)
                    .map_or(3, |r| match (r.category.is_some(), r.region.is_some()) {
                        (true, true) => 0,
                        (true, false) => 1,
                        _ => 2,
                    })
            };
            rule_order.sort_by_key(rank);
            if let Some(matters) = &cat.department_matters {
                for (i, r) in cat.rules.iter().enumerate() {
                    let department = r
                        .category
                        .as_ref()
                        .filter(|c| matters.categories.contains(c));
                    let at = index
                        .get(r.unit.as_str())
                        .and_then(|&u| units.get(u as usize));
                    if let (Some(category), true) = (department, at.is_some_and(|u| u.grassroots)) {
                        let error = OrgError::GrassrootsUnit {
                            unit: r.unit.clone(),
                            category: category.clone(),
                        };
                        errors.push(Located::new(error, format!("/dispatch/rules/{i}/unit")));
                    }
                }
            }
            fallback = index.get(cat.fallback.as_str()).copied();
            if fallback.is_none() {
                errors.push(unknown(&cat.fallback, "/dispatch/fallback".into()));
            }
        }
        if !errors.is_empty() {
            return Err(InvalidOrg::new(errors));
        }
        Ok(Org {
            def,
            units: units.into(),
            index,
            rule_order: rule_order.into(),
            fallback,
        })
    }

    /// The organisation id.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The document it was compiled from.
    pub fn definition(&self) -> &OrgDef {
        &self.def
    }

    /// Whether the organisation has this unit.
    pub fn has(&self, unit: &str) -> bool {
        self.index.contains_key(unit)
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether it has no units.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    fn unit_id(&self, ix: u32) -> &str {
        self.def.units.get(ix as usize).map_or("", |u| &u.id)
    }

    fn parent_ix(&self, ix: u32) -> Option<u32> {
        self.units.get(ix as usize).and_then(|u| u.parent)
    }

    /// A unit's definition.
    pub fn unit(&self, unit: &str) -> Option<&UnitDef> {
        let ix = *self.index.get(unit)?;
        self.def.units.get(ix as usize)
    }

    /// The unit above `unit`, if any.
    pub fn parent(&self, unit: &str) -> Option<&str> {
        let ix = *self.index.get(unit)?;
        self.parent_ix(ix).map(|p| self.unit_id(p))
    }

    /// Whether `unit` is `ancestor` or below it. False when either is unknown.
    pub fn is_within(&self, unit: &str, ancestor: &str) -> bool {
        let (Some(&u), Some(&a)) = (self.index.get(unit), self.index.get(ancestor)) else {
            return false;
        };
        let target = self.units.get(a as usize).map_or(0, |x| x.depth);
        let mut at = Some(u);
        while let Some(ix) = at {
            if ix == a {
                return true;
            }
            if self
                .units
                .get(ix as usize)
                .is_none_or(|x| x.depth <= target)
            {
                return false;
            }
            at = self.parent_ix(ix);
        }
        false
    }

    /// Whether `unit` is a township or village, or a unit under one. False when unknown.
    pub fn is_grassroots(&self, unit: &str) -> bool {
        let ix = self.index.get(unit).map(|&i| i as usize);
        ix.and_then(|i| self.units.get(i))
            .is_some_and(|u| u.grassroots)
    }

    /// Whether the catalogue marks `category` as a matter for functional departments.
    pub fn is_department_matter(&self, category: &str) -> bool {
        let matters = self
            .def
            .dispatch
            .as_ref()
            .and_then(|d| d.department_matters.as_ref());
        matters.is_some_and(|m| m.categories.iter().any(|c| c == category))
    }

    /// Why `unit` may not handle a case that accuses `accused` and is of `category`: it is
    /// the accused or under it (信访工作条例 art. 30), or it is at the grass roots and the
    /// category a matter for functional departments (国办函〔2025〕66号). Routing passes over
    /// such a unit; dispatch, transfer, opening and a `set` of the unit field refuse it.
    ///
    /// # Errors
    /// `org.accused_unit`, `org.grassroots_unit`.
    pub fn check_barred(
        &self,
        unit: &str,
        accused: Option<&str>,
        category: Option<&str>,
    ) -> Result<(), OrgError> {
        if let Some(a) = accused.filter(|a| unit == *a || self.is_within(unit, a)) {
            return Err(OrgError::AccusedUnit {
                unit: unit.to_owned(),
                accused: a.to_owned(),
            });
        }
        match category {
            Some(c) if self.is_department_matter(c) && self.is_grassroots(unit) => {
                Err(OrgError::GrassrootsUnit {
                    unit: unit.to_owned(),
                    category: c.to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Whether `upper` is strictly above `unit`.
    pub fn is_above(&self, upper: &str, unit: &str) -> bool {
        upper != unit && self.is_within(unit, upper)
    }

    /// The unit `levels` steps above `unit`, stopping at the root.
    pub fn ancestor(&self, unit: &str, levels: u32) -> Option<&str> {
        let mut ix = *self.index.get(unit)?;
        for _ in 0..levels {
            match self.parent_ix(ix) {
                Some(p) => ix = p,
                None => break,
            }
        }
        Some(self.unit_id(ix))
    }

    /// Where a matter of `category` in `region` goes: the most specific catalogue rule, else
    /// the deepest unit that covers the region and handles the category, else the fallback.
    /// With `accused`, every unit that is the accused unit or under it is passed over; for a
    /// matter for functional departments, every unit at the grass roots.
    ///
    /// # Errors
    /// `org.no_catalogue`; `org.no_route` (an accusation) or `org.no_department_route` when
    /// every candidate is passed over.
    pub fn route(
        &self,
        category: Option<&str>,
        region: Option<&str>,
        accused: Option<&str>,
    ) -> Result<Route, OrgError> {
        let cat = self
            .def
            .dispatch
            .as_ref()
            .ok_or_else(|| OrgError::NoCatalogue {
                org: self.def.id.clone(),
            })?;
        let mut passed_over: Vec<String> = Vec::new();
        let allowed = |unit: &str, passed_over: &mut Vec<String>| {
            if self.check_barred(unit, accused, category).is_ok() {
                return true;
            }
            if !passed_over.iter().any(|p| p == unit) {
                passed_over.push(unit.to_owned());
            }
            false
        };
        let matches = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        for &i in self.rule_order.iter() {
            let Some(r) = cat.rules.get(i) else { continue };
            if matches(&r.category, category)
                && matches(&r.region, region)
                && allowed(&r.unit, &mut passed_over)
            {
                return Ok(Route {
                    unit: r.unit.clone(),
                    basis: RouteBasis::Rule,
                    rule: Some(r.id.clone()),
                    passed_over,
                });
            }
        }
        if let (Some(category), Some(region)) = (category, region) {
            let mut best: Option<(u32, &str)> = None;
            for (u, def) in self.units.iter().zip(&self.def.units) {
                let covers = def.regions.iter().any(|r| r == region)
                    && def.categories.iter().any(|c| c == category);
                if covers
                    && best.is_none_or(|(d, _)| u.depth > d)
                    && allowed(&def.id, &mut passed_over)
                {
                    best = Some((u.depth, &def.id));
                }
            }
            if let Some((_, unit)) = best {
                return Ok(Route {
                    unit: unit.to_owned(),
                    basis: RouteBasis::Coverage,
                    rule: None,
                    passed_over,
                });
            }
        }
        let fallback = self.fallback.map(|f| self.unit_id(f)).unwrap_or_default();
        if allowed(fallback, &mut passed_over) {
            return Ok(Route {
                unit: fallback.to_owned(),
                basis: RouteBasis::Fallback,
                rule: None,
                passed_over,
            });
        }
        let department = category.filter(|c| self.is_department_matter(c));
        match (accused, department) {
            (None, Some(category)) => Err(OrgError::NoDepartmentRoute {
                category: category.to_owned(),
            }),
            _ => Err(OrgError::NoRoute {
                accused: accused.unwrap_or_default().to_owned(),
            }),
        }
    }
}

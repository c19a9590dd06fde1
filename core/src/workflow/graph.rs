//! Graph questions on a workflow: reachability and traps (checked on load), shortest paths to
//! closure, and drawings in Graphviz DOT and Mermaid.

use std::fmt::Write;

use petgraph::algo::astar;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};
use serde::{Deserialize, Serialize};

use crate::workflow::DefinitionError;
use crate::workflow::{State, Workflow};

/// States as nodes (node `i` is state `i`), one edge per (source state, transition).
#[derive(Clone, Debug)]
pub(crate) struct StateGraph {
    graph: DiGraph<(), u16, u32>,
}

impl StateGraph {
    pub(crate) fn new(states: usize, edges: &[(u16, u16, u16)]) -> Self {
        let mut graph = DiGraph::with_capacity(states, edges.len());
        for _ in 0..states {
            graph.add_node(());
        }
        for &(from, to, t) in edges {
            graph.add_edge(NodeIndex::new(from.into()), NodeIndex::new(to.into()), t);
        }
        StateGraph { graph }
    }
}

/// Unreachable states and traps, each with the index of the state concerned.
pub(crate) fn analyse(
    g: &StateGraph,
    states: &[State],
    initial: u16,
) -> Vec<(DefinitionError, usize)> {
    let n = states.len();
    let initial_id = states.get(usize::from(initial)).map_or("", |s| &s.id);
    let mut reachable = vec![false; n];
    let mut dfs = Dfs::new(&g.graph, NodeIndex::new(initial.into()));
    while let Some(node) = dfs.next(&g.graph) {
        if let Some(r) = reachable.get_mut(node.index()) {
            *r = true;
        }
    }
    // Walk backwards from every terminal state at once: what it reaches can close.
    let reversed = Reversed(&g.graph);
    let mut can_close = vec![false; n];
    let mut back = Dfs::empty(reversed);
    for (i, _) in states.iter().enumerate().filter(|(_, s)| s.terminal) {
        back.move_to(NodeIndex::new(i));
        while let Some(node) = back.next(reversed) {
            if let Some(c) = can_close.get_mut(node.index()) {
                *c = true;
            }
        }
    }
    let mut problems = Vec::new();
    for (i, s) in states.iter().enumerate() {
        if !reachable.get(i).copied().unwrap_or(false) {
            problems.push((
                DefinitionError::UnreachableState {
                    state: s.id.to_string(),
                    initial: initial_id.to_owned(),
                },
                i,
            ));
        } else if !s.terminal && !can_close.get(i).copied().unwrap_or(false) {
            problems.push((
                DefinitionError::TrapState {
                    state: s.id.to_string(),
                },
                i,
            ));
        }
    }
    problems
}

/// One step of a path: the transition taken and the state it enters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Step {
    /// Transition id.
    pub transition: String,
    /// State entered.
    pub to: String,
}

/// The fewest transitions from a state to a terminal state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct PathToClose {
    /// Starting state.
    pub from: String,
    /// The terminal state reached.
    pub to: String,
    /// The transitions, in order (empty when `from` is terminal).
    pub steps: Vec<Step>,
}

/// One shortest path from `from` to any terminal state, ignoring roles and guards. Which of
/// several equally short paths is returned is fixed by the definition (same definition, same
/// path), and between two states the transition declared first is named.
pub(crate) fn shortest_path(wf: &Workflow, from: u16) -> Option<PathToClose> {
    let g = &wf.graph.graph;
    let (_, nodes) = astar(
        g,
        NodeIndex::new(from.into()),
        |n| wf.is_terminal(index(n)),
        |_| 1u32,
        |_| 0,
    )?;
    let mut steps = Vec::with_capacity(nodes.len().saturating_sub(1));
    for pair in nodes.windows(2) {
        let [a, b] = pair else { continue };
        let t = g.edges_connecting(*a, *b).map(|e| *e.weight()).min()?;
        steps.push(Step {
            transition: wf.transition_id(t).to_owned(),
            to: wf.state_id(index(*b)).to_owned(),
        });
    }
    let last = nodes.last().map_or(from, |n| index(*n));
    Some(PathToClose {
        from: wf.state_id(from).to_owned(),
        to: wf.state_id(last).to_owned(),
        steps,
    })
}

fn index(n: NodeIndex<u32>) -> u16 {
    u16::try_from(n.index()).unwrap_or(u16::MAX)
}

/// A drawing format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid `stateDiagram-v2`.
    Mermaid,
}

/// Draws the workflow; `current`, if given, is highlighted.
pub(crate) fn export(wf: &Workflow, format: GraphFormat, current: Option<u16>) -> String {
    match format {
        GraphFormat::Dot => dot(wf, current),
        GraphFormat::Mermaid => mermaid(wf, current),
    }
}

fn label(title: Option<&str>, id: &str) -> String {
    match title {
        Some(t) if t != id => format!("{t} ({id})"),
        _ => id.to_owned(),
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn dot(wf: &Workflow, current: Option<u16>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "digraph \"{}\" {{",
        dot_escape(&format!("{}@{}", wf.id(), wf.version()))
    );
    out.push_str("  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    out.push_str("  \"__start\" [shape=point, label=\"\"];\n");
    let _ = writeln!(out, "  \"__start\" -> \"{}\";", wf.initial_state());
    for (ix, s) in (0u16..).zip(wf.states.iter()) {
        let mut attrs = format!(
            "label=\"{}\"",
            dot_escape(&label(wf.state_title(ix), &s.id))
        );
        if s.terminal {
            attrs.push_str(", peripheries=2");
        }
        if current == Some(ix) {
            attrs.push_str(", style=\"rounded,filled\", fillcolor=\"#ffd54f\"");
        }
        let _ = writeln!(out, "  \"{}\" [{attrs}];", s.id);
    }
    for e in wf.graph.graph.edge_references() {
        let t = *e.weight();
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            wf.state_id(index(e.source())),
            wf.state_id(index(e.target())),
            dot_escape(&label(wf.transition_title(t), wf.transition_id(t)))
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_text(s: &str) -> String {
    // Mermaid ends a label at a newline and reads `:` and `;` as syntax.
    s.replace(['\n', '\r'], " ")
        .replace(':', "#58;")
        .replace(';', "#59;")
}

fn mermaid(wf: &Workflow, current: Option<u16>) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(out, "    [*] --> {}", wf.initial_state());
    for (ix, s) in (0u16..).zip(wf.states.iter()) {
        if let Some(title) = wf.state_title(ix) {
            let _ = writeln!(out, "    {}: {}", s.id, mermaid_text(title));
        }
    }
    for e in wf.graph.graph.edge_references() {
        let t = *e.weight();
        let _ = writeln!(
            out,
            "    {} --> {}: {}",
            wf.state_id(index(e.source())),
            wf.state_id(index(e.target())),
            mermaid_text(&label(wf.transition_title(t), wf.transition_id(t)))
        );
    }
    for s in wf.states.iter().filter(|s| s.terminal) {
        let _ = writeln!(out, "    {} --> [*]", s.id);
    }
    if let Some(ix) = current {
        out.push_str("    classDef current fill:#ffd54f,stroke:#b28704\n");
        let _ = writeln!(out, "    class {} current", wf.state_id(ix));
    }
    out
}

/// The states and transitions of a shortest path from `from` to any state of `goals`.
pub(crate) fn path_between(
    g: &StateGraph,
    from: u16,
    goals: &[u16],
) -> Option<(Vec<u16>, Vec<u16>)> {
    let graph = &g.graph;
    let (_, nodes) = astar(
        graph,
        NodeIndex::new(from.into()),
        |n| goals.contains(&index(n)),
        |_| 1u32,
        |_| 0,
    )?;
    let mut transitions = Vec::with_capacity(nodes.len());
    for pair in nodes.windows(2) {
        let [a, b] = pair else { continue };
        transitions.push(graph.edges_connecting(*a, *b).map(|e| *e.weight()).min()?);
    }
    Some((nodes.into_iter().map(index).collect(), transitions))
}

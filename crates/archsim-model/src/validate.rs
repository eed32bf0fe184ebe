//! Semantic checks of a parsed design: everything the types alone cannot say.
//!
//! [`validate`] collects every problem rather than stopping at the first, so the editor can
//! mark them all and the CLI can list them all. Paths use the field names of the JSON document.
//!
//! [`load_design`](crate::load_design()) also runs these checks on what did parse of a document
//! with structural problems (the crate-private `Gaps` says what is missing): paths name each
//! element's index in the document, and a check that would look at an element that failed to
//! parse is left out rather than guessed at.
//!
//! This file holds the checker, the identity rules and the cycle rule; each family of rules is
//! an `impl Checker` block in a file of `validate/` (edges, traffic, node kinds, the data tier,
//! faults, run settings, and the range checks they share).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::CURRENT_VERSION;
use crate::design::{Design, Edge, NodeKind};
use crate::problem::{Problem, field_path, index_path};

mod breaker;
mod data;
mod edges;
mod faults;
mod hedging;
mod keda;
mod nodes;
mod ranges;
mod replication;
mod run;
mod scaling;
mod traffic;
pub use breaker::MAX_BREAKER_WINDOW;
pub use keda::MAX_CONSUMER_REPLICAS;
pub use scaling::MAX_INSTANCES;

/// The most time-series buckets a run may ask for (`duration_ms / bucket_ms`): beyond it the
/// series would not fit comfortably in a browser tab.
pub const MAX_BUCKETS: f64 = 100_000.0;

/// Most users a closed-loop client may simulate (each is a pending event from the start).
pub const MAX_USERS: u64 = 1_000_000;
/// Most shards a database may have (each shard's members are allocated when the run starts).
pub const MAX_SHARDS: u64 = 1_024;
/// Most ring points per backend or shard of a consistent-hash ring.
pub const MAX_VIRTUAL_NODES: u32 = 10_000;
/// Bounds of a Maglev table's size (Envoy's largest is 5,000,011).
pub const MIN_MAGLEV_TABLE_SIZE: u32 = 2;
pub const MAX_MAGLEV_TABLE_SIZE: u32 = 5_000_011;
/// Most a backend may take, as a multiple of the average load, under bounded-load hashing.
pub const MAX_BALANCE_FACTOR: f64 = 100.0;
/// Most partitions of a partitioned queue (each has its own counters and series).
pub const MAX_PARTITIONS: u64 = 1_024;
/// Most read replicas per shard.
pub const MAX_REPLICAS_PER_SHARD: u64 = 64;
/// Most values the time series of a run may hold (buckets × figures per bucket): 8 bytes
/// each, so about 160 MB, and each replication keeps its own until they are combined.
pub const MAX_SERIES_VALUES: f64 = 20_000_000.0;
/// Most replications of a run (each keeps its own report until they are combined).
pub const MAX_REPLICATIONS: u64 = 1_000;
/// Most distinct request classes in a design, over all clients' mixes (the engine numbers
/// classes with 16 bits; this leaves room and keeps routing tables small).
pub const MAX_CLASSES: usize = 4_096;
/// Longest time any `…_ms` field may hold: about 31.7 years. The engine counts time in `u64`
/// nanoseconds (up to about 584 years), and a run adds latencies, timeouts and back-offs to it,
/// so this leaves four orders of magnitude of headroom.
pub const MAX_DURATION_MS: f64 = 1e12;
/// Highest rate any `…rps` field may hold (per client): at ten million requests per simulated
/// second a run already costs about a wall-clock second per simulated second.
pub const MAX_RPS: f64 = 1e7;
/// Narrowest time-series bucket (1 µs): the engine's clock ticks in nanoseconds, so a narrower
/// bucket could not be what the report says it is.
pub const MIN_BUCKET_MS: f64 = 0.001;
/// Shortest period of a sine rate profile (1 µs), so the phase `t / period` stays a finite,
/// meaningful number over the longest run.
pub const MIN_PERIOD_MS: f64 = 0.001;

/// Every semantic problem of `design`, each with its path and reason. Empty means the engine
/// can run it.
pub fn validate(design: &Design) -> Vec<Problem> {
    validate_partial(design, &Gaps::none(design))
}

/// How a design built from the elements of a document that did parse differs from the
/// document: where each element sits in it, and what is missing.
///
/// Why an index map rather than renaming paths afterwards: messages name other elements too
/// ("also nodes[4].id", "edges[0] already connects them"), so the checks themselves must know
/// the document's indices; a map read where each path is built covers paths and messages alike.
///
/// What is missing is kept coarse on purpose. Apart from ids, which are read from the raw JSON
/// because unknown-id and duplicate-id checks depend on them directly, a failed element only
/// says "something is missing here": every check that looks across nodes, or at a node's
/// outgoing edges, is left out while any node, or any edge, failed to parse. A problem left out
/// this way shows up once the structure is fixed; a problem invented from a missing element
/// would send the person after something that is not wrong. Checks that only lose input when
/// elements are missing (cycles, duplicate edges) cannot invent problems and always run.
pub(crate) struct Gaps {
    /// `design.nodes[i]` is `nodes[node_origin[i]]` in the document.
    pub node_origin: Vec<usize>,
    /// `design.edges[i]` is `edges[edge_origin[i]]` in the document.
    pub edge_origin: Vec<usize>,
    /// `design.faults[i]` is `faults[fault_origin[i]]` in the document.
    pub fault_origin: Vec<usize>,
    /// Nodes that failed to parse but whose `id` is a string: index in the document and id.
    pub broken_node_ids: Vec<(usize, String)>,
    /// Edges that failed to parse but whose `id` is a string: index in the document and id.
    pub broken_edge_ids: Vec<(usize, String)>,
    /// Some node failed to parse with no readable id (or `nodes` is not an array), so any id
    /// might be that node's: no id is reported as unknown.
    pub node_without_id: bool,
    /// Some node failed to parse (or `nodes` is not an array).
    pub nodes_missing: bool,
    /// Some edge failed to parse (or `edges` is not an array).
    pub edges_missing: bool,
}

impl Gaps {
    /// Nothing missing: `design` is the whole document.
    fn none(design: &Design) -> Self {
        Gaps {
            node_origin: (0..design.nodes.len()).collect(),
            edge_origin: (0..design.edges.len()).collect(),
            fault_origin: (0..design.faults.len()).collect(),
            broken_node_ids: Vec::new(),
            broken_edge_ids: Vec::new(),
            node_without_id: false,
            nodes_missing: false,
            edges_missing: false,
        }
    }
}

/// [`validate`] for the part of a document that parsed: paths and messages use the document's
/// indices, and checks that depend on what is missing are left out (see [`Gaps`]).
pub(crate) fn validate_partial(design: &Design, gaps: &Gaps) -> Vec<Problem> {
    let mut checker = Checker {
        design,
        gaps,
        problems: Vec::new(),
        node_index: HashMap::new(),
        readable_node_ids: HashMap::new(),
        outgoing: HashMap::new(),
        classes: std::cell::OnceCell::new(),
        dead_letters: std::cell::OnceCell::new(),
    };
    for (index, edge) in design.edges.iter().enumerate() {
        checker
            .outgoing
            .entry(edge.from.as_str())
            .or_default()
            .push(index);
    }
    checker.version();
    checker.node_ids();
    checker.edges();
    checker.nodes();
    checker.class_count();
    checker.faults();
    checker.run(&design.run);
    checker.cycles();
    checker
        .problems
        .extend(crate::annotation::annotation_problems(&design.annotations));
    checker.problems
}

struct Checker<'a> {
    design: &'a Design,
    gaps: &'a Gaps,
    problems: Vec<Problem>,
    /// Node id → index in `design.nodes` of its first parsed occurrence.
    node_index: HashMap<&'a str, usize>,
    /// Every readable node id, parsed or not → index in the document of its first occurrence.
    readable_node_ids: HashMap<&'a str, usize>,
    /// Node id → indices in `design.edges` of the edges leaving it, in order: built once, so
    /// that checking every node's edges is linear, not nodes × edges.
    outgoing: HashMap<&'a str, Vec<usize>>,
    classes: std::cell::OnceCell<BTreeSet<&'a str>>,
    dead_letters: std::cell::OnceCell<HashSet<&'a str>>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    /// The edges leaving node `id`, in document order.
    fn outgoing(&self, id: &str) -> impl Iterator<Item = &'a Edge> + use<'a> {
        let design = self.design;
        self.outgoing
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .to_vec()
            .into_iter()
            .map(move |index| &design.edges[index])
    }

    /// `nodes[i]` with the document's index of `design.nodes[index]`.
    fn node_path(&self, index: usize) -> String {
        index_path("nodes", self.gaps.node_origin[index])
    }

    /// `edges[i]` with the document's index of `design.edges[index]`.
    fn edge_path(&self, index: usize) -> String {
        index_path("edges", self.gaps.edge_origin[index])
    }

    /// `faults[i]` with the document's index of `design.faults[index]`.
    fn fault_path(&self, index: usize) -> String {
        index_path("faults", self.gaps.fault_origin[index])
    }

    /// True when a node has this id, or might have: one that failed to parse without a
    /// readable id could be it.
    fn may_be_a_node(&self, id: &str) -> bool {
        self.gaps.node_without_id || self.readable_node_ids.contains_key(id)
    }

    fn version(&mut self) {
        if self.design.version != CURRENT_VERSION {
            self.report(
                "version",
                format!(
                    "this build runs version {CURRENT_VERSION} designs, found version {}; load the file with parse_design to migrate it",
                    self.design.version
                ),
            );
        }
    }

    fn node_ids(&mut self) {
        let design = self.design;
        let ids = ids_in_document(
            design.nodes.iter().map(|node| node.id.as_str()),
            &self.gaps.node_origin,
            &self.gaps.broken_node_ids,
        );
        self.readable_node_ids = self.unique_ids("nodes", "node", ids);
        for (index, node) in design.nodes.iter().enumerate() {
            self.node_index.entry(node.id.as_str()).or_insert(index);
            let position = field_path(&self.node_path(index), "position");
            for (axis, value) in [("x", node.position.x), ("y", node.position.y)] {
                if !value.is_finite() {
                    self.report(
                        field_path(&position, axis),
                        format!("must be a finite number, found {value}"),
                    );
                }
            }
        }
        if !self.gaps.nodes_missing
            && !design
                .nodes
                .iter()
                .any(|node| matches!(node.spec, NodeKind::Client(_)))
        {
            self.report(
                "nodes",
                "the design has no client, so nothing would send requests and nothing would run; add a node of kind `client` with an edge to where its requests enter",
            );
        }
    }

    /// Checks `ids` (index in the document, id) of one array: characters, and each repeat
    /// reported where it repeats. Returns each id with the index of its first occurrence.
    fn unique_ids(
        &mut self,
        array: &str,
        noun: &str,
        mut ids: Vec<(usize, &'a str)>,
    ) -> HashMap<&'a str, usize> {
        // Document order, so "duplicate" lands on the later occurrence whichever one parsed.
        ids.sort_by_key(|&(at, _)| at);
        let mut first_at: HashMap<&'a str, usize> = HashMap::new();
        for (at, id) in ids {
            let path = field_path(&index_path(array, at), "id");
            self.id_characters(&path, id);
            match first_at.get(id) {
                Some(&first) => self.report(
                    path,
                    format!(
                        "duplicate {noun} id `{id}` (also {array}[{first}].id); ids must be unique"
                    ),
                ),
                None => {
                    first_at.insert(id, at);
                }
            }
        }
        first_at
    }

    fn id_characters(&mut self, path: &str, id: &str) {
        if id.is_empty() {
            self.report(path, "must not be empty");
        } else if let Some(bad) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            self.report(
                path,
                format!("`{id}` contains {bad:?}; ids may contain only ASCII letters, digits, `-` and `_`"),
            );
        }
    }

    fn kind_of(&self, id: &str) -> Option<&'a NodeKind> {
        self.node_index
            .get(id)
            .map(|&index| &self.design.nodes[index].spec)
    }

    /// Directed cycles made only of edges with `call_probability` 1: a request entering one
    /// would be passed round it forever. Self-loops are reported with the edges.
    fn cycles(&mut self) {
        let design = self.design;
        let count = design.nodes.len();
        let mut certain: Vec<Vec<(usize, usize)>> = vec![Vec::new(); count];
        for (edge_index, edge) in design.edges.iter().enumerate() {
            if edge.params.call_probability < 1.0 || edge.from == edge.to {
                continue;
            }
            if let (Some(&from), Some(&to)) = (
                self.node_index.get(edge.from.as_str()),
                self.node_index.get(edge.to.as_str()),
            ) {
                certain[from].push((edge_index, to));
            }
        }

        // Iterative depth-first search (no recursion: designs are user input of any size).
        // A back edge to a node still on the stack closes a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Unvisited,
            OnStack,
            Done,
        }
        let mut mark = vec![Mark::Unvisited; count];
        for start in 0..count {
            if mark[start] != Mark::Unvisited {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            mark[start] = Mark::OnStack;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let Some(&(edge_index, to)) = certain[node].get(*next) else {
                    mark[node] = Mark::Done;
                    stack.pop();
                    continue;
                };
                *next += 1;
                match mark[to] {
                    Mark::Unvisited => {
                        mark[to] = Mark::OnStack;
                        stack.push((to, 0));
                    }
                    Mark::OnStack => {
                        let from_position = stack.iter().position(|&(n, _)| n == to).unwrap_or(0);
                        let mut ids: Vec<&str> = stack[from_position..]
                            .iter()
                            .map(|&(n, _)| design.nodes[n].id.as_str())
                            .collect();
                        ids.push(design.nodes[to].id.as_str());
                        self.report(
                            self.edge_path(edge_index),
                            format!(
                                "cycle {} in which every edge has call_probability 1: a request would go round it forever; lower call_probability on one of its edges below 1 or remove one",
                                ids.join(" → ")
                            ),
                        );
                    }
                    Mark::Done => {}
                }
            }
        }
    }
}

/// Every readable id of one array with its index in the document: those of the elements that
/// parsed (`origin[i]` is where element `i` sat) and those read from elements that did not.
fn ids_in_document<'a>(
    parsed: impl Iterator<Item = &'a str>,
    origin: &[usize],
    broken: &'a [(usize, String)],
) -> Vec<(usize, &'a str)> {
    parsed
        .enumerate()
        .map(|(index, id)| (origin[index], id))
        .chain(broken.iter().map(|(at, id)| (*at, id.as_str())))
        .collect()
}

/// Names in a problem message: at most [`LISTED_AT_MOST`], then how many more there are, so that
/// a design with thousands of classes gets problems of a readable (and linear) size.
fn list_or_none<'s>(items: impl Iterator<Item = &'s str>) -> String {
    let mut listed: Vec<String> = Vec::new();
    let mut more = 0usize;
    for item in items {
        if listed.len() < LISTED_AT_MOST {
            listed.push(format!("`{item}`"));
        } else {
            more += 1;
        }
    }
    match (listed.is_empty(), more) {
        (true, _) => "none".to_string(),
        (false, 0) => listed.join(", "),
        (false, more) => format!("{} and {more} more", listed.join(", ")),
    }
}

/// A number as a person reads it: plain, or in scientific notation when plain would run to
/// dozens of digits (`1e-300`, not three hundred zeros).
fn readable(value: f64) -> String {
    if value != 0.0 && !(1e-3..1e15).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// How many names a problem message lists before it says "and N more".
const LISTED_AT_MOST: usize = 10;

/// Trial division: sizes are at most a few million, so this is a few thousand steps.
pub fn is_prime(value: u32) -> bool {
    if value < 2 {
        return false;
    }
    let value = u64::from(value);
    let mut divisor = 2u64;
    while divisor * divisor <= value {
        if value.is_multiple_of(divisor) {
            return false;
        }
        divisor += 1;
    }
    true
}

fn previous_prime(value: u32) -> u32 {
    (2..value).rev().find(|&v| is_prime(v)).unwrap_or(2)
}

fn next_prime(value: u32) -> u32 {
    (value + 1..).find(|&v| is_prime(v)).unwrap_or(value)
}

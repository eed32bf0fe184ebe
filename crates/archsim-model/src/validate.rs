//! Semantic checks of a parsed design: everything the types alone cannot say.
//!
//! [`validate`] collects every problem rather than stopping at the first, so the editor can
//! mark them all and the CLI can list them all. Paths use the field names of the JSON document.
//!
//! [`load_design`](crate::load_design()) also runs these checks on what did parse of a document
//! with structural problems (the crate-private `Gaps` says what is missing): paths name each
//! element's index in the document, and a check that would look at an element that failed to
//! parse is left out rather than guessed at.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::CURRENT_VERSION;
use crate::design::{
    BalancerAlgorithm, CacheParams, ClientParams, DatabaseParams, Design, Distribution, Edge,
    EdgeParams, FaultEffect, GatewayParams, KeyPopularity, LoadBalancerParams, NodeKind,
    QueueParams, RateLimitAlgorithm, RateLimiterParams, RateProfile, RetryPolicy, RunSettings,
    ServiceParams, Sharding, Workload,
};
use crate::discipline::QueueDiscipline;
use crate::health::HealthCheck;
use crate::load_curve::LoadCurve;
use crate::problem::{Problem, field_path, index_path};
use crate::resilience::{AdaptiveThrottlingParams, RetryBudgetParams};

mod breaker;
mod faults;
mod replication;
mod scaling;
pub use breaker::MAX_BREAKER_WINDOW;
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

    // -----------------------------------------------------------------------------------------
    // Identity

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

    // -----------------------------------------------------------------------------------------
    // Edges

    fn edges(&mut self) {
        let design = self.design;
        let ids = ids_in_document(
            design.edges.iter().map(|edge| edge.id.as_str()),
            &self.gaps.edge_origin,
            &self.gaps.broken_edge_ids,
        );
        self.unique_ids("edges", "edge", ids);

        // Pair of nodes → document index of the first edge joining them.
        let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
        for (index, edge) in design.edges.iter().enumerate() {
            let path = self.edge_path(index);
            self.endpoint(&path, "from", &edge.from);
            let to_known = self.endpoint(&path, "to", &edge.to);
            if edge.from == edge.to {
                self.report(
                    field_path(&path, "to"),
                    format!(
                        "edge goes from `{}` back to itself; a node cannot call itself",
                        edge.to
                    ),
                );
            } else if let Some(&first) = pairs.get(&(edge.from.as_str(), edge.to.as_str())) {
                self.report(
                    path.clone(),
                    format!(
                        "a second edge from `{}` to `{}` (edges[{first}] already connects them); keep one edge per pair of nodes",
                        edge.from, edge.to
                    ),
                );
            } else {
                pairs.insert(
                    (edge.from.as_str(), edge.to.as_str()),
                    self.gaps.edge_origin[index],
                );
            }
            if to_known && matches!(self.kind_of(&edge.to), Some(NodeKind::Client(_))) {
                self.report(
                    field_path(&path, "to"),
                    format!(
                        "`{}` is a client: clients send requests and cannot receive them",
                        edge.to
                    ),
                );
            }
            self.edge_params(&field_path(&path, "params"), &edge.params);
            if let Some(limit) = &edge.params.rate_limit {
                self.route_rate_limit(&field_path(&path, "params"), edge, limit);
            }
        }
    }

    /// A rate limit on an edge is a per-route limit of an API gateway.
    fn route_rate_limit(&mut self, params: &str, edge: &Edge, limit: &RateLimiterParams) {
        let path = field_path(params, "rate_limit");
        match self.kind_of(&edge.from) {
            Some(NodeKind::ApiGateway(_)) | None => {}
            Some(other) => self.report(
                path.clone(),
                format!(
                    "a rate limit on an edge is a per-route limit of an API gateway, but `{}` is a {}; put a rate_limiter node in front of `{}` instead",
                    edge.from,
                    other.name(),
                    edge.to
                ),
            ),
        }
        self.rate_limiter(&path, limit);
    }

    /// Reports an edge end naming no node; true when the node exists (or might).
    fn endpoint(&mut self, edge_path: &str, end: &str, id: &str) -> bool {
        if self.may_be_a_node(id) {
            return true;
        }
        self.report(field_path(edge_path, end), format!("no node has id `{id}`"));
        false
    }

    fn edge_params(&mut self, path: &str, params: &EdgeParams) {
        self.distribution(&field_path(path, "latency"), &params.latency);
        if let Some(timeout) = params.timeout_ms {
            self.positive(&field_path(path, "timeout_ms"), timeout);
        }
        if let Some(retry) = &params.retry {
            self.retry(&field_path(path, "retry"), retry);
        }
        if let Some(breaker) = &params.circuit_breaker {
            self.breaker(&field_path(path, "circuit_breaker"), breaker);
        }
        if let Some(budget) = &params.retry_budget {
            self.retry_budget(&field_path(path, "retry_budget"), budget, params);
        }
        if let Some(bulkhead) = &params.bulkhead {
            self.at_least_one(
                &field_path(&field_path(path, "bulkhead"), "max_concurrent"),
                bulkhead.max_concurrent.into(),
                "attempts in flight along the edge at once",
            );
        }
        if let Some(throttling) = &params.adaptive_throttling {
            self.adaptive_throttling(&field_path(path, "adaptive_throttling"), throttling);
        }
        self.fraction(
            &field_path(path, "call_probability"),
            params.call_probability,
        );
    }

    fn retry(&mut self, path: &str, retry: &RetryPolicy) {
        self.at_least_one(
            &field_path(path, "max_attempts"),
            retry.max_attempts.into(),
            "attempts in all, the first included; 1 means no retry",
        );
        self.non_negative(&field_path(path, "base_ms"), retry.base_ms);
        if !(retry.multiplier.is_finite() && retry.multiplier >= 1.0) {
            self.report(
                field_path(path, "multiplier"),
                format!(
                    "must be a finite number ≥ 1 (back-off never shrinks), found {}",
                    retry.multiplier
                ),
            );
        }
        self.non_negative(&field_path(path, "max_backoff_ms"), retry.max_backoff_ms);
    }

    fn retry_budget(&mut self, path: &str, budget: &RetryBudgetParams, edge: &EdgeParams) {
        if edge
            .retry
            .as_ref()
            .is_none_or(|retry| retry.max_attempts <= 1)
        {
            self.report(
                path,
                "a retry budget limits retries, but this edge makes none: give it a `retry` policy with `max_attempts` above 1, or remove the budget",
            );
        }
        let ttl = budget.ttl_ms;
        if !(ttl.is_finite() && (1_000.0..=60_000.0).contains(&ttl)) {
            self.report(
                field_path(path, "ttl_ms"),
                format!("must be between 1000 and 60000 ms (how long a call's deposit counts, as Finagle allows), found {ttl}"),
            );
        }
        let percent = budget.percent_can_retry;
        if !(percent.is_finite() && (0.0..=1_000.0).contains(&percent)) {
            self.report(
                field_path(path, "percent_can_retry"),
                format!("must be a number between 0 and 1000 (retries allowed per call made: 0.2 is one retry in five calls), found {percent}"),
            );
        }
        self.at_most(
            &field_path(path, "min_retries_per_sec"),
            budget.min_retries_per_sec.into(),
            1_000_000,
            "retries per second always allowed",
        );
    }

    fn adaptive_throttling(&mut self, path: &str, throttling: &AdaptiveThrottlingParams) {
        let k = throttling.k;
        if !(k.is_finite() && (1.0..=1_000.0).contains(&k)) {
            self.report(
                field_path(path, "k"),
                format!("must be a number between 1 and 1000 (requests sent per request the callee accepts before rejecting locally; below 1 would reject even when everything succeeds), found {k}"),
            );
        }
        let window = throttling.window_ms;
        if !(window.is_finite() && window > 0.0 && window <= 600_000.0) {
            self.report(
                field_path(path, "window_ms"),
                format!("must be more than 0 and at most 600000 ms (ten minutes: the window keeps every request it covers), found {window}"),
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // Nodes

    fn nodes(&mut self) {
        let design = self.design;
        for (index, node) in design.nodes.iter().enumerate() {
            let path = self.node_path(index);
            let params = field_path(&path, "params");
            let outgoing = self.outgoing(&node.id).count();
            match &node.spec {
                NodeKind::Client(client) => {
                    if outgoing == 0 && !self.gaps.edges_missing {
                        self.report(
                            path.clone(),
                            format!("client `{}` has no outgoing edge, so its requests go nowhere; connect it to the node its requests enter", node.id),
                        );
                    }
                    self.client(&params, client);
                }
                NodeKind::ApiGateway(gateway) => {
                    self.needs_downstream(&path, &node.id, outgoing, "api gateway", "requests");
                    self.gateway(&params, &node.id, gateway);
                }
                NodeKind::LoadBalancer(balancer) => {
                    self.needs_downstream(&path, &node.id, outgoing, "load balancer", "requests");
                    self.balancer(&params, &node.id, balancer);
                }
                NodeKind::Service(service) => self.service(&params, service),
                NodeKind::Cache(cache) => {
                    self.needs_downstream(&path, &node.id, outgoing, "cache", "misses");
                    self.cache(&params, cache);
                }
                NodeKind::Queue(queue) => self.queue(&path, &node.id, queue),
                NodeKind::Database(database) => self.database(&params, database),
                NodeKind::RateLimiter(limiter) => {
                    self.needs_downstream(
                        &path,
                        &node.id,
                        outgoing,
                        "rate limiter",
                        "admitted requests",
                    );
                    self.rate_limiter(&params, limiter);
                }
            }
        }
    }

    fn needs_downstream(
        &mut self,
        path: &str,
        id: &str,
        outgoing: usize,
        what: &str,
        things: &str,
    ) {
        if outgoing == 0 && !self.gaps.edges_missing {
            self.report(
                path,
                format!("{what} `{id}` has no outgoing edge, so its {things} have nowhere to go; add an edge from it"),
            );
        }
    }

    fn client(&mut self, path: &str, client: &ClientParams) {
        let workload = field_path(path, "workload");
        match &client.workload {
            Workload::OpenLoop { rate } => self.rate_profile(&field_path(&workload, "rate"), rate),
            Workload::ClosedLoop { users, think_time } => {
                let users_path = field_path(&workload, "users");
                self.at_least_one(&users_path, (*users).into(), "users");
                self.at_most(&users_path, (*users).into(), MAX_USERS, "simulated users");
                self.distribution(&field_path(&workload, "think_time"), think_time);
            }
        }

        let mix = field_path(path, "mix");
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (index, class) in client.mix.iter().enumerate() {
            let class_path = index_path(&mix, index);
            if class.name.is_empty() {
                self.report(field_path(&class_path, "name"), "must not be empty");
            } else if let Some(&first) = names.get(class.name.as_str()) {
                self.report(
                    field_path(&class_path, "name"),
                    format!(
                        "duplicate request class `{}` (also mix[{first}])",
                        class.name
                    ),
                );
            } else {
                names.insert(class.name.as_str(), index);
            }
            self.non_negative(&field_path(&class_path, "weight"), class.weight);
        }
        let total: f64 = client.mix.iter().map(|class| class.weight).sum();
        if !client.mix.is_empty() && total.is_finite() && total <= 0.0 {
            self.report(
                mix,
                "the weights add up to 0, so no request class could ever be chosen; give at least one class a positive weight (or leave mix empty for a single `default` read class)",
            );
        }

        let keys = field_path(path, "keys");
        self.at_least_one(
            &field_path(&keys, "count"),
            client.keys.count,
            "distinct keys",
        );
        if let KeyPopularity::Zipf { exponent } = client.keys.popularity {
            let exponent_path = field_path(&field_path(&keys, "popularity"), "exponent");
            if !(exponent.is_finite() && exponent > 0.0) {
                self.report(
                    exponent_path,
                    format!("must be a finite number > 0 (1 is classic Zipf; use popularity `uniform` for no skew), found {exponent}"),
                );
            }
        }
    }

    /// Names of all request classes the design's clients send.
    /// Every class some client sends; computed once (a design may have many gateways).
    fn request_classes(&self) -> &BTreeSet<&'a str> {
        let design = self.design;
        self.classes.get_or_init(|| {
            let mut classes = BTreeSet::new();
            for node in &design.nodes {
                if let NodeKind::Client(client) = &node.spec {
                    if client.mix.is_empty() {
                        classes.insert("default");
                    }
                    classes.extend(client.mix.iter().map(|class| class.name.as_str()));
                }
            }
            classes
        })
    }

    /// Ids that some queue names as its dead-letter node; computed once.
    fn dead_letter_targets(&self) -> &HashSet<&'a str> {
        let design = self.design;
        self.dead_letters.get_or_init(|| {
            design
                .nodes
                .iter()
                .filter_map(|node| match &node.spec {
                    NodeKind::Queue(queue) => queue.dead_letter.as_deref(),
                    _ => None,
                })
                .collect()
        })
    }

    /// All clients' mixes together may name at most [`MAX_CLASSES`] classes; the problem is
    /// reported at the mix entry that goes past it.
    fn class_count(&mut self) {
        let design = self.design;
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (index, node) in design.nodes.iter().enumerate() {
            let NodeKind::Client(client) = &node.spec else {
                continue;
            };
            for (entry, class) in client.mix.iter().enumerate() {
                if seen.insert(class.name.as_str()) && seen.len() > MAX_CLASSES {
                    let mix = field_path(&field_path(&self.node_path(index), "params"), "mix");
                    let path = index_path(&mix, entry);
                    self.report(
                        field_path(&path, "name"),
                        format!(
                            "a design may name at most {MAX_CLASSES} request classes in all; this is one more"
                        ),
                    );
                    return;
                }
            }
        }
    }

    fn gateway(&mut self, path: &str, id: &str, gateway: &GatewayParams) {
        self.distribution(&field_path(path, "overhead"), &gateway.overhead);
        let classes = self.request_classes().clone();
        let targets: Vec<&str> = self
            .design
            .outgoing(id)
            .map(|edge| edge.to.as_str())
            .collect();
        let mut routed: HashMap<&str, usize> = HashMap::new();
        for (index, route) in gateway.routes.iter().enumerate() {
            let route_path = index_path(&field_path(path, "routes"), index);
            // With no client at all, that one problem is reported already; with a node missing,
            // it might be the client sending this class.
            if !classes.is_empty()
                && !self.gaps.nodes_missing
                && !classes.contains(route.class.as_str())
            {
                self.report(
                    field_path(&route_path, "class"),
                    format!(
                        "no client sends request class `{}`; classes sent: {}",
                        route.class,
                        list_or_none(classes.iter().copied())
                    ),
                );
            }
            if let Some(&first) = routed.get(route.class.as_str()) {
                self.report(
                    field_path(&route_path, "class"),
                    format!(
                        "class `{}` is already routed by routes[{first}]",
                        route.class
                    ),
                );
            } else {
                routed.insert(route.class.as_str(), index);
            }
            if !self.gaps.edges_missing && !targets.contains(&route.to.as_str()) {
                self.report(
                    field_path(&route_path, "to"),
                    format!(
                        "`{}` is not at the end of an edge from `{id}`; add that edge or route to one of: {}",
                        route.to,
                        list_or_none(targets.iter().copied())
                    ),
                );
            }
        }
    }

    fn balancer(&mut self, path: &str, id: &str, balancer: &LoadBalancerParams) {
        let algorithm = field_path(path, "algorithm");
        match balancer.algorithm {
            BalancerAlgorithm::ConsistentHash { virtual_nodes, .. } => {
                self.virtual_nodes(&algorithm, virtual_nodes, "backend");
            }
            BalancerAlgorithm::BoundedLoadHash {
                virtual_nodes,
                balance_factor,
                ..
            } => {
                self.virtual_nodes(&algorithm, virtual_nodes, "backend");
                let path = field_path(&algorithm, "balance_factor");
                if !(balance_factor.is_finite()
                    && (1.0..=MAX_BALANCE_FACTOR).contains(&balance_factor))
                {
                    self.report(
                        path,
                        format!(
                            "must be between 1 and {MAX_BALANCE_FACTOR} (a backend may take this many times the average load; below 1 the backends could not hold every request), found {balance_factor}"
                        ),
                    );
                }
            }
            BalancerAlgorithm::Maglev { table_size } => {
                self.maglev_table_size(&algorithm, table_size);
            }
            BalancerAlgorithm::WeightedRoundRobin if !self.gaps.edges_missing => {
                let mut outgoing = self.outgoing(id).peekable();
                if outgoing.peek().is_some() && outgoing.all(|edge| edge.params.weight == 0) {
                    self.report(
                        algorithm,
                        "every outgoing edge has weight 0, so no backend could be chosen; give at least one edge a positive weight",
                    );
                }
            }
            BalancerAlgorithm::WeightedRoundRobin
            | BalancerAlgorithm::RoundRobin
            | BalancerAlgorithm::Random
            | BalancerAlgorithm::LeastConnections { .. }
            | BalancerAlgorithm::LeastRequest
            | BalancerAlgorithm::Rendezvous => {}
        }
        if let HealthCheck::Active(active) = &balancer.health_check {
            let check = field_path(path, "health_check");
            self.positive(&field_path(&check, "interval_ms"), active.interval_ms);
            self.positive(&field_path(&check, "timeout_ms"), active.timeout_ms);
            self.at_least_one(
                &field_path(&check, "unhealthy_threshold"),
                active.unhealthy_threshold.into(),
                "failed probes in a row that mark a backend down",
            );
            self.at_least_one(
                &field_path(&check, "healthy_threshold"),
                active.healthy_threshold.into(),
                "passed probes in a row that bring a backend back",
            );
        }
        if let Some(outlier) = &balancer.outlier_detection {
            let od = field_path(path, "outlier_detection");
            self.at_least_one(
                &field_path(&od, "consecutive_errors"),
                outlier.consecutive_errors.into(),
                "failed replies in a row that eject a backend",
            );
            self.positive(&field_path(&od, "interval_ms"), outlier.interval_ms);
            self.positive(
                &field_path(&od, "base_ejection_ms"),
                outlier.base_ejection_ms,
            );
            self.positive(&field_path(&od, "max_ejection_ms"), outlier.max_ejection_ms);
            if outlier.max_ejection_ms.is_finite()
                && outlier.base_ejection_ms.is_finite()
                && outlier.max_ejection_ms < outlier.base_ejection_ms
            {
                self.report(
                    field_path(&od, "max_ejection_ms"),
                    format!(
                        "must be at least base_ejection_ms ({}), as in Envoy; found {}",
                        readable(outlier.base_ejection_ms),
                        readable(outlier.max_ejection_ms)
                    ),
                );
            }
            self.percentage(
                &field_path(&od, "max_ejection_percent"),
                outlier.max_ejection_percent,
            );
        }
        self.percentage(
            &field_path(path, "panic_threshold_percent"),
            balancer.panic_threshold_percent,
        );
    }

    fn percentage(&mut self, path: &str, value: f64) {
        if !(0.0..=100.0).contains(&value) {
            self.report(
                path,
                format!(
                    "must be a percentage between 0 and 100, found {}",
                    readable(value)
                ),
            );
        }
    }

    fn service(&mut self, path: &str, service: &ServiceParams) {
        self.at_least_one(
            &field_path(path, "workers"),
            service.workers.into(),
            "requests served at once",
        );
        self.distribution(&field_path(path, "service_time"), &service.service_time);
        self.fraction(&field_path(path, "error_rate"), service.error_rate);
        if let Some(slowdown) = &service.slowdown {
            let slowdown_path = field_path(path, "slowdown");
            if !(slowdown.knee >= 0.0 && slowdown.knee < 1.0) {
                self.report(
                    field_path(&slowdown_path, "knee"),
                    format!("must be a utilisation in [0, 1), found {}", slowdown.knee),
                );
            }
            self.non_negative(&field_path(&slowdown_path, "factor"), slowdown.factor);
        }
        if let Some(scaling) = &service.autoscaling {
            self.autoscaling(&field_path(path, "autoscaling"), scaling);
        }
        if let Some(discovery) = &service.discovery {
            self.discovery(path, discovery, service.autoscaling.is_some());
        }
        self.queue_discipline(
            &field_path(path, "queue_discipline"),
            &service.queue_discipline,
        );
        if let Some(curve) = &service.load_curve {
            let curve_path = field_path(path, "load_curve");
            if service.slowdown.is_some() {
                self.report(
                    curve_path.clone(),
                    "a service takes either `slowdown` (the linear knee) or `load_curve`, not both: remove one",
                );
            }
            self.load_curve(&curve_path, curve);
        }
    }

    fn load_curve(&mut self, path: &str, curve: &LoadCurve) {
        match *curve {
            LoadCurve::Knee { knee, factor } => {
                if !(0.0..1.0).contains(&knee) {
                    self.report(
                        field_path(path, "knee"),
                        format!("must be a utilisation in [0, 1), found {knee}"),
                    );
                }
                self.non_negative(&field_path(path, "factor"), factor);
            }
            LoadCurve::Exponential { k } => {
                if !(k.is_finite() && (0.0..=20.0).contains(&k)) {
                    self.report(
                        field_path(path, "k"),
                        format!("must be between 0 and 20 (e^20 is already 500 million times slower), found {k}"),
                    );
                }
            }
            LoadCurve::Polynomial { a, b } => {
                self.non_negative(&field_path(path, "a"), a);
                if !(b.is_finite() && b > 0.0 && b <= 100.0) {
                    self.report(
                        field_path(path, "b"),
                        format!("must be more than 0 and at most 100 (the power of the utilisation), found {b}"),
                    );
                }
            }
        }
    }

    fn queue_discipline(&mut self, path: &str, discipline: &QueueDiscipline) {
        match discipline {
            QueueDiscipline::Fifo | QueueDiscipline::Lifo => {}
            QueueDiscipline::AdaptiveLifo { threshold } => self.at_least_one(
                &field_path(path, "threshold"),
                (*threshold).into(),
                "requests waiting above which the newest is served first",
            ),
            QueueDiscipline::Codel {
                target_ms,
                interval_ms,
            } => {
                self.positive(&field_path(path, "target_ms"), *target_ms);
                self.positive(&field_path(path, "interval_ms"), *interval_ms);
                if target_ms.is_finite() && interval_ms.is_finite() && target_ms >= interval_ms {
                    self.report(
                        field_path(path, "target_ms"),
                        format!(
                            "must be shorter than `interval_ms` ({interval_ms} ms): CoDel drops when the waiting time stays above the target for a whole interval, found {target_ms}"
                        ),
                    );
                }
            }
            QueueDiscipline::Priority { classes } => {
                let known = self.request_classes().clone();
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for (index, class) in classes.iter().enumerate() {
                    let class_path = index_path(&field_path(path, "classes"), index);
                    if let Some(first) = seen.insert(class.as_str(), index) {
                        self.report(
                            class_path,
                            format!("class `{class}` is already listed at classes[{first}]"),
                        );
                    } else if !known.is_empty()
                        && !self.gaps.nodes_missing
                        && !known.contains(class.as_str())
                    {
                        self.report(
                            class_path,
                            format!(
                                "no client sends request class `{class}`; classes sent: {}",
                                list_or_none(known.iter().copied())
                            ),
                        );
                    }
                }
            }
        }
    }

    fn cache(&mut self, path: &str, cache: &CacheParams) {
        self.at_least_one(
            &field_path(path, "capacity"),
            cache.capacity,
            "keys the cache holds",
        );
        if let Some(ttl) = cache.ttl_ms {
            self.positive(&field_path(path, "ttl_ms"), ttl);
        }
        self.distribution(&field_path(path, "hit_time"), &cache.hit_time);
        if let Some(curve) = &cache.load_curve {
            self.load_curve(&field_path(path, "load_curve"), curve);
            self.at_least_one(
                &field_path(path, "concurrency"),
                cache.concurrency.into(),
                "requests at once at full load, the load curve's utilisation 1",
            );
        }
        self.positive(
            &field_path(path, "write_back_delay_ms"),
            cache.write_back_delay_ms,
        );
    }

    fn queue(&mut self, node_path: &str, id: &str, queue: &QueueParams) {
        let path = field_path(node_path, "params");
        self.at_least_one(
            &field_path(&path, "capacity"),
            queue.capacity,
            "messages the queue holds",
        );
        self.at_least_one(
            &field_path(&path, "consumers"),
            queue.consumers.into(),
            "messages delivered at once",
        );
        self.at_least_one(
            &field_path(&path, "max_deliveries"),
            queue.max_deliveries.into(),
            "deliveries of one message",
        );
        if queue.fan_out && (queue.partitions.is_some() || queue.visibility_timeout_ms.is_some()) {
            self.report(
                field_path(&path, "fan_out"),
                "fan-out gives each subscription a plain line of its own; it does not yet combine with partitions or a visibility timeout: turn fan_out off, or remove those",
            );
        }
        if let Some(timeout) = queue.visibility_timeout_ms {
            let timeout_path = field_path(&path, "visibility_timeout_ms");
            self.positive(&timeout_path, timeout);
            if queue.partitions.is_some() {
                self.report(
                    timeout_path,
                    "a visibility timeout is how SQS consumes a queue; a partitioned topic (Kafka) has none: remove one of visibility_timeout_ms and partitions",
                );
            }
        }
        if let Some(partitions) = queue.partitions {
            let partitions_path = field_path(&path, "partitions");
            self.at_least_one(
                &partitions_path,
                partitions.into(),
                "partitions of the topic",
            );
            self.at_most(
                &partitions_path,
                partitions.into(),
                MAX_PARTITIONS,
                "partitions of one topic",
            );
        }
        let dead_letter = queue.dead_letter.as_deref();
        let has_edge_to = |target: &str| self.outgoing(id).any(|edge| edge.to == target);
        if let Some(target) = dead_letter
            && !has_edge_to(target)
        {
            let dead_letter_path = field_path(&path, "dead_letter");
            if !self.may_be_a_node(target) {
                self.report(dead_letter_path, format!("no node has id `{target}`"));
            } else if !self.gaps.edges_missing {
                self.report(
                    dead_letter_path,
                    format!(
                        "`{target}` is not at the end of an edge from `{id}`; add an edge `{id}` → `{target}` for dead letters"
                    ),
                );
            }
        }
        // A dead-letter queue may be a plain sink: its messages wait there for inspection.
        let is_dead_letter_sink = self.dead_letter_targets().contains(id);
        // A missing node might name this queue as its dead letter; a missing edge might start here.
        if !is_dead_letter_sink
            && !self.gaps.nodes_missing
            && !self.gaps.edges_missing
            && !self
                .design
                .outgoing(id)
                .any(|edge| Some(edge.to.as_str()) != dead_letter)
        {
            self.report(
                node_path,
                format!("queue `{id}` has no outgoing edge to a consumer, so its messages would never be delivered; add an edge from it"),
            );
        }
    }

    fn database(&mut self, path: &str, database: &DatabaseParams) {
        self.at_least_one(
            &field_path(path, "shards"),
            database.shards.into(),
            "shards",
        );
        self.at_most(
            &field_path(path, "shards"),
            database.shards.into(),
            MAX_SHARDS,
            "shards",
        );
        self.at_most(
            &field_path(path, "replicas_per_shard"),
            database.replicas_per_shard.into(),
            MAX_REPLICAS_PER_SHARD,
            "replicas per shard",
        );
        self.at_least_one(
            &field_path(path, "connections"),
            database.connections.into(),
            "concurrent queries per primary or replica",
        );
        let sharding = field_path(path, "sharding");
        match database.sharding {
            Sharding::ConsistentHash { virtual_nodes, .. } => {
                self.virtual_nodes(&sharding, virtual_nodes, "shard");
            }
            Sharding::Maglev { table_size } => self.maglev_table_size(&sharding, table_size),
            Sharding::Hash | Sharding::Range | Sharding::Jump | Sharding::Rendezvous => {}
        }
        self.distribution(&field_path(path, "read_time"), &database.read_time);
        self.distribution(&field_path(path, "write_time"), &database.write_time);
        self.non_negative(
            &field_path(path, "replication_lag_ms"),
            database.replication_lag_ms,
        );
        if let Some(curve) = &database.load_curve {
            self.load_curve(&field_path(path, "load_curve"), curve);
        }
        self.replication(path, database);
    }

    fn rate_limiter(&mut self, path: &str, limiter: &RateLimiterParams) {
        let algorithm = field_path(path, "algorithm");
        match limiter.algorithm {
            RateLimitAlgorithm::TokenBucket { rate_rps, burst } => {
                self.positive(&field_path(&algorithm, "rate_rps"), rate_rps);
                self.at_least_one(
                    &field_path(&algorithm, "burst"),
                    burst.into(),
                    "tokens the bucket holds",
                );
            }
            RateLimitAlgorithm::Gcra { rate_rps, burst } => {
                self.positive(&field_path(&algorithm, "rate_rps"), rate_rps);
                self.at_least_one(
                    &field_path(&algorithm, "burst"),
                    burst.into(),
                    "requests admitted back to back from idle",
                );
            }
            RateLimitAlgorithm::LeakyBucket { rate_rps, capacity } => {
                self.positive(&field_path(&algorithm, "rate_rps"), rate_rps);
                self.at_least_one(
                    &field_path(&algorithm, "capacity"),
                    capacity.into(),
                    "requests the bucket holds",
                );
            }
            RateLimitAlgorithm::FixedWindow { limit, window_ms }
            | RateLimitAlgorithm::SlidingWindow { limit, window_ms } => {
                self.at_least_one(
                    &field_path(&algorithm, "limit"),
                    limit.into(),
                    "requests per window",
                );
                self.positive(&field_path(&algorithm, "window_ms"), window_ms);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Distributions and rates

    fn distribution(&mut self, path: &str, distribution: &Distribution) {
        match *distribution {
            Distribution::Constant { ms } => self.non_negative(&field_path(path, "ms"), ms),
            Distribution::Exponential { mean_ms } => {
                self.positive(&field_path(path, "mean_ms"), mean_ms)
            }
            Distribution::Uniform { min_ms, max_ms } => {
                self.non_negative(&field_path(path, "min_ms"), min_ms);
                self.non_negative(&field_path(path, "max_ms"), max_ms);
                if min_ms > max_ms {
                    self.report(
                        field_path(path, "min_ms"),
                        format!("min_ms ({min_ms}) is greater than max_ms ({max_ms}); need min_ms ≤ max_ms"),
                    );
                }
            }
            Distribution::LogNormal { median_ms, p99_ms } => {
                self.positive(&field_path(path, "median_ms"), median_ms);
                self.positive(&field_path(path, "p99_ms"), p99_ms);
                if p99_ms <= median_ms {
                    self.report(
                        field_path(path, "p99_ms"),
                        format!("p99_ms ({p99_ms}) must be greater than median_ms ({median_ms}); for a fixed time use a constant distribution"),
                    );
                }
            }
        }
    }

    fn rate_profile(&mut self, path: &str, profile: &RateProfile) {
        match *profile {
            RateProfile::Constant { rps } => self.non_negative(&field_path(path, "rps"), rps),
            RateProfile::Ramp {
                from_rps,
                to_rps,
                start_ms,
                end_ms,
            } => {
                self.non_negative(&field_path(path, "from_rps"), from_rps);
                self.non_negative(&field_path(path, "to_rps"), to_rps);
                self.non_negative(&field_path(path, "start_ms"), start_ms);
                self.non_negative(&field_path(path, "end_ms"), end_ms);
                if end_ms <= start_ms {
                    self.report(
                        field_path(path, "end_ms"),
                        format!("end_ms ({end_ms}) must be after start_ms ({start_ms}); for an instant change use a step profile"),
                    );
                }
            }
            RateProfile::Step {
                before_rps,
                after_rps,
                at_ms,
            } => {
                self.non_negative(&field_path(path, "before_rps"), before_rps);
                self.non_negative(&field_path(path, "after_rps"), after_rps);
                self.non_negative(&field_path(path, "at_ms"), at_ms);
            }
            RateProfile::Spike {
                base_rps,
                spike_rps,
                start_ms,
                duration_ms,
            } => {
                self.non_negative(&field_path(path, "base_rps"), base_rps);
                self.non_negative(&field_path(path, "spike_rps"), spike_rps);
                self.non_negative(&field_path(path, "start_ms"), start_ms);
                self.positive(&field_path(path, "duration_ms"), duration_ms);
            }
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                period_ms,
            } => {
                self.non_negative(&field_path(path, "mean_rps"), mean_rps);
                self.non_negative(&field_path(path, "amplitude_rps"), amplitude_rps);
                self.positive(&field_path(path, "period_ms"), period_ms);
                if period_ms > 0.0 && period_ms < MIN_PERIOD_MS {
                    self.report(
                        field_path(path, "period_ms"),
                        format!(
                            "must be at least {MIN_PERIOD_MS} ms (1 µs), found {}",
                            readable(period_ms)
                        ),
                    );
                }
                if amplitude_rps > mean_rps {
                    self.report(
                        field_path(path, "amplitude_rps"),
                        format!("amplitude_rps ({amplitude_rps}) must not exceed mean_rps ({mean_rps}), or the rate would go negative"),
                    );
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Faults and run settings

    fn faults(&mut self) {
        let design = self.design;
        for (index, fault) in design.faults.iter().enumerate() {
            let path = self.fault_path(index);
            if fault.effect.on_edge() {
                self.edge_fault_target(&path, &fault.target);
            } else if !self.may_be_a_node(&fault.target) {
                self.report(
                    field_path(&path, "target"),
                    format!("no node has id `{}`", fault.target),
                );
            }
            self.non_negative(&field_path(&path, "at_ms"), fault.at_ms);
            if fault.effect.may_be_instant() {
                self.non_negative(&field_path(&path, "duration_ms"), fault.duration_ms);
            } else {
                self.positive(&field_path(&path, "duration_ms"), fault.duration_ms);
            }
            let effect = field_path(&path, "effect");
            match fault.effect {
                FaultEffect::Crash => {}
                FaultEffect::Latency { extra_ms } => {
                    self.non_negative(&field_path(&effect, "extra_ms"), extra_ms)
                }
                FaultEffect::ErrorRate { rate } => {
                    self.fraction(&field_path(&effect, "rate"), rate)
                }
                FaultEffect::Slowdown { factor } => {
                    self.positive(&field_path(&effect, "factor"), factor)
                }
                FaultEffect::Reshard { shards } => self.reshard(index, &effect, shards),
                FaultEffect::PrimaryCrash => self.primary_crash(index),
                FaultEffect::Partition
                | FaultEffect::EdgeLatency { .. }
                | FaultEffect::CacheFlush
                | FaultEffect::WorkerCut { .. }
                | FaultEffect::Burst { .. } => self.timeline_fault(&path, fault),
            }
        }
    }

    /// A reshard targets a database, asks for 1 to `MAX_SHARDS` shards, and does not overlap
    /// another reshard of the same database (one move at a time, as real resharding goes).
    fn reshard(&mut self, index: usize, effect: &str, shards: u32) {
        let design = self.design;
        let fault = &design.faults[index];
        let path = self.fault_path(index);
        match self.kind_of(&fault.target) {
            Some(NodeKind::Database(_)) | None => {}
            Some(other) => self.report(
                field_path(&path, "target"),
                format!(
                    "a reshard changes a database's shard count, but `{}` is a {}",
                    fault.target,
                    other.name()
                ),
            ),
        }
        let shards_path = field_path(effect, "shards");
        self.at_least_one(&shards_path, shards.into(), "shards after the reshard");
        self.at_most(&shards_path, shards.into(), MAX_SHARDS, "shards");
        let end = fault.at_ms + fault.duration_ms;
        let overlapping = design.faults[..index].iter().position(|other| {
            other.target == fault.target
                && matches!(other.effect, FaultEffect::Reshard { .. })
                && other.at_ms < end
                && fault.at_ms < other.at_ms + other.duration_ms
        });
        if let Some(other) = overlapping {
            self.report(
                field_path(&path, "at_ms"),
                format!(
                    "this reshard of `{}` overlaps the one at {}; a database moves its keys for one reshard at a time, so start this one after that one's duration",
                    fault.target,
                    self.fault_path(other)
                ),
            );
        }
    }

    fn run(&mut self, run: &RunSettings) {
        self.positive("run.duration_ms", run.duration_ms);
        self.non_negative("run.warmup_ms", run.warmup_ms);
        if run.warmup_ms.is_finite()
            && run.duration_ms.is_finite()
            && run.warmup_ms >= run.duration_ms
        {
            self.report(
                "run.warmup_ms",
                format!(
                    "warm-up ({} ms) must be shorter than the run ({} ms), or no statistics would be kept",
                    run.warmup_ms, run.duration_ms
                ),
            );
        }
        self.at_least_one(
            "run.replications",
            run.replications.into(),
            "independent runs",
        );
        self.at_most(
            "run.replications",
            run.replications.into(),
            MAX_REPLICATIONS,
            "independent runs",
        );
        self.positive("run.bucket_ms", run.bucket_ms);
        if run.bucket_ms > 0.0 && run.bucket_ms < MIN_BUCKET_MS {
            self.report(
                "run.bucket_ms",
                format!(
                    "must be at least {MIN_BUCKET_MS} ms (1 µs; the clock counts nanoseconds), found {}",
                    readable(run.bucket_ms)
                ),
            );
        }
        if run.bucket_ms > 0.0 && run.duration_ms > 0.0 && run.duration_ms.is_finite() {
            let buckets = (run.duration_ms / run.bucket_ms).ceil();
            if buckets > MAX_BUCKETS {
                self.report(
                    "run.bucket_ms",
                    format!(
                        "a {} ms run in {} ms buckets makes {buckets} buckets; at most {MAX_BUCKETS} are kept, so use buckets of at least {} ms",
                        run.duration_ms,
                        run.bucket_ms,
                        (run.duration_ms / MAX_BUCKETS).ceil()
                    ),
                );
            } else {
                let values = buckets * self.series_per_bucket() as f64;
                if values > MAX_SERIES_VALUES {
                    let per_bucket = self.series_per_bucket() as f64;
                    self.report(
                        "run.bucket_ms",
                        format!(
                            "{buckets} buckets of {per_bucket} figures each (one per node, edge and shard series) make {values} values, more than the {MAX_SERIES_VALUES:e} a run keeps in memory; use buckets of at least {} ms",
                            (run.duration_ms * per_bucket / MAX_SERIES_VALUES).ceil()
                        ),
                    );
                }
            }
        }
        self.at_least_one("run.max_events", run.max_events, "events");
        self.at_least_one("run.max_in_flight", run.max_in_flight, "requests in flight");
    }

    /// Figures the time series records per bucket (see `archsim_model::report::Series`): the
    /// overall ones, then each node's, kind-specific ones and each shard's, and each edge's.
    fn series_per_bucket(&self) -> u64 {
        const OVERALL: u64 = 6 + 7; // arrivals, succeeded, failed, p50/p95/p99 + causes
        const PER_NODE: u64 = 8;
        const PER_EDGE: u64 = 7; // six counts and the breaker state
        let nodes: u64 = self
            .design
            .nodes
            .iter()
            .map(|node| {
                PER_NODE
                    + match &node.spec {
                        NodeKind::Cache(_) | NodeKind::RateLimiter(_) => 1,
                        NodeKind::Queue(_) => 4,
                        NodeKind::Database(db) => u64::from(db.shards),
                        _ => 0,
                    }
            })
            .sum();
        OVERALL + nodes + PER_EDGE * self.design.edges.len() as u64
    }

    // -----------------------------------------------------------------------------------------
    // Cycles

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

    // -----------------------------------------------------------------------------------------
    // Ranges

    fn non_negative(&mut self, path: &str, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.report(path, format!("must be a finite number ≥ 0, found {value}"));
        } else {
            self.within_ceiling(path, value);
        }
    }

    fn positive(&mut self, path: &str, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.report(path, format!("must be a finite number > 0, found {value}"));
        } else {
            self.within_ceiling(path, value);
        }
    }

    /// Every duration (a field named `…_ms`) and every rate (`…rps`) has a ceiling that keeps
    /// the engine's integer clock and counters exact; the field's name says which one applies,
    /// so no duration or rate field can be added without it.
    fn within_ceiling(&mut self, path: &str, value: f64) {
        let field = path.rsplit('.').next().unwrap_or(path);
        if (field == "ms" || field.ends_with("_ms")) && value > MAX_DURATION_MS {
            self.report(
                path,
                format!(
                    "must be at most {MAX_DURATION_MS:e} ms (about 31 years; the simulation clock counts nanoseconds), found {}",
                    readable(value)
                ),
            );
        } else if field.ends_with("rps") && value > MAX_RPS {
            self.report(
                path,
                format!(
                    "must be at most {MAX_RPS:e} requests per second, found {}",
                    readable(value)
                ),
            );
        }
    }

    fn fraction(&mut self, path: &str, value: f64) {
        if !(0.0..=1.0).contains(&value) {
            self.report(
                path,
                format!("must be a probability between 0 and 1 (a fraction, not a percentage), found {value}"),
            );
        }
    }

    /// Sizes the simulation allocates for up front (users, shards, replicas) have a ceiling, so
    /// that a typo such as 4294967295 is a problem with a path rather than an out-of-memory
    /// abort (or an overflow) when the run starts.
    fn at_most(&mut self, path: &str, value: u64, max: u64, what: &str) {
        if value > max {
            self.report(
                path,
                format!("must be at most {max} ({what}), found {value}"),
            );
        }
    }

    /// Ring points per member of a consistent-hash ring (`algorithm` is the path of the
    /// algorithm object).
    fn virtual_nodes(&mut self, algorithm: &str, value: u32, member: &str) {
        let path = field_path(algorithm, "virtual_nodes");
        self.at_least_one(&path, value.into(), &format!("ring points per {member}"));
        self.at_most(
            &path,
            value.into(),
            MAX_VIRTUAL_NODES.into(),
            &format!("ring points per {member}; balance stops improving long before"),
        );
    }

    /// A Maglev table's size must be a prime (each member's permutation must visit every
    /// entry) within a bound that keeps the table a few megabytes.
    fn maglev_table_size(&mut self, algorithm: &str, value: u32) {
        let path = field_path(algorithm, "table_size");
        if !(MIN_MAGLEV_TABLE_SIZE..=MAX_MAGLEV_TABLE_SIZE).contains(&value) {
            self.report(
                path,
                format!(
                    "must be a prime between {MIN_MAGLEV_TABLE_SIZE} and {MAX_MAGLEV_TABLE_SIZE} (Envoy's default is 65537), found {value}"
                ),
            );
        } else if !is_prime(value) {
            self.report(
                path,
                format!(
                    "must be a prime number (each member's permutation of the table only visits every entry when the size is prime), found {value}; the nearest primes below and above are {} and {}",
                    previous_prime(value),
                    next_prime(value)
                ),
            );
        }
    }

    fn at_least_one(&mut self, path: &str, value: u64, what: &str) {
        if value == 0 {
            self.report(path, format!("must be at least 1 ({what}), found 0"));
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

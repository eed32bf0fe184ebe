//! The design document: nodes on a canvas, edges between them, a fault timeline and run settings.
//!
//! Every field a person can leave out has a default here, so a hand-written design stays short;
//! the fields that identify things (`id`, `kind`, `from`, `to`) are required.
//!
//! A traffic source is a node of kind [`NodeKind::Client`]: it sits on the canvas like any other
//! node, and its outgoing edges say where its requests enter the system.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::breaker::{BreakerParams, BreakerWindow, HalfOpenRule};
pub use crate::discipline::QueueDiscipline;
pub use crate::hedging::{HedgeDelay, HedgingParams};
pub use crate::load_curve::LoadCurve;
pub use crate::resilience::{AdaptiveThrottlingParams, BulkheadParams, RetryBudgetParams};

mod cache;
mod database;
mod distribution;
mod edge;
mod fault;
mod queue;
mod rate_limit;
mod routing;
mod service;
mod traffic;

pub use cache::*;
pub use database::*;
pub use distribution::*;
pub use edge::*;
pub use fault::*;
pub use queue::*;
pub use rate_limit::*;
pub use routing::*;
pub use service::*;
pub use traffic::*;

/// A whole design: what the editor shows and what the engine runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Design-format version. Files with an older version are migrated on load; a newer one is
    /// refused with a clear message.
    pub version: u32,
    /// Human name of the design.
    #[serde(default)]
    pub name: String,
    /// Free text: what the design is for, what to look for when it runs.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Faults injected on a timeline (crash a node, add latency, raise its error rate…).
    #[serde(default)]
    pub faults: Vec<Fault>,
    #[serde(default)]
    pub run: RunSettings,
    /// Labelled boxes and notes drawn on the canvas; no effect on the simulation (the engine
    /// never reads them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<crate::annotation::Annotation>,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            version: crate::CURRENT_VERSION,
            name: String::new(),
            description: String::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
            faults: Vec::new(),
            run: RunSettings::default(),
            annotations: Vec::new(),
        }
    }
}

impl Design {
    /// The design as pretty-printed JSON, the way files are saved and exported.
    ///
    /// Non-finite numbers (NaN, infinities) have no JSON form and come out as `null`;
    /// [`validate`](crate::validate()) refuses them anyway.
    pub fn to_json_pretty(&self) -> String {
        // Serializing these types cannot fail: every map key is a string and no impl errors.
        serde_json::to_string_pretty(self).expect("a Design always serializes to JSON")
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn outgoing<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| e.from == id)
    }

    pub fn incoming<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| e.to == id)
    }
}

/// One box on the canvas.
///
/// `Deserialize` and `JsonSchema` are written by hand (in `node_serde.rs`): serde's derive for a
/// flattened, adjacently-tagged enum buffers the parameters and loses the path of any error
/// inside them, cannot reject unknown fields, and would require `params` even though every kind
/// has defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Unique within the design; letters, digits, `-` and `_`. Edges and faults refer to it.
    pub id: String,
    /// What the canvas shows. Plain text, never HTML.
    #[serde(default)]
    pub label: String,
    /// Top-left corner on the canvas, in canvas units (pixels at zoom 1).
    #[serde(default)]
    pub position: Position,
    /// The kind and its parameters: `"kind": "service", "params": { … }`.
    #[serde(flatten)]
    pub spec: NodeKind,
}

impl Node {
    pub fn kind_name(&self) -> &'static str {
        self.spec.name()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// The closed set of node kinds. Each carries its own parameters; each kind's names and
/// one-line doc are its entry in [`NodeKind::CATALOG`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "params", rename_all = "snake_case")]
pub enum NodeKind {
    Client(ClientParams),
    ApiGateway(GatewayParams),
    LoadBalancer(LoadBalancerParams),
    Service(ServiceParams),
    Cache(CacheParams),
    Queue(QueueParams),
    Database(DatabaseParams),
    RateLimiter(RateLimiterParams),
}

/// What the catalog says about one node kind, written once: the JSON Schema's description of
/// the kind, the editor's palette and properties panel, and the report's reading of utilisation
/// all come from here. (The JSON name is also serde's; a test checks that the two agree.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The name in JSON (`"kind": …`).
    pub name: &'static str,
    /// What people call it (the palette, the properties panel).
    pub title: &'static str,
    /// One line saying what it does (the JSON Schema's description of the kind).
    pub doc: &'static str,
    /// A shorter line for the palette.
    pub blurb: &'static str,
    /// Label given to a freshly added node (a number is appended to keep labels apart).
    pub default_label: &'static str,
    /// It has workers (threads, connections, consumers), so its utilisation means something.
    pub has_workers: bool,
}

/// What the catalog says about one algorithm of a family (balancing, eviction, rate limiting,
/// sharding): its JSON name and what people call it. What it does is the variant's doc
/// comment, which the JSON Schema carries. (The JSON name is also serde's; a test checks that
/// the two agree.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlgorithmInfo {
    /// The name in JSON (`"type": …`, or the plain string).
    pub name: &'static str,
    /// What people call it (the editor's select, the CLI).
    pub title: &'static str,
}

impl NodeKind {
    /// Every kind, in palette order: the one place kinds are named and described.
    pub const CATALOG: [KindInfo; 8] = [
        KindInfo {
            name: "client",
            title: "Client",
            doc: "A traffic source: synthetic users sending requests along its outgoing edges.",
            blurb: "Traffic source: users sending requests",
            default_label: "Clients",
            has_workers: false,
        },
        KindInfo {
            name: "api_gateway",
            title: "API gateway",
            doc: "Front door: fixed processing overhead, bounded concurrency, routes request classes.",
            blurb: "Front door: overhead, concurrency cap, routes",
            default_label: "Gateway",
            has_workers: false,
        },
        KindInfo {
            name: "load_balancer",
            title: "Load balancer",
            doc: "Spreads each request over its outgoing edges with a balancing algorithm.",
            blurb: "Spreads requests over its backends",
            default_label: "Load balancer",
            has_workers: false,
        },
        KindInfo {
            name: "service",
            title: "Service",
            doc: "Workers, a bounded wait queue, a service-time distribution; may call downstream nodes.",
            blurb: "Workers, a wait queue, a service time",
            default_label: "Service",
            has_workers: true,
        },
        KindInfo {
            name: "cache",
            title: "Cache",
            doc: "Key-value cache in front of its downstream (cache-aside): hits answer, misses go on.",
            blurb: "Hits answer fast, misses go downstream",
            default_label: "Cache",
            has_workers: false,
        },
        KindInfo {
            name: "queue",
            title: "Queue",
            doc: "Message queue: producers get an ack on enqueue; consumers deliver to the downstream.",
            blurb: "Acks on enqueue, consumers deliver later",
            default_label: "Queue",
            has_workers: true,
        },
        KindInfo {
            name: "database",
            title: "Database",
            doc: "A database with shards, each a primary with read replicas.",
            blurb: "Shards, each a primary with replicas",
            default_label: "Database",
            has_workers: true,
        },
        KindInfo {
            name: "rate_limiter",
            title: "Rate limiter",
            doc: "Admits or rejects requests by a rate-limiting algorithm, then forwards them.",
            blurb: "Admits or rejects requests by rate",
            default_label: "Rate limiter",
            has_workers: false,
        },
    ];

    /// Every kind's name as it appears in JSON, in palette order.
    pub const NAMES: [&'static str; 8] = {
        let mut names = [""; 8];
        let mut i = 0;
        while i < names.len() {
            names[i] = Self::CATALOG[i].name;
            i += 1;
        }
        names
    };

    /// This kind's catalog entry.
    pub fn info(&self) -> &'static KindInfo {
        &Self::CATALOG[match self {
            NodeKind::Client(_) => 0,
            NodeKind::ApiGateway(_) => 1,
            NodeKind::LoadBalancer(_) => 2,
            NodeKind::Service(_) => 3,
            NodeKind::Cache(_) => 4,
            NodeKind::Queue(_) => 5,
            NodeKind::Database(_) => 6,
            NodeKind::RateLimiter(_) => 7,
        }]
    }

    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The catalog entry of the kind called `name` in JSON.
    pub fn info_named(name: &str) -> Option<&'static KindInfo> {
        Self::CATALOG.iter().find(|kind| kind.name == name)
    }

    /// Every kind with its default parameters, in catalog order.
    pub fn defaults() -> [NodeKind; 8] {
        [
            NodeKind::Client(ClientParams::default()),
            NodeKind::ApiGateway(GatewayParams::default()),
            NodeKind::LoadBalancer(LoadBalancerParams::default()),
            NodeKind::Service(ServiceParams::default()),
            NodeKind::Cache(CacheParams::default()),
            NodeKind::Queue(QueueParams::default()),
            NodeKind::Database(DatabaseParams::default()),
            NodeKind::RateLimiter(RateLimiterParams::default()),
        ]
    }

    /// A node of the named kind with default parameters, as the palette creates it.
    pub fn default_for(name: &str) -> Option<NodeKind> {
        Self::defaults()
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    /// The JSON Schema of this kind's parameters.
    pub fn params_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        match self {
            NodeKind::Client(_) => generator.subschema_for::<ClientParams>(),
            NodeKind::ApiGateway(_) => generator.subschema_for::<GatewayParams>(),
            NodeKind::LoadBalancer(_) => generator.subschema_for::<LoadBalancerParams>(),
            NodeKind::Service(_) => generator.subschema_for::<ServiceParams>(),
            NodeKind::Cache(_) => generator.subschema_for::<CacheParams>(),
            NodeKind::Queue(_) => generator.subschema_for::<QueueParams>(),
            NodeKind::Database(_) => generator.subschema_for::<DatabaseParams>(),
            NodeKind::RateLimiter(_) => generator.subschema_for::<RateLimiterParams>(),
        }
    }

    /// A node of this kind with `params` (a JSON object at `path`) as its parameters.
    pub(crate) fn with_params(
        &self,
        params: &serde_json::Value,
        path: &str,
    ) -> Result<NodeKind, crate::Problem> {
        use crate::locate::deserialize_at;
        match self {
            NodeKind::Client(_) => deserialize_at(params, path).map(NodeKind::Client),
            NodeKind::ApiGateway(_) => deserialize_at(params, path).map(NodeKind::ApiGateway),
            NodeKind::LoadBalancer(_) => deserialize_at(params, path).map(NodeKind::LoadBalancer),
            NodeKind::Service(_) => deserialize_at(params, path).map(NodeKind::Service),
            NodeKind::Cache(_) => deserialize_at(params, path).map(NodeKind::Cache),
            NodeKind::Queue(_) => deserialize_at(params, path).map(NodeKind::Queue),
            NodeKind::Database(_) => deserialize_at(params, path).map(NodeKind::Database),
            NodeKind::RateLimiter(_) => deserialize_at(params, path).map(NodeKind::RateLimiter),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Run settings

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RunSettings {
    /// Simulated time, warm-up included.
    pub duration_ms: f64,
    /// Start of the run left out of summary statistics (the system filling up).
    pub warmup_ms: f64,
    /// Seed of every random draw. The same design and seed give the identical report.
    pub seed: u64,
    /// Independent runs, with seeds derived from `seed`; more than one gives 95% confidence
    /// intervals.
    pub replications: u32,
    /// Width of a time-series bucket.
    pub bucket_ms: f64,
    /// The run stops, and says so, after this many events.
    pub max_events: u64,
    /// The run stops, and says so, when this many requests are in flight at once (each holds
    /// about 200 bytes: the default keeps a run well under 1 GB, so a browser tab survives).
    pub max_in_flight: u64,
}

/// Default of [`RunSettings::max_in_flight`].
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 2_000_000;

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            duration_ms: 60_000.0,
            warmup_ms: 5_000.0,
            seed: 1,
            replications: 1,
            bucket_ms: 1_000.0,
            max_events: 200_000_000,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

//! The design document: nodes on a canvas, edges between them, a fault timeline and run settings.
//!
//! Every field a person can leave out has a default here, so a hand-written design stays short;
//! the fields that identify things (`id`, `kind`, `from`, `to`) are required.
//!
//! A traffic source is a node of kind [`NodeKind::Client`]: it sits on the canvas like any other
//! node, and its outgoing edges say where its requests enter the system.

use crate::health::{HealthCheck, OutlierDetection, Ties};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::breaker::{BreakerParams, BreakerWindow, HalfOpenRule};
pub use crate::discipline::QueueDiscipline;
pub use crate::load_curve::LoadCurve;
pub use crate::resilience::{AdaptiveThrottlingParams, BulkheadParams, RetryBudgetParams};

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
// Distributions

/// A random duration, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Always the same value.
    Constant { ms: f64 },
    /// Memoryless, with the given mean.
    Exponential { mean_ms: f64 },
    /// Uniform on `[min_ms, max_ms]`.
    Uniform { min_ms: f64, max_ms: f64 },
    /// Log-normal, given by its median and its 99th percentile (`p99_ms > median_ms`).
    LogNormal { median_ms: f64, p99_ms: f64 },
}

impl Distribution {
    /// The mean of the distribution, in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Distribution::Constant { ms } => ms,
            Distribution::Exponential { mean_ms } => mean_ms,
            Distribution::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Distribution::LogNormal { median_ms, p99_ms } => {
                let sigma = log_normal_sigma(median_ms, p99_ms);
                median_ms * libm::exp(sigma * sigma / 2.0)
            }
        }
    }
}

/// z-score of the 99th percentile of the standard normal distribution.
pub const Z_P99: f64 = 2.326_347_874_040_841;

/// σ of the underlying normal for a log-normal with the given median and 99th percentile.
///
/// `libm`, not std, so the engine's draws are bit-identical on native and WASM builds.
pub fn log_normal_sigma(median_ms: f64, p99_ms: f64) -> f64 {
    libm::log(p99_ms / median_ms) / Z_P99
}

// ---------------------------------------------------------------------------------------------
// Traffic sources

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClientParams {
    pub workload: Workload,
    /// Request classes and their shares. Empty means one class, `"default"`, a read.
    pub mix: Vec<RequestClass>,
    /// Which keys requests touch (caches and shards see these).
    pub keys: KeyDistribution,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            workload: Workload::default(),
            mix: vec![
                RequestClass {
                    name: "read".into(),
                    weight: 0.9,
                    write: false,
                },
                RequestClass {
                    name: "write".into(),
                    weight: 0.1,
                    write: true,
                },
            ],
            keys: KeyDistribution::default(),
        }
    }
}

/// How requests are generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Workload {
    /// Open loop: Poisson arrivals whose rate follows a profile, whatever the system does.
    OpenLoop { rate: RateProfile },
    /// Closed loop: `users` each send a request, wait for its outcome, think, and repeat.
    ClosedLoop {
        users: u32,
        think_time: Distribution,
    },
}

impl Default for Workload {
    fn default() -> Self {
        Workload::OpenLoop {
            rate: RateProfile::Constant { rps: 100.0 },
        }
    }
}

/// An arrival rate over time, in requests per second. Times are from the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateProfile {
    Constant {
        rps: f64,
    },
    /// Linear from `from_rps` at `start_ms` to `to_rps` at `end_ms`, flat outside.
    Ramp {
        from_rps: f64,
        to_rps: f64,
        start_ms: f64,
        end_ms: f64,
    },
    /// `before_rps` until `at_ms`, then `after_rps`.
    Step {
        before_rps: f64,
        after_rps: f64,
        at_ms: f64,
    },
    /// `base_rps`, except `spike_rps` during `[start_ms, start_ms + duration_ms)`.
    Spike {
        base_rps: f64,
        spike_rps: f64,
        start_ms: f64,
        duration_ms: f64,
    },
    /// Diurnal: `mean_rps + amplitude_rps · sin(2π t / period_ms)`; amplitude ≤ mean.
    Sine {
        mean_rps: f64,
        amplitude_rps: f64,
        period_ms: f64,
    },
}

impl RateProfile {
    /// The rate at `t_ms`. Uses `libm` (bit-identical on native and WASM): the engine thins
    /// arrivals with it.
    pub fn rate_at(&self, t_ms: f64) -> f64 {
        match *self {
            RateProfile::Constant { rps } => rps,
            RateProfile::Ramp {
                from_rps,
                to_rps,
                start_ms,
                end_ms,
            } => {
                if t_ms <= start_ms {
                    from_rps
                } else if t_ms >= end_ms {
                    to_rps
                } else {
                    from_rps + (to_rps - from_rps) * (t_ms - start_ms) / (end_ms - start_ms)
                }
            }
            RateProfile::Step {
                before_rps,
                after_rps,
                at_ms,
            } => {
                if t_ms < at_ms {
                    before_rps
                } else {
                    after_rps
                }
            }
            RateProfile::Spike {
                base_rps,
                spike_rps,
                start_ms,
                duration_ms,
            } => {
                if t_ms >= start_ms && t_ms < start_ms + duration_ms {
                    spike_rps
                } else {
                    base_rps
                }
            }
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                period_ms,
            } => {
                mean_rps + amplitude_rps * libm::sin(2.0 * std::f64::consts::PI * t_ms / period_ms)
            }
        }
    }

    /// An upper bound of the rate over all time (for thinning).
    pub fn max_rate(&self) -> f64 {
        match *self {
            RateProfile::Constant { rps } => rps,
            RateProfile::Ramp {
                from_rps, to_rps, ..
            } => from_rps.max(to_rps),
            RateProfile::Step {
                before_rps,
                after_rps,
                ..
            } => before_rps.max(after_rps),
            RateProfile::Spike {
                base_rps,
                spike_rps,
                ..
            } => base_rps.max(spike_rps),
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                ..
            } => mean_rps + amplitude_rps.abs(),
        }
    }
}

/// A class of request (a route, or reads versus writes) and its share of the traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestClass {
    pub name: String,
    /// Relative weight; the shares are the weights over their sum.
    pub weight: f64,
    /// Writes go to database primaries and invalidate caches; reads may hit caches and replicas.
    #[serde(default)]
    pub write: bool,
}

/// The keys requests carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct KeyDistribution {
    /// Number of distinct keys, `1..`.
    pub count: u64,
    pub popularity: KeyPopularity,
}

impl Default for KeyDistribution {
    fn default() -> Self {
        KeyDistribution {
            count: 10_000,
            popularity: KeyPopularity::Zipf { exponent: 1.0 },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyPopularity {
    Uniform,
    /// Key of rank k is drawn with probability ∝ 1 / k^exponent.
    Zipf {
        exponent: f64,
    },
}

// ---------------------------------------------------------------------------------------------
// Node parameters

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayParams {
    /// Time the gateway itself spends on each request (auth, parsing, routing).
    pub overhead: Distribution,
    /// Requests in flight at once; beyond it requests are rejected. 0 means unlimited.
    pub max_concurrency: u32,
    /// Route request classes to downstream nodes. A class with no route goes to every
    /// outgoing edge in turn (round robin).
    pub routes: Vec<Route>,
}

impl Default for GatewayParams {
    fn default() -> Self {
        GatewayParams {
            overhead: Distribution::Constant { ms: 1.0 },
            max_concurrency: 0,
            routes: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// A request class name from a client's `mix`.
    pub class: String,
    /// Id of the node the class goes to; there must be an edge to it.
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LoadBalancerParams {
    pub algorithm: BalancerAlgorithm,
    /// How backends are found down: active probes (default), the instant oracle, or none.
    /// Under any mode but `none`, a backend whose edge breaker is open is skipped too.
    pub health_check: HealthCheck,
    /// Passive outlier ejection from the replies of real requests; absent: none.
    pub outlier_detection: Option<OutlierDetection>,
    /// Below this percentage of healthy backends the balancer ignores health and uses every
    /// backend (Envoy's panic mode). 0 turns panic mode off.
    pub panic_threshold_percent: f64,
}

impl Default for LoadBalancerParams {
    fn default() -> Self {
        LoadBalancerParams {
            algorithm: BalancerAlgorithm::RoundRobin,
            health_check: HealthCheck::default(),
            outlier_detection: None,
            panic_threshold_percent: 50.0,
        }
    }
}

/// Balancing algorithms. Weights come from each outgoing edge's `weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BalancerAlgorithm {
    /// Each backend in turn.
    RoundRobin,
    /// Smooth weighted round robin (nginx's): spreads a heavy backend's turns out evenly.
    WeightedRoundRobin,
    /// Uniformly random backend.
    Random,
    /// Fewest requests in flight among all backends; `ties` says which of several equally
    /// idle backends gets the request.
    LeastConnections {
        #[serde(default)]
        ties: Ties,
    },
    /// Power of two choices: the less loaded of two random backends.
    LeastRequest,
    /// A ring of `virtual_nodes` points per backend, keyed by the request key. A backend's
    /// points derive from its node id (and `ring_salt`), as Envoy's ring hash derives them
    /// from the host's address.
    ConsistentHash {
        virtual_nodes: u32,
        /// Text mixed into every point's hash: another salt, another ring for the same ids.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        ring_salt: String,
    },
    /// Maglev (Google's, as Envoy builds it): a lookup table of prime `table_size` entries,
    /// filled from each backend's permutation; a key goes to `table[hash mod size]`.
    Maglev {
        #[serde(default = "default_maglev_table_size")]
        table_size: u32,
    },
    /// Rendezvous (highest random weight): every backend scores the key; the highest wins.
    Rendezvous,
    /// Consistent hashing with bounded loads (Mirrokni et al.): the ring's choice, unless that
    /// backend already has `⌈balance_factor · average⌉` requests in flight; then the next one
    /// clockwise with room.
    BoundedLoadHash {
        virtual_nodes: u32,
        /// `c ≥ 1`: a backend takes at most `⌈c · (in flight + 1) / backends⌉` requests.
        #[serde(default = "default_balance_factor")]
        balance_factor: f64,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        ring_salt: String,
    },
}

/// Envoy's default Maglev table size, a prime.
pub const DEFAULT_MAGLEV_TABLE_SIZE: u32 = 65_537;

fn default_maglev_table_size() -> u32 {
    DEFAULT_MAGLEV_TABLE_SIZE
}

/// The paper's and Envoy's customary bound: no backend above 125% of the average load.
pub const DEFAULT_BALANCE_FACTOR: f64 = 1.25;

fn default_balance_factor() -> f64 {
    DEFAULT_BALANCE_FACTOR
}

impl BalancerAlgorithm {
    /// Every balancing algorithm, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 9] = [
        AlgorithmInfo {
            name: "round_robin",
            title: "Round robin",
        },
        AlgorithmInfo {
            name: "weighted_round_robin",
            title: "Weighted round robin",
        },
        AlgorithmInfo {
            name: "random",
            title: "Random",
        },
        AlgorithmInfo {
            name: "least_connections",
            title: "Least connections",
        },
        AlgorithmInfo {
            name: "least_request",
            title: "Least request (power of two)",
        },
        AlgorithmInfo {
            name: "consistent_hash",
            title: "Consistent hash (ring)",
        },
        AlgorithmInfo {
            name: "maglev",
            title: "Maglev",
        },
        AlgorithmInfo {
            name: "rendezvous",
            title: "Rendezvous (highest random weight)",
        },
        AlgorithmInfo {
            name: "bounded_load_hash",
            title: "Consistent hash with bounded loads",
        },
    ];

    /// This algorithm's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            BalancerAlgorithm::RoundRobin => 0,
            BalancerAlgorithm::WeightedRoundRobin => 1,
            BalancerAlgorithm::Random => 2,
            BalancerAlgorithm::LeastConnections { .. } => 3,
            BalancerAlgorithm::LeastRequest => 4,
            BalancerAlgorithm::ConsistentHash { .. } => 5,
            BalancerAlgorithm::Maglev { .. } => 6,
            BalancerAlgorithm::Rendezvous => 7,
            BalancerAlgorithm::BoundedLoadHash { .. } => 8,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The algorithm called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<BalancerAlgorithm> {
        [
            BalancerAlgorithm::RoundRobin,
            BalancerAlgorithm::WeightedRoundRobin,
            BalancerAlgorithm::Random,
            BalancerAlgorithm::LeastConnections {
                ties: Ties::default(),
            },
            BalancerAlgorithm::LeastRequest,
            BalancerAlgorithm::ConsistentHash {
                virtual_nodes: 100,
                ring_salt: String::new(),
            },
            BalancerAlgorithm::Maglev {
                table_size: DEFAULT_MAGLEV_TABLE_SIZE,
            },
            BalancerAlgorithm::Rendezvous,
            BalancerAlgorithm::BoundedLoadHash {
                virtual_nodes: 100,
                balance_factor: DEFAULT_BALANCE_FACTOR,
                ring_salt: String::new(),
            },
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceParams {
    /// Requests served at once.
    pub workers: u32,
    /// Requests that may wait for a worker; one more is rejected (queue full).
    pub queue_capacity: u32,
    pub service_time: Distribution,
    /// Probability that a request fails with an error after being served.
    pub error_rate: f64,
    /// Load-dependent slow-down: above the knee utilisation, service time grows.
    pub slowdown: Option<Slowdown>,
    /// How the service calls its outgoing edges after its own work.
    pub calls: CallMode,
    /// Keep the worker busy while waiting for downstream calls (thread-per-request servers).
    /// When false, the worker is freed once the service's own work is done and the request waits
    /// for its downstream calls without holding one: a pipeline stage, as in a Jackson network.
    pub hold_worker_during_calls: bool,
    /// When the caller gives up (timeout), drop the request here too instead of finishing it.
    pub cancel_on_timeout: bool,
    /// Which waiting request a free worker takes, and which ones are dropped (FIFO by default).
    pub queue_discipline: QueueDiscipline,
    /// Service time multiplied by a curve of the busy fraction of workers (instead of
    /// `slowdown`, which is the knee curve).
    pub load_curve: Option<LoadCurve>,
    /// Run the service as an autoscaled group of instances (each with these workers and this
    /// queue); absent means one fixed instance.
    pub autoscaling: Option<crate::scaling::Autoscaling>,
    /// How the callers of an autoscaled group learn about its instances; absent means at once
    /// (they always know exactly which instances serve).
    pub discovery: Option<crate::scaling::Discovery>,
}

impl Default for ServiceParams {
    fn default() -> Self {
        ServiceParams {
            workers: 4,
            queue_capacity: 100,
            service_time: Distribution::Exponential { mean_ms: 20.0 },
            error_rate: 0.0,
            slowdown: None,
            calls: CallMode::Sequential,
            hold_worker_during_calls: true,
            cancel_on_timeout: false,
            queue_discipline: QueueDiscipline::Fifo,
            load_curve: None,
            autoscaling: None,
            discovery: None,
        }
    }
}

/// Service time is multiplied by `1 + factor · (u - knee) / (1 - knee)` when the busy fraction
/// of workers `u` is above `knee`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slowdown {
    /// Utilisation in `0..1` where slow-down starts.
    pub knee: f64,
    /// Extra service time, as a multiple, at full utilisation.
    pub factor: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallMode {
    /// One downstream call after another; the worker waits for each.
    #[default]
    Sequential,
    /// All downstream calls at once (fan-out); the reply waits for the slowest.
    Parallel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CacheParams {
    /// Keys the cache holds.
    pub capacity: u64,
    pub eviction: Eviction,
    /// Entries expire this long after being written (or last read, with
    /// `ttl_refresh_on_access`). None: never.
    pub ttl_ms: Option<f64>,
    /// A hit restarts the entry's TTL (expire after access), instead of the TTL running from
    /// the write (expire after write).
    pub ttl_refresh_on_access: bool,
    /// Time to answer a hit (and to look up a miss).
    pub hit_time: Distribution,
    /// Writes invalidate the key and pass through to the downstream.
    pub write_policy: WritePolicy,
    /// Lookup time multiplied by a curve of the cache's load: requests in it at once divided
    /// by `concurrency`.
    pub load_curve: Option<LoadCurve>,
    /// Requests the cache holds at once at full load (the `u = 1` of its load curve).
    pub concurrency: u32,
    /// Single-flight: a read that misses while a read of the same key is already on its way
    /// downstream waits for that one instead of sending its own.
    pub coalesce_misses: bool,
    /// Write-back: how long after a key's first unflushed write its flush goes downstream.
    pub write_back_delay_ms: f64,
}

impl Default for CacheParams {
    fn default() -> Self {
        CacheParams {
            capacity: 1_000,
            eviction: Eviction::Lru,
            ttl_ms: None,
            ttl_refresh_on_access: false,
            hit_time: Distribution::Constant { ms: 0.5 },
            write_policy: WritePolicy::Invalidate,
            load_curve: None,
            concurrency: 100,
            coalesce_misses: false,
            write_back_delay_ms: 1_000.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    #[default]
    Lru,
    Lfu,
    Fifo,
    Random,
    /// SIEVE (NSDI'24): a FIFO queue with a visited bit per entry and a moving hand.
    Sieve,
    /// W-TinyLFU as Caffeine: a 1% LRU window, a segmented main space, admission by a
    /// count-min frequency sketch.
    #[serde(rename = "w_tinylfu")]
    WTinyLfu,
}

impl Eviction {
    /// Every eviction policy, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 6] = [
        AlgorithmInfo {
            name: "lru",
            title: "Least recently used",
        },
        AlgorithmInfo {
            name: "lfu",
            title: "Least frequently used",
        },
        AlgorithmInfo {
            name: "fifo",
            title: "First in, first out",
        },
        AlgorithmInfo {
            name: "random",
            title: "Random",
        },
        AlgorithmInfo {
            name: "sieve",
            title: "SIEVE",
        },
        AlgorithmInfo {
            name: "w_tinylfu",
            title: "W-TinyLFU (Caffeine)",
        },
    ];

    /// This policy's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            Eviction::Lru => 0,
            Eviction::Lfu => 1,
            Eviction::Fifo => 2,
            Eviction::Random => 3,
            Eviction::Sieve => 4,
            Eviction::WTinyLfu => 5,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The policy called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<Eviction> {
        [
            Eviction::Lru,
            Eviction::Lfu,
            Eviction::Fifo,
            Eviction::Random,
            Eviction::Sieve,
            Eviction::WTinyLfu,
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// Delete the key, write to the downstream.
    #[default]
    Invalidate,
    /// Write to the downstream, then store the new value in the cache.
    WriteThrough,
    /// Store the new value and answer at once; flush it to the downstream
    /// `write_back_delay_ms` later, one flush per key for all the writes before it. A crash
    /// loses the writes not yet flushed.
    WriteBack,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QueueParams {
    /// Messages the queue holds; one more is rejected.
    pub capacity: u64,
    /// Messages delivered to the downstream at once.
    pub consumers: u32,
    /// Deliveries of one message before it goes to the dead-letter queue (or is dropped).
    pub max_deliveries: u32,
    /// Id of the node that receives messages that failed `max_deliveries` times. There must be
    /// an edge to it; it gets no ordinary deliveries.
    pub dead_letter: Option<String>,
    /// What a producer meets when the queue is full.
    pub backpressure: Backpressure,
    /// A partitioned topic (as Kafka's): messages go to the partition Kafka's default
    /// partitioner picks for their key (murmur2), each partition consumed in order by one of
    /// the `consumers`. Absent: one shared queue.
    pub partitions: Option<u32>,
    /// Consume as Amazon SQS: a received message is invisible this long, and received again
    /// (a duplicate if the first delivery succeeds after all) unless deleted in time; a failed
    /// delivery waits out the timeout. Absent: a consumer holds its message until its delivery
    /// ends, and a failed one goes back in line at once.
    pub visibility_timeout_ms: Option<f64>,
    /// Pub/sub: every message goes to every subscription — each ordinary outgoing edge is one
    /// (a consumer group with its own `consumers`, line and lag). false: the outgoing edges
    /// share the messages (competing consumers).
    pub fan_out: bool,
}

/// What a full queue does to a producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Backpressure {
    /// Refuse the message: the producer's request fails with `queue_full`.
    #[default]
    Reject,
    /// Make the producer wait (its request is not answered) until a consumer takes a message
    /// and frees a place; producers wait in the order they came.
    Block,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams {
            capacity: 10_000,
            consumers: 4,
            max_deliveries: 3,
            dead_letter: None,
            backpressure: Backpressure::Reject,
            partitions: None,
            visibility_timeout_ms: None,
            fan_out: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseParams {
    pub shards: u32,
    /// Read replicas per shard, besides its primary.
    pub replicas_per_shard: u32,
    pub sharding: Sharding,
    pub reads_from: ReadPreference,
    /// Connections (concurrent queries) per primary or replica.
    pub connections: u32,
    /// Queries that may wait for a connection on each primary or replica.
    pub queue_capacity: u32,
    pub read_time: Distribution,
    pub write_time: Distribution,
    /// Delay before a write on a primary is applied on its replicas.
    pub replication_lag_ms: f64,
    /// Query times multiplied by a curve of the member's busy fraction of connections.
    pub load_curve: Option<LoadCurve>,
    /// The replication lag as a distribution (each write draws its own); absent: the constant
    /// `replication_lag_ms`.
    pub replication_lag: Option<Distribution>,
    /// Promote a replica when a shard's primary crashes; absent: the shard waits for its
    /// primary to come back.
    pub failover: Option<crate::replication::Failover>,
    /// A client's reads of a key it wrote recently go to the primary.
    pub read_your_writes: Option<crate::replication::ReadYourWrites>,
}

impl Default for DatabaseParams {
    fn default() -> Self {
        DatabaseParams {
            shards: 1,
            replicas_per_shard: 0,
            sharding: Sharding::Hash,
            reads_from: ReadPreference::Primary,
            connections: 10,
            queue_capacity: 200,
            read_time: Distribution::Exponential { mean_ms: 5.0 },
            write_time: Distribution::Exponential { mean_ms: 10.0 },
            replication_lag_ms: 50.0,
            load_curve: None,
            replication_lag: None,
            failover: None,
            read_your_writes: None,
        }
    }
}

/// How keys map to shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Sharding {
    /// `hash(key) mod shards`.
    Hash,
    /// Contiguous key ranges of equal width.
    Range,
    /// A ring with `virtual_nodes` points per shard; shard `i` of database `db` is named
    /// `db/shard-i` (behind `ring_salt`), and its points derive from that name.
    ConsistentHash {
        virtual_nodes: u32,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        ring_salt: String,
    },
    /// Jump consistent hash (Lamping & Veach): no table at all, shards numbered `0..n`; going
    /// from n to n+1 shards moves `1/(n+1)` of keys, all to the new shard.
    Jump,
    /// Rendezvous (highest random weight) over the shards' names.
    Rendezvous,
    /// A Maglev lookup table of prime `table_size` entries over the shards' names.
    Maglev {
        #[serde(default = "default_maglev_table_size")]
        table_size: u32,
    },
}

impl Sharding {
    /// Every sharding scheme, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 6] = [
        AlgorithmInfo {
            name: "hash",
            title: "Hash",
        },
        AlgorithmInfo {
            name: "range",
            title: "Key ranges",
        },
        AlgorithmInfo {
            name: "consistent_hash",
            title: "Consistent hash (ring)",
        },
        AlgorithmInfo {
            name: "jump",
            title: "Jump consistent hash",
        },
        AlgorithmInfo {
            name: "rendezvous",
            title: "Rendezvous (highest random weight)",
        },
        AlgorithmInfo {
            name: "maglev",
            title: "Maglev",
        },
    ];

    /// This scheme's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            Sharding::Hash => 0,
            Sharding::Range => 1,
            Sharding::ConsistentHash { .. } => 2,
            Sharding::Jump => 3,
            Sharding::Rendezvous => 4,
            Sharding::Maglev { .. } => 5,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The scheme called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<Sharding> {
        [
            Sharding::Hash,
            Sharding::Range,
            Sharding::ConsistentHash {
                virtual_nodes: 100,
                ring_salt: String::new(),
            },
            Sharding::Jump,
            Sharding::Rendezvous,
            Sharding::Maglev {
                table_size: DEFAULT_MAGLEV_TABLE_SIZE,
            },
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadPreference {
    #[default]
    Primary,
    /// Reads go to the shard's replicas (the primary if it has none).
    Replicas,
    /// Reads go to any member of the shard.
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimiterParams {
    pub algorithm: RateLimitAlgorithm,
    /// One limit shared by all requests, or one per request key.
    pub per_key: bool,
}

impl Default for RateLimiterParams {
    fn default() -> Self {
        RateLimiterParams {
            algorithm: RateLimitAlgorithm::TokenBucket {
                rate_rps: 100.0,
                burst: 20,
            },
            per_key: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateLimitAlgorithm {
    /// Tokens refill at `rate_rps` up to `burst`; a request takes one or is rejected.
    TokenBucket { rate_rps: f64, burst: u32 },
    /// A queue of `capacity` drained at `rate_rps`; requests that find it full are rejected.
    LeakyBucket { rate_rps: f64, capacity: u32 },
    /// At most `limit` requests per aligned window.
    FixedWindow { limit: u32, window_ms: f64 },
    /// At most `limit` requests in any window of `window_ms` (sliding log).
    SlidingWindow { limit: u32, window_ms: f64 },
    /// The Generic Cell Rate Algorithm (virtual scheduling): emission interval `1/rate_rps`,
    /// burst tolerance `(burst − 1)/rate_rps`; a request earlier than `TAT − τ` is rejected.
    Gcra { rate_rps: f64, burst: u32 },
}

impl RateLimitAlgorithm {
    /// Every rate-limiting algorithm, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 5] = [
        AlgorithmInfo {
            name: "token_bucket",
            title: "Token bucket",
        },
        AlgorithmInfo {
            name: "leaky_bucket",
            title: "Leaky bucket",
        },
        AlgorithmInfo {
            name: "fixed_window",
            title: "Fixed window",
        },
        AlgorithmInfo {
            name: "sliding_window",
            title: "Sliding window",
        },
        AlgorithmInfo {
            name: "gcra",
            title: "GCRA",
        },
    ];

    /// This algorithm's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            RateLimitAlgorithm::TokenBucket { .. } => 0,
            RateLimitAlgorithm::LeakyBucket { .. } => 1,
            RateLimitAlgorithm::FixedWindow { .. } => 2,
            RateLimitAlgorithm::SlidingWindow { .. } => 3,
            RateLimitAlgorithm::Gcra { .. } => 4,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The algorithm called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<RateLimitAlgorithm> {
        [
            RateLimitAlgorithm::TokenBucket {
                rate_rps: 100.0,
                burst: 20,
            },
            RateLimitAlgorithm::LeakyBucket {
                rate_rps: 100.0,
                capacity: 20,
            },
            RateLimitAlgorithm::FixedWindow {
                limit: 100,
                window_ms: 1_000.0,
            },
            RateLimitAlgorithm::SlidingWindow {
                limit: 100,
                window_ms: 1_000.0,
            },
            RateLimitAlgorithm::Gcra {
                rate_rps: 100.0,
                burst: 20,
            },
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

// ---------------------------------------------------------------------------------------------
// Edges

/// A directed connection: `from` sends requests to `to` and waits for the reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Unique within the design.
    pub id: String,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub params: EdgeParams,
}

/// The caller's side of a call: network, timeout, retries, circuit breaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EdgeParams {
    /// One-way network latency, added on the way there and again on the way back.
    pub latency: Distribution,
    /// The caller gives up on an attempt after this long. None: waits forever.
    pub timeout_ms: Option<f64>,
    pub retry: Option<RetryPolicy>,
    pub circuit_breaker: Option<BreakerParams>,
    /// Retries allowed only while under a share of recent calls (Finagle's retry budget).
    pub retry_budget: Option<RetryBudgetParams>,
    /// Reject attempts locally when the callee accepts too few (the SRE book's client-side
    /// adaptive throttling).
    pub adaptive_throttling: Option<AdaptiveThrottlingParams>,
    /// At most this many attempts in flight along the edge; more fail with `bulkhead_full`.
    /// On an edge leaving an API gateway this is the route's bulkhead.
    pub bulkhead: Option<BulkheadParams>,
    /// A per-route rate limit of an API gateway (only on an edge that leaves a gateway: the
    /// edge is the route): each attempt along it asks the limiter first; a rejected one is not
    /// sent and fails with `rate_limited`, a leaky bucket holds it until its turn.
    pub rate_limit: Option<RateLimiterParams>,
    /// gRPC-style deadline propagation: the callee's request carries the earliest time at which
    /// a caller up the chain gives up, this edge's own timeout is cut to what is left of it,
    /// and when the caller gives up the callee's work (and all it started along propagating
    /// edges) is cancelled.
    pub propagate_deadline: bool,
    /// Share of this edge for weighted balancing (load balancers).
    pub weight: u32,
    /// Probability that the caller makes this call at all (services calling downstreams).
    pub call_probability: f64,
}

impl Default for EdgeParams {
    fn default() -> Self {
        EdgeParams {
            latency: Distribution::Constant { ms: 1.0 },
            timeout_ms: None,
            retry: None,
            circuit_breaker: None,
            retry_budget: None,
            adaptive_throttling: None,
            bulkhead: None,
            rate_limit: None,
            propagate_deadline: false,
            weight: 1,
            call_probability: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retry.
    pub max_attempts: u32,
    /// Back-off before retry n is `base_ms · multiplier^(n-1)`, capped at `max_backoff_ms`.
    pub base_ms: f64,
    pub multiplier: f64,
    pub max_backoff_ms: f64,
    pub jitter: Jitter,
    /// Retry after a timeout as well as after an error or a rejection.
    pub retry_on_timeout: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_ms: 50.0,
            multiplier: 2.0,
            max_backoff_ms: 1_000.0,
            jitter: Jitter::Full,
            retry_on_timeout: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    None,
    /// Uniform in `[0, backoff]`.
    #[default]
    Full,
    /// `backoff/2` plus uniform in `[0, backoff/2]`.
    Equal,
}

// ---------------------------------------------------------------------------------------------
// Faults

/// Something that goes wrong on a node or an edge during `[at_ms, at_ms + duration_ms)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Id of the node the fault hits, or of the edge for the edge effects (`partition`,
    /// `edge_latency`).
    pub target: String,
    pub at_ms: f64,
    pub duration_ms: f64,
    pub effect: FaultEffect,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultEffect {
    /// The node is down: requests reaching it fail at once, in-flight work is lost.
    Crash,
    /// Every request the node serves takes `extra_ms` longer.
    Latency { extra_ms: f64 },
    /// The node fails this fraction of requests (on top of its own error rate).
    ErrorRate { rate: f64 },
    /// Service times are multiplied by `factor` (a noisy neighbour, a GC storm).
    Slowdown { factor: f64 },
    /// A database goes to `shards` shards at `at_ms` and stays there. Keys whose shard changed
    /// are moved during `duration_ms`: until then, the first query of a moved key also reads it
    /// from its old shard (a miss-like slower query). Not a failure: it never reverts.
    Reshard { shards: u32 },
    /// A database's primaries crash (every shard's): their queries fail, and writes fail until
    /// a replica is promoted (`failover`) or the primary is back at the end (then a replica if
    /// one was promoted meanwhile).
    PrimaryCrash,
    /// Edge: a network partition. Every request sent along the edge, and every answer sent
    /// back along it, while the fault lasts vanishes: the caller sees only its timeouts.
    Partition,
    /// Edge: every trip along the edge (there and back) takes `extra_ms` longer, plus a
    /// uniform draw in `[0, jitter_ms]`.
    EdgeLatency {
        extra_ms: f64,
        #[serde(default)]
        jitter_ms: f64,
    },
    /// Cache: emptied at `at_ms` (a `FLUSHALL`, a cold restart of the store) without going
    /// down; `duration_ms` plays no part.
    CacheFlush,
    /// A node with workers loses `fraction` of them (rounded to the nearest whole worker, in
    /// every station) while the fault lasts: CPU starvation, a noisy neighbour. Work in
    /// progress finishes; no new work starts on a lost worker until the fault ends.
    WorkerCut { fraction: f64 },
    /// Client: exactly `requests` extra requests (a thundering herd), all at `at_ms` when
    /// `duration_ms` is 0, else spread evenly over `duration_ms`.
    Burst { requests: u32 },
}

impl FaultEffect {
    /// Whether the fault hits an edge (its `target` is an edge id) rather than a node.
    pub fn on_edge(&self) -> bool {
        matches!(
            self,
            FaultEffect::Partition | FaultEffect::EdgeLatency { .. }
        )
    }

    /// Whether the fault happens at an instant, so that a `duration_ms` of 0 is allowed.
    pub fn may_be_instant(&self) -> bool {
        matches!(self, FaultEffect::CacheFlush | FaultEffect::Burst { .. })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_normal_mean_and_sigma_match_their_definitions() {
        // p99 = median · e^(σ z99), mean = median · e^(σ²/2).
        let sigma = log_normal_sigma(10.0, 10.0 * libm::exp(Z_P99 * 0.5));
        assert!((sigma - 0.5).abs() < 1e-12, "{sigma}");
        let mean = Distribution::LogNormal {
            median_ms: 10.0,
            p99_ms: 10.0 * libm::exp(Z_P99 * 0.5),
        }
        .mean_ms();
        assert!((mean - 10.0 * libm::exp(0.125)).abs() < 1e-9, "{mean}");
    }

    #[test]
    fn sine_profile_peaks_a_quarter_period_in() {
        let profile = RateProfile::Sine {
            mean_rps: 100.0,
            amplitude_rps: 40.0,
            period_ms: 1_000.0,
        };
        assert!((profile.rate_at(250.0) - 140.0).abs() < 1e-9);
        assert!((profile.rate_at(750.0) - 60.0).abs() < 1e-9);
        assert_eq!(profile.max_rate(), 140.0);
    }
}

//! Routing nodes: the API gateway with its routes, the load balancer and its algorithms.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AlgorithmInfo, Distribution};
use crate::health::{HealthCheck, HealthSettings, OutlierDetection, Ties, WithHealth};

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
    /// How the gateway finds its backends down, as a load balancer does: `none` (the default:
    /// every backend is always called, crashed or not), `instant` or `active` probes. A backend
    /// that is out is skipped by the round robin of unrouted classes; a route whose targets
    /// are all out fails at once with `no_healthy_backend` (Envoy's "no healthy upstream").
    pub health_check: HealthCheck,
    /// Passive outlier ejection from the replies of real requests; absent: none.
    pub outlier_detection: Option<OutlierDetection>,
    /// Below this percentage of healthy backends in a pool (all the outgoing edges for the
    /// round robin, a route's edges for a route), the gateway ignores health and calls every
    /// backend of the pool (Envoy's panic mode). 0 turns panic mode off: a route with a single
    /// target fails fast when that target is out only with 0 (with 50, 0 of 1 healthy is panic,
    /// as in Envoy).
    pub panic_threshold_percent: f64,
}

impl Default for GatewayParams {
    fn default() -> Self {
        GatewayParams {
            overhead: Distribution::Constant { ms: 1.0 },
            max_concurrency: 0,
            routes: Vec::new(),
            health_check: HealthCheck::None,
            outlier_detection: None,
            panic_threshold_percent: DEFAULT_PANIC_THRESHOLD_PERCENT,
        }
    }
}

/// Envoy's default `healthy_panic_threshold`.
pub const DEFAULT_PANIC_THRESHOLD_PERCENT: f64 = 50.0;

/// The balancer and the gateway hold the same three health fields (one editor, one engine
/// component, `node/backend_health.rs`); both read and write them as one [`HealthSettings`].
macro_rules! with_health_fields {
    ($($params:ty),*) => {$(
        impl WithHealth for $params {
            fn health(&self) -> HealthSettings {
                HealthSettings {
                    health_check: self.health_check.clone(),
                    outlier_detection: self.outlier_detection.clone(),
                    panic_threshold_percent: self.panic_threshold_percent,
                }
            }

            fn set_health(&mut self, health: HealthSettings) {
                self.health_check = health.health_check;
                self.outlier_detection = health.outlier_detection;
                self.panic_threshold_percent = health.panic_threshold_percent;
            }
        }
    )*};
}

with_health_fields!(GatewayParams, LoadBalancerParams);

impl super::NodeKind {
    /// The health settings of a node that watches its backends: every load balancer (its
    /// series and report always carry them), and a gateway with a health mechanism on.
    pub fn watched_backends(&self) -> Option<HealthSettings> {
        match self {
            super::NodeKind::LoadBalancer(p) => Some(p.health()),
            super::NodeKind::ApiGateway(p) => Some(p.health()).filter(HealthSettings::watches),
            _ => None,
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
            panic_threshold_percent: DEFAULT_PANIC_THRESHOLD_PERCENT,
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

pub(super) fn default_maglev_table_size() -> u32 {
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

//! The report a run produces: summary figures (each with its 95% confidence interval when there
//! is more than one replication), per-node and per-edge figures, and a time series.
//!
//! Summary statistics leave out the warm-up; the time series covers the whole run.
//! Documented for users in `docs/report-format.md`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the report format; bumped whenever a field changes meaning or disappears.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub report_version: u32,
    pub design_name: String,
    pub seed: u64,
    pub replications: u32,
    pub duration_ms: f64,
    pub warmup_ms: f64,
    /// Events processed, summed over replications.
    pub events: u64,
    /// Set when the run stopped before `duration_ms` (event budget reached).
    pub stopped_early: Option<StopReason>,
    /// Requests as their clients saw them.
    pub overall: Summary,
    /// Keyed by node id.
    pub nodes: BTreeMap<String, NodeReport>,
    /// Keyed by edge id.
    pub edges: BTreeMap<String, EdgeReport>,
    /// Time series of the first replication, one entry per `bucket_ms`.
    pub series: Series,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StopReason {
    /// `max_events` was reached at simulated time `at_ms`.
    EventBudget { max_events: u64, at_ms: f64 },
}

/// A figure averaged over replications, with the half-width of its 95% confidence interval
/// (Student t over replications, or batch means within a single run). `ci95` is absent when
/// there is not enough data to estimate it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Estimate {
    pub value: f64,
    pub ci95: Option<f64>,
}

impl Estimate {
    pub fn exact(value: f64) -> Self {
        Estimate { value, ci95: None }
    }
}

/// Latency of completed requests, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Latency {
    pub mean_ms: Estimate,
    pub p50_ms: Estimate,
    pub p95_ms: Estimate,
    pub p99_ms: Estimate,
    pub max_ms: Estimate,
}

/// Failed requests, by cause.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Failures {
    /// The node answered with an error (its error rate, or an injected fault).
    pub error: Estimate,
    /// The caller gave up waiting.
    pub timeout: Estimate,
    /// Rejected: the wait queue was full.
    pub queue_full: Estimate,
    /// Rejected by a rate limiter.
    pub rate_limited: Estimate,
    /// Rejected because a circuit breaker was open.
    pub breaker_open: Estimate,
    /// A load balancer had no healthy backend.
    pub no_healthy_backend: Estimate,
    /// The node was down (crash fault).
    pub node_down: Estimate,
}

impl Failures {
    pub fn total(&self) -> f64 {
        self.error.value
            + self.timeout.value
            + self.queue_full.value
            + self.rate_limited.value
            + self.breaker_open.value
            + self.no_healthy_backend.value
            + self.node_down.value
    }
}

/// What the clients saw, after warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Requests sent.
    pub arrivals: Estimate,
    /// Requests that finished, with any outcome.
    pub completed: Estimate,
    pub succeeded: Estimate,
    /// Finished requests per second.
    pub throughput_rps: Estimate,
    /// Successful requests per second.
    pub goodput_rps: Estimate,
    pub failures: Failures,
    /// Latency of successful requests, as the client saw it (retries included).
    pub latency: Latency,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct NodeReport {
    pub kind: String,
    pub label: String,
    /// Requests that reached the node.
    pub arrivals: Estimate,
    /// Requests the node finished (with any outcome).
    pub completions: Estimate,
    pub failures: Failures,
    /// Mean busy fraction of the node's workers/connections (0 for nodes without workers).
    pub utilisation: Estimate,
    /// Time-average number waiting for a worker.
    pub mean_queue_length: Estimate,
    /// Time-average number in the node (waiting, served or waiting on downstream calls).
    pub mean_in_flight: Estimate,
    /// Residence time in the node, arrival to reply, in ms.
    pub latency: Latency,
    pub cache: Option<CacheReport>,
    pub database: Option<DatabaseReport>,
    pub queue: Option<QueueReport>,
    pub rate_limiter: Option<RateLimiterReport>,
    /// Load balancers: requests sent to each backend, keyed by node id.
    pub balancer: Option<BTreeMap<String, Estimate>>,
}

impl NodeReport {
    /// Whether `utilisation` means anything for this node: only services (workers), databases
    /// (connections) and queues (consumers) have a capacity to be busy. Other kinds report 0,
    /// which a reader should see as "not applicable", not as "idle".
    pub fn has_utilisation(&self) -> bool {
        matches!(self.kind.as_str(), "service" | "database" | "queue")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct CacheReport {
    pub hits: Estimate,
    pub misses: Estimate,
    pub hit_ratio: Estimate,
    pub evictions: Estimate,
    pub expirations: Estimate,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseReport {
    /// Queries per shard (shard balance).
    pub shard_queries: Vec<Estimate>,
    pub reads_on_replicas: Estimate,
    /// Reads served by a replica that had not yet applied the latest write to their key.
    pub stale_reads: Estimate,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct QueueReport {
    pub enqueued: Estimate,
    pub delivered: Estimate,
    pub redeliveries: Estimate,
    pub dead_lettered: Estimate,
    pub max_depth: Estimate,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct RateLimiterReport {
    pub admitted: Estimate,
    pub rejected: Estimate,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EdgeReport {
    /// Attempts sent along the edge, retries included.
    pub attempts: Estimate,
    pub retries: Estimate,
    pub timeouts: Estimate,
    /// Calls refused because the breaker was open.
    pub short_circuited: Estimate,
    /// Times the breaker opened.
    pub breaker_opened: Estimate,
    /// Fraction of the time the breaker was not closed.
    pub breaker_open_fraction: Estimate,
}

/// Per-bucket figures of one replication. Every vector has one entry per bucket.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    pub bucket_ms: f64,
    /// Start of each bucket, ms.
    pub t_ms: Vec<f64>,
    pub arrivals: Vec<u64>,
    pub succeeded: Vec<u64>,
    pub failed: Vec<u64>,
    /// Failures of each bucket by cause: `error`, `timeout`, `queue_full`, …
    pub failed_by_cause: BTreeMap<String, Vec<u64>>,
    pub p50_ms: Vec<f64>,
    pub p99_ms: Vec<f64>,
    /// Keyed by node id.
    pub nodes: BTreeMap<String, NodeSeries>,
    /// Breaker state per bucket (0 closed, 1 half-open, 2 open, at the bucket's end), keyed by
    /// edge id; only edges with a breaker.
    pub breaker_state: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct NodeSeries {
    pub arrivals: Vec<u64>,
    pub utilisation: Vec<f64>,
    pub queue_length: Vec<f64>,
    pub in_flight: Vec<f64>,
    /// Caches only: hit ratio of the bucket.
    pub hit_ratio: Vec<f64>,
}

//! The report a run produces: summary figures (each with its 95% confidence interval when there
//! is more than one replication), per-node and per-edge figures, and a time series.
//!
//! Summary statistics leave out the warm-up; the time series covers the whole run.
//! Documented for users in `docs/report-format.md`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::series::{EdgeSeries, NodeSeries, Series};

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
    /// The end-to-end latencies of those requests that succeeded after warm-up, all
    /// replications pooled (empty in reports saved before it existed).
    #[serde(default)]
    pub latency_histogram: crate::LatencyHistogram,
    /// Keyed by node id.
    pub nodes: BTreeMap<String, NodeReport>,
    /// Keyed by edge id.
    pub edges: BTreeMap<String, EdgeReport>,
    /// What each fault of the design's timeline did, in the design's order (empty in reports
    /// saved before it existed). See `crate::fault_report`.
    #[serde(default)]
    pub faults: Vec<crate::fault_report::FaultReport>,
    /// Time series of the first replication, one entry per `bucket_ms`.
    pub series: Series,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StopReason {
    /// `max_events` was reached at simulated time `at_ms`.
    EventBudget { max_events: u64, at_ms: f64 },
    /// `max_in_flight` requests were in flight at once at simulated time `at_ms`; `node` held
    /// the most of them (`node_in_flight`), so that is where they piled up.
    InFlightBudget {
        max_in_flight: u64,
        at_ms: f64,
        node: String,
        node_in_flight: u64,
    },
}

impl StopReason {
    /// Simulated time at which the run stopped, ms.
    pub fn at_ms(&self) -> f64 {
        match self {
            StopReason::EventBudget { at_ms, .. } | StopReason::InFlightBudget { at_ms, .. } => {
                *at_ms
            }
        }
    }

    /// What stopped the run and what to do about it, as a sentence for a person (the UI and
    /// the CLI both show this). `count` and `time` format a count and a time in ms.
    pub fn explanation(
        &self,
        count: impl Fn(f64) -> String,
        time: impl Fn(f64) -> String,
    ) -> String {
        match self {
            StopReason::EventBudget { max_events, at_ms } => format!(
                "The run reached its event budget ({} events) at {} of simulated time and stopped \
                 early; the figures cover only that part. Raise run.max_events or shorten the run.",
                count(*max_events as f64),
                time(*at_ms)
            ),
            StopReason::InFlightBudget {
                max_in_flight,
                at_ms,
                node,
                node_in_flight,
            } => format!(
                "The run stopped early at {} of simulated time: {} requests were in flight at \
                 once (the memory budget, run.max_in_flight), {} of them at `{node}`; requests \
                 pile up there faster than they finish. The figures cover only the time before.",
                time(*at_ms),
                count(*max_in_flight as f64),
                count(*node_in_flight as f64),
            ),
        }
    }
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
    /// Rejected by the caller itself, never sent: client-side adaptive throttling.
    #[serde(default)]
    pub throttled: Estimate,
    /// Dropped by a service's CoDel queue: it had waited above the target too long.
    #[serde(default)]
    pub codel_dropped: Estimate,
    /// Pushed out of a full priority queue by a request of a higher class.
    #[serde(default)]
    pub shed_priority: Estimate,
    /// Refused by the caller's bulkhead on the edge: too many attempts in flight.
    #[serde(default)]
    pub bulkhead_full: Estimate,
    /// The request's propagated deadline passed: its work was cancelled, dropped at the head
    /// of a queue, or never sent.
    #[serde(default)]
    pub deadline_exceeded: Estimate,
    /// Cancelled by its caller, who no longer wanted the answer: another attempt of the same
    /// hedged call answered first (counted at the callee whose work was dropped).
    #[serde(default)]
    pub cancelled: Estimate,
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
            + self.throttled.value
            + self.codel_dropped.value
            + self.shed_priority.value
            + self.bulkhead_full.value
            + self.deadline_exceeded.value
            + self.cancelled.value
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
    /// Autoscaled services: the group's size and the autoscaler's decisions.
    #[serde(default)]
    pub autoscaling: Option<AutoscalingReport>,
    /// Load balancers: what their health mechanisms did.
    #[serde(default)]
    pub balancer_health: Option<BalancerHealthReport>,
}

/// What a load balancer's health checks, outlier detection and panic mode did in the period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct BalancerHealthReport {
    /// Active health probes sent.
    pub probes: Estimate,
    /// Probes that failed (refused, reset, or not answered in time).
    pub probe_failures: Estimate,
    /// Times a backend was marked down by failed probes.
    pub marked_down: Estimate,
    /// Times outlier detection ejected a backend.
    pub ejections: Estimate,
    /// Requests routed in panic mode (too few healthy backends: all were used).
    pub panic_picks: Estimate,
}

impl NodeReport {
    /// Whether `utilisation` means anything for this node: only services (workers), databases
    /// (connections) and queues (consumers) have a capacity to be busy. Other kinds report 0,
    /// which a reader should see as "not applicable", not as "idle".
    pub fn has_utilisation(&self) -> bool {
        crate::NodeKind::info_named(&self.kind).is_some_and(|kind| kind.has_workers)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct CacheReport {
    pub hits: Estimate,
    pub misses: Estimate,
    pub hit_ratio: Estimate,
    pub evictions: Estimate,
    pub expirations: Estimate,
    /// Reads that missed while the same key was already being fetched and waited for that
    /// fetch (`coalesce_misses`) instead of calling the downstream.
    #[serde(default)]
    pub coalesced: Estimate,
    /// Write-back caches only (null for the others).
    #[serde(default)]
    pub write_back: Option<WriteBackReport>,
}

/// What a write-back cache did with its writes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct WriteBackReport {
    /// Flushes sent downstream (one per dirty key).
    pub flushes: Estimate,
    /// Writes that joined a flush already pending for their key.
    pub coalesced_writes: Estimate,
    /// Writes absorbed by the cache and lost in a crash before their flush.
    pub lost_writes: Estimate,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseReport {
    /// Queries per shard (shard balance).
    pub shard_queries: Vec<Estimate>,
    pub reads_on_replicas: Estimate,
    /// Reads served by a replica that had not yet applied the latest write to their key.
    pub stale_reads: Estimate,
    /// Each reshard of the run, in time order.
    #[serde(default)]
    pub reshards: Vec<ReshardReport>,
    /// With `failover`: writes the primary had acknowledged but the promoted replica never
    /// received (lost at a failover).
    #[serde(default)]
    pub lost_writes: Option<Estimate>,
    /// With `failover`: each failover of the first replication, in time order.
    #[serde(default)]
    pub failovers: Vec<FailoverReport>,
    /// With `read_your_writes`: reads sent to the primary because their user (the client's
    /// `users` member, or the client node) had just written the key (they would have gone to
    /// a replica).
    #[serde(default)]
    pub own_write_reads: Option<Estimate>,
}

/// One failover: a shard's primary crashed and a replica took over.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct FailoverReport {
    pub shard: u32,
    /// When the primary crashed and when the replica became the primary (ms from the start):
    /// the shard took no writes in between.
    pub crashed_at_ms: f64,
    pub promoted_at_ms: f64,
    /// Acknowledged writes the new primary never received.
    pub lost_writes: u64,
}

/// One reshard: the shard counts and how much of the key space moved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ReshardReport {
    /// When it started (ms from the run's start; the move lasted the fault's duration).
    pub at_ms: f64,
    pub from_shards: u32,
    pub to_shards: u32,
    /// Fraction of the key space (the clients' keys `0..count`) whose shard changed:
    /// about n/(n+1) for hash-mod going from n to n+1 shards, about 1/(n+1) for consistent
    /// methods. The same in every replication (the mapping has no randomness).
    pub keys_moved: f64,
    /// Queries that paid for moving their key while the move was in progress (they read the
    /// key from its old shard first), in the measured period.
    pub migration_queries: Estimate,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct QueueReport {
    /// With `visibility_timeout_ms`: messages whose timeout ended before they were deleted
    /// (visible again), and deliveries that succeeded for a message already processed
    /// (duplicates).
    #[serde(default)]
    pub visible_again: Option<Estimate>,
    #[serde(default)]
    pub duplicates: Option<Estimate>,
    /// With `fan_out`: messages delivered to each subscription (outgoing edge, in edge order),
    /// and each subscription's largest lag (messages waiting in its line).
    #[serde(default)]
    pub subscription_messages: Vec<Estimate>,
    #[serde(default)]
    pub subscription_max_lag: Vec<Estimate>,
    pub enqueued: Estimate,
    pub delivered: Estimate,
    pub redeliveries: Estimate,
    pub dead_lettered: Estimate,
    pub max_depth: Estimate,
    /// With `backpressure: block`: producers that had to wait for a place.
    #[serde(default)]
    pub blocked: Estimate,
    /// Partitioned topics: messages per partition, in partition order (empty otherwise).
    #[serde(default)]
    pub partition_messages: Vec<Estimate>,
    /// Partitioned topics: the largest lag of each partition (messages not yet taken by its
    /// consumer); with `fan_out`, the largest in any subscription's group.
    #[serde(default)]
    pub partition_max_lag: Vec<Estimate>,
    /// Partitioned topics with `fan_out`: each subscription's group's largest lag per
    /// partition, `group_partition_max_lag[group][partition]` (groups in edge order; empty
    /// without `fan_out`: the one group's is `partition_max_lag`).
    #[serde(default)]
    pub group_partition_max_lag: Vec<Vec<Estimate>>,
    /// Partitioned topics: each consumer group's committed offset per partition at the end of
    /// the run, in the first replication (a position in the partition, not a statistic: the
    /// partition's messages the group has finished since the run began, delivered or
    /// dead-lettered), `group_committed_offsets[group][partition]` — one group, or with
    /// `fan_out` one per subscription.
    #[serde(default)]
    pub group_committed_offsets: Vec<Vec<u64>>,
    /// With `fan_out` and `consumer_scaling`: each subscription's group scaled on its own lag
    /// (the node's `autoscaling` is then null).
    #[serde(default)]
    pub group_autoscaling: Vec<AutoscalingReport>,
}

/// An autoscaled group over the measured period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct AutoscalingReport {
    /// Time-average of the instances serving.
    pub mean_instances: Estimate,
    /// Most instances serving at once.
    pub peak_instances: Estimate,
    /// Fraction of the time the group had `max_instances` (serving or starting): while it is
    /// there, more load cannot be met with more instances.
    pub time_at_max: Estimate,
    /// Decisions to add instances, and to remove them.
    pub scale_ups: Estimate,
    pub scale_downs: Estimate,
    /// With discovery: time-average of the instances the callers send to (what they read in
    /// the registry, gone ones included); null without discovery.
    #[serde(default)]
    pub mean_instances_known: Option<Estimate>,
    /// Requests sent to an instance that no longer served (it had stopped, and the callers
    /// had not heard yet); each failed with `node_down`.
    #[serde(default)]
    pub sent_to_gone: Estimate,
    /// Every decision of the first replication, over the whole run (warm-up included, as the
    /// time series).
    pub events: Vec<ScaleEvent>,
    /// Instances taken down by `instance_crash` faults (null when the design has none on the
    /// group).
    #[serde(default)]
    pub instance_crashes: Option<Estimate>,
}

/// One autoscaler decision that changed the group's size.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ScaleEvent {
    /// When it was decided, ms (the new instances serve a provisioning delay later).
    pub t_ms: f64,
    /// Instances (serving or starting) before and after.
    pub from: u32,
    pub to: u32,
    /// The metric the decision saw: the average over the ready instances.
    pub metric: f64,
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
    /// Attempts the caller's adaptive throttling rejected locally (never sent).
    #[serde(default)]
    pub throttled: Estimate,
    /// Retries the retry policy allowed but the retry budget refused.
    #[serde(default)]
    pub budget_refused: Estimate,
    /// Attempts the edge's bulkhead refused (too many in flight).
    #[serde(default)]
    pub bulkhead_rejected: Estimate,
    /// Hedges sent: attempts of a hedged call after its first (counted in `attempts` too).
    #[serde(default)]
    pub hedges: Estimate,
    /// Hedged calls won by a hedge: a hedge's success was the first answer.
    #[serde(default)]
    pub hedge_wins: Estimate,
}

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

/// Per-bucket figures of one replication. Every vector has one entry per bucket.
///
/// Fields added after report version 1 are `#[serde(default)]`, so a report saved before them
/// still reads (with those series empty).
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
    #[serde(default)]
    pub p95_ms: Vec<f64>,
    pub p99_ms: Vec<f64>,
    /// Keyed by node id.
    pub nodes: BTreeMap<String, NodeSeries>,
    /// Keyed by edge id.
    #[serde(default)]
    pub edges: BTreeMap<String, EdgeSeries>,
    /// Breaker state per bucket (0 closed, 1 half-open, 2 open, at the bucket's end), keyed by
    /// edge id; only edges with a breaker.
    pub breaker_state: BTreeMap<String, Vec<u8>>,
}

impl Series {
    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.t_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }

    /// The buckets from index `from` on (a live update: what is new since the last one).
    pub fn tail(&self, from: usize) -> Series {
        self.slice(from, usize::MAX)
    }

    /// The buckets with index in `from..to` (`to` past the end means to the end): a live
    /// update cut into messages small enough for the page to read between frames.
    pub fn slice(&self, from: usize, to: usize) -> Series {
        Series {
            bucket_ms: self.bucket_ms,
            t_ms: slice_of(&self.t_ms, from, to),
            arrivals: slice_of(&self.arrivals, from, to),
            succeeded: slice_of(&self.succeeded, from, to),
            failed: slice_of(&self.failed, from, to),
            failed_by_cause: self
                .failed_by_cause
                .iter()
                .map(|(k, v)| (k.clone(), slice_of(v, from, to)))
                .collect(),
            p50_ms: slice_of(&self.p50_ms, from, to),
            p95_ms: slice_of(&self.p95_ms, from, to),
            p99_ms: slice_of(&self.p99_ms, from, to),
            nodes: self
                .nodes
                .iter()
                .map(|(k, n)| (k.clone(), n.slice(from, to)))
                .collect(),
            edges: self
                .edges
                .iter()
                .map(|(k, e)| (k.clone(), e.slice(from, to)))
                .collect(),
            breaker_state: self
                .breaker_state
                .iter()
                .map(|(k, v)| (k.clone(), slice_of(v, from, to)))
                .collect(),
        }
    }

    /// Appends `more` (buckets that follow this series' last one), as [`tail`](Self::tail) cut them.
    pub fn extend(&mut self, more: Series) {
        self.bucket_ms = more.bucket_ms;
        self.t_ms.extend(more.t_ms);
        self.arrivals.extend(more.arrivals);
        self.succeeded.extend(more.succeeded);
        self.failed.extend(more.failed);
        for (k, v) in more.failed_by_cause {
            self.failed_by_cause.entry(k).or_default().extend(v);
        }
        self.p50_ms.extend(more.p50_ms);
        self.p95_ms.extend(more.p95_ms);
        self.p99_ms.extend(more.p99_ms);
        for (k, n) in more.nodes {
            self.nodes.entry(k).or_default().extend(n);
        }
        for (k, e) in more.edges {
            self.edges.entry(k).or_default().extend(e);
        }
        for (k, v) in more.breaker_state {
            self.breaker_state.entry(k).or_default().extend(v);
        }
    }
}

fn slice_of<T: Clone>(v: &[T], from: usize, to: usize) -> Vec<T> {
    let to = to.min(v.len());
    v.get(from..to).map(<[T]>::to_vec).unwrap_or_default()
}

/// Per-bucket figures of one node. The kind-specific vectors are empty for other kinds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct NodeSeries {
    pub arrivals: Vec<u64>,
    /// Requests the node finished in the bucket (any outcome).
    #[serde(default)]
    pub completions: Vec<u64>,
    /// Failures that happened at this node in the bucket (as `NodeReport::failures` counts them).
    #[serde(default)]
    pub failed: Vec<u64>,
    /// Mean residence time of the bucket's successful requests, ms (0 when none succeeded).
    #[serde(default)]
    pub mean_latency_ms: Vec<f64>,
    pub utilisation: Vec<f64>,
    pub queue_length: Vec<f64>,
    pub in_flight: Vec<f64>,
    /// Caches only: hit ratio of the bucket.
    pub hit_ratio: Vec<f64>,
    /// Queues only: messages enqueued, delivered, redelivered and dead-lettered in the bucket.
    #[serde(default)]
    pub enqueued: Vec<u64>,
    #[serde(default)]
    pub delivered: Vec<u64>,
    #[serde(default)]
    pub redeliveries: Vec<u64>,
    #[serde(default)]
    pub dead_lettered: Vec<u64>,
    /// Rate limiters only: requests rejected in the bucket.
    #[serde(default)]
    pub rate_limited: Vec<u64>,
    /// Databases only: queries per shard in the bucket, `shard_queries[shard][bucket]`.
    #[serde(default)]
    pub shard_queries: Vec<Vec<u64>>,
    /// Queues with a visibility timeout only: messages visible again, and duplicate
    /// deliveries, in the bucket.
    #[serde(default)]
    pub visible_again: Vec<u64>,
    #[serde(default)]
    pub duplicates: Vec<u64>,
    /// Queues with `fan_out` only: each subscription's lag at the bucket's end,
    /// `subscription_lag[subscription][bucket]`.
    #[serde(default)]
    pub subscription_lag: Vec<Vec<u64>>,
    /// Databases with `failover` only: writes lost by a failover in the bucket.
    #[serde(default)]
    pub lost_writes: Vec<u64>,
    /// Partitioned queues only: each partition's lag at the end of the bucket,
    /// `partition_lag[partition][bucket]` (empty with `fan_out`: see `group_partition_lag`).
    #[serde(default)]
    pub partition_lag: Vec<Vec<u64>>,
    /// Partitioned queues with `fan_out` only: each subscription's group's lag per partition
    /// at the end of the bucket, `group_partition_lag[group][partition][bucket]`.
    #[serde(default)]
    pub group_partition_lag: Vec<Vec<Vec<u64>>>,
    /// Queues with `fan_out` and `consumer_scaling` only: time-average of each subscription's
    /// consumers in the bucket, `group_consumers[group][bucket]` (`instances` stays empty).
    #[serde(default)]
    pub group_consumers: Vec<Vec<f64>>,
    /// Autoscaled services only: time-average of the instances serving in the bucket.
    #[serde(default)]
    pub instances: Vec<f64>,
    /// Load balancers only: backends in rotation at the bucket's end (neither down by health
    /// check or open breaker, nor ejected).
    #[serde(default)]
    pub healthy_backends: Vec<u32>,
    /// Load balancers only: backends ejected by outlier detection at the bucket's end.
    #[serde(default)]
    pub ejected_backends: Vec<u32>,
    /// Load balancers only: each backend's state at the bucket's end, keyed by node id: 0 in
    /// rotation, 1 down (health check, or its edge's breaker open), 2 ejected, 3 both.
    #[serde(default)]
    pub backend_state: BTreeMap<String, Vec<u8>>,
    /// Autoscaled services with discovery only: time-average of the instances their callers
    /// send to (what they last read in the registry).
    #[serde(default)]
    pub instances_known: Vec<f64>,
}

impl NodeSeries {
    fn slice(&self, from: usize, to: usize) -> NodeSeries {
        NodeSeries {
            arrivals: slice_of(&self.arrivals, from, to),
            completions: slice_of(&self.completions, from, to),
            failed: slice_of(&self.failed, from, to),
            mean_latency_ms: slice_of(&self.mean_latency_ms, from, to),
            utilisation: slice_of(&self.utilisation, from, to),
            queue_length: slice_of(&self.queue_length, from, to),
            in_flight: slice_of(&self.in_flight, from, to),
            hit_ratio: slice_of(&self.hit_ratio, from, to),
            enqueued: slice_of(&self.enqueued, from, to),
            delivered: slice_of(&self.delivered, from, to),
            redeliveries: slice_of(&self.redeliveries, from, to),
            dead_lettered: slice_of(&self.dead_lettered, from, to),
            rate_limited: slice_of(&self.rate_limited, from, to),
            shard_queries: self
                .shard_queries
                .iter()
                .map(|v| slice_of(v, from, to))
                .collect(),
            instances: slice_of(&self.instances, from, to),
            healthy_backends: slice_of(&self.healthy_backends, from, to),
            ejected_backends: slice_of(&self.ejected_backends, from, to),
            backend_state: self
                .backend_state
                .iter()
                .map(|(k, v)| (k.clone(), slice_of(v, from, to)))
                .collect(),
            partition_lag: self
                .partition_lag
                .iter()
                .map(|v| slice_of(v, from, to))
                .collect(),
            group_partition_lag: self
                .group_partition_lag
                .iter()
                .map(|g| g.iter().map(|v| slice_of(v, from, to)).collect())
                .collect(),
            group_consumers: self
                .group_consumers
                .iter()
                .map(|v| slice_of(v, from, to))
                .collect(),
            instances_known: slice_of(&self.instances_known, from, to),
            lost_writes: slice_of(&self.lost_writes, from, to),
            visible_again: slice_of(&self.visible_again, from, to),
            duplicates: slice_of(&self.duplicates, from, to),
            subscription_lag: self
                .subscription_lag
                .iter()
                .map(|v| slice_of(v, from, to))
                .collect(),
        }
    }

    fn extend(&mut self, more: NodeSeries) {
        self.arrivals.extend(more.arrivals);
        self.completions.extend(more.completions);
        self.failed.extend(more.failed);
        self.mean_latency_ms.extend(more.mean_latency_ms);
        self.utilisation.extend(more.utilisation);
        self.queue_length.extend(more.queue_length);
        self.in_flight.extend(more.in_flight);
        self.hit_ratio.extend(more.hit_ratio);
        self.enqueued.extend(more.enqueued);
        self.delivered.extend(more.delivered);
        self.redeliveries.extend(more.redeliveries);
        self.dead_lettered.extend(more.dead_lettered);
        self.rate_limited.extend(more.rate_limited);
        self.instances.extend(more.instances);
        if self.partition_lag.len() < more.partition_lag.len() {
            self.partition_lag
                .resize_with(more.partition_lag.len(), Vec::new);
        }
        for (mine, theirs) in self.partition_lag.iter_mut().zip(more.partition_lag) {
            mine.extend(theirs);
        }
        if self.group_partition_lag.len() < more.group_partition_lag.len() {
            self.group_partition_lag
                .resize_with(more.group_partition_lag.len(), Vec::new);
        }
        for (mine, theirs) in self
            .group_partition_lag
            .iter_mut()
            .zip(more.group_partition_lag)
        {
            if mine.len() < theirs.len() {
                mine.resize_with(theirs.len(), Vec::new);
            }
            for (line, more) in mine.iter_mut().zip(theirs) {
                line.extend(more);
            }
        }
        if self.group_consumers.len() < more.group_consumers.len() {
            self.group_consumers
                .resize_with(more.group_consumers.len(), Vec::new);
        }
        for (mine, theirs) in self.group_consumers.iter_mut().zip(more.group_consumers) {
            mine.extend(theirs);
        }
        self.instances_known.extend(more.instances_known);
        self.lost_writes.extend(more.lost_writes);
        self.visible_again.extend(more.visible_again);
        self.duplicates.extend(more.duplicates);
        if self.subscription_lag.len() < more.subscription_lag.len() {
            self.subscription_lag
                .resize_with(more.subscription_lag.len(), Vec::new);
        }
        for (mine, theirs) in self.subscription_lag.iter_mut().zip(more.subscription_lag) {
            mine.extend(theirs);
        }
        if self.shard_queries.len() < more.shard_queries.len() {
            self.shard_queries
                .resize_with(more.shard_queries.len(), Vec::new);
        }
        for (mine, theirs) in self.shard_queries.iter_mut().zip(more.shard_queries) {
            mine.extend(theirs);
        }
        self.healthy_backends.extend(more.healthy_backends);
        self.ejected_backends.extend(more.ejected_backends);
        for (k, v) in more.backend_state {
            self.backend_state.entry(k).or_default().extend(v);
        }
    }
}

/// Per-bucket figures of one edge (its calls, as the caller saw them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EdgeSeries {
    /// Calls that started along the edge.
    pub calls: Vec<u64>,
    /// Calls that ended failed (after their retries), whatever the cause.
    pub failed: Vec<u64>,
    /// Attempts sent, retries included.
    pub attempts: Vec<u64>,
    pub retries: Vec<u64>,
    pub timeouts: Vec<u64>,
    /// Calls refused because the breaker was open.
    pub short_circuited: Vec<u64>,
    /// Attempts rejected locally by adaptive throttling.
    #[serde(default)]
    pub throttled: Vec<u64>,
    /// Retries the retry budget refused.
    #[serde(default)]
    pub budget_refused: Vec<u64>,
    /// Attempts the bulkhead refused.
    #[serde(default)]
    pub bulkhead_rejected: Vec<u64>,
    /// Hedges sent (attempts of hedged calls after the first).
    #[serde(default)]
    pub hedges: Vec<u64>,
    /// Hedged calls a hedge won.
    #[serde(default)]
    pub hedge_wins: Vec<u64>,
}

impl EdgeSeries {
    fn slice(&self, from: usize, to: usize) -> EdgeSeries {
        EdgeSeries {
            calls: slice_of(&self.calls, from, to),
            failed: slice_of(&self.failed, from, to),
            attempts: slice_of(&self.attempts, from, to),
            retries: slice_of(&self.retries, from, to),
            timeouts: slice_of(&self.timeouts, from, to),
            short_circuited: slice_of(&self.short_circuited, from, to),
            throttled: slice_of(&self.throttled, from, to),
            budget_refused: slice_of(&self.budget_refused, from, to),
            bulkhead_rejected: slice_of(&self.bulkhead_rejected, from, to),
            hedges: slice_of(&self.hedges, from, to),
            hedge_wins: slice_of(&self.hedge_wins, from, to),
        }
    }

    fn extend(&mut self, more: EdgeSeries) {
        self.calls.extend(more.calls);
        self.failed.extend(more.failed);
        self.attempts.extend(more.attempts);
        self.retries.extend(more.retries);
        self.timeouts.extend(more.timeouts);
        self.short_circuited.extend(more.short_circuited);
        self.throttled.extend(more.throttled);
        self.budget_refused.extend(more.budget_refused);
        self.bulkhead_rejected.extend(more.bulkhead_rejected);
        self.hedges.extend(more.hedges);
        self.hedge_wins.extend(more.hedge_wins);
    }
}

//! The report's time series: per-bucket figures of the first replication over the whole run
//! (warm-up included), for the run as a whole, each node and each edge. The worker streams
//! them while a run goes (`tail` and `slice` cut them, `extend` joins them), and the charts
//! draw them.
//! Documented for users in `docs/report-format.md` ("series").

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Four buckets of a run with a database of two shards and one edge.
    fn four_buckets() -> Series {
        let database = NodeSeries {
            arrivals: vec![1, 2, 3, 4],
            utilisation: vec![0.1, 0.2, 0.3, 0.4],
            shard_queries: vec![vec![1, 1, 2, 2], vec![0, 1, 1, 2]],
            backend_state: BTreeMap::from([("db-2".to_string(), vec![0, 1, 1, 0])]),
            ..NodeSeries::default()
        };
        let edge = EdgeSeries {
            calls: vec![1, 2, 3, 4],
            timeouts: vec![0, 0, 1, 0],
            ..EdgeSeries::default()
        };
        Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0, 2_000.0, 3_000.0],
            arrivals: vec![1, 2, 3, 4],
            failed_by_cause: BTreeMap::from([("timeout".to_string(), vec![0, 0, 1, 0])]),
            nodes: BTreeMap::from([("db".to_string(), database)]),
            edges: BTreeMap::from([("api-db".to_string(), edge)]),
            breaker_state: BTreeMap::from([("api-db".to_string(), vec![0, 2, 2, 1])]),
            ..Series::default()
        }
    }

    /// What a live run relies on: the worker cuts the series with `slice`/`tail`, the page
    /// joins the pieces with `extend`, and gets the worker's series back bucket for bucket.
    #[test]
    fn slices_extended_in_order_give_the_series_back() {
        let whole = four_buckets();
        let mut joined = whole.slice(0, 1);
        joined.extend(whole.slice(1, 3));
        joined.extend(whole.tail(3));
        assert_eq!(joined, whole);
        assert_eq!(
            whole.slice(1, 99),
            whole.tail(1),
            "an end past the last bucket is the end"
        );
        assert!(whole.tail(4).is_empty());
    }
}

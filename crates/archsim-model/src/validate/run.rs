//! Rules of the run settings: duration, buckets, limits and how many series values a run may produce.

use super::{MAX_BUCKETS, MAX_REPLICATIONS, MAX_SERIES_VALUES, MIN_BUCKET_MS, readable};
use crate::design::{NodeKind, RunSettings};

use super::Checker;

impl Checker<'_> {
    pub(super) fn run(&mut self, run: &RunSettings) {
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
    pub(super) fn series_per_bucket(&self) -> u64 {
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
}

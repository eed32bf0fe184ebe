//! Measurement: cumulative counters, exact time integrals and latency histograms.
//!
//! Memory never grows with the number of requests. Everything that is counted or integrated over
//! time is *cumulative since the start of the run*; any period's figure (the post-warm-up summary,
//! one batch, one time-series bucket) is the difference of two [`Snapshot`]s taken at its ends.
//! That keeps the hot path to one update per quantity, whatever the number of periods.
//!
//! Time integrals (busy workers, queue length, requests in flight, breaker not closed) are exact:
//! each level remembers when it last changed, and its area grows by `level × elapsed` at every
//! change, in integer nanoseconds. Latency sums are kept exactly too (u128 nanoseconds), so mean
//! latencies carry no histogram quantisation; percentiles come from HDR histograms with 3
//! significant digits, recorded in microseconds.
//!
//! A latency belongs to several periods at once (the summary, a batch, a time-series bucket), so
//! the hot path does not record it into each period's HDR histogram: it counts it once in a
//! [`PendingLatencies`], a flat array indexed exactly as the HDR histograms index their buckets,
//! which the simulation flushes into every period's histogram at each period boundary. The
//! histograms end up with the very same counts, so every percentile is unchanged.

use crate::time::SimTime;

/// How a request (or one attempt of it) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    Success = 0,
    Error = 1,
    Timeout = 2,
    QueueFull = 3,
    RateLimited = 4,
    BreakerOpen = 5,
    NoHealthyBackend = 6,
    NodeDown = 7,
    /// Rejected by the caller itself: client-side adaptive throttling.
    Throttled = 8,
    /// Dropped by CoDel when a worker reached it (it had waited too long, too long).
    CodelDropped = 9,
    /// Pushed out of a full priority queue by a request of a higher class.
    ShedPriority = 10,
    /// The edge's bulkhead was full: the attempt was not sent.
    BulkheadFull = 11,
    /// The request's propagated deadline passed: cancelled down the call tree, dropped at the
    /// head of a queue, or not sent at all.
    DeadlineExceeded = 12,
    /// The caller no longer wanted the answer: another attempt of the same hedged call won.
    Cancelled = 13,
}

impl Outcome {
    /// Index among the failure causes (`CAUSE_NAMES`); None for success.
    #[inline]
    pub fn cause(self) -> Option<usize> {
        match self {
            Outcome::Success => None,
            other => Some(other as usize - 1),
        }
    }

    pub fn is_success(self) -> bool {
        self == Outcome::Success
    }
}

/// A figure of one run, known exactly (no confidence interval yet); 0 for a non-finite value.
pub fn estimate(value: f64) -> archsim_model::report::Estimate {
    archsim_model::report::Estimate::exact(if value.is_finite() { value } else { 0.0 })
}

/// `numerator / denominator`, or 0 when the denominator is not positive (nothing to divide).
pub fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

/// The share of the workers there were that were busy (utilisation): `busy` over `capacity`
/// (both in worker-nanoseconds) less what worker cuts held out (`cut`), as a noisy neighbour
/// leaves a node only the workers it did not take. Work in progress finishes on a worker the
/// cut took, so for a moment more workers can be busy than are left: the share stays at most 1.
/// Without a cut it is exactly `busy / capacity`.
pub fn busy_share(busy: f64, capacity: f64, cut: f64) -> f64 {
    if cut > 0.0 {
        ratio(busy, capacity - cut).min(1.0)
    } else {
        ratio(busy, capacity)
    }
}

/// Failure causes, in report order.
pub const CAUSES: usize = 13;
pub const CAUSE_NAMES: [&str; CAUSES] = [
    "error",
    "timeout",
    "queue_full",
    "rate_limited",
    "breaker_open",
    "no_healthy_backend",
    "node_down",
    "throttled",
    "codel_dropped",
    "shed_priority",
    "bulkhead_full",
    "deadline_exceeded",
    "cancelled",
];

/// Offsets of the counters every node (and the overall block) has.
pub mod node_counter {
    pub const ARRIVALS: u32 = 0;
    pub const COMPLETIONS: u32 = 1;
    pub const SUCCEEDED: u32 = 2;
    /// `FAILED + cause` for each of the `CAUSES` causes.
    pub const FAILED: u32 = 3;
    pub const COUNT: u32 = FAILED + super::CAUSES as u32;
}

/// Offsets of the integrals every node has.
pub mod node_area {
    pub const BUSY: u32 = 0;
    pub const QUEUE: u32 = 1;
    pub const IN_FLIGHT: u32 = 2;
    /// Sum of successful residence times, ns (not a level).
    pub const LATENCY_SUM: u32 = 3;
    /// Autoscaled groups: workers of the instances that serve or drain (the capacity that
    /// `BUSY` is a fraction of), instances that serve, and 1 while the group is at its maximum.
    pub const SERVING_WORKERS: u32 = 4;
    pub const INSTANCES: u32 = 5;
    pub const AT_MAX: u32 = 6;
    /// Instances the group's callers send to (with discovery, what they read in the registry).
    pub const KNOWN: u32 = 7;
    /// Workers a worker cut holds out (fault `worker_cut`): capacity `BUSY` is no share of.
    pub const CUT: u32 = 8;
    pub const COUNT: u32 = 9;
}

pub mod edge_counter {
    pub const ATTEMPTS: u32 = 0;
    pub const RETRIES: u32 = 1;
    pub const TIMEOUTS: u32 = 2;
    pub const SHORT_CIRCUITED: u32 = 3;
    pub const BREAKER_OPENED: u32 = 4;
    /// Calls started (first attempts, whether sent or short-circuited).
    pub const CALLS: u32 = 5;
    /// Calls that ended failed, after their retries.
    pub const FAILED: u32 = 6;
    /// Attempts the caller's adaptive throttling rejected locally (never sent).
    pub const THROTTLED: u32 = 7;
    /// Retries the retry budget refused (the call ended with the failure instead).
    pub const BUDGET_REFUSED: u32 = 8;
    /// Attempts the edge's bulkhead refused (never sent).
    pub const BULKHEAD_REJECTED: u32 = 9;
    /// Hedges sent (attempts after the first of a hedged call).
    pub const HEDGES: u32 = 10;
    /// Hedged calls that a hedge won (its success was the first answer).
    pub const HEDGE_WINS: u32 = 11;
    pub const COUNT: u32 = 12;
}

pub mod edge_area {
    /// Time the breaker spent open or half-open.
    pub const NOT_CLOSED: u32 = 0;
    pub const COUNT: u32 = 1;
}

/// Kind-specific counters, after a node's common ones.
pub mod extra {
    pub const CACHE_HITS: u32 = 0;
    pub const CACHE_MISSES: u32 = 1;
    pub const CACHE_EVICTIONS: u32 = 2;
    pub const CACHE_EXPIRATIONS: u32 = 3;
    /// Read misses that waited for another read's fetch of their key (single-flight).
    pub const CACHE_COALESCED: u32 = 4;
    /// Write-back: flushes sent, writes that joined a pending flush, writes lost in crashes.
    pub const CACHE_FLUSHES: u32 = 5;
    pub const CACHE_WRITES_COALESCED: u32 = 6;
    pub const CACHE_LOST_WRITES: u32 = 7;
    pub const CACHE_COUNT: u32 = 8;

    pub const DB_REPLICA_READS: u32 = 0;
    pub const DB_STALE_READS: u32 = 1;
    /// `DB_SHARD_QUERIES + shard`.
    pub const DB_SHARD_QUERIES: u32 = 2;

    pub const QUEUE_ENQUEUED: u32 = 0;
    pub const QUEUE_DELIVERED: u32 = 1;
    pub const QUEUE_REDELIVERIES: u32 = 2;
    pub const QUEUE_DEAD_LETTERED: u32 = 3;
    /// Producers made to wait by a full queue (`backpressure: block`).
    pub const QUEUE_BLOCKED: u32 = 4;
    /// With a visibility timeout: messages visible again because their timeout ended before
    /// they were deleted, and deliveries that succeeded for a message already processed.
    pub const QUEUE_VISIBLE_AGAIN: u32 = 5;
    pub const QUEUE_DUPLICATES: u32 = 6;
    pub const QUEUE_COUNT: u32 = 7;

    pub const LIMITER_ADMITTED: u32 = 0;
    pub const LIMITER_REJECTED: u32 = 1;
    pub const LIMITER_COUNT: u32 = 2;

    /// Autoscaled services: decisions that grew and shrank the group.
    pub const GROUP_SCALE_UPS: u32 = 0;
    pub const GROUP_SCALE_DOWNS: u32 = 1;
    /// Requests sent to an instance that no longer served (discovery lagging behind).
    pub const GROUP_SENT_TO_GONE: u32 = 2;
    /// Instances taken down by `instance_crash` faults.
    pub const GROUP_INSTANCE_CRASHES: u32 = 3;
    pub const GROUP_COUNT: u32 = 4;
    // Load balancers: one counter per backend, from 0.
}

/// Cumulative counters and time integrals of one replication.
#[derive(Debug, Default)]
pub struct Recorder {
    counters: Vec<u64>,
    /// One record per integral, so a level change touches one place (one bounds check, one
    /// cache line) rather than three parallel vectors.
    integrals: Vec<Integral>,
}

/// A time integral: its area so far, and the level and time of its last change.
#[derive(Debug, Clone, Copy, Default)]
struct Integral {
    area: u128,
    last_change: SimTime,
    level: u32,
}

/// Counters and integrals at one instant.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub at: SimTime,
    pub counters: Vec<u64>,
    pub areas: Vec<u128>,
}

impl Snapshot {
    #[inline]
    pub fn counter(&self, index: u32) -> u64 {
        self.counters[index as usize]
    }

    #[inline]
    pub fn area(&self, index: u32) -> u128 {
        self.areas[index as usize]
    }
}

impl Recorder {
    /// The value of counter `index` now (tests, and a fault's report at its start and end).
    pub fn counter(&self, index: u32) -> u64 {
        self.counters[index as usize]
    }

    /// Reserves `n` counters; returns the index of the first.
    pub fn alloc_counters(&mut self, n: u32) -> u32 {
        let base = self.counters.len() as u32;
        self.counters.resize(self.counters.len() + n as usize, 0);
        base
    }

    /// Reserves `n` integrals; returns the index of the first.
    pub fn alloc_areas(&mut self, n: u32) -> u32 {
        let base = self.integrals.len() as u32;
        let len = self.integrals.len() + n as usize;
        self.integrals.resize(len, Integral::default());
        base
    }

    #[inline]
    pub fn incr(&mut self, index: u32) {
        self.counters[index as usize] += 1;
    }

    /// Sets a counter that mirrors a cumulative count kept elsewhere (a policy's own tally).
    #[inline]
    pub fn set(&mut self, index: u32, value: u64) {
        self.counters[index as usize] = value;
    }

    /// Adds to a plain sum (not a level).
    #[inline]
    pub fn add_area(&mut self, index: u32, amount: u128) {
        self.integrals[index as usize].area += amount;
    }

    /// Changes level `index` by `delta` at `now`, integrating the old level up to `now`.
    #[inline]
    pub fn change_level(&mut self, index: u32, now: SimTime, delta: i32) {
        let integral = &mut self.integrals[index as usize];
        let level = integral.level;
        integral.area += level_area(level, now - integral.last_change);
        integral.last_change = now;
        integral.level = level.wrapping_add_signed(delta);
    }

    /// Sets level `index` to `value` at `now`.
    #[inline]
    pub fn set_level(&mut self, index: u32, now: SimTime, value: u32) {
        let integral = &mut self.integrals[index as usize];
        integral.area += level_area(integral.level, now - integral.last_change);
        integral.last_change = now;
        integral.level = value;
    }

    #[inline]
    pub fn level(&self, index: u32) -> u32 {
        self.integrals[index as usize].level
    }

    /// All counters and integrals as of `now` (levels integrated up to `now`).
    pub fn snapshot(&mut self, now: SimTime) -> Snapshot {
        for integral in &mut self.integrals {
            integral.area += level_area(integral.level, now - integral.last_change);
            integral.last_change = now;
        }
        Snapshot {
            at: now,
            counters: self.counters.clone(),
            areas: self
                .integrals
                .iter()
                .map(|integral| integral.area)
                .collect(),
        }
    }
}

/// `level × elapsed`, exactly.
#[inline]
fn level_area(level: u32, elapsed: SimTime) -> u128 {
    #[cfg(target_arch = "wasm32")]
    {
        level_area_without_wide_multiply(level, elapsed)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        level as u128 * elapsed as u128
    }
}

/// `level × elapsed` for WebAssembly, where a 128-bit product is a software routine (and so is
/// a 64-bit multiply checked for overflow). Levels change often: when less than 2³² ns (4.3 s)
/// have passed, a u32 × u32 product fits in 64 bits and one native multiply does. Same value as
/// the 128-bit product, always.
#[inline]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn level_area_without_wide_multiply(level: u32, elapsed: SimTime) -> u128 {
    if elapsed <= u32::MAX as u64 {
        (level as u64 * elapsed) as u128
    } else {
        level as u128 * elapsed as u128
    }
}

/// Latency distribution of one period: counts per HDR bucket (µs, 3 significant digits, the
/// bucketing of `hdrhistogram::Histogram::<u64>::new(3)`) plus the exact maximum in ns.
///
/// Why not the `hdrhistogram` crate itself: a period receives its latencies a bucket at a time
/// from [`PendingLatencies`], and adding one flat array to another is a few instructions per
/// bucket where `Histogram::record_n` was dozens. Quantiles are computed exactly as
/// `Histogram::value_at_quantile` computes them (a test checks both against the crate).
#[derive(Debug, Clone, Default)]
pub struct LatencyStats {
    /// Latencies per bucket, indexed by `hdr_index`.
    counts: Vec<u64>,
    total: u64,
    /// Range of indices that may be non-zero, so `reset` clears only what was used.
    touched_from: usize,
    touched_to: usize,
    max_ns: u64,
}

impl LatencyStats {
    #[cfg(test)]
    pub fn record(&mut self, latency_ns: u64) {
        let index = hdr_index(latency_ns / 1_000);
        self.add_counts(index, &[1]);
        self.max_ns = self.max_ns.max(latency_ns);
    }

    /// Adds `counts[k]` latencies to bucket `from + k` (their exact maximum is tracked by the
    /// caller).
    fn add_counts(&mut self, from: usize, counts: &[u64]) {
        if counts.is_empty() {
            return;
        }
        let to = from + counts.len();
        if to > self.counts.len() {
            self.counts.resize(to, 0);
        }
        let mut added = 0u64;
        for (mine, &theirs) in self.counts[from..to].iter_mut().zip(counts) {
            *mine += theirs;
            added += theirs;
        }
        self.total += added;
        if self.touched_from >= self.touched_to {
            self.touched_from = from;
            self.touched_to = to;
        } else {
            self.touched_from = self.touched_from.min(from);
            self.touched_to = self.touched_to.max(to);
        }
    }

    pub fn reset(&mut self) {
        if self.touched_from < self.touched_to {
            self.counts[self.touched_from..self.touched_to].fill(0);
        }
        self.touched_from = 0;
        self.touched_to = 0;
        self.total = 0;
        self.max_ns = 0;
    }

    #[cfg(test)]
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `q` quantile in ms (0 when empty): the highest value of the bucket where the
    /// cumulative count first reaches `ceil(q × count)` (at least 1), the lowest for `q = 0`,
    /// as `hdrhistogram` reports it — but never above the exact maximum. A bucket's highest
    /// value can lie above every latency in it (a p99 of 99.3 ms next to a max of 99.2 ms), and
    /// a percentile above the maximum is a number no reader should be shown.
    #[cfg(test)]
    pub fn quantile_ms(&self, q: f64) -> f64 {
        self.quantiles_ms([q])[0]
    }

    /// Several quantiles (ascending) in one pass over the buckets; each is what
    /// [`quantile_ms`](Self::quantile_ms) gives.
    pub fn quantiles_ms<const N: usize>(&self, quantiles: [f64; N]) -> [f64; N] {
        debug_assert!(quantiles.is_sorted(), "quantiles in ascending order");
        let mut values = [0.0; N];
        if self.total == 0 {
            return values;
        }
        let last = self.touched_to.saturating_sub(1);
        let mut index = self.touched_from;
        let mut cumulative = self.counts.get(index).copied().unwrap_or(0);
        for (value, &q) in values.iter_mut().zip(&quantiles) {
            let q = if q > 1.0 { 1.0 } else { q };
            let target = ((q * self.total as f64).ceil() as u64).max(1);
            while cumulative < target && index < last {
                index += 1;
                cumulative += self.counts[index];
            }
            let lowest = hdr_lowest_value(index);
            let micros = if q == 0.0 {
                lowest
            } else {
                lowest + hdr_bucket_width(lowest) - 1
            };
            *value = (micros as f64 / 1_000.0).min(self.max_ms());
        }
        values
    }

    pub fn max_ms(&self) -> f64 {
        self.max_ns as f64 / 1e6
    }

    /// These latencies in the report's log-spaced buckets. Each HDR bucket goes whole to the
    /// log bucket of the value [`quantiles_ms`](Self::quantiles_ms) reports for it (its highest
    /// value, never above the maximum), so a quantile of the histogram lies in the bucket that
    /// holds this period's quantile.
    pub fn log_histogram(&self) -> archsim_model::LatencyHistogram {
        let mut histogram = archsim_model::LatencyHistogram::new();
        if self.total == 0 {
            return histogram;
        }
        let max_ms = self.max_ms();
        for index in self.touched_from..self.touched_to {
            let count = self.counts[index];
            if count > 0 {
                let lowest = hdr_lowest_value(index);
                let highest = lowest + hdr_bucket_width(lowest) - 1;
                histogram.add((highest as f64 / 1_000.0).min(max_ms), count);
            }
        }
        histogram
    }
}

/// Latencies (and their maximum) recorded since the last flush, counted per HDR bucket.
///
/// The bucket of a value is the one `Histogram::<u64>::new(3)` (lowest discernible value 1,
/// 3 significant digits) puts it in: 2048 sub-buckets of width 1 for values below 2048, then,
/// for each further power of two, 1024 sub-buckets twice as wide as the previous power's.
/// Flushing adds each bucket's count to the same bucket of each period's [`LatencyStats`], so
/// a period's counts (and therefore its quantiles) are exactly those of recording every value
/// in it directly. A test checks the bucket mapping
/// against the `hdrhistogram` crate.
#[derive(Debug, Clone)]
pub struct PendingLatencies {
    counts: Vec<u64>,
    /// Range of indices that may be non-zero: `touched_from..touched_to`; `usize::MAX..0`
    /// when nothing is, so that recording only widens it (a `min` and a `max`, no branch).
    touched_from: usize,
    touched_to: usize,
    max_ns: u64,
}

/// log2 of the number of sub-buckets in each bucket above the first (1024).
const HALF_SUB_BUCKETS_LOG2: u32 = 10;
const HALF_SUB_BUCKETS: u64 = 1 << HALF_SUB_BUCKETS_LOG2;
/// All values below 2048 share the first bucket, at a resolution of 1.
const FIRST_BUCKET_MASK: u64 = (2 * HALF_SUB_BUCKETS) - 1;
/// Leading zeros of `FIRST_BUCKET_MASK`: values with as many lie in bucket 0.
const FIRST_BUCKET_LEADING_ZEROS: u32 = FIRST_BUCKET_MASK.leading_zeros();

/// Index of `value`'s bucket in an HDR histogram of 3 significant digits from 1.
#[inline]
fn hdr_index(value: u64) -> usize {
    let bucket = FIRST_BUCKET_LEADING_ZEROS - (value | FIRST_BUCKET_MASK).leading_zeros();
    let sub_bucket = value >> bucket;
    (((bucket as u64 + 1) << HALF_SUB_BUCKETS_LOG2) + sub_bucket - HALF_SUB_BUCKETS) as usize
}

/// Width of the bucket holding `value` (1 below 2048, doubling with each power of two above).
#[inline]
fn hdr_bucket_width(value: u64) -> u64 {
    1 << (FIRST_BUCKET_LEADING_ZEROS - (value | FIRST_BUCKET_MASK).leading_zeros())
}

/// The lowest value of bucket `index` (inverse of `hdr_index` on bucket lower bounds).
fn hdr_lowest_value(index: usize) -> u64 {
    let bucket = (index >> HALF_SUB_BUCKETS_LOG2) as u32;
    let offset = (index as u64) & (HALF_SUB_BUCKETS - 1);
    if bucket == 0 {
        offset
    } else {
        (offset + HALF_SUB_BUCKETS) << (bucket - 1)
    }
}

impl Default for PendingLatencies {
    fn default() -> Self {
        PendingLatencies {
            counts: Vec::new(),
            touched_from: usize::MAX,
            touched_to: 0,
            max_ns: 0,
        }
    }
}

impl PendingLatencies {
    #[inline]
    pub fn record(&mut self, latency_ns: u64) {
        let index = hdr_index(latency_ns / 1_000);
        if index >= self.counts.len() {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] += 1;
        self.touched_from = self.touched_from.min(index);
        self.touched_to = self.touched_to.max(index + 1);
        self.max_ns = self.max_ns.max(latency_ns);
    }

    /// Adds everything recorded since the last flush to each of `periods`, then starts afresh.
    pub fn flush_into(&mut self, periods: &mut [&mut LatencyStats]) {
        if self.touched_from >= self.touched_to {
            return;
        }
        let (from, to) = (self.touched_from, self.touched_to);
        for period in periods.iter_mut() {
            period.add_counts(from, &self.counts[from..to]);
            period.max_ns = period.max_ns.max(self.max_ns);
        }
        self.counts[from..to].fill(0);
        self.touched_from = usize::MAX;
        self.touched_to = 0;
        self.max_ns = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use hdrhistogram::Histogram;

    #[test]
    fn quantiles_match_the_hdrhistogram_crate() {
        let mut state = 17u64;
        for size in [1usize, 2, 3, 10, 999, 50_000] {
            let mut ours = LatencyStats::default();
            let mut theirs = Histogram::<u64>::new(3).expect("valid precision");
            for _ in 0..size {
                let x = crate::rng::splitmix64(&mut state);
                let ns = (x >> 20) >> (x % 40);
                ours.record(ns);
                theirs.record(ns / 1_000).expect("recordable");
            }
            let quantiles = [
                0.0, 1e-9, 0.001, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.99999, 1.0, 1.5,
            ];
            let together = ours.quantiles_ms(quantiles);
            for (q, together) in quantiles.into_iter().zip(together) {
                let expected = (theirs.value_at_quantile(q) as f64 / 1_000.0).min(ours.max_ms());
                assert_eq!(ours.quantile_ms(q), expected, "size {size}, q = {q}");
                assert_eq!(together, expected, "size {size}, q = {q}, in one pass");
            }
        }
    }

    /// Regression: a p99 was reported above the run's maximum latency (the bucket's highest
    /// value, not a latency anyone saw).
    #[test]
    fn no_quantile_exceeds_the_maximum() {
        let mut stats = LatencyStats::default();
        for ms in [1u64, 5, 40] {
            stats.record(ms * 1_000_000);
        }
        // 99.2 ms lies in a bucket 64 µs wide whose highest value is 99.327 ms.
        stats.record(99_200_000);
        let [p50, p99, p100] = stats.quantiles_ms([0.5, 0.99, 1.0]);
        assert_eq!(stats.max_ms(), 99.2);
        assert_eq!(p99, 99.2);
        assert_eq!(p100, 99.2);
        assert_eq!(
            p50, 5.003,
            "below the maximum, a bucket's highest value as before"
        );
    }

    #[test]
    fn hdr_index_matches_the_hdrhistogram_buckets() {
        let histogram = Histogram::<u64>::new(3).expect("valid precision");
        let mut values: Vec<u64> = (0..5_000).collect();
        for shift in 0..63 {
            let p = 1u64 << shift;
            values.extend([p - 1, p, p + 1, p + p / 3, p + p / 2 + 7]);
        }
        let mut state = 99u64;
        for _ in 0..100_000 {
            let x = crate::rng::splitmix64(&mut state);
            values.push(x >> (x % 64));
        }
        for value in values {
            let index = hdr_index(value);
            assert_eq!(
                hdr_lowest_value(index),
                histogram.lowest_equivalent(value),
                "value {value}"
            );
            assert_eq!(hdr_index(hdr_lowest_value(index)), index, "value {value}");
        }
    }

    #[test]
    fn flushed_latencies_give_the_same_histograms_as_direct_recording() {
        let mut direct = [LatencyStats::default(), LatencyStats::default()];
        let mut flushed = [LatencyStats::default(), LatencyStats::default()];
        let mut pending = PendingLatencies::default();
        let mut state = 5u64;
        for round in 0..4 {
            for _ in 0..20_000 {
                let x = crate::rng::splitmix64(&mut state);
                // Latencies from 0 to about 10 minutes, most of them small.
                let ns = (x >> 24) >> (x % 30);
                direct[0].record(ns);
                direct[1].record(ns);
                pending.record(ns);
            }
            let [a, b] = &mut flushed;
            pending.flush_into(&mut [a, b]);
            if round == 1 {
                direct[1].reset();
                flushed[1].reset();
            }
        }
        for (d, f) in direct.iter().zip(&flushed) {
            assert_eq!(d.count(), f.count());
            assert_eq!(d.max_ms(), f.max_ms());
            for q in [0.0, 0.001, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 0.99999, 1.0] {
                assert_eq!(d.quantile_ms(q), f.quantile_ms(q), "q = {q}");
            }
        }
    }

    #[test]
    fn level_integral_is_exact() {
        let mut recorder = Recorder::default();
        let level = recorder.alloc_areas(1);
        recorder.change_level(level, 10, 1); // 1 from t=10
        recorder.change_level(level, 30, 2); // 3 from t=30
        recorder.change_level(level, 40, -3); // 0 from t=40
        let snap = recorder.snapshot(100);
        assert_eq!(snap.area(level), 20 + 30);
    }

    #[test]
    fn level_integral_is_exact_beyond_64_bits() {
        let mut recorder = Recorder::default();
        let level = recorder.alloc_areas(1);
        recorder.set_level(level, 0, u32::MAX);
        recorder.change_level(level, u64::MAX, 0);
        let snap = recorder.snapshot(u64::MAX);
        assert_eq!(snap.area(level), u32::MAX as u128 * u64::MAX as u128);
        for (level, elapsed) in [
            (3, u64::MAX / 2),
            (2, 7),
            (u32::MAX, u32::MAX as u64),
            (u32::MAX, u32::MAX as u64 + 1),
            (0, u64::MAX),
            (1, u64::MAX),
        ] {
            let exact = level as u128 * elapsed as u128;
            assert_eq!(level_area(level, elapsed), exact);
            assert_eq!(level_area_without_wide_multiply(level, elapsed), exact);
        }
    }

    #[test]
    fn snapshot_differences_give_period_figures() {
        let mut recorder = Recorder::default();
        let counter = recorder.alloc_counters(1);
        let level = recorder.alloc_areas(1);
        recorder.incr(counter);
        recorder.change_level(level, 0, 2);
        let start = recorder.snapshot(50);
        for _ in 0..4 {
            recorder.incr(counter);
        }
        let end = recorder.snapshot(150);
        assert_eq!(end.counter(counter) - start.counter(counter), 4);
        assert_eq!(end.area(level) - start.area(level), 200);
    }

    #[test]
    fn latency_stats_quantiles_have_three_significant_digits() {
        let mut stats = LatencyStats::default();
        for ms in 1..=1000u64 {
            stats.record(ms * 1_000_000);
        }
        assert_eq!(stats.count(), 1000);
        assert!((stats.quantile_ms(0.5) - 500.0).abs() <= 0.5);
        assert!((stats.quantile_ms(0.99) - 990.0).abs() <= 1.0);
        assert_eq!(stats.max_ms(), 1000.0);
        stats.reset();
        assert_eq!(stats.count(), 0);
        assert_eq!(stats.quantile_ms(0.5), 0.0);
    }

    #[test]
    fn outcome_causes_match_names() {
        assert_eq!(Outcome::Success.cause(), None);
        assert_eq!(CAUSE_NAMES[Outcome::Error.cause().unwrap()], "error");
        assert_eq!(CAUSE_NAMES[Outcome::NodeDown.cause().unwrap()], "node_down");
        assert_eq!(
            CAUSE_NAMES[Outcome::QueueFull.cause().unwrap()],
            "queue_full"
        );
    }
}

//! The whole run's end-to-end latency distribution, as a compact histogram: a few dozen counts
//! in buckets evenly spaced on a log scale, so that a run's latencies from microseconds to
//! minutes fit in one short list, each bucket as wide relative to its latencies as any other.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Latencies of the requests their clients saw succeed after warm-up, all replications pooled,
/// counted in buckets evenly spaced on a log scale: bucket `k` holds the latencies in
/// `(10^((k−1)/per_decade), 10^(k/per_decade)]` ms. Only the buckets from the first non-empty one
/// to the last are kept, `counts[0]` being bucket `first`.
///
/// With [`PER_DECADE`](Self::PER_DECADE) = 20 buckets per factor of ten, a bucket's upper bound
/// is 12.2% above its lower one: finer than any reader of a latency chart needs, and a run whose
/// latencies span three factors of ten (0.5 ms to 500 ms, say) is 60 numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct LatencyHistogram {
    /// Buckets per factor of ten.
    pub per_decade: u32,
    /// The bucket index of `counts[0]`.
    pub first: i32,
    /// Latencies per bucket, from bucket `first` on.
    pub counts: Vec<u64>,
}

impl LatencyHistogram {
    /// Buckets per factor of ten of the histograms the engine records.
    pub const PER_DECADE: u32 = 20;
    /// Latencies at or below 1 µs all go to the bucket ending at 1 µs (the engine's clock counts
    /// nanoseconds, its latency histograms microseconds).
    pub const FLOOR_MS: f64 = 1e-3;

    /// An empty histogram with [`PER_DECADE`](Self::PER_DECADE) buckets per factor of ten.
    pub fn new() -> LatencyHistogram {
        LatencyHistogram {
            per_decade: Self::PER_DECADE,
            first: 0,
            counts: Vec::new(),
        }
    }

    /// The bucket holding a latency of `ms`: the `k` with `10^((k−1)/d) < ms ≤ 10^(k/d)`.
    /// `libm`'s logarithm, so the bucket is the same natively and in WebAssembly.
    pub fn bucket_of(&self, ms: f64) -> i32 {
        let d = f64::from(self.per_decade.max(1));
        let ms = if ms.is_finite() {
            ms.max(Self::FLOOR_MS)
        } else {
            Self::FLOOR_MS
        };
        let mut k = libm::ceil(d * libm::log10(ms)) as i32;
        // The logarithm of a power of ten can come out a hair above the integer; the bounds
        // decide.
        if ms <= self.upper_ms(k - 1) {
            k -= 1;
        } else if ms > self.upper_ms(k) {
            k += 1;
        }
        k
    }

    /// Upper bound of bucket `k`, ms.
    pub fn upper_ms(&self, k: i32) -> f64 {
        libm::pow(10.0, f64::from(k) / f64::from(self.per_decade.max(1)))
    }

    /// Lower bound (exclusive) of bucket `k`, ms.
    pub fn lower_ms(&self, k: i32) -> f64 {
        self.upper_ms(k - 1)
    }

    /// Counts `count` latencies of `ms`.
    pub fn add(&mut self, ms: f64, count: u64) {
        if count > 0 {
            let k = self.bucket_of(ms);
            self.add_to_bucket(k, count);
        }
    }

    /// Counts `count` latencies in bucket `k`.
    pub fn add_to_bucket(&mut self, k: i32, count: u64) {
        if count == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.first = k;
            self.counts.push(count);
            return;
        }
        if k < self.first {
            let grow = (self.first - k) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.first = k;
        }
        let at = (k - self.first) as usize;
        if at >= self.counts.len() {
            self.counts.resize(at + 1, 0);
        }
        self.counts[at] += count;
    }

    /// Adds every count of `other` (which must have as many buckets per factor of ten).
    pub fn merge(&mut self, other: &LatencyHistogram) {
        debug_assert!(other.counts.is_empty() || other.per_decade == self.per_decade);
        for (k, count) in other.indexed() {
            self.add_to_bucket(k, count);
        }
    }

    /// Latencies counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// `(bucket index, count)` of each bucket kept, in order.
    pub fn indexed(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        (self.first..).zip(self.counts.iter().copied())
    }

    /// `(lower, upper, count)` of each bucket kept, ms, in order.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        self.indexed()
            .map(|(k, count)| (self.lower_ms(k), self.upper_ms(k), count))
    }

    /// The bucket holding the `q` quantile: the first where the cumulative count reaches
    /// `ceil(q × total)` (at least 1), as `(lower, upper)` ms; None when empty.
    pub fn quantile_bucket(&self, q: f64) -> Option<(f64, f64)> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let target = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut cumulative = 0;
        for (k, count) in self.indexed() {
            cumulative += count;
            if cumulative >= target {
                return Some((self.lower_ms(k), self.upper_ms(k)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latency_lands_in_the_bucket_whose_bounds_hold_it() {
        let h = LatencyHistogram::new();
        // Powers of ten are upper bounds: 1 ms ends bucket 0, 10 ms bucket 20.
        assert_eq!(h.bucket_of(1.0), 0);
        assert_eq!(h.bucket_of(10.0), 20);
        assert_eq!(h.bucket_of(100.0), 40);
        assert_eq!(h.bucket_of(0.1), -20);
        assert_eq!(h.bucket_of(1.000_001), 1);
        for ms in [
            0.0013,
            0.02,
            0.7,
            1.0,
            3.3,
            12.5,
            99.9,
            100.0,
            4_321.0,
            86_400_000.0,
        ] {
            let k = h.bucket_of(ms);
            assert!(
                h.lower_ms(k) < ms && ms <= h.upper_ms(k),
                "{ms} in bucket {k}"
            );
        }
        // Every bucket is 10^(1/20) = 1.122 times as wide as... its lower bound.
        let k = h.bucket_of(50.0);
        assert!((h.upper_ms(k) / h.lower_ms(k) - 10f64.powf(0.05)).abs() < 1e-12);
        // Nothing below the floor, nothing unreadable.
        assert_eq!(h.bucket_of(0.0), h.bucket_of(LatencyHistogram::FLOOR_MS));
        assert_eq!(
            h.bucket_of(f64::NAN),
            h.bucket_of(LatencyHistogram::FLOOR_MS)
        );
        assert_eq!(h.bucket_of(LatencyHistogram::FLOOR_MS), -60);
    }

    #[test]
    fn counts_grow_both_ways_merge_and_give_quantile_buckets() {
        let mut h = LatencyHistogram::new();
        assert!(h.is_empty());
        assert_eq!(h.quantile_bucket(0.5), None);
        h.add(10.0, 3);
        h.add(1.0, 1);
        h.add(100.0, 6);
        assert_eq!(h.first, 0);
        assert_eq!(h.counts.len(), 41);
        assert_eq!(h.total(), 10);
        let mut other = LatencyHistogram::new();
        other.add(0.5, 2);
        h.merge(&other);
        assert_eq!(h.total(), 12);
        assert_eq!(h.first, h.bucket_of(0.5));
        // Sorted: 0.5 0.5 1 10 10 10 100×6. The median (6th) is 10 ms, p99 100 ms.
        let (lo, hi) = h.quantile_bucket(0.5).unwrap();
        assert!(lo < 10.0 && 10.0 <= hi);
        let (lo, hi) = h.quantile_bucket(0.99).unwrap();
        assert!(lo < 100.0 && 100.0 <= hi);
        let (lo, hi) = h.quantile_bucket(0.0).unwrap();
        assert!(lo < 0.5 && 0.5 <= hi);
        // A few dozen numbers in JSON.
        let json = serde_json::to_string(&h).unwrap();
        assert!(json.len() < 200, "{json}");
    }
}

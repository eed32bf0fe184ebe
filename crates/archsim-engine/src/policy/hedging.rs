//! An edge's hedging policy (gRPC's `hedgingPolicy`, gRFC A6; Dean & Barroso, "The Tail at
//! Scale"): how many hedges a call may send, which failures are not fatal, and the wait before
//! each hedge — fixed, or the 95th percentile of the edge's recent successful latencies over a
//! sliding window of the last N replies ([`SlidingQuantile`]). The calls themselves (sending,
//! cancelling the losers) are in `crate::hedging`.

use std::collections::VecDeque;

use archsim_model::hedging::{HedgeDelay, HedgingParams};

use crate::time::{SimTime, from_ms};

/// Fewest latencies the observed percentile needs: the 95th percentile of fewer than 20 is
/// just the largest one seen.
pub const MIN_OBSERVED: usize = 20;

/// The compiled policy of one edge.
#[derive(Debug, Clone)]
pub struct Hedging {
    /// Hedges after the first attempt.
    pub max_hedges: u32,
    /// An error or rejection reply sends the next hedge at once instead of ending the call.
    pub non_fatal_errors: bool,
    delay: Delay,
}

#[derive(Debug, Clone)]
enum Delay {
    Fixed(SimTime),
    ObservedP95(SlidingQuantile),
}

impl Hedging {
    pub fn new(params: &HedgingParams) -> Hedging {
        Hedging {
            max_hedges: params.max_hedges,
            non_fatal_errors: params.non_fatal_errors,
            delay: match params.delay {
                HedgeDelay::Fixed { ms } => Delay::Fixed(from_ms(ms)),
                HedgeDelay::ObservedP95 { window } => {
                    Delay::ObservedP95(SlidingQuantile::new(window as usize))
                }
            },
        }
    }

    /// The wait before the next hedge; None while the percentile is not known yet (no hedge).
    pub fn delay(&self) -> Option<SimTime> {
        match &self.delay {
            Delay::Fixed(delay) => Some(*delay),
            Delay::ObservedP95(window) => window.quantile(95),
        }
    }

    /// A first attempt's latency (or a lower bound of it, see `crate::hedging`), for the
    /// observed percentile.
    pub fn observe(&mut self, latency: SimTime) {
        if let Delay::ObservedP95(window) = &mut self.delay {
            window.push(latency);
        }
    }
}

/// The last `window` values, kept both in arrival order (to know which one leaves) and sorted
/// (so a percentile is one index away). A push costs a binary search and a shift of at most
/// `window` values.
#[derive(Debug, Clone)]
pub struct SlidingQuantile {
    window: usize,
    arrivals: VecDeque<SimTime>,
    sorted: Vec<SimTime>,
}

impl SlidingQuantile {
    pub fn new(window: usize) -> SlidingQuantile {
        SlidingQuantile {
            window: window.max(1),
            arrivals: VecDeque::with_capacity(window.min(4_096)),
            sorted: Vec::with_capacity(window.min(4_096)),
        }
    }

    pub fn push(&mut self, value: SimTime) {
        if self.arrivals.len() == self.window
            && let Some(oldest) = self.arrivals.pop_front()
            && let Ok(at) = self.sorted.binary_search(&oldest)
        {
            self.sorted.remove(at);
        }
        self.arrivals.push_back(value);
        let at = self.sorted.partition_point(|&v| v <= value);
        self.sorted.insert(at, value);
    }

    /// The `percent`-th percentile by the nearest-rank method (the smallest value with at least
    /// `percent`% of the window at or below it); None with fewer than [`MIN_OBSERVED`] values.
    pub fn quantile(&self, percent: u32) -> Option<SimTime> {
        let n = self.sorted.len();
        if n < MIN_OBSERVED {
            return None;
        }
        let rank = (percent as usize * n).div_ceil(100).max(1);
        Some(self.sorted[rank - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_p95_of_one_to_a_hundred_is_ninety_five() {
        let mut q = SlidingQuantile::new(100);
        // Pushed in a scrambled order: the percentile does not depend on arrival order.
        for i in 0..100u64 {
            q.push((i * 37) % 100 + 1);
        }
        assert_eq!(q.quantile(95), Some(95));
        assert_eq!(q.quantile(50), Some(50));
        assert_eq!(q.quantile(100), Some(100));
    }

    #[test]
    fn nearest_rank_rounds_the_rank_up() {
        // 21 values 1..=21: rank ceil(0.95 · 21) = 20.
        let mut q = SlidingQuantile::new(1_000);
        for v in 1..=21 {
            q.push(v);
        }
        assert_eq!(q.quantile(95), Some(20));
    }

    #[test]
    fn unknown_until_twenty_values_are_seen() {
        let mut q = SlidingQuantile::new(50);
        for v in 0..19 {
            q.push(v);
            assert_eq!(q.quantile(95), None);
        }
        q.push(19);
        // 0..=19: rank ceil(0.95 · 20) = 19, the value 18.
        assert_eq!(q.quantile(95), Some(18));
    }

    #[test]
    fn the_window_forgets_the_oldest_values() {
        let mut q = SlidingQuantile::new(20);
        // Twenty slow replies, then twenty fast ones: only the fast ones are left.
        for _ in 0..20 {
            q.push(1_000);
        }
        assert_eq!(q.quantile(95), Some(1_000));
        for v in 1..=20 {
            q.push(v);
        }
        assert_eq!(q.quantile(95), Some(19));
        assert_eq!(q.sorted.len(), 20);
    }

    #[test]
    fn duplicates_leave_one_at_a_time() {
        let mut q = SlidingQuantile::new(20);
        for _ in 0..20 {
            q.push(7);
        }
        q.push(3);
        assert_eq!(q.sorted.iter().filter(|&&v| v == 7).count(), 19);
        assert_eq!(q.sorted[0], 3);
    }

    #[test]
    fn fixed_delay_is_known_from_the_start() {
        let policy = Hedging::new(&HedgingParams {
            max_hedges: 2,
            delay: HedgeDelay::Fixed { ms: 12.5 },
            non_fatal_errors: false,
        });
        assert_eq!(policy.delay(), Some(12_500_000));
    }

    #[test]
    fn observed_delay_follows_the_successful_latencies() {
        let mut policy = Hedging::new(&HedgingParams::default());
        assert_eq!(policy.delay(), None);
        for ms in 1..=100u64 {
            policy.observe(ms * 1_000_000);
        }
        assert_eq!(policy.delay(), Some(95_000_000));
    }
}

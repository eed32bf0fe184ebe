//! Client-side adaptive throttling as in Google's SRE book ("Handling Overload"):
//!
//! - `requests`: attempts the caller wanted to send in the last `window` (the ones it rejected
//!   itself included); `accepts`: attempts the callee accepted in the same window.
//! - A new attempt is rejected locally with probability
//!   `max(0, (requests − k·accepts) / (requests + 1))`, the counts taken just before it; a
//!   uniform draw from the caller's own stream decides (no draw while the probability is 0).
//! - The window is exact and sliding: an event at `t` counts while `now − t < window`.
//!
//! Accepts are counted when the answer comes back (the caller only knows then).

use std::collections::VecDeque;

use archsim_model::design::AdaptiveThrottlingParams;

use crate::rng::SimRng;
use crate::time::{SimTime, from_ms};

#[derive(Debug, Clone)]
pub struct AdaptiveThrottle {
    k: f64,
    window: SimTime,
    /// Times of the requests (and of the accepts) still in the window, oldest first.
    requests: VecDeque<SimTime>,
    accepts: VecDeque<SimTime>,
}

impl AdaptiveThrottle {
    pub fn new(p: &AdaptiveThrottlingParams) -> AdaptiveThrottle {
        AdaptiveThrottle {
            k: p.k,
            window: from_ms(p.window_ms).max(1),
            requests: VecDeque::new(),
            accepts: VecDeque::new(),
        }
    }

    fn forget_before(&mut self, now: SimTime) {
        let window = self.window;
        let expired = |t: &SimTime| now.saturating_sub(*t) >= window;
        while self.requests.front().is_some_and(expired) {
            self.requests.pop_front();
        }
        while self.accepts.front().is_some_and(expired) {
            self.accepts.pop_front();
        }
    }

    /// The probability that an attempt made now is rejected locally.
    pub fn reject_probability(&mut self, now: SimTime) -> f64 {
        self.forget_before(now);
        let requests = self.requests.len() as f64;
        let accepts = self.accepts.len() as f64;
        ((requests - self.k * accepts) / (requests + 1.0)).max(0.0)
    }

    /// An attempt is about to be sent: counts it as a request and says whether it may go
    /// (false: rejected locally).
    pub fn admit(&mut self, now: SimTime, rng: &mut SimRng) -> bool {
        let p = self.reject_probability(now);
        self.requests.push_back(now);
        !(p > 0.0 && rng.uniform01() < p)
    }

    /// The callee accepted an attempt (its answer came back now).
    pub fn accepted(&mut self, now: SimTime) {
        self.accepts.push_back(now);
    }

    /// `(requests, accepts)` in the window now.
    pub fn counts(&mut self, now: SimTime) -> (usize, usize) {
        self.forget_before(now);
        (self.requests.len(), self.accepts.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;

    const MS: SimTime = 1_000_000;

    fn throttle(k: f64, window_ms: f64) -> AdaptiveThrottle {
        AdaptiveThrottle::new(&AdaptiveThrottlingParams { k, window_ms })
    }

    fn rng() -> SimRng {
        SimRng::derive(7, 0, StreamKind::EdgeThrottle, 1)
    }

    #[test]
    fn never_rejects_while_accepts_keep_up_with_requests_over_k() {
        let mut t = throttle(2.0, 1_000.0);
        let mut r = rng();
        // Every other request accepted, the first included: requests never exceed 2·accepts.
        for i in 0..100u64 {
            assert!(t.admit(i * MS, &mut r));
            if i % 2 == 0 {
                t.accepted(i * MS);
            }
        }
        let (requests, accepts) = t.counts(99 * MS);
        assert_eq!((requests, accepts), (100, 50));
        assert_eq!(t.reject_probability(99 * MS), 0.0);
    }

    #[test]
    fn probability_is_the_books_formula_on_the_window_counts() {
        let mut t = throttle(2.0, 1_000.0);
        let mut r = rng();
        for i in 0..10 {
            t.admit(i * MS, &mut r);
        }
        t.accepted(10 * MS);
        t.accepted(10 * MS);
        // (10 − 2·2) / (10 + 1)
        assert_eq!(t.reject_probability(10 * MS), 6.0 / 11.0);
        let mut t = throttle(1.5, 1_000.0);
        for i in 0..4 {
            t.admit(i * MS, &mut r);
        }
        t.accepted(5 * MS);
        // (4 − 1.5) / 5
        assert_eq!(t.reject_probability(5 * MS), 0.5);
    }

    #[test]
    fn window_slides_exactly_an_event_leaves_when_a_full_window_has_passed() {
        let mut t = throttle(2.0, 100.0);
        let mut r = rng();
        t.admit(0, &mut r);
        t.admit(50 * MS, &mut r);
        assert_eq!(t.counts(100 * MS - 1), (2, 0));
        assert_eq!(t.counts(100 * MS), (1, 0));
        assert_eq!(t.counts(150 * MS), (0, 0));
    }

    #[test]
    fn with_no_accepts_the_rejection_rate_approaches_n_over_n_plus_one() {
        // Callee accepts nothing: the k-th attempt is rejected with probability (k−1)/k, and
        // all attempts count as requests, so the expected admitted among n is the harmonic
        // number H(n) = Σ 1/k.
        let n = 2_000;
        let trials = 200;
        let mut r = rng();
        let mut admitted = 0u64;
        for _ in 0..trials {
            let mut t = throttle(2.0, 1_000_000.0);
            for _ in 0..n {
                admitted += t.admit(0, &mut r) as u64;
            }
        }
        let harmonic: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
        let mean = admitted as f64 / trials as f64;
        // Variance of the admitted count is Σ (1/k)(1 − 1/k) < H(n): ~2.8, sd of the mean ~0.12.
        assert!((mean - harmonic).abs() < 0.6, "{mean} vs H(n) = {harmonic}");
    }

    #[test]
    fn no_random_draw_while_nothing_would_be_rejected() {
        let mut t = throttle(2.0, 1_000.0);
        let mut used = rng();
        let mut untouched = rng();
        assert!(t.admit(0, &mut used));
        assert_eq!(used.uniform01(), untouched.uniform01());
    }
}

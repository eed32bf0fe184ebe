//! Rate limiting: admit, delay or reject each request so a downstream sees a bounded rate.
//!
//! API (one per rate-limiter node; [`Limiter`] picks global or per-key from the params):
//! ```text
//! let mut limiter = Limiter::new(&params);           // RateLimiterParams
//! match limiter.decide(request_key, now) {
//!     Decision::Admit => forward(now),
//!     Decision::AdmitAfter(delay) => forward(now + delay), // leaky bucket only
//!     Decision::Reject => reject(),
//! }
//! ```
//! [`RateLimiter::decide`]`(now)` is the single-bucket form; [`PerKeyLimiter::decide`]`(key, now)`
//! keeps one bucket per key. `now` must never go backwards (simulated time doesn't).
//!
//! Algorithms, one file each ([`token_bucket`], [`leaky_bucket`], [`fixed_window`],
//! [`sliding_window`], [`gcra`]), each a [`Limit`]; adding one is a file here and its line in
//! [`RateLimiter`] (and the model's `RateLimitAlgorithm`):
//! - **Token bucket**: starts with `burst` tokens, refills continuously at `rate_rps` up to
//!   `burst`; a request takes a token or is rejected. Allows bursts of `burst`, then `rate_rps`
//!   on average. O(1).
//! - **Leaky bucket** (as a queue): admitted requests leave evenly spaced, `1/rate_rps` apart;
//!   one that finds the line free goes at once (`Admit`), otherwise it waits its turn
//!   (`AdmitAfter(delay)`), and one that would find `capacity` requests already waiting is
//!   rejected. Smooths bursts into a steady stream at the cost of delay. O(1).
//! - **Fixed window**: at most `limit` per aligned window `[k·W, (k+1)·W)`. Cheap, but a client
//!   can send `limit` at the end of one window and `limit` at the start of the next: 2× the
//!   limit within a moment. O(1).
//! - **Sliding window log**: at most `limit` admitted in any window `(t − W, t]`, exactly: a ring
//!   of the last `limit` admission times; a request is admitted iff the oldest of them is at
//!   least `W` old. O(1) per decision; memory grows to at most `limit` timestamps, and only as
//!   requests are actually admitted.
//!
//! Exact arithmetic: rates are taken in thousandths of a request per second (`R = round(rate ·
//! 1000)`, capped at 10^15, i.e. 10^12 rps). A token is 10^12 units and refills at `R` units per
//! nanosecond; leaky-bucket times are kept as `t·R`, in which the spacing between departures is
//! exactly 10^12. Everything is integer (u128), so results are exact and platform-independent;
//! a delay is rounded *up* to the next whole nanosecond so a request never leaves early. A rate
//! below 0.0005 rps counts as 0: a token bucket never refills, a leaky bucket rejects everything.
//!
//! Per-key memory: a key's limiter that is *idle* — in a state indistinguishable from a new one
//! (bucket full, line empty, window over, log aged out) — can be forgotten without changing any
//! future decision. [`PerKeyLimiter`] drops idle limiters whenever the map has doubled since the
//! last sweep, so memory is bounded by the keys active within one refill/window period, at
//! amortised O(1) cost, with no approximation.

pub mod fixed_window;
pub mod gcra;
pub mod leaky_bucket;
pub mod sliding_window;
pub mod token_bucket;

use std::collections::HashMap;

use archsim_model::design::{RateLimitAlgorithm, RateLimiterParams};

use crate::policy::hash::FixedState;
use crate::time::SimTime;

/// What to do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Forward it now.
    Admit,
    /// Forward it after this delay (it waits in the limiter meanwhile).
    AdmitAfter(SimTime),
    /// Turn it away.
    Reject,
}

/// One limiting algorithm: a single bucket or window.
pub trait Limit {
    /// The decision for a request arriving at `now`.
    fn decide(&mut self, now: SimTime) -> Decision;

    /// True when the limiter is, at `now`, in a state indistinguishable from a new one:
    /// dropping it and starting afresh would change no later decision.
    fn is_idle(&self, now: SimTime) -> bool;
}

/// A rate limiter node's limiter: one bucket for all requests, or one per request key.
#[derive(Debug, Clone)]
pub enum Limiter {
    Global(RateLimiter),
    PerKey(PerKeyLimiter),
}

impl Limiter {
    pub fn new(params: &RateLimiterParams) -> Limiter {
        if params.per_key {
            Limiter::PerKey(PerKeyLimiter::new(&params.algorithm))
        } else {
            Limiter::Global(RateLimiter::new(&params.algorithm))
        }
    }

    /// Whether decisions depend on the request key (one limit per key).
    pub fn reads_keys(&self) -> bool {
        matches!(self, Limiter::PerKey(_))
    }

    /// The decision for a request with `key` arriving at `now` (`key` is ignored when global).
    pub fn decide(&mut self, key: u64, now: SimTime) -> Decision {
        match self {
            Limiter::Global(limiter) => limiter.decide(now),
            Limiter::PerKey(limiter) => limiter.decide(key, now),
        }
    }
}

/// One bucket or window, by algorithm; one variant per file.
#[derive(Debug, Clone)]
pub enum RateLimiter {
    TokenBucket(token_bucket::TokenBucket),
    LeakyBucket(leaky_bucket::LeakyBucket),
    FixedWindow(fixed_window::FixedWindow),
    SlidingWindow(sliding_window::SlidingWindow),
    Gcra(gcra::Gcra),
}

impl RateLimiter {
    pub fn new(algorithm: &RateLimitAlgorithm) -> RateLimiter {
        match *algorithm {
            RateLimitAlgorithm::TokenBucket { rate_rps, burst } => {
                RateLimiter::TokenBucket(token_bucket::TokenBucket::new(rate_rps, burst))
            }
            RateLimitAlgorithm::LeakyBucket { rate_rps, capacity } => {
                RateLimiter::LeakyBucket(leaky_bucket::LeakyBucket::new(rate_rps, capacity))
            }
            RateLimitAlgorithm::FixedWindow { limit, window_ms } => {
                RateLimiter::FixedWindow(fixed_window::FixedWindow::new(limit, window_ms))
            }
            RateLimitAlgorithm::SlidingWindow { limit, window_ms } => {
                RateLimiter::SlidingWindow(sliding_window::SlidingWindow::new(limit, window_ms))
            }
            RateLimitAlgorithm::Gcra { rate_rps, burst } => {
                RateLimiter::Gcra(gcra::Gcra::new(rate_rps, burst))
            }
        }
    }
}

impl Limit for RateLimiter {
    fn decide(&mut self, now: SimTime) -> Decision {
        match self {
            RateLimiter::TokenBucket(l) => l.decide(now),
            RateLimiter::LeakyBucket(l) => l.decide(now),
            RateLimiter::FixedWindow(l) => l.decide(now),
            RateLimiter::SlidingWindow(l) => l.decide(now),
            RateLimiter::Gcra(l) => l.decide(now),
        }
    }

    fn is_idle(&self, now: SimTime) -> bool {
        match self {
            RateLimiter::TokenBucket(l) => l.is_idle(now),
            RateLimiter::LeakyBucket(l) => l.is_idle(now),
            RateLimiter::FixedWindow(l) => l.is_idle(now),
            RateLimiter::SlidingWindow(l) => l.is_idle(now),
            RateLimiter::Gcra(l) => l.is_idle(now),
        }
    }
}

/// Units of a token (token bucket), and the spacing of departures in a leaky bucket's scaled
/// time: 10^12.
const TOKEN: u128 = 1_000_000_000_000;
/// Largest rate, in thousandths of a request per second.
const MAX_RATE_MILLI: u128 = 1_000_000_000_000_000;

/// A rate in thousandths of a request per second (see the exact arithmetic above).
fn rate_milli(rate_rps: f64) -> u128 {
    let milli = (rate_rps * 1000.0).round();
    if milli.is_nan() || milli <= 0.0 {
        0
    } else if milli >= MAX_RATE_MILLI as f64 {
        MAX_RATE_MILLI
    } else {
        milli as u128
    }
}

/// One limiter per request key, created on first use and forgotten when idle.
#[derive(Debug, Clone)]
pub struct PerKeyLimiter {
    fresh: RateLimiter,
    limiters: HashMap<u64, RateLimiter, FixedState>,
    /// Sweep idle limiters when the map grows past this.
    sweep_above: usize,
}

/// Below this many keys, per-key limiters are never swept.
const MIN_SWEEP: usize = 64;

impl PerKeyLimiter {
    pub fn new(algorithm: &RateLimitAlgorithm) -> PerKeyLimiter {
        PerKeyLimiter {
            fresh: RateLimiter::new(algorithm),
            limiters: HashMap::with_hasher(FixedState),
            sweep_above: MIN_SWEEP,
        }
    }

    /// The decision for a request with `key` arriving at `now`.
    pub fn decide(&mut self, key: u64, now: SimTime) -> Decision {
        if let Some(limiter) = self.limiters.get_mut(&key) {
            return limiter.decide(now);
        }
        if self.limiters.len() >= self.sweep_above {
            // Order of visits doesn't matter: only idle limiters go, and each is independent.
            self.limiters.retain(|_, limiter| !limiter.is_idle(now));
            self.sweep_above = (self.limiters.len() * 2).max(MIN_SWEEP);
        }
        let mut limiter = self.fresh.clone();
        let decision = limiter.decide(now);
        self.limiters.insert(key, limiter);
        decision
    }

    /// Keys with a limiter in memory (idle ones not yet swept included).
    pub fn tracked_keys(&self) -> usize {
        self.limiters.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::{SimRng, StreamKind};

    pub(crate) const MS: SimTime = 1_000_000;

    pub(crate) fn token_bucket(rate_rps: f64, burst: u32) -> RateLimiter {
        RateLimiter::new(&RateLimitAlgorithm::TokenBucket { rate_rps, burst })
    }

    pub(crate) fn leaky_bucket(rate_rps: f64, capacity: u32) -> RateLimiter {
        RateLimiter::new(&RateLimitAlgorithm::LeakyBucket { rate_rps, capacity })
    }

    /// Times (ms) at which requests sent every millisecond over `0..=until_ms` were admitted.
    pub(crate) fn admitted_every_ms(limiter: &mut RateLimiter, until_ms: u64) -> Vec<u64> {
        (0..=until_ms)
            .filter(|&ms| limiter.decide(ms * MS) == Decision::Admit)
            .collect()
    }

    #[test]
    fn zero_limits_reject_everything() {
        for algorithm in [
            RateLimitAlgorithm::FixedWindow {
                limit: 0,
                window_ms: 10.0,
            },
            RateLimitAlgorithm::SlidingWindow {
                limit: 0,
                window_ms: 10.0,
            },
            RateLimitAlgorithm::TokenBucket {
                rate_rps: 100.0,
                burst: 0,
            },
        ] {
            let mut limiter = RateLimiter::new(&algorithm);
            assert_eq!(limiter.decide(5 * MS), Decision::Reject, "{algorithm:?}");
        }
    }

    #[test]
    fn per_key_limits_each_key_separately() {
        let mut limiter = Limiter::new(&RateLimiterParams {
            algorithm: RateLimitAlgorithm::TokenBucket {
                rate_rps: 1.0,
                burst: 2,
            },
            per_key: true,
        });
        for key in [1, 2] {
            assert_eq!(limiter.decide(key, 0), Decision::Admit);
            assert_eq!(limiter.decide(key, 0), Decision::Admit);
            assert_eq!(limiter.decide(key, 0), Decision::Reject);
        }
        let mut global = Limiter::new(&RateLimiterParams {
            algorithm: RateLimitAlgorithm::TokenBucket {
                rate_rps: 1.0,
                burst: 2,
            },
            per_key: false,
        });
        let admits = [1, 2, 3]
            .iter()
            .filter(|&&key| global.decide(key, 0) == Decision::Admit)
            .count();
        assert_eq!(admits, 2, "a global limiter shares one bucket");
    }

    #[test]
    fn per_key_memory_stays_bounded_by_active_keys() {
        let algorithm = RateLimitAlgorithm::TokenBucket {
            rate_rps: 10.0,
            burst: 1,
        };
        let mut limiter = PerKeyLimiter::new(&algorithm);
        // 100,000 distinct keys, one request each, 1 ms apart: a bucket refills within 100 ms,
        // so at most ~100 keys are ever non-idle at once.
        for key in 0..100_000u64 {
            assert_eq!(limiter.decide(key, key * MS), Decision::Admit);
            assert!(limiter.tracked_keys() <= 256, "{}", limiter.tracked_keys());
        }
    }

    #[test]
    fn forgetting_idle_keys_changes_no_decision() {
        // Same random traffic through a per-key limiter and through limiters that are never
        // forgotten: every decision must agree.
        for algorithm in [
            RateLimitAlgorithm::TokenBucket {
                rate_rps: 20.0,
                burst: 3,
            },
            RateLimitAlgorithm::LeakyBucket {
                rate_rps: 20.0,
                capacity: 2,
            },
            RateLimitAlgorithm::FixedWindow {
                limit: 3,
                window_ms: 100.0,
            },
            RateLimitAlgorithm::SlidingWindow {
                limit: 3,
                window_ms: 100.0,
            },
        ] {
            let mut swept = PerKeyLimiter::new(&algorithm);
            let mut kept: std::collections::BTreeMap<u64, RateLimiter> = Default::default();
            let mut rng = SimRng::derive(4, 0, StreamKind::Node, 1);
            let mut now = 0;
            for _ in 0..50_000 {
                now += rng.below(2 * MS);
                let key = rng.below(500);
                let expected = kept
                    .entry(key)
                    .or_insert_with(|| RateLimiter::new(&algorithm))
                    .decide(now);
                assert_eq!(swept.decide(key, now), expected, "{algorithm:?}");
            }
            assert!(swept.tracked_keys() < 500, "{algorithm:?} swept nothing");
        }
    }
}

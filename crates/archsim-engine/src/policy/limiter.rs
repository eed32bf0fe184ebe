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
//! Algorithms:
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

use std::collections::HashMap;

use archsim_model::design::{RateLimitAlgorithm, RateLimiterParams};

use crate::policy::hash::FixedState;
use crate::time::{SimTime, from_ms};

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

/// One bucket/window.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    state: State,
}

/// Units of a token (token bucket): one token is 10^12 units.
const TOKEN: u128 = 1_000_000_000_000;
/// Largest rate, in thousandths of a request per second.
const MAX_RATE_MILLI: u128 = 1_000_000_000_000_000;

#[derive(Debug, Clone)]
enum State {
    TokenBucket {
        /// Refill, in units per nanosecond (= thousandths of a request per second).
        rate: u128,
        capacity: u128,
        tokens: u128,
        updated_at: SimTime,
    },
    LeakyBucket {
        /// Thousandths of a request per second; times below are scaled by it.
        rate: u128,
        capacity: u128,
        /// Scaled time at which the next request may leave (`t·rate`).
        free_at: u128,
    },
    FixedWindow {
        limit: u32,
        window: SimTime,
        index: u64,
        count: u32,
    },
    SlidingWindow {
        limit: u32,
        window: SimTime,
        /// Admission times, a ring once it holds `limit`: `log[next]` is the oldest.
        log: Vec<SimTime>,
        next: usize,
    },
}

impl RateLimiter {
    pub fn new(algorithm: &RateLimitAlgorithm) -> RateLimiter {
        let state = match *algorithm {
            RateLimitAlgorithm::TokenBucket { rate_rps, burst } => {
                let capacity = u128::from(burst) * TOKEN;
                State::TokenBucket {
                    rate: rate_milli(rate_rps),
                    capacity,
                    tokens: capacity,
                    updated_at: 0,
                }
            }
            RateLimitAlgorithm::LeakyBucket { rate_rps, capacity } => State::LeakyBucket {
                rate: rate_milli(rate_rps),
                capacity: u128::from(capacity),
                free_at: 0,
            },
            RateLimitAlgorithm::FixedWindow { limit, window_ms } => State::FixedWindow {
                limit,
                window: from_ms(window_ms).max(1),
                index: 0,
                count: 0,
            },
            RateLimitAlgorithm::SlidingWindow { limit, window_ms } => State::SlidingWindow {
                limit,
                window: from_ms(window_ms),
                log: Vec::new(),
                next: 0,
            },
        };
        RateLimiter { state }
    }

    /// The decision for a request arriving at `now`.
    pub fn decide(&mut self, now: SimTime) -> Decision {
        match &mut self.state {
            State::TokenBucket {
                rate,
                capacity,
                tokens,
                updated_at,
            } => {
                let elapsed = u128::from(now.saturating_sub(*updated_at));
                *tokens = (*tokens + elapsed * *rate).min(*capacity);
                *updated_at = now.max(*updated_at);
                if *tokens >= TOKEN {
                    *tokens -= TOKEN;
                    Decision::Admit
                } else {
                    Decision::Reject
                }
            }
            State::LeakyBucket {
                rate,
                capacity,
                free_at,
            } => {
                if *rate == 0 {
                    return Decision::Reject;
                }
                // Spacing between departures, in scaled time: (10^12 / rate) ns · rate.
                let spacing = TOKEN;
                let arrival = u128::from(now) * *rate;
                let departure = arrival.max(*free_at);
                let delay = departure - arrival;
                // Requests that would be waiting at `now`, this one included: the departures
                // strictly after `now`, spaced `spacing` apart up to this one's.
                let waiting_with_this = delay.div_ceil(spacing);
                if waiting_with_this > *capacity {
                    return Decision::Reject;
                }
                *free_at = departure + spacing;
                match delay.div_ceil(*rate) {
                    0 => Decision::Admit,
                    nanos => Decision::AdmitAfter(u64::try_from(nanos).unwrap_or(u64::MAX)),
                }
            }
            State::FixedWindow {
                limit,
                window,
                index,
                count,
            } => {
                let current = now / *window;
                if current != *index {
                    *index = current;
                    *count = 0;
                }
                if *count < *limit {
                    *count += 1;
                    Decision::Admit
                } else {
                    Decision::Reject
                }
            }
            State::SlidingWindow {
                limit,
                window,
                log,
                next,
            } => {
                if *limit == 0 {
                    return Decision::Reject;
                }
                if log.len() < *limit as usize {
                    log.push(now);
                    return Decision::Admit;
                }
                let oldest = log[*next];
                if now.saturating_sub(oldest) < *window {
                    return Decision::Reject;
                }
                log[*next] = now;
                *next = (*next + 1) % log.len();
                Decision::Admit
            }
        }
    }

    /// True when the limiter is, at `now`, in a state indistinguishable from a new one: dropping
    /// it and starting afresh would change no later decision.
    pub fn is_idle(&self, now: SimTime) -> bool {
        match &self.state {
            State::TokenBucket {
                rate,
                capacity,
                tokens,
                updated_at,
            } => {
                let elapsed = u128::from(now.saturating_sub(*updated_at));
                *tokens + elapsed * *rate >= *capacity
            }
            State::LeakyBucket { rate, free_at, .. } => *free_at <= u128::from(now) * *rate,
            State::FixedWindow {
                window,
                index,
                count,
                ..
            } => *count == 0 || now / *window != *index,
            State::SlidingWindow { window, log, .. } => log
                .iter()
                .all(|&admitted| now.saturating_sub(admitted) >= *window),
        }
    }
}

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
mod tests {
    use super::*;
    use crate::rng::{SimRng, StreamKind};

    const MS: SimTime = 1_000_000;

    fn token_bucket(rate_rps: f64, burst: u32) -> RateLimiter {
        RateLimiter::new(&RateLimitAlgorithm::TokenBucket { rate_rps, burst })
    }

    fn leaky_bucket(rate_rps: f64, capacity: u32) -> RateLimiter {
        RateLimiter::new(&RateLimitAlgorithm::LeakyBucket { rate_rps, capacity })
    }

    /// Times (ms) at which requests sent every millisecond over `0..=until_ms` were admitted.
    fn admitted_every_ms(limiter: &mut RateLimiter, until_ms: u64) -> Vec<u64> {
        (0..=until_ms)
            .filter(|&ms| limiter.decide(ms * MS) == Decision::Admit)
            .collect()
    }

    #[test]
    fn token_bucket_admits_burst_then_exactly_the_rate() {
        let mut limiter = token_bucket(10.0, 5);
        let admitted = admitted_every_ms(&mut limiter, 1_000);
        // Five from the full bucket, then one each time a whole token has refilled (100 ms).
        let mut expected = vec![0, 1, 2, 3, 4];
        expected.extend((1..=10).map(|k| k * 100));
        assert_eq!(admitted, expected);
    }

    #[test]
    fn token_bucket_long_run_rate_is_exact_for_fractional_rates() {
        // 2.5 rps over 100 s of one request per ms: 3 (burst) + 250 refilled.
        let mut limiter = token_bucket(2.5, 3);
        assert_eq!(admitted_every_ms(&mut limiter, 100_000).len(), 253);
    }

    #[test]
    fn token_bucket_refills_only_up_to_burst() {
        let mut limiter = token_bucket(1000.0, 3);
        for _ in 0..3 {
            assert_eq!(limiter.decide(0), Decision::Admit);
        }
        assert_eq!(limiter.decide(0), Decision::Reject);
        // An hour idle refills 3 tokens, not 3.6 million.
        let later = 3_600_000 * MS;
        let admits = (0..10)
            .filter(|_| limiter.decide(later) == Decision::Admit)
            .count();
        assert_eq!(admits, 3);
    }

    #[test]
    fn token_bucket_with_zero_rate_never_refills() {
        let mut limiter = token_bucket(0.0, 2);
        assert_eq!(limiter.decide(0), Decision::Admit);
        assert_eq!(limiter.decide(0), Decision::Admit);
        assert_eq!(limiter.decide(1_000_000 * MS), Decision::Reject);
    }

    #[test]
    fn leaky_bucket_spaces_departures_and_rejects_when_full() {
        let mut limiter = leaky_bucket(10.0, 3);
        let burst: Vec<Decision> = (0..5).map(|_| limiter.decide(0)).collect();
        assert_eq!(
            burst,
            vec![
                Decision::Admit,
                Decision::AdmitAfter(100 * MS),
                Decision::AdmitAfter(200 * MS),
                Decision::AdmitAfter(300 * MS),
                Decision::Reject,
            ]
        );
        // At 100 ms the first waiting request leaves, so there is room for one more, which
        // goes after the three ahead of it (at 400 ms).
        assert_eq!(limiter.decide(100 * MS), Decision::AdmitAfter(300 * MS));
        assert_eq!(limiter.decide(100 * MS), Decision::Reject);
        // Once the line has drained, a request goes at once.
        assert_eq!(limiter.decide(500 * MS), Decision::Admit);
    }

    #[test]
    fn leaky_bucket_spacing_is_exact_for_rates_that_dont_divide_a_second() {
        let mut limiter = leaky_bucket(3.0, 10);
        let delays: Vec<Decision> = (0..4).map(|_| limiter.decide(0)).collect();
        // 1/3 s apart, each rounded up to the next nanosecond; the third lands on 1 s exactly.
        assert_eq!(
            delays,
            vec![
                Decision::Admit,
                Decision::AdmitAfter(333_333_334),
                Decision::AdmitAfter(666_666_667),
                Decision::AdmitAfter(1_000_000_000),
            ]
        );
    }

    #[test]
    fn leaky_bucket_with_zero_capacity_admits_only_at_the_rate() {
        let mut limiter = leaky_bucket(10.0, 0);
        let admitted = admitted_every_ms(&mut limiter, 1_000);
        assert_eq!(admitted, (0..=10).map(|k| k * 100).collect::<Vec<_>>());
    }

    #[test]
    fn leaky_bucket_with_zero_rate_rejects_everything() {
        let mut limiter = leaky_bucket(0.0, 10);
        assert_eq!(limiter.decide(0), Decision::Reject);
    }

    #[test]
    fn fixed_window_allows_twice_the_limit_across_a_boundary() {
        let mut limiter = RateLimiter::new(&RateLimitAlgorithm::FixedWindow {
            limit: 10,
            window_ms: 1_000.0,
        });
        let end_of_first = (0..11)
            .filter(|_| limiter.decide(999 * MS) == Decision::Admit)
            .count();
        let start_of_second = (0..11)
            .filter(|_| limiter.decide(1_000 * MS) == Decision::Admit)
            .count();
        assert_eq!(
            (end_of_first, start_of_second),
            (10, 10),
            "20 admitted in 1 ms"
        );
        assert_eq!(limiter.decide(1_999 * MS), Decision::Reject);
        assert_eq!(limiter.decide(2_000 * MS), Decision::Admit);
    }

    #[test]
    fn sliding_window_blocks_the_boundary_burst() {
        let mut limiter = RateLimiter::new(&RateLimitAlgorithm::SlidingWindow {
            limit: 10,
            window_ms: 1_000.0,
        });
        for _ in 0..10 {
            assert_eq!(limiter.decide(999 * MS), Decision::Admit);
        }
        assert_eq!(limiter.decide(1_000 * MS), Decision::Reject);
        assert_eq!(limiter.decide(1_999 * MS - 1), Decision::Reject);
        assert_eq!(limiter.decide(1_999 * MS), Decision::Admit);
    }

    #[test]
    fn sliding_window_never_exceeds_limit_and_rejects_only_when_full() {
        let (limit, window) = (7u32, 100 * MS);
        let mut limiter = RateLimiter::new(&RateLimitAlgorithm::SlidingWindow {
            limit,
            window_ms: 100.0,
        });
        let mut rng = SimRng::derive(3, 0, StreamKind::Node, 9);
        let mut admitted: Vec<SimTime> = Vec::new();
        let mut now = 0;
        let mut rejections = 0;
        for _ in 0..20_000 {
            now += rng.below(30 * MS);
            let in_window = |admitted: &[SimTime]| {
                admitted.iter().filter(|&&t| now - t < window).count() as u32
            };
            let before = in_window(&admitted);
            match limiter.decide(now) {
                Decision::Admit => {
                    assert!(before < limit, "admitted with {before} in the window");
                    admitted.push(now);
                }
                Decision::Reject => {
                    assert_eq!(before, limit, "rejected with room");
                    rejections += 1;
                }
                Decision::AdmitAfter(_) => panic!("sliding window never delays"),
            }
            if admitted.len() > 64 {
                admitted.drain(..32);
            }
        }
        assert!(
            rejections > 100,
            "the traffic must press against the limit: {rejections}"
        );
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

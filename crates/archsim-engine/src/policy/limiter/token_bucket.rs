//! **Token bucket**: starts with `burst` tokens, refills continuously at `rate_rps` up to
//! `burst`; a request takes a token or is rejected. Allows bursts of `burst`, then `rate_rps` on
//! average. O(1). A token is 10^12 units and refills at the rate in thousandths of a request
//! per second, in units per nanosecond: exact integer arithmetic.

use super::{Decision, Limit, TOKEN, rate_milli};
use crate::time::SimTime;

#[derive(Debug, Clone)]
pub struct TokenBucket {
    /// Refill, in units per nanosecond (= thousandths of a request per second).
    rate: u128,
    capacity: u128,
    tokens: u128,
    updated_at: SimTime,
}

impl TokenBucket {
    pub fn new(rate_rps: f64, burst: u32) -> TokenBucket {
        let capacity = u128::from(burst) * TOKEN;
        TokenBucket {
            rate: rate_milli(rate_rps),
            capacity,
            tokens: capacity,
            updated_at: 0,
        }
    }
}

impl Limit for TokenBucket {
    fn decide(&mut self, now: SimTime) -> Decision {
        let elapsed = u128::from(now.saturating_sub(self.updated_at));
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.updated_at = now.max(self.updated_at);
        if self.tokens >= TOKEN {
            self.tokens -= TOKEN;
            Decision::Admit
        } else {
            Decision::Reject
        }
    }

    fn is_idle(&self, now: SimTime) -> bool {
        let elapsed = u128::from(now.saturating_sub(self.updated_at));
        self.tokens + elapsed * self.rate >= self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{MS, admitted_every_ms, token_bucket};
    use super::super::{Decision, Limit};

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
}

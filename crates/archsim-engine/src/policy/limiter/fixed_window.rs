//! **Fixed window**: at most `limit` per aligned window `[k·W, (k+1)·W)`. Cheap, but a client
//! can send `limit` at the end of one window and `limit` at the start of the next: 2× the limit
//! within a moment. O(1).

use super::{Decision, Limit};
use crate::time::{SimTime, from_ms};

#[derive(Debug, Clone)]
pub struct FixedWindow {
    limit: u32,
    window: SimTime,
    index: u64,
    count: u32,
}

impl FixedWindow {
    pub fn new(limit: u32, window_ms: f64) -> FixedWindow {
        FixedWindow {
            limit,
            window: from_ms(window_ms).max(1),
            index: 0,
            count: 0,
        }
    }
}

impl Limit for FixedWindow {
    fn decide(&mut self, now: SimTime) -> Decision {
        let current = now / self.window;
        if current != self.index {
            self.index = current;
            self.count = 0;
        }
        if self.count < self.limit {
            self.count += 1;
            Decision::Admit
        } else {
            Decision::Reject
        }
    }

    fn is_idle(&self, now: SimTime) -> bool {
        self.count == 0 || now / self.window != self.index
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::RateLimitAlgorithm;

    use super::super::tests::MS;
    use super::super::{Decision, Limit, RateLimiter};

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
}

//! **Sliding window log**: at most `limit` admitted in any window `(t − W, t]`, exactly: a ring
//! of the last `limit` admission times; a request is admitted iff the oldest of them is at least
//! `W` old. O(1) per decision; memory grows to at most `limit` timestamps, and only as requests
//! are actually admitted.

use super::{Decision, Limit};
use crate::time::{SimTime, from_ms};

#[derive(Debug, Clone)]
pub struct SlidingWindow {
    limit: u32,
    window: SimTime,
    /// Admission times, a ring once it holds `limit`: `log[next]` is the oldest.
    log: Vec<SimTime>,
    next: usize,
}

impl SlidingWindow {
    pub fn new(limit: u32, window_ms: f64) -> SlidingWindow {
        SlidingWindow {
            limit,
            window: from_ms(window_ms),
            log: Vec::new(),
            next: 0,
        }
    }
}

impl Limit for SlidingWindow {
    fn decide(&mut self, now: SimTime) -> Decision {
        if self.limit == 0 {
            return Decision::Reject;
        }
        if self.log.len() < self.limit as usize {
            self.log.push(now);
            return Decision::Admit;
        }
        let oldest = self.log[self.next];
        if now.saturating_sub(oldest) < self.window {
            return Decision::Reject;
        }
        self.log[self.next] = now;
        self.next = (self.next + 1) % self.log.len();
        Decision::Admit
    }

    fn is_idle(&self, now: SimTime) -> bool {
        self.log
            .iter()
            .all(|&admitted| now.saturating_sub(admitted) >= self.window)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::RateLimitAlgorithm;

    use super::super::tests::MS;
    use super::super::{Decision, Limit, RateLimiter};
    use crate::rng::{SimRng, StreamKind};
    use crate::time::SimTime;

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
}

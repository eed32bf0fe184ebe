//! **Leaky bucket** (as a queue): admitted requests leave evenly spaced, `1/rate_rps` apart;
//! one that finds the line free goes at once (`Admit`), otherwise it waits its turn
//! (`AdmitAfter(delay)`), and one that would find `capacity` requests already waiting is
//! rejected. Smooths bursts into a steady stream at the cost of delay. O(1). Times are kept as
//! `t·R` (R the rate in thousandths of a request per second), in which the spacing between
//! departures is exactly 10^12; a delay is rounded up to the next whole nanosecond.

use super::{Decision, Limit, TOKEN, rate_milli};
use crate::time::SimTime;

#[derive(Debug, Clone)]
pub struct LeakyBucket {
    /// Thousandths of a request per second; times below are scaled by it.
    rate: u128,
    capacity: u128,
    /// Scaled time at which the next request may leave (`t·rate`).
    free_at: u128,
}

impl LeakyBucket {
    pub fn new(rate_rps: f64, capacity: u32) -> LeakyBucket {
        LeakyBucket {
            rate: rate_milli(rate_rps),
            capacity: u128::from(capacity),
            free_at: 0,
        }
    }
}

impl Limit for LeakyBucket {
    fn decide(&mut self, now: SimTime) -> Decision {
        if self.rate == 0 {
            return Decision::Reject;
        }
        // Spacing between departures, in scaled time: (10^12 / rate) ns · rate.
        let spacing = TOKEN;
        let arrival = u128::from(now) * self.rate;
        let departure = arrival.max(self.free_at);
        let delay = departure - arrival;
        // Requests that would be waiting at `now`, this one included: the departures strictly
        // after `now`, spaced `spacing` apart up to this one's.
        let waiting_with_this = delay.div_ceil(spacing);
        if waiting_with_this > self.capacity {
            return Decision::Reject;
        }
        self.free_at = departure + spacing;
        match delay.div_ceil(self.rate) {
            0 => Decision::Admit,
            nanos => Decision::AdmitAfter(u64::try_from(nanos).unwrap_or(u64::MAX)),
        }
    }

    fn is_idle(&self, now: SimTime) -> bool {
        self.free_at <= u128::from(now) * self.rate
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{MS, admitted_every_ms, leaky_bucket};
    use super::super::{Decision, Limit};

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
}

//! **GCRA** (Generic Cell Rate Algorithm, ITU-T I.371 / ATM Forum TM 4.0), in its virtual
//! scheduling form: with emission interval `T = 1 / rate` and burst tolerance `τ = (burst − 1)·T`,
//! the limiter keeps the theoretical arrival time `TAT` (initially the first arrival's time).
//! A request arriving at `t` is non-conforming — rejected, `TAT` unchanged — when
//! `t < TAT − τ`; otherwise it is admitted and `TAT = max(t, TAT) + T`. It admits exactly what
//! a token bucket of `burst` tokens refilling at `rate` admits, with one number of state.
//!
//! Exact arithmetic as the other limiters: times are kept multiplied by the rate in
//! thousandths of a request per second, in which scale `T` is exactly 10^12 (`TOKEN`). A
//! `burst` of 0 admits nothing.

use super::{Decision, Limit, TOKEN, rate_milli};
use crate::time::SimTime;

#[derive(Debug, Clone)]
pub struct Gcra {
    /// Thousandths of a request per second: a time `t` (ns) scales to `t · rate`.
    rate: u128,
    /// `τ` scaled: `(burst − 1) · T`.
    tolerance: u128,
    /// `TAT` scaled; None before the first request (TAT is then the arrival time).
    tat: Option<u128>,
    admits_nothing: bool,
}

impl Gcra {
    pub fn new(rate_rps: f64, burst: u32) -> Gcra {
        Gcra {
            rate: rate_milli(rate_rps),
            tolerance: u128::from(burst.saturating_sub(1)) * TOKEN,
            tat: None,
            admits_nothing: burst == 0,
        }
    }
}

impl Limit for Gcra {
    fn decide(&mut self, now: SimTime) -> Decision {
        if self.admits_nothing {
            return Decision::Reject;
        }
        let t = u128::from(now) * self.rate;
        let tat = self.tat.unwrap_or(t);
        if t + self.tolerance < tat {
            return Decision::Reject;
        }
        self.tat = Some(tat.max(t) + TOKEN);
        Decision::Admit
    }

    fn is_idle(&self, now: SimTime) -> bool {
        // A TAT at or before now admits the next request and sets TAT = now + T, exactly as a
        // fresh limiter would.
        self.tat
            .is_none_or(|tat| tat <= u128::from(now) * self.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{MS, admitted_every_ms};
    use super::super::{Decision, Limit, RateLimiter};
    use super::*;
    use archsim_model::design::RateLimitAlgorithm;

    fn gcra(rate_rps: f64, burst: u32) -> RateLimiter {
        RateLimiter::new(&RateLimitAlgorithm::Gcra { rate_rps, burst })
    }

    /// The virtual scheduling algorithm as published, in floating milliseconds: the reference
    /// the integer version must match on a trace.
    fn reference(rate_rps: f64, burst: u32, arrivals_ms: &[f64]) -> Vec<bool> {
        let t_ms = 1000.0 / rate_rps;
        let tau = (burst - 1) as f64 * t_ms;
        let mut tat: Option<f64> = None;
        arrivals_ms
            .iter()
            .map(|&ta| {
                let current = tat.unwrap_or(ta);
                if ta < current - tau {
                    false
                } else {
                    tat = Some(current.max(ta) + t_ms);
                    true
                }
            })
            .collect()
    }

    #[test]
    fn emission_interval_and_burst_tolerance_as_published() {
        // rate 10/s: T = 100 ms; burst 3: τ = 200 ms. Requests every ms from 0: TAT goes
        // 100, 200, 300 after the first three (t = 0, 1, 2: t ≥ TAT − 200 each time); the
        // fourth must wait until t ≥ 300 − 200 = 100, and from then one every 100 ms.
        let mut limiter = gcra(10.0, 3);
        let admitted = admitted_every_ms(&mut limiter, 1_000);
        let mut expected = vec![0, 1, 2];
        expected.extend((1..=10).map(|k| k * 100));
        assert_eq!(admitted, expected);
    }

    #[test]
    fn matches_the_reference_on_an_irregular_trace() {
        let arrivals: Vec<f64> = [
            0.0, 3.0, 3.0, 4.0, 50.0, 51.0, 52.0, 120.0, 121.0, 400.0, 401.0, 402.0, 403.0, 404.0,
            650.0, 650.0, 651.0, 700.0, 999.0, 1000.0,
        ]
        .to_vec();
        for (rate, burst) in [(20.0, 1), (20.0, 4), (7.0, 2), (100.0, 10)] {
            let mut limiter = Gcra::new(rate, burst);
            let got: Vec<bool> = arrivals
                .iter()
                .map(|&ms| limiter.decide((ms * MS as f64) as SimTime) == Decision::Admit)
                .collect();
            assert_eq!(
                got,
                reference(rate, burst, &arrivals),
                "rate {rate}, burst {burst}"
            );
        }
    }

    #[test]
    fn a_rejected_request_leaves_the_schedule_unchanged() {
        let mut limiter = Gcra::new(10.0, 1);
        assert_eq!(limiter.decide(0), Decision::Admit);
        for ms in 1..100 {
            assert_eq!(limiter.decide(ms * MS), Decision::Reject, "{ms}");
        }
        assert_eq!(limiter.decide(100 * MS), Decision::Admit);
    }

    #[test]
    fn idle_once_the_theoretical_arrival_time_has_passed() {
        let mut limiter = Gcra::new(10.0, 2);
        assert!(limiter.is_idle(0));
        limiter.decide(0);
        assert!(!limiter.is_idle(99 * MS));
        assert!(limiter.is_idle(100 * MS));
    }
}

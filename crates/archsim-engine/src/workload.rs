//! Traffic sources: when requests are born.
//!
//! Open loop: a non-homogeneous Poisson process whose rate follows the design's profile, drawn by
//! thinning (Lewis & Shedler): candidates arrive as a homogeneous Poisson process at the
//! profile's maximum rate, and a candidate at time `t` is kept with probability
//! `rate(t) / max_rate`. The kept points are exactly Poisson with rate `rate(t)`.
//!
//! Closed loop: a fixed population of users, each sending one request, waiting for its outcome,
//! thinking, and sending the next.
//!
//! Each source draws from its own stream, so in open loop the arrival times, classes and keys
//! it produces do not depend on anything downstream (common random numbers).

use archsim_model::design::RateProfile;

use crate::distribution::exponential_gap;
use crate::rng::SimRng;
use crate::time::{NANOS_PER_MS, SimTime};

/// A rate profile evaluated with `libm` (bit-identical on every platform), times in ns.
#[derive(Debug, Clone)]
pub struct Rate {
    profile: RateProfile,
    /// Upper bound of the rate, per nanosecond.
    max_per_ns: f64,
}

impl Rate {
    pub fn new(profile: &RateProfile) -> Rate {
        let max_rps = profile.max_rate();
        Rate {
            profile: profile.clone(),
            max_per_ns: if max_rps.is_finite() && max_rps > 0.0 {
                max_rps / 1e9
            } else {
                0.0
            },
        }
    }

    /// Requests per second at `t_ms`; `RateProfile::rate_at`, but with `libm::sin`.
    pub fn rps_at(&self, t_ms: f64) -> f64 {
        match self.profile {
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                period_ms,
            } => {
                if period_ms > 0.0 {
                    mean_rps
                        + amplitude_rps * libm::sin(2.0 * core::f64::consts::PI * t_ms / period_ms)
                } else {
                    mean_rps
                }
            }
            ref other => other.rate_at(t_ms),
        }
    }

    /// The next arrival strictly after `now` (and at or before `end`), or None.
    pub fn next_arrival(&self, now: SimTime, end: SimTime, rng: &mut SimRng) -> Option<SimTime> {
        if self.max_per_ns <= 0.0 {
            return None;
        }
        let max_rps = self.max_per_ns * 1e9;
        let constant = matches!(self.profile, RateProfile::Constant { .. });
        let mut t = now as f64;
        loop {
            t += exponential_gap(rng, self.max_per_ns);
            if t >= end as f64 {
                return None;
            }
            if constant || rng.uniform01() * max_rps < self.rps_at(t / NANOS_PER_MS) {
                // Round up so that the arrival is strictly later than `now`, keeping time moving.
                let at = ceil_to_nanos(t);
                return Some(at.max(now + 1));
            }
        }
    }
}

/// `libm::ceil(t) as SimTime` for `0 <= t < 2^64`, without the floating-point rounding
/// routine (a software one on x86-64 without SSE4.1): truncation, plus one when something was
/// cut off. Exact: below 2^53 the truncated value converts back exactly; above, every `f64` is
/// a whole number already.
#[inline]
fn ceil_to_nanos(t: f64) -> SimTime {
    let whole = t as SimTime;
    if (whole as f64) < t { whole + 1 } else { whole }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;
    use crate::time::from_ms;

    fn count_arrivals(rate: &Rate, from_ms_: f64, to_ms: f64, seed: u64) -> u64 {
        let mut rng = SimRng::derive(seed, 0, StreamKind::Source, 0);
        let end = from_ms(to_ms);
        let mut now = 0;
        let mut count = 0;
        while let Some(t) = rate.next_arrival(now, end, &mut rng) {
            if t >= from_ms(from_ms_) {
                count += 1;
            }
            now = t;
        }
        count
    }

    #[test]
    fn constant_rate_gives_poisson_counts() {
        let rate = Rate::new(&RateProfile::Constant { rps: 1_000.0 });
        let count = count_arrivals(&rate, 0.0, 100_000.0, 1) as f64;
        // 100 000 expected, sd ≈ 316.
        assert!((count - 100_000.0).abs() < 1_500.0, "{count}");
    }

    #[test]
    fn step_profile_is_thinned_to_each_rate() {
        let rate = Rate::new(&RateProfile::Step {
            before_rps: 200.0,
            after_rps: 1_000.0,
            at_ms: 50_000.0,
        });
        let before = count_arrivals(&rate, 0.0, 50_000.0, 2) as f64;
        let total = count_arrivals(&rate, 0.0, 100_000.0, 2) as f64;
        let after = total - before;
        assert!((before - 10_000.0).abs() < 500.0, "before {before}");
        assert!((after - 50_000.0).abs() < 1_200.0, "after {after}");
    }

    #[test]
    fn sine_profile_averages_its_mean_over_whole_periods() {
        let rate = Rate::new(&RateProfile::Sine {
            mean_rps: 500.0,
            amplitude_rps: 400.0,
            period_ms: 10_000.0,
        });
        let count = count_arrivals(&rate, 0.0, 100_000.0, 3) as f64;
        assert!((count - 50_000.0).abs() < 1_200.0, "{count}");
        // First half-period has mean rate 500 + 400·2/π.
        let first_half = count_arrivals(&rate, 0.0, 5_000.0, 4) as f64;
        let expected = (500.0 + 400.0 * 2.0 / std::f64::consts::PI) * 5.0;
        assert!(
            (first_half - expected).abs() < 5.0 * expected.sqrt(),
            "{first_half}"
        );
    }

    #[test]
    fn ceil_to_nanos_matches_libm_ceil() {
        let mut state = 3u64;
        let mut values = vec![
            0.0,
            0.25,
            0.5,
            1.0,
            1.5,
            2.0 - f64::EPSILON,
            4.5e15,
            9.007_199_254_740_991e15,
        ];
        values.extend([
            (1u64 << 53) as f64,
            ((1u64 << 53) + 2) as f64,
            1.8e19,
            u64::MAX as f64 * 0.999,
        ]);
        for _ in 0..100_000 {
            let x = crate::rng::splitmix64(&mut state);
            values.push(f64::from_bits(x).abs() % 1.8e19);
            values.push((x >> 11) as f64 / ((x & 0xffff) + 1) as f64);
        }
        for t in values {
            if t.is_finite() && (0.0..u64::MAX as f64).contains(&t) {
                assert_eq!(ceil_to_nanos(t), libm::ceil(t) as SimTime, "t = {t:e}");
            }
        }
    }

    #[test]
    fn zero_rate_gives_no_arrivals() {
        let rate = Rate::new(&RateProfile::Constant { rps: 0.0 });
        assert_eq!(count_arrivals(&rate, 0.0, 10_000.0, 5), 0);
    }

    #[test]
    fn arrivals_always_move_time_forward() {
        let rate = Rate::new(&RateProfile::Constant { rps: 1e12 });
        let mut rng = SimRng::derive(1, 0, StreamKind::Source, 0);
        let mut now = 0;
        for _ in 0..1000 {
            let t = rate.next_arrival(now, u64::MAX, &mut rng).unwrap();
            assert!(t > now);
            now = t;
        }
    }
}

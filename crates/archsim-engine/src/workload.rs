//! Traffic sources: when requests are born.
//!
//! Open loop: a non-homogeneous Poisson process whose rate follows the design's profile, drawn by
//! thinning (Lewis & Shedler) piece by piece: on each piece of the profile candidates arrive as
//! a homogeneous Poisson process at that piece's highest rate, and a candidate at time `t` is
//! kept with probability `rate(t) / highest`. The kept points are exactly Poisson with rate
//! `rate(t)`, and the candidates are at most twice the arrivals (see
//! [`Rate::next_arrival_counting`]).
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
        self.next_arrival_counting(now, end, rng, &mut 0)
    }

    /// [`next_arrival`](Self::next_arrival), adding the candidates it drew to `candidates`.
    ///
    /// Thinning runs piece by piece: within each piece of the profile (before a step, during a
    /// spike, along a ramp) candidates are drawn at that piece's own highest rate, and a
    /// candidate that falls past the piece's end is dropped and drawing restarts there (the
    /// exponential gap is memoryless, so the points stay exactly Poisson). On a piece where
    /// the rate is constant every candidate is kept. So the candidates drawn are at most twice
    /// the arrivals (a ramp or a sine keeps at least half), and the event budget, which counts
    /// arrivals, bounds the work: a 1 ms spike of ten million requests per second no longer
    /// makes the whole run draw candidates at that rate.
    pub fn next_arrival_counting(
        &self,
        now: SimTime,
        end: SimTime,
        rng: &mut SimRng,
        candidates: &mut u64,
    ) -> Option<SimTime> {
        if self.max_per_ns <= 0.0 {
            return None;
        }
        let end = end as f64;
        let mut t = now as f64;
        loop {
            let piece = self.piece_at(t);
            if piece.bound_rps <= 0.0 {
                if piece.until_ns >= end {
                    return None;
                }
                t = piece.until_ns;
                continue;
            }
            *candidates += 1;
            let candidate = t + exponential_gap(rng, piece.bound_rps / 1e9);
            if candidate >= piece.until_ns {
                if piece.until_ns >= end {
                    return None;
                }
                t = piece.until_ns;
                continue;
            }
            if candidate >= end {
                return None;
            }
            t = candidate;
            if piece.constant || rng.uniform01() * piece.bound_rps < self.rps_at(t / NANOS_PER_MS) {
                // Round up so that the arrival is strictly later than `now`, keeping time moving.
                let at = ceil_to_nanos(t);
                return Some(at.max(now + 1));
            }
        }
    }

    /// The piece of the profile that holds time `t_ns`: its highest rate, where it ends, and
    /// whether the rate is constant on it. Boundaries are compared in nanoseconds as computed
    /// here, so a time set to a piece's end always falls in the next piece.
    fn piece_at(&self, t_ns: f64) -> Piece {
        let ns = |ms: f64| ms * NANOS_PER_MS;
        let flat = |rps: f64, until_ns: f64| Piece {
            bound_rps: rps,
            until_ns,
            constant: true,
        };
        match self.profile {
            RateProfile::Constant { rps } => flat(rps, f64::INFINITY),
            RateProfile::Step {
                before_rps,
                after_rps,
                at_ms,
            } => {
                if t_ns < ns(at_ms) {
                    flat(before_rps, ns(at_ms))
                } else {
                    flat(after_rps, f64::INFINITY)
                }
            }
            RateProfile::Spike {
                base_rps,
                spike_rps,
                start_ms,
                duration_ms,
            } => {
                if t_ns < ns(start_ms) {
                    flat(base_rps, ns(start_ms))
                } else if t_ns < ns(start_ms + duration_ms) {
                    flat(spike_rps, ns(start_ms + duration_ms))
                } else {
                    flat(base_rps, f64::INFINITY)
                }
            }
            RateProfile::Ramp {
                from_rps,
                to_rps,
                start_ms,
                end_ms,
            } => {
                if t_ns < ns(start_ms) {
                    flat(from_rps, ns(start_ms))
                } else if t_ns < ns(end_ms) {
                    Piece {
                        bound_rps: from_rps.max(to_rps),
                        until_ns: ns(end_ms),
                        constant: false,
                    }
                } else {
                    flat(to_rps, f64::INFINITY)
                }
            }
            RateProfile::Sine { .. } => Piece {
                bound_rps: self.max_per_ns * 1e9,
                until_ns: f64::INFINITY,
                constant: false,
            },
        }
    }
}

/// A stretch of a rate profile that thinning treats as one: see [`Rate::piece_at`].
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// The highest rate on the piece, requests per second.
    bound_rps: f64,
    /// Where the piece ends, ns (infinite for the last).
    until_ns: f64,
    /// The rate is `bound_rps` throughout: every candidate is an arrival.
    constant: bool,
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

    /// Regression (hostile input): a 1 ms spike of ten million requests per second in a base
    /// of one request per 1000 s made the whole run draw candidates at ten million per second
    /// (about 10^13 candidates for a 1000 s run, which no event budget stopped). Piecewise
    /// thinning draws at most one candidate per arrival on constant pieces, plus one per piece.
    #[test]
    fn a_short_spike_does_not_make_the_whole_run_draw_at_its_rate() {
        let rate = Rate::new(&RateProfile::Spike {
            base_rps: 0.001,
            spike_rps: 1e7,
            start_ms: 500_000.0,
            duration_ms: 1.0,
        });
        let mut rng = SimRng::derive(9, 0, StreamKind::Source, 0);
        let (mut now, end, mut arrivals, mut candidates) = (0, from_ms(1_000_000.0), 0u64, 0u64);
        while let Some(t) = rate.next_arrival_counting(now, end, &mut rng, &mut candidates) {
            arrivals += 1;
            now = t;
        }
        // About 10 000 in the spike and 1 outside it; every candidate but the few that cross a
        // piece's end is an arrival.
        assert!((arrivals as f64 - 10_000.0).abs() < 500.0, "{arrivals}");
        assert!(
            candidates <= arrivals + 4,
            "{candidates} candidates for {arrivals} arrivals"
        );
    }

    /// A ramp keeps at least half its candidates, whatever its rates.
    #[test]
    fn a_ramp_draws_at_most_twice_its_arrivals() {
        let rate = Rate::new(&RateProfile::Ramp {
            from_rps: 0.0,
            to_rps: 1_000.0,
            start_ms: 10_000.0,
            end_ms: 20_000.0,
        });
        let mut rng = SimRng::derive(3, 0, StreamKind::Source, 0);
        let (mut now, end, mut arrivals, mut candidates) = (0, from_ms(20_000.0), 0u64, 0u64);
        while let Some(t) = rate.next_arrival_counting(now, end, &mut rng, &mut candidates) {
            arrivals += 1;
            now = t;
        }
        // 5 000 expected (the ramp's mean rate, 500/s, for 10 s), sd ≈ 71.
        assert!((arrivals as f64 - 5_000.0).abs() < 360.0, "{arrivals}");
        assert!(
            candidates <= 2 * arrivals + 400,
            "{candidates} for {arrivals}"
        );
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

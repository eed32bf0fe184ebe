//! Random durations, keys and request classes, compiled from the design into sampling form.
//!
//! Every float operation on a random path goes through `libm`, whose results are the same
//! natively and in WASM (std's `ln`/`exp` may call the platform's maths library). Durations are
//! sampled in nanoseconds as `f64` and rounded to the nearest whole nanosecond.

use archsim_model::design::{Distribution, KeyDistribution, KeyPopularity, RequestClass};

use crate::rng::SimRng;
use crate::time::{NANOS_PER_MS, SimTime};

/// z-score of the standard normal's 99th percentile (matches `archsim_model::design::Z_P99`).
const Z_P99: f64 = 2.326_347_874_040_841;

/// A duration distribution with parameters in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Constant(SimTime),
    Exponential {
        mean: f64,
    },
    Uniform {
        min: f64,
        width: f64,
    },
    /// `exp(mu + sigma · Z)` with `Z` standard normal.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
}

impl Dist {
    /// Compiles a design distribution. Parameters are assumed validated (non-negative, finite;
    /// log-normal `p99 > median > 0`); anything else degrades to a constant rather than panic.
    pub fn new(distribution: &Distribution) -> Dist {
        match *distribution {
            Distribution::Constant { ms } => Dist::Constant(crate::time::from_ms(ms)),
            Distribution::Exponential { mean_ms } => Dist::Exponential {
                mean: nonneg(mean_ms) * NANOS_PER_MS,
            },
            Distribution::Uniform { min_ms, max_ms } => {
                let min = nonneg(min_ms) * NANOS_PER_MS;
                let max = nonneg(max_ms) * NANOS_PER_MS;
                Dist::Uniform {
                    min: min.min(max),
                    width: (max - min).abs(),
                }
            }
            Distribution::LogNormal { median_ms, p99_ms } => {
                if !(median_ms > 0.0 && p99_ms > median_ms && p99_ms.is_finite()) {
                    return Dist::Constant(crate::time::from_ms(median_ms));
                }
                let median = median_ms * NANOS_PER_MS;
                Dist::LogNormal {
                    mu: libm::log(median),
                    sigma: libm::log(p99_ms / median_ms) / Z_P99,
                }
            }
        }
    }

    /// One draw, in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> SimTime {
        match *self {
            Dist::Constant(ns) => ns,
            Dist::Exponential { mean } => to_nanos(-mean * libm::log(rng.uniform_open0())),
            Dist::Uniform { min, width } => to_nanos(min + width * rng.uniform01()),
            Dist::LogNormal { mu, sigma } => to_nanos(libm::exp(mu + sigma * standard_normal(rng))),
        }
    }

    /// The mean, in nanoseconds.
    #[cfg(test)]
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant(ns) => ns as f64,
            Dist::Exponential { mean } => mean,
            Dist::Uniform { min, width } => min + width / 2.0,
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
        }
    }
}

fn nonneg(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// Rounds a non-negative nanosecond count; saturates instead of overflowing.
#[inline]
fn to_nanos(ns: f64) -> SimTime {
    if ns.is_nan() || ns <= 0.0 {
        0
    } else if ns >= u64::MAX as f64 {
        u64::MAX
    } else {
        (ns + 0.5) as u64
    }
}

/// A standard normal draw by Box–Muller (one of the pair; two uniforms per draw, no state).
#[inline]
pub fn standard_normal(rng: &mut SimRng) -> f64 {
    let u1 = rng.uniform_open0();
    let u2 = rng.uniform01();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

/// An exponential draw with the given rate (events per nanosecond), in fractional nanoseconds.
#[inline]
pub fn exponential_gap(rng: &mut SimRng, rate_per_ns: f64) -> f64 {
    -libm::log(rng.uniform_open0()) / rate_per_ns
}

// ---------------------------------------------------------------------------------------------
// Keys

/// Draws request keys in `0..count`; key 0 is the most popular under Zipf.
#[derive(Debug, Clone)]
pub enum KeySampler {
    Uniform { count: u64 },
    Zipf(Zipf),
}

impl KeySampler {
    pub fn new(keys: &KeyDistribution) -> KeySampler {
        let count = keys.count.max(1);
        match keys.popularity {
            KeyPopularity::Zipf { exponent } if exponent > 0.0 && count > 1 => {
                KeySampler::Zipf(Zipf::new(count, exponent))
            }
            _ => KeySampler::Uniform { count },
        }
    }

    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match self {
            KeySampler::Uniform { count } => rng.below(*count),
            KeySampler::Zipf(zipf) => zipf.sample(rng) - 1,
        }
    }
}

/// Zipf over ranks `1..=n` with `P(k) ∝ k^(-s)`, sampled exactly by rejection-inversion
/// (Hörmann & Derflinger, 1996): O(1) expected time and memory for any `n`, which a CDF table
/// could not offer for a billion keys.
///
/// The method inverts the integral `H` of the hat function `h(x) = x^(-s)`, proposes
/// `k = round(H⁻¹(u))`, and accepts when `u` falls inside the part of `[H(k-½), H(k+½)]` that
/// corresponds to `P(k)`. Every accepted `k` has exactly the Zipf probability.
#[derive(Debug, Clone)]
pub struct Zipf {
    n: f64,
    exponent: f64,
    h_integral_x1: f64,
    h_integral_n: f64,
    squeeze: f64,
}

impl Zipf {
    pub fn new(n: u64, exponent: f64) -> Zipf {
        let mut zipf = Zipf {
            n: n as f64,
            exponent,
            h_integral_x1: 0.0,
            h_integral_n: 0.0,
            squeeze: 0.0,
        };
        zipf.h_integral_x1 = zipf.h_integral(1.5) - 1.0;
        zipf.h_integral_n = zipf.h_integral(zipf.n + 0.5);
        zipf.squeeze = 2.0 - zipf.h_integral_inverse(zipf.h_integral(2.5) - zipf.h(2.0));
        zipf
    }

    /// A rank in `1..=n`.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        loop {
            let u = self.h_integral_n + rng.uniform01() * (self.h_integral_x1 - self.h_integral_n);
            let x = self.h_integral_inverse(u);
            let mut k = libm::floor(x + 0.5);
            if k < 1.0 {
                k = 1.0;
            } else if k > self.n {
                k = self.n;
            }
            if k - x <= self.squeeze || u >= self.h_integral(k + 0.5) - self.h(k) {
                return k as u64;
            }
        }
    }

    /// `h(x) = x^(-s)`.
    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.exponent * libm::log(x))
    }

    /// `H(x) = ∫₁ˣ h`, written through `expm1` so it stays accurate as `s → 1`.
    fn h_integral(&self, x: f64) -> f64 {
        let log_x = libm::log(x);
        helper_expm1_over_x((1.0 - self.exponent) * log_x) * log_x
    }

    fn h_integral_inverse(&self, x: f64) -> f64 {
        let mut t = x * (1.0 - self.exponent);
        if t < -1.0 {
            // Rounding can push t just below -1, where log1p is undefined.
            t = -1.0;
        }
        libm::exp(helper_log1p_over_x(t) * x)
    }
}

/// `log1p(x) / x`, continuous at 0.
fn helper_log1p_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        libm::log1p(x) / x
    } else {
        1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x))
    }
}

/// `expm1(x) / x`, continuous at 0.
fn helper_expm1_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        libm::expm1(x) / x
    } else {
        1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x))
    }
}

// ---------------------------------------------------------------------------------------------
// Request classes

/// Picks a request class by weight. Class ids are global (interned across all clients) so that
/// gateway routes can be looked up by index.
#[derive(Debug, Clone)]
pub struct ClassMix {
    /// `(cumulative weight, global class id, is write)`.
    entries: Vec<(f64, u16, bool)>,
    total: f64,
}

impl ClassMix {
    /// `intern` maps a class name to its global id.
    pub fn new(mix: &[RequestClass], mut intern: impl FnMut(&str) -> u16) -> ClassMix {
        let mut entries = Vec::new();
        let mut total = 0.0;
        for class in mix {
            let weight = if class.weight.is_finite() && class.weight > 0.0 {
                class.weight
            } else {
                0.0
            };
            total += weight;
            entries.push((total, intern(&class.name), class.write));
        }
        if entries.is_empty() || total <= 0.0 {
            entries = vec![(1.0, intern("default"), false)];
            total = 1.0;
        }
        ClassMix { entries, total }
    }

    /// `(class id, is write)`. Draws nothing when there is a single class.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> (u16, bool) {
        if self.entries.len() == 1 {
            let (_, class, write) = self.entries[0];
            return (class, write);
        }
        let point = rng.uniform01() * self.total;
        let last = self.entries[self.entries.len() - 1];
        self.entries
            .iter()
            .find(|(cumulative, _, _)| point < *cumulative)
            .map(|&(_, class, write)| (class, write))
            .unwrap_or((last.1, last.2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;

    fn rng() -> SimRng {
        SimRng::derive(99, 0, StreamKind::Node, 1)
    }

    fn moments(dist: &Dist, n: u32) -> (f64, f64) {
        let mut rng = rng();
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..n {
            let x = dist.sample(&mut rng) as f64 / NANOS_PER_MS;
            sum += x;
            sum_sq += x * x;
        }
        let mean = sum / n as f64;
        (mean, sum_sq / n as f64 - mean * mean)
    }

    fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tolerance * expected.abs(),
            "{what}: got {actual}, expected {expected} ± {}",
            tolerance * expected.abs()
        );
    }

    #[test]
    fn constant_is_constant() {
        let dist = Dist::new(&Distribution::Constant { ms: 2.5 });
        assert_eq!(dist.sample(&mut rng()), 2_500_000);
    }

    #[test]
    fn exponential_mean_and_variance() {
        let dist = Dist::new(&Distribution::Exponential { mean_ms: 4.0 });
        let (mean, var) = moments(&dist, 400_000);
        assert_close(mean, 4.0, 0.01, "mean");
        assert_close(var, 16.0, 0.03, "variance");
    }

    #[test]
    fn uniform_mean_and_variance() {
        let dist = Dist::new(&Distribution::Uniform {
            min_ms: 2.0,
            max_ms: 8.0,
        });
        let (mean, var) = moments(&dist, 200_000);
        assert_close(mean, 5.0, 0.01, "mean");
        assert_close(var, 36.0 / 12.0, 0.02, "variance");
    }

    #[test]
    fn log_normal_matches_median_p99_and_moments() {
        let (median, p99) = (10.0, 50.0);
        let dist = Dist::new(&Distribution::LogNormal {
            median_ms: median,
            p99_ms: p99,
        });
        let sigma = (p99 / median).ln() / Z_P99;
        let expected_mean = median * (sigma * sigma / 2.0).exp();
        let expected_var = ((sigma * sigma).exp() - 1.0) * expected_mean * expected_mean;
        let (mean, var) = moments(&dist, 400_000);
        assert_close(mean, expected_mean, 0.01, "mean");
        assert_close(var, expected_var, 0.05, "variance");
        assert_close(
            dist.mean() / NANOS_PER_MS,
            expected_mean,
            1e-9,
            "analytic mean",
        );

        let mut rng = rng();
        let mut draws: Vec<u64> = (0..200_000).map(|_| dist.sample(&mut rng)).collect();
        draws.sort_unstable();
        let at = |q: f64| draws[(q * draws.len() as f64) as usize] as f64 / NANOS_PER_MS;
        assert_close(at(0.5), median, 0.02, "median");
        assert_close(at(0.99), p99, 0.04, "p99");
    }

    #[test]
    fn standard_normal_has_zero_mean_unit_variance() {
        let mut rng = rng();
        let n = 200_000;
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..n {
            let z = standard_normal(&mut rng);
            sum += z;
            sum_sq += z * z;
        }
        let mean = sum / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert_close(sum_sq / n as f64 - mean * mean, 1.0, 0.015, "variance");
    }

    #[test]
    fn exponential_gaps_have_the_rate_asked_for() {
        let mut rng = rng();
        let rate = 0.002;
        let n = 200_000;
        let mean = (0..n).map(|_| exponential_gap(&mut rng, rate)).sum::<f64>() / n as f64;
        assert_close(mean, 1.0 / rate, 0.01, "mean gap");
    }

    fn zipf_probabilities(n: u64, s: f64) -> Vec<f64> {
        let weights: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
        let total: f64 = weights.iter().sum();
        weights.into_iter().map(|w| w / total).collect()
    }

    fn check_zipf(n: u64, s: f64) {
        let zipf = Zipf::new(n, s);
        let mut rng = rng();
        let draws = 400_000u32;
        let mut counts = vec![0u32; n as usize];
        for _ in 0..draws {
            let k = zipf.sample(&mut rng);
            assert!((1..=n).contains(&k));
            counts[(k - 1) as usize] += 1;
        }
        for (k, p) in zipf_probabilities(n, s).into_iter().enumerate() {
            let expected = p * draws as f64;
            let sd = (expected * (1.0 - p)).sqrt();
            let got = counts[k] as f64;
            assert!(
                (got - expected).abs() <= 5.0 * sd + 1.0,
                "n={n} s={s} rank {}: got {got}, expected {expected:.1} (sd {sd:.1})",
                k + 1
            );
        }
    }

    #[test]
    fn zipf_matches_exact_probabilities_for_several_exponents() {
        check_zipf(10, 1.0);
        check_zipf(50, 0.8);
        check_zipf(20, 1.5);
        check_zipf(5, 0.3);
        check_zipf(2, 2.0);
    }

    #[test]
    fn zipf_handles_huge_key_spaces() {
        let zipf = Zipf::new(1_000_000_000, 1.1);
        let mut rng = rng();
        let p1 = zipf_probability_of_rank_one_estimate(1_000_000_000, 1.1);
        let n = 200_000;
        let ones = (0..n).filter(|_| zipf.sample(&mut rng) == 1).count() as f64;
        assert_close(ones / n as f64, p1, 0.03, "share of rank 1");
    }

    /// 1 / H(n, s), with the tail of the harmonic sum by its integral (accurate to ~1e-7 here).
    fn zipf_probability_of_rank_one_estimate(n: u64, s: f64) -> f64 {
        let head = 100_000u64;
        let mut sum: f64 = (1..=head).map(|k| (k as f64).powf(-s)).sum();
        let a = head as f64 + 0.5;
        let b = n as f64 + 0.5;
        sum += (b.powf(1.0 - s) - a.powf(1.0 - s)) / (1.0 - s);
        1.0 / sum
    }

    #[test]
    fn key_sampler_uniform_covers_all_keys() {
        let sampler = KeySampler::new(&KeyDistribution {
            count: 4,
            popularity: KeyPopularity::Uniform,
        });
        let mut rng = rng();
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            counts[sampler.sample(&mut rng) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn zipf_keys_are_zero_based_with_key_zero_most_popular() {
        let sampler = KeySampler::new(&KeyDistribution {
            count: 100,
            popularity: KeyPopularity::Zipf { exponent: 1.0 },
        });
        let mut rng = rng();
        let mut counts = [0u32; 100];
        for _ in 0..50_000 {
            counts[sampler.sample(&mut rng) as usize] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[9]);
    }

    #[test]
    fn class_mix_follows_weights() {
        let mix = [
            RequestClass {
                name: "read".into(),
                weight: 3.0,
                write: false,
            },
            RequestClass {
                name: "write".into(),
                weight: 1.0,
                write: true,
            },
        ];
        let mut names = Vec::new();
        let mix = ClassMix::new(&mix, |name| {
            names.push(name.to_string());
            names.len() as u16 - 1
        });
        let mut rng = rng();
        let n = 100_000;
        let writes = (0..n).filter(|_| mix.sample(&mut rng) == (1, true)).count();
        assert_close(writes as f64 / n as f64, 0.25, 0.02, "write share");
    }

    #[test]
    fn empty_mix_is_one_default_read_class() {
        let mix = ClassMix::new(&[], |name| {
            assert_eq!(name, "default");
            7
        });
        assert_eq!(mix.sample(&mut rng()), (7, false));
    }
}

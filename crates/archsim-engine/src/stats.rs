//! Output analysis: confidence intervals from independent replications or batch means.
//!
//! A single number from a stochastic simulation says little without its uncertainty. With R
//! independent replications, the per-replication values are i.i.d., so the half-width of the
//! 95% confidence interval of their mean is `t(0.975, R-1) · s / √R`. With one long run, the
//! post-warm-up period is cut into equal batches; batch values are nearly independent when
//! batches are much longer than the system's correlation time, and the same formula applies with
//! the batches in place of replications.

/// Two-sided 95% Student t quantiles `t(0.975, dof)` for dof = 1..=30.
const T_975: [f64; 30] = [
    12.706_204_736,
    4.302_652_730,
    3.182_446_305,
    2.776_445_105,
    2.570_581_836,
    2.446_911_851,
    2.364_624_252,
    2.306_004_135,
    2.262_157_163,
    2.228_138_852,
    2.200_985_160,
    2.178_812_830,
    2.160_368_656,
    2.144_786_688,
    2.131_449_546,
    2.119_905_299,
    2.109_815_578,
    2.100_922_040,
    2.093_024_054,
    2.085_963_447,
    2.079_613_845,
    2.073_873_068,
    2.068_657_610,
    2.063_898_562,
    2.059_538_553,
    2.055_529_439,
    2.051_830_516,
    2.048_407_142,
    2.045_229_642,
    2.042_272_456,
];

/// z(0.975) of the standard normal.
const Z_975: f64 = 1.959_963_984_540_054;

/// `t(0.975, dof)`: exact table up to 30 degrees of freedom, then the Cornish–Fisher expansion
/// in `1/dof` (error below 1e-5 beyond 30).
pub fn t_975(dof: u32) -> f64 {
    match dof {
        0 => f64::INFINITY,
        1..=30 => T_975[(dof - 1) as usize],
        _ => {
            let z = Z_975;
            let n = dof as f64;
            let z3 = z * z * z;
            let z5 = z3 * z * z;
            let z7 = z5 * z * z;
            z + (z3 + z) / (4.0 * n)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
        }
    }
}

/// Mean of the samples and the 95% CI half-width of that mean (None with fewer than two
/// samples). Non-finite samples are skipped.
pub fn mean_ci95(samples: &[f64]) -> (f64, Option<f64>) {
    let finite = || samples.iter().copied().filter(|x| x.is_finite());
    let n = finite().count();
    if n == 0 {
        return (0.0, None);
    }
    let mean = finite().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let variance = finite().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let half_width = t_975((n - 1) as u32) * libm::sqrt(variance / n as f64);
    (mean, Some(half_width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_table_matches_published_quantiles() {
        // Values from standard t tables.
        assert!((t_975(1) - 12.706).abs() < 1e-3);
        assert!((t_975(2) - 4.303).abs() < 1e-3);
        assert!((t_975(9) - 2.262).abs() < 1e-3);
        assert!((t_975(19) - 2.093).abs() < 1e-3);
        assert!((t_975(30) - 2.042).abs() < 1e-3);
    }

    #[test]
    fn asymptotic_formula_matches_known_values_and_joins_the_table() {
        assert!((t_975(40) - 2.021_075).abs() < 1e-4, "{}", t_975(40));
        assert!((t_975(60) - 2.000_298).abs() < 1e-4, "{}", t_975(60));
        assert!((t_975(120) - 1.979_930).abs() < 1e-4, "{}", t_975(120));
        assert!((t_975(1_000_000) - Z_975).abs() < 1e-5);
        assert!(t_975(31) < t_975(30) && t_975(31) > t_975(32));
    }

    #[test]
    fn ci_of_known_samples() {
        let (mean, ci) = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(mean, 3.0);
        // s = sqrt(2.5), t(4) = 2.776445
        let expected = 2.776_445_105 * (2.5f64 / 5.0).sqrt();
        assert!((ci.unwrap() - expected).abs() < 1e-9);
    }

    #[test]
    fn one_sample_has_no_ci() {
        assert_eq!(mean_ci95(&[4.0]), (4.0, None));
        assert_eq!(mean_ci95(&[]), (0.0, None));
    }

    #[test]
    fn ci_covers_true_mean_about_95_percent_of_the_time() {
        use crate::rng::{SimRng, StreamKind};
        let mut rng = SimRng::derive(5, 0, StreamKind::Replication, 0);
        let trials = 4_000;
        let mut covered = 0;
        for _ in 0..trials {
            let samples: Vec<f64> = (0..5).map(|_| rng.uniform01()).collect();
            let (mean, ci) = mean_ci95(&samples);
            if (mean - 0.5).abs() <= ci.unwrap() {
                covered += 1;
            }
        }
        let share = covered as f64 / trials as f64;
        assert!((0.93..0.97).contains(&share), "{share}");
    }
}

//! Random durations: the service-time and latency distributions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A random duration, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Always the same value.
    Constant { ms: f64 },
    /// Memoryless, with the given mean.
    Exponential { mean_ms: f64 },
    /// Uniform on `[min_ms, max_ms]`.
    Uniform { min_ms: f64, max_ms: f64 },
    /// Log-normal, given by its median and its 99th percentile (`p99_ms > median_ms`).
    LogNormal { median_ms: f64, p99_ms: f64 },
}

impl Distribution {
    /// The mean of the distribution, in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Distribution::Constant { ms } => ms,
            Distribution::Exponential { mean_ms } => mean_ms,
            Distribution::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Distribution::LogNormal { median_ms, p99_ms } => {
                let sigma = log_normal_sigma(median_ms, p99_ms);
                median_ms * libm::exp(sigma * sigma / 2.0)
            }
        }
    }
}

/// z-score of the 99th percentile of the standard normal distribution.
pub const Z_P99: f64 = 2.326_347_874_040_841;

/// σ of the underlying normal for a log-normal with the given median and 99th percentile.
///
/// `libm`, not std, so the engine's draws are bit-identical on native and WASM builds.
pub fn log_normal_sigma(median_ms: f64, p99_ms: f64) -> f64 {
    libm::log(p99_ms / median_ms) / Z_P99
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_normal_mean_and_sigma_match_their_definitions() {
        // p99 = median · e^(σ z99), mean = median · e^(σ²/2).
        let sigma = log_normal_sigma(10.0, 10.0 * libm::exp(Z_P99 * 0.5));
        assert!((sigma - 0.5).abs() < 1e-12, "{sigma}");
        let mean = Distribution::LogNormal {
            median_ms: 10.0,
            p99_ms: 10.0 * libm::exp(Z_P99 * 0.5),
        }
        .mean_ms();
        assert!((mean - 10.0 * libm::exp(0.125)).abs() < 1e-9, "{mean}");
    }
}

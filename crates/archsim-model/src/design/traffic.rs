//! Traffic sources: a client's workload, rate over time, request classes and keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Distribution;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClientParams {
    pub workload: Workload,
    /// Request classes and their shares. Empty means one class, `"default"`, a read.
    pub mix: Vec<RequestClass>,
    /// Which keys requests touch (caches and shards see these).
    pub keys: KeyDistribution,
    /// The end users behind the requests (read-your-writes follows each of them). Absent: the
    /// client is one user (read-your-writes follows the client node).
    pub users: Option<crate::users::Users>,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            workload: Workload::default(),
            mix: vec![
                RequestClass {
                    name: "read".into(),
                    weight: 0.9,
                    write: false,
                },
                RequestClass {
                    name: "write".into(),
                    weight: 0.1,
                    write: true,
                },
            ],
            keys: KeyDistribution::default(),
            users: None,
        }
    }
}

/// How requests are generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Workload {
    /// Open loop: Poisson arrivals whose rate follows a profile, whatever the system does.
    OpenLoop { rate: RateProfile },
    /// Closed loop: `users` each send a request, wait for its outcome, think, and repeat.
    ClosedLoop {
        users: u32,
        think_time: Distribution,
    },
}

impl Default for Workload {
    fn default() -> Self {
        Workload::OpenLoop {
            rate: RateProfile::Constant { rps: 100.0 },
        }
    }
}

/// An arrival rate over time, in requests per second. Times are from the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateProfile {
    Constant {
        rps: f64,
    },
    /// Linear from `from_rps` at `start_ms` to `to_rps` at `end_ms`, flat outside.
    Ramp {
        from_rps: f64,
        to_rps: f64,
        start_ms: f64,
        end_ms: f64,
    },
    /// `before_rps` until `at_ms`, then `after_rps`.
    Step {
        before_rps: f64,
        after_rps: f64,
        at_ms: f64,
    },
    /// `base_rps`, except `spike_rps` during `[start_ms, start_ms + duration_ms)`.
    Spike {
        base_rps: f64,
        spike_rps: f64,
        start_ms: f64,
        duration_ms: f64,
    },
    /// Diurnal: `mean_rps + amplitude_rps · sin(2π t / period_ms)`; amplitude ≤ mean.
    Sine {
        mean_rps: f64,
        amplitude_rps: f64,
        period_ms: f64,
    },
}

impl RateProfile {
    /// The rate at `t_ms`. Uses `libm` (bit-identical on native and WASM): the engine thins
    /// arrivals with it.
    pub fn rate_at(&self, t_ms: f64) -> f64 {
        match *self {
            RateProfile::Constant { rps } => rps,
            RateProfile::Ramp {
                from_rps,
                to_rps,
                start_ms,
                end_ms,
            } => {
                if t_ms <= start_ms {
                    from_rps
                } else if t_ms >= end_ms {
                    to_rps
                } else {
                    from_rps + (to_rps - from_rps) * (t_ms - start_ms) / (end_ms - start_ms)
                }
            }
            RateProfile::Step {
                before_rps,
                after_rps,
                at_ms,
            } => {
                if t_ms < at_ms {
                    before_rps
                } else {
                    after_rps
                }
            }
            RateProfile::Spike {
                base_rps,
                spike_rps,
                start_ms,
                duration_ms,
            } => {
                if t_ms >= start_ms && t_ms < start_ms + duration_ms {
                    spike_rps
                } else {
                    base_rps
                }
            }
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                period_ms,
            } => {
                mean_rps + amplitude_rps * libm::sin(2.0 * std::f64::consts::PI * t_ms / period_ms)
            }
        }
    }

    /// An upper bound of the rate over all time (for thinning).
    pub fn max_rate(&self) -> f64 {
        match *self {
            RateProfile::Constant { rps } => rps,
            RateProfile::Ramp {
                from_rps, to_rps, ..
            } => from_rps.max(to_rps),
            RateProfile::Step {
                before_rps,
                after_rps,
                ..
            } => before_rps.max(after_rps),
            RateProfile::Spike {
                base_rps,
                spike_rps,
                ..
            } => base_rps.max(spike_rps),
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                ..
            } => mean_rps + amplitude_rps.abs(),
        }
    }
}

/// A class of request (a route, or reads versus writes) and its share of the traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestClass {
    pub name: String,
    /// Relative weight; the shares are the weights over their sum.
    pub weight: f64,
    /// Writes go to database primaries and invalidate caches; reads may hit caches and replicas.
    #[serde(default)]
    pub write: bool,
}

/// The keys requests carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct KeyDistribution {
    /// Number of distinct keys, `1..`.
    pub count: u64,
    pub popularity: KeyPopularity,
}

impl Default for KeyDistribution {
    fn default() -> Self {
        KeyDistribution {
            count: 10_000,
            popularity: KeyPopularity::Zipf { exponent: 1.0 },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyPopularity {
    Uniform,
    /// Key of rank k is drawn with probability ∝ 1 / k^exponent.
    Zipf {
        exponent: f64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_profile_peaks_a_quarter_period_in() {
        let profile = RateProfile::Sine {
            mean_rps: 100.0,
            amplitude_rps: 40.0,
            period_ms: 1_000.0,
        };
        assert!((profile.rate_at(250.0) - 140.0).abs() < 1e-9);
        assert!((profile.rate_at(750.0) - 60.0).abs() < 1e-9);
        assert_eq!(profile.max_rate(), 140.0);
    }
}

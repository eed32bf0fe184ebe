//! The rate-limiter node and its algorithms.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::AlgorithmInfo;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimiterParams {
    pub algorithm: RateLimitAlgorithm,
    /// One limit shared by all requests, or one per request key.
    pub per_key: bool,
}

impl Default for RateLimiterParams {
    fn default() -> Self {
        RateLimiterParams {
            algorithm: RateLimitAlgorithm::TokenBucket {
                rate_rps: 100.0,
                burst: 20,
            },
            per_key: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateLimitAlgorithm {
    /// Tokens refill at `rate_rps` up to `burst`; a request takes one or is rejected.
    TokenBucket { rate_rps: f64, burst: u32 },
    /// A queue of `capacity` drained at `rate_rps`; requests that find it full are rejected.
    LeakyBucket { rate_rps: f64, capacity: u32 },
    /// At most `limit` requests per aligned window.
    FixedWindow { limit: u32, window_ms: f64 },
    /// At most `limit` requests in any window of `window_ms` (sliding log).
    SlidingWindow { limit: u32, window_ms: f64 },
    /// The Generic Cell Rate Algorithm (virtual scheduling): emission interval `1/rate_rps`,
    /// burst tolerance `(burst − 1)/rate_rps`; a request earlier than `TAT − τ` is rejected.
    Gcra { rate_rps: f64, burst: u32 },
}

impl RateLimitAlgorithm {
    /// Every rate-limiting algorithm, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 5] = [
        AlgorithmInfo {
            name: "token_bucket",
            title: "Token bucket",
        },
        AlgorithmInfo {
            name: "leaky_bucket",
            title: "Leaky bucket",
        },
        AlgorithmInfo {
            name: "fixed_window",
            title: "Fixed window",
        },
        AlgorithmInfo {
            name: "sliding_window",
            title: "Sliding window",
        },
        AlgorithmInfo {
            name: "gcra",
            title: "GCRA",
        },
    ];

    /// This algorithm's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            RateLimitAlgorithm::TokenBucket { .. } => 0,
            RateLimitAlgorithm::LeakyBucket { .. } => 1,
            RateLimitAlgorithm::FixedWindow { .. } => 2,
            RateLimitAlgorithm::SlidingWindow { .. } => 3,
            RateLimitAlgorithm::Gcra { .. } => 4,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The algorithm called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<RateLimitAlgorithm> {
        [
            RateLimitAlgorithm::TokenBucket {
                rate_rps: 100.0,
                burst: 20,
            },
            RateLimitAlgorithm::LeakyBucket {
                rate_rps: 100.0,
                capacity: 20,
            },
            RateLimitAlgorithm::FixedWindow {
                limit: 100,
                window_ms: 1_000.0,
            },
            RateLimitAlgorithm::SlidingWindow {
                limit: 100,
                window_ms: 1_000.0,
            },
            RateLimitAlgorithm::Gcra {
                rate_rps: 100.0,
                burst: 20,
            },
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

// ---------------------------------------------------------------------------------------------

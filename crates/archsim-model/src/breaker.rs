//! An edge's circuit breaker, with resilience4j's `CircuitBreakerConfig` options: the sliding
//! window (time-based or count-based), the minimum number of calls before the rates are
//! evaluated, the failure-rate and slow-call-rate thresholds, the wait in the open state, the
//! calls permitted in the half-open state and whether open turns half-open by itself.

use schemars::JsonSchema;

use crate::design::AlgorithmInfo;
use serde::{Deserialize, Serialize};

/// A circuit breaker on the caller's side of an edge (as resilience4j's).
///
/// Closed: every outcome goes into the sliding window; once it holds `minimum_calls` calls, the
/// breaker opens when the failure rate reaches `failure_threshold` or the slow-call rate
/// reaches `slow_call_threshold`. Open: every call is short-circuited for `open_ms`. Half-open:
/// `half_open_probes` calls are let through and decide (see [`HalfOpenRule`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BreakerParams {
    /// Open when the failure fraction in the window reaches this (`0..=1`; resilience4j's
    /// `failureRateThreshold` / 100). A timeout is a failure.
    pub failure_threshold: f64,
    /// Calls in the window before the rates are evaluated (`minimumNumberOfCalls`). A
    /// count-based window evaluates after `min(minimum_calls, window_calls)` calls.
    pub minimum_calls: u32,
    /// Which calls the rates are computed over (`slidingWindowType`).
    pub window: BreakerWindow,
    /// Time-based window: its length (`slidingWindowSize` in ms). A whole number of buckets.
    pub window_ms: f64,
    /// Time-based window: the width of its buckets, aligned on multiples of it from the start
    /// of the run (resilience4j: one-second buckets aligned on epoch seconds, the default). The
    /// window is the bucket in progress and the ones before it, `window_ms / bucket_ms` in
    /// all, so a call is forgotten between `window_ms − bucket_ms` and `window_ms` after it.
    pub bucket_ms: f64,
    /// Count-based window: the last this many calls (`slidingWindowSize` in calls).
    pub window_calls: u32,
    /// A call that takes longer than this (from the attempt being sent to its answer or its
    /// timeout) is slow, whether it succeeded or failed (`slowCallDurationThreshold`). None:
    /// no call is slow.
    pub slow_call_duration_ms: Option<f64>,
    /// Open when the slow fraction in the window reaches this (`slowCallRateThreshold` / 100).
    pub slow_call_threshold: f64,
    /// Time open before letting calls through again (`waitDurationInOpenState`).
    pub open_ms: f64,
    /// Calls let through in the half-open state (`permittedNumberOfCallsInHalfOpenState`).
    pub half_open_probes: u32,
    /// How the half-open calls decide.
    pub half_open: HalfOpenRule,
    /// Open turns half-open by itself when `open_ms` is over
    /// (`automaticTransitionFromOpenToHalfOpenEnabled`); when false, the breaker stays open
    /// until the first call after `open_ms` asks to go. Calls are let through at the same
    /// moments either way; only the reported state differs.
    pub automatic_transition: bool,
}

impl Default for BreakerParams {
    fn default() -> Self {
        BreakerParams {
            failure_threshold: 0.5,
            minimum_calls: 20,
            window: BreakerWindow::TimeBased,
            window_ms: 10_000.0,
            bucket_ms: 1_000.0,
            window_calls: 100,
            slow_call_duration_ms: None,
            slow_call_threshold: 1.0,
            open_ms: 5_000.0,
            half_open_probes: 3,
            half_open: HalfOpenRule::Rates,
            automatic_transition: true,
        }
    }
}

/// The breaker's sliding window (resilience4j's `SlidingWindowType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakerWindow {
    /// The calls recorded in the last `window_ms`, kept in aligned buckets of `bucket_ms`
    /// (`TIME_BASED`).
    #[default]
    TimeBased,
    /// The last `window_calls` calls, a ring of outcomes (`COUNT_BASED`).
    CountBased,
}

impl BreakerWindow {
    /// JSON name and title of each window type, for the editor's select.
    pub const CATALOG: [AlgorithmInfo; 2] = [
        AlgorithmInfo {
            name: "time_based",
            title: "Time-based (the last window_ms)",
        },
        AlgorithmInfo {
            name: "count_based",
            title: "Count-based (the last N calls)",
        },
    ];

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            BreakerWindow::TimeBased => Self::CATALOG[0].name,
            BreakerWindow::CountBased => Self::CATALOG[1].name,
        }
    }

    /// The window type called `name` in JSON.
    pub fn default_named(name: &str) -> Option<BreakerWindow> {
        match name {
            "time_based" => Some(BreakerWindow::TimeBased),
            "count_based" => Some(BreakerWindow::CountBased),
            _ => None,
        }
    }
}

/// How the calls let through in the half-open state decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HalfOpenRule {
    /// resilience4j: exactly `half_open_probes` calls are let through (more are short-circuited
    /// even after some have answered); once `min(minimum_calls, half_open_probes)` of them have
    /// answered, the breaker opens again if their failure or slow-call rate reaches its
    /// threshold and closes otherwise.
    #[default]
    Rates,
    /// archsim before format version 3: up to `half_open_probes` calls in flight at once; the
    /// first failure opens the breaker again, the `half_open_probes`-th success closes it.
    ConsecutiveSuccesses,
}

impl HalfOpenRule {
    /// JSON name and title of each rule, for the editor's select.
    pub const CATALOG: [AlgorithmInfo; 2] = [
        AlgorithmInfo {
            name: "rates",
            title: "Their rates decide (resilience4j)",
        },
        AlgorithmInfo {
            name: "consecutive_successes",
            title: "First failure reopens, N successes close",
        },
    ];

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            HalfOpenRule::Rates => Self::CATALOG[0].name,
            HalfOpenRule::ConsecutiveSuccesses => Self::CATALOG[1].name,
        }
    }

    /// The rule called `name` in JSON.
    pub fn default_named(name: &str) -> Option<HalfOpenRule> {
        match name {
            "rates" => Some(HalfOpenRule::Rates),
            "consecutive_successes" => Some(HalfOpenRule::ConsecutiveSuccesses),
            _ => None,
        }
    }
}

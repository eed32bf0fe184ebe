//! Edges: timeouts, retries, breakers and the other per-call policies.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Distribution, RateLimiterParams};
use crate::breaker::BreakerParams;
use crate::hedging::HedgingParams;
use crate::resilience::{AdaptiveThrottlingParams, BulkheadParams, RetryBudgetParams};

/// A directed connection: `from` sends requests to `to` and waits for the reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Unique within the design.
    pub id: String,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub params: EdgeParams,
}

/// The caller's side of a call: network, timeout, retries, circuit breaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EdgeParams {
    /// One-way network latency, added on the way there and again on the way back.
    pub latency: Distribution,
    /// The caller gives up on an attempt after this long. None: waits forever.
    pub timeout_ms: Option<f64>,
    pub retry: Option<RetryPolicy>,
    pub circuit_breaker: Option<BreakerParams>,
    /// Retries allowed only while under a share of recent calls (Finagle's retry budget).
    pub retry_budget: Option<RetryBudgetParams>,
    /// Reject attempts locally when the callee accepts too few (the SRE book's client-side
    /// adaptive throttling).
    pub adaptive_throttling: Option<AdaptiveThrottlingParams>,
    /// At most this many attempts in flight along the edge; more fail with `bulkhead_full`.
    /// On an edge leaving an API gateway this is the route's bulkhead.
    pub bulkhead: Option<BulkheadParams>,
    /// Hedged requests (gRPC's hedging policy): another attempt after a delay without giving
    /// up on the first; the first answer wins, the others are cancelled. Not with `retry`.
    pub hedging: Option<HedgingParams>,
    /// A per-route rate limit of an API gateway (only on an edge that leaves a gateway: the
    /// edge is the route): each attempt along it asks the limiter first; a rejected one is not
    /// sent and fails with `rate_limited`, a leaky bucket holds it until its turn.
    pub rate_limit: Option<RateLimiterParams>,
    /// gRPC-style deadline propagation: the callee's request carries the earliest time at which
    /// a caller up the chain gives up, this edge's own timeout is cut to what is left of it,
    /// and when the caller gives up the callee's work (and all it started along propagating
    /// edges) is cancelled.
    pub propagate_deadline: bool,
    /// Share of this edge for weighted balancing (load balancers).
    pub weight: u32,
    /// Probability that the caller makes this call at all (services calling downstreams).
    pub call_probability: f64,
}

impl Default for EdgeParams {
    fn default() -> Self {
        EdgeParams {
            latency: Distribution::Constant { ms: 1.0 },
            timeout_ms: None,
            retry: None,
            circuit_breaker: None,
            retry_budget: None,
            adaptive_throttling: None,
            bulkhead: None,
            hedging: None,
            rate_limit: None,
            propagate_deadline: false,
            weight: 1,
            call_probability: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retry.
    pub max_attempts: u32,
    /// Back-off before retry n is `base_ms · multiplier^(n-1)`, capped at `max_backoff_ms`.
    pub base_ms: f64,
    pub multiplier: f64,
    pub max_backoff_ms: f64,
    pub jitter: Jitter,
    /// Retry after a timeout as well as after an error or a rejection.
    pub retry_on_timeout: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_ms: 50.0,
            multiplier: 2.0,
            max_backoff_ms: 1_000.0,
            jitter: Jitter::Full,
            retry_on_timeout: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    None,
    /// Uniform in `[0, backoff]`.
    #[default]
    Full,
    /// `backoff/2` plus uniform in `[0, backoff/2]`.
    Equal,
}

// ---------------------------------------------------------------------------------------------

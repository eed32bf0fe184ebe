//! The caller-side cures for overload that an edge can carry on top of its timeout, retries and
//! breaker: a retry budget (Finagle's `RetryBudget`) and client-side adaptive throttling (the
//! Google SRE book's). Each is optional; leaving it out keeps the edge as it was.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A retry budget as Finagle's `RetryBudget`: retries are allowed only while they stay under
/// `percent_can_retry` of the calls made over the last `ttl_ms`, plus a reserve of
/// `min_retries_per_sec` so a quiet caller may still retry.
///
/// Token accounting (Finagle's `TokenRetryBudget` over a leaky token bucket): every call made
/// along the edge deposits 1000 tokens (none when `percent_can_retry` is 0); a retry withdraws
/// `floor(1000 / percent_can_retry)` tokens (1 when it is 0) and is allowed only when the
/// balance — deposits and withdrawals of the last `ttl_ms`, kept in 10 slices, plus a reserve of
/// `min_retries_per_sec · floor(ttl_ms / 1000) · withdrawal` — covers it. A retry the budget
/// refuses is not made: the call ends with the failure that asked for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RetryBudgetParams {
    /// How long a deposit counts, 1 000–60 000 ms (Finagle's range).
    pub ttl_ms: f64,
    /// Retries per second allowed whatever the traffic (the reserve).
    pub min_retries_per_sec: u32,
    /// Retries allowed per call made, as a fraction: 0.2 allows one retry for every five calls.
    /// At most 1000.
    pub percent_can_retry: f64,
}

impl Default for RetryBudgetParams {
    /// Finagle's defaults: 20% of calls on top of 10 retries per second, over 10 s.
    fn default() -> Self {
        RetryBudgetParams {
            ttl_ms: 10_000.0,
            min_retries_per_sec: 10,
            percent_can_retry: 0.2,
        }
    }
}

/// A bulkhead on the caller's side of an edge (as resilience4j's semaphore bulkhead): at most
/// `max_concurrent` attempts along the edge may be waiting for their answer at once. An attempt
/// beyond that is not sent: the call fails at once with the cause `bulkhead_full` (not retried,
/// as a local rejection). An attempt stops counting when its answer arrives or its timeout
/// fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BulkheadParams {
    /// Attempts in flight along the edge at once (at least 1).
    pub max_concurrent: u32,
}

impl Default for BulkheadParams {
    fn default() -> Self {
        BulkheadParams { max_concurrent: 10 }
    }
}

/// Client-side adaptive throttling as in Google's SRE book ("Handling Overload"): over the last
/// `window_ms` the caller counts `requests` (attempts it wanted to send, those it rejected
/// itself included) and `accepts` (attempts the callee accepted: it answered with success or an
/// error of its own, not a rejection for overload, not a timeout). Each new attempt is rejected
/// locally, without being sent, with probability `max(0, (requests − k·accepts) / (requests + 1))`,
/// and fails with the cause `throttled` (it is not retried: retrying it would defeat the point).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptiveThrottlingParams {
    /// The multiplier K: the caller sends up to K times as many requests as the callee accepts
    /// before it starts rejecting. 2 in the book; at least 1.
    pub k: f64,
    /// The sliding window the counts cover (two minutes in the book; at most ten minutes).
    pub window_ms: f64,
}

impl Default for AdaptiveThrottlingParams {
    fn default() -> Self {
        AdaptiveThrottlingParams {
            k: 2.0,
            window_ms: 120_000.0,
        }
    }
}

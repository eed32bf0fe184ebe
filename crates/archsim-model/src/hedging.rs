//! Hedged requests on an edge, as gRPC's hedging policy (gRFC A6) and "The Tail at Scale"
//! (Dean & Barroso, 2013): when an attempt has had no answer after a delay, the caller sends
//! the same request again without giving up on the first; the first answer wins and the
//! attempts still out are cancelled.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most hedges after the first attempt: gRPC caps `maxAttempts` (the original included) at 5.
pub const MAX_HEDGES: u32 = 4;

/// Fewest and most successful replies the observed-p95 delay looks back on.
pub const MIN_HEDGE_WINDOW: u32 = 20;
pub const MAX_HEDGE_WINDOW: u32 = 100_000;

/// A hedging policy of an edge (gRPC's `hedgingPolicy`). The first attempt goes at once; while
/// no answer has come, hedge n goes `n · delay` after it (one delay after the previous one)
/// until `max_hedges` are out. The first answer that is a success, or a failure not marked
/// non-fatal, ends the call: every attempt still out is cancelled (its callee drops the work,
/// failing it with `cancelled`). An edge either retries or hedges, never both (as in gRPC).
///
/// The edge's `timeout_ms` bounds the whole call (gRPC's deadline), counted from the first
/// attempt; hedges do not restart it. Each hedge pays the edge's retry budget like a retry
/// (gRPC's throttling counts hedges too) and passes its breaker, bulkhead and adaptive
/// throttling like any attempt; a hedge they refuse is simply not sent while an earlier
/// attempt is still out, and no later hedge follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HedgingParams {
    /// Hedges at most after the first attempt, 1–4 (gRPC's `maxAttempts` − 1).
    pub max_hedges: u32,
    /// How long to wait for an answer before each hedge.
    pub delay: HedgeDelay,
    /// gRPC's `nonFatalStatusCodes`: when true, an attempt that fails with an error of the
    /// callee or a rejection (not a timeout) does not end the call: the next hedge goes at once
    /// (skipping its delay) and the call fails only when no attempt is left. When false (gRPC's
    /// default, an empty list), any answer ends the call.
    pub non_fatal_errors: bool,
}

impl Default for HedgingParams {
    fn default() -> Self {
        HedgingParams {
            max_hedges: 1,
            delay: HedgeDelay::default(),
            non_fatal_errors: false,
        }
    }
}

/// The wait before each hedge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum HedgeDelay {
    /// A fixed wait (gRPC's `hedgingDelay`), in milliseconds; 0 sends every hedge at once.
    Fixed { ms: f64 },
    /// The 95th percentile (nearest rank) of the latencies of the first attempts of the edge's
    /// last `window` calls, as "The Tail at Scale" recommends, so about one call in twenty is
    /// hedged. A first attempt given up unanswered (a hedge won, the call timed out) counts
    /// with the time it had been out, a lower bound of its latency. Until 20 have been seen the
    /// percentile is unknown and no hedge is sent.
    ObservedP95 { window: u32 },
}

impl Default for HedgeDelay {
    fn default() -> Self {
        HedgeDelay::ObservedP95 { window: 1_000 }
    }
}

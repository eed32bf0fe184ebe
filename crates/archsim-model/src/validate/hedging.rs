//! Rules of an edge's hedging policy (`crate::hedging`).

use crate::design::{EdgeParams, NodeKind};
use crate::hedging::{HedgeDelay, HedgingParams, MAX_HEDGE_WINDOW, MAX_HEDGES, MIN_HEDGE_WINDOW};
use crate::problem::field_path;

use super::Checker;

/// The longest fixed hedging delay: an hour, the longest any timeout sensibly is.
const MAX_HEDGE_DELAY_MS: f64 = 3_600_000.0;

impl Checker<'_> {
    /// `params` is the edge's params path; `from` the kind of the calling node, when known.
    pub(super) fn hedging(
        &mut self,
        params: &str,
        edge: &EdgeParams,
        hedging: &HedgingParams,
        from: Option<&NodeKind>,
    ) {
        let path = field_path(params, "hedging");
        if edge.retry.is_some() {
            self.report(
                path.clone(),
                "an edge either retries or hedges, not both (as in gRPC, where a method has a retry policy or a hedging policy): remove `retry` or `hedging`",
            );
        }
        if let Some(NodeKind::Queue(_)) = from {
            self.report(
                path.clone(),
                "a queue delivers each message to one consumer at a time (redelivery is its own mechanism); hedging would deliver it twice: remove `hedging` from this edge",
            );
        }
        let hedges = hedging.max_hedges;
        if !(1..=MAX_HEDGES).contains(&hedges) {
            self.report(
                field_path(&path, "max_hedges"),
                format!("must be between 1 and {MAX_HEDGES} (hedges after the first attempt; gRPC allows 5 attempts in all), found {hedges}"),
            );
        }
        let delay = field_path(&path, "delay");
        match hedging.delay {
            HedgeDelay::Fixed { ms } => {
                if !(ms.is_finite() && (0.0..=MAX_HEDGE_DELAY_MS).contains(&ms)) {
                    self.report(
                        field_path(&delay, "ms"),
                        format!("must be between 0 and {MAX_HEDGE_DELAY_MS} ms (the wait before each hedge), found {ms}"),
                    );
                }
            }
            HedgeDelay::ObservedP95 { window } => {
                if !(MIN_HEDGE_WINDOW..=MAX_HEDGE_WINDOW).contains(&window) {
                    self.report(
                        field_path(&delay, "window"),
                        format!("must be between {MIN_HEDGE_WINDOW} and {MAX_HEDGE_WINDOW} replies (the 95th percentile needs at least 20; the window keeps every latency it covers), found {window}"),
                    );
                }
            }
        }
    }
}

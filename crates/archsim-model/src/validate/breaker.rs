//! Rules of an edge's circuit breaker (`crate::breaker`).

use crate::breaker::{BreakerParams, BreakerWindow};
use crate::problem::field_path;

use super::Checker;

/// Most buckets of a time-based window and most calls of a count-based one: the window is
/// allocated when the run starts (resilience4j's own windows are sized the same way).
pub const MAX_BREAKER_WINDOW: u64 = 100_000;

impl Checker<'_> {
    pub(super) fn breaker(&mut self, path: &str, breaker: &BreakerParams) {
        let threshold = breaker.failure_threshold;
        if !(threshold > 0.0 && threshold <= 1.0) {
            self.report(
                field_path(path, "failure_threshold"),
                format!(
                    "must be a fraction in (0, 1] (0 would open on success), found {threshold}"
                ),
            );
        }
        self.at_least_one(
            &field_path(path, "minimum_calls"),
            breaker.minimum_calls.into(),
            "calls in the window before the rates are evaluated",
        );
        self.positive(&field_path(path, "open_ms"), breaker.open_ms);
        self.at_least_one(
            &field_path(path, "half_open_probes"),
            breaker.half_open_probes.into(),
            "calls let through in the half-open state",
        );
        match breaker.window {
            BreakerWindow::TimeBased => self.time_window(path, breaker),
            BreakerWindow::CountBased => {
                let calls = &field_path(path, "window_calls");
                self.at_least_one(calls, breaker.window_calls.into(), "calls in the window");
                self.at_most(
                    calls,
                    breaker.window_calls.into(),
                    MAX_BREAKER_WINDOW,
                    "the window keeps an outcome per call",
                );
            }
        }
        if let Some(slow) = breaker.slow_call_duration_ms {
            self.positive(&field_path(path, "slow_call_duration_ms"), slow);
        }
        let slow_threshold = breaker.slow_call_threshold;
        if !(slow_threshold > 0.0 && slow_threshold <= 1.0) {
            self.report(
                field_path(path, "slow_call_threshold"),
                format!(
                    "must be a fraction in (0, 1] (0 would open with no slow call), found {slow_threshold}"
                ),
            );
        }
    }

    /// A time-based window is a whole number of buckets, and not too many of them.
    fn time_window(&mut self, path: &str, breaker: &BreakerParams) {
        let (window, bucket) = (breaker.window_ms, breaker.bucket_ms);
        let window_path = field_path(path, "window_ms");
        let bucket_path = field_path(path, "bucket_ms");
        self.positive(&window_path, window);
        self.positive(&bucket_path, bucket);
        if !(window.is_finite() && window > 0.0 && bucket.is_finite() && bucket > 0.0) {
            return;
        }
        let buckets = window / bucket;
        if (buckets - buckets.round()).abs() > 1e-9 * buckets.max(1.0) || buckets.round() < 1.0 {
            self.report(
                window_path,
                format!(
                    "must be a whole number of buckets of bucket_ms ({bucket} ms), found {window} ms ({buckets:.3} buckets)"
                ),
            );
        } else if buckets.round() > MAX_BREAKER_WINDOW as f64 {
            self.report(
                bucket_path,
                format!(
                    "must be at least window_ms / {MAX_BREAKER_WINDOW} (the window keeps at most {MAX_BREAKER_WINDOW} buckets), found {bucket} ms for a window of {window} ms"
                ),
            );
        }
    }
}

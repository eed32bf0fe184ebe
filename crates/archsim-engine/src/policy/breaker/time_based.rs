//! Time-based window (resilience4j's `SlidingTimeWindowMetrics`, `TIME_BASED`): the calls of
//! the last `window` of time, counted in `n = window / bucket` buckets **aligned on multiples
//! of the bucket width** from the start of the run (resilience4j: one-second buckets aligned on
//! epoch seconds). The window at time `t` is the bucket holding `t` and the `n − 1` before it,
//! so a call is forgotten between `window − bucket` and `window` after it was recorded (its
//! bucket ages out whole).
//!
//! As in resilience4j the totals are running sums: moving to a later bucket subtracts the
//! buckets it skips over and empties them. The minimum number of calls is the configured one.

use super::window::{CallOutcome, OutcomeWindow, Totals};
use crate::time::SimTime;

#[derive(Debug, Clone)]
pub struct TimeWindow {
    bucket_width: SimTime,
    /// Slot `i` holds bucket number `e` (time / width) with `e % n == i`, or is empty.
    buckets: Vec<Totals>,
    /// The latest bucket number recorded into; None before the first call.
    latest: Option<u64>,
    totals: Totals,
}

impl TimeWindow {
    /// A window of `buckets` buckets of `bucket_width` each.
    pub fn new(bucket_width: SimTime, buckets: u32) -> TimeWindow {
        TimeWindow {
            bucket_width: bucket_width.max(1),
            buckets: vec![Totals::default(); buckets.max(1) as usize],
            latest: None,
            totals: Totals::default(),
        }
    }

    /// Moves the window so that bucket `epoch` is its newest, emptying the ones it skips.
    fn move_to(&mut self, epoch: u64) {
        let n = self.buckets.len() as u64;
        let from = match self.latest {
            Some(latest) if epoch <= latest => return,
            Some(latest) => (latest + 1).max(epoch.saturating_sub(n - 1)),
            None => epoch.saturating_sub(n - 1),
        };
        for e in from..=epoch {
            let slot = &mut self.buckets[(e % n) as usize];
            self.totals.calls -= slot.calls;
            self.totals.failures -= slot.failures;
            self.totals.slow -= slot.slow;
            *slot = Totals::default();
        }
        self.latest = Some(epoch);
    }
}

impl OutcomeWindow for TimeWindow {
    fn record(&mut self, now: SimTime, outcome: CallOutcome) -> Totals {
        let epoch = now / self.bucket_width;
        self.move_to(epoch);
        // Outcomes come in time order; one that did not would count in the newest bucket.
        let newest = self.latest.unwrap_or(epoch);
        let n = self.buckets.len() as u64;
        self.buckets[(newest % n) as usize].add(outcome);
        self.totals.add(outcome);
        self.totals
    }

    fn clear(&mut self) {
        self.buckets.fill(Totals::default());
        self.latest = None;
        self.totals = Totals::default();
    }

    fn minimum_calls(&self, configured: u64) -> u64 {
        configured
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: SimTime = 1_000_000_000;
    const FAIL: CallOutcome = CallOutcome {
        failed: true,
        slow: false,
    };
    const OK: CallOutcome = CallOutcome {
        failed: false,
        slow: false,
    };

    /// resilience4j's defaults: 10 one-second buckets.
    fn ten_seconds() -> TimeWindow {
        TimeWindow::new(SECOND, 10)
    }

    #[test]
    fn a_call_counts_until_its_aligned_bucket_leaves_the_window() {
        let mut window = ten_seconds();
        window.record(SECOND / 2, FAIL); // bucket 0: [0 s, 1 s)
        // At 9.999 s the window is buckets 0..=9: still there.
        assert_eq!(window.record(10 * SECOND - 1, OK).failures, 1);
        // At 10 s the window is buckets 1..=10: bucket 0 has left, 9.5 s after the call.
        let totals = window.record(10 * SECOND, OK);
        assert_eq!((totals.calls, totals.failures), (2, 0));
    }

    #[test]
    fn buckets_are_aligned_not_relative_to_the_call() {
        let mut window = ten_seconds();
        window.record(SECOND - 1, FAIL); // the very end of bucket 0
        // 9 s + 1 ns later it is gone: its bucket aged out whole.
        let totals = window.record(10 * SECOND, OK);
        assert_eq!(totals.failures, 0);
    }

    #[test]
    fn a_long_silence_empties_the_window() {
        let mut window = ten_seconds();
        for i in 0..5 {
            window.record(i * SECOND, FAIL);
        }
        let totals = window.record(1_000 * SECOND, OK);
        assert_eq!((totals.calls, totals.failures), (1, 0));
    }

    #[test]
    fn many_calls_in_one_bucket_add_up_and_leave_together() {
        let mut window = TimeWindow::new(100_000_000, 10); // 1 s in tenths, as before version 3
        for _ in 0..3 {
            window.record(0, FAIL);
        }
        assert_eq!(window.record(899_000_000, FAIL).failures, 4);
        // At 1 s bucket 0 has left; bucket 8 (899 ms) remains.
        assert_eq!(window.record(1_000_000_000, OK).failures, 1);
    }
}

//! Count-based window (resilience4j's `FixedSizeSlidingWindowMetrics`, `COUNT_BASED`): the
//! outcomes of the last `size` calls in a ring. Each new outcome takes the place of the oldest
//! once the ring is full; until then the window holds every call so far.
//!
//! The rates are evaluated once `min(minimum_calls, size)` calls are held: a window of 10
//! calls with a minimum of 100 would otherwise never decide (resilience4j does the same).

use super::window::{CallOutcome, OutcomeWindow, Totals};
use crate::time::SimTime;

#[derive(Debug, Clone)]
pub struct CountWindow {
    ring: Vec<Option<CallOutcome>>,
    /// Where the next outcome goes.
    head: usize,
    totals: Totals,
}

impl CountWindow {
    pub fn new(size: u32) -> CountWindow {
        CountWindow {
            ring: vec![None; size.max(1) as usize],
            head: 0,
            totals: Totals::default(),
        }
    }
}

impl OutcomeWindow for CountWindow {
    fn record(&mut self, _now: SimTime, outcome: CallOutcome) -> Totals {
        if let Some(oldest) = self.ring[self.head].replace(outcome) {
            self.totals.calls -= 1;
            self.totals.failures -= u64::from(oldest.failed);
            self.totals.slow -= u64::from(oldest.slow);
        }
        self.totals.add(outcome);
        self.head = (self.head + 1) % self.ring.len();
        self.totals
    }

    fn clear(&mut self) {
        self.ring.fill(None);
        self.head = 0;
        self.totals = Totals::default();
    }

    fn minimum_calls(&self, configured: u64) -> u64 {
        configured.min(self.ring.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: CallOutcome = CallOutcome {
        failed: false,
        slow: false,
    };
    const FAIL: CallOutcome = CallOutcome {
        failed: true,
        slow: false,
    };
    const SLOW_OK: CallOutcome = CallOutcome {
        failed: false,
        slow: true,
    };

    #[test]
    fn holds_every_call_until_full_then_the_last_size_calls() {
        let mut window = CountWindow::new(3);
        let t = |calls, failures, slow| Totals {
            calls,
            failures,
            slow,
        };
        assert_eq!(window.record(0, FAIL), t(1, 1, 0));
        assert_eq!(window.record(0, SLOW_OK), t(2, 1, 1));
        assert_eq!(window.record(0, OK), t(3, 1, 1));
        // The fourth call pushes out the first (the failure).
        assert_eq!(window.record(0, OK), t(3, 0, 1));
        // The fifth pushes out the slow success.
        assert_eq!(window.record(0, FAIL), t(3, 1, 0));
    }

    #[test]
    fn time_plays_no_part() {
        let mut window = CountWindow::new(2);
        window.record(0, FAIL);
        let totals = window.record(3_600_000_000_000, OK);
        assert_eq!(
            totals.calls, 2,
            "an hour later the failure is still one of the last 2"
        );
        assert_eq!(totals.failures, 1);
    }

    #[test]
    fn minimum_is_capped_by_the_size_and_clear_empties() {
        let mut window = CountWindow::new(10);
        assert_eq!(window.minimum_calls(100), 10);
        assert_eq!(window.minimum_calls(4), 4);
        window.record(0, FAIL);
        window.clear();
        assert_eq!(
            window.record(0, OK),
            Totals {
                calls: 1,
                failures: 0,
                slow: 0
            }
        );
    }
}

//! The breaker's sliding window: a small family (resilience4j's `Metrics`), one file per type.
//!
//! A window takes call outcomes in time order and answers, after each, the totals over the
//! calls it still holds. The totals are kept as running sums (what leaves the window is
//! subtracted as it leaves), so recording is O(1) amortised whatever the window's size.

use super::count_based::CountWindow;
use super::time_based::TimeWindow;
use crate::time::SimTime;

/// One call's outcome as the window counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOutcome {
    pub failed: bool,
    /// Slower than the slow-call duration, whether it succeeded or failed.
    pub slow: bool,
}

/// Totals over the calls a window holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub calls: u64,
    pub failures: u64,
    pub slow: u64,
}

impl Totals {
    pub(super) fn add(&mut self, outcome: CallOutcome) {
        self.calls += 1;
        self.failures += u64::from(outcome.failed);
        self.slow += u64::from(outcome.slow);
    }
}

/// What every window type does.
pub trait OutcomeWindow {
    /// Counts the outcome of a call known at `now` (never earlier than the last one) and
    /// returns the totals over the window at `now`.
    fn record(&mut self, now: SimTime, outcome: CallOutcome) -> Totals;
    /// Forgets every call (a fresh window, as on each change of state).
    fn clear(&mut self);
    /// Fewest calls before the rates are evaluated, given the configured minimum.
    fn minimum_calls(&self, configured: u64) -> u64;
}

/// The closed set of window types.
#[derive(Debug, Clone)]
pub enum Window {
    TimeBased(TimeWindow),
    CountBased(CountWindow),
}

impl OutcomeWindow for Window {
    fn record(&mut self, now: SimTime, outcome: CallOutcome) -> Totals {
        match self {
            Window::TimeBased(w) => w.record(now, outcome),
            Window::CountBased(w) => w.record(now, outcome),
        }
    }

    fn clear(&mut self) {
        match self {
            Window::TimeBased(w) => w.clear(),
            Window::CountBased(w) => w.clear(),
        }
    }

    fn minimum_calls(&self, configured: u64) -> u64 {
        match self {
            Window::TimeBased(w) => w.minimum_calls(configured),
            Window::CountBased(w) => w.minimum_calls(configured),
        }
    }
}

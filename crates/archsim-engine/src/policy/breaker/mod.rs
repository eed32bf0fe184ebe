//! Circuit breaker as resilience4j's `CircuitBreakerStateMachine`: stop calling a backend
//! that keeps failing or answering slowly, then let a few calls through to see.
//!
//! API (one breaker per edge that has `circuit_breaker` params):
//! ```text
//! let mut breaker = CircuitBreaker::new(&params);
//! if breaker.try_acquire(now) { send(); /* later: */ breaker.record(done_at, succeeded, took); }
//! else { /* short-circuit: fail the call at once without sending it */ }
//! breaker.release(now); // a permitted call that was not sent after all
//! breaker.state(now); breaker.times_opened(); breaker.short_circuited();
//! ```
//! Call `record` exactly once for every call that `try_acquire` let through and that was sent
//! (a timeout is a failure), `release` for one that was not sent; neither for a short-circuited
//! call.
//!
//! States:
//! - **Closed**: every call goes through. Each outcome goes into the sliding window (the
//!   [`window`] family: [`time_based`] or [`count_based`]); a call is *slow* when it took longer
//!   than `slow_call_duration_ms` (strictly), whether it succeeded or failed. Once the window
//!   holds the minimum number of calls, the breaker opens when failures/calls reaches
//!   `failure_threshold` or slow/calls reaches `slow_call_threshold` (both checked after each
//!   outcome, as resilience4j does).
//! - **Open**: every call is short-circuited for `open_ms`.
//! - **HalfOpen** (after `open_ms`), by the `half_open` rule:
//!   - `rates` (resilience4j): `half_open_probes` permits, each call let through takes one for
//!     good (a call not sent after all gives it back); further calls are short-circuited. The
//!     outcomes go into a count-based window of `half_open_probes` calls; once it holds
//!     `min(minimum_calls, half_open_probes)` of them, the breaker opens again if a rate
//!     reaches its threshold and closes otherwise.
//!   - `consecutive_successes` (format version 2): up to `half_open_probes` calls in flight at
//!     once; any failure reopens it, the `half_open_probes`-th success closes it.
//!
//! Each change of state starts with an empty window. Outcomes are attributed to the state the
//! breaker is in when they are *recorded*, as in resilience4j: a slow call let through while
//! closed that fails during half-open counts as a half-open call; while open, outcomes are
//! ignored.
//!
//! Open → HalfOpen needs no timer event. With `automatic_transition` (resilience4j's
//! scheduler) the breaker *is* half-open from the instant `open_ms` is over, for `state` and
//! for outcomes recorded from then on; without it, it stays open until the first
//! `try_acquire` at or after that instant. Calls are let through at the same moments either
//! way.

pub mod count_based;
pub mod time_based;
pub mod window;

#[cfg(test)]
mod tests_resilience4j;

use archsim_model::{BreakerParams, BreakerWindow, HalfOpenRule};

use self::count_based::CountWindow;
use self::time_based::TimeWindow;
use self::window::{CallOutcome, OutcomeWindow, Totals, Window};
use crate::time::{SimTime, from_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    failure_threshold: f64,
    slow_threshold: f64,
    /// Calls that took longer than this are slow; None: none is.
    slow_after: Option<SimTime>,
    minimum_calls: u64,
    open_for: SimTime,
    probes: u32,
    rule: HalfOpenRule,
    automatic: bool,
    /// The closed state's window.
    window: Window,
    /// The half-open state's window (`rates`): the last `probes` calls.
    trial: CountWindow,
    phase: Phase,
    times_opened: u64,
    short_circuited: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Closed,
    Open {
        until: SimTime,
    },
    /// `rates`: permits not yet taken.
    Trial {
        permits: u32,
    },
    /// `consecutive_successes`.
    Probing {
        in_flight: u32,
        successes: u32,
    },
}

impl CircuitBreaker {
    pub fn new(params: &BreakerParams) -> CircuitBreaker {
        let window = match params.window {
            BreakerWindow::TimeBased => {
                let bucket = from_ms(params.bucket_ms).max(1);
                let buckets = (params.window_ms / params.bucket_ms).round();
                let buckets = if buckets.is_finite() && buckets >= 1.0 {
                    buckets.min(u32::MAX as f64) as u32
                } else {
                    1
                };
                Window::TimeBased(TimeWindow::new(bucket, buckets))
            }
            BreakerWindow::CountBased => Window::CountBased(CountWindow::new(params.window_calls)),
        };
        let probes = params.half_open_probes.max(1);
        CircuitBreaker {
            failure_threshold: params.failure_threshold,
            slow_threshold: params.slow_call_threshold,
            slow_after: params.slow_call_duration_ms.map(from_ms),
            minimum_calls: u64::from(params.minimum_calls.max(1)),
            open_for: from_ms(params.open_ms),
            probes,
            rule: params.half_open,
            automatic: params.automatic_transition,
            window,
            trial: CountWindow::new(probes),
            phase: Phase::Closed,
            times_opened: 0,
            short_circuited: 0,
        }
    }

    /// May a call go out at `now`? False means short-circuit it. A true in half-open takes a
    /// permit (`rates`) or a probe slot (`consecutive_successes`).
    pub fn try_acquire(&mut self, now: SimTime) -> bool {
        self.advance(now);
        let allowed = match &mut self.phase {
            Phase::Closed => true,
            Phase::Open { .. } => false,
            Phase::Trial { permits } => {
                if *permits > 0 {
                    *permits -= 1;
                    true
                } else {
                    false
                }
            }
            Phase::Probing { in_flight, .. } => {
                if *in_flight < self.probes {
                    *in_flight += 1;
                    true
                } else {
                    false
                }
            }
        };
        if !allowed {
            self.short_circuited += 1;
        }
        allowed
    }

    /// A call `try_acquire` let through was not sent after all (refused by something after the
    /// breaker): give back what it took (resilience4j's `releasePermission`).
    pub fn release(&mut self) {
        match &mut self.phase {
            Phase::Trial { permits } => *permits = (*permits + 1).min(self.probes),
            Phase::Probing { in_flight, .. } => *in_flight = in_flight.saturating_sub(1),
            Phase::Closed | Phase::Open { .. } => {}
        }
    }

    /// The outcome of a call that `try_acquire` let through, known at `now`, `took` after it
    /// was sent.
    pub fn record(&mut self, now: SimTime, success: bool, took: SimTime) {
        if self.automatic {
            self.advance(now);
        }
        let outcome = CallOutcome {
            failed: !success,
            slow: self.slow_after.is_some_and(|limit| took > limit),
        };
        match &mut self.phase {
            Phase::Closed => {
                let totals = self.window.record(now, outcome);
                if totals.calls >= self.window.minimum_calls(self.minimum_calls)
                    && self.above_thresholds(totals)
                {
                    self.open(now);
                }
            }
            Phase::Open { .. } => {}
            Phase::Trial { .. } => {
                let totals = self.trial.record(now, outcome);
                if totals.calls >= self.trial.minimum_calls(self.minimum_calls) {
                    if self.above_thresholds(totals) {
                        self.open(now);
                    } else {
                        self.close();
                    }
                }
            }
            Phase::Probing {
                in_flight,
                successes,
            } => {
                *in_flight = in_flight.saturating_sub(1);
                if !success {
                    self.open(now);
                } else {
                    *successes += 1;
                    if *successes >= self.probes {
                        self.close();
                    }
                }
            }
        }
    }

    /// The state at `now` (with `automatic_transition`, an open breaker whose `open_ms` has
    /// passed reports HalfOpen).
    pub fn state(&self, now: SimTime) -> BreakerState {
        match self.phase {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { until } if now < until || !self.automatic => BreakerState::Open,
            Phase::Open { .. } | Phase::Trial { .. } | Phase::Probing { .. } => {
                BreakerState::HalfOpen
            }
        }
    }

    /// While open: when calls will be let through again. None otherwise.
    pub fn open_until(&self) -> Option<SimTime> {
        match self.phase {
            Phase::Open { until } => Some(until),
            _ => None,
        }
    }

    /// How many times the breaker has opened (half-open → open included).
    pub fn times_opened(&self) -> u64 {
        self.times_opened
    }

    /// Calls refused by `try_acquire`.
    pub fn short_circuited(&self) -> u64 {
        self.short_circuited
    }

    fn advance(&mut self, now: SimTime) {
        if let Phase::Open { until } = self.phase
            && now >= until
        {
            self.phase = match self.rule {
                HalfOpenRule::Rates => {
                    self.trial.clear();
                    Phase::Trial {
                        permits: self.probes,
                    }
                }
                HalfOpenRule::ConsecutiveSuccesses => Phase::Probing {
                    in_flight: 0,
                    successes: 0,
                },
            };
        }
    }

    /// A rate at or above its threshold (resilience4j compares with `>=`). A rate of zero never
    /// opens, whatever the threshold.
    fn above_thresholds(&self, totals: Totals) -> bool {
        let calls = totals.calls as f64;
        let failing =
            totals.failures > 0 && totals.failures as f64 / calls >= self.failure_threshold;
        let slow = totals.slow > 0 && totals.slow as f64 / calls >= self.slow_threshold;
        failing || slow
    }

    fn open(&mut self, now: SimTime) {
        self.phase = Phase::Open {
            until: now.saturating_add(self.open_for),
        };
        self.times_opened += 1;
        self.window.clear();
    }

    fn close(&mut self) {
        self.phase = Phase::Closed;
        self.window.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: SimTime = 1_000_000;

    /// A breaker as format version 2 had it: a 1 s window in tenths, and half-open closed by
    /// consecutive successes.
    fn params() -> BreakerParams {
        BreakerParams {
            failure_threshold: 0.5,
            minimum_calls: 4,
            window_ms: 1_000.0,
            bucket_ms: 100.0,
            open_ms: 500.0,
            half_open_probes: 2,
            half_open: HalfOpenRule::ConsecutiveSuccesses,
            ..BreakerParams::default()
        }
    }

    fn call(breaker: &mut CircuitBreaker, now: SimTime, success: bool) -> bool {
        let allowed = breaker.try_acquire(now);
        if allowed {
            breaker.record(now, success, 0);
        }
        allowed
    }

    /// A breaker opened at 10 ms by four failures.
    fn opened() -> CircuitBreaker {
        let mut breaker = CircuitBreaker::new(&params());
        for _ in 0..4 {
            assert!(call(&mut breaker, 10 * MS, false));
        }
        assert_eq!(breaker.state(10 * MS), BreakerState::Open);
        breaker
    }

    #[test]
    fn starts_closed_and_lets_calls_through() {
        let mut breaker = CircuitBreaker::new(&params());
        assert_eq!(breaker.state(0), BreakerState::Closed);
        assert!(breaker.try_acquire(0));
        assert_eq!(breaker.short_circuited(), 0);
    }

    #[test]
    fn stays_closed_below_minimum_calls() {
        let mut breaker = CircuitBreaker::new(&params());
        for _ in 0..3 {
            call(&mut breaker, MS, false);
        }
        assert_eq!(
            breaker.state(MS),
            BreakerState::Closed,
            "3 failures < minimum 4"
        );
        call(&mut breaker, MS, false);
        assert_eq!(breaker.state(MS), BreakerState::Open);
        assert_eq!(breaker.times_opened(), 1);
    }

    #[test]
    fn stays_closed_below_failure_threshold() {
        let mut breaker = CircuitBreaker::new(&params());
        for i in 0..20 {
            // S S F S S F …: never above 1 failure in 3 (33% < 50%).
            call(&mut breaker, MS, i % 3 != 2);
        }
        assert_eq!(breaker.state(MS), BreakerState::Closed);
        // Exactly at the threshold opens: 2 failures + 2 successes in a fresh breaker.
        let mut breaker = CircuitBreaker::new(&params());
        for success in [true, false, true, false] {
            call(&mut breaker, MS, success);
        }
        assert_eq!(breaker.state(MS), BreakerState::Open);
    }

    #[test]
    fn open_short_circuits_until_open_ms_has_passed() {
        let mut breaker = opened();
        assert_eq!(breaker.open_until(), Some(510 * MS));
        assert!(!breaker.try_acquire(10 * MS));
        assert!(!breaker.try_acquire(510 * MS - 1));
        assert_eq!(breaker.short_circuited(), 2);
        assert_eq!(breaker.state(510 * MS - 1), BreakerState::Open);
        assert_eq!(breaker.state(510 * MS), BreakerState::HalfOpen);
        assert!(breaker.try_acquire(510 * MS));
    }

    #[test]
    fn half_open_limits_probes_in_flight() {
        let mut breaker = opened();
        let t = 600 * MS;
        assert!(breaker.try_acquire(t));
        assert!(breaker.try_acquire(t));
        assert!(!breaker.try_acquire(t), "only 2 probes at once");
        breaker.record(t, true, 0);
        assert_eq!(breaker.state(t), BreakerState::HalfOpen, "1 success of 2");
        assert!(breaker.try_acquire(t), "a finished probe frees its slot");
    }

    #[test]
    fn half_open_closes_after_enough_successful_probes() {
        let mut breaker = opened();
        let t = 600 * MS;
        assert!(call(&mut breaker, t, true));
        assert!(call(&mut breaker, t, true));
        assert_eq!(breaker.state(t), BreakerState::Closed);
        assert_eq!(breaker.open_until(), None);
        // The window started empty: three failures don't reopen it (minimum 4).
        for _ in 0..3 {
            call(&mut breaker, t, false);
        }
        assert_eq!(breaker.state(t), BreakerState::Closed);
    }

    #[test]
    fn any_probe_failure_reopens_for_another_open_period() {
        let mut breaker = opened();
        let t = 600 * MS;
        assert!(call(&mut breaker, t, true));
        assert!(call(&mut breaker, t, false));
        assert_eq!(breaker.state(t), BreakerState::Open);
        assert_eq!(breaker.open_until(), Some(t + 500 * MS));
        assert_eq!(breaker.times_opened(), 2);
        assert!(!breaker.try_acquire(t + 499 * MS));
        assert!(breaker.try_acquire(t + 500 * MS));
    }

    #[test]
    fn old_failures_leave_the_window() {
        let mut breaker = CircuitBreaker::new(&params());
        for _ in 0..3 {
            call(&mut breaker, 0, false);
        }
        // 1 s later the bucket holding those failures has aged out.
        call(&mut breaker, 1_000 * MS, false);
        assert_eq!(breaker.state(1_000 * MS), BreakerState::Closed);
        // Within the window they still count.
        let mut breaker = CircuitBreaker::new(&params());
        for _ in 0..3 {
            call(&mut breaker, 0, false);
        }
        call(&mut breaker, 899 * MS, false);
        assert_eq!(breaker.state(899 * MS), BreakerState::Open);
    }

    #[test]
    fn outcomes_recorded_while_open_are_ignored() {
        let mut breaker = opened();
        for _ in 0..10 {
            breaker.record(20 * MS, true, 0);
        }
        assert_eq!(breaker.state(20 * MS), BreakerState::Open);
        assert_eq!(breaker.open_until(), Some(510 * MS));
    }

    #[test]
    fn zero_probes_and_zero_minimum_still_work() {
        let mut breaker = CircuitBreaker::new(&BreakerParams {
            failure_threshold: 0.0,
            minimum_calls: 0,
            window_ms: 0.0,
            bucket_ms: 0.0,
            open_ms: 0.0,
            half_open_probes: 0,
            half_open: HalfOpenRule::ConsecutiveSuccesses,
            ..BreakerParams::default()
        });
        assert!(call(&mut breaker, 0, true));
        assert_eq!(
            breaker.state(0),
            BreakerState::Closed,
            "no failure, no opening"
        );
        assert!(call(&mut breaker, 0, false));
        assert_eq!(breaker.times_opened(), 1);
        // open_ms 0: half-open at once, one probe closes it.
        assert!(call(&mut breaker, 0, true));
        assert_eq!(breaker.state(0), BreakerState::Closed);
    }
}

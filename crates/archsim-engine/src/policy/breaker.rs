//! Circuit breaker: stop calling a backend that keeps failing, then probe it carefully.
//!
//! API (one breaker per edge that has `circuit_breaker` params):
//! ```text
//! let mut breaker = CircuitBreaker::new(&params);
//! if breaker.try_acquire(now) { send(); /* later: */ breaker.record(done_at, succeeded); }
//! else { /* short-circuit: fail the call at once without sending it */ }
//! breaker.state(now); breaker.times_opened(); breaker.short_circuited();
//! ```
//! Call `record` exactly once for every call that `try_acquire` let through (a timeout is a
//! failure). Never call it for a short-circuited call.
//!
//! States:
//! - **Closed**: every call goes through. Outcomes are counted in a rolling window of
//!   `window_ms`. The breaker opens when the window holds at least `minimum_calls` calls (and at
//!   least one) with at least one failure, and failures/calls ≥ `failure_threshold`.
//! - **Open**: every call is short-circuited for `open_ms`, which gives the backend room to
//!   recover instead of being hammered by calls that will fail anyway.
//! - **HalfOpen**: after `open_ms`, up to `half_open_probes` calls may be in flight at once.
//!   `half_open_probes` successes close the breaker (with an empty window); any failure reopens
//!   it for another `open_ms`. Further calls are short-circuited while the probe slots are full.
//!
//! The Open → HalfOpen change happens lazily, on the first `try_acquire`/`state` at or after the
//! deadline, so the breaker needs no timer event. Outcomes are attributed to the state the
//! breaker is in when they are *recorded* (as Resilience4j does): a slow call let through while
//! closed that fails during half-open counts as a failed probe; while open, outcomes are ignored.
//!
//! The window is [`WINDOW_BUCKETS`] buckets of `window_ms / WINDOW_BUCKETS` each, so memory is
//! fixed and every operation is O(WINDOW_BUCKETS). A call is forgotten between
//! `window_ms · (1 − 1/WINDOW_BUCKETS)` and `window_ms` after it was recorded (its bucket ages
//! out whole), the usual precision of a bucketed rolling window.

use archsim_model::design::BreakerParams;

use crate::time::{SimTime, from_ms};

/// Sub-buckets of the rolling window.
pub const WINDOW_BUCKETS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    failure_threshold: f64,
    minimum_calls: u32,
    open_for: SimTime,
    probes: u32,
    window: RollingWindow,
    phase: Phase,
    times_opened: u64,
    short_circuited: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Closed,
    Open { until: SimTime },
    HalfOpen { in_flight: u32, successes: u32 },
}

impl CircuitBreaker {
    pub fn new(params: &BreakerParams) -> CircuitBreaker {
        CircuitBreaker {
            failure_threshold: params.failure_threshold,
            minimum_calls: params.minimum_calls.max(1),
            open_for: from_ms(params.open_ms),
            probes: params.half_open_probes.max(1),
            window: RollingWindow::new(from_ms(params.window_ms)),
            phase: Phase::Closed,
            times_opened: 0,
            short_circuited: 0,
        }
    }

    /// May a call go out at `now`? False means short-circuit it. A true in half-open takes a
    /// probe slot, freed by the matching `record`.
    pub fn try_acquire(&mut self, now: SimTime) -> bool {
        self.advance(now);
        let allowed = match &mut self.phase {
            Phase::Closed => true,
            Phase::Open { .. } => false,
            Phase::HalfOpen { in_flight, .. } => {
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

    /// The outcome of a call that `try_acquire` let through, known at `now`.
    pub fn record(&mut self, now: SimTime, success: bool) {
        self.advance(now);
        match &mut self.phase {
            Phase::Closed => {
                self.window.add(now, success);
                if self.should_open(now) {
                    self.open(now);
                }
            }
            Phase::Open { .. } => {}
            Phase::HalfOpen {
                in_flight,
                successes,
            } => {
                *in_flight = in_flight.saturating_sub(1);
                if !success {
                    self.open(now);
                } else {
                    *successes += 1;
                    if *successes >= self.probes {
                        self.phase = Phase::Closed;
                        self.window.clear();
                    }
                }
            }
        }
    }

    /// The state at `now` (an open breaker whose `open_ms` has passed reports HalfOpen).
    pub fn state(&self, now: SimTime) -> BreakerState {
        match self.phase {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { until } if now < until => BreakerState::Open,
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// While open: when probes will be let through. None otherwise.
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
            self.phase = Phase::HalfOpen {
                in_flight: 0,
                successes: 0,
            };
        }
    }

    fn should_open(&self, now: SimTime) -> bool {
        let (calls, failures) = self.window.totals(now);
        calls >= u64::from(self.minimum_calls)
            && failures > 0
            && failures as f64 >= self.failure_threshold * calls as f64
    }

    fn open(&mut self, now: SimTime) {
        self.phase = Phase::Open {
            until: now.saturating_add(self.open_for),
        };
        self.times_opened += 1;
        self.window.clear();
    }
}

/// Call and failure counts over the last `WINDOW_BUCKETS` buckets of time.
#[derive(Debug, Clone)]
struct RollingWindow {
    bucket_width: SimTime,
    /// Slot `i` holds bucket number `epoch` (time / width) with `epoch % WINDOW_BUCKETS == i`.
    buckets: [Bucket; WINDOW_BUCKETS],
}

#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    epoch: u64,
    calls: u64,
    failures: u64,
}

impl RollingWindow {
    fn new(window: SimTime) -> RollingWindow {
        RollingWindow {
            bucket_width: (window / WINDOW_BUCKETS as u64).max(1),
            buckets: [Bucket::default(); WINDOW_BUCKETS],
        }
    }

    fn add(&mut self, now: SimTime, success: bool) {
        let epoch = now / self.bucket_width;
        let bucket = &mut self.buckets[(epoch % WINDOW_BUCKETS as u64) as usize];
        if bucket.epoch != epoch {
            *bucket = Bucket {
                epoch,
                calls: 0,
                failures: 0,
            };
        }
        bucket.calls += 1;
        bucket.failures += u64::from(!success);
    }

    /// (calls, failures) in the buckets still inside the window at `now`.
    fn totals(&self, now: SimTime) -> (u64, u64) {
        let current = now / self.bucket_width;
        let oldest = current.saturating_sub(WINDOW_BUCKETS as u64 - 1);
        self.buckets
            .iter()
            .filter(|b| b.calls > 0 && (oldest..=current).contains(&b.epoch))
            .fold((0, 0), |(c, f), b| (c + b.calls, f + b.failures))
    }

    fn clear(&mut self) {
        self.buckets = [Bucket::default(); WINDOW_BUCKETS];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: SimTime = 1_000_000;

    fn params() -> BreakerParams {
        BreakerParams {
            failure_threshold: 0.5,
            minimum_calls: 4,
            window_ms: 1_000.0,
            open_ms: 500.0,
            half_open_probes: 2,
        }
    }

    fn call(breaker: &mut CircuitBreaker, now: SimTime, success: bool) -> bool {
        let allowed = breaker.try_acquire(now);
        if allowed {
            breaker.record(now, success);
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
        breaker.record(t, true);
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
            breaker.record(20 * MS, true);
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
            open_ms: 0.0,
            half_open_probes: 0,
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

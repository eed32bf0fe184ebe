//! The breaker against resilience4j's `CircuitBreakerStateMachine` on exact traces: the
//! count-based window with its capped minimum, slow calls, the half-open permits and their
//! decision, `releasePermission`, and the transition with and without the scheduler.

use archsim_model::{BreakerParams, BreakerWindow, HalfOpenRule};

use super::{BreakerState, CircuitBreaker};
use crate::time::SimTime;

const MS: SimTime = 1_000_000;

/// resilience4j's config in the tests below: COUNT_BASED over 5 calls, minimumNumberOfCalls 5,
/// failureRateThreshold 50, waitDurationInOpenState 1 s, permittedNumberOfCallsInHalfOpenState 3.
fn count_based() -> BreakerParams {
    BreakerParams {
        failure_threshold: 0.5,
        minimum_calls: 5,
        window: BreakerWindow::CountBased,
        window_calls: 5,
        open_ms: 1_000.0,
        half_open_probes: 3,
        half_open: HalfOpenRule::Rates,
        ..BreakerParams::default()
    }
}

/// Sends a call at `now` that answers `took` later with `success`; false if short-circuited.
fn call(breaker: &mut CircuitBreaker, now: SimTime, success: bool, took: SimTime) -> bool {
    let allowed = breaker.try_acquire(now);
    if allowed {
        breaker.record(now + took, success, took);
    }
    allowed
}

fn opened(params: &BreakerParams) -> CircuitBreaker {
    let mut breaker = CircuitBreaker::new(params);
    for _ in 0..params.minimum_calls.max(params.window_calls) {
        call(&mut breaker, 0, false, 0);
    }
    assert_eq!(breaker.state(0), BreakerState::Open);
    breaker
}

#[test]
fn count_based_window_evaluates_at_the_minimum_and_opens_at_the_threshold() {
    let mut breaker = CircuitBreaker::new(&count_based());
    for success in [true, false, true, false] {
        call(&mut breaker, 0, success, 0);
    }
    assert_eq!(
        breaker.state(0),
        BreakerState::Closed,
        "4 calls < minimum 5"
    );
    call(&mut breaker, 0, false, 0);
    // 3 failures of 5: 60% ≥ 50%.
    assert_eq!(breaker.state(0), BreakerState::Open);
}

#[test]
fn count_based_window_slides_over_the_last_n_calls() {
    let mut breaker = CircuitBreaker::new(&count_based());
    // F S S S S: 20%; then S pushes the failure out: 0%; then F F: 2 of 5 = 40%.
    for success in [false, true, true, true, true, true, false, false] {
        call(&mut breaker, 0, success, 0);
    }
    assert_eq!(breaker.state(0), BreakerState::Closed);
    // One more failure: the last 5 are S S F F F, 60%.
    call(&mut breaker, 0, false, 0);
    assert_eq!(breaker.state(0), BreakerState::Open);
}

#[test]
fn count_based_minimum_is_capped_by_the_window_size() {
    // minimumNumberOfCalls 100 over a window of 5 calls evaluates after 5 (resilience4j's
    // `min(minimumNumberOfCalls, slidingWindowSize)`).
    let mut breaker = CircuitBreaker::new(&BreakerParams {
        minimum_calls: 100,
        ..count_based()
    });
    for _ in 0..5 {
        call(&mut breaker, 0, false, 0);
    }
    assert_eq!(breaker.state(0), BreakerState::Open);
}

#[test]
fn time_based_minimum_is_not_capped() {
    let mut breaker = CircuitBreaker::new(&BreakerParams {
        minimum_calls: 100,
        window: BreakerWindow::TimeBased,
        ..count_based()
    });
    for _ in 0..99 {
        call(&mut breaker, 0, false, 0);
    }
    assert_eq!(breaker.state(0), BreakerState::Closed);
    call(&mut breaker, 0, false, 0);
    assert_eq!(breaker.state(0), BreakerState::Open);
}

#[test]
fn a_call_slower_than_the_duration_is_slow_whether_it_succeeded_or_failed() {
    let params = BreakerParams {
        failure_threshold: 1.0,
        slow_call_duration_ms: Some(100.0),
        slow_call_threshold: 0.5,
        minimum_calls: 4,
        window_calls: 4,
        ..count_based()
    };
    let mut breaker = CircuitBreaker::new(&params);
    // Exactly the duration is not slow (resilience4j: `duration > threshold`).
    call(&mut breaker, 0, true, 100 * MS);
    call(&mut breaker, 0, true, 150 * MS);
    call(&mut breaker, 0, true, 10 * MS);
    call(&mut breaker, 0, true, 100 * MS);
    assert_eq!(breaker.state(MS), BreakerState::Closed, "1 slow of 4: 25%");
    // A slow failure counts as slow (and as a failure): the last 4 are 150, 10, 100, 101+.
    call(&mut breaker, 0, false, 101 * MS);
    assert_eq!(
        breaker.state(200 * MS),
        BreakerState::Open,
        "2 slow of 4: 50%"
    );
}

#[test]
fn without_a_slow_call_duration_no_call_is_slow() {
    let params = BreakerParams {
        failure_threshold: 1.0,
        slow_call_threshold: 0.01,
        ..count_based()
    };
    let mut breaker = CircuitBreaker::new(&params);
    for _ in 0..10 {
        call(&mut breaker, 0, true, 3_600_000 * MS);
    }
    assert_eq!(breaker.state(0), BreakerState::Closed);
}

#[test]
fn half_open_permits_exactly_the_configured_calls_until_it_decides() {
    let mut breaker = opened(&count_based());
    let t = 1_000 * MS;
    assert_eq!(breaker.state(t), BreakerState::HalfOpen);
    assert!(breaker.try_acquire(t));
    assert!(breaker.try_acquire(t));
    assert!(breaker.try_acquire(t));
    assert!(!breaker.try_acquire(t), "a fourth call is not permitted");
    breaker.record(t, true, 0);
    assert!(
        !breaker.try_acquire(t),
        "an answered call does not give its permit back"
    );
    breaker.record(t, false, 0);
    assert_eq!(breaker.state(t), BreakerState::HalfOpen, "2 of 3 answered");
    breaker.record(t, true, 0);
    // 1 failure of 3: 33% < 50%: closed, with an empty window.
    assert_eq!(breaker.state(t), BreakerState::Closed);
    for _ in 0..4 {
        call(&mut breaker, t, false, 0);
    }
    assert_eq!(
        breaker.state(t),
        BreakerState::Closed,
        "4 calls < minimum 5"
    );
}

#[test]
fn half_open_reopens_when_its_calls_reach_a_threshold() {
    let mut breaker = opened(&count_based());
    let t = 1_000 * MS;
    for success in [true, false, false] {
        assert!(call(&mut breaker, t, success, 0));
    }
    // 2 failures of 3: 67% ≥ 50%.
    assert_eq!(breaker.state(t), BreakerState::Open);
    assert_eq!(breaker.open_until(), Some(t + 1_000 * MS));
    assert_eq!(breaker.times_opened(), 2);
    // The next half-open period has fresh permits.
    assert!(call(&mut breaker, t + 1_000 * MS, true, 0));
}

#[test]
fn half_open_decides_at_the_minimum_when_it_is_below_the_permitted_calls() {
    // minimumNumberOfCalls 2 < permittedNumberOfCallsInHalfOpenState 3: the half-open window's
    // minimum is min(2, 3) = 2.
    let params = BreakerParams {
        minimum_calls: 2,
        ..count_based()
    };
    let mut breaker = CircuitBreaker::new(&params);
    call(&mut breaker, 0, false, 0);
    call(&mut breaker, 0, false, 0);
    assert_eq!(breaker.state(0), BreakerState::Open);
    let t = 1_000 * MS;
    call(&mut breaker, t, true, 0);
    assert_eq!(breaker.state(t), BreakerState::HalfOpen);
    call(&mut breaker, t, false, 0);
    // 1 of 2 failed: 50% ≥ 50%.
    assert_eq!(breaker.state(t), BreakerState::Open);
}

#[test]
fn a_permit_released_by_a_call_not_sent_can_be_taken_again() {
    let mut breaker = opened(&count_based());
    let t = 1_000 * MS;
    for _ in 0..3 {
        assert!(breaker.try_acquire(t));
    }
    assert!(!breaker.try_acquire(t));
    breaker.release();
    assert!(breaker.try_acquire(t));
}

#[test]
fn without_automatic_transition_the_breaker_stays_open_until_a_call_asks() {
    let params = BreakerParams {
        automatic_transition: false,
        ..count_based()
    };
    let mut breaker = opened(&params);
    let later = 5_000 * MS;
    assert_eq!(breaker.state(later), BreakerState::Open);
    // A late answer of a call sent while closed is ignored: still open, not a half-open call.
    breaker.record(later, false, 0);
    assert_eq!(breaker.times_opened(), 1);
    assert!(breaker.try_acquire(later));
    assert_eq!(breaker.state(later), BreakerState::HalfOpen);
}

#[test]
fn with_automatic_transition_a_late_answer_counts_as_a_half_open_call() {
    let mut breaker = opened(&count_based());
    let t = 1_000 * MS;
    assert_eq!(breaker.state(t), BreakerState::HalfOpen);
    for _ in 0..3 {
        breaker.record(t, false, 0);
    }
    assert_eq!(breaker.state(t), BreakerState::Open);
    assert_eq!(breaker.times_opened(), 2);
}

#[test]
fn default_time_based_window_is_ten_one_second_buckets() {
    // resilience4j's defaults: TIME_BASED 10 s (aligned seconds), minimum 20 here.
    let mut breaker = CircuitBreaker::new(&BreakerParams::default());
    let second = 1_000 * MS;
    for _ in 0..10 {
        call(&mut breaker, second - 1, false, 0); // the end of bucket 0
    }
    // At 10 s bucket 0 has left the window: these 10 alone are below the minimum of 20.
    for _ in 0..10 {
        call(&mut breaker, 10 * second, false, 0);
    }
    assert_eq!(breaker.state(10 * second), BreakerState::Closed);
    // At 9.999 s they would have been 20.
    let mut breaker = CircuitBreaker::new(&BreakerParams::default());
    for _ in 0..10 {
        call(&mut breaker, second - 1, false, 0);
    }
    for _ in 0..10 {
        call(&mut breaker, 10 * second - 1, false, 0);
    }
    assert_eq!(breaker.state(10 * second - 1), BreakerState::Open);
}

//! Retries: whether a failed call is tried again, and how long to wait first.
//!
//! API (per edge with a `retry` policy):
//! ```text
//! if should_retry(&policy, attempts_made, RetryCause::Error) {
//!     let delay: SimTime = backoff(&policy, attempts_made, &mut rng); // retry number = attempts made
//!     schedule(now + delay, retry);
//! }
//! ```
//!
//! Back-off before retry `n` (1-based: the first retry is the second attempt) is
//! `base_ms · multiplier^(n−1)`, capped at `max_backoff_ms`. Growing waits give an overloaded
//! backend time to recover instead of tripling its load at once. Jitter spreads the retries of
//! many callers that failed together so they don't return as a synchronised wave:
//! - `None`: exactly the back-off `d`; no random draw.
//! - `Full`: uniform in `[0, d]` (mean `d/2`), the most spread.
//! - `Equal`: `d/2` plus uniform in `[0, d/2]` (mean `3d/4`): spread, with a guaranteed minimum.
//!
//! The power uses `libm::pow` (bit-identical natively and in WASM); jitter is drawn in whole
//! nanoseconds with one unbiased `SimRng::below` per call, so it is exact. O(1).
//!
//! Which failures are retried, while attempts remain: errors and rejections (a full queue, a rate
//! limiter, an open breaker, no healthy backend, a down node) always; a timeout only when
//! `retry_on_timeout` is set, because the timed-out attempt may still be running and a retry
//! adds load to a backend that is already slow. Successes are never retried, so the caller
//! only asks about failures, classified as a [`RetryCause`].

use archsim_model::design::{Jitter, RetryPolicy};

use crate::rng::SimRng;
use crate::time::{SimTime, from_ms};

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryCause {
    /// The callee answered with an error.
    Error,
    /// Turned away without being served: queue full, rate limited, breaker open, no healthy
    /// backend, node down.
    Rejected,
    /// The caller stopped waiting.
    Timeout,
}

/// Should a call whose latest attempt failed with `cause` be tried again, after `attempts_made`
/// attempts (the first one included)?
pub fn should_retry(policy: &RetryPolicy, attempts_made: u32, cause: RetryCause) -> bool {
    let retryable = match cause {
        RetryCause::Error | RetryCause::Rejected => true,
        RetryCause::Timeout => policy.retry_on_timeout,
    };
    retryable && attempts_made < policy.max_attempts
}

/// The wait before retry number `retry` (1-based; 0 counts as 1), jitter included.
pub fn backoff(policy: &RetryPolicy, retry: u32, rng: &mut SimRng) -> SimTime {
    let full = base_backoff(policy, retry);
    match policy.jitter {
        Jitter::None => full,
        Jitter::Full => uniform_inclusive(rng, 0, full),
        Jitter::Equal => {
            let half = full / 2;
            uniform_inclusive(rng, half, full)
        }
    }
}

/// The wait before retry number `retry` without jitter: `base · multiplier^(retry−1)`, capped.
pub fn base_backoff(policy: &RetryPolicy, retry: u32) -> SimTime {
    // A zero base stays zero however large the power (0 · ∞ would be NaN).
    if policy.base_ms.is_nan() || policy.base_ms <= 0.0 {
        return 0;
    }
    let exponent = f64::from(retry.max(1) - 1);
    let grown = policy.base_ms * libm::pow(policy.multiplier, exponent);
    // Overflow to ∞ ends at the cap; `from_ms` turns negatives and NaN into 0.
    from_ms(grown.min(policy.max_backoff_ms))
}

/// Uniform integer in `[low, high]`, one draw.
fn uniform_inclusive(rng: &mut SimRng, low: SimTime, high: SimTime) -> SimTime {
    let span = high - low;
    match span.checked_add(1) {
        Some(outcomes) => low + rng.below(outcomes),
        None => rand_core::RngCore::next_u64(rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;
    use rand_core::RngCore;

    const MS: SimTime = 1_000_000;

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_ms: 50.0,
            multiplier: 2.0,
            max_backoff_ms: 1_000.0,
            jitter,
            retry_on_timeout: false,
        }
    }

    fn rng() -> SimRng {
        SimRng::derive(8, 0, StreamKind::Edge, 0)
    }

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        let policy = policy(Jitter::None);
        let mut rng = rng();
        let waits: Vec<SimTime> = (1..=7)
            .map(|n| backoff(&policy, n, &mut rng) / MS)
            .collect();
        assert_eq!(waits, vec![50, 100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(
            backoff(&policy, 0, &mut rng),
            50 * MS,
            "retry 0 counts as the first"
        );
    }

    #[test]
    fn huge_retry_numbers_stay_at_the_cap() {
        let policy = policy(Jitter::None);
        assert_eq!(base_backoff(&policy, u32::MAX), 1_000 * MS);
        let zero_base = RetryPolicy {
            base_ms: 0.0,
            ..policy.clone()
        };
        // 0 · 2^(2^32) is 0 · ∞ = NaN in floating point; a zero base must stay zero.
        assert_eq!(base_backoff(&zero_base, u32::MAX), 0);
        assert_eq!(base_backoff(&zero_base, 3), 0);
    }

    #[test]
    fn multiplier_one_gives_constant_backoff() {
        let constant = RetryPolicy {
            multiplier: 1.0,
            ..policy(Jitter::None)
        };
        for n in 1..10 {
            assert_eq!(base_backoff(&constant, n), 50 * MS);
        }
    }

    #[test]
    fn no_jitter_makes_no_random_draw() {
        let mut used = rng();
        backoff(&policy(Jitter::None), 3, &mut used);
        assert_eq!(used.next_u64(), rng().next_u64());
    }

    /// (min, max, mean) of `samples` jittered waits before retry 3 (base 200 ms), in ns.
    fn jitter_stats(jitter: Jitter, samples: u32) -> (SimTime, SimTime, f64) {
        let policy = policy(jitter);
        let mut rng = rng();
        let waits: Vec<SimTime> = (0..samples)
            .map(|_| backoff(&policy, 3, &mut rng))
            .collect();
        let sum: f64 = waits.iter().map(|&w| w as f64).sum();
        (
            *waits.iter().min().unwrap(),
            *waits.iter().max().unwrap(),
            sum / f64::from(samples),
        )
    }

    #[test]
    fn full_jitter_is_uniform_between_zero_and_the_backoff() {
        let (min, max, mean) = jitter_stats(Jitter::Full, 100_000);
        assert!(max <= 200 * MS);
        // Extremes come within 0.1% of the ends, and the mean is d/2 (σ of the mean ≈ 0.18 ms).
        assert!(min < MS / 5 && max > 200 * MS - MS / 5, "{min} {max}");
        assert!((mean - 100e6).abs() < 1e6, "mean {mean}");
    }

    #[test]
    fn equal_jitter_stays_between_half_and_all_of_the_backoff() {
        let (min, max, mean) = jitter_stats(Jitter::Equal, 100_000);
        assert!(min >= 100 * MS && max <= 200 * MS, "{min} {max}");
        assert!(
            min < 100 * MS + MS / 5 && max > 200 * MS - MS / 5,
            "{min} {max}"
        );
        assert!((mean - 150e6).abs() < 0.5e6, "mean {mean}");
    }

    #[test]
    fn jittered_backoff_is_reproducible_from_the_seed() {
        let policy = policy(Jitter::Full);
        let draw = || {
            let mut rng = rng();
            (1..=5)
                .map(|n| backoff(&policy, n, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(), draw());
    }

    #[test]
    fn should_retry_respects_max_attempts() {
        let policy = policy(Jitter::None);
        assert!(should_retry(&policy, 1, RetryCause::Error));
        assert!(should_retry(&policy, 3, RetryCause::Error));
        assert!(
            !should_retry(&policy, 4, RetryCause::Error),
            "4 attempts in all"
        );
        let once = RetryPolicy {
            max_attempts: 1,
            ..policy
        };
        assert!(
            !should_retry(&once, 1, RetryCause::Error),
            "1 means no retry"
        );
    }

    #[test]
    fn should_retry_retries_timeouts_only_when_asked() {
        let mut policy = policy(Jitter::None);
        assert!(!should_retry(&policy, 1, RetryCause::Timeout));
        policy.retry_on_timeout = true;
        assert!(should_retry(&policy, 1, RetryCause::Timeout));
    }

    #[test]
    fn should_retry_retries_errors_and_rejections() {
        let policy = policy(Jitter::None);
        assert!(should_retry(&policy, 1, RetryCause::Error));
        assert!(should_retry(&policy, 1, RetryCause::Rejected));
        assert!(!should_retry(&policy, 4, RetryCause::Rejected));
    }
}

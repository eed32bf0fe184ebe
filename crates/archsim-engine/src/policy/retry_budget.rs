//! A retry budget with the semantics of Finagle's `RetryBudget` (its `TokenRetryBudget` over
//! twitter-util's leaky `TokenBucket` and `WindowedAdder`), in simulated time:
//!
//! - Tokens are scaled by 1000 so that fractional percentages stay integers. A call made
//!   deposits 1000 tokens (0 when `percent_can_retry` is 0: then only the reserve allows
//!   retries); a retry costs `floor(1000 / percent_can_retry)` tokens (1 when it is 0).
//! - The balance is the sum of the deposits and withdrawals of the last `ttl`, kept in 10 slices
//!   of `ttl / 10` (the newest one being written), plus a constant reserve of
//!   `min_retries_per_sec · floor(ttl in seconds) · cost`. A retry is allowed, and withdrawn,
//!   only when the balance is at least its cost; a refused retry leaves the balance untouched.
//! - Slices age as `WindowedAdder` ages them: when an operation finds that a slice's width has
//!   passed since the current slice began, the current slice is stored, the slices skipped
//!   over since are cleared, and a new slice begins *at that operation's time* (not at a
//!   multiple of the width).
//!
//! So with the defaults (20%, 10/s, 10 s), 100 calls allow 20 retries on top of the 100
//! reserve retries of any 10 s, and after 10 s without traffic only the reserve is left.

use archsim_model::design::RetryBudgetParams;

use crate::time::{SimTime, from_ms};

/// Tokens per call: Finagle's scale factor.
const SCALE: i64 = 1_000;
/// Slices of the window, the newest included (twitter-util's leaky bucket uses 10).
const SLICES: usize = 10;

#[derive(Debug, Clone)]
pub struct RetryBudget {
    deposit: i64,
    withdrawal: i64,
    reserve: i64,
    window: WindowedSum,
}

impl RetryBudget {
    /// A budget whose window starts at `now`.
    pub fn new(p: &RetryBudgetParams, now: SimTime) -> RetryBudget {
        let (deposit, withdrawal) = if p.percent_can_retry == 0.0 {
            (0, 1)
        } else {
            (SCALE, (SCALE as f64 / p.percent_can_retry) as i64)
        };
        let ttl_seconds = (p.ttl_ms / 1_000.0) as i64;
        RetryBudget {
            deposit,
            withdrawal,
            reserve: i64::from(p.min_retries_per_sec) * ttl_seconds * withdrawal,
            window: WindowedSum::new(from_ms(p.ttl_ms), now),
        }
    }

    /// A call was made (its first attempt): it earns retries for later.
    pub fn deposit(&mut self, now: SimTime) {
        self.window.add(now, self.deposit);
    }

    /// Whether a retry may be made now; if so its cost is withdrawn.
    pub fn try_withdraw(&mut self, now: SimTime) -> bool {
        let ok = self.window.sum(now) + self.reserve >= self.withdrawal;
        if ok {
            self.window.add(now, -self.withdrawal);
        }
        ok
    }

    /// Retries that could be made now (Finagle's `balance`).
    pub fn balance(&mut self, now: SimTime) -> i64 {
        (self.window.sum(now) + self.reserve) / self.withdrawal
    }
}

/// twitter-util's `WindowedAdder`: a sum over roughly the last `range`, in `SLICES` slices.
#[derive(Debug, Clone)]
struct WindowedSum {
    /// Width of one slice.
    width: SimTime,
    /// The current slice's sum.
    current: i64,
    /// The `SLICES - 1` older slices, a ring; `next` is where the current one goes when it ends.
    older: [i64; SLICES - 1],
    next: usize,
    /// When the current slice began.
    began: SimTime,
}

impl WindowedSum {
    fn new(range: SimTime, now: SimTime) -> WindowedSum {
        WindowedSum {
            width: (range / SLICES as u64).max(1),
            current: 0,
            older: [0; SLICES - 1],
            next: 0,
            began: now,
        }
    }

    fn age(&mut self, now: SimTime) {
        let elapsed = now.saturating_sub(self.began);
        if elapsed < self.width {
            return;
        }
        let n = self.older.len();
        self.older[self.next] = self.current;
        self.current = 0;
        self.next = (self.next + 1) % n;
        // Whole slices that passed with no operation after the one just stored.
        let skipped = ((elapsed / self.width - 1).min(n as u64)) as usize;
        for k in 0..skipped {
            self.older[(self.next + k) % n] = 0;
        }
        self.next = (self.next + skipped) % n;
        self.began = now;
    }

    fn add(&mut self, now: SimTime, x: i64) {
        self.age(now);
        self.current += x;
    }

    fn sum(&mut self, now: SimTime) -> i64 {
        self.age(now);
        self.current + self.older.iter().sum::<i64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: SimTime = 1_000_000_000;

    fn budget(ttl_ms: f64, min_per_sec: u32, percent: f64) -> RetryBudget {
        RetryBudget::new(
            &RetryBudgetParams {
                ttl_ms,
                min_retries_per_sec: min_per_sec,
                percent_can_retry: percent,
            },
            0,
        )
    }

    /// Withdraws until refused; returns how many were allowed.
    fn drain(b: &mut RetryBudget, now: SimTime) -> u32 {
        let mut allowed = 0;
        while b.try_withdraw(now) {
            allowed += 1;
        }
        allowed
    }

    #[test]
    fn a_tenth_allows_one_retry_per_ten_calls_and_no_reserve_without_min_rate() {
        // Finagle's documented example: with 0.1, every 10 deposits allow 1 retry.
        let mut b = budget(1_000.0, 0, 0.1);
        assert!(!b.try_withdraw(0), "nothing deposited, no reserve");
        for _ in 0..25 {
            b.deposit(0);
        }
        assert_eq!(b.balance(0), 2);
        assert_eq!(drain(&mut b, 0), 2);
        assert_eq!(b.balance(0), 0);
    }

    #[test]
    fn percent_above_one_allows_several_retries_per_call() {
        // "If 2.0 is used then every deposit allows for 2 retries."
        let mut b = budget(1_000.0, 0, 2.0);
        b.deposit(0);
        b.deposit(0);
        assert_eq!(drain(&mut b, 0), 4);
    }

    #[test]
    fn reserve_is_min_rate_times_whole_seconds_of_ttl() {
        // 3 retries/s over a 2.5 s ttl: floor(2.5) = 2 s of reserve = 6 retries, no deposits.
        let mut b = budget(2_500.0, 3, 0.2);
        assert_eq!(b.balance(0), 6);
        assert_eq!(drain(&mut b, 0), 6);
        // The reserve never expires, but the withdrawals do: after the ttl it is back whole.
        assert_eq!(b.balance(3 * S), 6);
    }

    #[test]
    fn zero_percent_gives_credit_only_through_the_reserve() {
        let mut b = budget(1_000.0, 5, 0.0);
        for _ in 0..100 {
            b.deposit(0);
        }
        assert_eq!(drain(&mut b, 0), 5);
    }

    #[test]
    fn withdrawal_cost_truncates_like_finagle() {
        // 1000 / 0.3 = 3333.3 → 3333 tokens; 10 deposits = 10000 tokens → 3 retries (9999).
        let mut b = budget(1_000.0, 0, 0.3);
        for _ in 0..10 {
            b.deposit(0);
        }
        assert_eq!(drain(&mut b, 0), 3);
        assert_eq!(b.window.sum(0), 1);
    }

    #[test]
    fn deposits_expire_slice_by_slice_about_a_ttl_later() {
        // ttl 10 s: slices of 1 s, nine stored ones plus the current. 10 deposits at t = 0 and
        // 10 at t = 5 s (20% → 2 retries each).
        let mut b = budget(10_000.0, 0, 0.2);
        for _ in 0..10 {
            b.deposit(0);
        }
        for _ in 0..10 {
            b.deposit(5 * S);
        }
        assert_eq!(b.balance(5 * S), 4);
        // At 9.5 s a slice begins (the t = 0 one is stored, 3 empty ones skipped) …
        assert_eq!(b.balance(9 * S + S / 2), 4);
        // … and is still the current one at 10 s: the t = 0 deposits still count.
        assert_eq!(b.balance(10 * S), 4);
        // At 10.5 s the ring comes round to the t = 0 slice and drops it.
        assert_eq!(b.balance(10 * S + S / 2), 2);
        assert_eq!(b.balance(15 * S), 2);
        // At 16 s the 5 s slice goes too.
        assert_eq!(b.balance(16 * S), 0);
    }

    #[test]
    fn slices_begin_at_the_operation_that_ages_them_not_on_a_grid() {
        // Width 1 s. An operation at 1.5 s ends slice 0 (begun at 0) and begins one at 1.5 s;
        // a deposit at 2.4 s still falls in that slice, so both deposits live until nine more
        // slices have been stored after it — Finagle's drift.
        let mut b = budget(10_000.0, 0, 1.0);
        b.deposit(S + S / 2);
        b.deposit(2 * S + 4 * S / 10);
        assert_eq!(b.balance(2 * S + 4 * S / 10), 2);
        // Touched every second from 3 s: the 1.5 s slice is stored at 3 s, then slices are
        // stored at 4 s … 11 s (eight more), and the ninth, at 12 s, overwrites it.
        for t in 3..=11 {
            assert_eq!(b.balance(t * S), 2, "at {t} s");
        }
        assert_eq!(b.balance(12 * S), 0);
    }

    #[test]
    fn a_long_quiet_spell_clears_every_slice() {
        let mut b = budget(10_000.0, 0, 1.0);
        for _ in 0..7 {
            b.deposit(0);
        }
        assert_eq!(b.balance(3 * S), 7);
        assert_eq!(b.balance(100 * S), 0);
        b.deposit(100 * S);
        assert_eq!(b.balance(100 * S), 1);
    }

    #[test]
    fn finagle_default_allows_a_fifth_of_calls_plus_the_reserve() {
        let mut b = budget(10_000.0, 10, 0.2);
        for _ in 0..1_000 {
            b.deposit(0);
        }
        assert_eq!(drain(&mut b, 0), 200 + 100);
    }
}

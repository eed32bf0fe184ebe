//! Hedged requests (gRPC's hedging policy, "The Tail at Scale") through the whole engine,
//! against closed forms: on an unloaded callee with independent attempts and a fixed delay d,
//! a call's latency T = min(X₁, d + X₂), so P(T > t) = P(X > t) · P(X > t − d) for t > d.

mod common;

use archsim_model::design::Design;
use common::{client_to_service, go};

fn design(rps: f64, service: &str, edge: &str, run: &str) -> Design {
    client_to_service(rps, service, edge, "[]", run)
}

/// Exponential service times (mean 10 ms) and enough workers that nothing ever queues: the
/// attempts are independent draws.
const UNLOADED_EXP_10MS: &str = r#"{ "workers": 400, "queue_capacity": 0,
    "service_time": { "type": "exponential", "mean_ms": 10 } }"#;
const RUN_100S: &str = r#"{ "duration_ms": 100000, "warmup_ms": 0, "bucket_ms": 10000 }"#;

/// With X ~ Exp(mean m) and a fixed delay d: P(T > t) = e^(−t/m) for t ≤ d and
/// e^(−t/m) · e^(−(t−d)/m) after, so the q-quantile past d is (d + m · ln(1/(1−q))) / 2.
fn hedged_exp_quantile(q: f64, m: f64, d: f64) -> f64 {
    let tail = 1.0 - q;
    if tail >= (-d / m).exp() {
        m * (1.0 / tail).ln()
    } else {
        (d + m * (1.0 / tail).ln()) / 2.0
    }
}

#[test]
fn fixed_delay_hedging_matches_the_closed_form_of_two_independent_attempts() {
    let (m, d) = (10.0, 10.0);
    let report = go(&design(
        200.0,
        UNLOADED_EXP_10MS,
        r#"{ "latency": { "type": "constant", "ms": 0 },
             "hedging": { "max_hedges": 1, "delay": { "type": "fixed", "ms": 10 } } }"#,
        RUN_100S,
    ));
    let latency = &report.overall.latency;
    for (q, got) in [
        (0.50, latency.p50_ms.value),
        (0.95, latency.p95_ms.value),
        (0.99, latency.p99_ms.value),
    ] {
        let expected = hedged_exp_quantile(q, m, d);
        assert!(
            (got - expected).abs() <= 0.04 * expected,
            "p{}: {got} ms, closed form {expected} ms",
            q * 100.0
        );
    }
    // Unhedged, p99 would be m · ln 100 = 46 ms; hedged it is (d + 46) / 2 = 28 ms.
    assert!(latency.p99_ms.value < 0.7 * m * 100f64.ln());

    // A hedge goes for every call still unanswered at d: P(X > d) = e^(−1) of them. By
    // memorylessness the first attempt's remaining time is again Exp(m), so the hedge wins
    // half of those races.
    let calls = report.overall.arrivals.value;
    let edge = &report.edges["e"];
    let hedged = (-d / m).exp();
    assert!(
        (edge.hedges.value / calls - hedged).abs() < 0.015,
        "{} hedges for {calls} calls",
        edge.hedges.value
    );
    assert!(
        (edge.hedge_wins.value / calls - hedged / 2.0).abs() < 0.015,
        "{} hedge wins for {calls} calls",
        edge.hedge_wins.value
    );
    assert_eq!(edge.attempts.value, calls + edge.hedges.value);
    // Every hedged call has exactly one loser, whose work the callee drops; no call fails.
    let service = &report.nodes["s"];
    assert_eq!(service.failures.cancelled.value, edge.hedges.value);
    assert_eq!(report.overall.failures.total(), 0.0);
    // The series add up to the totals.
    let series = &report.series.edges["e"];
    assert_eq!(series.hedges.iter().sum::<u64>() as f64, edge.hedges.value);
    assert_eq!(
        series.hedge_wins.iter().sum::<u64>() as f64,
        edge.hedge_wins.value
    );
}

#[test]
fn observed_p95_delay_hedges_about_one_call_in_twenty() {
    // "The Tail at Scale": deferring the hedge to the 95th percentile limits the extra load to
    // about 5%.
    let report = go(&design(
        200.0,
        UNLOADED_EXP_10MS,
        r#"{ "latency": { "type": "constant", "ms": 0 },
             "hedging": { "max_hedges": 1, "delay": { "type": "observed_p95", "window": 1000 } } }"#,
        RUN_100S,
    ));
    let calls = report.overall.arrivals.value;
    let share = report.edges["e"].hedges.value / calls;
    assert!((share - 0.05).abs() < 0.01, "{share} of calls hedged");
    // Past the delay (m · ln 20 = 30 ms) the tail squares: p99 is
    // (30 + 46) / 2 = 38 ms instead of 46 ms.
    let p99 = report.overall.latency.p99_ms.value;
    let expected = hedged_exp_quantile(0.99, 10.0, 10.0 * 20f64.ln());
    assert!(
        (p99 - expected).abs() <= 0.06 * expected,
        "p99 {p99} ms, expected {expected} ms"
    );
}

#[test]
fn non_fatal_failures_send_the_next_hedge_at_once() {
    // Each attempt fails with probability ½; the delay is far longer than any reply, so a hedge
    // goes only when an attempt failed (gRPC skips the delay on a non-fatal status). With two
    // hedges a call fails only if all three attempts do: ⅛.
    let service = r#"{ "workers": 64, "service_time": { "type": "constant", "ms": 1 },
        "error_rate": 0.5 }"#;
    let run = r#"{ "duration_ms": 50000, "warmup_ms": 0, "bucket_ms": 10000 }"#;
    let non_fatal = go(&design(
        200.0,
        service,
        r#"{ "hedging": { "max_hedges": 2, "delay": { "type": "fixed", "ms": 1000 },
                          "non_fatal_errors": true } }"#,
        run,
    ));
    let calls = non_fatal.overall.arrivals.value;
    let failed = non_fatal.overall.failures.error.value / calls;
    assert!((failed - 0.125).abs() < 0.015, "{failed} of calls failed");
    // Hedges: one after each first failure (½), another after each second (¼).
    let hedges = non_fatal.edges["e"].hedges.value / calls;
    assert!((hedges - 0.75).abs() < 0.02, "{hedges} hedges per call");

    // gRPC's default: every failure is fatal, the first answer ends the call.
    let fatal = go(&design(
        200.0,
        service,
        r#"{ "hedging": { "max_hedges": 2, "delay": { "type": "fixed", "ms": 1000 } } }"#,
        run,
    ));
    let calls = fatal.overall.arrivals.value;
    let failed = fatal.overall.failures.error.value / calls;
    assert!((failed - 0.5).abs() < 0.02, "{failed} of calls failed");
    assert_eq!(fatal.edges["e"].hedges.value, 0.0);
}

#[test]
fn the_timeout_bounds_the_whole_hedged_call() {
    // Every attempt takes 100 ms; hedges at 10 and 20 ms; the 50 ms timeout counts from the
    // first attempt (gRPC's deadline) and gives up all three at once.
    let report = go(&design(
        50.0,
        r#"{ "workers": 64, "service_time": { "type": "constant", "ms": 100 } }"#,
        r#"{ "latency": { "type": "constant", "ms": 0 }, "timeout_ms": 50,
             "hedging": { "max_hedges": 2, "delay": { "type": "fixed", "ms": 10 } } }"#,
        r#"{ "duration_ms": 20000, "warmup_ms": 0, "bucket_ms": 1000 }"#,
    ));
    // Every call times out (those still out when the run ends aside).
    let calls = report.edges["e"].timeouts.value;
    let edge = &report.edges["e"];
    assert!(calls >= report.overall.arrivals.value - 3.0);
    assert!((edge.hedges.value - 2.0 * calls).abs() <= 4.0);
    assert!((edge.attempts.value - 3.0 * calls).abs() <= 6.0);
    assert_eq!(report.overall.failures.timeout.value, calls);
    assert_eq!(report.overall.succeeded.value, 0.0);
}

#[test]
fn hedges_pay_the_retry_budget() {
    // A zero delay wants a hedge for every call at once; a budget of 10% of calls (no reserve)
    // lets about one call in ten have it.
    let report = go(&design(
        200.0,
        r#"{ "workers": 64, "service_time": { "type": "constant", "ms": 5 } }"#,
        r#"{ "hedging": { "max_hedges": 1, "delay": { "type": "fixed", "ms": 0 } },
             "retry_budget": { "ttl_ms": 60000, "min_retries_per_sec": 0, "percent_can_retry": 0.1 } }"#,
        r#"{ "duration_ms": 20000, "warmup_ms": 0, "bucket_ms": 1000 }"#,
    ));
    let calls = report.overall.arrivals.value;
    let edge = &report.edges["e"];
    assert!(
        edge.hedges.value <= 0.1 * calls,
        "{} hedges",
        edge.hedges.value
    );
    assert!(
        edge.hedges.value >= 0.1 * calls - 2.0,
        "{} hedges",
        edge.hedges.value
    );
    assert!(edge.budget_refused.value >= 0.9 * calls - 2.0);
}

/// P(Z > z) for a standard normal Z (Abramowitz & Stegun 7.1.26, error below 1.5e-7).
fn normal_survival(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    if z >= 0.0 {
        erfc / 2.0
    } else {
        1.0 - erfc / 2.0
    }
}

#[test]
fn hedged_requests_example_cuts_p99_to_the_closed_form_for_about_five_percent_more_load() {
    let design = common::parse(include_str!("../../../examples/hedged-requests.json"));
    let report = go(&design);
    // Each attempt takes Y = X + 2 ms (1 ms of network each way), X log-normal with median
    // 4 ms and p99 80 ms; the storage is nearly idle, so attempts are independent.
    let sigma = (80.0f64 / 4.0).ln() / 2.326_347_874_040_841;
    let survival = |y: f64| {
        if y <= 2.0 {
            1.0
        } else {
            normal_survival(((y - 2.0) / 4.0).ln() / sigma)
        }
    };
    let quantile = |q: f64, tail: &dyn Fn(f64) -> f64| {
        let (mut lo, mut hi) = (0.0, 10_000.0);
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if tail(mid) > 1.0 - q {
                lo = mid
            } else {
                hi = mid
            }
        }
        lo
    };
    let plain_p99 = quantile(0.99, &survival);
    // The observed-p95 delay settles at Y's 95th percentile.
    let d = quantile(0.95, &survival);
    let hedged_p99 = quantile(0.99, &|t| survival(t) * survival(t - d));
    assert!((plain_p99 - 82.0).abs() < 0.5, "{plain_p99}");

    let plain = report.nodes["plain-clients"].latency.p99_ms.value;
    let hedged = report.nodes["hedged-clients"].latency.p99_ms.value;
    assert!(
        (plain - plain_p99).abs() <= 0.08 * plain_p99,
        "plain p99 {plain} ms, closed form {plain_p99} ms"
    );
    assert!(
        (hedged - hedged_p99).abs() <= 0.06 * hedged_p99,
        "hedged p99 {hedged} ms, closed form {hedged_p99} ms"
    );
    // The cost, bucket by bucket once the window has filled: about one request in twenty is
    // sent twice, and the hedged storage serves that much more.
    let series = &report.series.edges["hedged"];
    for (bucket, (&hedges, &calls)) in series.hedges.iter().zip(&series.calls).enumerate() {
        let share = hedges as f64 / calls as f64;
        assert!(
            (0.03..0.08).contains(&share),
            "bucket {bucket}: {share} of calls hedged"
        );
    }
    let extra = report.nodes["hedged-storage"].arrivals.value
        / report.nodes["hedged-clients"].arrivals.value;
    assert!(
        (1.03..1.08).contains(&extra),
        "{extra}× the requests at the hedged storage"
    );
}

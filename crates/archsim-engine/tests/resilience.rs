//! The cures for overload on edges, run through the whole engine: Finagle's retry budget and
//! the SRE book's client-side adaptive throttling. The algorithms' exact traces are unit tests
//! in `policy/`; here the accounting of a run must add up and match the reference's bounds.

mod common;

use archsim_model::design::Design;
use common::{client_to_service, go, goodput_thirds};

/// A client at `rps` → a service (params JSON) along edge `e` (params JSON), with faults.
fn design(rps: f64, service: &str, edge: &str, faults: &str, run: &str) -> Design {
    client_to_service(rps, service, edge, faults, run)
}

const ALWAYS_FAILS: &str = r#"{ "workers": 64, "service_time": { "type": "constant", "ms": 1 },
    "error_rate": 1.0 }"#;
const RUN_20S: &str = r#"{ "duration_ms": 20000, "warmup_ms": 0, "bucket_ms": 1000 }"#;

#[test]
fn retry_budget_caps_retries_at_its_share_of_calls_within_the_ttl() {
    // Every attempt fails and the policy wants two retries per call; a 60 s ttl keeps every
    // deposit of the 20 s run. 50%: each call deposits 1000 tokens, a retry costs 2000, and the
    // reserve is off, so retries can never exceed half the calls and the budget is spent as
    // soon as it can pay (a retry asks ~3 ms after its call began).
    let report = go(&design(
        200.0,
        ALWAYS_FAILS,
        r#"{ "retry": { "max_attempts": 3, "base_ms": 0, "jitter": "none" },
             "retry_budget": { "ttl_ms": 60000, "min_retries_per_sec": 0, "percent_can_retry": 0.5 } }"#,
        "[]",
        RUN_20S,
    ));
    let edge = &report.edges["e"];
    let calls = report.overall.arrivals.value;
    let retries = edge.retries.value;
    assert!(
        2.0 * retries <= calls,
        "{retries} retries for {calls} calls"
    );
    assert!(
        2.0 * retries >= calls - 4.0,
        "{retries} retries for {calls} calls"
    );
    // Every call wanted two retries: the ones made, and one refusal per call that stopped short.
    let series = &report.series.edges["e"];
    assert_eq!(
        series.budget_refused.iter().sum::<u64>() as f64,
        edge.budget_refused.value
    );
    assert!(edge.budget_refused.value >= calls - retries - 4.0);
    assert_eq!(edge.attempts.value, calls + retries);
    assert_eq!(edge.throttled.value, 0.0);
}

#[test]
fn retry_budget_reserve_alone_allows_min_retries_per_second() {
    // No share of calls, 10 retries a second of reserve over a 1 s ttl: whatever the traffic,
    // about 10 retries a second (Finagle's slices start at the first operation after each
    // tenth of the ttl, so the window is a little longer than 1 s: slightly fewer, never more
    // than 10 per ttl plus one slice's worth).
    let report = go(&design(
        400.0,
        ALWAYS_FAILS,
        r#"{ "retry": { "max_attempts": 3, "base_ms": 0, "jitter": "none" },
             "retry_budget": { "ttl_ms": 1000, "min_retries_per_sec": 10, "percent_can_retry": 0 } }"#,
        "[]",
        RUN_20S,
    ));
    let retries = &report.series.edges["e"].retries;
    for (bucket, &n) in retries.iter().enumerate() {
        assert!((8..=11).contains(&n), "bucket {bucket}: {n} retries");
    }
}

#[test]
fn without_a_budget_every_failed_call_retries_in_full() {
    let report = go(&design(
        200.0,
        ALWAYS_FAILS,
        r#"{ "retry": { "max_attempts": 3, "base_ms": 0, "jitter": "none" } }"#,
        "[]",
        RUN_20S,
    ));
    let calls = report.overall.arrivals.value;
    let retries = report.edges["e"].retries.value;
    assert!(retries >= 2.0 * (calls - 4.0) && retries <= 2.0 * calls);
    assert_eq!(report.edges["e"].budget_refused.value, 0.0);
}

#[test]
fn adaptive_throttling_rejects_locally_while_the_callee_is_down_and_recovers_after() {
    // The service is down from 5 s to 10 s. Every attempt then comes back `node_down` (not an
    // accept), so the caller rejects more and more of its own requests: with no accept in the
    // window the n-th request goes out with probability 1/n. After the crash the accepts come
    // back, but only through the few requests still let out: with a ≈ 0 accepts, 1 − p =
    // (1 + 2a) / 2001, so a grows like e^(2t/window) — recovery takes about
    // (window / 2) · ln(requests in the window) ≈ 2.5 s · ln 2000 ≈ 19 s after the crash, plus
    // the wait for the first accept (0.2 requests a second go out): the SRE book's throttle
    // is slow to trust a callee again after a total outage.
    let report = go(&design(
        400.0,
        r#"{ "workers": 8, "service_time": { "type": "constant", "ms": 2 } }"#,
        r#"{ "adaptive_throttling": { "k": 2, "window_ms": 5000 } }"#,
        r#"[ { "target": "s", "at_ms": 5000, "duration_ms": 5000, "effect": { "type": "crash" } } ]"#,
        r#"{ "duration_ms": 60000, "warmup_ms": 0, "bucket_ms": 1000 }"#,
    ));
    let edge = &report.edges["e"];
    let f = &report.overall.failures;
    // A throttled attempt is never sent, and it fails the request with its own cause.
    assert_eq!(
        edge.attempts.value + edge.throttled.value,
        report.overall.arrivals.value
    );
    assert_eq!(f.throttled.value, edge.throttled.value);
    let series = &report.series;
    let throttled = &series.failed_by_cause["throttled"];
    let down = &series.failed_by_cause["node_down"];
    // Healthy at first: nothing rejected.
    assert!(throttled[..5].iter().all(|&n| n == 0), "{throttled:?}");
    // During the crash the window (5 s of 400 req/s: r = 2000 requests) loses the accepts
    // from before it at 400/s, so t s into the crash a = 2000 − 400 t and the rejection
    // probability is max(0, (800 t − 2000) / 2001): nothing for 2.5 s, then rising to ~1.
    // Expected rejections per crash second, 400 ∫ p dt: 0, 0, 20, 160, 320.
    assert_eq!(throttled[5] + throttled[6], 0, "{throttled:?}");
    let expected: [f64; 3] = [20.0, 160.0, 320.0];
    for (second, want) in expected.into_iter().enumerate() {
        let got = throttled[7 + second] as f64;
        let slack = 4.0 * want.sqrt() + 6.0;
        assert!(
            (got - want).abs() <= slack,
            "crash second {}: {got} vs {want}",
            3 + second
        );
    }
    // What was still sent failed at the dead callee.
    assert!(down[5..10].iter().sum::<u64>() > 1_400, "{down:?}");
    // Recovered well before the end: the last buckets are all successes.
    assert!(throttled[10..25].iter().all(|&n| n > 300), "{throttled:?}");
    assert!(throttled[50..].iter().all(|&n| n == 0), "{throttled:?}");
    assert!(series.succeeded[50..].iter().all(|&n| n > 350));
}

// ---------------------------------------------------------------------------------------------
// The examples: each one's phenomenon, on its time series.

#[test]
fn retry_storm_example_stays_collapsed_after_its_trigger() {
    let (first, last) = goodput_thirds(include_str!("../../../examples/retry-storm.json"));
    assert!((last as f64) < 0.2 * first as f64, "{first} then {last}");
}

#[test]
fn retry_budget_example_recovers_from_the_same_trigger() {
    let (first, last) = goodput_thirds(include_str!("../../../examples/retry-storm-budget.json"));
    assert!((last as f64) > 0.85 * first as f64, "{first} then {last}");
}

#[test]
fn adaptive_throttling_example_recovers_from_the_same_trigger() {
    let (first, last) =
        goodput_thirds(include_str!("../../../examples/retry-storm-throttled.json"));
    assert!((last as f64) > 0.85 * first as f64, "{first} then {last}");
}

#[test]
fn bulkhead_blocks_as_erlangs_loss_formula_predicts() {
    // Poisson calls at 200/s, each attempt in flight exactly 52 ms (1 ms there, 50 ms of
    // service with workers to spare, 1 ms back): offered load a = 10.4 erlangs on a bulkhead
    // of 8. A loss system M/G/c/c blocks with Erlang's B(c, a), whatever the holding time's
    // distribution.
    let report = go(&design(
        200.0,
        r#"{ "workers": 64, "service_time": { "type": "constant", "ms": 50 } }"#,
        r#"{ "bulkhead": { "max_concurrent": 8 } }"#,
        "[]",
        r#"{ "duration_ms": 60000, "warmup_ms": 1000, "bucket_ms": 1000 }"#,
    ));
    let (c, a) = (8, 10.4);
    let erlang_b = (1..=c).fold(1.0, |b: f64, n| a * b / (n as f64 + a * b));
    let edge = &report.edges["e"];
    let calls = report.overall.arrivals.value;
    assert_eq!(edge.attempts.value + edge.bulkhead_rejected.value, calls);
    assert_eq!(
        report.overall.failures.bulkhead_full.value,
        edge.bulkhead_rejected.value
    );
    let blocked = edge.bulkhead_rejected.value / calls;
    assert!(
        (blocked - erlang_b).abs() < 0.02,
        "{blocked} vs B(8, 10.4) = {erlang_b}"
    );
    // Never more than 8 in the service at once.
    assert!(report.nodes["s"].mean_in_flight.value <= 8.0);
}

//! The circuit breaker's resilience4j options through the whole engine: a slow-call rate
//! threshold opens it when the callee slows down (no call failing), and a count-based window
//! evaluates the last N calls whatever their age.

mod common;

use common::{FAST, client_to_service, go};

const RUN_16S: &str = r#"{ "duration_ms": 16000, "warmup_ms": 0, "bucket_ms": 1000 }"#;

#[test]
fn slow_calls_open_the_breaker_while_the_callee_is_slow_and_it_closes_after() {
    // 10 ms calls (12 ms with the network) become 100 ms from 5 s to 10 s: every call is then
    // slower than 50 ms, none fails. The slow-call rate (100% ≥ 50%) opens the breaker; the
    // failure rate never could.
    let edge = r#"{ "latency": { "type": "constant", "ms": 1 },
        "circuit_breaker": { "window": "count_based", "window_calls": 20, "minimum_calls": 10,
          "failure_threshold": 1.0, "slow_call_duration_ms": 50, "slow_call_threshold": 0.5,
          "open_ms": 1000, "half_open_probes": 5 } }"#;
    let fault = r#"[ { "target": "s", "at_ms": 5000, "duration_ms": 5000,
                      "effect": { "type": "slowdown", "factor": 10 } } ]"#;
    let report = go(&client_to_service(100.0, FAST, edge, fault, RUN_16S));
    let state = &report.series.breaker_state["e"];
    let short = &report.series.edges["e"].short_circuited;
    // Closed and calling through before the slowdown.
    assert!(state[..5].iter().all(|&s| s == 0), "{state:?}");
    assert!(short[..5].iter().all(|&n| n == 0), "{short:?}");
    // Opened during it: calls short-circuited in every second of it after the first.
    assert!(short[6..10].iter().all(|&n| n > 0), "{short:?}");
    // Nothing failed at the service: only the breaker's refusals.
    assert_eq!(report.nodes["s"].failures.total(), 0.0);
    // After the slowdown the half-open calls are fast again: closed for good.
    assert!(state[12..].iter().all(|&s| s == 0), "{state:?}");
    assert!(short[12..].iter().all(|&n| n == 0), "{short:?}");
}

#[test]
fn without_a_slow_call_duration_a_slow_callee_never_opens_the_breaker() {
    let edge = r#"{ "latency": { "type": "constant", "ms": 1 },
        "circuit_breaker": { "window": "count_based", "window_calls": 20, "minimum_calls": 10,
          "slow_call_threshold": 0.5, "open_ms": 1000 } }"#;
    let fault = r#"[ { "target": "s", "at_ms": 5000, "duration_ms": 5000,
                      "effect": { "type": "slowdown", "factor": 10 } } ]"#;
    let report = go(&client_to_service(100.0, FAST, edge, fault, RUN_16S));
    assert!(report.series.breaker_state["e"].iter().all(|&s| s == 0));
    assert_eq!(report.edges["e"].short_circuited.value, 0.0);
}

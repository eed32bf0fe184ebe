//! Queue disciplines through the whole engine: under a sustained overload with callers that
//! give up, what each discipline serves. The algorithms' exact traces (CoDel's drop schedule
//! against RFC 8289's control law, LIFO order, priority shedding) are unit tests in
//! `policy/queue_discipline/`; here the closed forms of a saturated single server.

mod common;

use archsim_model::report::Report;
use common::{client_to_service, go, goodput_thirds, parse};

/// 150 req/s offered to one worker of 10 ms (100 req/s): a third more than it can serve, and
/// a caller that gives up after 200 ms (no retries).
fn overloaded(discipline: &str) -> Report {
    go(&client_to_service(
        150.0,
        &format!(
            r#"{{ "workers": 1, "queue_capacity": 100000,
               "service_time": {{ "type": "constant", "ms": 10 }},
               "queue_discipline": {discipline} }}"#
        ),
        r#"{ "timeout_ms": 200 }"#,
        "[]",
        r#"{ "duration_ms": 30000, "warmup_ms": 10000, "bucket_ms": 1000 }"#,
    ))
}

#[test]
fn fifo_under_overload_serves_only_requests_whose_callers_gave_up() {
    // The queue grows by 50 a second; after 2 s every request waits longer than 200 ms.
    let report = overloaded(r#"{ "type": "fifo" }"#);
    assert_eq!(report.overall.goodput_rps.value, 0.0);
    // The server is still flat out — on abandoned work.
    assert!(report.nodes["s"].utilisation.value > 0.99);
}

#[test]
fn lifo_under_overload_serves_fresh_requests_at_full_capacity() {
    // Newest first: the request taken is usually one that arrived during the last service
    // (probability 1 − e^(−1.5) with 1.5 arrivals per service time), so nearly every served
    // request is in time — the server's whole capacity is goodput; the excess starves at the
    // bottom of the stack and times out there. (Adaptive LIFO is LIFO here: the queue never
    // shrinks back to its threshold.)
    for discipline in [
        r#"{ "type": "lifo" }"#,
        r#"{ "type": "adaptive_lifo", "threshold": 10 }"#,
    ] {
        let report = overloaded(discipline);
        let goodput = report.overall.goodput_rps.value;
        assert!(
            goodput > 97.0 && goodput <= 100.5,
            "{discipline}: {goodput}"
        );
        // The typical success waited less than one service time.
        let p50 = report.overall.latency.p50_ms.value;
        assert!(p50 < 10.0 + 2.0 + 10.0, "{discipline}: p50 {p50}");
    }
}

#[test]
fn codel_keeps_goodput_where_fifo_collapses_by_dropping_at_the_head() {
    // Open-loop traffic does not slow down when CoDel drops, so CoDel (built for TCP) only
    // oscillates around a short queue: its control law raises the drop rate as √count until
    // the queue falls below target, then starts again. What matters here: the queue stays far
    // shorter than the 200 ms (20 requests) that would make every request late, so most of
    // the server's capacity is goodput where FIFO's is none.
    let report = overloaded(r#"{ "type": "codel", "target_ms": 5, "interval_ms": 100 }"#);
    let f = &report.overall.failures;
    let goodput = report.overall.goodput_rps.value;
    assert!(goodput > 75.0 && goodput <= 100.5, "{goodput}");
    let measured_s = 20.0;
    assert!(f.codel_dropped.value / measured_s > 30.0, "{f:?}");
    let queue = report.nodes["s"].mean_queue_length.value;
    assert!(queue < 20.0, "{queue}");
    // Every request is accounted for: served in time, dropped by CoDel, or timed out.
    let arrivals = report.overall.arrivals.value;
    let accounted = report.overall.succeeded.value + f.codel_dropped.value + f.timeout.value;
    // (Up to a queue's worth are still in flight when the run ends.)
    assert!(
        (arrivals - accounted).abs() <= 30.0,
        "{arrivals} vs {accounted}"
    );
}

#[test]
fn priority_serves_the_high_class_in_full_and_sheds_the_low_class() {
    // Gold and silver each send 75 req/s to one 10 ms worker (100 req/s) with room for 20.
    // Gold alone needs 75% of the server: all of it is served; silver gets the remaining 25
    // req/s and the rest is shed (pushed out by gold, or refused when silver finds it full).
    let report = go(&parse(
        r#"{ "version": 1, "name": "t",
        "nodes": [
          { "id": "gold", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 75 } },
               "mix": [ { "name": "gold", "weight": 1 } ] } },
          { "id": "silver", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 75 } },
               "mix": [ { "name": "silver", "weight": 1 } ] } },
          { "id": "s", "kind": "service", "params": { "workers": 1, "queue_capacity": 20,
               "service_time": { "type": "constant", "ms": 10 },
               "queue_discipline": { "type": "priority", "classes": ["gold", "silver"] } } } ],
        "edges": [ { "id": "g", "from": "gold", "to": "s" }, { "id": "v", "from": "silver", "to": "s" } ],
        "run": { "duration_ms": 30000, "warmup_ms": 5000, "bucket_ms": 1000 } }"#,
    ));
    let gold = &report.nodes["gold"];
    let silver = &report.nodes["silver"];
    assert!(
        gold.failures.total() < 0.002 * gold.arrivals.value,
        "{:?}",
        gold.failures
    );
    // The server never idles (silver always waits): gold and silver successes add up to its
    // capacity, 100 req/s over the 25 s measured.
    let served = |n: &archsim_model::report::NodeReport| n.completions.value - n.failures.total();
    let total = (served(gold) + served(silver)) / 25.0;
    assert!((total - 100.0).abs() < 1.5, "served {total}/s");
    assert!(report.nodes["s"].utilisation.value > 0.99);
    let s = &report.nodes["s"].failures;
    assert!(s.shed_priority.value > 0.0);
    assert_eq!(
        s.shed_priority.value + s.queue_full.value,
        silver.failures.total()
    );
}

// ---------------------------------------------------------------------------------------------
// The examples: each one's phenomenon, on its time series.

#[test]
fn fifo_example_collapses_for_good_after_its_burst() {
    let (first, last) = goodput_thirds(include_str!("../../../examples/queue-collapse-fifo.json"));
    assert!((last as f64) < 0.2 * first as f64, "{first} then {last}");
}

#[test]
fn codel_adaptive_lifo_and_deadline_examples_recover_from_the_same_burst() {
    for example in [
        include_str!("../../../examples/queue-collapse-codel.json"),
        include_str!("../../../examples/queue-collapse-adaptive-lifo.json"),
        include_str!("../../../examples/queue-collapse-deadline.json"),
    ] {
        let (first, last) = goodput_thirds(example);
        assert!((last as f64) > 0.85 * first as f64, "{first} then {last}");
    }
}

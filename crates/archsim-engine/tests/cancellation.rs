//! Cancellation travels down the whole tree of calls a cancelled attempt started (gRPC's
//! context cancellation), on a chain A → B → C → D with one request and constant times, so
//! every instant is known: the work at C and D is freed the moment A's attempt is cancelled,
//! whether by a propagated deadline or by a hedge that lost.

mod common;

use archsim_model::report::Report;
use common::{go, parse};

/// One request at 1 000 ms from `c` along `c → a` (`client_edge` params) to A, which works
/// 1 ms and calls B along `a → b` (`ab` params); B and C work 1 ms and call on along plain
/// edges (direct calls); D works `d_ms`. Every edge takes 1 ms each way; 1 ms buckets.
fn chain(client_edge: &str, ab: &str, d_ms: f64) -> Report {
    go(&parse(&format!(
        r#"{{ "version": {version}, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
              "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 0 }} }} }} }},
          {{ "id": "a", "kind": "service", "params": {{ "workers": 10,
              "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "b", "kind": "service", "params": {{ "workers": 10,
              "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "cc", "kind": "service", "params": {{ "workers": 10,
              "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "d", "kind": "service", "params": {{ "workers": 10,
              "service_time": {{ "type": "constant", "ms": {d_ms} }} }} }} ],
        "edges": [
          {{ "id": "ca", "from": "c", "to": "a", "params": {client_edge} }},
          {{ "id": "ab", "from": "a", "to": "b", "params": {ab} }},
          {{ "id": "bc", "from": "b", "to": "cc", "params": {{ "latency": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "cd", "from": "cc", "to": "d", "params": {{ "latency": {{ "type": "constant", "ms": 1 }} }} }} ],
        "faults": [ {{ "target": "c", "at_ms": 1000, "duration_ms": 0,
                       "effect": {{ "type": "burst", "requests": 1 }} }} ],
        "run": {{ "duration_ms": 2000, "warmup_ms": 0, "bucket_ms": 1, "seed": 1 }} }}"#,
        version = archsim_model::CURRENT_VERSION
    )))
}

/// The 1 ms buckets in which node `id` was busy (utilisation above zero).
fn busy_buckets(report: &Report, id: &str) -> Vec<usize> {
    let u = &report.series.nodes[id].utilisation;
    (0..u.len()).filter(|&b| u[b] > 0.0).collect()
}

/// The 1 ms bucket whose counts hold what happened at the instant `ms`: the bucket that ends
/// there (the series' snapshot at a bucket boundary is taken after that instant's events).
fn bucket_of_instant(ms: usize) -> usize {
    ms - 1
}

/// The buckets in which failures happened at node `id`.
fn failure_buckets(report: &Report, id: &str) -> Vec<usize> {
    let f = &report.series.nodes[id].failed;
    (0..f.len())
        .flat_map(|b| std::iter::repeat_n(b, f[b] as usize))
        .collect()
}

#[test]
fn a_propagated_deadline_frees_every_hop_below_at_the_instant_it_passes() {
    // A gets the request at 1 001 with the client's deadline 1 100, calls B at 1 002 along an
    // edge that does not propagate it (its own timeout is 1 s), B calls C at 1 004, C calls D
    // at 1 006; D starts 500 ms of work at 1 007. At 1 100 the client gives up: A's work is
    // cancelled, and with it B's, C's and D's, at once.
    let report = chain(
        r#"{ "latency": { "type": "constant", "ms": 1 }, "timeout_ms": 100, "propagate_deadline": true }"#,
        r#"{ "latency": { "type": "constant", "ms": 1 }, "timeout_ms": 1000 }"#,
        500.0,
    );
    assert_eq!(busy_buckets(&report, "d"), (1007..1100).collect::<Vec<_>>());
    for id in ["b", "cc", "d"] {
        assert_eq!(
            failure_buckets(&report, id),
            vec![bucket_of_instant(1100)],
            "{id}"
        );
        let failures = &report.nodes[id].failures;
        assert_eq!(failures.cancelled.value, 1.0, "{id}: {failures:?}");
        assert_eq!(failures.total(), 1.0, "{id}");
    }
    assert_eq!(report.nodes["a"].failures.deadline_exceeded.value, 1.0);
    assert_eq!(failure_buckets(&report, "a"), vec![bucket_of_instant(1100)]);
    // B's caller did not time out: it was cancelled.
    assert_eq!(report.edges["ab"].timeouts.value, 0.0);
    assert_eq!(report.overall.failures.timeout.value, 1.0);
}

#[test]
fn a_hedge_that_loses_frees_its_whole_subtree_when_the_winner_answers() {
    // A hedges its call to B after 10 ms. The first attempt: B at 1 003, C at 1 005, D works
    // 1 007–1 107, and the answer climbs back to A at 1 110. The hedge: B at 1 013, C at
    // 1 015, D works from 1 017 — until 1 110, when the first answer wins and the hedge's
    // whole subtree is cancelled (it would have run to 1 117).
    let report = chain(
        r#"{ "latency": { "type": "constant", "ms": 1 } }"#,
        r#"{ "latency": { "type": "constant", "ms": 1 },
             "hedging": { "max_hedges": 1, "delay": { "type": "fixed", "ms": 10 } } }"#,
        100.0,
    );
    assert_eq!(report.overall.succeeded.value, 1.0);
    assert_eq!(report.edges["ab"].hedges.value, 1.0);
    assert_eq!(busy_buckets(&report, "d"), (1007..1110).collect::<Vec<_>>());
    let d = &report.series.nodes["d"].utilisation;
    assert_eq!(d[1050], 2.0 / 10.0, "both attempts at D");
    assert_eq!(
        d[1108],
        1.0 / 10.0,
        "the first is done, the hedge still works"
    );
    for id in ["b", "cc", "d"] {
        assert_eq!(
            failure_buckets(&report, id),
            vec![bucket_of_instant(1110)],
            "{id}"
        );
        assert_eq!(report.nodes[id].failures.cancelled.value, 1.0, "{id}");
    }
    assert_eq!(report.nodes["d"].arrivals.value, 2.0);
}

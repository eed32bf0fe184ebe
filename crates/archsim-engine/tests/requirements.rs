//! The product requirements, checked one by one against the engine.
//!
//! Each test pins down a requirement that `fidelity.rs`, `behaviour.rs` and `stepping.rs` did
//! not already prove (or proved only loosely). Expected values come from closed forms or from
//! reasoning about the design, never from the engine's own output; where a test compares two
//! runs (common random numbers, replications), it compares the engine with itself under a
//! change that must not matter. Every run has a fixed seed.

mod common;

use archsim_engine::{run_replication, summarize};
use archsim_model::design::Design;
use archsim_model::report::{Estimate, Failures, Latency, NodeReport, Report, Summary};
use common::{close, go, parse};

#[track_caller]
fn assert_within(what: &str, actual: f64, expected: f64, relative: f64) {
    assert!(
        close(actual, expected, relative),
        "{what}: got {actual}, expected {expected} (± {:.2}%)",
        100.0 * relative
    );
}

/// `|observed − expected| ≤ k·√expected + slack`, for Poisson-like counts.
#[track_caller]
fn assert_count(what: &str, observed: f64, expected: f64, k: f64) {
    let band = k * expected.sqrt() + 2.0;
    assert!(
        (observed - expected).abs() <= band,
        "{what}: observed {observed}, expected {expected} ± {band:.1}"
    );
}

fn measured_seconds(design: &Design) -> f64 {
    (design.run.duration_ms - design.run.warmup_ms) / 1000.0
}

// =============================================================================================
// 1. Common random numbers: independent streams per source and per node
// =============================================================================================

/// c → A → B, where A is a pipeline stage (its worker is free once its own work is done), so
/// nothing A does depends on B's timing. `b_service` is B's service-time distribution and
/// `c_to_a` the client edge's latency, both as JSON.
fn upstream_downstream(b_service: &str, c_to_a: &str) -> Design {
    parse(&format!(
        r#"{{ "version": 1, "name": "crn",
        "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 200 }} }},
               "mix": [ {{ "name": "read", "weight": 0.7 }}, {{ "name": "write", "weight": 0.3, "write": true }} ] }} }},
          {{ "id": "A", "kind": "service", "params": {{ "workers": 3, "queue_capacity": 100000,
               "service_time": {{ "type": "exponential", "mean_ms": 8 }}, "error_rate": 0.1,
               "hold_worker_during_calls": false }} }},
          {{ "id": "B", "kind": "service", "params": {{ "workers": 50, "queue_capacity": 100000,
               "service_time": {b_service} }} }} ],
        "edges": [
          {{ "id": "c-A", "from": "c", "to": "A", "params": {{ "latency": {c_to_a} }} }},
          {{ "id": "A-B", "from": "A", "to": "B", "params": {{ "latency": {{ "type": "constant", "ms": 1 }} }} }} ],
        "run": {{ "duration_ms": 20000, "warmup_ms": 2000, "bucket_ms": 100, "seed": 5 }} }}"#
    ))
}

const FAST_B: &str = r#"{ "type": "exponential", "mean_ms": 5 }"#;
const SLOW_B: &str = r#"{ "type": "log_normal", "median_ms": 30, "p99_ms": 200 }"#;

#[test]
fn crn_changing_a_downstream_service_leaves_source_and_upstream_draws_identical() {
    let constant_hop = r#"{ "type": "constant", "ms": 1 }"#;
    let fast = go(&upstream_downstream(FAST_B, constant_hop));
    let slow = go(&upstream_downstream(SLOW_B, constant_hop));

    // The change mattered downstream...
    assert!(
        slow.nodes["B"].utilisation.value > 3.0 * fast.nodes["B"].utilisation.value,
        "B's change should show: {} vs {}",
        slow.nodes["B"].utilisation.value,
        fast.nodes["B"].utilisation.value
    );
    assert_ne!(
        fast.overall.latency.mean_ms.value,
        slow.overall.latency.mean_ms.value
    );
    // ...but the source sent the very same requests at the very same times,
    assert_eq!(fast.series.arrivals, slow.series.arrivals);
    assert_eq!(fast.overall.arrivals, slow.overall.arrivals);
    // A saw them arrive at the same times, drew the same service times (same busy time in
    // every bucket, same queue) and the same errors,
    let (fa, sa) = (&fast.series.nodes["A"], &slow.series.nodes["A"]);
    assert_eq!(fa.arrivals, sa.arrivals);
    assert_eq!(fa.utilisation, sa.utilisation);
    assert_eq!(fa.queue_length, sa.queue_length);
    assert_eq!(
        fast.nodes["A"].failures.error.value,
        slow.nodes["A"].failures.error.value
    );
    assert!(fast.nodes["A"].failures.error.value > 0.0);
    assert_eq!(fast.nodes["A"].utilisation, slow.nodes["A"].utilisation);
    // and B received exactly the same requests (A's successes, one constant hop later).
    assert_eq!(
        fast.series.nodes["B"].arrivals,
        slow.series.nodes["B"].arrivals
    );
}

/// The same comparison with a random network latency on the client's edge. The latency of a
/// request on its way to A is the edge's own draw; what B does later cannot change it.
#[test]
fn crn_random_edge_latency_upstream_is_not_shifted_by_a_downstream_change() {
    let random_hop = r#"{ "type": "exponential", "mean_ms": 5 }"#;
    let fast = go(&upstream_downstream(FAST_B, random_hop));
    let slow = go(&upstream_downstream(SLOW_B, random_hop));
    assert_eq!(fast.series.arrivals, slow.series.arrivals);
    assert_eq!(
        fast.series.nodes["A"].arrivals, slow.series.nodes["A"].arrivals,
        "A's arrivals per 100 ms bucket changed with B's service time"
    );
    assert_eq!(
        fast.series.nodes["A"].utilisation,
        slow.series.nodes["A"].utilisation
    );
}

/// Client → database directly (one 2.5 ms hop), or client → cache → database with the same
/// total delay on the way in (1 ms + 0.5 ms lookup + 1 ms). Every request is a write, which a
/// cache always passes on, so the database must see exactly the same queries at the same
/// times with the same keys. `cache_first` lists the cache before the database in `nodes`.
fn with_or_without_cache(cache: bool, cache_first: bool) -> Design {
    let client = r#"{ "id": "c", "kind": "client", "params": {
          "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 300 } },
          "mix": [ { "name": "save", "weight": 1, "write": true } ],
          "keys": { "count": 5000, "popularity": { "type": "zipf", "exponent": 0.9 } } } }"#;
    let db = r#"{ "id": "db", "kind": "database", "params": { "shards": 4, "connections": 1,
          "queue_capacity": 100000, "write_time": { "type": "exponential", "mean_ms": 2 } } }"#;
    let cache_node = r#"{ "id": "cache", "kind": "cache", "params": { "capacity": 100,
          "hit_time": { "type": "constant", "ms": 0.5 } } }"#;
    let hop = |ms: f64| format!(r#"{{ "latency": {{ "type": "constant", "ms": {ms} }} }}"#);
    let (nodes, edges) = if !cache {
        (
            format!("{client}, {db}"),
            format!(
                r#"{{ "id": "c-db", "from": "c", "to": "db", "params": {} }}"#,
                hop(2.5)
            ),
        )
    } else {
        let nodes = if cache_first {
            format!("{client}, {cache_node}, {db}")
        } else {
            format!("{client}, {db}, {cache_node}")
        };
        (
            nodes,
            format!(
                r#"{{ "id": "c-cache", "from": "c", "to": "cache", "params": {} }},
                   {{ "id": "cache-db", "from": "cache", "to": "db", "params": {} }}"#,
                hop(1.0),
                hop(1.0)
            ),
        )
    };
    parse(&format!(
        r#"{{ "version": 1, "name": "cache or not", "nodes": [ {nodes} ], "edges": [ {edges} ],
            "run": {{ "duration_ms": 20000, "warmup_ms": 2000, "bucket_ms": 500, "seed": 9 }} }}"#
    ))
}

fn assert_same_database_traffic(without: &Report, with: &Report) {
    assert_eq!(
        without.series.arrivals, with.series.arrivals,
        "source arrivals"
    );
    assert_eq!(
        without.series.nodes["db"].arrivals, with.series.nodes["db"].arrivals,
        "database arrivals per bucket"
    );
    // Queries per shard are decided by the keys alone: the same keys reached the database.
    let shards = |r: &Report| r.nodes["db"].database.clone().unwrap().shard_queries;
    assert_eq!(shards(without), shards(with), "queries per shard (keys)");
    assert!(with.nodes["cache"].cache.unwrap().misses.value == 0.0);
}

#[test]
fn crn_adding_a_cache_leaves_the_source_keys_and_the_other_nodes_draws_identical() {
    let without = go(&with_or_without_cache(false, false));
    let with = go(&with_or_without_cache(true, false));
    assert_same_database_traffic(&without, &with);
    // The database's own draws (write times) are untouched too: same busy time, same latency.
    assert_eq!(
        without.series.nodes["db"].utilisation,
        with.series.nodes["db"].utilisation
    );
    assert_eq!(
        without.nodes["db"].latency.mean_ms,
        with.nodes["db"].latency.mean_ms
    );
}

/// The same, with the cache listed before the database, the order a person drawing
/// client → cache → database produces. Streams are derived from a node's position in the
/// `nodes` array, so inserting (or deleting) a node shifts every later node's stream.
#[test]
fn crn_inserting_a_cache_before_a_node_leaves_that_nodes_draws_identical() {
    let without = go(&with_or_without_cache(false, false));
    let with = go(&with_or_without_cache(true, true));
    assert_same_database_traffic(&without, &with);
    assert_eq!(
        without.nodes["db"].latency.mean_ms, with.nodes["db"].latency.mean_ms,
        "the database drew different write times once a cache was inserted before it"
    );
}

// =============================================================================================
// 2. Service: workers, bounded queue, service-time distributions, errors, slow-down
// =============================================================================================

/// Inverse of the standard normal CDF at 0.95 (for a log-normal's 95th percentile).
const Z_95: f64 = 1.644_853_626_951_472_2;
/// Inverse of the standard normal CDF at 0.99 (how the design format defines `p99_ms`).
const Z_99: f64 = 2.326_347_874_040_841;

struct DistCase {
    name: &'static str,
    json: &'static str,
    mean_ms: f64,
    /// p50, p95, p99 in ms.
    quantiles: [f64; 3],
}

fn distribution_cases() -> Vec<DistCase> {
    let sigma = (20.0f64 / 6.0).ln() / Z_99;
    vec![
        DistCase {
            name: "constant",
            json: r#"{ "type": "constant", "ms": 8 }"#,
            mean_ms: 8.0,
            quantiles: [8.0, 8.0, 8.0],
        },
        DistCase {
            name: "exponential",
            json: r#"{ "type": "exponential", "mean_ms": 8 }"#,
            mean_ms: 8.0,
            quantiles: [8.0 * 2f64.ln(), 8.0 * 20f64.ln(), 8.0 * 100f64.ln()],
        },
        DistCase {
            name: "uniform",
            json: r#"{ "type": "uniform", "min_ms": 2, "max_ms": 14 }"#,
            mean_ms: 8.0,
            quantiles: [8.0, 2.0 + 0.95 * 12.0, 2.0 + 0.99 * 12.0],
        },
        DistCase {
            name: "log_normal",
            json: r#"{ "type": "log_normal", "median_ms": 6, "p99_ms": 20 }"#,
            mean_ms: 6.0 * (sigma * sigma / 2.0).exp(),
            quantiles: [6.0, 6.0 * (sigma * Z_95).exp(), 20.0],
        },
    ]
}

/// With far more workers than ever busy, a request's residence time is its service time, so
/// the node's latency percentiles are the distribution's quantiles, and the utilisation law
/// U = λ·E[S]/N gives its mean.
#[test]
fn service_time_distributions_have_their_mean_and_quantiles() {
    let (lambda, workers) = (400.0, 100u32);
    for case in distribution_cases() {
        let design = parse(&format!(
            r#"{{ "version": 1, "nodes": [
              {{ "id": "c", "kind": "client", "params": {{
                   "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": {lambda} }} }} }} }},
              {{ "id": "s", "kind": "service", "params": {{ "workers": {workers},
                   "queue_capacity": 100000, "service_time": {} }} }} ],
            "edges": [ {{ "id": "e", "from": "c", "to": "s" }} ],
            "run": {{ "duration_ms": 101000, "warmup_ms": 1000, "seed": 3 }} }}"#,
            case.json
        ));
        let report = go(&design);
        let s = &report.nodes["s"];
        let seconds = measured_seconds(&design);
        let busy_workers = s.utilisation.value * workers as f64;
        // Utilisation law with the measured throughput: E[S] = U·N / X.
        let x = s.completions.value / seconds;
        let mean_ms = 1000.0 * busy_workers / x;
        let tolerance = if case.name == "constant" { 0.002 } else { 0.02 };
        assert_within(
            &format!("{} E[S] from U·N/X", case.name),
            mean_ms,
            case.mean_ms,
            tolerance,
        );
        // And with the offered rate, as the requirement states it: U = λ·E[S]/N.
        assert_within(
            &format!("{} utilisation", case.name),
            s.utilisation.value,
            lambda * case.mean_ms / 1000.0 / workers as f64,
            0.03,
        );
        assert_eq!(s.failures.total(), 0.0);
        assert_eq!(
            s.mean_queue_length.value, 0.0,
            "{}: nobody waits",
            case.name
        );
        let got = [
            s.latency.p50_ms.value,
            s.latency.p95_ms.value,
            s.latency.p99_ms.value,
        ];
        let tolerances = if case.name == "constant" {
            [0.002; 3]
        } else {
            [0.03, 0.03, 0.05]
        };
        for (i, q) in ["p50", "p95", "p99"].iter().enumerate() {
            assert_within(
                &format!("{} {q}", case.name),
                got[i],
                case.quantiles[i],
                tolerances[i],
            );
        }
        assert_within(
            &format!("{} mean latency", case.name),
            s.latency.mean_ms.value,
            case.mean_ms,
            tolerance,
        );
    }
}

/// `queue_capacity: 0` means no waiting room: an M/G/c/c loss system, whose blocking
/// probability is Erlang B whatever the service-time distribution (insensitivity).
#[test]
fn no_waiting_room_blocks_with_erlang_b_and_cause_queue_full() {
    let (c, lambda, mean_s) = (3u32, 200.0, 0.010);
    let a: f64 = lambda * mean_s;
    // Erlang B by its recursion: B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
    let blocking = (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b));
    assert!((blocking - (8.0 / 6.0) / (1.0 + 2.0 + 2.0 + 8.0 / 6.0)).abs() < 1e-12);
    let mut design = parse(&format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": {lambda} }} }} }} }},
          {{ "id": "s", "kind": "service", "params": {{ "workers": {c}, "queue_capacity": 0,
               "service_time": {{ "type": "uniform", "min_ms": 0, "max_ms": 20 }} }} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "s" }} ],
        "run": {{ "duration_ms": 61000, "warmup_ms": 1000, "seed": 4 }} }}"#
    ));
    design.run.replications = 5;
    let report = go(&design);
    let s = &report.nodes["s"];
    let rejected = report.overall.failures.queue_full.value;
    let share = rejected / report.overall.arrivals.value;
    assert_within("Erlang B blocking", share, blocking, 0.04);
    // Rejections are queue_full, counted at the service and seen by the client; nothing else.
    assert_eq!(s.failures.queue_full.value, rejected);
    assert_eq!(report.overall.failures.total(), rejected);
    assert_eq!(s.mean_queue_length.value, 0.0);
    // Carried load: U = a·(1 − B)/c.
    assert_within(
        "loss-system utilisation",
        s.utilisation.value,
        a * (1.0 - blocking) / c as f64,
        0.03,
    );
}

#[test]
fn error_rate_fails_that_share_of_requests_after_doing_the_work() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 500 } } } },
          { "id": "s", "kind": "service", "params": { "workers": 20, "error_rate": 0.25,
               "service_time": { "type": "constant", "ms": 4 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "s" } ],
        "run": { "duration_ms": 31000, "warmup_ms": 1000, "seed": 8 } }"#,
    );
    let report = go(&design);
    let completed = report.overall.completed.value;
    let errors = report.overall.failures.error.value;
    // Binomial: sd of the share is √(0.25·0.75/15000) ≈ 0.0035.
    assert!(
        (errors / completed - 0.25).abs() < 0.015,
        "error share {}",
        errors / completed
    );
    assert_eq!(report.overall.failures.total(), errors);
    assert_eq!(report.nodes["s"].failures.error.value, errors);
    // Errors are decided after the service time: failed requests kept a worker busy too.
    assert_within(
        "utilisation counts failed work",
        report.nodes["s"].utilisation.value,
        500.0 * 0.004 / 20.0,
        0.03,
    );
    // Latency is that of successful requests: 1 ms there, 4 ms of work, 1 ms back.
    assert_within(
        "success latency",
        report.overall.latency.mean_ms.value,
        6.0,
        1e-9,
    );
}

/// Closed loop with zero think time keeps a fixed number of requests at a service, which makes
/// its busy fraction at every start of service known, and so the slow-down factor.
fn slowdown_design(workers: u32, users: u32, knee: f64, factor: f64) -> Design {
    parse(&format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "closed_loop", "users": {users},
                             "think_time": {{ "type": "constant", "ms": 0 }} }} }} }},
          {{ "id": "s", "kind": "service", "params": {{ "workers": {workers},
               "service_time": {{ "type": "constant", "ms": 10 }},
               "slowdown": {{ "knee": {knee}, "factor": {factor} }} }} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "s", "params": {{ "latency": {{ "type": "constant", "ms": 0 }} }} }} ],
        "run": {{ "duration_ms": 10000, "warmup_ms": 1000 }} }}"#
    ))
}

#[test]
fn load_dependent_slowdown_follows_the_busy_fraction_including_this_worker() {
    // Two users on two workers: after the first round every request starts while the other
    // user's request is in service, so u = 2/2 = 1 and the factor is 1 + 3·(1 − 0.5)/(1 − 0.5).
    let report = go(&slowdown_design(2, 2, 0.5, 3.0));
    assert_within("u = 1", report.overall.latency.mean_ms.value, 40.0, 1e-6);
    // Two users on four workers, knee 0.25: u = 2/4 at every start after the first round,
    // factor 1 + 3·(0.5 − 0.25)/(1 − 0.25) = 2. (Leaving this request's worker out would give
    // u = 1/4, no slow-down: 10 ms.)
    let report = go(&slowdown_design(4, 2, 0.25, 3.0));
    assert_within("u = 1/2", report.overall.latency.mean_ms.value, 20.0, 1e-6);
    assert_within(
        "busy fraction",
        report.nodes["s"].utilisation.value,
        0.5,
        1e-3,
    );
    // Below the knee nothing changes.
    let report = go(&slowdown_design(4, 2, 0.5, 3.0));
    assert_within("u = knee", report.overall.latency.mean_ms.value, 10.0, 1e-6);
}

// =============================================================================================
// 3 and 4. Downstream calls (sequential, parallel) and network latency per hop
// =============================================================================================

/// c →(3 ms) front; front (2 ms of work) calls x over a 4 ms hop (x works 5 ms) and y over a
/// 1 ms hop (y works 20 ms). Every latency is constant and there is no queueing.
fn hops(mode: &str) -> Design {
    parse(&format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 50 }} }} }} }},
          {{ "id": "front", "kind": "service", "params": {{ "workers": 100, "calls": "{mode}",
               "service_time": {{ "type": "constant", "ms": 2 }} }} }},
          {{ "id": "x", "kind": "service", "params": {{ "workers": 100,
               "service_time": {{ "type": "constant", "ms": 5 }} }} }},
          {{ "id": "y", "kind": "service", "params": {{ "workers": 100,
               "service_time": {{ "type": "constant", "ms": 20 }} }} }} ],
        "edges": [
          {{ "id": "c-front", "from": "c", "to": "front", "params": {{ "latency": {{ "type": "constant", "ms": 3 }} }} }},
          {{ "id": "front-x", "from": "front", "to": "x", "params": {{ "latency": {{ "type": "constant", "ms": 4 }} }} }},
          {{ "id": "front-y", "from": "front", "to": "y", "params": {{ "latency": {{ "type": "constant", "ms": 1 }} }} }} ],
        "run": {{ "duration_ms": 10000, "warmup_ms": 1000 }} }}"#
    ))
}

fn assert_constant_latency(what: &str, latency: &Latency, ms: f64) {
    assert_within(&format!("{what} mean"), latency.mean_ms.value, ms, 1e-9);
    assert_within(&format!("{what} max"), latency.max_ms.value, ms, 1e-9);
    // Percentiles come from a histogram with 3 significant digits.
    for (q, e) in [
        ("p50", latency.p50_ms),
        ("p95", latency.p95_ms),
        ("p99", latency.p99_ms),
    ] {
        assert_within(&format!("{what} {q}"), e.value, ms, 1e-3);
    }
}

#[test]
fn every_hop_adds_its_latency_there_and_back_sequential_sums_and_parallel_takes_the_max() {
    let x_call = 2.0 * 4.0 + 5.0;
    let y_call = 2.0 * 1.0 + 20.0;
    let sequential = go(&hops("sequential"));
    assert_constant_latency(
        "sequential, client",
        &sequential.overall.latency,
        2.0 * 3.0 + 2.0 + x_call + y_call,
    );
    // A node's residence time excludes the hop that brought the request to it.
    assert_constant_latency(
        "sequential, front",
        &sequential.nodes["front"].latency,
        2.0 + x_call + y_call,
    );
    assert_constant_latency("x alone", &sequential.nodes["x"].latency, 5.0);
    let parallel = go(&hops("parallel"));
    assert_constant_latency(
        "parallel, client",
        &parallel.overall.latency,
        2.0 * 3.0 + 2.0 + x_call.max(y_call),
    );
    assert_constant_latency(
        "parallel, front",
        &parallel.nodes["front"].latency,
        2.0 + x_call.max(y_call),
    );
    // Both calls are made either way (in sequence, y's call starts 13 ms after x's, so one
    // may fall on the other side of the warm-up's end).
    for report in [&sequential, &parallel] {
        let (x, y) = (
            report.edges["front-x"].attempts.value,
            report.edges["front-y"].attempts.value,
        );
        assert!(x > 400.0 && (x - y).abs() <= 1.0, "{x} {y}");
    }
}

// =============================================================================================
// 5. Fates counted separately
// =============================================================================================

#[test]
fn no_healthy_backend_when_every_backend_is_down() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 200 } } } },
          { "id": "lb", "kind": "load_balancer" },
          { "id": "s1", "kind": "service", "params": { "workers": 20 } },
          { "id": "s2", "kind": "service", "params": { "workers": 20 } } ],
        "edges": [ { "id": "c-lb", "from": "c", "to": "lb" },
                   { "id": "lb-s1", "from": "lb", "to": "s1" },
                   { "id": "lb-s2", "from": "lb", "to": "s2" } ],
        "faults": [
          { "target": "s1", "at_ms": 3000, "duration_ms": 7000, "effect": { "type": "crash" } },
          { "target": "s2", "at_ms": 5000, "duration_ms": 5000, "effect": { "type": "crash" } } ],
        "run": { "duration_ms": 15000, "warmup_ms": 0, "bucket_ms": 1000, "seed": 2 } }"#,
    );
    let report = go(&design);
    let none_left = report.overall.failures.no_healthy_backend.value;
    // Both down during [5 s, 10 s): every request then finds no backend.
    assert_count("no_healthy_backend", none_left, 200.0 * 5.0, 4.5);
    assert_eq!(
        report.nodes["lb"].failures.no_healthy_backend.value,
        none_left
    );
    // While only s1 was down, s2 took everything: no failures from that alone.
    let by_bucket = &report.series.failed_by_cause["no_healthy_backend"];
    assert!(by_bucket[..5].iter().all(|&n| n == 0), "{by_bucket:?}");
    assert!(by_bucket[5..10].iter().all(|&n| n > 150), "{by_bucket:?}");
    assert!(by_bucket[10..].iter().all(|&n| n == 0), "{by_bucket:?}");
    // Only requests caught inside a backend when it crashed are node_down.
    assert!(report.overall.failures.node_down.value < 20.0);
}

/// One client per failure cause, side by side in one design.
#[test]
fn every_failure_cause_is_counted_under_its_own_name() {
    let client = |id: &str| {
        format!(
            r#"{{ "id": "{id}", "kind": "client", "params": {{
                 "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 100 }} }} }} }}"#
        )
    };
    let clients = ["c_err", "c_to", "c_qf", "c_rl", "c_bo", "c_nh", "c_nd"]
        .map(client)
        .join(",");
    let design = parse(&format!(
        r#"{{ "version": 1, "nodes": [ {clients},
          {{ "id": "s_err", "kind": "service", "params": {{ "workers": 10, "error_rate": 1,
               "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "s_slow", "kind": "service", "params": {{ "workers": 100,
               "service_time": {{ "type": "constant", "ms": 50 }} }} }},
          {{ "id": "s_full", "kind": "service", "params": {{ "workers": 1, "queue_capacity": 0,
               "service_time": {{ "type": "constant", "ms": 100 }} }} }},
          {{ "id": "rl", "kind": "rate_limiter", "params": {{
               "algorithm": {{ "type": "token_bucket", "rate_rps": 10, "burst": 1 }} }} }},
          {{ "id": "s_ok", "kind": "service", "params": {{ "workers": 10,
               "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "s_bad", "kind": "service", "params": {{ "workers": 10, "error_rate": 1,
               "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "lb", "kind": "load_balancer" }},
          {{ "id": "s_lb", "kind": "service" }},
          {{ "id": "s_down", "kind": "service" }} ],
        "edges": [
          {{ "id": "e_err", "from": "c_err", "to": "s_err" }},
          {{ "id": "e_to", "from": "c_to", "to": "s_slow", "params": {{ "timeout_ms": 10 }} }},
          {{ "id": "e_qf", "from": "c_qf", "to": "s_full" }},
          {{ "id": "e_rl", "from": "c_rl", "to": "rl" }},
          {{ "id": "e_rl_ok", "from": "rl", "to": "s_ok" }},
          {{ "id": "e_bo", "from": "c_bo", "to": "s_bad", "params": {{ "circuit_breaker": {{
               "failure_threshold": 0.5, "minimum_calls": 5, "window_ms": 1000, "open_ms": 100000 }} }} }},
          {{ "id": "e_nh", "from": "c_nh", "to": "lb" }},
          {{ "id": "e_lb", "from": "lb", "to": "s_lb" }},
          {{ "id": "e_nd", "from": "c_nd", "to": "s_down" }} ],
        "faults": [
          {{ "target": "s_lb", "at_ms": 0, "duration_ms": 20000, "effect": {{ "type": "crash" }} }},
          {{ "target": "s_down", "at_ms": 0, "duration_ms": 20000, "effect": {{ "type": "crash" }} }} ],
        "run": {{ "duration_ms": 10000, "warmup_ms": 0, "bucket_ms": 1000, "seed": 6 }} }}"#
    ));
    let report = go(&design);
    let causes = |f: &Failures| {
        [
            f.error.value,
            f.timeout.value,
            f.queue_full.value,
            f.rate_limited.value,
            f.breaker_open.value,
            f.no_healthy_backend.value,
            f.node_down.value,
        ]
    };
    // Which cause each client must see (index into `causes`), and how much of its traffic.
    let expected: [(&str, usize, f64); 7] = [
        ("c_err", 0, 1.0),
        ("c_to", 1, 1.0),
        ("c_qf", 2, 0.85),
        ("c_rl", 3, 0.85),
        ("c_bo", 4, 0.97),
        ("c_nh", 5, 1.0),
        ("c_nd", 6, 1.0),
    ];
    let mut sums = [0.0; 7];
    for (id, cause, least_share) in expected {
        let node = &report.nodes[id];
        let seen = causes(&node.failures);
        for (i, n) in seen.iter().enumerate() {
            sums[i] += n;
        }
        assert!(
            seen[cause] >= least_share * node.completions.value && seen[cause] > 0.0,
            "{id}: {seen:?} of {} completed",
            node.completions.value
        );
        for (i, n) in seen.iter().enumerate() {
            // The breaker's client saw the errors that opened it.
            let allowed = i == cause || (id == "c_bo" && i == 0);
            assert!(allowed || *n == 0.0, "{id}: cause #{i} = {n}: {seen:?}");
        }
    }
    // The overall figures are the clients' added up, cause by cause.
    assert_eq!(causes(&report.overall.failures), sums);
    assert_eq!(
        report.overall.failures.total(),
        report.overall.completed.value - report.overall.succeeded.value
    );
    // Each failure is counted once, where it happened (the client hears of it one hop later,
    // so a failure in the run's last millisecond may be counted at the node only).
    let near = |what: &str, at_node: f64, at_clients: f64| {
        assert!(
            at_node >= at_clients && at_node - at_clients <= 3.0,
            "{what}: {at_node} at the node, {at_clients} seen by clients"
        );
    };
    near(
        "error",
        report.nodes["s_err"].failures.error.value + report.nodes["s_bad"].failures.error.value,
        sums[0],
    );
    assert_eq!(report.nodes["s_slow"].failures.total(), 0.0);
    near(
        "queue_full",
        report.nodes["s_full"].failures.queue_full.value,
        sums[2],
    );
    near(
        "rate_limited",
        report.nodes["rl"].failures.rate_limited.value,
        sums[3],
    );
    near(
        "no_healthy_backend",
        report.nodes["lb"].failures.no_healthy_backend.value,
        sums[5],
    );
    near(
        "node_down",
        report.nodes["s_down"].failures.node_down.value,
        sums[6],
    );
    // Timeouts and short circuits happen at the caller: here, the clients themselves.
    assert_eq!(report.nodes["c_to"].failures.timeout.value, sums[1]);
    assert_eq!(report.edges["e_to"].timeouts.value, sums[1]);
    assert_eq!(report.edges["e_bo"].short_circuited.value, sums[4]);
    // The series splits every bucket's failures by cause: one column per cause of the report
    // (the causes of the cures — throttled, codel_dropped, … — are `tests/resilience.rs`'s,
    // `tests/queue_disciplines.rs`'s and `tests/deadlines.rs`'s), these seven with the counts.
    let series = &report.series;
    assert_eq!(
        series.failed_by_cause.len(),
        archsim_engine::CAUSE_NAMES.len()
    );
    for (i, name) in [
        "error",
        "timeout",
        "queue_full",
        "rate_limited",
        "breaker_open",
        "no_healthy_backend",
        "node_down",
    ]
    .iter()
    .enumerate()
    {
        let column = &series.failed_by_cause[*name];
        assert_eq!(column.iter().sum::<u64>() as f64, sums[i], "{name}");
    }
    for b in 0..series.failed.len() {
        let split: u64 = series.failed_by_cause.values().map(|v| v[b]).sum();
        assert_eq!(series.failed[b], split, "bucket {b}");
    }
}

// =============================================================================================
// 6. Traffic: rate profiles, request mix, key popularity
// =============================================================================================

/// ∫ rate over [a, b] ms, in requests, from the profile's definition in docs/design-format.md.
fn expected_requests(profile: &str, a: f64, b: f64) -> f64 {
    let overlap = |lo: f64, hi: f64| (b.min(hi) - a.max(lo)).max(0.0);
    let per_ms = |rps: f64| rps / 1000.0;
    match profile {
        "constant" => per_ms(1000.0) * (b - a),
        "ramp" => {
            // from 200 to 2000 between 5 s and 25 s.
            let rate = |t: f64| {
                if t <= 5000.0 {
                    200.0
                } else if t >= 25000.0 {
                    2000.0
                } else {
                    200.0 + 1800.0 * (t - 5000.0) / 20000.0
                }
            };
            // Piecewise linear: integrate over the pieces with the trapezoid rule (exact).
            let mut points = vec![a, b];
            for knot in [5000.0, 25000.0] {
                if knot > a && knot < b {
                    points.push(knot);
                }
            }
            points.sort_by(|x, y| x.partial_cmp(y).unwrap());
            points
                .windows(2)
                .map(|w| per_ms((rate(w[0]) + rate(w[1])) / 2.0) * (w[1] - w[0]))
                .sum()
        }
        "step" => {
            per_ms(300.0) * overlap(f64::NEG_INFINITY, 12250.0)
                + per_ms(1500.0) * overlap(12250.0, f64::INFINITY)
        }
        "spike" => {
            let spike = overlap(10000.0, 13000.0);
            per_ms(400.0) * (b - a - spike) + per_ms(2400.0) * spike
        }
        "sine" => {
            // 1000 + 800·sin(2πt/P), P = 10 s.
            let p = 10000.0;
            let w = 2.0 * std::f64::consts::PI / p;
            per_ms(1000.0) * (b - a) + per_ms(800.0) * ((w * a).cos() - (w * b).cos()) / w
        }
        other => unreachable!("{other}"),
    }
}

#[test]
fn rate_profiles_shape_the_arrivals_of_every_bucket() {
    let profiles = [
        ("constant", r#"{ "type": "constant", "rps": 1000 }"#),
        (
            "ramp",
            r#"{ "type": "ramp", "from_rps": 200, "to_rps": 2000, "start_ms": 5000, "end_ms": 25000 }"#,
        ),
        (
            "step",
            r#"{ "type": "step", "before_rps": 300, "after_rps": 1500, "at_ms": 12250 }"#,
        ),
        (
            "spike",
            r#"{ "type": "spike", "base_rps": 400, "spike_rps": 2400, "start_ms": 10000, "duration_ms": 3000 }"#,
        ),
        (
            "sine",
            r#"{ "type": "sine", "mean_rps": 1000, "amplitude_rps": 800, "period_ms": 10000 }"#,
        ),
    ];
    for (name, rate) in profiles {
        let design = parse(&format!(
            r#"{{ "version": 1, "nodes": [
              {{ "id": "c", "kind": "client", "params": {{
                   "workload": {{ "type": "open_loop", "rate": {rate} }} }} }},
              {{ "id": "s", "kind": "service", "params": {{ "workers": 1000,
                   "service_time": {{ "type": "constant", "ms": 0.1 }} }} }} ],
            "edges": [ {{ "id": "e", "from": "c", "to": "s" }} ],
            "run": {{ "duration_ms": 30000, "warmup_ms": 0, "bucket_ms": 500, "seed": 12 }} }}"#
        ));
        let report = go(&design);
        let series = &report.series;
        assert_eq!(series.arrivals.len(), 60, "{name}");
        let mut total_expected = 0.0;
        for (i, &observed) in series.arrivals.iter().enumerate() {
            let a = i as f64 * 500.0;
            assert_eq!(series.t_ms[i], a, "{name}: bucket start");
            let expected = expected_requests(name, a, a + 500.0);
            total_expected += expected;
            assert_count(
                &format!("{name}, bucket {i} ({a} ms)"),
                observed as f64,
                expected,
                5.0,
            );
        }
        assert_count(
            &format!("{name}, whole run"),
            report.overall.arrivals.value,
            total_expected,
            4.0,
        );
    }
}

#[test]
fn request_mix_weights_are_the_shares_of_each_class() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 1000 } },
               "mix": [ { "name": "a", "weight": 5 }, { "name": "b", "weight": 3 },
                        { "name": "w", "weight": 2, "write": true } ] } },
          { "id": "gw", "kind": "api_gateway", "params": {
               "routes": [ { "class": "a", "to": "sa" }, { "class": "b", "to": "sb" },
                           { "class": "w", "to": "sw" } ] } },
          { "id": "sa", "kind": "service", "params": { "workers": 100 } },
          { "id": "sb", "kind": "service", "params": { "workers": 100 } },
          { "id": "sw", "kind": "service", "params": { "workers": 100 } } ],
        "edges": [ { "id": "c-gw", "from": "c", "to": "gw" },
                   { "id": "gw-sa", "from": "gw", "to": "sa" },
                   { "id": "gw-sb", "from": "gw", "to": "sb" },
                   { "id": "gw-sw", "from": "gw", "to": "sw" } ],
        "run": { "duration_ms": 31000, "warmup_ms": 1000, "seed": 13 } }"#,
    );
    let report = go(&design);
    let total = report.nodes["gw"].arrivals.value;
    for (id, share) in [("sa", 0.5), ("sb", 0.3), ("sw", 0.2)] {
        let got = report.nodes[id].arrivals.value / total;
        // n ≈ 30 000: sd of a share ≤ 0.003.
        assert!((got - share).abs() < 0.012, "{id}: {got} vs {share}");
    }
}

/// Client → cache (LRU) → database, reads only, with the given key popularity.
fn lru_hit_ratio(popularity: &str, keys: u64, capacity: u64) -> f64 {
    let design = parse(&format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 1000 }} }},
               "mix": [ {{ "name": "read", "weight": 1 }} ],
               "keys": {{ "count": {keys}, "popularity": {popularity} }} }} }},
          {{ "id": "cache", "kind": "cache", "params": {{ "capacity": {capacity}, "eviction": "lru" }} }},
          {{ "id": "db", "kind": "database", "params": {{ "connections": 100 }} }} ],
        "edges": [ {{ "id": "c-cache", "from": "c", "to": "cache" }},
                   {{ "id": "cache-db", "from": "cache", "to": "db" }} ],
        "run": {{ "duration_ms": 70000, "warmup_ms": 10000, "seed": 14 }} }}"#
    ));
    let report = go(&design);
    report.nodes["cache"].cache.unwrap().hit_ratio.value
}

/// Che's approximation of an LRU cache's hit ratio under independent requests with
/// probabilities `p`: the characteristic time T solves Σ(1 − e^(−p·T)) = C, and the hit ratio
/// is Σ p·(1 − e^(−p·T)). It is known to be accurate to about a percent for Zipf popularity.
fn che_lru_hit_ratio(p: &[f64], capacity: f64) -> f64 {
    let filled = |t: f64| p.iter().map(|&q| 1.0 - (-q * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while filled(hi) < capacity {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if filled(mid) < capacity {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    p.iter().map(|&q| q * (1.0 - (-q * lo).exp())).sum()
}

#[test]
fn zipf_keys_make_an_lru_cache_hit_more_than_uniform_keys() {
    let (keys, capacity, s) = (1000u64, 100u64, 0.9f64);
    let uniform = lru_hit_ratio(r#"{ "type": "uniform" }"#, keys, capacity);
    let zipf = lru_hit_ratio(
        &format!(r#"{{ "type": "zipf", "exponent": {s} }}"#),
        keys,
        capacity,
    );
    // Uniform keys: any C of N keys are as good as any other, so the hit ratio is C/N.
    assert!(
        (uniform - capacity as f64 / keys as f64).abs() < 0.01,
        "uniform {uniform}"
    );
    let weights: Vec<f64> = (1..=keys).map(|k| (k as f64).powf(-s)).collect();
    let h: f64 = weights.iter().sum();
    let p: Vec<f64> = weights.iter().map(|w| w / h).collect();
    let che = che_lru_hit_ratio(&p, capacity as f64);
    assert!((che - 0.1).abs() > 0.3, "the two cases differ a lot: {che}");
    assert!(
        (zipf - che).abs() < 0.02,
        "zipf LRU hit ratio {zipf}, Che's approximation {che}"
    );
}

// =============================================================================================
// 7. Metrics: warm-up, percentiles, time series
// =============================================================================================

/// Heavy traffic during the warm-up, light traffic after it: the summary must describe only
/// the light part, and the series the whole run.
#[test]
fn warm_up_is_left_out_of_every_summary_figure_and_kept_in_the_series() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop",
                   "rate": { "type": "step", "before_rps": 150, "after_rps": 20, "at_ms": 10000 } } } },
          { "id": "s", "kind": "service", "params": { "workers": 1, "queue_capacity": 100000,
               "service_time": { "type": "constant", "ms": 5 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "s", "params": { "latency": { "type": "constant", "ms": 0 } } } ],
        "run": { "duration_ms": 60000, "warmup_ms": 10000, "bucket_ms": 1000, "seed": 15 } }"#,
    );
    let report = go(&design);
    let seconds = measured_seconds(&design);
    assert_count(
        "arrivals after warm-up",
        report.overall.arrivals.value,
        20.0 * seconds,
        4.5,
    );
    assert_within(
        "throughput after warm-up",
        report.overall.throughput_rps.value,
        20.0,
        0.15,
    );
    // M/D/1 at ρ = 0.1: W = D + ρD/(2(1 − ρ)) = 5.28 ms (12.5 ms at the warm-up's ρ = 0.75).
    let rho: f64 = 20.0 * 0.005;
    let w = 5.0 + rho * 5.0 / (2.0 * (1.0 - rho));
    assert_within(
        "mean latency",
        report.overall.latency.mean_ms.value,
        w,
        0.05,
    );
    assert_within(
        "utilisation",
        report.nodes["s"].utilisation.value,
        rho,
        0.12,
    );
    // The series covers the warm-up too, at its own rate.
    let warm: u64 = report.series.arrivals[..10].iter().sum();
    assert_count("arrivals during warm-up", warm as f64, 1500.0, 4.5);
    assert!(
        report.series.nodes["s"].utilisation[..10]
            .iter()
            .all(|&u| u > 0.5)
    );
}

#[test]
fn mm1_latency_percentiles_are_ordered_and_match_the_exponential_sojourn() {
    let mut design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 500 } } } },
          { "id": "s", "kind": "service", "params": { "workers": 1, "queue_capacity": 1000000,
               "service_time": { "type": "exponential", "mean_ms": 1 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "s", "params": { "latency": { "type": "constant", "ms": 0 } } } ],
        "run": { "duration_ms": 105000, "warmup_ms": 5000, "seed": 16 } }"#,
    );
    design.run.replications = 4;
    let report = go(&design);
    // Sojourn time in M/M/1 is exponential with rate μ − λ = 500/s.
    let scale_ms = 1000.0 / 500.0;
    let l = &report.overall.latency;
    for (what, estimate, theory) in [
        ("p50", l.p50_ms, scale_ms * 2f64.ln()),
        ("p95", l.p95_ms, scale_ms * 20f64.ln()),
        ("p99", l.p99_ms, scale_ms * 100f64.ln()),
    ] {
        assert_within(what, estimate.value, theory, 0.04);
        let ci = estimate.ci95.expect("replications give an interval");
        assert!(
            (estimate.value - theory).abs() <= 2.0 * ci,
            "{what}: theory {theory} far outside {} ± {ci}",
            estimate.value
        );
    }
    for (what, latency) in [
        ("overall", &report.overall.latency),
        ("node", &report.nodes["s"].latency),
    ] {
        let v = [
            latency.p50_ms.value,
            latency.p95_ms.value,
            latency.p99_ms.value,
            latency.max_ms.value,
        ];
        assert!(
            v[0] > 0.0 && v.windows(2).all(|w| w[0] <= w[1]),
            "{what}: p50 ≤ p95 ≤ p99 ≤ max: {v:?}"
        );
        assert!(latency.mean_ms.value < latency.max_ms.value, "{what}");
    }
}

/// Per-bucket figures add up to (or average to) the summary over the buckets after warm-up.
#[test]
fn time_series_buckets_add_up_to_the_summary_after_warm_up() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 180 } } } },
          { "id": "s", "kind": "service", "params": { "workers": 2, "queue_capacity": 5,
               "service_time": { "type": "exponential", "mean_ms": 10 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "s" } ],
        "run": { "duration_ms": 20000, "warmup_ms": 4000, "bucket_ms": 1000, "seed": 17 } }"#,
    );
    let report = go(&design);
    let series = &report.series;
    let skip = 4;
    for v in [&series.arrivals, &series.succeeded, &series.failed] {
        assert_eq!(v.len(), 20);
    }
    assert_eq!(series.p50_ms.len(), 20);
    assert_eq!(series.p99_ms.len(), 20);
    let after = |v: &[u64]| v[skip..].iter().sum::<u64>() as f64;
    assert_eq!(after(&series.arrivals), report.overall.arrivals.value);
    assert_eq!(after(&series.succeeded), report.overall.succeeded.value);
    assert_eq!(
        after(&series.failed),
        report.overall.completed.value - report.overall.succeeded.value
    );
    assert!(report.overall.failures.queue_full.value > 0.0);
    assert_eq!(
        after(&series.failed_by_cause["queue_full"]),
        report.overall.failures.queue_full.value
    );
    let node = &series.nodes["s"];
    assert_eq!(after(&node.arrivals), report.nodes["s"].arrivals.value);
    let mean_after = |v: &[f64]| v[skip..].iter().sum::<f64>() / (v.len() - skip) as f64;
    let s = &report.nodes["s"];
    for (what, series_mean, summary) in [
        (
            "utilisation",
            mean_after(&node.utilisation),
            s.utilisation.value,
        ),
        (
            "queue",
            mean_after(&node.queue_length),
            s.mean_queue_length.value,
        ),
        (
            "in flight",
            mean_after(&node.in_flight),
            s.mean_in_flight.value,
        ),
    ] {
        assert_within(what, series_mean, summary, 1e-9);
    }
    for b in 0..20 {
        assert!(series.p50_ms[b] > 0.0 && series.p50_ms[b] <= series.p99_ms[b]);
        assert!(node.queue_length[b] <= 5.0);
        assert!(node.utilisation[b] <= 1.0);
    }
    // Little's law at the client: requests in flight = throughput × mean latency (every
    // request it sent either succeeded or was rejected at once, with no time in flight).
    let client = &report.nodes["c"];
    let x = report.overall.succeeded.value / measured_seconds(&design);
    assert_within(
        "client L = λW",
        client.mean_in_flight.value,
        x * report.overall.latency.mean_ms.value / 1000.0,
        0.03,
    );
}

// =============================================================================================
// 8. Replications: every figure carries a Student-t half-width
// =============================================================================================

fn summary_estimates(s: &Summary) -> Vec<(&'static str, Estimate)> {
    let mut v = vec![
        ("arrivals", s.arrivals),
        ("completed", s.completed),
        ("succeeded", s.succeeded),
        ("throughput", s.throughput_rps),
        ("goodput", s.goodput_rps),
    ];
    v.extend(failure_estimates(&s.failures));
    v.extend(latency_estimates(&s.latency));
    v
}

fn failure_estimates(f: &Failures) -> Vec<(&'static str, Estimate)> {
    vec![
        ("error", f.error),
        ("timeout", f.timeout),
        ("queue_full", f.queue_full),
        ("rate_limited", f.rate_limited),
        ("breaker_open", f.breaker_open),
        ("no_healthy_backend", f.no_healthy_backend),
        ("node_down", f.node_down),
    ]
}

fn latency_estimates(l: &Latency) -> Vec<(&'static str, Estimate)> {
    vec![
        ("mean_ms", l.mean_ms),
        ("p50_ms", l.p50_ms),
        ("p95_ms", l.p95_ms),
        ("p99_ms", l.p99_ms),
        ("max_ms", l.max_ms),
    ]
}

fn node_estimates(n: &NodeReport) -> Vec<(String, Estimate)> {
    let mut v: Vec<(String, Estimate)> = vec![
        ("arrivals".into(), n.arrivals),
        ("completions".into(), n.completions),
        ("utilisation".into(), n.utilisation),
        ("mean_queue_length".into(), n.mean_queue_length),
        ("mean_in_flight".into(), n.mean_in_flight),
    ];
    v.extend(
        failure_estimates(&n.failures)
            .into_iter()
            .map(|(k, e)| (k.into(), e)),
    );
    v.extend(
        latency_estimates(&n.latency)
            .into_iter()
            .map(|(k, e)| (k.into(), e)),
    );
    if let Some(c) = &n.cache {
        for (k, e) in [
            ("hits", c.hits),
            ("misses", c.misses),
            ("hit_ratio", c.hit_ratio),
            ("evictions", c.evictions),
            ("expirations", c.expirations),
        ] {
            v.push((k.into(), e));
        }
    }
    if let Some(d) = &n.database {
        for (i, e) in d.shard_queries.iter().enumerate() {
            v.push((format!("shard_queries[{i}]"), *e));
        }
        v.push(("reads_on_replicas".into(), d.reads_on_replicas));
        v.push(("stale_reads".into(), d.stale_reads));
    }
    if let Some(q) = &n.queue {
        for (k, e) in [
            ("enqueued", q.enqueued),
            ("delivered", q.delivered),
            ("redeliveries", q.redeliveries),
            ("dead_lettered", q.dead_lettered),
            ("max_depth", q.max_depth),
        ] {
            v.push((k.into(), e));
        }
    }
    if let Some(l) = &n.rate_limiter {
        v.push(("admitted".into(), l.admitted));
        v.push(("rejected".into(), l.rejected));
    }
    if let Some(b) = &n.balancer {
        for (id, e) in b {
            v.push((format!("balancer[{id}]"), *e));
        }
    }
    v
}

/// Every estimate of a report, each with a name.
fn all_estimates(report: &Report) -> Vec<(String, Estimate)> {
    let mut v: Vec<(String, Estimate)> = summary_estimates(&report.overall)
        .into_iter()
        .map(|(k, e)| (format!("overall.{k}"), e))
        .collect();
    for (id, node) in &report.nodes {
        v.extend(
            node_estimates(node)
                .into_iter()
                .map(|(k, e)| (format!("nodes.{id}.{k}"), e)),
        );
    }
    for (id, edge) in &report.edges {
        for (k, e) in [
            ("attempts", edge.attempts),
            ("retries", edge.retries),
            ("timeouts", edge.timeouts),
            ("short_circuited", edge.short_circuited),
            ("breaker_opened", edge.breaker_opened),
            ("breaker_open_fraction", edge.breaker_open_fraction),
        ] {
            v.push((format!("edges.{id}.{k}"), e));
        }
    }
    v
}

/// A design with every node kind, so that every kind of figure is in the report.
fn every_kind_design() -> Design {
    parse(include_str!("designs/every_kind.json"))
}

#[test]
fn replications_give_every_figure_its_mean_and_student_t_half_width() {
    let design = every_kind_design();
    let report = go(&design);
    assert_eq!(report.replications, 4);
    // Each replication on its own (its exact figures are the `value`s of a one-result summary).
    let singles: Vec<Report> = (0..4)
        .map(|i| {
            let result = run_replication(&design, i, &mut |_| {}).unwrap();
            summarize(&design, &[result])
        })
        .collect();
    let columns: Vec<Vec<(String, Estimate)>> = singles.iter().map(all_estimates).collect();
    let combined = all_estimates(&report);
    assert!(combined.len() > 150, "{} estimates", combined.len());
    // t(0.975, 3), from the tables.
    let t3 = 3.182_446_305;
    for (i, (name, estimate)) in combined.iter().enumerate() {
        let samples: Vec<f64> = columns.iter().map(|c| c[i].1.value).collect();
        assert!(columns.iter().all(|c| &c[i].0 == name));
        let mean = samples.iter().sum::<f64>() / 4.0;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0;
        let half_width = t3 * (var / 4.0).sqrt();
        let ci = estimate
            .ci95
            .unwrap_or_else(|| panic!("{name}: no confidence interval with 4 replications"));
        assert!(
            (estimate.value - mean).abs() <= 1e-9 * mean.abs().max(1.0),
            "{name}: value {} vs mean of replications {mean} ({samples:?})",
            estimate.value
        );
        assert!(
            (ci - half_width).abs() <= 1e-9 * half_width.max(1.0),
            "{name}: ci95 {ci} vs t·s/√R {half_width} ({samples:?})"
        );
    }
    // The replications really are independent draws, and the figures that matter vary.
    assert!(report.overall.latency.mean_ms.ci95.unwrap() > 0.0);
    assert!(report.overall.arrivals.ci95.unwrap() > 0.0);
    // The time series is the first replication's.
    assert_eq!(report.series, singles[0].series);
}

// =============================================================================================
// 9. Event budget
// =============================================================================================

#[test]
fn event_budget_stops_every_replication_and_the_report_says_where() {
    let mut design = every_kind_design();
    design.run.max_events = 20_000;
    let report = go(&design);
    assert_eq!(
        report.events,
        4 * 20_000,
        "each replication used its whole budget"
    );
    match &report.stopped_early {
        Some(archsim_model::report::StopReason::EventBudget { max_events, at_ms }) => {
            assert_eq!(*max_events, 20_000);
            assert!(*at_ms > 0.0 && *at_ms < design.run.duration_ms, "{at_ms}");
            // The series ends where the run did.
            let last = report.series.t_ms.last().copied().unwrap_or(0.0);
            assert!(
                last <= *at_ms,
                "series reaches {last} ms, run stopped at {at_ms}"
            );
        }
        other => panic!("a 20 000-event budget cannot cover this run: {other:?}"),
    }
}

//! Load curves: processing time multiplied by a curve of utilisation, on services, database
//! members and caches. With one worker (connection, unit of concurrency) busy only with the
//! request at hand, u = 1 exactly, so the time stretches by the curve's value at 1.

mod common;

use archsim_model::report::Report;
use common::{go, parse};

fn client_to(node: &str) -> Report {
    go(&parse(&format!(
        r#"{{ "version": 1, "name": "t",
        "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 20 }} }},
               "mix": [] }} }},
          {node} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "n" }} ],
        "run": {{ "duration_ms": 200000, "warmup_ms": 1000, "bucket_ms": 10000 }} }}"#
    )))
}

#[test]
fn a_single_workers_service_time_stretches_by_the_curve_at_full_utilisation() {
    // One worker, 10 ms constant: utilisation = λ · 10 ms · factor(1).
    for (curve, factor) in [
        (r#"{ "type": "exponential", "k": 1 }"#, std::f64::consts::E),
        (r#"{ "type": "polynomial", "a": 2, "b": 3 }"#, 3.0),
        (r#"{ "type": "knee", "knee": 0.5, "factor": 1 }"#, 2.0),
    ] {
        let report = client_to(&format!(
            r#"{{ "id": "n", "kind": "service", "params": {{ "workers": 1, "queue_capacity": 1000,
                 "service_time": {{ "type": "constant", "ms": 10 }}, "load_curve": {curve} }} }}"#
        ));
        let expected = 20.0 * 0.010 * factor;
        let u = report.nodes["n"].utilisation.value;
        assert!(
            (u - expected).abs() < 0.03 * expected,
            "{curve}: {u} vs {expected}"
        );
    }
}

#[test]
fn a_database_member_with_one_connection_stretches_its_queries_alike() {
    let report = client_to(
        r#"{ "id": "n", "kind": "database", "params": { "connections": 1, "queue_capacity": 1000,
             "read_time": { "type": "constant", "ms": 10 }, "write_time": { "type": "constant", "ms": 10 },
             "load_curve": { "type": "exponential", "k": 1 } } }"#,
    );
    let expected = 20.0 * 0.010 * std::f64::consts::E;
    let u = report.nodes["n"].utilisation.value;
    assert!((u - expected).abs() < 0.03 * expected, "{u} vs {expected}");
}

#[test]
fn a_cache_lookup_alone_in_a_cache_of_concurrency_one_takes_the_curve_at_one() {
    // 20 lookups a second of 1 ms over 10 keys (all hits after the first few): almost always
    // alone (u = 1, factor 2), rarely two at once (u = 2, factor 3).
    let report = go(&parse(
        r#"{ "version": 1, "name": "t",
        "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 20 } },
               "mix": [], "keys": { "count": 10 } } },
          { "id": "n", "kind": "cache", "params": { "capacity": 100,
               "hit_time": { "type": "constant", "ms": 1 }, "concurrency": 1,
               "load_curve": { "type": "polynomial", "a": 1, "b": 1 } } },
          { "id": "db", "kind": "service", "params": { "service_time": { "type": "constant", "ms": 1 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "n" }, { "id": "m", "from": "n", "to": "db" } ],
        "run": { "duration_ms": 200000, "warmup_ms": 5000, "bucket_ms": 10000 } }"#,
    ));
    let mean = report.nodes["n"].latency.mean_ms.value;
    // About 4% (20/s · 2 ms) arrive while another is in: u = 2, 3 ms instead of 2.
    assert!((mean - 2.04).abs() < 0.03, "{mean}");
}

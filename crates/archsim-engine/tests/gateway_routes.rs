//! Per-route limits on an API gateway (its outgoing edge is the route): a rate limit on one
//! route with the existing limiter algorithms, and the route's bulkhead (the edge's), each
//! failing only that route's requests with the existing causes.

mod common;

use archsim_model::report::Report;
use common::{go, parse};

/// 300 requests a second, half `search`, half `orders`, through a gateway whose `search`
/// route (edge `to-search`) has the params `search_route`.
fn gateway(search_route: &str) -> Report {
    go(&parse(&format!(
        r#"{{ "version": 3, "name": "t",
        "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 300 }} }},
               "mix": [ {{ "name": "search", "weight": 1 }}, {{ "name": "orders", "weight": 1 }} ] }} }},
          {{ "id": "gw", "kind": "api_gateway", "params": {{
               "overhead": {{ "type": "constant", "ms": 0 }},
               "routes": [ {{ "class": "search", "to": "search" }},
                           {{ "class": "orders", "to": "orders" }} ] }} }},
          {{ "id": "search", "kind": "service", "params": {{ "workers": 1000,
               "service_time": {{ "type": "constant", "ms": 100 }} }} }},
          {{ "id": "orders", "kind": "service", "params": {{ "workers": 1000,
               "service_time": {{ "type": "constant", "ms": 100 }} }} }} ],
        "edges": [
          {{ "id": "in", "from": "c", "to": "gw" }},
          {{ "id": "to-search", "from": "gw", "to": "search", "params": {search_route} }},
          {{ "id": "to-orders", "from": "gw", "to": "orders" }} ],
        "run": {{ "duration_ms": 60000, "warmup_ms": 10000, "bucket_ms": 1000 }} }}"#
    )))
}

fn cause(report: &Report, node: &str, cause: &str) -> f64 {
    let failures = &report.nodes[node].failures;
    match cause {
        "rate_limited" => failures.rate_limited.value,
        "bulkhead_full" => failures.bulkhead_full.value,
        _ => unreachable!("{cause}"),
    }
}

#[test]
fn a_route_rate_limit_admits_its_rate_and_leaves_the_other_routes_alone() {
    // A token bucket of r = 50 a second holding one token, on a route offered Poisson
    // λ = 150 a second: after each admission the token is back 1/r later and the next request
    // comes 1/λ after that on average (memoryless), so it admits 1/(1/r + 1/λ) = 37.5 a
    // second; the rest fail with `rate_limited`.
    let report = gateway(
        r#"{ "rate_limit": { "algorithm": { "type": "token_bucket", "rate_rps": 50, "burst": 1 } } }"#,
    );
    let offered = report.nodes["orders"].arrivals.value / 50.0;
    let admitted = 1.0 / (1.0 / 50.0 + 1.0 / offered);
    let search = report.nodes["search"].arrivals.value / 50.0;
    assert!(
        (search - admitted).abs() < 1.5,
        "{search} a second reached search, expected {admitted}"
    );
    assert!(
        (offered - 150.0).abs() < 10.0,
        "{offered} a second reached orders"
    );
    let limited = cause(&report, "gw", "rate_limited") / 50.0;
    assert!(
        (limited + search - offered).abs() < 6.0,
        "{limited} a second rate limited"
    );
    // Only the search route's requests failed.
    assert_eq!(
        report.overall.failures.rate_limited.value,
        cause(&report, "gw", "rate_limited")
    );
    assert_eq!(report.nodes["orders"].failures.rate_limited.value, 0.0);
}

#[test]
fn a_route_bulkhead_caps_that_routes_concurrency_only() {
    // 150 a second at 100 ms each is 15 in flight on average (Poisson); a bulkhead of 5 on
    // the route refuses the excess with `bulkhead_full`, and orders never see one.
    let report = gateway(r#"{ "bulkhead": { "max_concurrent": 5 } }"#);
    let full = cause(&report, "gw", "bulkhead_full");
    assert!(full > 0.0);
    assert_eq!(report.edges["to-search"].bulkhead_rejected.value, full);
    assert_eq!(report.edges["to-orders"].bulkhead_rejected.value, 0.0);
    // At most 5 in service at search at any time: at most 50 a second reach it.
    assert!(report.nodes["search"].arrivals.value / 50.0 <= 50.0 + 1.0);
}

#[test]
fn a_leaky_bucket_route_holds_requests_until_their_turn() {
    // A leaky bucket of 200 a second never rejects 150 a second for long; it spaces them,
    // so the route's requests wait in it rather than fail.
    let report = gateway(
        r#"{ "rate_limit": { "algorithm": { "type": "leaky_bucket", "rate_rps": 200, "capacity": 1000 } } }"#,
    );
    assert_eq!(cause(&report, "gw", "rate_limited"), 0.0);
    let search = report.nodes["search"].arrivals.value / 50.0;
    assert!((search - 150.0).abs() < 10.0, "{search}");
}

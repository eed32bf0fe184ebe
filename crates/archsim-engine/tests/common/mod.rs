//! What the engine's integration tests share: reading and running a design, comparing a
//! figure with its expected value, and designs built in code.
#![allow(dead_code)]

use archsim_model::design::*;
use archsim_model::report::Report;

/// The design in `json`; a test whose own design is invalid fails with the problems and the JSON.
pub fn parse(json: &str) -> Design {
    archsim_model::parse_design(json)
        .unwrap_or_else(|problems| panic!("test design invalid: {problems:?}\n{json}"))
}

/// The report of every replication of `design`, summarised.
pub fn go(design: &Design) -> Report {
    archsim_engine::run(design, &mut |_| {}).expect("design runs")
}

/// Service params that never make a request wait: 64 workers, 10 ms of constant work each.
pub const FAST: &str = r#"{ "workers": 64, "service_time": { "type": "constant", "ms": 10 } }"#;

/// Run settings: 6 s in buckets of 1 s, no warm-up.
pub const RUN_6S: &str = r#"{ "duration_ms": 6000, "warmup_ms": 0, "bucket_ms": 1000 }"#;

/// 50 keys read at 500 a second by a client through a cache that holds them all (warm after a
/// few hundred requests), in front of a database; the cache is flushed at 3 s of a 6 s run.
pub const WARM_CACHE_FLUSHED_AT_3S: &str = r#"{ "version": 3, "name": "t",
        "nodes": [
          { "id": "c", "kind": "client", "params": {
              "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 500 } },
              "mix": [], "keys": { "count": 50 } } },
          { "id": "cache", "kind": "cache", "params": { "capacity": 100 } },
          { "id": "db", "kind": "database", "params": {} } ],
        "edges": [ { "id": "c-cache", "from": "c", "to": "cache" },
                   { "id": "cache-db", "from": "cache", "to": "db" } ],
        "faults": [ { "target": "cache", "at_ms": 3000, "duration_ms": 0,
                      "effect": { "type": "cache_flush" } } ],
        "run": { "duration_ms": 6000, "warmup_ms": 0, "bucket_ms": 1000 } }"#;

/// The chain the overload tests share: a client at `rps` (one read class) → a service `s`
/// (its params as JSON) along edge `e` (its params as JSON), with `faults` and `run` as JSON.
pub fn client_to_service(rps: f64, service: &str, edge: &str, faults: &str, run: &str) -> Design {
    parse(&format!(
        r#"{{ "version": {version}, "name": "t",
        "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": {rps} }} }},
               "mix": [] }} }},
          {{ "id": "s", "kind": "service", "params": {service} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "s", "params": {edge} }} ],
        "faults": {faults},
        "run": {run} }}"#,
        version = archsim_model::CURRENT_VERSION
    ))
}

/// Successful requests in the first and the last third of an example's run: how the overload
/// examples show a collapse (or its cure) on their time series.
pub fn goodput_thirds(example: &str) -> (u64, u64) {
    let report = go(&parse(example));
    let succeeded = &report.series.succeeded;
    let third = succeeded.len() / 3;
    (
        succeeded[..third].iter().sum(),
        succeeded[succeeded.len() - third..].iter().sum(),
    )
}

/// `actual` within `relative` (a fraction) of `expected`.
pub fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs()
}

pub fn client(id: &str, rps: f64) -> Node {
    Node {
        id: id.into(),
        label: id.into(),
        position: Position::default(),
        spec: NodeKind::Client(ClientParams {
            workload: Workload::OpenLoop {
                rate: RateProfile::Constant { rps },
            },
            mix: Vec::new(),
            keys: KeyDistribution::default(),
            users: None,
        }),
    }
}

pub fn service(id: &str, workers: u32, queue_capacity: u32, service_time: Distribution) -> Node {
    Node {
        id: id.into(),
        label: id.into(),
        position: Position::default(),
        spec: NodeKind::Service(ServiceParams {
            workers,
            queue_capacity,
            service_time,
            ..ServiceParams::default()
        }),
    }
}

pub fn exp_ms(mean_ms: f64) -> Distribution {
    Distribution::Exponential { mean_ms }
}

/// An edge with no network latency (queueing-theory models have none).
pub fn edge(from: &str, to: &str) -> Edge {
    Edge {
        id: format!("{from}-{to}"),
        from: from.into(),
        to: to.into(),
        params: EdgeParams {
            latency: Distribution::Constant { ms: 0.0 },
            ..EdgeParams::default()
        },
    }
}

pub fn design(nodes: Vec<Node>, edges: Vec<Edge>, duration_ms: f64, warmup_ms: f64) -> Design {
    Design {
        name: "test".into(),
        nodes,
        edges,
        run: RunSettings {
            duration_ms,
            warmup_ms,
            seed: 7,
            replications: 1,
            bucket_ms: duration_ms / 20.0,
            max_events: 2_000_000_000,
            ..RunSettings::default()
        },
        ..Design::default()
    }
}

/// Client → one service, zero latency.
pub fn single_station(
    rps: f64,
    workers: u32,
    queue_capacity: u32,
    service_time: Distribution,
    duration_ms: f64,
) -> Design {
    design(
        vec![
            client("c", rps),
            service("s", workers, queue_capacity, service_time),
        ],
        vec![edge("c", "s")],
        duration_ms,
        duration_ms / 10.0,
    )
}

//! Designs built in code for the engine's integration tests.
#![allow(dead_code)]

use archsim_model::design::*;

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

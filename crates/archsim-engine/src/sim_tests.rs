//! Tests of the simulation loop that need to look inside a replication.

use archsim_model::design::*;

use crate::sim::Sim;

fn client(id: &str, rps: f64) -> Node {
    Node {
        id: id.into(),
        label: String::new(),
        position: Position::default(),
        spec: NodeKind::Client(ClientParams {
            workload: Workload::OpenLoop {
                rate: RateProfile::Constant { rps },
            },
            ..ClientParams::default()
        }),
    }
}

fn service(id: &str, mean_ms: f64) -> Node {
    Node {
        id: id.into(),
        label: String::new(),
        position: Position::default(),
        spec: NodeKind::Service(ServiceParams {
            workers: 2,
            service_time: Distribution::Exponential { mean_ms },
            ..ServiceParams::default()
        }),
    }
}

fn edge(from: &str, to: &str) -> Edge {
    Edge {
        id: format!("{from}-{to}"),
        from: from.into(),
        to: to.into(),
        params: EdgeParams::default(),
    }
}

fn chain(downstream_mean_ms: f64) -> Design {
    Design {
        nodes: vec![
            client("c", 200.0),
            service("front", 2.0),
            service("back", downstream_mean_ms),
        ],
        edges: vec![edge("c", "front"), edge("front", "back")],
        run: RunSettings {
            duration_ms: 5_000.0,
            warmup_ms: 500.0,
            ..RunSettings::default()
        },
        ..Design::default()
    }
}

#[test]
fn source_arrivals_do_not_depend_on_downstream_parameters() {
    // Common random numbers: the source's stream is its own, so slowing a downstream service
    // changes nothing about what the source generates.
    let fast = chain(1.0);
    let slow = chain(7.0);
    let mut a = Sim::new(&fast, 0);
    a.run(&mut |_| {});
    let mut b = Sim::new(&slow, 0);
    b.run(&mut |_| {});
    assert!(a.arrival_log().len() > 500);
    assert_eq!(a.arrival_log(), b.arrival_log());
    // ...while the downstream really did behave differently.
    assert_ne!(
        crate::summary::replication_report(&mut a).nodes["back"].latency,
        crate::summary::replication_report(&mut b).nodes["back"].latency
    );
}

#[test]
fn request_slots_are_reused_so_memory_does_not_grow_with_requests() {
    let design = chain(1.0);
    let mut sim = Sim::new(&design, 0);
    sim.run(&mut |_| {});
    let (live, slots) = sim.job_slots();
    assert!(sim.arrival_log().len() > 900, "{}", sim.arrival_log().len());
    // ~1 000 requests went through, each creating two jobs; only the peak concurrency of
    // jobs ever needed a slot.
    assert!(
        slots < 100,
        "{slots} slots for {} requests",
        sim.arrival_log().len()
    );
    assert!(live as usize <= slots);
}

#[test]
fn replications_draw_different_traffic() {
    let design = chain(1.0);
    let mut a = Sim::new(&design, 0);
    a.run(&mut |_| {});
    let mut b = Sim::new(&design, 1);
    b.run(&mut |_| {});
    assert_ne!(a.arrival_log(), b.arrival_log());
}

#[test]
fn arrival_times_do_not_depend_on_whether_keys_are_drawn() {
    // Without a cache or database the engine skips key draws; with one it makes them, from a
    // stream of their own, so the arrival times stay put.
    let plain = chain(1.0);
    let mut with_db = chain(1.0);
    with_db.nodes.push(Node {
        id: "db".into(),
        label: String::new(),
        position: Position::default(),
        spec: NodeKind::Database(DatabaseParams::default()),
    });
    with_db.edges.push(edge("back", "db"));
    let mut a = Sim::new(&plain, 0);
    a.run(&mut |_| {});
    let mut b = Sim::new(&with_db, 0);
    b.run(&mut |_| {});
    let times = |s: &Sim| {
        s.arrival_log()
            .iter()
            .map(|e| (e.0, e.2))
            .collect::<Vec<_>>()
    };
    assert_eq!(times(&a), times(&b));
    assert!(a.arrival_log().iter().all(|e| e.3 == 0));
    assert!(b.arrival_log().iter().any(|e| e.3 != 0));
}

/// Fingerprint of replication 0 of `design`, with every call made through a `Call` record
/// (`direct` false) or with plain edges' calls made directly (the engine's way).
fn fingerprint_with_direct_calls(design: &Design, direct: bool) -> u64 {
    let mut sim = Sim::new(design, 0);
    if !direct {
        for edge in &mut sim.core.edges {
            edge.plain = false;
        }
    }
    sim.run(&mut |_| {});
    crate::summary::fingerprint(&crate::summary::replication_report(&mut sim))
}

#[test]
fn direct_calls_give_the_results_of_calls_with_a_record() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut compared = 0;
    for path in paths {
        let json = std::fs::read_to_string(&path).expect("readable");
        let mut design = archsim_model::parse_design(&json).expect("valid example");
        design.run.duration_ms = design.run.duration_ms.min(20_000.0);
        design.run.warmup_ms = design.run.warmup_ms.min(2_000.0);
        let mut crashed = design.clone();
        // Callers and callees lost mid-call: replies to callers that are gone are dropped.
        for node in &design.nodes {
            if !matches!(node.spec, NodeKind::Client(_)) {
                crashed.faults.push(Fault {
                    target: node.id.clone(),
                    at_ms: 5_000.0,
                    duration_ms: 1_000.0,
                    effect: FaultEffect::Crash,
                });
            }
        }
        for design in [design, crashed] {
            assert_eq!(
                fingerprint_with_direct_calls(&design, true),
                fingerprint_with_direct_calls(&design, false),
                "{}",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} designs compared");
}

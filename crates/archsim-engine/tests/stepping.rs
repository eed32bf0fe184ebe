//! `Simulation` run in slices gives exactly what `run_replication` gives in one go.

use archsim_engine::{Simulation, report_fingerprint, run_replication, summarize};
use archsim_model::design::Design;
use archsim_model::parse_design;

/// Every example designs users start from, shortened: faults, timeouts, retries, breakers,
/// queues, caches, shards, limiters and a warm-up between them.
fn designs() -> Vec<(&'static str, Design)> {
    let sources = [
        (
            "microservices-gateway",
            include_str!("../../../examples/microservices-gateway.json"),
        ),
        (
            "event-pipeline",
            include_str!("../../../examples/event-pipeline.json"),
        ),
        (
            "cache-aside",
            include_str!("../../../examples/cache-aside.json"),
        ),
        (
            "rate-limited-api",
            include_str!("../../../examples/rate-limited-api.json"),
        ),
        (
            "topology10",
            include_str!("../../../bench/designs/topology10.json"),
        ),
    ];
    sources
        .into_iter()
        .map(|(name, json)| {
            let mut design = parse_design(json).expect("example parses");
            design.run.duration_ms = design.run.duration_ms.min(20_000.0);
            design.run.warmup_ms = design.run.warmup_ms.min(2_000.0);
            (name, design)
        })
        .collect()
}

fn fingerprint_in_one_go(design: &Design, index: u32) -> (u64, u64) {
    let result = run_replication(design, index, &mut |_| {}).expect("valid design");
    let events = result.events();
    (report_fingerprint(&summarize(design, &[result])), events)
}

fn fingerprint_in_slices(design: &Design, index: u32, slice: u64) -> (u64, u64) {
    let mut simulation = Simulation::new(design, index).expect("valid design");
    let mut last_progress = 0.0;
    while !simulation.advance(slice) {
        let progress = simulation.progress();
        assert!(
            (last_progress..=1.0).contains(&progress),
            "progress goes forward: {last_progress} then {progress}"
        );
        last_progress = progress;
    }
    assert_eq!(simulation.progress(), 1.0);
    assert!(simulation.advance(slice), "a finished run stays finished");
    let result = simulation.finish();
    let events = result.events();
    (report_fingerprint(&summarize(design, &[result])), events)
}

#[test]
fn stepping_in_slices_of_any_size_gives_the_same_result_as_one_go() {
    for (name, design) in designs() {
        let whole = fingerprint_in_one_go(&design, 0);
        for slice in [1, 2, 7, 1_000, 65_536] {
            assert_eq!(
                fingerprint_in_slices(&design, 0, slice),
                whole,
                "{name}, slices of {slice} events"
            );
        }
    }
}

#[test]
fn stepping_gives_the_same_result_for_other_replications_too() {
    let (_, design) = designs().remove(0);
    for index in 1..3 {
        assert_eq!(
            fingerprint_in_slices(&design, index, 333),
            fingerprint_in_one_go(&design, index)
        );
    }
}

#[test]
fn stepping_stops_at_the_event_budget_like_one_go() {
    let (_, mut design) = designs().remove(0);
    design.run.max_events = 12_345;
    let whole = fingerprint_in_one_go(&design, 0);
    assert_eq!(whole.1, 12_345, "the budget is reached");
    for slice in [1, 100, 12_345, 12_346] {
        assert_eq!(fingerprint_in_slices(&design, 0, slice), whole, "{slice}");
    }
}

#[test]
fn finish_without_advancing_runs_the_whole_replication() {
    let (_, design) = designs().remove(0);
    let simulation = Simulation::new(&design, 0).expect("valid design");
    assert_eq!(simulation.progress(), 0.0);
    assert_eq!(simulation.events(), 0);
    let result = simulation.finish();
    let events = result.events();
    assert_eq!(
        (report_fingerprint(&summarize(&design, &[result])), events),
        fingerprint_in_one_go(&design, 0)
    );
}

#[test]
fn an_invalid_design_is_refused_with_its_problems() {
    let (_, mut design) = designs().remove(0);
    design.nodes.clear();
    let error = Simulation::new(&design, 0)
        .err()
        .expect("a design with no nodes is invalid");
    assert!(error.message.contains("invalid"), "{}", error.message);
}

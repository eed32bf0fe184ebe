//! `instance_crash` faults on an autoscaled group in whole runs: the crashed instances' requests
//! fail with `node_down`, the group's capacity dips, and it returns when the controller's
//! replacement serves, the fault's duration plus the provisioning delay later (a closed form
//! for the time-average of the instances serving).

mod common;

use archsim_model::design::*;
use archsim_model::scaling::{Autoscaling, InstancePick};
use common::*;

/// A fixed group of 4 instances (min = max), 2 workers each, under 40 rps of 100 ms requests:
/// the autoscaler never changes it, so only the fault does.
fn group(fault: FaultEffect, duration_ms: f64) -> Design {
    let mut d = design(
        vec![
            client("c", 40.0),
            service("s", 2, 100, Distribution::Constant { ms: 100.0 }),
        ],
        vec![edge("c", "s")],
        60_000.0,
        0.0,
    );
    let NodeKind::Service(p) = &mut d.nodes[1].spec else {
        panic!("a service")
    };
    p.autoscaling = Some(Autoscaling {
        min_instances: 4,
        max_instances: 4,
        provisioning_delay_ms: 10_000.0,
        ..Autoscaling::default()
    });
    d.faults.push(Fault {
        target: "s".into(),
        at_ms: 20_000.0,
        duration_ms,
        effect: fault,
    });
    d.run.bucket_ms = 1_000.0;
    d
}

fn serving(report: &archsim_model::report::Report) -> Vec<f64> {
    report.series.nodes["s"].instances.clone()
}

#[test]
fn a_crashed_instance_is_replaced_after_the_provisioning_delay() {
    let report = go(&group(
        FaultEffect::InstanceCrash {
            count: 1,
            pick: InstancePick::Index { index: 1 },
        },
        0.0,
    ));
    let instances = serving(&report);
    // 4 serving until 20 s, 3 for the 10 s the replacement takes to start, then 4 again.
    assert!(instances[..20].iter().all(|&n| n == 4.0), "{instances:?}");
    assert!(instances[20..30].iter().all(|&n| n == 3.0), "{instances:?}");
    assert!(instances[30..].iter().all(|&n| n == 4.0), "{instances:?}");
    let scaling = report.nodes["s"].autoscaling.as_ref().unwrap();
    // Time-average: (60 × 4 − 10 × 1) / 60 instances, exactly (the integral is exact).
    assert!(
        (scaling.mean_instances.value - (60.0 * 4.0 - 10.0) / 60.0).abs() < 1e-9,
        "{}",
        scaling.mean_instances.value
    );
    assert_eq!(scaling.instance_crashes.map(|e| e.value), Some(1.0));
    // The autoscaler saw nothing to do: the crashed instance counted as one not ready.
    assert!(scaling.events.is_empty(), "{:?}", scaling.events);
    // Its requests in flight at the crash failed with the crash's cause, and only then.
    let failed = &report.series.failed_by_cause["node_down"];
    assert!(failed[20] > 0, "{failed:?}");
    assert_eq!(failed.iter().sum::<u64>(), failed[20], "{failed:?}");
    // The fault's own entry says the same: one instance, and those requests.
    let fault = &report.faults[0].figures;
    assert_eq!(fault.instances_crashed.map(|e| e.value), Some(1.0));
    assert_eq!(
        fault.requests_failed.map(|e| e.value),
        Some(failed[20] as f64)
    );
}

#[test]
fn the_capacity_returns_the_faults_duration_plus_the_provisioning_delay_later() {
    // Down for 5 s until the controller notices, then 10 s to start: 15 s at 2 of 4.
    let report = go(&group(
        FaultEffect::InstanceCrash {
            count: 2,
            pick: InstancePick::Random,
        },
        5_000.0,
    ));
    let instances = serving(&report);
    assert!(instances[..20].iter().all(|&n| n == 4.0), "{instances:?}");
    assert!(instances[20..35].iter().all(|&n| n == 2.0), "{instances:?}");
    assert!(instances[35..].iter().all(|&n| n == 4.0), "{instances:?}");
    let scaling = report.nodes["s"].autoscaling.as_ref().unwrap();
    assert!((scaling.mean_instances.value - (60.0 * 4.0 - 2.0 * 15.0) / 60.0).abs() < 1e-9);
    assert_eq!(scaling.instance_crashes.map(|e| e.value), Some(2.0));
    // The two left carried the load meanwhile: nothing else failed.
    let failed = &report.series.failed_by_cause["node_down"];
    assert_eq!(failed.iter().sum::<u64>(), failed[20]);
}

#[test]
fn a_random_pick_is_the_same_for_the_same_seed_and_moves_no_other_draw() {
    let crash = |seed: u64| {
        let mut d = group(
            FaultEffect::InstanceCrash {
                count: 1,
                pick: InstancePick::Random,
            },
            0.0,
        );
        d.run.seed = seed;
        go(&d)
    };
    let (a, b) = (crash(7), crash(7));
    assert_eq!(
        archsim_engine::report_fingerprint(&a),
        archsim_engine::report_fingerprint(&b)
    );
    // The client's arrivals are the same with and without the fault (its own stream).
    let mut plain = group(FaultEffect::Crash, 1.0);
    plain.faults.clear();
    plain.run.seed = 7;
    let plain = go(&plain);
    assert_eq!(
        a.series.nodes["c"].arrivals,
        plain.series.nodes["c"].arrivals
    );
}

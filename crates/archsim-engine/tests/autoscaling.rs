//! Autoscaled service groups in whole runs: the HPA's decisions as the controller would make
//! them, the instances series, utilisation against the serving workers, draining, and the
//! examples' phenomenon.

mod common;

use archsim_model::design::*;
use archsim_model::report::{Report, ScaleEvent};
use archsim_model::scaling::{Autoscaling, ScalingMetric};
use common::*;

fn autoscaled(node: &mut Node, scaling: Autoscaling) {
    let NodeKind::Service(p) = &mut node.spec else {
        panic!("a service")
    };
    p.autoscaling = Some(scaling);
}

/// 100 rps into instances of one worker taking 1 s each: any group up to 40 is overloaded,
/// and its queues grow without bound.
fn overloaded(scaling: Autoscaling, duration_ms: f64) -> Design {
    let mut d = design(
        vec![
            client("c", 100.0),
            service("s", 1, 1_000_000, Distribution::Constant { ms: 1_000.0 }),
        ],
        vec![edge("c", "s")],
        duration_ms,
        0.0,
    );
    autoscaled(&mut d.nodes[1], scaling);
    d.run.bucket_ms = 5_000.0;
    d
}

fn events(report: &Report) -> Vec<(f64, u32, u32)> {
    report.nodes["s"]
        .autoscaling
        .as_ref()
        .expect("an autoscaling report")
        .events
        .iter()
        .map(|&ScaleEvent { t_ms, from, to, .. }| (t_ms, from, to))
        .collect()
}

#[test]
fn an_overloaded_group_grows_as_fast_as_the_default_hpa_policies_allow() {
    // In-flight per instance far above 1: HPA's default scale-up (max(+100 %, +4) per 15 s)
    // bounds every step: 1 → 5 → 10 → 20 → 40, then the group sits at its maximum.
    let report = go(&overloaded(
        Autoscaling {
            min_instances: 1,
            max_instances: 40,
            metric: ScalingMetric::InFlight,
            target: 1.0,
            provisioning_delay_ms: 0.0,
            ..Autoscaling::default()
        },
        75_000.0,
    ));
    assert_eq!(
        events(&report),
        [
            (15_000.0, 1, 5),
            (30_000.0, 5, 10),
            (45_000.0, 10, 20),
            (60_000.0, 20, 40)
        ]
    );
    let scaling = report.nodes["s"].autoscaling.as_ref().unwrap();
    // At 40 from 60 s to the end at 75 s: a fifth of the run.
    assert!((scaling.time_at_max.value - 0.2).abs() < 1e-12);
    assert_eq!(scaling.peak_instances.value, 40.0);
    assert_eq!(scaling.scale_ups.value, 4.0);
}

#[test]
fn new_instances_serve_only_after_the_provisioning_delay() {
    let report = go(&overloaded(
        Autoscaling {
            min_instances: 1,
            max_instances: 40,
            metric: ScalingMetric::InFlight,
            target: 1.0,
            provisioning_delay_ms: 20_000.0,
            ..Autoscaling::default()
        },
        60_000.0,
    ));
    // Decided at 15 s (1 → 5), serving from 35 s; at 30 s the four starting instances count
    // as idle, which does not stop a scale-up this far above target: 5 → 10 (serving at 50 s).
    assert_eq!(events(&report)[..2], [(15_000.0, 1, 5), (30_000.0, 5, 10)]);
    let instances = &report.series.nodes["s"].instances;
    let expected: Vec<f64> = (0..12)
        .map(|bucket| match bucket * 5 {
            0..35 => 1.0,
            35..50 => 5.0,
            _ => 10.0,
        })
        .collect();
    assert_eq!(instances, &expected);
}

#[test]
fn a_fixed_size_group_reports_the_utilisation_of_its_serving_workers() {
    // Three instances of 2 workers at 60 rps × 50 ms: ρ = 3 / 6 = 0.5 (not 3 / 2 of one).
    let mut d = design(
        vec![client("c", 60.0), service("s", 2, 1_000, exp_ms(50.0))],
        vec![edge("c", "s")],
        300_000.0,
        10_000.0,
    );
    autoscaled(
        &mut d.nodes[1],
        Autoscaling {
            min_instances: 3,
            max_instances: 3,
            ..Autoscaling::default()
        },
    );
    let report = go(&d);
    let node = &report.nodes["s"];
    assert!(
        close(node.utilisation.value, 0.5, 0.05),
        "utilisation {}",
        node.utilisation.value
    );
    let scaling = node.autoscaling.as_ref().unwrap();
    assert_eq!(scaling.mean_instances.value, 3.0);
    assert_eq!(scaling.time_at_max.value, 1.0);
    assert!(events(&report).is_empty());
}

#[test]
fn scale_in_drains_instances_so_no_request_is_lost() {
    // 400 rps for 30 s, then 20 rps: the group shrinks (no stabilisation) while instances
    // still hold requests; each finishes what it holds before it goes.
    let mut d = design(
        vec![client("c", 0.0), service("s", 4, 1_000, exp_ms(100.0))],
        vec![edge("c", "s")],
        120_000.0,
        0.0,
    );
    let NodeKind::Client(c) = &mut d.nodes[0].spec else {
        unreachable!()
    };
    c.workload = Workload::OpenLoop {
        rate: RateProfile::Step {
            before_rps: 400.0,
            after_rps: 20.0,
            at_ms: 30_000.0,
        },
    };
    let mut scaling = Autoscaling {
        min_instances: 1,
        max_instances: 30,
        initial_instances: Some(20),
        target: 0.5,
        provisioning_delay_ms: 0.0,
        metric_window_ms: 5_000.0,
        evaluation_interval_ms: 5_000.0,
        ..Autoscaling::default()
    };
    scaling.scale_down.stabilization_window_ms = 0.0;
    autoscaled(&mut d.nodes[1], scaling);
    let report = go(&d);
    let node = &report.nodes["s"];
    assert!(node.autoscaling.as_ref().unwrap().scale_downs.value >= 1.0);
    assert_eq!(node.failures.total(), 0.0, "{:?}", node.failures);
    assert_eq!(report.overall.failures.total(), 0.0);
    let instances = &report.series.nodes["s"].instances;
    assert!(instances.last().unwrap() < &5.0, "{instances:?}");
}

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

/// Failures over arrivals in the buckets starting within `[from_ms, to_ms)`.
fn failed_fraction(report: &Report, from_ms: f64, to_ms: f64) -> f64 {
    let s = &report.series;
    let (mut failed, mut arrivals) = (0, 0);
    for (i, &t) in s.t_ms.iter().enumerate() {
        if (from_ms..to_ms).contains(&t) {
            failed += s.failed[i];
            arrivals += s.arrivals[i];
        }
    }
    failed as f64 / arrivals.max(1) as f64
}

fn instances_at(report: &Report, t_ms: f64) -> f64 {
    let s = &report.series;
    let i = s.t_ms.iter().position(|&t| t >= t_ms).unwrap();
    s.nodes["api"].instances[i]
}

#[test]
fn a_slow_autoscaler_is_outrun_by_the_spike_and_a_fast_one_keeps_up() {
    let slow = example("autoscaling-slow");
    let fast = example("autoscaling-fast");
    // The spike is 60 s to 180 s; its last third is 140 s to 180 s.
    let slow_late = failed_fraction(&slow, 140_000.0, 180_000.0);
    let fast_late = failed_fraction(&fast, 140_000.0, 180_000.0);
    assert!(
        slow_late > 0.3,
        "slow: {slow_late} of the spike's last third failed"
    );
    assert!(
        fast_late < 0.01,
        "fast: {fast_late} of the spike's last third failed"
    );
    // Before the spike neither fails.
    assert_eq!(failed_fraction(&slow, 0.0, 60_000.0), 0.0);
    assert_eq!(failed_fraction(&fast, 0.0, 60_000.0), 0.0);
    // The slow group is still at its starting size late in the spike; the fast one has grown.
    assert_eq!(instances_at(&slow, 170_000.0), 3.0);
    assert!(instances_at(&fast, 130_000.0) >= 8.0);
    // After the spike, both keep their size for the stabilisation window, then shrink.
    for report in [&slow, &fast] {
        let instances = &report.series.nodes["api"].instances;
        assert!(instances_at(report, 300_000.0) >= 5.0);
        assert!(instances.last().unwrap() < &instances_at(report, 300_000.0));
    }
}

fn known_at(report: &Report, t_ms: f64) -> f64 {
    let s = &report.series;
    let i = s.t_ms.iter().position(|&t| t >= t_ms).unwrap();
    s.nodes["api"].instances_known[i]
}

#[test]
fn new_instances_sit_idle_until_the_callers_refresh_after_their_registration() {
    let report = example("discovery-lag");
    // Decided at 75 s, serving from 80 s, listed at 100 s, known at the 120 s refresh.
    let first = report.nodes["api"].autoscaling.as_ref().unwrap().events[0];
    assert_eq!((first.t_ms, first.from, first.to), (75_000.0, 2, 4));
    assert_eq!(instances_at(&report, 85_000.0), 4.0);
    assert_eq!(known_at(&report, 85_000.0), 2.0);
    assert_eq!(known_at(&report, 115_000.0), 2.0);
    assert!(known_at(&report, 125_000.0) >= 4.0);
    // The old two fail requests while the new two are idle; once known, the failures end.
    let waiting = failed_fraction(&report, 85_000.0, 120_000.0);
    let after = failed_fraction(&report, 130_000.0, 240_000.0);
    assert!(
        waiting > 0.1,
        "{waiting} failed while the new instances were unknown"
    );
    assert!(after < 0.01, "{after} failed once they were known");
}

#[test]
fn a_stopped_instance_keeps_receiving_requests_until_its_heartbeat_times_out() {
    // A group shrinking from 6 to 1 at the first evaluations after the load drops; its
    // instances do not deregister, so callers keep sending to them until the lease expires
    // (30 s) and they refresh (every 10 s).
    let mut d = parse(
        &std::fs::read_to_string(format!(
            "{}/../../examples/discovery-lag.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    );
    let NodeKind::Client(c) = &mut d.nodes[0].spec else {
        unreachable!()
    };
    c.workload = Workload::OpenLoop {
        rate: RateProfile::Constant { rps: 40.0 },
    };
    let NodeKind::Service(s) = &mut d.nodes[1].spec else {
        unreachable!()
    };
    let scaling = s.autoscaling.as_mut().unwrap();
    scaling.min_instances = 1;
    scaling.initial_instances = Some(6);
    scaling.scale_down.stabilization_window_ms = 0.0;
    let discovery = s.discovery.as_mut().unwrap();
    discovery.deregister_on_shutdown = false;
    discovery.heartbeat_timeout_ms = 30_000.0;
    discovery.refresh_interval_ms = 10_000.0;
    let mut graceful = d.clone();
    let report = go(&d);
    let node = &report.nodes["api"];
    let scaling = node.autoscaling.as_ref().unwrap();
    assert!(scaling.scale_downs.value >= 1.0);
    assert!(scaling.sent_to_gone.value > 0.0);
    assert_eq!(node.failures.node_down.value, scaling.sent_to_gone.value);
    // Stopped at 15 s: listed until 45 s, so still sent to at the 20, 30 and 40 s refreshes;
    // forgotten at 50 s.
    let s = &report.series;
    let gone_until = s
        .t_ms
        .iter()
        .zip(&s.failed_by_cause["node_down"])
        .filter(|(_, n)| **n > 0)
        .map(|(t, _)| *t)
        .fold(0.0, f64::max);
    assert_eq!(
        gone_until, 45_000.0,
        "the last bucket with a failure starts at 45 s"
    );

    // Deregistering on shutdown: callers stop at the next refresh, so far fewer are lost.
    let NodeKind::Service(s) = &mut graceful.nodes[1].spec else {
        unreachable!()
    };
    s.discovery.as_mut().unwrap().deregister_on_shutdown = true;
    let graceful = go(&graceful);
    let lost = graceful.nodes["api"].failures.node_down.value;
    assert!(
        lost < report.nodes["api"].failures.node_down.value / 3.0,
        "graceful lost {lost}"
    );
}

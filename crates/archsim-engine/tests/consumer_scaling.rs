//! A queue's consumers scaled on lag (KEDA feeding the HPA) in whole runs: every decision is
//! the external-metric rule `ceil(lag / lag_threshold)`, activation from zero and the cooldown
//! back to it, and the example's story on its time series.

mod common;

use archsim_model::design::*;
use archsim_model::keda::ConsumerScaling;
use archsim_model::report::Report;
use archsim_model::scaling::ScalingRules;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

fn queue(id: &str, consumers: u32, scaling: ConsumerScaling) -> Node {
    Node {
        id: id.into(),
        label: id.into(),
        position: Default::default(),
        spec: NodeKind::Queue(QueueParams {
            capacity: 1_000_000,
            consumers,
            consumer_scaling: Some(scaling),
            ..QueueParams::default()
        }),
    }
}

fn no_limits() -> ScalingRules {
    ScalingRules {
        stabilization_window_ms: 0.0,
        select_policy: Default::default(),
        policies: Vec::new(),
    }
}

/// 50 messages a second into a queue whose consumers each deliver one at a time to a worker
/// taking 500 ms: a consumer manages 2 a second, so the group needs 25.
fn backlog(scaling: ConsumerScaling, duration_ms: f64, initial: u32) -> Design {
    let mut d = design(
        vec![
            client("c", 50.0),
            queue("q", initial, scaling),
            service("w", 1_000, 1_000, Distribution::Constant { ms: 500.0 }),
        ],
        vec![edge("c", "q"), edge("q", "w")],
        duration_ms,
        0.0,
    );
    d.run.bucket_ms = 5_000.0;
    d
}

#[test]
fn every_hpa_decision_asks_for_the_lag_over_the_threshold_rounded_up() {
    let scaling = ConsumerScaling {
        min_replicas: 1,
        max_replicas: 40,
        lag_threshold: Some(20.0),
        scale_up: no_limits(),
        scale_down: no_limits(),
        provisioning_delay_ms: 2_000.0,
        ..ConsumerScaling::default()
    };
    let report = go(&backlog(scaling, 300_000.0, 1));
    let node = &report.nodes["q"];
    let events = &node.autoscaling.as_ref().expect("a scaling report").events;
    assert!(events.len() >= 2, "{events:?}");
    for event in events {
        // HPA, external metric, average-value target: ceil(metric / target), within
        // [max(min, 1), max], unless the ratio to the current size is within 10 %.
        let ratio = event.metric / (20.0 * event.from as f64);
        assert!(
            (ratio - 1.0).abs() > 0.1,
            "{event:?} changed within the tolerance"
        );
        let expected = ((event.metric / 20.0).ceil() as u32).clamp(1, 40);
        assert_eq!(event.to, expected, "{event:?}");
    }
    // It settles where the consumers keep up: 25 of them (2 messages a second each).
    let series = &report.series.nodes["q"];
    let last = series.instances.last().copied().unwrap();
    assert!((25.0..=30.0).contains(&last), "{last} consumers at the end");
}

#[test]
fn an_empty_group_is_activated_by_lag_and_scaled_to_zero_after_the_cooldown() {
    let scaling = ConsumerScaling {
        min_replicas: 0,
        max_replicas: 40,
        activation_lag_threshold: 0.0,
        polling_interval_ms: 30_000.0,
        cooldown_period_ms: 60_000.0,
        provisioning_delay_ms: 0.0,
        ..ConsumerScaling::default()
    };
    let mut d = backlog(scaling, 400_000.0, 0);
    // Messages only for the first 100 s.
    let NodeKind::Client(c) = &mut d.nodes[0].spec else {
        panic!("a client")
    };
    c.workload = Workload::OpenLoop {
        rate: RateProfile::Spike {
            base_rps: 0.0,
            spike_rps: 50.0,
            start_ms: 0.0,
            duration_ms: 100_000.0,
        },
    };
    let report = go(&d);
    let events = &report.nodes["q"].autoscaling.as_ref().unwrap().events;
    // KEDA's first poll (30 s) finds lag and wakes the group with one replica; the HPA then
    // sizes it.
    assert_eq!(
        (events[0].t_ms, events[0].from, events[0].to),
        (30_000.0, 0, 1)
    );
    assert!(events.iter().any(|e| e.to > 10), "{events:?}");
    // After the messages stop, the HPA brings it down to 1 (its minimum), and KEDA to 0 once
    // a cooldown has passed since the last poll that saw lag.
    let last = events.last().unwrap();
    assert_eq!(last.to, 0, "{events:?}");
    let series = &report.series.nodes["q"];
    assert_eq!(series.instances.last().copied(), Some(0.0));
    assert_eq!(series.instances.first().copied(), Some(0.0));
    // No message is lost: every one was delivered.
    let queue = report.nodes["q"].queue.as_ref().unwrap();
    assert_eq!(queue.enqueued.value, queue.delivered.value);
}

#[test]
fn the_keda_example_grows_to_the_partition_count_and_drains_its_lag() {
    let report = example("keda-consumer-lag");
    let series = &report.series.nodes["topic"];
    let bucket_s = report.series.bucket_ms / 1000.0;
    let at = |t: f64| (t / bucket_s) as usize;
    // Before the spike (60 s): the 2 consumers keep up, nothing waits.
    assert_eq!(series.instances[at(30.0)], 2.0);
    assert!(series.queue_length[at(50.0)] < 50.0);
    // The lag builds in the spike's first minute...
    let peak_lag = series.queue_length[at(60.0)..at(140.0)]
        .iter()
        .copied()
        .fold(0.0, f64::max);
    assert!(peak_lag > 2_000.0, "peak lag {peak_lag}");
    // ...the group grows to the 12 partitions, never to its max_replicas of 20...
    let most = series.instances.iter().copied().fold(0.0, f64::max);
    assert_eq!(most, 12.0);
    // ...and the lag drains, in the last third nothing waits and the group is back to 2.
    let third = series.queue_length.len() * 2 / 3;
    assert!(series.queue_length[third..].iter().all(|&l| l < 50.0));
    assert_eq!(series.instances.last().copied(), Some(2.0));
    assert_eq!(
        report.overall.succeeded.value,
        report.overall.arrivals.value
    );
}

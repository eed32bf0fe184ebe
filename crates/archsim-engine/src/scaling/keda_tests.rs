//! The consumer group's decisions against KEDA's and the HPA's rules, worked by hand.

use archsim_model::keda::ConsumerScaling;
use archsim_model::scaling::ScalingRules;

use super::*;
use crate::scaling::hpa::external_average_replicas;
use crate::time::from_ms;

fn secs(s: u64) -> SimTime {
    from_ms(s as f64 * 1000.0)
}

/// No stabilisation and no rate limit: each decision is the replica calculator's.
fn immediate() -> ConsumerScaling {
    ConsumerScaling {
        min_replicas: 0,
        max_replicas: 50,
        lag_threshold: Some(10.0),
        scale_up: ScalingRules {
            stabilization_window_ms: 0.0,
            select_policy: Default::default(),
            policies: Vec::new(),
        },
        scale_down: ScalingRules {
            stabilization_window_ms: 0.0,
            select_policy: Default::default(),
            policies: Vec::new(),
        },
        provisioning_delay_ms: 0.0,
        ..ConsumerScaling::default()
    }
}

#[test]
fn desired_replicas_are_the_lag_over_the_threshold_rounded_up() {
    // HPA external metric, AverageValue target: ceil(metric / target) outside the tolerance.
    assert_eq!(external_average_replicas(95.0, 2, 10.0, 0.1), 10);
    assert_eq!(external_average_replicas(101.0, 1, 10.0, 0.1), 11);
    assert_eq!(external_average_replicas(0.0, 3, 10.0, 0.1), 0);
    // Within 10 % of 2 × 10: no change.
    assert_eq!(external_average_replicas(21.0, 2, 10.0, 0.1), 2);
    assert_eq!(external_average_replicas(18.0, 2, 10.0, 0.1), 2);
    // Just outside: 23 / 20 = 1.15.
    assert_eq!(external_average_replicas(23.0, 2, 10.0, 0.1), 3);
}

#[test]
fn the_kafka_metric_is_capped_at_one_replica_per_partition_unless_consumers_may_idle() {
    // 1000 messages of lag, threshold 10, 8 partitions: 1000 / 10 = 100 > 8, so KEDA reports
    // 8 × 10 = 80 and the HPA asks for 8.
    assert_eq!(lag_metric(1000, 10.0, Some(8)), 80.0);
    assert_eq!(external_average_replicas(80.0, 1, 10.0, 0.1), 8);
    // KEDA compares the integer quotient: 89 / 10 = 8 is not above 8, so 89 is reported as is
    // (and asks for 9, as KEDA itself would).
    assert_eq!(lag_metric(89, 10.0, Some(8)), 89.0);
    assert_eq!(lag_metric(90, 10.0, Some(8)), 80.0);
    // allowIdleConsumers (no cap), or an SQS queue: the lag as it is.
    assert_eq!(lag_metric(1000, 10.0, None), 1000.0);
}

#[test]
fn a_partitioned_group_never_grows_past_its_partitions() {
    let p = immediate();
    let mut group = ConsumerGroup::new(&p, 1, Some(6));
    let resize = group.evaluate(secs(15), 10_000).expect("grows");
    assert_eq!(group.current(), 6);
    assert_eq!(resize.ready_at.len(), 5);
    // With idle consumers allowed: ceil(10000 / 10) = 1000, bounded by max_replicas.
    let idle = ConsumerScaling {
        allow_idle_consumers: true,
        ..immediate()
    };
    let mut group = ConsumerGroup::new(&idle, 1, Some(6));
    group.evaluate(secs(15), 10_000);
    assert_eq!(group.current(), 50);
}

#[test]
fn activation_takes_an_empty_group_to_one_replica_and_the_hpa_does_nothing_at_zero() {
    let p = ConsumerScaling {
        activation_lag_threshold: 5.0,
        ..immediate()
    };
    let mut group = ConsumerGroup::new(&p, 0, None);
    // The HPA is idle at zero, whatever the lag.
    assert_eq!(group.evaluate(secs(15), 1_000), None);
    // KEDA: active only while the lag is above the activation threshold (5 is not).
    assert_eq!(group.poll(secs(30), 5), None);
    let resize = group.poll(secs(60), 6).expect("activated");
    assert_eq!(resize.ready_at, vec![secs(60)]);
    assert_eq!(group.current(), 1);
    // From then on the HPA sizes it: 600 / 10 = 60, bounded by max 50.
    group.ready(secs(60));
    group.evaluate(secs(75), 600);
    assert_eq!(group.current(), 50);
}

#[test]
fn min_replicas_above_zero_is_what_activation_scales_to() {
    let p = ConsumerScaling {
        min_replicas: 3,
        ..immediate()
    };
    let mut group = ConsumerGroup::new(&p, 3, None);
    // Never below the minimum, even with no lag at all (the HPA's minimum is 3).
    assert_eq!(group.evaluate(secs(15), 0), None);
    assert_eq!(group.poll(secs(30), 0), None);
    assert_eq!(group.current(), 3);
}

#[test]
fn an_idle_group_goes_to_zero_only_after_the_cooldown_since_it_was_last_active() {
    let p = ConsumerScaling {
        cooldown_period_ms: 300_000.0,
        ..immediate()
    };
    let mut group = ConsumerGroup::new(&p, 2, None);
    assert!(group.poll(secs(30), 7).is_none()); // active at 30 s
    // The HPA alone never goes below 1 (KEDA's HPA has minReplicas 1).
    group.evaluate(secs(45), 0);
    assert_eq!(group.current(), 1);
    assert_eq!(group.poll(secs(300), 0), None); // 270 s since active
    let resize = group.poll(secs(330), 0).expect("to zero");
    assert_eq!(resize.stopped, 1);
    assert_eq!(group.current(), 0);
}

#[test]
fn the_hpas_default_scale_down_window_keeps_the_group_for_five_minutes() {
    // HPA defaults: no stabilisation up, 300 s down.
    let p = ConsumerScaling {
        provisioning_delay_ms: 0.0,
        lag_threshold: Some(10.0),
        max_replicas: 20,
        ..ConsumerScaling::default()
    };
    let mut group = ConsumerGroup::new(&p, 1, None);
    group.evaluate(secs(15), 40); // ceil(40 / 10) = 4 (default policies allow +4 per 15 s)
    assert_eq!(group.current(), 4);
    group.ready(secs(15));
    // The lag is gone, but the highest recommendation of the last 300 s is 4.
    for t in (30..=300).step_by(15) {
        group.evaluate(secs(t), 0);
        assert_eq!(group.current(), 4, "at {t} s");
    }
    // The recommendation of 15 s leaves the window (now − 300 s, now] at 315 s.
    group.evaluate(secs(315), 0);
    assert_eq!(group.current(), 1);
}

#[test]
fn removal_takes_starting_replicas_before_consuming_ones() {
    let p = ConsumerScaling {
        provisioning_delay_ms: 30_000.0,
        ..immediate()
    };
    let mut group = ConsumerGroup::new(&p, 2, None);
    let resize = group.evaluate(secs(15), 50).expect("grows to 5");
    assert_eq!(resize.ready_at, vec![secs(45); 3]);
    let resize = group.evaluate(secs(30), 30).expect("shrinks to 3");
    assert_eq!(resize.stopped, 0);
    assert_eq!((group.consuming(), group.current()), (2, 3));
    let resize = group.evaluate(secs(31), 10).expect("shrinks to 1");
    assert_eq!(resize.stopped, 1);
    assert_eq!((group.consuming(), group.current()), (1, 1));
    // The timers of the removed starters find nothing to start.
    assert_eq!(group.ready(secs(45)), 0);
}

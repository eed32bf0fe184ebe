//! The HPA rule against its closed form and against traces worked out by hand from the
//! controller's algorithm (Kubernetes `replica_calculator.go` and `horizontal.go`).

use archsim_model::scaling::{
    Autoscaling, PolicyKind, ScalingMetric, ScalingPolicy, ScalingRules, SelectPolicy,
};

use super::*;
use crate::time::from_ms;

fn all_ready(current: u32, metric: f64) -> Observation {
    Observation {
        current,
        ready: current,
        metric_sum: metric * current as f64,
        missing: 0,
        unready: 0,
    }
}

/// No stabilisation and no rate limits: the bare rule.
fn unlimited(target: f64) -> Autoscaling {
    let open = ScalingRules {
        stabilization_window_ms: 0.0,
        select_policy: SelectPolicy::Max,
        policies: Vec::new(),
    };
    Autoscaling {
        min_instances: 1,
        max_instances: 1_000,
        metric: ScalingMetric::InFlight,
        target,
        scale_up: open.clone(),
        scale_down: open,
        ..Autoscaling::default()
    }
}

const S: SimTime = 1_000_000_000;

#[test]
fn desired_is_ceil_of_current_times_metric_over_target_outside_the_tolerance() {
    for current in 1..=20u32 {
        for metric_tenths in 0..=300u32 {
            let metric = metric_tenths as f64 / 10.0;
            let target = 5.0;
            let mut hpa = Hpa::new(&unlimited(target));
            let got = hpa.evaluate(15 * S, &all_ready(current, metric));
            let ratio = metric / target;
            let expected = if (ratio - 1.0).abs() <= 0.1 {
                current
            } else {
                ((current as f64 * ratio).ceil() as u32).clamp(1, 1_000)
            };
            assert_eq!(
                got, expected,
                "current {current}, metric {metric}, target {target}"
            );
        }
    }
}

#[test]
fn within_the_tolerance_nothing_changes() {
    let mut hpa = Hpa::new(&unlimited(10.0));
    // 10.5 / 10 = 1.05: within 0.1 of 1, though ceil(10 × 1.05) would be 11.
    assert_eq!(hpa.evaluate(15 * S, &all_ready(10, 10.5)), 10);
    // 9.5: ceil(9.5) = 10 anyway, but 12 / 10 = 1.2 is outside: 12.
    assert_eq!(hpa.evaluate(30 * S, &all_ready(10, 12.0)), 12);
}

#[test]
fn instances_not_yet_ready_count_as_idle_when_the_group_would_grow() {
    // Two ready at 0.9 against 0.5 (ratio 1.8), two still starting: counted at 0 the ratio is
    // 0.9, below 1 while the raw ratio is above: no change (the starting ones will help).
    let obs = Observation {
        current: 4,
        ready: 2,
        metric_sum: 1.8,
        missing: 0,
        unready: 2,
    };
    assert_eq!(calculate_replicas(&obs, 0.5, 0.1), Some(4));
    // Three ready at 1.0 against 0.5 (ratio 2), one starting: 3 / 4 / 0.5 = 1.5, so
    // ceil(1.5 × 4) = 6, the same as ignoring it would give (ceil(2 × 3) = 6).
    let obs = Observation {
        current: 4,
        ready: 3,
        metric_sum: 3.0,
        missing: 0,
        unready: 1,
    };
    assert_eq!(calculate_replicas(&obs, 0.5, 0.1), Some(6));
    // On the way down starting instances are simply left out: ratio 0.4 on 2 ready → 1.
    let obs = Observation {
        current: 3,
        ready: 2,
        metric_sum: 0.4,
        missing: 0,
        unready: 1,
    };
    assert_eq!(calculate_replicas(&obs, 0.5, 0.1), Some(1));
}

#[test]
fn ready_instances_without_a_measurement_count_at_the_target_on_the_way_down() {
    // 2 measured at 0.1 against 0.5 (ratio 0.2), 2 just ready: filled at 0.5 the ratio is
    // (0.2 + 1.0) / 4 / 0.5 = 0.6, so ceil(0.6 × 4) = 3 instead of ceil(0.2 × 2) = 1.
    let obs = Observation {
        current: 4,
        ready: 2,
        metric_sum: 0.2,
        missing: 2,
        unready: 0,
    };
    assert_eq!(calculate_replicas(&obs, 0.5, 0.1), Some(3));
}

#[test]
fn no_measurement_at_all_makes_no_decision() {
    let obs = Observation {
        current: 3,
        ready: 0,
        metric_sum: 0.0,
        missing: 0,
        unready: 3,
    };
    assert_eq!(calculate_replicas(&obs, 0.5, 0.1), None);
    let mut hpa = Hpa::new(&Autoscaling::default());
    assert_eq!(hpa.evaluate(15 * S, &obs), 3);
}

#[test]
fn default_scale_up_doubles_or_adds_four_per_fifteen_seconds() {
    // HPA's default behaviour: max(100 %, 4 pods) per 15 s. From 1 instance with a huge
    // metric, each 15 s evaluation may go to max(2 × start, start + 4): 1 → 5 → 10 → 20 → 40.
    let p = Autoscaling {
        max_instances: 100,
        metric: ScalingMetric::InFlight,
        target: 1.0,
        ..Autoscaling::default()
    };
    let mut hpa = Hpa::new(&p);
    let mut current = 1;
    let mut trace = Vec::new();
    for k in 1..=5u64 {
        current = hpa.evaluate(k * 15 * S, &all_ready(current, 1_000.0));
        trace.push(current);
    }
    assert_eq!(trace, [5, 10, 20, 40, 80]);
    // Capped at max_instances.
    current = hpa.evaluate(6 * 15 * S, &all_ready(current, 1_000.0));
    assert_eq!(current, 100);
}

#[test]
fn two_steps_within_one_period_share_its_allowance() {
    // Evaluations every 5 s with a 15 s period: from 4 the period allows max(8, 8) = 8 in all,
    // whatever the number of steps taken inside it.
    let p = Autoscaling {
        max_instances: 100,
        metric: ScalingMetric::InFlight,
        target: 1.0,
        scale_up: ScalingRules {
            stabilization_window_ms: 0.0,
            select_policy: SelectPolicy::Max,
            policies: vec![ScalingPolicy {
                kind: PolicyKind::Instances,
                value: 4,
                period_ms: 15_000.0,
            }],
        },
        ..Autoscaling::default()
    };
    let mut hpa = Hpa::new(&p);
    // 4 × 1.5 = 6: allowed (4 + 4 = 8).
    assert_eq!(hpa.evaluate(5 * S, &all_ready(4, 1.5)), 6);
    // 6 × 3 = 18, but the period started at 4: at most 8.
    assert_eq!(hpa.evaluate(10 * S, &all_ready(6, 3.0)), 8);
    // 5 s later the period (5 s, 20 s] still holds both steps: 8 − 4 + 4 = 8, no growth.
    assert_eq!(hpa.evaluate(15 * S, &all_ready(8, 3.0)), 8);
    // At 20 s the first step (at 5 s) has left the period: start 8 − 2 = 6, limit 10.
    assert_eq!(hpa.evaluate(20 * S, &all_ready(8, 3.0)), 10);
}

#[test]
fn scale_down_waits_for_the_highest_recommendation_of_the_window_to_expire() {
    let p = Autoscaling {
        max_instances: 50,
        metric: ScalingMetric::InFlight,
        target: 10.0,
        ..Autoscaling::default()
    };
    let mut hpa = Hpa::new(&p);
    // At 15 s the load asks for 10 instances (10 at 10 each: stays 10).
    assert_eq!(hpa.evaluate(15 * S, &all_ready(10, 10.0)), 10);
    // From 30 s on the load would need only 2; the 300 s window still holds the 10 of 15 s.
    for k in 2..=20u64 {
        let t = k * 15 * S;
        assert_eq!(hpa.evaluate(t, &all_ready(10, 2.0)), 10, "at {t} ns");
    }
    // At 315 s the recommendation of 15 s is exactly 300 s old: out of (15 s, 315 s]. The
    // others (30 s on) all said 2.
    assert_eq!(hpa.evaluate(21 * 15 * S, &all_ready(10, 2.0)), 2);
}

#[test]
fn a_scale_up_stabilisation_window_applies_the_lowest_recent_recommendation() {
    let p = Autoscaling {
        max_instances: 50,
        metric: ScalingMetric::InFlight,
        target: 10.0,
        scale_up: ScalingRules {
            stabilization_window_ms: 60_000.0,
            select_policy: SelectPolicy::Max,
            policies: Vec::new(),
        },
        ..Autoscaling::default()
    };
    let mut hpa = Hpa::new(&p);
    assert_eq!(hpa.evaluate(15 * S, &all_ready(2, 10.0)), 2);
    // A burst asks for 8 at 30 s, 45 s, 60 s; the 2 of 15 s is in the window until 75 s.
    for k in 2..=4u64 {
        assert_eq!(hpa.evaluate(k * 15 * S, &all_ready(2, 40.0)), 2);
    }
    assert_eq!(hpa.evaluate(5 * 15 * S, &all_ready(2, 40.0)), 8);
}

#[test]
fn a_group_outside_its_bounds_is_brought_inside_whatever_the_metric() {
    let p = Autoscaling {
        min_instances: 3,
        max_instances: 6,
        ..Autoscaling::default()
    };
    let mut hpa = Hpa::new(&p);
    assert_eq!(hpa.evaluate(15 * S, &all_ready(1, 0.0)), 3);
    assert_eq!(hpa.evaluate(30 * S, &all_ready(9, 1.0)), 6);
}

#[test]
fn disabled_direction_never_moves() {
    let mut p = unlimited(1.0);
    p.scale_down.select_policy = SelectPolicy::Disabled;
    let mut hpa = Hpa::new(&p);
    assert_eq!(hpa.evaluate(15 * S, &all_ready(5, 0.1)), 5);
    assert_eq!(hpa.evaluate(30 * S, &all_ready(5, 3.0)), 15);
}

#[test]
fn percent_scale_down_rounds_the_floor_down() {
    // 50 % per 15 s from 5: floor(5 × 0.5) = 2 may remain.
    let mut p = unlimited(1.0);
    p.scale_down.policies = vec![ScalingPolicy {
        kind: PolicyKind::Percent,
        value: 50,
        period_ms: 15_000.0,
    }];
    let mut hpa = Hpa::new(&p);
    assert_eq!(hpa.evaluate(from_ms(15_000.0), &all_ready(5, 0.01)), 2);
}

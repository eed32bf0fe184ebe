//! Load-balancer and gateway health as Envoy has it, observed on whole runs: active probes
//! (their timing, thresholds and detection lag), probes answered like requests by an overloaded
//! backend, the instant oracle of version-1 designs, outlier ejection's schedule, and the same
//! mechanisms on an API gateway's round robin and routes.

mod common;

use archsim_model::Report;
use archsim_model::design::Design;
use common::{go, parse};

/// Client → lb (`lb` params) → s1, s2 (`backend` params each), edges of constant `latency_ms`;
/// s2 crashes for `[crash_from, crash_to)`.
fn two_backends(
    client: &str,
    lb: &str,
    backend: &str,
    latency_ms: f64,
    crash: (f64, f64),
    run: &str,
) -> Design {
    parse(&design_text(2, client, lb, backend, latency_ms, crash, run))
}

fn design_text(
    version: u32,
    client: &str,
    lb: &str,
    backend: &str,
    latency_ms: f64,
    crash: (f64, f64),
    run: &str,
) -> String {
    let (from, to) = crash;
    format!(
        r#"{{ "version": {version}, "nodes": [
          {{ "id": "c", "kind": "client", "params": {client} }},
          {{ "id": "lb", "kind": "load_balancer", "params": {lb} }},
          {{ "id": "s1", "kind": "service", "params": {backend} }},
          {{ "id": "s2", "kind": "service", "params": {backend} }} ],
        "edges": [ {{ "id": "c-lb", "from": "c", "to": "lb" }},
          {{ "id": "lb-s1", "from": "lb", "to": "s1",
             "params": {{ "latency": {{ "type": "constant", "ms": {latency_ms} }} }} }},
          {{ "id": "lb-s2", "from": "lb", "to": "s2",
             "params": {{ "latency": {{ "type": "constant", "ms": {latency_ms} }} }} }} ],
        "faults": [ {{ "target": "s2", "at_ms": {from}, "duration_ms": {},
                      "effect": {{ "type": "crash" }} }} ],
        "run": {run} }}"#,
        to - from
    )
}

const POISSON_100: &str =
    r#"{ "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 100 } } }"#;
const FAST_BACKEND: &str = r#"{ "workers": 20, "service_time": { "type": "constant", "ms": 10 } }"#;

/// Envoy's probe schedule for one backend, worked out by hand: a probe at 0, each next one
/// `interval` after the previous answer; an answer takes two edge latencies (a probe costs no
/// work), and is a failure when the probe reaches the backend while it is crashed. Returns the
/// times the backend changed state and its new state (true: healthy).
fn envoy_probe_transitions(
    latency: f64,
    interval: f64,
    unhealthy: u32,
    healthy: u32,
    crash: (f64, f64),
    end: f64,
) -> Vec<(f64, bool)> {
    let (mut t, mut up, mut fails, mut passes) = (0.0, true, 0, 0);
    let mut transitions = Vec::new();
    while t < end {
        let arrives = t + latency;
        let answered = arrives + latency;
        let passed = !(crash.0..crash.1).contains(&arrives);
        if passed {
            fails = 0;
            if !up {
                passes += 1;
                if passes == healthy {
                    up = true;
                    passes = 0;
                    transitions.push((answered, true));
                }
            }
        } else {
            passes = 0;
            if up {
                fails += 1;
                if fails == unhealthy {
                    up = false;
                    fails = 0;
                    transitions.push((answered, false));
                }
            }
        }
        t = answered + interval;
    }
    transitions
}

fn healthy_at(transitions: &[(f64, bool)], t: f64) -> bool {
    transitions
        .iter()
        .take_while(|(at, _)| *at <= t)
        .last()
        .is_none_or(|(_, up)| *up)
}

#[test]
fn active_probes_mark_a_crashed_backend_down_and_back_on_envoys_schedule() {
    let crash = (10_000.0, 30_000.0);
    let design = two_backends(
        POISSON_100,
        r#"{ "health_check": { "type": "active", "interval_ms": 1000, "timeout_ms": 200,
               "unhealthy_threshold": 3, "healthy_threshold": 2 } }"#,
        FAST_BACKEND,
        3.0,
        crash,
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 100, "seed": 4 }"#,
    );
    let report = go(&design);
    let transitions = envoy_probe_transitions(3.0, 1000.0, 3, 2, crash, 40_000.0);
    // Down on the third failed probe after the crash, up on the second passed one after it.
    assert_eq!(transitions.len(), 2, "{transitions:?}");
    let (down_at, back_at) = (transitions[0].0, transitions[1].0);
    assert!(down_at > 12_000.0 && down_at < 13_100.0, "{down_at}");
    assert!(back_at > 31_000.0 && back_at < 32_100.0, "{back_at}");
    let lb = &report.series.nodes["lb"];
    let states = &lb.backend_state["s2"];
    let mut checked = 0;
    for (bucket, &state) in states.iter().enumerate() {
        let end = (bucket + 1) as f64 * 100.0;
        if transitions.iter().any(|(at, _)| (at - end).abs() < 1.0) {
            continue; // A change at the bucket's very end: either order is right.
        }
        let expected = if healthy_at(&transitions, end) { 0 } else { 1 };
        assert_eq!(state, expected, "s2 at {end} ms");
        assert_eq!(
            lb.healthy_backends[bucket],
            2 - u32::from(expected),
            "at {end} ms"
        );
        checked += 1;
    }
    assert!(checked > 390, "{checked}");
    assert!(lb.backend_state["s1"].iter().all(|&s| s == 0));
    // The detection lag is visible: requests sent to s2 fail until it is marked down, none
    // after (panic mode does not start: one of two healthy is exactly the 50% threshold).
    let down = &report.series.failed_by_cause["node_down"];
    let lag_buckets = 101..(down_at / 100.0) as usize;
    let lost: u64 = down[lag_buckets.clone()].iter().sum();
    let expected = 50.0 * (down_at - 10_000.0) / 1000.0;
    assert!(
        (lost as f64) > 0.7 * expected && (lost as f64) < 1.3 * expected,
        "{lost} lost in the lag, ~{expected} expected"
    );
    let after = (down_at / 100.0) as usize + 2;
    assert!(down[after..].iter().all(|&n| n == 0), "{down:?}");
    let health = report.nodes["lb"].balancer_health.expect("balancer health");
    assert_eq!(health.marked_down.value, 1.0);
    assert_eq!(health.panic_picks.value, 0.0);
    // Probes: one per backend per ~1006 ms, the crashed backend's failing for 20 s.
    assert!((health.probes.value - 2.0 * 40_000.0 / 1006.0).abs() <= 2.0);
    assert!((health.probe_failures.value - 20.0).abs() <= 1.0);
}

#[test]
fn the_instant_oracle_of_version_1_designs_loses_nothing_to_detection() {
    let design = two_backends(
        POISSON_100,
        r#"{ "health_check": { "type": "instant" } }"#,
        FAST_BACKEND,
        3.0,
        (10_000.0, 30_000.0),
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 100, "seed": 4 }"#,
    );
    let report = go(&design);
    // Only requests caught inside s2 at the crash fail.
    assert!(report.overall.failures.node_down.value <= 3.0);
    let states = &report.series.nodes["lb"].backend_state["s2"];
    assert_eq!(states[98], 0);
    assert_eq!(states[100], 1, "down at 10 s exactly");
    assert_eq!(states[298], 1);
    assert_eq!(states[300], 0, "back at 30 s");
    // The same design written in version 1 (`health_checks: true`) is this one.
    let v1_text = design_text(
        1,
        POISSON_100,
        r#"{ "health_checks": true }"#,
        FAST_BACKEND,
        3.0,
        (10_000.0, 30_000.0),
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 100, "seed": 4 }"#,
    );
    let v1 = parse(&v1_text);
    assert_eq!(go(&v1).series, report.series);
}

#[test]
fn an_overloaded_backend_fails_its_probes_in_its_queue_without_crashing() {
    // s2 slowed 100× from 5 s: its one worker cannot keep up, the queue grows, and probes wait
    // in it longer than their timeout.
    let design = parse(
        r#"{ "version": 2, "nodes": [
          { "id": "c", "kind": "client", "params": {
              "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 40 } } } },
          { "id": "lb", "kind": "load_balancer", "params": {
              "health_check": { "type": "active", "interval_ms": 500, "timeout_ms": 200,
                                "unhealthy_threshold": 2, "healthy_threshold": 1 } } },
          { "id": "s1", "kind": "service", "params": { "workers": 4,
              "service_time": { "type": "constant", "ms": 10 } } },
          { "id": "s2", "kind": "service", "params": { "workers": 1, "queue_capacity": 10000,
              "service_time": { "type": "constant", "ms": 10 } } } ],
        "edges": [ { "id": "c-lb", "from": "c", "to": "lb" },
                   { "id": "lb-s1", "from": "lb", "to": "s1" },
                   { "id": "lb-s2", "from": "lb", "to": "s2" } ],
        "faults": [ { "target": "s2", "at_ms": 5000, "duration_ms": 10000,
                      "effect": { "type": "slowdown", "factor": 100 } } ],
        "run": { "duration_ms": 20000, "warmup_ms": 0, "bucket_ms": 500, "seed": 1 } }"#,
    );
    let report = go(&design);
    let states = &report.series.nodes["lb"].backend_state["s2"];
    assert!(states[..10].iter().all(|&s| s == 0), "{states:?}");
    assert!(
        states[12..20].contains(&1),
        "marked down while slow: {states:?}"
    );
    let health = report.nodes["lb"].balancer_health.expect("balancer health");
    assert!(health.probe_failures.value >= 2.0);
    assert_eq!(report.overall.failures.node_down.value, 0.0);
}

#[test]
fn a_full_queue_refuses_probes() {
    let design = parse(
        r#"{ "version": 2, "nodes": [
          { "id": "c", "kind": "client", "params": {
              "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 200 } } } },
          { "id": "lb", "kind": "load_balancer", "params": {
              "health_check": { "type": "active", "interval_ms": 500, "timeout_ms": 5000,
                                "unhealthy_threshold": 1, "healthy_threshold": 1 },
              "panic_threshold_percent": 0 } },
          { "id": "s1", "kind": "service", "params": { "workers": 1, "queue_capacity": 2,
              "service_time": { "type": "constant", "ms": 1000 } } } ],
        "edges": [ { "id": "c-lb", "from": "c", "to": "lb" },
                   { "id": "lb-s1", "from": "lb", "to": "s1" } ],
        "run": { "duration_ms": 10000, "warmup_ms": 0, "bucket_ms": 1000, "seed": 1 } }"#,
    );
    let report = go(&design);
    let health = report.nodes["lb"].balancer_health.expect("balancer health");
    // 200 rps into a queue of 2 behind a 1 s job: it is full nearly always, so probes are
    // refused (a 503) well before their 5 s timeout, and the backend is marked down.
    assert!(health.probe_failures.value >= 1.0);
    assert!(report.overall.failures.no_healthy_backend.value > 0.0);
}

/// Node `lb` ejected s2 (crashed 10–30 s, failing every other request of one closed-loop user)
/// on Envoy's schedule: the fifth failure ejects it (~10.2 s) for 3 s, back on the tick at
/// 14 s, five failures, ejected for 2 × 3 s: back at 21 s, five more, ejected for 9 s: back at
/// 31 s, when s2 is up again. Three ejections, fifteen failed requests.
fn assert_envoy_ejection_schedule(report: &Report) {
    let health = report.nodes["lb"]
        .balancer_health
        .expect("lb watches its backends");
    assert_eq!(health.ejections.value, 3.0);
    assert_eq!(report.overall.failures.node_down.value, 15.0);
    let ejected = &report.series.nodes["lb"].ejected_backends;
    let at = |ms: f64| ejected[(ms / 250.0) as usize - 1];
    assert_eq!(at(10_000.0), 0);
    for t in [11_000.0, 13_750.0, 15_000.0, 20_750.0, 22_000.0, 30_750.0] {
        assert_eq!(at(t), 1, "ejected at {t} ms");
    }
    assert_eq!(at(31_250.0), 0, "back on the tick at 31 s");
}

#[test]
fn outlier_ejection_follows_envoys_multiplier_and_interval_ticks() {
    // One user, one request at a time: s2's failures come in runs that are easy to count.
    let design = two_backends(
        r#"{ "workload": { "type": "closed_loop", "users": 1,
              "think_time": { "type": "constant", "ms": 10 } } }"#,
        r#"{ "health_check": { "type": "none" },
             "outlier_detection": { "consecutive_errors": 5, "interval_ms": 1000,
               "base_ejection_ms": 3000, "max_ejection_ms": 30000, "max_ejection_percent": 50 } }"#,
        FAST_BACKEND,
        5.0,
        (10_000.0, 30_000.0),
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 250, "seed": 1 }"#,
    );
    let report = go(&design);
    // Round robin sends every other request to s2, which fails in 10 ms while crashed.
    assert_envoy_ejection_schedule(&report);
    assert_eq!(
        report.series.nodes["lb"].backend_state["s2"][(31_250 / 250) - 1],
        0
    );
}

/// `design_text` with the front node (still `lb`) an API gateway with `params` instead of a
/// load balancer (round robin over s1 and s2 for unrouted classes, as the balancer's default).
fn behind_a_gateway(
    client: &str,
    gateway: &str,
    latency_ms: f64,
    crash: (f64, f64),
    run: &str,
) -> Design {
    let text = design_text(
        archsim_model::CURRENT_VERSION,
        client,
        gateway,
        FAST_BACKEND,
        latency_ms,
        crash,
        run,
    );
    parse(&text.replace(r#""kind": "load_balancer""#, r#""kind": "api_gateway""#))
}

#[test]
fn a_gateway_probes_its_backends_on_envoys_schedule_and_skips_the_one_found_down() {
    let crash = (10_000.0, 30_000.0);
    let design = behind_a_gateway(
        POISSON_100,
        r#"{ "overhead": { "type": "constant", "ms": 0 },
             "health_check": { "type": "active", "interval_ms": 1000, "timeout_ms": 200,
               "unhealthy_threshold": 3, "healthy_threshold": 2 } }"#,
        3.0,
        crash,
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 100, "seed": 4 }"#,
    );
    let report = go(&design);
    let transitions = envoy_probe_transitions(3.0, 1000.0, 3, 2, crash, 40_000.0);
    let (down_at, back_at) = (transitions[0].0, transitions[1].0);
    let gw = &report.series.nodes["lb"];
    let states = &gw.backend_state["s2"];
    let mut checked = 0;
    for (bucket, &state) in states.iter().enumerate() {
        let end = (bucket + 1) as f64 * 100.0;
        if transitions.iter().any(|(at, _)| (at - end).abs() < 1.0) {
            continue;
        }
        let expected = if healthy_at(&transitions, end) { 0 } else { 1 };
        assert_eq!(state, expected, "s2 at {end} ms");
        assert_eq!(gw.healthy_backends[bucket], 2 - u32::from(expected));
        checked += 1;
    }
    assert!(checked > 390, "{checked}");
    // Half the requests go to s2 while nobody knows it is down; none once it is marked down,
    // until it is back.
    let down = &report.series.failed_by_cause["node_down"];
    let lost: u64 = down[101..(down_at / 100.0) as usize].iter().sum();
    let expected = 50.0 * (down_at - 10_000.0) / 1000.0;
    assert!(
        (lost as f64) > 0.7 * expected && (lost as f64) < 1.3 * expected,
        "{lost} lost in the lag, ~{expected} expected"
    );
    let after = (down_at / 100.0) as usize + 2;
    assert!(down[after..].iter().all(|&n| n == 0), "{down:?}");
    assert_eq!(report.overall.failures.no_healthy_backend.value, 0.0);
    // While s2 is out, s1 takes every request.
    let s1 = &report.series.nodes["s1"].arrivals;
    let out_window = (down_at / 100.0) as usize + 2..(back_at / 100.0) as usize - 1;
    let to_s1: u64 = s1[out_window.clone()].iter().sum();
    let sent: u64 = report.series.arrivals[out_window].iter().sum();
    assert!(to_s1 + 2 >= sent, "{to_s1} of {sent} to s1");
    let health = report.nodes["lb"].balancer_health.expect("gateway health");
    assert_eq!(health.marked_down.value, 1.0);
    assert!((health.probes.value - 2.0 * 40_000.0 / 1006.0).abs() <= 2.0);
}

#[test]
fn a_gateway_without_health_settings_reports_none_and_keeps_calling_a_crashed_backend() {
    let design = behind_a_gateway(
        POISSON_100,
        r#"{ "overhead": { "type": "constant", "ms": 0 } }"#,
        3.0,
        (10_000.0, 30_000.0),
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 1000, "seed": 4 }"#,
    );
    let report = go(&design);
    assert!(report.nodes["lb"].balancer_health.is_none());
    assert!(report.series.nodes["lb"].backend_state.is_empty());
    // Every other request, for the whole 20 s crash: ~1000 (Poisson at 100 rps, half of it).
    let lost = report.overall.failures.node_down.value;
    assert!(lost > 900.0 && lost < 1100.0, "{lost}");
}

#[test]
fn a_gateway_ejects_an_outlier_on_envoys_multiplier_and_interval_ticks() {
    // The balancer's outlier test, with a gateway in front: the same component, the same
    // schedule (see `outlier_ejection_follows_envoys_multiplier_and_interval_ticks`).
    let design = behind_a_gateway(
        r#"{ "workload": { "type": "closed_loop", "users": 1,
              "think_time": { "type": "constant", "ms": 10 } } }"#,
        r#"{ "overhead": { "type": "constant", "ms": 0 },
             "outlier_detection": { "consecutive_errors": 5, "interval_ms": 1000,
               "base_ejection_ms": 3000, "max_ejection_ms": 30000, "max_ejection_percent": 50 } }"#,
        5.0,
        (10_000.0, 30_000.0),
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 250, "seed": 1 }"#,
    );
    let report = go(&design);
    assert_envoy_ejection_schedule(&report);
}

/// A gateway routing class `pay` to s2 alone (s2 crashed 10–30 s, probes every second,
/// unhealthy after 3), with panic threshold `panic`.
fn route_to_a_crashed_target(panic: f64) -> Design {
    let client = r#"{ "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 100 } },
         "mix": [ { "name": "pay", "weight": 1 } ] }"#;
    let gateway = format!(
        r#"{{ "overhead": {{ "type": "constant", "ms": 0 }},
             "routes": [ {{ "class": "pay", "to": "s2" }} ],
             "health_check": {{ "type": "active", "interval_ms": 1000, "timeout_ms": 200,
               "unhealthy_threshold": 3, "healthy_threshold": 2 }},
             "panic_threshold_percent": {panic} }}"#
    );
    behind_a_gateway(
        client,
        &gateway,
        3.0,
        (10_000.0, 30_000.0),
        r#"{ "duration_ms": 40000, "warmup_ms": 0, "bucket_ms": 1000, "seed": 4 }"#,
    )
}

#[test]
fn a_route_whose_only_target_is_down_fails_fast_unless_its_pool_is_in_panic() {
    let transitions = envoy_probe_transitions(3.0, 1000.0, 3, 2, (10_000.0, 30_000.0), 40_000.0);
    let (down_s, back_s) = (
        (transitions[0].0 / 1000.0) as usize,
        (transitions[1].0 / 1000.0) as usize,
    );
    // Panic off: from the third failed probe on, the gateway answers `no_healthy_backend`
    // itself, without calling s2, until s2 is healthy again.
    let report = go(&route_to_a_crashed_target(0.0));
    let refused = &report.series.failed_by_cause["no_healthy_backend"];
    let reached = &report.series.nodes["s2"].arrivals;
    for second in down_s + 1..back_s {
        assert_eq!(reached[second], 0, "nothing reaches s2 at {second} s");
        assert_eq!(report.series.succeeded[second], 0);
        assert_eq!(
            refused[second], report.series.failed[second],
            "every failure at {second} s is a refusal at the gateway"
        );
    }
    // Refused at once: the requests sent in the window fail in it (give or take the client
    // edge's latency at its ends).
    let sent: u64 = report.series.arrivals[down_s + 1..back_s].iter().sum();
    let fast: u64 = refused[down_s + 1..back_s].iter().sum();
    assert!(
        fast + 5 >= sent && fast <= sent + 5,
        "{fast} refused, {sent} sent"
    );
    assert!(
        refused[..10]
            .iter()
            .chain(&refused[back_s + 1..])
            .all(|&n| n == 0)
    );
    assert_eq!(
        report.nodes["lb"]
            .balancer_health
            .unwrap()
            .panic_picks
            .value,
        0.0
    );
    // Envoy's default threshold (50%): 0 of 1 healthy is panic, so the route keeps calling
    // its dead target, and each such request is a panic pick.
    let report = go(&route_to_a_crashed_target(50.0));
    assert_eq!(report.overall.failures.no_healthy_backend.value, 0.0);
    let panicked: u64 = report.series.arrivals[down_s + 1..back_s].iter().sum();
    let picks = report.nodes["lb"]
        .balancer_health
        .unwrap()
        .panic_picks
        .value;
    assert!(
        picks >= panicked as f64,
        "{picks} panic picks, {panicked} sent while down"
    );
}

fn example(name: &str) -> Design {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    parse(&std::fs::read_to_string(path).expect("example file"))
}

/// Failed and sent requests summed over buckets `from..to` (1 s buckets: seconds).
fn failed_share(design: &Design, from: usize, to: usize) -> f64 {
    let report = go(design);
    let failed: u64 = report.series.failed[from..to].iter().sum();
    let sent: u64 = report.series.arrivals[from..to].iter().sum();
    failed as f64 / sent as f64
}

#[test]
fn example_least_connections_sinkholes_into_the_crashed_backend_until_the_probes_notice() {
    let design = example("lb-sinkhole-health-checks");
    // App 1 crashes at 20 s; probes 5 s apart fail at ~20, ~25 and ~30 s. In between, the
    // crashed backend answers at once, looks idle and wins every tie: far more than its third.
    let sinkholed = failed_share(&design, 21, 29);
    assert!(sinkholed > 0.5, "{sinkholed}");
    // Once marked down, nothing fails.
    assert_eq!(failed_share(&design, 31, 60), 0.0);
    let report = go(&design);
    let states = &report.series.nodes["lb"].backend_state["app-1"];
    assert_eq!(states[19], 0);
    assert!(states[21..29].iter().all(|&s| s == 0), "{states:?}");
    assert!(states[31..60].iter().all(|&s| s == 1), "{states:?}");
    assert_eq!(*states.last().unwrap(), 0, "back after the restart");
}

#[test]
fn example_outlier_ejection_takes_the_crashed_backend_out_within_the_first_second() {
    let design = example("lb-sinkhole-outlier-ejection");
    let report = go(&design);
    // Five failed replies eject it: the failures are the five, all in the crash's first second.
    assert_eq!(report.series.failed.iter().sum::<u64>(), 5);
    assert_eq!(report.series.failed[20], 5);
    let lb = &report.series.nodes["lb"];
    assert_eq!(lb.ejected_backends[20], 1);
    assert_eq!(
        lb.backend_state["app-1"][20], 2,
        "ejected, not yet found down by probes"
    );
}

#[test]
fn example_a_gateway_stops_calling_its_crashed_backend_once_three_probes_fail() {
    let design = example("gateway-health-checks");
    let report = go(&design);
    // Probes every ~2 s (two 1 ms trips, then the interval): the three after the crash at 20 s
    // fail, so App 1 is marked down at ~24 s, when the third failed answer is back.
    let transitions = envoy_probe_transitions(1.0, 2000.0, 3, 2, (20_000.0, 50_000.0), 70_000.0);
    let down_s = (transitions[0].0 / 1000.0) as usize;
    let back_s = (transitions[1].0 / 1000.0) as usize;
    assert_eq!((down_s, back_s), (24, 52), "{transitions:?}");
    let failed = &report.series.failed;
    let arrivals = &report.series.arrivals;
    // In the detection lag every third request fails (the crashed App 1's turn).
    for second in 20..down_s {
        let share = failed[second] as f64 / arrivals[second] as f64;
        assert!(share > 0.25 && share < 0.42, "{share} failed at {second} s");
    }
    // Marked down: nothing fails, before the crash, after detection, after the restart.
    assert!(failed[..20].iter().all(|&n| n == 0), "{failed:?}");
    assert!(failed[down_s + 1..].iter().all(|&n| n == 0), "{failed:?}");
    let states = &report.series.nodes["gateway"].backend_state["app-1"];
    assert!(states[..down_s].iter().all(|&s| s == 0), "{states:?}");
    assert!(
        states[down_s + 1..back_s].iter().all(|&s| s == 1),
        "{states:?}"
    );
    assert!(states[back_s + 1..].iter().all(|&s| s == 0), "{states:?}");
    // The cure's twin: without health checks the sinkhole lasts the whole crash.
    let mut without = design.clone();
    if let archsim_model::NodeKind::ApiGateway(g) = &mut without.nodes[1].spec {
        g.health_check = archsim_model::HealthCheck::None;
    }
    let report = go(&without);
    let lost: u64 = report.series.failed[20..50].iter().sum();
    let sent: u64 = report.series.arrivals[20..50].iter().sum();
    let share = lost as f64 / sent as f64;
    assert!(share > 0.3 && share < 0.37, "{share}");
}

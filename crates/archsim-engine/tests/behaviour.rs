//! Behaviour of the node kinds, edges and faults, each checked against what must hold
//! (a closed form where one exists), plus determinism, budgets and the shipped examples.

mod common;

use archsim_engine::{report_fingerprint, run, run_replication, summarize};
use archsim_model::design::{Design, Fault, FaultEffect};
use archsim_model::parse_design;
use common::{client_to_service, close, go, parse};

const SHORT_RUN: &str = r#"{ "duration_ms": 20000, "warmup_ms": 2000, "bucket_ms": 1000 }"#;

/// Annotations (group boxes and notes on the canvas) are drawing only: a design runs exactly
/// the same with them as without.
#[test]
fn annotations_change_nothing_in_a_run() {
    let annotated = parse_design(include_str!(
        "../../archsim-model/tests/fixtures/v2/annotated.json"
    ))
    .expect("the fixture loads");
    assert_eq!(annotated.annotations.len(), 2);
    let mut plain = annotated.clone();
    plain.annotations.clear();
    let with = run(&annotated, &mut |_| {}).expect("runs");
    let without = run(&plain, &mut |_| {}).expect("runs");
    assert_eq!(report_fingerprint(&with), report_fingerprint(&without));
}

#[test]
fn same_seed_gives_identical_report_and_another_seed_a_different_one() {
    let design = client_to_service(
        300.0,
        r#"{ "workers": 2, "service_time": { "type": "log_normal", "median_ms": 4, "p99_ms": 20 },
             "error_rate": 0.05 }"#,
        r#"{ "latency": { "type": "exponential", "mean_ms": 1 }, "timeout_ms": 30,
             "retry": { "max_attempts": 2, "base_ms": 5 } }"#,
        "[]",
        SHORT_RUN,
    );
    let a = go(&design);
    let b = go(&design);
    assert_eq!(a, b);
    assert_eq!(report_fingerprint(&a), report_fingerprint(&b));
    let mut other = design.clone();
    other.run.seed += 1;
    let c = go(&other);
    assert_ne!(a, c);
    assert_ne!(report_fingerprint(&a), report_fingerprint(&c));
}

#[test]
fn fingerprint_changes_with_any_number() {
    let design = client_to_service(100.0, "{}", "{}", "[]", SHORT_RUN);
    let report = go(&design);
    let mut changed = report.clone();
    changed.series.p99_ms[3] += 1e-9;
    assert_ne!(report_fingerprint(&report), report_fingerprint(&changed));
}

#[test]
fn event_budget_stops_the_run_and_says_so() {
    let design = client_to_service(
        1_000.0,
        "{}",
        "{}",
        "[]",
        r#"{ "duration_ms": 60000, "warmup_ms": 0, "max_events": 5000 }"#,
    );
    let report = go(&design);
    assert_eq!(report.events, 5000);
    match report.stopped_early {
        Some(archsim_model::report::StopReason::EventBudget { max_events, at_ms }) => {
            assert_eq!(max_events, 5000);
            assert!(at_ms > 0.0 && at_ms < 60_000.0, "{at_ms}");
        }
        other => panic!("the run should have stopped early on events: {other:?}"),
    }
    // The series stops where the run did.
    assert!(report.series.t_ms.len() < 60);
}

#[test]
fn progress_rises_to_one() {
    let design = client_to_service(100.0, "{}", "{}", "[]", SHORT_RUN);
    let mut seen = Vec::new();
    run(&design, &mut |f| seen.push(f)).unwrap();
    assert!(seen.len() >= 50, "{}", seen.len());
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(*seen.last().unwrap(), 1.0);
}

#[test]
fn invalid_design_is_an_error_naming_the_field() {
    let mut design = client_to_service(100.0, "{}", "{}", "[]", SHORT_RUN);
    design.edges[0].to = "nowhere".into();
    let err = run(&design, &mut |_| {}).unwrap_err();
    assert!(err.message.contains("edges[0]"), "{}", err.message);
}

#[test]
fn single_run_has_batch_means_cis_and_replications_have_t_cis() {
    // Default service: 4 workers, 20 ms mean: ρ = 0.5 at 100 rps.
    let design = client_to_service(100.0, "{}", "{}", "[]", SHORT_RUN);
    let single = go(&design);
    assert_eq!(single.replications, 1);
    assert!(single.overall.latency.mean_ms.ci95.is_some_and(|c| c > 0.0));
    let mut many = design.clone();
    many.run.replications = 4;
    let results: Vec<_> = (0..4)
        .map(|i| run_replication(&many, i, &mut |_| {}).unwrap())
        .collect();
    let report = summarize(&many, &results);
    assert_eq!(report.replications, 4);
    assert_eq!(
        report.events,
        results.iter().map(|r| r.events()).sum::<u64>()
    );
    let ci = report.overall.latency.mean_ms.ci95.unwrap();
    let mean = report.overall.latency.mean_ms.value;
    assert!(ci > 0.0 && ci < 0.2 * mean, "{mean} ± {ci}");
    assert_eq!(report, go(&many), "run = replications then summarize");
}

#[test]
fn retries_after_errors_follow_the_geometric_law() {
    // Each attempt fails with p = 0.4; three attempts: success 1 − p³, attempts 1 + p + p².
    let p: f64 = 0.4;
    let design = client_to_service(
        500.0,
        r#"{ "workers": 50, "service_time": { "type": "constant", "ms": 1 }, "error_rate": 0.4 }"#,
        r#"{ "latency": { "type": "constant", "ms": 0.5 },
             "retry": { "max_attempts": 3, "base_ms": 2, "jitter": "none" } }"#,
        "[]",
        r#"{ "duration_ms": 60000, "warmup_ms": 1000 }"#,
    );
    let report = go(&design);
    let arrivals = report.overall.arrivals.value;
    let success = report.overall.succeeded.value / report.overall.completed.value;
    assert!(close(success, 1.0 - p.powi(3), 0.01), "success {success}");
    let attempts = report.edges["e"].attempts.value / arrivals;
    assert!(
        close(attempts, 1.0 + p + p * p, 0.01),
        "attempts {attempts}"
    );
    assert!(report.overall.failures.error.value > 0.0);
    // Latency of a success includes the failed tries and the back-offs (2 ms, then 4 ms); one
    // try is 0.5 + 1 + 0.5 ms. Mean over successes, weighted by which attempt succeeded.
    let mean = report.overall.latency.mean_ms.value;
    let one_try = 2.0;
    let exact = ((1.0 - p) * one_try
        + p * (1.0 - p) * (one_try + 2.0 + one_try)
        + p * p * (1.0 - p) * (one_try + 2.0 + one_try + 4.0 + one_try))
        / (1.0 - p.powi(3));
    assert!(close(mean, exact, 0.01), "mean {mean} vs {exact}");
}

#[test]
fn timeouts_leave_work_running_downstream_unless_cancelled() {
    // Every request takes 100 ms; the caller gives up after 20 ms.
    let service = |cancel: bool| {
        format!(
            r#"{{ "workers": 200, "service_time": {{ "type": "constant", "ms": 100 }},
                 "cancel_on_timeout": {cancel} }}"#
        )
    };
    let edge = r#"{ "latency": { "type": "constant", "ms": 0 }, "timeout_ms": 20 }"#;
    let kept = go(&client_to_service(
        100.0,
        &service(false),
        edge,
        "[]",
        SHORT_RUN,
    ));
    assert_eq!(kept.overall.succeeded.value, 0.0);
    assert_eq!(
        kept.overall.failures.timeout.value,
        kept.overall.completed.value
    );
    assert_eq!(kept.edges["e"].timeouts.value, kept.overall.completed.value);
    // The service did the work anyway: wasted, but real load.
    let served = &kept.nodes["s"];
    assert!(served.completions.value > 1_500.0);
    assert_eq!(served.failures.total(), 0.0);
    assert!(close(served.utilisation.value, 100.0 * 0.1 / 200.0, 0.05));

    let cancelled = go(&client_to_service(
        100.0,
        &service(true),
        edge,
        "[]",
        SHORT_RUN,
    ));
    let node = &cancelled.nodes["s"];
    assert_eq!(node.failures.timeout.value, node.completions.value);
    // Work stops at the timeout: busy 20 ms per request instead of 100.
    assert!(close(node.utilisation.value, 100.0 * 0.02 / 200.0, 0.05));
}

#[test]
fn retries_on_timeout_under_overload_collapse_goodput() {
    // Capacity 500 rps; offered 450 rps; slow tail + timeouts + retries multiply the load.
    let service = r#"{ "workers": 5, "queue_capacity": 100000,
                       "service_time": { "type": "exponential", "mean_ms": 10 } }"#;
    let plain = r#"{ "latency": { "type": "constant", "ms": 0 } }"#;
    let retrying = r#"{ "latency": { "type": "constant", "ms": 0 }, "timeout_ms": 50,
        "retry": { "max_attempts": 4, "base_ms": 1, "jitter": "full", "retry_on_timeout": true } }"#;
    let run = r#"{ "duration_ms": 60000, "warmup_ms": 10000 }"#;
    let calm = go(&client_to_service(450.0, service, plain, "[]", run));
    let storm = go(&client_to_service(450.0, service, retrying, "[]", run));
    assert!(calm.overall.goodput_rps.value > 440.0);
    // Timed-out attempts keep their workers busy, the retries add more: the service saturates
    // and almost nothing finishes within the timeout.
    assert!(storm.nodes["s"].utilisation.value > 0.99);
    assert!(
        storm.overall.goodput_rps.value < 0.5 * calm.overall.goodput_rps.value,
        "goodput {} vs {}",
        storm.overall.goodput_rps.value,
        calm.overall.goodput_rps.value
    );
    assert!(storm.edges["e"].retries.value > storm.overall.arrivals.value);
}

#[test]
fn crash_fault_fails_requests_with_node_down_during_its_window() {
    // 800 req/s: about 4,000 requests in the down window, so the 6% tolerance on their share
    // is about four standard deviations of the Poisson count (at 200 req/s it was under two,
    // and a change of random streams alone made the test fail).
    let mut design = client_to_service(
        800.0,
        r#"{ "workers": 4, "service_time": { "type": "exponential", "mean_ms": 2 } }"#,
        "{}",
        "[]",
        r#"{ "duration_ms": 20000, "warmup_ms": 0, "bucket_ms": 1000 }"#,
    );
    design.faults = parse(
        r#"{ "version": 1, "faults": [
            { "target": "s", "at_ms": 5000, "duration_ms": 5000, "effect": { "type": "crash" } } ] }"#,
    )
    .faults;
    let report = go(&design);
    let down = report.overall.failures.node_down.value;
    // A quarter of the run was down: about a quarter of the requests.
    let share = down / report.overall.arrivals.value;
    assert!(close(share, 0.25, 0.06), "{share}");
    let series = &report.series.failed_by_cause["node_down"];
    assert!(series[..5].iter().all(|&n| n == 0));
    assert!(series[5..10].iter().all(|&n| n > 150));
    assert!(series[11..].iter().all(|&n| n == 0));
}

#[test]
fn breaker_opens_on_errors_and_short_circuits() {
    // A 2 s window in ten 200 ms buckets, closing after two successes in half-open: the
    // breaker as version 1 and 2 of the format meant it, written out in today's fields.
    let design = client_to_service(
        200.0,
        r#"{ "workers": 8, "service_time": { "type": "constant", "ms": 2 } }"#,
        r#"{ "circuit_breaker": { "failure_threshold": 0.5, "minimum_calls": 20,
             "window_ms": 2000, "bucket_ms": 200, "open_ms": 1000, "half_open_probes": 2,
             "half_open": "consecutive_successes" } }"#,
        r#"[ { "target": "s", "at_ms": 5000, "duration_ms": 5000,
               "effect": { "type": "error_rate", "rate": 1.0 } } ]"#,
        r#"{ "duration_ms": 20000, "warmup_ms": 0, "bucket_ms": 500 }"#,
    );
    let report = go(&design);
    let edge = &report.edges["e"];
    assert!(edge.breaker_opened.value >= 1.0);
    assert!(edge.short_circuited.value > 500.0);
    assert_eq!(
        report.overall.failures.breaker_open.value,
        edge.short_circuited.value
    );
    let states = &report.series.breaker_state["e"];
    assert!(states[..10].iter().all(|&s| s == 0), "{states:?}");
    assert!(states[11..20].contains(&2), "{states:?}");
    assert_eq!(*states.last().unwrap(), 0, "closes again after the fault");
    let open = edge.breaker_open_fraction.value;
    assert!(open > 0.15 && open < 0.4, "{open}");
}

/// Client → cache → database, reads only.
fn cache_design(capacity: u64, keys: u64, eviction: &str, popularity: &str) -> Design {
    parse(&format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 2000 }} }},
               "mix": [ {{ "name": "read", "weight": 1 }} ],
               "keys": {{ "count": {keys}, "popularity": {popularity} }} }} }},
          {{ "id": "cache", "kind": "cache", "params": {{ "capacity": {capacity},
               "eviction": "{eviction}" }} }},
          {{ "id": "db", "kind": "database", "params": {{ "connections": 100 }} }} ],
        "edges": [ {{ "id": "c-cache", "from": "c", "to": "cache" }},
                   {{ "id": "cache-db", "from": "cache", "to": "db" }} ],
        "run": {{ "duration_ms": 60000, "warmup_ms": 20000 }} }}"#
    ))
}

#[test]
fn cache_holding_every_key_hits_after_warm_up() {
    let report = go(&cache_design(1000, 500, "lru", r#"{ "type": "uniform" }"#));
    let cache = report.nodes["cache"].cache.unwrap();
    assert!(cache.hit_ratio.value > 0.999, "{}", cache.hit_ratio.value);
    assert_eq!(cache.evictions.value, 0.0);
}

#[test]
fn lfu_cache_on_zipf_keys_approaches_the_top_keys_probability_mass() {
    // A stationary Zipf popularity: an ideal frequency cache holds the C most popular keys, so
    // its hit ratio is H(C, s) / H(N, s).
    let (capacity, keys, s) = (100u64, 2_000u64, 1.0f64);
    let report = go(&cache_design(
        capacity,
        keys,
        "lfu",
        r#"{ "type": "zipf", "exponent": 1.0 }"#,
    ));
    let harmonic = |n: u64| (1..=n).map(|k| (k as f64).powf(-s)).sum::<f64>();
    let ideal = harmonic(capacity) / harmonic(keys);
    let hit = report.nodes["cache"].cache.unwrap().hit_ratio.value;
    assert!(
        hit <= ideal + 0.01 && hit > ideal - 0.04,
        "hit {hit}, ideal {ideal}"
    );
    // Every miss went to the database.
    let db = report.nodes["db"].arrivals.value;
    let misses = report.nodes["cache"].cache.unwrap().misses.value;
    assert!((db - misses).abs() <= 50.0, "db {db}, misses {misses}");
}

#[test]
fn database_replicas_serve_reads_and_some_are_stale() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 500 } },
               "mix": [ { "name": "read", "weight": 0.8 }, { "name": "write", "weight": 0.2, "write": true } ],
               "keys": { "count": 50, "popularity": { "type": "uniform" } } } },
          { "id": "db", "kind": "database", "params": { "shards": 4, "replicas_per_shard": 2,
               "reads_from": "replicas", "connections": 20, "replication_lag_ms": 100 } } ],
        "edges": [ { "id": "e", "from": "c", "to": "db" } ],
        "run": { "duration_ms": 30000, "warmup_ms": 2000 } }"#,
    );
    let report = go(&design);
    let db = report.nodes["db"].database.clone().unwrap();
    let queries: f64 = db.shard_queries.iter().map(|q| q.value).sum();
    assert_eq!(queries, report.nodes["db"].arrivals.value);
    assert_eq!(db.shard_queries.len(), 4);
    let reads_share = db.reads_on_replicas.value / queries;
    assert!(close(reads_share, 0.8, 0.03), "{reads_share}");
    // Writes to a key arrive at 100/50 = 2 per second per key; a read is stale when the last
    // write to its key is under 100 ms old: P = 1 − e^(−2·0.1) ≈ 0.181 (Poisson writes).
    let stale = db.stale_reads.value / db.reads_on_replicas.value;
    let expected = 1.0 - (-2.0f64 * 0.1).exp();
    assert!(
        close(stale, expected, 0.08),
        "stale share {stale}, expected {expected}"
    );
}

#[test]
fn queue_redelivers_then_dead_letters_failed_messages() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 100 } } } },
          { "id": "q", "kind": "queue", "params": { "consumers": 4, "max_deliveries": 3,
               "dead_letter": "dlq" } },
          { "id": "worker", "kind": "service", "params": { "error_rate": 1.0,
               "service_time": { "type": "constant", "ms": 1 } } },
          { "id": "dlq", "kind": "service", "params": { "service_time": { "type": "constant", "ms": 1 } } } ],
        "edges": [ { "id": "c-q", "from": "c", "to": "q" },
                   { "id": "q-w", "from": "q", "to": "worker" },
                   { "id": "q-dlq", "from": "q", "to": "dlq" } ],
        "run": { "duration_ms": 20000, "warmup_ms": 0 } }"#,
    );
    let report = go(&design);
    // Producers only see the acknowledgement.
    assert_eq!(
        report.overall.succeeded.value,
        report.overall.completed.value
    );
    let q = report.nodes["q"].queue.clone().unwrap();
    // Every delivery counts, redeliveries included, and every one of them reached the worker.
    assert_eq!(q.delivered.value, report.edges["q-w"].attempts.value);
    assert!(q.enqueued.value > 1_800.0);
    // Every finished message failed 3 times: 2 redeliveries each, then the dead-letter queue.
    assert!((q.redeliveries.value - 2.0 * q.dead_lettered.value).abs() <= 8.0);
    assert!((q.dead_lettered.value - q.enqueued.value).abs() <= 4.0);
    assert_eq!(report.nodes["dlq"].arrivals.value, q.dead_lettered.value);
    // Failures are counted where they happen: the worker's errors at the worker, the dead
    // letters at the queue, none passed on to the producer.
    // (A hand-off to the dead-letter node may still be under way at the end.)
    let dead_letter_failures = report.nodes["q"].failures.error.value;
    assert!((q.dead_lettered.value - dead_letter_failures).abs() <= 4.0);
    assert_eq!(
        report.nodes["worker"].failures.error.value,
        report.nodes["worker"].completions.value
    );
    assert_eq!(report.overall.failures.total(), 0.0);
    // Attempts still on the wire at the end have not arrived yet.
    let in_transit = report.edges["q-w"].attempts.value - report.nodes["worker"].arrivals.value;
    assert!((0.0..=4.0).contains(&in_transit), "{in_transit}");
}

#[test]
fn round_robin_balancer_spreads_evenly_and_skips_a_crashed_backend() {
    let mut design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 300 } } } },
          { "id": "lb", "kind": "load_balancer", "params": {} },
          { "id": "a", "kind": "service", "params": {} },
          { "id": "b", "kind": "service", "params": {} },
          { "id": "d", "kind": "service", "params": {} } ],
        "edges": [ { "id": "c-lb", "from": "c", "to": "lb" },
                   { "id": "lb-a", "from": "lb", "to": "a" },
                   { "id": "lb-b", "from": "lb", "to": "b" },
                   { "id": "lb-d", "from": "lb", "to": "d" } ],
        "faults": [ { "target": "b", "at_ms": 10000, "duration_ms": 5000, "effect": { "type": "crash" } } ],
        "run": { "duration_ms": 20000, "warmup_ms": 0 } }"#,
    );
    let report = go(&design);
    let spread = report.nodes["lb"].balancer.clone().unwrap();
    let (a, b, d) = (spread["a"].value, spread["b"].value, spread["d"].value);
    assert!((a - d).abs() <= 2.0, "{a} {d}");
    // b missed a quarter of the run, its share went to a and d.
    assert!(close(b / a, 0.75 / 1.125, 0.03), "{a} {b} {d}");
    // Only requests already at b when it crashed failed.
    assert!(report.overall.failures.node_down.value < 10.0);

    design.nodes[1] = parse(
        r#"{ "version": 1, "nodes": [ { "id": "lb", "kind": "load_balancer",
              "params": { "health_checks": false } } ] }"#,
    )
    .nodes
    .remove(0);
    let blind = go(&design);
    let down = blind.overall.failures.node_down.value;
    assert!(close(down, 300.0 * 5.0 / 3.0, 0.1), "{down}");
}

#[test]
fn token_bucket_admits_its_rate() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 300 } } } },
          { "id": "rl", "kind": "rate_limiter", "params": {
               "algorithm": { "type": "token_bucket", "rate_rps": 100, "burst": 10 } } },
          { "id": "s", "kind": "service", "params": {} } ],
        "edges": [ { "id": "c-rl", "from": "c", "to": "rl" }, { "id": "rl-s", "from": "rl", "to": "s" } ],
        "run": { "duration_ms": 40000, "warmup_ms": 10000 } }"#,
    );
    let report = go(&design);
    let limiter = report.nodes["rl"].rate_limiter.unwrap();
    let admitted_rps = limiter.admitted.value / 30.0;
    assert!(close(admitted_rps, 100.0, 0.02), "{admitted_rps}");
    assert_eq!(
        report.overall.failures.rate_limited.value,
        limiter.rejected.value
    );
    assert!(close(report.overall.goodput_rps.value, 100.0, 0.02));
}

#[test]
fn closed_loop_obeys_the_interactive_response_time_law() {
    // N users, think time Z: throughput X = N / (R + Z) whatever the system does.
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "closed_loop", "users": 40,
                             "think_time": { "type": "exponential", "mean_ms": 100 } } } },
          { "id": "s", "kind": "service", "params": { "workers": 2,
               "service_time": { "type": "exponential", "mean_ms": 5 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "s" } ],
        "run": { "duration_ms": 60000, "warmup_ms": 5000 } }"#,
    );
    let report = go(&design);
    let x = report.overall.throughput_rps.value;
    let r_ms = report.overall.latency.mean_ms.value;
    let expected = 40.0 / ((r_ms + 100.0) / 1000.0);
    assert!(close(x, expected, 0.01), "X {x}, N/(R+Z) {expected}");
    // Service utilisation law: U = X · S / c.
    assert!(close(
        report.nodes["s"].utilisation.value,
        x * 0.005 / 2.0,
        0.02
    ));
}

#[test]
fn parallel_fan_out_waits_for_the_slowest_call() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 50 } } } },
          { "id": "agg", "kind": "service", "params": { "workers": 100, "calls": "parallel",
               "service_time": { "type": "constant", "ms": 1 } } },
          { "id": "x", "kind": "service", "params": { "workers": 100,
               "service_time": { "type": "constant", "ms": 10 } } },
          { "id": "y", "kind": "service", "params": { "workers": 100,
               "service_time": { "type": "constant", "ms": 30 } } } ],
        "edges": [ { "id": "c-agg", "from": "c", "to": "agg", "params": { "latency": { "type": "constant", "ms": 0 } } },
                   { "id": "agg-x", "from": "agg", "to": "x", "params": { "latency": { "type": "constant", "ms": 0 } } },
                   { "id": "agg-y", "from": "agg", "to": "y", "params": { "latency": { "type": "constant", "ms": 0 } } } ],
        "run": { "duration_ms": 10000, "warmup_ms": 1000 } }"#,
    );
    let report = go(&design);
    let mean = report.overall.latency.mean_ms.value;
    assert!((mean - 31.0).abs() < 1e-6, "{mean}");
    let mut sequential = design.clone();
    if let archsim_model::design::NodeKind::Service(p) = &mut sequential.nodes[1].spec {
        p.calls = archsim_model::design::CallMode::Sequential;
    }
    let mean = go(&sequential).overall.latency.mean_ms.value;
    assert!((mean - 41.0).abs() < 1e-6, "{mean}");
}

#[test]
fn every_example_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut ran = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let json = std::fs::read_to_string(&path).unwrap();
        let mut design =
            parse_design(&json).unwrap_or_else(|p| panic!("{}: {p:?}", path.display()));
        // Short: this checks that every example runs, not what it shows.
        design.run.duration_ms = design.run.duration_ms.min(5_000.0);
        design.run.warmup_ms = design.run.warmup_ms.min(1_000.0);
        design.run.bucket_ms = design.run.bucket_ms.min(500.0);
        design.run.replications = design.run.replications.min(2);
        let report =
            run(&design, &mut |_| {}).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(report.events > 0, "{}", path.display());
        assert!(report.overall.arrivals.value > 0.0, "{}", path.display());
        // The latency histogram pools the replications' successful requests.
        let pooled = report.overall.succeeded.value * f64::from(report.replications);
        assert_eq!(
            report.latency_histogram.total() as f64,
            pooled.round(),
            "{}",
            path.display()
        );
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} examples found");
}

#[test]
fn crashed_cache_comes_back_cold() {
    let mut design = cache_design(1000, 500, "lru", r#"{ "type": "uniform" }"#);
    design.run.warmup_ms = 0.0;
    design.run.bucket_ms = 1000.0;
    design.faults = parse(
        r#"{ "version": 1, "faults": [ { "target": "cache", "at_ms": 30000, "duration_ms": 1000,
              "effect": { "type": "crash" } } ] }"#,
    )
    .faults;
    let report = go(&design);
    let db = &report.series.nodes["db"].arrivals;
    // Warm before the crash; all 500 keys missed again after it.
    assert!(db[20..30].iter().all(|&n| n == 0), "{db:?}");
    assert!(db[31] > 200, "{db:?}");
}

#[test]
fn single_run_count_intervals_cover_the_whole_period() {
    // Poisson arrivals: the total count over the period has sd √N, so its 95% half-width is
    // about 1.96 √N. Batch means estimate it from 20 batches (±~30% at that sample size).
    let design = client_to_service(
        500.0,
        "{}",
        "{}",
        "[]",
        r#"{ "duration_ms": 100000, "warmup_ms": 5000 }"#,
    );
    let report = go(&design);
    let n = report.overall.arrivals.value;
    let ci = report.overall.arrivals.ci95.unwrap();
    let expected = 1.96 * n.sqrt();
    assert!(
        ci > 0.6 * expected && ci < 1.6 * expected,
        "± {ci} vs {expected}"
    );
}

#[test]
fn dead_letter_queue_without_consumers_holds_its_messages() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 100 } } } },
          { "id": "q", "kind": "queue", "params": { "max_deliveries": 1, "dead_letter": "dlq" } },
          { "id": "w", "kind": "service", "params": { "error_rate": 1.0 } },
          { "id": "dlq", "kind": "queue", "params": { "capacity": 500 } } ],
        "edges": [ { "id": "c-q", "from": "c", "to": "q" }, { "id": "q-w", "from": "q", "to": "w" },
                   { "id": "q-dlq", "from": "q", "to": "dlq" } ],
        "run": { "duration_ms": 10000, "warmup_ms": 0 } }"#,
    );
    let report = go(&design);
    let dlq = report.nodes["dlq"].queue.clone().unwrap();
    assert_eq!(dlq.max_depth.value, 500.0);
    assert_eq!(dlq.enqueued.value, 500.0);
    assert_eq!(dlq.delivered.value, 0.0);
    assert!(report.nodes["dlq"].failures.queue_full.value > 400.0);
}

#[test]
fn gateway_routes_classes_and_caps_concurrency() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 400 } },
               "mix": [ { "name": "browse", "weight": 3 }, { "name": "buy", "weight": 1, "write": true } ] } },
          { "id": "gw", "kind": "api_gateway", "params": { "max_concurrency": 8,
               "overhead": { "type": "constant", "ms": 1 },
               "routes": [ { "class": "buy", "to": "orders" } ] } },
          { "id": "catalog", "kind": "service", "params": { "workers": 100 } },
          { "id": "orders", "kind": "service", "params": { "workers": 100 } } ],
        "edges": [ { "id": "c-gw", "from": "c", "to": "gw" },
                   { "id": "gw-catalog", "from": "gw", "to": "catalog" },
                   { "id": "gw-orders", "from": "gw", "to": "orders" } ],
        "run": { "duration_ms": 30000, "warmup_ms": 1000 } }"#,
    );
    let report = go(&design);
    let catalog = report.nodes["catalog"].arrivals.value;
    let orders = report.nodes["orders"].arrivals.value;
    let forwarded = catalog + orders;
    // "buy" always goes to orders; "browse" has no route and alternates over both edges.
    let expected_orders = forwarded * (0.25 + 0.75 / 2.0);
    assert!(
        close(orders, expected_orders, 0.03),
        "{orders} vs {expected_orders}"
    );
    // About 400 rps × 23 ms ≈ 9 in flight on average: the cap of 8 turns many away.
    let rejected = report.nodes["gw"].failures.queue_full.value;
    assert!(rejected > 0.1 * report.overall.arrivals.value, "{rejected}");
    assert_eq!(report.overall.failures.queue_full.value, rejected);
    assert!(report.nodes["gw"].mean_in_flight.value <= 8.0);
}

/// Regression: nodes that only pass requests on (gateways, balancers, caches on a miss) counted
/// no successes, so their mean residence time came out as 0 while their p99 was right.
#[test]
fn pass_through_nodes_report_their_successes_and_mean_latency() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 200 } } } },
          { "id": "gw", "kind": "api_gateway", "params": {
               "overhead": { "type": "constant", "ms": 1 } } },
          { "id": "lb", "kind": "load_balancer" },
          { "id": "s1", "kind": "service", "params": { "workers": 50 } },
          { "id": "s2", "kind": "service", "params": { "workers": 50 } } ],
        "edges": [ { "id": "c-gw", "from": "c", "to": "gw" },
                   { "id": "gw-lb", "from": "gw", "to": "lb" },
                   { "id": "lb-s1", "from": "lb", "to": "s1" },
                   { "id": "lb-s2", "from": "lb", "to": "s2" } ],
        "run": { "duration_ms": 30000, "warmup_ms": 1000 } }"#,
    );
    let report = go(&design);
    let seconds = (design.run.duration_ms - design.run.warmup_ms) / 1000.0;
    for id in ["gw", "lb"] {
        let node = &report.nodes[id];
        let succeeded = node.completions.value - node.failures.total();
        assert!(succeeded > 0.9 * node.arrivals.value, "{id}: {succeeded}");
        // Downstream: 1 ms hop there and back to each service plus its ~20 ms of work.
        let mean = node.latency.mean_ms.value;
        assert!(
            mean > 20.0 && mean < node.latency.p99_ms.value,
            "{id}: mean {mean} ms"
        );
        // Little's law ties the mean to the time-average number in the node.
        let lambda_w = succeeded / seconds * mean / 1000.0;
        let l = node.mean_in_flight.value;
        assert!(close(l, lambda_w, 0.02), "{id}: L = {l}, λW = {lambda_w}");
    }
}

#[test]
fn slowdown_and_latency_faults_stretch_service_time() {
    // One worker: its busy fraction at the start of service is always 1, so the slow-down
    // multiplier is 1 + factor. Light load keeps queueing negligible.
    let constant = |extra: &str| {
        client_to_service(
            1.0,
            &format!(
                r#"{{ "workers": 1, "service_time": {{ "type": "constant", "ms": 10 }} {extra} }}"#
            ),
            r#"{ "latency": { "type": "constant", "ms": 0 } }"#,
            "[]",
            r#"{ "duration_ms": 200000, "warmup_ms": 0 }"#,
        )
    };
    let plain = go(&constant(""));
    let slowed = go(&constant(r#", "slowdown": { "knee": 0.5, "factor": 2.0 }"#));
    let p = plain.overall.latency.p50_ms.value;
    let s = slowed.overall.latency.p50_ms.value;
    assert!(close(p, 10.0, 0.002), "{p}");
    assert!(close(s, 30.0, 0.002), "{s}");

    let mut faulted = constant("");
    faulted.faults = parse(
        r#"{ "version": 1, "faults": [
            { "target": "s", "at_ms": 0, "duration_ms": 100000, "effect": { "type": "latency", "extra_ms": 5 } },
            { "target": "s", "at_ms": 100000, "duration_ms": 100000, "effect": { "type": "slowdown", "factor": 3 } } ] }"#,
    )
    .faults;
    let report = go(&faulted);
    // Buckets without a completed request report 0; every other one shows its fault.
    let series = &report.series.p50_ms;
    let half = series.len() / 2;
    let busy = |xs: &[f64]| xs.iter().copied().filter(|&x| x > 0.0).collect::<Vec<_>>();
    let (first, second) = (busy(&series[1..half - 1]), busy(&series[half + 1..]));
    assert!(first.len() > 30 && second.len() > 30);
    assert!(first.iter().all(|&x| close(x, 15.0, 0.01)), "{series:?}");
    assert!(second.iter().all(|&x| close(x, 30.0, 0.01)), "{series:?}");
}

#[test]
fn node_failures_count_where_they_happen_and_clients_see_them_all() {
    // c → front → back; back fails every request; front's call to it also times out sometimes.
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
               "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 100 } } } },
          { "id": "front", "kind": "service", "params": { "workers": 50,
               "service_time": { "type": "constant", "ms": 1 } } },
          { "id": "back", "kind": "service", "params": { "workers": 50, "error_rate": 0.5,
               "service_time": { "type": "uniform", "min_ms": 0, "max_ms": 20 } } } ],
        "edges": [ { "id": "c-front", "from": "c", "to": "front" },
                   { "id": "front-back", "from": "front", "to": "back", "params": { "timeout_ms": 12 } } ],
        "run": { "duration_ms": 20000, "warmup_ms": 1000 } }"#,
    );
    let report = go(&design);
    let (front, back) = (&report.nodes["front"], &report.nodes["back"]);
    // Errors happen at back; front only passes them on.
    assert!(back.failures.error.value > 0.0);
    assert_eq!(front.failures.error.value, 0.0);
    // Timeouts happen at front, the caller.
    assert!(front.failures.timeout.value > 0.0);
    assert_eq!(back.failures.timeout.value, 0.0);
    // Front finished every request, with any outcome.
    assert!(front.completions.value > front.failures.total() + back.failures.error.value * 0.5);
    // The client saw every failure.
    let client = &report.nodes["c"];
    assert_eq!(client.failures, report.overall.failures);
    assert_eq!(
        report.overall.failures.error.value + report.overall.failures.timeout.value,
        report.overall.completed.value - report.overall.succeeded.value
    );
}

/// Every per-bucket series adds up to the whole-run figure it breaks down, for each example
/// (no warm-up, one replication, so the summary covers exactly the buckets).
#[test]
fn series_add_up_to_the_whole_run_figures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("examples folder") {
        let path = entry.expect("entry").path();
        let mut design = parse(&std::fs::read_to_string(&path).expect("example"));
        design.run.duration_ms = design.run.duration_ms.min(5_000.0);
        design.run.warmup_ms = 0.0;
        design.run.replications = 1;
        let report = go(&design);
        let s = &report.series;
        let total = |v: &[u64]| v.iter().sum::<u64>() as f64;
        assert_eq!(s.p95_ms.len(), s.t_ms.len());
        // The whole run's latency histogram counts every request that succeeded (all of the
        // completed ones when none failed), and each percentile of the report lies in the
        // bucket where the histogram's own cumulative count reaches it.
        let h = &report.latency_histogram;
        assert_eq!(
            h.total() as f64,
            report.overall.succeeded.value,
            "{path:?} histogram"
        );
        if report.overall.failures.total() == 0.0 {
            assert_eq!(h.total() as f64, report.overall.completed.value);
        }
        let l = &report.overall.latency;
        for (q, value) in [
            (0.5, l.p50_ms.value),
            (0.95, l.p95_ms.value),
            (0.99, l.p99_ms.value),
        ] {
            if let Some((lower, upper)) = h.quantile_bucket(q) {
                let value = value.max(archsim_model::LatencyHistogram::FLOOR_MS);
                assert!(
                    lower < value && value <= upper,
                    "{path:?} p{q}: {value} ms not in ({lower}, {upper}]"
                );
            }
        }
        for (id, node) in &report.nodes {
            let ns = &s.nodes[id];
            assert_eq!(
                total(&ns.arrivals),
                node.arrivals.value,
                "{path:?} {id} arrivals"
            );
            assert_eq!(
                total(&ns.completions),
                node.completions.value,
                "{path:?} {id}"
            );
            assert_eq!(
                total(&ns.failed),
                node.failures.total(),
                "{path:?} {id} failed"
            );
            if let Some(q) = &node.queue {
                assert_eq!(total(&ns.enqueued), q.enqueued.value);
                assert_eq!(total(&ns.delivered), q.delivered.value);
                assert_eq!(total(&ns.redeliveries), q.redeliveries.value);
                assert_eq!(total(&ns.dead_lettered), q.dead_lettered.value);
            }
            if let Some(l) = &node.rate_limiter {
                assert_eq!(total(&ns.rate_limited), l.rejected.value);
            }
            if let Some(db) = &node.database {
                assert_eq!(ns.shard_queries.len(), db.shard_queries.len());
                for (bucket, shard) in ns.shard_queries.iter().zip(&db.shard_queries) {
                    assert_eq!(total(bucket), shard.value, "{path:?} {id} shard");
                }
            }
            for (i, &mean) in ns.mean_latency_ms.iter().enumerate() {
                assert!(mean.is_finite() && mean >= 0.0, "{path:?} {id} bucket {i}");
            }
        }
        for (id, edge) in &report.edges {
            let es = &s.edges[id];
            assert_eq!(total(&es.attempts), edge.attempts.value, "{path:?} {id}");
            assert_eq!(total(&es.retries), edge.retries.value, "{path:?} {id}");
            assert_eq!(total(&es.timeouts), edge.timeouts.value, "{path:?} {id}");
            assert_eq!(total(&es.short_circuited), edge.short_circuited.value);
            assert!(total(&es.failed) <= total(&es.calls), "{path:?} {id}");
            // A call is sent (an attempt) or refused by its breaker; retries add attempts.
            assert!(
                total(&es.calls)
                    <= total(&es.attempts) - total(&es.retries) + total(&es.short_circuited),
                "{path:?} {id} calls"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} examples found");
}

/// An edge's failed calls are the failures its caller saw from it: all of a crashed callee's
/// calls fail, and none fail when the callee is healthy.
#[test]
fn edge_series_count_failed_calls() {
    let mut design = parse(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/mm1.json"
        ))
        .unwrap(),
    );
    design.run.duration_ms = 4_000.0;
    design.run.warmup_ms = 0.0;
    let healthy = go(&design);
    let edge_id = design.edges[0].id.clone();
    let callee = design.edges[0].to.clone();
    assert!(
        healthy.series.edges[&edge_id]
            .failed
            .iter()
            .all(|&n| n == 0)
    );
    design.faults.push(Fault {
        target: callee,
        at_ms: 0.0,
        duration_ms: 4_000.0,
        effect: FaultEffect::Crash,
    });
    let crashed = go(&design);
    let e = &crashed.series.edges[&edge_id];
    assert!(e.calls.iter().sum::<u64>() > 0);
    assert_eq!(e.failed, e.calls);
}

/// M/M/1 (λ = 0.8/ms, μ = 1/ms): the time in system is exponential with rate μ − λ = 0.2/ms,
/// so its q-quantile is −ln(1 − q) / 0.2 ms. The whole run's latency histogram, pooled over
/// three replications, puts each of those closed-form quantiles in (or next to, for sampling
/// error) the bucket where its cumulative count reaches q, and the report's percentiles (means
/// over the replications) within a bucket's width of it.
#[test]
fn latency_histogram_quantiles_match_the_mm1_closed_form_and_the_report() {
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/designs/mm1.json"
    ))
    .unwrap();
    let mut design = parse_design(&json).unwrap();
    design.run.duration_ms = 100_000.0;
    design.run.warmup_ms = 5_000.0;
    design.run.replications = 3;
    let report = run(&design, &mut |_| {}).unwrap();
    let h = &report.latency_histogram;
    assert_eq!(h.per_decade, archsim_model::LatencyHistogram::PER_DECADE);
    assert_eq!(
        h.total() as f64,
        (report.overall.succeeded.value * 3.0).round()
    );
    // One bucket's width, as a factor.
    let step = 10f64.powf(1.0 / f64::from(h.per_decade));
    let l = &report.overall.latency;
    for (q, reported) in [
        (0.5, l.p50_ms.value),
        (0.95, l.p95_ms.value),
        (0.99, l.p99_ms.value),
    ] {
        let exact = -(1.0_f64 - q).ln() / 0.2;
        let (lower, upper) = h.quantile_bucket(q).unwrap();
        assert!(
            lower / step < exact && exact <= upper * step,
            "p{q}: closed form {exact} ms, histogram bucket ({lower}, {upper}]"
        );
        assert!(
            lower / step < reported && reported <= upper * step,
            "p{q}: report {reported} ms, histogram bucket ({lower}, {upper}]"
        );
    }
    // Compact: latencies from microseconds (no queue) to about 100 ms are under a kilobyte.
    let json_bytes: usize = h.counts.iter().map(|c| c.to_string().len() + 1).sum();
    assert!(json_bytes < 1_024, "{json_bytes} bytes: {:?}", h.counts);
}

//! The report's `faults` list: what each fault of the timeline did, counted where it acts.
//! Expected values are the fault's own parameters (a burst's N, a cut's share of the workers,
//! a latency's extra) or counters the engine keeps apart from the faults (an edge's attempts,
//! a node's failures by cause), never an earlier run's output.

mod common;

use archsim_model::report::Report;
use archsim_model::{Estimate, FaultReport};
use common::{FAST, RUN_6S, WARM_CACHE_FLUSHED_AT_3S, client_to_service, go, parse};

const EDGE_1MS: &str = r#"{ "latency": { "type": "constant", "ms": 1 }, "timeout_ms": 100 }"#;

/// A client at `rps` → a fast service along a 1 ms edge with a 100 ms timeout, with `faults`
/// (JSON), for 6 s.
fn chain_with(rps: f64, faults: &str) -> Report {
    go(&client_to_service(rps, FAST, EDGE_1MS, faults, RUN_6S))
}

fn only_fault(report: &Report) -> &FaultReport {
    assert_eq!(report.faults.len(), 1, "{:?}", report.faults);
    &report.faults[0]
}

fn value(figure: Option<Estimate>) -> f64 {
    figure.expect("the fault's kind has this figure").value
}

#[test]
fn a_burst_reports_exactly_its_requests_sent() {
    let fault = r#"[ { "target": "c", "at_ms": 3000, "duration_ms": 0,
                      "effect": { "type": "burst", "requests": 500 } } ]"#;
    let report = chain_with(100.0, fault);
    let burst = only_fault(&report);
    assert_eq!(burst.kind, "burst");
    assert_eq!(burst.target, "c");
    assert_eq!((burst.start_ms, burst.end_ms), (3000.0, 3000.0));
    assert_eq!(value(burst.figures.requests_sent), 500.0);
    // Only its kind's figures are there.
    assert!(burst.figures.requests_vanished.is_none());
    assert!(burst.edge.is_none());
}

#[test]
fn a_burst_cut_short_by_the_end_of_the_run_reports_what_it_sent() {
    // 300 requests spread over 3 s from 4.5 s: one every 10 ms; the run ends at 6 s, after 150.
    let fault = r#"[ { "target": "c", "at_ms": 4500, "duration_ms": 3000,
                      "effect": { "type": "burst", "requests": 300 } } ]"#;
    let report = chain_with(100.0, fault);
    let burst = only_fault(&report);
    assert_eq!((burst.start_ms, burst.end_ms), (4500.0, 6000.0));
    assert_eq!(value(burst.figures.requests_sent), 150.0);
}

#[test]
fn a_partition_reports_every_attempt_sent_into_it_as_vanished() {
    let fault = r#"[ { "target": "e", "at_ms": 2000, "duration_ms": 2000,
                      "effect": { "type": "partition" } } ]"#;
    let report = chain_with(200.0, fault);
    let partition = only_fault(&report);
    assert_eq!(partition.kind, "partition");
    let ends = partition
        .edge
        .as_ref()
        .expect("an edge fault names its ends");
    assert_eq!((ends.from.as_str(), ends.to.as_str()), ("c", "s"));
    assert_eq!(partition.place(), "c → s");
    // The window is buckets 2 and 3 exactly: every attempt sent then vanished (the edge's own
    // attempt counter, kept apart from the faults).
    let attempts = &report.series.edges["e"].attempts;
    let sent_inside = (attempts[2] + attempts[3]) as f64;
    assert!(sent_inside > 300.0, "{attempts:?}");
    assert_eq!(value(partition.figures.requests_vanished), sent_inside);
    // Replies vanish only for requests on their way when it began: sent in the 12 ms before
    // 2 s (1 ms there, 10 ms of work, 1 ms back) at 200 a second.
    let replies = value(partition.figures.replies_vanished);
    assert!(replies <= 12.0, "{replies}");
    assert_eq!(value(partition.figures.probes_vanished), 0.0);
}

#[test]
fn extra_latency_on_an_edge_reports_the_trips_it_delayed_and_exactly_its_extra() {
    let edge = r#"{ "latency": { "type": "constant", "ms": 1 } }"#;
    let fault = r#"[ { "target": "e", "at_ms": 0, "duration_ms": 6000,
                      "effect": { "type": "edge_latency", "extra_ms": 20 } } ]"#;
    let report = go(&client_to_service(50.0, FAST, edge, fault, RUN_6S));
    let latency = only_fault(&report);
    // Every trip of the run both ways: each attempt there, and the answer of every request
    // that came back (answers still on the wire at the end were delayed too).
    let attempts = report.edges["e"].attempts.value;
    let completed = report.overall.completed.value;
    let trips = value(latency.figures.trips_delayed);
    assert!(
        trips >= attempts + completed && trips <= 2.0 * attempts,
        "{trips} trips, {attempts} attempts, {completed} completed"
    );
    assert_eq!(value(latency.figures.mean_added_ms), 20.0);
}

#[test]
fn jitter_adds_its_mean_to_the_reported_delay() {
    let edge = r#"{ "latency": { "type": "constant", "ms": 1 } }"#;
    let fault = r#"[ { "target": "e", "at_ms": 0, "duration_ms": 6000,
                      "effect": { "type": "edge_latency", "extra_ms": 20, "jitter_ms": 10 } } ]"#;
    let report = go(&client_to_service(200.0, FAST, edge, fault, RUN_6S));
    let latency = only_fault(&report);
    // About 2,400 uniform draws on [0, 10]: their mean is 5 ± 0.06 (one σ).
    let mean = value(latency.figures.mean_added_ms);
    assert!((mean - 25.0).abs() < 0.3, "{mean}");
    // The clients saw the same: 2 × 1 ms + 10 ms + 2 × the added delay.
    let seen = report.overall.latency.mean_ms.value;
    assert!((seen - (12.0 + 2.0 * mean)).abs() < 0.3, "{seen} vs {mean}");
}

#[test]
fn a_cache_flush_reports_the_entries_of_the_warm_cache() {
    // 50 keys read at 500 a second: the cache holds all 50 long before the flush at 3 s.
    let report = go(&parse(WARM_CACHE_FLUSHED_AT_3S));
    let flush = only_fault(&report);
    assert_eq!(flush.kind, "cache_flush");
    assert_eq!(value(flush.figures.entries_flushed), 50.0);
}

#[test]
fn a_worker_cut_of_half_of_eight_workers_reports_four_removed() {
    let service = r#"{ "workers": 8, "service_time": { "type": "constant", "ms": 10 } }"#;
    let fault = r#"[ { "target": "s", "at_ms": 2000, "duration_ms": 2000,
                      "effect": { "type": "worker_cut", "fraction": 0.5 } } ]"#;
    let report = go(&client_to_service(100.0, service, EDGE_1MS, fault, RUN_6S));
    let cut = only_fault(&report);
    assert_eq!(value(cut.figures.workers_removed), 4.0);
    assert_eq!(value(cut.figures.workers_before), 8.0);
    assert_eq!(
        cut.outcome(|x| format!("{}", x.value), |x| format!("{} ms", x.value)),
        "4 of 8 workers removed"
    );
}

#[test]
fn a_second_overlapping_cut_reports_only_the_workers_it_took() {
    // 0.5 of 8 leaves 4; another 0.5 of what is left ("1 − Π(1 − f)" = 0.75 cut) takes 2 more.
    let service = r#"{ "workers": 8, "service_time": { "type": "constant", "ms": 10 } }"#;
    let faults = r#"[ { "target": "s", "at_ms": 1000, "duration_ms": 3000,
                       "effect": { "type": "worker_cut", "fraction": 0.5 } },
                     { "target": "s", "at_ms": 2000, "duration_ms": 1000,
                       "effect": { "type": "worker_cut", "fraction": 0.5 } } ]"#;
    let report = go(&client_to_service(100.0, service, EDGE_1MS, faults, RUN_6S));
    assert_eq!(value(report.faults[0].figures.workers_removed), 4.0);
    assert_eq!(value(report.faults[1].figures.workers_removed), 2.0);
}

#[test]
fn a_crash_reports_the_requests_that_failed_at_the_node_while_it_was_down() {
    let fault = r#"[ { "target": "s", "at_ms": 2000, "duration_ms": 1000,
                      "effect": { "type": "crash" } } ]"#;
    let report = chain_with(200.0, fault);
    let crash = only_fault(&report);
    // No warm-up and no other fault: every node_down failure of the service is this crash's.
    let node_down = report.nodes["s"].failures.node_down.value;
    assert!(node_down > 150.0, "{node_down}");
    assert_eq!(value(crash.figures.requests_failed), node_down);
}

#[test]
fn an_error_rate_fault_reports_the_errors_it_injected() {
    let fault = r#"[ { "target": "s", "at_ms": 1000, "duration_ms": 4000,
                      "effect": { "type": "error_rate", "rate": 0.25 } } ]"#;
    let report = chain_with(200.0, fault);
    let errors = only_fault(&report);
    // The service has no error rate of its own: every error is the fault's.
    let node_errors = report.nodes["s"].failures.error.value;
    assert!(node_errors > 100.0, "{node_errors}");
    assert_eq!(value(errors.figures.errors_injected), node_errors);
    // About a quarter of the 800 requests of its 4 s.
    assert!((node_errors - 200.0).abs() < 60.0, "{node_errors}");
}

#[test]
fn only_the_faults_share_of_the_error_rate_counts_as_injected() {
    let service = r#"{ "workers": 64, "error_rate": 0.25,
                      "service_time": { "type": "constant", "ms": 10 } }"#;
    let fault = r#"[ { "target": "s", "at_ms": 0, "duration_ms": 6000,
                      "effect": { "type": "error_rate", "rate": 0.25 } } ]"#;
    let report = go(&client_to_service(500.0, service, EDGE_1MS, fault, RUN_6S));
    let injected = value(only_fault(&report).figures.errors_injected);
    let all = report.nodes["s"].failures.error.value;
    // Half of the errors (0.25 of 0.5): 3,000 requests, 1,500 errors, σ of the split ≈ 19.
    assert!((injected / all - 0.5).abs() < 0.05, "{injected} of {all}");
}

#[test]
fn a_latency_and_a_slowdown_report_the_requests_they_touched() {
    let faults = r#"[ { "target": "s", "at_ms": 0, "duration_ms": 6000,
                       "effect": { "type": "latency", "extra_ms": 5 } },
                     { "target": "s", "at_ms": 3000, "duration_ms": 3000,
                       "effect": { "type": "slowdown", "factor": 2 } } ]"#;
    let report = chain_with(100.0, faults);
    let arrivals = report.nodes["s"].arrivals.value;
    let completions = report.nodes["s"].completions.value;
    // The latency lasts the whole run: every request the service began.
    let delayed = value(report.faults[0].figures.requests_delayed);
    assert!(
        delayed >= completions && delayed <= arrivals,
        "{delayed}: {completions}..{arrivals}"
    );
    // The slow-down the second half: those that arrived then, give or take the last few.
    let late: u64 = report.series.nodes["s"].arrivals[3..].iter().sum();
    let slowed = value(report.faults[1].figures.requests_slowed);
    assert!(
        slowed <= late as f64 && slowed >= late as f64 - 5.0,
        "{slowed} of {late}"
    );
}

#[test]
fn a_fault_after_the_end_of_the_run_is_listed_with_nothing_done() {
    let fault = r#"[ { "target": "e", "at_ms": 9000, "duration_ms": 1000,
                      "effect": { "type": "partition" } } ]"#;
    let report = chain_with(100.0, fault);
    let partition = only_fault(&report);
    assert_eq!((partition.start_ms, partition.end_ms), (6000.0, 6000.0));
    assert_eq!(value(partition.figures.requests_vanished), 0.0);
}

#[test]
fn replications_average_the_figures_with_their_interval() {
    let fault = r#"[ { "target": "c", "at_ms": 1000, "duration_ms": 0,
                      "effect": { "type": "burst", "requests": 300 } },
                     { "target": "e", "at_ms": 2000, "duration_ms": 1000,
                      "effect": { "type": "partition" } } ]"#;
    let run = r#"{ "duration_ms": 4000, "warmup_ms": 0, "bucket_ms": 1000, "replications": 3 }"#;
    let report = go(&client_to_service(100.0, FAST, EDGE_1MS, fault, run));
    // The same 300 in every replication: a mean of 300 with no spread.
    let sent = report.faults[0].figures.requests_sent.unwrap();
    assert_eq!(sent.value, 300.0);
    assert_eq!(sent.ci95, Some(0.0));
    // Poisson traffic differs between replications: an interval around about 100.
    let vanished = report.faults[1].figures.requests_vanished.unwrap();
    assert!((vanished.value - 100.0).abs() < 40.0, "{vanished:?}");
    assert!(vanished.ci95.is_some_and(|ci| ci > 0.0), "{vanished:?}");
}

#[test]
fn the_faults_timeline_template_reports_what_each_of_its_faults_did() {
    let report = go(&parse(include_str!(
        "../../../examples/faults-timeline.json"
    )));
    let [latency, partition, burst, cut] = report.faults.as_slice() else {
        panic!("four faults: {:?}", report.faults)
    };
    // The slow link: every trip of its 10 s both ways (about 100 calls a second), by 20 ms
    // plus half its 10 ms jitter on average.
    let trips = value(latency.figures.trips_delayed);
    assert!((trips - 2_000.0).abs() < 300.0, "{trips}");
    let added = value(latency.figures.mean_added_ms);
    assert!((added - 25.0).abs() < 0.5, "{added}");
    // The partition: every call the API sent down the link in its 10 s (buckets 30..40).
    let attempts: u64 = report.series.edges["api-to-db"].attempts[30..40]
        .iter()
        .sum();
    assert!(attempts > 0);
    assert_eq!(value(partition.figures.requests_vanished), attempts as f64);
    assert_eq!(partition.place(), "api → db");
    // The herd: exactly its 2,000 requests. The neighbour: 7 of the API's 8 workers.
    assert_eq!(value(burst.figures.requests_sent), 2_000.0);
    assert_eq!(value(cut.figures.workers_removed), 7.0);
    assert_eq!(value(cut.figures.workers_before), 8.0);
}

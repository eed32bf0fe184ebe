//! The faults of the overload issue's timeline, through the whole engine: an edge partition
//! (the caller sees only timeouts), extra latency on an edge, a cache flush, a worker cut and
//! a burst of exactly N requests. Expected values are closed forms of constant-time designs,
//! and of the examples that show them.

mod common;

use archsim_model::Report;
use common::{FAST, RUN_6S, WARM_CACHE_FLUSHED_AT_3S, client_to_service, go, parse};

#[test]
fn a_partitioned_edge_delivers_nothing_and_its_caller_sees_only_timeouts() {
    let report = go(&client_to_service(
        200.0,
        FAST,
        r#"{ "latency": { "type": "constant", "ms": 1 }, "timeout_ms": 100 }"#,
        r#"[ { "target": "e", "at_ms": 2000, "duration_ms": 2000, "effect": { "type": "partition" } } ]"#,
        RUN_6S,
    ));
    let s = &report.series;
    let service = &s.nodes["s"];
    // Buckets 2 and 3 are inside the partition: nothing sent reaches the service (but what
    // was already on the wire at 2 s, sent less than 1 ms before), and every request sent
    // fails by timeout (the last 100 ms of bucket 3's sends time out in bucket 4).
    assert!(service.arrivals[2] <= 2, "{:?}", service.arrivals);
    assert_eq!(service.arrivals[3], 0);
    assert!(
        s.succeeded[2] <= 2 && s.succeeded[3] == 0,
        "{:?}",
        s.succeeded
    );
    let timeouts = &s.failed_by_cause["timeout"];
    assert!(timeouts[2] > 150 && timeouts[3] > 150, "{timeouts:?}");
    // Every failure is a timeout: no other cause appears.
    let failed: u64 = s.failed.iter().sum();
    assert_eq!(failed, timeouts.iter().sum::<u64>());
    // Before and after, everything gets through.
    for bucket in [0, 1, 5] {
        assert_eq!(s.failed[bucket], 0, "bucket {bucket}");
        assert!(service.arrivals[bucket] > 150);
    }
}

#[test]
fn extra_latency_on_an_edge_is_added_there_and_back() {
    // Constant 1 ms each way and 10 ms of service: 12 ms; +20 ms on the edge both ways: 52 ms.
    let edge = r#"{ "latency": { "type": "constant", "ms": 1 } }"#;
    let fault = r#"[ { "target": "e", "at_ms": 0, "duration_ms": 6000,
                      "effect": { "type": "edge_latency", "extra_ms": 20 } } ]"#;
    let report = go(&client_to_service(50.0, FAST, edge, fault, RUN_6S));
    let mean = report.overall.latency.mean_ms.value;
    assert!((mean - 52.0).abs() < 1e-6, "mean {mean}");
    // With a jitter of 10 ms each way the mean grows by its mean, 5 ms each way.
    let fault = r#"[ { "target": "e", "at_ms": 0, "duration_ms": 6000,
                      "effect": { "type": "edge_latency", "extra_ms": 20, "jitter_ms": 10 } } ]"#;
    let report = go(&client_to_service(200.0, FAST, edge, fault, RUN_6S));
    let mean = report.overall.latency.mean_ms.value;
    assert!((mean - 62.0).abs() < 0.5, "mean {mean}");
    assert!(report.overall.latency.max_ms.value <= 72.0 + 1e-6);
}

#[test]
fn a_worker_cut_halves_the_throughput_of_a_saturated_service() {
    // 4 workers × 100 ms: 40 a second; half cut from 2 s to 4 s: 20 a second, then 40 again.
    let service = r#"{ "workers": 4, "queue_capacity": 100000,
                      "service_time": { "type": "constant", "ms": 100 } }"#;
    let fault = r#"[ { "target": "s", "at_ms": 2000, "duration_ms": 2000,
                      "effect": { "type": "worker_cut", "fraction": 0.5 } } ]"#;
    let report = go(&client_to_service(
        200.0,
        service,
        r#"{ "latency": { "type": "constant", "ms": 0 } }"#,
        fault,
        RUN_6S,
    ));
    let done = &report.series.nodes["s"].completions;
    assert_eq!(done[1], 40, "{done:?}");
    // The two cut workers finish what they hold (at 2.0 s) and take nothing new.
    assert_eq!(done[3], 20, "{done:?}");
    assert_eq!(done[5], 40, "{done:?}");
    // The workers left are busy all the time: the node stays fully busy through the cut.
    let busy = &report.series.nodes["s"].utilisation;
    for (bucket, share) in busy.iter().enumerate().skip(1) {
        assert!((share - 1.0).abs() < 1e-9, "bucket {bucket}: {busy:?}");
    }
}

/// Utilisation under a worker cut is the busy share of the workers left, as a person reading
/// "busy" expects of a node a noisy neighbour starves: busy worker-time over the worker-time
/// there was. 10 requests a second of 100 ms each keep one worker busy on average.
#[test]
fn a_worker_cut_leaves_utilisation_the_busy_share_of_the_workers_left() {
    let service = r#"{ "workers": 4, "queue_capacity": 100000,
                      "service_time": { "type": "constant", "ms": 100 } }"#;
    let run = r#"{ "duration_ms": 60000, "warmup_ms": 0, "bucket_ms": 10000 }"#;
    let edge = r#"{ "latency": { "type": "constant", "ms": 0 } }"#;
    // Busy worker-seconds over the run: 100 ms per request served (less the few in service at
    // the end), over the worker-seconds left by a cut of half the workers during `cut`.
    let cases = [
        ("no cut", "[]", 4.0 * 60.0),
        (
            "half the workers, the whole run",
            r#"[ { "target": "s", "at_ms": 0, "duration_ms": 60000,
                   "effect": { "type": "worker_cut", "fraction": 0.5 } } ]"#,
            2.0 * 60.0,
        ),
        (
            "half the workers, the second half of the run",
            r#"[ { "target": "s", "at_ms": 30000, "duration_ms": 30000,
                   "effect": { "type": "worker_cut", "fraction": 0.5 } } ]"#,
            4.0 * 30.0 + 2.0 * 30.0,
        ),
    ];
    for (what, fault, worker_seconds) in cases {
        let report = go(&client_to_service(10.0, service, edge, fault, run));
        let node = &report.nodes["s"];
        let busy_seconds = node.completions.value * 0.1;
        let expected = busy_seconds / worker_seconds;
        assert!(
            (node.utilisation.value - expected).abs() < 0.002,
            "{what}: utilisation {} against {expected}",
            node.utilisation.value
        );
        // The buckets of the second half: the workers left are twice as busy when cut.
        let last = *report.series.nodes["s"].utilisation.last().unwrap();
        let served = *report.series.nodes["s"].completions.last().unwrap() as f64 * 0.1;
        let left = if fault == "[]" { 4.0 } else { 2.0 };
        assert!(
            (last - served / (left * 10.0)).abs() < 0.01,
            "{what}: last bucket {last}"
        );
    }
}

/// The client's arrivals per second without and with a burst of `requests` at `at_ms` spread
/// over `duration_ms`, and the run with the burst.
fn arrivals_without_and_with_burst(
    at_ms: u32,
    duration_ms: u32,
    requests: u32,
) -> (Vec<u64>, Vec<u64>, Report) {
    let edge = r#"{ "latency": { "type": "constant", "ms": 1 } }"#;
    let plain = go(&client_to_service(100.0, FAST, edge, "[]", RUN_6S));
    let burst = go(&client_to_service(
        100.0,
        FAST,
        edge,
        &format!(
            r#"[ {{ "target": "c", "at_ms": {at_ms}, "duration_ms": {duration_ms},
                   "effect": {{ "type": "burst", "requests": {requests} }} }} ]"#
        ),
        RUN_6S,
    ));
    (
        plain.series.nodes["c"].arrivals.clone(),
        burst.series.nodes["c"].arrivals.clone(),
        burst,
    )
}

#[test]
fn a_burst_adds_exactly_its_requests_and_shifts_no_other_draw() {
    let (a, b, burst) = arrivals_without_and_with_burst(3000, 0, 500);
    for bucket in 0..6 {
        let extra = if bucket == 3 { 500 } else { 0 };
        assert_eq!(b[bucket], a[bucket] + extra, "bucket {bucket}");
    }
    // All 500 at the same instant on a service of 64 workers: they queue; the regular
    // traffic's arrival times are untouched (common random numbers).
    assert!(burst.series.nodes["s"].queue_length[3] > 0.0);
}

#[test]
fn a_burst_spread_over_its_duration_sends_evenly() {
    let (a, b, _) = arrivals_without_and_with_burst(1000, 2000, 300);
    assert_eq!(b[1], a[1] + 150);
    assert_eq!(b[2], a[2] + 150);
    assert_eq!(b[3], a[3]);
}

#[test]
fn a_cache_flush_empties_the_cache_without_taking_it_down() {
    // 50 keys, a cache that holds them all in front of a database: warm after a few hundred
    // requests, then a flush at 3 s makes the next request of every key a miss again.
    let design = parse(WARM_CACHE_FLUSHED_AT_3S);
    let report = go(&design);
    let db = &report.series.nodes["db"].arrivals;
    // Bucket 2: warm, no miss; bucket 3: each of the 50 keys misses once more (requests for a
    // key already being fetched may wait on it or miss too, so at least 50).
    assert_eq!(db[2], 0, "{db:?}");
    assert!(db[3] >= 50, "{db:?}");
    assert_eq!(db[5], 0, "{db:?}");
    // Not a crash: nothing failed.
    assert_eq!(report.series.failed.iter().sum::<u64>(), 0);
}

/// Mean of `values[from..to]`.
fn mean_of(values: &[f64], from: usize, to: usize) -> f64 {
    values[from..to].iter().sum::<f64>() / (to - from) as f64
}

#[test]
fn faults_timeline_example_shows_each_fault_as_its_closed_form_predicts() {
    let report = go(&parse(include_str!(
        "../../../examples/faults-timeline.json"
    )));
    let s = &report.series;
    let show = |what: &str| format!("{what}: succeeded {:?}\nfailed {:?}", s.succeeded, s.failed);
    // 10–20 s, the API → database link takes 20 ms + U[0, 10] ms longer each way: a request's
    // mean latency grows by at least the 50 ms the two trips add (more only by queueing).
    let latency = &s.nodes["clients"].mean_latency_ms;
    let added = mean_of(latency, 11, 20) - mean_of(latency, 1, 10);
    assert!(
        (45.0..90.0).contains(&added),
        "{added} ms added: {latency:?}"
    );
    // 30–40 s, the link is partitioned: nothing succeeds, and the API's 8 workers each wait
    // out one 500 ms timeout at a time, so the edge times out 8 / 0.5 s = 16 calls a second.
    assert!(
        s.succeeded[31..40].iter().all(|&n| n == 0),
        "{}",
        show("partition")
    );
    let edge_timeouts = &s.edges["api-to-db"].timeouts;
    for bucket in 35..40 {
        assert!(
            (15..=17).contains(&edge_timeouts[bucket]),
            "bucket {bucket}: {edge_timeouts:?}"
        );
    }
    // At 50 s, 2,000 requests at one instant: the free workers (8, less the odd busy one)
    // and the 100 places in line take 108 of them, the rest are refused at once.
    let refused = s.failed_by_cause["queue_full"][50];
    assert!(
        (1885..=1895).contains(&refused),
        "{refused} refused at the burst"
    );
    // 65–80 s, one worker of 8 is left: it serves one request per 10 ms of work plus a 1 ms
    // trip each way and a 5 ms read, about 1000 / 17 = 58.8 a second, and the rest is refused.
    let served = s.succeeded[68..80].iter().sum::<u64>() as f64 / 12.0;
    assert!(
        (53.0..65.0).contains(&served),
        "{}",
        show(&format!("{served}/s with one worker"))
    );
    assert!(
        s.failed_by_cause["queue_full"][68..80]
            .iter()
            .all(|&n| n > 10)
    );
    // Between the faults everything succeeds.
    for quiet in [1..10, 22..30, 42..50, 52..65, 82..90] {
        assert!(
            s.failed[quiet.clone()].iter().all(|&n| n == 0),
            "{}",
            show(&format!("{quiet:?}"))
        );
    }
}

/// The database's mean utilisation and its failures, plus the run's failures, over buckets
/// `from..to` of an example's first replication.
fn database_after(report: &archsim_model::report::Report, from: usize, to: usize) -> (f64, u64) {
    let db = &report.series.nodes["db"];
    let utilisation = db.utilisation[from..to].iter().sum::<f64>() / (to - from) as f64;
    let failed = report.series.failed[from..to].iter().sum::<u64>();
    (utilisation, failed)
}

#[test]
fn cache_flush_example_saturates_the_database_and_coalescing_cures_it() {
    let plain = go(&parse(include_str!(
        "../../../examples/cache-flush-overload.json"
    )));
    let cured = go(&parse(include_str!(
        "../../../examples/cache-flush-coalescing.json"
    )));
    let show = |r: &archsim_model::report::Report| {
        format!(
            "utilisation {:?}\nfailed {:?}",
            r.series.nodes["db"].utilisation, r.series.failed
        )
    };
    // The flush is at 20 s (bucket 20). Before it, the warm cache leaves the database nearly
    // idle (the odd first read of a rare key) and nothing fails.
    let (before, failed_before) = database_after(&plain, 10, 20);
    assert!(before < 0.05, "{}", show(&plain));
    assert_eq!(failed_before, 0);
    // In the three seconds after it the database is saturated and users give up by hundreds.
    let (after, failed_after) = database_after(&plain, 20, 23);
    assert!(after > 0.95, "{}", show(&plain));
    assert!(failed_after > 300, "{}", show(&plain));
    // With coalescing the same flush costs one read per key: a shorter busy spell, no failure.
    let (cured_after, cured_failed) = database_after(&cured, 20, 23);
    assert_eq!(cured_failed, 0, "{}", show(&cured));
    assert!(cured_after < 0.8, "{}", show(&cured));
    assert_eq!(cured.series.failed.iter().sum::<u64>(), 0);
}

//! A queue consumed as Amazon SQS (a visibility timeout): redelivery after the timeout,
//! duplicates, failed deliveries waiting out the timeout, the receive count's dead-lettering —
//! each against its closed form.

mod common;

use archsim_model::design::*;
use archsim_model::report::Report;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

/// 20 messages a second into an SQS-like queue with `timeout_ms`, many consumers, a worker
/// taking `work_ms` exactly (no network latency), 60 s.
fn sqs(timeout_ms: f64, work_ms: f64, max_deliveries: u32) -> Design {
    design(
        vec![
            client("p", 20.0),
            Node {
                id: "q".into(),
                label: "q".into(),
                position: Position::default(),
                spec: NodeKind::Queue(QueueParams {
                    consumers: 1_000,
                    max_deliveries,
                    visibility_timeout_ms: Some(timeout_ms),
                    ..QueueParams::default()
                }),
            },
            service("w", 1_000, 0, Distribution::Constant { ms: work_ms }),
        ],
        vec![edge("p", "q"), edge("q", "w")],
        60_000.0,
        0.0,
    )
}

fn queue_figures(report: &Report) -> (f64, f64, f64, f64) {
    let q = report.nodes["q"].queue.clone().unwrap();
    (
        q.enqueued.value,
        q.delivered.value,
        q.duplicates.unwrap().value,
        q.visible_again.unwrap().value,
    )
}

#[test]
fn a_delivery_slower_than_the_timeout_is_received_ceil_work_over_timeout_times() {
    // Received at 0, T, 2T, … while not yet deleted: ⌈P/T⌉ receives, all of which succeed,
    // so ⌈P/T⌉ − 1 duplicates per message. Counted after a warm-up, in the steady state: the
    // rates match, up to the messages whose receives straddle the window's ends (≈ 1 s of them).
    for (work, receives) in [(300.0, 2.0), (500.0, 3.0), (150.0, 1.0)] {
        let mut d = sqs(200.0, work, 10);
        d.run.warmup_ms = 10_000.0;
        let report = go(&d);
        let (enqueued, delivered, duplicates, again) = queue_figures(&report);
        let within =
            |actual: f64, expected: f64| (actual - expected).abs() <= 0.03 * expected + 2.0;
        assert!(
            within(delivered, receives * enqueued),
            "P = {work}: {delivered} of {enqueued}"
        );
        assert!(
            within(again, (receives - 1.0) * enqueued),
            "P = {work}: {again}"
        );
        assert!(
            within(duplicates, (receives - 1.0) * enqueued),
            "P = {work}: {duplicates} duplicates of {enqueued}"
        );
    }
}

#[test]
fn a_failed_delivery_waits_out_the_timeout_and_max_deliveries_receives_dead_letter_it() {
    // Every delivery fails at once; each message is received again only when its 1 s timeout
    // ends, 3 times, and its 4th receive dead-letters it: it spends 3 s in the queue, so by
    // Little's law 20/s × 3 s = 60 messages are there on average.
    let mut d = sqs(1_000.0, 1.0, 3);
    let NodeKind::Service(w) = &mut d.nodes[2].spec else {
        unreachable!()
    };
    w.error_rate = 1.0;
    d.run.warmup_ms = 10_000.0;
    let report = go(&d);
    let q = report.nodes["q"].queue.clone().unwrap();
    // (Counts in the 50 s measured: within 5 %, as the arrivals themselves are Poisson.)
    assert!(close(q.dead_lettered.value, q.enqueued.value, 0.05));
    assert!(close(q.delivered.value, 3.0 * q.enqueued.value, 0.05));
    assert!(close(q.redeliveries.value, 2.0 * q.enqueued.value, 0.05));
    assert!(close(
        q.visible_again.unwrap().value,
        3.0 * q.enqueued.value,
        0.05
    ));
    assert_eq!(q.duplicates.unwrap().value, 0.0);
    let in_queue = report.nodes["q"].mean_in_flight.value;
    assert!(
        close(in_queue, 60.0, 0.05),
        "{in_queue} messages in the queue"
    );
}

/// P(S > t) of a log-normal given by its median and 99th percentile.
fn tail(median_ms: f64, p99_ms: f64, t_ms: f64) -> f64 {
    let sigma = (p99_ms / median_ms).ln() / 2.326_347_874_040_841;
    0.5 * libm::erfc((t_ms / median_ms).ln() / sigma / std::f64::consts::SQRT_2)
}

#[test]
fn the_sqs_example_duplicates_the_messages_whose_processing_outlasts_the_timeout() {
    // Receive k (at k·T) happens when every earlier receive j is still at work then:
    // P = Π_{i=1..k} P(S + 2 ms > i·T) (1 ms each way on the edge), so the duplicates per
    // message are Σ_k of that.
    let report = example("sqs-visibility-timeout");
    let q = report.nodes["orders-queue"].queue.clone().unwrap();
    let mut expected = 0.0;
    let mut product = 1.0;
    for i in 1..20 {
        product *= tail(1_000.0, 8_000.0, i as f64 * 3_000.0 - 2.0);
        expected += product;
    }
    assert!((expected - 0.112).abs() < 0.005, "{expected}");
    let per_message = q.duplicates.unwrap().value / q.enqueued.value;
    assert!(
        close(per_message, expected, 0.12),
        "{per_message} duplicates per message, expected {expected}"
    );
    // On the time series: duplicates in every stretch of the run after the first seconds.
    let series = &report.series.nodes["orders-queue"];
    let later = &series.duplicates[series.duplicates.len() / 3..];
    assert!(later.iter().all(|&n| n > 0), "{later:?}");
}

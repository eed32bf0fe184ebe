//! A queue's backpressure: refusing producers when full, or making them wait.

mod common;

use archsim_model::design::*;
use common::*;

/// 100 rps of messages into a queue of 10 places whose 2 consumers deliver to a worker that
/// manages 20 messages a second.
fn overflowing(backpressure: Backpressure) -> Design {
    let mut d = design(
        vec![
            client("producer", 100.0),
            Node {
                id: "q".into(),
                label: "q".into(),
                position: Position::default(),
                spec: NodeKind::Queue(QueueParams {
                    capacity: 10,
                    consumers: 2,
                    backpressure,
                    ..QueueParams::default()
                }),
            },
            service("worker", 2, 0, Distribution::Constant { ms: 100.0 }),
        ],
        vec![edge("producer", "q"), edge("q", "worker")],
        20_000.0,
        0.0,
    );
    d.run.max_in_flight = 1_000_000;
    d
}

#[test]
fn a_full_queue_refuses_producers_by_default() {
    let report = go(&overflowing(Backpressure::Reject));
    let q = &report.nodes["q"];
    assert!(q.failures.queue_full.value > 1_000.0);
    assert_eq!(q.queue.clone().unwrap().blocked.value, 0.0);
}

#[test]
fn a_blocking_queue_makes_producers_wait_and_loses_nothing() {
    let report = go(&overflowing(Backpressure::Block));
    let q = &report.nodes["q"];
    let queue = q.queue.clone().unwrap();
    assert_eq!(q.failures.total(), 0.0);
    assert!(queue.blocked.value > 1_000.0);
    // Never more than its 10 places waiting.
    assert!(queue.max_depth.value <= 10.0);
    // The producers are paced at the consumers' rate: 20 acknowledged a second.
    assert!(
        close(queue.enqueued.value, 20.0 * 20.0, 0.1),
        "{}",
        queue.enqueued.value
    );
    // and wait: their latency grows to seconds.
    assert!(report.nodes["producer"].latency.mean_ms.value > 1_000.0);
}

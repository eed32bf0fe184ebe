//! Partitioned topics (as Kafka's): keys to partitions, one consumer per partition, order kept,
//! lag per partition; a hot key makes a hot partition.

mod common;

use archsim_engine::policy::partitioner::partition_for_key;
use archsim_model::design::*;
use archsim_model::report::Report;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

/// Each partition's expected share of the messages: the Zipf probabilities of the keys Kafka's
/// default partitioner sends there.
fn zipf_shares(keys: u64, exponent: f64, partitions: u32) -> Vec<f64> {
    let weight = |k: u64| ((k + 1) as f64).powf(-exponent);
    let total: f64 = (0..keys).map(weight).sum();
    let mut shares = vec![0.0; partitions as usize];
    for k in 0..keys {
        shares[partition_for_key(k, partitions) as usize] += weight(k) / total;
    }
    shares
}

#[test]
fn a_hot_key_makes_one_partition_lag_while_the_others_keep_up() {
    let report = example("hot-partition");
    let topic = report.nodes["topic"].queue.clone().unwrap();
    let shares = zipf_shares(1_000, 1.1, 12);
    let messages: Vec<f64> = topic.partition_messages.iter().map(|e| e.value).collect();
    assert_eq!(messages.len(), 12);
    let total: f64 = messages.iter().sum();
    assert!(close(total, topic.enqueued.value, 1e-9));
    // Each partition's messages follow the Zipf mass of its keys (48,000 messages: within 5 %
    // of the share, or 0.3 % of all messages for small partitions).
    for (p, (&m, &share)) in messages.iter().zip(&shares).enumerate() {
        let expected = share * total;
        assert!(
            (m - expected).abs() <= (0.05 * expected).max(0.003 * total),
            "partition {p}: {m} messages, expected {expected}"
        );
    }
    // A consumer delivers one message per 12 ms (1 ms there, 10 ms of work, 1 ms back).
    let capacity = 1_000.0 / 12.0;
    let rate = |p: usize| 400.0 * shares[p];
    let hot = (0..12)
        .max_by(|&a, &b| shares[a].total_cmp(&shares[b]))
        .unwrap();
    assert!(
        rate(hot) > capacity * 1.2,
        "the example's hot partition is overloaded"
    );
    // The hot partition's lag grows at its excess rate: (λ − μ) · t by the end.
    let lag = &report.series.nodes["topic"].partition_lag;
    let late = *lag[hot].last().unwrap() as f64;
    let growth = (rate(hot) - capacity) * 120.0;
    assert!(
        close(late, growth, 0.15),
        "hot partition lag {late}, expected about {growth}"
    );
    // Every other partition's consumer keeps up (utilisation below 0.85): its lag stays small.
    for (p, line) in lag.iter().enumerate() {
        if p != hot {
            assert!(rate(p) < 0.85 * capacity);
            assert!(
                line.iter().rev().take(10).all(|&l| l < 50),
                "partition {p} lags: {line:?}"
            );
        }
    }
}

/// 4 partitions, `consumers` consumers, a worker that records nothing but takes 5 ms.
fn topic(consumers: u32, partitions: u32) -> Design {
    let mut d = design(
        vec![
            client("p", 100.0),
            Node {
                id: "t".into(),
                label: "t".into(),
                position: Position::default(),
                spec: NodeKind::Queue(QueueParams {
                    consumers,
                    partitions: Some(partitions),
                    ..QueueParams::default()
                }),
            },
            service("w", 64, 0, Distribution::Constant { ms: 5.0 }),
        ],
        vec![edge("p", "t"), edge("t", "w")],
        10_000.0,
        0.0,
    );
    let NodeKind::Client(c) = &mut d.nodes[0].spec else {
        unreachable!()
    };
    c.keys.count = 64;
    d
}

#[test]
fn consumers_beyond_the_partition_count_idle() {
    // 6 consumers for 4 partitions: at most 4 deliveries at once, so the worker never has more
    // than 4 busy workers, and 2 consumers never work.
    let report = go(&topic(6, 4));
    let t = &report.nodes["t"];
    assert!(t.failures.total() == 0.0);
    // Utilisation of the 6 consumers: 100 msg/s × 5 ms = 0.5 busy, over 6 consumers.
    assert!(
        close(t.utilisation.value, 0.5 / 6.0, 0.1),
        "{}",
        t.utilisation.value
    );
    assert!(report.nodes["w"].mean_in_flight.value <= 4.0);
}

#[test]
fn a_partition_is_delivered_in_order_one_message_at_a_time() {
    // One consumer for 4 partitions: deliveries are strictly sequential; 100 msg/s × 5 ms
    // keeps it half busy, and the worker never holds two messages at once.
    let report = go(&topic(1, 4));
    let w = &report.nodes["w"];
    assert!(close(report.nodes["t"].utilisation.value, 0.5, 0.1));
    assert!(w.mean_in_flight.value <= 0.5 + 0.05);
    let series = &report.series.nodes["w"];
    assert!(series.in_flight.iter().all(|&x| x <= 1.0 + 1e-9));
}

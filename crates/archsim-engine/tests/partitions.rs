//! Partitioned topics (as Kafka's): keys to partitions, one consumer per partition, order kept,
//! lag per partition; a hot key makes a hot partition.

mod common;

use archsim_model::design::*;
use archsim_model::report::Report;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

#[test]
fn a_hot_key_makes_one_partition_lag_while_the_others_keep_up() {
    let report = example("hot-partition");
    let topic = report.nodes["topic"].queue.clone().unwrap();
    assert_eq!(topic.partition_messages.len(), 8);
    let messages: Vec<f64> = topic.partition_messages.iter().map(|e| e.value).collect();
    let total: f64 = messages.iter().sum();
    assert!(close(total, topic.enqueued.value, 1e-9));
    let (hot, hot_messages) = messages
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    // The hottest key alone is 18 % of the messages: its partition gets well over 1/8.
    assert!(hot_messages > 0.2 * total, "{messages:?}");
    // Its lag climbs through the run; every other partition stays near zero.
    let lag = &report.series.nodes["topic"].partition_lag;
    let third = lag[hot].len() / 3;
    let early = lag[hot][third];
    let late = *lag[hot].last().unwrap();
    assert!(late > 1_000 && late > 2 * early, "hot partition lag {early} then {late}");
    for (p, line) in lag.iter().enumerate() {
        if p != hot {
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
    assert!(close(t.utilisation.value, 0.5 / 6.0, 0.1), "{}", t.utilisation.value);
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

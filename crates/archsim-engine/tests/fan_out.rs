//! Pub/sub fan-out: a topic delivers every message to each subscription (each outgoing edge, a
//! consumer group with its own consumers and lag), checked against conservation and the
//! saturated group's closed-form lag.

mod common;

use archsim_model::design::*;
use archsim_model::report::Report;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

/// 100 messages a second into a topic with 4 consumers per subscription; `fast` takes 5 ms a
/// message (800/s for 4 consumers), `slow` 50 ms (80/s): no network latency, 60 s.
fn topic(fan_out: bool) -> Design {
    design(
        vec![
            client("p", 100.0),
            Node {
                id: "t".into(),
                label: "t".into(),
                position: Position::default(),
                spec: NodeKind::Queue(QueueParams {
                    consumers: 4,
                    capacity: 1_000_000,
                    fan_out,
                    ..QueueParams::default()
                }),
            },
            service("fast", 64, 0, Distribution::Constant { ms: 5.0 }),
            service("slow", 64, 0, Distribution::Constant { ms: 50.0 }),
        ],
        vec![edge("p", "t"), edge("t", "fast"), edge("t", "slow")],
        60_000.0,
        0.0,
    )
}

#[test]
fn every_subscription_gets_every_message_and_a_saturated_one_lags_by_its_excess() {
    let report = go(&topic(true));
    let t = report.nodes["t"].queue.clone().unwrap();
    let enqueued = t.enqueued.value;
    let delivered: Vec<f64> = t.subscription_messages.iter().map(|e| e.value).collect();
    assert_eq!(delivered.len(), 2);
    // The fast group keeps up: every message (the few in flight at the end aside).
    assert!(
        (delivered[0] - enqueued).abs() <= 5.0,
        "{delivered:?} of {enqueued}"
    );
    assert!((report.nodes["fast"].completions.value - delivered[0]).abs() <= 5.0);
    // The slow group is saturated: its 4 consumers deliver one message per 50 ms each.
    assert!(close(delivered[1], 80.0 * 60.0, 0.01), "{delivered:?}");
    // Its lag is every message it has not taken yet: about (100 − 80)/s × 60 s by the end.
    let lag = &report.series.nodes["t"].subscription_lag;
    let (fast, slow) = (*lag[0].last().unwrap(), *lag[1].last().unwrap());
    assert!(fast < 20, "the fast group lags {fast}");
    let expected = enqueued - delivered[1] - 4.0;
    assert!(
        (slow as f64 - expected).abs() <= 5.0,
        "slow lag {slow}, expected {expected}"
    );
    assert!(close(slow as f64, 20.0 * 60.0, 0.15), "slow lag {slow}");
}

#[test]
fn without_fan_out_the_subscriptions_share_the_messages() {
    let report = go(&topic(false));
    let (fast, slow) = (
        report.nodes["fast"].completions.value,
        report.nodes["slow"].completions.value,
    );
    let enqueued = report.nodes["t"].queue.clone().unwrap().enqueued.value;
    // Round robin: half each, every message delivered once.
    assert!((fast + slow - enqueued).abs() <= 10.0);
    assert!(close(fast, enqueued / 2.0, 0.02), "{fast} of {enqueued}");
}

#[test]
fn the_fan_out_example_shows_the_analytics_subscription_falling_behind() {
    let report = example("pubsub-fan-out");
    let lag = &report.series.nodes["orders-topic"].subscription_lag;
    assert_eq!(lag.len(), 2);
    let third = lag[1].len() / 3;
    // Billing keeps up all run; analytics' lag climbs steadily.
    assert!(lag[0].iter().all(|&l| l < 50), "{:?}", lag[0]);
    assert!(lag[1][2 * third] > lag[1][third] && *lag[1].last().unwrap() > lag[1][2 * third]);
    assert!(*lag[1].last().unwrap() > 1_000);
}

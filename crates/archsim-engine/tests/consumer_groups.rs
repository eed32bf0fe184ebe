//! Fan-out combined with the other ways of consuming: a Kafka topic read by several consumer
//! groups (each its own consumers, range assignment, committed offsets and lag per partition),
//! each group scaled on its own lag (KEDA), and SNS fanned out to SQS queues (each
//! subscription its own visibility timeouts). Checked against closed forms: a saturated
//! consumer commits one offset per service time, a slow group's lag grows at (λₚ − μ) · t in
//! each partition, the Kafka scaler never asks for more consumers than partitions.

mod common;

use archsim_engine::policy::partitioner::partition_for_key;
use archsim_model::design::*;
use archsim_model::keda::ConsumerScaling;
use archsim_model::report::Report;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

const KEYS: u64 = 1_000;
const PARTITIONS: u32 = 4;

/// Each partition's share of `keys` uniform keys under Kafka's default partitioner.
fn uniform_shares(keys: u64, partitions: u32) -> Vec<f64> {
    let mut shares = vec![0.0; partitions as usize];
    for k in 0..keys {
        shares[partition_for_key(k, partitions) as usize] += 1.0 / keys as f64;
    }
    shares
}

/// `rps` messages a second, keys uniform over 1,000, into a topic of 4 partitions with fan-out
/// to `fast` (a message takes `fast_ms`) and `slow` (`slow_ms`); no network latency.
fn topic(rps: f64, fast_ms: f64, slow_ms: f64, tweak: impl Fn(&mut QueueParams)) -> Design {
    let mut producer = client("p", rps);
    if let NodeKind::Client(c) = &mut producer.spec {
        c.keys = KeyDistribution {
            count: KEYS,
            popularity: KeyPopularity::Uniform,
        };
    }
    let mut params = QueueParams {
        capacity: 1_000_000,
        consumers: PARTITIONS,
        partitions: Some(PARTITIONS),
        fan_out: true,
        ..QueueParams::default()
    };
    tweak(&mut params);
    design(
        vec![
            producer,
            Node {
                id: "t".into(),
                label: "t".into(),
                position: Position::default(),
                spec: NodeKind::Queue(params),
            },
            service("fast", 64, 0, Distribution::Constant { ms: fast_ms }),
            service("slow", 64, 0, Distribution::Constant { ms: slow_ms }),
        ],
        vec![edge("p", "t"), edge("t", "fast"), edge("t", "slow")],
        120_000.0,
        0.0,
    )
}

fn values(v: &[archsim_model::report::Estimate]) -> Vec<f64> {
    v.iter().map(|e| e.value).collect()
}

fn offsets(v: &[u64]) -> Vec<f64> {
    v.iter().map(|&o| o as f64).collect()
}

#[test]
fn each_group_commits_its_own_offsets_and_a_slow_group_lags_by_its_excess_in_every_partition() {
    // 400/s: about 100 a partition. The fast group's consumers take 5 ms (200/s), the slow
    // group's 20 ms (μ = 50/s): saturated in every partition.
    let report = go(&topic(400.0, 5.0, 20.0, |_| {}));
    let q = report.nodes["t"].queue.clone().unwrap();
    let messages = values(&q.partition_messages);
    assert_eq!(messages.len(), 4);
    assert_eq!(q.group_committed_offsets.len(), 2, "one entry per group");
    let fast = offsets(&q.group_committed_offsets[0]);
    let slow = offsets(&q.group_committed_offsets[1]);
    let shares = uniform_shares(KEYS, PARTITIONS);
    let series = &report.series.nodes["t"];
    assert!(
        series.partition_lag.is_empty(),
        "groups' lags are per group"
    );
    let lag = &series.group_partition_lag;
    assert_eq!((lag.len(), lag[0].len()), (2, 4));
    for p in 0..4 {
        // The fast group has committed every message of the partition but the last few.
        assert!(
            messages[p] - fast[p] <= 5.0,
            "partition {p}: {fast:?} of {messages:?}"
        );
        // A saturated consumer commits one offset per 20 ms: 6,000 in 120 s, less the moments
        // it waited for a message while the backlog was still building, in the first seconds.
        assert!(
            (5_950.0..=6_000.0).contains(&slow[p]),
            "partition {p}: {slow:?}"
        );
        // Its lag is the partition's log end less its committed offset less the one in
        // flight.
        let end = *lag[1][p].last().unwrap() as f64;
        assert!(
            (messages[p] - slow[p] - 1.0 - end).abs() <= 1.0,
            "partition {p}: lag {end}, log end {}, committed {}",
            messages[p],
            slow[p]
        );
        // ... which grows at (λₚ − μ): λₚ from the partition's share of the keys (within
        // four standard deviations of the Poisson count).
        let rate = 400.0 * shares[p];
        let expected = (rate - 50.0) * 120.0;
        let spread = 4.0 * (rate * 120.0).sqrt();
        assert!(
            (end - expected).abs() <= spread,
            "partition {p}: lag {end}, expected {expected} ± {spread}"
        );
        // The fast group never fell behind in it.
        let most = lag[0][p].iter().max().copied().unwrap_or(0);
        assert!(most < 20, "partition {p}: fast group's lag reached {most}");
        assert!(q.group_partition_max_lag[0][p].value < 20.0);
        // The topic's largest lag per partition is the largest of any group's.
        assert_eq!(
            q.partition_max_lag[p].value,
            q.group_partition_max_lag[1][p].value
        );
    }
    // Both groups got every message.
    let delivered = values(&q.subscription_messages);
    assert!((delivered[0] - q.enqueued.value).abs() <= 4.0);
    assert!((delivered[1] - slow.iter().sum::<f64>()).abs() <= 4.0);
}

#[test]
fn each_group_assigns_the_partitions_to_its_own_consumers_by_ranges() {
    // Two consumers per group over four partitions: the range assignor gives consumer 0
    // partitions 0 and 1, consumer 1 partitions 2 and 3. A slow group's consumer delivers 50
    // messages a second for both its partitions together, so the pair's committed offsets add
    // up to 6,000 (50/s × 120 s) while each group still gets every message.
    let report = go(&topic(400.0, 2.0, 20.0, |q| q.consumers = 2));
    let q = report.nodes["t"].queue.clone().unwrap();
    let slow = offsets(&q.group_committed_offsets[1]);
    for pair in [[0, 1], [2, 3]] {
        let committed = slow[pair[0]] + slow[pair[1]];
        assert!(
            (5_950.0..=6_000.0).contains(&committed),
            "partitions {pair:?}: {slow:?}"
        );
    }
    let fast = offsets(&q.group_committed_offsets[0]);
    let messages = values(&q.partition_messages);
    for p in 0..4 {
        assert!(messages[p] - fast[p] <= 5.0, "{fast:?} of {messages:?}");
    }
}

#[test]
fn each_group_is_scaled_on_its_own_lag_and_never_past_the_partition_count() {
    // KEDA's Kafka scaler per group: the fast group (1 ms a message) keeps up with one
    // consumer; the slow one (20 ms) cannot keep up even with a consumer per partition, and
    // with allowIdleConsumers off the scaler caps it at the 4 partitions (its max is 10).
    let scaling = ConsumerScaling {
        min_replicas: 1,
        max_replicas: 10,
        provisioning_delay_ms: 5_000.0,
        ..ConsumerScaling::default()
    };
    let report = go(&topic(400.0, 1.0, 20.0, |q| {
        q.consumers = 1;
        q.consumer_scaling = Some(scaling.clone());
    }));
    let node = &report.nodes["t"];
    assert!(node.autoscaling.is_none(), "a report per group instead");
    let q = node.queue.clone().unwrap();
    assert_eq!(q.group_autoscaling.len(), 2);
    let (fast, slow) = (&q.group_autoscaling[0], &q.group_autoscaling[1]);
    assert_eq!(fast.peak_instances.value, 1.0, "{fast:?}");
    assert_eq!(fast.scale_ups.value, 0.0);
    assert_eq!(slow.peak_instances.value, 4.0, "{slow:?}");
    assert!(slow.events.iter().all(|e| e.to <= 4), "{:?}", slow.events);
    // Over time: the slow group's consumers reach 4 and stay; the fast group's stay at 1
    // (from the first message on: the level is first recorded then).
    let consumers = &report.series.nodes["t"].group_consumers;
    assert_eq!(consumers.len(), 2);
    assert!(
        consumers[0][1..].iter().all(|&c| (c - 1.0).abs() < 1e-9),
        "{:?}",
        consumers[0]
    );
    assert!(
        (consumers[1].last().unwrap() - 4.0).abs() < 1e-9,
        "{:?}",
        consumers[1]
    );
    // The time-average agrees with the series.
    let mean = consumers[1].iter().sum::<f64>() / consumers[1].len() as f64;
    assert!((slow.mean_instances.value - mean).abs() < 1e-6);
}

#[test]
fn sns_fanned_out_to_sqs_gives_each_subscription_its_own_visibility_timeouts() {
    // 20 messages a second, 64 consumers per subscription (never all busy), a 200 ms
    // visibility timeout. The fast subscription deletes each message in 5 ms: received once.
    // The slow one takes 300 ms: each message is visible again at 200 ms, received by a second
    // consumer, deleted by the first at 300 ms, then processed again by the second — exactly
    // one duplicate per message. (The last messages are still in flight at the end, up to
    // 800 ms of them for the slow subscription: 2 s of messages, 40, of slack.)
    let mut d = topic(20.0, 5.0, 300.0, |q| {
        q.partitions = None;
        q.consumers = 64;
        q.visibility_timeout_ms = Some(200.0);
        q.max_deliveries = 10;
    });
    d.run.duration_ms = 60_000.0;
    let report = go(&d);
    let q = report.nodes["t"].queue.clone().unwrap();
    let enqueued = q.enqueued.value;
    assert!(enqueued > 1_000.0, "{enqueued}");
    let delivered = values(&q.subscription_messages);
    let near = |actual: f64, expected: f64| (actual - expected).abs() <= 40.0;
    assert!(near(delivered[0], enqueued), "{delivered:?} of {enqueued}");
    assert!(
        near(delivered[1], 2.0 * enqueued),
        "{delivered:?} of {enqueued}"
    );
    let duplicates = q.duplicates.unwrap().value;
    let again = q.visible_again.unwrap().value;
    assert!(near(duplicates, enqueued), "{duplicates} of {enqueued}");
    assert!(near(again, enqueued), "{again} of {enqueued}");
    // Every copy ends up processed: the fast service once per message, the slow one twice.
    let (fast, slow) = (
        report.nodes["fast"].completions.value,
        report.nodes["slow"].completions.value,
    );
    assert!(near(fast, enqueued), "{fast} of {enqueued}");
    assert!(near(slow, 2.0 * enqueued), "{slow} of {enqueued}");
    // Without fan-out the two edges would share one SQS queue: here each has its own.
    assert_eq!(q.subscription_max_lag.len(), 2);
}

#[test]
fn the_consumer_groups_example_shows_analytics_lagging_in_every_partition_and_billing_in_none() {
    let report = example("kafka-consumer-groups");
    let lag = &report.series.nodes["orders-topic"].group_partition_lag;
    assert_eq!((lag.len(), lag[0].len()), (2, 4));
    let shares = uniform_shares(KEYS, PARTITIONS);
    // An analytics consumer takes 22 ms a message (1 ms there, 20 ms, 1 ms back).
    let mu = 1_000.0 / 22.0;
    let buckets = lag[1][0].len();
    let (third, last) = (buckets / 3, buckets - 1);
    for p in 0..4 {
        assert!(
            lag[0][p].iter().all(|&l| l < 20),
            "billing partition {p}: {:?}",
            lag[0][p]
        );
        // The slope over the last two thirds: (λₚ − μ) messages a second, 2 s buckets.
        let rate = 300.0 * shares[p];
        let seconds = (last - third) as f64 * 2.0;
        let slope = (lag[1][p][last] as f64 - lag[1][p][third] as f64) / seconds;
        let spread = 4.0 * (rate * seconds).sqrt() / seconds;
        assert!(
            (slope - (rate - mu)).abs() <= spread,
            "analytics partition {p}: {slope}/s, expected {} ± {spread}",
            rate - mu
        );
    }
}

#[test]
fn without_fan_out_the_one_group_has_committed_offsets_and_its_lags_are_the_topics() {
    let report = go(&topic(400.0, 5.0, 20.0, |q| q.fan_out = false));
    let q = report.nodes["t"].queue.clone().unwrap();
    assert_eq!(q.group_committed_offsets.len(), 1);
    assert!(
        q.group_partition_max_lag.is_empty(),
        "partition_max_lag is the group's"
    );
    // The two services share the messages (round robin), each partition's consumer commits
    // every message it finishes: the offsets add up to what was delivered and finished.
    let committed: u64 = q.group_committed_offsets[0].iter().sum();
    let done = report.nodes["fast"].completions.value + report.nodes["slow"].completions.value;
    assert!(
        (committed as f64 - done).abs() <= 4.0,
        "{committed} of {done}"
    );
}

#[test]
fn each_groups_scaling_figures_are_combined_across_replications() {
    let scaling = ConsumerScaling {
        min_replicas: 1,
        max_replicas: 10,
        provisioning_delay_ms: 5_000.0,
        ..ConsumerScaling::default()
    };
    let mut d = topic(400.0, 1.0, 20.0, |q| {
        q.consumers = 1;
        q.consumer_scaling = Some(scaling.clone());
    });
    d.run.replications = 3;
    let q = go(&d).nodes["t"].queue.clone().unwrap();
    let slow = &q.group_autoscaling[1];
    // A mean with its interval over the three replications, like the node's own figures.
    assert!(slow.mean_instances.ci95.is_some(), "{slow:?}");
    assert!(q.group_partition_max_lag[1][0].ci95.is_some());
}

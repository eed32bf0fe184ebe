//! A database's replicas as really run: the replication lag as a distribution (applied in
//! order), primary failover with the writes it loses, read-your-writes. Each checked against a
//! closed form.

mod common;

use archsim_model::design::*;
use archsim_model::replication::{Failover, ReadYourWrites};
use archsim_model::report::Report;
use common::*;

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(&std::fs::read_to_string(path).unwrap()))
}

/// A client sending `rps` requests (a `writes` fraction of them writes) over `keys` keys
/// straight to a one-shard database with `replicas` replicas that serve the reads.
fn client_and_database(rps: f64, writes: f64, keys: u64, replicas: u32) -> Design {
    let mut d = design(
        vec![
            client("c", rps),
            Node {
                id: "db".into(),
                label: "db".into(),
                position: Position::default(),
                spec: NodeKind::Database(DatabaseParams {
                    replicas_per_shard: replicas,
                    reads_from: ReadPreference::Replicas,
                    connections: 64,
                    queue_capacity: 10_000,
                    read_time: exp_ms(2.0),
                    write_time: exp_ms(2.0),
                    ..DatabaseParams::default()
                }),
            },
        ],
        vec![edge("c", "db")],
        60_000.0,
        0.0,
    );
    let NodeKind::Client(c) = &mut d.nodes[0].spec else {
        unreachable!()
    };
    c.keys.count = keys;
    c.mix = vec![
        RequestClass {
            name: "read".into(),
            weight: 1.0 - writes,
            write: false,
        },
        RequestClass {
            name: "write".into(),
            weight: writes,
            write: true,
        },
    ];
    d
}

fn database(d: &mut Design) -> &mut DatabaseParams {
    let NodeKind::Database(p) = &mut d.nodes[1].spec else {
        unreachable!()
    };
    p
}

fn primary_crash(at_ms: f64, duration_ms: f64) -> Fault {
    Fault {
        target: "db".into(),
        at_ms,
        duration_ms,
        effect: FaultEffect::PrimaryCrash,
    }
}

#[test]
fn a_failover_loses_the_writes_acknowledged_within_one_lag_of_the_crash() {
    // Writes at λ = 200/s, a constant lag L = 100 ms: at the crash the replicas miss exactly
    // the writes acknowledged in the last L, Poisson with mean λL = 20.
    let mut d = client_and_database(200.0, 1.0, 100_000, 1);
    database(&mut d).replication_lag_ms = 100.0;
    database(&mut d).failover = Some(Failover {
        detection_ms: 5_000.0,
    });
    d.faults = vec![primary_crash(20_000.0, 30_000.0)];
    d.run.duration_ms = 30_000.0;
    d.run.replications = 40;
    let report = go(&d);
    let db = report.nodes["db"].database.clone().unwrap();
    let lost = db.lost_writes.unwrap();
    // Standard error √(20/40) ≈ 0.71: within 3 of them.
    assert!((lost.value - 20.0).abs() < 2.2, "lost {lost:?}");
    let failover = &db.failovers[0];
    assert_eq!(
        (failover.crashed_at_ms, failover.promoted_at_ms),
        (20_000.0, 25_000.0)
    );
    assert_eq!(failover.lost_writes as f64, lost_in_first(&report));
}

/// The exponential integral Ein(y) = ∫₀^y (1 − e^(−x))/x dx, by the midpoint rule.
fn ein(y: f64) -> f64 {
    let n = 100_000;
    let h = y / n as f64;
    (0..n)
        .map(|i| {
            let x = (i as f64 + 0.5) * h;
            (1.0 - (-x).exp()) / x * h
        })
        .sum()
}

#[test]
fn with_an_exponential_lag_applied_in_order_a_failover_loses_y_ein_y_plus_1_minus_e_to_the_minus_y()
{
    // Writes at λ = 200/s (Poisson), each applied after an exponential lag of mean m = 20 ms
    // but never before the write ahead of it. A write of age a is still pending when it or
    // an older write has its lag outlast its age: P = 1 − (1 − e^(−a/m))·exp(−λm·e^(−a/m)).
    // Integrated over a: E[lost] = y·Ein(y) + 1 − e^(−y) with y = λm = 4, about 8.85 — not
    // the λm = 4 of independent lags.
    let mut d = client_and_database(200.0, 1.0, 100_000, 1);
    database(&mut d).replication_lag = Some(exp_ms(20.0));
    database(&mut d).failover = Some(Failover {
        detection_ms: 5_000.0,
    });
    d.faults = vec![primary_crash(20_000.0, 30_000.0)];
    d.run.duration_ms = 30_000.0;
    d.run.replications = 40;
    let report = go(&d);
    let lost = report.nodes["db"]
        .database
        .clone()
        .unwrap()
        .lost_writes
        .unwrap();
    let y = 4.0_f64;
    let expected = y * ein(y) + 1.0 - (-y).exp();
    assert!((expected - 8.85).abs() < 0.01);
    assert!(
        (lost.value - expected).abs() < 2.0,
        "lost {lost:?}, expected {expected}"
    );
}

/// Writes lost in the first replication, from its series.
fn lost_in_first(report: &Report) -> f64 {
    report.series.nodes["db"].lost_writes.iter().sum::<u64>() as f64
}

fn failed_between(report: &Report, from_ms: f64, to_ms: f64) -> u64 {
    let s = &report.series;
    s.t_ms
        .iter()
        .zip(&s.nodes["db"].failed)
        .filter(|(t, _)| **t >= from_ms && **t < to_ms)
        .map(|(_, n)| *n)
        .sum()
}

#[test]
fn writes_fail_until_a_replica_is_promoted_and_reads_go_on() {
    let mut d = client_and_database(200.0, 0.5, 10_000, 2);
    database(&mut d).failover = Some(Failover {
        detection_ms: 6_000.0,
    });
    d.faults = vec![primary_crash(21_000.0, 30_000.0)];
    d.run.bucket_ms = 1_000.0;
    let report = go(&d);
    // Before the crash and after the promotion at 27 s, nothing fails (the old primary, back
    // at 51 s, rejoins as a replica without a hitch).
    assert_eq!(failed_between(&report, 0.0, 21_000.0), 0);
    assert_eq!(failed_between(&report, 28_000.0, 60_000.0), 0);
    // In between, the writes (100/s) fail, and the reads on the replicas do not: about 600.
    let gap = failed_between(&report, 21_000.0, 27_000.0) as f64;
    assert!(close(gap, 600.0, 0.15), "{gap} failed in the gap");
    let s = &report.series.nodes["db"];
    for i in 22..27 {
        assert!(
            s.completions[i] > 80,
            "reads served at {i} s: {}",
            s.completions[i]
        );
    }
}

#[test]
fn without_failover_the_shard_waits_for_its_primary_and_loses_nothing() {
    let mut d = client_and_database(200.0, 0.5, 10_000, 2);
    d.faults = vec![primary_crash(21_000.0, 20_000.0)];
    d.run.bucket_ms = 1_000.0;
    let report = go(&d);
    let db = report.nodes["db"].database.clone().unwrap();
    assert_eq!(db.lost_writes, None);
    assert!(db.failovers.is_empty());
    // Writes fail for the whole 20 s outage: about 2,000 of them.
    let outage = failed_between(&report, 21_000.0, 41_000.0) as f64;
    assert!(close(outage, 2_000.0, 0.1), "{outage} failed");
    assert_eq!(failed_between(&report, 42_000.0, 60_000.0), 0);
}

/// Stale reads of one key written at Poisson rate w, lag X applied in order: a read is stale
/// when some write j has t_j + X_j after it, so P(stale) = 1 − exp(−w·E[X]) (the writes whose
/// lag outlasts their age are a thinned Poisson process with mean w·∫P(X > a)da).
#[test]
fn stale_reads_of_a_lognormal_lag_follow_its_mean_not_its_median() {
    let mut d = client_and_database(100.0, 0.05, 1, 1);
    let lag = Distribution::LogNormal {
        median_ms: 50.0,
        p99_ms: 400.0,
    };
    let mean_s = lag.mean_ms() / 1_000.0;
    database(&mut d).replication_lag = Some(lag);
    d.run.duration_ms = 300_000.0;
    d.run.replications = 4;
    let report = go(&d);
    let db = report.nodes["db"].database.clone().unwrap();
    let stale = db.stale_reads.value / db.reads_on_replicas.value;
    let expected = 1.0 - (-5.0 * mean_s).exp();
    assert!(
        (stale - expected).abs() < 0.025,
        "stale fraction {stale}, expected {expected} (the median would give {})",
        1.0 - (-5.0_f64 * 0.05).exp()
    );
}

#[test]
fn read_your_writes_keeps_the_writers_reads_on_the_primary_and_ends_its_stale_reads() {
    let mut d = client_and_database(200.0, 0.2, 50, 2);
    database(&mut d).replication_lag_ms = 200.0;
    let without = go(&d);
    let before = without.nodes["db"].database.clone().unwrap();
    assert!(before.stale_reads.value > 100.0);
    assert_eq!(before.own_write_reads, None);
    // A window longer than the (constant) lag: no read of a just-written key reaches a
    // replica that lacks it.
    database(&mut d).read_your_writes = Some(ReadYourWrites { window_ms: 300.0 });
    let with = go(&d);
    let after = with.nodes["db"].database.clone().unwrap();
    // The few left are reads sent while the client's write was still in flight (concurrent
    // with it, so not reads of a write the client knew it had made).
    assert!(
        after.stale_reads.value < 0.05 * before.stale_reads.value,
        "{} stale reads left of {}",
        after.stale_reads.value,
        before.stale_reads.value
    );
    let kept = after.own_write_reads.unwrap().value;
    assert!(kept > 0.0);
    assert!(close(
        after.reads_on_replicas.value + kept,
        before.reads_on_replicas.value,
        0.05
    ));
    // A window shorter than the lag leaves the reads between window and lag stale.
    database(&mut d).read_your_writes = Some(ReadYourWrites { window_ms: 100.0 });
    let short = go(&d).nodes["db"].database.clone().unwrap();
    assert!(short.stale_reads.value > 0.0 && short.stale_reads.value < before.stale_reads.value);
}

#[test]
fn the_failover_example_shows_the_gap_and_the_lost_writes() {
    let report = example("primary-failover");
    let s = &report.series;
    let db = &s.nodes["db"];
    let bucket = |t_ms: f64| s.t_ms.iter().position(|&t| t >= t_ms).unwrap();
    // Refused only in the gap between the crash (30 s) and the promotion (40 s) (a request
    // counts in the bucket it started in, so the buckets at either edge may hold a few).
    let (crash, promoted) = (bucket(30_000.0), bucket(40_000.0));
    assert!(db.failed[..crash - 1].iter().all(|&n| n == 0));
    assert!(db.failed[crash..promoted].iter().all(|&n| n > 50));
    assert!(db.failed[promoted + 1..].iter().all(|&n| n == 0));
    // The loss lands at the promotion, and only there.
    let lost: Vec<usize> = (0..db.lost_writes.len())
        .filter(|&i| db.lost_writes[i] > 0)
        .collect();
    assert_eq!(lost.len(), 1);
    assert!(
        lost[0].abs_diff(promoted) <= 1,
        "lost in bucket {}",
        lost[0]
    );
    let database = report.nodes["db"].database.clone().unwrap();
    assert_eq!(database.failovers.len(), 1);
    assert!(database.failovers[0].lost_writes >= 1);
}

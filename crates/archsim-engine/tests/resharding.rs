//! Resharding a database mid-run: how much of the key space moves (against the closed forms
//! n/(n+1) for hash-mod and 1/(n+1) for consistent methods) and what the move costs while it
//! is in progress.

mod common;

use common::{go, parse};

/// A client reading `keys` uniform keys at `rps` from a database of `from` shards that goes to
/// `to` shards at 10 s, moving keys for `move_ms`.
fn reshard(sharding: &str, from: u32, to: u32, keys: u64, rps: f64, move_ms: f64) -> String {
    format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": {rps} }} }},
               "keys": {{ "count": {keys}, "popularity": {{ "type": "uniform" }} }} }} }},
          {{ "id": "db", "kind": "database", "params": {{ "shards": {from}, "sharding": {sharding},
               "connections": 50, "read_time": {{ "type": "constant", "ms": 5 }} }} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "db" }} ],
        "faults": [ {{ "target": "db", "at_ms": 10000, "duration_ms": {move_ms},
                      "effect": {{ "type": "reshard", "shards": {to} }} }} ],
        "run": {{ "duration_ms": 30000, "warmup_ms": 0, "bucket_ms": 1000 }} }}"#
    )
}

fn keys_moved(sharding: &str, from: u32, to: u32) -> f64 {
    let report = go(&parse(&reshard(sharding, from, to, 100_000, 50.0, 5_000.0)));
    let db = report.nodes["db"].database.clone().unwrap();
    assert_eq!(db.reshards.len(), 1);
    let r = &db.reshards[0];
    assert_eq!((r.from_shards, r.to_shards, r.at_ms), (from, to, 10_000.0));
    // The fault's own entry counts the keys that fraction of the 100,000 is.
    let moved = report.faults[0].figures.keys_moved.map(|e| e.value);
    assert_eq!(moved, Some((r.keys_moved * 100_000.0).round()));
    r.keys_moved
}

#[test]
fn hash_mod_resharding_moves_n_over_n_plus_one_of_keys() {
    for (from, to) in [(4, 5), (8, 9), (3, 4)] {
        let moved = keys_moved(r#"{ "type": "hash" }"#, from, to);
        let expected = f64::from(from) / f64::from(to);
        // 100 000 keys, each moving with probability n/(n+1): σ < 0.0016.
        assert!(
            (moved - expected).abs() < 0.008,
            "{from}→{to}: {moved} vs {expected}"
        );
    }
}

#[test]
fn consistent_methods_move_one_over_n_plus_one_of_keys() {
    for sharding in [
        r#"{ "type": "jump" }"#,
        r#"{ "type": "rendezvous" }"#,
        r#"{ "type": "consistent_hash", "virtual_nodes": 1000 }"#,
    ] {
        for (from, to) in [(4, 5), (8, 9)] {
            let moved = keys_moved(sharding, from, to);
            let expected = 1.0 / f64::from(to);
            // Jump and rendezvous: binomial, σ < 0.0013. A ring of 1000 points per shard: the
            // new shard's share varies by about 1/√1000 ≈ 3% of itself.
            assert!(
                (moved / expected - 1.0).abs() < 0.12,
                "{sharding} {from}→{to}: {moved} vs {expected}"
            );
        }
    }
}

#[test]
fn shrinking_moves_the_removed_shards_keys() {
    // Jump from 5 to 4: exactly the keys of shard 4, 1/5 of them.
    let moved = keys_moved(r#"{ "type": "jump" }"#, 5, 4);
    assert!((moved - 0.2).abs() < 0.01, "{moved}");
}

#[test]
fn moved_keys_cost_a_second_read_while_the_move_is_in_progress() {
    // 200 keys read at 400 rps: during the 5 s move nearly every moved key is read at least
    // once and pays one extra read of 5 ms; after it, none does.
    let report = go(&parse(&reshard(
        r#"{ "type": "hash" }"#,
        4,
        5,
        200,
        400.0,
        5_000.0,
    )));
    let db = report.nodes["db"].database.clone().unwrap();
    let reshard = &db.reshards[0];
    let moved_keys = reshard.keys_moved * 200.0;
    let paid = reshard.migration_queries.value;
    // Each moved key pays once, on its first query since the reshard: P(read in 5 s) = 1 −
    // e^(−400/200·5) ≈ 1.
    assert!(paid <= moved_keys + 0.5, "paid {paid}, moved {moved_keys}");
    assert!(paid >= moved_keys - 3.0, "paid {paid}, moved {moved_keys}");
    // The slower queries show in the latency of the second after the reshard (about a third
    // of its queries pay 5 ms more); once the move is over, latency is back to before.
    let series = &report.series.nodes["db"].mean_latency_ms;
    let mean = |range: std::ops::Range<usize>| {
        let n = range.len() as f64;
        series[range].iter().sum::<f64>() / n
    };
    let (before, after) = (mean(1..10), mean(16..30));
    assert!(series[10] > before + 1.5, "{series:?}");
    assert!((after - before).abs() < 0.3, "{series:?}");
    // Queries after the reshard go to all five shards.
    assert_eq!(db.shard_queries.len(), 5);
    assert!(db.shard_queries[4].value > 0.0);
}

#[test]
fn a_database_without_reshards_reports_none() {
    let design = parse(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client" },
          { "id": "db", "kind": "database", "params": { "shards": 2 } } ],
        "edges": [ { "id": "e", "from": "c", "to": "db" } ],
        "run": { "duration_ms": 2000, "warmup_ms": 0 } }"#,
    );
    let db = go(&design).nodes["db"].database.clone().unwrap();
    assert!(db.reshards.is_empty());
    assert_eq!(db.shard_queries.len(), 2);
}

#[test]
fn example_reshard_hash_vs_ring_shows_hash_mod_moving_most_keys() {
    let design = parse(include_str!("../../../examples/reshard-hash-vs-ring.json"));
    let report = go(&design);
    let reshard = |id: &str| report.nodes[id].database.clone().unwrap().reshards[0].clone();
    let (hash, ring) = (reshard("db-hash"), reshard("db-ring"));
    assert!(
        (hash.keys_moved - 0.8).abs() < 0.02,
        "hash-mod moved {}",
        hash.keys_moved
    );
    assert!(
        (ring.keys_moved - 0.2).abs() < 0.05,
        "ring moved {}",
        ring.keys_moved
    );
    assert!(
        hash.migration_queries.value > 2.5 * ring.migration_queries.value,
        "paid: hash {} ring {}",
        hash.migration_queries.value,
        ring.migration_queries.value
    );
    // The story on the time series: during the move (20–40 s) the hash-mod database's mean
    // latency rises well above its own before, and above the ring's.
    let latency = |id: &str, range: std::ops::Range<usize>| {
        let s = &report.series.nodes[id].mean_latency_ms;
        s[range.clone()].iter().sum::<f64>() / range.len() as f64
    };
    let (hash_before, hash_during) = (latency("db-hash", 6..20), latency("db-hash", 20..26));
    let ring_during = latency("db-ring", 20..26);
    assert!(
        hash_during > 1.4 * hash_before,
        "{hash_before} → {hash_during}"
    );
    assert!(
        hash_during > 1.2 * ring_during,
        "hash {hash_during}, ring {ring_during}"
    );
}

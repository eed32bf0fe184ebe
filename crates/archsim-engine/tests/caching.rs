//! Caches as they are really run: the two TTL semantics against their closed forms, request
//! coalescing (single-flight) in a stampede, and write-back losing its unflushed writes in a
//! crash — each checked on the report, the examples' phenomena included.

mod common;

use common::{go, parse};

/// One key read at Poisson rate `rps` from a cache whose entries live `ttl_ms`, filled by a
/// downstream that answers at once (a miss is stored a microsecond after it).
fn one_key(rps: f64, ttl_ms: f64, refresh: bool) -> f64 {
    let design = parse(&format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": {rps} }} }},
               "mix": [ {{ "name": "read", "weight": 1 }} ],
               "keys": {{ "count": 1, "popularity": {{ "type": "uniform" }} }} }} }},
          {{ "id": "cache", "kind": "cache", "params": {{ "ttl_ms": {ttl_ms},
               "ttl_refresh_on_access": {refresh}, "hit_time": {{ "type": "constant", "ms": 0.001 }} }} }},
          {{ "id": "store", "kind": "service", "params": {{
               "service_time": {{ "type": "constant", "ms": 0.001 }} }} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "cache" }},
                   {{ "id": "fill", "from": "cache", "to": "store",
                      "params": {{ "latency": {{ "type": "constant", "ms": 0 }} }} }} ],
        "run": {{ "duration_ms": 2000000, "warmup_ms": 10000 }} }}"#
    ));
    go(&design).nodes["cache"].cache.unwrap().hit_ratio.value
}

#[test]
fn ttl_from_the_write_gives_lambda_t_over_one_plus_lambda_t() {
    // After each miss the entry lives T: the hits before the next miss are the Poisson
    // arrivals in T, λT on average, so the hit ratio is λT / (1 + λT).
    for (rps, ttl_ms) in [(10.0f64, 200.0f64), (5.0, 100.0), (20.0, 250.0)] {
        let lt = rps * ttl_ms / 1000.0;
        let expected = lt / (1.0 + lt);
        let measured = one_key(rps, ttl_ms, false);
        assert!(
            (measured - expected).abs() < 0.01,
            "λT={lt}: {measured} vs {expected}"
        );
    }
}

#[test]
fn ttl_refreshed_on_access_gives_one_minus_e_to_the_minus_lambda_t() {
    // A read misses only when the gap since the previous read exceeds T: P = e^(−λT).
    for (rps, ttl_ms) in [(10.0f64, 200.0f64), (5.0, 100.0), (20.0, 250.0)] {
        let lt = rps * ttl_ms / 1000.0;
        let expected = 1.0 - (-lt).exp();
        let measured = one_key(rps, ttl_ms, true);
        assert!(
            (measured - expected).abs() < 0.01,
            "λT={lt}: {measured} vs {expected}"
        );
    }
}

#[test]
fn example_cache_stampede_is_prevented_by_coalescing() {
    let report = go(&parse(include_str!(
        "../../../examples/cache-stampede.json"
    )));
    let plain = report.nodes["cache-plain"].cache.unwrap();
    let coalescing = report.nodes["cache-coalescing"].cache.unwrap();
    // The same reads miss in both (the same keys expire at the same moments) ...
    assert!(plain.misses.value > 0.0 && coalescing.misses.value > 0.0);
    // ... but the coalescing cache sends one request per key and fetch: most of its misses
    // waited for another's fetch, and its database sees a small fraction of the other's load.
    assert!(
        coalescing.coalesced.value > 0.8 * coalescing.misses.value,
        "{coalescing:?}"
    );
    assert_eq!(plain.coalesced.value, 0.0);
    let db = |id: &str| report.nodes[id].arrivals.value;
    assert!(
        db("db-coalescing") * 5.0 < db("db-plain"),
        "db arrivals: coalescing {}, plain {}",
        db("db-coalescing"),
        db("db-plain")
    );
    // Every read that reached the coalescing database was a leader: misses = leaders +
    // followers.
    let leaders = coalescing.misses.value - coalescing.coalesced.value;
    assert!((db("db-coalescing") - leaders).abs() <= 40.0, "{leaders}");
    // The stampede shows on the time series: the plain database's queue spikes, the other's
    // does not.
    let peak = |id: &str| {
        report.series.nodes[id]
            .queue_length
            .iter()
            .copied()
            .fold(0.0, f64::max)
    };
    assert!(
        peak("db-plain") > 10.0 * peak("db-coalescing").max(0.1),
        "{} {}",
        peak("db-plain"),
        peak("db-coalescing")
    );
}

#[test]
fn example_write_back_crash_loses_unflushed_writes() {
    let design = parse(include_str!("../../../examples/write-back-crash.json"));
    let report = go(&design);
    let cache = report.nodes["cache"].cache.unwrap();
    let wb = cache
        .write_back
        .expect("a write-back cache reports its writes");
    // About 30% of 300 rps for 55 s are writes; several per key share a flush.
    assert!(
        wb.flushes.value > 0.0 && wb.coalesced_writes.value > wb.flushes.value * 0.5,
        "{wb:?}"
    );
    // The crash lost the writes of the last 5 s or so before it: one flush-delay's worth of
    // dirty keys, carrying many writes.
    assert!(wb.lost_writes.value > 100.0, "{wb:?}");
    // The database got one write per flush, not one per client write.
    let writes_sent = 0.3 * report.nodes["cache"].arrivals.value;
    assert!(
        wb.flushes.value < 0.6 * writes_sent,
        "{wb:?} of {writes_sent}"
    );
    // The crash itself shows in the cache's failures (the flushes it lost and the requests
    // it refused while down), in the crash's bucket.
    assert!(report.series.nodes["cache"].failed[30] > 0);
    assert_eq!(report.series.nodes["cache"].failed[20], 0);
}

#[test]
fn write_back_without_a_crash_flushes_every_write() {
    let mut design = parse(include_str!("../../../examples/write-back-crash.json"));
    design.faults.clear();
    design.run.warmup_ms = 0.0;
    let report = go(&design);
    let wb = report.nodes["cache"].cache.unwrap().write_back.unwrap();
    assert_eq!(wb.lost_writes.value, 0.0);
    // Every write is either a flush or joined one; flushes still pending at the end (the last
    // 5 s) are neither lost nor done.
    let writes = report.nodes["cache"].arrivals.value * 0.3;
    let accounted = wb.flushes.value + wb.coalesced_writes.value;
    assert!(
        accounted <= writes * 1.05 && accounted > writes * 0.8,
        "{accounted} of {writes}"
    );
}

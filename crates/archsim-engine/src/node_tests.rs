//! Each node kind driven through its steps on a [`Bench`]: one node of a small design, its steps
//! called by hand, what it did read back. The kinds' end-to-end behaviour (in whole runs) is
//! checked in `tests/behaviour.rs`; these check each kind's own decisions in isolation.

use crate::metrics::{Outcome, extra};
use crate::test_bench::{Bench, Seen};
use crate::time::from_ms;

/// A design of `nodes` (JSON objects) and `edges` ("from>to" or full JSON objects), with a
/// client `c` calling the first node so that it validates.
fn bench(nodes: &[&str], edges: &[&str]) -> Bench {
    let first = nodes[0]
        .split("\"id\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the first node has an id");
    let mut node_list = vec![r#"{ "id": "c", "kind": "client", "params": {} }"#.to_string()];
    node_list.extend(nodes.iter().map(|n| n.to_string()));
    let mut edge_list = vec![format!(
        r#"{{ "id": "c>{first}", "from": "c", "to": "{first}" }}"#
    )];
    for e in edges {
        if e.starts_with('{') {
            edge_list.push(e.to_string());
        } else {
            let (from, to) = e.split_once('>').expect("from>to");
            edge_list.push(format!(
                r#"{{ "id": "{e}", "from": "{from}", "to": "{to}" }}"#
            ));
        }
    }
    Bench::new(&format!(
        r#"{{ "version": 1, "nodes": [{}], "edges": [{}] }}"#,
        node_list.join(","),
        edge_list.join(",")
    ))
}

fn service(id: &str) -> String {
    format!(r#"{{ "id": "{id}", "kind": "service", "params": {{}} }}"#)
}

// ---------------------------------------------------------------------------------------------
// Load balancer

fn balancer(params: &str, backends: &[&str]) -> Bench {
    let lb = format!(r#"{{ "id": "lb", "kind": "load_balancer", "params": {params} }}"#);
    let mut nodes = vec![lb];
    nodes.extend(backends.iter().map(|b| service(b)));
    let edges: Vec<String> = backends
        .iter()
        .map(|b| {
            format!(
                r#"{{ "id": "lb>{b}", "from": "lb", "to": "{b}", "params": {{
                  "circuit_breaker": {{ "failure_threshold": 0.5, "minimum_calls": 1,
                    "window_ms": 1000, "open_ms": 1000, "half_open_probes": 1 }} }} }}"#
            )
        })
        .collect();
    let nodes: Vec<&str> = nodes.iter().map(String::as_str).collect();
    let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
    bench(&nodes, &edges)
}

#[test]
fn balancer_health_checks_skip_crashed_backends_and_open_breakers() {
    let mut b = balancer(
        r#"{ "algorithm": { "type": "round_robin" }, "health_checks": true }"#,
        &["a", "b", "d"],
    );
    b.set_crashed("a", true);
    b.fail_breaker("lb>b", 1);
    for _ in 0..3 {
        b.arrive("lb", 0, false);
    }
    assert_eq!(b.called(), ["d", "d", "d"]);
    b.set_crashed("a", false);
    b.arrive("lb", 0, false);
    b.arrive("lb", 0, false);
    assert_eq!(b.called(), ["a", "d"], "a rejoins in its place");
}

#[test]
fn balancer_without_health_checks_sends_to_a_crashed_backend() {
    let mut b = balancer(
        r#"{ "algorithm": { "type": "round_robin" }, "health_checks": false }"#,
        &["a", "b"],
    );
    b.set_crashed("a", true);
    b.arrive("lb", 0, false);
    b.arrive("lb", 0, false);
    assert_eq!(b.called(), ["a", "b"]);
}

#[test]
fn balancer_with_no_healthy_backend_fails_the_request_there() {
    let mut b = balancer(r#"{ "health_checks": true }"#, &["a", "b"]);
    b.set_crashed("a", true);
    b.set_crashed("b", true);
    let job = b.arrive("lb", 0, false);
    assert!(!b.alive(job));
    assert!(b.called().is_empty());
    assert_eq!(b.failed("lb", Outcome::NoHealthyBackend), 1);
}

#[test]
fn least_connections_balancer_counts_a_backend_busy_until_its_call_is_over() {
    let mut b = balancer(
        r#"{ "algorithm": { "type": "least_connections" } }"#,
        &["a", "b"],
    );
    let first = b.arrive("lb", 0, false);
    b.arrive("lb", 0, false);
    assert_eq!(b.called(), ["a", "b"]);
    // a's request is answered: a has nothing in flight, b still one.
    b.call_over(first, Outcome::Success);
    assert!(!b.alive(first));
    b.arrive("lb", 0, false);
    assert_eq!(b.called(), ["a"], "a has fewer in flight");
    assert_eq!(b.extra("lb", 0), 2, "requests sent to a");
    assert_eq!(b.extra("lb", 1), 1, "requests sent to b");
}

#[test]
fn only_key_based_balancing_asks_sources_for_keys() {
    let hashed = balancer(
        r#"{ "algorithm": { "type": "consistent_hash", "virtual_nodes": 10 } }"#,
        &["a"],
    );
    assert!(hashed.models[1].reads_keys());
    let plain = balancer(r#"{ "algorithm": { "type": "least_request" } }"#, &["a"]);
    assert!(!plain.models[1].reads_keys());
}

// ---------------------------------------------------------------------------------------------
// Cache

fn cache(params: &str) -> Bench {
    bench(
        &[
            &format!(r#"{{ "id": "cache", "kind": "cache", "params": {params} }}"#),
            &service("db"),
        ],
        &["cache>db"],
    )
}

/// A request at the cache through its lookup: returns the job. (What the lookup then asks of
/// the downstream is left for the test to see.)
fn look_up(b: &mut Bench, key: u64, write: bool) -> crate::slab::Handle {
    let job = b.arrive("cache", key, write);
    match b.seen().as_slice() {
        [Seen::Done { job: looked_up, .. }] => assert_eq!(*looked_up, job),
        other => panic!("expected the lookup step, saw {other:?}"),
    }
    b.done(job);
    job
}

#[test]
fn cache_miss_goes_downstream_and_its_fill_makes_the_next_read_a_hit() {
    let mut b = cache(r#"{ "capacity": 10 }"#);
    let miss = look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"]);
    assert_eq!(b.extra("cache", extra::CACHE_MISSES), 1);
    b.call_over(miss, Outcome::Success);
    assert!(!b.alive(miss));
    let hit = look_up(&mut b, 7, false);
    assert!(!b.alive(hit), "answered from the cache");
    assert!(b.called().is_empty());
    assert_eq!(b.extra("cache", extra::CACHE_HITS), 1);
    assert_eq!(b.succeeded("cache"), 2);
}

#[test]
fn cache_does_not_store_a_miss_the_downstream_failed() {
    let mut b = cache(r#"{ "capacity": 10 }"#);
    let miss = look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"]);
    b.call_over(miss, Outcome::Error);
    look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"], "missed again");
    assert_eq!(b.extra("cache", extra::CACHE_MISSES), 2);
}

#[test]
fn cache_write_invalidates_unless_written_through() {
    for (policy, then_hits) in [("invalidate", 0), ("write_through", 1)] {
        let mut b = cache(&format!(
            r#"{{ "capacity": 10, "write_policy": "{policy}" }}"#
        ));
        let fill = look_up(&mut b, 7, false);
        b.call_over(fill, Outcome::Success);
        b.called();
        let write = look_up(&mut b, 7, true);
        assert_eq!(b.called(), ["db"], "a write goes to the downstream");
        b.call_over(write, Outcome::Success);
        look_up(&mut b, 7, false);
        assert_eq!(b.extra("cache", extra::CACHE_HITS), then_hits, "{policy}");
    }
}

#[test]
fn cache_crash_loses_its_contents() {
    let mut b = cache(r#"{ "capacity": 10 }"#);
    let fill = look_up(&mut b, 7, false);
    b.call_over(fill, Outcome::Success);
    b.called();
    b.models[1].crashed();
    look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"], "cold after the crash");
}

#[test]
fn coalescing_sends_one_fetch_for_concurrent_misses_and_answers_every_waiter() {
    let mut b = cache(r#"{ "capacity": 10, "coalesce_misses": true }"#);
    let leader = look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"]);
    let followers = [look_up(&mut b, 7, false), look_up(&mut b, 7, false)];
    assert!(b.called().is_empty(), "no second fetch of key 7");
    let other = look_up(&mut b, 8, false);
    assert_eq!(b.called(), ["db"], "another key fetches on its own");
    assert_eq!(b.extra("cache", extra::CACHE_MISSES), 4);
    assert_eq!(b.extra("cache", extra::CACHE_COALESCED), 2);
    b.call_over(leader, Outcome::Success);
    assert!(!b.alive(leader) && followers.iter().all(|&f| !b.alive(f)));
    assert_eq!(b.succeeded("cache"), 3);
    assert!(b.alive(other));
    let hit = look_up(&mut b, 7, false);
    assert!(
        !b.alive(hit) && b.called().is_empty(),
        "filled once for all"
    );
}

#[test]
fn coalesced_waiters_share_the_fetchs_failure() {
    let mut b = cache(r#"{ "capacity": 10, "coalesce_misses": true }"#);
    let leader = look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"]);
    let follower = look_up(&mut b, 7, false);
    b.call_over(leader, Outcome::Error);
    assert!(!b.alive(follower));
    assert_eq!(b.succeeded("cache"), 0);
    // Nothing was stored, and the next miss fetches again.
    look_up(&mut b, 7, false);
    assert_eq!(b.called(), ["db"]);
}

#[test]
fn write_back_answers_at_once_and_flushes_each_key_once_after_the_delay() {
    let mut b =
        cache(r#"{ "capacity": 10, "write_policy": "write_back", "write_back_delay_ms": 100 }"#);
    let first = look_up(&mut b, 7, true);
    assert!(
        matches!(b.seen().as_slice(), [Seen::Timer { tag: 1, .. }]),
        "a flush timer, no write downstream yet"
    );
    assert_eq!(
        b.succeeded("cache"),
        0,
        "acknowledged, not over: it carries the flush"
    );
    let second = look_up(&mut b, 7, true);
    assert!(!b.alive(second), "joined the pending flush");
    assert_eq!(b.extra("cache", extra::CACHE_WRITES_COALESCED), 1);
    let read = look_up(&mut b, 7, false);
    assert!(
        !b.alive(read) && b.called().is_empty(),
        "the written value is read back"
    );
    b.at(100 * 1_000_000);
    b.timer("cache", 1);
    assert_eq!(b.called(), ["db"], "one flush for both writes");
    assert_eq!(b.extra("cache", extra::CACHE_FLUSHES), 1);
    b.call_over(first, Outcome::Success);
    assert!(!b.alive(first));
}

#[test]
fn a_write_back_cache_crash_loses_its_unflushed_writes() {
    let mut b = cache(r#"{ "capacity": 10, "write_policy": "write_back" }"#);
    for key in [7, 7, 8] {
        look_up(&mut b, key, true);
        b.seen(); // the flush timers
    }
    b.models[1].crashed();
    assert_eq!(
        b.models[1].crash_loss(),
        Some((extra::CACHE_LOST_WRITES, 3))
    );
    b.at(2_000 * 1_000_000);
    b.timer("cache", 1);
    assert!(b.called().is_empty(), "nothing left to flush");
}

// ---------------------------------------------------------------------------------------------
// Queue

fn queue(params: &str) -> Bench {
    bench(
        &[
            &format!(r#"{{ "id": "q", "kind": "queue", "params": {params} }}"#),
            &service("worker"),
            r#"{ "id": "dlq", "kind": "queue", "params": {} }"#,
        ],
        &["q>worker", "q>dlq"],
    )
}

#[test]
fn queue_redelivers_a_failed_message_then_dead_letters_it() {
    let mut b = queue(r#"{ "consumers": 1, "max_deliveries": 3, "dead_letter": "dlq" }"#);
    let message = b.arrive("q", 0, false);
    assert_eq!(
        b.called(),
        ["worker"],
        "delivered to the consumer edge only"
    );
    b.call_over(message, Outcome::Error);
    assert_eq!(
        b.called(),
        ["worker"],
        "back in line, and the free consumer takes it"
    );
    b.call_over(message, Outcome::Timeout);
    assert_eq!(b.called(), ["worker"]);
    b.call_over(message, Outcome::Error);
    assert_eq!(
        b.called(),
        ["dlq"],
        "three failed deliveries: dead-lettered"
    );
    assert_eq!(b.extra("q", extra::QUEUE_DELIVERED), 3);
    assert_eq!(b.extra("q", extra::QUEUE_REDELIVERIES), 2);
    assert_eq!(b.extra("q", extra::QUEUE_DEAD_LETTERED), 1);
    // The hand-off to the dead-letter queue is over: the message fails with its last cause.
    b.call_over(message, Outcome::Success);
    assert!(!b.alive(message));
    assert_eq!(b.failed("q", Outcome::Error), 1);
    assert_eq!(b.succeeded("q"), 0);
}

#[test]
fn queue_holds_messages_beyond_its_consumers_and_refuses_beyond_capacity() {
    let mut b = queue(r#"{ "consumers": 1, "capacity": 1, "dead_letter": "dlq" }"#);
    let first = b.arrive("q", 0, false);
    let second = b.arrive("q", 0, false);
    let third = b.arrive("q", 0, false);
    assert_eq!(
        b.called(),
        ["worker"],
        "one consumer: one delivery at a time"
    );
    assert!(b.alive(second));
    assert!(!b.alive(third));
    assert_eq!(b.failed("q", Outcome::QueueFull), 1);
    b.call_over(first, Outcome::Success);
    assert_eq!(
        b.called(),
        ["worker"],
        "the consumer takes the waiting message"
    );
    assert_eq!(b.succeeded("q"), 1);
}

#[test]
fn queue_without_a_delivery_edge_keeps_its_messages() {
    let mut b = queue(r#"{}"#);
    let message = b.arrive("dlq", 0, false);
    assert!(b.alive(message));
    assert!(b.seen().is_empty());
    assert_eq!(b.extra("dlq", extra::QUEUE_ENQUEUED), 1);
}

// ---------------------------------------------------------------------------------------------
// Service

fn service_with(params: &str) -> Bench {
    bench(
        &[
            &format!(r#"{{ "id": "s", "kind": "service", "params": {params} }}"#),
            &service("a"),
            &service("b"),
        ],
        &["s>a", "s>b"],
    )
}

/// Starts a request at the service and runs its service time; returns the job.
fn serve(b: &mut Bench) -> crate::slab::Handle {
    let job = b.arrive("s", 0, false);
    assert!(matches!(b.seen().as_slice(), [Seen::Done { .. }]));
    b.done(job);
    job
}

#[test]
fn service_sequential_calls_stop_at_the_first_failure() {
    let mut b = service_with(r#"{}"#);
    let job = serve(&mut b);
    assert_eq!(b.called(), ["a"]);
    b.call_over(job, Outcome::Error);
    assert!(!b.alive(job));
    assert!(b.called().is_empty(), "b is never called");
    // The failure happened downstream: it is counted there, not here.
    assert_eq!(b.failed("s", Outcome::Error), 0);
    let ok = serve(&mut b);
    b.call_over(ok, Outcome::Success);
    b.call_over(ok, Outcome::Success);
    assert_eq!(b.called(), ["a", "b"]);
    assert_eq!(b.succeeded("s"), 1);
}

#[test]
fn service_parallel_calls_wait_for_all_and_keep_the_first_failure() {
    let mut b = service_with(r#"{ "calls": "parallel" }"#);
    let job = serve(&mut b);
    assert_eq!(b.called(), ["a", "b"]);
    b.call_over(job, Outcome::Timeout);
    assert!(b.alive(job), "still waiting for b");
    b.call_over(job, Outcome::Error);
    assert!(!b.alive(job));
    assert_eq!(b.succeeded("s"), 0);
}

#[test]
fn service_worker_goes_to_the_next_request_in_line() {
    let mut b = service_with(r#"{ "workers": 1, "queue_capacity": 1 }"#);
    let first = b.arrive("s", 0, false);
    let second = b.arrive("s", 0, false);
    let third = b.arrive("s", 0, false);
    assert!(!b.alive(third));
    assert_eq!(b.failed("s", Outcome::QueueFull), 1);
    assert!(matches!(b.seen().as_slice(), [Seen::Done { job, .. }] if *job == first));
    b.done(first);
    b.call_over(first, Outcome::Error);
    // The worker is free: the second request's service begins at once.
    assert!(
        b.seen()
            .iter()
            .any(|s| matches!(s, Seen::Done { job, .. } if *job == second))
    );
}

#[test]
fn service_that_frees_its_worker_during_calls_serves_the_next_request_meanwhile() {
    let mut b = service_with(r#"{ "workers": 1, "hold_worker_during_calls": false }"#);
    let first = b.arrive("s", 0, false);
    let second = b.arrive("s", 0, false);
    b.seen();
    b.done(first);
    let seen = b.seen();
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Done { job, .. } if *job == second))
    );
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Call { to, .. } if to == "a"))
    );
}

// ---------------------------------------------------------------------------------------------
// API gateway, rate limiter, database, client

#[test]
fn gateway_refuses_requests_beyond_its_concurrency() {
    let mut b = bench(
        &[
            r#"{ "id": "gw", "kind": "api_gateway", "params": { "max_concurrency": 2 } }"#,
            &service("a"),
        ],
        &["gw>a"],
    );
    let jobs: Vec<_> = (0..3).map(|_| b.arrive("gw", 0, false)).collect();
    assert!(!b.alive(jobs[2]));
    assert_eq!(b.failed("gw", Outcome::QueueFull), 1);
    assert_eq!(b.seen().len(), 2, "two overhead steps");
    b.done(jobs[0]);
    assert_eq!(b.called(), ["a"]);
}

#[test]
fn token_bucket_limiter_admits_its_burst_then_rejects() {
    let mut b = bench(
        &[
            r#"{ "id": "rl", "kind": "rate_limiter", "params": {
                 "algorithm": { "type": "token_bucket", "rate_rps": 1, "burst": 2 } } }"#,
            &service("a"),
        ],
        &["rl>a"],
    );
    for _ in 0..3 {
        b.arrive("rl", 0, false);
    }
    assert_eq!(b.called(), ["a", "a"]);
    assert_eq!(b.extra("rl", extra::LIMITER_ADMITTED), 2);
    assert_eq!(b.extra("rl", extra::LIMITER_REJECTED), 1);
    assert_eq!(b.failed("rl", Outcome::RateLimited), 1);
    b.at(from_ms(1_000.0));
    b.arrive("rl", 0, false);
    assert_eq!(b.called(), ["a"], "a token refilled after a second");
}

#[test]
fn database_writes_go_to_the_primary_and_reads_on_a_replica_within_the_lag_are_stale() {
    let mut b = bench(
        &[
            r#"{ "id": "db", "kind": "database", "params": { "shards": 1,
               "replicas_per_shard": 1, "reads_from": "replicas", "replication_lag_ms": 50 } }"#,
        ],
        &[],
    );
    let write = b.arrive("db", 3, true);
    b.seen();
    b.done(write);
    assert_eq!(b.extra("db", extra::DB_REPLICA_READS), 0);
    b.at(from_ms(10.0));
    let read = b.arrive("db", 3, false);
    b.seen();
    b.done(read);
    assert_eq!(b.extra("db", extra::DB_REPLICA_READS), 1);
    assert_eq!(b.extra("db", extra::DB_STALE_READS), 1);
    b.at(from_ms(100.0));
    let later = b.arrive("db", 3, false);
    b.seen();
    b.done(later);
    assert_eq!(
        b.extra("db", extra::DB_STALE_READS),
        1,
        "past the lag: fresh"
    );
    assert_eq!(b.succeeded("db"), 3);
}

#[test]
fn client_arrival_sends_a_request_and_sets_its_next_arrival() {
    let mut b = bench(
        &[&service("a"), &service("b")],
        &[r#"{ "id": "c>b", "from": "c", "to": "b" }"#],
    );
    b.timer("c", crate::node::ARRIVAL);
    b.timer("c", crate::node::ARRIVAL);
    let seen = b.seen();
    let calls: Vec<_> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Call { to, .. } => Some(to.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(calls, ["a", "b"], "the client's edges in turn");
    let timers = seen
        .iter()
        .filter(|s| matches!(s, Seen::Timer { node, tag: 0, .. } if node == "c"))
        .count();
    assert_eq!(timers, 2, "each arrival schedules the next");
}

#[test]
fn closed_loop_user_thinks_after_each_outcome() {
    let mut b = Bench::new(
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": { "workload": { "type": "closed_loop",
              "users": 1, "think_time": { "type": "constant", "ms": 5 } } } },
          { "id": "a", "kind": "service", "params": {} } ],
          "edges": [ { "id": "c>a", "from": "c", "to": "a" } ] }"#,
    );
    b.timer("c", crate::node::ARRIVAL);
    let seen = b.seen();
    let Some(Seen::Call { callee, .. }) = seen.first() else {
        panic!("{seen:?}")
    };
    assert_eq!(seen.len(), 1, "no next arrival before the outcome");
    let request = b.core.jobs.get(*callee).expect("callee").parent;
    b.call_over(request, Outcome::Error);
    assert_eq!(
        b.seen(),
        [Seen::Timer {
            node: "c".into(),
            tag: 0,
            after: from_ms(5.0)
        }]
    );
    assert_eq!(
        b.failed("c", Outcome::Error),
        1,
        "what the user saw counts at the client"
    );
}

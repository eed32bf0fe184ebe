//! Deadline propagation (gRPC's) through the whole engine: the deadline a request inherits,
//! each hop's timeout cut to what is left of it, and cancellation of the whole call tree when
//! the first caller gives up. Closed forms from constant latencies and service times.

mod common;

use archsim_model::report::Report;
use common::{go, parse};

/// Client → A (1 ms of work, then calls B) → B (500 ms of work), 1 ms each way on each edge,
/// workers to spare everywhere. The client gives up after 100 ms; A would wait 1 s for B.
fn chain(propagate: bool) -> Report {
    go(&parse(&format!(
        r#"{{ "version": 1, "name": "t",
        "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 20 }} }},
               "mix": [] }} }},
          {{ "id": "a", "kind": "service", "params": {{ "workers": 100,
               "service_time": {{ "type": "constant", "ms": 1 }} }} }},
          {{ "id": "b", "kind": "service", "params": {{ "workers": 100,
               "service_time": {{ "type": "constant", "ms": 500 }} }} }} ],
        "edges": [
          {{ "id": "ca", "from": "c", "to": "a",
             "params": {{ "timeout_ms": 100, "propagate_deadline": {propagate} }} }},
          {{ "id": "ab", "from": "a", "to": "b",
             "params": {{ "timeout_ms": 1000, "propagate_deadline": {propagate} }} }} ],
        "run": {{ "duration_ms": 60000, "warmup_ms": 2000, "bucket_ms": 1000 }} }}"#
    )))
}

#[test]
fn without_propagation_the_work_below_runs_its_course() {
    let report = chain(false);
    // Every request times out at the client, yet B serves each one for its full 500 ms:
    // utilisation 20/s · 0.5 s / 100 workers.
    assert_eq!(report.overall.succeeded.value, 0.0);
    let b = &report.nodes["b"];
    assert!(
        (b.utilisation.value - 0.1).abs() < 0.01,
        "{}",
        b.utilisation.value
    );
    assert_eq!(b.failures.total(), 0.0);
    assert_eq!(report.edges["ab"].timeouts.value, 0.0);
}

#[test]
fn with_propagation_the_whole_tree_is_cancelled_when_the_client_gives_up() {
    let report = chain(true);
    // The client's attempt leaves at t and gives up at t + 100 ms; A gets the request at
    // t + 1 with that deadline, calls B at t + 2 with min(t + 2 + 1000, t + 100) = t + 100,
    // and B starts at t + 3. At t + 100 everything stops: B worked 97 ms, not 500.
    let b = &report.nodes["b"];
    let expected = 20.0 * 0.097 / 100.0;
    assert!(
        (b.utilisation.value - expected).abs() < 0.1 * expected,
        "{} vs {expected}",
        b.utilisation.value
    );
    // Every request B took was cancelled there, and so was A's part.
    assert!(b.arrivals.value > 0.0);
    assert!((b.failures.deadline_exceeded.value - b.completions.value).abs() <= 1.0);
    let a = &report.nodes["a"];
    assert!((a.failures.deadline_exceeded.value - a.completions.value).abs() <= 1.0);
    // A's attempt along `ab` gave up at the inherited deadline, not after its own 1 s.
    let ab = &report.edges["ab"];
    assert!(
        (ab.timeouts.value - ab.attempts.value).abs() <= 2.0,
        "{ab:?}"
    );
    // The client saw its own timeout.
    let f = &report.overall.failures;
    assert_eq!(f.timeout.value, report.overall.completed.value);
}

/// A FIFO server of one 10 ms worker, offered 150 req/s by callers that give up after 200 ms.
fn overloaded(propagate: bool) -> Report {
    go(&parse(&format!(
        r#"{{ "version": 1, "name": "t",
        "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 150 }} }},
               "mix": [] }} }},
          {{ "id": "s", "kind": "service", "params": {{ "workers": 1, "queue_capacity": 100000,
               "service_time": {{ "type": "constant", "ms": 10 }} }} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "s",
            "params": {{ "timeout_ms": 200, "propagate_deadline": {propagate} }} }} ],
        "run": {{ "duration_ms": 30000, "warmup_ms": 10000, "bucket_ms": 1000 }} }}"#
    )))
}

#[test]
fn propagated_deadlines_keep_an_overloaded_fifo_serving_callers_still_waiting() {
    // Without deadlines the queue grows without end and everything served is already late.
    assert_eq!(overloaded(false).overall.goodput_rps.value, 0.0);
    // With them, a request leaves the queue (or its worker) the moment its caller gives up,
    // so the queue holds only the last 200 ms of arrivals — at most 150/s · 0.2 s = 30 — and
    // goodput comes back. Not all of
    // it: a request that reaches a worker with less than a service time left is cut off
    // mid-service (its worker freed at the deadline), so FIFO with deadlines still wastes
    // part of the server, unlike LIFO or CoDel.
    let report = overloaded(true);
    let goodput = report.overall.goodput_rps.value;
    assert!(goodput > 40.0 && goodput <= 100.5, "{goodput}");
    let s = &report.nodes["s"];
    assert!(
        s.mean_queue_length.value <= 30.0,
        "{}",
        s.mean_queue_length.value
    );
    // A request the client gave up on was dropped at the server — unless the server had just
    // answered it and the reply was still on its 1 ms way back (served requests finishing in
    // the last millisecond of their 10 ms of service: about a tenth of the late ones).
    let timeouts = report.overall.failures.timeout.value;
    let dropped = s.failures.deadline_exceeded.value;
    assert!(
        dropped <= timeouts && dropped > 0.85 * timeouts,
        "{timeouts} timeouts, {dropped} dropped"
    );
}

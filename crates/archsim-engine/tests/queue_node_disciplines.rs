//! Queue disciplines on a message queue (the services' disciplines, one implementation):
//! CoDel's drop schedule on the messages' time in the line against RFC 8289's control law,
//! priority shedding of the lowest class when the queue is full, and the examples' slow
//! consumer under FIFO and CoDel.

mod common;

use archsim_model::report::Report;
use common::{go, parse};

/// A producer that sends nothing but a burst of `burst` messages at 1 s into queue `q`
/// (`discipline`, one consumer), delivered to a one-worker service of 10 ms; every edge takes
/// no time, so the consumer takes a message exactly every 10 ms.
fn burst_into_one_consumer(burst: u32, discipline: &str) -> Report {
    go(&parse(&format!(
        r#"{{ "version": {version}, "nodes": [
          {{ "id": "c", "kind": "client", "params": {{
              "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 0 }} }} }} }},
          {{ "id": "q", "kind": "queue", "params": {{ "consumers": 1, "capacity": 100000,
              "queue_discipline": {discipline} }} }},
          {{ "id": "w", "kind": "service", "params": {{ "workers": 1, "queue_capacity": 10,
              "service_time": {{ "type": "constant", "ms": 10 }} }} }} ],
        "edges": [
          {{ "id": "c-q", "from": "c", "to": "q", "params": {{ "latency": {{ "type": "constant", "ms": 0 }} }} }},
          {{ "id": "q-w", "from": "q", "to": "w", "params": {{ "latency": {{ "type": "constant", "ms": 0 }} }} }} ],
        "faults": [ {{ "target": "c", "at_ms": 1000, "duration_ms": 0,
                       "effect": {{ "type": "burst", "requests": {burst} }} }} ],
        "run": {{ "duration_ms": 4000, "warmup_ms": 0, "bucket_ms": 10, "seed": 1 }} }}"#,
        version = archsim_model::CURRENT_VERSION
    )))
}

/// RFC 8289's drop times (ms after the burst) for `messages` queued at once at 0 and taken by
/// one consumer every `every` ms (a dropped message costs no time: the next is taken at
/// once) — the RFC's section 5 pseudo-code run on that trace, written out here as the oracle:
/// `dodequeue` arms `first_above_time` one interval after the first take whose sojourn is at
/// least `target` with more than one message left, and says `ok_to_drop` once `now` reaches
/// it; `dequeue` enters the dropping state on an `ok_to_drop` take (drop it, take the next,
/// `count = 1` or `count − lastcount` when re-entering within 16 intervals, `drop_next = now +
/// interval/√count`), and in it drops while `now ≥ drop_next`, each time `count += 1` and
/// `drop_next += interval/√count` (the control law).
fn rfc8289_drop_times(messages: u32, every: f64, target: f64, interval: f64) -> Vec<f64> {
    struct Line {
        left: u32,
        first_above: Option<f64>,
        target: f64,
        interval: f64,
    }
    impl Line {
        /// The RFC's `dodequeue` at `now`: None when empty, else whether the message taken
        /// may be dropped (its sojourn is `now`: every message was queued at 0).
        fn dodequeue(&mut self, now: f64) -> Option<bool> {
            if self.left == 0 {
                self.first_above = None;
                return None;
            }
            self.left -= 1;
            if now < self.target || self.left <= 1 {
                self.first_above = None;
                return Some(false);
            }
            match self.first_above {
                None => {
                    self.first_above = Some(now + self.interval);
                    Some(false)
                }
                Some(at) => Some(now >= at),
            }
        }
    }
    let law = |t: f64, count: u32| t + interval / f64::from(count).sqrt();
    // The first message finds the consumer free: it never waits in the line.
    let mut line = Line {
        left: messages - 1,
        first_above: None,
        target,
        interval,
    };
    let (mut dropping, mut count, mut lastcount, mut drop_next) = (false, 0u32, 0u32, 0.0);
    let mut drops = Vec::new();
    let mut k = 1;
    loop {
        let now = every * f64::from(k);
        k += 1;
        let Some(ok) = line.dodequeue(now) else {
            break;
        };
        if dropping {
            if !ok {
                dropping = false;
                continue;
            }
            while now >= drop_next && dropping {
                drops.push(now);
                count += 1;
                match line.dodequeue(now) {
                    Some(true) => drop_next = law(drop_next, count),
                    _ => dropping = false,
                }
            }
        } else if ok {
            drops.push(now);
            let _ = line.dodequeue(now);
            dropping = true;
            let delta = count.saturating_sub(lastcount);
            count = if delta > 1 && now - drop_next < 16.0 * interval {
                delta
            } else {
                1
            };
            lastcount = count;
            drop_next = law(now, count);
        }
    }
    drops
}

#[test]
fn codel_on_a_queue_drops_on_rfc_8289s_schedule() {
    let report = burst_into_one_consumer(
        200,
        r#"{ "type": "codel", "target_ms": 5, "interval_ms": 100 }"#,
    );
    let expected = rfc8289_drop_times(200, 10.0, 5.0, 100.0);
    // The first drop an interval after the first late take (10 ms), then interval/√count apart:
    // 110, 210, 290 (210 + 70.7 → the take at 290), 340 (280.7 + 57.7 = 338.4), …
    assert_eq!(&expected[..4], &[110.0, 210.0, 290.0, 340.0]);
    let mut expected_per_bucket = vec![0u64; 400];
    for t in &expected {
        expected_per_bucket[100 + (*t / 10.0) as usize] += 1;
    }
    assert_eq!(report.series.nodes["q"].failed, expected_per_bucket);
    let q = &report.nodes["q"];
    assert_eq!(q.failures.codel_dropped.value, expected.len() as f64);
    assert_eq!(q.failures.total(), expected.len() as f64);
    // What was not dropped was delivered and served.
    assert_eq!(
        report.nodes["w"].arrivals.value,
        200.0 - expected.len() as f64
    );
}

#[test]
fn fifo_on_the_same_burst_drops_nothing_and_serves_it_all() {
    let report = burst_into_one_consumer(200, r#"{ "type": "fifo" }"#);
    assert_eq!(report.nodes["q"].failures.total(), 0.0);
    assert_eq!(report.nodes["w"].arrivals.value, 200.0);
}

#[test]
fn a_full_priority_queue_sheds_the_lowest_class_for_a_higher_one() {
    // Gold and silver each publish 75 messages/s into a queue of 20 whose one consumer
    // delivers 100/s (10 ms each): gold alone needs 75%, so all of it is delivered; silver
    // gets the rest, and the excess is shed (pushed out by gold) or refused when silver finds
    // the queue full of silver.
    let report = go(&parse(&format!(
        r#"{{ "version": {version}, "nodes": [
          {{ "id": "gold", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 75 }} }},
               "mix": [ {{ "name": "gold", "weight": 1 }} ] }} }},
          {{ "id": "silver", "kind": "client", "params": {{
               "workload": {{ "type": "open_loop", "rate": {{ "type": "constant", "rps": 75 }} }},
               "mix": [ {{ "name": "silver", "weight": 1 }} ] }} }},
          {{ "id": "q", "kind": "queue", "params": {{ "consumers": 1, "capacity": 20,
               "queue_discipline": {{ "type": "priority", "classes": ["gold", "silver"] }} }} }},
          {{ "id": "w", "kind": "service", "params": {{ "workers": 1, "queue_capacity": 10,
               "service_time": {{ "type": "constant", "ms": 10 }} }} }} ],
        "edges": [ {{ "id": "g", "from": "gold", "to": "q" }}, {{ "id": "v", "from": "silver", "to": "q" }},
                   {{ "id": "d", "from": "q", "to": "w",
                      "params": {{ "latency": {{ "type": "constant", "ms": 0 }} }} }} ],
        "run": {{ "duration_ms": 30000, "warmup_ms": 5000, "bucket_ms": 1000 }} }}"#,
        version = archsim_model::CURRENT_VERSION
    )));
    let q = &report.nodes["q"].failures;
    // Gold producers are never refused; a shed gold message would need a lower class below.
    assert_eq!(report.nodes["gold"].failures.total(), 0.0);
    assert!(q.shed_priority.value > 100.0, "{q:?}");
    // Every failure at the queue is a silver message: shed, or refused at a full queue.
    let silver_refused = report.nodes["silver"].failures.queue_full.value;
    assert_eq!(q.queue_full.value, silver_refused);
    // The consumer never idles: deliveries are its capacity, 100/s over the 25 s measured.
    let delivered = report.nodes["w"].arrivals.value / 25.0;
    assert!((delivered - 100.0).abs() < 1.5, "{delivered}/s");
}

fn example(name: &str) -> Report {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    go(&parse(
        &std::fs::read_to_string(path).expect("example file"),
    ))
}

/// The queue's mean residence (enqueue to successful delivery) over seconds `from..to`,
/// weighted by the messages delivered in each.
fn residence_ms(report: &Report, from: usize, to: usize) -> f64 {
    let q = &report.series.nodes["q"];
    let (mut sum, mut n) = (0.0, 0.0);
    for s in from..to {
        let delivered = q.completions[s] as f64 - q.failed[s] as f64;
        sum += q.mean_latency_ms[s] * delivered;
        n += delivered;
    }
    sum / n
}

#[test]
fn examples_a_slow_consumer_leaves_fifo_messages_stale_for_long_and_codel_keeps_them_fresh() {
    let fifo = example("queue-slow-consumer-fifo");
    let codel = example("queue-slow-consumer-codel");
    // Before the slow-down both deliver at once.
    assert!(residence_ms(&fifo, 5, 20) < 100.0);
    assert!(residence_ms(&codel, 5, 20) < 100.0);
    // Behind the slow consumer (20–40 s: ~26 messages/s for 60 sent), FIFO's backlog grows by
    // ~34 a second to ~680, and drains at ~43 a second after it (capacity ~103/s): from 40 to
    // 50 s a new message still has hundreds ahead of it, seconds of delivery.
    let stale = residence_ms(&fifo, 40, 50);
    assert!(stale > 2_000.0, "FIFO messages {stale} ms old");
    // Drained by about 57 s (680 / 43 per second after 40 s).
    assert!(residence_ms(&fifo, 60, 90) < 100.0);
    // CoDel keeps the line short by dropping at its head: delivered messages stay fresh.
    let fresh = residence_ms(&codel, 25, 60);
    assert!(fresh < 300.0, "CoDel messages {fresh} ms old");
    let drops = &codel.series.nodes["q"].failed;
    // It sheds the excess while the consumer is slow (~34 a second)…
    let shed: u64 = drops[20..41].iter().sum();
    assert!(shed > 500 && shed < 850, "{shed}: {drops:?}");
    // …and at 60% load hardly anything otherwise: only when a few messages happen to queue
    // for more than 5 ms through a whole 100 ms interval (a handful in 70 s, of ~3 000).
    let otherwise: u64 = drops[..20].iter().chain(&drops[41..]).sum();
    assert!(otherwise < 15, "{otherwise}: {drops:?}");
    assert_eq!(fifo.nodes["q"].failures.total(), 0.0);
}

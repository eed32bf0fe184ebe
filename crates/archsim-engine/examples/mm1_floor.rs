//! The least a discrete-event simulator can do per M/M/1 customer, as a reference point for the
//! engine's speed (docs/performance.md, "How far from the floor"). Not part of the engine.
//!
//! Same model and the same kind of work as `bench/designs/mm1.json` run by the engine —
//! integer-nanosecond clock, an event heap ordered by (time, sequence), the engine's own
//! generator (`rng::SimRng`, PCG-64 MCG), exponential gaps through `libm::log` — but nothing
//! else: one server, a queue of arrival times, and a count and sum of times in system. No nodes, jobs, calls, edges, per-period
//! statistics or histograms.
//!
//! ```sh
//! cargo run -p archsim-engine --release --example mm1_floor -- [CUSTOMERS]
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use archsim_engine::rng::{SimRng, StreamKind};

const ARRIVALS_PER_NS: f64 = 0.8e-6;
const SERVICES_PER_NS: f64 = 1.0e-6;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrival,
    Departure,
}

/// An exponential gap in whole nanoseconds (at least 1), drawn as the engine draws it.
fn gap(rng: &mut SimRng, rate_per_ns: f64) -> u64 {
    ((-libm::log(rng.uniform_open0()) / rate_per_ns) as u64).max(1)
}

/// Simulates until `customers` have left; returns (customers, mean time in system in ms).
fn simulate(customers: u64) -> (u64, f64) {
    let mut rng = SimRng::derive(1, 0, StreamKind::Source, 0);
    let mut events = BinaryHeap::new();
    let mut seq = 0u64;
    let mut schedule = |events: &mut BinaryHeap<_>, at: u64, event: Event| {
        events.push(Reverse((at, seq, event)));
        seq += 1;
    };
    let mut waiting: VecDeque<u64> = VecDeque::new();
    let mut in_service: Option<u64> = None;
    let (mut served, mut sojourn_ns) = (0u64, 0u128);
    schedule(&mut events, gap(&mut rng, ARRIVALS_PER_NS), Event::Arrival);
    while let Some(Reverse((now, _, event))) = events.pop() {
        match event {
            Event::Arrival => {
                schedule(
                    &mut events,
                    now + gap(&mut rng, ARRIVALS_PER_NS),
                    Event::Arrival,
                );
                if in_service.is_none() {
                    in_service = Some(now);
                    schedule(
                        &mut events,
                        now + gap(&mut rng, SERVICES_PER_NS),
                        Event::Departure,
                    );
                } else {
                    waiting.push_back(now);
                }
            }
            Event::Departure => {
                let arrived = in_service.take().expect("a departure has a customer");
                served += 1;
                sojourn_ns += u128::from(now - arrived);
                if served == customers {
                    break;
                }
                if let Some(next) = waiting.pop_front() {
                    in_service = Some(next);
                    schedule(
                        &mut events,
                        now + gap(&mut rng, SERVICES_PER_NS),
                        Event::Departure,
                    );
                }
            }
        }
    }
    (served, sojourn_ns as f64 / served.max(1) as f64 / 1e6)
}

fn main() {
    let customers: u64 = std::env::args()
        .nth(1)
        .map(|arg| arg.parse().expect("CUSTOMERS is a whole number"))
        .unwrap_or(20_000_000);
    let started = Instant::now();
    let (served, mean_ms) = simulate(customers);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"customers\":{served},\"seconds\":{seconds},\"customers_per_second\":{},\"mean_sojourn_ms\":{mean_ms}}}",
        served as f64 / seconds
    );
}

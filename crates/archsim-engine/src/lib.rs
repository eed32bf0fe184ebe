//! archsim engine: a deterministic discrete-event simulation (DES) of archsim designs.
//!
//! # What it does
//!
//! A [`Design`] is a graph of nodes (clients, gateways, load balancers, services, caches, queues,
//! databases, rate limiters) joined by edges (network hops with latency, timeouts, retries and
//! circuit breakers). [`run`] plays requests through that graph in simulated time and returns a
//! [`Report`]: throughput, latency percentiles, failures by cause, utilisation, queue lengths,
//! and a time series.
//!
//! # Why discrete events
//!
//! Nothing happens between events, so the engine jumps from one to the next instead of ticking
//! a clock: a request arrives, a worker finishes, a reply crosses the network, a timeout fires.
//! Each event is a small `Copy` value ordered by `(time, seq)`. `seq` is an insertion counter,
//! so events at the same nanosecond run in the order they were scheduled, independent of the
//! heap's internals: the run is deterministic. (Events for the current instant, such as a hop
//! with zero latency, skip the heap through a FIFO that pops in that same order; see `queue`.) Events refer to requests
//! through generation-checked handles into slabs (arenas with free lists), so the hot path
//! allocates nothing once the slabs have grown to the peak number of requests in flight, and a
//! late event about a request that has since finished (a reply after a timeout) is recognised
//! as stale and dropped.
//!
//! # Time
//!
//! Simulated time is a `u64` of nanoseconds ([`time::SimTime`]). Integer time orders events
//! identically on every platform; floats would let rounding decide which of two events comes
//! first. The engine never reads the wall clock.
//!
//! # Randomness and common random numbers
//!
//! Every draw comes from a [`rng::SimRng`] (PCG-64), and every traffic source, node and edge has
//! its own streams derived from the run's seed, the replication number and its id (not its
//! position, so adding or removing a node leaves the others' draws alone). Changing one
//! service's parameters changes the draws *it* makes, never what a source or another node
//! draws, so an A/B comparison of two designs sees the same traffic (common random numbers) and
//! differences come from the design, not from noise. An edge keeps request latencies, reply
//! latencies and retry back-offs in separate streams, because replies return in an order set
//! downstream. Floating-point maths on
//! random paths goes through `libm`, so native and WASM runs give bit-identical reports
//! ([`report_fingerprint`] checks that).
//!
//! # Requests
//!
//! A request at a node is a *job*; a node's request along an edge is a *call*, which owns the
//! timeout, the retries and the breaker bookkeeping; each attempt of a call creates a job at the
//! callee. Failures carry their cause (error, timeout, queue full, rate limited, breaker open,
//! no healthy backend, node down) back to the client. A node's own figures count a failure
//! only where it happened (the node that erred, rejected or was down; the caller whose timeout
//! or breaker fired), not at every node it passes through on the way back; a client's figures
//! are what its users saw. A timed-out attempt keeps running
//! downstream unless the callee cancels on timeout — which is how retries under overload
//! produce the goodput collapse real systems show. Node behaviours are documented in the
//! `node` modules.
//!
//! # Node semantics, in brief
//!
//! - **Client**: open loop (Poisson, thinned to the rate profile) or closed loop (each user
//!   starts after one think time). Requests go to its outgoing edges in round-robin order.
//! - **Service**: FIFO queue, `workers`, service time × slow-down (busy fraction at the start of
//!   service, this request's worker included), error draw, then downstream calls (sequential:
//!   stop at the first failure; parallel: wait for all). Any failed call fails the request with
//!   that call's cause. `hold_worker_during_calls = false` makes it a pipeline stage.
//! - **API gateway**: overhead delay (no worker limit), `max_concurrency` in flight (beyond:
//!   `queue_full`), then the class's route, or round robin.
//! - **Load balancer**: `policy::balancer`; health checks skip crashed backends and open
//!   breakers (`no_healthy_backend` when none is left).
//! - **Cache**: lookup time, then hit → answer, miss → downstream then fill; writes invalidate
//!   (and refill with write-through). A crash empties it.
//! - **Queue**: acknowledges on enqueue; `consumers` deliveries at once; failed deliveries go
//!   back to the tail until `max_deliveries`, then to the dead-letter node. A queue with no
//!   delivery edge holds its messages.
//! - **Database**: shard by key, writes to the primary, reads by `reads_from` (round robin over
//!   eligible members); reads on replicas within `replication_lag_ms` of a write are stale.
//! - **Rate limiter**: `policy::limiter`, global or per key; a leaky bucket holds requests
//!   until their turn.
//! - **Faults**: a crash fails everything at the node with `node_down` and refuses arrivals;
//!   latency adds to each processing step (or delays arrival at kinds without one); error rate
//!   adds to the node's own; slow-down multiplies processing times.
//! - **Timeouts** cancel the callee's work only when it is a service with `cancel_on_timeout`
//!   (only the direct callee; calls it made run their course). A propagated deadline that
//!   passes and a hedge that loses cancel the whole tree of calls below (`cancel.rs`).
//!
//! # Metrics, warm-up and confidence
//!
//! Counters and time integrals are cumulative; a period's figure is the difference of two
//! snapshots, so memory depends on the design, not on the number of requests. Time-averaged
//! quantities (utilisation, queue length, requests in flight) are integrated exactly, in integer
//! nanoseconds. Latency means are exact; percentiles come from HDR histograms (3 significant
//! digits). The warm-up (`run.warmup_ms`), while queues fill from empty, is left out of the
//! summary; the time series covers the whole run.
//!
//! A single run's numbers are samples, so each summary figure carries the half-width of its 95%
//! confidence interval: across independent replications (Student t, R−1 degrees of freedom)
//! when `run.replications > 1`, or from 20 batch means over the post-warm-up period of a single
//! run. The fidelity tests check the engine against closed forms from queueing theory (M/M/1,
//! M/M/c, M/D/1, M/M/1/K, a Jackson tandem, Little's law).
//!
//! # Budget
//!
//! `run.max_events` bounds the work; a run that reaches it stops, reports what it measured so
//! far and says so in [`Report::stopped_early`]. A run can never hang.

mod calls;
mod cancel;
mod compile;
mod core;
mod distribution;
mod fault_tally;
mod faults;
mod hedging;
mod measure;
mod metrics;
mod node;
#[cfg(test)]
mod node_tests;
pub mod policy;
mod probes;
mod queue;
mod request;
pub mod rng;
mod scaling;
mod sim;
#[cfg(test)]
mod sim_tests;
mod slab;
mod stats;
mod summary;
#[cfg(test)]
mod test_bench;
pub mod time;
mod workload;

use archsim_model::design::Design;
use archsim_model::report::Report;

/// The failure causes' names, in the report's order (the keys of `Series::failed_by_cause`).
pub use metrics::CAUSE_NAMES;
pub use stats::t_975;

/// Why a run could not start (for example, the design is invalid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub message: String,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

/// Raw statistics of one replication; combine several with [`summarize`].
#[derive(Debug, Clone)]
pub struct ReplicationResult {
    /// Exact post-warm-up figures, with this replication's time series.
    whole: Report,
    /// Figures of each batch of the post-warm-up period (for single-run confidence intervals).
    batches: Vec<Report>,
    /// Measured period over the length of one batch.
    periods_per_batch: f64,
}

impl ReplicationResult {
    /// Events processed by this replication.
    pub fn events(&self) -> u64 {
        self.whole.events
    }
}

/// One replication that runs in slices, so a caller can pause, report progress and resume (a
/// browser worker that must stay responsive to a "stop" message, say). Slicing never changes the
/// result: a replication advanced one event at a time gives the same [`ReplicationResult`], bit
/// for bit, as [`run_replication`], which is this in one slice.
pub struct Simulation {
    sim: sim::Sim,
    /// Which replication this is: only the first one's time series is reported.
    index: u32,
}

impl Simulation {
    /// Compiles replication `index` of `design` (seed derived from `design.run.seed` and
    /// `index`), ready to [`advance`](Self::advance). Fails if the design is invalid.
    pub fn new(design: &Design, index: u32) -> Result<Simulation, EngineError> {
        check(design)?;
        Ok(Simulation {
            sim: sim::Sim::new(design, index),
            index,
        })
    }

    /// Processes at most `max_events` events; returns true once the replication is over (end
    /// of simulated time or of the event budget), after which it does nothing more.
    pub fn advance(&mut self, max_events: u64) -> bool {
        self.sim.advance(max_events, &mut |_| {})
    }

    /// Fraction of simulated time done, in `0..=1`; exactly 1 once the replication is over.
    pub fn progress(&self) -> f64 {
        self.sim.progress()
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.sim.events
    }

    /// The time series so far: every bucket that has ended (a live view of a run under way; the
    /// finished replication's report carries the whole series).
    pub fn series(&self) -> &archsim_model::report::Series {
        &self.sim.measure.series
    }

    /// Simulated time reached, in ms.
    pub fn now_ms(&self) -> f64 {
        time::to_ms(self.sim.core.now)
    }

    /// Runs whatever is left and returns the replication's statistics.
    pub fn finish(mut self) -> ReplicationResult {
        while !self.advance(RUN_SLICE_EVENTS) {}
        let mut whole = summary::replication_report(&mut self.sim);
        if self.index > 0 {
            // The report's series is the first replication's; keeping every other one until
            // the replications are combined would multiply the series' memory by their number.
            whole.series = archsim_model::report::Series {
                bucket_ms: whole.series.bucket_ms,
                ..Default::default()
            };
        }
        ReplicationResult {
            whole,
            periods_per_batch: self.sim.periods_per_batch(),
            batches: std::mem::take(&mut self.sim.measure.batches),
        }
    }
}

/// Events per call of the event loop in [`run_replication`].
const RUN_SLICE_EVENTS: u64 = 1 << 12;

/// Runs replication `index` (seed derived from `design.run.seed` and `index`). `progress(fraction)`
/// is called now and then (about every 1% of simulated time) with a value in `0..=1`.
/// Deterministic: the same design and index always give the same result.
pub fn run_replication(
    design: &Design,
    index: u32,
    progress: &mut dyn FnMut(f64),
) -> Result<ReplicationResult, EngineError> {
    let mut simulation = Simulation::new(design, index)?;
    // In slices, not one call: V8 has no on-stack replacement for WebAssembly, so a function
    // entered once keeps running the baseline code it was entered with, however hot its loop.
    // Re-entering every few thousand events lets the optimised event loop take over (28% more
    // events per second in node); natively the slices cost 0.2% more instructions, and slicing
    // never changes a result (tests/stepping.rs).
    while !simulation.sim.advance(RUN_SLICE_EVENTS, progress) {}
    Ok(simulation.finish())
}

/// Combines replications into the report: means and 95% confidence half-widths (Student t over
/// replications when there are several; batch means within the run when there is one).
pub fn summarize(design: &Design, results: &[ReplicationResult]) -> Report {
    let mut report = match results {
        [] => Report::default(),
        [only] => {
            let mut report = only.whole.clone();
            summary::attach_batch_cis(&mut report, &only.batches, only.periods_per_batch);
            report
        }
        many => {
            let wholes: Vec<&Report> = many.iter().map(|r| &r.whole).collect();
            let mut report = summary::combine_replications(&wholes);
            report.events = many.iter().map(|r| r.whole.events).sum();
            report.stopped_early = many.iter().find_map(|r| r.whole.stopped_early.clone());
            report
        }
    };
    summary::fill_header(&mut report, design);
    report.replications = results.len() as u32;
    report
}

/// Runs every replication in order, then [`summarize`]s them.
pub fn run(design: &Design, progress: &mut dyn FnMut(f64)) -> Result<Report, EngineError> {
    check(design)?;
    let replications = design.run.replications.max(1);
    let mut results = Vec::with_capacity(replications as usize);
    for index in 0..replications {
        let mut scaled = |fraction: f64| {
            progress((index as f64 + fraction) / replications as f64);
        };
        results.push(run_replication(design, index, &mut scaled)?);
    }
    Ok(summarize(design, &results))
}

/// A stable 64-bit fingerprint of every number in a report (FNV-1a over `f64::to_bits`,
/// integers and ids), identical natively and in WASM.
pub fn report_fingerprint(report: &Report) -> u64 {
    summary::fingerprint(report)
}

/// Refuses designs the model's validation rejects, listing every problem with its path.
fn check(design: &Design) -> Result<(), EngineError> {
    let problems = archsim_model::validate(design);
    if problems.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    Err(EngineError {
        message: format!("the design is invalid:\n{}", lines.join("\n")),
    })
}

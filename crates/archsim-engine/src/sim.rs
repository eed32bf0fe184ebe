//! The simulation loop and the request paths every node kind shares: jobs, calls, attempts,
//! timeouts, retries, worker stations, faults and the period boundaries of measurement.
//!
//! Vocabulary:
//! - A **job** is one request being handled at one node, from its arrival to its reply.
//! - A **call** is a node's (or a client's) request along one edge, with all its attempts:
//!   it owns the timeout timer, the retry back-off and the breaker bookkeeping.
//! - An **attempt** creates a job at the callee. The callee's reply goes back to the call, which
//!   accepts it only if that attempt is still the one it waits for; a late reply after a timeout
//!   is dropped, exactly as a real client drops a response to a request it gave up on.
//!
//! Handlers never call back into a parent synchronously: every completion travels as an event,
//! so a node starting a fan-out never sees one of its calls finish halfway through the loop.

use std::collections::VecDeque;

use archsim_model::design::{BalancerAlgorithm, Design, FaultEffect, NodeKind, Workload};
use archsim_model::report::{Series, StopReason};

use crate::distribution::{ClassMix, Dist, KeySampler};
use crate::metrics::{
    LatencyStats, Outcome, PendingLatencies, Recorder, Snapshot, edge_area, edge_counter,
    node_area, node_counter,
};
use crate::node::{self, NodeModel};
use crate::policy::breaker::CircuitBreaker;
use crate::queue::EventQueue;
use crate::rng::{SimRng, StreamKind, stream_id};
use crate::slab::{Handle, Slab};
use crate::summary::PeriodFigures;
use crate::time::{SimTime, from_ms};
use crate::workload::Rate;

/// `Job::reply_edge` of a job that answers a `Call` (or nobody).
pub(crate) const NO_EDGE: u32 = u32::MAX;

/// Batches of the post-warm-up period, for confidence intervals within a single replication.
pub const BATCHES: u32 = 20;

/// The closed set of events. Small and `Copy`: ids are slab handles or indices, never owned data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// A traffic source sends its next request.
    Arrival {
        source: u32,
    },
    /// An attempt reaches its callee node.
    Arrive {
        job: Handle,
    },
    /// A node finished its own processing step of a job (service, overhead, lookup, delay).
    Done {
        job: Handle,
    },
    /// A callee's reply reaches the caller.
    Reply {
        call: Handle,
        attempt: u32,
        outcome: Outcome,
    },
    /// A callee's reply to a direct call (see `Job::reply_edge`) reaches the caller job.
    DirectReply {
        caller: Handle,
        edge: u32,
        outcome: Outcome,
    },
    /// The edge's breaker refused the call.
    ShortCircuit {
        call: Handle,
    },
    /// The earliest pending timeout of an edge is due (see `EdgeState::timers`).
    EdgeTimers {
        edge: u32,
    },
    /// Back-off over: send the next attempt.
    Retry {
        call: Handle,
    },
    FaultStart {
        fault: u32,
    },
    FaultEnd {
        fault: u32,
    },
    WarmupEnd,
    BatchEnd,
    BucketEnd,
    Progress,
    End,
}

/// Where a job is in its node's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    /// Sent, not yet arrived.
    Transit,
    /// Held up by an injected latency fault before the node looks at it.
    Delay,
    /// Waiting for a worker.
    Queued,
    /// Being served by a worker (or the node's own processing step).
    Serving,
    /// Waiting for downstream calls.
    Calling,
    /// Dropped while queued (caller timed out); its slot is freed when the queue reaches it.
    Cancelled,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Job {
    pub node: u32,
    /// The call this job answers (NONE for client requests and queued messages), or, for a
    /// direct call, the caller job itself.
    pub parent: Handle,
    pub attempt: u32,
    /// `NO_EDGE`, or the edge of a direct call: one along an edge without timeout, retries or
    /// breaker, which needs no `Call` record (see `Sim::start_call`); the reply goes back along
    /// this edge straight to the caller job in `parent`.
    pub reply_edge: u32,
    pub key: u64,
    pub class: u16,
    pub write: bool,
    pub state: JobState,
    /// Counted in the node's in-flight level.
    pub admitted: bool,
    pub holds_worker: bool,
    /// Worker station within the node (database member), else 0.
    pub station: u32,
    pub arrived: SimTime,
    /// Sequential calls: index of the next outgoing edge to consider.
    pub next_edge: u32,
    /// Parallel calls still outstanding.
    pub pending: u32,
    /// First failure among parallel calls (or the failed delivery of a message).
    pub failure: Outcome,
    /// That failure happened at this node (a timeout or short circuit of its own call).
    pub failure_here: bool,
    /// Kind-specific: load balancer backend, cache miss flag, message delivery count.
    pub aux: u32,
    /// Kind-specific flag: cache fill pending, message being dead-lettered.
    pub flag: bool,
}

impl Job {
    /// A request on its way along an edge to `node`: attempt `attempt` of the call `parent`
    /// (or, with `reply_edge` set, a direct call from the job `parent`). `request` is the
    /// request's (key, class, write) as the caller had it.
    #[inline]
    pub(crate) fn in_transit(
        node: u32,
        parent: Handle,
        attempt: u32,
        reply_edge: u32,
        request: (u64, u16, bool),
        now: SimTime,
    ) -> Job {
        let (key, class, write) = request;
        Job {
            node,
            parent,
            attempt,
            reply_edge,
            key,
            class,
            write,
            state: JobState::Transit,
            admitted: false,
            holds_worker: false,
            station: 0,
            arrived: now,
            next_edge: 0,
            pending: 0,
            failure: Outcome::Success,
            failure_here: false,
            aux: 0,
            flag: false,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub edge: u32,
    pub parent: Handle,
    pub key: u64,
    pub class: u16,
    pub write: bool,
    pub attempts: u32,
    /// An attempt is in flight (not timed out, not answered).
    pub outstanding: bool,
    pub callee: Handle,
}

/// Workers and a FIFO wait queue.
#[derive(Debug, Clone)]
pub(crate) struct Station {
    pub workers: u32,
    pub busy: u32,
    pub capacity: u64,
    /// Live jobs in `queue` (cancelled ones are skipped when reached).
    pub waiting: u64,
    pub queue: VecDeque<Handle>,
}

impl Station {
    pub fn new(workers: u32, capacity: u64) -> Station {
        Station {
            workers: workers.max(1),
            busy: 0,
            capacity,
            waiting: 0,
            queue: VecDeque::new(),
        }
    }
}

/// Active fault effects on a node (overlapping faults combine).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FaultState {
    pub crashed: bool,
    pub extra_latency: SimTime,
    pub error_rate: f64,
    pub slowdown: f64,
}

impl Default for FaultState {
    fn default() -> Self {
        FaultState {
            crashed: false,
            extra_latency: 0,
            error_rate: 0.0,
            slowdown: 1.0,
        }
    }
}

pub(crate) struct NodeState {
    pub model: NodeModel,
    /// Outgoing edges in design order.
    pub out: Vec<u32>,
    pub rng: SimRng,
    pub counters: u32,
    pub areas: u32,
    /// First kind-specific counter.
    pub extra: u32,
    pub fault: FaultState,
    pub active_faults: Vec<u32>,
    /// Round-robin cursor over `out`.
    pub rr: u32,
    pub cancel_on_timeout: bool,
    /// Latencies since the last period boundary, flushed into `latency_whole` and `_batch`.
    pub latency_pending: PendingLatencies,
    pub latency_whole: LatencyStats,
    pub latency_batch: LatencyStats,
}

pub(crate) struct RetrySettings {
    pub policy: archsim_model::design::RetryPolicy,
}

pub(crate) struct EdgeState {
    pub to: u32,
    pub latency: Dist,
    pub timeout: Option<SimTime>,
    pub retry: Option<RetrySettings>,
    pub breaker: Option<CircuitBreaker>,
    pub call_probability: f64,
    /// No timeout, no retries, no breaker: calls along it are direct (no `Call` record).
    pub plain: bool,
    /// Latencies on the way to the callee.
    pub rng: SimRng,
    /// Latencies on the way back: replies return in an order set downstream, so drawing them
    /// from `rng` would shift the requests' latencies whenever something downstream changes.
    pub reply_rng: SimRng,
    /// Retry back-offs, which depend on downstream failures, for the same reason.
    pub backoff_rng: SimRng,
    pub counters: u32,
    pub areas: u32,
    /// Pending timeouts `(deadline, call, attempt)`. An edge's timeout is a constant, so
    /// deadlines arrive in order and a FIFO holds them sorted; only the earliest sits in the
    /// event heap. Most timeouts never fire (the reply came first), and keeping them out of the
    /// heap keeps it small: this halves the run time of designs with timeouts.
    pub timers: VecDeque<(SimTime, Handle, u32)>,
    /// An `EdgeTimers` event for `timers.front()` is in the heap.
    pub timer_armed: bool,
}

pub(crate) enum SourceKind {
    Open(Rate),
    Closed { think: Dist },
}

pub(crate) struct Source {
    pub node: u32,
    pub kind: SourceKind,
    pub rng: SimRng,
    pub mix: ClassMix,
    /// None when no node looks at keys: the draws would be wasted.
    pub keys: Option<KeySampler>,
    /// Keys come from their own stream, so whether they are drawn at all (a cache added to the
    /// design, say) never shifts the source's arrival times.
    pub key_rng: SimRng,
    pub rr: u32,
}

pub(crate) struct FaultSpec {
    pub node: u32,
    pub effect: FaultEffect,
}

/// One replication in progress. It owns a copy of its design, so a paused replication (see
/// `crate::Simulation`) can be kept by a caller that does not keep the design alive.
pub(crate) struct Sim {
    pub design: Design,
    pub now: SimTime,
    pub end: SimTime,
    pub warmup_end: SimTime,
    pub queue: EventQueue<Event>,
    pub jobs: Slab<Job>,
    pub calls: Slab<Call>,
    pub nodes: Vec<NodeState>,
    pub edges: Vec<EdgeState>,
    pub sources: Vec<Source>,
    pub faults: Vec<FaultSpec>,
    pub recorder: Recorder,
    /// The latencies clients saw, all clients together, per period. (The overall counters are
    /// not kept apart: they are the clients' own, added up when a period is read; see
    /// `summary::period_figures`.)
    pub overall_whole: LatencyStats,
    pub overall_batch: LatencyStats,
    pub overall_bucket: LatencyStats,
    pub events: u64,
    max_events: u64,
    pub stopped_early: Option<StopReason>,
    /// The run is over and its periods are closed (`advance` does nothing more).
    finished: bool,
    // Measurement periods.
    pub warmup_snapshot: Option<Snapshot>,
    batch_start: Option<Snapshot>,
    batch_index: u32,
    pub batches: Vec<PeriodFigures>,
    bucket_ns: SimTime,
    bucket_start: Option<Snapshot>,
    pub series: Series,
    progress_step: SimTime,
    /// Every request a source sent: (time, source, class, key). Tests only.
    #[cfg(test)]
    pub arrival_log: Vec<(SimTime, u32, u16, u64)>,
}

impl Sim {
    /// Compiles the design into a replication ready to run. The design must be valid.
    pub fn new(design: &Design, replication: u32) -> Sim {
        let seed = design.run.seed;
        let rep = replication as u64;
        let end = from_ms(design.run.duration_ms).max(1);
        let warmup_end = from_ms(design.run.warmup_ms).min(end);
        let mut recorder = Recorder::default();

        let node_index = |id: &str| {
            design
                .nodes
                .iter()
                .position(|n| n.id == id)
                .map(|i| i as u32)
        };

        // Request classes, interned across every client so routes can index them.
        let mut class_names: Vec<String> = Vec::new();
        let mut intern = |name: &str| -> u16 {
            if let Some(i) = class_names.iter().position(|c| c == name) {
                i as u16
            } else {
                class_names.push(name.to_string());
                (class_names.len() - 1) as u16
            }
        };
        let mut mixes = Vec::new();
        for node in &design.nodes {
            if let NodeKind::Client(params) = &node.spec {
                mixes.push(ClassMix::new(&params.mix, &mut intern));
            }
        }
        let key_space = design
            .nodes
            .iter()
            .filter_map(|n| match &n.spec {
                NodeKind::Client(c) => Some(c.keys.count.max(1)),
                _ => None,
            })
            .max()
            .unwrap_or(1);

        let keys_matter = design.nodes.iter().any(|n| match &n.spec {
            NodeKind::Cache(_) | NodeKind::Database(_) => true,
            NodeKind::LoadBalancer(lb) => {
                matches!(lb.algorithm, BalancerAlgorithm::ConsistentHash { .. })
            }
            NodeKind::RateLimiter(rl) => rl.per_key,
            _ => false,
        });

        let mut edges = Vec::with_capacity(design.edges.len());
        for edge in &design.edges {
            let params = &edge.params;
            let stream = stream_id(&edge.id);
            let timeout = params.timeout_ms.map(from_ms);
            let retry = params
                .retry
                .as_ref()
                .filter(|r| r.max_attempts > 1)
                .map(|r| RetrySettings { policy: r.clone() });
            let breaker = params.circuit_breaker.as_ref().map(CircuitBreaker::new);
            edges.push(EdgeState {
                to: node_index(&edge.to).unwrap_or(0),
                latency: Dist::new(&params.latency),
                plain: timeout.is_none() && retry.is_none() && breaker.is_none(),
                timeout,
                retry,
                breaker,
                call_probability: params.call_probability,
                rng: SimRng::derive(seed, rep, StreamKind::Edge, stream),
                reply_rng: SimRng::derive(seed, rep, StreamKind::EdgeReply, stream),
                backoff_rng: SimRng::derive(seed, rep, StreamKind::EdgeBackoff, stream),
                counters: recorder.alloc_counters(edge_counter::COUNT),
                areas: recorder.alloc_areas(edge_area::COUNT),
                timers: VecDeque::new(),
                timer_armed: false,
            });
        }

        let mut nodes = Vec::with_capacity(design.nodes.len());
        let mut sources = Vec::new();
        let mut mixes = mixes.into_iter();
        for (i, node) in design.nodes.iter().enumerate() {
            let stream = stream_id(&node.id);
            let out: Vec<u32> = design
                .edges
                .iter()
                .enumerate()
                .filter(|(_, e)| e.from == node.id)
                .map(|(j, _)| j as u32)
                .collect();
            let counters = recorder.alloc_counters(node_counter::COUNT);
            let areas = recorder.alloc_areas(node_area::COUNT);
            let built = node::build(node, &out, design, &class_names, key_space);
            let extra = recorder.alloc_counters(built.extra_counters);
            if let NodeKind::Client(params) = &node.spec {
                let kind = match &params.workload {
                    Workload::OpenLoop { rate } => SourceKind::Open(Rate::new(rate)),
                    Workload::ClosedLoop { think_time, .. } => SourceKind::Closed {
                        think: Dist::new(think_time),
                    },
                };
                sources.push(Source {
                    node: i as u32,
                    kind,
                    rng: SimRng::derive(seed, rep, StreamKind::Source, stream),
                    mix: mixes.next().expect("one mix per client"),
                    keys: keys_matter.then(|| KeySampler::new(&params.keys)),
                    key_rng: SimRng::derive(seed, rep, StreamKind::SourceKeys, stream),
                    rr: 0,
                });
            }
            let cancel_on_timeout =
                matches!(&node.spec, NodeKind::Service(s) if s.cancel_on_timeout);
            nodes.push(NodeState {
                model: built.model,
                out,
                rng: SimRng::derive(seed, rep, StreamKind::Node, stream),
                counters,
                areas,
                extra,
                fault: FaultState::default(),
                active_faults: Vec::new(),
                rr: 0,
                cancel_on_timeout,
                latency_pending: PendingLatencies::default(),
                latency_whole: LatencyStats::default(),
                latency_batch: LatencyStats::default(),
            });
        }

        let faults = design
            .faults
            .iter()
            .filter_map(|f| {
                node_index(&f.target).map(|node| FaultSpec {
                    node,
                    effect: f.effect.clone(),
                })
            })
            .collect();

        let bucket_ns = from_ms(design.run.bucket_ms).max(1);

        let mut sim = Sim {
            design: design.clone(),
            now: 0,
            end,
            warmup_end,
            queue: EventQueue::new(),
            jobs: Slab::default(),
            calls: Slab::default(),
            nodes,
            edges,
            sources,
            faults,
            recorder,
            overall_whole: LatencyStats::default(),
            overall_batch: LatencyStats::default(),
            overall_bucket: LatencyStats::default(),
            events: 0,
            max_events: design.run.max_events.max(1),
            stopped_early: None,
            finished: false,
            warmup_snapshot: None,
            batch_start: None,
            batch_index: 0,
            batches: Vec::new(),
            bucket_ns,
            bucket_start: None,
            series: Series {
                bucket_ms: design.run.bucket_ms,
                ..Series::default()
            },
            progress_step: (end / 100).max(1),
            #[cfg(test)]
            arrival_log: Vec::new(),
        };
        sim.schedule_initial();
        sim
    }

    fn schedule_initial(&mut self) {
        // End first: among events at the end instant it pops first, so nothing at `end` runs.
        self.queue.push(self.end, Event::End);
        self.bucket_start = Some(self.recorder.snapshot(0));
        if self.bucket_ns < self.end {
            self.queue.push(self.bucket_ns, Event::BucketEnd);
        }
        if self.warmup_end == 0 {
            self.begin_measurement();
        } else {
            self.queue.push(self.warmup_end, Event::WarmupEnd);
        }
        if self.progress_step < self.end {
            self.queue.push(self.progress_step, Event::Progress);
        }
        for (i, fault) in self.design.faults.iter().enumerate() {
            if i >= self.faults.len() {
                break;
            }
            let start = from_ms(fault.at_ms);
            let stop = start.saturating_add(from_ms(fault.duration_ms));
            if start < self.end && stop > start {
                self.queue
                    .push(start, Event::FaultStart { fault: i as u32 });
                self.queue.push(stop, Event::FaultEnd { fault: i as u32 });
            }
        }
        for source in 0..self.sources.len() as u32 {
            let first = {
                let src = &mut self.sources[source as usize];
                match &src.kind {
                    SourceKind::Open(rate) => rate
                        .next_arrival(0, self.end, &mut src.rng)
                        .map(|t| vec![t])
                        .unwrap_or_default(),
                    SourceKind::Closed { think } => {
                        let users = match &self.design.nodes[src.node as usize].spec {
                            NodeKind::Client(c) => match c.workload {
                                Workload::ClosedLoop { users, .. } => users,
                                _ => 0,
                            },
                            _ => 0,
                        };
                        // Each user starts after one think time, so they do not all fire at 0.
                        (0..users).map(|_| think.sample(&mut src.rng)).collect()
                    }
                }
            };
            for t in first {
                self.queue.push(t, Event::Arrival { source });
            }
        }
    }

    /// Runs to the end of simulated time or the event budget.
    #[cfg(test)]
    pub fn run(&mut self, progress: &mut dyn FnMut(f64)) {
        while !self.advance(u64::MAX, progress) {}
    }

    /// Processes at most `max_steps` events; true once the run is over (end of simulated time,
    /// event budget, or nothing left to do), after which further calls do nothing. Stopping
    /// between two events and going on later changes nothing: the run is the same sequence of
    /// events whatever the slices.
    pub fn advance(&mut self, max_steps: u64, progress: &mut dyn FnMut(f64)) -> bool {
        if self.finished {
            return true;
        }
        for _ in 0..max_steps {
            let Some((time, event)) = self.queue.pop() else {
                self.complete(progress);
                return true;
            };
            if self.events >= self.max_events {
                self.stopped_early = Some(StopReason::EventBudget {
                    max_events: self.max_events,
                    at_ms: crate::time::to_ms(self.now),
                });
                self.complete(progress);
                return true;
            }
            self.now = time;
            self.events += 1;
            match event {
                Event::Arrival { source } => self.on_source_arrival(source),
                Event::Arrive { job } => self.on_arrive(job),
                Event::Done { job } => self.on_done(job),
                Event::Reply {
                    call,
                    attempt,
                    outcome,
                } => self.on_reply(call, attempt, outcome),
                Event::DirectReply {
                    caller,
                    edge,
                    outcome,
                } => self.on_direct_reply(caller, edge, outcome),
                Event::ShortCircuit { call } => self.on_short_circuit(call),
                Event::EdgeTimers { edge } => self.on_edge_timers(edge),
                Event::Retry { call } => self.on_retry(call),
                Event::FaultStart { fault } => self.on_fault(fault, true),
                Event::FaultEnd { fault } => self.on_fault(fault, false),
                Event::WarmupEnd => self.begin_measurement(),
                Event::BatchEnd => self.end_batch(),
                Event::BucketEnd => {
                    self.end_bucket();
                    let next = self.now.saturating_add(self.bucket_ns);
                    if next < self.end {
                        self.queue.push(next, Event::BucketEnd);
                    }
                }
                Event::Progress => {
                    progress(self.progress());
                    let next = self.now.saturating_add(self.progress_step);
                    if next < self.end {
                        self.queue.push(next, Event::Progress);
                    }
                }
                Event::End => {
                    self.complete(progress);
                    return true;
                }
            }
        }
        false
    }

    /// Fraction of simulated time done, in `0..=1` (1 once the run is over).
    pub fn progress(&self) -> f64 {
        if self.finished {
            1.0
        } else {
            (self.now as f64 / self.end as f64).min(1.0)
        }
    }

    /// Closes the open measurement periods; the run is over.
    fn complete(&mut self, progress: &mut dyn FnMut(f64)) {
        self.finish_run();
        self.finished = true;
        progress(1.0);
    }

    #[inline]
    pub fn schedule(&mut self, delay: SimTime, event: Event) {
        self.queue.push(self.now.saturating_add(delay), event);
    }

    // -----------------------------------------------------------------------------------------
    // Measurement periods

    /// Moves the latencies recorded since the last period boundary into the histograms of the
    /// periods they belong to. Due at every boundary, before a period's histogram is read or
    /// reset. A client's latencies are also the overall ones, and time-series buckets need
    /// those, so clients are flushed at every boundary, other nodes only when `nodes_too`.
    fn flush_latencies(&mut self, nodes_too: bool) {
        for node in &mut self.nodes {
            if matches!(node.model, NodeModel::Client) {
                node.latency_pending.flush_into(&mut [
                    &mut node.latency_whole,
                    &mut node.latency_batch,
                    &mut self.overall_whole,
                    &mut self.overall_batch,
                    &mut self.overall_bucket,
                ]);
            } else if nodes_too {
                node.latency_pending
                    .flush_into(&mut [&mut node.latency_whole, &mut node.latency_batch]);
            }
        }
    }

    fn begin_measurement(&mut self) {
        self.flush_latencies(true);
        let snapshot = self.recorder.snapshot(self.now);
        self.overall_whole.reset();
        self.overall_batch.reset();
        for node in &mut self.nodes {
            node.latency_whole.reset();
            node.latency_batch.reset();
            node.model.reset_period_maxima(true);
        }
        self.warmup_snapshot = Some(snapshot.clone());
        self.batch_start = Some(snapshot);
        self.batch_index = 0;
        self.schedule_next_batch_end();
    }

    fn batch_boundary(&self, k: u32) -> SimTime {
        let span = (self.end - self.warmup_end) as u128;
        self.warmup_end + (span * k as u128 / BATCHES as u128) as SimTime
    }

    /// The measured period (warm-up end to where the run stopped) in batch lengths.
    pub fn periods_per_batch(&self) -> f64 {
        let batch = (self.end - self.warmup_end) as f64 / BATCHES as f64;
        let measured = self.now.saturating_sub(self.warmup_end) as f64;
        if batch > 0.0 { measured / batch } else { 0.0 }
    }

    fn schedule_next_batch_end(&mut self) {
        // The last batch is closed by `finish_run` at the end instant.
        if self.batch_index + 1 < BATCHES {
            let at = self.batch_boundary(self.batch_index + 1);
            if at > self.now && at < self.end {
                self.queue.push(at, Event::BatchEnd);
            }
        }
    }

    fn end_batch(&mut self) {
        let Some(start) = self.batch_start.take() else {
            return;
        };
        self.flush_latencies(true);
        let end = self.recorder.snapshot(self.now);
        let figures = crate::summary::period_figures(self, &start, &end, false);
        self.batches.push(figures);
        self.overall_batch.reset();
        for node in &mut self.nodes {
            node.latency_batch.reset();
            node.model.reset_period_maxima(false);
        }
        self.batch_start = Some(end);
        self.batch_index += 1;
        self.schedule_next_batch_end();
    }

    fn end_bucket(&mut self) {
        let Some(start) = self.bucket_start.take() else {
            return;
        };
        self.flush_latencies(false);
        let end = self.recorder.snapshot(self.now);
        crate::summary::push_bucket(self, &start, &end);
        self.overall_bucket.reset();
        self.bucket_start = Some(end);
    }

    fn finish_run(&mut self) {
        self.flush_latencies(true);
        if self.now > self.end {
            self.now = self.end;
        }
        let stopped = self.stopped_early.is_some();
        if !stopped {
            self.now = self.end;
        }
        if self
            .bucket_start
            .as_ref()
            .is_some_and(|start| self.now > start.at)
        {
            self.end_bucket();
        }
        // A batch cut short by the event budget would be shorter than the others; leave it out.
        if !stopped && self.warmup_snapshot.is_some() && self.batch_index + 1 == BATCHES {
            self.end_batch();
        }
    }

    // -----------------------------------------------------------------------------------------
    // Sources

    fn on_source_arrival(&mut self, source: u32) {
        let now = self.now;
        let end = self.end;
        let src = &mut self.sources[source as usize];
        let node = src.node;
        let (class, write) = src.mix.sample(&mut src.rng);
        let key = match &src.keys {
            Some(keys) => keys.sample(&mut src.key_rng),
            None => 0,
        };
        let next = match &src.kind {
            SourceKind::Open(rate) => rate.next_arrival(now, end, &mut src.rng),
            SourceKind::Closed { .. } => None,
        };
        let edge = if self.nodes[node as usize].out.is_empty() {
            None
        } else {
            let n = &mut self.nodes[node as usize];
            let e = n.out[(src.rr % n.out.len() as u32) as usize];
            src.rr = src.rr.wrapping_add(1);
            Some(e)
        };
        if let Some(t) = next {
            self.queue.push(t, Event::Arrival { source });
        }
        if self.nodes[node as usize].fault.crashed {
            // A crashed client sends nothing; a closed-loop user tries again after thinking.
            self.schedule_think(source);
            return;
        }
        #[cfg(test)]
        self.arrival_log.push((now, source, class, key));
        let counters = self.nodes[node as usize].counters;
        self.recorder.incr(counters + node_counter::ARRIVALS);
        let areas = self.nodes[node as usize].areas;
        self.recorder
            .change_level(areas + node_area::IN_FLIGHT, now, 1);
        let job = self.jobs.insert(Job {
            node,
            parent: Handle::NONE,
            attempt: source,
            reply_edge: NO_EDGE,
            key,
            class,
            write,
            state: JobState::Calling,
            admitted: true,
            holds_worker: false,
            station: 0,
            arrived: now,
            next_edge: 0,
            pending: 0,
            failure: Outcome::Success,
            failure_here: false,
            aux: source,
            flag: false,
        });
        match edge {
            Some(edge) => self.start_call(job, edge),
            None => self.finish_client_request(job, Outcome::Success),
        }
    }

    /// A client request is over. What the client saw is counted at the client node, which is
    /// where the overall figures come from too.
    pub(crate) fn finish_client_request(&mut self, job: Handle, outcome: Outcome) {
        let Some(source) = self.jobs.get(job).map(|j| j.aux) else {
            return;
        };
        self.finish(job, outcome);
        self.schedule_think(source);
    }

    fn schedule_think(&mut self, source: u32) {
        let src = &mut self.sources[source as usize];
        if let SourceKind::Closed { think } = &src.kind {
            let delay = think.sample(&mut src.rng).max(1);
            self.schedule(delay, Event::Arrival { source });
        }
    }

    #[inline]
    fn record_completion(&mut self, counters: u32, outcome: Outcome) {
        self.recorder.incr(counters + node_counter::COMPLETIONS);
        match outcome.cause() {
            None => self.recorder.incr(counters + node_counter::SUCCEEDED),
            Some(cause) => self
                .recorder
                .incr(counters + node_counter::FAILED + cause as u32),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Jobs at nodes

    fn on_arrive(&mut self, handle: Handle) {
        let now = self.now;
        let Some(job) = self.jobs.get_mut(handle) else {
            return;
        };
        if job.state == JobState::Cancelled {
            self.jobs.remove(handle);
            return;
        }
        job.arrived = now;
        let node = job.node as usize;
        let counters = self.nodes[node].counters;
        self.recorder.incr(counters + node_counter::ARRIVALS);
        if self.nodes[node].fault.crashed {
            self.finish(handle, Outcome::NodeDown);
            return;
        }
        let job = self.jobs.get_mut(handle).expect("checked above");
        job.admitted = true;
        self.recorder
            .change_level(self.nodes[node].areas + node_area::IN_FLIGHT, now, 1);
        let extra = self.nodes[node].fault.extra_latency;
        if extra > 0 && self.nodes[node].model.has_no_own_delay() {
            job.state = JobState::Delay;
            self.schedule(extra, Event::Done { job: handle });
            return;
        }
        self.node_accept(handle);
    }

    fn on_done(&mut self, handle: Handle) {
        let Some(job) = self.jobs.get_mut(handle) else {
            return;
        };
        if job.state == JobState::Delay {
            self.node_accept(handle);
        } else {
            self.node_done(handle);
        }
    }

    /// The job leaves its node with `outcome`, a failure of the node's own making: metrics,
    /// in-flight, worker, reply to the caller.
    pub(crate) fn finish(&mut self, handle: Handle, outcome: Outcome) {
        self.finish_counting(handle, outcome, true);
    }

    /// The job leaves its node with the outcome of a call it made. A failure that happened
    /// downstream (`here` false) is counted at the node where it happened, not again at every
    /// node it passes through; timeouts and short circuits happen here, at the caller.
    pub(crate) fn pass_on(&mut self, handle: Handle, outcome: Outcome, here: bool) {
        self.finish_counting(handle, outcome, here);
    }

    fn finish_counting(&mut self, handle: Handle, outcome: Outcome, count_failure: bool) {
        let Some(&job) = self.jobs.get(handle) else {
            return;
        };
        let now = self.now;
        let n = job.node as usize;
        let counters = self.nodes[n].counters;
        // A success is always this node's success too; only a failure that happened downstream
        // is left to the node where it happened.
        if count_failure || outcome.is_success() {
            self.record_completion(counters, outcome);
        } else {
            self.recorder.incr(counters + node_counter::COMPLETIONS);
        }
        if job.admitted {
            let areas = self.nodes[n].areas;
            self.recorder
                .change_level(areas + node_area::IN_FLIGHT, now, -1);
            if outcome.is_success() {
                let latency = now - job.arrived;
                self.recorder
                    .add_area(areas + node_area::LATENCY_SUM, latency as u128);
                self.nodes[n].latency_pending.record(latency);
            }
        }
        if !job.parent.is_none() {
            self.send_reply(job.parent, job.attempt, job.reply_edge, outcome);
        }
        if job.state == JobState::Queued {
            // Still in a wait queue: the queue frees the slot when it reaches it.
            let job = self.jobs.get_mut(handle).expect("live");
            job.state = JobState::Cancelled;
            job.holds_worker = false;
        } else {
            self.jobs.remove(handle);
        }
        if job.holds_worker {
            self.release_worker(job.node, job.station);
        }
    }

    /// The callee's reply to `parent` (a call, or the caller job of a direct call along
    /// `reply_edge`) travels back along the edge.
    pub(crate) fn send_reply(
        &mut self,
        parent: Handle,
        attempt: u32,
        reply_edge: u32,
        outcome: Outcome,
    ) {
        if reply_edge != NO_EDGE {
            let edge = &mut self.edges[reply_edge as usize];
            let latency = edge.latency.sample(&mut edge.reply_rng);
            self.schedule(
                latency,
                Event::DirectReply {
                    caller: parent,
                    edge: reply_edge,
                    outcome,
                },
            );
            return;
        }
        let call = parent;
        let Some(c) = self.calls.get(call) else {
            return;
        };
        if !c.outstanding || c.attempts != attempt {
            return;
        }
        let edge = &mut self.edges[c.edge as usize];
        let latency = edge.latency.sample(&mut edge.reply_rng);
        self.schedule(
            latency,
            Event::Reply {
                call,
                attempt,
                outcome,
            },
        );
    }

    // -----------------------------------------------------------------------------------------
    // Stations (workers + FIFO queue)

    /// Hands the job to a worker of `station`, queues it, or rejects it (queue full).
    pub(crate) fn station_admit(&mut self, handle: Handle, station: u32) {
        let now = self.now;
        let n = self.jobs.get(handle).expect("live job").node as usize;
        let areas = self.nodes[n].areas;
        let st = self.nodes[n].model.station_mut(station);
        if st.busy < st.workers {
            st.busy += 1;
            self.recorder.change_level(areas + node_area::BUSY, now, 1);
            let job = self.jobs.get_mut(handle).expect("live job");
            job.station = station;
            job.holds_worker = true;
            job.state = JobState::Serving;
            self.begin_work(handle);
        } else if st.waiting < st.capacity {
            st.waiting += 1;
            st.queue.push_back(handle);
            self.recorder.change_level(areas + node_area::QUEUE, now, 1);
            let depth = self.recorder.level(areas + node_area::QUEUE);
            self.nodes[n].model.note_depth(depth as u64);
            let job = self.jobs.get_mut(handle).expect("live job");
            job.station = station;
            job.state = JobState::Queued;
        } else {
            self.finish(handle, Outcome::QueueFull);
        }
    }

    /// A worker of `station` is free: it takes the next live job in the queue, if any.
    pub(crate) fn release_worker(&mut self, node: u32, station: u32) {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let crashed = self.nodes[n].fault.crashed;
        let st = self.nodes[n].model.station_mut(station);
        st.busy = st.busy.saturating_sub(1);
        self.recorder.change_level(areas + node_area::BUSY, now, -1);
        if crashed {
            return;
        }
        loop {
            let st = self.nodes[n].model.station_mut(station);
            let Some(next) = st.queue.pop_front() else {
                return;
            };
            match self.jobs.get(next).map(|j| j.state) {
                Some(JobState::Queued) => {
                    st.waiting -= 1;
                    st.busy += 1;
                    self.recorder
                        .change_level(areas + node_area::QUEUE, now, -1);
                    self.recorder.change_level(areas + node_area::BUSY, now, 1);
                    let job = self.jobs.get_mut(next).expect("live");
                    job.holds_worker = true;
                    job.state = JobState::Serving;
                    self.begin_work(next);
                    return;
                }
                Some(_) => {
                    // Cancelled while waiting: its slot was kept for this moment.
                    self.jobs.remove(next);
                }
                None => {}
            }
        }
    }

    /// Releases the worker a job holds without finishing the job (pipeline stages, redelivery).
    pub(crate) fn let_go_of_worker(&mut self, handle: Handle) {
        let Some(job) = self.jobs.get_mut(handle) else {
            return;
        };
        if job.holds_worker {
            job.holds_worker = false;
            let (node, station) = (job.node, job.station);
            self.release_worker(node, station);
        }
    }

    /// Removes a queued job's entry from the accounting when it is cancelled in place.
    pub(crate) fn unqueue_in_place(&mut self, handle: Handle) {
        let Some(&job) = self.jobs.get(handle) else {
            return;
        };
        if job.state != JobState::Queued {
            return;
        }
        let n = job.node as usize;
        let areas = self.nodes[n].areas;
        let st = self.nodes[n].model.station_mut(job.station);
        st.waiting -= 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, self.now, -1);
    }

    /// Service-time multiplier for load-dependent slow-down and injected slow-down.
    pub(crate) fn slowdown_factor(&self, n: usize, busy: u32, workers: u32) -> f64 {
        let mut factor = self.nodes[n].fault.slowdown;
        if let Some((knee, extra)) = self.nodes[n].model.slowdown() {
            let u = busy as f64 / workers.max(1) as f64;
            if u > knee && knee < 1.0 {
                factor *= 1.0 + extra * (u - knee) / (1.0 - knee);
            }
        }
        factor
    }

    /// A processing time with slow-down and injected latency applied.
    pub(crate) fn stretched(&self, n: usize, base: SimTime, factor: f64) -> SimTime {
        let scaled = if factor == 1.0 {
            base
        } else {
            let x = base as f64 * factor;
            if x >= u64::MAX as f64 {
                u64::MAX
            } else {
                (x + 0.5) as SimTime
            }
        };
        scaled.saturating_add(self.nodes[n].fault.extra_latency)
    }

    /// Whether the node fails this request (its own error rate plus injected errors).
    pub(crate) fn draws_error(&mut self, n: usize, own_rate: f64) -> bool {
        let rate = own_rate + self.nodes[n].fault.error_rate;
        self.nodes[n].rng.chance(rate)
    }

    /// Next outgoing edge in round-robin order among `edges`.
    pub(crate) fn round_robin(&mut self, n: usize, edges_len: u32) -> u32 {
        let node = &mut self.nodes[n];
        let i = node.rr % edges_len.max(1);
        node.rr = node.rr.wrapping_add(1);
        i
    }

    /// Jobs alive now and job slots ever allocated (tests of slot reuse).
    #[cfg(test)]
    pub fn job_slots(&self) -> (u32, usize) {
        (self.jobs.len(), self.jobs.slots())
    }
}

//! The engine core: the state every node kind shares (the clock, the event queue, jobs and
//! calls, each node's and edge's common state, the recorder) and the request paths that are the
//! same for every kind: a job arriving, finishing and replying, worker stations and their wait
//! queues (`core/stations.rs`), calls along edges (`calls.rs`).
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
//! The one synchronous hand-over is within a node: a worker set free goes at once to the next
//! job in its wait queue. The core cannot run a node's steps (it knows no node kinds), so the
//! operations that may hand a worker on return the job that got it ([`Grant`]), and the caller
//! (a node's context, or the simulation) starts that job's work right away.

use std::collections::VecDeque;

use crate::distribution::Dist;
use crate::fault_tally::{FaultTally, Hits, Trip};
use crate::metrics::{LatencyStats, Outcome, PendingLatencies, Recorder, node_area, node_counter};
use crate::policy::adaptive_throttle::AdaptiveThrottle;
use crate::policy::breaker::CircuitBreaker;
use crate::policy::hedging::Hedging;
use crate::policy::limiter::Limiter;
use crate::policy::retry_budget::RetryBudget;
use crate::queue::EventQueue;
use crate::request::{Call, HedgedCall, Job, JobState, NO_EDGE};
use crate::rng::SimRng;
use crate::slab::{Handle, Slab};
use crate::time::SimTime;

mod stations;

pub(crate) use stations::{Admission, Grant, Station};

/// The closed set of events. Small and `Copy`: ids are slab handles or indices, never owned data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// An attempt reaches its callee node.
    Arrive {
        job: Handle,
    },
    /// A node finished its own processing step of a job (service, overhead, lookup, delay).
    Done {
        job: Handle,
    },
    /// A timer a node set for itself (a client's next request, say); `tag` is the node's own.
    NodeTimer {
        node: u32,
        tag: u32,
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
    /// An attempt along a deadline-propagating edge gives up (its own timeout, or the deadline
    /// it inherited, whichever came first).
    AttemptDeadline {
        call: Handle,
        attempt: u32,
    },
    /// The caller's deadline had passed before the attempt could be sent.
    DeadlineGone {
        call: Handle,
    },
    /// The edge's bulkhead was full: the attempt was not sent.
    BulkheadFull {
        call: Handle,
    },
    /// The route's rate limit (an API gateway's edge) refused the attempt: it was not sent.
    RouteRateLimited {
        call: Handle,
    },
    /// The edge's adaptive throttling rejected the attempt locally.
    Throttled {
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
    /// A hedged call's wait is over: send attempt `attempt` if no answer came yet.
    Hedge {
        call: Handle,
        attempt: u32,
    },
    /// A balancer's health probe reaches its backend (see `probes.rs`).
    ProbeArrive {
        job: Handle,
    },
    /// The answer to a health probe reaches the balancer `node`.
    ProbeReply {
        node: u32,
        backend: u32,
        seq: u32,
        passed: bool,
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

/// What the core keeps about every node, whatever its kind.
pub(crate) struct NodeState {
    /// Outgoing edges in design order.
    pub out: Vec<u32>,
    /// Worker stations (none for kinds without workers).
    pub stations: Vec<Station>,
    pub rng: SimRng,
    pub counters: u32,
    pub areas: u32,
    /// First kind-specific counter.
    pub extra: u32,
    pub fault: FaultState,
    pub active_faults: Vec<u32>,
    /// What faults did here so far (see `fault_tally`).
    pub hits: Hits,
    /// Round-robin cursor over `out`.
    pub rr: u32,
    pub cancel_on_timeout: bool,
    /// The kind has no processing time of its own: an injected latency fault delays requests on
    /// arrival instead of stretching a processing step.
    pub delays_on_arrival: bool,
    /// A traffic source: its latencies are also the overall ones.
    pub is_client: bool,
    /// The station a health probe waits at for a worker (services, databases); None: the node
    /// answers probes without a worker.
    pub probe_station: Option<u32>,
    /// Latencies since the last period boundary, flushed into `latency_whole` and `_batch`.
    pub latency_pending: PendingLatencies,
    pub latency_whole: LatencyStats,
    pub latency_batch: LatencyStats,
}

impl EdgeState {
    /// A trip of `base` latency along the edge, with its faults: None when a partition
    /// swallows it, else the latency plus any injected extra and jitter. What the faults did
    /// is counted in `hits`.
    #[inline]
    pub fn trip(&mut self, base: SimTime, trip: Trip) -> Option<SimTime> {
        let fault = self.fault;
        if fault.partitions > 0 {
            self.hits.vanished(trip);
            return None;
        }
        let mut latency = base.saturating_add(fault.extra);
        if fault.jitter > 0 {
            let unit = self.fault_rng.uniform01();
            latency = latency.saturating_add((unit * fault.jitter as f64) as SimTime);
            if trip != Trip::Probe {
                self.hits.jitter_units += unit;
            }
        }
        if fault.latencies > 0 && trip != Trip::Probe {
            self.hits.trips_delayed += 1;
        }
        Some(latency)
    }
}

impl NodeState {
    /// Total workers (connections, consumers), for utilisation.
    pub fn capacity(&self) -> u64 {
        self.stations.iter().map(|s| s.workers as u64).sum()
    }
}

/// Active faults on an edge (overlapping faults combine: partitions count, latencies add).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EdgeFault {
    /// Partitions in force: while any is, every trip along the edge vanishes.
    pub partitions: u32,
    /// Extra latencies in force (their trips are counted as delayed, even by 0 ms).
    pub latencies: u32,
    /// Added to every trip, there and back.
    pub extra: SimTime,
    /// A uniform draw in `[0, jitter]` added on top.
    pub jitter: SimTime,
}

pub(crate) struct EdgeState {
    pub to: u32,
    /// Partitions and extra latency on the timeline, and the jitter's draws.
    pub fault: EdgeFault,
    pub fault_rng: SimRng,
    /// What faults did along the edge so far (see `fault_tally`).
    pub hits: Hits,
    pub latency: Dist,
    pub timeout: Option<SimTime>,
    pub retry: Option<archsim_model::design::RetryPolicy>,
    pub breaker: Option<CircuitBreaker>,
    /// Finagle's retry budget: a retry the retry policy allows is made only if it can pay.
    pub budget: Option<RetryBudget>,
    /// The SRE book's client-side adaptive throttling, with its own draws.
    pub throttle: Option<AdaptiveThrottle>,
    pub throttle_rng: SimRng,
    /// A gateway route's rate limit, asked before anything else about each attempt.
    pub limiter: Option<Limiter>,
    /// The bulkhead's limit on attempts in flight, and how many are.
    pub bulkhead: Option<u32>,
    pub attempts_in_flight: u32,
    /// gRPC's hedging policy: more attempts of a slow call, the first answer wins.
    pub hedging: Option<Hedging>,
    /// Deadlines propagate along this edge (timeouts then vary per attempt: each has its own
    /// `AttemptDeadline` event instead of a place in `timers`).
    pub propagate: bool,
    pub call_probability: f64,
    /// No timeout, retries, breaker, budget or throttling: calls along it are direct (no
    /// `Call` record).
    pub plain: bool,
    /// Latencies on the way to the callee.
    pub rng: SimRng,
    /// Latencies on the way back: replies return in an order set downstream, so drawing them
    /// from `rng` would shift the requests' latencies whenever something downstream changes.
    pub reply_rng: SimRng,
    /// Retry back-offs, which depend on downstream failures, for the same reason.
    pub backoff_rng: SimRng,
    /// Health probes' latencies there and back (apart, so probes shift no request's draws).
    pub probe_rng: SimRng,
    pub probe_reply_rng: SimRng,
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

/// A call that is over, for its caller: the caller job, the outcome and whether a failure
/// arose at the caller (its timeout or breaker) rather than downstream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallOver {
    pub caller: Handle,
    /// The caller's node.
    pub node: u32,
    pub outcome: Outcome,
    pub here: bool,
}

/// The shared state of one replication (see the module note).
pub(crate) struct Core {
    pub now: SimTime,
    pub queue: EventQueue<Event>,
    pub jobs: Slab<Job>,
    pub calls: Slab<Call>,
    /// The attempts of calls along hedging edges (see `crate::hedging`).
    pub hedges: Slab<HedgedCall>,
    pub nodes: Vec<NodeState>,
    pub edges: Vec<EdgeState>,
    pub recorder: Recorder,
    /// What each fault of the design did (see `fault_tally`), by its index.
    pub fault_tallies: Vec<FaultTally>,
}

impl Core {
    #[inline]
    pub fn schedule(&mut self, delay: SimTime, event: Event) {
        self.queue.push(self.now.saturating_add(delay), event);
    }

    /// The node of a live job.
    #[inline]
    pub fn node_of(&self, job: Handle) -> usize {
        self.jobs.get(job).expect("live job").node as usize
    }

    /// An attempt reaches its node. Returns the node when the job is admitted and its kind
    /// should accept it now; None when it was dropped, refused (node down) or held up by an
    /// injected latency (it comes back as a `Done` in the `Delay` state).
    #[inline]
    pub fn arrive(&mut self, handle: Handle) -> Option<usize> {
        let now = self.now;
        let job = self.jobs.get_mut(handle)?;
        if job.state == JobState::Cancelled {
            self.jobs.remove(handle);
            return None;
        }
        job.arrived = now;
        let node = job.node as usize;
        let counters = self.nodes[node].counters;
        self.recorder.incr(counters + node_counter::ARRIVALS);
        if self.nodes[node].fault.crashed {
            // Not admitted, so it holds no worker: no grant.
            let _ = self.finish(handle, Outcome::NodeDown, true);
            return None;
        }
        let job = self.jobs.get_mut(handle).expect("checked above");
        job.admitted = true;
        self.recorder
            .change_level(self.nodes[node].areas + node_area::IN_FLIGHT, now, 1);
        let extra = self.nodes[node].fault.extra_latency;
        if extra > 0 && self.nodes[node].delays_on_arrival {
            self.nodes[node].hits.requests_delayed += 1;
            job.state = JobState::Delay;
            self.schedule(extra, Event::Done { job: handle });
            return None;
        }
        Some(node)
    }

    /// A new request of a traffic source at `node`, admitted (counted as an arrival and in
    /// flight) and about to be sent.
    pub fn new_request(&mut self, node: u32, request: crate::request::Request) -> Handle {
        let now = self.now;
        let n = node as usize;
        self.recorder
            .incr(self.nodes[n].counters + node_counter::ARRIVALS);
        self.recorder
            .change_level(self.nodes[n].areas + node_area::IN_FLIGHT, now, 1);
        self.jobs.insert(Job {
            node,
            parent: Handle::NONE,
            attempt: 0,
            reply_edge: NO_EDGE,
            request,
            state: JobState::Calling,
            admitted: true,
            holds_worker: false,
            station: 0,
            arrived: now,
            data: crate::request::KindData::None,
        })
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

    /// The job leaves its node with `outcome`: metrics, in-flight, reply to the caller, worker.
    /// `count_failure`: a failure is this node's own (else it happened downstream and is
    /// counted where it happened; timeouts and short circuits happen at the caller). A success
    /// is always this node's success too.
    pub fn finish(&mut self, handle: Handle, outcome: Outcome, count_failure: bool) -> Grant {
        let &job = self.jobs.get(handle)?;
        let now = self.now;
        let n = job.node as usize;
        let counters = self.nodes[n].counters;
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
            self.release_worker(job.node, job.station)
        } else {
            None
        }
    }

    /// The callee's reply to `parent` (a call, or the caller job of a direct call along
    /// `reply_edge`) travels back along the edge.
    pub fn send_reply(&mut self, parent: Handle, attempt: u32, reply_edge: u32, outcome: Outcome) {
        if reply_edge != NO_EDGE {
            let edge = &mut self.edges[reply_edge as usize];
            let latency = edge.latency.sample(&mut edge.reply_rng);
            let Some(latency) = edge.trip(latency, Trip::Reply) else {
                return; // Lost in a partition.
            };
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
        if !c.awaits(attempt) {
            return;
        }
        let edge = &mut self.edges[c.edge as usize];
        let latency = edge.latency.sample(&mut edge.reply_rng);
        let Some(latency) = edge.trip(latency, Trip::Reply) else {
            return; // Lost in a partition: the caller's timeout will fire.
        };
        self.schedule(
            latency,
            Event::Reply {
                call,
                attempt,
                outcome,
            },
        );
    }

    /// Answers the job's caller with `outcome` now and detaches the job from it: the job lives
    /// on at its node with nobody waiting for it (a queue's acknowledged message).
    pub fn reply_early(&mut self, handle: Handle, outcome: Outcome) {
        let (parent, attempt, reply_edge) = {
            let j = self.jobs.get_mut(handle).expect("live");
            let caller = (j.parent, j.attempt, j.reply_edge);
            j.parent = Handle::NONE;
            // Nobody waits for it any more: no caller's deadline applies to it.
            j.request.deadline = crate::request::NO_DEADLINE;
            caller
        };
        self.send_reply(parent, attempt, reply_edge, outcome);
    }

    /// A processing time at node `n` with slow-down `factor` and injected latency applied.
    #[inline]
    pub fn stretched(&self, n: usize, base: SimTime, factor: f64) -> SimTime {
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
}

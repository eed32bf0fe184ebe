//! The engine core: the state every node kind shares (the clock, the event queue, jobs and
//! calls, each node's and edge's common state, the recorder) and the request paths that are the
//! same for every kind: a job arriving, finishing and replying, worker stations, calls along
//! edges (`calls.rs`).
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

use archsim_model::design::QueueDiscipline;

use crate::distribution::Dist;
use crate::metrics::{LatencyStats, Outcome, PendingLatencies, Recorder, node_area, node_counter};
use crate::policy::adaptive_throttle::AdaptiveThrottle;
use crate::policy::breaker::CircuitBreaker;
use crate::policy::hedging::Hedging;
use crate::policy::limiter::Limiter;
use crate::policy::queue_discipline::codel::{CoDel, Taken};
use crate::policy::queue_discipline::{Entry, WaitQueue, codel_of};
use crate::policy::retry_budget::RetryBudget;
use crate::queue::EventQueue;
use crate::request::{Call, HedgedCall, Job, JobState, NO_EDGE};
use crate::rng::SimRng;
use crate::slab::{Handle, Slab};
use crate::time::SimTime;

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

/// A job that has just been given a worker (it is serving) and must begin its work (see the
/// module note).
pub(crate) type Grant = Option<Handle>;

/// What a station did with a job it was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// A worker took it: its work begins now.
    Working,
    /// It waits for a worker.
    Queued,
    /// The wait queue is full: the job has been finished with `QueueFull`.
    Rejected,
}

/// Workers and a wait queue served by a discipline (FIFO unless the design says otherwise).
#[derive(Debug, Clone)]
pub(crate) struct Station {
    pub workers: u32,
    /// Workers taken away by a worker-cut fault: no new work starts on them.
    pub cut: u32,
    pub busy: u32,
    pub capacity: u64,
    /// Live jobs in `queue` (cancelled ones are skipped when reached).
    pub waiting: u64,
    pub queue: WaitQueue,
    /// CoDel's state, when the discipline drops by CoDel.
    pub codel: Option<CoDel>,
    /// Integral over time of `busy`, ns, up to `settled_at` (an autoscaler's per-instance
    /// utilisation is its growth over a window).
    pub busy_area: u128,
    /// Integral over time of `busy + waiting` (requests the station holds), ns.
    pub held_area: u128,
    pub settled_at: SimTime,
}

impl Station {
    /// Workers new work may start on (all but those a worker cut took).
    #[inline]
    pub fn usable(&self) -> u32 {
        self.workers.saturating_sub(self.cut)
    }

    pub fn new(workers: u32, capacity: u64) -> Station {
        Station {
            workers: workers.max(1),
            cut: 0,
            busy: 0,
            capacity,
            waiting: 0,
            queue: WaitQueue::fifo(),
            codel: None,
            busy_area: 0,
            held_area: 0,
            settled_at: 0,
        }
    }

    /// Brings the integrals up to `now`; called before `busy` or `waiting` changes.
    #[inline]
    pub fn settle(&mut self, now: SimTime) {
        let dt = now.saturating_sub(self.settled_at) as u128;
        self.busy_area += self.busy as u128 * dt;
        self.held_area += (self.busy as u128 + self.waiting as u128) * dt;
        self.settled_at = now;
    }

    /// `(busy_area, held_area)` as of `now` (not before the last change).
    pub fn areas_at(&self, now: SimTime) -> (u128, u128) {
        let dt = now.saturating_sub(self.settled_at) as u128;
        (
            self.busy_area + self.busy as u128 * dt,
            self.held_area + (self.busy as u128 + self.waiting as u128) * dt,
        )
    }

    /// A station whose queue follows `discipline` (`class_names`: the design's request
    /// classes by index, for priority).
    pub fn with_discipline(
        workers: u32,
        capacity: u64,
        discipline: &QueueDiscipline,
        class_names: &[String],
    ) -> Station {
        Station {
            queue: WaitQueue::of(discipline, class_names),
            codel: codel_of(discipline),
            ..Station::new(workers, capacity)
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
    /// swallows it, else the latency plus any injected extra and jitter.
    #[inline]
    pub fn trip(&mut self, base: SimTime) -> Option<SimTime> {
        let fault = self.fault;
        if fault.partitions > 0 {
            return None;
        }
        let mut latency = base.saturating_add(fault.extra);
        if fault.jitter > 0 {
            let draw = self.fault_rng.uniform01() * fault.jitter as f64;
            latency = latency.saturating_add(draw as SimTime);
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
            let Some(latency) = edge.trip(latency) else {
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
        let Some(latency) = edge.trip(latency) else {
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

    // -----------------------------------------------------------------------------------------
    // Stations (workers + FIFO queue)

    /// Hands the job to a worker of `station`, queues it, or rejects it (queue full).
    #[inline]
    pub fn station_admit(&mut self, handle: Handle, station: u32) -> Admission {
        let admission = self.take_place(handle, station);
        if admission == Admission::Rejected {
            // Not holding a worker: no grant.
            let _ = self.finish(handle, Outcome::QueueFull, true);
        }
        admission
    }

    /// The one admission routine of a station, for requests and health probes alike: a free
    /// usable worker takes the job (`Working`), else it waits if there is room (a full
    /// priority queue sheds the newest waiting job of a lower class to make room), else
    /// `Rejected` and the caller decides how it fails.
    #[inline]
    pub fn take_place(&mut self, handle: Handle, station: u32) -> Admission {
        let now = self.now;
        let n = self.node_of(handle);
        let areas = self.nodes[n].areas;
        let class = self.jobs.get(handle).expect("live job").request.class;
        let st = &mut self.nodes[n].stations[station as usize];
        st.settle(now);
        let rank = st.queue.rank_of(class);
        if st.busy < st.usable() {
            st.busy += 1;
            if let Some(codel) = &mut st.codel {
                codel.served_without_waiting();
            }
            self.recorder.change_level(areas + node_area::BUSY, now, 1);
            let job = self.jobs.get_mut(handle).expect("live job");
            job.station = station;
            job.holds_worker = true;
            job.state = JobState::Serving;
            Admission::Working
        } else if st.waiting < st.capacity {
            st.waiting += 1;
            st.queue.push(Entry {
                job: handle,
                since: now,
                rank,
            });
            self.recorder.change_level(areas + node_area::QUEUE, now, 1);
            let job = self.jobs.get_mut(handle).expect("live job");
            job.station = station;
            job.state = JobState::Queued;
            Admission::Queued
        } else if let Some(victim) = self.lower_class_waiting(n, station, rank) {
            // A full priority queue: the newcomer takes the place of the newest request of the
            // lowest class waiting, which is shed.
            let st = &mut self.nodes[n].stations[station as usize];
            st.queue.push(Entry {
                job: handle,
                since: now,
                rank,
            });
            let job = self.jobs.get_mut(handle).expect("live job");
            job.station = station;
            job.state = JobState::Queued;
            self.drop_from_queue(victim, Outcome::ShedPriority);
            Admission::Queued
        } else {
            Admission::Rejected
        }
    }

    /// Under priority: whether a live job of a lower class than `handle`'s waits at `station`
    /// of `node` (one that `take_place` would shed to make room for it).
    pub fn lower_class_is_waiting(&self, node: u32, station: u32, handle: Handle) -> bool {
        let Some(job) = self.jobs.get(handle) else {
            return false;
        };
        let st = &self.nodes[node as usize].stations[station as usize];
        let rank = st.queue.rank_of(job.request.class);
        st.queue.any_below(rank, |entry| {
            self.jobs
                .get(entry.job)
                .is_some_and(|j| j.state == JobState::Queued)
        })
    }

    /// Under priority: a live waiting job of a lower rank than `rank` (the newest of the
    /// lowest rank), taken out of the queue but still counted as waiting.
    fn lower_class_waiting(&mut self, n: usize, station: u32, rank: u16) -> Option<Handle> {
        let Core { nodes, jobs, .. } = self;
        let st = &mut nodes[n].stations[station as usize];
        loop {
            let entry = st.queue.pop_lowest_below(rank)?;
            match jobs.get(entry.job).map(|j| j.state) {
                Some(JobState::Queued) => return Some(entry.job),
                Some(_) => {
                    // Cancelled while waiting: its slot was kept for this moment.
                    jobs.remove(entry.job);
                }
                None => {}
            }
        }
    }

    /// A job just taken out of its wait queue (still counted as waiting) fails with `outcome`
    /// without being served: shed, or dropped by CoDel.
    fn drop_from_queue(&mut self, handle: Handle, outcome: Outcome) {
        let now = self.now;
        let Some(job) = self.jobs.get_mut(handle) else {
            return;
        };
        let (n, station) = (job.node as usize, job.station as usize);
        // Out of the queue and holding no worker: finishing removes it outright.
        job.state = JobState::Serving;
        job.holds_worker = false;
        let areas = self.nodes[n].areas;
        self.nodes[n].stations[station].settle(now);
        self.nodes[n].stations[station].waiting -= 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, now, -1);
        if self.jobs.get(handle).is_some_and(Job::is_probe) {
            // A probe dropped by CoDel or shed: the backend refused it (no worker: no grant).
            let _ = self.answer_probe(handle, false);
            return;
        }
        let _ = self.finish(handle, outcome, true);
    }

    /// Puts a job at the tail of `station`'s wait queue without asking for a worker (a held
    /// message, a redelivery); it must already count against the capacity or fit in it.
    pub fn enqueue(&mut self, handle: Handle, station: u32) {
        let now = self.now;
        let n = self.node_of(handle);
        let areas = self.nodes[n].areas;
        let class = self.jobs.get(handle).expect("live job").request.class;
        let st = &mut self.nodes[n].stations[station as usize];
        st.settle(now);
        let rank = st.queue.rank_of(class);
        st.queue.push(Entry {
            job: handle,
            since: now,
            rank,
        });
        st.waiting += 1;
        self.recorder.change_level(areas + node_area::QUEUE, now, 1);
        let job = self.jobs.get_mut(handle).expect("live");
        job.station = station;
        job.state = JobState::Queued;
    }

    /// Takes every live job out of `station`'s wait queue, in the order the discipline would
    /// serve them (a scaled consumer group's rebalance moves them to another line); cancelled
    /// entries met on the way are dropped.
    pub fn take_waiting(&mut self, node: u32, station: u32) -> Vec<Handle> {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let mut taken = Vec::new();
        let Core { nodes, jobs, .. } = self;
        let st = &mut nodes[n].stations[station as usize];
        st.settle(now);
        while st.waiting > 0 {
            let Some(entry) = st.queue.pop(st.waiting) else {
                break;
            };
            match jobs.get(entry.job).map(|j| j.state) {
                Some(JobState::Queued) => {
                    st.waiting -= 1;
                    taken.push(entry.job);
                }
                Some(_) => {
                    jobs.remove(entry.job);
                }
                None => {}
            }
        }
        self.recorder
            .change_level(areas + node_area::QUEUE, now, -(taken.len() as i32));
        taken
    }

    /// Sets `station`'s workers (a scaled consumer group's consumers): fewer finish what they
    /// hold and take nothing new; the caller gives any new ones work (`grant_waiting`).
    pub fn set_workers(&mut self, node: u32, station: u32, workers: u32) {
        let now = self.now;
        let st = &mut self.nodes[node as usize].stations[station as usize];
        st.settle(now);
        st.workers = workers;
    }

    /// A worker of `station` is free: it takes the next live job in the queue, if any, which
    /// is returned so its work begins.
    pub fn release_worker(&mut self, node: u32, station: u32) -> Grant {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let crashed = self.nodes[n].fault.crashed;
        let st = &mut self.nodes[n].stations[station as usize];
        st.settle(now);
        st.busy = st.busy.saturating_sub(1);
        self.recorder.change_level(areas + node_area::BUSY, now, -1);
        if crashed {
            return None;
        }
        self.grant_waiting(node, station)
    }

    /// If `station` has a usable worker free, the next live job in its queue takes it and is
    /// returned so its work begins (after a release, or when a worker cut ends).
    pub fn grant_waiting(&mut self, node: u32, station: u32) -> Grant {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let st = &self.nodes[n].stations[station as usize];
        if st.busy >= st.usable() {
            return None;
        }
        let next = self.next_waiting(n, station as usize)?;
        let st = &mut self.nodes[n].stations[station as usize];
        st.waiting -= 1;
        st.busy += 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, now, -1);
        self.recorder.change_level(areas + node_area::BUSY, now, 1);
        let job = self.jobs.get_mut(next).expect("live");
        job.holds_worker = true;
        job.state = JobState::Serving;
        if job.is_probe() {
            // A health probe's turn: the core answers it (no kind sees probes).
            self.serve_probe(next);
            return None;
        }
        Some(next)
    }

    /// The next live job the station's discipline gives a free worker, taken out of the queue
    /// (still counted as waiting); the ones CoDel drops on the way are finished here.
    fn next_waiting(&mut self, n: usize, station: usize) -> Option<Handle> {
        let now = self.now;
        let mut dropped: Vec<Handle> = Vec::new();
        let mut expired: Vec<Handle> = Vec::new();
        let next = {
            let Core { nodes, jobs, .. } = self;
            let Station {
                queue,
                waiting,
                codel,
                ..
            } = &mut nodes[n].stations[station];
            // Live waiting jobs not yet taken in this call (taken ones are still counted in
            // `waiting` until the caller or `drop_from_queue` settles them).
            let mut live = *waiting;
            let mut take = || loop {
                let entry = queue.pop(live)?;
                match jobs.get(entry.job).map(|j| (j.state, j.request.deadline)) {
                    Some((JobState::Queued, deadline)) if deadline <= now => {
                        // Its deadline passed while it waited: nobody wants the answer any
                        // more, so it is dropped here instead of being served.
                        live -= 1;
                        expired.push(entry.job);
                    }
                    Some((JobState::Queued, _)) => {
                        live -= 1;
                        return Some(Taken {
                            item: entry.job,
                            sojourn: now.saturating_sub(entry.since),
                            left: live,
                        });
                    }
                    Some(_) => {
                        // Cancelled while waiting: its slot was kept for this moment.
                        jobs.remove(entry.job);
                    }
                    None => {}
                }
            };
            match codel {
                Some(codel) => codel.dequeue(now, take, |job| dropped.push(job)),
                None => take().map(|taken| taken.item),
            }
        };
        for job in expired {
            self.drop_from_queue(job, Outcome::DeadlineExceeded);
        }
        for job in dropped {
            self.drop_from_queue(job, Outcome::CodelDropped);
        }
        next
    }

    /// Releases the worker a job holds without finishing the job (pipeline stages, redelivery).
    pub fn let_go_of_worker(&mut self, handle: Handle) -> Grant {
        let job = self.jobs.get_mut(handle)?;
        if job.holds_worker {
            job.holds_worker = false;
            let (node, station) = (job.node, job.station);
            self.release_worker(node, station)
        } else {
            None
        }
    }

    /// Removes a queued job's entry from the accounting when it is cancelled in place.
    pub fn unqueue_in_place(&mut self, handle: Handle) {
        let Some(&job) = self.jobs.get(handle) else {
            return;
        };
        if job.state != JobState::Queued {
            return;
        }
        let n = job.node as usize;
        let areas = self.nodes[n].areas;
        let st = &mut self.nodes[n].stations[job.station as usize];
        st.settle(self.now);
        st.waiting -= 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, self.now, -1);
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

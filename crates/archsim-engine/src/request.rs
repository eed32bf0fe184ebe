//! The records the engine keeps per request: a **job** (one request at one node) and a **call**
//! (a node's request along one edge, with all its attempts), and the typed data a node kind
//! keeps on its own jobs.
//!
//! This module depends on nothing but the metrics' `Outcome` and the slab's `Handle`, so both the
//! engine core (which stores jobs) and the node kinds (which define their data) can use it
//! without depending on each other.

use crate::metrics::Outcome;
use crate::slab::Handle;
use crate::time::SimTime;

/// `Job::reply_edge` of a job that answers a `Call` (or nobody).
pub(crate) const NO_EDGE: u32 = u32::MAX;

/// `Request::deadline` of a request nobody set a deadline on.
pub(crate) const NO_DEADLINE: SimTime = SimTime::MAX;

/// What the request asks, as every node along its path sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Request {
    pub key: u64,
    pub class: u16,
    pub write: bool,
    /// When the first caller up the chain gives up (`NO_DEADLINE`: none), carried along
    /// edges that propagate deadlines.
    pub deadline: SimTime,
    /// The client node that sent it (read-your-writes knows its writer by it); set by
    /// `NodeCtx::new_request`.
    pub source: u32,
    /// Which of its client's `users` sent it (0 when the client has no users population):
    /// read-your-writes follows each user.
    pub user: u32,
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
    /// breaker, which needs no `Call` record (see `Core::start_call`); the reply goes back along
    /// this edge straight to the caller job in `parent`.
    pub reply_edge: u32,
    pub request: Request,
    pub state: JobState,
    /// Counted in the node's in-flight level.
    pub admitted: bool,
    pub holds_worker: bool,
    /// Worker station within the node (database member), else 0.
    pub station: u32,
    pub arrived: SimTime,
    /// What the node's kind keeps about this request (see [`KindData`]).
    pub data: KindData,
}

impl Job {
    /// A balancer's health probe rather than a request.
    #[inline]
    pub(crate) fn is_probe(&self) -> bool {
        matches!(self.data, KindData::Probe(_))
    }

    /// A request on its way along an edge to `node`: attempt `attempt` of the call `parent`
    /// (or, with `reply_edge` set, a direct call from the job `parent`).
    #[inline]
    pub(crate) fn in_transit(
        node: u32,
        parent: Handle,
        attempt: u32,
        reply_edge: u32,
        request: Request,
        now: SimTime,
    ) -> Job {
        Job {
            node,
            parent,
            attempt,
            reply_edge,
            request,
            state: JobState::Transit,
            admitted: false,
            holds_worker: false,
            station: 0,
            arrived: now,
            data: KindData::None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub edge: u32,
    pub parent: Handle,
    pub request: Request,
    pub attempts: u32,
    /// An attempt is in flight (not timed out, not answered).
    pub outstanding: bool,
    pub callee: Handle,
    /// When the latest attempt was sent (how long it took, for the breaker's slow calls).
    pub sent_at: SimTime,
    /// Along a hedging edge, the call's [`HedgedCall`] record (its attempts out at once);
    /// `Handle::NONE` otherwise.
    pub hedge: Handle,
    /// Along a hedging edge, the attempts still awaited: bit `n − 1` for attempt `n`.
    pub awaited: u8,
}

impl Call {
    /// Is a reply to `attempt` still wanted? Along a hedging edge any attempt still awaited;
    /// otherwise only the latest, while it is out.
    #[inline]
    pub fn awaits(&self, attempt: u32) -> bool {
        if self.hedge.is_none() {
            self.outstanding && self.attempts == attempt
        } else {
            (1..=8).contains(&attempt) && self.awaited & (1 << (attempt - 1)) != 0
        }
    }

    /// Is the timeout registered for `attempt` still to fire? A hedged call has one timeout
    /// for the whole call (registered with its first attempt), live while any attempt is out.
    #[inline]
    pub fn timer_live(&self, attempt: u32) -> bool {
        if self.hedge.is_none() {
            self.outstanding && self.attempts == attempt
        } else {
            self.awaited != 0
        }
    }
}

/// The attempts of a hedged call that may be out at once (the first and up to four hedges,
/// as gRPC's `maxAttempts` of 5).
pub(crate) const MAX_HEDGED_ATTEMPTS: usize = 5;

/// What a hedged call keeps about its attempts (see `crate::hedging`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HedgedCall {
    /// Each attempt's job at the callee (`Handle::NONE` if a partition swallowed it).
    pub callees: [Handle; MAX_HEDGED_ATTEMPTS],
    /// When each attempt was sent.
    pub sent_at: [SimTime; MAX_HEDGED_ATTEMPTS],
    /// The give-up time every attempt shares: the first attempt's timeout (the whole call's,
    /// as gRPC's deadline), or `NO_DEADLINE`.
    pub own_deadline: SimTime,
    /// No more hedges: the retry budget or a local refusal stopped them.
    pub stopped: bool,
}

// ---------------------------------------------------------------------------------------------
// Kind data

/// A load balancer's job: which backend (index among its outgoing edges) it went to, so the
/// backend's in-flight count drops when the call is over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BalancerRequest {
    pub backend: u32,
}

/// A service's job, by call mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceRequest {
    /// One call after another: the next outgoing edge to consider.
    Sequential { next_edge: u32 },
    /// Every call at once: how many are still out, and the first failure among those back
    /// (`here`: it arose at this node, a timeout or short circuit of its own call).
    Parallel {
        pending: u32,
        failure: Outcome,
        here: bool,
    },
}

impl Default for ServiceRequest {
    fn default() -> Self {
        ServiceRequest::Sequential { next_edge: 0 }
    }
}

/// A queued message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Message {
    /// Waiting or being delivered; `failed` deliveries so far; `id`: the message's, with a
    /// visibility timeout (its copies share it), else 0.
    Delivering { failed: u32, id: u32 },
    /// Failed `max_deliveries` times with `failure` (the last delivery's cause) and on its way
    /// to the dead-letter node.
    DeadLettering { failure: Outcome },
}

impl Default for Message {
    fn default() -> Self {
        Message::Delivering { failed: 0, id: 0 }
    }
}

/// A balancer's health probe at a backend: which balancer sent it, to which of its backends
/// (the probe's sequence number is the job's `attempt`, its edge the job's `reply_edge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Probe {
    pub balancer: u32,
    pub backend: u32,
}

/// A database query: whether its key is being moved by a reshard and this query pays for the
/// move (reading the key from its old shard first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DatabaseQuery {
    pub migrating: bool,
}

/// The closed set of per-kind job data. A kind reads and writes its own variant through
/// [`KindDataOf`] (`NodeCtx::data` / `set_data`), never another kind's; a job whose data is not
/// yet set reads as its kind's `Default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KindData {
    None,
    Balancer(BalancerRequest),
    Service(ServiceRequest),
    Queue(Message),
    /// Not a request: a health probe (no kind sees these; see `probes.rs`).
    Probe(Probe),
    Database(DatabaseQuery),
}

/// A kind's own job data: `Copy`, with a default for a job that has just arrived.
pub(crate) trait KindDataOf: Copy + Default {
    fn wrap(self) -> KindData;
    fn unwrap(data: KindData) -> Self;
}

/// Kinds that keep nothing per job.
impl KindDataOf for () {
    #[inline]
    fn wrap(self) -> KindData {
        KindData::None
    }
    #[inline]
    fn unwrap(_: KindData) -> Self {}
}

macro_rules! kind_data {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(
            impl KindDataOf for $ty {
                #[inline]
                fn wrap(self) -> KindData {
                    KindData::$variant(self)
                }
                #[inline]
                fn unwrap(data: KindData) -> Self {
                    match data {
                        KindData::$variant(inner) => inner,
                        _ => <$ty>::default(),
                    }
                }
            }
        )*
    };
}

kind_data!(
    Balancer(BalancerRequest),
    Service(ServiceRequest),
    Queue(Message),
    Database(DatabaseQuery),
);

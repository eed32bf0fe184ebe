//! Calls along edges: attempts, network latency, timeouts, retries and circuit breakers.
//!
//! A call belongs to the job that makes it. Each attempt creates a job at the callee; the
//! callee's reply is accepted only if that attempt is still outstanding, so a reply that comes
//! back after a timeout is dropped. Retries follow `policy::retry` (which failures, what
//! back-off); breakers follow `policy::breaker`. A retry budget (`policy::retry_budget`) gets a
//! deposit per call and must pay for every retry the retry policy allows; adaptive throttling
//! (`policy::adaptive_throttle`) counts every attempt the caller wants to send, may reject it
//! locally (the call then ends with `throttled`, not retried: retrying a local rejection
//! would defeat it); a bulkhead refuses an attempt while `max_concurrent` of the edge's are in
//! flight (`bulkhead_full`, not retried either); along an edge that propagates deadlines
//! (gRPC's), an attempt's callee inherits the earliest give-up time up the chain, the attempt
//! gives up then (its own `AttemptDeadline` event, as these timeouts are not in send order),
//! and one that cannot be sent in time fails with `deadline_exceeded`; adaptive throttling counts as accepted every reply that is a success or the callee's own
//! error. A call along a plain edge (none of these) is *direct*: no call record, the callee's
//! job answers the caller's job (see `start_call`).
//!
//! A call that is over is handed back as a [`CallOver`]: the simulation gives it to the
//! caller's node kind.

use crate::core::{CallOver, Core, Event};
use crate::fault_tally::Trip;
use crate::metrics::{Outcome, edge_area, edge_counter};
use crate::policy::breaker::BreakerState;
use crate::policy::limiter::Decision;
use crate::policy::retry::{self, RetryCause};
use crate::request::{Call, Job, JobState, NO_DEADLINE, NO_EDGE, Request};
use crate::slab::Handle;
use crate::time::SimTime;

/// Why an attempt was not sent (see [`Core::admit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    RateLimited,
    ShortCircuit,
    Throttled,
    DeadlineGone,
    BulkheadFull,
}

impl Refusal {
    /// The event that ends the call of `call` for this refusal.
    pub(crate) fn event(self, call: Handle) -> Event {
        match self {
            Refusal::RateLimited => Event::RouteRateLimited { call },
            Refusal::ShortCircuit => Event::ShortCircuit { call },
            Refusal::Throttled => Event::Throttled { call },
            Refusal::DeadlineGone => Event::DeadlineGone { call },
            Refusal::BulkheadFull => Event::BulkheadFull { call },
        }
    }
}

impl Core {
    /// `parent` (which now waits for calls) calls along `edge`; the outcome comes back as a
    /// [`CallOver`].
    ///
    /// Along a plain edge (no timeout, retries or breaker) the call is *direct*: its one
    /// attempt is always the one awaited and its reply always accepted, so the `Call` record
    /// would only be created and freed again. The callee job points at the caller job instead,
    /// with the same draws, counters and events in the same order, so every result is the same.
    #[inline]
    pub fn start_call(&mut self, parent: Handle, edge: u32) {
        let counters = self.edges[edge as usize].counters;
        self.recorder.incr(counters + edge_counter::CALLS);
        let job = self.jobs.get_mut(parent).expect("caller is live");
        job.state = JobState::Calling;
        let request = job.request;
        if self.edges[edge as usize].plain {
            self.send_direct(parent, edge, request);
            return;
        }
        let call = self.calls.insert(Call {
            edge,
            parent,
            request,
            attempts: 0,
            outstanding: false,
            callee: Handle::NONE,
            sent_at: 0,
            hedge: Handle::NONE,
            awaited: 0,
        });
        let now = self.now;
        if let Some(budget) = &mut self.edges[edge as usize].budget {
            budget.deposit(now);
        }
        if self.edges[edge as usize].hedging.is_some() {
            self.start_hedged(call);
        } else {
            self.send_attempt(call);
        }
    }

    /// The single attempt of a direct call (what `send_attempt` does for a first attempt
    /// along a plain edge).
    fn send_direct(&mut self, parent: Handle, e: u32, request: Request) {
        let now = self.now;
        // A plain edge does not propagate deadlines.
        let request = Request {
            deadline: NO_DEADLINE,
            ..request
        };
        let edge = &mut self.edges[e as usize];
        self.recorder.incr(edge.counters + edge_counter::ATTEMPTS);
        let latency = edge.latency.sample(&mut edge.rng);
        let Some(latency) = edge.trip(latency, Trip::Request) else {
            // A partition swallowed it: with no timeout on a plain edge, the caller waits on.
            return;
        };
        let job = self
            .jobs
            .insert(Job::in_transit(edge.to, parent, 1, e, request, now));
        self.schedule(latency, Event::Arrive { job });
    }

    /// The reply to a direct call: the caller, if still there, has its outcome.
    pub fn on_direct_reply(
        &mut self,
        caller: Handle,
        edge: u32,
        outcome: Outcome,
    ) -> Option<CallOver> {
        if !outcome.is_success() {
            let counters = self.edges[edge as usize].counters;
            self.recorder.incr(counters + edge_counter::FAILED);
        }
        let node = self.jobs.get(caller)?.node;
        Some(CallOver {
            caller,
            node,
            outcome,
            here: false,
        })
    }

    pub fn send_attempt(&mut self, handle: Handle) {
        let now = self.now;
        let call = self.calls.get_mut(handle).expect("live call");
        // A short-circuited attempt still counts as an attempt made, so retries run out.
        call.attempts += 1;
        let (attempt, e, request) = (call.attempts, call.edge, call.request);
        let held = match self.admit(e, request, now) {
            Ok(held) => held,
            Err(refusal) => {
                self.schedule(0, refusal.event(handle));
                return;
            }
        };
        let own = self.edges[e as usize]
            .timeout
            .map_or(NO_DEADLINE, |t| now.saturating_add(t));
        let (callee, deadline) = self.launch(handle, e, attempt, request, held, own);
        let call = self.calls.get_mut(handle).expect("live call");
        call.outstanding = true;
        call.sent_at = now;
        call.callee = callee;
        if attempt > 1 {
            let counters = self.edges[e as usize].counters;
            self.recorder.incr(counters + edge_counter::RETRIES);
        }
        self.arm_timeout(handle, e, attempt, deadline);
    }

    /// The caller-side gates an attempt along edge `e` passes before it is sent, in order: a
    /// gateway route's rate limit (a request it refuses never reaches the route's breaker or
    /// bulkhead; a leaky bucket's wait, returned, is spent before the attempt leaves), the
    /// breaker, adaptive throttling, the propagated deadline, the bulkhead. A refusal is
    /// counted here; the caller schedules its event.
    pub(crate) fn admit(
        &mut self,
        e: u32,
        request: Request,
        now: SimTime,
    ) -> Result<SimTime, Refusal> {
        let edge = &mut self.edges[e as usize];
        let mut held: SimTime = 0;
        if let Some(limiter) = &mut edge.limiter {
            match limiter.decide(request.key, now) {
                Decision::Admit => {}
                Decision::AdmitAfter(wait) => held = wait,
                Decision::Reject => return Err(Refusal::RateLimited),
            }
        }
        if let Some(breaker) = &mut edge.breaker
            && !breaker.try_acquire(now)
        {
            let counters = edge.counters;
            self.recorder.incr(counters + edge_counter::SHORT_CIRCUITED);
            return Err(Refusal::ShortCircuit);
        }
        if let Some(throttle) = &mut edge.throttle
            && !throttle.admit(now, &mut edge.throttle_rng)
        {
            // Not sent after all: the breaker's half-open permit goes back.
            if let Some(breaker) = &mut edge.breaker {
                breaker.release();
            }
            let counters = edge.counters;
            self.recorder.incr(counters + edge_counter::THROTTLED);
            return Err(Refusal::Throttled);
        }
        if edge.propagate && request.deadline <= now {
            // No time left of the deadline this request inherited: not worth sending.
            if let Some(breaker) = &mut edge.breaker {
                breaker.release();
            }
            return Err(Refusal::DeadlineGone);
        }
        if edge
            .bulkhead
            .is_some_and(|max| edge.attempts_in_flight >= max)
        {
            if let Some(breaker) = &mut edge.breaker {
                breaker.release();
            }
            let counters = edge.counters;
            self.recorder
                .incr(counters + edge_counter::BULKHEAD_REJECTED);
            return Err(Refusal::BulkheadFull);
        }
        Ok(held)
    }

    /// Sends attempt `attempt` of the call `handle` along `e` (admitted, `held` back by a
    /// route's leaky bucket): counts it, draws its network latency and, unless a partition
    /// swallows it, puts its job on the way to the callee. `own_deadline` is when this caller
    /// gives up on it; along a propagating edge the callee inherits the earlier of that and
    /// the request's deadline. Returns the callee job (NONE if swallowed) and the deadline.
    pub(crate) fn launch(
        &mut self,
        handle: Handle,
        e: u32,
        attempt: u32,
        request: Request,
        held: SimTime,
        own_deadline: SimTime,
    ) -> (Handle, SimTime) {
        let now = self.now;
        let edge = &mut self.edges[e as usize];
        edge.attempts_in_flight += 1;
        self.recorder.incr(edge.counters + edge_counter::ATTEMPTS);
        let latency = edge.latency.sample(&mut edge.rng);
        // None: a partition swallows the attempt; only its timeout will speak.
        let trip = edge
            .trip(latency, Trip::Request)
            .map(|trip| trip.saturating_add(held));
        let mut request = request;
        // The callee gets the earliest give-up time of the chain: the inherited deadline or
        // this attempt's own, and this attempt gives up then.
        request.deadline = if edge.propagate {
            own_deadline.min(request.deadline)
        } else {
            NO_DEADLINE
        };
        let Some(latency) = trip else {
            return (Handle::NONE, request.deadline);
        };
        let job = self.jobs.insert(Job::in_transit(
            edge.to, handle, attempt, NO_EDGE, request, now,
        ));
        self.schedule(latency, Event::Arrive { job });
        (job, request.deadline)
    }

    /// Registers the give-up time of attempt `attempt`: along a propagating edge its own
    /// `AttemptDeadline` event at `deadline` (these are not in send order), else the edge's
    /// constant timeout in its FIFO of timers.
    pub(crate) fn arm_timeout(&mut self, handle: Handle, e: u32, attempt: u32, deadline: SimTime) {
        let now = self.now;
        let edge = &mut self.edges[e as usize];
        if edge.propagate {
            if deadline != NO_DEADLINE {
                self.queue.push(
                    deadline,
                    Event::AttemptDeadline {
                        call: handle,
                        attempt,
                    },
                );
            }
        } else if let Some(timeout) = edge.timeout {
            let deadline = now.saturating_add(timeout);
            edge.timers.push_back((deadline, handle, attempt));
            if !edge.timer_armed {
                edge.timer_armed = true;
                self.queue.push(deadline, Event::EdgeTimers { edge: e });
            }
        }
    }

    pub fn on_reply(&mut self, handle: Handle, attempt: u32, outcome: Outcome) -> Option<CallOver> {
        let now = self.now;
        let call = self.calls.get_mut(handle)?;
        if !call.awaits(attempt) {
            return None;
        }
        call.outstanding = false;
        let (edge, attempts, parent, took) =
            (call.edge, call.attempts, call.parent, now - call.sent_at);
        self.edges[edge as usize].attempts_in_flight -= 1;
        self.record_breaker(edge, now, outcome.is_success(), took);
        if let Some(throttle) = &mut self.edges[edge as usize].throttle
            && matches!(outcome, Outcome::Success | Outcome::Error)
        {
            // The callee took the request on (it may still have failed it): an accept. A
            // rejection for overload, a timeout further down or a node down is not.
            throttle.accepted(now);
        }
        let cause = match outcome {
            Outcome::Success => None,
            // A failure the callee reports (its own error, or a timeout further down) is an error
            // answer from this caller's point of view.
            Outcome::Error | Outcome::Timeout => Some(RetryCause::Error),
            _ => Some(RetryCause::Rejected),
        };
        if let Some(cause) = cause
            && self.may_retry(edge, attempts, parent, cause)
        {
            self.schedule_retry(handle, edge, attempts);
            return None;
        }
        self.complete_call(handle, outcome, false)
    }

    /// The next timeout of `edge` that is due now, removed from its line; None when no more
    /// are due. Only entries present when the `EdgeTimers` event fired are looked at (`budget`):
    /// anything a handler adds is due later (timeout > 0) or, with a zero timeout, gets its
    /// own turn in the next event.
    pub fn next_due_timeout(&mut self, edge: u32, budget: &mut usize) -> Option<(Handle, u32)> {
        if *budget == 0 {
            return None;
        }
        let e = &mut self.edges[edge as usize];
        match e.timers.front() {
            Some(&(deadline, call, attempt)) if deadline <= self.now => {
                e.timers.pop_front();
                *budget -= 1;
                Some((call, attempt))
            }
            _ => None,
        }
    }

    /// After the due timeouts of `edge` fired: drop the ones whose attempt was already answered
    /// (they would never fire; better than waking up for each) and re-arm for the next.
    pub fn rearm_edge_timers(&mut self, edge: u32) {
        let calls = &self.calls;
        let edge_state = &mut self.edges[edge as usize];
        while let Some(&(_, call, attempt)) = edge_state.timers.front() {
            match calls.get(call) {
                Some(c) if c.timer_live(attempt) => break,
                _ => {
                    edge_state.timers.pop_front();
                }
            }
        }
        match edge_state.timers.front() {
            Some(&(deadline, _, _)) => self.queue.push(deadline, Event::EdgeTimers { edge }),
            None => edge_state.timer_armed = false,
        }
    }

    /// The attempt's timeout fired. Returns the callee job the caller gives up on (which the
    /// simulation may cancel, see `cancel_on_timeout`), or None if the attempt was answered.
    /// [`after_timeout`](Self::after_timeout) then retries or ends the call.
    pub fn timeout_fires(&mut self, handle: Handle, attempt: u32) -> Option<Handle> {
        let now = self.now;
        let call = self.calls.get_mut(handle)?;
        if !call.outstanding || call.attempts != attempt {
            return None;
        }
        call.outstanding = false;
        let (edge, callee, took) = (call.edge, call.callee, now - call.sent_at);
        self.edges[edge as usize].attempts_in_flight -= 1;
        let counters = self.edges[edge as usize].counters;
        self.recorder.incr(counters + edge_counter::TIMEOUTS);
        self.record_breaker(edge, now, false, took);
        Some(callee)
    }

    /// Retries a timed-out call if its policy says so, or ends it with `Timeout`.
    pub fn after_timeout(&mut self, handle: Handle) -> Option<CallOver> {
        let &call = self.calls.get(handle)?;
        if self.may_retry(call.edge, call.attempts, call.parent, RetryCause::Timeout) {
            self.schedule_retry(handle, call.edge, call.attempts);
            return None;
        }
        self.complete_call(handle, Outcome::Timeout, true)
    }

    /// The breaker refused the attempt: fail the call, or retry later if the policy says so.
    pub fn on_short_circuit(&mut self, handle: Handle) -> Option<CallOver> {
        let &call = self.calls.get(handle)?;
        if self.may_retry(call.edge, call.attempts, call.parent, RetryCause::Rejected) {
            self.schedule_retry(handle, call.edge, call.attempts);
            None
        } else {
            self.complete_call(handle, Outcome::BreakerOpen, true)
        }
    }

    /// The attempt the failure arose from was the call's `attempts`-th: may another follow? The
    /// retry policy must allow it, the caller must still be waiting, and the retry budget (if
    /// any) must pay for it — asked last, so that only a retry that would be made costs tokens.
    /// The inherited deadline passed before an attempt could go: the call fails with
    /// `deadline_exceeded`.
    pub fn on_deadline_gone(&mut self, handle: Handle) -> Option<CallOver> {
        self.calls.get(handle)?;
        self.complete_call(handle, Outcome::DeadlineExceeded, true)
    }

    /// The bulkhead refused the attempt: the call fails with `bulkhead_full`.
    pub fn on_bulkhead_full(&mut self, handle: Handle) -> Option<CallOver> {
        self.calls.get(handle)?;
        self.complete_call(handle, Outcome::BulkheadFull, true)
    }

    /// The route's rate limit refused the attempt: the call fails with `rate_limited` (a local
    /// rejection, not retried).
    pub fn on_route_rate_limited(&mut self, handle: Handle) -> Option<CallOver> {
        self.calls.get(handle)?;
        self.complete_call(handle, Outcome::RateLimited, true)
    }

    /// Adaptive throttling rejected the attempt locally: the call fails with `throttled`.
    pub fn on_throttled(&mut self, handle: Handle) -> Option<CallOver> {
        self.calls.get(handle)?;
        self.complete_call(handle, Outcome::Throttled, true)
    }

    fn may_retry(&mut self, edge: u32, attempts: u32, parent: Handle, cause: RetryCause) -> bool {
        let e = &mut self.edges[edge as usize];
        let allowed = e
            .retry
            .as_ref()
            .is_some_and(|policy| retry::should_retry(policy, attempts, cause))
            && self.jobs.get(parent).is_some();
        if !allowed {
            return false;
        }
        let now = self.now;
        let paid = e
            .budget
            .as_mut()
            .is_none_or(|budget| budget.try_withdraw(now));
        if !paid {
            self.recorder
                .incr(e.counters + edge_counter::BUDGET_REFUSED);
        }
        paid
    }

    /// Schedules the next attempt after the policy's back-off (retry number = attempts made).
    fn schedule_retry(&mut self, call: Handle, edge: u32, attempts: u32) {
        let e = &mut self.edges[edge as usize];
        let delay = match &e.retry {
            Some(policy) => retry::backoff(policy, attempts, &mut e.backoff_rng),
            None => 0,
        };
        self.schedule(delay, Event::Retry { call });
    }

    pub fn on_retry(&mut self, handle: Handle) {
        let Some(call) = self.calls.get(handle) else {
            return;
        };
        if self.jobs.get(call.parent).is_none() {
            // The caller is gone (crashed, cancelled): nobody wants the answer.
            self.calls.remove(handle);
            return;
        }
        self.send_attempt(handle);
    }

    pub(crate) fn record_breaker(&mut self, edge: u32, now: SimTime, success: bool, took: SimTime) {
        let e = &mut self.edges[edge as usize];
        if let Some(breaker) = &mut e.breaker {
            breaker.record(now, success, took);
            let opened = breaker.times_opened();
            let not_closed = (breaker.state(now) != BreakerState::Closed) as u32;
            let (counters, areas) = (e.counters, e.areas);
            self.recorder
                .set(counters + edge_counter::BREAKER_OPENED, opened);
            self.recorder
                .set_level(areas + edge_area::NOT_CLOSED, now, not_closed);
        }
    }

    /// The call is over: free it, and give its caller (if still there) the outcome. `here`:
    /// the outcome arose at the caller (timeout, short circuit) rather than in the callee's
    /// reply.
    pub(crate) fn complete_call(
        &mut self,
        handle: Handle,
        outcome: Outcome,
        here: bool,
    ) -> Option<CallOver> {
        let &call = self.calls.get(handle)?;
        self.calls.remove(handle);
        if !call.hedge.is_none() {
            self.hedges.remove(call.hedge);
        }
        if !outcome.is_success() {
            let counters = self.edges[call.edge as usize].counters;
            self.recorder.incr(counters + edge_counter::FAILED);
        }
        let node = self.jobs.get(call.parent)?.node;
        Some(CallOver {
            caller: call.parent,
            node,
            outcome,
            here,
        })
    }
}

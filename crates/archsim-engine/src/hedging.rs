//! Hedged calls along an edge with a hedging policy (gRPC's `hedgingPolicy`, gRFC A6; Dean &
//! Barroso, "The Tail at Scale").
//!
//! The first attempt goes at once. While no answer has come, the next attempt (a *hedge*)
//! goes one delay later (fixed, or the edge's observed p95: `policy::hedging`), up to
//! `max_hedges` of them; each attempt is a request of its own at the callee (through a load
//! balancer, a new pick of the balancer's algorithm, as every gRPC attempt goes through the
//! picker). Several attempts are thus out at once: the call keeps them in a bit set
//! (`Call::awaited`) and a [`HedgedCall`] record (each one's callee job and send time).
//!
//! The first answer that is a success, or a failure the policy does not call non-fatal,
//! commits: the call ends with it and every attempt still out is cancelled — its callee drops
//! the work (failing it with `cancelled`), and so does every call below it, transitively
//! (`cancel.rs`), as a propagated deadline does. With non-fatal
//! failures, a failed attempt sends the next hedge at once (gRPC skips its delay); the call
//! fails when the last attempt out fails and none is left to send.
//!
//! The edge's timeout is the whole call's (gRPC's deadline), counted from the first attempt
//! and shared by the hedges: when it fires every attempt still out is given up. Each hedge
//! pays the retry budget as a retry would (gRPC's retry throttling counts hedges too) and
//! passes the edge's rate limit, breaker, adaptive throttling and bulkhead like any attempt; a
//! hedge one of them refuses is not sent, and no later hedge follows. The edge cannot also
//! retry (validation), as in gRPC.

use crate::core::{Core, Event};
use crate::metrics::{Outcome, edge_counter};
use crate::request::{HedgedCall, MAX_HEDGED_ATTEMPTS, NO_DEADLINE};
use crate::sim::Sim;
use crate::slab::Handle;

/// What became of a hedge the call wanted to send.
enum Sending {
    Sent,
    /// Refused by a gate with no other attempt out: the refusal's event ends the call.
    RefusedAlone,
    /// Not sent (no attempt left, the budget or a gate said no, the caller is gone).
    NotSent,
}

impl Core {
    /// A new call along a hedging edge: its record, its first attempt and, if that went, the
    /// wait for the first hedge.
    pub(crate) fn start_hedged(&mut self, call: Handle) {
        let record = self.hedges.insert(HedgedCall {
            callees: [Handle::NONE; MAX_HEDGED_ATTEMPTS],
            sent_at: [0; MAX_HEDGED_ATTEMPTS],
            own_deadline: NO_DEADLINE,
            stopped: false,
        });
        self.calls.get_mut(call).expect("live call").hedge = record;
        if matches!(self.send_hedged_attempt(call), Sending::Sent) {
            self.wait_for_next_hedge(call);
        }
    }

    /// Sends the call's next attempt (the first, or a hedge the budget already paid for).
    fn send_hedged_attempt(&mut self, handle: Handle) -> Sending {
        let now = self.now;
        let call = self.calls.get_mut(handle).expect("live call");
        call.attempts += 1;
        let (attempt, e, request, record) = (call.attempts, call.edge, call.request, call.hedge);
        let held = match self.admit(e, request, now) {
            Ok(held) => held,
            Err(refusal) => {
                if self.calls.get(handle).expect("live call").awaited == 0 {
                    self.schedule(0, refusal.event(handle));
                    return Sending::RefusedAlone;
                }
                self.hedges.get_mut(record).expect("hedged").stopped = true;
                return Sending::NotSent;
            }
        };
        if attempt == 1 {
            let own = self.edges[e as usize]
                .timeout
                .map_or(NO_DEADLINE, |t| now.saturating_add(t));
            self.hedges.get_mut(record).expect("hedged").own_deadline = own;
        }
        let own = self.hedges.get(record).expect("hedged").own_deadline;
        let (callee, deadline) = self.launch(handle, e, attempt, request, held, own);
        let slot = attempt as usize - 1;
        let hedged = self.hedges.get_mut(record).expect("hedged");
        hedged.callees[slot] = callee;
        hedged.sent_at[slot] = now;
        let call = self.calls.get_mut(handle).expect("live call");
        call.awaited |= 1 << slot;
        call.outstanding = true;
        call.sent_at = now;
        if attempt == 1 {
            // The one timeout of the whole call.
            self.arm_timeout(handle, e, 1, deadline);
        } else {
            let counters = self.edges[e as usize].counters;
            self.recorder.incr(counters + edge_counter::HEDGES);
        }
        Sending::Sent
    }

    /// Schedules the next hedge one delay from now, if the policy has one left and knows its
    /// delay (the observed p95 is unknown until 20 replies were seen).
    fn wait_for_next_hedge(&mut self, handle: Handle) {
        let call = self.calls.get(handle).expect("live call");
        let (attempts, e) = (call.attempts, call.edge);
        let Some(policy) = &self.edges[e as usize].hedging else {
            return;
        };
        if attempts > policy.max_hedges {
            return;
        }
        if let Some(delay) = policy.delay() {
            self.schedule(
                delay,
                Event::Hedge {
                    call: handle,
                    attempt: attempts + 1,
                },
            );
        }
    }

    /// The next hedge of the call, now: if one is left, the caller still waits and the retry
    /// budget (if any) pays for it.
    fn hedge_now(&mut self, handle: Handle) -> Sending {
        let now = self.now;
        let Some(&call) = self.calls.get(handle) else {
            return Sending::NotSent;
        };
        let e = call.edge as usize;
        let Some(policy) = &self.edges[e].hedging else {
            return Sending::NotSent;
        };
        let stopped = self.hedges.get(call.hedge).is_none_or(|h| h.stopped);
        if stopped || call.attempts > policy.max_hedges || self.jobs.get(call.parent).is_none() {
            return Sending::NotSent;
        }
        let edge = &mut self.edges[e];
        if let Some(budget) = &mut edge.budget
            && !budget.try_withdraw(now)
        {
            self.recorder
                .incr(edge.counters + edge_counter::BUDGET_REFUSED);
            self.hedges.get_mut(call.hedge).expect("hedged").stopped = true;
            return Sending::NotSent;
        }
        self.send_hedged_attempt(handle)
    }

    /// The wait for attempt `attempt` of a hedged call is over: send it, unless an answer came
    /// or it already went (a non-fatal failure sends it early).
    pub(crate) fn on_hedge_due(&mut self, handle: Handle, attempt: u32) {
        let Some(call) = self.calls.get(handle) else {
            return;
        };
        if call.attempts + 1 != attempt || call.awaited == 0 {
            return;
        }
        if matches!(self.hedge_now(handle), Sending::Sent) {
            self.wait_for_next_hedge(handle);
        }
    }

    /// The observed percentile samples each call's *first* attempt: how long it took when it
    /// succeeded, or, when it is given up still unanswered (a hedge won, the call timed out),
    /// how long it had been out — a lower bound, past the hedging delay, so it counts among the
    /// slow ones as it should. Sampling only the answers would drop the slow first attempts a
    /// hedge beat, the percentile would sink and ever more calls would be hedged.
    fn observe_censored_first(&mut self, handle: Handle) {
        let now = self.now;
        let call = self.calls.get(handle).expect("live call");
        if call.awaited & 1 == 0 {
            return;
        }
        let out_since = self.hedges.get(call.hedge).expect("hedged").sent_at[0];
        if let Some(policy) = &mut self.edges[call.edge as usize].hedging {
            policy.observe(now - out_since);
        }
    }

    /// Is `call` a live call along a hedging edge?
    #[inline]
    pub(crate) fn is_hedged(&self, call: Handle) -> bool {
        self.calls.get(call).is_some_and(|c| !c.hedge.is_none())
    }

    /// Attempt `attempt` is no longer awaited (answered, given up or cancelled): returns its
    /// callee job and how long ago it was sent.
    fn settle(&mut self, handle: Handle, attempt: u32) -> (Handle, u64, u32) {
        let now = self.now;
        let call = self.calls.get_mut(handle).expect("live call");
        let slot = attempt as usize - 1;
        call.awaited &= !(1 << slot);
        call.outstanding = call.awaited != 0;
        let (e, record) = (call.edge, call.hedge);
        self.edges[e as usize].attempts_in_flight -= 1;
        let hedged = self.hedges.get(record).expect("hedged");
        (hedged.callees[slot], now - hedged.sent_at[slot], e)
    }

    /// The attempts still out, each settled, their callees returned for cancelling. `failed`:
    /// the whole call timed out (each counts as a failure for the breaker); otherwise they lost
    /// to another attempt's answer and the breaker hears nothing of them.
    pub(crate) fn settle_all(
        &mut self,
        handle: Handle,
        failed: bool,
    ) -> [Handle; MAX_HEDGED_ATTEMPTS] {
        let mut callees = [Handle::NONE; MAX_HEDGED_ATTEMPTS];
        let awaited = self.calls.get(handle).expect("live call").awaited;
        for (slot, callee) in callees.iter_mut().enumerate() {
            if awaited & (1 << slot) == 0 {
                continue;
            }
            let (job, took, e) = self.settle(handle, slot as u32 + 1);
            *callee = job;
            if failed {
                self.record_breaker(e, self.now, false, took);
            } else if let Some(breaker) = &mut self.edges[e as usize].breaker {
                // Neither a success nor a failure: a half-open permit goes back.
                breaker.release();
            }
        }
        callees
    }
}

impl Sim {
    /// A reply to attempt `attempt` of the hedged call `call` arrives.
    pub(crate) fn hedged_reply(&mut self, call: Handle, attempt: u32, outcome: Outcome) {
        let core = &mut self.core;
        if !core.calls.get(call).is_some_and(|c| c.awaits(attempt)) {
            return;
        }
        let now = core.now;
        let (_, took, e) = core.settle(call, attempt);
        core.record_breaker(e, now, outcome.is_success(), took);
        let edge = &mut core.edges[e as usize];
        if let Some(throttle) = &mut edge.throttle
            && matches!(outcome, Outcome::Success | Outcome::Error)
        {
            throttle.accepted(now);
        }
        let non_fatal = edge.hedging.as_ref().is_some_and(|h| h.non_fatal_errors);
        if outcome.is_success() {
            if attempt == 1
                && let Some(policy) = &mut edge.hedging
            {
                policy.observe(took);
            }
            if attempt > 1 {
                core.recorder.incr(edge.counters + edge_counter::HEDGE_WINS);
            }
        } else if non_fatal {
            match core.hedge_now(call) {
                Sending::Sent => {
                    core.wait_for_next_hedge(call);
                    return;
                }
                Sending::RefusedAlone => return,
                Sending::NotSent => {
                    if core.calls.get(call).is_some_and(|c| c.awaited != 0) {
                        // Another attempt is still out: its answer may yet succeed.
                        return;
                    }
                }
            }
        }
        core.observe_censored_first(call);
        let losers = core.settle_all(call, false);
        let over = core.complete_call(call, outcome, false);
        for loser in losers {
            if !loser.is_none() {
                // The loser and every call it started (gRPC cancels the attempt's context).
                self.cancel_tree(loser, Outcome::Cancelled);
            }
        }
        self.call_over(over);
    }

    /// The whole hedged call's timeout fired (`propagated`: the deadline along a propagating
    /// edge): every attempt still out is given up, its work cancelled as a plain timeout's
    /// would be, and the call fails with `timeout`.
    pub(crate) fn hedged_timeout(&mut self, call: Handle, propagated: bool) {
        if self.core.calls.get(call).is_none_or(|c| c.awaited == 0) {
            return;
        }
        let e = self.core.calls.get(call).expect("live call").edge;
        let counters = self.core.edges[e as usize].counters;
        self.core.recorder.incr(counters + edge_counter::TIMEOUTS);
        self.core.observe_censored_first(call);
        let given_up = self.core.settle_all(call, true);
        for callee in given_up {
            if callee.is_none() {
                continue;
            }
            if propagated {
                self.cancel_tree(callee, Outcome::DeadlineExceeded);
            } else {
                self.cancel_if_asked(callee);
            }
        }
        let over = self.core.complete_call(call, Outcome::Timeout, true);
        self.call_over(over);
    }
}

//! Cancellation down the whole tree of calls (gRPC's: cancelling a call cancels its context,
//! and every call made under that context is cancelled with it, hop by hop).
//!
//! When a caller gives up an attempt because the propagated deadline passed, or because a
//! hedged call's other attempt won, the callee's work is dropped (`Sim::cancel_job`), and so is
//! every call that work had started, transitively: each such call is given up at once (no
//! reply is awaited, no retry or hedge follows: its caller is gone), and its callee's work is
//! dropped the same way where it is — failing with `cancelled`, or with `deadline_exceeded`
//! when the callee's own request carried the deadline that just passed (it came down along
//! propagating edges: that hop's own timer expires at this very instant, as each gRPC server's
//! context deadline does; its caller's attempt counts a timeout). A message queue ends the
//! tree: it acknowledged its producer when it enqueued the message, so deliveries are nobody's
//! descendants.
//!
//! A caller that times out without a propagated deadline still cancels only its direct
//! callee, and only when that callee has `cancel_on_timeout` (`Sim::cancel_if_asked`): nothing
//! tells the callee's own callees that anyone gave up.

use crate::metrics::{Outcome, edge_counter};
use crate::request::NO_EDGE;
use crate::sim::Sim;
use crate::slab::Handle;

use crate::core::Core;

impl Core {
    /// Gives up every call job `caller` has out (it is being cancelled): each call is removed
    /// without an outcome, its attempts in flight settled (a half-open breaker gets its permit
    /// back: a cancelled attempt is neither success nor failure). Returns the callee jobs of
    /// those attempts, and of the job's direct calls, to be cancelled in turn.
    pub(crate) fn give_up_calls_of(&mut self, caller: Handle) -> Vec<Handle> {
        let mut callees: Vec<Handle> = self
            .jobs
            .handles()
            .into_iter()
            .filter(|&h| {
                self.jobs.get(h).is_some_and(|job| {
                    job.parent == caller && job.reply_edge != NO_EDGE && !job.is_probe()
                })
            })
            .collect();
        for handle in self.calls.handles() {
            let Some(&call) = self.calls.get(handle) else {
                continue;
            };
            if call.parent != caller {
                continue;
            }
            let before = callees.len();
            if call.hedge.is_none() {
                if call.outstanding {
                    let e = &mut self.edges[call.edge as usize];
                    e.attempts_in_flight -= 1;
                    if let Some(breaker) = &mut e.breaker {
                        breaker.release();
                    }
                    callees.push(call.callee);
                }
            } else {
                callees.extend(
                    self.settle_all(handle, false)
                        .into_iter()
                        .filter(|h| !h.is_none()),
                );
                self.hedges.remove(call.hedge);
            }
            // An attempt that inherited the deadline passing now (along a propagating edge) has
            // its own timer fire at this instant too: the call counts as the timeout it is.
            let now = self.now;
            let expired = callees[before..].iter().any(|&callee| {
                self.jobs
                    .get(callee)
                    .is_some_and(|job| job.request.deadline <= now)
            });
            if expired {
                let counters = self.edges[call.edge as usize].counters;
                self.recorder.incr(counters + edge_counter::TIMEOUTS);
                self.recorder.incr(counters + edge_counter::FAILED);
            }
            self.calls.remove(handle);
        }
        callees
    }
}

impl Sim {
    /// Drops `callee`'s work with `outcome` (its caller gave up on it), and every call it had
    /// started, transitively: with `deadline_exceeded` where the work's own request carried a
    /// deadline that has passed, else with `cancelled`.
    pub(crate) fn cancel_tree(&mut self, callee: Handle, outcome: Outcome) {
        let now = self.core.now;
        let mut doomed = vec![(callee, outcome)];
        while let Some((job, outcome)) = doomed.pop() {
            if self.core.jobs.get(job).is_none() {
                continue;
            }
            let below = self.core.give_up_calls_of(job);
            self.cancel_job(job, outcome);
            doomed.extend(below.into_iter().filter_map(|j| {
                let deadline = self.core.jobs.get(j)?.request.deadline;
                let outcome = if deadline <= now {
                    Outcome::DeadlineExceeded
                } else {
                    Outcome::Cancelled
                };
                Some((j, outcome))
            }));
        }
    }
}

//! Rate limiter: `policy::limiter` decides per request (globally, or per request key). Admitted
//! requests go on to the outgoing edges in round-robin order; a leaky bucket may hold a request
//! until its turn; rejected ones fail with `rate_limited`. A limiter with no outgoing edge
//! answers admitted requests itself.

use archsim_model::design::RateLimiterParams;

use crate::metrics::{Outcome, extra};
use crate::policy::limiter::{Decision, Limiter};
use crate::sim::{Event, JobState, Sim};
use crate::slab::Handle;

use super::NodeModel;

pub(crate) struct LimiterModel {
    pub limiter: Limiter,
}

impl LimiterModel {
    pub fn new(p: &RateLimiterParams) -> LimiterModel {
        LimiterModel {
            limiter: Limiter::new(p),
        }
    }
}

impl Sim {
    pub(crate) fn limiter_accept(&mut self, job: Handle, n: usize) {
        let now = self.now;
        let key = self.jobs.get(job).expect("live").key;
        let extra_base = self.nodes[n].extra;
        let NodeModel::Limiter(l) = &mut self.nodes[n].model else {
            unreachable!()
        };
        match l.limiter.decide(key, now) {
            Decision::Reject => {
                self.recorder.incr(extra_base + extra::LIMITER_REJECTED);
                self.finish(job, Outcome::RateLimited);
            }
            Decision::Admit => {
                self.recorder.incr(extra_base + extra::LIMITER_ADMITTED);
                self.limiter_forward(job, n);
            }
            Decision::AdmitAfter(delay) => {
                self.recorder.incr(extra_base + extra::LIMITER_ADMITTED);
                self.jobs.get_mut(job).expect("live").state = JobState::Serving;
                self.schedule(delay, Event::Done { job });
            }
        }
    }

    /// A request held by a leaky bucket may go now.
    pub(crate) fn limiter_done(&mut self, job: Handle, n: usize) {
        self.limiter_forward(job, n);
    }

    fn limiter_forward(&mut self, job: Handle, n: usize) {
        if self.draws_error(n, 0.0) {
            self.finish(job, Outcome::Error);
            return;
        }
        let len = self.nodes[n].out.len() as u32;
        if len == 0 {
            self.finish(job, Outcome::Success);
            return;
        }
        let i = self.round_robin(n, len);
        let edge = self.nodes[n].out[i as usize];
        self.jobs.get_mut(job).expect("live").state = JobState::Calling;
        self.start_call(job, edge);
    }
}

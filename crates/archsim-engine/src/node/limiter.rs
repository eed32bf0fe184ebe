//! Rate limiter: `policy::limiter` decides per request (globally, or per request key). Admitted
//! requests go on to the outgoing edges in round-robin order; a leaky bucket may hold a request
//! until its turn; rejected ones fail with `rate_limited`. A limiter with no outgoing edge
//! answers admitted requests itself.

use archsim_model::design::RateLimiterParams;
use archsim_model::report::{NodeReport, NodeSeries, RateLimiterReport};

use crate::core::CallOver;
use crate::metrics::{Outcome, estimate, extra};
use crate::policy::limiter::{Decision, Limiter};
use crate::slab::Handle;

use super::{Behaviour, KindFigures, NodeCtx};

pub(crate) struct LimiterModel {
    limiter: Limiter,
}

impl LimiterModel {
    pub fn new(p: &RateLimiterParams) -> LimiterModel {
        LimiterModel {
            limiter: Limiter::new(p),
        }
    }

    fn forward(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.draws_error(0.0) {
            ctx.finish(job, Outcome::Error);
            return;
        }
        let len = ctx.out_len();
        if len == 0 {
            ctx.finish(job, Outcome::Success);
            return;
        }
        let i = ctx.round_robin(len);
        let edge = ctx.out_edge(i);
        ctx.call(job, edge);
    }
}

impl Behaviour for LimiterModel {
    type Data = ();

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let now = ctx.now();
        let key = ctx.request(job).key;
        match ctx.model.limiter.decide(key, now) {
            Decision::Reject => {
                ctx.count(extra::LIMITER_REJECTED);
                ctx.finish(job, Outcome::RateLimited);
            }
            Decision::Admit => {
                ctx.count(extra::LIMITER_ADMITTED);
                Self::forward(ctx, job);
            }
            Decision::AdmitAfter(delay) => {
                ctx.count(extra::LIMITER_ADMITTED);
                ctx.work_for(job, delay);
            }
        }
    }

    /// A request held by a leaky bucket may go now.
    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        Self::forward(ctx, job);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        ctx.pass_on(job, over.outcome, over.here);
    }

    fn reads_keys(&self) -> bool {
        self.limiter.reads_keys()
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        report.rate_limiter = Some(RateLimiterReport {
            admitted: estimate((figures.extra)(extra::LIMITER_ADMITTED) as f64),
            rejected: estimate((figures.extra)(extra::LIMITER_REJECTED) as f64),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        series
            .rate_limited
            .push((figures.extra)(extra::LIMITER_REJECTED));
    }
}

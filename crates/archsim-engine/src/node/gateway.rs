//! API gateway: a fixed processing overhead per request (no worker limit, but at most
//! `max_concurrency` requests in flight, beyond which requests are rejected as queue-full), then
//! routing: a request class with a route goes to that route's edge; any other goes to the
//! outgoing edges in round-robin order.

use archsim_model::design::GatewayParams;

use crate::core::CallOver;
use crate::distribution::Dist;
use crate::metrics::Outcome;
use crate::slab::Handle;

use super::{Behaviour, BuildContext, NodeCtx};

pub(crate) struct GatewayModel {
    overhead: Dist,
    max_concurrency: u32,
    /// Route edge by global class id (None: round robin).
    routes: Vec<Option<u32>>,
}

impl GatewayModel {
    pub fn new(p: &GatewayParams, cx: &BuildContext<'_>) -> GatewayModel {
        let routes = cx
            .class_names
            .iter()
            .map(|class| {
                let route = p.routes.iter().find(|r| &r.class == class)?;
                cx.out
                    .iter()
                    .copied()
                    .find(|&e| cx.design.edges[e as usize].to == route.to)
            })
            .collect();
        GatewayModel {
            overhead: Dist::new(&p.overhead),
            max_concurrency: p.max_concurrency,
            routes,
        }
    }
}

impl Behaviour for GatewayModel {
    type Data = ();

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let (max, overhead) = (ctx.model.max_concurrency, ctx.model.overhead);
        // The in-flight level already counts this request.
        if max > 0 && ctx.in_flight() > max {
            ctx.finish(job, Outcome::QueueFull);
            return;
        }
        let base = overhead.sample(ctx.rng());
        let delay = ctx.processing_time(base, ctx.fault_slowdown());
        ctx.work_for(job, delay);
    }

    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.draws_error(0.0) {
            ctx.finish(job, Outcome::Error);
            return;
        }
        let class = ctx.request(job).class as usize;
        let routed = ctx.model.routes.get(class).copied().flatten();
        let edge = match routed {
            Some(edge) => edge,
            None => {
                let len = ctx.out_len();
                if len == 0 {
                    ctx.finish(job, Outcome::Success);
                    return;
                }
                let i = ctx.round_robin(len);
                ctx.out_edge(i)
            }
        };
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        ctx.pass_on(job, over.outcome, over.here);
    }
}

//! Service: `workers` workers, a wait queue of `queue_capacity` served by its queue discipline
//! (FIFO, LIFO, adaptive LIFO, CoDel or priority by class: `policy::queue_discipline`), a service-time
//! distribution, an error rate, load-dependent slow-down, then calls to its outgoing edges.
//!
//! Semantics:
//! - Slow-down (`slowdown`, the knee, or any `load_curve`) uses the busy fraction of workers at
//!   the start of service, this request's worker included (with 4 workers and knee 0.7, it
//!   starts when a 3rd worker becomes busy).
//! - Errors are decided after the service time; a failed request makes no downstream calls.
//! - Each outgoing edge is called with its `call_probability`. Sequential calls go one after
//!   another and stop at the first failure; parallel calls all go at once and the reply waits
//!   for every one of them. Either way, any failed call fails the request, with that call's
//!   cause (the first failure to come back, in parallel mode). The failure is counted in the
//!   figures of the node where it happened, not again here.
//! - `hold_worker_during_calls = false` frees the worker as soon as the service's own work is
//!   done: the node becomes a pipeline stage, a station of a Jackson network.

use archsim_model::design::{CallMode, LoadCurve, ServiceParams};

use crate::core::{CallOver, Station};
use crate::distribution::Dist;
use crate::metrics::Outcome;
use crate::request::ServiceRequest;
use crate::slab::Handle;

use super::{Behaviour, NodeCtx};

pub(crate) struct ServiceModel {
    service_time: Dist,
    error_rate: f64,
    /// Load-dependent service time: the `load_curve`, or `slowdown` as the knee curve.
    curve: Option<LoadCurve>,
    parallel: bool,
    hold_worker: bool,
}

impl ServiceModel {
    pub fn new(p: &ServiceParams) -> ServiceModel {
        ServiceModel {
            service_time: Dist::new(&p.service_time),
            error_rate: p.error_rate,
            curve: p
                .load_curve
                .or(p.slowdown.as_ref().map(|s| LoadCurve::Knee {
                    knee: s.knee,
                    factor: s.factor,
                })),
            parallel: p.calls == CallMode::Parallel,
            hold_worker: p.hold_worker_during_calls,
        }
    }

    /// Its workers and wait queue, served by its discipline.
    pub fn station(p: &ServiceParams, class_names: &[String]) -> Station {
        Station::with_discipline(
            p.workers,
            p.queue_capacity as u64,
            &p.queue_discipline,
            class_names,
        )
    }

    /// Service-time multiplier: injected slow-down times load-dependent slow-down.
    fn slowdown_factor(ctx: &NodeCtx<'_, Self>, busy: u32, workers: u32) -> f64 {
        let mut factor = ctx.fault_slowdown();
        if let Some(curve) = ctx.model.curve {
            factor *= curve.factor(busy as f64 / workers.max(1) as f64);
        }
        factor
    }

    /// Sequential mode: call the next edge that the call probability selects, or reply.
    fn next_call(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let edges = ctx.out_len();
        if edges == 0 {
            // A leaf service (the common case): nothing to call, no need to look at the job.
            ctx.finish(job, Outcome::Success);
            return;
        }
        let ServiceRequest::Sequential { mut next_edge } = ctx.data(job) else {
            unreachable!("a sequential service's request")
        };
        while next_edge < edges {
            let edge = ctx.out_edge(next_edge);
            next_edge += 1;
            let p = ctx.call_probability(edge);
            if ctx.rng().chance(p) {
                ctx.set_data(job, ServiceRequest::Sequential { next_edge });
                ctx.call(job, edge);
                return;
            }
        }
        ctx.finish(job, Outcome::Success);
    }
}

impl Behaviour for ServiceModel {
    type Data = ServiceRequest;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        ctx.admit(job, 0);
    }

    fn begin_work(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let station = ctx.station(0);
        let (busy, workers) = (station.busy, station.workers);
        let dist = ctx.model.service_time;
        let base = dist.sample(ctx.rng());
        let factor = Self::slowdown_factor(ctx, busy, workers);
        let duration = ctx.processing_time(base, factor);
        ctx.worker_busy_for(job, duration);
    }

    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let (error_rate, hold, parallel) = {
            let s = &ctx.model;
            (s.error_rate, s.hold_worker, s.parallel)
        };
        if ctx.draws_error(error_rate) {
            ctx.finish(job, Outcome::Error);
            return;
        }
        if !hold {
            ctx.let_go_of_worker(job);
        }
        if parallel {
            let mut pending = 0;
            for i in 0..ctx.out_len() {
                let edge = ctx.out_edge(i);
                let p = ctx.call_probability(edge);
                if ctx.rng().chance(p) {
                    ctx.call(job, edge);
                    pending += 1;
                }
            }
            if pending == 0 {
                ctx.finish(job, Outcome::Success);
            } else {
                ctx.set_data(
                    job,
                    ServiceRequest::Parallel {
                        pending,
                        failure: Outcome::Success,
                        here: false,
                    },
                );
            }
        } else {
            Self::next_call(ctx, job);
        }
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        match ctx.data(job) {
            ServiceRequest::Parallel {
                pending,
                mut failure,
                mut here,
            } => {
                if !over.outcome.is_success() && failure.is_success() {
                    failure = over.outcome;
                    here = over.here;
                }
                if pending == 1 {
                    ctx.pass_on(job, failure, here);
                } else {
                    ctx.set_data(
                        job,
                        ServiceRequest::Parallel {
                            pending: pending - 1,
                            failure,
                            here,
                        },
                    );
                }
            }
            ServiceRequest::Sequential { .. } => {
                if over.outcome.is_success() {
                    Self::next_call(ctx, job);
                } else {
                    ctx.pass_on(job, over.outcome, over.here);
                }
            }
        }
    }
}

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
//! - With `autoscaling`, the service is a group of instances, one station each
//!   (`scaling::group`): a request goes round-robin to an instance that serves (none: it fails
//!   with `no_healthy_backend`), and the group's timers evaluate the autoscaler, take the
//!   metric's window snapshots and make new instances ready. Its utilisation is the busy
//!   fraction of the workers of the instances that serve (or drain), not of the largest group.
//! - An `instance_crash` fault crashes instances of the group (`Group::crash`; the simulation
//!   fails what they hold with `node_down`) and at its end replaces them; the timer step
//!   `INSTANCES_CHANGED` then sets the replacements' readiness timers.

use archsim_model::design::{CallMode, LoadCurve, ServiceParams};
use archsim_model::report::{NodeReport, NodeSeries};
use archsim_model::scaling::InstancePick;

use crate::core::{CallOver, Station};
use crate::distribution::Dist;
use crate::metrics::{Outcome, estimate, extra, node_area, ratio};
use crate::request::ServiceRequest;
use crate::scaling::group::{Group, Levels};
use crate::slab::Handle;
use crate::time::SimTime;

use super::{Behaviour, KindFigures, NodeCtx};

/// The group's timers (an autoscaled service's only ones).
const START: u32 = 0;
const EVALUATE: u32 = 1;
const SNAPSHOT: u32 = 2;
/// The group's callers re-read the registry (with discovery).
const REFRESH: u32 = 3;
/// An `instance_crash` fault crashed or replaced instances just now (the simulation sets it).
pub(crate) const INSTANCES_CHANGED: u32 = 4;
/// `READY + i`: instance `i` serves.
const READY: u32 = 16;

pub(crate) struct ServiceModel {
    service_time: Dist,
    error_rate: f64,
    /// Load-dependent service time: the `load_curve`, or `slowdown` as the knee curve.
    curve: Option<LoadCurve>,
    parallel: bool,
    hold_worker: bool,
    /// An autoscaled group's instances and autoscaler; None for one fixed instance.
    group: Option<Group>,
    /// The group's levels as last reported to the integrals.
    levels: Levels,
    /// Its callers learn of its instances through a registry.
    discovery: bool,
    /// The picks of instances an `instance_crash` fault takes down.
    crash_rng: Option<crate::rng::SimRng>,
    /// The design has `instance_crash` faults on this group (the report counts them).
    reports_crashes: bool,
    /// What the last instance fault did, for the `INSTANCES_CHANGED` timer step: instances that
    /// crashed (their stations), and replacements with the time each serves.
    crashed: Vec<u32>,
    crashes_to_count: u32,
    replacements: Vec<(u32, SimTime)>,
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
            group: p
                .autoscaling
                .as_ref()
                .map(|a| Group::new(a, p.workers, p.discovery.as_ref())),
            discovery: p.discovery.is_some(),
            levels: Levels::default(),
            crash_rng: None,
            reports_crashes: false,
            crashed: Vec::new(),
            crashes_to_count: 0,
            replacements: Vec::new(),
        }
    }

    /// The stream its instance crashes are picked from, and whether the design has any.
    pub fn expect_instance_crashes(&mut self, rng: crate::rng::SimRng, any: bool) {
        self.crash_rng = Some(rng);
        self.reports_crashes = any && self.group.is_some();
    }

    /// Its workers and wait queue, served by its discipline: one station, or one per
    /// instance of a group.
    pub fn stations(&self, p: &ServiceParams, class_names: &[String]) -> Vec<Station> {
        let instances = self.group.as_ref().map_or(1, Group::capacity);
        (0..instances)
            .map(|_| {
                Station::with_discipline(
                    p.workers,
                    p.queue_capacity as u64,
                    &p.queue_discipline,
                    class_names,
                )
            })
            .collect()
    }

    pub fn extra_counters(&self) -> u32 {
        if self.group.is_some() {
            extra::GROUP_COUNT
        } else {
            0
        }
    }

    pub fn start_timers(&self) -> Vec<(SimTime, u32)> {
        if self.group.is_some() {
            vec![(0, START)]
        } else {
            Vec::new()
        }
    }

    /// Brings the node's integrals (instances, their workers, at-max) to the group's state.
    fn sync_levels(ctx: &mut NodeCtx<'_, Self>) {
        let Some(group) = &ctx.model.group else {
            return;
        };
        let new = group.levels();
        let old = std::mem::replace(&mut ctx.model.levels, new);
        let delta = |a: u32, b: u32| a as i32 - b as i32;
        ctx.change_level(node_area::SERVING_WORKERS, delta(new.workers, old.workers));
        ctx.change_level(node_area::INSTANCES, delta(new.serving, old.serving));
        ctx.change_level(node_area::AT_MAX, delta(new.at_max, old.at_max));
        ctx.change_level(node_area::KNOWN, delta(new.known, old.known));
    }

    /// After a job left an instance: a draining instance may now be empty.
    fn after_job(ctx: &mut NodeCtx<'_, Self>) {
        let (model, stations, _) = ctx.model_and_stations();
        let Some(group) = &mut model.group else {
            return;
        };
        group.finish_draining(stations);
        Self::sync_levels(ctx);
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
        let Some(group) = &mut ctx.model.group else {
            ctx.admit(job, 0);
            return;
        };
        match group.pick() {
            Some(instance) if group.serves(instance) => {
                ctx.admit(job, instance);
            }
            // Sent to an instance that no longer takes work (callers not told yet).
            Some(_) => {
                ctx.count(extra::GROUP_SENT_TO_GONE);
                ctx.finish(job, Outcome::NodeDown);
            }
            None => ctx.finish(job, Outcome::NoHealthyBackend),
        }
    }

    fn begin_work(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let index = ctx.station_of(job);
        let station = ctx.station(index);
        let (busy, workers) = (station.busy, station.workers);
        let dist = ctx.model.service_time;
        let base = dist.sample(ctx.rng());
        let mut factor = Self::slowdown_factor(ctx, busy, workers);
        if let Some(group) = &ctx.model.group {
            factor *= group.slowdown(index, ctx.now());
        }
        let duration = ctx.processing_time(base, factor);
        ctx.worker_busy_for(job, duration);
    }

    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        Self::finish_work(ctx, job);
        Self::after_job(ctx);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        Self::call_over(ctx, job, over);
        Self::after_job(ctx);
    }

    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        self.start_timers()
    }

    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        let (model, stations, now) = ctx.model_and_stations();
        let Some(group) = &mut model.group else {
            return;
        };
        match tag {
            START => {
                let (snapshot, evaluation) = (group.first_snapshot(), group.interval());
                let refresh = group.refresh_interval();
                ctx.set_timer_at(snapshot, SNAPSHOT);
                ctx.set_timer_at(evaluation, EVALUATE);
                if let Some(refresh) = refresh {
                    ctx.set_timer_at(refresh, REFRESH);
                }
            }
            SNAPSHOT => {
                let next = group.snapshot(now, stations);
                ctx.set_timer_at(next, SNAPSHOT);
            }
            EVALUATE => {
                let changes = group.evaluate(now, stations);
                let interval = group.interval();
                for &(instance, ready_at) in &changes.starting {
                    ctx.set_timer_at(ready_at, READY + instance);
                }
                if let Some(event) = changes.event {
                    ctx.count(if event.to > event.from {
                        extra::GROUP_SCALE_UPS
                    } else {
                        extra::GROUP_SCALE_DOWNS
                    });
                }
                ctx.set_timer(interval, EVALUATE);
            }
            REFRESH => {
                group.refresh(now);
                let interval = group.refresh_interval().unwrap_or(SimTime::MAX);
                ctx.set_timer(interval, REFRESH);
            }
            INSTANCES_CHANGED => {
                for (instance, ready_at) in std::mem::take(&mut model.replacements) {
                    ctx.set_timer_at(ready_at, READY + instance);
                }
                for _ in 0..std::mem::take(&mut ctx.model.crashes_to_count) {
                    ctx.count(extra::GROUP_INSTANCE_CRASHES);
                }
            }
            _ => {
                group.ready(tag - READY, now, stations);
            }
        }
        Self::sync_levels(ctx);
    }

    fn instance_fault(
        &mut self,
        fault: u32,
        count: u32,
        pick: &InstancePick,
        start: bool,
        now: SimTime,
    ) {
        let (Some(group), Some(rng)) = (&mut self.group, &mut self.crash_rng) else {
            return;
        };
        if start {
            self.crashed = group.crash(fault, count, pick, rng, now);
            self.crashes_to_count += self.crashed.len() as u32;
        } else {
            self.replacements.extend(group.replace_crashed(fault, now));
        }
    }

    fn take_crashed_stations(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.crashed)
    }

    fn new_period(&mut self, whole: bool, _waiting: u64) {
        if let Some(group) = &mut self.group {
            group.new_period(whole);
        }
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let Some(group) = &self.group else {
            return;
        };
        let area = figures.area;
        report.utilisation = estimate(ratio(
            area(node_area::BUSY),
            area(node_area::SERVING_WORKERS),
        ));
        let mut autoscaling =
            figures.autoscaling(0, (group.peak_whole, group.peak_batch), &group.events);
        if self.discovery {
            autoscaling.mean_instances_known =
                Some(estimate(ratio(area(node_area::KNOWN), figures.period_ns)));
        }
        autoscaling.sent_to_gone = estimate((figures.extra)(extra::GROUP_SENT_TO_GONE) as f64);
        if self.reports_crashes {
            autoscaling.instance_crashes = Some(estimate((figures.extra)(
                extra::GROUP_INSTANCE_CRASHES,
            ) as f64));
        }
        report.autoscaling = Some(autoscaling);
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        if self.group.is_none() {
            return;
        }
        let area = figures.area;
        if let Some(last) = series.utilisation.last_mut() {
            *last = ratio(area(node_area::BUSY), area(node_area::SERVING_WORKERS));
        }
        series
            .instances
            .push(ratio(area(node_area::INSTANCES), figures.period_ns));
        if self.discovery {
            series
                .instances_known
                .push(ratio(area(node_area::KNOWN), figures.period_ns));
        }
    }
}

impl ServiceModel {
    fn finish_work(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
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

    fn call_over(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
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

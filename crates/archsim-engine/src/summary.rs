//! From raw counters to the report: period figures, time-series buckets, combining
//! replications (or batches) into estimates with confidence intervals, and the fingerprint.

use std::collections::BTreeMap;

use archsim_model::design::Design;
use archsim_model::report::{
    EdgeReport, Estimate, Failures, Latency, NodeReport, REPORT_VERSION, Report, Summary,
};

use crate::metrics::{
    CAUSE_NAMES, CAUSES, LatencyStats, Snapshot, edge_area, edge_counter, node_area, node_counter,
};
use crate::node::{Backend, KindFigures};
use crate::policy::breaker::BreakerState;
use crate::sim::Sim;
use crate::stats::mean_ci95;

/// The figures of one period (a whole replication after warm-up, or one batch): a report whose
/// estimates are exact values, without time series.
pub(crate) type PeriodFigures = Report;

use crate::metrics::{busy_share, estimate as est, ratio};

/// Failures by cause, from `count(offset)`: how many the period added to the counter at
/// `offset` (among `node_counter`'s) of a node, or of every client together.
fn failures(count: impl Fn(u32) -> f64) -> Failures {
    let cause = |c: usize| est(count(node_counter::FAILED + c as u32));
    Failures {
        error: cause(0),
        timeout: cause(1),
        queue_full: cause(2),
        rate_limited: cause(3),
        breaker_open: cause(4),
        no_healthy_backend: cause(5),
        node_down: cause(6),
        throttled: cause(7),
        codel_dropped: cause(8),
        shed_priority: cause(9),
        bulkhead_full: cause(10),
        deadline_exceeded: cause(11),
        cancelled: cause(12),
    }
}

fn latency(stats: &LatencyStats, sum_ns: u128, count: u64) -> Latency {
    let [p50, p95, p99] = stats.quantiles_ms([0.50, 0.95, 0.99]);
    Latency {
        mean_ms: est(ratio(sum_ns as f64, count as f64) / 1e6),
        p50_ms: est(p50),
        p95_ms: est(p95),
        p99_ms: est(p99),
        max_ms: est(stats.max_ms()),
    }
}

/// Figures between two snapshots. `whole` picks the summary's latency histograms and maxima
/// (else the current batch's).
pub(crate) fn period_figures(sim: &Sim, start: &Snapshot, end: &Snapshot, whole: bool) -> Report {
    let period_ns = (end.at - start.at) as f64;
    let seconds = period_ns / 1e9;
    let diff = |i: u32| (end.counter(i) - start.counter(i)) as f64;
    let area = |i: u32| (end.area(i) - start.area(i)) as f64;

    let clients = |offset: u32| clients_diff(sim, start, end, offset) as f64;
    let completed = clients(node_counter::COMPLETIONS);
    let succeeded = clients(node_counter::SUCCEEDED);
    let overall_hist = if whole {
        &sim.measure.overall_whole
    } else {
        &sim.measure.overall_batch
    };
    let overall = Summary {
        arrivals: est(clients(node_counter::ARRIVALS)),
        completed: est(completed),
        succeeded: est(succeeded),
        throughput_rps: est(ratio(completed, seconds)),
        goodput_rps: est(ratio(succeeded, seconds)),
        failures: failures(clients),
        latency: latency(
            overall_hist,
            client_nodes(sim)
                .map(|node| {
                    let sum = node.areas + node_area::LATENCY_SUM;
                    end.area(sum) - start.area(sum)
                })
                .sum(),
            succeeded as u64,
        ),
    };

    // The whole period's distribution (batches need none: it is pooled, not estimated).
    let latency_histogram = if whole {
        overall_hist.log_histogram()
    } else {
        Default::default()
    };

    let mut nodes = BTreeMap::new();
    for (i, node) in sim.core.nodes.iter().enumerate() {
        let spec = &sim.design.nodes[i];
        let (c, a, x) = (node.counters, node.areas, node.extra);
        let succeeded = diff(c + node_counter::SUCCEEDED);
        let capacity = node.capacity() as f64;
        let hist = if whole {
            &node.latency_whole
        } else {
            &node.latency_batch
        };
        let mut report = NodeReport {
            kind: spec.kind_name().to_string(),
            label: spec.label.clone(),
            arrivals: est(diff(c + node_counter::ARRIVALS)),
            completions: est(diff(c + node_counter::COMPLETIONS)),
            failures: failures(|offset| diff(c + offset)),
            utilisation: est(busy_share(
                area(a + node_area::BUSY),
                capacity * period_ns,
                area(a + node_area::CUT),
            )),
            mean_queue_length: est(ratio(area(a + node_area::QUEUE), period_ns)),
            mean_in_flight: est(ratio(area(a + node_area::IN_FLIGHT), period_ns)),
            latency: latency(
                hist,
                end.area(a + node_area::LATENCY_SUM) - start.area(a + node_area::LATENCY_SUM),
                succeeded as u64,
            ),
            ..NodeReport::default()
        };
        let extra = |i: u32| end.counter(x + i) - start.counter(x + i);
        let node_area = |i: u32| area(a + i);
        let targets = backend_targets(sim, i);
        sim.models[i].report(
            &KindFigures {
                extra: &extra,
                area: &node_area,
                period_ns,
                targets: &targets,
                whole,
                backends: &[],
            },
            &mut report,
        );
        nodes.insert(spec.id.clone(), report);
    }

    let mut edges = BTreeMap::new();
    for (i, edge) in sim.core.edges.iter().enumerate() {
        let (c, a) = (edge.counters, edge.areas);
        edges.insert(
            sim.design.edges[i].id.clone(),
            EdgeReport {
                attempts: est(diff(c + edge_counter::ATTEMPTS)),
                retries: est(diff(c + edge_counter::RETRIES)),
                timeouts: est(diff(c + edge_counter::TIMEOUTS)),
                short_circuited: est(diff(c + edge_counter::SHORT_CIRCUITED)),
                breaker_opened: est(diff(c + edge_counter::BREAKER_OPENED)),
                breaker_open_fraction: est(ratio(area(a + edge_area::NOT_CLOSED), period_ns)),
                throttled: est(diff(c + edge_counter::THROTTLED)),
                budget_refused: est(diff(c + edge_counter::BUDGET_REFUSED)),
                bulkhead_rejected: est(diff(c + edge_counter::BULKHEAD_REJECTED)),
                hedges: est(diff(c + edge_counter::HEDGES)),
                hedge_wins: est(diff(c + edge_counter::HEDGE_WINS)),
            },
        );
    }

    Report {
        overall,
        latency_histogram,
        nodes,
        edges,
        ..Report::default()
    }
}

/// The ids of the nodes node `i`'s outgoing edges lead to, in edge order.
fn backend_targets(sim: &Sim, i: usize) -> Vec<&str> {
    sim.core.nodes[i]
        .out
        .iter()
        .map(|&edge| sim.design.edges[edge as usize].to.as_str())
        .collect()
}

/// The client nodes: what they saw, added up, is what the report calls overall.
fn client_nodes(sim: &Sim) -> impl Iterator<Item = &crate::core::NodeState> {
    sim.core.nodes.iter().filter(|node| node.is_client)
}

/// How much the counter at `offset` (among `node_counter`'s) grew between two snapshots, all
/// clients together.
fn clients_diff(sim: &Sim, start: &Snapshot, end: &Snapshot, offset: u32) -> u64 {
    client_nodes(sim)
        .map(|node| end.counter(node.counters + offset) - start.counter(node.counters + offset))
        .sum()
}

/// Appends one time-series bucket (from `start` to `end`) to the sim's series.
pub(crate) fn push_bucket(sim: &mut Sim, start: &Snapshot, end: &Snapshot) {
    let period_ns = (end.at - start.at) as f64;
    let diff = |i: u32| end.counter(i) - start.counter(i);
    let area = |i: u32| (end.area(i) - start.area(i)) as f64;
    let clients = |offset: u32| clients_diff(sim, start, end, offset);
    let arrivals = clients(node_counter::ARRIVALS);
    let succeeded = clients(node_counter::SUCCEEDED);
    let failed_by_cause: [u64; CAUSES] =
        std::array::from_fn(|cause| clients(node_counter::FAILED + cause as u32));
    let series = &mut sim.measure.series;
    series.t_ms.push(crate::time::to_ms(start.at));
    series.arrivals.push(arrivals);
    series.succeeded.push(succeeded);
    let mut failed = 0;
    for (cause, name) in CAUSE_NAMES.iter().enumerate().take(CAUSES) {
        let n = failed_by_cause[cause];
        failed += n;
        series
            .failed_by_cause
            .entry((*name).to_string())
            .or_default()
            .push(n);
    }
    series.failed.push(failed);
    let [p50, p95, p99] = sim.measure.overall_bucket.quantiles_ms([0.50, 0.95, 0.99]);
    series.p50_ms.push(p50);
    series.p95_ms.push(p95);
    series.p99_ms.push(p99);
    for (i, node) in sim.core.nodes.iter().enumerate() {
        let id = &sim.design.nodes[i].id;
        let entry = series.nodes.entry(id.clone()).or_default();
        let (c, a, x) = (node.counters, node.areas, node.extra);
        entry.arrivals.push(diff(c + node_counter::ARRIVALS));
        entry.completions.push(diff(c + node_counter::COMPLETIONS));
        entry.failed.push(
            (0..CAUSES as u32)
                .map(|cause| diff(c + node_counter::FAILED + cause))
                .sum(),
        );
        let succeeded = diff(c + node_counter::SUCCEEDED) as f64;
        let latency_ns =
            end.area(a + node_area::LATENCY_SUM) - start.area(a + node_area::LATENCY_SUM);
        entry
            .mean_latency_ms
            .push(ratio(latency_ns as f64, succeeded) / 1e6);
        let capacity = node.capacity() as f64;
        entry.utilisation.push(busy_share(
            area(a + node_area::BUSY),
            capacity * period_ns,
            area(a + node_area::CUT),
        ));
        entry
            .queue_length
            .push(ratio(area(a + node_area::QUEUE), period_ns));
        entry
            .in_flight
            .push(ratio(area(a + node_area::IN_FLIGHT), period_ns));
        let extra = |i: u32| diff(x + i);
        let node_area = |i: u32| area(a + i);
        let targets: Vec<&str> = node
            .out
            .iter()
            .map(|&edge| sim.design.edges[edge as usize].to.as_str())
            .collect();
        let backends: Vec<Backend> = node
            .out
            .iter()
            .map(|&edge| {
                let e = &sim.core.edges[edge as usize];
                Backend {
                    down: sim.core.nodes[e.to as usize].fault.crashed,
                    breaker: e.breaker.as_ref().map(|b| b.state(end.at)),
                }
            })
            .collect();
        sim.models[i].push_series(
            &KindFigures {
                extra: &extra,
                area: &node_area,
                period_ns,
                targets: &targets,
                whole: false,
                backends: &backends,
            },
            entry,
        );
    }
    for (i, edge) in sim.core.edges.iter().enumerate() {
        let id = &sim.design.edges[i].id;
        let c = edge.counters;
        let entry = series.edges.entry(id.clone()).or_default();
        entry.calls.push(diff(c + edge_counter::CALLS));
        entry.failed.push(diff(c + edge_counter::FAILED));
        entry.attempts.push(diff(c + edge_counter::ATTEMPTS));
        entry.retries.push(diff(c + edge_counter::RETRIES));
        entry.timeouts.push(diff(c + edge_counter::TIMEOUTS));
        entry
            .short_circuited
            .push(diff(c + edge_counter::SHORT_CIRCUITED));
        entry.throttled.push(diff(c + edge_counter::THROTTLED));
        entry
            .budget_refused
            .push(diff(c + edge_counter::BUDGET_REFUSED));
        entry
            .bulkhead_rejected
            .push(diff(c + edge_counter::BULKHEAD_REJECTED));
        entry.hedges.push(diff(c + edge_counter::HEDGES));
        entry.hedge_wins.push(diff(c + edge_counter::HEDGE_WINS));
        if let Some(breaker) = &edge.breaker {
            let state = match breaker.state(end.at) {
                BreakerState::Closed => 0,
                BreakerState::HalfOpen => 1,
                BreakerState::Open => 2,
            };
            series
                .breaker_state
                .entry(id.clone())
                .or_default()
                .push(state);
        }
    }
}

/// The report of one replication: exact figures over the post-warm-up period, plus its series.
pub(crate) fn replication_report(sim: &mut Sim) -> Report {
    let end = sim.core.recorder.snapshot(sim.core.now);
    let start = sim
        .measure
        .warmup_snapshot
        .clone()
        .unwrap_or_else(|| end.clone());
    let mut report = period_figures(sim, &start, &end, true);
    fill_header(&mut report, &sim.design);
    report.events = sim.events;
    report.stopped_early = sim.stopped_early.clone();
    report.series = std::mem::take(&mut sim.measure.series);
    report.faults = sim.fault_reports();
    report
}

pub(crate) fn fill_header(report: &mut Report, design: &Design) {
    report.report_version = REPORT_VERSION;
    report.design_name = design.name.clone();
    report.seed = design.run.seed;
    report.replications = design.run.replications.max(1);
    report.duration_ms = design.run.duration_ms;
    report.warmup_ms = design.run.warmup_ms;
}

// ---------------------------------------------------------------------------------------------
// Combining

/// Whether a figure is a count that grows with the length of the period (arrivals, failures,
/// hits…) or a rate, mean, ratio or maximum that does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    Count,
    Intensive,
    /// A count most designs never have (hedges, cancelled attempts): the fingerprint hashes
    /// it only when it is not zero, so the reports of designs without it hash as before it
    /// existed.
    SparseCount,
}

use Scale::{Count, Intensive, SparseCount};

type Visitor<'a> = &'a mut dyn FnMut(&mut Estimate, Scale);

/// Calls `f` on every estimate of the report, in a fixed order.
pub(crate) fn visit_estimates(report: &mut Report, f: Visitor) {
    visit_summary(&mut report.overall, f);
    for node in report.nodes.values_mut() {
        f(&mut node.arrivals, Count);
        f(&mut node.completions, Count);
        visit_failures(&mut node.failures, f);
        f(&mut node.utilisation, Intensive);
        f(&mut node.mean_queue_length, Intensive);
        f(&mut node.mean_in_flight, Intensive);
        visit_latency(&mut node.latency, f);
        if let Some(c) = &mut node.cache {
            f(&mut c.hits, Count);
            f(&mut c.misses, Count);
            f(&mut c.hit_ratio, Intensive);
            f(&mut c.evictions, Count);
            f(&mut c.expirations, Count);
            f(&mut c.coalesced, Count);
            if let Some(w) = &mut c.write_back {
                f(&mut w.flushes, Count);
                f(&mut w.coalesced_writes, Count);
                f(&mut w.lost_writes, Count);
            }
        }
        if let Some(d) = &mut node.database {
            d.shard_queries.iter_mut().for_each(|e| f(e, Count));
            f(&mut d.reads_on_replicas, Count);
            f(&mut d.stale_reads, Count);
            for reshard in &mut d.reshards {
                f(&mut reshard.migration_queries, Count);
            }
            // Only with failover / read-your-writes, so other reports hash as before.
            if let Some(lost) = &mut d.lost_writes {
                f(lost, Count);
            }
            if let Some(reads) = &mut d.own_write_reads {
                f(reads, Count);
            }
        }
        if let Some(q) = &mut node.queue {
            f(&mut q.enqueued, Count);
            f(&mut q.delivered, Count);
            f(&mut q.redeliveries, Count);
            f(&mut q.dead_lettered, Count);
            f(&mut q.max_depth, Intensive);
            f(&mut q.blocked, Count);
            // Only with a visibility timeout, so other reports hash as before.
            if let Some(again) = &mut q.visible_again {
                f(again, Count);
            }
            if let Some(duplicates) = &mut q.duplicates {
                f(duplicates, Count);
            }
            q.partition_messages.iter_mut().for_each(|e| f(e, Count));
            q.subscription_messages.iter_mut().for_each(|e| f(e, Count));
            q.subscription_max_lag
                .iter_mut()
                .for_each(|e| f(e, Intensive));
            q.partition_max_lag.iter_mut().for_each(|e| f(e, Intensive));
            // Only with fan-out over partitions or scaled groups, so other reports hash as
            // before.
            for lags in &mut q.group_partition_max_lag {
                lags.iter_mut().for_each(|e| f(e, Intensive));
            }
            for scaling in &mut q.group_autoscaling {
                visit_autoscaling(scaling, f);
            }
        }
        if let Some(l) = &mut node.rate_limiter {
            f(&mut l.admitted, Count);
            f(&mut l.rejected, Count);
        }
        if let Some(b) = &mut node.balancer {
            b.values_mut().for_each(|e| f(e, Count));
        }
        if let Some(a) = &mut node.autoscaling {
            visit_autoscaling(a, f);
        }
        if let Some(h) = &mut node.balancer_health {
            f(&mut h.probes, Count);
            f(&mut h.probe_failures, Count);
            f(&mut h.marked_down, Count);
            f(&mut h.ejections, Count);
            f(&mut h.panic_picks, Count);
        }
    }
    for edge in report.edges.values_mut() {
        f(&mut edge.attempts, Count);
        f(&mut edge.retries, Count);
        f(&mut edge.timeouts, Count);
        f(&mut edge.short_circuited, Count);
        f(&mut edge.breaker_opened, Count);
        f(&mut edge.breaker_open_fraction, Intensive);
        f(&mut edge.throttled, Count);
        f(&mut edge.budget_refused, Count);
        f(&mut edge.bulkhead_rejected, Count);
        f(&mut edge.hedges, SparseCount);
        f(&mut edge.hedge_wins, SparseCount);
    }
}

fn visit_autoscaling(a: &mut archsim_model::report::AutoscalingReport, f: Visitor) {
    f(&mut a.mean_instances, Intensive);
    f(&mut a.peak_instances, Intensive);
    f(&mut a.time_at_max, Intensive);
    f(&mut a.scale_ups, Count);
    f(&mut a.scale_downs, Count);
    if let Some(known) = &mut a.mean_instances_known {
        f(known, Intensive);
    }
    f(&mut a.sent_to_gone, Count);
    // Only with instance_crash faults on the group, so other reports hash as before.
    if let Some(crashes) = &mut a.instance_crashes {
        f(crashes, Count);
    }
}

fn visit_summary(s: &mut Summary, f: Visitor) {
    f(&mut s.arrivals, Count);
    f(&mut s.completed, Count);
    f(&mut s.succeeded, Count);
    f(&mut s.throughput_rps, Intensive);
    f(&mut s.goodput_rps, Intensive);
    visit_failures(&mut s.failures, f);
    visit_latency(&mut s.latency, f);
}

fn visit_failures(x: &mut Failures, f: Visitor) {
    for e in [
        &mut x.error,
        &mut x.timeout,
        &mut x.queue_full,
        &mut x.rate_limited,
        &mut x.breaker_open,
        &mut x.no_healthy_backend,
        &mut x.node_down,
        &mut x.throttled,
        &mut x.codel_dropped,
        &mut x.shed_priority,
        &mut x.bulkhead_full,
        &mut x.deadline_exceeded,
    ] {
        f(e, Count);
    }
    f(&mut x.cancelled, SparseCount);
}

fn visit_latency(l: &mut Latency, f: Visitor) {
    for e in [
        &mut l.mean_ms,
        &mut l.p50_ms,
        &mut l.p95_ms,
        &mut l.p99_ms,
        &mut l.max_ms,
    ] {
        f(e, Intensive);
    }
}

fn values(report: &Report) -> Vec<f64> {
    let mut copy = report.clone();
    let mut out = Vec::new();
    visit_estimates(&mut copy, &mut |e, _| out.push(e.value));
    out
}

/// Replications: the mean of each figure with its Student-t 95% half-width.
pub(crate) fn combine_replications(reports: &[&Report]) -> Report {
    let mut combined = reports[0].clone();
    // The latency distribution is pooled: every replication's counts added up.
    for report in &reports[1..] {
        combined.latency_histogram.merge(&report.latency_histogram);
    }
    let faults: Vec<&[archsim_model::FaultReport]> =
        reports.iter().map(|r| r.faults.as_slice()).collect();
    combined.faults = crate::fault_tally::combine(&faults);
    let columns: Vec<Vec<f64>> = reports.iter().map(|r| values(r)).collect();
    let mut i = 0;
    visit_estimates(&mut combined, &mut |e, _| {
        let samples: Vec<f64> = columns.iter().filter_map(|c| c.get(i).copied()).collect();
        let (mean, ci) = mean_ci95(&samples);
        *e = Estimate {
            value: mean,
            ci95: ci,
        };
        i += 1;
    });
    combined
}

/// One replication: keep its figures, take each CI from the spread of the batch figures.
/// `periods_per_batch` is the measured period over one batch's length: a count over the whole
/// period is that many batches' worth, so its interval is the batch mean's, scaled up.
pub(crate) fn attach_batch_cis(report: &mut Report, batches: &[Report], periods_per_batch: f64) {
    if batches.len() < 2 {
        return;
    }
    let columns: Vec<Vec<f64>> = batches.iter().map(values).collect();
    let mut i = 0;
    visit_estimates(report, &mut |e, scale| {
        let samples: Vec<f64> = columns.iter().filter_map(|c| c.get(i).copied()).collect();
        e.ci95 = mean_ci95(&samples).1.map(|ci| match scale {
            Count | SparseCount => ci * periods_per_batch,
            Intensive => ci,
        });
        i += 1;
    });
}

// ---------------------------------------------------------------------------------------------
// Fingerprint

/// FNV-1a, 64 bits: fixed constants, no per-process randomness.
struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

pub(crate) fn fingerprint(report: &Report) -> u64 {
    let mut h = Fnv(0xCBF2_9CE4_8422_2325);
    h.u64(report.report_version as u64);
    h.str(&report.design_name);
    h.u64(report.seed);
    h.u64(report.replications as u64);
    h.f64(report.duration_ms);
    h.f64(report.warmup_ms);
    h.u64(report.events);
    match &report.stopped_early {
        None => h.u64(0),
        Some(archsim_model::report::StopReason::EventBudget { max_events, at_ms }) => {
            h.u64(1);
            h.u64(*max_events);
            h.f64(*at_ms);
        }
        Some(archsim_model::report::StopReason::InFlightBudget {
            max_in_flight,
            at_ms,
            node,
            node_in_flight,
        }) => {
            h.u64(2);
            h.u64(*max_in_flight);
            h.f64(*at_ms);
            h.str(node);
            h.u64(*node_in_flight);
        }
    }
    for id in report.nodes.keys() {
        h.str(id);
    }
    for id in report.edges.keys() {
        h.str(id);
    }
    // `report.faults` is not hashed: what each fault did is a recount of events whose effects
    // the figures below already hash (its trips, failures, arrivals), so leaving it out keeps
    // the fingerprints committed before it existed.
    let mut copy = report.clone();
    visit_estimates(&mut copy, &mut |e, scale| {
        if scale == SparseCount && e.value == 0.0 && e.ci95.unwrap_or(0.0) == 0.0 {
            return;
        }
        h.f64(e.value);
        match e.ci95 {
            Some(ci) => h.f64(ci),
            None => h.u64(u64::MAX),
        }
    });
    let s = &report.series;
    h.f64(s.bucket_ms);
    for v in [&s.t_ms, &s.p50_ms, &s.p95_ms, &s.p99_ms] {
        h.u64(v.len() as u64);
        v.iter().for_each(|&x| h.f64(x));
    }
    for v in [&s.arrivals, &s.succeeded, &s.failed] {
        h.u64(v.len() as u64);
        v.iter().for_each(|&x| h.u64(x));
    }
    for (cause, v) in &s.failed_by_cause {
        if cause == "cancelled" && v.iter().all(|&x| x == 0) {
            // Only a callee's work is cancelled (a hedge that lost), never a client's request:
            // always zero here, hashed only if not, so reports hash as before the cause existed.
            continue;
        }
        h.str(cause);
        v.iter().for_each(|&x| h.u64(x));
    }
    for (id, n) in &s.nodes {
        h.str(id);
        for v in [
            &n.arrivals,
            &n.completions,
            &n.failed,
            &n.enqueued,
            &n.delivered,
            &n.redeliveries,
            &n.dead_lettered,
            &n.rate_limited,
        ]
        .into_iter()
        .chain(&n.shard_queries)
        {
            h.u64(v.len() as u64);
            v.iter().for_each(|&x| h.u64(x));
        }
        for v in [
            &n.mean_latency_ms,
            &n.utilisation,
            &n.queue_length,
            &n.in_flight,
            &n.hit_ratio,
        ] {
            h.u64(v.len() as u64);
            v.iter().for_each(|&x| h.f64(x));
        }
        // Only where there is one (autoscaled groups), so other reports hash as before.
        for v in n
            .partition_lag
            .iter()
            .chain(&n.subscription_lag)
            .chain(n.group_partition_lag.iter().flatten())
        {
            h.u64(v.len() as u64);
            v.iter().for_each(|&x| h.u64(x));
        }
        for v in &n.group_consumers {
            h.u64(v.len() as u64);
            v.iter().for_each(|&x| h.f64(x));
        }
        for v in [&n.instances, &n.instances_known] {
            if !v.is_empty() {
                h.u64(v.len() as u64);
                v.iter().for_each(|&x| h.f64(x));
            }
        }
        for v in [&n.visible_again, &n.duplicates] {
            if !v.is_empty() {
                h.u64(v.len() as u64);
                v.iter().for_each(|&x| h.u64(x));
            }
        }
        if !n.lost_writes.is_empty() {
            h.u64(n.lost_writes.len() as u64);
            n.lost_writes.iter().for_each(|&x| h.u64(x));
        }
    }
    for node in report.nodes.values() {
        let groups = node.queue.iter().flat_map(|q| &q.group_autoscaling);
        for scaling in node.autoscaling.iter().chain(groups) {
            for e in &scaling.events {
                h.f64(e.t_ms);
                h.u64(((e.from as u64) << 32) | e.to as u64);
                h.f64(e.metric);
            }
        }
    }
    for (id, e) in &s.edges {
        h.str(id);
        for v in [
            &e.calls,
            &e.failed,
            &e.attempts,
            &e.retries,
            &e.timeouts,
            &e.short_circuited,
            &e.throttled,
            &e.budget_refused,
            &e.bulkhead_rejected,
        ] {
            h.u64(v.len() as u64);
            v.iter().for_each(|&x| h.u64(x));
        }
        // Only along hedging edges, so other reports hash as before.
        for v in [&e.hedges, &e.hedge_wins] {
            if v.iter().any(|&x| x > 0) {
                h.u64(v.len() as u64);
                v.iter().for_each(|&x| h.u64(x));
            }
        }
    }
    for (id, v) in &s.breaker_state {
        h.str(id);
        v.iter().for_each(|&x| h.u64(x as u64));
    }
    h.0
}

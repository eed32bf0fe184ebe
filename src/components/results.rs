//! The results area: the last run's report — what the clients saw, each node and edge, what
//! the special kinds did, and the time series as charts. Marked as from an earlier version of
//! the design once the editor has moved on from the design it was run on.

use std::rc::Rc;

use archsim_model::{Estimate, NodeReport, Report, Series};
use yew::prelude::*;

use super::results_charts::{Charts, ShownRun, publish_shown_run};
use super::results_faults::FaultTable;
use super::results_format::{
    NO_DATA, axis_end_ms, count, count_estimate, duration_ms, edge_has_breaker, estimate,
    failure_summary, measured_seconds, node_successes, number, per_second, percent,
};
use crate::charts::export;
use crate::persist::browser::download_text;
use crate::run::controller::same;
use crate::run::{LiveSeries, RunState};
use crate::state::Blocker;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub run: UseReducerHandle<RunState>,
    /// The report is of an earlier version of the design.
    pub stale: bool,
    /// Why the design cannot run, one sentence each; empty when it can.
    pub blockers: Rc<Vec<Blocker>>,
    /// The design has no node yet: the page greets, it lists no problems.
    #[prop_or_default]
    pub fresh: bool,
    /// Why the report on screen will not come back after a reload, when it will not.
    #[prop_or_default]
    pub not_kept: Option<String>,
    /// The time (ms of simulated time) the person points at on the timeline or a chart: the
    /// canvas shows the state at that moment and every time chart draws a cursor there.
    #[prop_or_default]
    pub cursor_ms: Option<f64>,
    /// Asked to move (or, with None, to drop) the time cursor.
    #[prop_or_default]
    pub on_cursor: Callback<Option<f64>>,
}

#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    // The properties panel charts the selected element of the run shown here.
    {
        let shown = shown_run(&props.run);
        let key = shown.as_ref().map(|s| {
            (
                Rc::as_ptr(&s.design) as usize,
                s.report.as_ref().map(|r| Rc::as_ptr(r) as usize),
                s.live.as_ref().map(LiveSeries::identity),
            )
        });
        use_effect_with(key, move |_| {
            publish_shown_run(shown);
            || publish_shown_run(None)
        });
    }
    // A run under way shows its series so far, on the same charts a report gets.
    if let Some(active) = props.run.active.as_ref()
        && let Some(live) = active.live.clone()
    {
        let design = active.design.clone();
        let end_ms = design.run.duration_ms;
        let simulated = {
            let series = live.series();
            series
                .t_ms
                .last()
                .map_or(0.0, |t| (t + series.bucket_ms).min(end_ms))
        };
        let export_csv = {
            let live = live.clone();
            let name = design.name.clone();
            Callback::from(move |_: MouseEvent| save_series_csv(&name, &live.series()))
        };
        // The same shape as a report's section below (head, charts, tables, note): when the report
        // arrives, Yew keeps the charts (the same component at the same place, each figure
        // keyed by its chart) and only repaints them, rather than tearing down every live
        // chart and building the report's anew in the task that shows it.
        return html! {
            <section id="results" class="has-report is-live" aria-label="Results" tabindex="0">
                <>
                    <div class="results-header">
                        <h2 class="results-title">{ "Results" }</h2>
                        <span class="results-meta" id="results-live" role="status">
                            { format!(
                                "Running · {} of {} simulated · first replication, live",
                                duration_ms(simulated),
                                duration_ms(end_ms),
                            ) }
                        </span>
                        <span class="results-exports">
                            <button type="button" class="small-button" id="export-csv"
                                    title="The time series so far, one row per bucket" onclick={export_csv}>
                                { "Series CSV" }
                            </button>
                        </span>
                    </div>
                    <p class="results-note" id="results-live-note">
                        { "The whole run's figures, with confidence intervals, complete the picture when the run finishes." }
                    </p>
                </>
                <Charts design={design} live={Some(live)} end_ms={end_ms}
                    cursor_ms={props.cursor_ms} on_cursor={props.on_cursor.clone()} />
                // Where the report's tables and its "not kept" note go. Yew matches the
                // children of a list from the last one back, so both lists have as many.
                <></>
                <></>
            </section>
        };
    }
    let Some(result) = props.run.result.as_ref() else {
        let running = props.run.is_running();
        let text = if running {
            "The charts appear here as the run advances, from its first bucket of simulated time."
        } else if props.fresh {
            "No results yet. Build a design on the canvas (a client and what it calls) or start \
             from a template, then press Run: throughput, latency percentiles, failures by cause \
             and utilisation per node will appear here."
        } else if !props.blockers.is_empty() {
            // The run bar has room for the first reason only; here each one is read in full.
            "No results yet. Run is off until the design can run:"
        } else {
            "No results yet. Press Run to simulate the design: throughput, latency percentiles, \
             failures by cause and utilisation per node will appear here."
        };
        return html! {
            <section id="results" aria-label="Results" tabindex="0">
                <h2 class="results-title">{ "Results" }</h2>
                <p class="results-empty">{ text }</p>
                if !running && !props.fresh && !props.blockers.is_empty() {
                    <ul class="results-blockers" id="run-blockers">
                        { for props.blockers.iter().map(|b| html! {
                            <li>
                                <span class="blocker-sentence">{ b.sentence.clone() }</span>
                                if let Some(details) = b.details.clone() {
                                    <span class="blocker-details">{ format!("Details: {details}") }</span>
                                }
                            </li>
                        }) }
                    </ul>
                }
            </section>
        };
    };
    let report = result.report.clone();
    html! {
        // Focusable (tabindex 0): the results scroll, and the keyboard scrolls what has focus.
        <section id="results" class={classes!("has-report", props.stale.then_some("is-stale"))} tabindex="0"
                 aria-label="Results">
            <ReportHead report={report.clone()} stale={props.stale} />
            <Charts design={result.design.clone()} report={Some(report.clone())}
                end_ms={axis_end_ms(&report)} cursor_ms={props.cursor_ms}
                on_cursor={props.on_cursor.clone()} />
            <ReportTables report={report} />
            if let Some(reason) = props.not_kept.clone() {
                <p class="results-note" id="results-not-kept">
                    { format!("These results will not be kept across a reload: {reason}.") }
                </p>
            }
        </section>
    }
}

/// The run the results area shows: the live one under way, or the last report.
fn shown_run(run: &RunState) -> Option<ShownRun> {
    if let Some(active) = run.active.as_ref()
        && let Some(live) = active.live.clone()
    {
        return Some(ShownRun {
            end_ms: active.design.run.duration_ms,
            design: active.design.clone(),
            report: None,
            live: Some(live),
        });
    }
    run.result.as_ref().map(|r| ShownRun {
        end_ms: axis_end_ms(&r.report),
        design: r.design.clone(),
        report: Some(r.report.clone()),
        live: None,
    })
}

/// Offers the series as a CSV download.
fn save_series_csv(design_name: &str, series: &Series) {
    let name = export::file_name(design_name, "series", "csv");
    if let Err(e) = download_text(&name, "text/csv", &export::series_csv(series)) {
        web_sys::console::warn_1(&e.into());
    }
}

#[derive(Properties)]
struct ReportHeadProps {
    report: Rc<Report>,
    stale: bool,
}

// By identity: a report's contents never change (see `run::controller::same`).
impl PartialEq for ReportHeadProps {
    fn eq(&self, other: &Self) -> bool {
        same(&self.report, &other.report) && self.stale == other.stale
    }
}

/// The report's header (what ran, exports), its warning when it stopped early, and the
/// figures of the whole run.
#[function_component(ReportHead)]
fn report_head(props: &ReportHeadProps) -> Html {
    let report = &props.report;
    let replications = match report.replications {
        1 => "1 replication".to_string(),
        n => format!("{n} replications"),
    };
    let export_csv = {
        let report = report.clone();
        Callback::from(move |_: MouseEvent| save_series_csv(&report.design_name, &report.series))
    };
    let export_json = {
        let report = report.clone();
        Callback::from(move |_: MouseEvent| {
            let name = export::file_name(&report.design_name, "report", "json");
            let text = archsim_model::json::to_pretty(&*report);
            if let Err(e) = download_text(&name, "application/json", &text) {
                web_sys::console::warn_1(&e.into());
            }
        })
    };
    let header = html! {
        <div class="results-header">
            <h2 class="results-title">{ "Results" }</h2>
            <span class="results-meta" id="results-meta">
                { format!(
                    "{} · {} simulated ({} warm-up left out) · {} · {} events · seed {}",
                    if report.design_name.trim().is_empty() { "Untitled design" } else { &report.design_name },
                    duration_ms(report.duration_ms),
                    duration_ms(report.warmup_ms),
                    replications,
                    count(report.events as f64),
                    report.seed,
                ) }
            </span>
            if props.stale {
                <span class="results-stale" id="results-stale" role="status">
                    { "From an earlier version of the design — run again to update" }
                </span>
            }
            <span class="results-exports">
                <button type="button" class="small-button" id="export-csv"
                        title="The first replication's time series, one row per bucket" onclick={export_csv}>
                    { "Series CSV" }
                </button>
                <button type="button" class="small-button" id="export-report"
                        title="The whole report as JSON (the CLI's --json gives the same)" onclick={export_json}>
                    { "Report JSON" }
                </button>
            </span>
        </div>
    };
    let stopped = report.stopped_early.as_ref().map(|reason| {
        html! {
            <p class="results-warning" id="results-stopped-early" role="status">
                { reason.explanation(count, duration_ms) }
            </p>
        }
    });
    html! {
        <>
            { header }
            { for stopped }
            <Overall report={report.clone()} />
        </>
    }
}

/// The node and edge tables, after the rest of the report: the node table a frame later (its
/// rows a few a frame), the edge table once every listed node's row is there. For a big design
/// they are hundreds of cells, and built in the same task as the figures and charts (or
/// together in one frame) they held the page too long.
#[function_component(ReportTables)]
fn report_tables(props: &ReportProps) -> Html {
    // How many of the two tables are on the page.
    let shown = use_state_eq(|| 0u8);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| {
            let pending = crate::charts::canvas::after_next_frame(move || shown.set(1));
            move || drop(pending)
        });
    }
    let on_all_rows = {
        let shown = shown.clone();
        Callback::from(move |()| shown.set(2))
    };
    let seconds = measured_seconds(&props.report);
    html! {
        <>
            if *shown >= 1 {
                <NodeTable report={props.report.clone()} seconds={seconds} on_all_rows={on_all_rows} />
            }
            if *shown >= 2 {
                <EdgeTable report={props.report.clone()} />
                <FaultTable report={props.report.clone()} />
            }
        </>
    }
}

/// How a figure's value reads.
#[derive(Clone, Copy)]
enum Shown {
    /// A measurement: about three significant digits.
    Measure,
    /// A count of requests: whole numbers, not "2.00".
    Count,
    /// Nothing was measured (a latency with no successful request): "—", no unit, no interval.
    NoData,
}

/// One figure: a name, a value with its unit, and the ± half-width when known.
fn figure(id: &str, name: &str, value: Estimate, shown: Shown, unit: &str, what: &str) -> Html {
    let (value, ci) = match shown {
        Shown::Measure => estimate(value),
        Shown::Count => count_estimate(value),
        Shown::NoData => (NO_DATA.to_string(), None),
    };
    let no_data = matches!(shown, Shown::NoData);
    let what = if no_data {
        format!("{what}. No request succeeded after warm-up, so there is nothing to show.")
    } else {
        what.to_string()
    };
    let unit = if no_data { "" } else { unit };
    html! {
        <div class={classes!("figure", no_data.then_some("is-no-data"))} data-figure={id.to_string()} title={what}>
            <span class="figure-name">{ name.to_string() }</span>
            <span class="figure-value">
                <span class="figure-number">{ value }</span>
                if !unit.is_empty() { <span class="figure-unit">{ unit.to_string() }</span> }
            </span>
            if let Some(ci) = ci {
                <span class="figure-ci" title="Half-width of the 95% confidence interval">{ ci }</span>
            }
        </div>
    }
}

/// What the summary says when no client request failed. Failures counted at nodes can still
/// be there (an event pipeline's consumers failing 1,377 deliveries): they never reached a
/// client, and "No request failed" beside them would read as a contradiction unless it says
/// where they were and why no client saw them.
fn no_failure_text(report: &Report) -> String {
    let mut inside: Vec<(&str, f64)> = report
        .nodes
        .iter()
        .filter(|(_, n)| n.kind != "client" && n.failures.total() > 0.0)
        .map(|(id, n)| {
            let name = if n.label.trim().is_empty() {
                id.as_str()
            } else {
                n.label.as_str()
            };
            (name, n.failures.total())
        })
        .collect();
    if inside.is_empty() {
        return "No request failed.".to_string();
    }
    inside.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total: f64 = inside.iter().map(|(_, n)| n).sum();
    let mut places: Vec<String> = inside
        .iter()
        .take(3)
        .map(|(name, n)| format!("{name} ({})", count(*n)))
        .collect();
    if inside.len() > 3 {
        places.push(format!("{} more", inside.len() - 3));
    }
    let why = if report.nodes.values().any(|n| n.kind == "queue") {
        "a queue answers its producer once it holds the message, so what fails after it is \
         redelivered or dead-lettered, never reported to a client."
    } else {
        "each was absorbed before it reached a client (a retry that then succeeded)."
    };
    format!(
        "No client request failed. {} failures were internal, at {}: {why}",
        count(total),
        places.join(", ")
    )
}

#[derive(Properties)]
struct ReportProps {
    report: Rc<Report>,
}

impl PartialEq for ReportProps {
    fn eq(&self, other: &Self) -> bool {
        same(&self.report, &other.report)
    }
}

#[function_component(Overall)]
fn overall(props: &ReportProps) -> Html {
    let o = &props.report.overall;
    let l = &o.latency;
    let failures = failure_summary(&o.failures);
    let failed = o.failures.total();
    // Latency is that of successful requests: with none, it measured nothing (the report says 0).
    let latency = if o.succeeded.value > 0.0 {
        Shown::Measure
    } else {
        Shown::NoData
    };
    let failed_share = if o.completed.value > 0.0 {
        format!(
            " ({} of finished requests)",
            percent(failed / o.completed.value)
        )
    } else {
        String::new()
    };
    html! {
        <div class="results-overall" id="results-overall">
            <div class="figure-row">
                { figure("throughput", "Throughput", o.throughput_rps, Shown::Measure, "req/s",
                    "Finished requests per second (any outcome), after warm-up") }
                { figure("goodput", "Goodput", o.goodput_rps, Shown::Measure, "req/s",
                    "Successful requests per second, after warm-up") }
                { figure("completed", "Completed", o.completed, Shown::Count, "",
                    "Requests that finished after warm-up, with any outcome (per replication)") }
                { figure("latency-mean", "Mean", l.mean_ms, latency, "ms",
                    "Mean latency of successful requests, as the clients saw it") }
                { figure("latency-p50", "p50", l.p50_ms, latency, "ms", "Median latency of successful requests") }
                { figure("latency-p95", "p95", l.p95_ms, latency, "ms", "95th percentile latency") }
                { figure("latency-p99", "p99", l.p99_ms, latency, "ms", "99th percentile latency") }
                { figure("latency-max", "max", l.max_ms, latency, "ms", "Slowest successful request") }
            </div>
            <p class={classes!("results-failures", failures.is_some().then_some("has-failures"))}
               id="results-failures">
                { match failures {
                    Some(list) => format!("Failed: {}{failed_share}.", list),
                    None => no_failure_text(&props.report),
                } }
            </p>
        </div>
    }
}

#[derive(Properties)]
struct NodeTableProps {
    report: Rc<Report>,
    seconds: f64,
    /// Told once every listed node has its row on the page.
    on_all_rows: Callback<()>,
}

impl PartialEq for NodeTableProps {
    fn eq(&self, other: &Self) -> bool {
        same(&self.report, &other.report) && self.seconds == other.seconds
    }
}

/// Kind-specific figures of a node, one short phrase each.
fn kind_details(node: &NodeReport) -> Vec<String> {
    let mut details = Vec::new();
    if let Some(cache) = &node.cache {
        details.push(format!(
            "hit ratio {}{}",
            percent(cache.hit_ratio.value),
            cache
                .hit_ratio
                .ci95
                .map(|ci| format!(" ± {}", percent(ci)))
                .unwrap_or_default()
        ));
        if cache.evictions.value > 0.0 {
            details.push(format!("{} evictions", count(cache.evictions.value)));
        }
        if cache.coalesced.value > 0.0 {
            details.push(format!("{} misses coalesced", count(cache.coalesced.value)));
        }
        if let Some(write_back) = &cache.write_back {
            details.push(format!(
                "{} flushes, {} writes coalesced, {} writes lost",
                count(write_back.flushes.value),
                count(write_back.coalesced_writes.value),
                count(write_back.lost_writes.value)
            ));
        }
    }
    if let Some(db) = &node.database {
        if db.shard_queries.len() > 1 {
            let shares: Vec<String> = db.shard_queries.iter().map(|q| count(q.value)).collect();
            details.push(format!("queries per shard {}", shares.join(" / ")));
        }
        if db.reads_on_replicas.value > 0.0 {
            details.push(format!(
                "{} reads on replicas",
                count(db.reads_on_replicas.value)
            ));
        }
        if db.stale_reads.value > 0.0 {
            details.push(format!("{} stale reads", count(db.stale_reads.value)));
        }
        if let Some(reads) = db.own_write_reads {
            details.push(format!(
                "{} reads kept on the primary (read-your-writes)",
                count(reads.value)
            ));
        }
        for failover in &db.failovers {
            details.push(format!(
                "failover of shard {}: no primary for {} ms, {} writes lost",
                failover.shard,
                count(failover.promoted_at_ms - failover.crashed_at_ms),
                count(failover.lost_writes as f64)
            ));
        }
        if let Some(lost) = db.lost_writes {
            details.push(format!("{} writes lost at failovers", count(lost.value)));
        }
        for reshard in &db.reshards {
            details.push(format!(
                "reshard {} → {} shards moved {} of keys ({} queries paid the move)",
                reshard.from_shards,
                reshard.to_shards,
                percent(reshard.keys_moved),
                count(reshard.migration_queries.value)
            ));
        }
    }
    if let Some(queue) = &node.queue {
        details.push(format!(
            "{} delivered, max depth {}",
            count(queue.delivered.value),
            count(queue.max_depth.value)
        ));
        if queue.dead_lettered.value > 0.0 {
            details.push(format!(
                "{} dead-lettered",
                count(queue.dead_lettered.value)
            ));
        }
        if let Some((hot, lag)) = queue
            .partition_max_lag
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
        {
            details.push(format!(
                "{} partitions, largest lag {} (partition {hot})",
                queue.partition_max_lag.len(),
                count(lag.value)
            ));
        }
        if let Some((slowest, lag)) = queue
            .subscription_max_lag
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
        {
            details.push(format!(
                "fan-out to {} subscriptions, largest lag {} (subscription {})",
                queue.subscription_max_lag.len(),
                count(lag.value),
                slowest + 1
            ));
        }
        if queue.group_partition_max_lag.len() > 1 {
            // A topic read by several consumer groups: each group's laggiest partition.
            for (group, lags) in queue.group_partition_max_lag.iter().enumerate() {
                if let Some((hot, lag)) = lags
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
                {
                    details.push(format!(
                        "group {}: largest lag {} (partition {hot})",
                        group + 1,
                        count(lag.value)
                    ));
                }
            }
        }
        for (group, scaling) in queue.group_autoscaling.iter().enumerate() {
            details.push(format!(
                "group {}: consumers mean {}, peak {}, {} scale-ups",
                group + 1,
                count(scaling.mean_instances.value),
                count(scaling.peak_instances.value),
                count(scaling.scale_ups.value)
            ));
        }
        if let Some(duplicates) = queue.duplicates {
            details.push(format!(
                "{} duplicate deliveries (visibility timeout)",
                count(duplicates.value)
            ));
        }
        if queue.blocked.value > 0.0 {
            details.push(format!(
                "{} producers made to wait",
                count(queue.blocked.value)
            ));
        }
        if queue.redeliveries.value > 0.0 {
            details.push(format!("{} redeliveries", count(queue.redeliveries.value)));
        }
    }
    if let Some(limiter) = &node.rate_limiter {
        details.push(format!(
            "{} admitted, {} rejected",
            count(limiter.admitted.value),
            count(limiter.rejected.value)
        ));
    }
    if let Some(scaling) = &node.autoscaling {
        // A queue's scaled group is its consumers (KEDA); a service's, its instances.
        let unit = if node.queue.is_some() {
            "consumers"
        } else {
            "instances"
        };
        details.push(format!(
            "{unit} mean {}, peak {}",
            count(scaling.mean_instances.value),
            count(scaling.peak_instances.value)
        ));
        if scaling.time_at_max.value > 0.0 {
            details.push(format!(
                "at max {} of the time",
                percent(scaling.time_at_max.value)
            ));
        }
        if let Some(known) = scaling.mean_instances_known {
            details.push(format!("known to callers {}", count(known.value)));
        }
        if let Some(crashes) = scaling.instance_crashes {
            details.push(format!("{} instances crashed", count(crashes.value)));
        }
        if scaling.sent_to_gone.value > 0.0 {
            details.push(format!(
                "{} sent to gone instances",
                count(scaling.sent_to_gone.value)
            ));
        }
        details.push(format!(
            "{} scale-ups, {} scale-downs",
            count(scaling.scale_ups.value),
            count(scaling.scale_downs.value)
        ));
    }
    if let Some(balancer) = &node.balancer {
        let shares: Vec<String> = balancer
            .iter()
            .map(|(backend, sent)| format!("{backend} {}", count(sent.value)))
            .collect();
        if !shares.is_empty() {
            details.push(format!("sent {}", shares.join(", ")));
        }
    }
    details
}

fn kind_name(kind: &str) -> String {
    kind.replace('_', " ")
}

/// Rows the node table lists at first: a design with more nodes lists its busiest and a button
/// shows the rest (a page of hundreds of rows would be slow to lay out and hard to read).
const TABLE_ROWS: usize = 40;

/// Rows of the node table added to the page in one frame.
const ROWS_PER_FRAME: usize = 10;

/// The nodes the table lists, in id order: all of them, or with `all` false and more than
/// [`TABLE_ROWS`] nodes, the ones with the most arrivals.
fn listed_nodes(report: &Report, all: bool) -> Vec<(&String, &NodeReport)> {
    let mut nodes: Vec<(&String, &NodeReport)> = report.nodes.iter().collect();
    if !all && nodes.len() > TABLE_ROWS {
        nodes.sort_by(|a, b| b.1.arrivals.value.total_cmp(&a.1.arrivals.value));
        nodes.truncate(TABLE_ROWS);
        nodes.sort_by(|a, b| a.0.cmp(b.0));
    }
    nodes
}

#[function_component(NodeTable)]
fn node_table(props: &NodeTableProps) -> Html {
    let report = &props.report;
    let show_all = use_state_eq(|| false);
    let listed = listed_nodes(report, *show_all);
    let hidden = report.nodes.len() - listed.len();
    // The rows come a few a frame: laying out and painting a new table of 40 rows took one
    // frame of 25–35 ms (style, text and table layout of every cell) right after the report.
    let rows_on_page = use_state_eq(|| ROWS_PER_FRAME);
    {
        let rows_on_page = rows_on_page.clone();
        let listed = listed.len();
        let on_all_rows = props.on_all_rows.clone();
        use_effect_with((*rows_on_page, listed), move |&(now, listed)| {
            if now >= listed {
                on_all_rows.emit(());
            }
            let pending = (now < listed).then(|| {
                crate::charts::canvas::after_next_frame(move || {
                    rows_on_page.set(now + ROWS_PER_FRAME)
                })
            });
            move || drop(pending)
        });
    }
    let rows = listed.into_iter().take(*rows_on_page).map(|(id, node)| {
        let label = if node.label.trim().is_empty() { id.clone() } else { node.label.clone() };
        let failures = node.failures.total();
        let details = kind_details(node);
        // A client has no workers and no wait queue: nothing to show there.
        let has_workers = node.has_utilisation();
        let if_workers = |text: String| if has_workers { text } else { NO_DATA.to_string() };
        // Latency is the residence time of requests the node finished without failing them:
        // with none, the report's 0 means "not measured".
        let served = node_successes(node) > 0.0;
        let latency_cell = |ms: f64| if served { number(ms) } else { NO_DATA.to_string() };
        let latency_title = (!served).then_some("No request succeeded at this node after warm-up");
        html! {
            <>
                <tr data-node-id={id.clone()}>
                    <th scope="row">
                        <span class={classes!("kind-dot", format!("kind-{}", node.kind))} />
                        <span class="node-label">{ label }</span>
                    </th>
                    <td class="kind">{ kind_name(&node.kind) }</td>
                    <td data-col="arrivals">{ number(per_second(node.arrivals.value, props.seconds)) }</td>
                    <td data-col="utilisation">{ if_workers(percent(node.utilisation.value)) }</td>
                    <td data-col="queue">{ if_workers(number(node.mean_queue_length.value)) }</td>
                    <td data-col="latency" title={latency_title}>{ latency_cell(node.latency.mean_ms.value) }</td>
                    <td data-col="p99" title={latency_title}>{ latency_cell(node.latency.p99_ms.value) }</td>
                    <td data-col="failures" class={classes!((failures > 0.0).then_some("has-failures"))}
                        title={failure_summary(&node.failures).unwrap_or_default()}>
                        { count(failures) }
                    </td>
                </tr>
                if !details.is_empty() {
                    <tr class="node-details" data-details-for={id.clone()}>
                        <td colspan="8">{ details.join(" · ") }</td>
                    </tr>
                }
            </>
        }
    });
    html! {
        <div class="results-table-wrap" tabindex="0" role="region" aria-label="Nodes table">
            <table class="results-table" id="results-nodes">
                <caption>{ "Nodes" }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Node" }</th>
                        <th scope="col">{ "Kind" }</th>
                        <th scope="col" class="num">{ "Arrivals/s" }</th>
                        <th scope="col" class="num">{ "Utilisation" }</th>
                        <th scope="col" class="num">{ "Mean queue" }</th>
                        <th scope="col" class="num">{ "Mean latency (ms)" }</th>
                        <th scope="col" class="num">{ "p99 (ms)" }</th>
                        <th scope="col" class="num">{ "Failures" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
            if hidden > 0 || *show_all && report.nodes.len() > TABLE_ROWS {
                <p class="results-note" id="results-nodes-more">
                    if hidden > 0 {
                        { format!("Showing the {TABLE_ROWS} nodes with the most arrivals of {}. ", report.nodes.len()) }
                        <button type="button" class="small-button" onclick={
                            let show_all = show_all.clone();
                            Callback::from(move |_: MouseEvent| show_all.set(true))
                        }>{ format!("Show all {}", report.nodes.len()) }</button>
                    } else {
                        <button type="button" class="small-button" onclick={
                            let show_all = show_all.clone();
                            Callback::from(move |_: MouseEvent| show_all.set(false))
                        }>{ format!("Show the {TABLE_ROWS} busiest") }</button>
                    }
                </p>
            }
        </div>
    }
}

#[function_component(EdgeTable)]
fn edge_table(props: &ReportProps) -> Html {
    let report = &props.report;
    let busy: Vec<_> = props
        .report
        .edges
        .iter()
        .filter(|(_, e)| {
            e.retries.value > 0.0
                || e.timeouts.value > 0.0
                || e.short_circuited.value > 0.0
                || e.breaker_opened.value > 0.0
                || e.throttled.value > 0.0
                || e.budget_refused.value > 0.0
                || e.bulkhead_rejected.value > 0.0
                || e.hedges.value > 0.0
        })
        .collect();
    if busy.is_empty() {
        return html! {
            <p class="results-note" id="results-edges-quiet">
                { "No edge retried, hedged, timed out, tripped a breaker or throttled its caller." }
            </p>
        };
    }
    html! {
        <div class="results-table-wrap" tabindex="0" role="region" aria-label="Edges table">
            <table class="results-table" id="results-edges">
                <caption>{ "Edges with retries, hedges, timeouts, breakers or throttling" }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Edge" }</th>
                        <th scope="col" class="num">{ "Attempts" }</th>
                        <th scope="col" class="num">{ "Retries" }</th>
                        <th scope="col" class="num">{ "Timeouts" }</th>
                        <th scope="col" class="num">{ "Short-circuited" }</th>
                        <th scope="col" class="num">{ "Breaker opened" }</th>
                        <th scope="col" class="num">{ "Breaker not closed" }</th>
                        <th scope="col" class="num" title="Attempts the caller's adaptive throttling rejected before sending them">{ "Throttled" }</th>
                        <th scope="col" class="num" title="Retries the retry policy allowed but the retry budget refused">{ "Budget refused" }</th>
                        <th scope="col" class="num" title="Attempts refused because the edge's bulkhead was full">{ "Bulkhead full" }</th>
                        <th scope="col" class="num" title="Hedges sent: the same request again when no answer came after the hedging delay">{ "Hedges" }</th>
                        <th scope="col" class="num" title="Hedged calls whose first answer was a hedge's success">{ "Won by a hedge" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for busy.into_iter().map(|(id, e)| {
                        // An edge without a circuit breaker has no breaker figures, not zeros.
                        let breaker = edge_has_breaker(report, id);
                        let if_breaker = |text: String| if breaker { text } else { NO_DATA.to_string() };
                        let breaker_title = (!breaker).then_some("This edge has no circuit breaker");
                        html! {
                            <tr data-edge-id={id.clone()}>
                                <th scope="row">{ id.clone() }</th>
                                <td data-col="attempts">{ count(e.attempts.value) }</td>
                                <td data-col="retries">{ count(e.retries.value) }</td>
                                <td data-col="timeouts">{ count(e.timeouts.value) }</td>
                                <td data-col="short-circuited" title={breaker_title}>
                                    { if_breaker(count(e.short_circuited.value)) }
                                </td>
                                <td data-col="breaker-opened" title={breaker_title}>
                                    { if_breaker(count(e.breaker_opened.value)) }
                                </td>
                                <td data-col="breaker-not-closed" title={breaker_title}>
                                    { if_breaker(percent(e.breaker_open_fraction.value)) }
                                </td>
                                <td data-col="throttled">{ count(e.throttled.value) }</td>
                                <td data-col="budget-refused">{ count(e.budget_refused.value) }</td>
                                <td data-col="bulkhead-full">{ count(e.bulkhead_rejected.value) }</td>
                                <td data-col="hedges">{ count(e.hedges.value) }</td>
                                <td data-col="hedge-wins">{ count(e.hedge_wins.value) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{CacheReport, DatabaseReport, QueueReport, RateLimiterReport};

    /// The event pipeline's consumers fail deliveries that no client ever waits for: the summary
    /// says so instead of a bare "No request failed" beside 1,377 failures in the node table.
    #[test]
    fn failures_no_client_saw_are_named_as_internal() {
        let mut report = Report::default();
        assert_eq!(no_failure_text(&report), "No request failed.");
        let mut consumer = NodeReport {
            kind: "service".into(),
            label: "Consumer".into(),
            ..NodeReport::default()
        };
        consumer.failures.error = Estimate::exact(1377.0);
        report.nodes.insert("consumer".into(), consumer);
        report.nodes.insert(
            "events".into(),
            NodeReport {
                kind: "queue".into(),
                ..NodeReport::default()
            },
        );
        let said = no_failure_text(&report);
        assert!(
            said.starts_with(
                "No client request failed. 1,377 failures were internal, at Consumer (1,377): a queue"
            ),
            "{said}"
        );
    }

    #[test]
    fn a_large_design_lists_its_busiest_nodes_until_asked_for_all() {
        let mut report = Report::default();
        for i in 0..50 {
            report.nodes.insert(
                format!("n{i:02}"),
                NodeReport {
                    arrivals: Estimate::exact(i as f64),
                    ..NodeReport::default()
                },
            );
        }
        let listed = listed_nodes(&report, false);
        assert_eq!(listed.len(), TABLE_ROWS);
        // The busiest (n10..n49), still in id order.
        assert_eq!(listed[0].0, "n10");
        assert_eq!(listed[TABLE_ROWS - 1].0, "n49");
        assert_eq!(listed_nodes(&report, true).len(), 50);
    }

    #[test]
    fn kind_details_name_what_each_special_kind_did() {
        let cache = NodeReport {
            cache: Some(CacheReport {
                hit_ratio: Estimate {
                    value: 0.9,
                    ci95: Some(0.01),
                },
                ..CacheReport::default()
            }),
            ..NodeReport::default()
        };
        assert_eq!(kind_details(&cache), ["hit ratio 90.0% ± 1.0%"]);
        let db = NodeReport {
            database: Some(DatabaseReport {
                shard_queries: vec![Estimate::exact(10.0), Estimate::exact(12.0)],
                ..DatabaseReport::default()
            }),
            ..NodeReport::default()
        };
        assert_eq!(kind_details(&db), ["queries per shard 10 / 12"]);
        let queue = NodeReport {
            queue: Some(QueueReport {
                delivered: Estimate::exact(5.0),
                dead_lettered: Estimate::exact(2.0),
                max_depth: Estimate::exact(3.0),
                ..QueueReport::default()
            }),
            ..NodeReport::default()
        };
        assert_eq!(
            kind_details(&queue),
            ["5 delivered, max depth 3", "2 dead-lettered"]
        );
        let limiter = NodeReport {
            rate_limiter: Some(RateLimiterReport {
                admitted: Estimate::exact(7.0),
                rejected: Estimate::exact(1.0),
            }),
            ..NodeReport::default()
        };
        assert_eq!(kind_details(&limiter), ["7 admitted, 1 rejected"]);
        assert!(kind_details(&NodeReport::default()).is_empty());
    }
}

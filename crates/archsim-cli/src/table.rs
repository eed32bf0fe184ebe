//! The report as a readable text table: the overall figures, then one row per node, then the
//! edges where retries, timeouts or a circuit breaker did anything.

use crate::safe_text::escape;
use std::fmt::Write;

use archsim_model::{EdgeReport, Estimate, Failures, Latency, NodeReport, Report, StopReason};

/// The whole report as text, ending with a newline.
pub fn render(report: &Report) -> String {
    let shown = shown_text(report);
    let report = shown.as_ref().unwrap_or(report);
    let mut out = String::new();
    header(&mut out, report);
    overall(&mut out, report);
    nodes(&mut out, report);
    node_details(&mut out, report);
    edges(&mut out, report);
    if let Some(notice) = stop_notice(report) {
        let _ = writeln!(out, "\n{notice}");
    }
    out
}

/// The report with every text that came from the design (its name, node and edge ids, labels,
/// balancer backends) escaped for the terminal; None when nothing needed it (the usual case, so
/// the report is not copied).
fn shown_text(report: &Report) -> Option<Report> {
    let hostile = |text: &str| matches!(escape(text), std::borrow::Cow::Owned(_));
    let needs = hostile(&report.design_name)
        || report.nodes.iter().any(|(id, node)| {
            hostile(id)
                || hostile(&node.label)
                || node
                    .balancer
                    .as_ref()
                    .is_some_and(|b| b.keys().any(|k| hostile(k)))
        })
        || report.edges.keys().any(|id| hostile(id));
    if !needs {
        return None;
    }
    let safe = |text: &str| escape(text).into_owned();
    let mut copy = report.clone();
    copy.design_name = safe(&report.design_name);
    copy.nodes = std::mem::take(&mut copy.nodes)
        .into_iter()
        .map(|(id, mut node)| {
            node.label = safe(&node.label);
            node.balancer = node
                .balancer
                .map(|b| b.into_iter().map(|(k, v)| (safe(&k), v)).collect());
            (safe(&id), node)
        })
        .collect();
    copy.edges = std::mem::take(&mut copy.edges)
        .into_iter()
        .map(|(id, edge)| (safe(&id), edge))
        .collect();
    Some(copy)
}

/// Why the run ended before its duration, if it did: the table ends with it, and with `--json`
/// it goes to stderr so that a script reading the JSON is still told.
pub fn stop_notice(report: &Report) -> Option<String> {
    report.stopped_early.as_ref().map(|reason| match reason {
        StopReason::EventBudget { max_events, at_ms } => format!(
            "notice: the run stopped early: the event budget ({}) was reached at {} ms of \
             simulated time, so the figures cover less than the requested duration",
            integer(*max_events as f64),
            number(*at_ms)
        ),
        StopReason::InFlightBudget {
            max_in_flight,
            at_ms,
            node,
            node_in_flight,
        } => format!(
            "notice: the run stopped early: {} requests were in flight at once (the memory \
             budget, run.max_in_flight) at {} ms of simulated time, {} of them at `{}`, where \
             requests pile up faster than they finish; the figures cover less than the \
             requested duration",
            integer(*max_in_flight as f64),
            number(*at_ms),
            integer(*node_in_flight as f64),
            escape(node)
        ),
    })
}

fn header(out: &mut String, report: &Report) {
    let name = if report.design_name.is_empty() {
        "(unnamed design)"
    } else {
        &report.design_name
    };
    let plural = if report.replications == 1 { "" } else { "s" };
    let _ = writeln!(out, "{name}");
    let _ = writeln!(
        out,
        "seed {}, {} replication{plural} of {} ms (first {} ms left out as warm-up), {} events",
        report.seed,
        report.replications,
        number(report.duration_ms),
        number(report.warmup_ms),
        integer(report.events as f64),
    );
    if report.replications > 1 {
        let _ = writeln!(
            out,
            "figures are means over replications; ± is the 95% confidence half-width"
        );
    } else if report.overall.throughput_rps.ci95.is_some() {
        let _ = writeln!(
            out,
            "± is the 95% confidence half-width, from batch means within the run"
        );
    }
}

fn overall(out: &mut String, report: &Report) {
    let summary = &report.overall;
    let _ = writeln!(out, "\nOverall, as the clients saw it");
    let rows = vec![
        vec![
            "throughput".into(),
            with_ci(summary.throughput_rps),
            "req/s".into(),
        ],
        vec![
            "goodput".into(),
            with_ci(summary.goodput_rps),
            "req/s".into(),
        ],
        vec![
            "arrivals".into(),
            with_ci(summary.arrivals),
            "requests".into(),
        ],
        vec![
            "completed".into(),
            with_ci(summary.completed),
            "requests".into(),
        ],
        vec![
            "succeeded".into(),
            with_ci(summary.succeeded),
            "requests".into(),
        ],
        vec![
            "failed".into(),
            number(summary.failures.total()),
            "requests".into(),
        ],
    ];
    out.push_str(&columns(
        &rows,
        &[Align::Left, Align::Right, Align::Left],
        "  ",
    ));
    for (cause, estimate) in failure_causes(&summary.failures) {
        if estimate.value != 0.0 {
            let _ = writeln!(out, "    {cause:<20} {}", with_ci(estimate));
        }
    }
    if summary.succeeded.value > 0.0 {
        let _ = writeln!(out, "  latency of successful requests, ms");
        let rows = latency_rows(&summary.latency);
        out.push_str(&columns(&rows, &[Align::Left, Align::Right], "    "));
    }
}

fn latency_rows(latency: &Latency) -> Vec<Vec<String>> {
    [
        ("mean", latency.mean_ms),
        ("p50", latency.p50_ms),
        ("p95", latency.p95_ms),
        ("p99", latency.p99_ms),
        ("max", latency.max_ms),
    ]
    .into_iter()
    .map(|(name, estimate)| vec![name.to_string(), with_ci(estimate)])
    .collect()
}

fn nodes(out: &mut String, report: &Report) {
    if report.nodes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nNodes");
    let mut rows = vec![
        [
            "node",
            "kind",
            "arrivals",
            "completed",
            "failed",
            "util",
            "mean queue",
            "mean ms",
            "p99 ms",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (id, node) in &report.nodes {
        rows.push(node_row(id, node));
    }
    let mut aligns = vec![Align::Left, Align::Left];
    aligns.extend([Align::Right; 7]);
    out.push_str(&columns(&rows, &aligns, "  "));
}

fn node_row(id: &str, node: &NodeReport) -> Vec<String> {
    let has_latency = node.completions.value > 0.0;
    vec![
        id.to_string(),
        node.kind.clone(),
        with_ci(node.arrivals),
        with_ci(node.completions),
        number(node.failures.total()),
        // Kinds without workers, connections or consumers get "—", not a misleading 0%.
        if node.has_utilisation() {
            percent(node.utilisation)
        } else {
            "—".into()
        },
        with_ci(node.mean_queue_length),
        if has_latency {
            with_ci(node.latency.mean_ms)
        } else {
            "—".into()
        },
        if has_latency {
            with_ci(node.latency.p99_ms)
        } else {
            "—".into()
        },
    ]
}

/// Kind-specific figures (caches, queues, databases, rate limiters, balancers) and failure
/// causes per node, one line each, only where there is something to say.
fn node_details(out: &mut String, report: &Report) {
    let mut lines = Vec::new();
    for (id, node) in &report.nodes {
        let causes: Vec<String> = failure_causes(&node.failures)
            .into_iter()
            .filter(|(_, estimate)| estimate.value != 0.0)
            .map(|(cause, estimate)| format!("{cause} {}", with_ci(estimate)))
            .collect();
        if !causes.is_empty() {
            lines.push(format!("{id}: failed by cause: {}", causes.join(", ")));
        }
        if let Some(cache) = &node.cache {
            lines.push(format!(
                "{id}: hit ratio {}, hits {}, misses {}, evictions {}, expirations {}",
                percent(cache.hit_ratio),
                with_ci(cache.hits),
                with_ci(cache.misses),
                with_ci(cache.evictions),
                with_ci(cache.expirations)
            ));
            if cache.coalesced.value > 0.0 {
                lines.push(format!(
                    "{id}: misses coalesced (waited for another read's fetch) {}",
                    with_ci(cache.coalesced)
                ));
            }
            if let Some(write_back) = &cache.write_back {
                lines.push(format!(
                    "{id}: write-back flushes {}, writes coalesced into a flush {}, writes lost in crashes {}",
                    with_ci(write_back.flushes),
                    with_ci(write_back.coalesced_writes),
                    with_ci(write_back.lost_writes)
                ));
            }
        }
        if let Some(queue) = &node.queue {
            lines.push(format!(
                "{id}: enqueued {}, delivered {}, redeliveries {}, dead-lettered {}, max depth {}",
                with_ci(queue.enqueued),
                with_ci(queue.delivered),
                with_ci(queue.redeliveries),
                with_ci(queue.dead_lettered),
                with_ci(queue.max_depth)
            ));
            if !queue.partition_messages.is_empty() {
                lines.push(format!(
                    "{id}: messages per partition [{}], max lag per partition [{}]",
                    per_member(&queue.partition_messages),
                    per_member(&queue.partition_max_lag)
                ));
            }
            if let (Some(again), Some(duplicates)) = (queue.visible_again, queue.duplicates) {
                lines.push(format!(
                    "{id}: visibility timeout: visible again {}, duplicate deliveries {}",
                    with_ci(again),
                    with_ci(duplicates)
                ));
            }
            if !queue.subscription_messages.is_empty() {
                lines.push(format!(
                    "{id}: fan-out: messages per subscription [{}], max lag per subscription [{}]",
                    per_member(&queue.subscription_messages),
                    per_member(&queue.subscription_max_lag)
                ));
            }
            if queue.blocked.value > 0.0 {
                lines.push(format!(
                    "{id}: producers made to wait (backpressure) {}",
                    with_ci(queue.blocked)
                ));
            }
        }
        if let Some(database) = &node.database {
            let shards: Vec<String> = database
                .shard_queries
                .iter()
                .map(|estimate| number(estimate.value))
                .collect();
            lines.push(format!(
                "{id}: queries per shard [{}], reads on replicas {}, stale reads {}",
                shards.join(", "),
                with_ci(database.reads_on_replicas),
                with_ci(database.stale_reads)
            ));
            if let Some(lost) = database.lost_writes {
                lines.push(format!("{id}: writes lost at failovers {}", with_ci(lost)));
            }
            for failover in &database.failovers {
                lines.push(format!(
                    "{id}: failover of shard {}: primary crashed at {} ms, replica promoted at {} ms, {} acknowledged writes lost",
                    failover.shard,
                    number(failover.crashed_at_ms),
                    number(failover.promoted_at_ms),
                    failover.lost_writes
                ));
            }
            if let Some(reads) = database.own_write_reads {
                lines.push(format!(
                    "{id}: reads kept on the primary (read-your-writes) {}",
                    with_ci(reads)
                ));
            }
            for reshard in &database.reshards {
                lines.push(format!(
                    "{id}: reshard {} → {} shards at {} ms moved {:.1}% of keys; {} queries paid the move",
                    reshard.from_shards,
                    reshard.to_shards,
                    number(reshard.at_ms),
                    reshard.keys_moved * 100.0,
                    with_ci(reshard.migration_queries)
                ));
            }
        }
        if let Some(limiter) = &node.rate_limiter {
            lines.push(format!(
                "{id}: admitted {}, rejected {}",
                with_ci(limiter.admitted),
                with_ci(limiter.rejected)
            ));
        }
        if let Some(scaling) = &node.autoscaling {
            // A queue's scaled group is its consumers (KEDA); a service's, its instances.
            let unit = if node.queue.is_some() {
                "consumers"
            } else {
                "instances"
            };
            lines.push(format!(
                "{id}: {unit} mean {}, peak {}, at max {} of the time, scale-ups {}, scale-downs {}",
                with_ci(scaling.mean_instances),
                number(scaling.peak_instances.value),
                percent(scaling.time_at_max),
                with_ci(scaling.scale_ups),
                with_ci(scaling.scale_downs)
            ));
            if let Some(known) = scaling.mean_instances_known {
                lines.push(format!(
                    "{id}: discovery: instances known to callers mean {}, requests sent to gone instances {}",
                    with_ci(known),
                    with_ci(scaling.sent_to_gone)
                ));
            }
            if !scaling.events.is_empty() {
                let shown: Vec<String> = scaling
                    .events
                    .iter()
                    .take(SCALE_EVENTS_LISTED)
                    .map(|e| format!("{} {}→{}", seconds(e.t_ms), e.from, e.to))
                    .collect();
                let more = scaling.events.len().saturating_sub(SCALE_EVENTS_LISTED);
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                lines.push(format!(
                    "{id}: scale events (first replication): {}{tail}",
                    shown.join(", ")
                ));
            }
        }
        if let Some(balancer) = &node.balancer {
            let split: Vec<String> = balancer
                .iter()
                .map(|(backend, estimate)| format!("{backend} {}", number(estimate.value)))
                .collect();
            lines.push(format!("{id}: sent to {}", split.join(", ")));
        }
        if let Some(health) = &node.balancer_health
            && (health.probes.value > 0.0
                || health.ejections.value > 0.0
                || health.panic_picks.value > 0.0)
        {
            lines.push(format!(
                "{id}: probes {} ({} failed), marked down {}, ejections {}, routed in panic {}",
                with_ci(health.probes),
                with_ci(health.probe_failures),
                with_ci(health.marked_down),
                with_ci(health.ejections),
                with_ci(health.panic_picks)
            ));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out);
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
}

fn edges(out: &mut String, report: &Report) {
    let active: Vec<(&String, &EdgeReport)> = report
        .edges
        .iter()
        .filter(|(_, edge)| edge_is_eventful(edge))
        .collect();
    if active.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nEdges with retries, timeouts, breaker, throttling, retry-budget, bulkhead or hedging activity"
    );
    let mut rows = vec![
        [
            "edge",
            "attempts",
            "retries",
            "timeouts",
            "short-circuited",
            "breaker opened",
            "time not closed",
            "throttled",
            "budget refused",
            "bulkhead full",
            "hedges",
            "hedge wins",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (id, edge) in active {
        rows.push(vec![
            id.clone(),
            with_ci(edge.attempts),
            with_ci(edge.retries),
            with_ci(edge.timeouts),
            with_ci(edge.short_circuited),
            with_ci(edge.breaker_opened),
            percent(edge.breaker_open_fraction),
            with_ci(edge.throttled),
            with_ci(edge.budget_refused),
            with_ci(edge.bulkhead_rejected),
            with_ci(edge.hedges),
            with_ci(edge.hedge_wins),
        ]);
    }
    let mut aligns = vec![Align::Left];
    aligns.extend([Align::Right; 11]);
    out.push_str(&columns(&rows, &aligns, "  "));
}

fn edge_is_eventful(edge: &EdgeReport) -> bool {
    [
        edge.retries,
        edge.timeouts,
        edge.short_circuited,
        edge.breaker_opened,
        edge.breaker_open_fraction,
        edge.throttled,
        edge.budget_refused,
        edge.bulkhead_rejected,
        edge.hedges,
    ]
    .iter()
    .any(|estimate| estimate.value != 0.0)
}

fn failure_causes(failures: &Failures) -> [(&'static str, Estimate); 13] {
    [
        ("error", failures.error),
        ("timeout", failures.timeout),
        ("queue_full", failures.queue_full),
        ("rate_limited", failures.rate_limited),
        ("breaker_open", failures.breaker_open),
        ("no_healthy_backend", failures.no_healthy_backend),
        ("node_down", failures.node_down),
        ("throttled", failures.throttled),
        ("codel_dropped", failures.codel_dropped),
        ("shed_priority", failures.shed_priority),
        ("bulkhead_full", failures.bulkhead_full),
        ("deadline_exceeded", failures.deadline_exceeded),
        ("cancelled", failures.cancelled),
    ]
}

#[derive(Debug, Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Lays out `rows` in columns (widths measured in characters), each line starting with
/// `indent`.
fn columns(rows: &[Vec<String>], aligns: &[Align], indent: &str) -> String {
    let column_count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..column_count)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (column, cell) in row.iter().enumerate() {
            if column > 0 {
                line.push_str("  ");
            }
            let pad = widths[column].saturating_sub(cell.chars().count());
            match aligns.get(column).copied().unwrap_or(Align::Left) {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Scale events a table lists per group before "and N more".
const SCALE_EVENTS_LISTED: usize = 12;

/// A time in ms as seconds (`90 s`, `1.5 s`).
fn seconds(ms: f64) -> String {
    format!("{} s", number(ms / 1000.0))
}

/// `value ± ci95`, or the value alone when there is no interval. Both sides get the same
/// number of decimals, chosen for about four significant figures of the larger one.
fn with_ci(estimate: Estimate) -> String {
    let Estimate { value, ci95 } = estimate;
    match ci95 {
        Some(ci95) if ci95.is_finite() && value.is_finite() => {
            let whole = value == value.trunc() && ci95 == ci95.trunc();
            let decimals = if whole {
                0
            } else {
                decimals_for(value.abs().max(ci95))
            };
            format!("{} ± {}", fixed(value, decimals), fixed(ci95, decimals))
        }
        _ => number(value),
    }
}

/// Decimal places that give about four significant figures at this magnitude.
fn decimals_for(magnitude: f64) -> usize {
    if magnitude >= 1_000.0 {
        0
    } else if magnitude >= 100.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else {
        4
    }
}

fn fixed(value: f64, decimals: usize) -> String {
    if decimals == 0 {
        integer(value)
    } else {
        format!("{value:.decimals$}")
    }
}

/// A fraction as a percentage, with its interval when there is one.
fn percent(estimate: Estimate) -> String {
    if !estimate.value.is_finite() {
        return "—".into();
    }
    let value = format!("{:.1}%", estimate.value * 100.0);
    match estimate.ci95 {
        Some(ci95) if ci95.is_finite() => format!("{value} ± {:.1}", ci95 * 100.0),
        _ => value,
    }
}

/// About four significant figures, thousands grouped, no noise like `800.000000001`.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let magnitude = value.abs();
    if value == value.trunc() && magnitude < 1e15 {
        integer(value)
    } else if magnitude < 0.001 {
        format!("{value:.2e}")
    } else {
        fixed(value, decimals_for(magnitude))
    }
}

/// A value rounded to an integer with thousands separated by commas.
fn integer(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut grouped = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if rounded < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A figure per partition or per subscription, in order: "12, 9, 30".
fn per_member(values: &[Estimate]) -> String {
    values
        .iter()
        .map(|e| number(e.value))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{CacheReport, Summary};

    fn estimate(value: f64, ci95: Option<f64>) -> Estimate {
        Estimate { value, ci95 }
    }

    fn sample_report() -> Report {
        let mut report = Report {
            design_name: "checkout".into(),
            seed: 7,
            replications: 3,
            duration_ms: 60_000.0,
            warmup_ms: 5_000.0,
            events: 1_234_567,
            overall: Summary {
                throughput_rps: estimate(799.84, Some(2.13)),
                goodput_rps: estimate(790.0, Some(2.0)),
                completed: estimate(43_991.0, Some(117.0)),
                succeeded: estimate(43_450.0, Some(110.0)),
                arrivals: estimate(44_000.0, Some(120.0)),
                ..Summary::default()
            },
            ..Report::default()
        };
        report.overall.failures.timeout = estimate(541.0, Some(12.0));
        report.overall.latency.p99_ms = estimate(23.456, Some(0.5));
        report.nodes.insert(
            "api".into(),
            NodeReport {
                kind: "service".into(),
                arrivals: estimate(44_000.0, None),
                completions: estimate(43_991.0, None),
                utilisation: estimate(0.8, Some(0.01)),
                cache: Some(CacheReport {
                    hit_ratio: estimate(0.5, None),
                    ..CacheReport::default()
                }),
                ..NodeReport::default()
            },
        );
        report.edges.insert(
            "quiet".into(),
            EdgeReport {
                attempts: estimate(10.0, None),
                ..EdgeReport::default()
            },
        );
        report.edges.insert(
            "flaky".into(),
            EdgeReport {
                attempts: estimate(10.0, None),
                retries: estimate(3.0, None),
                ..EdgeReport::default()
            },
        );
        report
    }

    #[test]
    fn overall_figures_show_their_confidence_intervals() {
        let text = render(&sample_report());
        assert!(text.contains("799.8 ± 2.1 "), "{text}");
        assert!(text.contains("p99"), "{text}");
        assert!(text.contains("23.46 ± 0.50"), "{text}");
        assert!(text.contains("1,234,567 events"), "{text}");
    }

    #[test]
    fn only_nonzero_failure_causes_are_listed() {
        let text = render(&sample_report());
        assert!(text.contains("timeout"), "{text}");
        assert!(!text.contains("queue_full"), "{text}");
    }

    #[test]
    fn node_rows_show_kind_and_utilisation() {
        let text = render(&sample_report());
        let row = text
            .lines()
            .find(|line| line.trim_start().starts_with("api "))
            .expect("a row for node api");
        assert!(row.contains("service"), "{row}");
        assert!(row.contains("80.0% ± 1.0"), "{row}");
        assert!(text.contains("api: hit ratio 50.0%"), "{text}");
    }

    #[test]
    fn kinds_without_workers_show_no_utilisation() {
        for kind in [
            "client",
            "api_gateway",
            "load_balancer",
            "cache",
            "rate_limiter",
        ] {
            let mut report = sample_report();
            report.nodes.get_mut("api").unwrap().kind = kind.to_string();
            let text = render(&report);
            let row = text
                .lines()
                .find(|line| line.trim_start().starts_with("api "))
                .expect("a row for node api");
            assert!(row.contains('—') && !row.contains("80.0%"), "{kind}: {row}");
        }
    }

    #[test]
    fn only_eventful_edges_are_listed() {
        let text = render(&sample_report());
        assert!(text.contains("flaky"), "{text}");
        assert!(!text.contains("quiet"), "{text}");
    }

    #[test]
    fn quiet_report_has_no_edge_section() {
        let mut report = sample_report();
        report.edges.clear();
        assert!(!render(&report).contains("Edges"));
    }

    #[test]
    fn early_stop_is_announced() {
        let mut report = sample_report();
        report.stopped_early = Some(StopReason::EventBudget {
            max_events: 1_000_000,
            at_ms: 1_234.5,
        });
        let text = render(&report);
        assert!(text.contains("stopped early"), "{text}");
        assert!(text.contains("1,000,000"), "{text}");
    }

    #[test]
    fn latency_is_hidden_when_nothing_succeeded() {
        let mut report = sample_report();
        report.overall.succeeded = Estimate::exact(0.0);
        assert!(!render(&report).contains("latency of successful requests"));
    }

    #[test]
    fn numbers_are_rounded_for_reading() {
        assert_eq!(number(1_234_567.8), "1,234,568");
        assert_eq!(number(800.0), "800");
        assert_eq!(number(799.84), "799.8");
        assert_eq!(number(5.0123), "5.01");
        assert_eq!(number(0.01234), "0.0123");
        assert_eq!(number(-2_500.0), "-2,500");
        assert_eq!(number(f64::NAN), "—");
    }

    #[test]
    fn value_and_interval_share_their_decimals() {
        assert_eq!(with_ci(estimate(29.8412, Some(0.2128))), "29.84 ± 0.21");
        assert_eq!(with_ci(estimate(21_854.2, Some(277.0))), "21,854 ± 277");
        assert_eq!(with_ci(estimate(0.0, Some(0.0))), "0 ± 0");
        assert_eq!(
            with_ci(estimate(0.000562, Some(0.000227))),
            "0.0006 ± 0.0002"
        );
        assert_eq!(with_ci(estimate(5.0, None)), "5");
    }

    #[test]
    fn columns_align_numbers_to_the_right() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string()],
            vec!["bbb".to_string(), "100".to_string()],
        ];
        let text = columns(&rows, &[Align::Left, Align::Right], "");
        assert_eq!(text, "a      1\nbbb  100\n");
    }
}

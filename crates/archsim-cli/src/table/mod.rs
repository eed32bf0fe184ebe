//! The report as a readable text table: the overall figures, then one row per node, then the
//! edges where retries, timeouts or a circuit breaker did anything.

mod faults;
mod format;
mod kinds;

use crate::safe_text::escape;
use format::{Align, columns, integer, number, percent, seconds, with_ci};
use kinds::node_details;
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
    faults::faults(&mut out, report);
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
        || report.edges.keys().any(|id| hostile(id))
        || report.faults.iter().any(|fault| {
            hostile(&fault.target)
                || fault
                    .edge
                    .as_ref()
                    .is_some_and(|ends| hostile(&ends.from) || hostile(&ends.to))
        });
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
    for fault in &mut copy.faults {
        fault.target = safe(&fault.target);
        if let Some(ends) = &mut fault.edge {
            ends.from = safe(&ends.from);
            ends.to = safe(&ends.to);
        }
    }
    Some(copy)
}

/// Why the run ended before its duration, if it did: the table ends with it, and with `--json`
/// it goes to stderr so that a script reading the JSON is still told. The sentence is the one
/// the app shows (`StopReason::explanation`), with the node's id escaped for the terminal.
pub fn stop_notice(report: &Report) -> Option<String> {
    let mut reason = report.stopped_early.clone()?;
    if let StopReason::InFlightBudget { node, .. } = &mut reason {
        *node = escape(node).into_owned();
    }
    Some(format!("notice: {}", reason.explanation(integer, seconds)))
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

#[cfg(test)]
mod tests;

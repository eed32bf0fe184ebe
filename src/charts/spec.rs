//! Which charts a run gets, and what each one plots: pure functions from a design, its series
//! (the live one so far, or the report's) and the report (once the run has finished) to chart
//! specifications. Nothing here touches the browser, so it is all tested natively.
//!
//! Every design gets the load, failure and latency charts; the rest follow from what the design
//! holds (caches get the hit ratio, breakers their timeline, shards their load…), and the chart
//! of the design's own story (a cache template's hit ratio) comes right after the load chart.

use std::collections::BTreeSet;
use std::rc::Rc;

use archsim_model::{Design, FaultEffect, NodeKind, Report, Series};

use super::colour::{self, Rgb};
pub use super::timeline::{BACKEND_STATES, BREAKER_STATES, CRASHED, Timeline, TimelineRow};

mod backends;
mod failover;
mod hedging;
mod instances;
mod partitions;
mod queue_lag;
mod visibility;
use crate::components::results_format::{FAILURE_CAUSES, number};

/// Lines a chart shows before it asks the person which ones they want.
pub const MAX_LINES: usize = 8;

/// What the charts are drawn from.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub design: &'a Design,
    /// The first replication's series: the report's, or the live one so far.
    pub series: &'a Series,
    /// The finished run's report (None while the run is under way).
    pub report: Option<&'a Report>,
    /// Where the time axis ends: the run's whole duration (so a live line grows across it), or
    /// where the run stopped early.
    pub end_ms: f64,
}

/// The time axis every time chart of a run shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub bucket_ms: f64,
    /// Start of each bucket, ms.
    pub t_ms: Vec<f64>,
    pub end_ms: f64,
    pub warmup_ms: f64,
    pub faults: Vec<FaultWindow>,
}

/// A fault of the design, as a stretch of the time axis to shade and label.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultWindow {
    pub from_ms: f64,
    pub to_ms: f64,
    /// "payments crashed", "api +200 ms", …
    pub label: String,
}

impl Frame {
    pub fn of(src: &Source) -> Frame {
        let end_ms = if src.end_ms.is_finite() && src.end_ms > 0.0 {
            src.end_ms
        } else {
            src.series
                .t_ms
                .last()
                .map_or(1.0, |t| t + src.series.bucket_ms)
                .max(1.0)
        };
        Frame {
            bucket_ms: src.series.bucket_ms,
            t_ms: src.series.t_ms.clone(),
            end_ms,
            warmup_ms: src.design.run.warmup_ms.clamp(0.0, end_ms),
            faults: fault_windows(src.design, end_ms),
        }
    }

    pub fn buckets(&self) -> usize {
        self.t_ms.len()
    }

    /// The stretch of simulated time bucket `i` covers: `bucket_ms`, or less for a last bucket
    /// cut short by the end of the run.
    pub fn span_ms(&self, i: usize) -> f64 {
        let start = self.t_ms.get(i).copied().unwrap_or(0.0);
        let span = self.bucket_ms.min(self.end_ms - start);
        if span > 0.0 { span } else { self.bucket_ms }
    }

    /// Where bucket `i`'s value is drawn: the middle of the time it covers.
    pub fn mid_ms(&self, i: usize) -> f64 {
        self.t_ms.get(i).copied().unwrap_or(0.0) + self.span_ms(i) / 2.0
    }

    /// A count of bucket `i` as a rate per second of the time the bucket covers.
    pub fn per_s(&self, count: u64, i: usize) -> f64 {
        count as f64 / (self.span_ms(i) / 1000.0).max(f64::MIN_POSITIVE)
    }

    /// The bucket that holds time `t_ms` (None before the first or after the last one).
    pub fn bucket_at(&self, t_ms: f64) -> Option<usize> {
        if !t_ms.is_finite() || self.t_ms.is_empty() || t_ms < self.t_ms[0] {
            return None;
        }
        let i = self.t_ms.partition_point(|start| *start <= t_ms) - 1;
        (t_ms < self.t_ms[i] + self.span_ms(i)).then_some(i)
    }
}

/// The design's faults that fall inside the run, as windows on the time axis.
pub fn fault_windows(design: &Design, end_ms: f64) -> Vec<FaultWindow> {
    design
        .faults
        .iter()
        .filter(|f| f.at_ms < end_ms && (f.duration_ms > 0.0 || f.effect.may_be_instant()))
        .map(|f| {
            let target = if f.effect.on_edge() {
                edge_name(design, &f.target)
            } else {
                node_name(design, &f.target)
            };
            let label = match &f.effect {
                FaultEffect::Crash => format!("{target} down"),
                FaultEffect::Latency { extra_ms } => format!("{target} +{} ms", number(*extra_ms)),
                FaultEffect::ErrorRate { rate } => {
                    format!("{target} {}% errors", number(rate * 100.0))
                }
                FaultEffect::Slowdown { factor } => format!("{target} ×{} slower", number(*factor)),
                FaultEffect::Reshard { shards } => format!("{target} reshards to {shards}"),
                FaultEffect::PrimaryCrash => format!("{target} primary down"),
                FaultEffect::Partition => format!("{target} partitioned"),
                FaultEffect::EdgeLatency { extra_ms, .. } => {
                    format!("{target} +{} ms", number(*extra_ms))
                }
                FaultEffect::CacheFlush => format!("{target} flushed"),
                FaultEffect::WorkerCut { fraction } => {
                    format!("{target} −{}% workers", number(fraction * 100.0))
                }
                FaultEffect::Burst { requests } => format!("{target} burst of {requests}"),
                FaultEffect::InstanceCrash { count, .. } => {
                    format!("{target}: {count} instance(s) down")
                }
            };
            // An instant (a flush, a burst all at once) is shaded as a sliver, so it shows.
            let sliver = end_ms / 200.0;
            FaultWindow {
                from_ms: f.at_ms.max(0.0),
                to_ms: (f.at_ms + f.duration_ms.max(sliver)).min(end_ms),
                label,
            }
        })
        .collect()
}

/// A node's label, or its id when it has none.
pub fn node_name(design: &Design, id: &str) -> String {
    design.node(id).map_or_else(|| id.to_string(), label_of)
}

/// A node as a person reads it: its label, or its id when it has none.
fn label_of(node: &archsim_model::Node) -> String {
    match node.label.trim() {
        "" => node.id.clone(),
        label => label.to_string(),
    }
}

/// An edge as "from → to".
pub fn edge_name(design: &Design, id: &str) -> String {
    match design.edges.iter().find(|e| e.id == id) {
        Some(e) => format!(
            "{} → {}",
            node_name(design, &e.from),
            node_name(design, &e.to)
        ),
        None => id.to_string(),
    }
}

/// One chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Stable id: the figure is `chart-<id>`.
    pub id: String,
    pub title: String,
    pub unit: String,
    /// The chart of the design's story: drawn first and larger.
    pub story: bool,
    pub body: Body,
    /// Shown instead of an empty plot.
    pub empty_text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Lines over time.
    Lines(Lines),
    /// Areas stacked over time (each line on top of the ones before it).
    Stacked(Lines),
    /// One row per item, coloured by its state in each bucket.
    Timeline(Timeline),
    /// Bars of whole-run figures, each with its 95% confidence half-width when known.
    Bars(Vec<Bar>),
    /// A latency distribution on a log scale: the share of requests in each bucket, and the
    /// share at or below each latency.
    Histogram(Histogram),
}

/// The whole run's latencies, from the report's log-spaced histogram.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// `(lower, upper, share)` of each bucket: its latencies in ms (`lower` excluded) and the
    /// percentage of the requests in it.
    pub buckets: Vec<(f64, f64, f64)>,
    /// `(latency ms, percentage of the requests at or below it)` at each bucket's upper bound,
    /// starting at 0% at the first bucket's lower bound: the cumulative distribution.
    pub cdf: Vec<(f64, f64)>,
    /// The report's percentiles, marked on the plot: `(name, ms)`.
    pub marks: Vec<(String, f64)>,
}

impl Histogram {
    /// From the report's histogram (empty when it has none, or counted nothing).
    pub fn of(h: &archsim_model::LatencyHistogram, latency: &archsim_model::Latency) -> Histogram {
        let total = h.total();
        if total == 0 {
            return Histogram::default();
        }
        let share = |count: u64| count as f64 * 100.0 / total as f64;
        let buckets: Vec<(f64, f64, f64)> = h
            .buckets()
            .map(|(lower, upper, count)| (lower, upper, share(count)))
            .collect();
        let mut cdf = vec![(buckets[0].0, 0.0)];
        let mut cumulative = 0;
        for (_, upper, count) in h.buckets() {
            cumulative += count;
            cdf.push((upper, share(cumulative)));
        }
        let marks = [("p50", latency.p50_ms), ("p99", latency.p99_ms)]
            .into_iter()
            .filter(|(_, e)| e.value > 0.0 && e.value.is_finite())
            .map(|(name, e)| (name.to_string(), e.value))
            .collect();
        Histogram {
            buckets,
            cdf,
            marks,
        }
    }
}

impl Body {
    /// Whether the chart has simulated time across (and so a time cursor).
    pub fn is_time(&self) -> bool {
        !matches!(self, Body::Bars(_) | Body::Histogram(_))
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lines {
    /// Every line the chart could show; for a chart of many nodes or edges, busiest first.
    pub lines: Vec<Line>,
    /// The value axis never goes above this (100 for percentages).
    pub ceiling: Option<f64>,
    /// What the lines are of ("nodes", "edges", "shards"), when there may be more than
    /// [`MAX_LINES`] of them and the person chooses which to see.
    pub of_what: Option<&'static str>,
}

/// One line: a value per bucket (None where there is nothing to show, drawn as a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Stable key (a node or edge id, a cause, …) the person's choice of lines is kept by.
    pub key: String,
    pub label: String,
    pub colour: Rgb,
    /// Drawn dashed: a line that often coincides with another stays visible on top of it.
    pub dashed: bool,
    /// Shared: the lines a chart shows ([`picked`]) are its lines recoloured, and copying every
    /// value of each took a live update of a 200-node design up to 9 ms.
    pub values: Rc<[Option<f64>]>,
}

impl Line {
    /// Mean of the values it has (how busy the node or edge was), for "the busiest N".
    pub fn load(&self) -> f64 {
        let (sum, n) = self
            .values
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
        if n == 0 { 0.0 } else { sum / n as f64 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub ci95: Option<f64>,
    pub colour: Rgb,
}

/// Orders `lines` busiest first, keeping the order of equals (a stable sort). Each line's load
/// is a mean over all its buckets, worked out once: computed inside the comparison it was
/// worked out again in each of the sort's comparisons, a tenth of a 200-node report's render.
fn busiest_first(lines: &mut Vec<Line>) {
    let mut loaded: Vec<(f64, Line)> = lines.drain(..).map(|l| (l.load(), l)).collect();
    loaded.sort_by(|a, b| b.0.total_cmp(&a.0));
    lines.extend(loaded.into_iter().map(|(_, l)| l));
}

/// The person's choice of lines on a chart with many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The first N (the busiest, as the chart orders them).
    Top(usize),
    /// Exactly these keys.
    Chosen(BTreeSet<String>),
}

impl Default for Pick {
    fn default() -> Self {
        Pick::Top(MAX_LINES)
    }
}

/// The lines to draw under `pick`, coloured in the order they are drawn. A chart whose lines
/// are not of many items shows them all.
pub fn picked(lines: &Lines, pick: &Pick) -> Vec<Line> {
    let chosen: Vec<&Line> = match (lines.of_what, pick) {
        (None, _) => lines.lines.iter().collect(),
        (Some(_), Pick::Top(n)) => lines.lines.iter().take(*n).collect(),
        (Some(_), Pick::Chosen(keys)) => lines
            .lines
            .iter()
            .filter(|l| keys.contains(&l.key))
            .collect(),
    };
    if lines.of_what.is_none() {
        return chosen.into_iter().cloned().collect();
    }
    chosen
        .into_iter()
        .enumerate()
        .map(|(k, line)| Line {
            colour: colour::line(k),
            // Past the palette colours repeat: a dash tells those lines apart.
            dashed: k >= colour::LINES.len(),
            ..line.clone()
        })
        .collect()
}

fn at(values: &[u64], i: usize) -> u64 {
    values.get(i).copied().unwrap_or(0)
}

/// A node's count series (picked from its `NodeSeries`) as a rate per second in each bucket;
/// no value where the node has no series.
fn node_rate(
    frame: &Frame,
    series: Option<&archsim_model::NodeSeries>,
    pick: fn(&archsim_model::NodeSeries) -> &Vec<u64>,
) -> Vec<Option<f64>> {
    (0..frame.buckets())
        .map(|i| series.map(|ns| frame.per_s(at(pick(ns), i), i)))
        .collect()
}

fn rate_line(frame: &Frame, key: &str, label: &str, colour: Rgb, counts: &[u64]) -> Line {
    Line {
        key: key.to_string(),
        label: label.to_string(),
        colour,
        dashed: false,
        values: (0..frame.buckets())
            .map(|i| Some(frame.per_s(at(counts, i), i)))
            .collect(),
    }
}

fn gauge_line(
    frame: &Frame,
    key: &str,
    label: &str,
    colour: Rgb,
    values: &[f64],
    scale: f64,
) -> Line {
    Line {
        key: key.to_string(),
        label: label.to_string(),
        colour,
        dashed: false,
        values: (0..frame.buckets())
            .map(|i| values.get(i).map(|v| v * scale))
            .collect(),
    }
}

fn time_chart(id: &str, title: &str, unit: &str, lines: Lines, empty: &str) -> Chart {
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        unit: unit.to_string(),
        story: false,
        body: Body::Lines(lines),
        empty_text: empty.to_string(),
    }
}

/// Kinds whose nodes have workers, connections or consumers to keep busy.
fn has_capacity(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Service(_) | NodeKind::Database(_) | NodeKind::Queue(_)
    )
}

/// One line per node of the design that passes `keep`, busiest first.
fn per_node(
    src: &Source,
    frame: &Frame,
    keep: impl Fn(&NodeKind) -> bool,
    values: impl Fn(&archsim_model::NodeSeries) -> Option<Rc<[Option<f64>]>>,
) -> Lines {
    let mut lines: Vec<Line> = src
        .design
        .nodes
        .iter()
        .filter(|n| keep(&n.spec))
        .filter_map(|n| {
            let series = src.series.nodes.get(&n.id);
            let values = match series {
                Some(s) => values(s)?,
                // Live, before the node's first bucket: an empty line keeps its place.
                None => std::iter::repeat_n(None, frame.buckets()).collect(),
            };
            Some(Line {
                key: n.id.clone(),
                // The node itself, not its id looked up again: a search of every node for
                // each of 200 lines was a tenth of a big report's render.
                label: label_of(n),
                colour: colour::line(0),
                dashed: false,
                values,
            })
        })
        .collect();
    disambiguate_labels(&mut lines);
    // Busiest first; ties (and the still-empty lines of a live run) in document order.
    busiest_first(&mut lines);
    Lines {
        lines,
        ceiling: None,
        of_what: Some("nodes"),
    }
}

/// Two nodes with the same label (a template's two "Database"s) would give two lines nobody can
/// tell apart in the legend, the read-out or the line picker: such lines carry their node id too.
fn disambiguate_labels(lines: &mut [Line]) {
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for line in lines.iter() {
        *seen.entry(line.label.clone()).or_default() += 1;
    }
    for line in lines.iter_mut() {
        if seen.get(&line.label).copied().unwrap_or(0) > 1 {
            line.label = format!("{} ({})", line.label, line.key);
        }
    }
}

/// The charts of a whole run: the design's story, load, failures, latency, then one per kind of
/// figure the design has.
pub fn overview(src: &Source) -> Vec<Chart> {
    let frame = Frame::of(src);
    let s = src.series;
    let n = frame.buckets();

    // The design's own story first (what its description tells a person to watch); the other
    // charts of its special kinds follow the load chart.
    let (mut charts, mut kind_charts): (Vec<Chart>, Vec<Chart>) =
        story_charts(src, &frame).into_iter().partition(|c| c.story);

    // Offered load (requests sent) against what finished and what succeeded.
    let finished: Vec<u64> = (0..n)
        .map(|i| at(&s.succeeded, i) + at(&s.failed, i))
        .collect();
    charts.push(time_chart(
        "throughput",
        "Offered load, throughput and goodput",
        "req/s",
        Lines {
            lines: vec![
                Line {
                    dashed: true,
                    ..rate_line(&frame, "offered", "offered", colour::line(7), &s.arrivals)
                },
                rate_line(
                    &frame,
                    "throughput",
                    "throughput",
                    colour::line(0),
                    &finished,
                ),
                rate_line(&frame, "goodput", "goodput", colour::line(2), &s.succeeded),
            ],
            ceiling: None,
            of_what: None,
        },
        "No request was sent.",
    ));
    charts.append(&mut kind_charts);

    // Failures stacked by cause, each cause in its own colour.
    let causes: Vec<Line> = FAILURE_CAUSES
        .iter()
        .filter_map(|(key, name)| {
            let counts = s.failed_by_cause.get(*key)?;
            counts
                .iter()
                .any(|c| *c > 0)
                .then(|| rate_line(&frame, key, name, colour::cause(key), counts))
        })
        .collect();
    charts.push(Chart {
        id: "failures".into(),
        title: "Failures by cause".into(),
        unit: "req/s".into(),
        story: false,
        body: Body::Stacked(Lines {
            lines: causes,
            ceiling: None,
            of_what: None,
        }),
        empty_text: "No request failed.".into(),
    });

    // Latency percentiles; a bucket with no successful request has no latency to show.
    let latency = |values: &Vec<f64>| -> Vec<Option<f64>> {
        (0..n)
            .map(|i| {
                let v = values.get(i).copied().unwrap_or(f64::NAN);
                (at(&s.succeeded, i) > 0 && v.is_finite()).then_some(v)
            })
            .collect()
    };
    let mut percentiles = vec![Line {
        key: "p50".into(),
        label: "p50".into(),
        colour: colour::line(0),
        dashed: false,
        values: latency(&s.p50_ms).into(),
    }];
    if !s.p95_ms.is_empty() {
        percentiles.push(Line {
            key: "p95".into(),
            label: "p95".into(),
            colour: colour::line(1),
            dashed: false,
            values: latency(&s.p95_ms).into(),
        });
    }
    percentiles.push(Line {
        key: "p99".into(),
        label: "p99".into(),
        colour: colour::line(5),
        dashed: false,
        values: latency(&s.p99_ms).into(),
    });
    charts.push(time_chart(
        "latency",
        "Latency percentiles",
        "ms",
        Lines {
            lines: percentiles,
            ceiling: None,
            of_what: None,
        },
        "No request succeeded.",
    ));
    charts.push(latency_distribution(src));
    charts.push(latency_histogram(src));

    // Per node kind: how busy, how much waits, how much is inside.
    if src.design.nodes.iter().any(|n| has_capacity(&n.spec)) {
        charts.push(time_chart(
            "utilisation",
            "Utilisation",
            "%",
            Lines {
                ceiling: Some(100.0),
                ..per_node(src, &frame, has_capacity, |s| {
                    Some(s.utilisation.iter().map(|u| Some(u * 100.0)).collect())
                })
            },
            "No node has workers to keep busy.",
        ));
        charts.push(time_chart(
            "queue-length",
            "Waiting for a worker",
            "requests",
            per_node(src, &frame, has_capacity, |s| {
                Some(s.queue_length.iter().map(|q| Some(*q)).collect())
            }),
            "Nothing waited.",
        ));
    }
    charts.push(time_chart(
        "in-flight",
        "In flight per node",
        "requests",
        per_node(
            src,
            &frame,
            |k| !matches!(k, NodeKind::Client(_)),
            |s| Some(s.in_flight.iter().map(|q| Some(*q)).collect()),
        ),
        "No node besides the clients.",
    ));

    // Edges that retry or time out: their retries and timeouts over time.
    let retrying: Vec<&archsim_model::Edge> = src
        .design
        .edges
        .iter()
        .filter(|e| {
            e.params.timeout_ms.is_some()
                || e.params.retry.as_ref().is_some_and(|r| r.max_attempts > 1)
        })
        .collect();
    if !retrying.is_empty() {
        let mut lines: Vec<Line> = Vec::new();
        for edge in retrying {
            let name = edge_name(src.design, &edge.id);
            let empty = archsim_model::EdgeSeries::default();
            let es = s.edges.get(&edge.id).unwrap_or(&empty);
            lines.push(rate_line(
                &frame,
                &format!("{}:retries", edge.id),
                &format!("{name} retries"),
                colour::line(0),
                &es.retries,
            ));
            lines.push(Line {
                dashed: true,
                ..rate_line(
                    &frame,
                    &format!("{}:timeouts", edge.id),
                    &format!("{name} timeouts"),
                    colour::line(0),
                    &es.timeouts,
                )
            });
        }
        busiest_first(&mut lines);
        charts.push(time_chart(
            "retries",
            "Retries and timeouts per edge",
            "per s",
            Lines {
                lines,
                ceiling: None,
                of_what: Some("edges"),
            },
            "No edge retries or times out.",
        ));
    }
    // A balancer none of whose backends fails: its backends chart, last (flat unless ejection
    // or health checks act on something the design did not plan).
    charts.extend(backends::backends_chart(src, &frame).filter(|c| !c.story));
    charts.extend(
        backends::backend_timelines(src, &frame)
            .into_iter()
            .filter(|c| !c.story),
    );
    charts
}

/// The charts particular to what the design holds, its story first among them.
fn story_charts(src: &Source, frame: &Frame) -> Vec<Chart> {
    let d = src.design;
    let s = src.series;
    let mut charts = Vec::new();
    let of_kind = |pred: fn(&NodeKind) -> bool| d.nodes.iter().filter(move |n| pred(&n.spec));

    // Autoscaled groups: instances serving over time.
    charts.extend(instances::instances_chart(src, frame));
    // Queues scaled on lag without partitions: their lag beside the consumers' target, right
    // after the consumer count.
    charts.extend(queue_lag::queue_lag_chart(src, frame));
    // Partitioned queues: lag per partition (a hot partition's climbing).
    charts.extend(partitions::partition_lag_chart(src, frame));
    // Fan-out topics: lag per subscription (a slow subscriber falling behind).
    charts.extend(partitions::subscription_lag_chart(src, frame));
    // Queues with a visibility timeout: messages delivered again, and duplicates.
    charts.extend(visibility::visibility_chart(src, frame));
    // Databases with failover: the gap without a primary, and the writes lost.
    charts.extend(failover::failover_chart(src, frame));
    // Hedging edges: the hedges sent (the extra load) and the calls they won.
    charts.extend(hedging::hedging_chart(src, frame));

    // Load balancers whose backends fail: backends in rotation and ejected over time (a quiet
    // balancer's chart comes last, in `overview`).
    charts.extend(backends::backends_chart(src, frame).filter(|c| c.story));
    charts.extend(
        backends::backend_timelines(src, frame)
            .into_iter()
            .filter(|c| c.story),
    );

    // Caches: the hit ratio climbing as the cache warms, then levelling off.
    if of_kind(|k| matches!(k, NodeKind::Cache(_)))
        .next()
        .is_some()
    {
        let mut lines = per_node(
            src,
            frame,
            |k| matches!(k, NodeKind::Cache(_)),
            |ns| {
                Some(
                    (0..frame.buckets())
                        .map(|i| {
                            // No lookup in the bucket: no ratio (not 0%).
                            (at(&ns.arrivals, i) > 0)
                                .then(|| ns.hit_ratio.get(i).map(|r| r * 100.0))
                                .flatten()
                        })
                        .collect(),
                )
            },
        );
        lines.ceiling = Some(100.0);
        let mut chart = time_chart(
            "hit-ratio",
            "Cache hit ratio",
            "%",
            lines,
            "No lookups yet.",
        );
        chart.story = true;
        charts.push(chart);
    }

    // Breakers: closed, half-open, open per edge over time.
    let breakers: Vec<TimelineRow> = d
        .edges
        .iter()
        .filter(|e| e.params.circuit_breaker.is_some() || s.breaker_state.contains_key(&e.id))
        .map(|e| TimelineRow {
            key: e.id.clone(),
            label: edge_name(d, &e.id),
            states: s.breaker_state.get(&e.id).cloned().unwrap_or_default(),
            marked: Vec::new(),
        })
        .collect();
    if !breakers.is_empty() {
        charts.push(Chart {
            id: "breakers".into(),
            title: "Circuit breakers".into(),
            unit: "closed · half-open · open".into(),
            story: true,
            body: Body::Timeline(Timeline {
                states: &BREAKER_STATES,
                mark: None,
                rows: breakers,
            }),
            empty_text: "No breaker.".into(),
        });
    }

    // Rate limiters: what they shed.
    if of_kind(|k| matches!(k, NodeKind::RateLimiter(_)))
        .next()
        .is_some()
    {
        let mut chart = time_chart(
            "rate-limited",
            "Rejected by rate limiters",
            "req/s",
            per_node(
                src,
                frame,
                |k| matches!(k, NodeKind::RateLimiter(_)),
                |ns| {
                    Some(
                        (0..frame.buckets())
                            .map(|i| Some(frame.per_s(at(&ns.rate_limited, i), i)))
                            .collect(),
                    )
                },
            ),
            "No rate limiter.",
        );
        chart.story = true;
        charts.push(chart);
    }

    // Queues: backlog, and what is redelivered or dead-lettered.
    let queues: Vec<&archsim_model::Node> = of_kind(|k| matches!(k, NodeKind::Queue(_))).collect();
    if !queues.is_empty() {
        let mut lines = Vec::new();
        for q in &queues {
            let empty = archsim_model::NodeSeries::default();
            let ns = s.nodes.get(&q.id).unwrap_or(&empty);
            let name = node_name(d, &q.id);
            let prefix = if queues.len() > 1 {
                format!("{name} ")
            } else {
                String::new()
            };
            lines.push(rate_line(
                frame,
                &format!("{}:redeliveries", q.id),
                &format!("{prefix}redeliveries"),
                colour::line(1),
                &ns.redeliveries,
            ));
            lines.push(rate_line(
                frame,
                &format!("{}:dead_lettered", q.id),
                &format!("{prefix}dead letters"),
                colour::cause("error"),
                &ns.dead_lettered,
            ));
        }
        let many = queues.len() > 1;
        let mut chart = time_chart(
            "dead-letters",
            "Redeliveries and dead letters",
            "msg/s",
            Lines {
                lines,
                ceiling: None,
                of_what: many.then_some("lines"),
            },
            "No message redelivered.",
        );
        chart.story = true;
        charts.push(chart);
        charts.push(time_chart(
            "queue-depth",
            "Queue depth",
            "messages",
            per_node(
                src,
                frame,
                |k| matches!(k, NodeKind::Queue(_)),
                |ns| Some(ns.queue_length.iter().map(|q| Some(*q)).collect()),
            ),
            "No queue.",
        ));
    }

    // Databases with shards: the load of each shard, over the run and over time.
    let sharded: Vec<&archsim_model::Node> = of_kind(|k| match k {
        NodeKind::Database(p) => p.shards > 1,
        _ => false,
    })
    .collect();
    if !sharded.is_empty() {
        let mut bars = Vec::new();
        let mut lines = Vec::new();
        for db in &sharded {
            let name = node_name(d, &db.id);
            let prefix = if sharded.len() > 1 {
                format!("{name} ")
            } else {
                String::new()
            };
            let empty = archsim_model::NodeSeries::default();
            let ns = s.nodes.get(&db.id).unwrap_or(&empty);
            let finals = src
                .report
                .and_then(|r| r.nodes.get(&db.id))
                .and_then(|n| n.database.as_ref())
                .map(|db| db.shard_queries.clone());
            let shards = match &d.node(&db.id).map(|n| &n.spec) {
                Some(NodeKind::Database(p)) => p.shards as usize,
                _ => 0,
            }
            .max(ns.shard_queries.len());
            for shard in 0..shards {
                let counts = ns
                    .shard_queries
                    .get(shard)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                // The report's figure (after warm-up, over replications, with its interval)
                // once there is one; the series so far while the run is live.
                let (value, ci95) = match finals.as_ref().and_then(|f| f.get(shard)) {
                    Some(e) => (e.value, e.ci95),
                    None => (counts.iter().sum::<u64>() as f64, None),
                };
                bars.push(Bar {
                    label: format!("{prefix}shard {shard}"),
                    value,
                    ci95,
                    colour: colour::line(shard),
                });
                lines.push(rate_line(
                    frame,
                    &format!("{}:{shard}", db.id),
                    &format!("{prefix}shard {shard}"),
                    colour::line(shard),
                    counts,
                ));
            }
        }
        charts.push(Chart {
            id: "shards".into(),
            title: if src.report.is_some() {
                "Queries per shard (after warm-up)".into()
            } else {
                "Queries per shard so far".into()
            },
            unit: "queries".into(),
            story: true,
            body: Body::Bars(bars),
            empty_text: "No query yet.".into(),
        });
        let many = lines.len() > MAX_LINES;
        charts.push(time_chart(
            "shard-load",
            "Queries per shard over time",
            "queries/s",
            Lines {
                lines,
                ceiling: None,
                of_what: many.then_some("shards"),
            },
            "No query yet.",
        ));
    }
    charts
}

/// The whole run's latency percentiles, each with its confidence interval. They exist only in
/// the finished report, so a live run says when they will appear.
fn latency_distribution(src: &Source) -> Chart {
    let bars = match src.report {
        Some(r) if r.overall.succeeded.value > 0.0 => {
            let l = &r.overall.latency;
            [
                ("mean", l.mean_ms, 7),
                ("p50", l.p50_ms, 0),
                ("p95", l.p95_ms, 1),
                ("p99", l.p99_ms, 5),
                ("max", l.max_ms, 3),
            ]
            .into_iter()
            .map(|(label, e, c)| Bar {
                label: label.into(),
                value: e.value,
                ci95: e.ci95,
                colour: colour::line(c),
            })
            .collect()
        }
        _ => Vec::new(),
    };
    Chart {
        id: "latency-distribution".into(),
        title: "Latency of the whole run (after warm-up)".into(),
        unit: "ms".into(),
        story: false,
        body: Body::Bars(bars),
        empty_text: if src.report.is_some() {
            "No request succeeded after warm-up.".into()
        } else {
            "Appears when the run finishes, with confidence intervals.".into()
        },
    }
}

/// How long the whole run's requests took, each latency's share and the share at or below it
/// (the CDF), on a log scale. Only the finished report has it.
fn latency_histogram(src: &Source) -> Chart {
    let histogram = src
        .report
        .map(|r| Histogram::of(&r.latency_histogram, &r.overall.latency))
        .unwrap_or_default();
    Chart {
        id: "latency-histogram".into(),
        title: "Latency of every request: histogram and cumulative share (after warm-up)".into(),
        unit: "% of requests".into(),
        story: false,
        body: Body::Histogram(histogram),
        empty_text: match src.report {
            Some(r) if r.overall.succeeded.value > 0.0 => {
                "This report was saved before it kept latency histograms: run again.".into()
            }
            Some(_) => "No request succeeded after warm-up.".into(),
            None => "Appears when the run finishes.".into(),
        },
    }
}

/// The charts of one node: what reached it and what it finished, its latency, how busy it
/// was, and what its kind does (hit ratio, redeliveries, shards, rejections).
pub fn node_charts(src: &Source, id: &str) -> Vec<Chart> {
    let frame = Frame::of(src);
    let Some(node) = src.design.node(id) else {
        return Vec::new();
    };
    let empty = archsim_model::NodeSeries::default();
    let ns = src.series.nodes.get(id).unwrap_or(&empty);
    let n = frame.buckets();
    let gauge = |key: &str, label: &str, c: usize, values: &[f64], scale: f64| {
        gauge_line(&frame, key, label, colour::line(c), values, scale)
    };
    let lines = |lines: Vec<Line>| Lines {
        lines,
        ceiling: None,
        of_what: None,
    };
    let mut charts = vec![time_chart(
        "node-requests",
        "Requests",
        "req/s",
        lines(vec![
            rate_line(&frame, "arrivals", "arrived", colour::line(7), &ns.arrivals),
            rate_line(
                &frame,
                "completions",
                "finished",
                colour::line(0),
                &ns.completions,
            ),
            rate_line(
                &frame,
                "failed",
                "failed",
                colour::cause("error"),
                &ns.failed,
            ),
        ]),
        "Nothing reached this node.",
    )];
    if !matches!(node.spec, NodeKind::Client(_)) {
        let served: Vec<Option<f64>> = (0..n)
            .map(|i| {
                let done = at(&ns.completions, i).saturating_sub(at(&ns.failed, i));
                (done > 0)
                    .then(|| ns.mean_latency_ms.get(i).copied())
                    .flatten()
            })
            .collect();
        charts.push(time_chart(
            "node-latency",
            "Mean time in the node",
            "ms",
            lines(vec![Line {
                key: "mean_latency".into(),
                label: "mean".into(),
                colour: colour::line(0),
                dashed: false,
                values: served.into(),
            }]),
            "No request succeeded here.",
        ));
    }
    if has_capacity(&node.spec) {
        let mut busy = lines(vec![gauge(
            "utilisation",
            "utilisation",
            0,
            &ns.utilisation,
            100.0,
        )]);
        busy.ceiling = Some(100.0);
        charts.push(time_chart("node-utilisation", "Utilisation", "%", busy, ""));
        charts.push(time_chart(
            "node-occupancy",
            "Waiting and in flight",
            "requests",
            lines(vec![
                gauge("queue_length", "waiting", 1, &ns.queue_length, 1.0),
                gauge("in_flight", "in flight", 0, &ns.in_flight, 1.0),
            ]),
            "",
        ));
    } else if !matches!(node.spec, NodeKind::Client(_)) {
        charts.push(time_chart(
            "node-occupancy",
            "In flight",
            "requests",
            lines(vec![gauge("in_flight", "in flight", 0, &ns.in_flight, 1.0)]),
            "",
        ));
    }
    match &node.spec {
        NodeKind::Cache(_) => {
            let ratio: Vec<Option<f64>> = (0..n)
                .map(|i| {
                    (at(&ns.arrivals, i) > 0)
                        .then(|| ns.hit_ratio.get(i).map(|r| r * 100.0))
                        .flatten()
                })
                .collect();
            let mut l = lines(vec![Line {
                key: "hit_ratio".into(),
                label: "hit ratio".into(),
                colour: colour::line(2),
                dashed: false,
                values: ratio.into(),
            }]);
            l.ceiling = Some(100.0);
            let mut chart = time_chart("node-hit-ratio", "Hit ratio", "%", l, "No lookups.");
            chart.story = true;
            charts.push(chart);
        }
        NodeKind::Queue(_) => {
            charts.push(time_chart(
                "node-messages",
                "Messages",
                "msg/s",
                lines(vec![
                    rate_line(
                        &frame,
                        "enqueued",
                        "enqueued",
                        colour::line(7),
                        &ns.enqueued,
                    ),
                    rate_line(
                        &frame,
                        "delivered",
                        "delivered",
                        colour::line(0),
                        &ns.delivered,
                    ),
                    rate_line(
                        &frame,
                        "redeliveries",
                        "redelivered",
                        colour::line(1),
                        &ns.redeliveries,
                    ),
                    rate_line(
                        &frame,
                        "dead_lettered",
                        "dead-lettered",
                        colour::cause("error"),
                        &ns.dead_lettered,
                    ),
                ]),
                "No message.",
            ));
        }
        NodeKind::RateLimiter(_) => {
            charts.push(time_chart(
                "node-rejected",
                "Rejected",
                "req/s",
                lines(vec![rate_line(
                    &frame,
                    "rate_limited",
                    "rejected",
                    colour::cause("rate_limited"),
                    &ns.rate_limited,
                )]),
                "",
            ));
        }
        NodeKind::Database(_) if ns.shard_queries.len() > 1 => {
            let shard_lines: Vec<Line> = ns
                .shard_queries
                .iter()
                .enumerate()
                .map(|(k, counts)| {
                    rate_line(
                        &frame,
                        &k.to_string(),
                        &format!("shard {k}"),
                        colour::line(k),
                        counts,
                    )
                })
                .collect();
            let many = shard_lines.len() > MAX_LINES;
            charts.push(time_chart(
                "node-shards",
                "Queries per shard",
                "queries/s",
                Lines {
                    lines: shard_lines,
                    ceiling: None,
                    of_what: many.then_some("shards"),
                },
                "",
            ));
        }
        _ => {}
    }
    charts
}

/// The charts of one edge: its calls, retries and timeouts, and its breaker when it has one.
pub fn edge_charts(src: &Source, id: &str) -> Vec<Chart> {
    let frame = Frame::of(src);
    let Some(edge) = src.design.edges.iter().find(|e| e.id == id) else {
        return Vec::new();
    };
    let empty = archsim_model::EdgeSeries::default();
    let es = src.series.edges.get(id).unwrap_or(&empty);
    let lines = |lines: Vec<Line>| Lines {
        lines,
        ceiling: None,
        of_what: None,
    };
    let mut retry_lines = vec![
        rate_line(&frame, "retries", "retries", colour::line(1), &es.retries),
        rate_line(
            &frame,
            "timeouts",
            "timeouts",
            colour::cause("timeout"),
            &es.timeouts,
        ),
        rate_line(
            &frame,
            "short_circuited",
            "short-circuited",
            colour::cause("breaker_open"),
            &es.short_circuited,
        ),
    ];
    // The cures' lines only where the edge has them (or they happened): a zero line for every
    // edge would drown the legend.
    if edge.params.adaptive_throttling.is_some() || es.throttled.iter().any(|&n| n > 0) {
        retry_lines.push(rate_line(
            &frame,
            "throttled",
            "throttled",
            colour::cause("throttled"),
            &es.throttled,
        ));
    }
    if edge.params.bulkhead.is_some() || es.bulkhead_rejected.iter().any(|&n| n > 0) {
        retry_lines.push(rate_line(
            &frame,
            "bulkhead_rejected",
            "bulkhead full",
            colour::cause("bulkhead_full"),
            &es.bulkhead_rejected,
        ));
    }
    if edge.params.hedging.is_some() || es.hedges.iter().any(|&n| n > 0) {
        // The extra load hedging costs (hedges sent) beside what it buys (calls a hedge won).
        retry_lines.push(rate_line(
            &frame,
            "hedges",
            "hedges",
            colour::line(2),
            &es.hedges,
        ));
        retry_lines.push(Line {
            dashed: true,
            ..rate_line(
                &frame,
                "hedge_wins",
                "won by a hedge",
                colour::line(2),
                &es.hedge_wins,
            )
        });
    }
    if edge.params.retry_budget.is_some() || es.budget_refused.iter().any(|&n| n > 0) {
        retry_lines.push(Line {
            dashed: true,
            ..rate_line(
                &frame,
                "budget_refused",
                "retries refused by budget",
                colour::line(1),
                &es.budget_refused,
            )
        });
    }
    let mut charts = vec![
        time_chart(
            "edge-calls",
            "Calls",
            "per s",
            lines(vec![
                rate_line(&frame, "calls", "calls", colour::line(0), &es.calls),
                Line {
                    dashed: true,
                    ..rate_line(
                        &frame,
                        "attempts",
                        "attempts",
                        colour::line(7),
                        &es.attempts,
                    )
                },
                rate_line(
                    &frame,
                    "failed",
                    "failed",
                    colour::cause("error"),
                    &es.failed,
                ),
            ]),
            "No call along this edge.",
        ),
        time_chart(
            "edge-retries",
            "Retries, timeouts and rejections",
            "per s",
            lines(retry_lines),
            "",
        ),
    ];
    if edge.params.circuit_breaker.is_some() || src.series.breaker_state.contains_key(id) {
        charts.push(Chart {
            id: "edge-breaker".into(),
            title: "Breaker".into(),
            unit: "closed · half-open · open".into(),
            story: true,
            body: Body::Timeline(Timeline {
                states: &BREAKER_STATES,
                mark: None,
                rows: vec![TimelineRow {
                    key: id.to_string(),
                    label: "breaker".into(),
                    states: src
                        .series
                        .breaker_state
                        .get(id)
                        .cloned()
                        .unwrap_or_default(),
                    marked: Vec::new(),
                }],
            }),
            empty_text: String::new(),
        });
    }
    charts
}

/// The values of a chart at bucket `i`, as "name value" phrases for the hover read-out.
pub fn readout(chart: &Chart, shown: &[Line], i: usize) -> Vec<(String, String)> {
    match &chart.body {
        Body::Lines(_) | Body::Stacked(_) => shown
            .iter()
            .map(|l| {
                let value = l.values.get(i).copied().flatten();
                (
                    l.label.clone(),
                    value.map_or_else(
                        || crate::components::results_format::NO_DATA.to_string(),
                        number,
                    ),
                )
            })
            .collect(),
        Body::Timeline(timeline) => timeline
            .rows
            .iter()
            .map(|r| {
                let state = timeline
                    .describe(r, i)
                    .unwrap_or_else(|| crate::components::results_format::NO_DATA.to_string());
                (r.label.clone(), state)
            })
            .collect(),
        Body::Bars(_) | Body::Histogram(_) => Vec::new(),
    }
}

/// Whether the chart has anything to draw.
pub fn has_data(chart: &Chart, shown: &[Line], frame: &Frame) -> bool {
    match &chart.body {
        Body::Lines(_) => {
            frame.buckets() > 0 && shown.iter().any(|l| l.values.iter().any(Option::is_some))
        }
        Body::Stacked(_) => frame.buckets() > 0 && !shown.is_empty(),
        Body::Timeline(timeline) => frame.buckets() > 0 && !timeline.rows.is_empty(),
        Body::Bars(bars) => bars.iter().any(|b| b.value > 0.0),
        Body::Histogram(h) => !h.buckets.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{Fault, NodeSeries, parse_design};

    fn example(json: &str) -> Design {
        parse_design(json).expect("the example parses")
    }

    fn source<'a>(design: &'a Design, series: &'a Series, end_ms: f64) -> Source<'a> {
        Source {
            design,
            series,
            report: None,
            end_ms,
        }
    }

    fn ids(charts: &[Chart]) -> Vec<&str> {
        charts.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn the_busiest_line_comes_first_and_equals_keep_their_order() {
        let line = |key: &str, values: &[Option<f64>]| Line {
            key: key.into(),
            label: key.into(),
            colour: colour::line(0),
            dashed: false,
            values: values.into(),
        };
        let mut lines = vec![
            line("idle", &[Some(0.0), Some(0.0)]),
            line("empty-a", &[None, None]),
            line("busy", &[Some(0.9), Some(0.7)]),
            // A gap and a NaN do not count towards the mean: 0.5, not 0.25.
            line("half", &[Some(0.5), None, Some(f64::NAN)]),
            line("empty-b", &[]),
            line("also-idle", &[Some(0.0)]),
        ];
        busiest_first(&mut lines);
        let keys: Vec<&str> = lines.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(
            keys,
            ["busy", "half", "idle", "empty-a", "empty-b", "also-idle"]
        );
    }

    #[test]
    fn nodes_that_share_a_label_are_told_apart_by_their_ids() {
        let series = Series::default();
        let stampede = example(include_str!("../../examples/cache-stampede.json"));
        let charts = overview(&source(&stampede, &series, 30_000.0));
        let queue = charts
            .iter()
            .find(|c| c.id == "queue-length")
            .expect("a queue-length chart");
        let Body::Lines(lines) = &queue.body else {
            panic!("lines")
        };
        let mut labels: Vec<&str> = lines.lines.iter().map(|l| l.label.as_str()).collect();
        labels.sort_unstable();
        assert_eq!(labels, ["Database (db-coalescing)", "Database (db-plain)"]);
    }

    #[test]
    fn the_story_chart_of_each_template_comes_first() {
        let series = Series::default();
        let cache = example(include_str!("../../examples/cache-aside.json"));
        let charts = overview(&source(&cache, &series, 60_000.0));
        assert_eq!(ids(&charts)[..3], ["hit-ratio", "throughput", "failures"]);
        assert!(charts[0].story);
        let gateway = example(include_str!("../../examples/microservices-gateway.json"));
        assert_eq!(
            ids(&overview(&source(&gateway, &series, 90_000.0)))[0],
            "breakers"
        );
        let shards = example(include_str!("../../examples/sharded-db.json"));
        let charts = overview(&source(&shards, &series, 60_000.0));
        assert_eq!(ids(&charts)[..3], ["shards", "throughput", "shard-load"]);
        let pipeline = example(include_str!("../../examples/event-pipeline.json"));
        assert_eq!(
            ids(&overview(&source(&pipeline, &series, 60_000.0)))[0],
            "dead-letters"
        );
        let limited = example(include_str!("../../examples/rate-limited-api.json"));
        assert_eq!(
            ids(&overview(&source(&limited, &series, 60_000.0)))[0],
            "rate-limited"
        );
        // Issue 12's templates: each opens on the chart of its phenomenon.
        for (json, end_ms, story) in [
            (
                include_str!("../../examples/hot-partition.json"),
                120_000.0,
                "partition-lag",
            ),
            (
                include_str!("../../examples/discovery-lag.json"),
                240_000.0,
                "instances",
            ),
            (
                include_str!("../../examples/keda-consumer-lag.json"),
                600_000.0,
                "instances",
            ),
            (
                include_str!("../../examples/primary-failover.json"),
                90_000.0,
                "failover",
            ),
            (
                include_str!("../../examples/sqs-visibility-timeout.json"),
                120_000.0,
                "visibility",
            ),
            (
                include_str!("../../examples/pubsub-fan-out.json"),
                120_000.0,
                "subscription-lag",
            ),
            (
                include_str!("../../examples/kafka-consumer-groups.json"),
                120_000.0,
                "partition-lag",
            ),
        ] {
            let design = example(json);
            let charts = overview(&source(&design, &series, end_ms));
            assert_eq!(ids(&charts)[0], story, "{}", design.name);
            assert!(charts[0].story);
        }
        // A plain queueing model has no story chart: load comes first.
        let mm1 = example(include_str!("../../examples/mm1.json"));
        assert_eq!(
            ids(&overview(&source(&mm1, &series, 200_000.0)))[0],
            "throughput"
        );
    }

    #[test]
    fn rates_are_per_second_of_the_time_a_bucket_covers() {
        let design = example(include_str!("../../examples/mm1.json"));
        let series = Series {
            bucket_ms: 500.0,
            t_ms: vec![0.0, 500.0],
            arrivals: vec![50, 30],
            succeeded: vec![50, 30],
            failed: vec![0, 0],
            ..Series::default()
        };
        // A 0.8 s run: the last bucket covers 0.3 s.
        let charts = overview(&source(&design, &series, 800.0));
        let Body::Lines(load) = &charts[0].body else {
            panic!("the load chart has lines")
        };
        let goodput = load.lines.iter().find(|l| l.key == "goodput").unwrap();
        assert_eq!(*goodput.values, vec![Some(100.0), Some(100.0)]);
        let frame = Frame::of(&source(&design, &series, 800.0));
        assert_eq!(frame.mid_ms(1), 650.0);
        assert_eq!(frame.bucket_at(650.0), Some(1));
        assert_eq!(frame.bucket_at(499.9), Some(0));
        assert_eq!(frame.bucket_at(900.0), None);
        assert_eq!(frame.bucket_at(-1.0), None);
    }

    #[test]
    fn fault_windows_are_labelled_and_end_with_the_run() {
        let mut design = example(include_str!("../../examples/mm1.json"));
        design.faults = vec![Fault {
            target: "server".into(),
            at_ms: 150_000.0,
            duration_ms: 100_000.0,
            effect: FaultEffect::Crash,
        }];
        let windows = fault_windows(&design, 200_000.0);
        assert_eq!(windows.len(), 1);
        assert_eq!(
            (windows[0].from_ms, windows[0].to_ms),
            (150_000.0, 200_000.0)
        );
        assert!(windows[0].label.ends_with(" down"), "{}", windows[0].label);
        // A fault after the end of the run has no window.
        assert!(fault_windows(&design, 100_000.0).is_empty());
    }

    #[test]
    fn a_bucket_without_lookups_has_no_hit_ratio_rather_than_zero() {
        let design = example(include_str!("../../examples/cache-aside.json"));
        let mut series = Series {
            bucket_ms: 1000.0,
            t_ms: vec![0.0, 1000.0],
            ..Series::default()
        };
        series.nodes.insert(
            "cache".into(),
            NodeSeries {
                arrivals: vec![0, 10],
                hit_ratio: vec![0.0, 0.4],
                ..NodeSeries::default()
            },
        );
        let charts = overview(&source(&design, &series, 60_000.0));
        let Body::Lines(ratio) = &charts[0].body else {
            panic!("the hit ratio has lines")
        };
        assert_eq!(*ratio.lines[0].values, vec![None, Some(40.0)]);
        assert_eq!(ratio.ceiling, Some(100.0));
    }

    fn line(key: &str, level: f64) -> Line {
        Line {
            key: key.into(),
            label: key.into(),
            colour: colour::line(0),
            dashed: false,
            values: Rc::from([Some(level)]),
        }
    }

    #[test]
    fn a_chart_of_many_lines_shows_the_busiest_or_the_chosen_ones_recoloured() {
        let lines = Lines {
            lines: (0..12)
                .map(|k| line(&format!("n{k}"), 12.0 - k as f64))
                .collect(),
            ceiling: None,
            of_what: Some("nodes"),
        };
        let top = picked(&lines, &Pick::default());
        assert_eq!(top.len(), MAX_LINES);
        assert_eq!(top[0].key, "n0");
        let all = picked(&lines, &Pick::Top(usize::MAX));
        assert_eq!(all.len(), 12);
        // Past the palette, colours repeat and the line is dashed to tell it apart.
        assert!(!all[7].dashed && all[8].dashed);
        assert_eq!(all[8].colour, all[0].colour);
        let chosen = picked(
            &lines,
            &Pick::Chosen(["n3".to_string(), "n11".to_string()].into()),
        );
        let keys: Vec<&str> = chosen.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["n3", "n11"]);
        assert_eq!(chosen[0].colour, colour::line(0));
        // A chart of a few fixed lines shows them all, whatever the pick.
        let few = Lines {
            of_what: None,
            ..lines.clone()
        };
        assert_eq!(picked(&few, &Pick::Top(2)).len(), 12);
    }
}

//! What the canvas shows of a run: for each node its load, throughput, latency, failures and
//! whether it is down, rate limiting or shedding; for each edge its traffic, failure rate and
//! breaker state; and the bottleneck. Pure functions of the design, the series and the report,
//! so they are tested natively; [`super::canvas`] only draws the result.
//!
//! Three moments can be shown:
//! - **live** — the latest ended bucket of a run under way (the streamed series);
//! - **a bucket at the time cursor** — the bucket holding the time the person points at;
//! - **the whole run** — the report's figures (after warm-up), once the run is over.

use std::collections::{BTreeMap, BTreeSet};

use archsim_model::{Design, FaultEffect, NodeKind, Report, Series};

use crate::run::RunState;
use crate::state::geometry::{NODE_HEIGHT, NODE_WIDTH, Rect};

/// A badge's width for its text: roughly 6.8 px per character at the badges' 12 px semi-bold;
/// an exact width is not worth a measure (it would force a layout per badge).
pub fn badge_width(text: &str) -> f64 {
    12.0 + 6.8 * text.chars().count() as f64
}

/// The colour scale of load, from idle to saturated: six steps of cividis, a scale made to be
/// read by people with any colour vision (it varies in lightness throughout, so it also reads in
/// grey). Every step also has words ([`NodeLoad::load_words`]) and saturated nodes a hatch, so
/// colour is never the only cue.
pub const LOAD_COLOURS: [&str; 6] = [
    "#00224e", "#35456c", "#666970", "#948e77", "#c8b866", "#fee838",
];
/// A class per step of [`LOAD_COLOURS`] (`static/style.css` gives each its colour). A class, not
/// a CSS custom property on the node: a custom property is inherited, so changing it restyles
/// every element of the node, and a live update of a 200-node design changes them all.
pub const LOAD_STEP_CLASSES: [&str; 6] =
    ["load-0", "load-1", "load-2", "load-3", "load-4", "load-5"];
/// From this load on a node is drawn as saturated (hatched, "saturated" in words).
pub const SATURATED: f64 = 0.9;
/// A node counts as the bottleneck only when it is at least this loaded: the busiest node of a
/// design loafing at 5% constrains nothing.
pub const BOTTLENECK_MIN_LOAD: f64 = 0.5;
/// Edge stroke widths (canvas units) for no traffic and for the busiest edge of the view.
pub const EDGE_MIN_WIDTH: f64 = 1.5;
pub const EDGE_MAX_WIDTH: f64 = 7.0;
/// A node's mean queue over a bucket at this fraction of its capacity, while it fails requests,
/// counts as shedding (requests refused because the queue is full).
const SHEDDING_QUEUE_FRACTION: f64 = 0.9;

/// Which moment of the run the canvas shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Moment {
    /// The bucket with this index (live: the latest; or the one at the time cursor).
    Bucket(usize),
    /// The whole run's figures from the report.
    WholeRun,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunOverlay {
    /// What moment this is, in words ("Live · 12 s", "At 12.5 s", "Whole run").
    pub caption: String,
    pub nodes: BTreeMap<String, NodeLoad>,
    pub edges: BTreeMap<String, EdgeLoad>,
    /// The most loaded node on the busiest path, when it is loaded enough to constrain it.
    pub bottleneck: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeLoad {
    /// Utilisation (services, databases, queues) or requests in flight over the concurrency
    /// limit (gateways with one), `0..=1`; None for kinds without a capacity.
    pub load: Option<f64>,
    /// Requests finished per second.
    pub throughput_rps: f64,
    /// Requests failed at this node per second.
    pub failed_rps: f64,
    /// Failures over finished requests, `0..=1`.
    pub failure_fraction: f64,
    /// A latency figure and what it is ("p99" from the report, "mean" for a bucket).
    pub latency: Option<(&'static str, f64)>,
    /// A crash fault holds the node down at the moment shown (or, for the whole run, at some
    /// time during it).
    pub down: bool,
    /// A rate limiter turned requests away.
    pub limiting: bool,
    /// Requests were refused because the node's queue was full.
    pub shedding: bool,
    /// A load balancer holds this backend out of rotation, and why.
    pub rotation: Rotation,
}

/// A node's flags ("DOWN · BOTTLENECK") sit this far above its top, this high.
pub const FLAGS_TOP: f64 = -22.0;
pub const FLAGS_HEIGHT: f64 = 19.0;
/// A node's run badge sits this far below its bottom; each of its lines is this high.
pub const BADGE_GAP: f64 = 5.0;
pub const BADGE_LINE: f64 = 16.0;

/// The width of a node's flags reading `text` (capitals in bold are wider than the badges'
/// lower case).
pub fn flags_width(text: &str) -> f64 {
    12.0 + 8.8 * text.chars().count() as f64
}

/// The width of a node badge of `lines`: its widest line's.
pub fn badge_box_width(lines: &[String]) -> f64 {
    lines.iter().map(|l| badge_width(l)).fold(0.0, f64::max)
}

/// The height of a node badge of `lines`.
pub fn badge_box_height(lines: &[String]) -> f64 {
    BADGE_LINE * lines.len() as f64 + 4.0
}

/// What a run draws around the node at `position` besides its box, canvas units: its flags
/// above (when it has any) and, with `detail` (a zoom where words are read), its badge centred
/// below, as the SVG (`canvas.rs`) and the raster layer draw them. An edge's labels keep clear
/// of them (`state::edge_labels`).
pub fn node_marks(
    position: archsim_model::Position,
    load: &NodeLoad,
    bottleneck: bool,
    detail: bool,
) -> Vec<Rect> {
    let mut marks = Vec::new();
    let mut flags = load.flags();
    if bottleneck {
        flags.push("bottleneck");
    }
    if !flags.is_empty() {
        marks.push(Rect {
            x: position.x,
            y: position.y + FLAGS_TOP,
            width: flags_width(&flags.join(" · ").to_uppercase()),
            height: FLAGS_HEIGHT,
        });
    }
    if detail {
        let lines = load.badge_lines();
        let width = badge_box_width(&lines);
        marks.push(Rect {
            x: position.x + (NODE_WIDTH - width) / 2.0,
            y: position.y + NODE_HEIGHT + BADGE_GAP,
            width,
            height: badge_box_height(&lines),
        });
    }
    marks
}

/// Whether the load balancers in front of a backend send it traffic (from the series'
/// `backend_state`: 1 marked down by health checks or its edge's open breaker, 2 ejected by
/// outlier detection, 3 both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotation {
    pub marked_down: bool,
    pub ejected: bool,
}

impl Rotation {
    fn of_state(state: u8) -> Rotation {
        Rotation {
            marked_down: state & 1 != 0,
            ejected: state & 2 != 0,
        }
    }

    fn or(self, other: Rotation) -> Rotation {
        Rotation {
            marked_down: self.marked_down || other.marked_down,
            ejected: self.ejected || other.ejected,
        }
    }

    pub fn out(self) -> bool {
        self.marked_down || self.ejected
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeLoad {
    pub calls_rps: f64,
    /// Failed calls over calls, `0..=1` (0 without calls).
    pub failure_rate: f64,
    /// Stroke width, by traffic relative to the busiest edge shown.
    pub width: f64,
    /// The breaker, for edges with one.
    pub breaker: Option<BreakerView>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakerView {
    Closed,
    HalfOpen,
    Open,
    /// Whole run: the breaker opened this many times (on average per replication).
    Opened(f64),
}

impl BreakerView {
    pub fn words(self) -> String {
        match self {
            BreakerView::Closed => "breaker closed".into(),
            BreakerView::HalfOpen => "breaker half-open".into(),
            BreakerView::Open => "breaker OPEN".into(),
            BreakerView::Opened(n) => format!("breaker opened {}×", compact(n)),
        }
    }

    /// A class for the drawing: closed, half-open or open (a breaker that opened during the
    /// run is drawn as open).
    pub fn class(self) -> &'static str {
        match self {
            BreakerView::Closed => "is-closed",
            BreakerView::HalfOpen => "is-half-open",
            BreakerView::Open => "is-open",
            BreakerView::Opened(n) if n > 0.0 => "is-open",
            BreakerView::Opened(_) => "is-closed",
        }
    }
}

impl NodeLoad {
    /// The step of [`LOAD_COLOURS`] for this load (None without a load).
    pub fn load_step(&self) -> Option<usize> {
        self.load.map(load_step)
    }

    /// The load in words: "87% busy", "saturated (98%)".
    pub fn load_words(&self) -> Option<String> {
        let load = self.load?;
        let percent = (load.clamp(0.0, 1.0) * 100.0).round();
        Some(if load >= SATURATED {
            format!("saturated ({percent:.0}%)")
        } else {
            format!("{percent:.0}% busy")
        })
    }

    /// The node's badge: throughput, latency and failures, as short as it can be read.
    pub fn badge(&self) -> String {
        if self.throughput_rps <= 0.0 && self.failed_rps <= 0.0 {
            return "idle".into();
        }
        let mut parts = vec![format!("{}/s", compact(self.throughput_rps))];
        if let Some((what, ms)) = self.latency {
            parts.push(format!("{what} {}", milliseconds(ms)));
        }
        if self.failed_rps > 0.0 {
            parts.push(format!(
                "{} failed",
                percent_text(self.failure_fraction.clamp(0.0, 1.0))
            ));
        }
        parts.join(" · ")
    }

    /// The badge in lines: the failures go on a line of their own when the whole badge would
    /// be wider than the node, so that two neighbours' badges (60 px apart at 100%) do not run
    /// into each other. The words are those of [`NodeLoad::badge`].
    pub fn badge_lines(&self) -> Vec<String> {
        let whole = self.badge();
        if badge_width(&whole) <= NODE_WIDTH {
            return vec![whole];
        }
        match whole.rsplit_once(" · ") {
            Some((first, failed)) if failed.ends_with("failed") => {
                vec![first.to_string(), failed.to_string()]
            }
            _ => vec![whole],
        }
    }

    /// The states a person should notice, in words (down, rate limiting, shedding, ejected or
    /// marked down by a load balancer).
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.down {
            flags.push("down");
        }
        if self.limiting {
            flags.push("limiting");
        }
        if self.shedding {
            flags.push("shedding");
        }
        if self.rotation.ejected {
            flags.push("ejected");
        }
        if self.rotation.marked_down {
            flags.push("marked down");
        }
        flags
    }
}

impl EdgeLoad {
    /// "ok" below 1% failed calls, "some" below 10%, "many" from there.
    pub fn failure_class(&self) -> &'static str {
        if self.failure_rate >= 0.1 {
            "fails-many"
        } else if self.failure_rate >= 0.01 {
            "fails-some"
        } else {
            "fails-none"
        }
    }

    pub fn words(&self) -> String {
        let mut text = format!("{} calls/s", compact(self.calls_rps));
        if self.calls_rps > 0.0 {
            text.push_str(&format!(", {} failed", percent_text(self.failure_rate)));
        }
        if let Some(breaker) = self.breaker {
            text.push_str(&format!(", {}", breaker.words()));
        }
        text
    }
}

/// The step of the colour scale for `load` (clamped to `0..=1`).
pub fn load_step(load: f64) -> usize {
    let steps = LOAD_COLOURS.len();
    let clamped = if load.is_finite() {
        load.clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((clamped * steps as f64) as usize).min(steps - 1)
}

/// The bucket holding `t_ms` (the last one for a time past the end), None for an empty series.
pub fn bucket_at(series: &Series, t_ms: f64) -> Option<usize> {
    if series.is_empty() {
        return None;
    }
    let index = series.t_ms.partition_point(|&start| start <= t_ms);
    Some(index.saturating_sub(1))
}

/// Which moment to show: the bucket at the cursor when one is set, else the latest bucket of a
/// run under way, else the whole run (when there is a report). None when there is nothing to
/// show.
pub fn moment(
    series: &Series,
    cursor_ms: Option<f64>,
    live: bool,
    has_report: bool,
) -> Option<Moment> {
    if let Some(t) = cursor_ms {
        return bucket_at(series, t).map(Moment::Bucket);
    }
    if live {
        return series.len().checked_sub(1).map(Moment::Bucket);
    }
    has_report.then_some(Moment::WholeRun)
}

/// What the canvas shows of `run` with the time cursor at `cursor_ms`: a run under way shows
/// its live series (latest bucket, or the bucket at the cursor), a finished run its report
/// (whole run, or the bucket at the cursor). None when there is nothing to show yet.
pub fn overlay_of_run(run: &RunState, cursor_ms: Option<f64>) -> Option<RunOverlay> {
    if let Some(active) = &run.active {
        let series = active.live.as_ref()?.series();
        let at = moment(&series, cursor_ms, true, false)?;
        let end = active.design.run.duration_ms;
        return Some(overlay(
            &active.design,
            &series,
            None,
            at,
            end,
            cursor_ms.is_none(),
        ));
    }
    let result = run.result.as_ref()?;
    let report = result.report.as_ref();
    let at = moment(&report.series, cursor_ms, false, true)?;
    let end = super::results_format::run_end_ms(report);
    Some(overlay(
        &result.design,
        &report.series,
        Some(report),
        at,
        end,
        false,
    ))
}

/// The overlay for `moment`. `end_ms` is where the run's time ends (the last bucket may be cut
/// short by it); `report` gives the whole run's figures.
pub fn overlay(
    design: &Design,
    series: &Series,
    report: Option<&Report>,
    moment: Moment,
    end_ms: f64,
    live: bool,
) -> RunOverlay {
    let (nodes, edge_rates, caption) = match (moment, report) {
        (Moment::WholeRun, Some(report)) => {
            let seconds = measured_seconds(report, end_ms);
            let held = rotations(series, 0..series.len());
            let nodes = design
                .nodes
                .iter()
                .map(|node| {
                    let rotation = held.get(node.id.as_str()).copied().unwrap_or_default();
                    (
                        node.id.clone(),
                        whole_run_node(design, report, node, rotation, seconds),
                    )
                })
                .collect();
            // Edge figures over the whole series (the report keeps attempts, not calls).
            let run_seconds = (end_ms / 1_000.0).max(f64::MIN_POSITIVE);
            let rates: BTreeMap<String, (f64, f64)> = series
                .edges
                .iter()
                .map(|(id, e)| {
                    let calls: u64 = e.calls.iter().sum();
                    let failed: u64 = e.failed.iter().sum();
                    (
                        id.clone(),
                        (calls as f64 / run_seconds, ratio(failed, calls)),
                    )
                })
                .collect();
            (nodes, rates, "Whole run".to_string())
        }
        _ => {
            let b = match moment {
                Moment::Bucket(b) => b.min(series.len().saturating_sub(1)),
                Moment::WholeRun => series.len().saturating_sub(1),
            };
            let start = series.t_ms.get(b).copied().unwrap_or(0.0);
            let end = series
                .t_ms
                .get(b + 1)
                .copied()
                .unwrap_or((start + series.bucket_ms).min(end_ms.max(start)));
            let seconds = ((end - start) / 1_000.0).max(f64::MIN_POSITIVE);
            let held = rotations(series, b..b + 1);
            let nodes = design
                .nodes
                .iter()
                .map(|node| {
                    let rotation = held.get(node.id.as_str()).copied().unwrap_or_default();
                    let load =
                        bucket_node(design, series, node, rotation, b, (start, end), seconds);
                    (node.id.clone(), load)
                })
                .collect();
            let rates: BTreeMap<String, (f64, f64)> = series
                .edges
                .iter()
                .map(|(id, e)| {
                    let calls = at(&e.calls, b);
                    (
                        id.clone(),
                        (calls as f64 / seconds, ratio(at(&e.failed, b), calls)),
                    )
                })
                .collect();
            let when = seconds_text(end / 1_000.0);
            let caption = if live {
                format!("Live · {when}")
            } else {
                format!("At {}", seconds_text(start / 1_000.0))
            };
            (nodes, rates, caption)
        }
    };
    let busiest = edge_rates
        .values()
        .map(|(rate, _)| *rate)
        .fold(0.0_f64, f64::max);
    let edges = design
        .edges
        .iter()
        .map(|edge| {
            let (calls_rps, failure_rate) = edge_rates.get(&edge.id).copied().unwrap_or_default();
            let breaker = edge
                .params
                .circuit_breaker
                .as_ref()
                .map(|_| breaker_view(series, report, &edge.id, moment));
            let width = if busiest > 0.0 {
                EDGE_MIN_WIDTH
                    + (EDGE_MAX_WIDTH - EDGE_MIN_WIDTH)
                        * (calls_rps / busiest).clamp(0.0, 1.0).sqrt()
            } else {
                EDGE_MIN_WIDTH
            };
            (
                edge.id.clone(),
                EdgeLoad {
                    calls_rps,
                    failure_rate,
                    width,
                    breaker,
                },
            )
        })
        .collect::<BTreeMap<_, _>>();
    let bottleneck = bottleneck(design, &nodes, &edges);
    RunOverlay {
        caption,
        nodes,
        edges,
        bottleneck,
    }
}

fn breaker_view(
    series: &Series,
    report: Option<&Report>,
    edge: &str,
    moment: Moment,
) -> BreakerView {
    match (moment, report) {
        (Moment::WholeRun, Some(report)) => BreakerView::Opened(
            report
                .edges
                .get(edge)
                .map_or(0.0, |e| e.breaker_opened.value),
        ),
        (Moment::Bucket(b), _) => match series.breaker_state.get(edge).and_then(|v| v.get(b)) {
            Some(2) => BreakerView::Open,
            Some(1) => BreakerView::HalfOpen,
            _ => BreakerView::Closed,
        },
        (Moment::WholeRun, None) => BreakerView::Closed,
    }
}

/// The busiest path: from the client with the most arrivals, along the busiest outgoing edge
/// each time, until a node calls nothing (or a node comes round again). The bottleneck is its
/// most loaded node, when loaded at least [`BOTTLENECK_MIN_LOAD`].
pub fn bottleneck(
    design: &Design,
    nodes: &BTreeMap<String, NodeLoad>,
    edges: &BTreeMap<String, EdgeLoad>,
) -> Option<String> {
    let traffic = |id: &str| {
        nodes
            .get(id)
            .map_or(0.0, |n| n.throughput_rps + n.failed_rps)
    };
    let start = design
        .nodes
        .iter()
        .filter(|n| matches!(n.spec, NodeKind::Client(_)))
        .max_by(|a, b| traffic(&a.id).total_cmp(&traffic(&b.id)))?;
    let mut path = vec![start.id.as_str()];
    let mut seen = BTreeSet::from([start.id.as_str()]);
    let mut here = start.id.as_str();
    loop {
        let next = design
            .outgoing(here)
            .map(|e| (e, edges.get(&e.id).map_or(0.0, |l| l.calls_rps)))
            .filter(|(_, rate)| *rate > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(e, _)| e.to.as_str());
        match next {
            Some(to) if seen.insert(to) => {
                path.push(to);
                here = to;
            }
            _ => break,
        }
    }
    path.into_iter()
        .filter_map(|id| Some((id, nodes.get(id)?.load?)))
        .filter(|(_, load)| *load >= BOTTLENECK_MIN_LOAD)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id.to_string())
}

fn whole_run_node(
    design: &Design,
    report: &Report,
    node: &archsim_model::Node,
    rotation: Rotation,
    seconds: f64,
) -> NodeLoad {
    let id = node.id.as_str();
    let Some(node_report) = report.nodes.get(id) else {
        return NodeLoad::default();
    };
    let load = if node_report.has_utilisation() {
        Some(node_report.utilisation.value)
    } else {
        concurrency_limit(node).map(|limit| node_report.mean_in_flight.value / limit)
    };
    let completions = node_report.completions.value;
    let failed = node_report.failures.total();
    let succeeded = completions - failed;
    NodeLoad {
        load: load.map(clean_fraction),
        throughput_rps: rate(completions, seconds),
        failed_rps: rate(failed, seconds),
        failure_fraction: if completions > 0.0 {
            failed / completions
        } else {
            0.0
        },
        latency: (succeeded > 0.0).then_some(("p99", node_report.latency.p99_ms.value)),
        down: crash_windows(design, id).next().is_some(),
        limiting: node_report
            .rate_limiter
            .as_ref()
            .is_some_and(|l| l.rejected.value > 0.0),
        // Only a node with a queue sheds; a client's failures are its requests' (all causes).
        shedding: queue_capacity(node).is_some() && node_report.failures.queue_full.value > 0.0,
        // Out of rotation at some time during the run (the first replication's series).
        rotation,
    }
}

/// How the load balancers held each backend during buckets `buckets`: marked down or ejected
/// by any of them in any of those buckets, by backend id. One pass over every balancer's
/// series: asking it node by node walked every balancer for every node, 40,000 map look-ups
/// per live update of a 200-node design (a fifth of the update's main-thread time).
fn rotations(series: &Series, buckets: std::ops::Range<usize>) -> BTreeMap<&str, Rotation> {
    let mut held: BTreeMap<&str, Rotation> = BTreeMap::new();
    for balancer in series.nodes.values() {
        for (backend, states) in &balancer.backend_state {
            let seen = states
                .get(buckets.clone())
                .unwrap_or_default()
                .iter()
                .fold(Rotation::default(), |seen, &state| {
                    seen.or(Rotation::of_state(state))
                });
            let entry = held.entry(backend.as_str()).or_default();
            *entry = entry.or(seen);
        }
    }
    held
}

fn bucket_node(
    design: &Design,
    series: &Series,
    node: &archsim_model::Node,
    rotation: Rotation,
    b: usize,
    (start, end): (f64, f64),
    seconds: f64,
) -> NodeLoad {
    let id = node.id.as_str();
    let down = crash_windows(design, id).any(|(from, to)| from < end && to > start);
    let Some(s) = series.nodes.get(id) else {
        return NodeLoad {
            down,
            rotation,
            ..NodeLoad::default()
        };
    };
    let kind_has_utilisation = matches!(
        node.spec,
        NodeKind::Service(_) | NodeKind::Database(_) | NodeKind::Queue(_)
    );
    let load = if kind_has_utilisation {
        s.utilisation.get(b).copied()
    } else {
        concurrency_limit(node).and_then(|limit| s.in_flight.get(b).map(|f| f / limit))
    };
    // Reports saved before per-node completions existed: arrivals stand in.
    let completions = if s.completions.is_empty() {
        at(&s.arrivals, b)
    } else {
        at(&s.completions, b)
    };
    let failed = at(&s.failed, b);
    let mean = s.mean_latency_ms.get(b).copied().unwrap_or(0.0);
    let queue_full_at = queue_capacity(node);
    let queue = s.queue_length.get(b).copied().unwrap_or(0.0);
    NodeLoad {
        load: load.map(clean_fraction),
        throughput_rps: completions as f64 / seconds,
        failed_rps: failed as f64 / seconds,
        failure_fraction: ratio(failed, completions),
        latency: (completions > failed && mean > 0.0).then_some(("mean", mean)),
        down,
        limiting: at(&s.rate_limited, b) > 0,
        shedding: failed > 0
            && queue_full_at.is_some_and(|cap| cap > 0.0 && queue >= SHEDDING_QUEUE_FRACTION * cap),
        rotation,
    }
}

/// Requests a node may hold at once, for kinds whose load is in-flight against a limit.
fn concurrency_limit(node: &archsim_model::Node) -> Option<f64> {
    match &node.spec {
        NodeKind::ApiGateway(p) if p.max_concurrency > 0 => Some(f64::from(p.max_concurrency)),
        _ => None,
    }
}

/// Requests that may wait at a node in all (beyond that it refuses them).
fn queue_capacity(node: &archsim_model::Node) -> Option<f64> {
    match &node.spec {
        NodeKind::Service(p) => Some(f64::from(p.queue_capacity)),
        NodeKind::Queue(p) => Some(p.capacity as f64),
        NodeKind::Database(p) => {
            let stations = f64::from(p.shards.max(1)) * f64::from(1 + p.replicas_per_shard);
            Some(f64::from(p.queue_capacity) * stations)
        }
        _ => None,
    }
}

/// The crash windows of node `id`, `(from, to)` in ms.
fn crash_windows<'a>(design: &'a Design, id: &'a str) -> impl Iterator<Item = (f64, f64)> + 'a {
    design
        .faults
        .iter()
        .filter(move |f| f.target == id && matches!(f.effect, FaultEffect::Crash))
        .map(|f| (f.at_ms, f.at_ms + f.duration_ms))
}

fn measured_seconds(report: &Report, end_ms: f64) -> f64 {
    ((end_ms - report.warmup_ms) / 1_000.0).max(0.0)
}

fn rate(count: f64, seconds: f64) -> f64 {
    if seconds > 0.0 { count / seconds } else { 0.0 }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

fn at(v: &[u64], b: usize) -> u64 {
    v.get(b).copied().unwrap_or(0)
}

fn clean_fraction(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { 0.0 }
}

/// A rate or count in few characters: 0.5, 12, 340, 1.2k, 25k, 1.3M.
pub fn compact(x: f64) -> String {
    let x = if x.is_finite() { x.max(0.0) } else { 0.0 };
    if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.0}k", x / 1e3)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else if x >= 10.0 || x == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn milliseconds(ms: f64) -> String {
    if ms >= 1_000.0 {
        format!("{:.1} s", ms / 1_000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn percent_text(fraction: f64) -> String {
    let p = fraction * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

fn seconds_text(s: f64) -> String {
    if s >= 100.0 || (s - s.round()).abs() < 1e-9 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{EdgeSeries, NodeSeries, parse_design};

    fn three_tier() -> Design {
        parse_design(include_str!("../../examples/three-tier.json")).unwrap()
    }

    #[test]
    fn load_steps_run_from_idle_to_saturated_and_clamp() {
        assert_eq!(load_step(0.0), 0);
        assert_eq!(load_step(0.5), 3);
        assert_eq!(load_step(0.99), 5);
        assert_eq!(load_step(1.7), 5);
        assert_eq!(load_step(-1.0), 0);
        assert_eq!(load_step(f64::NAN), 0);
        // The scale brightens monotonically (it reads in grey too).
        let luminance = |hex: &str| {
            let v = u32::from_str_radix(&hex[1..], 16).unwrap();
            let (r, g, b) = ((v >> 16) & 255, (v >> 8) & 255, v & 255);
            0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64
        };
        assert!(
            LOAD_COLOURS
                .windows(2)
                .all(|w| luminance(w[0]) < luminance(w[1]))
        );
    }

    #[test]
    fn the_stylesheet_colours_each_load_step_with_its_colour() {
        let css = include_str!("../../static/style.css");
        for (class, colour) in LOAD_STEP_CLASSES.iter().zip(LOAD_COLOURS) {
            for part in ["node-body", "node-load-bar"] {
                let rule = format!(".node.{class} .{part} {{");
                let at = css.find(&rule).unwrap_or_else(|| panic!("no rule {rule}"));
                let body = &css[at..at + css[at..].find('}').unwrap()];
                assert!(body.contains(colour), "{rule} is not {colour}: {body}");
            }
        }
    }

    #[test]
    fn the_bucket_at_a_time_is_the_one_that_holds_it() {
        let series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0, 2_000.0],
            ..Series::default()
        };
        assert_eq!(bucket_at(&series, 0.0), Some(0));
        assert_eq!(bucket_at(&series, 999.0), Some(0));
        assert_eq!(bucket_at(&series, 1_000.0), Some(1));
        assert_eq!(bucket_at(&series, 9_999.0), Some(2));
        assert_eq!(bucket_at(&series, -5.0), Some(0));
        assert_eq!(bucket_at(&Series::default(), 5.0), None);
        // Live shows the latest bucket, a cursor its bucket, a finished run the whole run.
        assert_eq!(moment(&series, None, true, false), Some(Moment::Bucket(2)));
        assert_eq!(
            moment(&series, Some(1_500.0), false, true),
            Some(Moment::Bucket(1))
        );
        assert_eq!(moment(&series, None, false, true), Some(Moment::WholeRun));
        assert_eq!(moment(&series, None, false, false), None);
        assert_eq!(moment(&Series::default(), None, true, false), None);
    }

    #[test]
    fn a_backend_out_of_rotation_is_flagged_at_its_moment_and_for_the_whole_run() {
        let design = three_tier();
        // The balancer's view of app-1: in rotation, marked down, ejected, both, back.
        let mut lb = NodeSeries::default();
        lb.backend_state.insert("app-1".into(), vec![0, 1, 2, 3, 0]);
        lb.backend_state.insert("app-2".into(), vec![0; 5]);
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: (0..5).map(|i| f64::from(i) * 1_000.0).collect(),
            ..Series::default()
        };
        series.nodes.insert("lb".into(), lb);
        let at = |b: usize| {
            overlay(&design, &series, None, Moment::Bucket(b), 5_000.0, false).nodes["app-1"]
                .clone()
        };
        assert!(!at(0).rotation.out());
        assert_eq!(at(0).flags(), Vec::<&str>::new());
        assert_eq!(at(1).flags(), ["marked down"]);
        assert_eq!(at(2).flags(), ["ejected"]);
        assert_eq!(at(3).flags(), ["ejected", "marked down"]);
        assert!(!at(4).rotation.out());
        let app2 = overlay(&design, &series, None, Moment::Bucket(2), 5_000.0, false);
        assert!(!app2.nodes["app-2"].rotation.out());
        // The whole run: out at some time during it (as a crash is "down" for the whole run).
        let whole = rotations(&series, 0..series.len());
        assert_eq!(
            whole["app-1"],
            Rotation {
                marked_down: true,
                ejected: true
            }
        );
        assert!(!whole["app-2"].out());
        assert!(!whole.contains_key("db"));
    }

    /// A one-bucket series over the three-tier design: app servers `busy`, the rest idle.
    fn one_bucket(design: &Design, busy: f64) -> Series {
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0],
            ..Series::default()
        };
        for node in &design.nodes {
            let heavy = node.id.starts_with("app");
            series.nodes.insert(
                node.id.clone(),
                NodeSeries {
                    arrivals: vec![100],
                    completions: vec![100],
                    failed: vec![if heavy { 20 } else { 0 }],
                    mean_latency_ms: vec![12.4],
                    utilisation: vec![if heavy { busy } else { 0.05 }],
                    queue_length: vec![if heavy { 1_000.0 } else { 0.0 }],
                    in_flight: vec![1.0],
                    ..NodeSeries::default()
                },
            );
        }
        for edge in &design.edges {
            let calls = if edge.to.starts_with("app") { 400 } else { 100 };
            series.edges.insert(
                edge.id.clone(),
                EdgeSeries {
                    calls: vec![calls],
                    failed: vec![calls / 4],
                    ..EdgeSeries::default()
                },
            );
        }
        series
    }

    #[test]
    fn a_saturated_node_differs_from_an_idle_one_in_colour_words_and_flags() {
        let design = three_tier();
        let series = one_bucket(&design, 1.0);
        let view = overlay(&design, &series, None, Moment::Bucket(0), 1_000.0, true);
        assert_eq!(view.caption, "Live · 1 s");
        let app = design
            .nodes
            .iter()
            .find(|n| n.id.starts_with("app"))
            .unwrap();
        let db = design
            .nodes
            .iter()
            .find(|n| matches!(n.spec, NodeKind::Database(_)))
            .unwrap();
        let busy = &view.nodes[&app.id];
        let idle = &view.nodes[&db.id];
        assert_eq!(busy.load_step(), Some(5));
        assert_eq!(idle.load_step(), Some(0));
        assert_eq!(busy.load_words().unwrap(), "saturated (100%)");
        assert_eq!(idle.load_words().unwrap(), "5% busy");
        assert_eq!(busy.badge(), "100/s · mean 12 ms · 20% failed");
        assert!(busy.shedding, "failing with a full queue is shedding");
        assert!(!idle.shedding);
        // The client has no capacity, so no load colour at all.
        let client = design
            .nodes
            .iter()
            .find(|n| matches!(n.spec, NodeKind::Client(_)))
            .unwrap();
        assert_eq!(view.nodes[&client.id].load, None);
        // The app tier is the bottleneck of the busiest path.
        assert!(
            view.bottleneck
                .as_deref()
                .is_some_and(|b| b.starts_with("app"))
        );
        // Edges into the app tier carry the most traffic: the thickest; 25% failed: "many".
        let into_app = design
            .edges
            .iter()
            .find(|e| e.to.starts_with("app"))
            .unwrap();
        let other = design
            .edges
            .iter()
            .find(|e| !e.to.starts_with("app"))
            .unwrap();
        assert_eq!(view.edges[&into_app.id].width, EDGE_MAX_WIDTH);
        assert!(view.edges[&other.id].width < EDGE_MAX_WIDTH);
        assert_eq!(view.edges[&into_app.id].failure_class(), "fails-many");
    }

    #[test]
    fn a_lightly_loaded_design_has_no_bottleneck() {
        let design = three_tier();
        let series = one_bucket(&design, 0.2);
        let view = overlay(&design, &series, None, Moment::Bucket(0), 1_000.0, false);
        assert_eq!(view.caption, "At 0 s");
        assert_eq!(view.bottleneck, None);
    }

    #[test]
    fn a_node_is_down_only_during_its_crash_window() {
        let mut design = three_tier();
        let target = design.nodes[1].id.clone();
        design.faults.push(archsim_model::Fault {
            target: target.clone(),
            at_ms: 2_000.0,
            duration_ms: 1_000.0,
            effect: FaultEffect::Crash,
        });
        let series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0, 2_000.0, 3_000.0],
            ..Series::default()
        };
        let down_at = |b| {
            overlay(&design, &series, None, Moment::Bucket(b), 4_000.0, false).nodes[&target].down
        };
        assert_eq!(
            [down_at(0), down_at(1), down_at(2), down_at(3)],
            [false, false, true, false]
        );
        assert_eq!(
            NodeLoad {
                down: true,
                limiting: true,
                ..NodeLoad::default()
            }
            .flags(),
            ["down", "limiting"]
        );
    }

    #[test]
    fn breaker_state_comes_from_the_bucket_shown_or_the_whole_run() {
        let mut design = three_tier();
        design.edges[0].params.circuit_breaker = Some(Default::default());
        let id = design.edges[0].id.clone();
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0, 2_000.0],
            ..Series::default()
        };
        series.breaker_state.insert(id.clone(), vec![0, 2, 1]);
        let at_bucket = |b| {
            overlay(&design, &series, None, Moment::Bucket(b), 3_000.0, false).edges[&id].breaker
        };
        assert_eq!(at_bucket(0), Some(BreakerView::Closed));
        assert_eq!(at_bucket(1), Some(BreakerView::Open));
        assert_eq!(at_bucket(2), Some(BreakerView::HalfOpen));
        let mut report = Report::default();
        report
            .edges
            .entry(id.clone())
            .or_default()
            .breaker_opened
            .value = 3.0;
        let whole = overlay(
            &design,
            &series,
            Some(&report),
            Moment::WholeRun,
            3_000.0,
            false,
        );
        assert_eq!(whole.edges[&id].breaker, Some(BreakerView::Opened(3.0)));
        assert_eq!(BreakerView::Opened(3.0).class(), "is-open");
        assert_eq!(BreakerView::Opened(3.0).words(), "breaker opened 3.0×");
        // Edges without a breaker show none.
        assert_eq!(whole.edges[&design.edges[1].id].breaker, None);
    }

    #[test]
    fn the_whole_run_uses_the_reports_figures() {
        let design = three_tier();
        let app = design
            .nodes
            .iter()
            .find(|n| n.id.starts_with("app"))
            .unwrap()
            .id
            .clone();
        let mut report = Report {
            duration_ms: 11_000.0,
            warmup_ms: 1_000.0,
            ..Report::default()
        };
        let node = report.nodes.entry(app.clone()).or_default();
        node.kind = "service".into();
        node.utilisation.value = 0.95;
        node.completions.value = 1_000.0;
        node.failures.queue_full.value = 100.0;
        node.latency.p99_ms.value = 250.0;
        let view = overlay(
            &design,
            &Series::default(),
            Some(&report),
            Moment::WholeRun,
            11_000.0,
            false,
        );
        let load = &view.nodes[&app];
        assert_eq!(load.load, Some(0.95));
        assert_eq!(load.throughput_rps, 100.0);
        assert!(load.shedding);
        assert_eq!(load.badge(), "100/s · p99 250 ms · 10% failed");
        // Wider than a node in one line: the failures go on a second.
        assert_eq!(load.badge_lines(), ["100/s · p99 250 ms", "10% failed"]);
        assert_eq!(view.caption, "Whole run");
        // The client's requests failed with a full queue downstream: the client does not shed.
        let client = design.nodes[0].id.clone();
        let mut report = report.clone();
        let node = report.nodes.entry(client.clone()).or_default();
        node.kind = "client".into();
        node.completions.value = 1_000.0;
        node.failures.queue_full.value = 900.0;
        let view = overlay(
            &design,
            &Series::default(),
            Some(&report),
            Moment::WholeRun,
            11_000.0,
            false,
        );
        assert!(!view.nodes[&client].shedding);
    }

    #[test]
    fn a_nodes_marks_are_its_flags_above_and_its_badge_below_when_words_are_read() {
        let at = archsim_model::Position { x: 100.0, y: 200.0 };
        let quiet = NodeLoad::default();
        assert_eq!(node_marks(at, &quiet, false, false), Vec::<Rect>::new());
        let badge = node_marks(at, &quiet, false, true);
        assert_eq!(badge.len(), 1);
        // "idle", centred under the node.
        assert_eq!(badge[0].y, 200.0 + NODE_HEIGHT + BADGE_GAP);
        assert_eq!(badge[0].height, BADGE_LINE + 4.0);
        assert!((badge[0].x + badge[0].width / 2.0 - (100.0 + NODE_WIDTH / 2.0)).abs() < 1e-9);
        let down = NodeLoad {
            down: true,
            ..NodeLoad::default()
        };
        let marks = node_marks(at, &down, true, false);
        assert_eq!(
            marks,
            [Rect {
                x: 100.0,
                y: 200.0 + FLAGS_TOP,
                width: flags_width("DOWN · BOTTLENECK"),
                height: FLAGS_HEIGHT,
            }]
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(0.25), "0.2");
        assert_eq!(compact(12.4), "12");
        assert_eq!(compact(1_234.0), "1.2k");
        assert_eq!(compact(25_300.0), "25k");
        assert_eq!(compact(1_300_000.0), "1.3M");
        assert_eq!(milliseconds(1.234), "1.2 ms");
        assert_eq!(milliseconds(2_500.0), "2.5 s");
        assert_eq!(percent_text(0.004), "0.4%");
        assert_eq!(NodeLoad::default().badge(), "idle");
        assert_eq!(NodeLoad::default().badge_lines(), ["idle"]);
    }
}

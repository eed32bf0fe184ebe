//! The time-series charts of a report, drawn with Canvas 2D: one line per series over simulated
//! time, a shaded warm-up, value axis with round ticks, and a legend. The layout maths (which
//! series, ticks, scales) is pure and tested natively; [`draw`] does the painting.

use archsim_model::{Report, Series};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::results_format::{FAILURE_CAUSES, number, run_end_ms};

/// Colours that read on light and dark backgrounds alike.
pub const PALETTE: [&str; 8] = [
    "#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#a3a3a3",
];

/// One chart: what it shows and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Stable id (`chart-<id>` is the canvas's id).
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub lines: Vec<Line>,
    /// Shown instead of an empty plot.
    pub empty_text: &'static str,
    /// The value axis never goes above this (100 for percentages of capacity).
    pub ceiling: Option<f64>,
}

/// One line: a value per bucket (None where there is nothing to show, drawn as a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub colour: &'static str,
    /// Drawn dashed: a line that often coincides with another (throughput is goodput when
    /// nothing fails) stays visible on top of it.
    pub dashed: bool,
    pub values: Vec<Option<f64>>,
}

/// The four charts of a report: throughput and goodput, latency percentiles, failures by
/// cause, utilisation per node.
pub fn charts(report: &Report) -> Vec<Chart> {
    let s = &report.series;
    let end_ms = axis_end_ms(report);
    // Per second of the time the bucket covers: the last one may be cut short by the run's end.
    let per_s = |count: u64, i: usize| {
        count as f64 / (bucket_span_ms(s, i, end_ms) / 1000.0).max(f64::MIN_POSITIVE)
    };
    let buckets = s.t_ms.len();
    let finished: Vec<Option<f64>> = (0..buckets)
        .map(|i| Some(per_s(at(&s.succeeded, i) + at(&s.failed, i), i)))
        .collect();
    let goodput: Vec<Option<f64>> = (0..buckets)
        .map(|i| Some(per_s(at(&s.succeeded, i), i)))
        .collect();
    // A bucket with no successful request has no latency to show.
    let latency = |values: &Vec<f64>| -> Vec<Option<f64>> {
        (0..buckets)
            .map(|i| {
                let v = values.get(i).copied().unwrap_or(f64::NAN);
                (at(&s.succeeded, i) > 0 && v.is_finite()).then_some(v)
            })
            .collect()
    };
    let failures: Vec<Line> = FAILURE_CAUSES
        .iter()
        .enumerate()
        .filter_map(|(k, (key, name))| {
            let counts = s.failed_by_cause.get(*key)?;
            counts.iter().any(|c| *c > 0).then(|| Line {
                label: name.to_string(),
                colour: PALETTE[(k + 3) % PALETTE.len()],
                dashed: false,
                values: (0..buckets)
                    .map(|i| Some(per_s(at(counts, i), i)))
                    .collect(),
            })
        })
        .collect();
    let utilisation: Vec<Line> = utilised_nodes(report)
        .into_iter()
        .enumerate()
        .map(|(k, (label, values))| Line {
            label,
            colour: PALETTE[k % PALETTE.len()],
            dashed: false,
            values: (0..buckets)
                .map(|i| values.get(i).map(|u| u * 100.0))
                .collect(),
        })
        .collect();
    vec![
        Chart {
            id: "throughput",
            title: "Throughput and goodput",
            unit: "req/s",
            lines: vec![
                Line {
                    label: "goodput".into(),
                    colour: PALETTE[1],
                    dashed: false,
                    values: goodput,
                },
                Line {
                    label: "throughput".into(),
                    colour: PALETTE[0],
                    dashed: true,
                    values: finished,
                },
            ],
            empty_text: "No requests finished.",
            ceiling: None,
        },
        Chart {
            id: "latency",
            title: "Latency percentiles",
            unit: "ms",
            lines: vec![
                Line {
                    label: "p50".into(),
                    colour: PALETTE[0],
                    dashed: false,
                    values: latency(&s.p50_ms),
                },
                Line {
                    label: "p99".into(),
                    colour: PALETTE[4],
                    dashed: false,
                    values: latency(&s.p99_ms),
                },
            ],
            empty_text: "No request succeeded.",
            ceiling: None,
        },
        Chart {
            id: "failures",
            title: "Failures by cause",
            unit: "req/s",
            lines: failures,
            empty_text: "No failures.",
            ceiling: None,
        },
        Chart {
            id: "utilisation",
            title: "Utilisation per node",
            unit: "%",
            lines: utilisation,
            empty_text: "No node has workers to keep busy.",
            ceiling: Some(100.0),
        },
    ]
}

/// Where the time axis ends: at the end of the run (its duration, or where it stopped early),
/// not at the end of the last bucket (a 0.8 s run in 0.5 s buckets ends at 0.8 s, not 1 s).
/// A report without a usable end falls back to the last bucket's end.
pub fn axis_end_ms(report: &Report) -> f64 {
    let s = &report.series;
    let buckets_end = s.t_ms.last().map_or(1.0, |t| t + s.bucket_ms).max(1.0);
    let run_end = run_end_ms(report);
    let last_start = s.t_ms.last().copied().unwrap_or(0.0);
    if run_end.is_finite() && run_end > last_start && run_end > 0.0 {
        run_end.min(buckets_end)
    } else {
        buckets_end
    }
}

/// The stretch of simulated time bucket `i` covers: `bucket_ms`, or less for a last bucket cut
/// short by `end_ms`.
pub fn bucket_span_ms(s: &Series, i: usize, end_ms: f64) -> f64 {
    let start = s.t_ms.get(i).copied().unwrap_or(0.0);
    let span = s.bucket_ms.min(end_ms - start);
    if span > 0.0 { span } else { s.bucket_ms }
}

/// Nodes whose utilisation was ever above zero, by label (their id when unlabelled), at most
/// [`PALETTE`]'s length of them, busiest first.
fn utilised_nodes(report: &Report) -> Vec<(String, Vec<f64>)> {
    let mut nodes: Vec<(String, f64, Vec<f64>)> = report
        .series
        .nodes
        .iter()
        .filter_map(|(id, series)| {
            let peak = series.utilisation.iter().copied().fold(0.0, f64::max);
            (peak > 0.0).then(|| {
                let label = report
                    .nodes
                    .get(id)
                    .map(|n| n.label.clone())
                    .filter(|l| !l.trim().is_empty())
                    .unwrap_or_else(|| id.clone());
                let mean = report.nodes.get(id).map_or(peak, |n| n.utilisation.value);
                (label, mean, series.utilisation.clone())
            })
        })
        .collect();
    nodes.sort_by(|a, b| b.1.total_cmp(&a.1));
    nodes.truncate(PALETTE.len());
    nodes.into_iter().map(|(l, _, v)| (l, v)).collect()
}

fn at(values: &[u64], i: usize) -> u64 {
    values.get(i).copied().unwrap_or(0)
}

/// Round tick values from 0 to at least `max` (1-2-5 steps, about `count` of them).
pub fn ticks(max: f64, count: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw_step = max / count.max(1) as f64;
    let power = 10f64.powf(raw_step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * power);
    let steps = (max / step).ceil().max(1.0) as usize;
    (0..=steps).map(|k| k as f64 * step).collect()
}

/// A tick value without trailing zeros: 50 not "50.0", 0.25 not "0.250".
pub fn tick_label(value: f64) -> String {
    let text = number(value);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The largest value of any line (0 when there is none).
pub fn peak(lines: &[Line]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Colours of the page's theme, read from its CSS variables.
struct Theme {
    text: String,
    muted: String,
    grid: String,
    warmup: String,
}

fn theme(canvas: &HtmlCanvasElement) -> Theme {
    let read = |name: &str, fallback: &str| -> String {
        web_sys::window()
            .and_then(|w| w.get_computed_style(canvas).ok().flatten())
            .and_then(|style| style.get_property_value(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    Theme {
        text: read("--text-2", "#5b6475"),
        muted: read("--text-3", "#8a93a3"),
        grid: read("--border", "#e1e5eb"),
        warmup: read("--panel-2", "#f2f4f7"),
    }
}

/// Paints `chart` of `series` on `canvas`, sized to the canvas's box at the screen's pixel
/// density.
pub fn draw(
    canvas: &HtmlCanvasElement,
    chart: &Chart,
    series: &Series,
    warmup_ms: f64,
    end_ms: f64,
) {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let width = f64::from(canvas.client_width().max(200));
    let height = f64::from(canvas.client_height().max(120));
    canvas.set_width((width * ratio) as u32);
    canvas.set_height((height * ratio) as u32);
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, height);
    let theme = theme(canvas);
    let font = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    ctx.set_font(font);

    // Plot area: room for the value labels on the left, the legend rows on top, time below.
    let (left, right, bottom) = (44.0, width - 14.0, height - 22.0);
    let show_warmup = warmup_ms > 0.0 && !series.t_ms.is_empty();
    let mut keys: Vec<(&str, &str, bool)> = Vec::new();
    if show_warmup {
        keys.push(("warm-up", theme.warmup.as_str(), false));
    }
    keys.extend(
        chart
            .lines
            .iter()
            .map(|l| (l.label.as_str(), l.colour, l.dashed)),
    );
    let widths: Vec<f64> = keys
        .iter()
        .map(|(label, _, _)| legend_width(label))
        .collect();
    let places = legend_layout(&widths, left, right);
    let rows = places.iter().map(|(_, row)| row + 1).max().unwrap_or(0);
    let top = 8.0 + rows as f64 * LEGEND_ROW + 6.0;
    if chart.lines.is_empty() || series.t_ms.is_empty() {
        ctx.set_fill_style_str(&theme.muted);
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        let text = if series.t_ms.is_empty() {
            "No time series."
        } else {
            chart.empty_text
        };
        let _ = ctx.fill_text(text, width / 2.0, height / 2.0);
        return;
    }
    let buckets = series.t_ms.len();
    // Where the axis ends, for whoever reads the chart without seeing it (and for tests).
    let _ = canvas.set_attribute("data-axis-end-ms", &end_ms.to_string());
    let x_of = |t_ms: f64| left + (t_ms / end_ms) * (right - left);

    // Warm-up, shaded: the summary figures leave it out.
    if show_warmup {
        ctx.set_fill_style_str(&theme.warmup);
        ctx.fill_rect(left, top, x_of(warmup_ms.min(end_ms)) - left, bottom - top);
    }

    let highest = peak(&chart.lines) * 1.05;
    let tick_values = ticks(chart.ceiling.map_or(highest, |c| highest.min(c)), 4);
    let top_value = tick_values.last().copied().unwrap_or(1.0);
    let y_of = |v: f64| bottom - (v / top_value) * (bottom - top);
    ctx.set_line_width(1.0);
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for value in &tick_values {
        let y = y_of(*value).round() + 0.5;
        ctx.set_stroke_style_str(&theme.grid);
        ctx.begin_path();
        ctx.move_to(left, y);
        ctx.line_to(right, y);
        ctx.stroke();
        ctx.set_fill_style_str(&theme.muted);
        let _ = ctx.fill_text(&tick_label(*value), left - 6.0, y);
    }
    // Time axis: seconds at round steps; the last label ends at the plot's edge.
    ctx.set_text_baseline("top");
    for t_s in ticks(end_ms / 1000.0, 6) {
        let t_ms = t_s * 1000.0;
        if t_ms > end_ms + 1e-9 {
            break;
        }
        let x = x_of(t_ms);
        ctx.set_text_align(if x > right - 20.0 { "right" } else { "center" });
        let _ = ctx.fill_text(
            &format!("{} s", tick_label(t_s)),
            x.min(right + 10.0),
            bottom + 5.0,
        );
    }

    // Lines, each point at the middle of its bucket; gaps where there is no value.
    ctx.set_line_width(1.75);
    ctx.set_line_join("round");
    for line in &chart.lines {
        ctx.set_stroke_style_str(line.colour);
        let dashes = js_sys::Array::new();
        if line.dashed {
            dashes.push(&5.0.into());
            dashes.push(&4.0.into());
        }
        let _ = ctx.set_line_dash(&dashes);
        let points: Vec<Option<(f64, f64)>> = line
            .values
            .iter()
            .take(buckets)
            .enumerate()
            .map(|(i, value)| {
                value.filter(|v| v.is_finite()).map(|v| {
                    let mid = series.t_ms[i] + bucket_span_ms(series, i, end_ms) / 2.0;
                    (x_of(mid), y_of(v))
                })
            })
            .collect();
        ctx.begin_path();
        let mut pen_down = false;
        for point in &points {
            let Some((x, y)) = *point else {
                pen_down = false;
                continue;
            };
            if pen_down {
                ctx.line_to(x, y);
            } else {
                ctx.move_to(x, y);
                pen_down = true;
            }
        }
        ctx.stroke();
        // A value with no neighbour to join (one bucket, or one between gaps) would draw no line
        // at all: it gets a dot instead.
        ctx.set_fill_style_str(line.colour);
        for i in isolated_points(&points) {
            if let Some((x, y)) = points[i] {
                ctx.begin_path();
                let _ = ctx.arc(x, y, 2.5, 0.0, std::f64::consts::TAU);
                ctx.fill();
            }
        }
    }
    let _ = ctx.set_line_dash(&js_sys::Array::new());

    // Legend on top, where no line can cover it: the warm-up key, then one key per line.
    ctx.set_text_align("left");
    ctx.set_text_baseline("middle");
    for (k, ((label, colour, dashed), (x, row))) in keys.iter().zip(&places).enumerate() {
        let y = 8.0 + *row as f64 * LEGEND_ROW + LEGEND_ROW / 2.0;
        ctx.set_fill_style_str(colour);
        if k == 0 && show_warmup {
            ctx.fill_rect(*x, y - 4.5, 12.0, 9.0);
        } else if *dashed {
            ctx.fill_rect(*x, y - 1.5, 5.0, 3.0);
            ctx.fill_rect(x + 7.0, y - 1.5, 5.0, 3.0);
        } else {
            ctx.fill_rect(*x, y - 1.5, 12.0, 3.0);
        }
        ctx.set_fill_style_str(&theme.text);
        let _ = ctx.fill_text(label, x + 16.0, y);
    }
}

/// Indices of the points that have a value but no neighbour with one: a line cannot show them.
fn isolated_points<T>(points: &[Option<T>]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| {
            let present =
                |j: Option<usize>| j.and_then(|j| points.get(j)).is_some_and(Option::is_some);
            points[i].is_some() && !present(i.checked_sub(1)) && !present(Some(i + 1))
        })
        .collect()
}

/// Height of one legend row, px.
const LEGEND_ROW: f64 = 15.0;

/// Width a legend key takes: swatch, gap, text and the space after it. About 6.2 px per
/// character at 11 px (measuring text would need another web-sys feature).
fn legend_width(label: &str) -> f64 {
    16.0 + label.chars().count() as f64 * 6.2 + 14.0
}

/// Where each legend key goes, `(x, row)`: left to right from `left`, wrapping onto a new row
/// when the next key would pass `right`.
pub fn legend_layout(widths: &[f64], left: f64, right: f64) -> Vec<(f64, usize)> {
    let mut places = Vec::with_capacity(widths.len());
    let (mut x, mut row) = (left, 0);
    for width in widths {
        if x > left && x + width > right {
            x = left;
            row += 1;
        }
        places.push((x, row));
        x += width;
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{NodeReport, NodeSeries};

    #[test]
    fn isolated_points_are_the_ones_a_line_cannot_show() {
        assert_eq!(isolated_points(&[Some(1)]), [0]);
        assert_eq!(isolated_points(&[Some(1), Some(2)]), Vec::<usize>::new());
        assert_eq!(
            isolated_points(&[Some(1), None, Some(3), Some(4), None, Some(6)]),
            [0, 5]
        );
        assert_eq!(isolated_points::<u8>(&[None, None]), Vec::<usize>::new());
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(84.0, 4), vec![0.0, 50.0, 100.0]);
        assert_eq!(ticks(230.0, 4), vec![0.0, 100.0, 200.0, 300.0]);
        let small = ticks(0.8, 4);
        assert_eq!(small.len(), 5);
        assert!((small[4] - 0.8).abs() < 1e-12 && (small[1] - 0.2).abs() < 1e-12);
        assert_eq!(ticks(0.0, 4), vec![0.0, 0.5, 1.0]);
        assert_eq!(ticks(f64::NAN, 4), vec![0.0, 0.5, 1.0]);
    }

    fn report() -> Report {
        let mut report = Report::default();
        let s = &mut report.series;
        s.bucket_ms = 500.0;
        s.t_ms = vec![0.0, 500.0, 1000.0];
        s.succeeded = vec![40, 0, 38];
        s.failed = vec![2, 1, 0];
        s.p50_ms = vec![30.0, 0.0, 35.0];
        s.p99_ms = vec![200.0, 0.0, 250.0];
        s.failed_by_cause.insert("timeout".into(), vec![2, 1, 0]);
        s.failed_by_cause.insert("error".into(), vec![0, 0, 0]);
        s.nodes.insert(
            "idle".into(),
            NodeSeries {
                utilisation: vec![0.0; 3],
                ..NodeSeries::default()
            },
        );
        s.nodes.insert(
            "server".into(),
            NodeSeries {
                utilisation: vec![0.8, 0.7, 0.9],
                ..NodeSeries::default()
            },
        );
        report.nodes.insert(
            "server".into(),
            NodeReport {
                label: "M/M/1 server".into(),
                ..NodeReport::default()
            },
        );
        report
    }

    #[test]
    fn rates_are_per_second_and_latency_gaps_where_nothing_succeeded() {
        let charts = charts(&report());
        let ids: Vec<&str> = charts.iter().map(|c| c.id).collect();
        assert_eq!(ids, ["throughput", "latency", "failures", "utilisation"]);
        let (goodput, throughput) = (&charts[0].lines[0], &charts[0].lines[1]);
        assert_eq!(
            (goodput.label.as_str(), throughput.label.as_str()),
            ("goodput", "throughput")
        );
        assert_eq!(throughput.values, vec![Some(84.0), Some(2.0), Some(76.0)]);
        assert_eq!(goodput.values, vec![Some(80.0), Some(0.0), Some(76.0)]);
        assert_eq!(
            charts[1].lines[0].values,
            vec![Some(30.0), None, Some(35.0)]
        );
    }

    // Regression: the axis of a 0.8 s run in 0.5 s buckets ran to 1 s, and the last bucket's
    // rate was its count over a whole bucket although the run covered only 0.3 s of it.
    #[test]
    fn the_time_axis_ends_where_the_run_ended() {
        let mut report = Report {
            duration_ms: 800.0,
            ..Report::default()
        };
        report.series.bucket_ms = 500.0;
        report.series.t_ms = vec![0.0, 500.0];
        report.series.succeeded = vec![50, 30];
        report.series.failed = vec![0, 0];
        assert_eq!(axis_end_ms(&report), 800.0);
        assert_eq!(bucket_span_ms(&report.series, 1, 800.0), 300.0);
        assert_eq!(
            charts(&report)[0].lines[0].values,
            vec![Some(100.0), Some(100.0)]
        );
        report.stopped_early = Some(archsim_model::StopReason::EventBudget {
            max_events: 10,
            at_ms: 650.0,
        });
        assert_eq!(axis_end_ms(&report), 650.0);
        // A report without a run length keeps the buckets' end.
        report.duration_ms = 0.0;
        report.stopped_early = None;
        assert_eq!(axis_end_ms(&report), 1000.0);
    }

    #[test]
    fn only_causes_and_nodes_with_something_to_show_get_lines() {
        let charts = charts(&report());
        let failure_labels: Vec<&str> = charts[2].lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(failure_labels, ["timeouts"]);
        assert_eq!(
            charts[2].lines[0].values,
            vec![Some(4.0), Some(2.0), Some(0.0)]
        );
        let utilisation = &charts[3].lines;
        assert_eq!(utilisation.len(), 1);
        assert_eq!(utilisation[0].label, "M/M/1 server");
        assert_eq!(utilisation[0].values[0], Some(80.0));
    }

    #[test]
    fn tick_labels_drop_trailing_zeros() {
        assert_eq!(tick_label(50.0), "50");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(1500.0), "1,500");
        assert_eq!(tick_label(0.0), "0");
    }

    #[test]
    fn legend_wraps_onto_new_rows_when_a_key_would_not_fit() {
        assert_eq!(
            legend_layout(&[50.0, 60.0, 70.0, 200.0], 0.0, 150.0),
            vec![(0.0, 0), (50.0, 0), (0.0, 1), (0.0, 2)]
        );
        assert_eq!(legend_layout(&[], 0.0, 100.0), vec![]);
        // A key wider than the whole row still gets a place of its own.
        assert_eq!(legend_layout(&[300.0], 10.0, 100.0), vec![(10.0, 0)]);
    }

    #[test]
    fn peak_ignores_gaps() {
        let lines = vec![Line {
            label: "x".into(),
            colour: PALETTE[0],
            dashed: false,
            values: vec![None, Some(3.0), Some(f64::NAN), Some(2.0)],
        }];
        assert_eq!(peak(&lines), 3.0);
    }
}

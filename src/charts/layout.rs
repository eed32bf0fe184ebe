//! Where things go on a chart, in CSS pixels: the plot's margins for each kind of chart, its
//! height, time ↔ x, round value-axis tops. Pure, so the drawing (which multiplies everything by
//! the screen's pixel density) and the page (which lays the time cursor over the plot and turns a
//! pointer position into a time) agree without measuring anything.

use super::spec::Body;
use crate::components::results_format::number;

/// Space around the plot, CSS px.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// Height of one timeline row, CSS px.
pub const TIMELINE_ROW: f64 = 22.0;

/// The margins of a chart with this body: room for value labels on the left (row names for a
/// timeline) and time or category labels below.
pub fn margins(body: &Body) -> Margins {
    match body {
        Body::Timeline(_) => Margins {
            left: 132.0,
            right: 12.0,
            top: 16.0,
            bottom: 22.0,
        },
        // A second value axis on the right.
        Body::Histogram(_) => Margins {
            left: 46.0,
            right: 46.0,
            top: 16.0,
            bottom: 22.0,
        },
        _ => Margins {
            left: 46.0,
            right: 12.0,
            top: 16.0,
            bottom: 22.0,
        },
    }
}

/// The canvas height for a chart with this body, CSS px: a timeline grows with its rows.
pub fn height(body: &Body) -> f64 {
    match body {
        Body::Timeline(timeline) => {
            let m = margins(body);
            m.top + m.bottom + TIMELINE_ROW * timeline.rows.len().max(1) as f64
        }
        _ => 170.0,
    }
}

/// Where time `t_ms` falls across the plot, 0 at its left edge and 1 at its right.
pub fn fraction(t_ms: f64, end_ms: f64) -> f64 {
    if end_ms > 0.0 {
        (t_ms / end_ms).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The simulated time under a pointer `x` px from the canvas's left edge on a canvas `width` px
/// wide; None when the pointer is left or right of the plot.
pub fn time_at(x: f64, width: f64, m: &Margins, end_ms: f64) -> Option<f64> {
    let plot = width - m.left - m.right;
    if plot <= 0.0 || x < m.left || x > width - m.right {
        return None;
    }
    Some((x - m.left) / plot * end_ms)
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

/// The top of the value axis: a round number at or above the highest value (with a little air),
/// never above `ceiling` when there is one unless a value is.
pub fn axis_top(peak: f64, ceiling: Option<f64>) -> f64 {
    let wanted = peak * 1.05;
    let wanted = match ceiling {
        Some(c) if peak <= c => wanted.min(c),
        _ => wanted,
    };
    ticks(wanted, 4).last().copied().unwrap_or(1.0)
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

/// A time-axis label: seconds ("12 s", "1.5 s").
pub fn time_label(ms: f64) -> String {
    format!("{} s", tick_label(ms / 1000.0))
}

/// Indices of the points that have a value but no neighbour with one: a line cannot show them,
/// so they are drawn as dots.
pub fn isolated_points<T>(points: &[Option<T>]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| {
            let present =
                |j: Option<usize>| j.and_then(|j| points.get(j)).is_some_and(Option::is_some);
            points[i].is_some() && !present(i.checked_sub(1)) && !present(Some(i + 1))
        })
        .collect()
}

/// The runs of consecutive values (each at least one long), as index ranges: the pieces of a
/// line between its gaps.
pub fn runs<T>(points: &[Option<T>]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, p) in points.iter().enumerate() {
        match (p.is_some(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..points.len());
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(84.0, 4), vec![0.0, 50.0, 100.0]);
        assert_eq!(ticks(230.0, 4), vec![0.0, 100.0, 200.0, 300.0]);
        assert_eq!(ticks(0.0, 4), vec![0.0, 0.5, 1.0]);
        assert_eq!(ticks(f64::NAN, 4), vec![0.0, 0.5, 1.0]);
    }

    #[test]
    fn the_axis_top_is_round_and_a_ceiling_holds_unless_a_value_passes_it() {
        assert_eq!(axis_top(84.0, None), 100.0);
        assert_eq!(axis_top(97.0, Some(100.0)), 100.0);
        assert_eq!(axis_top(40.0, Some(100.0)), 60.0);
        // A utilisation above 100% (it never should be) still shows, not clipped.
        assert!(axis_top(120.0, Some(100.0)) >= 120.0);
        assert_eq!(axis_top(0.0, None), 1.0);
    }

    #[test]
    fn pointer_and_cursor_agree_on_where_a_time_is() {
        let m = Margins {
            left: 46.0,
            right: 12.0,
            top: 16.0,
            bottom: 22.0,
        };
        // 400 px wide: the plot runs from 46 to 388.
        assert_eq!(time_at(46.0, 400.0, &m, 60_000.0), Some(0.0));
        assert_eq!(time_at(388.0, 400.0, &m, 60_000.0), Some(60_000.0));
        assert_eq!(time_at(217.0, 400.0, &m, 60_000.0), Some(30_000.0));
        assert_eq!(time_at(20.0, 400.0, &m, 60_000.0), None);
        assert_eq!(time_at(395.0, 400.0, &m, 60_000.0), None);
        assert_eq!(fraction(30_000.0, 60_000.0), 0.5);
        assert_eq!(fraction(90_000.0, 60_000.0), 1.0);
    }

    #[test]
    fn a_timeline_grows_with_its_rows() {
        use super::super::timeline::{BREAKER_STATES, Timeline, TimelineRow};
        let row = TimelineRow {
            key: "e".into(),
            label: "a → b".into(),
            states: vec![],
            marked: vec![],
        };
        let of = |rows: Vec<TimelineRow>| {
            Body::Timeline(Timeline {
                states: &BREAKER_STATES,
                mark: None,
                rows,
            })
        };
        let one = height(&of(vec![row.clone()]));
        let three = height(&of(vec![row.clone(), row.clone(), row]));
        assert_eq!(three - one, 2.0 * TIMELINE_ROW);
    }

    #[test]
    fn lines_break_at_gaps_and_lone_values_become_dots() {
        let points = [Some(1), None, Some(3), Some(4), None, Some(6)];
        assert_eq!(runs(&points), vec![0..1, 2..4, 5..6]);
        assert_eq!(isolated_points(&points), [0, 5]);
        assert_eq!(runs::<u8>(&[None, None]), vec![]);
        assert_eq!(isolated_points(&[Some(1), Some(2)]), Vec::<usize>::new());
    }

    #[test]
    fn labels_drop_trailing_zeros() {
        assert_eq!(tick_label(50.0), "50");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(1500.0), "1,500");
        assert_eq!(time_label(12_000.0), "12 s");
        assert_eq!(time_label(1_500.0), "1.5 s");
    }
}

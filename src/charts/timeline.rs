//! State timelines: one row per item (a breaker's edge, a balancer's backend), a band along
//! simulated time coloured by the item's state in each bucket. Colour is never the only cue:
//! every state but the calm one has a fill pattern of its own, and a stretch wide enough carries
//! the state's name in words. A row can also carry a mark, drawn as a strip along the bottom of
//! its band (a backend crashed by a fault of the design), so what the balancer believed and what
//! was true show together: a crashed backend still in rotation is a sinkhole.
//!
//! What the states are lives here with how they look ([`BREAKER_STATES`], [`BACKEND_STATES`]);
//! the geometry ([`band`], [`hatch_segments`], [`label_fits`]) is pure and tested natively, and
//! [`draw_timeline`] paints on any plotters backend.

use std::iter::once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colour::{self, Rgb};
use super::draw::{Outcome, Style, fault_windows, rgb, shorten, time_axes};
use super::layout::Margins;
use super::spec::Frame;

/// How a state's band is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Plain colour: the usual, calm state.
    Solid,
    /// Diagonal stripes (`/`).
    Hatch,
    /// Stripes both ways (`x`).
    CrossHatch,
}

/// What one state code of a timeline means and how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateStyle {
    /// In words, as the legend, the read-out and the band itself say it.
    pub name: &'static str,
    pub colour: Rgb,
    pub pattern: Pattern,
}

/// A breaker's states as `Series::breaker_state` codes them: 0 closed, 1 half-open, 2 open.
pub const BREAKER_STATES: [StateStyle; 3] = [
    StateStyle {
        name: "closed",
        colour: colour::BREAKER_CLOSED,
        pattern: Pattern::Solid,
    },
    StateStyle {
        name: "half-open",
        colour: colour::BREAKER_HALF_OPEN,
        pattern: Pattern::Hatch,
    },
    StateStyle {
        name: "open",
        colour: colour::BREAKER_OPEN,
        pattern: Pattern::CrossHatch,
    },
];

/// A balancer's view of a backend as `NodeSeries::backend_state` codes it: 0 in rotation,
/// 1 marked down (by its health checks, or its edge's breaker open), 2 ejected by outlier
/// detection, 3 both.
pub const BACKEND_STATES: [StateStyle; 4] = [
    StateStyle {
        name: "in rotation",
        colour: colour::BACKEND_IN_ROTATION,
        pattern: Pattern::Solid,
    },
    StateStyle {
        name: "marked down",
        colour: colour::BACKEND_DOWN,
        pattern: Pattern::Hatch,
    },
    StateStyle {
        name: "ejected",
        colour: colour::BACKEND_EJECTED,
        pattern: Pattern::CrossHatch,
    },
    StateStyle {
        name: "down and ejected",
        colour: colour::BACKEND_DOWN_AND_EJECTED,
        pattern: Pattern::CrossHatch,
    },
];

/// The mark of a backend crashed by a fault of the design (known from the design, not from
/// what the balancer saw).
pub const CRASHED: StateStyle = StateStyle {
    name: "crashed",
    colour: colour::CRASHED,
    pattern: Pattern::Solid,
};

/// A timeline chart's rows and what their codes mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The style of each state code, indexed by it (a code past the end takes the last).
    pub states: &'static [StateStyle],
    /// What a row's `marked` buckets mean; None when no row carries marks.
    pub mark: Option<StateStyle>,
    pub rows: Vec<TimelineRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub key: String,
    pub label: String,
    /// The state code at the end of each bucket.
    pub states: Vec<u8>,
    /// Buckets at whose end the row's mark holds (empty: none).
    pub marked: Vec<bool>,
}

impl Timeline {
    /// The style of state `code`.
    pub fn state(&self, code: u8) -> &StateStyle {
        let last = self.states.len().saturating_sub(1);
        &self.states[usize::from(code).min(last)]
    }

    /// A row's state at bucket `i` in words, with its mark ("marked down, crashed"); None where
    /// the row has no state yet.
    pub fn describe(&self, row: &TimelineRow, i: usize) -> Option<String> {
        let state = self.state(*row.states.get(i)?).name;
        Some(match self.mark {
            Some(mark) if row.marked.get(i).copied().unwrap_or(false) => {
                format!("{state}, {}", mark.name)
            }
            _ => state.to_string(),
        })
    }

    /// The names of the states (and the mark) some row is in at some bucket, in the order of
    /// the scale: what the legend lists and tests read.
    pub fn seen(&self, buckets: usize) -> Vec<&'static str> {
        let mut seen = vec![false; self.states.len()];
        for row in &self.rows {
            for &code in row.states.iter().take(buckets) {
                seen[usize::from(code).min(self.states.len() - 1)] = true;
            }
        }
        let mut names: Vec<&'static str> = self
            .states
            .iter()
            .zip(seen)
            .filter(|(_, seen)| *seen)
            .map(|(s, _)| s.name)
            .collect();
        if let Some(mark) = self.mark
            && self
                .rows
                .iter()
                .any(|r| r.marked.iter().take(buckets).any(|m| *m))
        {
            names.push(mark.name);
        }
        names
    }
}

/// Runs of equal values: `(first bucket, bucket after the last, value)`, over the first
/// `buckets` values.
pub fn runs_of<T: PartialEq + Copy>(values: &[T], buckets: usize) -> Vec<(usize, usize, T)> {
    let mut out: Vec<(usize, usize, T)> = Vec::new();
    for (i, v) in values.iter().take(buckets).enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == *v && last.1 == i => last.1 = i + 1,
            _ => out.push((i, i + 1, *v)),
        }
    }
    out
}

/// The band of row `r` of `count` (row 0 at the top) on a value axis running from 0 at the
/// bottom to `count` at the top: `(bottom, top)`, leaving a gap between rows.
pub fn band(r: usize, count: usize) -> (f64, f64) {
    let bottom = count as f64 - 1.0 - r as f64 + 0.14;
    (bottom, bottom + 0.72)
}

/// The strip of a band that a mark takes: its lower third, `(bottom, top)`.
pub fn mark_strip((bottom, top): (f64, f64)) -> (f64, f64) {
    (bottom, bottom + (top - bottom) / 3.0)
}

/// The stripes of `pattern` across the pixel rectangle `(left, top)`–`(right, bottom)`, every
/// `spacing` px, each cut to the rectangle: segments `((x, y), (x, y))`.
pub fn hatch_segments(
    (left, top): (f64, f64),
    (right, bottom): (f64, f64),
    spacing: f64,
    pattern: Pattern,
) -> Vec<((f64, f64), (f64, f64))> {
    let (width, height) = (right - left, bottom - top);
    if !(width > 0.0 && height > 0.0 && spacing > 0.0) {
        return Vec::new();
    }
    let mut out = Vec::new();
    // A stripe rising to the right: the points with x − left + (y − top) = c, for c from 0 to
    // width + height; its ends are where that line leaves the rectangle.
    let rising = |c: f64| {
        let start = (left + (c - height).max(0.0), top + c.min(height));
        let end = (left + c.min(width), top + (c - width).max(0.0));
        (start, end)
    };
    let mut c = spacing / 2.0;
    while c < width + height {
        let (start, end) = rising(c);
        if pattern != Pattern::Solid {
            out.push((start, end));
        }
        if pattern == Pattern::CrossHatch {
            // Its mirror image across the rectangle's vertical middle: falling to the right.
            out.push((
                (right + left - start.0, start.1),
                (right + left - end.0, end.1),
            ));
        }
        c += spacing;
    }
    out
}

/// Whether `text` in a font of `font_px` fits in a stretch `width_px` wide with some room on
/// each side (an estimate: average glyphs are about 0.58 em wide).
pub fn label_fits(text: &str, font_px: f64, width_px: f64) -> bool {
    text.chars().count() as f64 * font_px * 0.58 + 8.0 <= width_px
}

/// Black or white, whichever reads better on `background` (by relative luminance).
pub fn ink_on(background: Rgb) -> Rgb {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * linear(background.0)
        + 0.7152 * linear(background.1)
        + 0.0722 * linear(background.2);
    // Contrast against white (1.05 / (l + 0.05)) beats that against black ((l + 0.05) / 0.05)
    // below l ≈ 0.179.
    if l < 0.179 {
        Rgb(0xff, 0xff, 0xff)
    } else {
        Rgb(0x11, 0x11, 0x11)
    }
}

/// Paints a timeline: per row its label on the left, its state runs as bands (patterned, named
/// where there is room), its marks as strips, then the fault windows over everything.
pub fn draw_timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &Margins,
    timeline: &Timeline,
    frame: &Frame,
    style: &Style,
) -> Outcome<DB> {
    let count = timeline.rows.len().max(1);
    let mut cc = time_axes(root, m, count as f64, frame, style, false)?;
    let row_label = style
        .font(11.0, style.theme.text)
        .pos(Pos::new(HPos::Right, VPos::Center));
    let end_of = |to: usize| frame.t_ms[to - 1] + frame.span_ms(to - 1);
    let stripe = rgb(style.theme.background).mix(0.55);
    for (r, row) in timeline.rows.iter().enumerate() {
        let (y0, y1) = band(r, count);
        for (from, to, code) in runs_of(&row.states, frame.buckets()) {
            let state = timeline.state(code);
            let (x0, x1) = (frame.t_ms[from], end_of(to));
            cc.draw_series(once(Rectangle::new(
                [(x0, y0), (x1, y1)],
                rgb(state.colour).filled(),
            )))?;
            let top_left = cc.backend_coord(&(x0, y1));
            let bottom_right = cc.backend_coord(&(x1, y0));
            let corner = |p: (i32, i32)| (f64::from(p.0), f64::from(p.1));
            for (a, b) in hatch_segments(
                corner(top_left),
                corner(bottom_right),
                style.scale * 6.0,
                state.pattern,
            ) {
                let px = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
                root.draw(&PathElement::new(
                    vec![px(a), px(b)],
                    stripe.stroke_width(style.upx(1.5)),
                ))?;
            }
            let width_px = f64::from(bottom_right.0 - top_left.0) / style.scale;
            if label_fits(state.name, 10.0, width_px) {
                let (cx, cy) = cc.backend_coord(&((x0 + x1) / 2.0, (y0 + y1) / 2.0));
                // A plate of the band's colour under the words, so the stripes do not cross them.
                let half =
                    (state.name.chars().count() as f64 * 10.0 * 0.58 / 2.0 + 3.0) * style.scale;
                root.draw(&Rectangle::new(
                    [
                        (cx - half.round() as i32, cy - style.px(6.0)),
                        (cx + half.round() as i32, cy + style.px(6.0)),
                    ],
                    rgb(state.colour).filled(),
                ))?;
                root.draw(&Text::new(
                    state.name,
                    (cx, cy),
                    style
                        .font(10.0, ink_on(state.colour))
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
        if let Some(mark) = timeline.mark {
            let (s0, s1) = mark_strip((y0, y1));
            for (from, to, marked) in runs_of(&row.marked, frame.buckets()) {
                if marked {
                    cc.draw_series(once(Rectangle::new(
                        [(frame.t_ms[from], s0), (end_of(to), s1)],
                        rgb(mark.colour).filled(),
                    )))?;
                }
            }
        }
        let (_, y) = cc.backend_coord(&(0.0, (y0 + y1) / 2.0));
        root.draw(&Text::new(
            shorten(&row.label, 22),
            (style.px(m.left - 8.0), y),
            row_label.clone(),
        ))?;
    }
    fault_windows(&mut cc, frame, style, count as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(states: Vec<u8>, marked: Vec<bool>) -> TimelineRow {
        TimelineRow {
            key: "k".into(),
            label: "App 1".into(),
            states,
            marked,
        }
    }

    #[test]
    fn runs_join_equal_neighbours_only() {
        assert_eq!(
            runs_of(&[0u8, 0, 0, 0, 0, 2, 2, 1, 0, 0], 10),
            vec![(0, 5, 0), (5, 7, 2), (7, 8, 1), (8, 10, 0)]
        );
        assert_eq!(runs_of(&[true, true, false], 2), vec![(0, 2, true)]);
        assert!(runs_of::<u8>(&[], 5).is_empty());
    }

    #[test]
    fn bands_stack_from_the_top_without_touching() {
        let bands: Vec<(f64, f64)> = (0..3).map(|r| band(r, 3)).collect();
        assert!(
            bands[0].0 > bands[1].1 && bands[1].0 > bands[2].1,
            "{bands:?}"
        );
        assert!(bands[2].0 > 0.0 && bands[0].1 < 3.0);
        let strip = mark_strip(bands[1]);
        assert_eq!(strip.0, bands[1].0);
        assert!(strip.1 < bands[1].1);
    }

    #[test]
    fn stripes_stay_inside_their_rectangle_and_cover_it() {
        let (tl, br) = ((10.0, 20.0), (110.0, 34.0));
        for pattern in [Pattern::Hatch, Pattern::CrossHatch] {
            let segments = hatch_segments(tl, br, 6.0, pattern);
            // About (width + height) / spacing stripes each way.
            let each_way = ((100.0 + 14.0) / 6.0_f64).round() as usize;
            let ways = if pattern == Pattern::CrossHatch { 2 } else { 1 };
            assert!(
                segments.len().abs_diff(each_way * ways) <= ways,
                "{}",
                segments.len()
            );
            for ((x0, y0), (x1, y1)) in &segments {
                for (x, y) in [(x0, y0), (x1, y1)] {
                    assert!(*x >= tl.0 - 1e-9 && *x <= br.0 + 1e-9, "x {x}");
                    assert!(*y >= tl.1 - 1e-9 && *y <= br.1 + 1e-9, "y {y}");
                }
                // At 45°: as far across as up or down.
                assert!(((x1 - x0).abs() - (y1 - y0).abs()).abs() < 1e-9);
            }
        }
        assert!(hatch_segments(tl, br, 6.0, Pattern::Solid).is_empty());
        assert!(hatch_segments(tl, (10.0, 34.0), 6.0, Pattern::Hatch).is_empty());
    }

    #[test]
    fn a_name_is_written_only_where_it_fits() {
        assert!(label_fits("ejected", 10.0, 60.0));
        assert!(!label_fits("ejected", 10.0, 40.0));
        assert!(!label_fits("down and ejected", 10.0, 90.0));
    }

    #[test]
    fn ink_contrasts_with_every_state_colour() {
        let contrast = |a: Rgb, b: Rgb| {
            let l = |c: Rgb| {
                let f = |v: u8| {
                    let v = f64::from(v) / 255.0;
                    if v <= 0.04045 {
                        v / 12.92
                    } else {
                        ((v + 0.055) / 1.055).powf(2.4)
                    }
                };
                0.2126 * f(c.0) + 0.7152 * f(c.1) + 0.0722 * f(c.2)
            };
            let (hi, lo) = (l(a).max(l(b)), l(a).min(l(b)));
            (hi + 0.05) / (lo + 0.05)
        };
        for state in BREAKER_STATES.iter().chain(&BACKEND_STATES) {
            let ink = ink_on(state.colour);
            assert!(
                contrast(ink, state.colour) >= 4.5,
                "{} on {:?}",
                state.name,
                state.colour
            );
        }
    }

    #[test]
    fn every_state_but_the_calm_one_has_a_pattern_of_its_own_or_another_colour() {
        for states in [&BREAKER_STATES[..], &BACKEND_STATES[..]] {
            assert_eq!(states[0].pattern, Pattern::Solid);
            for (i, a) in states.iter().enumerate() {
                for b in &states[i + 1..] {
                    assert_ne!(a.colour, b.colour, "{} and {}", a.name, b.name);
                    assert_ne!(a.name, b.name);
                }
                if i > 0 {
                    assert_ne!(a.pattern, Pattern::Solid, "{} needs a pattern", a.name);
                }
            }
        }
    }

    #[test]
    fn a_row_is_described_with_its_mark() {
        let t = Timeline {
            states: &BACKEND_STATES,
            mark: Some(CRASHED),
            rows: vec![row(vec![0, 0, 1, 2, 9], vec![false, true, true])],
        };
        let r = &t.rows[0];
        assert_eq!(t.describe(r, 0).as_deref(), Some("in rotation"));
        assert_eq!(t.describe(r, 1).as_deref(), Some("in rotation, crashed"));
        assert_eq!(t.describe(r, 2).as_deref(), Some("marked down, crashed"));
        assert_eq!(t.describe(r, 3).as_deref(), Some("ejected"));
        // Past the scale: the last state.
        assert_eq!(t.describe(r, 4).as_deref(), Some("down and ejected"));
        assert_eq!(t.describe(r, 5), None);
        assert_eq!(
            t.seen(4),
            vec!["in rotation", "marked down", "ejected", "crashed"]
        );
        assert_eq!(t.seen(1), vec!["in rotation"]);
    }
}

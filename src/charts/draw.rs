//! Painting a chart with plotters, on any plotters backend (the page's canvas; a recording one in
//! tests). Every size is in CSS pixels times `Style::scale` (the screen's pixel density), so
//! charts stay crisp on high-DPI screens. What to draw is decided in [`super::spec`], where to
//! draw it in [`super::layout`]; this module only paints.

use std::iter::once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colour::{self, Rgb, Theme};
use super::layout::{self, Margins, axis_top, isolated_points, runs, tick_label, time_label};
use super::spec::{Bar, Body, Chart, Frame, Histogram, Line};
use super::timeline::draw_timeline;
use crate::components::results_format::number;

/// How to paint: the screen's pixel density and the page's colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Device pixels per CSS pixel (`devicePixelRatio`, at least 1).
    pub scale: f64,
    pub theme: Theme,
}

pub(super) type Outcome<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
pub(super) type TimeChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub(super) fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

impl Style {
    /// CSS pixels to device pixels.
    pub(super) fn px(&self, css: f64) -> i32 {
        (css * self.scale).round() as i32
    }

    pub(super) fn upx(&self, css: f64) -> u32 {
        self.px(css).max(1) as u32
    }

    pub(super) fn font(&self, css_size: f64, colour: Rgb) -> TextStyle<'static> {
        TextStyle {
            font: ("system-ui, sans-serif", css_size * self.scale).into_font(),
            color: rgb(colour).to_backend_color(),
            pos: Pos::new(HPos::Left, VPos::Top),
        }
    }
}

/// Paints `chart` (its lines as `shown`, the person's pick) on `root`, the whole canvas.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    shown: &[Line],
    frame: &Frame,
    style: &Style,
) -> Outcome<DB> {
    let m = layout::margins(&chart.body);
    match &chart.body {
        Body::Lines(lines) => {
            let peak = peak(shown);
            let top = axis_top(peak, lines.ceiling);
            let mut cc = time_axes(root, &m, top, frame, style, true)?;
            draw_lines(&mut cc, shown, frame, style, top)
        }
        Body::Stacked(_) => {
            let totals = stacked_totals(shown, frame.buckets());
            let peak = totals
                .last()
                .map_or(0.0, |t| t.iter().copied().fold(0.0, f64::max));
            let top = axis_top(peak, None);
            let mut cc = time_axes(root, &m, top, frame, style, true)?;
            draw_stacked(&mut cc, shown, &totals, frame)
        }
        Body::Timeline(timeline) => draw_timeline(root, &m, timeline, frame, style),
        Body::Bars(bars) => draw_bars(root, &m, bars, style),
        Body::Histogram(h) => draw_histogram(root, &m, h, style),
    }
}

/// The largest finite value of any line (0 when there is none).
pub fn peak(lines: &[Line]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Running totals of stacked lines: entry k is the sum of lines 0..=k in each bucket.
pub fn stacked_totals(lines: &[Line], buckets: usize) -> Vec<Vec<f64>> {
    let mut sum = vec![0.0; buckets];
    lines
        .iter()
        .map(|line| {
            for (i, total) in sum.iter_mut().enumerate() {
                *total += line
                    .values
                    .get(i)
                    .copied()
                    .flatten()
                    .filter(|v| v.is_finite())
                    .unwrap_or(0.0);
            }
            sum.clone()
        })
        .collect()
}

/// The plot over simulated time with the warm-up and fault windows shaded under it, grid and
/// axes. With `shade_under` false the fault windows are left for [`fault_windows`] to lay on
/// top (a timeline's bands would hide them).
pub(super) fn time_axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    m: &Margins,
    top: f64,
    frame: &Frame,
    style: &Style,
    shade_under: bool,
) -> Result<TimeChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut cc = ChartBuilder::on(root)
        .margin_top(style.px(m.top))
        .margin_right(style.px(m.right))
        .x_label_area_size(style.px(m.bottom))
        .y_label_area_size(style.px(m.left))
        .build_cartesian_2d(0f64..frame.end_ms, 0f64..top)?;
    if frame.warmup_ms > 0.0 {
        cc.draw_series(once(Rectangle::new(
            [(0.0, 0.0), (frame.warmup_ms, top)],
            rgb(style.theme.warmup).filled(),
        )))?;
    }
    if shade_under {
        fault_windows(&mut cc, frame, style, top)?;
    }
    let x_label = |ms: &f64| time_label(*ms);
    let y_label = |v: &f64| tick_label(*v);
    let tick = style.font(11.0, style.theme.muted);
    let mut mesh = cc.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(7)
        .y_labels(5)
        .light_line_style(TRANSPARENT)
        .bold_line_style(rgb(style.theme.grid).stroke_width(style.upx(1.0)))
        .axis_style(rgb(style.theme.grid).stroke_width(style.upx(1.0)))
        .set_all_tick_mark_size(style.px(3.0))
        .label_style(tick)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label);
    if !shade_under {
        mesh.disable_y_mesh().y_labels(0);
    }
    mesh.draw()?;
    Ok(cc)
}

/// The design's faults: a translucent band over each window, a line where it starts and its
/// label in the space above the plot.
pub(super) fn fault_windows<DB: DrawingBackend>(
    cc: &mut TimeChart<'_, DB>,
    frame: &Frame,
    style: &Style,
    top: f64,
) -> Outcome<DB> {
    let fault = rgb(colour::FAULT);
    for f in &frame.faults {
        cc.draw_series(once(Rectangle::new(
            [(f.from_ms, 0.0), (f.to_ms, top)],
            fault.mix(0.14).filled(),
        )))?;
        cc.draw_series(once(PathElement::new(
            vec![(f.from_ms, 0.0), (f.from_ms, top)],
            fault.mix(0.7).stroke_width(style.upx(1.0)),
        )))?;
        let label = style
            .font(10.5, colour::FAULT)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        cc.draw_series(once(
            EmptyElement::at((f.from_ms, top))
                + Text::new(f.label.clone(), (style.px(2.0), style.px(-2.0)), label),
        ))?;
    }
    Ok(())
}

fn draw_lines<DB: DrawingBackend>(
    cc: &mut TimeChart<'_, DB>,
    shown: &[Line],
    frame: &Frame,
    style: &Style,
    top: f64,
) -> Outcome<DB> {
    for line in shown {
        // Each value at the middle of its bucket; a value far above the axis is drawn at its
        // edge rather than thrown far off the canvas.
        let points: Vec<Option<(f64, f64)>> = (0..frame.buckets())
            .map(|i| {
                line.values
                    .get(i)
                    .copied()
                    .flatten()
                    .filter(|v| v.is_finite())
                    .map(|v| (frame.mid_ms(i), v.min(top * 1.02)))
            })
            .collect();
        let colour = rgb(line.colour);
        let stroke = colour.stroke_width(style.upx(1.75));
        for run in runs(&points) {
            let piece: Vec<(f64, f64)> = points[run].iter().flatten().copied().collect();
            if piece.len() < 2 {
                continue;
            }
            if line.dashed {
                cc.draw_series(DashedLineSeries::new(
                    piece,
                    style.px(5.0),
                    style.px(4.0),
                    stroke,
                ))?;
            } else {
                cc.draw_series(LineSeries::new(piece, stroke))?;
            }
        }
        cc.draw_series(
            isolated_points(&points)
                .into_iter()
                .filter_map(|i| points[i])
                .map(|p| Circle::new(p, style.px(2.5), colour.filled())),
        )?;
    }
    Ok(())
}

fn draw_stacked<DB: DrawingBackend>(
    cc: &mut TimeChart<'_, DB>,
    shown: &[Line],
    totals: &[Vec<f64>],
    frame: &Frame,
) -> Outcome<DB> {
    // The highest total first, each filled down to zero: every band then shows between its
    // total and the one below it.
    for (line, total) in shown.iter().zip(totals).rev() {
        let points: Vec<(f64, f64)> = (0..frame.buckets())
            .map(|i| (frame.mid_ms(i), total[i]))
            .collect();
        if points.len() == 1 {
            // One bucket: a bar across it, as an area needs two points.
            let (x0, x1) = (frame.t_ms[0], frame.t_ms[0] + frame.span_ms(0));
            cc.draw_series(once(Rectangle::new(
                [(x0, 0.0), (x1, points[0].1)],
                rgb(line.colour).filled(),
            )))?;
            continue;
        }
        cc.draw_series(AreaSeries::new(points, 0.0, rgb(line.colour).filled()))?;
    }
    Ok(())
}

/// Shortens a row label to `max` characters with an ellipsis.
pub fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let kept: String = label.chars().take(max.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &Margins,
    bars: &[Bar],
    style: &Style,
) -> Outcome<DB> {
    let count = bars.len().max(1) as f64;
    let peak = bars
        .iter()
        .map(|b| b.value + b.ci95.unwrap_or(0.0))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let top = axis_top(peak * 1.1, None);
    let mut cc = ChartBuilder::on(root)
        .margin_top(style.px(m.top))
        .margin_right(style.px(m.right))
        .x_label_area_size(style.px(m.bottom))
        .y_label_area_size(style.px(m.left))
        .build_cartesian_2d(0f64..count, 0f64..top)?;
    let y_label = |v: &f64| tick_label(*v);
    cc.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .light_line_style(TRANSPARENT)
        .bold_line_style(rgb(style.theme.grid).stroke_width(style.upx(1.0)))
        .axis_style(rgb(style.theme.grid).stroke_width(style.upx(1.0)))
        .set_all_tick_mark_size(style.px(3.0))
        .label_style(style.font(11.0, style.theme.muted))
        .y_label_formatter(&y_label)
        .draw()?;
    let ink = rgb(style.theme.text);
    let below = style
        .font(11.0, style.theme.text)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let above = style
        .font(10.5, style.theme.text)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let width = (0.64f64).min(0.9);
    for (i, bar) in bars.iter().enumerate() {
        let x = i as f64 + 0.5;
        let value = if bar.value.is_finite() {
            bar.value
        } else {
            0.0
        };
        cc.draw_series(once(Rectangle::new(
            [(x - width / 2.0, 0.0), (x + width / 2.0, value)],
            rgb(bar.colour).filled(),
        )))?;
        let mut label_at = value;
        if let Some(ci) = bar.ci95.filter(|c| c.is_finite() && *c > 0.0) {
            let (lo, hi) = ((value - ci).max(0.0), value + ci);
            let whisker = ink.stroke_width(style.upx(1.0));
            cc.draw_series(once(PathElement::new(vec![(x, lo), (x, hi)], whisker)))?;
            for y in [lo, hi] {
                cc.draw_series(once(PathElement::new(
                    vec![(x - 0.08, y), (x + 0.08, y)],
                    whisker,
                )))?;
            }
            label_at = hi;
        }
        let (px_x, px_top) = cc.backend_coord(&(x, label_at));
        let text = match bar.ci95.filter(|c| c.is_finite() && *c > 0.0) {
            Some(ci) => format!("{} ± {}", number(value), number(ci)),
            None => number(value),
        };
        root.draw(&Text::new(
            text,
            (px_x, px_top - style.px(2.0)),
            above.clone(),
        ))?;
        let (_, px_axis) = cc.backend_coord(&(x, 0.0));
        root.draw(&Text::new(
            shorten(&bar.label, (90.0 / count).max(8.0) as usize),
            (px_x, px_axis + style.px(5.0)),
            below.clone(),
        ))?;
    }
    Ok(())
}

/// A latency as an axis label: "0.5 ms", "20 ms", "1.5 s".
fn latency_label(ms: f64) -> String {
    if ms >= 1_000.0 {
        format!("{} s", tick_label(ms / 1_000.0))
    } else {
        format!("{} ms", tick_label(ms))
    }
}

/// Each bucket's share of the requests as a bar (right axis), the cumulative share as a line
/// over them (left axis, 0–100%), latencies across on a log scale, the report's p50 and p99
/// marked where they fall.
fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &Margins,
    h: &Histogram,
    style: &Style,
) -> Outcome<DB> {
    let (Some(first), Some(last)) = (h.buckets.first(), h.buckets.last()) else {
        return Ok(());
    };
    let (lo, hi) = (first.0, last.1);
    let peak = h.buckets.iter().map(|b| b.2).fold(0.0, f64::max);
    let bar_top = axis_top(peak, Some(100.0));
    let mut cc = ChartBuilder::on(root)
        .margin_top(style.px(m.top))
        .x_label_area_size(style.px(m.bottom))
        .y_label_area_size(style.px(m.left))
        .right_y_label_area_size(style.px(m.right))
        .build_cartesian_2d((lo..hi).log_scale(), 0f64..100.0)?
        .set_secondary_coord((lo..hi).log_scale(), 0f64..bar_top);
    let grid = rgb(style.theme.grid).stroke_width(style.upx(1.0));
    let x_label = |ms: &f64| latency_label(*ms);
    let y_label = |v: &f64| format!("{}%", tick_label(*v));
    cc.configure_mesh()
        .disable_x_mesh()
        .x_labels(6)
        .y_labels(5)
        .light_line_style(TRANSPARENT)
        .bold_line_style(grid)
        .axis_style(grid)
        .set_all_tick_mark_size(style.px(3.0))
        .label_style(style.font(11.0, style.theme.muted))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()?;
    cc.configure_secondary_axes()
        .y_labels(5)
        .axis_style(grid)
        .label_style(style.font(11.0, style.theme.muted))
        .y_label_formatter(&y_label)
        .draw()?;
    let bar = rgb(colour::line(0)).mix(0.55).filled();
    cc.draw_secondary_series(
        h.buckets
            .iter()
            .map(|&(lower, upper, share)| Rectangle::new([(lower, 0.0), (upper, share)], bar)),
    )?;
    cc.draw_series(LineSeries::new(
        h.cdf.iter().copied(),
        rgb(colour::line(5)).stroke_width(style.upx(2.0)),
    ))?;
    let label = style
        .font(10.5, style.theme.text)
        .pos(Pos::new(HPos::Left, VPos::Top));
    for (name, ms) in &h.marks {
        if !(*ms > lo && *ms <= hi) {
            continue;
        }
        cc.draw_series(once(PathElement::new(
            vec![(*ms, 0.0), (*ms, 100.0)],
            rgb(style.theme.text).mix(0.6).stroke_width(style.upx(1.0)),
        )))?;
        cc.draw_series(once(
            EmptyElement::at((*ms, 100.0))
                + Text::new(name.clone(), (style.px(3.0), style.px(1.0)), label.clone()),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::spec::{FaultWindow, Lines};
    use plotters_backend::{
        BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    };
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A filled rectangle: colour, opacity, corners.
    type Rect = ((u8, u8, u8), f64, BackendCoord, BackendCoord);

    /// What a chart painted: filled rectangles, texts and line pieces.
    #[derive(Default)]
    struct Painted {
        rects: Vec<Rect>,
        texts: Vec<(String, BackendCoord)>,
        paths: usize,
        polygons: usize,
    }

    struct Recorder {
        size: (u32, u32),
        painted: Rc<RefCell<Painted>>,
    }

    #[derive(Debug)]
    struct Never;
    impl std::fmt::Display for Never {
        fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("never")
        }
    }
    impl std::error::Error for Never {}

    impl DrawingBackend for Recorder {
        type ErrorType = Never;
        fn get_size(&self) -> (u32, u32) {
            self.size
        }
        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Never>> {
            Ok(())
        }
        fn present(&mut self) -> Result<(), DrawingErrorKind<Never>> {
            Ok(())
        }
        fn draw_pixel(
            &mut self,
            _: BackendCoord,
            _: BackendColor,
        ) -> Result<(), DrawingErrorKind<Never>> {
            Ok(())
        }
        fn draw_line<S: BackendStyle>(
            &mut self,
            _: BackendCoord,
            _: BackendCoord,
            _: &S,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.painted.borrow_mut().paths += 1;
            Ok(())
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            a: BackendCoord,
            b: BackendCoord,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<Never>> {
            if fill {
                let c = style.color();
                self.painted.borrow_mut().rects.push((c.rgb, c.alpha, a, b));
            }
            Ok(())
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            _: I,
            _: &S,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.painted.borrow_mut().paths += 1;
            Ok(())
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            _: I,
            _: &S,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.painted.borrow_mut().polygons += 1;
            Ok(())
        }
        fn draw_text<T: BackendTextStyle>(
            &mut self,
            text: &str,
            _: &T,
            pos: BackendCoord,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.painted
                .borrow_mut()
                .texts
                .push((text.to_string(), pos));
            Ok(())
        }
    }

    fn paint(chart: &Chart, shown: &[Line], frame: &Frame, scale: f64) -> Painted {
        let painted = Rc::new(RefCell::new(Painted::default()));
        let height = layout::height(&chart.body);
        let root = Recorder {
            size: ((400.0 * scale) as u32, (height * scale) as u32),
            painted: painted.clone(),
        }
        .into_drawing_area();
        let style = Style {
            scale,
            theme: Theme::default(),
        };
        draw(&root, chart, shown, frame, &style).expect("drawing never fails");
        drop(root);
        Rc::try_unwrap(painted)
            .ok()
            .expect("one owner")
            .into_inner()
    }

    fn frame() -> Frame {
        Frame {
            bucket_ms: 1000.0,
            t_ms: (0..10).map(|i| i as f64 * 1000.0).collect(),
            end_ms: 10_000.0,
            warmup_ms: 2000.0,
            faults: vec![FaultWindow {
                from_ms: 5000.0,
                to_ms: 7000.0,
                label: "db down".into(),
            }],
        }
    }

    fn line(values: Vec<Option<f64>>) -> Line {
        Line {
            key: "x".into(),
            label: "x".into(),
            colour: colour::line(0),
            dashed: false,
            values: values.into(),
        }
    }

    fn chart(body: Body) -> Chart {
        Chart {
            id: "t".into(),
            title: "T".into(),
            unit: "".into(),
            story: false,
            body,
            empty_text: String::new(),
        }
    }

    #[test]
    fn fault_windows_are_shaded_where_they_happened_and_labelled() {
        let c = chart(Body::Lines(Lines::default()));
        let shown = vec![line((0..10).map(|i| Some(i as f64)).collect())];
        let painted = paint(&c, &shown, &frame(), 1.0);
        // The plot runs from x = 46 to 388 (400 wide, margins 46 and 12): 5 s to 7 s of 10 s is
        // 217 to 285.4.
        let fault = painted
            .rects
            .iter()
            .find(|(rgb, alpha, _, _)| *rgb == (0xd5, 0x5e, 0x00) && *alpha < 0.5)
            .expect("a translucent fault band");
        assert!(
            (fault.2.0 - 217).abs() <= 1 && (fault.3.0 - 285).abs() <= 1,
            "{fault:?}"
        );
        assert!(painted.texts.iter().any(|(t, _)| t == "db down"));
        // The warm-up is shaded from the plot's left edge to 2 s.
        let warmup = Theme::default().warmup;
        let shade = painted
            .rects
            .iter()
            .find(|(rgb, _, _, _)| *rgb == (warmup.0, warmup.1, warmup.2))
            .expect("warm-up shaded");
        assert!(
            (shade.2.0 - 46).abs() <= 1 && (shade.3.0 - 114).abs() <= 1,
            "{shade:?}"
        );
        // Time labels in seconds.
        let texts: Vec<&str> = painted.texts.iter().map(|(t, _)| t.as_str()).collect();
        assert!(
            texts.contains(&"4 s") && texts.contains(&"10 s"),
            "{texts:?}"
        );
    }

    #[test]
    fn drawing_scales_with_the_pixel_density() {
        let c = chart(Body::Lines(Lines::default()));
        let shown = vec![line((0..10).map(|i| Some(i as f64)).collect())];
        let one = paint(&c, &shown, &frame(), 1.0);
        let two = paint(&c, &shown, &frame(), 2.0);
        let x = |p: &Painted| {
            p.rects
                .iter()
                .find(|(rgb, a, _, _)| *rgb == (0xd5, 0x5e, 0x00) && *a < 0.5)
                .map(|r| r.2.0)
                .unwrap()
        };
        assert!((x(&two) - 2 * x(&one)).abs() <= 2);
    }

    #[test]
    fn a_breaker_timeline_paints_each_state_in_its_colour_names_wide_runs_and_stripes_the_rest() {
        use crate::charts::timeline::{BREAKER_STATES, Timeline, TimelineRow};
        let timeline = Timeline {
            states: &BREAKER_STATES,
            mark: None,
            rows: vec![TimelineRow {
                key: "e".into(),
                label: "orders → payments".into(),
                states: vec![0, 0, 0, 0, 0, 2, 2, 1, 0, 0],
                marked: Vec::new(),
            }],
        };
        let c = chart(Body::Timeline(timeline));
        let painted = paint(&c, &[], &frame(), 1.0);
        let opaque = |colour: Rgb| {
            painted
                .rects
                .iter()
                .filter(|(rgb, a, _, _)| *rgb == (colour.0, colour.1, colour.2) && *a > 0.99)
                .count()
        };
        for state in &BREAKER_STATES {
            assert!(opaque(state.colour) > 0, "{} is painted", state.name);
        }
        let written = |t: &str| painted.texts.iter().any(|(text, _)| text == t);
        assert!(written("orders → payments"));
        // 400 px wide: a bucket is about 26 px, enough for "open" over two, not for
        // "half-open" over one.
        assert!(written("closed") && written("open") && !written("half-open"));
        // Stripes: the open and half-open runs are patterned, closed is plain.
        assert!(painted.paths > 10, "{} paths", painted.paths);
    }

    #[test]
    fn a_backend_timeline_marks_a_crash_under_the_state() {
        use crate::charts::timeline::{BACKEND_STATES, CRASHED, Timeline, TimelineRow};
        let timeline = Timeline {
            states: &BACKEND_STATES,
            mark: Some(CRASHED),
            rows: vec![TimelineRow {
                key: "app-1".into(),
                label: "App 1".into(),
                states: vec![0, 0, 0, 0, 0, 0, 1, 1, 1, 0],
                marked: vec![
                    false, false, false, false, true, true, true, true, true, false,
                ],
            }],
        };
        let painted = paint(&chart(Body::Timeline(timeline)), &[], &frame(), 1.0);
        let crashed = painted
            .rects
            .iter()
            .filter(|(rgb, a, _, _)| {
                *rgb == (CRASHED.colour.0, CRASHED.colour.1, CRASHED.colour.2) && *a > 0.99
            })
            .collect::<Vec<_>>();
        assert_eq!(crashed.len(), 1, "one crashed stretch: {crashed:?}");
        assert!(painted.texts.iter().any(|(t, _)| t == "marked down"));
    }

    #[test]
    fn stacked_failures_sum_up_and_bars_carry_their_interval() {
        let a = line(vec![Some(1.0), Some(2.0)]);
        let b = line(vec![Some(3.0), None]);
        assert_eq!(
            stacked_totals(&[a, b], 2),
            vec![vec![1.0, 2.0], vec![4.0, 2.0]]
        );
        let c = chart(Body::Bars(vec![Bar {
            label: "p99".into(),
            value: 120.0,
            ci95: Some(4.0),
            colour: colour::line(0),
        }]));
        let painted = paint(&c, &[], &frame(), 1.0);
        assert!(painted.texts.iter().any(|(t, _)| t == "120 ± 4.00"));
        assert!(painted.texts.iter().any(|(t, _)| t == "p99"));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("orders → payments", 22), "orders → payments");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
    }
}

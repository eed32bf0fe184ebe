//! The charts of a run on the page: a grid of figures, each a plotters canvas with its title,
//! legend, PNG export, the person's choice of lines when there are too many, and a hover read-out.
//! One time cursor runs across every time chart: pointing at a chart moves it (and tells the
//! app through `on_cursor`, so the canvas can show that moment); the app's cursor draws on all.
//!
//! Charts are the same whether the run is live (its series so far, the axis spanning the whole
//! run so the lines grow across it) or finished (the report's series, plus the whole-run
//! figures with their confidence intervals). What each chart holds is `charts::spec`'s business.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use archsim_model::{Design, Report, Series};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::charts::colour::Theme;
use crate::charts::spec::{self, Body, Chart, Frame, Line, MAX_LINES, Pick, Source};
use crate::charts::timeline::Pattern;
use crate::charts::{canvas, export, layout};
use crate::run::LiveSeries;
use crate::run::controller::{same, same_opt};

use super::next_task::use_next_task;

/// Which charts: the whole run's, or one node's or edge's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Subject {
    #[default]
    Run,
    Node(String),
    Edge(String),
}

/// An `Rc` compared by identity: props holding a run's charts compare in O(1), and a new
/// series (a live update) is a new value.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The charts of a run and the time axis they share.
#[derive(Debug)]
pub struct Specs {
    pub frame: Frame,
    pub charts: Vec<Chart>,
}

#[derive(Properties)]
pub struct ChartsProps {
    /// The design that was (or is being) run.
    pub design: Rc<Design>,
    /// The finished run's report; None while the run is live.
    #[prop_or_default]
    pub report: Option<Rc<Report>>,
    /// The live series so far (used when there is no report).
    #[prop_or_default]
    pub live: Option<LiveSeries>,
    /// Where the time axis ends, ms.
    pub end_ms: f64,
    #[prop_or_default]
    pub subject: Subject,
    #[prop_or_default]
    pub cursor_ms: Option<f64>,
    #[prop_or_default]
    pub on_cursor: Callback<Option<f64>>,
}

impl ChartsProps {
    fn drawn(&self) -> Drawn {
        Drawn {
            design: self.design.clone(),
            report: self.report.clone(),
            live: self.live.clone(),
            end_ms: self.end_ms,
            subject: self.subject.clone(),
        }
    }
}

// The design, report and series by identity (see `Drawn`).
impl PartialEq for ChartsProps {
    fn eq(&self, other: &Self) -> bool {
        self.drawn() == other.drawn()
            && self.cursor_ms == other.cursor_ms
            && self.on_cursor == other.on_cursor
    }
}

/// The page's theme colours, read again when the person's light/dark preference changes.
#[hook]
fn use_theme() -> Theme {
    let theme = use_state_eq(canvas::theme);
    {
        let theme = theme.clone();
        use_effect_with((), move |_| {
            let listeners =
                super::theme::listen_for_changes(move || theme.set(canvas::refresh_theme()));
            move || drop(listeners)
        });
    }
    *theme
}

/// What a set of charts is drawn from, compared by identity (see `run::controller::same`).
#[derive(Clone)]
struct Drawn {
    design: Rc<Design>,
    report: Option<Rc<Report>>,
    live: Option<LiveSeries>,
    end_ms: f64,
    subject: Subject,
}

impl PartialEq for Drawn {
    fn eq(&self, other: &Self) -> bool {
        same(&self.design, &other.design)
            && same_opt(&self.report, &other.report)
            && self.live == other.live
            && self.end_ms == other.end_ms
            && self.subject == other.subject
    }
}

impl Drawn {
    fn specs(&self) -> Specs {
        let empty = Series::default();
        let live = self.live.as_ref().map(LiveSeries::series);
        let series = match (&self.report, &live) {
            (Some(r), _) => &r.series,
            (None, Some(s)) => s,
            (None, None) => &empty,
        };
        let src = Source {
            design: &self.design,
            series,
            report: self.report.as_deref(),
            end_ms: self.end_ms,
        };
        Specs {
            frame: Frame::of(&src),
            charts: match &self.subject {
                Subject::Run => spec::overview(&src),
                Subject::Node(id) => spec::node_charts(&src, id),
                Subject::Edge(id) => spec::edge_charts(&src, id),
            },
        }
    }
}

#[function_component(Charts)]
pub fn charts(props: &ChartsProps) -> Html {
    // The charts are built a task after the render that brought their data: a live update's
    // task draws the canvas, the next one the charts (`next_task`).
    let drawn = use_next_task(props.drawn());
    let specs: Rc<Specs> = use_memo(drawn.clone(), |drawn| {
        drawn.as_ref().map_or_else(
            || Specs {
                frame: Frame::of(&Source {
                    design: &props.design,
                    series: &Series::default(),
                    report: None,
                    end_ms: props.end_ms,
                }),
                charts: Vec::new(),
            },
            Drawn::specs,
        )
    });
    let theme = use_theme();
    // Where the pointer is over a chart; it wins over the app's cursor while it is there.
    let hover = use_state_eq(|| None::<f64>);
    // The app's cursor when the pointer came onto a chart, given back when it leaves.
    let before_hover = use_mut_ref(|| None::<Option<f64>>);
    let cursor = (*hover).or(props.cursor_ms);
    let on_hover = {
        let hover = hover.clone();
        let before_hover = before_hover.clone();
        let on_cursor = props.on_cursor.clone();
        let app_cursor = props.cursor_ms;
        Callback::from(move |t: Option<f64>| {
            match t {
                Some(_) => {
                    let mut before = before_hover.borrow_mut();
                    if before.is_none() {
                        *before = Some(app_cursor);
                    }
                    on_cursor.emit(t);
                }
                None => {
                    let before = before_hover.borrow_mut().take().flatten();
                    on_cursor.emit(before);
                }
            }
            hover.set(t);
        })
    };
    let file_stem = export::slug(&props.design.name);
    let is_live = drawn
        .as_ref()
        .map_or(props.report.is_none(), |d| d.report.is_none());
    let data = Shared(specs.clone());
    let class = match props.subject {
        Subject::Run => "results-charts",
        _ => "element-charts",
    };
    html! {
        <div class={class} data-buckets={specs.frame.buckets().to_string()}
             data-live={is_live.to_string()}>
            { for specs.charts.iter().enumerate().map(|(index, chart)| html! {
                <ChartFigure key={chart.id.clone()} data={data.clone()} index={index}
                    cursor_ms={cursor} on_hover={on_hover.clone()} theme={theme}
                    file_stem={file_stem.clone()} />
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FigureProps {
    data: Shared<Specs>,
    index: usize,
    cursor_ms: Option<f64>,
    on_hover: Callback<Option<f64>>,
    theme: Theme,
    file_stem: String,
}

/// Lines of a lines or stacked chart.
fn lines_of(chart: &Chart) -> Option<&spec::Lines> {
    match &chart.body {
        Body::Lines(l) | Body::Stacked(l) => Some(l),
        _ => None,
    }
}

#[function_component(ChartFigure)]
fn chart_figure(props: &FigureProps) -> Html {
    let specs = &props.data.0;
    let frame = &specs.frame;
    let chart = &specs.charts[props.index];
    let pick = use_state_eq(Pick::default);
    let width = use_state_eq(|| 0.0f64);
    let canvas_ref = use_node_ref();
    let shown: Rc<Vec<Line>> = {
        let data = props.data.clone();
        let index = props.index;
        use_memo(
            (data.clone(), index, (*pick).clone()),
            move |(data, index, pick)| {
                lines_of(&data.0.charts[*index]).map_or_else(Vec::new, |l| spec::picked(l, pick))
            },
        )
    };
    // The canvas follows its box: a ResizeObserver tells its width (after layout, so reading it
    // forces none) when it first appears and whenever the panel or the window changes size.
    {
        let width = width.clone();
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            let observer_callback = wasm_bindgen::closure::Closure::<dyn Fn(js_sys::Array)>::new(
                move |entries: js_sys::Array| {
                    if let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                        width.set(entry.content_rect().width().round());
                    }
                },
            );
            let observer =
                web_sys::ResizeObserver::new(observer_callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(c)) = (&observer, canvas_ref.cast::<web_sys::Element>()) {
                o.observe(&c);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(observer_callback);
            }
        });
    }
    // Paint when the chart, the lines picked, the width or the theme change (never on a cursor
    // move: the cursor is an element laid over the canvas). Each chart paints in a task of its
    // own, after the next frame, so a page of charts never holds the main thread for long at
    // a stretch.
    {
        let canvas_ref = canvas_ref.clone();
        let data = props.data.clone();
        let index = props.index;
        let shown = shown.clone();
        let theme = props.theme;
        use_effect_with(
            (data, index, Rc::as_ptr(&shown) as usize, *width, theme),
            move |(data, index, _, width, theme)| {
                let (data, index, width, theme) = (data.clone(), *index, *width, *theme);
                let pending = (width > 0.0).then(|| {
                    canvas::after_next_frame(move || {
                        if let Some(c) = canvas_ref.cast::<web_sys::HtmlCanvasElement>() {
                            canvas::paint(
                                &c,
                                width,
                                &data.0.charts[index],
                                &shown,
                                &data.0.frame,
                                theme,
                            );
                        }
                    })
                });
                // A newer paint replaces one that has not happened yet.
                move || drop(pending)
            },
        );
    }
    // Stable across renders, so the legend and the choice of lines are not redrawn when only the
    // cursor moved.
    let on_pick = {
        let pick = pick.clone();
        use_callback((), move |p: Pick, _| pick.set(p))
    };
    let margins = layout::margins(&chart.body);
    let height = layout::height(&chart.body);
    let is_time = chart.body.is_time();
    let has_data = spec::has_data(chart, &shown, frame);
    let on_move = {
        let on_hover = props.on_hover.clone();
        let canvas_ref = canvas_ref.clone();
        let end_ms = frame.end_ms;
        // Yew delegates events to the app's root, so the event's current target is not the plot:
        // the canvas (as wide as the plot) gives the box to measure from.
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = canvas_ref.cast::<web_sys::Element>() else {
                return;
            };
            let rect = canvas.get_bounding_client_rect();
            let x = f64::from(e.client_x()) - rect.left();
            if let Some(t) = layout::time_at(x, rect.width(), &margins, end_ms) {
                on_hover.emit(Some(t));
            }
        })
    };
    let on_leave = {
        let on_hover = props.on_hover.clone();
        Callback::from(move |_: MouseEvent| on_hover.emit(None))
    };
    let save = {
        let canvas_ref = canvas_ref.clone();
        let name = format!("{}-{}.png", props.file_stem, chart.id);
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = canvas_ref.cast::<web_sys::HtmlCanvasElement>()
                && let Err(e) = canvas::save_png(&c, &name)
            {
                web_sys::console::warn_1(&e.into());
            }
        })
    };

    let cursor = props.cursor_ms.filter(|_| is_time);
    let readout = cursor.map(|t| {
        let at = layout::time_label(t);
        match frame.bucket_at(t) {
            Some(i) => {
                let values = spec::readout(chart, &shown, i);
                let unit = if chart.unit.contains('·') {
                    ""
                } else {
                    chart.unit.as_str()
                };
                let text = values
                    .iter()
                    .map(|(name, value)| format!("{name} {value}"))
                    .collect::<Vec<_>>()
                    .join(" · ");
                format!(
                    "{at}: {text}{}",
                    if unit.is_empty() || values.is_empty() {
                        String::new()
                    } else {
                        format!(" ({unit})")
                    }
                )
            }
            None => format!("{at}: not simulated yet"),
        }
    });

    html! {
        <figure class={classes!("chart", chart.story.then_some("is-story"))}
                id={format!("chart-{}", chart.id)} data-has-data={has_data.to_string()}
                data-summary={summary(chart, &shown, frame.buckets())}>
            <figcaption class="chart-head">
                <span class="chart-title">
                    { chart.title.clone() }
                    if !chart.unit.is_empty() {
                        <span class="chart-unit">{ format!(" ({})", chart.unit) }</span>
                    }
                </span>
                <button type="button" class="chart-png small-button" title="Save this chart as a PNG picture"
                        aria-label={format!("Save {} as PNG", chart.title)} onclick={save}>{ "PNG" }</button>
            </figcaption>
            <Legend data={props.data.clone()} index={props.index} shown={Shared(shown.clone())} />
            <Choice data={props.data.clone()} index={props.index} shown={Shared(shown.clone())}
                pick={(*pick).clone()} on_pick={on_pick} />
            <div class="chart-plot" style={format!("height: {height}px")}
                 onmousemove={is_time.then_some(on_move)} onmouseleave={is_time.then_some(on_leave)}>
                <canvas ref={canvas_ref} class="chart-canvas" role="img"
                        data-axis-end-ms={is_time.then(|| frame.end_ms.to_string())}
                        aria-label={if is_time { format!("{} over simulated time", chart.title) } else { chart.title.clone() }} />
                if is_time {
                    // Always there, moved by a transform (its box spans the plot, its left border
                    // is the line): moving the cursor repaints, it never lays the page out again.
                    <div class={classes!("chart-cursor", cursor.is_some().then_some("is-on"))} aria-hidden="true"
                         style={format!("left: {}px; right: {}px; top: {}px; bottom: {}px; transform: translateX({:.3}%)",
                             margins.left, margins.right, margins.top, margins.bottom,
                             cursor.map_or(0.0, |t| layout::fraction(t, frame.end_ms) * 100.0))} />
                }
                if !has_data {
                    <p class="chart-empty">{ chart.empty_text.clone() }</p>
                }
            </div>
            // Always there (empty until the cursor is on the chart), so moving the cursor never
            // changes the figure's height and the page around it is not laid out again.
            if is_time {
                <p class="chart-readout">{ readout.unwrap_or_default() }</p>
            }
        </figure>
    }
}

/// What the chart shows in a few words, for tests and tools that read the page: each line's
/// peak ("goodput=605;throughput=610"), the states a timeline went through ("closed,open";
/// "in rotation,marked down,crashed"), each bar's value.
fn summary(chart: &Chart, shown: &[Line], frame_buckets: usize) -> String {
    match &chart.body {
        Body::Lines(_) | Body::Stacked(_) => shown
            .iter()
            .map(|l| {
                format!(
                    "{}={}",
                    l.label,
                    crate::charts::draw::peak(std::slice::from_ref(l))
                )
            })
            .collect::<Vec<_>>()
            .join(";"),
        // Where the cumulative share first reaches 50% and 99% (each the upper bound of its
        // bucket) next to the report's own percentiles.
        Body::Histogram(h) => {
            let reaches = |q: f64| {
                h.cdf
                    .iter()
                    .find(|(_, share)| *share >= q)
                    .map_or(0.0, |(ms, _)| *ms)
            };
            let mut parts = vec![
                format!("buckets={}", h.buckets.len()),
                format!("cdf50={}", reaches(50.0)),
                format!("cdf99={}", reaches(99.0)),
            ];
            parts.extend(h.marks.iter().map(|(name, ms)| format!("{name}={ms}")));
            parts.join(";")
        }
        Body::Timeline(timeline) => timeline.seen(frame_buckets).join(","),
        Body::Bars(bars) => bars
            .iter()
            .map(|b| format!("{}={}", b.label, b.value))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

/// The legend swatch's class for a timeline state's fill, so the key shows the pattern the
/// band has (static/results.css).
fn pattern_class(pattern: Pattern) -> &'static str {
    match pattern {
        Pattern::Solid => "is-area",
        Pattern::Hatch => "is-hatched",
        Pattern::CrossHatch => "is-cross-hatched",
    }
}

#[derive(Properties, PartialEq)]
struct KeysProps {
    data: Shared<Specs>,
    index: usize,
    shown: Shared<Vec<Line>>,
}

#[function_component(Legend)]
fn legend_view(props: &KeysProps) -> Html {
    let specs = &props.data.0;
    legend(&specs.charts[props.index], &props.shown.0, &specs.frame)
}

#[derive(Properties, PartialEq)]
struct ChoiceProps {
    data: Shared<Specs>,
    index: usize,
    shown: Shared<Vec<Line>>,
    pick: Pick,
    on_pick: Callback<Pick>,
}

#[function_component(Choice)]
fn choice_view(props: &ChoiceProps) -> Html {
    choice(
        &props.data.0.charts[props.index],
        &props.shown.0,
        &props.pick,
        &props.on_pick,
    )
}

/// The keys under a chart's title: one per line drawn (or per state of a timeline), then the
/// shaded warm-up and fault windows.
fn legend(chart: &Chart, shown: &[Line], frame: &Frame) -> Html {
    let key = |label: String, colour: String, class: &'static str| {
        html! {
            <li class="chart-key">
                <span class={classes!("chart-swatch", class)} style={format!("--swatch: {colour}")} />
                { label }
            </li>
        }
    };
    let mut keys: Vec<Html> = match &chart.body {
        Body::Lines(_) => shown
            .iter()
            .map(|l| {
                key(
                    l.label.clone(),
                    l.colour.css(),
                    if l.dashed { "is-dashed" } else { "is-line" },
                )
            })
            .collect(),
        Body::Stacked(_) => shown
            .iter()
            .map(|l| key(l.label.clone(), l.colour.css(), "is-area"))
            .collect(),
        // Every state of the scale (and the mark), each as its colour and pattern.
        Body::Timeline(timeline) => timeline
            .states
            .iter()
            .chain(timeline.mark.as_ref())
            .map(|state| {
                key(
                    state.name.into(),
                    state.colour.css(),
                    pattern_class(state.pattern),
                )
            })
            .collect(),
        Body::Bars(_) => Vec::new(),
        Body::Histogram(_) => vec![
            key(
                "share of requests (right axis)".into(),
                crate::charts::colour::line(0).css(),
                "is-area",
            ),
            key(
                "at or below (cumulative, left axis)".into(),
                crate::charts::colour::line(5).css(),
                "is-line",
            ),
        ],
    };
    if chart.body.is_time() {
        if frame.warmup_ms > 0.0 {
            keys.push(key("warm-up".into(), "var(--panel-2)".into(), "is-shade"));
        }
        if !frame.faults.is_empty() {
            keys.push(key(
                "fault".into(),
                crate::charts::colour::FAULT.css(),
                "is-fault",
            ));
        }
    }
    if keys.is_empty() {
        return html! {};
    }
    html! { <ul class="chart-legend">{ for keys }</ul> }
}

/// For a chart of many nodes or edges with more lines than fit: says how many it shows and
/// lets the person choose (the busiest, all, or any they tick).
fn choice(chart: &Chart, shown: &[Line], pick: &Pick, on_pick: &Callback<Pick>) -> Html {
    let Some(lines) = lines_of(chart) else {
        return html! {};
    };
    let (Some(of_what), total) = (lines.of_what, lines.lines.len()) else {
        return html! {};
    };
    if total <= MAX_LINES {
        return html! {};
    }
    let set = |p: Pick| on_pick.reform(move |_: MouseEvent| p.clone());
    let chosen: BTreeSet<String> = shown.iter().map(|l| l.key.clone()).collect();
    let summary = match pick {
        Pick::Top(n) if *n >= total => format!("Showing all {total} {of_what}."),
        Pick::Top(_) => format!("Showing the {} busiest of {total} {of_what}.", shown.len()),
        Pick::Chosen(_) => format!("Showing {} of {total} {of_what}, as chosen.", shown.len()),
    };
    html! {
        <div class="chart-choice" data-shown={shown.len().to_string()} data-total={total.to_string()}>
            <span class="chart-choice-text">{ summary }</span>
            <button type="button" class="small-button chart-top" onclick={set(Pick::Top(MAX_LINES))}>
                { format!("Busiest {MAX_LINES}") }
            </button>
            <button type="button" class="small-button chart-all" onclick={set(Pick::Top(usize::MAX))}>
                { format!("All {total}") }
            </button>
            <Picker data={Shared(Rc::new(lines.lines.clone()))} chosen={Shared(Rc::new(chosen))}
                on_pick={on_pick.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PickerProps {
    data: Shared<Vec<Line>>,
    chosen: Shared<BTreeSet<String>>,
    on_pick: Callback<Pick>,
}

/// "Choose…": a box to tick per line. The boxes exist only while it is open — a chart of 200
/// nodes would otherwise carry 400 hidden elements, made again on every live update.
#[function_component(Picker)]
fn picker(props: &PickerProps) -> Html {
    let open = use_state_eq(|| false);
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::Element = e.target_unchecked_into();
            open.set(details.has_attribute("open"));
        })
    };
    let chosen = &props.chosen.0;
    html! {
        <details class="chart-picker" open={*open} ontoggle={on_toggle}>
            <summary>{ "Choose…" }</summary>
            if *open {
                <div class="chart-picker-list">
                    { for props.data.0.iter().map(|l| {
                        let key = l.key.clone();
                        let checked = chosen.contains(&key);
                        let onchange = {
                            let chosen = chosen.clone();
                            props.on_pick.reform(move |_: Event| {
                                let mut next = (*chosen).clone();
                                if !next.remove(&key) {
                                    next.insert(key.clone());
                                }
                                Pick::Chosen(next)
                            })
                        };
                        html! {
                            <label class="chart-picker-item">
                                <input type="checkbox" checked={checked} onchange={onchange}
                                       data-key={l.key.clone()} />
                                { l.label.clone() }
                            </label>
                        }
                    }) }
                </div>
            }
        </details>
    }
}

/// The run the results area shows (a finished report or the live series so far), for the
/// properties panel's charts of one element.
#[derive(Clone)]
pub struct ShownRun {
    pub design: Rc<Design>,
    pub report: Option<Rc<Report>>,
    pub live: Option<LiveSeries>,
    pub end_ms: f64,
}

/// What the results area shows, and who wants to know when it changes. The properties panel
/// and the results area are siblings under the app shell; this keeps the panel's element charts
/// on the very run the results area shows without threading run state through the shell.
#[derive(Default)]
struct ShownState {
    run: Option<ShownRun>,
    listeners: Vec<(u64, Callback<()>)>,
    next_listener: u64,
}

thread_local! {
    static SHOWN: RefCell<ShownState> = RefCell::new(ShownState::default());
}

/// Tells the element charts which run the results area now shows (None: none).
pub fn publish_shown_run(run: Option<ShownRun>) {
    let listeners: Vec<Callback<()>> = SHOWN.with(|s| {
        let mut s = s.borrow_mut();
        s.run = run;
        s.listeners.iter().map(|(_, l)| l.clone()).collect()
    });
    for listener in listeners {
        listener.emit(());
    }
}

/// The run the results area shows; the component re-renders when it changes.
#[hook]
fn use_shown_run() -> Option<ShownRun> {
    let version = use_state_eq(|| 0u64);
    {
        let version = version.clone();
        use_effect_with((), move |_| {
            let counter = std::cell::Cell::new(0u64);
            let listener = Callback::from(move |()| {
                counter.set(counter.get().wrapping_add(1));
                version.set(counter.get());
            });
            let id = SHOWN.with(|s| {
                let mut s = s.borrow_mut();
                let id = s.next_listener;
                s.next_listener += 1;
                s.listeners.push((id, listener));
                id
            });
            move || SHOWN.with(|s| s.borrow_mut().listeners.retain(|(l, _)| *l != id))
        });
    }
    SHOWN.with(|s| s.borrow().run.clone())
}

#[derive(Properties, PartialEq)]
pub struct ElementChartsProps {
    /// `Subject::Node(id)` or `Subject::Edge(id)`.
    pub subject: Subject,
}

/// The charts of one node or edge in the run the results area shows (finished or live), for
/// the properties panel; nothing before a run or for an element the run did not have.
#[function_component(ElementCharts)]
pub fn element_charts(props: &ElementChartsProps) -> Html {
    let Some(run) = use_shown_run() else {
        return html! {};
    };
    let present = match &props.subject {
        Subject::Node(id) => run.design.node(id).is_some(),
        Subject::Edge(id) => run.design.edges.iter().any(|e| &e.id == id),
        Subject::Run => true,
    };
    if !present {
        return html! {};
    }
    let title = if run.report.is_some() {
        "Last run"
    } else {
        "This run, live"
    };
    html! {
        <fieldset class="section props-charts" id="element-charts">
            <legend>{ title }</legend>
            <Charts design={run.design} report={run.report} live={run.live} end_ms={run.end_ms}
                subject={props.subject.clone()} />
        </fieldset>
    }
}

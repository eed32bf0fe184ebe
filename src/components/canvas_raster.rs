//! A big design's run, drawn on one `<canvas>` laid over the editor's SVG.
//!
//! For a few nodes the run is drawn into the SVG itself ([`super::canvas`]: a class per load
//! step, a load bar, words, flags). For a big design that does not keep up with a live run:
//! every update changes hundreds of SVG elements, and Chromium re-lays out and repaints the
//! whole drawing each time — 60–400 ms per update for 200 nodes, during which the page cannot
//! answer. Above [`RASTER_MIN_NODES`] nodes the SVG therefore stays as the editor draws it and
//! this layer shows the run: each node tinted by its load (same cividis steps), its load bar, a
//! hatch when saturated, its flags (down, limiting, shedding, ejected, marked down, bottleneck),
//! a dotted border on a backend a load balancer holds out of rotation and, where words can be
//! read, its badge; each edge over-drawn as wide as its traffic and coloured by its failures.
//! Redrawing it is a few hundred canvas calls and no layout at all. Clicks go through to the
//! SVG beneath (the layer takes no pointer events), and the node's words stay in the properties
//! panel and the results.

use std::rc::Rc;

use archsim_model::Position;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::canvas_overlay::{EdgeLoad, LOAD_COLOURS, NodeLoad, SATURATED, badge_width};
use crate::state::Viewport;
use crate::state::geometry::{NODE_HEIGHT, NODE_WIDTH};

/// From this many nodes a run is drawn on the raster layer rather than into the SVG.
pub const RASTER_MIN_NODES: usize = 60;

/// What the layer draws: every node and edge of the design with what the run shows of it, in
/// canvas units, and the view.
#[derive(Debug, Clone, PartialEq)]
pub struct RasterScene {
    /// Top-left corner of each node, its load and whether it is the bottleneck.
    pub nodes: Vec<(Position, NodeLoad, bool)>,
    /// Both ends of each edge and its traffic.
    pub edges: Vec<(Position, Position, EdgeLoad)>,
    pub viewport: Viewport,
    /// Draw the badges (words): the zoom is large enough to read them.
    pub detail: bool,
}

impl RasterScene {
    /// Nothing to draw: the layer of a big design before (and between) runs.
    pub fn blank() -> RasterScene {
        RasterScene {
            nodes: Vec::new(),
            edges: Vec::new(),
            viewport: Viewport::default(),
            detail: false,
        }
    }

    fn is_blank(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }
}

#[derive(Properties, PartialEq)]
pub struct RunRasterProps {
    pub scene: Rc<RasterScene>,
}

/// The layer: a canvas as large as the editor surface, redrawn when the scene or its size
/// changes.
#[function_component(RunRaster)]
pub fn run_raster(props: &RunRasterProps) -> Html {
    let canvas_ref = use_node_ref();
    // CSS pixels of the surface, told by a ResizeObserver (reading them would force a layout).
    let size = use_state_eq(|| (0.0f64, 0.0f64));
    {
        let size = size.clone();
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            let callback = wasm_bindgen::closure::Closure::<dyn Fn(js_sys::Array)>::new(
                move |entries: js_sys::Array| {
                    if let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                        let rect = entry.content_rect();
                        size.set((rect.width().round(), rect.height().round()));
                    }
                },
            );
            let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(c)) = (&observer, canvas_ref.cast::<web_sys::Element>()) {
                o.observe(&c);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(callback);
            }
        });
    }
    // Light or dark, as the header's theme switch or the system says; a change repaints.
    let dark = use_state_eq(super::theme::is_dark);
    {
        let dark = dark.clone();
        use_effect_with((), move |_| {
            let listeners =
                super::theme::listen_for_changes(move || dark.set(super::theme::is_dark()));
            move || drop(listeners)
        });
    }
    {
        let canvas_ref = canvas_ref.clone();
        // A blank layer stays untouched while it stays blank (an editor's change of a big
        // design re-renders the canvas, and clearing it again would make the browser
        // repaint), but is sized, so that a run's first picture changes nothing else.
        let blank = use_mut_ref(|| None::<(f64, f64)>);
        use_effect_with(
            (props.scene.clone(), *size, *dark),
            move |(scene, (width, height), dark)| {
                if scene.is_blank() && *blank.borrow() == Some((*width, *height)) {
                    return;
                }
                *blank.borrow_mut() = scene.is_blank().then_some((*width, *height));
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    paint(&canvas, scene, *width, *height, ink(*dark));
                }
            },
        );
    }
    html! {
        <canvas ref={canvas_ref} class="run-raster" aria-hidden="true"
                data-nodes={props.scene.nodes.len().to_string()} />
    }
}

/// Colours the layer needs beyond the load scale, as the page's style gives them (they
/// follow the chosen light or dark theme).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ink {
    danger: &'static str,
    warning: &'static str,
    text: &'static str,
    /// Secondary text (--text-2): the dotted border of a backend out of rotation.
    muted: &'static str,
    panel: &'static str,
}

fn ink(dark: bool) -> Ink {
    // The same values as `static/style.css` gives --danger, --text and --panel.
    if dark {
        Ink {
            danger: "#ff7676",
            warning: "#d98a00",
            text: "#e6e9ef",
            muted: "#a4acbb",
            panel: "#1a1e26",
        }
    } else {
        Ink {
            danger: "#d63b3b",
            warning: "#d98a00",
            text: "#1d2330",
            muted: "#5b6475",
            panel: "#ffffff",
        }
    }
}

/// How opaque the layer draws an edge: the nodes' boxes stay readable where edges cross.
pub const EDGE_OPACITY: f64 = 0.75;

/// An edge's colour on the layer: by its failure rate, else the traffic colour.
fn edge_colour(load: &EdgeLoad, ink: &Ink) -> &'static str {
    match load.failure_class() {
        "fails-many" => ink.danger,
        "fails-some" => ink.warning,
        _ => LOAD_COLOURS[2],
    }
}

/// An edge's colour as the layer paints it in the light or dark theme (for a picture of it).
pub fn edge_colour_in(load: &EdgeLoad, dark: bool) -> &'static str {
    edge_colour(load, &ink(dark))
}

fn paint(canvas: &HtmlCanvasElement, scene: &RasterScene, width: f64, height: f64, ink: Ink) {
    let ratio = crate::charts::canvas::pixel_ratio();
    let (pixels_w, pixels_h) = (
        (width * ratio).round().max(1.0) as u32,
        (height * ratio).round().max(1.0) as u32,
    );
    if canvas.width() != pixels_w {
        canvas.set_width(pixels_w);
    }
    if canvas.height() != pixels_h {
        canvas.set_height(pixels_h);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, f64::from(pixels_w), f64::from(pixels_h));
    if width <= 0.0 || height <= 0.0 {
        return;
    }
    let v = scene.viewport;
    // Canvas units to device pixels: the SVG's pan and zoom, at the screen's density.
    let _ = ctx.set_transform(
        v.zoom * ratio,
        0.0,
        0.0,
        v.zoom * ratio,
        v.pan_x * ratio,
        v.pan_y * ratio,
    );
    // What is on screen, in canvas units (a margin for badges and flags).
    let view = (
        -v.pan_x / v.zoom - NODE_WIDTH,
        -v.pan_y / v.zoom - NODE_HEIGHT,
        (width - v.pan_x) / v.zoom + NODE_WIDTH,
        (height - v.pan_y) / v.zoom + NODE_HEIGHT,
    );
    let on_screen = |x: f64, y: f64| x >= view.0 && x <= view.2 && y >= view.1 && y <= view.3;
    ctx.set_line_cap("round");
    for (start, end, load) in &scene.edges {
        if !on_screen(start.x, start.y) && !on_screen(end.x, end.y) {
            continue;
        }
        ctx.set_stroke_style_str(edge_colour(load, &ink));
        ctx.set_global_alpha(EDGE_OPACITY);
        ctx.set_line_width(load.width);
        ctx.begin_path();
        ctx.move_to(start.x, start.y);
        ctx.line_to(end.x, end.y);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    let shown = || {
        scene
            .nodes
            .iter()
            .filter(|(at, _, _)| on_screen(at.x, at.y))
    };
    for (at, load, bottleneck) in shown() {
        paint_node(&ctx, &ink, *at, load, *bottleneck);
    }
    // The words in two passes, each in one font: setting a canvas's font parses it every time,
    // and it was set twice per node (400 times a paint of 200 nodes). Drawn after every node, a
    // badge or flag is never covered by the next node's body either.
    ctx.set_text_align("center");
    if scene.detail {
        ctx.set_font("600 12px system-ui, sans-serif");
        for (at, load, _) in shown() {
            paint_badge(&ctx, &ink, *at, load);
        }
    }
    ctx.set_font("700 12px system-ui, sans-serif");
    for (at, load, bottleneck) in shown() {
        paint_flags(&ctx, &ink, *at, load, *bottleneck);
    }
}

fn paint_node(
    ctx: &CanvasRenderingContext2d,
    ink: &Ink,
    at: Position,
    load: &NodeLoad,
    bottleneck: bool,
) {
    if let Some(step) = load.load_step() {
        let colour = LOAD_COLOURS[step];
        // A tint over the node's body (its icon and label stay readable through it) and a
        // border in the load's colour.
        ctx.set_fill_style_str(colour);
        ctx.set_global_alpha(0.4);
        ctx.fill_rect(at.x, at.y, NODE_WIDTH, NODE_HEIGHT);
        ctx.set_global_alpha(1.0);
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(at.x + 1.0, at.y + 1.0, NODE_WIDTH - 2.0, NODE_HEIGHT - 2.0);
        let fraction = load.load.unwrap_or(0.0).clamp(0.0, 1.0);
        ctx.fill_rect(
            at.x + 10.0,
            at.y + NODE_HEIGHT - 6.0,
            (NODE_WIDTH - 20.0) * fraction,
            3.0,
        );
        if load.load.is_some_and(|l| l >= SATURATED) {
            hatch(ctx, ink, at);
        }
    }
    if load.rotation.out() && !load.down {
        // Out of rotation: a dotted border, as in the SVG (a crash's border wins).
        dashed_border(ctx, ink.muted, &[1.0, 5.0], at);
    }
    if load.down || bottleneck {
        ctx.set_stroke_style_str(ink.danger);
        ctx.set_line_width(3.0);
        ctx.stroke_rect(at.x - 1.0, at.y - 1.0, NODE_WIDTH + 2.0, NODE_HEIGHT + 2.0);
    }
}

/// The node's flags (down, limiting, shedding, bottleneck…) over its top left corner, in the
/// context's font and centred alignment.
fn paint_flags(
    ctx: &CanvasRenderingContext2d,
    ink: &Ink,
    at: Position,
    load: &NodeLoad,
    bottleneck: bool,
) {
    let mut flags = load.flags();
    if bottleneck {
        flags.push("bottleneck");
    }
    if flags.is_empty() {
        return;
    }
    let text = flags.join(" · ").to_uppercase();
    let width = 12.0 + 8.8 * text.chars().count() as f64;
    ctx.set_fill_style_str(ink.danger);
    ctx.fill_rect(at.x, at.y - 22.0, width, 19.0);
    ctx.set_fill_style_str("#ffffff");
    let _ = ctx.fill_text(&text, at.x + width / 2.0, at.y - 8.0);
}

/// The node's badge (throughput, p99, failures), centred under it in the same lines as the
/// SVG's, in the context's font and centred alignment.
fn paint_badge(ctx: &CanvasRenderingContext2d, ink: &Ink, at: Position, load: &NodeLoad) {
    let lines = load.badge_lines();
    let width = lines.iter().map(|l| badge_width(l)).fold(0.0, f64::max);
    let left = at.x + (NODE_WIDTH - width) / 2.0;
    ctx.set_fill_style_str(ink.panel);
    ctx.fill_rect(
        left,
        at.y + NODE_HEIGHT + 5.0,
        width,
        16.0 * lines.len() as f64 + 4.0,
    );
    ctx.set_fill_style_str(ink.text);
    for (i, line) in lines.iter().enumerate() {
        let _ = ctx.fill_text(
            line,
            at.x + NODE_WIDTH / 2.0,
            at.y + NODE_HEIGHT + 19.0 + 16.0 * i as f64,
        );
    }
}

/// A border of `dashes` round dots or dashes around a node.
fn dashed_border(ctx: &CanvasRenderingContext2d, colour: &str, dashes: &[f64], at: Position) {
    let pattern = js_sys::Array::new();
    for d in dashes {
        pattern.push(&(*d).into());
    }
    let _ = ctx.set_line_dash(&pattern);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(2.5);
    ctx.stroke_rect(at.x - 1.0, at.y - 1.0, NODE_WIDTH + 2.0, NODE_HEIGHT + 2.0);
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

/// Diagonal lines over a saturated node (colour is never the only cue).
fn hatch(ctx: &CanvasRenderingContext2d, ink: &Ink, at: Position) {
    ctx.save();
    ctx.begin_path();
    ctx.rect(at.x, at.y, NODE_WIDTH, NODE_HEIGHT);
    ctx.clip();
    ctx.set_stroke_style_str(ink.text);
    ctx.set_global_alpha(0.15);
    ctx.set_line_width(3.0);
    ctx.begin_path();
    let mut x = -NODE_HEIGHT;
    while x < NODE_WIDTH {
        ctx.move_to(at.x + x, at.y + NODE_HEIGHT);
        ctx.line_to(at.x + x + NODE_HEIGHT, at.y);
        x += 8.0;
    }
    ctx.stroke();
    ctx.restore();
}

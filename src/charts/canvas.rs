//! Painting on the page: a chart onto its `<canvas>` at the screen's pixel density (the canvas
//! holds CSS size × devicePixelRatio pixels and everything is drawn that much larger, so lines
//! and text stay crisp on high-DPI screens), the page's theme colours, and a chart saved as PNG.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

use super::colour::{Rgb, Theme};
use super::draw::{Style, draw};
use super::layout;
use super::spec::{Chart, Frame, Line};
use super::text_backend::TextOnceBackend;

/// A pending [`after_next_frame`]; dropping it cancels what has not run yet (the frame
/// request, or the task the frame scheduled).
pub struct AfterFrame {
    _frame: gloo_render::AnimationFrame,
    _task: Rc<RefCell<Option<Timeout>>>,
}

/// Runs `f` in a task of its own once the browser has drawn its next frame. Painting a chart
/// sets fonts and measures text, which needs the page's style and layout: called while a live
/// update's changes are still pending, it makes the browser restyle and lay out the page right
/// then, inside the paint's task. After the frame there is nothing pending.
pub fn after_next_frame(f: impl FnOnce() + 'static) -> AfterFrame {
    let task: Rc<RefCell<Option<Timeout>>> = Rc::default();
    let scheduled = task.clone();
    let frame = gloo_render::request_animation_frame(move |_| {
        *scheduled.borrow_mut() = Some(Timeout::new(0, f));
    });
    AfterFrame {
        _frame: frame,
        _task: task,
    }
}

/// Device pixels per CSS pixel (at least 1).
pub fn pixel_ratio() -> f64 {
    web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0)
}

thread_local! {
    /// The colours last read from the page, and whether it was dark then. Reading them asks
    /// for computed style, which makes the browser restyle everything changed since the last
    /// frame right then — on a live update of a big design that alone took 15–45 ms — so they
    /// are read once and again only when the page goes from light to dark or back.
    static THEME: std::cell::Cell<Option<(bool, Theme)>> = const { std::cell::Cell::new(None) };
}

/// The page's colours (they follow light and dark mode), read once and kept while the page
/// stays light or dark. Whether it is dark comes from the header's choice and the system's
/// preference (an attribute and a media query: neither makes the browser restyle), so colours
/// read before a switch are never used after it — also when no chart was on the page to hear
/// of the switch (dark chosen, then a template run: its charts came out in light colours).
pub fn theme() -> Theme {
    let dark = crate::components::theme::is_dark();
    THEME.with(|kept| match kept.get() {
        Some((was_dark, colours)) if was_dark == dark => colours,
        _ => {
            let read = read_theme();
            kept.set(Some((dark, read)));
            read
        }
    })
}

/// Reads the page's colours again (the light/dark preference changed) and keeps them.
pub fn refresh_theme() -> Theme {
    let read = read_theme();
    THEME.with(|kept| kept.set(Some((crate::components::theme::is_dark(), read))));
    read
}

/// The page's current colours, from its CSS variables.
fn read_theme() -> Theme {
    let fallback = Theme::default();
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return fallback;
    };
    let Some(style) = web_sys::window().and_then(|w| w.get_computed_style(&root).ok().flatten())
    else {
        return fallback;
    };
    let read = |name: &str, default: Rgb| {
        style
            .get_property_value(name)
            .ok()
            .and_then(|v| Rgb::parse(&v))
            .unwrap_or(default)
    };
    Theme {
        background: read("--panel", fallback.background),
        text: read("--text-2", fallback.text),
        muted: read("--text-3", fallback.muted),
        grid: read("--border", fallback.grid),
        warmup: read("--panel-2", fallback.warmup),
    }
}

/// Paints `chart` on `canvas`, `width` CSS px wide (as the page laid it out) and as tall as the
/// chart's layout says. Drawing errors leave the canvas as it is (there is nothing a person could
/// do about them) and are logged.
pub fn paint(
    canvas: &HtmlCanvasElement,
    width: f64,
    chart: &Chart,
    shown: &[Line],
    frame: &Frame,
    theme: Theme,
) {
    let performance = web_sys::window().and_then(|w| w.performance());
    let started = performance.as_ref().map(|p| p.now());
    let scale = pixel_ratio();
    let height = layout::height(&chart.body);
    // Setting the size also clears the canvas.
    canvas.set_width((width.max(120.0) * scale).round() as u32);
    canvas.set_height((height * scale).round() as u32);
    let Some(backend) = TextOnceBackend::with_canvas_object(canvas.clone()) else {
        return;
    };
    let root = backend.into_drawing_area();
    if let Err(e) = draw(&root, chart, shown, frame, &Style { scale, theme }) {
        web_sys::console::warn_1(&format!("chart {}: {e}", chart.id).into());
    }
    // How long the painting took, for the end-to-end test that keeps every paint short.
    if let (Some(p), Some(started)) = (performance, started) {
        let _ = canvas.set_attribute("data-paint-ms", &format!("{:.1}", p.now() - started));
    }
}

/// Offers the canvas's picture as a PNG download named `file_name`, on the page's background
/// (the chart itself is painted on a transparent canvas, which image viewers show as black).
pub fn save_png(canvas: &HtmlCanvasElement, file_name: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let picture: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| "could not create a canvas")?
        .dyn_into()
        .map_err(|_| "could not create a canvas")?;
    picture.set_width(canvas.width());
    picture.set_height(canvas.height());
    let ctx: web_sys::CanvasRenderingContext2d = picture
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the browser gave no 2D canvas")?;
    ctx.set_fill_style_str(&theme().background.css());
    ctx.fill_rect(
        0.0,
        0.0,
        f64::from(canvas.width()),
        f64::from(canvas.height()),
    );
    ctx.draw_image_with_html_canvas_element(canvas, 0.0, 0.0)
        .map_err(|_| "could not copy the chart")?;
    let url = picture
        .to_data_url_with_type("image/png")
        .map_err(|_| "the browser would not turn the chart into a picture".to_string())?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "could not create a link")?
        .dyn_into()
        .map_err(|_| "could not create a link")?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    let body = document.body().ok_or("no document body")?;
    body.append_child(&anchor)
        .map_err(|_| "could not add the link")?;
    anchor.click();
    anchor.remove();
    Ok(())
}

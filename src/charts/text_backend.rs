//! plotters' canvas backend, with text drawn without setting the same font again.
//!
//! `plotters_canvas::CanvasBackend::draw_text` sets the context's font, alignment and baseline
//! for every piece of text, and the browser parses a font each time one is set. A chart's tick
//! labels, legend and notes are dozens of texts in two or three fonts; over a live run of a
//! 200-node design, setting fonts came to several percent of the page's main-thread time
//! (`bench/ui-long-tasks.mjs` with `CALLERS=set_font`). This backend draws everything through
//! plotters' own backend but its text, which it draws as that backend does (same font string,
//! colour, alignment, baseline and rotation), setting each of those only when it changes.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform, text_anchor::HPos, text_anchor::VPos,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The text settings last given to the context (None: not set by this backend yet).
#[derive(Default)]
struct TextState {
    font: Option<String>,
    align: Option<&'static str>,
    baseline: Option<&'static str>,
}

pub struct TextOnceBackend {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    text: TextState,
}

impl TextOnceBackend {
    /// A backend painting on `canvas` (None when the browser gives no 2D context).
    pub fn with_canvas_object(canvas: HtmlCanvasElement) -> Option<TextOnceBackend> {
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()?
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas)?;
        Some(TextOnceBackend {
            inner,
            context,
            text: TextState::default(),
        })
    }
}

/// The CSS colour plotters' canvas backend gives a colour.
fn css(color: BackendColor) -> String {
    let (r, g, b) = color.rgb;
    format!("rgba({r},{g},{b},{})", color.alpha)
}

/// Sets `value` through `set` unless `last` says the context has it already.
fn set_once<T: PartialEq + Clone>(last: &mut Option<T>, value: T, set: impl FnOnce(&T)) {
    if last.as_ref() != Some(&value) {
        set(&value);
        *last = Some(value);
    }
}

/// A drawing call the browser refused, in its words (plotters' canvas backend does not export
/// its own error type).
#[derive(Debug)]
pub struct PaintError(String);

impl std::fmt::Display for PaintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PaintError {}

type Result<E> = std::result::Result<(), DrawingErrorKind<E>>;

/// The inner backend's result, its error told in [`PaintError`]'s terms.
fn lift<T, E: std::error::Error + Send + Sync>(
    result: std::result::Result<T, DrawingErrorKind<E>>,
) -> std::result::Result<T, DrawingErrorKind<PaintError>> {
    result.map_err(|e| match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(PaintError(e.to_string()))
        }
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    })
}

impl DrawingBackend for TextOnceBackend {
    type ErrorType = PaintError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<Self::ErrorType> {
        lift(self.inner.ensure_prepared())
    }

    fn present(&mut self) -> Result<Self::ErrorType> {
        lift(self.inner.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<Self::ErrorType> {
        lift(self.inner.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<Self::ErrorType> {
        lift(self.inner.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<Self::ErrorType> {
        lift(self.inner.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<Self::ErrorType> {
        lift(self.inner.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<Self::ErrorType> {
        lift(self.inner.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<Self::ErrorType> {
        lift(self.inner.fill_polygon(vert, style))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (width, height): (u32, u32),
        src: &[u8],
    ) -> Result<Self::ErrorType> {
        lift(self.inner.blit_bitmap(pos, (width, height), src))
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        lift(self.inner.estimate_text_size(text, style))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<Self::ErrorType> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let degrees = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        };
        let font = format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        );
        let align = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        };
        let ctx = &self.context;
        // Fill styles change with every shape plotters fills: always set.
        ctx.set_fill_style_str(&css(color));
        let (x, y) = (f64::from(pos.0), f64::from(pos.1));
        if degrees != 0.0 {
            // Rotated text is drawn between save and restore, which puts every setting back as
            // it was: set them inside, and the state remembered stays true.
            ctx.save();
            let drawn = ctx
                .translate(x, y)
                .and_then(|()| ctx.rotate(degrees / 180.0 * std::f64::consts::PI))
                .map(|()| {
                    ctx.set_text_baseline(baseline);
                    ctx.set_text_align(align);
                    ctx.set_font(&font);
                })
                .and_then(|()| ctx.fill_text(text, 0.0, 0.0));
            ctx.restore();
            return drawn.map_err(|e| DrawingErrorKind::DrawingError(js_error(e)));
        }
        let state = &mut self.text;
        set_once(&mut state.baseline, baseline, |b| ctx.set_text_baseline(b));
        set_once(&mut state.align, align, |a| ctx.set_text_align(a));
        set_once(&mut state.font, font, |f| ctx.set_font(f));
        ctx.fill_text(text, x, y)
            .map_err(|e| DrawingErrorKind::DrawingError(js_error(e)))
    }
}

/// A failed call into the browser, in words.
fn js_error(e: wasm_bindgen::JsValue) -> PaintError {
    PaintError(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

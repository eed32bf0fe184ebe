//! The diagram as a picture: the canvas's SVG as it looks on screen (labels, kind colours, and a
//! run's heat colours and badges when one is shown), as a standalone `.svg` file or a `.png`.
//!
//! The page's SVG is styled by the style sheet (CSS variables for the theme, classes for the
//! state), which a file on its own would not have: each element's computed style is written
//! into the copy, so the file looks the same anywhere. The editing aids (handles, the quick-add
//! button, the rubber band) are left out, and the picture is cropped to the design with a margin.
//!
//! A big design's run is drawn on a raster layer over the SVG (`canvas_raster`), not in it: for
//! those the run's look is given here ([`RunPaint`]) and painted onto the copy: heat colours on
//! the node boxes, mixed with the node background as the style sheet mixes them, and each
//! edge's traffic width and failure colour, as the layer draws them.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::Element;

use crate::charts::colour::Rgb;
use crate::persist::browser;
use crate::state::geometry::Rect;

/// A run the SVG itself does not show (the raster layer's), as the layer paints it.
#[derive(Debug, Default)]
pub struct RunPaint {
    /// A node's heat colour (its load step's colour, `canvas_overlay::LOAD_COLOURS`), by id.
    pub nodes: std::collections::BTreeMap<String, &'static str>,
    /// An edge's stroke width (canvas units) and colour, by id.
    pub edges: std::collections::BTreeMap<String, (f64, &'static str)>,
}

/// How much of the load colour a loaded node's box takes (the rest is the node background), as
/// `static/style.css` mixes it (`color-mix(in srgb, <load> 34%, var(--node-bg))`).
const HEAT_MIX: f64 = 0.34;

/// The style properties that make the picture; computed values (colours resolved, sizes in px).
const STYLE_PROPERTIES: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "letter-spacing",
    "text-anchor",
    "dominant-baseline",
    "color",
];

/// What is on the canvas to help editing, not part of the picture.
const EDITING_AIDS: &str =
    ".node-handle, .quick-add, .rubber-band, .connect-line, .edge-hit, .annotation-resize";

/// Space around the design in the picture, canvas units.
const MARGIN: f64 = 24.0;
/// PNG pixels per canvas unit: sharp on high-density screens and in documents.
const PNG_SCALE: f64 = 2.0;

/// The standalone SVG text of the diagram cropped to `bounds` (the design's extent), with
/// `run` painted on it (empty when the SVG shows the run itself, or no run).
pub fn diagram_svg(bounds: Rect, run: &RunPaint) -> Result<String, String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let document = window.document().ok_or("no document")?;
    let svg = document
        .query_selector("#canvas svg.canvas-content")
        .ok()
        .flatten()
        .ok_or("the canvas is not on the page")?;
    let copy: Element = svg
        .clone_node_with_deep(true)
        .map_err(|_| "the canvas could not be copied")?
        .dyn_into()
        .map_err(|_| "the canvas could not be copied")?;
    let node_background = document
        .document_element()
        .and_then(|root| window.get_computed_style(&root).ok().flatten())
        .and_then(|style| style.get_property_value("--node-bg").ok())
        .and_then(|value| Rgb::parse(&value))
        .unwrap_or(Rgb(0xff, 0xff, 0xff));
    // The same elements in the same order in both: copy each one's look onto its twin.
    let originals = svg.query_selector_all("*").map_err(|_| "no elements")?;
    let twins = copy.query_selector_all("*").map_err(|_| "no elements")?;
    for i in 0..originals.length().min(twins.length()) {
        let (Some(original), Some(twin)) = (
            originals.item(i).and_then(|n| n.dyn_into::<Element>().ok()),
            twins.item(i).and_then(|n| n.dyn_into::<Element>().ok()),
        ) else {
            continue;
        };
        let Ok(Some(style)) = window.get_computed_style(&original) else {
            continue;
        };
        let mut inline: String = STYLE_PROPERTIES
            .iter()
            .filter_map(|property| {
                let value = style.get_property_value(property).ok()?;
                (!value.is_empty()).then(|| format!("{property}:{value};"))
            })
            .collect();
        if original
            .get_attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == "node-body"))
            && let Some(colour) = original
                .closest("[data-node-id]")
                .ok()
                .flatten()
                .and_then(|node| node.get_attribute("data-node-id"))
                .and_then(|id| run.nodes.get(&id))
                .and_then(|c| Rgb::parse(c))
        {
            // Later declarations win: the run's colour over the editor's.
            let mix = |a: u8, b: u8| {
                (f64::from(a) * HEAT_MIX + f64::from(b) * (1.0 - HEAT_MIX)).round() as u8
            };
            let fill = Rgb(
                mix(colour.0, node_background.0),
                mix(colour.1, node_background.1),
                mix(colour.2, node_background.2),
            );
            inline.push_str(&format!(
                "fill:{};stroke:{};stroke-width:2px;",
                fill.css(),
                colour.css()
            ));
        }
        if original
            .get_attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == "edge-line"))
            && let Some((width, colour)) = original
                .closest("[data-edge-id]")
                .ok()
                .flatten()
                .and_then(|edge| edge.get_attribute("data-edge-id"))
                .and_then(|id| run.edges.get(&id))
        {
            inline.push_str(&format!(
                "stroke:{colour};stroke-width:{width:.2}px;stroke-opacity:{};",
                super::canvas_raster::EDGE_OPACITY
            ));
        }
        let _ = twin.set_attribute("style", &inline);
        let _ = twin.remove_attribute("tabindex");
        let _ = twin.remove_attribute("class");
    }
    // Editing aids are found by class in the original and removed by position from the copy.
    let aids = svg
        .query_selector_all(EDITING_AIDS)
        .map_err(|_| "no elements")?;
    let mut doomed = Vec::new();
    for i in 0..aids.length() {
        if let Some(aid) = aids.item(i) {
            for j in 0..originals.length() {
                if originals.item(j).as_ref() == Some(&aid) {
                    doomed.push(j);
                }
            }
        }
    }
    for j in doomed {
        if let Some(twin) = twins.item(j)
            && let Some(parent) = twin.parent_node()
        {
            let _ = parent.remove_child(&twin);
        }
    }
    let (x, y) = (bounds.x - MARGIN, bounds.y - MARGIN);
    let (width, height) = (bounds.width + 2.0 * MARGIN, bounds.height + 2.0 * MARGIN);
    // Under the drawing, a plain fill of the canvas colour (the page's dotted grid is not part
    // of the picture).
    if let Ok(background) = document.create_element_ns(Some("http://www.w3.org/2000/svg"), "rect") {
        for (name, value) in [
            ("x", x.to_string()),
            ("y", y.to_string()),
            ("width", width.to_string()),
            ("height", height.to_string()),
            (
                "style",
                format!("fill:{}", canvas_background(&window, &document)),
            ),
        ] {
            let _ = background.set_attribute(name, &value);
        }
        let _ = copy.insert_before(&background, copy.first_child().as_ref());
    }
    for (name, value) in [
        ("xmlns", "http://www.w3.org/2000/svg".to_string()),
        ("viewBox", format!("{x} {y} {width} {height}")),
        ("width", format!("{width}")),
        ("height", format!("{height}")),
        ("role", "img".to_string()),
    ] {
        let _ = copy.set_attribute(name, &value);
    }
    for name in ["class", "style", "tabindex", "aria-label", "data-viewport"] {
        let _ = copy.remove_attribute(name);
    }
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        copy.outer_html()
    ))
}

/// The canvas's background colour as the page shows it.
fn canvas_background(window: &web_sys::Window, document: &web_sys::Document) -> String {
    document
        .get_element_by_id("canvas-surface")
        .and_then(|e| window.get_computed_style(&e).ok().flatten())
        .and_then(|s| s.get_property_value("background-color").ok())
        .filter(|c| !c.is_empty() && c != "rgba(0, 0, 0, 0)")
        .unwrap_or_else(|| "#ffffff".to_string())
}

/// Downloads the diagram as `<name>.svg`.
pub fn download_svg(file_stem: &str, bounds: Rect, run: &RunPaint) -> Result<(), String> {
    let svg = diagram_svg(bounds, run)?;
    browser::download_text(&format!("{file_stem}.svg"), "image/svg+xml", &svg)
}

/// Downloads the diagram as `<name>.png`: the SVG drawn on a canvas at [`PNG_SCALE`].
pub fn download_png(file_stem: &str, bounds: Rect, run: &RunPaint) -> Result<(), String> {
    let svg = diagram_svg(bounds, run)?;
    let window = web_sys::window().ok_or("no browser window")?;
    let document = window.document().ok_or("no document")?;
    let width = ((bounds.width + 2.0 * MARGIN) * PNG_SCALE).ceil();
    let height = ((bounds.height + 2.0 * MARGIN) * PNG_SCALE).ceil();
    let image = web_sys::HtmlImageElement::new().map_err(|_| "no image element")?;
    let source = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&svg))
    );
    let file_name = format!("{file_stem}.png");
    let drawn = image.clone();
    let onload = Closure::once(move || {
        let result = (|| -> Result<(), String> {
            let canvas: web_sys::HtmlCanvasElement = document
                .create_element("canvas")
                .map_err(|_| "no canvas")?
                .dyn_into()
                .map_err(|_| "no canvas")?;
            canvas.set_width(width as u32);
            canvas.set_height(height as u32);
            let context: web_sys::CanvasRenderingContext2d = canvas
                .get_context("2d")
                .ok()
                .flatten()
                .ok_or("no 2d context")?
                .dyn_into()
                .map_err(|_| "no 2d context")?;
            context
                .draw_image_with_html_image_element_and_dw_and_dh(&drawn, 0.0, 0.0, width, height)
                .map_err(|_| "the diagram could not be drawn")?;
            let url = canvas
                .to_data_url_with_type("image/png")
                .map_err(|_| "no PNG")?;
            browser::download_url(&file_name, &url)
        })();
        if let Err(reason) = result {
            web_sys::console::warn_1(&format!("PNG export failed: {reason}").into());
        }
    });
    image.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    image.set_src(&source);
    Ok(())
}

//! The editor's canvas rendered by Yew in a real browser, in the debug build this layer compiles
//! (the build `scripts/serve.sh` serves), where Yew checks what its release build skips: keyed
//! lists with a duplicate key panic there and take the whole page down. And the charts' canvas
//! backend, against plotters' own, pixel for pixel.
//!
//! Run with `cargo test -p archsim --target wasm32-unknown-unknown --test web_canvas`. Natively
//! this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use archsim::components::canvas::Canvas;
use archsim::components::canvas_overlay::{BreakerView, EdgeLoad, RunOverlay};
use archsim::state::{Action, EditorState};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Reducible;
use yew::prelude::*;

mod web_common;

use web_common::{fresh_host, wait_for};

wasm_bindgen_test_configure!(run_in_browser);

/// A client calling a payments service over an edge with a timeout, retries and a circuit
/// breaker: the edge gets both a resilience badge ("T300 ↻3 CB") and, during a run, a breaker
/// badge — two badges of one edge side by side in the canvas's badge layer.
const BREAKER_DESIGN: &str = r#"{
    "version": 3,
    "name": "breaker badges",
    "nodes": [
        { "id": "orders", "kind": "client", "position": { "x": 80, "y": 200 }, "params": {} },
        { "id": "payments", "kind": "service", "position": { "x": 640, "y": 200 }, "params": {} }
    ],
    "edges": [
        {
            "id": "orders-to-payments", "from": "orders", "to": "payments",
            "params": {
                "timeout_ms": 300,
                "retry": { "max_attempts": 3, "base_ms": 50, "multiplier": 2,
                           "max_backoff_ms": 1000, "jitter": "full", "retry_on_timeout": true },
                "circuit_breaker": { "failure_threshold": 0.5, "minimum_calls": 20,
                                     "window_ms": 10000, "open_ms": 5000, "half_open_probes": 3 }
            }
        }
    ]
}"#;

const EDGE: &str = "orders-to-payments";

fn overlay_with_breaker(breaker: BreakerView) -> Rc<RunOverlay> {
    let mut edges = BTreeMap::new();
    edges.insert(
        EDGE.to_string(),
        EdgeLoad {
            calls_rps: 50.0,
            failure_rate: 0.5,
            width: 2.0,
            breaker: Some(breaker),
        },
    );
    Rc::new(RunOverlay {
        caption: "Live · 35 s".to_string(),
        nodes: BTreeMap::new(),
        edges,
        bottleneck: None,
    })
}

#[derive(Properties, PartialEq)]
struct CanvasWithRunProps {
    overlay: Rc<RunOverlay>,
}

/// The canvas as the app shows it during a run: the design loaded, the run's overlay on it.
#[function_component(CanvasWithRun)]
fn canvas_with_run(props: &CanvasWithRunProps) -> Html {
    let state = use_reducer(|| {
        let design = archsim_model::load_design(BREAKER_DESIGN)
            .unwrap_or_else(|problems| panic!("the test design must load: {problems:?}"));
        Rc::unwrap_or_clone(Rc::new(EditorState::default()).reduce(Action::LoadDesign(design)))
    });
    html! {
        <div style="width: 1000px; height: 600px; position: relative;">
            <Canvas state={state} space_held={false} on_file_drop={Callback::noop()}
                overlay={Some(props.overlay.clone())} />
        </div>
    }
}

#[wasm_bindgen_test]
async fn an_edge_with_a_breaker_shows_its_resilience_badge_and_its_breaker_state_together() {
    let host = fresh_host("canvas-breaker-host");
    let app = yew::Renderer::<CanvasWithRun>::with_root_and_props(
        host.clone(),
        CanvasWithRunProps {
            overlay: overlay_with_breaker(BreakerView::Closed),
        },
    )
    .render();

    // With one key for both badges of the edge, Yew's debug build panicked in this first render
    // ("duplicate key detected: orders-to-payments") and neither badge reached the page.
    let badge = format!(".edge-badge[data-edge-id=\"{EDGE}\"]");
    let breaker = format!(".breaker-state[data-edge-id=\"{EDGE}\"]");
    assert!(
        wait_for(&host, &badge, Duration::from_secs(5))
            .await
            .is_some(),
        "no resilience badge on the edge; canvas HTML: {}",
        host.inner_html()
    );
    let shown = wait_for(&host, &breaker, Duration::from_secs(5))
        .await
        .unwrap_or_else(|| {
            panic!(
                "no breaker badge on the edge; canvas HTML: {}",
                host.inner_html()
            )
        });
    assert_eq!(
        shown.get_attribute("data-breaker").as_deref(),
        Some("closed")
    );

    // The next live update opens the breaker: the diff keeps one badge of each kind and the
    // breaker badge says OPEN.
    let mut app = app;
    app.update(CanvasWithRunProps {
        overlay: overlay_with_breaker(BreakerView::Open),
    });
    let open = format!(".breaker-state[data-edge-id=\"{EDGE}\"][data-breaker=\"open\"]");
    assert!(
        wait_for(&host, &open, Duration::from_secs(5))
            .await
            .is_some(),
        "the breaker badge did not turn open; canvas HTML: {}",
        host.inner_html()
    );
    let count = |selector: &str| host.query_selector_all(selector).unwrap().length();
    assert_eq!(count(&badge), 1, "one resilience badge on the edge");
    assert_eq!(
        count(&format!(".breaker-state[data-edge-id=\"{EDGE}\"]")),
        1,
        "one breaker badge on the edge"
    );
    app.destroy();
}

/// A canvas of `width` × `height` pixels, in the page (text is measured and drawn as on screen).
fn fresh_canvas(id: &str, width: u32, height: u32) -> web_sys::HtmlCanvasElement {
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas.set_width(width);
    canvas.set_height(height);
    fresh_host(id).append_child(&canvas).unwrap();
    canvas
}

/// The canvas's picture, as a PNG data URL (the same pixels give the same text).
fn picture(canvas: &web_sys::HtmlCanvasElement) -> String {
    canvas.to_data_url().unwrap()
}

/// The chart backend that sets a font only when it changes paints exactly what plotters' own
/// canvas backend paints: a chart with two lines, tick labels, a legend and a labelled fault
/// window, pixel for pixel, at two pixel densities.
#[wasm_bindgen_test]
fn charts_painted_setting_each_font_once_match_plotters_canvas_backend() {
    use archsim::charts::colour::{self, Theme};
    use archsim::charts::draw::{Style, draw};
    use archsim::charts::spec::{Body, Chart, FaultWindow, Frame, Line, Lines};
    use archsim::charts::text_backend::TextOnceBackend;
    use plotters::prelude::IntoDrawingArea;
    use plotters_canvas::CanvasBackend;

    let frame = Frame {
        bucket_ms: 1000.0,
        t_ms: (0..20).map(|i| f64::from(i) * 1000.0).collect(),
        end_ms: 20_000.0,
        warmup_ms: 2000.0,
        faults: vec![FaultWindow {
            from_ms: 8000.0,
            to_ms: 12_000.0,
            label: "db down".into(),
        }],
    };
    let line = |k: usize, scale: f64| Line {
        key: format!("l{k}"),
        label: format!("service {k}"),
        colour: colour::line(k),
        dashed: k == 1,
        values: (0..20).map(|i| Some(scale * f64::from(i % 7))).collect(),
    };
    let shown = vec![line(0, 10.0), line(1, 3.5)];
    let chart = Chart {
        id: "t".into(),
        title: "Throughput".into(),
        unit: "rps".into(),
        story: false,
        body: Body::Lines(Lines {
            lines: shown.clone(),
            ..Lines::default()
        }),
        empty_text: String::new(),
    };
    for scale in [1.0, 2.0] {
        let (width, height) = ((400.0 * scale) as u32, (220.0 * scale) as u32);
        let style = Style {
            scale,
            theme: Theme::default(),
        };
        let plain = fresh_canvas("chart-plain", width, height);
        let root = CanvasBackend::with_canvas_object(plain.clone())
            .unwrap()
            .into_drawing_area();
        draw(&root, &chart, &shown, &frame, &style).unwrap();
        let once = fresh_canvas("chart-once", width, height);
        let root = TextOnceBackend::with_canvas_object(once.clone())
            .unwrap()
            .into_drawing_area();
        draw(&root, &chart, &shown, &frame, &style).unwrap();
        let blank = picture(&fresh_canvas("chart-blank", width, height));
        assert_ne!(picture(&plain), blank, "something was painted");
        assert!(
            picture(&plain) == picture(&once),
            "at {scale}×, the two backends painted different pictures"
        );
    }
}

//! The results panel's size: a splitter between the canvas and the panel that a person drags
//! (or moves with the arrow keys) and a button that collapses the panel, both remembered across
//! reloads. The panel keeps its height whether or not there are results, so the canvas never
//! changes size — and is never re-fitted to a smaller zoom — because a run finished.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the layout is kept in localStorage.
pub const LAYOUT_KEY: &str = "archsim.layout.v1";
/// The panel's least height when open (px): a header and a few lines of results.
pub const MIN_PANEL: f64 = 120.0;
/// The canvas keeps at least this much height (px) however far the splitter is dragged.
pub const MIN_CANVAS: f64 = 220.0;
/// Height the panel opens with the first time, as a fraction of the space below the header.
pub const DEFAULT_FRACTION: f64 = 0.3;
/// One arrow-key press moves the splitter this far (px); with Shift, four times as far.
pub const KEY_STEP: f64 = 24.0;

/// The results panel's size, as the person left it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PanelLayout {
    /// Height when open, px; None until the person chooses one (the default then follows the
    /// window's height).
    pub height: Option<f64>,
    pub collapsed: bool,
}

impl PanelLayout {
    /// The panel's height in a column `available` px tall (canvas + panel), within bounds.
    pub fn panel_height(&self, available: f64) -> f64 {
        let wanted = self.height.unwrap_or(available * DEFAULT_FRACTION);
        clamp_panel(wanted, available)
    }

    /// As JSON text, for localStorage.
    pub fn to_text(self) -> String {
        serde_json::json!({ "height": self.height, "collapsed": self.collapsed }).to_string()
    }

    /// From what [`to_text`](Self::to_text) wrote; anything unreadable gives the default.
    pub fn from_text(text: &str) -> PanelLayout {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            return PanelLayout::default();
        };
        PanelLayout {
            height: value
                .get("height")
                .and_then(serde_json::Value::as_f64)
                .filter(|h| h.is_finite() && *h > 0.0),
            collapsed: value
                .get("collapsed")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        }
    }
}

/// `wanted` px of panel within a column `available` px tall: at least [`MIN_PANEL`], and never
/// so tall that the canvas gets less than [`MIN_CANVAS`] (the canvas wins on a tiny window).
pub fn clamp_panel(wanted: f64, available: f64) -> f64 {
    let most = (available - MIN_CANVAS).max(MIN_PANEL);
    let wanted = if wanted.is_finite() {
        wanted
    } else {
        MIN_PANEL
    };
    wanted.clamp(MIN_PANEL, most)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The layout kept in localStorage (the default when there is none or it cannot be read).
pub fn load_layout() -> PanelLayout {
    storage()
        .and_then(|s| s.get_item(LAYOUT_KEY).ok().flatten())
        .map_or_else(PanelLayout::default, |text| PanelLayout::from_text(&text))
}

/// Keeps the layout; a full or missing storage only means it is not remembered.
pub fn save_layout(layout: PanelLayout) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(LAYOUT_KEY, &layout.to_text());
    }
}

/// The height of the column the canvas and the panel share (the `.center` element less the
/// run bar; the splitter overlaps the canvas's edge), px.
pub fn available_height() -> f64 {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return 800.0;
    };
    let height_of = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .map_or(0.0, |e| e.get_bounding_client_rect().height())
    };
    (height_of("main.center") - height_of("#run-bar")).max(0.0)
}

#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    pub layout: PanelLayout,
    /// The panel's height now (px), as laid out.
    pub panel_height: f64,
    pub on_change: Callback<PanelLayout>,
}

/// The bar between the canvas and the results panel: drag it to resize the panel, or focus it
/// and use the arrow keys (Home/End for the least and most, Enter to collapse or open).
#[function_component(Splitter)]
pub fn splitter(props: &SplitterProps) -> Html {
    let drag = use_mut_ref(|| None::<(f64, f64)>);
    let on_pointer_down = {
        let drag = drag.clone();
        let height = props.panel_height;
        let collapsed = props.layout.collapsed;
        Callback::from(move |event: PointerEvent| {
            if event.button() != 0 {
                return;
            }
            event.prevent_default();
            if let Some(target) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = target.set_pointer_capture(event.pointer_id());
            }
            let start_height = if collapsed { 0.0 } else { height };
            *drag.borrow_mut() = Some((f64::from(event.client_y()), start_height));
        })
    };
    let on_pointer_move = {
        let drag = drag.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: PointerEvent| {
            let Some((start_y, start_height)) = *drag.borrow() else {
                return;
            };
            // Dragging up makes the panel taller.
            let wanted = start_height + (start_y - f64::from(event.client_y()));
            let available = available_height();
            on_change.emit(PanelLayout {
                height: Some(clamp_panel(wanted, available)),
                collapsed: false,
            });
        })
    };
    let on_pointer_up = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| {
            drag.borrow_mut().take();
        })
    };
    let on_key = {
        let on_change = props.on_change.clone();
        let layout = props.layout;
        let height = props.panel_height;
        Callback::from(move |event: KeyboardEvent| {
            let available = available_height();
            let step = if event.shift_key() {
                4.0 * KEY_STEP
            } else {
                KEY_STEP
            };
            let next = match event.key().as_str() {
                "ArrowUp" => Some(height + step),
                "ArrowDown" => Some(height - step),
                "Home" => Some(MIN_PANEL),
                "End" => Some(f64::INFINITY),
                "Enter" | " " => {
                    event.prevent_default();
                    on_change.emit(PanelLayout {
                        collapsed: !layout.collapsed,
                        ..layout
                    });
                    return;
                }
                _ => None,
            };
            if let Some(wanted) = next {
                event.prevent_default();
                let wanted = if wanted.is_infinite() {
                    available
                } else {
                    wanted
                };
                on_change.emit(PanelLayout {
                    height: Some(clamp_panel(wanted, available)),
                    collapsed: false,
                });
            }
        })
    };
    let shown = if props.layout.collapsed {
        0.0
    } else {
        props.panel_height
    };
    html! {
        <div id="results-splitter" class={classes!("results-splitter", props.layout.collapsed.then_some("is-collapsed"))}
             role="separator" aria-orientation="horizontal" tabindex="0"
             aria-label="Resize the results panel (arrow keys; Enter collapses or opens it)"
             aria-valuemin="0" aria-valuenow={format!("{shown:.0}")}
             onpointerdown={on_pointer_down} onpointermove={on_pointer_move}
             onpointerup={on_pointer_up.clone()} onpointercancel={on_pointer_up}
             onkeydown={on_key}>
            <span class="results-splitter-grip" aria-hidden="true" />
        </div>
    }
}

/// Calls `on_resize` when the window changes size (the panel's bounds follow the window).
#[hook]
pub fn use_window_resize(on_resize: Callback<()>) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            gloo_events::EventListener::new(&window, "resize", move |_| on_resize.emit(()))
        });
        move || drop(listener)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_stays_between_its_least_height_and_the_canvas_least_height() {
        assert_eq!(clamp_panel(300.0, 900.0), 300.0);
        assert_eq!(clamp_panel(10.0, 900.0), MIN_PANEL);
        assert_eq!(clamp_panel(5_000.0, 900.0), 900.0 - MIN_CANVAS);
        // A tiny window: the panel keeps its least height, the canvas gets what is left.
        assert_eq!(clamp_panel(300.0, 200.0), MIN_PANEL);
        assert_eq!(clamp_panel(f64::NAN, 900.0), MIN_PANEL);
    }

    #[test]
    fn the_default_height_follows_the_window_and_a_chosen_one_is_kept() {
        let layout = PanelLayout::default();
        assert_eq!(layout.panel_height(1_000.0), 300.0);
        let chosen = PanelLayout {
            height: Some(260.0),
            collapsed: false,
        };
        assert_eq!(chosen.panel_height(1_000.0), 260.0);
        assert_eq!(chosen.panel_height(400.0), 400.0 - MIN_CANVAS);
    }

    #[test]
    fn the_layout_is_remembered_as_text_and_bad_text_gives_the_default() {
        let layout = PanelLayout {
            height: Some(275.5),
            collapsed: true,
        };
        assert_eq!(PanelLayout::from_text(&layout.to_text()), layout);
        assert_eq!(
            PanelLayout::from_text(&PanelLayout::default().to_text()),
            PanelLayout::default()
        );
        assert_eq!(PanelLayout::from_text("not json"), PanelLayout::default());
        assert_eq!(
            PanelLayout::from_text(r#"{"height": -4, "collapsed": "yes"}"#),
            PanelLayout::default()
        );
    }
}

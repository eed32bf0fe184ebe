//! The editor surface: an `<svg>` with the nodes and edges of the design, panned and zoomed by
//! a CSS transform of that `<svg>` over a second one with the grid, plus the pointer gestures
//! that edit it (move, connect, rubber-band select, pan) and drops from the palette or of a
//! design file.
//!
//! Gestures live in a `RefCell` rather than in component state: pointer moves arrive faster
//! than frames and must not each cause a render of the canvas. Only what the person must see
//! (the rubber band, the connection line) is state.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use archsim_model::{Edge, Node, Position};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use super::canvas_overlay::{
    BADGE_GAP, BADGE_LINE, BreakerView, EdgeLoad, FLAGS_HEIGHT, FLAGS_TOP, LOAD_STEP_CLASSES,
    NodeLoad, RunOverlay, SATURATED, badge_box_height, badge_box_width, badge_width, flags_width,
    node_marks,
};
use super::canvas_raster::{RASTER_MIN_NODES, RasterScene, RunRaster};
use super::forms::node::node_caption;
use super::kinds::{kind_icon_shapes, kind_info};
use super::palette::KIND_MIME;
use crate::state::geometry::{self, NODE_HEIGHT, NODE_WIDTH, Rect};
use crate::state::{
    Action, EditorState, Insets, ItemRef, annotate, edge_labels, edit, field_problems,
};

/// Pixels the pointer must travel before a press becomes a drag (a smaller move is a click).
const DRAG_THRESHOLD: f64 = 3.0;
/// Zoom factor of one +/− step and of the zoom buttons.
pub const ZOOM_STEP: f64 = 1.2;
/// Below this zoom a run's words on the canvas (badges, load in words) are not drawn: they could
/// not be read, and on a big design re-laying out hundreds of changing texts on every live
/// update is what would make the page stutter. Colours, load bars and flags stay.
const RUN_DETAIL_ZOOM: f64 = 0.5;
/// Characters of a node's caption that fit its box at the caption's 12 px.
const CAPTION_CHARS: usize = 21;
/// Characters of a node's label that fit beside its icon at the label's 13 px bold.
const LABEL_CHARS: usize = 15;
/// Height of an edge's badge, canvas units.
const EDGE_BADGE_HEIGHT: f64 = 20.0;
/// How far right of a node its quick-add button sits (canvas units from the node's right side).
const QUICK_ADD_OFFSET: f64 = 24.0;
/// The quick-add menu's width and tallest height, CSS pixels (as in the style sheet).
const QUICK_MENU_WIDTH: f64 = 200.0;
const QUICK_MENU_MAX_HEIGHT: f64 = 360.0;
/// Radius of the invisible circle that catches a press on a handle or the quick-add button:
/// 24 px across at 100% zoom, easy to hit, although the dot drawn is smaller.
const HANDLE_HIT_RADIUS: f64 = 12.0;
/// The sides a connection can be dragged from.
const HANDLE_SIDES: [&str; 4] = ["right", "bottom", "left", "top"];

/// The point of a node's box where its handle on `side` sits.
fn handle_point(rect: &Rect, side: &str) -> Position {
    match side {
        "left" => Position {
            x: rect.x,
            y: rect.y + rect.height / 2.0,
        },
        "top" => Position {
            x: rect.x + rect.width / 2.0,
            y: rect.y,
        },
        "bottom" => Position {
            x: rect.x + rect.width / 2.0,
            y: rect.bottom(),
        },
        _ => Position {
            x: rect.right(),
            y: rect.y + rect.height / 2.0,
        },
    }
}

/// Canvas units between the two arrows of a pair of edges in opposite directions.
const RECIPROCAL_EDGE_GAP: f64 = 12.0;

#[derive(Properties, PartialEq)]
pub struct CanvasProps {
    pub state: UseReducerHandle<EditorState>,
    /// True while Space is held: a drag anywhere pans.
    pub space_held: bool,
    /// A file was dropped on the canvas (to import as a design).
    pub on_file_drop: Callback<web_sys::File>,
    /// What a run shows on the canvas (load, traffic, failures, breakers), when there is a run
    /// to show; None leaves the canvas as the editor draws it.
    #[prop_or_default]
    pub overlay: Option<Rc<RunOverlay>>,
}

/// What the pointer is doing between press and release.
#[derive(Debug, Clone, PartialEq)]
enum Gesture {
    Idle,
    /// Pressed on a node; becomes a move once the pointer travels far enough.
    Press {
        node: String,
        ids: Vec<String>,
        /// Where the pointer was at the last move (where it was pressed until it moves).
        last: (f64, f64),
        moving: bool,
    },
    Pan {
        last: (f64, f64),
    },
    Connect {
        from: String,
        /// Where on the node the drag started ("right", "left", "top", "bottom").
        side: String,
    },
    RubberBand {
        start: Position,
        additive: bool,
        moved: bool,
    },
    /// Pressed on a group box or a note: moves it, and a group's contents with it.
    MoveAnnotation {
        id: String,
        nodes: Vec<String>,
        notes: Vec<String>,
        last: (f64, f64),
        moving: bool,
    },
    /// Dragging an annotation's bottom-right corner.
    ResizeAnnotation {
        id: String,
        start: Position,
        size: archsim_model::Size,
    },
}

/// One pointer move of a drag (nodes or an annotation), in canvas units: nothing until the
/// pointer has gone [`DRAG_THRESHOLD`] from where it was pressed (a click is not a move), then
/// the gesture begins (one undo step for the whole drag) and each move gives its distance from
/// the last.
fn drag_step(
    state: &UseReducerHandle<EditorState>,
    moving: &mut bool,
    last: &mut (f64, f64),
    point: (f64, f64),
) -> Option<(f64, f64)> {
    if !*moving {
        if (point.0 - last.0).hypot(point.1 - last.1) < DRAG_THRESHOLD {
            return None;
        }
        *moving = true;
        state.dispatch(Action::BeginGesture);
    }
    let zoom = state.viewport.zoom;
    let step = ((point.0 - last.0) / zoom, (point.1 - last.1) / zoom);
    *last = point;
    Some(step)
}

/// Screen point of a pointer event relative to the canvas element's top-left corner.
fn local_point(svg: &NodeRef, client_x: i32, client_y: i32) -> (f64, f64) {
    match svg.cast::<Element>() {
        Some(el) => {
            let rect = el.get_bounding_client_rect();
            (
                f64::from(client_x) - rect.left(),
                f64::from(client_y) - rect.top(),
            )
        }
        None => (f64::from(client_x), f64::from(client_y)),
    }
}

/// The element of `selector` the event started in, if any (the node, handle or edge pressed).
fn closest_attr(event: &Event, selector: &str, attr: &str) -> Option<String> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let found = target.closest(selector).ok().flatten()?;
    found.get_attribute(attr)
}

/// Moves the focus to the properties panel's first field once the panel shows the new selection.
fn focus_properties_soon() {
    gloo_timers::callback::Timeout::new(0, || {
        let field = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(
                    "#properties input:not([disabled]):not([type=hidden]), #properties select, #properties textarea",
                )
                .ok()
                .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = field {
            let _ = field.focus();
        }
    })
    .forget();
}

fn blur_active_element() {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = active {
        let _ = element.blur();
    }
}

/// Size of the canvas element in pixels (for fit to screen and zooming at the centre).
pub fn canvas_size() -> (f64, f64) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("canvas-surface"));
    match element {
        Some(el) => {
            let rect = el.get_bounding_client_rect();
            (rect.width(), rect.height())
        }
        None => (800.0, 600.0),
    }
}

/// The part of the canvas on screen that nothing drawn over it covers, in canvas units: where
/// a new node is seen.
pub fn visible_canvas(viewport: &crate::state::Viewport) -> Option<Rect> {
    let (width, height) = canvas_size();
    let insets = canvas_overlay_insets();
    let top_left = viewport.screen_to_canvas(Position {
        x: insets.left,
        y: insets.top,
    });
    let bottom_right = viewport.screen_to_canvas(Position {
        x: width - insets.right,
        y: height - insets.bottom,
    });
    (bottom_right.x > top_left.x && bottom_right.y > top_left.y)
        .then(|| Rect::from_corners(top_left, bottom_right))
}

/// The strips of the canvas that controls and notices drawn over it cover, measured on the
/// page: an overlay in the lower half covers from its top down, one in the upper half from its
/// bottom up (the zoom controls sit at the bottom, notices at the top). For fit to screen.
pub fn canvas_overlay_insets() -> Insets {
    /// Space kept between an overlay and the nearest node.
    const GAP: f64 = 8.0;
    let mut insets = Insets::default();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return insets;
    };
    let Some(surface) = document.get_element_by_id("canvas-surface") else {
        return insets;
    };
    let area = surface.get_bounding_client_rect();
    let Ok(overlays) =
        document.query_selector_all("#canvas .canvas-controls, #canvas .canvas-notices > *")
    else {
        return insets;
    };
    for i in 0..overlays.length() {
        let Some(element) = overlays
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let rect = element.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            continue;
        }
        let middle = rect.top() + rect.height() / 2.0;
        if middle > area.top() + area.height() / 2.0 {
            insets.bottom = insets.bottom.max(area.bottom() - rect.top() + GAP);
        } else {
            insets.top = insets.top.max(rect.bottom() - area.top() + GAP);
        }
    }
    insets
}

#[function_component(Canvas)]
pub fn canvas(props: &CanvasProps) -> Html {
    let state = &props.state;
    let svg_ref = use_node_ref();
    let gesture = use_mut_ref(|| Gesture::Idle);
    let rubber_band = use_state(|| None::<Rect>);
    let connect_line = use_state(|| None::<(Position, Position)>);
    // The node a connection would land on if released now, highlighted while connecting.
    let connect_target = use_state_eq(|| None::<String>);
    // The node a connection is being dragged from: the nodes that would accept it are marked.
    let connecting_from = use_state_eq(|| None::<String>);
    // The quick-add menu: the node it adds after, and where it opens (screen point in the canvas).
    let quick_menu = use_state(|| None::<(String, Position)>);
    // A connection made with the keyboard: the node it starts from (C on a focused node).
    let key_connect = use_state_eq(|| None::<String>);
    // Something droppable (a palette kind, a file) is being dragged over the canvas.
    let drop_hover = use_state_eq(|| false);
    let renaming = use_state(|| None::<String>);
    let surface_ref = use_node_ref();
    let viewport = state.viewport;
    // The SVG's size in pixels, once known. Sized by percentages, Chromium lays out the whole
    // drawing again (all its text) whenever anything else on the page changes: 50–100 ms per
    // frame for 200 nodes while a run updates the results. In pixels it is left alone.
    let svg_size = use_state_eq(|| None::<(f64, f64)>);

    // When the canvas element changes size (the results area grows under it when a run
    // finishes, the window is resized), keep what the person was looking at in view: see
    // `Action::CanvasResized`. A ResizeObserver sees every cause, not only window resizes.
    {
        let surface_ref = surface_ref.clone();
        let dispatcher = state.dispatcher();
        let svg_size = svg_size.clone();
        use_effect_with((), move |_| {
            let element = surface_ref.cast::<Element>();
            let observer = element.map(|element| {
                // The size last told, so that a call with the same size tells nothing.
                let last = Cell::new(None::<(f64, f64)>);
                let observed = element.clone();
                let callback = Closure::<dyn FnMut()>::new(move || {
                    let rect = observed.get_bounding_client_rect();
                    let size = (rect.width(), rect.height());
                    // A hidden canvas (no size) has no view to keep: wait for a real size.
                    if !(size.0 > 0.0 && size.1 > 0.0) {
                        return;
                    }
                    svg_size.set(Some(size));
                    // Its first size too: the state compares it with the size the view was
                    // last seen at, which a restored view brings (the page's first layouts
                    // change the canvas's height, and a reload moved the view by half of it).
                    if last.replace(Some(size)) != Some(size) {
                        dispatcher.dispatch(Action::CanvasResized {
                            to: size,
                            insets: canvas_overlay_insets(),
                        });
                    }
                });
                let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
                if let Some(observer) = &observer {
                    observer.observe(&element);
                }
                (observer, callback)
            });
            move || {
                if let Some((Some(observer), _callback)) = &observer {
                    observer.disconnect();
                }
                drop(observer);
            }
        });
    }

    // Snapshot nodes as `Rc`s once per design revision, so pan, zoom and selection changes hand
    // the node views the very same props and none of them re-render.
    let nodes: Rc<Vec<Rc<Node>>> = {
        let state = state.clone();
        use_memo(state.revision, move |_| {
            state
                .design
                .nodes
                .iter()
                .cloned()
                .map(Rc::new)
                .collect::<Vec<_>>()
        })
    };
    let problem_nodes: Rc<Vec<String>> = {
        let state = state.clone();
        use_memo(state.revision, move |_| {
            let design = &state.design;
            let problems = field_problems(design);
            design
                .nodes
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    let prefix = format!("nodes[{i}]");
                    problems.keys().any(|p| {
                        p.strip_prefix(&prefix)
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                    })
                })
                .map(|(_, n)| n.id.clone())
                .collect()
        })
    };

    let on_pointer_down = {
        let state = state.clone();
        let gesture = gesture.clone();
        let svg_ref = svg_ref.clone();
        let rubber_band = rubber_band.clone();
        let connect_line = connect_line.clone();
        let connecting_from = connecting_from.clone();
        let quick_menu = quick_menu.clone();
        let space_held = props.space_held;
        Callback::from(move |event: PointerEvent| {
            // Pressing the canvas ends typing in a field: the default action that would move
            // focus is prevented below (no text selection while dragging), so blur by hand.
            blur_active_element();
            let point = local_point(&svg_ref, event.client_x(), event.client_y());
            let canvas_point = state.viewport.screen_to_canvas(Position {
                x: point.0,
                y: point.1,
            });
            let capture = |svg_ref: &NodeRef| {
                if let Some(el) = svg_ref.cast::<Element>() {
                    // Capture fails only for a pointer that is already gone: nothing to do.
                    let _ = el.set_pointer_capture(event.pointer_id());
                }
            };
            // Middle button, or Space held: pan from anywhere.
            if event.button() == 1 || (event.button() == 0 && space_held) {
                event.prevent_default();
                capture(&svg_ref);
                *gesture.borrow_mut() = Gesture::Pan { last: point };
                return;
            }
            if event.button() != 0 {
                return;
            }
            let additive = event.shift_key() || event.ctrl_key() || event.meta_key();
            if let Some(of) = closest_attr(&event, "[data-quick-add-of]", "data-quick-add-of") {
                event.prevent_default();
                event.stop_propagation();
                let at = state.design.node(&of).map(|n| {
                    state.viewport.canvas_to_screen(Position {
                        x: n.position.x + NODE_WIDTH + QUICK_ADD_OFFSET,
                        y: n.position.y + NODE_HEIGHT / 2.0,
                    })
                });
                quick_menu.set(at.map(|at| (of, at)));
                return;
            }
            quick_menu.set(None);
            if let Some(from) = closest_attr(&event, "[data-handle-of]", "data-handle-of") {
                event.prevent_default();
                capture(&svg_ref);
                let side = closest_attr(&event, "[data-handle-of]", "data-side")
                    .unwrap_or_else(|| "right".into());
                connect_line.set(Some((canvas_point, canvas_point)));
                connecting_from.set(Some(from.clone()));
                *gesture.borrow_mut() = Gesture::Connect { from, side };
                return;
            }
            if let Some(id) = closest_attr(&event, "[data-node-id]", "data-node-id") {
                event.prevent_default();
                if additive {
                    state.dispatch(Action::ToggleSelect(ItemRef::Node(id)));
                    return;
                }
                let ids: Vec<String> = if state.selection.contains_node(&id) {
                    state.selection.nodes.iter().cloned().collect()
                } else {
                    state.dispatch(Action::SelectOnly(ItemRef::Node(id.clone())));
                    vec![id.clone()]
                };
                capture(&svg_ref);
                *gesture.borrow_mut() = Gesture::Press {
                    node: id,
                    ids,
                    last: point,
                    moving: false,
                };
                return;
            }
            if let Some(id) = closest_attr(&event, "[data-edge-id]", "data-edge-id") {
                event.prevent_default();
                let item = ItemRef::Edge(id);
                state.dispatch(if additive {
                    Action::ToggleSelect(item)
                } else {
                    Action::SelectOnly(item)
                });
                return;
            }
            if let Some(id) =
                closest_attr(&event, "[data-annotation-resize]", "data-annotation-resize")
                && let Some(a) = state.design.annotations.iter().find(|a| a.id == id)
            {
                event.prevent_default();
                capture(&svg_ref);
                state.dispatch(Action::SelectAnnotation(Some(id.clone())));
                state.dispatch(Action::BeginGesture);
                *gesture.borrow_mut() = Gesture::ResizeAnnotation {
                    id,
                    start: canvas_point,
                    size: a.size,
                };
                return;
            }
            if let Some(id) = closest_attr(&event, "[data-annotation-id]", "data-annotation-id") {
                event.prevent_default();
                capture(&svg_ref);
                state.dispatch(Action::SelectAnnotation(Some(id.clone())));
                // What the box holds now: the nodes dragged in later are not carried off
                // mid-drag, nor those it passes over.
                let (nodes, notes) = annotate::contents(&state.design, &id);
                *gesture.borrow_mut() = Gesture::MoveAnnotation {
                    id,
                    nodes,
                    notes,
                    last: point,
                    moving: false,
                };
                return;
            }
            // Empty canvas: rubber band (a plain click clears the selection on release).
            event.prevent_default();
            capture(&svg_ref);
            rubber_band.set(None);
            *gesture.borrow_mut() = Gesture::RubberBand {
                start: canvas_point,
                additive,
                moved: false,
            };
        })
    };

    let on_pointer_move = {
        let state = state.clone();
        let gesture = gesture.clone();
        let svg_ref = svg_ref.clone();
        let rubber_band = rubber_band.clone();
        let connect_line = connect_line.clone();
        let connect_target = connect_target.clone();
        Callback::from(move |event: PointerEvent| {
            let mut current = gesture.borrow_mut();
            if *current == Gesture::Idle {
                return;
            }
            let point = local_point(&svg_ref, event.client_x(), event.client_y());
            let canvas_point = state.viewport.screen_to_canvas(Position {
                x: point.0,
                y: point.1,
            });
            match &mut *current {
                Gesture::Idle => {}
                Gesture::Pan { last } => {
                    state.dispatch(Action::Pan {
                        dx: point.0 - last.0,
                        dy: point.1 - last.1,
                    });
                    *last = point;
                }
                Gesture::Press {
                    ids, last, moving, ..
                } => {
                    if let Some((dx, dy)) = drag_step(&state, moving, last, point) {
                        state.dispatch(Action::MoveNodes {
                            ids: ids.clone(),
                            dx,
                            dy,
                        });
                    }
                }
                Gesture::Connect { from, side } => {
                    if let Some(node) = state.design.node(from) {
                        let start = handle_point(&geometry::node_rect(node), side);
                        connect_line.set(Some((start, canvas_point)));
                    }
                    // Only a node that would accept the edge lights up (never a client, nor
                    // a node already called from here).
                    let over = geometry::hit_node(&state.design, canvas_point)
                        .filter(|id| edit::connect_refusal(&state.design, from, id).is_none())
                        .map(str::to_string);
                    connect_target.set(over);
                }
                Gesture::MoveAnnotation {
                    id,
                    nodes,
                    notes,
                    last,
                    moving,
                } => {
                    if let Some((dx, dy)) = drag_step(&state, moving, last, point) {
                        state.dispatch(Action::MoveAnnotation {
                            id: id.clone(),
                            dx,
                            dy,
                            nodes: nodes.clone(),
                            notes: notes.clone(),
                        });
                    }
                }
                Gesture::ResizeAnnotation { id, start, size } => {
                    state.dispatch(Action::ResizeAnnotation {
                        id: id.clone(),
                        width: size.width + canvas_point.x - start.x,
                        height: size.height + canvas_point.y - start.y,
                    });
                }
                Gesture::RubberBand { start, moved, .. } => {
                    *moved = true;
                    rubber_band.set(Some(Rect::from_corners(*start, canvas_point)));
                }
            }
        })
    };

    let on_pointer_up = {
        let state = state.clone();
        let gesture = gesture.clone();
        let svg_ref = svg_ref.clone();
        let rubber_band = rubber_band.clone();
        let connect_line = connect_line.clone();
        let connect_target = connect_target.clone();
        let connecting_from = connecting_from.clone();
        Callback::from(move |event: PointerEvent| {
            let finished = std::mem::replace(&mut *gesture.borrow_mut(), Gesture::Idle);
            if let Some(el) = svg_ref.cast::<Element>() {
                let _ = el.release_pointer_capture(event.pointer_id());
            }
            let point = local_point(&svg_ref, event.client_x(), event.client_y());
            let canvas_point = state.viewport.screen_to_canvas(Position {
                x: point.0,
                y: point.1,
            });
            match finished {
                Gesture::Idle | Gesture::Pan { .. } => {}
                Gesture::Press { node, moving, .. } => {
                    if moving {
                        state.dispatch(Action::EndGesture);
                    } else if state.selection.nodes.len() > 1 {
                        // A click (not a drag) on one of several selected nodes selects it alone.
                        state.dispatch(Action::SelectOnly(ItemRef::Node(node)));
                    }
                }
                Gesture::Connect { from, .. } => {
                    connect_line.set(None);
                    connect_target.set(None);
                    connecting_from.set(None);
                    if let Some(to) = geometry::hit_node(&state.design, canvas_point)
                        && to != from
                    {
                        state.dispatch(Action::Connect {
                            from,
                            to: to.to_string(),
                        });
                    }
                }
                Gesture::MoveAnnotation { moving, .. } => {
                    if moving {
                        state.dispatch(Action::EndGesture);
                    }
                }
                Gesture::ResizeAnnotation { .. } => state.dispatch(Action::EndGesture),
                Gesture::RubberBand {
                    start,
                    additive,
                    moved,
                } => {
                    rubber_band.set(None);
                    if moved {
                        state.dispatch(Action::SelectInRect {
                            rect: Rect::from_corners(start, canvas_point),
                            additive,
                        });
                    } else if !additive {
                        state.dispatch(Action::ClearSelection);
                    }
                }
            }
        })
    };

    // The keyboard: Tab reaches every node and edge (each is focusable). Focus alone changes
    // nothing (Tab passes over nodes on the way to the palette or the panel); Space selects the
    // focused item (then the arrow keys move it and Delete removes it), Enter selects it and
    // opens its properties (the focus moves to the panel's first field). C starts a connection
    // from the focused node; Tab to the target and Enter (or Space) makes the edge, Esc cancels.
    let on_key_down = {
        let state = state.clone();
        let key_connect = key_connect.clone();
        Callback::from(move |event: KeyboardEvent| {
            let node = closest_attr(&event, "[data-node-id]", "data-node-id");
            let edge = closest_attr(&event, ".edge[data-edge-id]", "data-edge-id");
            let annotation = closest_attr(&event, "[data-annotation-id]", "data-annotation-id");
            let key = event.key();
            match (key.as_str(), &node, &*key_connect) {
                ("Escape", _, Some(_)) => {
                    event.prevent_default();
                    event.stop_propagation();
                    key_connect.set(None);
                }
                ("Enter" | " ", Some(to), Some(from)) => {
                    event.prevent_default();
                    event.stop_propagation();
                    key_connect.set(None);
                    if to != from {
                        state.dispatch(Action::Connect {
                            from: from.clone(),
                            to: to.clone(),
                        });
                    }
                }
                ("c" | "C", Some(from), _)
                    if !event.ctrl_key() && !event.meta_key() && !event.alt_key() =>
                {
                    event.prevent_default();
                    event.stop_propagation();
                    key_connect.set(Some(from.clone()));
                }
                // A focused group box or note: Space selects it (the arrow keys then move it,
                // with what a group holds, and Delete removes it); Enter also opens its text.
                ("Enter" | " ", None, None) if annotation.is_some() => {
                    event.prevent_default();
                    event.stop_propagation();
                    state.dispatch(Action::SelectAnnotation(annotation));
                    if key == "Enter" {
                        focus_properties_soon();
                    }
                }
                ("Enter" | " ", _, None) if node.is_some() || edge.is_some() => {
                    event.prevent_default();
                    event.stop_propagation();
                    let item = match (node, edge) {
                        (Some(id), _) => ItemRef::Node(id),
                        (None, Some(id)) => ItemRef::Edge(id),
                        (None, None) => return,
                    };
                    state.dispatch(Action::SelectOnly(item));
                    if key == "Enter" {
                        focus_properties_soon();
                    }
                }
                _ => {}
            }
        })
    };

    let on_double_click = {
        let state = state.clone();
        let svg_ref = svg_ref.clone();
        let renaming = renaming.clone();
        Callback::from(move |event: MouseEvent| {
            // By geometry, not by event target: after a press captured the pointer, the click
            // events target the <svg> itself.
            let (x, y) = local_point(&svg_ref, event.client_x(), event.client_y());
            let point = state.viewport.screen_to_canvas(Position { x, y });
            if let Some(id) = geometry::hit_node(&state.design, point) {
                event.prevent_default();
                renaming.set(Some(id.to_string()));
            } else if state.annotation.is_some() {
                // A double-click on a group box or a note edits its text in the panel.
                event.prevent_default();
                focus_properties_soon();
            }
        })
    };

    let on_wheel = {
        let state = state.clone();
        let svg_ref = svg_ref.clone();
        Callback::from(move |event: WheelEvent| {
            event.prevent_default();
            // Line and page modes come from mouse wheels on some systems: scale them to pixels.
            let unit = match event.delta_mode() {
                1 => 16.0,
                2 => 400.0,
                _ => 1.0,
            };
            let (dx, dy) = (event.delta_x() * unit, event.delta_y() * unit);
            if event.ctrl_key() || event.meta_key() {
                // Pinch gestures arrive as ctrl+wheel with small deltas; exp keeps zoom smooth.
                let (x, y) = local_point(&svg_ref, event.client_x(), event.client_y());
                state.dispatch(Action::ZoomAt {
                    factor: (-dy * 0.0025).exp(),
                    anchor: Position { x, y },
                });
            } else if event.shift_key() && dx == 0.0 {
                state.dispatch(Action::Pan { dx: -dy, dy: 0.0 });
            } else {
                state.dispatch(Action::Pan { dx: -dx, dy: -dy });
            }
        })
    };

    let on_drag_over = {
        let drop_hover = drop_hover.clone();
        Callback::from(move |event: DragEvent| {
            let accepts = event.data_transfer().is_some_and(|t| {
                let types = t.types();
                types.includes(&KIND_MIME.into(), 0) || types.includes(&"Files".into(), 0)
            });
            if accepts {
                event.prevent_default();
                if let Some(t) = event.data_transfer() {
                    t.set_drop_effect("copy");
                }
            }
            drop_hover.set(accepts);
        })
    };
    let on_drag_leave = {
        let drop_hover = drop_hover.clone();
        Callback::from(move |_: DragEvent| drop_hover.set(false))
    };

    let on_drop = {
        let state = state.clone();
        let svg_ref = svg_ref.clone();
        let on_file_drop = props.on_file_drop.clone();
        let drop_hover = drop_hover.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            drop_hover.set(false);
            let Some(transfer) = event.data_transfer() else {
                return;
            };
            let kind = transfer.get_data(KIND_MIME).unwrap_or_default();
            if !kind.is_empty() {
                let (x, y) = local_point(&svg_ref, event.client_x(), event.client_y());
                let at = state.viewport.screen_to_canvas(Position { x, y });
                state.dispatch(Action::AddNode { kind, at });
                return;
            }
            if let Some(file) = transfer.files().and_then(|files| files.get(0)) {
                on_file_drop.emit(file);
            }
        })
    };

    // Edges are drawn below nodes; each edge view gets plain numbers so it re-renders only when
    // its own geometry or parameters change.
    // A pair of edges in opposite directions (A → B and B → A) would be drawn on top of each
    // other, so each of them is moved a little to its own right: two arrows side by side.
    let pairs: std::collections::BTreeSet<(&str, &str)> = state
        .design
        .edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    let edge_geometry: Vec<(&Edge, Position, Position)> = state
        .design
        .edges
        .iter()
        .filter_map(|edge| {
            let from = state.design.node(&edge.from)?;
            let to = state.design.node(&edge.to)?;
            let (start, end) = geometry::edge_endpoints(from, to);
            let reciprocal = pairs.contains(&(edge.to.as_str(), edge.from.as_str()));
            let (start, end) = if reciprocal {
                geometry::offset_to_the_right(start, end, RECIPROCAL_EDGE_GAP / 2.0)
            } else {
                (start, end)
            };
            Some((edge, start, end))
        })
        .collect();
    let overlay = props.overlay.as_deref();
    // A big design's run goes on a raster layer over the SVG (see `canvas_raster`), so that a
    // live update changes one canvas rather than hundreds of SVG elements. The layer is there,
    // blank, from the moment the design is big enough: put over the SVG by the first live
    // update, it made the browser lay out, paint and layerize the whole drawing again in that
    // update's frame (44 ms of CPU for 200 nodes).
    let raster_sized = nodes.len() >= RASTER_MIN_NODES;
    let raster = overlay.filter(|_| raster_sized).map(|o| {
        Rc::new(RasterScene {
            nodes: nodes
                .iter()
                .map(|n| {
                    let load = o.nodes.get(&n.id).cloned().unwrap_or_default();
                    let bottleneck = o.bottleneck.as_deref() == Some(n.id.as_str());
                    (n.position, load, bottleneck)
                })
                .collect(),
            edges: edge_geometry
                .iter()
                .filter_map(|(edge, start, end)| {
                    Some((*start, *end, o.edges.get(&edge.id)?.clone()))
                })
                .collect(),
            viewport,
            detail: viewport.zoom >= RUN_DETAIL_ZOOM,
        })
    });
    // What the SVG itself draws of the run (nothing when the raster layer does).
    let svg_overlay = overlay.filter(|_| raster.is_none());
    let raster = raster.or_else(|| raster_sized.then(|| Rc::new(RasterScene::blank())));
    let edges = edge_geometry.iter().map(|(edge, start, end)| {
        html! {
            <EdgeView key={edge.id.clone()} id={edge.id.clone()}
                name={format!("{} → {}", node_name(&state.design, &edge.from), node_name(&state.design, &edge.to))}
                x1={start.x} y1={start.y} x2={end.x} y2={end.y}
                selected={state.selection.contains_edge(&edge.id)}
                load={svg_overlay.and_then(|o| o.edges.get(&edge.id).cloned())} />
        }
    });
    // What the run draws around each node (flags above, badge below): the edges' labels keep
    // clear of them, or a breaker's "CB opened 3×" hid the callee's figures.
    // Worked out only when some edge has a label to place (a big design without resilience
    // settings has none, and this runs on every live update).
    let detail = viewport.zoom >= RUN_DETAIL_ZOOM;
    let labelled = edge_geometry
        .iter()
        .any(|(edge, _, _)| !edge_badges(edge).is_empty());
    let idle = NodeLoad::default();
    let marks: Vec<Rect> = match overlay {
        Some(o) if labelled => nodes
            .iter()
            .flat_map(|n| {
                let load = o.nodes.get(&n.id).unwrap_or(&idle);
                let bottleneck = o.bottleneck.as_deref() == Some(n.id.as_str());
                node_marks(n.position, load, bottleneck, detail)
            })
            .collect(),
        _ => Vec::new(),
    };
    // Badges go above the nodes, so a short edge's badge is never hidden under its boxes.
    // A badge never covers a node: beside its edge when the middle is crowded, left out when
    // there is no room at all (what it says stays in the edge's tooltip and its properties).
    // Nor another badge: each one placed is in the way of the next. Nor, where it can help
    // it, a run's marks around a node: moved along or beside its edge off them when the middle
    // is crowded, else it keeps its old place over them rather than go.
    let mut placed: Vec<Rect> = Vec::new();
    // Each edge's arrowhead, drawn over whatever lies under it: a badge pushed against the
    // callee lost its last letters under it.
    let arrow_heads: Vec<Rect> = edge_geometry
        .iter()
        .map(|(_, start, end)| edge_labels::arrow_head(*start, *end))
        .collect();
    // The resilience badges and the breaker badges below share one `<g class="edge-badges">`,
    // which Yew diffs as one keyed list; an edge with a breaker has both, so each key names the
    // kind of badge as well as the edge ("badge:…", "breaker:…"). With the edge's id alone, Yew's
    // debug build (the one `scripts/serve.sh` serves) panicked on the duplicate key when a run of
    // a design with a breaker finished, and the release build could mismatch the two badges.
    let badges: Vec<Html> = edge_geometry
        .iter()
        .filter_map(|(edge, start, end)| {
            let length = (end.x - start.x).hypot(end.y - start.y);
            let text = badge_text(edge, length)?;
            let width = badge_width(&text);
            let in_the_way: Vec<Rect> = placed
                .iter()
                .chain(&marks)
                .chain(&arrow_heads)
                .copied()
                .collect();
            let at = geometry::badge_spot(
                &state.design,
                *start,
                *end,
                width,
                EDGE_BADGE_HEIGHT,
                &in_the_way,
            )
            .or_else(|| {
                // Crowded round the middle: anywhere along or beside the edge that is free.
                let nodes_too: Vec<Rect> = nodes
                    .iter()
                    .map(|n| geometry::node_rect(n))
                    .chain(in_the_way.iter().copied())
                    .collect();
                edge_labels::free_spot_on_edge(
                    *start,
                    *end,
                    width,
                    EDGE_BADGE_HEIGHT,
                    0.5,
                    &nodes_too,
                )
            })
            .or_else(|| {
                geometry::badge_spot(
                    &state.design,
                    *start,
                    *end,
                    width,
                    EDGE_BADGE_HEIGHT,
                    &placed,
                )
            })?;
            placed.push(Rect::centred(at, width, EDGE_BADGE_HEIGHT));
            Some(html! {
                <EdgeBadge key={format!("badge:{}", edge.id)} id={edge.id.clone()} text={text}
                    words={badge_words(edge)} x={at.x} y={at.y}
                    selected={state.selection.contains_edge(&edge.id)} />
            })
        })
        .collect();
    // A breaker's state sits on its edge, towards the callee (the resilience badge has the
    // middle), moved along the edge off any node, run mark or label in its way.
    let mut in_the_way: Vec<Rect> = nodes
        .iter()
        .map(|n| geometry::node_rect(n))
        .chain(marks.iter().copied())
        .chain(arrow_heads.iter().copied())
        .chain(placed.iter().copied())
        .collect();
    let breakers: Vec<Html> = edge_geometry
        .iter()
        .filter_map(|(edge, start, end)| {
            let breaker = overlay?.edges.get(&edge.id)?.breaker?;
            let width = badge_width(&breaker_text(breaker));
            let at = edge_labels::label_on_edge(
                *start,
                *end,
                width,
                EDGE_BADGE_HEIGHT,
                BREAKER_ALONG,
                &in_the_way,
            );
            in_the_way.push(Rect::centred(at, width, EDGE_BADGE_HEIGHT));
            Some(html! {
                <BreakerBadge key={format!("breaker:{}", edge.id)} id={edge.id.clone()} state={breaker}
                    x={at.x} y={at.y} />
            })
        })
        .collect();
    let node_views = nodes.iter().map(|node| {
        html! {
            <NodeView key={node.id.clone()} node={node.clone()}
                selected={state.selection.contains_node(&node.id)}
                connect_target={connect_target.as_deref() == Some(node.id.as_str())}
                connect_candidate={connecting_from.as_deref().or(key_connect.as_deref()).is_some_and(|from| {
                    edit::connect_refusal(&state.design, from, &node.id).is_none()
                })}
                has_problem={problem_nodes.contains(&node.id)}
                load={svg_overlay.and_then(|o| o.nodes.get(&node.id).cloned())}
                detail={viewport.zoom >= RUN_DETAIL_ZOOM}
                bottleneck={svg_overlay.is_some_and(|o| o.bottleneck.as_deref() == Some(node.id.as_str()))} />
        }
    });

    // Dots every grid step, but never closer than 10 px on screen: zoomed far out, a dot per
    // step would turn the background into noise, so show every 5th (or 25th) step instead.
    let mut grid = geometry::GRID * viewport.zoom;
    while grid < 10.0 {
        grid *= 5.0;
    }
    // The view moves the drawing as a CSS transform of its own `<svg>` (see the markup below).
    let transform = format!(
        "transform: translate({}px, {}px) scale({})",
        viewport.pan_x, viewport.pan_y, viewport.zoom
    );
    let view = format!("{} {} {}", viewport.pan_x, viewport.pan_y, viewport.zoom);
    let rename_overlay = renaming.as_ref().and_then(|id| {
        let node = state.design.node(id)?;
        let screen = viewport.canvas_to_screen(node.position);
        Some(html! {
            <LabelEditor key={id.clone()} id={id.clone()} label={node.label.clone()}
                left={screen.x} top={screen.y} zoom={viewport.zoom}
                on_commit={{
                    let state = state.clone();
                    let renaming = renaming.clone();
                    let id = id.clone();
                    Callback::from(move |label: Option<String>| {
                        if let Some(label) = label {
                            state.dispatch(Action::SetNodeLabel { id: id.clone(), label });
                        }
                        renaming.set(None);
                    })
                }} />
        })
    });

    let quick_menu_view = quick_menu.as_ref().map(|(of, at)| {
        let close = {
            let quick_menu = quick_menu.clone();
            Callback::from(move |event: KeyboardEvent| {
                if event.key() == "Escape" {
                    event.stop_propagation();
                    quick_menu.set(None);
                }
            })
        };
        let items = archsim_model::NodeKind::CATALOG
            .iter()
            .filter(|k| k.name != "client")
            .map(|k| {
                let state = state.clone();
                let quick_menu = quick_menu.clone();
                let of = of.clone();
                let kind = k.name.to_string();
                let onclick = Callback::from(move |_: MouseEvent| {
                    quick_menu.set(None);
                    state.dispatch(Action::PlaceNode {
                        kind: kind.clone(),
                        near: Position::default(),
                        after: Some(of.clone()),
                        view: visible_canvas(&state.viewport),
                    });
                });
                html! {
                    <button type="button" class="menu-item" role="menuitem" data-quick-kind={k.name}
                            onclick={onclick}>{ k.title }</button>
                }
            });
        // Kept inside the canvas (opened near its bottom, it would slip under the results,
        // which take the clicks there): shifted up and left as far as needed.
        let (left, top) = match *svg_size {
            Some((width, height)) => (
                (at.x + 14.0).min(width - QUICK_MENU_WIDTH - 8.0).max(8.0),
                (at.y - 12.0)
                    .min(height - QUICK_MENU_MAX_HEIGHT.min(height - 16.0) - 8.0)
                    .max(8.0),
            ),
            None => (at.x + 14.0, at.y - 12.0),
        };
        html! {
            <div class="quick-menu menu-popup" role="menu" id="quick-menu"
                 aria-label="Add a node connected after this one"
                 style={format!("left:{left:.0}px;top:{top:.0}px")}
                 onkeydown={close}>
                { for items }
            </div>
        }
    });
    // The quick menu's first entry takes the focus, so it can be used from the keyboard too.
    {
        let open = quick_menu.is_some();
        use_effect_with(open, move |open| {
            if *open
                && let Some(first) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("#quick-menu button").ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = first.focus();
            }
        });
    }

    let classes = classes!(
        "canvas-surface",
        props.space_held.then_some("is-panning"),
        (matches!(*gesture.borrow(), Gesture::Connect { .. }) || key_connect.is_some())
            .then_some("is-connecting"),
        (*drop_hover).then_some("is-drop-target"),
        overlay.is_some().then_some("shows-run"),
        // A design big enough for the raster layer is drawn flat all the time, so that a run
        // starting (or ending) restyles none of its SVG (static/style.css).
        (state.design.nodes.len() >= RASTER_MIN_NODES).then_some("is-raster-sized"),
    );
    html! {
        <div id="canvas-surface" class={classes} ref={surface_ref}>
            // Two `<svg>`s, one over the other, in one element that takes the pointer, wheel,
            // keyboard and drops for both. The lower one is as large as the surface: the dotted
            // grid, the place for clicks on nothing, and the frame pointer positions are measured
            // from. The upper one holds the drawing in canvas units, moved and scaled by a CSS
            // transform of the `<svg>` element itself, which Chromium applies without laying the
            // drawing out again. Scaling an SVG group instead (its `transform` attribute) lays out
            // every text of the drawing again at the new scale: 13–16 ms of layout and 43–48 ms of
            // frame for a 200-node design on each zoom, against 18 ms of frame this way
            // (docs/performance.md, "Zoom without layout, live updates with their numbers apart").
            <div class="canvas-stage"
                 onpointerdown={on_pointer_down} onpointermove={on_pointer_move}
                 onpointerup={on_pointer_up.clone()} onpointercancel={on_pointer_up}
                 ondblclick={on_double_click} onwheel={on_wheel}
                 onkeydown={on_key_down}
                 ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
                <svg ref={svg_ref} class="canvas-svg" xmlns="http://www.w3.org/2000/svg"
                     style={svg_size.map(|(w, h)| format!("width: {w}px; height: {h}px"))}
                     role="application" aria-label="Design canvas">
                    <defs>
                        <pattern id="grid-dots" patternUnits="userSpaceOnUse"
                                 x={viewport.pan_x.to_string()} y={viewport.pan_y.to_string()}
                                 width={grid.to_string()} height={grid.to_string()}>
                            <circle class="grid-dot" cx={(grid / 2.0).to_string()}
                                    cy={(grid / 2.0).to_string()} r={(viewport.zoom.clamp(0.6, 1.4)).to_string()} />
                        </pattern>
                    </defs>
                    <rect class="canvas-background" width="100%" height="100%" fill="url(#grid-dots)" />
                </svg>
                <svg class="canvas-content" xmlns="http://www.w3.org/2000/svg" style={transform}
                     data-viewport={view}>
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
                                markerHeight="7" orient="auto-start-reverse">
                            <path class="arrow-head" d="M0 0L10 5L0 10z" />
                        </marker>
                        <marker id="arrow-selected" viewBox="0 0 10 10" refX="9" refY="5"
                                markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path class="arrow-head-selected" d="M0 0L10 5L0 10z" />
                        </marker>
                        // Edges drawn by traffic vary in width: their arrow heads keep one size.
                        <marker id="arrow-run" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse"
                                markerWidth="12" markerHeight="12" orient="auto-start-reverse">
                            <path class="arrow-head-run" d="M0 0L10 5L0 10z" />
                        </marker>
                        // Saturated nodes are hatched as well as coloured (colour is never the only cue).
                        <pattern id="saturated-hatch" patternUnits="userSpaceOnUse" width="8" height="8"
                                 patternTransform="rotate(45)">
                            <rect class="hatch-line" width="3" height="8" />
                        </pattern>
                    </defs>
                    <g class="viewport">
                        <g class="annotations">
                            { for state.design.annotations.iter().map(|a| html! {
                                <AnnotationView key={a.id.clone()} annotation={a.clone()}
                                    selected={state.annotation.as_deref() == Some(a.id.as_str())} />
                            }) }
                        </g>
                        <g class="edges">{ for edges }</g>
                        <g class="nodes">{ for node_views }</g>
                        <g class="edge-badges">{ for badges }{ for breakers }</g>
                        if let Some((a, b)) = *connect_line {
                            <line class="connect-line" x1={a.x.to_string()} y1={a.y.to_string()}
                                  x2={b.x.to_string()} y2={b.y.to_string()} marker-end="url(#arrow-selected)" />
                        }
                        if let Some(r) = *rubber_band {
                            // One screen pixel wide and dashed alike at any zoom (`vector-effect`
                            // does not see the `<svg>` element's own CSS scale).
                            <rect class="rubber-band" x={r.x.to_string()} y={r.y.to_string()}
                                  width={r.width.to_string()} height={r.height.to_string()}
                                  stroke-width={(1.0 / viewport.zoom).to_string()}
                                  stroke-dasharray={format!("{} {}", 4.0 / viewport.zoom, 3.0 / viewport.zoom)} />
                        }
                    </g>
                </svg>
            </div>
            if let Some(scene) = raster {
                <RunRaster {scene} />
            }
            { for rename_overlay }
            { for quick_menu_view }
            if let Some(from) = key_connect.as_ref() {
                <div class="key-connect-banner" id="key-connect" role="status" aria-live="assertive">
                    { format!(
                        "Connecting from {}: Tab to the node it should call and press Enter (Esc cancels).",
                        node_name(&state.design, from)
                    ) }
                </div>
            }
        </div>
    }
}

/// A node as the canvas names it: its label, or its id when it has none.
fn node_name(design: &archsim_model::Design, id: &str) -> String {
    design
        .node(id)
        .map(|n| {
            if n.label.is_empty() {
                n.id.clone()
            } else {
                n.label.clone()
            }
        })
        .unwrap_or_else(|| id.to_string())
}

/// Tags for an edge's resilience settings: `(words, short form)` each.
fn edge_badges(edge: &Edge) -> Vec<(String, String)> {
    use super::fields::format_number;
    let p = &edge.params;
    let mut badges = Vec::new();
    if let Some(timeout) = p.timeout_ms {
        let shown = if timeout >= 1_000.0 {
            format!("{} s", format_number(timeout / 1_000.0))
        } else {
            format!("{} ms", format_number(timeout))
        };
        badges.push((format!("timeout {shown}"), format!("T{shown}")));
    }
    if let Some(retry) = &p.retry {
        badges.push((
            format!("retry ×{}", retry.max_attempts),
            format!("↻{}", retry.max_attempts),
        ));
    }
    if p.circuit_breaker.is_some() {
        badges.push(("breaker".to_string(), "CB".to_string()));
    }
    if p.retry_budget.is_some() {
        badges.push(("retry budget".to_string(), "RB".to_string()));
    }
    if let Some(bulkhead) = &p.bulkhead {
        badges.push((
            format!("bulkhead {}", bulkhead.max_concurrent),
            format!("BH{}", bulkhead.max_concurrent),
        ));
    }
    if p.adaptive_throttling.is_some() {
        badges.push(("throttling".to_string(), "AT".to_string()));
    }
    if p.propagate_deadline {
        badges.push(("deadline".to_string(), "DL".to_string()));
    }
    badges
}

#[derive(Properties, PartialEq)]
struct EdgeViewProps {
    id: AttrValue,
    /// The edge as a person names it ("Client 1 → Service 1"), for screen readers.
    name: AttrValue,
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    selected: bool,
    /// Traffic and failures of a run, when one is shown.
    load: Option<EdgeLoad>,
}

#[function_component(EdgeView)]
fn edge_view(props: &EdgeViewProps) -> Html {
    let d = format!("M{} {}L{} {}", props.x1, props.y1, props.x2, props.y2);
    let marker = if props.selected {
        "url(#arrow-selected)"
    } else if props.load.is_some() {
        "url(#arrow-run)"
    } else {
        "url(#arrow)"
    };
    let (run_class, style, words) = match &props.load {
        Some(load) => (
            Some(load.failure_class()),
            Some(format!("stroke-width: {:.2}px", load.width)),
            Some(load.words()),
        ),
        None => (None, None, None),
    };
    html! {
        <g class={classes!("edge", props.selected.then_some("is-selected"),
                           props.load.is_some().then_some("has-traffic"), run_class)}
           data-edge-id={props.id.clone()} tabindex="0" role="button"
           aria-label={format!("Edge {}", props.name)} aria-pressed={props.selected.to_string()}
           data-calls-rps={props.load.as_ref().map(|l| format!("{:.3}", l.calls_rps))}>
            if let Some(words) = words {
                <title>{ words }</title>
            }
            <path class="edge-hit" d={d.clone()} />
            <path class="edge-line" d={d} marker-end={marker} style={style} />
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct BreakerBadgeProps {
    id: AttrValue,
    state: BreakerView,
    x: f64,
    y: f64,
}

/// Where a breaker's state goes on its edge when nothing is in the way: this far along it,
/// towards the callee (the edge's resilience badge has the middle).
const BREAKER_ALONG: f64 = 0.72;

/// A breaker's state as its badge reads.
fn breaker_text(state: BreakerView) -> String {
    match state {
        BreakerView::Closed => "CB closed".to_string(),
        BreakerView::HalfOpen => "CB half-open".to_string(),
        BreakerView::Open => "CB OPEN".to_string(),
        BreakerView::Opened(n) => format!("CB opened {}×", super::canvas_overlay::compact(n)),
    }
}

/// A breaker's state on its edge: closed, half-open or open (in words, and by colour).
#[function_component(BreakerBadge)]
fn breaker_badge(props: &BreakerBadgeProps) -> Html {
    let text = breaker_text(props.state);
    let width = badge_width(&text);
    html! {
        <g class={classes!("breaker-state", props.state.class())} data-edge-id={props.id.clone()}
           data-breaker={props.state.class().trim_start_matches("is-").to_string()}
           transform={format!("translate({} {})", props.x - width / 2.0, props.y - EDGE_BADGE_HEIGHT / 2.0)}>
            <title>{ props.state.words() }</title>
            <rect width={width.to_string()} height={EDGE_BADGE_HEIGHT.to_string()} rx="4" />
            <text x={(width / 2.0).to_string()} y="14" text-anchor="middle">{ text }</text>
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct EdgeBadgeProps {
    id: AttrValue,
    text: AttrValue,
    /// The badge in sentences, shown on hover (the short form "T1.5 s ↻3 CB" explained).
    words: AttrValue,
    /// Centre of the badge, canvas units.
    x: f64,
    y: f64,
    selected: bool,
}

#[function_component(EdgeBadge)]
fn edge_badge(props: &EdgeBadgeProps) -> Html {
    let width = badge_width(&props.text);
    html! {
        <g class={classes!("edge-badge", props.selected.then_some("is-selected"))}
           data-edge-id={props.id.clone()}
           transform={format!("translate({} {})", props.x - width / 2.0, props.y - EDGE_BADGE_HEIGHT / 2.0)}>
            <title>{ props.words.clone() }</title>
            <rect width={width.to_string()} height={EDGE_BADGE_HEIGHT.to_string()} rx="10" />
            <text x={(width / 2.0).to_string()} y="14" text-anchor="middle">{ props.text.clone() }</text>
        </g>
    }
}

/// An edge's resilience settings in sentences, for the badge's tooltip: what each tag of the
/// badge means for the calls along it.
fn badge_words(edge: &Edge) -> AttrValue {
    use super::fields::format_number;
    let p = &edge.params;
    let mut lines = Vec::new();
    if let Some(timeout) = p.timeout_ms {
        lines.push(format!(
            "Timeout (T): the caller gives up on an attempt after {} ms.",
            format_number(timeout)
        ));
    }
    if let Some(retry) = &p.retry {
        lines.push(format!(
            "Retries (↻): up to {} attempts in all, backing off from {} ms.",
            retry.max_attempts,
            format_number(retry.base_ms)
        ));
    }
    if let Some(breaker) = &p.circuit_breaker {
        lines.push(format!(
            "Circuit breaker (CB): calls stop for {} ms once {}% of recent calls failed.",
            format_number(breaker.open_ms),
            format_number(breaker.failure_threshold * 100.0)
        ));
    }
    if let Some(budget) = &p.retry_budget {
        lines.push(format!(
            "Retry budget (RB): retries only up to {}% of calls (plus {} a second).",
            format_number(budget.percent_can_retry * 100.0),
            budget.min_retries_per_sec
        ));
    }
    if let Some(bulkhead) = &p.bulkhead {
        lines.push(format!(
            "Bulkhead (BH): at most {} attempts in flight; more fail at once.",
            bulkhead.max_concurrent
        ));
    }
    if let Some(throttle) = &p.adaptive_throttling {
        lines.push(format!(
            "Adaptive throttling (AT): the caller rejects calls itself beyond {}× what the callee accepts.",
            format_number(throttle.k)
        ));
    }
    if p.propagate_deadline {
        lines.push(
            "Deadline (DL): the caller's deadline travels with the call; work past it is cancelled."
                .to_string(),
        );
    }
    lines.join("\n").into()
}

/// The badge of an edge: its resilience tags in words, or in short form when the words would
/// not fit along the edge. None when the edge has none.
fn badge_text(edge: &Edge, length: f64) -> Option<AttrValue> {
    let badges = edge_badges(edge);
    if badges.is_empty() {
        return None;
    }
    let long = badges
        .iter()
        .map(|(long, _)| long.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    if badge_width(&long) + 16.0 <= length {
        return Some(long.into());
    }
    let short = badges
        .iter()
        .map(|(_, short)| short.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Some(short.into())
}

#[derive(Properties, PartialEq)]
struct NodeViewProps {
    node: Rc<Node>,
    selected: bool,
    /// A connection being dragged would land here.
    connect_target: bool,
    /// A connection is being dragged and this node would accept it.
    connect_candidate: bool,
    has_problem: bool,
    /// What a run shows of this node, when one is shown.
    load: Option<NodeLoad>,
    /// The most loaded node on the busiest path.
    bottleneck: bool,
    /// Draw the run's words (badge, load in words): the zoom is large enough to read them.
    detail: bool,
}

/// Shortens text to at most `max` characters with an ellipsis (SVG text does not wrap or clip
/// itself), cutting at a word boundary ("16 workers · p50 8 ms…", never "p50 8 / p99…" cut
/// inside a figure) and dropping separators left dangling at the cut. Only a single word longer
/// than `max` is cut inside itself. The whole text is in the node's tooltip.
fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let room: String = text.chars().take(max.saturating_sub(1)).collect();
    // The cut falls on a boundary when the text goes on with a space.
    let next_is_space = text
        .chars()
        .nth(room.chars().count())
        .is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        room.as_str()
    } else {
        match room.rfind(char::is_whitespace) {
            Some(space) => &room[..space],
            None => room.as_str(),
        }
    };
    let kept = kept.trim_end_matches(|c: char| c.is_whitespace() || "·/,;:-–—".contains(c));
    format!("{kept}…")
}

#[function_component(NodeView)]
fn node_view(props: &NodeViewProps) -> Html {
    let node = &props.node;
    let kind = node.kind_name();
    let info = kind_info(kind);
    let label = if node.label.is_empty() {
        node.id.as_str()
    } else {
        node.label.as_str()
    };
    let caption = node_caption(&node.spec);
    let transform = format!("translate({} {})", node.position.x, node.position.y);
    let load = props.load.as_ref();
    let step = load.and_then(NodeLoad::load_step);
    let load_words = load.and_then(NodeLoad::load_words);
    let saturated = load.and_then(|l| l.load).is_some_and(|l| l >= SATURATED);
    let down = load.is_some_and(|l| l.down);
    let out_of_rotation = load.is_some_and(|l| l.rotation.out());
    let mut flags: Vec<&str> = load.map(NodeLoad::flags).unwrap_or_default();
    if props.bottleneck {
        flags.push("bottleneck");
    }
    let badge = load.map(NodeLoad::badge);
    let shown_badge = load.map(NodeLoad::badge_lines).filter(|_| props.detail);
    let shown_words = load_words.clone().filter(|_| props.detail);
    let title = match (&load_words, &badge) {
        (None, None) => format!("{label} — {}\n{caption}", info.title),
        _ => {
            let mut lines = vec![format!("{label} — {}", info.title)];
            lines.extend(load_words.clone());
            lines.extend(badge.clone());
            if !flags.is_empty() {
                lines.push(flags.join(", "));
            }
            lines.join("\n")
        }
    };
    // The caption gives way to the load while a run is shown (where it can be read: below
    // RUN_DETAIL_ZOOM it stays put, and the load is in the colour, the bar and the title).
    let caption_text = shown_words
        .clone()
        .unwrap_or_else(|| ellipsize(&caption, CAPTION_CHARS));
    let flags_text = flags.join(" · ").to_uppercase();
    let shown_label = ellipsize(label, LABEL_CHARS);
    // What a screen reader says: the words on the node, in order (so its name contains what
    // is seen, as WCAG's "label in name" asks), then its kind and the whole caption. The drawn
    // words themselves are hidden from assistive technology: they would be said twice.
    let accessible_name = {
        let mut words = vec![shown_label.clone(), caption_text.clone()];
        if !flags.is_empty() {
            words.push(flags_text.clone());
        }
        words.extend(shown_badge.as_ref().map(|lines| lines.join(" · ")));
        format!("{} — {}: {caption}", words.join(" "), info.title)
    };
    let flags_width = flags_width(&flags_text);
    html! {
        <g class={classes!("node", format!("kind-{kind}"), props.selected.then_some("is-selected"),
                           props.has_problem.then_some("has-problem"),
                           props.connect_target.then_some("is-connect-target"),
                           props.connect_candidate.then_some("is-connect-candidate"),
                           step.map(|_| "has-load"), step.map(|s| LOAD_STEP_CLASSES[s]),
                           saturated.then_some("is-saturated"),
                           down.then_some("is-down"), out_of_rotation.then_some("is-out-of-rotation"),
                           props.bottleneck.then_some("is-bottleneck"))}
           transform={transform} data-node-id={node.id.clone()} data-kind={kind}
           tabindex="0" role="button" aria-pressed={props.selected.to_string()}
           aria-label={accessible_name}
           data-load-step={step.map(|s| s.to_string())}>
            <title>{ title }</title>
            <rect class="node-body" width={NODE_WIDTH.to_string()} height={NODE_HEIGHT.to_string()} rx="10" />
            if saturated {
                <rect class="node-hatch" width={NODE_WIDTH.to_string()} height={NODE_HEIGHT.to_string()} rx="10"
                      fill="url(#saturated-hatch)" />
            }
            if let Some(l) = load.and_then(|l| l.load) {
                <rect class="node-load-bar" x="10" y={(NODE_HEIGHT - 6.0).to_string()}
                      width={((NODE_WIDTH - 20.0) * l.clamp(0.0, 1.0)).to_string()} height="3" rx="1.5" />
            }
            <NodeFace kind={kind} label={label.to_string()} />
            // A space between the drawn words (not drawn itself), so that tools reading the
            // node's text see "Client 1 100 rps", not "Client 1100 rps".
            { " " }
            <text class={classes!("node-caption", shown_words.is_some().then_some("node-load-words"))} aria-hidden="true"
                  x="12" y="49">{ caption_text }</text>
            { " " }
            if !flags.is_empty() {
                <g class="node-flags" aria-hidden="true" transform={format!("translate(0 {FLAGS_TOP})")}>
                    <rect width={flags_width.to_string()} height={FLAGS_HEIGHT.to_string()} rx="4" />
                    <text x={(flags_width / 2.0).to_string()} y="14" text-anchor="middle">{ flags_text }</text>
                </g>
            }
            { " " }
            if let Some(lines) = shown_badge {
                // Centred under the node, in lines no wider than it where it can be (see
                // `NodeLoad::badge_lines`): a wide badge overhangs both sides by half, rather
                // than its neighbour's badge or the edge of the view.
                <g class="node-badge" aria-hidden="true"
                   transform={format!("translate({} {})", (NODE_WIDTH - badge_box_width(&lines)) / 2.0, NODE_HEIGHT + BADGE_GAP)}>
                    <rect width={badge_box_width(&lines).to_string()} height={badge_box_height(&lines).to_string()} rx="10" />
                    { for lines.iter().enumerate().map(|(i, line)| html! {
                        <text x={(badge_box_width(&lines) / 2.0).to_string()} y={(14.0 + BADGE_LINE * i as f64).to_string()}
                              text-anchor="middle">{ line.clone() }</text>
                    }) }
                </g>
            }
            if props.has_problem {
                <circle class="node-problem" cx={(NODE_WIDTH - 10.0).to_string()} cy="10" r="4" />
            }
            { for HANDLE_SIDES.iter().map(|side| {
                let at = handle_point(&Rect { x: 0.0, y: 0.0, width: NODE_WIDTH, height: NODE_HEIGHT }, side);
                html! {
                    <g class="node-handle" aria-hidden="true" data-handle-of={node.id.clone()} data-side={*side}
                       transform={format!("translate({} {})", at.x, at.y)}>
                        <title>{ format!("Drag from here onto another node to connect {label} to it") }</title>
                        <circle class="handle-hit" r={HANDLE_HIT_RADIUS.to_string()} />
                        <circle class="handle-dot" r="6" />
                    </g>
                }
            }) }
            <g class="quick-add" aria-hidden="true" data-quick-add-of={node.id.clone()}
                   transform={format!("translate({} {})", NODE_WIDTH + QUICK_ADD_OFFSET, NODE_HEIGHT / 2.0)}>
                    <title>{ format!("Add a node after {label}, connected from it") }</title>
                    <circle class="handle-hit" r={HANDLE_HIT_RADIUS.to_string()} />
                    <circle class="quick-add-dot" r="9" />
                    <path class="quick-add-arrow" d="M-4 0H4M1 -3L4 0L1 3" />
                </g>
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct NodeFaceProps {
    kind: &'static str,
    label: AttrValue,
}

/// The parts of a node a run never changes (accent, icon, label): a component of their own, so
/// that a live update, which re-renders every node of a big design, skips them.
#[function_component(NodeFace)]
fn node_face(props: &NodeFaceProps) -> Html {
    html! {
        <>
            <rect class="node-accent" x="0" y="10" width="3" height={(NODE_HEIGHT - 20.0).to_string()} rx="1.5" />
            <g class="node-icon" aria-hidden="true" transform="translate(12 9) scale(0.8)" fill="none" stroke="currentColor"
               stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                { kind_icon_shapes(props.kind) }
            </g>
            <text class="node-label" aria-hidden="true" x="36" y="25">{ ellipsize(&props.label, LABEL_CHARS) }</text>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AnnotationViewProps {
    annotation: archsim_model::Annotation,
    selected: bool,
}

/// A group box (dashed frame, label tab on top; only the frame's border and the tab take the
/// pointer, so what is inside stays clickable) or a note (a filled card of text, wrapped to its
/// width). Drawn under the edges and nodes.
#[function_component(AnnotationView)]
fn annotation_view(props: &AnnotationViewProps) -> Html {
    let a = &props.annotation;
    let (w, h) = (a.size.width, a.size.height);
    let group = a.kind == archsim_model::AnnotationKind::Group;
    let transform = format!("translate({} {})", a.position.x, a.position.y);
    let body = if group {
        let shown = ellipsize(
            crate::state::annotate::group_label(a),
            ((w - 20.0) / 7.8).max(4.0) as usize,
        );
        let tab_width = crate::state::annotate::label_tab_width(a, shown.chars().count());
        html! {
            <>
                <rect class="annotation-frame" width={w.to_string()} height={h.to_string()} rx="12" />
                <rect class="annotation-hit" width={w.to_string()} height={h.to_string()} rx="12" />
                <rect class="annotation-tab" width={tab_width.to_string()}
                      height={crate::state::annotate::LABEL_TAB_HEIGHT.to_string()} rx="6" />
                <text class="annotation-label" x="9" y="18">{ shown }</text>
            </>
        }
    } else {
        let per_line = ((w - 16.0) / 7.2).max(4.0) as usize;
        let max_lines = ((h - 10.0) / 18.0).max(1.0) as usize;
        let lines = wrap_text(&a.text, per_line, max_lines);
        html! {
            <>
                <rect class="annotation-note" width={w.to_string()} height={h.to_string()} rx="6" />
                <text class="annotation-text" x="9" y="21">
                    { for lines.into_iter().enumerate().map(|(i, line)| html! {
                        <tspan x="9" dy={if i == 0 { "0" } else { "18" }}>{ line }</tspan>
                    }) }
                </text>
            </>
        }
    };
    let kind_words = if group { "Group box" } else { "Note" };
    html! {
        <g class={classes!("annotation", if group { "is-group" } else { "is-note" }, props.selected.then_some("is-selected"))}
           transform={transform} data-annotation-id={a.id.clone()}
           tabindex="0" role="button" aria-pressed={props.selected.to_string()}
           aria-label={format!("{kind_words}: {}", a.text)}>
            <title>{ format!("{kind_words}: {}", a.text) }</title>
            { body }
            <rect class="annotation-resize" x={(w - 12.0).to_string()} y={(h - 12.0).to_string()}
                  width="16" height="16" data-annotation-resize={a.id.clone()} />
        </g>
    }
}

/// Text wrapped at word boundaries into at most `max_lines` lines of about `per_line`
/// characters, the last one ending in an ellipsis when text is left over.
fn wrap_text(text: &str, per_line: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > per_line {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(&format!("{last} …"), per_line);
        }
    }
    lines
}

#[derive(Properties, PartialEq)]
struct LabelEditorProps {
    id: AttrValue,
    label: AttrValue,
    left: f64,
    top: f64,
    zoom: f64,
    /// `Some(label)` to keep the text, `None` to cancel.
    on_commit: Callback<Option<String>>,
}

/// In-place rename: an input laid over the node's label. Enter or leaving the field keeps the
/// text, Esc cancels.
#[function_component(LabelEditor)]
fn label_editor(props: &LabelEditorProps) -> Html {
    let input_ref = use_node_ref();
    let done = use_mut_ref(|| false);
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
                input.select();
            }
        });
    }
    let finish = {
        let on_commit = props.on_commit.clone();
        let done: Rc<RefCell<bool>> = done.clone();
        move |value: Option<String>| {
            // Enter commits, then the input's removal fires blur: commit only once.
            if !std::mem::replace(&mut *done.borrow_mut(), true) {
                on_commit.emit(value);
            }
        }
    };
    let on_key = {
        let finish = finish.clone();
        Callback::from(move |event: KeyboardEvent| {
            event.stop_propagation();
            match event.key().as_str() {
                "Enter" => {
                    let input: HtmlInputElement = event.target_unchecked_into();
                    finish(Some(input.value()));
                }
                "Escape" => finish(None),
                _ => {}
            }
        })
    };
    let on_blur = Callback::from(move |event: FocusEvent| {
        let input: HtmlInputElement = event.target_unchecked_into();
        finish(Some(input.value()));
    });
    let style = format!(
        "left:{}px;top:{}px;width:{}px;transform:scale({});",
        props.left + 32.0 * props.zoom,
        props.top + 8.0 * props.zoom,
        NODE_WIDTH - 40.0,
        props.zoom
    );
    html! {
        <input ref={input_ref} class="label-editor" type="text" value={props.label.clone()}
               aria-label="Node label" data-rename={props.id.clone()} style={style}
               onkeydown={on_key} onblur={on_blur} />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_wraps_at_words_and_marks_what_does_not_fit() {
        assert_eq!(
            wrap_text("Writes go to the primary", 12, 3),
            ["Writes go to", "the primary"]
        );
        let cut = wrap_text("one two three four five six", 9, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'), "{cut:?}");
        assert_eq!(wrap_text("first\nsecond", 20, 3), ["first", "second"]);
    }

    #[test]
    fn ellipsize_keeps_short_text_and_marks_cut_text() {
        assert_eq!(ellipsize("Cache", 15), "Cache");
        assert_eq!(ellipsize("A very long service name", 10), "A very…");
        // At a word boundary, never inside a figure, no dangling separator.
        assert_eq!(
            ellipsize("16 workers · p50 8 / p99 40 ms", 22),
            "16 workers · p50 8…"
        );
        // A single word too long is cut inside itself: nothing better exists.
        assert_eq!(ellipsize("Supercalifragilistic", 8), "Superca…");
    }

    #[test]
    fn edge_badges_name_each_resilience_setting() {
        let mut edge = Edge {
            id: "e".into(),
            from: "a".into(),
            to: "b".into(),
            params: Default::default(),
        };
        assert!(edge_badges(&edge).is_empty());
        assert_eq!(badge_text(&edge, 1_000.0), None);
        edge.params.timeout_ms = Some(1_500.0);
        edge.params.retry = Some(Default::default());
        edge.params.circuit_breaker = Some(Default::default());
        let words: Vec<String> = edge_badges(&edge)
            .into_iter()
            .map(|(long, _)| long)
            .collect();
        assert_eq!(words, ["timeout 1.5 s", "retry ×3", "breaker"]);
        assert_eq!(
            badge_text(&edge, 1_000.0).as_deref(),
            Some("timeout 1.5 s · retry ×3 · breaker")
        );
        assert_eq!(badge_text(&edge, 60.0).as_deref(), Some("T1.5 s ↻3 CB"));
    }
}

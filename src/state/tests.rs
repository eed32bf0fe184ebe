//! Reducer tests: every action, undo grouping, and the invariants views rely on.

use super::*;
use archsim_model::{FaultEffect, ServiceParams};

fn p(x: f64, y: f64) -> Position {
    Position { x, y }
}

fn state_after(actions: impl IntoIterator<Item = Action>) -> EditorState {
    let mut s = EditorState::default();
    for a in actions {
        s.apply(a);
    }
    s
}

fn add(kind: &str, x: f64, y: f64) -> Action {
    Action::AddNode {
        kind: kind.into(),
        at: p(x, y),
    }
}

fn connect(from: &str, to: &str) -> Action {
    Action::Connect {
        from: from.into(),
        to: to.into(),
    }
}

fn node_ids(s: &EditorState) -> Vec<&str> {
    s.design.nodes.iter().map(|n| n.id.as_str()).collect()
}

#[test]
fn add_node_centres_on_drop_point_snaps_and_selects_it() {
    let s = state_after([add("service", 100.0, 100.0)]);
    let node = &s.design.nodes[0];
    assert_eq!(node.id, "service-1");
    assert_eq!(node.label, "Service 1");
    // Centre (100,100) puts the top-left at (20,68); snapped to the 20 grid: (20,60).
    assert_eq!(node.position, p(20.0, 60.0));
    assert_eq!(
        s.selection,
        Selection::only(ItemRef::Node("service-1".into()))
    );
    assert_eq!(s.revision, 1);
    assert!(s.can_undo());
}

#[test]
fn add_node_without_snapping_is_exact() {
    let s = state_after([Action::ToggleSnap, add("cache", 100.0, 100.0)]);
    assert_eq!(s.design.nodes[0].position, p(20.0, 68.0));
}

#[test]
fn add_node_of_unknown_kind_changes_nothing_and_says_why() {
    let s = state_after([add("teapot", 0.0, 0.0)]);
    assert!(s.design.nodes.is_empty());
    assert_eq!(s.revision, 0);
    assert!(s.notice.as_deref().unwrap().contains("teapot"));
}

#[test]
fn node_ids_never_collide() {
    let s = state_after([
        add("service", 0.0, 0.0),
        add("service", 0.0, 0.0),
        Action::SelectOnly(ItemRef::Node("service-1".into())),
        Action::DeleteSelection,
        add("service", 0.0, 0.0),
    ]);
    assert_eq!(node_ids(&s), ["service-2", "service-3"]);
    assert_eq!(s.design.nodes[1].label, "Service 3");
}

#[test]
fn move_outside_gesture_is_exact_and_one_step() {
    let s = state_after([
        add("service", 80.0, 32.0),
        Action::MoveNodes {
            ids: vec!["service-1".into()],
            dx: 3.0,
            dy: -1.0,
        },
    ]);
    assert_eq!(s.design.nodes[0].position, p(3.0, -1.0));
    assert_eq!(s.history.undo_len(), 2);
}

#[test]
fn undo_after_drag_is_one_step_back_to_the_start() {
    let mut s = state_after([add("service", 80.0, 32.0), add("cache", 400.0, 32.0)]);
    let before = s.design.clone();
    s.apply(Action::BeginGesture);
    for _ in 0..25 {
        s.apply(Action::MoveNodes {
            ids: vec!["service-1".into(), "cache-1".into()],
            dx: 4.0,
            dy: 2.0,
        });
    }
    s.apply(Action::EndGesture);
    // 100,50 accumulated; snapped to the grid.
    assert_eq!(s.design.nodes[0].position, p(100.0, 60.0));
    assert_eq!(s.history.undo_len(), 3);
    s.apply(Action::Undo);
    assert_eq!(s.design, before);
    assert_eq!(s.history.undo_len(), 2);
}

#[test]
fn drag_with_snapping_moves_in_grid_steps_without_losing_small_deltas() {
    let mut s = state_after([add("service", 80.0, 32.0)]);
    s.apply(Action::BeginGesture);
    let mut seen = Vec::new();
    for _ in 0..6 {
        s.apply(Action::MoveNodes {
            ids: vec!["service-1".into()],
            dx: 5.0,
            dy: 0.0,
        });
        seen.push(s.design.nodes[0].position.x);
    }
    s.apply(Action::EndGesture);
    assert_eq!(seen, [0.0, 20.0, 20.0, 20.0, 20.0, 40.0]);
}

#[test]
fn gesture_without_changes_records_no_step() {
    let s = state_after([
        add("service", 80.0, 32.0),
        Action::BeginGesture,
        Action::EndGesture,
    ]);
    assert_eq!(s.history.undo_len(), 1);
}

#[test]
fn connect_adds_edge_and_selects_it() {
    let s = state_after([
        add("client", 0.0, 0.0),
        add("service", 300.0, 0.0),
        connect("client-1", "service-1"),
    ]);
    assert_eq!(s.design.edges.len(), 1);
    assert_eq!(s.design.edges[0].id, "e-client-1-service-1");
    assert_eq!(
        s.selection,
        Selection::only(ItemRef::Edge("e-client-1-service-1".into()))
    );
}

#[test]
fn refused_connections_leave_design_and_history_alone() {
    let base = state_after([
        add("client", 0.0, 0.0),
        add("service", 300.0, 0.0),
        connect("client-1", "service-1"),
    ]);
    for (from, to) in [
        ("service-1", "service-1"),
        ("client-1", "service-1"),
        ("service-1", "client-1"),
        ("service-1", "ghost"),
    ] {
        let mut s = base.clone();
        s.apply(connect(from, to));
        assert_eq!(s.design, base.design, "{from}->{to}");
        assert_eq!(s.revision, base.revision);
        assert_eq!(s.history, base.history);
        assert!(s.notice.is_some(), "{from}->{to} gave no notice");
    }
}

#[test]
fn delete_selection_removes_nodes_edges_and_faults_then_undo_restores() {
    let mut s = state_after([
        add("client", 0.0, 0.0),
        add("service", 300.0, 0.0),
        add("database", 600.0, 0.0),
        connect("client-1", "service-1"),
        connect("service-1", "database-1"),
        Action::AddFault(Fault {
            target: "service-1".into(),
            at_ms: 1_000.0,
            duration_ms: 500.0,
            effect: FaultEffect::Crash,
        }),
        Action::SelectOnly(ItemRef::Node("service-1".into())),
    ]);
    let before = s.design.clone();
    s.apply(Action::DeleteSelection);
    assert_eq!(node_ids(&s), ["client-1", "database-1"]);
    assert!(s.design.edges.is_empty());
    assert!(s.design.faults.is_empty());
    assert!(s.selection.is_empty());
    s.apply(Action::Undo);
    assert_eq!(s.design, before);
}

#[test]
fn deleting_a_selected_edge_keeps_its_nodes() {
    let s = state_after([
        add("client", 0.0, 0.0),
        add("service", 300.0, 0.0),
        connect("client-1", "service-1"),
        Action::DeleteSelection,
    ]);
    assert_eq!(s.design.nodes.len(), 2);
    assert!(s.design.edges.is_empty());
}

#[test]
fn redo_reapplies_and_is_cleared_by_a_new_edit() {
    let mut s = state_after([add("service", 0.0, 0.0), add("cache", 0.0, 0.0)]);
    let two = s.design.clone();
    s.apply(Action::Undo);
    assert_eq!(s.design.nodes.len(), 1);
    assert!(s.can_redo());
    s.apply(Action::Redo);
    assert_eq!(s.design, two);
    s.apply(Action::Undo);
    s.apply(add("queue", 0.0, 0.0));
    assert!(!s.can_redo());
    s.apply(Action::Redo);
    assert_eq!(node_ids(&s), ["service-1", "queue-1"]);
}

#[test]
fn undo_and_redo_bump_revision_and_drop_vanished_selection() {
    let mut s = state_after([add("service", 0.0, 0.0)]);
    assert_eq!(s.revision, 1);
    s.apply(Action::Undo);
    assert_eq!(s.revision, 2);
    assert!(s.selection.is_empty());
    s.apply(Action::Undo); // nothing left: no change
    assert_eq!(s.revision, 2);
}

#[test]
fn history_is_bounded() {
    let mut s = EditorState::default();
    for i in 0..(HISTORY_LIMIT + 20) {
        s.apply(add("service", i as f64 * 200.0, 0.0));
    }
    assert_eq!(s.history.undo_len(), HISTORY_LIMIT);
    for _ in 0..(HISTORY_LIMIT + 20) {
        s.apply(Action::Undo);
    }
    // The oldest 20 additions can no longer be undone.
    assert_eq!(s.design.nodes.len(), 20);
}

#[test]
fn selection_and_viewport_changes_are_not_undo_steps() {
    let s = state_after([
        add("service", 0.0, 0.0),
        Action::ClearSelection,
        Action::SelectAll,
        Action::Pan { dx: 10.0, dy: 5.0 },
        Action::ZoomAt {
            factor: 2.0,
            anchor: p(0.0, 0.0),
        },
        Action::ToggleSnap,
    ]);
    assert_eq!(s.history.undo_len(), 1);
    assert_eq!(s.revision, 1);
    // Pan and zoom changed the view; the other actions did not.
    assert_eq!(s.view_revision, 2);
}

#[test]
fn duplicate_copies_selection_with_offset_and_inner_edges() {
    let s = state_after([
        add("service", 80.0, 32.0),
        add("database", 380.0, 32.0),
        add("cache", 80.0, 332.0),
        connect("service-1", "database-1"),
        connect("service-1", "cache-1"),
        Action::SelectOnly(ItemRef::Node("service-1".into())),
        Action::ToggleSelect(ItemRef::Node("database-1".into())),
        Action::Duplicate,
    ]);
    assert_eq!(s.design.nodes.len(), 5);
    let copy = s.design.node("service-2").unwrap();
    assert_eq!(copy.position, p(40.0, 40.0));
    assert_eq!(copy.label, "Service 2");
    assert!(
        s.design
            .edges
            .iter()
            .any(|e| e.from == "service-2" && e.to == "database-2")
    );
    // The edge to the unselected cache is not copied.
    assert_eq!(s.design.edges.len(), 3);
    assert_eq!(
        s.selection.nodes,
        BTreeSet::from(["service-2".to_string(), "database-2".to_string()])
    );
    assert_eq!(s.selection.edges.len(), 1);
}

#[test]
fn paste_offsets_further_each_time_and_is_one_step() {
    let mut s = state_after([
        add("service", 80.0, 32.0),
        Action::Copy,
        Action::Paste,
        Action::Paste,
    ]);
    assert_eq!(node_ids(&s), ["service-1", "service-2", "service-3"]);
    assert_eq!(s.design.nodes[1].position, p(40.0, 40.0));
    assert_eq!(s.design.nodes[2].position, p(80.0, 80.0));
    s.apply(Action::Undo);
    assert_eq!(s.design.nodes.len(), 2);
}

#[test]
fn a_pasted_node_the_person_named_is_offset_and_marked_as_a_copy() {
    let mut s = state_after([add("service", 80.0, 32.0)]);
    s.apply(Action::SetNodeLabel {
        id: "service-1".into(),
        label: "App 1".into(),
    });
    s.apply(Action::Copy);
    s.apply(Action::Paste);
    s.apply(Action::Paste);
    let labels: Vec<&str> = s.design.nodes.iter().map(|n| n.label.as_str()).collect();
    assert_eq!(labels, ["App 1", "App 1 (copy)", "App 1 (copy 2)"]);
    assert_ne!(s.design.nodes[1].position, s.design.nodes[0].position);
    assert_ne!(s.design.nodes[2].position, s.design.nodes[1].position);
    // A copy of the copy is the original's third copy, not "App 1 (copy) (copy)".
    s.apply(Action::SelectOnly(ItemRef::Node(
        s.design.nodes[1].id.clone(),
    )));
    s.apply(Action::Copy);
    s.apply(Action::Paste);
    assert_eq!(s.design.nodes[3].label, "App 1 (copy 3)");
}

#[test]
fn paste_with_empty_clipboard_does_nothing() {
    let s = state_after([add("service", 80.0, 32.0), Action::Paste]);
    assert_eq!(s.design.nodes.len(), 1);
    assert_eq!(s.history.undo_len(), 1);
}

#[test]
fn cut_removes_and_paste_brings_back_new_ids() {
    let s = state_after([add("service", 80.0, 32.0), Action::Cut, Action::Paste]);
    assert_eq!(node_ids(&s), ["service-1"]);
    assert_eq!(s.design.nodes[0].position, p(40.0, 40.0));
}

#[test]
fn select_in_rect_takes_touching_nodes_and_edges_between_them() {
    let s = state_after([
        add("client", 80.0, 32.0),    // box (0,0)-(160,64)
        add("service", 480.0, 32.0),  // box (400,0)-(560,64)
        add("database", 880.0, 32.0), // box (800,0)-(960,64)
        connect("client-1", "service-1"),
        connect("service-1", "database-1"),
        Action::SelectInRect {
            rect: Rect::from_corners(p(500.0, 100.0), p(100.0, 10.0)),
            additive: false,
        },
    ]);
    assert_eq!(
        s.selection.nodes,
        BTreeSet::from(["client-1".to_string(), "service-1".to_string()])
    );
    assert_eq!(
        s.selection.edges,
        BTreeSet::from(["e-client-1-service-1".to_string()])
    );
}

#[test]
fn additive_rect_selection_keeps_previous_selection() {
    let s = state_after([
        add("client", 80.0, 32.0),
        add("service", 480.0, 32.0),
        Action::SelectOnly(ItemRef::Node("client-1".into())),
        Action::SelectInRect {
            rect: Rect::from_corners(p(390.0, 0.0), p(420.0, 20.0)),
            additive: true,
        },
    ]);
    assert_eq!(s.selection.nodes.len(), 2);
}

#[test]
fn toggle_select_adds_and_removes_and_ignores_unknown_ids() {
    let s = state_after([
        add("client", 80.0, 32.0),
        add("service", 480.0, 32.0),
        Action::ToggleSelect(ItemRef::Node("client-1".into())),
        Action::ToggleSelect(ItemRef::Node("service-1".into())),
        Action::ToggleSelect(ItemRef::Node("ghost".into())),
    ]);
    assert_eq!(s.selection.nodes, BTreeSet::from(["client-1".to_string()]));
    assert_eq!(s.selection.single(), Some(ItemRef::Node("client-1".into())));
}

#[test]
fn zoom_keeps_the_anchor_point_fixed_and_clamps() {
    let mut s = state_after([Action::Pan {
        dx: 30.0,
        dy: -20.0,
    }]);
    let anchor = p(400.0, 300.0);
    let under_before = s.viewport.screen_to_canvas(anchor);
    s.apply(Action::ZoomAt {
        factor: 1.5,
        anchor,
    });
    assert_eq!(s.viewport.zoom, 1.5);
    let under_after = s.viewport.screen_to_canvas(anchor);
    assert!((under_before.x - under_after.x).abs() < 1e-9);
    assert!((under_before.y - under_after.y).abs() < 1e-9);
    s.apply(Action::ZoomAt {
        factor: 100.0,
        anchor,
    });
    assert_eq!(s.viewport.zoom, MAX_ZOOM);
    let under_clamped = s.viewport.screen_to_canvas(anchor);
    assert!((under_before.x - under_clamped.x).abs() < 1e-9);
    s.apply(Action::ZoomAt {
        factor: 0.0001,
        anchor,
    });
    assert_eq!(s.viewport.zoom, MIN_ZOOM);
    s.apply(Action::ZoomAt {
        factor: f64::NAN,
        anchor,
    });
    assert_eq!(s.viewport.zoom, MIN_ZOOM);
}

#[test]
fn fit_to_screen_shows_every_node_centred() {
    let s = state_after([
        add("client", 80.0, 32.0),
        add("database", 2080.0, 1032.0),
        Action::FitToScreen {
            width: 800.0,
            height: 600.0,
            insets: Insets::default(),
        },
    ]);
    let visible = s.viewport.visible_canvas_rect(800.0, 600.0);
    for node in &s.design.nodes {
        let r = geometry::node_rect(node);
        assert!(visible.contains(p(r.x, r.y)) && visible.contains(p(r.right(), r.bottom())));
    }
    let bounds = geometry::design_bounds(&s.design).unwrap();
    let centre = s.viewport.canvas_to_screen(bounds.center());
    assert!((centre.x - 400.0).abs() < 1e-9 && (centre.y - 300.0).abs() < 1e-9);
}

// Regression: Fit put a node of the microservices-gateway template under the zoom controls.
#[test]
fn fit_to_screen_keeps_nodes_out_of_the_strips_overlays_cover() {
    let insets = Insets {
        top: 90.0,
        right: 0.0,
        bottom: 56.0,
        left: 0.0,
    };
    let s = state_after([
        add("client", 80.0, 32.0),
        add("database", 2080.0, 1032.0),
        Action::FitToScreen {
            width: 800.0,
            height: 600.0,
            insets,
        },
    ]);
    for node in &s.design.nodes {
        let r = geometry::node_rect(node);
        let top_left = s.viewport.canvas_to_screen(p(r.x, r.y));
        let bottom_right = s.viewport.canvas_to_screen(p(r.right(), r.bottom()));
        assert!(
            top_left.y >= 90.0 && bottom_right.y <= 600.0 - 56.0,
            "{top_left:?} {bottom_right:?}"
        );
        assert!(top_left.x >= 0.0 && bottom_right.x <= 800.0);
    }
    // Centred in what is left free.
    let bounds = geometry::design_bounds(&s.design).unwrap();
    let centre = s.viewport.canvas_to_screen(bounds.center());
    assert!((centre.y - (90.0 + (600.0 - 90.0 - 56.0) / 2.0)).abs() < 1e-9);
    // Insets that would leave almost nothing are ignored rather than shrinking the design away.
    let cramped = Viewport::fitting_within(
        &s.design,
        800.0,
        600.0,
        Insets {
            top: 400.0,
            bottom: 300.0,
            ..Insets::default()
        },
    );
    assert_eq!(cramped, Viewport::fitting(&s.design, 800.0, 600.0));
}

#[test]
fn fit_to_screen_never_magnifies_a_small_design() {
    let s = state_after([
        add("service", 80.0, 32.0),
        Action::FitToScreen {
            width: 1600.0,
            height: 1200.0,
            insets: Insets::default(),
        },
    ]);
    assert_eq!(s.viewport.zoom, 1.0);
}

#[test]
fn fit_to_screen_of_empty_design_resets_view() {
    let s = state_after([
        Action::Pan { dx: 50.0, dy: 50.0 },
        Action::FitToScreen {
            width: 800.0,
            height: 600.0,
            insets: Insets::default(),
        },
    ]);
    assert_eq!(s.viewport, Viewport::default());
}

fn show_readably(width: f64, height: f64) -> Action {
    Action::ShowReadably {
        width,
        height,
        insets: Insets::default(),
    }
}

// Regression: at 1024 × 700 a loaded template was fitted to 48%, where no caption could be read.
#[test]
fn showing_a_wide_design_never_goes_below_the_readable_zoom_and_starts_at_its_left() {
    // 2,000 canvas units wide: a whole fit into 600 px would take 28%.
    let s = state_after([
        add("client", 80.0, 232.0),
        add("database", 2080.0, 232.0),
        show_readably(600.0, 400.0),
    ]);
    assert_eq!(s.viewport.zoom, READABLE_ZOOM);
    let bounds = geometry::design_bounds(&s.design)
        .unwrap()
        .inflate(geometry::FIT_MARGIN);
    // Overflowing across: the left edge (with its margin) at the screen's left edge.
    let left = s.viewport.canvas_to_screen(p(bounds.x, bounds.y));
    assert!(left.x.abs() < 1e-9, "{left:?}");
    // Fitting down: centred vertically.
    let centre = s.viewport.canvas_to_screen(bounds.center());
    assert!((centre.y - 200.0).abs() < 1e-9, "{centre:?}");
    // The client, where the flow starts, is in view.
    let client = geometry::node_rect(&s.design.nodes[0]);
    let visible = s.viewport.visible_canvas_rect(600.0, 400.0);
    assert!(
        visible.contains(p(client.x, client.y))
            && visible.contains(p(client.right(), client.bottom()))
    );
}

#[test]
fn showing_a_design_that_fits_readably_is_the_same_as_fitting_it() {
    let actions = || [add("client", 80.0, 32.0), add("database", 680.0, 332.0)];
    for (width, height) in [(1200.0, 800.0), (700.0, 420.0), (300.0, 200.0)] {
        let fitted = state_after(actions().into_iter().chain([Action::FitToScreen {
            width,
            height,
            insets: Insets::default(),
        }]));
        let shown = state_after(actions().into_iter().chain([show_readably(width, height)]));
        if fitted.viewport.zoom >= READABLE_ZOOM {
            assert_eq!(shown.viewport, fitted.viewport, "{width} × {height}");
        } else {
            assert_eq!(shown.viewport.zoom, READABLE_ZOOM, "{width} × {height}");
        }
    }
}

// The results panel growing under a shown design must not shrink it to unreadable: the
// readable fit is what is redone, and a whole fit the person asked for stays a whole fit.
#[test]
fn a_resize_redoes_the_kind_of_fit_the_view_had() {
    let design = || [add("client", 80.0, 32.0), add("database", 1280.0, 632.0)];
    let mut shown = state_after(design().into_iter().chain([show_readably(1600.0, 900.0)]));
    shown.apply(resized((1600.0, 900.0)));
    shown.apply(resized((800.0, 400.0)));
    assert_eq!(
        shown.viewport.zoom, READABLE_ZOOM,
        "shown: never below readable"
    );
    let mut fitted = state_after(design().into_iter().chain([Action::FitToScreen {
        width: 1600.0,
        height: 900.0,
        insets: Insets::default(),
    }]));
    fitted.apply(resized((1600.0, 900.0)));
    fitted.apply(resized((800.0, 400.0)));
    assert!(
        fitted.viewport.zoom < READABLE_ZOOM,
        "fitted: everything in view"
    );
    let visible = fitted.viewport.visible_canvas_rect(800.0, 400.0);
    for node in &fitted.design.nodes {
        let r = geometry::node_rect(node);
        assert!(visible.contains(p(r.x, r.y)) && visible.contains(p(r.right(), r.bottom())));
    }
}

/// The canvas measured at `to` (the first size only records it; see `canvas_size`).
fn resized(to: (f64, f64)) -> Action {
    Action::CanvasResized {
        to,
        insets: Insets::default(),
    }
}

// Regression: the results area appearing made the canvas shorter and left a fitted design's
// lower nodes below its bottom edge.
#[test]
fn a_fitted_view_is_fitted_again_when_the_canvas_changes_size() {
    let fit = Action::FitToScreen {
        width: 800.0,
        height: 600.0,
        insets: Insets::default(),
    };
    let s = state_after([
        add("client", 80.0, 32.0),
        add("database", 880.0, 532.0),
        fit,
        resized((800.0, 600.0)),
        resized((800.0, 300.0)),
    ]);
    let mut short = s.clone();
    short.apply(Action::FitToScreen {
        width: 800.0,
        height: 300.0,
        insets: Insets::default(),
    });
    assert_eq!(
        s.viewport, short.viewport,
        "the same view as a fit at the new size"
    );
    let visible = s.viewport.visible_canvas_rect(800.0, 300.0);
    for node in &s.design.nodes {
        let r = geometry::node_rect(node);
        assert!(visible.contains(p(r.x, r.y)) && visible.contains(p(r.right(), r.bottom())));
    }
    // Growing back gives the view the first fit gave.
    let mut back = s.clone();
    back.apply(resized((800.0, 300.0)));
    back.apply(resized((800.0, 600.0)));
    let first = state_after([
        add("client", 80.0, 32.0),
        add("database", 880.0, 532.0),
        Action::FitToScreen {
            width: 800.0,
            height: 600.0,
            insets: Insets::default(),
        },
    ]);
    assert_eq!(back.viewport, first.viewport);
}

#[test]
fn a_view_moved_by_hand_keeps_its_zoom_and_centre_when_the_canvas_changes_size() {
    let centre_point =
        |s: &EditorState, (w, h): (f64, f64)| s.viewport.screen_to_canvas(p(w / 2.0, h / 2.0));
    for moved_by_hand in [
        Action::Pan {
            dx: 30.0,
            dy: -20.0,
        },
        Action::ZoomAt {
            factor: 2.0,
            anchor: p(100.0, 100.0),
        },
        Action::SetViewport(Viewport {
            pan_x: 5.0,
            pan_y: 7.0,
            zoom: 0.5,
        }),
    ] {
        let mut s = state_after([
            add("client", 80.0, 32.0),
            add("database", 880.0, 532.0),
            Action::FitToScreen {
                width: 800.0,
                height: 600.0,
                insets: Insets::default(),
            },
            moved_by_hand,
        ]);
        let (zoom, centre) = (s.viewport.zoom, centre_point(&s, (800.0, 600.0)));
        s.apply(resized((800.0, 600.0)));
        s.apply(resized((700.0, 350.0)));
        assert_eq!(s.viewport.zoom, zoom);
        let after = centre_point(&s, (700.0, 350.0));
        assert!((after.x - centre.x).abs() < 1e-9 && (after.y - centre.y).abs() < 1e-9);
    }
    // Nonsense sizes change nothing.
    let mut s = state_after([Action::Pan { dx: 3.0, dy: 4.0 }]);
    let before = s.viewport;
    s.apply(resized((800.0, 600.0)));
    s.apply(resized((0.0, 600.0)));
    s.apply(resized((f64::NAN, 600.0)));
    assert_eq!(s.canvas_size, Some((800.0, 600.0)), "not taken for a size");
    s.apply(resized((800.0, 600.0)));
    assert_eq!(s.viewport, before);
}

#[test]
fn a_resize_is_no_edit_and_keeps_the_notice_and_the_typing_run() {
    let mut s = state_after([add("service", 0.0, 0.0)]);
    let (revision, undo_len) = (s.revision, s.history.undo_len());
    s.apply(Action::SetNodeLabel {
        id: "service-1".into(),
        label: "U".into(),
    });
    s.notice = Some("something to say".into());
    let view_revision = s.view_revision;
    s.apply(resized((800.0, 600.0)));
    s.apply(resized((800.0, 300.0)));
    assert_eq!(s.notice.as_deref(), Some("something to say"));
    assert_eq!(s.view_revision, view_revision + 1, "the view is autosaved");
    assert_eq!(
        s.revision,
        revision + 1,
        "only the label changed the design"
    );
    s.apply(Action::SetNodeLabel {
        id: "service-1".into(),
        label: "Us".into(),
    });
    assert_eq!(
        s.history.undo_len(),
        undo_len + 1,
        "the typing is still one undo step"
    );
}

#[test]
fn typing_a_label_is_one_undo_step() {
    let mut s = state_after([add("service", 0.0, 0.0)]);
    for label in ["U", "Us", "Use", "User", "Users"] {
        s.apply(Action::SetNodeLabel {
            id: "service-1".into(),
            label: label.into(),
        });
    }
    assert_eq!(s.design.nodes[0].label, "Users");
    assert_eq!(s.history.undo_len(), 2);
    s.apply(Action::Undo);
    assert_eq!(s.design.nodes[0].label, "Service 1");
}

#[test]
fn replace_node_spec_and_edge_params_are_undoable() {
    let mut s = state_after([
        add("client", 0.0, 0.0),
        add("service", 300.0, 0.0),
        connect("client-1", "service-1"),
    ]);
    let spec = NodeKind::Service(ServiceParams {
        workers: 16,
        ..ServiceParams::default()
    });
    s.apply(Action::ReplaceNodeSpec {
        id: "service-1".into(),
        spec: spec.clone(),
    });
    assert_eq!(s.design.node("service-1").unwrap().spec, spec);
    let params = EdgeParams {
        timeout_ms: Some(250.0),
        ..EdgeParams::default()
    };
    s.apply(Action::ReplaceEdgeParams {
        id: "e-client-1-service-1".into(),
        params: params.clone(),
    });
    assert_eq!(s.design.edges[0].params, params);
    s.apply(Action::Undo);
    s.apply(Action::Undo);
    assert_eq!(
        s.design.node("service-1").unwrap().spec,
        NodeKind::Service(ServiceParams::default())
    );
}

#[test]
fn run_settings_name_description_and_faults_edit_the_design() {
    let fault = Fault {
        target: "service-1".into(),
        at_ms: 0.0,
        duration_ms: 10.0,
        effect: FaultEffect::Crash,
    };
    let later = Fault {
        at_ms: 5.0,
        ..fault.clone()
    };
    let mut s = state_after([
        add("service", 0.0, 0.0),
        Action::SetRunSettings(RunSettings {
            seed: 42,
            ..RunSettings::default()
        }),
        Action::SetDesignName("Shop".into()),
        Action::SetDesignDescription("An online shop".into()),
        Action::AddFault(fault.clone()),
        Action::UpdateFault {
            index: 0,
            fault: later.clone(),
        },
        Action::UpdateFault {
            index: 7,
            fault: fault.clone(),
        },
    ]);
    assert_eq!(s.design.run.seed, 42);
    assert_eq!(s.design.name, "Shop");
    assert_eq!(s.design.description, "An online shop");
    assert_eq!(s.design.faults, vec![later]);
    let revision = s.revision;
    s.apply(Action::RemoveFault { index: 3 });
    assert_eq!(s.revision, revision);
    s.apply(Action::RemoveFault { index: 0 });
    assert!(s.design.faults.is_empty());
}

#[test]
fn load_design_replaces_everything_in_one_undo_step() {
    let mut s = state_after([add("service", 0.0, 0.0), add("cache", 0.0, 0.0)]);
    let old = s.design.clone();
    let loaded = state_after([add("queue", 0.0, 0.0)]).design;
    s.apply(Action::LoadDesign(loaded.clone()));
    assert_eq!(s.design, loaded);
    assert!(s.selection.is_empty());
    s.apply(Action::Undo);
    assert_eq!(s.design, old);
}

#[test]
fn restore_sets_design_and_viewport_with_empty_history() {
    let design = state_after([add("queue", 0.0, 0.0)]).design;
    let viewport = Viewport {
        pan_x: 12.0,
        pan_y: -4.0,
        zoom: 0.5,
    };
    let s = state_after([
        add("service", 0.0, 0.0),
        Action::Restore(EditorSnapshot {
            design: design.clone(),
            viewport,
            canvas_size: None,
        }),
    ]);
    assert_eq!(s.design, design);
    assert_eq!(s.viewport, viewport);
    assert!(!s.can_undo());
    assert_eq!(s.snapshot().viewport, viewport);
}

#[test]
fn changing_a_gateway_spec_drops_routes_without_edges() {
    use archsim_model::{GatewayParams, Route};
    let mut s = state_after([add("api_gateway", 0.0, 0.0), add("service", 300.0, 0.0)]);
    s.apply(Action::ReplaceNodeSpec {
        id: "api-gateway-1".into(),
        spec: NodeKind::ApiGateway(GatewayParams {
            routes: vec![Route {
                class: "read".into(),
                to: "service-1".into(),
            }],
            ..GatewayParams::default()
        }),
    });
    let NodeKind::ApiGateway(g) = &s.design.nodes[0].spec else {
        panic!()
    };
    assert!(g.routes.is_empty(), "route without an edge was kept");
}

#[test]
fn reduce_through_rc_matches_apply() {
    let state = Rc::new(EditorState::default());
    let next = state.clone().reduce(add("service", 0.0, 0.0));
    assert_eq!(state.design.nodes.len(), 0, "the old state must not change");
    assert_eq!(next.design.nodes.len(), 1);
}

#[test]
fn rename_node_updates_edges_and_selection_and_is_undoable() {
    let mut s = state_after([
        add("client", 0.0, 0.0),
        add("service", 300.0, 0.0),
        connect("client-1", "service-1"),
        Action::SelectOnly(ItemRef::Node("service-1".into())),
        Action::RenameNode {
            id: "service-1".into(),
            new_id: "checkout".into(),
        },
    ]);
    assert_eq!(s.design.edges[0].to, "checkout");
    assert_eq!(
        s.selection,
        Selection::only(ItemRef::Node("checkout".into()))
    );
    s.apply(Action::RenameNode {
        id: "checkout".into(),
        new_id: "client-1".into(),
    });
    assert!(s.notice.as_deref().unwrap().contains("already"));
    s.apply(Action::Undo);
    assert!(s.design.node("service-1").is_some());
}

#[test]
fn loading_a_design_without_positions_lays_it_out() {
    let mut unpositioned = state_after([
        add("client", 0.0, 0.0),
        add("service", 0.0, 0.0),
        connect("client-1", "service-1"),
    ])
    .design;
    for n in &mut unpositioned.nodes {
        n.position = Position::default();
    }
    let s = state_after([Action::LoadDesign(unpositioned)]);
    assert!(s.design.nodes[0].position.x < s.design.nodes[1].position.x);
    assert!(!layout::needs_layout(&s.design));
}

#[test]
fn auto_layout_is_one_undo_step() {
    let mut s = state_after([
        add("service", 500.0, 500.0),
        add("client", 100.0, 900.0),
        connect("client-1", "service-1"),
    ]);
    let before = s.design.clone();
    s.apply(Action::AutoLayout);
    assert_ne!(s.design, before);
    s.apply(Action::Undo);
    assert_eq!(s.design, before);
}

#[test]
fn non_finite_view_inputs_leave_the_viewport_usable() {
    let s = state_after([
        add("service", 80.0, 32.0),
        Action::ZoomAt {
            factor: 2.0,
            anchor: p(f64::NAN, 0.0),
        },
        Action::Pan {
            dx: f64::INFINITY,
            dy: 0.0,
        },
        Action::FitToScreen {
            width: f64::INFINITY,
            height: 600.0,
            insets: Insets::default(),
        },
        Action::SetViewport(Viewport {
            pan_x: f64::NAN,
            pan_y: 0.0,
            zoom: 1.0,
        }),
    ]);
    assert_eq!(s.viewport, Viewport::default());
}

#[test]
fn paste_fragment_from_outside_gets_fresh_ids_and_offset() {
    let source = state_after([
        add("service", 80.0, 32.0),
        add("database", 380.0, 32.0),
        connect("service-1", "database-1"),
        Action::SelectAll,
    ]);
    let fragment = Fragment::extract(&source.design, &source.selection.nodes);
    let s = state_after([add("service", 80.0, 332.0), Action::PasteFragment(fragment)]);
    assert_eq!(node_ids(&s), ["service-1", "service-2", "database-1"]);
    assert_eq!(s.design.node("service-2").unwrap().position, p(40.0, 40.0));
    assert_eq!(s.design.edges[0].from, "service-2");
    assert_eq!(s.selection.nodes.len(), 2);
    assert_eq!(s.history.undo_len(), 2);
}

#[test]
fn undo_in_the_middle_of_a_drag_keeps_the_rest_of_the_drag_one_step() {
    let mut s = state_after([add("service", 80.0, 32.0)]);
    let start = s.design.clone();
    let nudge = || Action::MoveNodes {
        ids: vec!["service-1".into()],
        dx: 20.0,
        dy: 0.0,
    };
    s.apply(Action::BeginGesture);
    s.apply(nudge());
    s.apply(Action::Undo);
    assert_eq!(s.design, start);
    for _ in 0..10 {
        s.apply(nudge());
    }
    s.apply(Action::EndGesture);
    assert_eq!(s.design.nodes[0].position.x, 200.0);
    assert_eq!(
        s.history.undo_len(),
        2,
        "the rest of the drag must be one step"
    );
    s.apply(Action::Undo);
    assert_eq!(s.design, start);
}

// Regression: a reload moved the view by 15.5 px. The page's first layout gave the canvas 622 px
// of height, the results panel then took its remembered share and left 591, and the view was
// moved to keep its centre through a resize from a size it had never been seen at.
#[test]
fn a_view_restored_with_its_canvas_size_stays_put_through_the_pages_first_layouts() {
    let viewport = Viewport {
        pan_x: -182.0,
        pan_y: -27.5,
        zoom: 1.25,
    };
    let snapshot = EditorSnapshot {
        design: state_after([add("service", 0.0, 0.0)]).design,
        viewport,
        canvas_size: Some((828.0, 591.0)),
    };
    let mut s = EditorState::from_snapshot(snapshot.clone());
    s.apply(resized((828.0, 622.0)));
    s.apply(resized((828.0, 591.0)));
    assert_eq!(
        s.viewport, viewport,
        "back at the size it was seen at, where it was"
    );
    // On a canvas of another size the point at the centre stays at the centre.
    let centre =
        |s: &EditorState, (w, h): (f64, f64)| s.viewport.screen_to_canvas(p(w / 2.0, h / 2.0));
    let mut other = EditorState::from_snapshot(snapshot.clone());
    other.apply(resized((1000.0, 700.0)));
    let (was, is) = (centre(&s, (828.0, 591.0)), centre(&other, (1000.0, 700.0)));
    assert!((was.x - is.x).abs() < 1e-9 && (was.y - is.y).abs() < 1e-9);
    // Without a size (an older autosave) the first measure only records it.
    let mut without_size = EditorState::from_snapshot(EditorSnapshot {
        canvas_size: None,
        ..snapshot.clone()
    });
    without_size.apply(resized((828.0, 622.0)));
    assert_eq!(without_size.viewport, viewport);
    assert_eq!(without_size.canvas_size, Some((828.0, 622.0)));
    // Restored on a canvas already measured (the offer to restore the work a link replaced).
    let mut measured = state_after([resized((1000.0, 700.0))]);
    measured.apply(Action::Restore(snapshot));
    let is = centre(&measured, (1000.0, 700.0));
    assert!((was.x - is.x).abs() < 1e-9 && (was.y - is.y).abs() < 1e-9);
    assert_eq!(measured.canvas_size, Some((1000.0, 700.0)));
}

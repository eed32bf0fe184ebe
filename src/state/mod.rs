//! Editor state: the design being edited, selection, viewport, clipboard and undo/redo history,
//! changed only through [`Action`]s by [`EditorState`]'s `Reducible` implementation (views keep
//! it in `use_reducer` and dispatch actions; they never mutate the design themselves).
//!
//! Undo grouping (see [`history`]): every action that changes the design is one undo step,
//! except that
//! - all changes between [`Action::BeginGesture`] and [`Action::EndGesture`] make one step
//!   (dispatch `BeginGesture` on pointer-down of a drag, `MoveNodes` on every pointer-move,
//!   `EndGesture` on pointer-up);
//! - consecutive text edits of the same field (`SetNodeLabel` of one node, `SetDesignName`,
//!   `SetDesignDescription`) make one step, so typing a word is not a dozen steps.
//!
//! Selection, viewport and snapping changes are never undo steps. [`EditorState::revision`]
//! grows by one on every design change (undo and redo included): views and the autosave key
//! off it.

pub mod annotate;
pub mod bulk;
pub mod edge_labels;
pub mod edit;
pub mod geometry;
pub mod history;
pub mod layout;
pub mod problems;
pub mod wording;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use archsim_model::{Design, EdgeParams, Fault, NodeKind, Position, RunSettings};
use yew::Reducible;

pub use edit::{ConnectRefusal, Fragment, kind_display_name};
pub use geometry::Rect;
pub use history::{HISTORY_LIMIT, History};
pub use problems::{field_problems, run_blockers};
pub use wording::{Blocker, path_owner};

/// Zoom limits of the canvas. 5% fits a design of several hundred nodes on a laptop screen
/// (200 laid-out nodes need about 15%).
pub const MIN_ZOOM: f64 = 0.05;
pub const MAX_ZOOM: f64 = 3.0;
/// The least zoom at which a node's label (13 px) and caption and badge (12 px) stay readable,
/// about 9 and 8.5 px on screen. A design shown without being asked to fit (loaded, tidied) is
/// never shown smaller: on a small screen part of it is off-screen, to pan to, rather than all of
/// it unreadable. Fit to screen (asked for) still shows everything at whatever zoom that takes.
pub const READABLE_ZOOM: f64 = 0.7;
/// How far pasted and duplicated nodes land from their originals (canvas units; a grid multiple).
pub const PASTE_OFFSET: f64 = 40.0;

/// A node or an edge, by id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemRef {
    Node(String),
    Edge(String),
}

/// What is selected: some nodes and some edges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    pub nodes: BTreeSet<String>,
    pub edges: BTreeSet<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }

    pub fn contains(&self, item: &ItemRef) -> bool {
        match item {
            ItemRef::Node(id) => self.nodes.contains(id),
            ItemRef::Edge(id) => self.edges.contains(id),
        }
    }

    pub fn contains_node(&self, id: &str) -> bool {
        self.nodes.contains(id)
    }

    pub fn contains_edge(&self, id: &str) -> bool {
        self.edges.contains(id)
    }

    /// The one selected item when exactly one is selected (what the properties panel shows).
    pub fn single(&self) -> Option<ItemRef> {
        match (self.nodes.len(), self.edges.len()) {
            (1, 0) => self.nodes.first().cloned().map(ItemRef::Node),
            (0, 1) => self.edges.first().cloned().map(ItemRef::Edge),
            _ => None,
        }
    }

    pub fn only(item: ItemRef) -> Selection {
        let mut s = Selection::default();
        s.insert(item);
        s
    }

    pub fn insert(&mut self, item: ItemRef) {
        match item {
            ItemRef::Node(id) => self.nodes.insert(id),
            ItemRef::Edge(id) => self.edges.insert(id),
        };
    }

    fn toggle(&mut self, item: ItemRef) {
        let set = match &item {
            ItemRef::Node(_) => &mut self.nodes,
            ItemRef::Edge(_) => &mut self.edges,
        };
        let (ItemRef::Node(id) | ItemRef::Edge(id)) = item;
        if !set.remove(&id) {
            set.insert(id);
        }
    }

    /// Forget ids that are no longer in the design (after undo, redo, load).
    fn retain_existing(&mut self, design: &Design) {
        self.nodes.retain(|id| design.node(id).is_some());
        self.edges
            .retain(|id| design.edges.iter().any(|e| &e.id == id));
    }
}

/// Screen strips, in pixels from each side of the canvas, that something drawn over the canvas
/// covers (the zoom controls, notices): fitting the design keeps nodes out of them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Insets {
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub left: f64,
}

/// How the view was last fitted to the design, so a resize can fit it the same way again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// Everything in view, at whatever zoom that takes ([`Action::FitToScreen`]).
    Whole,
    /// As much as fits at a readable zoom ([`Action::ShowReadably`]).
    Readable,
}

/// Pan and zoom of the canvas: `screen = canvas · zoom + pan`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub pan_x: f64,
    pub pan_y: f64,
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            pan_x: 0.0,
            pan_y: 0.0,
            zoom: 1.0,
        }
    }
}

impl Viewport {
    pub fn canvas_to_screen(&self, p: Position) -> Position {
        Position {
            x: p.x * self.zoom + self.pan_x,
            y: p.y * self.zoom + self.pan_y,
        }
    }

    pub fn screen_to_canvas(&self, p: Position) -> Position {
        Position {
            x: (p.x - self.pan_x) / self.zoom,
            y: (p.y - self.pan_y) / self.zoom,
        }
    }

    /// Zoom by `factor`, keeping the canvas point under the screen point `anchor` where it is.
    pub fn zoomed_at(&self, factor: f64, anchor: Position) -> Viewport {
        if !factor.is_finite() || factor <= 0.0 || !anchor.x.is_finite() || !anchor.y.is_finite() {
            return *self;
        }
        let fixed = self.screen_to_canvas(anchor);
        let zoom = clamp_zoom(self.zoom * factor);
        Viewport {
            pan_x: anchor.x - fixed.x * zoom,
            pan_y: anchor.y - fixed.y * zoom,
            zoom,
        }
    }

    /// The viewport showing the whole design centred in a `width`×`height` screen, with a margin,
    /// never magnified beyond 100% (a lone node should not fill the screen).
    pub fn fitting(design: &Design, width: f64, height: f64) -> Viewport {
        Viewport::fitting_within(design, width, height, Insets::default())
    }

    /// [`Viewport::fitting`] into the part of the screen that `insets` leave free: the strips
    /// that controls and notices drawn over the canvas cover, so no node ends up under them.
    /// Insets that would leave no room are ignored.
    pub fn fitting_within(design: &Design, width: f64, height: f64, insets: Insets) -> Viewport {
        Viewport::fitting_at_least(design, width, height, insets, MIN_ZOOM)
    }

    /// [`Viewport::fitting_within`], but never below [`READABLE_ZOOM`]: a design that does not
    /// fit at that zoom is shown from its start (its top-left corner, where the clients of a
    /// left-to-right flow are) along each axis it overflows, and centred along the others.
    pub fn readable_within(design: &Design, width: f64, height: f64, insets: Insets) -> Viewport {
        Viewport::fitting_at_least(design, width, height, insets, READABLE_ZOOM)
    }

    fn fitting_at_least(
        design: &Design,
        width: f64,
        height: f64,
        insets: Insets,
        least_zoom: f64,
    ) -> Viewport {
        let Some(bounds) = geometry::design_bounds(design) else {
            return Viewport::default();
        };
        if !is_screen_size((width, height)) {
            return Viewport::default();
        }
        let inset = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
        let (mut left, mut right) = (inset(insets.left), inset(insets.right));
        let (mut top, mut bottom) = (inset(insets.top), inset(insets.bottom));
        if width - left - right < width / 4.0 {
            (left, right) = (0.0, 0.0);
        }
        if height - top - bottom < height / 4.0 {
            (top, bottom) = (0.0, 0.0);
        }
        let (free_width, free_height) = (width - left - right, height - top - bottom);
        let bounds = bounds.inflate(geometry::FIT_MARGIN);
        let zoom = clamp_zoom(
            (free_width / bounds.width)
                .min(free_height / bounds.height)
                .min(1.0)
                .max(least_zoom.min(1.0)),
        );
        // Centred where the design fits, from its start where it does not.
        let place = |start: f64, free: f64, lo: f64, extent: f64| {
            if extent * zoom <= free + 1e-9 {
                start + free / 2.0 - (lo + extent / 2.0) * zoom
            } else {
                start - lo * zoom
            }
        };
        Viewport {
            pan_x: place(left, free_width, bounds.x, bounds.width),
            pan_y: place(top, free_height, bounds.y, bounds.height),
            zoom,
        }
    }

    /// The same view on a canvas whose size changed from `from` to `to` (width, height in
    /// pixels): the canvas point that was at the centre of the screen stays at its centre, at
    /// the same zoom. Sizes that are not positive and finite leave the view as it is.
    pub fn resized(&self, from: (f64, f64), to: (f64, f64)) -> Viewport {
        if !is_screen_size(from) || !is_screen_size(to) {
            return *self;
        }
        Viewport {
            pan_x: self.pan_x + (to.0 - from.0) / 2.0,
            pan_y: self.pan_y + (to.1 - from.1) / 2.0,
            zoom: self.zoom,
        }
    }

    /// The visible canvas area of a `width`×`height` screen.
    pub fn visible_canvas_rect(&self, width: f64, height: f64) -> Rect {
        Rect::from_corners(
            self.screen_to_canvas(Position { x: 0.0, y: 0.0 }),
            self.screen_to_canvas(Position {
                x: width,
                y: height,
            }),
        )
    }
}

/// A width and height in pixels a canvas can have: positive and finite.
fn is_screen_size((width, height): (f64, f64)) -> bool {
    width > 0.0 && height > 0.0 && width.is_finite() && height.is_finite()
}

fn clamp_zoom(zoom: f64) -> f64 {
    if zoom.is_nan() {
        1.0
    } else {
        zoom.clamp(MIN_ZOOM, MAX_ZOOM)
    }
}

/// What the autosave stores and restores: the design and where the person was looking.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorSnapshot {
    pub design: Design,
    pub viewport: Viewport,
    /// The canvas's size (width, height in pixels) the view was seen at, when known: a view
    /// restored on a canvas of another size keeps the same point at the centre of the screen.
    pub canvas_size: Option<(f64, f64)>,
}

/// Everything the editor does. Canvas coordinates unless a field says screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Add a node of `kind` (a name from `NodeKind::NAMES`) centred on the canvas point `at`
    /// (snapped to the grid when snapping is on), and select it alone.
    AddNode {
        kind: String,
        at: Position,
    },
    /// Move nodes by a delta in canvas units. Inside a gesture the deltas accumulate from where
    /// each node was when the gesture first moved it, and the result snaps to the grid when
    /// snapping is on (so a drag glides in grid steps). Outside a gesture the move is exact (arrow
    /// key nudges).
    MoveNodes {
        ids: Vec<String>,
        dx: f64,
        dy: f64,
    },
    /// Add an edge `from → to`, and select it. Refused (with a notice) for self-loops, duplicates
    /// and edges into a client.
    Connect {
        from: String,
        to: String,
    },
    /// Delete the selected nodes and edges, and whatever would dangle without them.
    DeleteSelection,
    /// Copy the selected nodes (and edges among them) next to the originals; select the copies.
    Duplicate,
    Copy,
    Cut,
    /// Paste the clipboard, offset from the copied position by 40 more each time; select it.
    Paste,
    /// Paste nodes from outside (the system clipboard, another tab), 40 units from where they
    /// were, with fresh ids; select them. One undo step.
    PasteFragment(Fragment),
    SelectOnly(ItemRef),
    /// Add or remove one item (shift/ctrl-click).
    ToggleSelect(ItemRef),
    /// Rubber band: nodes touching `rect` (canvas coordinates, any corner order), and the edges
    /// between them. `additive` keeps the current selection too.
    SelectInRect {
        rect: Rect,
        additive: bool,
    },
    SelectAll,
    ClearSelection,
    SetNodeLabel {
        id: String,
        label: String,
    },
    /// Change a node's id, and every reference to it (edges, faults, gateway routes, dead
    /// letters, the selection). Refused (with a notice) when the new id is empty, has characters
    /// other than letters, digits, `-` and `_`, or is taken.
    RenameNode {
        id: String,
        new_id: String,
    },
    /// Lay the nodes out in columns by distance from the clients (one undo step).
    AutoLayout,
    /// Line up the selected nodes (one undo step).
    AlignSelection(bulk::Align),
    /// Spread the selected nodes evenly (one undo step; three nodes or more).
    DistributeSelection(bulk::Distribute),
    /// Add a group box or a note (and select it).
    AddAnnotation(archsim_model::Annotation),
    /// Select an annotation (and nothing else); None selects no annotation.
    SelectAnnotation(Option<String>),
    /// Change an annotation's text; consecutive edits of one annotation are one undo step.
    SetAnnotationText {
        id: String,
        text: String,
    },
    /// Move an annotation by (dx, dy) with what it carries (the nodes and notes inside a group
    /// when the drag began); inside a gesture, one undo step.
    MoveAnnotation {
        id: String,
        dx: f64,
        dy: f64,
        nodes: Vec<String>,
        notes: Vec<String>,
    },
    /// Give an annotation a new size (at least [`annotate::MIN_SIDE`] each way).
    ResizeAnnotation {
        id: String,
        width: f64,
        height: f64,
    },
    RemoveAnnotation(String),
    /// Set several nodes' specs at once: a bulk edit of nodes of one kind (one undo step).
    ReplaceNodeSpecs(Vec<(String, NodeKind)>),
    /// Add a node where there is room: to the right of `after` (and connected from it, when
    /// that is a valid call), else near `near` (a canvas point, e.g. the view's centre). Never
    /// on top of another node; one undo step.
    PlaceNode {
        kind: String,
        near: Position,
        after: Option<String>,
        /// The part of the canvas on screen, when known: a spot in it is preferred.
        view: Option<Rect>,
    },
    /// Replace a node's kind and parameters (the properties panel edits a copy and sends it).
    ReplaceNodeSpec {
        id: String,
        spec: NodeKind,
    },
    ReplaceEdgeParams {
        id: String,
        params: EdgeParams,
    },
    SetRunSettings(RunSettings),
    SetDesignName(String),
    SetDesignDescription(String),
    AddFault(Fault),
    UpdateFault {
        index: usize,
        fault: Fault,
    },
    RemoveFault {
        index: usize,
    },
    /// Replace the whole design (import, template, shared link): one undo step; clears the
    /// selection. A design whose nodes all sit at one point (written without positions) is laid
    /// out automatically.
    LoadDesign(Design),
    /// Start-up restore from the autosave: design and viewport, with a fresh history (not an
    /// undo step: there is nothing before it).
    Restore(EditorSnapshot),
    Undo,
    Redo,
    BeginGesture,
    EndGesture,
    /// Pan by a delta in screen pixels.
    Pan {
        dx: f64,
        dy: f64,
    },
    /// Zoom by `factor`, keeping the canvas point under the screen point `anchor` fixed.
    ZoomAt {
        factor: f64,
        anchor: Position,
    },
    /// Show the whole design in a screen of this size (pixels), outside the `insets` that
    /// controls and notices cover.
    FitToScreen {
        width: f64,
        height: f64,
        insets: Insets,
    },
    /// Show the design as big as fits in a screen of this size, like [`Action::FitToScreen`],
    /// but never below [`READABLE_ZOOM`] (see [`Viewport::readable_within`]): what loading or
    /// tidying a design does, where nobody asked to see all of it at any size.
    ShowReadably {
        width: f64,
        height: f64,
        insets: Insets,
    },
    SetViewport(Viewport),
    /// The canvas element is `to` pixels (width, height) now: its first size, or a new one (the
    /// results area grew under it, the window was resized); `insets` as for
    /// [`Action::FitToScreen`], measured at that size. From the size the view was last seen at
    /// ([`EditorState::canvas_size`], perhaps restored with it), keeps what the person was
    /// looking at in view; changes the view only (no undo step, no design change).
    CanvasResized {
        to: (f64, f64),
        insets: Insets,
    },
    ToggleSnap,
    /// Dismiss the notice.
    ClearNotice,
}

/// The editor's whole state. Read its fields; change it only by dispatching [`Action`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorState {
    pub design: Design,
    pub selection: Selection,
    pub viewport: Viewport,
    pub history: History,
    pub clipboard: Option<Fragment>,
    /// Bumped on every design change.
    pub revision: u64,
    /// Bumped on every viewport change (pan, zoom, fit), so the autosave can also keep where the
    /// person was looking (debounced: it changes on every wheel tick).
    pub view_revision: u64,
    pub snap_to_grid: bool,
    /// The view is the one the last fit gave (to the whole screen, or at a readable zoom): no
    /// pan or zoom since. A resize of the canvas then fits the same way again (see
    /// [`Action::CanvasResized`]).
    fitted: Option<Fit>,
    /// The canvas's size (width, height in pixels) the view was last seen at: measured, or
    /// restored with the view; None until then.
    pub canvas_size: Option<(f64, f64)>,
    /// Why the last action did nothing ("a node cannot call itself"), for a transient message.
    pub notice: Option<String>,
    /// Pastes since the last copy: each lands a further [`PASTE_OFFSET`] away.
    paste_count: u32,
    /// Inside a gesture: where each moved node started and the accumulated unsnapped delta.
    drag: BTreeMap<String, (Position, f64, f64)>,
    /// The selected annotation (a group box or a note), shown in the properties panel. It and
    /// the node and edge selection exclude each other.
    pub annotation: Option<String>,
}

impl Default for EditorState {
    fn default() -> Self {
        EditorState::new(Design::default())
    }
}

impl Reducible for EditorState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

impl EditorState {
    pub fn new(design: Design) -> Self {
        EditorState {
            design,
            selection: Selection::default(),
            viewport: Viewport::default(),
            history: History::default(),
            clipboard: None,
            revision: 0,
            view_revision: 0,
            snap_to_grid: true,
            fitted: None,
            canvas_size: None,
            notice: None,
            paste_count: 0,
            drag: BTreeMap::new(),
            annotation: None,
        }
    }

    pub fn from_snapshot(snapshot: EditorSnapshot) -> Self {
        let mut state = EditorState::new(snapshot.design);
        state.viewport = snapshot.viewport;
        state.canvas_size = snapshot.canvas_size;
        state
    }

    /// What the autosave stores.
    pub fn snapshot(&self) -> EditorSnapshot {
        EditorSnapshot {
            design: self.design.clone(),
            viewport: self.viewport,
            canvas_size: self.canvas_size,
        }
    }

    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Apply one action in place (what `reduce` does; handy outside Yew and in tests).
    pub fn apply(&mut self, action: Action) {
        // A resize is not the person doing something: it keeps the notice and the run of typing
        // that one undo step takes back.
        if let Action::CanvasResized { to, insets } = action {
            if !is_screen_size(to) {
                return;
            }
            let viewport_before = self.viewport;
            if let Some(from) = self.canvas_size.replace(to)
                && from != to
            {
                self.resize_view(from, to, insets);
            }
            if self.viewport != viewport_before {
                self.view_revision += 1;
            }
            return;
        }
        self.notice = None;
        if !matches!(
            action,
            Action::SetNodeLabel { .. }
                | Action::SetAnnotationText { .. }
                | Action::SetDesignName(_)
                | Action::SetDesignDescription(_)
        ) {
            self.history.break_run();
        }
        let viewport_before = self.viewport;
        self.apply_inner(action);
        // Selecting a node or an edge unselects the annotation.
        if !self.selection.is_empty() {
            self.annotation = None;
        }
        if self.viewport != viewport_before {
            self.view_revision += 1;
        }
    }

    fn apply_inner(&mut self, action: Action) {
        match action {
            Action::AddNode { kind, at } => self.add_node(&kind, at),
            Action::MoveNodes { ids, dx, dy } => self.move_nodes(&ids, dx, dy),
            Action::Connect { from, to } => {
                let mut design = self.design.clone();
                match edit::connect(&mut design, &from, &to) {
                    Ok(id) => {
                        self.commit(design, None);
                        self.selection = Selection::only(ItemRef::Edge(id));
                    }
                    Err(refusal) => self.notice = Some(format!("Not connected: {refusal}.")),
                }
            }
            Action::DeleteSelection => self.delete_selection(),
            Action::Duplicate => {
                let fragment = Fragment::extract(&self.design, &self.selection.nodes);
                self.paste(&fragment, PASTE_OFFSET);
            }
            Action::Copy => self.copy(),
            Action::Cut => {
                self.copy();
                self.delete_selection();
            }
            Action::Paste => {
                if let Some(fragment) = self.clipboard.clone() {
                    self.paste_count = self.paste_count.saturating_add(1);
                    self.paste(&fragment, PASTE_OFFSET * f64::from(self.paste_count));
                }
            }
            Action::PasteFragment(fragment) => self.paste(&fragment, PASTE_OFFSET),
            Action::SelectOnly(item) => {
                if self.exists(&item) {
                    self.selection = Selection::only(item);
                }
            }
            Action::ToggleSelect(item) => {
                if self.exists(&item) {
                    self.selection.toggle(item);
                }
            }
            Action::SelectInRect { rect, additive } => self.select_in_rect(rect, additive),
            Action::SelectAll => {
                self.selection = Selection {
                    nodes: self.design.nodes.iter().map(|n| n.id.clone()).collect(),
                    edges: self.design.edges.iter().map(|e| e.id.clone()).collect(),
                }
            }
            Action::ClearSelection => {
                self.selection = Selection::default();
                self.annotation = None;
            }
            Action::AddAnnotation(annotation) => {
                let id = annotation.id.clone();
                let mut design = self.design.clone();
                design.annotations.push(annotation);
                self.commit(design, None);
                self.selection = Selection::default();
                self.annotation = Some(id);
            }
            Action::SelectAnnotation(id) => {
                self.annotation =
                    id.filter(|id| self.design.annotations.iter().any(|a| &a.id == id));
                if self.annotation.is_some() {
                    self.selection = Selection::default();
                }
            }
            Action::SetAnnotationText { id, text } => {
                let mut design = self.design.clone();
                if let Some(a) = design.annotations.iter_mut().find(|a| a.id == id) {
                    a.text = text;
                    let key = format!("annotation-text:{id}");
                    self.commit(design, Some(&key));
                }
            }
            Action::MoveAnnotation {
                id,
                dx,
                dy,
                nodes,
                notes,
            } => {
                if dx.is_finite() && dy.is_finite() {
                    let mut design = self.design.clone();
                    for a in design
                        .annotations
                        .iter_mut()
                        .filter(|a| a.id == id || notes.contains(&a.id))
                    {
                        a.position.x += dx;
                        a.position.y += dy;
                    }
                    for n in design.nodes.iter_mut().filter(|n| nodes.contains(&n.id)) {
                        n.position.x += dx;
                        n.position.y += dy;
                    }
                    self.commit(design, None);
                }
            }
            Action::ResizeAnnotation { id, width, height } => {
                if width.is_finite() && height.is_finite() {
                    let mut design = self.design.clone();
                    if let Some(a) = design.annotations.iter_mut().find(|a| a.id == id) {
                        a.size.width = width.clamp(
                            annotate::MIN_SIDE,
                            archsim_model::annotation::MAX_ANNOTATION_SIDE,
                        );
                        a.size.height = height.clamp(
                            annotate::MIN_SIDE,
                            archsim_model::annotation::MAX_ANNOTATION_SIDE,
                        );
                        self.commit(design, None);
                    }
                }
            }
            Action::RemoveAnnotation(id) => {
                let mut design = self.design.clone();
                design.annotations.retain(|a| a.id != id);
                self.commit(design, None);
                if self.annotation.as_deref() == Some(id.as_str()) {
                    self.annotation = None;
                }
            }
            Action::SetNodeLabel { id, label } => {
                let mut design = self.design.clone();
                if let Some(node) = design.nodes.iter_mut().find(|n| n.id == id) {
                    node.label = label;
                    self.commit(design, Some(&format!("label:{id}")));
                }
            }
            Action::RenameNode { id, new_id } => {
                let mut design = self.design.clone();
                match edit::rename_node(&mut design, &id, &new_id) {
                    Ok(()) => {
                        self.commit(design, None);
                        if self.selection.nodes.remove(&id) {
                            self.selection.nodes.insert(new_id);
                        }
                    }
                    Err(reason) => self.notice = Some(format!("Not renamed: {reason}.")),
                }
            }
            Action::PlaceNode {
                kind,
                near,
                after,
                view,
            } => self.place_node(&kind, near, after, view),
            Action::AlignSelection(how) => {
                let moved = bulk::aligned(&self.design, &self.selection.nodes, how);
                self.set_positions(moved);
            }
            Action::DistributeSelection(how) => {
                let moved = bulk::distributed(&self.design, &self.selection.nodes, how);
                self.set_positions(moved);
            }
            Action::ReplaceNodeSpecs(specs) => {
                let mut design = self.design.clone();
                for (id, spec) in specs {
                    if let Some(node) = design.nodes.iter_mut().find(|n| n.id == id) {
                        node.spec = spec;
                    }
                }
                if design != self.design {
                    self.commit(design, None);
                }
            }
            Action::AutoLayout => {
                let mut design = self.design.clone();
                // Group boxes keep what they held: each is drawn again around its nodes.
                let held = annotate::all_contents(&design);
                layout::auto_layout(&mut design);
                annotate::refit_groups(&mut design, &held);
                self.commit(design, None);
            }
            Action::ReplaceNodeSpec { id, spec } => {
                let mut design = self.design.clone();
                if let Some(node) = design.nodes.iter_mut().find(|n| n.id == id) {
                    node.spec = spec;
                    // A gateway route or a dead letter set without an edge would not run.
                    edit::prune_dangling_references(&mut design);
                    self.commit(design, None);
                }
            }
            Action::ReplaceEdgeParams { id, params } => {
                let mut design = self.design.clone();
                if let Some(edge) = design.edges.iter_mut().find(|e| e.id == id) {
                    edge.params = params;
                    self.commit(design, None);
                }
            }
            Action::SetRunSettings(run) => {
                let mut design = self.design.clone();
                design.run = run;
                self.commit(design, None);
            }
            Action::SetDesignName(name) => {
                let mut design = self.design.clone();
                design.name = name;
                self.commit(design, Some("design-name"));
            }
            Action::SetDesignDescription(description) => {
                let mut design = self.design.clone();
                design.description = description;
                self.commit(design, Some("design-description"));
            }
            Action::AddFault(fault) => {
                let mut design = self.design.clone();
                design.faults.push(fault);
                self.commit(design, None);
            }
            Action::UpdateFault { index, fault } => {
                let mut design = self.design.clone();
                if let Some(slot) = design.faults.get_mut(index) {
                    *slot = fault;
                    self.commit(design, None);
                }
            }
            Action::RemoveFault { index } => {
                let mut design = self.design.clone();
                if index < design.faults.len() {
                    design.faults.remove(index);
                    self.commit(design, None);
                }
            }
            Action::LoadDesign(mut design) => {
                if layout::needs_layout(&design) {
                    layout::auto_layout(&mut design);
                }
                self.history.end_gesture();
                self.drag.clear();
                self.commit(design, None);
                self.selection = Selection::default();
            }
            Action::Restore(snapshot) => {
                let (revision, view_revision) = (self.revision, self.view_revision);
                let snap = self.snap_to_grid;
                let measured = self.canvas_size;
                *self = EditorState::from_snapshot(snapshot);
                // Seen on a canvas of another size: the same point stays at the centre.
                if let Some(now) = measured {
                    if let Some(then) = self.canvas_size {
                        self.viewport = self.viewport.resized(then, now);
                    }
                    self.canvas_size = Some(now);
                }
                self.snap_to_grid = snap;
                self.revision = revision + 1;
                self.view_revision = view_revision;
            }
            Action::Undo => {
                self.drag.clear();
                if let Some(previous) = self.history.undo(&self.design) {
                    self.replace_design_from_history(previous);
                }
            }
            Action::Redo => {
                self.drag.clear();
                if let Some(next) = self.history.redo(&self.design) {
                    self.replace_design_from_history(next);
                }
            }
            Action::BeginGesture => {
                self.drag.clear();
                self.history.begin_gesture();
            }
            Action::EndGesture => {
                self.drag.clear();
                self.history.end_gesture();
            }
            Action::Pan { dx, dy } => {
                if dx.is_finite() && dy.is_finite() {
                    self.viewport.pan_x += dx;
                    self.viewport.pan_y += dy;
                    self.fitted = None;
                }
            }
            Action::ZoomAt { factor, anchor } => {
                self.viewport = self.viewport.zoomed_at(factor, anchor);
                self.fitted = None;
            }
            Action::FitToScreen {
                width,
                height,
                insets,
            } => {
                self.viewport = Viewport::fitting_within(&self.design, width, height, insets);
                self.fitted = Some(Fit::Whole);
            }
            Action::ShowReadably {
                width,
                height,
                insets,
            } => {
                self.viewport = Viewport::readable_within(&self.design, width, height, insets);
                self.fitted = Some(Fit::Readable);
            }
            Action::SetViewport(viewport) => {
                if viewport.pan_x.is_finite() && viewport.pan_y.is_finite() {
                    self.viewport = Viewport {
                        zoom: clamp_zoom(viewport.zoom),
                        ..viewport
                    };
                    self.fitted = None;
                }
            }
            // Applied at the top of `apply`: a resize keeps the notice and the typing run.
            Action::CanvasResized { .. } => {}
            Action::ToggleSnap => self.snap_to_grid = !self.snap_to_grid,
            Action::ClearNotice => {}
        }
    }

    /// What a change of the canvas's size does to the view. A view the person has fitted and
    /// not moved since is fitted again: it was "show me everything", and the whole design stays
    /// in view (clear of the controls) however much room there is now, and comes back to the
    /// same view when the room does. Any other view was chosen by hand, so its zoom is kept and
    /// the canvas point at the centre of the screen stays at the centre: what the person was
    /// looking at stays in the middle of what they see, rather than sliding off the bottom edge
    /// as the canvas gets shorter. `to` is a screen size (`apply` takes no other).
    fn resize_view(&mut self, from: (f64, f64), to: (f64, f64), insets: Insets) {
        if let Some(fit) = self.fitted {
            let (width, height) = to;
            self.viewport = match fit {
                Fit::Whole => Viewport::fitting_within(&self.design, width, height, insets),
                Fit::Readable => Viewport::readable_within(&self.design, width, height, insets),
            };
        } else {
            self.viewport = self.viewport.resized(from, to);
        }
    }

    /// Make `design` current, recording the old one for undo. A change to an identical design
    /// records nothing and keeps the revision.
    fn commit(&mut self, design: Design, key: Option<&str>) {
        if design == self.design {
            return;
        }
        self.history.record(&self.design, key);
        self.design = design;
        self.revision += 1;
    }

    fn replace_design_from_history(&mut self, design: Design) {
        self.design = design;
        self.revision += 1;
        self.selection.retain_existing(&self.design);
        if let Some(id) = &self.annotation
            && !self.design.annotations.iter().any(|a| &a.id == id)
        {
            self.annotation = None;
        }
    }

    fn exists(&self, item: &ItemRef) -> bool {
        match item {
            ItemRef::Node(id) => self.design.node(id).is_some(),
            ItemRef::Edge(id) => self.design.edges.iter().any(|e| &e.id == id),
        }
    }

    fn add_node(&mut self, kind: &str, at: Position) {
        let mut top_left = Position {
            x: at.x - geometry::NODE_WIDTH / 2.0,
            y: at.y - geometry::NODE_HEIGHT / 2.0,
        };
        if !(top_left.x.is_finite() && top_left.y.is_finite()) {
            self.notice = Some("Not added: the drop point is off the canvas.".into());
            return;
        }
        if self.snap_to_grid {
            top_left = geometry::snap_position(top_left);
        }
        let Some(node) = edit::new_node(&self.design, kind, top_left) else {
            self.notice = Some(format!("Not added: \"{kind}\" is not a node kind."));
            return;
        };
        let id = node.id.clone();
        let mut design = self.design.clone();
        design.nodes.push(node);
        self.commit(design, None);
        self.selection = Selection::only(ItemRef::Node(id));
    }

    /// Moves nodes to the given positions, as one step (nothing when nothing moves).
    fn set_positions(&mut self, moved: Vec<(String, Position)>) {
        let mut design = self.design.clone();
        for (id, at) in moved {
            if let Some(node) = design.nodes.iter_mut().find(|n| n.id == id) {
                node.position = at;
            }
        }
        if design != self.design {
            self.commit(design, None);
        }
    }

    fn place_node(
        &mut self,
        kind: &str,
        near: Position,
        after: Option<String>,
        view: Option<Rect>,
    ) {
        let source = after
            .as_deref()
            .and_then(|id| self.design.node(id))
            .cloned();
        let preferred = match &source {
            Some(node) => Position {
                x: node.position.x + layout::COLUMN_PITCH,
                y: node.position.y,
            },
            None => Position {
                x: near.x - geometry::NODE_WIDTH / 2.0,
                y: near.y - geometry::NODE_HEIGHT / 2.0,
            },
        };
        if !(preferred.x.is_finite() && preferred.y.is_finite()) {
            self.notice = Some("Not added: the point is off the canvas.".into());
            return;
        }
        let preferred = if self.snap_to_grid {
            geometry::snap_position(preferred)
        } else {
            preferred
        };
        // The lattice steps are grid multiples, so a snapped preference gives snapped spots.
        let spot = geometry::free_spot(&self.design, preferred, view);
        let Some(node) = edit::new_node(&self.design, kind, spot) else {
            self.notice = Some(format!("Not added: \"{kind}\" is not a node kind."));
            return;
        };
        let id = node.id.clone();
        let mut design = self.design.clone();
        design.nodes.push(node);
        // A client calls nothing in: adding one after a node just places it there.
        if let Some(from) = &source {
            let _ = edit::connect(&mut design, &from.id, &id);
        }
        self.commit(design, None);
        self.selection = Selection::only(ItemRef::Node(id));
    }

    fn move_nodes(&mut self, ids: &[String], dx: f64, dy: f64) {
        if !(dx.is_finite() && dy.is_finite()) {
            return;
        }
        let in_gesture = self.history.in_gesture();
        let mut design = self.design.clone();
        for node in design.nodes.iter_mut().filter(|n| ids.contains(&n.id)) {
            if in_gesture {
                let entry = self
                    .drag
                    .entry(node.id.clone())
                    .or_insert((node.position, 0.0, 0.0));
                entry.1 += dx;
                entry.2 += dy;
                let (origin, total_dx, total_dy) = *entry;
                let target = Position {
                    x: origin.x + total_dx,
                    y: origin.y + total_dy,
                };
                node.position = if self.snap_to_grid {
                    geometry::snap_position(target)
                } else {
                    target
                };
            } else {
                node.position.x += dx;
                node.position.y += dy;
            }
        }
        self.commit(design, None);
    }

    fn delete_selection(&mut self) {
        if self.selection.is_empty() {
            // Delete with a group box or a note selected removes it (not what it surrounds).
            if let Some(id) = self.annotation.take() {
                let mut design = self.design.clone();
                design.annotations.retain(|a| a.id != id);
                self.commit(design, None);
            }
            return;
        }
        let mut design = self.design.clone();
        edit::delete_items(&mut design, &self.selection.nodes, &self.selection.edges);
        self.commit(design, None);
        self.selection = Selection::default();
    }

    fn copy(&mut self) {
        let fragment = Fragment::extract(&self.design, &self.selection.nodes);
        if !fragment.is_empty() {
            self.clipboard = Some(fragment);
            self.paste_count = 0;
        }
    }

    fn paste(&mut self, fragment: &Fragment, offset: f64) {
        if fragment.is_empty() {
            return;
        }
        let mut design = self.design.clone();
        let (nodes, edges) = edit::paste_fragment(&mut design, fragment, (offset, offset));
        self.commit(design, None);
        self.selection = Selection { nodes, edges };
    }

    fn select_in_rect(&mut self, rect: Rect, additive: bool) {
        let nodes: BTreeSet<String> = self
            .design
            .nodes
            .iter()
            .filter(|n| geometry::node_rect(n).intersects(&rect))
            .map(|n| n.id.clone())
            .collect();
        let edges: BTreeSet<String> = self
            .design
            .edges
            .iter()
            .filter(|e| nodes.contains(&e.from) && nodes.contains(&e.to))
            .map(|e| e.id.clone())
            .collect();
        if !additive {
            self.selection = Selection::default();
        }
        self.selection.nodes.extend(nodes);
        self.selection.edges.extend(edges);
    }
}

#[cfg(test)]
mod tests;

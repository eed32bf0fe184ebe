//! Canvas geometry: node boxes, edge endpoints, hit tests and the screen ↔ canvas transform.
//!
//! Two coordinate spaces exist. *Canvas* coordinates are where nodes live (the design's
//! `position`, pixels at zoom 1). *Screen* coordinates are pixels in the canvas element, with
//! `screen = canvas · zoom + pan` (see [`Viewport`](super::Viewport)).

use archsim_model::{Design, Node, Position};

/// Every node is drawn as a box of this size (canvas units); `position` is its top-left corner.
pub const NODE_WIDTH: f64 = 160.0;
pub const NODE_HEIGHT: f64 = 64.0;
/// Grid pitch for snapping node positions.
pub const GRID: f64 = 20.0;
/// Blank space around the nodes' bounding box when fitting the design to the screen.
pub const FIT_MARGIN: f64 = 40.0;
/// How far (screen pixels) a pointer may be from an edge's line and still hit it.
pub const EDGE_HIT_TOLERANCE: f64 = 6.0;

/// An axis-aligned rectangle; `x`,`y` is the top-left corner, width and height are never negative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    /// The rectangle spanned by two opposite corners given in any order (a rubber band drag).
    pub fn from_corners(a: Position, b: Position) -> Rect {
        Rect {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            width: (a.x - b.x).abs(),
            height: (a.y - b.y).abs(),
        }
    }

    /// The rectangle `width` × `height` centred on `centre` (a label, a badge, a marker).
    pub fn centred(centre: Position, width: f64, height: f64) -> Rect {
        Rect {
            x: centre.x - width / 2.0,
            y: centre.y - height / 2.0,
            width,
            height,
        }
    }

    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    pub fn center(&self) -> Position {
        Position {
            x: self.x + self.width / 2.0,
            y: self.y + self.height / 2.0,
        }
    }

    pub fn contains(&self, p: Position) -> bool {
        p.x >= self.x && p.x <= self.right() && p.y >= self.y && p.y <= self.bottom()
    }

    /// True when the two rectangles overlap or touch.
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x <= other.right()
            && other.x <= self.right()
            && self.y <= other.bottom()
            && other.y <= self.bottom()
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            width: self.right().max(other.right()) - x,
            height: self.bottom().max(other.bottom()) - y,
        }
    }

    /// Grown by `margin` on every side.
    pub fn inflate(&self, margin: f64) -> Rect {
        Rect {
            x: self.x - margin,
            y: self.y - margin,
            width: self.width + 2.0 * margin,
            height: self.height + 2.0 * margin,
        }
    }
}

/// The box a node occupies on the canvas.
pub fn node_rect(node: &Node) -> Rect {
    Rect {
        x: node.position.x,
        y: node.position.y,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
    }
}

/// Space kept clear around a node when looking for a free spot for a new one.
pub const PLACEMENT_GAP: f64 = 20.0;

/// True when a node placed with its top-left corner at `at` would keep [`PLACEMENT_GAP`] from
/// every node of the design.
pub fn is_free(design: &Design, at: Position) -> bool {
    let candidate = Rect {
        x: at.x,
        y: at.y,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
    }
    .inflate(PLACEMENT_GAP - 0.5);
    !design
        .nodes
        .iter()
        .any(|n| node_rect(n).intersects(&candidate))
}

/// The free spot nearest to `preferred` (a node's top-left corner), on a lattice of rows and
/// columns around it: a new node never lands on another. Spots whose node would be wholly
/// inside `view` (the part of the canvas on screen) come first, so the new node is seen; ties
/// go to the spot below (people read a column downwards), then to the right.
pub fn free_spot(design: &Design, preferred: Position, view: Option<Rect>) -> Position {
    // Grid multiples, so that a snapped preference gives snapped spots.
    let row = ((NODE_HEIGHT + 2.0 * PLACEMENT_GAP) / GRID).ceil() * GRID;
    let column = ((NODE_WIDTH + 4.0 * PLACEMENT_GAP) / GRID).ceil() * GRID;
    let inside = |at: Position| {
        view.is_none_or(|v| {
            at.x >= v.x
                && at.y >= v.y
                && at.x + NODE_WIDTH <= v.right()
                && at.y + NODE_HEIGHT <= v.bottom()
        })
    };
    let mut best: Option<(bool, f64, Position)> = None;
    for c in -8i32..=8 {
        for r in -12i32..=12 {
            let at = Position {
                x: preferred.x + f64::from(c) * column,
                y: preferred.y + f64::from(r) * row,
            };
            if !is_free(design, at) {
                continue;
            }
            // Below before above, right before left, at equal distance.
            let distance = (f64::from(c) * column).hypot(f64::from(r) * row)
                + if r < 0 { 0.5 } else { 0.0 }
                + if c < 0 { 0.25 } else { 0.0 };
            let candidate = (!inside(at), distance, at);
            if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                best = Some(candidate);
            }
        }
    }
    if let Some((_, _, at)) = best {
        return at;
    }
    // A lattice full of nodes: go right of everything.
    let right = design_bounds(design).map_or(preferred.x, |b| b.right() + 2.0 * PLACEMENT_GAP);
    Position {
        x: right,
        y: preferred.y,
    }
}

/// The bounding box of all nodes, or None for an empty design.
pub fn design_bounds(design: &Design) -> Option<Rect> {
    design
        .nodes
        .iter()
        .map(node_rect)
        .reduce(|acc, r| acc.union(&r))
}

/// Where an arrow from `from` to `to` starts and ends: the points where the line between the two
/// box centres leaves the source box and enters the target box. When the boxes overlap, the
/// centres themselves (there is no sensible border crossing).
pub fn edge_endpoints(from: &Node, to: &Node) -> (Position, Position) {
    let a = node_rect(from);
    let b = node_rect(to);
    let (ca, cb) = (a.center(), b.center());
    if a.intersects(&b) {
        return (ca, cb);
    }
    (border_point(&a, cb), border_point(&b, ca))
}

/// The segment `start`–`end` moved `distance` to its right (as seen travelling from `start` to
/// `end`, with y pointing down). A zero-length segment stays where it is.
pub fn offset_to_the_right(start: Position, end: Position, distance: f64) -> (Position, Position) {
    let (dx, dy) = (end.x - start.x, end.y - start.y);
    let length = dx.hypot(dy);
    if length == 0.0 || !length.is_finite() {
        return (start, end);
    }
    let (nx, ny) = (-dy / length * distance, dx / length * distance);
    (
        Position {
            x: start.x + nx,
            y: start.y + ny,
        },
        Position {
            x: end.x + nx,
            y: end.y + ny,
        },
    )
}

/// Endpoints of the edge with this id, if it and both its nodes exist.
pub fn edge_endpoints_by_id(design: &Design, edge_id: &str) -> Option<(Position, Position)> {
    let edge = design.edges.iter().find(|e| e.id == edge_id)?;
    Some(edge_endpoints(
        design.node(&edge.from)?,
        design.node(&edge.to)?,
    ))
}

/// Point where the ray from the centre of `rect` towards `toward` crosses the border of `rect`.
pub fn border_point(rect: &Rect, toward: Position) -> Position {
    let c = rect.center();
    let (dx, dy) = (toward.x - c.x, toward.y - c.y);
    if dx == 0.0 && dy == 0.0 {
        return c;
    }
    let half_w = rect.width / 2.0;
    let half_h = rect.height / 2.0;
    // Scale the direction so that it just reaches the nearer of the vertical/horizontal sides.
    let tx = if dx != 0.0 {
        half_w / dx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dy != 0.0 {
        half_h / dy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty);
    Position {
        x: c.x + dx * t,
        y: c.y + dy * t,
    }
}

/// Distance from `p` to the segment `a`–`b`.
pub fn distance_to_segment(p: Position, a: Position, b: Position) -> f64 {
    let (vx, vy) = (b.x - a.x, b.y - a.y);
    let len2 = vx * vx + vy * vy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * vx + (p.y - a.y) * vy) / len2).clamp(0.0, 1.0)
    };
    let (qx, qy) = (a.x + t * vx, a.y + t * vy);
    ((p.x - qx).powi(2) + (p.y - qy).powi(2)).sqrt()
}

/// The topmost node under a canvas point. Later nodes are drawn on top, so search from the end.
pub fn hit_node(design: &Design, p: Position) -> Option<&str> {
    design
        .nodes
        .iter()
        .rev()
        .find(|n| node_rect(n).contains(p))
        .map(|n| n.id.as_str())
}

/// The edge nearest to a canvas point, within `tolerance` canvas units.
pub fn hit_edge(design: &Design, p: Position, tolerance: f64) -> Option<&str> {
    design
        .edges
        .iter()
        .filter_map(|e| {
            let (a, b) = edge_endpoints(design.node(&e.from)?, design.node(&e.to)?);
            let d = distance_to_segment(p, a, b);
            (d <= tolerance).then_some((d, e.id.as_str()))
        })
        .min_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, id)| id)
}

/// Round a coordinate to the nearest grid line.
pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

pub fn snap_position(p: Position) -> Position {
    Position {
        x: snap(p.x),
        y: snap(p.y),
    }
}

/// Where an edge's badge (`width` × `height`, canvas units) goes: centred on the edge's middle
/// when it covers no node (nor any of the badges already `placed`) there, else moved off the edge along its normal (above first, then
/// below, a little further each time, up to a node's height away so it still reads as the
/// edge's), else None (the badge is not drawn; what it says is in the edge's tooltip and its
/// properties). A badge never covers a node: a short edge between close nodes would otherwise
/// hide their labels.
pub fn badge_spot(
    design: &Design,
    start: Position,
    end: Position,
    width: f64,
    height: f64,
    placed: &[Rect],
) -> Option<Position> {
    /// Room kept between a badge and a node.
    const CLEARANCE: f64 = 4.0;
    /// How far a badge may move off its edge's middle, and in what steps.
    const MAX_ASIDE: f64 = NODE_HEIGHT;
    const STEP: f64 = 8.0;
    let middle = Position {
        x: (start.x + end.x) / 2.0,
        y: (start.y + end.y) / 2.0,
    };
    let (dx, dy) = (end.x - start.x, end.y - start.y);
    let length = dx.hypot(dy);
    // The unit normal of the edge, pointing up for a left-to-right edge.
    let (nx, ny) = if length > 0.0 {
        (dy / length, -dx / length)
    } else {
        (0.0, -1.0)
    };
    let clear = |centre: &Position| {
        let rect = Rect::centred(*centre, width, height).inflate(CLEARANCE);
        design
            .nodes
            .iter()
            .all(|node| !node_rect(node).intersects(&rect))
            && placed.iter().all(|other| !other.intersects(&rect))
    };
    let steps = (MAX_ASIDE / STEP) as usize;
    std::iter::once(middle)
        .chain((1..=steps).flat_map(|k| {
            let aside = k as f64 * STEP;
            [
                Position {
                    x: middle.x + nx * aside,
                    y: middle.y + ny * aside,
                },
                Position {
                    x: middle.x - nx * aside,
                    y: middle.y - ny * aside,
                },
            ]
        }))
        .find(clear)
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{NodeKind, ServiceParams};

    fn node_at(id: &str, x: f64, y: f64) -> Node {
        Node {
            id: id.into(),
            label: id.into(),
            position: Position { x, y },
            spec: NodeKind::Service(ServiceParams::default()),
        }
    }

    #[test]
    fn rect_from_corners_normalizes_any_drag_direction() {
        let r = Rect::from_corners(Position { x: 10.0, y: 50.0 }, Position { x: -5.0, y: 20.0 });
        assert_eq!(
            r,
            Rect {
                x: -5.0,
                y: 20.0,
                width: 15.0,
                height: 30.0
            }
        );
    }

    #[test]
    fn offset_to_the_right_moves_opposite_edges_apart() {
        let (a, b) = (Position { x: 0.0, y: 0.0 }, Position { x: 100.0, y: 0.0 });
        // Travelling right (+x) with y down, the right-hand side is +y.
        let (s, e) = offset_to_the_right(a, b, 6.0);
        assert_eq!((s.x, s.y, e.x, e.y), (0.0, 6.0, 100.0, 6.0));
        // The way back lands on the other side: the two arrows no longer overlap.
        let (s, e) = offset_to_the_right(b, a, 6.0);
        assert_eq!((s.x, s.y, e.x, e.y), (100.0, -6.0, 0.0, -6.0));
        assert_eq!(offset_to_the_right(a, a, 6.0), (a, a));
    }

    #[test]
    fn edge_endpoints_lie_on_the_facing_borders() {
        let a = node_at("a", 0.0, 0.0);
        let b = node_at("b", 400.0, 0.0);
        let (start, end) = edge_endpoints(&a, &b);
        assert_eq!(
            start,
            Position {
                x: NODE_WIDTH,
                y: NODE_HEIGHT / 2.0
            }
        );
        assert_eq!(
            end,
            Position {
                x: 400.0,
                y: NODE_HEIGHT / 2.0
            }
        );
    }

    #[test]
    fn edge_endpoints_for_vertical_neighbours_use_top_and_bottom() {
        let a = node_at("a", 0.0, 0.0);
        let b = node_at("b", 0.0, 300.0);
        let (start, end) = edge_endpoints(&a, &b);
        assert_eq!(
            start,
            Position {
                x: NODE_WIDTH / 2.0,
                y: NODE_HEIGHT
            }
        );
        assert_eq!(
            end,
            Position {
                x: NODE_WIDTH / 2.0,
                y: 300.0
            }
        );
    }

    #[test]
    fn hit_tests_find_topmost_node_and_nearby_edge() {
        let mut design = Design::default();
        design.nodes.push(node_at("a", 0.0, 0.0));
        design.nodes.push(node_at("b", 100.0, 0.0));
        design.nodes.push(node_at("c", 600.0, 0.0));
        design.edges.push(archsim_model::Edge {
            id: "e-b-c".into(),
            from: "b".into(),
            to: "c".into(),
            params: Default::default(),
        });
        assert_eq!(hit_node(&design, Position { x: 120.0, y: 10.0 }), Some("b"));
        assert_eq!(hit_node(&design, Position { x: 50.0, y: 10.0 }), Some("a"));
        assert_eq!(hit_node(&design, Position { x: 500.0, y: 200.0 }), None);
        assert_eq!(
            hit_edge(&design, Position { x: 400.0, y: 34.0 }, 5.0),
            Some("e-b-c")
        );
        assert_eq!(hit_edge(&design, Position { x: 400.0, y: 60.0 }, 5.0), None);
    }

    #[test]
    fn snapping_rounds_to_nearest_grid_line() {
        assert_eq!(snap(29.0), 20.0);
        assert_eq!(snap(31.0), 40.0);
        assert_eq!(snap(-11.0), -20.0);
    }

    #[test]
    fn design_bounds_cover_all_nodes() {
        let mut design = Design::default();
        assert_eq!(design_bounds(&design), None);
        design.nodes.push(node_at("a", -100.0, 0.0));
        design.nodes.push(node_at("b", 300.0, 200.0));
        assert_eq!(
            design_bounds(&design),
            Some(Rect {
                x: -100.0,
                y: 0.0,
                width: 400.0 + NODE_WIDTH,
                height: 200.0 + NODE_HEIGHT
            })
        );
    }

    #[test]
    fn an_edge_badge_never_covers_a_node() {
        let mut design = Design {
            nodes: vec![node_at("a", 0.0, 0.0), node_at("b", 600.0, 0.0)],
            ..Design::default()
        };
        // Far apart: the badge sits on the edge's middle.
        let (a, b) = edge_endpoints(&design.nodes[0], &design.nodes[1]);
        let spot = badge_spot(&design, a, b, 120.0, 20.0, &[]).unwrap();
        assert_eq!(
            spot,
            Position {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0
            }
        );
        // 60 units apart: a 120-wide badge on the middle would cover both; it goes above.
        design.nodes[1].position.x = NODE_WIDTH + 60.0;
        let (a, b) = edge_endpoints(&design.nodes[0], &design.nodes[1]);
        let spot = badge_spot(&design, a, b, 120.0, 20.0, &[]).unwrap();
        let badge = Rect {
            x: spot.x - 60.0,
            y: spot.y - 10.0,
            width: 120.0,
            height: 20.0,
        };
        assert!(
            design
                .nodes
                .iter()
                .all(|n| !node_rect(n).intersects(&badge))
        );
        assert!(spot.y < a.y, "beside the edge, above it");
        // Another badge already there: this one goes below the edge instead.
        let below = badge_spot(&design, a, b, 120.0, 20.0, &[badge]).unwrap();
        assert!(below.y > a.y, "below the edge, clear of the other badge");
        // Boxed in above and below as well: no spot, so no badge.
        design.nodes.push(node_at("c", 100.0, -NODE_HEIGHT - 4.0));
        design.nodes.push(node_at("d", 100.0, NODE_HEIGHT + 4.0));
        assert_eq!(badge_spot(&design, a, b, 120.0, 20.0, &[]), None);
    }
}

//! Where a label that belongs to an edge goes on the canvas (a breaker's state, "CB opened 3×"):
//! on its edge, as near as it can to where it is wanted, and never over a node, what a run draws
//! around a node (its badge below, its flags above) or a label placed before it. Pure geometry
//! in canvas units, so it is tested natively.

use super::geometry::{NODE_HEIGHT, Rect};
use archsim_model::Position;

/// Room kept between a label and whatever it must not cover.
const CLEARANCE: f64 = 4.0;
/// The step, canvas units, between the spots tried along the edge and beside it.
const STEP: f64 = 8.0;
/// How far beside its edge a label may go: two nodes' heights. Between a grid of nodes with
/// their run badges the only free room near a short edge can be the gap between two rows (the
/// gateway template's orders → payments, at 92%); the nearer spots are tried first, so a label
/// goes that far only when nothing nearer is free.
const MAX_ASIDE: f64 = 2.0 * NODE_HEIGHT;

/// How far an edge's arrowhead reaches back from the edge's end, canvas units (the run's
/// arrow is 12 units long; the editor's, 7 stroke widths of 2).
pub const ARROW_LENGTH: f64 = 14.0;

/// The box an edge's arrowhead covers at `end`: a label must not go under it (the arrowhead is
/// drawn over what lies beneath it).
pub fn arrow_head(start: Position, end: Position) -> Rect {
    let (dx, dy) = (end.x - start.x, end.y - start.y);
    let length = dx.hypot(dy);
    let back = if length > 0.0 {
        (ARROW_LENGTH / 2.0).min(length / 2.0) / length
    } else {
        0.0
    };
    let centre = Position {
        x: end.x - dx * back,
        y: end.y - dy * back,
    };
    Rect::centred(centre, ARROW_LENGTH, ARROW_LENGTH)
}

/// The centre of a label `width` × `height` on the edge from `start` to `end`. First the spot
/// `preferred` of the way along it (0 at `start`, 1 at `end`); if that covers one of
/// `in_the_way` (each kept [`CLEARANCE`] from), the nearest spot along the edge that covers
/// none, trying both ways from `preferred` in steps of [`STEP`]; if the whole edge is taken,
/// the same spots moved off the edge along its normal, a step further each time up to
/// [`MAX_ASIDE`]. When nothing is free the label stays at `preferred`: it says what its edge is
/// doing, and over something is better than not at all.
pub fn label_on_edge(
    start: Position,
    end: Position,
    width: f64,
    height: f64,
    preferred: f64,
    in_the_way: &[Rect],
) -> Position {
    free_spot_on_edge(start, end, width, height, preferred, in_the_way).unwrap_or_else(|| {
        Position {
            x: start.x + (end.x - start.x) * preferred.clamp(0.0, 1.0),
            y: start.y + (end.y - start.y) * preferred.clamp(0.0, 1.0),
        }
    })
}

/// The spot [`label_on_edge`] looks for, or None when nothing along or beside the edge is free.
pub fn free_spot_on_edge(
    start: Position,
    end: Position,
    width: f64,
    height: f64,
    preferred: f64,
    in_the_way: &[Rect],
) -> Option<Position> {
    let (dx, dy) = (end.x - start.x, end.y - start.y);
    let length = dx.hypot(dy);
    let at = |t: f64, aside: f64| {
        // The unit normal, pointing up for an edge drawn left to right.
        let (nx, ny) = if length > 0.0 {
            (dy / length, -dx / length)
        } else {
            (0.0, -1.0)
        };
        Position {
            x: start.x + dx * t + nx * aside,
            y: start.y + dy * t + ny * aside,
        }
    };
    let clear = |centre: &Position| {
        let label = Rect::centred(*centre, width, height).inflate(CLEARANCE);
        in_the_way.iter().all(|other| !other.intersects(&label))
    };
    let preferred = preferred.clamp(0.0, 1.0);
    // Fractions of the edge from `preferred` outwards, alternately towards `end` and `start`.
    let along: Vec<f64> = {
        let step = if length > 0.0 { STEP / length } else { 1.0 };
        let mut ts = vec![preferred];
        let mut k = 1.0;
        loop {
            let (ahead, behind) = (preferred + k * step, preferred - k * step);
            if ahead > 1.0 && behind < 0.0 {
                break;
            }
            if ahead <= 1.0 {
                ts.push(ahead);
            }
            if behind >= 0.0 {
                ts.push(behind);
            }
            k += 1.0;
        }
        ts
    };
    let asides = std::iter::once(0.0).chain((1..=(MAX_ASIDE / STEP) as usize).flat_map(|k| {
        let aside = k as f64 * STEP;
        [aside, -aside]
    }));
    asides
        .flat_map(|aside| along.iter().map(move |&t| at(t, aside)))
        .find(clear)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: f64 = 100.0;
    const H: f64 = 20.0;

    fn covers(centre: Position, other: &Rect) -> bool {
        Rect::centred(centre, W, H)
            .inflate(CLEARANCE)
            .intersects(other)
    }

    fn p(x: f64, y: f64) -> Position {
        Position { x, y }
    }

    #[test]
    fn a_label_with_room_stays_where_it_is_wanted() {
        let spot = label_on_edge(p(0.0, 0.0), p(400.0, 0.0), W, H, 0.72, &[]);
        assert_eq!(spot, p(288.0, 0.0));
    }

    #[test]
    fn a_label_slides_along_its_edge_off_a_nodes_badge() {
        // The callee's run badge hangs over the edge's last third (a badge under the node at
        // the end, as in the gateway template's payments).
        let badge = Rect {
            x: 250.0,
            y: -12.0,
            width: 160.0,
            height: 36.0,
        };
        let spot = label_on_edge(p(0.0, 0.0), p(400.0, 0.0), W, H, 0.72, &[badge]);
        assert!(!covers(spot, &badge), "{spot:?} covers the badge");
        assert_eq!(spot.y, 0.0, "still on its edge");
        // The nearest free spot: the label's right side just clear of the badge.
        assert!(spot.x <= 250.0 - CLEARANCE - W / 2.0);
        assert!(
            spot.x > 250.0 - CLEARANCE - W / 2.0 - STEP,
            "{spot:?} went further than needed"
        );
    }

    #[test]
    fn a_label_moves_towards_either_end_whichever_is_nearer() {
        // Something in the middle of the edge, the label wanted just past it: it goes on
        // towards the end rather than back past the obstacle.
        let block = Rect {
            x: 150.0,
            y: -10.0,
            width: 60.0,
            height: 20.0,
        };
        let spot = label_on_edge(p(0.0, 0.0), p(600.0, 0.0), W, H, 0.4, &[block]);
        assert!(!covers(spot, &block));
        assert!(spot.x > 210.0, "{spot:?}");
    }

    #[test]
    fn a_label_goes_beside_an_edge_that_is_covered_all_along() {
        // A short edge between two nodes whose badges overlap all of it.
        let taken = [
            Rect {
                x: -10.0,
                y: -12.0,
                width: 70.0,
                height: 24.0,
            },
            Rect {
                x: 60.0,
                y: -12.0,
                width: 70.0,
                height: 24.0,
            },
        ];
        let spot = label_on_edge(p(0.0, 0.0), p(120.0, 0.0), W, H, 0.72, &taken);
        assert!(taken.iter().all(|r| !covers(spot, r)), "{spot:?}");
        assert!(
            spot.y.abs() <= MAX_ASIDE,
            "{spot:?} is too far from its edge to read as its"
        );
        // Above first (the normal points up for a left-to-right edge: y grows downwards).
        assert!(spot.y < 0.0, "{spot:?}");
    }

    #[test]
    fn with_nowhere_free_there_is_no_free_spot() {
        let everything = Rect {
            x: -1_000.0,
            y: -1_000.0,
            width: 2_000.0,
            height: 2_000.0,
        };
        assert_eq!(
            free_spot_on_edge(p(0.0, 0.0), p(0.0, 100.0), W, H, 0.5, &[everything]),
            None
        );
        assert_eq!(
            free_spot_on_edge(p(0.0, 0.0), p(0.0, 100.0), W, H, 0.5, &[]),
            Some(p(0.0, 50.0))
        );
    }

    #[test]
    fn with_nowhere_free_the_label_stays_where_it_is_wanted() {
        let everything = Rect {
            x: -1_000.0,
            y: -1_000.0,
            width: 2_000.0,
            height: 2_000.0,
        };
        let spot = label_on_edge(p(0.0, 0.0), p(0.0, 100.0), W, H, 0.5, &[everything]);
        assert_eq!(spot, p(0.0, 50.0));
    }

    #[test]
    fn an_arrowhead_covers_the_last_of_its_edge() {
        let head = arrow_head(p(0.0, 0.0), p(100.0, 0.0));
        assert_eq!(
            head,
            Rect {
                x: 86.0,
                y: -7.0,
                width: ARROW_LENGTH,
                height: ARROW_LENGTH
            }
        );
        // A label wanted at the end of a long edge keeps clear of it.
        let spot = label_on_edge(
            p(0.0, 0.0),
            p(400.0, 0.0),
            W,
            H,
            1.0,
            &[arrow_head(p(0.0, 0.0), p(400.0, 0.0))],
        );
        assert!(spot.x + W / 2.0 + CLEARANCE < 386.0, "{spot:?}");
    }

    #[test]
    fn a_vertical_edge_is_searched_along_its_length() {
        let node = Rect {
            x: -80.0,
            y: 60.0,
            width: 160.0,
            height: 64.0,
        };
        let spot = label_on_edge(p(0.0, 0.0), p(0.0, 200.0), W, H, 0.5, &[node]);
        assert!(!covers(spot, &node), "{spot:?}");
        assert_eq!(spot.x, 0.0);
    }
}

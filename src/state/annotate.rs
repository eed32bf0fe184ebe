//! Annotations on the canvas (labelled group boxes and notes; see
//! `archsim_model::annotation`): where a new one goes, which nodes a box carries when it moves,
//! and fresh ids.

use archsim_model::{Annotation, AnnotationKind, Design, Position, Size};

use super::geometry::{self, Rect};

/// Space between a new group box and the nodes it is drawn around (room for its label on top).
pub const GROUP_PADDING: f64 = 30.0;
/// A new note's size, canvas units.
pub const NOTE_SIZE: Size = Size {
    width: 220.0,
    height: 80.0,
};
/// A new empty group's size, canvas units.
pub const GROUP_SIZE: Size = Size {
    width: 400.0,
    height: 240.0,
};
/// The smallest an annotation can be resized to.
pub const MIN_SIDE: f64 = 40.0;

/// An id no annotation of the design has: `group-1`, `note-2`…
pub fn fresh_id(design: &Design, kind: AnnotationKind) -> String {
    let stem = match kind {
        AnnotationKind::Group => "group",
        AnnotationKind::Note => "note",
    };
    (1..)
        .map(|n| format!("{stem}-{n}"))
        .find(|id| design.annotations.iter().all(|a| &a.id != id))
        .unwrap_or_else(|| stem.to_string())
}

/// A new group box around the nodes `ids` (with room for its label), or of a default size
/// centred on `centre` when there are none.
pub fn new_group(design: &Design, ids: &[String], centre: Position) -> Annotation {
    let around = design
        .nodes
        .iter()
        .filter(|n| ids.contains(&n.id))
        .map(geometry::node_rect)
        .reduce(|a, b| a.union(&b));
    let (position, size) = match around {
        Some(r) => (
            Position {
                x: r.x - GROUP_PADDING,
                y: r.y - GROUP_PADDING,
            },
            Size {
                width: r.width + 2.0 * GROUP_PADDING,
                height: r.height + 2.0 * GROUP_PADDING,
            },
        ),
        None => (
            Position {
                x: centre.x - GROUP_SIZE.width / 2.0,
                y: centre.y - GROUP_SIZE.height / 2.0,
            },
            GROUP_SIZE,
        ),
    };
    Annotation {
        id: fresh_id(design, AnnotationKind::Group),
        kind: AnnotationKind::Group,
        text: "Group".into(),
        position,
        size,
    }
}

/// Room kept between a new note and what it must not cover, canvas units.
pub const NOTE_GAP: f64 = 12.0;
/// Height of a group box's label tab (the `annotation-tab` the canvas draws).
pub const LABEL_TAB_HEIGHT: f64 = 26.0;

/// Width of a group box's label tab for its text: what the canvas draws and what a new note
/// keeps clear of.
pub fn label_tab_width(annotation: &Annotation, shown_chars: usize) -> f64 {
    (18.0 + 7.8 * shown_chars as f64).min(annotation.size.width)
}

/// The name a group box shows: its text, or "Group" while it has none.
pub fn group_label(annotation: &Annotation) -> &str {
    if annotation.text.trim().is_empty() {
        "Group"
    } else {
        annotation.text.as_str()
    }
}

/// What a new note must not cover: every node, every other note, and each group's label tab
/// (the group's body may hold notes; its name must stay readable).
fn note_obstacles(design: &Design) -> Vec<Rect> {
    let nodes = design.nodes.iter().map(geometry::node_rect);
    let annotations = design.annotations.iter().map(|a| match a.kind {
        AnnotationKind::Note => rect(a),
        AnnotationKind::Group => Rect {
            x: a.position.x,
            y: a.position.y,
            width: label_tab_width(a, group_label(a).chars().count()),
            height: LABEL_TAB_HEIGHT,
        },
    });
    nodes
        .chain(annotations)
        .map(|r| r.inflate(NOTE_GAP))
        .collect()
}

/// A new note near `centre`: centred on it when that covers nothing, else on the nearest spot
/// of a lattice around it that covers no node, no other note and no group's label (nearest
/// first; below before above at equal distance, as people read down). Centred on `centre` when
/// the whole neighbourhood is taken.
pub fn new_note(design: &Design, centre: Position) -> Annotation {
    let obstacles = note_obstacles(design);
    let step = NOTE_SIZE.height / 2.0;
    let at = |c: i32, r: i32| Position {
        x: centre.x - NOTE_SIZE.width / 2.0 + f64::from(c) * step,
        y: centre.y - NOTE_SIZE.height / 2.0 + f64::from(r) * step,
    };
    let free = |p: Position| {
        let r = Rect {
            x: p.x,
            y: p.y,
            width: NOTE_SIZE.width,
            height: NOTE_SIZE.height,
        };
        !obstacles.iter().any(|o| o.intersects(&r))
    };
    const REACH: i32 = 16;
    let mut best: Option<(f64, Position)> = None;
    for c in -REACH..=REACH {
        for r in -REACH..=REACH {
            let p = at(c, r);
            let distance = f64::from(c).hypot(f64::from(r)) + if r < 0 { 0.01 } else { 0.0 };
            if best.is_none_or(|(d, _)| distance < d) && free(p) {
                best = Some((distance, p));
            }
        }
    }
    Annotation {
        id: fresh_id(design, AnnotationKind::Note),
        kind: AnnotationKind::Note,
        text: "Note".into(),
        position: best.map_or(at(0, 0), |(_, p)| p),
        size: NOTE_SIZE,
    }
}

/// The box an annotation covers.
pub fn rect(annotation: &Annotation) -> Rect {
    Rect {
        x: annotation.position.x,
        y: annotation.position.y,
        width: annotation.size.width,
        height: annotation.size.height,
    }
}

/// What a group box carries when it moves: the nodes wholly inside it, and the notes wholly
/// inside it. A note carries nothing.
pub fn contents(design: &Design, id: &str) -> (Vec<String>, Vec<String>) {
    let Some(annotation) = design.annotations.iter().find(|a| a.id == id) else {
        return (Vec::new(), Vec::new());
    };
    if annotation.kind != AnnotationKind::Group {
        return (Vec::new(), Vec::new());
    }
    let area = rect(annotation);
    let inside = |r: Rect| {
        r.x >= area.x && r.y >= area.y && r.right() <= area.right() && r.bottom() <= area.bottom()
    };
    let nodes = design
        .nodes
        .iter()
        .filter(|n| inside(geometry::node_rect(n)))
        .map(|n| n.id.clone())
        .collect();
    let notes = design
        .annotations
        .iter()
        .filter(|a| a.id != id && a.kind == AnnotationKind::Note && inside(rect(a)))
        .map(|a| a.id.clone())
        .collect();
    (nodes, notes)
}

/// The extent of everything drawn: nodes and annotations (None for an empty canvas). What a
/// picture of the diagram is cropped to.
pub fn drawing_bounds(design: &Design) -> Option<Rect> {
    design
        .nodes
        .iter()
        .map(geometry::node_rect)
        .chain(design.annotations.iter().map(rect))
        .reduce(|a, b| a.union(&b))
}

/// What each group box holds (see [`contents`]), by the group's id: kept before the nodes are
/// laid out again, so the boxes can follow them ([`refit_groups`]).
pub fn all_contents(design: &Design) -> Vec<(String, Vec<String>, Vec<String>)> {
    design
        .annotations
        .iter()
        .filter(|a| a.kind == AnnotationKind::Group)
        .map(|a| {
            let (nodes, notes) = contents(design, &a.id);
            (a.id.clone(), nodes, notes)
        })
        .collect()
}

/// Draws each group box again around the nodes it held (`held`, from [`all_contents`]) after
/// they moved, with room for its label; the notes it held move with its corner. A box that
/// held no node stays where it is.
pub fn refit_groups(design: &mut Design, held: &[(String, Vec<String>, Vec<String>)]) {
    for (id, nodes, notes) in held {
        let Some(around) = design
            .nodes
            .iter()
            .filter(|n| nodes.contains(&n.id))
            .map(geometry::node_rect)
            .reduce(|a, b| a.union(&b))
        else {
            continue;
        };
        let Some(group) = design.annotations.iter_mut().find(|a| &a.id == id) else {
            continue;
        };
        let moved = (
            around.x - GROUP_PADDING - group.position.x,
            around.y - GROUP_PADDING - group.position.y,
        );
        group.position = Position {
            x: around.x - GROUP_PADDING,
            y: around.y - GROUP_PADDING,
        };
        group.size = Size {
            width: around.width + 2.0 * GROUP_PADDING,
            height: around.height + 2.0 * GROUP_PADDING,
        };
        for note in design
            .annotations
            .iter_mut()
            .filter(|a| notes.contains(&a.id))
        {
            note.position.x += moved.0;
            note.position.y += moved.1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::edit::design_with;

    #[test]
    fn a_group_made_around_nodes_contains_them_and_carries_them() {
        let mut design = design_with(&["service", "database", "cache"]);
        design.nodes[0].position = Position { x: 0.0, y: 0.0 };
        design.nodes[1].position = Position { x: 300.0, y: 100.0 };
        design.nodes[2].position = Position { x: 900.0, y: 0.0 };
        let ids = vec!["service-1".to_string(), "database-1".to_string()];
        let group = new_group(&design, &ids, Position::default());
        assert_eq!(group.id, "group-1");
        design.annotations.push(group);
        let (nodes, notes) = contents(&design, "group-1");
        assert_eq!(nodes, ids, "the cache outside is not carried");
        assert!(notes.is_empty());
        assert_eq!(fresh_id(&design, AnnotationKind::Group), "group-2");
    }

    #[test]
    fn a_group_follows_its_nodes_when_they_are_laid_out_again() {
        let mut design = design_with(&["service", "database", "cache"]);
        design.nodes[0].position = Position { x: 0.0, y: 0.0 };
        design.nodes[1].position = Position { x: 300.0, y: 100.0 };
        design.nodes[2].position = Position { x: 900.0, y: 0.0 };
        let ids = vec!["service-1".to_string(), "database-1".to_string()];
        design
            .annotations
            .push(new_group(&design, &ids, Position::default()));
        let held = all_contents(&design);
        design.nodes[0].position = Position {
            x: 2000.0,
            y: 500.0,
        };
        design.nodes[1].position = Position {
            x: 2300.0,
            y: 500.0,
        };
        refit_groups(&mut design, &held);
        let (nodes, _) = contents(&design, "group-1");
        assert_eq!(
            nodes, ids,
            "the box holds the same nodes, and not the cache"
        );
        assert_eq!(design.annotations[0].position.x, 2000.0 - GROUP_PADDING);
    }

    #[test]
    fn a_note_carries_nothing() {
        let mut design = design_with(&["service"]);
        design.nodes[0].position = Position { x: 0.0, y: 0.0 };
        let mut note = new_note(&design, Position { x: 80.0, y: 32.0 });
        note.size = Size {
            width: 1000.0,
            height: 1000.0,
        };
        note.position = Position { x: -10.0, y: -10.0 };
        design.annotations.push(note);
        assert_eq!(contents(&design, "note-1"), (Vec::new(), Vec::new()));
    }

    #[test]
    fn a_new_note_in_free_space_is_centred_where_asked() {
        let mut design = design_with(&["service"]);
        design.nodes[0].position = Position { x: 0.0, y: 0.0 };
        let note = new_note(
            &design,
            Position {
                x: 1000.0,
                y: 1000.0,
            },
        );
        assert_eq!(
            note.position,
            Position {
                x: 1000.0 - NOTE_SIZE.width / 2.0,
                y: 1000.0 - NOTE_SIZE.height / 2.0
            }
        );
    }

    #[test]
    fn a_new_note_keeps_clear_of_a_group_label_nodes_and_notes() {
        let mut design = design_with(&["service", "database"]);
        design.nodes[0].position = Position { x: 0.0, y: 0.0 };
        design.nodes[1].position = Position { x: 300.0, y: 0.0 };
        let ids = vec!["service-1".to_string(), "database-1".to_string()];
        let mut group = new_group(&design, &ids, Position::default());
        group.text = "region us-east".into();
        let label = Rect {
            x: group.position.x,
            y: group.position.y,
            width: label_tab_width(&group, group.text.chars().count()),
            height: LABEL_TAB_HEIGHT,
        };
        design.annotations.push(group);
        // Asked for right on the label: the note goes elsewhere, near, and covers nothing.
        let note = new_note(&design, label.center());
        let covers = |other: &Rect| rect(&note).intersects(other);
        assert!(
            !covers(&label),
            "{:?} covers the label {label:?}",
            note.position
        );
        for node in &design.nodes {
            assert!(!covers(&geometry::node_rect(node)), "covers {}", node.id);
        }
        let moved = (note.position.x + NOTE_SIZE.width / 2.0 - label.center().x)
            .hypot(note.position.y + NOTE_SIZE.height / 2.0 - label.center().y);
        assert!(moved < 400.0, "stays near where it was asked for ({moved})");
        // A second note does not land on the first.
        design.annotations.push(note.clone());
        let second = new_note(&design, label.center());
        assert!(!rect(&second).intersects(&rect(&note)));
        assert_eq!(second.id, "note-2");
    }
}

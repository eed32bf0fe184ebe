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

/// A new note centred on `centre`.
pub fn new_note(design: &Design, centre: Position) -> Annotation {
    Annotation {
        id: fresh_id(design, AnnotationKind::Note),
        kind: AnnotationKind::Note,
        text: "Note".into(),
        position: Position {
            x: centre.x - NOTE_SIZE.width / 2.0,
            y: centre.y - NOTE_SIZE.height / 2.0,
        },
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
}

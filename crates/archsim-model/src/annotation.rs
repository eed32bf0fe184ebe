//! Annotations: what a person draws on the canvas to explain a design — labelled boxes that
//! group nodes ("region us-east", "VPC") and free-text notes. They are part of the design file
//! (so they travel with it, in links and exports) and have no effect on the simulation: the
//! engine never reads them.
//!
//! A new optional field of the format (`annotations`, empty by default): files without it load
//! as before, so it needs no new version.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::design::Position;
use crate::problem::Problem;

/// The largest side of an annotation, canvas units (a box around a few hundred nodes).
pub const MAX_ANNOTATION_SIDE: f64 = 1e6;
/// The longest text of an annotation, characters.
pub const MAX_ANNOTATION_TEXT: usize = 4_000;

/// A labelled box or a note on the canvas; drawing only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// Unique among the design's annotations.
    pub id: String,
    /// `group`: a labelled box; the nodes inside it move with it. `note`: free text.
    pub kind: AnnotationKind,
    /// The box's label, or the note's text.
    #[serde(default)]
    pub text: String,
    /// Top-left corner, canvas units (as a node's position).
    pub position: Position,
    /// Width and height, canvas units.
    pub size: Size,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationKind {
    Group,
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// Everything wrong with the design's annotations, each at its path with the reason.
pub(crate) fn annotation_problems(annotations: &[Annotation]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, annotation) in annotations.iter().enumerate() {
        let path = format!("annotations[{index}]");
        if annotation.id.trim().is_empty() {
            problems.push(Problem::new(
                format!("{path}.id"),
                "must not be empty; every annotation needs an id of its own",
            ));
        } else if let Some(first) = seen.insert(annotation.id.as_str(), index) {
            problems.push(Problem::new(
                format!("{path}.id"),
                format!(
                    "`{}` is already the id of annotations[{first}]; ids must be unique",
                    annotation.id
                ),
            ));
        }
        for (axis, value) in [("x", annotation.position.x), ("y", annotation.position.y)] {
            if !value.is_finite() {
                problems.push(Problem::new(
                    format!("{path}.position.{axis}"),
                    format!("must be a finite number, found {value}"),
                ));
            }
        }
        for (side, value) in [
            ("width", annotation.size.width),
            ("height", annotation.size.height),
        ] {
            if !(value.is_finite() && value > 0.0) {
                problems.push(Problem::new(
                    format!("{path}.size.{side}"),
                    format!("must be a finite number > 0, found {value}"),
                ));
            } else if value > MAX_ANNOTATION_SIDE {
                problems.push(Problem::new(
                    format!("{path}.size.{side}"),
                    format!("must be at most {MAX_ANNOTATION_SIDE} (canvas units), found {value}"),
                ));
            }
        }
        let length = annotation.text.chars().count();
        if length > MAX_ANNOTATION_TEXT {
            problems.push(Problem::new(
                format!("{path}.text"),
                format!(
                    "is {length} characters long; an annotation holds at most {MAX_ANNOTATION_TEXT}"
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: &str) -> Annotation {
        Annotation {
            id: id.into(),
            kind: AnnotationKind::Note,
            text: "Writes go to the primary".into(),
            position: Position { x: 0.0, y: 0.0 },
            size: Size {
                width: 200.0,
                height: 80.0,
            },
        }
    }

    #[test]
    fn a_sound_annotation_has_no_problem() {
        assert!(annotation_problems(&[note("a"), note("b")]).is_empty());
    }

    #[test]
    fn duplicate_ids_empty_sizes_and_huge_text_are_named_by_path() {
        let mut bad = note("a");
        bad.size.width = 0.0;
        bad.text = "x".repeat(MAX_ANNOTATION_TEXT + 1);
        let problems = annotation_problems(&[note("a"), bad]);
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "annotations[1].id",
                "annotations[1].size.width",
                "annotations[1].text"
            ]
        );
        assert!(
            problems[0]
                .message
                .contains("already the id of annotations[0]")
        );
    }

    #[test]
    fn reads_and_writes_the_documented_shape() {
        let json = r#"{"id":"vpc","kind":"group","text":"VPC","position":{"x":10.0,"y":20.0},"size":{"width":400.0,"height":300.0}}"#;
        let read: Annotation = serde_json::from_str(json).unwrap();
        assert_eq!(read.kind, AnnotationKind::Group);
        assert_eq!(read.size.width, 400.0);
        let back = serde_json::to_value(&read).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }
}

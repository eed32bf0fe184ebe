//! [`Problem`]: one thing wrong with a design, located by a path into the document.
//!
//! Paths are written the way a person reads the JSON: `nodes[2].params.workers`,
//! `edges[0].to`, `run.duration_ms`. A problem with the document as a whole (it is not JSON,
//! it has no client…) sits at the root, written [`ROOT`] (`$`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The path of the document itself.
pub const ROOT: &str = "$";

/// One thing wrong with a design: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where in the document, e.g. `nodes[2].params.workers`; [`ROOT`] for the whole document.
    pub path: String,
    /// Why it is wrong and, where it helps, what would be accepted.
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A problem with the document as a whole.
    pub fn at_root(message: impl Into<String>) -> Self {
        Problem::new(ROOT, message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for Problem {}

/// `parent.field`, or just `field` when `parent` is the root. Keys that are not plain
/// identifiers are quoted (`parent["odd key"]`) so the path stays unambiguous.
pub fn field_path(parent: &str, field: &str) -> String {
    let plain = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (parent.is_empty() || parent == ROOT, plain) {
        (true, true) => field.to_string(),
        (false, true) => format!("{parent}.{field}"),
        (true, false) => format!("{ROOT}[{}]", serde_json::Value::from(field)),
        (false, false) => format!("{parent}[{}]", serde_json::Value::from(field)),
    }
}

/// `parent[index]`.
pub fn index_path(parent: &str, index: usize) -> String {
    if parent.is_empty() || parent == ROOT {
        format!("{ROOT}[{index}]")
    } else {
        format!("{parent}[{index}]")
    }
}

/// What a JSON value is, for messages like "expected an array, found a string".
pub fn describe_json(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_path_colon_message() {
        let problem = Problem::new("nodes[2].params.workers", "must be at least 1");
        assert_eq!(
            problem.to_string(),
            "nodes[2].params.workers: must be at least 1"
        );
        assert_eq!(Problem::at_root("not JSON").to_string(), "$: not JSON");
    }

    #[test]
    fn paths_join_without_a_leading_root() {
        assert_eq!(field_path(ROOT, "run"), "run");
        assert_eq!(field_path("run", "duration_ms"), "run.duration_ms");
        assert_eq!(index_path("nodes", 3), "nodes[3]");
        assert_eq!(field_path("nodes[3]", "odd key"), "nodes[3][\"odd key\"]");
    }
}

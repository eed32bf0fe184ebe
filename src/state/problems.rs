//! What is wrong with the design, keyed by JSON path, for the properties panel (mark the bad
//! field) and the run bar (say why Run is disabled).
//!
//! Paths are the model's: `nodes[2].params.workers`, `edges[0].to`, `run.duration_ms`, and `$`
//! for the document as a whole.

use std::collections::BTreeMap;

use archsim_model::Design;

use super::wording::{Blocker, humanize_message, sentence};

/// The path of the document as a whole.
pub const ROOT_PATH: &str = "$";

/// Every problem of the design: path → message, in the editor's words (node ids as labels,
/// field names as the panel's labels; see [`super::wording`]). When several problems share a
/// path their messages are joined with "; ".
pub fn field_problems(design: &Design) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (path, message) in design_problems(design) {
        // A node's own problem names it as its subject ("Cache 1 has no outgoing edge"); a
        // field's problem sits under the field, which names itself.
        let whole_node = path
            .strip_prefix("nodes[")
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|index| index.parse::<usize>().is_ok());
        let message = if whole_node {
            sentence(design, &path, &message)
        } else {
            humanize_message(design, &message)
        };
        map.entry(path)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }
    map
}

/// Why the design cannot run, one sentence each naming the node and field by their labels, in
/// document order, each with the model's own path and message as its details; empty when it
/// can run.
pub fn run_blockers(design: &Design) -> Vec<Blocker> {
    design_problems(design)
        .into_iter()
        .map(|(path, message)| Blocker {
            sentence: sentence(design, &path, &message),
            details: Some(format!("{path}: {message}")),
        })
        .collect()
}

/// `nodes[i]` for the node with this id (the prefix of all its problem paths).
pub fn node_path(design: &Design, id: &str) -> Option<String> {
    let index = design.nodes.iter().position(|n| n.id == id)?;
    Some(format!("nodes[{index}]"))
}

/// `edges[i]` for the edge with this id.
pub fn edge_path(design: &Design, id: &str) -> Option<String> {
    let index = design.edges.iter().position(|e| e.id == id)?;
    Some(format!("edges[{index}]"))
}

/// The problems at `prefix` or below it (`nodes[2]` gives `nodes[2].params.workers` but not
/// `nodes[20]`), with paths made relative to `prefix` ("" for the prefix itself,
/// `params.workers` for a field under it).
pub fn problems_under<'a>(
    problems: &'a BTreeMap<String, String>,
    prefix: &str,
) -> BTreeMap<&'a str, &'a str> {
    problems
        .iter()
        .filter_map(|(path, message)| {
            let rest = path.strip_prefix(prefix)?;
            let relative = if rest.is_empty() {
                ""
            } else {
                rest.strip_prefix('.')
                    .or_else(|| rest.starts_with('[').then_some(rest))?
            };
            Some((relative, message.as_str()))
        })
        .collect()
}

/// The model's validation (`archsim_model::validate`): the one definition of a runnable design,
/// shared with the engine and the CLI.
fn design_problems(design: &Design) -> Vec<(String, String)> {
    archsim_model::validate(design)
        .into_iter()
        .map(|p| (p.path, p.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::edit::{connect, design_with};

    #[test]
    fn empty_design_is_blocked_for_lack_of_a_client() {
        let blockers = run_blockers(&Design::default());
        assert!(blockers[0].sentence.contains("no client"), "{blockers:?}");
        assert!(!blockers[0].sentence.starts_with("nodes"), "{blockers:?}");
        assert!(!blockers[0].sentence.contains('`'), "{blockers:?}");
    }

    #[test]
    fn unconnected_client_is_marked_on_its_node_path() {
        let d = design_with(&["service", "client"]);
        let problems = field_problems(&d);
        assert!(problems["nodes[1]"].contains("nowhere"), "{problems:?}");
        let blockers = run_blockers(&d);
        assert!(
            blockers[0]
                .sentence
                .starts_with("Client 1 has no outgoing edge"),
            "{blockers:?}"
        );
        assert_eq!(
            blockers[0]
                .details
                .as_deref()
                .map(|d| d.starts_with("nodes[1]: ")),
            Some(true),
            "the details keep the path: {blockers:?}"
        );
    }

    #[test]
    fn connected_client_and_service_have_no_blockers() {
        let mut d = design_with(&["client", "service"]);
        connect(&mut d, "client-1", "service-1").unwrap();
        assert!(run_blockers(&d).is_empty(), "{:?}", run_blockers(&d));
    }

    #[test]
    fn problems_under_matches_whole_index_only() {
        let problems = BTreeMap::from([
            ("nodes[2]".to_string(), "a".to_string()),
            ("nodes[2].params.workers".to_string(), "b".to_string()),
            ("nodes[20].label".to_string(), "c".to_string()),
        ]);
        let under = problems_under(&problems, "nodes[2]");
        assert_eq!(under, BTreeMap::from([("", "a"), ("params.workers", "b")]));
    }
}

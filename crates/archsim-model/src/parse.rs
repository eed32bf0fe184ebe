//! Reading a design from JSON, reporting every problem at once.
//!
//! The document is first read as plain JSON, migrated to [`CURRENT_VERSION`](crate::CURRENT_VERSION),
//! and then each element (each node, edge and fault, the run settings) is deserialized on its
//! own, so one bad node does not hide a bad edge: the person fixing the file sees the whole list.
//! That is [`parse_design`], which reports structure only.
//!
//! Semantic checks (ids that must exist, ranges, cycles) are [`validate`](crate::validate())'s
//! job. [`load_design`] runs them too, even when the structure is broken: on the elements that
//! did parse, with paths naming each element's index in the document, and leaving out checks
//! that would depend on an element that failed to parse (an edge to a node whose params are
//! broken is not "unknown"). Structural problems come first, then semantic ones: fixing the
//! structure can bring to light problems that were left out, never take one away.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::design::{Design, Node, NodeKind, Position, RunSettings};
use crate::locate::deserialize_at;
use crate::migrate::migrate;
use crate::problem::{Problem, ROOT, describe_json, field_path, index_path};
use crate::validate::{Gaps, validate_partial};

/// Parse a design document: JSON syntax, version and migration, then the structure of every
/// element. On failure, every structural problem found, each with its path.
///
/// This does not check meaning (unknown node ids, ranges, cycles): call
/// [`validate`](crate::validate()) on the result for that, or use [`load_design`].
pub fn parse_design(json: &str) -> Result<Design, Vec<Problem>> {
    let partial = read_design(json)?;
    if partial.problems.is_empty() {
        Ok(partial.design)
    } else {
        Err(partial.problems)
    }
}

/// A design that is ready to run, or every problem that stops it: structural problems (as
/// [`parse_design`] reports them) followed by semantic ones (as [`validate`](crate::validate())
/// reports them).
///
/// When the structure is broken, meaning is still checked on every element that parsed, so one
/// pass shows both kinds. Paths keep the document's indices (`nodes[3]` stays `nodes[3]` when
/// `nodes[1]` could not be read), and checks whose outcome depends on an element that failed to
/// parse are left out rather than guessed: an id read from a broken node still counts as a node
/// (and as a duplicate), but whether a node has outgoing edges is not judged while an edge is
/// missing. Those problems appear once the structure is fixed. Text that is not JSON, or has no
/// usable `version`, gives that one problem only.
pub fn load_design(json: &str) -> Result<Design, Vec<Problem>> {
    let partial = read_design(json)?;
    let mut problems = partial.problems;
    problems.extend(validate_partial(&partial.design, &partial.gaps));
    if problems.is_empty() {
        Ok(partial.design)
    } else {
        Err(problems)
    }
}

/// Deserialize one node from JSON. `path` is where the node sits (`nodes[3]`); problems are
/// reported below it. Exposed so the editor can check a single pasted node the same way.
pub fn node_from_value(value: &Value, path: &str) -> Result<Node, Vec<Problem>> {
    let Value::Object(object) = value else {
        return Err(vec![Problem::new(
            path,
            format!("expected a node object, found {}", describe_json(value)),
        )]);
    };
    let mut problems = Vec::new();
    for key in object.keys() {
        if !NODE_FIELDS.contains(&key.as_str()) {
            problems.push(Problem::new(
                field_path(path, key),
                format!(
                    "unknown field `{key}`; a node has {}",
                    backticked(&NODE_FIELDS)
                ),
            ));
        }
    }

    let id = required_string(object, path, "id", &mut problems);
    let label = optional::<String>(object, path, "label", &mut problems).unwrap_or_default();
    let position =
        optional::<Position>(object, path, "position", &mut problems).unwrap_or_default();
    let spec = node_kind(object, path, &mut problems);

    match (id, spec) {
        (Some(id), Some(spec)) if problems.is_empty() => Ok(Node {
            id,
            label,
            position,
            spec,
        }),
        _ => Err(problems),
    }
}

const NODE_FIELDS: [&str; 5] = ["id", "label", "position", "kind", "params"];
const DESIGN_FIELDS: [&str; 8] = [
    "version",
    "name",
    "description",
    "nodes",
    "edges",
    "faults",
    "run",
    "annotations",
];

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn syntax_problem(err: &serde_json::Error) -> Problem {
    // serde_json appends " at line L column C" to its message; say it once, our way.
    let full = err.to_string();
    let reason = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(reason, _)| reason);
    Problem::at_root(format!(
        "not valid JSON at line {}, column {}: {reason}",
        err.line(),
        err.column()
    ))
}

/// What could be read of a design document: the elements that parsed, how they sit in the
/// document, and the structural problems of the rest.
struct PartialDesign {
    design: Design,
    gaps: Gaps,
    problems: Vec<Problem>,
}

/// Every structural problem of `json`, with what parsed; `Err` when there is nothing to build a
/// design from (not JSON, no usable version, not an object).
fn read_design(json: &str) -> Result<PartialDesign, Vec<Problem>> {
    let value: Value = serde_json::from_str(json).map_err(|err| vec![syntax_problem(&err)])?;
    let value = migrate(value).map_err(|problem| vec![problem])?;
    partial_design(&value)
}

fn partial_design(value: &Value) -> Result<PartialDesign, Vec<Problem>> {
    let Value::Object(object) = value else {
        return Err(vec![Problem::at_root(format!(
            "a design is a JSON object, found {}",
            describe_json(value)
        ))]);
    };
    let mut problems = Vec::new();
    for key in object.keys() {
        if !DESIGN_FIELDS.contains(&key.as_str()) {
            problems.push(Problem::new(
                field_path(ROOT, key),
                format!(
                    "unknown field `{key}`; a design has {}",
                    backticked(&DESIGN_FIELDS)
                ),
            ));
        }
    }

    let version = optional::<u32>(object, ROOT, "version", &mut problems);
    let name = optional::<String>(object, ROOT, "name", &mut problems).unwrap_or_default();
    let description =
        optional::<String>(object, ROOT, "description", &mut problems).unwrap_or_default();
    let nodes = elements(object, "nodes", &mut problems, |value, path| {
        node_from_value(value, path)
    });
    let edges = elements(object, "edges", &mut problems, |value, path| {
        deserialize_at(value, path).map_err(|problem| vec![problem])
    });
    let faults = elements(object, "faults", &mut problems, |value, path| {
        deserialize_at(value, path).map_err(|problem| vec![problem])
    });
    // Settings that fail to parse leave the defaults, which are valid: nothing to leave out.
    let run = optional::<RunSettings>(object, ROOT, "run", &mut problems).unwrap_or_default();
    // Drawing only: annotations that fail to parse are left out (with their problem), nothing
    // else depends on them.
    let annotations =
        optional::<Vec<crate::annotation::Annotation>>(object, ROOT, "annotations", &mut problems)
            .unwrap_or_default();

    let Some(version) = version else {
        // migrate() guarantees a version; keep the invariant visible rather than panic.
        if problems.is_empty() {
            problems.push(Problem::new("version", "missing field `version`"));
        }
        return Err(problems);
    };
    let gaps = Gaps {
        node_origin: nodes.origin,
        edge_origin: edges.origin,
        fault_origin: faults.origin,
        node_without_id: nodes.broken_without_id,
        nodes_missing: nodes.incomplete,
        edges_missing: edges.incomplete,
        broken_node_ids: nodes.broken_ids,
        broken_edge_ids: edges.broken_ids,
    };
    let design = Design {
        version,
        name,
        description,
        nodes: nodes.parsed,
        edges: edges.parsed,
        faults: faults.parsed,
        run,
        annotations,
    };
    Ok(PartialDesign {
        design,
        gaps,
        problems,
    })
}

/// The elements of one array of the document, as far as they parsed.
struct Elements<T> {
    parsed: Vec<T>,
    /// `parsed[i]` is element `origin[i]` of the array.
    origin: Vec<usize>,
    /// Elements that failed to parse but have a string `id`: their index and that id.
    broken_ids: Vec<(usize, String)>,
    /// Some element failed to parse without a string `id`, or the value is not an array.
    broken_without_id: bool,
    /// Some element failed to parse, or the value is not an array.
    incomplete: bool,
}

/// Each element of the array at `object[key]`, deserialized on its own.
fn elements<T>(
    object: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<Problem>,
    parse: impl Fn(&Value, &str) -> Result<T, Vec<Problem>>,
) -> Elements<T> {
    let mut elements = Elements {
        parsed: Vec::new(),
        origin: Vec::new(),
        broken_ids: Vec::new(),
        broken_without_id: false,
        incomplete: false,
    };
    let path = field_path(ROOT, key);
    match object.get(key) {
        None => {}
        Some(Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                match parse(item, &index_path(&path, index)) {
                    Ok(parsed) => {
                        elements.parsed.push(parsed);
                        elements.origin.push(index);
                    }
                    Err(found) => {
                        problems.extend(found);
                        elements.incomplete = true;
                        match item.get("id").and_then(Value::as_str) {
                            Some(id) => elements.broken_ids.push((index, id.to_string())),
                            None => elements.broken_without_id = true,
                        }
                    }
                }
            }
        }
        Some(other) => {
            problems.push(Problem::new(
                path,
                format!("expected an array, found {}", describe_json(other)),
            ));
            elements.incomplete = true;
            elements.broken_without_id = true;
        }
    }
    elements
}

fn optional<T: DeserializeOwned + serde::Serialize>(
    object: &Map<String, Value>,
    parent: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let value = object.get(key)?;
    deserialize_at(value, &field_path(parent, key))
        .map_err(|problem| problems.push(problem))
        .ok()
}

fn required_string(
    object: &Map<String, Value>,
    parent: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    if !object.contains_key(key) {
        problems.push(Problem::new(
            field_path(parent, key),
            format!("missing field `{key}`"),
        ));
        return None;
    }
    optional(object, parent, key, problems)
}

fn node_kind(
    object: &Map<String, Value>,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<NodeKind> {
    let kinds = backticked(&NodeKind::NAMES);
    let kind_path = field_path(path, "kind");
    let name = match object.get("kind") {
        None => {
            problems.push(Problem::new(
                kind_path,
                format!("missing field `kind`; expected one of {kinds}"),
            ));
            return None;
        }
        Some(Value::String(name)) => name.as_str(),
        Some(other) => {
            problems.push(Problem::new(
                kind_path,
                format!(
                    "expected a node kind (a string, one of {kinds}), found {}",
                    describe_json(other)
                ),
            ));
            return None;
        }
    };
    let Some(default) = NodeKind::default_for(name) else {
        problems.push(Problem::new(
            kind_path,
            format!("unknown node kind `{name}`; expected one of {kinds}"),
        ));
        return None;
    };
    // Parameters left out altogether are the kind's defaults, as the palette creates them.
    let Some(params) = object.get("params") else {
        return Some(default);
    };
    let params_path = field_path(path, "params");
    let parsed = default.with_params(params, &params_path);
    parsed.map_err(|problem| problems.push(problem)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(json: &str) -> Vec<String> {
        parse_design(json)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn syntax_error_is_one_problem_with_line_and_column() {
        let found = problems("{\n  \"version\": 1,\n  \"nodes\": [,]\n}");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("$: not valid JSON at line 3, column 13"),
            "{found:?}"
        );
    }

    #[test]
    fn problems_in_several_elements_are_all_reported() {
        let found = problems(
            r#"{"version": 1,
                "nodes": [
                  {"id": "a", "kind": "service", "params": {"workers": "many"}},
                  {"id": "b", "kind": "warehouse"},
                  {"kind": "cache"}
                ],
                "edges": [{"id": "e", "from": "a"}],
                "run": {"duration_ms": "long"}}"#,
        );
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found[0].starts_with("nodes[0].params.workers: invalid type"));
        assert!(found[1].starts_with("nodes[1].kind: unknown node kind `warehouse`"));
        assert!(found[1].contains("`rate_limiter`"));
        assert_eq!(found[2], "nodes[2].id: missing field `id`");
        assert_eq!(found[3], "edges[0].to: missing field `to`");
        assert!(found[4].starts_with("run.duration_ms: invalid type"));
    }

    #[test]
    fn load_design_reports_meaning_once_structure_is_sound() {
        let json = r#"{"version": 1, "nodes": [{"id": "c", "kind": "client"}],
                       "edges": [{"id": "e", "from": "c", "to": "gone"}]}"#;
        let problems = load_design(json).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "edges[0].to: no node has id `gone`"
        );
        let fine = r#"{"version": 1, "nodes": [{"id": "c", "kind": "client"},
                       {"id": "s", "kind": "service"}],
                       "edges": [{"id": "e", "from": "c", "to": "s"}]}"#;
        assert_eq!(load_design(fine).unwrap().nodes.len(), 2);
    }

    #[test]
    fn node_without_params_gets_the_kind_defaults() {
        let design =
            parse_design(r#"{"version": 1, "nodes": [{"id": "db", "kind": "database"}]}"#).unwrap();
        assert_eq!(
            design.nodes[0].spec,
            NodeKind::default_for("database").unwrap()
        );
    }

    #[test]
    fn unknown_fields_are_named_at_their_path() {
        let found = problems(
            r#"{"version": 1, "colour": "red",
                "nodes": [{"id": "a", "kind": "client", "size": 3}]}"#,
        );
        assert!(
            found[0].starts_with("colour: unknown field `colour`"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("nodes[0].size: unknown field `size`"),
            "{found:?}"
        );
    }
}

//! Reading a design from JSON, reporting every structural problem at once.
//!
//! The document is first read as plain JSON, migrated to [`CURRENT_VERSION`](crate::CURRENT_VERSION),
//! and then each element (each node, edge and fault, the run settings) is deserialized on its
//! own, so one bad node does not hide a bad edge: the person fixing the file sees the whole list.
//! Semantic checks (ids that must exist, ranges, cycles) are [`validate`](crate::validate())'s job.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::design::{Design, Node, NodeKind, Position, RunSettings};
use crate::locate::deserialize_at;
use crate::migrate::migrate;
use crate::problem::{Problem, ROOT, describe_json, field_path, index_path};

/// Parse a design document: JSON syntax, version and migration, then the structure of every
/// element. On failure, every structural problem found, each with its path.
///
/// This does not check meaning (unknown node ids, ranges, cycles): call
/// [`validate`](crate::validate()) on the result for that.
pub fn parse_design(json: &str) -> Result<Design, Vec<Problem>> {
    let value: Value = serde_json::from_str(json).map_err(|err| vec![syntax_problem(&err)])?;
    let value = migrate(value).map_err(|problem| vec![problem])?;
    design_from_value(&value)
}

/// [`parse_design`] then [`validate`](crate::validate()): a design that is ready to run, or
/// every problem that stops it (structural problems first; meaning is checked only once the
/// structure is sound).
pub fn load_design(json: &str) -> Result<Design, Vec<Problem>> {
    let design = parse_design(json)?;
    let problems = crate::validate(&design);
    if problems.is_empty() {
        Ok(design)
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
const DESIGN_FIELDS: [&str; 7] = [
    "version",
    "name",
    "description",
    "nodes",
    "edges",
    "faults",
    "run",
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

fn design_from_value(value: &Value) -> Result<Design, Vec<Problem>> {
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
    let run = optional::<RunSettings>(object, ROOT, "run", &mut problems).unwrap_or_default();

    match version {
        Some(version) if problems.is_empty() => Ok(Design {
            version,
            name,
            description,
            nodes,
            edges,
            faults,
            run,
        }),
        // migrate() guarantees a version; keep the invariant visible rather than panic.
        None if problems.is_empty() => {
            Err(vec![Problem::new("version", "missing field `version`")])
        }
        _ => Err(problems),
    }
}

/// Each element of the array at `object[key]`, deserialized on its own.
fn elements<T>(
    object: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<Problem>,
    parse: impl Fn(&Value, &str) -> Result<T, Vec<Problem>>,
) -> Vec<T> {
    let path = field_path(ROOT, key);
    match object.get(key) {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(
                |(index, item)| match parse(item, &index_path(&path, index)) {
                    Ok(parsed) => Some(parsed),
                    Err(found) => {
                        problems.extend(found);
                        None
                    }
                },
            )
            .collect(),
        Some(other) => {
            problems.push(Problem::new(
                path,
                format!("expected an array, found {}", describe_json(other)),
            ));
            Vec::new()
        }
    }
}

fn optional<T: DeserializeOwned>(
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
    let parsed = match default {
        NodeKind::Client(_) => deserialize_at(params, &params_path).map(NodeKind::Client),
        NodeKind::ApiGateway(_) => deserialize_at(params, &params_path).map(NodeKind::ApiGateway),
        NodeKind::LoadBalancer(_) => {
            deserialize_at(params, &params_path).map(NodeKind::LoadBalancer)
        }
        NodeKind::Service(_) => deserialize_at(params, &params_path).map(NodeKind::Service),
        NodeKind::Cache(_) => deserialize_at(params, &params_path).map(NodeKind::Cache),
        NodeKind::Queue(_) => deserialize_at(params, &params_path).map(NodeKind::Queue),
        NodeKind::Database(_) => deserialize_at(params, &params_path).map(NodeKind::Database),
        NodeKind::RateLimiter(_) => deserialize_at(params, &params_path).map(NodeKind::RateLimiter),
    };
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

//! Editing several nodes at once: align and distribute a selection, and bulk edit of the
//! parameters that nodes of one kind share (a change made on one of them, field by field, set
//! on all of them).

use std::collections::BTreeSet;

use archsim_model::json::to_value;
use archsim_model::{Design, NodeKind, Position};
use serde_json::Value;

use super::geometry::{NODE_HEIGHT, NODE_WIDTH};

/// How to line up a selection of nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
    Top,
    Middle,
    Bottom,
}

/// Which way to spread a selection evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distribute {
    Horizontally,
    Vertically,
}

/// New positions of the nodes in `ids`, lined up as `how` says on the selection's extreme (the
/// leftmost left edge for [`Align::Left`], the middle of the selection's box for
/// [`Align::Centre`], …). Nodes not in the design are skipped.
pub fn aligned(design: &Design, ids: &BTreeSet<String>, how: Align) -> Vec<(String, Position)> {
    let nodes: Vec<_> = design
        .nodes
        .iter()
        .filter(|n| ids.contains(&n.id))
        .collect();
    if nodes.len() < 2 {
        return Vec::new();
    }
    let min_x = nodes
        .iter()
        .map(|n| n.position.x)
        .fold(f64::INFINITY, f64::min);
    let max_x = nodes
        .iter()
        .map(|n| n.position.x)
        .fold(f64::NEG_INFINITY, f64::max);
    let min_y = nodes
        .iter()
        .map(|n| n.position.y)
        .fold(f64::INFINITY, f64::min);
    let max_y = nodes
        .iter()
        .map(|n| n.position.y)
        .fold(f64::NEG_INFINITY, f64::max);
    nodes
        .iter()
        .map(|n| {
            let p = n.position;
            let at = match how {
                Align::Left => Position { x: min_x, y: p.y },
                Align::Right => Position { x: max_x, y: p.y },
                Align::Centre => Position {
                    x: (min_x + max_x) / 2.0,
                    y: p.y,
                },
                Align::Top => Position { x: p.x, y: min_y },
                Align::Bottom => Position { x: p.x, y: max_y },
                Align::Middle => Position {
                    x: p.x,
                    y: (min_y + max_y) / 2.0,
                },
            };
            (n.id.clone(), at)
        })
        .collect()
}

/// New positions of the nodes in `ids`, spread so the gaps between neighbours are equal, the
/// first and last staying where they are (the order is by position along the axis). Needs at
/// least three nodes.
pub fn distributed(
    design: &Design,
    ids: &BTreeSet<String>,
    how: Distribute,
) -> Vec<(String, Position)> {
    let mut nodes: Vec<_> = design
        .nodes
        .iter()
        .filter(|n| ids.contains(&n.id))
        .collect();
    if nodes.len() < 3 {
        return Vec::new();
    }
    let along = |p: Position| match how {
        Distribute::Horizontally => p.x,
        Distribute::Vertically => p.y,
    };
    nodes.sort_by(|a, b| along(a.position).total_cmp(&along(b.position)));
    let size = match how {
        Distribute::Horizontally => NODE_WIDTH,
        Distribute::Vertically => NODE_HEIGHT,
    };
    let first = along(nodes[0].position);
    let last = along(nodes[nodes.len() - 1].position);
    // Equal gaps between boxes; boxes of one size make that equal steps between their corners.
    let total_gap = (last - first) - size * (nodes.len() - 1) as f64;
    let gap = total_gap / (nodes.len() - 1) as f64;
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let offset = first + i as f64 * (size + gap);
            let p = n.position;
            let at = match how {
                Distribute::Horizontally => Position { x: offset, y: p.y },
                Distribute::Vertically => Position { x: p.x, y: offset },
            };
            (n.id.clone(), at)
        })
        .collect()
}

/// The kind the selected nodes share, when there are two or more of them and all are of one
/// kind: the case where the properties panel offers a bulk edit.
pub fn shared_kind<'a>(design: &'a Design, ids: &BTreeSet<String>) -> Option<&'a str> {
    let mut kinds = design
        .nodes
        .iter()
        .filter(|n| ids.contains(&n.id))
        .map(|n| n.kind_name());
    let first = kinds.next()?;
    let mut count = 1;
    for kind in kinds {
        if kind != first {
            return None;
        }
        count += 1;
    }
    (count >= 2).then_some(first)
}

/// The same edit made on `before` (giving `after`) applied to `target`: every value that
/// differs between `before` and `after` (compared leaf by leaf in their JSON form) is set to
/// its new value in `target`; everything else of `target` stays its own. `touched` is the
/// path (relative to the spec, `params.workers`) of a field the person set while it showed
/// "mixed": its value is set on `target` even when it equals `before`'s. None when the result
/// is not a valid spec of the kind (which cannot happen for nodes of one kind, but a spec is
/// never guessed).
pub fn apply_same_edit(
    before: &NodeKind,
    after: &NodeKind,
    target: &NodeKind,
    touched: Option<&str>,
) -> Option<NodeKind> {
    let (before, after) = (to_value(before), to_value(after));
    let mut target = to_value(target);
    copy_changes(&before, &after, &mut target);
    if let Some(path) = touched
        && let Some(value) = at_path(&after, path)
    {
        set_at_path(&mut target, path, value.clone());
    }
    // Read back the way the model reads a node of a file (one reader per type in the module:
    // archsim_model::json); `target` is `{"kind": …, "params": …}`, a node lacking only its id.
    let Value::Object(mut node) = target else {
        return None;
    };
    node.insert("id".to_string(), Value::from("bulk-edit"));
    archsim_model::parse::node_from_value(&Value::Object(node), "node")
        .ok()
        .map(|node| node.spec)
}

/// Sets in `target` what changed from `before` to `after`. Objects are compared key by key (so
/// a change of one field leaves the target's other fields alone); anything else that changed
/// (a number, a choice, a list, an object replaced by another kind of value) is copied whole.
fn copy_changes(before: &Value, after: &Value, target: &mut Value) {
    match (before, after, &mut *target) {
        (Value::Object(b), Value::Object(a), Value::Object(t))
            // A tagged choice (a distribution, an algorithm) that changed its type is replaced
            // whole: its fields belong to the type.
            if b.get("type") == a.get("type") && t.get("type") == a.get("type") =>
        {
            for (key, new) in a {
                match (b.get(key), t.get_mut(key)) {
                    (Some(old), Some(mine)) if old != new => copy_changes(old, new, mine),
                    (Some(_), Some(_)) => {}
                    (_, None) | (None, _) => {
                        t.insert(key.clone(), new.clone());
                    }
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                t.remove(key);
            }
        }
        _ => {
            if before != after {
                *target = after.clone();
            }
        }
    }
}

/// The paths (relative to a spec, `params.service_time.mean_ms`) whose values differ between
/// the specs: what a bulk edit shows as "mixed". A choice whose type differs is mixed as a
/// whole (its path and its `type`).
pub fn mixed_paths(specs: &[&NodeKind]) -> BTreeSet<String> {
    let mut mixed = BTreeSet::new();
    let values: Vec<Value> = specs.iter().map(to_value).collect();
    if let Some((first, rest)) = values.split_first() {
        for other in rest {
            differences(first, other, "", &mut mixed);
        }
    }
    mixed
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn differences(a: &Value, b: &Value, path: &str, out: &mut BTreeSet<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.get("type") == y.get("type") => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => differences(p, q, &join(path, key), out),
                    _ => {
                        out.insert(join(path, key));
                    }
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => {
            out.insert(path.to_string());
            if a.get("type").is_some() || b.get("type").is_some() {
                out.insert(join(path, "type"));
            }
        }
        _ => {}
    }
}

/// The segments of a path: `params.mix[1].weight` → key params, key mix, index 1, key weight.
fn segments(path: &str) -> Vec<Result<&str, usize>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            out.push(Ok(key));
        }
        for index in pieces {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                out.push(Err(i));
            }
        }
    }
    out
}

fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    segments(path)
        .into_iter()
        .try_fold(value, |v, segment| match segment {
            Ok(key) => v.get(key),
            Err(index) => v.get(index),
        })
}

/// Sets the value at `path`, creating the objects on the way when they are missing (a field of
/// a section one node had switched off).
fn set_at_path(value: &mut Value, path: &str, new: Value) {
    let segments = segments(path);
    let mut at = value;
    for segment in segments {
        at = match segment {
            Ok(key) => {
                if !at.is_object() {
                    *at = Value::Object(Default::default());
                }
                at.as_object_mut()
                    .map(|o| o.entry(key.to_string()).or_insert(Value::Null))
                    .expect("an object")
            }
            Err(index) => match at.get_mut(index) {
                Some(item) => item,
                // A list of another length: the field has no counterpart here.
                None => return,
            },
        };
    }
    *at = new;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::edit::design_with;

    fn ids(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn align_left_lines_up_on_the_leftmost_node() {
        let mut design = design_with(&["service", "service", "service"]);
        for (i, n) in design.nodes.iter_mut().enumerate() {
            n.position = Position {
                x: 100.0 + 37.0 * i as f64,
                y: 50.0 * i as f64,
            };
        }
        let moved = aligned(&design, &ids(&["service-1", "service-3"]), Align::Left);
        assert_eq!(moved.len(), 2);
        assert!(moved.iter().all(|(_, p)| p.x == 100.0));
        assert_eq!(moved[1].1.y, 100.0, "the other axis is kept");
    }

    #[test]
    fn distribute_makes_equal_gaps_and_keeps_the_ends() {
        let mut design = design_with(&["service", "service", "service", "service"]);
        for (n, x) in design.nodes.iter_mut().zip([0.0, 900.0, 200.0, 250.0]) {
            n.position = Position { x, y: 0.0 };
        }
        let all = ids(&["service-1", "service-2", "service-3", "service-4"]);
        let mut moved = distributed(&design, &all, Distribute::Horizontally);
        moved.sort_by(|a, b| a.1.x.total_cmp(&b.1.x));
        let xs: Vec<f64> = moved.iter().map(|(_, p)| p.x).collect();
        assert_eq!(xs, [0.0, 300.0, 600.0, 900.0]);
        assert!(
            distributed(
                &design,
                &ids(&["service-1", "service-2"]),
                Distribute::Vertically
            )
            .is_empty()
        );
    }

    #[test]
    fn a_bulk_edit_sets_only_the_changed_field_on_each_node() {
        let design = design_with(&["service", "service"]);
        let (NodeKind::Service(first), NodeKind::Service(mut second)) =
            (design.nodes[0].spec.clone(), design.nodes[1].spec.clone())
        else {
            panic!("services expected");
        };
        second.queue_capacity = 7;
        let mut edited = first.clone();
        edited.workers = 12;
        let result = apply_same_edit(
            &NodeKind::Service(first),
            &NodeKind::Service(edited),
            &NodeKind::Service(second),
            None,
        );
        let Some(NodeKind::Service(result)) = result else {
            panic!("a service expected");
        };
        assert_eq!(result.workers, 12, "the edited field is set");
        assert_eq!(result.queue_capacity, 7, "the node's own other values stay");
    }

    #[test]
    fn a_mixed_field_set_to_the_first_nodes_value_is_set_on_all() {
        let design = design_with(&["service", "service"]);
        let first = design.nodes[0].spec.clone();
        let NodeKind::Service(mut second) = design.nodes[1].spec.clone() else {
            panic!("a service expected");
        };
        second.workers = 2;
        let second = NodeKind::Service(second);
        let mixed = mixed_paths(&[&first, &second]);
        assert_eq!(mixed, BTreeSet::from(["params.workers".to_string()]));
        // The person types the first node's own value into the field showing "mixed".
        let result = apply_same_edit(&first, &first, &second, Some("params.workers")).unwrap();
        assert_eq!(result, first);
        // Untouched, nothing changes.
        assert_eq!(
            apply_same_edit(&first, &first, &second, None).unwrap(),
            second
        );
    }

    #[test]
    fn a_choice_of_another_type_is_mixed_as_a_whole() {
        let design = design_with(&["service", "service"]);
        let first = design.nodes[0].spec.clone();
        let NodeKind::Service(mut second) = design.nodes[1].spec.clone() else {
            panic!("a service expected");
        };
        second.service_time = archsim_model::Distribution::Constant { ms: 5.0 };
        let mixed = mixed_paths(&[&first, &NodeKind::Service(second)]);
        assert!(mixed.contains("params.service_time"));
        assert!(mixed.contains("params.service_time.type"));
        assert!(!mixed.contains("params.workers"));
    }

    #[test]
    fn shared_kind_needs_two_nodes_of_one_kind() {
        let design = design_with(&["service", "service", "cache"]);
        assert_eq!(
            shared_kind(&design, &ids(&["service-1", "service-2"])),
            Some("service")
        );
        assert_eq!(shared_kind(&design, &ids(&["service-1", "cache-1"])), None);
        assert_eq!(shared_kind(&design, &ids(&["service-1"])), None);
    }
}

//! Deserialize one element of a design from a [`Value`] and, when it is wrong, say exactly where.
//!
//! `serde_path_to_error` tracks the path while serde walks the input, but serde buffers
//! internally-tagged enums (`{"type": "exponential", "mean_ms": 5}`) before choosing the
//! variant, and the path inside the buffer is lost: a bad `mean_ms` is reported at the
//! distribution, not at `mean_ms`. And a missing or unknown field is reported at the object
//! that lacks or carries it, not at the field. [`deserialize_at`] recovers the precise location
//! by re-running the (cheap) deserialization on small edits of the element: the field whose
//! removal turns the error into "missing field `that one`" is the culprit; the object that stops
//! complaining about a missing field once the field is added is the one that lacks it.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::{Problem, field_path, index_path};

/// Deserialize `value` as a `T` located at `path` in the document; on failure, one problem at
/// the most precise path that can be established.
///
/// Objects must be written as objects: serde would also read a struct from an array of its
/// field values in declaration order (`"run": [60000, 5000]`), an undocumented form whose
/// problems would be reported at paths that are not in the file. Such an array is refused where
/// it stands (see [`positional_object`]).
pub fn deserialize_at<T: DeserializeOwned + Serialize>(
    value: &Value,
    path: &str,
) -> Result<T, Problem> {
    match attempt::<T>(value) {
        // Written back through the one serializer model types go through (crate::json).
        Ok(parsed) => match positional_object(value, &crate::json::to_value(&parsed)) {
            None => Ok(parsed),
            Some((steps, fields)) => Err(Problem::new(
                render(path, &steps),
                format!(
                    "expected an object with named fields ({fields}), found an array; write {{\"field\": value, …}}"
                ),
            )),
        },
        Err(failure) => {
            let located = refine::<T>(value, failure);
            Err(Problem::new(render(path, &located.steps), located.message))
        }
    }
}

/// Where `read` (the document) holds an array at a place where `written` (what was read from
/// it, written back as JSON) holds an object: serde took the array as the object's fields in
/// order. Returns the place and the object's field names. Linear in the size of the element.
fn positional_object(read: &Value, written: &Value) -> Option<(Vec<Step>, String)> {
    match (read, written) {
        (Value::Array(_), Value::Object(fields)) => {
            let names: Vec<String> = fields.keys().map(|k| format!("`{k}`")).collect();
            Some((Vec::new(), names.join(", ")))
        }
        (Value::Array(items), Value::Array(outs)) => {
            items
                .iter()
                .zip(outs)
                .enumerate()
                .find_map(|(i, (item, out))| {
                    positional_object(item, out).map(|(mut steps, fields)| {
                        steps.insert(0, Step::Index(i));
                        (steps, fields)
                    })
                })
        }
        (Value::Object(map), Value::Object(outs)) => map.iter().find_map(|(key, item)| {
            let out = outs.get(key)?;
            positional_object(item, out).map(|(mut steps, fields)| {
                steps.insert(0, Step::Key(key.clone()));
                (steps, fields)
            })
        }),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    steps: Vec<Step>,
    message: String,
}

fn attempt<T: DeserializeOwned>(value: &Value) -> Result<T, Failure> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let mut steps = Vec::new();
        for segment in err.path() {
            match segment {
                serde_path_to_error::Segment::Map { key } => steps.push(Step::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => steps.push(Step::Index(*index)),
                // An enum segment names a variant, not a place in the JSON.
                serde_path_to_error::Segment::Enum { .. } => {}
                serde_path_to_error::Segment::Unknown => break,
            }
        }
        Failure {
            steps,
            message: err.into_inner().to_string(),
        }
    })
}

fn render(path: &str, steps: &[Step]) -> String {
    steps.iter().fold(path.to_string(), |acc, step| match step {
        Step::Key(key) => field_path(&acc, key),
        Step::Index(index) => index_path(&acc, *index),
    })
}

fn get<'a>(value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get(key.as_str()),
        Step::Index(index) => current.get(*index),
    })
}

fn get_mut<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get_mut(key.as_str()),
        Step::Index(index) => current.get_mut(*index),
    })
}

/// The name between the first pair of backticks after `prefix`, as serde writes
/// "missing field `x`", "unknown field `x`, expected …", "unknown variant `x`, expected …".
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

fn refine<T: DeserializeOwned>(root: &Value, failure: Failure) -> Failure {
    let Some(target) = get(root, &failure.steps) else {
        return failure;
    };
    if !target.is_object() {
        return failure;
    }
    if let Some(field) = quoted_after(&failure.message, "missing field ") {
        let container =
            lacking_container::<T>(root, &failure, field).unwrap_or_else(|| failure.steps.clone());
        return with_key(container, field, &failure.message);
    }
    if let Some(field) = quoted_after(&failure.message, "unknown field ") {
        let container = container_where(root, &failure.steps, &|object| object.contains_key(field))
            .unwrap_or_else(|| failure.steps.clone());
        return with_key(container, field, &failure.message);
    }
    if let Some(variant) = quoted_after(&failure.message, "unknown variant ") {
        let container = container_where(root, &failure.steps, &|object| {
            object.get("type").and_then(Value::as_str) == Some(variant)
        });
        return match container {
            Some(container) => with_key(container, "type", &failure.message),
            None => failure,
        };
    }
    culprit::<T>(root, failure)
}

fn with_key(mut steps: Vec<Step>, key: &str, message: &str) -> Failure {
    steps.push(Step::Key(key.to_string()));
    Failure {
        steps,
        message: message.to_string(),
    }
}

/// Depth-first, the first object at or below `start` that satisfies `wanted`.
fn container_where(
    root: &Value,
    start: &[Step],
    wanted: &dyn Fn(&serde_json::Map<String, Value>) -> bool,
) -> Option<Vec<Step>> {
    let value = get(root, start)?;
    match value {
        Value::Object(object) => {
            if wanted(object) {
                return Some(start.to_vec());
            }
            object.keys().find_map(|key| {
                let mut deeper = start.to_vec();
                deeper.push(Step::Key(key.clone()));
                container_where(root, &deeper, wanted)
            })
        }
        Value::Array(items) => (0..items.len()).find_map(|index| {
            let mut deeper = start.to_vec();
            deeper.push(Step::Index(index));
            container_where(root, &deeper, wanted)
        }),
        _ => None,
    }
}

/// The object at or below the failure that lacks `field`: adding `field` there changes the
/// error into something else (typically "invalid type: null"), while adding it to an object
/// that does not declare it only draws "unknown field".
fn lacking_container<T: DeserializeOwned>(
    root: &Value,
    failure: &Failure,
    field: &str,
) -> Option<Vec<Step>> {
    let mut candidates = Vec::new();
    collect_objects(root, failure.steps.clone(), &mut candidates);
    candidates.into_iter().find(|steps| {
        let mut edited = root.clone();
        let Some(Value::Object(object)) = get_mut(&mut edited, steps) else {
            return false;
        };
        if object.contains_key(field) {
            return false;
        }
        object.insert(field.to_string(), Value::Null);
        match attempt::<T>(&edited) {
            Ok(_) => true,
            Err(after) => {
                quoted_after(&after.message, "missing field ") != Some(field)
                    && quoted_after(&after.message, "unknown field ") != Some(field)
            }
        }
    })
}

fn collect_objects(root: &Value, steps: Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match get(root, &steps) {
        Some(Value::Object(object)) => {
            out.push(steps.clone());
            for key in object.keys() {
                let mut deeper = steps.clone();
                deeper.push(Step::Key(key.clone()));
                collect_objects(root, deeper, out);
            }
        }
        Some(Value::Array(items)) => {
            for index in 0..items.len() {
                let mut deeper = steps.clone();
                deeper.push(Step::Index(index));
                collect_objects(root, deeper, out);
            }
        }
        _ => {}
    }
}

/// For a bad value inside a buffered object: the field whose removal leaves only
/// "missing field `it`" is the one whose value was wrong. Repeats into nested objects.
fn culprit<T: DeserializeOwned>(root: &Value, failure: Failure) -> Failure {
    let mut steps = failure.steps.clone();
    while let Some(Value::Object(object)) = get(root, &steps) {
        // Removing an enum's tag always yields "missing field `type`": never the culprit here,
        // since errors about the tag itself are handled before this search.
        let tagged = object.get("type").is_some_and(Value::is_string);
        let found = object.keys().find(|key| {
            if tagged && key.as_str() == "type" {
                return false;
            }
            let mut edited = root.clone();
            if let Some(Value::Object(container)) = get_mut(&mut edited, &steps) {
                container.remove(key.as_str());
            }
            match attempt::<T>(&edited) {
                Ok(_) => false,
                Err(after) => {
                    after.steps == failure.steps
                        && after.message == format!("missing field `{key}`")
                }
            }
        });
        match found {
            Some(key) => steps.push(Step::Key(key.clone())),
            None => break,
        }
    }
    Failure {
        steps,
        message: failure.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{ClientParams, Edge, ServiceParams};

    fn locate<T: DeserializeOwned + serde::Serialize + std::fmt::Debug>(json: &str) -> String {
        let value: Value = serde_json::from_str(json).unwrap();
        deserialize_at::<T>(&value, "x").unwrap_err().to_string()
    }

    #[test]
    fn bad_value_inside_a_tagged_enum_is_located_at_the_field() {
        let shown = locate::<ServiceParams>(
            r#"{"service_time": {"type": "exponential", "mean_ms": "ten"}}"#,
        );
        assert!(
            shown.starts_with("x.service_time.mean_ms: invalid type"),
            "{shown}"
        );
    }

    #[test]
    fn bad_value_two_tagged_enums_deep_is_located_at_the_field() {
        let shown = locate::<ClientParams>(
            r#"{"workload": {"type": "open_loop",
                "rate": {"type": "sine", "mean_rps": 10, "amplitude_rps": "x", "period_ms": 5}}}"#,
        );
        assert!(
            shown.starts_with("x.workload.rate.amplitude_rps: invalid type"),
            "{shown}"
        );
    }

    #[test]
    fn missing_field_inside_nested_tagged_enum_names_its_own_object() {
        let shown = locate::<ClientParams>(
            r#"{"workload": {"type": "open_loop",
                "rate": {"type": "sine", "mean_rps": 10, "amplitude_rps": 1}}}"#,
        );
        assert_eq!(
            shown,
            "x.workload.rate.period_ms: missing field `period_ms`"
        );
    }

    #[test]
    fn the_tag_is_never_blamed_for_a_bad_sibling_field() {
        // `users` sorts after `type`; removing the tag would also give "missing field `type`".
        let shown = locate::<ClientParams>(
            r#"{"workload": {"type": "closed_loop", "users": "many",
                "think_time": {"type": "constant", "ms": 1}}}"#,
        );
        assert!(
            shown.starts_with("x.workload.users: invalid type"),
            "{shown}"
        );
    }

    #[test]
    fn unknown_field_and_unknown_variant_are_located() {
        let shown =
            locate::<ServiceParams>(r#"{"service_time": {"type": "exponential", "mean": 3}}"#);
        assert!(
            shown.starts_with("x.service_time.mean: unknown field"),
            "{shown}"
        );
        let shown = locate::<ClientParams>(
            r#"{"workload": {"type": "open_loop", "rate": {"type": "sin"}}}"#,
        );
        assert!(
            shown.starts_with("x.workload.rate.type: unknown variant `sin`"),
            "{shown}"
        );
    }

    #[test]
    fn missing_required_field_of_a_plain_struct_is_located() {
        assert_eq!(
            locate::<Edge>(r#"{"id": "e", "from": "a"}"#),
            "x.to: missing field `to`"
        );
    }

    #[test]
    fn errors_in_untagged_places_keep_serde_paths() {
        let shown = locate::<ClientParams>(r#"{"mix": [{"name": "a", "weight": "x"}]}"#);
        assert!(
            shown.starts_with("x.mix[0].weight: invalid type"),
            "{shown}"
        );
    }
}

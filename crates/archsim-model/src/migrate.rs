//! Bringing designs written by older archsim versions up to [`CURRENT_VERSION`].
//!
//! Each format change adds one step to [`STEPS`]: a function from a version-N document to a
//! version-N+1 document, working on plain JSON so it never depends on today's Rust types. The
//! chain runs from the file's version to the current one. Fixture files under
//! `tests/fixtures/v<N>/` prove that documents of every version keep loading.

use serde_json::Value;

use crate::CURRENT_VERSION;
use crate::problem::{Problem, describe_json};

/// One migration step: a document of version N (the step's position in [`STEPS`] plus one)
/// into a document of version N+1. It need not set `version`; the chain does.
pub type MigrationStep = fn(Value) -> Result<Value, Problem>;

/// `STEPS[i]` migrates version `i + 1` to version `i + 2`.
pub const STEPS: &[MigrationStep] = &[v1_to_v2, v2_to_v3];

/// Version 2 replaced the load balancer's `health_checks` flag with real mechanisms. Version 1's
/// `true` (also its default) meant an oracle that knew at once and without error which backends
/// were crashed; version 2 still has that oracle as `"health_check": {"type": "instant"}`, so
/// `true` becomes exactly that and `false` becomes `{"type": "none"}`. Version 2 also added panic
/// mode (Envoy's `healthy_panic_threshold`, default 50%), which version 1 did not have: a
/// migrated balancer gets `"panic_threshold_percent": 0` (off), so it routes exactly as before.
/// Every other node and field passes through untouched.
fn v1_to_v2(mut value: Value) -> Result<Value, Problem> {
    let Some(nodes) = value.get_mut("nodes").and_then(Value::as_array_mut) else {
        return Ok(value);
    };
    for (index, node) in nodes.iter_mut().enumerate() {
        let Some(node) = node.as_object_mut() else {
            continue;
        };
        if node.get("kind").and_then(Value::as_str) != Some("load_balancer") {
            continue;
        }
        let params = node
            .entry("params")
            .or_insert_with(|| Value::Object(Default::default()));
        let Some(params) = params.as_object_mut() else {
            // Not an object: parsing reports it at its path.
            continue;
        };
        let checks = match params.remove("health_checks") {
            None => true,
            Some(Value::Bool(flag)) => flag,
            Some(other) => {
                return Err(Problem::new(
                    format!("nodes[{index}].params.health_checks"),
                    format!(
                        "expected true or false (a version-1 field), found {}",
                        describe_json(&other)
                    ),
                ));
            }
        };
        let mode = if checks { "instant" } else { "none" };
        params.insert("health_check".into(), serde_json::json!({ "type": mode }));
        params.insert("panic_threshold_percent".into(), Value::from(0));
    }
    Ok(value)
}

/// Version 3 gave the circuit breaker resilience4j's options. Two defaults changed meaning, so a
/// version-2 breaker gets its old meaning written out:
/// - the time-based window was `window_ms` in 10 buckets; version 3 buckets it by `bucket_ms`
///   (default 1 000 ms, resilience4j's one-second buckets), so a migrated breaker gets
///   `bucket_ms = window_ms / 10` (10 000 ms when `window_ms` was left out);
/// - half-open reopened on the first failure and closed after `half_open_probes` successes;
///   version 3 lets exactly `half_open_probes` calls through and decides on their rates, so a
///   migrated breaker gets `"half_open": "consecutive_successes"`.
///
/// Everything new in version 3 (count-based windows, slow calls, `automatic_transition`) has a
/// default that does what version 2 did. Every other field passes through untouched.
fn v2_to_v3(mut value: Value) -> Result<Value, Problem> {
    let Some(edges) = value.get_mut("edges").and_then(Value::as_array_mut) else {
        return Ok(value);
    };
    for edge in edges.iter_mut() {
        let Some(breaker) = edge
            .get_mut("params")
            .and_then(|params| params.get_mut("circuit_breaker"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let window_ms = match breaker.get("window_ms") {
            None => Some(10_000.0),
            Some(window) => window.as_f64(),
        };
        // A window that is not a number is left for parsing to report at its path.
        if let Some(window_ms) = window_ms {
            breaker.insert("bucket_ms".into(), Value::from(window_ms / 10.0));
        }
        breaker.insert("half_open".into(), Value::from("consecutive_successes"));
    }
    Ok(value)
}

// The chain must reach exactly the current version.
const _: () = assert!(STEPS.len() + 1 == CURRENT_VERSION as usize);

/// The oldest version this build reads.
pub const FIRST_VERSION: u32 = 1;

/// Migrate a design document (as JSON) of any supported version to [`CURRENT_VERSION`].
/// Refuses a document without a usable `version`, and one written by a newer archsim.
pub fn migrate(value: Value) -> Result<Value, Problem> {
    migrate_with(value, STEPS, CURRENT_VERSION)
}

/// The chain runner, with the steps and target version as arguments so the mechanism can be
/// tested with steps that do not exist yet.
fn migrate_with(mut value: Value, steps: &[MigrationStep], current: u32) -> Result<Value, Problem> {
    let found = read_version(&value)?;
    if found > current {
        return Err(Problem::new(
            "version",
            format!(
                "design was written by a newer archsim (version {found}; this build reads up to {current})"
            ),
        ));
    }
    if found < FIRST_VERSION {
        return Err(Problem::new(
            "version",
            format!(
                "version {found} does not exist; design-format versions start at {FIRST_VERSION}"
            ),
        ));
    }
    for from in found..current {
        let step = steps[(from - FIRST_VERSION) as usize];
        value = step(value)?;
        set_version(&mut value, from + 1)?;
    }
    Ok(value)
}

fn read_version(value: &Value) -> Result<u32, Problem> {
    let Value::Object(object) = value else {
        return Err(Problem::at_root(format!(
            "a design is a JSON object, found {}",
            describe_json(value)
        )));
    };
    let Some(version) = object.get("version") else {
        return Err(Problem::new(
            "version",
            format!(
                "missing field `version`; add \"version\": {CURRENT_VERSION} for a design written for this archsim"
            ),
        ));
    };
    version
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| {
            Problem::new(
                "version",
                format!(
                    "expected the design-format version as a whole number from {FIRST_VERSION} to {CURRENT_VERSION}, found {version}"
                ),
            )
        })
}

fn set_version(value: &mut Value, version: u32) -> Result<(), Problem> {
    match value {
        Value::Object(object) => {
            object.insert("version".into(), Value::from(version));
            Ok(())
        }
        other => Err(Problem::at_root(format!(
            "migration to version {version} produced {}, not an object",
            describe_json(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rename_rate_to_rps(mut value: Value) -> Result<Value, Problem> {
        if let Some(old) = value.as_object_mut().and_then(|o| o.remove("rate")) {
            value["rate_rps"] = old;
        }
        Ok(value)
    }

    fn append_step_marker(mut value: Value) -> Result<Value, Problem> {
        let seen = value["seen"].as_str().unwrap_or_default().to_string();
        value["seen"] = json!(format!("{seen}{}", value["version"]));
        Ok(value)
    }

    fn refuse(_: Value) -> Result<Value, Problem> {
        Err(Problem::new("nodes[0]", "cannot migrate this node"))
    }

    #[test]
    fn version_1_health_checks_become_the_instant_oracle_or_none_without_panic_mode() {
        let doc = json!({"version": 1, "nodes": [
            {"id": "a", "kind": "load_balancer", "params": {"health_checks": true,
                "algorithm": {"type": "random"}}},
            {"id": "b", "kind": "load_balancer", "params": {"health_checks": false}},
            {"id": "c", "kind": "load_balancer"},
            {"id": "d", "kind": "service", "params": {"workers": 2}},
        ]});
        let migrated = migrate_with(doc, &STEPS[..1], 2).unwrap();
        assert_eq!(migrated["version"], json!(2));
        let nodes = &migrated["nodes"];
        assert_eq!(
            nodes[0]["params"],
            json!({"algorithm": {"type": "random"}, "health_check": {"type": "instant"},
                   "panic_threshold_percent": 0})
        );
        assert_eq!(
            nodes[1]["params"],
            json!({"health_check": {"type": "none"}, "panic_threshold_percent": 0})
        );
        // Version 1's default was `true`: the oracle, written out.
        assert_eq!(
            nodes[2]["params"],
            json!({"health_check": {"type": "instant"}, "panic_threshold_percent": 0})
        );
        assert_eq!(nodes[3]["params"], json!({"workers": 2}));
    }

    #[test]
    fn version_2_breakers_keep_their_tenth_buckets_and_consecutive_success_half_open() {
        let doc = json!({"version": 2, "edges": [
            {"id": "a", "from": "x", "to": "y", "params": {"circuit_breaker": {"window_ms": 2000}}},
            {"id": "b", "from": "x", "to": "y", "params": {"circuit_breaker": {}}},
            {"id": "c", "from": "x", "to": "y", "params": {"circuit_breaker": null}},
            {"id": "d", "from": "x", "to": "y"},
            {"id": "e", "from": "x", "to": "y", "params": {"circuit_breaker": {"window_ms": "long"}}},
        ]});
        let migrated = migrate(doc).unwrap();
        assert_eq!(migrated["version"], json!(CURRENT_VERSION));
        let edges = &migrated["edges"];
        assert_eq!(
            edges[0]["params"]["circuit_breaker"],
            json!({"window_ms": 2000, "bucket_ms": 200.0, "half_open": "consecutive_successes"})
        );
        // Version 2's default window was 10 s.
        assert_eq!(
            edges[1]["params"]["circuit_breaker"],
            json!({"bucket_ms": 1000.0, "half_open": "consecutive_successes"})
        );
        assert_eq!(edges[2]["params"], json!({"circuit_breaker": null}));
        assert_eq!(edges[3].get("params"), None);
        // Not a number: left for parsing to name.
        assert_eq!(
            edges[4]["params"]["circuit_breaker"],
            json!({"window_ms": "long", "half_open": "consecutive_successes"})
        );
    }

    #[test]
    fn a_version_1_health_checks_that_is_not_a_flag_is_named() {
        let doc = json!({"version": 1, "nodes": [
            {"id": "a", "kind": "load_balancer", "params": {"health_checks": "yes"}}]});
        let problem = migrate(doc).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "nodes[0].params.health_checks: expected true or false (a version-1 field), found a string"
        );
    }

    #[test]
    fn current_version_passes_through_unchanged() {
        let doc = json!({"version": CURRENT_VERSION, "name": "x"});
        assert_eq!(migrate(doc.clone()).unwrap(), doc);
    }

    #[test]
    fn chain_applies_every_step_in_order_and_sets_the_version() {
        let steps: &[MigrationStep] = &[append_step_marker, rename_rate_to_rps, append_step_marker];
        let migrated = migrate_with(json!({"version": 1, "rate": 5}), steps, 4).unwrap();
        assert_eq!(migrated, json!({"version": 4, "rate_rps": 5, "seen": "13"}));
        // Starting part-way runs only the remaining steps.
        let migrated = migrate_with(json!({"version": 3, "rate": 5}), steps, 4).unwrap();
        assert_eq!(migrated, json!({"version": 4, "rate": 5, "seen": "3"}));
    }

    #[test]
    fn a_failing_step_stops_the_chain_with_its_problem() {
        let steps: &[MigrationStep] = &[refuse];
        let problem = migrate_with(json!({"version": 1}), steps, 2).unwrap_err();
        assert_eq!(problem.to_string(), "nodes[0]: cannot migrate this node");
    }

    #[test]
    fn newer_version_is_refused_with_both_versions() {
        let problem = migrate(json!({"version": CURRENT_VERSION + 1})).unwrap_err();
        assert_eq!(problem.path, "version");
        assert_eq!(
            problem.message,
            format!(
                "design was written by a newer archsim (version {}; this build reads up to {CURRENT_VERSION})",
                CURRENT_VERSION + 1
            )
        );
    }

    #[test]
    fn missing_version_is_refused_at_version() {
        let problem = migrate(json!({"nodes": []})).unwrap_err();
        assert_eq!(problem.path, "version");
        assert!(problem.message.starts_with("missing field `version`"));
    }

    #[test]
    fn version_zero_and_non_numbers_are_refused_clearly() {
        let problem = migrate(json!({"version": 0})).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "version: version 0 does not exist; design-format versions start at 1"
        );
        for bad in [json!("1"), json!(-1), json!(1.5), json!(5_000_000_000u64)] {
            let problem = migrate(json!({ "version": bad })).unwrap_err();
            assert_eq!(problem.path, "version");
            assert!(problem.message.contains("whole number"), "{problem}");
        }
    }

    #[test]
    fn non_object_documents_are_refused_at_root() {
        let problem = migrate(json!([1, 2])).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "$: a design is a JSON object, found an array"
        );
    }
}

//! Designs built to hurt (found by fuzzing `archsim validate` and `archsim run`): each is refused
//! with a problem at a path that exists in the file, in words a person reads, and in a size
//! that grows with the file, not with its square.

use archsim_model::{Problem, load_design};
use serde_json::{Value, json};

fn mm1() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/mm1.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("JSON")
}

fn problems(design: &Value) -> Vec<Problem> {
    load_design(&design.to_string()).expect_err("a hostile design is refused")
}

/// The problem at `path`, which must be in the list.
fn at<'p>(problems: &'p [Problem], path: &str) -> &'p Problem {
    problems
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no problem at {path}: {problems:#?}"))
}

#[test]
fn an_object_written_as_an_array_is_refused_where_it_stands() {
    let mut design = mm1();
    design["run"] = json!([0]);
    let found = problems(&design);
    assert_eq!(found.len(), 1, "{found:#?}");
    let problem = at(&found, "run");
    assert!(problem.message.contains("found an array"), "{problem}");
    assert!(problem.message.contains("`duration_ms`"), "{problem}");

    // Deeper, inside a node's parameters and an edge's.
    let mut design = mm1();
    design["nodes"][1]["params"]["service_time"] = json!({"type": "exponential", "mean_ms": 5});
    design["nodes"][0]["position"] = json!([10, 20]);
    design["edges"][0]["params"]["retry"] = json!([3]);
    let found = problems(&design);
    assert!(
        at(&found, "nodes[0].position")
            .message
            .contains("found an array")
    );
    assert!(
        at(&found, "edges[0].params.retry")
            .message
            .contains("found an array")
    );
}

#[test]
fn replications_beyond_the_ceiling_are_refused_not_allocated() {
    let mut design = mm1();
    design["run"]["replications"] = json!(4_000_000_000u32);
    let found = problems(&design);
    assert!(
        at(&found, "run.replications")
            .message
            .contains("at most 1000")
    );
}

#[test]
fn more_request_classes_than_the_engine_numbers_are_refused() {
    let mut design = mm1();
    let mix: Vec<Value> = (0..70_000)
        .map(|i| json!({"name": format!("c{i}"), "weight": 1}))
        .collect();
    design["nodes"][0]["params"]["mix"] = Value::Array(mix);
    let found = problems(&design);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        at(&found, "nodes[0].params.mix[4096].name")
            .message
            .contains("4096")
    );
}

#[test]
fn a_sine_period_too_short_for_a_finite_phase_is_refused() {
    let mut design = mm1();
    design["nodes"][0]["params"]["workload"]["rate"] =
        json!({"type": "sine", "mean_rps": 10, "amplitude_rps": 5, "period_ms": 1e-300});
    let found = problems(&design);
    let problem = at(&found, "nodes[0].params.workload.rate.period_ms");
    assert!(problem.message.contains("1e-300"), "{problem}");
}

#[test]
fn durations_beyond_the_integer_clock_and_buckets_below_its_tick_are_refused() {
    let mut design = mm1();
    design["run"]["duration_ms"] = json!(1e17);
    design["run"]["bucket_ms"] = json!(1e13);
    let found = problems(&design);
    assert!(
        at(&found, "run.duration_ms")
            .message
            .contains("at most 1e12 ms")
    );
    assert!(
        at(&found, "run.bucket_ms")
            .message
            .contains("at most 1e12 ms")
    );

    let mut design = mm1();
    design["run"]["bucket_ms"] = json!(1e-9);
    let found = problems(&design);
    assert!(
        at(&found, "run.bucket_ms")
            .message
            .contains("at least 0.001 ms")
    );

    let mut design = mm1();
    design["edges"][0]["params"]["latency"] = json!({"type": "constant", "ms": 1e9});
    design["edges"][0]["params"]["timeout_ms"] = json!(1e15);
    let found = problems(&design);
    assert!(
        at(&found, "edges[0].params.timeout_ms")
            .message
            .contains("at most")
    );
}

#[test]
fn rates_beyond_the_ceiling_are_refused() {
    let mut design = mm1();
    design["nodes"][0]["params"]["workload"]["rate"] = json!({"type": "constant", "rps": 1e9});
    let found = problems(&design);
    let problem = at(&found, "nodes[0].params.workload.rate.rps");
    assert!(problem.message.contains("requests per second"), "{problem}");
}

/// 5,000 routes to unknown classes in a design with 4,000 classes: each problem lists a few
/// names and says how many more, so the output grows linearly (it was 220 MB).
#[test]
fn problems_listing_names_stay_short_however_many_names_there_are() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/microservices-gateway.json"
    );
    let mut design: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for node in design["nodes"].as_array_mut().unwrap() {
        match node["kind"].as_str() {
            Some("client") => {
                node["params"]["mix"] = (0..4_000)
                    .map(|i| json!({"name": format!("c{i}"), "weight": 1}))
                    .collect();
            }
            Some("api_gateway") => {
                node["params"]["routes"] = (0..5_000)
                    .map(|i| json!({"class": format!("x{i}"), "to": "catalog"}))
                    .collect();
            }
            _ => {}
        }
    }
    let found = problems(&design);
    assert!(found.len() >= 5_000);
    for problem in &found {
        assert!(problem.message.len() < 400, "{problem}");
    }
    assert!(found[0].message.contains("more"), "{}", found[0]);
}

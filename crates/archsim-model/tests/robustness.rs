//! Bad input never panics: whatever a person pastes, loading answers with problems.

use archsim_model::{load_design, parse_design, validate};
use serde_json::{Value, json};

fn fixture() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/v1/every-kind-every-field.json"
    );
    std::fs::read_to_string(path).expect("fixture")
}

#[test]
fn every_truncation_of_a_design_is_refused_without_panicking() {
    let text = fixture();
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let problems = parse_design(&text[..cut]).expect_err("a truncated design is not JSON");
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].path, "$");
        }
        cut += 7;
    }
}

/// Every place holding a scalar, as a list of object keys / array indices.
fn scalar_places(value: &Value, here: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let mut next = here.clone();
                next.push(json!(key));
                scalar_places(child, next, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let mut next = here.clone();
                next.push(json!(index));
                scalar_places(child, next, out);
            }
        }
        _ => out.push(here),
    }
}

fn at<'a>(value: &'a mut Value, place: &[Value]) -> &'a mut Value {
    place.iter().fold(value, |current, step| match step {
        Value::String(key) => &mut current[key.as_str()],
        Value::Number(index) => &mut current[index.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

#[test]
fn replacing_any_value_with_a_wrong_one_gives_problems_under_a_known_field() {
    let original: Value = serde_json::from_str(&fixture()).unwrap();
    let mut places = Vec::new();
    scalar_places(&original, Vec::new(), &mut places);
    let replacements = [
        json!(null),
        json!("text"),
        json!(-1),
        json!(1e300),
        json!({}),
        json!([]),
        json!(true),
    ];
    for place in &places {
        for replacement in &replacements {
            let mut edited = original.clone();
            *at(&mut edited, place) = replacement.clone();
            let text = edited.to_string();
            let problems = match parse_design(&text) {
                Ok(design) => validate(&design),
                Err(problems) => problems,
            };
            for problem in &problems {
                let top = problem.path.split(['.', '[']).next().unwrap_or_default();
                assert!(
                    [
                        "$",
                        "version",
                        "name",
                        "description",
                        "nodes",
                        "edges",
                        "faults",
                        "run"
                    ]
                    .contains(&top),
                    "{place:?} = {replacement}: odd path in {problem}"
                );
                assert!(!problem.message.is_empty());
            }
            // load_design agrees with the two steps. When the value breaks the structure,
            // load_design also checks the meaning of what parsed; the rest of the fixture is
            // valid, so that must add nothing (no problem made up from the missing element).
            assert_eq!(load_design(&text).err().unwrap_or_default(), problems);
        }
    }
}

fn rendered(place: &[Value]) -> String {
    let mut path = String::new();
    for step in place {
        match step {
            Value::String(key) if path.is_empty() => path.push_str(key),
            Value::String(key) => {
                path.push('.');
                path.push_str(key);
            }
            Value::Number(index) => path.push_str(&format!("[{index}]")),
            _ => unreachable!(),
        }
    }
    path
}

#[test]
fn a_value_of_the_wrong_type_is_reported_exactly_where_it_is() {
    for name in ["every-variant", "every-kind-every-field"] {
        let path = format!(
            "{}/tests/fixtures/v1/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut places = Vec::new();
        scalar_places(&original, Vec::new(), &mut places);
        for place in &places {
            let mut edited = original.clone();
            let slot = at(&mut edited, place);
            if slot.is_null() {
                continue; // an absent option: an object there is a different, valid-looking shape
            }
            // No scalar field of the format accepts an array.
            *slot = json!([1]);
            let problems =
                parse_design(&edited.to_string()).expect_err("an array is never a scalar");
            let expected = rendered(place);
            assert!(
                problems.iter().any(|problem| problem.path == expected),
                "{name}: expected a problem at {expected}, got {problems:?}"
            );
        }
    }
}

//! The design fuzzer: mutations of every example and fixture go through validation, and the
//! ones that validate go through the engine. What must hold, whatever the input:
//!
//! - nothing panics;
//! - every refusal names a place in the file (the element itself, or a field to add to an
//!   object that exists) and a reason, and no text from the file reaches a problem line raw;
//! - a design that validates runs to its end, or to the budget it states, in bounded time;
//! - every figure of its report is finite and non-negative, and the counts add up: completed =
//!   succeeded + failures by cause, and no more completed than arrived.
//!
//! The test command runs a bounded number of cases (`FUZZ_CASES`, 256 by default, well under a
//! minute). A campaign runs many more, from one command:
//!
//! ```sh
//! FUZZ_CASES=12000 FUZZ_SEED=1 cargo test --release -p archsim-cli --test design_fuzz -- --nocapture
//! ```
//!
//! A failure prints the mutated design; it becomes a regression test in
//! `crates/archsim-model/tests/hostile.rs` (refusals) or here (runs).

use std::time::{Duration, Instant};

use archsim_model::{Estimate, Problem, Report, load_design};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};

/// The longest any one fuzzed run may take: not a speed check (a run of these sizes takes
/// milliseconds), a hang check.
const RUN_TIME_LIMIT: Duration = Duration::from_secs(30);

fn corpus() -> Vec<Value> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut designs = Vec::new();
    for dir in ["examples", "crates/archsim-model/tests/fixtures/v1"] {
        let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .expect("corpus folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("corpus file");
            designs.push(serde_json::from_str(&text).expect("corpus is JSON"));
        }
    }
    assert!(designs.len() >= 12, "corpus too small: {}", designs.len());
    designs
}

/// Where a value sits: object keys and array indices from the root.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn places(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                here.push(Step::Key(key.clone()));
                places(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                here.push(Step::Index(index));
                places(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get_mut(key.as_str()),
        Step::Index(index) => current.get_mut(*index),
    })
}

fn get<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get(key.as_str()),
        Step::Index(index) => current.get(*index),
    })
}

/// Values that have broken parsers and engines before: boundaries of integer types, numbers
/// too small or too large for the clock, hostile text.
fn interesting(selector: u32) -> Value {
    let numbers = [
        json!(0),
        json!(-1),
        json!(1),
        json!(0.5),
        json!(1e-300),
        json!(1e308),
        json!(65_535),
        json!(65_536),
        json!(4_294_967_295u64),
        json!(4_294_967_296u64),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e7),
        json!(1e9),
        json!(1e12),
        json!(1e-9),
        json!(3),
        json!(100),
    ];
    let texts = [
        json!(""),
        json!("\u{1b}]0;pwned\u{7}"),
        json!("a\nb`c`: forged"),
        json!("\u{202e}txet"),
        json!("constant"),
        json!("exponential"),
        json!("service"),
        json!("client"),
        json!("round_robin"),
        json!("consistent_hash"),
        json!("x".repeat(300)),
    ];
    let shapes = [
        json!(null),
        json!(true),
        json!([]),
        json!({}),
        json!([0]),
        json!({"type": "constant", "ms": 1}),
        json!({"type": "exponential", "mean_ms": 1e-9}),
    ];
    let all = numbers.len() + texts.len() + shapes.len();
    let i = selector as usize % all;
    if i < numbers.len() {
        numbers[i].clone()
    } else if i < numbers.len() + texts.len() {
        texts[i - numbers.len()].clone()
    } else {
        shapes[i - numbers.len() - texts.len()].clone()
    }
}

/// One mutation: which place (as a fraction of the list of places), what to do, with what.
type Mutation = (u32, u8, u32);

fn mutate(design: &mut Value, (place, operation, selector): Mutation) {
    let mut all = Vec::new();
    places(design, &mut Vec::new(), &mut all);
    let path = all[place as usize % all.len()].clone();
    match operation % 6 {
        // Replace the value with an interesting one.
        0 | 1 => {
            if let Some(target) = get_mut(design, &path) {
                *target = interesting(selector);
            }
        }
        // Scale a number (a nearby or far-off value of the right type).
        2 => {
            if let Some(target) = get_mut(design, &path)
                && let Some(x) = target.as_f64()
            {
                let factors = [0.0, -1.0, 0.5, 2.0, 10.0, 1e3, 1e6, 1e-6];
                *target = json!(x * factors[selector as usize % factors.len()]);
            }
        }
        // Remove a key or an element.
        3 => {
            if let Some((last, parent)) = path.split_last()
                && let Some(container) = get_mut(design, parent)
            {
                match (last, container) {
                    (Step::Key(key), Value::Object(map)) => {
                        map.remove(key);
                    }
                    (Step::Index(index), Value::Array(items)) if *index < items.len() => {
                        items.remove(*index);
                    }
                    _ => {}
                }
            }
        }
        // Duplicate an array element (duplicate ids, repeated classes, parallel edges).
        4 => {
            if let Some((Step::Index(index), parent)) = path.split_last()
                && let Some(Value::Array(items)) = get_mut(design, parent)
            {
                let copy = items[*index].clone();
                items.push(copy);
            }
        }
        // Add an unknown key to an object.
        _ => {
            if let Some(Value::Object(map)) = get_mut(design, &path) {
                map.insert(format!("k{selector}"), interesting(selector / 7));
            }
        }
    }
}

/// A problem path (`nodes[2].params.workers`, `$["odd key"]`, `$`) as steps.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            // A quoted key: a JSON string up to the closing `"]`.
            let mut stream = serde_json::Deserializer::from_str(&rest[1..]).into_iter::<String>();
            let key = stream.next()?.ok()?;
            let used = stream.byte_offset();
            steps.push(Step::Key(key));
            rest = after.get(used - 1..)?.strip_prefix(']')?;
        } else if let Some(after) = rest.strip_prefix('[') {
            let (digits, tail) = after.split_once(']')?;
            steps.push(Step::Index(digits.parse().ok()?));
            rest = tail;
        } else {
            let body = rest.strip_prefix('.').unwrap_or(rest);
            let end = body.find(['.', '[']).unwrap_or(body.len());
            steps.push(Step::Key(body[..end].to_string()));
            rest = &body[end..];
        }
    }
    Some(steps)
}

fn check_refusal(design: &Value, problems: &[Problem]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty());
    for problem in problems {
        prop_assert!(!problem.message.trim().is_empty(), "no reason: {problem:?}");
        if problem.path == "$" {
            continue;
        }
        let steps = parse_path(&problem.path);
        prop_assert!(steps.is_some(), "unreadable path: {problem:?}");
        let steps = steps.unwrap();
        let exists = get(design, &steps).is_some();
        // A missing field is named where it should be added: its object must exist.
        let parent_is_object = steps.split_last().is_some_and(|(last, parent)| {
            matches!(last, Step::Key(_)) && get(design, parent).is_some_and(Value::is_object)
        });
        prop_assert!(
            exists || parent_is_object,
            "problem at a path that is not in the file: {problem:?}"
        );
    }
    Ok(())
}

fn estimates(value: &Value, path: &str, out: &mut Vec<(String, f64)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                estimates(child, &format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                estimates(child, &format!("{path}[{i}]"), out);
            }
        }
        Value::Number(n) => out.push((path.to_string(), n.as_f64().unwrap_or(f64::NAN))),
        _ => {}
    }
}

fn check_report(report: &Report) -> Result<(), TestCaseError> {
    // serde_json writes a non-finite float as null: look at the typed report for those.
    let mut numbers = Vec::new();
    let as_json = serde_json::to_value(report).expect("a report serializes");
    estimates(&as_json, "", &mut numbers);
    for (path, x) in &numbers {
        // The latency histogram's `first` is a bucket index on a log scale: below 1 ms it is
        // negative by design. Every other figure is a count, a time or a ratio.
        let may_be_negative = path == ".latency_histogram.first";
        prop_assert!(
            x.is_finite() && (may_be_negative || *x >= 0.0),
            "figure {path} = {x}"
        );
    }
    let finite = |e: &Estimate| e.value.is_finite() && e.ci95.is_none_or(f64::is_finite);
    let o = &report.overall;
    for e in [
        &o.arrivals,
        &o.completed,
        &o.succeeded,
        &o.throughput_rps,
        &o.goodput_rps,
    ] {
        prop_assert!(finite(e), "non-finite overall figure: {o:?}");
    }
    for (id, node) in &report.nodes {
        prop_assert!(
            finite(&node.utilisation) && finite(&node.mean_in_flight),
            "{id}"
        );
    }
    let sum = o.succeeded.value + o.failures.total();
    prop_assert!(
        (o.completed.value - sum).abs() <= 1e-6 * o.completed.value.max(1.0),
        "completed {} != succeeded + failures {}",
        o.completed.value,
        sum
    );
    prop_assert!(
        o.completed.value <= o.arrivals.value + 1e-6,
        "completed {} > arrivals {}",
        o.completed.value,
        o.arrivals.value
    );
    Ok(())
}

/// Keeps a fuzzed run small: what is checked is that it ends and what it reports, not its length.
fn shorten(design: &mut archsim_model::Design) {
    let run = &mut design.run;
    run.duration_ms = run.duration_ms.min(2_000.0);
    run.warmup_ms = 0.0;
    run.replications = run.replications.min(2);
    run.max_events = run.max_events.min(400_000);
    run.bucket_ms = run.bucket_ms.max(run.duration_ms / 200.0);
}

/// Cases that ran (valid designs) and that were refused, for the campaign's closing line.
static RAN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
static REFUSED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn one_case(design: &Value) -> Result<(), TestCaseError> {
    let text = design.to_string();
    let loaded = std::panic::catch_unwind(|| load_design(&text));
    prop_assert!(loaded.is_ok(), "validation panicked on:\n{text}");
    match loaded.unwrap() {
        Err(problems) => {
            REFUSED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            check_refusal(design, &problems)
        }
        Ok(mut valid) => {
            RAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            shorten(&mut valid);
            if !archsim_model::validate(&valid).is_empty() {
                return Ok(()); // shortening made it invalid (say, a fault past the end)
            }
            let started = Instant::now();
            let ran = std::panic::catch_unwind(|| archsim_engine::run(&valid, &mut |_| {}));
            prop_assert!(ran.is_ok(), "the engine panicked on:\n{text}");
            let report = ran.unwrap();
            prop_assert!(
                report.is_ok(),
                "a valid design was refused: {report:?}\n{text}"
            );
            prop_assert!(
                started.elapsed() < RUN_TIME_LIMIT,
                "a run took {:?}:\n{text}",
                started.elapsed()
            );
            check_report(&report.unwrap())
        }
    }
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

#[test]
fn mutated_designs_are_refused_with_paths_or_run_to_an_end_with_sound_figures() {
    let corpus = corpus();
    // Deterministic: the test command runs the same cases every time; a campaign picks its own
    // seed with FUZZ_SEED to explore new ones.
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (
        0..corpus.len(),
        prop::collection::vec((any::<u32>(), any::<u8>(), any::<u32>()), 1..6),
    );
    let outcome = runner.run(&strategy, |(seed, mutations)| {
        let mut design = corpus[seed].clone();
        for mutation in mutations {
            mutate(&mut design, mutation);
        }
        one_case(&design)
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    // Shown with --nocapture: a campaign in which nothing validated would prove little.
    eprintln!(
        "design fuzzer: {} cases, {} refused, {} ran",
        cases(),
        REFUSED.load(std::sync::atomic::Ordering::Relaxed),
        RAN.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert!(
        RAN.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no mutated design validated"
    );
}

#[test]
fn unmutated_corpus_runs_with_sound_figures() {
    for design in corpus() {
        one_case(&design).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn problem_paths_are_read_back_exactly() {
    assert_eq!(
        parse_path("nodes[2].params.workers"),
        Some(vec![
            Step::Key("nodes".into()),
            Step::Index(2),
            Step::Key("params".into()),
            Step::Key("workers".into()),
        ])
    );
    assert_eq!(
        parse_path("$[\"odd key\"].x"),
        Some(vec![Step::Key("odd key".into()), Step::Key("x".into())])
    );
    assert_eq!(parse_path("$[3]"), Some(vec![Step::Index(3)]));
}

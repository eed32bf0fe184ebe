//! The design files people rely on: the examples users run and the editor lists as templates,
//! and the fixtures that prove old files keep loading.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use archsim_model::{Design, NodeKind, Problem, parse_design, validate};

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Design {
    let text = fs::read_to_string(path).expect("readable file");
    let design = parse_design(&text).unwrap_or_else(|problems| {
        panic!("{} does not parse:\n{}", path.display(), listed(&problems))
    });
    let problems = validate(&design);
    assert!(
        problems.is_empty(),
        "{} does not validate:\n{}",
        path.display(),
        listed(&problems)
    );
    design
}

fn listed(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_round_trips(path: &Path, design: &Design) {
    let written = design.to_json_pretty();
    let reread = parse_design(&written).unwrap_or_else(|problems| {
        panic!(
            "{} written back does not parse:\n{}",
            path.display(),
            listed(&problems)
        )
    });
    assert_eq!(
        &reread,
        design,
        "{} changes on a round trip",
        path.display()
    );
    assert_eq!(
        reread.to_json_pretty(),
        written,
        "{} output is not stable",
        path.display()
    );
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_example_parses_validates_and_round_trips() {
    let files = json_files(&examples_dir());
    assert!(
        files.len() >= 12,
        "expected the example designs, found {files:?}"
    );
    for path in &files {
        let design = load(path);
        assert_round_trips(path, &design);
    }
}

#[test]
fn every_example_says_what_to_look_for_on_its_first_line() {
    for path in json_files(&examples_dir()) {
        let design = load(&path);
        assert!(
            !design.name.trim().is_empty(),
            "{} has no name",
            path.display()
        );
        let first_line = design.description.lines().next().unwrap_or_default();
        assert!(
            first_line.len() > 40 && first_line.trim_end().ends_with('.'),
            "{}: the description's first line should be one sentence saying what to look for, found {first_line:?}",
            path.display()
        );
    }
}

#[test]
fn example_nodes_do_not_overlap_on_the_canvas() {
    for path in json_files(&examples_dir()) {
        let design = load(&path);
        for (index, a) in design.nodes.iter().enumerate() {
            for b in &design.nodes[index + 1..] {
                let apart = (a.position.x - b.position.x).abs() >= 200.0
                    || (a.position.y - b.position.y).abs() >= 100.0;
                assert!(
                    apart,
                    "{}: `{}` and `{}` overlap",
                    path.display(),
                    a.id,
                    b.id
                );
            }
        }
    }
}

#[test]
fn queueing_theory_examples_have_no_network_latency() {
    for name in ["mm1", "mmc", "md1", "mm1k", "tandem"] {
        let path = examples_dir().join(format!("{name}.json"));
        let design = load(&path);
        for edge in &design.edges {
            assert_eq!(
                edge.params.latency,
                archsim_model::Distribution::Constant { ms: 0.0 },
                "{name}: edge {} must add no latency or the theory does not apply",
                edge.id
            );
        }
    }
}

#[test]
fn every_fixture_of_every_version_still_loads_and_round_trips() {
    let mut version_dirs: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .expect("fixtures folder")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    version_dirs.sort();
    assert!(!version_dirs.is_empty(), "no fixture folders");
    let mut kinds = BTreeSet::new();
    for dir in version_dirs {
        let files = json_files(&dir);
        assert!(!files.is_empty(), "{} holds no fixtures", dir.display());
        for path in files {
            let design = load(&path);
            assert_round_trips(&path, &design);
            kinds.extend(design.nodes.iter().map(|node| node.kind_name()));
        }
    }
    let all: BTreeSet<&str> = NodeKind::NAMES.into_iter().collect();
    assert_eq!(kinds, all, "the fixtures should use every node kind");
}

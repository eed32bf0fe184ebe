//! Same design, same seed, same report — natively and in the browser, bit for bit.
//!
//! This one file is compiled twice by the test command: natively (a plain `#[test]`) and for
//! wasm32, where wasm-bindgen-test runs it inside headless Chromium. Both builds run every
//! bundled example (shortened, with two replications so replication seeds are covered too) and
//! compare each report's `report_fingerprint` (a hash of every number in it) with the same
//! committed file, `tests/fixtures/fingerprints.txt`. If either platform drew a different random
//! number, rounded a float differently or ordered two events differently, its fingerprints would
//! differ from the file.
//!
//! A deliberate change to the engine's results shows up here as a changed fingerprint; after
//! checking that the change is intended, rewrite the file natively with
//! `UPDATE_FINGERPRINTS=1 cargo test -p archsim --test determinism`.

use archsim::persist::templates;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("fixtures/fingerprints.txt");

/// `id fingerprint` for every bundled example, in template order.
fn fingerprints() -> String {
    let mut lines = String::new();
    for template in templates() {
        let mut design = template
            .design()
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", template.id));
        // Short enough for an unoptimised WASM build, long enough to pass warm-up and fill
        // queues; faults are moved inside the run so their paths are compared too.
        design.run.duration_ms = 4_000.0;
        design.run.warmup_ms = 1_000.0;
        design.run.replications = 2;
        for fault in &mut design.faults {
            fault.at_ms = 2_000.0;
            fault.duration_ms = 1_000.0;
        }
        let report = archsim_engine::run(&design, &mut |_| {})
            .unwrap_or_else(|error| panic!("{}: {error}", template.id));
        let fingerprint = archsim_engine::report_fingerprint(&report);
        lines.push_str(&format!("{} {fingerprint:016x}\n", template.id));
    }
    lines
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_example_gives_the_committed_fingerprints() {
    let actual = fingerprints();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("UPDATE_FINGERPRINTS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fingerprints.txt"
        );
        std::fs::write(path, &actual).expect("write tests/fixtures/fingerprints.txt");
        return;
    }
    assert_eq!(
        actual,
        GOLDEN,
        "report fingerprints differ from tests/fixtures/fingerprints.txt on {}; if the engine's \
         results changed on purpose, rewrite the file with \
         `UPDATE_FINGERPRINTS=1 cargo test -p archsim --test determinism`",
        if cfg!(target_arch = "wasm32") {
            "wasm32"
        } else {
            "this native build"
        }
    );
}

//! Browser smoke tests: the app and the design model really run as WebAssembly in Chromium.
//!
//! Run by `scripts/test.sh` as `cargo test -p archsim --target wasm32-unknown-unknown`, which
//! goes through wasm-bindgen-test-runner (see .cargo/config.toml) and a headless Chromium. Natively
//! this file compiles to nothing: these checks only mean something inside a browser.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen_test::*;

mod web_common;

use web_common::{fresh_host, wait_for};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn app_mounts_its_root_element_into_the_page() {
    let host = fresh_host("smoke-app-host");
    let _app = yew::Renderer::<archsim::App>::with_root(host.clone()).render();

    let root = wait_for(&host, "#app", Duration::from_secs(5)).await;
    assert!(
        root.is_some(),
        "the App rendered no #app element; host HTML: {}",
        host.inner_html()
    );
}

#[wasm_bindgen_test]
fn design_json_loads_in_wasm_with_64_bit_seed_intact() {
    // u64::MAX as the seed: in WASM `usize` is 32 bits and JS numbers hold 53 bits, so this guards
    // that the seed travels through the loader as a true u64 (the same seed must give the same
    // run natively and in the browser).
    let json = r#"{
        "version": 1,
        "name": "smoke",
        "nodes": [
            { "id": "users", "kind": "client", "params": {} },
            { "id": "api", "kind": "service", "params": {} }
        ],
        "edges": [ { "id": "e1", "from": "users", "to": "api" } ],
        "run": { "seed": 18446744073709551615, "duration_ms": 1000, "warmup_ms": 100 }
    }"#;
    let design = archsim_model::load_design(json)
        .unwrap_or_else(|problems| panic!("a valid design must load in wasm: {problems:?}"));

    assert_eq!(design.name, "smoke");
    assert_eq!(design.run.seed, u64::MAX);
    assert_eq!(design.run.duration_ms, 1000.0);
    let kinds: Vec<&str> = design.nodes.iter().map(|n| n.kind_name()).collect();
    assert_eq!(kinds, ["client", "service"]);
    assert_eq!(design.outgoing("users").count(), 1);
}

#[wasm_bindgen_test]
fn bad_design_field_is_reported_with_its_path_in_wasm() {
    let json = r#"{ "version": 1, "nodes": [ { "id": "a", "kind": "service", "params": { "workerz": 2 } } ] }"#;
    let problems =
        archsim_model::parse_design(json).expect_err("an unknown parameter must be refused");
    assert!(
        problems
            .iter()
            .any(|p| p.path.starts_with("nodes[0].params") && p.to_string().contains("workerz")),
        "the problem should name nodes[0].params and the bad field: {problems:?}"
    );
}

#[wasm_bindgen_test]
fn random_streams_in_wasm_match_the_native_pins() {
    use archsim_engine::rng::{SimRng, StreamKind};

    // The raw 64-bit draws the engine's native `first_draws_are_pinned` test pins for this
    // derivation. `uniform01` keeps the top 53 bits of each, so equal floats here prove the
    // browser runs the identical random stream (the app does not depend on `rand_core`, whose
    // trait would give the raw draws).
    const NATIVE_PINS: [u64; 3] = [
        18369251734490922985,
        1594210918160816409,
        656734536791176800,
    ];
    let expected: Vec<f64> = NATIVE_PINS
        .iter()
        .map(|raw| (raw >> 11) as f64 / (1u64 << 53) as f64)
        .collect();

    let mut rng = SimRng::derive(1, 0, StreamKind::Source, 0);
    let draws: Vec<f64> = (0..3).map(|_| rng.uniform01()).collect();
    assert_eq!(draws, expected);
}

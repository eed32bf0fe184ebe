//! A wasm32 harness that times the archsim engine, with no JavaScript glue generator: the module
//! exports three plain functions and imports one clock, so node (or a browser) can drive it with
//! nothing but `WebAssembly.instantiate` (see `run.mjs`).
//!
//! Protocol: the host asks for an input buffer of the design's byte length
//! (`bench_input_buffer`), writes the design JSON into it, calls `bench_run`, which returns the
//! byte length of a JSON result, and reads that many bytes at `bench_output_ptr`.
//! The result has the same fields as `archsim bench` prints natively, so the two compare
//! directly: `events`, `customers`, `seconds`, `events_per_second`, `fingerprint`, or `error`.
//!
//! The timed span is `run_replication` alone, as natively; the clock is the host's
//! `performance.now()` because wasm32-unknown-unknown has none of its own.

use std::cell::RefCell;

// The very figures `archsim bench` prints natively, from the one definition.
#[path = "../../../crates/archsim-cli/src/bench_figures.rs"]
mod bench_figures;
use bench_figures::bench_figures;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Resizes the input buffer to `len` bytes and returns where the host should write the design.
#[unsafe(no_mangle)]
pub extern "C" fn bench_input_buffer(len: usize) -> *mut u8 {
    INPUT.with_borrow_mut(|input| {
        input.clear();
        input.resize(len, 0);
        input.as_mut_ptr()
    })
}

/// Runs replication 0 of the design in the input buffer; returns the length of the JSON result.
#[unsafe(no_mangle)]
pub extern "C" fn bench_run() -> usize {
    let result = INPUT.with_borrow(|input| match std::str::from_utf8(input) {
        Ok(text) => bench_design(text, &host_now_ms),
        Err(_) => serde_json::json!({ "error": "the design is not UTF-8" }),
    });
    OUTPUT.with_borrow_mut(|output| {
        *output = result.to_string().into_bytes();
        output.len()
    })
}

/// Where the result of the last `bench_run` is.
#[unsafe(no_mangle)]
pub extern "C" fn bench_output_ptr() -> *const u8 {
    OUTPUT.with_borrow(|output| output.as_ptr())
}

/// Parses `design_json`, times replication 0 with `now_ms`, and returns the figures (or
/// `{"error": …}`) as JSON.
pub fn bench_design(design_json: &str, now_ms: &dyn Fn() -> f64) -> serde_json::Value {
    let design = match archsim_model::parse_design(design_json) {
        Ok(design) => design,
        Err(problems) => {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return serde_json::json!({ "error": lines.join("; ") });
        }
    };
    let started = now_ms();
    let result = match archsim_engine::run_replication(&design, 0, &mut |_| {}) {
        Ok(result) => result,
        Err(error) => return serde_json::json!({ "error": error.message }),
    };
    let seconds = (now_ms() - started) / 1_000.0;
    bench_figures(&design, &result, seconds)
}

#[cfg(target_arch = "wasm32")]
fn host_now_ms() -> f64 {
    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        fn bench_now_ms() -> f64;
    }
    // SAFETY: the host supplies `env.bench_now_ms`, a function of no arguments returning a
    // number; run.mjs passes `performance.now`.
    unsafe { bench_now_ms() }
}

#[cfg(not(target_arch = "wasm32"))]
fn host_now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_design_gives_an_error_field_not_a_panic() {
        let figures = bench_design("{ not json", &|| 0.0);
        assert!(figures.get("error").is_some(), "{figures}");
    }

    #[test]
    fn exported_protocol_round_trips_through_the_buffers() {
        let design = "[]";
        let ptr = bench_input_buffer(design.len());
        // SAFETY: the buffer was just sized to `design.len()` bytes.
        unsafe { std::ptr::copy_nonoverlapping(design.as_ptr(), ptr, design.len()) };
        let len = bench_run();
        // SAFETY: `bench_run` left `len` bytes of output at `bench_output_ptr`.
        let output = unsafe { std::slice::from_raw_parts(bench_output_ptr(), len) };
        let figures: serde_json::Value = serde_json::from_slice(output).unwrap();
        assert!(figures.get("error").is_some(), "{figures}");
    }
}

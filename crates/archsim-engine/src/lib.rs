//! archsim engine: a deterministic discrete-event simulation of archsim designs.
//!
//! (Full crate documentation lands with the simulation core.)

pub mod policy;
pub mod rng;
pub mod time;

use archsim_model::{Design, Report};

/// Why a run could not start (for example, the design is invalid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub message: String,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

/// Raw statistics of one replication; combine several with [`summarize`].
#[derive(Debug, Clone)]
pub struct ReplicationResult {
    events: u64,
}

impl ReplicationResult {
    /// Events processed by this replication.
    pub fn events(&self) -> u64 {
        self.events
    }
}

/// Runs replication `index` (seed derived from `design.run.seed` and `index`). `progress(fraction)`
/// is called now and then (about every 1% of simulated time) with a value in `0..=1`.
/// Deterministic: the same design and index always give the same result.
pub fn run_replication(
    design: &Design,
    index: u32,
    progress: &mut dyn FnMut(f64),
) -> Result<ReplicationResult, EngineError> {
    let _ = (design, index, progress);
    Err(EngineError {
        message: "the simulation core is being written".into(),
    })
}

/// Combines replications into the report: means and 95% confidence half-widths (Student t over
/// replications when there are several; batch means within the run when there is one).
pub fn summarize(design: &Design, results: &[ReplicationResult]) -> Report {
    let _ = results;
    Report {
        design_name: design.name.clone(),
        ..Report::default()
    }
}

/// Runs every replication in order, then [`summarize`]s them.
pub fn run(design: &Design, progress: &mut dyn FnMut(f64)) -> Result<Report, EngineError> {
    let replications = design.run.replications.max(1);
    let mut results = Vec::with_capacity(replications as usize);
    for index in 0..replications {
        let mut scaled = |fraction: f64| {
            progress((index as f64 + fraction) / replications as f64);
        };
        results.push(run_replication(design, index, &mut scaled)?);
    }
    Ok(summarize(design, &results))
}

/// A stable 64-bit fingerprint of every number in a report (FNV-1a over `f64::to_bits` and
/// integers), identical natively and in WASM.
pub fn report_fingerprint(report: &Report) -> u64 {
    let _ = report;
    0
}

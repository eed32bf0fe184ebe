//! Runs a design's replications in parallel and summarizes them.
//!
//! Each replication is deterministic given the design (seed included) and its index, and the
//! results are collected in index order before summarizing, so the report is the same whatever
//! the number of threads and however they interleave.

use std::fmt;

use archsim_engine::EngineError;
use archsim_model::{Design, Report};
use rayon::prelude::*;

use crate::progress::Tracker;

#[derive(Debug)]
pub enum RunFailure {
    /// The thread pool could not be started.
    Threads(String),
    Engine(EngineError),
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunFailure::Threads(message) => write!(f, "cannot start worker threads: {message}"),
            RunFailure::Engine(error) => write!(f, "{error}"),
        }
    }
}

/// Runs every replication of `design` on `threads` threads (0: one per core).
pub fn run_parallel(
    design: &Design,
    threads: usize,
    show_progress: bool,
) -> Result<Report, RunFailure> {
    let replications = design.run.replications.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| RunFailure::Threads(error.to_string()))?;
    let tracker = Tracker::new(replications, show_progress);
    let results = pool.install(|| {
        (0..replications)
            .into_par_iter()
            .map(|index| {
                let mut report_progress = |fraction: f64| tracker.update(index, fraction);
                archsim_engine::run_replication(design, index, &mut report_progress)
            })
            .collect::<Result<Vec<_>, _>>()
    });
    tracker.finish();
    let results = results.map_err(RunFailure::Engine)?;
    Ok(archsim_engine::summarize(design, &results))
}

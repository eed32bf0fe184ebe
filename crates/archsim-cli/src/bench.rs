//! `archsim bench DESIGN.json`: times one replication and prints one JSON line of figures.
//! bench/run.sh drives it; the WASM harness in bench/wasm-bench prints the same fields so the
//! two can be compared (including the report fingerprint, which must match bit for bit).

use std::process::ExitCode;
use std::time::Instant;

use archsim_model::Design;

use crate::args::{BenchArgs, RunOverrides};
use crate::bench_figures::bench_figures;
use crate::exit;
use crate::load;

pub fn bench_command(bench_args: &BenchArgs) -> ExitCode {
    let mut design = match load::load_design(&bench_args.design) {
        Ok(design) => design,
        Err(error) => {
            error.print(&bench_args.design);
            return ExitCode::from(exit::UNUSABLE);
        }
    };
    RunOverrides {
        seed: bench_args.seed,
        duration_ms: bench_args.duration,
        warmup_ms: None,
        replications: Some(1),
    }
    .apply(&mut design);

    loop {
        let figures = match time_one_replication(&design) {
            Ok(figures) => figures,
            Err(message) => {
                eprintln!("archsim: the run failed: {message}");
                return ExitCode::from(exit::ENGINE);
            }
        };
        let seconds = figures["seconds"].as_f64().unwrap_or(0.0);
        if seconds >= bench_args.min_seconds {
            crate::output::print_stdout(&format!("{figures}\n"));
            return ExitCode::from(exit::OK);
        }
        design.run.duration_ms =
            longer_duration(design.run.duration_ms, seconds, bench_args.min_seconds);
    }
}

/// A duration aimed 25% past `min_seconds` of wall time (so noise does not force another try),
/// in whole milliseconds so the WASM harness can be given exactly the same value.
fn longer_duration(duration_ms: f64, took_seconds: f64, min_seconds: f64) -> f64 {
    let factor = (1.25 * min_seconds / took_seconds.max(1e-3)).max(1.5);
    (duration_ms * factor).ceil()
}

/// Runs replication 0 and returns the figures bench/compare.py reads.
fn time_one_replication(design: &Design) -> Result<serde_json::Value, String> {
    let started = Instant::now();
    let result =
        archsim_engine::run_replication(design, 0, &mut |_| {}).map_err(|error| error.message)?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(bench_figures(design, &result, seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_duration_grows_at_least_half_again_and_stays_whole() {
        assert_eq!(longer_duration(1_000.0, 1.9, 2.0), 1_500.0);
        assert_eq!(longer_duration(1_000.0, 0.5, 2.0), 5_000.0);
        assert_eq!(longer_duration(1_000.0, 0.0, 2.0), 2_500_000.0);
        assert_eq!(longer_duration(333.3, 1.0, 1.0), 500.0);
    }
}

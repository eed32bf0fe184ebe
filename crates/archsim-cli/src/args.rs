//! The command line, declared with clap's derive API.

use clap::{Args, Parser, Subcommand};

use archsim_model::Design;

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  validate: the design is not valid (not JSON, wrong shape, or failing a check);
     every problem is printed on stderr as `path: message`
  2  the design file could not be read; run: the design is not valid (problems as
     above); or the command line is wrong
  3  run: the engine stopped with an error";

/// Run archsim designs headless: simulate a system design and print its report.
#[derive(Debug, Parser)]
#[command(name = "archsim", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a design and print its report (a table, or JSON with --json).
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Check a design: print "ok", or every problem with its JSON path.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The design file (JSON), or `-` for standard input.
        design: String,
    },
    /// Print the JSON Schema of the design format.
    Schema,
    /// Time one replication and print machine-readable figures (used by bench/run.sh).
    #[command(hide = true)]
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The design file (JSON), or `-` for standard input.
    pub design: String,
    /// Seed of every random draw (overrides run.seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Simulated time, warm-up included (overrides run.duration_ms). Seconds, or a number with
    /// a unit: 90, 90s, 1.5m, 250ms, 1h.
    #[arg(long, value_name = "S", value_parser = parse_duration_ms, allow_hyphen_values = true)]
    pub duration: Option<f64>,
    /// Warm-up left out of the summary (overrides run.warmup_ms). Seconds, or a number with a
    /// unit, as for --duration.
    #[arg(long, value_name = "S", value_parser = parse_duration_ms, allow_hyphen_values = true)]
    pub warmup: Option<f64>,
    /// Independent replications; two or more give 95% confidence intervals
    /// (overrides run.replications).
    #[arg(long, value_name = "R")]
    pub replications: Option<u32>,
    /// Print the report as JSON (see docs/report-format.md) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Worker threads for replications; 0 uses every core. The report does not depend on it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Never draw the progress bar (it is drawn only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
}

impl RunArgs {
    pub fn overrides(&self) -> RunOverrides {
        RunOverrides {
            seed: self.seed,
            duration_ms: self.duration,
            warmup_ms: self.warmup,
            replications: self.replications,
        }
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The design file (JSON).
    pub design: String,
    /// Simulated time in milliseconds (overrides run.duration_ms).
    #[arg(long, value_name = "MS")]
    pub duration: Option<f64>,
    /// Seed (overrides run.seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Lengthen the simulated duration and run again until one run takes at least this many
    /// seconds of wall time, so start-up costs do not dominate the rate.
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    pub min_seconds: f64,
}

/// A duration on the command line, in milliseconds. A bare number is seconds (what people type
/// for a run's length); `ms`, `s`, `m` and `h` suffixes say otherwise. The sign is kept so that
/// validation reports a negative value by its path, like any other bad run setting.
pub fn parse_duration_ms(text: &str) -> Result<f64, String> {
    archsim_model::units::duration_ms(text, 1_000.0).ok_or_else(|| {
        format!(
            "`{}` is not a duration: write seconds (90) or a number with a unit (90s, 1.5m, 250ms, 1h)",
            text.trim()
        )
    })
}

/// Run settings given on the command line, applied over the design's own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOverrides {
    pub seed: Option<u64>,
    pub duration_ms: Option<f64>,
    pub warmup_ms: Option<f64>,
    pub replications: Option<u32>,
}

impl RunOverrides {
    pub fn apply(&self, design: &mut Design) {
        if let Some(seed) = self.seed {
            design.run.seed = seed;
        }
        if let Some(duration_ms) = self.duration_ms {
            design.run.duration_ms = duration_ms;
        }
        if let Some(warmup_ms) = self.warmup_ms {
            design.run.warmup_ms = warmup_ms;
        }
        if let Some(replications) = self.replications {
            design.run.replications = replications;
        }
    }

    /// After a problem in the run settings: says which of them came from the command line, so
    /// a path like `run.warmup_ms` is not a mystery when the file itself was fine.
    pub fn explain(&self) {
        let given: Vec<&str> = [
            self.seed.map(|_| "--seed → run.seed"),
            self.duration_ms.map(|_| "--duration → run.duration_ms"),
            self.warmup_ms.map(|_| "--warmup → run.warmup_ms"),
            self.replications
                .map(|_| "--replications → run.replications"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !given.is_empty() {
            crate::say!("note: set from the command line: {}", given.join(", "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn overrides_replace_only_the_settings_given() {
        let mut design = Design::default();
        let before = design.run.clone();
        let overrides = RunOverrides {
            seed: Some(42),
            duration_ms: Some(1_500.0),
            ..RunOverrides::default()
        };
        overrides.apply(&mut design);
        assert_eq!(design.run.seed, 42);
        assert_eq!(design.run.duration_ms, 1_500.0);
        assert_eq!(design.run.warmup_ms, before.warmup_ms);
        assert_eq!(design.run.replications, before.replications);
    }

    #[test]
    fn run_flags_parse_into_overrides() {
        let cli = Cli::try_parse_from([
            "archsim",
            "run",
            "d.json",
            "--seed",
            "7",
            "--duration",
            "2",
            "--replications",
            "5",
            "--json",
        ])
        .expect("valid command line");
        let Command::Run(run_args) = cli.command else {
            panic!("expected the run subcommand");
        };
        assert!(run_args.json);
        assert_eq!(
            run_args.overrides(),
            RunOverrides {
                seed: Some(7),
                duration_ms: Some(2_000.0),
                warmup_ms: None,
                replications: Some(5),
            }
        );
    }

    #[test]
    fn durations_are_seconds_unless_a_unit_says_otherwise() {
        assert_eq!(parse_duration_ms("90"), Ok(90_000.0));
        assert_eq!(parse_duration_ms("90s"), Ok(90_000.0));
        assert_eq!(parse_duration_ms("1.5m"), Ok(90_000.0));
        assert_eq!(parse_duration_ms("250ms"), Ok(250.0));
        assert_eq!(parse_duration_ms("1h"), Ok(3_600_000.0));
        assert_eq!(parse_duration_ms("-5"), Ok(-5_000.0));
        for bad in ["", "ten", "5 minutes", "inf", "NaNs"] {
            let error = parse_duration_ms(bad).unwrap_err();
            assert!(error.contains(bad.trim()), "{error}");
        }
    }

    #[test]
    fn negative_seed_is_a_usage_error() {
        assert!(Cli::try_parse_from(["archsim", "run", "d.json", "--seed", "-1"]).is_err());
    }
}

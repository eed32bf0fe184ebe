//! `archsim`: run archsim designs headless, check them, and print the design-format schema.
//!
//! stdout carries only the requested output (the report table, the report JSON, the schema or
//! "ok"), so it can be piped; problems, notices and the progress bar go to stderr.

mod args;
mod bench;
mod bench_figures;
mod load;
mod output;
mod progress;
mod runner;
mod safe_text;
mod table;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, RunArgs};
use load::LoadError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(run_args) => run_command(&run_args),
        Command::Validate { design } => validate_command(&design),
        Command::Schema => schema_command(),
        Command::Bench(bench_args) => bench::bench_command(&bench_args),
    }
}

/// Exit statuses, documented in `archsim --help`.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// `validate`: the design has problems.
    pub const INVALID: u8 = 1;
    /// The design could not be read or is not a runnable design; or the command line is wrong.
    pub const UNUSABLE: u8 = 2;
    /// The engine could not run the design.
    pub const ENGINE: u8 = 3;
}

fn run_command(run_args: &RunArgs) -> ExitCode {
    let mut design = match load::load_design(&run_args.design) {
        Ok(design) => design,
        Err(error) => {
            error.print(&run_args.design);
            return ExitCode::from(exit::UNUSABLE);
        }
    };
    let overrides = run_args.overrides();
    overrides.apply(&mut design);
    // Overrides can make a valid design invalid (say, a duration shorter than the warm-up), so
    // the run settings are checked again with the overrides in place.
    let problems = archsim_model::validate(&design);
    if !problems.is_empty() {
        for problem in &problems {
            crate::say!("{}", load::problem_line(problem));
        }
        overrides.explain();
        crate::say!(
            "archsim: {} with these settings is not a valid design",
            load::display_name(&run_args.design)
        );
        return ExitCode::from(exit::UNUSABLE);
    }

    let show_progress = !run_args.no_progress && progress::stderr_is_terminal();
    let report = match runner::run_parallel(&design, run_args.threads, show_progress) {
        Ok(report) => report,
        Err(error) => {
            crate::say!(
                "archsim: the run failed: {}",
                safe_text::escape(&error.to_string())
            );
            return ExitCode::from(exit::ENGINE);
        }
    };

    let text = if run_args.json {
        if let Some(notice) = table::stop_notice(&report) {
            crate::say!("archsim: {notice}");
        }
        output::report_json(&report)
    } else {
        table::render(&report)
    };
    output::print_stdout(&text);
    ExitCode::from(exit::OK)
}

fn validate_command(path: &str) -> ExitCode {
    match load::load_valid_design(path) {
        Ok(_) => {
            output::print_stdout("ok\n");
            ExitCode::from(exit::OK)
        }
        Err(error @ LoadError::Unreadable { .. }) => {
            error.print(path);
            ExitCode::from(exit::UNUSABLE)
        }
        Err(error) => {
            error.print(path);
            ExitCode::from(exit::INVALID)
        }
    }
}

fn schema_command() -> ExitCode {
    let schema = archsim_model::design_schema();
    let mut text =
        serde_json::to_string_pretty(&schema).expect("a serde_json::Value always serializes");
    text.push('\n');
    output::print_stdout(&text);
    ExitCode::from(exit::OK)
}

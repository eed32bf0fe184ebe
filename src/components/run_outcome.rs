//! What the run bar says once a run is over: how it ended ("Finished: 60 s simulated in 1.4 s ·
//! 12.3% failed · 3 replications", "Stopped at 35 s of 60 s"), kept until the design changes.
//! Plain functions of the report or of where the run stopped, so they are tested natively.

use archsim_model::Report;

use super::results_format::{count, percent, run_end_ms};
use crate::run::controller::Stopped;

/// "1 replication", "3 replications".
fn replications(n: u32) -> String {
    match n {
        1 => "1 replication".to_string(),
        n => format!("{n} replications"),
    }
}

/// Simulated time as a person set it: "60 s", "1,000,000 s", "35.5 s", "800 ms" (the results'
/// three significant digits would say "60.0 s", which reads as a measurement).
fn duration_ms(ms: f64) -> String {
    if ms < 1000.0 {
        return format!("{} ms", count(ms.round()));
    }
    let tenths = (ms / 100.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{} s", count(tenths / 10.0))
    } else {
        format!("{:.1} s", tenths / 10.0)
    }
}

/// Wall-clock seconds as a person reads them off a stopwatch: "0.4 s", "1.4 s", "12 s".
fn wall_seconds(ms: f64) -> String {
    let s = ms.max(0.0) / 1000.0;
    if s < 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.0} s")
    }
}

/// The share of finished requests that failed, in words.
fn failed_share(report: &Report) -> String {
    let o = &report.overall;
    let failed = o.failures.total();
    if o.completed.value <= 0.0 {
        "no request finished after warm-up".to_string()
    } else if failed <= 0.0 {
        "no request failed".to_string()
    } else {
        format!("{} failed", percent(failed / o.completed.value))
    }
}

/// The run bar's line for a run that ended with `report`; `wall_ms` is how long it took on the
/// page's clock (None for a report kept from before a reload: nobody timed it).
pub fn finished(report: &Report, wall_ms: Option<f64>) -> String {
    let took = wall_ms.map_or_else(String::new, |ms| format!(" in {}", wall_seconds(ms)));
    let simulated = match &report.stopped_early {
        None => format!(
            "Finished: {} simulated{took}",
            duration_ms(report.duration_ms)
        ),
        // The report explains why (an event or in-flight budget); the bar says that it did.
        Some(_) => format!(
            "Ended early at {} of {} simulated{took}",
            duration_ms(run_end_ms(report)),
            duration_ms(report.duration_ms)
        ),
    };
    // Most telling first: where the run bar is narrow the end of the line is cut (the whole
    // line is in its tooltip).
    format!(
        "{simulated} · {} · {}",
        failed_share(report),
        replications(report.replications)
    )
}

/// The run bar's line for a run the person stopped.
pub fn stopped(at: &Stopped) -> String {
    let end = at.design.run.duration_ms;
    let where_ = match at.progress {
        Some(p) if p.replications > 1 => format!(
            "Stopped at {} of {} in replication {} of {}",
            duration_ms(at.at_ms()),
            duration_ms(end),
            p.replication + 1,
            p.replications
        ),
        Some(_) => format!(
            "Stopped at {} of {}",
            duration_ms(at.at_ms()),
            duration_ms(end)
        ),
        None => "Stopped before the first results".to_string(),
    };
    format!("{where_} · the partial run was discarded.")
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use archsim_model::{Design, Estimate, StopReason};

    use super::*;
    use crate::run::protocol::RunProgress;

    fn report(completed: f64, errors: f64, replications: u32) -> Report {
        let mut report = Report {
            duration_ms: 60_000.0,
            replications,
            ..Report::default()
        };
        report.overall.completed = Estimate {
            value: completed,
            ci95: None,
        };
        report.overall.failures.error = Estimate {
            value: errors,
            ci95: None,
        };
        report
    }

    #[test]
    fn a_finished_run_says_how_much_it_simulated_how_long_it_took_and_what_failed() {
        assert_eq!(
            finished(&report(1000.0, 123.0, 3), Some(1_400.0)),
            "Finished: 60 s simulated in 1.4 s · 12.3% failed · 3 replications"
        );
        assert_eq!(
            finished(&report(1000.0, 0.0, 1), Some(23_456.0)),
            "Finished: 60 s simulated in 23 s · no request failed · 1 replication"
        );
    }

    #[test]
    fn a_report_from_before_a_reload_has_no_time_taken() {
        assert_eq!(
            finished(&report(0.0, 0.0, 2), None),
            "Finished: 60 s simulated · no request finished after warm-up · 2 replications"
        );
    }

    #[test]
    fn a_run_cut_short_by_a_budget_says_where_it_ended() {
        let mut cut = report(500.0, 50.0, 1);
        cut.stopped_early = Some(StopReason::EventBudget {
            max_events: 1_000,
            at_ms: 35_000.0,
        });
        assert_eq!(
            finished(&cut, Some(800.0)),
            "Ended early at 35 s of 60 s simulated in 0.8 s · 10.0% failed · 1 replication"
        );
    }

    #[test]
    fn simulated_time_reads_as_it_was_set() {
        assert_eq!(duration_ms(60_000.0), "60 s");
        assert_eq!(duration_ms(1_000_000_000.0), "1,000,000 s");
        assert_eq!(duration_ms(35_512.0), "35.5 s");
        assert_eq!(duration_ms(800.0), "800 ms");
        assert_eq!(duration_ms(0.0), "0 ms");
    }

    #[test]
    fn a_stopped_run_says_where_it_stood() {
        let mut design = Design::default();
        design.run.duration_ms = 60_000.0;
        let design = Rc::new(design);
        let at = |replication, replications, fraction| Stopped {
            design: design.clone(),
            progress: Some(RunProgress {
                run_id: 0,
                replication,
                replications,
                fraction,
            }),
        };
        assert_eq!(
            stopped(&at(0, 1, 0.5)),
            "Stopped at 30 s of 60 s · the partial run was discarded."
        );
        assert_eq!(
            stopped(&at(1, 3, 0.25)),
            "Stopped at 15 s of 60 s in replication 2 of 3 · the partial run was discarded."
        );
        assert_eq!(
            stopped(&Stopped {
                design,
                progress: None
            }),
            "Stopped before the first results · the partial run was discarded."
        );
    }
}

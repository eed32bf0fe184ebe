//! The faults section: one line per fault of the design's timeline, saying when, what, where
//! and what it did ("20–30 s  partition  api → db  1,204 requests vanished").

use std::fmt::Write;

use archsim_model::{FaultReport, Report};

use super::format::{Align, columns, number, with_ci};

/// The section, when the design has faults.
pub(super) fn faults(out: &mut String, report: &Report) {
    if report.faults.is_empty() {
        return;
    }
    let over = if report.replications > 1 {
        "over the whole run, means over replications"
    } else {
        "over the whole run"
    };
    let _ = writeln!(out, "\nFaults on the timeline (what each did, {over})");
    let rows: Vec<Vec<String>> = report
        .faults
        .iter()
        .map(|fault| row(fault, report.duration_ms))
        .collect();
    out.push_str(&columns(
        &rows,
        &[Align::Right, Align::Left, Align::Left, Align::Left],
        "  ",
    ));
}

fn row(fault: &FaultReport, duration_ms: f64) -> Vec<String> {
    let did = if fault.happened(duration_ms) {
        fault.outcome(with_ci, |ms| format!("{} ms", with_ci(ms)))
    } else {
        "nothing: it starts after the end of the run".into()
    };
    vec![
        window(fault),
        fault.what(number, |ms| format!("{} ms", number(ms))),
        fault.place(),
        did,
    ]
}

/// "20–30 s", or "3 s" for an instant.
pub(super) fn window(fault: &FaultReport) -> String {
    let s = |ms: f64| number(ms / 1000.0);
    if fault.end_ms > fault.start_ms {
        format!("{}–{} s", s(fault.start_ms), s(fault.end_ms))
    } else {
        format!("{} s", s(fault.start_ms))
    }
}

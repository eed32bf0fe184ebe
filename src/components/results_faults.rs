//! The results' fault table: one row per fault of the design's timeline, saying when, what,
//! where and what it did, in the words of the CLI's table (the model's `FaultReport` words
//! both). The charts keep shading and labelling the fault windows (`charts::spec`).

use std::rc::Rc;

use archsim_model::{Estimate, FaultReport, Report};
use yew::prelude::*;

use super::results_format::{count, count_estimate, estimate};
use crate::run::controller::same;

#[derive(Properties)]
pub struct FaultTableProps {
    pub report: Rc<Report>,
}

impl PartialEq for FaultTableProps {
    fn eq(&self, other: &Self) -> bool {
        same(&self.report, &other.report)
    }
}

/// The table, when the design has faults.
#[function_component(FaultTable)]
pub fn fault_table(props: &FaultTableProps) -> Html {
    let report = &props.report;
    if report.faults.is_empty() {
        return Html::default();
    }
    let over = if report.replications > 1 {
        "over the whole run, means over replications"
    } else {
        "over the whole run, warm-up included"
    };
    html! {
        <div class="results-table-wrap" tabindex="0" role="region" aria-label="Faults table">
            <table class="results-table" id="results-faults">
                <caption>{ format!("Faults on the timeline: what each did ({over})") }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "When" }</th>
                        <th scope="col">{ "Fault" }</th>
                        <th scope="col">{ "Where" }</th>
                        <th scope="col">{ "What it did" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for report.faults.iter().map(|fault| row(fault, report.duration_ms)) }
                </tbody>
            </table>
        </div>
    }
}

fn row(fault: &FaultReport, run_ms: f64) -> Html {
    let did = if fault.happened(run_ms) {
        fault.outcome(with_interval, |e| match estimate(e) {
            (value, Some(ci)) => format!("{value} ms {ci}"),
            (value, None) => format!("{value} ms"),
        })
    } else {
        "Nothing: it starts after the end of the run".to_string()
    };
    html! {
        <tr data-fault-index={fault.index.to_string()} data-kind={fault.kind.clone()}>
            <td data-col="when" class="text">{ window(fault) }</td>
            <td data-col="fault" class="text">{ fault.what(count, |ms| format!("{} ms", trimmed(ms))) }</td>
            <th scope="row" data-col="where">{ fault.place() }</th>
            <td data-col="did" class="prose">{ did }</td>
        </tr>
    }
}

/// A count with its interval when there is one: "1,204 ± 35".
fn with_interval(e: Estimate) -> String {
    match count_estimate(e) {
        (value, Some(ci)) => format!("{value} {ci}"),
        (value, None) => value,
    }
}

/// "20–30 s", "0.5–2 s", or one instant ("3 s"): times on the timeline as the design sets
/// them, so without padding decimals.
fn window(fault: &FaultReport) -> String {
    let (start, end) = (fault.start_ms, fault.end_ms);
    if end <= start {
        format!("{} s", trimmed(start / 1000.0))
    } else {
        format!("{}–{} s", trimmed(start / 1000.0), trimmed(end / 1000.0))
    }
}

/// A parameter as written: at most 3 decimals, no trailing zeros ("1.5", "20").
fn trimmed(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::FaultFigures;
    use archsim_model::design::FaultEffect;

    fn fault(start_ms: f64, end_ms: f64) -> FaultReport {
        FaultReport {
            index: 0,
            kind: "partition".into(),
            effect: FaultEffect::Partition,
            target: "e".into(),
            edge: None,
            start_ms,
            end_ms,
            figures: FaultFigures::default(),
        }
    }

    #[test]
    fn windows_read_as_a_span_of_seconds_or_an_instant() {
        assert_eq!(window(&fault(20_000.0, 30_000.0)), "20–30 s");
        assert_eq!(window(&fault(0.0, 1_500.0)), "0–1.5 s");
        assert_eq!(window(&fault(500.0, 2_000.0)), "0.5–2 s");
        assert_eq!(window(&fault(3_000.0, 3_000.0)), "3 s");
    }

    #[test]
    fn counts_show_their_interval_when_there_is_one() {
        assert_eq!(with_interval(Estimate::exact(1_204.0)), "1,204");
        assert_eq!(
            with_interval(Estimate {
                value: 1_204.0,
                ci95: Some(35.0)
            }),
            "1,204 ± 35"
        );
    }
}

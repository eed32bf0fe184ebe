//! The run bar (Run / Pause / Reset) and the results area under the canvas.
//!
//! Running a simulation from the browser is not part of this version: the buttons stay
//! disabled and say so, rather than pretending to run. What the bar does already is tell the
//! person whether the design could run, and if not, why.

use std::rc::Rc;

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RunBarProps {
    /// Why the design cannot run, one sentence each; empty when it could.
    pub blockers: Rc<Vec<String>>,
}

/// The tooltip of the disabled run buttons when the design itself is fine.
pub const RUNS_LATER: &str = "Runs arrive in a later version of archsim; the design is ready.";

#[function_component(RunBar)]
pub fn run_bar(props: &RunBarProps) -> Html {
    let (status_class, status, tooltip) = match props.blockers.first() {
        Some(first) => {
            let more = props.blockers.len() - 1;
            let text = if more == 0 {
                format!("Can't run yet: {first}")
            } else {
                format!("Can't run yet: {first} (+{more} more)")
            };
            (
                "is-blocked",
                text,
                format!("Fix first:\n• {}", props.blockers.join("\n• ")),
            )
        }
        None => (
            "is-ready",
            "The design is valid. Runs arrive in a later version.".to_string(),
            RUNS_LATER.to_string(),
        ),
    };
    html! {
        <div id="run-bar" role="toolbar" aria-label="Run">
            <div class="run-buttons">
                <button type="button" class="tool-button primary" id="run-button" disabled={true}
                        title={tooltip.clone()}>
                    <svg width="14" height="14" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
                        <path d="M7 4l13 8-13 8z" />
                    </svg>
                    { "Run" }
                </button>
                <button type="button" class="tool-button" id="pause-button" disabled={true}
                        title={tooltip.clone()}>{ "Pause" }</button>
                <button type="button" class="tool-button" id="reset-button" disabled={true}
                        title={tooltip.clone()}>{ "Reset" }</button>
            </div>
            <span class={classes!("run-status", status_class)} id="run-status" title={tooltip}>
                { status }
            </span>
            <span class="run-bar-spacer" />
        </div>
    }
}

#[function_component(Results)]
pub fn results() -> Html {
    html! {
        <section id="results" aria-label="Results">
            <h2 class="results-title">{ "Results" }</h2>
            <p class="results-empty">
                { "No results yet. When runs arrive, throughput, latency percentiles, failures by \
                   cause and utilisation per node will appear here." }
            </p>
        </section>
    }
}

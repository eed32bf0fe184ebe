//! The run bar (Run / Pause·Resume / Stop / Reset, status and progress) and, under it, the
//! results of the last run.
//!
//! Runs go to a Web Worker ([`crate::run`]) so the page never freezes. Run is enabled only when
//! the design can run (otherwise the bar says why). Pause holds the run where it is (the worker
//! keeps it) and Resume continues it, with the same report as an unpaused run; Stop discards the
//! partial run, and says so. The last report stays on screen until a new run replaces it or Reset clears it; when the
//! design in the editor no longer matches the one the report was run on, the results say they
//! are from an earlier version of the design.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::results::Results;
use super::splitter::{
    PanelLayout, Splitter, available_height, load_layout, save_layout, use_window_resize,
};
use crate::persist::{self, autosave::ReportSaved};
use crate::run::client::{RunWorker, WorkerEvent};
use crate::run::protocol::{FromWorker, Pace};
use crate::run::staleness::same_simulation;
use crate::run::{PauseState, RunAction, RunMessage, RunState, ToWorker};
use crate::state::{Blocker, EditorState};

#[derive(Properties, PartialEq)]
pub struct RunPanelProps {
    pub editor: UseReducerHandle<EditorState>,
    /// The run's state (the app holds it: the canvas shows the run too).
    pub run: UseReducerHandle<RunState>,
    /// Why the design cannot run, one sentence each; empty when it can.
    pub blockers: Rc<Vec<Blocker>>,
    /// The design has no node yet: nothing is wrong, there is just nothing to run, so the
    /// page greets rather than lists what is missing.
    #[prop_or_default]
    pub fresh: bool,
    /// The moment of the run the person points at (ms of simulated time), if any.
    #[prop_or_default]
    pub cursor_ms: Option<f64>,
    /// Moves (or with None drops) the time cursor.
    #[prop_or_default]
    pub on_cursor: Callback<Option<f64>>,
    /// What the canvas shows of the run, in words ("Live · 12 s", "Whole run").
    #[prop_or_default]
    pub showing: Option<AttrValue>,
}

/// The run bar and the results area, with the run's state and its worker.
#[function_component(RunPanel)]
pub fn run_panel(props: &RunPanelProps) -> Html {
    let run = props.run.clone();
    let worker: Rc<RefCell<Option<RunWorker>>> = use_mut_ref(|| None);
    // Why the report on screen is not kept across a reload, when it is not.
    let not_kept = use_state(|| None::<String>);
    {
        // Keep each new report (and forget it on Reset); the restored one is already kept.
        let not_kept = not_kept.clone();
        let kept = use_mut_ref(|| run.result.as_ref().map(|r| Rc::as_ptr(&r.report)));
        // Writing a report down is a task of its own, after the one that shows it: for a big
        // design each costs tens of milliseconds, and together they would hold the page.
        let saving = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
        let result = run.result.clone();
        let worker = worker.clone();
        use_effect_with(result.as_ref().map(|r| Rc::as_ptr(&r.report)), move |now| {
            if *kept.borrow() != *now {
                *kept.borrow_mut() = *now;
                match result {
                    Some(r) => {
                        // The worker wrote the text to keep; a report from elsewhere is written
                        // here.
                        let kept = r
                            .run_id
                            .and_then(|id| worker.borrow().as_ref().and_then(|w| w.take_kept(id)));
                        let write = move || {
                            let saved = match kept {
                                Some(kept) => persist::autosave::save_report_text_local(kept),
                                None => persist::autosave::save_report_local(&r.design, &r.report),
                            };
                            match saved {
                                ReportSaved::Saved => not_kept.set(None),
                                ReportSaved::Skipped(reason) => not_kept.set(Some(reason)),
                            }
                        };
                        *saving.borrow_mut() = Some(gloo_timers::callback::Timeout::new(0, write));
                    }
                    None => {
                        saving.borrow_mut().take();
                        persist::autosave::clear_report_local();
                        not_kept.set(None);
                    }
                }
            }
        });
    }
    // The charts' colours are read from the page's style once, now, while nothing is pending
    // to restyle (read during a live update, they would make the browser restyle at once).
    use_effect_with((), |_| {
        crate::charts::canvas::theme();
    });
    // Set when the worker breaks, so the next run starts a fresh one.
    let worker_broke: Rc<RefCell<bool>> = use_mut_ref(|| false);
    // When the last run started and ended on the page's clock, for the run bar's "Finished:
    // 60 s simulated in 1.4 s" (the engine never reads a clock; the page may).
    let timing: Rc<RefCell<RunTiming>> = use_mut_ref(RunTiming::default);

    // Leaving the page (or unmounting the panel) ends any run under way.
    {
        let worker = worker.clone();
        use_effect_with((), move |_| move || drop(worker.borrow_mut().take()));
    }
    // A run that ends on the page without its report (Stop, or another design loaded) is
    // dropped by the worker too, so it stops spending the machine's time. A run that finished
    // is already gone from the worker, which ignores the message.
    {
        let worker = worker.clone();
        let last_active = use_mut_ref(|| None::<u32>);
        let active = run.active.as_ref().map(|a| a.run_id);
        use_effect_with(active, move |now| {
            let previous = last_active.replace(*now);
            if let Some(previous) = previous.filter(|p| *now != Some(*p))
                && let Some(spawned) = worker.borrow().as_ref()
            {
                spawned.send(&ToWorker::Stop { run_id: previous });
            }
        });
    }

    let on_run = {
        let run = run.clone();
        let worker = worker.clone();
        let worker_broke = worker_broke.clone();
        let timing = timing.clone();
        let editor = props.editor.clone();
        let blocked = !props.blockers.is_empty();
        Callback::from(move |_: MouseEvent| {
            if blocked || run.is_running() {
                return;
            }
            let design = Rc::new(editor.design.clone());
            let run_id = run.next_run_id;
            let mut slot = worker.borrow_mut();
            if std::mem::take(&mut *worker_broke.borrow_mut()) {
                slot.take();
            }
            *timing.borrow_mut() = RunTiming {
                run_id,
                started_ms: now_ms(),
                finished_ms: None,
            };
            if slot.is_none() {
                let dispatcher = run.dispatcher();
                let worker_broke = worker_broke.clone();
                let timing = timing.clone();
                let on_event: Rc<dyn Fn(WorkerEvent)> = Rc::new(move |event| match event {
                    WorkerEvent::Reply(reply) => {
                        if let FromWorker::Finished { run_id, .. } = &reply {
                            let mut timing = timing.borrow_mut();
                            if timing.run_id == *run_id {
                                timing.finished_ms = Some(now_ms());
                            }
                        }
                        dispatcher.dispatch(RunAction::Reply(reply))
                    }
                    WorkerEvent::Live { run_id, series } => {
                        dispatcher.dispatch(RunAction::Live { run_id, series })
                    }
                    WorkerEvent::Broke(message) => {
                        *worker_broke.borrow_mut() = true;
                        dispatcher.dispatch(RunAction::WorkerBroke { message });
                    }
                });
                match RunWorker::spawn(on_event) {
                    Ok(spawned) => *slot = Some(spawned),
                    Err(message) => {
                        run.dispatch(RunAction::Started {
                            run_id,
                            design,
                            replications: 1,
                        });
                        run.dispatch(RunAction::WorkerBroke { message });
                        return;
                    }
                }
            }
            let design_json = archsim_model::json::to_compact(&*design);
            if let Some(spawned) = slot.as_ref() {
                spawned.send(&ToWorker::Start {
                    run_id,
                    design_json,
                    pace: run.pace,
                });
            }
            run.dispatch(RunAction::Started {
                run_id,
                replications: design.run.replications.max(1),
                design,
            });
        })
    };
    // Pause, Resume and Stop go to the worker under the run's id; a run that ended meanwhile
    // makes the worker ignore them.
    let send_to_run = {
        let run = run.clone();
        let worker = worker.clone();
        move |message: fn(u32) -> ToWorker, action: RunAction| {
            let Some(run_id) = run.active.as_ref().map(|a| a.run_id) else {
                return;
            };
            if let Some(spawned) = worker.borrow().as_ref() {
                spawned.send(&message(run_id));
            }
            run.dispatch(action);
        }
    };
    let on_pause_resume = {
        let run = run.clone();
        let send_to_run = send_to_run.clone();
        Callback::from(move |_: MouseEvent| match run.pause_state() {
            Some(PauseState::Running) => {
                send_to_run(|run_id| ToWorker::Pause { run_id }, RunAction::Pause)
            }
            Some(PauseState::Pausing | PauseState::Paused) => {
                send_to_run(|run_id| ToWorker::Resume { run_id }, RunAction::Resume)
            }
            None => {}
        })
    };
    let on_step = {
        let send_to_run = send_to_run.clone();
        let run = run.clone();
        Callback::from(move |_: MouseEvent| {
            if run.pause_state() == Some(PauseState::Paused) {
                send_to_run(|run_id| ToWorker::Step { run_id }, RunAction::Step)
            }
        })
    };
    let on_pace = {
        let run = run.clone();
        let worker = worker.clone();
        Callback::from(move |pace: Pace| {
            if let (Some(active), Some(spawned)) = (run.active.as_ref(), worker.borrow().as_ref()) {
                spawned.send(&ToWorker::SetPace {
                    run_id: active.run_id,
                    pace,
                });
            }
            run.dispatch(RunAction::SetPace(pace));
        })
    };
    let on_stop = Callback::from(move |_: MouseEvent| {
        send_to_run(|run_id| ToWorker::Stop { run_id }, RunAction::Stop)
    });
    let on_reset = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run.dispatch(RunAction::Reset))
    };

    let stale = {
        let run = run.clone();
        let editor = props.editor.clone();
        use_memo(
            (
                editor.revision,
                run.result.as_ref().map(|r| Rc::as_ptr(&r.report)),
            ),
            move |_| {
                run.result
                    .as_ref()
                    .is_some_and(|r| !same_simulation(&r.design, &editor.design))
            },
        )
    };

    // How the last run ended, while it is of the design on screen: once the design changes,
    // the bar says "Ready to run." again.
    let outcome = {
        let stopped_design = match &run.message {
            Some(RunMessage::Stopped(at)) => Some(at.design.clone()),
            _ => None,
        };
        let stopped_stale = {
            let editor = props.editor.clone();
            use_memo(
                (
                    editor.revision,
                    stopped_design.as_ref().map(|d| Rc::as_ptr(d) as usize),
                ),
                move |_| {
                    stopped_design
                        .as_ref()
                        .is_some_and(|d| !same_simulation(d, &editor.design))
                },
            )
        };
        match (&run.message, &run.result) {
            (Some(RunMessage::Stopped(at)), _) if !*stopped_stale => {
                Some(AttrValue::from(super::run_outcome::stopped(at)))
            }
            (Some(RunMessage::Stopped(_)), _) | (Some(RunMessage::Failed(_)), _) => None,
            (None, Some(result)) if !*stale => {
                let timing = timing.borrow();
                let wall_ms = timing
                    .finished_ms
                    .filter(|_| result.run_id == Some(timing.run_id))
                    .map(|end| end - timing.started_ms);
                Some(AttrValue::from(super::run_outcome::finished(
                    &result.report,
                    wall_ms,
                )))
            }
            (None, _) => None,
        }
    };

    // The results panel's size: remembered, and the same with or without results, so the
    // canvas keeps its size (and zoom) when a run ends.
    let layout = use_state_eq(load_layout);
    let available = use_state_eq(|| 800.0_f64);
    {
        let available = available.clone();
        use_effect_with((), move |_| available.set(available_height()));
    }
    {
        let available = available.clone();
        use_window_resize(Callback::from(move |_| available.set(available_height())));
    }
    let on_layout = {
        let layout = layout.clone();
        Callback::from(move |next: PanelLayout| {
            save_layout(next);
            layout.set(next);
        })
    };
    let on_toggle_results = {
        let layout = layout.clone();
        let on_layout = on_layout.clone();
        Callback::from(move |_: MouseEvent| {
            on_layout.emit(PanelLayout {
                collapsed: !layout.collapsed,
                ..*layout
            })
        })
    };
    let panel_height = layout.panel_height(*available);

    html! {
        <>
            <Splitter layout={*layout} panel_height={panel_height} on_change={on_layout} />
            <RunBar run={run.clone()} blockers={props.blockers.clone()} fresh={props.fresh} outcome={outcome} on_run={on_run}
                on_pause_resume={on_pause_resume} on_step={on_step} on_stop={on_stop}
                on_reset={on_reset} on_pace={on_pace} results_collapsed={layout.collapsed}
                on_toggle_results={on_toggle_results} />
            <div id="results-panel" class={classes!("results-panel", layout.collapsed.then_some("is-collapsed"))}
                 style={format!("height: {panel_height:.0}px")} hidden={layout.collapsed}>
                <Timeline run={run.clone()} cursor_ms={props.cursor_ms} on_cursor={props.on_cursor.clone()}
                    showing={props.showing.clone()} />
                <Results run={run.clone()} stale={*stale} blockers={props.blockers.clone()} fresh={props.fresh}
                    not_kept={(*not_kept).clone()} cursor_ms={props.cursor_ms}
                    on_cursor={props.on_cursor.clone()} />
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct RunBarProps {
    pub run: UseReducerHandle<RunState>,
    pub blockers: Rc<Vec<Blocker>>,
    /// The design has no node yet (see [`RunPanelProps::fresh`]).
    #[prop_or_default]
    pub fresh: bool,
    /// How the last run ended, while the design on screen is the one it ran ("Finished: …",
    /// "Stopped at …"); None says "Ready to run.".
    #[prop_or_default]
    pub outcome: Option<AttrValue>,
    pub on_run: Callback<MouseEvent>,
    pub on_pause_resume: Callback<MouseEvent>,
    pub on_step: Callback<MouseEvent>,
    pub on_stop: Callback<MouseEvent>,
    pub on_reset: Callback<MouseEvent>,
    pub on_pace: Callback<Pace>,
    /// The results panel is collapsed.
    pub results_collapsed: bool,
    pub on_toggle_results: Callback<MouseEvent>,
}

/// The speeds offered: (value of the option, words, pace).
const PACES: [(&str, &str, Pace); 4] = [
    ("fastest", "Fastest", Pace::Fastest),
    ("1", "1×", Pace::Times(1.0)),
    ("10", "10×", Pace::Times(10.0)),
    ("100", "100×", Pace::Times(100.0)),
];

/// The option of the speed drop-down that stands for `pace` (the nearest offered multiple).
fn pace_option(pace: Pace) -> &'static str {
    match pace.multiple() {
        None => "fastest",
        Some(m) => PACES
            .iter()
            .filter_map(|(value, _, p)| p.multiple().map(|pm| (value, (pm.ln() - m.ln()).abs())))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or("fastest", |(value, _)| value),
    }
}

#[function_component(RunBar)]
pub fn run_bar(props: &RunBarProps) -> Html {
    let run = &props.run;
    let running = run.is_running();
    let pause = run.pause_state();
    let (status_class, status, tooltip) = if let Some(active) = &run.active {
        let overall = active.progress.map_or(0.0, |p| p.overall());
        match active.pause {
            PauseState::Paused => (
                "is-paused",
                format!("Paused at {} — Resume or Stop", percent(overall)),
                "The run is held where it is; Resume continues it with the same results as \
                 an unpaused run."
                    .to_string(),
            ),
            PauseState::Pausing => (
                "is-running",
                format!("Pausing at {}…", percent(overall)),
                "The run pauses at the end of its current slice of events.".to_string(),
            ),
            PauseState::Running => {
                let text = match active.progress {
                    None => "Starting the simulation…".to_string(),
                    Some(p) if p.replications > 1 => format!(
                        "Running replication {} of {} · {}",
                        p.replication + 1,
                        p.replications,
                        percent(overall)
                    ),
                    Some(_) => format!("Running · {}", percent(overall)),
                };
                (
                    "is-running",
                    text,
                    "The simulation runs in the background; the editor stays usable.".to_string(),
                )
            }
        }
    } else if props.fresh && run.message.is_none() {
        (
            "is-empty",
            "Add a client and what it calls, or start from a template.".to_string(),
            "Run simulates the design once it has a client connected to something.".to_string(),
        )
    } else if let Some(first) = props.blockers.first() {
        let more = props.blockers.len() - 1;
        let text = if more == 0 {
            format!("Can't run yet: {first}")
        } else {
            format!("Can't run yet: {first} (+{more} more)")
        };
        (
            "is-blocked",
            text,
            format!(
                "Fix first:\n• {}",
                props
                    .blockers
                    .iter()
                    .map(|b| b.sentence.as_str())
                    .collect::<Vec<_>>()
                    .join("\n• ")
            ),
        )
    } else {
        match &run.message {
            Some(RunMessage::Failed(reason)) => (
                "is-failed",
                format!("The run failed: {reason}"),
                reason.clone(),
            ),
            Some(RunMessage::Stopped(_)) if props.outcome.is_some() => {
                let outcome = props.outcome.as_deref().unwrap_or_default();
                (
                    "is-ready is-stopped",
                    outcome.to_string(),
                    format!(
                        "{outcome}\nStop ends the run; Run starts again from the beginning \
                         (Pause keeps it)."
                    ),
                )
            }
            _ => match &props.outcome {
                Some(outcome) => (
                    "is-ready is-finished",
                    outcome.to_string(),
                    // The whole line: a narrow run bar cuts its end.
                    format!("{outcome}\nThe results are below; Run simulates the design again."),
                ),
                None => (
                    "is-ready",
                    "Ready to run.".to_string(),
                    "Run simulates the design in the background.".to_string(),
                ),
            },
        }
    };
    let progress = run
        .active
        .as_ref()
        .map(|a| a.progress.map_or(0.0, |p| p.overall()));
    let (pause_label, pause_title) = match pause {
        Some(PauseState::Pausing | PauseState::Paused) => {
            ("Resume", "Continue the run where it paused")
        }
        _ => ("Pause", "Hold the run where it is (Resume continues it)"),
    };
    let can_run = props.blockers.is_empty() && !running;
    let can_step = pause == Some(PauseState::Paused);
    // How many buckets of the live series the page holds (for tests and tools to watch).
    let live_buckets = run
        .active
        .as_ref()
        .and_then(|a| a.live.as_ref())
        .map_or(0, |l| l.len())
        .to_string();
    let selected_pace = pace_option(run.pace);
    let on_pace_change = {
        let on_pace = props.on_pace.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let value = select.value();
            if let Some((_, _, pace)) = PACES.iter().find(|(v, _, _)| *v == value) {
                on_pace.emit(*pace);
            }
        })
    };
    let can_reset = !running && (run.result.is_some() || run.message.is_some());
    html! {
        <div id="run-bar" role="toolbar" aria-label="Run" data-live-buckets={live_buckets}>
            <div class="run-buttons">
                <button type="button" class="tool-button primary" id="run-button" disabled={!can_run}
                        title={if can_run { "Run the simulation".to_string() } else { tooltip.clone() }}
                        onclick={props.on_run.clone()}>
                    <svg width="14" height="14" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
                        <path d="M7 4l13 8-13 8z" />
                    </svg>
                    { "Run" }
                </button>
                <button type="button" class="tool-button" id="pause-button" disabled={!running}
                        title={pause_title} aria-label={pause_label} aria-pressed={if pause.is_some_and(|p| p != PauseState::Running) { "true" } else { "false" }}
                        onclick={props.on_pause_resume.clone()}>
                    <svg width="12" height="12" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
                        if pause_label == "Resume" {
                            <path d="M7 4l13 8-13 8z" />
                        } else {
                            <rect x="5" y="4" width="5" height="16" rx="1" />
                            <rect x="14" y="4" width="5" height="16" rx="1" />
                        }
                    </svg>
                    <span class="run-label">{ pause_label }</span>
                </button>
                <button type="button" class="tool-button" id="step-button" disabled={!can_step} aria-label="Step"
                        title="Advance the paused run by one time-series bucket"
                        onclick={props.on_step.clone()}>
                    <svg width="12" height="12" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
                        <path d="M5 4l11 8-11 8z" />
                        <rect x="17" y="4" width="3" height="16" rx="1" />
                    </svg>
                    <span class="run-label">{ "Step" }</span>
                </button>
                <button type="button" class="tool-button" id="stop-button" disabled={!running} aria-label="Stop"
                        title="Stop the run and discard its partial results"
                        onclick={props.on_stop.clone()}>
                    <svg width="12" height="12" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
                        <rect x="5" y="5" width="14" height="14" rx="2" />
                    </svg>
                    <span class="run-label">{ "Stop" }</span>
                </button>
                <button type="button" class="tool-button" id="reset-button" disabled={!can_reset}
                        title="Clear the results" aria-label="Reset" onclick={props.on_reset.clone()}>
                    <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor"
                         stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
                        <path d="M4 12a8 8 0 1 0 2.5-5.8" />
                        <path d="M4 4v4.5h4.5" />
                    </svg>
                    <span class="run-label">{ "Reset" }</span>
                </button>
            </div>
            <label class="run-speed" title="How fast the run goes: as fast as possible, or 1×, 10× or 100× real time, to watch the first replication unfold (further replications, for confidence intervals, run at full speed)">
                <span class="run-speed-label">{ "Speed" }</span>
                <select id="run-speed" class="field-input" onchange={on_pace_change}>
                    { for PACES.iter().map(|(value, words, _)| html! {
                        <option value={*value} selected={*value == selected_pace}>{ *words }</option>
                    }) }
                </select>
            </label>
            <span class={classes!("run-status", status_class)} id="run-status" title={tooltip}
                  role="status" aria-live="polite">
                { status }
            </span>
            // Where the bar breaks into two rows when it is narrow (static/style.css): the
            // status and the progress get a whole row rather than being cut.
            <span class="run-bar-break" aria-hidden="true" />
            if let Some(fraction) = progress {
                <div class={classes!("run-progress", (pause == Some(PauseState::Paused)).then_some("is-paused"))} id="run-progress" role="progressbar" aria-valuemin="0"
                     aria-valuemax="100" aria-valuenow={format!("{:.0}", fraction * 100.0)}>
                    <div class="run-progress-fill" style={format!("width: {:.1}%", fraction * 100.0)} />
                </div>
            }
            <span class="run-bar-spacer" />
            <button type="button" class="tool-button" id="results-toggle"
                    aria-expanded={(!props.results_collapsed).to_string()} aria-controls="results-panel"
                    title={if props.results_collapsed { "Show the results panel" } else { "Hide the results panel (the canvas gets its room)" }}
                    onclick={props.on_toggle_results.clone()}>
                { if props.results_collapsed { "Results ▴" } else { "Results ▾" } }
            </button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub run: UseReducerHandle<RunState>,
    pub cursor_ms: Option<f64>,
    pub on_cursor: Callback<Option<f64>>,
    pub showing: Option<AttrValue>,
}

/// The span of simulated time a scrubber covers and its step: (end ms, bucket ms), from the
/// live series of a paused run or the report of a finished one. None while a run moves (the
/// canvas is live then) or when there is no series.
fn scrub_span(run: &RunState) -> Option<(f64, f64)> {
    if let Some(active) = &run.active {
        if active.pause != PauseState::Paused {
            return None;
        }
        let live = active.live.as_ref().filter(|l| !l.is_empty())?;
        let series = live.series();
        let end = series.t_ms.last().copied().unwrap_or(0.0) + series.bucket_ms;
        return Some((end.min(active.design.run.duration_ms), series.bucket_ms));
    }
    let report = &run.result.as_ref()?.report;
    (!report.series.is_empty()).then(|| {
        (
            super::results_format::run_end_ms(report),
            report.series.bucket_ms,
        )
    })
}

/// The time cursor: what moment of the run the canvas shows, and a scrubber to choose it (while
/// paused and after a run). Keyboard: the slider's arrows move a bucket, Home/End jump; the
/// button goes back to the live picture or the whole run.
#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let span = scrub_span(&props.run);
    let on_input = {
        let on_cursor = props.on_cursor.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            if let Ok(value) = input.value().parse::<f64>() {
                on_cursor.emit(Some(value));
            }
        })
    };
    let clear = {
        let on_cursor = props.on_cursor.clone();
        Callback::from(move |_: MouseEvent| on_cursor.emit(None))
    };
    let back_to = if props.run.is_running() {
        "Latest"
    } else {
        "Whole run"
    };
    html! {
        <div id="run-timeline" class="run-timeline" role="group" aria-label="Time cursor">
            <span class="run-timeline-showing" id="canvas-showing">
                { "Canvas shows: " }
                <strong>{ props.showing.clone().unwrap_or_else(|| {
                    if props.run.is_running() { "the design (waiting for the first results)".into() } else { "the design (no run)".into() }
                }) }</strong>
            </span>
            if let Some((end, step)) = span {
                <input type="range" id="time-cursor" class="run-timeline-range" min="0"
                       max={format!("{:.3}", (end - step).max(0.0))} step={format!("{step}")}
                       value={format!("{:.3}", props.cursor_ms.unwrap_or(end - step).clamp(0.0, end))}
                       aria-label="Simulated time shown on the canvas"
                       aria-valuetext={props.cursor_ms.map_or_else(|| back_to.to_string(), |t| format!("{:.1} s", t / 1_000.0))}
                       oninput={on_input} />
                <button type="button" class="tool-button" id="time-cursor-clear"
                        disabled={props.cursor_ms.is_none()} onclick={clear}
                        title="Drop the time cursor">{ back_to }</button>
            }
        </div>
    }
}

/// When the last run started and finished, in ms of the page's clock.
#[derive(Debug, Default)]
struct RunTiming {
    run_id: u32,
    started_ms: f64,
    finished_ms: Option<f64>,
}

/// The page's monotonic clock, ms.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// A whole percentage ("37%"), never "100%" before the run has ended.
fn percent(fraction: f64) -> String {
    let whole = (fraction.clamp(0.0, 1.0) * 100.0).floor();
    format!("{whole:.0}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_speed_drop_down_shows_the_nearest_offered_pace() {
        assert_eq!(pace_option(Pace::Fastest), "fastest");
        assert_eq!(pace_option(Pace::Times(1.0)), "1");
        assert_eq!(pace_option(Pace::Times(100.0)), "100");
        assert_eq!(pace_option(Pace::Times(30.0)), "10");
        assert_eq!(pace_option(Pace::Times(0.0)), "fastest");
    }
}

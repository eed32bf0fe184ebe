//! The run as the page sees it: nothing yet, under way (with progress, possibly paused), or over
//! (a report, a failure, or stopped by the person). A `yew::Reducible`, driven by the run bar and by the
//! worker's messages.
//!
//! Every run has an id; a message about any other run (a late message from a worker that was
//! stopped) is ignored, so a stopped run can never overwrite a newer one.

use std::rc::Rc;

use archsim_model::{Design, Report};
use yew::Reducible;

use super::live::LiveSeries;
use super::protocol::{FromWorker, Pace, RunProgress};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunState {
    /// The id the next run gets.
    pub next_run_id: u32,
    /// The run under way, if any.
    pub active: Option<ActiveRun>,
    /// The last report (kept while a new run is under way, until the new one replaces it).
    pub result: Option<RunResult>,
    /// How the last run ended, when it did not end with a report.
    pub message: Option<RunMessage>,
    /// How fast runs go (the person's choice; kept from run to run).
    pub pace: Pace,
}

/// Equal when both hold the very same shared value (or both none). A run's design, series and
/// report are shared, never changed in place, so this says "the same" in O(1); `Rc`'s own `==`
/// compares contents, and Yew compares props and run states on every render — for a 200-node
/// run that meant walking its whole series, over 100 ms per render.
pub fn same<T>(a: &Rc<T>, b: &Rc<T>) -> bool {
    Rc::ptr_eq(a, b)
}

/// [`same`] for optional values.
pub fn same_opt<T>(a: &Option<Rc<T>>, b: &Option<Rc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub struct ActiveRun {
    pub run_id: u32,
    /// The design being run.
    pub design: Rc<Design>,
    pub replications: u32,
    /// None until the worker reports (it may still be loading).
    pub progress: Option<RunProgress>,
    pub pause: PauseState,
    /// The first replication's time series so far (every bucket that has ended), streamed by
    /// the worker while the run advances; None until the first buckets arrive.
    pub live: Option<LiveSeries>,
}

/// Whether the run under way advances. Pausing is asked of the worker and confirmed by it, so
/// the page shows the exact point where the run stands still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PauseState {
    #[default]
    Running,
    /// Pause was pressed; the worker has not confirmed yet (it finishes its current slice).
    Pausing,
    /// The worker confirmed; `progress` is where the run stands.
    Paused,
}

#[derive(Debug, Clone)]
pub struct RunResult {
    /// The run that gave it (None for a report kept from before a reload).
    pub run_id: Option<u32>,
    pub report: Rc<Report>,
    /// The design the report belongs to (to tell when the editor has moved on from it).
    pub design: Rc<Design>,
}

impl PartialEq for ActiveRun {
    fn eq(&self, other: &Self) -> bool {
        self.run_id == other.run_id
            && same(&self.design, &other.design)
            && self.replications == other.replications
            && self.progress == other.progress
            && self.pause == other.pause
            && self.live == other.live
    }
}

impl PartialEq for RunResult {
    fn eq(&self, other: &Self) -> bool {
        self.run_id == other.run_id
            && same(&self.report, &other.report)
            && same(&self.design, &other.design)
    }
}

#[derive(Debug, Clone)]
pub enum RunMessage {
    /// The person stopped the run; its partial results were discarded.
    Stopped(Stopped),
    Failed(String),
}

/// Where a run stood when the person stopped it, and of which design, so that the run bar
/// can say so until the design changes.
#[derive(Debug, Clone)]
pub struct Stopped {
    pub design: Rc<Design>,
    /// The last progress the worker reported (None if it had reported none).
    pub progress: Option<RunProgress>,
}

impl Stopped {
    /// Simulated time reached in the replication under way, ms.
    pub fn at_ms(&self) -> f64 {
        self.progress.map_or(0.0, |p| {
            p.fraction.clamp(0.0, 1.0) * self.design.run.duration_ms
        })
    }
}

// The design by identity (see [`same`]).
impl PartialEq for RunMessage {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (RunMessage::Stopped(a), RunMessage::Stopped(b)) => {
                same(&a.design, &b.design) && a.progress == b.progress
            }
            (RunMessage::Failed(a), RunMessage::Failed(b)) => a == b,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunAction {
    /// A run was sent to the worker under `run_id` (taken from [`RunState::next_run_id`]).
    Started {
        run_id: u32,
        design: Rc<Design>,
        replications: u32,
    },
    /// A message from the worker. Its live updates come as [`RunAction::Live`] instead: the
    /// run client appends their pieces to the series as they arrive (`LiveAssembly`).
    Reply(FromWorker),
    /// Run `run_id`'s live series so far, longer by an update.
    Live { run_id: u32, series: LiveSeries },
    /// The worker itself broke (failed to load, or crashed): the run under way, if any, failed.
    WorkerBroke { message: String },
    /// The person pressed Pause (sent to the worker).
    Pause,
    /// The person pressed Resume (sent to the worker).
    Resume,
    /// The person pressed Stop: the worker was told to discard the run.
    Stop,
    /// The person pressed Reset: forget the results.
    Reset,
    /// The person chose how fast runs go (sent to the worker when a run is under way).
    SetPace(Pace),
    /// The person pressed Step on a paused run (sent to the worker): one more bucket, then the
    /// worker confirms the pause again.
    Step,
    /// The design on screen was replaced by another one (a template, a file, a link): results
    /// of the previous design no longer belong on screen.
    DesignReplaced,
}

impl RunState {
    /// Nothing under way, and the report of an earlier run (kept across a reload) on screen.
    pub fn restored(design: Design, report: Report) -> RunState {
        RunState {
            result: Some(RunResult {
                run_id: None,
                report: Rc::new(report),
                design: Rc::new(design),
            }),
            ..RunState::default()
        }
    }

    /// True while a run is under way, paused or not.
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// The pause state of the run under way, if any.
    pub fn pause_state(&self) -> Option<PauseState> {
        self.active.as_ref().map(|a| a.pause)
    }

    /// The state after `action` (the pure form of [`Reducible::reduce`]).
    pub fn after(&self, action: RunAction) -> RunState {
        let mut next = self.clone();
        match action {
            RunAction::Started {
                run_id,
                design,
                replications,
            } => {
                next.next_run_id = run_id.wrapping_add(1);
                next.active = Some(ActiveRun {
                    run_id,
                    design,
                    replications,
                    progress: None,
                    pause: PauseState::Running,
                    live: None,
                });
                next.message = None;
            }
            RunAction::Reply(FromWorker::Ready) => {}
            // The text to keep of a report is the run panel's business (it stores it when the
            // report arrives); it changes nothing on screen.
            RunAction::Reply(FromWorker::Keep { .. }) => {}
            // Gathered into a series by the run client, which dispatches `Live`.
            RunAction::Reply(FromWorker::Live { .. }) => {}
            RunAction::Live { run_id, series } => {
                if let Some(active) = next.active.as_mut().filter(|a| a.run_id == run_id) {
                    // Only ever longer: a series that is not would be another run's.
                    if active.live.as_ref().is_none_or(|l| series.len() > l.len()) {
                        active.live = Some(series);
                    }
                }
            }
            RunAction::Reply(FromWorker::Progress(progress)) => {
                // Once paused, nothing moves until Resume (a message overtaken by the pause
                // confirmation cannot exist: the worker posts in order; this is belt and braces).
                if let Some(active) = next
                    .active
                    .as_mut()
                    .filter(|a| a.run_id == progress.run_id && a.pause != PauseState::Paused)
                {
                    active.progress = Some(progress);
                }
            }
            RunAction::Reply(FromWorker::Paused(progress)) => {
                // Only a pause still wanted is confirmed: after Resume the run moves on.
                if let Some(active) = next
                    .active
                    .as_mut()
                    .filter(|a| a.run_id == progress.run_id && a.pause == PauseState::Pausing)
                {
                    active.progress = Some(progress);
                    active.pause = PauseState::Paused;
                }
            }
            RunAction::Pause => {
                if let Some(active) = next
                    .active
                    .as_mut()
                    .filter(|a| a.pause == PauseState::Running)
                {
                    active.pause = PauseState::Pausing;
                }
            }
            RunAction::Resume => {
                if let Some(active) = next.active.as_mut() {
                    active.pause = PauseState::Running;
                }
            }
            RunAction::Reply(FromWorker::Finished {
                run_id,
                report,
                streamed_buckets,
            }) => {
                if let Some(active) = next.take_active(run_id) {
                    match with_streamed_series(*report, streamed_buckets, active.live.as_ref()) {
                        Ok(report) => {
                            next.result = Some(RunResult {
                                run_id: Some(run_id),
                                report: Rc::new(report),
                                design: active.design,
                            });
                            next.message = None;
                        }
                        Err(message) => next.message = Some(RunMessage::Failed(message)),
                    }
                }
            }
            RunAction::Reply(FromWorker::Failed { run_id, message }) => {
                if next.take_active(run_id).is_some() {
                    next.message = Some(RunMessage::Failed(message));
                }
            }
            RunAction::WorkerBroke { message } => {
                if next.active.take().is_some() {
                    next.message = Some(RunMessage::Failed(message));
                }
            }
            RunAction::Stop => {
                if let Some(active) = next.active.take() {
                    next.message = Some(RunMessage::Stopped(Stopped {
                        design: active.design,
                        progress: active.progress,
                    }));
                }
            }
            RunAction::Reset => {
                next.active = None;
                next.result = None;
                next.message = None;
            }
            RunAction::SetPace(pace) => next.pace = pace,
            RunAction::Step => {
                if let Some(active) = next
                    .active
                    .as_mut()
                    .filter(|a| a.pause == PauseState::Paused)
                {
                    active.pause = PauseState::Pausing;
                }
            }
            RunAction::DesignReplaced => {
                // The run under way is of the old design: the page also tells the worker to
                // stop it. Its report and messages go with it.
                next.active = None;
                next.result = None;
                next.message = None;
            }
        }
        next
    }

    /// Ends the active run if it is `run_id`.
    fn take_active(&mut self, run_id: u32) -> Option<ActiveRun> {
        if self.active.as_ref().is_some_and(|a| a.run_id == run_id) {
            self.active.take()
        } else {
            None
        }
    }
}

/// The report as the page keeps it. The worker leaves out a report's series when the page has
/// been sent all of it already (`streamed_buckets`: how many buckets that was); it is then the
/// live series so far. A live series that does not have exactly those buckets cannot stand in
/// for it (the worker posts in order, so this would be a defect, said as such).
pub fn with_streamed_series(
    mut report: Report,
    streamed_buckets: Option<usize>,
    live: Option<&LiveSeries>,
) -> Result<Report, String> {
    let Some(expected) = streamed_buckets else {
        return Ok(report);
    };
    let received = live.map_or(0, LiveSeries::len);
    if received != expected {
        return Err(format!(
            "the run's time series arrived incomplete ({received} of {expected} buckets); run it again"
        ));
    }
    if let Some(live) = live {
        report.series = live.take().ok_or_else(|| {
            "the run's time series was handed to its report already; run it again".to_string()
        })?;
    }
    Ok(report)
}

impl Reducible for RunState {
    type Action = RunAction;

    fn reduce(self: Rc<Self>, action: RunAction) -> Rc<Self> {
        Rc::new(self.after(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::live::tests::buckets;

    fn design(name: &str) -> Rc<Design> {
        Rc::new(Design {
            name: name.into(),
            ..Design::default()
        })
    }

    fn started(state: &RunState, revision: u64) -> RunState {
        state.after(RunAction::Started {
            run_id: state.next_run_id,
            design: design(&format!("revision {revision}")),
            replications: 2,
        })
    }

    fn progress(run_id: u32, fraction: f64) -> RunAction {
        RunAction::Reply(FromWorker::Progress(RunProgress {
            run_id,
            replication: 0,
            replications: 2,
            fraction,
        }))
    }

    fn finished(run_id: u32, name: &str) -> RunAction {
        RunAction::Reply(FromWorker::Finished {
            run_id,
            report: Box::new(Report {
                design_name: name.into(),
                ..Report::default()
            }),
            streamed_buckets: None,
        })
    }

    #[test]
    fn a_run_goes_from_progress_to_its_report() {
        let state = started(&RunState::default(), 4);
        assert!(state.is_running());
        let state = state.after(progress(0, 0.5));
        assert_eq!(
            state.active.as_ref().unwrap().progress.unwrap().fraction,
            0.5
        );
        let state = state.after(finished(0, "A"));
        assert!(!state.is_running());
        let result = state.result.unwrap();
        assert_eq!(result.report.design_name, "A");
        assert_eq!(result.design.name, "revision 4");
    }

    #[test]
    fn messages_from_a_stopped_run_are_ignored() {
        let first = started(&RunState::default(), 1);
        let stopped = first.after(RunAction::Stop);
        assert!(matches!(stopped.message, Some(RunMessage::Stopped(_))));
        assert!(!stopped.is_running());
        let second = started(&stopped, 2);
        assert_eq!(second.message, None);
        // The first run's late messages change nothing.
        let late = second.after(progress(0, 0.9)).after(finished(0, "old"));
        assert_eq!(late, second);
        let done = late.after(finished(1, "new"));
        assert_eq!(done.result.unwrap().report.design_name, "new");
    }

    #[test]
    fn the_previous_report_stays_until_a_new_one_arrives() {
        let done = started(&RunState::default(), 1).after(finished(0, "first"));
        let running = started(&done, 2);
        assert_eq!(running.result.as_ref().unwrap().report.design_name, "first");
        let failed = running.after(RunAction::WorkerBroke {
            message: "out of memory".into(),
        });
        assert_eq!(
            failed.message,
            Some(RunMessage::Failed("out of memory".into()))
        );
        assert_eq!(failed.result.unwrap().report.design_name, "first");
    }

    #[test]
    fn reset_forgets_results_and_messages() {
        let done = started(&RunState::default(), 1)
            .after(finished(0, "x"))
            .after(RunAction::Reset);
        assert_eq!(done.result, None);
        assert_eq!(done.message, None);
        assert_eq!(done.next_run_id, 1, "ids are never reused");
    }

    fn paused(run_id: u32, fraction: f64) -> RunAction {
        RunAction::Reply(FromWorker::Paused(RunProgress {
            run_id,
            replication: 1,
            replications: 2,
            fraction,
        }))
    }

    #[test]
    fn pause_is_confirmed_by_the_worker_and_resume_moves_on() {
        let state = started(&RunState::default(), 1).after(progress(0, 0.2));
        let pausing = state.after(RunAction::Pause);
        assert_eq!(pausing.pause_state(), Some(PauseState::Pausing));
        // The worker finishes its slice before it hears the pause.
        let pausing = pausing.after(progress(0, 0.3));
        let paused = pausing.after(paused(0, 0.35));
        assert_eq!(paused.pause_state(), Some(PauseState::Paused));
        assert!(paused.is_running(), "a paused run is still under way");
        let at = paused.active.as_ref().unwrap().progress.unwrap();
        assert_eq!((at.replication, at.fraction), (1, 0.35));
        // Nothing moves while paused; a second Pause changes nothing.
        assert_eq!(paused.after(progress(0, 0.9)), paused);
        assert_eq!(paused.after(RunAction::Pause), paused);
        let resumed = paused.after(RunAction::Resume);
        assert_eq!(resumed.pause_state(), Some(PauseState::Running));
        let moved = resumed.after(progress(0, 0.5));
        assert_eq!(moved.active.unwrap().progress.unwrap().fraction, 0.5);
    }

    #[test]
    fn a_late_pause_confirmation_after_resume_is_ignored() {
        let resumed = started(&RunState::default(), 1)
            .after(RunAction::Pause)
            .after(RunAction::Resume);
        assert_eq!(resumed.after(paused(0, 0.4)), resumed);
        // Nor does a confirmation about another run pause this one.
        let pausing = resumed.after(RunAction::Pause);
        assert_eq!(pausing.after(paused(7, 0.4)), pausing);
    }

    #[test]
    fn a_paused_run_can_be_stopped_and_finishes_after_resume() {
        let paused_run = started(&RunState::default(), 1)
            .after(RunAction::Pause)
            .after(paused(0, 0.5));
        let stopped = paused_run.after(RunAction::Stop);
        // The run bar says where it stopped, and of which design.
        let Some(RunMessage::Stopped(at)) = &stopped.message else {
            panic!("stopped: {:?}", stopped.message);
        };
        assert_eq!(at.design.name, "revision 1");
        let progress = at.progress.unwrap();
        assert_eq!((progress.replication, progress.fraction), (1, 0.5));
        assert_eq!(at.at_ms(), 0.5 * at.design.run.duration_ms);
        assert!(!stopped.is_running());
        let done = paused_run
            .after(RunAction::Resume)
            .after(finished(0, "done"));
        assert_eq!(done.result.unwrap().report.design_name, "done");
    }

    #[test]
    fn stop_without_a_run_says_nothing() {
        assert_eq!(
            RunState::default().after(RunAction::Stop),
            RunState::default()
        );
    }

    /// What the run client dispatches: run `run_id`'s series so far (as `state` holds it) with
    /// buckets at `t_ms` more.
    fn live(state: &RunState, run_id: u32, t_ms: &[f64]) -> RunAction {
        let series = match state.active.as_ref().and_then(|a| a.live.as_ref()) {
            Some(so_far) => so_far.appended(buckets(t_ms)),
            None => LiveSeries::new(buckets(t_ms)),
        };
        RunAction::Live { run_id, series }
    }

    #[test]
    fn live_buckets_are_appended_to_the_series_so_far_and_the_report_replaces_them() {
        let state = started(&RunState::default(), 1);
        assert_eq!(state.active.as_ref().unwrap().live, None);
        let state = state.after(live(&state, 0, &[0.0, 1_000.0]));
        let state = state.after(live(&state, 0, &[2_000.0]));
        let so_far = state.active.as_ref().unwrap().live.clone().unwrap();
        assert_eq!(so_far.series().t_ms, [0.0, 1_000.0, 2_000.0]);
        assert_eq!(so_far.series().arrivals, [0, 1_000, 2_000]);
        // Another run's series is ignored, and so is one no longer than the series so far
        // (the client's gaps and repeats are `LiveAssembly`'s tests).
        assert_eq!(state.after(live(&state, 5, &[3_000.0])), state);
        let shorter = RunAction::Live {
            run_id: 0,
            series: LiveSeries::new(buckets(&[0.0, 1_000.0, 2_000.0])),
        };
        assert_eq!(state.after(shorter), state);
        // Buckets still arrive while pausing and while paused (the worker sends what ended).
        let pausing = state.after(RunAction::Pause);
        let paused_state = pausing.after(live(&pausing, 0, &[3_000.0]));
        assert_eq!(
            paused_state
                .active
                .as_ref()
                .unwrap()
                .live
                .as_ref()
                .unwrap()
                .len(),
            4
        );
        let done = state.after(finished(0, "A"));
        assert!(done.active.is_none(), "the report replaces the live series");
        assert_eq!(done.result.unwrap().report.design_name, "A");
    }

    fn finished_without_series(run_id: u32, streamed_buckets: usize) -> RunAction {
        RunAction::Reply(FromWorker::Finished {
            run_id,
            report: Box::new(Report {
                design_name: "streamed".into(),
                ..Report::default()
            }),
            streamed_buckets: Some(streamed_buckets),
        })
    }

    #[test]
    fn a_report_sent_without_its_series_takes_the_streamed_one_and_refuses_a_short_one() {
        let state = started(&RunState::default(), 1);
        let state = state.after(live(&state, 0, &[0.0, 1_000.0]));
        let state = state.after(live(&state, 0, &[2_000.0]));
        let done = state.after(finished_without_series(0, 3));
        let report = &done.result.as_ref().unwrap().report;
        assert_eq!(report.design_name, "streamed");
        assert_eq!(report.series.t_ms, [0.0, 1_000.0, 2_000.0]);
        assert_eq!(report.series.arrivals, [0, 1_000, 2_000]);
        // A bucket missing: no report with a hole in its series, but a failure that says so.
        let short = state.after(finished_without_series(0, 4));
        assert!(short.result.is_none() && short.active.is_none());
        assert!(
            matches!(&short.message, Some(RunMessage::Failed(m)) if m.contains("3 of 4 buckets")),
            "{:?}",
            short.message
        );
    }

    #[test]
    fn step_waits_for_the_worker_to_confirm_the_pause_again() {
        let paused_run = started(&RunState::default(), 1)
            .after(RunAction::Pause)
            .after(paused(0, 0.5));
        let stepping = paused_run.after(RunAction::Step);
        assert_eq!(stepping.pause_state(), Some(PauseState::Pausing));
        let stepped = stepping.after(paused(0, 0.6));
        assert_eq!(stepped.pause_state(), Some(PauseState::Paused));
        // Step means nothing to a run that is moving.
        let moving = started(&RunState::default(), 1);
        assert_eq!(moving.after(RunAction::Step), moving);
    }

    #[test]
    fn another_design_clears_the_results_and_ends_the_run_but_keeps_the_pace() {
        let state = started(&RunState::default(), 1)
            .after(RunAction::SetPace(Pace::Times(10.0)))
            .after(finished(0, "old"));
        let running = started(&state, 2);
        let replaced = running.after(RunAction::DesignReplaced);
        assert_eq!(replaced.result, None);
        assert_eq!(replaced.active, None);
        assert_eq!(replaced.message, None);
        assert_eq!(replaced.pace, Pace::Times(10.0));
        // The replaced run's late report is ignored.
        assert_eq!(replaced.after(finished(1, "late")), replaced);
    }
}

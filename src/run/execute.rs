//! What the worker does with a design: parse it, run every replication with progress, combine
//! them into the report. Pure (no browser), so it runs in native tests exactly as in the worker.

use archsim_model::parse_design;

use super::protocol::{FromWorker, RunProgress};

/// Smallest step of progress worth a message. The engine reports about every 1% of simulated
/// time; a message per 1% is cheap, but nothing is gained by more.
pub const PROGRESS_STEP: f64 = 0.01;

/// Runs `design_json` as run `run_id`, sending progress and then exactly one `Finished` or
/// `Failed` through `post`.
pub fn execute(design_json: &str, run_id: u32, post: &mut dyn FnMut(FromWorker)) {
    match run(design_json, run_id, post) {
        Ok(report) => post(FromWorker::Finished {
            run_id,
            report: Box::new(report),
        }),
        Err(message) => post(FromWorker::Failed { run_id, message }),
    }
}

fn run(
    design_json: &str,
    run_id: u32,
    post: &mut dyn FnMut(FromWorker),
) -> Result<archsim_model::Report, String> {
    let design = parse_design(design_json).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        format!("the design could not be read: {}", lines.join("; "))
    })?;
    // Refuse an invalid design before any progress is shown (the engine would refuse it too).
    let problems = archsim_model::validate(&design);
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(format!("the design is invalid: {}", lines.join("; ")));
    }
    let replications = design.run.replications.max(1);
    let mut results = Vec::with_capacity(replications as usize);
    for replication in 0..replications {
        let mut throttle = ProgressThrottle::new(PROGRESS_STEP);
        post(FromWorker::Progress(RunProgress {
            run_id,
            replication,
            replications,
            fraction: 0.0,
        }));
        let mut report_progress = |fraction: f64| {
            if throttle.should_post(fraction) {
                post(FromWorker::Progress(RunProgress {
                    run_id,
                    replication,
                    replications,
                    fraction,
                }));
            }
        };
        let result = archsim_engine::run_replication(&design, replication, &mut report_progress)
            .map_err(|e| e.message)?;
        results.push(result);
    }
    Ok(archsim_engine::summarize(&design, &results))
}

/// Lets a progress value through when it moved at least `step` since the last one let through
/// (and always the end, `1.0`).
#[derive(Debug, Clone)]
pub struct ProgressThrottle {
    step: f64,
    last: Option<f64>,
}

impl ProgressThrottle {
    pub fn new(step: f64) -> Self {
        ProgressThrottle { step, last: None }
    }

    pub fn should_post(&mut self, fraction: f64) -> bool {
        let due = match self.last {
            None => true,
            Some(last) => fraction - last >= self.step || (fraction >= 1.0 && last < 1.0),
        };
        if due {
            self.last = Some(fraction);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mm1_json(duration_ms: f64, replications: u32) -> String {
        let text = include_str!("../../examples/mm1.json");
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["run"]["duration_ms"] = duration_ms.into();
        value["run"]["warmup_ms"] = (duration_ms / 10.0).into();
        value["run"]["replications"] = replications.into();
        value.to_string()
    }

    #[test]
    fn a_valid_design_ends_with_its_report_after_rising_progress() {
        let mut messages = Vec::new();
        execute(&mm1_json(20_000.0, 2), 5, &mut |m| messages.push(m));
        let (last, progress) = messages.split_last().unwrap();
        let FromWorker::Finished { run_id, report } = last else {
            panic!("the last message should be the report, got {last:?}");
        };
        assert_eq!(*run_id, 5);
        assert_eq!(report.replications, 2);
        assert_eq!(report.design_name, "M/M/1 queue");
        // The report is the engine's own for this design (no rounding on the way).
        let design = parse_design(&mm1_json(20_000.0, 2)).unwrap();
        let direct = archsim_engine::run(&design, &mut |_| {}).unwrap();
        assert_eq!(
            archsim_engine::report_fingerprint(report),
            archsim_engine::report_fingerprint(&direct)
        );
        let overall: Vec<f64> = progress
            .iter()
            .map(|m| match m {
                FromWorker::Progress(p) => {
                    assert_eq!((p.run_id, p.replications), (5, 2));
                    p.overall()
                }
                other => panic!("only progress before the report, got {other:?}"),
            })
            .collect();
        assert!(overall.windows(2).all(|w| w[0] <= w[1]), "{overall:?}");
        assert!(
            overall.len() <= 2 * 102,
            "throttled: {} messages",
            overall.len()
        );
        assert!(*overall.last().unwrap() > 0.9);
    }

    #[test]
    fn an_invalid_design_fails_with_the_reason() {
        let mut messages = Vec::new();
        execute(r#"{"version": 1, "nodes": 3}"#, 9, &mut |m| {
            messages.push(m)
        });
        assert_eq!(messages.len(), 1);
        match &messages[0] {
            FromWorker::Failed { run_id, message } => {
                assert_eq!(*run_id, 9);
                assert!(message.contains("nodes"), "{message}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        // Parses, but validation refuses it: no client.
        messages.clear();
        execute(r#"{"version": 1}"#, 10, &mut |m| messages.push(m));
        assert!(
            matches!(&messages[..], [FromWorker::Failed { run_id: 10, .. }]),
            "{messages:?}"
        );
    }

    #[test]
    fn throttle_lets_through_steps_and_the_end() {
        let mut throttle = ProgressThrottle::new(0.1);
        let passed: Vec<f64> = [0.0, 0.05, 0.1, 0.15, 0.21, 0.95, 1.0, 1.0]
            .into_iter()
            .filter(|f| throttle.should_post(*f))
            .collect();
        assert_eq!(passed, vec![0.0, 0.1, 0.21, 0.95, 1.0]);
    }
}

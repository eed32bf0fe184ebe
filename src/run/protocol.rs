//! The messages between the page and the run worker.
//!
//! Each message is one JSON text (`{"type": …, …}`) posted with `postMessage`. Plain text keeps
//! the boundary simple and inspectable; the only structured payloads are the model's own
//! serializable types (the design, the report and the live series), so this module builds and
//! reads JSON values by hand rather than deriving serde (only `archsim-model` derives serde).
//!
//! The two large messages (the report, new buckets of the live series) are a one-line JSON
//! header, a newline, then the payload's JSON (serde_json never writes a raw newline). The page
//! reads the payload straight into the model's type, without building a JSON value of it first:
//! for a 200-node report (5 MB of JSON) that halves the time the page's thread spends on it.

use archsim_model::{Report, Series};
use serde_json::{Value, json};

/// The run worker's script (a module worker started from a Blob URL). The page's first message
/// carries this very WebAssembly module, compiled, and the URL of its JavaScript glue; the script
/// instantiates the module, whose `main` finds itself in a worker and starts the run loop
/// ([`super::worker::start`]), which takes over `onmessage` and says it is ready. A failure is
/// thrown outside the promise, so the page's `onerror` hears why the worker could not start.
pub const WORKER_SCRIPT: &str = r#"self.onmessage = (event) => {
  self.onmessage = null;
  const { glue, module } = event.data;
  import(glue)
    .then((bindings) => bindings.default({ module_or_path: module }))
    .catch((error) => setTimeout(() => { throw error; }));
};
"#;

/// How fast a run advances against the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Pace {
    /// As fast as the machine goes.
    #[default]
    Fastest,
    /// At most this many simulated milliseconds per wall-clock millisecond (1 = real time), so a
    /// person can watch the run unfold. Only the first replication is paced: it is the one whose
    /// series is streamed; the others only add confidence intervals and run as fast as they can.
    Times(f64),
}

impl Pace {
    /// The multiple of real time, None when as fast as possible (or a nonsensical multiple).
    pub fn multiple(self) -> Option<f64> {
        match self {
            Pace::Times(m) if m.is_finite() && m > 0.0 => Some(m),
            _ => None,
        }
    }

    fn to_value(self) -> Value {
        self.multiple().map_or(Value::Null, Value::from)
    }

    fn from_value(value: Option<&Value>) -> Result<Pace, String> {
        match value {
            None | Some(Value::Null) => Ok(Pace::Fastest),
            Some(v) => match v.as_f64() {
                Some(m) if m.is_finite() && m > 0.0 => Ok(Pace::Times(m)),
                _ => Err(format!(
                    "the message's \"pace\" must be a positive multiple of real time or null, not {v}"
                )),
            },
        }
    }
}

/// From the page to the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum ToWorker {
    /// Run this design (JSON text, as exported) at `pace` and report under `run_id`. Replaces
    /// any run the worker had (running or paused).
    Start {
        run_id: u32,
        design_json: String,
        pace: Pace,
    },
    /// From now on advance run `run_id` at `pace`.
    SetPace { run_id: u32, pace: Pace },
    /// Advance the paused run `run_id` by one time-series bucket and stay paused; the worker
    /// answers with the new bucket ([`FromWorker::Live`]) and [`FromWorker::Paused`].
    Step { run_id: u32 },
    /// Stop advancing run `run_id` but keep it in memory; the worker answers
    /// [`FromWorker::Paused`].
    Pause { run_id: u32 },
    /// Continue run `run_id` exactly where it paused.
    Resume { run_id: u32 },
    /// Discard run `run_id`; nothing more is said about it.
    Stop { run_id: u32 },
}

/// From the worker to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum FromWorker {
    /// The worker's module is loaded and it listens; messages sent before this could be lost.
    Ready,
    Progress(RunProgress),
    /// The run has stopped advancing, here (the last word about it until it is resumed).
    Paused(RunProgress),
    /// New buckets of the first replication's time series: `buckets` holds the buckets from
    /// index `from` on (only what is new since the last message, to keep messages small). A
    /// big update comes in pieces, each read by the page in a task of its own; `last` marks an
    /// update's last piece, when the page shows what came.
    Live {
        run_id: u32,
        from: usize,
        buckets: Box<Series>,
        last: bool,
    },
    /// The run's report. When `streamed_buckets` is `Some(n)`, the report's series was left
    /// out: it is exactly the `n` buckets the page has already been sent in [`FromWorker::Live`]
    /// messages, and sending it again would double the biggest part of a big design's report
    /// (and the time the page spends reading it).
    Finished {
        run_id: u32,
        report: Box<Report>,
        streamed_buckets: Option<usize>,
    },
    Failed {
        run_id: u32,
        message: String,
    },
    /// Run `run_id`'s report as the page keeps it across a reload (the text of
    /// `persist::autosave::report_to_json`), or why it is not kept (too large). Posted just
    /// before [`FromWorker::Finished`]: written here, where it holds up no one, and stored by
    /// the page without reading it (see `client`).
    Keep {
        run_id: u32,
        stored: Result<String, String>,
    },
}

/// How far a run has come.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunProgress {
    pub run_id: u32,
    /// Zero-based index of the replication under way.
    pub replication: u32,
    pub replications: u32,
    /// Fraction of this replication's simulated time done, `0..=1`.
    pub fraction: f64,
}

impl RunProgress {
    /// Fraction of the whole run done (all replications), `0..=1`.
    pub fn overall(&self) -> f64 {
        let replications = self.replications.max(1) as f64;
        ((self.replication as f64 + self.fraction.clamp(0.0, 1.0)) / replications).clamp(0.0, 1.0)
    }
}

impl ToWorker {
    pub fn to_json(&self) -> String {
        match self {
            ToWorker::Start {
                run_id,
                design_json,
                pace,
            } => json!({
                "type": "start",
                "run_id": run_id,
                "design": design_json,
                "pace": pace.to_value(),
            })
            .to_string(),
            ToWorker::SetPace { run_id, pace } => {
                json!({ "type": "pace", "run_id": run_id, "pace": pace.to_value() }).to_string()
            }
            ToWorker::Step { run_id } => json!({ "type": "step", "run_id": run_id }).to_string(),
            ToWorker::Pause { run_id } => json!({ "type": "pause", "run_id": run_id }).to_string(),
            ToWorker::Resume { run_id } => {
                json!({ "type": "resume", "run_id": run_id }).to_string()
            }
            ToWorker::Stop { run_id } => json!({ "type": "stop", "run_id": run_id }).to_string(),
        }
    }

    pub fn from_json(text: &str) -> Result<ToWorker, String> {
        let value = parse_object(text)?;
        match message_type(&value)? {
            "start" => Ok(ToWorker::Start {
                run_id: run_id(&value)?,
                design_json: value
                    .get("design")
                    .and_then(Value::as_str)
                    .ok_or("the start message has no \"design\" text")?
                    .to_string(),
                pace: Pace::from_value(value.get("pace"))?,
            }),
            "pace" => Ok(ToWorker::SetPace {
                run_id: run_id(&value)?,
                pace: Pace::from_value(value.get("pace"))?,
            }),
            "step" => Ok(ToWorker::Step {
                run_id: run_id(&value)?,
            }),
            "pause" => Ok(ToWorker::Pause {
                run_id: run_id(&value)?,
            }),
            "resume" => Ok(ToWorker::Resume {
                run_id: run_id(&value)?,
            }),
            "stop" => Ok(ToWorker::Stop {
                run_id: run_id(&value)?,
            }),
            other => Err(format!("unknown message type \"{other}\"")),
        }
    }
}

/// A [`FromWorker::Live`] message as the worker posts it: its run and first bucket, and its
/// buckets with their numbers apart ([`archsim_model::packed`]), which the worker hands to the
/// page in a buffer of their own instead of as text to read.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedLive {
    pub run_id: u32,
    pub from: usize,
    pub buckets: archsim_model::packed::Packed,
    pub last: bool,
}

impl PackedLive {
    /// The message of a live update; None for any other message.
    pub fn of(message: &FromWorker) -> Option<PackedLive> {
        match message {
            FromWorker::Live {
                run_id,
                from,
                buckets,
                last,
            } => Some(PackedLive {
                run_id: *run_id,
                from: *from,
                buckets: archsim_model::packed::pack_series(buckets),
                last: *last,
            }),
            _ => None,
        }
    }

    /// The live update again, as the page reads it.
    pub fn unpack(
        run_id: u32,
        from: usize,
        structure: &str,
        numbers: &[f64],
        last: bool,
    ) -> Result<FromWorker, String> {
        let buckets = archsim_model::packed::unpack_series(structure, numbers)
            .map_err(|e| format!("the live series could not be read: {e}"))?;
        Ok(FromWorker::Live {
            run_id,
            from,
            buckets: Box::new(buckets),
            last,
        })
    }
}

impl FromWorker {
    pub fn to_json(&self) -> String {
        let with_payload = |header: Value, payload: String| format!("{header}\n{payload}");
        let value = match self {
            FromWorker::Live {
                run_id,
                from,
                buckets,
                last,
            } => {
                return with_payload(
                    json!({ "type": "live", "run_id": run_id, "from": from, "last": last }),
                    archsim_model::json::to_compact(buckets.as_ref()),
                );
            }
            FromWorker::Finished {
                run_id,
                report,
                streamed_buckets,
            } => {
                return with_payload(
                    json!({
                        "type": "finished",
                        "run_id": run_id,
                        "streamed_buckets": streamed_buckets,
                    }),
                    archsim_model::json::report_to_compact(report),
                );
            }
            FromWorker::Keep { run_id, stored } => match stored {
                Ok(text) => json!({ "type": "keep", "run_id": run_id, "text": text }),
                Err(reason) => json!({ "type": "keep", "run_id": run_id, "skipped": reason }),
            },
            FromWorker::Ready => json!({ "type": "ready" }),
            FromWorker::Progress(p) => progress_json("progress", p),
            FromWorker::Paused(p) => progress_json("paused", p),
            FromWorker::Failed { run_id, message } => {
                json!({ "type": "failed", "run_id": run_id, "message": message })
            }
        };
        value.to_string()
    }

    pub fn from_json(text: &str) -> Result<FromWorker, String> {
        let (header, payload) = match text.split_once('\n') {
            Some((header, payload)) => (header, Some(payload)),
            None => (text, None),
        };
        let value = parse_object(header)?;
        let payload = |what: &str| {
            payload.ok_or_else(|| format!("the {what} message has no payload after its header"))
        };
        match message_type(&value)? {
            "ready" => Ok(FromWorker::Ready),
            "progress" => Ok(FromWorker::Progress(read_progress(&value)?)),
            "paused" => Ok(FromWorker::Paused(read_progress(&value)?)),
            "live" => {
                let from = value
                    .get("from")
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or("the live message's \"from\" is missing or not a whole number")?;
                let last = value
                    .get("last")
                    .and_then(Value::as_bool)
                    .ok_or("the live message's \"last\" is missing or not true or false")?;
                let buckets: Series = serde_json::from_str(payload("live")?)
                    .map_err(|e| format!("the live series could not be read: {e}"))?;
                Ok(FromWorker::Live {
                    run_id: run_id(&value)?,
                    from,
                    buckets: Box::new(buckets),
                    last,
                })
            }
            "finished" => {
                let report = archsim_model::json::report_from_str(payload("finished")?)
                    .map_err(|e| format!("the report could not be read: {e}"))?;
                let streamed_buckets = match value.get("streamed_buckets") {
                    None | Some(Value::Null) => None,
                    Some(n) => Some(n.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or(
                        "the finished message's \"streamed_buckets\" is not a whole number",
                    )?),
                };
                Ok(FromWorker::Finished {
                    run_id: run_id(&value)?,
                    report: Box::new(report),
                    streamed_buckets,
                })
            }
            "keep" => Ok(FromWorker::Keep {
                run_id: run_id(&value)?,
                stored: match (value.get("text"), value.get("skipped")) {
                    (Some(Value::String(text)), _) => Ok(text.clone()),
                    (_, Some(Value::String(reason))) => Err(reason.clone()),
                    _ => return Err("the keep message has neither \"text\" nor \"skipped\"".into()),
                },
            }),
            "failed" => Ok(FromWorker::Failed {
                run_id: run_id(&value)?,
                message: value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("the run failed")
                    .to_string(),
            }),
            other => Err(format!("unknown message type \"{other}\"")),
        }
    }
}

fn progress_json(kind: &str, p: &RunProgress) -> Value {
    json!({
        "type": kind,
        "run_id": p.run_id,
        "replication": p.replication,
        "replications": p.replications,
        "fraction": p.fraction,
    })
}

fn read_progress(value: &Value) -> Result<RunProgress, String> {
    Ok(RunProgress {
        run_id: run_id(value)?,
        replication: whole(value, "replication")?,
        replications: whole(value, "replications")?,
        fraction: value
            .get("fraction")
            .and_then(Value::as_f64)
            .ok_or("the progress message has no \"fraction\"")?,
    })
}

fn parse_object(text: &str) -> Result<Value, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the message is not JSON ({e})"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err("the message is not a JSON object".to_string())
    }
}

fn message_type(value: &Value) -> Result<&str, String> {
    value
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| "the message has no \"type\"".to_string())
}

fn run_id(value: &Value) -> Result<u32, String> {
    whole(value, "run_id")
}

fn whole(value: &Value, field: &str) -> Result<u32, String> {
    value
        .get(field)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("the message's \"{field}\" is missing or not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::Estimate;

    #[test]
    fn every_page_message_round_trips() {
        let messages = [
            ToWorker::Start {
                run_id: 7,
                design_json: "{\"version\": 1}".into(),
                pace: Pace::Fastest,
            },
            ToWorker::Start {
                run_id: 8,
                design_json: "{}".into(),
                pace: Pace::Times(10.0),
            },
            ToWorker::SetPace {
                run_id: 8,
                pace: Pace::Times(0.5),
            },
            ToWorker::SetPace {
                run_id: 8,
                pace: Pace::Fastest,
            },
            ToWorker::Step { run_id: 8 },
            ToWorker::Pause { run_id: 7 },
            ToWorker::Resume { run_id: 7 },
            ToWorker::Stop { run_id: 7 },
        ];
        for message in messages {
            assert_eq!(ToWorker::from_json(&message.to_json()), Ok(message));
        }
    }

    #[test]
    fn every_worker_message_round_trips() {
        let mut report = Report {
            design_name: "M/M/1".into(),
            ..Report::default()
        };
        report.overall.throughput_rps = Estimate {
            value: 80.25,
            ci95: Some(1.5),
        };
        let mut live = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![12_000.0, 13_000.0],
            arrivals: vec![5, 7],
            p99_ms: vec![3.5, 4.25],
            ..Series::default()
        };
        live.nodes.entry("api".into()).or_default().utilisation = vec![0.5, 0.75];
        live.breaker_state.insert("e1".into(), vec![0, 2]);
        let messages = [
            FromWorker::Ready,
            FromWorker::Progress(RunProgress {
                run_id: 3,
                replication: 1,
                replications: 4,
                fraction: 0.5,
            }),
            FromWorker::Paused(RunProgress {
                run_id: 3,
                replication: 2,
                replications: 4,
                fraction: 0.25,
            }),
            FromWorker::Live {
                run_id: 3,
                from: 12,
                buckets: Box::new(live),
                last: false,
            },
            FromWorker::Finished {
                run_id: 3,
                report: Box::new(report.clone()),
                streamed_buckets: None,
            },
            FromWorker::Finished {
                run_id: 4,
                report: Box::new(report),
                streamed_buckets: Some(300),
            },
            FromWorker::Keep {
                run_id: 4,
                stored: Ok("{\"format\": \"archsim-report/1\"}".into()),
            },
            FromWorker::Keep {
                run_id: 5,
                stored: Err("too large".into()),
            },
            FromWorker::Failed {
                run_id: 3,
                message: "the design is invalid".into(),
            },
        ];
        for message in messages {
            assert_eq!(FromWorker::from_json(&message.to_json()), Ok(message));
        }
    }

    #[test]
    fn malformed_messages_say_what_is_wrong() {
        assert!(
            FromWorker::from_json("not json")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            FromWorker::from_json("[1]")
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(
            FromWorker::from_json("{}")
                .unwrap_err()
                .contains("\"type\"")
        );
        assert!(
            FromWorker::from_json(r#"{"type":"progress","run_id":-1}"#)
                .unwrap_err()
                .contains("run_id")
        );
        assert!(
            ToWorker::from_json(r#"{"type":"start","run_id":1}"#)
                .unwrap_err()
                .contains("design")
        );
        assert!(
            ToWorker::from_json(r#"{"type":"pause"}"#)
                .unwrap_err()
                .contains("run_id")
        );
        assert!(
            FromWorker::from_json(
                r#"{"type":"paused","run_id":1,"replication":0,"replications":1}"#
            )
            .unwrap_err()
            .contains("fraction")
        );
        assert!(
            ToWorker::from_json(r#"{"type":"pace","run_id":1,"pace":-2}"#)
                .unwrap_err()
                .contains("pace")
        );
        assert!(
            FromWorker::from_json("{\"type\":\"live\",\"run_id\":1}\n{}")
                .unwrap_err()
                .contains("from")
        );
        assert!(
            FromWorker::from_json(r#"{"type":"finished","run_id":1}"#)
                .unwrap_err()
                .contains("payload")
        );
        assert!(
            FromWorker::from_json("{\"type\":\"finished\",\"run_id\":1}\n{\"design_name\": 3}")
                .unwrap_err()
                .contains("report could not be read")
        );
        assert!(
            ToWorker::from_json(r#"{"type":"explode"}"#)
                .unwrap_err()
                .contains("explode")
        );
    }

    #[test]
    fn overall_progress_counts_finished_replications() {
        let progress = RunProgress {
            run_id: 1,
            replication: 1,
            replications: 4,
            fraction: 0.5,
        };
        assert!((progress.overall() - 0.375).abs() < 1e-12);
        let odd = RunProgress {
            replications: 0,
            replication: 0,
            fraction: 2.0,
            ..progress
        };
        assert_eq!(odd.overall(), 1.0);
    }
}

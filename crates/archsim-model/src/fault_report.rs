//! What each fault of the design's timeline did in a run: one entry per fault, in the design's
//! order, with the figures that fit its kind (requests that vanished into a partition, entries
//! a cache flush threw away, workers a cut took...). Documented in `docs/report-format.md`.
//!
//! The figures are counted over the whole run, warm-up included: a fault acts when the
//! timeline says, and the summary's warm-up cut would hide a fault placed early. They are means
//! over replications (each with its 95% half-width when there are several).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::design::FaultEffect;
use crate::report::Estimate;

/// One fault of the design and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FaultReport {
    /// Position of the fault in the design's `faults` list.
    pub index: u32,
    /// The effect's `type`: `crash`, `partition`, `burst`, ...
    pub kind: String,
    /// The effect as the design gives it (its parameters), for the wording.
    pub effect: FaultEffect,
    /// The node id, or the edge id for an edge fault.
    pub target: String,
    /// An edge fault's edge, by the ids of the nodes it joins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge: Option<EdgeEnds>,
    /// The fault's window, clipped to the run, in ms from the start (`end_ms == start_ms` for
    /// an instant fault; both equal the run's duration for a fault after its end).
    pub start_ms: f64,
    pub end_ms: f64,
    /// What it did; only the figures of its kind are present.
    #[serde(flatten)]
    pub figures: FaultFigures,
}

/// The two nodes an edge joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EdgeEnds {
    pub from: String,
    pub to: String,
}

/// What a fault did, by kind. Every field is absent unless the fault's kind has it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FaultFigures {
    /// Crash, primary crash, instance crash: requests that failed with `node_down` at the node
    /// while the fault lasted (those it held when it went down, and those that reached it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_failed: Option<Estimate>,
    /// Partition: attempts sent along the edge that vanished (their callers saw only timeouts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_vanished: Option<Estimate>,
    /// Partition: answers on their way back along the edge that vanished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies_vanished: Option<Estimate>,
    /// Partition: a balancer's or gateway's health probes (or their answers) that vanished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes_vanished: Option<Estimate>,
    /// Edge latency: trips along the edge (requests there and answers back) it delayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trips_delayed: Option<Estimate>,
    /// Edge latency: the mean delay it added to a trip (its `extra_ms` plus the mean of its
    /// jitter draws), ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_added_ms: Option<Estimate>,
    /// Node latency: requests it delayed (a processing step, or the arrival at a kind
    /// without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_delayed: Option<Estimate>,
    /// Slow-down: requests whose processing it stretched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_slowed: Option<Estimate>,
    /// Error rate: requests it made fail (the error draws that fell in its share of the
    /// node's total error rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors_injected: Option<Estimate>,
    /// Cache flush: entries the cache held (and had not expired) when it was emptied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_flushed: Option<Estimate>,
    /// Worker cut: workers it took away (over every station of the node)...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers_removed: Option<Estimate>,
    /// ... of this many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers_before: Option<Estimate>,
    /// Burst: the requests the client sent for it (all of them, unless the run ended first or
    /// the client was down).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_sent: Option<Estimate>,
    /// Instance crash: instances that went down; primary crash: primaries that went down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances_crashed: Option<Estimate>,
    /// Reshard: keys whose shard changed (exact for key spaces up to 1,000,000 keys, else from
    /// an even sample of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_moved: Option<Estimate>,
}

impl FaultFigures {
    /// Every figure present, in a fixed order (to combine replications).
    pub fn estimates_mut(&mut self) -> Vec<&mut Estimate> {
        [
            &mut self.requests_failed,
            &mut self.requests_vanished,
            &mut self.replies_vanished,
            &mut self.probes_vanished,
            &mut self.trips_delayed,
            &mut self.mean_added_ms,
            &mut self.requests_delayed,
            &mut self.requests_slowed,
            &mut self.errors_injected,
            &mut self.entries_flushed,
            &mut self.workers_removed,
            &mut self.workers_before,
            &mut self.requests_sent,
            &mut self.instances_crashed,
            &mut self.keys_moved,
        ]
        .into_iter()
        .filter_map(Option::as_mut)
        .collect()
    }
}

impl FaultReport {
    /// The fault in words: "partition", "extra latency +50 ms", "burst of 500 requests".
    /// `count` formats a count, `ms` a duration in ms.
    pub fn what(&self, count: impl Fn(f64) -> String, ms: impl Fn(f64) -> String) -> String {
        match &self.effect {
            FaultEffect::Crash => "crash".into(),
            FaultEffect::Latency { extra_ms } => format!("extra latency +{}", ms(*extra_ms)),
            FaultEffect::ErrorRate { rate } => format!("error rate +{}", percent(*rate)),
            FaultEffect::Slowdown { factor } => format!("slow-down ×{}", trim(*factor)),
            FaultEffect::Reshard { shards } => format!("reshard to {shards} shards"),
            FaultEffect::PrimaryCrash => "primary crash".into(),
            FaultEffect::Partition => "partition".into(),
            FaultEffect::EdgeLatency {
                extra_ms,
                jitter_ms,
            } if *jitter_ms > 0.0 => format!(
                "edge latency +{} (jitter up to {})",
                ms(*extra_ms),
                ms(*jitter_ms)
            ),
            FaultEffect::EdgeLatency { extra_ms, .. } => {
                format!("edge latency +{}", ms(*extra_ms))
            }
            FaultEffect::CacheFlush => "cache flush".into(),
            FaultEffect::WorkerCut { fraction } => format!("worker cut {}", percent(*fraction)),
            FaultEffect::Burst { requests } => {
                format!("burst of {} requests", count(*requests as f64))
            }
            FaultEffect::InstanceCrash { count: n, .. } => {
                format!("instance crash ({} instance{})", n, plural(*n as f64))
            }
        }
    }

    /// Whether it started before the end of a run of `duration_ms` (one placed at or after
    /// the end never happens).
    pub fn happened(&self, duration_ms: f64) -> bool {
        self.start_ms < duration_ms
    }

    /// Where it hit: the node id, or the edge as "from → to".
    pub fn place(&self) -> String {
        match &self.edge {
            Some(ends) => format!("{} → {}", ends.from, ends.to),
            None => self.target.clone(),
        }
    }

    /// What it did, in words: "1,204 requests vanished, 12 replies vanished". `count` formats
    /// a count (a mean over replications, with its interval if the caller shows them), `ms` a
    /// duration in ms.
    pub fn outcome(
        &self,
        count: impl Fn(Estimate) -> String,
        ms: impl Fn(Estimate) -> String,
    ) -> String {
        let f = &self.figures;
        let mut parts: Vec<String> = Vec::new();
        let mut counted = |figure: &Option<Estimate>, one: &str, many: &str| {
            if let Some(e) = figure {
                let noun = if e.value == 1.0 { one } else { many };
                parts.push(format!("{} {noun}", count(*e)));
            }
        };
        counted(
            &f.requests_failed,
            "request failed (node down)",
            "requests failed (node down)",
        );
        counted(
            &f.instances_crashed,
            "instance went down",
            "instances went down",
        );
        counted(
            &f.requests_vanished,
            "request vanished",
            "requests vanished",
        );
        counted(&f.replies_vanished, "reply vanished", "replies vanished");
        counted(&f.requests_delayed, "request delayed", "requests delayed");
        counted(&f.requests_slowed, "request slowed", "requests slowed");
        counted(&f.errors_injected, "error injected", "errors injected");
        counted(&f.entries_flushed, "entry flushed", "entries flushed");
        counted(&f.requests_sent, "request sent", "requests sent");
        counted(&f.keys_moved, "key moved", "keys moved");
        if let (Some(removed), Some(before)) = (&f.workers_removed, &f.workers_before) {
            parts.push(format!(
                "{} of {} workers removed",
                count(*removed),
                count(*before)
            ));
        }
        if let Some(delayed) = &f.trips_delayed {
            let mut text = format!("{} trip{} delayed", count(*delayed), plural(delayed.value));
            if let Some(mean) = f.mean_added_ms.filter(|_| delayed.value > 0.0) {
                text.push_str(&format!(" by {} on average", ms(mean)));
            }
            parts.push(text);
        }
        if let Some(probes) = f.probes_vanished.filter(|e| e.value > 0.0) {
            parts.push(format!(
                "{} health probe{} vanished",
                count(probes),
                plural(probes.value)
            ));
        }
        if parts.is_empty() {
            "nothing to count".into()
        } else {
            parts.join(", ")
        }
    }
}

fn plural(n: f64) -> &'static str {
    if n == 1.0 { "" } else { "s" }
}

fn percent(fraction: f64) -> String {
    format!("{}%", trim(fraction * 100.0))
}

/// A parameter as written: no trailing zeros, at most 3 decimals.
fn trim(x: f64) -> String {
    let text = format!("{x:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(effect: FaultEffect, figures: FaultFigures) -> FaultReport {
        FaultReport {
            index: 0,
            kind: String::new(),
            effect,
            target: "db".into(),
            edge: None,
            start_ms: 0.0,
            end_ms: 0.0,
            figures,
        }
    }

    fn count(x: f64) -> String {
        format!("{x}")
    }

    fn ms(x: f64) -> String {
        format!("{x} ms")
    }

    fn count_of(e: Estimate) -> String {
        count(e.value)
    }

    fn ms_of(e: Estimate) -> String {
        ms(e.value)
    }

    #[test]
    fn a_partition_says_what_vanished_and_where() {
        let mut r = report(
            FaultEffect::Partition,
            FaultFigures {
                requests_vanished: Some(Estimate::exact(1204.0)),
                replies_vanished: Some(Estimate::exact(1.0)),
                probes_vanished: Some(Estimate::exact(0.0)),
                ..FaultFigures::default()
            },
        );
        r.edge = Some(EdgeEnds {
            from: "api".into(),
            to: "db".into(),
        });
        assert_eq!(r.place(), "api → db");
        assert_eq!(r.what(count, ms), "partition");
        assert_eq!(
            r.outcome(count_of, ms_of),
            "1204 requests vanished, 1 reply vanished"
        );
    }

    #[test]
    fn a_worker_cut_says_how_many_of_how_many() {
        let r = report(
            FaultEffect::WorkerCut { fraction: 0.5 },
            FaultFigures {
                workers_removed: Some(Estimate::exact(4.0)),
                workers_before: Some(Estimate::exact(8.0)),
                ..FaultFigures::default()
            },
        );
        assert_eq!(r.what(count, ms), "worker cut 50%");
        assert_eq!(r.outcome(count_of, ms_of), "4 of 8 workers removed");
    }

    #[test]
    fn edge_latency_says_the_mean_delay_it_added() {
        let r = report(
            FaultEffect::EdgeLatency {
                extra_ms: 20.0,
                jitter_ms: 10.0,
            },
            FaultFigures {
                trips_delayed: Some(Estimate::exact(2.0)),
                mean_added_ms: Some(Estimate::exact(25.0)),
                ..FaultFigures::default()
            },
        );
        assert_eq!(
            r.what(count, ms),
            "edge latency +20 ms (jitter up to 10 ms)"
        );
        assert_eq!(
            r.outcome(count_of, ms_of),
            "2 trips delayed by 25 ms on average"
        );
    }

    #[test]
    fn figures_of_other_kinds_stay_out_of_the_json() {
        let r = report(
            FaultEffect::Burst { requests: 500 },
            FaultFigures {
                requests_sent: Some(Estimate::exact(500.0)),
                ..FaultFigures::default()
            },
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["requests_sent"]["value"], 500.0);
        assert!(json.get("requests_vanished").is_none());
        assert!(json.get("edge").is_none());
        let back: FaultReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }
}

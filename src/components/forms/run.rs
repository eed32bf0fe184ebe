//! Run settings and the fault timeline: what the properties panel shows with nothing selected.

use archsim_model::{Fault, FaultEffect, InstancePick, RunSettings};
use yew::prelude::*;

use super::{NodeChoice, edit, index, join, node_options, options};
use crate::components::fields::{NumberField, NumberKind, Section, SelectField, format_number};

#[derive(Properties, PartialEq)]
pub struct RunSettingsEditorProps {
    pub value: RunSettings,
    pub on_change: Callback<RunSettings>,
}

#[function_component(RunSettingsEditor)]
pub fn run_settings_editor(props: &RunSettingsEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = "run";
    html! {
        <Section title="Run settings">
            <div class="field-pair">
                <NumberField label="Duration" path={join(path, "duration_ms")} unit="ms"
                    value={value.duration_ms} hint="simulated time"
                    on_change={edit(value, emit, |r, v| r.duration_ms = v)} />
                <NumberField label="Warm-up" path={join(path, "warmup_ms")} unit="ms"
                    value={value.warmup_ms} hint="left out of the stats"
                    on_change={edit(value, emit, |r, v| r.warmup_ms = v)} />
            </div>
            <div class="field-pair">
                <NumberField label="Seed" path={join(path, "seed")} kind={NumberKind::U64}
                    value={value.seed as f64}
                    on_change={edit(value, emit, |r, v: f64| r.seed = v as u64)} />
                <NumberField label="Replications" path={join(path, "replications")} kind={NumberKind::U32}
                    value={value.replications as f64} hint="2+ gives 95% CIs"
                    on_change={edit(value, emit, |r, v: f64| r.replications = v as u32)} />
            </div>
            <div class="field-pair">
                <NumberField label="Time bucket" path={join(path, "bucket_ms")} unit="ms"
                    value={value.bucket_ms}
                    on_change={edit(value, emit, |r, v| r.bucket_ms = v)} />
                <NumberField label="Event limit" path={join(path, "max_events")} kind={NumberKind::U64}
                    value={value.max_events as f64}
                    on_change={edit(value, emit, |r, v: f64| r.max_events = v as u64)} />
            </div>
            <div class="field-pair">
                <NumberField label="In-flight limit" path={join(path, "max_in_flight")} kind={NumberKind::U64}
                    value={value.max_in_flight as f64} hint="requests at once; the memory budget"
                    on_change={edit(value, emit, |r, v: f64| r.max_in_flight = v as u64)} />
            </div>
        </Section>
    }
}

const EFFECT_TYPES: [(&str, &str); 12] = [
    ("crash", "Crash (node down)"),
    ("latency", "Extra latency"),
    ("error_rate", "Extra errors"),
    ("slowdown", "Slow-down"),
    ("worker_cut", "Worker cut (noisy neighbour)"),
    ("reshard", "Reshard (databases)"),
    ("primary_crash", "Primary crash (databases)"),
    ("instance_crash", "Instance crash (autoscaled services)"),
    ("cache_flush", "Cache flush (caches)"),
    ("burst", "Burst of N requests (clients)"),
    ("partition", "Partition (edge)"),
    ("edge_latency", "Extra latency (edge)"),
];

/// A fault effect of the named type with a typical value.
pub fn default_effect(name: &str) -> FaultEffect {
    match name {
        "latency" => FaultEffect::Latency { extra_ms: 100.0 },
        "error_rate" => FaultEffect::ErrorRate { rate: 0.2 },
        "slowdown" => FaultEffect::Slowdown { factor: 3.0 },
        "reshard" => FaultEffect::Reshard { shards: 5 },
        "primary_crash" => FaultEffect::PrimaryCrash,
        "partition" => FaultEffect::Partition,
        "edge_latency" => FaultEffect::EdgeLatency {
            extra_ms: 100.0,
            jitter_ms: 0.0,
        },
        "cache_flush" => FaultEffect::CacheFlush,
        "worker_cut" => FaultEffect::WorkerCut { fraction: 0.5 },
        "burst" => FaultEffect::Burst { requests: 1_000 },
        "instance_crash" => FaultEffect::InstanceCrash {
            count: 1,
            pick: InstancePick::Random,
        },
        _ => FaultEffect::Crash,
    }
}

/// "crash 10 000–20 000 ms"-style summary for the timeline strip's tooltips.
pub fn describe_fault(fault: &Fault) -> String {
    let what = match fault.effect {
        FaultEffect::Crash => "crash".to_string(),
        FaultEffect::Latency { extra_ms } => format!("+{} ms latency", format_number(extra_ms)),
        FaultEffect::ErrorRate { rate } => format!("+{}% errors", format_number(rate * 100.0)),
        FaultEffect::Slowdown { factor } => format!("{}× slower", format_number(factor)),
        FaultEffect::Reshard { shards } => format!("reshard to {shards} shards, keys moving"),
        FaultEffect::PrimaryCrash => "primaries crash".to_string(),
        FaultEffect::Partition => "partition".to_string(),
        FaultEffect::EdgeLatency {
            extra_ms,
            jitter_ms,
        } => {
            if jitter_ms > 0.0 {
                format!(
                    "+{}–{} ms each way",
                    format_number(extra_ms),
                    format_number(extra_ms + jitter_ms)
                )
            } else {
                format!("+{} ms each way", format_number(extra_ms))
            }
        }
        FaultEffect::CacheFlush => "cache flush".to_string(),
        FaultEffect::WorkerCut { fraction } => {
            format!("{}% of workers cut", format_number(fraction * 100.0))
        }
        FaultEffect::Burst { requests } => format!("burst of {requests} requests"),
        FaultEffect::InstanceCrash { count, ref pick } => match pick {
            InstancePick::Random => format!("{count} instance(s) crash, picked at random"),
            InstancePick::Index { index } => {
                format!("{count} instance(s) crash from instance {index}")
            }
        },
    };
    format!(
        "{} on {} from {} to {} ms",
        what,
        fault.target,
        format_number(fault.at_ms),
        format_number(fault.at_ms + fault.duration_ms)
    )
}

#[derive(Properties, PartialEq)]
pub struct FaultTimelineProps {
    pub faults: Vec<Fault>,
    pub nodes: Vec<NodeChoice>,
    /// Targets of the edge effects (partition, extra latency), labelled "from → to".
    pub edges: Vec<NodeChoice>,
    /// The run's duration, to scale the strip.
    pub duration_ms: f64,
    /// The node a new fault targets (see `edit::default_fault_target`); None: no node yet.
    pub default_target: Option<String>,
    pub on_add: Callback<Fault>,
    pub on_update: Callback<(usize, Fault)>,
    pub on_remove: Callback<usize>,
}

#[function_component(FaultTimeline)]
pub fn fault_timeline(props: &FaultTimelineProps) -> Html {
    let span = props
        .faults
        .iter()
        .map(|f| f.at_ms + f.duration_ms)
        .fold(props.duration_ms, f64::max)
        .max(1.0);
    let bars = props.faults.iter().enumerate().map(|(i, fault)| {
        let left = (fault.at_ms / span * 100.0).clamp(0.0, 100.0);
        let width = (fault.duration_ms / span * 100.0).clamp(0.5, 100.0 - left);
        html! {
            <div class={classes!("fault-bar", format!("fault-{}", fault.effect.type_name()))}
                 style={format!("left:{left:.2}%;width:{width:.2}%;top:{}px", 4 + (i % 4) * 9)}
                 title={describe_fault(fault)} />
        }
    });
    let node_choices = node_options(&props.nodes);
    let edge_choices = node_options(&props.edges);
    let rows = props.faults.iter().enumerate().map(|(i, fault)| {
        let path = index("faults", i);
        let update = {
            let on_update = props.on_update.clone();
            Callback::from(move |f: Fault| on_update.emit((i, f)))
        };
        let on_edge = fault.effect.on_edge();
        let (targets, mut target_options) = if on_edge {
            (&props.edges, edge_choices.clone())
        } else {
            (&props.nodes, node_choices.clone())
        };
        if !targets.iter().any(|n| n.id == fault.target) {
            target_options.insert(0, (fault.target.clone().into(), format!("{} (missing)", fault.target).into()));
        }
        let effect_field = match fault.effect {
            FaultEffect::Crash => html! {},
            FaultEffect::PrimaryCrash => html! {
                <p class="hint">{ "Every shard's primary is down; with failover a replica takes over after its detection delay, else the shard waits for the end." }</p>
            },
            FaultEffect::Latency { extra_ms } => html! {
                <NumberField label="Extra latency" path={join(&path, "effect.extra_ms")} unit="ms" value={extra_ms}
                    on_change={edit(fault, &update, |f, v| f.effect = FaultEffect::Latency { extra_ms: v })} />
            },
            FaultEffect::ErrorRate { rate } => html! {
                <NumberField label="Extra error rate" path={join(&path, "effect.rate")} kind={NumberKind::Percent} value={rate}
                    on_change={edit(fault, &update, |f, v| f.effect = FaultEffect::ErrorRate { rate: v })} />
            },
            FaultEffect::Slowdown { factor } => html! {
                <NumberField label="Service time ×" path={join(&path, "effect.factor")} unit="×" value={factor}
                    on_change={edit(fault, &update, |f, v| f.effect = FaultEffect::Slowdown { factor: v })} />
            },
            FaultEffect::Reshard { shards } => html! {
                <NumberField label="Shards after" path={join(&path, "effect.shards")} kind={NumberKind::U32}
                    value={shards as f64}
                    hint="From the start on; keys move until the end (their first query reads the old shard too)."
                    on_change={edit(fault, &update, |f, v: f64| f.effect = FaultEffect::Reshard { shards: v as u32 })} />
            },
            FaultEffect::Partition => html! {
                <p class="field-hint">{ "Requests and answers sent along the edge vanish: the caller sees only its timeouts." }</p>
            },
            FaultEffect::EdgeLatency { extra_ms, jitter_ms } => html! {
                <div class="field-pair">
                    <NumberField label="Extra latency" path={join(&path, "effect.extra_ms")} unit="ms" value={extra_ms}
                        on_change={edit(fault, &update, move |f, v| f.effect = FaultEffect::EdgeLatency { extra_ms: v, jitter_ms })} />
                    <NumberField label="Jitter up to" path={join(&path, "effect.jitter_ms")} unit="ms" value={jitter_ms}
                        hint="uniform, on top"
                        on_change={edit(fault, &update, move |f, v| f.effect = FaultEffect::EdgeLatency { extra_ms, jitter_ms: v })} />
                </div>
            },
            FaultEffect::CacheFlush => html! {
                <p class="field-hint">{ "Empties the cache at the start; it stays up. The duration plays no part." }</p>
            },
            FaultEffect::WorkerCut { fraction } => html! {
                <NumberField label="Workers cut" path={join(&path, "effect.fraction")} kind={NumberKind::Percent} value={fraction}
                    hint="Work in progress finishes; no new work starts on a lost worker."
                    on_change={edit(fault, &update, |f, v| f.effect = FaultEffect::WorkerCut { fraction: v })} />
            },
            FaultEffect::Burst { requests } => html! {
                <NumberField label="Requests" path={join(&path, "effect.requests")} kind={NumberKind::U32}
                    value={requests as f64}
                    hint="All at the start when the duration is 0, else spread evenly over it."
                    on_change={edit(fault, &update, |f, v: f64| f.effect = FaultEffect::Burst { requests: v as u32 })} />
            },
            FaultEffect::InstanceCrash { count, ref pick } => {
                let pick = pick.clone();
                let at = match pick {
                    InstancePick::Index { index } => Some(index),
                    InstancePick::Random => None,
                };
                let with = move |f: &mut Fault, count: u32, pick: InstancePick| {
                    f.effect = FaultEffect::InstanceCrash { count, pick };
                };
                html! {
                    <>
                        <div class="field-pair">
                            <NumberField label="Instances" path={join(&path, "effect.count")} kind={NumberKind::U32}
                                value={count as f64}
                                on_change={edit(fault, &update, { let pick = pick.clone(); move |f, v: f64| with(f, v as u32, pick.clone()) })} />
                            <SelectField label="Which" path={join(&path, "effect.pick.type")}
                                value={if at.is_some() { "index" } else { "random" }}
                                options={options(&[("random", "At random (seeded)"), ("index", "From an index")])}
                                on_change={edit(fault, &update, move |f, to: String| with(f, count, if to == "index" { InstancePick::Index { index: 0 } } else { InstancePick::Random }))} />
                        </div>
                        if let Some(index) = at {
                            <NumberField label="From instance" path={join(&path, "effect.pick.index")} kind={NumberKind::U32}
                                value={index as f64} hint="0 is the group's first instance"
                                on_change={edit(fault, &update, move |f, v: f64| with(f, count, InstancePick::Index { index: v as u32 }))} />
                        }
                        <p class="field-hint">{ "Their requests fail at once; each is down for the duration (until the controller notices; 0: at once), then replaced, serving after the group's provisioning delay." }</p>
                    </>
                }
            }
        };
        let remove = {
            let on_remove = props.on_remove.clone();
            Callback::from(move |_: MouseEvent| on_remove.emit(i))
        };
        html! {
            <li class="fault-row" key={i}>
                <div class="fault-row-head">
                    <span class={classes!("fault-swatch", format!("fault-{}", fault.effect.type_name()))} />
                    <span class="fault-title">{ format!("Fault {}", i + 1) }</span>
                    <button type="button" class="icon-button row-remove" title="Remove this fault"
                        aria-label="Remove this fault" onclick={remove}>{ "×" }</button>
                </div>
                <SelectField label={if on_edge { "Edge" } else { "Node" }} path={join(&path, "target")} value={fault.target.clone()}
                    options={target_options}
                    on_change={edit(fault, &update, |f, id: String| f.target = id)} />
                <SelectField label="Effect" path={join(&path, "effect.type")} value={fault.effect.type_name()}
                    options={options(&EFFECT_TYPES)}
                    on_change={{
                        let first_node = props.nodes.first().map(|n| n.id.clone());
                        let first_edge = props.edges.first().map(|e| e.id.clone());
                        edit(fault, &update, move |f, to: String| {
                            let effect = default_effect(&to);
                            // Switching between node and edge effects retargets the fault.
                            if effect.on_edge() != f.effect.on_edge() {
                                let first = if effect.on_edge() { &first_edge } else { &first_node };
                                if let Some(id) = first {
                                    f.target = id.clone();
                                }
                            }
                            f.effect = effect;
                        })
                    }} />
                <div class="field-pair">
                    <NumberField label="Starts at" path={join(&path, "at_ms")} unit="ms" value={fault.at_ms}
                        on_change={edit(fault, &update, |f, v| f.at_ms = v)} />
                    <NumberField label="Lasts" path={join(&path, "duration_ms")} unit="ms" value={fault.duration_ms}
                        on_change={edit(fault, &update, |f, v| f.duration_ms = v)} />
                </div>
                { effect_field }
            </li>
        }
    });
    let add = props.default_target.clone().map(|target| {
        let on_add = props.on_add.clone();
        let duration = props.duration_ms;
        Callback::from(move |_: MouseEvent| {
            let quarter = if duration.is_finite() && duration > 0.0 {
                (duration / 4.0).round()
            } else {
                10_000.0
            };
            on_add.emit(Fault {
                target: target.clone(),
                at_ms: quarter,
                duration_ms: quarter,
                effect: FaultEffect::Crash,
            })
        })
    });
    html! {
        <Section title="Fault timeline">
            <div class="fault-strip" aria-hidden="true">
                { for bars }
                <span class="fault-strip-end">{ format!("{} ms", format_number(span)) }</span>
            </div>
            if props.faults.is_empty() {
                <p class="field-hint">{ "No faults: the run is fault-free." }</p>
            }
            if !props.faults.is_empty() {
                <ul class="fault-list">{ for rows }</ul>
            }
            if let Some(add) = add {
                <button type="button" class="small-button" id="add-fault" onclick={add}>{ "+ Add fault" }</button>
            } else {
                <p class="field-hint">{ "Add a node to inject faults into it." }</p>
            }
        </Section>
    }
}

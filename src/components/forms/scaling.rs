//! The editor of a service's `autoscaling` (an autoscaled group sized by a Kubernetes HPA):
//! every field of `archsim_model::scaling`, including each direction's rules and policies.

use archsim_model::{
    Autoscaling, ColdStart, Discovery, PolicyKind, ScalingMetric, ScalingPolicy, ScalingRules,
    SelectPolicy,
};
use yew::prelude::*;

use super::{edit, index, join, options};
use crate::components::fields::{
    CheckField, NumberField, NumberKind, OptionalSection, SelectField,
};

#[derive(Properties, PartialEq)]
pub struct AutoscalingEditorProps {
    /// JSON path of the service's `autoscaling` member.
    pub path: AttrValue,
    pub value: Option<Autoscaling>,
    pub on_change: Callback<Option<Autoscaling>>,
}

#[function_component(AutoscalingEditor)]
pub fn autoscaling_editor(props: &AutoscalingEditorProps) -> Html {
    let path = props.path.as_str();
    let on_toggle = {
        let emit = props.on_change.clone();
        Callback::from(move |on: bool| emit.emit(on.then(Autoscaling::default)))
    };
    let body = props.value.as_ref().map(|value| {
        let emit = props.on_change.reform(Some);
        fields(path, value, &emit)
    });
    html! {
        <OptionalSection title="Autoscaling (Kubernetes HPA)" path={props.path.clone()}
            enabled={props.value.is_some()}
            hint="Run the service as a group of instances that an autoscaler adds and removes."
            on_toggle={on_toggle}>
            { for body }
        </OptionalSection>
    }
}

fn fields(path: &str, value: &Autoscaling, emit: &Callback<Autoscaling>) -> Html {
    let metric = value.metric;
    let (target_kind, target_unit, target_hint) = match metric {
        ScalingMetric::Utilisation => (NumberKind::Percent, None, "busy workers per instance"),
        ScalingMetric::InFlight => (NumberKind::Real, Some("requests"), "per instance"),
    };
    let cold_path = format!("{path}.cold_start");
    html! {
        <>
            <div class="field-pair">
                <NumberField label="Min instances" path={join(path, "min_instances")} kind={NumberKind::U32}
                    value={value.min_instances as f64}
                    on_change={edit(value, emit, |a, v: f64| a.min_instances = v as u32)} />
                <NumberField label="Max instances" path={join(path, "max_instances")} kind={NumberKind::U32}
                    value={value.max_instances as f64}
                    on_change={edit(value, emit, |a, v: f64| a.max_instances = v as u32)} />
            </div>
            <NumberField label="Instances at the start" path={join(path, "initial_instances")} kind={NumberKind::U32}
                value={value.initial() as f64} hint="warm, serving from the start"
                on_change={edit(value, emit, |a, v: f64| a.initial_instances = Some(v as u32))} />
            <SelectField label="Metric" path={join(path, "metric")} value={metric.name()}
                options={options(&ScalingMetric::CATALOG)}
                on_change={edit(value, emit, |a, to: String| {
                    if let Some(m) = ScalingMetric::named(&to) {
                        if m != a.metric {
                            // A utilisation target means nothing as a request count, and back.
                            a.target = match m {
                                ScalingMetric::Utilisation => 0.7,
                                ScalingMetric::InFlight => 10.0,
                            };
                        }
                        a.metric = m;
                    }
                })} />
            <NumberField label="Target" path={join(path, "target")} kind={target_kind}
                unit={target_unit.map(AttrValue::from)} value={value.target} hint={target_hint}
                on_change={edit(value, emit, |a, v| a.target = v)} />
            <div class="field-pair">
                <NumberField label="Metric window" path={join(path, "metric_window_ms")} kind={NumberKind::Millis}
                    unit="ms" value={value.metric_window_ms}
                    on_change={edit(value, emit, |a, v| a.metric_window_ms = v)} />
                <NumberField label="Evaluate every" path={join(path, "evaluation_interval_ms")} kind={NumberKind::Millis}
                    unit="ms" value={value.evaluation_interval_ms}
                    on_change={edit(value, emit, |a, v| a.evaluation_interval_ms = v)} />
            </div>
            <div class="field-pair">
                <NumberField label="Tolerance" path={join(path, "tolerance")} kind={NumberKind::Percent}
                    value={value.tolerance} hint="no change this close to the target"
                    on_change={edit(value, emit, |a, v| a.tolerance = v)} />
                <NumberField label="Provisioning delay" path={join(path, "provisioning_delay_ms")} kind={NumberKind::Millis}
                    unit="ms" value={value.provisioning_delay_ms} hint="until a new instance serves"
                    on_change={edit(value, emit, |a, v| a.provisioning_delay_ms = v)} />
            </div>
            <RulesEditor title="Scale up" path={join(path, "scale_up")} value={value.scale_up.clone()}
                on_change={edit(value, emit, |a, r| a.scale_up = r)} />
            <RulesEditor title="Scale down" path={join(path, "scale_down")} value={value.scale_down.clone()}
                on_change={edit(value, emit, |a, r| a.scale_down = r)} />
            <OptionalSection title="Cold start" path={cold_path.clone()}
                enabled={value.cold_start.is_some()}
                hint="New instances are slower for their first moments."
                on_toggle={edit(value, emit, |a, on: bool| a.cold_start = on.then(ColdStart::default))}>
                if let Some(cold) = &value.cold_start {
                    <div class="field-pair">
                        <NumberField label="For" path={join(&cold_path, "duration_ms")} kind={NumberKind::Millis}
                            unit="ms" value={cold.duration_ms}
                            on_change={edit(value, emit, |a, v| if let Some(c) = &mut a.cold_start { c.duration_ms = v })} />
                        <NumberField label="Slower by" path={join(&cold_path, "factor")} unit="×"
                            value={cold.factor}
                            on_change={edit(value, emit, |a, v| if let Some(c) = &mut a.cold_start { c.factor = v })} />
                    </div>
                }
            </OptionalSection>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct RulesEditorProps {
    pub title: AttrValue,
    pub path: AttrValue,
    pub value: ScalingRules,
    pub on_change: Callback<ScalingRules>,
}

/// One direction's HPA rules: stabilisation window, policy selection, the policies (an
/// autoscaled service's, and a queue's scaled consumers').
#[function_component(RulesEditor)]
pub(super) fn rules_editor(props: &RulesEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let policies_path = format!("{path}.policies");
    let select = match value.select_policy {
        SelectPolicy::Max => "max",
        SelectPolicy::Min => "min",
        SelectPolicy::Disabled => "disabled",
    };
    let rows = value.policies.iter().enumerate().map(|(i, policy)| {
        let row_path = index(&policies_path, i);
        let kind = match policy.kind {
            PolicyKind::Instances => "instances",
            PolicyKind::Percent => "percent",
        };
        html! {
            <div class="list-row" key={i}>
                <NumberField label="At most" path={join(&row_path, "value")} kind={NumberKind::U32}
                    value={policy.value as f64}
                    on_change={edit(value, emit, move |r, v: f64| r.policies[i].value = v as u32)} />
                <SelectField label="Of" path={join(&row_path, "type")} value={kind}
                    options={options(&[("instances", "instances"), ("percent", "percent")])}
                    on_change={edit(value, emit, move |r, to: String| r.policies[i].kind = if to == "percent" { PolicyKind::Percent } else { PolicyKind::Instances })} />
                <NumberField label="Per" path={join(&row_path, "period_ms")} kind={NumberKind::Millis}
                    unit="ms" value={policy.period_ms}
                    on_change={edit(value, emit, move |r, v| r.policies[i].period_ms = v)} />
                <button type="button" class="icon-button row-remove" title="Remove this policy"
                    aria-label="Remove this policy"
                    onclick={edit(value, emit, move |r, _: MouseEvent| { r.policies.remove(i); })}>{ "×" }</button>
            </div>
        }
    });
    let add = edit(value, emit, |r, _: MouseEvent| {
        r.policies.push(ScalingPolicy {
            kind: PolicyKind::Instances,
            value: 4,
            period_ms: 15_000.0,
        })
    });
    html! {
        <div class="subsection">
            <p class="field-label">{ props.title.clone() }</p>
            <div class="field-pair">
                <NumberField label="Stabilisation window" path={join(path, "stabilization_window_ms")}
                    kind={NumberKind::Millis} unit="ms" value={value.stabilization_window_ms}
                    on_change={edit(value, emit, |r, v| r.stabilization_window_ms = v)} />
                <SelectField label="Policy" path={join(path, "select_policy")} value={select}
                    options={options(&[("max", "Largest change allowed"), ("min", "Smallest change allowed"), ("disabled", "Never")])}
                    on_change={edit(value, emit, |r, to: String| r.select_policy = match to.as_str() {
                        "min" => SelectPolicy::Min,
                        "disabled" => SelectPolicy::Disabled,
                        _ => SelectPolicy::Max,
                    })} />
            </div>
            if value.policies.is_empty() {
                <p class="field-hint">{ "No policies: no limit on a step." }</p>
            }
            { for rows }
            <button type="button" class="small-button" onclick={add}>{ "+ Add policy" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct DiscoveryEditorProps {
    /// JSON path of the service's `discovery` member.
    pub path: AttrValue,
    pub value: Option<Discovery>,
    pub on_change: Callback<Option<Discovery>>,
}

/// How an autoscaled group's callers learn of its instances (a registry and its delays).
#[function_component(DiscoveryEditor)]
pub fn discovery_editor(props: &DiscoveryEditorProps) -> Html {
    let path = props.path.as_str();
    let on_toggle = {
        let emit = props.on_change.clone();
        Callback::from(move |on: bool| emit.emit(on.then(Discovery::default)))
    };
    let body = props.value.as_ref().map(|value| {
        let emit = &props.on_change.reform(Some);
        html! {
            <>
                <div class="field-pair">
                    <NumberField label="Registration delay" path={join(path, "registration_delay_ms")}
                        kind={NumberKind::Millis} unit="ms" value={value.registration_delay_ms}
                        on_change={edit(value, emit, |d, v| d.registration_delay_ms = v)} />
                    <NumberField label="Callers refresh every" path={join(path, "refresh_interval_ms")}
                        kind={NumberKind::Millis} unit="ms" value={value.refresh_interval_ms}
                        on_change={edit(value, emit, |d, v| d.refresh_interval_ms = v)} />
                </div>
                <NumberField label="Heartbeat timeout" path={join(path, "heartbeat_timeout_ms")}
                    kind={NumberKind::Millis} unit="ms" value={value.heartbeat_timeout_ms}
                    hint="a stopped instance stays listed this long"
                    on_change={edit(value, emit, |d, v| d.heartbeat_timeout_ms = v)} />
                <CheckField label="Deregister on shutdown" path={join(path, "deregister_on_shutdown")}
                    value={value.deregister_on_shutdown}
                    hint="Off: a removed instance is dropped only when its heartbeat times out."
                    on_change={edit(value, emit, |d, v| d.deregister_on_shutdown = v)} />
            </>
        }
    });
    html! {
        <OptionalSection title="Service discovery (registry)" path={props.path.clone()}
            enabled={props.value.is_some()}
            hint="Callers learn of new and removed instances late."
            on_toggle={on_toggle}>
            { for body }
        </OptionalSection>
    }
}

//! The editor of a queue's `consumer_scaling` (its consumers as a group KEDA scales on lag,
//! through the HPA): every field of `archsim_model::keda`.

use archsim_model::ConsumerScaling;
use yew::prelude::*;

use super::scaling::RulesEditor;
use super::{edit, join};
use crate::components::fields::{CheckField, NumberField, NumberKind, OptionalSection};

#[derive(Properties, PartialEq)]
pub struct ConsumerScalingEditorProps {
    /// JSON path of the queue's `consumer_scaling` member.
    pub path: AttrValue,
    pub value: Option<ConsumerScaling>,
    /// The queue is a partitioned topic (Kafka's scaler) rather than a shared queue (SQS's).
    pub partitioned: bool,
    pub on_change: Callback<Option<ConsumerScaling>>,
}

#[function_component(ConsumerScalingEditor)]
pub fn consumer_scaling_editor(props: &ConsumerScalingEditorProps) -> Html {
    let path = props.path.as_str();
    let on_toggle = {
        let emit = props.on_change.clone();
        Callback::from(move |on: bool| emit.emit(on.then(ConsumerScaling::default)))
    };
    let body = props.value.as_ref().map(|value| {
        let emit = props.on_change.reform(Some);
        fields(path, value, props.partitioned, &emit)
    });
    html! {
        <OptionalSection title="Consumers scaled on lag (KEDA)" path={props.path.clone()}
            enabled={props.value.is_some()}
            hint="Add and remove consumers as the lag grows and drains; Consumers is then how many there are at the start."
            on_toggle={on_toggle}>
            { for body }
        </OptionalSection>
    }
}

fn fields(
    path: &str,
    value: &ConsumerScaling,
    partitioned: bool,
    emit: &Callback<ConsumerScaling>,
) -> Html {
    let threshold_hint = if partitioned {
        "lag per consumer (Kafka lagThreshold; default 10)"
    } else {
        "messages per consumer (SQS queueLength; default 5)"
    };
    html! {
        <>
            <div class="field-pair">
                <NumberField label="Min consumers" path={join(path, "min_replicas")} kind={NumberKind::U32}
                    value={value.min_replicas as f64} hint="0: scale to zero when idle"
                    on_change={edit(value, emit, |s, v: f64| s.min_replicas = v as u32)} />
                <NumberField label="Max consumers" path={join(path, "max_replicas")} kind={NumberKind::U32}
                    value={value.max_replicas as f64}
                    on_change={edit(value, emit, |s, v: f64| s.max_replicas = v as u32)} />
            </div>
            <div class="field-pair">
                <NumberField label="Lag threshold" path={join(path, "lag_threshold")} unit="msgs"
                    value={value.threshold(partitioned)} hint={threshold_hint}
                    on_change={edit(value, emit, |s, v| s.lag_threshold = Some(v))} />
                <NumberField label="Activation threshold" path={join(path, "activation_lag_threshold")} unit="msgs"
                    value={value.activation_lag_threshold} hint="lag that wakes a group at zero"
                    on_change={edit(value, emit, |s, v| s.activation_lag_threshold = v)} />
            </div>
            <CheckField label="Count messages being delivered" path={join(path, "count_in_flight")}
                value={value.count_in_flight}
                hint="SQS scaleOnInFlight; a Kafka group's lag counts them until they are committed."
                on_change={edit(value, emit, |s, v| s.count_in_flight = v)} />
            if partitioned {
                <CheckField label="Allow idle consumers" path={join(path, "allow_idle_consumers")}
                    value={value.allow_idle_consumers}
                    hint="Off (KEDA's default): never more consumers than partitions."
                    on_change={edit(value, emit, |s, v| s.allow_idle_consumers = v)} />
            }
            <div class="field-pair">
                <NumberField label="Poll every" path={join(path, "polling_interval_ms")} kind={NumberKind::Millis}
                    unit="ms" value={value.polling_interval_ms} hint="KEDA's activation check"
                    on_change={edit(value, emit, |s, v| s.polling_interval_ms = v)} />
                <NumberField label="Cooldown" path={join(path, "cooldown_period_ms")} kind={NumberKind::Millis}
                    unit="ms" value={value.cooldown_period_ms} hint="idle this long before zero"
                    on_change={edit(value, emit, |s, v| s.cooldown_period_ms = v)} />
            </div>
            <div class="field-pair">
                <NumberField label="Evaluate every" path={join(path, "evaluation_interval_ms")} kind={NumberKind::Millis}
                    unit="ms" value={value.evaluation_interval_ms} hint="the HPA's sync period"
                    on_change={edit(value, emit, |s, v| s.evaluation_interval_ms = v)} />
                <NumberField label="Tolerance" path={join(path, "tolerance")} kind={NumberKind::Percent}
                    value={value.tolerance} hint="no change this close to the target"
                    on_change={edit(value, emit, |s, v| s.tolerance = v)} />
            </div>
            <NumberField label="Provisioning delay" path={join(path, "provisioning_delay_ms")} kind={NumberKind::Millis}
                unit="ms" value={value.provisioning_delay_ms} hint="until a new consumer consumes"
                on_change={edit(value, emit, |s, v| s.provisioning_delay_ms = v)} />
            <RulesEditor title="Scale up" path={join(path, "scale_up")} value={value.scale_up.clone()}
                on_change={edit(value, emit, |s, r| s.scale_up = r)} />
            <RulesEditor title="Scale down" path={join(path, "scale_down")} value={value.scale_down.clone()}
                on_change={edit(value, emit, |s, r| s.scale_down = r)} />
        </>
    }
}

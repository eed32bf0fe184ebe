//! An edge's circuit breaker (the model's `breaker.rs`, resilience4j's options): thresholds,
//! the sliding window (time-based or count-based), slow calls, the open and half-open states.

use archsim_model::{BreakerParams, BreakerWindow, HalfOpenRule};
use yew::prelude::*;

use super::{catalog_options, edit, join};
use crate::components::fields::{
    CheckField, NumberField, NumberKind, OptionalSection, SelectField,
};

#[derive(Properties, PartialEq)]
pub struct BreakerEditorProps {
    /// JSON path of the `circuit_breaker` object.
    pub path: AttrValue,
    pub value: BreakerParams,
    pub on_change: Callback<BreakerParams>,
}

#[function_component(BreakerEditor)]
pub fn breaker_editor(props: &BreakerEditorProps) -> Html {
    let b = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let window_fields = match b.window {
        BreakerWindow::TimeBased => html! {
            <div class="field-pair">
                <NumberField label="Window" path={join(path, "window_ms")} unit="ms"
                    value={b.window_ms} hint="a whole number of buckets"
                    on_change={edit(b, emit, |b, v| b.window_ms = v)} />
                <NumberField label="Time bucket" path={join(path, "bucket_ms")} unit="ms"
                    value={b.bucket_ms} hint="aligned on multiples of it"
                    on_change={edit(b, emit, |b, v| b.bucket_ms = v)} />
            </div>
        },
        BreakerWindow::CountBased => html! {
            <NumberField label="Calls in the window" path={join(path, "window_calls")}
                kind={NumberKind::U32} value={b.window_calls as f64} hint="the last this many calls"
                on_change={edit(b, emit, |b, v: f64| b.window_calls = v as u32)} />
        },
    };
    html! {
        <>
            <div class="field-pair">
                <NumberField label="Open at failures" path={join(path, "failure_threshold")}
                    kind={NumberKind::Percent} value={b.failure_threshold}
                    on_change={edit(b, emit, |b, v| b.failure_threshold = v)} />
                <NumberField label="Minimum calls" path={join(path, "minimum_calls")}
                    kind={NumberKind::U32} value={b.minimum_calls as f64}
                    hint="before the rates count"
                    on_change={edit(b, emit, |b, v: f64| b.minimum_calls = v as u32)} />
            </div>
            <SelectField label="Sliding window" path={join(path, "window")} value={b.window.name()}
                options={catalog_options(&BreakerWindow::CATALOG)}
                on_change={edit(b, emit, |b, name: String| if let Some(w) = BreakerWindow::default_named(&name) { b.window = w })} />
            { window_fields }
            <OptionalSection title="Slow calls" path={join(path, "slow_call_duration_ms")}
                enabled={b.slow_call_duration_ms.is_some()}
                hint="A call slower than this counts as slow, whether it succeeded or failed."
                on_toggle={edit(b, emit, |b, on: bool| b.slow_call_duration_ms = on.then_some(1_000.0))}>
            if let Some(slow) = b.slow_call_duration_ms {
                <div class="field-pair">
                    <NumberField label="Slow after" path={join(path, "slow_call_duration_ms")} unit="ms"
                        value={slow} hint="succeeded or failed"
                        on_change={edit(b, emit, |b, v| b.slow_call_duration_ms = Some(v))} />
                    <NumberField label="Open at slow calls" path={join(path, "slow_call_threshold")}
                        kind={NumberKind::Percent} value={b.slow_call_threshold}
                        on_change={edit(b, emit, |b, v| b.slow_call_threshold = v)} />
                </div>
            }
            </OptionalSection>
            <div class="field-pair">
                <NumberField label="Open for" path={join(path, "open_ms")} unit="ms"
                    value={b.open_ms}
                    on_change={edit(b, emit, |b, v| b.open_ms = v)} />
                <NumberField label="Half-open calls" path={join(path, "half_open_probes")}
                    kind={NumberKind::U32} value={b.half_open_probes as f64}
                    on_change={edit(b, emit, |b, v: f64| b.half_open_probes = v as u32)} />
            </div>
            <SelectField label="Half-open decides by" path={join(path, "half_open")} value={b.half_open.name()}
                options={catalog_options(&HalfOpenRule::CATALOG)}
                on_change={edit(b, emit, |b, name: String| if let Some(r) = HalfOpenRule::default_named(&name) { b.half_open = r })} />
            <CheckField label="Half-open on its own" path={join(path, "automatic_transition")}
                value={b.automatic_transition}
                on_change={edit(b, emit, |b, v| b.automatic_transition = v)} />
        </>
    }
}

//! The caller-side cures for overload on an edge: Finagle's retry budget, a bulkhead and the
//! SRE book's client-side adaptive throttling (the model's `resilience.rs`).

use archsim_model::{AdaptiveThrottlingParams, BulkheadParams, EdgeParams, RetryBudgetParams};
use yew::prelude::*;

use super::{edit, join};
use crate::components::fields::{CheckField, NumberField, NumberKind, OptionalSection, Section};

#[derive(Properties, PartialEq)]
pub struct EdgeCuresEditorProps {
    /// JSON path of the edge's `params` object.
    pub path: AttrValue,
    pub value: EdgeParams,
    pub on_change: Callback<EdgeParams>,
}

#[function_component(EdgeCuresEditor)]
pub fn edge_cures_editor(props: &EdgeCuresEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let budget_path = format!("{path}.retry_budget");
    let throttle_path = format!("{path}.adaptive_throttling");
    let bulkhead_path = format!("{path}.bulkhead");
    html! {
        <>
            <Section title="Deadline">
                <CheckField label="Propagate the deadline" path={join(path, "propagate_deadline")}
                    value={value.propagate_deadline}
                    hint="As gRPC: the callee inherits the earliest give-up time up the chain, this edge's timeout is cut to what is left, and giving up cancels all the work below."
                    on_change={edit(value, emit, |e, v| e.propagate_deadline = v)} />
            </Section>
            <OptionalSection title="Retry budget" path={budget_path.clone()}
                enabled={value.retry_budget.is_some()}
                hint="Retry only while retries stay under a share of recent calls (Finagle's RetryBudget)."
                on_toggle={edit(value, emit, |e, on: bool| e.retry_budget = on.then(RetryBudgetParams::default))}>
                if let Some(budget) = &value.retry_budget {
                    <div class="field-pair">
                        <NumberField label="Retries per call" path={join(&budget_path, "percent_can_retry")}
                            kind={NumberKind::Percent} value={budget.percent_can_retry}
                            hint="20 allows one retry for every five calls"
                            on_change={edit(value, emit, |e, v| if let Some(b) = &mut e.retry_budget { b.percent_can_retry = v })} />
                        <NumberField label="Always allowed" path={join(&budget_path, "min_retries_per_sec")}
                            kind={NumberKind::U32} unit="retries/s" value={budget.min_retries_per_sec as f64}
                            on_change={edit(value, emit, |e, v: f64| if let Some(b) = &mut e.retry_budget { b.min_retries_per_sec = v as u32 })} />
                    </div>
                    <NumberField label="Calls count for" path={join(&budget_path, "ttl_ms")} unit="ms"
                        value={budget.ttl_ms} hint="1 s to 60 s"
                        on_change={edit(value, emit, |e, v| if let Some(b) = &mut e.retry_budget { b.ttl_ms = v })} />
                }
            </OptionalSection>
            <OptionalSection title="Bulkhead" path={bulkhead_path.clone()}
                enabled={value.bulkhead.is_some()}
                hint="At most this many attempts in flight along the edge; more fail at once (bulkhead_full)."
                on_toggle={edit(value, emit, |e, on: bool| e.bulkhead = on.then(BulkheadParams::default))}>
                if let Some(bulkhead) = &value.bulkhead {
                    <NumberField label="Max in flight" path={join(&bulkhead_path, "max_concurrent")}
                        kind={NumberKind::U32} value={bulkhead.max_concurrent as f64}
                        on_change={edit(value, emit, |e, v: f64| if let Some(b) = &mut e.bulkhead { b.max_concurrent = v as u32 })} />
                }
            </OptionalSection>
            <OptionalSection title="Adaptive throttling" path={throttle_path.clone()}
                enabled={value.adaptive_throttling.is_some()}
                hint="Reject requests locally when the callee accepts too few (Google SRE book): probability (requests − K·accepts) / (requests + 1)."
                on_toggle={edit(value, emit, |e, on: bool| e.adaptive_throttling = on.then(AdaptiveThrottlingParams::default))}>
                if let Some(throttling) = &value.adaptive_throttling {
                    <div class="field-pair">
                        <NumberField label="K" path={join(&throttle_path, "k")} value={throttling.k}
                            hint="2 in the book; lower rejects sooner"
                            on_change={edit(value, emit, |e, v| if let Some(t) = &mut e.adaptive_throttling { t.k = v })} />
                        <NumberField label="Window" path={join(&throttle_path, "window_ms")} unit="ms"
                            value={throttling.window_ms}
                            on_change={edit(value, emit, |e, v| if let Some(t) = &mut e.adaptive_throttling { t.window_ms = v })} />
                    </div>
                }
            </OptionalSection>
        </>
    }
}

//! The caller's side of an edge: network latency, timeout, retries, circuit breaker, weight;
//! the cures for overload (retry budget, adaptive throttling) are in `edge_cures.rs`.

use archsim_model::{BreakerParams, EdgeParams, Jitter, RateLimiterParams, RetryPolicy};
use yew::prelude::*;

use super::breaker::BreakerEditor;
use super::distribution::DistributionEditor;
use super::edge_cures::EdgeCuresEditor;
use super::hedging::HedgingEditor;
use super::node::RateLimiterEditor;
use super::{edit, join, options};
use crate::components::fields::{
    CheckField, NumberField, NumberKind, OptionalSection, Section, SelectField,
};

#[derive(Properties, PartialEq)]
pub struct EdgeParamsEditorProps {
    /// JSON path of the edge's `params` object, e.g. `edges[0].params`.
    pub path: AttrValue,
    pub value: EdgeParams,
    pub on_change: Callback<EdgeParams>,
    /// The edge leaves an API gateway: it is a route, which may have a rate limit.
    #[prop_or_default]
    pub from_gateway: bool,
}

#[function_component(EdgeParamsEditor)]
pub fn edge_params_editor(props: &EdgeParamsEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let retry_path = format!("{path}.retry");
    let breaker_path = format!("{path}.circuit_breaker");
    let rate_limit_path = format!("{path}.rate_limit");
    let jitter = |r: &RetryPolicy| match r.jitter {
        Jitter::None => "none",
        Jitter::Full => "full",
        Jitter::Equal => "equal",
    };
    html! {
        <>
            <Section title="Network">
                <DistributionEditor label="One-way latency" path={join(path, "latency")}
                    value={value.latency.clone()} on_change={edit(value, emit, |e, d| e.latency = d)} />
                <div class="field-pair">
                    <NumberField label="Weight" path={join(path, "weight")} kind={NumberKind::U32}
                        value={value.weight as f64} hint="for weighted balancing"
                        on_change={edit(value, emit, |e, v: f64| e.weight = v as u32)} />
                    <NumberField label="Call probability" path={join(path, "call_probability")}
                        kind={NumberKind::Percent} value={value.call_probability}
                        on_change={edit(value, emit, |e, v| e.call_probability = v)} />
                </div>
            </Section>
            <OptionalSection title="Timeout" path={join(path, "timeout_ms")} enabled={value.timeout_ms.is_some()}
                hint="Without a timeout the caller waits forever."
                on_toggle={edit(value, emit, |e, on: bool| e.timeout_ms = on.then_some(1_000.0))}>
                if let Some(timeout) = value.timeout_ms {
                    <NumberField label="Give up after" path={join(path, "timeout_ms")} unit="ms" value={timeout}
                        on_change={edit(value, emit, |e, v| e.timeout_ms = Some(v))} />
                }
            </OptionalSection>
            <OptionalSection title="Retries" path={retry_path.clone()} enabled={value.retry.is_some()}
                hint="Retry after an error, a rejection or (optionally) a timeout."
                on_toggle={edit(value, emit, |e, on: bool| e.retry = on.then(RetryPolicy::default))}>
                if let Some(retry) = &value.retry {
                    <NumberField label="Attempts in all" path={join(&retry_path, "max_attempts")}
                        kind={NumberKind::U32} value={retry.max_attempts as f64} hint="1 means no retry"
                        on_change={edit(value, emit, |e, v: f64| if let Some(r) = &mut e.retry { r.max_attempts = v as u32 })} />
                    <div class="field-pair">
                        <NumberField label="Base back-off" path={join(&retry_path, "base_ms")} unit="ms"
                            value={retry.base_ms}
                            on_change={edit(value, emit, |e, v| if let Some(r) = &mut e.retry { r.base_ms = v })} />
                        <NumberField label="Multiplier" path={join(&retry_path, "multiplier")} unit="×"
                            value={retry.multiplier}
                            on_change={edit(value, emit, |e, v| if let Some(r) = &mut e.retry { r.multiplier = v })} />
                    </div>
                    <NumberField label="Max back-off" path={join(&retry_path, "max_backoff_ms")} unit="ms"
                        value={retry.max_backoff_ms}
                        on_change={edit(value, emit, |e, v| if let Some(r) = &mut e.retry { r.max_backoff_ms = v })} />
                    <SelectField label="Jitter" path={join(&retry_path, "jitter")} value={jitter(retry)}
                        options={options(&[("none", "None"), ("full", "Full (0 – back-off)"), ("equal", "Equal (half + random half)")])}
                        on_change={edit(value, emit, |e, to: String| if let Some(r) = &mut e.retry {
                            r.jitter = match to.as_str() { "none" => Jitter::None, "equal" => Jitter::Equal, _ => Jitter::Full } })} />
                    <CheckField label="Retry after a timeout" path={join(&retry_path, "retry_on_timeout")}
                        value={retry.retry_on_timeout}
                        on_change={edit(value, emit, |e, v| if let Some(r) = &mut e.retry { r.retry_on_timeout = v })} />
                }
            </OptionalSection>
            <OptionalSection title="Circuit breaker" path={breaker_path.clone()}
                enabled={value.circuit_breaker.is_some()}
                hint="Stop calling a failing node for a while."
                on_toggle={edit(value, emit, |e, on: bool| e.circuit_breaker = on.then(BreakerParams::default))}>
                if let Some(breaker) = &value.circuit_breaker {
                    <BreakerEditor path={breaker_path.clone()} value={breaker.clone()}
                        on_change={edit(value, emit, |e, b| e.circuit_breaker = Some(b))} />
                }
            </OptionalSection>
            <EdgeCuresEditor path={props.path.clone()} value={value.clone()} on_change={emit.clone()} />
            <HedgingEditor path={props.path.clone()} value={value.clone()} on_change={emit.clone()} />
            if props.from_gateway || value.rate_limit.is_some() {
                <OptionalSection title="Route rate limit" path={rate_limit_path.clone()}
                    enabled={value.rate_limit.is_some()}
                    hint="This edge is a route of the gateway: requests along it beyond the limit fail with rate_limited. Its bulkhead is the route's bulkhead."
                    on_toggle={edit(value, emit, |e, on: bool| e.rate_limit = on.then(RateLimiterParams::default))}>
                    if let Some(limit) = &value.rate_limit {
                        <RateLimiterEditor path={rate_limit_path.clone()} value={limit.clone()}
                            on_change={edit(value, emit, |e, l| e.rate_limit = Some(l))} />
                    }
                </OptionalSection>
            }
        </>
    }
}

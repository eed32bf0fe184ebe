//! The health mechanisms of a node with backends (a load balancer, an API gateway): the
//! health-check mode and its probe settings, outlier ejection, and panic mode (the model's
//! `health.rs`; semantics in `docs/design-format.md`). One editor for both kinds, as the engine
//! has one component for both.

use archsim_model::{HealthCheck, HealthSettings, OutlierDetection};
use yew::prelude::*;

use super::{edit, join, options};
use crate::components::fields::{
    CheckField, NumberField, NumberKind, OptionalSection, Section, SelectField,
};

#[derive(Properties, PartialEq)]
pub struct BalancerHealthProps {
    /// JSON path of the node's `params`.
    pub path: AttrValue,
    pub value: HealthSettings,
    /// An API gateway's (panic mode is asked of each route's pool), else a load balancer's.
    #[prop_or_default]
    pub gateway: bool,
    pub on_change: Callback<HealthSettings>,
}

/// Health check, outlier detection and panic threshold of one load balancer or gateway.
#[function_component(BalancerHealthEditor)]
pub fn balancer_health_editor(props: &BalancerHealthProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let check_path = join(path, "health_check");
    let outlier_path = join(path, "outlier_detection");
    let on_mode = edit(value, emit, |lb: &mut HealthSettings, to: String| {
        lb.health_check = HealthCheck::default_named(&to).unwrap_or_default()
    });
    let active = |apply: fn(&mut archsim_model::ActiveHealthCheck, f64)| {
        edit(value, emit, move |lb: &mut HealthSettings, v: f64| {
            if let HealthCheck::Active(a) = &mut lb.health_check {
                apply(a, v)
            }
        })
    };
    let outlier = |apply: fn(&mut OutlierDetection, f64)| {
        edit(value, emit, move |lb: &mut HealthSettings, v: f64| {
            if let Some(o) = &mut lb.outlier_detection {
                apply(o, v)
            }
        })
    };
    html! {
        <>
            <Section title="Health checks">
                <SelectField label="Mode" path={join(&check_path, "type")} value={value.health_check.name()}
                    options={options(&HealthCheck::MODES)} on_change={on_mode}
                    hint="Active probes lag behind a crash; the instant oracle does not (no real system has it)." />
                if let HealthCheck::Active(a) = &value.health_check {
                    <div class="field-pair">
                        <NumberField label="Interval" path={join(&check_path, "interval_ms")} kind={NumberKind::Millis}
                            value={a.interval_ms} hint="after each answer"
                            on_change={active(|a, v| a.interval_ms = v)} />
                        <NumberField label="Timeout" path={join(&check_path, "timeout_ms")} kind={NumberKind::Millis}
                            value={a.timeout_ms} on_change={active(|a, v| a.timeout_ms = v)} />
                    </div>
                    <div class="field-pair">
                        <NumberField label="Unhealthy after" path={join(&check_path, "unhealthy_threshold")}
                            kind={NumberKind::U32} value={a.unhealthy_threshold as f64} hint="failed probes in a row"
                            on_change={active(|a, v| a.unhealthy_threshold = v as u32)} />
                        <NumberField label="Healthy after" path={join(&check_path, "healthy_threshold")}
                            kind={NumberKind::U32} value={a.healthy_threshold as f64} hint="passed probes in a row"
                            on_change={active(|a, v| a.healthy_threshold = v as u32)} />
                    </div>
                    <CheckField label="Backends start healthy" path={join(&check_path, "start_healthy")}
                        value={a.start_healthy}
                        hint="Off: down until their first probe passes."
                        on_change={edit(value, emit, |lb: &mut HealthSettings, on: bool| {
                            if let HealthCheck::Active(a) = &mut lb.health_check { a.start_healthy = on }
                        })} />
                }
                <NumberField label="Panic threshold (%)" path={join(path, "panic_threshold_percent")}
                    kind={NumberKind::Real} value={value.panic_threshold_percent}
                    hint={if props.gateway {
                        "Per pool (all edges for round robin, a route's edge): below this share healthy, use them all. 0: never; a route's only target then fails fast."
                    } else {
                        "Below this share of healthy backends, use them all. 0: never."
                    }}
                    on_change={edit(value, emit, |lb: &mut HealthSettings, v: f64| lb.panic_threshold_percent = v)} />
            </Section>
            <OptionalSection title="Outlier ejection" path={outlier_path.clone()}
                enabled={value.outlier_detection.is_some()}
                hint="Eject a backend after consecutive failed replies (Envoy's outlier detection)."
                on_toggle={edit(value, emit, |lb: &mut HealthSettings, on: bool| {
                    lb.outlier_detection = on.then(OutlierDetection::default)
                })}>
                if let Some(o) = &value.outlier_detection {
                    <div class="field-pair">
                        <NumberField label="Consecutive errors" path={join(&outlier_path, "consecutive_errors")}
                            kind={NumberKind::U32} value={o.consecutive_errors as f64}
                            on_change={outlier(|o, v| o.consecutive_errors = v as u32)} />
                        <NumberField label="Interval" path={join(&outlier_path, "interval_ms")}
                            kind={NumberKind::Millis} value={o.interval_ms} hint="when ejections end"
                            on_change={outlier(|o, v| o.interval_ms = v)} />
                    </div>
                    <div class="field-pair">
                        <NumberField label="Base ejection" path={join(&outlier_path, "base_ejection_ms")}
                            kind={NumberKind::Millis} value={o.base_ejection_ms} hint="× times ejected"
                            on_change={outlier(|o, v| o.base_ejection_ms = v)} />
                        <NumberField label="Max ejection" path={join(&outlier_path, "max_ejection_ms")}
                            kind={NumberKind::Millis} value={o.max_ejection_ms}
                            on_change={outlier(|o, v| o.max_ejection_ms = v)} />
                    </div>
                    <NumberField label="Max ejected (%)" path={join(&outlier_path, "max_ejection_percent")}
                        kind={NumberKind::Real} value={o.max_ejection_percent}
                        hint="of the backends at once"
                        on_change={outlier(|o, v| o.max_ejection_percent = v)} />
                    <CheckField label="Always eject one" path={join(&outlier_path, "always_eject_one")}
                        value={o.always_eject_one}
                        hint="Eject the first even when the percentage allows none."
                        on_change={edit(value, emit, |lb: &mut HealthSettings, on: bool| {
                            if let Some(o) = &mut lb.outlier_detection { o.always_eject_one = on }
                        })} />
                }
            </OptionalSection>
        </>
    }
}

//! Editors for random durations and arrival-rate profiles: choosing a type switches the fields.

use archsim_model::{Distribution, RateProfile};
use yew::prelude::*;

use super::{edit, join, options};
use crate::components::fields::{NumberField, SelectField};

const DISTRIBUTION_TYPES: [(&str, &str); 4] = [
    ("constant", "Constant"),
    ("exponential", "Exponential"),
    ("uniform", "Uniform"),
    ("log_normal", "Log-normal"),
];

fn distribution_type(d: &Distribution) -> &'static str {
    match d {
        Distribution::Constant { .. } => "constant",
        Distribution::Exponential { .. } => "exponential",
        Distribution::Uniform { .. } => "uniform",
        Distribution::LogNormal { .. } => "log_normal",
    }
}

/// The distribution of another type that keeps the current mean, so switching the type keeps
/// the numbers in the same ballpark instead of resetting them.
pub fn switch_distribution(current: &Distribution, to: &str) -> Distribution {
    let mean = current.mean_ms();
    let mean = if mean.is_finite() && mean > 0.0 {
        mean
    } else {
        10.0
    };
    match to {
        "constant" => Distribution::Constant { ms: mean },
        "uniform" => Distribution::Uniform {
            min_ms: mean * 0.5,
            max_ms: mean * 1.5,
        },
        "log_normal" => Distribution::LogNormal {
            median_ms: mean,
            p99_ms: mean * 4.0,
        },
        _ => Distribution::Exponential { mean_ms: mean },
    }
}

#[derive(Properties, PartialEq)]
pub struct DistributionEditorProps {
    pub label: AttrValue,
    /// JSON path of the distribution object.
    pub path: AttrValue,
    pub value: Distribution,
    pub on_change: Callback<Distribution>,
}

#[function_component(DistributionEditor)]
pub fn distribution_editor(props: &DistributionEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let on_type = edit(value, emit, |d, to: String| {
        *d = switch_distribution(d, &to)
    });
    let ms = Some(AttrValue::Static("ms"));
    let fields = match value {
        Distribution::Constant { .. } => html! {
            <NumberField label="Value" path={join(path, "ms")} unit={ms.clone()}
                value={if let Distribution::Constant { ms } = value { *ms } else { 0.0 }}
                on_change={edit(value, emit, |d, v| if let Distribution::Constant { ms } = d { *ms = v })} />
        },
        Distribution::Exponential { mean_ms } => html! {
            <NumberField label="Mean" path={join(path, "mean_ms")} unit={ms.clone()} value={*mean_ms}
                on_change={edit(value, emit, |d, v| if let Distribution::Exponential { mean_ms } = d { *mean_ms = v })} />
        },
        Distribution::Uniform { min_ms, max_ms } => html! {
            <div class="field-pair">
                <NumberField label="Min" path={join(path, "min_ms")} unit={ms.clone()} value={*min_ms}
                    on_change={edit(value, emit, |d, v| if let Distribution::Uniform { min_ms, .. } = d { *min_ms = v })} />
                <NumberField label="Max" path={join(path, "max_ms")} unit={ms.clone()} value={*max_ms}
                    on_change={edit(value, emit, |d, v| if let Distribution::Uniform { max_ms, .. } = d { *max_ms = v })} />
            </div>
        },
        Distribution::LogNormal { median_ms, p99_ms } => html! {
            <div class="field-pair">
                <NumberField label="Median" path={join(path, "median_ms")} unit={ms.clone()} value={*median_ms}
                    on_change={edit(value, emit, |d, v| if let Distribution::LogNormal { median_ms, .. } = d { *median_ms = v })} />
                <NumberField label="p99" path={join(path, "p99_ms")} unit={ms.clone()} value={*p99_ms}
                    on_change={edit(value, emit, |d, v| if let Distribution::LogNormal { p99_ms, .. } = d { *p99_ms = v })} />
            </div>
        },
    };
    html! {
        <div class="distribution">
            <SelectField label={props.label.clone()} path={join(path, "type")}
                value={distribution_type(value)} options={options(&DISTRIBUTION_TYPES)}
                on_change={on_type} />
            <div class="distribution-fields">{ fields }</div>
        </div>
    }
}

/// Short human form of a distribution for node captions: "exp 20 ms", "const 1 ms".
pub fn describe_distribution(d: &Distribution) -> String {
    use crate::components::fields::format_number as n;
    match d {
        Distribution::Constant { ms } => format!("{} ms", n(*ms)),
        Distribution::Exponential { mean_ms } => format!("exp {} ms", n(*mean_ms)),
        Distribution::Uniform { min_ms, max_ms } => format!("{}–{} ms", n(*min_ms), n(*max_ms)),
        Distribution::LogNormal { median_ms, p99_ms } => {
            format!("p50 {} / p99 {} ms", n(*median_ms), n(*p99_ms))
        }
    }
}

const RATE_TYPES: [(&str, &str); 5] = [
    ("constant", "Constant"),
    ("ramp", "Ramp"),
    ("step", "Step"),
    ("spike", "Spike"),
    ("sine", "Sine (diurnal)"),
];

fn rate_type(r: &RateProfile) -> &'static str {
    match r {
        RateProfile::Constant { .. } => "constant",
        RateProfile::Ramp { .. } => "ramp",
        RateProfile::Step { .. } => "step",
        RateProfile::Spike { .. } => "spike",
        RateProfile::Sine { .. } => "sine",
    }
}

/// A profile of another type built around the current peak rate.
pub fn switch_rate_profile(current: &RateProfile, to: &str) -> RateProfile {
    let peak = current.max_rate();
    let peak = if peak.is_finite() && peak > 0.0 {
        peak
    } else {
        100.0
    };
    match to {
        "ramp" => RateProfile::Ramp {
            from_rps: peak / 10.0,
            to_rps: peak,
            start_ms: 5_000.0,
            end_ms: 50_000.0,
        },
        "step" => RateProfile::Step {
            before_rps: peak / 2.0,
            after_rps: peak,
            at_ms: 30_000.0,
        },
        "spike" => RateProfile::Spike {
            base_rps: peak / 4.0,
            spike_rps: peak,
            start_ms: 20_000.0,
            duration_ms: 5_000.0,
        },
        "sine" => RateProfile::Sine {
            mean_rps: peak / 2.0,
            amplitude_rps: peak / 2.0,
            period_ms: 60_000.0,
        },
        _ => RateProfile::Constant { rps: peak },
    }
}

#[derive(Properties, PartialEq)]
pub struct RateProfileEditorProps {
    pub path: AttrValue,
    pub value: RateProfile,
    pub on_change: Callback<RateProfile>,
}

#[function_component(RateProfileEditor)]
pub fn rate_profile_editor(props: &RateProfileEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let rps = Some(AttrValue::Static("rps"));
    let ms = Some(AttrValue::Static("ms"));
    let field = |label: &'static str,
                 name: &'static str,
                 unit: &Option<AttrValue>,
                 current: f64,
                 set: fn(&mut RateProfile, f64)| {
        html! {
            <NumberField label={label} path={join(path, name)} unit={unit.clone()} value={current}
                on_change={edit(value, emit, set)} />
        }
    };
    let fields = match value {
        RateProfile::Constant { rps: r } => field("Rate", "rps", &rps, *r, |p, v| {
            if let RateProfile::Constant { rps } = p {
                *rps = v
            }
        }),
        RateProfile::Ramp {
            from_rps,
            to_rps,
            start_ms,
            end_ms,
        } => html! {
            <>
                <div class="field-pair">
                    { field("From", "from_rps", &rps, *from_rps, |p, v| if let RateProfile::Ramp { from_rps, .. } = p { *from_rps = v }) }
                    { field("To", "to_rps", &rps, *to_rps, |p, v| if let RateProfile::Ramp { to_rps, .. } = p { *to_rps = v }) }
                </div>
                <div class="field-pair">
                    { field("Start", "start_ms", &ms, *start_ms, |p, v| if let RateProfile::Ramp { start_ms, .. } = p { *start_ms = v }) }
                    { field("End", "end_ms", &ms, *end_ms, |p, v| if let RateProfile::Ramp { end_ms, .. } = p { *end_ms = v }) }
                </div>
            </>
        },
        RateProfile::Step {
            before_rps,
            after_rps,
            at_ms,
        } => html! {
            <>
                <div class="field-pair">
                    { field("Before", "before_rps", &rps, *before_rps, |p, v| if let RateProfile::Step { before_rps, .. } = p { *before_rps = v }) }
                    { field("After", "after_rps", &rps, *after_rps, |p, v| if let RateProfile::Step { after_rps, .. } = p { *after_rps = v }) }
                </div>
                { field("Step at", "at_ms", &ms, *at_ms, |p, v| if let RateProfile::Step { at_ms, .. } = p { *at_ms = v }) }
            </>
        },
        RateProfile::Spike {
            base_rps,
            spike_rps,
            start_ms,
            duration_ms,
        } => html! {
            <>
                <div class="field-pair">
                    { field("Base", "base_rps", &rps, *base_rps, |p, v| if let RateProfile::Spike { base_rps, .. } = p { *base_rps = v }) }
                    { field("Spike", "spike_rps", &rps, *spike_rps, |p, v| if let RateProfile::Spike { spike_rps, .. } = p { *spike_rps = v }) }
                </div>
                <div class="field-pair">
                    { field("Starts at", "start_ms", &ms, *start_ms, |p, v| if let RateProfile::Spike { start_ms, .. } = p { *start_ms = v }) }
                    { field("Lasts", "duration_ms", &ms, *duration_ms, |p, v| if let RateProfile::Spike { duration_ms, .. } = p { *duration_ms = v }) }
                </div>
            </>
        },
        RateProfile::Sine {
            mean_rps,
            amplitude_rps,
            period_ms,
        } => html! {
            <>
                <div class="field-pair">
                    { field("Mean", "mean_rps", &rps, *mean_rps, |p, v| if let RateProfile::Sine { mean_rps, .. } = p { *mean_rps = v }) }
                    { field("Amplitude", "amplitude_rps", &rps, *amplitude_rps, |p, v| if let RateProfile::Sine { amplitude_rps, .. } = p { *amplitude_rps = v }) }
                </div>
                { field("Period", "period_ms", &ms, *period_ms, |p, v| if let RateProfile::Sine { period_ms, .. } = p { *period_ms = v }) }
            </>
        },
    };
    html! {
        <div class="rate-profile">
            <SelectField label="Arrival rate" path={join(path, "type")} value={rate_type(value)}
                options={options(&RATE_TYPES)}
                on_change={edit(value, emit, |r, to: String| *r = switch_rate_profile(r, &to))} />
            { fields }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_distribution_type_keeps_the_mean() {
        let exp = Distribution::Exponential { mean_ms: 20.0 };
        for to in ["constant", "uniform", "exponential"] {
            let switched = switch_distribution(&exp, to);
            assert!(
                (switched.mean_ms() - 20.0).abs() < 1e-9,
                "{to}: {switched:?}"
            );
        }
        assert_eq!(
            switch_distribution(&exp, "log_normal"),
            Distribution::LogNormal {
                median_ms: 20.0,
                p99_ms: 80.0
            }
        );
    }

    #[test]
    fn switching_rate_profile_keeps_the_peak() {
        let constant = RateProfile::Constant { rps: 200.0 };
        for to in ["ramp", "step", "spike", "sine", "constant"] {
            let switched = switch_rate_profile(&constant, to);
            assert_eq!(switched.max_rate(), 200.0, "{to}");
            assert_eq!(rate_type(&switched), to);
        }
    }

    #[test]
    fn captions_are_short() {
        assert_eq!(
            describe_distribution(&Distribution::Exponential { mean_ms: 20.0 }),
            "exp 20 ms"
        );
    }
}

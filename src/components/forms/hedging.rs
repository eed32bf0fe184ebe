//! An edge's hedged requests (gRPC's hedging policy; the model's `hedging.rs`): how many
//! hedges, the wait before each (fixed or the observed p95), and whether failures are fatal.

use archsim_model::{EdgeParams, HedgeDelay, HedgingParams};
use yew::prelude::*;

use super::{edit, join, options};
use crate::components::fields::{
    CheckField, NumberField, NumberKind, OptionalSection, SelectField,
};

#[derive(Properties, PartialEq)]
pub struct HedgingEditorProps {
    /// JSON path of the edge's `params` object.
    pub path: AttrValue,
    pub value: EdgeParams,
    pub on_change: Callback<EdgeParams>,
}

/// The delay kinds as the select shows them (JSON `type`, title).
const DELAYS: &[(&str, &str)] = &[
    ("observed_p95", "Observed p95 of the edge"),
    ("fixed", "Fixed"),
];

#[function_component(HedgingEditor)]
pub fn hedging_editor(props: &HedgingEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = format!("{}.hedging", props.path);
    let delay_path = format!("{path}.delay");
    let body = match &value.hedging {
        None => html! {},
        Some(hedging) => {
            let (kind, delay_field) = match hedging.delay {
                HedgeDelay::Fixed { ms } => (
                    "fixed",
                    html! {
                        <NumberField label="Delay" path={join(&delay_path, "ms")} unit="ms" value={ms}
                            hint="wait for an answer before each hedge (gRPC's hedgingDelay)"
                            on_change={edit(value, emit, |e, v| if let Some(h) = &mut e.hedging { h.delay = HedgeDelay::Fixed { ms: v } })} />
                    },
                ),
                HedgeDelay::ObservedP95 { window } => (
                    "observed_p95",
                    html! {
                        <NumberField label="Sliding window" path={join(&delay_path, "window")} unit="calls"
                            kind={NumberKind::U32} value={window as f64}
                            hint="the p95 of the last this many first attempts (20 to 100000)"
                            on_change={edit(value, emit, |e, v: f64| if let Some(h) = &mut e.hedging { h.delay = HedgeDelay::ObservedP95 { window: v as u32 } })} />
                    },
                ),
            };
            let on_kind = edit(value, emit, |e, name: String| {
                if let Some(h) = &mut e.hedging {
                    h.delay = match name.as_str() {
                        "fixed" => HedgeDelay::Fixed { ms: 10.0 },
                        _ => HedgeDelay::default(),
                    };
                }
            });
            html! {
                <>
                    <NumberField label="Hedges at most" path={join(&path, "max_hedges")}
                        kind={NumberKind::U32} value={hedging.max_hedges as f64}
                        hint="after the first attempt, 1 to 4"
                        on_change={edit(value, emit, |e, v: f64| if let Some(h) = &mut e.hedging { h.max_hedges = v as u32 })} />
                    <SelectField label="Delay" path={join(&delay_path, "type")} value={kind}
                        options={options(DELAYS)} on_change={on_kind} />
                    { delay_field }
                    <CheckField label="Failures are not fatal" path={join(&path, "non_fatal_errors")}
                        value={hedging.non_fatal_errors}
                        hint="A failed attempt sends the next hedge at once instead of ending the call (gRPC's nonFatalStatusCodes)."
                        on_change={edit(value, emit, |e, v| if let Some(h) = &mut e.hedging { h.non_fatal_errors = v })} />
                </>
            }
        }
    };
    html! {
        <OptionalSection title="Hedging" path={AttrValue::from(path.clone())}
            enabled={value.hedging.is_some()}
            hint="Send the request again when no answer came after a delay; the first answer wins and the other attempts are cancelled (gRPC's hedging, The Tail at Scale). Not with retries."
            on_toggle={edit(value, emit, |e, on: bool| e.hedging = on.then(HedgingParams::default))}>
            { body }
        </OptionalSection>
    }
}

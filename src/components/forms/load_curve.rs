//! A load curve: processing time multiplied by a curve of utilisation (services, database
//! members, caches; the model's `load_curve.rs`).

use archsim_model::LoadCurve;
use yew::prelude::*;

use super::join;
use crate::components::fields::{NumberField, NumberKind, OptionalSection, SelectField};

#[derive(Properties, PartialEq)]
pub struct LoadCurveEditorProps {
    /// JSON path of the `load_curve` field.
    pub path: AttrValue,
    pub value: Option<LoadCurve>,
    pub on_change: Callback<Option<LoadCurve>>,
    /// What `u` is for this kind of node, in words.
    pub utilisation: AttrValue,
}

#[function_component(LoadCurveEditor)]
pub fn load_curve_editor(props: &LoadCurveEditorProps) -> Html {
    let path = props.path.as_str();
    let emit = props.on_change.clone();
    let on_toggle = {
        let emit = emit.clone();
        Callback::from(move |on: bool| emit.emit(on.then_some(LoadCurve::Exponential { k: 2.0 })))
    };
    let body = match props.value {
        None => html! {},
        Some(curve) => {
            let on_kind = {
                let emit = emit.clone();
                Callback::from(move |name: String| {
                    if name != curve.name()
                        && let Some(next) = LoadCurve::default_named(&name)
                    {
                        emit.emit(Some(next));
                    }
                })
            };
            let options: Vec<(AttrValue, AttrValue)> = LoadCurve::NAMES
                .iter()
                .map(|&(name, title)| (AttrValue::Static(name), AttrValue::Static(title)))
                .collect();
            let fields = match curve {
                LoadCurve::Knee { knee, factor } => html! {
                    <div class="field-pair">
                        <NumberField label="Knee" path={join(path, "knee")} kind={NumberKind::Percent}
                            value={knee} hint="utilisation"
                            on_change={emit.reform(move |v| Some(LoadCurve::Knee { knee: v, factor }))} />
                        <NumberField label="Factor" path={join(path, "factor")} unit="×" value={factor}
                            hint="extra at 100%"
                            on_change={emit.reform(move |v| Some(LoadCurve::Knee { knee, factor: v }))} />
                    </div>
                },
                LoadCurve::Exponential { k } => html! {
                    <NumberField label="k" path={join(path, "k")} value={k} hint="e^k times slower when saturated"
                        on_change={emit.reform(|v| Some(LoadCurve::Exponential { k: v }))} />
                },
                LoadCurve::Polynomial { a, b } => html! {
                    <div class="field-pair">
                        <NumberField label="a" path={join(path, "a")} value={a} hint="extra at 100%"
                            on_change={emit.reform(move |v| Some(LoadCurve::Polynomial { a: v, b }))} />
                        <NumberField label="b" path={join(path, "b")} value={b} hint="power of u"
                            on_change={emit.reform(move |v| Some(LoadCurve::Polynomial { a, b: v }))} />
                    </div>
                },
            };
            html! {
                <>
                    <SelectField label="Curve" path={join(path, "type")} value={curve.name()}
                        options={options} on_change={on_kind} />
                    { fields }
                </>
            }
        }
    };
    html! {
        <OptionalSection title="Load curve" path={props.path.clone()} enabled={props.value.is_some()}
            hint={Some(AttrValue::from(format!("Processing time multiplied by a curve of utilisation u ({}).", props.utilisation)))}
            on_toggle={on_toggle}>
            { body }
        </OptionalSection>
    }
}

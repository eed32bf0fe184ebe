//! A service's queue discipline: FIFO, LIFO, adaptive LIFO, CoDel or priority by class (the
//! model's `discipline.rs`).

use archsim_model::QueueDiscipline;
use yew::prelude::*;

use super::{catalog_options, join};
use crate::components::fields::{NumberField, NumberKind, SelectField, TextField};

#[derive(Properties, PartialEq)]
pub struct QueueDisciplineEditorProps {
    /// JSON path of the `queue_discipline` object.
    pub path: AttrValue,
    pub value: QueueDiscipline,
    pub on_change: Callback<QueueDiscipline>,
}

/// The classes of a priority discipline as typed: comma-separated, highest first. Empty
/// entries are kept while typing ("gold, " keeps its comma) and reported by validation.
fn classes_from_text(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|class| class.trim().to_string())
        .collect()
}

#[function_component(QueueDisciplineEditor)]
pub fn queue_discipline_editor(props: &QueueDisciplineEditorProps) -> Html {
    let path = props.path.as_str();
    let emit = props.on_change.clone();
    let on_kind = {
        let emit = emit.clone();
        let current = props.value.clone();
        Callback::from(move |name: String| {
            if name != current.name()
                && let Some(next) = QueueDiscipline::default_named(&name)
            {
                emit.emit(next);
            }
        })
    };
    let fields = match props.value.clone() {
        QueueDiscipline::Fifo | QueueDiscipline::Lifo => html! {},
        QueueDiscipline::AdaptiveLifo { threshold } => html! {
            <NumberField label="LIFO above" path={join(path, "threshold")} kind={NumberKind::U32}
                value={threshold as f64} unit="waiting" hint="FIFO while at most this many wait"
                on_change={emit.reform(|v: f64| QueueDiscipline::AdaptiveLifo { threshold: v as u32 })} />
        },
        QueueDiscipline::Codel {
            target_ms,
            interval_ms,
        } => html! {
            <div class="field-pair">
                <NumberField label="Target" path={join(path, "target_ms")} unit="ms" value={target_ms}
                    hint="acceptable waiting time"
                    on_change={emit.reform(move |v| QueueDiscipline::Codel { target_ms: v, interval_ms })} />
                <NumberField label="Interval" path={join(path, "interval_ms")} unit="ms" value={interval_ms}
                    hint="above target this long: drop"
                    on_change={emit.reform(move |v| QueueDiscipline::Codel { target_ms, interval_ms: v })} />
            </div>
        },
        QueueDiscipline::Priority { classes } => html! {
            <TextField label="Classes, highest first" path={join(path, "classes")}
                value={classes.join(", ")} placeholder="gold, silver"
                hint="Comma-separated request class names; classes not listed come last. When full, the lowest class waiting is shed first."
                on_change={emit.reform(|text: String| QueueDiscipline::Priority { classes: classes_from_text(&text) })} />
        },
    };
    html! {
        <>
            <SelectField label="Queue discipline" path={join(path, "type")} value={props.value.name()}
                options={catalog_options(&QueueDiscipline::CATALOG)} on_change={on_kind} />
            { fields }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_classes_keep_a_trailing_comma_while_typing_and_nothing_is_none() {
        assert_eq!(classes_from_text(" "), Vec::<String>::new());
        assert_eq!(classes_from_text("gold, silver"), vec!["gold", "silver"]);
        assert_eq!(classes_from_text("gold, "), vec!["gold", ""]);
    }
}

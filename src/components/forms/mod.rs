//! Editors for every parameter of the design format: node kinds, edges, distributions, rate
//! profiles, run settings and faults. Each editor receives a value and emits a whole new value
//! when anything in it changes; the caller turns that into one state action.

pub mod breaker;
pub mod consumer_scaling;
pub mod distribution;
pub mod edge;
pub mod edge_cures;
pub mod hashing;
pub mod health;
pub mod hedging;
pub mod load_curve;
pub mod node;
pub mod queue_discipline;
pub mod replication;
pub mod run;
pub mod scaling;

use yew::prelude::*;

/// A callback that applies `apply` to a copy of `value` and emits the result: the building block
/// of every "this field changed, here is the new whole value" handler.
pub fn edit<T, V>(value: &T, emit: &Callback<T>, apply: impl Fn(&mut T, V) + 'static) -> Callback<V>
where
    T: Clone + 'static,
    V: 'static,
{
    let value = value.clone();
    let emit = emit.clone();
    Callback::from(move |input: V| {
        let mut next = value.clone();
        apply(&mut next, input);
        emit.emit(next);
    })
}

/// `prefix.field`, the JSON path of a member.
pub fn join(prefix: &str, field: &str) -> AttrValue {
    AttrValue::from(format!("{prefix}.{field}"))
}

/// `prefix[index]`, the JSON path of an array element.
pub fn index(prefix: &str, i: usize) -> String {
    format!("{prefix}[{i}]")
}

/// Select options from `(value, label)` string pairs.
pub fn options(pairs: &[(&'static str, &'static str)]) -> Vec<(AttrValue, AttrValue)> {
    pairs
        .iter()
        .map(|(v, l)| (AttrValue::Static(v), AttrValue::Static(l)))
        .collect()
}

/// The options of a select of algorithms, from the model's catalog of that family.
pub fn catalog_options(catalog: &[archsim_model::AlgorithmInfo]) -> Vec<(AttrValue, AttrValue)> {
    catalog
        .iter()
        .map(|entry| {
            (
                AttrValue::Static(entry.name),
                AttrValue::Static(entry.title),
            )
        })
        .collect()
}

/// A node that the edited node may refer to (a route target, a dead-letter queue).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeChoice {
    pub id: String,
    pub label: String,
}

/// Select options for a list of node choices, each shown as "label (id)".
pub fn node_options(choices: &[NodeChoice]) -> Vec<(AttrValue, AttrValue)> {
    choices
        .iter()
        .map(|c| {
            let shown = if c.label.is_empty() || c.label == c.id {
                c.id.clone()
            } else {
                format!("{} ({})", c.label, c.id)
            };
            (AttrValue::from(c.id.clone()), AttrValue::from(shown))
        })
        .collect()
}

//! The parameters of the hashing algorithms, shared by a load balancer's algorithm and a
//! database's sharding: virtual nodes and ring salt (rings), table size (Maglev), balance
//! factor (bounded loads). Each editor takes the algorithm and emits a whole new one.

use archsim_model::{BalancerAlgorithm, Sharding};
use yew::prelude::*;

use super::{edit, join};
use crate::components::fields::{NumberField, NumberKind, TextField};

#[derive(Properties, PartialEq)]
pub struct BalancerHashingProps {
    /// JSON path of the `algorithm` object.
    pub path: AttrValue,
    pub value: BalancerAlgorithm,
    pub on_change: Callback<BalancerAlgorithm>,
}

/// The fields of the hashing balancer algorithms; nothing for the others.
#[function_component(BalancerHashingFields)]
pub fn balancer_hashing_fields(props: &BalancerHashingProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    match value {
        BalancerAlgorithm::ConsistentHash {
            virtual_nodes,
            ring_salt,
        } => html! {
            <>
                { virtual_nodes_field(path, *virtual_nodes, "backend", edit(value, emit, |a, v: f64| {
                    if let BalancerAlgorithm::ConsistentHash { virtual_nodes, .. } = a { *virtual_nodes = v as u32 }
                })) }
                { ring_salt_field(path, ring_salt, edit(value, emit, |a, text: String| {
                    if let BalancerAlgorithm::ConsistentHash { ring_salt, .. } = a { *ring_salt = text }
                })) }
            </>
        },
        BalancerAlgorithm::BoundedLoadHash {
            virtual_nodes,
            balance_factor,
            ring_salt,
        } => html! {
            <>
                { virtual_nodes_field(path, *virtual_nodes, "backend", edit(value, emit, |a, v: f64| {
                    if let BalancerAlgorithm::BoundedLoadHash { virtual_nodes, .. } = a { *virtual_nodes = v as u32 }
                })) }
                <NumberField label="Balance factor" path={join(path, "balance_factor")}
                    value={*balance_factor}
                    hint="A backend takes at most this many times the average load in flight (c ≥ 1)."
                    on_change={edit(value, emit, |a, v: f64| {
                        if let BalancerAlgorithm::BoundedLoadHash { balance_factor, .. } = a { *balance_factor = v }
                    })} />
                { ring_salt_field(path, ring_salt, edit(value, emit, |a, text: String| {
                    if let BalancerAlgorithm::BoundedLoadHash { ring_salt, .. } = a { *ring_salt = text }
                })) }
            </>
        },
        BalancerAlgorithm::Maglev { table_size } => table_size_field(
            path,
            *table_size,
            edit(value, emit, |a, v: f64| {
                if let BalancerAlgorithm::Maglev { table_size } = a {
                    *table_size = v as u32
                }
            }),
        ),
        BalancerAlgorithm::RoundRobin
        | BalancerAlgorithm::WeightedRoundRobin
        | BalancerAlgorithm::Random
        | BalancerAlgorithm::LeastConnections { .. }
        | BalancerAlgorithm::LeastRequest
        | BalancerAlgorithm::Rendezvous => html! {},
    }
}

#[derive(Properties, PartialEq)]
pub struct ShardingHashingProps {
    /// JSON path of the `sharding` object.
    pub path: AttrValue,
    pub value: Sharding,
    pub on_change: Callback<Sharding>,
}

/// The fields of the sharding schemes that have any.
#[function_component(ShardingHashingFields)]
pub fn sharding_hashing_fields(props: &ShardingHashingProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    match value {
        Sharding::ConsistentHash {
            virtual_nodes,
            ring_salt,
        } => html! {
            <>
                { virtual_nodes_field(path, *virtual_nodes, "shard", edit(value, emit, |s, v: f64| {
                    if let Sharding::ConsistentHash { virtual_nodes, .. } = s { *virtual_nodes = v as u32 }
                })) }
                { ring_salt_field(path, ring_salt, edit(value, emit, |s, text: String| {
                    if let Sharding::ConsistentHash { ring_salt, .. } = s { *ring_salt = text }
                })) }
            </>
        },
        Sharding::Maglev { table_size } => table_size_field(
            path,
            *table_size,
            edit(value, emit, |s, v: f64| {
                if let Sharding::Maglev { table_size } = s {
                    *table_size = v as u32
                }
            }),
        ),
        Sharding::Hash | Sharding::Range | Sharding::Jump | Sharding::Rendezvous => html! {},
    }
}

fn virtual_nodes_field(path: &str, value: u32, member: &str, on_change: Callback<f64>) -> Html {
    html! {
        <NumberField label={format!("Virtual nodes per {member}")} path={join(path, "virtual_nodes")}
            kind={NumberKind::U32} value={value as f64}
            hint="Points on the ring each; the load spread is about 1/√(virtual nodes)."
            on_change={on_change} />
    }
}

fn ring_salt_field(path: &str, value: &str, on_change: Callback<String>) -> Html {
    html! {
        <TextField label="Ring salt" path={join(path, "ring_salt")} value={value.to_string()}
            placeholder="none"
            hint="Points derive from each member's id and this text: change it for another ring."
            on_change={on_change} />
    }
}

fn table_size_field(path: &str, value: u32, on_change: Callback<f64>) -> Html {
    html! {
        <NumberField label="Table size" path={join(path, "table_size")} kind={NumberKind::U32}
            value={value as f64} hint="A prime; Envoy's default is 65537."
            on_change={on_change} />
    }
}

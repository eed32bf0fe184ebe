//! The parameters of each node kind. One editor per kind; every field the design format has for
//! that kind appears here.

use archsim_model::{
    Backpressure, BalancerAlgorithm, CacheParams, CallMode, ClientParams, DatabaseParams, Eviction,
    GatewayParams, HealthSettings, KeyPopularity, LoadBalancerParams, NodeKind, QueueParams,
    RateLimitAlgorithm, RateLimiterParams, ReadPreference, RequestClass, Route, ServiceParams,
    Sharding, Slowdown, Ties, UserPick, Users, WithHealth, Workload, WritePolicy,
};
use yew::prelude::*;

use super::consumer_scaling::ConsumerScalingEditor;
use super::distribution::{DistributionEditor, RateProfileEditor};
use super::hashing::{BalancerHashingFields, ShardingHashingFields};
use super::health::BalancerHealthEditor;
use super::load_curve::LoadCurveEditor;
use super::queue_discipline::QueueDisciplineEditor;
use super::replication::ReplicationEditor;
use super::scaling::{AutoscalingEditor, DiscoveryEditor};
use super::{NodeChoice, catalog_options, edit, index, join, node_options, options};
use crate::components::fields::{
    CheckField, NumberField, NumberKind, OptionalSection, Section, SelectField, TextField,
};

#[derive(Properties, PartialEq)]
pub struct NodeParamsEditorProps {
    /// JSON path of the node's `params` object, e.g. `nodes[2].params`.
    pub path: AttrValue,
    pub spec: NodeKind,
    /// Nodes this node has edges to (route targets, dead-letter queue).
    pub downstream: Vec<NodeChoice>,
    /// Request class names used by the design's clients (for gateway routes).
    pub classes: Vec<String>,
    pub on_change: Callback<NodeKind>,
}

/// Dispatches to the editor of the node's kind; each emits a whole new `NodeKind`.
#[function_component(NodeParamsEditor)]
pub fn node_params_editor(props: &NodeParamsEditorProps) -> Html {
    let path = props.path.clone();
    let emit = &props.on_change;
    match &props.spec {
        NodeKind::Client(p) => html! {
            <ClientEditor path={path} value={p.clone()}
                on_change={emit.reform(NodeKind::Client)} />
        },
        NodeKind::ApiGateway(p) => html! {
            <GatewayEditor path={path} value={p.clone()} downstream={props.downstream.clone()}
                classes={props.classes.clone()} on_change={emit.reform(NodeKind::ApiGateway)} />
        },
        NodeKind::LoadBalancer(p) => html! {
            <LoadBalancerEditor path={path} value={p.clone()}
                on_change={emit.reform(NodeKind::LoadBalancer)} />
        },
        NodeKind::Service(p) => html! {
            <ServiceEditor path={path} value={p.clone()} on_change={emit.reform(NodeKind::Service)} />
        },
        NodeKind::Cache(p) => html! {
            <CacheEditor path={path} value={p.clone()} on_change={emit.reform(NodeKind::Cache)} />
        },
        NodeKind::Queue(p) => html! {
            <QueueEditor path={path} value={p.clone()} downstream={props.downstream.clone()}
                on_change={emit.reform(NodeKind::Queue)} />
        },
        NodeKind::Database(p) => html! {
            <DatabaseEditor path={path} value={p.clone()} on_change={emit.reform(NodeKind::Database)} />
        },
        NodeKind::RateLimiter(p) => html! {
            <RateLimiterEditor path={path} value={p.clone()}
                on_change={emit.reform(NodeKind::RateLimiter)} />
        },
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct EditorProps<T: PartialEq> {
    pub path: AttrValue,
    pub value: T,
    pub on_change: Callback<T>,
}

#[function_component(ClientEditor)]
fn client_editor(props: &EditorProps<ClientParams>) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let workload_path = format!("{path}.workload");
    let workload = match &value.workload {
        Workload::OpenLoop { rate } => html! {
            <RateProfileEditor path={join(&workload_path, "rate")} value={rate.clone()}
                on_change={edit(value, emit, |c, r| if let Workload::OpenLoop { rate } = &mut c.workload { *rate = r })} />
        },
        Workload::ClosedLoop { users, think_time } => html! {
            <>
                <NumberField label="Users" path={join(&workload_path, "users")} kind={NumberKind::U32}
                    value={*users as f64}
                    on_change={edit(value, emit, |c, v: f64| if let Workload::ClosedLoop { users, .. } = &mut c.workload { *users = v as u32 })} />
                <DistributionEditor label="Think time" path={join(&workload_path, "think_time")}
                    value={think_time.clone()}
                    on_change={edit(value, emit, |c, d| if let Workload::ClosedLoop { think_time, .. } = &mut c.workload { *think_time = d })} />
            </>
        },
    };
    let workload_type = match value.workload {
        Workload::OpenLoop { .. } => "open_loop",
        Workload::ClosedLoop { .. } => "closed_loop",
    };
    let on_workload_type = edit(value, emit, |c, to: String| {
        c.workload = if to == "closed_loop" {
            Workload::ClosedLoop {
                users: 50,
                think_time: archsim_model::Distribution::Exponential { mean_ms: 1_000.0 },
            }
        } else {
            Workload::default()
        };
    });

    let mix_path = format!("{path}.mix");
    let mix_rows = value.mix.iter().enumerate().map(|(i, class)| {
        let row_path = index(&mix_path, i);
        html! {
            <div class="list-row" key={i}>
                <TextField label="Class" path={join(&row_path, "name")} value={class.name.clone()}
                    on_change={edit(value, emit, move |c, s| c.mix[i].name = s)} />
                <NumberField label="Weight" path={join(&row_path, "weight")} value={class.weight}
                    on_change={edit(value, emit, move |c, v| c.mix[i].weight = v)} />
                <CheckField label="Write" path={join(&row_path, "write")} value={class.write}
                    on_change={edit(value, emit, move |c, v| c.mix[i].write = v)} />
                <button type="button" class="icon-button row-remove" title="Remove this class"
                    aria-label="Remove this class"
                    onclick={edit(value, emit, move |c, _: MouseEvent| { c.mix.remove(i); })}>{ "×" }</button>
            </div>
        }
    });
    let add_class = edit(value, emit, |c, _: MouseEvent| {
        let name = format!("class-{}", c.mix.len() + 1);
        c.mix.push(RequestClass {
            name,
            weight: 1.0,
            write: false,
        });
    });

    let user_pick = match value.users.as_ref().map(|u| u.pick) {
        None => "none",
        Some(UserPick::Random) => "random",
        Some(UserPick::KeyOwner) => "key_owner",
    };
    let on_user_pick = edit(value, emit, |c, to: String| {
        let count = c.users.as_ref().map_or(Users::default().count, |u| u.count);
        c.users = match to.as_str() {
            "random" => Some(Users {
                count,
                pick: UserPick::Random,
            }),
            "key_owner" => Some(Users {
                count,
                pick: UserPick::KeyOwner,
            }),
            _ => None,
        };
    });
    let keys_path = format!("{path}.keys");
    let popularity = match value.keys.popularity {
        KeyPopularity::Uniform => "uniform",
        KeyPopularity::Zipf { .. } => "zipf",
    };
    html! {
        <>
            <Section title="Workload">
                <SelectField label="Model" path={join(&workload_path, "type")} value={workload_type}
                    options={options(&[("open_loop", "Open loop (arrival rate)"), ("closed_loop", "Closed loop (users who wait)")])}
                    on_change={on_workload_type} />
                { workload }
            </Section>
            <Section title="Request mix">
                if value.mix.is_empty() {
                    <p class="field-hint">{ "No classes: every request is a read of class “default”." }</p>
                }
                { for mix_rows }
                <button type="button" class="small-button" onclick={add_class}>{ "+ Add class" }</button>
            </Section>
            <Section title="Keys">
                <NumberField label="Distinct keys" path={join(&keys_path, "count")} kind={NumberKind::U64}
                    value={value.keys.count as f64}
                    on_change={edit(value, emit, |c, v: f64| c.keys.count = v as u64)} />
                <SelectField label="Popularity" path={join(&keys_path, "popularity.type")} value={popularity}
                    options={options(&[("uniform", "Uniform"), ("zipf", "Zipf (a few hot keys)")])}
                    on_change={edit(value, emit, |c, to: String| c.keys.popularity = if to == "zipf" { KeyPopularity::Zipf { exponent: 1.0 } } else { KeyPopularity::Uniform })} />
                if let KeyPopularity::Zipf { exponent } = value.keys.popularity {
                    <NumberField label="Zipf exponent" path={join(&keys_path, "popularity.exponent")}
                        value={exponent}
                        on_change={edit(value, emit, |c, v| c.keys.popularity = KeyPopularity::Zipf { exponent: v })} />
                }
            </Section>
            <Section title="End users">
                <SelectField label="Who sends a request" path={join(path, "users.pick")} value={user_pick}
                    options={options(&[
                        ("none", "One user (the client): read-your-writes per client"),
                        ("random", "Any user, at random"),
                        ("key_owner", "The key's owner (key mod users)"),
                    ])}
                    hint="Read-your-writes follows each user: a read goes to the primary if its user wrote the key within the window."
                    on_change={on_user_pick} />
                if let Some(users) = &value.users {
                    <NumberField label="Users" path={join(path, "users.count")} kind={NumberKind::U32}
                        value={users.count as f64}
                        on_change={edit(value, emit, |c, v: f64| if let Some(users) = &mut c.users { users.count = v as u32 })} />
                }
            </Section>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct GatewayEditorProps {
    path: AttrValue,
    value: GatewayParams,
    downstream: Vec<NodeChoice>,
    classes: Vec<String>,
    on_change: Callback<GatewayParams>,
}

#[function_component(GatewayEditor)]
fn gateway_editor(props: &GatewayEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let routes_path = format!("{path}.routes");
    let targets = node_options(&props.downstream);
    let route_rows = value.routes.iter().enumerate().map(|(i, route)| {
        let row_path = index(&routes_path, i);
        let mut target_options = targets.clone();
        // Keep a route to a node that is no longer downstream visible, so validation can flag it.
        if !props.downstream.iter().any(|c| c.id == route.to) {
            target_options.insert(0, (route.to.clone().into(), format!("{} (not connected)", route.to).into()));
        }
        html! {
            <div class="list-row" key={i}>
                <TextField label="Class" path={join(&row_path, "class")} value={route.class.clone()}
                    on_change={edit(value, emit, move |g, s| g.routes[i].class = s)} />
                <SelectField label="To" path={join(&row_path, "to")} value={route.to.clone()}
                    options={target_options}
                    on_change={edit(value, emit, move |g, s| g.routes[i].to = s)} />
                <button type="button" class="icon-button row-remove" title="Remove this route"
                    aria-label="Remove this route"
                    onclick={edit(value, emit, move |g, _: MouseEvent| { g.routes.remove(i); })}>{ "×" }</button>
            </div>
        }
    });
    let first_target = props.downstream.first().map(|c| c.id.clone());
    let first_class = props
        .classes
        .first()
        .cloned()
        .unwrap_or_else(|| "default".into());
    let add_route = first_target.clone().map(|to| {
        edit(value, emit, move |g, _: MouseEvent| {
            g.routes.push(Route {
                class: first_class.clone(),
                to: to.clone(),
            })
        })
    });
    html! {
        <>
            <Section title="Processing">
                <DistributionEditor label="Overhead" path={join(path, "overhead")} value={value.overhead.clone()}
                    on_change={edit(value, emit, |g, d| g.overhead = d)} />
                <NumberField label="Max concurrency" path={join(path, "max_concurrency")} kind={NumberKind::U32}
                    value={value.max_concurrency as f64} hint="0 means unlimited"
                    on_change={edit(value, emit, |g, v: f64| g.max_concurrency = v as u32)} />
            </Section>
            <Section title="Routes">
                <p class="field-hint">{ "Classes without a route go to each downstream in turn." }</p>
                { for route_rows }
                if let Some(add_route) = add_route {
                    <button type="button" class="small-button" onclick={add_route}>{ "+ Add route" }</button>
                } else {
                    <p class="field-hint">{ "Connect the gateway to a node to add routes." }</p>
                }
            </Section>
            <BalancerHealthEditor path={props.path.clone()} value={value.health()} gateway={true}
                on_change={edit(value, emit, |g: &mut GatewayParams, h: HealthSettings| g.set_health(h))} />
        </>
    }
}

#[function_component(LoadBalancerEditor)]
fn load_balancer_editor(props: &EditorProps<LoadBalancerParams>) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let algorithm = value.algorithm.name();
    let on_algorithm = edit(value, emit, |lb, to: String| {
        lb.algorithm =
            BalancerAlgorithm::default_named(&to).unwrap_or(BalancerAlgorithm::RoundRobin)
    });
    html! {
        <>
        <Section title="Balancing">
            <SelectField label="Algorithm" path={join(path, "algorithm.type")} value={algorithm}
                options={catalog_options(&BalancerAlgorithm::CATALOG)} on_change={on_algorithm}
                hint="Weights come from each outgoing edge." />
            <BalancerHashingFields path={join(path, "algorithm")} value={value.algorithm.clone()}
                on_change={edit(value, emit, |lb, algorithm| lb.algorithm = algorithm)} />
            if let BalancerAlgorithm::LeastConnections { ties } = value.algorithm {
                <SelectField label="Ties" path={join(path, "algorithm.ties")} value={ties.name()}
                    options={Ties::ALL.iter().map(|(_, name, title)| (AttrValue::Static(name), AttrValue::Static(title))).collect::<Vec<_>>()}
                    hint="Which of equally idle backends gets the request; a crashed backend that fails fast looks idle."
                    on_change={edit(value, emit, |lb, to: String| lb.algorithm = BalancerAlgorithm::LeastConnections { ties: Ties::named(&to).unwrap_or_default() })} />
            }
        </Section>
        <BalancerHealthEditor path={props.path.clone()} value={value.health()}
            on_change={edit(value, emit, |lb: &mut LoadBalancerParams, h: HealthSettings| lb.set_health(h))} />
        </>
    }
}

#[function_component(ServiceEditor)]
fn service_editor(props: &EditorProps<ServiceParams>) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let slowdown_path = format!("{path}.slowdown");
    html! {
        <>
            <Section title="Capacity">
                <div class="field-pair">
                    <NumberField label="Workers" path={join(path, "workers")} kind={NumberKind::U32}
                        value={value.workers as f64}
                        on_change={edit(value, emit, |s, v: f64| s.workers = v as u32)} />
                    <NumberField label="Queue capacity" path={join(path, "queue_capacity")} kind={NumberKind::U32}
                        value={value.queue_capacity as f64}
                        on_change={edit(value, emit, |s, v: f64| s.queue_capacity = v as u32)} />
                </div>
                <DistributionEditor label="Service time" path={join(path, "service_time")}
                    value={value.service_time.clone()}
                    on_change={edit(value, emit, |s, d| s.service_time = d)} />
                <NumberField label="Error rate" path={join(path, "error_rate")} kind={NumberKind::Percent}
                    value={value.error_rate}
                    on_change={edit(value, emit, |s, v| s.error_rate = v)} />
                <QueueDisciplineEditor path={join(path, "queue_discipline")} value={value.queue_discipline.clone()}
                    on_change={edit(value, emit, |s, d| s.queue_discipline = d)} />
            </Section>
            <OptionalSection title="Slow-down under load" path={slowdown_path.clone()}
                enabled={value.slowdown.is_some()}
                hint="Service time grows once utilisation passes a knee."
                on_toggle={edit(value, emit, |s, on: bool| s.slowdown = on.then_some(Slowdown { knee: 0.7, factor: 1.0 }))}>
                if let Some(slowdown) = &value.slowdown {
                    <div class="field-pair">
                        <NumberField label="Knee" path={join(&slowdown_path, "knee")} kind={NumberKind::Percent}
                            value={slowdown.knee} hint="utilisation"
                            on_change={edit(value, emit, |s, v| if let Some(sd) = &mut s.slowdown { sd.knee = v })} />
                        <NumberField label="Factor" path={join(&slowdown_path, "factor")} unit="×"
                            value={slowdown.factor} hint="extra at 100%"
                            on_change={edit(value, emit, |s, v| if let Some(sd) = &mut s.slowdown { sd.factor = v })} />
                    </div>
                }
            </OptionalSection>
            <LoadCurveEditor path={join(path, "load_curve")} value={value.load_curve}
                utilisation="busy fraction of workers"
                on_change={edit(value, emit, |s, c| s.load_curve = c)} />
            <Section title="Downstream calls">
                <SelectField label="Calls" path={join(path, "calls")}
                    value={if value.calls == CallMode::Parallel { "parallel" } else { "sequential" }}
                    options={options(&[("sequential", "Sequential (one after another)"), ("parallel", "Parallel (fan-out)")])}
                    on_change={edit(value, emit, |s, to: String| s.calls = if to == "parallel" { CallMode::Parallel } else { CallMode::Sequential })} />
                <CheckField label="Hold the worker during calls" path={join(path, "hold_worker_during_calls")}
                    value={value.hold_worker_during_calls} hint="Thread-per-request servers do."
                    on_change={edit(value, emit, |s, v| s.hold_worker_during_calls = v)} />
                <CheckField label="Cancel on caller timeout" path={join(path, "cancel_on_timeout")}
                    value={value.cancel_on_timeout}
                    on_change={edit(value, emit, |s, v| s.cancel_on_timeout = v)} />
            </Section>
            <AutoscalingEditor path={join(path, "autoscaling")} value={value.autoscaling.clone()}
                on_change={edit(value, emit, |s, a| s.autoscaling = a)} />
            if value.autoscaling.is_some() || value.discovery.is_some() {
                <DiscoveryEditor path={join(path, "discovery")} value={value.discovery.clone()}
                    on_change={edit(value, emit, |s, d| s.discovery = d)} />
            }
        </>
    }
}

#[function_component(CacheEditor)]
fn cache_editor(props: &EditorProps<CacheParams>) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let eviction = value.eviction.name();
    html! {
        <>
            <Section title="Cache">
                <NumberField label="Capacity" path={join(path, "capacity")} kind={NumberKind::U64}
                    value={value.capacity as f64} unit="keys"
                    on_change={edit(value, emit, |c, v: f64| c.capacity = v as u64)} />
                <SelectField label="Eviction" path={join(path, "eviction")} value={eviction}
                    options={catalog_options(&Eviction::CATALOG)}
                    on_change={edit(value, emit, |c, to: String| c.eviction = Eviction::default_named(&to).unwrap_or_default())} />
                <DistributionEditor label="Hit time" path={join(path, "hit_time")} value={value.hit_time.clone()}
                    on_change={edit(value, emit, |c, d| c.hit_time = d)} />
                <SelectField label="Writes" path={join(path, "write_policy")}
                    value={match value.write_policy {
                        WritePolicy::Invalidate => "invalidate",
                        WritePolicy::WriteThrough => "write_through",
                        WritePolicy::WriteBack => "write_back",
                    }}
                    options={options(&[("invalidate", "Invalidate, write downstream"), ("write_through", "Write through"), ("write_back", "Write back (flush later)")])}
                    on_change={edit(value, emit, |c, to: String| c.write_policy = match to.as_str() {
                        "write_through" => WritePolicy::WriteThrough,
                        "write_back" => WritePolicy::WriteBack,
                        _ => WritePolicy::Invalidate,
                    })} />
                if value.write_policy == WritePolicy::WriteBack {
                    <NumberField label="Flush delay" path={join(path, "write_back_delay_ms")} unit="ms"
                        value={value.write_back_delay_ms}
                        hint="Writes to a key before its flush share it; a crash loses them."
                        on_change={edit(value, emit, |c, v| c.write_back_delay_ms = v)} />
                }
                <CheckField label="Coalesce concurrent misses" path={join(path, "coalesce_misses")}
                    value={value.coalesce_misses}
                    hint="Single-flight: one request downstream per key, the other misses wait for it."
                    on_change={edit(value, emit, |c, v| c.coalesce_misses = v)} />
            </Section>
            <OptionalSection title="Expire entries (TTL)" path={join(path, "ttl_ms")} enabled={value.ttl_ms.is_some()}
                hint="Without a TTL, entries live until evicted."
                on_toggle={edit(value, emit, |c, on: bool| c.ttl_ms = on.then_some(60_000.0))}>
                if let Some(ttl) = value.ttl_ms {
                    <NumberField label="TTL" path={join(path, "ttl_ms")} unit="ms" value={ttl}
                        on_change={edit(value, emit, |c, v| c.ttl_ms = Some(v))} />
                    <CheckField label="Refresh on access" path={join(path, "ttl_refresh_on_access")}
                        value={value.ttl_refresh_on_access}
                        hint="A hit restarts the TTL (expire after access) instead of it running from the write."
                        on_change={edit(value, emit, |c, v| c.ttl_refresh_on_access = v)} />
                }
            </OptionalSection>
            <LoadCurveEditor path={join(path, "load_curve")} value={value.load_curve}
                utilisation="requests in the cache divided by its concurrency"
                on_change={edit(value, emit, |c, curve| c.load_curve = curve)} />
            if value.load_curve.is_some() {
                <NumberField label="Concurrency" path={join(path, "concurrency")} kind={NumberKind::U32}
                    value={value.concurrency as f64} hint="requests at once at full load (u = 1)"
                    on_change={edit(value, emit, |c, v: f64| c.concurrency = v as u32)} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct QueueEditorProps {
    path: AttrValue,
    value: QueueParams,
    downstream: Vec<NodeChoice>,
    on_change: Callback<QueueParams>,
}

#[function_component(QueueEditor)]
fn queue_editor(props: &QueueEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let mut dead_letter_options = vec![(AttrValue::Static(""), AttrValue::Static("None (drop)"))];
    dead_letter_options.extend(node_options(&props.downstream));
    if let Some(current) = &value.dead_letter
        && !props.downstream.iter().any(|c| &c.id == current)
    {
        dead_letter_options.push((
            current.clone().into(),
            format!("{current} (not connected)").into(),
        ));
    }
    html! {
        <Section title="Queue">
            <NumberField label="Capacity" path={join(path, "capacity")} kind={NumberKind::U64}
                value={value.capacity as f64} unit="msgs"
                on_change={edit(value, emit, |q, v: f64| q.capacity = v as u64)} />
            <div class="field-pair">
                <NumberField label={if value.consumer_scaling.is_some() { "Consumers at the start" } else { "Consumers" }}
                    path={join(path, "consumers")} kind={NumberKind::U32}
                    value={value.consumers as f64}
                    on_change={edit(value, emit, |q, v: f64| q.consumers = v as u32)} />
                <NumberField label="Max deliveries" path={join(path, "max_deliveries")} kind={NumberKind::U32}
                    value={value.max_deliveries as f64}
                    on_change={edit(value, emit, |q, v: f64| q.max_deliveries = v as u32)} />
            </div>
            <SelectField label="Dead-letter queue" path={join(path, "dead_letter")}
                value={value.dead_letter.clone().unwrap_or_default()} options={dead_letter_options}
                hint="Gets messages that failed every delivery."
                on_change={edit(value, emit, |q, to: String| q.dead_letter = (!to.is_empty()).then_some(to))} />
            <NumberField label="Partitions" path={join(path, "partitions")} kind={NumberKind::U32}
                value={value.partitions.unwrap_or(0) as f64}
                hint="0: one shared queue; more: a topic partitioned by key, as Kafka's"
                on_change={edit(value, emit, |q, v: f64| q.partitions = (v >= 1.0).then_some(v as u32))} />
            <SelectField label="When full" path={join(path, "backpressure")}
                value={if value.backpressure == Backpressure::Block { "block" } else { "reject" }}
                options={options(&[("reject", "Reject the producer (queue full)"), ("block", "Make the producer wait")])}
                on_change={edit(value, emit, |q, to: String| q.backpressure = if to == "block" { Backpressure::Block } else { Backpressure::Reject })} />
            <NumberField label="Visibility timeout" path={join(path, "visibility_timeout_ms")}
                kind={NumberKind::Millis} unit="ms" value={value.visibility_timeout_ms.unwrap_or(0.0)}
                hint="0: off. On: as SQS, a message not deleted within this time is delivered again"
                on_change={edit(value, emit, |q, v: f64| q.visibility_timeout_ms = (v > 0.0).then_some(v))} />
            <CheckField label="Fan out to every subscription" path={join(path, "fan_out")} value={value.fan_out}
                hint="Pub/sub: each outgoing edge is a consumer group that gets every message, with its own consumers, partition assignment, offsets, lag and scaling."
                on_change={edit(value, emit, |q, v| q.fan_out = v)} />
            <ConsumerScalingEditor path={join(path, "consumer_scaling")} value={value.consumer_scaling.clone()}
                partitioned={value.partitions.is_some()}
                on_change={edit(value, emit, |q, v| q.consumer_scaling = v)} />
            <p class="field-hint">{ "Delivery order and drops (a plain shared queue only: not with partitions, a visibility timeout or fan-out)." }</p>
            <QueueDisciplineEditor path={join(path, "queue_discipline")} value={value.queue_discipline.clone()}
                on_change={edit(value, emit, |q, d| q.queue_discipline = d)} />
        </Section>
    }
}

#[function_component(DatabaseEditor)]
fn database_editor(props: &EditorProps<DatabaseParams>) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let sharding = value.sharding.name();
    let reads_from = match value.reads_from {
        ReadPreference::Primary => "primary",
        ReadPreference::Replicas => "replicas",
        ReadPreference::Any => "any",
    };
    html! {
        <>
            <Section title="Topology">
                <div class="field-pair">
                    <NumberField label="Shards" path={join(path, "shards")} kind={NumberKind::U32}
                        value={value.shards as f64}
                        on_change={edit(value, emit, |d, v: f64| d.shards = v as u32)} />
                    <NumberField label="Replicas / shard" path={join(path, "replicas_per_shard")} kind={NumberKind::U32}
                        value={value.replicas_per_shard as f64}
                        on_change={edit(value, emit, |d, v: f64| d.replicas_per_shard = v as u32)} />
                </div>
                <SelectField label="Sharding" path={join(path, "sharding.type")} value={sharding}
                    options={catalog_options(&Sharding::CATALOG)}
                    on_change={edit(value, emit, |d, to: String| d.sharding = Sharding::default_named(&to).unwrap_or(Sharding::Hash))} />
                <ShardingHashingFields path={join(path, "sharding")} value={value.sharding.clone()}
                    on_change={edit(value, emit, |d, sharding| d.sharding = sharding)} />
                <SelectField label="Reads from" path={join(path, "reads_from")} value={reads_from}
                    options={options(&[("primary", "Primary"), ("replicas", "Replicas"), ("any", "Any member")])}
                    on_change={edit(value, emit, |d, to: String| d.reads_from = match to.as_str() {
                        "replicas" => ReadPreference::Replicas, "any" => ReadPreference::Any, _ => ReadPreference::Primary })} />
                <NumberField label="Replication lag" path={join(path, "replication_lag_ms")} unit="ms"
                    value={value.replication_lag_ms}
                    on_change={edit(value, emit, |d, v| d.replication_lag_ms = v)} />
            </Section>
            <ReplicationEditor path={props.path.clone()} value={value.clone()} on_change={emit.clone()} />
            <Section title="Each primary or replica">
                <div class="field-pair">
                    <NumberField label="Connections" path={join(path, "connections")} kind={NumberKind::U32}
                        value={value.connections as f64}
                        on_change={edit(value, emit, |d, v: f64| d.connections = v as u32)} />
                    <NumberField label="Queue capacity" path={join(path, "queue_capacity")} kind={NumberKind::U32}
                        value={value.queue_capacity as f64}
                        on_change={edit(value, emit, |d, v: f64| d.queue_capacity = v as u32)} />
                </div>
                <DistributionEditor label="Read time" path={join(path, "read_time")} value={value.read_time.clone()}
                    on_change={edit(value, emit, |d, t| d.read_time = t)} />
                <DistributionEditor label="Write time" path={join(path, "write_time")} value={value.write_time.clone()}
                    on_change={edit(value, emit, |d, t| d.write_time = t)} />
            </Section>
            <LoadCurveEditor path={join(path, "load_curve")} value={value.load_curve}
                utilisation="the member's busy fraction of connections"
                on_change={edit(value, emit, |d, c| d.load_curve = c)} />
        </>
    }
}

/// A rate limiter's algorithm and scope: the rate limiter node's, and a gateway route's.
#[function_component(RateLimiterEditor)]
pub(crate) fn rate_limiter_editor(props: &EditorProps<RateLimiterParams>) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();
    let algo_path = format!("{path}.algorithm");
    let algo = &value.algorithm;
    let kind = algo.name();
    let on_kind = edit(value, emit, |r, to: String| {
        if let Some(algorithm) = RateLimitAlgorithm::default_named(&to) {
            r.algorithm = algorithm;
        }
    });
    let fields = match *algo {
        RateLimitAlgorithm::TokenBucket { rate_rps, burst } => html! {
            <div class="field-pair">
                <NumberField label="Refill rate" path={join(&algo_path, "rate_rps")} unit="rps" value={rate_rps}
                    on_change={edit(value, emit, |r, v| if let RateLimitAlgorithm::TokenBucket { rate_rps, .. } = &mut r.algorithm { *rate_rps = v })} />
                <NumberField label="Burst" path={join(&algo_path, "burst")} kind={NumberKind::U32} value={burst as f64}
                    on_change={edit(value, emit, |r, v: f64| if let RateLimitAlgorithm::TokenBucket { burst, .. } = &mut r.algorithm { *burst = v as u32 })} />
            </div>
        },
        RateLimitAlgorithm::Gcra { rate_rps, burst } => html! {
            <div class="field-pair">
                <NumberField label="Rate" path={join(&algo_path, "rate_rps")} unit="rps" value={rate_rps}
                    hint="emission interval 1/rate"
                    on_change={edit(value, emit, |r, v| if let RateLimitAlgorithm::Gcra { rate_rps, .. } = &mut r.algorithm { *rate_rps = v })} />
                <NumberField label="Burst" path={join(&algo_path, "burst")} kind={NumberKind::U32} value={burst as f64}
                    hint="back to back from idle"
                    on_change={edit(value, emit, |r, v: f64| if let RateLimitAlgorithm::Gcra { burst, .. } = &mut r.algorithm { *burst = v as u32 })} />
            </div>
        },
        RateLimitAlgorithm::LeakyBucket { rate_rps, capacity } => html! {
            <div class="field-pair">
                <NumberField label="Drain rate" path={join(&algo_path, "rate_rps")} unit="rps" value={rate_rps}
                    on_change={edit(value, emit, |r, v| if let RateLimitAlgorithm::LeakyBucket { rate_rps, .. } = &mut r.algorithm { *rate_rps = v })} />
                <NumberField label="Capacity" path={join(&algo_path, "capacity")} kind={NumberKind::U32} value={capacity as f64}
                    on_change={edit(value, emit, |r, v: f64| if let RateLimitAlgorithm::LeakyBucket { capacity, .. } = &mut r.algorithm { *capacity = v as u32 })} />
            </div>
        },
        RateLimitAlgorithm::FixedWindow { limit, window_ms }
        | RateLimitAlgorithm::SlidingWindow { limit, window_ms } => html! {
            <div class="field-pair">
                <NumberField label="Limit" path={join(&algo_path, "limit")} kind={NumberKind::U32} value={limit as f64}
                    unit="req"
                    on_change={edit(value, emit, |r, v: f64| match &mut r.algorithm {
                        RateLimitAlgorithm::FixedWindow { limit, .. } | RateLimitAlgorithm::SlidingWindow { limit, .. } => *limit = v as u32,
                        _ => {}
                    })} />
                <NumberField label="Window" path={join(&algo_path, "window_ms")} unit="ms" value={window_ms}
                    on_change={edit(value, emit, |r, v| match &mut r.algorithm {
                        RateLimitAlgorithm::FixedWindow { window_ms, .. } | RateLimitAlgorithm::SlidingWindow { window_ms, .. } => *window_ms = v,
                        _ => {}
                    })} />
            </div>
        },
    };
    html! {
        <Section title="Limit">
            <SelectField label="Algorithm" path={join(&algo_path, "type")} value={kind}
                options={catalog_options(&RateLimitAlgorithm::CATALOG)} on_change={on_kind} />
            { fields }
            <CheckField label="Per key" path={join(path, "per_key")} value={value.per_key}
                hint="One limit per request key instead of one shared limit."
                on_change={edit(value, emit, |r, v| r.per_key = v)} />
        </Section>
    }
}

/// A one-line summary of a node's key parameters, shown under its label on the canvas.
pub fn node_caption(spec: &NodeKind) -> String {
    use super::distribution::describe_distribution as dist;
    use crate::components::fields::format_number as n;
    match spec {
        NodeKind::Client(c) => match &c.workload {
            Workload::OpenLoop { rate } => match rate {
                archsim_model::RateProfile::Constant { rps } => format!("{} rps", n(*rps)),
                other => format!("up to {} rps", n(other.max_rate())),
            },
            Workload::ClosedLoop { users, .. } => format!("{users} users · closed loop"),
        },
        NodeKind::ApiGateway(g) => {
            let cap = if g.max_concurrency == 0 {
                "unlimited".to_string()
            } else {
                format!("max {}", g.max_concurrency)
            };
            format!("{} · {cap}", dist(&g.overhead))
        }
        NodeKind::LoadBalancer(lb) => match lb.algorithm {
            BalancerAlgorithm::RoundRobin => "round robin".into(),
            BalancerAlgorithm::WeightedRoundRobin => "weighted round robin".into(),
            BalancerAlgorithm::Random => "random".into(),
            BalancerAlgorithm::LeastConnections { .. } => "least connections".into(),
            BalancerAlgorithm::LeastRequest => "least request".into(),
            BalancerAlgorithm::ConsistentHash { .. } => "consistent hash".into(),
            BalancerAlgorithm::Maglev { .. } => "maglev".into(),
            BalancerAlgorithm::Rendezvous => "rendezvous".into(),
            BalancerAlgorithm::BoundedLoadHash { balance_factor, .. } => {
                format!("hash, bounded at {}× average", n(balance_factor))
            }
        },
        NodeKind::Service(s) => {
            let workers = format!(
                "{} worker{}",
                s.workers,
                if s.workers == 1 { "" } else { "s" }
            );
            match &s.autoscaling {
                Some(a) => format!(
                    "{}–{} × {workers} · {}",
                    a.min_instances,
                    a.max_instances,
                    dist(&s.service_time)
                ),
                None => format!("{workers} · {}", dist(&s.service_time)),
            }
        }
        NodeKind::Cache(c) => format!("{} keys · {}", c.capacity, c.eviction.name()),
        NodeKind::Queue(q) => match &q.consumer_scaling {
            // Short enough for the canvas caption (21 characters).
            Some(s) => format!("{}–{} consumers (lag)", s.min_replicas, s.max_replicas),
            None => format!("{} consumers · cap {}", q.consumers, q.capacity),
        },
        NodeKind::Database(d) => format!(
            "{} shard{} × {} replica{}",
            d.shards,
            if d.shards == 1 { "" } else { "s" },
            d.replicas_per_shard,
            if d.replicas_per_shard == 1 { "" } else { "s" }
        ),
        NodeKind::RateLimiter(r) => match r.algorithm {
            RateLimitAlgorithm::TokenBucket { rate_rps, burst } => {
                format!("token bucket {} rps · burst {burst}", n(rate_rps))
            }
            RateLimitAlgorithm::LeakyBucket { rate_rps, .. } => {
                format!("leaky bucket {} rps", n(rate_rps))
            }
            RateLimitAlgorithm::FixedWindow { limit, window_ms } => {
                format!("{limit} per {} ms", n(window_ms))
            }
            RateLimitAlgorithm::SlidingWindow { limit, window_ms } => {
                format!("{limit} per sliding {} ms", n(window_ms))
            }
            RateLimitAlgorithm::Gcra { rate_rps, burst } => {
                format!("GCRA {} rps · burst {burst}", n(rate_rps))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_summarize_key_parameters() {
        assert_eq!(
            node_caption(&NodeKind::Service(ServiceParams::default())),
            "4 workers · exp 20 ms"
        );
        assert_eq!(
            node_caption(&NodeKind::Client(ClientParams::default())),
            "100 rps"
        );
        assert_eq!(
            node_caption(&NodeKind::Database(DatabaseParams::default())),
            "1 shard × 0 replicas"
        );
    }
}

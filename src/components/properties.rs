//! The properties panel: the selected node's or edge's parameters, or, with nothing selected, the
//! design's name, description, run settings and fault timeline.
//!
//! With several nodes of one kind selected, their shared parameters are edited together (a bulk
//! edit): the form shows the first node's values, "mixed" where the nodes differ, and a value
//! set there is set on all of them (see `state::bulk`). A selection of two or more nodes can
//! be aligned and distributed.
//!
//! Every edit while one field has focus is a single undo step: focusing a field opens a gesture
//! and leaving it closes the gesture, so typing "250" is one step, not three.

use std::rc::Rc;

use archsim_model::{Design, NodeKind};
use yew::prelude::*;

use super::fields::{FieldProblems, MixedFields, Section, TextField};
use super::forms::NodeChoice;
use super::forms::edge::EdgeParamsEditor;
use super::forms::node::NodeParamsEditor;
use super::forms::run::{FaultTimeline, RunSettingsEditor};
use super::kinds::{KindIcon, kind_info};
use super::results_charts::{ElementCharts, Subject};
use crate::state::problems::{edge_path, node_path, problems_under};
use crate::state::{Action, EditorState, ItemRef, bulk, field_problems};

#[derive(Properties, PartialEq)]
pub struct PropertiesPanelProps {
    pub state: UseReducerHandle<EditorState>,
}

fn choice(design: &Design, id: &str) -> NodeChoice {
    NodeChoice {
        id: id.to_string(),
        label: design.node(id).map(|n| n.label.clone()).unwrap_or_default(),
    }
}

/// Request class names used by the design's clients, without repeats, in document order.
fn class_names(design: &Design) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for node in &design.nodes {
        if let NodeKind::Client(client) = &node.spec {
            for class in &client.mix {
                if !names.contains(&class.name) {
                    names.push(class.name.clone());
                }
            }
        }
    }
    names
}

/// The selected group box or note: its label or text, and Delete. Drawing only, as it says.
fn annotation_editor(state: &UseReducerHandle<EditorState>) -> Option<Html> {
    let id = state.annotation.clone()?;
    let design = &state.design;
    let index = design.annotations.iter().position(|a| a.id == id)?;
    let annotation = &design.annotations[index];
    let group = annotation.kind == archsim_model::AnnotationKind::Group;
    let on_text = {
        let state = state.clone();
        let id = id.clone();
        Callback::from(move |text: String| {
            state.dispatch(Action::SetAnnotationText {
                id: id.clone(),
                text,
            })
        })
    };
    let remove = {
        let state = state.clone();
        let id = id.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::RemoveAnnotation(id.clone())))
    };
    let (title, subtitle, field) = if group {
        (
            "Group box",
            "Drawing only: moving the box moves the nodes inside it; the simulation never reads it.",
            "Label",
        )
    } else {
        (
            "Note",
            "Drawing only: the simulation never reads it.",
            "Text",
        )
    };
    Some(html! {
        <div class="props-annotation" key={format!("annotation:{id}")}>
            <div class="props-head">
                <div class="props-head-text">
                    <h2 class="props-title">{ title }</h2>
                    <span class="props-subtitle">{ subtitle }</span>
                </div>
                <button type="button" class="icon-button danger" title="Delete (Delete)"
                        aria-label={format!("Delete {}", title.to_lowercase())} onclick={remove}>{ trash_icon() }</button>
            </div>
            <Section title={title}>
                <TextField label={field} path={format!("annotations[{index}].text")} multiline={!group}
                    value={annotation.text.clone()} on_change={on_text} />
            </Section>
        </div>
    })
}

/// The bulk edit of the selected nodes, all of `kind`: the first node's form, "mixed" where
/// the nodes differ; a change made there is made on every selected node (each keeps its other
/// values), as one step.
fn bulk_editor(
    state: &UseReducerHandle<EditorState>,
    kind: &str,
    touched: &Rc<std::cell::RefCell<Option<String>>>,
) -> Option<Html> {
    let design = &state.design;
    let selected: Vec<&archsim_model::Node> = design
        .nodes
        .iter()
        .filter(|n| state.selection.nodes.contains(&n.id))
        .collect();
    let first = selected.first()?;
    let path = node_path(design, &first.id)?;
    let specs: Vec<&NodeKind> = selected.iter().map(|n| &n.spec).collect();
    let mixed = MixedFields {
        paths: Rc::new(
            bulk::mixed_paths(&specs)
                .into_iter()
                .map(|relative| format!("{path}.{relative}"))
                .collect(),
        ),
        touched: touched.clone(),
    };
    // Route and dead-letter targets: only nodes every selected node calls.
    let downstream: Vec<NodeChoice> = design
        .outgoing(&first.id)
        .filter(|e| {
            selected
                .iter()
                .all(|n| design.outgoing(&n.id).any(|o| o.to == e.to))
        })
        .map(|e| choice(design, &e.to))
        .collect();
    let on_spec = {
        let state = state.clone();
        let before = first.spec.clone();
        let touched = touched.clone();
        let prefix = format!("{path}.");
        Callback::from(move |after: NodeKind| {
            let touched = touched
                .borrow_mut()
                .take()
                .and_then(|p| p.strip_prefix(&prefix).map(str::to_string));
            let specs: Vec<(String, NodeKind)> = state
                .design
                .nodes
                .iter()
                .filter(|n| state.selection.nodes.contains(&n.id))
                .filter_map(|n| {
                    bulk::apply_same_edit(&before, &after, &n.spec, touched.as_deref())
                        .map(|spec| (n.id.clone(), spec))
                })
                .collect();
            state.dispatch(Action::ReplaceNodeSpecs(specs));
        })
    };
    let title = kind_info(kind).title;
    let first_name = if first.label.trim().is_empty() {
        first.id.clone()
    } else {
        first.label.clone()
    };
    let count = selected.len();
    Some(html! {
        <div class="props-bulk" id="bulk-edit">
            <p class="field-hint">{ format!(
                "Editing {count} {title} nodes together: values are {first_name}'s, “mixed” where they differ; a value you set is set on all {count}."
            ) }</p>
            <ContextProvider<MixedFields> context={mixed}>
                <NodeParamsEditor path={format!("{path}.params")} spec={first.spec.clone()}
                    downstream={downstream} classes={class_names(design)} on_change={on_spec} />
            </ContextProvider<MixedFields>>
        </div>
    })
}

/// Problems of the item at `prefix` that no field of the panel shows (the item as a whole, its
/// id, position or ends, a list as a whole), as "where: why" lines for the alert at the top.
fn unplaced_problems(problems: &FieldProblems, prefix: &str) -> Vec<String> {
    problems_under(&problems.0, prefix)
        .into_iter()
        .filter(|(relative, _)| {
            relative.is_empty()
                || matches!(
                    *relative,
                    "id" | "from" | "to" | "params" | "params.mix" | "params.routes"
                )
                || relative.starts_with("position")
                || relative.ends_with(']')
        })
        .map(|(relative, message)| {
            if relative.is_empty() {
                message.to_string()
            } else {
                format!(
                    "{}: {message}",
                    crate::state::wording::field_label(relative)
                )
            }
        })
        .collect()
}

fn problem_alert(lines: Vec<String>) -> Html {
    if lines.is_empty() {
        return html! {};
    }
    html! {
        <div class="props-alert" role="alert">
            { for lines.into_iter().map(|line| html! { <p>{ line }</p> }) }
        </div>
    }
}

#[function_component(PropertiesPanel)]
pub fn properties_panel(props: &PropertiesPanelProps) -> Html {
    let state = &props.state;
    // The path of a field set while it showed "mixed" in a bulk edit (see `MixedFields`).
    let touched = use_mut_ref(|| None::<String>);
    let problems: Rc<FieldProblems> = {
        let state = state.clone();
        use_memo(state.revision, move |_| {
            FieldProblems(Rc::new(field_problems(&state.design)))
        })
    };
    let design = &state.design;
    let dispatch = |action_of: fn(String) -> Action| {
        let state = state.clone();
        Callback::from(move |value: String| state.dispatch(action_of(value)))
    };
    // A gesture per focused field: see the module comment.
    let on_focus_in = {
        let state = state.clone();
        Callback::from(move |_: FocusEvent| state.dispatch(Action::BeginGesture))
    };
    let on_focus_out = {
        let state = state.clone();
        Callback::from(move |_: FocusEvent| state.dispatch(Action::EndGesture))
    };

    let body = match state.selection.single() {
        Some(ItemRef::Node(id)) => match (design.node(&id), node_path(design, &id)) {
            (Some(node), Some(path)) => {
                let info = kind_info(node.kind_name());
                let downstream: Vec<NodeChoice> = design
                    .outgoing(&id)
                    .map(|e| choice(design, &e.to))
                    .collect();
                let node_problems = unplaced_problems(&problems, &path);
                let on_spec = {
                    let state = state.clone();
                    let id = id.clone();
                    Callback::from(move |spec: NodeKind| {
                        state.dispatch(Action::ReplaceNodeSpec {
                            id: id.clone(),
                            spec,
                        })
                    })
                };
                let on_label = {
                    let state = state.clone();
                    let id = id.clone();
                    Callback::from(move |label: String| {
                        state.dispatch(Action::SetNodeLabel {
                            id: id.clone(),
                            label,
                        })
                    })
                };
                let delete = {
                    let state = state.clone();
                    Callback::from(move |_: MouseEvent| state.dispatch(Action::DeleteSelection))
                };
                html! {
                    <div class="props-node" key={format!("node:{id}")}>
                        <div class={classes!("props-head", format!("kind-{}", node.kind_name()))}>
                            <span class="props-icon"><KindIcon kind={node.kind_name()} size={20} /></span>
                            <div class="props-head-text">
                                <h2 class="props-title">{ info.title }</h2>
                                <span class="props-subtitle">{ "id " }<code>{ id.clone() }</code></span>
                            </div>
                            <button type="button" class="icon-button danger" title="Delete node (Delete)"
                                    aria-label="Delete node" onclick={delete}>{ trash_icon() }</button>
                        </div>
                        { problem_alert(node_problems) }
                        <ElementCharts subject={Subject::Node(id.clone())} />
                        <Section title="Node">
                            <TextField label="Label" path={format!("{path}.label")}
                                value={node.label.clone()} on_change={on_label} />
                        </Section>
                        <NodeParamsEditor path={format!("{path}.params")} spec={node.spec.clone()}
                            downstream={downstream} classes={class_names(design)} on_change={on_spec} />
                    </div>
                }
            }
            _ => html! {},
        },
        Some(ItemRef::Edge(id)) => {
            let found = design.edges.iter().find(|e| e.id == id);
            match (found, edge_path(design, &id)) {
                (Some(edge), Some(path)) => {
                    let name = |node_id: &str| {
                        design
                            .node(node_id)
                            .map(|n| n.label.clone())
                            .filter(|l| !l.is_empty())
                            .unwrap_or_else(|| node_id.to_string())
                    };
                    let on_params = {
                        let state = state.clone();
                        let id = id.clone();
                        Callback::from(move |params| {
                            state.dispatch(Action::ReplaceEdgeParams {
                                id: id.clone(),
                                params,
                            })
                        })
                    };
                    let delete = {
                        let state = state.clone();
                        Callback::from(move |_: MouseEvent| state.dispatch(Action::DeleteSelection))
                    };
                    html! {
                        <div class="props-edge" key={format!("edge:{id}")}>
                            <div class="props-head">
                                <span class="props-icon">{ arrow_icon() }</span>
                                <div class="props-head-text">
                                    <h2 class="props-title">{ format!("{} → {}", name(&edge.from), name(&edge.to)) }</h2>
                                    <span class="props-subtitle">{ "edge " }<code>{ id.clone() }</code></span>
                                </div>
                                <button type="button" class="icon-button danger" title="Delete edge (Delete)"
                                        aria-label="Delete edge" onclick={delete}>{ trash_icon() }</button>
                            </div>
                            { problem_alert(unplaced_problems(&problems, &path)) }
                            <ElementCharts subject={Subject::Edge(id.clone())} />
                            <EdgeParamsEditor path={format!("{path}.params")} value={edge.params.clone()}
                                on_change={on_params}
                                from_gateway={matches!(design.node(&edge.from).map(|n| &n.spec), Some(NodeKind::ApiGateway(_)))} />
                        </div>
                    }
                }
                _ => html! {},
            }
        }
        None if state.selection.is_empty() && state.annotation.is_some() => {
            annotation_editor(state).unwrap_or_default()
        }
        None if !state.selection.is_empty() => {
            let (n, e) = (state.selection.nodes.len(), state.selection.edges.len());
            let plural = |count: usize, word: &str| {
                format!("{count} {word}{}", if count == 1 { "" } else { "s" })
            };
            let action = |a: Action| {
                let state = state.clone();
                Callback::from(move |_: MouseEvent| state.dispatch(a.clone()))
            };
            let shared = bulk::shared_kind(design, &state.selection.nodes)
                .and_then(|kind| bulk_editor(state, kind, &touched));
            let arrange = |label: &'static str, title: &'static str, a: Action| {
                html! {
                    <button type="button" class="small-button" title={title} onclick={action(a)}>{ label }</button>
                }
            };
            html! {
                <div class="props-multi" key="multi">
                    <h2 class="props-title">{ format!("{} and {} selected", plural(n, "node"), plural(e, "edge")) }</h2>
                    if shared.is_none() {
                        <p class="field-hint">{ "Select one item, or several nodes of one kind, to edit parameters." }</p>
                    }
                    <div class="button-row">
                        <button type="button" class="small-button" onclick={action(Action::Duplicate)}>{ "Duplicate" }</button>
                        <button type="button" class="small-button danger" onclick={action(Action::DeleteSelection)}>{ "Delete" }</button>
                    </div>
                    if n >= 2 {
                        <Section title="Arrange">
                            <div class="button-row" id="align-buttons" role="group" aria-label="Align">
                                { arrange("Left", "Align the left edges", Action::AlignSelection(bulk::Align::Left)) }
                                { arrange("Centre", "Align the centres on a vertical line", Action::AlignSelection(bulk::Align::Centre)) }
                                { arrange("Right", "Align the right edges", Action::AlignSelection(bulk::Align::Right)) }
                                { arrange("Top", "Align the top edges", Action::AlignSelection(bulk::Align::Top)) }
                                { arrange("Middle", "Align the middles on a horizontal line", Action::AlignSelection(bulk::Align::Middle)) }
                                { arrange("Bottom", "Align the bottom edges", Action::AlignSelection(bulk::Align::Bottom)) }
                            </div>
                            if n >= 3 {
                                <div class="button-row" id="distribute-buttons" role="group" aria-label="Distribute">
                                    { arrange("Spread across", "Equal gaps from left to right", Action::DistributeSelection(bulk::Distribute::Horizontally)) }
                                    { arrange("Spread down", "Equal gaps from top to bottom", Action::DistributeSelection(bulk::Distribute::Vertically)) }
                                </div>
                            }
                        </Section>
                    }
                    { for shared }
                </div>
            }
        }
        None => {
            let on_run = {
                let state = state.clone();
                Callback::from(move |run| state.dispatch(Action::SetRunSettings(run)))
            };
            let nodes: Vec<NodeChoice> =
                design.nodes.iter().map(|n| choice(design, &n.id)).collect();
            // Edge faults (partition, extra latency) name an edge, shown as "from → to".
            let edges: Vec<NodeChoice> = design
                .edges
                .iter()
                .map(|e| NodeChoice {
                    id: e.id.clone(),
                    label: format!(
                        "{} → {}",
                        choice(design, &e.from).label,
                        choice(design, &e.to).label
                    ),
                })
                .collect();
            let on_add = {
                let state = state.clone();
                Callback::from(move |fault| state.dispatch(Action::AddFault(fault)))
            };
            let on_update = {
                let state = state.clone();
                Callback::from(move |(index, fault)| {
                    state.dispatch(Action::UpdateFault { index, fault })
                })
            };
            let on_remove = {
                let state = state.clone();
                Callback::from(move |index| state.dispatch(Action::RemoveFault { index }))
            };
            html! {
                <div class="props-design" key="design">
                    <div class="props-head">
                        <span class="props-icon">{ design_icon() }</span>
                        <div class="props-head-text">
                            <h2 class="props-title">{ "Design" }</h2>
                            <span class="props-subtitle">{ "Select a node or an edge to edit it." }</span>
                        </div>
                    </div>
                    <Section title="About">
                        <TextField label="Name" path="name" value={design.name.clone()}
                            placeholder="Untitled design" on_change={dispatch(Action::SetDesignName)} />
                        <TextField label="Description" path="description" multiline={true}
                            value={design.description.clone()}
                            placeholder="What is this design for? What should a run show?"
                            on_change={dispatch(Action::SetDesignDescription)} />
                    </Section>
                    <RunSettingsEditor value={design.run.clone()} on_change={on_run} />
                    <FaultTimeline faults={design.faults.clone()} nodes={nodes} edges={edges}
                        default_target={crate::state::edit::default_fault_target(design)}
                        duration_ms={design.run.duration_ms} on_add={on_add} on_update={on_update}
                        on_remove={on_remove} />
                </div>
            }
        }
    };
    html! {
        <aside id="properties" aria-label="Properties" onfocusin={on_focus_in} onfocusout={on_focus_out}>
            <ContextProvider<FieldProblems> context={(*problems).clone()}>
                { body }
            </ContextProvider<FieldProblems>>
        </aside>
    }
}

fn trash_icon() -> Html {
    html! {
        <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor"
             stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
        </svg>
    }
}

fn arrow_icon() -> Html {
    html! {
        <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor"
             stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d="M4 12h15M14 7l5 5-5 5" />
        </svg>
    }
}

fn design_icon() -> Html {
    html! {
        <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor"
             stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <rect x="3" y="3" width="7" height="5" rx="1" />
            <rect x="14" y="9" width="7" height="5" rx="1" />
            <rect x="3" y="16" width="7" height="5" rx="1" />
            <path d="M10 5.5h2v13h-2M12 11.5h2" />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn unplaced_problems_keep_only_what_no_field_shows() {
        let problems = FieldProblems(Rc::new(BTreeMap::from([
            ("nodes[1]".to_string(), "sends nowhere".to_string()),
            ("nodes[1].id".to_string(), "id used twice".to_string()),
            (
                "nodes[1].params.workers".to_string(),
                "must be at least 1".to_string(),
            ),
            ("nodes[1].params.mix".to_string(), "no classes".to_string()),
            ("nodes[12].id".to_string(), "another node".to_string()),
        ])));
        assert_eq!(
            unplaced_problems(&problems, "nodes[1]"),
            [
                "sends nowhere",
                "Id: id used twice",
                "Request classes: no classes"
            ]
        );
    }
}

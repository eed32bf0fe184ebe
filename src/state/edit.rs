//! Edits of the design document itself, free of any editor state: fresh ids, connecting,
//! deleting with clean-up of everything that referred to the deleted items, pasting fragments.

use std::collections::{BTreeMap, BTreeSet};

use archsim_model::{Design, Edge, EdgeParams, Node, NodeKind, Position};

/// Why a connection was refused; shown to the person as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectRefusal {
    UnknownNode(String),
    SelfLoop,
    Duplicate,
    IntoClient,
}

impl std::fmt::Display for ConnectRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectRefusal::UnknownNode(id) => write!(f, "there is no node \"{id}\""),
            ConnectRefusal::SelfLoop => write!(f, "a node cannot call itself"),
            ConnectRefusal::Duplicate => write!(f, "these nodes are already connected"),
            ConnectRefusal::IntoClient => {
                write!(f, "a client only sends traffic; nothing can call it")
            }
        }
    }
}

/// The label a palette kind gets on the canvas ("API Gateway", "Service"…).
pub fn kind_display_name(kind: &str) -> String {
    match kind {
        "client" => "Client".into(),
        "api_gateway" => "API Gateway".into(),
        "load_balancer" => "Load Balancer".into(),
        "service" => "Service".into(),
        "cache" => "Cache".into(),
        "queue" => "Queue".into(),
        "database" => "Database".into(),
        "rate_limiter" => "Rate Limiter".into(),
        other => other.replace('_', " "),
    }
}

/// A node id not yet used in `design`: the kind with `-` for `_`, then one more than the highest
/// number in use ("service-3" when "service-2" exists, even if "service-1" was deleted): filling
/// gaps would make a new node look like the one just deleted.
pub fn fresh_node_id(design: &Design, kind: &str) -> (String, u32) {
    let prefix = format!("{}-", kind.replace('_', "-"));
    let highest = design
        .nodes
        .iter()
        .filter_map(|n| n.id.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    let mut number = highest.saturating_add(1);
    // Guard against an id like "service-7" existing in another form ("service-07"): loop until
    // the exact string is free.
    loop {
        let id = format!("{prefix}{number}");
        if design.node(&id).is_none() {
            return (id, number);
        }
        number = number.saturating_add(1);
    }
}

/// A new node of `kind` (a name from [`NodeKind::NAMES`]) with its top-left corner at `position`.
pub fn new_node(design: &Design, kind: &str, position: Position) -> Option<Node> {
    let spec = NodeKind::default_for(kind)?;
    let (id, number) = fresh_node_id(design, kind);
    Some(Node {
        id,
        label: format!("{} {number}", kind_display_name(kind)),
        position,
        spec,
    })
}

/// An edge id not used yet: `e-<from>-<to>`, with `-2`, `-3`… appended if that is taken.
pub fn fresh_edge_id(design: &Design, from: &str, to: &str) -> String {
    let base = format!("e-{from}-{to}");
    if !design.edges.iter().any(|e| e.id == base) {
        return base;
    }
    (2u32..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !design.edges.iter().any(|e| &e.id == id))
        .unwrap_or(base)
}

/// Add an edge `from → to` with default parameters, returning its id.
pub fn connect(design: &mut Design, from: &str, to: &str) -> Result<String, ConnectRefusal> {
    if let Some(refusal) = connect_refusal(design, from, to) {
        return Err(refusal);
    }
    let id = fresh_edge_id(design, from, to);
    design.edges.push(Edge {
        id: id.clone(),
        from: from.into(),
        to: to.into(),
        params: EdgeParams::default(),
    });
    Ok(id)
}

/// Why an edge from `from` to `to` cannot be added, or None when it can: what the canvas asks
/// while a connection is dragged, so that only nodes it would accept light up.
pub fn connect_refusal(design: &Design, from: &str, to: &str) -> Option<ConnectRefusal> {
    if design.node(from).is_none() {
        return Some(ConnectRefusal::UnknownNode(from.into()));
    }
    let Some(target) = design.node(to) else {
        return Some(ConnectRefusal::UnknownNode(to.into()));
    };
    if from == to {
        return Some(ConnectRefusal::SelfLoop);
    }
    if matches!(target.spec, NodeKind::Client(_)) {
        return Some(ConnectRefusal::IntoClient);
    }
    if design.edges.iter().any(|e| e.from == from && e.to == to) {
        return Some(ConnectRefusal::Duplicate);
    }
    None
}

/// Give node `id` the id `new_id`, following it everywhere it is referred to. Edge ids are
/// left alone: they are names, and a rename should not disturb what else is selected or shown.
pub fn rename_node(design: &mut Design, id: &str, new_id: &str) -> Result<(), String> {
    if design.node(id).is_none() {
        return Err(format!("there is no node \"{id}\""));
    }
    if new_id == id {
        return Ok(());
    }
    if new_id.is_empty() {
        return Err("an id cannot be empty".into());
    }
    if let Some(bad) = new_id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "\"{bad}\" cannot be part of an id (use letters, digits, - and _)"
        ));
    }
    if design.node(new_id).is_some() {
        return Err(format!("another node already has the id \"{new_id}\""));
    }
    let follow = |s: &mut String| {
        if s == id {
            *s = new_id.to_string();
        }
    };
    for node in &mut design.nodes {
        follow(&mut node.id);
        match &mut node.spec {
            NodeKind::ApiGateway(g) => g.routes.iter_mut().for_each(|r| follow(&mut r.to)),
            NodeKind::Queue(q) => {
                if let Some(d) = q.dead_letter.as_mut() {
                    follow(d);
                }
            }
            _ => {}
        }
    }
    for edge in &mut design.edges {
        follow(&mut edge.from);
        follow(&mut edge.to);
    }
    // Only node faults name nodes (an edge fault's target is an edge id).
    for fault in design.faults.iter_mut().filter(|f| !f.effect.on_edge()) {
        follow(&mut fault.target);
    }
    Ok(())
}

/// Remove the given nodes and edges, plus everything that would dangle without them: edges
/// touching a removed node, faults aimed at it, gateway routes and dead-letter settings that
/// point along a removed edge.
pub fn delete_items(design: &mut Design, nodes: &BTreeSet<String>, edges: &BTreeSet<String>) {
    design.nodes.retain(|n| !nodes.contains(&n.id));
    design
        .edges
        .retain(|e| !edges.contains(&e.id) && !nodes.contains(&e.from) && !nodes.contains(&e.to));
    let edge_ids: BTreeSet<&str> = design.edges.iter().map(|e| e.id.as_str()).collect();
    // Faults on a removed node, and edge faults whose edge went (removed, or touching a
    // removed node).
    design.faults.retain(|f| {
        if f.effect.on_edge() {
            edge_ids.contains(f.target.as_str())
        } else {
            !nodes.contains(&f.target)
        }
    });
    prune_dangling_references(design);
}

/// Drop gateway routes and dead-letter targets that no longer follow an existing edge. The model
/// requires an edge to every route target and dead-letter node, so without this a delete would
/// leave a design that cannot run.
pub fn prune_dangling_references(design: &mut Design) {
    let links: BTreeSet<(String, String)> = design
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    for node in &mut design.nodes {
        let from = node.id.clone();
        match &mut node.spec {
            NodeKind::ApiGateway(g) => g
                .routes
                .retain(|r| links.contains(&(from.clone(), r.to.clone()))),
            NodeKind::Queue(q) => {
                if let Some(dl) = &q.dead_letter
                    && !links.contains(&(from.clone(), dl.clone()))
                {
                    q.dead_letter = None;
                }
            }
            _ => {}
        }
    }
}

/// A self-contained piece of a design: some nodes and the edges among them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fragment {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Fragment {
    /// The selected nodes and the edges whose both ends are selected. Selected edges with an
    /// unselected end are left out: pasted alone they would point at nothing.
    pub fn extract(design: &Design, node_ids: &BTreeSet<String>) -> Fragment {
        Fragment {
            nodes: design
                .nodes
                .iter()
                .filter(|n| node_ids.contains(&n.id))
                .cloned()
                .collect(),
            edges: design
                .edges
                .iter()
                .filter(|e| node_ids.contains(&e.from) && node_ids.contains(&e.to))
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// The node a new fault targets: the first that is not a client (crashing a client only stops
/// the load, rarely what a fault is added to see), or the first node when all are clients.
pub fn default_fault_target(design: &Design) -> Option<String> {
    design
        .nodes
        .iter()
        .find(|n| !matches!(n.spec, NodeKind::Client(_)))
        .or_else(|| design.nodes.first())
        .map(|n| n.id.clone())
}

/// The label of a copy of a node the person named: "App 1 (copy)", then "App 1 (copy 2)"…
/// (never the original's label again, so the two can be told apart on the canvas and in the
/// results). A blank label stays blank.
fn copy_label(design: &Design, label: &str) -> String {
    if label.trim().is_empty() {
        return label.to_string();
    }
    // A copy of a copy is another copy of the original: "App 1 (copy 2)", not "(copy) (copy)".
    let base = match label.rfind(" (copy") {
        Some(at)
            if label.ends_with(')')
                && label[at + " (copy".len()..label.len() - 1]
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit()) =>
        {
            &label[..at]
        }
        _ => label,
    };
    let taken = |candidate: &str| design.nodes.iter().any(|n| n.label == candidate);
    let mut candidate = format!("{base} (copy)");
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{base} (copy {n})");
        n += 1;
    }
    candidate
}

/// Insert a copy of `fragment` shifted by `offset`, with fresh ids for every node and edge.
/// References inside the fragment (edges, gateway routes, dead-letter targets) follow the copies;
/// references to nodes outside it are dropped. Returns the new node and edge ids.
pub fn paste_fragment(
    design: &mut Design,
    fragment: &Fragment,
    offset: (f64, f64),
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut new_nodes = BTreeSet::new();
    for original in &fragment.nodes {
        let (id, number) = fresh_node_id(design, original.kind_name());
        let default_label_prefix = kind_display_name(original.kind_name());
        // A label the palette made ("Service 2") is renumbered to match the new id; a label the
        // person wrote is marked as the copy's ("App 1 (copy)").
        let label = match original.label.strip_prefix(&default_label_prefix) {
            Some(rest) if rest.trim().parse::<u32>().is_ok() => {
                format!("{default_label_prefix} {number}")
            }
            _ => copy_label(design, &original.label),
        };
        let mut node = original.clone();
        node.id = id.clone();
        node.label = label;
        node.position = Position {
            x: original.position.x + offset.0,
            y: original.position.y + offset.1,
        };
        renamed.insert(original.id.clone(), id.clone());
        new_nodes.insert(id);
        design.nodes.push(node);
    }
    // Rewrite references now that every copy has its id.
    for node in design
        .nodes
        .iter_mut()
        .filter(|n| new_nodes.contains(&n.id))
    {
        match &mut node.spec {
            NodeKind::ApiGateway(g) => {
                g.routes.retain(|r| renamed.contains_key(&r.to));
                for r in &mut g.routes {
                    r.to = renamed[&r.to].clone();
                }
            }
            NodeKind::Queue(q) => {
                q.dead_letter = q.dead_letter.as_ref().and_then(|d| renamed.get(d).cloned());
            }
            _ => {}
        }
    }
    let mut new_edges = BTreeSet::new();
    for edge in &fragment.edges {
        let (Some(from), Some(to)) = (renamed.get(&edge.from), renamed.get(&edge.to)) else {
            continue;
        };
        let id = fresh_edge_id(design, from, to);
        design.edges.push(Edge {
            id: id.clone(),
            from: from.clone(),
            to: to.clone(),
            params: edge.params.clone(),
        });
        new_edges.insert(id);
    }
    prune_dangling_references(design);
    (new_nodes, new_edges)
}

/// A design with one fresh node of each named kind, in order (for tests).
#[cfg(test)]
pub(crate) fn design_with(kinds: &[&str]) -> Design {
    let mut design = Design::default();
    for kind in kinds {
        let node = new_node(&design, kind, Position::default()).unwrap();
        design.nodes.push(node);
    }
    design
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{Fault, FaultEffect, GatewayParams, QueueParams, Route};

    /// A crash of `target` for the first millisecond of the run.
    fn crash_at_start(target: &str) -> Fault {
        Fault {
            target: target.into(),
            at_ms: 0.0,
            duration_ms: 1.0,
            effect: FaultEffect::Crash,
        }
    }

    fn route(class: &str, to: &str) -> Route {
        Route {
            class: class.into(),
            to: to.into(),
        }
    }

    #[test]
    fn fresh_ids_count_up_per_kind_and_never_reuse_after_delete() {
        let mut d = design_with(&["service", "service", "api_gateway"]);
        let ids: Vec<_> = d.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["service-1", "service-2", "api-gateway-1"]);
        assert_eq!(d.nodes[2].label, "API Gateway 1");
        d.nodes.remove(0);
        assert_eq!(fresh_node_id(&d, "service").0, "service-3");
        d.nodes.remove(0);
        assert_eq!(fresh_node_id(&d, "service").0, "service-1");
    }

    #[test]
    fn unknown_kind_makes_no_node() {
        assert!(new_node(&Design::default(), "teapot", Position::default()).is_none());
    }

    #[test]
    fn connect_refuses_self_loops_duplicates_and_edges_into_clients() {
        let mut d = design_with(&["client", "service", "service"]);
        assert_eq!(
            connect(&mut d, "client-1", "service-1"),
            Ok("e-client-1-service-1".into())
        );
        assert_eq!(
            connect(&mut d, "client-1", "service-1"),
            Err(ConnectRefusal::Duplicate)
        );
        assert_eq!(
            connect(&mut d, "service-1", "service-1"),
            Err(ConnectRefusal::SelfLoop)
        );
        assert_eq!(
            connect(&mut d, "service-1", "client-1"),
            Err(ConnectRefusal::IntoClient)
        );
        assert_eq!(
            connect(&mut d, "service-1", "nope"),
            Err(ConnectRefusal::UnknownNode("nope".into()))
        );
        assert_eq!(d.edges.len(), 1);
    }

    #[test]
    fn edge_ids_stay_unique_when_the_natural_id_is_taken() {
        let mut d = design_with(&["service", "service"]);
        d.edges.push(Edge {
            id: "e-service-1-service-2".into(),
            from: "service-2".into(),
            to: "service-1".into(),
            params: EdgeParams::default(),
        });
        assert_eq!(
            connect(&mut d, "service-1", "service-2"),
            Ok("e-service-1-service-2-2".into())
        );
    }

    #[test]
    fn deleting_a_node_removes_its_edges_faults_routes_and_dead_letter_use() {
        let mut d = design_with(&["api_gateway", "service", "service", "queue"]);
        connect(&mut d, "api-gateway-1", "service-1").unwrap();
        connect(&mut d, "api-gateway-1", "service-2").unwrap();
        connect(&mut d, "queue-1", "service-1").unwrap();
        connect(&mut d, "queue-1", "service-2").unwrap();
        d.nodes[0].spec = NodeKind::ApiGateway(GatewayParams {
            routes: vec![route("read", "service-1"), route("write", "service-2")],
            ..GatewayParams::default()
        });
        d.nodes[3].spec = NodeKind::Queue(QueueParams {
            dead_letter: Some("service-2".into()),
            ..QueueParams::default()
        });
        d.faults.push(crash_at_start("service-2"));
        d.faults.push(crash_at_start("service-1"));

        delete_items(
            &mut d,
            &BTreeSet::from(["service-2".to_string()]),
            &BTreeSet::new(),
        );

        assert!(d.node("service-2").is_none());
        assert!(d.edges.iter().all(|e| e.to != "service-2"));
        assert_eq!(d.edges.len(), 2);
        assert_eq!(d.faults.len(), 1);
        assert_eq!(d.faults[0].target, "service-1");
        let NodeKind::ApiGateway(g) = &d.nodes[0].spec else {
            panic!("gateway changed kind")
        };
        assert_eq!(g.routes.len(), 1);
        assert_eq!(g.routes[0].to, "service-1");
        let NodeKind::Queue(q) = &d.node("queue-1").unwrap().spec else {
            panic!("queue changed kind")
        };
        assert_eq!(q.dead_letter, None);
    }

    #[test]
    fn renaming_a_node_follows_every_reference() {
        let mut d = design_with(&["api_gateway", "service", "queue"]);
        connect(&mut d, "api-gateway-1", "service-1").unwrap();
        connect(&mut d, "queue-1", "service-1").unwrap();
        d.nodes[0].spec = NodeKind::ApiGateway(GatewayParams {
            routes: vec![route("read", "service-1")],
            ..GatewayParams::default()
        });
        d.nodes[2].spec = NodeKind::Queue(QueueParams {
            dead_letter: Some("service-1".into()),
            ..QueueParams::default()
        });
        d.faults.push(crash_at_start("service-1"));

        rename_node(&mut d, "service-1", "users").unwrap();

        assert!(d.node("service-1").is_none());
        assert!(d.node("users").is_some());
        assert!(d.edges.iter().all(|e| e.to == "users"));
        assert_eq!(d.faults[0].target, "users");
        let NodeKind::ApiGateway(g) = &d.nodes[0].spec else {
            panic!()
        };
        assert_eq!(g.routes[0].to, "users");
        let NodeKind::Queue(q) = &d.nodes[2].spec else {
            panic!()
        };
        assert_eq!(q.dead_letter.as_deref(), Some("users"));
    }

    #[test]
    fn rename_refuses_bad_or_taken_ids() {
        let mut d = design_with(&["service", "service"]);
        let before = d.clone();
        for bad in ["", "has space", "service-2", "ünï"] {
            assert!(rename_node(&mut d, "service-1", bad).is_err(), "{bad:?}");
        }
        assert!(rename_node(&mut d, "ghost", "x").is_err());
        assert_eq!(d, before);
    }

    #[test]
    fn deleting_only_the_edge_drops_the_route_that_used_it() {
        let mut d = design_with(&["api_gateway", "service"]);
        let edge = connect(&mut d, "api-gateway-1", "service-1").unwrap();
        d.nodes[0].spec = NodeKind::ApiGateway(GatewayParams {
            routes: vec![route("read", "service-1")],
            ..GatewayParams::default()
        });
        delete_items(&mut d, &BTreeSet::new(), &BTreeSet::from([edge]));
        let NodeKind::ApiGateway(g) = &d.nodes[0].spec else {
            panic!()
        };
        assert!(g.routes.is_empty());
        assert_eq!(d.nodes.len(), 2);
    }

    #[test]
    fn pasting_renames_nodes_keeps_inner_edges_and_routes() {
        let mut d = design_with(&["api_gateway", "service", "service"]);
        connect(&mut d, "api-gateway-1", "service-1").unwrap();
        connect(&mut d, "api-gateway-1", "service-2").unwrap();
        d.nodes[0].spec = NodeKind::ApiGateway(GatewayParams {
            routes: vec![route("read", "service-1"), route("write", "service-2")],
            ..GatewayParams::default()
        });
        d.nodes[1].label = "Users".into();
        let fragment = Fragment::extract(
            &d,
            &BTreeSet::from(["api-gateway-1".to_string(), "service-1".to_string()]),
        );
        assert_eq!(fragment.edges.len(), 1);

        let (nodes, edges) = paste_fragment(&mut d, &fragment, (40.0, 40.0));

        assert_eq!(
            nodes,
            BTreeSet::from(["api-gateway-2".to_string(), "service-3".to_string()])
        );
        assert_eq!(
            edges,
            BTreeSet::from(["e-api-gateway-2-service-3".to_string()])
        );
        let gw = d.node("api-gateway-2").unwrap();
        assert_eq!(gw.label, "API Gateway 2");
        assert_eq!(gw.position, Position { x: 40.0, y: 40.0 });
        let NodeKind::ApiGateway(g) = &gw.spec else {
            panic!()
        };
        assert_eq!(
            g.routes,
            vec![Route {
                class: "read".into(),
                to: "service-3".into()
            }]
        );
        // A label the person wrote is kept, marked as the copy's.
        assert_eq!(d.node("service-3").unwrap().label, "Users (copy)");
    }

    #[test]
    fn a_new_fault_targets_the_first_node_that_is_not_a_client() {
        let d = design_with(&["client", "client", "load_balancer", "service"]);
        assert_eq!(default_fault_target(&d).as_deref(), Some("load-balancer-1"));
        let only_clients = design_with(&["client"]);
        assert_eq!(
            default_fault_target(&only_clients).as_deref(),
            Some("client-1")
        );
        assert_eq!(default_fault_target(&Design::default()), None);
    }
}

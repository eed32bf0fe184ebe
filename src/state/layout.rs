//! Automatic layout ("Tidy"): the design laid out left to right by its call graph, the way
//! Sugiyama, Tagawa and Toda's layered drawing does it, in three steps:
//!
//! 1. **Layers by longest path.** Every node goes one column right of its furthest caller, so an
//!    edge always points right (a database called by a client and by a service two hops in sits
//!    after the service, not next to it). Cycles (retries, call-backs) are broken first by
//!    depth-first search from the clients: an edge back to a node still on the search's path
//!    is laid out as if reversed.
//! 2. **Order within a column by barycentre.** Edges spanning several columns get a placeholder
//!    in each column they cross, then columns are swept left to right (each node at the mean
//!    row of its callers) and right to left (of its callees) a few times; the order with the
//!    fewest edge crossings seen is kept.
//! 3. **Coordinates.** Columns `COLUMN_PITCH` apart, rows `ROW_PITCH` apart, each column centred
//!    on the tallest, everything on the grid.
//!
//! Pure maths on the design, tested natively; the editor applies it as one undo step.

use std::collections::BTreeMap;

use archsim_model::{Design, NodeKind, Position};

use super::geometry::{NODE_HEIGHT, NODE_WIDTH};

/// Horizontal distance between columns' left edges, and vertical between rows' tops. Both are
/// grid multiples so laid-out nodes sit on the grid.
pub const COLUMN_PITCH: f64 = NODE_WIDTH + 100.0;
pub const ROW_PITCH: f64 = NODE_HEIGHT + 56.0;
/// Where the first column's first row goes.
pub const LAYOUT_ORIGIN: Position = Position { x: 40.0, y: 40.0 };
/// Down-and-up barycentre sweeps tried; more rarely improve a design of this size.
const ORDER_SWEEPS: usize = 8;

/// True when the design's positions carry no information: two or more nodes, all at one point
/// (typically a file written without any `position`).
pub fn needs_layout(design: &Design) -> bool {
    let mut positions = design.nodes.iter().map(|n| n.position);
    match positions.next() {
        Some(first) => design.nodes.len() >= 2 && positions.all(|p| p == first),
        None => false,
    }
}

/// The call graph as the layout sees it: node indices, each edge once, no self-loops.
struct CallGraph {
    successors: Vec<Vec<usize>>,
    predecessors: Vec<Vec<usize>>,
}

impl CallGraph {
    fn of(design: &Design) -> CallGraph {
        let index: BTreeMap<&str, usize> = design
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let n = design.nodes.len();
        let mut graph = CallGraph {
            successors: vec![Vec::new(); n],
            predecessors: vec![Vec::new(); n],
        };
        for edge in &design.edges {
            if let (Some(&from), Some(&to)) =
                (index.get(edge.from.as_str()), index.get(edge.to.as_str()))
                && from != to
                && !graph.successors[from].contains(&to)
            {
                graph.successors[from].push(to);
                graph.predecessors[to].push(from);
            }
        }
        graph
    }
}

/// The edges of `graph` with every cycle broken: a depth-first search from `roots` (then from
/// any node not reached, in document order) reverses each edge that leads back to a node on the
/// current search path. The result has no cycle; every other edge keeps its direction.
fn acyclic_edges(graph: &CallGraph, roots: &[usize]) -> Vec<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let n = graph.successors.len();
    let mut mark = vec![Mark::New; n];
    let mut edges = Vec::new();
    let starts = roots.iter().copied().chain(0..n);
    for start in starts {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, index of the next successor to visit).
        let mut stack = vec![(start, 0usize)];
        mark[start] = Mark::OnPath;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = graph.successors[node].get(*next) {
                *next += 1;
                match mark[to] {
                    Mark::OnPath => edges.push((to, node)),
                    Mark::Done => edges.push((node, to)),
                    Mark::New => {
                        edges.push((node, to));
                        mark[to] = Mark::OnPath;
                        stack.push((to, 0));
                    }
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    edges
}

/// Longest-path layers of a DAG given as `edges` over `n` nodes: a node with no caller is in
/// layer 0, any other one layer after its furthest caller.
fn longest_path_layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting = vec![0usize; n];
    for &(from, to) in edges {
        callers[to].push(from);
        callees[from].push(to);
        waiting[to] += 1;
    }
    // Kahn's topological order; the layer of a node is final once all its callers are placed.
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).rev().collect();
    while let Some(node) = ready.pop() {
        layer[node] = callers[node]
            .iter()
            .map(|&c| layer[c] + 1)
            .max()
            .unwrap_or(0);
        for &to in callees[node].iter().rev() {
            waiting[to] -= 1;
            if waiting[to] == 0 {
                ready.push(to);
            }
        }
    }
    layer
}

/// Edge crossings between two adjacent columns: `order` gives each vertex's row, `edges` join a
/// vertex of the left column to one of the right. Two edges cross when their ends are in
/// opposite orders.
fn crossings_between(edges: &[(usize, usize)], row: &[usize]) -> usize {
    let mut count = 0;
    for (i, &(a, b)) in edges.iter().enumerate() {
        for &(c, d) in &edges[i + 1..] {
            let left = row[a].cmp(&row[c]);
            let right = row[b].cmp(&row[d]);
            if left != std::cmp::Ordering::Equal
                && right != std::cmp::Ordering::Equal
                && left != right
            {
                count += 1;
            }
        }
    }
    count
}

/// The layered graph the ordering step works on: real nodes and placeholders, each in a column,
/// edges only between neighbouring columns.
struct Layered {
    columns: Vec<Vec<usize>>,
    /// Edges from column c to column c + 1, indexed by c.
    spans: Vec<Vec<(usize, usize)>>,
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
}

impl Layered {
    fn crossings(&self, row: &[usize]) -> usize {
        self.spans
            .iter()
            .map(|edges| crossings_between(edges, row))
            .sum()
    }

    /// Rows of every vertex from the columns' order.
    fn rows(&self, vertices: usize) -> Vec<usize> {
        let mut row = vec![0; vertices];
        for column in &self.columns {
            for (r, &v) in column.iter().enumerate() {
                row[v] = r;
            }
        }
        row
    }

    /// Re-orders `column` by the mean row of each vertex's neighbours (`neighbours`); a vertex
    /// without any keeps its place. The sort is stable, so ties keep their order.
    fn sort_by_barycentre(column: &mut [usize], neighbours: &[Vec<usize>], row: &[usize]) {
        let keys: BTreeMap<usize, f64> = column
            .iter()
            .enumerate()
            .map(|(place, &v)| {
                let ns = &neighbours[v];
                let key = if ns.is_empty() {
                    place as f64
                } else {
                    ns.iter().map(|&u| row[u] as f64).sum::<f64>() / ns.len() as f64
                };
                (v, key)
            })
            .collect();
        column.sort_by(|a, b| keys[a].total_cmp(&keys[b]));
    }
}

/// Columns (left to right) of node indices, each column in its row order, for `design`.
pub fn layered_order(design: &Design) -> Vec<Vec<usize>> {
    let n = design.nodes.len();
    if n == 0 {
        return Vec::new();
    }
    let graph = CallGraph::of(design);
    let clients: Vec<usize> = (0..n)
        .filter(|&i| matches!(design.nodes[i].spec, NodeKind::Client(_)))
        .collect();
    let edges = acyclic_edges(&graph, &clients);
    let mut layer = longest_path_layers(n, &edges);

    // Nodes no client reaches (a cache not yet wired in) go after everything the clients reach,
    // keeping their own layering among themselves.
    let mut reached = vec![false; n];
    let mut stack = clients.clone();
    while let Some(v) = stack.pop() {
        if !std::mem::replace(&mut reached[v], true) {
            stack.extend(graph.successors[v].iter().copied());
        }
    }
    if !clients.is_empty() && reached.iter().any(|r| !r) {
        let reached_max = (0..n).filter(|&i| reached[i]).map(|i| layer[i]).max();
        let unreached_min = (0..n).filter(|&i| !reached[i]).map(|i| layer[i]).min();
        if let (Some(last), Some(first)) = (reached_max, unreached_min) {
            for i in (0..n).filter(|&i| !reached[i]) {
                layer[i] = layer[i] - first + last + 1;
            }
        }
    }

    // Placeholders where an edge skips columns, so long edges take part in the ordering.
    let column_count = layer.iter().copied().max().unwrap_or(0) + 1;
    let mut layered = Layered {
        columns: vec![Vec::new(); column_count],
        spans: vec![Vec::new(); column_count.saturating_sub(1)],
        up: vec![Vec::new(); n],
        down: vec![Vec::new(); n],
    };
    let mut column_of = layer.clone();
    // First placement: document order within each column (the DFS order would do as well;
    // document order keeps a hand-made design's own reading where there is no better one).
    for (i, &l) in layer.iter().enumerate() {
        layered.columns[l].push(i);
    }
    for &(from, to) in &edges {
        let (mut at, end) = (from, to);
        for column in layer[from] + 1..layer[to] {
            let placeholder = column_of.len();
            column_of.push(column);
            layered.up.push(Vec::new());
            layered.down.push(Vec::new());
            layered.columns[column].push(placeholder);
            layered.spans[column - 1].push((at, placeholder));
            layered.down[at].push(placeholder);
            layered.up[placeholder].push(at);
            at = placeholder;
        }
        if layer[to] > layer[from] {
            layered.spans[layer[to] - 1].push((at, end));
            layered.down[at].push(end);
            layered.up[end].push(at);
        }
    }
    let vertices = column_of.len();

    let mut best = layered.columns.clone();
    let mut best_crossings = layered.crossings(&layered.rows(vertices));
    for sweep in 0..ORDER_SWEEPS {
        if best_crossings == 0 {
            break;
        }
        let downward = sweep % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..column_count).collect()
        } else {
            (0..column_count.saturating_sub(1)).rev().collect()
        };
        for c in order {
            let row = layered.rows(vertices);
            let neighbours = if downward { &layered.up } else { &layered.down };
            let mut column = std::mem::take(&mut layered.columns[c]);
            Layered::sort_by_barycentre(&mut column, neighbours, &row);
            layered.columns[c] = column;
        }
        let crossings = layered.crossings(&layered.rows(vertices));
        if crossings < best_crossings {
            best_crossings = crossings;
            best = layered.columns.clone();
        }
    }
    best.into_iter()
        .map(|column| column.into_iter().filter(|&v| v < n).collect())
        .collect()
}

/// Edge crossings of the design as laid out by [`auto_layout`] would be drawn: for tests and
/// for the layout's own choice, counted on the columns of [`layered_order`] (edges between
/// neighbouring columns; placeholders of long edges included).
#[cfg(test)]
fn crossings_of(design: &Design) -> usize {
    let columns = layered_order(design);
    let mut column_of = vec![0; design.nodes.len()];
    let mut row = vec![0; design.nodes.len()];
    for (c, column) in columns.iter().enumerate() {
        for (r, &v) in column.iter().enumerate() {
            column_of[v] = c;
            row[v] = r;
        }
    }
    let graph = CallGraph::of(design);
    let mut spans: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    for (from, tos) in graph.successors.iter().enumerate() {
        for &to in tos {
            if column_of[to] == column_of[from] + 1 {
                spans.entry(column_of[from]).or_default().push((from, to));
            }
        }
    }
    spans
        .values()
        .map(|edges| crossings_between(edges, &row))
        .sum()
}

/// Place every node: columns by longest path from the clients, rows by barycentre ordering
/// (see the module's documentation). Columns are centred on the tallest one.
pub fn auto_layout(design: &mut Design) {
    let columns = layered_order(design);
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(1);
    for (c, members) in columns.iter().enumerate() {
        let offset = (tallest - members.len()) as f64 * ROW_PITCH / 2.0;
        for (row, &i) in members.iter().enumerate() {
            design.nodes[i].position = Position {
                x: LAYOUT_ORIGIN.x + c as f64 * COLUMN_PITCH,
                y: LAYOUT_ORIGIN.y + offset + row as f64 * ROW_PITCH,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::edit::{connect, design_with};
    use crate::state::geometry::{node_rect, snap};

    fn position(d: &Design, id: &str) -> Position {
        d.node(id).unwrap().position
    }

    fn column(d: &Design, id: &str) -> usize {
        ((position(d, id).x - LAYOUT_ORIGIN.x) / COLUMN_PITCH) as usize
    }

    #[test]
    fn unpositioned_design_needs_layout_positioned_one_does_not() {
        let mut d = design_with(&["client", "service"]);
        assert!(needs_layout(&d));
        d.nodes[1].position.x = 300.0;
        assert!(!needs_layout(&d));
        assert!(!needs_layout(&design_with(&["client"])));
    }

    #[test]
    fn layout_puts_callers_left_of_callees_without_overlap_on_the_grid() {
        let mut d = design_with(&["database", "service", "service", "load_balancer", "client"]);
        connect(&mut d, "client-1", "load-balancer-1").unwrap();
        connect(&mut d, "load-balancer-1", "service-1").unwrap();
        connect(&mut d, "load-balancer-1", "service-2").unwrap();
        connect(&mut d, "service-1", "database-1").unwrap();
        connect(&mut d, "service-2", "database-1").unwrap();
        auto_layout(&mut d);

        assert_eq!(position(&d, "client-1").x, LAYOUT_ORIGIN.x);
        assert!(position(&d, "client-1").x < position(&d, "load-balancer-1").x);
        assert!(position(&d, "load-balancer-1").x < position(&d, "service-1").x);
        assert_eq!(position(&d, "service-1").x, position(&d, "service-2").x);
        assert!(position(&d, "service-2").x < position(&d, "database-1").x);
        for (i, a) in d.nodes.iter().enumerate() {
            assert_eq!(a.position.x, snap(a.position.x));
            assert_eq!(a.position.y, snap(a.position.y));
            for b in &d.nodes[i + 1..] {
                assert!(
                    !node_rect(a).intersects(&node_rect(b)),
                    "{} overlaps {}",
                    a.id,
                    b.id
                );
            }
        }
        assert!(!needs_layout(&d));
    }

    /// Longest path, not shortest: a database the client calls directly and the service calls
    /// too sits right of the service, so both edges point right.
    #[test]
    fn a_node_goes_one_column_after_its_furthest_caller() {
        let mut d = design_with(&["client", "service", "database"]);
        connect(&mut d, "client-1", "service-1").unwrap();
        connect(&mut d, "service-1", "database-1").unwrap();
        connect(&mut d, "client-1", "database-1").unwrap();
        auto_layout(&mut d);
        assert_eq!(column(&d, "client-1"), 0);
        assert_eq!(column(&d, "service-1"), 1);
        assert_eq!(column(&d, "database-1"), 2);
    }

    #[test]
    fn layout_handles_cycles_and_unreachable_nodes() {
        let mut d = design_with(&["client", "service", "service", "cache"]);
        connect(&mut d, "client-1", "service-1").unwrap();
        connect(&mut d, "service-1", "service-2").unwrap();
        connect(&mut d, "service-2", "service-1").unwrap();
        auto_layout(&mut d);
        assert!(position(&d, "service-1").x < position(&d, "service-2").x);
        // The cache nothing reaches goes in a column of its own, after the rest.
        assert!(position(&d, "cache-1").x > position(&d, "service-2").x);
    }

    /// Two clients, each calling "its" service, listed crosswise in the file: drawn in document
    /// order the two edges cross; barycentre ordering uncrosses them.
    #[test]
    fn barycentre_ordering_removes_avoidable_crossings() {
        let mut d = design_with(&[
            "client", "client", "service", "service", "database", "database",
        ]);
        connect(&mut d, "client-1", "service-2").unwrap();
        connect(&mut d, "client-2", "service-1").unwrap();
        connect(&mut d, "service-2", "database-2").unwrap();
        connect(&mut d, "service-1", "database-1").unwrap();
        assert_eq!(crossings_of(&d), 0);
        auto_layout(&mut d);
        let y = |id: &str| position(&d, id).y;
        assert_eq!(
            y("client-1") < y("client-2"),
            y("service-2") < y("service-1")
        );
        assert_eq!(
            y("service-2") < y("service-1"),
            y("database-2") < y("database-1")
        );
    }

    /// The crossing count is exact: K(2,2) in the order a0<a1, b0<b1 crosses once, and the
    /// complete bipartite K(3,3) between two columns crosses C(3,2)·C(3,2) = 9 times whatever
    /// the order (every pair on the left with every pair on the right cross exactly once), so
    /// the ordering cannot do better and does not claim to.
    #[test]
    fn crossings_are_counted_exactly() {
        let row = [0, 1, 0, 1];
        assert_eq!(
            crossings_between(&[(0, 2), (0, 3), (1, 2), (1, 3)], &row),
            1
        );
        let mut d = design_with(&[
            "client", "client", "client", "service", "service", "service",
        ]);
        for c in 1..=3 {
            for s in 1..=3 {
                connect(&mut d, &format!("client-{c}"), &format!("service-{s}")).unwrap();
            }
        }
        assert_eq!(crossings_of(&d), 9);
    }

    /// A long edge gets placeholders, so a chain's side branch does not cut across the chain.
    #[test]
    fn long_edges_take_part_in_the_ordering() {
        let mut d = design_with(&["client", "service", "service", "service", "database"]);
        connect(&mut d, "client-1", "service-1").unwrap();
        connect(&mut d, "service-1", "service-2").unwrap();
        connect(&mut d, "service-2", "database-1").unwrap();
        connect(&mut d, "client-1", "service-3").unwrap();
        connect(&mut d, "service-3", "database-1").unwrap();
        auto_layout(&mut d);
        assert_eq!(column(&d, "database-1"), 3);
        assert_eq!(column(&d, "service-3"), 1);
        for (i, a) in d.nodes.iter().enumerate() {
            for b in &d.nodes[i + 1..] {
                assert!(!node_rect(a).intersects(&node_rect(b)));
            }
        }
    }

    #[test]
    fn layout_is_deterministic_and_stable() {
        let mut d = design_with(&[
            "client",
            "load_balancer",
            "service",
            "service",
            "cache",
            "database",
        ]);
        connect(&mut d, "client-1", "load-balancer-1").unwrap();
        connect(&mut d, "load-balancer-1", "service-1").unwrap();
        connect(&mut d, "load-balancer-1", "service-2").unwrap();
        connect(&mut d, "service-1", "cache-1").unwrap();
        connect(&mut d, "service-2", "cache-1").unwrap();
        connect(&mut d, "cache-1", "database-1").unwrap();
        auto_layout(&mut d);
        let once = d.clone();
        auto_layout(&mut d);
        assert_eq!(d, once, "tidying a tidy design changes nothing");
    }
}

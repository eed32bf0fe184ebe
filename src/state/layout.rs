//! Automatic layout: columns by distance from the traffic sources, left to right, so a design
//! written by hand (or by a script) without positions is readable on the canvas.

use std::collections::{BTreeMap, VecDeque};

use archsim_model::{Design, NodeKind, Position};

use super::geometry::{NODE_HEIGHT, NODE_WIDTH};

/// Horizontal distance between columns' left edges, and vertical between rows' tops. Both are
/// grid multiples so laid-out nodes sit on the grid.
pub const COLUMN_PITCH: f64 = NODE_WIDTH + 100.0;
pub const ROW_PITCH: f64 = NODE_HEIGHT + 56.0;
/// Where the first column's first row goes.
pub const LAYOUT_ORIGIN: Position = Position { x: 40.0, y: 40.0 };

/// True when the design's positions carry no information: two or more nodes, all at one point
/// (typically a file written without any `position`).
pub fn needs_layout(design: &Design) -> bool {
    let mut positions = design.nodes.iter().map(|n| n.position);
    match positions.next() {
        Some(first) => design.nodes.len() >= 2 && positions.all(|p| p == first),
        None => false,
    }
}

/// Place every node: column = hops from the nearest client (or from a node nothing calls, when
/// there is no client; nodes reached from neither go in a last column), rows ordered by the
/// average row of their callers so edges cross less. Columns are centred on the tallest one.
pub fn auto_layout(design: &mut Design) {
    if design.nodes.is_empty() {
        return;
    }
    let index: BTreeMap<&str, usize> = design
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); design.nodes.len()];
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); design.nodes.len()];
    for edge in &design.edges {
        if let (Some(&from), Some(&to)) =
            (index.get(edge.from.as_str()), index.get(edge.to.as_str()))
        {
            successors[from].push(to);
            predecessors[to].push(from);
        }
    }

    let mut roots: Vec<usize> = (0..design.nodes.len())
        .filter(|&i| matches!(design.nodes[i].spec, NodeKind::Client(_)))
        .collect();
    if roots.is_empty() {
        roots = (0..design.nodes.len())
            .filter(|&i| predecessors[i].is_empty())
            .collect();
    }
    let mut depth: Vec<Option<usize>> = vec![None; design.nodes.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &r in &roots {
        depth[r] = Some(0);
        queue.push_back(r);
    }
    while let Some(i) = queue.pop_front() {
        let next = depth[i].unwrap_or(0) + 1;
        for &s in &successors[i] {
            if depth[s].is_none() {
                depth[s] = Some(next);
                queue.push_back(s);
            }
        }
    }
    let reached_max = depth.iter().flatten().copied().max().unwrap_or(0);
    let unreached_column = if depth.iter().any(Option::is_some) {
        reached_max + 1
    } else {
        0
    };
    let column_of: Vec<usize> = depth
        .iter()
        .map(|d| d.unwrap_or(unreached_column))
        .collect();
    let columns = column_of.iter().copied().max().unwrap_or(0) + 1;

    let mut row_of: Vec<f64> = vec![0.0; design.nodes.len()];
    let mut column_members: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (column, slot) in column_members.iter_mut().enumerate() {
        let mut members: Vec<usize> = (0..design.nodes.len())
            .filter(|&i| column_of[i] == column)
            .collect();
        // Barycentre of callers already placed (columns to the left); the stable sort keeps the
        // document order among ties and for nodes without placed callers.
        let key = |i: usize| -> f64 {
            let placed: Vec<f64> = predecessors[i]
                .iter()
                .filter(|&&p| column_of[p] < column)
                .map(|&p| row_of[p])
                .collect();
            if placed.is_empty() {
                f64::MAX
            } else {
                placed.iter().sum::<f64>() / placed.len() as f64
            }
        };
        members.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
        for (row, &i) in members.iter().enumerate() {
            row_of[i] = row as f64;
        }
        *slot = members;
    }

    let tallest = column_members.iter().map(Vec::len).max().unwrap_or(1);
    for (column, members) in column_members.iter().enumerate() {
        let offset = (tallest - members.len()) as f64 * ROW_PITCH / 2.0;
        for (row, &i) in members.iter().enumerate() {
            design.nodes[i].position = Position {
                x: LAYOUT_ORIGIN.x + column as f64 * COLUMN_PITCH,
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
}

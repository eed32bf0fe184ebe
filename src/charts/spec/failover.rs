//! The failover chart of databases with `failover`: queries served, queries refused while the
//! shard had no primary, and writes lost when a replica took over (the story of a primary crash
//! under write load: the gap, then the loss).

use archsim_model::NodeKind;

use super::{Chart, Frame, Line, Lines, Source, colour, node_name, node_rate, time_chart};

fn with_failover(kind: &NodeKind) -> bool {
    matches!(kind, NodeKind::Database(d) if d.failover.is_some())
}

/// Three lines per database with failover; None when the design has none.
pub(super) fn failover_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let mut lines = Vec::new();
    for node in src.design.nodes.iter().filter(|n| with_failover(&n.spec)) {
        let name = node_name(src.design, &node.id);
        let series = src.series.nodes.get(&node.id);
        let per_s = |pick| node_rate(frame, series, pick);
        lines.push(Line {
            key: format!("{}:served", node.id),
            label: format!("{name}: queries served"),
            colour: colour::line(0),
            dashed: false,
            values: per_s(|ns| &ns.completions).into(),
        });
        lines.push(Line {
            key: format!("{}:refused", node.id),
            label: format!("{name}: refused (no primary)"),
            colour: colour::cause("node_down"),
            dashed: false,
            values: per_s(|ns| &ns.failed).into(),
        });
        lines.push(Line {
            key: format!("{}:lost", node.id),
            label: format!("{name}: writes lost at the failover"),
            colour: colour::cause("error"),
            dashed: true,
            values: per_s(|ns| &ns.lost_writes).into(),
        });
    }
    if lines.is_empty() {
        return None;
    }
    let mut chart = time_chart(
        "failover",
        "Database failover",
        "per s",
        Lines {
            lines,
            ceiling: None,
            of_what: None,
        },
        "No query yet.",
    );
    chart.story = true;
    Some(chart)
}

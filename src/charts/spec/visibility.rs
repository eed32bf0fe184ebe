//! The visibility-timeout chart of queues consumed as SQS: messages visible again after their
//! timeout, and the duplicate deliveries that follow (at-least-once delivery made visible).

use archsim_model::NodeKind;

use super::{Chart, Frame, Line, Lines, Source, colour, node_name, node_rate, time_chart};

fn with_visibility_timeout(kind: &NodeKind) -> bool {
    matches!(kind, NodeKind::Queue(q) if q.visibility_timeout_ms.is_some())
}

/// Two lines per such queue; None when the design has none.
pub(super) fn visibility_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let mut lines = Vec::new();
    for node in src
        .design
        .nodes
        .iter()
        .filter(|n| with_visibility_timeout(&n.spec))
    {
        let name = node_name(src.design, &node.id);
        let series = src.series.nodes.get(&node.id);
        let per_s = |pick| node_rate(frame, series, pick);
        lines.push(Line {
            key: format!("{}:visible-again", node.id),
            label: format!("{name}: visible again (timeout)"),
            colour: colour::cause("timeout"),
            dashed: false,
            values: per_s(|ns| &ns.visible_again).into(),
        });
        lines.push(Line {
            key: format!("{}:duplicates", node.id),
            label: format!("{name}: duplicate deliveries"),
            colour: colour::cause("error"),
            dashed: false,
            values: per_s(|ns| &ns.duplicates).into(),
        });
    }
    if lines.is_empty() {
        return None;
    }
    let mut chart = time_chart(
        "visibility",
        "Visibility timeout: messages delivered again",
        "per s",
        Lines {
            lines,
            ceiling: None,
            of_what: None,
        },
        "No message yet.",
    );
    chart.story = true;
    Some(chart)
}

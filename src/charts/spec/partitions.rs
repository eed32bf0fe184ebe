//! The lag of each partition of partitioned queues (topics): a hot key's partition climbing
//! while the others stay near zero.

use archsim_model::NodeKind;

use super::{Chart, Frame, Line, Lines, Source, colour, node_name, time_chart};

/// One line per partition of every partitioned queue, laggiest first; None when the design
/// has no partitioned queue.
pub(super) fn partition_lag_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let mut lines = Vec::new();
    for node in &src.design.nodes {
        let NodeKind::Queue(q) = &node.spec else {
            continue;
        };
        let Some(partitions) = q.partitions else {
            continue;
        };
        let series = src.series.nodes.get(&node.id);
        for p in 0..partitions as usize {
            let lag = series.and_then(|ns| ns.partition_lag.get(p));
            lines.push(Line {
                key: format!("{}:{p}", node.id),
                label: format!("{} partition {p}", node_name(src.design, &node.id)),
                colour: colour::line(0),
                dashed: false,
                values: (0..frame.buckets())
                    .map(|i| lag.and_then(|v| v.get(i)).map(|&l| l as f64))
                    .collect(),
            });
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.sort_by(|a, b| b.load().total_cmp(&a.load()));
    let mut chart = time_chart(
        "partition-lag",
        "Lag per partition",
        "messages",
        Lines {
            lines,
            ceiling: None,
            of_what: Some("partitions"),
        },
        "No message yet.",
    );
    chart.story = true;
    Some(chart)
}

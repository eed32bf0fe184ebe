//! The lag of each partition of partitioned queues (topics): a hot key's partition climbing
//! while the others stay near zero.

use archsim_model::NodeKind;

use super::{Chart, Frame, Line, Lines, Source, colour, node_name, time_chart};

/// The nodes a fan-out queue's subscriptions deliver to, in edge order (its ordinary
/// outgoing edges: the dead-letter one is none).
fn subscribers<'a>(
    src: &'a Source,
    node: &'a archsim_model::Node,
    q: &'a archsim_model::QueueParams,
) -> impl Iterator<Item = &'a archsim_model::Edge> + 'a {
    src.design
        .edges
        .iter()
        .filter(move |e| e.from == node.id && q.dead_letter.as_deref() != Some(e.to.as_str()))
}

/// One line per partition of every partitioned queue, laggiest first; of a topic with several
/// consumer groups (`fan_out`), one per group and partition, coloured by group. None when the
/// design has no partitioned queue.
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
        if q.fan_out {
            for (g, edge) in subscribers(src, node, q).enumerate() {
                let group = series.and_then(|ns| ns.group_partition_lag.get(g));
                for p in 0..partitions as usize {
                    let lag = group.and_then(|lines| lines.get(p));
                    lines.push(Line {
                        key: format!("{}:{}:{p}", node.id, edge.id),
                        label: format!(
                            "{} → {} partition {p}",
                            node_name(src.design, &node.id),
                            node_name(src.design, &edge.to)
                        ),
                        colour: colour::line(g),
                        dashed: false,
                        values: (0..frame.buckets())
                            .map(|i| lag.and_then(|v| v.get(i)).map(|&l| l as f64))
                            .collect(),
                    });
                }
            }
            continue;
        }
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

/// One line per subscription of every fan-out queue (named after the node it delivers to),
/// laggiest first; None when the design has none.
pub(super) fn subscription_lag_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let mut lines = Vec::new();
    for node in &src.design.nodes {
        let NodeKind::Queue(q) = &node.spec else {
            continue;
        };
        if !q.fan_out {
            continue;
        }
        let series = src.series.nodes.get(&node.id);
        for (i, edge) in subscribers(src, node, q).enumerate() {
            let lag = series.and_then(|ns| ns.subscription_lag.get(i));
            lines.push(Line {
                key: format!("{}:{}", node.id, edge.id),
                label: format!(
                    "{} → {}",
                    node_name(src.design, &node.id),
                    node_name(src.design, &edge.to)
                ),
                colour: colour::line(i),
                dashed: false,
                values: (0..frame.buckets())
                    .map(|b| lag.and_then(|v| v.get(b)).map(|&l| l as f64))
                    .collect(),
            });
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.sort_by(|a, b| b.load().total_cmp(&a.load()));
    let mut chart = time_chart(
        "subscription-lag",
        "Lag per subscription",
        "messages",
        Lines {
            lines,
            ceiling: None,
            of_what: Some("subscriptions"),
        },
        "No message yet.",
    );
    chart.story = true;
    Some(chart)
}

//! The instances chart of autoscaled service groups and of queues' consumer groups scaled on
//! lag: how many instances served (consumers consumed) over time (the story of an autoscaling
//! design: the group growing behind a spike, or not fast enough).

use archsim_model::NodeKind;

use super::{Chart, Frame, Line, Source, colour, node_name, per_node, time_chart};

fn autoscaled(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::Service(s) => s.autoscaling.is_some(),
        NodeKind::Queue(q) => q.consumer_scaling.is_some(),
        _ => false,
    }
}

/// One line per autoscaled group (time-average of its serving instances in each bucket); None
/// when the design has no autoscaled group.
pub(super) fn instances_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    src.design.nodes.iter().find(|n| autoscaled(&n.spec))?;
    // A fan-out queue's groups scale each on its own: a line per group (below), none for the
    // node.
    let one_group =
        |kind: &NodeKind| autoscaled(kind) && !matches!(kind, NodeKind::Queue(q) if q.fan_out);
    let mut lines = per_node(src, frame, one_group, |ns| {
        Some(
            (0..frame.buckets())
                .map(|i| ns.instances.get(i).copied())
                .collect(),
        )
    });
    // With discovery, beside each group's serving instances: those its callers send to.
    let known: Vec<Line> = lines
        .lines
        .iter()
        .filter_map(|line| {
            let node = src.design.node(&line.key)?;
            let NodeKind::Service(s) = &node.spec else {
                return None;
            };
            s.discovery.as_ref()?;
            let series = src.series.nodes.get(&line.key);
            Some(Line {
                key: format!("{}:known", line.key),
                label: format!("{}, known to callers", line.label),
                colour: line.colour,
                dashed: true,
                values: (0..frame.buckets())
                    .map(|i| series.and_then(|ns| ns.instances_known.get(i).copied()))
                    .collect(),
            })
        })
        .collect();
    lines.lines.extend(known);
    lines.lines.extend(group_consumer_lines(src, frame));
    let mut chart = time_chart(
        "instances",
        "Instances serving (autoscaled groups, scaled consumers)",
        "instances",
        lines,
        "No instance has served yet.",
    );
    chart.story = true;
    Some(chart)
}

/// A fan-out queue whose subscriptions' groups each scale on their own lag: a line per group
/// (named after the node it delivers to).
fn group_consumer_lines(src: &Source, frame: &Frame) -> Vec<Line> {
    let mut lines = Vec::new();
    for node in &src.design.nodes {
        let NodeKind::Queue(q) = &node.spec else {
            continue;
        };
        if !q.fan_out || q.consumer_scaling.is_none() {
            continue;
        }
        let series = src.series.nodes.get(&node.id);
        let subscribers = src
            .design
            .edges
            .iter()
            .filter(|e| e.from == node.id && q.dead_letter.as_deref() != Some(e.to.as_str()));
        for (g, edge) in subscribers.enumerate() {
            let group = series.and_then(|ns| ns.group_consumers.get(g));
            lines.push(Line {
                key: format!("{}:{}", node.id, edge.id),
                label: format!(
                    "{} → {} consumers",
                    node_name(src.design, &node.id),
                    node_name(src.design, &edge.to)
                ),
                colour: colour::line(g),
                dashed: false,
                values: (0..frame.buckets())
                    .map(|i| group.and_then(|v| v.get(i)).copied())
                    .collect(),
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use archsim_model::{Autoscaling, Design, NodeSeries, Series};

    use super::super::{Body, Source};
    use super::*;

    fn group_design(autoscaling: Option<Autoscaling>) -> Design {
        let mut design = Design::default();
        design.nodes.push(archsim_model::Node {
            id: "api".into(),
            label: "API".into(),
            position: Default::default(),
            spec: NodeKind::Service(archsim_model::ServiceParams {
                autoscaling,
                ..Default::default()
            }),
        });
        design
    }

    #[test]
    fn an_autoscaled_group_gets_its_instances_line_and_others_none() {
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0, 2_000.0],
            ..Series::default()
        };
        series.nodes.insert(
            "api".into(),
            NodeSeries {
                instances: vec![2.0, 2.5, 4.0],
                ..NodeSeries::default()
            },
        );
        let design = group_design(Some(Autoscaling::default()));
        let src = Source {
            design: &design,
            series: &series,
            report: None,
            end_ms: 3_000.0,
        };
        let frame = Frame::of(&src);
        let chart = instances_chart(&src, &frame).expect("a chart");
        assert!(chart.story);
        let Body::Lines(lines) = chart.body else {
            panic!("lines")
        };
        assert_eq!(lines.lines.len(), 1);
        assert_eq!(lines.lines[0].label, "API");
        assert_eq!(*lines.lines[0].values, [Some(2.0), Some(2.5), Some(4.0)]);

        let fixed = group_design(None);
        let src = Source {
            design: &fixed,
            ..src
        };
        assert!(instances_chart(&src, &frame).is_none());
    }

    #[test]
    fn a_queue_with_scaled_consumers_gets_its_consumers_line() {
        let mut design = Design::default();
        design.nodes.push(archsim_model::Node {
            id: "topic".into(),
            label: "Topic".into(),
            position: Default::default(),
            spec: NodeKind::Queue(archsim_model::QueueParams {
                consumer_scaling: Some(Default::default()),
                ..Default::default()
            }),
        });
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0],
            ..Series::default()
        };
        series.nodes.insert(
            "topic".into(),
            NodeSeries {
                instances: vec![1.0, 6.0],
                ..NodeSeries::default()
            },
        );
        let src = Source {
            design: &design,
            series: &series,
            report: None,
            end_ms: 2_000.0,
        };
        let frame = Frame::of(&src);
        let chart = instances_chart(&src, &frame).expect("a chart");
        let Body::Lines(lines) = chart.body else {
            panic!("lines")
        };
        assert_eq!(lines.lines[0].label, "Topic");
        assert_eq!(*lines.lines[0].values, [Some(1.0), Some(6.0)]);
    }
}

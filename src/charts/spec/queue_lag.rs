//! The lag of queues whose consumers scale on lag without partitions (an SQS-like queue under
//! KEDA): the messages KEDA's scaler counts, over time, beside the lag the consumers of the
//! moment are sized for (`lag_threshold` × consumers: the HPA's target). Drawn right after the
//! instances chart, so the backlog and the consumer count read together, fault windows
//! shaded on both. (Partitioned topics have the lag per partition instead.)

use archsim_model::NodeKind;

use super::{Chart, Frame, Line, Lines, Source, colour, node_name, time_chart};

/// Two lines per scaled queue without partitions (one consumer group): its lag — messages
/// held (waiting and being delivered) when `count_in_flight`, else waiting, time-averaged over
/// each bucket — and, dashed, `lag_threshold` × its consumers. None when the design has none.
pub(super) fn queue_lag_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let mut lines = Vec::new();
    for node in &src.design.nodes {
        let NodeKind::Queue(q) = &node.spec else {
            continue;
        };
        let Some(scaling) = &q.consumer_scaling else {
            continue;
        };
        if q.partitions.is_some() || q.fan_out {
            continue;
        }
        let series = src.series.nodes.get(&node.id);
        let lag = series.map(|ns| {
            if scaling.count_in_flight {
                &ns.in_flight
            } else {
                &ns.queue_length
            }
        });
        let consumers = series.map(|ns| &ns.instances);
        let threshold = scaling.threshold(false);
        let name = node_name(src.design, &node.id);
        lines.push(Line {
            key: format!("{}:lag", node.id),
            label: format!("{name}: lag"),
            colour: colour::line(lines.len() / 2),
            dashed: false,
            values: (0..frame.buckets())
                .map(|b| lag.and_then(|v| v.get(b)).copied())
                .collect(),
        });
        lines.push(Line {
            key: format!("{}:target", node.id),
            label: format!("{name}: lag threshold × consumers"),
            colour: colour::line(lines.len() / 2),
            dashed: true,
            values: (0..frame.buckets())
                .map(|b| consumers.and_then(|v| v.get(b)).map(|c| c * threshold))
                .collect(),
        });
    }
    if lines.is_empty() {
        return None;
    }
    let mut chart = time_chart(
        "queue-lag",
        "Lag of scaled queues (what KEDA counts)",
        "messages",
        Lines {
            lines,
            ceiling: None,
            of_what: Some("lines"),
        },
        "No message yet.",
    );
    chart.story = true;
    Some(chart)
}

#[cfg(test)]
mod tests {
    use archsim_model::{ConsumerScaling, Design, NodeSeries, QueueParams, Series};

    use super::super::{Body, Source};
    use super::*;

    fn queue(scaling: ConsumerScaling, partitions: Option<u32>) -> Design {
        let mut design = Design::default();
        design.nodes.push(archsim_model::Node {
            id: "jobs".into(),
            label: "Jobs".into(),
            position: Default::default(),
            spec: NodeKind::Queue(QueueParams {
                consumer_scaling: Some(scaling),
                partitions,
                ..Default::default()
            }),
        });
        design
    }

    fn series() -> Series {
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0],
            ..Series::default()
        };
        series.nodes.insert(
            "jobs".into(),
            NodeSeries {
                in_flight: vec![40.0, 12.0],
                queue_length: vec![30.0, 2.0],
                instances: vec![2.0, 6.0],
                ..NodeSeries::default()
            },
        );
        series
    }

    fn lines(chart: &Chart) -> &Lines {
        let Body::Lines(lines) = &chart.body else {
            panic!("lines")
        };
        lines
    }

    #[test]
    fn the_lag_keda_counts_sits_beside_the_lag_its_consumers_are_sized_for() {
        let design = queue(ConsumerScaling::default(), None);
        let series = series();
        let src = Source {
            design: &design,
            series: &series,
            report: None,
            end_ms: 2_000.0,
        };
        let frame = Frame::of(&src);
        let chart = queue_lag_chart(&src, &frame).expect("a chart");
        let lines = lines(&chart);
        // Counting messages in flight (SQS's default): the messages held.
        assert_eq!(*lines.lines[0].values, vec![Some(40.0), Some(12.0)]);
        // The SQS trigger's default target is 5 messages per consumer.
        assert_eq!(*lines.lines[1].values, vec![Some(10.0), Some(30.0)]);
        assert!(lines.lines[1].dashed);
        // Only the waiting messages when in-flight ones do not count.
        let design = queue(
            ConsumerScaling {
                count_in_flight: false,
                lag_threshold: Some(20.0),
                ..ConsumerScaling::default()
            },
            None,
        );
        let src = Source {
            design: &design,
            ..src
        };
        let chart = queue_lag_chart(&src, &frame).expect("a chart");
        assert_eq!(lines_of(&chart)[0], vec![Some(30.0), Some(2.0)]);
        assert_eq!(lines_of(&chart)[1], vec![Some(40.0), Some(120.0)]);
    }

    fn lines_of(chart: &Chart) -> Vec<Vec<Option<f64>>> {
        lines(chart)
            .lines
            .iter()
            .map(|l| l.values.to_vec())
            .collect()
    }

    #[test]
    fn a_partitioned_topic_has_its_lag_per_partition_instead() {
        let design = queue(ConsumerScaling::default(), Some(4));
        let series = series();
        let src = Source {
            design: &design,
            series: &series,
            report: None,
            end_ms: 2_000.0,
        };
        let frame = Frame::of(&src);
        assert!(queue_lag_chart(&src, &frame).is_none());
    }
}

//! The backends chart of load balancers: how many backends each balancer kept in rotation over
//! time, and how many outlier detection had ejected (the story of a balancer learning that a
//! backend is gone: by health probes seconds later, or by ejection within milliseconds).

use archsim_model::{Design, FaultEffect, NodeKind};

use super::super::colour;
use super::{Chart, Frame, Line, Lines, Source, node_name, time_chart};

fn balancer(kind: &NodeKind) -> bool {
    matches!(kind, NodeKind::LoadBalancer(_))
}

/// Whether a fault of the design strikes a backend of a load balancer: then what the balancers
/// make of it is the design's story.
fn a_backend_fails(design: &Design) -> bool {
    design.faults.iter().any(|f| {
        !matches!(f.effect, FaultEffect::Reshard { .. })
            && design.edges.iter().any(|e| {
                e.to == f.target && design.node(&e.from).is_some_and(|n| balancer(&n.spec))
            })
    })
}

/// Per balancer, a line of the backends in rotation at each bucket's end and a dashed one of
/// those ejected; None when the design has no load balancer.
pub(super) fn backends_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let design = src.design;
    let balancers: Vec<&archsim_model::Node> =
        design.nodes.iter().filter(|n| balancer(&n.spec)).collect();
    if balancers.is_empty() {
        return None;
    }
    let many = balancers.len() > 1;
    let empty = archsim_model::NodeSeries::default();
    let mut lines = Vec::new();
    let mut most = 0usize;
    for (i, lb) in balancers.iter().enumerate() {
        let ns = src.series.nodes.get(&lb.id).unwrap_or(&empty);
        let prefix = if many {
            format!("{} ", node_name(design, &lb.id))
        } else {
            String::new()
        };
        most = most.max(design.outgoing(&lb.id).count());
        let counts = |values: &[u32]| -> Vec<Option<f64>> {
            (0..frame.buckets())
                .map(|b| values.get(b).map(|&v| f64::from(v)))
                .collect()
        };
        lines.push(Line {
            key: format!("{}:healthy", lb.id),
            label: format!("{prefix}in rotation"),
            colour: colour::line(2 * i),
            dashed: false,
            values: counts(&ns.healthy_backends),
        });
        lines.push(Line {
            key: format!("{}:ejected", lb.id),
            label: format!("{prefix}ejected"),
            colour: colour::cause("error"),
            dashed: true,
            values: counts(&ns.ejected_backends),
        });
    }
    let mut chart = time_chart(
        "backends",
        "Backends in rotation (load balancers)",
        "backends",
        Lines {
            lines,
            ceiling: Some(most as f64),
            of_what: many.then_some("lines"),
        },
        "No balancer has reported its backends yet.",
    );
    chart.story = a_backend_fails(design);
    Some(chart)
}

#[cfg(test)]
mod tests {
    use archsim_model::{NodeSeries, Series, parse_design};

    use super::super::{Body, Source};
    use super::*;

    fn sinkhole() -> Design {
        parse_design(include_str!(
            "../../../examples/lb-sinkhole-health-checks.json"
        ))
        .unwrap()
    }

    #[test]
    fn a_balancer_gets_its_backends_in_rotation_and_ejected_over_time() {
        let design = sinkhole();
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: vec![0.0, 1_000.0, 2_000.0],
            ..Series::default()
        };
        series.nodes.insert(
            "lb".into(),
            NodeSeries {
                healthy_backends: vec![3, 2, 3],
                ejected_backends: vec![0, 1, 0],
                ..NodeSeries::default()
            },
        );
        let src = Source {
            design: &design,
            series: &series,
            report: None,
            end_ms: 3_000.0,
        };
        let chart = backends_chart(&src, &Frame::of(&src)).expect("a chart");
        // A crash of a backend: the balancer's view of it is the story.
        assert!(chart.story);
        let Body::Lines(lines) = chart.body else {
            panic!("lines")
        };
        assert_eq!(lines.ceiling, Some(3.0));
        let labels: Vec<&str> = lines.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["in rotation", "ejected"]);
        assert_eq!(lines.lines[0].values, [Some(3.0), Some(2.0), Some(3.0)]);
        assert_eq!(lines.lines[1].values, [Some(0.0), Some(1.0), Some(0.0)]);
        assert!(lines.lines[1].dashed);
    }

    #[test]
    fn no_balancer_no_chart_and_a_quiet_balancer_is_no_story() {
        let series = Series::default();
        let mm1 = parse_design(include_str!("../../../examples/mm1.json")).unwrap();
        let src = |d| Source {
            design: d,
            series: &series,
            report: None,
            end_ms: 1_000.0,
        };
        assert!(backends_chart(&src(&mm1), &Frame::of(&src(&mm1))).is_none());
        let three_tier = parse_design(include_str!("../../../examples/three-tier.json")).unwrap();
        let chart = backends_chart(&src(&three_tier), &Frame::of(&src(&three_tier)));
        assert!(!chart.expect("a chart: it has a balancer").story);
    }
}

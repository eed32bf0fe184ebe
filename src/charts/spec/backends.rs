//! The backends charts of load balancers (and of API gateways that watch their backends' health):
//! how many backends each kept in rotation over time, and how many outlier detection had ejected
//! (the story of a balancer learning that a backend is gone: by health probes seconds later, or
//! by ejection within milliseconds); and per balancer or gateway a timeline of each backend's
//! state, with the crashes the design's faults cause marked under it (a crashed backend still in
//! rotation is the sinkhole).

use archsim_model::{Design, FaultEffect, NodeKind};

use super::super::colour;
use super::{
    BACKEND_STATES, Body, CRASHED, Chart, Frame, Line, Lines, Source, Timeline, TimelineRow,
    node_name, time_chart,
};

/// A node whose backends' health is reported: a load balancer, a gateway with health checks or
/// outlier detection.
fn balancer(kind: &NodeKind) -> bool {
    kind.watched_backends().is_some()
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
            values: counts(&ns.healthy_backends).into(),
        });
        lines.push(Line {
            key: format!("{}:ejected", lb.id),
            label: format!("{prefix}ejected"),
            colour: colour::cause("error"),
            dashed: true,
            values: counts(&ns.ejected_backends).into(),
        });
    }
    let mut chart = time_chart(
        "backends",
        "Backends in rotation (load balancers, gateways)",
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

/// Whether a crash fault of the design holds `node` down at `t_ms` (a window includes its start,
/// not its end, as the engine applies it).
fn crashed_at(design: &Design, node: &str, t_ms: f64) -> bool {
    design.faults.iter().any(|f| {
        f.target == node
            && matches!(f.effect, FaultEffect::Crash)
            && f.at_ms <= t_ms
            && t_ms < f.at_ms + f.duration_ms
    })
}

/// Per balancer, a timeline with a row per backend (in the order of its edges): in rotation,
/// marked down (health checks, or the edge's breaker open), ejected by outlier detection, or
/// both, at each bucket's end; where a crash fault of the design holds the backend down, a
/// "crashed" mark under the state.
pub(super) fn backend_timelines(src: &Source, frame: &Frame) -> Vec<Chart> {
    let design = src.design;
    let story = a_backend_fails(design);
    let empty = archsim_model::NodeSeries::default();
    design
        .nodes
        .iter()
        .filter(|n| balancer(&n.spec))
        .filter_map(|lb| {
            let ns = src.series.nodes.get(&lb.id).unwrap_or(&empty);
            let backends: Vec<&str> = design.outgoing(&lb.id).map(|e| e.to.as_str()).collect();
            if backends.is_empty() {
                return None;
            }
            let rows: Vec<TimelineRow> = backends
                .iter()
                .map(|&backend| TimelineRow {
                    key: backend.to_string(),
                    label: node_name(design, backend),
                    states: ns.backend_state.get(backend).cloned().unwrap_or_default(),
                    marked: (0..frame.buckets())
                        .map(|b| crashed_at(design, backend, frame.t_ms[b] + frame.span_ms(b)))
                        .collect(),
                })
                .collect();
            let crashes = backends.iter().any(|backend| {
                design
                    .faults
                    .iter()
                    .any(|f| f.target == *backend && matches!(f.effect, FaultEffect::Crash))
            });
            Some(Chart {
                id: format!("backend-states-{}", lb.id),
                title: format!("Backends of {}", node_name(design, &lb.id)),
                unit: "in rotation · marked down · ejected".into(),
                story,
                body: Body::Timeline(Timeline {
                    states: &BACKEND_STATES,
                    mark: crashes.then_some(CRASHED),
                    rows,
                }),
                empty_text: "No balancer has reported its backends yet.".into(),
            })
        })
        .collect()
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
        assert_eq!(*lines.lines[0].values, [Some(3.0), Some(2.0), Some(3.0)]);
        assert_eq!(*lines.lines[1].values, [Some(0.0), Some(1.0), Some(0.0)]);
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

    // The sinkhole of lb-sinkhole-health-checks: App 1 crashes at 20 s for 40 s; the balancer
    // keeps it in rotation until its health checks mark it down.
    #[test]
    fn each_backend_gets_a_row_of_its_states_with_the_crash_marked_under_them() {
        let design = sinkhole();
        let buckets = 70;
        let mut series = Series {
            bucket_ms: 1_000.0,
            t_ms: (0..buckets).map(|b| f64::from(b) * 1_000.0).collect(),
            ..Series::default()
        };
        let app1: Vec<u8> = (0..buckets)
            .map(|b| u8::from((30..60).contains(&b)))
            .collect();
        series.nodes.insert(
            "lb".into(),
            NodeSeries {
                backend_state: [
                    ("app-1".to_string(), app1.clone()),
                    ("app-2".to_string(), vec![0; 70]),
                    ("app-3".to_string(), vec![0; 70]),
                ]
                .into(),
                ..NodeSeries::default()
            },
        );
        let src = Source {
            design: &design,
            series: &series,
            report: None,
            end_ms: 70_000.0,
        };
        let charts = backend_timelines(&src, &Frame::of(&src));
        assert_eq!(charts.len(), 1, "one balancer, one timeline");
        let chart = &charts[0];
        assert_eq!(chart.id, "backend-states-lb");
        assert!(chart.story);
        let Body::Timeline(timeline) = &chart.body else {
            panic!("a timeline")
        };
        let keys: Vec<&str> = timeline.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["app-1", "app-2", "app-3"]);
        assert_eq!(timeline.rows[0].states, app1);
        // Crashed from the bucket ending at 20 s (its end is the first instant down) to the one
        // ending just before 60 s.
        let crashed: Vec<usize> = (0..70).filter(|&b| timeline.rows[0].marked[b]).collect();
        assert_eq!(crashed, (19..59).collect::<Vec<_>>());
        assert!(
            timeline.rows[1].marked.iter().all(|m| !m),
            "App 2 never crashes"
        );
        assert_eq!(
            timeline.describe(&timeline.rows[0], 25).as_deref(),
            Some("in rotation, crashed")
        );
        assert_eq!(
            timeline.describe(&timeline.rows[0], 40).as_deref(),
            Some("marked down, crashed")
        );
        assert_eq!(
            timeline.describe(&timeline.rows[0], 65).as_deref(),
            Some("in rotation")
        );
        assert_eq!(timeline.seen(70), ["in rotation", "marked down", "crashed"]);
    }

    #[test]
    fn a_balancer_without_backends_gets_no_timeline_and_one_without_crashes_no_crash_key() {
        let series = Series::default();
        let three_tier = parse_design(include_str!("../../../examples/three-tier.json")).unwrap();
        let src = Source {
            design: &three_tier,
            series: &series,
            report: None,
            end_ms: 1_000.0,
        };
        let charts = backend_timelines(&src, &Frame::of(&src));
        assert_eq!(charts.len(), 1);
        let Body::Timeline(timeline) = &charts[0].body else {
            panic!("a timeline")
        };
        assert_eq!(timeline.mark, None);
        let mut lone = three_tier.clone();
        lone.edges.retain(|e| e.from != "lb");
        let src = Source {
            design: &lone,
            ..src
        };
        assert!(backend_timelines(&src, &Frame::of(&src)).is_empty());
    }
}

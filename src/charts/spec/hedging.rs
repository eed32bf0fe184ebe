//! The hedging chart: per edge with a hedging policy, its calls, the hedges it sent (the extra
//! load hedging costs) and the calls a hedge won (what it buys), per second.

use super::{Chart, Frame, Line, Lines, Source, colour, edge_name, rate_line, time_chart};

/// Three lines per hedging edge; None when the design hedges nowhere.
pub(super) fn hedging_chart(src: &Source, frame: &Frame) -> Option<Chart> {
    let empty = archsim_model::EdgeSeries::default();
    let mut lines = Vec::new();
    let hedging = src
        .design
        .edges
        .iter()
        .filter(|e| e.params.hedging.is_some());
    for (i, edge) in hedging.enumerate() {
        let es = src.series.edges.get(&edge.id).unwrap_or(&empty);
        let name = edge_name(src.design, &edge.id);
        let colour = colour::line(i);
        lines.push(Line {
            dashed: true,
            ..rate_line(
                frame,
                &format!("{}:calls", edge.id),
                &format!("{name}: calls"),
                colour,
                &es.calls,
            )
        });
        lines.push(rate_line(
            frame,
            &format!("{}:hedges", edge.id),
            &format!("{name}: hedges"),
            colour,
            &es.hedges,
        ));
        lines.push(rate_line(
            frame,
            &format!("{}:hedge_wins", edge.id),
            &format!("{name}: won by a hedge"),
            colour::cause("throttled"),
            &es.hedge_wins,
        ));
    }
    if lines.is_empty() {
        return None;
    }
    let mut chart = time_chart(
        "hedges",
        "Hedged requests",
        "per s",
        Lines {
            lines,
            ceiling: None,
            of_what: None,
        },
        "No call yet.",
    );
    chart.story = true;
    Some(chart)
}

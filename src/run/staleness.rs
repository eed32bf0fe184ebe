//! Whether a report still describes the design in the editor.
//!
//! A report belongs to the design it was run on. Moving nodes around or rewording the
//! description changes nothing the simulation sees, so the report stays current; any other
//! change (a parameter, a node, an edge, a fault, the run settings, a label shown in the
//! report) makes it a report of an earlier version of the design.

use archsim_model::Design;

/// True when running `a` and `b` would give the same report.
pub fn same_simulation(a: &Design, b: &Design) -> bool {
    if std::ptr::eq(a, b) {
        return true;
    }
    a.nodes.len() == b.nodes.len()
        && a.nodes
            .iter()
            .zip(&b.nodes)
            .all(|(x, y)| x.id == y.id && x.label == y.label && x.spec == y.spec)
        && a.edges == b.edges
        && a.faults == b.faults
        && a.run == b.run
        && a.name == b.name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mm1() -> Design {
        archsim_model::parse_design(include_str!("../../examples/mm1.json")).unwrap()
    }

    #[test]
    fn moving_nodes_or_rewording_the_description_keeps_a_report_current() {
        let a = mm1();
        let mut b = a.clone();
        b.nodes[1].position.x += 120.0;
        b.description = "notes".into();
        assert!(same_simulation(&a, &b));
    }

    #[test]
    fn parameter_run_setting_label_and_structure_changes_make_it_stale() {
        let a = mm1();
        let mut settings = a.clone();
        settings.run.duration_ms = 1_000.0;
        assert!(!same_simulation(&a, &settings));
        let mut label = a.clone();
        label.nodes[1].label = "Server".into();
        assert!(!same_simulation(&a, &label));
        let mut removed = a.clone();
        removed.edges.clear();
        assert!(!same_simulation(&a, &removed));
        let mut param = a.clone();
        let edited = serde_json::to_string(&param)
            .unwrap()
            .replace("\"workers\":1", "\"workers\":2");
        param = archsim_model::parse_design(&edited).unwrap();
        assert!(!same_simulation(&a, &param));
    }
}

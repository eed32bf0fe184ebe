//! The catalog is the one place node kinds and algorithms are named: every name in it is the
//! name serde reads and writes, in the catalog's order, and every kind's entry is what the JSON
//! Schema and the report say about it.

use archsim_model::{
    AlgorithmInfo, BalancerAlgorithm, BreakerWindow, Eviction, HalfOpenRule, NodeKind, NodeReport,
    QueueDiscipline, RateLimitAlgorithm, Sharding, design_schema,
};

#[test]
fn every_kind_in_the_catalog_is_named_as_serde_names_it() {
    let defaults = NodeKind::defaults();
    assert_eq!(defaults.len(), NodeKind::CATALOG.len());
    for (kind, info) in defaults.iter().zip(NodeKind::CATALOG.iter()) {
        let json = serde_json::to_value(kind).expect("serializable");
        assert_eq!(json["kind"], info.name);
        assert_eq!(kind.info(), info);
        assert_eq!(NodeKind::default_for(info.name).as_ref(), Some(kind));
        assert_eq!(NodeKind::info_named(info.name), Some(info));
    }
    assert_eq!(NodeKind::NAMES, NodeKind::CATALOG.map(|kind| kind.name));
    assert_eq!(NodeKind::default_for("mainframe"), None);
}

#[test]
fn the_schema_describes_each_kind_with_its_catalog_line() {
    let schema = design_schema();
    let entries = schema["$defs"]["Node"]["oneOf"]
        .as_array()
        .expect("one entry per kind");
    for (entry, info) in entries.iter().zip(NodeKind::CATALOG.iter()) {
        assert_eq!(entry["properties"]["kind"]["const"], info.name);
        assert_eq!(entry["description"], info.doc);
    }
}

/// Each catalog entry names a value of `T` (with default parameters) that serde writes under
/// that name, and that names itself so.
fn check_family<T: serde::Serialize>(
    catalog: &[AlgorithmInfo],
    named: impl Fn(&str) -> Option<T>,
    name_of: impl Fn(&T) -> &'static str,
) {
    assert!(!catalog.is_empty());
    for info in catalog {
        let value = named(info.name).unwrap_or_else(|| panic!("nothing named {}", info.name));
        assert_eq!(name_of(&value), info.name);
        let json = serde_json::to_value(&value).expect("serializable");
        let serde_name = json.get("type").unwrap_or(&json);
        assert_eq!(serde_name, info.name, "serde's name for {}", info.title);
        assert!(!info.title.is_empty());
    }
    assert!(named("no_such_algorithm").is_none());
}

#[test]
fn every_algorithm_in_the_catalogs_is_named_as_serde_names_it() {
    check_family(
        &BalancerAlgorithm::CATALOG,
        BalancerAlgorithm::default_named,
        BalancerAlgorithm::name,
    );
    check_family(&Eviction::CATALOG, Eviction::default_named, Eviction::name);
    check_family(&Sharding::CATALOG, Sharding::default_named, Sharding::name);
    check_family(
        &RateLimitAlgorithm::CATALOG,
        RateLimitAlgorithm::default_named,
        RateLimitAlgorithm::name,
    );
    check_family(
        &QueueDiscipline::CATALOG,
        QueueDiscipline::default_named,
        QueueDiscipline::name,
    );
    check_family(
        &BreakerWindow::CATALOG,
        BreakerWindow::default_named,
        BreakerWindow::name,
    );
    check_family(
        &HalfOpenRule::CATALOG,
        HalfOpenRule::default_named,
        HalfOpenRule::name,
    );
}

#[test]
fn only_kinds_with_workers_have_a_utilisation() {
    for info in NodeKind::CATALOG {
        let report = NodeReport {
            kind: info.name.to_string(),
            ..NodeReport::default()
        };
        assert_eq!(
            report.has_utilisation(),
            matches!(info.name, "service" | "database" | "queue"),
            "{}",
            info.name
        );
    }
}

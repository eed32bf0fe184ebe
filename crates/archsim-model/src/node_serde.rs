//! Hand-written `Deserialize` and `JsonSchema` for [`Node`]; see the note on [`Node`].

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::design::{Node, NodeKind, Position};
use crate::parse::node_from_value;
use crate::problem::ROOT;

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        node_from_value(&value, ROOT).map_err(|problems| {
            let joined = problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            serde::de::Error::custom(format!("invalid node: {joined}"))
        })
    }
}

impl JsonSchema for Node {
    fn schema_name() -> Cow<'static, str> {
        "Node".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let kinds: Vec<Value> = NodeKind::defaults()
            .iter()
            .map(|kind| {
                let info = kind.info();
                serde_json::json!({
                    "description": info.doc,
                    "properties": {
                        "kind": { "const": info.name },
                        "params": kind.params_schema(generator),
                    },
                })
            })
            .collect();
        json_schema!({
            "description": "One box on the canvas: an id, a label, a position, a kind and the \
                kind's parameters (`params`, which default to the kind's defaults when left out).",
            "type": "object",
            "properties": {
                "id": {
                    "description": "Unique within the design; letters, digits, `-` and `_`. \
                        Edges and faults refer to it.",
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]+$",
                },
                "label": {
                    "description": "What the canvas shows. Plain text, never HTML.",
                    "type": "string",
                    "default": "",
                },
                "position": {
                    "description": "Top-left corner on the canvas, in canvas units (pixels at zoom 1).",
                    "allOf": [generator.subschema_for::<Position>()],
                    "default": { "x": 0.0, "y": 0.0 },
                },
                "kind": {
                    "description": "What the node is; decides what `params` holds.",
                    "type": "string",
                    "enum": NodeKind::NAMES,
                },
                "params": {
                    "description": "The kind's parameters; see the `oneOf` entry for the kind.",
                    "type": "object",
                },
            },
            "required": ["id", "kind"],
            "additionalProperties": false,
            "oneOf": kinds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_json_from_str_on_a_node_reports_the_inner_path() {
        let err = serde_json::from_str::<Node>(
            r#"{"id": "a", "kind": "service", "params": {"workers": "x"}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("params.workers: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn params_may_come_before_kind() {
        let node: Node =
            serde_json::from_str(r#"{"params": {"workers": 2}, "kind": "service", "id": "a"}"#)
                .unwrap();
        match node.spec {
            NodeKind::Service(params) => assert_eq!(params.workers, 2),
            other => panic!("expected a service, got {other:?}"),
        }
    }

    #[test]
    fn every_kind_has_a_schema_entry_described_by_the_catalog() {
        let mut generator = SchemaGenerator::default();
        let schema = Node::json_schema(&mut generator);
        let entries = schema.as_value()["oneOf"]
            .as_array()
            .expect("one entry per kind");
        assert_eq!(entries.len(), NodeKind::CATALOG.len());
        for (entry, kind) in entries.iter().zip(NodeKind::CATALOG) {
            assert_eq!(entry["properties"]["kind"]["const"], kind.name);
            assert_eq!(entry["description"], kind.doc);
            assert!(!kind.doc.is_empty());
        }
    }
}

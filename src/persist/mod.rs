//! Getting designs in and out of the editor: JSON files, share-by-URL fragments, the
//! localStorage autosave ([`autosave`]), bundled templates ([`templates`]) and the browser
//! plumbing for downloads and file reading ([`browser`]).
//!
//! Everything that reads outside input is bounded and total: a hostile or broken file, link or
//! saved value yields a list of readable problems, never a panic or a hang, and the caller's
//! current design is left alone.
//!
//! What "valid" means on the way in: the document must *parse* (JSON syntax, a version this
//! build reads, the right shape for every node, edge and fault — the model's `parse_design`).
//! Semantic problems (a client connected to nothing, a bad rate) do not stop an import: the
//! person opened the file to work on it, and the editor marks those problems on the fields
//! ([`crate::state::field_problems`]) and keeps Run disabled until they are fixed.

pub mod autosave;
pub mod browser;
pub mod templates;

use archsim_model::{CURRENT_VERSION, Design, parse_design};

use crate::state::Fragment;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

pub use autosave::{AUTOSAVE_KEY, LoadOutcome, load_local, save_local};
pub use templates::{Template, template, templates};

/// Largest design file accepted for import (bytes). Real designs are a few kilobytes.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Largest encoded `#d=` fragment accepted (characters).
pub const MAX_FRAGMENT_CHARS: usize = 1024 * 1024;
/// Largest JSON a fragment may inflate to; stops decompression bombs.
pub const MAX_INFLATED_BYTES: usize = MAX_IMPORT_BYTES;
/// What a share fragment starts with (after the `#`).
pub const FRAGMENT_KEY: &str = "d=";

/// The design as a pretty-printed JSON document stamped with the current format version.
pub fn export_json(design: &Design) -> String {
    let mut versioned = design.clone();
    versioned.version = CURRENT_VERSION;
    archsim_model::json::to_pretty(&versioned)
}

/// A design from a JSON document: older versions are migrated; syntax errors, newer versions
/// and structural problems give every problem found, each as `path: reason`.
pub fn import_json(json: &str) -> Result<Design, Vec<String>> {
    if json.len() > MAX_IMPORT_BYTES {
        return Err(vec![format!(
            "the file is {} KB; designs larger than {} KB are not accepted",
            json.len() / 1024,
            MAX_IMPORT_BYTES / 1024
        )]);
    }
    parse_design(json).map_err(|problems| problems.iter().map(|p| p.to_string()).collect())
}

/// The share-link fragment for a design: `#d=` + base64url (no padding) of the raw-deflated
/// compact JSON.
pub fn encode_fragment(design: &Design) -> String {
    let mut versioned = design.clone();
    versioned.version = CURRENT_VERSION;
    let json = archsim_model::json::to_compact(&versioned);
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    format!(
        "#{FRAGMENT_KEY}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

/// The design in a share-link fragment (with or without the leading `#`; other `&`-separated
/// parameters are ignored). Input size, base64, inflated size and the design itself are all
/// checked; any failure is one sentence saying what is wrong with the link.
pub fn decode_fragment(fragment: &str) -> Result<Design, String> {
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(format!(
            "the link is too long ({} KB; at most {} KB)",
            fragment.len() / 1024,
            MAX_FRAGMENT_CHARS / 1024
        ));
    }
    let body = fragment.strip_prefix('#').unwrap_or(fragment);
    // Some chat apps and mail clients percent-encode the `=` of `d=`.
    let encoded = body
        .split('&')
        .find_map(|part| {
            part.strip_prefix(FRAGMENT_KEY)
                .or_else(|| part.strip_prefix("d%3D"))
                .or_else(|| part.strip_prefix("d%3d"))
        })
        .ok_or_else(|| "the link holds no design (no \"d=\" part)".to_string())?;
    // Links pasted through chat apps sometimes gain padding; accept it either way.
    let lenient = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let packed = lenient
        .decode(encoded.trim())
        .map_err(|e| format!("the link is damaged (not base64url: {e})"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                "the link's design would be larger than {} KB",
                MAX_INFLATED_BYTES / 1024
            ),
            _ => format!("the link is damaged (cannot decompress: {e})"),
        })?;
    let json = String::from_utf8(json).map_err(|_| "the link is damaged (not text)".to_string())?;
    import_json(&json)
        .map_err(|problems| format!("the link's design cannot be read: {}", problems.join("; ")))
}

/// Marks clipboard text as an archsim selection (see [`fragment_to_clipboard_text`]).
pub const CLIPBOARD_TAG: &str = "archsim_clipboard";

/// Selected nodes and the edges among them as text for the system clipboard, so they can be
/// pasted into another tab or design: `{"archsim_clipboard": 1, "design": {…}}`, the design being
/// an ordinary document holding just the fragment.
pub fn fragment_to_clipboard_text(fragment: &Fragment) -> String {
    let design = Design {
        nodes: fragment.nodes.clone(),
        edges: fragment.edges.clone(),
        ..Design::default()
    };
    let design = archsim_model::json::to_value(&design);
    serde_json::json!({ CLIPBOARD_TAG: 1, "design": design }).to_string()
}

/// Nodes and edges from clipboard text: what [`fragment_to_clipboard_text`] wrote, or a whole
/// design document (pasting an example file's text adds its nodes). Anything else is an error
/// saying why, so pasting ordinary text into the canvas does nothing.
pub fn fragment_from_clipboard_text(text: &str) -> Result<Fragment, String> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err("the clipboard holds too much text to be a design".into());
    }
    let value: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|_| "the clipboard holds no archsim nodes (not JSON)".to_string())?;
    let design_json = match value.get(CLIPBOARD_TAG) {
        Some(_) => value
            .get("design")
            .ok_or("the clipboard's archsim selection has no \"design\"")?
            .to_string(),
        None if value.get("version").is_some() && value.get("nodes").is_some() => value.to_string(),
        None => return Err("the clipboard holds no archsim nodes".into()),
    };
    let design = import_json(&design_json).map_err(|problems| {
        format!(
            "the clipboard's nodes cannot be read: {}",
            problems.join("; ")
        )
    })?;
    if design.nodes.is_empty() {
        return Err("the clipboard holds no archsim nodes".into());
    }
    Ok(Fragment {
        nodes: design.nodes,
        edges: design.edges,
    })
}

/// True when running as WASM in a page. Browser calls (web-sys, js-sys) abort on native
/// targets, so native callers (tests, the CLI someday) get an error instead.
pub(crate) fn in_browser() -> bool {
    cfg!(target_arch = "wasm32")
}

/// A file name for downloading the design: its name in lowercase words joined by `-`.
pub fn export_file_name(design: &Design) -> String {
    let mut slug = String::new();
    for c in design.name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "design" } else { slug };
    format!("{slug}.archsim.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, EditorState, ItemRef};
    use archsim_model::Position;
    use std::time::{Duration, Instant};

    /// A design exercising many node kinds, edges, a fault and non-default settings.
    pub(crate) fn sample_design() -> Design {
        let mut s = EditorState::default();
        for (i, kind) in ["client", "api_gateway", "service", "cache", "database"]
            .iter()
            .enumerate()
        {
            s.apply(Action::AddNode {
                kind: (*kind).into(),
                at: Position {
                    x: 100.0 + 240.0 * i as f64,
                    y: 100.0,
                },
            });
        }
        for (from, to) in [
            ("client-1", "api-gateway-1"),
            ("api-gateway-1", "service-1"),
            ("service-1", "cache-1"),
            ("cache-1", "database-1"),
        ] {
            s.apply(Action::Connect {
                from: from.into(),
                to: to.into(),
            });
        }
        s.apply(Action::SetDesignName("Sample: shop / checkout".into()));
        s.apply(Action::SetDesignDescription(
            "A cache in front of the database.\nSecond line.".into(),
        ));
        s.apply(Action::AddFault(archsim_model::Fault {
            target: "database-1".into(),
            at_ms: 10_000.0,
            duration_ms: 2_000.0,
            effect: archsim_model::FaultEffect::Latency { extra_ms: 50.0 },
        }));
        s.apply(Action::SelectOnly(ItemRef::Node("service-1".into())));
        s.design
    }

    #[test]
    fn export_then_import_gives_the_identical_design() {
        let design = sample_design();
        let json = export_json(&design);
        assert!(
            json.contains(&format!("\n  \"version\": {CURRENT_VERSION}")),
            "{json}"
        );
        assert_eq!(import_json(&json), Ok(design));
    }

    #[test]
    fn import_of_broken_json_reports_a_problem() {
        let problems = import_json("{\"version\": 1, \"nodes\": [").unwrap_err();
        assert!(!problems.is_empty());
    }

    #[test]
    fn import_of_a_newer_version_is_refused_with_the_version_named() {
        let problems = import_json(r#"{"version": 999, "nodes": []}"#).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("version")),
            "{problems:?}"
        );
    }

    #[test]
    fn import_of_a_bad_node_names_its_path() {
        let json =
            r#"{"version":1,"nodes":[{"id":"a","kind":"service","params":{"workers":"many"}}]}"#;
        let problems = import_json(json).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("nodes[0]")),
            "{problems:?}"
        );
    }

    #[test]
    fn import_of_an_oversized_file_is_refused_before_parsing() {
        let huge = " ".repeat(MAX_IMPORT_BYTES + 1);
        let problems = import_json(&huge).unwrap_err();
        assert!(problems[0].contains("larger than"), "{problems:?}");
    }

    #[test]
    fn url_fragment_round_trips() {
        let design = sample_design();
        let fragment = encode_fragment(&design);
        assert!(fragment.starts_with("#d="));
        assert!(
            fragment[3..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "not URL-safe: {fragment}"
        );
        assert_eq!(decode_fragment(&fragment), Ok(design.clone()));
        // Without '#', and among other parameters.
        assert_eq!(decode_fragment(&fragment[1..]), Ok(design.clone()));
        let with_other = format!("#view=1&{}", &fragment[1..]);
        assert_eq!(decode_fragment(&with_other), Ok(design));
    }

    #[test]
    fn url_fragment_survives_a_percent_encoded_key() {
        let design = sample_design();
        let fragment = encode_fragment(&design).replacen("d=", "d%3D", 1);
        assert_eq!(decode_fragment(&fragment), Ok(design));
    }

    #[test]
    fn every_template_fits_in_a_short_share_link() {
        // Links of a few KB survive chat apps and address bars; guard that the bundled designs
        // stay well inside that.
        for t in templates() {
            let link = encode_fragment(&t.design().unwrap());
            assert!(link.len() < 4_096, "{}: {} characters", t.id, link.len());
        }
    }

    #[test]
    fn url_fragment_is_much_smaller_than_the_json() {
        let design = sample_design();
        assert!(encode_fragment(&design).len() < export_json(&design).len() / 2);
    }

    #[test]
    fn url_decode_rejects_garbage_with_clear_errors() {
        for garbage in [
            "",
            "#",
            "#x=abc",
            "#d=",
            "#d=!!!not base64!!!",
            "#d=AAAA",
            "#d=aGVsbG8gd29ybGQ",
        ] {
            let err = decode_fragment(garbage).unwrap_err();
            assert!(err.starts_with("the link"), "{garbage:?} gave {err:?}");
        }
    }

    #[test]
    fn url_decode_rejects_valid_deflate_of_a_non_design() {
        let packed = miniz_oxide::deflate::compress_to_vec(br#"{"version":1,"nodes":7}"#, 6);
        let fragment = format!(
            "#d={}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
        );
        let err = decode_fragment(&fragment).unwrap_err();
        assert!(err.contains("nodes"), "{err}");
    }

    #[test]
    fn url_decode_rejects_oversized_link_quickly() {
        let long = format!("#d={}", "A".repeat(MAX_FRAGMENT_CHARS + 10));
        let started = Instant::now();
        let err = decode_fragment(&long).unwrap_err();
        assert!(err.contains("too long"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn url_decode_stops_a_decompression_bomb_quickly() {
        // Spaces compress about 1000:1, so a link of a few KB would inflate to far more than the
        // limit; decoding must stop at the limit instead of allocating it all.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 3 * MAX_INFLATED_BYTES], 6);
        let fragment = format!(
            "#d={}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bomb)
        );
        assert!(fragment.len() < MAX_FRAGMENT_CHARS);
        let started = Instant::now();
        let err = decode_fragment(&fragment).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn clipboard_text_round_trips_a_fragment() {
        let design = sample_design();
        let ids = ["api-gateway-1", "service-1"].map(String::from).into();
        let fragment = Fragment::extract(&design, &ids);
        let text = fragment_to_clipboard_text(&fragment);
        assert_eq!(fragment_from_clipboard_text(&text), Ok(fragment));
    }

    #[test]
    fn clipboard_accepts_a_whole_design_and_rejects_other_text() {
        let design = sample_design();
        let fragment = fragment_from_clipboard_text(&export_json(&design)).unwrap();
        assert_eq!(fragment.nodes, design.nodes);
        for text in ["hello", "[1,2]", "{\"a\":1}", r#"{"version":1,"nodes":[]}"#] {
            assert!(fragment_from_clipboard_text(text).is_err(), "{text}");
        }
        let bad = r#"{"archsim_clipboard":1,"design":{"version":1,"nodes":[{"id":"x","kind":"blender"}]}}"#;
        let err = fragment_from_clipboard_text(bad).unwrap_err();
        assert!(err.contains("nodes[0]"), "{err}");
    }

    #[test]
    fn export_file_name_is_a_slug_of_the_design_name() {
        assert_eq!(
            export_file_name(&sample_design()),
            "sample-shop-checkout.archsim.json"
        );
        assert_eq!(export_file_name(&Design::default()), "design.archsim.json");
    }
}

//! A value as JSON with its numbers apart: how the run worker sends a live series to the page.
//!
//! A live update of a 200-node design is about a megabyte of JSON, nearly all of it arrays of
//! numbers (a series is columns: one array per node and measure, one number per bucket). Reading
//! that text took the page's main thread 5–10 ms per 128 KB, 40% of its time during a long run
//! (docs/performance.md, "Zoom without layout, live updates with their numbers apart").
//! [`pack`] keeps the JSON for the structure only and moves every array of plain numbers into
//! one `f64` buffer, which the worker hands over without copying (`write.rs`); [`unpack`] reads
//! the structure and takes the numbers from the buffer, with the same `Deserialize` code as any
//! other reader (`read.rs`).
//!
//! In the structure an array of numbers becomes `{"\u0000": [start, n]}`, meaning "the `n` numbers
//! of the buffer from `start`" (a reader may visit a map's entries in another order than the text
//! had them). No model key is a NUL character; a value whose text holds one anyway is packed
//! with nothing moved out, and with no numbers apart nothing is read as a marker, so the marker is
//! never mistaken for data.

use std::cell::Cell;

use serde::Serialize;
use serde::de::DeserializeOwned;

use read::{Apart, Stream};
use write::{Out, Writer};

mod read;
mod write;

/// The key of the marker object that stands for an array of numbers in the structure, and
/// that key as JSON writes it.
const MARKER: &str = "\u{0}";
const MARKER_KEY: &str = r#""\u0000""#;
/// Above this a whole number is not exact as an `f64`: an array with one stays in the JSON.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// A value packed by [`pack`].
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    /// The JSON of the value with every array of numbers replaced by a marker.
    pub structure: String,
    /// The numbers of those arrays, in the order the text had them.
    pub numbers: Vec<f64>,
}

/// `value` as its structure and its numbers (see the module's documentation).
pub fn pack<T: Serialize + ?Sized>(value: &T) -> Packed {
    let mut out = Out::default();
    match value.serialize(Writer(&mut out)) {
        Ok(()) if !out.nul_key => Packed {
            structure: out.text,
            numbers: out.numbers,
        },
        // A NUL key, or a shape JSON has no words for: the plain JSON, nothing apart.
        _ => Packed {
            structure: crate::json::to_compact(value),
            numbers: Vec::new(),
        },
    }
}

/// A live series packed. Not generic, so that its code is compiled with this crate's settings:
/// the served build (`scripts/serve.sh`) optimises the model crate but not the app, and the
/// app's copy of `pack::<Series>` and `unpack::<Series>` read a 200-node design's updates at a
/// third of the speed.
pub fn pack_series(series: &crate::Series) -> Packed {
    pack(series)
}

/// A live series packed by [`pack_series`], read back.
pub fn unpack_series(structure: &str, numbers: &[f64]) -> Result<crate::Series, String> {
    unpack(structure, numbers)
}

/// Reads back a value that [`pack`] packed: read from the structure's text as it goes (no tree
/// of it is built), each marked array read from the buffer.
pub fn unpack<T: DeserializeOwned>(structure: &str, numbers: &[f64]) -> Result<T, String> {
    let read = Cell::new(0);
    let mut text = serde_json::Deserializer::from_str(structure);
    let value = T::deserialize(Stream {
        de: &mut text,
        apart: Apart {
            numbers,
            read: &read,
        },
    })
    .map_err(|e| e.to_string())?;
    text.end().map_err(|e| e.to_string())?;
    if read.get() != numbers.len() {
        return Err(format!(
            "{} numbers were sent and {} read",
            numbers.len(),
            read.get()
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;
    use crate::series::{EdgeSeries, NodeSeries, Series};

    fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> (Packed, T) {
        let packed = pack(value);
        let back = unpack(&packed.structure, &packed.numbers).expect("unpacks");
        (packed, back)
    }

    fn series() -> Series {
        let mut nodes = BTreeMap::new();
        nodes.insert(
            "api".to_string(),
            NodeSeries {
                arrivals: vec![3, 0, 12],
                completions: vec![2, 1, 11],
                utilisation: vec![0.1, 1.0, 0.333_333_333_333_333_3],
                queue_length: vec![0.0, -0.0, 2.5],
                shard_queries: vec![vec![1, 2], vec![], vec![7, 8]],
                hit_ratio: Vec::new(),
                ..NodeSeries::default()
            },
        );
        let mut edges = BTreeMap::new();
        edges.insert(
            "api->db".to_string(),
            EdgeSeries {
                calls: vec![5, 6, u64::MAX],
                retries: vec![1, 0, 0],
                ..EdgeSeries::default()
            },
        );
        Series {
            bucket_ms: 250.0,
            t_ms: vec![0.0, 250.0, 500.0],
            arrivals: vec![10, 20, 30],
            nodes,
            edges,
            breaker_state: BTreeMap::from([("api->db".to_string(), vec![0, 2, 1])]),
            failed_by_cause: BTreeMap::from([("timeout".to_string(), vec![0, 0, 4])]),
            ..Series::default()
        }
    }

    #[test]
    fn a_series_comes_back_exactly_with_its_numbers_apart() {
        let series = series();
        let (packed, back) = round_trip(&series);
        assert_eq!(back, series);
        assert_eq!(
            crate::json::to_compact(&back),
            crate::json::to_compact(&series)
        );
        // The numbers left the text: what stays is structure (and the one array that an f64
        // cannot hold exactly, u64::MAX's).
        assert!(!packed.structure.contains("0.3333"));
        assert!(packed.structure.contains("18446744073709551615"));
        assert!(packed.numbers.contains(&0.333_333_333_333_333_3));
    }

    #[test]
    fn negative_zero_keeps_its_sign_and_fractions_their_bits() {
        let values = vec![-0.0, 0.1 + 0.2, 1e-300, -1.5e300, f64::MIN_POSITIVE, 3.0];
        let (packed, back): (_, Vec<f64>) = round_trip(&values);
        assert_eq!(packed.numbers.len(), values.len());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&values));
    }

    #[test]
    fn text_that_looks_like_numbers_inside_strings_is_left_alone() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Labelled {
            label: String,
            quoted: String,
            values: Vec<i64>,
            maybe: Option<Vec<u8>>,
            none: Option<u32>,
            nested: Vec<Vec<f64>>,
            gaps: Vec<Option<f64>>,
            huge: Vec<i64>,
        }
        let value = Labelled {
            label: "[1,2,3] and ]".to_string(),
            quoted: "say \"[4]\" \\".to_string(),
            values: vec![-3, 0, 9],
            maybe: Some(vec![1, 255]),
            none: None,
            nested: vec![vec![1.5], vec![], vec![2.0, 3.25]],
            gaps: vec![Some(-0.0), Some(0.5), None, Some(2.0)],
            huge: vec![1, i64::MIN],
        };
        let (packed, back) = round_trip(&value);
        assert_eq!(back, value);
        assert!(packed.structure.contains(r#""[1,2,3] and ]""#));
        assert_eq!(
            packed.numbers,
            vec![-3.0, 0.0, 9.0, 1.0, 255.0, 1.5, 2.0, 3.25]
        );
        // An array with anything but exact numbers stays text, every element of it.
        assert!(
            packed.structure.contains(r#""gaps":[-0.0,0.5,null,2.0]"#),
            "{}",
            packed.structure
        );
        assert!(
            packed
                .structure
                .contains(r#""huge":[1,-9223372036854775808]"#)
        );
        assert_eq!(back.gaps[0].map(f64::to_bits), Some((-0.0f64).to_bits()));
    }

    #[test]
    fn an_array_put_back_into_the_text_keeps_its_integers_integers() {
        // u64::MAX is not exact as an f64, so the numbers before it go back into the text:
        // a zero among them must read back into a u64, and -0.0 into a float with its sign.
        let counts = vec![0u64, 7, u64::MAX];
        let (packed, back) = round_trip(&counts);
        assert_eq!(back, counts);
        assert_eq!(packed.structure, "[0,7,18446744073709551615]");
        // A NaN (JSON's null) sends floats back: -0.0 keeps its sign, a whole one reads as a
        // float again.
        let packed = pack(&vec![-0.0, 0.0, 2.5, f64::NAN]);
        assert_eq!(packed.structure, "[-0.0,0,2.5,null]");
        let back: Vec<Option<f64>> = unpack(&packed.structure, &packed.numbers).unwrap();
        assert_eq!(back[0].map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(&back[1..3], &[Some(0.0), Some(2.5)]);
        assert_eq!(back[3], None);
    }

    #[test]
    fn a_key_like_the_marker_leaves_everything_in_the_text() {
        let value = BTreeMap::from([("\u{0}".to_string(), vec![1u32, 2])]);
        let (packed, back) = round_trip(&value);
        assert!(packed.numbers.is_empty());
        assert_eq!(back, value);
    }

    #[test]
    fn a_structure_and_buffer_that_disagree_are_refused() {
        let packed = pack(&series());
        let short = &packed.numbers[..packed.numbers.len() - 1];
        assert!(unpack::<Series>(&packed.structure, short).is_err());
        let mut long = packed.numbers.clone();
        long.push(1.0);
        assert!(unpack::<Series>(&packed.structure, &long).is_err());
    }
}

//! The one way model types are written as JSON, for a small WebAssembly module.
//!
//! Every pair of a serde type and a serializer is a separate copy of that type's code in the
//! browser's module: a design written to a `Value`, to compact text, to pretty text and through
//! a size-limited writer was four copies of every node kind's serializer. So the app and this
//! crate write every model type through [`write_compact`] alone (one serializer type) and derive
//! the other forms from its text: [`pretty`] re-indents it, [`to_value`] reads it back as a plain
//! `serde_json::Value` (whose own code is shared by everything). Reading has one path per type
//! too: a design through [`parse_design`](crate::parse_design) (each element from a `Value`, so a
//! problem names its field), a report and its series from text. docs/performance.md, "Download
//! size", has the figures.

use serde::Serialize;
use serde_json::Value;

/// `value` as compact JSON text, written straight to text (no intermediate tree: for a big
/// design's report that tree alone took the page 100 ms), giving up as soon as it passes `limit`
/// bytes, so a value too large to keep costs no more than one that just fits. None when it
/// passed the limit (or failed to serialize, which plain data with string keys cannot do).
pub fn write_compact<T: Serialize + ?Sized>(value: &T, limit: usize) -> Option<String> {
    let mut out = Bounded {
        text: Vec::new(),
        limit,
    };
    serde_json::to_writer(&mut out, value).ok()?;
    // serde_json writes UTF-8 only.
    String::from_utf8(out.text).ok()
}

/// [`write_compact`] without a limit (`null` if serializing failed, which plain data cannot).
pub fn to_compact<T: Serialize + ?Sized>(value: &T) -> String {
    write_compact(value, usize::MAX).unwrap_or_else(|| "null".to_string())
}

/// A report as compact JSON text, and read back from it: not generic, so compiled with this
/// crate's settings. The served build (`scripts/serve.sh`) optimises the model crate but not the
/// app, whose own copies of the report's writer and reader ran the served app's runs slower.
pub fn report_to_compact(report: &crate::Report) -> String {
    to_compact(report)
}

/// See [`report_to_compact`].
pub fn report_from_str(text: &str) -> Result<crate::Report, serde_json::Error> {
    serde_json::from_str(text)
}

/// `value` pretty-printed (two spaces, `"key": value`), exactly as `serde_json::to_string_pretty`
/// writes it, keys in the same order.
pub fn to_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    pretty(&to_compact(value))
}

/// `value` as a JSON tree, read back from its compact text. Fine for a design or a part of one
/// (kilobytes); reports are never turned into trees.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::from_str(&to_compact(value)).unwrap_or(Value::Null)
}

/// Compact JSON text (as [`write_compact`] writes it: no whitespace outside strings)
/// re-indented the way `serde_json::to_string_pretty` writes it. Keys keep their order (a
/// round trip through `Value` would sort them).
pub fn pretty(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() + compact.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    // Empty: `[]` and `{}` stay on one line.
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// A byte buffer that refuses to grow past `limit`.
struct Bounded {
    text: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.text.len().saturating_add(bytes.len()) > self.limit {
            return Err(std::io::Error::other("over the limit"));
        }
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn write_compact_gives_up_past_the_limit_and_not_before() {
        let text = to_compact(&vec![1, 2, 3]);
        assert_eq!(text, "[1,2,3]");
        assert_eq!(
            write_compact(&vec![1, 2, 3], text.len()),
            Some(text.clone())
        );
        assert_eq!(write_compact(&vec![1, 2, 3], text.len() - 1), None);
    }

    #[test]
    fn pretty_writes_what_serde_json_pretty_writes() {
        let value = json!({
            "version": 3,
            "name": "a \"quoted\" name, with: commas {and} [brackets] \\",
            "nodes": [{"id": "c", "params": {}}, {"id": "s", "list": [], "x": -1.5e-7}],
            "empty": {},
            "nested": [[1, [2, []]], {"a": {"b": null}}],
            "unicode": "héllo ✓",
        });
        assert_eq!(
            pretty(&value.to_string()),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn pretty_keeps_the_key_order_of_the_text() {
        assert_eq!(pretty(r#"{"b":1,"a":2}"#), "{\n  \"b\": 1,\n  \"a\": 2\n}");
    }

    #[test]
    fn a_design_written_compact_pretty_or_as_a_value_is_the_same_document() {
        let json = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/three-tier.json"
        ))
        .unwrap();
        let design = crate::parse_design(&json).unwrap();
        assert_eq!(
            to_pretty(&design),
            serde_json::to_string_pretty(&design).unwrap()
        );
        assert_eq!(to_value(&design), serde_json::to_value(&design).unwrap());
        assert_eq!(crate::parse_design(&to_compact(&design)).unwrap(), design);
    }
}

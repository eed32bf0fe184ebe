//! Text that came from a design file (ids, labels, names, paths built from them) is shown as
//! text, never obeyed by the terminal.
//!
//! A design travels between people; an id carrying an escape sequence could set the terminal's
//! title, clear the screen or recolour what follows, a carriage return or a right-to-left
//! override could make a line read differently from what it holds, and a newline could forge a
//! whole extra problem line. So every character that a terminal treats as a control, and every
//! Unicode formatting character that reorders or hides text, is written as a visible escape
//! (`\n`, `\u{1b}`, `\u{202e}`); everything else passes unchanged.

use std::borrow::Cow;

/// `text` with control and bidirectional-formatting characters escaped (borrowed when there
/// are none, which is nearly always).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// C0 and C1 controls and DEL, plus the characters that reorder or hide text on screen: bidi
/// embeddings, overrides and isolates, the directional marks, zero-width joiners and spaces,
/// the line and paragraph separators, and the byte-order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061c}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            escape("App server 1 — é ✓"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn terminal_escapes_are_made_visible() {
        // Set the window title, clear the screen, colour red, ring the bell.
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2J\u{1b}[31mc";
        let shown = escape(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown}");
        assert_eq!(shown, "a\\u{1b}]0;pwned\\u{7}b\\u{1b}[2J\\u{1b}[31mc");
    }

    #[test]
    fn line_breaks_cannot_forge_a_line() {
        let shown = escape("id\n`forged`: problem\r");
        assert_eq!(shown, "id\\n`forged`: problem\\r");
        assert_eq!(shown.lines().count(), 1);
    }

    #[test]
    fn reordering_and_invisible_characters_are_escaped() {
        for c in [
            '\u{202e}', '\u{2066}', '\u{200f}', '\u{2028}', '\u{feff}', '\u{85}', '\u{9b}',
        ] {
            let text = format!("x{c}y");
            assert_eq!(escape(&text), format!("x\\u{{{:x}}}y", c as u32));
        }
    }
}

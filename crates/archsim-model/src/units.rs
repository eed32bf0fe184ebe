//! Durations as people type them: `250ms`, `90s`, `1.5m`, `1h`, or a bare number in a unit the
//! caller chooses (the CLI reads seconds, the editor's fields read milliseconds). One reader for
//! both, so the CLI and the editor accept the same words.

/// Units a duration may carry, longest suffix first so that `ms` is not read as `m` + `s`.
const UNITS: [(&str, f64); 8] = [
    ("ms", 1.0),
    ("min", 60_000.0),
    ("sec", 1_000.0),
    ("s", 1_000.0),
    ("m", 60_000.0),
    ("h", 3_600_000.0),
    ("hr", 3_600_000.0),
    ("hour", 3_600_000.0),
];

/// `text` as milliseconds: a number with an optional unit (`ms`, `s`/`sec`, `m`/`min`,
/// `h`/`hr`/`hour`; a space before it is fine); a bare number is in units of `bare_unit_ms`.
/// `None` when the text is not a finite duration.
pub fn duration_ms(text: &str, bare_unit_ms: f64) -> Option<f64> {
    let text = text.trim();
    let (number, unit_ms) = UNITS
        .iter()
        .filter(|(suffix, _)| text.len() > suffix.len())
        .find_map(|&(suffix, ms)| {
            let head = text.strip_suffix(suffix)?;
            // "5ms" is five milliseconds, never "5m" followed by a stray "s".
            (!head.ends_with(|c: char| c.is_ascii_alphabetic())).then(|| (head.trim_end(), ms))
        })
        .unwrap_or((text, bare_unit_ms));
    let value: f64 = number.parse().ok()?;
    value.is_finite().then_some(value * unit_ms)
}

#[cfg(test)]
mod tests {
    use super::duration_ms;

    #[test]
    fn units_and_bare_numbers() {
        assert_eq!(duration_ms("90", 1_000.0), Some(90_000.0));
        assert_eq!(duration_ms("90", 1.0), Some(90.0));
        assert_eq!(duration_ms("90s", 1.0), Some(90_000.0));
        assert_eq!(duration_ms("60 s", 1.0), Some(60_000.0));
        assert_eq!(duration_ms("1.5m", 1.0), Some(90_000.0));
        assert_eq!(duration_ms("2 min", 1.0), Some(120_000.0));
        assert_eq!(duration_ms("250ms", 1_000.0), Some(250.0));
        assert_eq!(duration_ms("1h", 1.0), Some(3_600_000.0));
        assert_eq!(duration_ms("-5", 1_000.0), Some(-5_000.0));
    }

    #[test]
    fn what_is_not_a_duration() {
        for bad in [
            "",
            "s",
            "ten",
            "5 minutes",
            "inf",
            "NaNs",
            "5 ms s",
            "1e400",
        ] {
            assert_eq!(duration_ms(bad, 1.0), None, "{bad}");
        }
    }
}

//! Colours of the charts. Lines take the Okabe–Ito palette (told apart by people with any common
//! colour-vision deficiency, and readable on light and dark backgrounds); each failure cause and
//! each breaker state has a colour of its own that never changes, so "red" always means the same.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// "#rrggbb", as CSS reads it.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Parses a colour as `getComputedStyle` gives it ("#rgb", "#rrggbb", "rgb(r, g, b)",
    /// "rgba(r, g, b, a)"); None for anything else.
    pub fn parse(text: &str) -> Option<Rgb> {
        let text = text.trim();
        if let Some(hex) = text.strip_prefix('#') {
            let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
            return match hex.len() {
                3 => Some(Rgb(digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17)),
                6 | 8 => Some(Rgb(digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
                _ => None,
            };
        }
        let inner = text
            .strip_prefix("rgba(")
            .or_else(|| text.strip_prefix("rgb("))?
            .strip_suffix(')')?;
        let mut parts = inner
            .split([',', ' ', '/'])
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<f64>()
                    .ok()
                    .map(|v| v.round().clamp(0.0, 255.0) as u8)
            });
        Some(Rgb(parts.next()??, parts.next()??, parts.next()??))
    }
}

/// Colours of lines, in the order lines take them (Okabe–Ito, yellow left out: it vanishes on
/// white). Orange and sky blue are a little darker than Okabe–Ito's, so that every line (and
/// every cause's and breaker state's colour below) stands out at 3:1 or more from the charts'
/// background in both the light and the dark theme (WCAG's contrast for graphics).
pub const LINES: [Rgb; 8] = [
    Rgb(0x00, 0x72, 0xb2), // blue
    Rgb(0xc2, 0x86, 0x00), // orange
    Rgb(0x00, 0x9e, 0x73), // bluish green
    Rgb(0xcc, 0x79, 0xa7), // reddish purple
    Rgb(0x1d, 0x98, 0xdd), // sky blue
    Rgb(0xd5, 0x5e, 0x00), // vermillion
    Rgb(0x88, 0x66, 0x22), // brown
    Rgb(0x8a, 0x8a, 0x8a), // grey
];

/// The colour of line `k` of a chart; past the palette, colours repeat (such lines are dashed).
pub fn line(k: usize) -> Rgb {
    LINES[k % LINES.len()]
}

/// The fixed colour of a failure cause (the keys of `Series::failed_by_cause`): errors
/// vermillion, timeouts orange, full queues purple, rate limiting sky blue, an open breaker dark
/// purple, no healthy backend brown, a node down dark grey, throttled by the caller bluish green,
/// dropped by CoDel dark teal, shed for a higher class olive, bulkhead full
/// brick red, deadline exceeded lime (each darkened or lightened where needed for 3:1 on
/// both themes' backgrounds).
pub fn cause(key: &str) -> Rgb {
    match key {
        "error" => Rgb(0xd5, 0x5e, 0x00),
        "timeout" => Rgb(0xc2, 0x86, 0x00),
        "queue_full" => Rgb(0xcc, 0x79, 0xa7),
        "rate_limited" => Rgb(0x1d, 0x98, 0xdd),
        "breaker_open" => Rgb(0x85, 0x53, 0xbb),
        "no_healthy_backend" => Rgb(0x88, 0x66, 0x22),
        "node_down" => Rgb(0x6b, 0x6b, 0x6b),
        "throttled" => Rgb(0x00, 0x9e, 0x73),
        "codel_dropped" => Rgb(0x11, 0x79, 0x83),
        "shed_priority" => Rgb(0x9e, 0x8b, 0x00),
        "bulkhead_full" => Rgb(0xb8, 0x45, 0x33),
        "deadline_exceeded" => Rgb(0x5f, 0x9a, 0x1c),
        "cancelled" => Rgb(0x7b, 0x7f, 0xd6),
        _ => Rgb(0x8a, 0x8a, 0x8a),
    }
}

/// A breaker's states (see `timeline::BREAKER_STATES`): closed green, half-open amber, open
/// vermillion.
pub const BREAKER_CLOSED: Rgb = Rgb(0x00, 0x9e, 0x73);
pub const BREAKER_HALF_OPEN: Rgb = Rgb(0xc2, 0x86, 0x00);
pub const BREAKER_OPEN: Rgb = Rgb(0xd5, 0x5e, 0x00);

/// A balancer's view of a backend (see `timeline::BACKEND_STATES`): in rotation green, marked
/// down amber, ejected reddish purple, both dark purple; a backend crashed by a fault dark grey
/// (the colour of the `node_down` failure cause).
pub const BACKEND_IN_ROTATION: Rgb = Rgb(0x00, 0x9e, 0x73);
pub const BACKEND_DOWN: Rgb = Rgb(0xc2, 0x86, 0x00);
pub const BACKEND_EJECTED: Rgb = Rgb(0xcc, 0x79, 0xa7);
pub const BACKEND_DOWN_AND_EJECTED: Rgb = Rgb(0x85, 0x53, 0xbb);
pub const CRASHED: Rgb = Rgb(0x6b, 0x6b, 0x6b);

/// Shading of a fault window (vermillion, drawn translucent).
pub const FAULT: Rgb = Rgb(0xd5, 0x5e, 0x00);

/// The page's colours the charts follow (light or dark), read from its CSS variables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// The chart's background (a saved PNG carries it).
    pub background: Rgb,
    pub text: Rgb,
    pub muted: Rgb,
    pub grid: Rgb,
    pub warmup: Rgb,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            background: Rgb(0xff, 0xff, 0xff),
            text: Rgb(0x5b, 0x64, 0x75),
            muted: Rgb(0x8a, 0x93, 0xa3),
            grid: Rgb(0xe1, 0xe5, 0xeb),
            warmup: Rgb(0xf2, 0xf4, 0xf7),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::results_format::FAILURE_CAUSES;

    /// WCAG 2's relative luminance of an sRGB colour.
    fn luminance(c: Rgb) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    fn contrast(a: Rgb, b: Rgb) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The charts' backgrounds: every `--panel` colour the style sheet sets (light and dark).
    fn chart_backgrounds() -> Vec<Rgb> {
        include_str!("../../static/style.css")
            .lines()
            .filter_map(|line| line.trim().strip_prefix("--panel:"))
            .filter_map(|value| Rgb::parse(value.trim().trim_end_matches(';')))
            .collect()
    }

    #[test]
    fn every_line_stands_out_at_three_to_one_in_both_themes() {
        let backgrounds = chart_backgrounds();
        assert!(
            backgrounds.contains(&Rgb(0xff, 0xff, 0xff)) && backgrounds.len() >= 2,
            "the light and dark backgrounds were read: {backgrounds:?}"
        );
        let causes = FAILURE_CAUSES.map(|(key, _)| key);
        let colours = LINES
            .iter()
            .copied()
            .chain(causes.iter().map(|c| cause(c)))
            .chain(
                super::super::timeline::BREAKER_STATES
                    .iter()
                    .chain(&super::super::timeline::BACKEND_STATES)
                    .chain([&super::super::timeline::CRASHED])
                    .map(|s| s.colour),
            );
        for colour in colours {
            for &background in &backgrounds {
                let ratio = contrast(colour, background);
                assert!(
                    ratio >= 3.0,
                    "{} on {} is {ratio:.2}:1",
                    colour.css(),
                    background.css()
                );
            }
        }
    }

    #[test]
    fn colours_parse_as_computed_styles_give_them() {
        assert_eq!(Rgb::parse("#0072b2"), Some(Rgb(0, 0x72, 0xb2)));
        assert_eq!(Rgb::parse(" #fff "), Some(Rgb(255, 255, 255)));
        assert_eq!(Rgb::parse("rgb(12, 34, 56)"), Some(Rgb(12, 34, 56)));
        assert_eq!(Rgb::parse("rgba(12, 34, 56, 0.5)"), Some(Rgb(12, 34, 56)));
        assert_eq!(Rgb::parse("rgb(12 34 56 / 50%)"), Some(Rgb(12, 34, 56)));
        assert_eq!(Rgb::parse("blue"), None);
        assert_eq!(Rgb::parse("#12"), None);
        assert_eq!(Rgb(0, 0x72, 0xb2).css(), "#0072b2");
    }

    #[test]
    fn every_failure_cause_has_its_own_colour() {
        let keys = FAILURE_CAUSES.map(|(key, _)| key);
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(cause(a), cause(b), "{a} and {b} share a colour");
            }
        }
    }
}

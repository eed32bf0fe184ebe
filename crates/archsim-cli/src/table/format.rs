//! How figures are written in the table: columns, numbers, intervals, percentages.

use archsim_model::Estimate;

#[derive(Debug, Clone, Copy)]
pub(super) enum Align {
    Left,
    Right,
}

/// Lays out `rows` in columns (widths measured in characters), each line starting with
/// `indent`.
pub(super) fn columns(rows: &[Vec<String>], aligns: &[Align], indent: &str) -> String {
    let column_count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..column_count)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (column, cell) in row.iter().enumerate() {
            if column > 0 {
                line.push_str("  ");
            }
            let pad = widths[column].saturating_sub(cell.chars().count());
            match aligns.get(column).copied().unwrap_or(Align::Left) {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A time in ms as seconds (`90 s`, `1.5 s`).
pub(super) fn seconds(ms: f64) -> String {
    format!("{} s", number(ms / 1000.0))
}

/// `value ± ci95`, or the value alone when there is no interval. Both sides get the same
/// number of decimals, chosen for about four significant figures of the larger one.
pub(super) fn with_ci(estimate: Estimate) -> String {
    let Estimate { value, ci95 } = estimate;
    match ci95 {
        Some(ci95) if ci95.is_finite() && value.is_finite() => {
            let whole = value == value.trunc() && ci95 == ci95.trunc();
            let decimals = if whole {
                0
            } else {
                decimals_for(value.abs().max(ci95))
            };
            format!("{} ± {}", fixed(value, decimals), fixed(ci95, decimals))
        }
        _ => number(value),
    }
}

/// Decimal places that give about four significant figures at this magnitude.
pub(super) fn decimals_for(magnitude: f64) -> usize {
    if magnitude >= 1_000.0 {
        0
    } else if magnitude >= 100.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else {
        4
    }
}

pub(super) fn fixed(value: f64, decimals: usize) -> String {
    if decimals == 0 {
        integer(value)
    } else {
        format!("{value:.decimals$}")
    }
}

/// A fraction as a percentage, with its interval when there is one.
pub(super) fn percent(estimate: Estimate) -> String {
    if !estimate.value.is_finite() {
        return "—".into();
    }
    let value = format!("{:.1}%", estimate.value * 100.0);
    match estimate.ci95 {
        Some(ci95) if ci95.is_finite() => format!("{value} ± {:.1}", ci95 * 100.0),
        _ => value,
    }
}

/// About four significant figures, thousands grouped, no noise like `800.000000001`.
pub(super) fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let magnitude = value.abs();
    if value == value.trunc() && magnitude < 1e15 {
        integer(value)
    } else if magnitude < 0.001 {
        format!("{value:.2e}")
    } else {
        fixed(value, decimals_for(magnitude))
    }
}

/// A value rounded to an integer with thousands separated by commas.
pub(super) fn integer(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut grouped = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if rounded < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A figure per partition or per subscription, in order: "12, 9, 30".
pub(super) fn per_member(values: &[Estimate]) -> String {
    values
        .iter()
        .map(|e| number(e.value))
        .collect::<Vec<_>>()
        .join(", ")
}

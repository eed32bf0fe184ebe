//! Service time that grows with load: the factor a node's processing time is multiplied by, as
//! a function of its utilisation `u` when the work starts. Services, database members and
//! caches may carry one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A curve of utilisation `u` (the busy fraction, this request included) giving the factor
/// processing times are multiplied by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LoadCurve {
    /// `1 + factor · (u − knee) / (1 − knee)` above `knee` (in `[0, 1)`), 1 below: the
    /// service's `slowdown`, as a curve.
    Knee { knee: f64, factor: f64 },
    /// `e^(k · u)`: 1 when idle, `e^k` when saturated (`k` in `[0, 20]`).
    Exponential { k: f64 },
    /// `1 + a · u^b` (`a` ≥ 0, `b` > 0): `b` = 1 is linear from idle, larger `b` stays flat
    /// longer and rises later.
    Polynomial { a: f64, b: f64 },
}

impl LoadCurve {
    /// The factor at utilisation `u` (u ≥ 0; above 1 for a cache pushed past its concurrency).
    pub fn factor(&self, u: f64) -> f64 {
        match *self {
            LoadCurve::Knee { knee, factor } => {
                if u > knee && knee < 1.0 {
                    1.0 + factor * (u - knee) / (1.0 - knee)
                } else {
                    1.0
                }
            }
            LoadCurve::Exponential { k } => libm::exp(k * u),
            LoadCurve::Polynomial { a, b } => 1.0 + a * libm::pow(u, b),
        }
    }

    /// The editor's names, in its order.
    pub const NAMES: [(&'static str, &'static str); 3] = [
        ("knee", "Linear above a knee"),
        ("exponential", "Exponential e^(k·u)"),
        ("polynomial", "Polynomial 1 + a·u^b"),
    ];

    pub fn name(&self) -> &'static str {
        match self {
            LoadCurve::Knee { .. } => "knee",
            LoadCurve::Exponential { .. } => "exponential",
            LoadCurve::Polynomial { .. } => "polynomial",
        }
    }

    /// The curve called `name`, with parameters the editor starts from.
    pub fn default_named(name: &str) -> Option<LoadCurve> {
        match name {
            "knee" => Some(LoadCurve::Knee {
                knee: 0.7,
                factor: 1.0,
            }),
            "exponential" => Some(LoadCurve::Exponential { k: 2.0 }),
            "polynomial" => Some(LoadCurve::Polynomial { a: 1.0, b: 4.0 }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_curve_is_its_formula() {
        let knee = LoadCurve::Knee {
            knee: 0.5,
            factor: 2.0,
        };
        assert_eq!(knee.factor(0.4), 1.0);
        assert_eq!(knee.factor(0.75), 2.0);
        assert_eq!(knee.factor(1.0), 3.0);
        let exp = LoadCurve::Exponential { k: 2.0 };
        assert_eq!(exp.factor(0.0), 1.0);
        assert!((exp.factor(1.0) - std::f64::consts::E * std::f64::consts::E).abs() < 1e-12);
        let poly = LoadCurve::Polynomial { a: 3.0, b: 2.0 };
        assert_eq!(poly.factor(0.0), 1.0);
        assert_eq!(poly.factor(0.5), 1.75);
        for (name, _) in LoadCurve::NAMES {
            assert_eq!(LoadCurve::default_named(name).unwrap().name(), name);
        }
    }
}

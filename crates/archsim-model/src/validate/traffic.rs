//! Rules of traffic: clients' workloads, request classes, distributions and rate profiles.

use super::{MAX_CLASSES, MAX_USERS, MIN_PERIOD_MS, readable};
use crate::design::{ClientParams, Distribution, KeyPopularity, NodeKind, RateProfile, Workload};
use crate::problem::{field_path, index_path};
use std::collections::{BTreeSet, HashMap};

use super::Checker;

impl<'a> Checker<'a> {
    pub(super) fn client(&mut self, path: &str, client: &ClientParams) {
        let workload = field_path(path, "workload");
        match &client.workload {
            Workload::OpenLoop { rate } => self.rate_profile(&field_path(&workload, "rate"), rate),
            Workload::ClosedLoop { users, think_time } => {
                let users_path = field_path(&workload, "users");
                self.at_least_one(&users_path, (*users).into(), "users");
                self.at_most(&users_path, (*users).into(), MAX_USERS, "simulated users");
                self.distribution(&field_path(&workload, "think_time"), think_time);
            }
        }

        let mix = field_path(path, "mix");
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (index, class) in client.mix.iter().enumerate() {
            let class_path = index_path(&mix, index);
            if class.name.is_empty() {
                self.report(field_path(&class_path, "name"), "must not be empty");
            } else if let Some(&first) = names.get(class.name.as_str()) {
                self.report(
                    field_path(&class_path, "name"),
                    format!(
                        "duplicate request class `{}` (also mix[{first}])",
                        class.name
                    ),
                );
            } else {
                names.insert(class.name.as_str(), index);
            }
            self.non_negative(&field_path(&class_path, "weight"), class.weight);
        }
        let total: f64 = client.mix.iter().map(|class| class.weight).sum();
        if !client.mix.is_empty() && total.is_finite() && total <= 0.0 {
            self.report(
                mix,
                "the weights add up to 0, so no request class could ever be chosen; give at least one class a positive weight (or leave mix empty for a single `default` read class)",
            );
        }

        let keys = field_path(path, "keys");
        self.at_least_one(
            &field_path(&keys, "count"),
            client.keys.count,
            "distinct keys",
        );
        if let KeyPopularity::Zipf { exponent } = client.keys.popularity {
            let exponent_path = field_path(&field_path(&keys, "popularity"), "exponent");
            if !(exponent.is_finite() && exponent > 0.0) {
                self.report(
                    exponent_path,
                    format!("must be a finite number > 0 (1 is classic Zipf; use popularity `uniform` for no skew), found {exponent}"),
                );
            }
        }
        if let Some(users) = &client.users {
            self.at_least_one(
                &field_path(&field_path(path, "users"), "count"),
                users.count.into(),
                "distinct users",
            );
        }
    }

    /// Names of all request classes the design's clients send.
    /// Every class some client sends; computed once (a design may have many gateways).
    pub(super) fn request_classes(&self) -> &BTreeSet<&'a str> {
        let design = self.design;
        self.classes.get_or_init(|| {
            let mut classes = BTreeSet::new();
            for node in &design.nodes {
                if let NodeKind::Client(client) = &node.spec {
                    if client.mix.is_empty() {
                        classes.insert("default");
                    }
                    classes.extend(client.mix.iter().map(|class| class.name.as_str()));
                }
            }
            classes
        })
    }

    /// All clients' mixes together may name at most [`MAX_CLASSES`] classes; the problem is
    /// reported at the mix entry that goes past it.
    pub(super) fn class_count(&mut self) {
        let design = self.design;
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (index, node) in design.nodes.iter().enumerate() {
            let NodeKind::Client(client) = &node.spec else {
                continue;
            };
            for (entry, class) in client.mix.iter().enumerate() {
                if seen.insert(class.name.as_str()) && seen.len() > MAX_CLASSES {
                    let mix = field_path(&field_path(&self.node_path(index), "params"), "mix");
                    let path = index_path(&mix, entry);
                    self.report(
                        field_path(&path, "name"),
                        format!(
                            "a design may name at most {MAX_CLASSES} request classes in all; this is one more"
                        ),
                    );
                    return;
                }
            }
        }
    }

    pub(super) fn distribution(&mut self, path: &str, distribution: &Distribution) {
        match *distribution {
            Distribution::Constant { ms } => self.non_negative(&field_path(path, "ms"), ms),
            Distribution::Exponential { mean_ms } => {
                self.positive(&field_path(path, "mean_ms"), mean_ms)
            }
            Distribution::Uniform { min_ms, max_ms } => {
                self.non_negative(&field_path(path, "min_ms"), min_ms);
                self.non_negative(&field_path(path, "max_ms"), max_ms);
                if min_ms > max_ms {
                    self.report(
                        field_path(path, "min_ms"),
                        format!("min_ms ({min_ms}) is greater than max_ms ({max_ms}); need min_ms ≤ max_ms"),
                    );
                }
            }
            Distribution::LogNormal { median_ms, p99_ms } => {
                self.positive(&field_path(path, "median_ms"), median_ms);
                self.positive(&field_path(path, "p99_ms"), p99_ms);
                if p99_ms <= median_ms {
                    self.report(
                        field_path(path, "p99_ms"),
                        format!("p99_ms ({p99_ms}) must be greater than median_ms ({median_ms}); for a fixed time use a constant distribution"),
                    );
                }
            }
        }
    }

    pub(super) fn rate_profile(&mut self, path: &str, profile: &RateProfile) {
        match *profile {
            RateProfile::Constant { rps } => self.non_negative(&field_path(path, "rps"), rps),
            RateProfile::Ramp {
                from_rps,
                to_rps,
                start_ms,
                end_ms,
            } => {
                self.non_negative(&field_path(path, "from_rps"), from_rps);
                self.non_negative(&field_path(path, "to_rps"), to_rps);
                self.non_negative(&field_path(path, "start_ms"), start_ms);
                self.non_negative(&field_path(path, "end_ms"), end_ms);
                if end_ms <= start_ms {
                    self.report(
                        field_path(path, "end_ms"),
                        format!("end_ms ({end_ms}) must be after start_ms ({start_ms}); for an instant change use a step profile"),
                    );
                }
            }
            RateProfile::Step {
                before_rps,
                after_rps,
                at_ms,
            } => {
                self.non_negative(&field_path(path, "before_rps"), before_rps);
                self.non_negative(&field_path(path, "after_rps"), after_rps);
                self.non_negative(&field_path(path, "at_ms"), at_ms);
            }
            RateProfile::Spike {
                base_rps,
                spike_rps,
                start_ms,
                duration_ms,
            } => {
                self.non_negative(&field_path(path, "base_rps"), base_rps);
                self.non_negative(&field_path(path, "spike_rps"), spike_rps);
                self.non_negative(&field_path(path, "start_ms"), start_ms);
                self.positive(&field_path(path, "duration_ms"), duration_ms);
            }
            RateProfile::Sine {
                mean_rps,
                amplitude_rps,
                period_ms,
            } => {
                self.non_negative(&field_path(path, "mean_rps"), mean_rps);
                self.non_negative(&field_path(path, "amplitude_rps"), amplitude_rps);
                self.positive(&field_path(path, "period_ms"), period_ms);
                if period_ms > 0.0 && period_ms < MIN_PERIOD_MS {
                    self.report(
                        field_path(path, "period_ms"),
                        format!(
                            "must be at least {MIN_PERIOD_MS} ms (1 µs), found {}",
                            readable(period_ms)
                        ),
                    );
                }
                if amplitude_rps > mean_rps {
                    self.report(
                        field_path(path, "amplitude_rps"),
                        format!("amplitude_rps ({amplitude_rps}) must not exceed mean_rps ({mean_rps}), or the rate would go negative"),
                    );
                }
            }
        }
    }
}

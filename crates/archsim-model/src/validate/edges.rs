//! Rules of edges: endpoints, per-edge parameters, retries, retry budgets and adaptive throttling, routes' limits.

use super::ids_in_document;
use crate::design::{Edge, EdgeParams, NodeKind, RateLimiterParams, RetryPolicy};
use crate::problem::field_path;
use crate::resilience::{AdaptiveThrottlingParams, RetryBudgetParams};
use std::collections::HashMap;

use super::Checker;

impl Checker<'_> {
    pub(super) fn edges(&mut self) {
        let design = self.design;
        let ids = ids_in_document(
            design.edges.iter().map(|edge| edge.id.as_str()),
            &self.gaps.edge_origin,
            &self.gaps.broken_edge_ids,
        );
        self.unique_ids("edges", "edge", ids);

        // Pair of nodes → document index of the first edge joining them.
        let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
        for (index, edge) in design.edges.iter().enumerate() {
            let path = self.edge_path(index);
            self.endpoint(&path, "from", &edge.from);
            let to_known = self.endpoint(&path, "to", &edge.to);
            if edge.from == edge.to {
                self.report(
                    field_path(&path, "to"),
                    format!(
                        "edge goes from `{}` back to itself; a node cannot call itself",
                        edge.to
                    ),
                );
            } else if let Some(&first) = pairs.get(&(edge.from.as_str(), edge.to.as_str())) {
                self.report(
                    path.clone(),
                    format!(
                        "a second edge from `{}` to `{}` (edges[{first}] already connects them); keep one edge per pair of nodes",
                        edge.from, edge.to
                    ),
                );
            } else {
                pairs.insert(
                    (edge.from.as_str(), edge.to.as_str()),
                    self.gaps.edge_origin[index],
                );
            }
            if to_known && matches!(self.kind_of(&edge.to), Some(NodeKind::Client(_))) {
                self.report(
                    field_path(&path, "to"),
                    format!(
                        "`{}` is a client: clients send requests and cannot receive them",
                        edge.to
                    ),
                );
            }
            self.edge_params(&field_path(&path, "params"), &edge.params);
            if let Some(hedging) = &edge.params.hedging {
                let from = self.kind_of(&edge.from);
                self.hedging(&field_path(&path, "params"), &edge.params, hedging, from);
            }
            if let Some(limit) = &edge.params.rate_limit {
                self.route_rate_limit(&field_path(&path, "params"), edge, limit);
            }
        }
    }

    /// A rate limit on an edge is a per-route limit of an API gateway.
    pub(super) fn route_rate_limit(
        &mut self,
        params: &str,
        edge: &Edge,
        limit: &RateLimiterParams,
    ) {
        let path = field_path(params, "rate_limit");
        match self.kind_of(&edge.from) {
            Some(NodeKind::ApiGateway(_)) | None => {}
            Some(other) => self.report(
                path.clone(),
                format!(
                    "a rate limit on an edge is a per-route limit of an API gateway, but `{}` is a {}; put a rate_limiter node in front of `{}` instead",
                    edge.from,
                    other.name(),
                    edge.to
                ),
            ),
        }
        self.rate_limiter(&path, limit);
    }

    /// Reports an edge end naming no node; true when the node exists (or might).
    pub(super) fn endpoint(&mut self, edge_path: &str, end: &str, id: &str) -> bool {
        if self.may_be_a_node(id) {
            return true;
        }
        self.report(field_path(edge_path, end), format!("no node has id `{id}`"));
        false
    }

    pub(super) fn edge_params(&mut self, path: &str, params: &EdgeParams) {
        self.distribution(&field_path(path, "latency"), &params.latency);
        if let Some(timeout) = params.timeout_ms {
            self.positive(&field_path(path, "timeout_ms"), timeout);
        }
        if let Some(retry) = &params.retry {
            self.retry(&field_path(path, "retry"), retry);
        }
        if let Some(breaker) = &params.circuit_breaker {
            self.breaker(&field_path(path, "circuit_breaker"), breaker);
        }
        if let Some(budget) = &params.retry_budget {
            self.retry_budget(&field_path(path, "retry_budget"), budget, params);
        }
        if let Some(bulkhead) = &params.bulkhead {
            self.at_least_one(
                &field_path(&field_path(path, "bulkhead"), "max_concurrent"),
                bulkhead.max_concurrent.into(),
                "attempts in flight along the edge at once",
            );
        }
        if let Some(throttling) = &params.adaptive_throttling {
            self.adaptive_throttling(&field_path(path, "adaptive_throttling"), throttling);
        }
        self.fraction(
            &field_path(path, "call_probability"),
            params.call_probability,
        );
    }

    pub(super) fn retry(&mut self, path: &str, retry: &RetryPolicy) {
        self.at_least_one(
            &field_path(path, "max_attempts"),
            retry.max_attempts.into(),
            "attempts in all, the first included; 1 means no retry",
        );
        self.non_negative(&field_path(path, "base_ms"), retry.base_ms);
        if !(retry.multiplier.is_finite() && retry.multiplier >= 1.0) {
            self.report(
                field_path(path, "multiplier"),
                format!(
                    "must be a finite number ≥ 1 (back-off never shrinks), found {}",
                    retry.multiplier
                ),
            );
        }
        self.non_negative(&field_path(path, "max_backoff_ms"), retry.max_backoff_ms);
    }

    pub(super) fn retry_budget(
        &mut self,
        path: &str,
        budget: &RetryBudgetParams,
        edge: &EdgeParams,
    ) {
        if edge.hedging.is_none()
            && edge
                .retry
                .as_ref()
                .is_none_or(|retry| retry.max_attempts <= 1)
        {
            self.report(
                path,
                "a retry budget limits retries (and hedges), but this edge makes none: give it a `retry` policy with `max_attempts` above 1 or a `hedging` policy, or remove the budget",
            );
        }
        let ttl = budget.ttl_ms;
        if !(ttl.is_finite() && (1_000.0..=60_000.0).contains(&ttl)) {
            self.report(
                field_path(path, "ttl_ms"),
                format!("must be between 1000 and 60000 ms (how long a call's deposit counts, as Finagle allows), found {ttl}"),
            );
        }
        let percent = budget.percent_can_retry;
        if !(percent.is_finite() && (0.0..=1_000.0).contains(&percent)) {
            self.report(
                field_path(path, "percent_can_retry"),
                format!("must be a number between 0 and 1000 (retries allowed per call made: 0.2 is one retry in five calls), found {percent}"),
            );
        }
        self.at_most(
            &field_path(path, "min_retries_per_sec"),
            budget.min_retries_per_sec.into(),
            1_000_000,
            "retries per second always allowed",
        );
    }

    pub(super) fn adaptive_throttling(
        &mut self,
        path: &str,
        throttling: &AdaptiveThrottlingParams,
    ) {
        let k = throttling.k;
        if !(k.is_finite() && (1.0..=1_000.0).contains(&k)) {
            self.report(
                field_path(path, "k"),
                format!("must be a number between 1 and 1000 (requests sent per request the callee accepts before rejecting locally; below 1 would reject even when everything succeeds), found {k}"),
            );
        }
        let window = throttling.window_ms;
        if !(window.is_finite() && window > 0.0 && window <= 600_000.0) {
            self.report(
                field_path(path, "window_ms"),
                format!("must be more than 0 and at most 600000 ms (ten minutes: the window keeps every request it covers), found {window}"),
            );
        }
    }
}

//! Rules of each node kind's parameters that are not traffic or data: the per-kind dispatch, gateways, balancers, services, load curves and queue disciplines.

use super::{MAX_BALANCE_FACTOR, list_or_none, readable};
use crate::design::{
    BalancerAlgorithm, GatewayParams, LoadBalancerParams, NodeKind, ServiceParams,
};
use crate::discipline::QueueDiscipline;
use crate::health::{HealthCheck, HealthSettings, WithHealth};
use crate::load_curve::LoadCurve;
use crate::problem::{field_path, index_path};
use std::collections::HashMap;

use super::Checker;

impl Checker<'_> {
    pub(super) fn nodes(&mut self) {
        let design = self.design;
        for (index, node) in design.nodes.iter().enumerate() {
            let path = self.node_path(index);
            let params = field_path(&path, "params");
            let outgoing = self.outgoing(&node.id).count();
            match &node.spec {
                NodeKind::Client(client) => {
                    if outgoing == 0 && !self.gaps.edges_missing {
                        self.report(
                            path.clone(),
                            format!("client `{}` has no outgoing edge, so its requests go nowhere; connect it to the node its requests enter", node.id),
                        );
                    }
                    self.client(&params, client);
                }
                NodeKind::ApiGateway(gateway) => {
                    self.needs_downstream(&path, &node.id, outgoing, "api gateway", "requests");
                    self.gateway(&params, &node.id, gateway);
                }
                NodeKind::LoadBalancer(balancer) => {
                    self.needs_downstream(&path, &node.id, outgoing, "load balancer", "requests");
                    self.balancer(&params, &node.id, balancer);
                }
                NodeKind::Service(service) => self.service(&params, service),
                NodeKind::Cache(cache) => {
                    self.needs_downstream(&path, &node.id, outgoing, "cache", "misses");
                    self.cache(&params, cache);
                }
                NodeKind::Queue(queue) => self.queue(&path, &node.id, queue),
                NodeKind::Database(database) => self.database(&params, database),
                NodeKind::RateLimiter(limiter) => {
                    self.needs_downstream(
                        &path,
                        &node.id,
                        outgoing,
                        "rate limiter",
                        "admitted requests",
                    );
                    self.rate_limiter(&params, limiter);
                }
            }
        }
    }

    pub(super) fn needs_downstream(
        &mut self,
        path: &str,
        id: &str,
        outgoing: usize,
        what: &str,
        things: &str,
    ) {
        if outgoing == 0 && !self.gaps.edges_missing {
            self.report(
                path,
                format!("{what} `{id}` has no outgoing edge, so its {things} have nowhere to go; add an edge from it"),
            );
        }
    }

    pub(super) fn gateway(&mut self, path: &str, id: &str, gateway: &GatewayParams) {
        self.distribution(&field_path(path, "overhead"), &gateway.overhead);
        self.health(path, &gateway.health());
        let classes = self.request_classes().clone();
        let targets: Vec<&str> = self
            .design
            .outgoing(id)
            .map(|edge| edge.to.as_str())
            .collect();
        let mut routed: HashMap<&str, usize> = HashMap::new();
        for (index, route) in gateway.routes.iter().enumerate() {
            let route_path = index_path(&field_path(path, "routes"), index);
            // With no client at all, that one problem is reported already; with a node missing,
            // it might be the client sending this class.
            if !classes.is_empty()
                && !self.gaps.nodes_missing
                && !classes.contains(route.class.as_str())
            {
                self.report(
                    field_path(&route_path, "class"),
                    format!(
                        "no client sends request class `{}`; classes sent: {}",
                        route.class,
                        list_or_none(classes.iter().copied())
                    ),
                );
            }
            if let Some(&first) = routed.get(route.class.as_str()) {
                self.report(
                    field_path(&route_path, "class"),
                    format!(
                        "class `{}` is already routed by routes[{first}]",
                        route.class
                    ),
                );
            } else {
                routed.insert(route.class.as_str(), index);
            }
            if !self.gaps.edges_missing && !targets.contains(&route.to.as_str()) {
                self.report(
                    field_path(&route_path, "to"),
                    format!(
                        "`{}` is not at the end of an edge from `{id}`; add that edge or route to one of: {}",
                        route.to,
                        list_or_none(targets.iter().copied())
                    ),
                );
            }
        }
    }

    pub(super) fn balancer(&mut self, path: &str, id: &str, balancer: &LoadBalancerParams) {
        let algorithm = field_path(path, "algorithm");
        match balancer.algorithm {
            BalancerAlgorithm::ConsistentHash { virtual_nodes, .. } => {
                self.virtual_nodes(&algorithm, virtual_nodes, "backend");
            }
            BalancerAlgorithm::BoundedLoadHash {
                virtual_nodes,
                balance_factor,
                ..
            } => {
                self.virtual_nodes(&algorithm, virtual_nodes, "backend");
                let path = field_path(&algorithm, "balance_factor");
                if !(balance_factor.is_finite()
                    && (1.0..=MAX_BALANCE_FACTOR).contains(&balance_factor))
                {
                    self.report(
                        path,
                        format!(
                            "must be between 1 and {MAX_BALANCE_FACTOR} (a backend may take this many times the average load; below 1 the backends could not hold every request), found {balance_factor}"
                        ),
                    );
                }
            }
            BalancerAlgorithm::Maglev { table_size } => {
                self.maglev_table_size(&algorithm, table_size);
            }
            BalancerAlgorithm::WeightedRoundRobin if !self.gaps.edges_missing => {
                let mut outgoing = self.outgoing(id).peekable();
                if outgoing.peek().is_some() && outgoing.all(|edge| edge.params.weight == 0) {
                    self.report(
                        algorithm,
                        "every outgoing edge has weight 0, so no backend could be chosen; give at least one edge a positive weight",
                    );
                }
            }
            BalancerAlgorithm::WeightedRoundRobin
            | BalancerAlgorithm::RoundRobin
            | BalancerAlgorithm::Random
            | BalancerAlgorithm::LeastConnections { .. }
            | BalancerAlgorithm::LeastRequest
            | BalancerAlgorithm::Rendezvous => {}
        }
        self.health(path, &balancer.health());
    }

    /// The health settings of a node with backends (a load balancer's or a gateway's params at
    /// `path`).
    fn health(&mut self, path: &str, health: &HealthSettings) {
        if let HealthCheck::Active(active) = &health.health_check {
            let check = field_path(path, "health_check");
            self.positive(&field_path(&check, "interval_ms"), active.interval_ms);
            self.positive(&field_path(&check, "timeout_ms"), active.timeout_ms);
            self.at_least_one(
                &field_path(&check, "unhealthy_threshold"),
                active.unhealthy_threshold.into(),
                "failed probes in a row that mark a backend down",
            );
            self.at_least_one(
                &field_path(&check, "healthy_threshold"),
                active.healthy_threshold.into(),
                "passed probes in a row that bring a backend back",
            );
        }
        if let Some(outlier) = &health.outlier_detection {
            let od = field_path(path, "outlier_detection");
            self.at_least_one(
                &field_path(&od, "consecutive_errors"),
                outlier.consecutive_errors.into(),
                "failed replies in a row that eject a backend",
            );
            self.positive(&field_path(&od, "interval_ms"), outlier.interval_ms);
            self.positive(
                &field_path(&od, "base_ejection_ms"),
                outlier.base_ejection_ms,
            );
            self.positive(&field_path(&od, "max_ejection_ms"), outlier.max_ejection_ms);
            if outlier.max_ejection_ms.is_finite()
                && outlier.base_ejection_ms.is_finite()
                && outlier.max_ejection_ms < outlier.base_ejection_ms
            {
                self.report(
                    field_path(&od, "max_ejection_ms"),
                    format!(
                        "must be at least base_ejection_ms ({}), as in Envoy; found {}",
                        readable(outlier.base_ejection_ms),
                        readable(outlier.max_ejection_ms)
                    ),
                );
            }
            self.percentage(
                &field_path(&od, "max_ejection_percent"),
                outlier.max_ejection_percent,
            );
        }
        self.percentage(
            &field_path(path, "panic_threshold_percent"),
            health.panic_threshold_percent,
        );
    }

    pub(super) fn percentage(&mut self, path: &str, value: f64) {
        if !(0.0..=100.0).contains(&value) {
            self.report(
                path,
                format!(
                    "must be a percentage between 0 and 100, found {}",
                    readable(value)
                ),
            );
        }
    }

    pub(super) fn service(&mut self, path: &str, service: &ServiceParams) {
        self.at_least_one(
            &field_path(path, "workers"),
            service.workers.into(),
            "requests served at once",
        );
        self.distribution(&field_path(path, "service_time"), &service.service_time);
        self.fraction(&field_path(path, "error_rate"), service.error_rate);
        if let Some(slowdown) = &service.slowdown {
            let slowdown_path = field_path(path, "slowdown");
            if !(slowdown.knee >= 0.0 && slowdown.knee < 1.0) {
                self.report(
                    field_path(&slowdown_path, "knee"),
                    format!("must be a utilisation in [0, 1), found {}", slowdown.knee),
                );
            }
            self.non_negative(&field_path(&slowdown_path, "factor"), slowdown.factor);
        }
        if let Some(scaling) = &service.autoscaling {
            self.autoscaling(&field_path(path, "autoscaling"), scaling);
        }
        if let Some(discovery) = &service.discovery {
            self.discovery(path, discovery, service.autoscaling.is_some());
        }
        self.queue_discipline(
            &field_path(path, "queue_discipline"),
            &service.queue_discipline,
        );
        if let Some(curve) = &service.load_curve {
            let curve_path = field_path(path, "load_curve");
            if service.slowdown.is_some() {
                self.report(
                    curve_path.clone(),
                    "a service takes either `slowdown` (the linear knee) or `load_curve`, not both: remove one",
                );
            }
            self.load_curve(&curve_path, curve);
        }
    }

    pub(super) fn load_curve(&mut self, path: &str, curve: &LoadCurve) {
        match *curve {
            LoadCurve::Knee { knee, factor } => {
                if !(0.0..1.0).contains(&knee) {
                    self.report(
                        field_path(path, "knee"),
                        format!("must be a utilisation in [0, 1), found {knee}"),
                    );
                }
                self.non_negative(&field_path(path, "factor"), factor);
            }
            LoadCurve::Exponential { k } => {
                if !(k.is_finite() && (0.0..=20.0).contains(&k)) {
                    self.report(
                        field_path(path, "k"),
                        format!("must be between 0 and 20 (e^20 is already 500 million times slower), found {k}"),
                    );
                }
            }
            LoadCurve::Polynomial { a, b } => {
                self.non_negative(&field_path(path, "a"), a);
                if !(b.is_finite() && b > 0.0 && b <= 100.0) {
                    self.report(
                        field_path(path, "b"),
                        format!("must be more than 0 and at most 100 (the power of the utilisation), found {b}"),
                    );
                }
            }
        }
    }

    pub(super) fn queue_discipline(&mut self, path: &str, discipline: &QueueDiscipline) {
        match discipline {
            QueueDiscipline::Fifo | QueueDiscipline::Lifo => {}
            QueueDiscipline::AdaptiveLifo { threshold } => self.at_least_one(
                &field_path(path, "threshold"),
                (*threshold).into(),
                "requests waiting above which the newest is served first",
            ),
            QueueDiscipline::Codel {
                target_ms,
                interval_ms,
            } => {
                self.positive(&field_path(path, "target_ms"), *target_ms);
                self.positive(&field_path(path, "interval_ms"), *interval_ms);
                if target_ms.is_finite() && interval_ms.is_finite() && target_ms >= interval_ms {
                    self.report(
                        field_path(path, "target_ms"),
                        format!(
                            "must be shorter than `interval_ms` ({interval_ms} ms): CoDel drops when the waiting time stays above the target for a whole interval, found {target_ms}"
                        ),
                    );
                }
            }
            QueueDiscipline::Priority { classes } => {
                let known = self.request_classes().clone();
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for (index, class) in classes.iter().enumerate() {
                    let class_path = index_path(&field_path(path, "classes"), index);
                    if let Some(first) = seen.insert(class.as_str(), index) {
                        self.report(
                            class_path,
                            format!("class `{class}` is already listed at classes[{first}]"),
                        );
                    } else if !known.is_empty()
                        && !self.gaps.nodes_missing
                        && !known.contains(class.as_str())
                    {
                        self.report(
                            class_path,
                            format!(
                                "no client sends request class `{class}`; classes sent: {}",
                                list_or_none(known.iter().copied())
                            ),
                        );
                    }
                }
            }
        }
    }
}

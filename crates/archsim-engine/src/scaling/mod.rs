//! Autoscaling: the Kubernetes HPA rule (`hpa`) and an autoscaled group of instances that it
//! sizes (`group`), which a service node embeds when its design asks for one, and the
//! registry its callers learn of the instances through (`registry`).

pub(crate) mod group;
pub(crate) mod hpa;
pub(crate) mod keda;
pub(crate) mod registry;

//! Autoscaling: the Kubernetes HPA rule (`hpa`) and an autoscaled group of instances that it
//! sizes (`group`), which a service node embeds when its design asks for one.

pub(crate) mod group;
pub(crate) mod hpa;

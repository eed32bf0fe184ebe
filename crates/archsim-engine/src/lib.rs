//! archsim engine: a deterministic discrete-event simulation of archsim designs (in progress).
pub mod policy;
pub mod rng;
pub mod time;

//! **Maglev** (Envoy's `maglev` load balancer): a lookup table of prime size over the
//! candidate backends, each named by its node id (see [`crate::policy::maglev`]); a key goes to
//! `table[hash mod size]`. As in Envoy the table covers only the backends that can be chosen
//! (healthy, weight > 0, weights shared out in proportion) and is rebuilt when that set
//! changes, so a backend going down moves its keys and only a few others. O(1) per pick.

use super::{Backends, Pick};
use crate::policy::hash::key_hash;
use crate::policy::maglev::{MaglevMember, MaglevTable};
use crate::rng::SimRng;

#[derive(Debug, Clone)]
pub struct Maglev {
    names: Vec<String>,
    table_size: u32,
    table: MaglevTable,
    /// The candidate set the table was built for (index = backend).
    built_for: Vec<bool>,
    /// Reused for the current candidate set, so picks don't allocate.
    current: Vec<bool>,
}

impl Maglev {
    pub fn new(names: &[String], table_size: u32) -> Maglev {
        Maglev {
            names: names.to_vec(),
            table_size,
            table: MaglevTable::new(&[], table_size),
            built_for: Vec::new(),
            current: Vec::new(),
        }
    }

    fn rebuild(&mut self, backends: &Backends<'_>) {
        let members: Vec<MaglevMember<'_>> = (0..backends.count())
            .filter(|&index| self.current[index as usize])
            .map(|index| MaglevMember {
                index,
                name: self.names.get(index as usize).map_or("", String::as_str),
                weight: backends.weight(index),
            })
            .collect();
        self.table = MaglevTable::new(&members, self.table_size);
        self.built_for.clone_from(&self.current);
    }
}

impl Pick for Maglev {
    fn pick(&mut self, key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        self.current.clear();
        self.current
            .extend((0..backends.count()).map(|index| backends.is_candidate(index)));
        if self.current != self.built_for {
            self.rebuild(backends);
        }
        self.table.owner(key_hash(key))
    }

    fn reads_keys(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::tests::{all_up, rng};
    use super::super::{BackendView, Balancer};

    fn owners(balancer: &mut Balancer, views: &[BackendView]) -> Vec<u32> {
        let mut rng = rng();
        (0..20_000)
            .map(|key| balancer.pick(key, views, &mut rng).unwrap())
            .collect()
    }

    #[test]
    fn maglev_balancer_spreads_evenly_and_rebuilds_without_a_down_backend() {
        let maglev = BalancerAlgorithm::Maglev { table_size: 65_537 };
        let mut balancer = Balancer::new(&maglev, &[1; 5]);
        let mut views = all_up(5);
        let before = owners(&mut balancer, &views);
        let mut counts = [0u32; 5];
        for &b in &before {
            counts[b as usize] += 1;
        }
        // Table shares are equal (±1 entry); keys are binomial around 4000 (σ ≈ 57).
        for c in counts {
            assert!((3_700..4_300).contains(&c), "{counts:?}");
        }
        views[1].healthy = false;
        let during = owners(&mut balancer, &views);
        assert!(during.iter().all(|&b| b != 1));
        let kept = (0..20_000)
            .filter(|&k| before[k] != 1 && before[k] == during[k])
            .count();
        let others = before.iter().filter(|&&b| b != 1).count();
        // Maglev keeps nearly every key of the backends that stayed (the paper's ~1–2% churn).
        assert!(
            kept as f64 > 0.95 * others as f64,
            "kept {kept} of {others}"
        );
        views[1].healthy = true;
        assert_eq!(
            owners(&mut balancer, &views),
            before,
            "the table is the same again"
        );
    }
}

//! Cache (cache-aside): every request spends `hit_time` on the lookup. A read that hits is
//! answered; a read that misses goes to the downstream (outgoing edges in round-robin order)
//! and, when that succeeds, the key is stored. A write invalidates the key and goes to the
//! downstream; with write-through, a successful write stores the key again. A cache with no
//! outgoing edge stores misses at once and answers them (a pure in-memory store).
//!
//! Keys, eviction and TTL are `policy::eviction`'s `CacheStore`. A crash empties the cache: it
//! comes back cold, and its misses land on the downstream all at once, as after a real restart.

use archsim_model::design::{CacheParams, WritePolicy};

use crate::distribution::Dist;
use crate::metrics::{Outcome, extra};
use crate::policy::eviction::{CacheStore, Lookup};
use crate::sim::{Event, JobState, Sim};
use crate::slab::Handle;
use crate::time::from_ms;

use super::NodeModel;

pub(crate) struct CacheModel {
    pub store: CacheStore,
    pub hit_time: Dist,
    pub write_through: bool,
    params: CacheParams,
    /// Evictions and expirations counted by stores lost in crashes (counters never go back).
    evictions_before: u64,
    expirations_before: u64,
}

impl CacheModel {
    pub fn new(p: &CacheParams) -> CacheModel {
        CacheModel {
            store: Self::empty_store(p),
            hit_time: Dist::new(&p.hit_time),
            write_through: p.write_policy == WritePolicy::WriteThrough,
            params: p.clone(),
            evictions_before: 0,
            expirations_before: 0,
        }
    }

    fn empty_store(p: &CacheParams) -> CacheStore {
        CacheStore::new(p.capacity, p.eviction, p.ttl_ms.map(from_ms))
    }

    pub fn evictions(&self) -> u64 {
        self.evictions_before + self.store.evictions()
    }

    pub fn expirations(&self) -> u64 {
        self.expirations_before + self.store.expirations()
    }

    /// The process died: its memory is gone.
    pub fn lose_contents(&mut self) {
        self.evictions_before = self.evictions();
        self.expirations_before = self.expirations();
        self.store = Self::empty_store(&self.params);
    }
}

impl Sim {
    pub(crate) fn cache_accept(&mut self, job: Handle, n: usize) {
        let NodeModel::Cache(c) = &self.nodes[n].model else {
            unreachable!()
        };
        let dist = c.hit_time;
        self.jobs.get_mut(job).expect("live").state = JobState::Serving;
        let base = dist.sample(&mut self.nodes[n].rng);
        let factor = self.nodes[n].fault.slowdown;
        let delay = self.stretched(n, base, factor);
        self.schedule(delay, Event::Done { job });
    }

    pub(crate) fn cache_done(&mut self, job: Handle, n: usize) {
        if self.draws_error(n, 0.0) {
            self.finish(job, Outcome::Error);
            return;
        }
        let now = self.now;
        let (key, write) = {
            let j = self.jobs.get(job).expect("live");
            (j.key, j.write)
        };
        let extra_base = self.nodes[n].extra;
        let has_downstream = !self.nodes[n].out.is_empty();
        let NodeModel::Cache(c) = &mut self.nodes[n].model else {
            unreachable!()
        };
        if write {
            c.store.invalidate(key);
        } else {
            match c.store.get(key, now) {
                Lookup::Hit => {
                    self.recorder.incr(extra_base + extra::CACHE_HITS);
                    self.finish(job, Outcome::Success);
                    return;
                }
                Lookup::Miss | Lookup::Expired => {
                    let expirations = c.expirations();
                    self.recorder.incr(extra_base + extra::CACHE_MISSES);
                    self.recorder
                        .set(extra_base + extra::CACHE_EXPIRATIONS, expirations);
                }
            }
        }
        if !has_downstream {
            self.cache_fill(n, key, write);
            self.finish(job, Outcome::Success);
            return;
        }
        let len = self.nodes[n].out.len() as u32;
        let i = self.round_robin(n, len);
        let edge = self.nodes[n].out[i as usize];
        self.jobs.get_mut(job).expect("live").state = JobState::Calling;
        self.start_call(job, edge);
    }

    /// Stores the key after a filled miss (reads) or a write-through write.
    fn cache_fill(&mut self, n: usize, key: u64, write: bool) {
        let now = self.now;
        let extra_base = self.nodes[n].extra;
        let node = &mut self.nodes[n];
        let NodeModel::Cache(c) = &mut node.model else {
            unreachable!()
        };
        if !write || c.write_through {
            c.store.insert(key, now, &mut node.rng);
            let evictions = c.evictions();
            self.recorder
                .set(extra_base + extra::CACHE_EVICTIONS, evictions);
        }
    }

    pub(crate) fn cache_call_done(&mut self, job: Handle, n: usize, outcome: Outcome, here: bool) {
        if outcome.is_success() {
            let (key, write) = {
                let j = self.jobs.get(job).expect("live");
                (j.key, j.write)
            };
            self.cache_fill(n, key, write);
        }
        self.pass_on(job, outcome, here);
    }
}

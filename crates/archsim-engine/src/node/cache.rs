//! Cache (cache-aside): every request spends `hit_time` on the lookup. A read that hits is
//! answered; a read that misses goes to the downstream (outgoing edges in round-robin order)
//! and, when that succeeds, the key is stored. A cache with no outgoing edge stores misses at
//! once and answers them (a pure in-memory store).
//!
//! With a `load_curve`, the lookup time is multiplied by the curve at `u` = requests in the
//! cache (this one included, misses waiting on the downstream too) / `concurrency`.
//!
//! Writes, by `write_policy`: *invalidate* deletes the key and passes the write on;
//! *write-through* passes it on and stores the key once it succeeded; *write-back* stores the
//! key and answers at once, flushing the write downstream `write_back_delay_ms` later — one
//! flush per key however many writes arrive before it (they are coalesced). A write-back write
//! stays at the cache until its flush is over (as a queue's message does), so the cache's
//! residence figures include the delay. A crash loses every write not yet flushed: the write
//! waiting for the flush fails as `node_down`, and all the writes it carried are counted lost.
//!
//! With `coalesce_misses` (single-flight), a read that misses while another read of the same
//! key is already on its way downstream does not call again: it waits for that one and gets
//! its outcome. A stampede of misses on one hot key then costs the downstream one request.
//!
//! Keys, eviction and TTL are `policy::eviction`'s `CacheStore` (TTL from the write, or from
//! the last access with `ttl_refresh_on_access`). A crash empties the cache: it comes back
//! cold, and its misses land on the downstream all at once, as after a real restart.

use std::collections::{HashMap, VecDeque};

use archsim_model::design::{CacheParams, FaultEffect, WritePolicy};
use archsim_model::report::{CacheReport, NodeReport, NodeSeries, WriteBackReport};

use crate::core::CallOver;
use crate::distribution::Dist;
use crate::metrics::{Outcome, estimate, extra, ratio};
use crate::policy::eviction::{CacheStore, Lookup};
use crate::policy::hash::FixedState;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use super::{Behaviour, KindFigures, NodeCtx};

pub(crate) struct CacheModel {
    store: CacheStore,
    hit_time: Dist,
    write_policy: WritePolicy,
    coalesce_misses: bool,
    write_back_delay: SimTime,
    params: CacheParams,
    /// Single-flight: per key with a read miss on its way downstream, the reads waiting for
    /// it. Looked up by key only, never iterated.
    in_flight_misses: HashMap<u64, Vec<Handle>, FixedState>,
    /// Write-back: per dirty key, the write job that will carry its flush and how many writes
    /// it carries. Never iterated in an order that matters (only summed).
    dirty: HashMap<u64, Dirty, FixedState>,
    /// Flushes due, in time order (the delay is constant), with the dirty entry's generation.
    flushes: VecDeque<(SimTime, u64, u64)>,
    generation: u64,
    /// Writes lost in crashes so far (a cumulative counter).
    lost_writes: u64,
    /// Evictions and expirations counted by stores lost in crashes (counters never go back).
    evictions_before: u64,
    expirations_before: u64,
}

#[derive(Debug, Clone, Copy)]
struct Dirty {
    job: Handle,
    writes: u64,
    generation: u64,
}

impl CacheModel {
    pub fn new(p: &CacheParams) -> CacheModel {
        CacheModel {
            store: Self::empty_store(p),
            hit_time: Dist::new(&p.hit_time),
            write_policy: p.write_policy,
            coalesce_misses: p.coalesce_misses,
            write_back_delay: from_ms(p.write_back_delay_ms),
            params: p.clone(),
            in_flight_misses: HashMap::default(),
            dirty: HashMap::default(),
            flushes: VecDeque::new(),
            generation: 0,
            lost_writes: 0,
            evictions_before: 0,
            expirations_before: 0,
        }
    }

    fn empty_store(p: &CacheParams) -> CacheStore {
        CacheStore::new(p.capacity, p.eviction, p.ttl_ms.map(from_ms))
            .with_refresh_on_access(p.ttl_refresh_on_access)
    }

    fn evictions(&self) -> u64 {
        self.evictions_before + self.store.evictions()
    }

    fn expirations(&self) -> u64 {
        self.expirations_before + self.store.expirations()
    }

    /// Stores the key (a filled miss, a written-through or written-back write).
    fn fill(ctx: &mut NodeCtx<'_, Self>, key: u64) {
        let now = ctx.now();
        let (cache, rng) = ctx.model_and_rng();
        cache.store.insert(key, now, rng);
        let evictions = cache.evictions();
        ctx.set_count(extra::CACHE_EVICTIONS, evictions);
    }

    /// Write-back: the write is stored and answered; its flush is scheduled, or it joins the
    /// flush already pending for its key.
    fn write_back(ctx: &mut NodeCtx<'_, Self>, job: Handle, key: u64) {
        Self::fill(ctx, key);
        let now = ctx.now();
        let cache = &mut *ctx.model;
        if let Some(dirty) = cache.dirty.get_mut(&key) {
            dirty.writes += 1;
            ctx.count(extra::CACHE_WRITES_COALESCED);
            ctx.finish(job, Outcome::Success);
            return;
        }
        cache.generation += 1;
        let generation = cache.generation;
        cache.dirty.insert(
            key,
            Dirty {
                job,
                writes: 1,
                generation,
            },
        );
        let due = now.saturating_add(cache.write_back_delay);
        cache.flushes.push_back((due, key, generation));
        ctx.acknowledge(job);
        ctx.set_timer_at(due, FLUSH);
    }

    /// Sends the next due flush downstream.
    fn flush_due(ctx: &mut NodeCtx<'_, Self>) {
        let now = ctx.now();
        while let Some(&(due, key, generation)) = ctx.model.flushes.front() {
            if due > now {
                break;
            }
            ctx.model.flushes.pop_front();
            let Some(dirty) = ctx.model.dirty.get(&key).copied() else {
                continue; // lost in a crash
            };
            if dirty.generation != generation {
                continue;
            }
            ctx.model.dirty.remove(&key);
            ctx.count(extra::CACHE_FLUSHES);
            if ctx.out_len() == 0 {
                ctx.finish(dirty.job, Outcome::Success);
            } else {
                let i = ctx.round_robin(ctx.out_len());
                let edge = ctx.out_edge(i);
                ctx.call(dirty.job, edge);
            }
        }
    }
}

/// Timer tag of a write-back flush.
const FLUSH: u32 = 1;

impl Behaviour for CacheModel {
    type Data = ();

    /// Every request spends the lookup time first.
    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let dist = ctx.model.hit_time;
        let base = dist.sample(ctx.rng());
        let mut factor = ctx.fault_slowdown();
        if let Some(curve) = ctx.model.params.load_curve {
            // Requests in the cache now, this one included, against its concurrency.
            let u = ctx.in_flight() as f64 / ctx.model.params.concurrency.max(1) as f64;
            factor *= curve.factor(u);
        }
        let delay = ctx.processing_time(base, factor);
        ctx.work_for(job, delay);
    }

    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.draws_error(0.0) {
            ctx.finish(job, Outcome::Error);
            return;
        }
        let now = ctx.now();
        let request = ctx.request(job);
        let (key, write) = (request.key, request.write);
        if write {
            match ctx.model.write_policy {
                WritePolicy::WriteBack => {
                    Self::write_back(ctx, job, key);
                    return;
                }
                WritePolicy::Invalidate => {
                    ctx.model.store.invalidate(key);
                }
                WritePolicy::WriteThrough => {}
            }
        } else {
            match ctx.model.store.get(key, now) {
                Lookup::Hit => {
                    ctx.count(extra::CACHE_HITS);
                    ctx.finish(job, Outcome::Success);
                    return;
                }
                Lookup::Miss | Lookup::Expired => {
                    let expirations = ctx.model.expirations();
                    ctx.count(extra::CACHE_MISSES);
                    ctx.set_count(extra::CACHE_EXPIRATIONS, expirations);
                }
            }
        }
        let len = ctx.out_len();
        if len == 0 {
            if !write || ctx.model.write_policy == WritePolicy::WriteThrough {
                Self::fill(ctx, key);
            }
            ctx.finish(job, Outcome::Success);
            return;
        }
        if !write && ctx.model.coalesce_misses {
            if let Some(waiting) = ctx.model.in_flight_misses.get_mut(&key) {
                waiting.push(job);
                ctx.count(extra::CACHE_COALESCED);
                return;
            }
            ctx.model.in_flight_misses.insert(key, Vec::new());
        }
        let i = ctx.round_robin(len);
        let edge = ctx.out_edge(i);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let request = ctx.request(job);
        let fills = match (request.write, ctx.model.write_policy) {
            (false, _) => true,
            (true, WritePolicy::WriteThrough) => true,
            // A flush's key is already stored; an invalidating write leaves it out.
            (true, WritePolicy::WriteBack | WritePolicy::Invalidate) => false,
        };
        if over.outcome.is_success() && fills {
            Self::fill(ctx, request.key);
        }
        let waiting = if request.write {
            None
        } else {
            ctx.model.in_flight_misses.remove(&request.key)
        };
        ctx.pass_on(job, over.outcome, over.here);
        // The reads that waited get the leader's outcome (a failure counted where it arose).
        for follower in waiting.into_iter().flatten() {
            if over.outcome.is_success() {
                ctx.finish(follower, Outcome::Success);
            } else {
                ctx.pass_on(follower, over.outcome, false);
            }
        }
    }

    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        if tag == FLUSH {
            Self::flush_due(ctx);
        }
    }

    fn reads_keys(&self) -> bool {
        true
    }

    /// The process died: its memory is gone, unflushed writes included (the engine fails the
    /// jobs held here; this counts the writes they carried).
    fn crashed(&mut self) {
        self.evictions_before = self.evictions();
        self.expirations_before = self.expirations();
        self.store = Self::empty_store(&self.params);
        self.lost_writes += self.dirty.values().map(|d| d.writes).sum::<u64>();
        self.dirty.clear();
        self.flushes.clear();
        self.in_flight_misses.clear();
    }

    /// A cache flush empties the store (what it had evicted and expired stays counted); the
    /// cache stays up, its pending write-backs and misses in flight carry on.
    fn fault(&mut self, effect: &FaultEffect, start: bool, now: SimTime) -> u64 {
        if !(start && matches!(effect, FaultEffect::CacheFlush)) {
            return 0;
        }
        let flushed = self.store.live(now);
        self.evictions_before = self.evictions();
        self.expirations_before = self.expirations();
        self.store = Self::empty_store(&self.params);
        flushed
    }

    fn crash_loss(&self) -> Option<(u32, u64)> {
        Some((extra::CACHE_LOST_WRITES, self.lost_writes))
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let hits = (figures.extra)(extra::CACHE_HITS) as f64;
        let misses = (figures.extra)(extra::CACHE_MISSES) as f64;
        let count = |i: u32| estimate((figures.extra)(i) as f64);
        report.cache = Some(CacheReport {
            hits: estimate(hits),
            misses: estimate(misses),
            hit_ratio: estimate(ratio(hits, hits + misses)),
            evictions: count(extra::CACHE_EVICTIONS),
            expirations: count(extra::CACHE_EXPIRATIONS),
            coalesced: count(extra::CACHE_COALESCED),
            write_back: (self.write_policy == WritePolicy::WriteBack).then(|| WriteBackReport {
                flushes: count(extra::CACHE_FLUSHES),
                coalesced_writes: count(extra::CACHE_WRITES_COALESCED),
                lost_writes: count(extra::CACHE_LOST_WRITES),
            }),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        let hits = (figures.extra)(extra::CACHE_HITS) as f64;
        let misses = (figures.extra)(extra::CACHE_MISSES) as f64;
        series.hit_ratio.push(ratio(hits, hits + misses));
    }
}

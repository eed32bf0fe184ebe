//! Cache (cache-aside): every request spends `hit_time` on the lookup. A read that hits is
//! answered; a read that misses goes to the downstream (outgoing edges in round-robin order)
//! and, when that succeeds, the key is stored. A write invalidates the key and goes to the
//! downstream; with write-through, a successful write stores the key again. A cache with no
//! outgoing edge stores misses at once and answers them (a pure in-memory store).
//!
//! With a `load_curve`, the lookup time is multiplied by the curve at `u` = requests in the
//! cache (this one included, misses waiting on the downstream too) / `concurrency`.
//!
//! Keys, eviction and TTL are `policy::eviction`'s `CacheStore`. A crash empties the cache: it
//! comes back cold, and its misses land on the downstream all at once, as after a real restart.

use archsim_model::design::{CacheParams, WritePolicy};
use archsim_model::report::{CacheReport, NodeReport, NodeSeries};

use crate::core::CallOver;
use crate::distribution::Dist;
use crate::metrics::{Outcome, estimate, extra, ratio};
use crate::policy::eviction::{CacheStore, Lookup};
use crate::slab::Handle;
use crate::time::from_ms;

use super::{Behaviour, KindFigures, NodeCtx};

pub(crate) struct CacheModel {
    store: CacheStore,
    hit_time: Dist,
    write_through: bool,
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

    fn evictions(&self) -> u64 {
        self.evictions_before + self.store.evictions()
    }

    fn expirations(&self) -> u64 {
        self.expirations_before + self.store.expirations()
    }

    /// Stores the key after a filled miss (reads) or a write-through write.
    fn fill(ctx: &mut NodeCtx<'_, Self>, key: u64, write: bool) {
        let now = ctx.now();
        let (cache, rng) = ctx.model_and_rng();
        if !write || cache.write_through {
            cache.store.insert(key, now, rng);
            let evictions = cache.evictions();
            ctx.set_count(extra::CACHE_EVICTIONS, evictions);
        }
    }
}

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
            ctx.model.store.invalidate(key);
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
            Self::fill(ctx, key, write);
            ctx.finish(job, Outcome::Success);
            return;
        }
        let i = ctx.round_robin(len);
        let edge = ctx.out_edge(i);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        if over.outcome.is_success() {
            let request = ctx.request(job);
            Self::fill(ctx, request.key, request.write);
        }
        ctx.pass_on(job, over.outcome, over.here);
    }

    fn reads_keys(&self) -> bool {
        true
    }

    /// The process died: its memory is gone.
    fn crashed(&mut self) {
        self.evictions_before = self.evictions();
        self.expirations_before = self.expirations();
        self.store = Self::empty_store(&self.params);
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let hits = (figures.extra)(extra::CACHE_HITS) as f64;
        let misses = (figures.extra)(extra::CACHE_MISSES) as f64;
        report.cache = Some(CacheReport {
            hits: estimate(hits),
            misses: estimate(misses),
            hit_ratio: estimate(ratio(hits, hits + misses)),
            evictions: estimate((figures.extra)(extra::CACHE_EVICTIONS) as f64),
            expirations: estimate((figures.extra)(extra::CACHE_EXPIRATIONS) as f64),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        let hits = (figures.extra)(extra::CACHE_HITS) as f64;
        let misses = (figures.extra)(extra::CACHE_MISSES) as f64;
        series.hit_ratio.push(ratio(hits, hits + misses));
    }
}

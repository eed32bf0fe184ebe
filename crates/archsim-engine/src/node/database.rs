//! Database: keys map to shards (`policy::sharding`); each shard is a primary plus
//! `replicas_per_shard` replicas, each with `connections` workers and a wait queue of
//! `queue_capacity`. Writes go to the primary; reads go where `reads_from` says, spread over the
//! eligible members in round-robin order per shard.
//!
//! Replication lag: a write is applied on the replicas `replication_lag_ms` after it completes
//! on the primary. A read served by a replica is *stale* when the last write to its key
//! completed less than the lag ago. Only the last write time per key is kept, so memory is
//! bounded by the number of keys written, not by the number of requests.

use std::collections::HashMap;

use archsim_model::design::{DatabaseParams, ReadPreference};
use archsim_model::report::{DatabaseReport, NodeReport, NodeSeries};

use crate::core::{CallOver, Station};
use crate::distribution::Dist;
use crate::metrics::{Outcome, estimate, extra};
use crate::policy::hash::FixedState;
use crate::policy::sharding::ShardMap;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use super::{Behaviour, KindFigures, NodeCtx};

/// Shard `s` is served by stations `s·(1+r) .. (s+1)·(1+r)`, its primary first.
pub(crate) struct DatabaseModel {
    shard_map: ShardMap,
    replicas: u32,
    reads_from: ReadPreference,
    read_time: Dist,
    write_time: Dist,
    /// Query times grow with the member's busy fraction of connections.
    curve: Option<archsim_model::design::LoadCurve>,
    lag: SimTime,
    last_write: Vec<HashMap<u64, SimTime, FixedState>>,
    rr: Vec<u32>,
}

impl DatabaseModel {
    pub fn new(p: &DatabaseParams, key_space: u64, id: &str) -> DatabaseModel {
        let shard_map = ShardMap::new(&p.sharding, p.shards, key_space, id);
        let shards = shard_map.shards();
        DatabaseModel {
            shard_map,
            replicas: p.replicas_per_shard,
            reads_from: p.reads_from,
            read_time: Dist::new(&p.read_time),
            curve: p.load_curve,
            write_time: Dist::new(&p.write_time),
            lag: from_ms(p.replication_lag_ms),
            last_write: (0..shards).map(|_| HashMap::default()).collect(),
            rr: vec![0; shards as usize],
        }
    }

    /// One station per primary and replica, shard by shard.
    pub fn stations(&self, p: &DatabaseParams) -> Vec<Station> {
        let members = self.shards() * (1 + self.replicas);
        (0..members)
            .map(|_| Station::new(p.connections, p.queue_capacity as u64))
            .collect()
    }

    pub fn shards(&self) -> u32 {
        self.shard_map.shards()
    }

    /// The member (station) that serves this query.
    fn member_for(&mut self, shard: u32, write: bool) -> u32 {
        let per_shard = 1 + self.replicas;
        let primary = shard * per_shard;
        if write {
            return primary;
        }
        let rr = &mut self.rr[shard as usize];
        let pick = match self.reads_from {
            ReadPreference::Primary => return primary,
            ReadPreference::Replicas if self.replicas == 0 => return primary,
            ReadPreference::Replicas => primary + 1 + *rr % self.replicas,
            ReadPreference::Any => primary + *rr % per_shard,
        };
        *rr = rr.wrapping_add(1);
        pick
    }
}

impl Behaviour for DatabaseModel {
    type Data = ();

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let request = ctx.request(job);
        let db = &mut *ctx.model;
        let shard = db.shard_map.shard_of(request.key);
        let member = db.member_for(shard, request.write);
        let on_replica = !member.is_multiple_of(1 + db.replicas);
        ctx.count(extra::DB_SHARD_QUERIES + shard);
        if on_replica {
            ctx.count(extra::DB_REPLICA_READS);
        }
        ctx.admit(job, member);
    }

    fn begin_work(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let write = ctx.request(job).write;
        let dist = if write {
            ctx.model.write_time
        } else {
            ctx.model.read_time
        };
        let base = dist.sample(ctx.rng());
        let mut factor = ctx.fault_slowdown();
        if let Some(curve) = ctx.model.curve {
            // The member's busy fraction, this query's connection included.
            let station = ctx.station(ctx.station_of(job));
            factor *= curve.factor(station.busy as f64 / station.workers.max(1) as f64);
        }
        let duration = ctx.processing_time(base, factor);
        ctx.worker_busy_for(job, duration);
    }

    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.draws_error(0.0) {
            ctx.finish(job, Outcome::Error);
            return;
        }
        let now = ctx.now();
        let request = ctx.request(job);
        let station = ctx.station_of(job);
        let db = &mut *ctx.model;
        let per_shard = 1 + db.replicas;
        let shard = (station / per_shard) as usize;
        if request.write {
            db.last_write[shard].insert(request.key, now);
        } else if !station.is_multiple_of(per_shard)
            && db.last_write[shard]
                .get(&request.key)
                .is_some_and(|&t| now - t < db.lag)
        {
            ctx.count(extra::DB_STALE_READS);
        }
        ctx.finish(job, Outcome::Success);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        ctx.pass_on(job, over.outcome, over.here);
    }

    fn reads_keys(&self) -> bool {
        true
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let count = |i: u32| estimate((figures.extra)(i) as f64);
        report.database = Some(DatabaseReport {
            shard_queries: (0..self.shards())
                .map(|s| count(extra::DB_SHARD_QUERIES + s))
                .collect(),
            reads_on_replicas: count(extra::DB_REPLICA_READS),
            stale_reads: count(extra::DB_STALE_READS),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        let shards = self.shards() as usize;
        series.shard_queries.resize_with(shards, Vec::new);
        for (shard, bucket) in series.shard_queries.iter_mut().enumerate() {
            bucket.push((figures.extra)(extra::DB_SHARD_QUERIES + shard as u32));
        }
    }
}

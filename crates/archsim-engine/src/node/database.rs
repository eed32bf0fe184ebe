//! Database: keys map to shards (`policy::sharding`); each shard is a primary plus
//! `replicas_per_shard` replicas, each with `connections` workers and a wait queue of
//! `queue_capacity`. Writes go to the primary; reads go where `reads_from` says, spread over the
//! eligible members in round-robin order per shard.
//!
//! Replication lag: a write is applied on the replicas `replication_lag_ms` after it completes
//! on the primary. A read served by a replica is *stale* when the last write to its key
//! completed less than the lag ago. Only the last write time per key is kept, so memory is
//! bounded by the number of keys written, not by the number of requests.
//!
//! Resharding (a `reshard` fault): at its start the database goes to the new shard count and
//! its keys start moving; at its end the move is complete. In between, the first query of a
//! key whose shard changed pays for the move: it also reads the key from the old shard (one
//! more read time, a miss-like slower query), and the key is then in place. Stations exist for
//! the most shards the database ever has; a shard removed by a reshard just stops getting
//! queries. The fraction of keys that moved is counted exactly over the clients' key space.

use std::collections::{HashMap, HashSet};

use archsim_model::design::{DatabaseParams, Design, FaultEffect, ReadPreference, Sharding};
use archsim_model::report::{DatabaseReport, NodeReport, NodeSeries, ReshardReport};

use crate::core::{CallOver, Station};
use crate::distribution::Dist;
use crate::metrics::{Outcome, estimate, extra};
use crate::policy::hash::FixedState;
use crate::policy::sharding::ShardMap;
use crate::request::DatabaseQuery;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms, to_ms};

use super::{Behaviour, KindFigures, NodeCtx};

/// Shard `s` is served by stations `s·(1+r) .. (s+1)·(1+r)`, its primary first.
pub(crate) struct DatabaseModel {
    shard_map: ShardMap,
    /// The most shards the database ever has (stations and counters exist for all of them).
    max_shards: u32,
    sharding: Sharding,
    key_space: u64,
    id: String,
    /// A reshard in progress: the map keys are moving away from, and the keys moved so far.
    moving: Option<Move>,
    /// Reshards started so far, in order (the `k`-th has counter `migrations_counter + k`).
    reshards: Vec<ReshardRecord>,
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
    pub fn new(p: &DatabaseParams, key_space: u64, id: &str, design: &Design) -> DatabaseModel {
        let shard_map = ShardMap::new(&p.sharding, p.shards, key_space, id);
        let max_shards = reshard_targets(design, id).fold(shard_map.shards(), u32::max);
        let shards = max_shards;
        DatabaseModel {
            shard_map,
            max_shards,
            sharding: p.sharding.clone(),
            key_space,
            id: id.to_string(),
            moving: None,
            reshards: Vec::new(),
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

    /// One station per primary and replica, shard by shard, for the most shards it will have.
    pub fn stations(&self, p: &DatabaseParams) -> Vec<Station> {
        let members = self.max_shards * (1 + self.replicas);
        (0..members)
            .map(|_| Station::new(p.connections, p.queue_capacity as u64))
            .collect()
    }

    /// Shards that counters and reports cover: the most it ever has.
    pub fn shards(&self) -> u32 {
        self.max_shards
    }

    /// Kind-specific counters: replica and stale reads, one per shard, one per reshard.
    pub fn counters(&self, design: &Design) -> u32 {
        self.migrations_counter() + reshard_targets(design, &self.id).count() as u32
    }

    fn migrations_counter(&self) -> u32 {
        extra::DB_SHARD_QUERIES + self.max_shards
    }

    /// The shard owning `key` now, and whether this query must move it there first.
    fn route(&mut self, key: u64) -> (u32, bool) {
        let shard = self.shard_map.shard_of(key);
        let Some(moving) = &mut self.moving else {
            return (shard, false);
        };
        let moves = moving.from.shard_of(key) != shard && moving.moved.insert(key);
        (shard, moves)
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
    type Data = DatabaseQuery;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let request = ctx.request(job);
        let db = &mut *ctx.model;
        let (shard, migrating) = db.route(request.key);
        let member = db.member_for(shard, request.write);
        let on_replica = !member.is_multiple_of(1 + db.replicas);
        if migrating {
            let counter = db.migrations_counter() + db.reshards.len() as u32 - 1;
            ctx.count(counter);
            ctx.set_data(job, DatabaseQuery { migrating });
        }
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
        let mut base = dist.sample(ctx.rng());
        if ctx.data(job).migrating {
            // Reading the key from its old shard before serving it here.
            let read = ctx.model.read_time;
            base = base.saturating_add(read.sample(ctx.rng()));
        }
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

    fn fault(&mut self, effect: &FaultEffect, start: bool, now: SimTime) {
        let FaultEffect::Reshard { shards } = *effect else {
            return;
        };
        if !start {
            // The move is complete: every key is on its new shard.
            self.moving = None;
            return;
        }
        let from = self.shard_map.clone();
        let to = ShardMap::new(&self.sharding, shards, self.key_space, &self.id);
        self.reshards.push(ReshardRecord {
            at: now,
            from_shards: from.shards(),
            to_shards: to.shards(),
            keys_moved: moved_fraction(&from, &to, self.key_space),
        });
        self.shard_map = to;
        self.moving = Some(Move {
            from,
            moved: HashSet::default(),
        });
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let count = |i: u32| estimate((figures.extra)(i) as f64);
        let reshards = self
            .reshards
            .iter()
            .enumerate()
            .map(|(k, r)| ReshardReport {
                at_ms: to_ms(r.at),
                from_shards: r.from_shards,
                to_shards: r.to_shards,
                keys_moved: r.keys_moved,
                migration_queries: count(self.migrations_counter() + k as u32),
            })
            .collect();
        report.database = Some(DatabaseReport {
            shard_queries: (0..self.shards())
                .map(|s| count(extra::DB_SHARD_QUERIES + s))
                .collect(),
            reads_on_replicas: count(extra::DB_REPLICA_READS),
            stale_reads: count(extra::DB_STALE_READS),
            reshards,
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

/// A reshard in progress.
struct Move {
    /// Where keys were before.
    from: ShardMap,
    /// Keys already moved (by their first query since the reshard began).
    moved: HashSet<u64, FixedState>,
}

struct ReshardRecord {
    at: SimTime,
    from_shards: u32,
    to_shards: u32,
    keys_moved: f64,
}

/// The shard counts the design's reshards of database `id` go to, in time order.
fn reshard_targets<'a>(design: &'a Design, id: &'a str) -> impl Iterator<Item = u32> + 'a {
    let mut reshards: Vec<(f64, u32)> = design
        .faults
        .iter()
        .filter(|fault| fault.target == id)
        .filter_map(|fault| match fault.effect {
            FaultEffect::Reshard { shards } => Some((fault.at_ms, shards)),
            _ => None,
        })
        .collect();
    reshards.sort_by(|a, b| a.0.total_cmp(&b.0));
    reshards.into_iter().map(|(_, shards)| shards)
}

/// Most keys examined to measure how much of the key space moved; beyond it, an even stride.
const MOVED_SAMPLE: u64 = 1_000_000;

/// Fraction of keys `0..key_space` whose shard differs between the two maps (exact up to a
/// million keys, an evenly strided sample of a million beyond).
fn moved_fraction(from: &ShardMap, to: &ShardMap, key_space: u64) -> f64 {
    let keys = key_space.max(1);
    let examined = keys.min(MOVED_SAMPLE);
    let moved = (0..examined)
        .map(|i| {
            if keys <= MOVED_SAMPLE {
                i
            } else {
                (u128::from(i) * u128::from(keys) / u128::from(examined)) as u64
            }
        })
        .filter(|&key| from.shard_of(key) != to.shard_of(key))
        .count();
    moved as f64 / examined as f64
}

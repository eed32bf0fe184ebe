//! Database: keys map to shards (`policy::sharding`); each shard is a primary plus
//! `replicas_per_shard` replicas, each with `connections` workers and a wait queue of
//! `queue_capacity`. Writes go to the primary; reads go where `reads_from` says, spread over the
//! eligible members in round-robin order per shard.
//!
//! Replication (`node::replication`): a write is applied on the replicas a lag after it
//! completes on the primary (`replication_lag`, a distribution, or the constant
//! `replication_lag_ms`), in order. A read served by a replica is *stale* when the last write
//! to its key is not applied yet. Only the last write per key is kept, so memory is bounded by
//! the number of keys written, not by the number of requests. With `read_your_writes`, a
//! user's reads of a key they wrote within the window go to the primary (the user: the
//! client's `users` member who sent it, or the client node; `replication::Writer`).
//!
//! Primary failover: a `primary_crash` fault crashes every shard's primary (its queued and
//! running queries fail with `node_down`, as do writes until a new primary serves). With
//! `failover`, a replica is promoted `detection_ms` later (a timer set from the start for each
//! such fault) and the writes the replicas had not applied at the crash are counted lost.
//!
//! Resharding (a `reshard` fault): at its start the database goes to the new shard count and
//! its keys start moving; at its end the move is complete. In between, the first query of a
//! key whose shard changed pays for the move: it also reads the key from the old shard (one
//! more read time, a miss-like slower query), and the key is then in place. Stations exist for
//! the most shards the database ever has; a shard removed by a reshard just stops getting
//! queries. The fraction of keys that moved is counted exactly over the clients' key space.

use std::collections::HashSet;

use archsim_model::design::{
    DatabaseParams, Design, Distribution, FaultEffect, ReadPreference, Sharding,
};
use archsim_model::report::{
    DatabaseReport, FailoverReport, NodeReport, NodeSeries, ReshardReport,
};

use crate::core::{CallOver, Station};
use crate::distribution::Dist;
use crate::metrics::{Outcome, estimate, extra};
use crate::policy::hash::FixedState;
use crate::policy::sharding::ShardMap;
use crate::request::DatabaseQuery;
use crate::rng::SimRng;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms, to_ms};

use super::replication::{Replication, Writer};
use super::{Behaviour, KindFigures, NodeCtx};

/// Timer tag: a failover's detection delay is over.
const PROMOTE: u32 = 0;

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
    /// Each shard's primary, replicas, replication stream and last writes.
    replication: Replication,
    /// Reshard faults of the design (their counters come before the failover's).
    reshard_count: u32,
    /// When the design's primary crashes would promote a replica (failover configured).
    promotions: Vec<SimTime>,
    failover: bool,
    read_your_writes: bool,
    /// Members whose crash the simulation is to carry out (queries there fail).
    crashed_members: Vec<u32>,
    rr: Vec<u32>,
}

impl DatabaseModel {
    pub fn new(
        p: &DatabaseParams,
        key_space: u64,
        id: &str,
        design: &Design,
        lag_rng: SimRng,
    ) -> DatabaseModel {
        let shard_map = ShardMap::new(&p.sharding, p.shards, key_space, id);
        let max_shards = reshard_targets(design, id).fold(shard_map.shards(), u32::max);
        let shards = max_shards;
        let lag = p.replication_lag.clone().unwrap_or(Distribution::Constant {
            ms: p.replication_lag_ms,
        });
        let detection = p.failover.as_ref().map(|f| from_ms(f.detection_ms));
        let promotions = match detection {
            Some(detection) => design
                .faults
                .iter()
                .filter(|f| f.target == id && f.effect == FaultEffect::PrimaryCrash)
                .map(|f| from_ms(f.at_ms).saturating_add(detection))
                .collect(),
            None => Vec::new(),
        };
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
            replication: Replication::new(
                shards,
                p.replicas_per_shard,
                Dist::new(&lag),
                lag_rng,
                detection,
                p.read_your_writes.as_ref().map(|r| from_ms(r.window_ms)),
            ),
            reshard_count: reshard_targets(design, id).count() as u32,
            promotions,
            failover: p.failover.is_some(),
            read_your_writes: p.read_your_writes.is_some(),
            crashed_members: Vec::new(),
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

    /// Kind-specific counters: replica and stale reads, one per shard, one per reshard, then
    /// writes lost by failovers and reads sent to the primary by read-your-writes.
    pub fn counters(&self) -> u32 {
        self.own_write_reads_counter() + 1
    }

    fn migrations_counter(&self) -> u32 {
        extra::DB_SHARD_QUERIES + self.max_shards
    }

    fn lost_writes_counter(&self) -> u32 {
        self.migrations_counter() + self.reshard_count
    }

    fn own_write_reads_counter(&self) -> u32 {
        self.lost_writes_counter() + 1
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

    /// The member (station) that serves this query; None when it needs the primary and the
    /// shard has none (crashed, no replica promoted yet). `to_primary`: a write, or a read
    /// that read-your-writes keeps on the primary.
    fn member_for(&mut self, shard: u32, to_primary: bool) -> Option<u32> {
        let base = shard * (1 + self.replicas);
        let primary = self.replication.primary(shard).map(|m| base + m);
        if to_primary {
            return primary;
        }
        // Members in order: the primary first (if up), then the replicas up. Without a crash
        // that is 0, 1, …, r, so reads rotate exactly as they always have.
        let replicas = self.replication.replicas(shard).count() as u32;
        let (first, count) = match self.reads_from {
            ReadPreference::Primary => return primary,
            ReadPreference::Replicas if replicas == 0 => return primary,
            ReadPreference::Replicas => (0, replicas),
            ReadPreference::Any => match primary {
                Some(_) => (0, replicas + 1),
                None if replicas == 0 => return None,
                None => (1, replicas),
            },
        };
        let rr = &mut self.rr[shard as usize];
        let k = *rr % count;
        *rr = rr.wrapping_add(1);
        let member = match self.reads_from {
            ReadPreference::Any if first == 0 && k == 0 => return primary,
            ReadPreference::Any if first == 0 => {
                self.replication.replicas(shard).nth((k - 1) as usize)
            }
            _ => self.replication.replicas(shard).nth(k as usize),
        };
        member.map(|m| base + m)
    }

    /// Whether `member` (a station) is a replica now.
    fn on_replica(&self, member: u32) -> bool {
        let per_shard = 1 + self.replicas;
        let shard = member / per_shard;
        self.replication.primary(shard) != Some(member % per_shard)
    }
}

impl Behaviour for DatabaseModel {
    type Data = DatabaseQuery;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let request = ctx.request(job);
        let now = ctx.now();
        let db = &mut *ctx.model;
        let (shard, migrating) = db.route(request.key);
        let own_write = !request.write
            && db
                .replication
                .reads_own_write(shard, request.key, writer(&request), now);
        let Some(member) = db.member_for(shard, request.write || own_write) else {
            // No primary: it crashed and no replica has taken over (yet).
            ctx.finish(job, Outcome::NodeDown);
            return;
        };
        let on_replica = db.on_replica(member);
        if own_write && db.reads_from != ReadPreference::Primary {
            let counter = db.own_write_reads_counter();
            ctx.count(counter);
        }
        let db = &mut *ctx.model;
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
        let shard = station / (1 + db.replicas);
        if request.write {
            db.replication
                .write(shard, request.key, writer(&request), now);
        } else if db.on_replica(station) && db.replication.stale(shard, request.key, now) {
            ctx.count(extra::DB_STALE_READS);
        }
        ctx.finish(job, Outcome::Success);
    }

    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        if tag != PROMOTE {
            return;
        }
        // A failover's detection delay is over: the shards whose primary is still down get
        // a new one, and the writes it never received are lost.
        let now = ctx.now();
        let db = &mut *ctx.model;
        for shard in 0..db.max_shards {
            db.replication.settle(shard, now);
        }
        let (counter, lost) = (db.lost_writes_counter(), db.replication.lost_writes);
        ctx.set_count(counter, lost);
    }

    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        self.promotions.iter().map(|&at| (at, PROMOTE)).collect()
    }

    fn take_crashed_stations(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.crashed_members)
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        ctx.pass_on(job, over.outcome, over.here);
    }

    fn reads_keys(&self) -> bool {
        true
    }

    fn fault(&mut self, effect: &FaultEffect, start: bool, now: SimTime) -> u64 {
        if *effect == FaultEffect::PrimaryCrash {
            let per_shard = 1 + self.replicas;
            for shard in 0..self.max_shards {
                if start {
                    if let Some(member) = self.replication.crash_primary(shard, now) {
                        self.crashed_members.push(shard * per_shard + member);
                    }
                } else {
                    self.replication.recover(shard, now);
                }
            }
            return 0;
        }
        let FaultEffect::Reshard { shards } = *effect else {
            return 0;
        };
        if !start {
            // The move is complete: every key is on its new shard.
            self.moving = None;
            return 0;
        }
        let from = self.shard_map.clone();
        let to = ShardMap::new(&self.sharding, shards, self.key_space, &self.id);
        let moved = moved_fraction(&from, &to, self.key_space);
        self.reshards.push(ReshardRecord {
            at: now,
            from_shards: from.shards(),
            to_shards: to.shards(),
            keys_moved: moved,
        });
        self.shard_map = to;
        self.moving = Some(Move {
            from,
            moved: HashSet::default(),
        });
        // The keys whose shard changed (the fraction is exact up to its sample size).
        (moved * self.key_space.max(1) as f64).round() as u64
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
            lost_writes: self.failover.then(|| count(self.lost_writes_counter())),
            failovers: if figures.whole {
                self.replication
                    .failovers
                    .iter()
                    .map(|f| FailoverReport {
                        shard: f.shard,
                        crashed_at_ms: to_ms(f.crashed_at),
                        promoted_at_ms: to_ms(f.promoted_at),
                        lost_writes: f.lost_writes,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            own_write_reads: self
                .read_your_writes
                .then(|| count(self.own_write_reads_counter())),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        let shards = self.shards() as usize;
        series.shard_queries.resize_with(shards, Vec::new);
        for (shard, bucket) in series.shard_queries.iter_mut().enumerate() {
            bucket.push((figures.extra)(extra::DB_SHARD_QUERIES + shard as u32));
        }
        if self.failover {
            series
                .lost_writes
                .push((figures.extra)(self.lost_writes_counter()));
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
/// Who sent `request`, as read-your-writes tells writers apart: its client node and user.
fn writer(request: &crate::request::Request) -> Writer {
    Writer {
        source: request.source,
        user: request.user,
    }
}

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

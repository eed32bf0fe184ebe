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

use crate::distribution::Dist;
use crate::metrics::{Outcome, extra};
use crate::policy::hash::FixedState;
use crate::policy::sharding::ShardMap;
use crate::sim::{Event, Sim, Station};
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use super::NodeModel;

pub(crate) struct DatabaseModel {
    /// Shard `s` owns `members[s·(1+r) .. (s+1)·(1+r)]`, primary first.
    pub members: Vec<Station>,
    shard_map: ShardMap,
    replicas: u32,
    reads_from: ReadPreference,
    read_time: Dist,
    write_time: Dist,
    lag: SimTime,
    last_write: Vec<HashMap<u64, SimTime, FixedState>>,
    rr: Vec<u32>,
}

impl DatabaseModel {
    pub fn new(p: &DatabaseParams, key_space: u64) -> DatabaseModel {
        let shard_map = ShardMap::new(&p.sharding, p.shards, key_space);
        let shards = shard_map.shards();
        let per_shard = 1 + p.replicas_per_shard;
        DatabaseModel {
            members: (0..shards * per_shard)
                .map(|_| Station::new(p.connections, p.queue_capacity as u64))
                .collect(),
            shard_map,
            replicas: p.replicas_per_shard,
            reads_from: p.reads_from,
            read_time: Dist::new(&p.read_time),
            write_time: Dist::new(&p.write_time),
            lag: from_ms(p.replication_lag_ms),
            last_write: (0..shards).map(|_| HashMap::default()).collect(),
            rr: vec![0; shards as usize],
        }
    }

    pub fn shards(&self) -> u32 {
        self.shard_map.shards()
    }

    /// The member (index into `members`) that serves this query.
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

impl Sim {
    pub(crate) fn database_accept(&mut self, job: Handle, n: usize) {
        let (key, write) = {
            let j = self.jobs.get(job).expect("live");
            (j.key, j.write)
        };
        let extra_base = self.nodes[n].extra;
        let NodeModel::Database(d) = &mut self.nodes[n].model else {
            unreachable!()
        };
        let shard = d.shard_map.shard_of(key);
        let member = d.member_for(shard, write);
        let on_replica = member % (1 + d.replicas) != 0;
        self.recorder
            .incr(extra_base + extra::DB_SHARD_QUERIES + shard);
        if on_replica {
            self.recorder.incr(extra_base + extra::DB_REPLICA_READS);
        }
        self.station_admit(job, member);
    }

    pub(crate) fn database_begin(&mut self, job: Handle, n: usize) {
        let write = self.jobs.get(job).expect("live").write;
        let NodeModel::Database(d) = &self.nodes[n].model else {
            unreachable!()
        };
        let dist = if write { d.write_time } else { d.read_time };
        let base = dist.sample(&mut self.nodes[n].rng);
        let factor = self.nodes[n].fault.slowdown;
        let duration = self.stretched(n, base, factor);
        self.schedule(duration, Event::Done { job });
    }

    pub(crate) fn database_done(&mut self, job: Handle, n: usize) {
        if self.draws_error(n, 0.0) {
            self.finish(job, Outcome::Error);
            return;
        }
        let now = self.now;
        let j = *self.jobs.get(job).expect("live");
        let extra_base = self.nodes[n].extra;
        let NodeModel::Database(d) = &mut self.nodes[n].model else {
            unreachable!()
        };
        let per_shard = 1 + d.replicas;
        let shard = (j.station / per_shard) as usize;
        if j.write {
            d.last_write[shard].insert(j.key, now);
        } else if !j.station.is_multiple_of(per_shard)
            && d.last_write[shard]
                .get(&j.key)
                .is_some_and(|&t| now - t < d.lag)
        {
            self.recorder.incr(extra_base + extra::DB_STALE_READS);
        }
        self.finish(job, Outcome::Success);
    }
}

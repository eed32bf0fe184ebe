//! A database shard's replication, as asynchronous primary–replica replication runs:
//!
//! - **Lag as a distribution.** Each write, once the primary has acknowledged it, reaches the
//!   replicas after a lag drawn from `replication_lag` (the node's own `ReplicationLag` stream,
//!   so the draws never disturb its query times). The replication stream is applied in order,
//!   so a write is applied no earlier than the one before it: applied at
//!   `max(previous applied, acknowledged + lag)`. With a constant lag that is just
//!   `acknowledged + lag`.
//! - **Stale reads.** A replica read of a key whose last write is not yet applied is stale.
//! - **Read-your-writes.** A read of a key by the writer of one of its writes within the
//!   window after that write goes to the primary — whoever wrote the key since. The writer is
//!   the client node and, with the client's `users`, its user: each person reads their own
//!   writes.
//! - **Failover.** When the primary crashes, the shard has no primary until a replica is
//!   promoted `detection` later (writes meanwhile fail); the writes the old primary had
//!   acknowledged but the replicas had not yet applied at the crash are lost. Without failover
//!   the shard waits for its primary to come back, and loses nothing (its writes are on its
//!   disk). The old primary, back, rejoins as a replica.
//!
//! Members of a shard are numbered `0..=replicas`; member 0 is the primary at the start.

use std::collections::{HashMap, VecDeque};

use crate::distribution::Dist;
use crate::policy::hash::FixedState;
use crate::rng::SimRng;
use crate::time::SimTime;

/// The last write of a key, as far as reads care.
#[derive(Debug, Clone, Copy)]
struct LastWrite {
    /// When the replicas have it.
    applied: SimTime,
}

/// Who sent a write or a read: the client node, and which of its users (0 without a users
/// population).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Writer {
    pub source: u32,
    pub user: u32,
}

/// One failover: when the primary crashed, when a replica took over, and what was lost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FailoverRecord {
    pub shard: u32,
    pub crashed_at: SimTime,
    pub promoted_at: SimTime,
    pub lost_writes: u64,
}

#[derive(Debug)]
struct Shard {
    /// The member that is the primary now.
    primary: u32,
    /// A member that has crashed and is not back yet.
    down: Option<u32>,
    /// The primary crashed and a replica becomes the primary then.
    promote_at: Option<SimTime>,
    /// Writes lost if a replica takes over: those pending at the crash.
    doomed: u64,
    crashed_at: SimTime,
    /// Apply time of the latest write in the replication stream.
    watermark: SimTime,
    /// Apply times of acknowledged writes the replicas have not applied yet, in order.
    pending: VecDeque<SimTime>,
    last_write: HashMap<u64, LastWrite, FixedState>,
    /// Read-your-writes: each writer's latest write of each key, while within the window.
    own_writes: HashMap<(u64, Writer), SimTime, FixedState>,
    /// The same writes in the order they were acknowledged, to forget them after the window
    /// (memory: write rate × window).
    own_expiry: VecDeque<(SimTime, u64, Writer)>,
}

pub(crate) struct Replication {
    replicas: u32,
    lag: Dist,
    rng: SimRng,
    detection: Option<SimTime>,
    read_your_writes: Option<SimTime>,
    shards: Vec<Shard>,
    /// Writes lost by failovers so far (cumulative).
    pub lost_writes: u64,
    /// Failovers so far, in order.
    pub failovers: Vec<FailoverRecord>,
}

impl Replication {
    pub fn new(
        shards: u32,
        replicas: u32,
        lag: Dist,
        rng: SimRng,
        detection: Option<SimTime>,
        read_your_writes: Option<SimTime>,
    ) -> Replication {
        Replication {
            replicas,
            lag,
            rng,
            detection,
            read_your_writes,
            shards: (0..shards)
                .map(|_| Shard {
                    primary: 0,
                    down: None,
                    promote_at: None,
                    doomed: 0,
                    crashed_at: 0,
                    watermark: 0,
                    pending: VecDeque::new(),
                    last_write: HashMap::default(),
                    own_writes: HashMap::default(),
                    own_expiry: VecDeque::new(),
                })
                .collect(),
            lost_writes: 0,
            failovers: Vec::new(),
        }
    }

    /// Brings the shard up to `now`: drops applied writes from the pending line and promotes
    /// a replica whose time has come. Returns whether a failover completed.
    pub fn settle(&mut self, shard: u32, now: SimTime) -> bool {
        let s = &mut self.shards[shard as usize];
        while s.pending.front().is_some_and(|&applied| applied <= now) {
            s.pending.pop_front();
        }
        let Some(at) = s.promote_at.filter(|&at| at <= now) else {
            return false;
        };
        let down = s.down;
        s.primary = (0..=self.replicas)
            .find(|&m| Some(m) != down)
            .unwrap_or(s.primary);
        s.promote_at = None;
        // The new primary's stream starts afresh: what the old one had not shipped is gone.
        s.pending.clear();
        s.watermark = s.crashed_at;
        self.lost_writes += s.doomed;
        self.failovers.push(FailoverRecord {
            shard,
            crashed_at: s.crashed_at,
            promoted_at: at,
            lost_writes: s.doomed,
        });
        s.doomed = 0;
        true
    }

    /// The member that takes the shard's writes now; None while the primary is down and no
    /// replica has taken over yet.
    pub fn primary(&self, shard: u32) -> Option<u32> {
        let s = &self.shards[shard as usize];
        (s.down != Some(s.primary)).then_some(s.primary)
    }

    /// The members that serve reads besides the primary (the replicas up now), in order.
    pub fn replicas(&self, shard: u32) -> impl Iterator<Item = u32> + '_ {
        let s = &self.shards[shard as usize];
        (0..=self.replicas).filter(move |&m| m != s.primary && Some(m) != s.down)
    }

    /// The primary of `shard` crashes at `now`. Returns the member that went down (None if it
    /// already was).
    pub fn crash_primary(&mut self, shard: u32, now: SimTime) -> Option<u32> {
        self.settle(shard, now);
        let replicas = self.replicas;
        let detection = self.detection;
        let s = &mut self.shards[shard as usize];
        if s.down.is_some() {
            return None;
        }
        s.down = Some(s.primary);
        s.crashed_at = now;
        if let Some(detection) = detection.filter(|_| replicas > 0) {
            // Acknowledged, not applied on the replicas: lost if a replica takes over.
            s.doomed = s.pending.len() as u64;
            s.promote_at = Some(now.saturating_add(detection));
        }
        Some(s.primary)
    }

    /// The crashed member of `shard` is back at `now`: the primary again if nobody took over,
    /// else a replica.
    pub fn recover(&mut self, shard: u32, now: SimTime) {
        self.settle(shard, now);
        let s = &mut self.shards[shard as usize];
        s.down = None;
        // Back before a replica took over: it is still the primary, and nothing is lost.
        s.promote_at = None;
        s.doomed = 0;
    }

    /// The primary acknowledged a write of `key` by `writer` at `now`.
    pub fn write(&mut self, shard: u32, key: u64, writer: Writer, now: SimTime) {
        if self.replicas == 0 && self.read_your_writes.is_none() {
            return;
        }
        let lag = self.lag.sample(&mut self.rng);
        let s = &mut self.shards[shard as usize];
        // Keep the pending line to the writes in flight (memory: write rate × lag).
        while s.pending.front().is_some_and(|&applied| applied <= now) {
            s.pending.pop_front();
        }
        let applied = s.watermark.max(now.saturating_add(lag));
        s.watermark = applied;
        if applied > now {
            s.pending.push_back(applied);
        }
        s.last_write.insert(key, LastWrite { applied });
        if let Some(window) = self.read_your_writes {
            // Forget the writes the window is over for (unless written again since).
            while let Some(&(at, old_key, old_writer)) = s.own_expiry.front() {
                if now - at < window {
                    break;
                }
                s.own_expiry.pop_front();
                if s.own_writes.get(&(old_key, old_writer)) == Some(&at) {
                    s.own_writes.remove(&(old_key, old_writer));
                }
            }
            s.own_writes.insert((key, writer), now);
            s.own_expiry.push_back((now, key, writer));
        }
    }

    /// Whether a replica reading `key` at `now` misses its last write.
    pub fn stale(&self, shard: u32, key: u64, now: SimTime) -> bool {
        self.shards[shard as usize]
            .last_write
            .get(&key)
            .is_some_and(|w| now < w.applied)
    }

    /// Whether read-your-writes sends this read of `key` by `reader` to the primary: the
    /// reader wrote the key less than the window ago.
    pub fn reads_own_write(&self, shard: u32, key: u64, reader: Writer, now: SimTime) -> bool {
        let Some(window) = self.read_your_writes else {
            return false;
        };
        self.shards[shard as usize]
            .own_writes
            .get(&(key, reader))
            .is_some_and(|&at| now - at < window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;
    use archsim_model::design::Distribution;

    const MS: SimTime = 1_000_000;

    /// Client node `source`, without users.
    fn by(source: u32) -> Writer {
        Writer { source, user: 0 }
    }

    fn replication(lag: Distribution, detection: Option<SimTime>) -> Replication {
        Replication::new(
            1,
            2,
            Dist::new(&lag),
            SimRng::derive(1, 0, StreamKind::ReplicationLag, 0),
            detection,
            Some(500 * MS),
        )
    }

    #[test]
    fn a_constant_lag_applies_each_write_that_long_after_it() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, None);
        r.write(0, 7, by(0), 100 * MS);
        assert!(r.stale(0, 7, 149 * MS));
        assert!(!r.stale(0, 7, 150 * MS));
        assert!(
            !r.stale(0, 8, 120 * MS),
            "a key never written is never stale"
        );
    }

    #[test]
    fn the_stream_is_applied_in_order_so_a_short_lag_waits_for_a_long_one() {
        // Uniform lags: whatever the draws, no write is applied before an earlier one.
        let mut r = replication(
            Distribution::Uniform {
                min_ms: 0.0,
                max_ms: 100.0,
            },
            None,
        );
        let mut previous = 0;
        for i in 0..1_000u64 {
            let now = i * MS;
            r.write(0, i, by(0), now);
            let applied = r.shards[0].last_write[&i].applied;
            assert!(applied >= previous && applied >= now && applied <= now + 100 * MS);
            previous = applied;
        }
    }

    #[test]
    fn an_exponential_lag_has_its_mean_when_writes_are_sparse() {
        // Writes 1 s apart, mean lag 20 ms: the in-order rule almost never binds, so the mean
        // lag is the distribution's.
        let mut r = replication(Distribution::Exponential { mean_ms: 20.0 }, None);
        let n = 20_000u64;
        let mut total = 0.0;
        for i in 0..n {
            let now = i * 1_000 * MS;
            r.write(0, i, by(0), now);
            total += (r.shards[0].last_write[&i].applied - now) as f64 / MS as f64;
        }
        let mean = total / n as f64;
        // Standard error 20/√20000 ≈ 0.14 ms.
        assert!((mean - 20.0).abs() < 0.6, "mean lag {mean} ms");
    }

    #[test]
    fn failover_loses_exactly_the_acknowledged_writes_not_yet_applied() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, Some(10_000 * MS));
        // Writes at 0, 10, ..., 990 ms; applied 50 ms later each.
        for i in 0..100u64 {
            r.write(0, i, by(0), i * 10 * MS);
        }
        // Crash at 1,000 ms: the writes acknowledged after 950 ms (960..=990: 4 of them, and
        // 950 is applied exactly at 1,000) are not on the replicas.
        assert_eq!(r.crash_primary(0, 1_000 * MS), Some(0));
        assert_eq!(r.primary(0), None, "no primary until the promotion");
        assert!(!r.settle(0, 10_999 * MS));
        assert_eq!(r.primary(0), None);
        assert!(r.settle(0, 11_000 * MS));
        assert_eq!(r.primary(0), Some(1));
        assert_eq!(r.lost_writes, 4);
        assert_eq!(
            r.failovers,
            vec![FailoverRecord {
                shard: 0,
                crashed_at: 1_000 * MS,
                promoted_at: 11_000 * MS,
                lost_writes: 4
            }]
        );
        // Reads go to the remaining replica; the old primary rejoins as a replica.
        assert_eq!(r.replicas(0).collect::<Vec<_>>(), vec![2]);
        r.recover(0, 20_000 * MS);
        assert_eq!(r.primary(0), Some(1));
        assert_eq!(r.replicas(0).collect::<Vec<_>>(), vec![0, 2]);
    }

    #[test]
    fn without_failover_the_shard_waits_for_its_primary_and_loses_nothing() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, None);
        r.write(0, 1, by(0), 990 * MS);
        r.crash_primary(0, 1_000 * MS);
        assert!(!r.settle(0, 60_000 * MS));
        assert_eq!(r.primary(0), None);
        r.recover(0, 60_000 * MS);
        assert_eq!(r.primary(0), Some(0));
        assert_eq!(r.lost_writes, 0);
    }

    #[test]
    fn a_primary_back_before_the_promotion_stays_primary() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, Some(10_000 * MS));
        r.write(0, 1, by(0), 990 * MS);
        r.crash_primary(0, 1_000 * MS);
        r.recover(0, 5_000 * MS);
        assert!(!r.settle(0, 20_000 * MS));
        assert_eq!(r.primary(0), Some(0));
        assert_eq!(r.lost_writes, 0);
    }

    #[test]
    fn read_your_writes_covers_the_writer_for_the_window_only() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, None);
        r.write(0, 9, by(3), 1_000 * MS);
        assert!(r.reads_own_write(0, 9, by(3), 1_499 * MS));
        assert!(
            !r.reads_own_write(0, 9, by(3), 1_500 * MS),
            "the window is over"
        );
        assert!(
            !r.reads_own_write(0, 9, by(4), 1_010 * MS),
            "another client"
        );
        assert!(!r.reads_own_write(0, 8, by(3), 1_010 * MS), "another key");
    }

    #[test]
    fn read_your_writes_follows_each_user_even_after_someone_else_wrote_the_key() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, None);
        let (alice, bob, carol) = (
            Writer { source: 0, user: 1 },
            Writer { source: 0, user: 2 },
            Writer { source: 0, user: 3 },
        );
        r.write(0, 9, alice, 1_000 * MS);
        r.write(0, 9, bob, 1_200 * MS);
        // Alice wrote 9 less than the window ago: hers is on the primary, whoever wrote since.
        assert!(r.reads_own_write(0, 9, alice, 1_300 * MS));
        assert!(r.reads_own_write(0, 9, bob, 1_300 * MS));
        assert!(
            !r.reads_own_write(0, 9, carol, 1_300 * MS),
            "never wrote it"
        );
        assert!(
            !r.reads_own_write(0, 9, alice, 1_500 * MS),
            "her window is over"
        );
        assert!(r.reads_own_write(0, 9, bob, 1_500 * MS));
        // Forgotten after the window: a later write prunes them, keeping only what counts.
        r.write(0, 10, carol, 2_000 * MS);
        assert_eq!(r.shards[0].own_writes.len(), 1);
        assert_eq!(r.shards[0].own_expiry.len(), 1);
    }

    #[test]
    fn a_key_written_again_stays_covered_from_its_latest_write() {
        let mut r = replication(Distribution::Constant { ms: 50.0 }, None);
        let alice = Writer { source: 0, user: 1 };
        r.write(0, 9, alice, 1_000 * MS);
        r.write(0, 9, alice, 1_400 * MS);
        // The first write's expiry (at 1.5 s) must not forget the second.
        r.write(0, 10, alice, 1_600 * MS);
        assert!(r.reads_own_write(0, 9, alice, 1_800 * MS));
        assert!(!r.reads_own_write(0, 9, alice, 1_900 * MS));
    }
}

//! A bounded key store for cache nodes: which keys are cached, when they expire, and which key
//! goes when a new one needs room.
//!
//! API (one store per cache node; the cache holds keys only, values don't matter to a simulation):
//! ```text
//! let mut store = CacheStore::new(params.capacity, params.eviction, params.ttl_ms.map(from_ms));
//! match store.get(key, now) { Lookup::Hit => …, Lookup::Miss | Lookup::Expired => … }
//! let evicted: Option<u64> = store.insert(key, now, &mut rng); // after the miss is filled
//! store.invalidate(key);                                         // on a write
//! store.len(); store.evictions(); store.expirations();
//! ```
//! `get` counts as a use (recency for LRU, frequency for LFU, the visited bit for SIEVE, the
//! sketch and segment for W-TinyLFU). `insert` of a key already present
//! rewrites it: its TTL restarts and it counts as a use, but a FIFO entry keeps its place in
//! line. A capacity of 0 stores nothing. Entries expire lazily: an entry written at `t` is a hit
//! before `t + ttl` and is removed (and counted as an expiration) by the first `get` at or after
//! it; until then it holds its slot and can be evicted like any other. With
//! [`CacheStore::with_refresh_on_access`] a hit restarts the TTL (expire after access, as
//! Caffeine's `expireAfterAccess`): for one key read at Poisson rate λ the hit ratio is then
//! 1 − e^(−λT) instead of the λT/(1+λT) of expire-after-write.
//!
//! Policies, one file each ([`lru`], [`lfu`], [`fifo`], [`random`], [`sieve`],
//! [`w_tinylfu`]), each an [`Order`] over
//! the store's slots; adding one is a file here and its line in [`Policy`] (and the model's
//! `Eviction`). Why they differ:
//! - **LRU** evicts the entry unused for longest: recency predicts reuse for most workloads.
//!   A doubly linked list threaded through a slab of entries (u32 links), most recent at the
//!   head; a hit moves the entry to the head. O(1).
//! - **LFU** evicts the least frequently used, the least recently used among equals. Best for a
//!   stable skewed (Zipf) popularity, but a new entry starts at frequency 1 and is the first to
//!   go, and once-hot keys linger after they cool. A `BTreeSet` of (frequency, last use, slot):
//!   O(log n).
//! - **FIFO** evicts the oldest write, ignoring hits. The same list as LRU, never reordered. O(1).
//! - **Random** evicts a uniformly random entry: one `below(len)` draw per eviction, from a dense
//!   array of slots with swap-remove. O(1). No draw is made when nothing is evicted.
//! - **SIEVE** (NSDI'24): FIFO order with a visited bit and a hand that sweeps from the oldest
//!   entry towards the newest, sparing (and clearing) visited entries. Hits are a bit set.
//! - **W-TinyLFU** (Caffeine): a 1% LRU window, a segmented LRU main space, and admission to
//!   it by a count-min sketch of access frequencies with 4-bit counters halved periodically.
//!
//! Keys are found through a `HashMap` with the fixed [`FixedState`] hasher; the map is only ever
//! looked up, never iterated, so its layout cannot influence which key is evicted.
//! Slots are u32, so a store holds at most `u32::MAX - 1` entries whatever its capacity.

pub mod fifo;
pub mod lfu;
pub mod lru;
pub mod random;
pub mod sieve;
pub mod slot_list;
pub mod w_tinylfu;

use std::collections::HashMap;

use archsim_model::design::Eviction;

use crate::policy::hash::FixedState;
use crate::rng::SimRng;
use crate::time::SimTime;

/// The result of looking a key up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    Miss,
    /// It was cached but its TTL has passed; it is now removed.
    Expired,
}

/// An eviction policy: the order in which stored slots would go. The store tells it about
/// every slot filled, used and freed; `clock` counts uses (the store's logical time).
pub trait Order {
    /// A new entry for `key` is about to be stored (before any eviction to make room).
    fn incoming(&mut self, _key: u64) {}
    /// `slot` now holds a new entry for `key`.
    fn inserted(&mut self, slot: u32, key: u64, clock: u64);
    /// `slot`'s entry (`key`) was read (a hit) or rewritten.
    fn used(&mut self, slot: u32, key: u64, clock: u64);
    /// `slot`'s entry is gone (evicted, expired, invalidated).
    fn removed(&mut self, slot: u32);
    /// The slot to evict; only asked when something is stored.
    fn victim(&mut self, rng: &mut SimRng) -> u32;
}

/// The closed set of policies; one variant per file.
#[derive(Debug, Clone)]
pub enum Policy {
    Lru(lru::Recency),
    Fifo(lru::Recency),
    Lfu(lfu::Lfu),
    Random(random::RandomOrder),
    Sieve(sieve::Sieve),
    WTinyLfu(Box<w_tinylfu::WTinyLfu>),
}

macro_rules! each_policy {
    ($policy:expr, $o:ident => $body:expr) => {
        match $policy {
            Policy::Lru($o) | Policy::Fifo($o) => $body,
            Policy::Lfu($o) => $body,
            Policy::Random($o) => $body,
            Policy::Sieve($o) => $body,
            Policy::WTinyLfu($o) => $body,
        }
    };
}

impl Policy {
    pub fn new(eviction: Eviction, capacity: u64) -> Policy {
        match eviction {
            Eviction::Lru => Policy::Lru(lru::Recency::new(true)),
            Eviction::Fifo => Policy::Fifo(fifo::new()),
            Eviction::Lfu => Policy::Lfu(lfu::Lfu::default()),
            Eviction::Random => Policy::Random(random::RandomOrder::default()),
            Eviction::Sieve => Policy::Sieve(sieve::Sieve::default()),
            Eviction::WTinyLfu => Policy::WTinyLfu(Box::new(w_tinylfu::WTinyLfu::new(capacity))),
        }
    }
}

impl Order for Policy {
    #[inline]
    fn incoming(&mut self, key: u64) {
        each_policy!(self, o => o.incoming(key))
    }
    #[inline]
    fn inserted(&mut self, slot: u32, key: u64, clock: u64) {
        each_policy!(self, o => o.inserted(slot, key, clock))
    }
    #[inline]
    fn used(&mut self, slot: u32, key: u64, clock: u64) {
        each_policy!(self, o => o.used(slot, key, clock))
    }
    #[inline]
    fn removed(&mut self, slot: u32) {
        each_policy!(self, o => o.removed(slot))
    }
    #[inline]
    fn victim(&mut self, rng: &mut SimRng) -> u32 {
        each_policy!(self, o => o.victim(rng))
    }
}

/// Slot `slot` of a per-slot array, grown (with `fill`) to hold it.
pub(crate) fn slot_mut<T: Clone>(values: &mut Vec<T>, slot: u32, fill: T) -> &mut T {
    let i = slot as usize;
    if values.len() <= i {
        values.resize(i + 1, fill);
    }
    &mut values[i]
}

#[derive(Debug, Clone)]
pub struct CacheStore {
    capacity: u64,
    ttl: Option<SimTime>,
    /// A hit restarts the TTL (expire after access).
    refresh_on_access: bool,
    slots: HashMap<u64, u32, FixedState>,
    entries: Vec<Entry>,
    free: Vec<u32>,
    order: Policy,
    /// Counts uses, giving LFU its recency tie-break.
    clock: u64,
    evictions: u64,
    expirations: u64,
}

const MAX_ENTRIES: u64 = u32::MAX as u64 - 1;

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    expires_at: SimTime,
}

impl CacheStore {
    pub fn new(capacity: u64, eviction: Eviction, ttl: Option<SimTime>) -> CacheStore {
        CacheStore {
            capacity: capacity.min(MAX_ENTRIES),
            ttl,
            refresh_on_access: false,
            slots: HashMap::with_hasher(FixedState),
            entries: Vec::new(),
            free: Vec::new(),
            order: Policy::new(eviction, capacity.min(MAX_ENTRIES)),
            clock: 0,
            evictions: 0,
            expirations: 0,
        }
    }

    /// The same store, but a hit restarts the entry's TTL (expire after access).
    pub fn with_refresh_on_access(mut self, refresh: bool) -> CacheStore {
        self.refresh_on_access = refresh;
        self
    }

    /// Looks `key` up at `now`; a hit counts as a use.
    pub fn get(&mut self, key: u64, now: SimTime) -> Lookup {
        let Some(&slot) = self.slots.get(&key) else {
            return Lookup::Miss;
        };
        if now >= self.entries[slot as usize].expires_at {
            self.remove(slot);
            self.expirations += 1;
            return Lookup::Expired;
        }
        if self.refresh_on_access
            && let Some(ttl) = self.ttl
        {
            self.entries[slot as usize].expires_at = now.saturating_add(ttl);
        }
        self.touch(slot);
        Lookup::Hit
    }

    /// Stores `key` at `now`, evicting one entry if the store is full. Returns the evicted key.
    pub fn insert(&mut self, key: u64, now: SimTime, rng: &mut SimRng) -> Option<u64> {
        if self.capacity == 0 {
            return None;
        }
        let expires_at = self.ttl.map_or(SimTime::MAX, |ttl| now.saturating_add(ttl));
        if let Some(&slot) = self.slots.get(&key) {
            self.entries[slot as usize].expires_at = expires_at;
            self.touch(slot);
            return None;
        }
        self.order.incoming(key);
        let evicted = if self.len() >= self.capacity {
            let victim = self.order.victim(rng);
            let victim_key = self.entries[victim as usize].key;
            self.remove(victim);
            self.evictions += 1;
            Some(victim_key)
        } else {
            None
        };
        self.clock += 1;
        let entry = Entry { key, expires_at };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.entries[slot as usize] = entry;
                slot
            }
            None => {
                self.entries.push(entry);
                (self.entries.len() - 1) as u32
            }
        };
        self.slots.insert(key, slot);
        self.order.inserted(slot, key, self.clock);
        evicted
    }

    /// Removes `key`; true if it was stored (expired or not).
    pub fn invalidate(&mut self, key: u64) -> bool {
        match self.slots.get(&key) {
            Some(&slot) => {
                self.remove(slot);
                true
            }
            None => false,
        }
    }

    /// Entries stored that have not expired at `now` (what a flush at `now` throws away).
    pub fn live(&self, now: SimTime) -> u64 {
        self.slots
            .values()
            .filter(|&&slot| now < self.entries[slot as usize].expires_at)
            .count() as u64
    }

    /// Entries stored, expired ones not yet noticed included.
    pub fn len(&self) -> u64 {
        self.slots.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Entries removed to make room.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Entries found expired by `get`.
    pub fn expirations(&self) -> u64 {
        self.expirations
    }

    fn touch(&mut self, slot: u32) {
        self.clock += 1;
        let key = self.entries[slot as usize].key;
        self.order.used(slot, key, self.clock);
    }

    fn remove(&mut self, slot: u32) {
        let entry = self.entries[slot as usize];
        self.order.removed(slot);
        self.slots.remove(&entry.key);
        self.free.push(slot);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::StreamKind;

    pub(crate) const MS: SimTime = 1_000_000;

    pub(crate) fn rng() -> SimRng {
        SimRng::derive(5, 0, StreamKind::Node, 2)
    }

    pub(crate) fn filled(eviction: Eviction, keys: &[u64]) -> (CacheStore, SimRng) {
        let mut rng = rng();
        let mut store = CacheStore::new(keys.len() as u64, eviction, None);
        for &key in keys {
            assert_eq!(store.insert(key, 0, &mut rng), None);
        }
        (store, rng)
    }

    /// Hit ratio of a store of `capacity` under Zipf(1) requests over `keys` keys.
    pub(crate) fn zipf_hit_ratio(eviction: Eviction, keys: u64, capacity: u64) -> f64 {
        let weights: Vec<f64> = (1..=keys).map(|rank| 1.0 / rank as f64).collect();
        let total: f64 = weights.iter().sum();
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut running = 0.0;
        for w in &weights {
            running += w / total;
            cumulative.push(running);
        }
        let mut rng = rng();
        let mut store = CacheStore::new(capacity, eviction, None);
        let (mut hits, requests) = (0u32, 50_000u32);
        for _ in 0..requests {
            let u = rng.uniform01();
            let key = cumulative.partition_point(|&c| c < u) as u64;
            if store.get(key, 0) == Lookup::Hit {
                hits += 1;
            } else {
                store.insert(key, 0, &mut rng);
            }
        }
        f64::from(hits) / f64::from(requests)
    }

    #[test]
    fn ttl_expires_entries_at_the_deadline() {
        let mut rng = rng();
        let mut store = CacheStore::new(10, Eviction::Lru, Some(10 * MS));
        store.insert(7, 0, &mut rng);
        assert_eq!(store.get(7, 10 * MS - 1), Lookup::Hit);
        assert_eq!(store.get(7, 10 * MS), Lookup::Expired);
        assert_eq!(store.get(7, 10 * MS), Lookup::Miss);
        assert_eq!((store.expirations(), store.len()), (1, 0));
    }

    #[test]
    fn rewriting_a_key_restarts_its_ttl() {
        let mut rng = rng();
        let mut store = CacheStore::new(10, Eviction::Fifo, Some(10 * MS));
        store.insert(7, 0, &mut rng);
        assert_eq!(store.insert(7, 8 * MS, &mut rng), None);
        assert_eq!(store.len(), 1);
        assert_eq!(store.get(7, 17 * MS), Lookup::Hit);
        assert_eq!(store.get(7, 18 * MS), Lookup::Expired);
    }

    #[test]
    fn invalidate_removes_only_that_key() {
        let (mut store, mut rng) = filled(Eviction::Lru, &[1, 2, 3]);
        assert!(store.invalidate(2));
        assert!(!store.invalidate(2));
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.insert(4, 0, &mut rng),
            None,
            "the freed slot takes it"
        );
        assert_eq!(store.get(2, 0), Lookup::Miss);
        assert_eq!(store.insert(5, 0, &mut rng), Some(1));
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let mut rng = rng();
        for eviction in [
            Eviction::Lru,
            Eviction::Lfu,
            Eviction::Fifo,
            Eviction::Random,
            Eviction::Sieve,
            Eviction::WTinyLfu,
        ] {
            let mut store = CacheStore::new(0, eviction, None);
            assert_eq!(store.insert(1, 0, &mut rng), None);
            assert_eq!(store.get(1, 0), Lookup::Miss);
            assert!(store.is_empty());
        }
    }

    #[test]
    fn capacity_is_never_exceeded_under_churn() {
        for eviction in [
            Eviction::Lru,
            Eviction::Lfu,
            Eviction::Fifo,
            Eviction::Random,
            Eviction::Sieve,
            Eviction::WTinyLfu,
        ] {
            let mut rng = rng();
            let mut store = CacheStore::new(50, eviction, Some(30 * MS));
            let mut present = std::collections::BTreeSet::new();
            for step in 0..20_000u64 {
                let key = rng.below(200);
                let now = step * MS / 10;
                match rng.below(4) {
                    0 => {
                        if let Some(evicted) = store.insert(key, now, &mut rng) {
                            assert!(present.remove(&evicted), "{eviction:?} evicted a ghost");
                        }
                        present.insert(key);
                    }
                    1 => {
                        store.invalidate(key);
                        present.remove(&key);
                    }
                    _ => {
                        if store.get(key, now) != Lookup::Hit {
                            present.remove(&key);
                        }
                    }
                }
                assert!(store.len() <= 50, "{eviction:?}");
                assert_eq!(store.len(), present.len() as u64, "{eviction:?}");
            }
            assert!(
                store.evictions() > 0 && store.expirations() > 0,
                "{eviction:?}"
            );
        }
    }
}

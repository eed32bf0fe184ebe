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
//! `get` counts as a use (recency for LRU, frequency for LFU). `insert` of a key already present
//! rewrites it: its TTL restarts and it counts as a use, but a FIFO entry keeps its place in
//! line. A capacity of 0 stores nothing. Entries expire lazily: an entry written at `t` is a hit
//! before `t + ttl` and is removed (and counted as an expiration) by the first `get` at or after
//! it; until then it holds its slot and can be evicted like any other.
//!
//! Policies, and why they differ:
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
//!
//! Keys are found through a `HashMap` with the fixed [`FixedState`] hasher; the map is only ever
//! looked up, never iterated, so its layout cannot influence which key is evicted.
//! Slots are u32, so a store holds at most `u32::MAX - 1` entries whatever its capacity.

use std::collections::{BTreeSet, HashMap};

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

#[derive(Debug, Clone)]
pub struct CacheStore {
    capacity: u64,
    ttl: Option<SimTime>,
    slots: HashMap<u64, u32, FixedState>,
    entries: Vec<Entry>,
    free: Vec<u32>,
    order: Order,
    /// Counts uses, giving LFU its recency tie-break.
    clock: u64,
    evictions: u64,
    expirations: u64,
}

const NIL: u32 = u32::MAX;
const MAX_ENTRIES: u64 = u32::MAX as u64 - 1;

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    expires_at: SimTime,
    /// List links (LRU, FIFO): towards the head (newer) and the tail (older).
    newer: u32,
    older: u32,
    /// LFU.
    frequency: u64,
    last_used: u64,
    /// Random: index in the dense member array.
    position: u32,
}

#[derive(Debug, Clone)]
enum Order {
    List {
        head: u32,
        tail: u32,
        move_on_use: bool,
    },
    Frequency(BTreeSet<(u64, u64, u32)>),
    Random(Vec<u32>),
}

impl CacheStore {
    pub fn new(capacity: u64, eviction: Eviction, ttl: Option<SimTime>) -> CacheStore {
        let order = match eviction {
            Eviction::Lru => Order::List {
                head: NIL,
                tail: NIL,
                move_on_use: true,
            },
            Eviction::Fifo => Order::List {
                head: NIL,
                tail: NIL,
                move_on_use: false,
            },
            Eviction::Lfu => Order::Frequency(BTreeSet::new()),
            Eviction::Random => Order::Random(Vec::new()),
        };
        CacheStore {
            capacity: capacity.min(MAX_ENTRIES),
            ttl,
            slots: HashMap::with_hasher(FixedState),
            entries: Vec::new(),
            free: Vec::new(),
            order,
            clock: 0,
            evictions: 0,
            expirations: 0,
        }
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
        let evicted = if self.len() >= self.capacity {
            let victim = self.victim(rng);
            let victim_key = self.entries[victim as usize].key;
            self.remove(victim);
            self.evictions += 1;
            Some(victim_key)
        } else {
            None
        };
        self.clock += 1;
        let entry = Entry {
            key,
            expires_at,
            newer: NIL,
            older: NIL,
            frequency: 1,
            last_used: self.clock,
            position: 0,
        };
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
        match &mut self.order {
            Order::List { .. } => self.push_head(slot),
            Order::Frequency(set) => {
                set.insert((1, self.clock, slot));
            }
            Order::Random(members) => {
                self.entries[slot as usize].position = members.len() as u32;
                members.push(slot);
            }
        }
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
        let clock = self.clock;
        match &mut self.order {
            Order::List { move_on_use, .. } => {
                if *move_on_use {
                    self.unlink(slot);
                    self.push_head(slot);
                }
            }
            Order::Frequency(set) => {
                let entry = &mut self.entries[slot as usize];
                set.remove(&(entry.frequency, entry.last_used, slot));
                entry.frequency += 1;
                entry.last_used = clock;
                set.insert((entry.frequency, entry.last_used, slot));
            }
            Order::Random(_) => {}
        }
    }

    /// The slot to evict; only called when the store is non-empty.
    fn victim(&mut self, rng: &mut SimRng) -> u32 {
        match &self.order {
            Order::List { tail, .. } => *tail,
            Order::Frequency(set) => set.first().map(|&(_, _, slot)| slot).unwrap_or(NIL),
            Order::Random(members) => members[rng.below(members.len() as u64) as usize],
        }
    }

    fn remove(&mut self, slot: u32) {
        let entry = self.entries[slot as usize];
        match &mut self.order {
            Order::List { .. } => self.unlink(slot),
            Order::Frequency(set) => {
                set.remove(&(entry.frequency, entry.last_used, slot));
            }
            Order::Random(members) => {
                members.swap_remove(entry.position as usize);
                if let Some(&moved) = members.get(entry.position as usize) {
                    self.entries[moved as usize].position = entry.position;
                }
            }
        }
        self.slots.remove(&entry.key);
        self.free.push(slot);
    }

    fn push_head(&mut self, slot: u32) {
        let Order::List { head, tail, .. } = &mut self.order else {
            return;
        };
        self.entries[slot as usize].newer = NIL;
        self.entries[slot as usize].older = *head;
        if *head != NIL {
            self.entries[*head as usize].newer = slot;
        }
        *head = slot;
        if *tail == NIL {
            *tail = slot;
        }
    }

    fn unlink(&mut self, slot: u32) {
        let Order::List { head, tail, .. } = &mut self.order else {
            return;
        };
        let Entry { newer, older, .. } = self.entries[slot as usize];
        if newer != NIL {
            self.entries[newer as usize].older = older;
        } else {
            *head = older;
        }
        if older != NIL {
            self.entries[older as usize].newer = newer;
        } else {
            *tail = newer;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;

    const MS: SimTime = 1_000_000;

    fn rng() -> SimRng {
        SimRng::derive(5, 0, StreamKind::Node, 2)
    }

    fn filled(eviction: Eviction, keys: &[u64]) -> (CacheStore, SimRng) {
        let mut rng = rng();
        let mut store = CacheStore::new(keys.len() as u64, eviction, None);
        for &key in keys {
            assert_eq!(store.insert(key, 0, &mut rng), None);
        }
        (store, rng)
    }

    #[test]
    fn lru_evicts_least_recently_used() {
        let (mut store, mut rng) = filled(Eviction::Lru, &[1, 2, 3]);
        assert_eq!(store.get(1, 0), Lookup::Hit);
        assert_eq!(store.insert(4, 0, &mut rng), Some(2));
        assert_eq!(store.insert(5, 0, &mut rng), Some(3));
        assert_eq!(store.get(3, 0), Lookup::Miss);
        assert_eq!(store.insert(6, 0, &mut rng), Some(1));
        assert_eq!(store.evictions(), 3);
    }

    #[test]
    fn fifo_evicts_oldest_write_even_if_used() {
        let (mut store, mut rng) = filled(Eviction::Fifo, &[1, 2, 3]);
        assert_eq!(store.get(1, 0), Lookup::Hit);
        assert_eq!(store.insert(4, 0, &mut rng), Some(1));
        assert_eq!(store.insert(1, 0, &mut rng), Some(2));
        assert_eq!(store.insert(5, 0, &mut rng), Some(3));
    }

    #[test]
    fn lfu_evicts_least_frequent_then_least_recent() {
        let (mut store, mut rng) = filled(Eviction::Lfu, &[1, 2, 3]);
        store.get(1, 0);
        store.get(1, 0);
        store.get(2, 0);
        // Frequencies 1:3, 2:2, 3:1.
        assert_eq!(store.insert(4, 0, &mut rng), Some(3));
        // 4 has frequency 1: the newcomer goes first.
        assert_eq!(store.insert(5, 0, &mut rng), Some(4));
        // Ties on frequency: the least recently used of them goes.
        let (mut store, mut rng) = filled(Eviction::Lfu, &[1, 2, 3]);
        assert_eq!(store.insert(4, 0, &mut rng), Some(1));
        store.get(2, 0);
        store.get(3, 0);
        store.get(4, 0);
        store.get(4, 0);
        assert_eq!(store.insert(5, 0, &mut rng), Some(2));
    }

    #[test]
    fn random_eviction_is_uniform_and_reproducible() {
        let mut counts = [0u32; 4];
        let mut trial_rng = rng();
        for trial in 0..8_000u64 {
            let mut store = CacheStore::new(4, Eviction::Random, None);
            for key in 0..4 {
                store.insert(key, 0, &mut trial_rng);
            }
            let victim = store.insert(100 + trial, 0, &mut trial_rng).unwrap();
            counts[victim as usize] += 1;
        }
        for c in counts {
            assert!((1_850..2_150).contains(&c), "{counts:?}");
        }
        let run = || {
            let mut rng = rng();
            let mut store = CacheStore::new(10, Eviction::Random, None);
            (0..100)
                .filter_map(|key| store.insert(key, 0, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
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

    /// Hit ratio of a store of `capacity` under Zipf(1) requests over `keys` keys.
    fn zipf_hit_ratio(eviction: Eviction, keys: u64, capacity: u64) -> f64 {
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
    fn lfu_beats_lru_on_stable_zipf_popularity() {
        let lfu = zipf_hit_ratio(Eviction::Lfu, 2_000, 100);
        let lru = zipf_hit_ratio(Eviction::Lru, 2_000, 100);
        let fifo = zipf_hit_ratio(Eviction::Fifo, 2_000, 100);
        // The 100 most popular of 2000 Zipf(1) keys get about 63% of requests: LFU's ceiling.
        assert!(
            lfu >= lru && lru >= fifo * 0.98,
            "lfu {lfu} lru {lru} fifo {fifo}"
        );
        assert!((0.55..0.66).contains(&lfu), "lfu {lfu}");
    }
}

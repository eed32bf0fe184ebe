//! **W-TinyLFU** as Caffeine implements it (Einziger, Friedman & Manes, "TinyLFU: A Highly
//! Efficient Cache Admission Policy", 2017; Caffeine's `BoundedLocalCache` and
//! `FrequencySketch`):
//!
//! - a **window** LRU of 1% of the capacity (`capacity − ⌊0.99 · capacity⌋`, at least one
//!   entry) where every new entry starts;
//! - a **main** space, a segmented LRU: *probation* and *protected* (80% of the main space).
//!   An entry leaving the window enters probation; a hit in probation promotes it to
//!   protected, whose overflow is demoted back to probation's most recent end;
//! - **admission**: when the window's oldest entry (the candidate) would push the main space
//!   over its size, it competes with probation's oldest entry (the victim) on their estimated
//!   access frequencies in a count-min sketch ([`FrequencySketch`]); the candidate is admitted
//!   only if it is strictly more frequent (or, when both are frequent, by a 1-in-128 chance,
//!   Caffeine's guard against hash flooding). The loser is evicted.
//!
//! Every hit and every write of a key counts one access in the sketch. Caffeine's hill
//! climber, which resizes the window at run time, is not modelled: the window stays at 1%.

use super::{Order, slot_mut};
use crate::rng::SimRng;

const NIL: u32 = u32::MAX;

/// Caffeine's share of the capacity for the main space, and protected's share of main.
const PERCENT_MAIN: f64 = 0.99;
const PERCENT_MAIN_PROTECTED: f64 = 0.80;
/// A candidate at least this frequent, but not more than the victim, is admitted at random.
const ADMIT_HASHDOS_THRESHOLD: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    Window,
    Probation,
    Protected,
}

/// One LRU list threaded through the shared links: most recent at the head.
#[derive(Debug, Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
    len: u64,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
        len: 0,
    };
}

#[derive(Debug, Clone)]
pub struct WTinyLfu {
    window_max: u64,
    protected_max: u64,
    main_max: u64,
    window: List,
    probation: List,
    protected: List,
    /// Per slot: (towards the head, towards the tail), its segment and its key.
    links: Vec<(u32, u32)>,
    segment: Vec<Segment>,
    keys: Vec<u64>,
    sketch: FrequencySketch,
}

impl WTinyLfu {
    pub fn new(capacity: u64) -> WTinyLfu {
        let window_max = capacity - (PERCENT_MAIN * capacity as f64) as u64;
        let main_max = capacity - window_max;
        WTinyLfu {
            window_max,
            protected_max: (PERCENT_MAIN_PROTECTED * main_max as f64) as u64,
            main_max,
            window: List::EMPTY,
            probation: List::EMPTY,
            protected: List::EMPTY,
            links: Vec::new(),
            segment: Vec::new(),
            keys: Vec::new(),
            sketch: FrequencySketch::new(capacity),
        }
    }

    fn list(&mut self, segment: Segment) -> &mut List {
        match segment {
            Segment::Window => &mut self.window,
            Segment::Probation => &mut self.probation,
            Segment::Protected => &mut self.protected,
        }
    }

    fn push_head(&mut self, segment: Segment, slot: u32) {
        let head = self.list(segment).head;
        *slot_mut(&mut self.links, slot, (NIL, NIL)) = (NIL, head);
        *slot_mut(&mut self.segment, slot, segment) = segment;
        if head != NIL {
            self.links[head as usize].0 = slot;
        }
        let list = self.list(segment);
        list.head = slot;
        if list.tail == NIL {
            list.tail = slot;
        }
        list.len += 1;
    }

    fn unlink(&mut self, slot: u32) {
        let segment = self.segment[slot as usize];
        let (newer, older) = self.links[slot as usize];
        if newer != NIL {
            self.links[newer as usize].1 = older;
        } else {
            self.list(segment).head = older;
        }
        if older != NIL {
            self.links[older as usize].0 = newer;
        } else {
            self.list(segment).tail = newer;
        }
        self.list(segment).len -= 1;
    }

    fn move_to(&mut self, slot: u32, segment: Segment) {
        self.unlink(slot);
        self.push_head(segment, slot);
    }

    /// Protected over its size: its least recent entries go back to probation's head.
    fn demote_from_protected(&mut self) {
        while self.protected.len > self.protected_max {
            let oldest = self.protected.tail;
            self.move_to(oldest, Segment::Probation);
        }
    }

    /// Caffeine's `admit`: is the candidate worth more than the victim?
    fn admit(&self, candidate: u32, victim: u32, rng: &mut SimRng) -> bool {
        let victim_frequency = self.sketch.frequency(self.keys[victim as usize]);
        let candidate_frequency = self.sketch.frequency(self.keys[candidate as usize]);
        if candidate_frequency > victim_frequency {
            true
        } else if candidate_frequency >= ADMIT_HASHDOS_THRESHOLD {
            rng.below(128) == 0
        } else {
            false
        }
    }

    /// Main space's next victim: probation's oldest, else protected's.
    fn main_victim(&self) -> u32 {
        if self.probation.tail != NIL {
            self.probation.tail
        } else {
            self.protected.tail
        }
    }
}

impl Order for WTinyLfu {
    fn incoming(&mut self, key: u64) {
        self.sketch.increment(key);
    }

    fn inserted(&mut self, slot: u32, key: u64, _clock: u64) {
        *slot_mut(&mut self.keys, slot, key) = key;
        self.push_head(Segment::Window, slot);
        // The window's overflow enters the main space on probation (room was made for it by
        // `victim` when the cache was full).
        while self.window.len > self.window_max {
            let oldest = self.window.tail;
            self.move_to(oldest, Segment::Probation);
        }
    }

    fn used(&mut self, slot: u32, key: u64, _clock: u64) {
        self.sketch.increment(key);
        match self.segment[slot as usize] {
            Segment::Window => self.move_to(slot, Segment::Window),
            Segment::Probation => {
                self.move_to(slot, Segment::Protected);
                self.demote_from_protected();
            }
            Segment::Protected => self.move_to(slot, Segment::Protected),
        }
    }

    fn removed(&mut self, slot: u32) {
        self.unlink(slot);
    }

    /// The cache is full and a new entry is coming into the window.
    fn victim(&mut self, rng: &mut SimRng) -> u32 {
        let main_len = self.probation.len + self.protected.len;
        if self.window.len < self.window_max || self.window.tail == NIL {
            // The window has room: the main space is over its share; its victim goes.
            return self.main_victim();
        }
        // The window's oldest must move to main, which is full: candidate against victim.
        let candidate = self.window.tail;
        if main_len < self.main_max || main_len == 0 {
            // Main has room (or none at all, capacity 1): nothing to compete with.
            return if main_len == 0 {
                candidate
            } else {
                self.main_victim()
            };
        }
        let victim = self.main_victim();
        if self.admit(candidate, victim, rng) {
            self.move_to(candidate, Segment::Probation);
            victim
        } else {
            candidate
        }
    }
}

/// Caffeine's `FrequencySketch` (2.x): a count-min sketch of 4-bit counters, sixteen to a
/// 64-bit word, in a table of `next_power_of_two(capacity)` words. An item's four counters
/// sit in four words picked by four seeded hashes, at nibble `start + i` where `start` is
/// chosen by its hash. Its frequency is the least of them (count-min never under-counts).
/// After `10 · capacity` increments the sketch *ages*: every counter is halved, so old
/// popularity fades (the reset of TinyLFU).
#[derive(Debug, Clone)]
pub struct FrequencySketch {
    table: Vec<u64>,
    table_mask: u64,
    sample_size: u64,
    size: u64,
}

const SEED: [u64; 4] = [
    0xC3A5_C85C_97CB_3127,
    0xB492_B66F_BE98_F273,
    0x9AE1_6A3B_2F90_404F,
    0xCBF2_9CE4_8422_2325,
];
const RESET_MASK: u64 = 0x7777_7777_7777_7777;
const ONE_MASK: u64 = 0x1111_1111_1111_1111;

impl FrequencySketch {
    pub fn new(capacity: u64) -> FrequencySketch {
        let maximum = capacity.min((i32::MAX >> 1) as u64);
        let words = if maximum == 0 {
            1
        } else {
            maximum.next_power_of_two()
        };
        FrequencySketch {
            table: vec![0; words as usize],
            table_mask: words - 1,
            sample_size: if capacity == 0 { 10 } else { 10 * maximum },
            size: 0,
        }
    }

    /// Java's `Long.hashCode`, then Caffeine's `spread`.
    fn spread(key: u64) -> u32 {
        let mut x = (key ^ (key >> 32)) as u32;
        x = ((x >> 16) ^ x).wrapping_mul(0x045D_9F3B);
        x = ((x >> 16) ^ x).wrapping_mul(0x045D_9F3B);
        (x >> 16) ^ x
    }

    /// Word of the `i`-th counter (`item` is the spread hash, sign-extended as Java's int).
    fn index_of(&self, item: u32, i: usize) -> usize {
        let mut hash = (item as i32 as i64 as u64)
            .wrapping_add(SEED[i])
            .wrapping_mul(SEED[i]);
        hash = hash.wrapping_add(hash >> 32);
        (u64::from(hash as u32) & self.table_mask) as usize
    }

    /// Estimated accesses of `key` (0 to 15).
    pub fn frequency(&self, key: u64) -> u32 {
        let hash = Self::spread(key);
        let start = (hash & 3) << 2;
        (0..4)
            .map(|i| {
                let word = self.table[self.index_of(hash, i)];
                ((word >> ((start + i as u32) << 2)) & 0xF) as u32
            })
            .min()
            .unwrap_or(0)
    }

    /// Counts one access of `key`; ages the sketch every `sample_size` counted accesses.
    pub fn increment(&mut self, key: u64) {
        let hash = Self::spread(key);
        let start = (hash & 3) << 2;
        let mut added = false;
        for i in 0..4 {
            let index = self.index_of(hash, i);
            let offset = (start + i as u32) << 2;
            let mask = 0xFu64 << offset;
            if self.table[index] & mask != mask {
                self.table[index] += 1u64 << offset;
                added = true;
            }
        }
        if added {
            self.size += 1;
            if self.size == self.sample_size {
                self.reset();
            }
        }
    }

    /// Halves every counter (and the count of increments, less the odd halves lost).
    fn reset(&mut self) {
        let mut odd = 0u64;
        for word in &mut self.table {
            odd += u64::from((*word & ONE_MASK).count_ones());
            *word = (*word >> 1) & RESET_MASK;
        }
        self.size = (self.size >> 1) - (odd >> 2);
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Eviction;

    use super::super::tests::*;
    use super::super::{CacheStore, Lookup};
    use super::*;

    #[test]
    fn sizes_are_caffeines() {
        let policy = WTinyLfu::new(10);
        assert_eq!(
            (policy.window_max, policy.main_max, policy.protected_max),
            (1, 9, 7)
        );
        let policy = WTinyLfu::new(1_000);
        assert_eq!(
            (policy.window_max, policy.main_max, policy.protected_max),
            (10, 990, 792)
        );
        let sketch = FrequencySketch::new(1_000);
        assert_eq!((sketch.table.len(), sketch.sample_size), (1_024, 10_000));
    }

    #[test]
    fn sketch_counts_saturate_at_fifteen_and_never_undercount() {
        let mut sketch = FrequencySketch::new(512);
        for key in 0..200u64 {
            for _ in 0..(key % 7) {
                sketch.increment(key);
            }
        }
        for key in 0..200u64 {
            assert!(sketch.frequency(key) >= (key % 7) as u32, "key {key}");
        }
        for _ in 0..40 {
            sketch.increment(9_999);
        }
        assert_eq!(sketch.frequency(9_999), 15, "4-bit counters stop at 15");
    }

    #[test]
    fn sketch_halves_every_counter_after_ten_times_capacity_increments() {
        let mut sketch = FrequencySketch::new(4);
        // 4 words, sample size 40: 39 increments spread over keys, then one more ages it.
        for _ in 0..9 {
            sketch.increment(1);
        }
        let before = sketch.frequency(1);
        assert_eq!(before, 9);
        let mut key = 100;
        while sketch.size < sketch.sample_size - 1 {
            sketch.increment(key);
            key += 1;
        }
        assert!(sketch.frequency(1) >= 9);
        let at_reset = sketch.frequency(1);
        sketch.increment(key);
        // Halved (the last increment may have bumped one of key 1's counters first).
        let after = sketch.frequency(1);
        assert!(
            after == at_reset / 2 || after == at_reset.div_ceil(2),
            "{at_reset} → {after}"
        );
        assert!(sketch.size < sketch.sample_size / 2 + 1);
    }

    /// A store of 10 (window 1, probation + protected 9, protected at most 7) filled with keys
    /// 1..=10 in order: 10 in the window, 1..9 on probation (1 the oldest).
    fn filled_ten() -> (CacheStore, crate::rng::SimRng) {
        filled(Eviction::WTinyLfu, &(1..=10).collect::<Vec<_>>())
    }

    #[test]
    fn w_tinylfu_rejects_a_candidate_no_more_frequent_than_the_victim() {
        // Worked by hand from Caffeine's eviction (every key so far seen once; the sketch has
        // 16 words, so these few keys' estimates are exact, as the first asserts check).
        let (mut store, mut rng) = filled_ten();
        for _ in 0..3 {
            assert_eq!(store.get(1, 0), Lookup::Hit); // 1: probation → protected, frequency 4
        }
        // 11 comes in: candidate 10 (frequency 1) against probation's oldest, 2 (frequency 1):
        // not more frequent, so the candidate is evicted and 2 stays.
        assert_eq!(store.insert(11, 0, &mut rng), Some(10));
        // Same again for 11 when 12 comes.
        assert_eq!(store.insert(12, 0, &mut rng), Some(11));
        // 12 is read twice in the window (frequency 3): when 13 comes, 12 beats victim 2.
        assert_eq!(store.get(12, 0), Lookup::Hit);
        assert_eq!(store.get(12, 0), Lookup::Hit);
        assert_eq!(store.insert(13, 0, &mut rng), Some(2));
        assert_eq!(
            store.get(12, 0),
            Lookup::Hit,
            "12 was admitted to the main space"
        );
        // 1 stayed throughout: protected.
        assert_eq!(store.get(1, 0), Lookup::Hit);
    }

    #[test]
    fn w_tinylfu_demotes_protected_overflow_to_probation() {
        let (mut store, mut rng) = filled_ten();
        // Promote 1..=8 to protected (at most 7): 1, the least recent, is demoted.
        for key in 1..=8 {
            assert_eq!(store.get(key, 0), Lookup::Hit);
        }
        // Probation now holds 9 (older) and 1 (demoted to its recent end). A new key's
        // candidate 10 (frequency 1) faces victim 9 (frequency 1) and loses; then the next
        // candidate, 11, read 5 times, beats 9 ...
        assert_eq!(store.insert(11, 0, &mut rng), Some(10));
        for _ in 0..5 {
            assert_eq!(store.get(11, 0), Lookup::Hit);
        }
        assert_eq!(store.insert(12, 0, &mut rng), Some(9));
        // ... and the next candidate, 12 (frequency 1), faces 1 (frequency 2) and loses.
        assert_eq!(store.insert(13, 0, &mut rng), Some(12));
    }

    #[test]
    fn w_tinylfu_beats_lru_on_a_skewed_workload() {
        // TinyLFU's point: frequency-aware admission keeps the popular head of a Zipf
        // distribution, which LRU churns out on every burst of one-hit keys.
        let tiny = zipf_hit_ratio(Eviction::WTinyLfu, 1_000, 100);
        let lru = zipf_hit_ratio(Eviction::Lru, 1_000, 100);
        assert!(tiny > lru + 0.02, "w-tinylfu {tiny}, lru {lru}");
    }
}

//! **FIFO** evicts the oldest write, ignoring hits: the LRU list (`lru.rs`) never reordered on
//! use. O(1).

use super::lru::Recency;

/// A FIFO order.
pub fn new() -> Recency {
    Recency::new(false)
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Eviction;

    use super::super::Lookup;
    use super::super::tests::*;

    #[test]
    fn fifo_evicts_oldest_write_even_if_used() {
        let (mut store, mut rng) = filled(Eviction::Fifo, &[1, 2, 3]);
        assert_eq!(store.get(1, 0), Lookup::Hit);
        assert_eq!(store.insert(4, 0, &mut rng), Some(1));
        assert_eq!(store.insert(1, 0, &mut rng), Some(2));
        assert_eq!(store.insert(5, 0, &mut rng), Some(3));
    }
}

//! Arenas of reusable slots addressed by generation-checked handles.
//!
//! Requests come and go millions of times per run; a slab keeps their records in one `Vec` and
//! reuses freed slots, so the hot path never allocates once the slab has reached the peak number
//! of live records. A handle carries the slot's generation: when a slot is freed its generation
//! moves on, so a late event that still names the old occupant (a reply after a timeout, a
//! service completion for a cancelled request) finds a mismatch and is ignored instead of acting
//! on whatever reuses the slot.

/// A reference to a slab slot: index plus the generation it was issued for. 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Handle {
    pub index: u32,
    pub generation: u32,
}

impl Handle {
    /// A handle that never matches a live slot.
    pub const NONE: Handle = Handle {
        index: u32::MAX,
        generation: u32::MAX,
    };

    pub fn is_none(self) -> bool {
        self.index == u32::MAX
    }
}

#[derive(Debug)]
struct Slot<T> {
    /// Odd while the slot holds a value, even while it is free: one comparison with a handle's
    /// (always odd) generation checks both that the slot is live and that it is the same
    /// occupant.
    generation: u32,
    value: T,
}

impl<T> Slot<T> {
    fn live(&self) -> bool {
        self.generation % 2 == 1
    }
}

/// Slots of `T`, reused through a free list.
#[derive(Debug)]
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: u32,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

impl<T> Slab<T> {
    /// Stores `value` and returns its handle.
    #[inline]
    pub fn insert(&mut self, value: T) -> Handle {
        self.live += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.generation = slot.generation.wrapping_add(1);
            slot.value = value;
            Handle {
                index,
                generation: slot.generation,
            }
        } else {
            let index = self.slots.len() as u32;
            self.slots.push(Slot {
                generation: 1,
                value,
            });
            Handle {
                index,
                generation: 1,
            }
        }
    }

    /// The value behind `handle`, if it is still the slot's occupant.
    #[inline]
    pub fn get(&self, handle: Handle) -> Option<&T> {
        match self.slots.get(handle.index as usize) {
            Some(slot) if slot.generation == handle.generation => Some(&slot.value),
            _ => None,
        }
    }

    #[inline]
    pub fn get_mut(&mut self, handle: Handle) -> Option<&mut T> {
        match self.slots.get_mut(handle.index as usize) {
            Some(slot) if slot.generation == handle.generation => Some(&mut slot.value),
            _ => None,
        }
    }

    /// Frees the slot; every outstanding handle to it goes stale. Returns false if the handle
    /// was already stale.
    #[inline]
    pub fn remove(&mut self, handle: Handle) -> bool {
        match self.slots.get_mut(handle.index as usize) {
            Some(slot) if slot.generation == handle.generation => {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(handle.index);
                self.live -= 1;
                true
            }
            _ => false,
        }
    }

    /// Number of live values.
    pub fn len(&self) -> u32 {
        self.live
    }

    /// Slots ever allocated: the peak number of live values.
    #[cfg(test)]
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Handles of every live value, in slot order (deterministic).
    pub fn handles(&self) -> Vec<Handle> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.live())
            .map(|(index, slot)| Handle {
                index: index as u32,
                generation: slot.generation,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused_and_old_handles_go_stale() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        assert!(slab.remove(a));
        let c = slab.insert("c");
        assert_eq!(c.index, a.index, "the freed slot is reused");
        assert_eq!(slab.get(a), None, "the old handle no longer resolves");
        assert_eq!(slab.get(c), Some(&"c"));
        assert_eq!(slab.get(b), Some(&"b"));
        assert!(
            !slab.remove(a),
            "removing through a stale handle does nothing"
        );
        assert_eq!(slab.len(), 2);
    }

    #[test]
    fn a_freed_slot_resolves_no_handle_until_reused() {
        let mut slab = Slab::default();
        let a = slab.insert(7u32);
        assert!(slab.remove(a));
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get_mut(a), None);
        assert!(slab.handles().is_empty());
        let b = slab.insert(8);
        assert_eq!(b.index, a.index);
        assert_ne!(b.generation, a.generation);
        assert_eq!(slab.get(b), Some(&8));
    }

    #[test]
    fn none_handle_never_resolves() {
        let mut slab = Slab::default();
        slab.insert(1u8);
        assert!(Handle::NONE.is_none());
        assert_eq!(slab.get(Handle::NONE), None);
    }

    #[test]
    fn handles_lists_live_values_in_slot_order() {
        let mut slab = Slab::default();
        let a = slab.insert(1);
        let b = slab.insert(2);
        let c = slab.insert(3);
        slab.remove(b);
        assert_eq!(slab.handles(), vec![a, c]);
    }
}

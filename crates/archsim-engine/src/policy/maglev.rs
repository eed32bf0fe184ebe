//! **Maglev** lookup tables (Eisenbud et al., NSDI'16, §3.4, pseudocode listing 1), built as
//! Envoy's `MaglevTable` builds them.
//!
//! Every member, named by its id, gets a permutation of the table's `M` entries (`M` prime):
//! `offset = xxh64(name, 0) mod M`, `skip = xxh64(name, 1) mod (M − 1) + 1`, and its `j`-th
//! preference is `(offset + j · skip) mod M`. The members take turns claiming their next
//! preferred entry that is still empty until the table is full, so each member holds `M/n`
//! entries (±1) and, when a member leaves, most other entries keep their owner. Weighted as
//! Envoy does: in turn `t` a member of weight `w` claims only when `t · w ≥ target`, its target
//! starting at, and growing by, the largest weight — a member of half the largest weight
//! claims every other turn.
//!
//! API: [`MaglevTable::new`]`(members)`, [`MaglevTable::owner`]`(hash)` = `table[hash mod M]`,
//! O(1). Building costs `O(M log M)` on average.

use crate::policy::hash::xxh64;

/// One member of a table: its name (id, salted) and weight (0 takes no entries).
#[derive(Debug, Clone, Copy)]
pub struct MaglevMember<'a> {
    /// The index the table returns for this member.
    pub index: u32,
    pub name: &'a str,
    pub weight: u32,
}

#[derive(Debug, Clone)]
pub struct MaglevTable {
    /// `entries[i]` is the member index owning entry `i`; empty when no member has weight.
    entries: Vec<u32>,
}

impl MaglevTable {
    /// The table of `size` entries (a prime; validation sees to it) over `members`.
    pub fn new(members: &[MaglevMember<'_>], size: u32) -> MaglevTable {
        let size = u64::from(size.max(2));
        let members: Vec<&MaglevMember<'_>> = members.iter().filter(|m| m.weight > 0).collect();
        if members.is_empty() {
            return MaglevTable {
                entries: Vec::new(),
            };
        }
        let max_weight = u64::from(members.iter().map(|m| m.weight).max().unwrap_or(1));
        struct Builder {
            offset: u64,
            skip: u64,
            next: u64,
            weight: u64,
            target: u64,
        }
        let mut builders: Vec<Builder> = members
            .iter()
            .map(|member| Builder {
                offset: xxh64(member.name.as_bytes(), 0) % size,
                skip: xxh64(member.name.as_bytes(), 1) % (size - 1) + 1,
                next: 0,
                weight: u64::from(member.weight),
                target: max_weight,
            })
            .collect();
        const EMPTY: u32 = u32::MAX;
        let mut entries = vec![EMPTY; size as usize];
        let mut filled = 0u64;
        let mut turn = 1u64;
        while filled < size {
            for (builder, member) in builders.iter_mut().zip(&members) {
                if turn * builder.weight < builder.target {
                    continue;
                }
                builder.target += max_weight;
                let mut entry = (builder.offset + builder.next * builder.skip) % size;
                while entries[entry as usize] != EMPTY {
                    builder.next += 1;
                    entry = (builder.offset + builder.next * builder.skip) % size;
                }
                entries[entry as usize] = member.index;
                builder.next += 1;
                filled += 1;
                if filled == size {
                    break;
                }
            }
            turn += 1;
        }
        MaglevTable { entries }
    }

    /// The member owning `hash`; None for a table without members.
    pub fn owner(&self, hash: u64) -> Option<u32> {
        if self.entries.is_empty() {
            return None;
        }
        Some(self.entries[(hash % self.entries.len() as u64) as usize])
    }

    /// Entries held by each of `members` members.
    pub fn entries_per_member(&self, members: usize) -> Vec<u32> {
        let mut counts = vec![0u32; members];
        for &owner in &self.entries {
            counts[owner as usize] += 1;
        }
        counts
    }

    #[cfg(test)]
    fn entries(&self) -> &[u32] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members<'a>(names: &'a [String], weights: &[u32]) -> Vec<MaglevMember<'a>> {
        names
            .iter()
            .zip(weights)
            .enumerate()
            .map(|(index, (name, &weight))| MaglevMember {
                index: index as u32,
                name,
                weight,
            })
            .collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("backend-{i}")).collect()
    }

    /// The paper's listing 1, written out as plainly as the paper has it, for unweighted
    /// members: the table must be exactly this.
    // Index loops, as the paper writes them, so the two can be read side by side.
    #[allow(clippy::needless_range_loop)]
    fn paper_listing_1(names: &[String], size: u64) -> Vec<u32> {
        let offset: Vec<u64> = names
            .iter()
            .map(|n| xxh64(n.as_bytes(), 0) % size)
            .collect();
        let skip: Vec<u64> = names
            .iter()
            .map(|n| xxh64(n.as_bytes(), 1) % (size - 1) + 1)
            .collect();
        let permutation = |i: usize, j: u64| (offset[i] + j * skip[i]) % size;
        let mut next = vec![0u64; names.len()];
        let mut entry = vec![-1i64; size as usize];
        let mut n = 0;
        loop {
            for i in 0..names.len() {
                let mut c = permutation(i, next[i]);
                while entry[c as usize] >= 0 {
                    next[i] += 1;
                    c = permutation(i, next[i]);
                }
                entry[c as usize] = i as i64;
                next[i] += 1;
                n += 1;
                if n == size {
                    return entry.into_iter().map(|e| e as u32).collect();
                }
            }
        }
    }

    #[test]
    fn maglev_table_is_the_papers_population_for_equal_weights() {
        for (n, size) in [(3, 7u32), (5, 65_537), (7, 251), (40, 65_537)] {
            let names = names(n);
            let table = MaglevTable::new(&members(&names, &vec![1; n]), size);
            assert_eq!(
                table.entries(),
                paper_listing_1(&names, u64::from(size)),
                "{n} members, size {size}"
            );
        }
    }

    #[test]
    fn maglev_offsets_and_skips_are_envoys() {
        // Envoy: offset = xxHash64(address) % M, skip = xxHash64(address, 1) % (M - 1) + 1.
        // From libxxhash 0.8.1: "api-7" → offset 22302, skip 50643; "api-8" → 3895, 35045.
        // Members take turns, so each one's first two claims are its first two preferences.
        let names = vec!["api-7".to_string(), "api-8".to_string()];
        let table = MaglevTable::new(&members(&names, &[1, 1]), 65_537);
        let entries = table.entries();
        assert_eq!(entries[22_302], 0);
        assert_eq!(entries[(22_302 + 50_643) % 65_537], 0);
        assert_eq!(entries[3_895], 1);
        assert_eq!(entries[3_895 + 35_045], 1);
    }

    #[test]
    fn maglev_entries_are_shared_within_one_of_each_other() {
        for n in [2usize, 3, 10, 37] {
            let table = MaglevTable::new(&members(&names(n), &vec![1; n]), 65_537);
            let counts = table.entries_per_member(n);
            let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(max - min <= 1, "{n} members: {counts:?}");
        }
    }

    #[test]
    fn maglev_weights_share_entries_in_proportion() {
        let table = MaglevTable::new(&members(&names(3), &[1, 2, 4]), 65_537);
        let counts = table.entries_per_member(3);
        // 1:2:4 of 65537 = 9362.4, 18724.9, 37449.7; each claims once per 4, 2 or 1 turns.
        for (count, expected) in counts.iter().zip([9_362.4, 18_724.9, 37_449.7]) {
            assert!((f64::from(*count) - expected).abs() <= 2.0, "{counts:?}");
        }
        let drained = MaglevTable::new(&members(&names(3), &[1, 0, 1]), 251);
        assert_eq!(
            drained.entries_per_member(3)[1],
            0,
            "weight 0 takes no entries"
        );
    }

    #[test]
    fn maglev_removing_a_member_keeps_most_other_entries() {
        // The paper's figure: with M ≫ n, few entries of the remaining members change owner.
        let all = names(10);
        let before = MaglevTable::new(&members(&all, &[1; 10]), 65_537);
        let mut weights = [1; 10];
        weights[4] = 0;
        let after = MaglevTable::new(&members(&all, &weights), 65_537);
        let disrupted = before
            .entries()
            .iter()
            .zip(after.entries())
            .filter(|&(&b, &a)| b != 4 && b != a)
            .count();
        // Entries that stayed with their owner: far more than the 1/n that must move.
        let share = disrupted as f64 / 65_537.0;
        assert!(
            share < 0.05,
            "{share} of entries of remaining members moved"
        );
    }

    #[test]
    fn maglev_table_without_members_owns_nothing() {
        assert_eq!(MaglevTable::new(&[], 7).owner(3), None);
        let names = names(2);
        assert_eq!(
            MaglevTable::new(&members(&names, &[0, 0]), 7).owner(3),
            None
        );
    }
}

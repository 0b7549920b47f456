//! An index of hashes to small ids (shapes, interned texts): open addressing, probed linearly,
//! each slot the hash's high bits and an id. Its slots are a table of its own, so that a loop
//! that knows the hashes of the rows to come can ask the cache for their places ahead
//! ([`HashIndex::prefetch`]). The ids are `0..len`, in the order
//! they were added; what they name (and its hash) is kept by the owner.

use super::rows::NONE;

#[derive(Default)]
pub(crate) struct HashIndex {
    /// At most half full; `(0, NONE)` is empty.
    slots: Vec<(u32, u32)>,
    len: usize,
}

/// The high bits of a hash, kept in its slot (the low bits choose the slot).
fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

impl HashIndex {
    /// The id of hash `hash` for which `is` holds, or the slot where it would be added.
    pub fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut slot = hash as usize & mask;
        while let Some(&(t, id)) = self.slots.get(slot) {
            if id == NONE {
                return Err(slot);
            }
            if t == tag(hash) && is(id) {
                return Ok(id);
            }
            slot = (slot + 1) & mask;
        }
        Err(slot)
    }

    /// Adds the next id (`len`), of hash `hash`, at the slot [`HashIndex::find`] gave; when the
    /// index grows, every id is placed again by its hash, `hash_of(id)`.
    pub fn add(&mut self, slot: usize, hash: u64, hash_of: impl Fn(u32) -> u64) -> u32 {
        debug_assert!(self.len < NONE as usize, "as many ids as `NONE`");
        debug_assert!(self.slots.get(slot).is_none_or(|s| s.1 == NONE), "a slot taken since it was found");
        let id = self.len as u32;
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            self.slots = vec![(0, NONE); size];
            for id in 0..self.len as u32 {
                let hash = if id as usize + 1 == self.len { hash } else { hash_of(id) };
                let mut slot = hash as usize & (size - 1);
                while self.slots[slot].1 != NONE {
                    slot = (slot + 1) & (size - 1);
                }
                self.slots[slot] = (tag(hash), id);
            }
        } else if let Some(s) = self.slots.get_mut(slot) {
            *s = (tag(hash), id);
        }
        id
    }

    /// Asks the cache for what finding hash `hash` reads: its first slot, or (`found`, once the
    /// slot has come) what the id in it names among the owner's `items` — when the slot's high
    /// bits are the hash's, most often the id [`HashIndex::find`] will give.
    pub fn prefetch<T>(&self, hash: u64, found: bool, items: &[T]) {
        let Some(slot) = self.slots.get(hash as usize & self.slots.len().wrapping_sub(1)) else { return };
        let (t, id) = *slot;
        if !found {
            crate::prefetch::prefetch(slot);
        } else if let Some(item) = items.get(id as usize).filter(|_| id != NONE && t == tag(hash)) {
            crate::prefetch::prefetch_all(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids are found by hash and told apart by `is`, among hashes that share slots, high bits
    /// or the whole hash, across the index's growth.
    #[test]
    fn ids_are_found_by_their_hash_and_told_apart_where_hashes_meet() {
        let hash_of = |k: u32| -> u64 {
            if k % 3 == 0 {
                7
            } else {
                u64::from(k % 50) << 32 | u64::from(k % 7)
            }
        };
        let mut index = HashIndex::default();
        let mut keys: Vec<u32> = Vec::new();
        for k in 0..1000u32 {
            let slot = index.find(hash_of(k), |id| keys[id as usize] == k).expect_err("new");
            let id = index.add(slot, hash_of(k), |id| hash_of(keys[id as usize]));
            assert_eq!(id as usize, keys.len());
            keys.push(k);
        }
        for k in 0..1000u32 {
            assert_eq!(index.find(hash_of(k), |id| keys[id as usize] == k), Ok(k));
        }
        assert!(index.find(hash_of(5000), |id| keys[id as usize] == 5000).is_err());
    }
}

//! Keys of a batch's rows (hashes of claim ids, of persons) brought together on every core:
//! which may occur more than once, found without a sort — two bitmaps — and a sort of the keys
//! that may. A key met once is certainly met once, so most rows of a batch of distinct ids and
//! persons (every row of W1) skip the sort. Claims and applications whose ids repeat are
//! invalid (`Batch::mark_duplicates`).

use super::outcomes;
use super::rows::{hash, NOT_ELIGIBLE};
use crate::assessment::Assessment;
use crate::claim::FieldError;
use crate::engine::Engine;
use crate::reasons::Status;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bits a key: a key met once shares its bit with another in about one case in this many.
const BITS_A_KEY: usize = 16;

/// The keys that may occur more than once.
pub(crate) struct Repeats {
    /// Bits of a key's slot: its top `shift`-complement bits.
    shift: u32,
    /// A bit set for each slot met twice or more (or by a key of `also`).
    twice: Vec<u64>,
}

impl Repeats {
    /// The keys of `keys` met more than once among them or met in `also`, and a few others.
    pub fn new(keys: &[u64], also: &[u64]) -> Repeats {
        Repeats::of(keys.len(), |i| Some(keys[i]), also)
    }

    /// [`Repeats::new`] of the keys `key` gives of items `0..n` (none for an item left out).
    pub fn of(n: usize, key: impl Fn(usize) -> Option<u64> + Sync, also: &[u64]) -> Repeats {
        let slots = n.saturating_mul(BITS_A_KEY).clamp(1 << 12, 1 << 30).next_power_of_two();
        let shift = 64 - slots.trailing_zeros();
        let words = slots / 64;
        let seen: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
        let twice: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
        let slot = |k: u64| ((k >> shift) as usize / 64, 1u64 << ((k >> shift) % 64));
        crate::parallel::chunks(n, |range| {
            for k in range.filter_map(&key) {
                let (w, bit) = slot(k);
                // Relaxed: every thread is joined before the bits are read.
                if seen[w].fetch_or(bit, Ordering::Relaxed) & bit != 0 {
                    twice[w].fetch_or(bit, Ordering::Relaxed);
                }
            }
        });
        for &k in also {
            let (w, bit) = slot(k);
            twice[w].fetch_or(bit, Ordering::Relaxed);
        }
        Repeats { shift, twice: twice.into_iter().map(AtomicU64::into_inner).collect() }
    }

    /// Whether `key` may occur more than once (false: it is met once, and not in `also`).
    pub fn maybe(&self, key: u64) -> bool {
        let s = (key >> self.shift) as usize;
        self.twice.get(s / 64).is_some_and(|w| w & (1 << (s % 64)) != 0)
    }
}

/// Sorts keys on every core: split in place by `top` (0..16, in the keys' order: their top four
/// bits), each part sorted on its own. No second buffer: the keys are the batch's largest
/// transient column.
pub(super) fn sort_keys<T: Ord + Copy + Send>(keys: &mut [T], top: impl Fn(T) -> usize) {
    if keys.len() < 1 << 16 {
        keys.sort_unstable();
        return;
    }
    let mut counts = [0usize; 16];
    for k in keys.iter() {
        counts[top(*k) & 15] += 1;
    }
    let mut ends = [0usize; 16];
    let mut next = [0usize; 16];
    let mut at = 0;
    for b in 0..16 {
        next[b] = at;
        at += counts[b];
        ends[b] = at;
    }
    // American flag sort's one pass: each key is swapped straight into its part.
    for b in 0..16 {
        while next[b] < ends[b] {
            let mut k = keys[next[b]];
            let mut t = top(k) & 15;
            while t != b {
                std::mem::swap(&mut k, &mut keys[next[t]]);
                next[t] += 1;
                t = top(k) & 15;
            }
            keys[next[b]] = k;
            next[b] += 1;
        }
    }
    let mut parts: Vec<&mut [T]> = Vec::with_capacity(16);
    let mut rest: &mut [T] = keys;
    for &count in &counts {
        let (part, tail) = rest.split_at_mut(count);
        parts.push(part);
        rest = tail;
    }
    let threads = crate::parallel::threads_for(parts.iter().map(|p| p.len()).sum());
    let mut groups: Vec<Vec<&mut [T]>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, part) in parts.into_iter().enumerate() {
        groups[i % threads].push(part);
    }
    // Each group is taken by the thread that sorts it; a group whose thread could not be
    // started is still there afterwards, and sorted here.
    let groups: Vec<std::sync::Mutex<Vec<&mut [T]>>> = groups.into_iter().map(std::sync::Mutex::new).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            groups.iter().skip(1).map(|g| std::thread::Builder::new().spawn_scoped(scope, || sort_parts(take_group(g)))).collect();
        for h in handles.into_iter().flatten() {
            h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
    });
    for g in &groups {
        sort_parts(take_group(g));
    }
    if !keys.windows(2).all(|w| w[0] <= w[1]) {
        keys.sort_unstable();
    }
}

/// The parts of a group, leaving it empty.
fn take_group<'s, T>(group: &std::sync::Mutex<Vec<&'s mut [T]>>) -> Vec<&'s mut [T]> {
    std::mem::take(&mut *group.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}

fn sort_parts<T: Ord>(parts: Vec<&mut [T]>) {
    for p in parts {
        p.sort_unstable();
    }
}

impl super::Batch<'_> {
    /// Every claim (and, apart, every application) whose id another of the batch also has is
    /// invalid (`duplicate_claim_id`), whatever the order.
    pub(super) fn mark_duplicates(&mut self) {
        use crate::claim::ClaimErrorKind;
        let rows = self.rows.len() as u32;
        let claims: Vec<u32> = super::table::duplicate_rows(self);
        let mut app_hashes: Vec<(u64, u32)> = self
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.app.application_id.is_empty())
            .map(|(i, a)| (hash(&a.app.application_id), i as u32))
            .collect();
        app_hashes.sort_unstable();
        let mut apps = Vec::new();
        for run in app_hashes.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            for &(_, i) in run {
                let id = &self.apps[i as usize].app.application_id;
                if run.iter().any(|&(_, j)| j != i && self.apps[j as usize].app.application_id == *id) {
                    apps.push(i);
                }
            }
        }
        let duplicate = |a: &mut Assessment, id: &str, trace: bool, engine: &Engine| {
            let error = FieldError::new(ClaimErrorKind::DuplicateClaimId, "claim_id", Some(id.to_string()));
            let mut errors = if a.status == Status::Invalid { std::mem::take(&mut a.errors) } else { Vec::new() };
            errors.push(error);
            let mut invalid = Assessment::invalid(errors);
            invalid.program_index = a.program_index;
            if trace {
                invalid.trace = Some(Box::new(engine.invalid_trace(&invalid)));
            }
            *a = invalid;
        };
        for row in claims.into_iter().filter(|&r| r < rows) {
            let id = self.claim_id(row).into_owned();
            let mut a = self.own.remove(&row).unwrap_or_else(|| outcomes::outcome_of(self, row));
            duplicate(&mut a, &id, self.trace.covers(&id), self.engine);
            self.own.insert(row, a);
            self.rows.decision[row as usize] = NOT_ELIGIBLE;
            self.rows.fen[row as usize] = 0;
        }
        for i in apps {
            let slot = &mut self.apps[i as usize];
            let id = slot.app.application_id.to_string();
            duplicate(&mut slot.assessment, &id, self.trace.covers(&id), self.engine);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_met_twice_or_also_elsewhere_may_repeat_and_most_others_do_not() {
        let mix = |i: u64| {
            let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            h ^ (h >> 29)
        };
        for n in [0u64, 1, 10, 100_000] {
            // Keys 0..n, with every tenth met twice; every seventh also elsewhere.
            let keys: Vec<u64> = (0..n).map(mix).chain((0..n).step_by(10).map(mix)).collect();
            let also: Vec<u64> = (0..n).step_by(7).map(mix).collect();
            let r = Repeats::new(&keys, &also);
            let mut false_alarms = 0;
            for i in 0..n {
                let repeats = i % 10 == 0 || i % 7 == 0;
                if repeats {
                    assert!(r.maybe(mix(i)), "key {i} of {n}");
                } else if r.maybe(mix(i)) {
                    false_alarms += 1;
                }
            }
            assert!(false_alarms * 8 <= n, "{false_alarms} of {n} keys met once said to repeat");
        }
    }
}

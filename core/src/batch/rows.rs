//! The claims of a batch held as compact columns (SPEC §13: bounded bytes a claim): small ids,
//! day numbers and amounts in fen, one entry per row, in input order. Text is kept once — the
//! claim ids and person ids in an arena of bytes, codes and names interned — and only where a
//! later pass reads it.
//!
//! A row points at a *raw* entry: what was read of it besides its ids and its fee (its shape,
//! its dates, its district). A row shares the raw entry of the last row of its shape when it has
//! the same dates and district (rows of one day: every row of a frame whose dates are one value,
//! say). Where there are four rows or more a raw entry, the records and the report take the
//! rows a raw entry at a time.

use super::index::HashIndex;
use crate::calendar::Date;
use crate::reasons::Reasons;
use compact_str::CompactString;

/// "None" for interned ids.
pub(crate) const NONE: u32 = u32::MAX;

/// A row's fee: none given.
pub(crate) const FEE_ABSENT: i64 = -1;

/// Strings to small ids.
#[derive(Default)]
pub(crate) struct Interner {
    index: HashIndex,
    pub(crate) names: Vec<CompactString>,
}

impl Interner {
    pub fn id(&mut self, s: &str) -> u32 {
        self.id_hashed(s, hash(s))
    }

    /// [`Interner::id`] of a text whose [`hash`] is `h` (made beforehand, on another thread say).
    pub fn id_hashed(&mut self, s: &str, h: u64) -> u32 {
        debug_assert_eq!(h, hash(s), "a hash of another text");
        let names = &self.names;
        let slot = match self.index.find(h, |id| names.get(id as usize).is_some_and(|n| n == s)) {
            Ok(id) => return id,
            Err(slot) => slot,
        };
        self.names.push(CompactString::from(s));
        let names = &self.names;
        self.index.add(slot, h, |id| names.get(id as usize).map_or(0, |n| hash(n)))
    }

    pub fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.id(s))
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("-", CompactString::as_str)
    }

    /// Asks the cache for what finding a text of hash `h` reads: its slot in the index, and
    /// (`name`, once the slot has come) the text the slot names.
    pub fn prefetch(&self, h: u64, name: bool) {
        self.index.prefetch(h, name, &self.names);
    }
}

/// Texts one after another in one buffer: a text costs its bytes and four more.
#[derive(Default, Clone)]
pub(crate) struct TextArena {
    /// The texts one after another (a `String`, so a text is read back without checking its
    /// UTF-8 again: only whole texts are pushed, so every range is on a character boundary).
    text: String,
    ends: Vec<u32>,
}

impl std::fmt::Debug for TextArena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextArena({} texts, {} bytes)", self.ends.len(), self.text.len())
    }
}

impl TextArena {
    /// Appends a text; false when the arena is full (4 GiB of text), the text then not kept.
    pub fn push(&mut self, s: &str) -> bool {
        let Ok(end) = u32::try_from(self.text.len() + s.len()) else {
            self.ends.push(self.ends.last().copied().unwrap_or(0));
            return false;
        };
        self.text.push_str(s);
        self.ends.push(end);
        true
    }

    /// Appends an integer's decimal digits as a text (as `n.to_string()` gives them).
    pub fn push_integer(&mut self, n: i64) -> bool {
        self.push(itoa::Buffer::new().format(n))
    }

    /// Appends texts `range` of `other`, each as [`Self::push`] appends it.
    pub fn extend_from(&mut self, other: &TextArena, range: std::ops::Range<usize>) {
        let Some(last) = range.end.checked_sub(1).filter(|_| !range.is_empty()) else { return };
        let start = if range.start == 0 { 0 } else { other.ends.get(range.start - 1).copied().unwrap_or(0) as usize };
        let end = other.ends.get(last).copied().unwrap_or(0) as usize;
        let base = self.text.len();
        match (other.text.get(start..end), u32::try_from(base + (end - start))) {
            (Some(text), Ok(_)) if range.end <= other.ends.len() => {
                self.text.push_str(text);
                self.ends.extend(other.ends[range].iter().map(|&e| (base + e as usize - start) as u32));
            }
            _ => range.for_each(|i| {
                self.push(other.get(i));
            }),
        }
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) as usize };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.text.get(start..end).unwrap_or_default()
    }

    /// Makes room, as far as memory allows (the arena still grows as it fills).
    pub fn reserve(&mut self, texts: usize, bytes: usize) {
        let _ = self.ends.try_reserve(texts);
        let _ = self.text.try_reserve(bytes);
    }
}

/// A date as a day number that orders as dates do, below 2^24 (claims' dates are years 1..9999).
pub(crate) fn days(d: Date) -> u32 {
    // Days from 0001-01-01 (CE); dates before it (never valid claims) all sort first.
    u32::try_from(chrono::Datelike::num_days_from_ce(&d)).unwrap_or(0).min((1 << 24) - 1)
}

/// What was read of a claim besides its ids and fee: its shape (what checks 1–5 and 7 and the
/// amount depend on), its dates, its district, and what its dates decide on their own (the claim
/// window, the account; the month of payment is `applied_on`'s plus its shape's lag).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Raw {
    /// Index into the batch's shapes. (A row that did not validate, or an apprenticeship, has
    /// no raw entry: its row's raw is `NONE`.)
    pub shape: u32,
    pub event_date: Date,
    pub applied_on: Date,
    pub district: u32,
    /// Check 6 (SPEC §7.1): applied before the event, or after the window closed.
    pub window: Reasons,
    /// The account of the program's fund in force on `applied_on`, when the program is paid
    /// from the special account.
    pub account: Option<u16>,
}

/// A row's decision: approved (its amount is in `fen`), or refused by checks 1–7 (its raw entry
/// says why) or by the cross-claim checks (the reason, as its index in [`crate::Reason::ALL`]).
pub(crate) type Decision = u8;
/// Approved, with the amount in `fen`.
pub(crate) const APPROVED: Decision = u8::MAX;
/// Refused by checks 1–7 or invalid: the raw entry (or the row's own assessment) says why.
pub(crate) const NOT_ELIGIBLE: Decision = u8::MAX - 1;

/// The per-row columns, in input order.
#[derive(Default)]
pub(crate) struct Rows {
    /// Index into the raw entries.
    pub raw: Vec<u32>,
    /// The fee paid (or [`FEE_ABSENT`]) as read; the amount once assessed.
    pub fen: Vec<i64>,
    /// A hash of the person id (persons are grouped by it; ids are compared only where hashes meet).
    pub person: Vec<u64>,
    pub enterprise: Vec<u32>,
    pub decision: Vec<Decision>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Makes room, as far as memory allows (the columns still grow as they fill).
    pub fn reserve(&mut self, n: usize) {
        let _ = self.raw.try_reserve(n);
        let _ = self.fen.try_reserve(n);
        let _ = self.person.try_reserve(n);
        let _ = self.enterprise.try_reserve(n);
        let _ = self.decision.try_reserve(n);
    }

    /// Appends rows, a column at a time (each as [`Self::push`]).
    pub fn extend(&mut self, raw: &[u32], fen: &[i64], person: &[u64], enterprise: &[u32]) {
        self.raw.extend_from_slice(raw);
        self.fen.extend_from_slice(fen);
        self.person.extend_from_slice(person);
        self.enterprise.extend_from_slice(enterprise);
        self.decision.resize(self.raw.len(), NOT_ELIGIBLE);
    }

    pub fn push(&mut self, raw: u32, fen: i64, person: u64, enterprise: u32) {
        self.raw.push(raw);
        self.fen.push(fen);
        self.person.push(person);
        self.enterprise.push(enterprise);
        self.decision.push(NOT_ELIGIBLE);
    }
}

/// A hash of a text that spreads over all 64 bits (persons are partitioned by its top bits).
pub(crate) fn hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    mix(rustc_hash::FxBuildHasher.hash_one(s))
}

/// An FxHash spread over all 64 bits: FxHash leaves the top bits weak for short keys (a 64-bit
/// finaliser).
pub(crate) fn mix(h: u64) -> u64 {
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arena_gives_back_each_text_whole() {
        let mut a = TextArena::default();
        for s in ["C1", "", "申请-7", "x"] {
            assert!(a.push(s));
        }
        assert_eq!((0..4).map(|i| a.get(i)).collect::<Vec<_>>(), ["C1", "", "申请-7", "x"]);
        assert_eq!(a.get(99), "");
    }

    #[test]
    fn integers_and_ranges_of_another_arena_are_pushed_as_their_texts() {
        let mut a = TextArena::default();
        for n in [0, 7, -7, 1234567890123, i64::MIN, i64::MAX] {
            assert!(a.push_integer(n));
        }
        let texts: Vec<String> = [0, 7, -7, 1234567890123, i64::MIN, i64::MAX].iter().map(i64::to_string).collect();
        assert_eq!((0..6).map(|i| a.get(i)).collect::<Vec<_>>(), texts);
        let mut b = TextArena::default();
        b.push("x");
        b.extend_from(&a, 2..5);
        b.extend_from(&a, 0..0);
        b.extend_from(&a, 0..1);
        assert_eq!((0..5).map(|i| b.get(i)).collect::<Vec<_>>(), ["x", "-7", "1234567890123", &texts[4], "0"]);
    }

    #[test]
    fn days_order_as_dates() {
        let d = |s: &str| crate::calendar::parse_date(s).unwrap();
        assert!(days(d("2021-01-01")) < days(d("2021-01-02")));
        assert!(days(d("2020-12-31")) < days(d("2021-01-01")));
        assert!(days(d("9999-12-31")) < 1 << 24);
    }
}

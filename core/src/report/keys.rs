//! Approved tallies by every key at once — program, level, district, occupation, month — so
//! that a report can be cut by several dimensions together (`district × program`), where its
//! single dimensions are sums over one key.
//!
//! A batch counts them by small indices; the names behind the indices are kept beside them and
//! a key is spelt out only when a cut is asked for: a year of claims has a few thousand keys,
//! and writing each one's five texts at every batch would cost more than the rest of the report.

use super::Tally;
use crate::calendar::YearMonth;
use std::collections::BTreeMap;

/// The dimensions of a key, in order (`fund` follows from the program).
pub const KEY_DIMENSIONS: [&str; 5] = ["program", "level", "district", "occupation", "month"];

/// Approved tallies by (program, level, district, occupation, month). `-` names a key a claim
/// does not have (a program without a level, a claim without a district).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct KeyTallies {
    /// The names of the program, level, district and occupation indices.
    names: [Vec<String>; 4],
    /// The indices, the month and the tally; a key may come more than once (after a merge),
    /// and is summed when read.
    entries: Vec<([u32; 4], YearMonth, Tally)>,
}

impl KeyTallies {
    /// Tallies over these names: programs, levels, districts, occupations.
    pub(crate) fn new(names: [Vec<String>; 4]) -> KeyTallies {
        KeyTallies { names, entries: Vec::new() }
    }

    /// Adds a key's tally (indices into the names).
    pub(crate) fn push(&mut self, keys: [u32; 4], month: YearMonth, tally: Tally) {
        self.entries.push((keys, month, tally));
    }

    /// Adds one claim's tally by the names of its key (program, level, district, occupation;
    /// `-` for one it does not have), as a report summed from recorded decisions counts them.
    pub fn add_named(&mut self, keys: [&str; 4], month: YearMonth, tally: Tally) {
        let index = std::array::from_fn(|d| match self.names[d].iter().position(|n| n == keys[d]) {
            Some(i) => i as u32,
            None => {
                self.names[d].push(keys[d].to_string());
                (self.names[d].len() - 1) as u32
            }
        });
        self.entries.push((index, month, tally));
    }

    /// Adds another report's tallies, its names mapped onto these.
    pub(crate) fn merge(&mut self, other: &KeyTallies) {
        let maps: Vec<Vec<u32>> = (0..4)
            .map(|d| {
                other.names[d]
                    .iter()
                    .map(|name| match self.names[d].iter().position(|n| n == name) {
                        Some(i) => i as u32,
                        None => {
                            self.names[d].push(name.clone());
                            (self.names[d].len() - 1) as u32
                        }
                    })
                    .collect()
            })
            .collect();
        for (keys, month, tally) in &other.entries {
            let mapped = std::array::from_fn(|d| maps[d].get(keys[d] as usize).copied().unwrap_or(u32::MAX));
            self.entries.push((mapped, *month, *tally));
        }
    }

    /// The tallies as data to send between processes (`report/wire.rs`): the names, then each
    /// entry as `[[program, level, district, occupation], month, count, amount]`.
    pub(crate) fn to_wire(&self) -> serde_json::Value {
        let entries: Vec<serde_json::Value> = self
            .entries
            .iter()
            .map(|(keys, month, t)| serde_json::json!([keys, month.to_string(), t.count, t.amount.to_string()]))
            .collect();
        serde_json::json!({ "names": self.names, "entries": entries })
    }

    /// Tallies from [`KeyTallies::to_wire`]; `None` when `value` is not one.
    pub(crate) fn from_wire(value: &serde_json::Value) -> Option<KeyTallies> {
        let names_of =
            |d: &serde_json::Value| -> Option<Vec<String>> { d.as_array()?.iter().map(|n| Some(n.as_str()?.to_string())).collect() };
        let names = value["names"].as_array()?;
        if names.len() != 4 {
            return None;
        }
        let names = [names_of(&names[0])?, names_of(&names[1])?, names_of(&names[2])?, names_of(&names[3])?];
        let mut entries = Vec::new();
        for e in value["entries"].as_array()? {
            let keys = e[0].as_array()?;
            if keys.len() != 4 {
                return None;
            }
            let key = |i: usize| -> Option<u32> { u32::try_from(keys[i].as_u64()?).ok() };
            let tally = Tally { count: e[2].as_u64()?, amount: e[3].as_str()?.parse().ok()? };
            entries.push(([key(0)?, key(1)?, key(2)?, key(3)?], YearMonth::parse(e[1].as_str()?)?, tally));
        }
        Some(KeyTallies { names, entries })
    }

    fn name(&self, dimension: usize, index: u32) -> &str {
        self.names[dimension].get(index as usize).map_or("-", String::as_str)
    }

    /// The tallies cut by these dimensions (indices into [`KEY_DIMENSIONS`]), each key's texts in
    /// that order.
    #[must_use]
    pub fn cut(&self, dimensions: &[usize]) -> BTreeMap<Vec<String>, Tally> {
        let mut out: BTreeMap<Vec<String>, Tally> = BTreeMap::new();
        for (keys, month, tally) in &self.entries {
            let key = dimensions.iter().map(|&d| if d == 4 { month.to_string() } else { self.name(d, keys[d]).to_string() }).collect();
            out.entry(key).or_default().merge(tally);
        }
        out
    }
}

/// Equal when every key's tally is: however the indices and names came to be.
impl PartialEq for KeyTallies {
    fn eq(&self, other: &KeyTallies) -> bool {
        let all = [0, 1, 2, 3, 4];
        self.cut(&all) == other.cut(&all)
    }
}

impl Eq for KeyTallies {}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    fn tally(count: u64, amount: i64) -> Tally {
        Tally { count, amount: Decimal::from(amount) }
    }

    #[test]
    fn tallies_merge_by_name_whatever_their_indices() {
        let names = |districts: &[&str]| {
            [vec!["p".to_string()], vec!["3".to_string()], districts.iter().map(|d| d.to_string()).collect(), vec!["occ".to_string()]]
        };
        let mut a = KeyTallies::new(names(&["梁溪区", "锡山区"]));
        a.push([0, 0, 1, 0], ym("2021-05"), tally(1, 100));
        let mut b = KeyTallies::new(names(&["锡山区", "-"]));
        b.push([0, 0, 0, 0], ym("2021-05"), tally(2, 50));
        b.push([0, 0, 1, 0], ym("2021-06"), tally(1, 7)); // a claim without a district
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&b);
        ba.merge(&a);
        assert_eq!(ab, ba);
        let by_district = ab.cut(&[2]);
        assert_eq!(by_district[&vec!["锡山区".to_string()]], tally(3, 150));
        assert_eq!(by_district[&vec!["-".to_string()]], tally(1, 7));
        assert_eq!(ab.cut(&[4, 0]).len(), 2);
    }
}

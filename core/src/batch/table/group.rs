//! The rows of a block grouped by the text of some of their fields, a column at a time: a column
//! of one text costs nothing, a dictionary-encoded column its codes, a text column a lookup a
//! row; each column then splits the groups the columns before it made. Rows in one group have
//! the same text in every one of those fields (rows in two groups may have it too: a dictionary
//! may hold one text twice; the caller finds such groups' fields equal).

use super::Chunk;
use crate::claim::Field;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// Pairs (group so far, a column's value) numbered through a table rather than a hash map while
/// there are at most this many.
const DENSE: usize = 1 << 16;

/// A block's rows by group.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Groups {
    /// Each row's group (the rows in block order), numbered in order of first appearance.
    pub of_row: Vec<u32>,
    /// Each group's first row, as an offset into the block.
    pub first: Vec<u32>,
}

/// Groups rows `rows` of `chunk` by the cells of `fields` (each with its column's dictionary,
/// when it has one), or `None` when a column of them gives neither one text, nor codes, nor
/// text or an integer for every row of the block (it is then read cell by cell).
pub(super) fn group(chunk: &Chunk<'_>, rows: Range<usize>, fields: &[Field], dictionaries: &[Option<Vec<&str>>]) -> Option<Groups> {
    let n = rows.len();
    let mut of_row = vec![0u32; n];
    let mut groups = usize::from(n > 0);
    let (mut values, mut texts, mut integers) = (Vec::with_capacity(n), Vec::new(), Vec::new());
    for (&field, dictionary) in fields.iter().zip(dictionaries) {
        let Some(column) = chunk.columns[field as usize] else { continue };
        if column.same_text(rows.clone()).is_some() {
            continue;
        }
        values.clear();
        let distinct = match dictionary {
            Some(d) if column.codes(rows.clone(), &mut values) => d.len(),
            _ => {
                texts.clear();
                integers.clear();
                if column.texts(rows.clone(), &mut texts) {
                    intern(&texts, &mut values)
                } else if column.integers(rows.clone(), &mut integers) {
                    // A number's text is its digits: equal numbers, equal texts.
                    intern(&integers, &mut values)
                } else {
                    return None;
                }
            }
        };
        if values.len() != n || values.iter().any(|&v| v as usize >= distinct) {
            return None;
        }
        groups = split(&mut of_row, &values, groups, distinct);
    }
    let mut first = vec![u32::MAX; groups];
    for (i, &g) in of_row.iter().enumerate() {
        if first[g as usize] == u32::MAX {
            first[g as usize] = i as u32;
        }
    }
    Some(Groups { of_row, first })
}

/// Each value's number (in order of first appearance) into `out`; how many distinct values.
fn intern<T: Copy + Eq + std::hash::Hash>(values: &[T], out: &mut Vec<u32>) -> usize {
    let mut seen: FxHashMap<T, u32> = FxHashMap::default();
    let mut last: Option<(T, u32)> = None;
    for &t in values {
        let id = match last {
            Some((l, id)) if l == t => id,
            _ => {
                let next = seen.len() as u32;
                *seen.entry(t).or_insert(next)
            }
        };
        last = Some((t, id));
        out.push(id);
    }
    seen.len()
}

/// Splits each row's group by its value (below `distinct`): the new groups, numbered in order
/// of first appearance; how many there are.
fn split(of_row: &mut [u32], values: &[u32], groups: usize, distinct: usize) -> usize {
    let mut next = 0u32;
    match groups.checked_mul(distinct).filter(|&cells| cells <= DENSE) {
        Some(cells) => {
            let mut table = vec![u32::MAX; cells];
            for (g, &v) in of_row.iter_mut().zip(values) {
                let slot = &mut table[*g as usize * distinct + v as usize];
                if *slot == u32::MAX {
                    *slot = next;
                    next += 1;
                }
                *g = *slot;
            }
        }
        None => {
            let mut table: FxHashMap<u64, u32> = FxHashMap::default();
            for (g, &v) in of_row.iter_mut().zip(values) {
                *g = *table.entry(u64::from(*g) << 32 | u64::from(v)).or_insert_with(|| {
                    next += 1;
                    next - 1
                });
            }
        }
    }
    next as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::table::{ClaimColumn, ColumnCell};
    use crate::claim::RawRef;
    use compact_str::CompactString;

    /// Text, offering its rows as a block unless `cells_only`.
    struct Texts(Vec<&'static str>, bool);
    impl ClaimColumn for Texts {
        fn cell(&self, row: usize, _: &mut CompactString) -> ColumnCell<'_> {
            ColumnCell::Value(RawRef::Text(self.0[row]))
        }
        fn texts<'s>(&'s self, rows: Range<usize>, out: &mut Vec<&'s str>) -> bool {
            !self.1 && {
                out.extend_from_slice(&self.0[rows]);
                true
            }
        }
    }

    /// Dictionary codes (the dictionary may hold a text twice).
    struct Codes(Vec<&'static str>, Vec<u32>);
    impl ClaimColumn for Codes {
        fn cell(&self, row: usize, _: &mut CompactString) -> ColumnCell<'_> {
            ColumnCell::Value(RawRef::Text(self.0[self.1[row] as usize]))
        }
        fn dictionary(&self) -> Option<Vec<&str>> {
            Some(self.0.clone())
        }
        fn codes(&self, rows: Range<usize>, out: &mut Vec<u32>) -> bool {
            out.extend_from_slice(&self.1[rows]);
            true
        }
    }

    fn chunk<'a>(rows: usize, columns: &[(Field, &'a dyn ClaimColumn)]) -> Chunk<'a> {
        let mut slots: [Option<&'a dyn ClaimColumn>; super::super::FIELDS] = [None; super::super::FIELDS];
        for &(f, c) in columns {
            slots[f as usize] = Some(c);
        }
        Chunk { start: 0, rows, columns: slots }
    }

    /// Whether rows are grouped together exactly when their cells of `fields` are equal, up to a
    /// dictionary's repeated texts (found equal by the caller): here, when no text repeats.
    fn check(chunk: &Chunk<'_>, rows: Range<usize>, fields: &[Field]) {
        let dictionaries: Vec<_> = fields.iter().map(|&f| chunk.columns[f as usize].and_then(|c| c.dictionary())).collect();
        let g = group(chunk, rows.clone(), fields, &dictionaries).expect("every column gives a block");
        let cells = |r: usize| -> Vec<String> {
            fields
                .iter()
                .map(|&f| {
                    let mut s = CompactString::default();
                    chunk.columns[f as usize].map_or(String::new(), |c| format!("{:?}", c.cell(r, &mut s).raw(&s)))
                })
                .collect()
        };
        for i in 0..rows.len() {
            for j in 0..rows.len() {
                assert_eq!(g.of_row[i] == g.of_row[j], cells(rows.start + i) == cells(rows.start + j), "rows {i} and {j}");
            }
            assert_eq!(g.of_row[g.first[g.of_row[i] as usize] as usize], g.of_row[i]);
            assert!(g.first[g.of_row[i] as usize] as usize <= i);
        }
        assert!(g.first.windows(2).all(|w| w[0] < w[1]), "groups in order of first appearance");
    }

    #[test]
    fn rows_share_a_group_exactly_when_their_fields_are_equal() {
        let occupation = Texts(vec!["a", "b", "a", "c", "b", "a", "a", "c"], false);
        let level = Codes(vec!["5", "4", "3"], vec![0, 0, 0, 1, 1, 2, 0, 1]);
        let program = Texts(vec!["w1"; 8], false);
        let columns: [(Field, &dyn ClaimColumn); 3] =
            [(Field::Occupation, &occupation), (Field::Level, &level), (Field::Program, &program)];
        let c = chunk(8, &columns);
        let fields = [Field::Program, Field::Occupation, Field::Level, Field::Institution];
        for rows in [0..8, 2..7, 3..4, 0..0] {
            check(&c, rows, &fields);
        }
        let dictionaries: Vec<_> = fields.iter().map(|&f| c.columns[f as usize].and_then(|col| col.dictionary())).collect();
        let g = group(&c, 0..8, &fields, &dictionaries).unwrap();
        assert_eq!(g.of_row, [0, 1, 0, 2, 3, 4, 0, 2]);
        assert_eq!(g.first, [0, 1, 3, 4, 5]);
    }

    /// Whole numbers, offered as a block unless one is missing.
    struct Integers(Vec<Option<i64>>);
    impl ClaimColumn for Integers {
        fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_> {
            match self.0[row] {
                Some(n) => {
                    *scratch = CompactString::from(n.to_string());
                    ColumnCell::Number
                }
                None => ColumnCell::Value(RawRef::Null),
            }
        }
        fn integer(&self, row: usize) -> Option<i64> {
            self.0[row]
        }
        fn integers(&self, rows: Range<usize>, out: &mut Vec<i64>) -> bool {
            let all: Option<Vec<i64>> = self.0[rows].iter().copied().collect();
            all.map(|all| out.extend(all)).is_some()
        }
    }

    #[test]
    fn a_column_of_whole_numbers_groups_rows_by_their_numbers() {
        let months = Integers([6, 12, 6, -3, 12, 6].map(Some).to_vec());
        let occupation = Texts(vec!["a", "a", "b", "a", "a", "a"], false);
        let columns: [(Field, &dyn ClaimColumn); 2] = [(Field::Months, &months), (Field::Occupation, &occupation)];
        let c = chunk(6, &columns);
        check(&c, 0..6, &[Field::Months, Field::Occupation]);
        let missing = Integers(vec![Some(6), None]);
        let c = chunk(2, &[(Field::Months, &missing as &dyn ClaimColumn)]);
        assert_eq!(group(&c, 0..2, &[Field::Months], &[None]), None, "a null is read cell by cell");
    }

    #[test]
    fn many_values_are_split_through_a_hash_map_with_the_same_groups() {
        // 300 × 300 pairs is past the dense table.
        let a: Vec<&'static str> = (0..600).map(|i| &*Box::leak(format!("a{}", i % 300).into_boxed_str())).collect();
        let b: Vec<&'static str> = (0..600).map(|i| &*Box::leak(format!("b{}", (i * 7) % 301).into_boxed_str())).collect();
        let (a, b) = (Texts(a, false), Texts(b, false));
        let columns: [(Field, &dyn ClaimColumn); 2] = [(Field::Occupation, &a), (Field::Institution, &b)];
        check(&chunk(600, &columns), 0..600, &[Field::Occupation, Field::Institution]);
    }

    #[test]
    fn a_column_read_only_cell_by_cell_or_with_a_code_past_its_dictionary_gives_no_groups() {
        let cells = Texts(vec!["a", "b"], true);
        let bad = Codes(vec!["x"], vec![0, 1]);
        for column in [&cells as &dyn ClaimColumn, &bad] {
            let c = chunk(2, &[(Field::Occupation, column)]);
            let dictionaries = [column.dictionary()];
            assert_eq!(group(&c, 0..2, &[Field::Occupation], &dictionaries), None);
        }
    }
}

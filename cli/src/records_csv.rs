//! The records as a table for people (SPEC §7.3 "in CSV the same columns"; SPEC §10, files from
//! people): the columns and each record's cells, shared by the CSV and the .xlsx writers.
//!
//! - `--lang zh` names the columns in Chinese and writes the status, the reasons, the program,
//!   the fund and the payee in Chinese; the reason codes stay in their own column (`原因代码`).
//!   `--codes` writes codes instead of Chinese texts (under the Chinese headers).
//! - `errors` holds each error's message, with the offending value when there is one (never a
//!   person id: the core leaves it out), and its code:
//!   `` `fee_paid` must be an amount of yuan written as a plain decimal, like 1950.00 (got "abc") [bad_money] ``.
//! - `payment_month` is written `202103`, not `2021-03`: Excel and WPS turn `2021-03` (and
//!   `2021年03月`) into a date and show `Mar-21`; six digits stay what they are. JSON and JSON
//!   Lines keep `2021-03` (machines read those).
//! - `--keep person_id,occupation,…` (or `--keep all`) adds the claim's own input fields after
//!   the record's columns, so a clerk knows whom to notify without a join. They go only into
//!   the file, never to the terminal.
//! - Every text cell, kept fields included, is made safe to open (spreadsheet.rs).

use crate::lang::Lang;
use crate::spreadsheet::{self, Formulas};
use skill_subsidy::{AssessmentRecord, Engine, Status};
use skill_subsidy::{Field, FieldSource, RawRef};
use std::fmt::Write as _;

/// A field named in `--keep`, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Every claim field.
    All,
    /// One field.
    Field(Field),
}

/// Reads one name of `--keep` (clap's value parser: a wrong name is a usage error).
pub fn parse_kept(name: &str) -> Result<Kept, String> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("all") {
        return Ok(Kept::All);
    }
    Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name) || f.name_zh() == name).map(Kept::Field).ok_or_else(|| {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        format!("`{name}` is not a claim field; use `all` or some of: {}", names.join(", "))
    })
}

/// The claim fields `kept` names, in claim order, once each; the claim id is already a column.
pub fn kept_fields(kept: &[Kept]) -> Vec<Field> {
    let all = kept.contains(&Kept::All);
    Field::ALL.into_iter().filter(|f| *f != Field::ClaimId && (all || kept.contains(&Kept::Field(*f)))).collect()
}

/// The values of `fields` as the claim gave them (a number as its text, absent as empty, bytes
/// that are not UTF-8 as U+FFFD).
pub fn kept_values(source: &dyn FieldSource, fields: &[Field]) -> Box<[String]> {
    fields
        .iter()
        .map(|f| match source.value(*f) {
            Some(RawRef::Text(t) | RawRef::Number(t)) => t.to_string(),
            Some(RawRef::Bool(b)) => b.to_string(),
            Some(RawRef::NotUtf8) => "\u{FFFD}".to_string(),
            _ => String::new(),
        })
        .collect()
}

/// The columns of the records table and how their cells are written.
pub struct Layout {
    lang: Lang,
    /// Codes rather than Chinese texts (with `--lang zh`).
    codes: bool,
    kept: Vec<Field>,
    formulas: Formulas,
}

/// The columns before the kept fields, English and Chinese; `None` in Chinese for a column
/// that exists only when texts replace codes.
const COLUMNS: [(&str, &str); 11] = [
    ("claim_id", "申请编号"),
    ("status", "审核结果"),
    ("amount", "补贴金额（元）"),
    ("reasons", "原因"),
    ("reason_codes", "原因代码"),
    ("errors", "错误"),
    ("program", "补贴项目"),
    ("fund", "资金来源"),
    ("payee", "领取对象"),
    ("catalogue_version", "目录版本"),
    ("payment_month", "发放月份"),
];

/// The index in [`COLUMNS`] of the reason codes (written only with Chinese texts).
const REASON_CODES: usize = 4;

impl Layout {
    pub fn new(lang: Lang, codes: bool, kept: Vec<Field>, formulas: Formulas) -> Layout {
        Layout { lang, codes, kept, formulas }
    }

    /// Whether texts replace codes.
    fn texts(&self) -> bool {
        self.lang == Lang::Zh && !self.codes
    }

    /// The header row.
    pub fn header(&self) -> Vec<&'static str> {
        let base = COLUMNS.iter().enumerate().filter(|(i, _)| *i != REASON_CODES || self.texts()).map(|(_, (en, zh))| {
            if self.lang == Lang::Zh {
                *zh
            } else {
                *en
            }
        });
        let kept = self.kept.iter().map(|f| if self.lang == Lang::Zh { f.name_zh() } else { f.name() });
        base.chain(kept).collect()
    }

    /// The column that holds amounts (a number; every other cell is text).
    pub const AMOUNT: usize = 2;

    /// The cells of one record into `row` (cleared first), made safe to open; `kept` are the
    /// claim's values of the kept fields.
    pub fn row(&self, engine: &Engine, record: &AssessmentRecord<'_>, kept: &[String], row: &mut Vec<String>) {
        row.clear();
        let mut scratch = String::new();
        self.cells(engine, record, kept, &mut scratch, &mut |column, text| {
            row.push(spreadsheet::cell(text, column == Self::AMOUNT, self.formulas).into_owned());
        });
    }

    /// One record as a line of CSV appended to `out`: its cells made safe to open, then quoted
    /// as RFC 4180 and the csv crate's writer quote them (a cell holding a comma, a quote or a
    /// line break is put in quotes, its quotes doubled), the line ended by `\n`. Written
    /// straight into `out`: a million records are a million lines, and building each as cells
    /// first cost more than deciding the whole batch. `scratch` is reused from line to line.
    pub fn write_csv(&self, engine: &Engine, record: &AssessmentRecord<'_>, kept: &[String], scratch: &mut String, out: &mut Vec<u8>) {
        self.cells(engine, record, kept, scratch, &mut |column, text| {
            if column > 0 {
                out.push(b',');
            }
            push_csv_cell(out, text, spreadsheet::escaped(text, column == Self::AMOUNT, self.formulas));
        });
        out.push(b'\n');
    }

    /// Hands each cell of one record to `cell(column, text)` in column order, as it will be
    /// shown (not yet made safe to open); cells that are built (the amount, the reasons, the
    /// errors) are built in `scratch`.
    fn cells(
        &self,
        engine: &Engine,
        record: &AssessmentRecord<'_>,
        kept: &[String],
        scratch: &mut String,
        cell: &mut dyn FnMut(usize, &str),
    ) {
        let texts = self.texts();
        let mut column = 0;
        let mut next = |text: &str| {
            cell(column, text);
            column += 1;
        };
        next(record.claim_id);
        next(if texts { status_zh(record.status) } else { record.status.code() });
        scratch.clear();
        skill_subsidy::money::push_yuan(record.amount, scratch);
        next(scratch);
        let mut join = |f: &dyn Fn(skill_subsidy::Reason) -> &'static str, sep: &str| {
            scratch.clear();
            for (i, r) in record.reasons.iter().enumerate() {
                scratch.push_str(if i > 0 { sep } else { "" });
                scratch.push_str(f(r));
            }
            next(scratch);
        };
        if texts {
            join(&|r| r.message_zh(), "；");
        }
        join(&|r| r.code(), ";");
        scratch.clear();
        for (i, e) in record.errors.iter().enumerate() {
            let message = if self.lang == Lang::Zh { &e.message_zh } else { &e.message_en };
            let _ = write!(scratch, "{}{message} [{}]", if i > 0 { "; " } else { "" }, e.code.code());
        }
        next(scratch);
        let program = record.program.and_then(|id| engine.ruleset().program(id));
        next(match (program, texts) {
            (Some(p), true) => &p.name_zh,
            _ => record.program.unwrap_or_default(),
        });
        next(match (program, texts) {
            (Some(p), true) => p.fund.name_zh(),
            _ => record.fund.unwrap_or_default(),
        });
        next(match (record.payee, texts) {
            (Some("individual"), true) => "个人",
            (Some("enterprise"), true) => "企业",
            (payee, _) => payee.unwrap_or_default(),
        });
        next(record.catalogue_version.unwrap_or_default());
        scratch.clear();
        if let Some(m) = record.payment_month {
            // 202105, not 2021-05: a spreadsheet would make the latter a date.
            push_month(scratch, m.year(), m.month());
        }
        next(scratch);
        for value in kept {
            next(value);
        }
    }
}

/// One cell of CSV as the csv crate's writer quotes it, with a leading `'` when `prefix`.
fn push_csv_cell(out: &mut Vec<u8>, text: &str, prefix: bool) {
    let quoted = text.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if quoted {
        out.push(b'"');
    }
    if prefix {
        out.push(b'\'');
    }
    if quoted {
        for (i, piece) in text.split('"').enumerate() {
            out.extend_from_slice(if i > 0 { b"\"\"" } else { b"" });
            out.extend_from_slice(piece.as_bytes());
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// A month as `YYYYMM` (digits pushed one by one: a million records write a million months).
fn push_month(cell: &mut String, year: i32, month: u32) {
    match u32::try_from(year) {
        Ok(year @ 0..=9999) => {
            let number = year * 100 + month % 100;
            cell.reserve(6);
            for place in (0..6).rev() {
                cell.push(char::from(b'0' + (number / 10u32.pow(place) % 10) as u8));
            }
        }
        _ => {
            let _ = write!(cell, "{year:04}{month:02}");
        }
    }
}

/// A status in Chinese.
pub fn status_zh(status: Status) -> &'static str {
    match status {
        Status::Approved => "予以补贴",
        Status::Rejected => "不予补贴",
        Status::Invalid => "信息有误",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_line_is_the_bytes_the_csv_crates_writer_writes(
            cells in proptest::collection::vec("[a-z,\"\r\n =+'\t-]{0,6}|\\PC{0,4}", 2..14),
            formulas in proptest::bool::ANY,
        ) {
            let formulas = if formulas { Formulas::Escape } else { Formulas::Keep };
            let mut ours = Vec::new();
            for (i, text) in cells.iter().enumerate() {
                if i > 0 {
                    ours.push(b',');
                }
                push_csv_cell(&mut ours, text, spreadsheet::escaped(text, i == Layout::AMOUNT, formulas));
            }
            ours.push(b'\n');
            let mut theirs = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            theirs.write_record(cells.iter().enumerate().map(|(i, t)| spreadsheet::cell(t, i == Layout::AMOUNT, formulas).into_owned())).unwrap();
            proptest::prop_assert_eq!(ours, theirs.into_inner().unwrap());
        }
    }

    #[test]
    fn a_month_is_written_as_six_digits() {
        for (year, month) in [(2021, 5), (2021, 12), (999, 1), (9999, 12), (0, 1), (10000, 1), (-1, 3)] {
            let mut cell = String::new();
            push_month(&mut cell, year, month);
            assert_eq!(cell, format!("{year:04}{month:02}"));
        }
    }

    #[test]
    fn keep_names_fields_in_english_or_chinese_and_all_means_every_field_but_the_id() {
        assert_eq!(parse_kept("person_id"), Ok(Kept::Field(Field::PersonId)));
        assert_eq!(parse_kept("技能等级"), Ok(Kept::Field(Field::Level)));
        assert!(parse_kept("target_level").is_err());
        assert_eq!(kept_fields(&[Kept::All]).len(), Field::COUNT - 1);
        assert_eq!(kept_fields(&[Kept::Field(Field::Level), Kept::Field(Field::PersonId)]), vec![Field::PersonId, Field::Level]);
    }

    #[test]
    fn chinese_headers_keep_the_reason_codes_in_their_own_column_unless_codes_are_asked_for() {
        let zh = Layout::new(Lang::Zh, false, vec![Field::PersonId], Formulas::Escape);
        assert_eq!(zh.header().len(), 12);
        assert!(zh.header().contains(&"原因代码") && zh.header().contains(&"人员标识"));
        let codes = Layout::new(Lang::Zh, true, vec![], Formulas::Escape);
        assert!(!codes.header().contains(&"原因代码"));
        let en = Layout::new(Lang::En, false, vec![], Formulas::Escape);
        assert_eq!(en.header(), skill_subsidy::AssessmentRecord::CSV_HEADER.to_vec());
    }
}

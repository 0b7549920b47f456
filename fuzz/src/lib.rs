//! What each fuzz target does with its bytes, and what must hold for any input (SPEC §12):
//! nothing panics, every record read comes out (one result per input row), and a person id is
//! never in an error or a record unless the input put it in another field too.
//!
//! The targets in `fuzz_targets/` call these functions, and `tests/corpus.rs` replays the
//! committed corpus through them on stable Rust, so the corpus is checked even where nightly
//! cannot be had.

use serde_json::Value;
use skill_subsidy::{
    Application, ClaimErrorKind, Engine, Field, FieldError, FieldMode, HistoryRecord, Overrides, RawClaim, RawValue, Ruleset,
};
use skill_subsidy_csv::{CsvRows, Records, BLOCK_BYTES, MAX_RECORD_BYTES};
use std::sync::OnceLock;

/// The default engine, built once.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Ruleset::wuxi_2021().expect("the embedded ruleset loads (tests/load_embedded.rs)")))
}

/// The default ruleset's files, the seeds the rules target mutates.
fn rule_files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| Ruleset::wuxi_2021().expect("the embedded ruleset loads").to_files())
}

/// A claim of every program of the default ruleset, to assess under mutated rules and overrides.
const SAMPLE_CLAIMS: &str = r#"[
 {"claim_id":"S1","program":"skills_training","person_id":"P1","group":"unemployed","occupation":"6-18-02-04","level":"3","event_date":"2021-05-10","applied_on":"2021-05-20","institution":"WX-JG-011","fee_paid":"2600.00"},
 {"claim_id":"S2","program":"enterprise_upgrade","person_id":"P2","enterprise_id":"E1","occupation":"6-18-02-04","level":"4","event_date":"2021-07-10","applied_on":"2021-08-20","institution":"WX-JG-011","fee_paid":"1800"},
 {"claim_id":"S3","program":"ui_skill_upgrade","person_id":"P3","occupation":"6-18-02-04","level":"5","event_date":"2021-03-01","applied_on":"2021-03-02","ui_contribution_months":"36"},
 {"claim_id":"S4","program":"pre_job","person_id":"P4","enterprise_id":"E2","event_date":"2021-02-01","applied_on":"2021-02-20"},
 {"claim_id":"S5","program":"on_job","person_id":"P4","enterprise_id":"E2","event_date":"2021-02-01","applied_on":"2021-06-20","months":"6"},
 {"claim_id":"S6","program":"online","person_id":"P5","enterprise_id":"E3","event_date":"2021-09-01","applied_on":"2021-09-20","fee_paid":"900"},
 {"claim_id":"S7","program":"project","person_id":"P6","enterprise_id":"E3","event_date":"2021-10-01","applied_on":"2021-10-20","project":"XM2021-01"},
 {"claim_id":"S8","program":"apprenticeship","person_id":"P7","enterprise_id":"E4","occupation":"6-18-02-04","level":"3","event_date":"2021-04-01","applied_on":"2021-04-02","months":"18"}
]"#;

fn sample_claims() -> &'static [RawClaim] {
    static CLAIMS: OnceLock<Vec<RawClaim>> = OnceLock::new();
    CLAIMS.get_or_init(|| serde_json::from_str(SAMPLE_CLAIMS).expect("the sample claims are a JSON array"))
}

/// A claim the JSON Lines reader makes of a line that is not JSON: invalid, never lost.
fn unreadable() -> RawClaim {
    let mut raw = RawClaim::default();
    raw.record_error = Some(FieldError::new(ClaimErrorKind::MalformedRow, "", None));
    raw
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Claims as `subsidy assess` reads a `.json` file (an array, or one object) and a `.jsonl`
/// file (a claim a line), assessed as a batch and one by one.
pub fn claims_json(data: &[u8]) {
    let whole = match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => serde_json::from_slice::<RawClaim>(data).ok().map(|raw| vec![raw]),
        _ => serde_json::from_slice::<Vec<RawClaim>>(data).ok(),
    };
    if let Some(claims) = whole {
        assess_all(engine(), &claims);
    }
    let mut lines = Vec::new();
    for line in data.split(|&b| b == b'\n').filter(|l| !is_blank(l)) {
        let raw = serde_json::from_slice::<RawClaim>(line).unwrap_or_else(|_| unreadable());
        // The two ways into a raw claim agree (a repeated key aside, which a JSON value cannot hold).
        if let Ok(value) = serde_json::from_slice::<Value>(line) {
            if raw.repeated.is_empty() {
                assert_eq!(RawClaim::from_json(&value), raw, "RawClaim::from_json and the serde reader disagree");
            }
        }
        lines.push(raw);
    }
    assess_all(engine(), &lines);
}

/// Assesses `claims` as one batch (one result per claim) and each alone with its trace (no
/// person id in the record).
fn assess_all(engine: &Engine, claims: &[RawClaim]) {
    let mut batch = engine.batch().with_trace(true);
    for raw in claims {
        batch.add_raw(raw, FieldMode::Strict);
    }
    let result = batch.finish();
    assert_eq!(result.assessments().len(), claims.len(), "a claim was lost in the batch");
    let _ = serde_json::to_string(&result.report.to_json());
    for (raw, a) in claims.iter().zip(result.assessments()) {
        let id = raw.claim_id_text();
        assert_eq!(a.claim_id, id, "an assessment of a batch carries its claim id as given");
        let record = serde_json::to_string(&a.record()).expect("a record serialises");
        assert_no_person_id(raw, &record, |other| {
            let b = engine.assess_raw(other, FieldMode::Strict, true);
            serde_json::to_string(&b.record()).expect("a record serialises")
        });
        let alone = engine.assess_raw(raw, FieldMode::Lenient, true);
        assert_eq!(alone.claim_id, id, "an assessment carries its claim id as given");
        let _ = serde_json::to_string(&alone.record()).expect("a record serialises");
    }
}

/// A person id (of 8 characters or more, given nowhere else in the claim) is not in the record,
/// unless the record of the same claim with another person id holds the same text (then it came
/// from the rules' own words).
fn assert_no_person_id(raw: &RawClaim, record: &str, render: impl Fn(&RawClaim) -> String) {
    let person = match raw.get(Field::PersonId) {
        Some(RawValue::Text(s) | RawValue::Number(s)) => s.trim(),
        _ => return,
    };
    let shown = serde_json::to_string(person).unwrap_or_default();
    let shown = shown.trim_matches('"');
    if person.chars().count() < 8 || !record.contains(shown) {
        return;
    }
    let elsewhere = Field::ALL.iter().filter(|f| **f != Field::PersonId).any(|f| match raw.get(*f) {
        Some(RawValue::Text(s) | RawValue::Number(s)) => s.contains(person),
        _ => false,
    });
    if elsewhere {
        return;
    }
    let mut other = raw.clone();
    other.set_field(Field::PersonId, RawValue::Text("P-other".into()));
    assert!(render(&other).contains(shown), "the person id {person:?} is in the record {record}");
}

/// A CSV record as the fuzzer compares it: its fields, and whether it has a problem.
type CsvRecord = (Vec<Vec<u8>>, bool);

/// Records of `data` as `skill-subsidy-csv` reads them, blank lines left out, with the given
/// record limit, block size and threads, from a reader that gives `step` bytes at a time.
fn csv_records(data: &[u8], limit: usize, block: usize, threads: usize, step: usize) -> Vec<CsvRecord> {
    let mut records = Records::with_sizes(Trickle { data, step }, limit, block, threads);
    let mut out = Vec::new();
    while let Some(block) = records.next_block().expect("reading from memory cannot fail") {
        let mut last_line = 0;
        for r in block.iter().filter(|r| !r.is_blank()) {
            assert!(r.line >= last_line.max(1), "records out of line order");
            last_line = r.line;
            out.push((r.fields().map(<[u8]>::to_vec).collect(), r.problem.is_some()));
        }
    }
    out
}

/// A reader that gives at most `step` bytes at a time (as a pipe may).
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The header the second reading of `claims_csv` puts before the input.
const CSV_HEADER: &[u8] = b"claim_id,program,person_id,enterprise_id,event_date,applied_on,district,fee_paid\n";

/// Claims as `subsidy assess` reads a `.csv` file (`skill-subsidy-csv`), as given and after a
/// header of claim fields. The records are the `csv` crate's (the reference, same dialect) up to
/// the first that a quote left open spoils, and no fewer; reading in small blocks, a few bytes at
/// a time, gives the same records; every data row is one claim and one result; a row's error
/// never shows its person id.
pub fn claims_csv(data: &[u8]) {
    let ours = csv_records(data, MAX_RECORD_BYTES, BLOCK_BYTES, 1, usize::MAX);
    let mut reference: Vec<CsvRecord> = Vec::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    for record in reader.byte_records() {
        let record = record.expect("the csv crate reads any bytes from memory");
        let blank = record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace);
        if !blank {
            reference.push((record.iter().map(<[u8]>::to_vec).collect(), false));
        }
    }
    match ours.iter().position(|(_, problem)| *problem) {
        None => assert_eq!(ours, reference, "the records differ from the csv crate's"),
        Some(first) => {
            assert_eq!(ours[..first], reference[..first], "the records before a problem differ from the csv crate's");
            assert!(ours.len() >= reference.len(), "a row was lost after a quote left open");
        }
    }
    let small = csv_records(data, 48, 16, 3, 7);
    if !small.iter().chain(&ours).any(|(_, problem)| *problem) {
        assert_eq!(small, ours, "small blocks read other records");
    }
    claims_of_csv(data, &ours);
    let mut with_header = CSV_HEADER.to_vec();
    with_header.extend_from_slice(data);
    let ours = csv_records(&with_header, MAX_RECORD_BYTES, BLOCK_BYTES, 2, usize::MAX);
    claims_of_csv(&with_header, &ours);
}

/// The claims of a CSV file whose records are `records`: one per data row, each assessed.
fn claims_of_csv(data: &[u8], records: &[CsvRecord]) {
    let Ok(mut rows) = CsvRows::new(data, "claim_id") else { return };
    let mut claims = Vec::new();
    while let Some(block) = rows.next_block().expect("reading from memory cannot fail") {
        for cells in (0..block.len()).filter_map(|i| block.row(i)) {
            let raw = RawClaim::from_source(&cells);
            if let (Some(e), Some(RawValue::Text(person))) = (&raw.record_error, raw.get(Field::PersonId)) {
                let shown = [e.value.as_deref().unwrap_or(""), &e.message_en, &e.message_zh].concat();
                assert!(person.chars().count() < 4 || !shown.contains(person.as_str()), "a row error shows the person id");
            }
            claims.push(raw);
        }
    }
    assert_eq!(claims.len(), records.len().saturating_sub(1), "a data row is not one claim");
    assess_all(engine(), &claims);
}

/// History records and apprenticeship applications as the CLI reads them (a JSON array, one
/// object, or one a line), strict and lenient, through a batch: every application has a result.
pub fn records_json(data: &[u8]) {
    let mut values: Vec<Value> = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Array(items)) => items,
        Ok(one) => vec![one],
        Err(_) => Vec::new(),
    };
    values.extend(data.split(|&b| b == b'\n').filter(|l| !is_blank(l)).filter_map(|l| serde_json::from_slice::<Value>(l).ok()));
    let engine = engine();
    for lenient in [false, true] {
        let mut batch = engine.batch().with_trace(true);
        let mut applications = 0;
        for value in &values {
            match HistoryRecord::from_json(value, lenient) {
                Ok(h) => {
                    if let Err(e) = batch.add_history(&h) {
                        assert_person_id_hidden(e.field_errors());
                    }
                }
                Err(errors) => assert_person_id_hidden(&errors),
            }
            applications += 1;
            match Application::from_json(value, lenient) {
                Ok(app) => {
                    let (assessment, session) = engine.review_application(&app, true);
                    let _ = serde_json::to_string(&assessment.record().with_claim_id(&app.application_id));
                    if let Some(session) = session {
                        let _ = engine.schedule(&app, session, assessment.amount);
                    }
                    batch.add_application(&app);
                }
                Err(errors) => {
                    assert_person_id_hidden(&errors);
                    batch.add_invalid_application("", errors);
                }
            }
        }
        let result = batch.finish();
        assert_eq!(result.applications.len(), applications, "an application was lost in the batch");
        for a in &result.applications {
            let _ = serde_json::to_string(&a.to_json());
        }
    }
}

fn assert_person_id_hidden(errors: &[FieldError]) {
    for e in errors.iter().filter(|e| e.field == "person_id") {
        assert_eq!(e.value, None, "an error shows a person id");
    }
}

/// The default ruleset with one file replaced: the first byte picks the file, the rest is its
/// text. A ruleset that loads is compiled and assesses a claim of every program; one that does
/// not reports each problem once.
pub fn rules_toml(data: &[u8]) {
    let Some((&pick, text)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let files = rule_files();
    let replaced = usize::from(pick) % files.len();
    let mutated = files.iter().enumerate().map(|(i, (path, original))| (path.as_str(), if i == replaced { text } else { original }));
    match Ruleset::from_files(mutated) {
        Ok(rules) => {
            let engine = Engine::new(rules);
            let _ = engine.export_json();
            assess_all(&engine, sample_claims());
        }
        Err(errors) => {
            let list = errors.errors();
            for (i, e) in list.iter().enumerate() {
                assert!(!e.message.is_empty(), "a rules error without a message: {e}");
                assert!(!list[..i].contains(e), "a problem reported twice: {e}");
            }
            let _ = errors.to_string();
        }
    }
}

/// An override document (JSON) and `--set` assignments (a line each) against the default
/// ruleset; what resolves assesses a claim of every program.
pub fn overrides(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let engine = engine();
    if let Ok(document) = Overrides::from_json_str(text) {
        if let Ok(changed) = engine.with_overrides(&document) {
            assess_all(&changed, sample_claims());
        }
    }
    let mut assignments = Overrides::new();
    for line in text.lines() {
        let _ = assignments.add_assignment(line);
    }
    if let Ok(changed) = engine.with_overrides(&assignments) {
        assess_all(&changed, sample_claims());
    }
}

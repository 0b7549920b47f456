//! A table assessed a shape at a time (`Engine::assess_table`) gives what the same rows added to a
//! `Batch` one by one give: every assessment, amount and report, to the fen. Checked on the
//! shared vectors and on random tables that mix what the shortcut covers (many rows of few
//! shapes, persons who occur once) with what it hands back to the batch (persons with several
//! claims, ids given twice, malformed ids and fees, a fee of nothing, an account that runs out).

use proptest::prelude::*;
use serde_json::Value;
use skill_subsidy::money::parse_money;
use skill_subsidy::{
    Assessment, ClaimColumn, ClaimTable, ColumnCell, CompactString, Decimal, Engine, Field, FieldMode, Overrides, RawRef, RawValue, Ruleset,
};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

/// A column of loosely typed values, as a data frame's column would give them. Numbers are
/// written into the scratch string, as a binding writes an Arrow number; `shortcuts` turns on
/// the integer and fen shortcuts (only where they agree with the text).
struct Column {
    cells: Vec<RawValue>,
    shortcuts: bool,
    /// With shortcuts, a column of text only is also dictionary-encoded (as pandas' `category`).
    dictionary: Option<Vec<String>>,
}

impl ClaimColumn for Column {
    fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_> {
        match &self.cells[row] {
            RawValue::Text(s) => ColumnCell::Value(RawRef::Text(s)),
            RawValue::Number(s) => {
                scratch.clear();
                let _ = write!(scratch, "{s}");
                ColumnCell::Number
            }
            RawValue::Bool(b) => ColumnCell::Value(RawRef::Bool(*b)),
            RawValue::Other(kind) => ColumnCell::Value(RawRef::Other(kind)),
            RawValue::NotUtf8 => ColumnCell::Value(RawRef::NotUtf8),
            _ => ColumnCell::Value(RawRef::Null),
        }
    }

    fn integer(&self, row: usize) -> Option<i64> {
        match &self.cells[row] {
            RawValue::Number(s) if self.shortcuts => s.parse::<i64>().ok().filter(|i| i.to_string() == *s),
            _ => None,
        }
    }

    fn texts<'s>(&'s self, rows: std::ops::Range<usize>, out: &mut Vec<&'s str>) -> bool {
        if !self.shortcuts || !self.cells[rows.clone()].iter().all(|c| matches!(c, RawValue::Text(_))) {
            return false;
        }
        out.extend(self.cells[rows].iter().map(|c| if let RawValue::Text(s) = c { s.as_str() } else { "" }));
        true
    }

    fn dictionary(&self) -> Option<Vec<&str>> {
        self.dictionary.as_ref().map(|values| values.iter().map(String::as_str).collect())
    }

    fn codes(&self, rows: std::ops::Range<usize>, out: &mut Vec<u32>) -> bool {
        let Some(values) = &self.dictionary else { return false };
        // Each text is in the dictionary twice: odd rows name its second copy (rows with
        // different codes may be equal).
        let codes: Option<Vec<u32>> = rows
            .map(|r| match &self.cells[r] {
                RawValue::Text(s) if r % 2 == 0 => values.iter().position(|v| v == s).map(|i| i as u32),
                RawValue::Text(s) => values.iter().rposition(|v| v == s).map(|i| i as u32),
                _ => None,
            })
            .collect();
        codes.map(|codes| out.extend(codes)).is_some()
    }

    fn same_text(&self, rows: std::ops::Range<usize>) -> Option<&str> {
        match self.cells.get(rows)?.split_first()? {
            (RawValue::Text(first), rest) if self.shortcuts && rest.iter().all(|c| matches!(c, RawValue::Text(s) if s == first)) => {
                Some(first)
            }
            _ => None,
        }
    }

    fn integers(&self, rows: std::ops::Range<usize>, out: &mut Vec<i64>) -> bool {
        let ints: Option<Vec<i64>> = rows.map(|r| self.integer(r)).collect();
        ints.map(|ints| out.extend(ints)).is_some()
    }

    fn fens(&self, rows: std::ops::Range<usize>, out: &mut Vec<i64>) -> bool {
        if !self.shortcuts {
            return false;
        }
        out.extend(rows.map(|r| self.fen(r).unwrap_or(-1)));
        true
    }

    fn fen(&self, row: usize) -> Option<i64> {
        match &self.cells[row] {
            RawValue::Number(s) if self.shortcuts => {
                let mut fen = parse_money(s).ok()? * Decimal::ONE_HUNDRED;
                fen.rescale(0);
                i64::try_from(fen.mantissa()).ok()
            }
            _ => None,
        }
    }
}

/// Claims (JSON objects) as columns, split into `chunks` record batches; fields that are not
/// claim fields are unknown columns.
struct Columns {
    columns: Vec<(Field, Column)>,
    unknown: Vec<String>,
    rows: usize,
}

impl Columns {
    fn new(claims: &[Value], shortcuts: bool) -> Columns {
        let mut names: Vec<String> = Vec::new();
        for c in claims {
            for k in c.as_object().into_iter().flat_map(|o| o.keys()) {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        let mut columns = Vec::new();
        let mut unknown = Vec::new();
        for name in names {
            match Field::parse(&name) {
                Some(field) => {
                    let cells: Vec<RawValue> = claims.iter().map(|c| c.get(&name).map_or(RawValue::Null, RawValue::from_json)).collect();
                    let mut dictionary: Option<Vec<String>> = None;
                    if shortcuts && cells.iter().all(|c| matches!(c, RawValue::Text(_))) {
                        // Values no row has, as a categorical's categories may be (polars shares
                        // them among columns), before and after those the rows have.
                        let mut values: Vec<String> = (0..300).map(|i| format!("unused {i}")).collect();
                        for c in &cells {
                            if let RawValue::Text(s) = c {
                                if !values.contains(s) {
                                    values.extend([s.clone(), s.clone()]);
                                }
                            }
                        }
                        values.push("unused category".into());
                        dictionary = Some(values);
                    }
                    columns.push((field, Column { cells, shortcuts, dictionary }));
                }
                None => unknown.push(name),
            }
        }
        Columns { columns, unknown, rows: claims.len() }
    }
}

/// Assesses `claims` both ways and lists every difference.
fn compare(engine: &Engine, claims: &[Value], mode: FieldMode, chunk: usize, shortcuts: bool) -> (skill_subsidy::BatchResult, Vec<String>) {
    // Chunks: each its own columns, so that a chunk's row 0 is the table's row `start`.
    let pieces: Vec<Columns> = claims.chunks(chunk.max(1)).map(|c| Columns::new(c, shortcuts)).collect();
    let mut unknown: Vec<String> = Vec::new();
    for p in &pieces {
        for u in &p.unknown {
            if !unknown.contains(u) {
                unknown.push(u.clone());
            }
        }
    }
    let mut table = ClaimTable::new(unknown);
    for p in &pieces {
        table.push_chunk(p.rows, p.columns.iter().map(|(f, c)| (*f, c as &dyn ClaimColumn)));
    }
    let by_table = engine.assess_table(&table, mode);
    let mut batch = engine.batch();
    batch.add_rows(table.rows(), mode, |i| table.row(i));
    let by_rows = batch.finish();
    let mut problems = Vec::new();
    if by_table.len() != claims.len() {
        problems.push(format!("{} rows for {} claims", by_table.len(), claims.len()));
    }
    for (i, want) in by_rows.assessments().into_iter().enumerate() {
        let got: Assessment = by_table.assessment(i);
        if got != want {
            problems.push(format!("row {i}: table {got:?}\n      batch {want:?}"));
        }
    }
    if by_table.report.to_json() != by_rows.report.to_json() {
        problems.push(format!("report: table {}\n      batch {}", by_table.report.to_json(), by_rows.report.to_json()));
    }
    (by_table, problems)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn wuxi() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Ruleset::wuxi_2021().unwrap()))
}

/// Wuxi 2021 with a special account small enough to run out.
fn small_account() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        wuxi()
            .with_overrides(
                &Overrides::from_json_str(
                    r#"{"accounts.wuxi-2021.opening_balance": "30000.00", "accounts.wuxi-2021.closes_when_spent": "true"}"#,
                )
                .unwrap(),
            )
            .unwrap()
    })
}

fn vector_claims(kind: &str) -> Vec<(String, Value)> {
    let dir = root().join("tests").join("vectors");
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if doc["kind"].as_str().unwrap_or("claim") != kind || doc["ruleset"].as_str().is_some_and(|r| r != "wuxi-2021") {
            continue;
        }
        for case in doc["cases"].as_array().unwrap() {
            out.push((format!("{name} / {}", case["name"].as_str().unwrap_or("?")), case.clone()));
        }
    }
    out
}

#[test]
fn every_claim_vector_in_one_table_is_assessed_as_the_batch_assesses_it() {
    // Each case its own claim and person, so that the batch decides each alone, as the vector
    // does; the cases without overrides, in both field modes, with and without shortcuts.
    let claims: Vec<Value> = vector_claims("claim")
        .into_iter()
        .filter(|(_, c)| c.get("overrides").is_none())
        .enumerate()
        .map(|(i, (_, case))| {
            let mut claim = case["claim"].clone();
            if let Some(o) = claim.as_object_mut() {
                if o.get("claim_id").is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) {
                    o.insert("claim_id".into(), Value::String(format!("V{i}")));
                }
                if o.get("person_id").is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) {
                    o.insert("person_id".into(), Value::String(format!("P{i}")));
                }
            }
            claim
        })
        .collect();
    assert!(claims.len() > 100, "{} claim vectors", claims.len());
    for mode in [FieldMode::Strict, FieldMode::Lenient] {
        for (chunk, shortcuts) in [(claims.len(), false), (7, true)] {
            let (_, problems) = compare(wuxi(), &claims, mode, chunk, shortcuts);
            assert!(problems.is_empty(), "{mode:?}, chunks of {chunk}:\n  {}", problems.join("\n  "));
        }
    }
}

#[test]
fn every_batch_vector_without_history_is_decided_as_the_batch_decides_it() {
    let mut count = 0;
    for (label, case) in vector_claims("batch") {
        if case.get("history").is_some() || case.get("applications").is_some() || case.get("overrides").is_some() {
            continue;
        }
        let claims: Vec<Value> = case["claims"].as_array().cloned().unwrap_or_default();
        count += 1;
        for chunk in [claims.len(), 2] {
            let (_, problems) = compare(wuxi(), &claims, FieldMode::Strict, chunk, true);
            assert!(problems.is_empty(), "{label}, chunks of {chunk}:\n  {}", problems.join("\n  "));
        }
    }
    assert!(count > 10, "{count} batch vectors");
}

#[test]
fn many_rows_of_few_shapes_are_assessed_once_per_shape() {
    let claims: Vec<Value> = (0..5000)
        .map(|i| {
            let occupation = ["6-18-02-04", "4-10-01-06", "6-31-01-03"][i % 3];
            let level = ["5", "4", "3"][i % 3 / 2];
            serde_json::json!({
                "claim_id": format!("C{i}"), "program": "skills_training", "person_id": i, "group": "employee",
                "occupation": occupation, "level": level,
                "event_date": "2021-05-10", "applied_on": "2021-05-20", "institution": "WX-JG-001",
                "fee_paid": format!("{}.{:02}", 500 + i % 3000, i % 100),
            })
        })
        .collect();
    let (result, problems) = compare(wuxi(), &claims, FieldMode::Strict, 1500, true);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(result.outcomes().len() <= 12, "{} outcomes for 5000 rows", result.outcomes().len());
    assert!(result.report.approved.count > 0);
}

#[test]
fn a_large_table_with_every_key_field_and_many_values_is_decided_as_the_batch_decides_it() {
    // Every key field given (so each has 11 bits of a packed key), a district per row (more
    // values than a packed key or the plain array hold), rows past several blocks and chunks.
    let claims: Vec<Value> = (0..9000)
        .map(|i| {
            let day = i % 200;
            let date = |d: usize| (chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap() + chrono::Duration::days(d as i64)).to_string();
            let program = ["skills_training", "ui_skill_upgrade", "on_job"][i % 3];
            let group = ["employee", "unemployed"][i % 2];
            let occupation = ["6-18-02-04", "4-10-01-06", "6-31-01-03", "6-18-01-01"][i % 4];
            let level = ["5", "4", "3"][i % 3];
            serde_json::json!({
                "claim_id": i, "program": program, "person_id": format!("P{i}"),
                "enterprise_id": format!("E{}", i % 7), "group": group, "district": format!("D{i}"),
                "occupation": occupation, "level": level,
                "event_date": date(day), "applied_on": date(day + i % 30), "institution": "WX-JG-001",
                "fee_paid": format!("{}.{:02}", 200 + i % 4000, i % 100), "months": 1 + i % 6, "ui_contribution_months": 12 + i % 30,
                "project": "none",
            })
        })
        .collect();
    for (chunk, shortcuts) in [(9000, true), (5000, false)] {
        let (result, problems) = compare(wuxi(), &claims, FieldMode::Lenient, chunk, shortcuts);
        assert!(problems.is_empty(), "chunks of {chunk}:\n  {}", problems.join("\n  "));
        assert_eq!(result.len(), claims.len());
        assert!(result.report.approved.count > 0);
    }
}

#[test]
fn rows_of_few_shapes_after_a_part_of_many_are_decided_as_the_batch_decides_them() {
    // The first rows each a district of their own: their parts are read a row at a time, and so
    // are the parts after them, though these have few shapes.
    let claims: Vec<Value> = (0..14_000)
        .map(|i| {
            let varied = i < 9000;
            let (occupation, level) = [("6-18-02-04", "5"), ("4-10-01-06", "4")][i % 2];
            serde_json::json!({
                "claim_id": i, "program": "skills_training", "person_id": format!("P{}", i % 9000),
                "group": "employee", "district": if varied { format!("D{i}") } else { "D".to_string() },
                "occupation": occupation, "level": level,
                "event_date": "2021-05-10", "applied_on": "2021-06-15", "institution": "WX-JG-001",
                "fee_paid": if varied { format!("{}.{:02}", 200 + i % 4000, i % 100) } else { "1930.00".to_string() },
            })
        })
        .collect();
    for chunk in [14_000, 9000] {
        let (result, problems) = compare(wuxi(), &claims, FieldMode::Lenient, chunk, true);
        assert!(problems.is_empty(), "chunks of {chunk}:\n  {}", problems.join("\n  "));
        assert_eq!(result.len(), claims.len());
        assert!(result.report.approved.count > 0 && result.report.rejected > 0);
    }
}

#[test]
fn rows_of_integer_ids_on_one_day_without_enterprises_are_decided_as_the_batch_decides_them() {
    // Every own field given without text (integer ids, the dates one value, the fee a number)
    // but for some fees; rows assessed on their own (an apprenticeship) or read whole (an unknown
    // program, a fee that is not money) among them; persons with several claims.
    let claims: Vec<Value> = (0..7000)
        .map(|i| {
            let program =
                ["skills_training", "ui_skill_upgrade", "apprenticeship", "skills_training", "nope"][i % 5 * usize::from(i % 7 != 0)];
            let fee = match i % 11 {
                0 => Value::String("abc".into()),
                1 => Value::Null,
                2 => Value::String(format!("{}.5", 300 + i % 900)),
                _ => serde_json::json!(200 + i % 4000),
            };
            let (occupation, level) = (["6-18-02-04", "4-10-01-06", "9-99-99-99"][i % 3], ["5", "4", "3"][i % 3]);
            serde_json::json!({
                "claim_id": i, "person_id": i % 5000, "program": program, "group": "employee",
                "occupation": occupation, "level": level,
                "event_date": "2021-05-10", "applied_on": "2021-05-20", "institution": "WX-JG-001",
                "fee_paid": fee, "months": 6, "ui_contribution_months": 24,
            })
        })
        .collect();
    for (engine, chunk) in [(wuxi(), 7000), (small_account(), 2500)] {
        for mode in [FieldMode::Strict, FieldMode::Lenient] {
            let (result, problems) = compare(engine, &claims, mode, chunk, true);
            assert!(problems.is_empty(), "chunks of {chunk}, {mode:?}:\n  {}", problems.join("\n  "));
            assert!(result.report.approved.count > 0);
        }
    }
}

#[test]
fn claim_ids_given_with_spaces_are_shown_as_given_on_every_path_of_a_table() {
    // Few groups (read into columns, an integer column among the shared ones), then a chunk of
    // groups met before, with ids given with spaces around them among the rows, and an
    // apprenticeship (assessed on its own) among them.
    let claims: Vec<Value> = (0..600)
        .map(|i| {
            let id = if i % 7 == 0 { format!(" C{i} ") } else { format!("C{i}") };
            let program = if i % 50 == 3 { "apprenticeship" } else { "skills_training" };
            let level = ["5", "4"][i % 2];
            serde_json::json!({
                "claim_id": id, "person_id": format!("P{i}"), "program": program, "group": "employee",
                "enterprise_id": "E1", "occupation": "6-18-02-04", "level": level,
                "event_date": "2021-05-10", "applied_on": "2021-05-20", "institution": "WX-JG-001",
                "fee_paid": format!("{}.00", 300 + i), "months": 6, "ui_contribution_months": 24,
            })
        })
        .collect();
    for chunk in [600, 450] {
        let (result, problems) = compare(wuxi(), &claims, FieldMode::Strict, chunk, true);
        assert!(problems.is_empty(), "chunks of {chunk}:\n  {}", problems.join("\n  "));
        assert_eq!(result.claim_id(7), " C7 ");
    }
}

const PROGRAMS: [&str; 8] =
    ["skills_training", "enterprise_upgrade", "ui_skill_upgrade", "pre_job", "on_job", "online", "apprenticeship", "nope"];
const OCCUPATIONS: [&str; 5] = ["6-18-02-04", "6-18-01-01", "4-10-01-06", "6-31-01-03", "9-99-99-99"];

fn field(kind: u8, good: impl Fn() -> Value) -> Option<Value> {
    match kind {
        0 => None,
        1 => Some(Value::Null),
        2 => Some(Value::String("  ".into())),
        3 => Some(Value::String("bad\u{7}value".into())),
        4 => Some(Value::Bool(true)),
        _ => Some(good()),
    }
}

prop_compose! {
    fn claim()(
        id in 0u32..60, id_kind in prop_oneof![9 => Just(9u8), 1 => 0u8..5], numeric_ids in any::<bool>(),
        person in 0u32..1000, person_kind in prop_oneof![12 => Just(9u8), 1 => 0u8..5],
        program in 0usize..PROGRAMS.len(), occupation in 0usize..OCCUPATIONS.len(), level in 0usize..7,
        day in 0i64..330, lag in 0i64..400, enterprise_kind in prop_oneof![6 => Just(9u8), 1 => 0u8..5],
        fee in prop_oneof![
            6 => (0i64..600_000).prop_map(|f| Value::String(format!("{}.{:02}", f / 100, f % 100))),
            2 => (0i64..6000).prop_map(|f| serde_json::json!(f)),
            1 => Just(Value::String("0".into())),
            1 => Just(Value::String("12.345".into())),
            1 => Just(Value::String("abc".into())),
            1 => Just(Value::Null),
            1 => Just(serde_json::json!(0.1 + 0.2)),
        ],
        months in 0u32..8, ui in 0u32..40, unknown in proptest::bool::weighted(0.05), group in 0usize..4,
        district_kind in prop_oneof![6 => Just(9u8), 1 => 0u8..5], district in 0usize..3,
    ) -> Value {
        let date = |d: i64| (chrono::NaiveDate::from_ymd_opt(2021, 1, 4).unwrap() + chrono::Duration::days(d)).to_string();
        let mut o = serde_json::Map::new();
        let id_value = if numeric_ids { serde_json::json!(id) } else { Value::String(format!("C{id}")) };
        if let Some(v) = field(id_kind, || id_value.clone()) { o.insert("claim_id".into(), v); }
        let person_value = if numeric_ids { serde_json::json!(person) } else { Value::String(format!("P{person}")) };
        if let Some(v) = field(person_kind, || person_value.clone()) { o.insert("person_id".into(), v); }
        o.insert("program".into(), PROGRAMS[program].into());
        if let Some(v) = field(enterprise_kind, || Value::String(format!("E{}", person % 3))) { o.insert("enterprise_id".into(), v); }
        o.insert("group".into(), ["employee", "unemployed", "student", "martian"][group].into());
        if let Some(v) = field(district_kind, || ["梁溪区", "滨湖区", " 新吴区 "][district].into()) { o.insert("district".into(), v); }
        o.insert("occupation".into(), OCCUPATIONS[occupation].into());
        o.insert("level".into(), ["5", "4", "3", "2", "1", "S", "9"][level].into());
        o.insert("event_date".into(), date(day).into());
        o.insert("applied_on".into(), if lag == 399 { "2021-02-30".into() } else { date(day + lag / 4).into() });
        o.insert("institution".into(), "WX-JG-001".into());
        o.insert("fee_paid".into(), fee);
        o.insert("months".into(), serde_json::json!(months));
        o.insert("ui_contribution_months".into(), serde_json::json!(ui));
        if unknown { o.insert("colour".into(), "red".into()); }
        Value::Object(o)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(300), ..ProptestConfig::default() })]

    #[test]
    fn a_table_is_decided_as_a_batch_of_its_rows(
        claims in proptest::collection::vec(claim(), 0..120), chunk in 1usize..150, shortcuts in any::<bool>(),
        lenient in any::<bool>(), small in proptest::bool::weighted(0.3), unique in proptest::bool::weighted(0.7),
        one_day in proptest::bool::weighted(0.3),
    ) {
        // Mostly ids of their own (so that the shortcut is taken), sometimes drawn from a few.
        let mut claims = claims;
        if unique {
            for (i, c) in claims.iter_mut().enumerate() {
                if let Some(id) = c.get_mut("claim_id").filter(|v| v.is_number() || v.as_str().is_some_and(|s| s.starts_with('C'))) {
                    *id = if id.is_number() { serde_json::json!(i) } else { Value::String(format!("C{i}")) };
                }
            }
        }
        // Sometimes every row of one day: rows with the same shared fields then share raw
        // entries, and the records and report are summed by raw entry.
        if one_day {
            for c in claims.iter_mut().filter_map(Value::as_object_mut) {
                c.insert("event_date".into(), "2021-05-10".into());
                c.insert("applied_on".into(), "2021-05-20".into());
            }
        }
        let engine = if small { small_account() } else { wuxi() };
        let mode = if lenient { FieldMode::Lenient } else { FieldMode::Strict };
        let (_, problems) = compare(engine, &claims, mode, chunk, shortcuts);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//! Typed claims are checked as text claims are (SPEC §6, issue 18): a `Claim` built in code is
//! assessed exactly as the same claim written as JSON and read by the claim reader — status,
//! amount and error codes — alone, explained, in a batch and in a what-if.

use proptest::prelude::*;
use skill_subsidy::calendar::{parse_date, Date};
use skill_subsidy::Group;
use skill_subsidy::Level;
use skill_subsidy::{Assessment, Claim, CompactString, Decimal, Engine, FieldMode, RawClaim, Ruleset, Status};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Ruleset::wuxi_2021().unwrap()))
}

fn date(text: &str) -> Date {
    parse_date(text).unwrap()
}

/// A welder's senior-worker certificate claim that pays 2600.00 as it stands.
fn welder(fee: &str) -> Claim {
    let mut claim = Claim::new("C1", "skills_training", "P1", date("2021-08-02"), date("2021-08-20"));
    claim.occupation = Some("6-18-02-04".into());
    claim.level = Some(Level::L3);
    claim.institution = Some("WX-JG-001".into());
    claim.fee_paid = Some(fee.parse().unwrap());
    claim
}

/// The claim as JSON, written field by field.
fn json_of(c: &Claim) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: Option<serde_json::Value>| {
        if let Some(v) = v {
            m.insert(k.into(), v);
        }
    };
    let text = |s: &Option<CompactString>| s.as_ref().map(|s| s.to_string().into());
    put("claim_id", Some(c.claim_id.to_string().into()));
    put("program", Some(c.program.to_string().into()));
    put("person_id", Some(c.person_id.to_string().into()));
    put("enterprise_id", text(&c.enterprise_id));
    put("group", Some(c.group.code().into()));
    put("district", text(&c.district));
    put("occupation", text(&c.occupation));
    put("level", c.level.map(|l| l.code().into()));
    put("event_date", Some(c.event_date.to_string().into()));
    put("applied_on", Some(c.applied_on.to_string().into()));
    put("institution", text(&c.institution));
    put("fee_paid", c.fee_paid.map(|f| f.to_string().into()));
    put("months", c.months.map(Into::into));
    put("ui_contribution_months", c.ui_contribution_months.map(Into::into));
    put("project", text(&c.project));
    put("evaluator", text(&c.evaluator));
    serde_json::Value::Object(m)
}

fn from_text(c: &Claim) -> Assessment {
    let raw: RawClaim = serde_json::from_str(&json_of(c).to_string()).unwrap();
    engine().assess_raw(&raw, FieldMode::Strict, false)
}

fn codes(a: &Assessment) -> Vec<(String, &'static str)> {
    a.errors.iter().map(|e| (e.field.clone(), e.code.code())).collect()
}

/// Before: approved for -100.00, alone and as the batch's approved amount.
#[test]
fn a_negative_fee_is_invalid_alone_and_in_a_batch() {
    let claim = welder("-100");
    let alone = engine().assess(&claim);
    assert_eq!(alone.status, Status::Invalid);
    assert_eq!(codes(&alone), [("fee_paid".to_string(), "negative_money")]);
    assert_eq!(codes(&alone), codes(&from_text(&claim)));
    let explained = engine().explain(&claim);
    assert_eq!((explained.status, explained.trace.is_some()), (Status::Invalid, true));
    let mut other = welder("3000");
    (other.claim_id, other.person_id) = ("C2".into(), "P2".into());
    let batch = engine().assess_batch(&[claim.clone(), other], &[]).unwrap();
    assert_eq!(batch.report.approved.amount.to_string(), "2600.00");
    assert_eq!(batch.report.invalid, 1);
    assert_eq!(batch.status(0), Status::Invalid);
    let whatif = engine().whatif(std::slice::from_ref(&claim), &[]).unwrap();
    assert_eq!(whatif.baseline().report.invalid, 1);
    assert_eq!(claim.validate().unwrap_err().field_errors()[0].code.code(), "negative_money");
}

/// Before: a fee of 1234.567 paid 1234.57, more than the fee.
#[test]
fn a_fee_finer_than_the_fen_is_invalid() {
    let claim = welder("1234.567");
    let a = engine().assess(&claim);
    assert_eq!((a.status, codes(&a)), (Status::Invalid, vec![("fee_paid".to_string(), "money_precision")]));
    assert_eq!(codes(&a), codes(&from_text(&claim)));
    // A fee to the fen in another scale is the same fee.
    assert_eq!(engine().assess(&welder("1234.5")).amount.to_string(), "1234.50");
}

/// Before: an empty claim_id and person_id paid 2600.00.
#[test]
fn empty_ids_are_missing_fields() {
    let mut claim = welder("3000");
    claim.claim_id = "".into();
    claim.person_id = "  ".into();
    let a = engine().assess(&claim);
    assert_eq!(a.status, Status::Invalid);
    assert_eq!(codes(&a), [("claim_id".to_string(), "missing_field"), ("person_id".to_string(), "missing_field")]);
    assert_eq!(codes(&a), codes(&from_text(&claim)));
    assert_eq!(engine().assess_batch(&[claim], &[]).unwrap().report.approved.amount.to_string(), "0.00");
}

#[test]
fn text_with_spaces_is_trimmed_as_the_reader_trims_it() {
    let mut claim = welder("3000");
    claim.institution = Some(" WX-JG-001 ".into());
    claim.district = Some("".into());
    let checked = claim.clone().checked().unwrap();
    assert_eq!((checked.institution.as_deref(), checked.district.as_deref()), (Some("WX-JG-001"), None));
    assert_eq!(engine().assess(&claim).amount.to_string(), "2600.00");
}

fn text(pool: &'static [&'static str]) -> impl Strategy<Value = CompactString> {
    proptest::sample::select(pool).prop_map(CompactString::from)
}

fn optional(pool: &'static [&'static str]) -> impl Strategy<Value = Option<CompactString>> {
    proptest::option::of(text(pool))
}

fn any_date() -> impl Strategy<Value = Date> {
    prop_oneof![
        8 => (0i64..800).prop_map(|d| date("2020-06-01") + chrono::Days::new(d as u64)),
        1 => Just(Date::from_ymd_opt(10000, 1, 1).unwrap()),
        1 => Just(Date::from_ymd_opt(-1, 12, 31).unwrap()),
    ]
}

fn any_claim() -> impl Strategy<Value = Claim> {
    let ids = (
        text(&["C1", "", " C2 ", "C\u{7}3", "P-长-ID", "C4\u{a0}", "\u{3000}C5", "C\u{7f}6", "C7\t", "C\u{85}8"]),
        text(&["skills_training", "pre_job", "online", "apprenticeship", "nope"]),
        text(&["P1", "", "P\u{1b}2", " P3"]),
    );
    let texts = (
        optional(&["E1", "", " E2"]),
        optional(&["6-18-02-04", " 6-18-02-04 ", "4-01-02-01", "x\u{0}y", ""]),
        optional(&["WX-JG-001", "WX-JG-002 ", "\t"]),
        optional(&["滨湖区", ""]),
        optional(&["PRJ-1", ""]),
        optional(&["WX-PJ-001", ""]),
    );
    let values = (
        proptest::option::of(proptest::sample::select(Level::ALL.to_vec())),
        proptest::sample::select(Group::ALL.to_vec()),
        any_date(),
        any_date(),
        proptest::option::of((-500_000i64..10_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s))),
        proptest::option::of(0u32..1300),
        proptest::option::of(0u32..1300),
    );
    (ids, texts, values).prop_map(
        |(
            (claim_id, program, person_id),
            (enterprise, occupation, institution, district, project, evaluator),
            (level, group, event, applied, fee, months, ui),
        )| {
            let mut c = Claim::new(&claim_id, &program, &person_id, event, applied);
            c.enterprise_id = enterprise;
            c.occupation = occupation;
            c.institution = institution;
            c.district = district;
            c.project = project;
            c.evaluator = evaluator;
            c.level = level;
            c.group = group;
            c.fee_paid = fee;
            c.months = months;
            c.ui_contribution_months = ui;
            c
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_typed_claim_is_assessed_as_its_json(claim in any_claim()) {
        let typed = engine().assess(&claim);
        let text = from_text(&claim);
        prop_assert_eq!(typed.status, text.status);
        prop_assert_eq!(typed.amount.to_string(), text.amount.to_string());
        prop_assert_eq!(codes(&typed), codes(&text));
        prop_assert_eq!(typed.reasons.joined(), text.reasons.joined());
        prop_assert_eq!(claim.validate().is_ok(), text.errors.is_empty() || text.errors.iter().all(|e| e.code.code() == "required_by_program"));
    }
}

/// A history record built in code with a negative amount or an empty person id is refused with
/// the errors the same record read from JSON gets; nothing of it enters the batch.
#[test]
fn a_typed_history_record_is_checked_as_its_json_is() {
    use skill_subsidy::HistoryRecord;
    let typed = HistoryRecord::new(" ", "skills_training", date("2021-03-01"), date("2021-03-10"), "-2000".parse().unwrap());
    let json = serde_json::json!({"person_id": " ", "program": "skills_training", "event_date": "2021-03-01",
                                  "applied_on": "2021-03-10", "amount": "-2000"});
    let from_text: Vec<&str> = HistoryRecord::from_json(&json, false).unwrap_err().iter().map(|e| e.code.code()).collect();
    assert_eq!(from_text, ["missing_field", "negative_money"]);
    let refused = engine().assess_batch(&[welder("3000")], std::slice::from_ref(&typed)).unwrap_err();
    assert_eq!(refused.code(), "invalid_history");
    assert_eq!(refused.field_errors().iter().map(|e| e.code.code()).collect::<Vec<_>>(), from_text);
    assert!(engine().whatif(&[], std::slice::from_ref(&typed)).is_err());
    let mut batch = engine().batch();
    assert!(batch.add_history(&typed).is_err());
    batch.add(&welder("3000"));
    assert_eq!(batch.finish().report.approved.amount.to_string(), "2600.00");
}

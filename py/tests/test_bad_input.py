"""Bad input never crashes: a clear exception with `.errors` (code, field, message) when the
input cannot be assessed as a whole, an `invalid` row with its field errors otherwise. Nothing is
dropped, and a person id never appears in a message."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from skill_subsidy import ClaimError, Engine, OverrideError, RulesError, SubsidyError

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

CLAIM = {
    "claim_id": "C1",
    "program": "skills_training",
    "person_id": "320211199001011234",
    "occupation": "6-18-02-04",
    "level": "3",
    "institution": "WX-JG-001",
    "fee_paid": "3000.00",
    "event_date": "2021-08-02",
    "applied_on": "2021-08-20",
}
SECRET = "320211199001011234"


def errors_of(out) -> list:
    """The `errors` column of any kind of result, as `field:code` joined with `;`."""
    if isinstance(out, list):
        return [";".join(f"{e['field']}:{e['code']}" for e in r["errors"]) for r in out]
    if isinstance(out, pa.Table):
        return out.column("errors").to_pylist()
    return list(out["errors"])


def test_the_exceptions_form_one_hierarchy():
    assert issubclass(RulesError, SubsidyError) and issubclass(OverrideError, RulesError) and issubclass(ClaimError, SubsidyError)
    assert SubsidyError.errors == ()


def test_a_frame_without_a_claim_id_column_is_refused_naming_the_columns_not_the_values(engine):
    frame = pd.DataFrame([{k: v for k, v in CLAIM.items() if k != "claim_id"}])
    with pytest.raises(ClaimError) as e:
        engine.assess_batch(frame)
    assert e.value.errors == [{"code": "missing_column", "field": "claim_id", "message": e.value.errors[0]["message"]}]
    assert "person_id" in str(e.value) and SECRET not in str(e.value)


def test_a_missing_column_other_than_claim_id_makes_every_row_invalid(engine):
    frame = pa.Table.from_pylist([{k: v for k, v in CLAIM.items() if k != "person_id"}] * 2)
    out = engine.assess_batch(frame).to_pylist()
    assert [r["status"] for r in out] == ["invalid", "invalid"]
    assert out[0]["errors"] == "person_id:missing_field;claim_id:duplicate_claim_id"


def test_a_column_given_twice_is_refused(engine):
    frame = pd.DataFrame([list(CLAIM.values()) + ["4000"]], columns=list(CLAIM) + ["fee_paid"])
    with pytest.raises(ClaimError) as e:
        engine.assess_batch(frame)
    assert e.value.errors[0]["code"] == "repeated_column" and e.value.errors[0]["field"] == "fee_paid"


@pytest.mark.parametrize(
    "column, error",
    [
        (pa.array([True]), "fee_paid:wrong_type"),
        (pa.array([[1, 2]]), "fee_paid:wrong_type"),
        (pa.array([{"yuan": 3000}]), "fee_paid:wrong_type"),
        (pa.array([dt.datetime(2021, 1, 1)], pa.timestamp("s", tz="Asia/Shanghai")), "fee_paid:wrong_type"),
        (pa.array([0.1 + 0.2]), "fee_paid:money_precision"),
        (pa.array([float("nan")]), "fee_paid:bad_money"),
        (pa.array([float("inf")]), "fee_paid:bad_money"),
        (pa.array([1e15]), "fee_paid:money_out_of_range"),
        (pa.array([-5.0]), "fee_paid:negative_money"),
        (pa.array([None], pa.float64()), "fee_paid:required_by_program"),
        (pa.array([b"\xff\xfe"]), "fee_paid:invalid_utf8"),
        (pa.array(["3000\x07"]), "fee_paid:invalid_characters"),
        (pa.array(["x" * 5000]), "fee_paid:too_long"),
    ],
)
def test_a_wrong_type_or_value_in_a_column_makes_the_row_invalid(engine, column, error):
    table = pa.Table.from_pylist([CLAIM]).drop(["fee_paid"]).append_column("fee_paid", column)
    out = engine.assess_batch(table).to_pylist()[0]
    assert (out["status"], out["errors"]) == ("invalid", error)


def test_float_money_like_0_1_plus_0_2_is_refused_in_every_kind(engine):
    claim = {**CLAIM, "fee_paid": 0.1 + 0.2}
    assert engine.assess(claim).errors[0]["code"] == "money_precision"
    assert engine.assess(claim).errors[0]["value"] == "0.30000000000000004"
    for data in (pd.DataFrame([claim]), pl.DataFrame([claim]), pa.Table.from_pylist([claim]), [claim]):
        assert errors_of(engine.assess_batch(data)) == ["fee_paid:money_precision"]
    # A float that is whole fen is taken through its shortest form: 1400.1 is 1400.10.
    assert engine.assess({**CLAIM, "fee_paid": 1400.1}).amount == Decimal("1400.10")


def test_nan_and_none(engine):
    """NaN money is not a number; None (and pandas' NA, NaT) is a missing value. In pandas, NaN in
    a float column is pandas' own missing value, and reads as one."""
    assert engine.assess({**CLAIM, "fee_paid": float("nan")}).errors[0]["code"] == "bad_money"
    assert engine.assess({**CLAIM, "fee_paid": Decimal("NaN")}).errors[0]["code"] == "bad_money"
    assert errors_of(engine.assess_batch(pl.DataFrame([{**CLAIM, "fee_paid": float("nan")}]))) == ["fee_paid:bad_money"]
    assert errors_of(engine.assess_batch(pd.DataFrame([{**CLAIM, "fee_paid": float("nan")}]))) == ["fee_paid:required_by_program"]
    for missing in (None, pd.NA, pd.NaT):
        assert errors_of(engine.assess_batch([{**CLAIM, "person_id": missing}])) == ["person_id:missing_field"]
    assert engine.assess({**CLAIM, "district": None}).status == "approved"


def test_odd_python_values_are_read_or_refused_never_a_crash(engine):
    import numpy as np

    assert engine.assess({**CLAIM, "fee_paid": Decimal("2.4E+3")}).amount == Decimal("2400.00")
    assert engine.assess({**CLAIM, "fee_paid": np.float64(2400.5)}).amount == Decimal("2400.50")
    assert engine.assess({**CLAIM, "level": np.int64(3)}).amount == Decimal("2600.00")
    assert engine.assess({**CLAIM, "event_date": dt.date(2021, 8, 2)}).status == "approved"
    assert engine.assess({**CLAIM, "event_date": pd.Timestamp("2021-08-02")}).status == "approved"
    assert engine.assess({**CLAIM, "event_date": dt.datetime(2021, 8, 2, 10)}).errors[0]["code"] == "bad_date"
    assert engine.assess({**CLAIM, "fee_paid": True}).errors[0]["code"] == "wrong_type"
    assert engine.assess({**CLAIM, "fee_paid": [3000]}).errors[0]["code"] == "wrong_type"
    assert engine.assess({**CLAIM, "fee_paid": object()}).errors[0]["code"] == "wrong_type"
    assert engine.assess({**CLAIM, "event_date": "2021-02-30"}).errors[0]["code"] == "bad_date"
    assert engine.assess({**CLAIM, "fee_paid": "1e400"}).errors[0]["code"] == "bad_money"
    assert engine.assess({**CLAIM, "claim_id": "\ud800"}).errors[0]["code"] == "invalid_utf8"
    assert engine.assess({**CLAIM, 7: "x"}).errors[0] == {
        **engine.assess({**CLAIM, 7: "x"}).errors[0],
        "code": "unknown_field",
        "field": "7",
    }
    assert engine.assess({**CLAIM, 7: "x"}, lenient=True).status == "approved"
    assert engine.assess("not a claim").errors[0]["code"] == "not_an_object"


def test_items_that_are_not_dicts_are_invalid_rows_and_nothing_is_dropped(engine):
    out = engine.assess_batch([CLAIM, "C2", None, 42, {**CLAIM, "claim_id": "C3"}])
    assert [r["status"] for r in out] == ["approved", "invalid", "invalid", "invalid", "rejected"]
    assert out[1]["errors"][0]["code"] == "not_an_object"
    assert out[4]["reasons"] == ["duplicate_level"]


def test_a_person_id_never_appears_in_an_error(engine):
    bad = {**CLAIM, "person_id": SECRET + "\x07"}
    a = engine.assess(bad)
    assert a.errors[0]["field"] == "person_id" and "value" not in a.errors[0]
    assert SECRET not in a.to_json()
    out = engine.assess_batch(pa.Table.from_pylist([bad]), trace=True).to_pylist()[0]
    assert SECRET not in str(out)
    history = [
        {"person_id": SECRET + "\x07", "program": "skills_training", "event_date": "2021-01-01", "applied_on": "2021-01-02", "amount": "x"}
    ]
    with pytest.raises(ClaimError) as e:
        engine.assess_batch([CLAIM], history)
    assert SECRET not in str(e.value) and SECRET not in str(e.value.errors)


def test_unsupported_data_is_refused_with_what_was_expected(engine):
    for data in (42, "claims.csv", {"claim_id": "C1"}):
        with pytest.raises(ClaimError) as e:
            engine.assess_batch(data)
        assert e.value.errors[0]["code"] == "unsupported_input"
        assert "list of dicts" in str(e.value)


def test_a_pandas_column_of_mixed_objects_is_read_row_by_row(engine):
    frame = pd.DataFrame(
        [
            CLAIM,
            {**CLAIM, "claim_id": "C2", "person_id": "P2", "fee_paid": Decimal("1400.10")},
            {**CLAIM, "claim_id": "C3", "person_id": "P3", "fee_paid": [1]},
        ]
    )
    out = engine.assess_batch(frame)
    assert list(out["status"]) == ["approved", "approved", "invalid"]
    assert list(out["amount"]) == [Decimal("2600.00"), Decimal("1400.10"), Decimal("0.00")]


def test_a_history_row_that_does_not_validate_stops_the_run_with_every_row_named(engine):
    history = pd.DataFrame(
        [
            {"person_id": "P1", "program": "skills_training", "event_date": "2021-01-01", "applied_on": "2021-01-02", "amount": "100"},
            {"person_id": "P2", "program": "skills_training", "event_date": "2021-02-30", "applied_on": "2021-01-02", "amount": "NaN"},
        ]
    )
    with pytest.raises(ClaimError) as e:
        engine.assess_batch([CLAIM], history)
    assert [(x["row"], x["field"], x["code"]) for x in e.value.errors] == [("1", "event_date", "bad_date"), ("1", "amount", "bad_money")]
    assert str(e.value).startswith("history: 1 row does not validate")
    with pytest.raises(ClaimError) as e:
        engine.assess_batch([CLAIM], pd.DataFrame({"program": ["x"]}))
    assert e.value.errors[0]["code"] == "missing_column"


def test_an_outcome_without_its_application_id_stops_the_run(engine):
    with pytest.raises(ClaimError) as e:
        engine.apprenticeship([], outcomes=[{"outcome": "withdrawn", "outcome_date": "2021-08-01"}])
    assert e.value.errors[0]["field"] == "application_id"


def test_an_application_that_does_not_validate_is_invalid(engine):
    result = engine.apprenticeship([{"application_id": "A1", "months": "x"}, 7])
    assert [a["status"] for a in result.applications] == ["invalid", "invalid"]
    assert {e["field"] for e in result.applications[0]["errors"]} >= {"months", "person_id"}


def test_an_override_to_a_missing_path_or_with_a_bad_value_is_refused(engine):
    with pytest.raises(OverrideError) as e:
        engine.with_overrides({"shortage.rat": "0.2"})
    assert e.value.errors[0]["code"] == "unknown_path" and e.value.errors[0]["file"] == "overrides"
    with pytest.raises(OverrideError) as e:
        engine.with_overrides({"shortage.rate": "1.5"})
    assert e.value.errors[0]["field"] == "shortage.rate"
    with pytest.raises(OverrideError):
        engine.with_overrides({"shortage.rate": [1]})
    with pytest.raises(OverrideError):
        engine.whatif({"nope": 1}, [CLAIM])
    assert engine.with_overrides(["shortage.rate=0.2", "programs.skills_training.amounts.3[2021-07-01..2021-12-31]=2200"]).overrides == [
        "shortage.rate=0.2",
        "programs.skills_training.amounts.3[2021-07-01..2021-12-31]=2200",
    ]
    assert engine.with_overrides({"shortage.rate": 0.2}).value("shortage.rate") == Decimal("0.2")


def test_a_ruleset_folder_with_mistakes_names_the_file_key_and_line(tmp_path):
    rules = tmp_path / "w1"
    shutil.copytree(ROOT / "tests" / "bench" / "w1", rules)
    programs = rules / "programs.toml"
    programs.write_text(programs.read_text(encoding="utf-8") + '\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(RulesError) as e:
        Engine.from_dir(rules)
    error = e.value.errors[0]
    assert (error["code"], error["file"], error["path"].split(".")[-1]) == ("unknown_key", "programs.toml", "colour")
    assert error["line"] is not None and error["message"]
    with pytest.raises(RulesError):
        Engine("wuxi-1999")

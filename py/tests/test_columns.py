"""Columns that are not fields are not silently ignored (issue 15): a SubsidyWarning names them
with the field each is likely meant to be, strict=True refuses them, a history without the
columns its programs need is refused, and keep=[...] carries input columns into the result."""

from __future__ import annotations

import warnings
from typing import Any, Dict

import pytest

from skill_subsidy import ArgumentError, ClaimError, SubsidyWarning

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def demo() -> Dict[str, Any]:
    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {"claims": read("demo-2021.csv").head(3000), "history": read("history-2021.csv")}


def test_a_misspelt_column_is_named_with_the_field_it_is_likely_meant_to_be(engine, demo):
    bad = demo["claims"].rename(columns={"fee_paid": "fee", "applied_on": "Applied On"}).assign(notes="x")
    for data in (bad, pl.from_pandas(bad), pa.Table.from_pandas(bad, preserve_index=False)):
        with pytest.warns(SubsidyWarning) as caught:
            engine.assess_batch(data)
        message = str(caught[0].message)
        assert "fee (did you mean fee_paid?)" in message and "Applied On (did you mean applied_on?)" in message
        assert "notes" in message and "notes (did you mean" not in message
        assert caught[0].filename == __file__  # it points at the caller's line
    with pytest.raises(ClaimError) as e:
        engine.assess_batch(bad, strict=True)
    assert e.value.errors[0]["code"] == "unknown_column" and e.value.errors[0]["field"] == "Applied On"
    # Kept columns are expected; lenient=True says "leave them out" and lenient=False makes
    # each row say it: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", SubsidyWarning)
        engine.assess_batch(demo["claims"].assign(notes="x"), keep=["notes"])
        engine.assess_batch(bad, lenient=True)
        engine.assess_batch(demo["claims"])  # every column a field: nothing to say
    with pytest.warns(SubsidyWarning, match="history: 1 column is not a field of history: lvl"):
        engine.assess_batch(demo["claims"], demo["history"].rename(columns={"level": "lvl"}).assign(level="3"))


def test_a_history_without_the_columns_its_programs_need_is_refused(engine, demo):
    for column, checks in (("level", "duplicate_level"), ("occupation", "duplicate_level")):
        for history in (demo["history"].drop(columns=[column]), demo["history"].drop(columns=[column]).to_dict("records")):
            with pytest.raises(ClaimError) as e:
                engine.assess_batch(demo["claims"], history)
            assert e.value.errors[0]["code"] == "missing_column" and e.value.errors[0]["field"] == column
            assert checks in str(e.value) and "skills_training" in str(e.value)
    enterprise = [{"person_id": "P1", "program": "pre_job", "event_date": "2021-03-01", "applied_on": "2021-03-05", "amount": "300"}]
    with pytest.raises(ClaimError, match="enterprise_id"):
        engine.assess_batch(demo["claims"].head(5), enterprise)
    # A history of programs that need neither is fine without them.
    online = [{"person_id": "P1", "program": "online", "event_date": "2021-03-01", "applied_on": "2021-03-05", "amount": "300"}]
    online.append({**online[0], "program": "skills_training", "occupation": "6-18-02-04", "level": "3"})
    assert len(engine.assess_batch(demo["claims"].head(5), online)) == 5


def test_kept_columns_come_after_the_claim_id_in_every_kind(engine, demo):
    claims = demo["claims"].head(200)
    out = engine.assess_batch(claims, keep=["district", "level"])
    assert list(out.columns[:3]) == ["claim_id", "district", "level"]
    assert (out["district"] == claims["district"]).all() and (out.index == claims.index).all()
    polars = engine.assess_batch(pl.from_pandas(claims).lazy(), keep=["district"])
    assert polars.columns[:2] == ["claim_id", "district"] and polars["district"].to_list() == list(claims["district"])
    arrow = engine.assess_batch(pa.Table.from_pandas(claims, preserve_index=False), keep=["district"])
    assert arrow.column_names[1] == "district"
    dicts = engine.assess_batch(claims.to_dict("records"), lenient=True, keep=["district"])
    assert list(dicts[0])[:2] == ["claim_id", "district"] and dicts[0]["district"] == claims["district"].iloc[0]
    for name in ("program", "colour"):
        with pytest.raises(ArgumentError) as e:
            engine.assess_batch(claims, keep=[name])
        assert "district" in e.value.errors[0]["choices"] and name not in e.value.errors[0]["choices"]

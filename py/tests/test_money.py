"""Money as the caller asks (issue 15): exact decimals by default, exact int64 fen, or floats for
charts, on results and report tables, equal to each other to the fen (floats to the nearest
double)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import pytest

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def demo() -> Dict[str, Any]:
    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {k: read(f"{k}-2021.csv") for k in ("history", "applications", "outcomes")} | {"claims": read("demo-2021.csv")}


def test_fen_is_exact_int64_and_float_is_the_nearest_double_in_every_kind(engine, demo):
    exact = engine.assess_batch(demo["claims"], demo["history"])
    fen = engine.assess_batch(demo["claims"], demo["history"], money="fen")
    floats = engine.assess_batch(demo["claims"], demo["history"], money="float")
    assert fen["amount"].dtype == "int64" and floats["amount"].dtype == "float64"
    assert [int(d * 100) for d in exact["amount"]] == list(fen["amount"])
    assert list(floats["amount"]) == [float(d) for d in exact["amount"]]
    # What a decimal column refused: describe, cumsum, nlargest, select_dtypes.
    assert "amount" in fen.select_dtypes("number").columns
    assert fen["amount"].cumsum().iloc[-1] == int(sum(exact["amount"]) * 100)
    assert fen["amount"].describe()["max"] == fen["amount"].nlargest(1).iloc[0]
    for kind, claims in (("polars", pl.from_pandas(demo["claims"])), ("arrow", pa.Table.from_pandas(demo["claims"]))):
        out = engine.assess_batch(claims, money="fen")
        assert (out.schema["amount"] if kind == "polars" else out.schema.field("amount").type) in (pl.Int64, pa.int64())
    alone = demo["claims"].assign(person_id=[f"P{i}" for i in range(len(demo["claims"]))])  # the table path
    assert list(engine.assess_batch(alone, money="fen")["amount"]) == [int(d * 100) for d in engine.assess_batch(alone)["amount"]]
    records = engine.assess_batch(demo["claims"].head(5).to_dict("records"), lenient=True, money="fen")
    assert [r["amount"] for r in records] == list(fen["amount"].head(5))


def test_report_and_application_tables_take_the_money_of_the_run_or_their_own(engine, demo):
    run = engine.run(demo["claims"], demo["history"], applications=demo["applications"], outcomes=demo["outcomes"], money="fen")
    report = run.report
    programs = report.to_frame("program")
    assert programs["amount"].dtype == "int64" and programs["amount"].sum() == int(report.approved_amount * 100)
    assert report.to_frame("program", money="decimal")["amount"].sum() == report.approved_amount
    assert report.to_frame("account", money="float")["utilisation"].dtype == "float64"
    apps = run.applications
    assert apps["final_amount"].dtype == "Int64"  # nullable: a rejected application has none
    assert run.payments["amount"].dtype == "int64"
    assert sum(run.payments["amount"]) == int(sum(run.cash_flow.values(), Decimal(0)) * 100)
    # A Parquet round trip keeps fen as numbers (decimal columns come back as objects).
    import io

    buffer = io.BytesIO()
    programs.to_parquet(buffer)
    assert pd.read_parquet(buffer)["amount"].dtype == "int64"


def test_an_unknown_money_kind_is_refused_naming_the_kinds(engine, demo):
    from skill_subsidy import ArgumentError

    with pytest.raises(ArgumentError) as e:
        engine.assess_batch(demo["claims"].head(2), money="cents")
    assert e.value.errors[0]["choices"] == ["decimal", "fen", "float"]
    with pytest.raises(ValueError):  # an ArgumentError is a ValueError too
        engine.report(demo["claims"].head(2)).to_frame("program", money="yuan")

"""Result and report columns are categorical in their natural order (issue 15): statuses approved,
rejected, invalid; programs in ruleset order; catalogue versions and months by time; so that a
group-by, a sort and a chart read in that order, in pandas and polars."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

STATUSES = ["approved", "rejected", "invalid"]


@pytest.fixture(scope="module")
def demo() -> Dict[str, Any]:
    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {"claims": read("demo-2021.csv"), "history": read("history-2021.csv")}


@pytest.fixture(scope="module")
def order(engine) -> Dict[str, Any]:
    rules = engine.export()
    versions = sorted((v["effective_from"], v["id"]) for c in rules["catalogues"] for v in c["versions"])
    return {"program": [p["id"] for p in rules["programs"]], "catalogue_version": list(dict.fromkeys(v for _, v in versions))}


def test_a_pandas_result_sorts_and_groups_months_by_time_and_programs_in_ruleset_order(engine, demo, order):
    out = engine.assess_batch(demo["claims"], demo["history"])
    for column in ("status", "program", "catalogue_version", "payment_month"):
        assert out[column].cat.ordered, column
    assert list(out["status"].cat.categories) == STATUSES
    assert list(out["program"].cat.categories) == order["program"]
    assert list(out["catalogue_version"].cat.categories) == order["catalogue_version"]
    months = list(out["payment_month"].cat.categories)
    assert months == sorted(months) and len(months) > 10
    # The first rows' months are 2021-05, 2021-11, 2021-04: first-appearance order was wrong.
    assert list(out["payment_month"].head(3)) == ["2021-05", "2021-11", "2021-04"]
    by_month = out.groupby("payment_month", observed=True)["claim_id"].count().sort_index()
    assert list(by_month.index) == months
    assert list(out.sort_values("status")["status"].drop_duplicates()) == [s for s in STATUSES if s in set(out["status"])]
    # The table path (claims alone) gives the same categories.
    alone = engine.assess_batch(demo["claims"].assign(person_id=[f"P{i}" for i in range(len(demo["claims"]))]))
    assert list(alone["program"].cat.categories) == order["program"] and alone["status"].cat.ordered


def test_a_polars_result_has_enums_of_the_closed_sets_and_sorts_months_by_time(engine, demo, order):
    for claims in (pl.from_pandas(demo["claims"]), pl.from_pandas(demo["claims"].head(1))):
        out = engine.assess_batch(claims, pl.from_pandas(demo["history"]))
        assert out.schema["status"] == pl.Enum(STATUSES)
        assert out.schema["program"] == pl.Enum(order["program"])
        assert out.schema["catalogue_version"] == pl.Enum(order["catalogue_version"])
        assert out.schema["payment_month"] == pl.Categorical
    out = engine.assess_batch(pl.from_pandas(demo["claims"]), pl.from_pandas(demo["history"]))
    assert out.sort("status")["status"].unique(maintain_order=True).to_list() == STATUSES[: out["status"].n_unique()]
    months = out.group_by("payment_month").len().sort("payment_month")["payment_month"].drop_nulls().to_list()
    assert months == sorted(months)
    programs = out.group_by("program").len().sort("program")["program"].drop_nulls().to_list()
    assert programs == [p for p in order["program"] if p in programs]
    # Two results of one ruleset concatenate (the same Enum), months too (a Categorical).
    assert len(pl.concat([out.head(10), out.tail(10)])) == 20


def test_report_tables_list_their_keys_in_natural_order_and_a_missing_key_as_null(engine, demo, order):
    report = engine.report(demo["claims"], demo["history"])
    programs = report.to_frame("program")
    assert list(programs["program"]) == [p for p in order["program"] if p in set(programs["program"])]
    assert programs["program"].cat.ordered and list(programs["program"].cat.categories) == order["program"]
    levels = report.to_frame("level")
    assert list(levels["level"].iloc[:-1]) == ["5", "4", "3", "2", "1", "S", "T"] and pd.isna(levels["level"].iloc[-1])
    assert "-" not in set(report.to_frame("district")["district"].dropna())
    months = report.to_frame("month", kind="polars")
    assert months["month"].to_list() == sorted(months["month"].to_list())
    assert report.to_frame("status", kind="polars").schema["status"] == pl.Enum(STATUSES)
    reasons = report.to_frame("reason", kind="arrow")
    assert reasons.schema.field("reason").type.ordered
    # The sums do not change with the order.
    assert sum(programs["amount"]) == report.approved_amount
    whatif = engine.whatif({"shortage.rate": "0.20"}, demo["claims"], demo["history"])
    assert list(whatif.to_frame("program")["program"]) == list(programs["program"])
    assert whatif.to_frame("level", kind="polars").schema["level"] == pl.Enum(["5", "4", "3", "2", "1", "S", "T"])


def test_a_report_cut_by_several_keys_sums_to_each_keys_table(engine, demo, order):
    from skill_subsidy import ArgumentError

    report = engine.report(demo["claims"], demo["history"])
    cut = report.to_frame(["district", "program"])
    assert list(cut.columns) == ["district", "program", "count", "amount"]
    by_program = report.to_frame("program").set_index("program")
    sums = cut.groupby("program", observed=True)[["count", "amount"]].sum()
    assert {p: (int(r["count"]), r["amount"]) for p, r in sums.iterrows()} == {
        p: (int(r["count"]), r["amount"]) for p, r in by_program.iterrows()
    }
    # Sorted by district, then programs in ruleset order within each.
    first = cut[cut["district"] == cut["district"].iloc[0]]["program"].tolist()
    assert first == [p for p in order["program"] if p in first]
    by_fund = report.to_frame(["fund", "level", "month"], kind="polars", money="fen")
    assert by_fund["amount"].sum() == int(report.approved_amount * 100) and by_fund.schema["level"] == pl.Enum(
        ["5", "4", "3", "2", "1", "S", "T"]
    )
    with pytest.raises(ArgumentError) as e:
        report.to_frame(["district", "reason"])
    assert e.value.errors[0]["value"] == "reason" and "occupation" in e.value.errors[0]["choices"]

"""Property tests (hypothesis): a batch given as a list of dicts and as a table (pyarrow, pandas,
polars) gives the same assessments and the same report, whatever the claims — valid or not,
the same persons again and again, limits and exclusivity in play."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill_subsidy import Engine

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

ENGINE = Engine()
COLUMNS = ["claim_id", "status", "amount", "reasons", "errors", "program", "fund", "payee", "catalogue_version", "payment_month"]

programs = st.sampled_from(["skills_training", "enterprise_upgrade", "ui_skill_upgrade", "pre_job", "on_job", "online", "project", "nope"])
occupations = st.sampled_from(["6-18-02-04", "4-03-02-04", "6-31-01-08", "9-99-99-99"])
levels = st.sampled_from(["5", "4", "3", "2", "1", "S", "T", "6", ""])
dates = st.one_of(
    st.dates(min_value=__import__("datetime").date(2020, 6, 1), max_value=__import__("datetime").date(2022, 3, 1)).map(str),
    st.sampled_from(["2021-02-30", "soon"]),
)
fen = st.integers(min_value=0, max_value=900_000)


def text_money(n: int) -> str:
    return f"{n // 100}.{n % 100:02d}"


# Money as text, as a Decimal, or as a float (the shortest form of a whole-fen float is exact; a
# sum like 0.1 + 0.2 is not). One style per batch: a table column holds one type.
money_styles = {
    "text": st.one_of(fen.map(text_money), st.sampled_from(["NaN", "-5", "19.999", "1e400", "1,950"])),
    "decimal": st.one_of(fen.map(lambda n: Decimal(text_money(n))), st.sampled_from([Decimal("NaN"), Decimal("2.4E+3"), Decimal("0.001")])),
    "float": st.one_of(fen.map(lambda n: n / 100), st.sampled_from([0.1 + 0.2, float("inf"), -1.0])),
}


@st.composite
def batches(draw: Any) -> List[Dict[str, Any]]:
    style = draw(st.sampled_from(sorted(money_styles)))
    n = draw(st.integers(min_value=1, max_value=40))
    rows = []
    for i in range(n):
        row = {
            "claim_id": draw(st.sampled_from([f"C{i}", f"C{i}", f"C{i}", "C0"])),
            "program": draw(programs),
            "person_id": draw(st.sampled_from(["P1", "P2", "P3", "", "P\x07"])),
            "enterprise_id": draw(st.sampled_from(["E1", "E2", None])),
            "group": draw(st.sampled_from(["employee", "unemployed", "alien", None])),
            "district": draw(st.sampled_from(["梁溪区", "新吴区", None])),
            "occupation": draw(st.one_of(st.none(), occupations)),
            "level": draw(st.one_of(st.none(), levels)),
            "event_date": draw(dates),
            "applied_on": draw(dates),
            "institution": draw(st.sampled_from(["WX-JG-001", "WX-JG-099", None])),
            "fee_paid": draw(st.one_of(st.none(), money_styles[style])),
            "months": draw(st.one_of(st.none(), st.integers(min_value=-1, max_value=30))),
            "ui_contribution_months": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=40))),
            "project": draw(st.sampled_from([None, "WX-XM-2021-01", "WX-XM-9999"])),
        }
        rows.append(row)
    return rows


def as_row(record: Dict[str, Any]) -> Dict[str, Any]:
    row = dict(record)
    row["reasons"] = ";".join(record["reasons"])
    row["errors"] = ";".join(f"{e['field']}:{e['code']}" for e in record["errors"])
    return {k: row[k] for k in COLUMNS}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_dicts_and_tables_give_the_same_assessments_and_report(claims: List[Dict[str, Any]]) -> None:
    by_dicts = ENGINE.run(claims, lenient=False)
    expected = [as_row(r) for r in by_dicts.assessments]
    try:
        table = pa.Table.from_pylist(claims)
    except pa.ArrowException:
        table = None  # Decimal("NaN") has no place in a decimal128 column: dicts and pandas only
    if table is not None:
        by_arrow = ENGINE.run(table, lenient=False)
        assert by_arrow.assessments.to_pylist() == expected
        assert by_arrow.report == by_dicts.report
        by_polars = ENGINE.run(pl.from_arrow(table), lenient=False)
        assert by_polars.assessments.to_arrow().to_pylist() == expected
    frame = pd.DataFrame(claims)
    nan = any(isinstance(c["fee_paid"], (float, Decimal)) and c["fee_paid"] != c["fee_paid"] for c in claims)
    if frame["fee_paid"].dtype != "float64" and not nan:
        # (pandas takes NaN for a missing value, and stores a float column's None as NaN.)
        by_pandas = ENGINE.run(frame, lenient=False)
        assert pa.Table.from_pandas(by_pandas.assessments, preserve_index=False).to_pylist() == expected
        assert by_pandas.report == by_dicts.report


@settings(max_examples=25, deadline=None)
@given(batches(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_input_order(claims: List[Dict[str, Any]], random: Any) -> None:
    shuffled = list(claims)
    random.shuffle(shuffled)
    a, b = ENGINE.run(claims), ENGINE.run(shuffled)
    assert a.report == b.report
    key = lambda r: (r["claim_id"], r["status"], r["amount"], tuple(r["reasons"]))  # noqa: E731
    assert sorted(map(key, a.assessments)) == sorted(map(key, b.assessments))


@settings(max_examples=25, deadline=None)
@given(batches())
def test_the_report_total_is_the_sum_of_the_amounts(claims: List[Dict[str, Any]]) -> None:
    result = ENGINE.run(claims)
    amounts = [r["amount"] for r in result.assessments]
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)
    assert sum(amounts, Decimal("0.00")) == result.report.approved_amount

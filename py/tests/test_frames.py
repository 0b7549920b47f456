"""Frames in, frames out: pandas, polars, pyarrow and lists of dicts give the same results, as
the same kind, with the amount an exact decimal column."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any, Dict, List

import pytest

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

EXAMPLES = ROOT / "examples"
COLUMNS = ["claim_id", "status", "amount", "reasons", "errors", "program", "fund", "payee", "catalogue_version", "payment_month"]
#: The result's columns of a closed set of values: a polars ``Enum`` of them in their natural order.
ENUMS = ("status", "program", "catalogue_version")


def rows(frame: Any) -> List[Dict[str, Any]]:
    """Any result frame as a list of dicts (decimals as Decimal, nulls as None)."""
    if isinstance(frame, pd.DataFrame):
        return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()
    if isinstance(frame, pl.DataFrame):
        return frame.to_arrow().to_pylist()
    if isinstance(frame, pa.Table):
        return frame.to_pylist()
    return frame


def as_csv_row(record: Dict[str, Any]) -> Dict[str, Any]:
    """A dict record in the columns of a frame (reasons and errors joined, as in CSV)."""
    row = {k: record[k] for k in COLUMNS if k not in ("reasons", "errors")}
    row["reasons"] = ";".join(record["reasons"])
    row["errors"] = ";".join(f"{e['field']}:{e['code']}" for e in record["errors"])
    return {k: row[k] for k in COLUMNS}


@pytest.fixture(scope="module")
def demo() -> Dict[str, Any]:
    read = lambda name: pd.read_csv(EXAMPLES / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {
        "claims": read("demo-2021.csv"),
        "history": read("history-2021.csv"),
        "applications": read("applications-2021.csv"),
        "outcomes": read("outcomes-2021.csv"),
    }


def test_pandas_polars_pyarrow_and_dicts_give_equal_results(engine, demo):
    inputs = {
        "pandas": {k: v for k, v in demo.items()},
        "polars": {k: pl.from_pandas(v) for k, v in demo.items()},
        "arrow": {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in demo.items()},
        "dicts": {k: v.to_dict("records") for k, v in demo.items()},
    }
    results = {}
    for kind, data in inputs.items():
        results[kind] = engine.run(
            data["claims"], data["history"], applications=data["applications"], outcomes=data["outcomes"], lenient=True
        )
    assert isinstance(results["pandas"].assessments, pd.DataFrame)
    assert isinstance(results["polars"].assessments, pl.DataFrame)
    assert isinstance(results["arrow"].assessments, pa.Table)
    assert isinstance(results["dicts"].assessments, list)
    expected = rows(results["arrow"].assessments)
    assert len(expected) == len(demo["claims"]) == 20_000
    assert rows(results["pandas"].assessments) == expected
    assert rows(results["polars"].assessments) == expected
    assert [as_csv_row(r) for r in results["dicts"].assessments] == expected
    reports = [r.report for r in results.values()]
    assert all(r == reports[0] for r in reports)
    assert reports[0].to_dict()["targets"]["wuxi-2021"]["measures"]["apprentices"]["done"] > 0
    apps = rows(results["arrow"].applications)
    assert rows(results["pandas"].applications) == apps == rows(results["polars"].applications)
    assert len(apps) == len(demo["applications"])
    # The report's total is the sum of the records' amounts, to the fen (applications apart).
    assert sum((r["amount"] for r in expected), Decimal(0)) == sum(
        (v["amount"] for k, v in reports[0].to_dict()["by"]["program"].items() if k != "apprenticeship"), Decimal(0)
    )


def test_the_amount_is_an_exact_decimal_column_of_every_kind(engine, demo):
    head = demo["claims"].head(50)
    out_pd = engine.assess_batch(head)
    assert isinstance(out_pd["amount"].dtype, pd.ArrowDtype)
    assert out_pd["amount"].dtype.pyarrow_dtype == pa.decimal128(18, 2)
    assert isinstance(out_pd["amount"].iloc[1], Decimal)
    out_pl = engine.assess_batch(pl.from_pandas(head))
    assert out_pl.schema["amount"] == pl.Decimal(18, 2)
    out_pa = engine.assess_batch(pa.Table.from_pandas(head))
    assert out_pa.schema.field("amount").type == pa.decimal128(18, 2)
    assert out_pa.column_names == COLUMNS
    assert str(out_pa["amount"][1].as_py()) == "1500.00"


def test_a_pandas_result_keeps_the_input_index(engine, demo):
    some = demo["claims"].iloc[100:110].set_index("claim_id", drop=False)
    out = engine.assess_batch(some)
    assert list(out.index) == list(some.index)
    assert (out["claim_id"] == some["claim_id"]).all()


def test_columns_typed_by_pandas_read_the_same_as_text(engine):
    """read_csv's guesses (floats with NaN for money and months, str for ids) give the same
    results as every column read as text."""
    as_text = pd.read_csv(EXAMPLES / "demo-2021.csv", dtype=str, keep_default_na=False)
    guessed = pd.read_csv(EXAMPLES / "demo-2021.csv")
    assert guessed["fee_paid"].dtype == "float64" and guessed["months"].dtype == "float64"
    assert rows(engine.assess_batch(guessed)) == rows(engine.assess_batch(as_text))


def test_categorical_and_dictionary_columns_read_as_their_values(engine, demo):
    claims = demo["claims"].head(2000)
    expected = rows(engine.assess_batch(claims))
    as_category = claims.astype({"program": "category", "occupation": "category", "level": "category", "district": "category"})
    assert rows(engine.assess_batch(as_category)) == expected
    as_polars = pl.from_pandas(claims).with_columns(
        pl.col("program").cast(pl.Categorical), pl.col("level").cast(pl.Enum(sorted(set(claims["level"]))))
    )
    assert rows(engine.assess_batch(as_polars)) == expected
    # polars categoricals (their categories shared by every column, some rows null) cross as
    # their codes; the same claims with persons of their own take the table's way.
    own = claims.assign(person_id=[f"P{i}" for i in range(len(claims))])
    own.loc[own.index[::7], "district"] = None
    categorical = pl.from_pandas(own).with_columns(pl.col("occupation", "district", "program").cast(pl.Categorical))
    from skill_subsidy import _frames

    crossed = _frames.read(categorical)[1]
    if hasattr(getattr(categorical.schema["district"], "categories", None), "to_series"):  # polars ≥ 2 tells its categories
        assert isinstance(crossed, pa.Table) and pa.types.is_dictionary(crossed.schema.field("district").type)
        assert crossed.column("district").to_pylist() == categorical["district"].to_list()
    assert rows(engine.assess_batch(categorical)) == rows(engine.assess_batch(own))
    dictionary = pa.Table.from_pandas(claims, preserve_index=False)
    dictionary = dictionary.set_column(
        dictionary.schema.get_field_index("occupation"), "occupation", dictionary["occupation"].dictionary_encode()
    )
    assert rows(engine.assess_batch(dictionary)) == expected


def test_a_column_of_one_text_but_a_row_is_read_as_it_is_in_every_layout(engine):
    """Blocks of one text are told at a look from the column's layout: a row that differs (in its
    text, its length or where the bytes split) anywhere in a long column is still read as it is,
    in ``utf8``, ``large_utf8`` and ``utf8_view`` (a text past 12 bytes lives outside its view)."""
    n = 4_500
    base = {"claim_id": [f"C{i}" for i in range(n)], "person_id": [f"P{i}" for i in range(n)], "enterprise_id": ["E1"] * n}
    for program, odd in (("pre_job", "on_job"), ("pre_job", "pre_jo"), ("skills_training", "skills_trainin")):
        for at in (2_300, n - 1):
            programs = [program] * n
            programs[at] = odd
            dates = ["2021-05-10"] * n
            dates[(at + 1) % n] = "2021-5-10"
            data = {**base, "program": programs, "event_date": dates, "applied_on": ["2021-05-20"] * n}
            expected = engine.assess_batch([dict(zip(data, values)) for values in zip(*data.values())])
            for kind in (pa.string(), pa.large_string(), pa.string_view()):
                table = pa.table({k: pa.array(v, type=kind) for k, v in data.items()})
                assert rows(engine.assess_batch(table)) == [as_csv_row(r) for r in expected]
                # A slice (offsets that do not start at zero), and a null outside the rows read.
                sliced = pa.table({k: pa.array([None, *v], type=kind)[1:] for k, v in data.items()})
                assert rows(engine.assess_batch(sliced)) == [as_csv_row(r) for r in expected]


def test_a_polars_result_makes_its_columns_of_one_value_at_once_with_the_same_values(engine, demo):
    """polars gets the text columns that hold one value on every row apart (made as literals):
    the result has the same columns, in order, of the same types and values as the Arrow one,
    whether every column is of one value, some are, or the table is empty."""
    # Persons of their own: the table is assessed a shape at a time.
    claims = demo["claims"].head(3000).assign(person_id=[f"P{i}" for i in range(3000)])
    one_kind = pd.DataFrame(
        {
            "claim_id": [f"C{i}" for i in range(50)],
            "program": "pre_job",
            "person_id": [f"P{i}" for i in range(50)],
            "enterprise_id": "E1",
            "event_date": "2021-05-10",
            "applied_on": "2021-05-20",
        }
    )
    mixed = claims.head(400).copy()
    mixed.loc[mixed.index[:7], "program"] = None
    for data, apart in ((claims, None), (one_kind, 8), (mixed, None), (claims.head(0), 0)):
        result = engine.run(pl.from_pandas(data))
        stream, constants, names = result._native.assessments_apart()
        assert names == COLUMNS
        apart_names = [c[0] for c in constants]
        assert len(stream) == len(data) and pa.table(stream).column_names == [n for n in names if n not in apart_names]
        if apart is not None:
            assert len(constants) == apart
        out = result.assessments
        expected = engine.assess_batch(pa.Table.from_pandas(data, preserve_index=False))
        assert out.columns == COLUMNS
        assert rows(out) == rows(expected)
        for c in ENUMS:
            # The same categories, in the same order, whether made as a literal or imported.
            assert out.schema[c] == pl.Enum(expected.schema.field(c).type and expected.column(c).chunk(0).dictionary.to_pylist())
        assert all(out.schema[c] == pl.Categorical for c in COLUMNS if c not in ("claim_id", "amount", *ENUMS))
    assert engine.assess_batch(pl.from_pandas(one_kind))["status"].to_list() == ["approved"] * len(one_kind)


def test_pandas_crosses_to_arrow_as_pyarrow_carries_it():
    """The binding's own pandas → Arrow (quicker for numbers, categories and Arrow-backed columns)
    gives what ``pyarrow.Table.from_pandas`` gives, column for column, for every kind of column."""
    from skill_subsidy import _frames

    frame = pd.DataFrame(
        {
            "float": [1.5, float("nan"), 0.1 + 0.2],
            "float32": pd.array([1.5, 2.0, 3.25], dtype="float32"),
            "int": [1, 2, 3],
            "uint8": pd.array([1, 2, 255], dtype="uint8"),
            "bool": [True, False, True],
            "category": pd.Categorical(["x", None, "y"]),
            "ordered": pd.Categorical(["b", "a", None], categories=["b", "a"], ordered=True),
            "int category": pd.Categorical([3, 1, 3]),
            "object": pd.Series(["a", None, "c"], dtype=object),
            "text": pd.Series(["a", None, "b"], dtype="string"),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "date": pd.to_datetime(["2021-05-01", None, "2021-06-01"]),
            "zoned": pd.to_datetime(["2021-05-01", "2021-05-02", "2021-06-01"]).tz_localize("Asia/Shanghai"),
        }
    )
    for data in (frame, frame.iloc[0:0], frame[["float", "category"]], frame.set_index("int")):
        ours = _frames.from_pandas(data, pa)
        theirs = pa.Table.from_pandas(data, preserve_index=False)
        assert ours.schema.remove_metadata() == theirs.schema.remove_metadata()
        assert ours.to_pylist() == theirs.to_pylist()
    # Column names that are not text are left to pyarrow.
    numbered = pd.DataFrame({0: [1.5], 1: ["a"]})
    assert _frames.from_pandas(numbered, pa).column_names == ["0", "1"]


def test_results_cross_to_pandas_as_pyarrow_carries_them(engine, demo):
    """The binding's own Arrow → pandas (a category straight from its codes) gives what
    ``to_pandas`` gives: on the shape path, the batch path (nulls, traces) and a table of two
    results whose dictionaries differ."""
    from skill_subsidy import _frames

    def arrow(result: Any) -> Any:
        return pa.table(result._native.assessments_table(False))

    claims = demo["claims"].head(3000).copy()
    claims.loc[claims.index[:40], "program"] = None
    tables = [
        arrow(engine.run(claims)),
        arrow(engine.run(claims.head(200), trace=True)),
        arrow(engine.run(claims, demo["history"], lenient=True)),
    ]
    tables.append(pa.concat_tables([tables[0], arrow(engine.run(claims.tail(100).assign(level="x")))]))
    # Claim ids as given: a dictionary with unsigned keys and a null, and an ordered one.
    ids = pa.DictionaryArray.from_arrays(pa.array([0, None, 1], pa.uint32()), pa.array(["C1", "C2"]))
    few = claims.head(3).assign(claim_id=pd.Series(pd.arrays.ArrowExtensionArray(ids)))
    tables.append(arrow(engine.run(few)))
    ordered = claims.head(3).assign(claim_id=pd.Categorical(["C2", "C1", "C3"], categories=["C3", "C2", "C1"], ordered=True))
    tables.append(arrow(engine.run(ordered)))
    mapper = _frames._pandas_dtype(pa, pd)
    for table in tables:
        try:
            expected = table.to_pandas(types_mapper=mapper)
        except pa.ArrowTypeError:  # pyarrow before 22 does not convert unsigned dictionary keys: signed ones, as ours
            unsigned = lambda t: pa.types.is_dictionary(t) and pa.types.is_unsigned_integer(t.index_type)  # noqa: E731
            signed = [
                c.cast(pa.dictionary(pa.int64(), c.type.value_type, c.type.ordered)) if unsigned(c.type) else c for c in table.columns
            ]
            expected = pa.table(signed, names=table.column_names).to_pandas(types_mapper=mapper)
        pd.testing.assert_frame_equal(_frames.to_pandas(table, pa, pd), expected)


def test_arrow_types_of_every_kind_read_exactly():
    """Decimal, integer, float, date, timestamp, large and view strings, binary: each cell is read
    as its exact text."""
    from skill_subsidy import Engine

    engine = Engine()
    n = 3
    table = pa.table(
        {
            "claim_id": pa.array(["a", "b", "c"], pa.large_string()),
            "program": pa.array(["skills_training"] * n, pa.string_view()),
            "person_id": pa.array([1, 2, 3], pa.int64()),
            "occupation": pa.array([b"6-18-02-04"] * n, pa.binary()),
            "level": pa.array([3, 4, 5], pa.int8()),
            "institution": ["WX-JG-001"] * n,
            "fee_paid": pa.array([Decimal("2466.67"), Decimal("1400.10"), Decimal("1400.105")], pa.decimal128(12, 3)),
            "event_date": pa.array([dt.date(2021, 8, 2)] * n, pa.date32()),
            "applied_on": pa.array(
                [dt.datetime(2021, 8, 20), dt.datetime(2021, 8, 20), dt.datetime(2021, 8, 20, 9, 30)], pa.timestamp("ns")
            ),
        }
    )
    out = engine.assess_batch(table).to_pylist()
    assert [(r["status"], r["amount"]) for r in out[:2]] == [("approved", Decimal("2466.67")), ("approved", Decimal("1400.10"))]
    assert out[2]["status"] == "invalid"
    assert out[2]["errors"] == "applied_on:bad_date;fee_paid:money_precision"
    explained = engine.assess_batch(table.slice(2), trace=True).to_pylist()[0]
    assert '"validation"' in explained["trace"]


def test_an_empty_frame_gives_an_empty_frame_with_the_columns(engine):
    out = engine.assess_batch(pd.DataFrame({"claim_id": pd.Series([], dtype=str)}))
    assert len(out) == 0 and list(out.columns) == COLUMNS
    assert engine.assess_batch([]) == []
    assert engine.report(pl.DataFrame()).claims == 0


def test_a_lazy_frame_and_record_batches_are_read(engine, demo):
    claims = demo["claims"].head(100)
    expected = rows(engine.assess_batch(claims))
    assert rows(engine.assess_batch(pl.from_pandas(claims).lazy())) == expected
    table = pa.Table.from_pandas(claims, preserve_index=False)
    assert rows(engine.assess_batch(table.to_batches()[0])) == expected
    assert rows(engine.assess_batch(pa.RecordBatchReader.from_batches(table.schema, table.to_batches()))) == expected
    assert rows(engine.assess_batch(table.to_pylist())) != expected  # dicts come back as full records …
    assert [as_csv_row(r) for r in engine.assess_batch(iter(table.to_pylist()))] == expected  # … any iterable


def test_report_tables_come_as_the_kind_of_the_claims(engine, demo):
    report = engine.report(pl.from_pandas(demo["claims"]))
    by_program = report.to_frame("program")
    assert isinstance(by_program, pl.DataFrame) and by_program.columns == ["program", "count", "amount"]
    assert sum(by_program["amount"].to_list(), Decimal(0)) == report.approved_amount
    months = report.to_frame("account_month", kind="pandas")
    assert list(months.columns) == ["account", "month", "committed", "paid"]
    accounts = report.to_frame("account", kind="arrow").to_pylist()
    assert accounts[0]["spending_target"] == accounts[0]["opening_balance"] == Decimal("500000000.00")
    assert accounts[0]["closes_when_spent"] is False
    assert accounts[0]["paid_in_period"] + accounts[0]["paid_after_period"] == sum(months["paid"], Decimal(0))
    assert report.to_frame("reason", kind="records")[0].keys() == {"reason", "count"}
    from skill_subsidy import ArgumentError

    with pytest.raises(ArgumentError) as e:
        report.to_frame("colour")
    assert e.value.errors[0]["code"] == "unknown_choice" and "account_month" in e.value.errors[0]["choices"]
    assert "<table>" in report._repr_html_()


def test_batches_run_in_threads_at_once(engine, demo):
    claims = pa.Table.from_pandas(demo["claims"], preserve_index=False)
    expected = engine.report(claims)
    results: List[Any] = [None] * 3

    def run(i: int) -> None:
        results[i] = engine.report(claims)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)

"""Python input types across the boundary (issue 14, point 6; py/README.md "Types across the
boundary"): numpy scalars read by their kind (a ``datetime64`` as a date, what no field can hold
as that field's ``wrong_type``, never an exception that stops a batch, never cast); one rule for
a timestamp in a time zone from every kind of input (``wrong_type``); a pandas Series as one
claim and a table or a numpy array where one claim or a batch is expected refused with
``InputTypeError``; floats written as JavaScript writes them (``1e+300``), so that they read as
in the CLI and the browser (the shared vectors in tests/vectors/floats.json)."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from typing import Any, List

import pytest

from skill_subsidy import ClaimError, Engine, InputTypeError, SubsidyError

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

CLAIM = {
    "claim_id": "C1",
    "program": "skills_training",
    "person_id": "P1",
    "occupation": "6-18-02-04",
    "level": "3",
    "institution": "WX-JG-001",
    "fee_paid": "3000.00",
    "event_date": "2021-08-02",
    "applied_on": "2021-08-20",
}
# A claim of another person, approved on its own: beside a row under test in a batch.
OTHER = {**CLAIM, "claim_id": "C2", "person_id": "P2"}


def codes(assessment: Any) -> List[str]:
    return [f"{e['field']}:{e['code']}" for e in assessment.errors]


def rows_of(out: Any) -> List[dict]:
    """The records of any kind of result."""
    if isinstance(out, list):
        return out
    if isinstance(out, pa.Table):
        return out.to_pylist()
    if isinstance(out, pl.DataFrame):
        return out.to_dicts()
    return out.to_dict("records")


def errors_of(out: Any) -> List[str]:
    """The `errors` of each record, as `field:code` joined with `;` (as a table's column)."""
    return [
        r["errors"] if isinstance(r["errors"], str) else ";".join(f"{e['field']}:{e['code']}" for e in r["errors"]) for r in rows_of(out)
    ]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


# --- numpy.datetime64 ------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["D", "h", "m", "s", "ms", "us", "ns"])
@pytest.mark.parametrize("field", ["event_date", "applied_on"])
def test_a_datetime64_of_any_unit_is_the_date_a_python_date_is(engine, unit, field):
    day = dt.date.fromisoformat(CLAIM[field])
    want = engine.assess({**CLAIM, field: day})
    got = engine.assess({**CLAIM, field: np.datetime64(CLAIM[field]).astype(f"datetime64[{unit}]")})
    assert (
        (got.status, got.amount, got.payment_month)
        == (want.status, want.amount, want.payment_month)
        == ("approved", Decimal("2600.00"), "2021-09")
    )


def test_a_datetime64_with_a_time_is_a_bad_date_as_a_datetime_is(engine):
    got = engine.assess({**CLAIM, "event_date": np.datetime64("2021-08-02T10:30")})
    assert codes(got) == codes(engine.assess({**CLAIM, "event_date": dt.datetime(2021, 8, 2, 10, 30)})) == ["event_date:bad_date"]
    assert got.errors[0]["value"] == "2021-08-02T10:30"


def test_a_datetime64_of_a_month_or_a_year_is_not_a_day(engine):
    for value, shown in ((np.datetime64("2021-08"), "2021-08"), (np.datetime64("2021", "Y"), "2021")):
        got = engine.assess({**CLAIM, "event_date": value})
        assert codes(got) == ["event_date:bad_date"] and got.errors[0]["value"] == shown


def test_a_datetime64_nat_is_missing(engine):
    for nat in (np.datetime64("NaT"), np.datetime64("NaT", "ns"), np.datetime64("NaT", "D")):
        assert codes(engine.assess({**CLAIM, "event_date": nat})) == ["event_date:missing_field"]
        # An optional field: as if not given.
        assert engine.assess({**CLAIM, "district": nat}).status == "approved"


def test_a_datetime64_in_a_list_of_dicts_does_not_stop_the_batch(engine):
    rows = [
        {**CLAIM, "event_date": np.datetime64("2021-08-02")},
        OTHER,
        {**CLAIM, "claim_id": "C3", "person_id": "P3", "fee_paid": np.datetime64("2021-08-02")},
    ]
    out = engine.assess_batch(rows)
    assert [r["status"] for r in out] == ["approved", "approved", "invalid"]
    assert errors_of(out) == ["", "", "fee_paid:bad_money"]


# --- numpy scalars no field can hold ----------------------------------------------------------

NOT_MEANINGFUL = {
    "timedelta64": np.timedelta64(3, "D"),
    "timedelta64 NaT": np.timedelta64("NaT"),
    "void": np.void(b"ab"),
    "complex64": np.complex64(3000),
    "complex128": np.complex128(3000 + 0j),
    "clongdouble": np.clongdouble(3000),
}


@pytest.mark.parametrize("kind", sorted(NOT_MEANINGFUL))
def test_a_numpy_scalar_no_field_can_hold_is_that_fields_wrong_type(engine, kind):
    value = NOT_MEANINGFUL[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning: never cast to real
        got = engine.assess({**CLAIM, "fee_paid": value})
        out = engine.assess_batch([{**CLAIM, "district": value}, OTHER])
    assert (got.status, codes(got)) == ("invalid", ["fee_paid:wrong_type"])
    assert [r["status"] for r in out] == ["invalid", "approved"]
    assert errors_of(out) == ["district:wrong_type", ""]


def test_numpy_numbers_are_read_as_their_column_is(engine):
    # A float32 by its own shortest digits (1400.1), as a float32 column is read.
    for value in (np.float32(1400.1), np.float16(1400)):
        one = engine.assess({**CLAIM, "fee_paid": value})
        column = engine.assess_batch(pa.table({**{k: [v] for k, v in CLAIM.items() if k != "fee_paid"}, "fee_paid": pa.array([value])}))
        assert one.amount == Decimal(str(value)) == column.column("amount")[0].as_py()
    assert engine.assess({**CLAIM, "fee_paid": np.uint16(2000)}).amount == Decimal("2000.00")
    assert engine.assess({**CLAIM, "fee_paid": np.longdouble(2000.5)}).amount == Decimal("2000.50")
    assert codes(engine.assess({**CLAIM, "fee_paid": np.bool_(True)})) == ["fee_paid:wrong_type"]


# --- time zones: one rule ---------------------------------------------------------------------

ZONES = [dt.timezone.utc, dt.timezone(dt.timedelta(hours=8))]


@pytest.mark.parametrize("zone", ZONES, ids=["UTC", "+08:00"])
def test_a_zoned_datetime_in_a_dict_is_the_wrong_type(engine, zone):
    for value in (dt.datetime(2021, 8, 2, tzinfo=zone), pd.Timestamp("2021-08-02", tz=zone)):
        got = engine.assess({**CLAIM, "event_date": value})
        assert codes(got) == ["event_date:wrong_type"]
        assert "time zone" in got.errors[0]["value"] and "time zone" in got.errors[0]["message_en"]


def zoned_frames(zone: str) -> List[Any]:
    """The claim with a zoned event_date in every kind of table."""
    rest = {k: [v] for k, v in CLAIM.items() if k != "event_date"}
    stamp = pd.to_datetime(["2021-08-02"]).tz_localize(zone)
    frame = pd.DataFrame({**rest, "event_date": stamp})
    table = pa.table({**rest, "event_date": pa.array([dt.datetime(2021, 8, 2)], pa.timestamp("us", tz=zone))})
    records = frame.to_dict("records")
    return [
        frame,
        pl.from_pandas(frame),
        table,
        pl.DataFrame(rest).with_columns(pl.lit(dt.datetime(2021, 8, 2)).dt.replace_time_zone(zone).alias("event_date")),
        records,
    ]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_a_zoned_timestamp_is_the_wrong_type_from_every_kind_of_input(engine, zone):
    for data in zoned_frames(zone):
        out = rows_of(engine.assess_batch(data))
        assert errors_of(out) == ["event_date:wrong_type"], type(data)


def test_a_naive_timestamp_at_midnight_is_a_date_in_every_kind_of_table(engine):
    rest = {k: [v] for k, v in CLAIM.items() if k != "event_date"}
    frame = pd.DataFrame({**rest, "event_date": pd.to_datetime(["2021-08-02"])})
    for data in (frame, pl.from_pandas(frame), pa.Table.from_pandas(frame), frame.to_dict("records")):
        assert [r["status"] for r in rows_of(engine.assess_batch(data))] == ["approved"]


# --- a Series is one claim; a table is not ----------------------------------------------------


def test_a_pandas_series_is_one_claim_its_nan_missing(engine):
    frame = pd.DataFrame(
        [CLAIM, {**OTHER, "fee_paid": None, "level": None}, {**CLAIM, "claim_id": "C3", "person_id": "P3", "district": None}]
    )
    assert isinstance(frame.iloc[1]["fee_paid"], type(None)) or pd.isna(frame.iloc[1]["fee_paid"])
    first = engine.assess(frame.iloc[0])
    assert (first.claim_id, first.status, first.amount) == ("C1", "approved", Decimal("2600.00"))
    second = engine.assess(frame.iloc[1])
    assert codes(second) == ["level:required_by_program", "fee_paid:required_by_program"]
    # A float column's NaN, a float NaN among objects, pandas' NA and NaT: all missing.
    numbers = pd.DataFrame({**{k: [v] for k, v in CLAIM.items()}, "district": [float("nan")]}).iloc[0]
    assert engine.assess(numbers).status == "approved"
    typed = pd.Series({**CLAIM, "fee_paid": pd.NA, "district": pd.NaT})
    assert codes(engine.assess(typed)) == ["fee_paid:required_by_program"]
    # As its row of the batch.
    batch = engine.assess_batch(frame)
    assert [engine.assess(row).status for _, row in frame.iterrows()] == list(batch["status"])
    # With history too, and explained.
    history = [
        {
            "person_id": "P1",
            "program": "skills_training",
            "occupation": "6-18-02-04",
            "level": "3",
            "event_date": "2021-03-01",
            "applied_on": "2021-03-10",
            "amount": "2000.00",
        }
    ]
    assert engine.assess(frame.iloc[0], history).reasons == ["duplicate_level"]
    assert engine.explain(frame.iloc[0]).trace["steps"]


def is_input_type_error(error: BaseException) -> None:
    assert isinstance(error, InputTypeError)
    assert isinstance(error, TypeError) and isinstance(error, ClaimError) and isinstance(error, SubsidyError)
    assert error.errors[0]["code"] == "unsupported_input"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "table",
    [
        pd.DataFrame([CLAIM]),
        pl.DataFrame([CLAIM]),
        pl.DataFrame([CLAIM]).lazy(),
        pa.Table.from_pylist([CLAIM]),
        pa.RecordBatch.from_pylist([CLAIM]),
        np.array([list(CLAIM.values())]),
        pl.Series(list(CLAIM.values())),
    ],
    ids=lambda t: f"{type(t).__module__.split('.')[0]}.{type(t).__name__}",
)
def test_a_table_as_one_claim_raises_input_type_error(engine, table):
    with pytest.raises(InputTypeError) as e:
        engine.assess(table)
    is_input_type_error(e.value)
    assert "assess_batch" in str(e.value)
    with pytest.raises(TypeError):
        engine.explain(table)


BATCHES = {
    "None": None,
    "42": 42,
    "text": "claims.csv",
    "dict": CLAIM,
    "numpy array": np.array([CLAIM, OTHER]),
    "numpy table": np.array([list(CLAIM.values())]),
    "pandas Series": pd.Series(CLAIM),
    "polars Series": pl.Series("claim_id", ["C1"]),
    "pyarrow Array": pa.array(["C1"]),
    "pyarrow ChunkedArray": pa.chunked_array([["C1"]]),
}


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_what_is_not_a_batch_raises_input_type_error(engine, name):
    data = BATCHES[name]
    for call in (engine.assess_batch, engine.report, engine.run, lambda d: engine.whatif({"shortage.rate": "0.2"}, d)):
        with pytest.raises(InputTypeError) as e:
            call(data)
        is_input_type_error(e.value)
        assert "list of dicts" in str(e.value)


def test_history_and_applications_of_another_kind_raise_too(engine):
    with pytest.raises(InputTypeError):
        engine.assess_batch([CLAIM], np.array([1]))
    with pytest.raises(InputTypeError):
        engine.apprenticeship(pd.Series({"application_id": "A1"}))
    # No claims but applications: an apprenticeship run, as before; an empty batch is [].
    assert engine.apprenticeship([]).applications == []
    assert engine.assess_batch([]) == []


# --- floats read as JavaScript writes them ----------------------------------------------------

FLOATS = [
    # (float, as JavaScript's Number.prototype.toString writes it, the fee's error)
    (1e300, "1e+300", "bad_money"),
    (1e21, "1e+21", "bad_money"),
    (1.5e22, "1.5e+22", "bad_money"),
    (1e-7, "1e-7", "bad_money"),
    (1.2345e-10, "1.2345e-10", "bad_money"),
    (5e-324, "5e-324", "bad_money"),
    (1e20, "100000000000000000000", "money_out_of_range"),
    (1e15, "1000000000000000", "money_out_of_range"),
    (0.000001, "0.000001", "money_precision"),
    (0.1 + 0.2, "0.30000000000000004", "money_precision"),
    (-1e300, "-1e+300", "bad_money"),
]


@pytest.mark.parametrize("value, text, code", FLOATS, ids=[t for _, t, _ in FLOATS])
def test_a_float_fee_is_read_as_javascript_writes_it_in_every_kind(engine, value, text, code):
    got = engine.assess({**CLAIM, "fee_paid": value})
    assert codes(got) == [f"fee_paid:{code}"] and got.errors[0]["value"] == text
    claim = {**CLAIM, "fee_paid": value}
    for data in (
        pd.DataFrame([claim]),
        pl.DataFrame([claim]),
        pa.Table.from_pylist([claim]),
        [claim],
        [{**claim, "fee_paid": np.float64(value)}],
    ):
        assert errors_of(engine.assess_batch(data)) == [f"fee_paid:{code}"], type(data)


# --- frames of every such dtype ---------------------------------------------------------------


def arrow_columns() -> List[Any]:
    day = dt.datetime(2021, 8, 2)
    return [
        pa.array([day], pa.timestamp("ns", tz="UTC")),
        pa.array([day], pa.timestamp("s", tz="Asia/Shanghai")),
        pa.array([dt.timedelta(days=3)], pa.duration("ns")),
        pa.array([dt.time(10, 30)], pa.time64("us")),
        pa.array([b"ab"], pa.binary(2)),
        pa.array([(1, 2, 3)], pa.month_day_nano_interval()),
        pa.array([1e300]),
        pa.array([3.4e38], pa.float32()),
        pa.array([None], pa.null()),
    ]


@pytest.mark.parametrize("column", arrow_columns(), ids=lambda c: str(c.type))
@pytest.mark.parametrize("field", ["fee_paid", "event_date", "district"])
def test_a_pyarrow_or_polars_column_of_any_such_dtype_gives_its_row_a_record(engine, column, field):
    table = pa.Table.from_pylist([CLAIM, OTHER])
    table = table.drop([n for n in [field] if n in table.column_names]).append_column(
        field, pa.concat_arrays([column, pa.array([None], column.type)])
    )
    out = rows_of(engine.assess_batch(table))
    assert len(out) == 2
    try:
        frame = pl.from_arrow(table)
    except Exception:  # noqa: BLE001 - a type polars does not hold is not a polars input
        return
    assert len(rows_of(engine.assess_batch(frame))) == 2


def test_polars_dtypes_of_every_kind_give_one_record_a_row(engine):
    rest = pl.DataFrame([CLAIM, OTHER])
    day = dt.datetime(2021, 8, 2)
    columns = {
        "zoned": pl.Series([day, day]).dt.replace_time_zone("Asia/Shanghai"),
        "duration": pl.Series([dt.timedelta(days=3), None]),
        "time": pl.Series([dt.time(10), None]),
        "date": pl.Series([dt.date(2021, 8, 2), None]),
        "datetime ms": pl.Series([day, None]).cast(pl.Datetime("ms")),
        "list": pl.Series([[1], None]),
        "struct": pl.Series([{"a": 1}, None]),
        "binary": pl.Series([b"ab", None]),
        "decimal": pl.Series([Decimal("3000.00"), None]),
    }
    for name, column in columns.items():
        for field in ("fee_paid", "event_date"):
            frame = rest.with_columns(column.alias(field))
            out = rows_of(engine.assess_batch(frame))
            assert len(out) == 2, name
    # The ones that are meaningful for the field are read; the rest are its wrong type.
    out = rows_of(engine.assess_batch(rest.with_columns(columns["date"].alias("event_date"))))
    assert out[0]["status"] == "approved"
    out = rows_of(engine.assess_batch(rest.with_columns(columns["duration"].alias("fee_paid"))))
    assert errors_of(out)[0] == "fee_paid:wrong_type"


def test_pandas_frames_of_numpy_dtypes_give_one_record_a_row(engine):
    frame = pd.DataFrame([CLAIM, OTHER])
    cases = {
        "datetime64[s]": (np.array(["2021-08-02", "NaT"], dtype="datetime64[s]"), "event_date", ["", "event_date:missing_field"]),
        "timedelta64": (np.array([3, 4], dtype="timedelta64[D]"), "fee_paid", ["fee_paid:wrong_type"] * 2),
        "complex": (np.array([3000, 3000], dtype="complex64"), "fee_paid", ["fee_paid:wrong_type"] * 2),
        "void": (np.array([np.void(b"ab"), np.void(b"cd")], dtype=object), "fee_paid", ["fee_paid:wrong_type"] * 2),
        "datetime64 objects": (
            np.array([np.datetime64("2021-08-02"), np.timedelta64(1, "D")], dtype=object),
            "event_date",
            ["", "event_date:wrong_type"],
        ),
    }
    for name, (values, field, want) in cases.items():
        data = frame.assign(**{field: values})
        assert errors_of(engine.assess_batch(data)) == want, name


def test_a_pandas_column_of_numpy_scalars_of_mixed_kinds_is_read_row_by_row(engine):
    # pyarrow crashes the interpreter converting these (a datetime64 and then another numpy
    # scalar): the binding reads such a column row by row instead.
    frame = pd.DataFrame([CLAIM, OTHER, {**CLAIM, "claim_id": "C3", "person_id": "P3"}])
    for mixed in ([np.datetime64("2021-08-02"), np.bool_(False), None], [np.datetime64("2021-08-02"), np.int64(1), np.float32(2)]):
        out = engine.assess_batch(frame.assign(event_date=pd.Series(mixed, dtype=object)))
        assert list(out["status"]) == ["approved", "invalid", "invalid"]

"""Fuzzing the binding with frames of arbitrary dtypes (hypothesis; issue 14): whatever a column
holds — text, integers, floats, booleans, dates, timestamps with or without a zone, decimals,
categoricals, nullable types, bytes, durations, numpy scalars of every kind, mixed objects —
`assess_batch` on a pandas, polars or pyarrow frame and on a list of dicts never raises, returns
one record per input row, and never shows a person id in a message."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Callable, Dict, List

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skill_subsidy import Engine, _frames

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

ENGINE = Engine()
# Every claim field, from the claim schema.
FIELDS = list(ENGINE.schema()["properties"])

# Values a column of each kind holds: plausible ones, and the edges of the kind.
texts = st.one_of(
    st.sampled_from(["skills_training", "pre_job", "on_job", "6-18-02-04", "3", "T", "2021-05-10", "1950.00", "WX-JG-001", "E1", ""]),
    st.text(max_size=12),
)
KINDS: Dict[str, Callable[[], st.SearchStrategy]] = {
    "text": lambda: texts,
    "int": lambda: st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "float": lambda: st.floats(allow_nan=True, allow_infinity=True),
    "bool": lambda: st.booleans(),
    "date": lambda: st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    "datetime": lambda: st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    "decimal": lambda: st.decimals(allow_nan=True, allow_infinity=True, places=None),
    "bytes": lambda: st.binary(max_size=8),
    "duration": lambda: st.timedeltas(min_value=dt.timedelta(days=-9999), max_value=dt.timedelta(days=9999)),
    # numpy's scalars, as a frame's .to_dict() or a numpy array hands them over: dates of any
    # unit (and NaT), and the kinds no field can hold (durations, complex numbers, void).
    "numpy": lambda: st.one_of(
        st.integers(min_value=-(2**63), max_value=2**63 - 1).map(np.int64),
        st.floats(width=32).map(np.float32),
        st.booleans().map(np.bool_),
        st.text(max_size=6).map(np.str_),
        st.tuples(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(["D", "s", "ns", "M"])).map(
            lambda d: np.datetime64(d[0]).astype(f"datetime64[{d[1]}]")
        ),
        st.just(np.datetime64("NaT")),
        st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: np.timedelta64(n, "s")),
        st.complex_numbers(allow_nan=True, allow_infinity=True).map(np.complex64),
        st.binary(min_size=1, max_size=4).map(np.void),
    ),
    # Timestamps in a time zone, as a dict holds them: the wrong type, whatever the zone.
    "zoned": lambda: st.datetimes(
        min_value=dt.datetime(1900, 1, 2),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=8))]),
    ),
}

# A person id no other column holds, so that finding it in a message is a leak.
person_ids = st.integers(min_value=0, max_value=10**12).map(lambda n: f"320211{n:012d}")


def column_values(kind: str, n: int) -> st.SearchStrategy:
    return st.lists(st.one_of(st.none(), KINDS[kind]()), min_size=n, max_size=n)


@st.composite
def frames(draw: Any) -> Dict[str, Any]:
    """Rows as dicts, each column of one kind (as a frame column is), person ids apart."""
    n = draw(st.integers(min_value=1, max_value=12))
    present = draw(st.lists(st.sampled_from(FIELDS), unique=True, min_size=1))
    if "claim_id" not in present:
        present.append("claim_id")
    columns: Dict[str, List[Any]] = {}
    kinds: Dict[str, str] = {}
    for name in present:
        if name == "person_id":
            kinds[name] = "person"
            columns[name] = draw(st.lists(person_ids, min_size=n, max_size=n))
            continue
        kinds[name] = draw(st.sampled_from(sorted(KINDS)))
        columns[name] = draw(column_values(kinds[name], n))
    rows = [{name: columns[name][i] for name in present} for i in range(n)]
    return {"rows": rows, "columns": columns, "kinds": kinds, "zone": draw(st.sampled_from([None, "UTC", "Asia/Shanghai"]))}


def pandas_frame(sample: Dict[str, Any]):
    frame = pd.DataFrame(sample["columns"])
    for name, kind in sample["kinds"].items():
        if kind == "datetime" and sample["zone"]:
            # Timestamps with a zone, as pandas holds them.
            try:
                frame[name] = pd.to_datetime(frame[name]).dt.tz_localize(sample["zone"])
            except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
                pass
        elif kind == "text":
            frame[name] = frame[name].astype("category") if len(frame) % 2 else frame[name].astype("string")
    return frame


def person_ids_in(sample: Dict[str, Any]) -> List[str]:
    return [p for p in sample["columns"].get("person_id", []) if p]


def assert_one_record_per_row_and_no_person_id(out: Any, rows: int, secrets: List[str]) -> None:
    if isinstance(out, list):
        records = out
    elif isinstance(out, pa.Table):
        records = out.to_pylist()
    elif isinstance(out, pl.DataFrame):
        records = out.to_dicts()
    else:
        records = out.to_dict("records")
    assert len(records) == rows
    shown = repr(records)
    leaked = [p for p in secrets if p in shown and all(p != str(r.get("claim_id")) for r in records)]
    assert not leaked, f"person ids in the output: {leaked}"


# FUZZ_EXAMPLES=2000 for a longer run than the test suite's.
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(frames())
def test_a_list_of_dicts_of_any_values_gives_one_record_a_row(sample):
    out = ENGINE.assess_batch(sample["rows"])
    assert_one_record_per_row_and_no_person_id(out, len(sample["rows"]), person_ids_in(sample))
    for record in out:
        for error in record["errors"]:
            assert error["field"] != "person_id" or "value" not in error


@SETTINGS
@given(frames())
def test_a_pandas_frame_of_any_dtypes_gives_one_record_a_row(sample):
    frame = pandas_frame(sample)
    out = ENGINE.assess_batch(frame)
    assert_one_record_per_row_and_no_person_id(out, len(frame), person_ids_in(sample))


@SETTINGS
@given(frames())
def test_polars_and_arrow_frames_of_any_dtypes_give_one_record_a_row(sample):
    frame = pandas_frame(sample)
    # Columns pandas holds as Python objects of mixed kinds have no Arrow type: such a frame
    # cannot be made in polars or pyarrow, and is not an input there (pyarrow crashes on some,
    # which the binding reads row by row: `_frames.arrow_safe`).
    if not _frames.arrow_safe(frame):
        event("no Arrow table of these columns (mixed objects)")
        return
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        event("no Arrow table of these columns")
        return
    secrets = person_ids_in(sample)
    assert_one_record_per_row_and_no_person_id(ENGINE.assess_batch(table), table.num_rows, secrets)
    try:
        frame = pl.from_arrow(table)
    except BaseException as e:  # noqa: BLE001 - polars' own panic on a type it cannot hold
        # polars holds no decimal256 (Arrow's widest decimal): such a table is not a polars input.
        if not isinstance(e, Exception) and type(e).__name__ != "PanicException":
            raise
        event("no polars frame of this table")
        return
    assert_one_record_per_row_and_no_person_id(ENGINE.assess_batch(frame), table.num_rows, secrets)


# numpy scalars that raised a bare TypeError before (issue 14, point 6), and aborted the batch:
# a datetime64 is the date a Python date is; what no field can hold is that field's wrong type.
NUMPY_SCALARS = {
    "datetime64": (np.datetime64("2021-05-10"), "approved", []),
    "datetime64[ns]": (np.datetime64("2021-05-10T00:00:00.000000000"), "approved", []),
    "timedelta64": (np.timedelta64(3, "D"), "invalid", ["event_date:wrong_type"]),
    "void": (np.void(b"ab"), "invalid", ["event_date:wrong_type"]),
    "complex64": (np.complex64(1), "invalid", ["event_date:wrong_type"]),
}


@pytest.mark.parametrize("kind", sorted(NUMPY_SCALARS))
def test_numpy_scalars_are_a_date_or_a_wrong_type_never_an_exception(kind):
    value, status, errors = NUMPY_SCALARS[kind]
    claim = {"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1", "applied_on": "2021-05-20"}
    other = {**claim, "claim_id": "C2", "person_id": "P2", "event_date": "2021-05-10"}
    out = ENGINE.assess_batch([{**claim, "event_date": value}, other])
    assert [r["status"] for r in out] == [status, "approved"]
    assert [f"{e['field']}:{e['code']}" for e in out[0]["errors"]] == errors

"""The demo year, shipped with the package: 20,000 claims of 2021 under the Wuxi 2021 rules, the
earlier subsidies they are checked against, and 400 apprenticeship applications with their
outcomes (the repository's ``examples/*-2021.csv``, made by ``subsidy demo-data``; a test checks
the copies here are the same). Made-up people and enterprises: for trying things out.

>>> from skill_subsidy import Engine, demo
>>> year = demo.year()
>>> len(year.claims), len(year.history), len(year.applications), len(year.outcomes)
(20000, 560, 400, 381)
>>> Engine().report(year.claims, year.history).approved_amount
Decimal('19971735.43')
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any, Dict, List, NamedTuple

from .._frames import Kind

_HERE = Path(__file__).resolve().parent

#: The files, by what they hold.
FILES = {
    "claims": "demo-2021.csv.gz",
    "history": "history-2021.csv.gz",
    "applications": "applications-2021.csv.gz",
    "outcomes": "outcomes-2021.csv.gz",
}


class Year(NamedTuple):
    """A year of input, each as a frame of one kind."""

    claims: Any
    history: Any
    applications: Any
    outcomes: Any


def text(what: str) -> str:
    """The CSV text of ``claims``, ``history``, ``applications`` or ``outcomes``."""
    return gzip.decompress((_HERE / FILES[what]).read_bytes()).decode("utf-8")


def _read(what: str, kind: Kind) -> Any:
    # Every column as text: ids keep their leading zeros, money stays exact, and an empty cell
    # is a missing value (as the engine reads it).
    data = text(what)
    if kind == "pandas":
        import pandas as pd

        return pd.read_csv(io.StringIO(data), dtype=str, keep_default_na=False)
    if kind == "polars":
        import polars as pl

        return pl.read_csv(io.StringIO(data), infer_schema_length=0)
    rows: List[Dict[str, str]] = list(csv.DictReader(io.StringIO(data)))
    if kind == "arrow":
        import pyarrow as pa

        names = next(csv.reader(io.StringIO(data)))
        return pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names})
    return rows


def year(kind: Kind = "pandas") -> Year:
    """The demo year as frames of ``kind``: ``"pandas"`` (the default), ``"polars"``,
    ``"arrow"`` or ``"records"`` (lists of dicts). Every column is text, as a CSV export is.

    >>> from skill_subsidy import demo
    >>> demo.year("polars").claims.schema["level"]
    String
    >>> demo.year("records").outcomes[0]
    {'application_id': 'WX21-A00001', 'outcome': 'completed_certified', 'outcome_date': '2022-06-30'}
    """
    if kind not in ("pandas", "polars", "arrow", "records"):
        from .. import _native

        raise _native.choice_error_for("kind", str(kind), ["pandas", "polars", "arrow", "records"])
    return Year(*(_read(what, kind) for what in FILES))

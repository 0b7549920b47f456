"""The demo year (claims, history, apprenticeship applications and their outcomes), the
what-if under which its account closes, and the single process's result to compare with."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[3]

#: The what-if under which the special account runs out in May of the demo year: it closes when
#: spent (资金用完即止), with a low balance (a spending goal never refuses a claim).
CLOSING: Dict[str, str] = {"accounts.wuxi-2021.closes_when_spent": "true", "accounts.wuxi-2021.opening_balance": "5000000"}


def demo_frames() -> Dict[str, Any]:
    import pandas as pd

    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    names = {
        "claims": "demo-2021.csv",
        "history": "history-2021.csv",
        "applications": "applications-2021.csv",
        "outcomes": "outcomes-2021.csv",
    }
    return {k: read(v) for k, v in names.items()}


def single_run(engine: Any, demo: Dict[str, Any]) -> Any:
    """The whole batch (``claims`` and, when given, ``history``, ``applications``, ``outcomes``)
    in one process: the records (plain Arrow, sorted by claim id) and the report."""
    import pyarrow as pa

    from skill_subsidy import _cluster

    claims = pa.Table.from_pandas(demo["claims"], preserve_index=False)
    result = engine.run(claims, demo.get("history"), applications=demo.get("applications"), outcomes=demo.get("outcomes"))
    return _cluster.plain_records(result.assessments).sort_by("claim_id"), result.report


def assert_same(records: Any, report: Any, expected: Any) -> None:
    """Records (a pyarrow table) and report equal to the single run's, to the fen."""
    want_records, want_report = expected
    assert report == want_report
    assert report.to_json() == want_report.to_json()
    got = records.sort_by("claim_id")
    assert got.num_rows == want_records.num_rows
    assert got.equals(want_records)


def write_by_bucket(folder: Path, frame: Any, parts: int) -> Path:
    """``frame`` as a Parquet data set of ``parts`` files, file ``k`` holding the persons of
    bucket ``k`` (as ``subsidy demo-data --parts`` writes one)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from skill_subsidy import _cluster

    table = pa.Table.from_pandas(frame, preserve_index=False)
    buckets = _cluster.buckets_of(table, parts)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(parts):
        pq.write_table(table.filter(pa.array(buckets == k)), folder / f"part-{k:05d}.parquet")
    return folder

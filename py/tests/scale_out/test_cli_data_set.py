"""Three implementations, one answer: a demo data set written by ``subsidy demo-data --parts``
(Parquet, partitioned by person) and assessed by the CLI in one process, then by
skill_subsidy.dask and skill_subsidy.spark, gives the same records and report to the fen, the
account closing part way through the year. ``scripts/test-scale-out`` makes the data set and the
CLI's run, and names them in ``SKILL_SUBSIDY_SCALE_OUT_DATA`` (and the override it used in
``SKILL_SUBSIDY_SCALE_OUT_SET``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import skill_subsidy
from skill_subsidy import _cluster

DATA = os.environ.get("SKILL_SUBSIDY_SCALE_OUT_DATA")
pytestmark = pytest.mark.skipif(not DATA, reason="scripts/test-scale-out makes the data set and the CLI's run of it")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def engine():
    return skill_subsidy.Engine().with_overrides(os.environ["SKILL_SUBSIDY_SCALE_OUT_SET"].split())


def inputs():
    root = Path(DATA)
    return [str(root / name) for name in ("claims", "history", "applications", "outcomes")]


def assert_as_the_cli(records, report):
    root = Path(DATA)
    want = pq.read_table(root / "records.parquet").cast(_cluster.record_schema()).sort_by("claim_id")
    assert json.loads(report.to_json()) == json.loads((root / "report.json").read_text())
    assert "budget_exhausted" in json.loads(report.to_json())["rejections"], "the account closes"
    got = records.select(list(_cluster.RECORD_COLUMNS)).cast(_cluster.record_schema()).sort_by("claim_id")
    assert got.num_rows == want.num_rows
    assert got.equals(want)


def test_dask_gives_the_clis_records_and_report(dask_client, tmp_path):
    sd = pytest.importorskip("skill_subsidy.dask")
    result = sd.assess(*inputs(), engine=engine(), out=str(tmp_path / "records"), client=dask_client)
    assert not result.shuffled, "the data set is used as it is"
    assert_as_the_cli(pq.read_table(tmp_path / "records"), result.report)


def test_spark_gives_the_clis_records_and_report(spark, tmp_path):
    ss = pytest.importorskip("skill_subsidy.spark")
    result = ss.assess(*inputs(), engine=engine(), out=str(tmp_path / "records"), spark=spark)
    assert_as_the_cli(pq.read_table(tmp_path / "records"), result.report)

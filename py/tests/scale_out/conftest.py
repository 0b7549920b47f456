"""Real engines for the scale-out tests (SPEC §11): a Dask ``LocalCluster`` of two worker
processes and Spark in ``local[2]``, each started once per session. ``scripts/test-scale-out``
installs what they need (Java 17, dask, distributed, pyspark)."""

from __future__ import annotations

import os
import sys
from typing import Any, Dict

import pytest
from scale_out_data import demo_frames


@pytest.fixture(scope="session")
def demo() -> Dict[str, Any]:
    return demo_frames()


@pytest.fixture(scope="session")
def dask_client():
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("dask.dataframe")
    # Two worker processes with a thread each, as the benchmark runs them; no dashboard.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    # The Python workers run this interpreter (the one with skill_subsidy installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("skill-subsidy-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()

"""Scale-out (SPEC §11, §13): a Parquet data set partitioned by person through skill_subsidy.dask
on two worker processes and skill_subsidy.spark in ``local[2]``, against the CLI on the same
files in one process. Run by ``scripts/bench-scale-out``, which makes the data set first.

    .venv/bin/python py/bench/bench_scale_out.py DATA --engines cli,dask,spark [--set PATH=VALUE]... [--out FILE]

``DATA`` holds ``claims/``, ``history/``, ``applications/``, ``outcomes/`` (``subsidy demo-data
--parts``). For each engine: the wall time from the files to the records written as Parquet and
the report (the engine's start — a cluster, a Spark session — is timed apart), claims a second,
and the peak resident memory of every process it runs on, sampled every 100 ms with psutil (the
CLI's process; Dask's two workers and the client; Spark's JVM and its Python workers, whose
sum is the executor's). Every engine's report must equal the CLI's (the run stops otherwise), and
with ``--compare-records`` the records too, row by row.

This is a measurement, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import psutil

ROOT = Path(__file__).resolve().parents[2]


class Peaks:
    """The peak RSS of each of a changing set of processes, sampled in a thread."""

    def __init__(self, processes: Callable[[], Dict[str, List[int]]], every: float = 0.1) -> None:
        self.processes = processes
        self.every = every
        self.peak: Dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pids in self.processes().items():
                total = 0
                for pid in pids:
                    try:
                        total += psutil.Process(pid).memory_info().rss
                    except psutil.Error:
                        pass
                self.peak[name] = max(self.peak.get(name, 0), total)
            self._stop.wait(self.every)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def mib(n: int) -> int:
    return round(n / 2**20)


def inputs(data: Path) -> List[str]:
    return [str(data / name) for name in ("claims", "history", "applications", "outcomes")]


def claims_in(data: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in sorted((data / "claims").glob("*.parquet")))


def run_cli(data: Path, work: Path, sets: List[str]) -> Dict[str, Any]:
    subsidy = ROOT / "target" / "release" / "subsidy"
    claims, history, applications, outcomes = inputs(data)
    command = [str(subsidy), "assess", claims, "--history", history, "--applications", applications, "--outcomes", outcomes]
    for s in sets:
        command += ["--set", s]
    command += ["--out", str(work / "cli-records.parquet"), "--report", str(work / "cli-report.json")]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with Peaks(lambda: {"process": [process.pid]}) as peaks:
        _, err = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):  # 1: some claims are invalid, as the demo year has none
        raise SystemExit(f"the CLI failed: {err.decode(errors='replace')}")
    return {
        "wall_s": wall,
        "peak_mib": {"process": mib(peaks.peak["process"])},
        "records": str(work / "cli-records.parquet"),
        "report": json.loads((work / "cli-report.json").read_text()),
        "command": " ".join(command),
    }


def run_dask(data: Path, work: Path, sets: List[str]) -> Dict[str, Any]:
    import distributed

    import skill_subsidy
    import skill_subsidy.dask

    start = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    started = time.perf_counter() - start
    try:
        workers = list(client.run(os.getpid).values())
        engine = skill_subsidy.Engine().with_overrides(sets) if sets else skill_subsidy.Engine()
        out = work / "dask-records"
        shutil.rmtree(out, ignore_errors=True)
        pids = lambda: {"worker 1": workers[:1], "worker 2": workers[1:], "client": [os.getpid()]}  # noqa: E731
        with Peaks(pids) as peaks:
            start = time.perf_counter()
            result = skill_subsidy.dask.assess(*inputs(data), engine=engine, out=str(out), client=client)
            wall = time.perf_counter() - start
        return {
            "wall_s": wall,
            "start_s": started,
            "peak_mib": {k: mib(v) for k, v in peaks.peak.items()},
            "records": str(out),
            "report": json.loads(result.report.to_json()),
            "shuffled": result.shuffled,
            "command": f"skill_subsidy.dask.assess({', '.join(inputs(data))}, out=..., "
            "client=Client(LocalCluster(n_workers=2, threads_per_worker=1)))",
        }
    finally:
        client.close()
        cluster.close()


def run_spark(data: Path, work: Path, sets: List[str], driver_memory: str) -> Dict[str, Any]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import skill_subsidy
    import skill_subsidy.spark

    start = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("skill-subsidy-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", driver_memory)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter() - start
    try:
        jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()

        def processes() -> Dict[str, List[int]]:
            try:
                python = [p.pid for p in psutil.Process(jvm).children(recursive=True)]
            except psutil.Error:
                python = []
            return {"jvm (driver and executor)": [jvm], "python workers": python}

        engine = skill_subsidy.Engine().with_overrides(sets) if sets else skill_subsidy.Engine()
        out = work / "spark-records"
        shutil.rmtree(out, ignore_errors=True)
        # About 250,000 claims a group; a prime, so that a data set of some of the buckets of
        # another count (the subset) still spreads over every group.
        buckets = next_prime(max(8, claims_in(data) // 250_000))
        with Peaks(processes) as peaks:
            start = time.perf_counter()
            result = skill_subsidy.spark.assess(*inputs(data), engine=engine, out=str(out), buckets=buckets, spark=spark)
            wall = time.perf_counter() - start
        return {
            "wall_s": wall,
            "start_s": started,
            "peak_mib": {k: mib(v) for k, v in peaks.peak.items()},
            "records": str(out),
            "report": json.loads(result.report.to_json()),
            "buckets": buckets,
            "command": f"skill_subsidy.spark.assess({', '.join(inputs(data))}, out=..., buckets={buckets}, "
            f"spark=SparkSession local[2], spark.driver.memory={driver_memory})",
        }
    finally:
        spark.stop()


def next_prime(n: int) -> int:
    while any(n % d == 0 for d in range(2, int(n**0.5) + 1)):
        n += 1
    return n


def same_records(a: str, b: str) -> bool:
    import pyarrow.parquet as pq

    from skill_subsidy import _cluster

    read = lambda p: pq.read_table(p).select(list(_cluster.RECORD_COLUMNS)).cast(_cluster.record_schema()).sort_by("claim_id")  # noqa: E731
    return read(a).equals(read(b))


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--engines", default="cli,dask,spark")
    parser.add_argument("--set", action="append", default=[], dest="sets", metavar="PATH=VALUE")
    parser.add_argument("--work", type=Path, help="where records go (default: DATA/../runs)")
    parser.add_argument("--compare-records", action="store_true", help="compare every record with the CLI's")
    parser.add_argument("--spark-driver-memory", default="8g")
    parser.add_argument("--out", type=Path, help="the figures as JSON")
    args = parser.parse_args(argv)
    work = args.work or args.data.parent / "runs"
    work.mkdir(parents=True, exist_ok=True)
    n = claims_in(args.data)
    results: Dict[str, Dict[str, Any]] = {}
    for engine in args.engines.split(","):
        print(f"-- {engine}: {n:,} claims", flush=True)
        if engine == "cli":
            results[engine] = run_cli(args.data, work, args.sets)
        elif engine == "dask":
            results[engine] = run_dask(args.data, work, args.sets)
        elif engine == "spark":
            results[engine] = run_spark(args.data, work, args.sets, args.spark_driver_memory)
        else:
            raise SystemExit(f"no engine {engine!r}: cli, dask, spark")
        r = results[engine]
        print(f"   {r['wall_s']:.1f} s, {n / r['wall_s']:,.0f} claims/s, peak MiB {r['peak_mib']}", flush=True)
    reference = results.get("cli")
    for engine, r in results.items():
        if reference is not None and engine != "cli":
            r["report_equals_cli"] = r["report"] == reference["report"]
            if not r["report_equals_cli"]:
                raise SystemExit(f"{engine}'s report differs from the CLI's")
            if args.compare_records:
                r["records_equal_cli"] = same_records(r["records"], reference["records"])
                if not r["records_equal_cli"]:
                    raise SystemExit(f"{engine}'s records differ from the CLI's")
    summary = {
        "claims": n,
        "machine": {"cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30)},
        "set": args.sets,
        "engines": {
            e: {k: v for k, v in r.items() if k not in ("report", "records")}
            | {"claims_per_s": round(n / r["wall_s"]), "approved_amount": r["report"]["approved_amount"]}
            for e, r in results.items()
        },
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

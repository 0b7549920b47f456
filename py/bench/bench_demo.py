"""The realistic demo year from Python (issue 12): a year of claims with persons who claim more
than once, their earlier subsidies (history) and the special account, as an analyst would load
it — CSV read by pandas and by polars with every column as text — and assessed as one batch.

    .venv/bin/python py/bench/bench_demo.py --n 1000000 [--runs 3] [--work /tmp/demo-1m]

The data are written once by the release `subsidy demo-data` (kept in --work between runs). The
same files are then assessed by `subsidy assess` in one process, so the table gives the
binding's time beside the command line's, measured in the same run. Timing only, no target
is asserted here.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, List, Tuple

ROOT = Path(__file__).resolve().parents[2]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(run: Callable[[], Any], runs: int) -> Tuple[List[float], Any]:
    out = run()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return times, out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--work", type=Path, default=None, help="folder for the generated files (default /tmp/skill-subsidy-demo-N)")
    p.add_argument("--subsidy", type=Path, default=ROOT / "target" / "release" / "subsidy")
    a = p.parse_args()
    work = a.work or Path(f"/tmp/skill-subsidy-demo-{a.n}")
    work.mkdir(parents=True, exist_ok=True)
    claims_csv, history_csv = work / "claims.csv", work / "history.csv"
    if not a.subsidy.exists():
        print(f"{a.subsidy} is missing: cargo build --release -p skill-subsidy-cli", file=sys.stderr)
        return 2
    if not claims_csv.exists() or not history_csv.exists():
        t = time.perf_counter()
        subprocess.run(
            [str(a.subsidy), "demo-data", "--claims", str(a.n), "--out", str(claims_csv), "--history-out", str(history_csv)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"data: subsidy demo-data --claims {a.n} in {time.perf_counter() - t:.1f} s (not timed below)")

    import skill_subsidy as ss

    engine = ss.Engine()
    rows: List[Tuple[str, float, str]] = []

    def report(name: str, times: List[float], note: str = "") -> None:
        median = statistics.median(times)
        rows.append((name, median, note))
        print(f"  {name:44s} median {median:8.3f} s  {a.n / median:>12,.0f} claims/s  peak RSS {peak_mib():8.1f} MiB  {note}", flush=True)

    python = sys.version.split()[0]
    print(f"demo year, N = {a.n:,}, median of {a.runs} runs after one warm-up; python {python}, skill-subsidy {ss.__version__}")
    try:
        import pandas as pd

        claims = pd.read_csv(claims_csv, dtype=str, keep_default_na=False)
        history = pd.read_csv(history_csv, dtype=str, keep_default_na=False)
        times, out = timed(lambda c=claims, h=history: engine.assess_batch(c, h), a.runs)
        report("skill-subsidy, assess_batch pandas in and out", times, f"{len(out):,} records")
        del claims, history, out
    except ImportError:
        print("  pandas: not installed, skipped")
    try:
        import polars as pl

        claims = pl.read_csv(claims_csv, infer_schema_length=0)
        history = pl.read_csv(history_csv, infer_schema_length=0)
        times, out = timed(lambda c=claims, h=history: engine.assess_batch(c, h), a.runs)
        report("skill-subsidy, assess_batch polars in and out", times, f"{out.height:,} records")
        del claims, history, out
    except ImportError:
        print("  polars: not installed, skipped")

    out_csv = work / "records.csv"
    cli = [str(a.subsidy), "assess", str(claims_csv), "--history", str(history_csv), "--out", str(out_csv)]
    times, _ = timed(lambda: subprocess.run(cli, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), a.runs)
    report("subsidy assess (CSV files in, records CSV out)", times, "the command line, same files")
    os.remove(out_csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

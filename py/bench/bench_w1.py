"""Workload W1 through the Python binding, beside the anchor implementations, in one process.

    .venv/bin/python py/bench/bench_w1.py [--n 1000000] [--runs 5] [--anchors DIR] [--out FILE]

W1 (SPEC §13): N claims of one level_table program over 300 occupations, the anchors' own data
(``w1_data.generate``, bit for bit), the ruleset ``tests/bench/w1`` loaded with
``Engine.from_dir``. Ours is timed end to end, a pandas (or polars) DataFrame in and a
DataFrame of records out: the frame crosses as Arrow, every claim is validated, assessed and
put through the batch's cross-claim checks and budget, and the amounts come back as a
``decimal128(18, 2)`` column. Ours runs twice per library: on text columns (the frame the
pandas.merge anchor gets) and with occupation and level as ``category`` (polars ``Categorical``:
the frame the pandas.category anchor gets). Columns the ruleset needs that W1's data does not have (the
claim id, program and dates of ``bench/src/lib.rs``'s ``engine_claim``) are added before the
timing, as the anchors build their frames before theirs.

The anchors (pandas.merge, pandas.category, polars.join, polars.enum from
``shared/bench/anchors``) are timed the same way in the same process: prepared, one warm-up,
then the median of ``--runs``. An anchor whose library is missing is skipped. Every result is
checked against the exact reference (per-claim amounts, the total and the totals per level).
Peak RSS is the process's high-water mark after resetting it before each implementation's runs
(Linux), so it includes the data held in memory.

This is a measurement, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]


def rss_kib(key: str) -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def sha_fen(values: Any) -> str:
    import numpy as np

    return hashlib.sha256(np.ascontiguousarray(values, dtype="<i8").tobytes()).hexdigest()


def timed(run: Callable[[], Any], runs: int) -> Tuple[List[float], Any, int]:
    """One warm-up, then `runs` timed runs; the last result and the peak RSS (KiB)."""
    result = run()
    result = None
    gc.collect()
    reset_peak()
    times = []
    for _ in range(runs):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    return times, result, rss_kib("VmHWM:")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--anchors", default=os.environ.get("SKILL_SUBSIDY_ANCHORS", str(ROOT.parent / "shared" / "bench" / "anchors")))
    ap.add_argument("--out", help="write the measurements as JSON")
    a = ap.parse_args(argv)

    anchors = Path(a.anchors)
    if not (anchors / "w1_data.py").exists():
        print(f"no anchors at {anchors} (w1_data.py generates W1's data): give --anchors DIR", file=sys.stderr)
        return 2
    sys.path.insert(0, str(anchors))
    import numpy as np

    import skill_subsidy as ss

    import w1_data as w

    print(f"W1, N = {a.n:,}, median of {a.runs} runs after one warm-up; python {platform.python_version()}, skill-subsidy {ss.__version__}")
    t0 = time.perf_counter()
    data = w.generate(a.n)
    print(f"data: w1_data.generate in {time.perf_counter() - t0:.2f} s (not timed below)")
    reference, ref_total, ref_per_level = w.reference(data)
    ref_sha = sha_fen(reference)
    del reference
    engine = ss.Engine.from_dir(ROOT / "tests" / "bench" / "w1")

    rows: List[Dict[str, Any]] = []

    def record(name: str, times: List[float], peak: int, problems: List[str], versions: Dict[str, str]) -> None:
        median = statistics.median(times)
        rows.append(
            {
                "implementation": name,
                "median_s": median,
                "claims_per_s": a.n / median,
                "times_s": times,
                "peak_rss_mib": peak / 1024,
                "ok": not problems,
                "problems": problems,
                "versions": versions,
            }
        )
        status = "OK" if not problems else "MISMATCH " + "; ".join(problems)
        print(
            f"  {name:34s} median {median:8.4f} s  {a.n / median:>13,.0f} claims/s  peak RSS {peak / 1024:7.1f} MiB  {status}", flush=True
        )

    def check(amount_fen: Any, levels: Any) -> List[str]:
        problems = []
        if len(amount_fen) != a.n:
            problems.append(f"{len(amount_fen)} amounts for {a.n} claims")
        elif sha_fen(amount_fen) != ref_sha:
            problems.append("per-claim amounts differ from the reference")
        total = int(np.sum(amount_fen))
        if total != ref_total:
            problems.append(f"total {w.fen_to_yuan(total)} != {w.fen_to_yuan(ref_total)}")
        per_level = {lv: int(amount_fen[levels == lv].sum()) for lv in w.LEVELS}
        if per_level != ref_per_level:
            problems.append("totals per level differ")
        return problems

    def ours(kind: str, frame: Any, label: Optional[str] = None) -> None:
        times, out, peak = timed(lambda: engine.assess_batch(frame), a.runs)
        import pyarrow as pa
        import pyarrow.compute as pc

        table = out.to_arrow() if kind == "polars" else pa.Table.from_pandas(out, preserve_index=False)
        # decimal128(18, 2) yuan → int64 fen, exactly (a safe cast refuses to drop a digit).
        amounts = pc.cast(pc.multiply(table.column("amount"), pa.scalar(100)), pa.int64()).to_numpy()
        problems = check(amounts, data.level)
        statuses = set(table.column("status").unique().to_pylist())
        if statuses != {"approved"}:
            problems.append(f"statuses {sorted(statuses)}")
        print(f"    total {w.fen_to_yuan(int(amounts.sum()))} yuan (anchors: {w.fen_to_yuan(ref_total)})")
        record(f"skill-subsidy, {label or kind} in and out", times, peak, problems, {"pyarrow": pa.__version__})

    # Ours, from pandas.
    try:
        import pandas as pd

        frame = pd.DataFrame({"person_id": data.person_id, "occupation": data.occupation, "level": data.level, "fee_paid": data.fee_paid})
        frame["claim_id"] = frame["person_id"]
        frame["program"] = "w1"
        frame["event_date"] = "2021-06-01"
        frame["applied_on"] = "2021-06-15"
        ours("pandas", frame)
        # The same frame with occupation and level as `category`, as the pandas.category anchor has them.
        frame["occupation"] = frame["occupation"].astype("category")
        frame["level"] = frame["level"].astype("category")
        ours("pandas", frame, "pandas (category columns)")
        del frame
    except ImportError:
        print("  pandas is not installed: skipped")
    gc.collect()
    # Ours, from polars.
    try:
        import polars as pl

        frame = pl.DataFrame(
            {
                "person_id": data.person_id,
                "occupation": data.occupation,
                "level": data.level,
                "fee_paid": data.fee_paid,
                "claim_id": data.person_id,
                "program": np.full(a.n, "w1"),
                "event_date": np.full(a.n, "2021-06-01"),
                "applied_on": np.full(a.n, "2021-06-15"),
            }
        )
        ours("polars", frame)
        frame = frame.with_columns(pl.col("occupation").cast(pl.Categorical), pl.col("level").cast(pl.Categorical))
        ours("polars", frame, "polars (categorical columns)")
        del frame
    except ImportError:
        print("  polars is not installed: skipped")
    gc.collect()

    # The anchors, in this process.
    for variant in ("pandas.merge", "pandas.category", "polars.join", "polars.enum"):
        try:
            module = importlib.import_module({"pandas": "impl_pandas", "polars": "impl_polars"}[variant.split(".")[0]])
            spec = module.VARIANTS[variant]
        except Exception as e:  # an anchor whose library is missing or too different
            print(f"  {variant:34s} skipped: {type(e).__name__}: {e}")
            continue
        native = spec["prepare"](data)
        times, result, peak = timed(lambda spec=spec, native=native: spec["compute"](native), a.runs)
        amounts, total, per_level = result
        problems = check(spec["to_fen"](amounts), data.level)
        if total != ref_total:
            problems.append(f"reported total {total}")
        record(variant, times, peak, problems, module.versions())
        native = result = amounts = None
        gc.collect()

    ours_rows = [r for r in rows if r["implementation"].startswith("skill-subsidy")]
    anchor_rows = [r for r in rows if not r["implementation"].startswith("skill-subsidy")]
    if ours_rows and anchor_rows:
        print("\nratios (ours ÷ anchor, in claims/s; above 1 is faster than the anchor)")
        print(f"  {'':34s}" + "".join(f"{r['implementation']:>17s}" for r in anchor_rows))
        for r in ours_rows:
            print(f"  {r['implementation']:34s}" + "".join(f"{r['claims_per_s'] / x['claims_per_s']:16.2f}x" for x in anchor_rows))
        print("targets (SPEC §13): ≥ 5× pandas.merge, ≥ 1× pandas.category")
    if a.out:
        Path(a.out).write_text(
            json.dumps(
                {"n": a.n, "runs": a.runs, "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "results": rows},
                indent=1,
            )
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Runs the `subsidy` command over the fuzz corpora, as files people and programs hand it, and
tallies each surface: inputs tried, crashes, rows lost, person ids leaked.

    cargo build --release -p skill-subsidy-cli
    python3 fuzz/cli_sweep.py [target/release/subsidy]

- claims (`claims_json` corpus) as a `.json` file, a `.jsonl` file, and a `.csv` file written by
  Python's csv module: `subsidy assess FILE --out out.jsonl`;
- history (`records_json` corpus) as `--history` (`.json`, `.jsonl`) beside one valid claim;
- applications (`records_json` corpus) as `subsidy apprenticeship FILE --out out.json`.

A crash is an exit code other than 0, 1 or 2 (a panic exits 101; a signal is negative). A row is
lost when the command wrote records but not one per row read (a file refused as a whole, with its
message and exit code 1, loses none silently). A leak is a person id of 8 characters or more, given
in no other field, found in what the command printed or wrote.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import subprocess
import sys
import tempfile
from collections import Counter
from typing import Any, Dict, List

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "release" / "subsidy"
ASCII_SPACE = b" \t\n\x0c\r"
CLAIM = {"claim_id": "V1", "program": "pre_job", "person_id": "PV1", "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}


def load(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def objects(data: bytes, lines: bool) -> List[Any]:
    if lines:
        return [load(line) for line in data.split(b"\n") if line.strip(ASCII_SPACE)]
    value = load(data)
    return value if isinstance(value, list) else [value]


def person_ids(items: List[Any]) -> List[str]:
    """Person ids of 8 characters or more that no other field of their record holds."""
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("person_id"), str) and len(item["person_id"]) >= 8:
            pid = item["person_id"]
            if not any(pid in str(v) for k, v in item.items() if k != "person_id"):
                out.append(pid)
    return out


class Tally:
    def __init__(self) -> None:
        self.rows: Dict[str, Counter] = {}

    def add(self, surface: str, **counts: int) -> None:
        self.rows.setdefault(surface, Counter()).update({"inputs": 1, **counts})

    def show(self) -> None:
        print("| surface | inputs tried | rows read | crashes | rows lost | leaks | refused whole |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for surface, c in self.rows.items():
            print(f"| {surface} | {c['inputs']} | {c['rows']} | {c['crashes']} | {c['lost']} | {c['leaks']} | {c['refused']} |")


def run(args: List[str], cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *args], cwd=cwd, capture_output=True, timeout=120)


def check(tally: Tally, surface: str, proc: subprocess.CompletedProcess, rows: int, written: int, secrets: List[str], extra: bytes = b"") -> None:
    crashed = proc.returncode not in (0, 1, 2)
    shown = proc.stdout + proc.stderr + extra
    leaks = sum(1 for s in secrets if s.encode() in shown)
    refused = written < 0
    lost = 0 if refused else abs(rows - written)
    tally.add(surface, rows=rows, crashes=int(crashed), lost=int(lost > 0), leaks=leaks, refused=int(refused))
    if crashed or lost or leaks:
        print(f"{surface}: exit {proc.returncode}, {rows} rows, {written} written, {leaks} leaks: {proc.stderr[-400:]!r}", file=sys.stderr)


def records_written(path: pathlib.Path) -> int:
    """Records in a JSON Lines output, or -1 when the command wrote none (refused the file)."""
    if not path.exists():
        return -1
    return sum(1 for line in path.read_bytes().split(b"\n") if line.strip())


def as_csv(items: List[Any]) -> bytes:
    rows = [i for i in items if isinstance(i, dict)]
    header: List[str] = []
    for row in rows:
        header += [str(k) for k in row if str(k) not in header]
    if "claim_id" not in header:
        header.insert(0, "claim_id")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else (json.dumps(row[h]) if isinstance(row.get(h), (dict, list)) else str(row[h])) for h in header])
    return out.getvalue().encode("utf-8", "surrogatepass")


def main() -> None:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        for path in sorted((ROOT / "fuzz" / "corpus" / "claims_json").iterdir()):
            data = path.read_bytes()
            for ext in ("json", "jsonl"):
                items = objects(data, ext == "jsonl")
                # A file Python's json cannot read (NaN, deep nesting, a BOM) is counted by what
                # the command read: a row count needs a second opinion to be checked against.
                unknown = ext == "json" and load(data) is None
                rows = len(items)
                src, out = work / f"in.{ext}", work / "out.jsonl"
                src.write_bytes(data)
                out.unlink(missing_ok=True)
                proc = run(["assess", str(src), "--out", str(out)], work)
                extra = out.read_bytes() if out.exists() else b""
                written = records_written(out)
                check(tally, f"CLI claims .{ext}", proc, max(written, 0) if unknown else rows, written, person_ids(items), extra)
            items = [i for i in objects(data, False) if isinstance(i, dict)]
            if items:
                src, out = work / "in.csv", work / "out.jsonl"
                src.write_bytes(as_csv(items))
                out.unlink(missing_ok=True)
                proc = run(["assess", str(src), "--out", str(out)], work)
                extra = out.read_bytes() if out.exists() else b""
                check(tally, "CLI claims .csv (Python csv)", proc, len(items), records_written(out), person_ids(items), extra)
        claim = work / "claim.json"
        claim.write_text(json.dumps(CLAIM))
        for path in sorted((ROOT / "fuzz" / "corpus" / "records_json").iterdir()):
            data = path.read_bytes()
            for ext in ("json", "jsonl"):
                items = objects(data, ext == "jsonl")
                src = work / f"records.{ext}"
                src.write_bytes(data)
                proc = run(["assess", str(claim), "--history", str(src)], work)
                check(tally, f"CLI history .{ext}", proc, 0, 0, person_ids(items))
                out = work / "apps.json"
                out.unlink(missing_ok=True)
                proc = run(["apprenticeship", str(src), "--out", str(out)], work)
                written = len(json.loads(out.read_text())["applications"]) if out.exists() else -1
                check(tally, f"CLI applications .{ext}", proc, len(items), written, person_ids(items), out.read_bytes() if out.exists() else b"")
    tally.show()


if __name__ == "__main__":
    main()

"""The ledger from Python: months of frames committed one after the other equal one batch of them,
the history comes back as a frame, a batch run again commits nothing, and the file is the one the
CLI reads and writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, List

import pytest

from skill_subsidy import Engine, Ledger, LedgerError

from conftest import ROOT

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

EXAMPLES = ROOT / "examples"


def demo(months: List[str]) -> Any:
    """The demo year's claims applied for in ``months`` (``2021-03`` …), as a pandas frame of text."""
    frame = pd.read_csv(EXAMPLES / "demo-2021.csv", dtype=str, keep_default_na=False)
    return frame[frame["applied_on"].str[:7].isin(months)].reset_index(drop=True)


def records(frame: Any) -> List[dict]:
    return [{k: r[k] for k in ("claim_id", "status", "amount", "reasons", "payment_month")} for r in frame.to_dict("records")]


def test_months_committed_one_after_the_other_equal_one_batch_of_them(tmp_path: Path) -> None:
    history = pd.read_csv(EXAMPLES / "history-2021.csv", dtype=str, keep_default_na=False)
    ledger = Ledger(tmp_path / "wuxi-2021.db")
    assert ledger.import_history(history) == len(history)
    months = ["2021-01", "2021-02", "2021-03", "2021-04"]
    by_month = pd.concat([ledger.assess_batch(demo([m])) for m in months], ignore_index=True)
    one = Engine().run(demo(months), history)
    by_id = lambda rows: sorted(rows, key=lambda r: r["claim_id"])  # noqa: E731
    assert by_id(records(by_month)) == by_id(records(one.assessments))
    assert ledger.report() == one.report
    assert ledger.report().to_json() == one.report.to_json()


def test_a_batch_run_again_commits_nothing_and_a_reused_id_is_invalid(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.db")
    claims = demo(["2021-03"])
    first = ledger.run(claims)
    assert first.batch == 1 and first.count("committed") == len(claims)
    again = ledger.run(claims)
    assert (again.batch, again.count("already_decided")) == (None, len(claims))
    assert records(again.result.assessments) == records(first.result.assessments)
    changed = claims.head(1).copy()
    changed.loc[0, "district"] = "另一个区"
    run = ledger.run(changed)
    assert run.claims == ["not_committed"]
    assert run.result.assessments["errors"][0] == "claim_id:claim_id_reused"
    assert len(ledger.batches()) == 1


def test_the_history_comes_back_as_a_frame_with_exact_amounts(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.db")
    ledger.assess_batch(demo(["2021-02"]))
    apps = pd.read_csv(EXAMPLES / "applications-2021.csv", dtype=str, keep_default_na=False)
    ledger.run(None, applications=apps[apps["submitted_on"] < "2021-02-13"])
    frame = ledger.history()
    fields = ["person_id", "program", "enterprise_id", "occupation", "level", "event_date", "applied_on", "amount", "project", "months"]
    assert list(frame.columns) == fields
    approved = ledger.report()
    assert Decimal(str(frame["amount"].sum())) == approved.approved_amount
    assert frame["months"].notna().sum() == approved.to_dict()["progress"]["2021-02"]["apprentices"]
    assert isinstance(ledger.history(kind="polars"), pl.DataFrame)
    assert ledger.history(kind="records")[0]["amount"] == Decimal(str(frame["amount"][0]))


def test_outcomes_are_recorded_once(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.db")
    apps = pd.read_csv(EXAMPLES / "applications-2021.csv", dtype=str, keep_default_na=False)
    outcomes = pd.read_csv(EXAMPLES / "outcomes-2021.csv", dtype=str, keep_default_na=False)
    ledger.run(None, applications=apps)
    first = ledger.record_outcomes(outcomes)
    assert first["recorded"] > 0 and first["recorded"] + first["not_approved"] == len(outcomes)
    again = ledger.record_outcomes(outcomes)
    assert (again["batch"], again["recorded"], again["unchanged"]) == (None, 0, first["recorded"])
    changed = outcomes.head(1).copy()
    changed.loc[0, "outcome"] = "withdrawn" if changed.loc[0, "outcome"] != "withdrawn" else "completed_certified"
    changed.loc[0, "outcome_date"] = "2022-01-10"
    with pytest.raises(LedgerError) as refused:
        ledger.record_outcomes(changed)
    assert refused.value.errors[0]["code"] == "outcomes_refused"


def test_a_busy_ledger_raises_ledger_error_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    ledger = Ledger(path, wait=0.2)
    # Another process holds the ledger's write lock. (Another process: two copies of SQLite in
    # one process — Python's sqlite3 module and the binding's own — do not see each other's
    # locks, https://sqlite.org/howtocorrupt.html#multiple_copies_of_sqlite_linked_into_the_same_application.)
    hold = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('BEGIN IMMEDIATE'); print(flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline()
        with pytest.raises(LedgerError) as busy:
            ledger.run(demo(["2021-01"]))
    finally:
        holder.communicate(b"")
    assert busy.value.errors[0]["code"] == "ledger_busy"
    assert "nothing was committed" in str(busy.value)
    assert len(ledger.history()) == 0
    assert ledger.run(demo(["2021-01"])).batch == 1


def test_a_ledger_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    ledger = Ledger(path)
    del ledger  # closed before another SQLite (the sqlite3 module) touches the file
    with sqlite3.connect(path) as other:
        other.execute("PRAGMA user_version = 99")
    with pytest.raises(LedgerError, match="newer version of skill-subsidy") as newer:
        Ledger(path)
    assert newer.value.errors[0]["code"] == "newer_schema"


def cli() -> Any:
    for profile in ("release", "debug"):
        binary = ROOT / "target" / profile / "subsidy"
        if binary.exists():
            return binary
    pytest.skip("the subsidy CLI is not built (cargo build -p skill-subsidy-cli)")


def test_the_cli_and_python_share_the_ledger_file(tmp_path: Path) -> None:
    path = tmp_path / "wuxi-2021.db"
    january = tmp_path / "2021-01.csv"
    demo(["2021-01"]).to_csv(january, index=False)
    out = tmp_path / "2021-01.out.csv"
    subprocess.run([str(cli()), "assess", str(january), "--ledger", str(path), "--out", str(out)], check=True, capture_output=True)
    ledger = Ledger(path)
    # January as the CLI decided it, already on record; February decided against it here.
    assert ledger.run(demo(["2021-01"])).count("already_decided") == len(demo(["2021-01"]))
    ledger.assess_batch(demo(["2021-02"]))
    report = tmp_path / "report.json"
    subprocess.run([str(cli()), "ledger", "report", "--ledger", str(path), "--out", str(report)], check=True, capture_output=True)
    assert report.read_text(encoding="utf-8").strip() == ledger.report().to_json(indent=2).strip()

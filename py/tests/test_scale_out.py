"""SPEC §11 through Python: a batch split by person into partitions, run with the three passes
(budget inputs, one global closing, settle), gives the single run's assessments and — merged —
its report, to the fen, also when the account runs out in the middle of the year."""

from __future__ import annotations

import pickle
import zlib

import pytest

from conftest import ROOT

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


def part_of(person: str, parts: int) -> int:
    return zlib.crc32(person.strip().encode()) % parts


@pytest.mark.parametrize("opening_balance", [None, "5000000"])
def test_three_passes_over_partitions_equal_the_single_run(engine, opening_balance):
    # The account as it ships (a spending goal), and one that closes when 5,000,000 are spent.
    if opening_balance:
        closing = {"accounts.wuxi-2021.opening_balance": opening_balance, "accounts.wuxi-2021.closes_when_spent": "true"}
        engine = engine.with_overrides(closing)
    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    claims, history, applications, outcomes = (
        read(n) for n in ("demo-2021.csv", "history-2021.csv", "applications-2021.csv", "outcomes-2021.csv")
    )
    whole = engine.run(claims, history, applications=applications, outcomes=outcomes)

    n = 3
    split = lambda frame: [frame[frame["person_id"].map(lambda p: part_of(p, n)) == k] for k in range(n)]  # noqa: E731
    parts = list(zip(split(claims), split(history), split(applications)))
    # Pass 1 on the workers; what they send is pickled, as Dask or Spark would.
    inputs = [pickle.loads(pickle.dumps(engine.budget_input(c, h, applications=a, outcomes=outcomes))) for c, h, a in parts]
    closings = pickle.loads(pickle.dumps(engine.closings(inputs)))
    if opening_balance == "5000000":
        assert "none" not in repr(closings)  # the account does close: pass 3 matters
    results = [engine.run(c, h, applications=a, outcomes=outcomes, closings=closings) for c, h, a in parts]

    report = results[0].report
    for r in results[1:]:
        report = report.merge(r.report)
    assert report == whole.report
    assert report.to_json() == whole.report.to_json()
    combined = pd.concat([r.assessments for r in results]).sort_index()
    # Text columns are categorical; concatenating parts with different categories gives objects.
    pd.testing.assert_frame_equal(combined, whole.assessments, check_dtype=False, check_categorical=False)
    apps = pd.concat([r.applications.set_index("application_id") for r in results]).sort_index()
    assert apps.equals(whole.applications.set_index("application_id").sort_index())

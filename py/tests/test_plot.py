"""Charts (issue 15): report.plot() draws an account's payments and commitments by month and the
payments so far against the account; whatif.plot() the difference. Checked by their data: the
bars and lines hold the report's figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import pytest

from skill_subsidy import ArgumentError, Engine

from conftest import ROOT

pd = pytest.importorskip("pandas")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def demo() -> Dict[str, Any]:
    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {"claims": read("demo-2021.csv"), "history": read("history-2021.csv")}


def wan(amount: Any) -> float:
    return float(Decimal(amount) / 10_000)


def test_a_report_chart_holds_the_reports_figures(demo, tmp_path):
    report = Engine().report(demo["claims"], demo["history"])
    account = report.to_dict()["accounts"]["wuxi-2021"]
    paid, committed = account["paid"], account["committed"]
    figure = report.plot()
    monthly, against = figure.axes
    months = sorted(set(paid["by_month"]) | set(committed["by_month"]))
    assert [t.get_text() for t in monthly.get_xticklabels()] == months[:: max(1, len(months) // 12)]
    bars = [b.get_height() for b in monthly.patches]
    assert sum(bars[: len(months)]) == pytest.approx(wan(sum(paid["by_month"].values())))
    assert sum(bars[len(months) :]) == pytest.approx(wan(sum(committed["by_month"].values())))
    lines = {line.get_label(): line for line in against.get_lines()}
    assert lines["paid so far"].get_ydata()[-1] == pytest.approx(wan(sum(paid["by_month"].values())))
    assert list(lines["goal 50,000"].get_ydata()) == [wan(account["spending_target"])] * 2
    # A goal is not a cap: no balance drawn; December's claims are paid after the period's end.
    assert "balance left" not in lines and "end of the period" in lines
    assert f"{float(account['goal']['share']):.1%} of the goal" in against.texts[0].get_text()
    figure.savefig(tmp_path / "report.png", dpi=60)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    with pytest.raises(ArgumentError):
        report.plot("no-such-account")


def test_an_account_that_closes_is_drawn_with_its_balance(demo):
    closing = {"accounts.wuxi-2021.opening_balance": "5000000", "accounts.wuxi-2021.closes_when_spent": "true"}
    report = Engine().with_overrides(closing).report(demo["claims"], demo["history"])
    account = report.to_dict()["accounts"]["wuxi-2021"]
    lines = {line.get_label(): line for line in report.plot().axes[1].get_lines()}
    committed = sum(account["committed"]["by_month"].values())
    assert list(lines["opening balance 500"].get_ydata()) == [500.0, 500.0] and "goal 50,000" not in lines
    assert lines["balance left"].get_ydata()[0] < 500 and lines["balance left"].get_ydata()[-1] == pytest.approx(wan(5_000_000 - committed))
    assert account["balance"]["remaining"] == 5_000_000 - committed + account["committed"]["released"]
    # The month it closed stays a month (it was read as money, and the report failed to convert).
    assert account["balance"]["closed_in"] == "2021-05"


def test_a_whatif_chart_shows_the_difference_by_program_and_both_sides_by_month(demo):
    whatif = Engine().whatif({"shortage.rate": "0.20"}, demo["claims"], demo["history"])
    figure = whatif.plot()
    programs, months = figure.axes
    widths = [b.get_width() for b in programs.patches]
    delta = whatif.difference["approved"]["delta"]["amount"]
    apprenticeships = whatif.difference["by"]["program"].get("apprenticeship", {"delta": {"amount": 0}})["delta"]["amount"]
    assert sum(widths) == pytest.approx(wan(delta - apprenticeships))
    assert [t.get_text() for t in programs.get_yticklabels()][0] == "skills_training"
    # The month lines are the account's payments: its programs only (not the unemployment
    # insurance fund's), the same change as its commitments.
    baseline, variant = months.get_lines()
    account = whatif.difference["accounts"]["wuxi-2021"]["total_committed"]["delta"]
    assert sum(variant.get_ydata()) - sum(baseline.get_ydata()) == pytest.approx(wan(account), abs=1e-6)
    zh = Engine(lang="zh").whatif({"shortage.rate": "0.20"}, demo["claims"].head(500)).plot()
    assert zh.axes[0].get_yticklabels()[0].get_text() == "就业技能培训" and "假设" in zh.get_suptitle()

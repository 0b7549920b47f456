"""Charts of a report and of a what-if (matplotlib, an optional dependency: ``pip install
skill-subsidy[plot]``).

A chart is drawn from the report's own figures (``Report.to_dict()``), read into plain series
first (:func:`account_series`), so that what is drawn and what a test checks are the same
numbers. Money is drawn in 10,000 yuan (万元), as the bureau's tables give it; the floats exist
only in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ._lang import Lang

if TYPE_CHECKING:  # pragma: no cover - types only
    from ._report import Report, WhatIf

#: Money on a chart: yuan ÷ 10,000 (万元).
_UNIT = Decimal(10_000)

_TEXT = {
    "en": {
        "paid": "paid in the month",
        "committed": "committed in the month (at approval)",
        "cumulative": "paid so far",
        "goal": "goal {:,.0f}",
        "balance": "balance left",
        "opening": "opening balance {:,.0f}",
        "against_balance": "{account}: paid so far and the balance left (10,000 yuan)",
        "period_end": "end of the period",
        "monthly": "{account}: by month (10,000 yuan)",
        "against": "{account}: paid so far against the goal (10,000 yuan)",
        "what_if": "What if {overrides}",
        "by_program": "approved amount by program, variant − baseline (10,000 yuan)",
        "share": "paid in the period: {share:.1%} of the goal",
        "months": "paid by month, baseline and variant (10,000 yuan)",
        "baseline": "baseline",
        "variant": "variant",
    },
    "zh": {
        "paid": "当月支付",
        "committed": "当月审批（承诺）",
        "cumulative": "累计支付",
        "goal": "支出目标 {:,.0f}",
        "balance": "剩余资金",
        "opening": "期初资金 {:,.0f}",
        "against_balance": "{account}：累计支付与剩余资金（万元）",
        "period_end": "期末",
        "monthly": "{account}：按月（万元）",
        "against": "{account}：累计支付与支出目标（万元）",
        "what_if": "假设：{overrides}",
        "by_program": "按补贴项目：审批金额变化（万元）",
        "share": "期内支付达到目标的 {share:.1%}",
        "months": "按月支付：基准与方案（万元）",
        "baseline": "基准",
        "variant": "方案",
    },
}


def _pyplot(lang: Lang) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("charts need matplotlib: pip install matplotlib (or skill-subsidy[plot])") from e
    if lang == "zh":
        _chinese_font()
    return plt


#: Fonts with Chinese glyphs, by the name matplotlib knows them by, and a part of their file's name.
_CHINESE_FONTS = (
    ("Noto Sans CJK SC", "notosanscjk"),
    ("Source Han Sans SC", "sourcehansans"),
    ("WenQuanYi Micro Hei", "wqy-microhei"),
    ("WenQuanYi Zen Hei", "wqy-zenhei"),
    ("SimHei", "simhei"),
    ("Microsoft YaHei", "msyh"),
    ("PingFang SC", "pingfang"),
)


def _chinese_font() -> None:
    """Puts a font with Chinese glyphs first, where one is installed (matplotlib's default has
    none: Chinese text would show as boxes). matplotlib's font list may predate the font (or
    skip a ``.ttc`` collection): the system's font files are looked at too. With none, a
    ``SubsidyWarning`` says what to install."""
    import warnings

    import matplotlib
    from matplotlib import font_manager

    from . import _native

    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name, _ in _CHINESE_FONTS if name in known), None)
    if found is None:
        files = [f for f in font_manager.findSystemFonts() if any(part in f.lower().replace("_", "") for _, part in _CHINESE_FONTS)]
        for path in files:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - an unreadable font file
                continue
        known = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name, _ in _CHINESE_FONTS if name in known), None)
    if found is None:
        warnings.warn(
            "no font with Chinese glyphs is installed: Chinese labels show as boxes (Debian: apt-get install fonts-noto-cjk)",
            _native.SubsidyWarning,
            stacklevel=4,
        )
        return
    family = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [found, *[f for f in family if f != found]]
    matplotlib.rcParams["axes.unicode_minus"] = False


@dataclass
class AccountSeries:
    """One account's figures by month, as a chart draws them (in 10,000 yuan)."""

    account: str
    months: List[str]
    paid: List[float]
    committed: List[float]
    #: The spending goal the payments are measured against, if the account has one.
    goal: Optional[float]
    #: The balance left after each month's commitments, for an account that closes when spent.
    balance: Optional[List[float]]
    #: The opening balance of an account that closes when spent.
    opening: Optional[float]
    #: The last month of the account's period (what is paid after it is next period's spending).
    last_month: str
    #: Paid within the period: what is measured against the goal.
    paid_in_period: float


def _wan(amount: Any) -> float:
    return float(Decimal(amount) / _UNIT)


def account_series(report: Report, account: Optional[str] = None) -> AccountSeries:
    """The series of ``account`` (the report's first account when not given): payments and
    commitments by month, the spending goal the payments are measured against, and — for an
    account that closes when spent — the balance left after each month's commitments (what
    apprenticeship outcomes release later is not drawn by month)."""
    accounts: Dict[str, Dict[str, Any]] = report.to_dict()["accounts"]
    if not accounts:
        raise ValueError("the report has no account to chart")
    name = account if account is not None else next(iter(accounts))
    if name not in accounts:
        from . import _native

        raise _native.choice_error_for("account", str(name), list(accounts))
    a = accounts[name]
    paid_by_month, committed_by_month = a["paid"]["by_month"], a["committed"]["by_month"]
    months = sorted(set(paid_by_month) | set(committed_by_month))
    balance: Optional[List[float]] = None
    if a["closes_when_spent"] and a["balance"] is not None:
        # The commitments by month include history's.
        balance, left = [], Decimal(a["balance"]["opening"])
        for m in months:
            left -= Decimal(committed_by_month.get(m, 0))
            balance.append(_wan(left))
    return AccountSeries(
        account=name,
        months=months,
        paid=[_wan(paid_by_month.get(m, 0)) for m in months],
        committed=[_wan(committed_by_month.get(m, 0)) for m in months],
        goal=_wan(a["spending_target"]) if a["spending_target"] is not None else None,
        balance=balance,
        opening=_wan(a["balance"]["opening"]) if balance is not None else None,
        last_month=a["effective_to"][:7],
        paid_in_period=_wan(a["paid"]["in_period"]),
    )


def plot_report(report: Report, account: Optional[str] = None, *, lang: Lang = "en") -> Any:
    """Two charts of an account: each month's payments and commitments (bars), and the
    payments so far against the spending goal, with the balance left of an account that closes
    when spent (lines). Returns the figure."""
    s = account_series(report, account)
    t = _TEXT[lang]
    plt = _pyplot(lang)
    figure, (monthly, against) = plt.subplots(1, 2, figsize=(13, 4.8))
    x = list(range(len(s.months)))
    width = 0.4
    monthly.bar([i - width / 2 for i in x], s.paid, width, label=t["paid"], color="#3b7dd8")
    monthly.bar([i + width / 2 for i in x], s.committed, width, label=t["committed"], color="#9bbbe8")
    monthly.set_title(t["monthly"].format(account=s.account))
    cumulative, total = [], 0.0
    for p in s.paid:
        total += p
        cumulative.append(total)
    against.plot(x, cumulative, marker="o", label=t["cumulative"], color="#3b7dd8")
    if s.balance is not None and s.opening is not None:
        # An account that closes: measured against what it holds, the balance left after each
        # month's commitments; the goal (often far larger) would flatten them.
        against.axhline(s.opening, color="#c0392b", linestyle="--", label=t["opening"].format(s.opening))
        against.plot(x, s.balance, color="#7f8c8d", linestyle=":", marker=".", label=t["balance"])
        against.set_title(t["against_balance"].format(account=s.account))
    elif s.goal is not None:
        against.axhline(s.goal, color="#c0392b", linestyle="--", label=t["goal"].format(s.goal))
        if cumulative and s.goal > 0:
            against.annotate(
                t["share"].format(share=s.paid_in_period / s.goal),
                (x[-1], cumulative[-1]),
                textcoords="offset points",
                xytext=(-10, 12),
                ha="right",
            )
    if s.last_month in s.months and s.months[-1] != s.last_month:
        for axis in (monthly, against):
            axis.axvline(s.months.index(s.last_month) + 0.5, color="#7f8c8d", linewidth=0.8, linestyle="-.", label=t["period_end"])
    if s.balance is None:
        against.set_title(t["against"].format(account=s.account))
    for axis in (monthly, against):
        step = max(1, len(x) // 12)
        axis.set_xticks(x[::step], s.months[::step], rotation=60)
        axis.legend(loc="best")
        axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return figure


def plot_whatif(whatif: WhatIf, account: Optional[str] = None, *, lang: Lang = "en") -> Any:
    """Two charts of a what-if: the change of the approved amount by program (variant −
    baseline, bars), and each month's payments of the baseline and the variant (lines).
    Returns the figure."""
    t = _TEXT[lang]
    plt = _pyplot(lang)
    by_program = whatif.to_frame("program", kind="records", money="decimal", lang=lang, headers=False)
    base, variant = account_series(whatif.baseline, account), account_series(whatif.variant, account)
    figure, (programs, months) = plt.subplots(1, 2, figsize=(13, 4.8))
    names = [r["program"] for r in by_program]
    deltas = [_wan(r["delta_amount"]) for r in by_program]
    programs.barh(names, deltas, color=["#c0392b" if d < 0 else "#27ae60" for d in deltas])
    programs.axvline(0, color="black", linewidth=0.8)
    programs.invert_yaxis()
    programs.set_title(t["by_program"])
    figure.suptitle(t["what_if"].format(overrides=", ".join(whatif.overrides)))
    every = sorted(set(base.months) | set(variant.months))
    x = list(range(len(every)))
    for series, label, style in ((base, t["baseline"], "-"), (variant, t["variant"], "--")):
        paid = dict(zip(series.months, series.paid))
        months.plot(x, [paid.get(m, 0.0) for m in every], linestyle=style, marker="o", label=label)
    step = max(1, len(x) // 12)
    months.set_xticks(x[::step], every[::step], rotation=60)
    months.set_title(t["months"])
    months.legend(loc="best")
    figure.tight_layout()
    return figure

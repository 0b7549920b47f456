"""Chinese for Chinese analysts (``lang="zh"``, on the engine or per call): how a report, a
what-if, an assessment and their tables read. Keys become the ruleset's names (a program's
``name_zh``, a reason's line, a level's name, a status as the CLI words it) and column headers
Chinese; codes stay the data of a result (its records join and filter by them), and
``engine.labels("zh")`` maps them for a chart or a table of one's own.
"""

from __future__ import annotations

from typing import Any, Dict, Literal, Optional

from . import _native

Lang = Literal["en", "zh"]
LANGS = ("en", "zh")

#: Column headers of report and what-if tables in Chinese.
HEADERS_ZH: Dict[str, str] = {
    "program": "补贴项目",
    "level": "技能等级",
    "district": "市（县）区",
    "fund": "资金来源",
    "occupation": "职业（工种）",
    "month": "月份",
    "reason": "不予补贴原因",
    "status": "审核结果",
    "account": "专账",
    "count": "人次",
    "amount": "金额（元）",
    "committed": "审批（承诺）金额",
    "disbursed": "支付金额",
    "effective_from": "起始日期",
    "effective_to": "截止日期",
    "opening_balance": "期初资金",
    "history_committed": "以往已承诺",
    "total_committed": "累计承诺",
    "released": "释放金额",
    "remaining": "剩余资金",
    "utilisation": "使用率",
    "projection": "预测",
    "projection_month": "预测月份",
    "baseline": "基准",
    "variant": "方案",
    "delta": "变化",
}

_SIDES_ZH = {"baseline": "基准", "variant": "方案", "delta": "变化"}


def check(lang: Optional[str], default: Lang = "en") -> Lang:
    """``lang`` if it is one of :data:`LANGS` (``None``: ``default``); ``ArgumentError`` otherwise."""
    if lang is None:
        return default
    if lang not in LANGS:
        raise _native.choice_error_for("lang", str(lang), list(LANGS))
    return lang  # type: ignore[return-value]


def header_zh(name: str) -> str:
    """A table's column header in Chinese (``baseline_amount`` → ``基准金额（元）``)."""
    if name in HEADERS_ZH:
        return HEADERS_ZH[name]
    side, _, rest = name.partition("_")
    if side in _SIDES_ZH and rest:
        return _SIDES_ZH[side] + header_zh(rest)
    return name


def rename(frame: Any, kind: str) -> Any:
    """A small table (of ``kind``) with its headers in Chinese."""
    if kind == "pandas":
        return frame.rename(columns={c: header_zh(str(c)) for c in frame.columns})
    if kind == "polars":
        return frame.rename({c: header_zh(c) for c in frame.columns})
    if kind == "arrow":
        return frame.rename_columns([header_zh(c) for c in frame.column_names])
    return [{header_zh(k): v for k, v in row.items()} for row in frame]

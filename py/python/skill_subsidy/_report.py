"""Reports (统计报表, SPEC §9), what-if comparisons (假设分析) and batch results, for notebooks:
dicts with exact decimals, tables of the caller's kind, and HTML."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any, Callable, Dict, List, Literal, Optional, Sequence, Union

from . import _frames, _lang, _money, _native
from ._assessment import Assessment
from ._frames import Kind
from ._lang import Lang
from ._money import Money

_DIMENSIONS = ("program", "level", "district", "fund", "occupation", "month")

#: A dimension of a report.
Dimension = Literal["program", "level", "district", "fund", "occupation", "month"]
#: What a report can be tabled by.
ReportKey = Literal["program", "level", "district", "fund", "occupation", "month", "reason", "status", "account", "account_month"]
#: What a what-if can be tabled by.
WhatIfKey = Literal["program", "level", "district", "fund", "occupation", "month", "reason", "account"]
#: The dimensions whose missing key the report writes as ``-``: a null in a table.
_DASH_FOR_NONE = ("level", "district", "occupation")


def _yuan(amount: Any) -> str:
    """``1234567.8`` → ``1,234,567.80`` (display only)."""
    return f"{Decimal(amount):,.2f}"


def _table(headers: List[str], rows: List[List[Any]], numeric_from: int = 1) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:{'right' if i >= numeric_from else 'left'}'>{e(str(c))}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Report:
    """A batch report: counts by status and reason, approved amounts by program, level,
    district, fund, occupation and month; each account with its commitments and its payments
    apart, its spending within its period against the plan's goal and, where it has one, its
    balance; progress against the plan's targets; the two-month reporting periods.

    >>> from skill_subsidy import Engine
    >>> claims = [{"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
    ...            "event_date": "2021-05-10", "applied_on": "2021-05-20"}]
    >>> report = Engine().report(claims)
    >>> report.claims, report.status, report.approved_amount
    (1, {'approved': 1, 'rejected': 0, 'invalid': 0}, Decimal('300.00'))
    >>> report.to_dict()["accounts"]["wuxi-2021"]["paid"]["by_month"]
    {'2021-06': Decimal('300.00')}
    """

    def __init__(self, native: Any, kind: Kind = "records", money: Money = "decimal", lang: Lang = "en") -> None:
        self._native = native
        self._kind = kind
        self._money = money
        self._lang = lang

    @property
    def claims(self) -> int:
        """Claims assessed."""
        return int(self._native.claims)

    @property
    def status(self) -> Dict[str, int]:
        """Claims by status."""
        return dict(self._native.status)

    @property
    def approved_amount(self) -> Decimal:
        """The sum of approved amounts (equal to the sum of the claims' amounts)."""
        return Decimal(self._native.approved_amount)

    def to_dict(self) -> Dict[str, Any]:
        """The report (``docs/report.md``) with money and ratios as ``Decimal``."""
        return dict(self._native.to_dict())

    def to_json(self, indent: Optional[int] = None) -> str:
        """The report as JSON text, money as decimal strings: what ``subsidy assess --report`` writes."""
        return str(self._native.to_json(indent))

    def to_frame(
        self,
        by: Union[ReportKey, Sequence[Dimension]] = "program",
        *,
        kind: Optional[Kind] = None,
        money: Optional[Money] = None,
        lang: Optional[Lang] = None,
        headers: bool = True,
    ) -> Any:
        """A table of the report, as a frame of the kind the claims came in (pandas when they
        came as dicts).

        ``by``: ``program``, ``level``, ``district``, ``fund``, ``occupation``, ``month``
        (columns: the key, ``count``, ``amount``), or several of them at once
        (``["district", "program"]``: each key, ``count``, ``amount``); ``reason`` and ``status`` (the key,
        ``count``); ``account`` (one row per account: spending target, opening balance,
        committed, paid in and after the period, the goal's share, remaining, utilisation,
        projection); ``account_month`` (each account's months: ``committed``, ``paid``). The key
        is categorical in its natural order (programs as the ruleset lists them, months by time,
        statuses approved, rejected, invalid) and the rows come in that order; a key a claim did
        not have (no level, no district) is null. A key that is none of these raises
        ``ArgumentError`` naming them.

        ``money``: ``"decimal"`` (exact, the default unless the run said otherwise), ``"fen"``
        (exact ``int64``) or ``"float"`` (for charts only). ``lang="zh"``: the keys as the
        ruleset names them (programs' ``name_zh``, reasons' lines …), still in their order, and
        the headers in Chinese (``headers=False`` keeps them in English).

        >>> from skill_subsidy import Engine
        >>> claims = [{"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
        ...            "event_date": "2021-05-10", "applied_on": "2021-05-20"}]
        >>> Engine().report(claims).to_frame("fund", kind="records")
        [{'fund': 'special_account', 'count': 1, 'amount': Decimal('300.00')}]
        >>> Engine().report(claims).to_frame("fund", kind="records", money="fen")
        [{'fund': 'special_account', 'count': 1, 'amount': 30000}]
        """
        kind = kind or _frames.frame_kind(self._kind)
        money = _money.check(money, self._money)
        zh = _lang.check(lang, self._lang) == "zh"
        native = self._native
        keys = [by] if isinstance(by, str) else list(by)
        if not keys:
            raise _native.choice_error_for("by", "", list(_DIMENSIONS))
        frame = _frames.write(
            lambda view: native.table(keys, money, view, zh),
            lambda: _frames._pyarrow().table(native.table(keys, money, False, zh)).to_pylist(),
            kind,
        )
        return _lang.rename(frame, kind) if zh and headers else frame

    def plot(self, account: Optional[str] = None, *, lang: Optional[str] = None) -> Any:
        """A chart of an account (matplotlib; the report's first account when not named): each
        month's payments and commitments, and the payments so far against the account with the
        balance left. Returns the figure (``figure.savefig("spending.png")``).

        >>> from skill_subsidy import Engine
        >>> claims = [{"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
        ...            "event_date": "2021-05-10", "applied_on": "2021-05-20"}]
        >>> figure = Engine().report(claims).plot()
        >>> [tick.get_text() for tick in figure.axes[0].get_xticklabels()]
        ['2021-05', '2021-06']
        >>> [float(bar.get_height()) for bar in figure.axes[0].patches]  # paid by month, then committed (万元)
        [0.0, 0.03, 0.03, 0.0]
        """
        from . import _plot

        return _plot.plot_report(self, account, lang=_lang.check(lang, self._lang))

    def merge(self, other: Report) -> Report:
        """This report and ``other`` merged: the reports of a batch split by person (SPEC §11)
        merge into the whole batch's report, to the fen."""
        return Report(self._native.merge(other._native), self._kind, self._money, self._lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Report) and bool(self._native == other._native)

    __hash__ = None  # type: ignore[assignment]  # compared by value

    def __repr__(self) -> str:
        if self._lang != "zh":
            return str(self._native.__repr__())
        s = self.status
        return (
            f"报表（申请 {self.claims:,} 笔：予以补贴 {s['approved']:,} 笔 {_yuan(self.approved_amount)} 元，"
            f"不予补贴 {s['rejected']:,} 笔，信息有误 {s['invalid']:,} 笔）"
        )

    def _keyed(self, by: ReportKey) -> List[Dict[str, Any]]:
        """A small table of the report as dicts, keys labelled in the report's language (its
        dict's order where pyarrow is missing)."""
        try:
            return list(self.to_frame(by, kind="records", money="decimal", lang=self._lang, headers=False))
        except ImportError:  # pragma: no cover - depends on the environment
            d = self.to_dict()
            if by == "reason":
                return [{"reason": k, "count": v} for k, v in d["rejections"].items()]
            return [{by: k, **v} for k, v in d["by"][by].items()]

    def _repr_html_(self) -> str:
        w = _WORDS[self._lang]
        d = self.to_dict()
        s = d["status"]
        parts = [
            "<p><b>"
            + w["head"].format(
                claims=d["claims"], approved=s["approved"], amount=_yuan(d["approved_amount"]), rejected=s["rejected"], invalid=s["invalid"]
            )
            + "</b></p>"
        ]
        if d["by"]["program"]:
            parts.append(f"<p>{w['by_program']}</p>")
            rows = [[r["program"], f"{r['count']:,}", _yuan(r["amount"])] for r in self._keyed("program")]
            parts.append(_table([w["program"], w["count"], w["yuan"]], rows))
        if d["rejections"]:
            parts.append(f"<p>{w['by_reason']}</p>")
            parts.append(_table([w["reason"], w["count"]], [[r["reason"], f"{r['count']:,}"] for r in self._keyed("reason")]))
        for account, a in d["accounts"].items():
            p = a["projection"]
            if p["status"] == "goal":
                projection = w["goal_pace"].format(amount=_yuan(p["paid_in_period"]))
            else:
                projection = p["status"] + (f" ({p['month']})" if p.get("month") else "")
            c, paid = a["committed"], a["paid"]
            rows = []
            if a["spending_target"] is not None:
                share = a["goal"]["share"]
                rows.append([w["spending_goal"], _yuan(a["spending_target"])])
                of_goal = w["of_goal"].format(share=share * 100) if share is not None else ""
                rows.append([w["paid_in_period"] + of_goal, _yuan(paid["in_period"])])
            else:
                rows.append([w["paid_in_period"], _yuan(paid["in_period"])])
            rows += [
                [w["paid_after_period"], _yuan(paid["after_period"])],
                [w["history_committed"], _yuan(c["history"])],
                [w["committed_batch"], _yuan(c["batch"])],
                [w["released"], _yuan(c["released"])],
                [w["committed_total"], _yuan(c["total"])],
            ]
            if a["balance"] is not None:
                b = a["balance"]
                rows.append([w["opening_balance"], _yuan(b["opening"])])
                rows.append([w["remaining"], _yuan(b["remaining"])])
                rows.append([w["utilisation"], f"{b['utilisation'] * 100:.2f}%" if b["utilisation"] is not None else "-"])
            rows.append([w["closes_when_spent"], w["closes"] if a["closes_when_spent"] else w["goal_not_cap"]])
            rows.append([w["projection"], projection])
            parts.append(f"<p>{w['account']} <code>{html.escape(account)}</code> ({a['effective_from']} … {a['effective_to']})</p>")
            parts.append(_table(["", w["yuan"]], rows))
            months = sorted(set(c["by_month"]) | set(paid["by_month"]))
            if months:
                parts.append(
                    _table(
                        [w["month"], w["committed"], w["paid"]],
                        [[m, _yuan(c["by_month"].get(m, 0)), _yuan(paid["by_month"].get(m, 0))] for m in months],
                    )
                )
        for set_id, t in d["targets"].items():
            rows = []
            for key, m in t["measures"].items():
                if "by_year" in m:
                    rows += [[f"{key} {year}", f"{y['done']:,}", f"{m['target']:,}"] for year, y in m["by_year"].items()]
                else:
                    rows.append([key, "-" if m["done"] is None else f"{m['done']:,}", f"{m['target']:,}"])
            data = f"; data {t['data']['from']} … {t['data']['to']}" if t["data"] else ""
            parts.append(f"<p>{w['targets']} <code>{html.escape(set_id)}</code> ({t['effective_from']} … {t['effective_to']}{data})</p>")
            parts.append(_table([w["target"], w["done"], w["of"]], rows))
        periods = [(k, v) for k, v in d["two_months"].items() if v["approved"]["count"]]
        if periods:
            parts.append(f"<p>{w['two_months']}</p>")
            parts.append(
                _table(
                    [w["period"], w["approved"], w["yuan"], w["person_times"]],
                    [[k, f"{v['approved']['count']:,}", _yuan(v["approved"]["amount"]), f"{v['person_times']:,}"] for k, v in periods],
                )
            )
        return "".join(parts)


#: The words of a report's and a what-if's display.
_WORDS = {
    "en": {
        "head": "{claims:,} claims: {approved:,} approved ({amount} yuan), {rejected:,} rejected, {invalid:,} invalid",
        "by_program": "Approved by program",
        "by_reason": "Rejections by reason",
        "program": "program",
        "reason": "reason",
        "count": "count",
        "yuan": "yuan",
        "month": "month",
        "account": "Account",
        "spending_goal": "spending goal",
        "paid_in_period": "paid in the period",
        "of_goal": " ({share:.2f}% of the goal)",
        "paid_after_period": "paid after the period",
        "committed_batch": "committed by this batch",
        "committed_total": "committed in all",
        "closes_when_spent": "closes when spent",
        "closes": "yes",
        "goal_not_cap": "no: a goal, not a cap",
        "goal_pace": "goal: {amount} in the period at the pace so far",
        "targets": "Targets",
        "target": "target",
        "done": "done",
        "of": "of",
        "two_months": "By two-month period (每双月报送)",
        "period": "period",
        "approved": "approved",
        "opening_balance": "opening balance",
        "history_committed": "committed before (history)",
        "committed": "committed",
        "paid": "paid",
        "released": "released",
        "remaining": "remaining",
        "utilisation": "utilisation",
        "person_times": "person-times",
        "apprentices": "apprentices",
        "projection": "projection",
        "whatif": "What if {overrides}",
        "baseline": "baseline",
        "variant": "variant",
        "delta": "delta",
        "approved_count": "approved (count)",
        "approved_yuan": "approved (yuan)",
        "rejected": "rejected",
        "invalid": "invalid",
        "total_committed": "total committed",
    },
    "zh": {
        "head": "申请 {claims:,} 笔：予以补贴 {approved:,} 笔（{amount} 元），不予补贴 {rejected:,} 笔，信息有误 {invalid:,} 笔",
        "by_program": "按补贴项目",
        "by_reason": "不予补贴原因",
        "program": "补贴项目",
        "reason": "原因",
        "count": "人次",
        "yuan": "元",
        "month": "月份",
        "account": "专账",
        "spending_goal": "支出目标",
        "paid_in_period": "期内支付",
        "of_goal": "（目标的 {share:.2f}%）",
        "paid_after_period": "期后支付",
        "committed_batch": "本批审批（承诺）",
        "committed_total": "累计承诺",
        "closes_when_spent": "资金用完即止",
        "closes": "是",
        "goal_not_cap": "否：支出目标，非上限",
        "goal_pace": "按目前进度，期内支付 {amount} 元",
        "targets": "目标",
        "target": "指标",
        "done": "完成",
        "of": "目标值",
        "two_months": "按双月（每双月报送）",
        "period": "期间",
        "approved": "予以补贴",
        "opening_balance": "期初资金",
        "history_committed": "以往已承诺",
        "committed": "审批（承诺）",
        "paid": "支付",
        "released": "释放",
        "remaining": "剩余资金",
        "utilisation": "使用率",
        "person_times": "培训人次",
        "apprentices": "学徒人数",
        "projection": "预测",
        "whatif": "假设：{overrides}",
        "baseline": "基准",
        "variant": "方案",
        "delta": "变化",
        "approved_count": "予以补贴（笔）",
        "approved_yuan": "予以补贴（元）",
        "rejected": "不予补贴",
        "invalid": "信息有误",
        "total_committed": "累计承诺",
    },
}


class BatchResult:
    """A batch's claims' assessments, its applications' results and its report, from one run.

    ``assessments`` and ``applications`` are of the kind their input came in (a pandas or
    polars DataFrame, a pyarrow Table, or a list of dicts).
    """

    def __init__(
        self,
        native: Any,
        kind: Kind,
        index: Any = None,
        app_kind: Kind = "records",
        money: Money = "decimal",
        keep: Optional[Callable[[Any], Any]] = None,
        lang: Lang = "en",
        program_names: Optional[Dict[str, str]] = None,
    ) -> None:
        self._native = native
        self._lang = lang
        self._program_names = program_names
        self._kind = kind
        self._index = index
        self._app_kind = app_kind
        self._money = money
        self._keep = keep
        self._assessments: Any = None
        #: Runs the same batch again explaining one claim (set by ``Engine.run``).
        self._explain: Optional[Callable[[str], Dict[str, Any]]] = None

    def __len__(self) -> int:
        return len(self._native)

    @property
    def assessments(self) -> Any:
        """One record per claim, in input order: ``claim_id``, ``status``, ``amount``,
        ``reasons`` (codes joined with ``;``), ``errors`` (``field:code`` joined with ``;``),
        ``program``, ``fund``, ``payee``, ``catalogue_version``, ``payment_month`` (and
        ``trace`` when asked for). Dicts have the full record: lists and a trace dict."""
        if self._assessments is None:
            native, money = self._native, self._money
            self._assessments = _frames.write(
                lambda view: native.assessments_table(view, money),
                lambda: _money.records(native.assessment_records(), money),
                self._kind,
                self._index,
                lambda: native.assessments_apart(money),
            )
            if self._keep is not None:
                self._assessments = self._keep(self._assessments)
        return self._assessments

    def trace_frame(self, kind: Optional[Kind] = None) -> Any:
        """Every claim's explanation as one long table (run with ``trace=True``): one row per
        step, ``claim_id``, ``step_no`` (from 1), ``step``, ``outcome`` (pass, fail, info),
        ``rule`` (the path it read), ``before``, ``after``, ``citation``, ``confidence`` and
        ``note`` (in the result's language), as a frame of the claims' kind (pandas for dicts).

        >>> from skill_subsidy import Engine
        >>> claims = [{"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
        ...            "event_date": "2021-05-10", "applied_on": "2021-05-20"}]
        >>> steps = Engine().run(claims, trace=True).trace_frame(kind="records")
        >>> [(s["step_no"], s["step"], s["rule"]) for s in steps][3]
        (4, 'base_amount', 'programs.pre_job.amount')
        """
        kind = kind or _frames.frame_kind(self._kind)
        note = "note_zh" if self._lang == "zh" else "note_en"
        columns = ("claim_id", "step_no", "step", "outcome", "rule", "before", "after", "citation", "confidence", "note")
        rows: List[Dict[str, Any]] = []
        for record in self._native.assessment_records():
            trace = record.get("trace")
            if trace is None:
                raise _native.input_error("claims", "missing_trace", "trace", "the result has no trace: run it with trace=True")
            for i, step in enumerate(trace.get("steps", []), 1):
                values = (
                    record["claim_id"],
                    i,
                    *(step.get(k) for k in ("step", "outcome", "rule", "before", "after", "citation", "confidence", note)),
                )
                rows.append(dict(zip(columns, (None if v is None else (v if isinstance(v, int) else str(v)) for v in values))))
        if kind == "records":
            return rows
        pa = _frames._pyarrow()
        table = pa.table({c: pa.array([r[c] for r in rows], pa.int64() if c == "step_no" else pa.string()) for c in columns})
        return _frames.write(lambda view: table, lambda: rows, kind)

    def assessment(self, i: int) -> Assessment:
        """The ``i``-th claim's assessment."""
        return Assessment._from_record(self._native.assessment_record(i), self._lang, self._program_names)

    def explain(self, claim_id: str, *, lang: Optional[Lang] = None) -> Assessment:
        """The claim ``claim_id`` explained where this batch decided it (SPEC §7.4): the
        decision in :attr:`assessments`, with every step; the cross-claim steps name the earlier
        claims (``{"claim": id}``) and history rows (``{"history": n}``, the row's position from
        1) that counted, and for ``budget_exhausted`` the claim at which the account closed and
        the balance left there. ``.batch`` says where the decision was made. The batch is run
        again with only that claim's person traced: about the cost of the run.

        >>> from skill_subsidy import Engine
        >>> history = [{"person_id": "P1", "program": "skills_training", "occupation": "6-18-02-04", "level": "3",
        ...             "event_date": "2021-03-01", "applied_on": "2021-03-10", "amount": "2000.00"}]
        >>> claim = {"claim_id": "C1", "program": "skills_training", "person_id": "P1", "occupation": "6-18-02-04",
        ...          "level": "3", "institution": "WX-JG-001", "fee_paid": "3000.00", "event_date": "2021-08-02",
        ...          "applied_on": "2021-08-20"}
        >>> result = Engine().run([claim], history)
        >>> explained = result.explain("C1")
        >>> explained.reasons, [s["counted"] for s in explained.trace["steps"] if s.get("counted")]
        (['duplicate_level'], [[{'history': 1}]])
        """
        if self._explain is None:
            message = "this result was not made by Engine.run: use engine.explain(claims, claim_id=...)"
            raise _native.input_error("claims", "not_explainable", "claim_id", message)
        record = self._explain(str(claim_id))
        row = record["batch"]["row"]
        kept = self._native.assessment_record(row)
        if any(kept.get(k) != record.get(k) for k in ("status", "amount", "reasons")):
            message = f"the batch decided {claim_id!r} differently when run again"
            raise _native.input_error("claims", "explanation_differs", "claim_id", message)
        return Assessment._from_record(record, _lang.check(lang, self._lang), self._program_names)

    @property
    def applications(self) -> Any:
        """One result per apprenticeship application, in input order: its record, ``session``
        and ``final_amount`` (dicts also hold their ``payments``)."""
        native, money = self._native, self._money
        return _frames.write(
            lambda view: native.applications_table(view, money), lambda: _money.records(native.application_records(), money), self._app_kind
        )

    @property
    def payments(self) -> Any:
        """The applications' staged payments, one row per payment: ``application_id``,
        ``month``, ``kind`` (``advance``, ``settlement``, ``recovery``), ``amount``."""
        kind = _frames.frame_kind(self._app_kind)
        native, money = self._native, self._money
        return _frames.write(
            lambda view: native.payments_table(view, money),
            lambda: _frames._pyarrow().table(native.payments_table(False, money)).to_pylist(),
            kind,
        )

    @property
    def cash_flow(self) -> Dict[str, Decimal]:
        """The applications' payments summed by month (``YYYY-MM`` → yuan)."""
        return dict(self._native.cash_flow())

    @property
    def report(self) -> Report:
        """The batch's report."""
        return Report(self._native.report(), self._kind, self._money, self._lang)

    def __repr__(self) -> str:
        return f"BatchResult({len(self)} claims; {self.report!r})"


class WhatIf:
    """The same claims under the rules as they are (the baseline) and as changed (the
    variant), with the difference by the same keys (``docs/report.md``).

    >>> from skill_subsidy import Engine
    >>> claims = [{"claim_id": "C1", "program": "skills_training", "person_id": "P1",
    ...            "occupation": "6-18-02-04", "level": "3", "institution": "WX-JG-001",
    ...            "fee_paid": "3000.00", "event_date": "2021-08-02", "applied_on": "2021-08-20"}]
    >>> w = Engine().whatif({"shortage.rate": "0.20"}, claims)
    >>> w.baseline.approved_amount, w.variant.approved_amount
    (Decimal('2600.00'), Decimal('2400.00'))
    >>> w.difference["approved"]["delta"]["amount"]
    Decimal('-200.00')
    """

    def __init__(self, overrides: List[str], baseline: BatchResult, variant: BatchResult) -> None:
        self.overrides = overrides
        #: The baseline's claims and report (assessed once, shared by every variant).
        self.baseline_result = baseline
        #: The variant's claims and report.
        self.variant_result = variant
        self._difference: Optional[Dict[str, Any]] = None

    @property
    def baseline(self) -> Report:
        """The baseline's report."""
        return self.baseline_result.report

    @property
    def variant(self) -> Report:
        """The variant's report."""
        return self.variant_result.report

    @property
    def difference(self) -> Dict[str, Any]:
        """For every key of either report: baseline, variant and delta (variant − baseline)."""
        if self._difference is None:
            self._difference = dict(self.baseline._native.diff(self.variant._native))
        return self._difference

    def to_dict(self) -> Dict[str, Any]:
        """``{"overrides", "baseline", "variant", "difference"}``, as ``subsidy whatif --report`` writes."""
        return {
            "overrides": list(self.overrides),
            "baseline": self.baseline.to_dict(),
            "variant": self.variant.to_dict(),
            "difference": self.difference,
        }

    def to_frame(
        self,
        by: WhatIfKey = "program",
        *,
        kind: Optional[Kind] = None,
        money: Optional[Money] = None,
        lang: Optional[Lang] = None,
        headers: bool = True,
    ) -> Any:
        """The difference by a dimension (``program``, ``level``, ``district``, ``fund``,
        ``occupation``, ``month``): the key, then count and amount of the baseline, the variant
        and the delta. ``by="reason"`` gives the rejections (counts only); ``by="account"`` one
        row per account: for each of its sums (``total_committed``, ``remaining`` …) the
        baseline, the variant and the delta, then each side's projection. A key that is none of
        these raises ``ArgumentError`` naming them. ``money``, ``lang`` and ``headers`` as in
        :meth:`Report.to_frame`.

        >>> from skill_subsidy import Engine
        >>> claims = [{"claim_id": "C1", "program": "skills_training", "person_id": "P1",
        ...            "occupation": "6-18-02-04", "level": "3", "institution": "WX-JG-001",
        ...            "fee_paid": "3000.00", "event_date": "2021-08-02", "applied_on": "2021-08-20"}]
        >>> w = Engine().whatif({"shortage.rate": "0.20"}, claims)
        >>> w.to_frame("account", kind="records", money="fen")[0]["delta_total_committed"]
        -20000
        """
        kind = kind or _frames.frame_kind(self.baseline._kind)
        money = _money.check(money, self.baseline._money)
        zh = _lang.check(lang, self.baseline._lang) == "zh"
        d = self.difference
        if by == "reason":
            rows = [
                {"reason": k, "baseline": v["baseline"], "variant": v["variant"], "delta": v["delta"]} for k, v in d["rejections"].items()
            ]
        elif by == "account":
            rows = [_account_row(account, x) for account, x in d["accounts"].items()]
        elif by in _DIMENSIONS:
            rows = [
                {
                    by: key,
                    "baseline_count": v["baseline"]["count"],
                    "baseline_amount": v["baseline"]["amount"],
                    "variant_count": v["variant"]["count"],
                    "variant_amount": v["variant"]["amount"],
                    "delta_count": v["delta"]["count"],
                    "delta_amount": v["delta"]["amount"],
                }
                for key, v in d["by"][by].items()
            ]
            for r in rows:
                # The report's `-` (a program without a level, a claim without a district) is a null key.
                r[by] = None if r[by] == "-" and by in _DASH_FOR_NONE else r[by]
        else:
            raise _native.choice_error_for("by", str(by), [*_DIMENSIONS, "reason", "account"])
        columns = list(rows[0]) if rows else [by]
        money_columns = [c for c in columns if any(isinstance(r[c], Decimal) for r in rows) and c != "utilisation"]
        for r in rows:
            for c in money_columns:
                r[c] = _money.value(r[c], money)
        try:
            pa = _frames._pyarrow()
        except ImportError:  # pragma: no cover - depends on the environment
            return rows  # in the difference's key order

        money_type = {"decimal": pa.decimal128(38, 2), "fen": pa.int64(), "float": pa.float64()}[money]
        types = {
            c: money_type
            if c in money_columns
            else (pa.int64() if c.endswith("_count") or c in ("baseline", "variant", "delta") else pa.string())
            for c in columns
        }
        key = columns[0]
        table = _frames.keyed_table(rows, types, {key: lambda present: self.baseline._native.categories(key, present, zh)})
        frame = _frames.write(lambda view: table, lambda: table.to_pylist(), kind)
        return _lang.rename(frame, kind) if zh and headers else frame

    def plot(self, account: Optional[str] = None, *, lang: Optional[str] = None) -> Any:
        """A chart of the difference (matplotlib): the change of the approved amount by program,
        and each month's payments of the baseline and the variant. Returns the figure."""
        from . import _plot

        return _plot.plot_whatif(self, account, lang=_lang.check(lang, self.baseline._lang))

    def __repr__(self) -> str:
        delta = self.difference["approved"]["delta"]
        if self.baseline._lang == "zh":
            return f"假设（{', '.join(self.overrides)}）：予以补贴 {delta['count']:+d} 笔，{delta['amount']:+} 元"
        return f"WhatIf({', '.join(self.overrides)}: approved {delta['count']:+d} claims, {delta['amount']:+} yuan)"

    def _repr_html_(self) -> str:
        w = _WORDS[self.baseline._lang]
        d = self.difference
        a = d["approved"]
        rows = [[w["approved_count"], f"{a['baseline']['count']:,}", f"{a['variant']['count']:,}", f"{a['delta']['count']:+,}"]]
        rows.append(
            [w["approved_yuan"], _yuan(a["baseline"]["amount"]), _yuan(a["variant"]["amount"]), f"{Decimal(a['delta']['amount']):+,.2f}"]
        )
        for status in ("rejected", "invalid"):
            x = d["status"][status]
            rows.append([w[status], f"{x['baseline']:,}", f"{x['variant']:,}", f"{x['delta']:+,}"])
        for account, x in d["accounts"].items():
            for key in ("total_committed", "paid_in_period", "remaining"):
                v = x.get(key)
                if v is None or v["delta"] is None:  # an account without a balance has nothing remaining
                    continue
                shown = [_yuan(v[side]) if v[side] is not None else "-" for side in ("baseline", "variant")]
                rows.append([f"{account}: {w[key]}", *shown, f"{Decimal(v['delta']):+,.2f}"])
            p = x["projection"]
            show = lambda q: (q or {}).get("status", "") + (f" ({q['month']})" if q and q.get("month") else "")  # noqa: E731
            rows.append([f"{account}: {w['projection']}", show(p["baseline"]), show(p["variant"]), ""])
        programs = [
            [r["program"], _yuan(r["baseline_amount"]), _yuan(r["variant_amount"]), f"{Decimal(r['delta_amount']):+,.2f}"]
            for r in self.to_frame("program", kind="records", money="decimal", headers=False)
        ]
        head = f"<p><b>{html.escape(w['whatif'].format(overrides=', '.join(self.overrides)))}</b></p>"
        sides = ["", w["baseline"], w["variant"], w["delta"]]
        return head + _table(sides, rows) + f"<p>{w['by_program']} ({w['yuan']})</p>" + _table([w["program"], *sides[1:]], programs)


def _account_row(account: str, x: Dict[str, Any]) -> Dict[str, Any]:
    """One account's difference as a row: each sum's baseline, variant and delta, then each
    side's projection (``status`` and, when there is one, ``(month)``)."""
    row: Dict[str, Any] = {"account": account}
    sums = [(k, v) for k, v in x.items() if isinstance(v, dict) and "delta" in v]
    for side in ("baseline", "variant", "delta"):
        for k, v in sums:
            row[f"{side}_{k}"] = v[side]
    for side in ("baseline", "variant"):
        p = (x.get("projection") or {}).get(side) or {}
        row[f"{side}_projection"] = (p.get("status") or "") + (f" ({p['month']})" if p.get("month") else "") or None
    return row


class Apprenticeships:
    """Apprenticeship applications (企业新型学徒制, SPEC §8) reviewed at the bimonthly sessions:
    each application's result, the staged payments, the monthly cash flow and the report."""

    def __init__(self, result: BatchResult) -> None:
        self._result = result

    @property
    def applications(self) -> Any:
        """One result per application: status, amount committed at the session, reasons,
        ``session`` and ``final_amount``."""
        return self._result.applications

    @property
    def payments(self) -> Any:
        """One row per staged payment: advance, settlement or recovery."""
        return self._result.payments

    @property
    def cash_flow(self) -> Dict[str, Decimal]:
        """Payments summed by month."""
        return self._result.cash_flow

    @property
    def report(self) -> Report:
        """The report (apprentices against the target, the account's commitments)."""
        return self._result.report

    def to_dict(self) -> Dict[str, Any]:
        """``{"applications", "cash_flow", "report"}``, as ``subsidy apprenticeship --out`` writes."""
        return {"applications": self._result._native.application_records(), "cash_flow": self.cash_flow, "report": self.report.to_dict()}

    def __repr__(self) -> str:
        return f"Apprenticeships({len(self._result._native.application_records())} applications; {self.report!r})"

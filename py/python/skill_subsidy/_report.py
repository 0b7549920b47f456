"""Reports (统计报表, SPEC §9), what-if comparisons (假设分析) and batch results, for notebooks:
dicts with exact decimals, tables of the caller's kind, and HTML."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any, Callable, Dict, List, Optional

from . import _frames, _money, _native
from ._assessment import Assessment
from ._frames import Kind
from ._money import Money

_DIMENSIONS = ("program", "level", "district", "fund", "occupation", "month")
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

    def __init__(self, native: Any, kind: Kind = "records", money: Money = "decimal") -> None:
        self._native = native
        self._kind = kind
        self._money = money

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

    def to_frame(self, by: str = "program", *, kind: Optional[Kind] = None, money: Optional[Money] = None) -> Any:
        """A table of the report, as a frame of the kind the claims came in (pandas when they
        came as dicts).

        ``by``: ``program``, ``level``, ``district``, ``fund``, ``occupation``, ``month``
        (columns: the key, ``count``, ``amount``); ``reason`` and ``status`` (the key,
        ``count``); ``account`` (one row per account: spending target, opening balance,
        committed, paid in and after the period, the goal's share, remaining, utilisation,
        projection); ``account_month`` (each account's months: ``committed``, ``paid``). The key
        is categorical in its natural order (programs as the ruleset lists them, months by time,
        statuses approved, rejected, invalid) and the rows come in that order; a key a claim did
        not have (no level, no district) is null. A key that is none of these raises
        ``ArgumentError`` naming them.

        ``money``: ``"decimal"`` (exact, the default unless the run said otherwise), ``"fen"``
        (exact ``int64``) or ``"float"`` (for charts only).

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
        native = self._native
        return _frames.write(
            lambda view: native.table(by, money, view), lambda: _frames._pyarrow().table(native.table(by, money)).to_pylist(), kind
        )

    def merge(self, other: Report) -> Report:
        """This report and ``other`` merged: the reports of a batch split by person (SPEC §11)
        merge into the whole batch's report, to the fen."""
        return Report(self._native.merge(other._native), self._kind, self._money)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Report) and bool(self._native == other._native)

    __hash__ = None  # type: ignore[assignment]  # compared by value

    def __repr__(self) -> str:
        return str(self._native.__repr__())

    def _repr_html_(self) -> str:
        d = self.to_dict()
        s = d["status"]
        parts = [
            f"<p><b>{d['claims']:,} claims</b>: {s['approved']:,} approved ({_yuan(d['approved_amount'])} yuan), "
            f"{s['rejected']:,} rejected, {s['invalid']:,} invalid</p>"
        ]
        programs = d["by"]["program"]
        if programs:
            parts.append("<p>Approved by program</p>")
            parts.append(_table(["program", "count", "yuan"], [[k, f"{v['count']:,}", _yuan(v["amount"])] for k, v in programs.items()]))
        if d["rejections"]:
            parts.append("<p>Rejections by reason</p>")
            parts.append(_table(["reason", "count"], [[k, f"{v:,}"] for k, v in d["rejections"].items()]))
        for account, a in d["accounts"].items():
            p = a["projection"]
            if p["status"] == "goal":
                projection = f"goal: {_yuan(p['paid_in_period'])} in the period at the pace so far"
            else:
                projection = p["status"] + (f" ({p['month']})" if p.get("month") else "")
            c, paid = a["committed"], a["paid"]
            rows = []
            if a["spending_target"] is not None:
                share = a["goal"]["share"]
                rows.append(["spending goal", _yuan(a["spending_target"])])
                of_goal = f" ({share * 100:.2f}% of the goal)" if share is not None else ""
                rows.append(["paid in the period" + of_goal, _yuan(paid["in_period"])])
            else:
                rows.append(["paid in the period", _yuan(paid["in_period"])])
            rows += [
                ["paid after the period", _yuan(paid["after_period"])],
                ["committed before (history)", _yuan(c["history"])],
                ["committed by this batch", _yuan(c["batch"])],
                ["released", _yuan(c["released"])],
                ["committed in all", _yuan(c["total"])],
            ]
            if a["balance"] is not None:
                b = a["balance"]
                rows.append(["opening balance", _yuan(b["opening"])])
                rows.append(["remaining", _yuan(b["remaining"])])
                rows.append(["utilisation", f"{b['utilisation'] * 100:.2f}%" if b["utilisation"] is not None else "-"])
            rows.append(["closes when spent", "yes" if a["closes_when_spent"] else "no: a goal, not a cap"])
            rows.append(["projection", projection])
            parts.append(f"<p>Account <code>{html.escape(account)}</code> ({a['effective_from']} … {a['effective_to']})</p>")
            parts.append(_table(["", "yuan"], rows))
            months = sorted(set(c["by_month"]) | set(paid["by_month"]))
            if months:
                parts.append(
                    _table(
                        ["month", "committed", "paid"],
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
            parts.append(f"<p>Targets <code>{html.escape(set_id)}</code> ({t['effective_from']} … {t['effective_to']}{data})</p>")
            parts.append(_table(["target", "done", "of"], rows))
        periods = [(k, v) for k, v in d["two_months"].items() if v["approved"]["count"]]
        if periods:
            parts.append("<p>By two-month period (每双月报送)</p>")
            parts.append(
                _table(
                    ["period", "approved", "yuan", "person-times"],
                    [[k, f"{v['approved']['count']:,}", _yuan(v["approved"]["amount"]), f"{v['person_times']:,}"] for k, v in periods],
                )
            )
        return "".join(parts)


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
    ) -> None:
        self._native = native
        self._kind = kind
        self._index = index
        self._app_kind = app_kind
        self._money = money
        self._keep = keep
        self._assessments: Any = None

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

    def assessment(self, i: int) -> Assessment:
        """The ``i``-th claim's assessment."""
        return Assessment._from_record(self._native.assessment_record(i))

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
        return Report(self._native.report(), self._kind, self._money)

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

    def to_frame(self, by: str = "program", *, kind: Optional[Kind] = None, money: Optional[Money] = None) -> Any:
        """The difference by a dimension (``program``, ``level``, ``district``, ``fund``,
        ``occupation``, ``month``): the key, then count and amount of the baseline, the variant
        and the delta. ``by="reason"`` gives the rejections (counts only); ``by="account"`` one
        row per account: for each of its sums (``total_committed``, ``remaining`` …) the
        baseline, the variant and the delta, then each side's projection. A key that is none of
        these raises ``ArgumentError`` naming them. ``money`` as in :meth:`Report.to_frame`.

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
        if kind == "records":
            return rows
        pa = _frames._pyarrow()
        money_type = {"decimal": pa.decimal128(38, 2), "fen": pa.int64(), "float": pa.float64()}[money]
        types = {
            c: money_type
            if c in money_columns
            else (pa.int64() if c.endswith("_count") or c in ("baseline", "variant", "delta") else pa.string())
            for c in columns
        }
        key = columns[0]
        table = _frames.keyed_table(rows, types, {key: lambda present: self.baseline._native.categories(key, present)})
        return _frames.write(lambda view: table, lambda: table.to_pylist(), kind)

    def __repr__(self) -> str:
        delta = self.difference["approved"]["delta"]
        return f"WhatIf({', '.join(self.overrides)}: approved {delta['count']:+d} claims, {delta['amount']:+} yuan)"

    def _repr_html_(self) -> str:
        d = self.difference
        a = d["approved"]
        rows = [["approved (count)", f"{a['baseline']['count']:,}", f"{a['variant']['count']:,}", f"{a['delta']['count']:+,}"]]
        rows.append(
            ["approved (yuan)", _yuan(a["baseline"]["amount"]), _yuan(a["variant"]["amount"]), f"{Decimal(a['delta']['amount']):+,.2f}"]
        )
        for status in ("rejected", "invalid"):
            x = d["status"][status]
            rows.append([status, f"{x['baseline']:,}", f"{x['variant']:,}", f"{x['delta']:+,}"])
        for account, x in d["accounts"].items():
            for key in ("total_committed", "remaining"):
                v = x[key]
                rows.append([f"{account}: {key}", _yuan(v["baseline"]), _yuan(v["variant"]), f"{Decimal(v['delta']):+,.2f}"])
            p = x["projection"]
            show = lambda q: (q or {}).get("status", "") + (f" ({q['month']})" if q and q.get("month") else "")  # noqa: E731
            rows.append([f"{account}: projection", show(p["baseline"]), show(p["variant"]), ""])
        programs = [
            [k, _yuan(v["baseline"]["amount"]), _yuan(v["variant"]["amount"]), f"{Decimal(v['delta']['amount']):+,.2f}"]
            for k, v in d["by"]["program"].items()
        ]
        head = f"<p><b>What if {html.escape(', '.join(self.overrides))}</b></p>"
        return (
            head
            + _table(["", "baseline", "variant", "delta"], rows)
            + "<p>Approved yuan by program</p>"
            + _table(["program", "baseline", "variant", "delta"], programs)
        )


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

"""One claim's assessment (审核结果, SPEC §7.3): the record, readable in a notebook."""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Optional

from ._native import ClaimError, Engine

_MARKS = {"pass": "✓", "fail": "✗", "info": "•"}

#: Each reason's line in English and Chinese, by code.
_REASONS = {code: (en, zh) for code, en, zh in Engine.reasons()}

#: The words of a printed assessment.
_WORDS: Dict[str, Dict[str, Any]] = {
    "en": {
        "claim": "Claim",
        "yuan": "yuan",
        "catalogue": "catalogue version",
        "paid": "paid in",
        "fund": "fund",
        "payee": "payee",
        "error": "error",
        "steps": "Steps (trace v{version}, ruleset {ruleset})",
        "batch": (
            "decided in the batch: row {row} (from 0) of {claims:,} claims, with {history:,} history records"
            " and {applications:,} applications, first come, first served"
        ),
        "field": "field",
        "code": "code",
        "message": "message",
        "step": "step",
        "rule": "rule",
        "before": "before",
        "after": "after",
        "note": "note",
        "source": "source",
        "status": {"approved": "approved", "rejected": "rejected", "invalid": "invalid"},
    },
    "zh": {
        "claim": "申请",
        "yuan": "元",
        "catalogue": "目录版本",
        "paid": "发放月份",
        "fund": "资金来源",
        "payee": "补贴对象",
        "error": "错误",
        "steps": "审核步骤（trace v{version}，规则 {ruleset}）",
        "batch": (
            "在批次中决定：第 {row} 行（从 0 起），共 {claims:,} 条申请、{history:,} 条已享受补贴记录、"
            "{applications:,} 条学徒制申请，按申请先后审核"
        ),
        "field": "字段",
        "code": "代码",
        "message": "说明",
        "step": "步骤",
        "rule": "规则",
        "before": "之前",
        "after": "之后",
        "note": "说明",
        "source": "依据",
        "status": {"approved": "予以补贴", "rejected": "不予补贴", "invalid": "信息有误"},
    },
}


@dataclass(frozen=True)
class Assessment:
    """The engine's answer for one claim.

    ``amount`` is a ``decimal.Decimal`` with two places (``0.00`` unless approved);
    ``reasons`` lists reason codes in check order; ``errors`` the field errors of an invalid
    claim (``code``, ``field``, ``value`` — never for ``person_id`` — ``message_en``,
    ``message_zh``); ``trace`` the explanation (``docs/trace.md``) when asked for; ``estimate``,
    for an apprenticeship assessed alone, the review session it would reach and its staged
    payments (an estimate: approval happens only at the session).

    >>> from skill_subsidy import Engine
    >>> a = Engine().assess({"claim_id": "C1", "program": "pre_job", "person_id": "P1",
    ...     "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"})
    >>> a.status, a.amount, a.payment_month
    ('approved', Decimal('300.00'), '2021-06')
    >>> a.approved
    True
    """

    claim_id: str
    status: str
    amount: Decimal
    reasons: List[str] = field(default_factory=list)
    errors: List[Dict[str, Any]] = field(default_factory=list)
    program: Optional[str] = None
    fund: Optional[str] = None
    payee: Optional[str] = None
    catalogue_version: Optional[str] = None
    payment_month: Optional[str] = None
    trace: Optional[Dict[str, Any]] = None
    estimate: Optional[Dict[str, Any]] = None
    #: For a claim explained in its batch: where the decision was made (``row`` of the claims,
    #: from 0, and how many ``claims``, ``history`` records and ``applications`` the batch had).
    batch: Optional[Dict[str, Any]] = None
    #: How it prints and shows (``"en"`` or ``"zh"``): not part of the record.
    lang: str = field(default="en", repr=False, compare=False)
    #: The program's name in ``lang``, when known.
    program_name: Optional[str] = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_record(cls, record: Dict[str, Any], lang: str = "en", program_names: Optional[Dict[str, str]] = None) -> Assessment:
        fields: Dict[str, Any] = {k: record[k] for k in cls.__dataclass_fields__ if k in record}
        name = (program_names or {}).get(record.get("program") or "")
        return cls(**fields, lang=lang, program_name=name)

    @property
    def approved(self) -> bool:
        """Whether the claim is approved."""
        return self.status == "approved"

    def to_dict(self) -> Dict[str, Any]:
        """The record as a dict (the amount a ``Decimal``; no ``trace`` key without a trace)."""
        record = asdict(self)
        del record["lang"], record["program_name"]
        for key in ("trace", "estimate", "batch"):
            if record[key] is None:
                del record[key]
        return record

    def to_json(self) -> str:
        """The record as JSON, as the CLI writes it (the amount a decimal string).

        >>> from skill_subsidy import Engine
        >>> Engine().assess({"claim_id": "C1"}).to_json()[:52]
        '{"claim_id": "C1", "status": "invalid", "amount": "0'
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    def raise_for_status(self) -> Assessment:
        """Raises ``ClaimError`` (with the field errors as ``.errors``) when the claim is invalid;
        returns the assessment otherwise.

        >>> from skill_subsidy import Engine, ClaimError
        >>> try:
        ...     Engine().assess({"claim_id": "C1", "fee_paid": "NaN"}).raise_for_status()
        ... except ClaimError as e:
        ...     [(x["field"], x["code"]) for x in e.errors][:2]
        [('program', 'missing_field'), ('person_id', 'missing_field')]
        """
        if self.status != "invalid":
            return self
        lines = [f"{e.get('field') or '(record)'}: {e.get('message_en')} ({e.get('code')})" for e in self.errors]
        error = ClaimError(f"claim {self.claim_id!r} is invalid:\n  " + "\n  ".join(lines))
        error.errors = [
            {
                "code": e.get("code"),
                "field": e.get("field"),
                "message": e.get("message_en"),
                "message_zh": e.get("message_zh"),
                "value": e.get("value"),
            }
            for e in self.errors
        ]
        raise error

    def _zh(self) -> bool:
        return self.lang == "zh"

    def _reason(self, code: str) -> str:
        """A reason as it reads: its code in English, its line in Chinese."""
        return _REASONS.get(code, (code, code))[1] if self._zh() else code

    def _headline(self) -> str:
        w = _WORDS["zh" if self._zh() else "en"]
        sep, comma = ("：", "，") if self._zh() else (": ", ", ")
        text = f"{w['claim']} {self.claim_id}{sep}{w['status'].get(self.status, self.status)}{comma}{self.amount} {w['yuan']}"
        if self.program:
            text += f" — {self.program_name or self.program}" if self._zh() else f" — {self.program}"
        if self.reasons:
            text += f" ({'；'.join(self._reason(r) for r in self.reasons)})" if self._zh() else f" ({', '.join(self.reasons)})"
        return text

    def __str__(self) -> str:
        """The assessment as it prints: in Chinese when its ``lang`` is ``"zh"`` (the notes,
        messages and reasons in Chinese, the program's name).

        >>> from skill_subsidy import Engine
        >>> claim = {"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
        ...          "event_date": "2021-05-10", "applied_on": "2021-05-20"}
        >>> print(str(Engine(lang="zh").explain(claim)).splitlines()[0])
        申请 C1：予以补贴，300.00 元 — 岗前培训
        """
        zh = self._zh()
        w = _WORDS["zh" if zh else "en"]
        message = "message_zh" if zh else "message_en"
        note = "note_zh" if zh else "note_en"
        sep = "：" if zh else ": "
        lines = [self._headline()]
        if self.batch:
            lines.append("  " + w["batch"].format(**self.batch))
        if self.catalogue_version:
            lines.append(f"  {w['catalogue']}{sep}{self.catalogue_version}")
        if self.payment_month:
            lines.append(f"  {w['paid']}{sep}{self.payment_month}")
        for e in self.errors:
            lines.append(f"  {w['error']}{sep}{e.get('field') or '(record)'}: {e.get(message)} ({e.get('code')})")
        if self.trace:
            lines.append(w["steps"].format(version=self.trace.get("trace_version"), ruleset=self.trace.get("ruleset")))
            for i, step in enumerate(self.trace.get("steps", []), 1):
                before, after = step.get("before"), step.get("after")
                change = ""
                if before is not None and after is not None:
                    change = f"  {before} → {after}"
                elif before is not None or after is not None:
                    change = f"  = {after if after is not None else before}"
                rule = step.get("rule") or ""
                lines.append(f"  {i:2}. {_MARKS.get(step.get('outcome'), ' ')} {step.get('step', ''):<18} {rule}{change}")
                lines.append(f"        {step.get(note, '')}")
                if step.get("citation"):
                    lines.append(f"        [{step.get('citation')} · {step.get('confidence') or ''}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        w = _WORDS["zh" if self._zh() else "en"]
        parts = [f"<p><b>{e(self._headline())}</b></p>"]
        if self.batch:
            parts.append(f"<p>{e(w['batch'].format(**self.batch))}</p>")
        facts = [
            (w["catalogue"], self.catalogue_version),
            (w["paid"], self.payment_month),
            (w["fund"], self.fund),
            (w["payee"], self.payee),
        ]
        shown = [(k, v) for k, v in facts if v]
        if shown:
            parts.append("<p>" + " · ".join(f"{e(k)}: <code>{e(str(v))}</code>" for k, v in shown) + "</p>")
        if self.errors:
            rows = "".join(
                f"<tr><td>{e(str(x.get('field') or '(record)'))}</td><td><code>{e(str(x.get('code')))}</code></td>"
                f"<td>{e(str(x.get('message_en')))}</td><td>{e(str(x.get('message_zh')))}</td></tr>"
                for x in self.errors
            )
            parts.append(f"<table><tr><th>{w['field']}</th><th>{w['code']}</th><th>message</th><th>说明</th></tr>{rows}</table>")
        if self.trace:
            rows = "".join(
                f"<tr><td>{_MARKS.get(s.get('outcome'), '')}</td><td><code>{e(str(s.get('step')))}</code></td>"
                f"<td><code>{e(str(s.get('rule') or ''))}</code></td><td>{e(str(s.get('before') or ''))}</td>"
                f"<td>{e(str(s.get('after') or ''))}</td><td>{e(str(s.get('note_en') or ''))}<br>{e(str(s.get('note_zh') or ''))}</td>"
                f"<td>{e(str(s.get('citation') or ''))} {e(str(s.get('confidence') or ''))}</td></tr>"
                for s in self.trace.get("steps", [])
            )
            head = "".join(f"<th>{w[k]}</th>" for k in ("step", "rule", "before", "after", "note", "source"))
            parts.append(f"<table><tr><th></th>{head}</tr>{rows}</table>")
        return "".join(parts)

"""One claim's assessment (审核结果, SPEC §7.3): the record, readable in a notebook."""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Optional

from ._native import ClaimError

_MARKS = {"pass": "✓", "fail": "✗", "info": "•"}


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

    @classmethod
    def _from_record(cls, record: Dict[str, Any]) -> Assessment:
        fields: Dict[str, Any] = {k: record[k] for k in cls.__dataclass_fields__ if k in record}
        return cls(**fields)

    @property
    def approved(self) -> bool:
        """Whether the claim is approved."""
        return self.status == "approved"

    def to_dict(self) -> Dict[str, Any]:
        """The record as a dict (the amount a ``Decimal``; no ``trace`` key without a trace)."""
        record = asdict(self)
        for key in ("trace", "estimate"):
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

    def _headline(self) -> str:
        text = f"Claim {self.claim_id}: {self.status}, {self.amount} yuan"
        if self.program:
            text += f" — {self.program}"
        if self.reasons:
            text += f" ({', '.join(self.reasons)})"
        return text

    def __str__(self) -> str:
        lines = [self._headline()]
        if self.catalogue_version:
            lines.append(f"  catalogue version: {self.catalogue_version}")
        if self.payment_month:
            lines.append(f"  paid in: {self.payment_month}")
        for e in self.errors:
            lines.append(f"  error: {e.get('field') or '(record)'}: {e.get('message_en')} ({e.get('code')})")
        if self.trace:
            lines.append(f"Steps (trace v{self.trace.get('trace_version')}, ruleset {self.trace.get('ruleset')})")
            for i, step in enumerate(self.trace.get("steps", []), 1):
                before, after = step.get("before"), step.get("after")
                change = ""
                if before is not None and after is not None:
                    change = f"  {before} → {after}"
                elif before is not None or after is not None:
                    change = f"  = {after if after is not None else before}"
                rule = step.get("rule") or ""
                lines.append(f"  {i:2}. {_MARKS.get(step.get('outcome'), ' ')} {step.get('step', ''):<18} {rule}{change}")
                lines.append(f"        {step.get('note_en', '')}")
                if step.get("citation"):
                    lines.append(f"        [{step.get('citation')} · {step.get('confidence') or ''}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        parts = [f"<p><b>{e(self._headline())}</b></p>"]
        facts = [("catalogue version", self.catalogue_version), ("paid in", self.payment_month), ("fund", self.fund), ("payee", self.payee)]
        shown = [(k, v) for k, v in facts if v]
        if shown:
            parts.append("<p>" + " · ".join(f"{e(k)}: <code>{e(str(v))}</code>" for k, v in shown) + "</p>")
        if self.errors:
            rows = "".join(
                f"<tr><td>{e(str(x.get('field') or '(record)'))}</td><td><code>{e(str(x.get('code')))}</code></td>"
                f"<td>{e(str(x.get('message_en')))}</td><td>{e(str(x.get('message_zh')))}</td></tr>"
                for x in self.errors
            )
            parts.append(f"<table><tr><th>field</th><th>code</th><th>message</th><th>说明</th></tr>{rows}</table>")
        if self.trace:
            rows = "".join(
                f"<tr><td>{_MARKS.get(s.get('outcome'), '')}</td><td><code>{e(str(s.get('step')))}</code></td>"
                f"<td><code>{e(str(s.get('rule') or ''))}</code></td><td>{e(str(s.get('before') or ''))}</td>"
                f"<td>{e(str(s.get('after') or ''))}</td><td>{e(str(s.get('note_en') or ''))}<br>{e(str(s.get('note_zh') or ''))}</td>"
                f"<td>{e(str(s.get('citation') or ''))} {e(str(s.get('confidence') or ''))}</td></tr>"
                for s in self.trace.get("steps", [])
            )
            parts.append(
                "<table><tr><th></th><th>step</th><th>rule</th><th>before</th><th>after</th><th>note</th><th>source</th></tr>"
                f"{rows}</table>"
            )
        return "".join(parts)

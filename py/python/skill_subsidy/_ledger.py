"""The ledger (补贴台账): month after month, each batch decided against everything earlier
batches committed, and committed in one transaction — the same SQLite file the CLI's
``subsidy assess FILE --ledger DB`` writes (``docs/ledger.md``)."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from . import _frames, _native
from ._engine import Engine
from ._frames import Kind
from ._report import BatchResult, Report


class LedgerRun:
    """What one batch did to the ledger: its ``result`` (every claim and application in input
    order, those decided earlier as decided then), the ``batch`` it committed (``None`` when
    nothing was new), and where each claim and application went: ``committed``,
    ``already_decided`` or ``not_committed`` (invalid)."""

    def __init__(self, result: BatchResult, batch: Optional[int], claims: List[str], applications: List[str]) -> None:
        self.result = result
        self.batch = batch
        self.claims = claims
        self.applications = applications

    def count(self, disposition: str) -> int:
        """How many claims and applications went this way."""
        return self.claims.count(disposition) + self.applications.count(disposition)

    def __repr__(self) -> str:
        counts = ", ".join(f"{d}={self.count(d)}" for d in ("committed", "already_decided", "not_committed"))
        return f"LedgerRun(batch={self.batch}, {counts})"


class Ledger:
    """A ledger of committed decisions, opened (or created) at ``path``.

    ``engine``: the rules batches are decided by (default: the embedded Wuxi 2021 rules);
    ``wait``: seconds to wait for another process committing to the ledger before
    ``LedgerError`` (``ledger_busy``). Look into the file with Python's ``sqlite3`` module only
    from another process, or with no ``Ledger`` open: two copies of SQLite in one process do
    not see each other's locks (``docs/ledger.md``).

    >>> import tempfile, os
    >>> from skill_subsidy import Ledger
    >>> ledger = Ledger(os.path.join(tempfile.mkdtemp(), "wuxi-2021.db"))
    >>> claims = [{"claim_id": "C1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1",
    ...            "event_date": "2021-05-10", "applied_on": "2021-05-20"}]
    >>> [(r["status"], r["amount"]) for r in ledger.assess_batch(claims)]
    [('approved', Decimal('300.00'))]
    >>> ledger.run(claims)                   # the same again: decided before, nothing committed
    LedgerRun(batch=None, committed=0, already_decided=1, not_committed=0)
    >>> ledger.history(kind="records")[0]["amount"]
    Decimal('300.00')
    """

    def __init__(self, path: Union[str, os.PathLike[str]], engine: Optional[Engine] = None, *, wait: float = 60.0) -> None:
        self._native = _native.Ledger(os.fspath(path), wait)
        self.engine = engine if engine is not None else Engine()

    def run(
        self, data: Any = None, *, applications: Any = None, outcomes: Any = None, lenient: Optional[bool] = None, trace: bool = False
    ) -> LedgerRun:
        """Decides claims (a pandas or polars DataFrame, a pyarrow Table or a list of dicts) and
        apprenticeship ``applications`` (with ``outcomes``) against everything the ledger holds,
        and commits what was decided in one transaction. A claim id on record with the same
        content is shown as decided then; with other content it is ``invalid``
        (``claim_id_reused``). Raises ``LedgerError`` when the ledger cannot be written —
        then nothing was."""
        _frames.claims_given(data, applications, outcomes)
        kind, claims = _frames.read(data)
        app_kind, apps = _frames.read(applications, "applications")
        native, batch, claim_ways, app_ways = self._native.run(
            self.engine._native, claims, apps, _frames.read(outcomes, "outcomes")[1], lenient, trace
        )
        index = getattr(data, "index", None) if kind == "pandas" else None
        return LedgerRun(BatchResult(native, kind, index, app_kind), batch, list(claim_ways), list(app_ways))

    def assess_batch(
        self, data: Any, *, applications: Any = None, outcomes: Any = None, lenient: Optional[bool] = None, trace: bool = False
    ) -> Any:
        """As :meth:`run`, returning one record per claim, in input order, as the kind of
        ``data`` (see ``Engine.assess_batch``)."""
        return self.run(data, applications=applications, outcomes=outcomes, lenient=lenient, trace=trace).result.assessments

    def history(self, *, kind: Kind = "pandas") -> Any:
        """Every subsidy the ledger holds — imported history, approved claims, approved
        apprenticeships (with their ``months``) — in the fields of a history input, as
        ``kind`` (``pandas``, ``polars``, ``arrow`` or ``records``). Person ids are in it,
        as stored."""
        stream = self._native.history()
        return _frames.write(lambda view: stream, lambda: _frames._pyarrow().table(stream).to_pylist(), kind)

    def report(self, period: Optional[str] = None) -> Report:
        """The report (SPEC §9) over everything the ledger holds, or over the decisions
        committed in ``period`` (``"2021-03..2021-06"``) with everything before it as history."""
        return Report(self._native.report(self.engine._native, period))

    def import_history(self, data: Any, *, lenient: Optional[bool] = None) -> int:
        """Imports subsidies decided before the ledger (history records), once; returns how
        many were written. The same records again raise ``LedgerError`` (``already_imported``)."""
        _, records = self._native.import_history(self.engine._native, _frames.read(data, "history")[1], lenient)
        return int(records)

    def record_outcomes(self, data: Any) -> Dict[str, Any]:
        """Records apprenticeship outcomes (``application_id``, ``outcome``, ``outcome_date``)
        as they arrive, scheduling the payments again: ``recorded``, ``unchanged`` (on record
        already), ``not_approved`` (nothing to pay) and the ``batch``. An outcome that differs
        from one on record, or of an application not in the ledger, raises ``LedgerError`` and
        none is recorded."""
        batch, recorded, unchanged, not_approved = self._native.record_outcomes(self.engine._native, _frames.read(data, "outcomes")[1])
        return {"batch": batch, "recorded": recorded, "unchanged": unchanged, "not_approved": not_approved}

    def batches(self) -> List[Dict[str, Any]]:
        """Every batch on record: when it committed, from what, under which ruleset (id and
        digest), overrides and engine version, and what it committed."""
        return list(self._native.batches())

    def __repr__(self) -> str:
        return str(self._native.__repr__())

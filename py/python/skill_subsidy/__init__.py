"""skill-subsidy: exact, explained Chinese vocational-training subsidies (职业培训补贴).

Where to start: :class:`Engine` (the embedded Wuxi 2021 rules, or ``Engine.from_dir``), then
``engine.assess(claim)`` for one claim, ``engine.assess_batch(frame)`` for a year of claims
(pandas, polars, pyarrow or a list of dicts; the result comes back as the same kind),
``engine.report(...)`` for the budget report and ``engine.whatif(overrides, ...)`` to try a
change of any rule value. Money is exact throughout: ``decimal.Decimal``, or a
``decimal128(18, 2)`` Arrow column.

Errors form one hierarchy: :class:`SubsidyError` ⊃ :class:`RulesError` ⊃
:class:`OverrideError`, :class:`ClaimError` and :class:`ArgumentError` (also a ``ValueError``);
each has ``.errors`` (``code``, ``field``, ``message`` …). A claim that does not validate is not
an exception: it is ``invalid``. :class:`SubsidyWarning` says when input is read with something
left out (columns that are not fields).

>>> import skill_subsidy
>>> skill_subsidy.Engine().assess({"claim_id": "C1", "program": "online", "person_id": "P1",
...     "enterprise_id": "E1", "fee_paid": "650", "event_date": "2021-05-10",
...     "applied_on": "2021-05-20"}).amount
Decimal('500.00')
"""

from . import demo
from ._assessment import Assessment
from ._engine import Engine
from ._native import ArgumentError, BudgetInput, ClaimError, Closings, OverrideError, RulesError, SubsidyError, SubsidyWarning, __version__
from ._parameters import Parameter, ParameterNode
from ._report import Apprenticeships, BatchResult, Report, WhatIf

__all__ = [
    "Apprenticeships",
    "ArgumentError",
    "Assessment",
    "BatchResult",
    "BudgetInput",
    "ClaimError",
    "Closings",
    "Engine",
    "OverrideError",
    "Parameter",
    "ParameterNode",
    "Report",
    "RulesError",
    "SubsidyError",
    "SubsidyWarning",
    "WhatIf",
    "__version__",
    "demo",
]

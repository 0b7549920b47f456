"""skill-subsidy: exact, explained Chinese vocational-training subsidies (职业培训补贴).

Where to start: :class:`Engine` (the embedded Wuxi 2021 rules, or ``Engine.from_dir``), then
``engine.assess(claim)`` for one claim, ``engine.assess_batch(frame)`` for a year of claims
(pandas, polars, pyarrow or a list of dicts; the result comes back as the same kind),
``engine.report(...)`` for the budget report and ``engine.whatif(overrides, ...)`` to try a
change of any rule value; :class:`Ledger` to run month after month against what earlier
months committed (the CLI's ``--ledger`` file). Money is exact throughout:
``decimal.Decimal``, or a ``decimal128(18, 2)`` Arrow column. A province's claims run on a
cluster through :mod:`skill_subsidy.dask` and :mod:`skill_subsidy.spark`.

Errors form one hierarchy: :class:`SubsidyError` ⊃ :class:`RulesError` ⊃
:class:`OverrideError`, :class:`ClaimError` ⊃ :class:`InputTypeError` (also a ``TypeError``:
data of a kind that is not read, such as a numpy array or ``None`` as the claims, or a
DataFrame as one claim), :class:`ArgumentError` (also a ``ValueError``),
:class:`LedgerError` and :class:`ScaleOutError` (a batch split across a cluster that cannot give
the single run's result); each has ``.errors`` (``code``, ``field``, ``message`` …). A claim that
does not validate is not an exception: it is ``invalid``. :class:`SubsidyWarning` says when input
is read with something left out (columns that are not fields).

>>> import skill_subsidy
>>> skill_subsidy.Engine().assess({"claim_id": "C1", "program": "online", "person_id": "P1",
...     "enterprise_id": "E1", "fee_paid": "650", "event_date": "2021-05-10",
...     "applied_on": "2021-05-20"}).amount
Decimal('500.00')
"""

from . import demo
from ._assessment import Assessment
from ._engine import Engine
from ._ledger import Ledger, LedgerRun
from ._native import (
    ArgumentError,
    BudgetInput,
    ClaimError,
    Closings,
    InputTypeError,
    LedgerError,
    OverrideError,
    RulesError,
    ScaleOutError,
    SubsidyError,
    SubsidyWarning,
    __version__,
)
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
    "InputTypeError",
    "Ledger",
    "LedgerError",
    "LedgerRun",
    "OverrideError",
    "Parameter",
    "ParameterNode",
    "Report",
    "RulesError",
    "ScaleOutError",
    "SubsidyError",
    "SubsidyWarning",
    "WhatIf",
    "__version__",
    "demo",
]

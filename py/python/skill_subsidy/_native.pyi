"""Type stubs of the compiled module ``skill_subsidy._native`` (py/src). Use the package's
public API (``skill_subsidy.Engine`` …); this module is its engine room. A test
(``mypy.stubtest``) holds these stubs to the module."""

from decimal import Decimal
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final

__all__ = [
    "ArgumentError",
    "ArrowStream",
    "BatchResult",
    "BudgetInput",
    "ClaimError",
    "Closings",
    "Engine",
    "InputTypeError",
    "Ledger",
    "LedgerError",
    "OverrideError",
    "Report",
    "RulesError",
    "ScaleOutError",
    "SubsidyError",
    "SubsidyWarning",
    "__version__",
    "choice_error_for",
    "fields",
    "input_error",
    "person_buckets",
    "scale_out_error",
]

__version__: str

#: A record, a report or a trace as dicts and lists: money and ratios as ``Decimal``.
_Json = Dict[str, Any]
_Money = Literal["decimal", "fen", "float"]

class SubsidyError(Exception):
    """Every error of skill_subsidy."""

    errors: List[Dict[str, Any]]
    """The problems: each has ``code``, ``field`` and ``message`` (rules errors add ``file``,
    ``path``, ``line``; row errors add ``row``, ``message_zh`` and ``value``, never for
    ``person_id``; an argument's error adds ``value`` and ``choices``)."""

class RulesError(SubsidyError):
    """A ruleset that does not load."""

class OverrideError(RulesError):
    """A what-if override to a path that does not exist, or with a value that does not fit."""

class ClaimError(SubsidyError):
    """Input that cannot be assessed as a whole."""

class InputTypeError(ClaimError, TypeError):
    """Data of a kind that is not read at all (``errors[0]["code"]``: ``unsupported_input``):
    a numpy array, a Series or ``None`` as the claims of a batch, a DataFrame as one claim."""

class ArgumentError(SubsidyError, ValueError):
    """An argument that is not one of its choices: a report key, a money kind, a language."""

class LedgerError(SubsidyError):
    """A ledger that cannot be opened or written (``errors[0]["code"]``: ``ledger_busy``,
    ``disk_full``, ``newer_schema`` …); nothing of the failed call was written."""

class ScaleOutError(SubsidyError):
    """A batch split across a cluster that cannot give the single run's result."""

def scale_out_error(code: str, message: str) -> ScaleOutError: ...
def person_buckets(table: Any, buckets: int, column: str = "person_id") -> ArrowStream: ...

class SubsidyWarning(UserWarning):
    """Input that is read, with something in it left out (columns that are not fields)."""

def input_error(what: str, code: str, field: str, message: str) -> ClaimError:
    """The ``ClaimError`` for ``code``: an ``InputTypeError`` for ``unsupported_input``."""

def choice_error_for(argument: str, given: str, choices: List[str]) -> ArgumentError: ...
def fields() -> List[Tuple[str, List[str]]]: ...

@final
class ArrowStream:
    """A result table, taken by any Arrow consumer through ``__arrow_c_stream__``."""

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __len__(self) -> int: ...

@final
class BudgetInput:
    """What one partition of a batch split by person brings to the accounts (SPEC §11, pass 1)."""

    def to_bytes(self) -> bytes: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> BudgetInput: ...
    def day_totals(self) -> BudgetInput: ...
    def around(self, rough: Closings) -> BudgetInput: ...
    def __len__(self) -> int: ...

@final
class Closings:
    """Where each account closed and each year's quota filled (SPEC §11, pass 2)."""

    def to_bytes(self) -> bytes: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> Closings: ...

@final
class Report:
    @property
    def claims(self) -> int: ...
    @property
    def approved_amount(self) -> Decimal: ...
    @property
    def status(self) -> Dict[str, int]: ...
    def to_dict(self) -> _Json: ...
    def to_json(self, indent: Optional[int] = None) -> str: ...
    def merge(self, other: Report) -> Report: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes, engine: Optional[Engine] = None) -> Report: ...
    def diff(self, variant: Report) -> _Json: ...
    def table(self, by: List[str], money: _Money = "decimal", view: bool = False, zh: bool = False) -> ArrowStream: ...
    def categories(
        self, name: str, present: List[str], zh: bool = False
    ) -> Tuple[List[str], List[str], bool, Optional[Dict[str, str]]]: ...

#: A text column of one value taken apart: name, value, and for a polars ``Enum`` its categories.
_Constant = Tuple[str, Optional[str], Optional[List[str]]]

@final
class BatchResult:
    def __len__(self) -> int: ...
    def assessments_table(self, view: bool = False, money: _Money = "decimal") -> ArrowStream: ...
    def assessments_apart(self, money: _Money = "decimal") -> Tuple[ArrowStream, List[_Constant], List[str]]: ...
    def assessment_records(self) -> List[_Json]: ...
    def assessment_record(self, i: int) -> _Json: ...
    def applications_table(self, view: bool = False, money: _Money = "decimal") -> ArrowStream: ...
    def application_records(self) -> List[_Json]: ...
    def payments_table(self, view: bool = False, money: _Money = "decimal") -> ArrowStream: ...
    def cash_flow(self) -> Dict[str, Decimal]: ...
    def report(self) -> Report: ...

#: Claims, history, applications or outcomes as the engine reads them.
_Input = Union[None, Sequence[Mapping[str, Any]], object]

@final
class Engine:
    @property
    def ruleset(self) -> str: ...
    @property
    def overrides(self) -> List[str]: ...
    @staticmethod
    def embedded(id: str) -> Engine: ...
    @staticmethod
    def from_dir(path: str) -> Engine: ...
    @staticmethod
    def embedded_ids() -> List[str]: ...
    @staticmethod
    def reasons() -> List[Tuple[str, str, str]]: ...
    def with_overrides(self, overrides_doc: Union[Mapping[str, Any], str, List[str]]) -> Engine: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> Engine: ...
    def value(self, path: str) -> Union[Decimal, bool, None]: ...
    def export(self) -> _Json: ...
    def schema(self) -> _Json: ...
    def labels_zh(self) -> List[Tuple[str, List[Tuple[str, str]]]]: ...
    def assess(self, claim: Mapping[str, Any], lenient: bool = False, trace: bool = False) -> _Json:
        """One claim's record. Values are read as ``py/README.md`` ("Types across the boundary")
        says: a float as JavaScript writes it (``1e300`` is ``bad_money``); a ``date``, a
        datetime or ``numpy.datetime64`` at midnight as its date; a timestamp with a time zone,
        in any zone, and a numpy ``timedelta64``, complex or ``void`` as that field's
        ``wrong_type``."""
    def run(
        self,
        claims: _Input,
        history: _Input = None,
        applications: _Input = None,
        outcomes: _Input = None,
        lenient: Optional[bool] = None,
        trace: bool = False,
        closings: Optional[Closings] = None,
    ) -> BatchResult: ...
    def explain(
        self,
        claims: _Input,
        claim_id: str,
        history: _Input = None,
        applications: _Input = None,
        outcomes: _Input = None,
        lenient: Optional[bool] = None,
        closings: Optional[Closings] = None,
    ) -> _Json: ...
    def budget_input(
        self, claims: _Input, history: _Input = None, applications: _Input = None, outcomes: _Input = None, lenient: Optional[bool] = None
    ) -> BudgetInput: ...
    def closings(self, inputs: List[BudgetInput]) -> Closings: ...
    def closings_in_rounds(self, day_totals: List[BudgetInput], around: Any) -> Closings: ...

@final
class Ledger:
    def __new__(cls, path: str, wait: float = 60.0) -> Ledger: ...
    def run(
        self,
        engine: Engine,
        claims: Any = None,
        applications: Any = None,
        outcomes: Any = None,
        lenient: Optional[bool] = None,
        trace: bool = False,
    ) -> Tuple[BatchResult, Optional[int], List[str], List[str]]: ...
    def history(self) -> ArrowStream: ...
    def report(self, engine: Engine, period: Optional[str] = None) -> Report: ...
    def import_history(self, engine: Engine, history: Any, lenient: Optional[bool] = None) -> Tuple[int, int]: ...
    def record_outcomes(self, engine: Engine, outcomes: Any) -> Tuple[Optional[int], int, int, int]: ...
    def batches(self) -> List[Dict[str, Any]]: ...

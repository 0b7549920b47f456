"""The columns of a table given: which are read as fields, which are left out, and which the
caller keeps beside the result.

A table's columns that are not fields of what it holds (claims, history, applications,
outcomes) are left out, as the CLI reads a CSV export. That is right for a ``name`` or ``notes``
column, and wrong for a misspelt field: a ``fee`` column for ``fee_paid`` makes every claim that
needs a fee ``invalid``. So they are named in a :class:`SubsidyWarning`, each with the field it
is likely meant to be, and ``strict=True`` refuses them (``ClaimError``, code
``unknown_column``). Columns named in ``keep`` are not fields and are expected: they come back
beside the result, so that it joins back to the input.
"""

from __future__ import annotations

import difflib
import sys
import warnings
from typing import Any, Dict, List, Optional, Sequence

from . import _frames, _native
from ._frames import Kind

#: The fields of each kind of input, as the engine reads them.
FIELDS: Dict[str, List[str]] = {what: list(names) for what, names in _native.fields()}


def names_of(data: Any) -> Optional[List[str]]:
    """The column names of a pandas or polars frame or an Arrow table (``None`` for dicts and
    anything else)."""
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "columns"):
        return [str(c) for c in data.columns]
    if module == "polars":
        schema = data.collect_schema() if hasattr(data, "collect_schema") else data.schema
        return list(schema.names() if hasattr(schema, "names") else schema)
    schema = getattr(data, "schema", None)
    if schema is not None and hasattr(schema, "names"):
        return list(schema.names)
    return None


def near(name: str, known: Sequence[str]) -> Optional[str]:
    """The field ``name`` is most likely meant to be: the same name in another case or spacing,
    a field it begins (``fee`` → ``fee_paid``), or the closest by spelling."""
    plain = name.strip().lower().replace(" ", "_").replace("-", "_")
    for field in known:
        if plain == field:
            return field
    starting = [f for f in known if len(plain) >= 3 and (f.startswith(plain) or plain.startswith(f))]
    if starting:
        return starting[0]
    close = difflib.get_close_matches(plain, known, n=1, cutoff=0.6)
    return close[0] if close else None


def check(what: str, data: Any, *, lenient: Optional[bool], strict: bool, keep: Sequence[str] = ()) -> None:
    """Warns (or, when ``strict``, raises ``ClaimError``) about the columns of ``data`` that are
    not fields of ``what`` and are not kept. Nothing to say for dicts, or when the caller asked
    for ``lenient=False`` (each row then says it) or ``lenient=True`` (left out on purpose)."""
    names = names_of(data)
    if names is None or (lenient is not None and not strict):
        return
    known = FIELDS[what]
    left_out = [n for n in names if n not in known and n not in keep]
    if not left_out:
        return
    shown = []
    for name in left_out[:20]:
        hint = near(name, known)
        shown.append(f"{name} (did you mean {hint}?)" if hint else name)
    more = f" and {len(left_out) - 20} more" if len(left_out) > 20 else ""
    plural = "columns are not fields" if len(left_out) > 1 else "column is not a field"
    message = f"{len(left_out)} {plural} of {what}: {', '.join(shown)}{more}"
    if strict:
        raise _native.input_error(what, "unknown_column", left_out[0], message)
    advice = "strict=True refuses them, keep=[...] carries them into the result" if what == "claims" else "strict=True refuses them"
    warnings.warn(f"{what}: {message}; left out ({advice})", _native.SubsidyWarning, stacklevel=_caller())


def _caller() -> int:
    """The stack level of the first frame outside this package: where the caller called us."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("skill_subsidy"):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


#: The columns of a claims result (``trace`` when asked for): a kept column may not take a name.
RESULT_COLUMNS = (
    "claim_id",
    "status",
    "amount",
    "reasons",
    "errors",
    "program",
    "fund",
    "payee",
    "catalogue_version",
    "payment_month",
    "trace",
)


class Kept:
    """The claims' columns the caller keeps, read from the input as given and carried into the
    result after ``claim_id``. A name the input does not have, or that the result has, raises
    ``ArgumentError`` listing the names that can be kept."""

    def __init__(self, data: Any, read: Any, kind: Kind, names: List[str]) -> None:
        self.names = names
        self.kind = kind
        # A polars or pandas frame as given; what was read for tables and dicts (a reader or an
        # iterator is read once).
        self.source = data if kind in ("pandas", "polars") else read
        if not names:
            return
        given = names_of(data)
        if given is None:
            given = list(dict.fromkeys(k for row in (read or ()) if hasattr(row, "keys") for k in row.keys()))
        can = [n for n in given if n not in RESULT_COLUMNS]
        for name in names:
            if name not in can:
                raise _native.choice_error_for("keep", str(name), can)

    def __call__(self, result: Any) -> Any:
        """``result`` with the kept columns after ``claim_id``."""
        if not self.names:
            return result
        return _frames.carry(result, self.kind, self.source, self.names)

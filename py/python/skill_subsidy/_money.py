"""Money as the caller asks for it (``money=``): exact decimals (the default), exact integer fen,
or floats for charts.

- ``"decimal"``: ``decimal128`` yuan columns (pandas ``ArrowDtype``, polars ``Decimal``),
  ``decimal.Decimal`` in dicts. Exact, but pandas' numeric methods (``describe``, ``cumsum``,
  ``nlargest``, ``pct_change``, ``select_dtypes("number")``) skip or refuse it.
- ``"fen"``: ``int64`` fen (1 yuan = 100 fen), ``int`` in dicts. Exact and a plain number to
  every library: sum, then divide by 100 for yuan at the end.
- ``"float"``: ``float64`` yuan, ``float`` in dicts. **For charts only**: each amount is the
  nearest double, so sums and comparisons are no longer exact to the fen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Literal, Optional

from . import _native

Money = Literal["decimal", "fen", "float"]
KINDS = ("decimal", "fen", "float")

#: Record keys that hold money.
_MONEY_KEYS = ("amount", "final_amount")


def check(money: Optional[str], default: Money = "decimal") -> Money:
    """``money`` if it is one of :data:`KINDS` (``None``: ``default``); an ``ArgumentError``
    listing them otherwise."""
    if money is None:
        return default
    if money not in KINDS:
        raise _native.choice_error_for("money", str(money), list(KINDS))
    return money  # type: ignore[return-value]


def value(amount: Any, money: Money) -> Any:
    """One amount (a ``Decimal`` in yuan, or ``None``) as ``money`` asks."""
    if amount is None or money == "decimal":
        return amount
    fen = int(Decimal(amount).scaleb(2))  # whole fen: every amount the engine gives is
    return fen if money == "fen" else fen / 100


def records(rows: List[Dict[str, Any]], money: Money) -> List[Dict[str, Any]]:
    """Records (claims, applications, payments) with their money as ``money`` asks; the same
    list when decimals are asked for."""
    if money == "decimal":
        return rows
    for row in rows:
        for key in _MONEY_KEYS:
            if key in row:
                row[key] = value(row[key], money)
        for payment in row.get("payments") or ():
            payment["amount"] = value(payment.get("amount"), money)
    return rows

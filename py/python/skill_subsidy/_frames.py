"""Frames in and out: which kind of data was given, how it crosses to the engine, and how a
result goes back as the same kind.

Tables cross as Arrow through the C stream interface (``__arrow_c_stream__``): a pyarrow
Table or a polars DataFrame as it is, a pandas DataFrame through ``pyarrow.Table.from_pandas``.
No Python object is made per row. A list of dicts crosses as it is, and comes back as a list
of dicts.

Money comes back exact: a ``decimal128(18, 2)`` column in Arrow and polars, an Arrow-backed
decimal column (``pd.ArrowDtype(pa.decimal128(18, 2))``) in pandas, ``decimal.Decimal`` in
dicts.
"""

from __future__ import annotations

from typing import Any, Callable, List, Literal, Optional, Tuple

from . import _native

Kind = Literal["pandas", "polars", "arrow", "records"]
KINDS: Tuple[str, ...] = ("pandas", "polars", "arrow", "records")


def _module(data: Any) -> str:
    return type(data).__module__.split(".")[0]


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("frames need pyarrow: pip install pyarrow (or skill-subsidy[pandas])") from e
    return pyarrow


def kind_of(data: Any) -> Kind:
    """The kind of data given: ``pandas``, ``polars``, ``arrow`` or ``records``."""
    module = _module(data)
    if module in ("pandas", "polars"):
        return module  # type: ignore[return-value]
    if module == "pyarrow" or hasattr(data, "__arrow_c_stream__"):
        return "arrow"
    return "records"


def read(data: Any, what: str = "claims") -> Tuple[Kind, Any]:
    """The kind of ``data`` and what the engine reads: an object with ``__arrow_c_stream__``,
    a list of mappings, or ``None``. What is returned can be read more than once."""
    if data is None:
        return "records", None
    module = _module(data)
    if module == "pandas" and hasattr(data, "columns") and hasattr(data, "index"):
        if not data.columns.is_unique:
            twice = str(data.columns[data.columns.duplicated()][0])
            raise _native.input_error(what, "repeated_column", twice, f"the column {twice} appears twice")
        pa = _pyarrow()
        try:
            # The index is not a claim field; it is given back on the result.
            return "pandas", pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError):
            # A column pyarrow cannot type (mixed objects): row by row, each value as it is,
            # for the engine to accept or refuse like any dict's.
            return "pandas", data.to_dict("records")
    if module == "polars":
        if type(data).__name__ == "LazyFrame":
            data = data.collect()
        if hasattr(data, "schema"):
            # polars exports an all-null column (dtype Null) with a buffer the Arrow C data
            # interface does not define for it; as text it is the same nulls.
            import polars as pl

            nulls = [name for name, dtype in data.schema.items() if dtype == pl.Null]
            if nulls:
                data = data.with_columns([pl.col(name).cast(pl.String) for name in nulls])
        if hasattr(data, "__arrow_c_stream__"):
            return "polars", data
        return "polars", data.to_arrow()
    if module == "pyarrow":
        pa = _pyarrow()
        if isinstance(data, pa.RecordBatch):
            return "arrow", pa.Table.from_batches([data])
        if isinstance(data, pa.RecordBatchReader):
            return "arrow", data.read_all()
        return "arrow", data
    if hasattr(data, "__arrow_c_stream__"):
        # Another Arrow producer (DuckDB, nanoarrow …): read once into a table when pyarrow is
        # there, since a stream may be single-use.
        try:
            return "arrow", _pyarrow().table(data)
        except ImportError:  # pragma: no cover - depends on the environment
            return "arrow", data
    if isinstance(data, (list, tuple)):
        return "records", data
    if hasattr(data, "__iter__") and not hasattr(data, "keys") and not isinstance(data, (str, bytes)):
        return "records", list(data)
    # Anything else goes to the engine, which names what it expected.
    return "records", data


def _pandas_dtype(pa: Any, pd: Any) -> Callable[[Any], Optional[Any]]:
    arrow_dtype = getattr(pd, "ArrowDtype", None)

    def mapper(t: Any) -> Optional[Any]:
        if arrow_dtype is not None and pa.types.is_decimal(t):
            return arrow_dtype(t)
        return None  # pandas' default (Decimal objects for decimals on pandas < 2)

    return mapper


def write(stream_of: Callable[[bool], Any], records: Callable[[], List[dict]], kind: Kind, index: Any = None) -> Any:
    """A result as ``kind``: from the Arrow stream ``stream_of(view)`` for frames (text as
    ``utf8_view`` for polars, which holds it as it is; ``utf8`` for pyarrow and pandas), from
    ``records()`` for dicts. A pandas result takes the input's ``index`` when given."""
    if kind == "records":
        return records()
    if kind == "polars":
        import polars as pl

        stream = stream_of(True)
        try:
            return pl.DataFrame(stream)
        except (TypeError, ValueError):  # pragma: no cover - older polars without the protocol
            return pl.from_arrow(_pyarrow().table(stream))
    pa = _pyarrow()
    table = pa.table(stream_of(False))
    if kind == "arrow":
        return table
    import pandas as pd

    frame = table.to_pandas(types_mapper=_pandas_dtype(pa, pd))
    if index is not None and len(index) == len(frame):
        frame.index = index
    return frame


def frame_kind(kind: Kind) -> Kind:
    """The kind a small table (a report's) is given as for ``kind`` data: the same frame kind,
    and for dicts pandas when it is installed, else pyarrow, else dicts."""
    if kind != "records":
        return kind
    for name in ("pandas", "pyarrow"):
        try:
            __import__(name)
        except ImportError:
            continue
        return "pandas" if name == "pandas" else "arrow"
    return "records"

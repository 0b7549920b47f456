"""Frames in and out: which kind of data was given, how it crosses to the engine, and how a
result goes back as the same kind.

Tables cross as Arrow through the C stream interface (``__arrow_c_stream__``): a pyarrow
Table or a polars DataFrame as it is, a pandas DataFrame through ``pyarrow.Table.from_pandas``.
No Python object is made per row. A list of dicts crosses as it is, and comes back as a list
of dicts.

Money comes back exact: a ``decimal128(18, 2)`` column in Arrow and polars, an Arrow-backed
decimal column (``pd.ArrowDtype(pa.decimal128(18, 2))``) in pandas, ``decimal.Decimal`` in
dicts; or as fen or floats when asked (``_money``).

A result's text columns are categorical in their natural order (statuses approved, rejected,
invalid; programs in ruleset order; catalogue versions and months by time): pandas ordered
``Categorical``; polars ``Enum`` for the closed sets (statuses, programs, catalogue versions,
levels, reasons: polars' ``Categorical`` sorts by text) and ``Categorical`` for months (whose
text order is time order, and whose set is open: monthly results concatenate).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Literal, Optional, Tuple

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


#: What each kind of input may be, for the message of an ``InputTypeError``.
EXPECTED = "a pandas or polars DataFrame, a pyarrow Table, an object with __arrow_c_stream__, or a list of dicts"


def unsupported(what: str, data: Any, hint: str = "") -> Exception:
    """The ``InputTypeError`` (a ``ClaimError`` and a ``TypeError``, code ``unsupported_input``)
    for ``data`` of a kind that is not read as ``what``."""
    kind = type(data)
    name = "None" if data is None else f"{kind.__module__}.{kind.__qualname__}".replace("builtins.", "")
    return _native.input_error(what, "unsupported_input", "", f"expected {EXPECTED}; got {name}{hint}")


def check(what: str, data: Any) -> None:
    """Raises ``InputTypeError`` for data that is not a table or rows of ``what``: one column
    (a pandas or polars Series, a pyarrow Array) or a numpy array. ``None`` is no rows."""
    if data is None:
        return
    module, name = _module(data), type(data).__name__
    if module == "numpy":
        raise unsupported(what, data, " (a numpy array has no field names: pandas.DataFrame(array, columns=[...]) gives them)")
    if module == "pandas" and not (hasattr(data, "columns") and hasattr(data, "index")):
        hint = " (a Series is one claim: engine.assess(series); series.to_frame().T is a table of it)" if name == "Series" else ""
        raise unsupported(what, data, hint)
    if module == "polars" and name not in ("DataFrame", "LazyFrame"):
        raise unsupported(what, data, " (a polars Series is one column: give a DataFrame)" if name == "Series" else "")
    if module == "pyarrow" and name not in ("Table", "RecordBatch", "RecordBatchReader"):
        raise unsupported(what, data, " (one column: give a pyarrow Table)" if "Array" in name else "")


def claims_given(data: Any, applications: Any, outcomes: Any = None) -> None:
    """Raises ``InputTypeError`` when there is nothing to assess: no claims (``None``) and no
    applications. An empty list is a batch of no claims."""
    if data is None and applications is None and outcomes is None:
        raise unsupported("claims", data, " (an empty batch is [])")


def read(data: Any, what: str = "claims") -> Tuple[Kind, Any]:
    """The kind of ``data`` and what the engine reads: an object with ``__arrow_c_stream__``,
    a list of mappings, or ``None``. What is returned can be read more than once. Raises
    ``InputTypeError`` for data of another kind (see :func:`check`)."""
    if data is None:
        return "records", None
    check(what, data)
    module = _module(data)
    if module == "pandas" and hasattr(data, "columns") and hasattr(data, "index"):
        if not data.columns.is_unique:
            twice = str(data.columns[data.columns.duplicated()][0])
            raise _native.input_error(what, "repeated_column", twice, f"the column {twice} appears twice")
        pa = _pyarrow()
        if not arrow_safe(data):
            return "pandas", data.to_dict("records")
        try:
            # The index is not a claim field; it is given back on the result.
            return "pandas", from_pandas(data, pa)
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
            categorical = [name for name, dtype in data.schema.items() if dtype == pl.Categorical]
            table = _polars_codes(data, categorical) if categorical else None
            if table is not None:
                return "polars", table
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


#: What pandas infers of a column of Python objects that pyarrow converts, or refuses with an
#: exception. Any other (``mixed`` above all) is read row by row without asking pyarrow: pyarrow
#: crashes the interpreter (a segmentation fault, seen with pyarrow 26) on some of them, such as a
#: ``numpy.datetime64`` followed by a ``numpy.bool_``, a ``numpy.int64`` or a ``numpy.float32``.
ARROW_SAFE = frozenset(
    (
        "string",
        "bytes",
        "empty",
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "date",
        "datetime",
        "time",
        "timedelta",
    )
)


def arrow_safe(frame: Any) -> bool:
    """Whether every column of Python objects of a pandas frame is of one kind pyarrow reads
    safely (``ARROW_SAFE``)."""
    import numpy as np
    from pandas.api.types import infer_dtype

    objects = [i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, np.dtype) and dtype.kind == "O"]
    return all(infer_dtype(frame.iloc[:, i], skipna=True) in ARROW_SAFE for i in objects)


def from_pandas(frame: Any, pa: Any) -> Any:
    """A pandas frame as a pyarrow table, as ``pyarrow.Table.from_pandas(frame,
    preserve_index=False)`` gives it, but a column at a time where that is quicker: numbers as
    they are (a float ``NaN`` is null, as pyarrow has it), a ``category`` column as a dictionary
    straight from its codes, an Arrow-backed column (pandas' ``str``) as its arrays. Other columns
    (Python objects, dates) go through pyarrow together."""
    import numpy as np
    import pandas as pd

    names = list(frame.columns)
    if not names or not all(isinstance(n, str) for n in names) or len(set(names)) < len(names):
        return pa.Table.from_pandas(frame, preserve_index=False)
    columns: Dict[str, Any] = {}
    try:
        for position, (name, dtype) in enumerate(frame.dtypes.items()):
            series = frame.iloc[:, position]
            if isinstance(dtype, np.dtype) and dtype.kind == "f":
                values = series.to_numpy()
                missing = np.isnan(values)
                columns[name] = pa.array(values, mask=missing if missing.any() else None)
            elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
                columns[name] = pa.array(series.to_numpy())
            elif isinstance(dtype, pd.CategoricalDtype):
                codes = series.cat.codes.to_numpy()
                missing = codes < 0
                keys = pa.array(codes, mask=missing if missing.any() else None)
                values = pa.array(dtype.categories, from_pandas=True)
                columns[name] = pa.DictionaryArray.from_arrays(keys, values, safe=False, ordered=bool(dtype.ordered))
            elif hasattr(series.array, "__arrow_array__"):
                columns[name] = pa.array(series.array)
    except (pa.ArrowException, TypeError, ValueError):
        return pa.Table.from_pandas(frame, preserve_index=False)
    rest = [n for n in names if n not in columns]
    if rest:
        table = pa.Table.from_pandas(frame[rest], preserve_index=False)
        columns.update(zip(table.column_names, table.columns))
    return pa.table({n: columns[n] for n in names})


def _polars_codes(frame: Any, names: List[str]) -> Any:
    """A polars frame as a pyarrow table with each of its ``Categorical`` columns ``names`` as a
    dictionary of its physical codes over its categories, as polars holds them: polars' own
    export maps every row (about 15 ms a column of a million rows). ``None`` where this polars
    does not tell its categories (``Categories``, polars 2) or pyarrow is missing."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    columns: Dict[str, Any] = {}
    for name in names:
        categories: Any = getattr(frame.schema[name], "categories", None)
        if not hasattr(categories, "to_series"):
            return None
        # By physical code; a code reserved but not yet given a text (never a row's) is None.
        values = pc.fill_null(categories.to_series().to_arrow(), "")
        codes = frame.get_column(name).to_physical().to_arrow()
        if isinstance(codes, pa.ChunkedArray):
            codes = codes.combine_chunks()
        columns[name] = pa.DictionaryArray.from_arrays(codes, values, safe=False)
    rest = pa.table(frame.drop(names))
    columns.update(zip(rest.column_names, rest.columns))
    return pa.table({name: columns[name] for name in frame.columns})


def _pandas_dtype(pa: Any, pd: Any) -> Callable[[Any], Optional[Any]]:
    arrow_dtype = getattr(pd, "ArrowDtype", None)

    def mapper(t: Any) -> Optional[Any]:
        if arrow_dtype is not None and pa.types.is_decimal(t):
            return arrow_dtype(t)
        return None  # pandas' default (Decimal objects for decimals on pandas < 2)

    return mapper


def to_pandas(table: Any, pa: Any, pd: Any) -> Any:
    """A pyarrow table as pandas, as ``table.to_pandas`` gives it (decimals Arrow-backed), but a
    column at a time: a dictionary column becomes a ``Categorical`` straight from its codes, and
    no block of like columns is consolidated (a result's eight text columns would be copied
    into one). About a fifth of pyarrow's time on a result of a million rows."""
    if getattr(pd, "ArrowDtype", None) is None or table.num_rows == 0:
        return table.to_pandas(types_mapper=_pandas_dtype(pa, pd))
    import numpy as np

    columns = {}
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        chunks = column.chunks
        if (
            pa.types.is_dictionary(kind)
            and pa.types.is_signed_integer(kind.index_type)
            and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type))
            and chunks
            and len(chunks[0].dictionary) > 0
            and chunks[0].dictionary.null_count == 0
            and all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:])
        ):
            # A null is the code -1 (pandas' missing category).
            codes: Any = [c.indices.fill_null(-1) if c.null_count else c.indices for c in chunks]
            codes = np.concatenate([c.to_numpy() for c in codes]) if len(codes) > 1 else codes[0].to_numpy()
            # A few texts: as pandas infers their type (pyarrow's conversion is a fixed cost).
            categories = pd.Index(chunks[0].dictionary.to_pylist())
            columns[name] = pd.Categorical.from_codes(codes, categories=categories, ordered=kind.ordered)
        elif pa.types.is_decimal(kind):
            columns[name] = pd.array(column, dtype=pd.ArrowDtype(kind))
        elif pa.types.is_integer(kind) and column.null_count:
            # Money as fen with a missing amount: pandas' nullable integers, not floats.
            columns[name] = pd.array(column.to_pandas(types_mapper={kind: pd.Int64Dtype()}.get), dtype="Int64")
        else:
            if pa.types.is_dictionary(kind) and pa.types.is_unsigned_integer(kind.index_type):
                # pyarrow before 22 converts no unsigned keys to pandas: signed ones, the same categories.
                column = column.cast(pa.dictionary(pa.int64(), kind.value_type, kind.ordered))
            columns[name] = column.to_pandas()
    return pd.DataFrame(columns, copy=False)


#: The stream without its text columns of one value; each such column's name, value and (for a
#: polars ``Enum``) categories; every column's name in order.
Apart = Tuple[Any, List[Tuple[str, Optional[str], Optional[List[str]]]], List[str]]


def write(
    stream_of: Callable[[bool], Any],
    records: Callable[[], List[dict]],
    kind: Kind,
    index: Any = None,
    apart: Optional[Callable[[], Apart]] = None,
) -> Any:
    """A result as ``kind``: from the Arrow stream ``stream_of(view)`` for frames (text as
    ``utf8_view`` for polars, which holds it as it is; ``utf8`` for pyarrow and pandas), from
    ``records()`` for dicts. A pandas result takes the input's ``index`` when given. For polars,
    ``apart()`` may give the stream without its text columns of one value, with those values and
    every column's name in order: polars makes such a column at once as a categorical literal,
    where it reads a dictionary column a row at a time."""
    if kind == "records":
        return records()
    if kind == "polars":
        return _to_polars(*(apart() if apart is not None else (stream_of(True), [], [])))
    pa = _pyarrow()
    table = pa.table(stream_of(False))
    if kind == "arrow":
        return table
    import pandas as pd

    frame = to_pandas(table, pa, pd)
    if index is not None and len(index) == len(frame):
        frame.index = index
    return frame


def _to_polars(stream: Any, constants: List[Tuple[str, Optional[str], Optional[List[str]]]], names: List[str]) -> Any:
    """A result stream as a polars frame, with its columns of one value made as literals (an
    ``Enum`` of the categories given, else a ``Categorical``) in their places. polars reads a
    dictionary column marked as an ``Enum`` (polars' own field metadata) as one."""
    import polars as pl

    frame: Any
    try:
        frame = pl.DataFrame(stream)
    except (TypeError, ValueError):  # pragma: no cover - older polars without the protocol
        frame = pl.from_arrow(_pyarrow().table(stream))
    if constants:
        frame = frame.with_columns(
            [
                pl.lit(value, dtype=pl.Enum(categories) if categories else pl.Categorical).alias(name)
                for name, value, categories in constants
            ]
        ).select(names)
    return frame


def carry(result: Any, kind: Kind, source: Any, names: List[str]) -> Any:
    """A claims result (of ``kind``) with the columns ``names`` of its input ``source`` after
    ``claim_id``, row for row (the result has the input's rows in order)."""
    if kind == "pandas":
        for i, name in enumerate(names):
            result.insert(1 + i, name, source[name].array)
        return result
    if kind == "polars":
        import polars as pl

        return pl.concat([result.select("claim_id"), source.select(names), result.drop("claim_id")], how="horizontal")
    if kind == "arrow":
        for i, name in enumerate(names):
            result = result.add_column(1 + i, source.schema.field(name), source.column(name))
        return result
    out = []
    for row, given in zip(result, source):
        record = {"claim_id": row["claim_id"], **{n: given.get(n) if hasattr(given, "get") else None for n in names}}
        record.update((k, v) for k, v in row.items() if k != "claim_id")
        out.append(record)
    return out


#: A key's values in their natural order, their labels (the values, or their Chinese names), whether
#: that order is natural, and the field metadata that makes polars read it as an ``Enum``
#: (``None``: a ``Categorical``).
Categories = Tuple[List[str], List[str], bool, Optional[Dict[str, str]]]


def keyed_table(rows: List[Dict[str, Any]], types: Dict[str, Any], keys: Dict[str, Callable[[List[str]], Categories]]) -> Any:
    """Small rows (a what-if's differences) as a pyarrow table of these column types, each key
    column categorical in its natural order (``keys[name](values present)``) and the rows sorted
    by the keys, as a report's tables are."""
    pa = _pyarrow()
    orders = {name: categories([r[name] for r in rows if r[name] is not None]) for name, categories in keys.items()}
    position = {name: {v: i for i, v in enumerate(order[0])} for name, order in orders.items()}
    last = 1 << 30
    rows = sorted(rows, key=lambda r: tuple(position[k].get(r[k], last) if r[k] is not None else last for k in keys))
    fields, arrays = [], []
    for name, kind in types.items():
        if name in orders:
            _, labels, ordered, metadata = orders[name]
            codes = pa.array([position[name].get(r[name]) for r in rows], pa.int32())
            array = pa.DictionaryArray.from_arrays(codes, pa.array(labels, pa.string()), ordered=ordered)
            fields.append(pa.field(name, array.type, metadata=metadata))
        else:
            array = pa.array([r[name] for r in rows], kind)
            fields.append(pa.field(name, kind))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


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

"""What :mod:`skill_subsidy.dask` and :mod:`skill_subsidy.spark` share (SPEC §11): the engine
shipped to workers as bytes and compiled once per worker process, the bucket of each person,
the work of one partition in pass 1 and pass 3, the closing pass in two small rounds, and the
checks that keep a split batch equal to the single run — or stop it with a clear error.

A batch is split by person: the bucket of a person is the CRC-32 of the trimmed ``person_id``
modulo the number of buckets (``skill_subsidy._native.person_buckets``; zlib, Java and Spark SQL
compute the same CRC-32). Claims, history and applications of a bucket go to one partition;
apprenticeships' outcomes (a few thousand a year) go to every partition, which looks up its own.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import _frames, _native
from ._engine import Engine, Overrides
from ._report import Report

#: The assessment records a cluster run gives, in this order: the CSV record's columns, with the
#: amount exact (SPEC §7.3). Text columns are plain strings, as Parquet, Spark and Dask hold them.
RECORD_COLUMNS: Tuple[str, ...] = (
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
)


@dataclass
class Assessed:
    """A cluster run's result."""

    #: One record per claim (:data:`RECORD_COLUMNS`; ``amount`` exact, ``decimal128(18, 2)``): a
    #: dask DataFrame (Arrow-backed decimals) or a Spark DataFrame (``decimal(18,2)``).
    assessments: Any
    #: The merged report: the single run's, to the fen.
    report: Report
    #: Where each account closed (pass 2), for the record.
    closings: Any
    #: Whether the claims were shuffled by person (Spark always groups them by bucket).
    shuffled: bool


def is_path(data: Any) -> bool:
    """Whether ``data`` names Parquet files (a path, or a list of paths) rather than holds rows."""
    if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
        return True
    return isinstance(data, (list, tuple)) and bool(data) and all(isinstance(d, str) or hasattr(d, "__fspath__") for d in data)


def pyarrow() -> Any:
    return _frames._pyarrow()


def record_schema() -> Any:
    """The records' Arrow schema: text as ``string``, ``amount`` as ``decimal128(18, 2)``."""
    pa = pyarrow()
    return pa.schema([(name, pa.decimal128(18, 2) if name == "amount" else pa.string()) for name in RECORD_COLUMNS])


def resolve_engine(engine: Optional[Engine], overrides: Optional[Overrides]) -> Engine:
    """The engine to ship: ``engine`` (default: the embedded Wuxi 2021 rules) with ``overrides``."""
    engine = engine if engine is not None else Engine()
    return engine.with_overrides(overrides) if overrides else engine


def engine_bytes(engine: Engine) -> bytes:
    """The engine as the workers receive it: the version of skill-subsidy, the ruleset and the
    overrides (``Engine`` pickles as these bytes too)."""
    return bytes(engine._native.to_bytes())


_compiled: Dict[str, Engine] = {}
_compiled_lock = threading.Lock()


def engine_from(data: bytes) -> Engine:
    """The engine of ``data``, compiled once per worker process and kept (keyed by a digest of
    the bytes). Raises ``ScaleOutError`` (``engine_version_mismatch``) when the client runs
    another version of skill-subsidy than this worker."""
    key = hashlib.sha256(data).hexdigest()
    with _compiled_lock:
        engine = _compiled.get(key)
        if engine is None:
            engine = Engine._wrap(_native.Engine.from_bytes(data))
            _compiled[key] = engine
        return engine


def scale_out_error(code: str, message: str) -> Exception:
    """A ``ScaleOutError`` with a stable code (``columns_differ``, ``not_partitioned_by_person``,
    ``engine_version_mismatch``)."""
    return _native.scale_out_error(code, message)


def buckets_of(table: Any, buckets: int, column: str = "person_id") -> Any:
    """Each row's bucket (``0..buckets``) as a numpy ``uint32`` array."""
    stream = _native.person_buckets(table, buckets, column)
    return pyarrow().table(stream).column(0).to_numpy()


def arrow(data: Any) -> Any:
    """A partition as a pyarrow table (pandas through ``_frames.from_pandas``); ``None`` stays."""
    if data is None:
        return None
    pa = pyarrow()
    if isinstance(data, pa.Table):
        return data
    if _frames._module(data) == "pandas":
        return _frames.from_pandas(data, pa)
    return pa.table(data)


def check_columns(what: str, where: str, expected: Sequence[str], found: Sequence[str]) -> None:
    """Raises ``ScaleOutError`` (``columns_differ``) when a partition's columns are not the
    others' — a file of another export, a frame built by hand: never assessed as if they were."""
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"extra {', '.join(extra)}"] if extra else [])
        raise scale_out_error("columns_differ", f"{what}: {where} has other columns than the rest ({'; '.join(parts)})")


def require_person_id(what: str, columns: Sequence[str]) -> None:
    """Raises ``ClaimError`` (``missing_column``) when ``person_id`` is not a column: the batch
    cannot be split by person."""
    if "person_id" not in columns:
        message = f"the {what} have no person_id column: they cannot be split by person"
        raise _native.input_error(what, "missing_column", "person_id", message)


def first_pass(engine: Engine, claims: Any, history: Any, applications: Any, outcomes: Any) -> Any:
    """Pass 1 of one partition: what it brings to the accounts (a ``BudgetInput``)."""
    return engine.budget_input(claims, history, applications=applications, outcomes=outcomes)


def last_pass(engine: Engine, claims: Any, history: Any, applications: Any, outcomes: Any, closings: Any) -> Tuple[Any, bytes]:
    """Pass 3 of one partition: its records (a pyarrow table of :func:`record_schema`) and its
    report as bytes."""
    claims = arrow(claims) if claims is not None else record_schema().empty_table().select(["claim_id"])
    result = engine.run(claims, history, applications=applications, outcomes=outcomes, closings=closings)
    table = result.assessments if len(result) else record_schema().empty_table()
    return plain_records(table), bytes(result.report._native.to_bytes())


def plain_records(table: Any) -> Any:
    """A result table with its dictionary-encoded text as plain strings, in the record schema."""
    schema = record_schema()
    return pyarrow().table([table.column(name).cast(schema.field(name).type) for name in RECORD_COLUMNS], schema=schema)


def merge_reports(engine: Engine, reports: Iterable[bytes]) -> Report:
    """The partitions' reports merged (SPEC §11: associative and commutative), from their bytes;
    tables of it come as pandas when installed (``Report.to_frame``)."""
    merged = engine.report([])._native
    for data in reports:
        merged = merged.merge(_native.Report.from_bytes(data, engine._native))
    return Report(merged, "records")


def closings(engine: Engine, day_totals: List[Any], around: Any) -> Any:
    """Pass 2 on the client: from every partition's ``day_totals()``, then, only when an account
    closes, from ``around(rough)`` (every partition's ``BudgetInput.around(rough)``)."""
    return engine._native.closings_in_rounds(day_totals, around)


def bucket_layout(bucket_sets: Sequence[Any], buckets: int) -> Tuple[Optional[List[int]], str]:
    """Whether partitions hold whole buckets: when no bucket is found in two partitions, the
    partition of each bucket (buckets no partition holds go to the emptiest partitions, so
    that their history and applications are assessed too) and ``""``; otherwise ``None`` and
    which partitions share a bucket."""
    owner: Dict[int, int] = {}
    for part, found in enumerate(bucket_sets):
        for b in found.tolist():
            if b in owner and owner[b] != part:
                return None, f"partitions {owner[b]} and {part} both hold persons of bucket {b} of {buckets}"
            owner[b] = part
    load = [0] * len(bucket_sets)
    for part in owner.values():
        load[part] += 1
    layout = []
    for b in range(buckets):
        if b not in owner:
            owner[b] = min(range(len(load)), key=lambda p: (load[p], p))
            load[owner[b]] += 1
        layout.append(owner[b])
    return layout, ""


def parquet_files(path: Any, what: str = "claims") -> List[str]:
    """The Parquet files of a path (a file, a folder of files, a list of either), sorted, with
    every file's columns checked against the first's (``columns_differ``: the footers are read,
    not the data)."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    paths = [path] if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__") else list(path)
    files: List[str] = []
    for p in paths:
        files.extend(sorted(ds.dataset(p, format="parquet").files))
    if not files:
        raise _native.input_error(what, "bad_input", "", f"no Parquet files at {paths}")
    first = pq.read_schema(files[0]).names
    for f in files[1:]:
        check_columns(what, f"the file {f}", first, pq.read_schema(f).names)
    return files

"""A province's claims on a Dask cluster (SPEC §11): the same records and report as one process,
to the fen.

>>> from distributed import Client                                   # doctest: +SKIP
>>> import skill_subsidy.dask
>>> client = Client(n_workers=2)                                      # doctest: +SKIP
>>> result = skill_subsidy.dask.assess("claims/", history="history/")  # doctest: +SKIP
>>> result.report.approved_amount, result.assessments.head()         # doctest: +SKIP

How it runs, on the client's cluster (``distributed.get_client()`` unless ``client=`` is given):

- **Partitions by person.** Claims, history and applications are split by the bucket of each
  person (the CRC-32 of the trimmed ``person_id`` modulo the number of partitions). Input whose
  partitions already hold whole buckets — a Parquet data set written by
  ``subsidy demo-data --parts K``, or any written the same way — is used as it is: one light
  pass reads only ``person_id`` to see that no bucket is in two partitions. Anything else is
  shuffled by bucket (``partitioned=True`` refuses it instead). Apprenticeships' outcomes go to
  every partition.
- **Pass 1** on the workers: each partition's claims checked as if every account were unlimited.
- **Pass 2** on the client, in two small rounds: each partition's totals by account and day,
  then, only when an account closes, the claims of the closing day.
- **Pass 3** on the workers: the partitions decided with the accounts' closing points; their
  records (written as Parquet to ``out`` when given) and their reports, merged on the client.

The engine (ruleset and overrides) ships to every worker once, as bytes; each worker process
compiles it once. A worker that dies is replaced and its tasks run again: every partition's
report is one task's result, so nothing is counted twice.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, List, Optional, Sequence

from . import _cluster
from ._cluster import Assessed, is_path
from ._engine import Engine, Overrides

__all__ = ["Assessed", "assess"]


def assess(
    claims: Any,
    history: Any = None,
    applications: Any = None,
    outcomes: Any = None,
    engine: Optional[Engine] = None,
    overrides: Optional[Overrides] = None,
    *,
    out: Optional[str] = None,
    partitioned: Optional[bool] = None,
    npartitions: Optional[int] = None,
    client: Any = None,
) -> Assessed:
    """Assesses a batch split across a Dask cluster, equal to ``Engine.run`` on the whole.

    ``claims``, ``history``, ``applications``: dask DataFrames, pandas frames or pyarrow tables,
    or Parquet paths (a file, a folder, a list); ``outcomes``: any of those (it is small).
    ``engine`` (default: Wuxi 2021) with ``overrides``. ``out``: a folder to write the records
    to as Parquet (one file per partition, written by the workers; the result then reads them
    from there); without it the records stay in the workers' memory. ``partitioned``: ``None``
    to use the claims as they are when they hold whole buckets of persons and shuffle them
    otherwise, ``True`` to refuse (``ScaleOutError``) rather than shuffle, ``False`` to shuffle.
    ``npartitions``: buckets of persons (default: the claims' partitions).

    Raises ``ClaimError`` (``missing_column``) without a ``person_id`` column and
    ``ScaleOutError`` for partitions whose columns differ (``columns_differ``), claims not
    partitioned by person when ``partitioned=True`` (``not_partitioned_by_person``), or a
    worker that runs another version of skill-subsidy (``engine_version_mismatch``).
    """
    import dask
    import distributed

    client = client if client is not None else distributed.get_client()
    engine = _cluster.resolve_engine(engine, overrides)
    run = uuid.uuid4().hex[:8]
    # The engine's bytes are one key of the graph: each worker fetches them once and compiles
    # them once (engine_from). Not scattered: scattered data dies with its worker, a key of the
    # graph is sent again.
    shipped = dask.delayed(_cluster.engine_bytes(engine), name=f"skill-subsidy-engine-{run}")

    source = _Source.of(claims, "claims")
    _cluster.require_person_id("claims", source.columns)
    buckets = npartitions or source.npartitions or 2 * max(1, len(client.scheduler_info()["workers"]))
    layout, why = None, "the claims are one table in memory"
    if source.table is None and partitioned is not False and buckets == source.npartitions:
        layout, why = _cluster.bucket_layout(source.bucket_sets(client, buckets), buckets)
    if layout is None and partitioned:
        raise _cluster.scale_out_error(
            "not_partitioned_by_person",
            f"the claims are not partitioned by person: {why} (the bucket of a person is the CRC-32 of the trimmed "
            f"person_id modulo {buckets}); leave partitioned unset to have them shuffled by person",
        )
    shuffled = layout is None
    if layout is None:
        layout = list(range(buckets))
        claim_parts = source.placed(client, layout, buckets, run)
    else:
        claim_parts = source.parts()
    history_parts = _place(client, history, "history", layout, buckets, run)
    app_parts = _place(client, applications, "applications", layout, buckets, run)
    outcomes_f = _outcomes(outcomes, run)
    columns = source.columns if source.frame is not None and not shuffled else None

    parts = range(buckets)
    inputs = [(claim_parts[i], history_parts[i], app_parts[i]) for i in parts]
    key = lambda step, i: f"skill-subsidy-{step}-{run}-{i}"  # noqa: E731
    first = client.compute(
        [dask.delayed(_first_pass)(shipped, *inputs[i], outcomes_f, columns, i, dask_key_name=key("pass1", i)) for i in parts]
    )
    totals = client.gather(client.map(_day_totals, first, key=[key("days", i) for i in parts]))

    def around(rough: Any) -> List[Any]:
        return client.gather(client.map(_around, first, rough=rough, key=[key("around", i) for i in parts]))

    closings = _cluster.closings(engine, totals, around)
    first.clear()  # pass 1's inputs leave the workers' memory
    last = client.compute(
        [dask.delayed(_last_pass)(shipped, *inputs[i], outcomes_f, closings, out, i, dask_key_name=key("pass3", i)) for i in parts]
    )
    report = _cluster.merge_reports(engine, client.gather(client.map(_second, last, key=[key("report", i) for i in parts])))
    if out is not None:
        import dask.dataframe as dd

        del last
        assessments = dd.from_map(_read_records, [_part_path(out, i) for i in parts], meta=_records_meta(), enforce_metadata=False)
    else:
        assessments = _records_frame(last)
    return Assessed(assessments=assessments, report=report, closings=closings, shuffled=shuffled)


class _Source:
    """Claims (or history, applications) as given: Parquet files (read by the workers, a file a
    partition), a dask DataFrame (its partitions), or one table in memory."""

    def __init__(self, what: str, files: Optional[List[str]] = None, frame: Any = None, table: Any = None) -> None:
        self.what = what
        self.files = files
        self.frame = frame
        self.table = table
        if files is not None:
            import pyarrow.parquet as pq

            self.columns = list(pq.read_schema(files[0]).names)
        elif frame is not None:
            self.columns = [str(c) for c in frame.columns]
        else:
            self.columns = list(table.column_names)

    @classmethod
    def of(cls, data: Any, what: str) -> _Source:
        import dask.dataframe as dd

        if is_path(data):
            return cls(what, files=_cluster.parquet_files(data, what))
        if isinstance(data, dd.DataFrame):
            return cls(what, frame=data)
        return cls(what, table=_cluster.arrow(data))

    @property
    def npartitions(self) -> Optional[int]:
        if self.files is not None:
            return len(self.files)
        return int(self.frame.npartitions) if self.frame is not None else None

    def bucket_sets(self, client: Any, buckets: int) -> List[Any]:
        """The buckets of the persons of each partition, reading only ``person_id``."""
        import dask

        if self.files is not None:
            ids = [dask.delayed(_read_parquet)(f, ["person_id"]) for f in self.files]
        else:
            ids = list(self.frame[["person_id"]].to_delayed())
        return client.gather(client.compute([dask.delayed(_bucket_set)(p, buckets) for p in ids]))

    def parts(self) -> List[Any]:
        """The partitions as they are."""
        import dask

        if self.files is not None:
            return [dask.delayed(_read_parquet)(f) for f in self.files]
        return list(self.frame.to_delayed())

    def placed(self, client: Any, layout: List[int], buckets: int, run: str) -> List[Any]:
        """The rows in ``buckets`` partitions, bucket ``b``'s in partition ``layout[b]``: a table
        in memory split here, each part a key of the graph; files and frames shuffled by dask
        (by divisions on the partition number) and persisted, since passes 1 and 3 both read
        them."""
        import dask

        if self.table is not None:
            parts = _split(self.table, layout, buckets)
            return [dask.delayed(part, name=f"skill-subsidy-{self.what}-{run}-{i}") for i, part in enumerate(parts)]
        if self.frame is not None:
            frame = self.frame
        elif self.files is not None:
            frame = _parquet_frame(self.files)
        else:
            raise _cluster.scale_out_error("no_input", f"{self.what}: neither a table, a frame nor files")
        import pandas as pd

        meta = frame._meta.assign(_part=pd.Series([], dtype="int64", index=frame._meta.index))
        tagged = frame.map_partitions(_with_part, layout, buckets, self.what, self.columns, meta=meta)
        routed = tagged.set_index("_part", divisions=list(range(buckets)) + [buckets - 1])
        return list(client.persist(routed).to_delayed())


def _place(client: Any, data: Any, what: str, layout: List[int], buckets: int, run: str) -> List[Any]:
    """History or applications in the claims' partitions: as they are when each of their
    partitions holds only the buckets of the claims' partition of the same number, otherwise
    placed there."""
    if data is None:
        return [None] * buckets
    source = _Source.of(data, what)
    _cluster.require_person_id(what, source.columns)
    if source.npartitions == buckets:
        found = source.bucket_sets(client, buckets)
        if all(layout[b] == part for part, bs in enumerate(found) for b in bs.tolist()):
            return source.parts()
    return source.placed(client, layout, buckets, run)


def _split(table: Any, layout: List[int], buckets: int) -> List[Any]:
    import numpy as np

    part = np.asarray(layout, dtype="int64")[_cluster.buckets_of(table, buckets)]
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(len(layout) + 1))
    ordered = table.take(order)
    return [ordered.slice(bounds[i], bounds[i + 1] - bounds[i]) for i in range(len(layout))]


def _outcomes(data: Any, run: str) -> Any:
    """The apprenticeships' outcomes as one key of the graph, for every partition: read by a
    worker from Parquet, computed from a dask DataFrame, or the table given."""
    import dask

    if data is None:
        return None
    if is_path(data):
        return dask.delayed(_read_tables)(_cluster.parquet_files(data, "outcomes"), dask_key_name=f"skill-subsidy-outcomes-{run}")
    if hasattr(data, "dask"):
        return dask.delayed(_cluster.arrow)(data, dask_key_name=f"skill-subsidy-outcomes-{run}")
    return dask.delayed(_cluster.arrow(data), name=f"skill-subsidy-outcomes-{run}")


def _read_tables(files: List[str]) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa.concat_tables([pq.read_table(f) for f in files])


def _types_mapper() -> Any:
    import pandas as pd

    pa = _cluster.pyarrow()
    return lambda t: pd.ArrowDtype(t) if pa.types.is_decimal(t) else None


def _read_parquet(path: str, columns: Optional[Sequence[str]] = None) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=list(columns) if columns else None)


def _read_parquet_pandas(path: str) -> Any:
    import pandas as pd
    import pyarrow.parquet as pq

    # Arrow-backed columns: they cross to the engine as the arrays they are.
    return pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype)


def _parquet_frame(files: List[str]) -> Any:
    import dask.dataframe as dd

    meta = _read_parquet_pandas(files[0]).iloc[:0]
    return dd.from_map(_read_parquet_pandas, files, meta=meta, enforce_metadata=False)


def _bucket_set(part: Any, buckets: int) -> Any:
    import numpy as np

    return np.unique(_cluster.buckets_of(_cluster.arrow(part), buckets))


def _with_part(frame: Any, layout: List[int], buckets: int, what: str, columns: List[str], partition_info: Any = None) -> Any:
    import numpy as np

    where = f"partition {partition_info['number']}" if partition_info else "a partition"
    _cluster.check_columns(what, where, columns, [str(c) for c in frame.columns])
    parts = np.asarray(layout, dtype="int64")[_cluster.buckets_of(_cluster.arrow(frame), buckets)]
    return frame.assign(_part=parts)


def _first_pass(shipped: bytes, claims: Any, history: Any, applications: Any, outcomes: Any, columns: Any, i: int) -> Any:
    engine = _cluster.engine_from(shipped)
    claims = _cluster.arrow(claims)
    if columns is not None:
        _cluster.check_columns("claims", f"partition {i}", columns, claims.column_names)
    return _cluster.first_pass(engine, claims, _cluster.arrow(history), _cluster.arrow(applications), outcomes)


def _day_totals(budget: Any) -> Any:
    return budget.day_totals()


def _around(budget: Any, rough: Any) -> Any:
    return budget.around(rough)


def _part_path(out: str, i: int) -> str:
    return f"{out.rstrip('/')}/part-{i:05d}.parquet"


def _last_pass(
    shipped: bytes, claims: Any, history: Any, applications: Any, outcomes: Any, closings: Any, out: Optional[str], i: int
) -> Any:
    engine = _cluster.engine_from(shipped)
    records, report = _cluster.last_pass(
        engine, _cluster.arrow(claims), _cluster.arrow(history), _cluster.arrow(applications), outcomes, closings
    )
    if out is None:
        return records, report
    import pyarrow.parquet as pq

    path = _part_path(out, i)
    if "://" in path:
        pq.write_table(records, path)  # an object store writes an object whole or not at all
    else:
        # Written aside and renamed: a worker that dies mid-write leaves no half file, and the
        # task run again replaces the file whole (a hidden name is not part of the data set).
        os.makedirs(out, exist_ok=True)
        aside = os.path.join(out, f".part-{i:05d}.{uuid.uuid4().hex}.tmp")
        pq.write_table(records, aside)
        os.replace(aside, path)
    return None, report


def _second(pair: Any) -> Any:
    return pair[1]


def _records_meta() -> Any:
    return _cluster.record_schema().empty_table().to_pandas(types_mapper=_types_mapper())


def _to_pandas(pair: Any) -> Any:
    return pair[0].to_pandas(types_mapper=_types_mapper())


def _read_records(path: str) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas(types_mapper=_types_mapper())


def _records_frame(last: List[Any]) -> Any:
    import dask
    import dask.dataframe as dd

    return dd.from_delayed([dask.delayed(_to_pandas)(f) for f in last], meta=_records_meta(), verify_meta=False)

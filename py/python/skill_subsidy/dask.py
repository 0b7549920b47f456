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
    # The engine's bytes go to every worker once; each compiles them once (engine_from).
    shipped = client.scatter(_cluster.engine_bytes(engine), broadcast=True, hash=False)

    source = _Source.of(claims, "claims")
    _cluster.require_person_id("claims", source.columns)
    buckets = npartitions or source.npartitions
    layout, why = None, "the claims are shuffled by person"
    if partitioned is not False and buckets == source.npartitions:
        found = client.gather(client.compute([dask.delayed(_bucket_set)(p, buckets) for p in source.person_ids()]))
        layout, why = _cluster.bucket_layout(found, buckets)
    if layout is None and partitioned:
        raise _cluster.scale_out_error(
            "not_partitioned_by_person",
            f"the claims are not partitioned by person: {why} (the bucket of a person is the CRC-32 of the trimmed "
            f"person_id modulo {buckets}); leave partitioned unset to have them shuffled by person",
        )
    shuffled = layout is None
    if shuffled:
        layout = list(range(buckets))
        claim_parts = _route(client, source.frame(), layout, buckets)
    else:
        claim_parts = source.parts()
    history_parts = _routed_or_none(client, history, "history", layout, buckets)
    app_parts = _routed_or_none(client, applications, "applications", layout, buckets)
    outcome_table = None if outcomes is None else _cluster.arrow(_compute(outcomes))
    outcomes_f = client.scatter(outcome_table, broadcast=True, hash=False) if outcome_table is not None else None
    columns = source.columns if source.check_columns else None

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
    report = _cluster.merge_reports(client.gather(client.map(_second, last, key=[key("report", i) for i in parts])))
    if out is not None:
        import dask.dataframe as dd

        del last
        assessments = dd.from_map(_read_records, [_part_path(out, i) for i in parts], meta=_records_meta(), enforce_metadata=False)
    else:
        assessments = _records_frame(last)
    return Assessed(assessments=assessments, report=report, closings=closings, shuffled=shuffled)


class _Source:
    """The claims as given: Parquet files (read by the workers, a file a partition) or a dask
    DataFrame (its partitions)."""

    def __init__(self, files: Optional[List[str]], frame: Any, columns: List[str]) -> None:
        self.files = files
        self._frame = frame
        self.columns = columns
        # Files were checked from their footers; a frame's partitions are checked in pass 1.
        self.check_columns = files is None

    @classmethod
    def of(cls, data: Any, what: str) -> _Source:
        if is_path(data):
            import pyarrow.parquet as pq

            files = _cluster.parquet_files(data)
            return cls(files, None, list(pq.read_schema(files[0]).names))
        frame = _dask_frame(data)
        return cls(None, frame, [str(c) for c in frame.columns])

    @property
    def npartitions(self) -> int:
        return len(self.files) if self.files is not None else int(self._frame.npartitions)

    def person_ids(self) -> List[Any]:
        import dask

        if self.files is not None:
            return [dask.delayed(_read_parquet)(f, ["person_id"]) for f in self.files]
        return list(self._frame[["person_id"]].to_delayed())

    def parts(self) -> List[Any]:
        import dask

        if self.files is not None:
            return [dask.delayed(_read_parquet)(f) for f in self.files]
        return list(self._frame.to_delayed())

    def frame(self) -> Any:
        if self.files is not None:
            return _parquet_frame(self.files)
        return self._frame


def _dask_frame(data: Any) -> Any:
    import dask.dataframe as dd

    if isinstance(data, dd.DataFrame):
        return data
    pa = _cluster.pyarrow()
    if isinstance(data, pa.Table):
        data = data.to_pandas(types_mapper=_types_mapper())
    return dd.from_pandas(data, npartitions=max(1, min(8, len(data) // 50_000 + 1)))


def _compute(data: Any) -> Any:
    if is_path(data):
        import pyarrow.parquet as pq

        return pq.read_table(data)
    return data.compute() if hasattr(data, "dask") else data


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


def _with_part(frame: Any, layout: List[int], buckets: int) -> Any:
    import numpy as np

    parts = np.asarray(layout, dtype="int64")[_cluster.buckets_of(_cluster.arrow(frame), buckets)]
    return frame.assign(_part=parts)


def _route(client: Any, frame: Any, layout: List[int], buckets: int) -> List[Any]:
    """The rows of ``frame`` in ``buckets`` partitions, bucket ``b``'s in partition
    ``layout[b]``: a shuffle (dask's, by divisions on the partition number), persisted, since
    passes 1 and 3 both read it."""
    import pandas as pd

    meta = frame._meta.assign(_part=pd.Series([], dtype="int64", index=frame._meta.index))
    tagged = frame.map_partitions(_with_part, layout, buckets, meta=meta)
    routed = tagged.set_index("_part", divisions=list(range(buckets)) + [buckets - 1])
    return list(client.persist(routed).to_delayed())


def _routed_or_none(client: Any, data: Any, what: str, layout: List[int], buckets: int) -> List[Any]:
    if data is None:
        return [None] * buckets
    frame = _parquet_frame(_cluster.parquet_files(data)) if is_path(data) else _dask_frame(data)
    _cluster.require_person_id(what, [str(c) for c in frame.columns])
    return _route(client, frame, layout, buckets)


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

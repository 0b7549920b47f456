"""A province's claims on Spark (SPEC §11): the same records and report as one process, to the
fen, through Arrow batches (``groupBy(...).applyInArrow``, ``mapInArrow``): no Python object per
row.

>>> from pyspark.sql import SparkSession                              # doctest: +SKIP
>>> import skill_subsidy.spark
>>> spark = SparkSession.builder.getOrCreate()                        # doctest: +SKIP
>>> result = skill_subsidy.spark.assess(spark.read.parquet("claims/"))  # doctest: +SKIP
>>> result.report.approved_amount, result.assessments.show()         # doctest: +SKIP

How it runs:

- **Partitions by person.** Each row of the claims, history and applications gets the bucket of
  its person, computed by Spark SQL itself: ``crc32`` of the trimmed ``person_id`` modulo
  ``buckets``, the CRC-32 that skill-subsidy uses everywhere. The three are put in one frame (a
  struct column each), repartitioned by bucket once and kept (``persist``) for passes 1 and 3.
  Each group checks that skill-subsidy gives its rows the same bucket: a person can never be in
  two groups unnoticed. Apprenticeships' outcomes (few) are broadcast to every group.
- **Pass 1** (``groupBy("_bucket").applyInArrow``): each bucket checked as if every account
  were unlimited; one row per bucket with what it brings to the accounts.
- **Pass 2** on the driver, in two small rounds over those rows (``mapInArrow``): totals by
  account and day, then, only when an account closes, the claims of the closing day.
- **Pass 3** (``groupBy("_bucket").applyInArrow``): each bucket decided with the accounts'
  closing points; its records and one row with its report, merged on the driver.

The engine (ruleset and overrides) is broadcast once; each Python worker compiles it once. A
task run again replaces its output, so a report is never counted twice (no accumulators).
"""

from __future__ import annotations

from typing import Any, List, Optional

from . import _cluster, _native
from ._cluster import Assessed, is_path
from ._engine import Engine, Overrides

__all__ = ["Assessed", "assess"]

#: Unicode whitespace at either end, as Rust's ``str::trim`` (and so the engine) removes it.
_TRIM = r"^\p{IsWhite_Space}+|\p{IsWhite_Space}+$"


def assess(
    claims: Any,
    history: Any = None,
    applications: Any = None,
    outcomes: Any = None,
    engine: Optional[Engine] = None,
    overrides: Optional[Overrides] = None,
    *,
    out: Optional[str] = None,
    buckets: Optional[int] = None,
    spark: Any = None,
) -> Assessed:
    """Assesses a batch on Spark, equal to ``Engine.run`` on the whole.

    ``claims``, ``history``, ``applications``, ``outcomes``: Spark DataFrames, pandas frames or
    pyarrow tables, or Parquet paths (a file, a folder, a list). ``engine`` (default: Wuxi 2021)
    with ``overrides``. ``out``: a folder to write the records to as Parquet (the result then
    reads them from there); without it they stay cached in the executors. ``buckets``: groups
    of persons (default: ``spark.sql.shuffle.partitions``). ``spark``: the session (default:
    the active one).

    Raises ``ClaimError`` (``missing_column``) without a ``person_id`` column and
    ``ScaleOutError`` for Parquet files whose columns differ (``columns_differ``) or workers
    that run another version of skill-subsidy (``engine_version_mismatch``).
    """
    from pyspark import StorageLevel
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    spark = spark if spark is not None else SparkSession.builder.getOrCreate()
    engine = _cluster.resolve_engine(engine, overrides)
    buckets = buckets or int(spark.conf.get("spark.sql.shuffle.partitions"))
    shipped = spark.sparkContext.broadcast(_cluster.engine_bytes(engine))

    inputs = [("claim", _frame(spark, claims, "claims"))]
    for name, data in (("history", history), ("application", applications)):
        if data is not None:
            inputs.append((name, _frame(spark, data, "history" if name == "history" else "applications")))
    parts = [
        frame.select(_bucket(F, buckets).alias("_bucket"), F.struct(*[F.col(f"`{c}`") for c in frame.columns]).alias(name))
        for name, frame in inputs
    ]
    tagged = parts[0]
    for part in parts[1:]:
        tagged = tagged.unionByName(part, allowMissingColumns=True)
    # Shuffled by bucket once and kept: both passes group by it without another exchange.
    grouped = tagged.repartition(buckets, "_bucket").persist(StorageLevel.MEMORY_AND_DISK)
    outcomes_bc = spark.sparkContext.broadcast(_ipc(_outcomes(spark, outcomes))) if outcomes is not None else None
    large = spark.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false").lower() == "true"

    try:
        first = (
            grouped.groupBy("_bucket")
            .applyInArrow(_first_pass(shipped, outcomes_bc, buckets), "bucket long, days binary, input binary")
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        totals = [_native.BudgetInput.from_bytes(bytes(r["days"])) for r in first.select("days").collect()]

        def around(rough: Any) -> List[Any]:
            rows = first.select("input").mapInArrow(_around(bytes(rough.to_bytes())), "input binary").collect()
            return [_native.BudgetInput.from_bytes(bytes(r["input"])) for r in rows]

        closings = _cluster.closings(engine, totals, around)
        first.unpersist()

        schema = ", ".join(f"{n} {'decimal(18,2)' if n == 'amount' else 'string'}" for n in _cluster.RECORD_COLUMNS) + ", report binary"
        last = (
            grouped.groupBy("_bucket")
            .applyInArrow(_last_pass(shipped, outcomes_bc, buckets, bytes(closings.to_bytes()), large), schema)
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        reports = [bytes(r["report"]) for r in last.where(F.col("report").isNotNull()).select("report").collect()]
        report = _cluster.merge_reports(engine, reports)
        assessments = last.where(F.col("report").isNull()).drop("report")
        if out is not None:
            assessments.write.parquet(out)
            last.unpersist()
            assessments = spark.read.parquet(out)
    finally:
        grouped.unpersist()
    return Assessed(assessments=assessments, report=report, closings=closings, shuffled=True)


def _bucket(F: Any, buckets: int) -> Any:
    """The bucket of ``person_id`` in Spark SQL: ``crc32`` of the trimmed text modulo
    ``buckets``; no id is bucket 0 (as ``skill_subsidy._native.person_buckets``)."""
    trimmed = F.regexp_replace(F.col("person_id").cast("string"), _TRIM, "")
    return F.coalesce(F.pmod(F.crc32(trimmed), F.lit(buckets)), F.lit(0)).cast("long")


def _frame(spark: Any, data: Any, what: str) -> Any:
    """``data`` as a Spark DataFrame with a ``person_id`` column."""
    from pyspark.sql import DataFrame

    if isinstance(data, DataFrame):
        frame = data
    elif is_path(data):
        frame = spark.read.parquet(*_cluster.parquet_files(data))
    else:
        frame = spark.createDataFrame(_cluster.arrow(data))
    _cluster.require_person_id(what, frame.columns)
    return frame


def _outcomes(spark: Any, data: Any) -> Any:
    from pyspark.sql import DataFrame

    if isinstance(data, DataFrame):
        return data.toArrow()
    if is_path(data):
        import pyarrow.parquet as pq

        return pq.read_table(data)
    return _cluster.arrow(data)


def _ipc(table: Any) -> bytes:
    pa = _cluster.pyarrow()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> Any:
    return _cluster.pyarrow().ipc.open_stream(data).read_all()


def _part(table: Any, name: str, key: int, buckets: int) -> Any:
    """The rows of one input (a struct column) of a group, as a table; checked to be of the
    group's bucket as skill-subsidy computes it."""
    pa = _cluster.pyarrow()
    if name not in table.column_names:
        return None
    column = table.column(name)
    rows = column.filter(column.is_valid()).combine_chunks()
    if len(rows) == 0:
        return None
    part = pa.Table.from_struct_array(rows)
    found = _cluster.buckets_of(part, buckets)
    if (found != key).any():
        raise _cluster.scale_out_error(
            "not_partitioned_by_person",
            f"Spark put {int((found != key).sum())} {name} rows in bucket {key} that skill-subsidy puts elsewhere "
            f"(a person_id column of type {part.schema.field('person_id').type} reads differently): cast person_id to string",
        )
    return part


def _inputs(table: Any, key: int, buckets: int) -> Any:
    return _part(table, "claim", key, buckets), _part(table, "history", key, buckets), _part(table, "application", key, buckets)


def _first_pass(shipped: Any, outcomes_bc: Any, buckets: int) -> Any:
    def first(key: Any, table: Any) -> Any:
        pa = _cluster.pyarrow()
        bucket = int(key[0].as_py())
        engine = _cluster.engine_from(shipped.value)
        outcomes = _from_ipc(outcomes_bc.value) if outcomes_bc is not None else None
        claims, history, applications = _inputs(table, bucket, buckets)
        budget = _cluster.first_pass(engine, claims, history, applications, outcomes)
        return pa.table(
            {
                "bucket": pa.array([bucket], pa.int64()),
                "days": pa.array([bytes(budget.day_totals().to_bytes())], pa.binary()),
                "input": pa.array([bytes(budget.to_bytes())], pa.binary()),
            }
        )

    return first


def _around(rough: bytes) -> Any:
    def around(batches: Any) -> Any:
        pa = _cluster.pyarrow()
        closings = _native.Closings.from_bytes(rough)
        for batch in batches:
            inputs = [bytes(_native.BudgetInput.from_bytes(b).around(closings).to_bytes()) for b in batch.column(0).to_pylist()]
            yield pa.RecordBatch.from_arrays([pa.array(inputs, pa.binary())], names=["input"])

    return around


def _last_pass(shipped: Any, outcomes_bc: Any, buckets: int, closings: bytes, large: bool) -> Any:
    def last(key: Any, table: Any) -> Any:
        pa = _cluster.pyarrow()
        bucket = int(key[0].as_py())
        engine = _cluster.engine_from(shipped.value)
        outcomes = _from_ipc(outcomes_bc.value) if outcomes_bc is not None else None
        claims, history, applications = _inputs(table, bucket, buckets)
        records, report = _cluster.last_pass(engine, claims, history, applications, outcomes, _native.Closings.from_bytes(closings))
        text = pa.large_string() if large else pa.string()
        schema = pa.schema([(f.name, text if pa.types.is_string(f.type) else f.type) for f in records.schema] + [("report", pa.binary())])
        records = records.append_column("report", pa.nulls(records.num_rows, pa.binary())).cast(schema)
        # One more row: the bucket's report, every record column null.
        report_row = pa.table({f.name: pa.array([report if f.name == "report" else None], f.type) for f in schema}, schema=schema)
        return pa.concat_tables([records, report_row])

    return last

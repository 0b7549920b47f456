"""skill_subsidy.spark on a real Spark (``local[2]``, Debian's Java 17): the demo year's records
and report equal the single process's to the fen — from frames or a Parquet data set, the
account a spending goal or closing in May, records cached or written as Parquet — Spark SQL
puts every person in the bucket skill-subsidy computes, and bad input gives a clear error:
Parquet files whose columns differ, no person_id, a worker of another version."""

from __future__ import annotations

import json
import zlib

import pytest
from scale_out_data import CLOSING, assert_same, single_run, write_by_bucket

import skill_subsidy
from skill_subsidy import ClaimError, ScaleOutError, _cluster

ss = pytest.importorskip("skill_subsidy.spark")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def records_of(result):
    return result.assessments.toArrow().select(list(_cluster.RECORD_COLUMNS)).cast(_cluster.record_schema())


def test_a_year_from_spark_frames_equals_one_process(spark, demo):
    # The account a spending goal: nothing closes (Spark starts slowly; the closing account
    # runs from Parquet below).
    engine = skill_subsidy.Engine()
    claims = spark.createDataFrame(pa.Table.from_pandas(demo["claims"], preserve_index=False))
    history = spark.createDataFrame(pa.Table.from_pandas(demo["history"], preserve_index=False))
    result = ss.assess(claims, history, demo["applications"], demo["outcomes"], engine=engine, spark=spark)
    assert "none" in repr(result.closings)
    assert_same(records_of(result), result.report, single_run(engine, demo))


def test_a_parquet_data_set_in_and_out_with_the_account_closing(spark, demo, tmp_path):
    engine = skill_subsidy.Engine().with_overrides(CLOSING)
    claims = write_by_bucket(tmp_path / "claims", demo["claims"], 3)
    history = write_by_bucket(tmp_path / "history", demo["history"], 3)
    out = tmp_path / "records"
    result = ss.assess(
        str(claims), str(history), demo["applications"], demo["outcomes"], engine=engine, out=str(out), spark=spark, buckets=5
    )
    assert "none" not in repr(result.closings)
    written = pq.read_table(out)
    assert written.schema.field("amount").type == pa.decimal128(18, 2)
    assert_same(written.select(list(_cluster.RECORD_COLUMNS)), result.report, single_run(engine, demo))
    assert_same(records_of(result), result.report, single_run(engine, demo))


def test_spark_sql_and_skill_subsidy_agree_on_every_persons_bucket(spark):
    from pyspark.sql import functions as F

    ids = ["P0000001", "  P0000001\t", "\u3000P7\u2003", "", "   ", None, "身份证320201199001011234", "P\u00a0X", "42"]
    frame = spark.createDataFrame([(i,) for i in ids], "person_id string")
    got = [r["b"] for r in frame.select(ss._bucket(F, 97).alias("b")).collect()]
    want = _cluster.buckets_of(pa.table({"person_id": pa.array(ids, pa.string())}), 97).tolist()
    assert got == want
    # The CRC-32 of the trimmed id, as zlib has it.
    assert want[0] == zlib.crc32(b"P0000001") % 97 == want[1]
    numbers = spark.createDataFrame([(42,), (7,)], "person_id long")
    assert [r["b"] for r in numbers.select(ss._bucket(F, 97).alias("b")).collect()] == [want[-1], zlib.crc32(b"7") % 97]


def test_parquet_files_whose_columns_differ_are_an_error(spark, demo, tmp_path):
    folder = tmp_path / "claims"
    folder.mkdir()
    claims = demo["claims"]
    pq.write_table(pa.Table.from_pandas(claims.iloc[:10000], preserve_index=False), folder / "a.parquet")
    pq.write_table(pa.Table.from_pandas(claims.iloc[10000:].drop(columns=["fee_paid"]), preserve_index=False), folder / "b.parquet")
    with pytest.raises(ScaleOutError) as e:
        ss.assess(str(folder), spark=spark)
    assert e.value.errors[0]["code"] == "columns_differ"
    assert "b.parquet" in str(e.value) and "missing fee_paid" in str(e.value)


def test_without_person_id_the_batch_cannot_be_split(spark, demo):
    frame = spark.createDataFrame(pa.Table.from_pandas(demo["claims"].drop(columns=["person_id"]), preserve_index=False))
    with pytest.raises(ClaimError) as e:
        ss.assess(frame, spark=spark)
    assert e.value.errors[0]["code"] == "missing_column" and e.value.errors[0]["field"] == "person_id"


def test_a_worker_of_another_version_is_refused(spark, demo, monkeypatch):
    shipped = _cluster.engine_bytes

    def from_another_version(engine):
        data = json.loads(shipped(engine))
        data["skill_subsidy"] = "0.0.1"
        return json.dumps(data).encode()

    # Only the driver's bytes change: the Python workers find the difference themselves.
    monkeypatch.setattr(_cluster, "engine_bytes", from_another_version)
    with pytest.raises(Exception) as e:
        ss.assess(demo["claims"].iloc[:500], spark=spark)
    assert "engine_version_mismatch" in str(e.value) and "0.0.1" in str(e.value)

"""skill_subsidy.dask on a real cluster (a ``distributed.LocalCluster`` of two worker
processes): the demo year's records and report equal the single process's to the fen — input
shuffled by person or already partitioned, the account a spending goal or closing in May,
records in memory or written as Parquet — and bad input gives a clear error or the exact
result: partitions whose columns differ, no person_id, a person in two partitions, a worker
killed in the middle of a run, a worker of another version."""

from __future__ import annotations

import json
import os
import signal

import pytest
from scale_out_data import CLOSING, assert_same, single_run, write_by_bucket

import skill_subsidy
from skill_subsidy import ClaimError, ScaleOutError, _cluster

dd = pytest.importorskip("dask.dataframe")
sd = pytest.importorskip("skill_subsidy.dask")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def records_of(result):
    frame = result.assessments.compute()
    return pa.Table.from_pandas(frame, preserve_index=False).select(list(_cluster.RECORD_COLUMNS)).cast(_cluster.record_schema())


@pytest.mark.parametrize("overrides", [None, CLOSING], ids=["goal", "closing"])
def test_a_year_shuffled_by_person_equals_one_process(dask_client, demo, overrides):
    engine = skill_subsidy.Engine().with_overrides(overrides) if overrides else skill_subsidy.Engine()
    # Four partitions in file order: a person's claims are spread over several.
    claims = dd.from_pandas(demo["claims"], npartitions=4, sort=False)
    history = dd.from_pandas(demo["history"], npartitions=3, sort=False)
    result = sd.assess(claims, history, demo["applications"], demo["outcomes"], engine=engine, client=dask_client)
    assert result.shuffled
    assert ("none" in repr(result.closings)) == (overrides is None), result.closings
    assert_same(records_of(result), result.report, single_run(engine, demo))


def test_a_data_set_partitioned_by_person_is_used_as_it_is_and_written_as_parquet(dask_client, demo, tmp_path):
    engine = skill_subsidy.Engine().with_overrides(CLOSING)
    claims = write_by_bucket(tmp_path / "claims", demo["claims"], 5)
    history = write_by_bucket(tmp_path / "history", demo["history"], 5)
    out = tmp_path / "records"
    result = sd.assess(str(claims), str(history), demo["applications"], demo["outcomes"], engine=engine, out=str(out), client=dask_client)
    assert not result.shuffled
    assert sorted(p.name for p in out.iterdir()) == [f"part-{k:05d}.parquet" for k in range(5)]
    written = pq.read_table(out)
    assert written.schema.field("amount").type == pa.decimal128(18, 2)
    assert_same(written.select(list(_cluster.RECORD_COLUMNS)), result.report, single_run(engine, demo))
    assert_same(records_of(result), result.report, single_run(engine, demo))


def test_a_person_in_two_partitions_is_refused_when_asked_and_shuffled_otherwise(dask_client, demo):
    claims = demo["claims"]
    person = claims["person_id"].value_counts().index[0]  # a person with several claims
    mine = claims[claims["person_id"] == person]
    others = claims[claims["person_id"] != person]
    # Two partitions, each with one of the person's claims.
    parts = [pa.Table.from_pandas(p, preserve_index=False) for p in (others.iloc[:9000], mine.iloc[:1], others.iloc[9000:], mine.iloc[1:])]
    frame = dd.from_map(lambda t: t.to_pandas(), parts, meta=claims.iloc[:0])
    with pytest.raises(ScaleOutError) as e:
        sd.assess(frame, partitioned=True, client=dask_client)
    assert e.value.errors[0]["code"] == "not_partitioned_by_person"
    assert person not in str(e.value)  # person ids are never in messages (SPEC §12)
    result = sd.assess(frame, client=dask_client)
    assert result.shuffled
    assert_same(
        records_of(result),
        result.report,
        single_run(skill_subsidy.Engine(), {"claims": demo["claims"]}),
    )


def test_a_partition_whose_columns_differ_is_an_error(dask_client, demo, tmp_path):
    claims = demo["claims"]
    parts = [claims.iloc[:10000], claims.iloc[10000:].drop(columns=["district"])]
    frame = dd.from_map(lambda p: p, parts, meta=claims.iloc[:0], enforce_metadata=False)
    with pytest.raises(ScaleOutError) as e:
        sd.assess(frame, client=dask_client, npartitions=3)
    assert e.value.errors[0]["code"] == "columns_differ"
    assert "partition 1" in str(e.value) and "missing district" in str(e.value)
    # The same as Parquet files: found from the footers, before any work.
    folder = tmp_path / "claims"
    folder.mkdir()
    for k, p in enumerate(parts):
        pq.write_table(pa.Table.from_pandas(p, preserve_index=False), folder / f"part-{k}.parquet")
    with pytest.raises(ScaleOutError) as e:
        sd.assess(str(folder), client=dask_client)
    assert e.value.errors[0]["code"] == "columns_differ" and "part-1.parquet" in str(e.value)


def test_without_person_id_the_batch_cannot_be_split(dask_client, demo):
    with pytest.raises(ClaimError) as e:
        sd.assess(demo["claims"].drop(columns=["person_id"]), client=dask_client)
    assert e.value.errors[0]["code"] == "missing_column" and e.value.errors[0]["field"] == "person_id"


def test_claims_without_a_person_are_invalid_as_in_one_process(dask_client, demo):
    claims = demo["claims"].copy()
    claims.loc[claims.index[::997], "person_id"] = ["", " ", None] * 7 + ["", ""][: len(claims.index[::997]) - 21]
    result = sd.assess(dd.from_pandas(claims, npartitions=3, sort=False), client=dask_client)
    expected = single_run(skill_subsidy.Engine(), {"claims": claims})
    assert result.report.status["invalid"] >= 21
    assert_same(records_of(result), result.report, expected)


def test_a_worker_of_another_version_is_refused(dask_client, demo, monkeypatch):
    shipped = _cluster.engine_bytes

    def from_another_version(engine):
        data = json.loads(shipped(engine))
        data["skill_subsidy"] = "0.0.1"
        return json.dumps(data).encode()

    # Only the client's bytes change: the workers find the difference themselves.
    monkeypatch.setattr(_cluster, "engine_bytes", from_another_version)
    with pytest.raises(ScaleOutError) as e:
        sd.assess(demo["claims"], client=dask_client)
    assert e.value.errors[0]["code"] == "engine_version_mismatch"
    assert "0.0.1" in str(e.value) and skill_subsidy.__version__ in str(e.value)


def _read_and_die_once(path, marker_dir, die_at):
    """Reads a Parquet file; the ``die_at``-th read of the first file kills its worker process
    (once: a marker says it happened)."""
    import pyarrow.parquet as pq

    if path.endswith("part-00000.parquet"):
        with open(os.path.join(marker_dir, "reads"), "a") as f:
            f.write("x")
        with open(os.path.join(marker_dir, "reads")) as f:
            reads = len(f.read())
        if reads == die_at and not os.path.exists(os.path.join(marker_dir, "killed")):
            open(os.path.join(marker_dir, "killed"), "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
    return pq.read_table(path).to_pandas()


@pytest.mark.parametrize("die_at, by_person", [(2, True), (3, True), (2, False)], ids=["in-pass-1", "in-pass-3", "in-the-shuffle"])
def test_a_worker_killed_in_a_run_changes_nothing(dask_client, demo, tmp_path, die_at, by_person):
    # Reads of the first file: 1 the check of persons, then 2 pass 1 and 3 pass 3 (files by
    # person), or 2 the shuffle by person (files of rows as they come).
    engine = skill_subsidy.Engine().with_overrides(CLOSING)
    if by_person:
        folder = write_by_bucket(tmp_path / "claims", demo["claims"], 4)
    else:
        folder = tmp_path / "claims"
        folder.mkdir()
        for k in range(4):
            rows = demo["claims"].iloc[k * 5000 : (k + 1) * 5000]
            pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), folder / f"part-{k:05d}.parquet")
    files = sorted(str(p) for p in folder.iterdir())
    frame = dd.from_map(_read_and_die_once, files, args=[str(tmp_path), die_at], meta=demo["claims"].iloc[:0], enforce_metadata=False)
    history = write_by_bucket(tmp_path / "history", demo["history"], 4)
    pids = set(dask_client.run(os.getpid).values())
    result = sd.assess(frame, str(history), demo["applications"], demo["outcomes"], engine=engine, client=dask_client)
    assert (tmp_path / "killed").exists(), "the worker was killed"
    dask_client.wait_for_workers(2)
    assert set(dask_client.run(os.getpid).values()) != pids, "a new worker process took the dead one's place"
    assert result.shuffled != by_person
    # Each partition's report is one task's result: counted once, whichever ran it.
    assert_same(records_of(result), result.report, single_run(engine, demo))

"""The demo year ships with the package (issue 15): the same files as the repository's
examples, readable as every kind of frame."""

from __future__ import annotations

import pytest

from skill_subsidy import demo

from conftest import ROOT

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")


@pytest.mark.parametrize("what", sorted(demo.FILES))
def test_the_packaged_demo_year_is_the_repositorys(what):
    # After `subsidy demo-data` changes the examples: gzip -9 -n -c examples/F > py/python/skill_subsidy/demo/F.gz
    given = (ROOT / "examples" / demo.FILES[what].removesuffix(".gz")).read_text(encoding="utf-8")
    assert demo.text(what) == given


def test_the_demo_year_reads_as_every_kind_and_assesses_alike(engine):
    years = {kind: demo.year(kind) for kind in ("pandas", "polars", "arrow", "records")}
    assert isinstance(years["pandas"].claims, pd.DataFrame) and isinstance(years["polars"].claims, pl.DataFrame)
    assert isinstance(years["arrow"].claims, pa.Table) and isinstance(years["records"].claims, list)
    assert years["polars"].claims.schema["level"] == pl.String  # `S` and `T` are levels: never numbers
    reports = [engine.report(y.claims, y.history, applications=y.applications, outcomes=y.outcomes, lenient=True) for y in years.values()]
    assert all(r == reports[0] for r in reports)

"""Discoverability (issue 15): the parameter tree with tab completion, citations, confidence and
dated values; every policy value in it (and a what-if path for each); a batch trace as a long
table; stubs held to the compiled module."""

from __future__ import annotations

import pytest

from skill_subsidy import ClaimError, Engine, Parameter, ParameterNode, demo

pd = pytest.importorskip("pandas")


def test_the_tree_holds_every_cited_value_by_its_override_path(engine):
    p = engine.parameters
    leaf = p.programs.skills_training.amounts["3"]
    assert isinstance(leaf, Parameter) and leaf.path == "programs.skills_training.amounts.3"
    assert (leaf.value, leaf.citation, leaf.confidence) == (engine.value(leaf.path), "S9", "confirmed")
    assert leaf.sources and leaf.sources[0]["id"] == "S9" and leaf.sources[0]["title"]
    assert "skills_training" in dir(p.programs) and "amounts" in dir(p.programs.skills_training)
    assert p.accounts._ipython_key_completions_() == ["wuxi-2021"]
    frame = p.to_frame()
    assert list(frame.columns) == ["path", "value", "citation", "confidence", "ranges"]
    # Every path is one a what-if takes, and its value is the engine's.
    for row in frame.itertuples():
        value = engine.value(row.path)
        if value is not None:
            assert str(value) == row.value or (isinstance(value, bool) and str(value) == row.value), row.path
        assert (
            engine.with_overrides({row.path: row.value if row.value not in ("True", "False") else row.value == "True"})
            if value is not None
            else True
        )
    assert set(frame["confidence"].dropna()) <= {"confirmed", "inferred", "illustrative"}
    with pytest.raises(AttributeError, match="it has: "):
        p.programs.no_such_program  # noqa: B018
    assert isinstance(p.programs, ParameterNode) and "<table>" in p.programs.skills_training._repr_html_()


def test_a_dated_override_shows_its_range_and_a_plain_one_its_value():
    engine = Engine().with_overrides({"programs.skills_training.amounts.3": {"2021-07-01..2021-12-31": "2200"}, "shortage.rate": "0.20"})
    leaf = engine.parameters.programs.skills_training.amounts["3"]
    assert leaf.ranges == [("2021-07-01", "2021-12-31", leaf.value.__class__("2200"))]
    assert str(engine.parameters.shortage.rate.value) == "0.20"
    assert engine.parameters.to_frame(kind="records")[4]["path"] == "shortage.rate"


def test_a_batch_trace_is_one_long_table_of_steps(engine):
    claims = demo.year().claims.head(40)
    result = engine.run(claims, trace=True)
    steps = result.trace_frame()
    assert list(steps.columns) == ["claim_id", "step_no", "step", "outcome", "rule", "before", "after", "citation", "confidence", "note"]
    assert steps["claim_id"].nunique() == 40
    first = steps[steps["claim_id"] == claims["claim_id"].iloc[1]]
    record = result.assessment(1).trace
    assert list(first["step"]) == [s["step"] for s in record["steps"]] and list(first["step_no"]) == list(range(1, len(first) + 1))
    assert set(Engine(lang="zh").run(claims.head(2), trace=True).trace_frame()["note"].str[:1]) - set("abcdefghijklmnopqrstuvwxyz") != set()
    with pytest.raises(ClaimError, match="trace=True"):
        engine.run(claims).trace_frame()

"""Chinese for Chinese analysts (issue 15): lang="zh" on the engine or per call for repr, HTML,
explain printing and table labels (names from the ruleset, not codes), codes kept as the data."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from skill_subsidy import ArgumentError, Engine

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

CLAIM = {
    "claim_id": "C1",
    "program": "skills_training",
    "person_id": "P1",
    "occupation": "6-18-02-04",
    "level": "3",
    "institution": "WX-JG-001",
    "fee_paid": "2466.67",
    "event_date": "2021-08-02",
    "applied_on": "2021-08-20",
}


@pytest.fixture(scope="module")
def demo() -> Dict[str, Any]:
    read = lambda name: pd.read_csv(ROOT / "examples" / name, dtype=str, keep_default_na=False)  # noqa: E731
    return {"claims": read("demo-2021.csv"), "history": read("history-2021.csv")}


def test_an_explanation_prints_in_chinese_on_the_engine_or_per_call():
    zh = str(Engine(lang="zh").explain(CLAIM))
    assert zh.splitlines()[0] == "申请 C1：予以补贴，2466.67 元 — 就业技能培训"
    assert "审核步骤" in zh and "四舍五入" in zh and "rounding" in zh  # step ids stay codes
    assert str(Engine().explain(CLAIM, lang="zh")) == zh
    assert str(Engine(lang="zh").explain(CLAIM, lang="en")).startswith("Claim C1: approved, 2466.67 yuan")
    rejected = Engine(lang="zh").assess({**CLAIM, "institution": "WX-JG-999"})
    assert "培训机构不在当期培训机构目录内" in str(rejected) and "培训机构" in rejected._repr_html_()
    invalid = Engine(lang="zh").assess({**CLAIM, "fee_paid": "abc"})
    assert "信息有误" in str(invalid)
    assert Engine(lang="zh").assess(CLAIM).to_dict() == Engine().assess(CLAIM).to_dict()  # the record is the same


def test_report_and_whatif_tables_label_their_keys_and_headers_in_chinese(demo):
    engine = Engine(lang="zh")
    report = engine.report(demo["claims"], demo["history"])
    programs = report.to_frame("program")
    assert list(programs.columns) == ["补贴项目", "人次", "金额（元）"]
    assert programs["补贴项目"].iloc[0] == "就业技能培训" and programs["补贴项目"].cat.ordered
    english = report.to_frame("program", lang="en")
    assert list(english["count"]) == list(programs["人次"]) and english["program"].iloc[0] == "skills_training"
    reasons = report.to_frame("reason", kind="polars", headers=False)
    assert reasons["reason"][0] == "该职业（工种）不在当期补贴目录内" and isinstance(reasons.schema["reason"], pl.Enum)
    assert report.to_frame("status", kind="records")[0] == {"审核结果": "予以补贴", "人次": 15705}
    assert report.to_frame("level", headers=False)["level"].iloc[2] == "三级/高级工"
    assert repr(report).startswith("报表（申请 20,000 笔") and "按补贴项目" in report._repr_html_()
    whatif = engine.whatif({"shortage.rate": "0.20"}, demo["claims"], demo["history"])
    assert list(whatif.to_frame("program").columns[:3]) == ["补贴项目", "基准人次", "基准金额（元）"]
    assert repr(whatif).startswith("假设（shortage.rate=0.20）") and "基准" in whatif._repr_html_()
    # The result's records keep their codes (they join and filter by them); labels map them.
    out = engine.assess_batch(demo["claims"].head(5))
    assert out["program"].iloc[0] == "pre_job"
    assert out["program"].map(engine.labels("zh")["program"]).iloc[0] == "岗前培训"
    with pytest.raises(ArgumentError):
        Engine(lang="fr")

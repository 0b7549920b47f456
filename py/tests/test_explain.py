"""A claim of a batch is explained where the batch decided it (SPEC §7.4): ``result.explain(id)``
and ``engine.explain(claims, claim_id=...)`` give the batch's decision, and the cross-claim steps
name what counted — earlier claims approved in the batch, history rows by position from 1 — and
for ``budget_exhausted`` the claim at which the account closed."""

from __future__ import annotations

import pytest

import skill_subsidy as ss
from skill_subsidy import demo

CROSS_CLAIM = ("annual_limit_reached", "exclusive_with_other_program", "duplicate_level", "lower_than_subsidised_level")


@pytest.fixture(scope="module")
def year():
    return demo.year("records")


def _picked(records, reasons, n=3):
    picked = []
    for reason in reasons:
        picked += [r for r in records if reason in r["reasons"]][:n]
    return picked + [r for r in records if r["status"] == "approved"][::4001][:n]


def _check(explained, record, records_by_id, history_rows):
    assert (explained.status, explained.amount, explained.reasons) == (record["status"], record["amount"], record["reasons"])
    assert explained.batch["claims"] == len(records_by_id)
    named = 0
    for step in explained.trace["steps"]:
        for counted in step.get("counted", []):
            named += 1
            if "history" in counted:
                assert 1 <= counted["history"] <= history_rows
            elif step["step"] == "budget":
                assert records_by_id[counted["claim"]]["reasons"] == ["budget_exhausted"]
            else:
                assert records_by_id[counted["claim"]]["status"] == "approved"
    if record["status"] == "rejected":
        failed = next(s for s in explained.trace["steps"] if s["outcome"] == "fail")
        assert failed.get("counted"), (record["claim_id"], failed)
    return named


def test_result_explain_gives_the_batch_decision_for_every_cross_claim_rejection(year):
    result = ss.Engine().run(year.claims, year.history, applications=year.applications, outcomes=year.outcomes)
    records = result.assessments
    by_id = {r["claim_id"]: r for r in records}
    named = sum(_check(result.explain(r["claim_id"]), r, by_id, len(year.history)) for r in _picked(records, CROSS_CLAIM))
    assert named > 0


def test_engine_explain_of_a_batch_names_the_claim_at_which_a_closing_account_ran_out(year):
    engine = ss.Engine().with_overrides({"accounts.wuxi-2021.opening_balance": "10000000", "accounts.wuxi-2021.closes_when_spent": "true"})
    records = engine.assess_batch(year.claims, year.history)
    by_id = {r["claim_id"]: r for r in records}
    for record in _picked(records, ("budget_exhausted",)):
        explained = engine.explain(year.claims, year.history, claim_id=record["claim_id"])
        _check(explained, record, by_id, len(year.history))
    refused = next(r for r in records if r["reasons"] == ["budget_exhausted"])
    explained = engine.explain(year.claims, year.history, claim_id=refused["claim_id"])
    budget = next(s for s in explained.trace["steps"] if s["step"] == "budget")
    assert "it closed at WX21-" in budget["note_en"] and budget["after"] is not None


def test_an_explanation_reads_where_it_was_decided_in_english_and_chinese():
    def hire(id):
        claim = {"claim_id": id, "program": "pre_job", "person_id": "P1", "enterprise_id": "E1"}
        return {**claim, "event_date": "2021-05-10", "applied_on": "2021-05-20"}

    result = ss.Engine(lang="zh").run([hire("B"), hire("A")])
    text = str(result.explain("B"))
    assert "在批次中决定：第 0 行" in text and "（计入：申请 A）" in text
    assert "decided in the batch: row 0" in str(result.explain("B", lang="en"))
    assert result.explain("A").trace is not None and result.explain("B").to_dict()["batch"]["claims"] == 2


def test_explaining_a_claim_not_in_the_batch_or_without_an_id_is_an_error():
    hire = {"claim_id": "A", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1"}
    hire.update(event_date="2021-05-10", applied_on="2021-05-20")
    with pytest.raises(ss.ClaimError) as e:
        ss.Engine().run([hire]).explain("NO-SUCH")
    assert e.value.errors[0]["code"] == "unknown_claim"
    with pytest.raises(ss.InputTypeError, match="claim_id="):
        ss.Engine().explain([hire])
    # One claim alone is still explained alone.
    assert ss.Engine().explain(hire).batch is None

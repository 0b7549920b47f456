"""The shared conformance vectors (tests/vectors/*.json, format in tests/vectors/README.md)
through Python, compared exactly as the Rust runner (core/tests/vectors.rs) compares them:
claim vectors one claim at a time, batch vectors in three input orders (as given, reversed,
rotated by one). A second run of the batch vectors goes through Arrow tables instead of dicts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict, List, Tuple

import pytest

from conftest import ROOT, engine_for

VECTORS = ROOT / "tests" / "vectors"


def vector_files(kind: str) -> List[Tuple[str, dict]]:
    out = []
    for path in sorted(VECTORS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("kind", "claim") == kind:
            out.append((path.name, doc))
    return out


def cases(kind: str) -> List[Any]:
    return [
        pytest.param(doc.get("ruleset", "wuxi-2021"), case, id=f"{name}/{i}")
        for name, doc in vector_files(kind)
        for i, case in enumerate(doc["cases"])
    ]


def plain(value: Any) -> Any:
    """Decimals back to their exact text (Decimal keeps the digits it was made from), so records
    compare with the vectors' JSON as the Rust runner compares JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def contains(got: Any, want: Any, at: str, problems: List[str]) -> None:
    """Every key of `want` has the same value in `got` (objects key by key, recursively)."""
    if isinstance(got, dict) and isinstance(want, dict):
        for k, w in want.items():
            contains(got.get(k), w, f"{at}.{k}", problems)
    elif got != want:
        problems.append(f"{at}: expected {json.dumps(want, ensure_ascii=False)}, got {json.dumps(got, ensure_ascii=False)}")


def test_there_are_vectors_of_both_kinds():
    assert len(cases("claim")) >= 200
    assert len(cases("batch")) >= 60


@pytest.mark.parametrize("ruleset, case", cases("claim"))
def test_claim_vector(ruleset: str, case: Dict[str, Any]) -> None:
    engine = engine_for(ruleset)
    if "overrides" in case:
        engine = engine.with_overrides(case["overrides"])
    a = engine.assess(case["claim"], lenient=case.get("lenient") is True, trace=True)
    got = json.loads(a.to_json())
    expect = case["expect"]
    problems = []
    for key in ("status", "amount", "catalogue_version", "payment_month"):
        if key in expect and got.get(key) != expect[key]:
            problems.append(f"{key}: expected {expect[key]!r}, got {got.get(key)!r}")
    if "reasons" in expect and got["reasons"] != expect["reasons"]:
        problems.append(f"reasons: expected {expect['reasons']}, got {got['reasons']}")
    if "errors" in expect:
        errors = [f"{e['field']}:{e['code']}" for e in a.errors]
        if errors != expect["errors"]:
            problems.append(f"errors: expected {expect['errors']}, got {errors}")
    if "steps" in expect:
        steps = [s["step"] for s in (a.trace or {}).get("steps", [])]
        if steps != expect["steps"]:
            problems.append(f"steps: expected {expect['steps']}, got {steps}")
    if "estimate" in expect:
        contains(got.get("estimate"), expect["estimate"], "estimate", problems)
    assert not problems, f"{case['name']}:\n  " + "\n  ".join(problems)


def orders(n: int) -> List[List[int]]:
    """The input order, reversed, and rotated by one."""
    return [list(range(n)), list(reversed(range(n))), [(i + 1) % max(n, 1) for i in range(n)]]


def check_batch(case: Dict[str, Any], result: Any, label: str, problems: List[str]) -> None:
    by_id = {r["claim_id"]: plain(r) for r in result._native.assessment_records()}
    apps = {a["application_id"]: plain(a) for a in result._native.application_records()}
    for want in case["expect"].get("applications", []):
        got = apps.get(want["application_id"])
        if got is None:
            problems.append(f"{label}: no application {want['application_id']}")
        else:
            contains(got, want, f"{label} {want['application_id']}", problems)
    for want in case["expect"].get("assessments", []):
        got = by_id.get(want["claim_id"])
        if got is None:
            problems.append(f"{label}: no claim {want['claim_id']}")
        else:
            contains(got, want, f"{label} {want['claim_id']}", problems)
    if "report" in case["expect"]:
        contains(json.loads(result.report.to_json()), case["expect"]["report"], f"{label} report", problems)


@pytest.mark.parametrize("ruleset, case", cases("batch"))
def test_batch_vector_in_three_orders(ruleset: str, case: Dict[str, Any]) -> None:
    engine = engine_for(ruleset)
    if "overrides" in case:
        engine = engine.with_overrides(case["overrides"])
    claims, applications = case.get("claims", []), case.get("applications", [])
    problems: List[str] = []
    for label, claim_order, app_order in zip(("as given", "reversed", "rotated"), orders(len(claims)), orders(len(applications))):
        result = engine.run(
            [claims[i] for i in claim_order],
            case.get("history", []),
            applications=[applications[i] for i in app_order],
            lenient=False,
        )
        check_batch(case, result, label, problems)
    assert not problems, f"{case['name']}:\n  " + "\n  ".join(problems)


CLAIM_FIELDS = {
    "claim_id",
    "program",
    "person_id",
    "enterprise_id",
    "group",
    "district",
    "occupation",
    "level",
    "event_date",
    "applied_on",
    "institution",
    "fee_paid",
    "months",
    "ui_contribution_months",
    "project",
}
HISTORY_FIELDS = {"person_id", "program", "enterprise_id", "occupation", "level", "event_date", "applied_on", "amount"}
APPLICATION_FIELDS = {
    "application_id",
    "enterprise_id",
    "person_id",
    "occupation",
    "target_level",
    "start_date",
    "months",
    "submitted_on",
    "institution",
    "district",
    "outcome",
    "outcome_date",
}


def as_table(rows: List[Dict[str, Any]], known: set) -> Any:
    """Rows as a pyarrow Table, a field absent from a row being null there; None when that
    would change the rows (an unknown field would become a column of every row) or when a
    column mixes types pyarrow cannot hold in one column."""
    pa = pytest.importorskip("pyarrow")
    keys: List[str] = []
    for r in rows:
        if not isinstance(r, dict):
            return None
        keys += [k for k in r if k not in keys]
    if any(k not in known for k in keys):
        return None
    try:
        return pa.table({k: pa.array([r.get(k) for r in rows]) for k in keys})
    except (pa.ArrowException, TypeError, ValueError):
        return None


@pytest.mark.parametrize("ruleset, case", cases("batch"))
def test_batch_vector_through_arrow_tables(ruleset: str, case: Dict[str, Any]) -> None:
    engine = engine_for(ruleset)
    if "overrides" in case:
        engine = engine.with_overrides(case["overrides"])
    claims, applications, history = case.get("claims", []), case.get("applications", []), case.get("history", [])
    tables = [
        as_table(x, k) if x else None for x, k in ((claims, CLAIM_FIELDS), (applications, APPLICATION_FIELDS), (history, HISTORY_FIELDS))
    ]
    if any(t is None for t, x in zip(tables, (claims, applications, history)) if x):
        pytest.skip("rows with different fields or mixed types cannot be one table")
    problems: List[str] = []
    result = engine.run(tables[0], tables[2], applications=tables[1], lenient=False)
    check_batch(case, result, "arrow", problems)
    assert not problems, f"{case['name']}:\n  " + "\n  ".join(problems)

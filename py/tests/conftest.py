"""Shared helpers: the repository root, engines by ruleset name (as the vectors name them)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from skill_subsidy import Engine

ROOT = Path(__file__).resolve().parents[2]

# Checked by mypy, never run or imported (scripts/test-python).
collect_ignore = ["typing"]


@functools.cache
def engine_for(ruleset: str) -> Engine:
    """An embedded ruleset by id, or a folder relative to the repository root."""
    if ruleset in Engine.rulesets():
        return Engine(ruleset)
    return Engine.from_dir(ROOT / ruleset)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()

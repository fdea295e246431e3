"""Fixtures of the engine tests (no Flask, no database)."""
from __future__ import annotations

import pytest

from workflows import WorkflowEngine


@pytest.fixture
def engine(tmp_path) -> WorkflowEngine:
    """An engine over an empty diagram folder of its own: tests hand it their bundles."""
    return WorkflowEngine(tmp_path)

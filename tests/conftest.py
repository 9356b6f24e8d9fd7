"""Shared fixtures: stores, and a small hand-written fixture graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.store import Store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"


@pytest.fixture
def store() -> Store:
    """A fresh, empty in-memory store."""
    return Store()


@pytest.fixture
def disk_store(tmp_path: Path) -> Store:
    """A fresh, empty on-disk store in a temporary folder."""
    s = Store(tmp_path / "store")
    yield s
    s.close()

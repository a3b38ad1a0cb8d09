"""Fixtures of the demo tests: the default demo study, written once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from csat_research.demo.generator import write_demo_study
from tests.demo.demo_helpers import SEED, N


@pytest.fixture(scope="session")
def study(tmp_path_factory) -> Path:
    """The default demo study (n=2000 per category), written once."""
    out = tmp_path_factory.mktemp("demo")
    write_demo_study(out, seed=SEED, n=N)
    return out

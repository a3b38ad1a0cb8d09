"""Fixtures of the io tests: the shipped codebook and a small instrument for export layouts."""

from __future__ import annotations

import pytest

from csat_research.io.codebook import codebook_from_mapping, load_codebook
from tests.io.ingest_helpers import MINI


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def mini():
    return codebook_from_mapping(MINI, source="mini.yaml")

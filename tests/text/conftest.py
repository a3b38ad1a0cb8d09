"""Fixtures of the open-answer tests."""

from __future__ import annotations

import pytest

from csat_research.text.tokenize import TextTokenizer, make_tokenizer


@pytest.fixture(scope="module")
def tok() -> TextTokenizer:
    """The default Chinese tokenizer, one per test module."""
    return make_tokenizer()

"""The shim switch: one variable turns every shim off, another single ones."""

from __future__ import annotations

import pytest

from csat_research.core import shims


def test_every_shim_names_its_library_what_it_touches_and_what_it_buys():
    assert shims.SHIMS
    for name, s in shims.SHIMS.items():
        assert s.name == name and s.library and s.what and s.buys


def test_switches(monkeypatch):
    name = next(iter(shims.SHIMS))
    monkeypatch.delenv("CSAT_SHIMS", raising=False)
    monkeypatch.delenv("CSAT_SHIMS_OFF", raising=False)
    assert shims.enabled(name)
    monkeypatch.setenv("CSAT_SHIMS", "off")
    assert not shims.enabled(name)
    monkeypatch.setenv("CSAT_SHIMS", "on")
    monkeypatch.setenv("CSAT_SHIMS_OFF", f"other, {name}")
    assert not shims.enabled(name)
    with pytest.raises(KeyError, match="no shim named 'typo'"):
        shims.enabled("typo")

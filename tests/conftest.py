"""Test-suite configuration: property tests are derandomized, so every run (and CI) draws the same cases."""

from hypothesis import settings

settings.register_profile("csat", derandomize=True, print_blob=True)
settings.load_profile("csat")


def pytest_runtest_setup(item):
    """Tests of a shim itself (``@pytest.mark.shim("name")``) are skipped when that shim is off."""
    import pytest

    from csat_research.core import shims

    for mark in item.iter_markers(name="shim"):
        if not shims.enabled(mark.args[0]):
            pytest.skip(f"shim {mark.args[0]} is off (CSAT_SHIMS / CSAT_SHIMS_OFF)")

"""Test-suite configuration: property tests are derandomized, so every run (and CI) draws the same cases."""

from hypothesis import settings

settings.register_profile("csat", derandomize=True, print_blob=True)
settings.load_profile("csat")

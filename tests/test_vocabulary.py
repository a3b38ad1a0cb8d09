"""One name per concept in the public statistics (STYLE.md: "one definition per fact").

* ``confidence`` - the confidence level of an interval (never ``ci``, ``level``, ``rmsea_ci``);
  ``alpha`` stays the significance level of a test (or, in ``reliability_verdict``, the
  threshold for Cronbach's alpha);
* ``survey_weights`` - respondent weights of a statistic;
* ``index_weights`` - the dimension weights of the overall index;
* ``judge_weights`` - the weights of the experts whose AHP judgments are aggregated.

A bare ``weights`` would leave the reader to guess which of the three is meant.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import csat_research.stats

FORBIDDEN = {"ci", "level", "ci_level", "rmsea_ci", "rmsea_ci_level", "weights"}
# AHPResult.weights is the AHP priority vector of whatever criteria were compared (not an argument).
ALLOWED_FIELDS = {("csat_research.stats.index_weights", "AHPResult", "weights")}


def _public_members():
    for info in pkgutil.iter_modules(csat_research.stats.__path__):
        module = importlib.import_module(f"csat_research.stats.{info.name}")
        for name, obj in vars(module).items():
            if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__:
                yield module.__name__, name, obj


MEMBERS = list(_public_members())


def test_parameters_use_the_vocabulary():
    bad = [
        f"{mod}.{name}({param})"
        for mod, name, obj in MEMBERS
        if inspect.isfunction(obj)
        for param in inspect.signature(obj).parameters
        if param in FORBIDDEN
    ]
    assert not bad, f"use confidence / survey_weights / index_weights / judge_weights: {bad}"


def test_result_fields_use_the_vocabulary():
    bad = [
        f"{mod}.{name}.{f.name}"
        for mod, name, obj in MEMBERS
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj)
        for f in dataclasses.fields(obj)
        if f.name in FORBIDDEN and (mod, name, f.name) not in ALLOWED_FIELDS
    ]
    assert not bad, f"use confidence / survey_weights / index_weights: {bad}"


@pytest.mark.parametrize(
    "obj",
    [pytest.param(obj, id=f"{mod}.{name}") for mod, name, obj in MEMBERS
     if inspect.isfunction(obj) and "confidence" in inspect.signature(obj).parameters],
)
def test_confidence_defaults_to_a_level(obj):
    default = inspect.signature(obj).parameters["confidence"].default
    if default is inspect.Parameter.empty:  # internal helpers that pass it on
        return
    assert isinstance(default, float) and 0 < default < 1

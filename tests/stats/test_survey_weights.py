"""Tests of csat_research.stats.survey_weights against published reference values.

Every reference number carries its source in a comment; tolerances follow the precision
at which the source prints the number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, DataError
from csat_research.stats.survey_weights import (
    kish_effective_n,
    poststratify,
    rake,
    weight_diagnostics,
)


def _expand(table: dict[tuple[str, str], int], row: str = "r", col: str = "c") -> pd.DataFrame:
    """One row per respondent from a {(row level, col level): count} table."""
    rows = [(r, c) for (r, c), k in table.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=[row, col])


# Agresti (2002), Categorical Data Analysis 2nd ed., Table 3.2: party identification by
# gender (1991 General Social Survey).
PARTY = {
    ("female", "democrat"): 762, ("female", "independent"): 327, ("female", "republican"): 468,
    ("male", "democrat"): 484, ("male", "independent"): 239, ("male", "republican"): 477,
}


@pytest.fixture(scope="module")
def party() -> pd.DataFrame:
    return _expand(PARTY, "gender", "party")



def test_kish_effective_n():
    assert kish_effective_n([2, 2, 2]) == pytest.approx(3.0)
    assert kish_effective_n([1, 3]) == pytest.approx(16 / 10)  # (1+3)^2 / (1+9)
    with pytest.raises(ValueError, match="non-negative and not all zero"):
        kish_effective_n([0, 0])


# --------------------------------------------------------------------------- weighting
# Agresti (2002) Table 8.3: alcohol (A), cigarette (C), marijuana (M) use of 2,276 high
# school seniors, with the fitted values of the loglinear model (AC, AM, CM).
ACM = pd.DataFrame(
    [("yes", "yes", "yes", 911, 910.4), ("yes", "yes", "no", 538, 538.6),
     ("yes", "no", "yes", 44, 44.6), ("yes", "no", "no", 456, 455.4),
     ("no", "yes", "yes", 3, 3.6), ("no", "yes", "no", 43, 42.4),
     ("no", "no", "yes", 2, 1.4), ("no", "no", "no", 279, 279.6)],
    columns=["a", "c", "m", "observed", "fitted_ac_am_cm"],
)


def _margin(frame: pd.DataFrame, cols: tuple[str, ...]) -> dict:
    grouped = frame.groupby(list(cols))["observed"].sum()
    return {k: float(v) for k, v in grouped.items()}


def test_rake_reproduces_agresti_loglinear_ipf_fit():
    margins = {("a", "c"): _margin(ACM, ("a", "c")), ("a", "m"): _margin(ACM, ("a", "m")),
               ("c", "m"): _margin(ACM, ("c", "m"))}
    w = rake(ACM[["a", "c", "m"]], margins)
    # Agresti (2002) Table 8.3, column (AC, AM, CM), printed to one decimal.
    np.testing.assert_allclose(w.to_numpy(), ACM["fitted_ac_am_cm"], atol=0.05)
    assert w.name == "weight" and w.index.equals(ACM.index)


def test_rake_one_way_margins_give_agresti_independence_fit():
    cells = pd.DataFrame([(g, p) for g in ("female", "male")
                          for p in ("democrat", "independent", "republican")],
                         columns=["gender", "party"])
    w = rake(cells, {"gender": {"female": 1557, "male": 1200},
                     "party": {"democrat": 1246, "independent": 566, "republican": 945}})
    # Agresti (2002) Table 3.2 expected frequencies.
    np.testing.assert_allclose(w, [703.7, 319.6, 533.7, 542.3, 246.4, 411.3], atol=0.05)


def test_poststratify_agresti_expected_frequencies(party):
    expected = {("female", "democrat"): 703.7, ("female", "independent"): 319.6,
                ("female", "republican"): 533.7, ("male", "democrat"): 542.3,
                ("male", "independent"): 246.4, ("male", "republican"): 411.3}
    w = poststratify(party, expected, strata=["gender", "party"])
    first = party.index[(party["gender"] == "female") & (party["party"] == "democrat")][0]
    assert w[first] == pytest.approx(703.7 / 762, rel=1e-12)
    assert w.sum() == pytest.approx(sum(expected.values()))
    cell_totals = w.groupby([party["gender"], party["party"]]).sum()
    for key, target in expected.items():
        assert cell_totals[key] == pytest.approx(target)


def test_poststratify_shares_and_base_weights():
    df = pd.DataFrame({"t": ["new", "new", "returning", "returning"], "d": [1.0, 3.0, 2.0, 2.0]})
    w = poststratify(df, {"new": 0.25, "returning": 0.75}, strata="t", base_weights="d")
    # total = sum of base weights = 8; new gets 2 split 1:3, returning 6 split 1:1
    assert w.tolist() == pytest.approx([0.5, 1.5, 3.0, 3.0])


@st.composite
def _raking_case(draw):
    # every combination of levels occurs at least once, so any margins are attainable
    levels = [("new", "returning"), ("normal", "high"), ("post95", "post90", "post80")]
    full = pd.MultiIndex.from_product(levels).to_frame(index=False)
    full.columns = ["customer_type", "value_band", "age_group"]
    extra = draw(st.integers(0, 60))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    idx = rng.integers(0, len(full), extra)
    data = pd.concat([full, full.iloc[idx]], ignore_index=True)
    shares = [draw(st.floats(0.2, 0.8)) for _ in range(2)]
    ages = np.array([draw(st.floats(0.1, 1.0)) for _ in range(3)])
    ages = ages / ages.sum()
    margins = {
        "customer_type": {"new": shares[0], "returning": 1 - shares[0]},
        "value_band": {"normal": shares[1], "high": 1 - shares[1]},
        "age_group": dict(zip(["post95", "post90", "post80"], ages.tolist())),
    }
    return data, margins


@settings(max_examples=40, deadline=None)
@given(_raking_case())
def test_property_raked_weights_reproduce_margins(case):
    data, margins = case
    w = rake(data, margins, max_iter=500, tol=1e-10)
    total = len(data)
    assert w.sum() == pytest.approx(total)
    for col, targets in margins.items():
        got = w.groupby(data[col]).sum()
        for level, share in targets.items():
            assert got[level] == pytest.approx(share * total, abs=1e-7 * total)
    assert (w >= 0).all()


def test_rake_counts_base_weights_and_trim():
    rng = np.random.default_rng(11)
    n = 400
    data = pd.DataFrame({
        "customer_type": rng.choice(["new", "returning"], n, p=[0.15, 0.85]),
        "value_band": rng.choice(["normal", "high"], n, p=[0.9, 0.1]),
        "d": rng.uniform(1, 3, n),
    })
    margins = {"customer_type": {"new": 3000, "returning": 7000},
               "value_band": {"normal": 8000, "high": 2000}}
    w = rake(data, margins, base_weights="d")
    assert w.sum() == pytest.approx(10_000)
    wt = rake(data, margins, base_weights="d", trim=(0.4, 2.5), max_iter=1000)
    assert wt.groupby(data["customer_type"]).sum()["new"] == pytest.approx(3000, rel=1e-6)
    assert wt.groupby(data["value_band"]).sum()["high"] == pytest.approx(2000, rel=1e-6)
    mean = wt.mean()
    assert wt.max() <= 2.5 * mean * (1 + 1e-6) and wt.min() >= 0.4 * mean * (1 - 1e-6)
    diag = weight_diagnostics(wt, trim=(0.4, 2.5))
    assert diag.n_trimmed >= 1
    assert weight_diagnostics(w).design_effect > diag.design_effect
    assert "d" in data.columns and data.shape == (400, 3)  # input untouched


def test_rake_errors():
    data = pd.DataFrame({"t": ["new", "returning", "vip"], "v": ["high", "normal", "normal"]})
    with pytest.raises(DataError, match=r"margins\['t'\]: level\(s\) \['vip'\] occur"):
        rake(data, {"t": {"new": 0.5, "returning": 0.5}})
    with pytest.raises(AnalysisError, match="one common total"):
        rake(data, {"t": {"new": 10, "returning": 10, "vip": 10},
                    "v": {"high": 10, "normal": 10}})
    with pytest.raises(AnalysisError, match="positive target .* no respondent"):
        rake(data, {"t": {"new": 0.3, "returning": 0.3, "vip": 0.2, "gold": 0.2}})
    with pytest.raises(DataError, match="missing value"):
        rake(data.assign(t=["new", None, "vip"]), {"t": {"new": 0.5, "vip": 0.5}})
    with pytest.raises(DataError, match="not found"):
        rake(data, {"channel": {"app": 1.0}})
    with pytest.raises(ValueError, match="trim must be"):
        rake(data, {"t": {"new": 0.4, "returning": 0.4, "vip": 0.2}}, trim=(2, 3))
    with pytest.raises(TypeError, match="non-empty mapping"):
        rake(data, {})
    # two interacting margins need several cycles: one cycle is not enough
    many = pd.DataFrame({"a": ["x", "x", "x", "y"], "b": ["p", "q", "q", "q"]})
    with pytest.raises(AnalysisError, match="did not converge after 1 iterations"):
        rake(many, {"a": {"x": 0.5, "y": 0.5}, "b": {"p": 0.5, "q": 0.5}}, max_iter=1)
    with pytest.raises(DataError, match=r"population.*level\(s\) \[\('vip', 'normal'\)\]"):
        poststratify(data, {("new", "high"): 1, ("returning", "normal"): 1}, strata=["t", "v"])


def test_weight_diagnostics_kish():
    # Kish (1965, 1992): deff = 1 + CV^2; half the cases at weight 1, half at 2:
    # CV = 0.5 / 1.5, deff = 1.1111, n_eff = 3.6 of 4.
    d = weight_diagnostics(pd.Series([1.0, 2.0, 1.0, 2.0, np.nan]))
    assert d.design_effect == pytest.approx(1 + (0.5 / 1.5) ** 2)
    assert d.effective_n == pytest.approx(3.6)
    assert (d.n, d.n_missing, d.min, d.max, d.ratio_max_min) == (4, 1, 1.0, 2.0, 2.0)
    assert d.to_frame().shape == (1, 13)
    equal = weight_diagnostics(np.full(10, 3.7))
    assert equal.design_effect == pytest.approx(1.0) and equal.effective_n == pytest.approx(10)
    with pytest.raises(DataError, match="negative"):
        weight_diagnostics([1.0, -1.0])
    with pytest.raises(AnalysisError, match="at least one positive weight"):
        weight_diagnostics([0.0, 0.0])
    with pytest.raises(TypeError, match="numeric"):
        weight_diagnostics(["a", "b"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 100.0), min_size=2, max_size=50), st.floats(0.1, 10.0))
def test_property_kish_deff_scale_invariant_and_at_least_one(ws, scale):
    d1 = weight_diagnostics(ws)
    d2 = weight_diagnostics([w * scale for w in ws])
    assert d1.design_effect >= 1 - 1e-12
    assert d2.design_effect == pytest.approx(d1.design_effect, rel=1e-9)
    assert d1.effective_n <= len(ws) + 1e-9

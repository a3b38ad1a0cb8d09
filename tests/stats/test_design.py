"""Tests of csat_research.stats.design: the models' design matrix (dummy coding, listwise
deletion, weights), estimability checks and coefficient table, through
:func:`~csat_research.stats.logit.repurchase_logit` and directly.

Reference numbers: standard normal quantiles and tail areas (z = 1.959964 for 95 %,
two-sided p = 0.0455003 for |z| = 2; any statistical table).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.stats.design import (
    build_design,
    check_estimable,
    normal_table,
    row_patterns,
    stata_robust_factor,
)
from csat_research.stats.logit import repurchase_logit


# --------------------------------------------------------------------------------------
# design matrix: missing data, dummy coding, inputs untouched
# --------------------------------------------------------------------------------------
def test_listwise_deletion_is_counted_and_warned_and_input_untouched(make_survey):
    df = make_survey(1000, seed=4)
    df.loc[[3, 7, 11], "quality"] = np.nan
    df.loc[[7, 20], "customer_type"] = None
    before = df.copy()
    with pytest.warns(CsatWarning, match=r"dropped 4 of 1000 rows"):
        res = repurchase_logit(
            df, outcome="repurchase", predictors=["quality", "efficiency"], controls=["customer_type"]
        )
    assert res.n_dropped == 4 and res.n_obs == 996
    pd.testing.assert_frame_equal(df, before)


def test_dummy_coding_first_level_reference_and_categorical_order(make_survey):
    df = make_survey(2000, seed=5)
    res = repurchase_logit(
        df, outcome="repurchase", predictors=["quality"], controls=["customer_type", "value_band"]
    )
    assert list(res.coefficients.index) == ["const", "quality", "customer_type[returning]", "value_band[normal]"]
    cat = df.assign(value_band=pd.Categorical(df["value_band"], categories=["normal", "high"]))
    res2 = repurchase_logit(cat, outcome="repurchase", predictors=["quality"], controls=["value_band"])
    assert "value_band[high]" in res2.coefficients.index
    assert res2.marginal_effects.loc["value_band[high]", "kind"] == "discrete_change"


def test_build_design_terms_levels_weights_without_fitting(make_survey):
    df = make_survey(200, seed=21)
    df.loc[[0, 1], "quality"] = np.nan
    before = df.copy()
    with pytest.warns(CsatWarning, match=r"^build: dropped 2 of 200 rows"):
        d = build_design(df, outcome="repurchase", predictors=("quality",), controls=("customer_type",),
                         survey_weights="weight", function="build")
    assert d.terms == ("const", "quality", "customer_type[returning]")
    assert d.X.shape == (198, 3) and d.n_dropped == 2
    assert dict(d.levels) == {"customer_type": ("new", "returning")}
    assert d.sources["customer_type[returning]"] == ("customer_type", "returning")
    np.testing.assert_array_equal(d.X[:, 0], 1.0)
    np.testing.assert_array_equal(d.X[:, 2], (df["customer_type"].iloc[2:] == "returning").to_numpy(float))
    np.testing.assert_array_equal(d.survey_weights, df["weight"].iloc[2:].to_numpy())
    np.testing.assert_array_equal(d.y, df["repurchase"].iloc[2:].to_numpy(float))
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------------------
# estimability
# --------------------------------------------------------------------------------------
def test_refuses_missing_columns_naming_them(make_survey):
    df = make_survey(300, seed=12)
    with pytest.raises(AnalysisError, match=r"column\(s\) \['after_sales', 'channel'\] not found"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality", "after_sales"], controls=["channel"])
    with pytest.raises(AnalysisError, match=r"column\(s\) \['repurchased'\] not found"):
        repurchase_logit(df, outcome="repurchased", predictors=["quality"])


def test_refuses_constant_and_collinear_terms(make_survey):
    df = make_survey(1000, seed=13)
    with pytest.raises(AnalysisError, match=r"term 'digital' is constant \(3\)"):
        repurchase_logit(df.assign(digital=3.0), outcome="repurchase", predictors=["quality", "digital"])
    df["quality2"] = 2 * df["quality"] + 1
    with pytest.raises(AnalysisError, match=r"perfectly collinear .*'quality2'|perfectly collinear .*'quality'"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality", "quality2"])


def test_check_estimable_directly(make_survey):
    df = make_survey(300, seed=22).assign(quality2=lambda f: f["quality"] - f["efficiency"])
    d = build_design(df, outcome="repurchase", predictors=("quality", "efficiency", "quality2"), controls=(),
                     survey_weights=None, function="build")
    with pytest.raises(AnalysisError, match=r"perfectly collinear \(rank 3 < 4 terms\)"):
        check_estimable(d)
    ok = build_design(df, outcome="repurchase", predictors=("quality", "efficiency"), controls=(),
                      survey_weights=None, function="build")
    assert check_estimable(ok) is None


# --------------------------------------------------------------------------------------
# coefficient table and robust factor
# --------------------------------------------------------------------------------------
def test_normal_table_wald_columns_and_robust_factor():
    tab = normal_table(np.array([0.5, -1.0]), np.diag([0.04, 0.25]), ["const", "x"], 0.95)
    assert list(tab.columns) == ["coef", "se", "z", "p_value", "ci_low", "ci_high", "odds_ratio",
                                 "or_ci_low", "or_ci_high"]
    assert list(tab.index) == ["const", "x"] and tab.index.name == "term"
    row = tab.loc["x"]
    assert row["se"] == pytest.approx(0.5) and row["z"] == pytest.approx(-2.0)
    assert row["p_value"] == pytest.approx(0.0455003, abs=5e-8)
    assert row["ci_low"] == pytest.approx(-1.0 - 1.959964 * 0.5, abs=5e-7)
    assert row["ci_high"] == pytest.approx(-1.0 + 1.959964 * 0.5, abs=5e-7)
    assert row["odds_ratio"] == pytest.approx(math.exp(-1.0))
    assert row["or_ci_low"] == pytest.approx(math.exp(row["ci_low"]))
    assert stata_robust_factor(32) == pytest.approx(32 / 31) and stata_robust_factor(1) == 1.0


@pytest.mark.parametrize("seed", [0, 1])
def test_row_patterns_are_numpy_unique_rows_with_counts(seed):
    # the distinct (row, weight) patterns in numpy.unique(axis=0)'s lexicographic order, each with
    # the first row of its kind and its count; -0.0 and 0.0 are one value; a continuous column
    # (every value distinct) and the mixed-radix key's overflow fallback give the same
    rng = np.random.default_rng(seed)
    n = 3000
    Z = np.column_stack([rng.integers(1, 6, n), rng.integers(1, 4, n), rng.choice([-0.0, 0.0, 1.5], n)]).astype(float)
    w = rng.choice([0.5, 1.0, 2.0], n)
    for data in (Z, np.column_stack([Z, rng.normal(size=n).round(1)])):
        uniq, first, counts = np.unique(np.column_stack([data, w]), axis=0, return_index=True, return_counts=True)
        Zu, wu, cu = row_patterns(data, w)
        np.testing.assert_array_equal(Zu, uniq[:, :-1])
        np.testing.assert_array_equal(wu, uniq[:, -1])
        np.testing.assert_array_equal(cu, counts)
        assert cu.sum() == n
    wide = rng.normal(size=(400, 4))  # 400**5 > 2**62: the fallback
    uniq, counts = np.unique(np.column_stack([wide, np.ones(400)]), axis=0, return_counts=True)
    Zu, wu, cu = row_patterns(wide, np.ones(400))
    np.testing.assert_array_equal(Zu, uniq[:, :-1])
    np.testing.assert_array_equal(cu, counts)

"""Tests of csat_research.stats.item_moments (input checks, missing-data policies, the one-pass
covariance summary), through the public statistics that use it.

Data: tests/fixtures/pingouin_cronbach_wide_missing.csv (pingouin 0.7.0, see test_alpha.py) and
seeded Likert data (tests/stats/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import AnalysisError, CsatWarning, DataError, ParamsError
from csat_research.stats.alpha import cronbach_alpha, item_total
from csat_research.stats.omega import omega


def test_pairwise_covariance_matches_pandas(likert):
    df = likert(21, n=90, k=4)
    df.iloc[::4, 1] = np.nan
    df.iloc[::6, 3] = np.nan
    c = df.cov()  # pandas: pairwise-complete, per-pair means (as R use = "pairwise")
    k = 4
    want = k / (k - 1) * (1 - np.trace(c) / c.to_numpy().sum())
    assert cronbach_alpha(df, missing="pairwise").alpha == pytest.approx(want, rel=1e-12)
    tab = item_total(df, missing="pairwise")
    assert tab["n"].tolist() == df.notna().sum().tolist()
    np.testing.assert_allclose(tab["mean"], df.mean(), rtol=1e-12)
    np.testing.assert_allclose(tab["sd"], df.std(), rtol=1e-12)


def test_input_frame_untouched(pingouin_missing):
    before = pingouin_missing.copy()
    with pytest.warns(CsatWarning):
        cronbach_alpha(pingouin_missing, missing="pairwise")
    with pytest.warns(CsatWarning):
        item_total(pingouin_missing)
    with pytest.warns(CsatWarning, match=r"Heywood case - 1 of 4 item\(s\) \['Q8'\]"):
        res = omega(pingouin_missing, items=["Q5", "Q6", "Q7", "Q8"], missing="pairwise")
    assert res.heywood and res.missing == "pairwise"
    pd.testing.assert_frame_equal(pingouin_missing, before)


def test_nullable_integer_columns(likert):
    df = likert(8, n=60, k=4).astype("Int64")
    df.iloc[0, 0] = pd.NA
    with pytest.warns(CsatWarning, match="dropped 1 of 60"):
        res = cronbach_alpha(df)
    assert res.n_obs == 59


def test_errors_data_type_and_columns(hs_items, hs):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame; got ndarray"):
        cronbach_alpha(hs[hs_items].to_numpy())
    with pytest.raises(TypeError, match=r"non-numeric column\(s\).*'school'"):
        cronbach_alpha(hs, items=["x1", "x2", "school"])
    with pytest.raises(DataError, match=r"not in `data`: \['q9'\]"):
        cronbach_alpha(hs, items=["x1", "q9"])
    with pytest.raises(TypeError, match="`items` must be a list of column names"):
        cronbach_alpha(hs, items="x1")
    with pytest.raises(ParamsError, match=r"more than once: \['x1'\]"):
        cronbach_alpha(hs, items=["x1", "x1", "x2"])


def test_errors_constant_empty_infinite(likert):
    df = likert(2, n=50, k=4)
    const = df.assign(q2=3.0)
    with pytest.raises(AnalysisError, match=r"\['q2'\] have zero variance among the 50 respondents"):
        cronbach_alpha(const)
    empty = df.assign(q3=np.nan)
    with pytest.raises(AnalysisError, match=r"\['q3'\] have no answers at all \(50 rows"):
        cronbach_alpha(empty)
    inf = df.assign(q1=df["q1"].where(df.index != 3, np.inf))
    with pytest.raises(DataError, match=r"\['q1'\] contain infinite values"):
        cronbach_alpha(inf)
    sparse = df.copy()
    sparse.loc[:, "q1"] = np.where(df.index < 25, df["q1"], np.nan)
    sparse.loc[:, "q2"] = np.where(df.index >= 24, df["q2"], np.nan)
    with pytest.raises(AnalysisError, match="'q1' and 'q2' rests on 1 respondent"):
        cronbach_alpha(sparse, missing="pairwise")
    with pytest.raises(AnalysisError, match="listwise deletion left 1 of 50 rows"):
        cronbach_alpha(sparse)


def test_error_hierarchy(likert):
    from csat_research.core.errors import CsatError

    assert issubclass(AnalysisError, CsatError) and issubclass(AnalysisError, ValueError)
    with pytest.raises(ValueError):
        cronbach_alpha(likert(1, n=30, k=4).assign(q1=2.0))


def test_errors_sizes(likert):
    df = likert(1, n=30, k=4)
    with pytest.raises(AnalysisError, match="at least 2 items.*has 1"):
        cronbach_alpha(df, items=["q1"])
    with pytest.raises(AnalysisError, match="at least 3 respondents; got 2"):
        cronbach_alpha(df.iloc[:2])


def test_errors_parameters(likert):
    df = likert(3, n=30, k=4)
    with pytest.raises(ParamsError, match="`missing` must be one of 'listwise', 'pairwise'; got 'all'"):
        cronbach_alpha(df, missing="all")
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\), e\.g\. 0\.95; got 95"):
        cronbach_alpha(df, confidence=95)

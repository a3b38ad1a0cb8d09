"""Headline estimates (top-2-box, mean CI, NPS): published reference values, properties, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from csat_research.core.errors import AnalysisError, CsatError, CsatWarning, DataError
from csat_research.stats.estimates import mean_ci, nps, top2box

SETTINGS = settings(max_examples=60, deadline=None)


@pytest.fixture(autouse=True)
def _quiet_small_base():
    # Small-base warnings are tested explicitly; elsewhere they are noise.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*small base.*", category=CsatWarning)
        yield


def _binary(k: int, n: int) -> pd.Series:
    return pd.Series([5.0] * k + [2.0] * (n - k))


# --------------------------------------------------------------------------- top2box
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Statist. Med. 17:857-872, Table I, method 3 (Wilson score, no CC):
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_top2box_wilson_matches_newcombe_1998(k, n, low, high):
    r = top2box(_binary(k, n))
    assert r.share == pytest.approx(k / n)
    assert r.n == n and r.n_top == k and r.n_eff == n and not r.weighted
    assert r.ci_low == pytest.approx(low, abs=5e-5)  # printed to 4 decimals
    assert r.ci_high == pytest.approx(high, abs=5e-5)


def test_top2box_counts_missing_and_top_codes():
    s = pd.Series([5.0, 4.0, 3.0, np.nan, 1.0, np.nan])
    r = top2box(s)
    assert (r.n, r.n_missing, r.share) == (4, 2, 0.5)
    assert top2box(s, top=(5,)).share == 0.25
    frame = r.to_frame()
    assert list(frame.columns) == ["share", "n", "n_eff", "n_top", "ci_low", "ci_high", "confidence", "n_missing", "weighted"]


def test_top2box_weighted_uses_kish_effective_n():
    # p = 2/6, n_eff = (1+1+1+3)^2 / (1+1+1+9) = 3: the Wilson interval of 1 success in 3
    # (Wilson 1927 formula, the same as in Newcombe 1998).
    s = pd.Series([5.0, 5.0, 1.0, 1.0])
    w = pd.Series([1.0, 1.0, 1.0, 3.0])
    r = top2box(s, survey_weights=w)
    ref = top2box(_binary(1, 3))
    assert r.weighted and r.n == 4
    assert r.share == pytest.approx(1 / 3)
    assert r.n_eff == pytest.approx(3.0)
    assert (r.ci_low, r.ci_high) == pytest.approx((ref.ci_low, ref.ci_high))


def test_top2box_equal_weights_equal_unweighted():
    s = _binary(81, 263)
    r = top2box(s, survey_weights=np.full(263, 2.5))
    assert r.ci_low == pytest.approx(0.2553, abs=5e-5)  # Newcombe 1998, Table I
    assert r.ci_high == pytest.approx(0.3662, abs=5e-5)


@given(
    arrays(np.float64, st.integers(1, 60), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0])),
    st.floats(0.5, 0.999),
)
@SETTINGS
def test_top2box_properties(values, level):
    r = top2box(pd.Series(values), confidence=level)
    assert 0 <= r.ci_low <= r.share <= r.ci_high <= 1
    wider = top2box(pd.Series(values), confidence=min(0.9999, level + 0.0001 + (1 - level) / 2))
    assert wider.ci_low <= r.ci_low + 1e-12 and wider.ci_high >= r.ci_high - 1e-12


def test_top2box_warns_small_base():
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.warns(CsatWarning, match=r"top2box: small base, n = 5"):
            top2box(pd.Series([5.0, 4.0, 3.0, 2.0, 1.0]))


def test_top2box_bad_input():
    with pytest.raises(DataError, match=r"1 value\(s\).*outside the scale \[1, 5\]: values \[7\.0\]"):
        top2box(pd.Series([5.0, 7.0]))
    with pytest.raises(AnalysisError, match="no non-missing answer"):
        top2box(pd.Series([np.nan, np.nan]))
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\), e\.g\. 0\.95; got 95"):
        top2box(pd.Series([5.0]), confidence=95)
    with pytest.raises(ValueError, match="`top` must be a non-empty sequence"):
        top2box(pd.Series([5.0]), top=())
    with pytest.raises(ValueError, match=r"`top` codes \[6\.0\] must lie inside `scale`"):
        top2box(pd.Series([5.0]), top=(6,))
    with pytest.raises(DataError, match=r"`survey_weights` must be finite and non-negative; 1 row\(s\)"):
        top2box(pd.Series([5.0, 4.0]), survey_weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="one weight per row"):
        top2box(pd.Series([5.0, 4.0]), survey_weights=[1.0])
    with pytest.raises(ValueError, match=r"no weight for 1 row\(s\)"):
        top2box(pd.Series([5.0, 4.0], index=["a", "b"]), survey_weights=pd.Series([1.0], index=["a"]))
    with pytest.raises(TypeError, match="must be a pandas Series"):
        top2box("5,4")
    with pytest.raises(CsatError):  # every project error derives from CsatError
        top2box(pd.Series(["x", "y"]))


# --------------------------------------------------------------------------- mean_ci
SLEEP_DIFF = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]  # R: sleep$extra[11:20] - sleep$extra[1:10]


def test_mean_ci_matches_r_t_test_sleep():
    # R 4.x: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
    #   t = 4.0621, df = 9, p-value = 0.002833
    #   95 percent confidence interval: 0.7001142 2.4598858
    #   mean difference 1.58
    r = mean_ci(pd.Series(SLEEP_DIFF))
    assert r.mean == pytest.approx(1.58, abs=5e-3)
    assert r.df == 9
    assert r.ci_low == pytest.approx(0.7001142, abs=5e-8)
    assert r.ci_high == pytest.approx(2.4598858, abs=5e-8)
    assert r.mean / r.se == pytest.approx(4.0621, abs=5e-5)  # the t statistic


def test_mean_ci_equal_weights_reduce_to_t_interval():
    r = mean_ci(pd.Series(SLEEP_DIFF), survey_weights=np.full(10, 3.0))
    assert r.weighted
    assert r.ci_low == pytest.approx(0.7001142, abs=5e-8)  # R t.test, as above
    assert r.ci_high == pytest.approx(2.4598858, abs=5e-8)


def test_mean_ci_weighted_se_equals_statsmodels_wls_hc1():
    # Cross-check: the linearisation variance of a weighted mean is the HC1 sandwich variance
    # of the intercept of a WLS regression on a constant (statsmodels).
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(7)
    y = rng.integers(1, 6, 200).astype(float)
    w = rng.uniform(0.3, 3.0, 200)
    r = mean_ci(pd.Series(y), survey_weights=w)
    fit = sm.WLS(y, np.ones(200), weights=w).fit(cov_type="HC1")
    assert r.mean == pytest.approx(fit.params[0], rel=1e-12)
    assert r.se == pytest.approx(fit.bse[0], rel=1e-10)


def test_mean_ci_missing_and_errors():
    r = mean_ci(pd.Series([1.0, np.nan, 3.0]))
    assert (r.n, r.n_missing, r.mean) == (2, 1, 2.0)
    assert list(r.to_frame().columns)[:3] == ["mean", "se", "n"]
    with pytest.raises(AnalysisError, match="at least 2 non-missing values; got 1"):
        mean_ci(pd.Series([1.0, np.nan]))
    with pytest.raises(DataError, match="infinite"):
        mean_ci(pd.Series([1.0, np.inf, 2.0]))
    with pytest.raises(AnalysisError, match="sum to zero"):
        mean_ci(pd.Series([1.0, 2.0]), survey_weights=[0.0, 0.0])


@given(arrays(np.float64, st.integers(2, 50), elements=st.floats(-100, 100)), st.floats(0.01, 100))
@SETTINGS
def test_mean_ci_properties(values, shift):
    r = mean_ci(pd.Series(values))
    assert r.ci_low <= r.mean <= r.ci_high
    moved = mean_ci(pd.Series(values + shift))  # location equivariance
    assert moved.mean == pytest.approx(r.mean + shift, abs=1e-9)
    assert moved.se == pytest.approx(r.se, rel=1e-6, abs=1e-9)


# --------------------------------------------------------------------------- nps
def test_nps_matches_whuber_worked_example():
    # whuber, Cross Validated answer 18609 ("How can I calculate margin of error in a NPS
    # result?", 2011): promoters 1/2, passives 1/3, detractors 1/6 give NPS = 1/3 (33 %),
    # variance per answer 5/9, SD about 0.75; with n = 324 the SE is about 0.75/18 = 4.1 %.
    x = pd.Series([9.0] * 81 + [10.0] * 81 + [7.0] * 54 + [8.0] * 54 + [0.0] * 27 + [6.0] * 27)
    r = nps(x)
    assert r.n == 324
    assert r.nps == pytest.approx(100 / 3, abs=0.5)  # "33"
    assert (r.promoters, r.passives, r.detractors) == pytest.approx((1 / 2, 1 / 3, 1 / 6))
    assert (r.se / 100) ** 2 * r.n == pytest.approx(5 / 9, rel=1e-12)  # exact fraction
    assert math.sqrt(5 / 9) == pytest.approx(0.75, abs=0.005)  # "about 0.75"
    assert r.se == pytest.approx(4.1, abs=0.05)  # "about 4.1"
    z = 1.959963984540054
    assert (r.ci_low, r.ci_high) == pytest.approx((r.nps - z * r.se, r.nps + z * r.se))


def test_nps_classification_boundaries():
    r = nps(pd.Series([0.0, 6.0, 7.0, 8.0, 9.0, 10.0, np.nan]))
    assert (r.detractors, r.passives, r.promoters) == pytest.approx((2 / 6, 2 / 6, 2 / 6))
    assert r.nps == pytest.approx(0.0)
    assert r.n_missing == 1
    assert nps(pd.Series([10.0] * 40)).nps == 100.0
    assert nps(pd.Series([3.0] * 40)).nps == -100.0


def test_nps_weighted_point_estimate_equals_replicated_data():
    x = pd.Series([10.0, 8.0, 2.0])
    w = pd.Series([3.0, 1.0, 2.0])
    r = nps(x, survey_weights=w)
    rep = nps(pd.Series([10.0] * 3 + [8.0] + [2.0] * 2))
    assert r.nps == pytest.approx(rep.nps)
    assert r.n_eff == pytest.approx(36 / 14)  # Kish: (3+1+2)^2 / (9+1+4)


@given(arrays(np.float64, st.integers(1, 80), elements=st.integers(0, 10).map(float)))
@SETTINGS
def test_nps_properties(values):
    r = nps(pd.Series(values))
    assert -100 <= r.ci_low <= r.nps <= r.ci_high <= 100
    assert r.promoters + r.passives + r.detractors == pytest.approx(1.0)
    assert r.se >= 0


def test_nps_refuses_codes_outside_0_10():
    with pytest.raises(DataError, match=r"3 answer\(s\) in `series` \('rec'\) are not whole numbers 0-10: values \[-1\.0, 7\.5, 11\.0\]"):
        nps(pd.Series([10.0, 11.0, -1.0, 7.5, 3.0], name="rec"))
    with pytest.raises(AnalysisError, match="no non-missing answer"):
        nps(pd.Series([np.nan]))
    with pytest.raises(DataError, match="numeric codes"):
        nps(pd.Series(["9", "10"]))

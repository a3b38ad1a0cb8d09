"""Scoring statistics against published reference values, properties and bad input."""

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
from csat_research.stats.scoring import (
    DimensionScoresResult,
    dimension_scores,
    kish_effective_n,
    mean_ci,
    nps,
    overall_index,
    reverse_key,
    score_summary,
    top2box,
)

SETTINGS = settings(max_examples=60, deadline=None)


@pytest.fixture(autouse=True)
def _quiet_small_base():
    # Small-base warnings are tested explicitly; elsewhere they are noise.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*small base.*", category=CsatWarning)
        yield


def _binary(k: int, n: int) -> pd.Series:
    return pd.Series([5.0] * k + [2.0] * (n - k))


# --------------------------------------------------------------------------- reverse_key
def test_reverse_key_maps_codes_and_keeps_missing():
    df = pd.DataFrame({"r": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan], "keep": [1.0] * 6})
    before = df.copy()
    out = reverse_key(df, items=["r"])
    assert out["r"].tolist()[:5] == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert np.isnan(out["r"].iloc[5])
    assert out["keep"].tolist() == df["keep"].tolist()
    pd.testing.assert_frame_equal(df, before)  # input untouched


def test_reverse_key_other_scale():
    df = pd.DataFrame({"r": [0.0, 3.0, 10.0]})
    assert reverse_key(df, items=["r"], scale_min=0, scale_max=10)["r"].tolist() == [10.0, 7.0, 0.0]


@given(arrays(np.float64, st.integers(1, 30), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])))
@SETTINGS
def test_reverse_key_is_an_involution(values):
    df = pd.DataFrame({"q": values})
    twice = reverse_key(reverse_key(df, items=["q"]), items=["q"])
    pd.testing.assert_frame_equal(twice, df)


def test_reverse_key_refuses_codes_off_the_scale():
    df = pd.DataFrame({"r": [1.0, 6.0, 7.0, 6.0]})
    with pytest.raises(DataError, match=r"3 value\(s\).*outside the scale \[1, 5\].*\[6\.0, 7\.0\].*\['r'\]"):
        reverse_key(df, items=["r"])


def test_reverse_key_bad_input():
    df = pd.DataFrame({"r": [1.0]})
    with pytest.raises(DataError, match=r"\['nope'\] named in `items` not found"):
        reverse_key(df, items=["nope"])
    with pytest.raises(TypeError, match="`data` must be a pandas DataFrame; got list"):
        reverse_key([1, 2], items=["r"])
    with pytest.raises(ValueError, match="min < max"):
        reverse_key(df, items=["r"], scale_min=5, scale_max=1)
    with pytest.raises(DataError, match="numeric codes"):
        reverse_key(pd.DataFrame({"r": ["a", "b"]}), items=["r"])


# --------------------------------------------------------------------------- dimension_scores
@pytest.fixture
def survey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "e1": [5.0, 4.0, np.nan, 1.0, np.nan],
            "e2": [4.0, np.nan, np.nan, 1.0, 2.0],
            "e3_r": [1.0, 2.0, np.nan, 5.0, np.nan],  # reverse keyed
            "q1": [3.0, 3.0, 4.0, 2.0, 5.0],
            "q2": [5.0, 3.0, 2.0, 2.0, 5.0],
        },
        index=pd.Index([10, 11, 12, 13, 14], name="rid"),
    )


def test_dimension_scores_hand_computed(survey):
    before = survey.copy()
    with pytest.warns(CsatWarning, match=r"left 2 respondent-dimension score\(s\) missing.*efficiency: 2"):
        res = dimension_scores(
            survey, dimensions={"efficiency": ["e1", "e2", "e3_r"], "quality": ["q1", "q2"]}, reverse=["e3_r"]
        )
    assert isinstance(res, DimensionScoresResult)
    # efficiency: row 10 -> (5 + 4 + (6-1)) / 3; row 11 -> (4 + 4)/2; row 12 none; row 13 (1+1+1)/3;
    # row 14 only one of three answered < ceil(0.5 * 3) = 2 -> missing.
    eff = res.scores["efficiency"]
    assert eff.loc[10] == pytest.approx(14 / 3)
    assert eff.loc[11] == pytest.approx(4.0)
    assert np.isnan(eff.loc[12]) and np.isnan(eff.loc[14])
    assert eff.loc[13] == pytest.approx(1.0)
    assert res.scores["quality"].tolist() == [4.0, 3.0, 3.0, 2.0, 5.0]
    assert list(res.scores.index) == [10, 11, 12, 13, 14]
    cov = res.coverage.set_index("dimension")
    assert cov.loc["efficiency"].to_dict() == {
        "n_items": 3, "min_items": 2, "n": 3, "n_missing": 2, "n_partial": 1, "n_empty": 1
    }
    assert cov.loc["quality", "n_missing"] == 0
    assert res.n_missing == 2
    pd.testing.assert_frame_equal(res.to_frame(), res.coverage)
    pd.testing.assert_frame_equal(survey, before)


def test_pomp_rescaling_published_anchors():
    # POMP (Cohen, Cohen, Aiken & West 1999): (x - min) / (max - min) * 100; on a 1-5 scale
    # 1 -> 0, 2 -> 25, 3 -> 50, 4 -> 75, 5 -> 100 (exact by definition).
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0]})
    res = dimension_scores(df, dimensions={"d": ["a"]})
    assert res.scores_100["d"].tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]
    # 0-10 scale: 7 -> 70
    res10 = dimension_scores(pd.DataFrame({"a": [7.0]}), dimensions={"d": ["a"]}, scale=(0, 10))
    assert res10.scores_100["d"].iloc[0] == pytest.approx(70.0)


def test_min_answered_as_count_and_share(survey):
    dims = {"efficiency": ["e1", "e2", "e3_r"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        all3 = dimension_scores(survey, dimensions=dims, min_answered=3)
        any1 = dimension_scores(survey, dimensions=dims, min_answered=1)
        share1 = dimension_scores(survey, dimensions=dims, min_answered=1.0)
    assert all3.coverage.loc[0, "n"] == 2  # rows 10 and 13 answered all three
    assert any1.coverage.loc[0, "n"] == 4
    assert share1.coverage.loc[0, "min_items"] == 3
    assert any1.scores["efficiency"].loc[14] == 2.0  # 1 answer is enough


def test_dimension_scores_no_warning_when_complete():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", CsatWarning)
        res = dimension_scores(df, dimensions={"d": ["a", "b"]})
    assert res.scores["d"].tolist() == [2.0, 3.0]


@given(
    arrays(np.float64, (12, 4), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])),
    st.permutations([0, 1, 2, 3]),
)
@SETTINGS
def test_dimension_scores_properties(values, perm):
    df = pd.DataFrame(values, columns=["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        res = dimension_scores(df, dimensions={"x": ["a", "b", "c", "d"]}, reverse=["b"])
        cols = [["a", "b", "c", "d"][i] for i in perm]
        res_perm = dimension_scores(df, dimensions={"x": cols}, reverse=["b"])
    s = res.scores["x"].dropna()
    assert ((s >= 1) & (s <= 5)).all()
    s100 = res.scores_100["x"].dropna()
    assert ((s100 >= 0) & (s100 <= 100)).all()
    pd.testing.assert_series_equal(res.scores["x"], res_perm.scores["x"])  # item order irrelevant
    cov = res.coverage.iloc[0]
    assert cov["n"] + cov["n_missing"] == len(df)
    assert cov["n"] == int(res.scores["x"].notna().sum())


def test_dimension_scores_bad_input(survey):
    dims = {"efficiency": ["e1", "e2"]}
    with pytest.raises(DataError, match=r"\['zz'\] named in `dimensions` not found"):
        dimension_scores(survey, dimensions={"efficiency": ["e1", "zz"]})
    with pytest.raises(ValueError, match=r"`reverse` names item\(s\) \['q1'\] that belong to no dimension"):
        dimension_scores(survey, dimensions=dims, reverse=["q1"])
    with pytest.raises(ValueError, match=r"`min_answered` = 3 items is not possible.*allowed 1..2"):
        dimension_scores(survey, dimensions=dims, min_answered=3)
    with pytest.raises(ValueError, match=r"share must lie in \(0, 1\]; got 1.5"):
        dimension_scores(survey, dimensions=dims, min_answered=1.5)
    with pytest.raises(TypeError, match="`min_answered` must be a share"):
        dimension_scores(survey, dimensions=dims, min_answered="half")
    with pytest.raises(ValueError, match=r"lists item\(s\) \['e1'\] more than once"):
        dimension_scores(survey, dimensions={"efficiency": ["e1", "e1"]})
    with pytest.raises(ValueError, match="`dimensions` is empty"):
        dimension_scores(survey, dimensions={})
    with pytest.raises(TypeError, match="`dimensions` must be a mapping"):
        dimension_scores(survey, dimensions=["e1"])
    bad = survey.assign(e1=[9.0, 0.0, 1.0, 1.0, 1.0])
    with pytest.raises(DataError, match=r"2 value\(s\).*outside the scale \[1, 5\]: values \[0\.0, 9\.0\] in column\(s\) \['e1'\]"):
        dimension_scores(bad, dimensions=dims)


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
    assert list(frame.columns) == ["share", "n", "n_eff", "n_top", "ci_low", "ci_high", "ci", "n_missing", "weighted"]


def test_top2box_weighted_uses_kish_effective_n():
    # p = 2/6, n_eff = (1+1+1+3)^2 / (1+1+1+9) = 3: the Wilson interval of 1 success in 3
    # (Wilson 1927 formula, the same as in Newcombe 1998).
    s = pd.Series([5.0, 5.0, 1.0, 1.0])
    w = pd.Series([1.0, 1.0, 1.0, 3.0])
    r = top2box(s, weights=w)
    ref = top2box(_binary(1, 3))
    assert r.weighted and r.n == 4
    assert r.share == pytest.approx(1 / 3)
    assert r.n_eff == pytest.approx(3.0)
    assert (r.ci_low, r.ci_high) == pytest.approx((ref.ci_low, ref.ci_high))


def test_top2box_equal_weights_equal_unweighted():
    s = _binary(81, 263)
    r = top2box(s, weights=np.full(263, 2.5))
    assert r.ci_low == pytest.approx(0.2553, abs=5e-5)  # Newcombe 1998, Table I
    assert r.ci_high == pytest.approx(0.3662, abs=5e-5)


def test_kish_effective_n():
    assert kish_effective_n([2, 2, 2]) == pytest.approx(3.0)
    assert kish_effective_n([1, 3]) == pytest.approx(16 / 10)  # (1+3)^2 / (1+9)
    with pytest.raises(ValueError, match="non-negative and not all zero"):
        kish_effective_n([0, 0])


@given(
    arrays(np.float64, st.integers(1, 60), elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0])),
    st.floats(0.5, 0.999),
)
@SETTINGS
def test_top2box_properties(values, level):
    r = top2box(pd.Series(values), ci=level)
    assert 0 <= r.ci_low <= r.share <= r.ci_high <= 1
    wider = top2box(pd.Series(values), ci=min(0.9999, level + 0.0001 + (1 - level) / 2))
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
    with pytest.raises(ValueError, match=r"`ci` must lie in \(0, 1\)"):
        top2box(pd.Series([5.0]), ci=95)
    with pytest.raises(ValueError, match="`top` must be a non-empty sequence"):
        top2box(pd.Series([5.0]), top=())
    with pytest.raises(ValueError, match=r"`top` codes \[6\.0\] must lie inside `scale`"):
        top2box(pd.Series([5.0]), top=(6,))
    with pytest.raises(DataError, match=r"`weights` must be finite and non-negative; 1 row\(s\)"):
        top2box(pd.Series([5.0, 4.0]), weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="one weight per row"):
        top2box(pd.Series([5.0, 4.0]), weights=[1.0])
    with pytest.raises(ValueError, match=r"no weight for 1 row\(s\)"):
        top2box(pd.Series([5.0, 4.0], index=["a", "b"]), weights=pd.Series([1.0], index=["a"]))
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
    r = mean_ci(pd.Series(SLEEP_DIFF), weights=np.full(10, 3.0))
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
    r = mean_ci(pd.Series(y), weights=w)
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
        mean_ci(pd.Series([1.0, 2.0]), weights=[0.0, 0.0])


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
    r = nps(x, weights=w)
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


# --------------------------------------------------------------------------- overall_index
def test_overall_index_hand_computed_and_linearity():
    s = pd.DataFrame({"efficiency": [4.0, 3.0, 5.0], "quality": [5.0, 2.0, 4.0]}, index=["a", "b", "c"])
    r = overall_index(s, weights={"efficiency": 0.3, "quality": 0.7})
    assert r.index.tolist() == pytest.approx([4.7, 2.3, 4.3])
    assert r.overall == pytest.approx(0.3 * 4 + 0.7 * 11 / 3)
    assert r.overall == pytest.approx(r.index.mean())  # complete data: linearity
    assert (r.n, r.n_complete, r.n_incomplete) == (3, 3, 0)
    frame = r.to_frame()
    assert frame["contribution"].sum() == pytest.approx(r.overall)
    assert list(frame.columns) == ["dimension", "weight", "mean", "contribution"]


def test_overall_index_missing_and_survey_weights():
    s = pd.DataFrame({"e": [4.0, np.nan, 2.0], "q": [5.0, 3.0, 1.0]})
    r = overall_index(s, weights={"e": 0.5, "q": 0.5}, survey_weights=[1.0, 1.0, 3.0])
    assert np.isnan(r.index.iloc[1])
    assert (r.n_complete, r.n_incomplete) == (2, 1)
    assert r.dimension_means["e"] == pytest.approx((4 + 6) / 4)
    assert r.dimension_means["q"] == pytest.approx((5 + 3 + 3) / 5)


def test_overall_index_accepts_dimension_scores_result():
    df = pd.DataFrame({"a": [1.0, 5.0], "b": [3.0, 3.0]})
    res = dimension_scores(df, dimensions={"x": ["a"], "y": ["b"]})
    assert overall_index(res, weights={"x": 0.5, "y": 0.5}).index.tolist() == [2.0, 4.0]


def test_overall_index_validates_weights():
    s = pd.DataFrame({"e": [4.0], "q": [5.0]})
    with pytest.raises(ValueError, match=r"must sum to 1 \(within 1e-06\); they sum to 1.1"):
        overall_index(s, weights={"e": 0.5, "q": 0.6})
    with pytest.raises(ValueError, match=r"missing \['q'\], unexpected \['x'\]"):
        overall_index(s, weights={"e": 0.5, "x": 0.5})
    with pytest.raises(ValueError, match="must be positive and finite"):
        overall_index(s, weights={"e": 1.5, "q": -0.5})
    with pytest.raises(TypeError, match="must be a mapping"):
        overall_index(s, weights=[0.5, 0.5])
    # within tolerance is fine
    assert overall_index(s, weights={"e": 0.5, "q": 0.5 + 5e-7}).n == 1


# --------------------------------------------------------------------------- score_summary
def test_score_summary_agrees_with_its_parts(survey):
    dims = {"efficiency": ["e1", "e2", "e3_r"], "quality": ["q1", "q2"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        t = score_summary(survey, dimensions=dims, reverse=["e3_r"])
        res = dimension_scores(survey, dimensions=dims, reverse=["e3_r"])
    assert list(t.columns) == [
        "dimension", "n_items", "n", "n_missing", "n_eff", "mean", "se", "ci_low", "ci_high",
        "score_100", "top2box", "top2box_ci_low", "top2box_ci_high",
    ]
    row = t.set_index("dimension").loc["quality"]
    m = mean_ci(res.scores["quality"])
    assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx((m.mean, m.ci_low, m.ci_high))
    assert row["score_100"] == pytest.approx((m.mean - 1) / 4 * 100)
    assert row["top2box"] == pytest.approx(2 / 5)  # scores 4.0 and 5.0 are >= 4
    assert row["n"] == 5 and t.set_index("dimension").loc["efficiency", "n_missing"] == 2


def test_score_summary_honours_weight_column():
    df = pd.DataFrame({"a": [5.0, 1.0, 5.0, 1.0], "weight": [3.0, 1.0, 3.0, 1.0]})
    t = score_summary(df, dimensions={"d": ["a"]}, weights="weight")
    assert t.loc[0, "mean"] == pytest.approx((15 + 1 + 15 + 1) / 8)
    assert t.loc[0, "top2box"] == pytest.approx(0.75)
    assert t.loc[0, "n_eff"] == pytest.approx(64 / 20)
    unweighted = score_summary(df, dimensions={"d": ["a"]})
    assert unweighted.loc[0, "mean"] == pytest.approx(3.0)
    with pytest.raises(DataError, match=r"\['wt'\] named in `weights` not found"):
        score_summary(df, dimensions={"d": ["a"]}, weights="wt")
    with pytest.raises(ValueError, match="`top` = 6 must lie inside `scale`"):
        score_summary(df, dimensions={"d": ["a"]}, top=6)


def test_score_summary_too_few_scored_warns_and_leaves_missing():
    df = pd.DataFrame({"a": [5.0, np.nan, np.nan]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = score_summary(df, dimensions={"d": ["a"]})
    messages = [str(w.message) for w in caught if issubclass(w.category, CsatWarning)]
    assert any("dimension 'd' has 1 scored respondent" in m for m in messages)
    assert any("left 2 respondent-dimension score(s) missing out of 3" in m for m in messages)
    assert t.loc[0, "n"] == 1 and np.isnan(t.loc[0, "mean"])

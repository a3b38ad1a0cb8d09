"""Scale scores against hand-computed and published values, properties and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from csat_research.core.errors import CsatWarning, DataError
from csat_research.stats.estimates import mean_ci
from csat_research.stats.scoring import (
    DimensionScoresResult,
    dimension_scores,
    overall_index,
    reverse_key,
    score_summary,
)

SETTINGS = settings(max_examples=60, deadline=None)


@pytest.fixture(autouse=True)
def _quiet_small_base():
    # Small-base warnings are tested explicitly; elsewhere they are noise.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*small base.*", category=CsatWarning)
        yield


# --------------------------------------------------------------------------- reverse_key
def test_reverse_key_maps_codes_and_keeps_missing():
    df = pd.DataFrame({"r": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan], "keep": [1.0] * 6})
    before = df.copy()
    out = reverse_key(df, items=["r"])
    assert out["r"].tolist()[:5] == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert np.isnan(out["r"].iloc[5])
    assert out["keep"].tolist() == df["keep"].tolist()
    pd.testing.assert_frame_equal(df, before)  # input untouched


def test_reverse_key_result_and_input_stay_apart():
    """The result shares the untouched columns with the input (no deep copy), yet writing into
    either one leaves the other as it was."""
    df = pd.DataFrame({"r": [1.0, 2.0], "keep": [3.0, 4.0]})
    out = reverse_key(df, items=["r"])
    out.loc[0, "keep"] = 9.0
    out.loc[1, "r"] = 1.0
    assert df["keep"].tolist() == [3.0, 4.0] and df["r"].tolist() == [1.0, 2.0]
    df.loc[1, "keep"] = 7.0
    assert out["keep"].tolist() == [9.0, 4.0] and out["r"].tolist() == [5.0, 1.0]


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


# --------------------------------------------------------------------------- overall_index
def test_overall_index_hand_computed_and_linearity():
    s = pd.DataFrame({"efficiency": [4.0, 3.0, 5.0], "quality": [5.0, 2.0, 4.0]}, index=["a", "b", "c"])
    r = overall_index(s, index_weights={"efficiency": 0.3, "quality": 0.7})
    assert r.index.tolist() == pytest.approx([4.7, 2.3, 4.3])
    assert r.overall == pytest.approx(0.3 * 4 + 0.7 * 11 / 3)
    assert r.overall == pytest.approx(r.index.mean())  # complete data: linearity
    assert (r.n, r.n_complete, r.n_incomplete) == (3, 3, 0)
    frame = r.to_frame()
    assert frame["contribution"].sum() == pytest.approx(r.overall)
    assert list(frame.columns) == ["dimension", "weight", "mean", "contribution"]


def test_overall_index_missing_and_survey_weights():
    s = pd.DataFrame({"e": [4.0, np.nan, 2.0], "q": [5.0, 3.0, 1.0]})
    r = overall_index(s, index_weights={"e": 0.5, "q": 0.5}, survey_weights=[1.0, 1.0, 3.0])
    assert np.isnan(r.index.iloc[1])
    assert (r.n_complete, r.n_incomplete) == (2, 1)
    assert r.dimension_means["e"] == pytest.approx((4 + 6) / 4)
    assert r.dimension_means["q"] == pytest.approx((5 + 3 + 3) / 5)


def test_overall_index_accepts_dimension_scores_result():
    df = pd.DataFrame({"a": [1.0, 5.0], "b": [3.0, 3.0]})
    res = dimension_scores(df, dimensions={"x": ["a"], "y": ["b"]})
    assert overall_index(res, index_weights={"x": 0.5, "y": 0.5}).index.tolist() == [2.0, 4.0]


def test_overall_index_validates_weights():
    s = pd.DataFrame({"e": [4.0], "q": [5.0]})
    with pytest.raises(ValueError, match=r"`index_weights` must sum to 1 \(within 1e-06\); they sum to 1.1"):
        overall_index(s, index_weights={"e": 0.5, "q": 0.6})
    with pytest.raises(ValueError, match=r"missing \['q'\], unexpected \['x'\]"):
        overall_index(s, index_weights={"e": 0.5, "x": 0.5})
    with pytest.raises(ValueError, match="`index_weights` must be positive and finite"):
        overall_index(s, index_weights={"e": 1.5, "q": -0.5})
    with pytest.raises(TypeError, match="`index_weights` must be a mapping"):
        overall_index(s, index_weights=[0.5, 0.5])
    # within tolerance is fine
    assert overall_index(s, index_weights={"e": 0.5, "q": 0.5 + 5e-7}).n == 1


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
    t = score_summary(df, dimensions={"d": ["a"]}, survey_weights="weight")
    assert t.loc[0, "mean"] == pytest.approx((15 + 1 + 15 + 1) / 8)
    assert t.loc[0, "top2box"] == pytest.approx(0.75)
    assert t.loc[0, "n_eff"] == pytest.approx(64 / 20)
    unweighted = score_summary(df, dimensions={"d": ["a"]})
    assert unweighted.loc[0, "mean"] == pytest.approx(3.0)
    with pytest.raises(DataError, match=r"\['wt'\] named in `survey_weights` not found"):
        score_summary(df, dimensions={"d": ["a"]}, survey_weights="wt")
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

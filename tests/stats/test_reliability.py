"""Tests of csat_research.stats.reliability: the per-dimension table equals the single
statistics (validated in test_alpha.py / test_omega.py) and the verdict applies its thresholds.

Data: HolzingerSwineford1939 ships with semopy (``semopy.examples.holzinger39``), 301 rows,
identical to lavaan's; seeded Likert data (tests/stats/conftest.py).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import CsatWarning, ParamsError
from csat_research.io.params import DEFAULT_THRESHOLDS
from csat_research.stats.alpha import cronbach_alpha
from csat_research.stats.omega import omega
from csat_research.stats.reliability import reliability_verdict, scale_reliability


def test_scale_reliability_equals_single_functions(hs_model, hs_items, hs):
    tab = scale_reliability(hs, hs_model).set_index("dimension")
    assert list(tab.index) == ["visual", "textual", "speed", "overall"]
    for dim, its in list(hs_model.items()) + [("overall", hs_items)]:
        a = cronbach_alpha(hs, items=its)
        assert tab.loc[dim, "alpha"] == pytest.approx(a.alpha_raw, rel=1e-12)
        assert tab.loc[dim, "alpha_std"] == pytest.approx(a.alpha_std, rel=1e-12)
        assert tab.loc[dim, "ci_low"] == pytest.approx(a.ci_low, rel=1e-12)
        assert tab.loc[dim, "ci_high"] == pytest.approx(a.ci_high, rel=1e-12)
        assert tab.loc[dim, "omega"] == pytest.approx(omega(hs, items=its).omega, rel=1e-9)
        assert tab.loc[dim, "n_items"] == len(its) and tab.loc[dim, "n_obs"] == 301
    # psych raw_alpha of the three factors (native-R values, test_alpha.py)
    np.testing.assert_allclose(tab["alpha"].iloc[:3], [0.6261171319, 0.8827069129, 0.6884550230], atol=5e-11)


def test_scale_reliability_listwise_per_dimension(likert):
    df = likert(11, n=200, k=6)
    df.loc[:9, "q1"] = np.nan  # 10 missing in the first dimension only
    dims = {"a": ["q1", "q2", "q3"], "b": ["q4", "q5", "q6"]}
    with pytest.warns(CsatWarning, match="dropped 10 of 200"):
        tab = scale_reliability(df, dims).set_index("dimension")
    assert tab.loc["a", "n_obs"] == 190 and tab.loc["a", "n_dropped"] == 10
    assert tab.loc["b", "n_obs"] == 200 and tab.loc["b", "n_dropped"] == 0
    assert tab.loc["overall", "n_obs"] == 190
    with pytest.warns(CsatWarning):
        single = cronbach_alpha(df, items=dims["a"])
    assert tab.loc["a", "alpha"] == pytest.approx(single.alpha, rel=1e-12)


def test_scale_reliability_pairwise(likert):
    df = likert(12, n=150, k=6)
    df.iloc[::7, 0] = np.nan
    df.iloc[::5, 4] = np.nan
    dims = {"a": ["q1", "q2", "q3"], "b": ["q4", "q5", "q6"]}
    tab = scale_reliability(df, dims, missing="pairwise").set_index("dimension")
    for dim, its in dims.items():
        assert tab.loc[dim, "alpha"] == pytest.approx(
            cronbach_alpha(df, items=its, missing="pairwise").alpha, rel=1e-12
        )


def test_scale_reliability_two_item_dimension_warns(likert):
    df = likert(13, n=120, k=5)
    with pytest.warns(CsatWarning, match=r"omega needs 3 or more items.*omega reported as NaN"):
        tab = scale_reliability(df, {"a": ["q1", "q2"], "b": ["q3", "q4", "q5"]}, overall=False)
    assert math.isnan(tab.loc[0, "omega"]) and not math.isnan(tab.loc[1, "omega"])
    assert list(tab["dimension"]) == ["a", "b"]


def test_verdict_thresholds_and_layout(hs_model, hs, hs_fit):
    tab = scale_reliability(hs, hs_model)
    v = reliability_verdict(hs_fit, scale=tab, **DEFAULT_THRESHOLDS)
    assert list(v.columns) == ["scope", "statistic", "value", "rule", "threshold", "pass"]
    model = v[v["scope"] == "model"].set_index("statistic")
    # CFI 0.931 >= .90 passes, TLI 0.896 fails, RMSEA 0.092 > .08 fails, SRMR 0.065 passes
    assert model["pass"].to_dict() == {"cfi": True, "tli": False, "rmsea": False, "srmr": True}
    cr = v[v["statistic"] == "composite_reliability"].set_index("scope")["pass"].to_dict()
    assert cr == {"visual": False, "textual": True, "speed": False}  # 0.612, 0.885, 0.686 vs .70
    assert v[v["statistic"] == "htmt"]["pass"].all()
    assert (v[v["statistic"] == "fornell_larcker"]["pass"]).all()
    assert len(v) == 8 + 4 + 9 + 3  # scale rows, model rows, factor rows, htmt pairs
    # configurable: a lenient TLI flips that row; a strict HTMT fails every pair
    v2 = reliability_verdict(hs_fit, tli=0.85, htmt=0.2)
    assert v2.set_index(["scope", "statistic"]).loc[("model", "tli"), "pass"]
    assert not v2[v2["statistic"] == "htmt"]["pass"].any()


def test_verdict_nan_never_passes():
    tab = pd.DataFrame({"dimension": ["a"], "alpha": [0.9], "omega": [float("nan")]})
    v = reliability_verdict(scale=tab)
    assert v["pass"].tolist() == [True, False]


def test_no_warning_on_clean_data(hs_model, hs_items, hs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CsatWarning)
        cronbach_alpha(hs, items=hs_items)
        omega(hs, items=hs_items)
        scale_reliability(hs, hs_model)


def test_errors_verdict(hs_fit):
    with pytest.raises(ParamsError, match="needs `result`.*got neither"):
        reliability_verdict()
    with pytest.raises(TypeError, match="`result` must be a CFAResult"):
        reliability_verdict({"cfi": 0.9})
    with pytest.raises(TypeError, match="threshold `cfi` must be a number"):
        reliability_verdict(hs_fit, cfi="high")
    with pytest.raises(ParamsError, match=r"`scale` must have columns \['alpha', 'dimension', 'omega'\]"):
        reliability_verdict(scale=pd.DataFrame({"a": [1]}))

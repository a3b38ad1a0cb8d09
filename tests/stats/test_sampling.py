"""Tests of csat_research.stats.sampling: allocation against textbook values, rounding, drawing."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.stats.sampling import largest_remainder, sample_plan

# Scheaffer, Mendenhall & Ott, Elementary Survey Sampling, ch. 5 (television-viewing
# survey): town A N1 = 1550, town B N2 = 620, rural N3 = 930; S^2 ~ 25, 225, 100;
# cost per interview 9, 9, 16; n = 58.
TV = pd.DataFrame({"area": ["A"] * 1550 + ["B"] * 620 + ["C"] * 930})
TV_SD = {"A": 5.0, "B": 15.0, "C": 10.0}
TV_COST = {"A": 9.0, "B": 9.0, "C": 16.0}


def _customers(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": [f"C{i:05d}" for i in range(n)],
        "customer_type": rng.choice(["new", "returning"], n, p=[0.3, 0.7]),
        "frequency_band": rng.choice(["low", "high"], n, p=[0.6, 0.4]),
        "value_band": rng.choice(["normal", "high"], n, p=[0.93, 0.07]),
        "last_csat": rng.normal(3.5, 1.0, n),
    })


def test_optimum_allocation_scheaffer_tv_example():
    plan = sample_plan(TV, strata=("area",), n=58, allocation="neyman", sd=TV_SD,
                       cost=TV_COST, protect=None, min_per_stratum=0)
    # Scheaffer et al.: N_h S_h / sqrt(c_h) = 2583.33, 3100.00, 2325.00 (sum 8008.33),
    # so n_h = 58 * (2583.33, 3100.00, 2325.00) / 8008.33.
    expected = 58 * np.array([2583.33, 3100.00, 2325.00]) / 8008.33
    np.testing.assert_allclose(plan.table["n_exact"], expected, atol=5e-3)
    assert plan.table["n_alloc"].tolist() == [19, 22, 17]
    assert plan.table["n_alloc"].sum() == 58


def test_neyman_allocation_equal_costs():
    plan = sample_plan(TV, strata=("area",), n=58, allocation="neyman", sd=TV_SD,
                       protect=None, min_per_stratum=0)
    # N_h S_h = 1550*5, 620*15, 930*10 = 7750, 9300, 9300 (sum 26350).
    np.testing.assert_allclose(plan.table["n_exact"],
                               58 * np.array([7750, 9300, 9300]) / 26350, rtol=1e-12)
    # 17.06, 20.47, 20.47: floors 17, 20, 20; the tied remainders go to the earlier stratum
    assert plan.table["n_alloc"].tolist() == [17, 21, 20]
    assert plan.table["n_alloc"].sum() == 58
    np.testing.assert_allclose(plan.table["design_weight"],
                               plan.table["N"] / plan.table["n_alloc"])


def test_neyman_sd_from_a_frame_column():
    frame = pd.DataFrame({"s": ["a"] * 4 + ["b"] * 4, "y": [1, 2, 3, 4, 2, 2, 2, 6.0]})
    plan = sample_plan(frame, strata=("s",), n=4, allocation="neyman", sd="y", protect=None,
                       min_per_stratum=0)
    np.testing.assert_allclose(plan.table["sd"], [np.std([1, 2, 3, 4], ddof=1), 2.0])


def test_largest_remainder_hare_example():
    # Wikipedia, "Largest remainder method", Hare quota example: 47,000 / 16,000 / 15,800 /
    # 12,000 / 6,100 / 3,100 votes, 10 seats -> 5, 2, 1, 1, 1, 0.
    votes = pd.DataFrame({"party": np.repeat(["Yellows", "Whites", "Reds", "Greens", "Blues",
                                              "Pinks"], [470, 160, 158, 120, 61, 31])})
    plan = sample_plan(votes, strata=("party",), n=10, protect=None, min_per_stratum=0)
    got = dict(zip(plan.table["party"], plan.table["n_alloc"]))
    assert got == {"Yellows": 5, "Whites": 2, "Reds": 1, "Greens": 1, "Blues": 1, "Pinks": 0}
    assert np.isnan(plan.table.set_index("party").at["Pinks", "design_weight"])
    assert largest_remainder([4.7, 1.6, 1.58, 1.2, 0.61, 0.31], 10).tolist() == [5, 2, 1, 1, 1, 0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=1, max_size=12), st.data())
def test_property_proportional_allocation_sums_to_n_and_is_within_one(sizes, data):
    total = sum(sizes)
    n = data.draw(st.integers(1, total))
    frame = pd.DataFrame({"s": np.repeat([f"s{i:02d}" for i in range(len(sizes))], sizes)})
    plan = sample_plan(frame, strata=("s",), n=n, protect=None, min_per_stratum=0)
    t = plan.table
    assert t["n_alloc"].sum() == n
    assert (t["n_alloc"] <= t["N"]).all()
    # Hamilton rounding never moves a stratum by a whole unit or more
    assert (np.abs(t["n_alloc"] - t["N"] * n / total) < 1).all()


@pytest.mark.filterwarnings("ignore:sample_plan.*taken whole:csat_research.core.errors.CsatWarning")
def test_default_strata_protect_high_value_minimum():
    frame = _customers()
    plan = sample_plan(frame, n=300, min_per_stratum=30)
    t = plan.table
    assert list(t.columns[:3]) == ["customer_type", "frequency_band", "value_band"]
    assert len(t) == 8 and t["n_alloc"].sum() == 300
    high = t[t["value_band"] == "high"]
    assert high["protected"].all() and not t.loc[t["value_band"] == "normal", "protected"].any()
    assert (high["n_alloc"] >= np.minimum(30, high["N"])).all()
    # normal-value strata share the rest proportionally to N
    normal = t[t["value_band"] == "normal"]
    ratio = normal["n_exact"] / normal["N"]
    np.testing.assert_allclose(ratio, ratio.iloc[0])


@pytest.mark.filterwarnings("ignore:sample_plan.*taken whole:csat_research.core.errors.CsatWarning")
def test_minimum_allocation_gives_every_stratum_its_minimum():
    plan = sample_plan(_customers(), n=400, allocation="minimum", min_per_stratum=30)
    t = plan.table
    assert (t["n_alloc"] >= np.minimum(30, t["N"])).all() and t["n_alloc"].sum() == 400


@pytest.mark.filterwarnings("ignore:sample_plan.*taken whole:csat_research.core.errors.CsatWarning")
def test_exclusion_of_recent_participants_and_seeded_draw():
    frame = _customers(1000, seed=4)
    dates = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    dates.iloc[:50] = pd.Timestamp("2026-05-01")  # 61 days before as_of: excluded
    dates.iloc[50:80] = pd.Timestamp("2025-11-01")  # 242 days before: eligible again
    frame["last_survey"] = dates
    before = frame.copy()
    with pytest.warns(CsatWarning, match="50 of 1000 customers excluded"):
        plan = sample_plan(frame, n=150, exclude_recent="last_survey", as_of="2026-07-01",
                           min_per_stratum=10)
    assert (plan.n_excluded, plan.n_eligible, plan.n_frame) == (50, 950, 1000)
    assert plan.table["N"].sum() == 950
    s1 = plan.draw(frame, seed=7)
    s2 = plan.draw(frame, seed=7)
    s3 = plan.draw(frame, seed=8)
    pd.testing.assert_frame_equal(s1, s2)
    assert not s1.index.equals(s3.index)
    assert len(s1) == 150 and s1.index.is_unique
    assert not s1.index.isin(frame.index[:50]).any()
    counts = s1.groupby(["customer_type", "frequency_band", "value_band"]).size()
    for _, row in plan.table.iterrows():
        key = (row["customer_type"], row["frequency_band"], row["value_band"])
        assert counts.get(key, 0) == row["n_alloc"]
    # design weights sum to the eligible frame size
    assert s1["design_weight"].sum() == pytest.approx(950)
    pd.testing.assert_frame_equal(frame, before)  # input untouched


def test_window_boundary_is_182_days():
    frame = pd.DataFrame({"s": ["a"] * 4,
                          "last": pd.to_datetime(["2026-01-01", "2026-01-02", None,
                                                  "2025-12-31"])})
    # as_of 2026-07-02: cutoff = 2026-01-01 (182 days); only dates after it are recent
    with pytest.warns(CsatWarning, match="1 of 4"):
        plan = sample_plan(frame, strata=("s",), n=2, exclude_recent="last",
                           as_of="2026-07-02", protect=None, min_per_stratum=0)
    assert plan.n_excluded == 1


@pytest.mark.filterwarnings("ignore:sample_plan.*taken whole:csat_research.core.errors.CsatWarning")
def test_sample_plan_errors():
    frame = _customers(200)
    with pytest.raises(ValueError, match="allocation must be one of"):
        sample_plan(frame, n=10, allocation="equal")
    with pytest.raises(ValueError, match="needs sd"):
        sample_plan(frame, n=60, allocation="neyman", min_per_stratum=5)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        sample_plan(frame, n=0)
    with pytest.raises(AnalysisError, match="exceeds the 200 eligible"):
        sample_plan(frame, n=201)
    with pytest.raises(AnalysisError, match="smaller than the .* minimum"):
        sample_plan(frame, n=5, allocation="minimum", min_per_stratum=30)
    with pytest.raises(DataError, match="not found"):
        sample_plan(frame.drop(columns="value_band"), n=10)
    with pytest.raises(ValueError, match="as_of is required"):
        sample_plan(frame.assign(last=pd.NaT), n=10, exclude_recent="last")
    with pytest.raises(DataError, match="missing code"):
        sample_plan(frame.assign(value_band=None), n=10)
    with pytest.raises(DataError, match="not dates"):
        sample_plan(frame.assign(last="soon"), n=10, exclude_recent="last", as_of="2026-01-01")
    with pytest.raises(DataError, match="no standard deviation for stratum"):
        sample_plan(TV, strata=("area",), n=10, allocation="neyman", sd={"A": 1.0},
                    protect=None)
    with pytest.raises(ValueError, match="protect: column 'age_group'"):
        sample_plan(frame, n=10, protect={"age_group": "post95"})
    plan = sample_plan(frame, n=60, min_per_stratum=5)
    with pytest.raises(TypeError, match="seed must be an int"):
        plan.draw(frame, seed=None)
    with pytest.raises(DataError, match="does not match the plan"):
        plan.draw(frame.iloc[:-1], seed=1)


def test_small_protected_stratum_is_taken_whole():
    frame = pd.DataFrame({"value_band": ["normal"] * 500 + ["high"] * 12})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        plan = sample_plan(frame, strata=("value_band",), n=100, min_per_stratum=30)
    assert any("taken whole" in str(w.message) for w in rec)
    t = plan.table.set_index("value_band")
    assert t.at["high", "n_alloc"] == 12 and t.at["high", "design_weight"] == 1.0
    assert t["n_alloc"].sum() == 100

"""Tests of csat_research.stats.group_compare against published reference values.

Every reference number carries its source in a comment; tolerances follow the precision
at which the source prints the number.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.stats.group_compare import compare_means, satisfaction_by_segment

# McClave & Dietrich (1991) pain threshold by hair colour, as shipped by pingouin
# (datasets/mcclave1991.csv, the "anova" dataset of the pingouin documentation).
HAIR = pd.DataFrame(
    {
        "hair": ["Light Blond"] * 5 + ["Dark Blond"] * 5 + ["Light Brunette"] * 4
        + ["Dark Brunette"] * 5,
        "pain": [62, 60, 71, 55, 48, 63, 57, 52, 41, 43, 42, 50, 41, 37, 32, 39, 51, 30, 35],
    }
)


# ----------------------------------------------------------------------- compare_means
def test_compare_means_hair_colour_anova_welch_kruskal():
    res = compare_means(HAIR, value="pain", group="hair")
    tests = res.tests.set_index("test")
    # pingouin docs, anova(dv='Pain threshold', between='Hair color'): F 6.791,
    # p-unc 0.00411423, np2 0.576, SS 1360.726 / 1001.800, DF 3 / 15.
    assert tests.at["anova", "statistic"] == pytest.approx(6.791, abs=5e-4)
    assert tests.at["anova", "p_value"] == pytest.approx(0.00411423, abs=5e-9)
    assert (tests.at["anova", "df1"], tests.at["anova", "df2"]) == (3.0, 15.0)
    assert res.eta_squared == pytest.approx(0.576, abs=5e-4)
    # JASP as quoted in pingouin tests (test_welch_anova): ddof2 8.3298, F 5.8901, p 0.0188.
    assert tests.at["welch_anova", "statistic"] == pytest.approx(5.8901, abs=5e-5)
    assert tests.at["welch_anova", "df2"] == pytest.approx(8.3298, abs=5e-5)
    assert tests.at["welch_anova", "p_value"] == pytest.approx(0.0188, abs=5e-5)
    # pingouin docs, kruskal(...): H 10.58863, p-unc 0.014172.
    assert tests.at["kruskal", "statistic"] == pytest.approx(10.58863, abs=5e-6)
    assert tests.at["kruskal", "p_value"] == pytest.approx(0.014172, abs=5e-7)
    assert res.n == 19 and res.n_missing == 0


def test_compare_means_games_howell_matches_jasp():
    res = compare_means(HAIR, value="pain", group="hair", posthoc="games-howell")
    ph = res.posthoc
    assert list(zip(ph["group1"], ph["group2"])) == [
        ("Dark Blond", "Dark Brunette"), ("Dark Blond", "Light Blond"),
        ("Dark Blond", "Light Brunette"), ("Dark Brunette", "Light Blond"),
        ("Dark Brunette", "Light Brunette"), ("Light Blond", "Light Brunette"),
    ]
    # pingouin tests/test_pairwise.py (test_pairwise_gameshowell), hair colour data:
    # |T| = [2.47, 1.42, 1.75, 4.09, 1.11, 3.56], df = [7.91, 7.94, 6.56, 8.0, 6.82, 6.77],
    # JASP p = [0.1401, 0.5228, 0.3715, 0.0148, 0.6980, 0.0378].
    np.testing.assert_allclose(ph["statistic"].abs(), [2.47, 1.42, 1.75, 4.09, 1.11, 3.56],
                               atol=0.005)
    np.testing.assert_allclose(ph["df"], [7.91, 7.94, 6.56, 8.0, 6.82, 6.77], atol=0.005)
    np.testing.assert_allclose(ph["p_adj"], [0.1401, 0.5228, 0.3715, 0.0148, 0.6980, 0.0378],
                               atol=5e-4)
    assert ph["reject"].tolist() == [False, False, False, True, False, True]
    # simultaneous intervals exclude 0 exactly when the pair is significant
    assert ((ph["ci_low"] > 0) | (ph["ci_high"] < 0)).tolist() == ph["reject"].tolist()
    # Holm on the unadjusted Welch t p-values: never below the raw p
    assert (ph["p_corrected"] >= ph["p_unadjusted"] - 1e-15).all()


def test_studentized_range_fixed_rule_against_tables_and_scipy():
    from scipy import stats

    from csat_research.stats.group_compare import _games_howell_p, _studentized_range_sf

    # upper 5 % points of the studentized range, 3 decimals (Harter 1960 tables)
    for q, k, df in [(3.877, 3, 10.0), (4.232, 5, 20.0), (4.646, 10, 60.0)]:
        assert _studentized_range_sf(np.array([q]), k, np.array([df]))[0] == pytest.approx(0.05, abs=2e-4)
    # scipy.stats.studentized_range.sf (adaptive QUADPACK, the values compare_means used to
    # report): within its own ~1e-11 error for df >= 10, including the df >= 1e5 limit form
    rng = np.random.default_rng(11)
    for k in (2, 3, 5, 8, 15):
        df = np.array([10.0, 37.5, 300.0, 2500.0, 150000.0])
        q = rng.uniform(0.1, 7.0, df.size)
        ref = stats.studentized_range.sf(q, k, df)
        np.testing.assert_allclose(_studentized_range_sf(q, k, df), ref, rtol=0, atol=1e-10)
        p = _games_howell_p(q, k, df)
        big = ref >= 1e-3
        np.testing.assert_allclose(p[big], ref[big], rtol=1e-7)
        np.testing.assert_array_equal(p[~big], ref[~big])  # small p: scipy's own value
    # small df: scipy's value itself
    q, df = np.array([2.5, 4.0]), np.array([3.5, 9.9])
    np.testing.assert_array_equal(_games_howell_p(q, 4, df), stats.studentized_range.sf(q, 4, df))


def test_compare_means_games_howell_p_equals_scipy_on_a_survey():
    # a report-sized comparison (large Welch df): every simultaneous p equals
    # scipy.stats.studentized_range.sf(|t| sqrt(2), k, df) to 1e-7 relative
    from scipy import stats

    rng = np.random.default_rng(4)
    levels = np.array(["post00", "post70", "post80", "post90", "post95"])
    g = rng.choice(levels, 2000, p=[0.1, 0.15, 0.3, 0.3, 0.15])
    shift = dict(zip(levels, [0.0, 0.05, 0.25, 0.1, -0.1]))
    y = np.clip(np.round(3.8 + np.vectorize(shift.get)(g) + rng.normal(0, 0.9, g.size)), 1, 5)
    ph = compare_means(pd.DataFrame({"age_group": g, "overall": y}), value="overall",
                       group="age_group").posthoc
    ref = stats.studentized_range.sf(ph["statistic"].abs() * np.sqrt(2), 5, ph["df"])
    assert ph["df"].min() > 10 and ph["p_adj"].min() < 1e-3 < ph["p_adj"].max()
    np.testing.assert_allclose(ph["p_adj"], np.minimum(ref, 1.0), rtol=1e-7)


def test_compare_means_tukey_scipy_documentation():
    # SciPy docs, scipy.stats.tukey_hsd example (groups 0, 1, 2):
    # (0 - 1) -4.600 p 0.014 CI [-8.249, -0.951]; (0 - 2) -0.260 p 0.980 [-3.909, 3.389];
    # (1 - 2) 4.340 p 0.020 [0.691, 7.989].
    df = pd.DataFrame({
        "g": ["g0"] * 5 + ["g1"] * 5 + ["g2"] * 5,
        "y": [24.5, 23.5, 26.4, 27.1, 29.9, 28.4, 34.2, 29.5, 32.2, 30.1,
              26.1, 28.3, 24.3, 26.2, 27.8],
    })
    ph = compare_means(df, value="y", group="g", posthoc="tukey").posthoc
    np.testing.assert_allclose(ph["mean_diff"], [-4.600, -0.260, 4.340], atol=5e-4)
    np.testing.assert_allclose(ph["p_adj"], [0.014, 0.980, 0.020], atol=5e-4)
    np.testing.assert_allclose(ph["ci_low"], [-8.249, -3.909, 0.691], atol=5e-4)
    np.testing.assert_allclose(ph["ci_high"], [-0.951, 3.389, 7.989], atol=5e-4)
    assert ph["df"].tolist() == [12.0, 12.0, 12.0]


def test_compare_means_omega_squared_mote_example():
    # MOTE documentation (omega.full.SS), health/attachments example with JASP/SPSS/SAS
    # output: F(2, 8) = 5.13, p = .037, omega^2 = .43.
    df = pd.DataFrame({"health": ["excellent"] * 4 + ["fair"] * 3 + ["poor"] * 4,
                       "attach": [4, 3, 2, 3, 3, 5, 8, 3, 1, 0, 2]})
    res = compare_means(df, value="attach", group="health")
    anova = res.tests.set_index("test").loc["anova"]
    assert anova["statistic"] == pytest.approx(5.13, abs=0.005)
    assert anova["p_value"] == pytest.approx(0.037, abs=5e-4)
    assert res.omega_squared == pytest.approx(0.43, abs=0.005)


def test_compare_means_epsilon_squared_rcompanion_likert_example():
    # rcompanion handbook (Mangiafico), "Kruskal-Wallis Test" Likert example
    # (Pooh / Piglet / Tigger): Kruskal-Wallis chi-squared = 16.842, df = 2,
    # p-value = 0.0002202; epsilon-squared 0.581.
    df = pd.DataFrame({
        "speaker": ["Pooh"] * 10 + ["Piglet"] * 10 + ["Tigger"] * 10,
        "likert": [3, 5, 4, 4, 4, 4, 4, 4, 5, 5, 2, 4, 2, 2, 1, 2, 3, 2, 2, 3,
                   4, 4, 4, 4, 5, 3, 5, 4, 4, 3],
    })
    res = compare_means(df, value="likert", group="speaker")
    kw = res.tests.set_index("test").loc["kruskal"]
    assert kw["statistic"] == pytest.approx(16.842, abs=5e-4)
    assert kw["p_value"] == pytest.approx(0.0002202, abs=5e-8)
    assert res.epsilon_squared == pytest.approx(0.581, abs=5e-4)


def test_compare_means_group_table_and_weights():
    res = compare_means(HAIR, value="pain", group="hair")
    g = res.groups.set_index("group")
    assert g.loc["Light Blond", "mean"] == pytest.approx(59.2)
    assert g.loc["Light Brunette", "n"] == 4
    assert (g["ci_low"] < g["mean"]).all() and (g["mean"] < g["ci_high"]).all()
    with pytest.warns(CsatWarning, match="group table only"):
        wres = compare_means(HAIR.assign(w=1.0), value="pain", group="hair", survey_weights="w")
    pd.testing.assert_frame_equal(wres.groups, res.groups)
    pd.testing.assert_frame_equal(wres.tests, res.tests)


def test_compare_means_errors_and_missing():
    with pytest.raises(AnalysisError, match="at least 2 groups"):
        compare_means(HAIR.assign(hair="x"), value="pain", group="hair")
    with pytest.raises(AnalysisError, match="at least 2 values per group"):
        compare_means(pd.concat([HAIR, pd.DataFrame({"hair": ["Red"], "pain": [40]})]),
                      value="pain", group="hair")
    const = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 3, "y": [1, 1, 1, 2, 3, 4]})
    with pytest.raises(AnalysisError, match=r"\['a'\].*zero variance"):
        compare_means(const, value="y", group="g")
    with pytest.raises(ValueError, match="posthoc must be one of"):
        compare_means(HAIR, value="pain", group="hair", posthoc="scheffe")
    with pytest.raises(DataError, match="must be numeric"):
        compare_means(HAIR, value="hair", group="pain")
    with_na = pd.concat([HAIR, pd.DataFrame({"hair": [None], "pain": [50]})], ignore_index=True)
    with pytest.warns(CsatWarning, match="1 of 20 rows left out"):
        res = compare_means(with_na, value="pain", group="hair")
    assert res.n_missing == 1 and res.n == 19


# -------------------------------------------------------------- satisfaction_by_segment
def test_satisfaction_by_segment_t_interval_r_sleep():
    # R documentation example t.test(extra ~ group, data = sleep, paired = TRUE):
    # mean difference 1.58 (group 2 - group 1), 95 % CI 0.7001142 to 2.4598858.
    diffs = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    df = pd.DataFrame({"seg": ["all"] * 10, "d": diffs})
    out = satisfaction_by_segment(df, scores=["d"], segments=["seg"], min_base=1)
    row = out.iloc[0]
    assert row["mean"] == pytest.approx(1.58, abs=5e-9)
    assert row["ci_low"] == pytest.approx(0.7001142, abs=5e-8)
    assert row["ci_high"] == pytest.approx(2.4598858, abs=5e-8)
    assert row["n"] == 10 and not row["small_base"]


def test_satisfaction_by_segment_long_table_and_small_bases():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({
        "customer_type": rng.choice(["new", "returning"], 120),
        "age_group": rng.choice(["post00", "post95", "post90", "post80", "post70"], 120),
        "efficiency": rng.integers(1, 6, 120).astype(float),
        "quality": rng.integers(1, 6, 120).astype(float),
    })
    df.loc[:4, "quality"] = np.nan
    with pytest.warns(CsatWarning, match=r"base below 30"):
        out = satisfaction_by_segment(df, scores=["efficiency", "quality"],
                                      segments=["customer_type", "age_group"])
    assert list(out.columns) == ["segment", "level", "dimension", "n", "n_eff", "mean", "sd",
                                 "ci_low", "ci_high", "small_base"]
    assert len(out) == (2 + 5) * 2
    # each segment's bases add up to the answered count of the score
    for seg in ["customer_type", "age_group"]:
        q = out[(out["segment"] == seg) & (out["dimension"] == "quality")]
        assert q["n"].sum() == 115
    assert out["small_base"].equals(out["n"] < 30)
    # unit weights reproduce the unweighted table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        wout = satisfaction_by_segment(df.assign(w=1.0), scores=["efficiency", "quality"],
                                       segments=["customer_type", "age_group"], survey_weights="w")
    pd.testing.assert_frame_equal(wout, out)


def test_satisfaction_by_segment_errors():
    df = pd.DataFrame({"seg": ["a", "b"], "score": [1, 2], "txt": ["x", "y"]})
    with pytest.raises(TypeError, match="scores must be a list"):
        satisfaction_by_segment(df, scores="score", segments=["seg"])
    with pytest.raises(ValueError, match="segments must name at least one"):
        satisfaction_by_segment(df, scores=["score"], segments=[])
    with pytest.raises(DataError, match="'txt' must be numeric"):
        satisfaction_by_segment(df, scores=["txt"], segments=["seg"])
    with pytest.raises(DataError, match="not found"):
        satisfaction_by_segment(df, scores=["nps"], segments=["seg"])


def test_segment_intervals_use_the_one_mean_estimator():
    """A weighted segment mean's interval is mean_ci's (linearisation variance, n - 1 df), not a Kish-n one."""
    from csat_research.stats.estimates import mean_ci

    rng = np.random.default_rng(5)
    d = pd.DataFrame({"seg": rng.choice(["a", "b"], 300), "score": rng.integers(1, 6, 300).astype(float),
                      "w": rng.uniform(0.3, 3.0, 300)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = satisfaction_by_segment(d, scores=["score"], segments=["seg"], survey_weights="w")
        for level in ("a", "b"):
            sub = d[d["seg"] == level]
            ref = mean_ci(sub["score"], survey_weights=sub["w"])
            row = out[out["level"] == level].iloc[0]
            assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx((ref.mean, ref.ci_low, ref.ci_high),
                                                                                 rel=1e-12)
            plain = satisfaction_by_segment(d, scores=["score"], segments=["seg"])
            ref_plain = mean_ci(sub["score"])
            prow = plain[plain["level"] == level].iloc[0]
            assert (prow["ci_low"], prow["ci_high"]) == pytest.approx((ref_plain.ci_low, ref_plain.ci_high), rel=1e-12)

"""Tests of csat_research.stats.group_compare against published reference values.

Every reference number carries its source in a comment; tolerances follow the precision
at which the source prints the number.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.stats.group_compare import (
    compare_means,
    crosstab,
    poststratify,
    rake,
    satisfaction_by_segment,
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


# McClave & Dietrich (1991) pain threshold by hair colour, as shipped by pingouin
# (datasets/mcclave1991.csv, the "anova" dataset of the pingouin documentation).
HAIR = pd.DataFrame(
    {
        "hair": ["Light Blond"] * 5 + ["Dark Blond"] * 5 + ["Light Brunette"] * 4
        + ["Dark Brunette"] * 5,
        "pain": [62, 60, 71, 55, 48, 63, 57, 52, 41, 43, 42, 50, 41, 37, 32, 39, 51, 30, 35],
    }
)


# ---------------------------------------------------------------------------- crosstab
def test_crosstab_agresti_party_identification(party):
    res = crosstab(party, row="gender", col="party")
    # Agresti (2002) sec. 3.2.5 / Table 3.2: X2 = 30.1 on df = 2, P < 0.0001.
    assert res.chi2 == pytest.approx(30.1, abs=0.05)
    assert res.dof == 2
    assert res.p_value < 1e-4
    # Agresti (2002) Table 3.2, expected frequencies in parentheses.
    expected = [[703.7, 319.6, 533.7], [542.3, 246.4, 411.3]]
    np.testing.assert_allclose(res.expected.to_numpy(), expected, atol=0.05)
    # Agresti (2002) Table 3.2, adjusted residuals: 4.50 0.70 -5.32 / -4.50 -0.70 5.32.
    adjusted = [[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]]
    np.testing.assert_allclose(res.adjusted_residuals.to_numpy(), adjusted, atol=0.005)
    assert res.n == 2757 and res.n_missing == 0 and not res.weighted


def test_crosstab_cramers_v_scipy_documentation():
    # SciPy docs, scipy.stats.contingency.association example: obs4x2 ->
    # association(obs4x2, method="cramer") = 0.18617813077483678.
    obs = {("r1", "a"): 100, ("r1", "b"): 150, ("r2", "a"): 203, ("r2", "b"): 322,
           ("r3", "a"): 420, ("r3", "b"): 700, ("r4", "a"): 320, ("r4", "b"): 210}
    res = crosstab(_expand(obs), row="r", col="c")
    assert res.cramers_v == pytest.approx(0.18617813077483678, abs=1e-12)


def test_column_proportion_test_statsmodels_documentation():
    # statsmodels docs, proportions_ztest example: count = [5, 12], nobs = [83, 99]
    # -> two-sided p-value printed as 0.159.
    table = {("yes", "A"): 5, ("no", "A"): 78, ("yes", "B"): 12, ("no", "B"): 87}
    df = _expand(table)
    loose = crosstab(df, row="r", col="c", correction="none", alpha=0.16)
    strict = crosstab(df, row="r", col="c", correction="none", alpha=0.158)
    # B's share of "yes" (12/99) exceeds A's (5/83): at alpha 0.16 > p the cell gets "A".
    assert loose.letters.loc["yes", "B"] == "A"
    assert loose.letters.loc["no", "A"] == "B"
    assert loose.letters.loc["yes", "A"] == ""
    # at alpha 0.158 < 0.1592 nothing is significant
    assert (strict.letters == "").all().all()


def test_column_letters_follow_the_cell_with_the_larger_share(party):
    res = crosstab(party, row="party", col="gender")
    assert res.column_letters.to_dict() == {"female": "A", "male": "B"}
    # Females are more often Democrats, males more often Republicans (Agresti Table 3.2).
    assert res.letters.loc["democrat", "female"] == "B"
    assert res.letters.loc["republican", "male"] == "A"
    assert res.letters.loc["independent", "female"] == ""
    tidy = res.to_frame()
    assert list(tidy.columns) == ["row", "col", "letter", "count", "col_share", "expected",
                                  "adjusted_residual", "greater_than"]
    assert len(tidy) == 6
    np.testing.assert_allclose(res.col_shares.sum(axis=0), 1.0)


def test_letters_are_multi_letter_and_correction_reduces_them():
    rng = np.random.default_rng(1)
    cols = list("pqrst")
    probs = [0.2, 0.3, 0.45, 0.6, 0.65]
    rows = []
    for c, p in zip(cols, probs):
        rows += [("top2", c)] * int(200 * p) + [("rest", c)] * (200 - int(200 * p))
    df = pd.DataFrame(rows, columns=["r", "c"]).sample(frac=1, random_state=1)
    none = crosstab(df, row="r", col="c", correction="none")
    bonf = crosstab(df, row="r", col="c", correction="bonferroni")
    # column t (60 %) beats p (20 %), q (30 %) and r (45 %)
    assert none.letters.loc["top2", "t"] == "A B C"
    for r in none.letters.index:
        for c in none.letters.columns:
            assert set(bonf.letters.loc[r, c].split()) <= set(none.letters.loc[r, c].split())
    assert rng is not None


def test_crosstab_weighted_unit_weights_equal_unweighted(party):
    res = crosstab(party, row="gender", col="party")
    wres = crosstab(party.assign(w=1.0), row="gender", col="party", weights="w")
    assert wres.weighted
    assert wres.chi2 == pytest.approx(res.chi2, rel=1e-12)
    assert wres.n_effective == pytest.approx(2757)
    pd.testing.assert_frame_equal(wres.letters, res.letters)


def test_crosstab_weighted_is_kish_first_order_correction(party):
    rng = np.random.default_rng(7)
    w = rng.uniform(0.5, 2.0, len(party))
    res = crosstab(party.assign(w=w), row="gender", col="party", weights="w")
    # Pearson X2 of the weighted table scaled to total n, divided by Kish deff.
    tab = pd.crosstab(party["gender"], party["party"], values=w, aggfunc="sum").to_numpy()
    tab = tab * len(w) / tab.sum()
    exp = np.outer(tab.sum(1), tab.sum(0)) / tab.sum()
    x2_sum_w = ((tab - exp) ** 2 / exp).sum()
    deff = len(w) * np.sum(w**2) / np.sum(w) ** 2
    assert res.chi2 == pytest.approx(x2_sum_w / deff, rel=1e-10)
    assert res.n_effective == pytest.approx(len(w) / deff)
    # weights scaled by a constant change nothing
    res2 = crosstab(party.assign(w=w * 37.0), row="gender", col="party", weights="w")
    assert res2.chi2 == pytest.approx(res.chi2, rel=1e-10)
    pd.testing.assert_frame_equal(res2.letters, res.letters)


def test_crosstab_warns_about_small_expected_counts_and_missing_rows():
    df = pd.DataFrame({"r": ["a"] * 10 + ["b"] * 3 + [None], "c": ["x"] * 7 + ["y"] * 7})
    with pytest.warns(CsatWarning) as rec:
        res = crosstab(df, row="r", col="c")
    messages = " ".join(str(w.message) for w in rec)
    assert "1 of 14 rows left out" in messages
    assert "expected count below 5" in messages and "3 of 4 cells" in messages
    assert res.n_missing == 1 and res.n == 13 and res.n_small_expected == 3


def test_crosstab_errors(party):
    with pytest.raises(AnalysisError, match="row and col must be different"):
        crosstab(party, row="gender", col="gender")
    with pytest.raises(DataError, match=r"\['channel'\] not found"):
        crosstab(party, row="gender", col="channel")
    with pytest.raises(AnalysisError, match="at least 2 levels"):
        crosstab(party[party["gender"] == "male"], row="gender", col="party")
    with pytest.raises(ValueError, match="correction must be one of"):
        crosstab(party, row="gender", col="party", correction="tukey")
    with pytest.raises(ValueError, match="alpha must be"):
        crosstab(party, row="gender", col="party", alpha=1.5)
    with pytest.raises(DataError, match="negative"):
        crosstab(party.assign(w=-1.0), row="gender", col="party", weights="w")
    with pytest.raises(TypeError, match="DataFrame"):
        crosstab(party.to_dict(), row="gender", col="party")
    with pytest.raises(TypeError, match="weights must be"):
        crosstab(party, row="gender", col="party", weights=3)


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
        wres = compare_means(HAIR.assign(w=1.0), value="pain", group="hair", weights="w")
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
                                       segments=["customer_type", "age_group"], weights="w")
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

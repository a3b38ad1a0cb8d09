"""Tests of csat_research.stats.logit against published output of trusted software.

Reference data and numbers
--------------------------
* Spector & Mazzeo (1980) program-effectiveness data, shipped with statsmodels
  (``sm.datasets.spector``; 32 students, GRADE ~ GPA + TUCE + PSI).
  - statsmodels documentation, "Discrete Choice Models Overview" notebook
    (https://www.statsmodels.org/stable/examples/notebooks/generated/discrete_choice_overview.html):
    printed Logit parameters, the ``logit_res.summary()`` header (Pseudo R-squ. 0.3740,
    Log-Likelihood -12.890) and the ``get_margeff().summary()`` table.
  - Stata output stored in statsmodels' test suite
    (statsmodels/discrete/tests/results/results_discrete.py, class ``Spector.logit``:
    ``logit grade gpa tuce psi`` and ``margins``) and
    (statsmodels/discrete/tests/results/results_glm_logit_constrained.py:
    ``glm grade gpa tuce psi, family(binomial) vce(robust)``).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.stats.logit import LogitResult, predicted_curve, repurchase_logit


@pytest.fixture(scope="module")
def spector() -> pd.DataFrame:
    return sm.datasets.spector.load_pandas().data


@pytest.fixture(scope="module")
def spector_fit(spector) -> LogitResult:
    # 32 rows, 11 events, 3 predictors: below the default events-per-predictor rule,
    # which is switched off to reproduce the textbook example.
    return repurchase_logit(
        spector, outcome="GRADE", predictors=["GPA", "TUCE", "PSI"], robust=False,
        min_events_per_predictor=0,
    )


# --------------------------------------------------------------------------------------
# reference values: binary logit
# --------------------------------------------------------------------------------------
def test_logit_coefficients_match_statsmodels_docs(spector_fit):
    coef = spector_fit.coefficients["coef"]
    # statsmodels docs, discrete_choice_overview: print("Parameters: ", logit_res.params)
    assert coef["GPA"] == pytest.approx(2.826113, abs=5e-7)
    assert coef["TUCE"] == pytest.approx(0.095158, abs=5e-7)
    assert coef["PSI"] == pytest.approx(2.378688, abs=5e-7)
    assert coef["const"] == pytest.approx(-13.021347, abs=5e-7)
    # statsmodels docs, logit_res.summary(): "Pseudo R-squ.: 0.3740", "Log-Likelihood: -12.890"
    assert spector_fit.pseudo_r2 == pytest.approx(0.3740, abs=5e-5)
    assert spector_fit.log_likelihood == pytest.approx(-12.890, abs=5e-4)


def test_logit_matches_stata_logit(spector_fit):
    tab = spector_fit.coefficients.loc[["GPA", "TUCE", "PSI", "const"]]
    # Stata `logit grade gpa tuce psi` (statsmodels results_discrete.py, Spector.logit)
    np.testing.assert_allclose(
        tab["coef"], [2.82611297201, 0.0951576702557, 2.37868772835, -13.0213483201], rtol=1e-6
    )
    np.testing.assert_allclose(
        tab["se"], [1.26294114526, 0.141554207662, 1.06456430165, 4.93132462871], rtol=1e-5
    )
    np.testing.assert_allclose(tab["z"], [2.237723415, 0.6722348408, 2.234423721, -2.640537645], rtol=1e-5)
    np.testing.assert_allclose(
        tab["p_value"], [0.0252390974, 0.5014342039, 0.0254552063, 0.0082774596], rtol=1e-4
    )
    # Stata conf. interval, printed to 7 significant digits
    np.testing.assert_allclose(tab["ci_low"], [0.3507938, -0.1822835, 0.29218, -22.68657], rtol=2e-5)
    np.testing.assert_allclose(tab["ci_high"], [5.301432, 0.3725988, 4.465195, -3.35613], rtol=2e-5)
    # Stata e(ll), e(r2_p), aic
    assert spector_fit.log_likelihood == pytest.approx(-12.8896334653335, rel=1e-7)
    assert spector_fit.pseudo_r2 == pytest.approx(0.374038332124624, rel=1e-6)
    assert spector_fit.aic == pytest.approx(33.779266930667, rel=1e-7)
    assert spector_fit.n_obs == 32 and spector_fit.n_events == 11 and spector_fit.converged


def test_logit_odds_ratios_are_exponentiated_coefficients(spector_fit):
    tab = spector_fit.coefficients
    np.testing.assert_allclose(tab["odds_ratio"], np.exp(tab["coef"]))
    np.testing.assert_allclose(tab["or_ci_low"], np.exp(tab["ci_low"]))
    np.testing.assert_allclose(tab["or_ci_high"], np.exp(tab["ci_high"]))
    assert list(tab.columns) == [
        "coef", "se", "z", "p_value", "ci_low", "ci_high", "odds_ratio", "or_ci_low", "or_ci_high",
    ]


def test_logit_robust_matches_stata_vce_robust(spector):
    res = repurchase_logit(
        spector, outcome="GRADE", predictors=["GPA", "TUCE", "PSI"], min_events_per_predictor=0
    )
    tab = res.coefficients.loc[["GPA", "TUCE", "PSI", "const"]]
    # Stata `glm grade gpa tuce psi, family(binomial) vce(robust)`
    # (statsmodels results_glm_logit_constrained.py, results_noconstraint_robust params_table)
    np.testing.assert_allclose(
        tab["se"], [1.287827879216, 0.1198091371814, 0.97985082470462, 5.2807513766642], rtol=1e-5
    )
    np.testing.assert_allclose(
        tab["p_value"], [0.02820092594159, 0.42705358424294, 0.01519902587997, 0.01367026437574],
        rtol=1e-4,
    )
    np.testing.assert_allclose(
        tab["ci_low"], [0.30201616014984, -0.13966394388263, 0.45821517741577, -23.371428422207],
        rtol=1e-5,
    )
    assert res.cov_type == "robust"


def test_marginal_effects_match_statsmodels_docs_get_margeff(spector_fit):
    me = spector_fit.marginal_effects
    # statsmodels docs: print(logit_res.get_margeff().summary()) (dy/dx, std err, z, [0.025 0.975])
    published = {
        "GPA": (0.3626, 0.109, 3.313, 0.148, 0.577),
        "TUCE": (0.0122, 0.018, 0.686, -0.023, 0.047),
        "PSI": (0.3052, 0.092, 3.304, 0.124, 0.486),
    }
    for term, (dydx, se, z, lo, hi) in published.items():
        assert me.loc[term, "ame"] == pytest.approx(dydx, abs=5e-5)
        assert me.loc[term, "se"] == pytest.approx(se, abs=5e-4)
        assert me.loc[term, "z"] == pytest.approx(z, abs=5e-4)
        assert me.loc[term, "ci_low"] == pytest.approx(lo, abs=5e-4)
        assert me.loc[term, "ci_high"] == pytest.approx(hi, abs=5e-4)
    assert set(me["kind"]) == {"derivative"}


def test_marginal_effects_match_stata_margins(spector, spector_fit):
    me = spector_fit.marginal_effects
    # Stata `margins, dydx(*)` (statsmodels results_discrete.py margeff_nodummy_dydx / _se)
    np.testing.assert_allclose(
        me["ame"], [0.36258084688424, 0.01220841099085, 0.30517768382304], rtol=1e-6
    )
    np.testing.assert_allclose(me["se"], [0.1094412, 0.0177942, 0.0923796], rtol=2e-5)
    # PSI as a factor variable: `margins, dydx(i.psi)` discrete change
    # (results_discrete.py margeff_dummy_dydx[2] and _se[2])
    df = spector.assign(psi=np.where(spector["PSI"] == 1, "yes", "no"))
    res = repurchase_logit(
        df, outcome="GRADE", predictors=["GPA", "TUCE"], controls=["psi"], robust=False,
        min_events_per_predictor=0,
    )
    assert res.marginal_effects.loc["psi[yes]", "kind"] == "discrete_change"
    assert res.marginal_effects.loc["psi[yes]", "ame"] == pytest.approx(0.35751515254729, rel=1e-6)
    assert res.marginal_effects.loc["psi[yes]", "se"] == pytest.approx(0.1420034, rel=2e-5)
    # the dummy coding reproduces the numeric PSI coefficient exactly
    assert res.coefficients.loc["psi[yes]", "coef"] == pytest.approx(2.37868772835, rel=1e-6)


def test_marginal_effects_equal_statsmodels_get_margeff_with_robust_cov(spector):
    # cross-check of the own delta-method code against statsmodels' get_margeff with the
    # same (HC0) covariance; our robust covariance is HC0 * n/(n-1)
    res = repurchase_logit(
        spector, outcome="GRADE", predictors=["GPA", "TUCE", "PSI"], min_events_per_predictor=0
    )
    X = sm.add_constant(spector[["GPA", "TUCE", "PSI"]])
    sm_res = sm.Logit(spector["GRADE"], X).fit(disp=0, cov_type="HC0")
    marg = sm_res.get_margeff()
    np.testing.assert_allclose(res.marginal_effects["ame"], marg.margeff, rtol=1e-6)
    np.testing.assert_allclose(res.marginal_effects["se"], marg.margeff_se * np.sqrt(32 / 31), rtol=1e-5)


# --------------------------------------------------------------------------------------
# predicted curve
# --------------------------------------------------------------------------------------
def test_predicted_curve_slope_at_means_matches_stata_margins(spector, spector_fit):
    m = spector["GPA"].mean()
    h = 1e-5
    curve = predicted_curve(spector_fit, variable="GPA", grid=[m - h, m, m + h], at="mean")
    slope = (curve["probability"].iloc[2] - curve["probability"].iloc[0]) / (2 * h)
    # Stata `margins, dydx(*) atmeans` (results_discrete.py margeff_nodummy_dydxmean[0])
    assert slope == pytest.approx(0.53385885781692, rel=1e-5)


def test_predicted_curve_matches_statsmodels_get_prediction(spector, spector_fit):
    X = sm.add_constant(spector[["GPA", "TUCE", "PSI"]])
    glm = sm.GLM(spector["GRADE"], X, family=sm.families.Binomial()).fit(tol=1e-10, tol_criterion="params")
    grid = np.array([2.0, 2.5, 3.0, 3.5, 4.0])
    # at="mean": one row at the means; statsmodels' link-scale interval is the same method
    rows = np.tile(X.mean().to_numpy(), (grid.size, 1))
    rows[:, 1] = grid
    pred = glm.get_prediction(rows).summary_frame(alpha=0.05)
    curve = predicted_curve(spector_fit, variable="GPA", grid=grid, at="mean")
    np.testing.assert_allclose(curve["probability"], pred["mean"], rtol=1e-6)
    np.testing.assert_allclose(curve["se"], pred["mean_se"], rtol=1e-5)
    np.testing.assert_allclose(curve["ci_low"], pred["mean_ci_lower"], rtol=1e-5)
    np.testing.assert_allclose(curve["ci_high"], pred["mean_ci_upper"], rtol=1e-5)
    # at="average": average predictive margin and its delta-method se
    # (statsmodels DiscreteResults.get_prediction(average=True))
    logit = sm.Logit(spector["GRADE"], X).fit(disp=0)
    curve_avg = predicted_curve(spector_fit, variable="GPA", grid=grid, at="average")
    for g, (_, row) in zip(grid, curve_avg.iterrows()):
        Xg = X.copy()
        Xg["GPA"] = g
        avg = logit.get_prediction(Xg, average=True).summary_frame()
        assert row["probability"] == pytest.approx(avg["predicted"].iloc[0], rel=1e-6)
        assert row["se"] == pytest.approx(avg["se"].iloc[0], rel=1e-5)


def test_predicted_curve_default_grid_and_columns(spector_fit, spector):
    curve = predicted_curve(spector_fit, variable="GPA")
    assert list(curve.columns) == ["value", "probability", "se", "ci_low", "ci_high"]
    assert len(curve) == 41
    assert curve["value"].iloc[0] == spector["GPA"].min()
    assert curve["value"].iloc[-1] == spector["GPA"].max()
    assert (curve["ci_low"] <= curve["probability"]).all()
    assert (curve["probability"] <= curve["ci_high"]).all()


def test_predicted_curve_errors(spector_fit):
    with pytest.raises(ValueError, match="at must be 'mean' or 'average'; got 'median'"):
        predicted_curve(spector_fit, variable="GPA", at="median")
    with pytest.raises(ValueError, match=r"variable must be a numeric term .*got 'quality'"):
        predicted_curve(spector_fit, variable="quality")
    with pytest.raises(TypeError, match="result must be a LogitResult"):
        predicted_curve(spector_fit.coefficients, variable="GPA")
    with pytest.raises(ValueError, match="grid must contain at least one finite value"):
        predicted_curve(spector_fit, variable="GPA", grid=[])
    with pytest.raises(TypeError, match="grid must be a sequence of numbers"):
        predicted_curve(spector_fit, variable="GPA", grid=["low", "high"])


# --------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------
def test_logit_integer_weights_equal_row_duplication(make_survey):
    df = make_survey(1500, seed=1)
    df["w_int"] = np.where(np.arange(len(df)) % 4 == 0, 3.0, 1.0)
    weighted = repurchase_logit(
        df, outcome="repurchase", predictors=["quality", "efficiency"], controls=["customer_type"],
        survey_weights="w_int",
    )
    expanded = pd.concat([df] + [df[df["w_int"] == 3.0]] * 2, ignore_index=True)
    dup = repurchase_logit(
        expanded, outcome="repurchase", predictors=["quality", "efficiency"], controls=["customer_type"]
    )
    np.testing.assert_allclose(weighted.coefficients["coef"], dup.coefficients["coef"], rtol=1e-7)
    np.testing.assert_allclose(weighted.marginal_effects["ame"], dup.marginal_effects["ame"], rtol=1e-7)
    assert weighted.log_likelihood == pytest.approx(dup.log_likelihood, rel=1e-9)
    assert weighted.pseudo_r2 == pytest.approx(dup.pseudo_r2, rel=1e-9)
    assert weighted.n_obs == 1500 and dup.n_obs == 2250


def test_logit_unit_weights_equal_unweighted_fit(make_survey):
    # the weighted path (GLM, var_weights) and the unweighted path (Logit) agree
    df = make_survey(1500, seed=15).assign(one=1.0)
    kwargs = dict(outcome="repurchase", predictors=["quality", "efficiency"], controls=["customer_type"])
    for robust in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CsatWarning)
            a = repurchase_logit(df, survey_weights="one", robust=robust, **kwargs)
        b = repurchase_logit(df, robust=robust, **kwargs)
        pd.testing.assert_frame_equal(a.coefficients, b.coefficients, rtol=1e-7)
        pd.testing.assert_frame_equal(a.marginal_effects, b.marginal_effects, rtol=1e-7)
        assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-10)
        assert a.aic == pytest.approx(b.aic, rel=1e-10)


def test_logit_weighted_sandwich_formula_and_scale_invariance(make_survey):
    df = make_survey(1200, seed=2)
    res = repurchase_logit(df, outcome="repurchase", predictors=["quality", "digital"], survey_weights="weight")
    X = np.column_stack([np.ones(len(df)), df["quality"], df["digital"]])
    y, w = df["repurchase"].to_numpy(float), df["weight"].to_numpy()
    b = res.coefficients["coef"].to_numpy()
    p = special.expit(X @ b)
    H = (X * (w * p * (1 - p))[:, None]).T @ X
    S = X * (w * (y - p))[:, None]
    V = np.linalg.solve(H, S.T @ S) @ np.linalg.inv(H) * len(df) / (len(df) - 1)
    np.testing.assert_allclose(res.coefficients["se"], np.sqrt(np.diag(V)), rtol=1e-6)
    scaled = repurchase_logit(
        df.assign(weight=df["weight"] * 250), outcome="repurchase", predictors=["quality", "digital"],
        survey_weights="weight",
    )
    np.testing.assert_allclose(scaled.coefficients["coef"], res.coefficients["coef"], rtol=1e-7)
    np.testing.assert_allclose(scaled.coefficients["se"], res.coefficients["se"], rtol=1e-6)


def test_logit_weights_without_robust_warns(make_survey):
    df = make_survey(800, seed=3)
    with pytest.warns(CsatWarning, match="robust=False with survey weights"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality"], survey_weights="weight", robust=False)


# --------------------------------------------------------------------------------------
# outcome coding
# --------------------------------------------------------------------------------------
def test_bool_outcome_accepted(make_survey):
    df = make_survey(1000, seed=6)
    res = repurchase_logit(df.assign(repurchase=df["repurchase"].astype(bool)), outcome="repurchase",
                           predictors=["quality"])
    ref = repurchase_logit(df, outcome="repurchase", predictors=["quality"])
    np.testing.assert_allclose(res.coefficients["coef"], ref.coefficients["coef"])


# --------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------
def test_refuses_constant_outcome(make_survey):
    df = make_survey(500, seed=7).assign(repurchase=1)
    with pytest.raises(AnalysisError, match=r"outcome 'repurchase' is constant \(1\) in all 500"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality"])


def test_refuses_non_binary_outcome(make_survey):
    df = make_survey(500, seed=8)
    df["repurchase_intent"] = np.random.default_rng(0).integers(1, 6, len(df))
    with pytest.raises(AnalysisError, match=r"must be binary 0/1 .* 5 distinct values \[1\.0, 2\.0"):
        repurchase_logit(df, outcome="repurchase_intent", predictors=["quality"])
    with pytest.raises(AnalysisError, match="must be binary 0/1 .* text/categorical"):
        repurchase_logit(df, outcome="customer_type", predictors=["quality"])


def test_refuses_complete_separation_naming_predictor(make_survey):
    df = make_survey(400, seed=9)
    df["repurchase"] = (df["quality"] >= 4).astype(int)
    with pytest.raises(AnalysisError, match=r"^complete separation: predictor 'quality' .* quality >= 4"):
        repurchase_logit(df, outcome="repurchase", predictors=["efficiency", "quality"])
    # ties at the boundary: some respondents with quality 4 did not repurchase
    df.loc[(df["quality"] == 4) & (df.index % 2 == 0), "repurchase"] = 0
    with pytest.raises(AnalysisError, match=r"quasi-complete separation: predictor 'quality'"):
        repurchase_logit(df, outcome="repurchase", predictors=["efficiency", "quality"])
    rng = np.random.default_rng(1)
    df["score"] = df["repurchase"] * 3 + rng.uniform(0, 1, len(df))
    with pytest.raises(AnalysisError, match=r"^complete separation: predictor 'score'"):
        repurchase_logit(df, outcome="repurchase", predictors=["efficiency", "score"])


def test_refuses_quasi_separation_in_a_control_level(make_survey):
    df = make_survey(1000, seed=10)
    df.loc[df["value_band"] == "high", "repurchase"] = 1
    with pytest.raises(AnalysisError, match=r"control 'value_band' level 'high' - all \d+ respondents have repurchase = 1"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality"], controls=["value_band"])


def test_refuses_multivariate_separation_naming_a_term():
    # separated by quality + efficiency jointly, by neither alone
    rng = np.random.default_rng(11)
    n = 600
    df = pd.DataFrame({"quality": rng.normal(size=n), "efficiency": rng.normal(size=n)})
    df["repurchase"] = (df["quality"] + df["efficiency"] > 0).astype(int)
    with pytest.raises(AnalysisError, match=r"separation: .*term '(quality|efficiency)'"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality", "efficiency"])


def test_refuses_too_few_events_per_predictor(spector):
    with pytest.raises(
        AnalysisError,
        match=r"n_events = 11 .* n_predictors = 3 .* the minimum is min_events_per_predictor = 10",
    ):
        repurchase_logit(spector, outcome="GRADE", predictors=["GPA", "TUCE", "PSI"])


def test_type_and_value_errors(make_survey):
    df = make_survey(300, seed=14)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame; got dict"):
        repurchase_logit({"a": [1]}, outcome="repurchase", predictors=["quality"])
    with pytest.raises(TypeError, match="predictors must be a list or tuple of column names; got str"):
        repurchase_logit(df, outcome="repurchase", predictors="quality")
    with pytest.raises(TypeError, match=r"predictor 'customer_type' must be numeric .* got dtype str"):
        repurchase_logit(df, outcome="repurchase", predictors=["customer_type"])
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\), e\.g\. 0\.95; got 95"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality"], confidence=95)
    with pytest.raises(ValueError, match=r"predictors lists columns more than once: \['quality'\]"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality", "quality"])
    with pytest.raises(ValueError, match=r"columns \['quality'\] are listed both in predictors and controls"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality"], controls=["quality"])
    with pytest.raises(AnalysisError, match=r"survey_weights column 'weight' must be >= 0; found 1 negative"):
        repurchase_logit(df.assign(weight=df["weight"].where(df.index != 5, -1.0)), outcome="repurchase",
                         predictors=["quality"], survey_weights="weight")
    with pytest.raises(TypeError, match="robust must be True or False"):
        repurchase_logit(df, outcome="repurchase", predictors=["quality"], robust="HC1")


# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0))
def test_property_robust_fit_invariants(make_survey, seed, scale):
    df = make_survey(600, seed=seed)
    df["weight"] = df["weight"] * scale
    res = repurchase_logit(
        df, outcome="repurchase", predictors=["quality", "efficiency"], controls=["customer_type"],
        survey_weights="weight",
    )
    tab = res.coefficients
    assert (tab["ci_low"] < tab["coef"]).all() and (tab["coef"] < tab["ci_high"]).all()
    # AME of a numeric term = beta * weighted mean density
    X = res._X
    p = special.expit(X @ res._params)
    dens = np.average(p * (1 - p), weights=df["weight"])
    assert res.marginal_effects.loc["quality", "ame"] == pytest.approx(tab.loc["quality", "coef"] * dens, rel=1e-10)
    assert 0.0 < res.pseudo_r2 < 1.0
    curve = predicted_curve(res, variable="quality", grid=np.linspace(1, 5, 9), at="average")
    assert curve["probability"].between(0, 1).all()
    assert (curve["ci_low"] <= curve["probability"]).all() and (curve["probability"] <= curve["ci_high"]).all()
    # a positive coefficient gives an increasing curve
    assert np.all(np.sign(np.diff(curve["probability"])) == np.sign(tab.loc["quality", "coef"]))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_property_logit_invariant_to_row_order(make_survey, seed):
    df = make_survey(500, seed=seed)
    shuffled = df.sample(frac=1.0, random_state=seed)
    a = repurchase_logit(df, outcome="repurchase", predictors=["quality", "digital"])
    b = repurchase_logit(shuffled, outcome="repurchase", predictors=["quality", "digital"])
    np.testing.assert_allclose(a.coefficients["coef"], b.coefficients["coef"], rtol=1e-7)
    np.testing.assert_allclose(a.coefficients["se"], b.coefficients["se"], rtol=1e-6)


# --------------------------------------------------------------------------------------
# recovery of planted truth
# --------------------------------------------------------------------------------------
def test_recovers_simulated_coefficients_within_ci(make_survey):
    # A simulation with known coefficients: every 95% CI covers its true value for this
    # seed (checked once; coverage itself is a property of the method, not of one draw).
    df = make_survey(20_000, seed=2026, beta=(-6.0, 0.9, 0.5, 0.2), type_effect=0.4)
    res = repurchase_logit(
        df, outcome="repurchase", predictors=["quality", "efficiency", "digital"], controls=["customer_type"]
    )
    truth = {"const": -6.0, "quality": 0.9, "efficiency": 0.5, "digital": 0.2, "customer_type[returning]": 0.4}
    for term, value in truth.items():
        assert res.coefficients.loc[term, "ci_low"] < value < res.coefficients.loc[term, "ci_high"], term


def demo_frame(paths: dict) -> tuple[pd.DataFrame, dict]:
    """Dimension scores of the clean respondents of one demo category, and its truth.

    Scores follow the demo's documented definition (truth["dimension_score_definition"]):
    mean of the answered items after reverse-keying (6 - x), NaN below half answered.
    Careless respondents (truth["careless"]) are left out: their stated ratings do not
    follow the planted model.
    """
    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    responses = pd.read_csv(paths["responses"])
    careless = {rid for ids in truth["careless"].values() for rid in ids}
    responses = responses[~responses["respondent_id"].isin(careless)]
    reverse = set(truth["latent"]["reverse_items"])
    scores = {}
    for dim, items in truth["dimension_items"].items():
        block = responses[items].astype(float)
        block = block.apply(lambda col: 6 - col if col.name in reverse else col)
        enough = block.notna().sum(axis=1) >= 0.5 * len(items)
        scores[dim] = block.mean(axis=1).where(enough)
    frame = pd.concat(
        [responses[["overall_sat", "repurchase", "repurchase_intent", "customer_type"]], pd.DataFrame(scores)],
        axis=1,
    )
    return frame, truth


@pytest.fixture(scope="module")
def demo_study(tmp_path_factory):
    demo = pytest.importorskip("csat_research.demo.generator")
    # the study of `make demo-data` (Makefile: SEED=2026, default n=2000 per category)
    return demo.write_demo_study(tmp_path_factory.mktemp("demo"), seed=2026)


def test_recovers_demo_study_repurchase_coefficients(demo_study):
    n_intervals = sum(len(json.loads(p["truth"].read_text())["repurchase_logit"]) for p in demo_study.values())
    level = 1 - 0.05 / n_intervals  # Bonferroni: all intervals jointly at 95 %
    for category, paths in demo_study.items():
        frame, truth = demo_frame(paths)
        planted = truth["repurchase_logit"]
        dims = list(truth["dimension_items"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CsatWarning)  # rows with a missing score
            res = repurchase_logit(
                frame, outcome="repurchase", predictors=dims, controls=["customer_type"], confidence=level
            )
        assert set(planted) == set(res.coefficients.index), category
        for term, value in planted.items():
            lo, hi = res.coefficients.loc[term, ["ci_low", "ci_high"]]
            assert lo < value < hi, (category, term, value, lo, hi)

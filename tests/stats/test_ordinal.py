"""Tests of csat_research.stats.ordinal against published output of trusted software.

Reference data and numbers
--------------------------
* UCLA OARC ordinal logistic regression example (``ologit.dta``; 400 students, apply ~
  pared + public + gpa), file tests/fixtures/ucla_ologit.csv copied from statsmodels'
  test suite (statsmodels/miscmodels/tests/results/ologit_ucla.csv). Reference values:
  R 3.4.4 ``MASS::polr(apply ~ pared + public + gpa, method="logit", Hess=TRUE)`` as
  stored in statsmodels/miscmodels/tests/results/results_ordinal_model.py.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.stats.ordinal import OrderedLogitResult, repurchase_ordered

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def ologit() -> pd.DataFrame:
    df = pd.read_csv(FIXTURES / "ucla_ologit.csv")
    df["apply"] = pd.Categorical(
        df["apply"], categories=["unlikely", "somewhat likely", "very likely"], ordered=True
    )
    return df


# --------------------------------------------------------------------------------------
# reference values: ordered logit
# --------------------------------------------------------------------------------------
def test_ordered_matches_r_polr(ologit):
    res = repurchase_ordered(ologit, outcome="apply", predictors=["pared", "public", "gpa"], robust=False)
    tab = res.coefficients
    # R MASS::polr(apply ~ pared + public + gpa, method="logit") (statsmodels
    # results_ordinal_model.py res_ord_logit); polr stops its optimiser at about 1e-4,
    # hence the tolerance on the estimates; SEs printed to 4 decimals.
    np.testing.assert_allclose(tab["coef"], [1.04769011, -0.05878572, 0.61594057], atol=2e-4)
    np.testing.assert_allclose(tab["se"], [0.2658, 0.2979, 0.2606], atol=5e-5)
    np.testing.assert_allclose(tab["z"], [3.9418, -0.1974, 2.3632], atol=2e-3)
    np.testing.assert_allclose(tab["p_value"], [8.087070e-05, 8.435464e-01, 1.811594e-02], rtol=2e-3)
    np.testing.assert_allclose(res.thresholds["threshold"], [2.203915, 4.299363], atol=1e-3)
    assert list(res.thresholds.index) == ["unlikely|somewhat likely", "somewhat likely|very likely"]
    assert res.categories == ("unlikely", "somewhat likely", "very likely")
    # UCLA frequencies: 220 / 140 / 40
    assert res.n.tolist() == [220, 140, 40] and res.n_obs == 400 and res.converged


def test_ordered_is_the_exact_mle(ologit):
    # The score is zero at our estimate (polr is less tightly converged): the fit's
    # log-likelihood is not below polr's point.
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    res = repurchase_ordered(ologit, outcome="apply", predictors=["pared", "public", "gpa"], robust=False)
    mod = OrderedModel(
        ologit["apply"].cat.codes.to_numpy(), ologit[["pared", "public", "gpa"]].to_numpy(float), distr="logit"
    )
    tau = res.thresholds["threshold"].to_numpy()
    ours = np.r_[res.coefficients["coef"], tau[0], np.log(tau[1] - tau[0])]
    polr = np.r_[1.04769011, -0.05878572, 0.61594057, 2.203915, np.log(4.299363 - 2.203915)]
    assert mod.loglike(ours) >= mod.loglike(polr)
    assert res.log_likelihood == pytest.approx(mod.loglike(ours), rel=1e-10)
    # thresholds-only log-likelihood from the UCLA frequencies 220/140/40
    ll0 = 220 * np.log(0.55) + 140 * np.log(0.35) + 40 * np.log(0.10)
    assert res.pseudo_r2 == pytest.approx(1 - res.log_likelihood / ll0, rel=1e-12)


def test_ordered_numeric_outcome_and_to_frame(ologit):
    df = ologit.assign(apply_code=ologit["apply"].cat.codes + 1)
    res = repurchase_ordered(df, outcome="apply_code", predictors=["pared", "public", "gpa"])
    assert isinstance(res, OrderedLogitResult)
    assert list(res.thresholds.index) == ["1|2", "2|3"]
    frame = res.to_frame()
    assert frame["kind"].tolist() == ["coefficient"] * 3 + ["threshold"] * 2
    assert res.cov_type == "robust"
    # robust covariance: same estimates as the model-based fit
    base = repurchase_ordered(df, outcome="apply_code", predictors=["pared", "public", "gpa"], robust=False)
    np.testing.assert_allclose(res.coefficients["coef"], base.coefficients["coef"], rtol=1e-8)


def test_ordered_errors(ologit):
    with pytest.raises(AnalysisError, match=r"only two categories \[0, 1\]; use repurchase_logit"):
        repurchase_ordered(ologit, outcome="pared", predictors=["gpa"])
    with pytest.raises(AnalysisError, match="must be numeric codes or an ordered Categorical"):
        repurchase_ordered(ologit.assign(a=ologit["apply"].astype(str)), outcome="a", predictors=["gpa"])
    with pytest.raises(AnalysisError, match=r"column\(s\) \['nps'\] not found"):
        repurchase_ordered(ologit, outcome="apply", predictors=["nps"])
    with pytest.raises(AnalysisError, match="is constant"):
        repurchase_ordered(ologit.assign(c=3), outcome="c", predictors=["gpa"])


def test_ordered_warnings_sparse_categories_and_weights_without_robust(ologit):
    df = ologit.assign(code=ologit["apply"].cat.codes + 1, w=1.0)
    df.loc[df.index[:3], "code"] = 4  # a fourth category with 3 respondents
    with pytest.warns(CsatWarning, match=r"fewer than 5 respondents \[\(4, 3\)\]"):
        repurchase_ordered(df, outcome="code", predictors=["pared", "gpa"])
    with pytest.warns(CsatWarning, match="robust=False with survey weights"):
        repurchase_ordered(df.assign(code=ologit["apply"].cat.codes), outcome="code",
                           predictors=["pared", "gpa"], survey_weights="w", robust=False)


def test_ordered_refuses_diverging_coefficient(ologit):
    # a level of 'pared' in which everybody answers the top category
    df = ologit.assign(code=np.where(ologit["pared"] == 1, 2, ologit["apply"].cat.codes))
    with pytest.raises(AnalysisError, match=r"separation: term 'pared'"):
        repurchase_ordered(df, outcome="code", predictors=["pared", "public", "gpa"])


def test_ordered_weights_equal_row_duplication(ologit):
    df = ologit.assign(w=np.where(np.arange(len(ologit)) % 3 == 0, 2.0, 1.0))
    weighted = repurchase_ordered(df, outcome="apply", predictors=["pared", "public", "gpa"], survey_weights="w")
    expanded = pd.concat([ologit, ologit[df["w"] == 2.0]], ignore_index=True)
    dup = repurchase_ordered(expanded, outcome="apply", predictors=["pared", "public", "gpa"])
    np.testing.assert_allclose(weighted.coefficients["coef"], dup.coefficients["coef"], rtol=1e-5)
    np.testing.assert_allclose(weighted.thresholds["threshold"], dup.thresholds["threshold"], rtol=1e-5)


def _stock_ordered_class(weights):
    """The model repurchase_ordered used before its fast log-likelihood: stock OrderedModel
    (scipy.stats.logistic, numerical derivatives) with the contributions times the weights."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class StockWeighted(OrderedModel):
        def loglikeobs(self, params):
            ll = super().loglikeobs(params)
            return ll if weights is None else weights * ll

    return StockWeighted


def _fit_like_repurchase_ordered(model, codes, weights, cov_type):
    """repurchase_ordered's fitting procedure: BFGS from the null thresholds, then Newton."""
    K = int(codes.max()) + 1
    w = np.ones(codes.size) if weights is None else weights
    tau0 = special.logit(np.cumsum(np.bincount(codes, weights=w, minlength=K))[:-1] / w.sum())
    start = np.concatenate([np.zeros(model.exog.shape[1]), tau0[:1], np.log(np.diff(tau0))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = model.fit(start_params=start, method="bfgs", disp=False, maxiter=2000, skip_hessian=True)
        return model.fit(start_params=first.params, method="newton", disp=False, maxiter=100,
                         cov_type=cov_type)


def _ucla_design(ologit: pd.DataFrame) -> np.ndarray:
    """pared, public, gpa laid out as repurchase_ordered's design (constant column dropped).

    The layout matters: a Fortran-ordered copy changes the last bits of X @ beta, and the
    stock fit (numerical derivatives) then lands ~1e-8 away, its SEs ~1e-6 away.
    """
    columns = [np.ones(len(ologit))] + [ologit[c].to_numpy(dtype=float) for c in ("pared", "public", "gpa")]
    return np.column_stack(columns)[:, 1:]


def _simulated_ordinal(n: int, seed: int):
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 6, (n, 3)).astype(float)
    returning = rng.integers(0, 2, n).astype(float)
    X = np.column_stack([np.ones(n), scores, returning])[:, 1:]  # the layout of the model's design
    latent = X @ np.array([0.6, 0.3, -0.2, 0.5]) + rng.logistic(size=n)
    codes = np.digitize(latent, np.quantile(latent, [0.05, 0.2, 0.6, 0.9]))
    return codes, X, rng.uniform(0.5, 2.0, n)


@pytest.mark.parametrize("data", ["ucla", "simulated"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_weighted_ordered_model_equals_stock_ordered_model(ologit, data, weighted, cov_type):
    # The package's model is statsmodels' OrderedModel with case weights multiplying each case's
    # log-likelihood and an analytic score; the fit must agree with the test's own weighting of
    # the stock model (numerical derivatives throughout) to the accuracy of those derivatives.
    from csat_research.stats.ordinal import _ordered_model_class

    if data == "ucla":
        codes = ologit["apply"].cat.codes.to_numpy().astype(np.int64)
        X = _ucla_design(ologit)
        w = np.random.default_rng(3).uniform(0.5, 2.0, len(ologit))
    else:
        codes, X, w = _simulated_ordinal(2000, seed=8)
    w = w if weighted else None
    fast = _fit_like_repurchase_ordered(
        _ordered_model_class()(codes, X, case_weights=w, hasconst=False), codes, w, cov_type
    )
    stock = _fit_like_repurchase_ordered(_stock_ordered_class(w)(codes, X, distr="logit"), codes, w, cov_type)
    np.testing.assert_allclose(fast.params, stock.params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fast.cov_params(), stock.cov_params(), rtol=1e-4, atol=1e-9)
    assert fast.llf == pytest.approx(stock.llf, rel=1e-12)
    assert np.max(np.abs(fast.mle_retvals["score"])) < 1e-6
    np.testing.assert_allclose(fast.model.predict(fast.params), stock.model.predict(stock.params), atol=1e-7)


@pytest.mark.parametrize("weighted", [False, True])
def test_ordered_model_score_is_the_derivative_of_its_loglikelihood(weighted):
    from statsmodels.tools.numdiff import approx_fprime

    from csat_research.stats.ordinal import _ordered_model_class

    codes, X, w = _simulated_ordinal(600, seed=4)
    model = _ordered_model_class()(codes, X, case_weights=w if weighted else None, hasconst=False)
    k = model.k_levels - 1
    params = np.concatenate([np.full(X.shape[1], 0.2), [-1.0], np.log(np.full(k - 1, 0.9))])
    numerical = approx_fprime(params, model.loglikeobs, centered=True)
    np.testing.assert_allclose(model.score_obs(params), numerical, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.score(params), numerical.sum(axis=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k_levels", [3, 5])
def test_ordered_model_hessian_is_the_derivative_of_its_score(weighted, k_levels):
    # The analytic Hessian (chain rule through the exp-increment cut points included) is the
    # numerical derivative of the analytic score and the numerical second derivative of the
    # stock log-likelihood, at a point away from the optimum (the curvature of the cut-point
    # parametrisation matters there); it is symmetric.
    from statsmodels.tools.numdiff import approx_fprime, approx_hess3

    from csat_research.stats.ordinal import _ordered_model_class

    codes, X, w = _simulated_ordinal(600, seed=4)
    if k_levels == 3:
        codes = np.minimum(codes // 2, 2)
    model = _ordered_model_class()(codes, X, case_weights=w if weighted else None, hasconst=False)
    k = model.k_levels - 1
    assert k == k_levels - 1
    params = np.concatenate([np.full(X.shape[1], 0.2), [-1.0], np.log(np.full(k - 1, 0.9))])
    H = model.hessian(params)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(H, approx_fprime(params, model.score, centered=True), rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(H, approx_hess3(params, model.loglike), rtol=1e-5, atol=2e-3)
    # the cached one-pass terms do not leak between parameter values
    other = params + 0.05
    np.testing.assert_allclose(model.score(other), model.score_obs(other).sum(axis=0), rtol=1e-10, atol=1e-8)
    assert not np.allclose(model.hessian(other), H)


@pytest.mark.parametrize("robust", [False, True])
def test_newton_from_the_null_model_and_the_bfgs_fallback_agree(ologit, monkeypatch, robust):
    # repurchase_ordered runs Newton-Raphson from the thresholds-only model and falls back to
    # BFGS, then Newton, when that does not converge within FAST_NEWTON_MAXITER iterations: one
    # iteration is not enough here, so the fallback runs; both land on polr's estimates.
    import csat_research.stats.ordinal as ordinal

    kw = dict(outcome="apply", predictors=["pared", "public", "gpa"], robust=robust)
    fast = repurchase_ordered(ologit, **kw)
    monkeypatch.setattr(ordinal, "FAST_NEWTON_MAXITER", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the failed first attempt leaves no warning behind
        fallback = repurchase_ordered(ologit, **kw)
    assert fast.converged and fallback.converged
    np.testing.assert_allclose(fallback.coefficients.to_numpy(), fast.coefficients.to_numpy(), rtol=1e-7)
    np.testing.assert_allclose(fallback.thresholds.to_numpy(), fast.thresholds.to_numpy(), rtol=1e-7)
    # R MASS::polr (statsmodels results_ordinal_model.py res_ord_logit), as in test_ordered_matches_r_polr
    np.testing.assert_allclose(fallback.coefficients["coef"], [1.04769011, -0.05878572, 0.61594057], atol=2e-4)


def test_ordered_result_equals_stock_ordered_model_on_ucla(ologit):
    # statsmodels' documented ordinal-regression example: repurchase_ordered's tables are the
    # stock OrderedModel fit (robust SEs: HC0 times n / (n - 1), Stata's vce(robust)), to the
    # accuracy of the stock model's numerical derivatives (the package's score is analytic).
    res = repurchase_ordered(ologit, outcome="apply", predictors=["pared", "public", "gpa"])
    codes = ologit["apply"].cat.codes.to_numpy().astype(np.int64)
    X = _ucla_design(ologit)
    stock = _fit_like_repurchase_ordered(_stock_ordered_class(None)(codes, X, distr="logit"), codes, None, "HC0")
    n = len(ologit)
    np.testing.assert_allclose(res.coefficients["coef"], stock.params[:3], rtol=1e-6)
    np.testing.assert_allclose(res.coefficients["se"], stock.bse[:3] * np.sqrt(n / (n - 1)), rtol=1e-4)
    assert res.log_likelihood == pytest.approx(stock.llf, rel=1e-12)


# --------------------------------------------------------------------------------------
# large studies: the fit on the distinct response patterns is the fit on the rows
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("robust", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_pattern_fit_equals_row_fit(ologit, monkeypatch, robust, weighted):
    """Three copies of the UCLA data: 400 patterns of 3 respondents each. Fitted on the patterns
    (what studies of COMPRESS_MIN_ROWS rows or more get) and on the 1,200 rows, every estimate,
    standard error and the log-likelihood agree; the estimates are R polr's (the same data three
    times), the model-based SEs polr's divided by sqrt(3)."""
    import csat_research.stats.ordinal as ordinal

    data = pd.concat([ologit] * 3, ignore_index=True)
    if weighted:
        data["w"] = np.tile(np.r_[np.full(200, 0.5), np.full(200, 1.5)], 3)
    kw = dict(outcome="apply", predictors=["pared", "public", "gpa"], robust=robust,
              survey_weights="w" if weighted else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)  # robust=False with weights is warned about
        monkeypatch.setattr(ordinal, "COMPRESS_MIN_ROWS", 10**9)
        rows = repurchase_ordered(data, **kw)
        monkeypatch.setattr(ordinal, "COMPRESS_MIN_ROWS", 0)
        patterns = repurchase_ordered(data, **kw)
    for name in ("coef", "se", "ci_low", "ci_high", "odds_ratio"):
        np.testing.assert_allclose(patterns.coefficients[name], rows.coefficients[name], rtol=1e-7)
    np.testing.assert_allclose(patterns.thresholds.to_numpy(), rows.thresholds.to_numpy(), rtol=1e-7)
    assert patterns.log_likelihood == pytest.approx(rows.log_likelihood, rel=1e-12)
    assert patterns.n_obs == rows.n_obs == 1200 and patterns.n.tolist() == [660, 420, 120]
    if not weighted:
        np.testing.assert_allclose(patterns.coefficients["coef"], [1.04769011, -0.05878572, 0.61594057], atol=2e-4)
        if not robust:
            np.testing.assert_allclose(patterns.coefficients["se"], np.array([0.2658, 0.2979, 0.2606]) / np.sqrt(3),
                                       atol=5e-5)


def test_large_study_benchmark_runs_on_a_small_study(tmp_path, monkeypatch, capsys):
    # benchmarks/bench_stats_large.py on a generated 2,000-respondent demo study (in tmp_path):
    # every row measured, and today's results agree with the baseline revision's
    import importlib.util
    import subprocess

    root = Path(__file__).resolve().parents[2]
    if subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "HEAD"], capture_output=True).returncode:
        pytest.skip("not a git checkout: the benchmark's baseline is a git revision")
    monkeypatch.setenv("CSAT_BENCH_CACHE", str(tmp_path))
    spec = importlib.util.spec_from_file_location("bench_stats_large", root / "benchmarks" / "bench_stats_large.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.main(["--n", "2000", "--baseline", "HEAD", "--no-memory", "--workers", "2"])
    assert [r["analysis"].split("(")[0].strip() for r in rows] == [
        "repurchase_ordered", "relative_importance", "same, n_jobs=2", "relative_importance", "same, n_jobs=2",
        "_replicates",
    ]
    assert all(r["seconds"] > 0 and r["base_seconds"] > 0 for r in rows)
    out = capsys.readouterr().out
    assert "load average" in out and "multinomial draws" in out

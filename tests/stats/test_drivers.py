"""Tests of csat_research.stats.drivers against published output of trusted software.

Reference data and numbers
--------------------------
* ``mtcars`` (R datasets; Henderson & Velleman 1981), tests/fixtures/r_datasets_mtcars.csv,
  identical to ``write.csv(mtcars)`` in R.
  - Shapley / LMG: ``relaimpo::calc.relimp(mpg ~ am + vs + cyl, data = mtcars,
    type = "lmg")`` and ``domir::domir(mpg ~ am + vs + cyl, lm_wrapper, data = mtcars)``
    as printed in the domir README (github.com/jluchman/domir, README.md): lmg / general
    dominance am 0.1774892, vs 0.2027032, cyl 0.3817849; overall value (R2) 0.7619773;
    standardized 0.2329324, 0.2660226, 0.5010450; ranks 3, 2, 1.
  - Johnson's relative weights: ``rwa::rwa(mtcars, outcome = "mpg", predictors = c("cyl",
    "disp", "hp", "gear"))`` as printed in the rwa README (github.com/martinctc/rwa,
    README.md): raw weights cyl 0.2284797, disp 0.2221469, hp 0.2321744, gear 0.0963886;
    rsquare 0.7791896; rescaled 29.32274, 28.50999, 29.79691, 12.37037 (%).
* ``longley`` (R datasets; shipped with statsmodels as ``sm.datasets.longley`` with the
  columns TOTEMP = Employed, GNP, UNEMP = Unemployed, ARMED = Armed.Forces, POP =
  Population; the R copy rescales some columns, which correlation-based metrics ignore):
  ``calc.relimp(lm(Armed.Forces ~ GNP + Population + Employed + Unemployed, longley),
  type = c("lmg", "last", "first", "pratt"), rela = TRUE)`` printed in the course notes
  "A Hands-on Introduction to Statistics with R" (section "Variable selection -- Relative
  importance"): lmg 0.328, 0.241, 0.217, 0.215; "Proportion of variance explained by
  model: 70.2%".
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.stats.drivers import (
    MAX_SHAPLEY_PREDICTORS,
    QUADRANTS,
    importance_performance,
    relative_importance,
    top_drivers,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DIMS = ["efficiency", "quality", "communication", "after_sales", "digital"]


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "r_datasets_mtcars.csv")


def _survey(n: int, seed: int, binary: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cov = 0.5 * np.ones((5, 5)) + 0.5 * np.eye(5)
    latent = rng.multivariate_normal(np.zeros(5), cov, size=n)
    df = pd.DataFrame(np.clip(np.round(3 + latent), 1, 5), columns=DIMS)
    y = 0.3 * df["efficiency"] + 0.4 * df["quality"] + 0.1 * df["communication"] + 0.05 * df["digital"]
    df["overall_sat"] = y + rng.normal(0, 0.5, n)
    df["repurchase"] = (rng.random(n) < 1 / (1 + np.exp(-(y - y.mean())))).astype(int)
    df["weight"] = rng.uniform(0.5, 2.0, n)
    return df


def _ols_r2(df: pd.DataFrame, outcome: str, predictors: list[str]) -> float:
    return float(sm.OLS(df[outcome], sm.add_constant(df[predictors])).fit().rsquared)


# --------------------------------------------------------------------------------------
# reference values
# --------------------------------------------------------------------------------------
def test_shapley_matches_relaimpo_lmg_mtcars(mtcars):
    res = relative_importance(mtcars, outcome="mpg", predictors=["am", "vs", "cyl"])
    # relaimpo calc.relimp(type="lmg") / domir general dominance, domir README
    np.testing.assert_allclose(res["importance"], [0.1774892, 0.2027032, 0.3817849], atol=5e-8)
    assert res["importance"].sum() == pytest.approx(0.7619773, abs=5e-8)  # domir "Overall Value"
    np.testing.assert_allclose(res["share"], [0.2329324, 0.2660226, 0.5010450], atol=5e-8)  # "Standardized"
    assert res["rank"].tolist() == [3, 2, 1]  # domir "Ranks"
    assert res["n"].tolist() == [32, 32, 32]
    assert list(res.columns) == ["importance", "share", "rank", "n"]
    assert res.index.name == "predictor"


def test_shapley_matches_relaimpo_lmg_longley():
    longley = sm.datasets.longley.load_pandas().data
    res = relative_importance(longley, outcome="ARMED", predictors=["GNP", "POP", "TOTEMP", "UNEMP"])
    # calc.relimp(..., rela = TRUE), printed to 3 decimals
    np.testing.assert_allclose(res["share"], [0.328, 0.241, 0.217, 0.215], atol=5e-4)
    # "Proportion of variance explained by model: 70.2%"
    assert res["importance"].sum() == pytest.approx(0.702, abs=5e-4)


def test_johnson_matches_rwa_mtcars(mtcars):
    res = relative_importance(mtcars, outcome="mpg", predictors=["cyl", "disp", "hp", "gear"], method="johnson")
    # rwa::rwa README: Raw.RelWeight, rsquare, Rescaled.RelWeight
    np.testing.assert_allclose(res["importance"], [0.2284797, 0.2221469, 0.2321744, 0.0963886], atol=5e-8)
    assert res["importance"].sum() == pytest.approx(0.7791896, abs=5e-8)
    np.testing.assert_allclose(100 * res["share"], [29.32274, 28.50999, 29.79691, 12.37037], atol=5e-6)
    assert res["rank"].tolist() == [2, 3, 1, 4]


# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    p=st.integers(2, 7),
    method=st.sampled_from(["shapley", "johnson"]),
    perm_seed=st.integers(0, 1000),
)
def test_property_sums_shares_and_order_invariance(seed, p, method, perm_seed):
    rng = np.random.default_rng(seed)
    n = 60
    X = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))  # correlated predictors
    names = [f"x{j}" for j in range(p)]
    df = pd.DataFrame(X, columns=names)
    df["y"] = X @ rng.normal(size=p) + rng.normal(size=n) * 2
    res = relative_importance(df, outcome="y", predictors=names, method=method)
    assert res["importance"].sum() == pytest.approx(_ols_r2(df, "y", names), rel=1e-9)
    assert res["share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert (res["importance"] >= -1e-12).all()
    assert res.loc[res["importance"].idxmax(), "rank"] == 1
    assert sorted(res["rank"]) == list(range(1, p + 1)) or res["importance"].duplicated().any()
    order = list(np.random.default_rng(perm_seed).permutation(names))
    shuffled = relative_importance(df, outcome="y", predictors=order, method=method)
    assert list(shuffled.index) == order
    # Johnson's weights come from an eigendecomposition of the predictor correlation matrix; on
    # ill-conditioned draws LAPACK agrees across orderings to ~1e-8 relative (seen: 8.4e-9).
    np.testing.assert_allclose(shuffled.loc[names, "importance"], res["importance"], rtol=1e-7, atol=1e-12)
    # scale / shift invariance (correlation-based)
    scaled = df.assign(x0=df["x0"] * 37.5 - 4, y=df["y"] * 0.01 + 3)
    again = relative_importance(scaled, outcome="y", predictors=names, method=method)
    np.testing.assert_allclose(again["importance"], res["importance"], rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("method", ["shapley", "johnson"])
def test_orthogonal_predictors_get_their_squared_correlation(method):
    rng = np.random.default_rng(4)
    raw = rng.normal(size=(200, 3))
    Q, _ = np.linalg.qr(raw - raw.mean(axis=0))  # orthogonal columns with mean zero
    df = pd.DataFrame(Q * 10, columns=["a", "b", "c"])
    df["y"] = df["a"] + 2 * df["b"] + rng.normal(size=200)
    res = relative_importance(df, outcome="y", predictors=["a", "b", "c"], method=method)
    r = df[["a", "b", "c"]].corrwith(df["y"]) ** 2
    np.testing.assert_allclose(res["importance"], r, rtol=1e-9)


def test_integer_weights_equal_row_duplication():
    df = _survey(400, seed=1)
    df["w"] = np.where(np.arange(len(df)) % 5 == 0, 3.0, 1.0)
    weighted = relative_importance(df, outcome="overall_sat", predictors=DIMS, survey_weights="w")
    expanded = pd.concat([df] + [df[df["w"] == 3.0]] * 2, ignore_index=True)
    dup = relative_importance(expanded, outcome="overall_sat", predictors=DIMS)
    np.testing.assert_allclose(weighted["importance"], dup["importance"], rtol=1e-10)
    assert weighted["n"].iloc[0] == 400


def test_binary_outcome_decomposes_linear_probability_r2():
    df = _survey(3000, seed=2)
    res = relative_importance(df, outcome="repurchase", predictors=DIMS)
    assert res["importance"].sum() == pytest.approx(_ols_r2(df, "repurchase", DIMS), rel=1e-9)
    assert res.index[res["rank"] == 1].tolist() == ["quality"]


def test_items_to_dimension():
    rng = np.random.default_rng(3)
    n = 800
    factor = rng.normal(size=n)
    items = {f"qual_{k}": factor * lam + rng.normal(size=n) * np.sqrt(1 - lam**2)
             for k, lam in enumerate([0.85, 0.7, 0.5])}
    df = pd.DataFrame(items)
    df["quality"] = df.mean(axis=1)
    res = relative_importance(df, outcome="quality", predictors=list(items))
    assert res["importance"].sum() == pytest.approx(1.0, abs=1e-9)  # the score is their mean
    assert res.sort_values("rank").index.tolist() == ["qual_0", "qual_1", "qual_2"]


def test_listwise_deletion_warns_with_counts_and_input_untouched():
    df = _survey(300, seed=5)
    df.loc[[1, 2], "quality"] = np.nan
    df.loc[[2, 9], "overall_sat"] = np.nan
    before = df.copy()
    with pytest.warns(CsatWarning, match=r"dropped 3 of 300 rows"):
        res = relative_importance(df, outcome="overall_sat", predictors=DIMS)
    assert res["n"].iloc[0] == 297
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------------------
# bootstrap
# --------------------------------------------------------------------------------------
def test_bootstrap_is_reproducible_and_independent_of_n_jobs():
    df = _survey(500, seed=7)
    one = relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=60, seed=42)
    two = relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=60, seed=42, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    other = relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=60, seed=43)
    assert not np.allclose(one["ci_low"], other["ci_low"])
    assert list(one.columns) == ["importance", "share", "rank", "n", "ci_low", "ci_high"]
    assert (one["ci_low"] <= one["ci_high"]).all()
    j = relative_importance(df, outcome="overall_sat", predictors=DIMS, method="johnson", n_boot=30, seed=1, n_jobs=-1)
    assert j[["ci_low", "ci_high"]].notna().all().all()


def test_bootstrap_percentiles_are_those_of_the_documented_replicates():
    df = _survey(200, seed=8)
    res = relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=40, seed=9, confidence=0.9)
    # the documented scheme, written out naively: replicate b draws 200 row indices with
    # the b-th child of SeedSequence(9) through the multinomial counts of the distinct
    # rows; equivalently here, recompute with row-level resampling of the same counts
    Z = df[["overall_sat", *DIMS]].to_numpy(float)
    uniq, inverse, counts = np.unique(Z, axis=0, return_inverse=True, return_counts=True)
    boot = []
    for child in np.random.SeedSequence(9).spawn(40):
        draws = np.random.default_rng(child).multinomial(len(Z), counts / len(Z))
        sample = np.repeat(uniq, draws, axis=0)  # the resampled respondents
        boot.append(relative_importance(pd.DataFrame(sample, columns=["overall_sat", *DIMS]),
                                        outcome="overall_sat", predictors=DIMS)["importance"].to_numpy())
    lo, hi = np.quantile(np.array(boot), [0.05, 0.95], axis=0)
    np.testing.assert_allclose(res["ci_low"], lo, rtol=1e-8)
    np.testing.assert_allclose(res["ci_high"], hi, rtol=1e-8)


def test_multinomial_pattern_counts_match_row_resampling_in_distribution():
    # Counts per pattern of n uniform row draws ~ Multinomial(n, counts/n): compare the
    # first two moments of the two schemes over many draws.
    rng = np.random.default_rng(0)
    patterns = np.array([0, 0, 0, 1, 1, 2, 3, 3, 3, 3])  # 10 rows, 4 patterns
    counts = np.bincount(patterns)
    n = len(patterns)
    rows = np.array([np.bincount(patterns[rng.integers(0, n, n)], minlength=4) for _ in range(20000)])
    multi = rng.multinomial(n, counts / n, size=20000)
    np.testing.assert_allclose(rows.mean(axis=0), counts, atol=0.05)
    np.testing.assert_allclose(multi.mean(axis=0), counts, atol=0.05)
    np.testing.assert_allclose(rows.var(axis=0), multi.var(axis=0), rtol=0.05)


# --------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------
def test_refuses_too_many_predictors_for_shapley():
    rng = np.random.default_rng(0)
    names = [f"item_{k}" for k in range(MAX_SHAPLEY_PREDICTORS + 1)]
    df = pd.DataFrame(rng.normal(size=(100, len(names))), columns=names)
    df["y"] = df.sum(axis=1) + rng.normal(size=100)
    with pytest.raises(AnalysisError, match=r"at most 12 predictors; got p = 13. Use method='johnson'"):
        relative_importance(df, outcome="y", predictors=names)
    res = relative_importance(df, outcome="y", predictors=names, method="johnson")
    assert res["importance"].sum() == pytest.approx(_ols_r2(df, "y", names), rel=1e-9)


def test_errors_name_parameter_allowed_and_received():
    df = _survey(100, seed=10)
    with pytest.raises(ValueError, match=r"method must be one of \['shapley', 'johnson'\]; got 'lmg'"):
        relative_importance(df, outcome="overall_sat", predictors=DIMS, method="lmg")
    with pytest.raises(ValueError, match=r"at least 2 predictors; got 1: \['quality'\]"):
        relative_importance(df, outcome="overall_sat", predictors=["quality"])
    with pytest.raises(ValueError, match="outcome 'quality' is also listed among the predictors"):
        relative_importance(df, outcome="quality", predictors=DIMS)
    with pytest.raises(AnalysisError, match=r"column\(s\) \['nps'\] not found"):
        relative_importance(df, outcome="nps", predictors=DIMS)
    with pytest.raises(TypeError, match=r"predictor 'segment' must be numeric .*got dtype str"):
        relative_importance(df.assign(segment="new"), outcome="overall_sat", predictors=["quality", "segment"])
    with pytest.raises(AnalysisError, match=r"column\(s\) \['digital'\] are constant in the 100 complete rows"):
        relative_importance(df.assign(digital=3.0), outcome="overall_sat", predictors=DIMS)
    with pytest.raises(AnalysisError, match="perfectly collinear"):
        relative_importance(df.assign(dup=2 * df["quality"] - df["digital"]), outcome="overall_sat",
                            predictors=["quality", "digital", "dup"])
    with pytest.raises(AnalysisError, match=r"survey_weights column 'weight' must be >= 0; found 1 negative"):
        relative_importance(df.assign(weight=df["weight"].where(df.index != 0, -1.0)), outcome="overall_sat",
                            predictors=DIMS, survey_weights="weight")
    with pytest.raises(ValueError, match="n_boot must be >= 0; got -5"):
        relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=-5)
    with pytest.raises(ValueError, match=r"n_jobs must be a positive integer or -1 \(all CPUs\); got 0"):
        relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=5, n_jobs=0)
    with pytest.raises(TypeError, match="n_boot must be an integer; got float 10.0"):
        relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=10.0)
    with pytest.raises(TypeError, match="seed must be an integer or None; got str 'abc'"):
        relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=5, seed="abc")
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\)"):
        relative_importance(df, outcome="overall_sat", predictors=DIMS, n_boot=5, confidence=1.5)
    with pytest.raises(AnalysisError, match=r"at least p \+ 2 = 7 complete rows for 5 predictors; got 6"):
        relative_importance(df.head(6), outcome="overall_sat", predictors=DIMS)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        relative_importance(df.to_numpy(), outcome="overall_sat", predictors=DIMS)


# --------------------------------------------------------------------------------------
# importance-performance analysis
# --------------------------------------------------------------------------------------
def test_importance_performance_quadrants_follow_martilla_james():
    imp = pd.Series({"efficiency": 0.30, "quality": 0.40, "communication": 0.12, "after_sales": 0.10,
                     "digital": 0.08})
    perf = pd.Series({"efficiency": 4.1, "quality": 3.2, "communication": 3.3, "after_sales": 3.9,
                      "digital": 4.2})
    # mean importance 0.20, mean performance 3.74
    table = importance_performance(imp, perf)
    assert table["quadrant"].tolist() == ["keep_up", "fix_first", "low_priority", "possible_overkill",
                                          "possible_overkill"]
    assert list(table.columns) == ["importance", "performance", "quadrant"]
    assert list(table["quadrant"].cat.categories) == list(QUADRANTS)
    assert table.index.name == "dimension" and list(table.index) == list(imp.index)
    # fixed crosshairs: scale midpoint 3.0 puts every dimension on the high-performance side
    fixed = importance_performance(imp, perf, importance_cut=0.11, performance_cut=3.0)
    assert fixed["quadrant"].tolist() == ["keep_up", "keep_up", "keep_up", "possible_overkill",
                                          "possible_overkill"]


def test_importance_performance_value_at_the_cut_counts_as_high_and_order_of_performance_irrelevant():
    imp = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0})  # mean 2.0 -> b is high
    perf = pd.Series({"c": 5.0, "b": 4.0, "a": 3.0})  # mean 4.0 -> b is high
    table = importance_performance(imp, perf)
    assert table.loc["b", "quadrant"] == "keep_up"
    assert table.loc["a", "quadrant"] == "low_priority" and table.loc["c", "quadrant"] == "keep_up"
    assert table["performance"].tolist() == [3.0, 4.0, 5.0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(1, 5)), min_size=2, max_size=12))
def test_property_quadrant_matches_its_definition(rows):
    names = [f"d{k}" for k in range(len(rows))]
    imp = pd.Series([r[0] for r in rows], index=names)
    perf = pd.Series([r[1] for r in rows], index=names)
    table = importance_performance(imp, perf)
    high_i = imp >= imp.mean()
    high_p = perf >= perf.mean()
    expected = np.select([high_i & ~high_p, high_i & high_p, ~high_i & ~high_p],
                         ["fix_first", "keep_up", "low_priority"], "possible_overkill")
    assert table["quadrant"].astype(str).tolist() == list(expected)


def test_importance_performance_errors():
    imp = pd.Series({"a": 0.2, "b": 0.3})
    with pytest.raises(AnalysisError, match=r"only in importance: \['b'\], only in performance: \['c'\]"):
        importance_performance(imp, pd.Series({"a": 3.0, "c": 4.0}))
    with pytest.raises(AnalysisError, match=r"performance has missing values for \['b'\]"):
        importance_performance(imp, pd.Series({"a": 3.0, "b": np.nan}))
    with pytest.raises(TypeError, match="importance must be a pandas Series indexed by dimension; got dict"):
        importance_performance({"a": 0.2}, pd.Series({"a": 3.0}))
    with pytest.raises(ValueError, match="importance_cut must be 'mean' or a number; got 'median'"):
        importance_performance(imp, pd.Series({"a": 3.0, "b": 4.0}), importance_cut="median")
    with pytest.raises(TypeError, match="performance_cut must be 'mean' or a number; got list"):
        importance_performance(imp, pd.Series({"a": 3.0, "b": 4.0}), performance_cut=[3])
    with pytest.raises(AnalysisError, match="at least 2 dimensions; got 1"):
        importance_performance(pd.Series({"a": 0.2}), pd.Series({"a": 3.0}))
    with pytest.raises(TypeError, match="performance must be numeric; got dtype str"):
        importance_performance(imp, pd.Series({"a": "high", "b": "low"}))


# --------------------------------------------------------------------------------------
# top drivers and the demo study
# --------------------------------------------------------------------------------------
def test_top_drivers_order_and_k(mtcars):
    assert top_drivers(mtcars, outcome="mpg", predictors=["am", "vs", "cyl"]) == ["cyl", "vs", "am"]
    assert top_drivers(mtcars, outcome="mpg", predictors=["cyl", "disp", "hp", "gear"], method="johnson",
                       k=2) == ["hp", "cyl"]
    with pytest.raises(ValueError, match="k must be a positive integer or None; got 0"):
        top_drivers(mtcars, outcome="mpg", predictors=["am", "vs"], k=0)


def _demo_scores(paths: dict) -> tuple[pd.DataFrame, dict]:
    """Dimension scores of the clean respondents (the demo's documented definition)."""
    truth = json.loads(paths["truth"].read_text(encoding="utf-8"))
    responses = pd.read_csv(paths["responses"])
    careless = {rid for ids in truth["careless"].values() for rid in ids}
    responses = responses[~responses["respondent_id"].isin(careless)]
    reverse = set(truth["latent"]["reverse_items"])
    scores = {}
    for dim, items in truth["dimension_items"].items():
        block = responses[items].astype(float).apply(lambda c: 6 - c if c.name in reverse else c)
        scores[dim] = block.mean(axis=1).where(block.notna().sum(axis=1) >= 0.5 * len(items))
    return pd.concat([responses[["overall_sat"]], pd.DataFrame(scores)], axis=1), truth


@pytest.fixture(scope="module")
def demo_study(tmp_path_factory):
    demo = pytest.importorskip("csat_research.demo.generator")
    return demo.write_demo_study(tmp_path_factory.mktemp("demo"), seed=2026)  # as `make demo-data`


@pytest.mark.parametrize("method", ["shapley", "johnson"])
def test_recovers_demo_most_important_dimension(demo_study, method):
    for category, paths in demo_study.items():
        frame, truth = _demo_scores(paths)
        dims = list(truth["dimension_items"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CsatWarning)
            res = relative_importance(frame, outcome="overall_sat", predictors=dims, method=method,
                                      n_boot=100, seed=2026)
        top = res["importance"].idxmax()
        assert top == truth["most_important_dimension"], (category, res)
        # and clearly so: its bootstrap interval lies above every other dimension's estimate
        others = res.drop(index=top)["importance"]
        assert res.loc[top, "ci_low"] > others.max(), (category, res)


def test_benchmark_script_runs_on_a_small_sample(capsys):
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_analytics.py"
    spec = importlib.util.spec_from_file_location("bench_analytics", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.main(["--n", "4000", "--n-boot", "4", "--workers", "2", "--baseline-boot", "2"])
    assert [r["analysis"].split("(")[0] for r in rows] == [
        "repurchase_logit ", "predicted_curve", "relative_importance", "relative_importance",
        "relative_importance", "relative_importance", "relative_importance", "importance_performance ",
    ]
    assert all(r["seconds"] > 0 and r["peak_mib"] > 0 for r in rows)
    assert "process max RSS" in capsys.readouterr().out


@pytest.mark.parametrize("method", ["shapley", "johnson"])
def test_stacked_replicates_equal_one_at_a_time_including_singular_ones(method):
    """The bootstrap computes its replicates together; each equals the replicate computed alone
    (weighted correlation, singularity check, decomposition), and a replicate in which a
    predictor is constant is NaN, counted in the warning and left out of the intervals."""
    from csat_research.stats import drivers

    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.integers(1, 6, size=(14, 4)).astype(float), columns=["y", "a", "b", "c"])
    df["c"] = [1.0] * 13 + [2.0]  # left out of about 35 % of resamples: constant there
    df["w"] = rng.choice([0.5, 1.0, 2.0], size=14)
    Z = df[["y", "a", "b", "c"]].to_numpy(float)
    w = df["w"].to_numpy(float)
    Zc = Z - np.average(Z, axis=0, weights=w)
    Zu, wu, counts = drivers._patterns(Zc, w)
    seeds = np.random.SeedSequence(5).spawn(60)
    stacked = drivers._replicates(Zu, wu, counts, seeds, method)
    alone = []
    for s in seeds:
        draws = np.random.default_rng(s).multinomial(int(counts.sum()), counts / counts.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            R = drivers._weighted_corr(Zu, wu * draws)
        wb = wu * draws
        variance = np.average(Zu**2, axis=0, weights=wb) - np.average(Zu, axis=0, weights=wb) ** 2
        constant = (variance <= 1e-12 * max(1.0, np.abs(Zu).max() ** 2)).any()  # c left out
        if not constant and np.all(np.isfinite(R)) and np.linalg.eigvalsh(R[1:, 1:]).min() > 1e-10:
            alone.append(drivers._DECOMPOSE[method](R))
        else:
            alone.append(np.full(3, np.nan))
    alone = np.array(alone)
    failed = int(np.isnan(alone).any(axis=1).sum())
    assert 5 < failed < 55
    np.testing.assert_array_equal(np.isnan(stacked), np.isnan(alone))
    np.testing.assert_allclose(stacked, alone, rtol=1e-9, atol=1e-12)
    with pytest.warns(CsatWarning, match=f"{failed} of 60 bootstrap replicates had a constant variable"):
        res = relative_importance(df, outcome="y", predictors=["a", "b", "c"], survey_weights="w", method=method,
                                  n_boot=60, seed=5)
    ok = alone[~np.isnan(alone).any(axis=1)]
    np.testing.assert_allclose(res["ci_low"], np.quantile(ok, 0.025, axis=0), rtol=1e-9)
    np.testing.assert_allclose(res["ci_high"], np.quantile(ok, 0.975, axis=0), rtol=1e-9)


@pytest.mark.parametrize("block_bytes", [1, 3 * 8 * 40, 10**9])
def test_replicates_do_not_depend_on_the_block_size(monkeypatch, block_bytes):
    """The replicates are drawn and reduced a block at a time (REPLICATE_BLOCK_BYTES): one
    replicate per block, blocks of 3 (one shorter block at the end) and all in one give the
    same draws and the same numbers (to round-off: a one-row block's product is a different BLAS
    kernel), also through relative_importance with two workers."""
    from csat_research.stats import drivers

    df = _survey(300, seed=12)
    cols = ["overall_sat", *DIMS]
    Z = df[cols].to_numpy(float)
    w = np.random.default_rng(2).choice([0.5, 1.0, 1.5], size=len(df))
    Zc = Z - np.average(Z, axis=0, weights=w)
    Zu, wu, counts = drivers._patterns(Zc, w)
    seeds = np.random.SeedSequence(21).spawn(20)
    reference = drivers._replicates(Zu, wu, counts, seeds, "shapley")
    monkeypatch.setattr(drivers, "REPLICATE_BLOCK_BYTES", block_bytes)
    blocked = drivers._replicates(Zu, wu, counts, seeds, "shapley")
    np.testing.assert_allclose(blocked, reference, rtol=1e-12, atol=1e-15)
    # each replicate is the weighted correlation of its own multinomial draw, decomposed
    draws = np.random.default_rng(seeds[7]).multinomial(int(counts.sum()), counts / counts.sum())
    np.testing.assert_allclose(blocked[7], drivers._shapley(drivers._weighted_corr(Zu, wu * draws)),
                               rtol=1e-10)
    df["w"] = w
    one = relative_importance(df, outcome="overall_sat", predictors=DIMS, survey_weights="w", n_boot=20, seed=21)
    two = relative_importance(df, outcome="overall_sat", predictors=DIMS, survey_weights="w", n_boot=20, seed=21,
                              n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    alpha = 0.025
    np.testing.assert_allclose(one["ci_low"], np.quantile(reference, alpha, axis=0), rtol=1e-12)


def test_row_draws_of_a_large_study_are_the_resampled_respondents(monkeypatch):
    """From ROW_DRAWS_MIN_ROWS respondents on (when nearly every respondent is a pattern of their
    own) a replicate draws n respondent numbers and counts their patterns: each replicate is then
    exactly the decomposition of the resampled respondents themselves (the textbook bootstrap,
    computed on the rows), and relative_importance's intervals are the quantiles of those."""
    from csat_research.stats import drivers

    monkeypatch.setattr(drivers, "ROW_DRAWS_MIN_ROWS", 200)
    df = _survey(400, seed=31)
    cols = ["overall_sat", *DIMS]
    df["w"] = np.random.default_rng(4).choice([0.5, 1.0, 1.5], size=len(df))
    Z = df[cols].to_numpy(float)
    w = df["w"].to_numpy(float)
    Zc = Z - np.average(Z, axis=0, weights=w)
    Zu, wu, counts, rows_of = drivers._patterns(Zc, w, inverse=True)
    assert len(counts) > drivers.ROW_DRAWS_MIN_PATTERN_SHARE * len(df)  # continuous scores
    np.testing.assert_array_equal(Zu[rows_of], Zc)
    seeds = np.random.SeedSequence(8).spawn(30)
    res = relative_importance(df, outcome="overall_sat", predictors=DIMS, survey_weights="w", n_boot=30, seed=8)
    by_rows = []
    for s in seeds:
        idx = np.random.default_rng(s).integers(0, len(df), len(df))  # the resampled respondents
        by_rows.append(drivers._shapley(drivers._weighted_corr(Zc[idx], w[idx])))
    by_rows = np.array(by_rows)
    np.testing.assert_allclose(drivers._replicates(Zu, wu, counts, seeds, "shapley", rows_of=rows_of), by_rows,
                               rtol=1e-9)
    np.testing.assert_allclose(res["ci_low"], np.quantile(by_rows, 0.025, axis=0), rtol=1e-9)
    np.testing.assert_allclose(res["ci_high"], np.quantile(by_rows, 0.975, axis=0), rtol=1e-9)

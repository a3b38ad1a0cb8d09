"""Tests of csat_research.stats.cfa against published output of R psych / lavaan /
semTools / MBESS and pingouin's documented examples, plus properties and bad input.

Provenance of every reference number is given beside it. Tolerances are half a unit of
the last printed digit (plus 1e-4 where semopy's SLSQP optimum differs from lavaan's
NLMINB optimum in the 4th decimal).

Data:
- HolzingerSwineford1939 ships with semopy (``semopy.examples.holzinger39``), 301 rows,
  identical to lavaan's (the CFA chi-square 85.306 below reproduces lavaan's exactly).
- tests/fixtures/pingouin_cronbach_alpha_long.csv and pingouin_cronbach_wide_missing.csv:
  copied byte for byte from pingouin 0.7.0 (``pingouin/datasets/``, GPL-3), the datasets of
  ``pingouin.cronbach_alpha``'s docstring.
- tests/fixtures/r_datasets_attitude.csv: R's ``datasets::attitude`` (Chatterjee & Price
  1977), as distributed by vincentarelbundock/Rdatasets ``csv/datasets/attitude.csv``.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import semopy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, CsatWarning, DataError, ParamsError
from csat_research.io.params import DEFAULT_THRESHOLDS
from csat_research.stats.cfa import (
    AlphaResult,
    CFAResult,
    OmegaResult,
    alpha_if_deleted,
    cfa,
    cronbach_alpha,
    htmt,
    item_total,
    omega,
    reliability_verdict,
    scale_reliability,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures"
HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
X9 = [f"x{i}" for i in range(1, 10)]

# Half a unit of the printed 3rd decimal, plus slack for optimizer differences (semopy
# SLSQP vs lavaan NLMINB agree to ~1e-4 on HolzingerSwineford).
TOL3 = 0.0005 + 1e-4
TOL2 = 0.005 + 1e-9


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return semopy.examples.holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_fit(hs) -> CFAResult:
    return cfa(hs, HS_MODEL)


@pytest.fixture(scope="module")
def hs_fit_orth(hs) -> CFAResult:
    return cfa(hs, HS_MODEL, orthogonal=True)


@pytest.fixture(scope="module")
def pingouin_missing() -> pd.DataFrame:
    return pd.read_csv(FIX / "pingouin_cronbach_wide_missing.csv", encoding="utf-8-sig")


def _likert(seed: int, n: int = 400, k: int = 5, loading: float = 0.7) -> pd.DataFrame:
    """Seeded one-factor Likert data (codes 1-5)."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    latent = loading * f[:, None] + math.sqrt(1 - loading**2) * rng.standard_normal((n, k))
    codes = np.clip(np.round(latent * 1.1 + 3), 1, 5)
    return pd.DataFrame(codes, columns=[f"q{j + 1}" for j in range(k)])


# =========================================================================== alpha: references
def test_alpha_pingouin_long_dataset():
    # pingouin 0.7.0, docstring of pingouin.cronbach_alpha:
    # pg.cronbach_alpha(data=pg.read_dataset('cronbach_alpha'), items='Items', scores='Scores',
    #                   subject='Subj') -> (0.5917188485995826, array([0.195, 0.84 ]))
    long = pd.read_csv(FIX / "pingouin_cronbach_alpha_long.csv")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    with pytest.warns(CsatWarning, match=r"2 of 10 item\(s\) correlate negatively.*Q5.*Q6"):
        res = cronbach_alpha(wide)
    assert res.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert res.ci_low == pytest.approx(0.195, abs=0.0005)
    assert res.ci_high == pytest.approx(0.840, abs=0.0005)
    assert (res.n_obs, res.n_items, res.n_dropped) == (15, 10, 0)


def test_alpha_pingouin_pairwise_missing(pingouin_missing):
    # pingouin 0.7.0 docstring, "In R: psych:alpha(data, use='pairwise')":
    # pg.cronbach_alpha(data=pg.read_dataset('cronbach_wide_missing'))
    #   -> (0.732660835214447, array([0.435, 0.909]))
    with pytest.warns(CsatWarning, match="correlate negatively"):
        res = cronbach_alpha(pingouin_missing, missing="pairwise")
    assert res.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert res.ci_low == pytest.approx(0.435, abs=0.0005)
    assert res.ci_high == pytest.approx(0.909, abs=0.0005)
    assert res.n_obs == 12 and res.n_dropped == 0 and res.missing == "pairwise"


def test_alpha_pingouin_listwise_missing(pingouin_missing):
    # pingouin 0.7.0 docstring, "In R: psych:alpha(data, use='complete.obs')":
    # pg.cronbach_alpha(data=data, nan_policy='listwise') -> (0.8016949152542373, [0.581, 0.933])
    # The alpha is reproduced; the interval is not compared: pingouin computes it with the
    # 12 rows *before* deletion, we with the 9 rows actually used (documented deviation).
    with pytest.warns(CsatWarning, match=r"dropped 3 of 12 respondents"):
        res = cronbach_alpha(pingouin_missing, missing="listwise")
    assert res.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert (res.n_obs, res.n_dropped) == (9, 3)
    assert res.ci_low < res.alpha < res.ci_high


def test_alpha_pingouin_median_imputed(pingouin_missing):
    # pingouin 0.7.0 docstring: pg.cronbach_alpha(data=data.fillna(data.median()))
    #   -> (0.7380191693290734, array([0.447, 0.911]))
    with pytest.warns(CsatWarning, match="correlate negatively"):
        res = cronbach_alpha(pingouin_missing.fillna(pingouin_missing.median()))
    assert res.alpha == pytest.approx(0.7380191693290734, abs=1e-12)
    assert res.ci_low == pytest.approx(0.447, abs=0.0005)
    assert res.ci_high == pytest.approx(0.911, abs=0.0005)


@pytest.mark.parametrize(
    ("factor", "expected"),
    [
        # native R 4.6.0, psych::alpha(HolzingerSwineford1939[, items])$total$raw_alpha, quoted
        # to 10 decimals in a public GitHub test file (vitest cfaReliability test: "Reference
        # values: native R 4.6.0 ... psych::alpha (raw_alpha)"); the same three values are
        # semTools::reliability()'s "alpha" row for HS.model.
        ("visual", 0.6261171319),
        ("textual", 0.8827069129),
        ("speed", 0.6884550230),
    ],
)
def test_alpha_psych_per_factor_hs(hs, factor, expected):
    assert cronbach_alpha(hs, items=HS_MODEL[factor]).alpha == pytest.approx(expected, abs=5e-11)


def test_alpha_and_item_stats_psych_hs_nine_items(hs):
    # R psych::alpha(HolzingerSwineford1939[, 7:15]) as printed (2 decimals) in the README of
    # GitHub Aaron0696/aaRon ("prettyalpha" section): raw_alpha 0.76, std.alpha 0.76;
    # "Alpha Values If Certain Items Were Dropped" and "Item-Level Statistics" below.
    res = cronbach_alpha(hs, items=X9)
    assert res.alpha_raw == pytest.approx(0.76, abs=TOL2)
    assert res.alpha_std == pytest.approx(0.76, abs=TOL2)
    tab = item_total(hs, items=X9).set_index("item")
    raw_drop = [0.72, 0.76, 0.75, 0.72, 0.72, 0.71, 0.77, 0.75, 0.73]  # alpha.drop RAW_ALPHA
    std_drop = [0.73, 0.76, 0.75, 0.72, 0.73, 0.72, 0.76, 0.75, 0.73]  # alpha.drop STD.ALPHA
    r_drop = [0.52, 0.28, 0.37, 0.58, 0.53, 0.60, 0.25, 0.37, 0.49]  # item.stats R.DROP
    mean = [4.94, 6.09, 2.25, 3.06, 4.34, 2.19, 4.19, 5.53, 5.37]  # item.stats MEAN
    sd = [1.17, 1.18, 1.13, 1.16, 1.29, 1.10, 1.09, 1.01, 1.01]  # item.stats SD
    np.testing.assert_allclose(tab["alpha_if_deleted"], raw_drop, atol=TOL2)
    np.testing.assert_allclose(tab["std_alpha_if_deleted"], std_drop, atol=TOL2)
    np.testing.assert_allclose(tab["corrected_item_total"], r_drop, atol=TOL2)
    np.testing.assert_allclose(tab["mean"], mean, atol=TOL2)
    np.testing.assert_allclose(tab["sd"], sd, atol=TOL2)
    assert (tab["n"] == 301).all()  # item.stats N


def test_alpha_if_deleted_is_item_total():
    assert alpha_if_deleted is item_total


# =========================================================================== omega: references
# lavaan: cfa(HS.model, data = HolzingerSwineford1939, orthogonal = TRUE), summary() as
# printed in a public lab report on GitHub ("lab1_second_part.md": lavaan 0.6.16, 18
# parameters, chi2 153.527, df 27) and in lavaan 0.6-1 lecture slides (cfa_out_2). With
# uncorrelated factors the likelihood splits into three independent one-factor models, so
# these are the ML one-factor estimates of each 3-item block (marker x1/x4/x7 = 1).
LAVAAN_ORTH = {
    # factor: (loading ratios to the marker, residual variances, factor variance)
    "visual": ([1.0, 0.778, 1.107], [0.835, 1.065, 0.633], 0.524),
    "textual": ([1.0, 1.133, 0.924], [0.382, 0.416, 0.369], 0.969),
    "speed": ([1.0, 1.225, 0.854], [0.746, 0.366, 0.696], 0.437),
}


@pytest.mark.parametrize("factor", list(LAVAAN_ORTH))
def test_omega_one_factor_estimates_match_lavaan(hs, factor):
    ratios, theta, phi = LAVAAN_ORTH[factor]
    res = omega(hs, items=HS_MODEL[factor])
    lam = res.loadings["loading"].to_numpy()
    np.testing.assert_allclose(lam / lam[0], ratios, atol=TOL3)
    np.testing.assert_allclose(res.loadings["residual_variance"], theta, atol=TOL3)
    assert lam[0] ** 2 == pytest.approx(phi, abs=TOL3)  # factor variance = marker loading^2
    # omega from the printed lavaan parameters: (sum lambda)^2 phi / ((...) + sum theta).
    # Inputs are rounded to 3 decimals, so allow 2e-3.
    num = sum(ratios) ** 2 * phi
    assert res.omega == pytest.approx(num / (num + sum(theta)), abs=2e-3)
    assert res.converged and not res.heywood


def test_omega_mbess_attitude():
    # MBESS::ci.reliability(attitude, type = "omega", conf.level = 0.95, interval.type = "mlr")
    # point estimate 0.8563268, quoted in a public R lab script (GitHub, "ESCP 8082 R Labs,
    # Sonja D. Winter": sem <- sd_x * sqrt(1 - 0.8563268)). MBESS fits lavaan's ML one-factor
    # model and uses omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta).
    att = pd.read_csv(FIX / "r_datasets_attitude.csv", index_col=0)
    res = omega(att)
    assert res.omega == pytest.approx(0.8563268, abs=5e-7)
    assert res.n_items == 7 and res.n_obs == 30 and res.denominator == "model"


def test_omega_observed_denominator_matches_definition():
    att = pd.read_csv(FIX / "r_datasets_attitude.csv", index_col=0)
    res = omega(att, denominator="observed")
    lam = res.loadings["loading"].sum()
    s_ml = att.cov(ddof=0).to_numpy()
    assert res.omega == pytest.approx(lam**2 / s_ml.sum(), rel=1e-12)


# =========================================================================== CFA: references
def test_cfa_fit_measures_lavaan_tutorial(hs_fit):
    # lavaan tutorial (lavaan.ugent.be/tutorial/cfa.html; repo yrosseel/lavaan.org.old
    # tutorial.src/cfa.md), summary(cfa(HS.model, data = HolzingerSwineford1939),
    # fit.measures = TRUE), lavaan 0.6-11:
    r = hs_fit
    assert r.chi2 == pytest.approx(85.306, abs=0.0005 + 1e-4)  # Test statistic 85.306
    assert r.dof == 24  # Degrees of freedom 24
    assert r.p_value < 0.0005  # P-value (Chi-square) 0.000
    assert r.chi2_baseline == pytest.approx(918.852, abs=0.0006)  # baseline 918.852
    assert r.dof_baseline == 36  # baseline df 36
    assert r.cfi == pytest.approx(0.931, abs=TOL3)  # CFI 0.931
    assert r.tli == pytest.approx(0.896, abs=TOL3)  # TLI 0.896
    assert r.rmsea == pytest.approx(0.092, abs=TOL3)  # RMSEA 0.092
    assert r.rmsea_ci_low == pytest.approx(0.071, abs=TOL3)  # 90 % CI lower 0.071
    assert r.rmsea_ci_high == pytest.approx(0.114, abs=TOL3)  # 90 % CI upper 0.114
    assert r.rmsea_pvalue == pytest.approx(0.001, abs=TOL3)  # P-value RMSEA <= 0.05 0.001
    assert r.srmr == pytest.approx(0.065, abs=TOL3)  # SRMR 0.065
    assert (r.n_obs, r.n_items, r.n_factors, r.n_dropped) == (301, 9, 3, 0)
    assert r.converged and r.rmsea_ci_level == 0.90


def test_cfa_loadings_lavaan(hs_fit):
    # lavaan tutorial output (Latent Variables: Estimate, Std.Err, z-value) and Std.all from
    # summary(fit, standardized = TRUE) (e.g. r-statistics.co lavaan walkthrough; lavaan
    # 0.6-x printouts in several public knitted reports - identical digits):
    est = [1.000, 0.554, 0.729, 1.000, 1.113, 0.926, 1.000, 1.180, 1.082]
    se = [np.nan, 0.100, 0.109, np.nan, 0.065, 0.055, np.nan, 0.165, 0.151]
    z = [np.nan, 5.554, 6.685, np.nan, 17.014, 16.703, np.nan, 7.152, 7.155]
    std_all = [0.772, 0.424, 0.581, 0.852, 0.855, 0.838, 0.570, 0.723, 0.665]
    theta = [0.549, 1.134, 0.844, 0.371, 0.446, 0.356, 0.799, 0.488, 0.566]  # Variances .x1-.x9
    lo = hs_fit.loadings
    assert list(lo["item"]) == X9 and list(lo["factor"]) == ["visual"] * 3 + ["textual"] * 3 + ["speed"] * 3
    np.testing.assert_allclose(lo["estimate"], est, atol=TOL3)
    np.testing.assert_allclose(lo["se"], se, atol=TOL3)
    np.testing.assert_allclose(lo["z"], z, atol=0.0005 + 2e-3)  # z = est/se, printed to 3 dp
    np.testing.assert_allclose(lo["std_loading"], std_all, atol=TOL3)
    np.testing.assert_allclose(lo["residual_variance"], theta, atol=TOL3)
    assert list(lo["fixed"]) == [True, False, False] * 3
    assert (lo.loc[~lo["fixed"], "p_value"] < 0.0005).all()  # P(>|z|) 0.000
    # Variances: visual 0.809, textual 0.979, speed 0.384 (lavaan tutorial)
    np.testing.assert_allclose(hs_fit.factors["variance"], [0.809, 0.979, 0.384], atol=TOL3)


def test_cfa_orthogonal_fit_lavaan(hs_fit_orth):
    # lavaan 0.6.16, cfa(HS.model, data = HolzingerSwineford1939, orthogonal = TRUE),
    # summary(fit, fit.measures = TRUE) in the public lab report cited at LAVAAN_ORTH:
    r = hs_fit_orth
    assert r.chi2 == pytest.approx(153.527, abs=0.0006)  # Test statistic 153.527
    assert r.dof == 27  # Degrees of freedom 27
    assert r.cfi == pytest.approx(0.857, abs=TOL3)  # CFI 0.857
    assert r.tli == pytest.approx(0.809, abs=TOL3)  # TLI 0.809
    assert r.rmsea == pytest.approx(0.125, abs=TOL3)  # RMSEA 0.125
    assert r.rmsea_ci_low == pytest.approx(0.106, abs=TOL3)  # lower 0.106
    assert r.rmsea_ci_high == pytest.approx(0.144, abs=TOL3)  # upper 0.144
    assert r.srmr == pytest.approx(0.161, abs=TOL3)  # SRMR 0.161
    assert r.orthogonal
    off = r.factor_correlations.to_numpy()[~np.eye(3, dtype=bool)]
    assert np.all(off == 0.0)
    assert "visual ~~ 0*textual" in r.syntax


def test_cfa_reliability_and_validity_semtools(hs_fit):
    f = hs_fit.factors.set_index("factor")
    # semTools::compRelSEM(fit) on cfa(HS.model, HolzingerSwineford1939): published in the
    # MSBMisc::fa_reliability documentation (GitHub mattansb/MSBMisc, which calls compRelSEM):
    # visual 0.6120052, textual 0.8850608, speed 0.6858417; the same to 10 decimals in the
    # native-R test file cited above (CR=omega: 0.6120051511, 0.8850607732, 0.6858416922).
    np.testing.assert_allclose(f["composite_reliability"], [0.6120052, 0.8850608, 0.6858417], atol=2e-4)
    # semTools::AVE(fit), same native-R test file: 0.3705588726, 0.7210162828, 0.4244882926
    np.testing.assert_allclose(f["ave"], [0.3705588726, 0.7210162828, 0.4244882926], atol=2e-4)
    np.testing.assert_allclose(f["sqrt_ave"], [0.6087354702, 0.8491267767, 0.6515276606], atol=2e-4)
    # lavInspect(fit, "cor.lv"), same file: 0.4585093004, 0.4705345445, 0.2829847304;
    # lavaan std.all of the covariances: 0.459, 0.471, 0.283
    fc = hs_fit.factor_correlations
    assert fc.loc["visual", "textual"] == pytest.approx(0.4585093004, abs=2e-4)
    assert fc.loc["visual", "speed"] == pytest.approx(0.4705345445, abs=2e-4)
    assert fc.loc["textual", "speed"] == pytest.approx(0.2829847304, abs=2e-4)
    fl = hs_fit.fornell_larcker
    np.testing.assert_allclose(np.diag(fl), f["sqrt_ave"])
    assert fl.loc["speed", "visual"] == fc.loc["speed", "visual"]
    np.testing.assert_allclose(f["max_abs_correlation"], [0.4705345, 0.4585093, 0.4705345], atol=2e-4)


def test_htmt_geometric_semtools(hs):
    # semTools::htmt(HS.model, HolzingerSwineford1939) (htmt2 = TRUE, the default since
    # 0.5-6), native-R test file cited above: visual-textual 0.3840885639,
    # visual-speed 0.3867729305, textual-speed 0.2796835510. Pure correlation algebra:
    # no optimizer, so the match is to 1e-9.
    h = htmt(hs, HS_MODEL, method="geometric")
    assert h.loc["visual", "textual"] == pytest.approx(0.3840885639, abs=1e-9)
    assert h.loc["visual", "speed"] == pytest.approx(0.3867729305, abs=1e-9)
    assert h.loc["textual", "speed"] == pytest.approx(0.2796835510, abs=1e-9)
    cfa_h = cfa(hs, HS_MODEL, htmt_method="geometric").htmt
    pd.testing.assert_frame_equal(cfa_h, h)


def test_htmt_arithmetic_by_definition(hs):
    # Henseler et al. (2015), eq. 6, written out with explicit loops over item pairs.
    # (No published arithmetic-HTMT value for this model was found; this checks the
    # vectorised implementation against the textbook definition.)
    r = hs[X9].corr().abs()

    def mean_pairs(a, b, same):
        vals = [r.loc[i, j] for i in a for j in b if (not same or i < j)]
        return sum(vals) / len(vals)

    h = htmt(hs, HS_MODEL)
    for a in HS_MODEL:
        for b in HS_MODEL:
            if a == b:
                assert h.loc[a, b] == 1.0
                continue
            want = mean_pairs(HS_MODEL[a], HS_MODEL[b], False) / math.sqrt(
                mean_pairs(HS_MODEL[a], HS_MODEL[a], True) * mean_pairs(HS_MODEL[b], HS_MODEL[b], True)
            )
            assert h.loc[a, b] == pytest.approx(want, rel=1e-12)


def test_htmt_equal_correlations_identity():
    # Tau-equivalent blocks: every within correlation rw, every between rb -> HTMT = rb/rw
    # for both means (Henseler et al. 2015; Roemer et al. 2021).
    rw, rb = 0.6, 0.3
    cor = np.full((6, 6), rb)
    cor[:3, :3] = rw
    cor[3:, 3:] = rw
    np.fill_diagonal(cor, 1.0)
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5000, 6))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    x = pd.DataFrame(z @ np.linalg.cholesky(cor).T, columns=list("abcdef"))
    model = {"f": ["a", "b", "c"], "g": ["d", "e", "f"]}
    for method in ("arithmetic", "geometric"):
        assert htmt(x, model, method=method).loc["f", "g"] == pytest.approx(rb / rw, rel=1e-9)


# =========================================================================== scale table
def test_scale_reliability_equals_single_functions(hs):
    tab = scale_reliability(hs, HS_MODEL).set_index("dimension")
    assert list(tab.index) == ["visual", "textual", "speed", "overall"]
    for dim, its in list(HS_MODEL.items()) + [("overall", X9)]:
        a = cronbach_alpha(hs, items=its)
        assert tab.loc[dim, "alpha"] == pytest.approx(a.alpha_raw, rel=1e-12)
        assert tab.loc[dim, "alpha_std"] == pytest.approx(a.alpha_std, rel=1e-12)
        assert tab.loc[dim, "ci_low"] == pytest.approx(a.ci_low, rel=1e-12)
        assert tab.loc[dim, "ci_high"] == pytest.approx(a.ci_high, rel=1e-12)
        assert tab.loc[dim, "omega"] == pytest.approx(omega(hs, items=its).omega, rel=1e-9)
        assert tab.loc[dim, "n_items"] == len(its) and tab.loc[dim, "n_obs"] == 301
    # psych raw_alpha of the three factors (native-R values above)
    np.testing.assert_allclose(tab["alpha"].iloc[:3], [0.6261171319, 0.8827069129, 0.6884550230], atol=5e-11)


def test_scale_reliability_listwise_per_dimension():
    df = _likert(11, n=200, k=6)
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


def test_scale_reliability_pairwise():
    df = _likert(12, n=150, k=6)
    df.iloc[::7, 0] = np.nan
    df.iloc[::5, 4] = np.nan
    dims = {"a": ["q1", "q2", "q3"], "b": ["q4", "q5", "q6"]}
    tab = scale_reliability(df, dims, missing="pairwise").set_index("dimension")
    for dim, its in dims.items():
        assert tab.loc[dim, "alpha"] == pytest.approx(
            cronbach_alpha(df, items=its, missing="pairwise").alpha, rel=1e-12
        )


def test_scale_reliability_two_item_dimension_warns():
    df = _likert(13, n=120, k=5)
    with pytest.warns(CsatWarning, match=r"omega needs 3 or more items.*omega reported as NaN"):
        tab = scale_reliability(df, {"a": ["q1", "q2"], "b": ["q3", "q4", "q5"]}, overall=False)
    assert math.isnan(tab.loc[0, "omega"]) and not math.isnan(tab.loc[1, "omega"])
    assert list(tab["dimension"]) == ["a", "b"]


# =========================================================================== verdict
def test_verdict_thresholds_and_layout(hs, hs_fit):
    tab = scale_reliability(hs, HS_MODEL)
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


# =========================================================================== properties
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_alpha_invariant_to_column_order(seed, perm_seed):
    df = _likert(seed, n=80, k=5)
    order = list(np.random.default_rng(perm_seed).permutation(df.columns))
    a = cronbach_alpha(df)
    b = cronbach_alpha(df[order])
    assert b.alpha == pytest.approx(a.alpha, rel=1e-10, abs=1e-12)
    assert b.alpha_std == pytest.approx(a.alpha_std, rel=1e-10, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_standardized_alpha_is_raw_alpha_of_z_scores(seed):
    df = _likert(seed, n=60, k=4)
    z = (df - df.mean()) / df.std()
    assert cronbach_alpha(df, standardized=True).alpha == pytest.approx(
        cronbach_alpha(z).alpha, rel=1e-10, abs=1e-12
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shift=st.sampled_from([0.0, 1e3, 1e6]),
    scale=st.floats(0.01, 100.0),
)
def test_alpha_matches_textbook_formula(seed, shift, scale):
    # alpha = k/(k-1) (1 - sum var_i / var(total)), with numpy's two-pass variance; the
    # one-pass Gram covariance must stay accurate for far-from-zero data too.
    df = _likert(seed, n=50, k=4) * scale + shift
    x = df.to_numpy()
    k = x.shape[1]
    want = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(df).alpha == pytest.approx(want, rel=1e-8, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_pairwise_equals_listwise_without_missing_and_ci_brackets(seed):
    df = _likert(seed, n=40, k=5)
    a = cronbach_alpha(df)
    b = cronbach_alpha(df, missing="pairwise")
    assert a.alpha == pytest.approx(b.alpha, rel=1e-12)
    assert a.ci_low <= a.alpha <= a.ci_high


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_alpha_if_deleted_equals_alpha_of_subscale(seed):
    df = _likert(seed, n=70, k=5)
    tab = item_total(df)
    for j, it in enumerate(df.columns):
        rest = [c for c in df.columns if c != it]
        sub = cronbach_alpha(df, items=rest)
        assert tab.loc[j, "alpha_if_deleted"] == pytest.approx(sub.alpha_raw, rel=1e-10, abs=1e-12)
        assert tab.loc[j, "std_alpha_if_deleted"] == pytest.approx(sub.alpha_std, rel=1e-10, abs=1e-12)
        r = np.corrcoef(df[it], df[rest].sum(axis=1))[0, 1]
        assert tab.loc[j, "corrected_item_total"] == pytest.approx(r, rel=1e-10, abs=1e-12)


def test_pairwise_covariance_matches_pandas():
    df = _likert(21, n=90, k=4)
    df.iloc[::4, 1] = np.nan
    df.iloc[::6, 3] = np.nan
    c = df.cov()  # pandas: pairwise-complete, per-pair means (as R use = "pairwise")
    k = 4
    want = k / (k - 1) * (1 - np.trace(c) / c.to_numpy().sum())
    assert cronbach_alpha(df, missing="pairwise").alpha == pytest.approx(want, rel=1e-12)
    tab = item_total(df, missing="pairwise")
    assert tab["n"].tolist() == df.notna().sum().tolist()
    np.testing.assert_allclose(tab["mean"], df.mean(), rtol=1e-12)
    np.testing.assert_allclose(tab["sd"], df.std(), rtol=1e-12)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), scales=st.lists(st.floats(0.1, 10.0), min_size=5, max_size=5))
def test_omega_standardized_solution_invariant_to_item_scale(seed, scales):
    df = _likert(seed, n=120, k=5)
    a = omega(df)
    b = omega(df * np.array(scales))
    np.testing.assert_allclose(b.loadings["std_loading"], a.loadings["std_loading"], atol=1e-7)
    np.testing.assert_allclose(b.loadings["loading"], a.loadings["loading"] * scales, rtol=1e-6)
    assert 0 < a.omega < 1


def test_omega_matches_semopy_one_factor():
    # Cross-implementation check for k > 3 (over-identified): semopy's ML one-factor CFA
    # on the same covariance gives the same loadings.
    df = _likert(5, n=500, k=5)
    res = omega(df)
    cov = df.cov(ddof=0)
    m = semopy.Model("f =~ q1 + q2 + q3 + q4 + q5")
    m.fit(cov=cov, n_samples=len(df), options={"ftol": 1e-12, "maxiter": 10000})
    ins = m.inspect()
    lam = pd.to_numeric(ins.loc[ins["op"] == "~", "Estimate"]).to_numpy()
    phi = float(ins.loc[(ins["op"] == "~~") & (ins["lval"] == "f"), "Estimate"].iloc[0])
    np.testing.assert_allclose(res.loadings["loading"], lam * math.sqrt(phi), rtol=2e-4)


def test_results_are_frozen_and_to_frame(hs, hs_fit):
    a = cronbach_alpha(hs, items=HS_MODEL["visual"])
    o = omega(hs, items=HS_MODEL["visual"])
    assert isinstance(a, AlphaResult) and isinstance(o, OmegaResult)
    with pytest.raises(AttributeError):
        a.alpha = 1.0  # type: ignore[misc]
    fa = a.to_frame()
    assert fa.shape == (1, 11) and fa.loc[0, "alpha"] == a.alpha and fa.loc[0, "n_obs"] == 301
    assert o.to_frame().loc[0, "omega"] == o.omega
    fr = hs_fit.to_frame()
    assert fr.loc[0, "chi2"] == hs_fit.chi2 and fr.loc[0, "srmr"] == hs_fit.srmr


def test_input_frame_untouched(pingouin_missing):
    before = pingouin_missing.copy()
    with pytest.warns(CsatWarning):
        cronbach_alpha(pingouin_missing, missing="pairwise")
    with pytest.warns(CsatWarning):
        item_total(pingouin_missing)
    with pytest.warns(CsatWarning, match=r"Heywood case - 1 of 4 item\(s\) \['Q8'\]"):
        res = omega(pingouin_missing, items=["Q5", "Q6", "Q7", "Q8"], missing="pairwise")
    assert res.heywood and res.missing == "pairwise"
    pd.testing.assert_frame_equal(pingouin_missing, before)


def test_nullable_integer_columns():
    df = _likert(8, n=60, k=4).astype("Int64")
    df.iloc[0, 0] = pd.NA
    with pytest.warns(CsatWarning, match="dropped 1 of 60"):
        res = cronbach_alpha(df)
    assert res.n_obs == 59


# =========================================================================== warnings
def test_negative_item_warns_with_counts():
    df = _likert(4, n=200, k=4)
    df["q4"] = 6 - df["q4"]  # reverse-keyed, not recoded
    with pytest.warns(CsatWarning, match=r"1 of 4 item\(s\) correlate negatively.*q4"):
        cronbach_alpha(df)


def test_cfa_listwise_warning_counts(hs):
    df = hs[X9].copy()
    df.iloc[:5, 0] = np.nan
    with pytest.warns(CsatWarning, match="dropped 5 of 301"):
        res = cfa(df, HS_MODEL)
    assert res.n_obs == 296 and res.n_dropped == 5


def test_no_warning_on_clean_data(hs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CsatWarning)
        cronbach_alpha(hs, items=X9)
        omega(hs, items=X9)
        scale_reliability(hs, HS_MODEL)


# =========================================================================== errors
def test_errors_data_type_and_columns(hs):
    with pytest.raises(TypeError, match="`data` must be a pandas DataFrame.*got ndarray"):
        cronbach_alpha(hs[X9].to_numpy())
    with pytest.raises(TypeError, match=r"non-numeric column\(s\).*'school'"):
        cronbach_alpha(hs, items=["x1", "x2", "school"])
    with pytest.raises(DataError, match=r"not in `data`: \['q9'\]"):
        cronbach_alpha(hs, items=["x1", "q9"])
    with pytest.raises(TypeError, match="`items` must be a list of column names"):
        cronbach_alpha(hs, items="x1")
    with pytest.raises(ParamsError, match=r"more than once: \['x1'\]"):
        cronbach_alpha(hs, items=["x1", "x1", "x2"])


def test_errors_sizes():
    df = _likert(1, n=30, k=4)
    with pytest.raises(AnalysisError, match="at least 2 items.*has 1"):
        cronbach_alpha(df, items=["q1"])
    with pytest.raises(AnalysisError, match="at least 3 respondents; got 2"):
        cronbach_alpha(df.iloc[:2])
    with pytest.raises(AnalysisError, match="at least 3 items.*got 2"):
        item_total(df, items=["q1", "q2"])
    with pytest.raises(AnalysisError, match="omega needs.*3 items.*got 2"):
        omega(df, items=["q1", "q2"])
    small = df.iloc[:4]
    with pytest.raises(AnalysisError, match=r"n >= p \+ 1.*n = 4 for p = 4"):
        cfa(small, {"f": ["q1", "q2"], "g": ["q3", "q4"]})


def test_errors_constant_empty_infinite():
    df = _likert(2, n=50, k=4)
    const = df.assign(q2=3.0)
    with pytest.raises(AnalysisError, match=r"\['q2'\] have zero variance among the 50 respondents"):
        cronbach_alpha(const)
    empty = df.assign(q3=np.nan)
    with pytest.raises(AnalysisError, match=r"\['q3'\] have no answers at all \(50 rows"):
        cronbach_alpha(empty)
    inf = df.assign(q1=df["q1"].where(df.index != 3, np.inf))
    with pytest.raises(DataError, match=r"\['q1'\] contain infinite values"):
        cronbach_alpha(inf)
    sparse = df.copy()
    sparse.loc[:, "q1"] = np.where(df.index < 25, df["q1"], np.nan)
    sparse.loc[:, "q2"] = np.where(df.index >= 24, df["q2"], np.nan)
    with pytest.raises(AnalysisError, match="'q1' and 'q2' rests on 1 respondent"):
        cronbach_alpha(sparse, missing="pairwise")
    with pytest.raises(AnalysisError, match="listwise deletion left 1 of 50 rows"):
        cronbach_alpha(sparse)


def test_errors_parameters():
    df = _likert(3, n=30, k=4)
    with pytest.raises(ParamsError, match="`missing` must be one of 'listwise', 'pairwise'; got 'all'"):
        cronbach_alpha(df, missing="all")
    with pytest.raises(ParamsError, match=r"`ci` must be a confidence level in \(0, 1\).*got 95.0"):
        cronbach_alpha(df, ci=95)
    with pytest.raises(TypeError, match="`standardized` must be bool"):
        cronbach_alpha(df, standardized="yes")
    with pytest.raises(ParamsError, match="`denominator` must be 'model' or 'observed'"):
        omega(df, denominator="total")
    with pytest.raises(ParamsError, match="`method` must be 'arithmetic' or 'geometric'"):
        htmt(df, {"f": ["q1", "q2"], "g": ["q3", "q4"]}, method="median")


def test_errors_model(hs):
    with pytest.raises(TypeError, match="`model` must be a mapping factor -> list"):
        cfa(hs, [["x1", "x2"]])
    with pytest.raises(AnalysisError, match="factor 'visual' has 1 item"):
        cfa(hs, {"visual": ["x1"], "textual": ["x4", "x5", "x6"]})
    with pytest.raises(ParamsError, match="item 'x3' is listed under both 'visual' and 'speed'"):
        cfa(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x3", "x7", "x8"]})
    with pytest.raises(AnalysisError, match=r"not identified.*df = -1"):
        cfa(hs, {"visual": ["x1", "x2"]})
    with pytest.raises(AnalysisError, match="HTMT compares factors and needs at least 2"):
        htmt(hs, {"visual": ["x1", "x2", "x3"]})
    with pytest.raises(ParamsError, match="`htmt_method` must be"):
        cfa(hs, HS_MODEL, htmt_method="x")


def test_errors_verdict(hs_fit):
    with pytest.raises(ParamsError, match="needs `result`.*got neither"):
        reliability_verdict()
    with pytest.raises(TypeError, match="`result` must be a CFAResult"):
        reliability_verdict({"cfi": 0.9})
    with pytest.raises(TypeError, match="threshold `cfi` must be a number"):
        reliability_verdict(hs_fit, cfi="high")
    with pytest.raises(ParamsError, match=r"`scale` must have columns \['alpha', 'dimension', 'omega'\]"):
        reliability_verdict(scale=pd.DataFrame({"a": [1]}))


def test_error_hierarchy():
    from csat_research.core.errors import CsatError

    assert issubclass(AnalysisError, CsatError) and issubclass(AnalysisError, ValueError)
    with pytest.raises(ValueError):
        cronbach_alpha(_likert(1, n=30, k=4).assign(q1=2.0))


def test_cfa_without_sympy_and_sklearn_imports_matches_lavaan_and_leaves_them_importable():
    """semopy is imported with stand-ins for the sympy / scikit-learn names the CFA never uses.

    In a fresh interpreter the CFA of HolzingerSwineford1939 still gives lavaan's chi-square
    85.306 and CFI 0.931 (tutorial output above) with neither package imported; afterwards both
    import for real, and semopy's deferred names call into them.
    """
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from csat_research.stats.cfa import cfa, import_semopy\n"
        "semopy = import_semopy()\n"
        "fit = cfa(semopy.examples.holzinger39.get_data(), {'visual': ['x1', 'x2', 'x3'],"
        " 'textual': ['x4', 'x5', 'x6'], 'speed': ['x7', 'x8', 'x9']})\n"
        "print(round(fit.chi2, 3), round(fit.cfi, 3), 'sympy' in sys.modules, 'sklearn' in sys.modules)\n"
        "import sympy, sklearn.cluster\n"
        "print(isinstance(sympy.Symbol, type), sklearn.cluster.OPTICS.__module__,"
        " semopy.constraints.parse_expr('a + 2*a'), type(semopy.efa.OPTICS(min_samples=2)).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "85.306 0.931 False False"
    assert out[1] == "True sklearn.cluster._optics 3*a OPTICS"

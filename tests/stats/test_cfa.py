"""Tests of csat_research.stats.cfa against published output of lavaan and semTools, plus bad
input and the semopy import without sympy / scikit-learn.

Provenance of every reference number is given beside it. Tolerances are half a unit of
the last printed digit plus 1e-4 where semopy's SLSQP optimum differs from lavaan's
NLMINB optimum in the 4th decimal.

Data: HolzingerSwineford1939 ships with semopy (``semopy.examples.holzinger39``), 301 rows,
identical to lavaan's (the CFA chi-square 85.306 below reproduces lavaan's exactly).
"""

from __future__ import annotations

import numpy as np
import pytest

from csat_research.core.errors import AnalysisError, CsatWarning, ParamsError
from csat_research.stats.cfa import CFAResult, cfa

# Half a unit of the printed 3rd decimal, plus slack for optimizer differences (semopy
# SLSQP vs lavaan NLMINB agree to ~1e-4 on HolzingerSwineford).
TOL3 = 0.0005 + 1e-4


@pytest.fixture(scope="module")
def hs_fit_orth(hs, hs_model) -> CFAResult:
    return cfa(hs, hs_model, orthogonal=True)


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
    assert r.converged and r.confidence == 0.90


def test_cfa_loadings_lavaan(hs_items, hs_fit):
    # lavaan tutorial output (Latent Variables: Estimate, Std.Err, z-value) and Std.all from
    # summary(fit, standardized = TRUE) (e.g. r-statistics.co lavaan walkthrough; lavaan
    # 0.6-x printouts in several public knitted reports - identical digits):
    est = [1.000, 0.554, 0.729, 1.000, 1.113, 0.926, 1.000, 1.180, 1.082]
    se = [np.nan, 0.100, 0.109, np.nan, 0.065, 0.055, np.nan, 0.165, 0.151]
    z = [np.nan, 5.554, 6.685, np.nan, 17.014, 16.703, np.nan, 7.152, 7.155]
    std_all = [0.772, 0.424, 0.581, 0.852, 0.855, 0.838, 0.570, 0.723, 0.665]
    theta = [0.549, 1.134, 0.844, 0.371, 0.446, 0.356, 0.799, 0.488, 0.566]  # Variances .x1-.x9
    lo = hs_fit.loadings
    assert list(lo["item"]) == hs_items and list(lo["factor"]) == ["visual"] * 3 + ["textual"] * 3 + ["speed"] * 3
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
    # summary(fit, fit.measures = TRUE) in the public lab report cited at LAVAAN_ORTH (test_omega.py):
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
    # native-R test file cited in test_alpha.py (CR=omega: 0.6120051511, 0.8850607732, 0.6858416922).
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


def test_cfa_listwise_warning_counts(hs_model, hs_items, hs):
    df = hs[hs_items].copy()
    df.iloc[:5, 0] = np.nan
    with pytest.warns(CsatWarning, match="dropped 5 of 301"):
        res = cfa(df, hs_model)
    assert res.n_obs == 296 and res.n_dropped == 5


def test_errors_model(hs_model, hs):
    with pytest.raises(TypeError, match="`model` must be a mapping factor -> list"):
        cfa(hs, [["x1", "x2"]])
    with pytest.raises(AnalysisError, match="factor 'visual' has 1 item"):
        cfa(hs, {"visual": ["x1"], "textual": ["x4", "x5", "x6"]})
    with pytest.raises(ParamsError, match="item 'x3' is listed under both 'visual' and 'speed'"):
        cfa(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x3", "x7", "x8"]})
    with pytest.raises(AnalysisError, match=r"not identified.*df = -1"):
        cfa(hs, {"visual": ["x1", "x2"]})
    with pytest.raises(ParamsError, match="`htmt_method` must be"):
        cfa(hs, hs_model, htmt_method="x")


def test_cfa_result_to_frame(hs_fit):
    fr = hs_fit.to_frame()
    assert fr.loc[0, "chi2"] == hs_fit.chi2 and fr.loc[0, "srmr"] == hs_fit.srmr


def test_errors_cfa_needs_more_respondents_than_items(likert):
    small = likert(1, n=30, k=4).iloc[:4]
    with pytest.raises(AnalysisError, match=r"n >= p \+ 1.*n = 4 for p = 4"):
        cfa(small, {"f": ["q1", "q2"], "g": ["q3", "q4"]})

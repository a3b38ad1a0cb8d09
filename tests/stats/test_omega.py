"""Tests of csat_research.stats.omega against lavaan and MBESS, plus properties and bad input.

Provenance of every reference number is given beside it. Tolerances are half a unit of
the last printed digit (plus 1e-4 where the optimum differs from lavaan's NLMINB optimum in
the 4th decimal).

Data:
- HolzingerSwineford1939 ships with semopy (``semopy.examples.holzinger39``), 301 rows,
  identical to lavaan's.
- tests/fixtures/r_datasets_attitude.csv: R's ``datasets::attitude`` (Chatterjee & Price
  1977), as distributed by vincentarelbundock/Rdatasets ``csv/datasets/attitude.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import semopy
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_research.core.errors import AnalysisError, ParamsError
from csat_research.stats.omega import OmegaResult, omega

FIX = Path(__file__).resolve().parents[1] / "fixtures"

# Half a unit of the printed 3rd decimal, plus slack for optimizer differences (semopy
# SLSQP vs lavaan NLMINB agree to ~1e-4 on HolzingerSwineford).
TOL3 = 0.0005 + 1e-4


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
def test_omega_one_factor_estimates_match_lavaan(hs_model, hs, factor):
    ratios, theta, phi = LAVAAN_ORTH[factor]
    res = omega(hs, items=hs_model[factor])
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


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), scales=st.lists(st.floats(0.1, 10.0), min_size=5, max_size=5))
def test_omega_standardized_solution_invariant_to_item_scale(likert, seed, scales):
    df = likert(seed, n=120, k=5)
    a = omega(df)
    b = omega(df * np.array(scales))
    np.testing.assert_allclose(b.loadings["std_loading"], a.loadings["std_loading"], atol=1e-7)
    np.testing.assert_allclose(b.loadings["loading"], a.loadings["loading"] * scales, rtol=1e-6)
    assert 0 < a.omega < 1


def test_omega_matches_semopy_one_factor(likert):
    # Cross-implementation check for k > 3 (over-identified): semopy's ML one-factor CFA
    # on the same covariance gives the same loadings.
    df = likert(5, n=500, k=5)
    res = omega(df)
    cov = df.cov(ddof=0)
    m = semopy.Model("f =~ q1 + q2 + q3 + q4 + q5")
    m.fit(cov=cov, n_samples=len(df), options={"ftol": 1e-12, "maxiter": 10000})
    ins = m.inspect()
    lam = pd.to_numeric(ins.loc[ins["op"] == "~", "Estimate"]).to_numpy()
    phi = float(ins.loc[(ins["op"] == "~~") & (ins["lval"] == "f"), "Estimate"].iloc[0])
    np.testing.assert_allclose(res.loadings["loading"], lam * math.sqrt(phi), rtol=2e-4)


def test_omega_result_to_frame(hs_model, hs):
    o = omega(hs, items=hs_model["visual"])
    assert isinstance(o, OmegaResult)
    assert o.to_frame().loc[0, "omega"] == o.omega


def test_errors_omega_items_and_denominator(likert):
    df = likert(1, n=30, k=4)
    with pytest.raises(AnalysisError, match="omega needs.*3 items.*got 2"):
        omega(df, items=["q1", "q2"])
    df = likert(3, n=30, k=4)
    with pytest.raises(ParamsError, match="`denominator` must be 'model' or 'observed'"):
        omega(df, denominator="total")

"""Tests of csat_research.stats.validity (HTMT) against semTools and the defining formulas.

Data: HolzingerSwineford1939 ships with semopy (``semopy.examples.holzinger39``), 301 rows,
identical to lavaan's.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csat_research.core.errors import AnalysisError, ParamsError
from csat_research.stats.cfa import cfa
from csat_research.stats.validity import htmt


def test_htmt_geometric_semtools(hs_model, hs):
    # semTools::htmt(HS.model, HolzingerSwineford1939) (htmt2 = TRUE, the default since
    # 0.5-6), native-R test file cited in test_alpha.py: visual-textual 0.3840885639,
    # visual-speed 0.3867729305, textual-speed 0.2796835510. Pure correlation algebra:
    # no optimizer, so the match is to 1e-9.
    h = htmt(hs, hs_model, method="geometric")
    assert h.loc["visual", "textual"] == pytest.approx(0.3840885639, abs=1e-9)
    assert h.loc["visual", "speed"] == pytest.approx(0.3867729305, abs=1e-9)
    assert h.loc["textual", "speed"] == pytest.approx(0.2796835510, abs=1e-9)
    cfa_h = cfa(hs, hs_model, htmt_method="geometric").htmt
    pd.testing.assert_frame_equal(cfa_h, h)


def test_htmt_arithmetic_by_definition(hs_model, hs_items, hs):
    # Henseler et al. (2015), eq. 6, written out with explicit loops over item pairs.
    # (No published arithmetic-HTMT value for this model was found; this checks the
    # vectorised implementation against the textbook definition.)
    r = hs[hs_items].corr().abs()

    def mean_pairs(a, b, same):
        vals = [r.loc[i, j] for i in a for j in b if (not same or i < j)]
        return sum(vals) / len(vals)

    h = htmt(hs, hs_model)
    for a in hs_model:
        for b in hs_model:
            if a == b:
                assert h.loc[a, b] == 1.0
                continue
            want = mean_pairs(hs_model[a], hs_model[b], False) / math.sqrt(
                mean_pairs(hs_model[a], hs_model[a], True) * mean_pairs(hs_model[b], hs_model[b], True)
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


def test_errors_htmt(likert, hs):
    with pytest.raises(AnalysisError, match="HTMT compares factors and needs at least 2"):
        htmt(hs, {"visual": ["x1", "x2", "x3"]})
    df = likert(3, n=30, k=4)
    with pytest.raises(ParamsError, match="`method` must be 'arithmetic' or 'geometric'"):
        htmt(df, {"f": ["q1", "q2"], "g": ["q3", "q4"]}, method="median")

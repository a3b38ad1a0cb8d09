"""Shared helpers agree with the libraries and published values they replace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from csat_research.core.numeric import (
    adjust_pvalues,
    single_thread_blas,
    wilson_interval,
)

Z95 = 1.959963984540054


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [  # Newcombe (1998) Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(k, n, low, high):
    lo, hi = wilson_interval(k / n, n, z=Z95)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_empty_base_is_nan():
    assert all(np.isnan(wilson_interval(0.5, 0, z=Z95)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=30),
       st.sampled_from(["holm", "bonferroni", "fdr_bh", "sidak"]))
def test_adjust_pvalues_equals_statsmodels(p, method):
    p = np.array(p)
    np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1], rtol=1e-12, atol=1e-15)


def test_adjust_none_returns_a_copy():
    p = np.array([0.2, 0.01])
    out = adjust_pvalues(p, "none")
    np.testing.assert_array_equal(out, p)
    assert out is not p


def test_model_fits_run_blas_single_threaded_and_restore_it():
    from threadpoolctl import threadpool_info


    def blas():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    for _ in range(2):  # the cached controller serves every fit
        with single_thread_blas():
            assert blas() and set(blas()) == {1}
        assert blas() == before

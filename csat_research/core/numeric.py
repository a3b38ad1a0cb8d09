"""Small statistical building blocks shared by several modules (private).

* :func:`wilson_interval` - Wilson (1927) score interval for a proportion;
* :func:`adjust_pvalues` - family-wise / false-discovery corrections;
* :func:`single_thread_blas` - a context running BLAS on one thread.

``adjust_pvalues`` computes Holm, Bonferroni and Benjamini-Hochberg itself (they are a few lines
each) because statsmodels' ``multipletests`` runs a full ``gc.collect()`` on every Holm call,
which costs ~0.3 s per call in a loaded kernel; other methods are delegated to statsmodels.
The results equal ``statsmodels.stats.multitest.multipletests(p, method=...)[1]`` (tested).
"""

from __future__ import annotations

import contextlib
import functools
import math
from typing import Any

import numpy as np

try:  # pinned in requirements.lock; optional here
    from threadpoolctl import ThreadpoolController as _ThreadpoolController
except ImportError:  # pragma: no cover
    _ThreadpoolController = None


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    """One threadpoolctl controller per process: making one scans every loaded library (3 ms)."""
    return _ThreadpoolController()


def single_thread_blas() -> Any:
    """Context running BLAS single-threaded.

    The small-matrix work of the model fits (9 x 9, 30 x 30) and the stacked bootstrap
    products only lose time to thread start-up and spinning, badly so on a loaded machine.
    """
    if _ThreadpoolController is None:  # pragma: no cover
        return contextlib.nullcontext()
    return _blas_controller().limit(limits=1, user_api="blas")


def wilson_interval(p: float, n: float, *, z: float) -> tuple[float, float]:
    """Wilson score interval for a share ``p`` observed on ``n`` (possibly effective) cases.

    Returns ``(nan, nan)`` for ``n <= 0``. The interval always contains ``p``; round-off at
    ``p = 0`` or ``1`` is clamped.

    >>> lo, hi = wilson_interval(81 / 263, 263, z=1.959963984540054)
    >>> round(lo, 4), round(hi, 4)   # Newcombe (1998), Table I
    (0.2553, 0.3662)
    """
    if not n > 0 or not math.isfinite(p):
        return (math.nan, math.nan)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0))
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def adjust_pvalues(p: np.ndarray, method: str) -> np.ndarray:
    """Adjusted p-values: ``holm``, ``bonferroni``, ``fdr_bh``, ``none`` (others via statsmodels).

    >>> adjust_pvalues(np.array([0.01, 0.04, 0.03]), "holm")
    array([0.03, 0.06, 0.06])
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0 or method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    if method == "holm":
        order = np.argsort(p, kind="mergesort")
        adj = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
        out = np.empty(m)
        out[order] = np.minimum(adj, 1.0)
        return out
    if method == "fdr_bh":
        order = np.argsort(p, kind="mergesort")[::-1]
        adj = np.minimum.accumulate(p[order] * m / np.arange(m, 0, -1))
        out = np.empty(m)
        out[order] = np.minimum(adj, 1.0)
        return out
    from statsmodels.stats.multitest import multipletests

    return multipletests(p, method=method)[1]

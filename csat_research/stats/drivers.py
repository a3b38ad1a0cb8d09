"""Key-driver analysis: relative importance of satisfaction dimensions and IPA quadrants.

Public API
----------
* :func:`relative_importance` - Shapley / LMG decomposition of R-squared or Johnson's
  relative weights, optionally with seeded (parallel, reproducible) bootstrap CIs.
* :func:`importance_performance` - importance-performance analysis (Martilla & James
  1977): one quadrant per dimension.
* :func:`top_drivers` - the predictors ordered from most to least important.

Typical uses: the five dimension scores -> ``overall_sat``; the items of one dimension ->
that dimension's score; the dimensions -> ``repurchase`` (0/1; see the Notes of
:func:`relative_importance` for the binary case).
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.linalg

from csat_research.core.checks import (
    check_columns_exist,
    check_confidence,
    check_frame,
    check_names,
    numeric_values,
)
from csat_research.core.errors import AnalysisError, CsatWarning
from csat_research.core.numeric import single_thread_blas
from csat_research.stats.design import row_patterns

__all__ = ["importance_performance", "relative_importance", "top_drivers"]

#: Largest number of predictors for the exact Shapley/LMG decomposition (2**12 = 4096
#: sub-models, a few milliseconds from the correlation matrix).
MAX_SHAPLEY_PREDICTORS = 12

_METHODS = ("shapley", "johnson")
QUADRANTS = ("fix_first", "keep_up", "low_priority", "possible_overkill")


# --------------------------------------------------------------------------------------
# decompositions from a correlation matrix (outcome first)
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)
def _subset_plan(p: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """For each subset size k >= 1: (bitmasks, member indices) of all k-subsets of p."""
    plan = []
    for k in range(1, p + 1):
        combos = np.array(list(itertools.combinations(range(p), k)), dtype=np.int64)
        masks = (1 << combos).sum(axis=1)
        plan.append((masks, combos))
    return tuple(plan)


@functools.lru_cache(maxsize=16)
def _shapley_weights(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Popcount of every bitmask and the Shapley weight s!(p-s-1)!/p! by subset size s."""
    masks = np.arange(1 << p)
    popcount = np.zeros(1 << p, dtype=np.int64)
    for b in range(p):
        popcount += (masks >> b) & 1
    weight = np.array(
        [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    )
    return popcount, weight


def _all_subset_r2(R: np.ndarray) -> np.ndarray:
    """R-squared of every sub-model (last axis indexed by bitmask) from correlation matrices.

    ``R`` is one matrix (outcome first) or a stack of them (``(..., p + 1, p + 1)``).
    """
    rxx, rxy = R[..., 1:, 1:], R[..., 1:, 0]
    p = rxy.shape[-1]
    r2 = np.zeros((*rxy.shape[:-1], 1 << p))
    for masks, combos in _subset_plan(p):
        A = rxx[..., combos[:, :, None], combos[:, None, :]]
        b = rxy[..., combos]
        sol = np.linalg.solve(A, b[..., None])[..., 0]
        r2[..., masks] = np.einsum("...ij,...ij->...i", b, sol)
    return r2


def _shapley(R: np.ndarray) -> np.ndarray:
    """Shapley / LMG shares of R-squared for one correlation matrix or a stack of them."""
    r2 = _all_subset_r2(R)
    p = R.shape[-1] - 1
    popcount, weight = _shapley_weights(p)
    masks = np.arange(1 << p)
    out = np.empty((*R.shape[:-2], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[..., without | (1 << j)] - r2[..., without]
        out[..., j] = np.sum(weight[popcount[without]] * gain, axis=-1)
    return out


def _johnson(R: np.ndarray) -> np.ndarray:
    """Johnson's relative weights for one correlation matrix or a stack of them."""
    rxx, rxy = R[..., 1:, 1:], R[..., 1:, 0]
    vals, vecs = np.linalg.eigh(rxx)
    lam = (vecs * np.sqrt(vals)[..., None, :]) @ np.swapaxes(vecs, -1, -2)  # R_xx^{1/2}
    beta = np.linalg.solve(lam, rxy[..., None])[..., 0]  # outcome on the orthogonal counterparts Z
    return np.einsum("...jk,...k->...j", lam**2, beta**2)


_DECOMPOSE = {"shapley": _shapley, "johnson": _johnson}


def _weighted_corr(Zc: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted correlation matrix of the (pre-centred) columns of Zc."""
    wsum = w.sum()
    m = (w @ Zc) / wsum
    C = (Zc.T @ (Zc * w[:, None])) / wsum - np.outer(m, m)
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d)


_patterns = row_patterns  # the name the tests use


#: the replicates' pattern weights are drawn and reduced a block at a time: the block's
#: replicates x patterns matrix (float64) takes at most this many bytes per worker thread,
#: whatever the number of replicates (a million respondents have some 670,000 patterns: 12
#: replicates a block; smaller blocks make the products with the patterns memory-bound)
REPLICATE_BLOCK_BYTES = 64 * 2**20
#: from this many respondents on, when the respondents have more than ROW_DRAWS_MIN_PATTERN_SHARE
#: distinct patterns per respondent, a replicate draws n row numbers and counts them per pattern
#: instead of drawing Multinomial(n, counts / n) (the same distribution: numpy draws a multinomial
#: as one binomial per category, about 50 ns each, three times the cost of n uniform row numbers
#: when nearly every respondent is a pattern of their own); below it, the multinomial draw
ROW_DRAWS_MIN_ROWS = 50_000
ROW_DRAWS_MIN_PATTERN_SHARE = 0.25


def _pattern_products(Zu: np.ndarray) -> np.ndarray:
    """Each pattern's products z_i z_j, i <= j (patterns x k(k+1)/2, columns contiguous): the
    replicates' cross-product matrices are weighted sums of its rows (computed once)."""
    k = Zu.shape[1]
    iu, ju = np.triu_indices(k)
    out = np.empty((len(iu), Zu.shape[0])).T  # Fortran order: each column one product
    for c, (i, j) in enumerate(zip(iu, ju)):
        np.multiply(Zu[:, i], Zu[:, j], out=out[:, c])
    return out


def _replicates(
    Zu: np.ndarray, wu: np.ndarray, counts: np.ndarray, seeds: Sequence[np.random.SeedSequence], method: str,
    *, products: np.ndarray | None = None, rows_of: np.ndarray | None = None,
) -> np.ndarray:
    """Bootstrap replicates, one per seed: resample n respondents with replacement, re-decompose.

    Drawing n rows uniformly with replacement and counting them per distinct pattern is
    the multinomial draw ``Multinomial(n, counts / n)`` over the patterns; it is done
    directly, in O(patterns) instead of O(n). Replicate b uses only ``seeds[b]``. The
    replicates' weighted moments come from matrix products (pattern weights x the patterns'
    values and cross-products, ``products`` from :func:`_pattern_products`, computed here if not
    given), a block of replicates at a time (``REPLICATE_BLOCK_BYTES``); their decompositions
    from stacked matrices. A replicate in which a variable is constant, or whose correlation
    matrix is singular, gives NaN.

    The multinomial draws take nearly all the time (numpy draws one binomial per pattern,
    about 50 ns each: 670,000 patterns, 200 replicates = some 7 s); they release the GIL,
    so threads (``n_jobs`` of :func:`relative_importance`) run them in parallel. With
    ``rows_of`` (each respondent's pattern, from ``row_patterns(..., inverse=True)``) a replicate
    instead draws n respondent numbers uniformly with replacement and counts their patterns:
    the resample itself, three times faster when nearly every respondent is a pattern of their
    own (a large study with continuous scores; see ``ROW_DRAWS_MIN_ROWS``).
    """
    n = int(counts.sum())
    prob = counts / n
    k = Zu.shape[1]
    if products is None:
        products = _pattern_products(Zu)
    iu, ju = np.triu_indices(k)
    B = len(seeds)
    wsum = np.empty(B)
    first = np.empty((B, k))
    cross = np.empty((B, k, k))
    block = max(1, min(B, REPLICATE_BLOCK_BYTES // (8 * max(1, len(counts)))))
    W = np.empty((block, len(counts)))
    for start in range(0, B, block):
        stop = min(B, start + block)
        Wb = W[: stop - start]
        for i, s in enumerate(seeds[start:stop]):
            if rows_of is None:
                Wb[i] = np.random.default_rng(s).multinomial(n, prob)
            else:
                Wb[i] = np.bincount(rows_of[np.random.default_rng(s).integers(0, n, n)], minlength=len(counts))
        Wb *= wu
        wsum[start:stop] = Wb.sum(axis=1)
        first[start:stop] = Wb @ Zu
        tri = Wb @ products
        cross[start:stop, iu, ju] = tri
        cross[start:stop, ju, iu] = tri
    with np.errstate(invalid="ignore", divide="ignore"):
        m = first / wsum[:, None]
        C = cross / wsum[:, None, None] - m[:, :, None] * m[:, None, :]
        d = np.sqrt(np.einsum("bii->bi", C))
        R = C / (d[:, :, None] * d[:, None, :])
    out = np.full((len(seeds), k - 1), np.nan)
    # a variable constant in the resample (variance at round-off level) has no correlations
    tiny = 1e-12 * max(1.0, float(np.max(np.abs(Zu), initial=0.0)) ** 2)
    ok = np.isfinite(R).all(axis=(1, 2)) & (np.einsum("bii->bi", C) > tiny).all(axis=1)
    ok[ok] = np.linalg.eigvalsh(R[ok][:, 1:, 1:]).min(axis=1) > 1e-10
    if ok.any():
        try:
            out[ok] = _DECOMPOSE[method](R[ok])
        except np.linalg.LinAlgError:  # one of them is singular after all: each on its own
            for b in np.flatnonzero(ok):
                try:
                    out[b] = _DECOMPOSE[method](R[b])
                except np.linalg.LinAlgError:
                    continue
    return out


def _check_collinear(R: np.ndarray, names: Sequence[str]) -> None:
    rxx = R[1:, 1:]
    _, Rq, piv = scipy.linalg.qr(rxx, pivoting=True)
    diag = np.abs(np.diag(Rq))
    deficient = [names[piv[i]] for i in range(len(diag)) if diag[i] <= 1e-10 * max(diag.max(), 1.0)]
    if deficient:
        raise AnalysisError(
            f"predictors are perfectly collinear (a predictor is a linear combination of the "
            f"others); drop one of {deficient} or combine them"
        )


# --------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------
def relative_importance(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    method: str = "shapley",
    survey_weights: str | None = None,
    n_boot: int = 0,
    confidence: float = 0.95,
    seed: int | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    r"""Relative importance of predictors: Shapley/LMG R-squared shares or Johnson weights.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent. Not modified.
    outcome : str
        Numeric outcome (``overall_sat``, a dimension score, or ``repurchase`` 0/1).
    predictors : sequence of str
        At least two numeric predictors (dimension scores, or the items of a dimension).
    method : {"shapley", "johnson"}, default "shapley"
        ``"shapley"``: LMG / Shapley value decomposition of R-squared (exact, all
        :math:`2^p` sub-models; at most 12 predictors). ``"johnson"``: Johnson's (2000)
        relative weights (any number of predictors).
    survey_weights : str, optional
        Column of non-negative survey weights; moments are weighted.
    n_boot : int, default 0
        Bootstrap replicates for percentile confidence intervals of ``importance``
        (0 = none).
    confidence : float, default 0.95
        Confidence level of the bootstrap intervals.
    seed : int, optional
        Seed of the bootstrap. Replicate b always uses the b-th child of
        ``numpy.random.SeedSequence(seed)``, so the same seed gives the same numbers
        whatever ``n_jobs``.
    n_jobs : int, default 1
        Worker threads for the bootstrap (-1: all CPUs). NumPy releases the GIL in the
        heavy kernels (resampling counts, cross-products).

    Returns
    -------
    pandas.DataFrame
        Indexed by predictor (input order) with columns ``importance`` (sums to the
        model R-squared), ``share`` (importance / R-squared, sums to 1), ``rank``
        (1 = most important; ties share the smaller rank), ``n`` (complete cases used)
        and, when ``n_boot > 0``, ``ci_low`` and ``ci_high``.

    Raises
    ------
    TypeError
        ``data`` not a DataFrame; names not strings; a non-numeric column; a non-integer
        ``n_boot``/``n_jobs``/``seed``.
    ValueError
        Unknown ``method``; fewer than two predictors; the outcome among the predictors;
        bad ``confidence``, ``n_boot`` or ``n_jobs``.
    AnalysisError
        Missing columns (named); more than 12 predictors for ``"shapley"``; a constant
        outcome or predictor; perfectly collinear predictors (named); negative weights;
        fewer complete rows than predictors + 2.

    Warns
    -----
    CsatWarning
        Rows dropped by listwise deletion (counts); bootstrap replicates that could not
        be computed (counts; they are left out of the percentiles).

    Notes
    -----
    Both methods work from the (weighted) correlation matrix :math:`R` of outcome and
    predictors, so they are invariant to the scale of each variable.

    Shapley / LMG (Lindeman, Merenda & Gold 1980; Groemping 2006):

    .. math:: I_j = \sum_{S \subseteq P\setminus\{j\}} \frac{|S|!\,(p-|S|-1)!}{p!}
              \big[R^2(S \cup \{j\}) - R^2(S)\big],
              \qquad R^2(S) = r_{yS}^\top R_{SS}^{-1} r_{yS},

    i.e. the increase in R-squared from adding :math:`x_j`, averaged over all
    :math:`p!` orderings. :math:`\sum_j I_j = R^2` of the full model.

    Johnson's relative weights: with :math:`R_{xx} = Q\Lambda Q^\top` and
    :math:`\Lambda_* = Q\Lambda^{1/2}Q^\top` (correlations of the predictors with their
    closest orthogonal counterparts Z), :math:`\beta_* = \Lambda_*^{-1} r_{xy}` and
    :math:`\varepsilon_j = \sum_k \lambda_{*jk}^2 \beta_{*k}^2`, which sum to :math:`R^2`.

    Binary outcome (repurchase 0/1): the same decomposition is applied to the
    linear-probability-model R-squared (the squared correlation structure of the 0/1
    outcome), not to a McFadden pseudo-R-squared dominance analysis. It is exact,
    additive, fast enough to bootstrap on a million respondents, and ranks the drivers of
    a binary outcome the way logistic dominance analysis does in practice; the
    importance values are on the R-squared scale of the linear probability model and
    must be labelled so. Use :func:`csat_research.stats.logit.repurchase_logit` for effect
    sizes on the probability scale.

    Bootstrap: n respondents are resampled with replacement (with their weights) and the
    decomposition recomputed; intervals are percentile intervals (relaimpo's default
    ``bty="perc"``). The resampling is done exactly but cheaply: identical
    (scores, weight) rows are collapsed into patterns once, and each replicate draws the
    pattern counts from ``Multinomial(n, counts / n)``, which is the distribution of the
    per-pattern counts of n uniform draws of rows - O(patterns) instead of O(n) per
    replicate. The replicates are drawn and reduced in blocks (at most 64 MiB of pattern
    weights per worker thread), so memory does not grow with ``n_boot``. Replicates in which
    the outcome or a predictor is constant, or whose correlation matrix is singular, are
    skipped and counted.

    Missing data: listwise deletion over outcome, predictors and weights (counted and
    warned). Validated against R ``relaimpo::calc.relimp(type="lmg")`` output published
    in the ``domir`` README (mtcars) and a published longley example, and against R
    ``rwa::rwa`` (mtcars) for Johnson's weights; see ``tests/test_drivers.py``.

    References
    ----------
    Lindeman, R. H., Merenda, P. F. and Gold, R. Z. (1980). Introduction to Bivariate and
    Multivariate Analysis. Glenview, IL: Scott, Foresman.
    Groemping, U. (2006). Relative importance for linear regression in R: the package
    relaimpo. Journal of Statistical Software 17(1), 1-27.
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
    predictor variables in multiple regression. Multivariate Behavioral Research 35(1),
    1-19.
    Tonidandel, S. and LeBreton, J. M. (2011). Relative importance analysis: a useful
    supplement to regression analysis. Journal of Business and Psychology 26(1), 1-9.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> X = rng.normal(size=(500, 3))
    >>> df = pd.DataFrame(X, columns=["quality", "efficiency", "digital"])
    >>> df["overall_sat"] = 0.6 * df["quality"] + 0.3 * df["efficiency"] + rng.normal(size=500)
    >>> imp = relative_importance(df, outcome="overall_sat",
    ...                           predictors=["quality", "efficiency", "digital"])
    >>> list(imp.columns)
    ['importance', 'share', 'rank', 'n']
    >>> imp["rank"].tolist()
    [1, 2, 3]
    >>> round(float(imp["share"].sum()), 6)
    1.0
    """
    data = check_frame(data)
    if not isinstance(outcome, str):
        raise TypeError(f"outcome must be a column name (str); got {type(outcome).__name__}")
    predictors = check_names(predictors, "predictors")
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}; got {method!r}")
    if len(predictors) < 2:
        raise ValueError(
            f"relative importance needs at least 2 predictors; got {len(predictors)}: {list(predictors)}"
        )
    if outcome in predictors:
        raise ValueError(f"outcome '{outcome}' is also listed among the predictors")
    if survey_weights is not None and not isinstance(survey_weights, str):
        raise TypeError(f"survey_weights must be a column name (str) or None; got {type(survey_weights).__name__}")
    if survey_weights is not None and survey_weights in (outcome, *predictors):
        raise ValueError(f"survey_weights column '{survey_weights}' is also used as outcome/predictor")
    for name, value in (("n_boot", n_boot), ("n_jobs", n_jobs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0; got {n_boot}")
    if n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive integer or -1 (all CPUs); got {n_jobs}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be an integer or None; got {type(seed).__name__} {seed!r}")
    confidence = check_confidence(confidence)
    p = len(predictors)
    if method == "shapley" and p > MAX_SHAPLEY_PREDICTORS:
        raise AnalysisError(
            f"method='shapley' evaluates all 2**p sub-models and accepts at most "
            f"{MAX_SHAPLEY_PREDICTORS} predictors; got p = {p}. Use method='johnson' or group "
            "items into dimensions first"
        )
    used = [outcome, *predictors] + ([survey_weights] if survey_weights is not None else [])
    check_columns_exist(data, used)
    cols = [numeric_values(data[outcome], "outcome")] + [numeric_values(data[c], "predictor") for c in predictors]
    Z = np.column_stack(cols)
    w = (numeric_values(data[survey_weights], "survey_weights column") if survey_weights is not None
         else np.ones(len(data)))
    complete = np.isfinite(Z).all(axis=1) & np.isfinite(w)
    # infinite values are not missing: refuse them
    inf_cols = [used[k] for k in range(Z.shape[1]) if np.isinf(Z[:, k]).any()]
    if inf_cols:
        raise AnalysisError(f"column(s) {inf_cols} contain infinite values")
    if survey_weights is not None:
        if np.isinf(w).any():
            raise AnalysisError(
                f"survey_weights column '{survey_weights}' has {int(np.isinf(w).sum())} infinite values"
            )
        negative = int(np.sum(w[complete] < 0))
        if negative:
            raise AnalysisError(
                f"survey_weights column '{survey_weights}' must be >= 0; found {negative} negative value(s)"
            )
    n_dropped = int(len(data) - complete.sum())
    if n_dropped:
        warnings.warn(
            CsatWarning(
                f"relative_importance: dropped {n_dropped} of {len(data)} rows with a missing value in "
                f"{used} (listwise deletion)",
                kind="cases_dropped", analysis="relative_importance", outcome=outcome,
                n_used=len(data) - n_dropped, n_total=len(data),
            ),
            stacklevel=2,
        )
    Z, w = Z[complete], w[complete]
    n = Z.shape[0]
    if n < p + 2:
        raise AnalysisError(
            f"relative_importance needs at least p + 2 = {p + 2} complete rows for {p} predictors; "
            f"got {n}"
        )
    if not np.any(w > 0):
        raise AnalysisError(f"survey_weights column '{survey_weights}' is zero for every complete row")
    center = np.average(Z, axis=0, weights=w)
    Zc = Z - center
    var = np.average(Zc**2, axis=0, weights=w)
    constant = [used[k] for k in range(Z.shape[1]) if var[k] <= 1e-12 * max(1.0, center[k] ** 2)]
    if constant:
        raise AnalysisError(
            f"column(s) {constant} are constant in the {n} complete rows; relative importance "
            "needs variation in the outcome and every predictor"
        )
    R = _weighted_corr(Zc, w)
    _check_collinear(R, predictors)
    importance = _DECOMPOSE[method](R)
    r2 = float(importance.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        share = importance / r2
    result = pd.DataFrame(
        {"importance": importance, "share": share},
        index=pd.Index(list(predictors), name="predictor"),
    )
    result["rank"] = result["importance"].rank(ascending=False, method="min").astype(np.int64)
    result["n"] = np.int64(n)
    if n_boot > 0:
        children = np.random.SeedSequence(None if seed is None else int(seed)).spawn(n_boot)
        workers = (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)
        workers = max(1, min(workers, n_boot))
        Zu, wu, counts, rows_of = row_patterns(Zc, w, inverse=True)
        if len(Zc) < ROW_DRAWS_MIN_ROWS or len(counts) <= ROW_DRAWS_MIN_PATTERN_SHARE * len(Zc):
            rows_of = None  # the multinomial draw over the patterns
        products = _pattern_products(Zu)  # shared by the workers
        chunks = [children[i::workers] for i in range(workers)]  # replicate b keeps its own seed
        with single_thread_blas():  # small stacked products: threads only spin
            if workers == 1:
                parts = [_replicates(Zu, wu, counts, chunks[0], method, products=products, rows_of=rows_of)]
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    parts = list(pool.map(
                        lambda c: _replicates(Zu, wu, counts, c, method, products=products, rows_of=rows_of),
                        chunks))
        boot = np.empty((n_boot, p))
        for i, part in enumerate(parts):
            boot[i::workers] = part
        failed = int(np.isnan(boot).any(axis=1).sum())
        if failed:
            warnings.warn(
                f"relative_importance: {failed} of {n_boot} bootstrap replicates had a constant variable "
                "or a singular correlation matrix and were left out of the intervals",
                CsatWarning,
                stacklevel=2,
            )
        if failed == n_boot:
            lo = hi = np.full(p, np.nan)
        else:
            alpha = (1.0 - confidence) / 2.0
            lo, hi = np.nanquantile(boot, [alpha, 1.0 - alpha], axis=0)
        result["ci_low"] = lo
        result["ci_high"] = hi
    return result


def importance_performance(
    importance: pd.Series,
    performance: pd.Series,
    *,
    importance_cut: str | float = "mean",
    performance_cut: str | float = "mean",
) -> pd.DataFrame:
    """Importance-performance analysis: one quadrant per dimension.

    Parameters
    ----------
    importance : pandas.Series
        Importance per dimension (e.g. ``relative_importance(...)["importance"]`` or
        ``["share"]``), indexed by dimension name.
    performance : pandas.Series
        Performance per dimension (e.g. mean score), indexed by the same names.
    importance_cut, performance_cut : "mean" or float, default "mean"
        Crosshair position on each axis: the mean over the dimensions (Martilla & James'
        data-centred grid) or a fixed value (e.g. the scale midpoint 3.0).

    Returns
    -------
    pandas.DataFrame
        One row per dimension (in the order of ``importance``) with columns
        ``importance``, ``performance`` and ``quadrant`` (categorical with categories
        ``fix_first`` (high importance, low performance), ``keep_up`` (high, high),
        ``low_priority`` (low, low), ``possible_overkill`` (low importance, high
        performance)).

    Raises
    ------
    TypeError
        Inputs are not Series, not numeric, or a cut is neither ``"mean"`` nor a number.
    ValueError
        Unknown cut string.
    AnalysisError
        Fewer than two dimensions; missing values; the two Series index different
        dimensions (the unmatched names are listed); duplicated dimension names.

    Notes
    -----
    A dimension is *high* on an axis when its value is greater than or equal to the cut
    (a value exactly at the cut counts as high). Quadrant names follow Martilla & James
    (1977): "concentrate here" = ``fix_first``, "keep up the good work" = ``keep_up``,
    "low priority" = ``low_priority``, "possible overkill" = ``possible_overkill``.
    No missing values are accepted: an unrated dimension cannot be placed.

    References
    ----------
    Martilla, J. A. and James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing 41(1), 77-79.

    Examples
    --------
    >>> import pandas as pd
    >>> imp = pd.Series({"efficiency": 0.20, "quality": 0.30, "digital": 0.05})
    >>> perf = pd.Series({"efficiency": 4.1, "quality": 3.2, "digital": 3.9})
    >>> importance_performance(imp, perf)["quadrant"].tolist()
    ['keep_up', 'fix_first', 'possible_overkill']
    """
    for name, s in (("importance", importance), ("performance", performance)):
        if not isinstance(s, pd.Series):
            raise TypeError(f"{name} must be a pandas Series indexed by dimension; got {type(s).__name__}")
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            raise TypeError(f"{name} must be numeric; got dtype {s.dtype}")
        if s.index.has_duplicates:
            dup = sorted(map(str, s.index[s.index.duplicated()].unique()))
            raise AnalysisError(f"{name} lists dimensions more than once: {dup}")
        if s.isna().any():
            raise AnalysisError(
                f"{name} has missing values for {list(map(str, s.index[s.isna()]))}; every "
                "dimension needs a value"
            )
    only_imp = [str(i) for i in importance.index if i not in performance.index]
    only_perf = [str(i) for i in performance.index if i not in importance.index]
    if only_imp or only_perf:
        raise AnalysisError(
            "importance and performance must index the same dimensions; only in importance: "
            f"{only_imp}, only in performance: {only_perf}"
        )
    if len(importance) < 2:
        raise AnalysisError(f"importance-performance analysis needs at least 2 dimensions; got {len(importance)}")

    def _cut(value: object, series: pd.Series, name: str) -> float:
        if isinstance(value, str):
            if value != "mean":
                raise ValueError(f"{name} must be 'mean' or a number; got {value!r}")
            return float(series.mean())
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be 'mean' or a number; got {type(value).__name__} {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite; got {value!r}")
        return float(value)

    perf = performance.reindex(importance.index)
    cut_i = _cut(importance_cut, importance, "importance_cut")
    cut_p = _cut(performance_cut, perf, "performance_cut")
    high_i = importance.to_numpy(dtype=float) >= cut_i
    high_p = perf.to_numpy(dtype=float) >= cut_p
    quadrant = np.where(
        high_i,
        np.where(high_p, "keep_up", "fix_first"),
        np.where(high_p, "possible_overkill", "low_priority"),
    )
    index = importance.index.copy()
    if index.name is None:
        index = index.rename("dimension")
    return pd.DataFrame(
        {
            "importance": importance.to_numpy(dtype=float),
            "performance": perf.to_numpy(dtype=float),
            "quadrant": pd.Categorical(quadrant, categories=list(QUADRANTS)),
        },
        index=index,
    )


def top_drivers(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    k: int | None = None,
    method: str = "shapley",
    survey_weights: str | None = None,
) -> list[str]:
    """Predictors ordered from most to least important (convenience wrapper).

    Parameters
    ----------
    data, outcome, predictors, method, survey_weights
        As in :func:`relative_importance`.
    k : int, optional
        Return only the first ``k`` names (default: all).

    Returns
    -------
    list of str
        Predictor names by decreasing importance; ties keep the input order.

    Raises
    ------
    TypeError, ValueError, AnalysisError
        As in :func:`relative_importance`; ``k`` not a positive integer.

    Notes
    -----
    Calls :func:`relative_importance` without bootstrap (same formulas, missing-data
    policy and validation); the order is the point estimate's - check
    ``relative_importance(..., n_boot=...)`` before calling a difference between two
    drivers real.

    References
    ----------
    See :func:`relative_importance`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(400, 3)), columns=["efficiency", "quality", "digital"])
    >>> df["overall_sat"] = df["quality"] + 0.5 * df["digital"] + rng.normal(size=400)
    >>> top_drivers(df, outcome="overall_sat", predictors=["efficiency", "quality", "digital"], k=2)
    ['quality', 'digital']
    """
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise ValueError(f"k must be a positive integer or None; got {k!r}")
    imp = relative_importance(data, outcome=outcome, predictors=predictors, method=method,
                              survey_weights=survey_weights)
    order = imp["importance"].to_numpy()
    idx = sorted(range(len(order)), key=lambda i: (-order[i], i))
    names = [str(imp.index[i]) for i in idx]
    return names if k is None else names[: int(k)]

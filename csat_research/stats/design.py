"""Design matrix and coefficient table shared by the repurchase models.

Used by the binary logit (:mod:`~csat_research.stats.logit`) and the ordered logit
(:mod:`~csat_research.stats.ordinal`):

* :class:`Design` and :func:`build_design` - the complete-case design matrix of an outcome,
  numeric predictors and controls (text controls dummy-coded), with the bookkeeping the models
  need (term sources, levels, survey weights, rows dropped);
* :func:`check_estimable` - refuses constant terms and perfectly collinear designs;
* :func:`normal_table` - coefficient table with normal-theory z, p-values, intervals and odds
  ratios;
* :func:`stata_robust_factor` - the n/(n-1) factor of Stata's ``vce(robust)``;
* :data:`SEPARATION_STD_COEF` - the standardised coefficient above which a fit counts as
  separated.

Conventions
-----------
* One row per respondent. ``predictors`` are numeric columns (dimension scores);
  ``controls`` may be numeric or text/categorical segment codes. Text controls are
  dummy-coded with the first level as the reference (categories order for a pandas
  ``Categorical``, sorted order otherwise); dummy terms are named ``column[level]``.
  The intercept is named ``const``.
* Missing data: listwise deletion over the outcome, predictors, controls and weight
  column. Dropped rows are counted (``n_dropped``) and reported with a
  :class:`~csat_research.core.errors.CsatWarning`; the input frame is never modified.
* Survey weights (``survey_weights="<column>"``) enter the likelihood as per-row multipliers
  (pseudo-maximum likelihood, like Stata ``[pweight=]`` or R ``survey::svyglm``), see
  :func:`~csat_research.stats.logit.repurchase_logit` Notes for the variance consequences.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import stats

from csat_research.core.checks import (
    check_columns_exist,
    check_confidence,
    check_frame,
    check_names,
    is_categorical,
    numeric_values,
)
from csat_research.core.errors import AnalysisError, CsatWarning

__all__ = [
    "SEPARATION_STD_COEF",
    "Design",
    "build_design",
    "check_model_arguments",
    "check_estimable",
    "normal_table",
    "row_patterns",
    "stata_robust_factor",
]

#: Standardised coefficient (log-odds per standard deviation of the term) above which a
#: fit is treated as (quasi-)separated: an odds ratio of e**10 (about 22,000) per SD is
#: not a satisfaction effect but a coefficient running off to infinity.
SEPARATION_STD_COEF = 10.0

_COEF_COLUMNS = ["coef", "se", "z", "p_value", "ci_low", "ci_high", "odds_ratio", "or_ci_low", "or_ci_high"]


@dataclass(frozen=True)
class Design:
    """Complete-case design matrix and bookkeeping shared by the model functions."""

    y: np.ndarray
    X: np.ndarray  # with 'const' first
    terms: tuple[str, ...]
    survey_weights: np.ndarray | None
    n_dropped: int
    # term -> (source column, level or None) for every non-constant term
    sources: Mapping[str, tuple[str, str | None]]
    # categorical control -> (levels in order, reference first)
    levels: Mapping[str, tuple[str, ...]]
    raw_y: pd.Series  # outcome values of the complete cases (original dtype)
    level_codes: Mapping[str, np.ndarray]  # categorical control -> integer codes per row


def build_design(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: tuple[str, ...],
    controls: tuple[str, ...],
    survey_weights: str | None,
    function: str,
) -> Design:
    """Complete-case design matrix of ``outcome`` on ``predictors`` and ``controls``.

    Checks that the columns exist and do not overlap, that predictors and numeric controls are
    numeric and finite and that weights are finite and non-negative; deletes incomplete rows
    listwise (a :class:`~csat_research.core.errors.CsatWarning` names ``function`` and the
    count); dummy-codes text/categorical controls with the first level as reference. The
    design's first column is the intercept ``const``. ``data`` is not modified.
    """
    used = [outcome, *predictors, *controls] + ([survey_weights] if survey_weights is not None else [])
    overlap = sorted(set(predictors) & set(controls))
    if overlap:
        raise ValueError(f"columns {overlap} are listed both in predictors and controls")
    if outcome in predictors or outcome in controls:
        raise ValueError(f"outcome '{outcome}' is also listed as a predictor/control")
    if survey_weights is not None and survey_weights in (outcome, *predictors, *controls):
        raise ValueError(f"survey_weights column '{survey_weights}' is also used as outcome/predictor/control")
    check_columns_exist(data, used)

    numeric_parts: dict[str, np.ndarray] = {}
    for col in predictors:
        numeric_parts[col] = numeric_values(data[col], "predictor")
    cat_controls = [c for c in controls if is_categorical(data[c])]
    for col in controls:
        if col not in cat_controls:
            numeric_parts[col] = numeric_values(data[col], "control")

    complete = data[used].notna().all(axis=1).to_numpy()
    w_full = None
    if survey_weights is not None:
        w_full = numeric_values(data[survey_weights], "survey_weights column")
        finite = np.isfinite(w_full) | np.isnan(w_full)
        if not finite.all():
            raise AnalysisError(f"survey_weights column '{survey_weights}' has {int((~finite).sum())} infinite values")
        negative = int(np.sum(w_full[complete] < 0))
        if negative:
            raise AnalysisError(
                f"survey_weights column '{survey_weights}' must be >= 0; found {negative} negative value(s)"
            )
    for col, arr in numeric_parts.items():
        bad = int(np.isinf(arr[complete]).sum())
        if bad:
            raise AnalysisError(f"column '{col}' has {bad} infinite value(s)")

    n_total = len(data)
    n_dropped = int(n_total - complete.sum())
    if n_dropped:
        warnings.warn(
            CsatWarning(
                f"{function}: dropped {n_dropped} of {n_total} rows with a missing value in "
                f"{used} (listwise deletion)",
                kind="cases_dropped", analysis=function, outcome=used[0], n_used=n_total - n_dropped,
                n_total=n_total,
            ),
            stacklevel=3,
        )
    n = int(complete.sum())
    if n == 0:
        raise AnalysisError(f"{function}: no complete rows left in {used} after listwise deletion")

    columns = [np.ones(n)]
    terms = ["const"]
    sources: dict[str, tuple[str, str | None]] = {}
    for col in predictors:
        columns.append(numeric_parts[col][complete])
        terms.append(col)
        sources[col] = (col, None)
    levels: dict[str, tuple[str, ...]] = {}
    level_codes: dict[str, np.ndarray] = {}
    for col in controls:
        if col in numeric_parts:
            columns.append(numeric_parts[col][complete])
            terms.append(col)
            sources[col] = (col, None)
            continue
        values = data[col][complete]
        if isinstance(values.dtype, pd.CategoricalDtype):
            used_cats = values.cat.remove_unused_categories()
            lv = [str(c) for c in used_cats.cat.categories]
            codes = used_cats.cat.codes.to_numpy(dtype=np.int64)
        else:
            try:
                codes, uniques = pd.factorize(values, sort=True)
            except TypeError:  # mixed types that cannot be ordered: order their text
                codes, uniques = pd.factorize(values.astype(str), sort=True)
            lv = [str(u) for u in uniques]
            codes = np.asarray(codes, dtype=np.int64)
        if len(lv) < 2:
            raise AnalysisError(
                f"control '{col}' has a single level {lv} in the complete cases; "
                "a constant control cannot be estimated - leave it out of `controls`"
            )
        levels[col] = tuple(lv)
        level_codes[col] = codes
        for k, level in enumerate(lv[1:], start=1):
            term = f"{col}[{level}]"
            columns.append((codes == k).astype(float))
            terms.append(term)
            sources[term] = (col, level)
    X = np.column_stack(columns)
    raw_y = data[outcome][complete]
    y = raw_y.to_numpy(dtype=float, na_value=np.nan) if not is_categorical(raw_y) else np.full(n, np.nan)
    w = w_full[complete] if w_full is not None else None
    if w is not None and not np.any(w > 0):
        raise AnalysisError(f"survey_weights column '{survey_weights}' is zero for every complete row")
    return Design(
        y=y,
        X=X,
        terms=tuple(terms),
        survey_weights=w,
        n_dropped=n_dropped,
        sources=sources,
        levels=levels,
        raw_y=raw_y,
        level_codes=level_codes,
    )


def check_estimable(design: Design) -> None:
    """Refuse constant terms and perfectly collinear designs, naming the columns."""
    X = design.X
    for j in range(1, X.shape[1]):
        col = X[:, j]
        if np.ptp(col) == 0:
            raise AnalysisError(
                f"term '{design.terms[j]}' is constant ({col[0]:g}) in the {len(col)} complete rows; "
                "it cannot be estimated - leave its column out of `predictors` / `controls`"
            )
    Z = X
    names = design.terms
    # scale columns to unit norm so the rank test is not fooled by units
    norms = np.sqrt(np.einsum("ij,ij->j", Z, Z))
    # einsum rather than Z.T @ Z: OpenBLAS runs that product on several threads, which then
    # spin for ~0.1 s of CPU time; the rank test needs no BLAS speed
    G = np.einsum("ij,ik->jk", Z, Z) / np.outer(norms, norms)
    _, R, piv = scipy.linalg.qr(G, pivoting=True)
    diag = np.abs(np.diag(R))
    tol = diag.max() * max(G.shape) * 1e-10
    deficient = [names[piv[i]] for i in range(len(diag)) if diag[i] <= tol]
    if deficient:
        raise AnalysisError(
            f"the design is perfectly collinear (rank {len(diag) - len(deficient)} < {len(diag)} "
            f"terms); term(s) {deficient} are linear combinations of the others - drop one"
        )


def normal_table(params: np.ndarray, cov: np.ndarray, terms: Sequence[str], confidence: float) -> pd.DataFrame:
    """Coefficient table (one row per term): ``coef, se, z, p_value, ci_low, ci_high, odds_ratio,
    or_ci_low, or_ci_high`` with normal-theory (Wald) tests and intervals at level ``confidence``."""
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = params / se
    p = 2.0 * stats.norm.sf(np.abs(z))
    q = stats.norm.ppf(0.5 + confidence / 2.0)
    lo, hi = params - q * se, params + q * se
    with np.errstate(over="ignore"):
        frame = pd.DataFrame(
            {
                "coef": params,
                "se": se,
                "z": z,
                "p_value": p,
                "ci_low": lo,
                "ci_high": hi,
                "odds_ratio": np.exp(params),
                "or_ci_low": np.exp(lo),
                "or_ci_high": np.exp(hi),
            },
            index=pd.Index(list(terms), name="term"),
        )
    return frame


def stata_robust_factor(n: int) -> float:
    """Small-sample factor n/(n-1) of Stata's ``vce(robust)`` for ML models."""
    return n / (n - 1.0) if n > 1 else 1.0


def check_model_arguments(
    data: object, *, outcome: object, predictors: object, controls: object, survey_weights: object,
    robust: object, confidence: object,
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...], float]:
    """The argument checks every repurchase model starts with.

    Returns ``(data, predictors, controls, confidence)`` validated; raises ``TypeError`` /
    ``ValueError`` naming the argument, what is allowed and what was passed.
    """
    data = check_frame(data)
    if not isinstance(outcome, str):
        raise TypeError(f"outcome must be a column name (str); got {type(outcome).__name__}")
    predictors = check_names(predictors, "predictors")
    controls = check_names(controls, "controls", allow_empty=True)
    if survey_weights is not None and not isinstance(survey_weights, str):
        raise TypeError(f"survey_weights must be a column name (str) or None; got {type(survey_weights).__name__}")
    if not isinstance(robust, bool):
        raise TypeError(f"robust must be True or False; got {robust!r}")
    return data, predictors, controls, check_confidence(confidence)


def row_patterns(Zc: np.ndarray, w: np.ndarray, *, inverse: bool = False) -> tuple[np.ndarray, ...]:
    """Distinct (row, weight) patterns in lexicographic order, with their counts.

    Used where an estimate depends on the respondents only through sums over them (the drivers'
    bootstrap, the ordered logit's likelihood on a large study): the sums over the patterns,
    each times its count, are the sums over the respondents.

    Survey scores are often discrete (five 1-5 scores and a 1-5 outcome have at most 5**6
    patterns: a million respondents collapse to a few thousand rows); dimension scores that
    average items leave fewer ties (the demo study's 919,000 screened respondents have some
    670,000 patterns). Rows are keyed by a mixed-radix integer of their per-column value ranks
    (same order as ``numpy.unique(rows, axis=0)``, which is the fallback when the key would
    overflow; rows without NaN: the callers pass complete cases). The ranks come from
    ``pandas.factorize(sort=True)`` (hashing: about a third of the time of the sorts of
    ``numpy.unique(return_inverse=True)`` on a million rows; the same ranks, -0.0 and 0.0 one
    value in both). With ``inverse=True`` a fourth array gives each row's pattern.
    """
    rows = np.column_stack([Zc, w])
    key = np.zeros(rows.shape[0], dtype=np.int64)
    radix = 1
    for j in range(rows.shape[1]):
        ranks, values = pd.factorize(rows[:, j], sort=True)
        radix *= len(values)
        if radix >= 2**62:
            uniq, inv, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
            out = uniq[:, :-1], uniq[:, -1], counts
            return (*out, inv.reshape(-1)) if inverse else out
        key = key * len(values) + ranks
    _, first, inv, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    return (Zc[first], w[first], counts, inv) if inverse else (Zc[first], w[first], counts)

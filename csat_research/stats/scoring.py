"""Scale scores: reverse keying, dimension scores, the overall index and the summary table.

One function per statistic, data first and everything else keyword-only:

* :func:`reverse_key` - reverse-key Likert items (``min + max - x``);
* :func:`dimension_scores` - per-respondent dimension means (1-5) and their 0-100 rescaling,
  with the minimum-answered rule counted per dimension;
* :func:`overall_index` - weighted sum of dimension scores (expert / AHP / data weights);
* :func:`score_summary` - tidy per-dimension table (``n``, ``mean``, ``ci_low``, ``ci_high``,
  ``score_100``, ``top2box`` ...), built on the estimates of :mod:`csat_research.stats.estimates`.

The headline estimates with intervals (``top2box``, ``mean_ci``, ``nps``) live in
:mod:`csat_research.stats.estimates`; Kish's effective sample size in
:mod:`csat_research.stats.survey_weights`.

Nothing here rounds, prints, reads files or modifies its input. Missing answers are ``NaN``
and are counted in every result (``n_missing``), never dropped silently.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.scoring import dimension_scores
>>> df = pd.DataFrame({"q1": [5.0, 4.0, 2.0] * 20, "q2": [4.0, None, 2.0] * 20})
>>> res = dimension_scores(df, dimensions={"service": ["q1", "q2"]})
>>> res.scores["service"].tolist()[:3]
[4.5, 4.0, 2.0]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csat_research.core.checks import check_confidence, check_frame
from csat_research.core.errors import CsatWarning, DataError
from csat_research.core.numeric import wilson_interval
from csat_research.stats.estimates import mean_ci
from csat_research.stats.inputs import (
    check_range,
    check_scale,
    weights_vector,
)
from csat_research.stats.survey_weights import kish_effective_n

__all__ = [
    "DimensionScoresResult",
    "OverallIndexResult",
    "dimension_scores",
    "overall_index",
    "reverse_key",
    "score_summary",
]

_WEIGHT_SUM_TOL = 1e-6


# --------------------------------------------------------------------------- helpers
def _as_str_list(items: Any, param: str) -> list[str]:
    if isinstance(items, str):
        return [items]
    if not isinstance(items, Sequence | pd.Index | np.ndarray):
        raise TypeError(f"`{param}` must be a sequence of column names; got {type(items).__name__}")
    out = list(items)
    bad = [c for c in out if not isinstance(c, str)]
    if bad:
        raise TypeError(f"`{param}` must hold column names (str); got {bad[:5]!r}")
    return out


def _check_columns(data: pd.DataFrame, cols: Sequence[str], param: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns)[:15]))
        raise DataError(
            f"column(s) {missing} named in `{param}` not found in data; "
            f"available columns start with: {shown}"
        )


def _numeric_block(data: pd.DataFrame, cols: Sequence[str], param: str) -> np.ndarray:
    """Columns as one float64 array (n x k); refuses non-numeric columns."""
    bad = [c for c in cols if not (pd.api.types.is_numeric_dtype(data[c]) or data[c].isna().all())]
    if bad:
        kinds = {c: str(data[c].dtype) for c in bad[:5]}
        raise DataError(
            f"column(s) named in `{param}` must hold numeric codes (float with NaN for missing); "
            f"got non-numeric dtypes {kinds}"
        )
    flags = [c for c in cols if pd.api.types.is_bool_dtype(data[c])]
    if flags:
        raise DataError(f"column(s) {flags[:5]} named in `{param}` are boolean; numeric codes are required")
    return data[list(cols)].to_numpy(dtype=np.float64, na_value=np.nan)


# --------------------------------------------------------------------------- reverse keying
def reverse_key(
    data: pd.DataFrame, *, items: Sequence[str], scale_min: float = 1, scale_max: float = 5
) -> pd.DataFrame:
    """Reverse-key Likert items: ``scale_min + scale_max - x``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; item columns hold codes as float, ``NaN`` = missing.
    items : sequence of str
        Columns to reverse.
    scale_min, scale_max : float, default 1 and 5
        End points of the response scale of these items.

    Returns
    -------
    pandas.DataFrame
        A new frame, equal to ``data`` except that ``items`` are reversed (``NaN`` stays ``NaN``).

    Raises
    ------
    TypeError
        ``data`` is not a DataFrame or ``items`` is not a sequence of names.
    DataError
        An item is missing, non-numeric or holds a code outside ``[scale_min, scale_max]``.

    Notes
    -----
    :math:`x' = \\min + \\max - x`, so 1 <-> 5 and 2 <-> 4 on a 1-5 scale. Missing answers stay
    missing. The input frame is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q_r": [1.0, 2.0, None, 5.0], "q": [3.0, 3.0, 3.0, 3.0]})
    >>> reverse_key(df, items=["q_r"])["q_r"].tolist()
    [5.0, 4.0, nan, 1.0]
    """
    check_frame(data, "`data`")
    cols = _as_str_list(items, "items")
    lo, hi = check_scale((scale_min, scale_max), "scale_min/scale_max")
    # a new frame sharing the untouched columns: pandas copies on write, so neither frame can
    # change the other (a deep copy of a million-row grid took half a second)
    out = data.copy(deep=False)
    if not cols:
        return out
    _check_columns(data, cols, "items")
    block = _numeric_block(data, cols, "items")
    check_range(block, cols, lo, hi, "items")
    rev = (lo + hi) - block
    for j, c in enumerate(cols):
        out[c] = pd.Series(rev[:, j], index=data.index, name=c)
    return out


# --------------------------------------------------------------------------- dimension scores
@dataclass(frozen=True, eq=False)
class DimensionScoresResult:
    """Per-respondent dimension scores and how many respondents each dimension could score.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per respondent (index of the input), one column per dimension: mean of the
        answered items on the response scale (e.g. 1-5); ``NaN`` where fewer than the
        required number of items were answered.
    scores_100 : pandas.DataFrame
        The same scores rescaled to 0-100: ``(score - min) / (max - min) * 100``.
    coverage : pandas.DataFrame
        One row per dimension: ``dimension``, ``n_items``, ``min_items`` (answers required),
        ``n`` (respondents scored), ``n_missing`` (left ``NaN`` by the rule),
        ``n_partial`` (answered some items but fewer than ``min_items``), ``n_empty``
        (answered none).
    scale : tuple of float
        The (min, max) of the response scale.
    """

    scores: pd.DataFrame
    scores_100: pd.DataFrame
    coverage: pd.DataFrame
    scale: tuple[float, float]

    @property
    def n_missing(self) -> int:
        """Respondent-dimension scores left missing, over all dimensions."""
        return int(self.coverage["n_missing"].sum())

    def to_frame(self) -> pd.DataFrame:
        """The per-dimension coverage table (one row per dimension)."""
        return self.coverage.copy()


def _min_items(min_answered: Any, n_items: int, dim: str) -> int:
    if isinstance(min_answered, bool) or not isinstance(min_answered, int | float | np.integer | np.floating):
        raise TypeError(
            f"`min_answered` must be a share in (0, 1] (float) or a count of items (int); "
            f"got {type(min_answered).__name__}"
        )
    if isinstance(min_answered, int | np.integer):
        if not 1 <= min_answered <= n_items:
            raise ValueError(
                f"`min_answered` = {min_answered} items is not possible for dimension {dim!r} "
                f"with {n_items} item(s); allowed 1..{n_items}"
            )
        return int(min_answered)
    if not 0 < float(min_answered) <= 1:
        raise ValueError(f"`min_answered` as a share must lie in (0, 1]; got {min_answered!r}")
    return max(1, math.ceil(float(min_answered) * n_items - 1e-9))


def _check_dimensions(dimensions: Any) -> dict[str, list[str]]:
    if not isinstance(dimensions, Mapping):
        raise TypeError(
            f"`dimensions` must be a mapping dimension -> item columns; got {type(dimensions).__name__}"
        )
    if not dimensions:
        raise ValueError("`dimensions` is empty; give at least one dimension with its items")
    out: dict[str, list[str]] = {}
    for dim, items in dimensions.items():
        if not isinstance(dim, str):
            raise TypeError(f"dimension names in `dimensions` must be str; got {dim!r}")
        cols = _as_str_list(items, f"dimensions[{dim!r}]")
        if not cols:
            raise ValueError(f"dimension {dim!r} in `dimensions` has no items")
        dup = sorted({c for c in cols if cols.count(c) > 1})
        if dup:
            raise ValueError(f"dimension {dim!r} lists item(s) {dup} more than once")
        out[dim] = cols
    return out


_CHUNK_ROWS = 1 << 15  # rows per cache-sized chunk in _prorated_means


def _prorated_means(
    block: np.ndarray, plan: list[tuple[str, int, list[tuple[int, bool]]]], reverse_sum: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the answered items per dimension (NaN below the minimum) and answered counts.

    ``plan`` holds ``(dimension, min_items, [(column, is_reverse), ...])``. Reverse items add
    ``reverse_sum - x``, accumulated as ``-x`` plus ``reverse_sum`` times their answered count.
    Rows are processed in cache-sized chunks, one vectorised pass per item column.
    """
    n = block.shape[0]
    k = len(plan)
    scores = np.empty((n, k), dtype=np.float64, order="F")
    counts = np.empty((n, k), dtype=np.int16, order="F")
    m = min(n, _CHUNK_ROWS)
    total = np.empty(m)
    count = np.empty(m, dtype=np.int16)
    rcount = np.empty(m, dtype=np.int16)
    ok = np.empty(m, dtype=bool)
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        w = stop - start
        tot, cnt, rcnt, okw = total[:w], count[:w], rcount[:w], ok[:w]
        for d, (_, need, cols) in enumerate(plan):
            tot.fill(0.0)
            cnt.fill(0)
            has_reverse = any(r for _, r in cols)
            if has_reverse:
                rcnt.fill(0)
            for j, is_reverse in cols:
                col = block[start:stop, j]
                np.isnan(col, out=okw)
                np.logical_not(okw, out=okw)
                if is_reverse:
                    np.subtract(tot, col, out=tot, where=okw)
                    np.add(rcnt, okw, out=rcnt, casting="unsafe")
                else:
                    np.add(tot, col, out=tot, where=okw)
                np.add(cnt, okw, out=cnt, casting="unsafe")
            if has_reverse:
                tot += reverse_sum * rcnt
            out = scores[start:stop, d]
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(tot, cnt, out=out)
            out[cnt < need] = np.nan
            counts[start:stop, d] = cnt
    return scores, counts


def dimension_scores(
    data: pd.DataFrame,
    *,
    dimensions: Mapping[str, Sequence[str]],
    reverse: Sequence[str] = (),
    min_answered: float | int = 0.5,
    scale: tuple[float, float] = (1, 5),
) -> DimensionScoresResult:
    """Per-respondent dimension scores: mean of the answered items, and its 0-100 rescaling.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; item columns hold Likert codes as float, ``NaN`` = missing.
    dimensions : mapping of str to sequence of str
        Dimension id -> its item columns (e.g. ``{"efficiency": ["eff_first_reply", ...]}``).
    reverse : sequence of str, optional
        Reverse-keyed items; they are scored as ``min + max - x`` before averaging.
    min_answered : float or int, default 0.5
        Minimum number of answered items for a dimension score: a float is a share of the
        dimension's items (``ceil(share * k)``, the "half rule" at 0.5), an int a count.
    scale : (float, float), default (1, 5)
        End points of the response scale.

    Returns
    -------
    DimensionScoresResult
        ``scores`` (1-5), ``scores_100`` (0-100) and ``coverage`` (per dimension: ``n_items``,
        ``min_items``, ``n`` scored, ``n_missing`` left ``NaN``, ``n_partial``, ``n_empty``).

    Raises
    ------
    TypeError
        Wrong argument types.
    ValueError
        Empty dimensions, repeated items, impossible ``min_answered``, ``reverse`` items that
        belong to no dimension.
    DataError
        Missing or non-numeric item columns, codes outside ``scale``.

    Warns
    -----
    CsatWarning
        When any respondent-dimension score is left missing by the minimum-answered rule,
        with the count per dimension.

    Notes
    -----
    For respondent *i* and dimension *d* with items :math:`j \\in d`, answered set
    :math:`A_{id}`: :math:`s_{id} = \\frac{1}{|A_{id}|}\\sum_{j \\in A_{id}} x'_{ij}` when
    :math:`|A_{id}| \\ge m_d`, else missing; :math:`x'` is the reverse-keyed code for reverse
    items. The 0-100 score is the POMP rescaling (Cohen et al., 1999)
    :math:`100 (s - \\min) / (\\max - \\min)`.

    *Missing data*: prorated mean of the answered items (person-mean / "half rule" scoring,
    as in the SF-36 scoring manual); dimensions with fewer than ``m_d`` answers stay ``NaN`` and
    are counted in ``coverage`` and in a warning. Nothing is imputed beyond the prorated mean.

    Validated against hand-computed means and the published POMP anchors (1 -> 0, 3 -> 50,
    5 -> 100 on a 1-5 scale); see ``tests/stats/test_scoring.py``.

    Vectorised: one pass per item column, no loop over respondents.

    References
    ----------
    Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the
    circumstance for POMP. *Multivariate Behavioral Research*, 34(3), 315-346.

    Ware, J. E., Snow, K. K., Kosinski, M., & Gandek, B. (1993). *SF-36 Health Survey Manual
    and Interpretation Guide* (the half-scale rule for missing items).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a1": [5.0, 4.0, None], "a2": [4.0, None, None], "a3_r": [1.0, 2.0, 3.0]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = dimension_scores(df, dimensions={"a": ["a1", "a2", "a3_r"]}, reverse=["a3_r"],
    ...                            min_answered=2)
    >>> res.scores["a"].tolist()
    [4.666666666666667, 4.0, nan]
    >>> res.scores_100["a"].tolist()
    [91.66666666666667, 75.0, nan]
    >>> res.coverage[["dimension", "n", "n_missing"]].to_dict("records")
    [{'dimension': 'a', 'n': 2, 'n_missing': 1}]
    """
    check_frame(data, "`data`")
    dims = _check_dimensions(dimensions)
    lo, hi = check_scale(scale)
    rev = set(_as_str_list(reverse, "reverse"))
    all_items = list(dict.fromkeys(c for cols in dims.values() for c in cols))
    stray = sorted(rev - set(all_items))
    if stray:
        raise ValueError(f"`reverse` names item(s) {stray} that belong to no dimension in `dimensions`")
    _check_columns(data, all_items, "dimensions")
    block = _numeric_block(data, all_items, "dimensions")
    check_range(block, all_items, lo, hi, "dimensions")
    pos = {c: j for j, c in enumerate(all_items)}
    n = block.shape[0]
    plan = [
        (dim, _min_items(min_answered, len(cols), dim), [(pos[c], c in rev) for c in cols])
        for dim, cols in dims.items()
    ]
    scores, counts = _prorated_means(block, plan, lo + hi)
    rows = []
    for k, (dim, need, cols) in enumerate(plan):
        n_scored = int(np.count_nonzero(counts[:, k] >= need))
        n_empty = int(np.count_nonzero(counts[:, k] == 0))
        rows.append(
            {
                "dimension": dim,
                "n_items": len(cols),
                "min_items": need,
                "n": n_scored,
                "n_missing": n - n_scored,
                "n_partial": n - n_scored - n_empty,
                "n_empty": n_empty,
            }
        )
    names = list(dims)
    coverage = pd.DataFrame(rows)
    scores_df = pd.DataFrame(scores, index=data.index, columns=names, copy=False)
    rescaled = np.subtract(scores, lo, order="F")
    rescaled *= 100.0 / (hi - lo)
    scores_100 = pd.DataFrame(rescaled, index=data.index, columns=names, copy=False)
    left = coverage.loc[coverage["n_missing"] > 0]
    if len(left):
        detail = ", ".join(f"{r.dimension}: {r.n_missing}" for r in left.itertuples())
        warnings.warn(
            CsatWarning(
                f"dimension_scores left {int(left['n_missing'].sum())} respondent-dimension score(s) "
                f"missing out of {n} respondents (fewer answered items than required): {detail}",
                kind="scores_missing", n_total=n,
                by_dimension={r.dimension: int(r.n_missing) for r in left.itertuples()},
            ),
            stacklevel=2,
        )
    return DimensionScoresResult(scores_df, scores_100, coverage, (lo, hi))


# --------------------------------------------------------------------------- overall index
@dataclass(frozen=True, eq=False)
class OverallIndexResult:
    """Weighted overall satisfaction index.

    Attributes
    ----------
    index : pandas.Series
        Per respondent: :math:`\\sum_d w_d s_{id}`; ``NaN`` when any dimension score is missing.
    overall : float
        :math:`\\sum_d w_d \\bar s_d` over the dimension means (each mean over the respondents
        scored on that dimension; survey-weighted when survey weights are given).
    index_weights : pandas.Series
        The validated dimension weights of the index.
    dimension_means : pandas.Series
        :math:`\\bar s_d` per dimension.
    n : int
        Respondents.
    n_complete : int
        Respondents with every dimension scored (non-missing ``index``).
    n_incomplete : int
        Respondents whose ``index`` is missing.
    """

    index: pd.Series
    overall: float
    index_weights: pd.Series
    dimension_means: pd.Series
    n: int
    n_complete: int
    n_incomplete: int

    def to_frame(self) -> pd.DataFrame:
        """One row per dimension: ``weight``, ``mean``, ``contribution`` (= weight x mean)."""
        return pd.DataFrame(
            {
                "weight": self.index_weights,
                "mean": self.dimension_means,
                "contribution": self.index_weights * self.dimension_means,
            }
        ).rename_axis("dimension").reset_index()


def _validate_dimension_weights(index_weights: Any, expected: Sequence[str], param: str = "index_weights") -> pd.Series:
    if isinstance(index_weights, pd.Series):
        mapping = index_weights.to_dict()
    elif isinstance(index_weights, Mapping):
        mapping = dict(index_weights)
    else:
        raise TypeError(f"`{param}` must be a mapping dimension -> weight; got {type(index_weights).__name__}")
    missing = [d for d in expected if d not in mapping]
    extra = [k for k in mapping if k not in set(expected)]
    if missing or extra:
        raise ValueError(
            f"`{param}` keys must match the dimensions {list(expected)}; missing {missing}, unexpected {extra}"
        )
    w = pd.Series({d: mapping[d] for d in expected}, dtype="float64", name="weight")
    bad = w[~(np.isfinite(w) & (w > 0))]
    if len(bad):
        raise ValueError(f"`{param}` must be positive and finite; got {bad.to_dict()}")
    total = float(w.sum())
    if abs(total - 1.0) > _WEIGHT_SUM_TOL:
        raise ValueError(f"`{param}` must sum to 1 (within {_WEIGHT_SUM_TOL:g}); they sum to {total:.10g}")
    return w


def overall_index(
    scores: pd.DataFrame | DimensionScoresResult,
    *,
    index_weights: Mapping[str, float] | pd.Series,
    survey_weights: pd.Series | np.ndarray | None = None,
) -> OverallIndexResult:
    """Overall satisfaction index: weighted sum of dimension scores.

    Parameters
    ----------
    scores : pandas.DataFrame or DimensionScoresResult
        Per-respondent dimension scores, one column per dimension (``result.scores`` or
        ``result.scores_100`` of :func:`dimension_scores`; a result object uses ``.scores``).
    index_weights : mapping of str to float
        Dimension weights of the index (expert, AHP or data-driven): keys must match the columns of
        ``scores`` exactly, every weight positive, summing to 1 within 1e-6.
    survey_weights : pandas.Series or array, optional
        Respondent weights for the dimension means behind ``overall``.

    Returns
    -------
    OverallIndexResult

    Raises
    ------
    TypeError
        Wrong types.
    ValueError
        Weight keys not matching the dimensions, non-positive weights, weights not summing to 1.
    DataError
        Non-numeric score columns, bad survey weights.

    Notes
    -----
    :math:`I_i = \\sum_d w_d s_{id}` and :math:`I = \\sum_d w_d \\bar s_d` (DOMAIN: overall
    score = sum of dimension score x weight). For complete data the overall equals the mean of
    the per-respondent indices (linearity).

    *Missing data*: a respondent with any missing dimension gets a missing ``index`` (the
    weights are not renormalised), counted in ``n_incomplete``; ``overall`` uses each
    dimension's available scores.

    Validated by the linearity identity above on complete data and by hand-computed values.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"efficiency": [4.0, 3.0], "quality": [5.0, 2.0]})
    >>> r = overall_index(s, index_weights={"efficiency": 0.4, "quality": 0.6})
    >>> r.index.tolist(), round(r.overall, 10)
    ([4.6, 2.4], 3.5)
    """
    if isinstance(scores, DimensionScoresResult):
        scores = scores.scores
    check_frame(scores, "`scores`")
    cols = list(scores.columns)
    w = _validate_dimension_weights(index_weights, cols)
    block = _numeric_block(scores, cols, "scores")
    sw = weights_vector(survey_weights, scores, "survey_weights")
    idx = block @ w.to_numpy()  # NaN propagates: incomplete respondents get NaN
    means = []
    for j in range(block.shape[1]):
        col = block[:, j]
        ok = ~np.isnan(col)
        if not ok.any():
            means.append(np.nan)
        elif sw is None:
            means.append(float(col[ok].mean()))
        else:
            wu = sw[ok]
            means.append(float(np.dot(wu, col[ok]) / wu.sum()) if wu.sum() > 0 else np.nan)
    dim_means = pd.Series(means, index=cols, name="mean", dtype="float64")
    n_complete = int((~np.isnan(idx)).sum())
    return OverallIndexResult(
        pd.Series(idx, index=scores.index, name="overall_index"),
        float((w * dim_means).sum(skipna=False)),
        w,
        dim_means,
        len(scores),
        n_complete,
        len(scores) - n_complete,
    )


# --------------------------------------------------------------------------- summary table
_SUMMARY_COLUMNS = [
    "dimension", "n_items", "n", "n_missing", "n_eff", "mean", "se", "ci_low", "ci_high",
    "score_100", "top2box", "top2box_ci_low", "top2box_ci_high",
]


def score_summary(
    data: pd.DataFrame,
    *,
    dimensions: Mapping[str, Sequence[str]],
    reverse: Sequence[str] = (),
    min_answered: float | int = 0.5,
    scale: tuple[float, float] = (1, 5),
    survey_weights: str | pd.Series | np.ndarray | None = None,
    top: float = 4,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Tidy per-dimension summary: n, mean with CI, 0-100 score and top-2-box share.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns (and the weight column if named).
    dimensions, reverse, min_answered, scale
        As in :func:`dimension_scores`.
    survey_weights : str, pandas.Series or array, optional
        Survey weights: the name of a column of ``data`` (e.g. ``"weight"``) or the weights.
    top : float, default 4
        A respondent is "top-2-box" on a dimension when the dimension score is >= ``top``
        (4 = "satisfied" or better on average on a 1-5 scale).
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per dimension with columns ``dimension``, ``n_items``, ``n`` (respondents
        scored), ``n_missing`` (left missing by the minimum-answered rule), ``n_eff`` (Kish
        effective n, = ``n`` unweighted), ``mean``, ``se``, ``ci_low``, ``ci_high`` (t interval,
        :func:`~csat_research.stats.estimates.mean_ci`), ``score_100`` (the mean on 0-100),
        ``top2box``, ``top2box_ci_low``, ``top2box_ci_high`` (Wilson interval,
        :func:`~csat_research.stats.estimates.top2box`).

    Raises
    ------
    As :func:`dimension_scores`, :func:`~csat_research.stats.estimates.mean_ci` and
    :func:`~csat_research.stats.estimates.top2box`; ``DataError`` when a weight column named in
    ``survey_weights`` is missing.

    Warns
    -----
    CsatWarning
        Scores left missing, small bases.

    Notes
    -----
    Dimension scores come from :func:`dimension_scores`; for each dimension the mean and its
    interval come from :func:`~csat_research.stats.estimates.mean_ci` (linearisation variance when
    weighted) and the top-box share from :func:`~csat_research.stats.estimates.top2box`'s Wilson/Kish
    formula applied to ``score >= top``.
    ``score_100 = (mean - min) / (max - min) * 100``.

    *Missing data*: respondents without a score on a dimension are left out of that
    dimension's row and counted in ``n_missing``.

    Validated through the functions it composes (see their reference tests) and by agreement
    with them in ``tests/stats/test_scoring.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a1": [5.0, 4.0, 2.0, 4.0], "a2": [4.0, 4.0, 1.0, 5.0]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     t = score_summary(df, dimensions={"a": ["a1", "a2"]})
    >>> t[["dimension", "n", "mean", "score_100", "top2box"]].to_dict("records")
    [{'dimension': 'a', 'n': 4, 'mean': 3.625, 'score_100': 65.625, 'top2box': 0.75}]
    """
    check_frame(data, "`data`")
    lo, hi = check_scale(scale)
    confidence = check_confidence(confidence)
    if isinstance(top, bool) or not isinstance(top, int | float | np.integer | np.floating):
        raise TypeError(f"`top` must be a number (threshold on the dimension score); got {type(top).__name__}")
    if not lo <= float(top) <= hi:
        raise ValueError(f"`top` = {top!r} must lie inside `scale` {(lo, hi)}")
    if isinstance(survey_weights, str):
        _check_columns(data, [survey_weights], "survey_weights")
        w_all = weights_vector(data[survey_weights], data[survey_weights], "survey_weights")
    else:
        w_all = weights_vector(survey_weights, data, "survey_weights")
    res = dimension_scores(data, dimensions=dimensions, reverse=reverse, min_answered=min_answered, scale=(lo, hi))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    rows = []
    for cov in res.coverage.itertuples():
        col = res.scores[cov.dimension].to_numpy()
        ok = ~np.isnan(col)
        row: dict[str, Any] = {"dimension": cov.dimension, "n_items": cov.n_items, "n": int(ok.sum()),
                               "n_missing": int((~ok).sum())}
        wu = None if w_all is None else w_all[ok]
        if row["n"] >= 2 and (wu is None or np.count_nonzero(wu) >= 2):
            m = mean_ci(pd.Series(col), survey_weights=w_all, confidence=confidence)
            hit = col[ok] >= float(top)
            if wu is None:
                share, n_eff = float(hit.mean()), float(row["n"])
            else:
                share, n_eff = float(wu[hit].sum() / wu.sum()), kish_effective_n(wu)
            t_low, t_high = wilson_interval(share, n_eff, z=z)
            row.update(n_eff=n_eff, mean=m.mean, se=m.se, ci_low=m.ci_low, ci_high=m.ci_high,
                       score_100=(m.mean - lo) / (hi - lo) * 100.0, top2box=share,
                       top2box_ci_low=t_low, top2box_ci_high=t_high)
        else:
            warnings.warn(
                f"score_summary: dimension {cov.dimension!r} has {row['n']} scored respondent(s); "
                "its statistics are left missing",
                CsatWarning,
                stacklevel=2,
            )
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=_SUMMARY_COLUMNS)

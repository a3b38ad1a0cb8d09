"""Scale scores and headline satisfaction statistics.

One function per statistic, data first and everything else keyword-only:

* :func:`reverse_key` - reverse-key Likert items (``min + max - x``);
* :func:`dimension_scores` - per-respondent dimension means (1-5) and their 0-100 rescaling,
  with the minimum-answered rule counted per dimension;
* :func:`top2box` - top-2-box share with a Wilson score interval (survey weights through the
  Kish effective sample size);
* :func:`mean_ci` - mean with a t interval (survey weights through the linearisation variance);
* :func:`nps` - Net Promoter Score with the multinomial (trinomial) Wald interval;
* :func:`overall_index` - weighted sum of dimension scores (expert / AHP / data weights);
* :func:`score_summary` - tidy per-dimension table (``n``, ``mean``, ``ci_low``, ``ci_high``,
  ``score_100``, ``top2box`` ...).

Nothing here rounds, prints, reads files or modifies its input. Missing answers are ``NaN``
and are counted in every result (``n_missing``), never dropped silently.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.scoring import dimension_scores, nps
>>> df = pd.DataFrame({"q1": [5.0, 4.0, 2.0] * 20, "q2": [4.0, None, 2.0] * 20,
...                    "rec": [10, 7, 3] * 20})
>>> res = dimension_scores(df, dimensions={"service": ["q1", "q2"]})
>>> res.scores["service"].tolist()[:3]
[4.5, 4.0, 2.0]
>>> nps(df["rec"]).nps
0.0
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

from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.core.numeric import wilson_interval

__all__ = [
    "SMALL_BASE",
    "DimensionScoresResult",
    "MeanCIResult",
    "NPSResult",
    "OverallIndexResult",
    "Top2BoxResult",
    "dimension_scores",
    "kish_effective_n",
    "mean_ci",
    "nps",
    "overall_index",
    "reverse_key",
    "score_summary",
    "top2box",
]

#: Base sizes below this get a :class:`~csat_research.core.errors.CsatWarning` (small base).
SMALL_BASE = 30

_WEIGHT_SUM_TOL = 1e-6


# --------------------------------------------------------------------------- helpers
def _require_frame(data: Any, name: str = "data") -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(data).__name__}")


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


def _check_range(block: np.ndarray, cols: Sequence[str], lo: float, hi: float, param: str) -> None:
    """DataError when any non-missing value lies outside [lo, hi] (counted, values and columns)."""
    if block.size == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN block
        vmin = np.nanmin(block)
        vmax = np.nanmax(block)
    if np.isnan(vmin) or (lo <= vmin and vmax <= hi):
        return
    bad = (block < lo) | (block > hi)
    count = int(bad.sum())
    values = np.unique(block[bad])
    bad_cols = [cols[j] for j in np.flatnonzero(bad.any(axis=0))]
    raise DataError(
        f"{count} value(s) in the column(s) named in `{param}` lie outside the scale "
        f"[{lo:g}, {hi:g}]: values {values[:10].tolist()} in column(s) {bad_cols[:10]}"
    )


def _check_scale(scale: Any, param: str = "scale") -> tuple[float, float]:
    if not isinstance(scale, Sequence) or isinstance(scale, str) or len(scale) != 2:
        raise TypeError(f"`{param}` must be a (min, max) pair; got {scale!r}")
    lo, hi = (float(scale[0]), float(scale[1]))
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise ValueError(f"`{param}` must be (min, max) with min < max; got {scale!r}")
    return lo, hi


def _check_ci(ci: Any) -> float:
    if isinstance(ci, bool) or not isinstance(ci, int | float | np.floating):
        raise TypeError(f"`ci` must be a number in (0, 1); got {type(ci).__name__}")
    if not 0 < ci < 1:
        raise ValueError(f"`ci` must lie in (0, 1), e.g. 0.95; got {ci!r}")
    return float(ci)


def _as_series(x: Any, param: str) -> pd.Series:
    if isinstance(x, pd.Series):
        return x
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"`{param}` must be one column (a Series); got a DataFrame")
    if isinstance(x, np.ndarray | list | tuple):
        return pd.Series(np.asarray(x, dtype=float))
    raise TypeError(f"`{param}` must be a pandas Series or 1-D array; got {type(x).__name__}")


def _numeric_values(series: pd.Series, param: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series) or not (
        pd.api.types.is_numeric_dtype(series) or series.isna().all()
    ):
        raise DataError(f"`{param}` must hold numeric codes; got dtype {series.dtype}")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _weights_vector(weights: Any, like: pd.Series | pd.DataFrame, param: str = "weights") -> np.ndarray | None:
    """Survey weights aligned with ``like`` (Series by index, arrays by position)."""
    if weights is None:
        return None
    n = len(like)
    if isinstance(weights, pd.Series):
        if not weights.index.equals(like.index):
            if weights.index.has_duplicates or like.index.has_duplicates:
                raise ValueError(f"`{param}` index does not match the data index (duplicates present)")
            missing = like.index.difference(weights.index)
            if len(missing):
                raise ValueError(
                    f"`{param}` has no weight for {len(missing)} row(s) of the data, e.g. {list(missing[:5])}"
                )
            weights = weights.reindex(like.index)
        w = weights.to_numpy(dtype=np.float64, na_value=np.nan)
    elif isinstance(weights, np.ndarray | list | tuple):
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1 or len(w) != n:
            raise ValueError(f"`{param}` must have one weight per row ({n}); got shape {w.shape}")
    else:
        raise TypeError(f"`{param}` must be None, a Series or a 1-D array; got {type(weights).__name__}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise DataError(
            f"`{param}` must be finite and non-negative; {int(bad.sum())} row(s) are not, "
            f"e.g. {np.unique(w[bad])[:5].tolist()}"
        )
    return w


def kish_effective_n(weights: Any) -> float:
    """Kish effective sample size of a set of survey weights.

    Parameters
    ----------
    weights : array-like
        Non-negative finite weights of the respondents used.

    Returns
    -------
    float
        :math:`n_{eff} = (\\sum w_i)^2 / \\sum w_i^2`; equals ``n`` for equal weights.

    Raises
    ------
    ValueError
        Negative, non-finite or all-zero weights.

    Notes
    -----
    Kish (1965, sec. 11.7; 1992) design effect of unequal weighting,
    :math:`deff_w = n \\sum w^2 / (\\sum w)^2`, so that :math:`n_{eff} = n / deff_w`.

    References
    ----------
    Kish, L. (1992). Weighting for unequal Pi. *Journal of Official Statistics*, 8(2), 183-200.

    Examples
    --------
    >>> kish_effective_n([1, 1, 1, 1])
    4.0
    >>> kish_effective_n([1, 3])
    1.6
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("`weights` must be finite, non-negative and not all zero")
    return float(w.sum() ** 2 / np.dot(w, w))


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson (1927) score interval for a share ``p`` on ``n`` (possibly effective) cases."""
    return wilson_interval(p, n, z=z)


def _small_base(n: float, what: str) -> None:
    if n < SMALL_BASE:
        warnings.warn(
            f"{what}: small base, n = {n:.4g} (< {SMALL_BASE}); the interval is wide and unstable",
            CsatWarning,
            stacklevel=3,
        )


def _frame_from(obj: Any, fields: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([{f: getattr(obj, f) for f in fields}])


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
    _require_frame(data)
    cols = _as_str_list(items, "items")
    lo, hi = _check_scale((scale_min, scale_max), "scale_min/scale_max")
    out = data.copy()
    if not cols:
        return out
    _check_columns(data, cols, "items")
    block = _numeric_block(data, cols, "items")
    _check_range(block, cols, lo, hi, "items")
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
    5 -> 100 on a 1-5 scale); see ``tests/test_scoring.py``.

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
    _require_frame(data)
    dims = _check_dimensions(dimensions)
    lo, hi = _check_scale(scale)
    rev = set(_as_str_list(reverse, "reverse"))
    all_items = list(dict.fromkeys(c for cols in dims.values() for c in cols))
    stray = sorted(rev - set(all_items))
    if stray:
        raise ValueError(f"`reverse` names item(s) {stray} that belong to no dimension in `dimensions`")
    _check_columns(data, all_items, "dimensions")
    block = _numeric_block(data, all_items, "dimensions")
    _check_range(block, all_items, lo, hi, "dimensions")
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
            f"dimension_scores left {int(left['n_missing'].sum())} respondent-dimension score(s) "
            f"missing out of {n} respondents (fewer answered items than required): {detail}",
            CsatWarning,
            stacklevel=2,
        )
    return DimensionScoresResult(scores_df, scores_100, coverage, (lo, hi))


# --------------------------------------------------------------------------- top-2-box
@dataclass(frozen=True)
class Top2BoxResult:
    """Top-box share with its Wilson score interval.

    Attributes
    ----------
    share : float
        (Weighted) share of answers in the top codes, 0-1.
    n : int
        Non-missing answers used.
    n_eff : float
        Kish effective sample size (``n`` when unweighted); used in the Wilson formula.
    n_top : float
        Answers in the top codes (sum of weights when weighted).
    ci_low, ci_high : float
        Wilson score interval at level ``ci``.
    ci : float
        Confidence level.
    n_missing : int
        Missing answers left out.
    weighted : bool
        Whether survey weights were used.
    """

    share: float
    n: int
    n_eff: float
    n_top: float
    ci_low: float
    ci_high: float
    ci: float
    n_missing: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """One-row frame: share, n, n_eff, n_top, ci_low, ci_high, ci, n_missing, weighted."""
        return _frame_from(self, ["share", "n", "n_eff", "n_top", "ci_low", "ci_high", "ci", "n_missing", "weighted"])


def _used_weights(w: np.ndarray | None, ok: np.ndarray, param: str) -> np.ndarray | None:
    if w is None:
        return None
    wu = w[ok]
    if wu.sum() <= 0:
        raise AnalysisError(f"`{param}` sum to zero over the {int(ok.sum())} non-missing answer(s)")
    return wu


def top2box(
    series: pd.Series,
    *,
    weights: pd.Series | np.ndarray | None = None,
    top: Sequence[float] = (4, 5),
    ci: float = 0.95,
    scale: tuple[float, float] = (1, 5),
) -> Top2BoxResult:
    """Top-2-box share (CSAT) with a Wilson score interval.

    Parameters
    ----------
    series : pandas.Series
        Answers as codes (float, ``NaN`` = missing).
    weights : pandas.Series or array, optional
        Survey weights (aligned by index for a Series, by position otherwise).
    top : sequence of float, default (4, 5)
        Codes that count as "top box".
    ci : float, default 0.95
        Confidence level.
    scale : (float, float), default (1, 5)
        Allowed code range; codes outside it are refused.

    Returns
    -------
    Top2BoxResult

    Raises
    ------
    TypeError, ValueError
        Bad arguments (empty ``top``, ``top`` outside ``scale``, ``ci`` outside (0, 1)).
    DataError
        Non-numeric codes, codes outside ``scale``, negative or non-finite weights.
    AnalysisError
        No non-missing answer.

    Warns
    -----
    CsatWarning
        Small base (effective n below :data:`SMALL_BASE`).

    Notes
    -----
    :math:`\\hat p = \\sum_i w_i 1[x_i \\in top] / \\sum_i w_i` (:math:`w_i = 1` unweighted).
    Wilson (1927) score interval with :math:`z = \\Phi^{-1}(1 - \\alpha/2)`:

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    With survey weights ``n`` is the Kish effective sample size
    :math:`n_{eff} = (\\sum w)^2/\\sum w^2`, the usual design-effect adjustment of a
    proportion's interval for unequal weights (Kish 1992); it equals ``n`` for equal weights.

    *Missing data*: ``NaN`` answers are left out and counted in ``n_missing``; weights of
    missing answers are ignored.

    Validated against Newcombe (1998, Table I, method 3): 81/263 -> 0.2553-0.3662,
    15/148 -> 0.0624-0.1605, 0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    *JASA*, 22, 209-212.

    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine*, 17, 857-872.

    Kish, L. (1992). Weighting for unequal Pi. *Journal of Official Statistics*, 8, 183-200.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series([5.0] * 81 + [2.0] * 182)
    >>> r = top2box(x)
    >>> round(r.share, 4), round(r.ci_low, 4), round(r.ci_high, 4)
    (0.308, 0.2553, 0.3662)
    """
    s = _as_series(series, "series")
    level = _check_ci(ci)
    lo, hi = _check_scale(scale)
    is_seq = isinstance(top, Sequence) and not isinstance(top, str)
    top_codes = np.asarray(list(top), dtype=np.float64) if is_seq else None
    if top_codes is None or top_codes.size == 0:
        raise ValueError(f"`top` must be a non-empty sequence of codes, e.g. (4, 5); got {top!r}")
    if np.any((top_codes < lo) | (top_codes > hi)):
        raise ValueError(f"`top` codes {top_codes.tolist()} must lie inside `scale` {(lo, hi)}")
    x = _numeric_values(s, "series")
    _check_range(x[:, None], [str(s.name)], lo, hi, "series")
    w = _weights_vector(weights, s)
    ok = ~np.isnan(x)
    n = int(ok.sum())
    if n == 0:
        raise AnalysisError("top2box: `series` has no non-missing answer")
    hit = np.isin(x[ok], top_codes)
    wu = _used_weights(w, ok, "weights")
    if wu is None:
        n_top = float(hit.sum())
        share = n_top / n
        n_eff = float(n)
    else:
        n_top = float(wu[hit].sum())
        share = n_top / float(wu.sum())
        n_eff = kish_effective_n(wu)
    _small_base(n_eff, "top2box")
    z = float(stats.norm.ppf(0.5 + level / 2))
    low, high = _wilson(share, n_eff, z)
    return Top2BoxResult(share, n, n_eff, n_top, low, high, level, int(len(x) - n), wu is not None)


# --------------------------------------------------------------------------- mean with CI
@dataclass(frozen=True)
class MeanCIResult:
    """Mean with a t-based confidence interval.

    Attributes
    ----------
    mean : float
        (Weighted) mean.
    se : float
        Standard error of the mean.
    n : int
        Non-missing values used.
    n_eff : float
        Kish effective sample size (``n`` when unweighted), for information.
    df : float
        Degrees of freedom of the t quantile (``n - 1``).
    ci_low, ci_high : float
        Interval at level ``ci``.
    ci : float
        Confidence level.
    n_missing : int
        Missing values left out.
    weighted : bool
        Whether survey weights were used.
    """

    mean: float
    se: float
    n: int
    n_eff: float
    df: float
    ci_low: float
    ci_high: float
    ci: float
    n_missing: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """One-row frame: mean, se, n, n_eff, df, ci_low, ci_high, ci, n_missing, weighted."""
        return _frame_from(
            self, ["mean", "se", "n", "n_eff", "df", "ci_low", "ci_high", "ci", "n_missing", "weighted"]
        )


def _mean_se(x: np.ndarray, w: np.ndarray | None) -> tuple[float, float]:
    n = len(x)
    if w is None:
        m = float(x.mean())
        return m, float(x.std(ddof=1) / math.sqrt(n))
    sw = float(w.sum())
    m = float(np.dot(w, x) / sw)
    resid = w * (x - m)
    var = n / (n - 1) * float(np.dot(resid, resid)) / sw**2
    return m, math.sqrt(var)


def mean_ci(
    series: pd.Series,
    *,
    weights: pd.Series | np.ndarray | None = None,
    ci: float = 0.95,
) -> MeanCIResult:
    """Mean with a t-based confidence interval (survey weights supported).

    Parameters
    ----------
    series : pandas.Series
        Numeric values (``NaN`` = missing).
    weights : pandas.Series or array, optional
        Survey weights (aligned by index for a Series, by position otherwise).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    MeanCIResult

    Raises
    ------
    DataError
        Non-numeric values, negative or non-finite weights.
    AnalysisError
        Fewer than two non-missing values.

    Warns
    -----
    CsatWarning
        Small base (n below :data:`SMALL_BASE`).

    Notes
    -----
    Unweighted: :math:`\\bar x \\pm t_{n-1,1-\\alpha/2}\\, s/\\sqrt n`.

    Weighted: :math:`\\bar x_w = \\sum w_i x_i / \\sum w_i` with the linearisation (sandwich)
    variance of a ratio mean under with-replacement sampling,
    :math:`\\widehat{V} = \\frac{n}{n-1}\\sum_i w_i^2 (x_i - \\bar x_w)^2 / (\\sum_i w_i)^2`
    (Lohr 2010, sec. 4.3 / 9.1; what R ``survey::svymean`` gives for
    ``svydesign(ids = ~1, weights = ~w)``), and ``n - 1`` degrees of freedom. With equal
    weights it reduces exactly to the unweighted interval.

    *Missing data*: ``NaN`` values are left out and counted in ``n_missing``.

    Validated against R ``t.test`` on the ``sleep`` data (paired differences): mean 1.58,
    95% CI 0.7001142-2.4598858; the weighted variance against statsmodels WLS with HC1
    standard errors (the same estimator).

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6, 1-25.

    Lohr, S. L. (2010). *Sampling: Design and Analysis* (2nd ed.). Brooks/Cole.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.Series([1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4])
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     r = mean_ci(d)
    >>> round(r.mean, 2), round(r.ci_low, 7), round(r.ci_high, 7)
    (1.58, 0.7001142, 2.4598858)
    """
    s = _as_series(series, "series")
    level = _check_ci(ci)
    x = _numeric_values(s, "series")
    if np.any(np.isinf(x)):
        raise DataError(f"`series` holds {int(np.isinf(x).sum())} infinite value(s)")
    w = _weights_vector(weights, s)
    ok = ~np.isnan(x)
    n = int(ok.sum())
    if n < 2:
        raise AnalysisError(f"mean_ci needs at least 2 non-missing values; got {n}")
    xu = x[ok]
    wu = _used_weights(w, ok, "weights")
    if wu is not None and np.count_nonzero(wu) < 2:
        raise AnalysisError("mean_ci needs at least 2 values with a positive weight")
    m, se = _mean_se(xu, wu)
    n_eff = float(n) if wu is None else kish_effective_n(wu)
    _small_base(n_eff, "mean_ci")
    df = float(n - 1)
    q = float(stats.t.ppf(0.5 + level / 2, df))
    return MeanCIResult(m, se, n, n_eff, df, m - q * se, m + q * se, level, int(len(x) - n), wu is not None)


# --------------------------------------------------------------------------- NPS
@dataclass(frozen=True)
class NPSResult:
    """Net Promoter Score with its interval.

    Attributes
    ----------
    nps : float
        100 x (promoters - detractors), in [-100, 100].
    promoters, passives, detractors : float
        (Weighted) shares of answers 9-10, 7-8 and 0-6; they sum to 1.
    n : int
        Non-missing answers used.
    n_eff : float
        Kish effective sample size (``n`` when unweighted); used in the variance.
    se : float
        Standard error of ``nps`` (NPS points).
    ci_low, ci_high : float
        Wald interval at level ``ci``, clipped to [-100, 100].
    ci : float
        Confidence level.
    n_missing : int
        Missing answers left out.
    weighted : bool
        Whether survey weights were used.
    """

    nps: float
    promoters: float
    passives: float
    detractors: float
    n: int
    n_eff: float
    se: float
    ci_low: float
    ci_high: float
    ci: float
    n_missing: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """One-row frame with every field."""
        return _frame_from(
            self,
            ["nps", "promoters", "passives", "detractors", "n", "n_eff", "se", "ci_low", "ci_high",
             "ci", "n_missing", "weighted"],
        )


def nps(
    series: pd.Series,
    *,
    weights: pd.Series | np.ndarray | None = None,
    ci: float = 0.95,
) -> NPSResult:
    """Net Promoter Score (0-10 recommend question) with a multinomial Wald interval.

    Parameters
    ----------
    series : pandas.Series
        Answers 0-10 (integers stored as float; ``NaN`` = missing).
    weights : pandas.Series or array, optional
        Survey weights (aligned by index for a Series, by position otherwise).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    NPSResult

    Raises
    ------
    DataError
        Codes outside 0-10 or not whole numbers (the message names how many and which), non-
        numeric answers, negative or non-finite weights.
    AnalysisError
        No non-missing answer.

    Warns
    -----
    CsatWarning
        Small base (effective n below :data:`SMALL_BASE`).

    Notes
    -----
    Promoters answer 9-10, passives 7-8, detractors 0-6 (Reichheld 2003).
    :math:`NPS = 100(\\hat p - \\hat d)`. Scoring each answer +1 / 0 / -1, NPS is a mean of a
    trinomial variable, so

    .. math:: Var(NPS) = 100^2 \\frac{\\hat p(1-\\hat p) + \\hat d(1-\\hat d) + 2\\hat p\\hat d}{n}
              = 100^2 \\frac{\\hat p + \\hat d - (\\hat p - \\hat d)^2}{n}

    (the variance of a difference of two multinomial proportions; Rocks 2016 "Wald" method).
    The interval is :math:`NPS \\pm z\\,SE`, clipped to [-100, 100]. With survey weights the
    shares are weighted and ``n`` is the Kish effective sample size.

    *Missing data*: ``NaN`` answers are left out and counted in ``n_missing``.

    Validated against the worked example of whuber (Cross Validated, answer 18609, 2011):
    shares 1/2, 1/3, 1/6 give NPS 33 with variance 5/9 per answer, SE about 4.1 points at
    n = 324.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*, 81(12).

    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
    Statistician*, 70(4), 365-372.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series([10.0] * 162 + [8.0] * 108 + [3.0] * 54)
    >>> r = nps(x)
    >>> round(r.nps, 2), round(r.se, 2)
    (33.33, 4.14)
    """
    s = _as_series(series, "series")
    level = _check_ci(ci)
    x = _numeric_values(s, "series")
    ok = ~np.isnan(x)
    xv = x[ok]
    bad = (xv < 0) | (xv > 10) | (xv != np.floor(xv))
    if bad.any():
        vals = np.unique(xv[bad])
        raise DataError(
            f"nps: {int(bad.sum())} answer(s) in `series` ({s.name!r}) are not whole numbers 0-10: "
            f"values {vals[:10].tolist()}"
        )
    w = _weights_vector(weights, s)
    n = int(ok.sum())
    if n == 0:
        raise AnalysisError("nps: `series` has no non-missing answer")
    wu = _used_weights(w, ok, "weights")
    promoter = xv >= 9
    detractor = xv <= 6
    if wu is None:
        p = float(promoter.mean())
        d = float(detractor.mean())
        n_eff = float(n)
    else:
        sw = float(wu.sum())
        p = float(wu[promoter].sum() / sw)
        d = float(wu[detractor].sum() / sw)
        n_eff = kish_effective_n(wu)
    _small_base(n_eff, "nps")
    score = 100.0 * (p - d)
    se = 100.0 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n_eff)
    z = float(stats.norm.ppf(0.5 + level / 2))
    low = max(-100.0, score - z * se)
    high = min(100.0, score + z * se)
    passives = max(0.0, 1.0 - p - d)
    return NPSResult(score, p, passives, d, n, n_eff, se, low, high, level, int(len(x) - n), wu is not None)


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
    weights : pandas.Series
        The validated dimension weights.
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
    weights: pd.Series
    dimension_means: pd.Series
    n: int
    n_complete: int
    n_incomplete: int

    def to_frame(self) -> pd.DataFrame:
        """One row per dimension: ``weight``, ``mean``, ``contribution`` (= weight x mean)."""
        return pd.DataFrame(
            {
                "weight": self.weights,
                "mean": self.dimension_means,
                "contribution": self.weights * self.dimension_means,
            }
        ).rename_axis("dimension").reset_index()


def _validate_dimension_weights(weights: Any, expected: Sequence[str], param: str = "weights") -> pd.Series:
    if isinstance(weights, pd.Series):
        mapping = weights.to_dict()
    elif isinstance(weights, Mapping):
        mapping = dict(weights)
    else:
        raise TypeError(f"`{param}` must be a mapping dimension -> weight; got {type(weights).__name__}")
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
    weights: Mapping[str, float] | pd.Series,
    survey_weights: pd.Series | np.ndarray | None = None,
) -> OverallIndexResult:
    """Overall satisfaction index: weighted sum of dimension scores.

    Parameters
    ----------
    scores : pandas.DataFrame or DimensionScoresResult
        Per-respondent dimension scores, one column per dimension (``result.scores`` or
        ``result.scores_100`` of :func:`dimension_scores`; a result object uses ``.scores``).
    weights : mapping of str to float
        Dimension weights (expert, AHP or data-driven): keys must match the columns of
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
    >>> r = overall_index(s, weights={"efficiency": 0.4, "quality": 0.6})
    >>> r.index.tolist(), round(r.overall, 10)
    ([4.6, 2.4], 3.5)
    """
    if isinstance(scores, DimensionScoresResult):
        scores = scores.scores
    _require_frame(scores, "scores")
    cols = list(scores.columns)
    w = _validate_dimension_weights(weights, cols)
    block = _numeric_block(scores, cols, "scores")
    sw = _weights_vector(survey_weights, scores, "survey_weights")
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
    weights: str | pd.Series | np.ndarray | None = None,
    top: float = 4,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Tidy per-dimension summary: n, mean with CI, 0-100 score and top-2-box share.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns (and the weight column if named).
    dimensions, reverse, min_answered, scale
        As in :func:`dimension_scores`.
    weights : str, pandas.Series or array, optional
        Survey weights: the name of a column of ``data`` (e.g. ``"weight"``) or the weights.
    top : float, default 4
        A respondent is "top-2-box" on a dimension when the dimension score is >= ``top``
        (4 = "satisfied" or better on average on a 1-5 scale).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per dimension with columns ``dimension``, ``n_items``, ``n`` (respondents
        scored), ``n_missing`` (left missing by the minimum-answered rule), ``n_eff`` (Kish
        effective n, = ``n`` unweighted), ``mean``, ``se``, ``ci_low``, ``ci_high`` (t interval,
        :func:`mean_ci`), ``score_100`` (the mean on 0-100), ``top2box``, ``top2box_ci_low``,
        ``top2box_ci_high`` (Wilson interval, :func:`top2box`).

    Raises
    ------
    As :func:`dimension_scores`, :func:`mean_ci` and :func:`top2box`; ``DataError`` when a
    weight column named in ``weights`` is missing.

    Warns
    -----
    CsatWarning
        Scores left missing, small bases.

    Notes
    -----
    Dimension scores come from :func:`dimension_scores`; for each dimension the mean and its
    interval come from :func:`mean_ci` (linearisation variance when weighted) and the top-box
    share from :func:`top2box`'s Wilson/Kish formula applied to ``score >= top``.
    ``score_100 = (mean - min) / (max - min) * 100``.

    *Missing data*: respondents without a score on a dimension are left out of that
    dimension's row and counted in ``n_missing``.

    Validated through the functions it composes (see their reference tests) and by agreement
    with them in ``tests/test_scoring.py``.

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
    _require_frame(data)
    lo, hi = _check_scale(scale)
    level = _check_ci(ci)
    if isinstance(top, bool) or not isinstance(top, int | float | np.integer | np.floating):
        raise TypeError(f"`top` must be a number (threshold on the dimension score); got {type(top).__name__}")
    if not lo <= float(top) <= hi:
        raise ValueError(f"`top` = {top!r} must lie inside `scale` {(lo, hi)}")
    if isinstance(weights, str):
        _check_columns(data, [weights], "weights")
        w_all = _weights_vector(data[weights], data[weights], "weights")
    else:
        w_all = _weights_vector(weights, data, "weights")
    res = dimension_scores(data, dimensions=dimensions, reverse=reverse, min_answered=min_answered, scale=(lo, hi))
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = []
    for cov in res.coverage.itertuples():
        col = res.scores[cov.dimension].to_numpy()
        ok = ~np.isnan(col)
        row: dict[str, Any] = {"dimension": cov.dimension, "n_items": cov.n_items, "n": int(ok.sum()),
                               "n_missing": int((~ok).sum())}
        wu = None if w_all is None else w_all[ok]
        if row["n"] >= 2 and (wu is None or np.count_nonzero(wu) >= 2):
            m = mean_ci(pd.Series(col), weights=w_all, ci=level)
            hit = col[ok] >= float(top)
            if wu is None:
                share, n_eff = float(hit.mean()), float(row["n"])
            else:
                share, n_eff = float(wu[hit].sum() / wu.sum()), kish_effective_n(wu)
            t_low, t_high = _wilson(share, n_eff, z)
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

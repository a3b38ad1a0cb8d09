"""Input checks shared by the survey statistics: scores, estimates, segment tables, weights.

The general checks (a DataFrame, a confidence level, column-name lists) live in
:mod:`csat_research.core.checks`; these are the ones particular to survey codes and weights,
each defined once for the statistics modules that use it:

* :func:`check_scale`, :func:`check_range` - a ``(min, max)`` response scale and codes
  inside it (scoring, estimates);
* :func:`weights_vector` - survey weights aligned with the data, complete and non-negative
  (scoring, estimates);
* :func:`require_columns`, :func:`check_choice`, :func:`check_alpha` and
  :data:`CORRECTIONS` - columns that must exist, an option among allowed names, a
  significance level, the multiple-comparison corrections (crosstabs, group comparisons,
  survey weights);
* :func:`weights_column` - survey weights from a column or a Series, missing values kept for
  the caller to count (crosstabs, group comparisons, survey weights).

Each raises ``TypeError`` for a wrong type and ``ValueError`` (or
:class:`~csat_research.core.errors.DataError` for the data) for a wrong value, naming the
parameter, what is allowed and what was received.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError

__all__ = [
    "CORRECTIONS",
    "check_alpha",
    "check_choice",
    "check_range",
    "check_scale",
    "require_columns",
    "weights_column",
    "weights_vector",
]

#: Multiple-comparison corrections accepted by ``correction=`` (statsmodels names).
CORRECTIONS = ("holm", "bonferroni", "sidak", "holm-sidak", "fdr_bh", "none")


# --------------------------------------------------------------------------- scales and levels
def check_scale(scale: Any, param: str = "scale") -> tuple[float, float]:
    """A ``(min, max)`` response scale with finite ends and ``min < max``, as floats.

    >>> check_scale((1, 5))
    (1.0, 5.0)
    >>> check_scale((5, 1))
    Traceback (most recent call last):
    ...
    ValueError: `scale` must be (min, max) with min < max; got (5, 1)
    """
    if not isinstance(scale, Sequence) or isinstance(scale, str) or len(scale) != 2:
        raise TypeError(f"`{param}` must be a (min, max) pair; got {scale!r}")
    lo, hi = (float(scale[0]), float(scale[1]))
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise ValueError(f"`{param}` must be (min, max) with min < max; got {scale!r}")
    return lo, hi


def check_alpha(alpha: float, param: str = "alpha") -> float:
    """A significance level strictly between 0 and 1, as float (``ValueError`` otherwise).

    >>> check_alpha(0.05)
    0.05
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"{param} must be a number strictly between 0 and 1, got {alpha!r}")
    return float(alpha)


def check_range(block: np.ndarray, cols: Sequence[str], lo: float, hi: float, param: str) -> None:
    """DataError when any non-missing value lies outside [lo, hi] (counted, values and columns).

    >>> check_range(np.array([[1.0, np.nan], [5.0, 3.0]]), ["a", "b"], 1, 5, "items")
    >>> check_range(np.array([[1.0, 6.0]]), ["a", "b"], 1, 5, "items")
    Traceback (most recent call last):
    ...
    csat_research.core.errors.DataError: 1 value(s) in the column(s) named in `items` lie ...
    """
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


def check_choice(value: str, allowed: Sequence[str], param: str) -> str:
    """``value`` if it is one of ``allowed``, else ``ValueError`` listing them.

    >>> check_choice("holm", CORRECTIONS, "correction")
    'holm'
    """
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{param} must be one of {list(allowed)}, got {value!r}")
    return value


def require_columns(data: pd.DataFrame, columns: Sequence[str], param: str) -> None:
    """:class:`DataError` naming ``param`` and the columns of ``columns`` that ``data`` lacks."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(
            f"{param}: column(s) {missing} not found in data; available columns: "
            f"{list(map(str, data.columns))}"
        )


# --------------------------------------------------------------------------- survey weights
def weights_vector(
    survey_weights: Any, like: pd.Series | pd.DataFrame, param: str = "survey_weights"
) -> np.ndarray | None:
    """Survey weights aligned with ``like`` (Series by index, arrays by position), or None.

    Every weight must be finite and non-negative: a missing weight is an error here.

    >>> weights_vector([1, 2], pd.Series([5.0, 4.0]))
    array([1., 2.])
    """
    if survey_weights is None:
        return None
    n = len(like)
    if isinstance(survey_weights, pd.Series):
        if not survey_weights.index.equals(like.index):
            if survey_weights.index.has_duplicates or like.index.has_duplicates:
                raise ValueError(f"`{param}` index does not match the data index (duplicates present)")
            missing = like.index.difference(survey_weights.index)
            if len(missing):
                raise ValueError(
                    f"`{param}` has no weight for {len(missing)} row(s) of the data, e.g. {list(missing[:5])}"
                )
            survey_weights = survey_weights.reindex(like.index)
        w = survey_weights.to_numpy(dtype=np.float64, na_value=np.nan)
    elif isinstance(survey_weights, np.ndarray | list | tuple):
        w = np.asarray(survey_weights, dtype=np.float64)
        if w.ndim != 1 or len(w) != n:
            raise ValueError(f"`{param}` must have one weight per row ({n}); got shape {w.shape}")
    else:
        raise TypeError(f"`{param}` must be None, a Series or a 1-D array; got {type(survey_weights).__name__}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise DataError(
            f"`{param}` must be finite and non-negative; {int(bad.sum())} row(s) are not, "
            f"e.g. {np.unique(w[bad])[:5].tolist()}"
        )
    return w


def weights_column(data: pd.DataFrame, survey_weights: str | pd.Series | None) -> pd.Series | None:
    """The weights as a float Series aligned to ``data`` (NaN kept), or None.

    ``survey_weights`` names a column of ``data`` or is a Series with the index of ``data``; values
    that are not numbers become NaN (the caller leaves those rows out and counts them).

    >>> weights_column(pd.DataFrame({"w": [1, None]}), "w").tolist()
    [1.0, nan]
    """
    if survey_weights is None:
        return None
    if isinstance(survey_weights, str):
        require_columns(data, [survey_weights], "survey_weights")
        w = pd.to_numeric(data[survey_weights], errors="coerce").astype(float)
    elif isinstance(survey_weights, pd.Series):
        if not survey_weights.index.equals(data.index):
            raise DataError("survey_weights: the Series index must equal the data index")
        w = pd.to_numeric(survey_weights, errors="coerce").astype(float)
    else:
        raise TypeError(
            f"survey_weights must be a column name, a pandas Series or None, got {type(survey_weights).__name__}"
        )
    bad = int((w < 0).sum() + np.isinf(w).sum())
    if bad:
        raise DataError(f"survey_weights: {bad} weight(s) are negative or infinite; weights must be >= 0")
    return w

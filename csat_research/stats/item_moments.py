"""Input checks and the one-pass covariance summary of Likert items, shared by the scale statistics.

Alpha (:mod:`~csat_research.stats.alpha`), omega (:mod:`~csat_research.stats.omega`), HTMT
(:mod:`~csat_research.stats.validity`), the CFA (:mod:`~csat_research.stats.cfa`) and the scale
table (:mod:`~csat_research.stats.reliability`) all start here:

* the argument checks of those functions (:func:`check_item_frame`, :func:`check_items`,
  :func:`check_model`, :func:`check_missing`), one wording of each message;
* :func:`item_moments` - the covariance matrix, means and counts of a block of items after the
  missing-data policy (:class:`ItemMoments`), from one pass over float64 data (no row loops),
  so that everything downstream scales to millions of respondents;
* :func:`cov_to_corr` - the correlation matrix of a covariance matrix.

Missing data. ``missing="listwise"`` (default) keeps respondents who answered every item
of the scale and reports how many were dropped (``n_dropped``, plus a
:class:`~csat_research.core.errors.CsatWarning` with the counts). ``missing="pairwise"`` uses the
pairwise-complete covariance matrix (each covariance from the respondents who answered both
items, with their own means, as R's ``cov(use = "pairwise")`` and ``psych::alpha``'s
default). Nothing here modifies the caller's frame.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.checks import check_frame
from csat_research.core.errors import AnalysisError, CsatWarning, DataError, ParamsError

__all__ = [
    "ItemMoments",
    "as_float_matrix",
    "check_item_frame",
    "check_items",
    "check_missing",
    "check_model",
    "cov_to_corr",
    "item_moments",
]

_MISSING_POLICIES = ("listwise", "pairwise")
_MIN_RESPONDENTS = 3


# --------------------------------------------------------------------------- validation
def check_missing(missing: Any) -> str:
    """``missing`` if it is ``"listwise"`` or ``"pairwise"``, else ParamsError."""
    if not isinstance(missing, str) or missing not in _MISSING_POLICIES:
        raise ParamsError(
            f"`missing` must be one of {', '.join(map(repr, _MISSING_POLICIES))}; got {missing!r}"
        )
    return missing


def check_item_frame(data: Any) -> pd.DataFrame:
    """``data`` if it is a DataFrame (one row per respondent, one column per item)."""
    return check_frame(data)


def check_items(data: pd.DataFrame, items: Any, *, param: str = "items") -> list[str]:
    """Validated list of item column names (all columns when ``items`` is None)."""
    if items is None:
        names = list(data.columns)
    else:
        if isinstance(items, (str, bytes)) or not isinstance(items, Sequence | pd.Index | np.ndarray):
            raise TypeError(
                f"`{param}` must be a list of column names; got {type(items).__name__} {items!r}"
            )
        names = list(items)
    bad_type = [c for c in names if not isinstance(c, str)]
    if bad_type:
        raise TypeError(f"`{param}` must contain column names as str; got {bad_type[:5]!r}")
    dupes = sorted({c for c in names if names.count(c) > 1})
    if dupes:
        raise ParamsError(f"`{param}` lists column(s) more than once: {dupes}")
    absent = [c for c in names if c not in data.columns]
    if absent:
        raise DataError(
            f"`{param}` names column(s) not in `data`: {absent}; available columns: "
            f"{list(map(str, data.columns))[:20]}"
        )
    if len(names) < 2:
        raise AnalysisError(
            f"a scale needs at least 2 items; `{param}` has {len(names)}: {names}"
        )
    non_numeric = {
        c: str(data[c].dtype)
        for c in names
        if not (pd.api.types.is_numeric_dtype(data[c].dtype) or pd.api.types.is_bool_dtype(data[c].dtype))
    }
    if non_numeric:
        raise TypeError(
            "item columns must hold numeric answer codes (e.g. 1-5 with NaN for missing); "
            f"non-numeric column(s) and their dtypes: {non_numeric}. Map text labels to codes "
            "first or leave these columns out of `items`."
        )
    return names


def as_float_matrix(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Item columns as one float64 matrix (a view when the frame allows it; never mutated)."""
    frame = data[names]
    if any(isinstance(frame[c].dtype, pd.api.extensions.ExtensionDtype) for c in names):
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return frame.to_numpy(dtype=np.float64, copy=False)


def check_model(model: Any) -> dict[str, list[str]]:
    """Validated model: factor -> its item columns (each item on one factor, 2+ items each)."""
    if not isinstance(model, Mapping):
        raise TypeError(
            "`model` must be a mapping factor -> list of item columns, e.g. "
            f"{{'efficiency': ['q1', 'q2', 'q3']}}; got {type(model).__name__}"
        )
    if not model:
        raise ParamsError("`model` must name at least one factor; got an empty mapping")
    out: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for factor, items in model.items():
        if not isinstance(factor, str) or not factor:
            raise TypeError(f"factor names in `model` must be non-empty str; got {factor!r}")
        if isinstance(items, (str, bytes)) or not isinstance(items, Sequence | pd.Index):
            raise TypeError(
                f"`model[{factor!r}]` must be a list of item columns; got {type(items).__name__} {items!r}"
            )
        items = list(items)
        if len(items) < 2:
            raise AnalysisError(
                f"factor {factor!r} has {len(items)} item(s); every factor needs at least 2"
            )
        for it in items:
            if it in owner:
                raise ParamsError(
                    f"item {it!r} is listed under both {owner[it]!r} and {factor!r}; each item "
                    "must load on exactly one factor"
                )
            owner[it] = factor
        out[factor] = items
    return out


# --------------------------------------------------------------------------- moments
@dataclass(frozen=True, eq=False)
class ItemMoments:
    """Covariance summary of a block of items after the missing-data policy."""

    items: tuple[str, ...]
    cov: np.ndarray  # sample covariance (divisor n - 1), pairwise or listwise
    n_pair: np.ndarray  # respondents behind each covariance
    means: np.ndarray
    n_obs: int  # listwise: complete rows; pairwise: rows with at least one answer
    n_total: int
    n_dropped: int
    missing: str

    def sub(self, idx: Sequence[int]) -> ItemMoments:
        """Moments of a subset of items; valid only for complete data (no row was dropped)."""
        ix = np.asarray(idx)
        return ItemMoments(
            tuple(self.items[i] for i in ix), self.cov[np.ix_(ix, ix)], self.n_pair[np.ix_(ix, ix)],
            self.means[ix], self.n_obs, self.n_total, self.n_dropped, self.missing,
        )

    @property
    def k(self) -> int:
        return len(self.items)

    def ml_cov(self) -> np.ndarray:
        """Covariance with divisor n (the maximum-likelihood estimate used by lavaan)."""
        return self.cov * (self.n_pair - 1.0) / self.n_pair


def _function(what: str) -> str:
    """The public function named by ``what`` (``"scale_reliability['quality']"`` -> ``scale_reliability``)."""
    return what.split("[")[0]


def _cov_complete(x: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Sample covariance of complete data from one Gram product X'X (BLAS) and column sums."""
    n = x.shape[0]
    means = sums / n
    gram = x.T @ x
    cov = (gram - np.outer(sums, means)) / (n - 1)
    var = np.diag(cov)
    # Cancellation guard: the Gram shortcut loses log10(mean^2/var) digits. Likert codes lose
    # about one; far-from-zero data (e.g. timestamps) is centred explicitly instead.
    if np.any(means**2 > 1e6 * np.maximum(var, np.finfo(float).tiny)):
        centred = x - means
        cov = (centred.T @ centred) / (n - 1)
    return (cov + cov.T) / 2.0


def item_moments(
    data: pd.DataFrame, names: list[str], missing: str, *, what: str, warn: bool = True
) -> ItemMoments:
    """Covariance summary of the item columns ``names`` after the missing-data policy ``missing``.

    One pass over the float64 data (a Gram product for complete data, masked products for
    pairwise deletion). Refuses infinite values, items without answers or without variance and
    fewer than 3 respondents; warns (``CsatWarning``, prefixed ``what``) with the count of rows
    dropped unless ``warn`` is False. ``data`` is not modified.
    """
    x = as_float_matrix(data, names)
    n_total, k = x.shape
    sums = x.sum(axis=0)
    if np.all(np.isfinite(sums)):
        nan_mask = None
    else:
        nan_mask = np.isnan(x)
        if np.isinf(sums).any() or (np.isnan(sums).any() and np.isinf(x).any()):
            bad = [names[j] for j in range(k) if np.isinf(x[:, j]).any()]
            raise DataError(f"item column(s) {bad} contain infinite values; use NaN for missing answers")
    if nan_mask is None:
        n = n_total
        if n < _MIN_RESPONDENTS:
            raise AnalysisError(
                f"{what} needs at least {_MIN_RESPONDENTS} respondents; got {n}"
            )
        cov = _cov_complete(x, sums)
        n_pair = np.full((k, k), float(n))
        means = sums / n
        n_obs, n_dropped = n, 0
    else:
        answered = (~nan_mask).sum(axis=0)
        empty = [names[j] for j in range(k) if answered[j] == 0]
        if empty:
            raise AnalysisError(
                f"item(s) {empty} have no answers at all ({n_total} rows, all missing); "
                f"leave them out of the items given to {_function(what)}()"
            )
        if missing == "listwise":
            keep = ~nan_mask.any(axis=1)
            n_obs = int(keep.sum())
            n_dropped = n_total - n_obs
            if n_obs < _MIN_RESPONDENTS:
                raise AnalysisError(
                    f"{what} needs at least {_MIN_RESPONDENTS} respondents; listwise deletion left "
                    f"{n_obs} of {n_total} rows complete on {names}" + (
                        f"; {_function(what)}(missing='pairwise') uses every answered pair" if _function(what) != "cfa"
                        else "")
                )
            xs = x[keep]
            cov = _cov_complete(xs, xs.sum(axis=0))
            n_pair = np.full((k, k), float(n_obs))
            means = xs.mean(axis=0)
        else:
            observed = (~nan_mask).astype(np.float64)
            zeroed = np.where(nan_mask, 0.0, x)
            # covariances are shift-invariant; centring on the item means keeps digits
            shift = zeroed.sum(axis=0) / answered
            zeroed -= observed * shift
            n_pair = observed.T @ observed
            sx = zeroed.T @ observed  # sx[i, j]: sum of item i over rows where j is answered
            ss = zeroed.T @ zeroed
            few = np.argwhere(np.triu(n_pair < 2))
            if few.size:
                i, j = map(int, few[0])
                raise AnalysisError(
                    f"pairwise covariance of {names[i]!r} and {names[j]!r} rests on "
                    f"{int(n_pair[i, j])} respondent(s) who answered both; at least 2 are needed"
                )
            with np.errstate(invalid="ignore", divide="ignore"):
                cov = (ss - sx * sx.T / n_pair) / (n_pair - 1.0)
            cov = (cov + cov.T) / 2.0
            means = np.diag(sx) / np.diag(n_pair) + shift
            n_obs = int((observed.sum(axis=1) > 0).sum())
            n_dropped = n_total - n_obs
            if n_obs < _MIN_RESPONDENTS:
                raise AnalysisError(
                    f"{what} needs at least {_MIN_RESPONDENTS} respondents; got {n_obs} with any answer"
                )
        if warn and n_dropped:
            how = "listwise deletion dropped" if missing == "listwise" else "dropped"
            reason = "with a missing answer" if missing == "listwise" else "with no answer"
            warnings.warn(
                CsatWarning(
                    f"{what}: {how} {n_dropped} of {n_total} respondents {reason} on "
                    f"{len(names)} items; {n_obs} used",
                    kind="cases_dropped", analysis=what, items=tuple(names), n_used=n_obs, n_total=n_total,
                ),
                stacklevel=3,
            )
    var = np.diag(cov)
    # zero up to rounding: centred constant codes leave residues of order eps * |mean|
    eps = np.finfo(np.float64).eps
    constant = [
        names[j] for j in range(k) if not var[j] > (1e3 * eps * max(abs(means[j]), 1.0)) ** 2
    ]
    if constant:
        raise AnalysisError(
            f"item(s) {constant} have zero variance among the {n_obs} respondents used "
            "(everyone gave the same answer); a constant item carries no information about "
            f"reliability; leave it out of the items given to {_function(what)}()"
        )
    return ItemMoments(tuple(names), cov, n_pair, means, n_obs, n_total, n_dropped, missing)


def cov_to_corr(cov: np.ndarray) -> np.ndarray:
    """Correlation matrix of a covariance matrix (unit diagonal, as R ``cov2cor``)."""
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    np.fill_diagonal(r, 1.0)
    return r

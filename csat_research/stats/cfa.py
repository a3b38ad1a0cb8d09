"""Reliability and validity of the CSAT scale.

Before dimension scores are trusted, every dimension (4-6 Likert items, codes 1-5,
``NaN`` = missing) is checked for internal consistency and the measurement model for
fit and discriminant validity:

* :func:`cronbach_alpha` - raw and standardized alpha with Feldt's confidence interval;
* :func:`item_total` (alias :func:`alpha_if_deleted`) - per-item mean, sd, corrected
  item-total correlation and alpha if the item is deleted;
* :func:`omega` - McDonald's omega total from a maximum-likelihood one-factor model;
* :func:`cfa` - confirmatory factor analysis (semopy, ML) with chi-square, CFI, TLI,
  RMSEA and its 90 % interval, SRMR, loadings, composite reliability, AVE,
  Fornell-Larcker table and HTMT;
* :func:`htmt` - heterotrait-monotrait ratio of correlations on its own;
* :func:`scale_reliability` - the per-dimension table (alpha, standardized alpha, CI, omega)
  with an overall row;
* :func:`reliability_verdict` - statistic / value / threshold / pass, the table a researcher
  reads at a glance.

All statistics are computed from one covariance pass over float64 data (no row loops), so
they scale to millions of respondents: the one-factor model behind omega and the CFA are
fitted to the covariance matrix, never to the raw rows again.

Missing data. ``missing="listwise"`` (default) keeps respondents who answered every item
of the scale and reports how many were dropped (``n_dropped``, plus a
:class:`~csat_research.core.errors.CsatWarning` with the counts). ``missing="pairwise"`` uses the
pairwise-complete covariance matrix (each covariance from the respondents who answered both
items, with their own means, as R's ``cov(use = "pairwise")`` and ``psych::alpha``'s
default). Nothing here modifies the caller's frame.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from csat_research.core.errors import AnalysisError, CsatWarning, DataError, ParamsError
from csat_research.core.numeric import single_thread_blas

__all__ = [
    "AlphaResult",
    "CFAResult",
    "OmegaResult",
    "alpha_if_deleted",
    "cfa",
    "cronbach_alpha",
    "htmt",
    "item_total",
    "omega",
    "reliability_verdict",
    "scale_reliability",
]

_MISSING_POLICIES = ("listwise", "pairwise")
_MIN_RESPONDENTS = 3
# factanal's lower bound for uniquenesses of the correlation matrix (R stats::factanal).
_UNIQUENESS_LOWER = 0.005


# --------------------------------------------------------------------------- validation
def _check_missing(missing: Any) -> str:
    if not isinstance(missing, str) or missing not in _MISSING_POLICIES:
        raise ParamsError(
            f"`missing` must be one of {', '.join(map(repr, _MISSING_POLICIES))}; got {missing!r}"
        )
    return missing


def _check_level(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"`{name}` must be a float in (0, 1); got {type(value).__name__} {value!r}")
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ParamsError(f"`{name}` must be a confidence level in (0, 1), e.g. 0.95; got {value!r}")
    return value


def _check_frame(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"`data` must be a pandas DataFrame (one row per respondent, one column per item); "
            f"got {type(data).__name__}"
        )
    return data


def _check_items(data: pd.DataFrame, items: Any, *, param: str = "items") -> list[str]:
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


def _as_float_matrix(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Item columns as one float64 matrix (a view when the frame allows it; never mutated)."""
    frame = data[names]
    if any(isinstance(frame[c].dtype, pd.api.extensions.ExtensionDtype) for c in names):
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return frame.to_numpy(dtype=np.float64, copy=False)


# --------------------------------------------------------------------------- moments
@dataclass(frozen=True, eq=False)
class _Moments:
    """Covariance summary of a block of items after the missing-data policy."""

    items: tuple[str, ...]
    cov: np.ndarray  # sample covariance (divisor n - 1), pairwise or listwise
    n_pair: np.ndarray  # respondents behind each covariance
    means: np.ndarray
    n_obs: int  # listwise: complete rows; pairwise: rows with at least one answer
    n_total: int
    n_dropped: int
    missing: str

    def sub(self, idx: Sequence[int]) -> _Moments:
        """Moments of a subset of items; valid only for complete data (no row was dropped)."""
        ix = np.asarray(idx)
        return _Moments(
            tuple(self.items[i] for i in ix), self.cov[np.ix_(ix, ix)], self.n_pair[np.ix_(ix, ix)],
            self.means[ix], self.n_obs, self.n_total, self.n_dropped, self.missing,
        )

    @property
    def k(self) -> int:
        return len(self.items)

    def ml_cov(self) -> np.ndarray:
        """Covariance with divisor n (the maximum-likelihood estimate used by lavaan)."""
        return self.cov * (self.n_pair - 1.0) / self.n_pair


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


def _moments(
    data: pd.DataFrame, names: list[str], missing: str, *, what: str, warn: bool = True
) -> _Moments:
    x = _as_float_matrix(data, names)
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
                "drop them from `items`"
            )
        if missing == "listwise":
            keep = ~nan_mask.any(axis=1)
            n_obs = int(keep.sum())
            n_dropped = n_total - n_obs
            if n_obs < _MIN_RESPONDENTS:
                raise AnalysisError(
                    f"{what} needs at least {_MIN_RESPONDENTS} respondents; listwise deletion left "
                    f"{n_obs} of {n_total} rows complete on {names}. Try missing='pairwise'."
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
                f"{what}: {how} {n_dropped} of {n_total} respondents {reason} on "
                f"{len(names)} items; {n_obs} used",
                CsatWarning,
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
            "reliability - drop it from `items`"
        )
    return _Moments(tuple(names), cov, n_pair, means, n_obs, n_total, n_dropped, missing)


def _corr(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    np.fill_diagonal(r, 1.0)
    return r


# --------------------------------------------------------------------------- alpha
def _alpha_raw(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = float(cov.sum())
    if not total > 0:
        raise AnalysisError(
            f"the variance of the sum score is {total:.4g} (must be > 0); the items cancel out - "
            "check for reverse-keyed items that were not recoded"
        )
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def _alpha_std(corr: np.ndarray) -> float:
    k = corr.shape[0]
    return k / (k - 1) * (1.0 - k / float(corr.sum()))


def _feldt(alpha: float, n: int, k: int, level: float) -> tuple[float, float]:
    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1.0 - level) / 2.0
    low = 1.0 - (1.0 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.isf(1.0 - tail, df1, df2)
    return float(low), float(high)


def _item_stats(m: _Moments) -> dict[str, np.ndarray]:
    c = m.cov
    k = m.k
    d = np.diag(c)
    total = c.sum()
    rows = c.sum(axis=1)
    rest_var = total - 2.0 * rows + d
    r = _corr(c)
    r_rest = r.sum() - 2.0 * r.sum(axis=1) + 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (rows - d) / np.sqrt(d * rest_var)
        if k >= 3:
            a_del = (k - 1) / (k - 2) * (1.0 - (np.trace(c) - d) / rest_var)
            a_del_std = (k - 1) / (k - 2) * (1.0 - (k - 1) / r_rest)
        else:
            a_del = a_del_std = np.full(k, np.nan)
    return {"r_drop": r_drop, "alpha_if_deleted": a_del, "std_alpha_if_deleted": a_del_std}


def _warn_negative_items(m: _Moments, r_drop: np.ndarray, what: str) -> None:
    neg = [f"{m.items[j]} ({r_drop[j]:.2f})" for j in range(m.k) if r_drop[j] < 0]
    if neg:
        warnings.warn(
            f"{what}: {len(neg)} of {m.k} item(s) correlate negatively with the rest of the scale: "
            f"{', '.join(neg)}. Reverse-keyed or trap items must be recoded before alpha is "
            "interpreted.",
            CsatWarning,
            stacklevel=3,
        )


@dataclass(frozen=True, eq=False)
class AlphaResult:
    """Cronbach's alpha of one scale.

    Attributes
    ----------
    alpha : float
        The coefficient asked for: ``alpha_std`` if ``standardized`` else ``alpha_raw``.
    alpha_raw : float
        Alpha from the item covariance matrix (psych ``raw_alpha``).
    alpha_std : float
        Alpha from the item correlation matrix (psych ``std.alpha``).
    ci_low, ci_high : float
        Feldt confidence interval of ``alpha`` at ``ci_level``.
    ci_level : float
        Confidence level of the interval (e.g. 0.95).
    n_obs : int
        Respondents used (listwise: complete on all items; pairwise: with any answer).
    n_items : int
        Number of items.
    n_dropped : int
        Rows of ``data`` not used (listwise: with a missing answer; pairwise: with none).
    missing : str
        ``"listwise"`` or ``"pairwise"``.
    standardized : bool
        Whether ``alpha`` is the standardized coefficient.
    items : tuple of str
        The item columns, in order.
    """

    alpha: float
    alpha_raw: float
    alpha_std: float
    ci_low: float
    ci_high: float
    ci_level: float
    n_obs: int
    n_items: int
    n_dropped: int
    missing: str
    standardized: bool
    items: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row: ``alpha, alpha_raw, alpha_std, ci_low, ci_high, ci_level, n_obs, n_items,
        n_dropped, missing, standardized``."""
        return pd.DataFrame(
            [{
                "alpha": self.alpha, "alpha_raw": self.alpha_raw, "alpha_std": self.alpha_std,
                "ci_low": self.ci_low, "ci_high": self.ci_high, "ci_level": self.ci_level,
                "n_obs": self.n_obs, "n_items": self.n_items, "n_dropped": self.n_dropped,
                "missing": self.missing, "standardized": self.standardized,
            }]
        )


def _alpha_from_moments(m: _Moments, *, standardized: bool, level: float) -> AlphaResult:
    raw = _alpha_raw(m.cov)
    std = _alpha_std(_corr(m.cov))
    chosen = std if standardized else raw
    low, high = _feldt(chosen, m.n_obs, m.k, level)
    return AlphaResult(
        alpha=chosen, alpha_raw=raw, alpha_std=std, ci_low=low, ci_high=high, ci_level=level,
        n_obs=m.n_obs, n_items=m.k, n_dropped=m.n_dropped, missing=m.missing,
        standardized=standardized, items=m.items,
    )


def cronbach_alpha(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    standardized: bool = False,
    ci: float = 0.95,
    missing: str = "listwise",
) -> AlphaResult:
    """Cronbach's alpha (raw and standardized) with Feldt's confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (codes, ``NaN`` = missing).
    items : sequence of str, optional
        Item columns of the scale (default: every column of ``data``). At least 2.
    standardized : bool, default False
        Report the standardized coefficient (from correlations) as ``alpha`` instead of the
        raw one (from covariances). Both are always in the result.
    ci : float, default 0.95
        Level of the Feldt confidence interval.
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy (see Notes).

    Returns
    -------
    AlphaResult
        ``alpha``, ``alpha_raw``, ``alpha_std``, ``ci_low``, ``ci_high``, ``ci_level``,
        ``n_obs``, ``n_items``, ``n_dropped``, ``missing``, ``standardized``, ``items``;
        ``to_frame()`` gives one row.

    Raises
    ------
    TypeError
        ``data`` is not a DataFrame, or an item column is not numeric.
    DataError
        An item column is missing from ``data`` or holds infinite values.
    AnalysisError
        Fewer than 2 items or 3 respondents, an item with no answers or zero variance, a
        pairwise covariance resting on fewer than 2 respondents, or a sum score without
        variance.
    ParamsError
        ``missing`` or ``ci`` outside the allowed values.

    Warns
    -----
    CsatWarning
        Rows dropped by the missing-data policy (with counts); items that correlate
        negatively with the rest of the scale (probably reverse-keyed and not recoded).

    Notes
    -----
    With item covariance matrix :math:`C` (k items) and correlation matrix :math:`R`,

    .. math::

        \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C \\mathbf 1}\\right),
        \\qquad
        \\alpha_{std} = \\frac{k}{k-1}\\left(1 - \\frac{k}{\\mathbf 1' R \\mathbf 1}\\right).

    The confidence interval is Feldt's (Feldt, Woodruff & Salih 1987), as in pingouin and
    psych ("Feldt" row): with :math:`n` = ``n_obs``, :math:`d_1 = n-1`, :math:`d_2 = (n-1)(k-1)`,
    :math:`[1-(1-\\alpha)F_{1-\\gamma/2}(d_1,d_2),\\; 1-(1-\\alpha)F_{\\gamma/2}(d_1,d_2)]` where
    :math:`F_q` is the q-quantile. For ``standardized=True`` the same formula is applied to
    the standardized coefficient (an approximation; Feldt derived it for the raw one).

    Missing data: ``"listwise"`` uses respondents complete on all items (``n_obs``) and
    reports the others in ``n_dropped``. ``"pairwise"`` uses the pairwise-complete covariance
    matrix (R ``cov(use="pairwise")``, the default of ``psych::alpha``), ``R = cov2cor(C)``,
    and ``n_obs`` = respondents with at least one answer for the interval (as pingouin).
    Under listwise deletion the interval uses the respondents actually kept; pingouin 0.7
    uses the row count before deletion there, so its listwise interval is narrower.

    The covariance matrix comes from one pass over the float64 data (``X'X`` and column sums;
    explicit centring if the means are far from zero), so alpha costs about one
    ``numpy.cov``.

    Validated against pingouin's documented examples (``cronbach_alpha`` dataset: 0.591719,
    CI [0.195, 0.840]; ``cronbach_wide_missing``: pairwise 0.732661 [0.435, 0.909],
    listwise 0.801695) and R ``psych::alpha`` on lavaan's HolzingerSwineford1939
    (see ``tests/test_reliability.py``).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334.

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.

    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality
    Research (``alpha``). https://CRAN.R-project.org/package=psych

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_research.stats.cfa import cronbach_alpha
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 4, 5, 3, 2], "q2": [2, 2, 3, 5, 4, 3, 1],
    ...                    "q3": [1, 3, 4, 4, 5, 2, 2]})
    >>> res = cronbach_alpha(df)
    >>> round(res.alpha, 4), res.n_obs, res.n_items
    (0.9245, 7, 3)
    >>> round(res.ci_low, 3), round(res.ci_high, 3)
    (0.719, 0.986)
    >>> round(cronbach_alpha(df, standardized=True).alpha, 4)
    0.924
    """
    _check_frame(data)
    names = _check_items(data, items)
    missing = _check_missing(missing)
    level = _check_level(ci, "ci")
    if not isinstance(standardized, bool):
        raise TypeError(f"`standardized` must be bool; got {type(standardized).__name__}")
    m = _moments(data, names, missing, what="cronbach_alpha")
    _warn_negative_items(m, _item_stats(m)["r_drop"], "cronbach_alpha")
    return _alpha_from_moments(m, standardized=standardized, level=level)


def item_total(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Item statistics of a scale: corrected item-total correlation and alpha if deleted.

    ``alpha_if_deleted`` is the same function under the other name researchers look for.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    items : sequence of str, optional
        Item columns (default: every column). At least 3, so that a scale remains after
        deleting one.
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy, as in :func:`cronbach_alpha`.

    Returns
    -------
    pandas.DataFrame
        One row per item, in ``items`` order:

        - ``item`` - column name;
        - ``n`` - respondents behind the item's statistics (listwise: ``n_obs`` of the
          scale; pairwise: respondents who answered the item);
        - ``mean``, ``sd`` - item mean and standard deviation (divisor n - 1);
        - ``corrected_item_total`` - correlation of the item with the sum of the *other*
          items (psych ``r.drop``);
        - ``alpha_if_deleted`` - raw alpha of the scale without the item (psych
          ``alpha.drop$raw_alpha``);
        - ``std_alpha_if_deleted`` - standardized alpha without the item.

    Raises
    ------
    TypeError, DataError, AnalysisError, ParamsError
        As :func:`cronbach_alpha`; AnalysisError also for fewer than 3 items.

    Warns
    -----
    CsatWarning
        Rows dropped by the missing-data policy (with counts).

    Notes
    -----
    From the item covariance matrix :math:`C` with row sums :math:`c_i = \\sum_j C_{ij}` and
    total :math:`T = \\mathbf 1'C\\mathbf 1`, the variance of the rest score is
    :math:`V_{-i} = T - 2c_i + C_{ii}` and

    .. math::

        r_{i,drop} = \\frac{c_i - C_{ii}}{\\sqrt{C_{ii} V_{-i}}}, \\qquad
        \\alpha_{-i} = \\frac{k-1}{k-2}\\left(1 - \\frac{\\operatorname{tr}C - C_{ii}}{V_{-i}}\\right),

    all items at once from one covariance matrix (as psych computes them). Missing data as
    in :func:`cronbach_alpha`; pairwise means and sds use every answer to the item.

    Validated against R ``psych::alpha(HolzingerSwineford1939[, 7:15])`` (item statistics
    and "Reliability if an item is dropped"; see ``tests/test_reliability.py``).

    References
    ----------
    Revelle, W. psych (``alpha``: ``r.drop``, ``alpha.drop``).
    https://CRAN.R-project.org/package=psych

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_research.stats.cfa import item_total
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 4, 5, 3, 2], "q2": [2, 2, 3, 5, 4, 3, 1],
    ...                    "q3": [1, 3, 4, 4, 5, 2, 2]})
    >>> tab = item_total(df)
    >>> tab[["item", "n", "mean", "sd", "corrected_item_total"]].round(3)
      item  n   mean     sd  corrected_item_total
    0   q1  7  3.000  1.414                 0.926
    1   q2  7  2.857  1.345                 0.761
    2   q3  7  3.000  1.414                 0.858
    >>> tab[["item", "alpha_if_deleted", "std_alpha_if_deleted"]].round(3)
      item  alpha_if_deleted  std_alpha_if_deleted
    0   q1             0.824                 0.824
    1   q2             0.957                 0.957
    2   q3             0.881                 0.882
    """
    _check_frame(data)
    names = _check_items(data, items)
    if len(names) < 3:
        raise AnalysisError(
            f"alpha if an item is deleted needs at least 3 items (2 remain after a deletion); "
            f"got {len(names)}: {names}"
        )
    missing = _check_missing(missing)
    m = _moments(data, names, missing, what="item_total")
    st = _item_stats(m)
    return pd.DataFrame(
        {
            "item": list(m.items),
            "n": np.diag(m.n_pair).astype(np.int64),
            "mean": m.means,
            "sd": np.sqrt(np.diag(m.cov)),
            "corrected_item_total": st["r_drop"],
            "alpha_if_deleted": st["alpha_if_deleted"],
            "std_alpha_if_deleted": st["std_alpha_if_deleted"],
        }
    )


#: Alias of :func:`item_total` (the per-item table includes ``alpha_if_deleted``).
alpha_if_deleted = item_total


# --------------------------------------------------------------------------- omega
def _ml_one_factor(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Maximum-likelihood one-factor model of a correlation matrix (R ``factanal`` algorithm).

    Returns standardized loadings, uniquenesses and the optimizer's convergence flag.
    """
    p = r.shape[0]
    eig = np.linalg.eigvalsh(r)
    if not eig[0] > 1e-10:
        raise AnalysisError(
            f"the item correlation matrix is not positive definite (smallest eigenvalue "
            f"{eig[0]:.3g}); items are linearly dependent or the pairwise matrix is "
            "inconsistent - remove duplicated items or use missing='listwise'"
        )

    def scaled_eig(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sc = 1.0 / np.sqrt(psi)
        return np.linalg.eigh(r * np.outer(sc, sc))

    def loadings(psi: np.ndarray, vals: np.ndarray, vecs: np.ndarray) -> np.ndarray:
        return np.sqrt(psi) * vecs[:, -1] * math.sqrt(max(vals[-1] - 1.0, 0.0))

    def fun(psi: np.ndarray) -> float:
        vals = np.linalg.eigvalsh(r * np.outer(1.0 / np.sqrt(psi), 1.0 / np.sqrt(psi)))
        e = vals[:-1]
        return -(float(np.sum(np.log(e) - e)) - 1.0 + p)

    def grad(psi: np.ndarray) -> np.ndarray:
        vals, vecs = scaled_eig(psi)
        lam = loadings(psi, vals, vecs)
        return (lam**2 + psi - 1.0) / psi**2

    start = (1.0 - 0.5 / p) / np.diag(np.linalg.inv(r))
    start = np.clip(start, _UNIQUENESS_LOWER, 1.0)
    res = optimize.minimize(
        fun, start, jac=grad, method="L-BFGS-B",
        bounds=[(_UNIQUENESS_LOWER, 1.0)] * p,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
    )
    psi = res.x
    vals, vecs = scaled_eig(psi)
    lam = loadings(psi, vals, vecs)
    if lam.sum() < 0:
        lam = -lam
    # L-BFGS-B may stop on a line-search failure at an exact optimum (3 items: the fit is
    # perfect); judge convergence by the projected gradient instead of its status alone.
    g = grad(psi)
    at_low = (psi <= _UNIQUENESS_LOWER + 1e-12) & (g > 0)
    at_high = (psi >= 1.0 - 1e-12) & (g < 0)
    proj = np.where(at_low | at_high, 0.0, g)
    return lam, psi, bool(res.success or np.max(np.abs(proj)) < 1e-6)


@dataclass(frozen=True, eq=False)
class OmegaResult:
    """McDonald's omega total of one scale from a one-factor model.

    Attributes
    ----------
    omega : float
        Omega total (see ``denominator``).
    n_obs, n_items, n_dropped : int
        Respondents used, items, rows not used (as in :class:`AlphaResult`).
    missing : str
        Missing-data policy.
    denominator : str
        ``"model"``: :math:`(\\sum\\lambda)^2 / ((\\sum\\lambda)^2 + \\sum\\theta)`;
        ``"observed"``: :math:`(\\sum\\lambda)^2 / \\mathbf 1'S\\mathbf 1`.
    estimator : str
        Description of the estimator.
    converged : bool
        Whether the optimizer reported convergence.
    heywood : bool
        Whether some uniqueness sits at the lower bound (a Heywood case).
    loadings : pandas.DataFrame
        One row per item: ``item``, ``loading`` (unstandardized, covariance with divisor
        n), ``std_loading``, ``residual_variance`` (unstandardized), ``std_residual_variance``
        (uniqueness).
    items : tuple of str
        The item columns.
    """

    omega: float
    n_obs: int
    n_items: int
    n_dropped: int
    missing: str
    denominator: str
    estimator: str
    converged: bool
    heywood: bool
    loadings: pd.DataFrame
    items: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row: ``omega, n_obs, n_items, n_dropped, missing, denominator, estimator,
        converged, heywood``."""
        return pd.DataFrame(
            [{
                "omega": self.omega, "n_obs": self.n_obs, "n_items": self.n_items,
                "n_dropped": self.n_dropped, "missing": self.missing,
                "denominator": self.denominator, "estimator": self.estimator,
                "converged": self.converged, "heywood": self.heywood,
            }]
        )


_OMEGA_ESTIMATOR = "ML one-factor model of the correlation matrix (factanal algorithm), rescaled"


def _omega_from_moments(m: _Moments, denominator: str, *, what: str = "omega") -> OmegaResult:
    if m.k < 3:
        raise AnalysisError(
            f"omega needs a one-factor model, identified from 3 items on; got {m.k}: {list(m.items)}"
        )
    s_ml = m.ml_cov()
    with single_thread_blas():
        lam_std, psi_std, converged = _ml_one_factor(_corr(s_ml))
    sd = np.sqrt(np.diag(s_ml))
    lam = lam_std * sd
    theta = psi_std * sd**2
    if denominator == "model":
        value = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    else:
        value = lam.sum() ** 2 / float(s_ml.sum())
    heywood_items = [m.items[j] for j in range(m.k) if psi_std[j] <= _UNIQUENESS_LOWER * 1.001]
    if heywood_items:
        warnings.warn(
            f"{what}: Heywood case - {len(heywood_items)} of {m.k} item(s) {heywood_items} have a "
            f"uniqueness at the lower bound {_UNIQUENESS_LOWER} (loading ~1); omega may be "
            "overstated",
            CsatWarning,
            stacklevel=3,
        )
    if not converged:
        warnings.warn(
            f"{what}: the one-factor ML fit did not report convergence; treat omega with care",
            CsatWarning,
            stacklevel=3,
        )
    table = pd.DataFrame(
        {
            "item": list(m.items),
            "loading": lam,
            "std_loading": lam_std,
            "residual_variance": theta,
            "std_residual_variance": psi_std,
        }
    )
    return OmegaResult(
        omega=float(value), n_obs=m.n_obs, n_items=m.k, n_dropped=m.n_dropped,
        missing=m.missing, denominator=denominator, estimator=_OMEGA_ESTIMATOR,
        converged=converged, heywood=bool(heywood_items), loadings=table, items=m.items,
    )


def omega(
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    missing: str = "listwise",
    denominator: str = "model",
) -> OmegaResult:
    """McDonald's omega total from a maximum-likelihood one-factor model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    items : sequence of str, optional
        Item columns (default: every column). At least 3 (a one-factor model with 2 items is
        not identified).
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy, as in :func:`cronbach_alpha`.
    denominator : {"model", "observed"}, default "model"
        Total variance of the sum score: model-implied (McDonald 1999; MBESS
        ``ci.reliability(type="omega")``, semTools ``reliability()`` "omega") or observed
        (semTools ``compRelSEM(obs.var = TRUE)``).

    Returns
    -------
    OmegaResult
        ``omega``, counts, ``converged``, ``heywood`` and a per-item ``loadings`` table;
        ``to_frame()`` gives one row.

    Raises
    ------
    TypeError, DataError, ParamsError
        As :func:`cronbach_alpha`.
    AnalysisError
        As :func:`cronbach_alpha`, fewer than 3 items, or a correlation matrix that is not
        positive definite.

    Warns
    -----
    CsatWarning
        Rows dropped (with counts); a Heywood case; no convergence.

    Notes
    -----
    Estimator: the one-factor model :math:`\\Sigma = \\lambda\\lambda' + \\Theta` is fitted by
    maximum likelihood to the item correlation matrix with R ``factanal``'s algorithm
    (Jöreskog 1967): for uniquenesses :math:`\\psi` the loadings follow from the largest
    eigenvalue :math:`\\theta_1` and eigenvector :math:`u` of
    :math:`\\Psi^{-1/2}R\\Psi^{-1/2}` as :math:`\\lambda = \\Psi^{1/2}u\\sqrt{\\theta_1 - 1}`,
    and :math:`\\psi` minimises :math:`-\\sum_{j>1}(\\log\\theta_j - \\theta_j) - 1 + p` by
    L-BFGS-B on :math:`[0.005, 1]`. ML is scale-equivariant, so loadings and residual
    variances are rescaled by the item standard deviations (covariance with divisor n, as
    lavaan) to give the unstandardized solution, which equals lavaan's
    ``cfa("f =~ ...", std.lv = TRUE)``. Then

    .. math::

        \\omega = \\frac{(\\sum_i\\lambda_i)^2}{(\\sum_i\\lambda_i)^2 + \\sum_i\\theta_i}
        \\quad\\text{or}\\quad \\frac{(\\sum_i\\lambda_i)^2}{\\mathbf 1'S\\mathbf 1}.

    The fit uses only the covariance matrix (one pass over the data), so omega costs about
    one ``numpy.cov`` plus a few milliseconds, even for a million respondents. Missing data
    as in :func:`cronbach_alpha` (pairwise: the pairwise covariance matrix, which must be
    positive definite).

    Validated against lavaan's one-factor estimates on HolzingerSwineford1939 (three-item
    factors) and MBESS ``ci.reliability(attitude, type = "omega")`` = 0.8563268 on R's
    ``attitude`` data (see ``tests/test_reliability.py``).

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Mahwah, NJ: Erlbaum.

    Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
    Psychometrika, 32(4), 443-482.

    Raykov, T. (2001). Estimation of congeneric scale reliability using covariance
    structure analysis with nonlinear constraints. British Journal of Mathematical and
    Statistical Psychology, 54, 315-323.

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_research.stats.cfa import omega
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 4, 5, 3, 2, 4], "q2": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                    "q3": [1, 3, 4, 4, 5, 2, 2, 3], "q4": [2, 1, 4, 5, 5, 3, 1, 3]})
    >>> res = omega(df)
    >>> round(res.omega, 3), res.n_items, res.heywood
    (0.944, 4, False)
    >>> res.loadings[["item", "std_loading"]].round(3)
      item  std_loading
    0   q1        0.973
    1   q2        0.841
    2   q3        0.887
    3   q4        0.890
    """
    _check_frame(data)
    names = _check_items(data, items)
    if len(names) < 3:
        raise AnalysisError(
            f"omega needs a one-factor model, identified from 3 items on; got {len(names)}: {names}"
        )
    missing = _check_missing(missing)
    if denominator not in ("model", "observed"):
        raise ParamsError(f"`denominator` must be 'model' or 'observed'; got {denominator!r}")
    m = _moments(data, names, missing, what="omega")
    return _omega_from_moments(m, denominator)


# --------------------------------------------------------------------------- HTMT
def _check_model(model: Any) -> dict[str, list[str]]:
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


def _htmt_matrix(corr: np.ndarray, blocks: list[np.ndarray], method: str) -> np.ndarray:
    a = np.abs(corr)
    nf = len(blocks)
    if method == "geometric":
        with np.errstate(divide="ignore"):
            a = np.log(a)
    mono = np.empty(nf)
    for f, ix in enumerate(blocks):
        sub = a[np.ix_(ix, ix)]
        mono[f] = sub[np.triu_indices(len(ix), 1)].mean()
    out = np.eye(nf)
    for f in range(nf):
        for g in range(f + 1, nf):
            het = a[np.ix_(blocks[f], blocks[g])].mean()
            if method == "geometric":
                val = math.exp(het - (mono[f] + mono[g]) / 2.0)
            else:
                val = het / math.sqrt(mono[f] * mono[g]) if mono[f] > 0 and mono[g] > 0 else math.inf
            out[f, g] = out[g, f] = val
    if not np.all(np.isfinite(out)):
        raise AnalysisError(
            "HTMT is undefined: some factor's items are uncorrelated with each other "
            "(monotrait correlation 0)"
        )
    return out


def htmt(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    *,
    method: str = "arithmetic",
    missing: str = "listwise",
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (HTMT) between the factors of a model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    model : mapping of str to sequence of str
        Factor -> its item columns (each item on one factor; at least 2 items per factor).
    method : {"arithmetic", "geometric"}, default "arithmetic"
        ``"arithmetic"``: Henseler, Ringle & Sarstedt (2015); ``"geometric"``: HTMT2 of
        Roemer, Schuberth & Henseler (2021), the default of semTools ``htmt()`` since 0.5-6.
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy for the item correlation matrix.

    Returns
    -------
    pandas.DataFrame
        Square factor x factor matrix (index and columns = factor names, diagonal 1).

    Raises
    ------
    TypeError, DataError, ParamsError, AnalysisError
        As :func:`cfa`; AnalysisError also when a factor's items are uncorrelated.

    Notes
    -----
    From the absolute item correlations :math:`|r|`: for factors :math:`a, b`, the
    heterotrait mean :math:`H_{ab}` over item pairs across the factors and the monotrait
    means :math:`M_a, M_b` over distinct item pairs within each factor,

    .. math:: HTMT_{ab} = \\frac{H_{ab}}{\\sqrt{M_a M_b}},

    with arithmetic means (Henseler et al.) or geometric means (HTMT2). Values below 0.85
    (conservative) or 0.90 support discriminant validity.

    The geometric version was validated against R ``semTools::htmt(HS.model,
    HolzingerSwineford1939)``; the arithmetic version by its defining identity (see
    ``tests/test_reliability.py``).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135.

    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. Industrial Management
    & Data Systems, 121(12), 2637-2650.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.cfa import htmt
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...          "speed": ["x7", "x8", "x9"]}
    >>> htmt(hs, model, method="geometric").round(3)
             visual  textual  speed
    visual    1.000    0.384  0.387
    textual   0.384    1.000  0.280
    speed     0.387    0.280  1.000
    """
    _check_frame(data)
    spec = _check_model(model)
    if len(spec) < 2:
        raise AnalysisError(f"HTMT compares factors and needs at least 2; `model` has {len(spec)}")
    if method not in ("arithmetic", "geometric"):
        raise ParamsError(f"`method` must be 'arithmetic' or 'geometric'; got {method!r}")
    missing = _check_missing(missing)
    names = _check_items(data, [it for its in spec.values() for it in its], param="model")
    m = _moments(data, names, missing, what="htmt")
    blocks, start = [], 0
    for its in spec.values():
        blocks.append(np.arange(start, start + len(its)))
        start += len(its)
    mat = _htmt_matrix(_corr(m.cov), blocks, method)
    factors = list(spec)
    return pd.DataFrame(mat, index=pd.Index(factors), columns=pd.Index(factors))


# --------------------------------------------------------------------------- CFA
@dataclass(frozen=True, eq=False)
class CFAResult:
    """Fit, loadings and validity of a confirmatory factor analysis.

    Attributes
    ----------
    chi2, dof, p_value : float, int, float
        Likelihood-ratio test of the model against the saturated model (chi2 = n F_ML).
    cfi, tli : float
        Comparative fit index and Tucker-Lewis index against the independence model.
    rmsea, rmsea_ci_low, rmsea_ci_high : float
        RMSEA and its confidence interval (level ``rmsea_ci_level``, 0.90 by default).
    rmsea_ci_level : float
        Level of the RMSEA interval.
    rmsea_pvalue : float
        p-value of the close-fit test H0: RMSEA <= 0.05.
    srmr : float
        Standardized root mean square residual (Bentler; lavaan's ``srmr``).
    chi2_baseline, dof_baseline : float, int
        Independence-model chi-square and degrees of freedom.
    n_obs, n_dropped, n_items, n_factors : int
        Respondents used (listwise), rows dropped, observed items, factors.
    converged : bool
        The optimizer reported convergence.
    orthogonal : bool
        Factors were constrained uncorrelated.
    htmt_method : str
        Mean used in ``htmt``.
    syntax : str
        The model in lavaan syntax (original names).
    loadings : pandas.DataFrame
        One row per item: ``factor``, ``item``, ``estimate`` (unstandardized; the first item
        of each factor is the marker fixed to 1), ``se``, ``z``, ``p_value`` (NaN for the
        fixed marker, flagged by ``fixed``), ``std_loading`` (lavaan ``std.all``),
        ``residual_variance``, ``fixed``.
    factors : pandas.DataFrame
        One row per factor: ``factor``, ``n_items``, ``variance``, ``composite_reliability``,
        ``ave``, ``sqrt_ave``, ``max_abs_correlation`` (largest absolute correlation with
        another factor; NaN in a one-factor model).
    factor_correlations : pandas.DataFrame
        Factor x factor correlation matrix.
    fornell_larcker : pandas.DataFrame
        Factor x factor: sqrt(AVE) on the diagonal, factor correlations off it.
    htmt : pandas.DataFrame
        Factor x factor HTMT matrix (empty for a one-factor model).
    """

    chi2: float
    dof: int
    p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    rmsea_ci_level: float
    rmsea_pvalue: float
    srmr: float
    chi2_baseline: float
    dof_baseline: int
    n_obs: int
    n_dropped: int
    n_items: int
    n_factors: int
    converged: bool
    orthogonal: bool
    htmt_method: str
    syntax: str
    loadings: pd.DataFrame
    factors: pd.DataFrame
    factor_correlations: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row of global fit: ``chi2, dof, p_value, cfi, tli, rmsea, rmsea_ci_low,
        rmsea_ci_high, rmsea_pvalue, srmr, n_obs, n_dropped, n_items, n_factors, converged``."""
        keys = (
            "chi2", "dof", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high",
            "rmsea_pvalue", "srmr", "n_obs", "n_dropped", "n_items", "n_factors", "converged",
        )
        return pd.DataFrame([{k: getattr(self, k) for k in keys}])


def _rmsea_ci(x2: float, df: int, n: int, level: float) -> tuple[float, float]:
    """Noncentral chi-square inversion of Browne & Cudeck (1993), as lavaan."""
    if df < 1:
        return 0.0, 0.0
    upper_p = 1.0 - (1.0 - level) / 2.0
    lower_p = (1.0 - level) / 2.0

    def cdf(lam: float) -> float:
        return float(stats.chi2.cdf(x2, df)) if lam <= 0 else float(stats.ncx2.cdf(x2, df, lam))

    if cdf(0.0) < upper_p:
        low = 0.0
    else:
        lam_l = optimize.brentq(lambda lam: cdf(lam) - upper_p, 0.0, max(x2, 1e-8), xtol=1e-12)
        low = math.sqrt(lam_l / (n * df))
    cap = max(float(n), 4.0 * x2)
    if cdf(cap) - lower_p > 0 or cdf(0.0) - lower_p < 0:
        high = 0.0
    else:
        lam_u = optimize.brentq(lambda lam: cdf(lam) - lower_p, 0.0, cap, xtol=1e-12)
        high = math.sqrt(lam_u / (n * df))
    return low, high


def _lavaan_syntax(spec: Mapping[str, Sequence[str]], orthogonal: bool) -> str:
    lines = [f"{f} =~ {' + '.join(its)}" for f, its in spec.items()]
    if orthogonal:
        fs = list(spec)
        lines += [f"{a} ~~ 0*{b}" for i, a in enumerate(fs) for b in fs[i + 1:]]
    return "\n".join(lines)


#: What semopy imports from sympy and scikit-learn at import time, for features the CFA does not
#: use (parameter constraints, kernel random effects, EFA). Imported on first use instead.
_SEMOPY_DEFERRED = {
    "sympy": ("lambdify", "derive_by_array", "Symbol"),
    "sympy.parsing": (),
    "sympy.parsing.sympy_parser": ("parse_expr",),
    "sklearn": (),
    "sklearn.gaussian_process": (),
    "sklearn.gaussian_process.kernels": ("Kernel", "Matern"),
    "sklearn.cluster": ("OPTICS",),
    "sklearn.decomposition": ("SparsePCA",),
}


class _Deferred:
    """Stand-in for ``module.name``: imports the real object when first called."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(self.module), self.name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<deferred {self.module}.{self.name}>"


def import_semopy() -> Any:
    """Import semopy without importing sympy and scikit-learn (0.4 s, on the kernels' critical path).

    semopy's ``__init__`` imports every feature, and with them sympy (parameter constraints) and
    scikit-learn (kernel effects, EFA); the CFA uses none of these. During semopy's import the
    names it takes from them (:data:`_SEMOPY_DEFERRED`) are stand-ins that import the real
    function when called, and the stand-in modules are removed right after, so code importing
    sympy or scikit-learn later gets the real packages. Where sympy or scikit-learn is already
    imported, or semopy needs anything else from them, semopy is imported as usual.
    """
    import sys
    import types

    if "semopy" in sys.modules:
        return sys.modules["semopy"]
    if any(name in sys.modules for name in _SEMOPY_DEFERRED):
        import semopy

        return semopy
    stubs = {}
    for name, attrs in _SEMOPY_DEFERRED.items():
        stub = types.ModuleType(name, "csat_research stand-in while semopy is imported")
        for attr in attrs:
            setattr(stub, attr, _Deferred(name, attr))
        stubs[name] = stub
    sys.modules.update(stubs)
    try:
        import semopy
    except ImportError:  # semopy wants more than the stand-ins have: import everything for real
        for name in [m for m in sys.modules if m == "semopy" or m.startswith("semopy.")]:
            del sys.modules[name]
        semopy = None
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    if semopy is None:
        import semopy
    return semopy


def _fit_semopy(s_ml: np.ndarray, n: int, spec_alias: dict[str, list[str]], orthogonal: bool):
    semopy = import_semopy()  # imported lazily: heavy, and only the CFA needs it

    desc = _lavaan_syntax(spec_alias, orthogonal)
    obs = [it for its in spec_alias.values() for it in its]
    cov = pd.DataFrame(s_ml, index=pd.Index(obs), columns=pd.Index(obs))
    model = semopy.Model(desc)
    res = model.fit(cov=cov, n_samples=n, solver="SLSQP", options={"ftol": 1e-12, "maxiter": 10000})
    return model, res


def cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    *,
    orthogonal: bool = False,
    htmt_method: str = "arithmetic",
    rmsea_ci: float = 0.90,
) -> CFAResult:
    """Confirmatory factor analysis (ML) with fit indices, reliability and discriminant validity.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing; listwise
        deletion over the model's items).
    model : mapping of str to sequence of str
        Factor -> its item columns, e.g. ``{"efficiency": ["q1", "q2", "q3"], ...}``. Each
        item loads on exactly one factor; at least 2 items per factor.
    orthogonal : bool, default False
        Constrain the factor covariances to 0 (lavaan ``orthogonal = TRUE``).
    htmt_method : {"arithmetic", "geometric"}, default "arithmetic"
        Mean used for HTMT (see :func:`htmt`).
    rmsea_ci : float, default 0.90
        Level of the RMSEA confidence interval.

    Returns
    -------
    CFAResult
        Global fit (``chi2, dof, p_value, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high,
        rmsea_pvalue, srmr``), counts, the ``loadings`` table, the per-factor ``factors``
        table (``composite_reliability``, ``ave``), ``factor_correlations``,
        ``fornell_larcker`` and ``htmt``; ``to_frame()`` gives the fit row.

    Raises
    ------
    TypeError
        ``data`` or ``model`` of the wrong type, non-numeric items.
    DataError
        Items missing from ``data``.
    ParamsError
        An item on two factors, bad ``htmt_method`` / ``rmsea_ci``.
    AnalysisError
        A factor with fewer than 2 items, fewer respondents than items + 1, constant or
        empty items, or a model with negative degrees of freedom (not identified).

    Warns
    -----
    CsatWarning
        Rows dropped by listwise deletion (counts); no convergence; negative residual
        variances (Heywood cases); a just-identified model (df = 0).

    Notes
    -----
    The model is written in lavaan syntax (``factor =~ item1 + item2 + ...``, first loading
    fixed to 1, factor variances and covariances free, as lavaan's ``cfa()`` defaults) and
    fitted by maximum likelihood with semopy (objective ``MLW``, SLSQP, ``ftol`` 1e-12) to
    the covariance matrix with divisor n, computed in one pass. With observed
    :math:`S`, implied :math:`\\hat\\Sigma`, p items and q free parameters:

    - :math:`\\chi^2 = n[\\log|\\hat\\Sigma| + \\operatorname{tr}(S\\hat\\Sigma^{-1}) - \\log|S| - p]`,
      df = p(p+1)/2 - q; baseline :math:`\\chi^2_0 = n[\\sum\\log s_{ii} - \\log|S|]`,
      df0 = p(p-1)/2;
    - CFI = 1 - max(chi2 - df, 0) / max(chi2 - df, chi2_0 - df0, 0) (Bentler 1990);
      TLI = (chi2_0/df0 - chi2/df) / (chi2_0/df0 - 1) (Tucker & Lewis 1973);
    - RMSEA = sqrt(max(chi2/n/df - 1/n, 0)) (Steiger & Lind 1980, N as lavaan); its interval
      inverts the noncentral chi-square CDF in the noncentrality (Browne & Cudeck 1993,
      lavaan ``lav_fit_rmsea_ci``); close-fit p-value = 1 - F(chi2; df, n df 0.05^2);
    - SRMR (lavaan's default ``srmr`` = Bentler's): root mean square over the p(p+1)/2
      elements (diagonal included) of :math:`(s_{ij} - \\hat\\sigma_{ij})/\\sqrt{s_{ii}s_{jj}}`;
    - composite reliability per factor (semTools ``compRelSEM``, ``obs.var = TRUE``):
      :math:`(\\sum\\lambda_i)^2\\phi / \\mathbf 1'S_f\\mathbf 1`;
    - AVE (semTools ``AVE``): :math:`\\sum\\lambda_i^2\\phi / \\sum s_{ii}`;
    - Fornell-Larcker: sqrt(AVE) of a factor should exceed its correlations with the others;
    - HTMT from the item correlation matrix (see :func:`htmt`).

    Validated against lavaan's tutorial output for the Holzinger-Swineford three-factor
    model (chi2 = 85.306, df = 24, CFI = 0.931, TLI = 0.896, RMSEA = 0.092 [0.071, 0.114],
    SRMR = 0.065, loadings and standard errors), the same model with ``orthogonal = TRUE``,
    semTools ``compRelSEM`` / ``AVE`` / ``htmt`` and ``lavInspect(fit, "cor.lv")``
    (see ``tests/test_reliability.py``).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36.

    Igolkina, A. A., & Meshcheryakov, G. (2020). semopy: A Python package for structural
    equation modeling. Structural Equation Modeling, 27(6), 952-963.

    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In
    K. A. Bollen & J. S. Long (Eds.), Testing structural equation models (pp. 136-162).

    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
    analysis. Structural Equation Modeling, 6(1), 1-55.

    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1),
    39-50.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.cfa import cfa
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> res = cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                "speed": ["x7", "x8", "x9"]})
    >>> round(res.chi2, 3), res.dof, round(res.cfi, 3), round(res.tli, 3)
    (85.306, 24, 0.931, 0.896)
    >>> round(res.rmsea, 3), round(res.rmsea_ci_low, 3), round(res.rmsea_ci_high, 3)
    (0.092, 0.071, 0.114)
    >>> round(res.srmr, 3)
    0.065
    >>> res.factors[["factor", "composite_reliability", "ave"]].round(3)
        factor  composite_reliability    ave
    0   visual                  0.612  0.371
    1  textual                  0.885  0.721
    2    speed                  0.686  0.424
    """
    _check_frame(data)
    spec = _check_model(model)
    if not isinstance(orthogonal, bool):
        raise TypeError(f"`orthogonal` must be bool; got {type(orthogonal).__name__}")
    if htmt_method not in ("arithmetic", "geometric"):
        raise ParamsError(f"`htmt_method` must be 'arithmetic' or 'geometric'; got {htmt_method!r}")
    level = _check_level(rmsea_ci, "rmsea_ci")
    names = _check_items(data, [it for its in spec.values() for it in its], param="model")
    p = len(names)
    nf = len(spec)
    m = _moments(data, names, "listwise", what="cfa")
    n = m.n_obs
    if n < p + 1:
        raise AnalysisError(
            f"cfa needs more respondents than items (n >= p + 1) for a positive definite "
            f"covariance matrix; got n = {n} for p = {p} items"
        )
    n_free = p + p + (nf if orthogonal else nf * (nf + 1) // 2) - nf  # loadings-1 + theta + phi
    dof = p * (p + 1) // 2 - n_free
    if dof < 0:
        raise AnalysisError(
            f"the model is not identified: {n_free} free parameters for {p * (p + 1) // 2} "
            f"distinct (co)variances (df = {dof}); add items or correlate the factors"
        )
    s_ml = m.ml_cov()
    if not np.linalg.eigvalsh(s_ml)[0] > 0:
        raise AnalysisError(
            "the item covariance matrix is not positive definite (linearly dependent items?)"
        )

    # aliases keep semopy's parser away from spaces, punctuation and CJK in names
    alias_item = {it: f"v{j}" for j, it in enumerate(names)}
    alias_factor = {f: f"F{j}" for j, f in enumerate(spec)}
    spec_alias = {alias_factor[f]: [alias_item[i] for i in its] for f, its in spec.items()}
    with single_thread_blas():
        fitted, res = _fit_semopy(s_ml, n, spec_alias, orthogonal)
        sigma_full = np.asarray(fitted.calc_sigma()[0])
        est = fitted.inspect()
    converged = bool(res.success)
    if not converged:
        warnings.warn(f"cfa: the ML fit did not converge ({res.message}); results are unreliable",
                      CsatWarning, stacklevel=2)

    obs_order = list(fitted.vars["observed"])
    pos = [obs_order.index(alias_item[it]) for it in names]
    sigma = sigma_full[np.ix_(pos, pos)]
    est = est.assign(
        Estimate=pd.to_numeric(est["Estimate"], errors="coerce"),
        se=pd.to_numeric(est["Std. Err"], errors="coerce"),
        z=pd.to_numeric(est["z-value"], errors="coerce"),
        p=pd.to_numeric(est["p-value"], errors="coerce"),
    )
    q = len(fitted.param_vals)
    if q != n_free:  # semopy and our count must agree, else df would be wrong
        raise AnalysisError(f"internal: semopy estimated {q} parameters, expected {n_free}")

    # global fit
    _, logdet_sig = np.linalg.slogdet(sigma)
    _, logdet_s = np.linalg.slogdet(s_ml)
    f_ml = logdet_sig + float(np.trace(s_ml @ np.linalg.inv(sigma))) - logdet_s - p
    chi2 = max(n * f_ml, 0.0)
    p_value = float(stats.chi2.sf(chi2, dof)) if dof > 0 else float("nan")
    chi2_b = n * (float(np.log(np.diag(s_ml)).sum()) - logdet_s)
    dof_b = p * (p - 1) // 2
    t1, t2 = chi2 - dof, chi2_b - dof_b
    denom = max(t1, t2, 0.0)
    cfi = 1.0 - max(t1, 0.0) / denom if denom > 0 else 1.0
    if dof > 0:
        tli = (chi2_b / dof_b - chi2 / dof) / (chi2_b / dof_b - 1.0)
        rmsea = math.sqrt(max(chi2 / n / dof - 1.0 / n, 0.0))
        rmsea_pv = float(stats.ncx2.sf(chi2, dof, n * dof * 0.05**2))
    else:
        tli, rmsea, rmsea_pv = 1.0, 0.0, float("nan")
        warnings.warn(
            "cfa: the model is just-identified (df = 0); chi-square, CFI, TLI and RMSEA are "
            "uninformative",
            CsatWarning,
            stacklevel=2,
        )
    ci_low, ci_high = _rmsea_ci(chi2, dof, n, level)
    sd_obs = np.sqrt(np.diag(s_ml))
    resid = (s_ml - sigma) / np.outer(sd_obs, sd_obs)
    srmr = math.sqrt(float(np.mean(resid[np.triu_indices(p)] ** 2)))

    # parameters
    inv_item = {v: k for k, v in alias_item.items()}
    inv_factor = {v: k for k, v in alias_factor.items()}
    lam = np.zeros(p)
    rows = []
    load = est[(est["op"] == "~") & est["rval"].isin(inv_factor) & est["lval"].isin(inv_item)]
    load_by_item = {r.lval: r for r in load.itertuples(index=False)}
    cov_rows = est[est["op"] == "~~"]
    cov_par: dict[frozenset[str], float] = {
        frozenset((a, b)): float(v)
        for a, b, v in zip(cov_rows["lval"], cov_rows["rval"], cov_rows["Estimate"], strict=True)
    }

    def _par(a: str, b: str) -> float:
        return cov_par.get(frozenset((a, b)), 0.0)

    fnames = list(spec)
    phi = np.array([[_par(alias_factor[a], alias_factor[b]) for b in fnames] for a in fnames])
    theta = np.array([_par(alias_item[it], alias_item[it]) for it in names])
    item_factor = np.array([fnames.index(f) for f, its in spec.items() for _ in its])
    for j, it in enumerate(names):
        r = load_by_item[alias_item[it]]
        lam[j] = float(r.Estimate)
        f = item_factor[j]
        fixed = bool(np.isnan(r.se))
        rows.append({
            "factor": fnames[f], "item": it, "estimate": lam[j],
            "se": float(r.se), "z": float(r.z), "p_value": float(r.p),
            "std_loading": lam[j] * math.sqrt(phi[f, f]) / math.sqrt(sigma[j, j]),
            "residual_variance": theta[j], "fixed": fixed,
        })
    loadings = pd.DataFrame(rows)
    heywood = [names[j] for j in range(p) if theta[j] < 0]
    if heywood or np.any(np.diag(phi) <= 0):
        warnings.warn(
            f"cfa: improper solution - {len(heywood)} item(s) with negative residual variance "
            f"{heywood} and {int(np.sum(np.diag(phi) <= 0))} factor(s) with non-positive variance",
            CsatWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        dphi = np.sqrt(np.diag(phi))
        fcor = phi / np.outer(dphi, dphi)
    np.fill_diagonal(fcor, 1.0)

    cr = np.empty(nf)
    ave = np.empty(nf)
    blocks = []
    for f in range(nf):
        ix = np.flatnonzero(item_factor == f)
        blocks.append(ix)
        cr[f] = lam[ix].sum() ** 2 * phi[f, f] / float(s_ml[np.ix_(ix, ix)].sum())
        ave[f] = float((lam[ix] ** 2).sum() * phi[f, f] / np.diag(s_ml)[ix].sum())
    sqrt_ave = np.sqrt(np.clip(ave, 0.0, None))
    if nf > 1:
        off = np.abs(fcor) - np.eye(nf) * np.abs(fcor)
        max_abs = off.max(axis=1)
    else:
        max_abs = np.full(nf, np.nan)
    factors = pd.DataFrame({
        "factor": fnames,
        "n_items": [len(spec[f]) for f in fnames],
        "variance": np.diag(phi),
        "composite_reliability": cr,
        "ave": ave,
        "sqrt_ave": sqrt_ave,
        "max_abs_correlation": max_abs,
    })
    findex = pd.Index(fnames)
    factor_corr = pd.DataFrame(fcor, index=findex, columns=findex)
    fl = fcor.copy()
    np.fill_diagonal(fl, sqrt_ave)
    fornell = pd.DataFrame(fl, index=findex, columns=findex)
    if nf > 1:
        ht = pd.DataFrame(_htmt_matrix(_corr(m.cov), blocks, htmt_method), index=findex, columns=findex)
    else:
        ht = pd.DataFrame(index=findex, columns=findex, dtype=float)

    return CFAResult(
        chi2=float(chi2), dof=int(dof), p_value=p_value, cfi=float(cfi), tli=float(tli),
        rmsea=float(rmsea), rmsea_ci_low=ci_low, rmsea_ci_high=ci_high, rmsea_ci_level=level,
        rmsea_pvalue=rmsea_pv, srmr=srmr, chi2_baseline=float(chi2_b), dof_baseline=int(dof_b),
        n_obs=n, n_dropped=m.n_dropped, n_items=p, n_factors=nf, converged=converged,
        orthogonal=orthogonal, htmt_method=htmt_method, syntax=_lavaan_syntax(spec, orthogonal),
        loadings=loadings, factors=factors, factor_correlations=factor_corr,
        fornell_larcker=fornell, htmt=ht,
    )


# --------------------------------------------------------------------------- scale table
def scale_reliability(
    data: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]],
    *,
    missing: str = "listwise",
    ci: float = 0.95,
    overall: bool = True,
) -> pd.DataFrame:
    """Reliability of every dimension of the scale, plus the overall item pool.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one numeric column per item (``NaN`` = missing).
    dimensions : mapping of str to sequence of str
        Dimension -> its item columns (at least 2 each; an item may appear in one dimension
        only).
    missing : {"listwise", "pairwise"}, default "listwise"
        Missing-data policy, applied per dimension (listwise: a respondent missing one
        efficiency item still counts for the quality dimension).
    ci : float, default 0.95
        Level of alpha's Feldt interval.
    overall : bool, default True
        Add a row ``"overall"`` over all items of all dimensions.

    Returns
    -------
    pandas.DataFrame
        One row per dimension (in mapping order), then ``"overall"``:
        ``dimension``, ``n_items``, ``n_obs``, ``n_dropped``, ``alpha`` (raw), ``alpha_std``,
        ``ci_low``, ``ci_high`` (Feldt, raw alpha), ``omega`` (ML one-factor, model
        denominator; NaN with a CsatWarning for a 2-item dimension, where the one-factor
        model is not identified).

    Raises
    ------
    TypeError, DataError, ParamsError, AnalysisError
        As :func:`cronbach_alpha` and :func:`cfa`'s ``model`` checks.

    Warns
    -----
    CsatWarning
        Rows dropped per dimension (counts); 2-item dimensions without omega; negatively
        correlating items; Heywood cases.

    Notes
    -----
    Same formulas as :func:`cronbach_alpha` and :func:`omega`. Without missing values (or
    with ``missing="pairwise"``) one covariance matrix of all items is computed and every
    dimension reads its block, so the table costs about one ``numpy.cov`` of the item pool.
    The overall omega treats all items as one factor, which understates reliability when the
    dimensions are distinct; read it next to the CFA.

    Validated through :func:`cronbach_alpha` and :func:`omega` (psych / lavaan / MBESS values
    in ``tests/test_reliability.py``); the table is checked to equal those functions.

    References
    ----------
    Cronbach (1951); McDonald (1999); see :func:`cronbach_alpha` and :func:`omega`.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.cfa import scale_reliability
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> dims = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...         "speed": ["x7", "x8", "x9"]}
    >>> tab = scale_reliability(hs, dims)
    >>> tab[["dimension", "n_items", "n_obs", "alpha", "omega"]].round(3)
      dimension  n_items  n_obs  alpha  omega
    0    visual        3    301  0.626  0.633
    1   textual        3    301  0.883  0.886
    2     speed        3    301  0.688  0.696
    3   overall        9    301  0.760  0.738
    """
    _check_frame(data)
    spec = _check_model(dimensions)
    missing = _check_missing(missing)
    level = _check_level(ci, "ci")
    if not isinstance(overall, bool):
        raise TypeError(f"`overall` must be bool; got {type(overall).__name__}")
    all_items = _check_items(data, [it for its in spec.values() for it in its], param="dimensions")
    blocks: list[tuple[str, list[str]]] = list(spec.items())
    if overall:
        if "overall" in spec:
            raise ParamsError("a dimension may not be called 'overall' when overall=True")
        blocks.append(("overall", all_items))

    # Without missing answers every block reads the covariance matrix of the whole item pool
    # (one pass); otherwise each block applies the missing-data policy to its own items.
    shared: _Moments | None = None
    index = {it: j for j, it in enumerate(all_items)}
    if np.all(np.isfinite(_as_float_matrix(data, all_items).sum(axis=0))):
        shared = _moments(data, all_items, "listwise", what="scale_reliability", warn=False)

    rows = []
    for name, its in blocks:
        what = f"scale_reliability[{name!r}]"
        if shared is not None:
            m = shared.sub([index[i] for i in its])
            m = _Moments(m.items, m.cov, m.n_pair, m.means, m.n_obs, m.n_total, m.n_dropped, missing)
        else:
            m = _moments(data, its, missing, what=what)
        _warn_negative_items(m, _item_stats(m)["r_drop"], what)
        a = _alpha_from_moments(m, standardized=False, level=level)
        if m.k >= 3:
            om = _omega_from_moments(m, "model", what=what).omega
        else:
            warnings.warn(
                f"{what}: omega needs 3 or more items (a one-factor model of 2 items is not "
                f"identified); {m.k} items {list(m.items)} -> omega reported as NaN",
                CsatWarning,
                stacklevel=2,
            )
            om = float("nan")
        rows.append({
            "dimension": name, "n_items": m.k, "n_obs": m.n_obs, "n_dropped": m.n_dropped,
            "alpha": a.alpha_raw, "alpha_std": a.alpha_std, "ci_low": a.ci_low,
            "ci_high": a.ci_high, "omega": om,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- verdict
def _check_threshold(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"threshold `{name}` must be a number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ParamsError(f"threshold `{name}` must be finite; got {value!r}")
    return value


def reliability_verdict(
    result: CFAResult | None = None,
    *,
    scale: pd.DataFrame | None = None,
    alpha: float = 0.70,
    omega: float = 0.70,
    cfi: float = 0.90,
    tli: float = 0.90,
    rmsea: float = 0.08,
    srmr: float = 0.08,
    ave: float = 0.50,
    composite_reliability: float = 0.70,
    htmt: float = 0.85,
) -> pd.DataFrame:
    """Pass/fail table of the usual reliability and validity criteria.

    Parameters
    ----------
    result : CFAResult, optional
        A fitted :func:`cfa`: global fit, per-factor CR / AVE / Fornell-Larcker, HTMT pairs.
    scale : pandas.DataFrame, optional
        A :func:`scale_reliability` table: per-dimension alpha and omega.
    alpha, omega, cfi, tli, composite_reliability, ave : float
        Minimum values (defaults 0.70, 0.70, 0.90, 0.90, 0.70, 0.50).
    rmsea, srmr : float
        Maximum values (defaults 0.08, 0.08).
    htmt : float
        HTMT must stay strictly below this (default 0.85).

    The keyword names equal the keys of ``csat_research.io.params.DEFAULT_THRESHOLDS``, so a
    study's thresholds pass straight through: ``reliability_verdict(fit, scale=tab,
    **params.thresholds)``.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``scope`` (``"model"``, a factor / dimension, or ``"a ~ b"`` for a
        factor pair), ``statistic``, ``value``, ``rule`` (``">="``, ``"<="``, ``"<"``,
        ``">"``), ``threshold``, ``pass`` (bool). Order: scale rows (alpha, omega per
        dimension), model fit (cfi, tli, rmsea, srmr), per factor (composite_reliability,
        ave, fornell_larcker), HTMT pairs. ``fornell_larcker`` compares sqrt(AVE) with the
        factor's largest absolute correlation (value = sqrt(AVE) - max |r|, must be > 0). A
        NaN value (e.g. omega of a 2-item dimension) never passes.

    Raises
    ------
    TypeError
        ``result`` not a CFAResult, ``scale`` not a DataFrame, a non-numeric threshold.
    ParamsError
        Neither ``result`` nor ``scale`` given, or ``scale`` lacks the needed columns.

    Notes
    -----
    Defaults follow common practice: alpha and CR >= 0.70 (Nunnally & Bernstein 1994), AVE
    >= 0.50 and the Fornell-Larcker criterion (Fornell & Larcker 1981), CFI / TLI >= 0.90,
    RMSEA and SRMR <= 0.08 (Hu & Bentler 1999 give 0.95 / 0.06 / 0.08 as stricter cut-offs),
    HTMT < 0.85 (Henseler et al. 2015). The function only compares numbers computed by
    :func:`cfa` and :func:`scale_reliability` (validated there) with the thresholds; no
    statistic is computed here. Missing data: whatever the inputs used.

    References
    ----------
    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
    analysis. Structural Equation Modeling, 6(1), 1-55.

    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.

    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135.

    Nunnally, J. C., & Bernstein, I. H. (1994). Psychometric theory (3rd ed.). McGraw-Hill.

    Examples
    --------
    >>> import semopy
    >>> from csat_research.stats.cfa import cfa, reliability_verdict
    >>> hs = semopy.examples.holzinger39.get_data()
    >>> fit = cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                "speed": ["x7", "x8", "x9"]})
    >>> v = reliability_verdict(fit)
    >>> v[v["scope"] == "model"].round(3)
      scope statistic  value rule  threshold   pass
    0 model       cfi  0.931   >=       0.90   True
    1 model       tli  0.896   >=       0.90  False
    2 model     rmsea  0.092   <=       0.08  False
    3 model      srmr  0.065   <=       0.08   True
    """
    if result is None and scale is None:
        raise ParamsError("reliability_verdict needs `result` (a CFAResult), `scale` (a "
                          "scale_reliability table) or both; got neither")
    if result is not None and not isinstance(result, CFAResult):
        raise TypeError(f"`result` must be a CFAResult from cfa(); got {type(result).__name__}")
    th = {
        name: _check_threshold(val, name)
        for name, val in (
            ("alpha", alpha), ("omega", omega), ("cfi", cfi), ("tli", tli), ("rmsea", rmsea),
            ("srmr", srmr), ("ave", ave), ("composite_reliability", composite_reliability),
            ("htmt", htmt),
        )
    }
    rows: list[dict[str, Any]] = []

    def add(scope: str, stat: str, value: float, rule: str, threshold: float) -> None:
        value = float(value)
        ok = {
            ">=": value >= threshold, "<=": value <= threshold,
            "<": value < threshold, ">": value > threshold,
        }[rule]
        rows.append({"scope": scope, "statistic": stat, "value": value, "rule": rule,
                     "threshold": threshold, "pass": bool(ok) and not math.isnan(value)})

    if scale is not None:
        if not isinstance(scale, pd.DataFrame):
            raise TypeError(f"`scale` must be a scale_reliability() DataFrame; got {type(scale).__name__}")
        need = {"dimension", "alpha", "omega"}
        if not need <= set(scale.columns):
            raise ParamsError(
                f"`scale` must have columns {sorted(need)} (a scale_reliability() table); "
                f"got {list(scale.columns)}"
            )
        for r in scale.itertuples(index=False):
            add(str(r.dimension), "alpha", r.alpha, ">=", th["alpha"])
            add(str(r.dimension), "omega", r.omega, ">=", th["omega"])
    if result is not None:
        add("model", "cfi", result.cfi, ">=", th["cfi"])
        add("model", "tli", result.tli, ">=", th["tli"])
        add("model", "rmsea", result.rmsea, "<=", th["rmsea"])
        add("model", "srmr", result.srmr, "<=", th["srmr"])
        for r in result.factors.itertuples(index=False):
            add(r.factor, "composite_reliability", r.composite_reliability, ">=",
                th["composite_reliability"])
            add(r.factor, "ave", r.ave, ">=", th["ave"])
            if result.n_factors > 1:
                add(r.factor, "fornell_larcker", r.sqrt_ave - r.max_abs_correlation, ">", 0.0)
        fs = list(result.htmt.index)
        for i, a in enumerate(fs):
            for b in fs[i + 1:]:
                add(f"{a} ~ {b}", "htmt", result.htmt.loc[a, b], "<", th["htmt"])
    return pd.DataFrame(rows, columns=["scope", "statistic", "value", "rule", "threshold", "pass"])

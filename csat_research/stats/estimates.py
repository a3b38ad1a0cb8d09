"""Headline satisfaction estimates with confidence intervals.

One function per statistic, data first and everything else keyword-only:

* :func:`top2box` - top-2-box share with a Wilson score interval (survey weights through the
  Kish effective sample size);
* :func:`mean_ci` - mean with a t interval (survey weights through the linearisation variance);
* :func:`nps` - Net Promoter Score with the multinomial (trinomial) Wald interval.

Each returns a small frozen result (``Top2BoxResult``, ``MeanCIResult``, ``NPSResult``) with
``to_frame()``. Nothing here rounds, prints, reads files or modifies its input. Missing
answers are ``NaN`` and are counted in every result (``n_missing``), never dropped silently;
bases below :data:`SMALL_BASE` are warned about.

Examples
--------
>>> import pandas as pd
>>> from csat_research.stats.estimates import nps, top2box
>>> df = pd.DataFrame({"q1": [5.0, 4.0, 2.0] * 20, "rec": [10, 7, 3] * 20})
>>> round(top2box(df["q1"]).share, 4)
0.6667
>>> nps(df["rec"]).nps
0.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csat_research.core.checks import check_confidence
from csat_research.core.errors import AnalysisError, CsatWarning, DataError
from csat_research.core.numeric import wilson_interval
from csat_research.stats.inputs import (
    check_range,
    check_scale,
    weights_vector,
)
from csat_research.stats.survey_weights import kish_effective_n

__all__ = [
    "SMALL_BASE",
    "MeanCIResult",
    "NPSResult",
    "Top2BoxResult",
    "mean_ci",
    "nps",
    "top2box",
]

#: Base sizes below this get a :class:`~csat_research.core.errors.CsatWarning` (small base).
SMALL_BASE = 30


# --------------------------------------------------------------------------- helpers
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


def _small_base(n: float, what: str) -> None:
    if n < SMALL_BASE:
        warnings.warn(
            f"{what}: small base, n = {n:.4g} (< {SMALL_BASE}); the interval is wide and unstable",
            CsatWarning,
            stacklevel=3,
        )


def _frame_from(obj: Any, fields: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([{f: getattr(obj, f) for f in fields}])


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
        Wilson score interval at level ``confidence``.
    confidence : float
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
    confidence: float
    n_missing: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """One-row frame: share, n, n_eff, n_top, ci_low, ci_high, confidence, n_missing, weighted."""
        return _frame_from(self, ["share", "n", "n_eff", "n_top", "ci_low", "ci_high", "confidence", "n_missing", "weighted"])


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
    survey_weights: pd.Series | np.ndarray | None = None,
    top: Sequence[float] = (4, 5),
    confidence: float = 0.95,
    scale: tuple[float, float] = (1, 5),
) -> Top2BoxResult:
    """Top-2-box share (CSAT) with a Wilson score interval.

    Parameters
    ----------
    series : pandas.Series
        Answers as codes (float, ``NaN`` = missing).
    survey_weights : pandas.Series or array, optional
        Survey weights (aligned by index for a Series, by position otherwise).
    top : sequence of float, default (4, 5)
        Codes that count as "top box".
    confidence : float, default 0.95
        Confidence level.
    scale : (float, float), default (1, 5)
        Allowed code range; codes outside it are refused.

    Returns
    -------
    Top2BoxResult

    Raises
    ------
    TypeError, ValueError
        Bad arguments (empty ``top``, ``top`` outside ``scale``, ``confidence`` outside (0, 1)).
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
    confidence = check_confidence(confidence)
    lo, hi = check_scale(scale)
    is_seq = isinstance(top, Sequence) and not isinstance(top, str)
    top_codes = np.asarray(list(top), dtype=np.float64) if is_seq else None
    if top_codes is None or top_codes.size == 0:
        raise ValueError(f"`top` must be a non-empty sequence of codes, e.g. (4, 5); got {top!r}")
    if np.any((top_codes < lo) | (top_codes > hi)):
        raise ValueError(f"`top` codes {top_codes.tolist()} must lie inside `scale` {(lo, hi)}")
    x = _numeric_values(s, "series")
    check_range(x[:, None], [str(s.name)], lo, hi, "series")
    w = weights_vector(survey_weights, s)
    ok = ~np.isnan(x)
    n = int(ok.sum())
    if n == 0:
        raise AnalysisError("top2box: `series` has no non-missing answer")
    hit = np.isin(x[ok], top_codes)
    wu = _used_weights(w, ok, "survey_weights")
    if wu is None:
        n_top = float(hit.sum())
        share = n_top / n
        n_eff = float(n)
    else:
        n_top = float(wu[hit].sum())
        share = n_top / float(wu.sum())
        n_eff = kish_effective_n(wu)
    _small_base(n_eff, "top2box")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    low, high = wilson_interval(share, n_eff, z=z)
    return Top2BoxResult(share, n, n_eff, n_top, low, high, confidence, int(len(x) - n), wu is not None)


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
        Interval at level ``confidence``.
    confidence : float
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
    confidence: float
    n_missing: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """One-row frame: mean, se, n, n_eff, df, ci_low, ci_high, confidence, n_missing, weighted."""
        return _frame_from(
            self, ["mean", "se", "n", "n_eff", "df", "ci_low", "ci_high", "confidence", "n_missing", "weighted"]
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


def mean_interval(
    x: np.ndarray, w: np.ndarray | None, confidence: float
) -> tuple[float, float, float, float]:
    """``(mean, se, ci_low, ci_high)`` of the values ``x`` with survey weights ``w`` (or None).

    The one estimator of a mean's interval in the package (:func:`mean_ci`, the segment tables
    of :mod:`csat_research.stats.group_compare`): the linearisation variance of the (weighted)
    mean with ``n - 1`` degrees of freedom (see :func:`mean_ci`). Arrays must be free of
    missing values; fewer than two values give NaN for se and the interval.

    >>> m, se, lo, hi = mean_interval(np.array([1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]), None, 0.95)
    >>> round(lo, 7), round(hi, 7)   # R: t.test(sleep differences)
    (0.7001142, 2.4598858)
    """
    n = len(x)
    if n == 0 or (w is not None and not float(np.sum(w)) > 0):
        return math.nan, math.nan, math.nan, math.nan
    if n < 2:
        return float(x[0]), math.nan, math.nan, math.nan
    m, se = _mean_se(x, w)
    q = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    return m, se, m - q * se, m + q * se


def mean_ci(
    series: pd.Series,
    *,
    survey_weights: pd.Series | np.ndarray | None = None,
    confidence: float = 0.95,
) -> MeanCIResult:
    """Mean with a t-based confidence interval (survey weights supported).

    Parameters
    ----------
    series : pandas.Series
        Numeric values (``NaN`` = missing).
    survey_weights : pandas.Series or array, optional
        Survey weights (aligned by index for a Series, by position otherwise).
    confidence : float, default 0.95
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
    confidence = check_confidence(confidence)
    x = _numeric_values(s, "series")
    if np.any(np.isinf(x)):
        raise DataError(f"`series` holds {int(np.isinf(x).sum())} infinite value(s)")
    w = weights_vector(survey_weights, s)
    ok = ~np.isnan(x)
    n = int(ok.sum())
    if n < 2:
        raise AnalysisError(f"mean_ci needs at least 2 non-missing values; got {n}")
    xu = x[ok]
    wu = _used_weights(w, ok, "survey_weights")
    if wu is not None and np.count_nonzero(wu) < 2:
        raise AnalysisError("mean_ci needs at least 2 values with a positive weight")
    m, se, lo, hi = mean_interval(xu, wu, confidence)
    n_eff = float(n) if wu is None else kish_effective_n(wu)
    _small_base(n_eff, "mean_ci")
    return MeanCIResult(m, se, n, n_eff, float(n - 1), lo, hi, confidence, int(len(x) - n), wu is not None)


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
        Wald interval at level ``confidence``, clipped to [-100, 100].
    confidence : float
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
    confidence: float
    n_missing: int
    weighted: bool

    def to_frame(self) -> pd.DataFrame:
        """One-row frame with every field."""
        return _frame_from(
            self,
            ["nps", "promoters", "passives", "detractors", "n", "n_eff", "se", "ci_low", "ci_high",
             "confidence", "n_missing", "weighted"],
        )


def nps(
    series: pd.Series,
    *,
    survey_weights: pd.Series | np.ndarray | None = None,
    confidence: float = 0.95,
) -> NPSResult:
    """Net Promoter Score (0-10 recommend question) with a multinomial Wald interval.

    Parameters
    ----------
    series : pandas.Series
        Answers 0-10 (integers stored as float; ``NaN`` = missing).
    survey_weights : pandas.Series or array, optional
        Survey weights (aligned by index for a Series, by position otherwise).
    confidence : float, default 0.95
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
    confidence = check_confidence(confidence)
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
    w = weights_vector(survey_weights, s)
    n = int(ok.sum())
    if n == 0:
        raise AnalysisError("nps: `series` has no non-missing answer")
    wu = _used_weights(w, ok, "survey_weights")
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
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    low = max(-100.0, score - z * se)
    high = min(100.0, score + z * se)
    passives = max(0.0, 1.0 - p - d)
    return NPSResult(score, p, passives, d, n, n_eff, se, low, high, confidence, int(len(x) - n), wu is not None)
